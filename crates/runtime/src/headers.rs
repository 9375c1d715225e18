//! The provider's rate-limit headers, read so that no value can panic the client or fool it.
//!
//! Every value is parsed with checked arithmetic. A value that cannot be read, overflows, or
//! makes no sense (a reset in the past, a remaining count above the limit) is ignored or
//! clamped, and logged once per kind of problem for the life of the process, never once per
//! response. What a value means for the budget (how far a reset may be trusted, how long a
//! 429 closes the gate) is decided by the pure functions here, from the window length the
//! client knows and the policy's cap.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

use sdkgen_policy::headers as names;

use crate::budget::Observation;

/// How far apart two readings of one reset may be: the headers have a one-second resolution.
pub(crate) const ROUNDING: Duration = Duration::from_secs(1);

/// Epoch seconds start here: a smaller `X-RateLimit-Reset` is a number of seconds from now.
const EPOCH_THRESHOLD: u64 = 1_000_000_000;

/// The rate-limit headers of one response, as read: each is `None` when absent or unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining` (never above the limit of the same response).
    pub remaining: Option<u32>,
    /// `X-RateLimit-Reset`, as a time from now; `None` when it is absent, unreadable or not
    /// in the future (an answer about a window that has already ended).
    pub reset_in: Option<Duration>,
    /// `Retry-After`, as a time from now (a date in the past reads as zero).
    pub retry_after: Option<Duration>,
}

/// The kinds of bad header values, each logged once per process.
#[derive(Debug, Clone, Copy)]
enum Problem {
    NotAscii,
    NotANumber,
    NotATime,
    Overflow,
    ResetInThePast,
    ResetBeyondWindow,
    RemainingAboveLimit,
    RetryAfterAboveCap,
}

impl Problem {
    const COUNT: usize = 8;

    fn message(self) -> &'static str {
        match self {
            Problem::NotAscii => "ignoring a rate-limit header that is not visible ASCII",
            Problem::NotANumber => "ignoring a rate-limit header that is not a whole number",
            Problem::NotATime => {
                "ignoring a time header that is neither a number of seconds nor an HTTP date"
            }
            Problem::Overflow => "ignoring a time header too far ahead to represent",
            Problem::ResetInThePast => {
                "ignoring an X-RateLimit-Reset in the past (its remaining points still count)"
            }
            Problem::ResetBeyondWindow => {
                "ignoring an X-RateLimit-Reset further ahead than the budget window"
            }
            Problem::RemainingAboveLimit => {
                "reading an X-RateLimit-Remaining above X-RateLimit-Limit as the limit"
            }
            Problem::RetryAfterAboveCap => {
                "holding calls no longer than the retry policy's max_retry_after, though the \
                 server asked for longer"
            }
        }
    }

    /// Logs the problem the first time it is seen in this process; later ones are silent, so
    /// a server that sends a bad header with every response does not flood the logs.
    /// Returns whether this call logged it.
    fn report(self, header: &str, value: &str) -> bool {
        static SEEN: [AtomicBool; Problem::COUNT] =
            [const { AtomicBool::new(false) }; Problem::COUNT];
        let first = !SEEN[self as usize].swap(true, Ordering::Relaxed);
        if first {
            let value: String = value.chars().take(64).collect();
            tracing::warn!(
                header,
                value,
                "{} (logged once per process)",
                self.message()
            );
        }
        first
    }
}

impl RateLimitHeaders {
    /// Reads the headers, relative to the system clock now.
    pub fn parse(headers: &HeaderMap) -> Self {
        RateLimitHeaders::parse_at(headers, SystemTime::now())
    }

    /// Reads the headers, relative to `now`. Never panics, whatever the values.
    pub fn parse_at(headers: &HeaderMap, now: SystemTime) -> Self {
        let limit = number(headers, names::LIMIT);
        let mut remaining = number(headers, names::REMAINING);
        if let (Some(limit), Some(left)) = (limit, remaining)
            && left > limit
        {
            Problem::RemainingAboveLimit.report(names::REMAINING, &left.to_string());
            remaining = Some(limit);
        }
        let mut reset_in = None;
        if let Some(value) = text(headers, names::RESET) {
            // A reset in the past is dropped, but not the remaining points it came with: they
            // are the server's latest count, and can only lower the client's.
            match reset_from_now(value, now) {
                Ok(reset) => reset_in = Some(reset),
                Err(problem) => {
                    problem.report(names::RESET, value);
                }
            }
        }
        let retry_after = text(headers, names::RETRY_AFTER).and_then(|value| {
            retry_after_from_now(value, now)
                .map_err(|problem| {
                    problem.report(names::RETRY_AFTER, value);
                })
                .ok()
        });
        RateLimitHeaders {
            limit,
            remaining,
            reset_in,
            retry_after,
        }
    }

