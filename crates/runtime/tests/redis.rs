//! The budget in Redis (the `redis` feature), against a real Redis named by `REDIS_URL`.
//!
//! Without a Redis these tests are ignored, and the test runner says so ("ignored, needs
//! REDIS_URL"); CI runs them with
//! `REDIS_URL=redis://127.0.0.1:6379 cargo test -p sdkgen-runtime --features redis --test redis -- --ignored`.
//! Each test uses keys of its own (a random prefix), so they can share one Redis. Redis keeps
//! its own clock, which cannot be paused: windows here are real and short.

#![cfg(feature = "redis")]
// Test code unwraps: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use sdkgen_runtime::budget::{
    Budget, BudgetError, BudgetMode, BudgetStore, Observation, RedisSettings, RedisStore,
    Reservation, StoreHealth, WindowState,
};
use sdkgen_runtime::{Client, Plan};
use tokio::time::Instant;

fn url() -> String {
    std::env::var("REDIS_URL").expect("REDIS_URL names the Redis these tests use")
}

fn settings() -> RedisSettings {
    RedisSettings {
        prefix: format!("sdkgen-test:{:016x}", fastrand::u64(..)),
        ..RedisSettings::default()
    }
}

/// Two stores on one Redis with one prefix: two processes of a fleet.
async fn fleet_of_two() -> (Arc<RedisStore>, Arc<RedisStore>) {
    let settings = settings();
    let first = RedisStore::connect_with(&url(), settings.clone())
        .await
        .unwrap();
    let second = RedisStore::connect_with(&url(), settings).await.unwrap();
    assert_eq!(first.health(), StoreHealth::Shared);
    (first, second)
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_two_processes_spend_one_budget() {
    let (first, second) = fleet_of_two().await;
    let a = Budget::in_store("org:one", 100, Duration::from_secs(60), first);
    let b = Budget::in_store("org:one", 100, Duration::from_secs(60), second);
    let permit = a.acquire(60, 0, BudgetMode::Wait).await.unwrap();
    let error = b.acquire(50, 0, BudgetMode::FailFast).await.unwrap_err();
    assert!(
        matches!(error, BudgetError::Exhausted { needed: 50, remaining: 40, wait } if wait > Duration::from_secs(58)),
        "{error:?}"
    );
    let snapshot = b.snapshot().await.unwrap();
    assert_eq!(
        (snapshot.remaining, snapshot.store),
        (40, StoreHealth::Shared)
    );
    permit.answered(Observation::default()).await.unwrap();
    assert_eq!(
        b.acquire(40, 0, BudgetMode::FailFast)
            .await
            .unwrap()
            .points(),
        40
    );
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_points_in_flight_of_one_process_survive_the_answer_of_another() {
    let (first, second) = fleet_of_two().await;
    let a = Budget::in_store("org:flight", 100, Duration::from_secs(60), first);
    let b = Budget::in_store("org:flight", 100, Duration::from_secs(60), second);
    let from_a = a.acquire(50, 0, BudgetMode::Wait).await.unwrap();
    let from_b = b.acquire(50, 0, BudgetMode::Wait).await.unwrap();
    from_a
        .answered(Observation {
            limit: Some(100),
            remaining: Some(50),
            reset_at: Some(Instant::now() + Duration::from_secs(30)),
            ..Observation::default()
        })
        .await
        .unwrap();
    assert_eq!(b.snapshot().await.unwrap().remaining, 0);
    drop(from_b);
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_server_headers_only_lower_what_is_left() {
    let (store, _) = fleet_of_two().await;
    let now = Instant::now();
    let initial = WindowState::new(100, Duration::from_secs(60), now);
    let reset_at = Some(now + Duration::from_secs(30));
    let reserved = store
        .reserve("org:lower", 5, 1, initial, now)
        .await
        .unwrap();
    assert_eq!(reserved, Reservation::Granted { remaining: 95 });
    let seen = |remaining| Observation {
        limit: Some(100),
        remaining: Some(remaining),
        reset_at,
        ..Observation::default()
    };
    store
        .observe("org:lower", seen(90), initial, now)
        .await
        .unwrap();
    let state = store.state("org:lower", now).await.unwrap().unwrap();
    assert_eq!((state.remaining(), state.synced), (90, true));
    store
        .observe("org:lower", seen(99), initial, now)
        .await
        .unwrap();
    let state = store.state("org:lower", now).await.unwrap().unwrap();
    assert_eq!(
        state.remaining(),
        90,
        "a higher remaining gives nothing back"
    );
    // Its reset is the server's, to the millisecond.
    let drift = state
        .reset_at
        .saturating_duration_since(now + Duration::from_secs(30));
    assert!(drift < Duration::from_millis(5), "{drift:?}");
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_a_dear_request_is_not_starved_by_cheap_ones_of_other_processes() {
    let (dear, cheap) = fleet_of_two().await;
    let window = Duration::from_millis(400);
    let now = Instant::now();
    let initial = WindowState::new(10, window, now);
    let key = "org:starve";
    assert!(matches!(
        cheap.reserve(key, 5, 100, initial, now).await.unwrap(),
        Reservation::Granted { remaining: 5 }
    ));
    // Process A's cost-10 request must wait for the next window; it takes a ticket.
    let Reservation::Wait { until } = dear.reserve(key, 10, 1, initial, now).await.unwrap() else {
        panic!("10 points do not fit in 5");
    };
    // The 5 points it cannot use go to B's cheap requests meanwhile.
    assert!(matches!(
        cheap.reserve(key, 1, 101, initial, now).await.unwrap(),
        Reservation::Granted { remaining: 4 }
    ));
    // Both were answered in this window.
    let landed = Observation {
        landed: 6,
        ..Observation::default()
    };
    cheap.observe(key, landed, initial, now).await.unwrap();
    tokio::time::sleep_until(until + Duration::from_millis(5)).await;
    // A new window: B comes back first, but A's ticket is ahead and its 10 points fit.
    let now = Instant::now();
    assert!(matches!(
        cheap.reserve(key, 1, 102, initial, now).await.unwrap(),
        Reservation::Wait { .. }
    ));
    assert!(matches!(
        dear.reserve(key, 10, 1, initial, now).await.unwrap(),
        Reservation::Granted { remaining: 0 }
    ));
    // A waiter that leaves gives its place up.
    cheap.leave(key, 102).await.unwrap();
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_a_waiter_that_never_comes_back_is_dropped() {
    let (gone, alive) = fleet_of_two().await;
    let now = Instant::now();
    let window = Duration::from_millis(200);
    let initial = WindowState::new(10, window, now);
    let key = "org:gone";
    alive.reserve(key, 8, 1, initial, now).await.unwrap();
    // A cost-5 waiter of a process that then died.
    assert!(matches!(
        gone.reserve(key, 5, 2, initial, now).await.unwrap(),
        Reservation::Wait { .. }
    ));
    // Its ticket holds points back for a while, then the queue drops it: the grace is 1 s
    // after the reset it was told to come back at.
    tokio::time::sleep(window + Duration::from_millis(1100)).await;
    let now = Instant::now();
    assert!(matches!(
        alive.reserve(key, 10, 3, initial, now).await.unwrap(),
        Reservation::Granted { remaining: 0 }
    ));
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_keys_carry_the_organisation_as_hash_tag_and_expire() {
    let settings = settings();
    let prefix = settings.prefix.clone();
    let store = RedisStore::connect_with(&url(), settings).await.unwrap();
    let now = Instant::now();
    let initial = WindowState::new(10, Duration::from_secs(1), now);
    store.reserve("org:ttl", 10, 1, initial, now).await.unwrap();
    store.reserve("org:ttl", 1, 2, initial, now).await.unwrap();
    let client = redis::Client::open(url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    for suffix in ["", ":queue", ":tickets"] {
        let key = format!("{prefix}:{{org:ttl}}{suffix}");
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        // The reset (1 s), the ticket's grace (1 s) and two windows at most.
        assert!(ttl > 0 && ttl <= 4_000, "{key}: {ttl} ms");
    }
    // And the hash slot is the organisation's: Cluster keeps them on one node.
    let slot = |key: String| {
        let mut connection = connection.clone();
        async move {
            redis::cmd("CLUSTER")
                .arg("KEYSLOT")
                .arg(key)
                .query_async::<i64>(&mut connection)
                .await
        }
    };
    if let (Ok(state), Ok(queue)) = (
        slot(format!("{prefix}:{{org:ttl}}")).await,
        slot(format!("{prefix}:{{org:ttl}}:queue")).await,
    ) {
        assert_eq!(state, queue);
    }
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_a_client_built_with_the_store_shows_it_in_its_budget() {
    // The default settings (keys under sdkgen:budget).
    let store = RedisStore::connect(&url()).await.unwrap();
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .organization(format!("acme-{:08x}", fastrand::u32(..)))
        .plan(Plan::Build)
        .budget_store(store)
        .build()
        .unwrap();
    let budget = client.budget().await.unwrap();
    assert_eq!(
        (budget.limit, budget.remaining, budget.store),
        (100, 100, StoreHealth::Shared)
    );
}

#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_the_script_is_loaded_again_when_redis_forgets_it() {
    let (store, _) = fleet_of_two().await;
    let now = Instant::now();
    let initial = WindowState::new(10, Duration::from_secs(60), now);
    store
        .reserve("org:flush", 1, 1, initial, now)
        .await
        .unwrap();
    let client = redis::Client::open(url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut connection)
        .await
        .unwrap();
    // EVALSHA fails with NOSCRIPT; the store sends the script with EVAL.
    assert!(matches!(
        store
            .reserve("org:flush", 1, 2, initial, now)
            .await
            .unwrap(),
        Reservation::Granted { remaining: 8 }
    ));
    assert_eq!(store.health(), StoreHealth::Shared);
}

/// The script is WindowState ported to Lua: the same operations, drawn at random, leave the
/// same state in Redis as in memory (one window, one waiter: the queue stays out of it).
#[tokio::test]
#[ignore = "needs REDIS_URL (a Redis): run with --ignored, as CI does"]
async fn redis_runs_the_same_state_machine_as_the_memory_store() {
    let (store, _) = fleet_of_two().await;
    let key = "org:model";
    let start = Instant::now();
    let initial = WindowState::new(100, Duration::from_secs(60), start);
    let mut model = initial;
    let mut random = fastrand::Rng::with_seed(11);
    let reset = start + Duration::from_secs(30);
    for step in 0..400 {
        let now = Instant::now();
        match random.u8(0..4) {
            0 => {
                let points = random.u32(1..=10);
                let expected = model.reserve(points, now);
                let got = store.reserve(key, points, 7, initial, now).await.unwrap();
                match (expected, got) {
                    (
                        Reservation::Granted { remaining: a },
                        Reservation::Granted { remaining: b },
                    ) => {
                        assert_eq!(a, b, "step {step}")
                    }
                    (Reservation::Wait { .. }, Reservation::Wait { .. }) => {}
                    _ => panic!("step {step}: {expected:?} in memory, {got:?} in Redis"),
                }
            }
            1 => {
                let landed = random.u32(0..=model.in_flight.min(20));
                let observation = Observation {
                    limit: random.bool().then(|| random.u32(60..=140)),
                    remaining: random.bool().then(|| random.u32(0..=100)),
                    reset_at: random.bool().then_some(reset),
                    answered: landed,
                    landed,
                    window: (random.u8(0..8) == 0)
                        .then(|| Duration::from_secs(random.u64(20..=90))),
                    ..Observation::default()
                };
                model.observe(observation, now);
                store.observe(key, observation, initial, now).await.unwrap();
            }
            2 => {
                let points = random.u32(0..=model.in_flight.min(10));
                model.refund(points, now);
                store.refund(key, points, now).await.unwrap();
            }
            _ => {}
        }
        let state = store.state(key, now).await.unwrap();
        if step == 0 && state.is_none() {
            continue;
        }
        let state = state.unwrap();
        assert_eq!(
            (
                state.limit,
                state.spent,
                state.external,
                state.in_flight,
                state.carried,
                state.synced
            ),
            (
                model.limit,
                model.spent,
                model.external,
                model.in_flight,
                model.carried,
                model.synced
            ),
            "step {step}"
        );
    }
}

/// No Redis at all (nothing listens on port 1): the client is built, says where its budget
/// stands, and spends its local share at once. Needs no Redis, so it is not ignored.
#[tokio::test]
async fn a_client_whose_redis_is_away_says_so_and_spends_its_share() {
    let store = RedisStore::connect_with(
        "redis://127.0.0.1:1",
        RedisSettings {
            fleet_size: 4,
            ..settings()
        },
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .organization("acme")
        .plan(Plan::Build)
        .throttling(sdkgen_runtime::Throttling::Points)
        .budget_store(store)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let permit = client
        .budget_handle()
        .acquire(10, 0, BudgetMode::FailFast)
        .await
        .unwrap();
    drop(permit);
    let budget = client.budget().await.unwrap();
    assert!(
        matches!(budget.store, StoreHealth::Degraded { share: 25, .. }),
        "{budget:?}"
    );
    assert_eq!((budget.limit, budget.remaining), (25, 15));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "no wait for Redis"
    );
}
