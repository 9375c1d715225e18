//! Throttling under load through the generated SDK, against the sandbox's enforcement of the
//! provider's policy (one-second windows here; a minute in production).

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sdkgen_e2e::{Plan, key, start};
use taskboard_v1::types::NewProject;

const WINDOW: Duration = Duration::from_secs(1);

fn client(url: &str, token: &str, organization: &str) -> taskboard_v1::Client {
    taskboard_v1::Client::builder()
        .base_url(url)
        .bearer_token(token)
        .organization(organization)
        .plan(taskboard_v1::Plan::Build)
        .window(WINDOW)
        .build()
        .unwrap()
}

/// Keeps calling a mix of cheap and expensive operations until `deadline`.
async fn work(
    client: taskboard_v1::Client,
    project: taskboard_v1::uuid::Uuid,
    task: usize,
    deadline: tokio::time::Instant,
) {
    let mut call = 0;
    while tokio::time::Instant::now() < deadline {
        let outcome = match (task + call) % 4 {
            0 => {
                tokio::time::timeout_at(deadline, async {
                    client.get_organization().send().await.map(|_| ())
                })
                .await
            }
            1 => {
                tokio::time::timeout_at(deadline, async {
                    client.get_project(project).send().await.map(|_| ())
                })
                .await
            }
            2 => {
                tokio::time::timeout_at(deadline, async {
                    client.get_project_report(project).send().await.map(|_| ())
                })
                .await
            }
            _ => {
                tokio::time::timeout_at(deadline, async {
                    client.export_project(project).send().await.map(|_| ())
                })
                .await
            }
        };
        if let Ok(result) = outcome {
            result.unwrap();
        }
        call += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tasks_two_keys_no_429_and_at_least_90_percent_of_the_budget() {
    let running = start(
        "v1/1.1.0.yaml",
        vec![
            key("load-a", "load-org", Plan::Build),
            key("load-b", "load-org", Plan::Build),
        ],
        WINDOW,
    )
    .await
    .unwrap();
    let clients = [
        client(&running.url, "load-a", "load-org-e2e"),
        client(&running.url, "load-b", "load-org-e2e"),
    ];
    let project = clients[0]
        .create_project(NewProject::new("load"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(5500);
    let tasks: Vec<_> = (0..8)
        .map(|task| tokio::spawn(work(clients[task % 2].clone(), project, task, deadline)))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(running.sandbox.rejections("load-org"), 0, "no 429 at all");
    let usage: Vec<u32> = running
        .sandbox
        .usage("load-org")
        .into_iter()
        .map(|(_, used)| used)
        .collect();
    let whole = &usage[1..usage.len() - 1];
    let used: u32 = whole.iter().sum();
    let share = f64::from(used) / f64::from(100 * whole.len() as u32);
    eprintln!(
        "points per window: {usage:?}; whole windows: {:.1}% of the budget",
        share * 100.0
    );
    assert!(whole.len() >= 3, "{usage:?}");
    assert!(share >= 0.9, "{usage:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_budget_cut_mid_run_is_followed_within_one_window() {
    let running = start(
        "v1/1.1.0.yaml",
        vec![
            key("cut-a", "cut-org", Plan::Build),
            key("cut-b", "cut-org", Plan::Build),
        ],
        WINDOW,
    )
    .await
    .unwrap();
    let sandbox = Arc::clone(&running.sandbox);
    let clients = [
        client(&running.url, "cut-a", "cut-org-e2e"),
        client(&running.url, "cut-b", "cut-org-e2e"),
    ];
    let project = clients[0]
        .create_project(NewProject::new("cut"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .id;
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_millis(6500);
    let tasks: Vec<_> = (0..6)
        .map(|task| tokio::spawn(work(clients[task % 2].clone(), project, task, deadline)))
        .collect();
    // Cut the budget from 100 to 40 in the middle of the run.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    sandbox.set_budget("cut-org", 40);
    let cut_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // From the second window after the cut on, nothing may be refused.
    let settled = cut_at + 2;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let rejections_when_settled = sandbox.rejections("cut-org");
    for task in tasks {
        task.await.unwrap();
    }
    let usage = sandbox.usage("cut-org");
    eprintln!("points per window: {usage:?}; cut in window {cut_at}");
    for (window, used) in &usage {
        if *window > cut_at {
            assert!(
                *used <= 40,
                "window {window} used {used} after the cut: {usage:?}"
            );
        }
    }
    assert!(
        usage
            .iter()
            .any(|(window, used)| *window >= settled && *used >= 30),
        "the new budget is still used: {usage:?}"
    );
    assert_eq!(
        sandbox.rejections("cut-org"),
        rejections_when_settled,
        "no 429 once the cut was learnt"
    );
}
