//! Independent conformance: every request the generated v1 SDK sends, for every operation,
//! passes the request validation of Stoplight Prism (`prism mock --errors`, which answers 422
//! or 401 to a request that does not match the spec). A plain `cargo test` ignores it (its
//! summary counts it); .ci/run installs Prism and runs it with `--ignored`. The v2 SDK's uploads
//! of named files (a guessed type, a type of the caller's, bare bytes), its download and its event
//! stream pass it too.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use taskboard_v1::types::{
    NewApiKey, NewComment, NewProject, NewTask, ProjectExpansion, ProjectUpdate, TaskBatch,
    TaskStatus, TaskUpdate, UploadAttachmentRequest,
};

struct Prism(Child);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn prism_binary() -> Option<String> {
    let candidate = std::env::var("PRISM_BIN").unwrap_or_else(|_| "prism".to_owned());
    Command::new(&candidate)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .filter(|status| status.success())
        .map(|_| candidate)
}

/// A validation failure from Prism, or a success (or an answer we cannot decode, which is
/// Prism's made-up data, not our request).
fn accepted<T, E: std::fmt::Debug>(
    operation: &str,
    result: Result<T, taskboard_v1::Error<E>>,
    failures: &mut Vec<String>,
) {
    match result {
        Ok(_) | Err(taskboard_v1::Error::Decode { .. }) => {}
        Err(error) => match error.status().map(|status| status.as_u16()) {
            Some(400 | 401 | 403 | 415 | 422) | None => {
                failures.push(format!("{operation}: {error:?}"))
            }
            Some(_) => {}
        },
    }
}

