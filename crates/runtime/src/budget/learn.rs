//! Learning the server's window length from its resets, when the user did not set it.
//!
//! A pure state machine, like [`super::WindowState`]: each reset the server reports is fed in
//! with the time it arrived; the answer is the window length to use from then on. The
//! distance between two resets of consecutive windows is the window; resets of one window
//! agree to a second (the header's resolution). Only a reset that arrives once the previous
//! one has come (within that second) counts: a server with a sliding window moves its reset
//! forward with every answer, and must not be read as having one-second windows.

use std::time::Duration;

use tokio::time::Instant;

use crate::headers::ROUNDING;

/// The shortest window that can be learned: below this, the header's one-second resolution
/// makes the distance between resets meaningless.
const SHORTEST: Duration = Duration::from_secs(2);

/// What is known of the window's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowLearner {
    window: Duration,
    fixed: bool,
    last_reset: Option<Instant>,
}

impl WindowLearner {
    /// Starts from `window`; `fixed` when the user set it (it is then never changed).
    pub fn new(window: Duration, fixed: bool) -> Self {
        WindowLearner {
            window,
            fixed,
            last_reset: None,
        }
    }

    /// The window length known now.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Whether the user set the window.
    pub fn fixed(&self) -> bool {
        self.fixed
    }

    /// Takes in a reset the server reported at `now`; returns the new window length when this
    /// reset shows a shorter one.
    pub fn observe_reset(&mut self, reset_at: Instant, now: Instant) -> Option<Duration> {
        let previous = self.last_reset.replace(reset_at);
        if self.fixed {
            return None;
        }
        let previous = previous?;
        let next_window = reset_at > previous + ROUNDING;
        let previous_has_come = now + ROUNDING >= previous;
        if !next_window || !previous_has_come {
            if !next_window {
                // Keep the first reading of this window: later ones of the same window differ
                // only by the clock's precision.
                self.last_reset = Some(previous.min(reset_at));
            }
            return None;
        }
        let distance = reset_at - previous;
        if distance >= SHORTEST && distance + ROUNDING < self.window {
            // Whole seconds: the resets are whole-second dates read at slightly different times.
            let seconds = (distance.as_millis() + 500) / 1000;
            self.window = Duration::from_secs(u64::try_from(seconds).unwrap_or(u64::MAX));
            return Some(self.window);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_ten_second_window_is_learned_from_two_resets() {
        let start = Instant::now();
        let mut learner = WindowLearner::new(60 * SECOND, false);
        assert_eq!(learner.observe_reset(start + 4 * SECOND, start), None);
        // Same window, read a little later.
        assert_eq!(
            learner.observe_reset(
                start + 4 * SECOND + Duration::from_millis(30),
                start + SECOND
            ),
            None
        );
        // The next window's reset, once the first has come.
        let learned = learner.observe_reset(
            start + 14 * SECOND + Duration::from_millis(20),
            start + 4 * SECOND + Duration::from_millis(60),
        );
        assert_eq!(learned, Some(10 * SECOND));
        assert_eq!(learner.window(), 10 * SECOND);
        // A skipped window (twenty seconds between resets) does not lengthen it again.
        assert_eq!(
            learner.observe_reset(start + 34 * SECOND, start + 15 * SECOND),
            None
        );
        assert_eq!(learner.window(), 10 * SECOND);
    }

    #[test]
    fn a_sliding_reset_teaches_nothing() {
        let start = Instant::now();
        let mut learner = WindowLearner::new(60 * SECOND, false);
        for second in 0..30 {
            let now = start + second * SECOND;
            assert_eq!(learner.observe_reset(now + 60 * SECOND, now), None);
        }
        assert_eq!(learner.window(), 60 * SECOND);
    }

    #[test]
    fn a_window_the_user_set_is_kept() {
        let start = Instant::now();
        let mut learner = WindowLearner::new(60 * SECOND, true);
        assert!(learner.fixed());
        learner.observe_reset(start + 4 * SECOND, start);
        assert_eq!(
            learner.observe_reset(start + 14 * SECOND, start + 5 * SECOND),
            None
        );
        assert_eq!(learner.window(), 60 * SECOND);
    }
}
