//! `annotate` writes inferred costs into documents and changes nothing else.

use sdkgen_loader::annotate::annotate;
use sdkgen_loader::load_str;
use sdkgen_loader::source::Format;
use sdkgen_model::cost::CostSource;

const YAML: &str = "openapi: 3.0.3 # the version\ninfo: {title: t, version: '1'}\npaths:\n  # Tasks.\n  \"/tasks\":\n    get:\n      summary: List tasks\n      responses: {'200': {description: ok}}\n    post:\n      x-points: 4\n      responses: {'201': {description: ok}}\n  /tasks/{id}:\n    delete:\n      responses:\n        '204':\n          description: gone\n";

#[test]
fn yaml_gets_one_line_per_inferred_operation_and_keeps_the_rest() {
    let api = load_str(YAML, "t.yaml").unwrap();
    let annotated = annotate(YAML, "t.yaml", Format::Yaml, &api).unwrap();
    let added: Vec<&str> = annotated
        .lines()
        .filter(|line| !YAML.lines().any(|old| old == *line))
        .collect();
    assert_eq!(
        added,
        [
            "      x-points: 1 # inferred: single-resource read",
            "      x-points: 3 # inferred: write"
        ]
    );
    assert_eq!(annotated.lines().count(), YAML.lines().count() + 2);
    let again = load_str(&annotated, "t.yaml").unwrap();
    assert!(
        again
            .operations
            .iter()
            .all(|operation| operation.cost.source == CostSource::Declared)
    );
    // Nothing left to infer: the text comes back unchanged.
    assert_eq!(
        annotate(&annotated, "t.yaml", Format::Yaml, &again).unwrap(),
        annotated
    );
}

#[test]
fn json_keeps_key_order_and_indentation() {
    let json = "{\n    \"openapi\": \"3.1.0\",\n    \"info\": {\"title\": \"t\", \"version\": \"1\"},\n    \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}}\n}\n";
    let api = load_str(json, "a.json").unwrap();
    let annotated = annotate(json, "a.json", Format::Json, &api).unwrap();
    assert!(
        annotated.starts_with("{\n    \"openapi\": \"3.1.0\",\n    \"info\": {"),
        "{annotated}"
    );
    assert!(annotated.contains("\"x-points\": 1"), "{annotated}");
    assert!(annotated.ends_with("}\n"));
}

#[test]
fn flow_style_operations_are_refused_rather_than_mangled() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {responses: {'200': {description: ok}}}}\n";
    let api = load_str(text, "f.yaml").unwrap();
    let error = annotate(text, "f.yaml", Format::Yaml, &api).unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/paths/~1a/get"));
    assert!(error.message.contains("block-style YAML"), "{error}");
}
