//! A sandbox server that behaves like the provider's API for any spec, from the model:
//!
//! - a missing, malformed or unknown bearer token gets 401 with the error body;
//! - requests are validated against the spec (parameters and JSON bodies): 400 says what is
//!   wrong and where;
//! - every request is charged the operation's points (the same costs the SDK computes, from the
//!   same model) to the key's organisation, shared by all its keys, in windows aligned to the
//!   clock; every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
//!   `X-RateLimit-Reset`; over budget the answer is 429 with `Retry-After`;
//! - budgets can be changed while it runs ([`Sandbox::set_budget`]);
//! - resources live in memory by schema, so create, read, update, list and delete round-trip;
//!   other responses come from the spec's examples or are synthesised from the schema;
//! - bodies are capped, slow requests time out, stores are bounded, and a panic in a handler
//!   becomes a 500: the server stays up under garbage and load.

#![deny(missing_docs)]

mod budget;
mod resources;
mod routing;
mod synthesize;
mod validate;

use sdkgen_policy::headers as policy_headers;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sdkgen_model::Api;
use serde_json::{Value, json};

pub use budget::Plan;

/// An API key: its token, its organisation and, for a new organisation, its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The bearer token.
    pub token: String,
    /// The organisation it belongs to.
    pub organization: String,
    /// The organisation's plan.
    pub plan: Plan,
}

impl Key {
    /// Parses `TOKEN:ORG:PLAN` (PLAN: `build`, `enterprise` or a number of points per window).
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut parts = text.splitn(3, ':');
        let (Some(token), Some(organization), Some(plan)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("a key is TOKEN:ORG:PLAN, not {text:?}"));
        };
        if token.is_empty() || organization.is_empty() {
            return Err(format!("a key needs a token and an organisation: {text:?}"));
        }
        Ok(Key {
            token: token.to_owned(),
            organization: organization.to_owned(),
            plan: plan
                .parse()
                .map_err(|error: sdkgen_policy::PlanError| error.to_string())?,
        })
    }
}

/// Settings of a sandbox.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The keys it accepts.
    pub keys: Vec<Key>,
    /// The budget window (the provider's is a minute).
    pub window: Duration,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// How long a request may take, slow clients included.
    pub request_timeout: Duration,
    /// The most resources kept per schema.
    pub max_resources: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keys: Vec::new(),
            window: Duration::from_secs(60),
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            max_resources: 10_000,
        }
    }
}

/// A running sandbox's shared state.
pub struct Sandbox {
    api: Api,
    keys: HashMap<String, String>,
    budgets: budget::Budgets,
    resources: Mutex<resources::Store>,
    routes: routing::Routes,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("api", &self.api.title)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox serving `api` with `settings`.
    pub fn new(api: Api, settings: &Settings) -> Arc<Sandbox> {
        let budgets = budget::Budgets::new(settings.window);
        let mut keys = HashMap::new();
        for key in &settings.keys {
            keys.insert(key.token.clone(), key.organization.clone());
            budgets.add_organization(&key.organization, key.plan.points());
        }
        let routes = routing::Routes::new(&api);
        Arc::new(Sandbox {
            resources: Mutex::new(resources::Store::new(settings.max_resources)),
            api,
            keys,
            budgets,
            routes,
        })
    }

    /// Changes an organisation's points per window, effective at once (the provider may
    /// change budgets at any time).
    pub fn set_budget(&self, organization: &str, points: u32) {
        self.budgets.set_limit(organization, points);
    }

    /// Points charged to an organisation per window index so far (for tests and reports).
    pub fn usage(&self, organization: &str) -> Vec<(u64, u32)> {
        self.budgets.usage(organization)
    }

    /// How many requests were refused with 429, per organisation.
    pub fn rejections(&self, organization: &str) -> u32 {
        self.budgets.rejections(organization)
    }

    /// The axum router, with the limits that keep it up.
    pub fn router(self: &Arc<Self>, settings: &Settings) -> Router {
        Router::new()
            .fallback(handle)
            .with_state(Arc::clone(self))
            .layer(DefaultBodyLimit::max(settings.max_body_bytes))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                settings.request_timeout,
            ))
            .layer(tower_http::catch_panic::CatchPanicLayer::new())
    }
}

/// Binds `address` and serves until the process ends. Returns the bound address through
/// `ready` first (useful with port 0).
pub async fn serve(
    api: Api,
    settings: Settings,
    address: SocketAddr,
    ready: impl FnOnce(SocketAddr, &Arc<Sandbox>),
) -> std::io::Result<()> {
    let sandbox = Sandbox::new(api, &settings);
    let listener = tokio::net::TcpListener::bind(address).await?;
    ready(listener.local_addr()?, &sandbox);
    axum::serve(listener, sandbox.router(&settings)).await
}

