//! The comparison, split by family: paths and operations ([`paths`]), parameters
//! ([`parameters`]), bodies and responses ([`bodies`]), schemas ([`schemas`]), security
//! ([`security`]) and costs ([`costs`]). Each family's checks name their rules from the
//! catalogue ([`crate::rules`]); this module holds what they share: the walk's state, where a
//! schema stands ([`Context`]) and how a finding is recorded.
//!
//! The comparison reads only the two models and the [`DiffSettings`]: no clock, no files.

mod bodies;
mod costs;
mod parameters;
mod paths;
mod schemas;
mod security;

use std::collections::{HashMap, HashSet};

use sdkgen_model::Api;

use crate::rules::{self, Place, RuleRef, SchemaChange};
use crate::{Change, DiffSettings, Report};

/// Compares two versions of an API, as of `settings.today`.
pub fn diff(old: &Api, new: &Api, settings: &DiffSettings) -> Report {
    let mut differ = Differ {
        old,
        new,
        settings,
        changes: Vec::new(),
        ancestors: Vec::new(),
        clean: HashSet::new(),
        pending: Vec::new(),
        visits: HashMap::new(),
        truncated: false,
    };
    differ.operations();
    differ.webhooks();
    differ.security();
    Report {
        changes: differ.changes,
    }
}

/// Which side of the wire a schema is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Direction {
    /// Sent by clients (request bodies).
    Request,
    /// Sent by the server (response bodies, webhook payloads).
    Response,
    /// A parameter's value (sent by clients).
    Parameter,
}

/// Where a schema comparison is.
#[derive(Debug, Clone)]
struct Context {
    direction: Direction,
    operation: Option<String>,
    /// e.g. `request body application/json`.
    place: String,
    /// The property path below the root, e.g. `/tags/items`.
    path: String,
    /// The union variants passed through on the way, e.g. `oneOf Disk > anyOf string`.
    variants: String,
    /// Whether the root is a response header's value (rather than a body).
    header: bool,
}

impl Context {
    fn new(direction: Direction, operation: &str, place: String) -> Context {
        Context {
            direction,
            operation: Some(operation.to_owned()),
            place,
            path: String::new(),
            variants: String::new(),
            header: false,
        }
    }

    /// The context of a response header's value.
    fn header(operation: &str, place: String) -> Context {
        Context {
            header: true,
            ..Context::new(Direction::Response, operation, place)
        }
    }

    fn at_root(&self) -> bool {
        self.path.is_empty()
    }

    fn child(&self, segment: &str) -> Context {
        Context {
            path: format!("{}/{segment}", self.path),
            ..self.clone()
        }
    }

    /// The same position, inside one variant of a union.
    fn variant(&self, kind: &str, name: &str) -> Context {
        let step = format!("{kind} variant {name}");
        Context {
            variants: if self.variants.is_empty() {
                step
            } else {
                format!("{} > {step}", self.variants)
            },
            ..self.clone()
        }
    }

    fn location(&self) -> String {
        let mut location = self.place.clone();
        if !self.path.is_empty() {
            location = format!("{location}: {}", self.path);
        }
        if !self.variants.is_empty() {
            location = format!("{location} (in {})", self.variants);
        }
        location
    }

    /// The place that gives schema rules their prefix.
    fn rule_place(&self) -> Place {
        match (self.direction, self.at_root()) {
            (Direction::Request, true) => Place::RequestBody,
            (Direction::Request, false) => Place::RequestProperty,
            (Direction::Response, true) if self.header => Place::ResponseHeader,
            (Direction::Response, true) => Place::ResponseBody,
            (Direction::Response, false) => Place::ResponseProperty,
            (Direction::Parameter, true) => Place::RequestParameter,
            (Direction::Parameter, false) => Place::RequestParameterProperty,
        }
    }

    fn what(&self) -> String {
        // The variants are in the location, not repeated here.
        if self.at_root() {
            self.place.clone()
        } else {
            format!(
                "property `{}` of the {}",
                self.path.trim_start_matches('/'),
                self.place
            )
        }
    }
}

/// A named schema pair being compared, and the shallowest depth of the walk that a recursion
/// below it came back to (its own depth when none did).
struct Frame {
    pair: (String, String),
    low: usize,
}

/// A named pair that gave no finding but came back to a pair further up the walk: clean once
/// that pair is.
struct Pending {
    /// The depth it is filed under: pairs at this depth or above settle it.
    depth: usize,
    /// The shallowest depth it depends on.
    low: usize,
    key: (String, String, Direction),
}

/// The state of one comparison.
struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    settings: &'a DiffSettings,
    changes: Vec<Change>,
    /// The named schema pairs being compared further up: a pair met again is a recursion.
    ancestors: Vec<Frame>,
    /// Named schema pairs (and the side they were on) that were compared completely and
    /// gave no finding: met again elsewhere, they are skipped.
    clean: HashSet<(String, String, Direction)>,
    /// Named pairs that gave no finding but came back to a pair further up (a recursion):
    /// clean once that pair is, with the depth they were compared at.
    pending: Vec<Pending>,
    /// How many times each named pair was compared below the current body or parameter.
    visits: HashMap<(String, String), usize>,
    /// Whether a comparison below the current body or parameter was cut short by
    /// [`schemas`]'s bound on visits (then nothing more is remembered as clean there).
    truncated: bool,
}

impl Differ<'_> {
    /// Records a finding of a rule of the catalogue.
    fn push(
        &mut self,
        rule: impl Into<RuleRef>,
        operation: Option<&str>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        let rule = rule.into();
        let Some(rule) = rules::lookup(rule) else {
            // Only schema changes that do not apply at a place have no rule; the checks do
            // not report those.
            debug_assert!(false, "{rule:?} is not in the catalogue");
            return;
        };
        self.changes.push(Change {
            id: rule.id.clone(),
            level: rule.level,
            operation: operation.map(str::to_owned),
            location: location.into(),
            message: message.into(),
        });
    }

    /// Records a schema change at the context's place.
    fn push_schema(&mut self, change: SchemaChange, context: &Context, message: impl Into<String>) {
        self.push(
            RuleRef::Schema(context.rule_place(), change),
            context.operation.as_deref(),
            context.location(),
            message,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_name_their_place_path_and_variants() {
        let root = Context::new(
            Direction::Response,
            "GET /a",
            "response 200 application/json".into(),
        );
        assert_eq!(root.rule_place(), Place::ResponseBody);
        let child = root.child("items").variant("oneOf", "`Disk`").child("size");
        assert_eq!(child.rule_place(), Place::ResponseProperty);
        assert_eq!(
            child.location(),
            "response 200 application/json: /items/size (in oneOf variant `Disk`)"
        );
        assert_eq!(
            child.what(),
            "property `items/size` of the response 200 application/json"
        );
    }
}
