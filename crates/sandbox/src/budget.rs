//! Point budgets per organisation, in windows aligned to the clock (so `X-RateLimit-Reset`,
//! a date with one-second resolution, is exact).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// The state reported in headers.
#[derive(Debug, Clone, Copy)]
pub struct State {
    pub limit: u32,
    pub remaining: u32,
    pub reset: SystemTime,
}

/// Every organisation's budget.
#[derive(Debug)]
pub struct Budgets {
    window: Duration,
    organizations: Mutex<HashMap<String, Organization>>,
}

impl Budgets {
    pub fn new(window: Duration) -> Self {
        Budgets {
            window: window.max(Duration::from_secs(1)),
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

    pub fn add_organization(&self, name: &str, limit: u32) {
        self.lock().entry(name.to_owned()).or_insert(Organization {
            limit,
            window: 0,
            used: 0,
            usage: BTreeMap::new(),
            rejections: 0,
        });
    }

    pub fn set_limit(&self, name: &str, limit: u32) {
        let mut organizations = self.lock();
        match organizations.get_mut(name) {
            Some(organization) => organization.limit = limit,
            None => {
                organizations.insert(
                    name.to_owned(),
                    Organization {
                        limit,
                        window: 0,
                        used: 0,
                        usage: BTreeMap::new(),
                        rejections: 0,
                    },
                );
            }
        }
    }

    /// Takes `points`, or says how many seconds until the window resets.
    pub fn charge(&self, name: &str, points: u32) -> Result<(), u64> {
        let (window, reset) = self.window_now();
        let mut organizations = self.lock();
        let Some(organization) = organizations.get_mut(name) else {
            return Ok(());
        };
        if organization.window != window {
            organization.window = window;
            organization.used = 0;
        }
        if organization.used + points > organization.limit {
            organization.rejections += 1;
            let wait = reset.duration_since(SystemTime::now()).unwrap_or_default();
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        organization.used += points;
        *organization.usage.entry(window).or_default() += points;
        // Bounded: keep the last thousand windows.
        while organization.usage.len() > 1000 {
            organization.usage.pop_first();
        }
        Ok(())
    }

    pub fn state(&self, name: &str) -> Option<State> {
        let (window, reset) = self.window_now();
        let organizations = self.lock();
        let organization = organizations.get(name)?;
        let used = if organization.window == window {
            organization.used
        } else {
            0
        };
        Some(State {
            limit: organization.limit,
            remaining: organization.limit.saturating_sub(used),
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

/// The points of a request, from the operation's cost as the model declares or infers it.
pub fn points_of(operation: &Operation, query: &[(String, String)], body: Option<&Value>) -> u8 {
    let count = match &operation.cost.formula {
        CostFormula::Fixed(_) => None,
        CostFormula::PerCount {
            count: CountOf::Query(name),
            ..
        } => {
            let values: Vec<&str> = query
                .iter()
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
                .collect();
            match values.as_slice() {
                [] => None,
                [single] => Some(single.parse::<u64>().unwrap_or_else(|_| {
                    single.split(',').filter(|part| !part.is_empty()).count() as u64
                })),
                many => Some(many.len() as u64),
            }
        }
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
