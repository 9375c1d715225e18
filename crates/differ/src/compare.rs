//! The comparison: operations, parameters, bodies, responses, schemas, security, costs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use sdkgen_model::{
    AdditionalProperties, Api, Method, Operation, Parameter, RequestBody, Response, Schema,
    SchemaKind, SecurityRequirement, SecurityScheme,
};
use serde_json::Value;

use crate::{Change, Level, Report};

/// Compares two versions of an API.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
    };
    differ.operations();
    differ.webhooks();
    differ.security();
    Report {
        changes: differ.changes,
    }
}

/// Which side of the wire a schema is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Sent by clients (request bodies).
    Request,
    /// Sent by the server (response bodies).
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
}

impl Context {
    fn at_root(&self) -> bool {
        self.path.is_empty()
    }

    fn child(&self, segment: &str) -> Context {
        Context {
            path: format!("{}/{segment}", self.path),
            ..self.clone()
        }
    }

    fn location(&self) -> String {
        if self.path.is_empty() {
            self.place.clone()
        } else {
            format!("{}: {}", self.place, self.path)
        }
    }

    /// `request-property`, `request-body`, `response-property`, `response-body`,
    /// `request-parameter` or `request-parameter-property`.
    fn prefix(&self) -> &'static str {
        match (self.direction, self.at_root()) {
            (Direction::Request, true) => "request-body",
            (Direction::Request, false) => "request-property",
            (Direction::Response, true) => "response-body",
            (Direction::Response, false) => "response-property",
            (Direction::Parameter, true) => "request-parameter",
            (Direction::Parameter, false) => "request-parameter-property",
        }
    }

    fn what(&self) -> String {
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

struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    changes: Vec<Change>,
}

