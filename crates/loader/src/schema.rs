//! Lowering schemas: JSON Schema (OpenAPI 3.0 and 3.1 dialects) into [`Schema`], hoisting
//! inline objects, enums and unions into named schemas.
//!
//! Normalisations, so that consumers see one shape whatever the dialect:
//! - `nullable: true` (3.0), `type: [T, "null"]` (3.1) and a `null` branch of `oneOf`/`anyOf`
//!   all become [`Schema::nullable`];
//! - `const: V` becomes a one-value enum, 3.1 `examples` its first example;
//! - 3.0's boolean `exclusiveMinimum` next to `minimum` becomes 3.1's numeric form;
//! - `allOf: [X]` with one part (the usual way to put a description next to a `$ref` in 3.0)
//!   becomes `X` with the outer annotations;
//! - `$ref` keeps its sibling annotations (3.1 allows them; 3.0 documents use them anyway).

use std::collections::{HashMap, HashSet};

use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use sdkgen_model::{
    AdditionalProperties, ArraySchema, Discriminator, NamedSchema, NumberConstraints, ObjectSchema,
    Schema, SchemaKind, SchemaOrigin, StringConstraints, UnionSchema, json_kind,
};
use serde_json::{Map, Value};

use crate::error::{LoadError, Result, escape};
use crate::source::{Documents, Target};

/// The most `$ref` hops followed for one non-schema reference before giving up on a cycle.
pub(crate) const MAX_REF_HOPS: usize = 64;

/// JSON Schema keywords that constrain or shape values and that the model has no place for:
/// a document using them gets a warning at each use, since its types say less than it does.
const UNMODELLED_KEYWORDS: &[&str] = &[
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "dependentSchemas",
    "dependentRequired",
    "prefixItems",
    "contains",
    "unevaluatedItems",
    "if",
    "then",
    "else",
    "$dynamicRef",
    "$recursiveRef",
];

/// Lowers schemas and keeps the named ones.
pub(crate) struct SchemaLowering<'d> {
    pub documents: &'d Documents,
    /// Named schemas in registration order; `None` until lowered.
    named: IndexMap<String, Option<NamedSchema>>,
    /// (document, pointer) of a referenced schema -> its name.
    names_by_target: HashMap<(usize, String), String>,
    /// Upper-camel-case forms of every name taken, so hoisted names never clash with others
    /// after case conversion.
    taken: HashSet<String>,
    /// Referenced schemas registered but not lowered yet.
    pending: Vec<(String, usize, String)>,
}

/// Whether a schema position may be hoisted into a named schema.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// The schema being lowered is itself a named schema.
    Named,
    /// An inline position: objects, enums and unions found here are hoisted.
    Inline,
}

