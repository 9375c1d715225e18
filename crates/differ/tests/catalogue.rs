//! The rule catalogue: `RULES.md` is generated from it and checked fresh, and every rule fires
//! on at least one fixture of this crate (tests/fixtures/rules, and each schema change at each
//! place it applies to), at the level the catalogue gives it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sdkgen_differ::rules::{self, Place};
use sdkgen_differ::{DiffSettings, Report, diff};

fn settings() -> DiffSettings {
    DiffSettings::new(DiffSettings::parse_today("2026-11-30").expect("a date"))
}

fn compare(old: &str, new: &str) -> Report {
    let old = sdkgen_loader::load_str(old, "old.yaml").unwrap_or_else(|error| panic!("{error}"));
    let new = sdkgen_loader::load_str(new, "new.yaml").unwrap_or_else(|error| panic!("{error}"));
    diff(&old, &new, &settings())
}

/// The same as `generate(check)` elsewhere: with `UPDATE_RULES=1` the file is written,
/// otherwise it must match the catalogue.
#[test]
fn rules_md_is_generated_from_the_catalogue() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("RULES.md");
    let expected = rules::markdown();
    if std::env::var_os("UPDATE_RULES").is_some() {
        std::fs::write(&path, &expected).expect("RULES.md is writable");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "crates/differ/RULES.md is stale: run `UPDATE_RULES=1 cargo test -p sdkgen-differ --test catalogue`"
    );
}