/// Prism mocking a spec of this repository (`v1/1.2.0.yaml`, say) on a free port, once it
/// listens.
async fn start_prism(spec: &str) -> (Prism, u16) {
    let prism = prism_binary()
        .expect("Stoplight Prism is not installed (npm install -g @stoplight/prism-cli)");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spec = sdkgen_e2e::spec(spec);
    let child = Command::new(prism)
        .args([
            "mock",
            "--errors",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .arg(&spec)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let prism = Prism(child);
    // Prism takes a few seconds to start: wait for its port (bounded).
    let mut ready = false;
    for _ in 0..120 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ready, "Prism did not start within 30 s");
    (prism, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Stoplight Prism (npm install -g @stoplight/prism-cli): run with --ignored, as CI does after installing it"]
async fn every_request_of_the_v1_sdk_passes_prism_validation() {
    let (_prism, port) = start_prism("v1/1.2.0.yaml").await;

    let client = taskboard_v1::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .bearer_token("prism-token")
        .organization("prism-e2e")
        .plan(taskboard_v1::Plan::Enterprise)
        .retry_policy(taskboard_v1::RetryPolicy::none())
        .build()
        .unwrap();
    let id: taskboard_v1::uuid::Uuid = "6f1c2a9e-0d3b-4c6e-9a51-2b7e8f4d1c00".parse().unwrap();
    let mut failures = Vec::new();
    let mut calls = 0;
    macro_rules! check {
        ($operation:literal, $call:expr) => {{
            calls += 1;
            accepted($operation, $call.send().await, &mut failures);
        }};
    }
    check!("getOrganization", client.get_organization());
    check!("listApiKeys", client.list_api_keys());
    check!("createApiKey", client.create_api_key(NewApiKey::new("ci")));
    check!("revokeApiKey", client.revoke_api_key("key_123"));
    check!("getRateLimit", client.get_rate_limit());
    check!(
        "listProjects",
        client.list_projects().limit(20).cursor("abc")
    );
    check!(
        "createProject",
        client.create_project(NewProject::new("Apollo").description("moon"))
    );
    check!(
        "getProject",
        client
            .get_project(id)
            .expand(vec![ProjectExpansion::Owner, ProjectExpansion::TaskCounts])
    );
    check!(
        "updateProject",
        client.update_project(
            id,
            ProjectUpdate::new()
                .name("Artemis")
                .description(None::<String>)
        )
    );
    check!("deleteProject", client.delete_project(id));
    check!(
        "listTasks",
        client
            .list_tasks(id)
            .status(TaskStatus::Open)
            .assignee_id(id)
            .limit(5)
    );
    check!(
        "createTask",
        client.create_task(
            id,
            NewTask::new("Launch")
                .status(TaskStatus::Blocked)
                .labels(vec!["a".to_owned()])
                .estimate_hours(1.5)
        )
    );
    check!(
        "batchCreateTasks",
        client.batch_create_tasks(
            id,
            TaskBatch::new(vec![NewTask::new("a"), NewTask::new("b")])
        )
    );
    check!("getProjectReport", client.get_project_report(id).days(7));
    check!("exportProject", client.export_project(id));
    check!("getTask", client.get_task(id));
    check!(
        "updateTask",
        client.update_task(
            id,
            TaskUpdate::new().status(TaskStatus::Done).assignee_id(None)
        )
    );
    check!("deleteTask", client.delete_task(id));
    check!("searchTasks", client.search_tasks("launch").limit(3));
    check!("listComments", client.list_comments(id));
    check!(
        "createComment",
        client.create_comment(id, NewComment::new("ok"))
    );
    check!("deleteComment", client.delete_comment(id));
    check!(
        "uploadAttachment",
        client.upload_attachment(
            id,
            UploadAttachmentRequest::new(taskboard_v1::Bytes::from_static(b"hello"))
                .description("note")
        )
    );
    check!("getAttachment", client.get_attachment(id));
    check!("downloadAttachment", client.download_attachment(id));
    assert_eq!(
        calls,
        taskboard_v1::OPERATIONS.len(),
        "every operation was checked"
    );
    assert!(
        failures.is_empty(),
        "Prism rejected requests:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Stoplight Prism (npm install -g @stoplight/prism-cli): run with --ignored, as CI does after installing it"]
async fn named_file_parts_and_streams_of_the_v2_sdk_pass_prism_validation() {
    use taskboard_v2::FilePart;
    use taskboard_v2::types::UploadAttachmentRequest;
    let (_prism, port) = start_prism("v2/2.1.0.yaml").await;
    let client = taskboard_v2::Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .bearer_token("prism-token")
        .organization("prism-e2e-v2")
        .plan(taskboard_v2::Plan::Enterprise)
        .retry_policy(taskboard_v2::RetryPolicy::none())
        .build()
        .unwrap();
    let id: taskboard_v2::uuid::Uuid = "6f1c2a9e-0d3b-4c6e-9a51-2b7e8f4d1c00".parse().unwrap();
    let mut failures = Vec::new();
    for file in [
        FilePart::from_bytes("minutes.pdf", b"%PDF-1.7".to_vec()),
        FilePart::from_bytes("scan.data", b"II*".to_vec()).content_type("image/tiff"),
        FilePart::from(b"plain bytes".to_vec()),
    ] {
        let name = format!("uploadAttachment {} {}", file.name(), file.mime());
        let result = client
            .upload_attachment(id, UploadAttachmentRequest::new(file).description("note"))
            .send()
            .await;
        accepted_v2(&name, result, &mut failures);
    }
    let download = client.download_attachment(id).send().await;
    accepted_v2("downloadAttachment", download, &mut failures);
    let events = client.follow_project_events(id).send().await;
    accepted_v2("followProjectEvents", events, &mut failures);
    assert!(
        failures.is_empty(),
        "Prism rejected requests:\n{}",
        failures.join("\n")
    );
}

fn accepted_v2<T, E: std::fmt::Debug>(
    operation: &str,
    result: Result<T, taskboard_v2::Error<E>>,
    failures: &mut Vec<String>,
) {
    match result {
        Ok(_) | Err(taskboard_v2::Error::Decode { .. }) => {}
        Err(error) => match error.status().map(|status| status.as_u16()) {
            Some(400 | 401 | 403 | 415 | 422) | None => {
                failures.push(format!("{operation}: {error:?}"))
            }
            Some(_) => {}
        },
    }
}
