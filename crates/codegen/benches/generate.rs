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
        examples: None,
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

/// A document whose only response is the head of a chain of `links` object schemas, each
/// referring to the next (`Link1.next: Link2`, ...).
fn chain_document(links: usize) -> String {
    let mut text = String::from(
        "openapi: 3.1.0\ninfo: {title: Chain, version: '1'}\npaths:\n  /head:\n    get:\n      operationId: getHead\n      responses:\n        '200':\n          description: The head of the chain.\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Link1'}\ncomponents:\n  schemas:\n",
    );
    for link in 1..=links {
        if link < links {
            text.push_str(&format!(
                "    Link{link}: {{type: object, properties: {{value: {{type: integer}}, next: {{$ref: '#/components/schemas/Link{}'}}}}}}\n",
                link + 1
            ));
        } else {
            text.push_str(&format!(
                "    Link{link}: {{type: object, properties: {{value: {{type: integer}}}}}}\n"
            ));
        }
    }
    text
}

/// Generation against the length of a `$ref` chain: time must grow linearly (16,000 links
/// under 2 seconds). Loading is outside the measurement.
#[divan::bench(args = [1_000, 4_000, 16_000], sample_count = 3)]
fn ref_chain(bencher: divan::Bencher, links: usize) {
    let api = sdkgen_loader::load_str(&chain_document(links), "chain.yaml").expect("loads");
    let settings = Settings {
        crate_name: "chain".to_owned(),
        runtime: RuntimeDependency::Version("0.1".to_owned()),
        command: "bench".to_owned(),
        source: "chain.yaml".to_owned(),
        publish: None,
        examples: None,
    };
    bencher.bench(|| sdkgen_codegen::generate(&api, &settings).expect("generates"));
}
