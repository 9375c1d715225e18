//! Recognises how a list operation pages, from its query parameters and the shape of its
//! success response, or from the `x-pagination` and `x-dropshot-pagination` extensions, which
//! override what the shape suggests (`x-pagination: false` turns recognition off).
//!
//! The rules, in order (names are compared as written; properties are the page's own, or, for
//! the next cursor or URL, those of an object the page holds as `metadata`, `meta`,
//! `pagination`, `paging`, `page_info`, `pageInfo`, `links` or `_links`):
//!
//! | style | the page (a JSON object with an items array: `data`, `items`, `results`, ...) | the request |
//! |---|---|---|
//! | cursor | a string or integer `next_cursor`, `next_page_token`, `nextPageToken`, `next_page`, `next_token`, `continuation_token`, `continue` (or a `next` that is no URL) | a `cursor`, `page_token`, `pageToken`, `token`, `continuation_token`, `page`, `after` or `continue` query parameter |
//! | after-last-id | a boolean `has_more` or `hasMore`, and items with a required `id` | an `after`, `starting_after`, `after_id` or `since_id` query parameter |
//! | next-url | a string `next`, `next_url`, `nextUrl`, `next_link`, `nextLink`, `next_page_url` or `@odata.nextLink` | none needed |
//! | link-header | (or a bare array) and a declared `Link` response header, or a `page` query parameter beside `per_page`, `page_size` or `limit` | |

use indexmap::IndexMap;
use sdkgen_model::{
    BodyKind, NamedSchema, ObjectSchema, Operation, Pagination, PaginationSource, PaginationStyle,
    ParameterLocation, Schema, SchemaKind,
};
use serde_json::Value;

use crate::cost::resolve;

/// Properties of a page that hold its items, in order of preference (cost inference reads
/// them too, to tell a list from a read of one resource).
pub(crate) const ITEMS: [&str; 10] = [
    "data", "items", "results", "entries", "records", "values", "value", "elements", "nodes",
    "edges",
];
/// Properties of a page that hold the next cursor.
const NEXT_CURSOR: [&str; 9] = [
    "next_cursor",
    "nextCursor",
    "next_page_token",
    "nextPageToken",
    "next_page",
    "next_token",
    "nextToken",
    "continuation_token",
    "continue",
];
/// Query parameters that take a cursor.
const CURSOR_PARAMETERS: [&str; 9] = [
    "cursor",
    "page_token",
    "pageToken",
    "token",
    "continuation_token",
    "continuationToken",
    "page",
    "after",
    "continue",
];
/// Boolean properties that say more items follow.
const HAS_MORE: [&str; 2] = ["has_more", "hasMore"];
/// Query parameters that take the last id seen.
const AFTER_PARAMETERS: [&str; 4] = ["after", "starting_after", "after_id", "since_id"];
/// Properties of a page that hold the next page's URL.
const NEXT_URL: [&str; 7] = [
    "next",
    "next_url",
    "nextUrl",
    "next_link",
    "nextLink",
    "next_page_url",
    "@odata.nextLink",
];
/// Object properties of a page that may hold the next cursor or URL instead of the page
/// itself (Kubernetes' `metadata.continue`, Twilio's `meta.next_page_url`).
const CONTAINERS: [&str; 8] = [
    "metadata",
    "meta",
    "pagination",
    "paging",
    "page_info",
    "pageInfo",
    "links",
    "_links",
];
/// Query parameters that give a page's size beside a `page` number.
const PAGE_SIZE_PARAMETERS: [&str; 4] = ["per_page", "page_size", "pageSize", "limit"];

/// How `operation` pages, if it does; and what is wrong with its `x-pagination`, if anything
/// is (then the declaration is ignored and the operation's shape decides).
pub fn recognise(
    operation: &Operation,
    schemas: &IndexMap<String, NamedSchema>,
) -> (Option<Pagination>, Option<String>) {
    match operation
        .extensions
        .get("x-pagination")
        .map(declared_pagination)
    {
        Some(Ok(declared)) => (declared, None),
        Some(Err(problem)) => (recognise_shape(operation, schemas), Some(problem)),
        None => (recognise_shape(operation, schemas), None),
    }
}

