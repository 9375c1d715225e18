//! Retry policy as a pure state machine: (attempt, outcome) -> decision.
//!
//! [`RetryPolicy::decide`] takes the attempt that just ended, what happened to it, whether the
//! request may be replayed, the client's [`RetryBudget`], the time and a random fraction, and
//! answers [`Decision::Retry`] with a delay or [`Decision::Stop`] with the reason. It has no
//! clock and no I/O, so every branch is tested on plain values; the client's loop only
//! carries the decisions out.
//!
//! Delays are exponential with full jitter (a uniform draw between zero and
//! `min(max_backoff, initial_backoff * 2^(attempt-1))`) on every retryable outcome, 429s
//! included: a `Retry-After: 0` still backs off. A server's wait is honoured (the retry comes
//! no earlier) up to `max_retry_after`; a longer wait stops the retries at once.
//!
//! The [`RetryBudget`] is a token bucket per client, after aws-sdk's standard retry mode: a
//! retry takes 5 tokens (10 after a timeout), a success gives 1 back, and the bucket refills
//! over time; when it is empty, failures are returned instead of retried, so an outage does
//! not multiply the load on the server.

use std::time::Duration;

use tokio::time::Instant;

/// When and how requests are retried.
///
/// Retried: connection errors and timeouts, 429, 502, 503 and 504. A request that may have
/// reached the server (a timeout, a 503) is replayed only when that is safe: its method is
/// idempotent, or the operation declares an idempotency key header
/// ([`crate::Request::declares_idempotency_key`]), or the client opted in with
/// [`RetryPolicy::idempotency_keys`]. After a 429 or a refused connection the server certainly
/// did not act, and any request is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3).
    pub max_retries: u32,
    /// The ceiling of the first backoff (default 200 ms); doubled at each retry.
    pub initial_backoff: Duration,
    /// The highest ceiling of a backoff (default 10 s).
    pub max_backoff: Duration,
    /// A server wait (`Retry-After`, or the reset after a 429) longer than this is not waited
    /// for: the error is returned at once, and calls are held no longer than this
    /// (default 120 s). A call also stops at a wait longer than it may wait for the budget
    /// (its timeout, or the client's `max_budget_wait`).
    pub max_retry_after: Duration,
    /// Opt-in for APIs that honour `Idempotency-Key` on every write: POST and PATCH requests
    /// carry a key (one per call, kept across its retries) and are retried like idempotent
    /// ones (default false: only operations that declare the header get this).
    pub idempotency_keys: bool,
    /// The client's retry budget.
    pub budget: RetryBudgetPolicy,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            idempotency_keys: false,
            budget: RetryBudgetPolicy::default(),
        }
    }
}

/// The size and costs of a client's retry budget (a token bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudgetPolicy {
    /// Tokens when full (default 500).
    pub capacity: u32,
    /// Tokens a retry takes (default 5).
    pub retry_cost: u32,
    /// Tokens a retry after a timeout takes (default 10).
    pub timeout_retry_cost: u32,
    /// Tokens a success gives back (default 1).
    pub success_reward: u32,
    /// Tokens added per second (default 5: one retry a second when the bucket is empty).
    pub refill_per_second: u32,
}

impl Default for RetryBudgetPolicy {
    fn default() -> Self {
        RetryBudgetPolicy {
            capacity: 500,
            retry_cost: 5,
            timeout_retry_cost: 10,
            success_reward: 1,
            refill_per_second: 5,
        }
    }
}

/// What happened to one attempt, as the retry policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer that retrying cannot change: a success, or an error other than those below.
    Final,
    /// 429: the server did not act on the request. `wait` is what it asked for, if anything
    /// (the reset, or `Retry-After`).
    RateLimited {
        /// The server's wait.
        wait: Option<Duration>,
    },
    /// 502, 503 or 504: the server may have acted. `wait` is its `Retry-After`, if any.
    Unavailable {
        /// The server's wait.
        wait: Option<Duration>,
    },
    /// The connection could not be made: the request never left.
    NotSent,
    /// No answer in time: the request may have reached the server.
    TimedOut,
    /// The connection broke after the request may have been sent.
    Interrupted,
}

impl Outcome {
    /// Whether the server may have acted on the request.
    pub fn may_have_reached_the_server(self) -> bool {
        matches!(
            self,
            Outcome::Unavailable { .. } | Outcome::TimedOut | Outcome::Interrupted
        )
    }
}

