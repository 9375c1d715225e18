//! Where an organisation's budget lives: behind [`BudgetStore`], so that processes of a fleet
//! can share one budget through an external store (Redis, for example) while a single process
//! uses the in-memory [`MemoryStore`].
//!
//! The model is the provider's: a fixed window (a minute) with `limit` points; every request
//! takes its cost from the window's `remaining`; at the window's end `remaining` is `limit`
//! again. The server's headers are the truth and are applied with [`BudgetStore::observe`].

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A boxed future, so that stores can be used as trait objects.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A store that failed (a lost connection to a shared store, for example).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("budget store: {0}")]
pub struct StoreError(pub String);

/// The answer to a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// The points were taken; this many are left in the window.
    Granted {
        /// Points left after this reservation.
        remaining: u32,
    },
    /// Not enough points before this instant (the window's end, or the end of a 429 pause).
    Wait {
        /// When to ask again.
        until: Instant,
    },
}

/// What a response said about the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Observation {
    /// `X-RateLimit-Limit`: the organisation's points per window.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`: what the server had left when it answered.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Reset`: when the current window ends.
    pub reset_at: Option<Instant>,
    /// After a 429: nobody sends before this instant.
    pub blocked_until: Option<Instant>,
    /// Points of the request this response answers, which the server counted (0 for an
    /// observation of no request).
    pub answered: u32,
    /// Points of the reservation that left flight with this observation: the request
    /// answered, or one that ended without an answer (a transport error, a cancelled call).
    /// Every reservation lands once, so the points in flight are exact for a whole fleet of
    /// processes sharing the store, whoever observes.
    pub landed: u32,
    /// A window length learned from the server's resets, to use from now on.
    pub window: Option<Duration>,
}

/// The state of one organisation's budget in one window.
///
/// `spent` counts the points this store reserved in the window (requests in flight included);
/// `external` counts what the server's headers show was used beyond anything this store could
/// have caused (other API keys of the organisation, processes that do not share the store). So
/// `remaining = limit - spent - external` is never above what the server last reported, and
/// requests in flight are never counted twice, whichever of them the server had already
/// counted when it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    /// Points per window.
    pub limit: u32,
    /// Points reserved in this window by users of this store.
    pub spent: u32,
    /// Points used in this window by others, as far as the server's headers show.
    pub external: u32,
    /// Points of reservations not landed yet, by every user of the store: each reservation
    /// adds its points and takes them away when it lands (see [`Observation::landed`]). The
    /// server may count them in its next window, so they are carried into it.
    pub in_flight: u32,
    /// The part of `in_flight` carried from the window before. A request is never in flight
    /// for more than a window, so what is still carried when the next window starts belongs to
    /// reservations that will never land (a process that died with requests out): it is
    /// dropped then, and a dead process cannot shrink the budget for more than a window.
    pub carried: u32,
    /// When the current window ends.
    pub reset_at: Instant,
    /// Whether `reset_at` comes from the server's headers; `false` while it is only the local
    /// estimate (the latest the server's window could end), before any response.
    pub synced: bool,
    /// The window's length.
    pub window: Duration,
    /// After a 429: nobody sends before this instant.
    pub blocked_until: Option<Instant>,
}

impl WindowState {
    /// A full window of `limit` points starting at `now`.
    pub fn new(limit: u32, window: Duration, now: Instant) -> Self {
        WindowState {
            limit,
            spent: 0,
            external: 0,
            in_flight: 0,
            carried: 0,
            reset_at: now + window,
            synced: false,
            window,
            blocked_until: None,
        }
    }

    /// How far apart two resets of one server window may be: half a window, at most the
    /// second that an HTTP date can be off by.
    fn reset_tolerance(&self) -> Duration {
        (self.window / 2).min(Duration::from_secs(1))
    }

    /// Points left in the window.
    pub fn remaining(&self) -> u32 {
        self.limit
            .saturating_sub(self.spent)
            .saturating_sub(self.external)
    }