/// How `operation` pages, from `x-dropshot-pagination` or its shape.
fn recognise_shape(
    operation: &Operation,
    schemas: &IndexMap<String, NamedSchema>,
) -> Option<Pagination> {
    if operation.extensions.contains_key("x-dropshot-pagination") {
        return Some(Pagination {
            items: Some("items".to_owned()),
            style: PaginationStyle::Cursor {
                parameter: "page_token".to_owned(),
                next: "next_page".to_owned(),
                within: None,
            },
            source: PaginationSource::Declared,
        });
    }
    if !operation.method.is_safe() {
        return None;
    }
    let has_query = |name: &str| {
        operation
            .parameter(ParameterLocation::Query, name)
            .is_some()
    };
    let first_query = |names: &[&'static str]| names.iter().find(|name| has_query(name)).copied();
    let response = operation.success_responses().next()?;
    let schema = response
        .content
        .iter()
        .find(|media| media.kind() == BodyKind::Json)?
        .schema
        .as_ref()?;
    let link_header = response
        .headers
        .iter()
        .any(|header| header.name.eq_ignore_ascii_case("link"))
        || (has_query("page") && first_query(&PAGE_SIZE_PARAMETERS).is_some());
    let page = match &resolve(schema, schemas).kind {
        SchemaKind::Array(_) if link_header => {
            return Some(recognised(None, PaginationStyle::LinkHeader));
        }
        SchemaKind::Object(object) => object,
        _ => return None,
    };
    let (items_name, items) = items_of(page, schemas)?;
    let property_of =
        |object: &ObjectSchema, names: &[&'static str], wanted: &dyn Fn(&SchemaKind) -> bool| {
            names.iter().copied().find(|name| {
                object
                    .properties
                    .get(*name)
                    .is_some_and(|schema| wanted(&resolve(schema, schemas).kind))
            })
        };
    let property = |names: &[&'static str], wanted: &dyn Fn(&SchemaKind) -> bool| {
        property_of(page, names, wanted)
    };
    // The page's own property, else one of a container object of the page's.
    let nested = |names: &[&'static str], wanted: &dyn Fn(&SchemaKind) -> bool| {
        property(names, wanted)
            .map(|name| (name, None))
            .or_else(|| {
                CONTAINERS.iter().find_map(|container| {
                    let object = object_of(page.properties.get(*container)?, schemas)?;
                    let name = property_of(object, names, wanted)?;
                    Some((name, Some((*container).to_owned())))
                })
            })
    };
    let is_cursor =
        |kind: &SchemaKind| matches!(kind, SchemaKind::String(_) | SchemaKind::Integer(_));
    let is_url = |kind: &SchemaKind| match kind {
        SchemaKind::String(constraints) => constraints
            .format
            .as_deref()
            .is_some_and(|format| matches!(format, "uri" | "url" | "uri-reference")),
        _ => false,
    };
    let is_string = |kind: &SchemaKind| matches!(kind, SchemaKind::String(_));
    let items_name = Some(items_name.to_owned());
    if let Some(parameter) = first_query(&CURSOR_PARAMETERS) {
        let next = property(&NEXT_CURSOR, &is_cursor)
            .map(|name| (name, None))
            .or_else(|| {
                property(&["next"], &|kind| is_cursor(kind) && !is_url(kind))
                    .map(|name| (name, None))
            })
            .or_else(|| nested(&NEXT_CURSOR, &is_cursor));
        if let Some((next, within)) = next {
            let style = PaginationStyle::Cursor {
                parameter: parameter.to_owned(),
                next: next.to_owned(),
                within,
            };
            return Some(recognised(items_name, style));
        }
    }
    if let (Some(parameter), Some(has_more)) = (
        first_query(&AFTER_PARAMETERS),
        property(&HAS_MORE, &|kind| matches!(kind, SchemaKind::Boolean)),
    ) && let SchemaKind::Object(item) = &resolve(&items.items, schemas).kind
        && item.required.iter().any(|name| name == "id")
    {
        let style = PaginationStyle::AfterLastId {
            parameter: parameter.to_owned(),
            has_more: has_more.to_owned(),
            id: "id".to_owned(),
        };
        return Some(recognised(items_name, style));
    }
    if let Some((next, within)) = nested(&NEXT_URL, &is_string) {
        let style = PaginationStyle::NextUrl {
            next: next.to_owned(),
            within,
        };
        return Some(recognised(items_name, style));
    }
    link_header.then(|| recognised(items_name, PaginationStyle::LinkHeader))
}

fn recognised(items: Option<String>, style: PaginationStyle) -> Pagination {
    Pagination {
        items,
        style,
        source: PaginationSource::Recognised,
    }
}

/// A value from the document as a warning shows it: JSON, on one line, at most 80 characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// The object a property holds: through references, and through an `allOf` of one part
/// (Kubernetes wraps references that way to describe them).
fn object_of<'a>(
    schema: &'a Schema,
    schemas: &'a IndexMap<String, NamedSchema>,
) -> Option<&'a ObjectSchema> {
    match &resolve(schema, schemas).kind {
        SchemaKind::Object(object) => Some(object),
        SchemaKind::AllOf(parts) if parts.len() == 1 => object_of(&parts[0], schemas),
        _ => None,
    }
}

