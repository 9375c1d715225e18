//! The provider's published rules, written once.
//!
//! Plans and their points per window, the range of points one request may cost, the formula of
//! request-dependent costs, the extension that declares a cost, and the names of the rate-limit
//! headers. The runtime (inside every generated SDK), the loader (which reads costs from
//! documents) and the sandbox (which plays the provider) all read these from here, so they
//! cannot drift apart.
//!
//! Architecture invariant: this crate depends on nothing, so the runtime can depend on it
//! without pulling in any of the generator.

#![deny(missing_docs)]

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The cheapest any request can be.
pub const MIN_POINTS: u8 = 1;
/// The dearest any request can be.
pub const MAX_POINTS: u8 = 10;
/// The OpenAPI extension that declares an operation's cost.
pub const COST_EXTENSION: &str = "x-points";
/// The length of the provider's budget window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The provider's rate-limit and request headers, lower-case as HTTP/2 sends them.
pub mod headers {
    /// The organisation's points per window.
    pub const LIMIT: &str = "x-ratelimit-limit";
    /// The points left in the current window.
    pub const REMAINING: &str = "x-ratelimit-remaining";
    /// When the current window ends (seconds since the epoch, or an HTTP date).
    pub const RESET: &str = "x-ratelimit-reset";
    /// How long to wait before trying again (seconds, or an HTTP date).
    pub const RETRY_AFTER: &str = "retry-after";
    /// The key that makes a retried write happen at most once.
    pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
}

/// An organisation's plan, which sets its points per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Plan {
    /// 100 points per window.
    #[default]
    Build,
    /// 1000 points per window.
    Enterprise,
    /// Any other number of points per window (a negotiated limit, or a test).
    Custom(u32),
}

impl Plan {
    /// Points per window.
    pub fn points(self) -> u32 {
        match self {
            Plan::Build => 100,
            Plan::Enterprise => 1000,
            Plan::Custom(points) => points,
        }
    }
}

/// A plan that is neither `build`, `enterprise` nor a number of points above 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(String);

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a plan is build, enterprise or a number of points above 0, not {:?}",
            self.0
        )
    }
}

impl std::error::Error for PlanError {}

impl FromStr for Plan {
    type Err = PlanError;

    /// `build`, `enterprise` (any case) or a number of points above 0.
    fn from_str(text: &str) -> Result<Plan, PlanError> {
        match text.to_ascii_lowercase().as_str() {
            "build" => Ok(Plan::Build),
            "enterprise" => Ok(Plan::Enterprise),
            other => other
                .parse::<u32>()
                .ok()
                .filter(|points| *points > 0)
                .map(Plan::Custom)
                .ok_or_else(|| PlanError(text.to_owned())),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Build => f.write_str("build"),
            Plan::Enterprise => f.write_str("enterprise"),
            Plan::Custom(points) => write!(f, "{points}"),
        }
    }
}

/// The points of a call whose cost depends on the request:
/// `min(max, base + per * ceil(count / unit))`, with a unit of 0 read as 1.
pub fn per_count(base: u32, per: u32, unit: u32, count: u64, max: u32) -> u32 {
    let units = count.div_ceil(u64::from(unit.max(1)));
    let total = u64::from(base).saturating_add(u64::from(per).saturating_mul(units));
    u32::try_from(total.min(u64::from(max))).unwrap_or(max)
}

/// Whether `points` is a cost one request may have.
pub fn is_valid_points(points: u64) -> bool {
    (u64::from(MIN_POINTS)..=u64::from(MAX_POINTS)).contains(&points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_have_the_published_points() {
        assert_eq!(Plan::Build.points(), 100);
        assert_eq!(Plan::Enterprise.points(), 1000);
        assert_eq!(Plan::Custom(7).points(), 7);
        assert_eq!(Plan::default(), Plan::Build);
    }

    #[test]
    fn plans_parse_and_print_back() {
        for text in ["build", "enterprise", "250"] {
            let plan: Plan = text.parse().expect("a valid plan");
            assert_eq!(plan.to_string(), text);
        }
        assert_eq!("ENTERPRISE".parse(), Ok(Plan::Enterprise));
        let error = "0".parse::<Plan>().expect_err("0 points is no plan");
        assert_eq!(
            error.to_string(),
            "a plan is build, enterprise or a number of points above 0, not \"0\""
        );
        assert!("gold".parse::<Plan>().is_err());
    }

    #[test]
    fn formula_rounds_up_and_caps() {
        assert_eq!(per_count(1, 1, 50, 0, 5), 1);
        assert_eq!(per_count(1, 1, 50, 51, 5), 3);
        assert_eq!(per_count(2, 1, 1, u64::MAX, 10), 10);
        assert_eq!(per_count(2, 3, 0, 2, 10), 8);
    }

    #[test]
    fn points_range_is_one_to_ten() {
        assert!(!is_valid_points(0));
        assert!(is_valid_points(1));
        assert!(is_valid_points(10));
        assert!(!is_valid_points(11));
    }
}
