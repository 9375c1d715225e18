//! Request validation against the spec: parameters and JSON bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::HeaderMap;
use bytes::Bytes;
use sdkgen_model::{
    AdditionalProperties, Api, BodyKind, Operation, ParameterLocation, ParameterStyle, Schema,
    SchemaKind,
};
use serde_json::Value;

/// One thing wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: `query.limit`, `body/tasks/0/title`, ...
    pub location: String,
    /// What.
    pub message: String,
}

/// The query string as pairs, percent-decoded.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// A valid request's values: its query parameters as the JSON values their schemas describe
/// (what the cost is counted from), and its JSON body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validated {
    /// Query parameters by name.
    pub query: HashMap<String, Value>,
    /// The JSON body, when one was sent.
    pub body: Option<Value>,
}

/// How a parameter's occurrences make its items: split each on a delimiter, or one item per
/// occurrence (`form` exploded in the query). `None` for a scalar.
fn array_delimiter(parameter: &sdkgen_model::Parameter) -> Option<char> {
    match parameter.style {
        ParameterStyle::SpaceDelimited if !parameter.explode => Some(' '),
        ParameterStyle::PipeDelimited if !parameter.explode => Some('|'),
        ParameterStyle::Form | ParameterStyle::SpaceDelimited | ParameterStyle::PipeDelimited
            if parameter.explode && parameter.location == ParameterLocation::Query =>
        {
            None
        }
        _ => Some(','),
    }
}

/// Validates a request; returns its values.
pub fn request(
    api: &Api,
    operation: &Operation,
    path_values: &HashMap<String, String>,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Validated, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut validated = Validated::default();
    for parameter in &operation.parameters {
        let location = format!("{}.{}", parameter.location, parameter.name);
        let values: Vec<String> = match parameter.location {
            ParameterLocation::Path => path_values
                .get(&parameter.name)
                .cloned()
                .into_iter()
                .collect(),
            ParameterLocation::Query => query
                .iter()
                .filter(|(key, _)| *key == parameter.name)
                .map(|(_, value)| value.clone())
                .collect(),
            ParameterLocation::Header => headers
                .get_all(parameter.name.as_str())
                .iter()
                .filter_map(|value| value.to_str().ok().map(str::to_owned))
                .collect(),
            ParameterLocation::Cookie => headers
                .get_all("cookie")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|cookies| cookies.split(';'))
                .filter_map(|cookie| cookie.trim().split_once('='))
                .filter(|(name, _)| *name == parameter.name)
                .map(|(_, value)| value.to_owned())
                .collect(),
        };
        if values.is_empty() {
            if parameter.required {
                problems.push(Problem {
                    location,
                    message: "is required".to_owned(),
                });
            }
            continue;
        }
        let schema = api.resolve(&parameter.schema).unwrap_or(&parameter.schema);
        let value = match &schema.kind {
            SchemaKind::Array(array) => {
                let delimiter = array_delimiter(parameter);
                // Header lines of one name are one comma-separated list (RFC 9110); elsewhere
                // a delimited array must come in one value.
                if delimiter.is_some()
                    && values.len() > 1
                    && parameter.location != ParameterLocation::Header
                {
                    problems.push(Problem {
                        location,
                        message: format!(
                            "is given {} times; its items go in one value, separated by {:?}",
                            values.len(),
                            delimiter.unwrap_or(',')
                        ),
                    });
                    continue;
                }
                let items: Vec<&str> = match delimiter {
                    Some(delimiter) => values
                        .iter()
                        .flat_map(|value| value.split(delimiter))
                        .filter(|item| !item.is_empty())
                        .collect(),
                    None => values.iter().map(String::as_str).collect(),
                };
                Value::Array(
                    items
                        .into_iter()
                        .map(|item| coerce(api, &array.items, item))
                        .collect(),
                )
            }
            _ if parameter.style == ParameterStyle::DeepObject
                || matches!(schema.kind, SchemaKind::Object(_)) =>
            {
                continue;
            }
            _ if values.len() > 1 => {
                problems.push(Problem {
                    location,
                    message: format!("is given {} times; it takes one value", values.len()),
                });
                continue;
            }
            _ => coerce(api, &parameter.schema, &values[0]),
        };
        check(api, &parameter.schema, &value, &location, &mut problems, 0);
        if parameter.location == ParameterLocation::Query {
            validated.query.insert(parameter.name.clone(), value);
        }
    }
    let mut parsed = None;
    match &operation.request_body {
        Some(declared) if body.is_empty() && declared.required => {
            problems.push(Problem {
                location: "body".to_owned(),
                message: "a request body is required".to_owned(),
            });
        }
        Some(_) if body.is_empty() => {}
        Some(declared) => {
            let content_type = headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            let json_media = declared
                .content
                .iter()
                .find(|media| media.kind() == BodyKind::Json);
            let sent_json = BodyKind::of(content_type) == BodyKind::Json
                || (content_type.is_empty() && json_media.is_some());
            let accepted = declared.content.iter().any(|media| {
                let declared_type = media
                    .media_type
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim();
                let sent_type = content_type.split(';').next().unwrap_or_default().trim();
                declared_type == "*/*"
                    || declared_type.eq_ignore_ascii_case(sent_type)
                    || (declared_type.ends_with("/*")
                        && sent_type.starts_with(declared_type.trim_end_matches('*')))
            });
            if !accepted && !content_type.is_empty() {
                let declared_types: Vec<&str> = declared
                    .content
                    .iter()
                    .map(|media| media.media_type.as_str())
                    .collect();
                problems.push(Problem {
                    location: "header.content-type".to_owned(),
                    message: format!(
                        "{content_type:?} is not one of {}",
                        declared_types.join(", ")
                    ),
                });
            } else if sent_json && let Some(media) = json_media {
                match serde_json::from_slice::<Value>(body) {
                    Ok(value) => {
                        if let Some(schema) = &media.schema {
                            check(api, schema, &value, "body", &mut problems, 0);
                        }
                        parsed = Some(value);
                    }
                    Err(error) => problems.push(Problem {
                        location: "body".to_owned(),
                        message: format!("is not JSON: {error}"),
                    }),
                }
            }
        }
        None => {}
    }
    if problems.is_empty() {
        validated.body = parsed;
        Ok(validated)
    } else {
        Err(problems)
    }
}