/// `/tasks/{task_id}` and `/tasks/{id}` are the same path.
fn path_key(path: &str) -> String {
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

impl<'a> Differ<'a> {
    fn push(
        &mut self,
        id: &str,
        level: Level,
        operation: Option<&str>,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.changes.push(Change {
            id: id.to_owned(),
            level,
            operation: operation.map(str::to_owned),
            location: location.into(),
            message: message.into(),
        });
    }

    fn operations(&mut self) {
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
            let label = old.label();
            match new_by_key.get(key) {
                Some(new) => self.operation(old, new),
                None => {
                    let path_gone = !new_paths.contains(&key.0);
                    let sunset = old
                        .extensions
                        .get("x-sunset")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let (id, level, message) = match (old.deprecated, path_gone) {
                        (false, true) => (
                            "api-path-removed-without-deprecation",
                            Level::Breaking,
                            "the path was removed without being deprecated first",
                        ),
                        (false, false) => (
                            "api-removed-without-deprecation",
                            Level::Breaking,
                            "the operation was removed without being deprecated first",
                        ),
                        (true, true) => (
                            "api-path-removed-with-deprecation",
                            Level::NonBreaking,
                            "the deprecated path was removed",
                        ),
                        (true, false) => (
                            "api-removed-with-deprecation",
                            Level::NonBreaking,
                            "the deprecated operation was removed",
                        ),
                    };
                    if let Some(sunset) =
                        sunset.filter(|sunset| old.deprecated && is_future(sunset))
                    {
                        let id = if path_gone {
                            "api-path-removed-before-sunset"
                        } else {
                            "api-removed-before-sunset"
                        };
                        self.push(
                            id,
                            Level::Breaking,
                            Some(&label),
                            "paths",
                            format!("removed before its sunset date {sunset}"),
                        );
                    } else {
                        self.push(id, level, Some(&label), "paths", message);
                    }
                }
            }
        }
        for (key, new) in &new_by_key {
            if !old_by_key.contains_key(key) {
                self.push(
                    "endpoint-added",
                    Level::NonBreaking,
                    Some(&new.label()),
                    "paths",
                    "a new operation",
                );
            }
        }
    }

    fn webhooks(&mut self) {
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
                    "webhook-removed",
                    Level::Breaking,
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
                    "webhook-added",
                    Level::NonBreaking,
                    None,
                    format!("webhooks.{}", key.0),
                    format!("webhook `{}` was added", key.0),
                );
            }
        }
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        let label = new.label();
        match (old.deprecated, new.deprecated) {
            (false, true) => self.push(
                "endpoint-deprecated",
                Level::NonBreaking,
                Some(&label),
                "deprecated",
                "the operation is now deprecated",
            ),
            (true, false) => self.push(
                "endpoint-reactivated",
                Level::NonBreaking,
                Some(&label),
                "deprecated",
                "the operation is no longer deprecated",
            ),
            _ => {}
        }
        let (old_points, new_points) = (old.cost.max_points(), new.cost.max_points());
        let (old_base, new_base) = (old.cost.base_points(), new.cost.base_points());
        if new_points > old_points || new_base > old_base {
            self.push(
                "operation-points-increased",
                Level::Warning,
                Some(&label),
                "x-points",
                format!(
                    "the cost rose from {} to {} points",
                    points_text(old),
                    points_text(new)
                ),
            );
        } else if new_points < old_points || new_base < old_base {
            self.push(
                "operation-points-decreased",
                Level::NonBreaking,
                Some(&label),
                "x-points",
                format!(
                    "the cost fell from {} to {} points",
                    points_text(old),
                    points_text(new)
                ),
            );
        }
        self.parameters(&label, old, new);
        self.request_body(&label, old.request_body.as_ref(), new.request_body.as_ref());
        self.responses(&label, &old.responses, &new.responses);
        if old.security_declared || new.security_declared {
            self.requirements(
                Some(&label),
                "security",
                "api-security",
                &old.security,
                &new.security,
            );
        }
    }

    fn parameters(&mut self, label: &str, old: &Operation, new: &Operation) {
        // Path parameters are positional: `/a/{id}` renamed to `/a/{key}` is the same parameter.
        let key = |operation: &Operation, parameter: &Parameter| {
            let name = match parameter.location {
                sdkgen_model::ParameterLocation::Path => {
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
        };
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
            match new_parameters.get(key) {
                None => self.push(
                    "request-parameter-removed",
                    Level::Warning,
                    Some(label),
                    location,
                    format!(
                        "the {} parameter `{}` was removed",
                        key.0, old_parameter.name
                    ),
                ),
                Some(new_parameter) => {
                    match (old_parameter.required, new_parameter.required) {
                        (false, true) => self.push(
                            "request-parameter-became-required",
                            Level::Breaking,
                            Some(label),
                            location.clone(),
                            format!(
                                "the {} parameter `{}` became required",
                                key.0, new_parameter.name
                            ),
                        ),
                        (true, false) => self.push(
                            "request-parameter-became-optional",
                            Level::NonBreaking,
                            Some(label),
                            location.clone(),
                            format!(
                                "the {} parameter `{}` became optional",
                                key.0, new_parameter.name
                            ),
                        ),
                        _ => {}
                    }
                    if old_parameter.style != new_parameter.style
                        || old_parameter.explode != new_parameter.explode
                    {
                        self.push(
                            "request-parameter-style-changed",
                            Level::Breaking,
                            Some(label),
                            location.clone(),
                            format!("the serialisation of `{}` changed", new_parameter.name),
                        );
                    }
                    let context = Context {
                        direction: Direction::Parameter,
                        operation: Some(label.to_owned()),
                        place: format!("{} parameter `{}`", key.0, new_parameter.name),
                        path: String::new(),
                    };
                    let mut seen = HashSet::new();
                    self.schema(
                        &old_parameter.schema,
                        &new_parameter.schema,
                        &context,
                        &mut seen,
                    );
                }
            }
        }
        for (key, new_parameter) in &new_parameters {
            if old_parameters.contains_key(key) {
                continue;
            }
            let location = format!("parameters.{}.{}", key.0, new_parameter.name);
            if new_parameter.required {
                self.push(
                    "new-required-request-parameter",
                    Level::Breaking,
                    Some(label),
                    location,
                    format!(
                        "a new required {} parameter `{}`",
                        key.0, new_parameter.name
                    ),
                );
            } else {
                self.push(
                    "new-optional-request-parameter",
                    Level::NonBreaking,
                    Some(label),
                    location,
                    format!(
                        "a new optional {} parameter `{}`",
                        key.0, new_parameter.name
                    ),
                );
            }
        }
    }

    fn request_body(&mut self, label: &str, old: Option<&RequestBody>, new: Option<&RequestBody>) {
        match (old, new) {
            (None, Some(new)) if new.required => self.push(
                "request-body-added-required",
                Level::Breaking,
                Some(label),
                "requestBody",
                "a required request body was added",
            ),
            (None, Some(_)) => self.push(
                "request-body-added-optional",
                Level::NonBreaking,
                Some(label),
                "requestBody",
                "an optional request body was added",
            ),
            (Some(_), None) => self.push(
                "request-body-removed",
                Level::Warning,
                Some(label),
                "requestBody",
                "the request body was removed",
            ),
            (Some(old), Some(new)) => {
                match (old.required, new.required) {
                    (false, true) => self.push(
                        "request-body-became-required",
                        Level::Breaking,
                        Some(label),
                        "requestBody",
                        "the request body became required",
                    ),
                    (true, false) => self.push(
                        "request-body-became-optional",
                        Level::NonBreaking,
                        Some(label),
                        "requestBody",
                        "the request body became optional",
                    ),
                    _ => {}
                }
                self.media_types(
                    label,
                    "request body",
                    &old.content,
                    &new.content,
                    Direction::Request,
                );
            }
            (None, None) => {}
        }
    }

    fn media_types(
        &mut self,
        label: &str,
        what: &str,
        old: &[sdkgen_model::MediaType],
        new: &[sdkgen_model::MediaType],
        direction: Direction,
    ) {
        let prefix = if direction == Direction::Request {
            "request-body"
        } else {
            "response"
        };
        for old_media in old {
            match new
                .iter()
                .find(|media| media.media_type == old_media.media_type)
            {
                None => self.push(
                    &format!("{prefix}-media-type-removed"),
                    Level::Breaking,
                    Some(label),
                    format!("{what} {}", old_media.media_type),
                    format!(
                        "the {what} no longer accepts or gives `{}`",
                        old_media.media_type
                    ),
                ),
                Some(new_media) => {
                    if let (Some(old_schema), Some(new_schema)) =
                        (&old_media.schema, &new_media.schema)
                    {
                        let context = Context {
                            direction,
                            operation: Some(label.to_owned()),
                            place: format!("{what} {}", new_media.media_type),
                            path: String::new(),
                        };
                        let mut seen = HashSet::new();
                        self.schema(old_schema, new_schema, &context, &mut seen);
                    }
                }
            }
        }
        for new_media in new {
            if !old
                .iter()
                .any(|media| media.media_type == new_media.media_type)
            {
                self.push(
                    &format!("{prefix}-media-type-added"),
                    Level::NonBreaking,
                    Some(label),
                    format!("{what} {}", new_media.media_type),
                    format!("the {what} now also has `{}`", new_media.media_type),
                );
            }
        }
    }

    fn responses(&mut self, label: &str, old: &[Response], new: &[Response]) {
        for old_response in old {
            let status = old_response.status;
            match new.iter().find(|response| response.status == status) {
                None if status.is_success() => self.push(
                    "response-success-status-removed",
                    Level::Breaking,
                    Some(label),
                    format!("responses.{status}"),
                    format!("the success response {status} was removed"),
                ),
                None => self.push(
                    "response-non-success-status-removed",
                    Level::NonBreaking,
                    Some(label),
                    format!("responses.{status}"),
                    format!("the response {status} was removed"),
                ),
                Some(new_response) => {
                    let what = format!("response {status}");
                    for old_header in &old_response.headers {
                        let location = format!("responses.{status}.headers.{}", old_header.name);
                        match new_response.header(&old_header.name) {
                            None if old_header.required => self.push(
                                "required-response-header-removed",
                                Level::Breaking,
                                Some(label),
                                location,
                                format!("the required header `{}` was removed", old_header.name),
                            ),
                            None => self.push(
                                "optional-response-header-removed",
                                Level::Warning,
                                Some(label),
                                location,
                                format!("the optional header `{}` was removed", old_header.name),
                            ),
                            Some(new_header) => {
                                if old_header.required && !new_header.required {
                                    self.push(
                                        "response-header-became-optional",
                                        Level::Breaking,
                                        Some(label),
                                        location,
                                        format!("the header `{}` became optional", old_header.name),
                                    );
                                }
                            }
                        }
                    }
                    for new_header in &new_response.headers {
                        if old_response.header(&new_header.name).is_none() {
                            self.push(
                                "response-header-added",
                                Level::NonBreaking,
                                Some(label),
                                format!("responses.{status}.headers.{}", new_header.name),
                                format!("a new header `{}`", new_header.name),
                            );
                        }
                    }
                    self.media_types(
                        label,
                        &what,
                        &old_response.content,
                        &new_response.content,
                        Direction::Response,
                    );
                }
            }
        }
        for new_response in new {
            let status = new_response.status;
            if !old.iter().any(|response| response.status == status) {
                let id = if status.is_success() {
                    "response-success-status-added"
                } else {
                    "response-non-success-status-added"
                };
                self.push(
                    id,
                    Level::NonBreaking,
                    Some(label),
                    format!("responses.{status}"),
                    format!("a new response {status}"),
                );
            }
        }
    }

    /// Follows references on one side, noting the name of the last one.
    fn resolve<'s>(api: &'s Api, schema: &'s Schema) -> (&'s Schema, Option<&'s str>) {
        let name = schema.ref_name();
        let mut current = schema;
        let mut last_name = name;
        for _ in 0..64 {
            match &current.kind {
                SchemaKind::Ref(name) => match api.schemas.get(name) {
                    Some(named) => {
                        last_name = Some(name.as_str());
                        current = &named.schema;
                    }
                    None => break,
                },
                _ => break,
            }
        }
        (current, last_name)
    }

    fn schema(
        &mut self,
        old: &Schema,
        new: &Schema,
        context: &Context,
        seen: &mut HashSet<(String, String)>,
    ) {
        let (old_resolved, old_name) = Self::resolve(self.old, old);
        let (new_resolved, new_name) = Self::resolve(self.new, new);
        if let (Some(old_name), Some(new_name)) = (old_name, new_name)
            && !seen.insert((old_name.to_owned(), new_name.to_owned()))
        {
            // Recursion: this pair is being (or was) compared further up.
            return;
        }
        let operation = context.operation.as_deref();
        let location = context.location();
        let prefix = context.prefix();
        let what = context.what();
        let direction = context.direction;

        // Nullability.
        let old_nullable = old.nullable || old_resolved.nullable;
        let new_nullable = new.nullable || new_resolved.nullable;
        if old_nullable != new_nullable {
            let (id_suffix, level) = match (new_nullable, direction) {
                (true, Direction::Response) => ("became-nullable", Level::Breaking),
                (true, _) => ("became-nullable", Level::NonBreaking),
                (false, Direction::Response) => ("became-not-nullable", Level::NonBreaking),
                (false, _) => ("became-not-nullable", Level::Breaking),
            };
            let message = if new_nullable {
                format!("the {what} may now be null")
            } else {
                format!("the {what} may no longer be null")
            };
            self.push(
                &format!("{prefix}-{id_suffix}"),
                level,
                operation,
                location.clone(),
                message,
            );
        }

        // Compositions, compared before types: they change the kind.
        if self.compositions((old, old_resolved), (new, new_resolved), context, seen) {
            return;
        }

        // Type and format.
        let old_type = type_of(old_resolved);
        let new_type = type_of(new_resolved);
        if old_type != new_type {
            let level = if direction == Direction::Response && old_type.0 == "any" {
                Level::NonBreaking
            } else {
                Level::Breaking
            };
            self.push(
                &format!("{prefix}-type-changed"),
                level,
                operation,
                location.clone(),
                format!(
                    "the type of the {what} changed from {} to {}",
                    describe(&old_type),
                    describe(&new_type)
                ),
            );
            return;
        }

        // Enumerations and constants.
        self.enumerations(old_resolved, new_resolved, context);

        // Defaults.
        if old_resolved.default != new_resolved.default
            && old_resolved.default.is_some()
            && new_resolved.default.is_some()
        {
            let level = if direction == Direction::Response {
                Level::NonBreaking
            } else {
                Level::Breaking
            };
            self.push(
                &format!("{prefix}-default-value-changed"),
                level,
                operation,
                location.clone(),
                format!("the default of the {what} changed"),
            );
        }

        self.constraints(old_resolved, new_resolved, context);

        match (&old_resolved.kind, &new_resolved.kind) {
            (SchemaKind::Array(old_array), SchemaKind::Array(new_array)) => {
                self.schema(
                    &old_array.items,
                    &new_array.items,
                    &context.child("items"),
                    seen,
                );
            }
            (SchemaKind::Object(old_object), SchemaKind::Object(new_object)) => {
                self.properties(old_object, new_object, context, seen);
                if let (
                    AdditionalProperties::Schema(old_values),
                    AdditionalProperties::Schema(new_values),
                ) = (
                    &old_object.additional_properties,
                    &new_object.additional_properties,
                ) {
                    self.schema(
                        old_values,
                        new_values,
                        &context.child("additionalProperties"),
                        seen,
                    );
                }
            }
            _ => {}
        }
    }

    fn properties(
        &mut self,
        old: &sdkgen_model::ObjectSchema,
        new: &sdkgen_model::ObjectSchema,
        context: &Context,
        seen: &mut HashSet<(String, String)>,
    ) {
        let operation = context.operation.as_deref();
        let direction = context.direction;
        // Read-only properties are not sent by clients; write-only ones not by servers.
        let relevant = |schema: &Schema| match direction {
            Direction::Response => !schema.write_only,
            _ => !schema.read_only,
        };
        for (name, old_property) in &old.properties {
            let child = context.child(name);
            let location = child.location();
            match new.properties.get(name) {
                None => {
                    if !relevant(old_property) {
                        continue;
                    }
                    let (id, level) = match (direction, old.is_required(name)) {
                        (Direction::Response, true) => {
                            ("response-required-property-removed", Level::Breaking)
                        }
                        (Direction::Response, false) => {
                            ("response-optional-property-removed", Level::Warning)
                        }
                        (Direction::Parameter, _) => {
                            ("request-parameter-property-removed", Level::Warning)
                        }
                        (Direction::Request, _) => ("request-property-removed", Level::Warning),
                    };
                    self.push(
                        id,
                        level,
                        operation,
                        location,
                        format!(
                            "the property `{name}` was removed from the {}",
                            context.what()
                        ),
                    );
                }
                Some(new_property) => {
                    if relevant(new_property) {
                        match (old.is_required(name), new.is_required(name), direction) {
                            (false, true, Direction::Response) => self.push(
                                "response-property-became-required",
                                Level::NonBreaking,
                                operation,
                                location.clone(),
                                format!("`{name}` is now always sent"),
                            ),
                            (true, false, Direction::Response) => self.push(
                                "response-property-became-optional",
                                Level::Breaking,
                                operation,
                                location.clone(),
                                format!("`{name}` may now be absent"),
                            ),
                            (false, true, _) => self.push(
                                "request-property-became-required",
                                Level::Breaking,
                                operation,
                                location.clone(),
                                format!("`{name}` is now required"),
                            ),
                            (true, false, _) => self.push(
                                "request-property-became-optional",
                                Level::NonBreaking,
                                operation,
                                location.clone(),
                                format!("`{name}` is now optional"),
                            ),
                            _ => {}
                        }
                    }
                    self.schema(old_property, new_property, &child, seen);
                }
            }
        }
        for (name, new_property) in &new.properties {
            if old.properties.contains_key(name) || !relevant(new_property) {
                continue;
            }
            let location = context.child(name).location();
            let required = new.is_required(name);
            let message = format!(
                "a new {} property `{name}` in the {}",
                if required { "required" } else { "optional" },
                context.what()
            );
            match (direction, required) {
                (Direction::Response, true) => self.push(
                    "response-required-property-added",
                    Level::NonBreaking,
                    operation,
                    location,
                    message,
                ),
                (Direction::Response, false) => self.push(
                    "response-optional-property-added",
                    Level::NonBreaking,
                    operation,
                    location,
                    message,
                ),
                (_, true) => {
                    self.push(
                        "new-required-request-property",
                        Level::Breaking,
                        operation,
                        location.clone(),
                        message.clone(),
                    );
                    if new_property.default.is_some() {
                        self.push(
                            "new-required-request-property-with-default",
                            Level::Breaking,
                            operation,
                            location,
                            format!("{message}, with a default"),
                        );
                    }
                }
                (_, false) => self.push(
                    "new-optional-request-property",
                    Level::NonBreaking,
                    operation,
                    location,
                    message,
                ),
            }
        }
    }

    /// oneOf, anyOf, allOf and discriminators. Returns true when the kinds are compositions
    /// (and so have been compared here).
    fn compositions(
        &mut self,
        (old_written, old): (&Schema, &Schema),
        (new_written, new): (&Schema, &Schema),
        context: &Context,
        seen: &mut HashSet<(String, String)>,
    ) -> bool {
        let operation = context.operation.as_deref();
        let location = context.location();
        let prefix = context.prefix();
        let what = context.what();
        let response = context.direction == Direction::Response;
        let (mut old_parts, old_kind) = composition(old);
        let (mut new_parts, new_kind) = composition(new);
        if old_kind.is_none() && new_kind.is_none() {
            return false;
        }
        // A plain schema on one side is a composition of one part (a collapsed `allOf: [X]`).
        if old_kind.is_none() {
            old_parts = vec![old_written.clone()];
        }
        if new_kind.is_none() {
            new_parts = vec![new_written.clone()];
        }
        if old_kind != new_kind && old_kind.is_some() && new_kind.is_some() {
            self.push(
                &format!("{prefix}-type-changed"),
                Level::Breaking,
                operation,
                location,
                format!(
                    "the {what} changed from {} to {}",
                    old_kind.unwrap_or("a plain schema"),
                    new_kind.unwrap_or("a plain schema")
                ),
            );
            return true;
        }
        let kind = new_kind.or(old_kind).unwrap_or("oneOf");
        let rule = match kind {
            "allOf" => "all-of",
            "anyOf" => "any-of",
            _ => "one-of",
        };
        let identity = |api: &Api, part: &Schema, index: usize| -> String {
            match Self::resolve(api, part) {
                (_, Some(name)) => format!("#{name}"),
                (resolved, None) => format!("{}:{index}", resolved.kind.type_name()),
            }
        };
        // A plain schema becoming a composition (or back) compares its parts as added/removed.
        let old_ids: Vec<String> = old_parts
            .iter()
            .enumerate()
            .map(|(index, part)| identity(self.old, part, index))
            .collect();
        let new_ids: Vec<String> = new_parts
            .iter()
            .enumerate()
            .map(|(index, part)| identity(self.new, part, index))
            .collect();
        let added: Vec<&String> = new_ids.iter().filter(|id| !old_ids.contains(id)).collect();
        let removed: Vec<&String> = old_ids.iter().filter(|id| !new_ids.contains(id)).collect();
        let (added_level, removed_level) = match (rule, response) {
            ("all-of", false) => (Level::Breaking, Level::Warning),
            ("all-of", true) => (Level::NonBreaking, Level::Warning),
            (_, false) => (Level::NonBreaking, Level::Breaking),
            (_, true) => (Level::Breaking, Level::NonBreaking),
        };
        if !added.is_empty() {
            self.push(
                &format!("{prefix}-{rule}-added"),
                added_level,
                operation,
                location.clone(),
                format!("{kind} of the {what} gained {}", list(&added)),
            );
        }
        if !removed.is_empty() {
            self.push(
                &format!("{prefix}-{rule}-removed"),
                removed_level,
                operation,
                location.clone(),
                format!("{kind} of the {what} lost {}", list(&removed)),
            );
        }
        // Discriminators.
        let old_discriminator = discriminator(old);
        let new_discriminator = discriminator(new);
        match (old_discriminator, new_discriminator) {
            (None, Some(_)) => self.push(
                &format!("{prefix}-discriminator-added"),
                Level::NonBreaking,
                operation,
                location.clone(),
                format!("the {what} gained a discriminator"),
            ),
            (Some(_), None) => self.push(
                &format!("{prefix}-discriminator-removed"),
                Level::NonBreaking,
                operation,
                location.clone(),
                format!("the {what} lost its discriminator"),
            ),
            (Some(old_property), Some(new_property)) if old_property != new_property => {
                self.push(&format!("{prefix}-discriminator-property-name-changed"), Level::Breaking, operation, location.clone(), format!("the discriminator of the {what} changed from `{old_property}` to `{new_property}`"));
            }
            _ => {}
        }
        // Parts present on both sides are compared in depth.
        for (old_index, old_id) in old_ids.iter().enumerate() {
            if let Some(new_index) = new_ids.iter().position(|id| id == old_id) {
                self.schema(&old_parts[old_index], &new_parts[new_index], context, seen);
            }
        }
        true
    }

    fn enumerations(&mut self, old: &Schema, new: &Schema, context: &Context) {
        if old.enumeration == new.enumeration {
            return;
        }
        let operation = context.operation.as_deref();
        let location = context.location();
        let prefix = context.prefix();
        let what = context.what();
        // A one-value enum on both sides is a `const`.
        if old.enumeration.len() == 1 && new.enumeration.len() == 1 {
            self.push(
                &format!("{prefix}-const-changed"),
                Level::Breaking,
                operation,
                location,
                format!(
                    "the constant value of the {what} changed from {} to {}",
                    old.enumeration[0], new.enumeration[0]
                ),
            );
            return;
        }
        if old.enumeration.is_empty() || new.enumeration.is_empty() {
            let (id, level) = if new.enumeration.is_empty() {
                ("enum-removed", Level::NonBreaking)
            } else {
                ("enum-added", Level::Breaking)
            };
            let level = if context.direction == Direction::Response {
                Level::NonBreaking
            } else {
                level
            };
            self.push(
                &format!("{prefix}-{id}"),
                level,
                operation,
                location,
                format!(
                    "the {what} {}",
                    if new.enumeration.is_empty() {
                        "no longer lists its values"
                    } else {
                        "now lists its allowed values"
                    }
                ),
            );
            return;
        }
        let added: Vec<&Value> = new
            .enumeration
            .iter()
            .filter(|value| !old.enumeration.contains(value))
            .collect();
        let removed: Vec<&Value> = old
            .enumeration
            .iter()
            .filter(|value| !new.enumeration.contains(value))
            .collect();
        let response = context.direction == Direction::Response;
        if !added.is_empty() {
            let level = if response {
                Level::Warning
            } else {
                Level::NonBreaking
            };
            self.push(
                &format!("{prefix}-enum-value-added"),
                level,
                operation,
                location.clone(),
                format!("the {what} gained the value(s) {}", values(&added)),
            );
        }
        if !removed.is_empty() {
            let level = if response {
                Level::NonBreaking
            } else {
                Level::Breaking
            };
            self.push(
                &format!("{prefix}-enum-value-removed"),
                level,
                operation,
                location,
                format!("the {what} lost the value(s) {}", values(&removed)),
            );
        }
    }

    fn constraints(&mut self, old: &Schema, new: &Schema, context: &Context) {
        // Constraints restrict what clients may send; responses are not judged on them.
        if context.direction == Direction::Response {
            return;
        }
        let operation = context.operation.as_deref();
        let location = context.location();
        let prefix = context.prefix();
        let what = context.what();
        let bound = |differ: &mut Self,
                     name: &str,
                     old: Option<f64>,
                     new: Option<f64>,
                     upper: bool| {
            match (old, new) {
                (None, Some(value)) => differ.push(
                    &format!("{prefix}-{name}-set"),
                    Level::Warning,
                    operation,
                    location.clone(),
                    format!("the {what} now has a {name} of {value}"),
                ),
                (Some(_), None) => differ.push(
                    &format!("{prefix}-{name}-removed"),
                    Level::NonBreaking,
                    operation,
                    location.clone(),
                    format!("the {what} no longer has a {name}"),
                ),
                (Some(old), Some(new)) if old != new => {
                    let tightened = if upper { new < old } else { new > old };
                    let (direction_word, level) = match (tightened, upper) {
                        (true, true) => ("decreased", Level::Breaking),
                        (true, false) => ("increased", Level::Breaking),
                        (false, true) => ("increased", Level::NonBreaking),
                        (false, false) => ("decreased", Level::NonBreaking),
                    };
                    differ.push(
                        &format!("{prefix}-{name}-{direction_word}"),
                        level,
                        operation,
                        location.clone(),
                        format!("the {name} of the {what} went from {old} to {new}"),
                    );
                }
                _ => {}
            }
        };
        match (&old.kind, &new.kind) {
            (
                SchemaKind::Integer(old_number) | SchemaKind::Number(old_number),
                SchemaKind::Integer(new_number) | SchemaKind::Number(new_number),
            ) => {
                let maximum = |number: &sdkgen_model::NumberConstraints| {
                    number.maximum.or(number.exclusive_maximum)
                };
                let minimum = |number: &sdkgen_model::NumberConstraints| {
                    number.minimum.or(number.exclusive_minimum)
                };
                bound(self, "max", maximum(old_number), maximum(new_number), true);
                bound(self, "min", minimum(old_number), minimum(new_number), false);
            }
            (SchemaKind::String(old_string), SchemaKind::String(new_string)) => {
                bound(
                    self,
                    "max-length",
                    old_string.max_length.map(|n| n as f64),
                    new_string.max_length.map(|n| n as f64),
                    true,
                );
                bound(
                    self,
                    "min-length",
                    old_string.min_length.map(|n| n as f64),
                    new_string.min_length.map(|n| n as f64),
                    false,
                );
                match (&old_string.pattern, &new_string.pattern) {
                    (None, Some(pattern)) => self.push(&format!("{prefix}-pattern-added"), Level::Warning, operation, location.clone(), format!("the {what} must now match `{pattern}`")),
                    (Some(_), None) => self.push(&format!("{prefix}-pattern-removed"), Level::NonBreaking, operation, location.clone(), format!("the {what} no longer has a pattern")),
                    (Some(old_pattern), Some(new_pattern)) if old_pattern != new_pattern => self.push(&format!("{prefix}-pattern-changed"), Level::Warning, operation, location.clone(), format!("the pattern of the {what} changed from `{old_pattern}` to `{new_pattern}`")),
                    _ => {}
                }
            }
            (SchemaKind::Array(old_array), SchemaKind::Array(new_array)) => {
                bound(
                    self,
                    "max-items",
                    old_array.max_items.map(|n| n as f64),
                    new_array.max_items.map(|n| n as f64),
                    true,
                );
                bound(
                    self,
                    "min-items",
                    old_array.min_items.map(|n| n as f64),
                    new_array.min_items.map(|n| n as f64),
                    false,
                );
            }
            _ => {}
        }
    }

    fn security(&mut self) {
        self.requirements(
            None,
            "security",
            "api-global-security",
            &self.old.security.clone(),
            &self.new.security.clone(),
        );
        for (name, old_scheme) in &self.old.security_schemes {
            let location = format!("components.securitySchemes.{name}");
            match self.new.security_schemes.get(name) {
                None => self.push(
                    "api-security-component-removed",
                    Level::Breaking,
                    None,
                    location,
                    format!("the security scheme `{name}` was removed"),
                ),
                Some(new_scheme) => self.scheme(name, old_scheme, new_scheme),
            }
        }
        for name in self.new.security_schemes.keys() {
            if !self.old.security_schemes.contains_key(name) {
                self.push(
                    "api-security-component-added",
                    Level::NonBreaking,
                    None,
                    format!("components.securitySchemes.{name}"),
                    format!("a new security scheme `{name}`"),
                );
            }
        }
    }

    fn scheme(&mut self, name: &str, old: &SecurityScheme, new: &SecurityScheme) {
        let location = format!("components.securitySchemes.{name}");
        if old.type_name() != new.type_name() {
            self.push(
                "api-security-component-type-changed",
                Level::Breaking,
                None,
                location,
                format!(
                    "`{name}` changed from {} to {}",
                    old.type_name(),
                    new.type_name()
                ),
            );
            return;
        }
        let changed = |differ: &mut Self, id: &str, message: String| {
            differ.push(id, Level::Breaking, None, location.clone(), message)
        };
        match (old, new) {
            (
                SecurityScheme::Http {
                    scheme: old_scheme,
                    bearer_format: old_format,
                    ..
                },
                SecurityScheme::Http {
                    scheme: new_scheme,
                    bearer_format: new_format,
                    ..
                },
            ) => {
                if old_scheme != new_scheme {
                    changed(
                        self,
                        "api-security-component-http-scheme-changed",
                        format!("`{name}` changed from {old_scheme} to {new_scheme}"),
                    );
                }
                if old_format != new_format {
                    changed(
                        self,
                        "api-security-component-bearer-format-changed",
                        format!("the bearer format of `{name}` changed"),
                    );
                }
            }
            (
                SecurityScheme::ApiKey {
                    name: old_key,
                    location: old_in,
                    ..
                },
                SecurityScheme::ApiKey {
                    name: new_key,
                    location: new_in,
                    ..
                },
            ) => {
                if old_key != new_key {
                    changed(
                        self,
                        "api-security-component-api-key-name-changed",
                        format!("the key of `{name}` moved from `{old_key}` to `{new_key}`"),
                    );
                }
                if old_in != new_in {
                    changed(
                        self,
                        "api-security-component-api-key-location-changed",
                        format!("the key of `{name}` moved from the {old_in} to the {new_in}"),
                    );
                }
            }
            (
                SecurityScheme::OAuth2 {
                    flows: old_flows, ..
                },
                SecurityScheme::OAuth2 {
                    flows: new_flows, ..
                },
            ) => {
                for (flow, old_flow) in old_flows {
                    match new_flows.get(flow) {
                        None => changed(
                            self,
                            "api-security-component-oauth-flow-removed",
                            format!("the {flow} flow of `{name}` was removed"),
                        ),
                        Some(new_flow) => {
                            if old_flow.token_url != new_flow.token_url {
                                changed(
                                    self,
                                    "api-security-component-oauth-token-url-changed",
                                    format!("the token URL of `{name}` changed"),
                                );
                            }
                            if old_flow.authorization_url != new_flow.authorization_url {
                                changed(
                                    self,
                                    "api-security-component-oauth-url-changed",
                                    format!("the authorization URL of `{name}` changed"),
                                );
                            }
                            for scope in old_flow
                                .scopes
                                .keys()
                                .filter(|scope| !new_flow.scopes.contains_key(*scope))
                            {
                                changed(
                                    self,
                                    "api-security-component-oauth-scope-removed",
                                    format!("the scope `{scope}` of `{name}` was removed"),
                                );
                            }
                            for scope in new_flow
                                .scopes
                                .keys()
                                .filter(|scope| !old_flow.scopes.contains_key(*scope))
                            {
                                changed(
                                    self,
                                    "api-security-component-oauth-scope-added",
                                    format!("the scope `{scope}` was added to `{name}`"),
                                );
                            }
                        }
                    }
                }
            }
            (
                SecurityScheme::OpenIdConnect { url: old_url, .. },
                SecurityScheme::OpenIdConnect { url: new_url, .. },
            ) if old_url != new_url => {
                changed(
                    self,
                    "api-security-component-openid-url-changed",
                    format!("the OpenID Connect URL of `{name}` changed"),
                );
            }
            _ => {}
        }
    }

    /// Security requirements: any change to the authentication mechanism is breaking.
    fn requirements(
        &mut self,
        operation: Option<&str>,
        location: &str,
        prefix: &str,
        old: &[SecurityRequirement],
        new: &[SecurityRequirement],
    ) {
        let schemes = |requirements: &[SecurityRequirement]| -> BTreeMap<String, BTreeSet<String>> {
            let mut schemes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for requirement in requirements {
                for (scheme, scopes) in requirement {
                    schemes
                        .entry(scheme.clone())
                        .or_default()
                        .extend(scopes.iter().cloned());
                }
            }
            schemes
        };
        let old_schemes = schemes(old);
        let new_schemes = schemes(new);
        for (scheme, old_scopes) in &old_schemes {
            match new_schemes.get(scheme) {
                None => self.push(
                    &format!("{prefix}-removed"),
                    Level::Breaking,
                    operation,
                    location,
                    format!("the security requirement `{scheme}` was removed"),
                ),
                Some(new_scopes) => {
                    for scope in old_scopes.difference(new_scopes) {
                        self.push(
                            &format!("{prefix}-scope-removed"),
                            Level::Breaking,
                            operation,
                            location,
                            format!("the scope `{scope}` of `{scheme}` is no longer required"),
                        );
                    }
                    for scope in new_scopes.difference(old_scopes) {
                        self.push(
                            &format!("{prefix}-scope-added"),
                            Level::Breaking,
                            operation,
                            location,
                            format!("the scope `{scope}` of `{scheme}` is now required"),
                        );
                    }
                }
            }
        }
        for scheme in new_schemes.keys() {
            if !old_schemes.contains_key(scheme) {
                self.push(
                    &format!("{prefix}-added"),
                    Level::Breaking,
                    operation,
                    location,
                    format!("the security requirement `{scheme}` was added"),
                );
            }
        }
        let optional = |requirements: &[SecurityRequirement]| {
            requirements
                .iter()
                .any(|requirement| requirement.is_empty())
        };
        if optional(old) && !optional(new) && !old.is_empty() {
            self.push(
                &format!("{prefix}-became-required"),
                Level::Breaking,
                operation,
                location,
                "authentication is now required",
            );
        }
    }
}

