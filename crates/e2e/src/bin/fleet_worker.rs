//! One process of a fleet, for the fleet tests (`tests/fleet.rs`): `FLEET_TASKS` tasks call a
//! mix of operations costing 1 to 10 points through one client until `FLEET_UNTIL_MS` (Unix
//! milliseconds), starting at `FLEET_START_MS`. The client's budget is in the Redis that
//! `SDKGEN_BUDGET_REDIS_URL` names, as a user's would be. It prints one line of counts:
//! `fleet-worker calls=N points=N failures=N rate_limited=N max_call_ms=N degraded=0|1 shared=0|1`,
//! where `max_call_ms` is the longest call, counting the calls cut by the end of the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sdkgen_runtime::budget::StoreHealth;
use sdkgen_runtime::{Client, Error, Method, Plan, Request, Throttling};

fn variable(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

fn number(name: &str) -> Result<u64, String> {
    variable(name)?
        .parse()
        .map_err(|error| format!("{name}: {error}"))
}

/// A Unix time in milliseconds as a tokio instant (the parent and the workers share a clock).
fn instant_at(unix_millis: u64) -> tokio::time::Instant {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let at = Duration::from_millis(unix_millis);
    tokio::time::Instant::now() + at.saturating_sub(now)
}

#[derive(Default)]
struct Counts {
    calls: AtomicU64,
    points: AtomicU64,
    failures: AtomicU64,
    rate_limited: AtomicU64,
    max_call_ms: AtomicU64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let client = Client::builder()
        .base_url(variable("FLEET_URL")?)
        .bearer_token(variable("FLEET_TOKEN")?)
        .organization(variable("FLEET_ORG")?)
        .plan(Plan::Build)
        .throttling(Throttling::Points)
        .window(Duration::from_millis(number("FLEET_WINDOW_MS")?))
        .timeout(Duration::from_secs(5))
        // The tests measure how long calls wait; none fails for waiting.
        .max_budget_wait(Duration::from_secs(30))
        .build()
        .map_err(|error| error.to_string())?;
    let project = variable("FLEET_PROJECT")?;
    let tasks = number("FLEET_TASKS")?;
    let start = instant_at(number("FLEET_START_MS")?);
    let deadline = instant_at(number("FLEET_UNTIL_MS")?);
    let counts = Arc::new(Counts::default());
    // FLEET_TRACE=1: one line per call on stderr.
    let trace = std::env::var_os("FLEET_TRACE").is_some();
    // Watches the store's health: did this process fall back, and is it back on Redis?
    let degraded = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (client, degraded) = (client.clone(), Arc::clone(&degraded));
        tokio::spawn(async move {
            while tokio::time::Instant::now() < deadline {
                if let Ok(budget) = client.budget().await
                    && matches!(budget.store, StoreHealth::Degraded { .. })
                {
                    degraded.store(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep_until(start).await;
    let workers: Vec<_> = (0..tasks)
        .map(|task| {
            let (client, counts, project) = (client.clone(), Arc::clone(&counts), project.clone());
            tokio::spawn(async move {
                let mut call = task as usize;
                while tokio::time::Instant::now() < deadline {
                    let (operation, path, points) = match call % 5 {
                        0 => ("getOrganization", "/organization".to_owned(), 1),
                        1 => ("getProject", format!("/projects/{project}"), 1),
                        2 => ("listApiKeys", "/organization/api-keys".to_owned(), 3),
                        3 => ("getProjectReport", format!("/projects/{project}/report"), 8),
                        _ => ("exportProject", format!("/projects/{project}/export"), 10),
                    };
                    call += 1;
                    let request = Request::new(operation, Method::GET, path, points);
                    let started = tokio::time::Instant::now();
                    let outcome = tokio::time::timeout_at(
                        deadline,
                        client.execute::<serde_json::Value>(request),
                    )
                    .await;
                    let Ok(result) = outcome else {
                        // Cut by the end of the run: neither a success nor a failure, but
                        // how long it had waited counts (a stuck caller shows here).
                        let waited = started.elapsed().as_millis();
                        let waited = u64::try_from(waited).unwrap_or(u64::MAX);
                        counts.max_call_ms.fetch_max(waited, Ordering::Relaxed);
                        break;
                    };
                    let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    if trace {
                        let health = client.budget().await.map(|budget| budget.store);
                        eprintln!(
                            "fleet-worker trace: task {task} {operation} took {took} ms, ended at {} ms, ok {}, store {health:?}",
                            SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis(),
                            result.is_ok()
                        );
                    }
                    counts.max_call_ms.fetch_max(took, Ordering::Relaxed);
                    match result {
                        Ok(_) => {
                            counts.calls.fetch_add(1, Ordering::Relaxed);
                            counts
                                .points
                                .fetch_add(u64::from(points), Ordering::Relaxed);
                        }
                        Err(error) => {
                            if matches!(error, Error::RateLimited { .. }) {
                                counts.rate_limited.fetch_add(1, Ordering::Relaxed);
                            }
                            eprintln!("fleet-worker: {error}");
                            counts.failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|error| error.to_string())?;
    }
    let _ = watcher.await;
    let shared = client
        .budget()
        .await
        .is_ok_and(|budget| budget.store == StoreHealth::Shared);
    println!(
        "fleet-worker calls={} points={} failures={} rate_limited={} max_call_ms={} degraded={} shared={}",
        counts.calls.load(Ordering::Relaxed),
        counts.points.load(Ordering::Relaxed),
        counts.failures.load(Ordering::Relaxed),
        counts.rate_limited.load(Ordering::Relaxed),
        counts.max_call_ms.load(Ordering::Relaxed),
        degraded.load(Ordering::Relaxed),
        u8::from(shared),
    );
    Ok(())
}
