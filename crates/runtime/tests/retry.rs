//! The retry state machine on tokio's paused clock: the delays it asks for grow and stay
//! within their bounds, and the retry budget empties and refills with time.

// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use sdkgen_runtime::retry::{Decision, Outcome, RetryBudget, StopReason};
use sdkgen_runtime::{RetryBudgetPolicy, RetryPolicy};
use tokio::time::Instant;

const MS: Duration = Duration::from_millis(1);

/// Runs one call's retries as the client does: decide, sleep, try again.
async fn run(
    policy: &RetryPolicy,
    outcome: Outcome,
    fraction: impl Fn() -> f64,
) -> (Vec<Duration>, StopReason) {
    let mut budget = RetryBudget::new(policy.budget, Instant::now());
    let mut delays = Vec::new();
    let mut attempt = 1;
    loop {
        let before = Instant::now();
        match policy.decide(attempt, outcome, true, &mut budget, before, fraction()) {
            Decision::Retry { after } => {
                tokio::time::sleep(after).await;
                delays.push(before.elapsed());
                attempt += 1;
            }
            Decision::Stop(reason) => return (delays, reason),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn delays_double_up_to_the_cap_at_the_top_of_the_jitter() {
    let policy = RetryPolicy {
        max_retries: 8,
        ..RetryPolicy::default()
    };
    let (delays, reason) = run(&policy, Outcome::Unavailable { wait: None }, || 1.0).await;
    assert_eq!(reason, StopReason::NoRetriesLeft);
    assert_eq!(
        delays,
        [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000].map(|ms| ms * MS)
    );
}

#[tokio::test(start_paused = true)]
async fn random_delays_stay_within_zero_and_their_ceiling_and_honour_the_server() {
    let policy = RetryPolicy {
        max_retries: 8,
        ..RetryPolicy::default()
    };
    for _ in 0..50 {
        let (delays, _) = run(
            &policy,
            Outcome::RateLimited {
                wait: Some(Duration::ZERO),
            },
            fastrand::f64,
        )
        .await;
        for (retry, delay) in (1..).zip(&delays) {
            assert!(
                *delay <= policy.backoff_ceiling(retry),
                "retry {retry}: {delay:?}"
            );
        }
        let (delays, _) = run(
            &policy,
            Outcome::RateLimited {
                wait: Some(Duration::from_secs(3)),
            },
            fastrand::f64,
        )
        .await;
        assert!(
            delays.iter().all(|delay| *delay >= Duration::from_secs(3)),
            "{delays:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_retry_budget_empties_and_refills_with_time() {
    let policy = RetryPolicy {
        budget: RetryBudgetPolicy {
            capacity: 25,
            ..RetryBudgetPolicy::default()
        },
        ..RetryPolicy::default()
    };
    let mut budget = RetryBudget::new(policy.budget, Instant::now());
    let decide = |budget: &mut RetryBudget| {
        policy.decide(1, Outcome::NotSent, true, budget, Instant::now(), 0.5)
    };
    for _ in 0..5 {
        assert!(matches!(decide(&mut budget), Decision::Retry { .. }));
    }
    assert_eq!(decide(&mut budget), Decision::Stop(StopReason::BudgetEmpty));
    // Five tokens a second: one retry a second while the outage lasts.
    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(decide(&mut budget), Decision::Stop(StopReason::BudgetEmpty));
    tokio::time::advance(MS).await;
    assert!(matches!(decide(&mut budget), Decision::Retry { .. }));
    assert_eq!(decide(&mut budget), Decision::Stop(StopReason::BudgetEmpty));
    // Full again after five seconds, and never fuller.
    tokio::time::advance(Duration::from_secs(60)).await;
    assert_eq!(budget.tokens(Instant::now()), 25);
    // Successes give tokens back.
    for _ in 0..5 {
        assert!(matches!(decide(&mut budget), Decision::Retry { .. }));
    }
    for _ in 0..5 {
        budget.succeeded(Instant::now());
    }
    assert!(matches!(decide(&mut budget), Decision::Retry { .. }));
    // A timeout's retry costs twice as much.
    budget.succeeded(Instant::now());
    budget.succeeded(Instant::now());
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(budget.tokens(Instant::now()), 7);
    assert_eq!(
        policy.decide(1, Outcome::TimedOut, true, &mut budget, Instant::now(), 0.5),
        Decision::Stop(StopReason::BudgetEmpty)
    );
}
