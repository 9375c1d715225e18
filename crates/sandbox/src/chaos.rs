//! Chaos mode, for users who test their own retry handling: a share of requests fail (500,
//! 502 or 503 answers, or the connection dropped without an answer), every request waits a
//! while first, and budgets change at given times ([`crate::BudgetSchedule`]).
//!
//! Seeded and reproducible: the n-th request the sandbox receives gets the same fate for the
//! same seed, whatever the time or the other requests' contents. A failure comes before
//! authentication and charging: the request was not acted upon and cost nothing, so a client
//! may retry it safely.

use std::time::Duration;

use crate::budget::BudgetSchedule;

/// How a request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// 500 Internal Server Error.
    InternalError,
    /// 502 Bad Gateway.
    BadGateway,
    /// 503 Service Unavailable.
    Unavailable,
    /// The connection is closed without an answer.
    Dropped,
}

impl Failure {
    /// Every kind, the default mix.
    pub const ALL: [Failure; 4] = [
        Failure::InternalError,
        Failure::BadGateway,
        Failure::Unavailable,
        Failure::Dropped,
    ];

    /// Parses `500`, `502`, `503` or `drop`.
    pub fn parse(text: &str) -> Result<Failure, String> {
        match text.trim() {
            "500" => Ok(Failure::InternalError),
            "502" => Ok(Failure::BadGateway),
            "503" => Ok(Failure::Unavailable),
            "drop" => Ok(Failure::Dropped),
            other => Err(format!("a failure is 500, 502, 503 or drop, not {other:?}")),
        }
    }

    /// Parses a comma-separated list, such as `502,503,drop`.
    pub fn parse_list(text: &str) -> Result<Vec<Failure>, String> {
        let failures = text
            .split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Failure::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if failures.is_empty() {
            return Err("name at least one failure: 500, 502, 503 or drop".to_owned());
        }
        Ok(failures)
    }
}

/// Chaos settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// The seed: the same seed gives the same fates in the same order.
    pub seed: u64,
    /// The share of requests that fail, from 0 to 1.
    pub fail_rate: f64,
    /// How they fail, drawn evenly (default: all four kinds).
    pub failures: Vec<Failure>,
    /// Every request waits between these two durations before it is handled.
    pub latency: (Duration, Duration),
    /// Budget changes at given times.
    pub budget_schedule: BudgetSchedule,
}

impl Default for Chaos {
    fn default() -> Self {
        Chaos {
            seed: 0,
            fail_rate: 0.0,
            failures: Failure::ALL.to_vec(),
            latency: (Duration::ZERO, Duration::ZERO),
            budget_schedule: BudgetSchedule::default(),
        }
    }
}

/// What chaos does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fate {
    /// How long it waits first.
    pub delay: Duration,
    /// How it fails, if it does.
    pub failure: Option<Failure>,
}

/// Parses a fail rate: a share from 0 to 1 (`0.1`) or a percentage (`10%`).
pub fn parse_fail_rate(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let rate = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|percent| percent / 100.0),
        None => text.parse::<f64>(),
    }
    .map_err(|_| format!("a fail rate is a share such as 0.1 or 10%, not {text:?}"))?;
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!(
            "a fail rate is between 0 and 1 (0% and 100%), not {text:?}"
        ));
    }
    Ok(rate)
}

fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(milliseconds) = text.strip_suffix("ms") {
        return milliseconds.trim().parse().ok().map(Duration::from_millis);
    }
    if let Some(seconds) = text.strip_suffix('s') {
        return seconds
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0 && *seconds < 3600.0)
            .map(Duration::from_secs_f64);
    }
    text.parse().ok().map(Duration::from_millis)
}

/// Parses a latency range `MIN..MAX` (milliseconds, or with a unit: `10ms..1.5s`).
pub fn parse_latency(text: &str) -> Result<(Duration, Duration), String> {
    let error = || format!("a latency is MIN..MAX, such as 10..200 (milliseconds), not {text:?}");
    let (minimum, maximum) = text.split_once("..").ok_or_else(error)?;
    let (minimum, maximum) = (
        parse_duration(minimum).ok_or_else(error)?,
        parse_duration(maximum).ok_or_else(error)?,
    );
    if minimum > maximum {
        return Err(format!(
            "the latency's minimum is above its maximum in {text:?}"
        ));
    }
    Ok((minimum, maximum))
}