/// The page's items array: the first of [`ITEMS`], else its only array property.
fn items_of<'a>(
    page: &'a ObjectSchema,
    schemas: &'a IndexMap<String, NamedSchema>,
) -> Option<(&'a str, &'a sdkgen_model::ArraySchema)> {
    let array = |schema: &'a Schema| match &resolve(schema, schemas).kind {
        SchemaKind::Array(array) => Some(array),
        _ => None,
    };
    if let Some(found) = ITEMS.iter().find_map(|name| {
        page.properties
            .get_key_value(*name)
            .and_then(|(name, schema)| Some((name.as_str(), array(schema)?)))
    }) {
        return Some(found);
    }
    let mut arrays = page
        .properties
        .iter()
        .filter_map(|(name, schema)| Some((name.as_str(), array(schema)?)));
    let only = arrays.next()?;
    arrays.next().is_none().then_some(only)
}

/// `x-pagination`: `false` (not paginated), or an object with `style` (`cursor`, the
/// default, `after-last-id`, `next-url` or `link-header`), `items` (default `data`),
/// `cursor` (the query parameter, default `cursor`), `next` (default `next_cursor`),
/// `has_more` (default `has_more`) and `id` (default `id`). Anything else is an error, said
/// in words.
fn declared_pagination(declared: &Value) -> Result<Option<Pagination>, String> {
    const STYLES: &str = "cursor, after-last-id, next-url or link-header";
    const FIELDS: [&str; 6] = ["style", "items", "cursor", "next", "has_more", "id"];
    let fields = match declared {
        Value::Bool(false) => return Ok(None),
        Value::Object(fields) => fields,
        other => {
            return Err(format!(
                "x-pagination must be false or an object, not {}; it is ignored",
                shown(other)
            ));
        }
    };
    if let Some(unknown) = fields.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(format!(
            "x-pagination has no field {} (it has {}); it is ignored",
            shown(&Value::from(unknown.as_str())),
            FIELDS.join(", ")
        ));
    }
    if let Some((key, value)) = fields
        .iter()
        .find(|(key, value)| !(value.is_string() || (key.as_str() == "items" && value.is_null())))
    {
        return Err(format!(
            "x-pagination.{} must be a string, not {}; x-pagination is ignored",
            key.escape_debug(),
            shown(value)
        ));
    }
    let text = |key: &str, default: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let style = match fields.get("style").and_then(Value::as_str) {
        Some("after-last-id") => PaginationStyle::AfterLastId {
            parameter: text("cursor", "after"),
            has_more: text("has_more", "has_more"),
            id: text("id", "id"),
        },
        Some("next-url") => PaginationStyle::NextUrl {
            next: text("next", "next"),
            within: None,
        },
        Some("link-header") => PaginationStyle::LinkHeader,
        None | Some("cursor") => PaginationStyle::Cursor {
            parameter: text("cursor", "cursor"),
            next: text("next", "next_cursor"),
            within: None,
        },
        Some(other) => {
            return Err(format!(
                "x-pagination.style {} is not one of {STYLES}; x-pagination is ignored",
                shown(&Value::from(other))
            ));
        }
    };
    let items = match fields.get("items") {
        Some(Value::Null) => None,
        _ => Some(text("items", "data")),
    };
    Ok(Some(Pagination {
        items,
        style,
        source: PaginationSource::Declared,
    }))
}
