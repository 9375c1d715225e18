//! The budget under tokio's paused clock: waiting, fairness, reconciliation from headers, a
//! limit change, the 429 gate, no double charge on retry, fail-fast.

// Test servers and fixtures unwrap: a failure there is a failed test, as it should be.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdkgen_runtime::budget::{Budget, BudgetError, BudgetMode, MemoryStore, Observation};
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);

fn budget(limit: u32) -> Arc<Budget> {
    Budget::in_memory("org", limit, MINUTE).with_jitter(Duration::ZERO)
}

async fn spend(budget: &Arc<Budget>, points: u32) {
    let permit = budget.acquire(points, 0, BudgetMode::Wait).await.unwrap();
    permit.answered(Observation::default()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_caller_waits_for_the_next_window_without_polling() {
    let budget = budget(10);
    spend(&budget, 8).await;
    let started = Instant::now();
    let permit = budget.acquire(5, 0, BudgetMode::Wait).await.unwrap();
    assert_eq!(
        started.elapsed(),
        MINUTE,
        "waited exactly until the window reset"
    );
    assert_eq!(permit.waited(), MINUTE);
    assert_eq!(permit.points(), 5);
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!((snapshot.remaining, snapshot.in_flight), (5, 5));
}

#[tokio::test(start_paused = true)]
async fn fail_fast_says_how_long_to_wait() {
    let budget = budget(10);
    spend(&budget, 8).await;
    tokio::time::advance(Duration::from_secs(20)).await;
    let error = budget
        .acquire(5, 0, BudgetMode::FailFast)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        BudgetError::Exhausted {
            needed: 5,
            remaining: 2,
            wait: Duration::from_secs(40)
        }
    );
    // Affordable requests still go through in fail-fast mode.
    assert!(budget.acquire(2, 0, BudgetMode::FailFast).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_request_dearer_than_the_whole_budget_waits_for_a_fresh_window_and_probes() {
    let budget = budget(5);
    spend(&budget, 1).await;
    let started = Instant::now();
    // Refusing it forever would brick the client if the limit rose: it goes alone, first
    // in the next window.
    let permit = budget.acquire(6, 0, BudgetMode::Wait).await.unwrap();
    assert_eq!(started.elapsed(), MINUTE);
    assert_eq!(budget.snapshot().await.unwrap().remaining, 0);
    permit.answered(Observation::default()).await.unwrap();
    let error = budget
        .acquire_within(1, 0, BudgetMode::Wait, Duration::from_secs(30))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the point budget is spent: 1 points are needed, 0 are left; they will be back in 60 s"
    );
}

#[tokio::test(start_paused = true)]
async fn an_expensive_request_is_not_starved_by_cheap_ones() {
    let budget = budget(10);
    spend(&budget, 9).await;
    let started = Instant::now();
    let order = Arc::new(Mutex::new(Vec::new()));
    // The cost-10 request queues first; a stream of cost-1 requests comes after it.
    let expensive = {
        let (budget, order) = (Arc::clone(&budget), Arc::clone(&order));
        tokio::spawn(async move {
            let permit = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
            order.lock().unwrap().push((10, started.elapsed()));
            permit.answered(Observation::default()).await.unwrap();
        })
    };
    tokio::task::yield_now().await;
    let cheap: Vec<_> = (0..5)
        .map(|_| {
            let (budget, order) = (Arc::clone(&budget), Arc::clone(&order));
            tokio::spawn(async move {
                let permit = budget.acquire(1, 0, BudgetMode::Wait).await.unwrap();
                order.lock().unwrap().push((1, started.elapsed()));
                permit.answered(Observation::default()).await.unwrap();
            })
        })
        .collect();
    expensive.await.unwrap();
    for task in cheap {
        task.await.unwrap();
    }
    let order = order.lock().unwrap().clone();
    // One cheap request used the point the expensive one could not (backfilling); then the
    // expensive one got the whole next window at its start, before any other cheap request.
    assert_eq!(
        order,
        [
            (1, Duration::ZERO),
            (10, MINUTE),
            (1, 2 * MINUTE),
            (1, 2 * MINUTE),
            (1, 2 * MINUTE),
            (1, 2 * MINUTE)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn cheaper_waiters_backfill_points_the_head_cannot_use() {
    let budget = budget(10);
    spend(&budget, 3).await;
    let head = {
        let budget = Arc::clone(&budget);
        tokio::spawn(async move {
            budget
                .acquire(10, 0, BudgetMode::Wait)
                .await
                .unwrap()
                .waited()
        })
    };
    tokio::task::yield_now().await;
    // 7 points are left; the head needs 10 and waits for the reset. A cost-3 and a cost-4
    // request behind it go now, without delaying it; a cost-1 after them waits.
    for points in [3, 4] {
        let permit = budget.acquire(points, 0, BudgetMode::Wait).await.unwrap();
        assert_eq!(permit.waited(), Duration::ZERO);
        permit.answered(Observation::default()).await.unwrap();
    }
    assert_eq!(head.await.unwrap(), MINUTE);
}

#[tokio::test(start_paused = true)]
async fn higher_priority_waiters_go_first() {
    let budget = budget(3);
    spend(&budget, 3).await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for priority in [0, 5, 1] {
        let (budget, order) = (Arc::clone(&budget), Arc::clone(&order));
        tasks.push(tokio::spawn(async move {
            let _permit = budget.acquire(3, priority, BudgetMode::Wait).await.unwrap();
            order.lock().unwrap().push(priority);
        }));
        tokio::task::yield_now().await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [5, 1, 0]);
}

#[tokio::test(start_paused = true)]
async fn headers_win_over_the_local_estimate() {
    let budget = budget(100);
    // Another process of the organisation spent 50 points: the server says 40 are left after
    // our 10.
    let permit = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    let reset_at = Instant::now() + Duration::from_secs(30);
    permit
        .answered(Observation {
            limit: Some(100),
            remaining: Some(40),
            reset_at: Some(reset_at),
            ..Default::default()
        })
        .await
        .unwrap();
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!(
        (snapshot.remaining, snapshot.resets_in()),
        (40, Duration::from_secs(30))
    );
    // The wall-clock time says the same.
    let wall = snapshot
        .reset_at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(wall <= Duration::from_secs(30) && wall > Duration::from_secs(29));
    // The window resets when the server said, not a minute after we started.
    let started = Instant::now();
    let _permit = budget.acquire(60, 0, BudgetMode::Wait).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn requests_in_flight_are_not_counted_twice() {
    let budget = budget(100);
    let first = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    let second = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    // The server counted both before answering the first: 80 left. The second is still in
    // flight, but it is already in our spent points: 80 left, not 70.
    first
        .answered(Observation {
            remaining: Some(80),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(budget.snapshot().await.unwrap().remaining, 80);
    second
        .answered(Observation {
            remaining: Some(80),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(budget.snapshot().await.unwrap().remaining, 80);
}

#[tokio::test(start_paused = true)]
async fn a_new_limit_resizes_the_budget_at_once() {
    let budget = budget(100);
    spend(&budget, 30).await;
    let permit = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    permit
        .answered(Observation {
            limit: Some(50),
            remaining: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!((snapshot.limit, snapshot.remaining), (50, 10));
    // A raised limit wakes waiters at once instead of at the reset.
    let waiter = {
        let budget = Arc::clone(&budget);
        tokio::spawn(async move {
            let started = Instant::now();
            budget.acquire(30, 0, BudgetMode::Wait).await.unwrap();
            started.elapsed()
        })
    };
    tokio::task::yield_now().await;
    tokio::time::advance(Duration::from_secs(5)).await;
    budget
        .observe(Observation {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(waiter.await.unwrap(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_429_closes_the_gate_for_everyone_and_the_retry_is_charged_once() {
    let budget = budget(100);
    let permit = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    let until = Instant::now() + Duration::from_secs(12);
    permit
        .rate_limited(Observation {
            blocked_until: Some(until),
            ..Default::default()
        })
        .await
        .unwrap();
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!(
        (snapshot.remaining, snapshot.blocked_for()),
        (0, Some(until - Instant::now()))
    );
    assert!(snapshot.blocked_until.is_some());
    // Every caller, even a cheap one, waits for the gate.
    let error = budget
        .acquire(1, 0, BudgetMode::FailFast)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        BudgetError::Paused {
            wait: Duration::from_secs(12)
        }
    );
    assert_eq!(
        error.to_string(),
        "the server rate-limited this client: no request goes out for another 12 s"
    );
    // A caller that may wait 5 s fails at once too, with the wait; a nearer deadline of the
    // request's own could not be met either.
    let error = budget
        .acquire_within(1, 0, BudgetMode::Wait, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        BudgetError::Paused {
            wait: Duration::from_secs(12)
        }
    );
    let started = Instant::now();
    // The retry of the rejected request reserves again after the gate...
    let retry = budget.acquire(10, 0, BudgetMode::Wait).await.unwrap();
    assert_eq!(started.elapsed(), Duration::from_secs(12));
    retry.answered(Observation::default()).await.unwrap();
    // ...and is charged once: the rejected attempt was given back, the retry took 10.
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!(
        (
            snapshot.remaining,
            snapshot.in_flight,
            snapshot.blocked_until
        ),
        (90, 0, None)
    );
}

#[tokio::test(start_paused = true)]
async fn the_gate_gets_jitter_so_clients_do_not_return_together() {
    let budget = Budget::in_memory("jittery", 100, MINUTE).with_jitter(Duration::from_millis(500));
    let permit = budget.acquire(1, 0, BudgetMode::Wait).await.unwrap();
    let until = Instant::now() + Duration::from_secs(2);
    permit
        .rate_limited(Observation {
            blocked_until: Some(until),
            ..Default::default()
        })
        .await
        .unwrap();
    let blocked = Instant::now() + budget.snapshot().await.unwrap().blocked_for().unwrap();
    assert!(blocked >= until && blocked <= until + Duration::from_millis(500));
}

#[tokio::test(start_paused = true)]
async fn points_of_requests_never_sent_come_back() {
    let budget = budget(10);
    let permit = budget.acquire(7, 0, BudgetMode::Wait).await.unwrap();
    assert_eq!(budget.snapshot().await.unwrap().in_flight, 7);
    permit.not_sent().await.unwrap();
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!((snapshot.remaining, snapshot.in_flight), (10, 0));
    // Dropped unsettled (the server may have counted it): spent, no longer in flight.
    drop(budget.acquire(4, 0, BudgetMode::Wait).await.unwrap());
    let snapshot = budget.snapshot().await.unwrap();
    assert_eq!((snapshot.remaining, snapshot.in_flight), (6, 0));
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_waiter_leaves_the_queue() {
    let budget = budget(5);
    spend(&budget, 5).await;
    let waiting = {
        let budget = Arc::clone(&budget);
        tokio::spawn(async move { budget.acquire(5, 0, BudgetMode::Wait).await })
    };
    tokio::task::yield_now().await;
    assert_eq!(budget.snapshot().await.unwrap().waiting, 1);
    waiting.abort();
    let _ = waiting.await;
    assert_eq!(budget.snapshot().await.unwrap().waiting, 0);
}

#[tokio::test(start_paused = true)]
async fn clients_of_one_organisation_share_one_budget() {
    let first = Budget::shared("org-shared-test", 10, MINUTE);
    let second = Budget::shared("org-shared-test", 10, MINUTE);
    assert!(Arc::ptr_eq(&first, &second));
    let other = Budget::shared("another-org-test", 10, MINUTE);
    assert!(!Arc::ptr_eq(&first, &other));
}

#[tokio::test(start_paused = true)]
async fn the_window_length_is_learned_from_the_servers_resets_unless_set() {
    let answer = |budget: Arc<Budget>, reset_in: Duration| async move {
        let permit = budget.acquire(1, 0, BudgetMode::Wait).await.unwrap();
        permit
            .answered(Observation {
                reset_at: Some(Instant::now() + reset_in),
                ..Default::default()
            })
            .await
            .unwrap();
    };
    let learning = budget(10);
    let fixed = Budget::in_memory("org-fixed", 10, MINUTE)
        .with_jitter(Duration::ZERO)
        .with_window_fixed(true);
    for budget in [&learning, &fixed] {
        answer(Arc::clone(budget), Duration::from_secs(4)).await;
    }
    tokio::time::advance(Duration::from_secs(4)).await;
    for budget in [&learning, &fixed] {
        // The server's next window ends ten seconds after the last.
        answer(Arc::clone(budget), Duration::from_secs(10)).await;
    }
    assert_eq!(learning.window(), Duration::from_secs(10));
    assert_eq!(fixed.window(), MINUTE);
    // With no answer to say so, the window after next still ends ten seconds later.
    tokio::time::advance(Duration::from_secs(10)).await;
    let reset_in = learning.snapshot().await.unwrap().resets_in();
    assert_eq!(reset_in, Duration::from_secs(10));
    // The window the user set is kept: a minute from the end of the first.
    let reset_in = fixed.snapshot().await.unwrap().resets_in();
    assert_eq!(reset_in, Duration::from_secs(50));
}

#[tokio::test(start_paused = true)]
async fn two_processes_over_one_store_keep_each_others_points_in_flight() {
    // Two processes of one organisation: two budgets over one shared store.
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let first = Budget::in_store("org", 100, MINUTE, store.clone()).with_jitter(Duration::ZERO);
    let second = Budget::in_store("org", 100, MINUTE, store).with_jitter(Duration::ZERO);
    let a = first.acquire(50, 0, BudgetMode::Wait).await.unwrap();
    let b = second.acquire(50, 0, BudgetMode::Wait).await.unwrap();
    // The server's window began after both reservations; it has counted A's 50 when it
    // answers A. B's 50 are on their way and will count too: nothing is left.
    a.answered(Observation {
        limit: Some(100),
        remaining: Some(50),
        reset_at: Some(Instant::now() + Duration::from_secs(30)),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(first.snapshot().await.unwrap().remaining, 0);
    assert_eq!(second.snapshot().await.unwrap().remaining, 0);
    let error = first.acquire(1, 0, BudgetMode::FailFast).await.unwrap_err();
    assert!(matches!(error, BudgetError::Exhausted { remaining: 0, .. }));
    b.answered(Observation {
        limit: Some(100),
        remaining: Some(0),
        reset_at: Some(Instant::now() + Duration::from_secs(30)),
        ..Default::default()
    })
    .await
    .unwrap();
    let snapshot = second.snapshot().await.unwrap();
    assert_eq!((snapshot.remaining, snapshot.in_flight), (0, 0));
}
