//! `annotate` writes inferred costs into documents and changes nothing else.

use sdkgen_loader::annotate::annotate;
use sdkgen_loader::load_str;
use sdkgen_loader::source::Format;
use sdkgen_model::cost::CostSource;

const YAML: &str = "openapi: 3.0.3 # the version\ninfo: {title: t, version: '1'}\npaths:\n  # Tasks.\n  \"/tasks\":\n    get:\n      summary: List tasks\n      responses: {'200': {description: ok}}\n    post:\n      x-points: 4\n      responses: {'201': {description: ok}}\n  /tasks/{id}:\n    delete:\n      responses:\n        '204':\n          description: gone\n";

#[test]
fn yaml_gets_one_line_per_inferred_operation_and_keeps_the_rest() {
    let api = load_str(YAML, "t.yaml").unwrap();
    let annotated = annotate(YAML, "t.yaml", None, Format::Yaml, &api).unwrap();
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
        annotate(&annotated, "t.yaml", None, Format::Yaml, &again).unwrap(),
        annotated
    );
}

#[test]
fn json_keeps_key_order_and_indentation() {
    let json = "{\n    \"openapi\": \"3.1.0\",\n    \"info\": {\"title\": \"t\", \"version\": \"1\"},\n    \"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\"}}}}}\n}\n";
    let api = load_str(json, "a.json").unwrap();
    let annotated = annotate(json, "a.json", None, Format::Json, &api).unwrap();
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
    let error = annotate(text, "f.yaml", None, Format::Yaml, &api).unwrap_err();
    assert_eq!(error.pointer.as_deref(), Some("/paths/~1a/get"));
    assert!(error.message.contains("block-style YAML"), "{error}");
}

/// A document whose operations refer to other files is annotated from wherever the command
/// runs: the result is checked with the references read from the document's folder.
#[test]
fn a_multi_file_document_is_annotated_and_checked_from_its_folder() {
    let directory = tempfile::tempdir().unwrap();
    let folder = directory.path().join("api");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("things.yaml"),
        "Things: {type: array, items: {type: string}}\n",
    )
    .unwrap();
    let text = "openapi: 3.0.3\ninfo: {title: M, version: '1'}\npaths:\n  /things:\n    get:\n      operationId: listThings\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'things.yaml#/Things'}\n";
    let path = folder.join("openapi.yaml");
    std::fs::write(&path, text).unwrap();
    let api = sdkgen_loader::load_file(&path).expect("loads");
    let annotated = annotate(text, "openapi.yaml", Some(&folder), Format::Yaml, &api).unwrap();
    assert!(annotated.contains("x-points:"), "{annotated}");
}
