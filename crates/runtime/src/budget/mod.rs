//! The organisation's point budget, spent before sending.
//!
//! Before a request is sent its cost is reserved; when too few points are left the caller
//! waits (on a timer until the window resets, or until a response changes the picture: no
//! polling) or, in fail-fast mode, gets [`BudgetError::Exhausted`] with the wait at once.
//! Waiters are served first come, first served, with an optional priority, so a cost-10
//! request is not starved by a stream of cost-1 requests: nobody overtakes the head of the
//! queue. Every response reconciles the state with the server's headers; a 429 closes the gate
//! for every caller until `Retry-After` or the reset.
//!
//! The state lives in a [`BudgetStore`]: in this process's memory ([`MemoryStore`]), or, with
//! the `redis` feature, in Redis (`RedisStore`), where every process of a fleet spends the
//! organisation's one budget and waiters of all of them keep one order.

mod learn;
mod store;

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use tokio::time::Instant;

#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::{FLEET_SIZE_VARIABLE, REDIS_URL_VARIABLE, RedisSettings, RedisStore};
pub use learn::WindowLearner;
pub use store::{
    BudgetStore, MemoryStore, Observation, Reservation, StoreError, StoreFuture, StoreHealth,
    WindowState,
};

/// How a client keeps under the server's rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Throttling {
    /// A local point budget: every request reserves its points (its `Request::points`) from
    /// the plan's points per window before it is sent, and the server's headers correct the
    /// budget. For APIs whose document declares costs (`x-points`), or when the user sets a
    /// plan.
    Points,
    /// No local budget: requests go out at once, and the client only reacts to what the
    /// server says: a 429 (or `X-RateLimit-Remaining: 0` with a reset) holds every call until
    /// the server's wait is over. The default, for any API.
    #[default]
    Reactive,
}

/// Why a reservation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// Not enough points now, and the caller may not wait that long (fail-fast mode, or a
    /// wait beyond the request's timeout); the points will be there in `wait`.
    #[error(
        "the point budget is spent: {needed} points are needed, {remaining} are left; they will be back in {}",
        crate::error::human(*wait)
    )]
    Exhausted {
        /// Points the request needs.
        needed: u32,
        /// Points left now.
        remaining: u32,
        /// How long until the points are there.
        wait: Duration,
    },
    /// A 429 closed the gate for longer than the caller may wait (fail-fast mode, or a wait
    /// beyond the request's timeout or the retry policy's cap).
    #[error(
        "the server rate-limited this client: no request goes out for another {}",
        crate::error::human(*wait)
    )]
    Paused {
        /// How long until the gate opens.
        wait: Duration,
    },
    /// The budget's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A point-in-time view of a budget, from [`Budget::snapshot`]. Times are wall-clock
/// ([`SystemTime`]: printable, comparable with the server's); the durations from the
/// snapshot's moment are [`BudgetSnapshot::resets_in`] and [`BudgetSnapshot::blocked_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetSnapshot {
    /// Points per window.
    pub limit: u32,
    /// Points left in the window.
    pub remaining: u32,
    /// When the window resets.
    pub reset_at: SystemTime,
    /// Points of requests sent and not answered yet.
    pub in_flight: u32,
    /// Callers waiting for points.
    pub waiting: usize,
    /// When a 429 closed the gate, until when.
    pub blocked_until: Option<SystemTime>,
    /// Where the budget lives and how that store is doing (a shared store that does not
    /// answer, for example).
    pub store: StoreHealth,
    resets_in: Duration,
    blocked_for: Option<Duration>,
}

impl BudgetSnapshot {
    /// How long after the snapshot the window resets.
    pub fn resets_in(&self) -> Duration {
        self.resets_in
    }

    /// How long after the snapshot the gate a 429 closed stays closed, if it is closed.
    pub fn blocked_for(&self) -> Option<Duration> {
        self.blocked_for
    }
}

/// Whether a caller waits for points or fails at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BudgetMode {
    /// Wait until the points are there (the default).
    #[default]
    Wait,
    /// Fail at once with [`BudgetError::Exhausted`], which says how long to wait.
    FailFast,
}

#[derive(Default)]
struct Queue {
    next: u64,
    /// (higher priority first, then arrival order).
    tickets: BTreeSet<(Reverse<i32>, u64)>,
    /// The head of the queue cannot fit in this window and sleeps until it ends: until then,
    /// waiters behind it may use the points it cannot (backfilling), which delays it by nothing.
    head_sleeps_until: Option<Instant>,
}

