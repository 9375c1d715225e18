//! Values synthesised from schemas: valid, deterministic, and full (optional properties too,
//! so that clients decode every field).

use sdkgen_model::{AdditionalProperties, Api, Schema, SchemaKind};
use serde_json::{Map, Value, json};

/// A value of the schema. Deep recursion stops at `depth` with the smallest valid value.
pub fn value(api: &Api, schema: &Schema, depth: usize) -> Value {
    let nullable = schema.nullable;
    let Some(resolved) = api.resolve(schema) else {
        return Value::Null;
    };
    if let Some(example) = resolved.example.as_ref().or(schema.example.as_ref()) {
        return example.clone();
    }
    if let Some(first) = resolved.enumeration.first() {
        return first.clone();
    }
    if let Some(default) = &resolved.default {
        return default.clone();
    }
    if depth > 6 && (nullable || resolved.nullable) {
        return Value::Null;
    }
    match &resolved.kind {
        SchemaKind::Any => json!({}),
        SchemaKind::Ref(_) | SchemaKind::Null | SchemaKind::Not(_) => Value::Null,
        SchemaKind::Boolean => Value::Bool(true),
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
                Some("uuid") => "00000000-0000-4000-8000-000000000001".to_owned(),
                Some("email") => "someone@example.com".to_owned(),
                Some("uri" | "url") => "https://example.com/".to_owned(),
                Some("byte") => "c2FuZGJveA==".to_owned(),
                _ => "sandbox".to_owned(),
            };
            let minimum = string.min_length.unwrap_or(0) as usize;
            let maximum = string
                .max_length
                .map(|maximum| maximum as usize)
                .unwrap_or(usize::MAX);
            let mut text: String = text.chars().take(maximum).collect();
            while text.chars().count() < minimum {
                text.push('x');
            }
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
