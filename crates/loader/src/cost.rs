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
pub(crate) fn resolve<'a>(
    schema: &'a Schema,
    schemas: &'a IndexMap<String, NamedSchema>,
) -> &'a Schema {
    sdkgen_model::resolve_schema(schema, schemas).unwrap_or(schema)
}

/// Words that mark a batch operation: an action on many resources at once.
const BATCH_WORDS: [&str; 2] = ["batch", "bulk"];
/// Words that mark an aggregation: a figure computed over many resources.
const AGGREGATION_WORDS: [&str; 17] = [
    "report",
    "reports",
    "stats",
    "statistics",
    "aggregate",
    "aggregates",
    "aggregation",
    "aggregations",
    "analytics",
    "metrics",
    "insights",
    "usage",
    "costs",
    "summary",
    "histogram",
    "totals",
    "timeseries",
];
/// Query parameters that ask for an aggregation (buckets, groups, a granularity).
const AGGREGATION_PARAMETERS: [&str; 7] = [
    "group_by",
    "groupby",
    "bucket_width",
    "granularity",
    "interval",
    "aggregation",
    "aggregate",
];
/// Words that mark a search.
const SEARCH_WORDS: [&str; 1] = ["search"];
/// Query parameters that make a read a search.
const SEARCH_PARAMETERS: [&str; 3] = ["q", "query", "search"];
/// Query parameters that make a read a read of many resources.
const MULTI_READ_PARAMETERS: [&str; 16] = [
    "limit",
    "page",
    "per_page",
    "page_size",
    "pagesize",
    "cursor",
    "page_token",
    "offset",
    "after",
    "before",
    "starting_after",
    "ending_before",
    "continue",
    "expand",
    "include",
    "embed",
];

/// Infers the cost of an operation that declares none, from what the operation does, after the
/// provider's rules (simple single-resource reads 1; writes and reads of several resources 3;
/// complex reads, aggregations and batches 5 to 10):
///
/// | rule | what the operation does | points |
/// |---|---|---|
/// | `batch` | acts on many resources at once: its JSON body is an array of objects, a `batch`/`bulk` action ends its path, or its id starts with the verb | 10 |
/// | `aggregation` | computes over many resources: a path segment such as `stats`, `usage`, `costs`, `metrics`, `reports`, or a read taking `group_by`, `granularity`, `bucket_width` ... | 8 |
/// | `search` | searches: a `search` action in the path, an id starting with `search`, or a `q`/`query`/`search` parameter of a read | 5 |
/// | `upload` | a write with a multipart or binary body | 5 |
/// | `write` | any other POST, PUT, PATCH, DELETE | 3 |
/// | `multi-resource read` | a read answering an array or a page (an object with an items array such as `data` or `items`), or taking paging or expand parameters | 3 |
/// | `single-resource read` | any other read | 1 |
///
/// Actions (batch, search) count only in the path's literal segments after its last parameter,
/// since those name what is done to the resource the parameters pick: `GET /batches/{id}`
/// reads one batch (1 point), while `POST /tasks/batch` is a batch. A resource's bare name
/// never decides the cost.
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
    let action = action_words(&operation.path);
    let verb = leading_word(&operation.id);
    let acts = |list: &[&str]| {
        action.iter().any(|word| list.contains(&word.as_str()))
            || verb.as_deref().is_some_and(|verb| list.contains(&verb))
    };
    let has_query = |list: &[&str]| {
        operation
            .parameters_in(ParameterLocation::Query)
            .any(|parameter| list.contains(&parameter.name.to_ascii_lowercase().as_str()))
    };
    let safe = operation.method.is_safe();
    if acts(&BATCH_WORDS) || (!safe && takes_many_items(operation, schemas)) {
        return (10, "batch");
    }
    let aggregates = literal_words(&operation.path)
        .iter()
        .any(|word| AGGREGATION_WORDS.contains(&word.as_str()));
    if aggregates || (safe && has_query(&AGGREGATION_PARAMETERS)) {
        return (8, "aggregation");
    }
    if acts(&SEARCH_WORDS) || (safe && has_query(&SEARCH_PARAMETERS)) {
        return (5, "search");
    }
    if !safe {
        // Bytes or a form of files, and no JSON alternative. Kubernetes declares `*/*` with an
        // object schema for every write: structured data is no upload, whatever the media type.
        let uploads = operation.request_body.as_ref().is_some_and(|body| {
            let is_bytes = |media: &sdkgen_model::MediaType| match media.kind() {
                BodyKind::Multipart => true,
                BodyKind::Binary => media.schema.as_ref().is_none_or(|schema| {
                    matches!(resolve(schema, schemas).kind, SchemaKind::String(_))
                }),
                _ => false,
            };
            body.content.iter().any(is_bytes)
                && !body
                    .content
                    .iter()
                    .any(|media| media.kind() == BodyKind::Json)
        });
        return if uploads { (5, "upload") } else { (3, "write") };
    }
    let answers_many = operation.success_responses().any(|response| {
        response.content.iter().any(|media| {
            media
                .schema
                .as_ref()
                .is_some_and(|schema| is_many(resolve(schema, schemas), schemas))
        })
    });
    if answers_many || has_query(&MULTI_READ_PARAMETERS) {
        return (3, "multi-resource read");
    }
    (1, "single-resource read")
}

/// An array, or a page: an object with an items array under a name such as `data`.
fn is_many(schema: &Schema, schemas: &IndexMap<String, NamedSchema>) -> bool {
    match &schema.kind {
        SchemaKind::Array(_) => true,
        SchemaKind::Object(object) => object.properties.iter().any(|(name, property)| {
            crate::pagination::ITEMS.contains(&name.as_str())
                && matches!(resolve(property, schemas).kind, SchemaKind::Array(_))
        }),
        _ => false,
    }
}

/// Whether the JSON request body is an array of objects: the shape of a bulk write. (An
/// object holding an array is not enough: replacing a policy's list of role assignments, or
/// a user's e-mail addresses, is one write.)
fn takes_many_items(operation: &Operation, schemas: &IndexMap<String, NamedSchema>) -> bool {
    operation
        .request_body
        .iter()
        .flat_map(|body| &body.content)
        .filter(|media| media.kind() == BodyKind::Json)
        .filter_map(|media| media.schema.as_ref())
        .any(|schema| match &resolve(schema, schemas).kind {
            SchemaKind::Array(items) => {
                matches!(resolve(&items.items, schemas).kind, SchemaKind::Object(_))
            }
            _ => false,
        })
}

/// The lower-case words of the literal path segments after the last parameter: what is done
/// to the resource the parameters name (`/projects/{id}/stats` gives `stats`,
/// `/tasks:batchCreate` gives `tasks`, `batch`, `create`).
fn action_words(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let after_parameter = segments
        .iter()
        .rposition(|segment| segment.contains('{'))
        .map_or(0, |position| position + 1);
    let mut words = Vec::new();
    for segment in &segments[after_parameter..] {
        split_words(segment, &mut words);
    }
    words
}

/// The lower-case words of every literal path segment.
fn literal_words(path: &str) -> Vec<String> {
    let mut words = Vec::new();
    for segment in path.split('/').filter(|segment| !segment.contains('{')) {
        split_words(segment, &mut words);
    }
    words
}

/// The first word of an operation id, its verb (`bulkCreateTasks` gives `bulk`).
fn leading_word(id: &str) -> Option<String> {
    let mut words = Vec::new();
    split_words(id, &mut words);
    words.into_iter().next()
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
