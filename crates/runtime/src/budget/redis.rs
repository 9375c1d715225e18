//! One organisation budget for a fleet of processes on several machines, in Redis (the
//! runtime's `redis` feature).
//!
//! [`RedisStore`] is a [`BudgetStore`]: every operation is one atomic Lua script (`budget.lua`,
//! sent with EVALSHA, and with EVAL when Redis does not know it yet) that runs the state
//! machine of [`WindowState`] on Redis's own clock, so the clocks of the processes do not
//! matter. Keys are `PREFIX:{BUDGET KEY}`, `..:queue` and `..:tickets`: the braces are a hash
//! tag, so the three keys of an organisation live on one node of a Redis Cluster (or Valkey),
//! and every key expires two windows after it last mattered (PEXPIRE).
//!
//! Callers that must wait hold a ticket in the organisation's queue; points go to the waiters
//! in the order they first waited, so a cost-10 request of one process is not starved by a
//! stream of cost-1 requests of the others.
//!
//! When Redis does not answer (at start or mid-run) within [`RedisSettings::timeout`], the
//! process falls back to a conservative local share of the budget (the limit divided by
//! [`RedisSettings::fleet_size`]), says so once in the log, tries Redis again every
//! [`RedisSettings::retry_every`] and goes back to it when it answers. It never panics and
//! never waits for Redis longer than the timeout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::store::{
    BudgetStore, MemoryStore, Observation, Reservation, StoreError, StoreFuture, StoreHealth,
    WindowState,
};

/// The longest any stored time may reach ahead.
const ONE_YEAR: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The environment variable that names the Redis of a fleet's shared budget, read by
/// [`RedisStore::from_env`] and by the client builder.
pub const REDIS_URL_VARIABLE: &str = "SDKGEN_BUDGET_REDIS_URL";

/// The environment variable with the expected number of processes in the fleet.
pub const FLEET_SIZE_VARIABLE: &str = "SDKGEN_BUDGET_FLEET_SIZE";

/// Settings of a [`RedisStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// The start of every key (default `sdkgen:budget`). It must not contain braces.
    pub prefix: String,
    /// How many processes are expected to share the budget (default 4). A process that
    /// cannot reach Redis spends `limit / fleet_size` points per window (at least the dearest
    /// request's points, so nothing waits forever).
    pub fleet_size: u32,
    /// The longest a call to Redis may take, connecting included, before the process falls
    /// back to its local share (default 250 ms).
    pub timeout: Duration,
    /// While Redis does not answer, how often one caller tries it again (default 1 s).
    pub retry_every: Duration,
    /// How long a waiter's ticket outlives the instant it said it would ask again, before
    /// the queue drops it as gone (default 1 s).
    pub ticket_grace: Duration,
}

impl Default for RedisSettings {
    fn default() -> Self {
        RedisSettings {
            prefix: "sdkgen:budget".to_owned(),
            fleet_size: 4,
            timeout: Duration::from_millis(250),
            retry_every: Duration::from_secs(1),
            ticket_grace: Duration::from_secs(1),
        }
    }
}

/// What this process last learnt from Redis about a key: enough to be careful when Redis is
/// gone, or comes back without its data.
#[derive(Debug, Clone, Copy)]
struct Known {
    limit: u32,
    reset_at: Instant,
    window: Duration,
    synced: bool,
}

#[derive(Debug, Default)]
struct Status {
    /// Since when Redis has not answered.
    degraded_since: Option<Instant>,
    /// When a caller may try Redis again.
    next_try: Option<Instant>,
    /// The last local share (for [`BudgetStore::health`]).
    share: u32,
    known: HashMap<String, Known>,
}

/// A budget shared through Redis by every process of a fleet. See the module docs.
pub struct RedisStore {
    client: Client,
    connection: OnceCell<ConnectionManager>,
    script: Script,
    settings: RedisSettings,
    fallback: MemoryStore,
    status: Mutex<Status>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("settings", &self.settings)
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

/// One call of the script.
struct Call<'a> {
    op: &'static str,
    ticket: u64,
    points: u32,
    initial: Option<WindowState>,
    observation: Observation,
    now: Instant,
    key: &'a str,
}

