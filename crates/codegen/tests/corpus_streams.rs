//! How many operations of each corpus document get an `into_stream()` (pagination recognised
//! by shape or declared, and emitted), how many the loader recognised as paginated, and how
//! many answer with an event stream or a download. Prints the table and checks that every
//! recognised pagination is emitted.
//!
//! Uses ../shared/corpus beside the repository: a plain `cargo test` ignores it (its summary
//! counts it) and `cargo test -- --ignored` runs it, as CI does.

use std::path::PathBuf;

use sdkgen_codegen::{RuntimeDependency, Settings, generate};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

#[test]
#[ignore = "reads ../shared/corpus; run with --ignored"]
fn into_stream_per_corpus_document() {
    let mut documents: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("../shared/corpus is present")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            matches!(
                path.extension().and_then(|extension| extension.to_str()),
                Some("json" | "yaml" | "yml")
            )
        })
        .collect();
    documents.sort();
    println!(
        "{:<40} {:>10} {:>10} {:>12} {:>8} {:>9}  styles",
        "document", "operations", "recognised", "into_stream", "events", "downloads"
    );
    let mut missing = Vec::new();
    for document in documents {
        let name = document
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let api = sdkgen_loader::load_file(&document).expect("the corpus loads");
        let settings = Settings {
            crate_name: "corpus".to_owned(),
            runtime: RuntimeDependency::Version("0.1".to_owned()),
            command: "test".to_owned(),
            source: name.clone(),
            publish: None,
            examples: None,
        };
        let generated = generate(&api, &settings).expect("generates");
        let builders = &generated.files["src/builders.rs"];
        let streams = builders.matches("pub fn into_stream(").count();
        let events = builders.matches("::sdkgen_runtime::EventStream<").count();
        let downloads = builders.matches(".call_byte_stream(request)").count();
        let recognised = api
            .operations
            .iter()
            .filter(|operation| operation.pagination.is_some())
            .count();
        let mut styles = std::collections::BTreeMap::<&str, usize>::new();
        for pagination in api
            .operations
            .iter()
            .filter_map(|operation| operation.pagination.as_ref())
        {
            *styles.entry(pagination.style.name()).or_default() += 1;
        }
        let styles: Vec<String> = styles
            .iter()
            .map(|(style, count)| format!("{style} {count}"))
            .collect();
        println!(
            "{name:<40} {:>10} {recognised:>10} {streams:>12} {events:>8} {downloads:>9}  {}",
            api.operations.len(),
            styles.join(", ")
        );
        if streams != recognised {
            missing.push(format!(
                "{name}: {recognised} recognised, {streams} emitted"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "paginations recognised but not emitted: {missing:?}"
    );
}
