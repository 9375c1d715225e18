//! Resources, so that create, read, update, list and delete round-trip, each kept for the
//! organisation that created it.
//!
//! Resources are kept by the schema an operation answers with (a `Task` is stored in the
//! `Task` table by its `id`), which links `POST /projects/{id}/tasks` to `GET /tasks/{id}`
//! whatever the URL layout. Lists answer the stored items, filtered by path parameters that
//! name a property (`project_id`), a page at a time.
//!
//! Every table belongs to a [`Scope`]: a served major (its base path) and an organisation.
//! A path parameter that names a resource (`/projects/{project_id}/...`, found through the GET
//! of that path prefix) must name one of the caller's own, or the answer is 404: another
//! organisation's resources cannot be read, changed, listed, deleted or built upon.
//!
//! The store is in memory, optionally written through to a database ([`crate::persist`]).

use std::collections::{HashMap, VecDeque};

use axum::http::StatusCode;
use sdkgen_model::{Api, BodyKind, Method, Operation, ResponseStatus, Schema, SchemaKind};
use serde_json::{Map, Value};

use crate::persist::{Database, Saved};
use crate::validate::Validated;
use crate::{multipart, synthesize};

/// What to answer.
pub enum Answer {
    Json(StatusCode, Value),
    Bytes(StatusCode, String, Vec<u8>),
    Empty(StatusCode),
}

/// Whose resources: a served major (by its base path) and an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scope {
    pub base: String,
    pub organization: String,
}

type TableKey = (Scope, String);

/// The most bytes of uploaded files kept in memory, all organisations together.
const MAX_CONTENT_BYTES: usize = 64 * 1024 * 1024;
/// The most uploaded files kept in memory (each found by a scan).
const MAX_CONTENTS: usize = 10_000;

/// Resources by scope and schema name, oldest first; bounded per table. Uploaded files' bytes
/// are kept in memory only, bounded in total.
pub struct Store {
    tables: HashMap<TableKey, VecDeque<Value>>,
    contents: VecDeque<((Scope, String), String, Vec<u8>)>,
    content_bytes: usize,
    max: usize,
    next_id: u64,
    database: Option<Database>,
}

impl Store {
    pub fn new(max: usize) -> Self {
        Store {
            tables: HashMap::new(),
            contents: VecDeque::new(),
            content_bytes: 0,
            max: max.max(1),
            next_id: 1,
            database: None,
        }
    }

    /// A store written through to `database`, starting with what it holds.
    pub fn with_database(max: usize, database: Database, saved: Vec<Saved>) -> Self {
        let mut store = Store::new(max);
        for (scope, table, value) in saved {
            if let Some(number) = value.get("id").and_then(Value::as_str).and_then(id_number) {
                store.next_id = store.next_id.max(number + 1);
            }
            store
                .tables
                .entry((scope, table))
                .or_default()
                .push_back(value);
        }
        store.database = Some(database);
        store
    }

