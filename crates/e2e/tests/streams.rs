//! The generated v2 SDK's streams end to end: the events of `followProjectEvents` from the
//! sandbox and from a server that sends a malformed event and `[DONE]`; an upload whose file
//! name and content type reach the sandbox (which records them on the attachment); and the
//! download of it streamed to a file.

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sdkgen_e2e::{Plan, key, start};
use taskboard_v2::FilePart;
use taskboard_v2::types::{NewProject, NewTask, UploadAttachmentRequest};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_events_stream_from_the_sandbox_typed_and_charged_once() {
    let running = start(
        "v2/2.1.0.yaml",
        vec![key("e2e-events", "org-events", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let client = taskboard_v2::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-events")
        .organization("org-events-e2e")
        .build()
        .unwrap();
    let project = client
        .create_project(NewProject::new("Streams"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let before = client.budget().await.unwrap().remaining;
    let response = client
        .follow_project_events(project.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("text/event-stream")
    );
    let events = response.into_inner().try_collect_all().await.unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|event| !event.task.name.is_empty()));
    assert_eq!(before - client.budget().await.unwrap().remaining, 2);
    assert_eq!(running.sandbox.rejections("org-events"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_event_is_an_error_item_and_done_ends_the_stream() {
    use axum::response::IntoResponse;
    let event = |title: &str| {
        format!(
            "data: {{\"event\":\"task.updated\",\"occurred_at\":\"2026-01-01T12:00:00Z\",\"task\":{{\"id\":\"7f0c3b4e-1d2a-4c5b-9e8f-0a1b2c3d4e5f\",\"project_id\":\"7f0c3b4e-1d2a-4c5b-9e8f-0a1b2c3d4e5f\",\"name\":\"{title}\",\"status\":\"open\",\"priority\":\"normal\",\"labels\":[],\"assignee_ids\":[],\"created_at\":\"2026-01-01T12:00:00Z\",\"updated_at\":\"2026-01-01T12:00:00Z\"}}}}\n\n"
        )
    };
    let body = format!(
        "{}{}data: {{\"event\":\"task.updated\",\"task\":42}}\n\n{}data: [DONE]\n\n{}",
        event("one"),
        event("two"),
        event("three"),
        event("never read"),
    );
    let app = axum::Router::new().route(
        "/projects/{project_id}/events",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([("content-type", "text/event-stream")], body).into_response() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = taskboard_v2::Client::builder()
        .base_url(format!("http://{address}"))
        .plan(Plan::Enterprise)
        .build()
        .unwrap();
    let events = client
        .follow_project_events(uuid_of("7f0c3b4e-1d2a-4c5b-9e8f-0a1b2c3d4e5f"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .collect_all()
        .await;
    let titles: Vec<Result<String, String>> = events
        .into_iter()
        .map(|event| {
            event
                .map(|event| event.task.name)
                .map_err(|error| error.to_string())
        })
        .collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert_eq!(titles[0].as_deref(), Ok("one"));
    assert_eq!(titles[1].as_deref(), Ok("two"));
    assert!(
        titles[2]
            .as_ref()
            .is_err_and(|error| error.contains("cannot decode")),
        "{titles:?}"
    );
    assert_eq!(titles[3].as_deref(), Ok("three"));
}

fn uuid_of(text: &str) -> taskboard_v2::uuid::Uuid {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_keeps_its_name_and_type_and_downloads_to_a_file() {
    let running = start(
        "v2/2.1.0.yaml",
        vec![key("e2e-files", "org-files", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let client = taskboard_v2::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-files")
        .organization("org-files-e2e")
        .build()
        .unwrap();
    let project = client
        .create_project(NewProject::new("Files"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let task = client
        .create_task(project.id, NewTask::new("Attach"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("minutes.pdf");
    let content: Vec<u8> = (0..1_000_000u32).map(|index| (index % 251) as u8).collect();
    std::fs::write(&source, &content).unwrap();

    // From a path: the name and a type guessed from it, read as the request is sent.
    let attachment = client
        .upload_attachment(
            task.id,
            UploadAttachmentRequest::new(FilePart::from_path(&source)).description("minutes"),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(attachment.file_name, "minutes.pdf");
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(attachment.size_bytes, 1_000_000);

    // From bytes, with a name and a type of the caller's.
    let scan = client
        .upload_attachment(
            task.id,
            UploadAttachmentRequest::new(
                FilePart::from_bytes("scan.data", b"II*\0".to_vec()).content_type("image/tiff"),
            ),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (scan.file_name.as_str(), scan.content_type.as_str()),
        ("scan.data", "image/tiff")
    );

    // The download, chunk by chunk to a file.
    let target = directory.path().join("downloaded.pdf");
    let response = client
        .download_attachment(attachment.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("application/pdf")
    );
    let written = response.into_inner().to_file(&target).await.unwrap();
    assert_eq!(written, 1_000_000);
    assert_eq!(std::fs::read(&target).unwrap(), content);
    assert_eq!(running.sandbox.rejections("org-files"), 0);
}