/// A parameter's text as the JSON value its schema describes (left a string when it is not
/// one, so that `check` reports it).
fn coerce(api: &Api, schema: &Schema, text: &str) -> Value {
    let resolved = api.resolve(schema).unwrap_or(schema);
    match &resolved.kind {
        SchemaKind::Integer(_) => text
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| text.parse::<u64>().map(Value::from))
            .unwrap_or_else(|_| Value::String(text.to_owned())),
        SchemaKind::Number(_) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(text.to_owned())),
        SchemaKind::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

/// Longer strings are not matched against `pattern`.
const MAX_PATTERN_INPUT: usize = 4096;
/// How often a match may backtrack before the sandbox gives up on it (and validates nothing):
/// a hostile pattern (`^(a+)+$` with lookaround) or request must not make the sandbox spin.
const MAX_BACKTRACKS: usize = 100_000;

/// Whether `text` matches an OpenAPI `pattern`, with fancy-regex: the `regex` crate's linear
/// time for what it can do, and bounded backtracking for the lookaround and backreferences
/// that ECMAScript patterns may use. `None` when the pattern does not compile (which the
/// spec's author has to fix, not the client) or the match would backtrack too long. Patterns
/// are compiled once per process.
fn matches_pattern(pattern: &str, text: &str) -> Option<bool> {
    type Compiled = Option<Arc<fancy_regex::Regex>>;
    static PATTERNS: OnceLock<Mutex<HashMap<String, Compiled>>> = OnceLock::new();
    let compiled = {
        let mut patterns = PATTERNS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(compiled) = patterns.get(pattern) {
            compiled.clone()
        } else {
            let compiled = match fancy_regex::RegexBuilder::new(&ascii_classes(pattern))
                .backtrack_limit(MAX_BACKTRACKS)
                .build()
            {
                Ok(regex) => Some(Arc::new(regex)),
                Err(error) => {
                    tracing::warn!(pattern, %error, "not validating a pattern that does not compile");
                    None
                }
            };
            // A spec has a handful of patterns; the bound only guards against a huge one.
            if patterns.len() < 4096 {
                patterns.insert(pattern.to_owned(), compiled.clone());
            }
            compiled
        }
    };
    match compiled?.is_match(text) {
        Ok(matched) => Some(matched),
        Err(error) => {
            tracing::warn!(pattern, %error, "not validating a value the pattern backtracks on too long");
            None
        }
    }
}