    /// Moves to the window that contains `now`, refilling the points if a window ended.
    pub fn advance(&mut self, now: Instant) {
        if now >= self.reset_at {
            let elapsed = now.duration_since(self.reset_at);
            let window = self.window.max(Duration::from_millis(1));
            let skipped = u32::try_from(elapsed.as_nanos() / window.as_nanos()).unwrap_or(u32::MAX);
            self.reset_at += window.saturating_mul(skipped.saturating_add(1));
            self.start_window();
            if skipped > 0 {
                // Whole windows went by: nothing still in flight is real any more.
                self.start_window();
            }
        }
        if let Some(until) = self.blocked_until.filter(|until| now >= *until) {
            // The server said when points would be back: its window starts there, whatever
            // our own estimate of the reset was.
            self.blocked_until = None;
            if self.reset_at > until {
                self.start_window();
                self.reset_at = until + self.window;
            }
        }
    }

    /// A new window: only the points still in flight can count in it. What was carried into
    /// the window that ends never landed: it is dropped.
    fn start_window(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(self.carried);
        self.carried = self.in_flight;
        self.spent = self.in_flight.min(self.spent);
        self.external = 0;
    }

    /// Points that left flight: the oldest (carried) land first.
    fn land(&mut self, points: u32) {
        self.carried = self.carried.saturating_sub(points);
        self.in_flight = self.in_flight.saturating_sub(points);
    }

    /// Takes `points` if the window has them and no 429 pause is on.
    pub fn reserve(&mut self, points: u32, now: Instant) -> Reservation {
        self.advance(now);
        if let Some(until) = self.blocked_until {
            return Reservation::Wait { until };
        }
        // A limit of 0, or below the request's cost: waiting for points cannot help, but the
        // server's limit may have changed since it said so. The request goes alone, as the
        // window's first, and its answer tells the limit now: one probe per window.
        let probe = points > self.limit && self.spent == 0 && self.external == 0;
        if points <= self.remaining() || probe {
            self.spent = self.spent.saturating_add(points);
            self.in_flight = self.in_flight.saturating_add(points);
            Reservation::Granted {
                remaining: self.remaining(),
            }
        } else {
            Reservation::Wait {
                until: self.reset_at,
            }
        }
    }

    /// Applies what a response said: the server's limit and reset win, and its remaining
    /// points are an upper bound on ours.
    pub fn observe(&mut self, observation: Observation, now: Instant) {
        self.advance(now);
        if let Some(window) = observation.window {
            self.window = window;
        }
        self.land(observation.landed);
        if let Some(limit) = observation.limit {
            // A new budget applies at once: what was spent stays spent.
            self.limit = limit;
        }
        // An answer from a window that has already ended (it was on its way while the window
        // turned): its reset and remaining points say nothing about this window.
        // A reset that taught a shorter window is the current window's, though earlier than
        // the end the old length gave.
        let learned = observation.window.is_some();
        let stale = observation.reset_at.is_some_and(|reset_at| {
            self.synced && !learned && reset_at + self.reset_tolerance() < self.reset_at
        });
        if let Some(reset_at) = observation.reset_at.filter(|_| !stale) {
            // Before the first reset from the server, ours is a guess: the server's window may
            // have begun after some of our points were spent, so its figures replace ours.
            // After it, the server's resets of one window agree to the clock's precision
            // (the header is the same date), and a later window's reset is a window later.
            let later_window = reset_at > self.reset_at + self.reset_tolerance();
            if !self.synced || later_window {
                // The request answered was counted in this window, besides what may be.
                self.start_window();
                self.spent = self.spent.saturating_add(observation.answered);
            }
            self.reset_at = reset_at.max(now);
            self.synced = true;
        }
        if let Some(remaining) = observation.remaining.filter(|_| !stale) {
            let used_by_server = self.limit.saturating_sub(remaining);
            self.external = self.external.max(used_by_server.saturating_sub(self.spent));
        }
        if let Some(until) = observation.blocked_until {
            self.external = self.limit.saturating_sub(self.spent).max(self.external);
            self.blocked_until = Some(
                self.blocked_until
                    .map_or(until, |current| current.max(until)),
            );
        }
    }

