//! Values synthesised from schemas: valid, deterministic, and full (optional properties too,
//! so that clients decode every field). Formats are honoured (an integer `unixtime` is a
//! number of seconds, a string `date-time` a date), and an example, enum value or default
//! that does not fit its own schema (a date string given as the example of a `unixtime`
//! integer) is passed over for a synthesised value.

use sdkgen_model::{AdditionalProperties, Api, Schema, SchemaKind};
use serde_json::{Map, Value, json};

/// 2026-01-01T12:00:00Z in seconds since the epoch: the time every synthesised date says.
const UNIX_TIME: i64 = 1_767_268_800;

/// A value of the schema. Deep recursion stops at `depth` with the smallest valid value.
/// The longest string synthesised to meet a `minLength`.
const MAX_SYNTHESISED_LENGTH: usize = 4096;

pub fn value(api: &Api, schema: &Schema, depth: usize) -> Value {
    let nullable = schema.nullable;
    let Some(resolved) = api.resolve(schema) else {
        return Value::Null;
    };
    let fits = |candidate: &Value| {
        let mut problems = Vec::new();
        crate::validate::check(api, schema, candidate, "", &mut problems, 0);
        problems.is_empty()
    };
    let given = [resolved.example.as_ref(), schema.example.as_ref()]
        .into_iter()
        .flatten()
        .chain(resolved.enumeration.first())
        .chain(resolved.default.as_ref())
        .find(|candidate| fits(candidate));
    if let Some(given) = given {
        return given.clone();
    }
    if depth > 6 && (nullable || resolved.nullable) {
        return Value::Null;
    }
    match &resolved.kind {
        SchemaKind::Any => json!({}),
        SchemaKind::Ref(_) | SchemaKind::Null | SchemaKind::Not(_) => Value::Null,
        SchemaKind::Boolean => Value::Bool(true),
        SchemaKind::Integer(number)
            if matches!(
                number.format.as_deref(),
                Some("unixtime" | "unix-time" | "timestamp")
            ) && number
                .minimum
                .is_none_or(|minimum| minimum <= UNIX_TIME as f64)
                && number
                    .maximum
                    .is_none_or(|maximum| maximum >= UNIX_TIME as f64) =>
        {
            json!(UNIX_TIME)
        }
        SchemaKind::Integer(number) => {
            let low = number
                .minimum
                .or(number.exclusive_minimum.map(|minimum| minimum + 1.0))
                .unwrap_or(1.0);
            json!(
                low.max(if number.maximum.is_some_and(|maximum| maximum < 1.0) {
                    low
                } else {
                    1.0
                }) as i64
            )
        }
        SchemaKind::Number(number) => json!(number.minimum.unwrap_or(1.5)),
        SchemaKind::String(string) => {
            let text = match string.format.as_deref() {
                Some("date-time") => "2026-01-01T12:00:00Z".to_owned(),
                Some("date") => "2026-01-01".to_owned(),
                Some("time") => "12:00:00Z".to_owned(),
                Some("duration") => "PT1H".to_owned(),
                Some("ipv4") => "192.0.2.1".to_owned(),
                Some("ipv6") => "2001:db8::1".to_owned(),
                Some("hostname") => "example.com".to_owned(),
                Some("uri-reference") => "/sandbox".to_owned(),
                Some("uuid") => "00000000-0000-4000-8000-000000000001".to_owned(),
                Some("email") => "someone@example.com".to_owned(),
                Some("uri" | "url") => "https://example.com/".to_owned(),
                Some("byte") => "c2FuZGJveA==".to_owned(),
                _ => "sandbox".to_owned(),
            };
            // A spec's minLength is padded up to, but no further than 4,096 characters: one
            // keyword must not make every answer huge (or the sandbox run out of memory).
            let minimum = usize::try_from(string.min_length.unwrap_or(0))
                .unwrap_or(usize::MAX)
                .min(MAX_SYNTHESISED_LENGTH);
            let maximum = string
                .max_length
                .and_then(|maximum| usize::try_from(maximum).ok())
                .unwrap_or(usize::MAX);
            let mut text: String = text.chars().take(maximum).collect();
            let length = text.chars().count();
            text.extend(std::iter::repeat_n('x', minimum.saturating_sub(length)));
            Value::String(text)
        }
        SchemaKind::Array(array) => {
            let count = array.min_items.unwrap_or(0).min(3) as usize;
            Value::Array(
                (0..count)
                    .map(|_| value(api, &array.items, depth + 1))
                    .collect(),
            )
        }
        SchemaKind::Object(object) => {
            let mut fields = Map::new();
            for (name, property) in &object.properties {
                if depth > 3 && !object.is_required(name) {
                    continue;
                }
                fields.insert(name.clone(), value(api, property, depth + 1));
            }
            if let (true, AdditionalProperties::Schema(values)) = (
                object.properties.is_empty() && depth < 3,
                &object.additional_properties,
            ) {
                fields.insert("key".to_owned(), value(api, values, depth + 1));
            }
            Value::Object(fields)
        }
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => union
            .variants
            .first()
            .map_or(Value::Null, |variant| value(api, variant, depth + 1)),
        SchemaKind::AllOf(parts) => {
            let mut merged = Map::new();
            for part in parts {
                match value(api, part, depth + 1) {
                    Value::Object(fields) => merged.extend(fields),
                    other if parts.len() == 1 => return other,
                    _ => {}
                }
            }
            Value::Object(merged)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synthesised(schema: &str) -> Value {
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: S, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    It: {schema}\n"
        );
        let api = sdkgen_loader::load_str(&spec, "s.yaml").expect("spec loads");
        value(&api, &Schema::new(SchemaKind::Ref("It".to_owned())), 0)
    }

    #[test]
    fn a_huge_min_length_is_capped() {
        let long = synthesised("{type: string, minLength: 1000000000000}");
        assert_eq!(long.as_str().map(str::len), Some(MAX_SYNTHESISED_LENGTH));
        let short = synthesised("{type: string, minLength: 10}");
        assert_eq!(short, json!("sandboxxxx"));
    }

    #[test]
    fn formats_are_honoured() {
        assert_eq!(
            synthesised("{type: integer, format: unixtime}"),
            json!(UNIX_TIME)
        );
        assert_eq!(synthesised("{type: integer, format: int64}"), json!(1));
        assert_eq!(
            synthesised("{type: string, format: date-time}"),
            json!("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            synthesised("{type: string, format: ipv4}"),
            json!("192.0.2.1")
        );
    }

    #[test]
    fn examples_that_do_not_fit_their_schema_are_passed_over() {
        assert_eq!(
            synthesised("{type: integer, format: unixtime, example: '2026-01-01T00:00:00Z'}"),
            json!(UNIX_TIME)
        );
        assert_eq!(synthesised("{type: integer, example: 42}"), json!(42));
        assert_eq!(
            synthesised("{type: string, enum: [a, b], default: b}"),
            json!("a")
        );
        assert_eq!(
            synthesised(
                "{type: object, required: [at], properties: {at: {type: integer, format: unixtime}}}"
            ),
            json!({"at": UNIX_TIME})
        );
    }
}
