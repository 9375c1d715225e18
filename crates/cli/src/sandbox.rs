//! `sdkgen sandbox`: serves a spec with the provider's rules, until interrupted.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sdkgen_sandbox::{Key, Plan, Settings};

use crate::project::{majors, releases};

/// Runs the sandbox.
pub fn run(
    spec: Option<PathBuf>,
    root: &Path,
    address: &str,
    keys: &[String],
    window: u64,
) -> Result<()> {
    let spec = match spec {
        Some(spec) => spec,
        None => {
            let specs = root.join("specs");
            let newest_major = majors(&specs)?
                .pop()
                .context("specs/ has no major version folder")?;
            releases(&newest_major.1)?
                .pop()
                .context("the newest major has no release")?
                .path
        }
    };
    if window == 0 {
        bail!("--window must be at least 1 second");
    }
    let address: SocketAddr = address
        .parse()
        .with_context(|| format!("--addr {address:?} is not an address such as 127.0.0.1:8080"))?;
    let mut parsed = keys
        .iter()
        .map(|key| Key::parse(key).map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()?;
    if parsed.is_empty() {
        parsed = vec![
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
        ];
        println!("no --key given; demo keys (TOKEN:ORG:PLAN):");
        for key in &parsed {
            println!("  {}:{}:{}", key.token, key.organization, key.plan.points());
        }
    }
    let api = sdkgen_loader::load_file(&spec)?;
    let settings = Settings {
        keys: parsed,
        window: Duration::from_secs(window),
        ..Settings::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(sdkgen_sandbox::serve(api, settings, address, |bound, _| {
        println!(
            "serving {} on http://{bound} ({window} s windows); Ctrl-C to stop",
            spec.display()
        );
    }))?;
    Ok(())
}
