//! Client configuration: [`ClientBuilder`], [`Plan`], [`RetryPolicy`].

use std::sync::Arc;
use std::time::Duration;

use crate::budget::{Budget, BudgetMode, BudgetStore};
use crate::client::{Client, Inner};
use crate::error::BuildError;
use crate::token::BearerToken;

pub use sdkgen_policy::Plan;

/// When and how requests are retried.
///
/// Retried: connection errors and timeouts, 429, 502, 503 and 504, with exponential backoff
/// and full jitter, honouring `Retry-After` up to [`RetryPolicy::max_retry_after`]. A request
/// is retried only when that is safe: its method is idempotent, or it carries an
/// `Idempotency-Key` (generated once per call and kept across its retries) -- except after a
/// 429 or a connection refused, when the server certainly did not act on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// The first backoff (default 200 ms); doubled at each retry.
    pub initial_backoff: Duration,
    /// The longest backoff (default 10 s).
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the error is returned (default 120 s).
    pub max_retry_after: Duration,
    /// Send an `Idempotency-Key` with POST and PATCH so they can be retried (default true).
    pub idempotency_keys: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            idempotency_keys: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The backoff before retry number `retry` (1-based): exponential with full jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(millis / 2..=millis.max(1)))
    }
}

/// Builds a [`Client`], or a generated SDK's client (`C`), which wraps one.
#[derive(Debug, Clone)]
pub struct ClientBuilder<C = Client> {
    base_url: Option<String>,
    token: Option<BearerToken>,
    plan: Plan,
    window: Duration,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    organization: Option<String>,
    budget_mode: BudgetMode,
    store: Option<Arc<dyn BudgetStore>>,
    max_response_bytes: usize,
    gate_jitter: Duration,
    reset_margin: Duration,
    output: std::marker::PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            token: None,
            plan: Plan::default(),
            window: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!("sdkgen-runtime/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            organization: None,
            budget_mode: BudgetMode::Wait,
            store: None,
            max_response_bytes: 64 * 1024 * 1024,
            gate_jitter: Duration::from_millis(250),
            reset_margin: Duration::from_millis(50),
            output: std::marker::PhantomData,
        }
    }
}

impl ClientBuilder<Client> {
    /// A builder with the defaults: Build plan, one-minute windows, 30 s timeout, 3 retries.
    pub fn new() -> Self {
        ClientBuilder::default()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// The API's base URL, e.g. `https://api.example.com/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The bearer token sent with every call.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(BearerToken::new(token));
        self
    }

    /// Reads the bearer token from an environment variable.
    pub fn bearer_token_from_env(mut self, variable: &str) -> Result<Self, BuildError> {
        self.token = Some(BearerToken::from_env(variable)?);
        Ok(self)
    }

    /// The organisation's plan (default: Build, 100 points per minute). The server's
    /// `X-RateLimit-Limit` overrides it as soon as a response arrives.
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// The budget window (default: one minute).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The organisation's id: clients of one organisation in this process share one budget.
    /// Without it, clients share a budget when they share a base URL and a token.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Whether calls wait for points (default) or fail at once with the wait.
    pub fn budget_mode(mut self, mode: BudgetMode) -> Self {
        self.budget_mode = mode;
        self
    }

