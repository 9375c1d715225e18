//! Paths and operations: added, removed (judged by deprecation and sunset date), deprecated;
//! webhooks added and removed. Each operation matched on both sides is compared by the other
//! families from here.

use std::collections::{BTreeMap, BTreeSet};

use sdkgen_model::{Method, Operation, OperationIdSource};

use super::{Differ, Direction};
use crate::rules::Fixed;
use crate::sunset::{Removal, SunsetChange, judge_removal, judge_sunset_change, parse_date};

/// `/tasks/{task_id}` and `/tasks/{id}` are the same path.
pub(super) fn path_key(path: &str) -> String {
    let mut key = String::with_capacity(path.len());
    let mut in_parameter = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_parameter = true;
                key.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            other => key.push(other),
        }
    }
    key
}

fn operation_key(operation: &Operation) -> (String, Method) {
    (path_key(&operation.path), operation.method)
}

impl Differ<'_> {
    pub(super) fn operations(&mut self) {
        let old_by_key: BTreeMap<_, _> = self
            .old
            .operations
            .iter()
            .map(|operation| (operation_key(operation), operation))
            .collect();
        let new_by_key: BTreeMap<_, _> = self
            .new
            .operations
            .iter()
            .map(|operation| (operation_key(operation), operation))
            .collect();
        let new_paths: BTreeSet<String> = self
            .new
            .operations
            .iter()
            .map(|operation| path_key(&operation.path))
            .collect();
        for (key, old) in &old_by_key {
            match new_by_key.get(key) {
                Some(new) => self.operation(old, new),
                None => self.removed(old, !new_paths.contains(&key.0)),
            }
        }
        for (key, new) in &new_by_key {
            if !old_by_key.contains_key(key) {
                self.push(
                    Fixed::EndpointAdded,
                    Some(&new.label()),
                    "paths",
                    "a new operation",
                );
            }
        }
    }

    fn removed(&mut self, old: &Operation, path_gone: bool) {
        let removal = judge_removal(old.deprecated, old.sunset.as_deref(), self.settings.today);
        let (rule, message) = match (removal, path_gone) {
            (Removal::WithoutDeprecation, true) => (
                Fixed::PathRemovedWithoutDeprecation,
                "the path was removed without being deprecated first".to_owned(),
            ),
            (Removal::WithoutDeprecation, false) => (
                Fixed::RemovedWithoutDeprecation,
                "the operation was removed without being deprecated first".to_owned(),
            ),
            (Removal::AfterDeprecation, true) => (
                Fixed::PathRemovedWithDeprecation,
                "the deprecated path was removed".to_owned(),
            ),
            (Removal::AfterDeprecation, false) => (
                Fixed::RemovedWithDeprecation,
                "the deprecated operation was removed".to_owned(),
            ),
            (Removal::UnreadableSunset, path_gone) => (
                if path_gone {
                    Fixed::PathSunsetParse
                } else {
                    Fixed::SunsetParse
                },
                format!(
                    "the deprecated operation was removed, but its sunset {:?} is not a date",
                    old.sunset.as_deref().unwrap_or_default()
                ),
            ),
            (Removal::BeforeSunset(date), true) => (
                Fixed::PathRemovedBeforeSunset,
                format!("removed before its sunset date {date}"),
            ),
            (Removal::BeforeSunset(date), false) => (
                Fixed::RemovedBeforeSunset,
                format!("removed before its sunset date {date}"),
            ),
        };
        self.push(rule, Some(&old.label()), "paths", message);
    }

    pub(super) fn webhooks(&mut self) {
        let old: BTreeMap<_, _> = self
            .old
            .webhooks
            .iter()
            .map(|hook| ((hook.path.clone(), hook.method), hook))
            .collect();
        let new: BTreeMap<_, _> = self
            .new
            .webhooks
            .iter()
            .map(|hook| ((hook.path.clone(), hook.method), hook))
            .collect();
        for (key, hook) in &old {
            match new.get(key) {
                None => self.push(
                    Fixed::WebhookRemoved,
                    None,
                    format!("webhooks.{}", key.0),
                    format!("webhook `{}` ({}) was removed", key.0, hook.method),
                ),
                Some(new_hook) => {
                    // A webhook's payload is what receivers read: judged like a response.
                    if let (Some(old_body), Some(new_body)) =
                        (&hook.request_body, &new_hook.request_body)
                    {
                        let label = format!("WEBHOOK {}", key.0);
                        self.media_types(
                            &label,
                            "webhook payload",
                            &old_body.content,
                            &new_body.content,
                            Direction::Response,
                        );
                    }
                }
            }
        }
        for key in new.keys() {
            if !old.contains_key(key) {
                self.push(
                    Fixed::WebhookAdded,
                    None,
                    format!("webhooks.{}", key.0),
                    format!("webhook `{}` was added", key.0),
                );
            }
        }
    }

    /// An operation present on both sides: every family compares its part.
    fn operation(&mut self, old: &Operation, new: &Operation) {
        let label = new.label();
        match (old.deprecated, new.deprecated) {
            (false, true) => match &new.sunset {
                Some(sunset) => self.push(
                    Fixed::EndpointDeprecatedWithSunset,
                    Some(&label),
                    "deprecated",
                    format!("the operation is now deprecated, with sunset {sunset}"),
                ),
                None => self.push(
                    Fixed::EndpointDeprecated,
                    Some(&label),
                    "deprecated",
                    "the operation is now deprecated",
                ),
            },
            (true, false) => self.push(
                Fixed::EndpointReactivated,
                Some(&label),
                "deprecated",
                "the operation is no longer deprecated",
            ),
            (true, true) => {
                match judge_sunset_change(old.sunset.as_deref(), new.sunset.as_deref()) {
                    Some(SunsetChange::Deleted) => self.push(
                        Fixed::SunsetDeleted,
                        Some(&label),
                        "x-sunset",
                        "the deprecated operation no longer has a sunset date",
                    ),
                    Some(SunsetChange::Earlier { from, to }) => self.push(
                        Fixed::SunsetDateTooEarly,
                        Some(&label),
                        "x-sunset",
                        format!("the sunset date moved earlier, from {from} to {to}"),
                    ),
                    None => {}
                }
            }
            _ => {}
        }
        if new.deprecated
            && let Some(sunset) = &new.sunset
            && parse_date(sunset).is_none()
        {
            self.push(
                Fixed::DeprecatedSunsetParse,
                Some(&label),
                "x-sunset",
                format!("the sunset {sunset:?} is not a date (YYYY-MM-DD or an HTTP date)"),
            );
        }
        self.identity(&label, old, new);
        self.costs(&label, old, new);
        self.parameters(&label, old, new);
        self.request_body(&label, old.request_body.as_ref(), new.request_body.as_ref());
        self.responses(&label, &old.responses, &new.responses);
        if old.security_declared || new.security_declared {
            self.requirements(Some(&label), true, &old.security, &new.security);
        }
    }
}