    /// The reset, if it is no further than `window` (with a second for the header's rounding).
    /// `None` for `window` trusts any reset (the window is unknown).
    pub fn reset_within(&self, window: Option<Duration>) -> Option<Duration> {
        let reset_in = self.reset_in?;
        match window {
            Some(window) if reset_in > window.saturating_add(ROUNDING) => {
                Problem::ResetBeyondWindow.report(names::RESET, &format!("{reset_in:?}"));
                None
            }
            _ => Some(reset_in),
        }
    }

    /// How long the server asks every caller to hold off after a 429, before any cap: the
    /// reset when it is known (it is precise, where `Retry-After` is rounded up to whole
    /// seconds), unless `Retry-After` is longer by more than its rounding (a penalty beyond the
    /// window's end); else `Retry-After`; else `None`.
    pub fn server_wait(&self, window: Option<Duration>) -> Option<Duration> {
        match (self.reset_within(window), self.retry_after) {
            (Some(reset), Some(retry_after)) if retry_after > reset.saturating_add(ROUNDING) => {
                Some(retry_after)
            }
            (Some(reset), _) => Some(reset),
            (None, retry_after) => retry_after,
        }
    }

    /// As an observation for the budget, relative to `now`: the reset is kept only when it is
    /// within `window` (see [`RateLimitHeaders::reset_within`]), and moved later by `margin`.
    pub fn observation(
        &self,
        now: Instant,
        window: Option<Duration>,
        margin: Duration,
    ) -> Observation {
        let reset_at = self
            .reset_within(window)
            .and_then(|reset_in| now.checked_add(reset_in.saturating_add(margin)));
        Observation {
            limit: self.limit,
            remaining: self.remaining,
            reset_at,
            ..Observation::default()
        }
    }
}

/// The longest any call is held, whatever the policy's cap: a year. Instants that far ahead
/// still leave room for windows and jitter to be added without overflow.
const LONGEST_HOLD: Duration = Duration::from_secs(365 * 24 * 3600);

/// How long to close the gate for a server wait: never longer than `cap` (nor a year). Logs
/// once when the server asked for more.
pub(crate) fn capped_wait(wait: Duration, cap: Duration) -> Duration {
    let cap = cap.min(LONGEST_HOLD);
    if wait > cap {
        Problem::RetryAfterAboveCap.report(names::RETRY_AFTER, &format!("{wait:?}"));
        cap
    } else {
        wait
    }
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?;
    match value.to_str() {
        Ok(text) => Some(text.trim()),
        Err(_) => {
            Problem::NotAscii.report(name, &String::from_utf8_lossy(value.as_bytes()));
            None
        }
    }
}

fn number(headers: &HeaderMap, name: &str) -> Option<u32> {
    let value = text(headers, name)?;
    match value.parse() {
        Ok(number) => Some(number),
        Err(_) => {
            Problem::NotANumber.report(name, value);
            None
        }
    }
}

/// `X-RateLimit-Reset`: epoch seconds, seconds from now (below the epoch threshold), or an
/// HTTP date. It must be in the future.
fn reset_from_now(value: &str, now: SystemTime) -> Result<Duration, Problem> {
    let at = if let Ok(seconds) = value.parse::<u64>() {
        if seconds < EPOCH_THRESHOLD {
            return if seconds == 0 {
                Err(Problem::ResetInThePast)
            } else {
                Ok(Duration::from_secs(seconds))
            };
        }
        SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(seconds))
            .ok_or(Problem::Overflow)?
    } else {
        http_date(value)?
    };
    match at.duration_since(now) {
        Ok(reset_in) if !reset_in.is_zero() => Ok(reset_in),
        _ => Err(Problem::ResetInThePast),
    }
}