/// Why no retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The outcome is final.
    Final,
    /// The policy's retries are used up.
    NoRetriesLeft,
    /// The request may have reached the server and is not safe to replay.
    NotReplayable,
    /// The server asked to wait longer than `max_retry_after`.
    WaitTooLong {
        /// What the server asked for.
        wait: Duration,
    },
    /// The client's retry budget is empty.
    BudgetEmpty,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send again after `after`.
    Retry {
        /// The delay before the next attempt.
        after: Duration,
    },
    /// Return the outcome.
    Stop(StopReason),
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The most a backoff before retry number `retry` (1-based) may be:
    /// `min(max_backoff, initial_backoff * 2^(retry-1))`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff)
    }

    /// The backoff before retry number `retry` with full jitter, for a random `fraction` in
    /// `[0, 1]`: `fraction * ceiling`.
    pub fn backoff_with(&self, retry: u32, fraction: f64) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        // Checked: a ceiling near Duration::MAX times 1.0 rounds above it in f64.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * fraction.clamp(0.0, 1.0))
            .map_or(ceiling, |backoff| backoff.min(ceiling))
    }

    /// The backoff before retry number `retry` (1-based), drawn with full jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.backoff_with(retry, fastrand::f64())
    }

    /// The decision after attempt number `attempt` (1-based) ended with `outcome`.
    /// `replayable`: the request may be sent again even if the server may have acted on it.
    /// A retry takes its tokens from `budget` (a success gives them back: see
    /// [`RetryBudget::succeeded`]). `fraction` is a random number in `[0, 1]` for the jitter.
    pub fn decide(
        &self,
        attempt: u32,
        outcome: Outcome,
        replayable: bool,
        budget: &mut RetryBudget,
        now: Instant,
        fraction: f64,
    ) -> Decision {
        let server_wait = match outcome {
            Outcome::Final => return Decision::Stop(StopReason::Final),
            Outcome::RateLimited { wait } | Outcome::Unavailable { wait } => wait,
            Outcome::NotSent | Outcome::TimedOut | Outcome::Interrupted => None,
        };
        if outcome.may_have_reached_the_server() && !replayable {
            return Decision::Stop(StopReason::NotReplayable);
        }
        if attempt > self.max_retries {
            return Decision::Stop(StopReason::NoRetriesLeft);
        }
        if let Some(wait) = server_wait.filter(|wait| *wait > self.max_retry_after) {
            return Decision::Stop(StopReason::WaitTooLong { wait });
        }
        let cost = if outcome == Outcome::TimedOut {
            self.budget.timeout_retry_cost
        } else {
            self.budget.retry_cost
        };
        if !budget.try_take(cost, now) {
            return Decision::Stop(StopReason::BudgetEmpty);
        }
        let backoff = self.backoff_with(attempt, fraction);
        Decision::Retry {
            after: backoff.max(server_wait.unwrap_or_default()),
        }
    }
}

/// A client's retry budget: a token bucket (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    policy: RetryBudgetPolicy,
    tokens: f64,
    updated: Instant,
}

impl RetryBudget {
    /// A full bucket at `now`.
    pub fn new(policy: RetryBudgetPolicy, now: Instant) -> Self {
        RetryBudget {
            policy,
            tokens: f64::from(policy.capacity),
            updated: now,
        }
    }

