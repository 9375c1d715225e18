//! Reservation latency through Redis on loopback, beside the in-process store:
//! `REDIS_URL=redis://127.0.0.1:6379 cargo bench -p sdkgen-runtime --features redis --bench budget_redis`.
//!
//! First it prints the p50 and p99 of 20,000 reservations, one at a time, each through the
//! store (target: p99 under 1 ms through Redis); then divan times the same calls. Budgets are
//! sized so that no reservation ever waits: this measures a reservation, not the rate.
//! Without `REDIS_URL` only the in-process store is measured, and it says so.

use std::sync::Arc;
use std::time::Duration;

use sdkgen_runtime::budget::{
    BudgetStore, MemoryStore, RedisSettings, RedisStore, Reservation, StoreHealth, WindowState,
};
use tokio::time::Instant;

const HUGE: u32 = u32::MAX / 2;
const SAMPLES: usize = 20_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn initial() -> WindowState {
    WindowState::new(HUGE, Duration::from_secs(3600), Instant::now())
}

/// A store on the Redis of `REDIS_URL`, with keys of this run.
fn redis(runtime: &tokio::runtime::Runtime) -> Option<Arc<RedisStore>> {
    let url = std::env::var("REDIS_URL").ok()?;
    let settings = RedisSettings {
        prefix: format!("sdkgen-bench:{:08x}", fastrand::u32(..)),
        ..RedisSettings::default()
    };
    let store = runtime
        .block_on(RedisStore::connect_with(&url, settings))
        .expect("a Redis URL");
    (store.health() == StoreHealth::Shared).then_some(store)
}

async fn reserve(store: &dyn BudgetStore, ticket: u64) {
    let reservation = store
        .reserve("org:bench", 3, ticket, initial(), Instant::now())
        .await
        .expect("reserved");
    assert!(matches!(reservation, Reservation::Granted { .. }));
}

fn percentiles(name: &str, runtime: &tokio::runtime::Runtime, store: &dyn BudgetStore) {
    let mut samples = Vec::with_capacity(SAMPLES);
    runtime.block_on(async {
        for ticket in 0..SAMPLES as u64 {
            let started = std::time::Instant::now();
            reserve(store, ticket).await;
            samples.push(started.elapsed());
        }
    });
    samples.sort();
    let at = |fraction: f64| samples[((samples.len() - 1) as f64 * fraction) as usize];
    println!(
        "{name}: p50 {:?}, p99 {:?}, max {:?} ({SAMPLES} reservations, one at a time)",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn main() {
    let runtime = runtime();
    percentiles("in-process store", &runtime, &MemoryStore::new());
    match redis(&runtime) {
        Some(store) => percentiles("Redis store (loopback)", &runtime, &*store),
        None => println!("Redis store: skipped (REDIS_URL is not set or Redis does not answer)"),
    }
    divan::main();
}

#[divan::bench]
fn reserve_in_process(bencher: divan::Bencher) {
    let runtime = runtime();
    let store = MemoryStore::new();
    bencher.bench_local(|| runtime.block_on(reserve(&store, 0)));
}

#[divan::bench]
fn reserve_through_redis(bencher: divan::Bencher) {
    let runtime = runtime();
    let Some(store) = redis(&runtime) else {
        println!("reserve_through_redis: skipped (REDIS_URL is not set)");
        return;
    };
    bencher.bench_local(|| runtime.block_on(reserve(&*store, 0)));
}