impl<'a> Call<'a> {
    fn new(op: &'static str, key: &'a str, now: Instant) -> Self {
        Call {
            op,
            ticket: 0,
            points: 0,
            initial: None,
            observation: Observation::default(),
            now,
            key,
        }
    }
}

/// The script's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Answer {
    granted: bool,
    wait: Duration,
    state: Option<WindowState>,
}

impl Answer {
    /// Reads the script's twelve numbers; `now` is the caller's instant the offsets are from.
    fn parse(values: &[i64], now: Instant) -> Result<Answer, StoreError> {
        let [
            granted,
            wait,
            exists,
            limit,
            spent,
            external,
            in_flight,
            carried,
            reset,
            synced,
            window,
            blocked,
        ] = values
        else {
            return Err(StoreError(format!(
                "the budget script answered {} numbers, not 12",
                values.len()
            )));
        };
        let count = |value: &i64| u32::try_from(*value).unwrap_or(0);
        // Stored values are clamped to a year, so a corrupt or hostile key cannot overflow the
        // clock (as headers are, in `headers.rs`).
        let millis =
            |value: &i64| Duration::from_millis(u64::try_from(*value).unwrap_or(0)).min(ONE_YEAR);
        let state = (*exists == 1).then(|| WindowState {
            limit: count(limit),
            spent: count(spent),
            external: count(external),
            in_flight: count(in_flight),
            carried: count(carried),
            reset_at: now.checked_add(millis(reset)).unwrap_or(now),
            synced: *synced == 1,
            window: millis(window).max(Duration::from_millis(1)),
            blocked_until: (*blocked >= 0).then(|| now.checked_add(millis(blocked)).unwrap_or(now)),
        });
        Ok(Answer {
            granted: *granted == 1,
            wait: millis(wait),
            state,
        })
    }
}

