//! Budget reservation cost: `cargo bench -p sdkgen-runtime --bench budget`.
//!
//! One reservation uncontended (target: under 1 microsecond) and 16 tasks contending, beside
//! governor's `until_n_ready` (a GCRA rate limiter) doing the same work in the same run.
//! Budgets are sized so that no reservation ever waits for a window: this measures the
//! bookkeeping, not the rate.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use governor::{Quota, RateLimiter};
use sdkgen_runtime::budget::{Budget, BudgetMode};

fn main() {
    divan::main();
}

const HUGE: u32 = u32::MAX / 2;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("tokio runtime")
}

#[divan::bench]
fn reserve_uncontended(bencher: divan::Bencher) {
    let runtime = runtime();
    let _context = runtime.enter();
    let budget = Budget::in_memory("bench", HUGE, Duration::from_secs(3600));
    // Uncontended, the reservation completes on its first poll: poll it once, so the figure is
    // the reservation itself and not an executor's overhead.
    bencher.bench_local(|| {
        let permit = budget
            .acquire(3, 0, BudgetMode::Wait)
            .now_or_never()
            .expect("ready at once")
            .expect("points");
        divan::black_box(permit.points())
    });
}

#[divan::bench]
fn governor_until_n_ready_uncontended(bencher: divan::Bencher) {
    let quota = Quota::per_hour(NonZeroU32::new(HUGE).expect("non-zero"));
    let limiter = RateLimiter::direct(quota);
    let three = NonZeroU32::new(3).expect("non-zero");
    bencher.bench_local(|| {
        limiter
            .until_n_ready(three)
            .now_or_never()
            .expect("ready at once")
            .expect("within capacity");
    });
}

const TASKS: usize = 16;
const PER_TASK: usize = 256;

/// 16 tasks each reserving 256 times: the figure is for all 4,096 reservations.
#[divan::bench]
fn reserve_16_tasks_contending(bencher: divan::Bencher) {
    let runtime = runtime();
    let budget = Budget::in_memory("bench-contended", HUGE, Duration::from_secs(3600));
    bencher.bench_local(|| {
        runtime.block_on(async {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let budget = Arc::clone(&budget);
                    tokio::spawn(async move {
                        for _ in 0..PER_TASK {
                            let permit = budget
                                .acquire(3, 0, BudgetMode::Wait)
                                .await
                                .expect("points");
                            divan::black_box(permit.points());
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        })
    });
}

/// The same 4,096 reservations through governor.
#[divan::bench]
fn governor_16_tasks_contending(bencher: divan::Bencher) {
    let runtime = runtime();
    let quota = Quota::per_hour(NonZeroU32::new(HUGE).expect("non-zero"));
    let limiter = Arc::new(RateLimiter::direct(quota));
    let three = NonZeroU32::new(3).expect("non-zero");
    bencher.bench_local(|| {
        runtime.block_on(async {
            let tasks: Vec<_> = (0..TASKS)
                .map(|_| {
                    let limiter = Arc::clone(&limiter);
                    tokio::spawn(async move {
                        for _ in 0..PER_TASK {
                            limiter.until_n_ready(three).await.expect("within capacity");
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        })
    });
}