impl Differ<'_> {
    /// The operation id (which names the SDK method) and tags.
    fn identity(&mut self, label: &str, old: &Operation, new: &Operation) {
        let declared = |operation: &Operation| operation.id_source == OperationIdSource::Declared;
        match (declared(old), declared(new)) {
            (true, false) => self.push(
                Fixed::OperationIdRemoved,
                Some(label),
                "operationId",
                format!("the operationId `{}` was removed", old.id),
            ),
            (true, true) if old.id != new.id => self.push(
                Fixed::OperationIdRemoved,
                Some(label),
                "operationId",
                format!("the operationId changed from `{}` to `{}`", old.id, new.id),
            ),
            (false, true) => self.push(
                Fixed::OperationIdAdded,
                Some(label),
                "operationId",
                format!("the operation now has the operationId `{}`", new.id),
            ),
            _ => {}
        }
        for tag in old.tags.iter().filter(|tag| !new.tags.contains(tag)) {
            self.push(
                Fixed::TagRemoved,
                Some(label),
                "tags",
                format!("the tag `{tag}` was removed"),
            );
        }
        for tag in new.tags.iter().filter(|tag| !old.tags.contains(tag)) {
            self.push(
                Fixed::TagAdded,
                Some(label),
                "tags",
                format!("the tag `{tag}` was added"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_do_not_matter_for_matching() {
        assert_eq!(path_key("/tasks/{task_id}/x"), path_key("/tasks/{id}/x"));
        assert_ne!(path_key("/tasks/{id}"), path_key("/task/{id}"));
    }
}