/// Milliseconds, rounded up (a reset a little late is safe, a little early is not).
fn millis_up(duration: Duration) -> i64 {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// An instant as an offset from `now`, or -1 for none.
fn offset(instant: Option<Instant>, now: Instant) -> i64 {
    instant.map_or(-1, |instant| {
        millis_up(instant.saturating_duration_since(now))
    })
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://host:port/db`), with default settings. Nothing
    /// is connected yet: the first call connects.
    pub fn open(url: &str) -> Result<Arc<RedisStore>, StoreError> {
        RedisStore::open_with(url, RedisSettings::default())
    }

    /// A store on the Redis at `url` with `settings`. Fails only on a URL that is not one.
    pub fn open_with(url: &str, settings: RedisSettings) -> Result<Arc<RedisStore>, StoreError> {
        let client =
            Client::open(url).map_err(|error| StoreError(format!("invalid Redis URL: {error}")))?;
        if settings.prefix.contains(['{', '}']) {
            return Err(StoreError(format!(
                "the key prefix {:?} must not contain braces: they make the hash tag",
                settings.prefix
            )));
        }
        Ok(Arc::new(RedisStore {
            client,
            connection: OnceCell::new(),
            script: Script::new(include_str!("budget.lua")),
            settings: RedisSettings {
                fleet_size: settings.fleet_size.max(1),
                ..settings
            },
            fallback: MemoryStore::new(),
            status: Mutex::new(Status::default()),
        }))
    }

    /// [`RedisStore::open`], then a first call to Redis, so that a Redis that is not there
    /// is known (and logged) at once. An unreachable Redis is not an error: the store starts
    /// on its local share and goes to Redis when it answers; see [`RedisStore::health`].
    pub async fn connect(url: &str) -> Result<Arc<RedisStore>, StoreError> {
        RedisStore::connect_with(url, RedisSettings::default()).await
    }

    /// [`RedisStore::connect`] with `settings`.
    pub async fn connect_with(
        url: &str,
        settings: RedisSettings,
    ) -> Result<Arc<RedisStore>, StoreError> {
        let store = RedisStore::open_with(url, settings)?;
        store.ping().await;
        Ok(store)
    }

    /// The store named by the environment: `SDKGEN_BUDGET_REDIS_URL` (none when unset or
    /// empty), with the fleet size from `SDKGEN_BUDGET_FLEET_SIZE` when set.
    pub fn from_env() -> Result<Option<Arc<RedisStore>>, StoreError> {
        let url = std::env::var(REDIS_URL_VARIABLE).unwrap_or_default();
        let fleet_size = std::env::var(FLEET_SIZE_VARIABLE).ok();
        RedisStore::from_values(&url, fleet_size.as_deref())
    }

    fn from_values(
        url: &str,
        fleet_size: Option<&str>,
    ) -> Result<Option<Arc<RedisStore>>, StoreError> {
        if url.trim().is_empty() {
            return Ok(None);
        }
        let mut settings = RedisSettings::default();
        if let Some(text) = fleet_size.filter(|text| !text.trim().is_empty()) {
            settings.fleet_size = text
                .trim()
                .parse()
                .ok()
                .filter(|size| *size > 0)
                .ok_or_else(|| {
                    StoreError(format!(
                        "{FLEET_SIZE_VARIABLE} must be a whole number above 0, not {text:?}"
                    ))
                })?;
        }
        RedisStore::open_with(url.trim(), settings).map(Some)
    }

    /// The settings.
    pub fn settings(&self) -> &RedisSettings {
        &self.settings
    }

    /// Whether Redis answers, or since when this process spends its local share.
    pub fn health(&self) -> StoreHealth {
        let status = self.lock();
        match status.degraded_since {
            Some(since) => StoreHealth::Degraded {
                share: status.share,
                since,
            },
            None => StoreHealth::Shared,
        }
    }

    /// Sends one PING (bounded by the timeout) and records whether Redis answered.
    pub async fn ping(&self) -> bool {
        let result = tokio::time::timeout(self.settings.timeout, async {
            let mut connection = self.connection().await?;
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
        })
        .await;
        match result {
            Ok(Ok(_)) => {
                self.answered();
                true
            }
            Ok(Err(error)) => {
                self.unanswered(&error.to_string(), None);
                false
            }
            Err(_) => {
                self.unanswered("no answer within the timeout", None);
                false
            }
        }
    }

    async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        let timeout = Some(self.settings.timeout);
        self.connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(timeout)
                    .set_response_timeout(timeout)
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(100));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether this caller should ask Redis: always while it answers; else one caller per
    /// `retry_every`.
    fn should_try(&self, now: Instant) -> bool {
        let mut status = self.lock();
        if status.degraded_since.is_none() {
            return true;
        }
        match status.next_try {
            Some(next) if now < next => false,
            _ => {
                status.next_try = Some(now + self.settings.retry_every);
                true
            }
        }
    }

    fn answered(&self) {
        let mut status = self.lock();
        if let Some(since) = status.degraded_since.take() {
            tracing::info!(
                down_for_ms = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
                "Redis answers again: back to the fleet's shared budget"
            );
            status.next_try = None;
            self.fallback.clear();
        }
    }

    fn unanswered(&self, error: &str, limit: Option<u32>) {
        let mut status = self.lock();
        if let Some(limit) = limit {
            status.share = self.share(limit);
        }
        if status.degraded_since.is_none() {
            tracing::warn!(
                error,
                share = status.share,
                fleet_size = self.settings.fleet_size,
                "Redis does not answer: spending a local share of the budget until it does"
            );
            status.degraded_since = Some(Instant::now());
            status.next_try = Some(Instant::now() + self.settings.retry_every);
        }
    }

    /// The local share of `limit` points: `limit / fleet_size`, at least the dearest request.
    fn share(&self, limit: u32) -> u32 {
        (limit / self.settings.fleet_size)
            .max(u32::from(sdkgen_policy::MAX_POINTS))
            .min(limit)
            .max(1)
    }

    fn redis_key(&self, key: &str) -> [String; 3] {
        let base = format!("{}:{{{key}}}", self.settings.prefix);
        [
            base.clone(),
            format!("{base}:queue"),
            format!("{base}:tickets"),
        ]
    }

    /// The initial state to send for a key: the caller's, unless this process has seen the
    /// key in Redis before. Then Redis lost it (a restart without persistence) and the fleet
    /// is coming back from its local shares: processes still on theirs may spend up to a
    /// share each in the current window, so the key starts with one share left in it (the
    /// fleet stays within the window's budget) and the whole budget from the next reset on.
    fn initial_for(&self, key: &str, initial: WindowState, now: Instant) -> WindowState {
        let Some(known) = self.lock().known.get(key).copied() else {
            return initial;
        };
        let mut state = WindowState {
            limit: known.limit,
            reset_at: known.reset_at,
            synced: known.synced,
            window: known.window,
            ..initial
        };
        state.advance(now);
        state.spent = state.limit - self.share(state.limit);
        state
    }

    /// Runs the script; `None` when Redis did not answer (the caller falls back).
    async fn call(&self, call: Call<'_>) -> Option<Answer> {
        if !self.should_try(call.now) {
            return None;
        }
        let [state_key, queue_key, tickets_key] = self.redis_key(call.key);
        let initial = call
            .initial
            .map(|initial| self.initial_for(call.key, initial, call.now));
        let window = initial.map_or(Duration::ZERO, |initial| initial.window);
        let observation = call.observation;
        let mut invocation = self.script.prepare_invoke();
        invocation
            .key(&state_key)
            .key(&queue_key)
            .key(&tickets_key)
            .arg(call.op)
            .arg(call.ticket.to_string())
            .arg(call.points)
            .arg(initial.map_or(0, |initial| initial.limit))
            .arg(millis_up(window).max(1))
            .arg(offset(initial.map(|initial| initial.reset_at), call.now).max(0))
            .arg(initial.map_or(0, |initial| initial.spent))
            .arg(u8::from(initial.is_some_and(|initial| initial.synced)))
            .arg(observation.limit.map_or(-1, i64::from))
            .arg(observation.remaining.map_or(-1, i64::from))
            .arg(offset(observation.reset_at, call.now))
            .arg(offset(observation.blocked_until, call.now))
            .arg(observation.answered)
            .arg(observation.landed)
            .arg(millis_up(self.settings.ticket_grace))
            .arg(
                observation
                    .window
                    .map_or(-1, |window| millis_up(window).max(1)),
            );
        let result = tokio::time::timeout(self.settings.timeout, async {
            let mut connection = self.connection().await?;
            match invocation.invoke_async::<Vec<i64>>(&mut connection).await {
                // The connection had failed before (Redis was away): the script was not sent,
                // and the manager is reconnecting now, so it is sent once more. Without this a
                // Redis that is back is found a whole retry interval later.
                Err(error) if error.is_connection_refusal() => {
                    invocation.invoke_async(&mut connection).await
                }
                result => result,
            }
        })
        .await;
        let limit = initial.map(|initial| initial.limit);
        let values = match result {
            Ok(Ok(values)) => values,
            Ok(Err(error)) => {
                self.unanswered(&error.to_string(), limit);
                return None;
            }
            Err(_) => {
                self.unanswered(
                    &format!("no answer within {:?}", self.settings.timeout),
                    limit,
                );
                return None;
            }
        };
        let answer = match Answer::parse(&values, call.now) {
            Ok(answer) => answer,
            Err(error) => {
                self.unanswered(&error.0, limit);
                return None;
            }
        };
        self.answered();
        if let Some(state) = answer.state {
            let mut status = self.lock();
            status.share = self.share(state.limit);
            status.known.insert(
                call.key.to_owned(),
                Known {
                    limit: state.limit,
                    reset_at: state.reset_at,
                    window: state.window,
                    synced: state.synced,
                },
            );
        }
        Some(answer)
    }

    /// The local share's state to start from when Redis is gone. If this process knew the
    /// key in Redis, the window it last saw there may be spent already: nothing is left in
    /// it (and the share is whole from the next one on). A process that never reached Redis
    /// starts with its share.
    fn fallback_initial(&self, key: &str, initial: WindowState, now: Instant) -> WindowState {
        let known = self.lock().known.get(key).copied();
        let limit = known.map_or(initial.limit, |known| known.limit);
        let share = self.share(limit);
        self.lock().share = share;
        match known {
            Some(known) => {
                let mut state = WindowState {
                    limit: share,
                    reset_at: known.reset_at,
                    synced: known.synced,
                    window: known.window,
                    spent: share,
                    ..initial
                };
                state.advance(now);
                state
            }
            None => WindowState {
                limit: share,
                ..initial
            },
        }
    }

    /// An observation for the local share: the server's limit becomes the share, and what it
    /// has left stays an upper bound.
    fn fallback_observation(&self, key: &str, mut observation: Observation) -> Observation {
        if let Some(limit) = observation.limit {
            let share = self.share(limit);
            let mut status = self.lock();
            status.share = share;
            if let Some(known) = status.known.get_mut(key) {
                known.limit = limit;
            }
            observation.limit = Some(share);
        }
        observation
    }
}