/// One organisation's budget, shared by every client of that organisation in the process.
pub struct Budget {
    key: String,
    store: Store,
    initial_limit: AtomicU32,
    learner: Mutex<WindowLearner>,
    jitter_millis: AtomicU64,
    queue: Mutex<Queue>,
    notify: Notify,
    in_flight: AtomicU32,
}

enum Store {
    Memory(MemoryStore),
    Shared(Arc<dyn BudgetStore>),
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("key", &self.key)
            .field("window", &self.window())
            .field("in_flight", &self.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Budget {
    /// A budget of `limit` points per `window`, in process memory.
    pub fn in_memory(key: impl Into<String>, limit: u32, window: Duration) -> Arc<Budget> {
        Budget::build(key.into(), limit, window, Store::Memory(MemoryStore::new()))
    }

    /// A budget kept in a shared store.
    pub fn in_store(
        key: impl Into<String>,
        limit: u32,
        window: Duration,
        store: Arc<dyn BudgetStore>,
    ) -> Arc<Budget> {
        Budget::build(key.into(), limit, window, Store::Shared(store))
    }

    /// The budget for `key` in this process: the existing one if a client of the same
    /// organisation made it, else a new in-memory one.
    pub fn shared(key: &str, limit: u32, window: Duration) -> Arc<Budget> {
        static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<Budget>>>> = OnceLock::new();
        let registry = REGISTRY.get_or_init(Default::default);
        let mut budgets = registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(budget) = budgets.get(key).and_then(Weak::upgrade) {
            return budget;
        }
        budgets.retain(|_, budget| budget.strong_count() > 0);
        let budget = Budget::in_memory(key, limit, window);
        budgets.insert(key.to_owned(), Arc::downgrade(&budget));
        budget
    }

    fn build(key: String, limit: u32, window: Duration, store: Store) -> Arc<Budget> {
        Arc::new(Budget {
            key,
            store,
            initial_limit: AtomicU32::new(limit),
            learner: Mutex::new(WindowLearner::new(window, false)),
            jitter_millis: AtomicU64::new(250),
            queue: Mutex::new(Queue::default()),
            notify: Notify::new(),
            in_flight: AtomicU32::new(0),
        })
    }

    /// Sets the most random delay added to the end of a 429 pause, so that clients do not
    /// all come back in the same millisecond (default 250 ms). Returns the budget for chaining.
    pub fn with_jitter(self: Arc<Self>, jitter: Duration) -> Arc<Self> {
        let millis = u64::try_from(jitter.as_millis()).unwrap_or(u64::MAX);
        self.jitter_millis.store(millis, Ordering::Relaxed);
        self
    }

    /// Whether the window length was set by the user (kept) or may be learned from the
    /// server's resets (default). Returns the budget for chaining.
    pub fn with_window_fixed(self: Arc<Self>, fixed: bool) -> Arc<Self> {
        {
            let mut learner = self.lock_learner();
            *learner = WindowLearner::new(learner.window(), fixed);
        }
        self
    }

    /// The window length known now: the one set, or the one learned from the server.
    pub fn window(&self) -> Duration {
        self.lock_learner().window()
    }

    fn lock_learner(&self) -> std::sync::MutexGuard<'_, WindowLearner> {
        self.learner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The key the budget is stored under (the organisation).
    pub fn key(&self) -> &str {
        &self.key
    }

    fn initial(&self, now: Instant) -> WindowState {
        WindowState::new(
            self.initial_limit.load(Ordering::Relaxed),
            self.window(),
            now,
        )
    }

    async fn try_reserve(
        &self,
        points: u32,
        ticket: u64,
        now: Instant,
    ) -> Result<Reservation, StoreError> {
        match &self.store {
            Store::Memory(memory) => {
                Ok(memory.reserve_now(&self.key, points, self.initial(now), now))
            }
            Store::Shared(store) => {
                store
                    .reserve(&self.key, points, ticket, self.initial(now), now)
                    .await
            }
        }
    }

    /// Takes a waiter's ticket out of a shared store's queue (from `Drop` too, so from a
    /// spawned task).
    fn leave_store(&self, ticket: u64) {
        if let Store::Shared(store) = &self.store
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let (store, key) = (Arc::clone(store), self.key.clone());
            runtime.spawn(async move {
                if let Err(error) = store.leave(&key, ticket).await {
                    tracing::debug!(%error, "could not take a ticket out of the budget store");
                }
            });
        }
    }

    async fn state(&self, now: Instant) -> Result<WindowState, StoreError> {
        let state = match &self.store {
            Store::Memory(memory) => memory.state(&self.key, now).await?,
            Store::Shared(store) => store.state(&self.key, now).await?,
        };
        Ok(state.unwrap_or_else(|| self.initial(now)))
    }

    /// Reserves `points`, waiting for them (or failing, in fail-fast mode). Higher `priority`
    /// goes first among waiters; equal priorities go in arrival order. A request dearer than
    /// the whole budget (a limit of 0, or below its cost) waits for the next window and goes
    /// alone as its first request: a probe, whose answer tells the limit now.
    pub async fn acquire(
        self: &Arc<Self>,
        points: u32,
        priority: i32,
        mode: BudgetMode,
    ) -> Result<Permit, BudgetError> {
        self.acquire_within(points, priority, mode, Duration::MAX)
            .await
    }

    /// [`Budget::acquire`], waiting no longer than `max_wait`: when the points (or the end of a
    /// 429 pause) are further away, it fails at once with the wait, and a wait in the queue
    /// that reaches `max_wait` fails with what is left of it.
    pub async fn acquire_within(
        self: &Arc<Self>,
        points: u32,
        priority: i32,
        mode: BudgetMode,
        max_wait: Duration,
    ) -> Result<Permit, BudgetError> {
        let started = Instant::now();
        let max_wait = if mode == BudgetMode::FailFast {
            Duration::ZERO
        } else {
            max_wait
        };
        let deadline = started.checked_add(max_wait);
        // The name of this caller's wait in a shared store's queue.
        let store_ticket = fastrand::u64(..);
        // Fast path: nobody is waiting, so nobody can be overtaken.
        let queue_empty = self.lock_queue().tickets.is_empty();
        let mut queued_in_store = false;
        if queue_empty {
            match self.try_reserve(points, store_ticket, started).await? {
                Reservation::Granted { .. } => return Ok(self.permit(points, started)),
                Reservation::Wait { until } => {
                    if self.hopeless(points, until, deadline, started).await? {
                        self.leave_store(store_ticket);
                        return Err(self.too_long(points, started).await?);
                    }
                    queued_in_store = true;
                }
            }
        } else if mode == BudgetMode::FailFast {
            return Err(self.too_long(points, started).await?);
        }

        let ticket = {
            let mut queue = self.lock_queue();
            let ticket = (Reverse(priority), queue.next);
            queue.next += 1;
            queue.tickets.insert(ticket);
            ticket
        };
        let mut leave = LeaveQueue {
            budget: self,
            ticket,
            store_ticket: queued_in_store.then_some(store_ticket),
        };
        let waited = self.wait_in_queue(
            points,
            (ticket, store_ticket),
            &mut leave,
            started,
            deadline,
        );
        match deadline {
            None => waited.await,
            Some(deadline) => match tokio::time::timeout_at(deadline, waited).await {
                Ok(result) => result,
                Err(_) => Err(self.too_long(points, Instant::now()).await?),
            },
        }
    }

    /// Waits in the queue with `ticket` (and `store_ticket` in a shared store's queue, which
    /// `leave` takes out if the wait ends without points).
    async fn wait_in_queue(
        self: &Arc<Self>,
        points: u32,
        (ticket, store_ticket): ((Reverse<i32>, u64), u64),
        leave: &mut LeaveQueue<'_>,
        started: Instant,
        deadline: Option<Instant>,
    ) -> Result<Permit, BudgetError> {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (at_head, head_sleeps_until) = {
                let queue = self.lock_queue();
                (
                    queue.tickets.first() == Some(&ticket),
                    queue.head_sleeps_until,
                )
            };
            let now = Instant::now();
            if !at_head {
                // Backfill: take points the sleeping head cannot use before the reset.
                if let Some(until) = head_sleeps_until.filter(|until| *until > now) {
                    match self.try_reserve(points, store_ticket, now).await? {
                        Reservation::Granted { .. } => {
                            tracing::trace!(
                                points,
                                ?until,
                                "backfilled behind the head of the queue"
                            );
                            leave.store_ticket = None;
                            return Ok(self.permit(points, started));
                        }
                        Reservation::Wait { .. } => leave.store_ticket = Some(store_ticket),
                    }
                }
                notified.await;
                continue;
            }
            match self.try_reserve(points, store_ticket, now).await? {
                Reservation::Granted { .. } => {
                    self.lock_queue().head_sleeps_until = None;
                    leave.store_ticket = None;
                    return Ok(self.permit(points, started));
                }
                Reservation::Wait { until } => {
                    leave.store_ticket = Some(store_ticket);
                    if self.hopeless(points, until, deadline, now).await? {
                        return Err(self.too_long(points, now).await?);
                    }
                    let blocked = self.state(now).await?.blocked_until.is_some();
                    if !blocked {
                        self.lock_queue().head_sleeps_until = Some(until);
                        // Wake the waiters behind so they can backfill; listen afresh, or
                        // this very notification would wake us at once.
                        self.notify.notify_waiters();
                        notified.set(self.notify.notified());
                        notified.as_mut().enable();
                    }
                    tokio::select! {
                        () = tokio::time::sleep_until(until) => {}
                        () = &mut notified => {}
                    }
                    self.lock_queue().head_sleeps_until = None;
                }
            }
        }
    }