    fn new_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        format!("{ID_PREFIX}{id:012x}")
    }

    fn persist(&self, scope: &Scope, table: &str, value: &Value) {
        if let (Some(database), Some(id)) =
            (&self.database, value.get("id").and_then(Value::as_str))
        {
            database.put(scope, table, id, value);
        }
    }

    fn unpersist(&self, scope: &Scope, table: &str, id: &str) {
        if let Some(database) = &self.database {
            database.delete(scope, table, id);
        }
    }

    fn insert(&mut self, scope: &Scope, table: &str, value: Value) {
        self.persist(scope, table, &value);
        let rows = self
            .tables
            .entry((scope.clone(), table.to_owned()))
            .or_default();
        let evicted = if rows.len() >= self.max {
            rows.pop_front()
        } else {
            None
        };
        rows.push_back(value);
        if let Some(id) = evicted
            .as_ref()
            .and_then(|row| row.get("id"))
            .and_then(Value::as_str)
        {
            self.unpersist(scope, table, id);
        }
    }

    fn find(&mut self, scope: &Scope, table: &str, id: &str) -> Option<&mut Value> {
        self.tables
            .get_mut(&(scope.clone(), table.to_owned()))?
            .iter_mut()
            .find(|row| row.get("id").and_then(Value::as_str) == Some(id))
    }

    fn contains(&self, scope: &Scope, table: &str, id: &str) -> bool {
        self.tables
            .get(&(scope.clone(), table.to_owned()))
            .is_some_and(|rows| {
                rows.iter()
                    .any(|row| row.get("id").and_then(Value::as_str) == Some(id))
            })
    }

    fn remove(&mut self, scope: &Scope, table: &str, id: &str) -> bool {
        let Some(rows) = self.tables.get_mut(&(scope.clone(), table.to_owned())) else {
            return false;
        };
        let before = rows.len();
        rows.retain(|row| row.get("id").and_then(Value::as_str) != Some(id));
        let removed = rows.len() != before;
        if removed {
            self.unpersist(scope, table, id);
        }
        removed
    }

    fn keep_content(&mut self, scope: &Scope, id: &str, content_type: String, data: Vec<u8>) {
        if data.len() > MAX_CONTENT_BYTES {
            return;
        }
        self.content_bytes += data.len();
        self.contents
            .push_back(((scope.clone(), id.to_owned()), content_type, data));
        while self.content_bytes > MAX_CONTENT_BYTES || self.contents.len() > MAX_CONTENTS {
            match self.contents.pop_front() {
                Some((_, _, dropped)) => self.content_bytes -= dropped.len(),
                None => break,
            }
        }
    }

    fn content(&self, scope: &Scope, id: &str) -> Option<(&str, &[u8])> {
        self.contents
            .iter()
            .rev()
            .find(|((owner, kept), _, _)| owner == scope && kept == id)
            .map(|(_, content_type, data)| (content_type.as_str(), data.as_slice()))
    }
}

/// Ids are UUIDs counting from this prefix, so that answers are deterministic.
const ID_PREFIX: &str = "00000000-0000-4000-8000-";

fn id_number(id: &str) -> Option<u64> {
    u64::from_str_radix(id.strip_prefix(ID_PREFIX)?, 16).ok()
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

/// The request as the store needs it.
pub struct Request<'a> {
    pub scope: &'a Scope,
    pub path_values: &'a HashMap<String, String>,
    pub validated: &'a Validated,
    pub content_type: &'a str,
    pub raw_body: &'a [u8],
    /// The caller's budget after this request's charge, when it has one.
    pub facts: Option<&'a Facts>,
}

/// The tables that the path parameters of `operation` name: `/projects/{project_id}/tasks`
/// names a Project by `project_id` when `GET /projects/{project_id}` answers a Project.
fn named_resources(api: &Api, operation: &Operation) -> Vec<(String, String)> {
    let mut named = Vec::new();
    let mut prefix = String::new();
    for segment in operation
        .path
        .split('/')
        .filter(|segment| !segment.is_empty())
    {
        prefix.push('/');
        prefix.push_str(segment);
        let Some(name) = segment
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
        else {
            continue;
        };
        if let Some(table) = table_of_path(api, &prefix) {
            named.push((name.to_owned(), table));
        }
    }
    named
}

/// The table of the resources at `path`: what its GET answers with; else, for `/x/{id}`,
/// what a POST to `/x` creates; else the resource schema the parameter is named after
/// (`comment_id`: `Comment`), so `DELETE /comments/{comment_id}` finds comments too.
fn table_of_path(api: &Api, path: &str) -> Option<String> {
    let answered_by = |method: Method, path: &str| {
        api.operations
            .iter()
            .filter(|other| other.path == path && other.method == method)
            .flat_map(|other| other.success_responses())
            .flat_map(|response| response.content.iter())
            .filter_map(|media| media.schema.as_ref())
            .find_map(|schema| resource(api, schema).map(str::to_owned))
    };
    if let Some(table) = answered_by(Method::Get, path) {
        return Some(table);
    }
    let (parent, last) = path.rsplit_once('/')?;
    let parameter = last.strip_prefix('{')?.strip_suffix('}')?;
    if let Some(table) = answered_by(Method::Post, parent) {
        return Some(table);
    }
    let named: String = parameter
        .strip_suffix("_id")
        .or_else(|| parameter.strip_suffix("Id"))?
        .chars()
        .filter(|character| *character != '_')
        .collect();
    api.schemas
        .keys()
        .find(|name| {
            name.eq_ignore_ascii_case(&named)
                && resource(api, &Schema::new(SchemaKind::Ref((*name).clone()))).is_some()
        })
        .cloned()
}

