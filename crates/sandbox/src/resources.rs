//! In-memory resources, so that create, read, update, list and delete round-trip.
//!
//! Resources are kept by the schema an operation answers with (a `Task` is stored in the
//! `Task` table by its `id`), which links `POST /projects/{id}/tasks` to `GET /tasks/{id}`
//! whatever the URL layout. Lists answer the stored items, filtered by path parameters that
//! name a property (`project_id`), a page at a time.

use std::collections::{HashMap, VecDeque};

use axum::http::StatusCode;
use sdkgen_model::{Api, BodyKind, Method, Operation, ResponseStatus, Schema, SchemaKind};
use serde_json::{Map, Value};

use crate::synthesize;

/// What to answer.
pub enum Answer {
    Json(StatusCode, Value),
    Bytes(StatusCode, String, Vec<u8>),
    Empty(StatusCode),
}

/// Resources by schema name, oldest first; bounded per schema.
pub struct Store {
    tables: HashMap<String, VecDeque<Value>>,
    max: usize,
    next_id: u64,
}

impl Store {
    pub fn new(max: usize) -> Self {
        Store {
            tables: HashMap::new(),
            max: max.max(1),
            next_id: 1,
        }
    }

    fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        format!("00000000-0000-4000-8000-{id:012x}")
    }

    fn insert(&mut self, table: &str, value: Value) {
        let rows = self.tables.entry(table.to_owned()).or_default();
        if rows.len() >= self.max {
            rows.pop_front();
        }
        rows.push_back(value);
    }

    fn find(&mut self, table: &str, id: &str) -> Option<&mut Value> {
        self.tables
            .get_mut(table)?
            .iter_mut()
            .find(|row| row.get("id").and_then(Value::as_str) == Some(id))
    }

    fn remove(&mut self, table: &str, id: &str) -> bool {
        let Some(rows) = self.tables.get_mut(table) else {
            return false;
        };
        let before = rows.len();
        rows.retain(|row| row.get("id").and_then(Value::as_str) != Some(id));
        rows.len() != before
    }
}

/// The property names of an object schema, `allOf` parts merged.
fn properties(api: &Api, schema: &Schema, depth: usize) -> Option<Vec<String>> {
    match &api.resolve(schema)?.kind {
        SchemaKind::Object(object) => Some(object.properties.keys().cloned().collect()),
        SchemaKind::AllOf(parts) if depth < 8 => {
            let mut names = Vec::new();
            for part in parts {
                names.extend(properties(api, part, depth + 1)?);
            }
            Some(names)
        }
        _ => None,
    }
}

/// The named schema a schema is (through one reference), if it is a resource: an object with
/// an `id` property.
fn resource<'a>(api: &'a Api, schema: &'a Schema) -> Option<&'a str> {
    let name = schema.ref_name()?;
    properties(api, schema, 0)?
        .iter()
        .any(|property| property == "id")
        .then_some(name)
}

fn not_found() -> Answer {
    Answer::Json(
        StatusCode::NOT_FOUND,
        crate::error_body("not_found", "no such resource", None),
    )
}

fn overlay(target: &mut Value, body: Option<&Value>, schema: &Schema, api: &Api) {
    let (Some(Value::Object(fields)), Value::Object(target)) = (body, target) else {
        return;
    };
    let Some(properties) = properties(api, schema, 0) else {
        return;
    };
    for (name, value) in fields {
        if properties.contains(name) && name != "id" {
            target.insert(name.clone(), value.clone());
        }
    }
}

/// Timestamps of created resources: fixed, so that answers are deterministic.
const TIMESTAMP: &str = "2026-01-01T12:00:00Z";

