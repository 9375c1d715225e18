//! Compares two versions of an API (as models) and reports every change with a rule id, a
//! level under the provider's policy, the operation, a location and a message.
//!
//! Every rule is listed once in the catalogue ([`rules`], rendered as `RULES.md`). Rule ids
//! are oasdiff's where an equivalent exists (`request-property-type-changed`,
//! `api-path-removed-without-deprecation`, ...), so findings map between the tools. Levels
//! follow oasdiff's (ERR is breaking, WARN a warning, INFO non-breaking), except where the
//! provider's policy says otherwise: any change to the authentication mechanism, and removing
//! response data, are breaking. A change of an operation's point cost is a finding of its own.
//!
//! The comparison is a pure function of the two models and [`DiffSettings`] (the date that
//! sunset dates are judged against is an input, not the clock). A team's [`controls`] (a
//! config file that moves rule levels, an ignore file of accepted breaks) apply to a report
//! afterwards.
//!
//! Schemas are compared structurally, through references and recursion: renaming a
//! component without changing its shape is not a finding. Requests and responses are judged
//! in their own direction (a new required property breaks a request, not a response).

#![deny(missing_docs)]

mod compare;
pub mod controls;
pub mod report;
pub mod rules;
pub mod sunset;

use chrono::NaiveDate;
use serde::Serialize;

pub use compare::diff;

/// What a comparison depends on besides the two models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffSettings {
    /// The date the comparison is made on: a deprecated operation removed before its
    /// `x-sunset` date is a breaking change. Callers pass today's date (`--today`), or a fixed
    /// date so that checked-in output does not change with the calendar.
    pub today: NaiveDate,
}

impl DiffSettings {
    /// Settings for a comparison made on `today`.
    pub fn new(today: NaiveDate) -> Self {
        DiffSettings { today }
    }

    /// Settings for a comparison made today (UTC), read from the clock: for command lines
    /// without `--today`. The comparison itself never reads the clock.
    pub fn from_clock() -> Self {
        DiffSettings::new(chrono::Utc::now().date_naive())
    }

    /// Settings that judge every sunset date as still ahead: a deprecated operation removed
    /// with a sunset date is always reported as removed before it. Output made with these
    /// (changelogs) is the same on every day.
    pub fn before_every_sunset() -> Self {
        DiffSettings::new(NaiveDate::MIN)
    }

    /// Parses a `--today` value: an ISO date such as `2026-11-30`.
    pub fn parse_today(text: &str) -> Result<NaiveDate> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| Error::Date(text.to_owned()))
    }
}

/// What can go wrong reading the differ's inputs.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// A date that is not `YYYY-MM-DD`.
    #[error("{0:?} is not a date (expected YYYY-MM-DD)")]
    Date(String),
    /// A line of a config or ignore file that cannot be read.
    #[error("{file} line {line}: {message}")]
    Control {
        /// Which file, as the caller named it.
        file: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The differ's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much a change matters to the API's users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Breaks existing clients: only allowed in a new major version.
    Breaking,
    /// May break some clients, or costs them something (a higher point cost).
    Warning,
    /// Safe: additions and relaxations.
    NonBreaking,
}

impl Level {
    /// `breaking`, `warning` or `non-breaking`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Breaking => "breaking",
            Level::Warning => "warning",
            Level::NonBreaking => "non-breaking",
        }
    }

    /// Parses the name `as_str` gives.
    pub fn parse(text: &str) -> Option<Level> {
        [Level::Breaking, Level::Warning, Level::NonBreaking]
            .into_iter()
            .find(|level| level.as_str() == text)
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The rule id, e.g. `request-property-type-changed`.
    pub id: String,
    /// How much it matters.
    pub level: Level,
    /// `METHOD /path`, when the change is in an operation.
    pub operation: Option<String>,
    /// Where in the operation or document, e.g. `request body application/json: /tags/items`.
    pub location: String,
    /// What changed, in a sentence.
    pub message: String,
}

/// Every finding of a comparison, in a stable order (by operation, then as found).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Report {
    /// The findings.
    pub changes: Vec<Change>,
}

/// Counts by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Breaking findings.
    pub breaking: usize,
    /// Warnings.
    pub warning: usize,
    /// Non-breaking findings.
    #[serde(rename = "non-breaking")]
    pub non_breaking: usize,
}

impl Report {
    /// Counts by level.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.level {
                Level::Breaking => summary.breaking += 1,
                Level::Warning => summary.warning += 1,
                Level::NonBreaking => summary.non_breaking += 1,
            }
        }
        summary
    }

    /// Whether any finding is at least as serious as `level`.
    pub fn reaches(&self, level: Level) -> bool {
        self.changes.iter().any(|change| change.level <= level)
    }

    /// The findings of one level.
    pub fn at(&self, level: Level) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |change| change.level == level)
    }
}