impl<'d> SchemaLowering<'d> {
    pub fn new(documents: &'d Documents) -> Self {
        SchemaLowering {
            documents,
            named: IndexMap::new(),
            names_by_target: HashMap::new(),
            taken: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// Registers the root document's `components/schemas` under their own names, in order, so
    /// that they come first and keep their names.
    pub fn register_components(&mut self, components: &Map<String, Value>) {
        for name in components.keys() {
            let pointer = format!("/components/schemas/{}", escape(name));
            self.taken.insert(name.to_upper_camel_case());
            self.named.insert(name.clone(), None);
            self.names_by_target
                .insert((0, pointer.clone()), name.clone());
            self.pending.push((name.clone(), 0, pointer));
        }
    }

    /// Lowers every registered schema not lowered yet (lowering may register more).
    pub fn finish(mut self) -> Result<IndexMap<String, NamedSchema>> {
        while let Some((name, document, pointer)) = self.pending.pop() {
            let source = self.documents.get(document);
            let value = source.root.pointer(&pointer).ok_or_else(|| {
                self.documents
                    .error(document, &pointer, "the referenced schema does not exist")
            })?;
            let schema = self.lower(document, value, &pointer, &name, Position::Named)?;
            let origin = if document == 0 && is_component_pointer(&pointer) {
                SchemaOrigin::Component
            } else if document == 0 {
                SchemaOrigin::Inline { pointer }
            } else {
                SchemaOrigin::Component
            };
            self.named.insert(
                name.clone(),
                Some(NamedSchema {
                    name,
                    origin,
                    schema,
                }),
            );
        }
        Ok(self
            .named
            .into_iter()
            .filter_map(|(name, schema)| schema.map(|schema| (name, schema)))
            .collect())
    }

    /// Lowers a schema at an inline position of an operation, parameter or header. Objects,
    /// enums and unions are hoisted under `context` (upper-camel-cased, made unique).
    pub fn lower_inline(
        &mut self,
        document: usize,
        value: &Value,
        pointer: &str,
        context: &str,
    ) -> Result<Schema> {
        self.lower(document, value, pointer, context, Position::Inline)
    }

    fn lower(
        &mut self,
        document: usize,
        value: &Value,
        pointer: &str,
        context: &str,
        position: Position,
    ) -> Result<Schema> {
        let object = match value {
            Value::Object(object) => object,
            Value::Bool(true) => return Ok(Schema::new(SchemaKind::Any)),
            Value::Bool(false) => {
                return Ok(Schema::new(SchemaKind::Not(Box::new(Schema::new(
                    SchemaKind::Any,
                )))));
            }
            other => {
                return Err(self.error(
                    document,
                    pointer,
                    format!(
                        "a schema must be an object or a boolean, not {}",
                        json_kind(other)
                    ),
                ));
            }
        };
        if let Some(reference) = object.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| self.error(document, pointer, "`$ref` must be a string"))?;
            let name = self.reference(document, pointer, reference)?;
            let mut schema = Schema::reference(name);
            self.annotate(document, object, pointer, &mut schema)?;
            return Ok(schema);
        }
        // Hoisted schemas are lowered again as named ones: warn once, on the named pass.
        if position == Position::Named || !is_nominal(object) {
            for keyword in UNMODELLED_KEYWORDS {
                if object.contains_key(*keyword) {
                    self.documents.warn(
                        document,
                        &format!("{pointer}/{}", escape(keyword)),
                        format!(
                            "`{keyword}` is not modelled: the generated type does not check or \
                             express it"
                        ),
                    );
                }
            }
        }
        if position == Position::Inline && is_nominal(object) {
            let name = self.hoisted_name(context);
            self.named.insert(name.clone(), None);
            let schema = self.lower(document, value, pointer, &name, Position::Named)?;
            self.named.insert(
                name.clone(),
                Some(NamedSchema {
                    name: name.clone(),
                    origin: SchemaOrigin::Inline {
                        pointer: pointer.to_owned(),
                    },
                    schema,
                }),
            );
            return Ok(Schema::reference(name));
        }
        let mut schema = Schema::default();
        self.annotate(document, object, pointer, &mut schema)?;
        schema.kind = self.kind(document, object, pointer, context, &mut schema.nullable)?;
        // `allOf: [X]` and one-variant unions collapse into X, keeping the outer annotations.
        let single = match &mut schema.kind {
            SchemaKind::AllOf(parts) if parts.len() == 1 => parts.pop(),
            SchemaKind::OneOf(union) | SchemaKind::AnyOf(union)
                if union.variants.len() == 1 && union.discriminator.is_none() =>
            {
                union.variants.pop()
            }
            _ => None,
        };
        if let Some(inner) = single {
            schema = merge_annotations(schema, inner);
        }
        Ok(schema)
    }

    /// The name of the schema a `$ref` points to, registering it if new.
    fn reference(&mut self, document: usize, pointer: &str, reference: &str) -> Result<String> {
        let Target {
            document: target_document,
            pointer: target_pointer,
        } = self
            .documents
            .follow(document, pointer, reference)
            .map_err(|message| self.error(document, pointer, message))?;
        let key = (target_document, target_pointer.clone());
        if let Some(name) = self.names_by_target.get(&key) {
            return Ok(name.clone());
        }
        let target = self.documents.get(target_document);
        if target.root.pointer(&target_pointer).is_none() {
            return Err(self.error(
                document,
                pointer,
                format!("`$ref` {reference:?} points to nothing (dangling reference)"),
            ));
        }
        // A schema of another file, or at an unusual place: name it after its last pointer
        // token, or after the file when it is the whole file.
        let base = match target_pointer.rsplit('/').next() {
            Some(token) if !token.is_empty() => crate::error::unescape(token),
            _ => target
                .path
                .as_ref()
                .and_then(|path| path.file_stem())
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Schema".to_owned()),
        };
        let name = if target_document != 0 && !self.named.contains_key(&base) {
            self.taken.insert(base.to_upper_camel_case());
            base
        } else {
            self.hoisted_name(&base)
        };
        self.named.insert(name.clone(), None);
        self.names_by_target.insert(key, name.clone());
        self.pending
            .push((name.clone(), target_document, target_pointer));
        Ok(name)
    }

