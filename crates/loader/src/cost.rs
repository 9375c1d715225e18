//! Point costs read from documents: the `x-points` extension parsed into the model's
//! [`CostFormula`], and the provider's rules that infer a cost where nothing is declared.
//!
//! The formula and the points range are the provider's (`sdkgen-policy`); the data types are
//! the model's ([`sdkgen_model::cost`]); this module is the reading and the judgement.

use indexmap::IndexMap;
use sdkgen_model::cost::{
    Cost, CostError, CostFormula, CostSource, CountOf, MAX_POINTS, MIN_POINTS,
};
use sdkgen_model::{BodyKind, NamedSchema, Operation, ParameterLocation, Schema, SchemaKind};
use serde_json::Value;

/// Parses the value of an `x-points` extension. `operation` is used to check that a counted
/// query parameter or body exists and to find the parameter's default.
pub fn parse_declared(
    value: &Value,
    operation: &Operation,
    schemas: &IndexMap<String, NamedSchema>,
) -> Result<CostFormula, CostError> {
    match value {
        Value::Number(_) => Ok(CostFormula::Fixed(points_in_range(value, "x-points")?)),
        Value::Object(fields) => {
            const KNOWN: [&str; 5] = ["base", "per", "unit", "count", "max"];
            if let Some(unknown) = fields.keys().find(|key| !KNOWN.contains(&key.as_str())) {
                return Err(CostError(format!(
                    "unknown field `{unknown}` in x-points (expected {})",
                    KNOWN.join(", ")
                )));
            }
            let field = |name: &str| {
                fields
                    .get(name)
                    .ok_or_else(|| CostError(format!("x-points needs a `{name}` field")))
            };
            let base = points_in_range(field("base")?, "base")?;
            let per = points_in_range(field("per")?, "per")?;
            let unit = match fields.get("unit") {
                None => 1,
                Some(unit) => unit
                    .as_u64()
                    .and_then(|unit| u32::try_from(unit).ok())
                    .filter(|unit| *unit >= 1)
                    .ok_or_else(|| {
                        CostError(format!("`unit` must be a whole number from 1, not {unit}"))
                    })?,
            };
            let max = match fields.get("max") {
                None => MAX_POINTS,
                Some(max) => points_in_range(max, "max")?,
            };
            if max < base {
                return Err(CostError(format!("`max` ({max}) is below `base` ({base})")));
            }
            let count = match field("count")? {
                Value::String(text) => CountOf::parse(text)?,
                other => {
                    return Err(CostError(format!(
                        "`count` must be a string such as \"query.limit\", not {other}"
                    )));
                }
            };
            let default_count = check_count(&count, operation, schemas)?;
            Ok(CostFormula::PerCount {
                base,
                per,
                unit,
                count,
                default_count,
                max,
            })
        }
        other => Err(CostError(format!(
            "x-points must be a whole number from {MIN_POINTS} to {MAX_POINTS} or a formula \
             object, not {other}"
        ))),
    }
}

fn points_in_range(value: &Value, what: &str) -> Result<u8, CostError> {
    value
        .as_u64()
        .filter(|points| sdkgen_policy::is_valid_points(*points))
        .and_then(|points| u8::try_from(points).ok())
        .ok_or_else(|| {
            CostError(format!(
                "`{what}` must be a whole number from {MIN_POINTS} to {MAX_POINTS}, not {value}"
            ))
        })
}

/// Checks that what a formula counts exists in the operation; returns the default count.
fn check_count(
    count: &CountOf,
    operation: &Operation,
    schemas: &IndexMap<String, NamedSchema>,
) -> Result<u64, CostError> {
    match count {
        CountOf::Query(name) => {
            let parameter = operation
                .parameter(ParameterLocation::Query, name)
                .ok_or_else(|| {
                    CostError(format!(
                        "`count` names query parameter `{name}`, which {} does not have",
                        operation.label()
                    ))
                })?;
            let schema = resolve(&parameter.schema, schemas);
            match &schema.kind {
                SchemaKind::Integer(_) | SchemaKind::Array(_) => Ok(schema
                    .default
                    .as_ref()
                    .and_then(|default| match default {
                        Value::Array(items) => Some(items.len() as u64),
                        other => other.as_u64(),
                    })
                    .unwrap_or(0)),
                other => Err(CostError(format!(
                    "`count` names query parameter `{name}`, which is {} rather than an \
                     integer or an array",
                    other.type_name()
                ))),
            }
        }
        CountOf::Body(property) => {
            let schema = operation
                .request_body
                .as_ref()
                .and_then(|body| {
                    body.content
                        .iter()
                        .find(|media| media.kind() == BodyKind::Json)
                })
                .and_then(|media| media.schema.as_ref())
                .map(|schema| resolve(schema, schemas))
                .ok_or_else(|| {
                    CostError(format!(
                        "`count` names the body, but {} has no JSON request body",
                        operation.label()
                    ))
                })?;
            let counted = match property {
                None => Some(schema),
                Some(name) => match &schema.kind {
                    SchemaKind::Object(object) => object
                        .properties
                        .get(name)
                        .map(|property| resolve(property, schemas)),
                    _ => None,
                },
            };
            match counted.map(|schema| &schema.kind) {
                Some(SchemaKind::Array(_)) => Ok(0),
                _ => Err(CostError(format!(
                    "`count` names `{count}`, which is not an array in the JSON request body of {}",
                    operation.label()
                ))),
            }
        }
    }
}