/// (kind, format) for comparing types; compositions and references are handled elsewhere.
fn type_of(schema: &Schema) -> (&'static str, Option<String>) {
    let format = match &schema.kind {
        SchemaKind::Integer(number) | SchemaKind::Number(number) => number.format.clone(),
        SchemaKind::String(string) => string.format.clone(),
        _ => None,
    };
    (schema.kind.type_name(), format)
}

fn describe((kind, format): &(&'static str, Option<String>)) -> String {
    match format {
        Some(format) => format!("{kind} ({format})"),
        None => (*kind).to_owned(),
    }
}

/// The parts of a composition and its kind (`oneOf`, `anyOf`, `allOf`).
fn composition(schema: &Schema) -> (Vec<Schema>, Option<&'static str>) {
    match &schema.kind {
        SchemaKind::OneOf(union) => (union.variants.clone(), Some("oneOf")),
        SchemaKind::AnyOf(union) => (union.variants.clone(), Some("anyOf")),
        SchemaKind::AllOf(parts) => (parts.clone(), Some("allOf")),
        _ => (Vec::new(), None),
    }
}

fn discriminator(schema: &Schema) -> Option<&str> {
    match &schema.kind {
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => union
            .discriminator
            .as_ref()
            .map(|d| d.property_name.as_str()),
        _ => None,
    }
}

fn list(ids: &[&String]) -> String {
    ids.iter()
        .map(|id| format!("`{}`", id.trim_start_matches('#')))
        .collect::<Vec<_>>()
        .join(", ")
}

fn values(values: &[&Value]) -> String {
    values
        .iter()
        .map(|value| value.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn points_text(operation: &Operation) -> String {
    let (base, max) = (operation.cost.base_points(), operation.cost.max_points());
    if base == max {
        base.to_string()
    } else {
        format!("{base}-{max}")
    }
}

/// Whether an ISO date or an HTTP date lies in the future (unparsable dates are not).
fn is_future(date: &str) -> bool {
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() / 86_400)
        .unwrap_or(0);
    let digits: Vec<u64> = date
        .get(..10)
        .unwrap_or("")
        .split('-')
        .filter_map(|part| part.parse().ok())
        .collect();
    match digits.as_slice() {
        [year, month, day] => days_from_civil(*year, *month, *day) > today,
        _ => false,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 {
        year.saturating_sub(1)
    } else {
        year
    };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day.saturating_sub(1);
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_do_not_matter_for_matching() {
        assert_eq!(path_key("/tasks/{task_id}/x"), path_key("/tasks/{id}/x"));
        assert_ne!(path_key("/tasks/{id}"), path_key("/task/{id}"));
    }

    #[test]
    fn civil_days_match_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert!(is_future("2999-01-01"));
        assert!(!is_future("2001-01-01"));
        assert!(!is_future("soon"));
    }
}
