//! Differ benchmark: `cargo bench -p sdkgen-differ --bench diff`. GitHub's document
//! (../shared/corpus) against a copy with 50 scattered edits, made here deterministically:
//! removed response properties, new optional parameters, changed enums and types, raised
//! costs, removed operations. Target: under 200 ms. And a real 1 MB document against its next
//! release (../shared/corpus/pairs/omicron-nexus): under 300 ms, loading both included.

use std::path::PathBuf;

use serde_json::{Value, json};

fn main() {
    divan::main();
}

fn github() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/github-api.github.com.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }
}

/// 50 edits spread over the document.
fn edited(text: &str) -> String {
    let mut document: Value = serde_json::from_str(text).expect("JSON");
    let paths: Vec<String> = document["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    let step = paths.len() / 30;
    for (index, path) in paths.iter().step_by(step).take(30).enumerate() {
        let item = &mut document["paths"][path.as_str()];
        let Some(method) = ["get", "post", "patch", "put", "delete"]
            .into_iter()
            .find(|method| item.get(*method).is_some())
        else {
            continue;
        };
        let operation = &mut item[method];
        match index % 3 {
            0 => {
                let parameters = operation["parameters"].as_array_mut();
                match parameters {
                    Some(parameters) => parameters.push(json!({"name": format!("bench_{index}"), "in": "query", "schema": {"type": "string"}})),
                    None => operation["parameters"] = json!([{"name": format!("bench_{index}"), "in": "query", "schema": {"type": "string"}}]),
                }
            }
            1 => operation["x-points"] = json!(9),
            _ => operation["deprecated"] = json!(true),
        }
    }
    let schemas: Vec<String> = document["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .cloned()
        .collect();
    let step = schemas.len() / 20;
    for (index, name) in schemas.iter().step_by(step).take(20).enumerate() {
        let schema = &mut document["components"]["schemas"][name.as_str()];
        if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            let first = properties.keys().next().cloned();
            if let Some(first) = first {
                if index % 2 == 0 {
                    properties.remove(&first);
                } else {
                    properties[&first] = json!({"type": "integer"});
                }
            }
        } else {
            schema["description"] = json!("edited");
        }
    }
    serde_json::to_string(&document).expect("JSON")
}

#[divan::bench(sample_count = 10)]
fn diff_only(bencher: divan::Bencher) {
    let Some(text) = github() else { return };
    let old = sdkgen_loader::load_str(&text, "old.json").expect("loads");
    let new = sdkgen_loader::load_str(&edited(&text), "new.json").expect("loads");
    eprintln!(
        "{} findings",
        sdkgen_differ::diff(&old, &new, &settings()).changes.len()
    );
    bencher.bench(|| sdkgen_differ::diff(&old, &new, &settings()).changes.len());
}

#[divan::bench(sample_count = 10)]
fn load_both_and_diff(bencher: divan::Bencher) {
    let Some(text) = github() else { return };
    let edited = edited(&text);
    bencher.bench(|| {
        let old = sdkgen_loader::load_str(&text, "old.json").expect("loads");
        let new = sdkgen_loader::load_str(&edited, "new.json").expect("loads");
        sdkgen_differ::diff(&old, &new, &settings()).changes.len()
    });
}

fn nexus_pair() -> Option<(String, String)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/pairs/omicron-nexus");
    match (
        std::fs::read_to_string(folder.join("old.json")),
        std::fs::read_to_string(folder.join("new.json")),
    ) {
        (Ok(old), Ok(new)) => Some((old, new)),
        _ => {
            eprintln!("skipped: {} is absent", folder.display());
            None
        }
    }
}

#[divan::bench(sample_count = 10)]
fn nexus_release_pair_diff_only(bencher: divan::Bencher) {
    let Some((old, new)) = nexus_pair() else {
        return;
    };
    let old = sdkgen_loader::load_str(&old, "old.json").expect("loads");
    let new = sdkgen_loader::load_str(&new, "new.json").expect("loads");
    bencher.bench(|| sdkgen_differ::diff(&old, &new, &settings()).changes.len());
}

#[divan::bench(sample_count = 10)]
fn nexus_release_pair_load_both_and_diff(bencher: divan::Bencher) {
    let Some((old, new)) = nexus_pair() else {
        return;
    };
    bencher.bench(|| {
        let old = sdkgen_loader::load_str(&old, "old.json").expect("loads");
        let new = sdkgen_loader::load_str(&new, "new.json").expect("loads");
        sdkgen_differ::diff(&old, &new, &settings()).changes.len()
    });
}

/// A fixed date, so that results do not change with the calendar.
fn settings() -> sdkgen_differ::DiffSettings {
    sdkgen_differ::DiffSettings::new(
        sdkgen_differ::DiffSettings::parse_today("2026-11-30").expect("a date"),
    )
}