    /// A new unique upper-camel-case name made from a context.
    fn hoisted_name(&mut self, context: &str) -> String {
        let mut base = context.to_upper_camel_case();
        if base.is_empty() {
            base = "Schema".to_owned();
        }
        let mut name = base.clone();
        let mut suffix = 2;
        while self.taken.contains(&name) || self.named.contains_key(&name) {
            name = format!("{base}{suffix}");
            suffix += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    /// Reads the annotations that any schema may carry.
    fn annotate(
        &self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        schema: &mut Schema,
    ) -> Result<()> {
        let text = |key: &str| -> Result<Option<String>> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(self.error(
                    document,
                    &format!("{pointer}/{key}"),
                    format!("`{key}` must be a string, not {}", json_kind(other)),
                )),
            }
        };
        if let Some(title) = text("title")? {
            schema.title = Some(title);
        }
        if let Some(description) = text("description")? {
            schema.description = Some(description);
        }
        if let Some(default) = object.get("default") {
            schema.default = Some(default.clone());
        }
        if let Some(example) = object.get("example") {
            schema.example = Some(example.clone());
        } else if let Some(Value::Array(examples)) = object.get("examples") {
            schema.example = examples.first().cloned();
        }
        match object.get("enum") {
            None => {}
            Some(Value::Array(values)) => {
                // A `null` among the values is how 3.1 (and some 3.0 documents) allow null.
                for value in values {
                    if value.is_null() {
                        schema.nullable = true;
                    } else {
                        schema.enumeration.push(value.clone());
                    }
                }
            }
            Some(other) => {
                return Err(self.error(
                    document,
                    &format!("{pointer}/enum"),
                    format!("`enum` must be an array, not {}", json_kind(other)),
                ));
            }
        }
        if let Some(constant) = object.get("const") {
            schema.enumeration = vec![constant.clone()];
        }
        schema.nullable |= flag(object, "nullable");
        schema.read_only |= flag(object, "readOnly");
        schema.write_only |= flag(object, "writeOnly");
        schema.deprecated |= flag(object, "deprecated");
        for (key, value) in object {
            if key.starts_with("x-") {
                schema.extensions.insert(key.clone(), value.clone());
            }
        }
        Ok(())
    }

