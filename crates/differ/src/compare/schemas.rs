//! Schemas, compared structurally and in their direction: nullability, compositions and
//! discriminators, types, the values a schema allows, defaults, constraints, properties,
//! items. References are followed with the model's resolver; a named pair met again below
//! itself is a recursion and stops there.
//!
//! The values a schema allows are computed through references and compositions: `enum`
//! beside `allOf`/`oneOf` is an intersection, and a union of constants is an enumeration. So a
//! response that pins `{"enum": [1], "allOf": [{"$ref": "Types"}]}` does not change when
//! `Types` gains a value, and a `oneOf` of constants that gains one reports the value (with its
//! title), not an anonymous variant.

use sdkgen_model::{
    AdditionalProperties, Api, NumberConstraints, ObjectSchema, Schema, SchemaKind,
};
use serde_json::Value;

use super::{Context, Differ, Direction, Frame, Pending};
use crate::rules::{Bound, BoundChange, Fixed, SchemaChange};

/// How many times one named pair is compared below one body or parameter.
const MAX_VISITS_PER_ROOT: usize = 32;

/// How deep [`allowed_values`] follows references and compositions.
const MAX_DEPTH: usize = 32;

/// One allowed value, with the name a document gave it (the title of a constant variant).
#[derive(Debug, Clone, PartialEq)]
struct AllowedValue {
    value: Value,
    name: Option<String>,
}

/// The values a schema allows when they are a finite list (`None` when unrestricted).
fn allowed_values(api: &Api, schema: &Schema, depth: usize) -> Option<Vec<AllowedValue>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let own: Option<Vec<AllowedValue>> = (!schema.enumeration.is_empty()).then(|| {
        let name = if schema.enumeration.len() == 1 {
            schema.title.clone()
        } else {
            None
        };
        schema
            .enumeration
            .iter()
            .map(|value| AllowedValue {
                value: value.clone(),
                name: name.clone(),
            })
            .collect()
    });
    let inner: Option<Vec<AllowedValue>> = match &schema.kind {
        // One hop at a time: a named alias may pin values of its own on the way.
        SchemaKind::Ref(name) => api
            .schema(name)
            .and_then(|named| allowed_values(api, &named.schema, depth + 1)),
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => {
            let mut union_values: Vec<AllowedValue> = Vec::new();
            for variant in &union.variants {
                for value in allowed_values(api, variant, depth + 1)? {
                    if !union_values.iter().any(|seen| seen.value == value.value) {
                        union_values.push(value);
                    }
                }
            }
            Some(union_values)
        }
        SchemaKind::AllOf(parts) => {
            let mut intersection: Option<Vec<AllowedValue>> = None;
            for part in parts {
                if let Some(values) = allowed_values(api, part, depth + 1) {
                    intersection = Some(match intersection {
                        None => values,
                        Some(so_far) => so_far
                            .into_iter()
                            .filter(|value| values.iter().any(|other| other.value == value.value))
                            .collect(),
                    });
                }
            }
            intersection
        }
        _ => None,
    };
    match (own, inner) {
        // An enum beside a reference or composition: only values both allow, named by the
        // inner schema when it names them.
        (Some(own), Some(inner)) => Some(
            own.into_iter()
                .filter_map(|value| {
                    inner
                        .iter()
                        .find(|other| other.value == value.value)
                        .map(|other| AllowedValue {
                            value: value.value,
                            name: other.name.clone().or(value.name),
                        })
                })
                .collect(),
        ),
        (own, inner) => own.or(inner),
    }
}

/// A value as people read it: `19 (Windows)`, `"open"`.
fn value_text(value: &AllowedValue) -> String {
    match &value.name {
        Some(name) => format!("{} (`{name}`)", value.value),
        None => value.value.to_string(),
    }
}