impl Chaos {
    /// The fate of the request numbered `request` (0 for the first the sandbox received).
    pub fn fate(&self, request: u64) -> Fate {
        // One generator per request, seeded from the seed and the request's number, so a
        // request's fate depends on nothing else.
        let mut random =
            fastrand::Rng::with_seed(self.seed ^ request.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (minimum, maximum) = self.latency;
        let spread = u64::try_from(maximum.saturating_sub(minimum).as_micros()).unwrap_or(u64::MAX);
        let delay = minimum + Duration::from_micros(random.u64(0..=spread));
        let fails = random.f64() < self.fail_rate;
        let failure = if fails && !self.failures.is_empty() {
            self.failures
                .get(random.usize(0..self.failures.len()))
                .copied()
        } else {
            None
        };
        Fate { delay, failure }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fates_are_reproducible_and_follow_the_rate() {
        let chaos = Chaos {
            seed: 42,
            fail_rate: 0.25,
            latency: (Duration::from_millis(5), Duration::from_millis(10)),
            ..Chaos::default()
        };
        let fates: Vec<Fate> = (0..4000).map(|request| chaos.fate(request)).collect();
        let again: Vec<Fate> = (0..4000).map(|request| chaos.fate(request)).collect();
        assert_eq!(fates, again);
        let failed = fates.iter().filter(|fate| fate.failure.is_some()).count();
        assert!((800..1200).contains(&failed), "{failed} of 4000 at 25%");
        for kind in Failure::ALL {
            assert!(
                fates.iter().any(|fate| fate.failure == Some(kind)),
                "{kind:?}"
            );
        }
        assert!(fates.iter().all(|fate| {
            (Duration::from_millis(5)..=Duration::from_millis(10)).contains(&fate.delay)
        }));
        let other_seed = Chaos {
            seed: 43,
            ..chaos.clone()
        };
        assert_ne!(
            fates[..50],
            (0..50).map(|r| other_seed.fate(r)).collect::<Vec<_>>()[..]
        );
        let calm = Chaos::default();
        assert_eq!(
            calm.fate(7),
            Fate {
                delay: Duration::ZERO,
                failure: None
            }
        );
    }

    #[test]
    fn settings_parse_with_clear_errors() {
        assert_eq!(parse_fail_rate("0.1"), Ok(0.1));
        assert_eq!(parse_fail_rate("25%"), Ok(0.25));
        assert_eq!(
            parse_fail_rate("2"),
            Err("a fail rate is between 0 and 1 (0% and 100%), not \"2\"".to_owned())
        );
        assert_eq!(
            parse_fail_rate("often"),
            Err("a fail rate is a share such as 0.1 or 10%, not \"often\"".to_owned())
        );
        assert_eq!(
            parse_latency("10..200"),
            Ok((Duration::from_millis(10), Duration::from_millis(200)))
        );
        assert_eq!(
            parse_latency("10ms..1.5s"),
            Ok((Duration::from_millis(10), Duration::from_millis(1500)))
        );
        assert_eq!(
            parse_latency("200..10"),
            Err("the latency's minimum is above its maximum in \"200..10\"".to_owned())
        );
        assert_eq!(
            parse_latency("fast"),
            Err("a latency is MIN..MAX, such as 10..200 (milliseconds), not \"fast\"".to_owned())
        );
        assert_eq!(
            Failure::parse_list("502, 503,drop"),
            Ok(vec![
                Failure::BadGateway,
                Failure::Unavailable,
                Failure::Dropped
            ])
        );
        assert_eq!(
            Failure::parse_list("404"),
            Err("a failure is 500, 502, 503 or drop, not \"404\"".to_owned())
        );
        assert!(Failure::parse_list("").is_err());
    }
}