    /// Keep the budget in a shared store (processes of a fleet sharing one organisation),
    /// e.g. `.budget_store(RedisStore::connect(url).await?)` with the `redis` feature. The
    /// organisation's id (see [`ClientBuilder::organization`]) names the shared budget.
    /// Without it, with the `redis` feature, `SDKGEN_BUDGET_REDIS_URL` names a Redis to use.
    pub fn budget_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest response body accepted (default 64 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The most random delay added after a 429 pause (default 250 ms).
    pub fn gate_jitter(mut self, jitter: Duration) -> Self {
        self.gate_jitter = jitter;
        self
    }

    /// How long after the server's `X-RateLimit-Reset` the client starts spending the new
    /// window (default 50 ms). The header has a one-second resolution and clocks differ a
    /// little: without a margin the first request of a window can arrive just before the
    /// server's window turns, and be refused.
    pub fn reset_margin(mut self, margin: Duration) -> Self {
        self.reset_margin = margin;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        let base_url = self
            .base_url
            .ok_or_else(|| BuildError::new("no base URL: call .base_url(..)"))?;
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|error| BuildError::new(format!("invalid base URL {base_url:?}: {error}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(BuildError::new(format!(
                "the base URL must be http or https, not {:?}",
                parsed.scheme()
            )));
        }
        if self.window.is_zero() {
            return Err(BuildError::new(
                "the budget window must be longer than zero",
            ));
        }
        if self.plan.points() == 0 {
            return Err(BuildError::new(
                "the plan must allow at least one point per window",
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.clone())
            .build()
            .map_err(|error| BuildError::new(format!("HTTP client: {error}")))?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let key = match (&self.organization, &self.token) {
            (Some(organization), _) => format!("org:{organization}@{host}"),
            (None, Some(token)) => format!("token:{:016x}@{host}", token.fingerprint()),
            (None, None) => format!("anonymous@{host}"),
        };
        let store = match self.store {
            Some(store) => Some(store),
            None => store_from_env()?,
        };
        if store.is_some() && self.organization.is_none() {
            tracing::warn!(
                "a shared budget store without .organization(..): the budget is named after the token, so only processes with the same token share it"
            );
        }
        let budget = match store {
            Some(store) => Budget::in_store(key, self.plan.points(), self.window, store),
            None => Budget::shared(&key, self.plan.points(), self.window),
        };
        let budget = budget.with_jitter(self.gate_jitter);
        Ok(C::from(Client::from_inner(Inner {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: self.token,
            budget,
            retry: self.retry,
            budget_mode: self.budget_mode,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            reset_margin: self.reset_margin,
        })))
    }
}

/// The shared budget store the environment names (`SDKGEN_BUDGET_REDIS_URL`).
#[cfg(feature = "redis")]
fn store_from_env() -> Result<Option<Arc<dyn BudgetStore>>, BuildError> {
    match crate::budget::RedisStore::from_env() {
        Ok(store) => Ok(store.map(|store| store as Arc<dyn BudgetStore>)),
        Err(error) => Err(BuildError::new(format!(
            "{error} (from {})",
            crate::budget::REDIS_URL_VARIABLE
        ))),
    }
}

/// Without the `redis` feature there is no shared store to name: say so if one is named.
#[cfg(not(feature = "redis"))]
fn store_from_env() -> Result<Option<Arc<dyn BudgetStore>>, BuildError> {
    if std::env::var_os("SDKGEN_BUDGET_REDIS_URL").is_some_and(|url| !url.is_empty()) {
        tracing::warn!(
            "SDKGEN_BUDGET_REDIS_URL is set but this SDK was built without its `redis` feature: the budget stays in this process"
        );
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_full_jitter_up_to_the_cap() {
        let policy = RetryPolicy::default();
        for retry in 1..=20 {
            let ceiling = (Duration::from_millis(200) * 2u32.pow((retry - 1).min(20)))
                .min(Duration::from_secs(10));
            let backoff = policy.backoff(retry);
            assert!(
                backoff <= ceiling && backoff >= ceiling / 2,
                "retry {retry}: {backoff:?} not in [{:?}, {ceiling:?}]",
                ceiling / 2
            );
        }
        assert_eq!(RetryPolicy::none().max_retries, 0);
    }

    #[test]
    fn clients_expose_their_base_url_and_share_budgets_by_organisation() {
        let first = ClientBuilder::new()
            .base_url("https://api.example.com/v1/")
            .organization("config-test-org")
            .build()
            .unwrap();
        let second = ClientBuilder::new()
            .base_url("https://api.example.com/v1")
            .organization("config-test-org")
            .build()
            .unwrap();
        assert_eq!(first.base_url(), "https://api.example.com/v1");
        assert!(Arc::ptr_eq(first.budget_handle(), second.budget_handle()));
        let other = ClientBuilder::new()
            .base_url("https://api.example.com/v1")
            .organization("config-test-other")
            .build()
            .unwrap();
        assert!(!Arc::ptr_eq(first.budget_handle(), other.budget_handle()));
    }
}