    /// Gives back points of a request that never reached the server.
    pub fn refund(&mut self, points: u32, now: Instant) {
        self.advance(now);
        self.spent = self.spent.saturating_sub(points);
        self.land(points);
    }
}

/// How a budget's store is doing, as [`crate::Client::budget`] shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreHealth {
    /// The budget lives in this process's memory.
    InProcess,
    /// The budget lives in a shared store, which answers.
    Shared,
    /// The shared store does not answer: this process spends a conservative local share of
    /// the budget until it does again.
    Degraded {
        /// Points per window this process allows itself meanwhile (0 until it knows the
        /// limit: a store that found Redis away before its first reservation).
        share: u32,
        /// Since when.
        since: Instant,
    },
}

/// Storage of budgets, keyed by organisation. Every method is atomic per key.
///
/// A shared store for a fleet of processes implements the same operations against its server
/// (for Redis: `RedisStore` with the `redis` feature, a Lua script on a hash per key, with
/// instants sent as offsets from the caller's `now`). The state machine is [`WindowState`]'s:
/// points in flight are counted per reservation, so any process may observe the answer to any
/// request.
pub trait BudgetStore: Send + Sync + 'static {
    /// Takes `points` from the key's window, or says until when to wait. `initial` is the
    /// state to start from when the key is new. `ticket` names the caller's wait across its
    /// calls (one per [`crate::budget::Budget::acquire`]): a shared store queues the tickets
    /// of callers that must wait, so that a dear request of one process is not starved by
    /// cheap ones of others. The in-process store ignores it: the budget's own queue orders
    /// the callers of one process.
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        points: u32,
        ticket: u64,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, Reservation>;

    /// The caller with `ticket` stopped waiting without its points (cancelled, failed).
    fn leave<'a>(&'a self, key: &'a str, ticket: u64) -> StoreFuture<'a, ()> {
        let _ = (key, ticket);
        Box::pin(std::future::ready(Ok(())))
    }

    /// How the store is doing.
    fn health(&self) -> StoreHealth {
        StoreHealth::Shared
    }

    /// Applies what a response said.
    fn observe<'a>(
        &'a self,
        key: &'a str,
        observation: Observation,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, ()>;

    /// Gives back points of a request that never reached the server.
    fn refund<'a>(&'a self, key: &'a str, points: u32, now: Instant) -> StoreFuture<'a, ()>;

    /// The key's current state (`None` when the key was never used).
    fn state<'a>(&'a self, key: &'a str, now: Instant) -> StoreFuture<'a, Option<WindowState>>;
}

impl std::fmt::Debug for dyn BudgetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BudgetStore")
    }
}

/// The in-process store: a map behind a mutex. The lock is held for a few arithmetic
/// operations, never across an await.
#[derive(Debug, Default)]
pub struct MemoryStore {
    windows: Mutex<HashMap<String, WindowState>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn with<T>(
        &self,
        key: &str,
        initial: Option<WindowState>,
        f: impl FnOnce(&mut WindowState) -> T,
    ) -> Option<T> {
        // A poisoned lock only means another thread panicked mid-update of plain numbers;
        // the numbers are still usable.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match windows.get_mut(key) {
            Some(window) => Some(f(window)),
            None => {
                let mut window = initial?;
                let result = f(&mut window);
                windows.insert(key.to_owned(), window);
                Some(result)
            }
        }
    }

    /// Forgets every key (a shared store's fallback, when the shared store is back).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn clear(&self) {
        self.windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// Applies an observation to a key already in use, synchronously (from `Drop`).
    pub fn observe_now(&self, key: &str, observation: Observation, now: Instant) {
        self.with(key, None, |window| window.observe(observation, now));
    }

    /// The synchronous core of [`BudgetStore::reserve`], for the fast path.
    pub fn reserve_now(
        &self,
        key: &str,
        points: u32,
        initial: WindowState,
        now: Instant,
    ) -> Reservation {
        self.with(key, Some(initial), |window| window.reserve(points, now))
            .unwrap_or(Reservation::Wait { until: now })
    }
}

