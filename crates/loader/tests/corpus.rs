//! Every document of the shared corpus loads, with as many operations as paths x methods and
//! every component schema, as counted in ../shared/corpus/SOURCES.md. The corpus lives beside
//! the repository, not in it, so these tests are ignored by a plain `cargo test` (the runner's
//! summary counts them) and run with `cargo test -- --ignored`, as CI does.

use std::path::PathBuf;

use sdkgen_model::SchemaOrigin;

/// The shared folder; a test run with `--ignored` without it fails, saying where it looked.
fn shared() -> PathBuf {
    let path = std::env::var_os("SDKGEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        path.join("corpus/SOURCES.md").exists(),
        "the shared corpus is absent ({}); set SDKGEN_SHARED",
        path.display()
    );
    path
}

/// (relative path, operations, component schemas) for every row of both tables.
fn expected_counts(shared: &std::path::Path) -> Vec<(String, usize, usize)> {
    let sources = std::fs::read_to_string(shared.join("corpus/SOURCES.md")).expect("SOURCES.md");
    let mut rows = Vec::new();
    for line in sources.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | file | origin | path | commit | license | OpenAPI | size | paths | ops | schemas | ..
        if cells.len() > 10 && (cells[1].ends_with(".json") || cells[1].ends_with(".yaml")) {
            let operations = cells[9].parse().expect("ops column");
            let schemas = cells[10].parse().expect("schemas column");
            rows.push((cells[1].to_owned(), operations, schemas));
        }
        // | pair | side | origin | path | commit | license | OpenAPI | size | ops | schemas |
        if cells.len() > 10 && (cells[2] == "old" || cells[2] == "new") {
            let operations = cells[9].parse().expect("ops column");
            let schemas = cells[10].parse().expect("schemas column");
            rows.push((
                format!("pairs/{}/{}.json", cells[1], cells[2]),
                operations,
                schemas,
            ));
        }
    }
    rows
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository (or SDKGEN_SHARED): run with --ignored, as CI does"]
fn every_corpus_document_loads_with_its_operations_and_schemas() {
    let shared = shared();
    let rows = expected_counts(&shared);
    assert!(
        rows.len() >= 20,
        "SOURCES.md lists {} documents",
        rows.len()
    );
    for (file, operations, schemas) in rows {
        let path = shared.join("corpus").join(&file);
        let api = sdkgen_loader::load_file(&path).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(api.operations.len(), operations, "operations of {file}");
        let components = api
            .schemas
            .values()
            .filter(|schema| schema.origin == SchemaOrigin::Component)
            .count();
        assert_eq!(components, schemas, "component schemas of {file}");
        // Every operation has a cost in range and a unique id.
        let mut ids = std::collections::HashSet::new();
        for operation in &api.operations {
            assert!(
                (1..=10).contains(&operation.cost.base_points()),
                "{file} {}",
                operation.id
            );
            assert!(
                ids.insert(operation.id.clone()),
                "duplicate id {} in {file}",
                operation.id
            );
        }
        // Every reference resolves.
        for named in api.schemas.values() {
            assert!(
                api.resolve(&named.schema).is_some(),
                "{file}: {} does not resolve",
                named.name
            );
        }
    }
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository (or SDKGEN_SHARED): run with --ignored, as CI does"]
fn webhook_only_document_has_its_webhook() {
    let shared = shared();
    let api = sdkgen_loader::load_file(shared.join("corpus/oai-webhook-example.json")).unwrap();
    assert_eq!(api.webhooks.len(), 1);
    assert_eq!(api.webhooks[0].path, "newPet");
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository (or SDKGEN_SHARED): run with --ignored, as CI does"]
fn github_example_values_with_ref_keys_are_data_not_references() {
    let shared = shared();
    // The SCIM examples hold "$ref": "https://api.github.com/scim/..." values: following them
    // would fail (remote) or load something unrelated.
    let api = sdkgen_loader::load_file(shared.join("corpus/github-api.github.com.json")).unwrap();
    assert_eq!(api.operations.len(), 767);
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository (or SDKGEN_SHARED): run with --ignored, as CI does"]
fn loading_is_deterministic() {
    let shared = shared();
    let path = shared.join("corpus/progenitor-nexus.json");
    let first = sdkgen_loader::load_file(&path).unwrap();
    let second = sdkgen_loader::load_file(&path).unwrap();
    assert_eq!(first, second);
    let names: Vec<_> = first.schemas.keys().take(3).collect();
    assert!(!names.is_empty());
}
