//! Rule families on small specs: what is found, at which level, and what is not a finding.

use sdkgen_differ::{Level, Report, diff};

fn report(old: &str, new: &str) -> Report {
    let old = sdkgen_loader::load_str(old, "old.yaml").expect("old loads");
    let new = sdkgen_loader::load_str(new, "new.yaml").expect("new loads");
    diff(&old, &new, &settings())
}

fn found(report: &Report) -> Vec<(String, Level)> {
    report
        .changes
        .iter()
        .map(|change| (change.id.clone(), change.level))
        .collect()
}

const HEAD: &str = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n";

fn with_paths(paths: &str) -> String {
    format!("{HEAD}paths:\n{paths}")
}

#[test]
fn identical_documents_have_no_findings() {
    let text = with_paths("  /a:\n    get: {responses: {'200': {description: ok}}}\n");
    assert!(report(&text, &text).changes.is_empty());
}

#[test]
fn renaming_a_component_without_changing_its_shape_is_not_a_finding() {
    let old = format!(
        "{HEAD}paths:\n  /a:\n    get: {{responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Old'}}}}}}}}}}}}\ncomponents:\n  schemas:\n    Old: {{type: object, required: [id], properties: {{id: {{type: string}}, next: {{$ref: '#/components/schemas/Old'}}}}}}\n"
    );
    let new = old.replace("Old", "New");
    assert_eq!(found(&report(&old, &new)), []);
}

#[test]
fn removed_operations_depend_on_deprecation() {
    let old = with_paths(
        "  /a:\n    get: {responses: {'200': {description: ok}}}\n    post: {deprecated: true, responses: {'200': {description: ok}}}\n  /b:\n    get: {responses: {'200': {description: ok}}}\n",
    );
    let new = with_paths(
        "  /a:\n    get: {responses: {'200': {description: ok}}}\n  /c:\n    get: {responses: {'200': {description: ok}}}\n",
    );
    let found = found(&report(&old, &new));
    assert!(
        found.contains(&("api-removed-with-deprecation".into(), Level::NonBreaking)),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "api-path-removed-without-deprecation".into(),
            Level::Breaking
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("endpoint-added".into(), Level::NonBreaking)),
        "{found:?}"
    );
}

#[test]
fn removal_before_sunset_is_breaking_even_when_deprecated() {
    let old = with_paths(
        "  /a:\n    get: {deprecated: true, x-sunset: '2999-01-01', responses: {'200': {description: ok}}}\n",
    );
    let new = format!("{HEAD}paths: {{}}\n");
    assert_eq!(
        found(&report(&old, &new)),
        [("api-path-removed-before-sunset".into(), Level::Breaking)]
    );
}

#[test]
fn parameters_requests_and_responses_are_judged_in_their_direction() {
    let old = with_paths(
        "  /a/{id}:\n    post:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}, {name: q, in: query, schema: {type: string, maxLength: 10}}]\n      requestBody: {content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object, required: [x], properties: {x: {type: string}}}}}}}\n",
    );
    let new = with_paths(
        "  /a/{key}:\n    post:\n      parameters: [{name: key, in: path, required: true, schema: {type: string}}, {name: q, in: query, schema: {type: string, maxLength: 5}}, {name: r, in: query, required: true, schema: {type: string}}]\n      requestBody: {content: {application/json: {schema: {type: object, required: [b], properties: {a: {type: string}, b: {type: string}}}}}}\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object, required: [x, y], properties: {x: {type: string}, y: {type: string}}}}}}}\n",
    );
    let found = found(&report(&old, &new));
    for expected in [
        ("new-required-request-parameter", Level::Breaking),
        ("request-parameter-max-length-decreased", Level::Breaking),
        ("new-required-request-property", Level::Breaking),
        ("response-required-property-added", Level::NonBreaking),
    ] {
        assert!(
            found.contains(&(expected.0.into(), expected.1)),
            "{expected:?} not in {found:?}"
        );
    }
    // The path parameter was renamed with the template: the operation and the parameter
    // still match (path parameters are positional).
    assert!(
        !found
            .iter()
            .any(|(id, _)| id == "endpoint-added" || id == "request-parameter-removed"),
        "{found:?}"
    );
}

#[test]
fn success_statuses_and_media_types() {
    let old = with_paths(
        "  /a:\n    get: {responses: {'200': {description: ok, content: {application/json: {}, text/csv: {}}}, '404': {description: no}}}\n",
    );
    let new = with_paths("  /a:\n    get: {responses: {'201': {description: ok}}}\n");
    let found = found(&report(&old, &new));
    assert!(
        found.contains(&("response-success-status-removed".into(), Level::Breaking)),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "response-non-success-status-removed".into(),
            Level::NonBreaking
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&("response-success-status-added".into(), Level::NonBreaking)),
        "{found:?}"
    );
}

