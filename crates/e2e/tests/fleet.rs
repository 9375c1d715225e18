//! A fleet: 4 OS processes (the `fleet_worker` binary) of 8 tasks each, with 4 API keys of one
//! organisation, sharing its budget through Redis, against the sandbox (one-second windows,
//! 100 points each, calls of 1 to 10 points).
//!
//! These tests need a Redis (and `redis-server` on the PATH for the fault test): without
//! `REDIS_URL` they are ignored, and the test runner says so. CI runs them with
//! `REDIS_URL=redis://127.0.0.1:6379 cargo test -p sdkgen-e2e --test fleet -- --ignored` (one
//! test at a time: they take a lock).
//! Each run takes about 12 seconds and is bounded: a worker that does not finish in time is
//! killed and the test fails.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::Request;
use axum::middleware::Next;
use sdkgen_e2e::{Plan, Sandbox, Settings, key, spec};
use sdkgen_runtime::{Client, Method};

const LIMIT: u32 = 100;
const PROCESSES: usize = 4;
const TASKS: usize = 8;
const RUN: Duration = Duration::from_secs(10);

fn unix_millis() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Points that reached the server per window (by arrival), and those refused with 429.
#[derive(Debug, Default)]
struct Arrivals {
    sent: BTreeMap<u64, u32>,
    refused: BTreeMap<u64, u32>,
}

/// The points of the operations the workers call.
fn points_of(path: &str) -> u32 {
    if path.ends_with("/export") {
        10
    } else if path.ends_with("/report") {
        8
    } else if path.ends_with("/api-keys") {
        3
    } else {
        1
    }
}

struct Running {
    url: String,
    sandbox: Arc<Sandbox>,
    arrivals: Arc<Mutex<Arrivals>>,
}

/// The sandbox, behind a layer that counts the points arriving per window.
async fn sandbox(organization: &str) -> Running {
    let api = sdkgen_loader::load_file(spec("v1/1.1.0.yaml")).unwrap();
    let keys: Vec<_> = (0..PROCESSES)
        .map(|index| {
            key(
                &format!("{organization}-{index}"),
                organization,
                Plan::Build,
            )
        })
        .collect();
    let settings = Settings {
        keys,
        window: Duration::from_secs(1),
        ..Settings::default()
    };
    let sandbox = Sandbox::new(api, &settings);
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let counted = Arc::clone(&arrivals);
    let router = sandbox.router(&settings).layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let counted = Arc::clone(&counted);
            let points = points_of(request.uri().path());
            async move {
                let window = unix_millis() / 1000;
                let response = next.run(request).await;
                let mut arrivals = counted.lock().unwrap();
                *arrivals.sent.entry(window).or_default() += points;
                if response.status() == 429 {
                    *arrivals.refused.entry(window).or_default() += points;
                }
                drop(arrivals);
                response
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { sdkgen_sandbox::serve_router(listener, router, &settings).await });
    Running {
        url,
        sandbox,
        arrivals,
    }
}

/// A project of the organisation (the sandbox keeps each organisation's resources apart),
/// created before the run's first window.
async fn create_project(url: &str, token: &str) -> String {
    let client = Client::builder()
        .base_url(url)
        .bearer_token(token)
        .plan(Plan::Build)
        .build()
        .unwrap();
    let request = sdkgen_runtime::Request::new("createProject", Method::POST, "/projects", 3)
        .json(&serde_json::json!({"name": "fleet"}))
        .unwrap();
    let project: serde_json::Value = client
        .execute::<serde_json::Value>(request)
        .await
        .unwrap()
        .json::<serde_json::Value, serde_json::Value>()
        .unwrap()
        .into_inner();
    project["id"].as_str().unwrap().to_owned()
}

/// One worker's counts, from its last line.
#[derive(Debug, Default, Clone, Copy)]
struct Report {
    calls: u64,
    points: u64,
    failures: u64,
    rate_limited: u64,
    max_call_ms: u64,
    degraded: u64,
    shared: u64,
}

fn parse(output: &str) -> Report {
    let line = output
        .lines()
        .rev()
        .find(|line| line.starts_with("fleet-worker "))
        .unwrap_or_else(|| panic!("no report in {output:?}"));
    let mut report = Report::default();
    for pair in line.split_whitespace().skip(1) {
        let (name, value) = pair.split_once('=').unwrap();
        let value = value.parse().unwrap();
        match name {
            "calls" => report.calls = value,
            "points" => report.points = value,
            "failures" => report.failures = value,
            "rate_limited" => report.rate_limited = value,
            "max_call_ms" => report.max_call_ms = value,
            "degraded" => report.degraded = value,
            "shared" => report.shared = value,
            _ => {}
        }
    }
    report
}