/// (old, new) schemas that make one schema change, by the change's id suffix. Each is placed
/// at every place (request body, request property, parameter, parameter property, response
/// body, response property) where the catalogue reports it.
const SCHEMA_CHANGES: &[(&str, &str, &str)] = &[
    (
        "became-nullable",
        "{type: string}",
        "{type: [string, 'null']}",
    ),
    (
        "became-not-nullable",
        "{type: [string, 'null']}",
        "{type: string}",
    ),
    ("type-changed", "{type: string}", "{type: boolean}"),
    ("type-generalized", "{type: integer}", "{type: number}"),
    ("type-specialized", "{type: number}", "{type: integer}"),
    (
        "one-of-added",
        "{oneOf: [{type: string}, {type: integer}]}",
        "{oneOf: [{type: string}, {type: integer}, {type: boolean}]}",
    ),
    (
        "one-of-removed",
        "{oneOf: [{type: string}, {type: integer}, {type: boolean}]}",
        "{oneOf: [{type: string}, {type: integer}]}",
    ),
    (
        "any-of-added",
        "{anyOf: [{type: string}, {type: integer}]}",
        "{anyOf: [{type: string}, {type: integer}, {type: boolean}]}",
    ),
    (
        "any-of-removed",
        "{anyOf: [{type: string}, {type: integer}, {type: boolean}]}",
        "{anyOf: [{type: string}, {type: integer}]}",
    ),
    ("all-of-added", "{allOf: [$A, $B]}", "{allOf: [$A, $B, $C]}"),
    (
        "all-of-removed",
        "{allOf: [$A, $B, $C]}",
        "{allOf: [$A, $B]}",
    ),
    (
        "discriminator-added",
        "{oneOf: [$A, $B]}",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind}}",
    ),
    (
        "discriminator-removed",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind}}",
        "{oneOf: [$A, $B]}",
    ),
    (
        "discriminator-property-name-changed",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind}}",
        "{oneOf: [$A, $B], discriminator: {propertyName: sort}}",
    ),
    (
        "discriminator-mapping-added",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A'}}}",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A', b: '#/components/schemas/B'}}}",
    ),
    (
        "discriminator-mapping-deleted",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A', b: '#/components/schemas/B'}}}",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A'}}}",
    ),
    (
        "discriminator-mapping-changed",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/A'}}}",
        "{oneOf: [$A, $B], discriminator: {propertyName: kind, mapping: {a: '#/components/schemas/B'}}}",
    ),
    (
        "const-changed",
        "{type: string, const: x}",
        "{type: string, const: y}",
    ),
    (
        "became-enum",
        "{type: string}",
        "{type: string, enum: [x, y]}",
    ),
    (
        "enum-removed",
        "{type: string, enum: [x, y]}",
        "{type: string}",
    ),
    (
        "enum-value-added",
        "{type: string, enum: [x, y]}",
        "{type: string, enum: [x, y, z]}",
    ),
    (
        "enum-value-removed",
        "{type: string, enum: [x, y, z]}",
        "{type: string, enum: [x, y]}",
    ),
    (
        "x-extensible-enum-value-added",
        "{type: string, x-extensible-enum: [x, y]}",
        "{type: string, x-extensible-enum: [x, y, z]}",
    ),
    (
        "x-extensible-enum-value-removed",
        "{type: string, x-extensible-enum: [x, y, z]}",
        "{type: string, x-extensible-enum: [x, y]}",
    ),
    (
        "default-value-changed",
        "{type: string, default: x}",
        "{type: string, default: y}",
    ),
    (
        "default-value-added",
        "{type: string}",
        "{type: string, default: y}",
    ),
    (
        "default-value-removed",
        "{type: string, default: x}",
        "{type: string}",
    ),
    ("max-set", "{type: integer}", "{type: integer, maximum: 10}"),
    (
        "max-removed",
        "{type: integer, maximum: 10}",
        "{type: integer}",
    ),
    (
        "max-increased",
        "{type: integer, maximum: 10}",
        "{type: integer, maximum: 20}",
    ),
    (
        "max-decreased",
        "{type: integer, maximum: 20}",
        "{type: integer, maximum: 10}",
    ),
    ("min-set", "{type: integer}", "{type: integer, minimum: 1}"),
    (
        "min-removed",
        "{type: integer, minimum: 1}",
        "{type: integer}",
    ),
    (
        "min-increased",
        "{type: integer, minimum: 1}",
        "{type: integer, minimum: 2}",
    ),
    (
        "min-decreased",
        "{type: integer, minimum: 2}",
        "{type: integer, minimum: 1}",
    ),
    (
        "max-length-set",
        "{type: string}",
        "{type: string, maxLength: 10}",
    ),
    (
        "max-length-removed",
        "{type: string, maxLength: 10}",
        "{type: string}",
    ),
    (
        "max-length-increased",
        "{type: string, maxLength: 10}",
        "{type: string, maxLength: 20}",
    ),
    (
        "max-length-decreased",
        "{type: string, maxLength: 20}",
        "{type: string, maxLength: 10}",
    ),
    (
        "min-length-set",
        "{type: string}",
        "{type: string, minLength: 1}",
    ),
    (
        "min-length-removed",
        "{type: string, minLength: 1}",
        "{type: string}",
    ),
    (
        "min-length-increased",
        "{type: string, minLength: 1}",
        "{type: string, minLength: 2}",
    ),
    (
        "min-length-decreased",
        "{type: string, minLength: 2}",
        "{type: string, minLength: 1}",
    ),
    (
        "max-items-set",
        "{type: array, items: {type: string}}",
        "{type: array, items: {type: string}, maxItems: 10}",
    ),
    (
        "max-items-removed",
        "{type: array, items: {type: string}, maxItems: 10}",
        "{type: array, items: {type: string}}",
    ),
    (
        "max-items-increased",
        "{type: array, items: {type: string}, maxItems: 10}",
        "{type: array, items: {type: string}, maxItems: 20}",
    ),
    (
        "max-items-decreased",
        "{type: array, items: {type: string}, maxItems: 20}",
        "{type: array, items: {type: string}, maxItems: 10}",
    ),
    (
        "min-items-set",
        "{type: array, items: {type: string}}",
        "{type: array, items: {type: string}, minItems: 1}",
    ),
    (
        "min-items-removed",
        "{type: array, items: {type: string}, minItems: 1}",
        "{type: array, items: {type: string}}",
    ),
    (
        "min-items-increased",
        "{type: array, items: {type: string}, minItems: 1}",
        "{type: array, items: {type: string}, minItems: 2}",
    ),
    (
        "min-items-decreased",
        "{type: array, items: {type: string}, minItems: 2}",
        "{type: array, items: {type: string}, minItems: 1}",
    ),
    (
        "pattern-added",
        "{type: string}",
        "{type: string, pattern: '^a'}",
    ),
    (
        "pattern-removed",
        "{type: string, pattern: '^a'}",
        "{type: string}",
    ),
    (
        "pattern-changed",
        "{type: string, pattern: '^a'}",
        "{type: string, pattern: '^b'}",
    ),
];