/// `Retry-After`: seconds from now, or an HTTP date (one in the past means now).
fn retry_after_from_now(value: &str, now: SystemTime) -> Result<Duration, Problem> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    if value.bytes().all(|byte| byte.is_ascii_digit()) && !value.is_empty() {
        // More seconds than a u64 holds: longer than any cap, so the longest we can say.
        return Ok(Duration::MAX);
    }
    Ok(http_date(value)?.duration_since(now).unwrap_or_default())
}

fn http_date(value: &str) -> Result<SystemTime, Problem> {
    // httpdate adds to the epoch with checked arithmetic: no panic on absurd years.
    httpdate::parse_http_date(value).map_err(|_| Problem::NotATime)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn each_kind_of_problem_is_logged_once() {
        // Other tests may have logged it already: the second report is silent either way.
        Problem::NotATime.report("retry-after", "soon");
        assert!(!Problem::NotATime.report("retry-after", "later"));
        assert_eq!(
            capped_wait(Duration::MAX, Duration::MAX),
            LONGEST_HOLD,
            "a year at most"
        );
    }

    #[test]
    fn parses_numbers_dates_and_delays_and_ignores_garbage() {
        let now = SystemTime::now();
        let in_a_minute = httpdate::fmt_http_date(now + Duration::from_secs(61));
        let mut map = headers(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "-3"),
            ("retry-after", "12"),
            ("x-ratelimit-reset", &in_a_minute),
        ]);
        let parsed = RateLimitHeaders::parse_at(&map, now);
        assert_eq!(parsed.limit, Some(100));
        assert_eq!(parsed.remaining, None, "negative numbers are ignored");
        assert_eq!(parsed.retry_after, Some(Duration::from_secs(12)));
        let reset_in = parsed.reset_in.unwrap();
        assert!(reset_in > Duration::from_secs(59) && reset_in <= Duration::from_secs(61));
        map.insert(
            "x-ratelimit-reset",
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        map.insert("retry-after", HeaderValue::from_static("soon"));
        let parsed = RateLimitHeaders::parse(&map);
        assert_eq!((parsed.reset_in, parsed.retry_after), (None, None));
    }

    #[test]
    fn absurd_values_neither_panic_nor_count() {
        let now = SystemTime::now();
        let parsed = RateLimitHeaders::parse_at(
            &headers(&[
                ("retry-after", "18446744073709551615"),
                ("x-ratelimit-reset", "18446744073709551615"),
            ]),
            now,
        );
        assert_eq!(parsed.reset_in, None, "an overflowing reset is ignored");
        assert_eq!(parsed.retry_after, Some(Duration::from_secs(u64::MAX)));
        let parsed = RateLimitHeaders::parse_at(
            &headers(&[("retry-after", "99999999999999999999999")]),
            now,
        );
        assert_eq!(parsed.retry_after, Some(Duration::MAX));
        assert_eq!(
            capped_wait(Duration::MAX, Duration::from_secs(120)),
            Duration::from_secs(120)
        );
        let observation = parsed.observation(Instant::now(), None, Duration::from_millis(50));
        assert_eq!(observation.reset_at, None);
    }

    #[test]
    fn a_reset_in_the_past_is_ignored_but_not_its_remaining_points() {
        let now = SystemTime::now();
        let epoch = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let parsed = RateLimitHeaders::parse_at(
            &headers(&[
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &(epoch - 5).to_string()),
            ]),
            now,
        );
        assert_eq!(
            parsed,
            RateLimitHeaders {
                limit: Some(100),
                remaining: Some(0),
                ..RateLimitHeaders::default()
            }
        );
        assert_eq!(
            reset_from_now("Thu, 01 Jan 1998 00:00:00 GMT", now).unwrap_err() as usize,
            Problem::ResetInThePast as usize
        );
        assert_eq!(
            retry_after_from_now("Thu, 01 Jan 1998 00:00:00 GMT", now).unwrap(),
            Duration::ZERO
        );
    }

    #[test]
    fn a_reset_beyond_the_window_is_not_trusted() {
        let parsed = RateLimitHeaders {
            reset_in: Some(Duration::from_secs(315_360_000)),
            ..RateLimitHeaders::default()
        };
        let minute = Some(Duration::from_secs(60));
        assert_eq!(parsed.reset_within(minute), None);
        assert_eq!(parsed.reset_within(None), parsed.reset_in);
        let now = Instant::now();
        assert_eq!(
            parsed.observation(now, minute, Duration::ZERO).reset_at,
            None
        );
        let near = RateLimitHeaders {
            reset_in: Some(Duration::from_millis(60_900)),
            ..RateLimitHeaders::default()
        };
        assert_eq!(
            near.observation(now, minute, Duration::from_millis(50))
                .reset_at,
            Some(now + Duration::from_millis(60_950)),
            "a second of rounding is allowed"
        );
    }

    #[test]
    fn remaining_above_the_limit_reads_as_the_limit() {
        let parsed = RateLimitHeaders::parse_at(
            &headers(&[
                ("x-ratelimit-limit", "10"),
                ("x-ratelimit-remaining", "4000000000"),
            ]),
            SystemTime::now(),
        );
        assert_eq!((parsed.limit, parsed.remaining), (Some(10), Some(10)));
    }

    #[test]
    fn the_precise_reset_wins_over_a_rounded_retry_after() {
        let minute = Some(Duration::from_secs(60));
        let both = RateLimitHeaders {
            reset_in: Some(Duration::from_millis(1_300)),
            retry_after: Some(Duration::from_secs(2)),
            ..RateLimitHeaders::default()
        };
        assert_eq!(both.server_wait(minute), Some(Duration::from_millis(1_300)));
        let penalty = RateLimitHeaders {
            retry_after: Some(Duration::from_secs(30)),
            ..both
        };
        assert_eq!(penalty.server_wait(minute), Some(Duration::from_secs(30)));
        let only_retry_after = RateLimitHeaders {
            reset_in: None,
            ..both
        };
        assert_eq!(
            only_retry_after.server_wait(minute),
            Some(Duration::from_secs(2))
        );
        assert_eq!(RateLimitHeaders::default().server_wait(minute), None);
    }

    fn header_value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<u64>().prop_map(|number| number.to_string()),
            any::<i64>().prop_map(|number| number.to_string()),
            (0u64..4_000_000_000).prop_map(|number| number.to_string()),
            "[0-9]{15,40}",
            any::<u32>().prop_map(|seconds| httpdate::fmt_http_date(
                SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(seconds))
            )),
            "(Mon|Fri), [0-9]{2} (Jan|Dec) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
            "[ -~]{0,30}",
        ]
    }

    fn response() -> impl Strategy<Value = Vec<(usize, String)>> {
        prop::collection::vec((0usize..4, header_value()), 0..6)
    }

    proptest! {
        /// Whatever a server sends, in whatever order: no panic, no reset further than the
        /// window plus rounding, no hold longer than the cap, and the budget state stays sane.
        #[test]
        fn no_header_value_or_sequence_panics_or_escapes_its_bounds(
            responses in prop::collection::vec(response(), 1..8),
            window_seconds in 1u64..120,
            status_429 in prop::collection::vec(any::<bool>(), 8),
        ) {
            const NAMES: [&str; 4] = [names::LIMIT, names::REMAINING, names::RESET, names::RETRY_AFTER];
            let window = Duration::from_secs(window_seconds);
            let cap = Duration::from_secs(120);
            let start = Instant::now();
            let mut state = crate::budget::WindowState::new(100, window, start);
            for (index, pairs) in responses.iter().enumerate() {
                let mut map = HeaderMap::new();
                for (name, value) in pairs {
                    if let Ok(value) = HeaderValue::from_str(value) {
                        map.insert(NAMES[*name], value);
                    }
                }
                let parsed = RateLimitHeaders::parse(&map);
                if let (Some(limit), Some(remaining)) = (parsed.limit, parsed.remaining) {
                    prop_assert!(remaining <= limit);
                }
                let now = start + Duration::from_millis(100 * index as u64);
                let mut observation = parsed.observation(now, Some(window), Duration::from_millis(50));
                if let Some(reset_at) = observation.reset_at {
                    prop_assert!(reset_at <= now + window + ROUNDING + Duration::from_millis(50));
                }
                if status_429[index] {
                    let wait = capped_wait(parsed.server_wait(Some(window)).unwrap_or(Duration::from_secs(1)), cap);
                    prop_assert!(wait <= cap);
                    observation.blocked_until = now.checked_add(wait);
                }
                state.observe(observation, now);
                let _ = state.reserve(1, now);
                prop_assert!(state.reset_at <= now + cap + window + ROUNDING + Duration::from_millis(50));
                if let Some(until) = state.blocked_until {
                    prop_assert!(until <= now + cap);
                }
            }
        }
    }
}
