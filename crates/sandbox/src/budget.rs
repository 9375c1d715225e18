//! Point budgets per organisation, in windows aligned to the clock (so `X-RateLimit-Reset`,
//! a date with one-second resolution, is exact).
//!
//! A charge and the state reported in the answer's headers come from one step under one lock
//! ([`Budgets::charge`]), so concurrent requests never report the same remaining points for
//! different charges. A budget schedule ([`BudgetSchedule`], chaos mode) overrides every
//! organisation's limit from given times on.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sdkgen_model::Operation;
use sdkgen_model::cost::{CostFormula, CountOf};
use serde_json::Value;

pub use sdkgen_policy::Plan;

#[derive(Debug)]
struct Organization {
    limit: u32,
    window: u64,
    used: u32,
    usage: BTreeMap<u64, u32>,
    rejections: u32,
}

impl Organization {
    fn new(limit: u32) -> Self {
        Organization {
            limit,
            window: 0,
            used: 0,
            usage: BTreeMap::new(),
            rejections: 0,
        }
    }
}

/// The state reported in headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub limit: u32,
    pub remaining: u32,
    pub reset: SystemTime,
}

/// A refused charge: the state to report and the seconds until the window resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub state: State,
    pub retry_after: u64,
}

/// Budget changes at given times since the sandbox started: from each entry's time on, every
/// organisation's limit is the entry's points (`None`: its plan's again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetSchedule {
    /// (time since start, points), sorted by time.
    pub changes: Vec<(Duration, Option<u32>)>,
}

impl BudgetSchedule {
    /// Parses `SECONDS=POINTS,...` (`POINTS` may be `plan`): `30=50,90=plan` halves a Build
    /// organisation's budget after 30 s and restores it after 90 s.
    pub fn parse(text: &str) -> Result<BudgetSchedule, String> {
        let mut changes = Vec::new();
        for entry in text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let (at, points) = entry
                .split_once('=')
                .ok_or_else(|| format!("a budget change is SECONDS=POINTS, not {entry:?}"))?;
            let at: u64 = at
                .trim()
                .trim_end_matches('s')
                .parse()
                .map_err(|_| format!("{at:?} is not a number of seconds (in {entry:?})"))?;
            let points = match points.trim() {
                "plan" => None,
                points => Some(
                    points
                        .parse::<u32>()
                        .ok()
                        .filter(|points| *points > 0)
                        .ok_or_else(|| {
                            format!("{points:?} is not `plan` or a number of points above 0")
                        })?,
                ),
            };
            changes.push((Duration::from_secs(at), points));
        }
        changes.sort_by_key(|(at, _)| *at);
        Ok(BudgetSchedule { changes })
    }

    /// The limit at `elapsed` since the start for an organisation whose own limit is `own`.
    pub fn limit_at(&self, elapsed: Duration, own: u32) -> u32 {
        self.changes
            .iter()
            .take_while(|(at, _)| *at <= elapsed)
            .last()
            .and_then(|(_, points)| *points)
            .unwrap_or(own)
    }
}

/// Every organisation's budget.
#[derive(Debug)]
pub struct Budgets {
    window: Duration,
    schedule: BudgetSchedule,
    started: Instant,
    organizations: Mutex<HashMap<String, Organization>>,
}