    /// Works out the kind of a schema that is not a reference.
    fn kind(
        &mut self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        context: &str,
        nullable: &mut bool,
    ) -> Result<SchemaKind> {
        let mut types = self.types(document, object, pointer)?;
        if types.iter().any(|name| name == "null") {
            *nullable = true;
            types.retain(|name| name != "null");
            if types.is_empty() && !has_composition(object) {
                return Ok(SchemaKind::Null);
            }
        }
        if types.is_empty() {
            types.extend(implied_type(object).map(str::to_owned));
        }
        let typed = match types.len() {
            0 => None,
            1 => Some(self.typed(document, object, pointer, context, &types[0])?),
            _ => {
                let mut variants = Vec::new();
                for name in &types {
                    variants.push(Schema::new(
                        self.typed(document, object, pointer, context, name)?,
                    ));
                }
                Some(SchemaKind::AnyOf(UnionSchema {
                    variants,
                    discriminator: None,
                }))
            }
        };

        let mut parts = Vec::new();
        if let Some(all_of) = object.get("allOf") {
            for (index, part) in self
                .list(document, pointer, "allOf", all_of)?
                .iter()
                .enumerate()
            {
                let part_pointer = format!("{pointer}/allOf/{index}");
                parts.push(
                    self.lower(
                        document,
                        part,
                        &part_pointer,
                        &part_label(part)
                            .map(|label| format!("{context} {label}"))
                            .unwrap_or_else(|| format!("{context} Part{}", index + 1)),
                        Position::Inline,
                    )?,
                );
            }
        }
        for (key, is_one_of) in [("oneOf", true), ("anyOf", false)] {
            let Some(variants_value) = object.get(key) else {
                continue;
            };
            let mut variants = Vec::new();
            for (index, variant) in self
                .list(document, pointer, key, variants_value)?
                .iter()
                .enumerate()
            {
                let variant_pointer = format!("{pointer}/{key}/{index}");
                let variant_context = variant_label(variant)
                    .map(|label| format!("{context} {label}"))
                    .unwrap_or_else(|| format!("{context} Variant{}", index + 1));
                let lowered = self.lower(
                    document,
                    variant,
                    &variant_pointer,
                    &variant_context,
                    Position::Inline,
                )?;
                if lowered.kind == SchemaKind::Null {
                    *nullable = true;
                } else {
                    variants.push(lowered);
                }
            }
            let discriminator = self.discriminator(document, object, pointer)?;
            let union = UnionSchema {
                variants,
                discriminator,
            };
            parts.push(Schema::new(if is_one_of {
                SchemaKind::OneOf(union)
            } else {
                SchemaKind::AnyOf(union)
            }));
        }
        if let Some(not) = object.get("not") {
            let not = self.lower(
                document,
                not,
                &format!("{pointer}/not"),
                &format!("{context} Not"),
                Position::Inline,
            )?;
            parts.push(Schema::new(SchemaKind::Not(Box::new(not))));
        }

        // Parts that only annotate (a title, a description) constrain nothing.
        parts.retain(|part| {
            !(part.kind == SchemaKind::Any && part.enumeration.is_empty() && !part.nullable)
        });
        // A bare `type: object` next to compositions only restates what the parts say; any
        // other type, or an object with properties, is a part of its own.
        let typed = match typed {
            Some(SchemaKind::Object(object_schema))
                if !parts.is_empty()
                    && object_schema.properties.is_empty()
                    && object_schema.additional_properties == AdditionalProperties::Unspecified =>
            {
                None
            }
            other => other,
        };
        match (typed, parts.len()) {
            (Some(kind), 0) => Ok(kind),
            (None, 0) => Ok(SchemaKind::Any),
            (None, 1) => Ok(parts.pop().map(|part| part.kind).unwrap_or_default()),
            (typed, _) => {
                parts.extend(typed.map(Schema::new));
                Ok(SchemaKind::AllOf(parts))
            }
        }
    }