fn values_text(values: &[&AllowedValue]) -> String {
    values
        .iter()
        .map(|value| value_text(value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `x-extensible-enum`: values a server may send, with more to come.
fn extensible_enum(schema: &Schema) -> Option<&Vec<Value>> {
    schema
        .extensions
        .get("x-extensible-enum")
        .and_then(Value::as_array)
}

/// A reference with nothing beside it that changes what it allows.
fn bare(schema: &Schema) -> bool {
    schema.enumeration.is_empty() && !schema.nullable && schema.default.is_none()
}

fn is_composition(schema: &Schema) -> bool {
    matches!(
        schema.kind,
        SchemaKind::OneOf(_) | SchemaKind::AnyOf(_) | SchemaKind::AllOf(_)
    )
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

/// How a type change is judged: generalized (every old value still valid, which a request
/// may do), specialized (every new value valid before, which a response may do), or changed.
fn type_change(
    old: &(&'static str, Option<String>),
    new: &(&'static str, Option<String>),
    direction: Direction,
) -> SchemaChange {
    let request = direction != Direction::Response;
    let widening = |from: &(&'static str, Option<String>), to: &(&'static str, Option<String>)| {
        to.0 == "any"
            || (from.0 == "integer"
                && to.0 == "number"
                && matches!(to.1.as_deref(), None | Some("double")))
    };
    if request && widening(old, new) {
        SchemaChange::TypeGeneralized
    } else if !request && widening(new, old) {
        SchemaChange::TypeSpecialized
    } else {
        SchemaChange::TypeChanged
    }
}

/// The parts of a composition and its kind (`oneOf`, `anyOf`, `allOf`).
fn composition(schema: &Schema) -> (&[Schema], Option<&'static str>) {
    match &schema.kind {
        SchemaKind::OneOf(union) => (&union.variants, Some("oneOf")),
        SchemaKind::AnyOf(union) => (&union.variants, Some("anyOf")),
        SchemaKind::AllOf(parts) => (parts, Some("allOf")),
        _ => (&[], None),
    }
}

fn discriminator(schema: &Schema) -> Option<&sdkgen_model::Discriminator> {
    match &schema.kind {
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => union.discriminator.as_ref(),
        _ => None,
    }
}

/// How a part of a composition is matched across versions and named in messages: by the
/// component it references, its title, its constant value, or else its type and its rank
/// among the parts of that type (`object #2`), which survives parts of other types being
/// added or removed.
fn identities(api: &Api, parts: &[Schema]) -> Vec<(String, String)> {
    let mut identities = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        let resolved = api.resolve(part).unwrap_or(part);
        let identity = if let Some(name) = part.ref_name() {
            (format!("#{name}"), format!("`{name}`"))
        } else if let Some(title) = &part.title {
            (format!("title:{title}"), format!("`{title}`"))
        } else if let [value] = part.enumeration.as_slice() {
            (format!("const:{value}"), value.to_string())
        } else {
            let kind = resolved.kind.type_name();
            let rank = parts[..index]
                .iter()
                .filter(|earlier| {
                    earlier.ref_name().is_none()
                        && earlier.title.is_none()
                        && earlier.enumeration.len() != 1
                        && api.resolve(earlier).unwrap_or(earlier).kind.type_name() == kind
                })
                .count()
                + 1;
            (format!("{kind}:{rank}"), format!("{kind} #{rank}"))
        };
        identities.push(identity);
    }
    identities
}

fn names(ids: &[&(String, String)]) -> String {
    ids.iter()
        .map(|(_, display)| display.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Differ<'_> {
    /// Compares the schemas at the root of a body or parameter.
    pub(super) fn schema_root(&mut self, old: &Schema, new: &Schema, context: &Context) {
        self.ancestors.clear();
        self.pending.clear();
        self.visits.clear();
        self.truncated = false;
        self.schema(old, new, context);
    }

    /// Compares two schemas, through a named pair when both are references.
    ///
    /// A named pair compared completely without a finding gives none wherever else it is used,
    /// so it is remembered as clean and skipped next time; a pair with findings is compared
    /// again at every use, so that they are reported under every place. A pair met again
    /// below itself is a recursion and stops there; the pairs below that depend on it are
    /// known clean only once it is (so recursive components are not walked again and again).
    fn schema(&mut self, old: &Schema, new: &Schema, context: &Context) {
        let named = match (old.ref_name(), new.ref_name()) {
            (Some(old_name), Some(new_name)) => Some((old_name.to_owned(), new_name.to_owned())),
            _ => None,
        };
        let Some(pair) = named else {
            self.compare(old, new, context);
            return;
        };
        if let Some(depth) = self.ancestors.iter().position(|frame| frame.pair == pair) {
            // Recursion: this pair is being compared further up.
            if let Some(top) = self.ancestors.last_mut() {
                top.low = top.low.min(depth);
            }
            return;
        }
        // Only a bare reference stands for its component alone: one that pins values or
        // adds `null` or a default beside the `$ref` is compared on its own every time.
        let clean_key =
            (bare(old) && bare(new)).then(|| (pair.0.clone(), pair.1.clone(), context.direction));
        if let Some(key) = &clean_key {
            if self.clean.contains(key) {
                return;
            }
            // Clean as long as the pair further up it came back to is: that pair is still
            // being compared, so this one depends on it like a recursion does.
            if let Some(pending) = self.pending.iter().find(|pending| &pending.key == key) {
                let low = pending.low;
                if let Some(top) = self.ancestors.last_mut() {
                    top.low = top.low.min(low);
                }
                return;
            }
        }
        // A pair with findings is compared again at each place that uses it, up to a bound
        // per body: components that all reference each other have more paths than can be
        // walked, and the first places already say what changed.
        let visits = self.visits.entry(pair.clone()).or_insert(0);
        *visits += 1;
        if *visits > MAX_VISITS_PER_ROOT {
            // What this walk would have found is unknown: nothing above is known clean.
            self.truncated = true;
            return;
        }
        let changes = self.changes.len();
        let depth = self.ancestors.len();
        self.ancestors.push(Frame { pair, low: depth });
        self.compare(old, new, context);
        let low = self.ancestors.pop().map_or(depth, |frame| frame.low);
        if let Some(parent) = self.ancestors.last_mut() {
            parent.low = parent.low.min(low);
        }
        if self.changes.len() != changes || self.truncated {
            // Nothing below is known clean: what it depended on gave findings.
            self.pending.retain(|pending| pending.depth <= depth);
        } else if low >= depth {
            // Clean, and every recursion below came back to this pair or below it: this
            // pair and the pairs that waited on it are clean.
            let mut settled = Vec::new();
            self.pending.retain(|pending| {
                let waiting = pending.depth > depth;
                if waiting {
                    settled.push(pending.key.clone());
                }
                !waiting
            });
            self.clean.extend(settled);
            self.clean.extend(clean_key);
        } else {
            // Clean if the pair further up that it came back to turns out clean; the pairs
            // that waited on this one now wait on that one, at this depth.
            for pending in self
                .pending
                .iter_mut()
                .filter(|pending| pending.depth > depth)
            {
                pending.depth = depth;
                pending.low = pending.low.min(low);
            }
            if let Some(key) = clean_key {
                self.pending.push(Pending { depth, low, key });
            }
        }
    }

    fn compare(&mut self, old: &Schema, new: &Schema, context: &Context) {
        let (old_api, new_api) = (self.old, self.new);
        let old_resolved = old_api.resolve(old).unwrap_or(old);
        let new_resolved = new_api.resolve(new).unwrap_or(new);
        let what = context.what();
        let direction = context.direction;

        // Nullability.
        let old_nullable = old.nullable || old_resolved.nullable;
        let new_nullable = new.nullable || new_resolved.nullable;
        if old_nullable != new_nullable {
            let (change, message) = if new_nullable {
                (
                    SchemaChange::BecameNullable,
                    format!("the {what} may now be null"),
                )
            } else {
                (
                    SchemaChange::BecameNotNullable,
                    format!("the {what} may no longer be null"),
                )
            };
            self.push_schema(change, context, message);
        }

        // When both sides allow a finite list of values, those values are what can change:
        // compositions of constants and pinned references are compared as enumerations.
        let old_values = allowed_values(old_api, old, 0);
        let new_values = allowed_values(new_api, new, 0);
        let enumerated = old_values.is_some() && new_values.is_some();

        if !enumerated && self.compositions((old, old_resolved), (new, new_resolved), context) {
            return;
        }

        // Type and format (for enumerations of compositions, the values say it all).
        let skip_type =
            enumerated && (is_composition(old_resolved) || is_composition(new_resolved));
        let old_type = type_of(old_resolved);
        let new_type = type_of(new_resolved);
        if !skip_type && old_type != new_type {
            self.push_schema(
                type_change(&old_type, &new_type, direction),
                context,
                format!(
                    "the type of the {what} changed from {} to {}",
                    describe(&old_type),
                    describe(&new_type)
                ),
            );
            return;
        }

        self.enumerations(old_values.as_deref(), new_values.as_deref(), context);
        self.extensible_enumerations(old_resolved, new_resolved, context);

        // Defaults.
        let default = match (
            old.default.as_ref().or(old_resolved.default.as_ref()),
            new.default.as_ref().or(new_resolved.default.as_ref()),
        ) {
            (Some(old_default), Some(new_default)) if old_default != new_default => Some((
                SchemaChange::DefaultValueChanged,
                format!("the default of the {what} changed from {old_default} to {new_default}"),
            )),
            (None, Some(new_default)) => Some((
                SchemaChange::DefaultValueAdded,
                format!("the {what} now defaults to {new_default}"),
            )),
            (Some(old_default), None) => Some((
                SchemaChange::DefaultValueRemoved,
                format!("the {what} no longer defaults to {old_default}"),
            )),
            _ => None,
        };
        if let Some((change, message)) = default {
            self.push_schema(change, context, message);
        }

        self.constraints(old_resolved, new_resolved, context);

        match (&old_resolved.kind, &new_resolved.kind) {
            (SchemaKind::Array(old_array), SchemaKind::Array(new_array)) => {
                self.schema(&old_array.items, &new_array.items, &context.child("items"));
            }
            (SchemaKind::Object(old_object), SchemaKind::Object(new_object)) => {
                self.properties(old_object, new_object, context);
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
                    );
                }
            }
            _ => {}
        }
    }

    fn properties(&mut self, old: &ObjectSchema, new: &ObjectSchema, context: &Context) {
        let operation = context.operation.as_deref();
        let direction = context.direction;
        // Read-only properties are not sent by clients; write-only ones not by servers.
        let relevant = |schema: &Schema| match direction {
            Direction::Response => !schema.write_only,
            _ => !schema.read_only,
        };
        // A closed schema rejects what it does not declare: removing a property from it
        // makes clients that still send the property fail.
        let closed = new.additional_properties == AdditionalProperties::Forbidden;
        for (name, old_property) in &old.properties {
            let child = context.child(name);
            let location = child.location();
            let Some(new_property) = new.properties.get(name) else {
                if !relevant(old_property) {
                    continue;
                }
                let rule = match (direction, old.is_required(name), closed) {
                    (Direction::Response, true, _) => Fixed::ResponseRequiredPropertyRemoved,
                    (Direction::Response, false, _) => Fixed::ResponseOptionalPropertyRemoved,
                    (Direction::Parameter, _, false) => Fixed::ParameterPropertyRemoved,
                    (Direction::Parameter, _, true) => Fixed::ParameterClosedPropertyRemoved,
                    (Direction::Request, _, false) => Fixed::RequestPropertyRemoved,
                    (Direction::Request, _, true) => Fixed::RequestClosedPropertyRemoved,
                };
                let closed_note = if closed && direction != Direction::Response {
                    ", which no longer accepts undeclared properties"
                } else {
                    ""
                };
                self.push(
                    rule,
                    operation,
                    location,
                    format!(
                        "the property `{name}` was removed from the {}{closed_note}",
                        context.what()
                    ),
                );
                continue;
            };
            if relevant(new_property) {
                let rule = match (old.is_required(name), new.is_required(name), direction) {
                    (false, true, Direction::Response) => Some((
                        Fixed::ResponsePropertyBecameRequired,
                        format!("`{name}` is now always sent"),
                    )),
                    (true, false, Direction::Response) => Some((
                        Fixed::ResponsePropertyBecameOptional,
                        format!("`{name}` may now be absent"),
                    )),
                    (false, true, _) => Some((
                        Fixed::RequestPropertyBecameRequired,
                        format!("`{name}` is now required"),
                    )),
                    (true, false, _) => Some((
                        Fixed::RequestPropertyBecameOptional,
                        format!("`{name}` is now optional"),
                    )),
                    _ => None,
                };
                if let Some((rule, message)) = rule {
                    self.push(rule, operation, location.clone(), message);
                }
            }
            self.schema(old_property, new_property, &child);
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
                    Fixed::ResponseRequiredPropertyAdded,
                    operation,
                    location,
                    message,
                ),
                (Direction::Response, false) => self.push(
                    Fixed::ResponseOptionalPropertyAdded,
                    operation,
                    location,
                    message,
                ),
                (_, true) => {
                    self.push(
                        Fixed::NewRequiredRequestProperty,
                        operation,
                        location.clone(),
                        message.clone(),
                    );
                    if new_property.default.is_some() {
                        self.push(
                            Fixed::NewRequiredRequestPropertyWithDefault,
                            operation,
                            location,
                            format!("{message}, with a default"),
                        );
                    }
                }
                (_, false) => self.push(
                    Fixed::NewOptionalRequestProperty,
                    operation,
                    location,
                    message,
                ),
            }
        }
    }

    /// oneOf, anyOf, allOf and discriminators. Returns true when either side is a
    /// composition (and so has been compared here).
    fn compositions(
        &mut self,
        (old_written, old): (&Schema, &Schema),
        (new_written, new): (&Schema, &Schema),
        context: &Context,
    ) -> bool {
        let what = context.what();
        let (old_parts, old_kind) = composition(old);
        let (new_parts, new_kind) = composition(new);
        if old_kind.is_none() && new_kind.is_none() {
            return false;
        }
        // A plain schema on one side is a composition of one part (a collapsed `allOf: [X]`).
        let old_parts = if old_kind.is_none() {
            std::slice::from_ref(old_written)
        } else {
            old_parts
        };
        let new_parts = if new_kind.is_none() {
            std::slice::from_ref(new_written)
        } else {
            new_parts
        };
        if let (Some(old_kind), Some(new_kind)) = (old_kind, new_kind)
            && old_kind != new_kind
        {
            self.push_schema(
                SchemaChange::TypeChanged,
                context,
                format!("the {what} changed from {old_kind} to {new_kind}"),
            );
            return true;
        }
        let kind = new_kind.or(old_kind).unwrap_or("oneOf");
        let old_ids = identities(self.old, old_parts);
        let new_ids = identities(self.new, new_parts);
        let added: Vec<&(String, String)> = new_ids
            .iter()
            .filter(|id| !old_ids.iter().any(|old| old.0 == id.0))
            .collect();
        let removed: Vec<&(String, String)> = old_ids
            .iter()
            .filter(|id| !new_ids.iter().any(|new| new.0 == id.0))
            .collect();
        let (added_change, removed_change) = match kind {
            "allOf" => (SchemaChange::AllOfAdded, SchemaChange::AllOfRemoved),
            "anyOf" => (SchemaChange::AnyOfAdded, SchemaChange::AnyOfRemoved),
            _ => (SchemaChange::OneOfAdded, SchemaChange::OneOfRemoved),
        };
        if !added.is_empty() {
            self.push_schema(
                added_change,
                context,
                format!("{kind} of the {what} gained {}", names(&added)),
            );
        }
        if !removed.is_empty() {
            self.push_schema(
                removed_change,
                context,
                format!("{kind} of the {what} lost {}", names(&removed)),
            );
        }
        self.discriminators(discriminator(old), discriminator(new), context);
        // Parts present on both sides are compared in depth, each under its own name.
        let label_variants = old_parts.len() > 1 || new_parts.len() > 1;
        for (old_index, old_id) in old_ids.iter().enumerate() {
            if let Some(new_index) = new_ids.iter().position(|id| id.0 == old_id.0) {
                let inner = if label_variants {
                    context.variant(kind, &new_ids[new_index].1)
                } else {
                    context.clone()
                };
                self.schema(&old_parts[old_index], &new_parts[new_index], &inner);
            }
        }
        true
    }

    fn discriminators(
        &mut self,
        old: Option<&sdkgen_model::Discriminator>,
        new: Option<&sdkgen_model::Discriminator>,
        context: &Context,
    ) {
        let what = context.what();
        match (old, new) {
            (None, Some(new)) => self.push_schema(
                SchemaChange::DiscriminatorAdded,
                context,
                format!("the {what} gained a discriminator `{}`", new.property_name),
            ),
            (Some(old), None) => self.push_schema(
                SchemaChange::DiscriminatorRemoved,
                context,
                format!("the {what} lost its discriminator `{}`", old.property_name),
            ),
            (Some(old), Some(new)) => {
                if old.property_name != new.property_name {
                    self.push_schema(
                        SchemaChange::DiscriminatorPropertyNameChanged,
                        context,
                        format!(
                            "the discriminator of the {what} changed from `{}` to `{}`",
                            old.property_name, new.property_name
                        ),
                    );
                }
                for (value, old_target) in &old.mapping {
                    match new.mapping.get(value) {
                        None => self.push_schema(
                            SchemaChange::DiscriminatorMappingRemoved,
                            context,
                            format!("the discriminator value `{value}` of the {what} is no longer mapped"),
                        ),
                        Some(new_target) if new_target != old_target => self.push_schema(
                            SchemaChange::DiscriminatorMappingChanged,
                            context,
                            format!(
                                "the discriminator value `{value}` of the {what} now maps to `{new_target}` instead of `{old_target}`"
                            ),
                        ),
                        Some(_) => {}
                    }
                }
                for value in new.mapping.keys() {
                    if !old.mapping.contains_key(value) {
                        self.push_schema(
                            SchemaChange::DiscriminatorMappingAdded,
                            context,
                            format!("the discriminator of the {what} maps a new value `{value}`"),
                        );
                    }
                }
            }
            (None, None) => {}
        }
    }

    fn enumerations(
        &mut self,
        old: Option<&[AllowedValue]>,
        new: Option<&[AllowedValue]>,
        context: &Context,
    ) {
        let what = context.what();
        let (old, new) = match (old, new) {
            (None, None) => return,
            (None, Some(_)) => {
                self.push_schema(
                    SchemaChange::BecameEnum,
                    context,
                    format!("the {what} now lists its allowed values"),
                );
                return;
            }
            (Some(_), None) => {
                self.push_schema(
                    SchemaChange::EnumRemoved,
                    context,
                    format!("the {what} no longer lists its values"),
                );
                return;
            }
            (Some(old), Some(new)) => (old, new),
        };
        // A one-value enum on both sides is a `const`.
        if let ([old_value], [new_value]) = (old, new) {
            if old_value.value != new_value.value {
                self.push_schema(
                    SchemaChange::ConstChanged,
                    context,
                    format!(
                        "the constant value of the {what} changed from {} to {}",
                        value_text(old_value),
                        value_text(new_value)
                    ),
                );
            }
            return;
        }
        let added: Vec<&AllowedValue> = new
            .iter()
            .filter(|value| !old.iter().any(|other| other.value == value.value))
            .collect();
        let removed: Vec<&AllowedValue> = old
            .iter()
            .filter(|value| !new.iter().any(|other| other.value == value.value))
            .collect();
        if !added.is_empty() {
            self.push_schema(
                SchemaChange::EnumValueAdded,
                context,
                format!("the {what} gained the value(s) {}", values_text(&added)),
            );
        }
        if !removed.is_empty() {
            self.push_schema(
                SchemaChange::EnumValueRemoved,
                context,
                format!("the {what} lost the value(s) {}", values_text(&removed)),
            );
        }
    }

    fn extensible_enumerations(&mut self, old: &Schema, new: &Schema, context: &Context) {
        let (Some(old), Some(new)) = (extensible_enum(old), extensible_enum(new)) else {
            return;
        };
        let what = context.what();
        let list = |values: Vec<&Value>| {
            values
                .iter()
                .map(|value| value.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let added: Vec<&Value> = new.iter().filter(|value| !old.contains(value)).collect();
        let removed: Vec<&Value> = old.iter().filter(|value| !new.contains(value)).collect();
        if !added.is_empty() {
            self.push_schema(
                SchemaChange::ExtensibleEnumValueAdded,
                context,
                format!("the extensible enum of the {what} gained {}", list(added)),
            );
        }
        if !removed.is_empty() {
            self.push_schema(
                SchemaChange::ExtensibleEnumValueRemoved,
                context,
                format!("the extensible enum of the {what} lost {}", list(removed)),
            );
        }
    }

    fn bound(&mut self, bound: Bound, old: Option<f64>, new: Option<f64>, context: &Context) {
        let what = context.what();
        let name = bound.name();
        let (change, message) = match (old, new) {
            (None, Some(value)) => (
                BoundChange::Set,
                format!("the {what} now has a {name} of {value}"),
            ),
            (Some(_), None) => (
                BoundChange::Removed,
                format!("the {what} no longer has a {name}"),
            ),
            (Some(old), Some(new)) if old != new => (
                if new > old {
                    BoundChange::Increased
                } else {
                    BoundChange::Decreased
                },
                format!("the {name} of the {what} went from {old} to {new}"),
            ),
            _ => return,
        };
        self.push_schema(SchemaChange::Bound(bound, change), context, message);
    }

    fn constraints(&mut self, old: &Schema, new: &Schema, context: &Context) {
        let what = context.what();
        match (&old.kind, &new.kind) {
            (
                SchemaKind::Integer(old_number) | SchemaKind::Number(old_number),
                SchemaKind::Integer(new_number) | SchemaKind::Number(new_number),
            ) => {
                let maximum =
                    |number: &NumberConstraints| number.maximum.or(number.exclusive_maximum);
                let minimum =
                    |number: &NumberConstraints| number.minimum.or(number.exclusive_minimum);
                self.bound(
                    Bound::Max,
                    maximum(old_number),
                    maximum(new_number),
                    context,
                );
                self.bound(
                    Bound::Min,
                    minimum(old_number),
                    minimum(new_number),
                    context,
                );
            }
            (SchemaKind::String(old_string), SchemaKind::String(new_string)) => {
                let length = |value: Option<u64>| value.map(|n| n as f64);
                self.bound(
                    Bound::MaxLength,
                    length(old_string.max_length),
                    length(new_string.max_length),
                    context,
                );
                self.bound(
                    Bound::MinLength,
                    length(old_string.min_length),
                    length(new_string.min_length),
                    context,
                );
                let pattern = match (&old_string.pattern, &new_string.pattern) {
                    (None, Some(pattern)) => Some((
                        SchemaChange::PatternAdded,
                        format!("the {what} must now match `{pattern}`"),
                    )),
                    (Some(pattern), None) => Some((
                        SchemaChange::PatternRemoved,
                        format!("the {what} no longer has to match `{pattern}`"),
                    )),
                    (Some(old_pattern), Some(new_pattern)) if old_pattern != new_pattern => Some((
                        SchemaChange::PatternChanged,
                        format!(
                            "the pattern of the {what} changed from `{old_pattern}` to `{new_pattern}`"
                        ),
                    )),
                    _ => None,
                };
                if let Some((change, message)) = pattern {
                    self.push_schema(change, context, message);
                }
            }
            (SchemaKind::Array(old_array), SchemaKind::Array(new_array)) => {
                let count = |value: Option<u64>| value.map(|n| n as f64);
                self.bound(
                    Bound::MaxItems,
                    count(old_array.max_items),
                    count(new_array.max_items),
                    context,
                );
                self.bound(
                    Bound::MinItems,
                    count(old_array.min_items),
                    count(new_array.min_items),
                    context,
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constant(value: Value, title: &str) -> Schema {
        Schema {
            enumeration: vec![value],
            title: Some(title.to_owned()),
            ..Schema::new(SchemaKind::Integer(NumberConstraints::default()))
        }
    }

    fn empty_api() -> Api {
        Api {
            title: String::new(),
            version: String::new(),
            description: None,
            openapi_version: "3.1.0".into(),
            servers: Vec::new(),
            operations: Vec::new(),
            webhooks: Vec::new(),
            schemas: Default::default(),
            security_schemes: Default::default(),
            security: Vec::new(),
            extensions: Default::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn an_enum_beside_a_union_of_constants_is_their_intersection() {
        let api = empty_api();
        let union = Schema::new(SchemaKind::OneOf(sdkgen_model::UnionSchema {
            variants: vec![
                constant(Value::from(1), "Linux"),
                constant(Value::from(2), "Windows"),
            ],
            discriminator: None,
        }));
        let all = allowed_values(&api, &union, 0).unwrap_or_default();
        assert_eq!(
            all.iter().map(value_text).collect::<Vec<_>>(),
            ["1 (`Linux`)", "2 (`Windows`)"]
        );
        let pinned = Schema {
            enumeration: vec![Value::from(2), Value::from(3)],
            ..union
        };
        let values = allowed_values(&api, &pinned, 0).unwrap_or_default();
        assert_eq!(
            values.iter().map(value_text).collect::<Vec<_>>(),
            ["2 (`Windows`)"]
        );
        assert_eq!(
            allowed_values(&api, &Schema::new(SchemaKind::Any), 0),
            None,
            "unrestricted"
        );
    }

    #[test]
    fn type_changes_are_judged_by_direction() {
        let integer = ("integer", None);
        let number = ("number", None);
        assert_eq!(
            type_change(&integer, &number, Direction::Request),
            SchemaChange::TypeGeneralized
        );
        assert_eq!(
            type_change(&integer, &number, Direction::Response),
            SchemaChange::TypeChanged
        );
        assert_eq!(
            type_change(&number, &integer, Direction::Response),
            SchemaChange::TypeSpecialized
        );
        assert_eq!(
            type_change(&("any", None), &("string", None), Direction::Response),
            SchemaChange::TypeSpecialized
        );
        assert_eq!(
            type_change(
                &integer,
                &("number", Some("float".into())),
                Direction::Parameter
            ),
            SchemaChange::TypeChanged,
            "a float cannot hold every integer"
        );
    }
}
