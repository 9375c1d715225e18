//! Type names come from what a thing is, not where it sits: across the corpus documents,
//! fewer than 2% of the generated types have a positional name (`Variant3`, `Part2`), which
//! changes when a variant is inserted. Each document's share is printed (`--nocapture`).
//!
//! Uses ../shared/corpus beside the repository: a plain `cargo test` ignores it (its summary
//! counts it) and `cargo test -- --ignored` runs it, as CI does.

use std::path::PathBuf;

use sdkgen_codegen::{RuntimeDependency, Settings, generate};

/// Whether a type name ends a word with `Variant` or `Part` and a number.
fn positional(name: &str) -> bool {
    ["Variant", "Part"].iter().any(|word| {
        name.match_indices(word)
            .any(|(index, _)| name[index + word.len()..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository: run with --ignored, as CI does"]
fn fewer_than_two_percent_of_type_names_are_positional() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut documents: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("the corpus is there")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            matches!(
                path.extension().and_then(|extension| extension.to_str()),
                Some("json" | "yaml")
            )
        })
        .collect();
    documents.sort();
    let (mut total, mut positional_total) = (0, 0);
    for document in &documents {
        let api = sdkgen_loader::load_file(document).expect("the document loads");
        let settings = Settings {
            crate_name: "names".to_owned(),
            runtime: RuntimeDependency::Version("0.1".to_owned()),
            command: "test".to_owned(),
            source: document.display().to_string(),
            publish: None,
            examples: None,
        };
        let generated = generate(&api, &settings).expect("generates");
        let names: Vec<&str> = generated.files["src/types.rs"]
            .lines()
            .filter_map(|line| {
                ["pub struct ", "pub enum ", "pub type "]
                    .iter()
                    .find_map(|start| line.strip_prefix(start))
            })
            .filter_map(|rest| rest.split([' ', '<', '(', '{', ';']).next())
            .collect();
        let count = names.iter().filter(|name| positional(name)).count();
        println!(
            "{}: {count} of {} positional",
            document.file_name().unwrap_or_default().to_string_lossy(),
            names.len()
        );
        total += names.len();
        positional_total += count;
    }
    println!("corpus: {positional_total} of {total} positional");
    assert!(total > 1000, "the corpus has its documents: {total} types");
    assert!(
        positional_total * 50 < total,
        "{positional_total} of {total} type names are positional (2% or more)"
    );
}

#[test]
fn positional_names_are_recognised() {
    assert!(positional("IssuesAddLabelsRequestVariant3LabelsItem"));
    assert!(positional("PetPart2"));
    assert!(!positional("ApiKeyWithSecretFields"));
    assert!(!positional("VariantName"));
}