    /// Whether a wait until `until` cannot end by `deadline`. Not when the limit is below the
    /// cost while a request is in flight: that is a probe, whose answer may bring the limit
    /// back well before `until` (the caller's wait then stays bounded by its deadline).
    async fn hopeless(
        &self,
        points: u32,
        until: Instant,
        deadline: Option<Instant>,
        now: Instant,
    ) -> Result<bool, StoreError> {
        if deadline.is_none_or(|deadline| until <= deadline) {
            return Ok(false);
        }
        let state = self.state(now).await?;
        let probing = points > state.limit && self.in_flight.load(Ordering::Acquire) > 0;
        Ok(!probing)
    }

    /// The error of a caller who may not wait: the gate's wait after a 429, else the wait
    /// for the window's end.
    async fn too_long(&self, points: u32, now: Instant) -> Result<BudgetError, StoreError> {
        let state = self.state(now).await?;
        Ok(match state.blocked_until {
            Some(until) => BudgetError::Paused {
                wait: until.saturating_duration_since(now),
            },
            None => BudgetError::Exhausted {
                needed: points,
                remaining: state.remaining(),
                wait: state.reset_at.saturating_duration_since(now),
            },
        })
    }

    fn permit(self: &Arc<Self>, points: u32, started: Instant) -> Permit {
        self.in_flight.fetch_add(points, Ordering::AcqRel);
        Permit {
            budget: Arc::clone(self),
            points,
            waited: started.elapsed(),
            settled: false,
        }
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Applies what a response said (see [`Observation`]).
    pub async fn observe(&self, mut observation: Observation) -> Result<(), StoreError> {
        let now = Instant::now();
        if let Some(until) = observation.blocked_until.as_mut() {
            *until = until.checked_add(self.random_jitter()).unwrap_or(*until);
        }
        if let Some(limit) = observation.limit {
            self.initial_limit.store(limit, Ordering::Relaxed);
        }
        if let Some(reset_at) = observation.reset_at {
            observation.window = self.lock_learner().observe_reset(reset_at, now);
            if let Some(window) = observation.window {
                tracing::info!(
                    window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
                    "learned the server's window length from its resets"
                );
            }
        }
        let result = match &self.store {
            Store::Memory(memory) => {
                memory
                    .observe(&self.key, observation, self.initial(now), now)
                    .await
            }
            Store::Shared(store) => {
                store
                    .observe(&self.key, observation, self.initial(now), now)
                    .await
            }
        };
        // The picture changed (more points, a later gate): let the head of the queue look again.
        self.notify.notify_waiters();
        result
    }

    /// A request of `points` left flight without an answer (a transport error, a cancelled
    /// future): its points stay spent, but the store must stop carrying them into later
    /// windows. Called from `Drop`, so a shared store is told from a spawned task.
    fn landed_unanswered(&self, points: u32) {
        let now = Instant::now();
        let observation = Observation {
            landed: points,
            ..Observation::default()
        };
        match &self.store {
            Store::Memory(memory) => memory.observe_now(&self.key, observation, now),
            Store::Shared(store) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let (store, key, initial) =
                        (Arc::clone(store), self.key.clone(), self.initial(now));
                    runtime.spawn(async move {
                        if let Err(error) = store.observe(&key, observation, initial, now).await {
                            tracing::warn!(%error, "could not update the budget store");
                        }
                    });
                }
            }
        }
        self.notify.notify_waiters();
    }

    fn random_jitter(&self) -> Duration {
        match self.jitter_millis.load(Ordering::Relaxed) {
            0 => Duration::ZERO,
            max => Duration::from_millis(fastrand::u64(0..=max)),
        }
    }

    /// The state now.
    pub async fn snapshot(&self) -> Result<BudgetSnapshot, StoreError> {
        let now = Instant::now();
        let wall_now = SystemTime::now();
        let state = self.state(now).await?;
        let resets_in = state.reset_at.saturating_duration_since(now);
        let blocked_for = state
            .blocked_until
            .map(|until| until.saturating_duration_since(now));
        Ok(BudgetSnapshot {
            limit: state.limit,
            remaining: state.remaining(),
            reset_at: wall_now + resets_in,
            in_flight: self.in_flight.load(Ordering::Acquire),
            waiting: self.lock_queue().tickets.len(),
            blocked_until: blocked_for.map(|wait| wall_now + wait),
            store: match &self.store {
                Store::Memory(_) => StoreHealth::InProcess,
                Store::Shared(store) => store.health(),
            },
            resets_in,
            blocked_for,
        })
    }
}

