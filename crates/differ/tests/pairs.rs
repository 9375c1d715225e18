//! Snapshots of the reports for real version pairs of real APIs (../shared/corpus/pairs),
//! to be read by a person. They live beside the repository, not in it: a plain `cargo test`
//! ignores this test (its summary counts it) and `cargo test -- --ignored` runs it, as CI does.

use std::path::PathBuf;

#[test]
#[ignore = "needs ../shared/corpus/pairs beside the repository (or SDKGEN_SHARED): run with --ignored, as CI does"]
fn real_version_pairs() {
    let pairs = std::env::var_os("SDKGEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("corpus/pairs");
    assert!(
        pairs.is_dir(),
        "{} is absent; set SDKGEN_SHARED",
        pairs.display()
    );
    let mut names: Vec<String> = std::fs::read_dir(&pairs)
        .expect("pairs")
        .filter_map(|entry| {
            entry
                .ok()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    for name in names {
        let old = sdkgen_loader::load_file(pairs.join(&name).join("old.json")).expect("old loads");
        let new = sdkgen_loader::load_file(pairs.join(&name).join("new.json")).expect("new loads");
        let report = sdkgen_differ::diff(&old, &new, &settings());
        let text = sdkgen_differ::report::render(
            &report,
            sdkgen_differ::report::Format::Text,
            &name,
            false,
        );
        insta::assert_snapshot!(name, text);
    }
}

/// A fixed date, so that results do not change with the calendar.
fn settings() -> sdkgen_differ::DiffSettings {
    sdkgen_differ::DiffSettings::new(
        sdkgen_differ::DiffSettings::parse_today("2026-11-30").expect("a date"),
    )
}