impl Budgets {
    pub fn new(window: Duration, schedule: BudgetSchedule) -> Self {
        Budgets {
            window: window.max(Duration::from_secs(1)),
            schedule,
            started: Instant::now(),
            organizations: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Organization>> {
        self.organizations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The index of the current window and when it ends.
    fn window_now(&self) -> (u64, SystemTime) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seconds = self.window.as_secs().max(1);
        let index = now.as_secs() / seconds;
        (
            index,
            UNIX_EPOCH + Duration::from_secs((index + 1) * seconds),
        )
    }

    fn limit_of(&self, organization: &Organization) -> u32 {
        self.schedule
            .limit_at(self.started.elapsed(), organization.limit)
    }

    pub fn add_organization(&self, name: &str, limit: u32) {
        self.lock()
            .entry(name.to_owned())
            .or_insert_with(|| Organization::new(limit));
    }

    pub fn set_limit(&self, name: &str, limit: u32) {
        self.lock()
            .entry(name.to_owned())
            .and_modify(|organization| organization.limit = limit)
            .or_insert_with(|| Organization::new(limit));
    }

    /// Takes `points` and returns the state after the charge, or refuses and says how many
    /// seconds until the window resets. One step under one lock: the state reported is the one
    /// this charge left. `None` for an unknown organisation.
    pub fn charge(&self, name: &str, points: u32) -> Option<Result<State, Refusal>> {
        let (window, reset) = self.window_now();
        let mut organizations = self.lock();
        let organization = organizations.get_mut(name)?;
        let limit = self.limit_of(organization);
        if organization.window != window {
            organization.window = window;
            organization.used = 0;
        }
        let state = |used: u32| State {
            limit,
            remaining: limit.saturating_sub(used),
            reset,
        };
        if organization.used.saturating_add(points) > limit {
            organization.rejections = organization.rejections.saturating_add(1);
            let wait = reset.duration_since(SystemTime::now()).unwrap_or_default();
            return Some(Err(Refusal {
                state: state(organization.used),
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }));
        }
        organization.used += points;
        *organization.usage.entry(window).or_default() += points;
        // Bounded: keep the last thousand windows.
        while organization.usage.len() > 1000 {
            organization.usage.pop_first();
        }
        Some(Ok(state(organization.used)))
    }

    /// The state without charging (for answers that cost nothing, such as a 400).
    pub fn state(&self, name: &str) -> Option<State> {
        let (window, reset) = self.window_now();
        let organizations = self.lock();
        let organization = organizations.get(name)?;
        let limit = self.limit_of(organization);
        let used = if organization.window == window {
            organization.used
        } else {
            0
        };
        Some(State {
            limit,
            remaining: limit.saturating_sub(used),
            reset,
        })
    }

    pub fn usage(&self, name: &str) -> Vec<(u64, u32)> {
        self.lock()
            .get(name)
            .map(|organization| {
                organization
                    .usage
                    .iter()
                    .map(|(window, used)| (*window, *used))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn rejections(&self, name: &str) -> u32 {
        self.lock()
            .get(name)
            .map_or(0, |organization| organization.rejections)
    }
}

/// The points of a request, from the operation's cost as the model declares or infers it,
/// counted from the validated values (a query parameter's integer or array, a body's array).
pub fn points_of(
    operation: &Operation,
    query: &HashMap<String, Value>,
    body: Option<&Value>,
) -> u8 {
    let count = match &operation.cost.formula {
        CostFormula::Fixed(_) => None,
        CostFormula::PerCount {
            count: CountOf::Query(name),
            ..
        } => query.get(name).and_then(count_of),
        CostFormula::PerCount {
            count: CountOf::Body(property),
            ..
        } => {
            let counted = match property {
                None => body,
                Some(property) => body.and_then(|body| body.get(property)),
            };
            counted
                .and_then(Value::as_array)
                .map(|items| items.len() as u64)
        }
    };
    operation.cost.formula.points(count)
}

/// What a validated query value counts: an integer is itself, an array its items.
fn count_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::Array(items) => Some(items.len() as u64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_reports_the_state_it_left() {
        let budgets = Budgets::new(Duration::from_secs(3600), BudgetSchedule::default());
        budgets.add_organization("o", 5);
        assert_eq!(
            budgets.charge("o", 3).map(|r| r.map(|s| s.remaining)),
            Some(Ok(2))
        );
        let refused = budgets
            .charge("o", 3)
            .and_then(Result::err)
            .map(|r| r.state.remaining);
        assert_eq!(refused, Some(2));
        assert_eq!(budgets.rejections("o"), 1);
        assert_eq!(budgets.charge("nobody", 1), None);
        assert_eq!(budgets.state("o").map(|state| state.remaining), Some(2));
        budgets.set_limit("o", 10);
        assert_eq!(budgets.state("o").map(|state| state.limit), Some(10));
        assert_eq!(
            budgets.usage("o").iter().map(|(_, used)| used).sum::<u32>(),
            3
        );
    }

    #[test]
    fn schedules_parse_and_override_limits_from_their_times_on() {
        let schedule = BudgetSchedule::parse("90=plan, 30s=50").expect("valid");
        assert_eq!(schedule.limit_at(Duration::from_secs(10), 100), 100);
        assert_eq!(schedule.limit_at(Duration::from_secs(30), 100), 50);
        assert_eq!(schedule.limit_at(Duration::from_secs(89), 100), 50);
        assert_eq!(schedule.limit_at(Duration::from_secs(90), 100), 100);
        assert_eq!(
            BudgetSchedule::parse("30").expect_err("no points"),
            "a budget change is SECONDS=POINTS, not \"30\""
        );
        assert_eq!(
            BudgetSchedule::parse("x=5").expect_err("bad time"),
            "\"x\" is not a number of seconds (in \"x=5\")"
        );
        assert_eq!(
            BudgetSchedule::parse("5=0").expect_err("zero"),
            "\"0\" is not `plan` or a number of points above 0"
        );
        let zero = BudgetSchedule::parse("0=7").expect("valid");
        let budgets = Budgets::new(Duration::from_secs(60), zero);
        budgets.add_organization("o", 100);
        assert_eq!(budgets.state("o").map(|state| state.limit), Some(7));
    }

    #[test]
    fn query_counts_come_from_validated_values() {
        assert_eq!(count_of(&Value::from(100)), Some(100));
        assert_eq!(count_of(&serde_json::json!(["a", "b"])), Some(2));
        assert_eq!(count_of(&Value::from("abc")), None);
        assert_eq!(count_of(&Value::from(-1)), None);
    }
}
