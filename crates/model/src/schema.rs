//! Schemas: the shapes of bodies, parameters and headers.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::api::Extensions;

/// A schema with a name: either declared in `components/schemas` or hoisted from an inline
/// position so that every object, enum and union has a stable name to generate a type from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedSchema {
    /// The name: the component's key, or a name made from where the inline schema stood.
    pub name: String,
    /// Where the schema comes from.
    pub origin: SchemaOrigin,
    /// The schema itself.
    pub schema: Schema,
}

/// Where a named schema comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SchemaOrigin {
    /// `components/schemas/<name>` of the document (or of a document it references).
    Component,
    /// An inline schema, hoisted. `pointer` is the JSON pointer of where it stood.
    Inline {
        /// The JSON pointer of the inline schema in its document.
        pointer: String,
    },
}

/// A schema. References to named schemas stay references ([`SchemaKind::Ref`]), so recursive
/// schemas are finite and the differ can compare through names.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Schema {
    /// What kind of value this is.
    pub kind: SchemaKind,
    /// Whether `null` is accepted too (3.0 `nullable`, 3.1 `type: [.., "null"]` or a `null`
    /// branch of `oneOf`/`anyOf`).
    pub nullable: bool,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `default`.
    pub default: Option<Value>,
    /// `example`, or the first of 3.1 `examples`.
    pub example: Option<Value>,
    /// The allowed values (`enum`, or 3.1 `const` as one value). Empty when unrestricted.
    pub enumeration: Vec<Value>,
    /// `readOnly`: sent by the server only.
    pub read_only: bool,
    /// `writeOnly`: sent by the client only.
    pub write_only: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `x-` extensions.
    pub extensions: Extensions,
}

impl Schema {
    /// A schema of the given kind with nothing else set.
    pub fn new(kind: SchemaKind) -> Self {
        Schema {
            kind,
            ..Schema::default()
        }
    }

    /// A reference to a named schema.
    pub fn reference(name: impl Into<String>) -> Self {
        Schema::new(SchemaKind::Ref(name.into()))
    }

    /// The name referenced, when this schema is a bare reference.
    pub fn ref_name(&self) -> Option<&str> {
        match &self.kind {
            SchemaKind::Ref(name) => Some(name),
            _ => None,
        }
    }
}

/// What kind of value a schema describes.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum SchemaKind {
    /// Any JSON value (an empty schema, or one that constrains nothing we model).
    #[default]
    Any,
    /// A reference to a named schema in [`crate::Api::schemas`].
    Ref(String),
    /// Only `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// An integer.
    Integer(NumberConstraints),
    /// A number.
    Number(NumberConstraints),
    /// A string.
    String(StringConstraints),
    /// An array.
    Array(ArraySchema),
    /// An object with properties and/or additional properties.
    Object(ObjectSchema),
    /// Exactly one of the variants.
    OneOf(UnionSchema),
    /// One or more of the variants.
    AnyOf(UnionSchema),
    /// All of the parts at once (kept unmerged: consumers merge what they need).
    AllOf(Vec<Schema>),
    /// Anything that does not match the schema.
    Not(Box<Schema>),
}

impl SchemaKind {
    /// A short name for messages: `string`, `integer`, `object`, `oneOf`, ...
    pub fn type_name(&self) -> &'static str {
        match self {
            SchemaKind::Any => "any",
            SchemaKind::Ref(_) => "ref",
            SchemaKind::Null => "null",
            SchemaKind::Boolean => "boolean",
            SchemaKind::Integer(_) => "integer",
            SchemaKind::Number(_) => "number",
            SchemaKind::String(_) => "string",
            SchemaKind::Array(_) => "array",
            SchemaKind::Object(_) => "object",
            SchemaKind::OneOf(_) => "oneOf",
            SchemaKind::AnyOf(_) => "anyOf",
            SchemaKind::AllOf(_) => "allOf",
            SchemaKind::Not(_) => "not",
        }
    }
}

/// Constraints of integers and numbers.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct NumberConstraints {
    /// `format`, e.g. `int32`, `int64`, `uint8`, `float`, `double`.
    pub format: Option<String>,
    /// Inclusive lower bound.
    pub minimum: Option<f64>,
    /// Inclusive upper bound.
    pub maximum: Option<f64>,
    /// Exclusive lower bound.
    pub exclusive_minimum: Option<f64>,
    /// Exclusive upper bound.
    pub exclusive_maximum: Option<f64>,
    /// The value must be a multiple of this.
    pub multiple_of: Option<f64>,
}

/// Constraints of strings.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct StringConstraints {
    /// `format`, e.g. `date-time`, `date`, `uuid`, `byte`, `binary`, `email`.
    pub format: Option<String>,
    /// An ECMA 262 regular expression the value must match.
    pub pattern: Option<String>,
    /// Minimum length in characters.
    pub min_length: Option<u64>,
    /// Maximum length in characters.
    pub max_length: Option<u64>,
}

/// An array schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ArraySchema {
    /// The items' schema (any value when the document gives none).
    pub items: Box<Schema>,
    /// Minimum number of items.
    pub min_items: Option<u64>,
    /// Maximum number of items.
    pub max_items: Option<u64>,
    /// Whether items must be distinct.
    pub unique_items: bool,
}

/// An object schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ObjectSchema {
    /// Declared properties, in document order.
    pub properties: IndexMap<String, Schema>,
    /// Names of required properties, in document order.
    pub required: Vec<String>,
    /// What other properties may hold.
    pub additional_properties: AdditionalProperties,
    /// Minimum number of properties.
    pub min_properties: Option<u64>,
    /// Maximum number of properties.
    pub max_properties: Option<u64>,
}

impl ObjectSchema {
    /// Whether a property is required.
    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|required| required == name)
    }
}

/// What an object's undeclared properties may hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdditionalProperties {
    /// Not said: anything is allowed but nothing is promised (the JSON Schema default).
    #[default]
    Unspecified,
    /// `additionalProperties: true` or `{}`: explicitly any value.
    Any,
    /// `additionalProperties: false`: no other properties.
    Forbidden,
    /// Values of this schema (a map).
    Schema(Box<Schema>),
}

/// The variants of a `oneOf` or `anyOf`, with the discriminator if any.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct UnionSchema {
    /// The variants, in document order. A `null` variant is removed and turned into
    /// [`Schema::nullable`] on the union.
    pub variants: Vec<Schema>,
    /// The discriminator property and mapping, when declared.
    pub discriminator: Option<Discriminator>,
}

/// A discriminator: the property whose value names the variant.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Discriminator {
    /// The property's name.
    pub property_name: String,
    /// Explicit values to schema names. Variants not listed use their schema name as value.
    pub mapping: IndexMap<String, String>,
}