/// Follows references; a dangling or cyclic chain stays where it is (the loader reports those).
fn resolve<'a>(schema: &'a Schema, schemas: &'a IndexMap<String, NamedSchema>) -> &'a Schema {
    sdkgen_model::resolve_schema(schema, schemas).unwrap_or(schema)
}

/// Words that mark a batch operation.
const BATCH_WORDS: [&str; 2] = ["batch", "bulk"];
/// Words that mark an aggregation.
const AGGREGATION_WORDS: [&str; 10] = [
    "report",
    "reports",
    "stats",
    "statistics",
    "aggregate",
    "aggregates",
    "aggregation",
    "analytics",
    "metrics",
    "insights",
];
/// Words that mark a search.
const SEARCH_WORDS: [&str; 1] = ["search"];
/// Query parameters that make a read a search.
const SEARCH_PARAMETERS: [&str; 3] = ["q", "query", "search"];
/// Query parameters that make a read a read of many resources.
const MULTI_READ_PARAMETERS: [&str; 11] = [
    "limit",
    "page",
    "per_page",
    "page_size",
    "pagesize",
    "cursor",
    "page_token",
    "offset",
    "expand",
    "include",
    "embed",
];

/// Infers the cost of an operation that declares none, from the provider's rules:
///
/// | rule | points |
/// |---|---|
/// | `batch`: a path segment or operation id word is `batch` or `bulk` | 10 |
/// | `aggregation`: a word such as `report`, `stats`, `analytics`, `metrics` | 8 |
/// | `search`: the word `search`, or a `q`/`query`/`search` query parameter | 5 |
/// | `upload`: a write with a multipart or binary body | 5 |
/// | `write`: POST, PUT, PATCH, DELETE | 3 |
/// | `multi-resource read`: a read answering an array, or with paging or expand parameters | 3 |
/// | `single-resource read`: any other read | 1 |
///
/// Words are the path's literal segments and the operation id, split at punctuation and case
/// changes, compared lower-case.
pub fn infer(operation: &Operation, schemas: &IndexMap<String, NamedSchema>) -> Cost {
    let (points, rule) = infer_rule(operation, schemas);
    Cost {
        formula: CostFormula::Fixed(points),
        source: CostSource::Inferred { rule },
    }
}

fn infer_rule(
    operation: &Operation,
    schemas: &IndexMap<String, NamedSchema>,
) -> (u8, &'static str) {
    let words = words_of(operation);
    let has_word = |list: &[&str]| words.iter().any(|word| list.contains(&word.as_str()));
    let has_query = |list: &[&str]| {
        operation
            .parameters_in(ParameterLocation::Query)
            .any(|parameter| list.contains(&parameter.name.to_ascii_lowercase().as_str()))
    };
    if has_word(&BATCH_WORDS) {
        return (10, "batch");
    }
    if has_word(&AGGREGATION_WORDS) {
        return (8, "aggregation");
    }
    if has_word(&SEARCH_WORDS) || (operation.method.is_safe() && has_query(&SEARCH_PARAMETERS)) {
        return (5, "search");
    }
    if !operation.method.is_safe() {
        let uploads = operation.request_body.as_ref().is_some_and(|body| {
            body.content
                .iter()
                .any(|media| matches!(media.kind(), BodyKind::Multipart | BodyKind::Binary))
        });
        return if uploads { (5, "upload") } else { (3, "write") };
    }
    let answers_array = operation.success_responses().any(|response| {
        response.content.iter().any(|media| {
            media
                .schema
                .as_ref()
                .is_some_and(|schema| matches!(resolve(schema, schemas).kind, SchemaKind::Array(_)))
        })
    });
    if answers_array || has_query(&MULTI_READ_PARAMETERS) {
        return (3, "multi-resource read");
    }
    (1, "single-resource read")
}

/// The lower-case words of an operation's literal path segments and id.
fn words_of(operation: &Operation) -> Vec<String> {
    let mut words = Vec::new();
    let literal_segments = operation
        .path
        .split('/')
        .filter(|segment| !segment.starts_with('{'));
    for text in literal_segments.chain(std::iter::once(operation.id.as_str())) {
        split_words(text, &mut words);
    }
    words
}

/// Splits at non-alphanumerics and lower-to-upper case changes: `batchCreate-tasks` gives
/// `batch`, `create`, `tasks`.
fn split_words(text: &str, words: &mut Vec<String>) {
    let mut current = String::new();
    let mut previous_lower = false;
    for character in text.chars() {
        if !character.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if character.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = character.is_lowercase() || character.is_ascii_digit();
        current.extend(character.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
}
