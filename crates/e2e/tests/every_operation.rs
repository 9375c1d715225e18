//! Each generated SDK calls every operation of its spec against the sandbox serving that
//! spec, and checks the typed results; the SDK generated from 1.0.0 keeps working against a
//! sandbox serving 1.1.0.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::TryStreamExt;
use sdkgen_e2e::{Plan, key, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_sdk_calls_every_operation_of_1_1_0() {
    use taskboard_v1::types::{
        NewApiKey, NewComment, NewProject, NewTask, ProjectExpansion, ProjectUpdate, TaskBatch,
        TaskStatus, TaskUpdate, UploadAttachmentRequest,
    };
    let running = start(
        "v1/1.1.0.yaml",
        vec![key("e2e-v1", "org-v1", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let client = taskboard_v1::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-v1")
        .organization("org-v1-e2e")
        .build()
        .unwrap();
    let mut called = std::collections::BTreeSet::new();
    let mut call = |id: &str| {
        called.insert(id.to_owned());
    };

    let organization = client.get_organization().send().await.unwrap();
    assert_eq!(organization.status(), 200);
    call("getOrganization");
    let keys = client.list_api_keys().send().await.unwrap().into_inner();
    assert!(keys.is_empty());
    call("listApiKeys");
    let created_key = client
        .create_api_key(NewApiKey::new("ci"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created_key.name, "ci");
    assert!(!created_key.secret.is_empty());
    call("createApiKey");
    client
        .revoke_api_key(created_key.id.clone())
        .send()
        .await
        .unwrap();
    call("revokeApiKey");
    let rate = client.get_rate_limit().send().await.unwrap();
    assert_eq!(rate.headers()["x-ratelimit-limit"], "1000");
    call("getRateLimit");

    let project = client
        .create_project(NewProject::new("Apollo").description("to the moon"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(project.name, "Apollo");
    call("createProject");
    let fetched = client
        .get_project(project.id)
        .expand(vec![ProjectExpansion::Owner])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fetched.id, project.id);
    call("getProject");
    let updated = client
        .update_project(
            project.id,
            ProjectUpdate::new()
                .name("Artemis")
                .description(None::<String>),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.name, "Artemis");
    call("updateProject");
    let projects = client
        .list_projects()
        .limit(10)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(projects.data.len(), 1);
    call("listProjects");

    let task = client
        .create_task(
            project.id,
            NewTask::new("Launch").status(TaskStatus::Blocked),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (task.title.as_str(), &task.status),
        ("Launch", &TaskStatus::Blocked)
    );
    call("createTask");
    let batch = client
        .batch_create_tasks(
            project.id,
            TaskBatch::new(vec![NewTask::new("a"), NewTask::new("b")]),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    let titles: Vec<&str> = batch
        .created
        .iter()
        .map(|task| task.title.as_str())
        .collect();
    assert_eq!(titles, ["a", "b"], "the batch creates what it is given");
    assert!(batch.failed.is_empty());
    call("batchCreateTasks");
    let every_task: Vec<_> = client
        .list_tasks(project.id)
        .limit(1)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        every_task.len(),
        3,
        "one task stored by createTask, two by the batch, a page of one at a time"
    );
    let page = client
        .list_tasks(project.id)
        .status(TaskStatus::Blocked)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data[0].id, task.id);
    call("listTasks");
    let got = client.get_task(task.id).send().await.unwrap().into_inner();
    assert_eq!(got.title, "Launch");
    call("getTask");
    let changed = client
        .update_task(
            task.id,
            TaskUpdate::new().status(TaskStatus::Done).assignee_id(None),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(changed.status, TaskStatus::Done);
    call("updateTask");
    let hits = client
        .search_tasks("launch")
        .limit(5)
        .send()
        .await
        .unwrap()
        .into_inner();
    let _ = hits.total;
    call("searchTasks");
    let report = client
        .get_project_report(project.id)
        .days(7)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(report.project_id.to_string().len(), 36);
    call("getProjectReport");
    let export = client
        .export_project(project.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let _ = export.tasks;
    call("exportProject");

    let comment = client
        .create_comment(task.id, NewComment::new("looks good"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(comment.body, "looks good");
    call("createComment");
    let comments = client
        .list_comments(task.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(comments.data.len(), 1);
    call("listComments");
    client.delete_comment(comment.id).send().await.unwrap();
    call("deleteComment");

    let attachment = client
        .upload_attachment(
            task.id,
            UploadAttachmentRequest::new(taskboard_v1::Bytes::from_static(b"hello"))
                .description("greeting"),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    // The upload is what was sent: its size, its fields, and its bytes come back.
    assert_eq!(attachment.size_bytes, 5);
    assert_eq!(attachment.description.as_deref(), Some("greeting"));
    assert_eq!(attachment.task_id, task.id);
    call("uploadAttachment");
    let metadata = client
        .get_attachment(attachment.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(metadata.id, attachment.id);
    call("getAttachment");
    let bytes = client
        .download_attachment(attachment.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), b"hello");
    call("downloadAttachment");

    client.delete_task(task.id).send().await.unwrap();
    call("deleteTask");
    let gone = client.get_task(task.id).send().await.unwrap_err();
    assert_eq!(gone.status().map(|status| status.as_u16()), Some(404));
    client.delete_project(project.id).send().await.unwrap();
    call("deleteProject");

    let every: std::collections::BTreeSet<String> = taskboard_v1::OPERATIONS
        .iter()
        .map(|operation| operation.id.to_owned())
        .collect();
    assert_eq!(called, every, "every operation of the spec was called");
    assert_eq!(running.sandbox.rejections("org-v1"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_sdk_calls_every_operation_of_2_1_0() {
    use taskboard_v2::types::{
        NewApiKey, NewComment, NewLabel, NewProject, NewTask, ProjectUpdate, TaskBatch, TaskQuery,
        TaskUpdate, UploadAttachmentRequest,
    };
    let running = start(
        "v2/2.1.0.yaml",
        vec![key("e2e-v2", "org-v2", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let client = taskboard_v2::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-v2")
        .organization("org-v2-e2e")
        .build()
        .unwrap();
    let mut called = std::collections::BTreeSet::new();
    let mut call = |id: &str| {
        called.insert(id.to_owned());
    };
    client.get_organization().send().await.unwrap();
    call("getOrganization");
    client.list_api_keys().send().await.unwrap();
    call("listApiKeys");
    let created_key = client
        .create_api_key(NewApiKey::new("ci"))
        .send()
        .await
        .unwrap()
        .into_inner();
    call("createApiKey");
    client.revoke_api_key(created_key.id).send().await.unwrap();
    call("revokeApiKey");
    client.get_rate_limit().send().await.unwrap();
    call("getRateLimit");
    let project = client
        .create_project(NewProject::new("Gemini"))
        .send()
        .await
        .unwrap()
        .into_inner();
    call("createProject");
    client.get_project(project.id).send().await.unwrap();
    call("getProject");
    client
        .update_project(
            project.id,
            ProjectUpdate::new().description(Some("twins".to_owned())),
        )
        .send()
        .await
        .unwrap();
    call("updateProject");
    client.list_projects().send().await.unwrap();
    call("listProjects");
    let task = client
        .create_task(
            project.id,
            NewTask::new("Dock").assignee_ids(vec![project.owner_id]),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(task.name, "Dock");
    call("createTask");
    client
        .batch_create_tasks(project.id, TaskBatch::new(vec![NewTask::new("x")]))
        .send()
        .await
        .unwrap();
    call("batchCreateTasks");
    assert_eq!(
        client
            .list_tasks(project.id)
            .send()
            .await
            .unwrap()
            .data
            .len(),
        2,
        "one task by createTask, one by the batch"
    );
    call("listTasks");
    client.get_project_report(project.id).send().await.unwrap();
    call("getProjectReport");
    client.export_project(project.id).send().await.unwrap();
    call("exportProject");
    client.get_task(task.id).send().await.unwrap();
    call("getTask");
    client
        .update_task(task.id, TaskUpdate::new().name("Docked"))
        .send()
        .await
        .unwrap();
    call("updateTask");
    client
        .search_tasks(TaskQuery::new("dock"))
        .send()
        .await
        .unwrap();
    call("searchTasks");
    client.list_labels().send().await.unwrap();
    call("listLabels");
    let label = client
        .create_label(NewLabel::new("urgent", "#ff0000"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(label.color, "#ff0000");
    call("createLabel");
    let comment = client
        .create_comment(task.id, NewComment::new("ok"))
        .send()
        .await
        .unwrap()
        .into_inner();
    call("createComment");
    client.list_comments(task.id).send().await.unwrap();
    call("listComments");
    client.delete_comment(comment.id).send().await.unwrap();
    call("deleteComment");
    let attachment = client
        .upload_attachment(
            task.id,
            UploadAttachmentRequest::new(taskboard_v2::Bytes::from_static(b"x")),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    call("uploadAttachment");
    client.get_attachment(attachment.id).send().await.unwrap();
    call("getAttachment");
    client
        .download_attachment(attachment.id)
        .send()
        .await
        .unwrap();
    call("downloadAttachment");
    let events = client
        .follow_project_events(project.id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .try_collect_all()
        .await
        .unwrap();
    assert!(!events.is_empty(), "the sandbox sends a few typed events");
    call("followProjectEvents");
    client.delete_task(task.id).send().await.unwrap();
    call("deleteTask");
    client.delete_project(project.id).send().await.unwrap();
    call("deleteProject");
    let every: std::collections::BTreeSet<String> = taskboard_v2::OPERATIONS
        .iter()
        .map(|operation| operation.id.to_owned())
        .collect();
    assert_eq!(called, every, "every operation of the spec was called");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_1_0_0_sdk_works_against_a_1_1_0_server() {
    use taskboard_v1_1_0_0::types::{NewProject, NewTask, TaskStatus};
    let running = start(
        "v1/1.1.0.yaml",
        vec![key("e2e-compat", "org-compat", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let old = taskboard_v1_1_0_0::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-compat")
        .organization("org-compat-e2e")
        .build()
        .unwrap();
    let new = taskboard_v1::Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-compat")
        .organization("org-compat-e2e")
        .build()
        .unwrap();
    let project = old
        .create_project(NewProject::new("Old"))
        .send()
        .await
        .unwrap()
        .into_inner();
    old.create_task(project.id, NewTask::new("made by 1.0"))
        .send()
        .await
        .unwrap();
    // A newer client sets what 1.0 does not know: a new enum value and a new field.
    new.create_task(
        project.id,
        taskboard_v1::types::NewTask::new("made by 1.1")
            .status(taskboard_v1::types::TaskStatus::Blocked)
            .due_date(
                "2026-12-24"
                    .parse::<taskboard_v1::chrono::NaiveDate>()
                    .unwrap(),
            ),
    )
    .send()
    .await
    .unwrap();
    let page = old
        .list_tasks(project.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 2);
    let statuses: Vec<&TaskStatus> = page.data.iter().map(|task| &task.status).collect();
    assert!(
        statuses.contains(&&TaskStatus::Unknown("blocked".to_owned())),
        "{statuses:?}"
    );
    // Unknown response fields (due_date) were ignored; the old SDK's operations still work.
    old.get_project(project.id).send().await.unwrap();
    old.get_organization().send().await.unwrap();
}
