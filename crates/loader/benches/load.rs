//! Loading benchmark: `cargo bench -p sdkgen-loader`. Uses the shared corpus beside the
//! repository when present (../shared/corpus), and says so when it is not.

use std::path::PathBuf;

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

/// github-api.github.com.json: 3.5 MB, 767 operations. Target: under 150 ms.
#[divan::bench(sample_count = 20)]
fn github(bencher: divan::Bencher) {
    let Some(path) = corpus("github-api.github.com.json") else {
        return;
    };
    bencher.bench(|| sdkgen_loader::load_file(&path).map(|api| api.operations.len()));
}

/// k8s-apps-v1.json: 0.7 MB with many allOf wrappers.
#[divan::bench(sample_count = 20)]
fn kubernetes(bencher: divan::Bencher) {
    let Some(path) = corpus("k8s-apps-v1.json") else {
        return;
    };
    bencher.bench(|| sdkgen_loader::load_file(&path).map(|api| api.operations.len()));
}
