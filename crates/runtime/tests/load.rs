//! Load: a local server that enforces the provider's policy (points per window per
//! organisation, shared by its API keys, the four headers, 429 over budget), and 8 concurrent
//! tasks of two clients with two API keys of one organisation, mixing costs 1, 3 and 10 over
//! several windows. They must get no 429 and use at least 90% of the budget.
//! Windows are one second here (the real API's are a minute).

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sdkgen_runtime::{Client, Method, Plan, Request};

const LIMIT: u32 = 100;
const WINDOW_SECONDS: u64 = 1;

#[derive(Default)]
struct Policy {
    /// (window index, points used) per organisation.
    used: BTreeMap<String, (u64, u32)>,
    /// Points accepted per window index.
    accepted: BTreeMap<u64, u32>,
    rejected: u32,
}

async fn call(
    State(policy): State<Arc<Mutex<Policy>>>,
    Path(points): Path<u32>,
    headers: HeaderMap,
) -> Response {
    let organisation = match headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
    {
        Some("Bearer key-one") | Some("Bearer key-two") => "acme",
        _ => return StatusCode::UNAUTHORIZED.into_response(),
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let window = now.as_secs() / WINDOW_SECONDS;
    let reset = UNIX_EPOCH + Duration::from_secs((window + 1) * WINDOW_SECONDS);
    let mut policy = policy.lock().unwrap();
    let entry = policy
        .used
        .entry(organisation.to_owned())
        .or_insert((window, 0));
    if entry.0 != window {
        *entry = (window, 0);
    }
    let fits = entry.1 + points <= LIMIT;
    if fits {
        entry.1 += points;
    }
    let remaining = LIMIT - entry.1;
    let mut response = if fits {
        *policy.accepted.entry(window).or_default() += points;
        (StatusCode::OK, "{}").into_response()
    } else {
        policy.rejected += 1;
        let wait = reset.duration_since(SystemTime::now()).unwrap_or_default();
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"code":"rate_limited","message":"over budget"}"#,
        )
            .into_response();
        response.headers_mut().insert(
            "retry-after",
            (wait.as_secs() + 1).to_string().parse().unwrap(),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-limit", LIMIT.to_string().parse().unwrap());
    headers.insert(
        "x-ratelimit-remaining",
        remaining.to_string().parse().unwrap(),
    );
    headers.insert(
        "x-ratelimit-reset",
        httpdate::fmt_http_date(reset).parse().unwrap(),
    );
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tasks_two_keys_no_429_and_at_least_90_percent_of_the_budget() {
    let policy = Arc::new(Mutex::new(Policy::default()));
    let app = Router::new()
        .route("/cost/{points}", get(call))
        .with_state(Arc::clone(&policy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = |key: &str| {
        Client::builder()
            .base_url(&url)
            .bearer_token(key)
            .organization("acme-load-test")
            .plan(Plan::Build)
            .window(Duration::from_secs(WINDOW_SECONDS))
            .build()
            .unwrap()
    };
    // Start just before the server's window ends: the hardest case for the clients, whose
    // first guess of the window is then almost a whole window off.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let into_window = Duration::from_nanos(
        (now.as_nanos() % Duration::from_secs(WINDOW_SECONDS).as_nanos()) as u64,
    );
    let before_end = Duration::from_secs(WINDOW_SECONDS) - into_window;
    tokio::time::sleep(
        (before_end + Duration::from_secs(WINDOW_SECONDS))
            .saturating_sub(Duration::from_millis(30)),
    )
    .await;
    let clients = [client("key-one"), client("key-two")];
    let deadline = tokio::time::Instant::now() + Duration::from_millis(4500);
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let client = clients[task % 2].clone();
            tokio::spawn(async move {
                let costs = [1, 3, 10];
                let mut calls = 0;
                while tokio::time::Instant::now() < deadline {
                    let points = costs[(task + calls) % costs.len()];
                    let request =
                        Request::new("cost", Method::GET, format!("/cost/{points}"), points);
                    let outcome = tokio::time::timeout_at(
                        deadline,
                        client.execute::<serde_json::Value>(request),
                    )
                    .await;
                    if let Ok(result) = outcome {
                        result.unwrap();
                    }
                    calls += 1;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let policy = policy.lock().unwrap();
    assert_eq!(policy.rejected, 0, "no 429 at all");
    // Whole windows only: the first and the last were partly outside the run.
    let windows: Vec<u32> = policy.accepted.values().copied().collect();
    let whole = &windows[1..windows.len() - 1];
    assert!(whole.len() >= 3, "{windows:?}");
    let used: u32 = whole.iter().sum();
    let offered = LIMIT * whole.len() as u32;
    let share = f64::from(used) / f64::from(offered);
    eprintln!(
        "points per window: {windows:?}; whole windows used {used} of {offered} ({:.1}%)",
        share * 100.0
    );
    assert!(
        share >= 0.9,
        "used {:.1}% of the budget: {windows:?}",
        share * 100.0
    );
}