#[test]
fn any_change_to_authentication_is_breaking() {
    let old = format!(
        "{HEAD}security: [{{key: []}}]\npaths: {{}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, name: X-Key, in: header}}\n    bearer: {{type: http, scheme: bearer}}\n"
    );
    let new = format!(
        "{HEAD}security: [{{token: []}}]\npaths: {{}}\ncomponents:\n  securitySchemes:\n    key: {{type: apiKey, name: X-Api-Key, in: query}}\n    token: {{type: http, scheme: bearer}}\n"
    );
    let found = found(&report(&old, &new));
    for id in [
        "api-global-security-removed",
        "api-global-security-added",
        "api-security-component-api-key-name-changed",
        "api-security-component-api-key-location-changed",
        "api-security-component-removed",
    ] {
        assert!(
            found.contains(&(id.into(), Level::Breaking)),
            "{id} not breaking in {found:?}"
        );
    }
    assert!(
        found.contains(&("api-security-component-added".into(), Level::NonBreaking)),
        "{found:?}"
    );
}

#[test]
fn cost_changes_are_findings_of_their_own() {
    let old = with_paths(
        "  /a:\n    get: {x-points: 3, responses: {'200': {description: ok}}}\n  /b:\n    get: {x-points: 5, responses: {'200': {description: ok}}}\n",
    );
    let new = with_paths(
        "  /a:\n    get: {x-points: 5, responses: {'200': {description: ok}}}\n  /b:\n    get: {x-points: 1, responses: {'200': {description: ok}}}\n",
    );
    assert_eq!(
        found(&report(&old, &new)),
        [
            ("operation-points-increased".into(), Level::Warning),
            ("operation-points-decreased".into(), Level::NonBreaking)
        ]
    );
}

#[test]
fn webhooks_added_and_removed() {
    let old =
        format!("{HEAD}webhooks:\n  a: {{post: {{responses: {{'200': {{description: ok}}}}}}}}\n");
    let new =
        format!("{HEAD}webhooks:\n  b: {{post: {{responses: {{'200': {{description: ok}}}}}}}}\n");
    assert_eq!(
        found(&report(&old, &new)),
        [
            ("webhook-removed".into(), Level::Breaking),
            ("webhook-added".into(), Level::NonBreaking)
        ]
    );
}

#[test]
fn summaries_count_by_level_and_reach_thresholds() {
    let old = with_paths("  /a:\n    get: {x-points: 3, responses: {'200': {description: ok}}}\n");
    let new = with_paths(
        "  /a:\n    get: {x-points: 4, responses: {'200': {description: ok}}}\n  /b:\n    get: {responses: {'200': {description: ok}}}\n",
    );
    let report = report(&old, &new);
    let summary = report.summary();
    assert_eq!(
        (summary.breaking, summary.warning, summary.non_breaking),
        (0, 1, 1)
    );
    assert!(report.reaches(Level::Warning) && !report.reaches(Level::Breaking));
    let json =
        sdkgen_differ::report::render(&report, sdkgen_differ::report::Format::Json, "x", false);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["summary"]["non-breaking"], 1);
    assert_eq!(value["changes"][0]["id"], "operation-points-increased");
    for format in ["text", "markdown", "github", "junit", "sarif"] {
        let rendered = sdkgen_differ::report::render(
            &report,
            sdkgen_differ::report::Format::parse(format).unwrap(),
            "x.yaml",
            false,
        );
        assert!(
            rendered.contains("operation-points-increased"),
            "{format}: {rendered}"
        );
    }
}

#[test]
fn levels_and_formats_parse_from_their_names() {
    for level in [Level::Breaking, Level::Warning, Level::NonBreaking] {
        assert_eq!(Level::parse(level.as_str()), Some(level));
    }
    assert_eq!(Level::parse("fatal"), None);
    for name in ["text", "json", "markdown", "github", "junit", "sarif"] {
        assert!(
            sdkgen_differ::report::Format::parse(name).is_some(),
            "{name}"
        );
    }
    assert!(sdkgen_differ::report::Format::parse("pdf").is_none());
}

/// A fixed date, so that results do not change with the calendar.
fn settings() -> sdkgen_differ::DiffSettings {
    sdkgen_differ::DiffSettings::new(
        sdkgen_differ::DiffSettings::parse_today("2026-11-30").expect("a date"),
    )
}