impl BudgetStore for MemoryStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        points: u32,
        _ticket: u64,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, Reservation> {
        let reservation = self.reserve_now(key, points, initial, now);
        Box::pin(std::future::ready(Ok(reservation)))
    }

    fn observe<'a>(
        &'a self,
        key: &'a str,
        observation: Observation,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, ()> {
        self.with(key, Some(initial), |window| {
            window.observe(observation, now)
        });
        Box::pin(std::future::ready(Ok(())))
    }

    fn refund<'a>(&'a self, key: &'a str, points: u32, now: Instant) -> StoreFuture<'a, ()> {
        self.with(key, None, |window| window.refund(points, now));
        Box::pin(std::future::ready(Ok(())))
    }

    fn state<'a>(&'a self, key: &'a str, now: Instant) -> StoreFuture<'a, Option<WindowState>> {
        let state = self.with(key, None, |window| {
            window.advance(now);
            *window
        });
        Box::pin(std::future::ready(Ok(state)))
    }

    fn health(&self) -> StoreHealth {
        StoreHealth::InProcess
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// An answer of the server; `landed` points left flight with it.
    fn seen(remaining: u32, reset_at: Instant, landed: u32) -> Observation {
        Observation {
            limit: Some(100),
            remaining: Some(remaining),
            reset_at: Some(reset_at),
            blocked_until: None,
            answered: 0,
            landed,
            window: None,
        }
    }

    #[test]
    fn the_first_reset_from_the_server_replaces_the_local_guess() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        assert!(matches!(
            window.reserve(42, start),
            Reservation::Granted { remaining: 58 }
        ));
        // The server's window began 200 ms later and has counted 10 of our points; 37 landed,
        // 5 are still in flight.
        let now = start + Duration::from_millis(250);
        window.observe(seen(90, start + Duration::from_millis(1200), 37), now);
        assert_eq!((window.in_flight, window.carried), (5, 5));
        assert!(window.synced);
        assert_eq!(window.reset_at, start + Duration::from_millis(1200));
        assert_eq!(window.remaining(), 90);
    }

    #[test]
    fn a_reset_one_short_window_later_is_a_new_window() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        let reset = start + Duration::from_millis(500);
        window.observe(seen(100, reset, 0), start);
        assert!(matches!(
            window.reserve(60, start),
            Reservation::Granted { remaining: 40 }
        ));
        // Same window, same date: what we spent stays spent.
        window.observe(seen(70, reset, 30), start + Duration::from_millis(10));
        assert_eq!(window.remaining(), 40);
        // An answer from the server's next window, before our own reset came.
        let now = reset - Duration::from_millis(5);
        window.observe(seen(95, reset + SECOND, 25), now);
        assert_eq!(window.reset_at, reset + SECOND);
        assert_eq!(window.remaining(), 95);
    }

    #[test]
    fn two_processes_sharing_one_state_keep_each_others_points_in_flight() {
        // Processes A and B of one organisation share one state (one store over it each).
        let start = Instant::now();
        let mut shared = WindowState::new(100, SECOND, start);
        assert!(matches!(
            shared.reserve(50, start),
            Reservation::Granted { remaining: 50 }
        ));
        assert!(matches!(
            shared.reserve(50, start),
            Reservation::Granted { remaining: 0 }
        ));
        // A's answer comes first, from a server window that began after both reservations:
        // the server has counted A's 50 only. B's 50 are still in flight and will be counted
        // in that window too, so nothing is left. (With one process's in-flight figure as the
        // shared one, B's 50 vanished here and 50 points were offered twice.)
        let now = start + Duration::from_millis(20);
        shared.observe(
            Observation {
                answered: 50,
                landed: 50,
                ..seen(50, start + Duration::from_millis(900), 0)
            },
            now,
        );
        assert_eq!((shared.in_flight, shared.remaining()), (50, 0));
        // B's answer: the same window, nothing in flight, still nothing left.
        shared.observe(
            Observation {
                answered: 50,
                landed: 50,
                ..seen(0, start + Duration::from_millis(900), 0)
            },
            now,
        );
        assert_eq!((shared.in_flight, shared.remaining()), (0, 0));
    }

    #[test]
    fn points_of_a_reservation_that_never_lands_are_dropped_after_one_window() {
        // A process reserved 30 points and died before its request landed.
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        assert!(matches!(
            window.reserve(30, start),
            Reservation::Granted { remaining: 70 }
        ));
        // The next window carries them (the server may count them there)...
        window.advance(start + SECOND);
        assert_eq!((window.in_flight, window.carried), (30, 30));
        assert_eq!(window.remaining(), 70);
        // ...the one after knows they never will be.
        window.advance(start + 2 * SECOND);
        assert_eq!((window.in_flight, window.carried), (0, 0));
        assert_eq!(window.remaining(), 100);
        // Several windows at once: the same.
        window.reserve(10, start + 2 * SECOND);
        window.advance(start + 5 * SECOND);
        assert_eq!((window.in_flight, window.remaining()), (0, 100));
    }

    #[test]
    fn landing_takes_the_oldest_points_first() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        window.reserve(20, start);
        window.advance(start + SECOND);
        window.reserve(5, start + SECOND);
        assert_eq!((window.in_flight, window.carried), (25, 20));
        window.refund(5, start + SECOND);
        assert_eq!((window.in_flight, window.carried), (20, 15));
        window.observe(
            Observation {
                landed: 20,
                ..Observation::default()
            },
            start + SECOND,
        );
        assert_eq!((window.in_flight, window.carried), (0, 0));
    }

    #[test]
    fn the_memory_store_keeps_one_state_per_key() {
        let store = MemoryStore::new();
        let start = Instant::now();
        let initial = WindowState::new(10, SECOND, start);
        let granted = store.reserve_now("a", 4, initial, start);
        assert_eq!(granted, Reservation::Granted { remaining: 6 });
        assert_eq!(
            store.reserve_now("a", 7, initial, start),
            Reservation::Wait {
                until: start + SECOND
            }
        );
        assert_eq!(store.health(), StoreHealth::InProcess);
        store.observe_now(
            "a",
            Observation {
                landed: 4,
                ..Observation::default()
            },
            start,
        );
        let state = futures_util::FutureExt::now_or_never(store.state("a", start))
            .and_then(Result::ok)
            .flatten();
        assert_eq!(
            state.map(|state| (state.in_flight, state.remaining())),
            Some((0, 6))
        );
        let missing = futures_util::FutureExt::now_or_never(store.state("b", start));
        assert_eq!(missing, Some(Ok(None)));
        // Its callers are ordered by the budget's own queue: tickets are nothing to it.
        let left = futures_util::FutureExt::now_or_never(store.leave("a", 1));
        assert_eq!(left, Some(Ok(())));
        store.clear();
        let cleared = futures_util::FutureExt::now_or_never(store.state("a", start));
        assert_eq!(cleared, Some(Ok(None)));
    }

    #[test]
    fn points_in_flight_at_the_reset_are_carried_into_the_next_window() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        window.observe(seen(100, start + SECOND, 0), start);
        assert!(matches!(
            window.reserve(100, start),
            Reservation::Granted { remaining: 0 }
        ));
        // 70 of them answered before the reset, 30 are still out when it comes.
        window.observe(
            seen(30, start + SECOND, 70),
            start + Duration::from_millis(900),
        );
        window.advance(start + SECOND);
        assert_eq!(window.remaining(), 70);
        // The server counted them in the old window after all: they stay counted in this
        // one too, the safe side (the loss is bounded by what was in flight at the reset).
        window.observe(
            seen(100, start + 2 * SECOND, 30),
            start + Duration::from_millis(1010),
        );
        assert_eq!(window.in_flight, 0);
        assert_eq!(window.remaining(), 70);
    }

    #[test]
    fn an_answer_from_a_window_that_has_ended_changes_nothing() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        window.observe(seen(100, start + SECOND, 0), start);
        // The next window, as the server's answers show.
        let now = start + Duration::from_millis(1010);
        window.observe(seen(90, start + 2 * SECOND, 0), now);
        assert!(matches!(
            window.reserve(20, now),
            Reservation::Granted { remaining: 70 }
        ));
        // A late answer from the window before: its reset and remaining are ignored.
        window.observe(seen(100, start + SECOND, 0), now + Duration::from_millis(5));
        assert_eq!(window.reset_at, start + 2 * SECOND);
        assert_eq!(window.remaining(), 70);
    }

    #[test]
    fn a_limit_below_the_cost_waits_for_the_next_window_then_probes_once() {
        let start = Instant::now();
        let mut window = WindowState::new(100, SECOND, start);
        assert!(matches!(
            window.reserve(3, start),
            Reservation::Granted { .. }
        ));
        let mut zero = seen(0, start + SECOND, 0);
        zero.limit = Some(0);
        zero.answered = 3;
        zero.landed = 3;
        window.observe(zero, start + Duration::from_millis(10));
        let later = start + Duration::from_millis(20);
        assert_eq!(
            window.reserve(1, later),
            Reservation::Wait {
                until: start + SECOND
            }
        );
        // The next window: one request goes, the others wait for its answer's window.
        let next = start + SECOND;
        assert_eq!(
            window.reserve(5, next),
            Reservation::Granted { remaining: 0 }
        );
        assert_eq!(
            window.reserve(1, next),
            Reservation::Wait {
                until: start + 2 * SECOND
            }
        );
        // The probe's answer restores the limit.
        let mut restored = seen(95, start + 2 * SECOND, 0);
        restored.answered = 5;
        restored.landed = 5;
        window.observe(restored, next + Duration::from_millis(5));
        assert!(matches!(
            window.reserve(1, next + Duration::from_millis(6)),
            Reservation::Granted { remaining: 94 }
        ));
    }

    #[test]
    fn a_learned_window_applies_from_the_observation_on() {
        let start = Instant::now();
        let mut window = WindowState::new(100, 60 * SECOND, start);
        let mut observation = seen(100, start + SECOND, 0);
        observation.window = Some(10 * SECOND);
        window.observe(observation, start);
        window.advance(start + SECOND);
        assert_eq!(window.window, 10 * SECOND);
        assert_eq!(window.reset_at, start + 11 * SECOND);
    }

    #[test]
    fn a_server_reset_earlier_than_ours_keeps_what_was_spent() {
        let start = Instant::now();
        let mut window = WindowState::new(100, Duration::from_secs(60), start);
        window.observe(seen(100, start + Duration::from_secs(30), 0), start);
        assert!(matches!(
            window.reserve(10, start),
            Reservation::Granted { remaining: 90 }
        ));
        // A second response of the same window whose date reads half a second earlier.
        let earlier = start + Duration::from_millis(29_500);
        window.observe(seen(90, earlier, 10), start + Duration::from_millis(1));
        assert_eq!(window.remaining(), 90);
        assert_eq!(window.reset_at, earlier);
    }
}
