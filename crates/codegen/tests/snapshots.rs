//! Snapshots of the generated code for each fixture spec (review changes with
//! `cargo insta review`). The fixtures are also generated and compiled by
//! `cargo xtask corpus-check`.

use sdkgen_codegen::{RuntimeDependency, Settings, generate};

#[test]
fn generated_code() {
    insta::glob!("fixtures/*.yaml", |path| {
        let mut api = sdkgen_loader::load_file(path).expect("fixture loads");
        // Warnings name files by their paths, which differ between machines.
        if let Some(folder) = path.parent() {
            let folder = format!("{}/", folder.display());
            for warning in &mut api.warnings {
                *warning = warning.replace(&folder, "");
            }
        }
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("fixture");
        let settings = Settings {
            crate_name: format!("fixture-{stem}"),
            runtime: RuntimeDependency::Path("../runtime".to_owned()),
            command: "cargo test -p sdkgen-codegen".to_owned(),
            source: format!("{stem}.yaml"),
            publish: None,
            examples: None,
        };
        let generated = generate(&api, &settings).expect("generates");
        let mut combined = String::new();
        for warning in &api.warnings {
            combined.push_str(&format!("loader warning: {warning}\n"));
        }
        for (file, contents) in &generated.files {
            combined.push_str(&format!("==> {file} <==\n{contents}\n"));
        }
        for warning in &generated.warnings {
            combined.push_str(&format!("warning: {warning}\n"));
        }
        insta::assert_snapshot!(combined);
    });
}

#[test]
fn generation_is_deterministic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unions.yaml");
    let api = sdkgen_loader::load_file(&path).expect("fixture loads");
    let settings = Settings {
        crate_name: "twice".to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "test".to_owned(),
        source: "unions.yaml".to_owned(),
        publish: None,
        examples: None,
    };
    assert_eq!(
        generate(&api, &settings).expect("first"),
        generate(&api, &settings).expect("second")
    );
}

#[test]
fn sync_writes_checks_and_removes_stale_files() {
    use sdkgen_codegen::{GeneratedCrate, Mode, sync};
    let directory = std::env::temp_dir().join(format!("sdkgen-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    let mut generated = GeneratedCrate::default();
    generated
        .files
        .insert("src/lib.rs".to_owned(), "// one\n".to_owned());
    generated
        .files
        .insert("Cargo.toml".to_owned(), "[package]\n".to_owned());
    // Check mode on an empty directory: everything differs, nothing is written.
    assert_eq!(
        sync(&generated, &directory, Mode::Check).expect("check"),
        ["Cargo.toml", "src/lib.rs"]
    );
    assert!(!directory.exists());
    assert_eq!(
        sync(&generated, &directory, Mode::Write)
            .expect("write")
            .len(),
        2
    );
    assert!(
        sync(&generated, &directory, Mode::Check)
            .expect("check")
            .is_empty(),
        "fresh after writing"
    );
    // A file the generator no longer makes is stale, and removed in write mode.
    std::fs::write(directory.join("src/old.rs"), "// stale\n").expect("write");
    assert_eq!(
        sync(&generated, &directory, Mode::Check).expect("check"),
        ["src/old.rs"]
    );
    sync(&generated, &directory, Mode::Write).expect("write");
    assert!(!directory.join("src/old.rs").exists());
    std::fs::remove_dir_all(&directory).expect("clean up");
}