/// A document with `schema` at `place`.
fn document(place: Place, schema: &str) -> String {
    let schema = schema
        .replace("$A", "{$ref: '#/components/schemas/A'}")
        .replace("$B", "{$ref: '#/components/schemas/B'}")
        .replace("$C", "{$ref: '#/components/schemas/C'}");
    let property = format!("{{type: object, properties: {{p: {schema}}}}}");
    let operation = match place {
        Place::RequestBody => format!(
            "requestBody: {{content: {{application/json: {{schema: {schema}}}}}}}\n      responses: {{'200': {{description: ok}}}}"
        ),
        Place::RequestProperty => format!(
            "requestBody: {{content: {{application/json: {{schema: {property}}}}}}}\n      responses: {{'200': {{description: ok}}}}"
        ),
        Place::RequestParameter => format!(
            "parameters: [{{name: q, in: query, schema: {schema}}}]\n      responses: {{'200': {{description: ok}}}}"
        ),
        Place::RequestParameterProperty => format!(
            "parameters: [{{name: q, in: query, style: deepObject, schema: {property}}}]\n      responses: {{'200': {{description: ok}}}}"
        ),
        Place::ResponseBody => format!(
            "responses: {{'200': {{description: ok, content: {{application/json: {{schema: {schema}}}}}}}}}"
        ),
        Place::ResponseHeader => format!(
            "responses: {{'200': {{description: ok, headers: {{X-Value: {{schema: {schema}}}}}}}}}"
        ),
        Place::ResponseProperty => format!(
            "responses: {{'200': {{description: ok, content: {{application/json: {{schema: {property}}}}}}}}}"
        ),
    };
    format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /x:\n    post:\n      {operation}\ncomponents:\n  schemas:\n    A: {{type: object, properties: {{kind: {{type: string}}, a: {{type: string}}}}}}\n    B: {{type: object, properties: {{kind: {{type: string}}, sort: {{type: string}}, b: {{type: string}}}}}}\n    C: {{type: object, properties: {{c: {{type: string}}}}}}\n"
    )
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

#[test]
fn every_schema_change_fires_its_rule_at_every_place() {
    let mut missing = Vec::new();
    for place in Place::ALL {
        for (suffix, old, new) in SCHEMA_CHANGES {
            let id = format!("{}-{suffix}", place.prefix());
            let Some(rule) = rules::find(&id) else {
                continue; // Not reported at this place (a constraint in a response).
            };
            let report = compare(&document(place, old), &document(place, new));
            if !report
                .changes
                .iter()
                .any(|change| change.id == id && change.level == rule.level)
            {
                let found: Vec<&str> = report
                    .changes
                    .iter()
                    .map(|change| change.id.as_str())
                    .collect();
                missing.push(format!("{id}: found {found:?}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_rule_fires_on_a_fixture() {
    let mut fired: BTreeSet<(String, sdkgen_differ::Level)> = BTreeSet::new();
    for name in ["paths", "operations", "security"] {
        let read = |side: &str| {
            std::fs::read_to_string(fixtures().join(format!("{name}_{side}.yaml")))
                .unwrap_or_else(|error| panic!("{name}_{side}.yaml: {error}"))
        };
        let report = compare(&read("old"), &read("new"));
        fired.extend(
            report
                .changes
                .into_iter()
                .map(|change| (change.id, change.level)),
        );
    }
    for place in Place::ALL {
        for (_, old, new) in SCHEMA_CHANGES {
            let report = compare(&document(place, old), &document(place, new));
            fired.extend(
                report
                    .changes
                    .into_iter()
                    .map(|change| (change.id, change.level)),
            );
        }
    }
    let silent: Vec<String> = rules::catalogue()
        .iter()
        .filter(|rule| !fired.contains(&(rule.id.clone(), rule.level)))
        .map(|rule| format!("{} ({})", rule.id, rule.level.as_str()))
        .collect();
    assert!(
        silent.is_empty(),
        "{} rules never fire at their level:\n{}",
        silent.len(),
        silent.join("\n")
    );
    // And nothing fires that the catalogue does not hold.
    for (id, level) in &fired {
        assert_eq!(rules::find(id).map(|rule| rule.level), Some(*level), "{id}");
    }
}
