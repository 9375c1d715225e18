//! A sandbox server that behaves like the provider's API for any spec, from the model:
//!
//! - every served major at once, each under its base path (`/v1`, `/v2`, from the spec's
//!   `servers`): [`default_mounts`] finds each major's newest release in a `specs/` folder;
//! - a missing, malformed or unknown bearer token gets 401 with the error body;
//! - requests are validated against the spec (parameters, each in its declared `style` and
//!   `explode`, and JSON bodies): 400 says what is wrong and where; a scalar given twice is
//!   a 400;
//! - every request is charged the operation's points (the same costs the SDK computes, from the
//!   same model, counted from the validated values) to the key's organisation, one budget
//!   across every key and every major, in windows aligned to the clock; the charge and the
//!   `X-RateLimit-*` headers of its answer come from one step; over budget the answer is 429
//!   with `Retry-After`;
//! - budgets can be changed while it runs ([`Sandbox::set_budget`]);
//! - resources belong to the organisation that created them: others get 404. They live in
//!   memory by schema, optionally saved to a file ([`Settings::data`]), so create, read,
//!   update, list, delete, batch creation and uploads round-trip; other responses come from
//!   the spec's examples or are synthesised from the schema, formats honoured;
//! - chaos on request ([`Chaos`]): failures, latency and budget changes, seeded;
//! - bodies are capped, slow requests and slow headers time out, connections are capped per
//!   client address and overall with idle ones shed first, stores are bounded, and a panic in a
//!   handler becomes a 500: the server stays up under garbage and load.

#![deny(missing_docs)]

mod budget;
mod chaos;
mod idempotency;
mod multipart;
mod options;
mod persist;
mod resources;
mod routing;
mod serve;
mod synthesize;
mod validate;

use sdkgen_policy::headers as policy_headers;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sdkgen_model::Api;
use serde_json::{Value, json};

pub use budget::{BudgetSchedule, Plan};
pub use chaos::{Chaos, Failure, Fate, parse_fail_rate, parse_latency};
pub use options::{Options, run};

