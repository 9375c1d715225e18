//! Regressions found on real version pairs, each rebuilt from its shape (tests/fixtures/
//! regressions): enum-pinned unions, closed request schemas, removed response data, and
//! reports people can read.

use std::path::PathBuf;

use sdkgen_differ::report::{self, Format};
use sdkgen_differ::{DiffSettings, Level, Report, diff};

fn settings() -> DiffSettings {
    DiffSettings::new(DiffSettings::parse_today("2026-11-30").expect("a date"))
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/regressions")
        .join(name)
}

fn compare(old: &str, new: &str) -> Report {
    let old = sdkgen_loader::load_file(fixture(old)).unwrap_or_else(|error| panic!("{error}"));
    let new = sdkgen_loader::load_file(fixture(new)).unwrap_or_else(|error| panic!("{error}"));
    diff(&old, &new, &settings())
}

fn find<'a>(report: &'a Report, id: &str) -> Vec<&'a sdkgen_differ::Change> {
    report
        .changes
        .iter()
        .filter(|change| change.id == id)
        .collect()
}

/// Issue item 1: a shared union of constants gains a value; schemas that pin their own value with `enum`
/// beside `allOf` cannot carry it, in responses or requests. Where the union is used unpinned,
/// the new value is reported by value and title.
#[test]
fn enum_pinned_unions_do_not_change_when_the_union_gains_a_value() {
    let report = compare("pinned_old.json", "pinned_new.json");
    assert!(
        report
            .changes
            .iter()
            .all(|change| change.operation.as_deref() == Some("GET /kinds")),
        "{report:#?}"
    );
    let added = find(&report, "response-property-enum-value-added");
    assert_eq!(added.len(), 1, "{report:#?}");
    assert_eq!(added[0].level, Level::Warning);
    assert_eq!(
        added[0].message,
        "the property `kind` of the response 200 application/json gained the value(s) 19 (`Trust`)"
    );
    assert!(!report.reaches(Level::Breaking));
}

/// Where a pinned use of the union is compared before an unpinned one, the unpinned one is
/// still compared (a pinned reference does not stand for its component).
#[test]
fn a_pinned_reference_compared_first_does_not_hide_an_unpinned_one() {
    let read = |name: &str| {
        std::fs::read_to_string(fixture(name))
            .expect("fixture")
            .replace("/kinds", "/z-kinds")
    };
    let old = sdkgen_loader::load_str(&read("pinned_old.json"), "old.json").expect("loads");
    let new = sdkgen_loader::load_str(&read("pinned_new.json"), "new.json").expect("loads");
    let report = diff(&old, &new, &settings());
    let found: Vec<(&str, Option<&str>)> = report
        .changes
        .iter()
        .map(|change| (change.id.as_str(), change.operation.as_deref()))
        .collect();
    assert_eq!(
        found,
        [("response-property-enum-value-added", Some("GET /z-kinds"))]
    );
}

/// The same with the pin as a sibling of `$ref` (OpenAPI 3.1).
#[test]
fn a_pinned_sibling_of_a_reference_does_not_hide_an_unpinned_use() {
    let document = |values: &str| {
        format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get: {{responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{kind: {{$ref: '#/components/schemas/Kind', enum: [a]}}}}}}}}}}}}}}}}\n  /b:\n    get: {{responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{kind: {{$ref: '#/components/schemas/Kind'}}}}}}}}}}}}}}}}\ncomponents:\n  schemas:\n    Kind: {{type: string, enum: [{values}]}}\n"
        )
    };
    let old = sdkgen_loader::load_str(&document("a, b"), "old.yaml").expect("loads");
    let new = sdkgen_loader::load_str(&document("a, b, c"), "new.yaml").expect("loads");
    let report = diff(&old, &new, &settings());
    let found: Vec<(&str, Option<&str>)> = report
        .changes
        .iter()
        .map(|change| (change.id.as_str(), change.operation.as_deref()))
        .collect();
    assert_eq!(
        found,
        [("response-property-enum-value-added", Some("GET /b"))]
    );
}

/// Issue item 2: a property removed from a request schema with `additionalProperties: false`: clients
/// that still send it are rejected, so it is breaking.
#[test]
fn removing_a_property_of_a_closed_request_schema_is_breaking() {
    let report = compare("reports_old.yaml", "reports_new.yaml");
    let removed = find(&report, "request-property-removed-from-closed-schema");
    assert_eq!(removed.len(), 1, "{report:#?}");
    assert_eq!(removed[0].level, Level::Breaking);
    assert_eq!(removed[0].operation.as_deref(), Some("POST /orders"));
    assert!(find(&report, "request-property-removed").is_empty());
}

