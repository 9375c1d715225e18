//! The client against a real local HTTP server: auth, retries, Retry-After, idempotency keys,
//! bodies, and every error kind.

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get as route_get};
use sdkgen_runtime::{
    Body, BudgetMode, Client, Error, ErrorBody, Method, Part, Plan, Request, RetryPolicy,
};
use serde::Deserialize;

#[derive(Default)]
struct Seen {
    hits: HashMap<String, usize>,
    idempotency_keys: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Seen>>;

#[derive(Debug, Deserialize, PartialEq)]
struct ApiError {
    code: String,
    message: String,
}

fn error_json(status: StatusCode, code: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        format!(r#"{{"code":"{code}","message":"{code} happened"}}"#),
    )
        .into_response()
}

async fn fail(
    State(seen): State<Shared>,
    Path((times, status)): Path<(usize, u16)>,
    headers: HeaderMap,
) -> Response {
    let hits = {
        let mut seen = seen.lock().unwrap();
        seen.idempotency_keys.push(
            headers
                .get("idempotency-key")
                .map(|value| value.to_str().unwrap().to_owned()),
        );
        let hits = seen.hits.entry(format!("{times}/{status}")).or_default();
        *hits += 1;
        *hits
    };
    if hits <= times {
        let mut response = error_json(StatusCode::from_u16(status).unwrap(), "transient");
        response
            .headers_mut()
            .insert("retry-after", "1".parse().unwrap());
        return response;
    }
    (StatusCode::OK, format!(r#"{{"attempts":{hits}}}"#)).into_response()
}

async fn server() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/fail/{times}/{status}", any(fail))
        .route(
            "/auth",
            route_get(|headers: HeaderMap| async move {
                match headers.get("authorization").map(|value| value.to_str().unwrap_or_default()) {
                    Some("Bearer s3cret") => (StatusCode::OK, "{}").into_response(),
                    _ => error_json(StatusCode::UNAUTHORIZED, "unauthorized"),
                }
            }),
        )
        .route("/status/{code}", route_get(|Path(code): Path<u16>| async move { error_json(StatusCode::from_u16(code).unwrap(), "failed") }))
        .route("/text-error", route_get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "plain text") }))
        .route("/bad-json", route_get(|| async { (StatusCode::OK, "{not json") }))
        .route("/slow", route_get(|| async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            "{}"
        }))
        .route("/huge", route_get(|| async { vec![b'x'; 2 * 1024 * 1024] }))
        .route("/invalid-utf8", route_get(|| async { Bytes::from_static(&[0xff, 0xfe, b'{']) }))
        .route("/garbage-headers", route_get(|| async {
            ([("x-ratelimit-limit", "lots"), ("x-ratelimit-remaining", "-1"), ("x-ratelimit-reset", "tomorrow")], "{}")
        }))
        .route("/limits", route_get(|| async {
            let reset = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
            ([("x-ratelimit-limit", "50".to_owned()), ("x-ratelimit-remaining", "7".to_owned()), ("x-ratelimit-reset", reset)], "{}")
        }))
        .route(
            "/echo",
            any(|headers: HeaderMap, body: Bytes| async move {
                let content_type = headers.get("content-type").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default();
                serde_json::json!({"content_type": content_type, "body": String::from_utf8_lossy(&body)}).to_string()
            }),
        )
        .with_state(Arc::clone(&seen));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), seen)
}