#[test]
fn the_date_is_an_input_of_the_comparison() {
    assert_eq!(
        sdkgen_differ::DiffSettings::parse_today("tomorrow").map_err(|error| error.to_string()),
        Err("\"tomorrow\" is not a date (expected YYYY-MM-DD)".to_owned())
    );
    let old = with_paths(
        "  /a:\n    get: {deprecated: true, x-sunset: '2027-01-01', responses: {'200': {description: ok}}}\n",
    );
    let new = format!("{HEAD}paths: {{}}\n");
    let on = |date: &str| {
        let settings = sdkgen_differ::DiffSettings::new(
            sdkgen_differ::DiffSettings::parse_today(date).expect("a date"),
        );
        let old = sdkgen_loader::load_str(&old, "old.yaml").expect("old loads");
        let new = sdkgen_loader::load_str(&new, "new.yaml").expect("new loads");
        found(&diff(&old, &new, &settings))
    };
    assert_eq!(
        on("2026-12-31"),
        [("api-path-removed-before-sunset".into(), Level::Breaking)]
    );
    assert_eq!(
        on("2027-01-01"),
        [(
            "api-path-removed-with-deprecation".into(),
            Level::NonBreaking
        )]
    );
    let strict = sdkgen_differ::DiffSettings::before_every_sunset();
    let later = sdkgen_differ::DiffSettings::from_clock();
    assert!(strict.today < later.today);
    assert!(later.today >= sdkgen_differ::DiffSettings::parse_today("2026-01-01").expect("a date"));
}

#[test]
fn sarif_lists_the_whole_catalogue_and_points_at_lines() {
    let old = with_paths("  /a:\n    get: {responses: {'200': {description: ok}}}\n");
    let new = with_paths(
        "  /a:\n    get: {responses: {'200': {description: ok}}}\n  /b:\n    get: {responses: {'200': {description: ok}}}\n",
    );
    let report = report(&old, &new);
    let sarif = sdkgen_differ::report::render_with_source(
        &report,
        sdkgen_differ::report::Format::Sarif,
        "new.yaml",
        Some(&new),
        false,
    );
    let value: serde_json::Value = serde_json::from_str(&sarif).expect("JSON");
    let rules = value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), sdkgen_differ::rules::catalogue().len());
    let result = &value["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "endpoint-added");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().expect("an index") as usize]["id"],
        "endpoint-added"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"], 7,
        "the line of `get:` under `/b:`"
    );
}

/// `count` components that each reference every other one, the first of them used by two
/// operations; in the new version the last one's `x` changes type.
fn tangle(count: usize, changed: bool) -> String {
    let mut text = format!(
        "{HEAD}paths:\n  /one:\n    get: {{responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/C0'}}}}}}}}}}}}\n  /two:\n    get: {{responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{type: object, properties: {{inner: {{$ref: '#/components/schemas/C0'}}}}}}}}}}}}}}}}\ncomponents:\n  schemas:\n"
    );
    for index in 0..count {
        let mut properties: Vec<String> = (0..count)
            .filter(|other| *other != index)
            .map(|other| format!("c{other}: {{$ref: '#/components/schemas/C{other}'}}"))
            .collect();
        let kind = if changed && index == count - 1 {
            "integer"
        } else {
            "string"
        };
        properties.push(format!("x: {{type: {kind}}}"));
        text.push_str(&format!(
            "    C{index}: {{type: object, properties: {{{}}}}}\n",
            properties.join(", ")
        ));
    }
    text
}

#[test]
fn components_that_all_reference_each_other_are_compared_in_bounded_time() {
    // Twelve components referencing each other have hundreds of millions of paths: a walk
    // that compared each path would not finish. Unchanged, there is nothing to report.
    let same = tangle(12, false);
    assert!(report(&same, &same).changes.is_empty());
    let changed = report(&tangle(12, false), &tangle(12, true));
    let locations: Vec<(&str, &str)> = changed
        .changes
        .iter()
        .map(|change| {
            (
                change.operation.as_deref().unwrap_or(""),
                change.location.as_str(),
            )
        })
        .collect();
    assert!(
        changed
            .changes
            .iter()
            .all(|change| change.id == "response-property-type-changed"),
        "{locations:?}"
    );
    // A changed component is reported at each place that uses it, up to 32 places per body:
    // the first ones already say what changed.
    for operation in ["GET /one", "GET /two"] {
        let places = locations
            .iter()
            .filter(|(found, location)| *found == operation && location.ends_with("/c11/x"))
            .count();
        assert!((1..=32).contains(&places), "{operation}: {places} places");
    }
}