    /// The tokens in the bucket at `now`.
    pub fn tokens(&mut self, now: Instant) -> u32 {
        self.refill(now);
        // The bucket holds at most `capacity`, a u32: the cast cannot truncate.
        self.tokens.floor() as u32
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated);
        self.updated = self.updated.max(now);
        let added = elapsed.as_secs_f64() * f64::from(self.policy.refill_per_second);
        self.tokens = (self.tokens + added).min(f64::from(self.policy.capacity));
    }

    /// Takes `cost` tokens if the bucket has them.
    pub fn try_take(&mut self, cost: u32, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= f64::from(cost) {
            self.tokens -= f64::from(cost);
            true
        } else {
            false
        }
    }

    /// A request succeeded: its reward goes back into the bucket.
    pub fn succeeded(&mut self, now: Instant) {
        self.refill(now);
        self.tokens = (self.tokens + f64::from(self.policy.success_reward))
            .min(f64::from(self.policy.capacity));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn ceilings_double_up_to_the_cap_and_full_jitter_spans_zero_to_the_ceiling() {
        let policy = policy();
        let ceilings: Vec<_> = (1..=8).map(|retry| policy.backoff_ceiling(retry)).collect();
        assert_eq!(
            ceilings,
            [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000].map(|ms| ms * MS)
        );
        assert_eq!(policy.backoff_ceiling(u32::MAX), Duration::from_secs(10));
        assert_eq!(policy.backoff_with(3, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff_with(3, 1.0), 800 * MS);
        assert_eq!(policy.backoff_with(3, 0.5), 400 * MS);
        assert_eq!(
            policy.backoff_with(3, 7.0),
            800 * MS,
            "fractions are clamped"
        );
        for retry in 1..=20 {
            let backoff = policy.backoff(retry);
            assert!(backoff <= policy.backoff_ceiling(retry), "{backoff:?}");
        }
        assert_eq!(RetryPolicy::none().max_retries, 0);
        let unbounded = RetryPolicy {
            initial_backoff: Duration::MAX,
            max_backoff: Duration::MAX,
            ..policy
        };
        assert_eq!(unbounded.backoff_with(9, 1.0), Duration::MAX);
        assert!(unbounded.backoff(9) <= Duration::MAX);
    }

    #[test]
    fn every_retryable_outcome_backs_off_429_with_retry_after_zero_included() {
        let policy = policy();
        let now = Instant::now();
        let mut budget = RetryBudget::new(policy.budget, now);
        for outcome in [
            Outcome::RateLimited {
                wait: Some(Duration::ZERO),
            },
            Outcome::RateLimited { wait: None },
            Outcome::Unavailable { wait: None },
            Outcome::NotSent,
            Outcome::TimedOut,
            Outcome::Interrupted,
        ] {
            assert_eq!(
                policy.decide(2, outcome, true, &mut budget, now, 1.0),
                Decision::Retry { after: 400 * MS },
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn a_server_wait_is_honoured_up_to_the_cap() {
        let policy = policy();
        let now = Instant::now();
        let mut budget = RetryBudget::new(policy.budget, now);
        let wait = |seconds| Some(Duration::from_secs(seconds));
        assert_eq!(
            policy.decide(
                1,
                Outcome::RateLimited { wait: wait(3) },
                true,
                &mut budget,
                now,
                1.0
            ),
            Decision::Retry {
                after: Duration::from_secs(3)
            }
        );
        assert_eq!(
            policy.decide(
                1,
                Outcome::Unavailable { wait: wait(86_400) },
                true,
                &mut budget,
                now,
                1.0
            ),
            Decision::Stop(StopReason::WaitTooLong {
                wait: Duration::from_secs(86_400)
            })
        );
    }

    #[test]
    fn what_may_have_reached_the_server_is_replayed_only_when_safe() {
        let policy = policy();
        let now = Instant::now();
        let mut budget = RetryBudget::new(policy.budget, now);
        for outcome in [
            Outcome::Unavailable { wait: None },
            Outcome::TimedOut,
            Outcome::Interrupted,
        ] {
            assert_eq!(
                policy.decide(1, outcome, false, &mut budget, now, 0.5),
                Decision::Stop(StopReason::NotReplayable)
            );
        }
        for outcome in [Outcome::RateLimited { wait: None }, Outcome::NotSent] {
            assert!(matches!(
                policy.decide(1, outcome, false, &mut budget, now, 0.5),
                Decision::Retry { .. }
            ));
        }
        assert_eq!(
            policy.decide(1, Outcome::Final, true, &mut budget, now, 0.5),
            Decision::Stop(StopReason::Final)
        );
        assert_eq!(
            policy.decide(4, Outcome::NotSent, true, &mut budget, now, 0.5),
            Decision::Stop(StopReason::NoRetriesLeft)
        );
    }

    #[test]
    fn the_budget_empties_then_refills_with_time_and_successes() {
        let policy = RetryPolicy {
            budget: RetryBudgetPolicy {
                capacity: 20,
                ..RetryBudgetPolicy::default()
            },
            ..policy()
        };
        let start = Instant::now();
        let mut budget = RetryBudget::new(policy.budget, start);
        let decide = |budget: &mut RetryBudget, outcome, now| {
            policy.decide(1, outcome, true, budget, now, 0.0)
        };
        assert!(matches!(
            decide(&mut budget, Outcome::TimedOut, start),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            decide(&mut budget, Outcome::NotSent, start),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            decide(&mut budget, Outcome::NotSent, start),
            Decision::Retry { .. }
        ));
        assert_eq!(budget.tokens(start), 0);
        assert_eq!(
            decide(&mut budget, Outcome::NotSent, start),
            Decision::Stop(StopReason::BudgetEmpty)
        );
        // Five tokens a second: a retry is back after one second.
        assert_eq!(
            decide(&mut budget, Outcome::NotSent, start + 999 * MS),
            Decision::Stop(StopReason::BudgetEmpty)
        );
        assert!(matches!(
            decide(
                &mut budget,
                Outcome::NotSent,
                start + Duration::from_secs(1)
            ),
            Decision::Retry { .. }
        ));
        for _ in 0..5 {
            budget.succeeded(start + Duration::from_secs(1));
        }
        assert_eq!(budget.tokens(start + Duration::from_secs(1)), 5);
        assert_eq!(
            budget.tokens(start + Duration::from_secs(60)),
            20,
            "never above capacity"
        );
        assert!(budget.try_take(20, start + Duration::from_secs(60)));
        assert!(!budget.try_take(1, start + Duration::from_secs(60)));
        assert!(Outcome::TimedOut.may_have_reached_the_server());
        assert!(!Outcome::NotSent.may_have_reached_the_server());
        assert!(!Outcome::RateLimited { wait: None }.may_have_reached_the_server());
    }
}
