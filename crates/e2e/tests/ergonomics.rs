//! What using the v1 SDK feels like, against the sandbox: `?` with the crate's `Result`,
//! spawned requests, per-request options, and errors that carry the server's reason.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sdkgen_e2e::{Plan, key, start};
use taskboard_v1::types::{NewProject, NewTask};
use taskboard_v1::{Client, Error, ErrorBody, Result};

async fn create_task(client: &Client, title: &str) -> Result<taskboard_v1::types::Task> {
    let project = client
        .create_project(NewProject::new("Ergonomics"))
        .send()
        .await?;
    let task = client
        .create_task(project.id, NewTask::new(title))
        .with_timeout(Duration::from_secs(10))
        .header("X-Request-Source", "e2e")
        .idempotency_key(format!("ergonomics-{title}"))
        .send()
        .await?;
    Ok(task.into_inner())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_spawn_results_compose_and_errors_say_why() {
    let running = start(
        "v1/1.2.0.yaml",
        vec![key("e2e-ergo", "org-ergo", Plan::Enterprise)],
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(&running.url)
        .bearer_token("e2e-ergo")
        .organization("org-ergo-e2e")
        .build()
        .unwrap();

    let task = create_task(&client, "Spawned").await.unwrap();
    // Requests own a clone of the client: their futures are 'static and Send.
    let handles: Vec<_> = (0..3)
        .map(|_| tokio::spawn(client.get_task(task.id).send()))
        .collect();
    for handle in handles {
        assert_eq!(handle.await.unwrap().unwrap().id, task.id);
    }

    // A typed error body, and a message with the server's code and message.
    let missing = taskboard_v1::uuid::Uuid::nil();
    let error: Error = client.get_task(missing).send().await.unwrap_err();
    let Error::Api {
        status,
        body: ErrorBody::Typed(body),
        ..
    } = &error
    else {
        panic!("a typed 404: {error:?}");
    };
    assert_eq!(status.as_u16(), 404);
    let message = error.to_string();
    assert!(
        message.starts_with("getTask: the API answered 404 Not Found: ")
            && message.contains(&body.code),
        "{message}"
    );

    // The budget's reset is a wall-clock time, and a duration.
    let budget = client.budget().await.unwrap();
    assert!(budget.resets_in() <= Duration::from_secs(60));
    assert!(budget.reset_at > std::time::SystemTime::UNIX_EPOCH);
}

/// Glob imports of the crate root and its types are unambiguous: schema types named like root
/// items are renamed (`types::ApiError`, `types::ApiPlan`).
#[allow(dead_code)]
mod glob_imports {
    use taskboard_v1::types::*;
    use taskboard_v1::*;

    // The runtime's error is large (160 bytes): boxing its bodies is a follow-up.
    #[allow(clippy::result_large_err)]
    fn names(error: Error, plan: Plan, body: ApiError, api_plan: ApiPlan) -> Result<NewTask> {
        let _ = (plan, body, api_plan);
        Err(error)
    }
}