/// Starts the fleet at the next whole second but one; returns the start (Unix ms) and the
/// workers' outputs once they are done (each is killed if not done 20 s after the end).
async fn run_fleet(
    running: &Running,
    organization: &str,
    redis_url: &str,
    during: impl std::future::Future<Output = ()>,
) -> (u64, Vec<Report>) {
    let project = create_project(&running.url, &format!("{organization}-0")).await;
    let start = (unix_millis() / 1000 + 2) * 1000;
    let until = start + u64::try_from(RUN.as_millis()).unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|index| {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_fleet_worker"))
                .env("FLEET_URL", &running.url)
                .env("FLEET_TOKEN", format!("{organization}-{index}"))
                .env("FLEET_ORG", organization)
                .env("FLEET_PROJECT", &project)
                .env("FLEET_TASKS", TASKS.to_string())
                .env("FLEET_WINDOW_MS", "1000")
                .env("FLEET_START_MS", start.to_string())
                .env("FLEET_UNTIL_MS", until.to_string())
                .env("SDKGEN_BUDGET_REDIS_URL", redis_url)
                .env("SDKGEN_BUDGET_FLEET_SIZE", PROCESSES.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap()
        })
        .collect();
    during.await;
    let mut reports = Vec::new();
    for child in children {
        let output = tokio::time::timeout(RUN + Duration::from_secs(22), child.wait_with_output())
            .await
            .expect("a worker got stuck")
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "a worker failed: {stderr}");
        if std::env::var_os("FLEET_TRACE").is_some() {
            eprintln!("{stderr}");
        } else if !stderr.is_empty() {
            eprintln!(
                "worker stderr: {}",
                stderr.lines().take(5).collect::<Vec<_>>().join(" | ")
            );
        }
        reports.push(parse(&stdout));
    }
    (start, reports)
}

/// One fleet at a time: CI runs every ignored test of the workspace at once, and 4 processes
/// of 8 tasks on a 2-core machine are load enough.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn redis_url() -> String {
    std::env::var("REDIS_URL").expect("REDIS_URL names the Redis these tests use")
}

/// A fresh organisation name, so runs do not share Redis keys.
fn organization(name: &str) -> String {
    format!("{name}-{:08x}", fastrand::u32(..))
}