/// What can go wrong setting a sandbox up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A folder or file could not be read.
    #[error("could not read {path}: {source}")]
    Io {
        /// What was read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The address could not be listened on, or serving failed.
    #[error("could not serve on {address}: {source}")]
    Serve {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// A spec did not load.
    #[error("{path}: {message}")]
    Load {
        /// The spec.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// A specs folder without any major version in it.
    #[error("{0} has no major version folder (v1, v2, ...) with a release such as 1.0.0.yaml")]
    NoMajors(PathBuf),
    /// Two documents would be served under one base path.
    #[error("two documents would be served under {0:?}; give each major its own base path")]
    SameBasePath(String),
    /// An option is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The data file could not be opened, read or written.
    #[error("the data file {path}: {message}")]
    Data {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

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

/// The keys a sandbox accepts when none are given: one Build and one Enterprise organisation.
pub fn demo_keys() -> Vec<Key> {
    vec![
        Key {
            token: "demo-build-key".into(),
            organization: "demo-build".into(),
            plan: Plan::Build,
        },
        Key {
            token: "demo-enterprise-key".into(),
            organization: "demo-enterprise".into(),
            plan: Plan::Enterprise,
        },
    ]
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
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long an answer may wait for the client to read more of it.
    pub send_timeout: Duration,
    /// The most connections open at once.
    pub max_connections: usize,
    /// The most connections open at once from one client address.
    pub max_connections_per_address: usize,
    /// The most resources kept per schema and organisation.
    pub max_resources: usize,
    /// Chaos mode, when set.
    pub chaos: Option<Chaos>,
    /// A file that keeps resources across restarts (opened by [`Sandbox::open`]).
    pub data: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keys: Vec::new(),
            window: sdkgen_policy::WINDOW,
            max_body_bytes: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(30),
            // Below the usual limit of 1,024 file descriptors, leaving room for the rest.
            max_connections: 768,
            max_connections_per_address: 256,
            max_resources: 10_000,
            chaos: None,
            data: None,
        }
    }
}

/// A document served under a base path.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Where it is served: `/v1`, or empty for the root.
    pub base_path: String,
    /// What is served.
    pub api: Api,
    /// Where it came from, for the startup message (a file's path).
    pub source: String,
}

impl Mount {
    /// `api` under the base path of its first server (`https://api.example.com/v1` gives
    /// `/v1`; none gives the root).
    pub fn new(api: Api, source: impl Into<String>) -> Mount {
        Mount {
            base_path: base_path(&api),
            api,
            source: source.into(),
        }
    }

    /// `api` at the root, whatever its servers say.
    pub fn at_root(api: Api, source: impl Into<String>) -> Mount {
        Mount {
            base_path: String::new(),
            api,
            source: source.into(),
        }
    }
}

/// The path of an API's first server URL, without a trailing slash, template variables
/// replaced by their defaults: `https://{region}.example.com/v1/` gives `/v1`.
pub fn base_path(api: &Api) -> String {
    let Some(server) = api.servers.first() else {
        return String::new();
    };
    let mut url = server.url.clone();
    for (name, variable) in &server.variables {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => url.as_str(),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    if path.is_empty() || !path.starts_with('/') {
        String::new()
    } else {
        path.to_owned()
    }
}

/// A release file's version, from its name: `1.10.0.yaml` gives (1, 10, 0).
fn release_version(path: &Path) -> Option<(u64, u64, u64)> {
    let extension = path.extension()?.to_str()?;
    if !["yaml", "yml", "json"].contains(&extension) {
        return None;
    }
    let mut numbers = path
        .file_stem()?
        .to_str()?
        .split('.')
        .map(str::parse::<u64>);
    let version = (
        numbers.next()?.ok()?,
        numbers.next()?.ok()?,
        numbers.next()?.ok()?,
    );
    numbers.next().is_none().then_some(version)
}

fn read_folder(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        entries.push(entry.map_err(io)?.path());
    }
    entries.sort();
    Ok(entries)
}

/// Each major's newest release in a `specs/` folder (`v1/1.2.0.yaml`, `v2/2.0.0.yaml`), each
/// under its base path (from its servers, else `/vN`), majors in order.
pub fn default_mounts(specs: &Path) -> Result<Vec<Mount>, Error> {
    let mut majors: Vec<(u64, PathBuf)> = read_folder(specs)?
        .into_iter()
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let major = path
                .file_name()?
                .to_str()?
                .strip_prefix('v')?
                .parse()
                .ok()?;
            Some((major, path))
        })
        .collect();
    majors.sort();
    let mut mounts = Vec::new();
    for (major, folder) in majors {
        let Some(newest) = read_folder(&folder)?
            .into_iter()
            .filter_map(|path| Some((release_version(&path)?, path)))
            .max()
        else {
            continue;
        };
        let api = sdkgen_loader::load_file(&newest.1).map_err(|error| Error::Load {
            path: newest.1.clone(),
            message: error.to_string(),
        })?;
        let mut mount = Mount::new(api, newest.1.display().to_string());
        if mount.base_path.is_empty() {
            mount.base_path = format!("/v{major}");
        }
        mounts.push(mount);
    }
    if mounts.is_empty() {
        return Err(Error::NoMajors(specs.to_owned()));
    }
    Ok(mounts)
}

struct Mounted {
    base_path: String,
    source: String,
    api: Api,
    routes: routing::Routes,
}

