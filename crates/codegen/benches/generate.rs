//! Generation benchmark: `cargo bench -p sdkgen-codegen --bench generate`. Loads a corpus
//! document and generates its crate end to end (model, tokens, syn, prettyplease), as
//! `cargo xtask generate` does minus writing files. Uses ../shared/corpus beside the
//! repository and says so when it is absent.

use std::path::PathBuf;

use sdkgen_codegen::{RuntimeDependency, Settings};

/// The allocator of `cargo xtask`, so that the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn corpus(file: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(file);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

fn end_to_end(path: &PathBuf) -> usize {
    let api = sdkgen_loader::load_file(path).expect("loads");
    let settings = Settings {
        crate_name: "bench".to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "bench".to_owned(),
        source: "bench".to_owned(),
        publish: None,
    };
    let generated = sdkgen_codegen::generate(&api, &settings).expect("generates");
    generated
        .files
        .values()
        .map(|file| file.lines().count())
        .sum()
}

/// github-api.github.com.json, 767 operations. Target: under 1 second.
#[divan::bench(sample_count = 5)]
fn github(bencher: divan::Bencher) {
    let Some(path) = corpus("github-api.github.com.json") else {
        return;
    };
    eprintln!("github: {} lines generated", end_to_end(&path));
    bencher.bench(|| end_to_end(&path));
}

/// progenitor-nexus.json, 193 operations: compared with progenitor on the same document.
#[divan::bench(sample_count = 5)]
fn nexus(bencher: divan::Bencher) {
    let Some(path) = corpus("progenitor-nexus.json") else {
        return;
    };
    eprintln!("nexus: {} lines generated", end_to_end(&path));
    bencher.bench(|| end_to_end(&path));
}