/// A new resource of `schema` in `table`: synthesised, then what the caller sent, then the
/// path's values, a new id and the timestamps.
fn create(
    api: &Api,
    schema: &Schema,
    sent: Option<&Value>,
    request: &Request<'_>,
    store: &mut Store,
) -> Value {
    let mut created = synthesize::value(api, schema, 0);
    overlay(&mut created, sent, schema, api);
    if let Value::Object(fields) = &mut created {
        fields.insert("id".to_owned(), Value::String(store.new_id()));
        for (name, value) in request.path_values {
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
    created
}

/// What an upload says about itself, as the fields of the resource it creates: the file's
/// name, type and size under the names resources use for them, and the text fields.
fn upload_fields(parts: &[multipart::Part]) -> Value {
    let mut fields = Map::new();
    for part in parts {
        match &part.file_name {
            Some(file_name) => {
                let content_type = part
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                for name in ["file_name", "filename"] {
                    fields.insert(name.to_owned(), Value::String(file_name.clone()));
                }
                for name in ["content_type", "mime_type", "media_type"] {
                    fields.insert(name.to_owned(), Value::String(content_type.clone()));
                }
                for name in ["size_bytes", "size"] {
                    fields.insert(name.to_owned(), Value::from(part.data.len()));
                }
            }
            None => {
                fields.insert(
                    part.name.clone(),
                    Value::String(String::from_utf8_lossy(&part.data).into_owned()),
                );
            }
        }
    }
    Value::Object(fields)
}

/// The answer to a valid, paid request.
pub fn respond(
    api: &Api,
    operation: &Operation,
    request: &Request<'_>,
    store: &mut Store,
) -> Answer {
    let scope = request.scope;
    // Nothing of another organisation: a path naming a resource must name one of the caller's.
    for (name, table) in named_resources(api, operation) {
        if let Some(id) = request.path_values.get(&name)
            && !store.contains(scope, &table, id)
        {
            return not_found();
        }
    }
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
        .and_then(|name| request.path_values.get(name));

    if response.content.is_empty() {
        if operation.method == Method::Delete
            && let (Some(id), Some(table)) = (last_path_value, table_of_path(api, &operation.path))
            && !store.remove(scope, &table, id)
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
        return bytes(api, operation, request, store, status, response);
    };
    let Some(schema) = &media.schema else {
        return Answer::Json(
            status,
            media.example.clone().unwrap_or(Value::Object(Map::new())),
        );
    };
    let creates = operation.method == Method::Post && !operation.path.ends_with('}');
    if let Some(table) = resource(api, schema) {
        match (operation.method, last_path_value) {
            _ if creates => {
                let parts = multipart::parse(request.content_type, request.raw_body);
                let sent = match &parts {
                    Some(parts) => Some(upload_fields(parts)),
                    None => request.validated.body.clone(),
                };
                let created = create(api, schema, sent.as_ref(), request, store);
                if let (Some(parts), Some(id)) = (parts, created.get("id").and_then(Value::as_str))
                    && let Some(file) = parts.into_iter().find(|part| part.file_name.is_some())
                {
                    let content_type = file
                        .content_type
                        .unwrap_or_else(|| "application/octet-stream".to_owned());
                    store.keep_content(scope, id, content_type, file.data);
                }
                store.insert(scope, table, created.clone());
                return Answer::Json(status, created);
            }
            (Method::Get, Some(id)) => {
                return match store.find(scope, table, id) {
                    Some(found) => Answer::Json(status, found.clone()),
                    None => not_found(),
                };
            }
            (Method::Patch | Method::Put, Some(id)) => {
                let updated = match store.find(scope, table, id) {
                    Some(found) => {
                        overlay(found, request.validated.body.as_ref(), schema, api);
                        found.clone()
                    }
                    None => return not_found(),
                };
                store.persist(scope, table, &updated);
                return Answer::Json(status, updated);
            }
            _ => {}
        }
    }
    if creates && let Some(answer) = batch(api, schema, request, store, status) {
        return answer;
    }
    if operation.method == Method::Get
        && let Some(answer) = list(api, schema, request, store, status)
    {
        return answer;
    }
    let mut answer = media
        .example
        .clone()
        .unwrap_or_else(|| synthesize::value(api, schema, 0));
    if let Some(facts) = request.facts {
        tell_facts(api, schema, &mut answer, facts);
    }
    Answer::Json(status, answer)
}

/// The caller's budget, as the answer's own fields may report it.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The plan's name (`build`, `enterprise`), when the organisation has a named plan.
    pub plan: Option<String>,
    pub limit: u32,
    pub remaining: u32,
    /// When the window ends, in seconds since the epoch.
    pub reset: u64,
    pub window_seconds: u64,
}

/// Fills the fields of a synthesised answer that report the caller's budget (`limit`,
/// `remaining`, `reset_at`, `window_seconds`, `points_per_minute`, `plan`) with the true
/// values, so `GET /rate-limit` agrees with the headers; a value its schema would refuse is
/// left as synthesised.
fn tell_facts(api: &Api, schema: &Schema, answer: &mut Value, facts: &Facts) {
    let Value::Object(fields) = answer else {
        return;
    };
    let per_minute = u64::from(facts.limit) * 60 / facts.window_seconds.max(1);
    for (name, field) in fields.iter_mut() {
        let told = match (name.as_str(), &*field) {
            ("limit", Value::Number(_)) => Value::from(facts.limit),
            ("remaining", Value::Number(_)) => Value::from(facts.remaining),
            ("window_seconds", Value::Number(_)) => Value::from(facts.window_seconds),
            ("points_per_minute", Value::Number(_)) => Value::from(per_minute),
            ("reset_at" | "resets_at", Value::Number(_)) => Value::from(facts.reset),
            ("reset_at" | "resets_at", Value::String(_)) => Value::String(rfc3339(facts.reset)),
            ("plan", Value::String(_)) => match &facts.plan {
                Some(plan) => Value::String(plan.clone()),
                None => continue,
            },
            _ => continue,
        };
        let before = std::mem::replace(field, told);
        let mut problems = Vec::new();
        if let Some(property) = property_schema(api, schema, name) {
            crate::validate::check(api, property, field, name, &mut problems, 0);
        }
        if !problems.is_empty() {
            *field = before;
        }
    }
}

/// The schema of an object's property (`allOf` parts searched).
fn property_schema<'a>(api: &'a Api, schema: &'a Schema, name: &str) -> Option<&'a Schema> {
    match &api.resolve(schema)?.kind {
        SchemaKind::Object(object) => object.properties.get(name),
        SchemaKind::AllOf(parts) => parts
            .iter()
            .find_map(|part| property_schema(api, part, name)),
        _ => None,
    }
}

/// `2026-01-01T12:00:00Z` from seconds since the epoch (proleptic Gregorian, UTC).
fn rfc3339(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let time = seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// A response that is not JSON: the bytes uploaded for the resource the path names, or
/// synthesised ones.
fn bytes(
    api: &Api,
    operation: &Operation,
    request: &Request<'_>,
    store: &Store,
    status: StatusCode,
    response: &sdkgen_model::Response,
) -> Answer {
    let uploaded = named_resources(api, operation)
        .iter()
        .rev()
        .filter_map(|(name, _)| request.path_values.get(name))
        .find_map(|id| store.content(request.scope, id));
    if let Some((content_type, data)) = uploaded {
        return Answer::Bytes(status, content_type.to_owned(), data.to_vec());
    }
    if let Some(media) = response
        .content
        .iter()
        .find(|media| is_event_stream(&media.media_type))
    {
        return Answer::Bytes(status, "text/event-stream".to_owned(), events(api, media));
    }
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
    let bytes = format!(
        "sandbox content ({} bytes uploaded before)",
        request.raw_body.len()
    )
    .into_bytes();
    Answer::Bytes(status, content_type, bytes)
}

/// How many events the sandbox's event streams send before closing.
const EVENTS: usize = 3;

fn is_event_stream(media_type: &str) -> bool {
    media_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// A short `text/event-stream` body: a keep-alive comment, then [`EVENTS`] events whose data
/// is a value of the media type's schema in JSON (text without one), then the stream ends, as
/// a provider's stream ends when the client closes it.
fn events(api: &Api, media: &sdkgen_model::MediaType) -> Vec<u8> {
    let mut body = String::from(": the sandbox sends a few events, then closes the stream\n\n");
    for index in 1..=EVENTS {
        let data = match &media.schema {
            Some(schema) => synthesize::value(api, schema, 0).to_string(),
            None => format!("event {index}"),
        };
        body.push_str(&format!("id: {index}\ndata: {data}\n\n"));
    }
    body.into_bytes()
}

/// A batch creation: the answer is an object with an array of resources (`created`) and the
/// request carries an array of objects (the body, or one of its properties). Each item sent is
/// created; the answer's other arrays (`failed`) are empty, since every item was validated.
fn batch(
    api: &Api,
    schema: &Schema,
    request: &Request<'_>,
    store: &mut Store,
    status: StatusCode,
) -> Option<Answer> {
    let SchemaKind::Object(object) = &api.resolve(schema)?.kind else {
        return None;
    };
    let (created_property, item_schema, table) =
        object.properties.iter().find_map(|(name, property)| {
            match &api.resolve(property)?.kind {
                SchemaKind::Array(array) => {
                    resource(api, &array.items).map(|table| (name.clone(), &*array.items, table))
                }
                _ => None,
            }
        })?;
    let sent = match request.validated.body.as_ref()? {
        Value::Array(items) => items,
        Value::Object(fields) => fields.values().find_map(Value::as_array)?,
        _ => return None,
    };
    let created: Vec<Value> = sent
        .iter()
        .map(|item| {
            let value = create(api, item_schema, Some(item), request, store);
            store.insert(request.scope, table, value.clone());
            value
        })
        .collect();
    let mut answer = synthesize::value(api, schema, 0);
    if let Value::Object(fields) = &mut answer {
        for (name, property) in &object.properties {
            if matches!(
                api.resolve(property).map(|schema| &schema.kind),
                Some(SchemaKind::Array(_))
            ) {
                fields.insert(name.clone(), Value::Array(Vec::new()));
            }
        }
        fields.insert(created_property, Value::Array(created));
    }
    Some(Answer::Json(status, answer))
}

/// A page of stored resources, when the response is a list of them (an array, or an object
/// with an array property).
fn list(
    api: &Api,
    schema: &Schema,
    request: &Request<'_>,
    store: &Store,
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
        .get(&(request.scope.clone(), table.to_owned()))
        .map(|rows| {
            rows.iter()
                .filter(|row| {
                    request.path_values.iter().all(|(name, value)| {
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
        names
            .iter()
            .find_map(|name| request.validated.query.get(*name))
            .and_then(|value| match value {
                Value::String(text) => text.parse::<usize>().ok(),
                other => other
                    .as_u64()
                    .and_then(|number| usize::try_from(number).ok()),
            })
    };
    let offset = parameter(&["cursor", "page_token", "offset"]).unwrap_or(0);
    let limit = parameter(&["limit", "per_page", "page_size"])
        .unwrap_or(50)
        .clamp(1, 1000);
    let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
    let next = (offset.saturating_add(limit) < rows.len()).then(|| (offset + limit).to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_in_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_268_800), "2026-01-01T12:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn ids_count_from_their_prefix() {
        assert_eq!(id_number("00000000-0000-4000-8000-00000000000a"), Some(10));
        assert_eq!(id_number("something else"), None);
    }
}