    /// The declared type names (`type` as a string or an array of strings).
    fn types(
        &self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Vec<String>> {
        const KNOWN: [&str; 7] = [
            "string", "integer", "number", "boolean", "array", "object", "null",
        ];
        let names: Vec<&Value> = match object.get("type") {
            None => return Ok(Vec::new()),
            Some(Value::Array(names)) => names.iter().collect(),
            Some(name) => vec![name],
        };
        let mut types = Vec::new();
        for name in names {
            match name.as_str() {
                Some(name) if KNOWN.contains(&name) => types.push(name.to_owned()),
                // Swagger 2.0's `file` survives in some converted documents: it means bytes.
                Some("file") => types.push("file".to_owned()),
                _ => {
                    return Err(self.error(
                        document,
                        &format!("{pointer}/type"),
                        format!(
                            "`type` must be one of {} (or an array of them), not {name}",
                            KNOWN.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(types)
    }

    /// The kind for one type name, with its type-specific keywords.
    fn typed(
        &mut self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
        context: &str,
        type_name: &str,
    ) -> Result<SchemaKind> {
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
        let count = |key: &str| object.get(key).and_then(Value::as_u64);
        Ok(match type_name {
            "boolean" => SchemaKind::Boolean,
            "integer" | "number" => {
                let number = |key: &str| object.get(key).and_then(Value::as_f64);
                let mut constraints = NumberConstraints {
                    format: text("format"),
                    minimum: number("minimum"),
                    maximum: number("maximum"),
                    exclusive_minimum: number("exclusiveMinimum"),
                    exclusive_maximum: number("exclusiveMaximum"),
                    multiple_of: number("multipleOf"),
                };
                // 3.0: `exclusiveMinimum: true` makes `minimum` exclusive.
                if object.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
                    constraints.exclusive_minimum = constraints.minimum.take();
                }
                if object.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
                    constraints.exclusive_maximum = constraints.maximum.take();
                }
                if type_name == "integer" {
                    SchemaKind::Integer(constraints)
                } else {
                    SchemaKind::Number(constraints)
                }
            }
            "string" | "file" => SchemaKind::String(StringConstraints {
                format: if type_name == "file" {
                    Some("binary".to_owned())
                } else {
                    text("format")
                },
                pattern: text("pattern"),
                min_length: count("minLength"),
                max_length: count("maxLength"),
            }),
            "array" => {
                let items = match object.get("items") {
                    None => Schema::new(SchemaKind::Any),
                    Some(items) => self.lower(
                        document,
                        items,
                        &format!("{pointer}/items"),
                        &format!("{context} Item"),
                        Position::Inline,
                    )?,
                };
                SchemaKind::Array(ArraySchema {
                    items: Box::new(items),
                    min_items: count("minItems"),
                    max_items: count("maxItems"),
                    unique_items: flag(object, "uniqueItems"),
                })
            }
            _ => {
                let mut properties = IndexMap::new();
                match object.get("properties") {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(declared)) => {
                        for (name, property) in declared {
                            let property_pointer = format!("{pointer}/properties/{}", escape(name));
                            let lowered = self.lower(
                                document,
                                property,
                                &property_pointer,
                                &format!("{context} {name}"),
                                Position::Inline,
                            )?;
                            properties.insert(name.clone(), lowered);
                        }
                    }
                    Some(other) => {
                        return Err(self.error(
                            document,
                            &format!("{pointer}/properties"),
                            format!("`properties` must be an object, not {}", json_kind(other)),
                        ));
                    }
                }
                let required = match object.get("required") {
                    None => Vec::new(),
                    Some(Value::Array(names)) => names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    // Swagger-style `required: true` on a property is meaningless here.
                    Some(_) => Vec::new(),
                };
                let additional_properties = match object.get("additionalProperties") {
                    None => AdditionalProperties::Unspecified,
                    Some(Value::Bool(true)) => AdditionalProperties::Any,
                    Some(Value::Bool(false)) => AdditionalProperties::Forbidden,
                    Some(Value::Object(empty)) if empty.is_empty() => AdditionalProperties::Any,
                    Some(value) => AdditionalProperties::Schema(Box::new(self.lower(
                        document,
                        value,
                        &format!("{pointer}/additionalProperties"),
                        &format!("{context} Value"),
                        Position::Inline,
                    )?)),
                };
                SchemaKind::Object(ObjectSchema {
                    properties,
                    required,
                    additional_properties,
                    min_properties: count("minProperties"),
                    max_properties: count("maxProperties"),
                })
            }
        })
    }

    fn discriminator(
        &mut self,
        document: usize,
        object: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Option<Discriminator>> {
        let Some(discriminator) = object.get("discriminator") else {
            return Ok(None);
        };
        let discriminator_pointer = format!("{pointer}/discriminator");
        let property_name = discriminator
            .get("propertyName")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                self.error(
                    document,
                    &discriminator_pointer,
                    "a discriminator needs a string `propertyName`",
                )
            })?
            .to_owned();
        let mut mapping = IndexMap::new();
        if let Some(Value::Object(entries)) = discriminator.get("mapping") {
            for (value, target) in entries {
                let target = target.as_str().ok_or_else(|| {
                    self.error(
                        document,
                        &format!("{discriminator_pointer}/mapping/{}", escape(value)),
                        "a discriminator mapping value must be a string",
                    )
                })?;
                // Values are references, or bare schema names.
                let name = if target.contains('#') || target.contains('/') {
                    self.reference(document, &discriminator_pointer, target)?
                } else {
                    target.to_owned()
                };
                mapping.insert(value.clone(), name);
            }
        }
        Ok(Some(Discriminator {
            property_name,
            mapping,
        }))
    }

    fn list<'v>(
        &self,
        document: usize,
        pointer: &str,
        key: &str,
        value: &'v Value,
    ) -> Result<&'v [Value]> {
        match value {
            Value::Array(items) => Ok(items),
            other => Err(self.error(
                document,
                &format!("{pointer}/{key}"),
                format!(
                    "`{key}` must be an array of schemas, not {}",
                    json_kind(other)
                ),
            )),
        }
    }

    pub fn error(&self, document: usize, pointer: &str, message: impl Into<String>) -> LoadError {
        self.documents.error(document, pointer, message)
    }
}

/// Copies the outer schema's annotations onto the single schema it wraps.
fn merge_annotations(outer: Schema, mut inner: Schema) -> Schema {
    inner.nullable |= outer.nullable;
    inner.read_only |= outer.read_only;
    inner.write_only |= outer.write_only;
    inner.deprecated |= outer.deprecated;
    if outer.title.is_some() {
        inner.title = outer.title;
    }
    if outer.description.is_some() {
        inner.description = outer.description;
    }
    if outer.default.is_some() {
        inner.default = outer.default;
    }
    if outer.example.is_some() {
        inner.example = outer.example;
    }
    if !outer.enumeration.is_empty() {
        inner.enumeration = outer.enumeration;
    }
    inner.extensions.extend(outer.extensions);
    inner
}

/// Whether an inline schema deserves a name of its own: an object with properties, an enum,
/// or a union or intersection.
fn is_nominal(object: &Map<String, Value>) -> bool {
    let has_properties =
        matches!(object.get("properties"), Some(Value::Object(p)) if !p.is_empty());
    let is_enum = matches!(object.get("enum"), Some(Value::Array(values)) if values.iter().filter(|v| !v.is_null()).count() > 1);
    let composition_count = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|key| object.get(*key).and_then(Value::as_array))
        .map(|variants| {
            variants
                .iter()
                .filter(|variant| variant.get("type").and_then(Value::as_str) != Some("null"))
                .count()
        })
        .sum::<usize>();
    let all_of_parts = object
        .get("allOf")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    has_properties || is_enum || composition_count > 1 || all_of_parts > 1
}

