//! Client configuration: [`ClientBuilder`] and [`Plan`]. This module builds a [`Client`]; the
//! client itself knows nothing of it, so the dependency runs one way.

use std::sync::Arc;
use std::time::Duration;

use crate::budget::{Budget, BudgetMode, BudgetStore, Throttling};
use crate::client::{Client, Inner};
use crate::error::BuildError;
use crate::retry::{RetryBudget, RetryPolicy};
use crate::token::BearerToken;

pub use sdkgen_policy::Plan;

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }
}

/// Builds a [`Client`], or a generated SDK's client (`C`), which wraps one.
#[derive(Debug, Clone)]
pub struct ClientBuilder<C = Client> {
    base_url: Option<String>,
    token: Option<BearerToken>,
    plan: Plan,
    throttling: Throttling,
    window: Option<Duration>,
    timeout: Duration,
    max_budget_wait: Option<Duration>,
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
            throttling: Throttling::default(),
            window: None,
            timeout: Duration::from_secs(30),
            max_budget_wait: None,
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
    /// A builder with the defaults: no local point budget (reactive to 429s), 30 s timeout,
    /// 3 retries.
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

    /// The organisation's plan (default: Build, 100 points per minute), and with it a local
    /// point budget ([`Throttling::Points`]). The server's `X-RateLimit-Limit` overrides it as
    /// soon as a response arrives.
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self.throttling = Throttling::Points;
        self
    }

    /// Whether the client keeps a local point budget (default [`Throttling::Reactive`];
    /// generated SDKs of documents that declare costs set [`Throttling::Points`]).
    pub fn throttling(mut self, throttling: Throttling) -> Self {
        self.throttling = throttling;
        self
    }

    /// The budget window. Unset, it is the provider's minute, shortened to what the server's
    /// resets show when its windows are shorter.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = Some(window);
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

    /// The longest a call waits for points, or for the end of a 429 pause, before it fails
    /// with the wait. A request's own [`crate::Request::timeout`] bounds it too. Default: with
    /// [`Throttling::Points`], the timeout or one window and a second, whichever is longer
    /// (points always come back within a window); with [`Throttling::Reactive`], the timeout.
    pub fn max_budget_wait(mut self, wait: Duration) -> Self {
        self.max_budget_wait = Some(wait);
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
        if self.window.is_some_and(|window| window.is_zero()) {
            return Err(BuildError::new(
                "the budget window must be longer than zero",
            ));
        }
        if self.plan.points() == 0 {
            return Err(BuildError::new(
                "the plan must allow at least one point per window",
            ));
        }
        // No client-wide timeout: every buffered request sets its own, and a streamed one is
        // bounded between chunks instead (a whole-request timeout would cut a long stream).
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent.clone())
            .build()
            .map_err(|error| BuildError::new(format!("HTTP client: {error}")))?;
        // Two servers on one host are two budgets: the port is part of the key.
        let host = match parsed.port_or_known_default() {
            Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or_default()),
            None => parsed.host_str().unwrap_or_default().to_owned(),
        };
        let key = match (&self.organization, &self.token) {
            (Some(organization), _) => format!("org:{organization}@{host}"),
            (None, Some(token)) => format!("token:{:016x}@{host}", token.fingerprint()),
            (None, None) => format!("anonymous@{host}"),
        };
        // Reactive clients share the gate of a budget, never its points: they reserve none.
        let (limit, key) = match self.throttling {
            Throttling::Points => (self.plan.points(), key),
            Throttling::Reactive => (u32::MAX, format!("reactive:{key}")),
        };
        let window = self.window.unwrap_or(sdkgen_policy::WINDOW);
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
            Some(store) => Budget::in_store(key, limit, window, store),
            None => Budget::shared(&key, limit, window),
        };
        let budget = budget
            .with_jitter(self.gate_jitter)
            .with_window_fixed(self.window.is_some());
        let retry_budget = std::sync::Mutex::new(RetryBudget::new(
            self.retry.budget,
            tokio::time::Instant::now(),
        ));
        Ok(C::from(Client::from_inner(Inner {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: self.token,
            budget,
            retry: self.retry,
            retry_budget,
            throttling: self.throttling,
            budget_mode: self.budget_mode,
            timeout: self.timeout,
            max_budget_wait: self
                .max_budget_wait
                .unwrap_or_else(|| match self.throttling {
                    // Points always come back within a window: waiting one out is what a
                    // throttled client is for.
                    Throttling::Points => self
                        .timeout
                        .max(self.window.unwrap_or(sdkgen_policy::WINDOW) + Duration::from_secs(1)),
                    Throttling::Reactive => self.timeout,
                }),
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