/// The pattern with ECMAScript's `\d`, `\D`, `\w` and `\W`, which are ASCII, as ASCII
/// classes: the `regex` crate reads them as Unicode (`\d` would match `٣`).
fn ascii_classes(pattern: &str) -> String {
    let mut rewritten = String::with_capacity(pattern.len());
    let mut in_class = false;
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                let Some(escaped) = characters.next() else {
                    rewritten.push(character);
                    break;
                };
                let class = match escaped {
                    'd' => Some("[:digit:]"),
                    'D' => Some("[:^digit:]"),
                    'w' => Some("[:word:]"),
                    'W' => Some("[:^word:]"),
                    _ => None,
                };
                match (class, in_class) {
                    (Some(class), true) => rewritten.push_str(class),
                    (Some(class), false) => {
                        rewritten.push('[');
                        rewritten.push_str(class);
                        rewritten.push(']');
                    }
                    (None, _) => {
                        rewritten.push(character);
                        rewritten.push(escaped);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                rewritten.push(character);
                // A `]` first in a class is a literal in neither dialect's reading here.
            }
            ']' if in_class => {
                in_class = false;
                rewritten.push(character);
            }
            _ => rewritten.push(character),
        }
    }
    rewritten
}

fn problem(problems: &mut Vec<Problem>, location: &str, message: String) {
    // Bounded: a hostile body cannot make the answer huge.
    if problems.len() < 50 {
        problems.push(Problem {
            location: location.to_owned(),
            message,
        });
    }
}