fn whole_windows(usage: &[(u64, u32)], start: u64) -> Vec<u32> {
    let first = start / 1000;
    let last = first + RUN.as_secs();
    usage
        .iter()
        .filter(|(window, _)| *window > first && *window < last)
        .map(|(_, used)| *used)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn fleet_four_processes_share_one_budget_without_429() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let organization = organization("fleet");
    let running = sandbox(&organization).await;
    let (start, reports) = run_fleet(
        &running,
        &organization,
        &redis_url(),
        std::future::ready(()),
    )
    .await;
    let usage = running.sandbox.usage(&organization);
    let whole = whole_windows(&usage, start);
    let used: u32 = whole.iter().sum();
    let share = f64::from(used) / f64::from(LIMIT * u32::try_from(whole.len()).unwrap());
    let points: Vec<u64> = reports.iter().map(|report| report.points).collect();
    let fair = points.iter().sum::<u64>() as f64 / PROCESSES as f64;
    let worst = points
        .iter()
        .map(|points| (*points as f64 - fair).abs() / fair)
        .fold(0.0, f64::max);
    eprintln!(
        "fleet: 429s {}, whole windows {whole:?} ({:.1}% of the budget), points per process {points:?} (worst {:.1}% from a fair share), failures {}, longest call {} ms",
        running.sandbox.rejections(&organization),
        share * 100.0,
        worst * 100.0,
        reports.iter().map(|report| report.failures).sum::<u64>(),
        reports
            .iter()
            .map(|report| report.max_call_ms)
            .max()
            .unwrap_or(0),
    );
    assert_eq!(running.sandbox.rejections(&organization), 0, "no 429");
    assert!(whole.len() >= 4, "{usage:?}");
    assert!(share >= 0.95, "{:.1}% used: {whole:?}", share * 100.0);
    assert!(worst <= 0.25, "{points:?}");
    assert!(reports.iter().all(|report| report.failures == 0));
    assert!(reports.iter().all(|report| report.shared == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn fleet_follows_a_budget_cut_with_429s_only_in_its_window() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let organization = organization("cut");
    let running = sandbox(&organization).await;
    let sandbox = Arc::clone(&running.sandbox);
    let cut = Arc::new(Mutex::new(0));
    let during = {
        let (organization, cut) = (organization.clone(), Arc::clone(&cut));
        async move {
            // 2.5 s into the run (the run starts at a whole second 1 to 2 s from now).
            let start = (unix_millis() / 1000 + 2) * 1000;
            let at = start + 2500;
            tokio::time::sleep(Duration::from_millis(at.saturating_sub(unix_millis()))).await;
            sandbox.set_budget(&organization, 40);
            *cut.lock().unwrap() = unix_millis() / 1000;
        }
    };
    let (start, reports) = run_fleet(&running, &organization, &redis_url(), during).await;
    let cut = *cut.lock().unwrap();
    let arrivals = running.arrivals.lock().unwrap();
    let usage = running.sandbox.usage(&organization);
    eprintln!(
        "cut in window {cut} (run from {}): accepted {usage:?}; refused points per window {:?}; failures {}",
        start / 1000,
        arrivals.refused,
        reports.iter().map(|report| report.failures).sum::<u64>(),
    );
    assert!(cut > 0, "the cut happened during the run");
    // The fleet learns the cut from the first answer after it: 429s are possible in the
    // window where it is first met (the cut's own, or the next when the fleet had already
    // spent the cut's window), never after.
    assert!(arrivals.refused.len() <= 1, "{:?}", arrivals.refused);
    for (window, refused) in &arrivals.refused {
        let first_met = arrivals
            .sent
            .keys()
            .copied()
            .find(|sent| *sent > cut || (*sent == cut && usage_after_cut(&usage, cut)))
            .unwrap_or(cut);
        assert!(
            *window == cut || *window == first_met,
            "{refused} points refused in window {window}; the cut was in {cut}, first met in {first_met}"
        );
    }
    for (window, used) in &usage {
        if *window > cut {
            assert!(*used <= 40, "{usage:?}");
        }
    }
    assert!(
        usage
            .iter()
            .any(|(window, used)| *window > cut + 1 && *used >= 36),
        "the new budget is used: {usage:?}"
    );
}

/// Whether the cut's window still had points to spend when the cut came (then the fleet met
/// the cut in that window).
fn usage_after_cut(usage: &[(u64, u32)], cut: u64) -> bool {
    usage
        .iter()
        .any(|(window, used)| *window == cut && *used < LIMIT)
}

/// A redis-server of the test's own on a free port, killed and started again mid-run.
struct OwnRedis {
    port: u16,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    fn start(port: u16) -> OwnRedis {
        let mut redis = OwnRedis { port, child: None };
        redis.restart();
        redis
    }

    fn restart(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on the PATH");
        self.child = Some(child);
        // Ready when it accepts a connection (bounded).
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs REDIS_URL (a Redis) and redis-server on the PATH: run with --ignored, as CI does"]
async fn fleet_survives_redis_killed_and_restarted_mid_run() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let organization = organization("fault");
    let running = sandbox(&organization).await;
    let port = free_port();
    let redis = Arc::new(Mutex::new(OwnRedis::start(port)));
    let during = {
        let redis = Arc::clone(&redis);
        async move {
            let start = (unix_millis() / 1000 + 2) * 1000;
            tokio::time::sleep(Duration::from_millis(
                (start + 1500).saturating_sub(unix_millis()),
            ))
            .await;
            redis.lock().unwrap().kill();
            tokio::time::sleep(Duration::from_millis(1500)).await;
            redis.lock().unwrap().restart();
        }
    };
    let url = format!("redis://127.0.0.1:{port}");
    let (start, reports) = run_fleet(&running, &organization, &url, during).await;
    let arrivals = running.arrivals.lock().unwrap();
    let share = LIMIT / u32::try_from(PROCESSES).unwrap();
    eprintln!(
        "fault (Redis down from {} s to {} s): points sent per window {:?}, refused {:?}, failures {}, longest call {} ms, degraded {}, back on Redis {}",
        start / 1000 + 1,
        start / 1000 + 3,
        arrivals.sent,
        arrivals.refused,
        reports.iter().map(|report| report.failures).sum::<u64>(),
        reports
            .iter()
            .map(|report| report.max_call_ms)
            .max()
            .unwrap_or(0),
        reports.iter().map(|report| report.degraded).sum::<u64>(),
        reports.iter().map(|report| report.shared).sum::<u64>(),
    );
    for (window, sent) in &arrivals.sent {
        assert!(
            *sent <= LIMIT + share,
            "window {window}: {sent} points sent: {:?}",
            arrivals.sent
        );
    }
    // Nobody stuck: no call (counting those cut by the end of the run) took more than six
    // windows, though Redis was away for one and a half, and the windows it went away and
    // came back in are given up.
    assert!(
        reports.iter().all(|report| report.max_call_ms < 6_000),
        "{reports:?}"
    );
    assert!(reports.iter().all(|report| report.degraded == 1));
    assert!(reports.iter().all(|report| report.shared == 1));
}
