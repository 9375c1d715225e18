//! Parameters: matched by location and name (path parameters by position, so renaming one
//! with the template is no change), then added, removed, made required or optional,
//! re-serialised, and their schemas compared as values clients send.

use std::collections::BTreeMap;

use sdkgen_model::{Operation, Parameter, ParameterLocation};

use super::{Context, Differ, Direction};
use crate::rules::Fixed;

/// `(location, name)`, with a path parameter named by its position in the template.
fn key(operation: &Operation, parameter: &Parameter) -> (ParameterLocation, String) {
    let name = match parameter.location {
        ParameterLocation::Path => {
            let position = operation
                .path
                .find(&format!("{{{}}}", parameter.name))
                .map(|at| operation.path[..at].matches('{').count());
            position.map_or_else(
                || parameter.name.to_ascii_lowercase(),
                |position| format!("#{position}"),
            )
        }
        _ => parameter.name.to_ascii_lowercase(),
    };
    (parameter.location, name)
}

impl Differ<'_> {
    pub(super) fn parameters(&mut self, label: &str, old: &Operation, new: &Operation) {
        let old_parameters: BTreeMap<_, _> = old
            .parameters
            .iter()
            .map(|parameter| (key(old, parameter), parameter))
            .collect();
        let new_parameters: BTreeMap<_, _> = new
            .parameters
            .iter()
            .map(|parameter| (key(new, parameter), parameter))
            .collect();
        for (key, old_parameter) in &old_parameters {
            let location = format!("parameters.{}.{}", key.0, old_parameter.name);
            let Some(new_parameter) = new_parameters.get(key) else {
                self.push(
                    Fixed::ParameterRemoved,
                    Some(label),
                    location,
                    format!(
                        "the {} parameter `{}` was removed",
                        key.0, old_parameter.name
                    ),
                );
                continue;
            };
            match (old_parameter.required, new_parameter.required) {
                (false, true) => self.push(
                    Fixed::ParameterBecameRequired,
                    Some(label),
                    location.clone(),
                    format!(
                        "the {} parameter `{}` became required",
                        key.0, new_parameter.name
                    ),
                ),
                (true, false) => self.push(
                    Fixed::ParameterBecameOptional,
                    Some(label),
                    location.clone(),
                    format!(
                        "the {} parameter `{}` became optional",
                        key.0, new_parameter.name
                    ),
                ),
                _ => {}
            }
            match (old_parameter.deprecated, new_parameter.deprecated) {
                (false, true) => self.push(
                    Fixed::ParameterDeprecated,
                    Some(label),
                    location.clone(),
                    format!(
                        "the {} parameter `{}` is now deprecated",
                        key.0, new_parameter.name
                    ),
                ),
                (true, false) => self.push(
                    Fixed::ParameterReactivated,
                    Some(label),
                    location.clone(),
                    format!(
                        "the {} parameter `{}` is no longer deprecated",
                        key.0, new_parameter.name
                    ),
                ),
                _ => {}
            }
            if old_parameter.style != new_parameter.style
                || old_parameter.explode != new_parameter.explode
            {
                self.push(
                    Fixed::ParameterStyleChanged,
                    Some(label),
                    location,
                    format!("the serialisation of `{}` changed", new_parameter.name),
                );
            }
            let context = Context::new(
                Direction::Parameter,
                label,
                format!("{} parameter `{}`", key.0, new_parameter.name),
            );
            self.schema_root(&old_parameter.schema, &new_parameter.schema, &context);
        }
        for (key, new_parameter) in &new_parameters {
            if old_parameters.contains_key(key) {
                continue;
            }
            let location = format!("parameters.{}.{}", key.0, new_parameter.name);
            let (rule, kind) = if new_parameter.required {
                (Fixed::NewRequiredParameter, "required")
            } else {
                (Fixed::NewOptionalParameter, "optional")
            };
            self.push(
                rule,
                Some(label),
                location,
                format!("a new {kind} {} parameter `{}`", key.0, new_parameter.name),
            );
        }
    }
}
