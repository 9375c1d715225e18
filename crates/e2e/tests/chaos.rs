//! Chaos mode against the generated SDK: a fifth of requests fail (502, 503 or a dropped
//! connection, which the SDK retries; a 500 it rightly does not, since the server may have
//! acted), every request waits a little, and the budget is cut while the run goes on. The SDK
//! completes every call, and never meets a 429.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sdkgen_e2e::{BudgetSchedule, Chaos, Failure, Plan, Settings, key, start_default};
use taskboard_v1::types::{NewProject, NewTask};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_v1_sdk_completes_every_call_through_chaos_without_a_429() {
    let chaos = Chaos {
        seed: 2026,
        fail_rate: 0.2,
        failures: vec![Failure::BadGateway, Failure::Unavailable, Failure::Dropped],
        // One call at a time, each waiting 30 to 50 ms: at most about 42 points a second
        // (create 3, get 1, organisation 1 per 3 calls), under the budget even after the cut,
        // so no window can be overspent by the time the cut is announced.
        latency: (Duration::from_millis(30), Duration::from_millis(50)),
        // From 100 points per window down to 50 after a second.
        budget_schedule: BudgetSchedule::parse("1=50").unwrap(),
    };
    let running = start_default(Settings {
        keys: vec![key("chaos", "org-chaos", Plan::Build)],
        window: Duration::from_secs(1),
        chaos: Some(chaos),
        ..Settings::default()
    })
    .await
    .unwrap();
    let client = taskboard_v1::Client::builder()
        .base_url(format!("{}/v1", running.url))
        .bearer_token("chaos")
        .organization("org-chaos-e2e")
        .plan(taskboard_v1::Plan::Build)
        .window(Duration::from_secs(1))
        .retry_policy(taskboard_v1::RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            ..taskboard_v1::RetryPolicy::default()
        })
        .build()
        .unwrap();
    let project = client
        .create_project(NewProject::new("chaos"))
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut created = Vec::new();
    for index in 0..15 {
        let task = client
            .create_task(project.id, NewTask::new(format!("task {index}")))
            .send()
            .await
            .unwrap()
            .into_inner();
        created.push(task.id);
        client.get_task(task.id).send().await.unwrap();
        client.get_organization().send().await.unwrap();
    }
    // Retried writes happen once: a failure comes before the request is acted upon.
    let listed = client
        .list_tasks(project.id)
        .limit(100)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.data.len(), created.len());
    assert_eq!(running.sandbox.rejections("org-chaos"), 0, "no 429");
    let failures = running.sandbox.chaos_failures();
    assert!(failures >= 5, "chaos made {failures} requests fail");
    let usage = running.sandbox.usage("org-chaos");
    eprintln!("{failures} requests failed on purpose; points per window: {usage:?}");
}