/// Issue item 3: removing response data is breaking under the provider's policy, optional or not.
#[test]
fn removing_an_optional_response_property_is_breaking() {
    let report = compare("reports_old.yaml", "reports_new.yaml");
    let removed = find(&report, "response-optional-property-removed");
    assert!(!removed.is_empty(), "{report:#?}");
    assert!(removed.iter().all(|change| change.level == Level::Breaking));
}

/// Issue item 4, reports: a component used in two places is reported under each; findings inside union
/// variants name the variant; a cost that neither document declares is not called
/// `x-points`; Markdown and GitHub output give counts; annotations point at the line.
#[test]
fn reports_name_every_place_every_variant_and_their_counts() {
    let report = compare("reports_old.yaml", "reports_new.yaml");
    let postcode: Vec<&str> = find(&report, "response-optional-property-removed")
        .iter()
        .map(|change| change.location.as_str())
        .collect();
    assert_eq!(
        postcode,
        [
            "response 200 application/json: /billing/postcode",
            "response 200 application/json: /shipping/postcode",
            "response 200 application/json: /note",
        ]
    );
    let holder: Vec<&str> = find(&report, "request-property-max-length-decreased")
        .iter()
        .map(|change| change.location.as_str())
        .collect();
    assert_eq!(
        holder,
        [
            "request body application/json: /source/holder/name (in oneOf variant `CardSource`)",
            "request body application/json: /source/holder/name (in oneOf variant `BankSource`)"
        ]
    );
    let costs: Vec<(&str, &str)> = report
        .changes
        .iter()
        .filter(|change| change.id == "operation-points-increased")
        .map(|change| (change.location.as_str(), change.message.as_str()))
        .collect();
    assert_eq!(
        costs,
        [
            ("x-points", "the cost rose from 3 to 5 points"),
            (
                "cost (inferred)",
                "the cost rose from 1 (inferred: single-resource read) to 5 (inferred: search) points"
            )
        ]
    );
    let text = std::fs::read_to_string(fixture("reports_new.yaml")).expect("fixture");
    insta::assert_snapshot!(
        "reports_markdown",
        report::render(&report, Format::Markdown, "reports_new.yaml", false)
    );
    insta::assert_snapshot!(
        "reports_github",
        report::render_with_source(
            &report,
            Format::Github,
            "reports_new.yaml",
            Some(&text),
            false
        )
    );
}

#[test]
fn operation_lines_are_found_in_yaml_and_json() {
    let change = |operation: &str| sdkgen_differ::Change {
        id: "endpoint-added".into(),
        level: Level::NonBreaking,
        operation: Some(operation.into()),
        location: "paths".into(),
        message: "m".into(),
    };
    let yaml = std::fs::read_to_string(fixture("reports_new.yaml")).expect("fixture");
    assert_eq!(
        report::operation_line(&yaml, &change("GET /orders")),
        Some(5)
    );
    assert_eq!(
        report::operation_line(&yaml, &change("POST /orders")),
        Some(17)
    );
    assert_eq!(
        report::operation_line(&yaml, &change("GET /orders/{id}")),
        Some(34)
    );
    assert_eq!(report::operation_line(&yaml, &change("GET /gone")), None);
    let json = std::fs::read_to_string(fixture("pinned_new.json")).expect("fixture");
    assert_eq!(
        report::operation_line(&json, &change("POST /people")),
        Some(24)
    );
    let document_level = sdkgen_differ::Change {
        operation: None,
        ..change("GET /orders")
    };
    assert_eq!(report::operation_line(&yaml, &document_level), None);
    // Quoted keys; a method-like key outside the path's block is not taken for its method.
    let text = "paths:\n  '/a/{id}':\n    parameters: []\n    \"delete\": {}\n  /b:\n    get: {}\ncomponents:\n  schemas:\n    get: {}\n";
    let lines = report::OperationLines::new(text);
    assert_eq!(lines.line(&change("DELETE /a/{id}")), Some(4));
    assert_eq!(lines.line(&change("GET /b")), Some(6));
    assert_eq!(
        lines.line(&change("POST /b")),
        Some(5),
        "the path when the method is absent"
    );
    assert_eq!(lines.line(&change("GET /a/{id}")), Some(2));
}