/// Serves a router (from [`Sandbox::router`]) on a bound listener until the process ends.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

/// The error body of the provider: `{"code": .., "message": .., "details": {..}}`.
pub(crate) fn error_body(code: &str, message: &str, details: Option<Value>) -> Value {
    let mut body = json!({ "code": code, "message": message });
    if let Some(details) = details {
        body["details"] = details;
    }
    body
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
}

async fn handle(
    State(sandbox): State<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((operation, path_values)) = sandbox.routes.find(&sandbox.api, &method, uri.path())
    else {
        let allowed = sandbox.routes.path_exists(uri.path());
        let (status, code) = if allowed {
            (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        } else {
            (StatusCode::NOT_FOUND, "not_found")
        };
        return json_response(
            status,
            &error_body(code, &format!("no operation {method} {}", uri.path()), None),
        );
    };
    // Authentication first: an unknown caller learns nothing else.
    let needs_auth = !operation.security.is_empty()
        && !operation
            .security
            .iter()
            .any(|requirement| requirement.is_empty());
    let organization = match bearer(&headers).and_then(|token| sandbox.keys.get(token)) {
        Some(organization) => Some(organization.clone()),
        None if needs_auth => {
            let message = if bearer(&headers).is_none() {
                "a bearer token is required"
            } else {
                "the bearer token is unknown"
            };
            let mut response = json_response(
                StatusCode::UNAUTHORIZED,
                &error_body("unauthorized", message, None),
            );
            response
                .headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
            return response;
        }
        None => None,
    };
    let query = validate::parse_query(uri.query().unwrap_or_default());
    let parsed_body = match validate::request(
        &sandbox.api,
        operation,
        &path_values,
        &query,
        &headers,
        &body,
    ) {
        Ok(parsed) => parsed,
        Err(problems) => {
            let details = json!(
                problems
                    .iter()
                    .map(|problem| (
                        problem.location.clone(),
                        Value::String(problem.message.clone())
                    ))
                    .collect::<serde_json::Map<_, _>>()
            );
            let message = problems
                .first()
                .map(|problem| format!("{}: {}", problem.location, problem.message))
                .unwrap_or_default();
            return with_budget_headers(
                &sandbox,
                organization.as_deref(),
                json_response(
                    StatusCode::BAD_REQUEST,
                    &error_body("invalid_request", &message, Some(details)),
                ),
            );
        }
    };
    // The points, computed as the SDK computes them.
    let points = u32::from(budget::points_of(operation, &query, parsed_body.as_ref()));
    if let Some(organization) = &organization
        && let Err(retry_after) = sandbox.budgets.charge(organization, points)
    {
        let mut response = json_response(
            StatusCode::TOO_MANY_REQUESTS,
            &error_body(
                "rate_limited",
                &format!("the organisation's point budget is spent; retry in {retry_after} s"),
                None,
            ),
        );
        response
            .headers_mut()
            .insert(policy_headers::RETRY_AFTER, HeaderValue::from(retry_after));
        return with_budget_headers(&sandbox, Some(organization), response);
    }

    let response = {
        let mut store = sandbox
            .resources
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        resources::respond(
            &sandbox.api,
            operation,
            &path_values,
            &query,
            parsed_body.as_ref(),
            &body,
            &mut store,
        )
    };
    let response = match response {
        resources::Answer::Json(status, value) => json_response(status, &value),
        resources::Answer::Bytes(status, content_type, bytes) => {
            let mut response = (status, bytes).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert("content-type", value);
            }
            response
        }
        resources::Answer::Empty(status) => status.into_response(),
    };
    with_budget_headers(&sandbox, organization.as_deref(), response)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

fn with_budget_headers(
    sandbox: &Sandbox,
    organization: Option<&str>,
    mut response: Response,
) -> Response {
    if let Some(state) = organization.and_then(|organization| sandbox.budgets.state(organization)) {
        let headers = response.headers_mut();
        headers.insert(policy_headers::LIMIT, HeaderValue::from(state.limit));
        headers.insert(
            policy_headers::REMAINING,
            HeaderValue::from(state.remaining),
        );
        if let Ok(reset) = HeaderValue::from_str(&httpdate::fmt_http_date(state.reset)) {
            headers.insert(policy_headers::RESET, reset);
        }
    }
    response
}
