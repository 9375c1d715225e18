//! Chaos mode over HTTP, and the sandbox started as the command line starts it.

// Test fixtures unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sdkgen_sandbox::{Chaos, Failure, Key, Mount, Options, Plan, Sandbox, Settings};

async fn start(chaos: Chaos) -> (String, Arc<Sandbox>) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/v1/1.1.0.yaml");
    let api = sdkgen_loader::load_file(spec).unwrap();
    let settings = Settings {
        keys: vec![Key {
            token: "key".into(),
            organization: "org".into(),
            plan: Plan::Build,
        }],
        chaos: Some(chaos),
        ..Settings::default()
    };
    let sandbox = Sandbox::open(vec![Mount::at_root(api, "v1")], &settings).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = sandbox.router(&settings);
    tokio::spawn(async move {
        sdkgen_sandbox::serve_router(listener, router, &settings)
            .await
            .unwrap()
    });
    (url, sandbox)
}

fn always(failure: Failure) -> Chaos {
    Chaos {
        fail_rate: 1.0,
        failures: vec![failure],
        ..Chaos::default()
    }
}

async fn organization(url: &str) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .get(format!("{url}/organization"))
        .bearer_auth("key")
        .send()
        .await
}

#[tokio::test]
async fn failures_are_the_kinds_asked_for_and_cost_nothing() {
    for (failure, status) in [
        (Failure::InternalError, 500),
        (Failure::BadGateway, 502),
        (Failure::Unavailable, 503),
    ] {
        let (url, sandbox) = start(always(failure)).await;
        let response = organization(&url).await.unwrap();
        assert_eq!(response.status(), status);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["message"],
            "chaos mode: this request failed on purpose"
        );
        assert!(sandbox.usage("org").is_empty(), "not charged");
        assert_eq!(sandbox.chaos_failures(), 1);
    }
    let (url, sandbox) = start(always(Failure::Dropped)).await;
    let error = organization(&url).await.expect_err("no answer");
    assert!(!error.is_status(), "{error}");
    assert_eq!(sandbox.chaos_failures(), 1);
    // Without failures, requests pass (after their latency).
    let (url, sandbox) = start(Chaos {
        latency: (Duration::from_millis(50), Duration::from_millis(60)),
        ..Chaos::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(organization(&url).await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(sandbox.chaos_failures(), 0);
}

#[tokio::test]
async fn run_serves_every_major_and_says_what_and_with_which_keys() {
    let options = Options {
        specs: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs"),
        address: "127.0.0.1:0".into(),
        window_seconds: 60,
        seed: Some(9),
        ..Options::default()
    };
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(async move {
        sdkgen_sandbox::run(&options, |message| {
            let _ = sender.send(message.to_owned());
        })
        .await
    });
    let message = tokio::time::timeout(Duration::from_secs(10), receiver)
        .await
        .unwrap()
        .unwrap();
    assert!(
        message.contains("demo-build-key:demo-build:build"),
        "{message}"
    );
    assert!(message.contains("chaos: seed 9, fail rate 0,"), "{message}");
    let url = message
        .split_whitespace()
        .find(|word| word.starts_with("http://") && word.ends_with("/v2"))
        .unwrap();
    let response = reqwest::Client::new()
        .get(format!("{url}/organization"))
        .bearer_auth("demo-enterprise-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.abort();
    // Bad options end it at once, saying why.
    let error = sdkgen_sandbox::run(
        &Options {
            address: "nowhere".into(),
            window_seconds: 60,
            ..Options::default()
        },
        |_| {},
    )
    .await
    .expect_err("bad options");
    assert!(
        error.to_string().starts_with("could not read") || error.to_string().starts_with("--addr"),
        "{error}"
    );
}

#[tokio::test]
async fn serving_on_a_busy_address_is_a_clear_error() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = taken.local_addr().unwrap();
    let api = sdkgen_loader::load_file(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/v1/1.1.0.yaml"),
    )
    .unwrap();
    let error = sdkgen_sandbox::serve(
        vec![Mount::new(api, "v1")],
        Settings::default(),
        address,
        |_, _| {},
    )
    .await
    .expect_err("the address is taken");
    assert!(
        error
            .to_string()
            .starts_with(&format!("could not serve on {address}: ")),
        "{error}"
    );
}
