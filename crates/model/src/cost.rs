//! Point costs: what one call of an operation costs against the organisation's budget.
//!
//! The provider charges every request 1 to 10 points. A document declares an operation's cost
//! with the `x-points` extension, either as a fixed number or as a formula of the request:
//!
//! ```yaml
//! x-points: 3                     # fixed
//! x-points:                       # depends on the request
//!   base: 2                       # points of the call itself (1..=10)
//!   per: 1                        # plus this many points ...
//!   unit: 1                       # ... per this many counted things (default 1)
//!   count: body.tasks             # what is counted (see below)
//!   max: 10                       # capped here (default 10)
//! ```
//!
//! `count` is `query.NAME` (the value of an integer query parameter such as a page size, or the
//! number of values of an array parameter such as `expand`), `body` (the number of items of a
//! JSON array body) or `body.NAME` (the number of items of an array property of a JSON object
//! body). The points of a call are `min(max, base + per * ceil(count / unit))`.
//!
//! This module is the data: the loader reads `x-points` into it, or infers a cost where
//! nothing is declared (`sdkgen_loader`'s `cost` module holds the rules).

use std::fmt;

use serde::Serialize;

pub use sdkgen_policy::{COST_EXTENSION as EXTENSION, MAX_POINTS, MIN_POINTS};

/// The cost of an operation and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// How many points a call takes.
    pub formula: CostFormula,
    /// Declared by the document, or inferred.
    pub source: CostSource,
}

impl Cost {
    /// A declared cost.
    pub fn declared(formula: CostFormula) -> Self {
        Cost {
            formula,
            source: CostSource::Declared,
        }
    }

    /// The points of the cheapest call (the fixed cost, or the formula's base).
    pub fn base_points(&self) -> u8 {
        match &self.formula {
            CostFormula::Fixed(points) => *points,
            CostFormula::PerCount { base, .. } => *base,
        }
    }

    /// The points of the dearest call (the fixed cost, or the formula's cap).
    pub fn max_points(&self) -> u8 {
        match &self.formula {
            CostFormula::Fixed(points) => *points,
            CostFormula::PerCount { max, .. } => *max,
        }
    }
}

/// Where a cost comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum CostSource {
    /// The document's `x-points`.
    Declared,
    /// Estimated by the loader from what the operation does; `rule` names the rule that
    /// applied.
    Inferred {
        /// The rule that applied, e.g. `single-resource read`.
        rule: &'static str,
    },
}

impl CostSource {
    /// `declared` or `inferred`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CostSource::Declared => "declared",
            CostSource::Inferred { .. } => "inferred",
        }
    }
}

/// The points of one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CostFormula {
    /// Always this many points.
    Fixed(u8),
    /// `min(max, base + per * ceil(count / unit))`.
    PerCount {
        /// Points of the call itself.
        base: u8,
        /// Points per unit counted.
        per: u8,
        /// How many counted things make a unit.
        unit: u32,
        /// What is counted.
        count: CountOf,
        /// The count used when the request does not carry one: the query parameter's default,
        /// or 0.
        default_count: u64,
        /// The cap.
        max: u8,
    },
}

impl CostFormula {
    /// The points of a call whose counted quantity is `count` (`None`: not in the request).
    pub fn points(&self, count: Option<u64>) -> u8 {
        match self {
            CostFormula::Fixed(points) => *points,
            CostFormula::PerCount {
                base,
                per,
                unit,
                default_count,
                max,
                ..
            } => {
                let points = sdkgen_policy::per_count(
                    u32::from(*base),
                    u32::from(*per),
                    *unit,
                    count.unwrap_or(*default_count),
                    u32::from(*max),
                );
                // The cap is at most MAX_POINTS, so the narrowing cannot lose anything.
                u8::try_from(points).unwrap_or(*max)
            }
        }
    }
}

impl fmt::Display for CostFormula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CostFormula::Fixed(points) => write!(f, "{points}"),
            CostFormula::PerCount {
                base,
                per,
                unit,
                count,
                max,
                ..
            } => {
                let per_what = if *unit == 1 {
                    format!("{count}")
                } else {
                    format!("ceil({count} / {unit})")
                };
                write!(f, "min({max}, {base} + {per} * {per_what})")
            }
        }
    }
}

/// What a request-dependent cost counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", content = "name", rename_all = "kebab-case")]
pub enum CountOf {
    /// The value of an integer query parameter, or the number of values of an array one.
    Query(String),
    /// The number of items of the JSON body (`None`: the body is the array) or of one of its
    /// array properties.
    Body(Option<String>),
}

impl fmt::Display for CountOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountOf::Query(name) => write!(f, "query.{name}"),
            CountOf::Body(None) => f.write_str("body"),
            CountOf::Body(Some(name)) => write!(f, "body.{name}"),
        }
    }
}

impl CountOf {
    /// Parses `query.NAME`, `body` or `body.NAME`.
    pub fn parse(text: &str) -> Result<CountOf, CostError> {
        match text.split_once('.') {
            None if text == "body" => Ok(CountOf::Body(None)),
            Some(("query", name)) if !name.is_empty() => Ok(CountOf::Query(name.to_owned())),
            Some(("body", name)) if !name.is_empty() => Ok(CountOf::Body(Some(name.to_owned()))),
            _ => Err(CostError(format!(
                "`count` must be `query.NAME`, `body` or `body.NAME`, not {text:?}"
            ))),
        }
    }
}

/// A declared cost that is malformed or out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CostError(pub String);
