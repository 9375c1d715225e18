//! The v1 and the v2 SDK against one default sandbox at the same time: each finds its major
//! under its base path, and both draw on one budget per organisation.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sdkgen_e2e::{Plan, Settings, key, start_default};

const POINTS: u32 = 1000;

/// The remaining points an answer reports (both SDKs answer the runtime's `ResponseValue`).
fn remaining<T>(response: &taskboard_v1::ResponseValue<T>) -> u32 {
    response.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_and_v2_sdks_at_once_share_one_budget() {
    let running = start_default(Settings {
        keys: vec![key("both-majors", "org-both", Plan::Custom(POINTS))],
        ..Settings::default()
    })
    .await
    .unwrap();
    let v1 = taskboard_v1::Client::builder()
        .base_url(format!("{}/v1", running.url))
        .bearer_token("both-majors")
        .organization("org-both-e2e")
        .plan(taskboard_v1::Plan::Custom(POINTS))
        .window(Duration::from_secs(60))
        .build()
        .unwrap();
    let v2 = taskboard_v2::Client::builder()
        .base_url(format!("{}/v2", running.url))
        .bearer_token("both-majors")
        .organization("org-both-e2e")
        .plan(taskboard_v2::Plan::Custom(POINTS))
        .window(Duration::from_secs(60))
        .build()
        .unwrap();
    let with_v1 = async {
        for round in 0..5 {
            let project = v1
                .create_project(taskboard_v1::types::NewProject::new(format!("one-{round}")))
                .send()
                .await
                .unwrap()
                .into_inner();
            // The v1 body (`title`) is accepted: this major is served, not only the newest.
            let task = v1
                .create_task(project.id, taskboard_v1::types::NewTask::new("launch"))
                .send()
                .await
                .unwrap()
                .into_inner();
            assert_eq!(task.title, "launch");
            v1.get_task(task.id).send().await.unwrap();
        }
    };
    let with_v2 = async {
        for round in 0..5 {
            let project = v2
                .create_project(taskboard_v2::types::NewProject::new(format!("two-{round}")))
                .send()
                .await
                .unwrap()
                .into_inner();
            let task = v2
                .create_task(project.id, taskboard_v2::types::NewTask::new("dock"))
                .send()
                .await
                .unwrap()
                .into_inner();
            assert_eq!(task.name, "dock");
            v2.get_task(task.id).send().await.unwrap();
        }
    };
    tokio::join!(with_v1, with_v2);

    // One budget: what v2 reports includes what v1 spent, and the other way round.
    let seen_by_v1 = v1.get_organization().send().await.unwrap();
    let seen_by_v2 = v2.get_organization().send().await.unwrap();
    let after_v1 = remaining(&seen_by_v1);
    let after_v2 = remaining(&seen_by_v2);
    let reset_v1 = seen_by_v1.headers()["x-ratelimit-reset"].clone();
    let usage = running.sandbox.usage("org-both");
    let spent: u32 = usage.iter().map(|(_, used)| used).sum();
    // Each round: create project 3, create task 3, get task 1; both majors alike.
    assert_eq!(spent, 2 * 5 * (3 + 3 + 1) + 2, "{usage:?}");
    if seen_by_v2.headers()["x-ratelimit-reset"] == reset_v1 && usage.len() == 1 {
        assert_eq!(after_v1, POINTS - spent + 1);
        assert_eq!(after_v2, POINTS - spent, "v2 sees v1's charges");
    }
    assert_eq!(running.sandbox.rejections("org-both"), 0);
}
