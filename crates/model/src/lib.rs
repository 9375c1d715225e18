//! The model of one version of an HTTP API, as read from an OpenAPI document.
//!
//! Everything downstream of the loader (the code generator, the breaking-change differ, the
//! sandbox server) reads this model and never the raw OpenAPI document. The model is
//! version-neutral: OpenAPI 3.0 and 3.1 constructs are normalised into one shape by the loader
//! (`nullable: true` and `type: [.., "null"]` both become [`Schema::nullable`], `const` becomes a
//! one-value enum, and so on).
//!
//! Collections that are iterated by emitters are ordered (`IndexMap` in document order, or sorted
//! `Vec`s), so that everything built from a model is deterministic.

#![deny(missing_docs)]

mod api;
pub mod cost;
mod pagination;
mod schema;

pub use api::*;
pub use cost::{Cost, CostError, CostFormula, CostSource, CountOf};
pub use pagination::{Pagination, PaginationSource, PaginationStyle};
pub use schema::*;

/// How error messages name the kind of a JSON value: "null", "a boolean", "a number",
/// "a string", "an array" or "an object".
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::json_kind;
    use serde_json::json;

    #[test]
    fn json_kinds_read_well_in_messages() {
        let kinds: Vec<&str> = [
            json!(null),
            json!(true),
            json!(1.5),
            json!("x"),
            json!([]),
            json!({}),
        ]
        .iter()
        .map(json_kind)
        .collect();
        assert_eq!(
            kinds,
            [
                "null",
                "a boolean",
                "a number",
                "a string",
                "an array",
                "an object"
            ]
        );
    }
}