/// Each test gets its own organisation, so budgets of concurrent tests never mix.
fn client(base_url: &str, organization: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .bearer_token("s3cret")
        .organization(organization)
        .plan(Plan::Custom(1000))
        .timeout(Duration::from_secs(1))
        .gate_jitter(Duration::ZERO)
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

fn get(path: &str) -> Request {
    Request::new("test", Method::GET, path, 1)
}

#[tokio::test]
async fn the_bearer_token_is_sent_and_never_shown() {
    let (url, _) = server().await;
    let client = client(&url, "auth");
    client.execute::<ApiError>(get("/auth")).await.unwrap();
    assert!(!format!("{client:?}").contains("s3cret"), "{client:?}");
    let anonymous = Client::builder()
        .base_url(&url)
        .organization("auth-anon")
        .build()
        .unwrap();
    match anonymous
        .execute::<ApiError>(get("/auth"))
        .await
        .unwrap_err()
    {
        Error::Unauthorized {
            status,
            body: ErrorBody::Typed(body),
            ..
        } => {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(body.code, "unauthorized");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn transient_errors_are_retried_honouring_retry_after() {
    let (url, seen) = server().await;
    let client = client(&url, "retry");
    let started = Instant::now();
    let response = client
        .execute::<ApiError>(get("/fail/2/503"))
        .await
        .unwrap();
    assert_eq!(&response.body()[..], br#"{"attempts":3}"#);
    // Two waits of Retry-After: 1 second each.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(seen.lock().unwrap().hits["2/503"], 3);
}

#[tokio::test]
async fn retries_stop_when_the_policy_says_so() {
    let (url, seen) = server().await;
    let client = Client::builder()
        .base_url(&url)
        .organization("no-retry")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    match client
        .execute::<ApiError>(get("/fail/5/502"))
        .await
        .unwrap_err()
    {
        Error::Api {
            status,
            body: ErrorBody::Typed(body),
            ..
        } => {
            assert_eq!(
                (status, body.code.as_str()),
                (StatusCode::BAD_GATEWAY, "transient")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.lock().unwrap().hits["5/502"], 1);
}

#[tokio::test]
async fn a_429_waits_for_the_gate_and_retries_once_charged() {
    let (url, seen) = server().await;
    let client = client(&url, "gate");
    let started = Instant::now();
    client
        .execute::<ApiError>(get("/fail/1/429"))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(seen.lock().unwrap().hits["1/429"], 2);
    let budget = client.budget().await.unwrap();
    assert_eq!(budget.in_flight, 0);
    assert_eq!(budget.blocked_until, None);
}

#[tokio::test]
async fn writes_that_declare_an_idempotency_key_carry_one_across_retries() {
    let (url, seen) = server().await;
    let client = client(&url, "idempotency");
    let request = Request::new("create", Method::POST, "/fail/1/503", 3)
        .with_idempotency_key()
        .json(&serde_json::json!({"a": 1}))
        .unwrap();
    client.execute::<ApiError>(request).await.unwrap();
    let keys = seen.lock().unwrap().idempotency_keys.clone();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].as_ref().is_some_and(|key| key.len() == 32));
    assert_eq!(keys[0], keys[1], "the same key on the retry");
    // Another call gets another key.
    client
        .execute::<ApiError>(
            Request::new("create", Method::POST, "/fail/0/503", 3).with_idempotency_key(),
        )
        .await
        .unwrap();
    let keys = seen.lock().unwrap().idempotency_keys.clone();
    assert_ne!(keys[2], keys[0]);
}

#[tokio::test]
async fn writes_are_not_retried_after_a_503_by_default() {
    let (url, seen) = server().await;
    let client = Client::builder()
        .base_url(&url)
        .organization("unsafe-writes")
        .build()
        .unwrap();
    let error = client
        .execute::<ApiError>(Request::new("create", Method::POST, "/fail/1/503", 3))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.hits["1/503"], 1);
    assert_eq!(seen.idempotency_keys, [None]);
}

#[tokio::test]
async fn error_bodies_are_typed_when_they_match_and_raw_otherwise() {
    let (url, _) = server().await;
    let client = client(&url, "errors");
    match client
        .execute::<ApiError>(get("/status/404"))
        .await
        .unwrap_err()
    {
        Error::Api {
            status,
            body,
            operation,
            server_message,
        } => {
            assert_eq!(
                server_message.map(|message| message.to_string()).as_deref(),
                Some("failed: failed happened")
            );
            assert_eq!((status, operation), (StatusCode::NOT_FOUND, "test"));
            assert_eq!(
                body.typed(),
                Some(&ApiError {
                    code: "failed".into(),
                    message: "failed happened".into()
                })
            );
        }
        other => panic!("{other:?}"),
    }
    match client
        .execute::<ApiError>(get("/status/403"))
        .await
        .unwrap_err()
    {
        Error::Unauthorized { status, .. } => assert_eq!(status, StatusCode::FORBIDDEN),
        other => panic!("{other:?}"),
    }
    match client
        .execute::<ApiError>(get("/text-error"))
        .await
        .unwrap_err()
    {
        Error::Api {
            body: ErrorBody::Raw(raw),
            ..
        } => assert_eq!(&raw[..], b"plain text"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn undecodable_success_bodies_keep_the_body() {
    let (url, _) = server().await;
    let client = client(&url, "decode");
    let response = client.execute::<ApiError>(get("/bad-json")).await.unwrap();
    match response.json::<serde_json::Value, ApiError>().unwrap_err() {
        Error::Decode { body, status, .. } => {
            assert_eq!((&body[..], status), (&b"{not json"[..], StatusCode::OK))
        }
        other => panic!("{other:?}"),
    }
    let response = client
        .execute::<ApiError>(get("/invalid-utf8"))
        .await
        .unwrap();
    assert!(matches!(
        response.clone().json::<String, ApiError>(),
        Err(Error::Decode { .. })
    ));
    assert_eq!(response.text().into_inner(), "\u{fffd}\u{fffd}{");
}

#[tokio::test]
async fn timeouts_huge_bodies_and_refused_connections_are_errors() {
    let (url, _) = server().await;
    let client = Client::builder()
        .base_url(&url)
        .organization("limits")
        .timeout(Duration::from_millis(300))
        .max_response_bytes(1024 * 1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(matches!(
        client.execute::<ApiError>(get("/slow")).await,
        Err(Error::Timeout { .. })
    ));
    assert!(matches!(
        client.execute::<ApiError>(get("/huge")).await,
        Err(Error::ResponseTooLarge { limit: 1048576, .. })
    ));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let refused = Client::builder()
        .base_url(closed)
        .organization("refused")
        .plan(Plan::Build)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(matches!(
        refused.execute::<ApiError>(get("/")).await,
        Err(Error::Transport { .. })
    ));
    // A refused connection never reached the server: its points came back.
    assert_eq!(refused.budget().await.unwrap().remaining, 100);
}

#[tokio::test]
async fn rate_limit_headers_reconcile_the_budget_and_garbage_is_ignored() {
    let (url, _) = server().await;
    let client = client(&url, "headers");
    client
        .execute::<ApiError>(get("/garbage-headers"))
        .await
        .unwrap();
    assert_eq!(client.budget().await.unwrap().limit, 1000);
    client.execute::<ApiError>(get("/limits")).await.unwrap();
    let budget = client.budget().await.unwrap();
    assert_eq!((budget.limit, budget.remaining), (50, 7));
    let reset_in = budget.resets_in();
    assert!(
        reset_in > Duration::from_secs(18) && reset_in <= Duration::from_secs(21),
        "{reset_in:?}"
    );
}

#[tokio::test]
async fn fail_fast_mode_refuses_instead_of_waiting() {
    let (url, _) = server().await;
    let client = Client::builder()
        .base_url(&url)
        .organization("fail-fast")
        .plan(Plan::Custom(5))
        .budget_mode(BudgetMode::FailFast)
        .build()
        .unwrap();
    client
        .execute::<ApiError>(Request::new("a", Method::GET, "/auth", 4))
        .await
        .unwrap_err();
    match client
        .execute::<ApiError>(Request::new("b", Method::GET, "/auth", 4))
        .await
        .unwrap_err()
    {
        Error::Budget { operation, source } => {
            assert_eq!(operation, "b");
            assert!(
                source
                    .to_string()
                    .contains("4 points are needed, 1 are left"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bodies_go_out_in_their_media_types() {
    let (url, _) = server().await;
    let client = client(&url, "bodies");
    let echo = |body: Body| async {
        let response = client
            .execute::<ApiError>(Request::new("echo", Method::POST, "/echo", 1).body(body))
            .await
            .unwrap();
        response
            .json::<serde_json::Value, ApiError>()
            .unwrap()
            .into_inner()
    };
    let form = echo(Body::Form(vec![("a b".into(), "c&d".into())])).await;
    assert_eq!(form["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(form["body"], "a+b=c%26d");
    let multipart = echo(Body::Multipart(vec![
        Part::text("description", "notes"),
        Part::file("file", "a.txt", "text/plain", Bytes::from_static(b"hello")),
    ]))
    .await;
    assert!(
        multipart["content_type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let body = multipart["body"].as_str().unwrap();
    assert!(
        body.contains("name=\"file\"; filename=\"a.txt\"") && body.contains("hello"),
        "{body}"
    );
    let binary = echo(Body::Bytes {
        content_type: "application/octet-stream".into(),
        bytes: Bytes::from_static(b"raw"),
    })
    .await;
    assert_eq!(
        (binary["content_type"].as_str(), binary["body"].as_str()),
        (Some("application/octet-stream"), Some("raw"))
    );
}

#[tokio::test]
async fn invalid_requests_are_refused_before_spending_points() {
    let (url, _) = server().await;
    let client = client(&url, "invalid");
    let request = get("/auth").header("bad header", "x");
    match client.execute::<ApiError>(request).await.unwrap_err() {
        Error::InvalidRequest { message, .. } => {
            assert!(message.contains("bad header name"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(client.budget().await.unwrap().remaining, 1000);
}

#[test]
fn builder_errors_say_what_is_wrong() {
    let error = Client::builder().build().unwrap_err();
    assert!(error.to_string().contains("no base URL"));
    let error = Client::builder().base_url("ftp://x").build().unwrap_err();
    assert!(error.to_string().contains("http or https"));
    let error = Client::builder()
        .base_url("http://x")
        .plan(Plan::Custom(0))
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("at least one point"));
    // SAFETY of the test: the variable name is unique to this test.
    let error = Client::builder()
        .bearer_token_from_env("SDKGEN_TEST_SURELY_UNSET_VARIABLE")
        .unwrap_err();
    assert!(error.to_string().contains("is not set"));
}