impl BudgetStore for RedisStore {
    fn reserve<'a>(
        &'a self,
        key: &'a str,
        points: u32,
        ticket: u64,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, Reservation> {
        Box::pin(async move {
            let call = Call {
                ticket,
                points,
                initial: Some(initial),
                ..Call::new("reserve", key, now)
            };
            if let Some(answer) = self.call(call).await {
                let remaining = answer.state.map_or(0, |state| state.remaining());
                return Ok(if answer.granted {
                    Reservation::Granted { remaining }
                } else {
                    Reservation::Wait {
                        until: now + answer.wait,
                    }
                });
            }
            let initial = self.fallback_initial(key, initial, now);
            Ok(self.fallback.reserve_now(key, points, initial, now))
        })
    }

    fn observe<'a>(
        &'a self,
        key: &'a str,
        observation: Observation,
        initial: WindowState,
        now: Instant,
    ) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let call = Call {
                initial: Some(initial),
                observation,
                ..Call::new("observe", key, now)
            };
            if self.call(call).await.is_none() {
                let initial = self.fallback_initial(key, initial, now);
                let observation = self.fallback_observation(key, observation);
                self.fallback
                    .observe(key, observation, initial, now)
                    .await?;
            }
            Ok(())
        })
    }

    fn refund<'a>(&'a self, key: &'a str, points: u32, now: Instant) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let call = Call {
                points,
                ..Call::new("refund", key, now)
            };
            if self.call(call).await.is_none() {
                self.fallback.refund(key, points, now).await?;
            }
            Ok(())
        })
    }

    fn state<'a>(&'a self, key: &'a str, now: Instant) -> StoreFuture<'a, Option<WindowState>> {
        Box::pin(async move {
            match self.call(Call::new("state", key, now)).await {
                Some(answer) => Ok(answer.state),
                None => self.fallback.state(key, now).await,
            }
        })
    }

    fn leave<'a>(&'a self, key: &'a str, ticket: u64) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let call = Call {
                ticket,
                ..Call::new("leave", key, Instant::now())
            };
            // Nothing to do without Redis: its queue expires the ticket by itself.
            let _ = self.call(call).await;
            Ok(())
        })
    }

    fn health(&self) -> StoreHealth {
        RedisStore::health(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_answer_becomes_a_state_with_instants_from_now() {
        let now = Instant::now();
        let answer = Answer::parse(&[1, 0, 1, 100, 30, 5, 10, 2, 400, 1, 1000, -1], now).unwrap();
        assert!(answer.granted);
        let state = answer.state.unwrap();
        assert_eq!(
            (
                state.limit,
                state.remaining(),
                state.in_flight,
                state.carried
            ),
            (100, 65, 10, 2)
        );
        assert_eq!(state.reset_at, now + Duration::from_millis(400));
        assert_eq!(state.blocked_until, None);
        let waiting = Answer::parse(&[0, 250, 1, 100, 0, 0, 0, 0, 9, 0, 60_000, 250], now).unwrap();
        assert_eq!(waiting.wait, Duration::from_millis(250));
        assert_eq!(
            waiting.state.unwrap().blocked_until,
            Some(now + Duration::from_millis(250))
        );
        assert_eq!(
            Answer::parse(&[0; 12], now).unwrap().state,
            None,
            "a key that does not exist"
        );
        assert_eq!(
            Answer::parse(&[1, 2], now).unwrap_err().to_string(),
            "budget store: the budget script answered 2 numbers, not 12"
        );
    }

    #[test]
    fn offsets_round_up_to_the_millisecond() {
        let now = Instant::now();
        assert_eq!(offset(None, now), -1);
        assert_eq!(offset(Some(now + Duration::from_micros(1500)), now), 2);
        assert_eq!(offset(Some(now), now), 0);
    }

    #[tokio::test]
    async fn urls_prefixes_and_the_environment_are_checked() {
        let error = RedisStore::open("http://nowhere").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("budget store: invalid Redis URL")
        );
        let error = RedisStore::open_with(
            "redis://127.0.0.1:1",
            RedisSettings {
                prefix: "a{b}".to_owned(),
                ..RedisSettings::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "budget store: the key prefix \"a{b}\" must not contain braces: they make the hash tag"
        );
        assert!(RedisStore::from_values("  ", Some("3")).unwrap().is_none());
        let store = RedisStore::from_values("redis://127.0.0.1:1", Some("8"))
            .unwrap()
            .unwrap();
        assert_eq!(store.settings().fleet_size, 8);
        let error = RedisStore::from_values("redis://127.0.0.1:1", Some("none")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "budget store: SDKGEN_BUDGET_FLEET_SIZE must be a whole number above 0, not \"none\""
        );
        assert_eq!(
            store.redis_key("org:acme@api.example.com")[2],
            "sdkgen:budget:{org:acme@api.example.com}:tickets"
        );
    }

    #[test]
    fn the_local_share_is_the_limit_over_the_fleet_but_never_below_one_request() {
        let store = RedisStore::open_with(
            "redis://127.0.0.1:1",
            RedisSettings {
                fleet_size: 4,
                ..RedisSettings::default()
            },
        )
        .unwrap();
        assert_eq!(store.share(100), 25);
        assert_eq!(store.share(20), 10, "the dearest request still fits");
        assert_eq!(store.share(6), 6, "but never more than the whole budget");
        assert_eq!(store.share(1000), 250);
    }

    /// Redis is not there: the store answers from its local share at once, says so in its
    /// health, and never waits longer than its timeout.
    #[tokio::test]
    async fn without_redis_the_local_share_is_spent() {
        let store = RedisStore::connect_with(
            "redis://127.0.0.1:1",
            RedisSettings {
                fleet_size: 4,
                timeout: Duration::from_millis(200),
                ..RedisSettings::default()
            },
        )
        .await
        .unwrap();
        let now = Instant::now();
        assert!(matches!(store.health(), StoreHealth::Degraded { .. }));
        let initial = WindowState::new(100, Duration::from_secs(60), now);
        let started = std::time::Instant::now();
        let granted = store.reserve("org", 20, 1, initial, now).await.unwrap();
        assert_eq!(granted, Reservation::Granted { remaining: 5 });
        let waiting = store.reserve("org", 10, 2, initial, now).await.unwrap();
        assert_eq!(
            waiting,
            Reservation::Wait {
                until: now + Duration::from_secs(60)
            }
        );
        store
            .observe(
                "org",
                Observation {
                    limit: Some(100),
                    remaining: Some(2),
                    answered: 20,
                    landed: 20,
                    ..Observation::default()
                },
                initial,
                now,
            )
            .await
            .unwrap();
        let state = store.state("org", now).await.unwrap().unwrap();
        assert_eq!((state.limit, state.remaining()), (25, 2));
        store.refund("org", 3, now).await.unwrap();
        store.leave("org", 2).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1), "never hangs");
        assert!(
            matches!(
                BudgetStore::health(&*store),
                StoreHealth::Degraded { share: 25, .. }
            ),
            "{:?}",
            store.health()
        );
    }
}
