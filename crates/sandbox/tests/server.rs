//! The sandbox over HTTP, serving the provider's spec: auth, validation, budgets, round
//! trips, budget changes, garbage.

// Test fixtures unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sdkgen_sandbox::{Key, Plan, Sandbox, Settings};
use serde_json::{Value, json};

async fn start(plan: Plan) -> (String, Arc<Sandbox>) {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/v1/1.1.0.yaml");
    let api = sdkgen_loader::load_file(spec).unwrap();
    let settings = Settings {
        keys: vec![
            Key {
                token: "key-a".into(),
                organization: "acme".into(),
                plan,
            },
            Key {
                token: "key-b".into(),
                organization: "acme".into(),
                plan,
            },
        ],
        max_body_bytes: 64 * 1024,
        request_timeout: Duration::from_secs(2),
        ..Settings::default()
    };
    let sandbox = Sandbox::new(api, &settings);
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

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn missing_malformed_and_unknown_tokens_get_401_with_the_error_body() {
    let (url, _) = start(Plan::Build).await;
    for authorization in [None, Some("Basic abc"), Some("Bearer nope")] {
        let mut request = client().get(format!("{url}/organization"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{authorization:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn invalid_requests_get_400_saying_what_is_wrong() {
    let (url, _) = start(Plan::Enterprise).await;
    let response = client()
        .get(format!("{url}/projects?limit=0"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("query.limit"),
        "{body}"
    );
    let response = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .json(&json!({"description": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["details"]["body/name"]
            .as_str()
            .unwrap()
            .contains("required"),
        "{body}"
    );
    assert!(
        body["details"]["body/description"]
            .as_str()
            .unwrap()
            .contains("must be a string"),
        "{body}"
    );
    let response = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .header("content-type", "application/json")
        .body("{garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Rate-limit headers on every answer, errors included.
    assert!(response.headers().contains_key("x-ratelimit-remaining"));
}

#[tokio::test]
async fn resources_round_trip() {
    let (url, _) = start(Plan::Enterprise).await;
    let created: Value = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .json(&json!({"name": "Apollo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "Apollo");
    let fetched: Value = client()
        .get(format!("{url}/projects/{id}"))
        .bearer_auth("key-b")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, created);
    let task: Value = client()
        .post(format!("{url}/projects/{id}/tasks"))
        .bearer_auth("key-a")
        .json(&json!({"title": "Launch"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(task["project_id"], id.as_str());
    let updated: Value = client()
        .patch(format!("{url}/tasks/{}", task["id"].as_str().unwrap()))
        .bearer_auth("key-a")
        .json(&json!({"status": "done"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (updated["status"].as_str(), updated["title"].as_str()),
        (Some("done"), Some("Launch"))
    );
    let page: Value = client()
        .get(format!("{url}/projects/{id}/tasks"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["next_cursor"], Value::Null);
    let deleted = client()
        .delete(format!("{url}/projects/{id}"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let missing = client()
        .get(format!("{url}/projects/{id}"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_budget_is_charged_per_organisation_and_429_says_when_to_retry() {
    let (url, sandbox) = start(Plan::Custom(11)).await;
    // createProject costs 3 and getProjectReport 8; both keys share the organisation's 11.
    let project: Value = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .json(&json!({"name": "p"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let report_url = format!("{url}/projects/{}/report", project["id"].as_str().unwrap());
    let first = client()
        .get(&report_url)
        .bearer_auth("key-b")
        .send()
        .await
        .unwrap();
    let second = client()
        .get(&report_url)
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    // One of the two windows may have turned between the calls; at least one must be refused
    // when they share one window.
    if first.headers()["x-ratelimit-reset"] == second.headers()["x-ratelimit-reset"] {
        assert_eq!(first.status(), 200);
        assert_eq!(second.status(), 429);
        let retry_after: u64 = second.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry_after <= 60);
        assert_eq!(second.headers()["x-ratelimit-limit"], "11");
        assert_eq!(sandbox.rejections("acme"), 1);
    }
    // A budget change takes effect at once.
    sandbox.set_budget("acme", 1000);
    let third = client()
        .get(&report_url)
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 200);
    assert_eq!(third.headers()["x-ratelimit-limit"], "1000");
}

#[tokio::test]
async fn the_cost_of_a_request_depends_on_it_as_declared() {
    let (url, sandbox) = start(Plan::Enterprise).await;
    let project: Value = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .json(&json!({"name": "p"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let before: u32 = sandbox.usage("acme").iter().map(|(_, used)| used).sum();
    let tasks: Vec<Value> = (0..5)
        .map(|index| json!({"title": format!("t{index}")}))
        .collect();
    let response = client()
        .post(format!(
            "{url}/projects/{}/tasks/batch",
            project["id"].as_str().unwrap()
        ))
        .bearer_auth("key-a")
        .json(&json!({"tasks": tasks}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let after: u32 = sandbox.usage("acme").iter().map(|(_, used)| used).sum();
    assert_eq!(after - before, 7, "2 + 1 per task");
}

#[tokio::test]
async fn garbage_huge_bodies_and_unknown_routes_get_clear_errors() {
    let (url, _) = start(Plan::Enterprise).await;
    let huge = vec![b'x'; 200 * 1024];
    let response = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let response = client()
        .get(format!("{url}/no/such/path"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = client()
        .put(format!("{url}/projects"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let response = client()
        .post(format!("{url}/projects"))
        .bearer_auth("key-a")
        .header("content-type", "application/json")
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // Still up.
    let response = client()
        .get(format!("{url}/organization"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn keys_parse_from_the_command_line_form() {
    assert_eq!(
        Key::parse("t:o:build").unwrap(),
        Key {
            token: "t".into(),
            organization: "o".into(),
            plan: Plan::Build
        }
    );
    assert_eq!(Key::parse("t:o:250").unwrap().plan, Plan::Custom(250));
    assert!(Key::parse("t:o").unwrap_err().contains("TOKEN:ORG:PLAN"));
    assert!(
        Key::parse("t:o:gold")
            .unwrap_err()
            .contains("build, enterprise or a number")
    );
}

#[tokio::test]
async fn a_slow_client_is_cut_off_and_the_server_stays_up() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (url, _) = start(Plan::Enterprise).await;
    let address = url.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Headers promise a body that never comes.
    slow.write_all(b"POST /projects HTTP/1.1\r\nhost: x\r\nauthorization: Bearer key-a\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{").await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cut off after the 2 s request timeout"
    );
    let response = client()
        .get(format!("{url}/organization"))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