fn has_composition(object: &Map<String, Value>) -> bool {
    ["allOf", "oneOf", "anyOf", "not"]
        .iter()
        .any(|key| object.contains_key(*key))
}

/// The type implied by type-specific keywords when `type` is absent.
fn implied_type(object: &Map<String, Value>) -> Option<&'static str> {
    if object.contains_key("properties") || object.contains_key("additionalProperties") {
        Some("object")
    } else if object.contains_key("items") {
        Some("array")
    } else if let Some(Value::Array(values)) = object.get("enum") {
        let non_null = values.iter().filter(|value| !value.is_null());
        let mut kinds = non_null.map(|value| match value {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
            Value::Number(_) => "number",
            _ => "any",
        });
        let first = kinds.next()?;
        (first != "any" && kinds.all(|kind| kind == first)).then_some(first)
    } else if object.contains_key("pattern")
        || object.contains_key("minLength")
        || object.contains_key("maxLength")
    {
        Some("string")
    } else {
        None
    }
}

fn is_component_pointer(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|rest| !rest.contains('/'))
}

/// A boolean keyword (`deprecated`, `required`, `uniqueItems`, ...): false when absent or not
/// a boolean.
pub(crate) fn flag(object: &Map<String, Value>, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The name of an inline part of an `allOf`: its title, else the object's own fields
/// (`PetFields`: an inline object part adds fields to what it extends).
fn part_label(part: &Value) -> Option<String> {
    if let Some(title) = part.get("title").and_then(Value::as_str) {
        return Some(title.to_owned());
    }
    part.get("properties")
        .and_then(Value::as_object)
        .filter(|properties| !properties.is_empty())
        .map(|_| "Fields".to_owned())
}

/// What to call an inline variant of a `oneOf` or `anyOf`, so that its name says what it is
/// and does not change when a variant is inserted before it: its `title`; else the value of
/// its tag (the first required property that is a one-value string enum or `const`, as in
/// `{type: {enum: [blank]}, ...}`); else, for an externally tagged variant (one required
/// property and nothing else, as schemars writes Rust enums), that property's name.
/// Else, for a variant with one property (an externally tagged one, as schemars writes Rust
/// enums, or an object wrapping a list), that property's name; else its one or two required
/// properties (`StatusAndConclusion`); else what it is (`List`, `Text`, `Integer`, ...).
fn variant_label(variant: &Value) -> Option<String> {
    if let Some(title) = variant.get("title").and_then(Value::as_str) {
        return Some(title.to_owned());
    }
    if let Some(properties) = variant.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = variant
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|name| properties.contains_key(*name))
            .collect();
        // A tag: a required property with one allowed string.
        let tag = properties
            .iter()
            .filter(|(name, _)| required.contains(&name.as_str()))
            .find_map(|(_, property)| {
                let one_value = match property.get("enum").and_then(Value::as_array) {
                    Some(values) if values.len() == 1 => values.first(),
                    _ => property.get("const"),
                };
                one_value.and_then(Value::as_str).map(str::to_owned)
            });
        if tag.is_some() {
            return tag;
        }
        // The property it is about: the only one, else the (at most two) required ones.
        if properties.len() == 1 {
            return properties.keys().next().cloned();
        }
        if let [first, rest @ ..] = required.as_slice()
            && rest.len() <= 1
        {
            return Some(match rest {
                [second] => format!("{first} and {second}"),
                _ => (*first).to_owned(),
            });
        }
    }
    // What it is, for a list or a scalar (an enum of strings is hoisted, and so is the item
    // of a list).
    let label = match variant.get("type").and_then(Value::as_str)? {
        "array" => "List",
        "string" => "Text",
        "integer" => "Integer",
        "number" => "Number",
        "boolean" => "Boolean",
        _ => return None,
    };
    Some(label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::variant_label;
    use serde_json::json;

    #[test]
    fn inline_variants_are_named_by_title_tag_or_single_property() {
        let titled = json!({"title": "Blank", "type": "object"});
        assert_eq!(variant_label(&titled).as_deref(), Some("Blank"));
        let tagged = json!({
            "type": "object",
            "required": ["size", "type"],
            "properties": {"size": {"type": "integer"}, "type": {"type": "string", "enum": ["blank"]}}
        });
        assert_eq!(variant_label(&tagged).as_deref(), Some("blank"));
        let constant = json!({
            "required": ["kind"],
            "properties": {"kind": {"const": "snapshot"}}
        });
        assert_eq!(variant_label(&constant).as_deref(), Some("snapshot"));
        let external = json!({
            "type": "object",
            "required": ["circle"],
            "properties": {"circle": {"type": "number"}},
            "additionalProperties": false
        });
        assert_eq!(variant_label(&external).as_deref(), Some("circle"));
    }

    #[test]
    fn variants_without_a_tag_are_named_by_their_properties_or_what_they_are() {
        // An optional tag, an open single property, required properties, and none at all.
        let optional_tag = json!({"properties": {"type": {"enum": ["a"]}}});
        assert_eq!(variant_label(&optional_tag).as_deref(), Some("type"));
        let open = json!({"required": ["circle"], "properties": {"circle": {"type": "number"}}});
        assert_eq!(variant_label(&open).as_deref(), Some("circle"));
        let required = json!({
            "required": ["status", "conclusion"],
            "properties": {"status": {"enum": ["completed", "failed"]}, "conclusion": {}, "note": {}}
        });
        assert_eq!(
            variant_label(&required).as_deref(),
            Some("status and conclusion")
        );
        assert_eq!(
            variant_label(&json!({"type": "array", "items": {}})).as_deref(),
            Some("List")
        );
        assert_eq!(
            variant_label(&json!({"type": "string"})).as_deref(),
            Some("Text")
        );
        let anonymous = json!({"properties": {"a": {}, "b": {}}});
        assert_eq!(variant_label(&anonymous), None);
        assert_eq!(variant_label(&json!({})), None);
    }
}