/// Removes a waiter's ticket however its wait ends (granted, failed or cancelled), and its
/// ticket in a shared store's queue when it holds one there.
struct LeaveQueue<'a> {
    budget: &'a Budget,
    ticket: (Reverse<i32>, u64),
    store_ticket: Option<u64>,
}

impl Drop for LeaveQueue<'_> {
    fn drop(&mut self) {
        self.budget.lock_queue().tickets.remove(&self.ticket);
        if let Some(ticket) = self.store_ticket {
            self.budget.leave_store(ticket);
        }
        self.budget.notify.notify_waiters();
    }
}

/// Points reserved for one request. Settle it with what happened: [`Permit::answered`],
/// [`Permit::rate_limited`] or [`Permit::not_sent`]. Dropped unsettled (a transport error, a
/// cancelled future), the points count as spent: the server may have counted them.
#[derive(Debug)]
pub struct Permit {
    budget: Arc<Budget>,
    points: u32,
    waited: Duration,
    settled: bool,
}

impl Permit {
    /// The points reserved.
    pub fn points(&self) -> u32 {
        self.points
    }

    /// How long the caller waited for the points.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    fn leave_flight(&mut self) {
        if !self.settled {
            self.settled = true;
            self.budget
                .in_flight
                .fetch_sub(self.points, Ordering::AcqRel);
        }
    }

    /// The server answered (anything but a 429): apply its headers.
    pub async fn answered(mut self, mut observation: Observation) -> Result<(), StoreError> {
        self.leave_flight();
        observation.answered = self.points;
        observation.landed = self.points;
        self.budget.observe(observation).await
    }

    /// The server answered 429: it did not count the request, and nobody may send before
    /// `blocked_until`. A retry reserves its points again, in the window where it is sent, so
    /// the request is charged once.
    pub async fn rate_limited(mut self, mut observation: Observation) -> Result<(), StoreError> {
        self.leave_flight();
        let now = Instant::now();
        match &self.budget.store {
            Store::Memory(memory) => memory.refund(&self.budget.key, self.points, now).await?,
            Store::Shared(store) => store.refund(&self.budget.key, self.points, now).await?,
        }
        if observation.blocked_until.is_none() {
            observation.blocked_until = observation.reset_at.or(Some(now + Duration::from_secs(1)));
        }
        self.budget.observe(observation).await
    }

    /// The request was never sent (it could not be built, for example): give the points back.
    pub async fn not_sent(mut self) -> Result<(), StoreError> {
        self.leave_flight();
        let now = Instant::now();
        let result = match &self.budget.store {
            Store::Memory(memory) => memory.refund(&self.budget.key, self.points, now).await,
            Store::Shared(store) => store.refund(&self.budget.key, self.points, now).await,
        };
        self.budget.notify.notify_waiters();
        result
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.settled {
            self.leave_flight();
            self.budget.landed_unanswered(self.points);
        }
    }
}
