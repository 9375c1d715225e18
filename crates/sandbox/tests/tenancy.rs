//! The sandbox as a faithful, multi-tenant stand-in for the provider: organisations see only
//! their own resources, queries are read strictly, the charge and its headers are one step,
//! every major is served at once, answers say what was sent, and resources survive a restart.

// Test fixtures unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use sdkgen_sandbox::{Key, Mount, Plan, Sandbox, Settings};
use serde_json::{Value, json};

fn specs() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

fn keys() -> Vec<Key> {
    ["a", "b"]
        .into_iter()
        .map(|organization| Key {
            token: format!("key-{organization}"),
            organization: format!("org-{organization}"),
            plan: Plan::Custom(100_000),
        })
        .collect()
}

/// Serves `mounts` on a free port; the base URL and the sandbox.
async fn start(mounts: Vec<Mount>, settings: Settings) -> (String, Arc<Sandbox>) {
    let sandbox = Sandbox::open(mounts, &settings).unwrap();
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

/// Every major at once, with keys of two organisations.
async fn start_default() -> (String, Arc<Sandbox>) {
    let settings = Settings {
        keys: keys(),
        ..Settings::default()
    };
    start(sdkgen_sandbox::default_mounts(&specs()).unwrap(), settings).await
}

/// Sends a JSON request; the status and the body (null when empty or not JSON).
async fn call(method: Method, url: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn nothing_of_one_organisation_is_visible_to_or_changeable_by_another() {
    let (url, _) = start_default().await;
    let v1 = format!("{url}/v1");
    let (status, project) = call(
        Method::POST,
        &format!("{v1}/projects"),
        "key-a",
        Some(json!({"name": "secret"})),
    )
    .await;
    assert_eq!(status, 201);
    let project = id(&project);
    let (_, task) = call(
        Method::POST,
        &format!("{v1}/projects/{project}/tasks"),
        "key-a",
        Some(json!({"title": "launch"})),
    )
    .await;
    let task = id(&task);
    let (_, comment) = call(
        Method::POST,
        &format!("{v1}/tasks/{task}/comments"),
        "key-a",
        Some(json!({"body": "mine"})),
    )
    .await;
    let comment = id(&comment);
    let (_, api_key) = call(
        Method::POST,
        &format!("{v1}/organization/api-keys"),
        "key-a",
        Some(json!({"name": "ci"})),
    )
    .await;
    let api_key = id(&api_key);

    // Organisation B, every verb on A's resources: 404, and nothing changes.
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("{v1}/projects/{project}"), None),
        (
            Method::PATCH,
            format!("{v1}/projects/{project}"),
            Some(json!({"name": "pwned-by-orgB"})),
        ),
        (Method::GET, format!("{v1}/projects/{project}/tasks"), None),
        (
            Method::POST,
            format!("{v1}/projects/{project}/tasks"),
            Some(json!({"title": "intruder"})),
        ),
        (
            Method::POST,
            format!("{v1}/projects/{project}/tasks/batch"),
            Some(json!({"tasks": [{"title": "intruder"}]})),
        ),
        (Method::GET, format!("{v1}/projects/{project}/report"), None),
        (Method::GET, format!("{v1}/projects/{project}/export"), None),
        (Method::GET, format!("{v1}/tasks/{task}"), None),
        (
            Method::PATCH,
            format!("{v1}/tasks/{task}"),
            Some(json!({"title": "pwned"})),
        ),
        (Method::GET, format!("{v1}/tasks/{task}/comments"), None),
        (
            Method::POST,
            format!("{v1}/tasks/{task}/comments"),
            Some(json!({"body": "pwned"})),
        ),
        (Method::DELETE, format!("{v1}/comments/{comment}"), None),
        (Method::DELETE, format!("{v1}/tasks/{task}"), None),
        (Method::DELETE, format!("{v1}/projects/{project}"), None),
        (
            Method::DELETE,
            format!("{v1}/organization/api-keys/{api_key}"),
            None,
        ),
    ];
    for (method, target, body) in attempts {
        let (status, answer) = call(method.clone(), &target, "key-b", body).await;
        assert_eq!(status, 404, "{method} {target}: {answer}");
        assert_eq!(answer["code"], "not_found");
    }
    let (_, page) = call(Method::GET, &format!("{v1}/projects"), "key-b", None).await;
    assert_eq!(page["data"], json!([]), "B lists none of A's projects");
    let (_, keys_of_b) = call(
        Method::GET,
        &format!("{v1}/organization/api-keys"),
        "key-b",
        None,
    )
    .await;
    assert!(
        !keys_of_b.to_string().contains(&api_key),
        "B lists none of A's keys: {keys_of_b}"
    );

    // A still has everything, unchanged.
    let (status, mine) = call(
        Method::GET,
        &format!("{v1}/projects/{project}"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(
        (status, mine["name"].as_str()),
        (StatusCode::OK, Some("secret"))
    );
    let (_, tasks) = call(
        Method::GET,
        &format!("{v1}/projects/{project}/tasks"),
        "key-a",
        None,
    )
    .await;
    let titles: Vec<&str> = tasks["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|task| task["title"].as_str())
        .collect();
    assert_eq!(titles, ["launch"]);
    let (_, comments) = call(
        Method::GET,
        &format!("{v1}/tasks/{task}/comments"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(comments["data"].as_array().unwrap().len(), 1);
    // And A may delete what is its own.
    for target in [
        format!("{v1}/comments/{comment}"),
        format!("{v1}/organization/api-keys/{api_key}"),
        format!("{v1}/tasks/{task}"),
        format!("{v1}/projects/{project}"),
    ] {
        let (status, _) = call(Method::DELETE, &target, "key-a", None).await;
        assert_eq!(status, 204, "{target}");
    }
}

#[tokio::test]
async fn a_repeated_scalar_is_a_400_and_the_cost_is_counted_from_validated_values() {
    let (url, sandbox) = start_default().await;
    let spent = || -> u32 { sandbox.usage("org-a").iter().map(|(_, used)| used).sum() };
    for query in ["limit=100&limit=1", "limit=1&limit=abc", "limit=abc"] {
        let (status, body) = call(
            Method::GET,
            &format!("{url}/v1/projects?{query}"),
            "key-a",
            None,
        )
        .await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["details"]["query.limit"].is_string(),
            "{query}: {body}"
        );
    }
    let (_, body) = call(
        Method::GET,
        &format!("{url}/v1/projects?limit=2&limit=3"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(
        body["details"]["query.limit"],
        "is given 2 times; it takes one value"
    );
    assert_eq!(spent(), 0, "400s cost nothing");
    let (status, _) = call(
        Method::GET,
        &format!("{url}/v1/projects?limit=100"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(spent(), 3, "1 + 1 per 50 of limit");
    // `expand` is form, not exploded: one comma-separated value; repeating it is a 400.
    let (_, project) = call(
        Method::POST,
        &format!("{url}/v1/projects"),
        "key-a",
        Some(json!({"name": "p"})),
    )
    .await;
    let project = id(&project);
    let (status, body) = call(
        Method::GET,
        &format!("{url}/v1/projects/{project}?expand=owner&expand=members"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let before = spent();
    let (status, body) = call(
        Method::GET,
        &format!("{url}/v1/projects/{project}?expand=owner,members"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(spent() - before, 3, "1 + 1 per expansion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_charges_report_distinct_remaining_points() {
    let settings = Settings {
        keys: vec![Key {
            token: "key".into(),
            organization: "org".into(),
            plan: Plan::Custom(1000),
        }],
        // A day: the window cannot turn during the test but at midnight, which is checked.
        window: Duration::from_secs(86_400),
        max_connections: 4096,
        max_connections_per_address: 4096,
        ..Settings::default()
    };
    let api = sdkgen_loader::load_file(specs().join("v1/1.1.0.yaml")).unwrap();
    let (url, sandbox) = start(vec![Mount::at_root(api, "v1")], settings).await;
    let client = reqwest::Client::new();
    let requests = (0..1500).map(|_| {
        let client = client.clone();
        let url = format!("{url}/organization");
        tokio::spawn(async move {
            let response = client.get(url).bearer_auth("key").send().await.unwrap();
            let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
            (
                response.status(),
                header("x-ratelimit-remaining").parse::<u32>().unwrap(),
                header("x-ratelimit-reset"),
            )
        })
    });
    let mut answers = Vec::new();
    for request in requests.collect::<Vec<_>>() {
        answers.push(request.await.unwrap());
    }
    let resets: HashSet<&String> = answers.iter().map(|(_, _, reset)| reset).collect();
    assert_eq!(
        resets.len(),
        1,
        "the window turned (midnight UTC); run again"
    );
    let successes: Vec<u32> = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::OK)
        .map(|(_, remaining, _)| *remaining)
        .collect();
    assert_eq!(successes.len(), 1000);
    assert_eq!(
        answers
            .iter()
            .filter(|(status, _, _)| *status == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        500
    );
    let distinct: HashSet<u32> = successes.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        1000,
        "every success reports its own remaining points"
    );
    assert_eq!(distinct, (0..1000).collect());
    assert_eq!(sandbox.rejections("org"), 500);
}

#[tokio::test]
async fn every_major_is_served_under_its_base_path_with_one_budget() {
    let (url, sandbox) = start_default().await;
    // v1 needs `name`; v2's NewProject differs. Each is validated against its own document.
    let (v1_status, _) = call(
        Method::POST,
        &format!("{url}/v1/projects"),
        "key-a",
        Some(json!({"name": "one"})),
    )
    .await;
    assert_eq!(v1_status, 201);
    let (v2_status, _) = call(
        Method::GET,
        &format!("{url}/v2/organization"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(v2_status, 200);
    let spent: u32 = sandbox.usage("org-a").iter().map(|(_, used)| used).sum();
    assert_eq!(spent, 3 + 1, "both majors charge one budget");
    let (status, _) = call(Method::GET, &format!("{url}/organization"), "key-a", None).await;
    assert_eq!(status, 404, "nothing outside a base path");
    let (status, _) = call(
        Method::GET,
        &format!("{url}/v3/organization"),
        "key-a",
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn answers_say_what_was_sent_and_methods_are_case_sensitive() {
    let (url, _) = start_default().await;
    let v1 = format!("{url}/v1");
    let (_, project) = call(
        Method::POST,
        &format!("{v1}/projects"),
        "key-a",
        Some(json!({"name": "p"})),
    )
    .await;
    let project = id(&project);
    // Batch creation creates every task given.
    let (status, batch) = call(
        Method::POST,
        &format!("{v1}/projects/{project}/tasks/batch"),
        "key-a",
        Some(json!({"tasks": [{"title": "one"}, {"title": "two", "priority": "high"}]})),
    )
    .await;
    assert_eq!(status, 200, "{batch}");
    assert_eq!(batch["failed"], json!([]));
    let created = batch["created"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    assert_eq!(created[1]["title"], "two");
    assert_eq!(created[1]["priority"], "high");
    assert_eq!(created[1]["project_id"], project.as_str());
    let (status, fetched) = call(
        Method::GET,
        &format!("{v1}/tasks/{}", id(&created[0])),
        "key-a",
        None,
    )
    .await;
    assert_eq!(
        (status, fetched["title"].as_str()),
        (StatusCode::OK, Some("one"))
    );
    let task = id(&created[0]);

    // An upload keeps its name, type and size, and its bytes come back.
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"a,b\n1,2\n".to_vec())
                .file_name("report.csv")
                .mime_str("text/csv")
                .unwrap(),
        )
        .text("description", "numbers");
    let response = reqwest::Client::new()
        .post(format!("{v1}/tasks/{task}/attachments"))
        .bearer_auth("key-a")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let attachment: Value = response.json().await.unwrap();
    assert_eq!(attachment["file_name"], "report.csv");
    assert_eq!(attachment["content_type"], "text/csv");
    assert_eq!(attachment["size_bytes"], 8);
    assert_eq!(attachment["description"], "numbers");
    assert_eq!(attachment["task_id"], task.as_str());
    let download = reqwest::Client::new()
        .get(format!("{v1}/attachments/{}/content", id(&attachment)))
        .bearer_auth("key-a")
        .send()
        .await
        .unwrap();
    assert_eq!(download.headers()["content-type"], "text/csv");
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"a,b\n1,2\n");
    let (status, _) = call(
        Method::GET,
        &format!("{v1}/attachments/{}/content", id(&attachment)),
        "key-b",
        None,
    )
    .await;
    assert_eq!(status, 404, "nor are another organisation's files");

    // `get` is not GET.
    let lowercase = Method::from_bytes(b"get").unwrap();
    let (status, body) = call(lowercase, &format!("{v1}/organization"), "key-a", None).await;
    assert_eq!(status, 405, "{body}");
}

#[test]
fn resources_survive_a_restart_with_a_data_file() {
    let directory = tempfile::tempdir().unwrap();
    let settings = Settings {
        keys: keys(),
        data: Some(directory.path().join("sandbox.redb")),
        ..Settings::default()
    };
    // Each run is its own runtime, shut down with everything in it, like a process.
    let run = |check: bool| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let settings = settings.clone();
        runtime.block_on(async move {
            let mounts = sdkgen_sandbox::default_mounts(&specs()).unwrap();
            let (url, sandbox) = start(mounts, settings).await;
            let projects = format!("{url}/v1/projects");
            if check {
                let (_, page) = call(Method::GET, &projects, "key-a", None).await;
                let names: Vec<&str> = page["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|project| project["name"].as_str())
                    .collect();
                assert_eq!(names, ["kept", "renamed"]);
                let (_, page) = call(Method::GET, &projects, "key-b", None).await;
                assert_eq!(page["data"], json!([]), "still A's alone");
                // New ids do not collide with saved ones.
                let (_, third) = call(
                    Method::POST,
                    &projects,
                    "key-a",
                    Some(json!({"name": "new"})),
                )
                .await;
                assert!(!page.to_string().contains(&id(&third)));
                let (_, page) = call(Method::GET, &projects, "key-a", None).await;
                assert_eq!(page["data"].as_array().unwrap().len(), 3);
            } else {
                for name in ["kept", "gone", "old"] {
                    call(
                        Method::POST,
                        &projects,
                        "key-a",
                        Some(json!({"name": name})),
                    )
                    .await;
                }
                let (_, page) = call(Method::GET, &projects, "key-a", None).await;
                let ids: Vec<String> = page["data"].as_array().unwrap().iter().map(id).collect();
                call(
                    Method::DELETE,
                    &format!("{projects}/{}", ids[1]),
                    "key-a",
                    None,
                )
                .await;
                call(
                    Method::PATCH,
                    &format!("{projects}/{}", ids[2]),
                    "key-a",
                    Some(json!({"name": "renamed"})),
                )
                .await;
            }
            drop(sandbox);
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    };
    run(false);
    run(true);
}

#[tokio::test]
async fn budget_answers_report_the_callers_true_budget() {
    let settings = Settings {
        keys: vec![
            Key {
                token: "build".into(),
                organization: "org-build".into(),
                plan: Plan::Build,
            },
            Key {
                token: "enterprise".into(),
                organization: "org-enterprise".into(),
                plan: Plan::Enterprise,
            },
        ],
        ..Settings::default()
    };
    let (url, _) = start(sdkgen_sandbox::default_mounts(&specs()).unwrap(), settings).await;
    for (token, plan, points) in [("build", "build", 100), ("enterprise", "enterprise", 1000)] {
        let (status, organization) =
            call(Method::GET, &format!("{url}/v1/organization"), token, None).await;
        assert_eq!(status, 200);
        assert_eq!(organization["plan"], plan);
        assert_eq!(organization["points_per_minute"], points);
        let response = reqwest::Client::new()
            .get(format!("{url}/v2/rate-limit"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let remaining: u32 = response.headers()["x-ratelimit-remaining"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let status: Value = response.json().await.unwrap();
        assert_eq!(status["limit"], points);
        assert_eq!(status["remaining"], remaining, "{status}");
        assert_eq!(status["window_seconds"], 60);
        assert!(
            status["reset_at"].as_str().unwrap().ends_with(":00Z"),
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_write_retried_under_its_idempotency_key_happens_once() {
    let (url, sandbox) = start_default().await;
    let spent = || -> u32 { sandbox.usage("org-a").iter().map(|(_, used)| used).sum() };
    let post = |key: &'static str, name: &'static str| {
        reqwest::Client::new()
            .post(format!("{url}/v1/projects"))
            .bearer_auth("key-a")
            .header("idempotency-key", key)
            .json(&json!({ "name": name }))
            .send()
    };
    let first = post("k-1", "once").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = post("k-1", "once").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(spent(), 3, "the replay is not charged");
    let (_, page) = call(Method::GET, &format!("{url}/v1/projects"), "key-a", None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "created once");
    let reused = post("k-1", "different").await.unwrap();
    assert_eq!(reused.status(), 409);
    let body: Value = reused.json().await.unwrap();
    assert_eq!(
        body["message"],
        "this Idempotency-Key was used for a different request"
    );
    // Keys are per organisation, and an invalid request does not use one up.
    let response = reqwest::Client::new()
        .post(format!("{url}/v1/projects"))
        .bearer_auth("key-b")
        .header("idempotency-key", "k-1")
        .json(&json!({ "name": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = reqwest::Client::new()
        .post(format!("{url}/v1/projects"))
        .bearer_auth("key-b")
        .header("idempotency-key", "k-1")
        .json(&json!({ "name": "b's" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let long = "k".repeat(256);
    let response = reqwest::Client::new()
        .post(format!("{url}/v1/projects"))
        .bearer_auth("key-b")
        .header("idempotency-key", long)
        .json(&json!({ "name": "b's" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
