//! Support for the end-to-end tests: a sandbox serving one of the provider's specs on a free
//! loopback port.

#![deny(missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use sdkgen_sandbox::{BudgetSchedule, Chaos, Failure, Key, Plan, Sandbox, Settings};

/// The path of a spec of this repository, e.g. `v1/1.1.0.yaml`.
pub fn spec(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs")
        .join(relative)
}

/// A running sandbox.
pub struct Running {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// Its state (budgets, usage).
    pub sandbox: Arc<Sandbox>,
}

/// Starts a sandbox serving `spec` with `keys`, with budget windows of `window`.
pub async fn start(spec_path: &str, keys: Vec<Key>, window: Duration) -> std::io::Result<Running> {
    let api = sdkgen_loader::load_file(spec(spec_path))
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    let settings = Settings {
        keys,
        window,
        ..Settings::default()
    };
    let sandbox = Sandbox::new(api, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = sandbox.router(&settings);
    tokio::spawn(async move {
        if let Err(error) = sdkgen_sandbox::serve_router(listener, router, &settings).await {
            eprintln!("sandbox stopped: {error}");
        }
    });
    Ok(Running { url, sandbox })
}

/// Starts a sandbox as `cargo xtask sandbox` does with no flags: every major's newest release
/// in specs/, each under its base path (`URL/v1`, `URL/v2`), one budget per organisation.
pub async fn start_default(settings: Settings) -> std::io::Result<Running> {
    let mounts = sdkgen_sandbox::default_mounts(&spec(""))
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    let sandbox = Sandbox::open(mounts, &settings)
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let router = sandbox.router(&settings);
    tokio::spawn(async move {
        if let Err(error) = sdkgen_sandbox::serve_router(listener, router, &settings).await {
            eprintln!("sandbox stopped: {error}");
        }
    });
    Ok(Running { url, sandbox })
}

/// One key of organisation `organization` with `plan`.
pub fn key(token: &str, organization: &str, plan: Plan) -> Key {
    Key {
        token: token.to_owned(),
        organization: organization.to_owned(),
        plan,
    }
}