/// A running sandbox's shared state.
pub struct Sandbox {
    /// Longest base path first, so `/v1/beta` wins over `/v1`.
    mounts: Vec<Mounted>,
    keys: HashMap<String, String>,
    key_list: Vec<Key>,
    plans: HashMap<String, Plan>,
    window: Duration,
    budgets: budget::Budgets,
    resources: Mutex<resources::Store>,
    chaos: Option<Chaos>,
    idempotency: idempotency::Keys,
    requests: AtomicU64,
    failed_on_purpose: AtomicU64,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field(
                "mounts",
                &self
                    .mounts
                    .iter()
                    .map(|mount| (&mount.base_path, &mount.api.title))
                    .collect::<Vec<_>>(),
            )
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A sandbox serving `api` at the root with `settings`, resources in memory (see
    /// [`Sandbox::open`] for several documents and for [`Settings::data`]).
    pub fn new(api: Api, settings: &Settings) -> Arc<Sandbox> {
        let mount = Mount::at_root(api, "(in memory)");
        Sandbox::build(
            vec![mount],
            settings,
            resources::Store::new(settings.max_resources),
        )
    }

    /// A sandbox serving every mount at once, one budget per organisation across them, with
    /// resources saved to [`Settings::data`] when it is set.
    pub fn open(mounts: Vec<Mount>, settings: &Settings) -> Result<Arc<Sandbox>, Error> {
        let mut bases: Vec<&str> = mounts
            .iter()
            .map(|mount| mount.base_path.as_str())
            .collect();
        bases.sort_unstable();
        if let Some(pair) = bases.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::SameBasePath(pair[0].to_owned()));
        }
        let store = match &settings.data {
            Some(path) => {
                let (database, saved) = persist::Database::open(path)?;
                resources::Store::with_database(settings.max_resources, database, saved)
            }
            None => resources::Store::new(settings.max_resources),
        };
        Ok(Sandbox::build(mounts, settings, store))
    }

    fn build(mounts: Vec<Mount>, settings: &Settings, store: resources::Store) -> Arc<Sandbox> {
        let schedule = settings
            .chaos
            .as_ref()
            .map(|chaos| chaos.budget_schedule.clone())
            .unwrap_or_default();
        let budgets = budget::Budgets::new(settings.window, schedule);
        let mut keys = HashMap::new();
        let mut plans = HashMap::new();
        for key in &settings.keys {
            keys.insert(key.token.clone(), key.organization.clone());
            plans.entry(key.organization.clone()).or_insert(key.plan);
            budgets.add_organization(&key.organization, key.plan.points());
        }
        let mut mounts: Vec<Mounted> = mounts
            .into_iter()
            .map(|mount| Mounted {
                routes: routing::Routes::new(&mount.api),
                base_path: mount.base_path.trim_end_matches('/').to_owned(),
                source: mount.source,
                api: mount.api,
            })
            .collect();
        mounts.sort_by_key(|mount| std::cmp::Reverse(mount.base_path.len()));
        Arc::new(Sandbox {
            mounts,
            keys,
            key_list: settings.keys.clone(),
            plans,
            window: settings.window,
            budgets,
            resources: Mutex::new(store),
            chaos: settings.chaos.clone(),
            idempotency: idempotency::Keys::default(),
            requests: AtomicU64::new(0),
            failed_on_purpose: AtomicU64::new(0),
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

    /// How many requests chaos mode made fail so far.
    pub fn chaos_failures(&self) -> u64 {
        self.failed_on_purpose.load(Ordering::SeqCst)
    }

    /// What the sandbox serves at `url` and with which keys, for its startup message.
    pub fn describe(&self, url: &str) -> String {
        let mut text = String::new();
        let mut mounts: Vec<&Mounted> = self.mounts.iter().collect();
        mounts.sort_by(|a, b| a.base_path.cmp(&b.base_path));
        for mount in mounts {
            let _ = writeln!(
                text,
                "serving {} {} at {url}{} (from {})",
                mount.api.title, mount.api.version, mount.base_path, mount.source
            );
        }
        let _ = writeln!(
            text,
            "budgets: {} s windows, one per organisation across everything served",
            self.window.as_secs()
        );
        let _ = writeln!(text, "keys (TOKEN:ORG:PLAN):");
        for key in &self.key_list {
            let _ = writeln!(text, "  {}:{}:{}", key.token, key.organization, key.plan);
        }
        if let Some(chaos) = &self.chaos {
            let _ = writeln!(
                text,
                "chaos: seed {}, fail rate {}, latency {:?}..{:?}, {} budget change(s)",
                chaos.seed,
                chaos.fail_rate,
                chaos.latency.0,
                chaos.latency.1,
                chaos.budget_schedule.changes.len()
            );
        }
        text
    }

    /// The axum router, with the limits that keep it up. Serve it with [`serve_router`] to
    /// also have the connection limits.
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

    /// The mount a path is under, and the path within it.
    fn mount_of<'a>(&self, path: &'a str) -> Option<(&Mounted, &'a str)> {
        self.mounts.iter().find_map(|mount| {
            let rest = path.strip_prefix(mount.base_path.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((mount, rest))
        })
    }
}

/// Binds `address` and serves `mounts` until the process ends. Returns the bound address
/// through `ready` first (useful with port 0).
pub async fn serve(
    mounts: Vec<Mount>,
    settings: Settings,
    address: SocketAddr,
    ready: impl FnOnce(SocketAddr, &Arc<Sandbox>),
) -> Result<(), Error> {
    let sandbox = Sandbox::open(mounts, &settings)?;
    let io = |source| Error::Serve { address, source };
    let listener = tokio::net::TcpListener::bind(address).await.map_err(io)?;
    ready(listener.local_addr().map_err(io)?, &sandbox);
    serve_router(listener, sandbox.router(&settings), &settings)
        .await
        .map_err(io)
}

/// Serves a router (from [`Sandbox::router`]) on a bound listener until the process ends,
/// with the header-read timeout and connection caps of `settings`.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    settings: &Settings,
) -> std::io::Result<()> {
    serve::serve(listener, router, settings).await
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

/// The answer chaos gives instead of handling the request.
fn chaos_failure(failure: Failure) -> Response {
    let (status, code) = match failure {
        Failure::InternalError => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        Failure::BadGateway => (StatusCode::BAD_GATEWAY, "bad_gateway"),
        Failure::Unavailable | Failure::Dropped => {
            (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable")
        }
    };
    let mut response = json_response(
        status,
        &error_body(code, "chaos mode: this request failed on purpose", None),
    );
    if failure == Failure::Dropped {
        // Served by `serve_router`, the connection closes without this answer.
        response.extensions_mut().insert(serve::DropConnection);
    }
    response
}

async fn handle(
    State(sandbox): State<Arc<Sandbox>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(chaos) = &sandbox.chaos {
        let fate = chaos.fate(sandbox.requests.fetch_add(1, Ordering::SeqCst));
        if !fate.delay.is_zero() {
            tokio::time::sleep(fate.delay).await;
        }
        if let Some(failure) = fate.failure {
            sandbox.failed_on_purpose.fetch_add(1, Ordering::SeqCst);
            return chaos_failure(failure);
        }
    }
    let found = sandbox
        .mount_of(uri.path())
        .and_then(|(mount, path)| Some((mount, mount.routes.find(&mount.api, &method, path)?)));
    let Some((mount, (operation, path_values))) = found else {
        let allowed = sandbox
            .mount_of(uri.path())
            .is_some_and(|(mount, path)| mount.routes.path_exists(path));
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
    let api = &mount.api;
    // Authentication first: an unknown caller learns nothing else.
    let organization = match authenticate(&sandbox, operation, &headers) {
        Ok(organization) => organization,
        Err(response) => return *response,
    };
    // A write retried under its Idempotency-Key is answered as the first time, once.
    let claim = match organization.as_deref() {
        Some(organization) if method != Method::GET && method != Method::HEAD => {
            match claim_key(&sandbox, organization, &method, &uri, &headers, &body) {
                Ok(claim) => claim,
                Err(response) => return *response,
            }
        }
        _ => None,
    };
    let query = validate::parse_query(uri.query().unwrap_or_default());
    let validated = match validate::request(api, operation, &path_values, &query, &headers, &body) {
        Ok(validated) => validated,
        Err(problems) => {
            let state = organization
                .as_deref()
                .and_then(|organization| sandbox.budgets.state(organization));
            return with_budget_headers(state, invalid_request(&problems));
        }
    };
    // The points, computed as the SDK computes them, from the validated values; the charge
    // and the state its answer reports are one step.
    let points = u32::from(budget::points_of(
        operation,
        &validated.query,
        validated.body.as_ref(),
    ));
    let state = match organization
        .as_deref()
        .and_then(|organization| sandbox.budgets.charge(organization, points))
    {
        None => None,
        Some(Ok(state)) => Some(state),
        Some(Err(refusal)) => return rate_limited(refusal),
    };

    let scope = resources::Scope {
        base: mount.base_path.clone(),
        organization: organization.unwrap_or_default(),
    };
    let content_type = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let facts = state.map(|state| resources::Facts {
        plan: match sandbox.plans.get(&scope.organization) {
            Some(plan @ (Plan::Build | Plan::Enterprise)) => Some(plan.to_string()),
            _ => None,
        },
        limit: state.limit,
        remaining: state.remaining,
        reset: state
            .reset
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
        window_seconds: sandbox.window.as_secs().max(1),
    });
    let request = resources::Request {
        facts: facts.as_ref(),
        scope: &scope,
        path_values: &path_values,
        validated: &validated,
        content_type,
        raw_body: &body,
    };
    let response = {
        let mut store = sandbox
            .resources
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        resources::respond(api, operation, &request, &mut store)
    };
    let (status, content_type, bytes) = match response {
        resources::Answer::Json(status, value) => (
            status,
            Some("application/json".to_owned()),
            value.to_string().into_bytes(),
        ),
        resources::Answer::Bytes(status, content_type, bytes) => {
            (status, Some(content_type), bytes)
        }
        resources::Answer::Empty(status) => (status, None, Vec::new()),
    };
    if let Some(claim) = claim {
        claim.keep(idempotency::Kept {
            status,
            content_type: content_type.clone(),
            body: bytes.clone(),
        });
    }
    with_budget_headers(state, raw_response(status, content_type, bytes))
}

fn raw_response(status: StatusCode, content_type: Option<String>, bytes: Vec<u8>) -> Response {
    let mut response = (status, bytes).into_response();
    if let Some(value) = content_type.and_then(|value| HeaderValue::from_str(&value).ok()) {
        response.headers_mut().insert("content-type", value);
    }
    response
}

/// The caller's organisation (`None` for an operation open to anyone, called without a known
/// key), or the 401.
fn authenticate(
    sandbox: &Sandbox,
    operation: &sdkgen_model::Operation,
    headers: &HeaderMap,
) -> Result<Option<String>, Box<Response>> {
    let needs_auth = !operation.security.is_empty()
        && !operation
            .security
            .iter()
            .any(|requirement| requirement.is_empty());
    match bearer(headers).and_then(|token| sandbox.keys.get(token)) {
        Some(organization) => Ok(Some(organization.clone())),
        None if needs_auth => {
            let message = if bearer(headers).is_none() {
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
            Err(Box::new(response))
        }
        None => Ok(None),
    }
}

/// The claim on the request's `Idempotency-Key` (none without one), or the answer instead of
/// handling it: the first answer again, a 409, or a 400 for a key that is not one.
fn claim_key(
    sandbox: &Sandbox,
    organization: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<idempotency::Claim>, Box<Response>> {
    let Some(key) = headers.get(policy_headers::IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let state = sandbox.budgets.state(organization);
    let Some(key) = key
        .to_str()
        .ok()
        .filter(|key| !key.is_empty() && key.len() <= idempotency::MAX_KEY_LENGTH)
    else {
        return Err(Box::new(with_budget_headers(
            state,
            json_response(
                StatusCode::BAD_REQUEST,
                &error_body(
                    "invalid_request",
                    "header.idempotency-key: must be 1 to 255 visible characters",
                    None,
                ),
            ),
        )));
    };
    let target = uri.path_and_query().map_or("", |target| target.as_str());
    let print = idempotency::fingerprint(method.as_str(), target, body);
    match sandbox.idempotency.decide(organization, key, print) {
        idempotency::Decision::Handle(claim) => Ok(Some(claim)),
        idempotency::Decision::Replay(kept) => {
            let mut response = raw_response(kept.status, kept.content_type, kept.body);
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Err(Box::new(with_budget_headers(state, response)))
        }
        idempotency::Decision::Conflict(message) => Err(Box::new(with_budget_headers(
            state,
            json_response(
                StatusCode::CONFLICT,
                &error_body("idempotency_conflict", message, None),
            ),
        ))),
    }
}

/// The 400 for a request that does not match the spec: every problem, by where it is.
fn invalid_request(problems: &[validate::Problem]) -> Response {
    let details: serde_json::Map<String, Value> = problems
        .iter()
        .map(|problem| {
            (
                problem.location.clone(),
                Value::String(problem.message.clone()),
            )
        })
        .collect();
    let message = problems
        .first()
        .map(|problem| format!("{}: {}", problem.location, problem.message))
        .unwrap_or_default();
    json_response(
        StatusCode::BAD_REQUEST,
        &error_body("invalid_request", &message, Some(Value::Object(details))),
    )
}

/// The 429 for a refused charge, saying when to retry.
fn rate_limited(refusal: budget::Refusal) -> Response {
    let mut response = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        &error_body(
            "rate_limited",
            &format!(
                "the organisation's point budget is spent; retry in {} s",
                refusal.retry_after
            ),
            None,
        ),
    );
    response.headers_mut().insert(
        policy_headers::RETRY_AFTER,
        HeaderValue::from(refusal.retry_after),
    );
    with_budget_headers(Some(refusal.state), response)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

fn with_budget_headers(state: Option<budget::State>, mut response: Response) -> Response {
    if let Some(state) = state {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn api(servers: &str) -> Api {
        let spec =
            format!("openapi: 3.0.3\ninfo: {{title: T, version: '1.0.0'}}\n{servers}paths: {{}}\n");
        sdkgen_loader::load_str(&spec, "t.yaml").expect("spec loads")
    }

    #[test]
    fn base_paths_come_from_the_first_server() {
        assert_eq!(base_path(&api("")), "");
        assert_eq!(
            base_path(&api("servers: [{url: 'https://api.example.com/v1/'}]\n")),
            "/v1"
        );
        assert_eq!(base_path(&api("servers: [{url: '/v2'}]\n")), "/v2");
        assert_eq!(
            base_path(&api("servers: [{url: 'https://api.example.com'}]\n")),
            ""
        );
        assert_eq!(
            base_path(&api(
                "servers: [{url: 'https://x.example.com/{version}', variables: {version: {default: v3}}}]\n"
            )),
            "/v3"
        );
    }

    #[test]
    fn release_versions_are_read_from_file_names() {
        assert_eq!(
            release_version(Path::new("v1/1.10.0.yaml")),
            Some((1, 10, 0))
        );
        assert_eq!(release_version(Path::new("v1/1.0.0.json")), Some((1, 0, 0)));
        assert_eq!(release_version(Path::new("v1/1.0.0-beta.yaml")), None);
        assert_eq!(release_version(Path::new("v1/notes.md")), None);
        assert_eq!(release_version(Path::new("v1/1.0.yaml")), None);
    }

    #[test]
    fn default_mounts_take_each_majors_newest_release() {
        let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
        let mounts = default_mounts(&specs).expect("the repository's specs load");
        let served: Vec<(&str, &str)> = mounts
            .iter()
            .map(|mount| (mount.base_path.as_str(), mount.api.version.as_str()))
            .collect();
        assert_eq!(served, [("/v1", "1.2.0"), ("/v2", "2.1.0")]);
        let empty = tempfile::tempdir().expect("a temporary directory");
        let error = default_mounts(empty.path()).expect_err("nothing to serve");
        assert!(
            error.to_string().contains("has no major version folder"),
            "{error}"
        );
        let missing = default_mounts(&empty.path().join("nope")).expect_err("no folder");
        assert!(
            missing.to_string().starts_with("could not read "),
            "{missing}"
        );
    }

    #[test]
    fn two_documents_cannot_share_a_base_path_and_the_description_lists_all() {
        let settings = Settings {
            keys: demo_keys(),
            ..Settings::default()
        };
        let error = Sandbox::open(
            vec![Mount::at_root(api(""), "a"), Mount::at_root(api(""), "b")],
            &settings,
        )
        .expect_err("clash");
        assert_eq!(
            error.to_string(),
            "two documents would be served under \"\"; give each major its own base path"
        );
        let sandbox = Sandbox::open(
            vec![
                Mount::new(api("servers: [{url: /v2}]\n"), "two.yaml"),
                Mount::new(api("servers: [{url: /v1}]\n"), "one.yaml"),
            ],
            &settings,
        )
        .expect("opens");
        let text = sandbox.describe("http://127.0.0.1:8080");
        assert!(text.starts_with(
            "serving T 1.0.0 at http://127.0.0.1:8080/v1 (from one.yaml)\nserving T 1.0.0 at http://127.0.0.1:8080/v2 (from two.yaml)\n"
        ), "{text}");
        assert!(
            text.contains("  demo-build-key:demo-build:build\n"),
            "{text}"
        );
        assert!(
            text.contains("  demo-enterprise-key:demo-enterprise:enterprise\n"),
            "{text}"
        );
        assert_eq!(
            sandbox.mount_of("/v1/projects").map(|(_, rest)| rest),
            Some("/projects")
        );
        assert!(sandbox.mount_of("/v10/projects").is_none());
        assert!(sandbox.mount_of("/projects").is_none());
    }
}
