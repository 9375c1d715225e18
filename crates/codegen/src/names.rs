//! Identifier rules, in one place: case conversion, keywords, leading digits, punctuation and
//! collisions. Every Rust name the generator emits comes from here.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Rust keywords (strict and reserved, 2024 edition) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot even be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Names that would shadow what generated code uses unqualified: the prelude names and the
/// serde derives. Generated code writes these unqualified, which is safe because no generated
/// type may take one of them.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Result",
    "Box",
    "Vec",
    "String",
    "Some",
    "None",
    "Ok",
    "Err",
    "From",
    "Into",
    "Serialize",
    "Deserialize",
];

/// The types at a generated crate's root (its `Client`, its `Error` and `Result`, and what it
/// re-exports from the runtime). A schema with one of these names would make
/// `use crate_name::*; use crate_name::types::*;` ambiguous: [`schema_type_name`] renames it.
pub const ROOT_TYPES: &[&str] = &[
    "BudgetMode",
    "BudgetSnapshot",
    "BuildError",
    "Bytes",
    "Client",
    "ClientBuilder",
    "Error",
    "ErrorBody",
    "ItemStream",
    "OperationInfo",
    "Plan",
    "ResponseFuture",
    "ResponseValue",
    "Result",
    "RetryPolicy",
];

/// The type name of a schema: [`type_name`], with the `Api` prefix when the name is one of
/// the crate root's types (`Error` becomes `ApiError`, `Plan` becomes `ApiPlan`), so that a
/// name means one thing in a crate.
pub fn schema_type_name(name: &str) -> String {
    let converted = type_name(name);
    let bare = converted.trim_end_matches('_');
    if ROOT_TYPES.contains(&bare) {
        format!("Api{bare}")
    } else {
        converted
    }
}

/// Replaces characters that cannot be in an identifier, keeping word boundaries.
fn words_only(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for character in name.chars() {
        match character {
            '+' => cleaned.push_str(" plus "),
            '-' if cleaned.is_empty() => cleaned.push_str("minus "),
            c if c.is_alphanumeric() => cleaned.push(c),
            _ => cleaned.push(' '),
        }
    }
    cleaned
}

/// `UpperCamelCase` for types and variants, always a valid identifier.
pub fn type_name(name: &str) -> String {
    let mut converted = words_only(name).to_upper_camel_case();
    if converted.is_empty() {
        converted = "Unnamed".to_owned();
    }
    if converted.starts_with(|c: char| c.is_ascii_digit()) {
        converted.insert(0, 'V');
    }
    if !converted.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        converted.insert(0, 'V');
    }
    if KEYWORDS.contains(&converted.as_str()) || RESERVED_TYPES.contains(&converted.as_str()) {
        converted.push('_');
    }
    converted
}

/// `snake_case` for fields, methods and parameters, always a valid identifier (a keyword
/// becomes a raw identifier, `r#type`; those that cannot be raw get a trailing `_`).
pub fn value_name(name: &str) -> String {
    let mut converted = words_only(name).to_snake_case();
    if converted.is_empty() {
        converted = "value".to_owned();
    }
    if converted.starts_with(|c: char| c.is_ascii_digit()) {
        converted.insert(0, '_');
    }
    if NOT_RAW.contains(&converted.as_str()) {
        converted.push('_');
    }
    converted
}

/// An identifier token for a name made by [`type_name`] or [`value_name`].
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) && !NOT_RAW.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Hands out unique names within one scope (the types of a crate, the fields of a struct,
/// the variants of an enum, the methods of the client), in a deterministic order: the first
/// comer keeps the plain name, later clashes get `2`, `3`, ... appended.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope with some names already taken.
    pub fn with_taken<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        Scope {
            taken: names.into_iter().map(Into::into).collect(),
        }
    }

    /// A unique name in this scope, made from an already-converted `base`.
    pub fn unique(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let separator = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|suffix| format!("{base}{separator}{suffix}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_upper_camel_and_valid() {
        assert_eq!(type_name("simple-user"), "SimpleUser");
        assert_eq!(type_name("repos/get-content"), "ReposGetContent");
        assert_eq!(type_name("200"), "V200");
        assert_eq!(type_name("+1"), "Plus1");
        assert_eq!(type_name("-1"), "Minus1");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(type_name("Option"), "Option_");
        assert_eq!(type_name("$$"), "Unnamed");
        assert_eq!(
            type_name("io.k8s.api.apps.v1.Deployment"),
            "IoK8sApiAppsV1Deployment"
        );
    }

    #[test]
    fn schema_types_never_clash_with_the_crate_root() {
        assert_eq!(schema_type_name("Error"), "ApiError");
        assert_eq!(schema_type_name("plan"), "ApiPlan");
        assert_eq!(schema_type_name("Result"), "ApiResult");
        assert_eq!(schema_type_name("Task"), "Task");
    }

    #[test]
    fn value_names_are_snake_and_valid() {
        assert_eq!(value_name("projectId"), "project_id");
        assert_eq!(value_name("type"), "type");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(value_name("self"), "self_");
        assert_eq!(value_name("2fa"), "_2fa");
        assert_eq!(value_name("@odata.type"), "odata_type");
        assert_eq!(value_name("+1"), "plus_1");
        assert_eq!(value_name(""), "value");
    }

    #[test]
    fn scopes_resolve_clashes_deterministically() {
        let mut scope = Scope::with_taken(["Task"]);
        assert_eq!(scope.unique("Task".into()), "Task2");
        assert_eq!(scope.unique("Task".into()), "Task3");
        assert_eq!(scope.unique("V1".into()), "V1");
        assert_eq!(scope.unique("V1".into()), "V1_2");
    }
}
