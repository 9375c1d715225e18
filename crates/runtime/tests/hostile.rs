//! The runtime against servers that lie, fail and differ (issue 10): one regression test per
//! defect, each against a local axum server, each failing on the runtime before the fix.
//!
//! The tests run on tokio's paused clock: the server and the client share the test's runtime,
//! so every wait (a day's Retry-After, a ten-year reset) passes in no real time, and the
//! arrival times the server records are exact, so they can be asserted without flakiness.

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode};
use axum::response::{IntoResponse, Response};
use sdkgen_runtime::budget::BudgetError;
use sdkgen_runtime::{
    Client, Error, Method, Plan, Request, RetryBudgetPolicy, RetryPolicy, Throttling,
};
use tokio::time::Instant;

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Hit {
    at: Instant,
    method: String,
    idempotency_key: Option<String>,
}

/// What the server answers to its `n`-th request (0-based), after an optional delay.
type Script = dyn Fn(usize, &Hit) -> (Duration, Response) + Send + Sync;

struct Server {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Server {
    async fn start(
        script: impl Fn(usize, &Hit) -> (Duration, Response) + Send + Sync + 'static,
    ) -> Server {
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let recorded = Arc::clone(&hits);
        let app = Router::new().fallback(move |method: HttpMethod, headers: HeaderMap| {
            let (hits, script) = (Arc::clone(&recorded), Arc::clone(&script));
            async move {
                let hit = Hit {
                    at: Instant::now(),
                    method: method.to_string(),
                    idempotency_key: headers
                        .get("idempotency-key")
                        .map(|value| value.to_str().unwrap().to_owned()),
                };
                let n = {
                    let mut hits = hits.lock().unwrap();
                    hits.push(hit.clone());
                    hits.len() - 1
                };
                let (delay, response) = script(n, &hit);
                tokio::time::sleep(delay).await;
                response
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { url, hits }
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.hits.lock().unwrap().len()
    }
}

fn reply(status: StatusCode, headers: &[(&'static str, String)]) -> (Duration, Response) {
    let mut response = (status, r#"{"code":"c","message":"m"}"#).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(*name, value.parse().unwrap());
    }
    (Duration::ZERO, response)
}

fn ok(headers: &[(&'static str, String)]) -> (Duration, Response) {
    reply(StatusCode::OK, headers)
}

fn epoch_seconds(offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    now.saturating_add_signed(offset).to_string()
}

fn builder(url: &str, organization: &str) -> sdkgen_runtime::ClientBuilder {
    Client::builder()
        .base_url(url)
        .bearer_token("token")
        .organization(organization)
        .gate_jitter(Duration::ZERO)
}

fn get(path: &str) -> Request {
    Request::new("test", Method::GET, path, 1)
}

/// Defect 1: `Retry-After: 18446744073709551615` (or a reset that far) panicked every task
/// that read it ("overflow when adding duration to instant").
#[tokio::test(start_paused = true)]
async fn one_absurd_header_neither_panics_nor_stops_the_client_for_long() {
    let huge = u64::MAX.to_string();
    let server = Server::start(move |n, _| match n {
        0 => reply(
            StatusCode::TOO_MANY_REQUESTS,
            &[
                ("retry-after", huge.clone()),
                ("x-ratelimit-reset", huge.clone()),
            ],
        ),
        _ => ok(&[
            ("x-ratelimit-reset", huge.clone()),
            ("retry-after", huge.clone()),
        ]),
    })
    .await;
    let client = builder(&server.url, "absurd")
        .plan(Plan::Build)
        .build()
        .unwrap();
    let error = client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(u64::MAX)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "test: the server rate-limited the request and asks to wait 18446744073709551615 s: c: m"
    );
    // Calls are held for the policy's cap (120 s), not for ever: after it, the client sends
    // again, and a 200 with the same absurd headers is read without a panic.
    tokio::time::sleep(Duration::from_secs(121)).await;
    client
        .execute::<serde_json::Value>(get("/b"))
        .await
        .unwrap();
    client
        .execute::<serde_json::Value>(get("/c"))
        .await
        .unwrap();
    assert_eq!(server.count(), 3);
}

/// Defect 2: a 429 with `Retry-After: 86400` failed that call at once, but closed the gate
/// for the whole day first, so every later call waited a day with no error.
#[tokio::test(start_paused = true)]
async fn a_day_long_retry_after_fails_every_call_at_once_with_the_wait() {
    let server = Server::start(|_, _| {
        reply(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "86400".to_owned())],
        )
    })
    .await;
    let client = builder(&server.url, "day")
        .plan(Plan::Build)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "test: the server rate-limited the request and asks to wait 86400 s: c: m"
    );
    // Every later call fails at once: the gate (held for the cap, 120 s) is longer than the
    // call's timeout (30 s), so there is no point waiting.
    for _ in 0..3 {
        match client
            .execute::<serde_json::Value>(get("/b"))
            .await
            .unwrap_err()
        {
            Error::Budget {
                source: BudgetError::Paused { wait },
                ..
            } => assert!(wait <= Duration::from_secs(120) && wait > Duration::from_secs(119)),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(started.elapsed(), Duration::ZERO, "not a moment of waiting");
    assert_eq!(server.count(), 1, "nothing else was sent");
}

/// Defect 3: one answer with `X-RateLimit-Limit: 0` made the client refuse every later call
/// locally, forever.
#[tokio::test(start_paused = true)]
async fn a_limit_of_zero_waits_for_the_reset_then_probes_with_one_request() {
    let server = Server::start(|n, _| match n {
        0 => ok(&[
            ("x-ratelimit-limit", "0".to_owned()),
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", "2".to_owned()),
        ]),
        n => ok(&[
            ("x-ratelimit-limit", "100".to_owned()),
            ("x-ratelimit-remaining", (100 - n).to_string()),
            ("x-ratelimit-reset", "50".to_owned()),
        ]),
    })
    .await;
    let client = builder(&server.url, "zero")
        .plan(Plan::Build)
        .build()
        .unwrap();
    client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap();
    let started = Instant::now();
    // Two calls at once: one probes when the window turns, the other waits for its answer.
    let (first, second) = tokio::join!(
        client.execute::<serde_json::Value>(get("/b")),
        client.execute::<serde_json::Value>(get("/c"))
    );
    first.unwrap();
    second.unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 3);
    // The reset (2 s) plus the 50 ms margin, and not before.
    assert_eq!(hits[1].at - started, Duration::from_millis(2050));
    assert!(hits[2].at >= hits[1].at);
    // The limit is back: the next call goes at once.
    let now = Instant::now();
    client
        .execute::<serde_json::Value>(get("/d"))
        .await
        .unwrap();
    assert_eq!(server.hits()[3].at, now);
}

/// Defect 4: a reset ten years ahead made the client wait 315,359,990 s in silence; a reset
/// in the past refilled the budget at once.
#[tokio::test(start_paused = true)]
async fn a_reset_ten_years_ahead_is_not_waited_for() {
    let ten_years = epoch_seconds(315_360_000);
    let server = Server::start(move |_, _| {
        ok(&[
            ("x-ratelimit-limit", "10".to_owned()),
            ("x-ratelimit-remaining", "0".to_owned()),
            ("x-ratelimit-reset", ten_years.clone()),
        ])
    })
    .await;
    let client = builder(&server.url, "far")
        .plan(Plan::Custom(10))
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap();
    let started = Instant::now();
    client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap();
    // The remaining 0 counts; the reset does not: the next call waits for the window the
    // client knows (a minute), not ten years.
    client
        .execute::<serde_json::Value>(get("/b"))
        .await
        .unwrap();
    let waited = server.hits()[1].at - started;
    assert!(waited <= Duration::from_secs(60), "{waited:?}");
    assert!(waited >= Duration::from_secs(59), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_past_does_not_refill_the_budget() {
    let server = Server::start(|n, _| {
        if n >= 5 {
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                &[("retry-after", "30".to_owned())],
            );
        }
        ok(&[
            ("x-ratelimit-limit", "5".to_owned()),
            ("x-ratelimit-remaining", (4 - n).to_string()),
            ("x-ratelimit-reset", epoch_seconds(-5)),
        ])
    })
    .await;
    let client = builder(&server.url, "past")
        .plan(Plan::Custom(5))
        .timeout(Duration::from_secs(1))
        .max_budget_wait(Duration::from_secs(1))
        .build()
        .unwrap();
    let mut refused = 0;
    for _ in 0..8 {
        match client.execute::<serde_json::Value>(get("/a")).await {
            Ok(_) => {}
            Err(Error::Budget {
                source: BudgetError::Exhausted { wait, .. },
                ..
            }) => {
                assert!(wait > Duration::from_secs(1), "{wait:?}");
                refused += 1;
            }
            Err(other) => panic!("{other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!((server.count(), refused), (5, 3), "no 429 provoked");
}

/// Defect 5: every retry waited `backoff(1)` (half jitter), and retries after a 429 did not
/// back off at all: `Retry-After: 0` got about 1,000 requests a second from one task.
#[tokio::test(start_paused = true)]
async fn retries_back_off_exponentially_with_full_jitter() {
    let server = Server::start(|n, _| {
        if n % 5 < 4 {
            reply(StatusCode::SERVICE_UNAVAILABLE, &[])
        } else {
            ok(&[])
        }
    })
    .await;
    let client = builder(&server.url, "backoff")
        .retry_policy(RetryPolicy {
            max_retries: 4,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    const CALLS: usize = 20;
    for _ in 0..CALLS {
        client
            .execute::<serde_json::Value>(get("/a"))
            .await
            .unwrap();
    }
    let hits = server.hits();
    assert_eq!(hits.len(), 5 * CALLS);
    let ceilings = [200, 400, 800, 1600].map(Duration::from_millis);
    let mut mean = [Duration::ZERO; 4];
    for call in hits.chunks(5) {
        for retry in 0..4 {
            let gap = call[retry + 1].at - call[retry].at;
            assert!(gap <= ceilings[retry], "retry {retry}: {gap:?}");
            mean[retry] += gap / CALLS as u32;
        }
    }
    eprintln!("mean gaps before retries 1 to 4: {mean:?}");
    // Full jitter: the mean is half the ceiling, and grows with it (the old delays were
    // 100 to 200 ms for every retry).
    assert!(mean[3] > 2 * mean[0], "{mean:?}");
    assert!(mean[3] > Duration::from_millis(400), "{mean:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_of_zero_still_backs_off_and_the_retry_budget_runs_out() {
    let server = Server::start(|_, _| {
        reply(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "0".to_owned())],
        )
    })
    .await;
    let client = builder(&server.url, "zero-wait")
        .retry_policy(RetryPolicy {
            // Ten retries in the bucket, no refill with time: the test counts them.
            budget: RetryBudgetPolicy {
                capacity: 50,
                refill_per_second: 0,
                ..RetryBudgetPolicy::default()
            },
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..20 {
        let error = client
            .execute::<serde_json::Value>(get("/a"))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
    }
    // 20 first attempts and the 10 retries the budget held, not 20 * 4.
    assert_eq!(server.count(), 30);
    assert_eq!(client.retry_tokens(), 0);
    // The retries were spread out, not sent in the same instant.
    let hits = server.hits();
    let first_call = &hits[..4];
    assert!(first_call[3].at > first_call[0].at, "{first_call:?}");
    assert!(started.elapsed() > Duration::ZERO);
}

/// Defect 6: with both `Retry-After` (whole seconds, rounded up) and `X-RateLimit-Reset` (the
/// exact time), the client waited for the rounded one, and came back late.
#[tokio::test(start_paused = true)]
async fn the_precise_reset_wins_over_a_rounded_retry_after() {
    let server = Server::start(|n, _| match n {
        0 => reply(
            StatusCode::TOO_MANY_REQUESTS,
            &[
                ("retry-after", "2".to_owned()),
                ("x-ratelimit-reset", "1".to_owned()),
            ],
        ),
        _ => ok(&[]),
    })
    .await;
    let client = builder(&server.url, "precise")
        .plan(Plan::Build)
        .build()
        .unwrap();
    client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap();
    let hits = server.hits();
    // The reset (1 s) and the 50 ms margin; the old client came back after 2 s.
    assert_eq!(hits[1].at - hits[0].at, Duration::from_millis(1050));
}

/// Defect 7: two servers on one host with the same token shared one budget; error messages
/// printed Rust's Debug of options ("retry after Some(0ns)").
#[tokio::test(start_paused = true)]
async fn two_servers_on_one_host_have_two_budgets() {
    let first = Server::start(|_, _| ok(&[])).await;
    let second = Server::start(|_, _| ok(&[])).await;
    let client = |url: &str| {
        Client::builder()
            .base_url(url)
            .bearer_token("same-token")
            .plan(Plan::Custom(3))
            .build()
            .unwrap()
    };
    let (one, two) = (client(&first.url), client(&second.url));
    assert!(!Arc::ptr_eq(one.budget_handle(), two.budget_handle()));
    let started = Instant::now();
    for _ in 0..3 {
        one.execute::<serde_json::Value>(get("/a")).await.unwrap();
    }
    for _ in 0..3 {
        two.execute::<serde_json::Value>(get("/a")).await.unwrap();
    }
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "neither waited for the other"
    );
    assert_eq!((first.count(), second.count()), (3, 3));
}

#[tokio::test(start_paused = true)]
async fn errors_read_as_sentences_with_the_servers_code_and_message() {
    let server = Server::start(|n, _| {
        let body = match n {
            0 => r#"{"code":"rate_limited","message":"Too many requests for this organisation"}"#,
            _ => r#"{"error":{"code":"not_found","message":"No project 7"}}"#,
        };
        let status = if n == 0 {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::NOT_FOUND
        };
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert("retry-after", "0".parse().unwrap());
        (Duration::ZERO, response)
    })
    .await;
    let client = builder(&server.url, "sentences")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "test: the server rate-limited the request and asks to wait 0 ms: rate_limited: Too many requests for this organisation"
    );
    let error = client
        .execute::<serde_json::Value>(get("/b"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "test: the API answered 404 Not Found: not_found: No project 7"
    );
}

/// A third-party API: no point budget guessed for it, and no write replayed that the API
/// never promised to deduplicate.
#[tokio::test(start_paused = true)]
async fn a_third_party_api_is_not_throttled_to_a_guessed_budget() {
    let server = Server::start(|_, _| ok(&[])).await;
    let client = builder(&server.url, "third-party").build().unwrap();
    assert_eq!(client.throttling(), Throttling::Reactive);
    let started = Instant::now();
    for _ in 0..150 {
        client
            .execute::<serde_json::Value>(get("/a"))
            .await
            .unwrap();
    }
    // The old default (100 points a minute) made the 101st call wait a minute.
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(server.count(), 150);
}

#[tokio::test(start_paused = true)]
async fn a_write_that_timed_out_is_sent_again_only_when_the_api_deduplicates_it() {
    let server = Server::start(|n, _| {
        let (_, response) = ok(&[]);
        // The first answer of each call comes too late.
        let slow = matches!(n, 0 | 1 | 3);
        (
            if slow {
                Duration::from_secs(5)
            } else {
                Duration::ZERO
            },
            response,
        )
    })
    .await;
    let client = builder(&server.url, "writes")
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let create = || Request::new("create", Method::POST, "/tasks", 3);
    let error = client
        .execute::<serde_json::Value>(create())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "create: no answer within 1 s");
    // Sent once, with no key: the API never said it would honour one.
    let hits = server.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].idempotency_key, None);
    // Let the slow answer land before the next call, so the counts are the calls'.
    tokio::time::sleep(Duration::from_secs(5)).await;
    // An operation that declares the header: a key, the same on the retry.
    client
        .execute::<serde_json::Value>(create().with_idempotency_key())
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 3);
    assert!(hits[1].idempotency_key.is_some());
    assert_eq!(hits[1].idempotency_key, hits[2].idempotency_key);
    assert_eq!(hits[2].method, "POST");
    // A client that opted in for every write.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let opted_in = builder(&server.url, "writes-opt-in")
        .timeout(Duration::from_secs(1))
        .retry_policy(RetryPolicy {
            idempotency_keys: true,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    opted_in
        .execute::<serde_json::Value>(create())
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 5);
    assert!(hits[3].idempotency_key.is_some());
    assert_eq!(hits[3].idempotency_key, hits[4].idempotency_key);
}

/// The provider (costs declared: a local point budget) beside a third-party API (no costs:
/// reactive only), each against a server enforcing 10 per window.
#[tokio::test(start_paused = true)]
async fn a_provider_client_throttles_by_points_and_a_third_party_client_reacts_to_429s() {
    let enforcing = || {
        let used = Arc::new(Mutex::new(0u32));
        move |_: usize, _: &Hit| {
            let mut used = used.lock().unwrap();
            *used += 1;
            if *used > 10 {
                reply(
                    StatusCode::TOO_MANY_REQUESTS,
                    &[("retry-after", "1".to_owned())],
                )
            } else {
                ok(&[
                    ("x-ratelimit-limit", "10".to_owned()),
                    ("x-ratelimit-remaining", (10 - *used).to_string()),
                ])
            }
        }
    };
    let provider = Server::start(enforcing()).await;
    let third_party = Server::start(enforcing()).await;
    let points = builder(&provider.url, "side-provider")
        .throttling(Throttling::Points)
        .plan(Plan::Custom(10))
        .timeout(Duration::from_secs(1))
        // A points client waits out a window by default; here it must refuse at once.
        .max_budget_wait(Duration::from_secs(1))
        .build()
        .unwrap();
    let reactive = builder(&third_party.url, "side-third-party")
        .timeout(Duration::from_secs(1))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let mut outcomes = (Vec::new(), Vec::new());
    for _ in 0..12 {
        outcomes
            .0
            .push(points.execute::<serde_json::Value>(get("/a")).await.is_ok());
        outcomes.1.push(
            reactive
                .execute::<serde_json::Value>(get("/a"))
                .await
                .is_ok(),
        );
    }
    assert_eq!(started.elapsed(), Duration::ZERO, "neither waited");
    // Points: ten sent, the two beyond the budget refused locally (their wait is beyond
    // the timeout); the server refused nothing.
    assert_eq!(provider.count(), 10);
    assert_eq!(outcomes.0.iter().filter(|ok| **ok).count(), 10);
    // Reactive: sent until the server said 429; then held by the gate, not sent again.
    assert_eq!(third_party.count(), 11);
    assert_eq!(outcomes.1.iter().filter(|ok| **ok).count(), 10);
}

/// The window length is learned from the server's resets: against ten-second windows, a
/// client that assumed the provider's minute used one window in six.
#[tokio::test(start_paused = true)]
async fn a_shorter_window_is_learned_so_the_budget_is_used_in_every_window() {
    const WINDOW: u64 = 10;
    let opened = Instant::now();
    let used = Arc::new(Mutex::new((0u64, 0u32, 0u32)));
    let counts = Arc::clone(&used);
    let server = Server::start(move |_, _| {
        let elapsed = opened.elapsed();
        let window = elapsed.as_secs() / WINDOW;
        let reset_in = (window + 1) * WINDOW * 1000 - u64::try_from(elapsed.as_millis()).unwrap();
        let mut used = counts.lock().unwrap();
        if used.0 != window {
            (used.0, used.1) = (window, 0);
        }
        if used.1 >= 5 {
            used.2 += 1;
            return reply(
                StatusCode::TOO_MANY_REQUESTS,
                &[("retry-after", reset_in.div_ceil(1000).to_string())],
            );
        }
        used.1 += 1;
        ok(&[
            ("x-ratelimit-limit", "5".to_owned()),
            ("x-ratelimit-remaining", (5 - used.1).to_string()),
            ("x-ratelimit-reset", reset_in.div_ceil(1000).to_string()),
        ])
    })
    .await;
    let client = builder(&server.url, "short-window")
        .plan(Plan::Custom(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut done = 0;
    while started.elapsed() < Duration::from_secs(60) {
        client
            .execute::<serde_json::Value>(get("/a"))
            .await
            .unwrap();
        done += 1;
    }
    assert_eq!(client.budget_handle().window(), Duration::from_secs(WINDOW));
    eprintln!("{done} calls in a minute of ten-second windows of 5 points");
    // Six windows of five points in the minute (the old client: eleven calls).
    assert!(done >= 30, "{done} calls in a minute");
    assert_eq!(used.lock().unwrap().2, 0, "no 429");
}

/// Budget waits are bounded by the request's timeout unless the user allows longer.
#[tokio::test(start_paused = true)]
async fn budget_waits_are_bounded_by_the_timeout_unless_allowed_longer() {
    let server = Server::start(|_, _| ok(&[])).await;
    let client = builder(&server.url, "bounded")
        .plan(Plan::Custom(1))
        .timeout(Duration::from_secs(1))
        .max_budget_wait(Duration::from_secs(120))
        .build()
        .unwrap();
    client
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap();
    // Its own timeout of 5 s: the next window is a minute away, so it fails at once.
    let started = Instant::now();
    match client
        .execute::<serde_json::Value>(get("/b").with_timeout(Duration::from_secs(5)))
        .await
        .unwrap_err()
    {
        Error::Budget {
            source: BudgetError::Exhausted { wait, .. },
            ..
        } => assert_eq!(wait, Duration::from_secs(60)),
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed(), Duration::ZERO);
    // Without one, it may wait up to two minutes: it waits the minute, and goes.
    client
        .execute::<serde_json::Value>(get("/c"))
        .await
        .unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(60));
    assert_eq!(server.count(), 2);
}

/// A retry does not wait for the server longer than the call may wait for the budget.
#[tokio::test(start_paused = true)]
async fn a_retry_waits_for_the_server_no_longer_than_the_call_may_wait() {
    let server = Server::start(|n, _| match n {
        0 | 1 => reply(
            StatusCode::TOO_MANY_REQUESTS,
            &[("retry-after", "5".to_owned())],
        ),
        _ => ok(&[]),
    })
    .await;
    let impatient = builder(&server.url, "impatient")
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = impatient
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(wait), .. } if wait == Duration::from_secs(5))
    );
    assert_eq!((started.elapsed(), server.count()), (Duration::ZERO, 1));
    tokio::time::sleep(Duration::from_secs(6)).await;
    let patient = builder(&server.url, "patient")
        .timeout(Duration::from_secs(1))
        .max_budget_wait(Duration::from_secs(10))
        .build()
        .unwrap();
    let started = Instant::now();
    patient
        .execute::<serde_json::Value>(get("/a"))
        .await
        .unwrap();
    let hits = server.hits();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[2].at - started, Duration::from_millis(5050));
}