/// The answer to a valid, paid request.
pub fn respond(
    api: &Api,
    operation: &Operation,
    path_values: &HashMap<String, String>,
    query: &[(String, String)],
    body: Option<&Value>,
    raw_body: &[u8],
    store: &mut Store,
) -> Answer {
    let Some(response) =
        operation
            .success_responses()
            .min_by_key(|response| match response.status {
                ResponseStatus::Code(code) => code,
                _ => 299,
            })
    else {
        return Answer::Empty(StatusCode::NO_CONTENT);
    };
    let status = match response.status {
        ResponseStatus::Code(code) => StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
        _ => StatusCode::OK,
    };
    let last_path_value = operation
        .path
        .rsplit('/')
        .next()
        .and_then(|segment| {
            segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
        })
        .and_then(|name| path_values.get(name));

    if response.content.is_empty() {
        if operation.method == Method::Delete
            && let (Some(id), Some(table)) = (last_path_value, sibling_table(api, operation))
            && !store.remove(&table, id)
        {
            return not_found();
        }
        return Answer::Empty(status);
    }
    let Some(media) = response
        .content
        .iter()
        .find(|media| media.kind() == BodyKind::Json)
    else {
        let media_type = response
            .content
            .first()
            .map(|media| media.media_type.clone())
            .unwrap_or_default();
        let content_type = if media_type.contains('*') {
            "application/octet-stream".to_owned()
        } else {
            media_type
        };
        let bytes =
            format!("sandbox content ({} bytes uploaded before)", raw_body.len()).into_bytes();
        return Answer::Bytes(status, content_type, bytes);
    };
    let Some(schema) = &media.schema else {
        return Answer::Json(
            status,
            media.example.clone().unwrap_or(Value::Object(Map::new())),
        );
    };
    if let Some(table) = resource(api, schema) {
        match (operation.method, last_path_value) {
            (Method::Post, _) if !operation.path.ends_with('}') => {
                let mut created = synthesize::value(api, schema, 0);
                overlay(&mut created, body, schema, api);
                if let Value::Object(fields) = &mut created {
                    fields.insert("id".to_owned(), Value::String(store.new_id()));
                    for (name, value) in path_values {
                        if fields.contains_key(name) {
                            fields.insert(name.clone(), Value::String(value.clone()));
                        }
                    }
                    for stamp in ["created_at", "updated_at"] {
                        if fields.contains_key(stamp) {
                            fields.insert(stamp.to_owned(), Value::String(TIMESTAMP.to_owned()));
                        }
                    }
                }
                store.insert(table, created.clone());
                return Answer::Json(status, created);
            }
            (Method::Get, Some(id)) => {
                return match store.find(table, id) {
                    Some(found) => Answer::Json(status, found.clone()),
                    None => not_found(),
                };
            }
            (Method::Patch | Method::Put, Some(id)) => {
                return match store.find(table, id) {
                    Some(found) => {
                        overlay(found, body, schema, api);
                        Answer::Json(status, found.clone())
                    }
                    None => not_found(),
                };
            }
            _ => {}
        }
    }
    if operation.method == Method::Get
        && let Some(answer) = list(api, schema, path_values, query, store, status)
    {
        return answer;
    }
    Answer::Json(
        status,
        media
            .example
            .clone()
            .unwrap_or_else(|| synthesize::value(api, schema, 0)),
    )
}

/// The table of the resource a DELETE removes: the one its path's GET answers with.
fn sibling_table(api: &Api, operation: &Operation) -> Option<String> {
    api.operations
        .iter()
        .filter(|other| other.path == operation.path && other.method == Method::Get)
        .flat_map(|other| other.success_responses())
        .flat_map(|response| response.content.iter())
        .filter_map(|media| media.schema.as_ref())
        .find_map(|schema| resource(api, schema).map(str::to_owned))
}

/// A page of stored resources, when the response is a list of them (an array, or an object
/// with an array property).
fn list(
    api: &Api,
    schema: &Schema,
    path_values: &HashMap<String, String>,
    query: &[(String, String)],
    store: &mut Store,
    status: StatusCode,
) -> Option<Answer> {
    let resolved = api.resolve(schema)?;
    let (items_property, items_schema) = match &resolved.kind {
        SchemaKind::Array(array) => (None, &*array.items),
        SchemaKind::Object(object) => object.properties.iter().find_map(|(name, property)| {
            match &api.resolve(property)?.kind {
                SchemaKind::Array(array) if resource(api, &array.items).is_some() => {
                    Some((Some(name.clone()), &*array.items))
                }
                _ => None,
            }
        })?,
        _ => return None,
    };
    let table = resource(api, items_schema)?;
    let rows: Vec<Value> = store
        .tables
        .get(table)
        .map(|rows| {
            rows.iter()
                .filter(|row| {
                    path_values.iter().all(|(name, value)| {
                        row.get(name)
                            .and_then(Value::as_str)
                            .is_none_or(|field| field == value)
                    })
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let parameter = |names: &[&str]| {
        query
            .iter()
            .find(|(key, _)| names.contains(&key.as_str()))
            .map(|(_, value)| value.clone())
    };
    let offset: usize = parameter(&["cursor", "page_token", "offset"])
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let limit: usize = parameter(&["limit", "per_page", "page_size"])
        .and_then(|value| value.parse().ok())
        .unwrap_or(50)
        .clamp(1, 1000);
    let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
    let next = (offset + limit < rows.len()).then(|| (offset + limit).to_string());
    let Some(items_property) = items_property else {
        return Some(Answer::Json(status, Value::Array(page)));
    };
    let mut answer = synthesize::value(api, schema, 0);
    if let Value::Object(fields) = &mut answer {
        fields.insert(items_property, Value::Array(page));
        for name in ["next_cursor", "next_page", "next"] {
            if fields.contains_key(name) {
                fields.insert(
                    name.to_owned(),
                    next.clone().map_or(Value::Null, Value::String),
                );
            }
        }
    }
    Some(Answer::Json(status, answer))
}