/// Checks a value against a schema, collecting problems.
pub fn check(
    api: &Api,
    schema: &Schema,
    value: &Value,
    location: &str,
    problems: &mut Vec<Problem>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let nullable = schema.nullable;
    let schema = match api.resolve(schema) {
        Some(resolved) => resolved,
        None => return,
    };
    if value.is_null() {
        if !(nullable
            || schema.nullable
            || matches!(schema.kind, SchemaKind::Null | SchemaKind::Any))
        {
            problem(problems, location, "must not be null".to_owned());
        }
        return;
    }
    if !schema.enumeration.is_empty() && !schema.enumeration.contains(value) {
        let allowed: Vec<String> = schema.enumeration.iter().map(Value::to_string).collect();
        problem(
            problems,
            location,
            format!("{value} is not one of {}", allowed.join(", ")),
        );
    }
    match &schema.kind {
        SchemaKind::Any | SchemaKind::Ref(_) => {}
        SchemaKind::Null => problem(problems, location, "must be null".to_owned()),
        SchemaKind::Boolean => {
            if !value.is_boolean() {
                problem(
                    problems,
                    location,
                    format!("must be a boolean, not {value}"),
                );
            }
        }
        SchemaKind::Integer(number) | SchemaKind::Number(number) => {
            let is_integer = value.as_i64().is_some()
                || value.as_u64().is_some()
                || value.as_f64().is_some_and(|float| float.fract() == 0.0);
            let Some(float) = value.as_f64() else {
                problem(problems, location, format!("must be a number, not {value}"));
                return;
            };
            if matches!(schema.kind, SchemaKind::Integer(_)) && !is_integer {
                problem(
                    problems,
                    location,
                    format!("must be an integer, not {value}"),
                );
            }
            if number.minimum.is_some_and(|minimum| float < minimum)
                || number
                    .exclusive_minimum
                    .is_some_and(|minimum| float <= minimum)
            {
                problem(problems, location, format!("{value} is below the minimum"));
            }
            if number.maximum.is_some_and(|maximum| float > maximum)
                || number
                    .exclusive_maximum
                    .is_some_and(|maximum| float >= maximum)
            {
                problem(problems, location, format!("{value} is above the maximum"));
            }
        }
        SchemaKind::String(string) => {
            let Some(text) = value.as_str() else {
                problem(problems, location, format!("must be a string, not {value}"));
                return;
            };
            let length = text.chars().count() as u64;
            if string.min_length.is_some_and(|minimum| length < minimum) {
                problem(
                    problems,
                    location,
                    format!(
                        "is shorter than {} characters",
                        string.min_length.unwrap_or_default()
                    ),
                );
            }
            if string.max_length.is_some_and(|maximum| length > maximum) {
                problem(
                    problems,
                    location,
                    format!(
                        "is longer than {} characters",
                        string.max_length.unwrap_or_default()
                    ),
                );
            }
            if let Some(pattern) = &string.pattern
                && text.len() <= MAX_PATTERN_INPUT
                && matches_pattern(pattern, text) == Some(false)
            {
                problem(
                    problems,
                    location,
                    format!("{text:?} does not match the pattern {pattern:?}"),
                );
            }
            let format_ok = match string.format.as_deref() {
                Some("uuid") => is_uuid(text),
                Some("date-time") => text.len() >= 20 && text.as_bytes().get(10) == Some(&b'T'),
                Some("date") => text.len() == 10 && text.as_bytes().get(4) == Some(&b'-'),
                _ => true,
            };
            if !format_ok {
                problem(
                    problems,
                    location,
                    format!(
                        "{text:?} is not a valid {}",
                        string.format.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        SchemaKind::Array(array) => {
            let Some(items) = value.as_array() else {
                problem(
                    problems,
                    location,
                    format!("must be an array, not {}", sdkgen_model::json_kind(value)),
                );
                return;
            };
            if array
                .min_items
                .is_some_and(|minimum| (items.len() as u64) < minimum)
            {
                problem(
                    problems,
                    location,
                    format!(
                        "has fewer than {} items",
                        array.min_items.unwrap_or_default()
                    ),
                );
            }
            if array
                .max_items
                .is_some_and(|maximum| (items.len() as u64) > maximum)
            {
                problem(
                    problems,
                    location,
                    format!(
                        "has more than {} items",
                        array.max_items.unwrap_or_default()
                    ),
                );
            }
            for (index, item) in items.iter().enumerate().take(10_000) {
                check(
                    api,
                    &array.items,
                    item,
                    &format!("{location}/{index}"),
                    problems,
                    depth + 1,
                );
            }
        }
        SchemaKind::Object(object) => {
            let Some(fields) = value.as_object() else {
                problem(
                    problems,
                    location,
                    format!("must be an object, not {}", sdkgen_model::json_kind(value)),
                );
                return;
            };
            for required in &object.required {
                let read_only = object
                    .properties
                    .get(required)
                    .is_some_and(|property| property.read_only);
                if !fields.contains_key(required) && !read_only {
                    problem(
                        problems,
                        &format!("{location}/{required}"),
                        "is required".to_owned(),
                    );
                }
            }
            for (name, field) in fields {
                match object.properties.get(name) {
                    Some(property) => check(
                        api,
                        property,
                        field,
                        &format!("{location}/{name}"),
                        problems,
                        depth + 1,
                    ),
                    None => match &object.additional_properties {
                        AdditionalProperties::Forbidden => problem(
                            problems,
                            &format!("{location}/{name}"),
                            "is not an allowed property".to_owned(),
                        ),
                        AdditionalProperties::Schema(values) => check(
                            api,
                            values,
                            field,
                            &format!("{location}/{name}"),
                            problems,
                            depth + 1,
                        ),
                        _ => {}
                    },
                }
            }
        }
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => {
            let matches = union.variants.iter().any(|variant| {
                let mut scratch = Vec::new();
                check(api, variant, value, location, &mut scratch, depth + 1);
                scratch.is_empty()
            });
            if !matches {
                problem(
                    problems,
                    location,
                    "matches none of the allowed shapes".to_owned(),
                );
            }
        }
        SchemaKind::AllOf(parts) => {
            for part in parts {
                check(api, part, value, location, problems, depth + 1);
            }
        }
        SchemaKind::Not(inner) => {
            let mut scratch = Vec::new();
            check(api, inner, value, location, &mut scratch, depth + 1);
            if scratch.is_empty() {
                problem(
                    problems,
                    location,
                    "matches a shape that is not allowed".to_owned(),
                );
            }
        }
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(index, character)| match index {
            8 | 13 | 18 | 23 => character == '-',
            _ => character.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems_for(pattern: &str, text: &str) -> Vec<Problem> {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: P, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Code: {{type: string, pattern: '{pattern}'}}\n"
        );
        let api = sdkgen_loader::load_str(&spec, "p.yaml").expect("spec loads");
        let schema = sdkgen_model::Schema::new(sdkgen_model::SchemaKind::Ref("Code".to_owned()));
        let mut problems = Vec::new();
        check(&api, &schema, &Value::from(text), "body", &mut problems, 0);
        problems
    }

    #[test]
    fn strings_are_matched_against_their_pattern_with_lookaround() {
        assert!(problems_for("^[a-z]{3}$", "abc").is_empty());
        let problems = problems_for("^[a-z]{3}$", "ABC");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("does not match the pattern"),
            "{problems:?}"
        );
        // Lookahead: ECMAScript has it, and fancy-regex (Rust's regex crate does not).
        assert!(problems_for("^(?=.*\\d)[a-z\\d]+$", "abc1").is_empty());
        assert_eq!(problems_for("^(?=.*\\d)[a-z\\d]+$", "abc").len(), 1);
    }

    /// `\d` and `\w` are ASCII, as in ECMAScript, inside and outside classes.
    #[test]
    fn digit_and_word_classes_are_ascii() {
        assert_eq!(matches_pattern("^\\d{3}$", "123"), Some(true));
        assert_eq!(matches_pattern("^\\d{3}$", "١٢٣"), Some(false));
        assert_eq!(matches_pattern("^[\\d-]+$", "1-2"), Some(true));
        assert_eq!(matches_pattern("^[\\d-]+$", "١-٢"), Some(false));
        assert_eq!(matches_pattern("^\\w+$", "a_1"), Some(true));
        assert_eq!(matches_pattern("^\\w+$", "é"), Some(false));
        assert_eq!(matches_pattern("^\\D\\W$", "a!"), Some(true));
        assert_eq!(matches_pattern("^[\\D]$", "1"), Some(false));
        // Escapes that are not classes stay as they are.
        assert_eq!(matches_pattern("^\\.\\\\d$", ".\\d"), Some(true));
    }

    /// Catastrophic backtracking (nested quantifiers, alone or beside lookaround) ends: in
    /// linear time where no lookaround is needed, at the backtracking limit otherwise.
    #[test]
    fn hostile_patterns_do_not_make_the_sandbox_spin() {
        let hostile = format!("{}!", "a".repeat(4000));
        assert_eq!(problems_for("^(a+)+$", &hostile).len(), 1);
        assert!(problems_for("^(a+)+$", &"a".repeat(4000)).is_empty());
        // A lookahead outside the loop: still decided in linear time.
        assert_eq!(matches_pattern("^(?=a)(a+)+$", &hostile), Some(false));
        assert_eq!(matches_pattern("^(?=a)(a+)+$", "aaa"), Some(true));
        // A backreference needs the backtracking engine: it gives up, and nothing is
        // validated, instead of spinning for longer than the universe has.
        assert_eq!(matches_pattern("^(a|a)+\\1$", &hostile), None);
        assert_eq!(matches_pattern("^(a|a)+\\1$", "aaa"), Some(true));
        assert!(problems_for("^(a|a)+\\1$", &hostile).is_empty());
    }

    #[test]
    fn patterns_that_do_not_compile_and_huge_strings_are_not_matched() {
        assert!(problems_for("([a-z", "anything").is_empty());
        assert!(problems_for("^a$", &"b".repeat(MAX_PATTERN_INPUT + 1)).is_empty());
    }

    /// The problems and validated query of `GET /items?{query}` with `headers`, against
    /// parameters in every style.
    fn items(query: &str, headers: &[(&str, &str)]) -> Result<Validated, Vec<Problem>> {
        let spec = r#"
openapi: 3.0.3
info: {title: P, version: '1'}
paths:
  /items:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
        - {name: ids, in: query, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: pipes, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: spaces, in: query, style: spaceDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: x-trace, in: header, schema: {type: string}}
        - {name: x-list, in: header, schema: {type: array, items: {type: string}}}
      responses: {'200': {description: ok}}
"#;
        let api = sdkgen_loader::load_str(spec, "p.yaml").expect("spec loads");
        let operation = &api.operations[0];
        let mut header_map = HeaderMap::new();
        for (name, value) in headers {
            header_map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                axum::http::HeaderValue::from_str(value).expect("a header value"),
            );
        }
        request(
            &api,
            operation,
            &HashMap::new(),
            &parse_query(query),
            &header_map,
            &Bytes::new(),
        )
    }

    fn messages(result: Result<Validated, Vec<Problem>>) -> Vec<String> {
        result
            .expect_err("invalid")
            .into_iter()
            .map(|problem| format!("{}: {}", problem.location, problem.message))
            .collect()
    }

    #[test]
    fn parameters_are_read_in_their_style_and_explode() {
        let valid = items(
            "limit=5&tags=a&tags=b,c&ids=1,2,3&pipes=x|y&spaces=x%20y%20z",
            &[("x-list", "a, b"), ("x-list", "c")],
        )
        .expect("valid");
        assert_eq!(valid.query["limit"], Value::from(5));
        assert_eq!(valid.query["tags"], serde_json::json!(["a", "b,c"]));
        assert_eq!(valid.query["ids"], serde_json::json!([1, 2, 3]));
        assert_eq!(valid.query["pipes"], serde_json::json!(["x", "y"]));
        assert_eq!(valid.query["spaces"], serde_json::json!(["x", "y", "z"]));
    }

    #[test]
    fn a_value_given_twice_where_one_is_expected_is_refused() {
        assert_eq!(
            messages(items("limit=100&limit=1", &[])),
            ["query.limit: is given 2 times; it takes one value"]
        );
        assert_eq!(
            messages(items("limit=1&limit=abc", &[])),
            ["query.limit: is given 2 times; it takes one value"]
        );
        assert_eq!(
            messages(items("ids=1&ids=2", &[])),
            ["query.ids: is given 2 times; its items go in one value, separated by ','"]
        );
        assert_eq!(
            messages(items("pipes=a&pipes=b", &[])),
            ["query.pipes: is given 2 times; its items go in one value, separated by '|'"]
        );
        assert_eq!(
            messages(items("", &[("x-trace", "a"), ("x-trace", "b")])),
            ["header.x-trace: is given 2 times; it takes one value"]
        );
        assert_eq!(
            messages(items("ids=1,x", &[])),
            ["query.ids/1: must be a number, not \"x\""]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Hostile query strings and headers give an answer, never a panic.
        #[test]
        fn any_query_is_answered(query in "[a-z=&,|%0-9 .x-]{0,64}", header in "[ -~]{0,32}") {
            let _ = items(&query, &[("x-trace", header.as_str()), ("x-list", header.as_str())]);
        }
    }
}
