//! Fuzz-style: real corpus documents, mutated at random with a fixed seed, go through the
//! loader and the generator. Every outcome must be a crate, or an error that names the file
//! and a place in it; never a panic or a hang. Mutations are the ones that break generators:
//! values of the wrong kind, keys removed, `$ref`s turned dangling, cyclic or pointing at
//! themselves, schemas wrapped in compositions, discriminators added, subtrees copied.
//!
//! Uses ../shared/corpus beside the repository: a plain `cargo test` ignores it (its summary
//! counts it) and `cargo test -- --ignored` runs it, as CI does. With
//! `SDKGEN_MUTATED_OUT=DIR`, every tenth crate generated is also written to `DIR/<case>/`
//! (runtime by path), to be compiled: `cargo check` in each.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use sdkgen_codegen::{RuntimeDependency, Settings, generate};
use serde_json::{Value, json};

/// The documents mutated: the corpus's small and medium ones (the large ones take seconds to
/// generate in a debug build, and have no construct the others lack).
const DOCUMENTS: &[&str] = &[
    "adyen-RecurringService-v68.json",
    "oai-callback-example.yaml",
    "oai-link-example.yaml",
    "oai-petstore-expanded.yaml",
    "oai-uspto.yaml",
    "oai-webhook-example.json",
    "progenitor-propolis-server.json",
    "swagger-petstore.yaml",
    "twilio_accounts_v1.json",
];

const CASES_PER_DOCUMENT: usize = 36;
const SEED: u64 = 0x005e_ed0f_c0de;
/// A case that takes longer has hung (a case takes well under a second in a debug build).
const HANG: Duration = Duration::from_secs(30);

/// A small deterministic generator (xorshift64*), so that a failing case can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// Every JSON pointer in a document, in document order.
fn pointers(value: &Value, at: String, into: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{escaped}"), into);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), into);
            }
        }
        _ => {}
    }
    into.push(at);
}

/// Applies one mutation at a random place.
fn mutate(document: &mut Value, random: &mut Random) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    let target = all[random.below(all.len())].clone();
    let other = all[random.below(all.len())].clone();
    let other_value = document.pointer(&other).cloned().unwrap_or(Value::Null);
    let reference = |pointer: &str| json!({ "$ref": format!("#{pointer}") });
    let Some(slot) = document.pointer_mut(&target) else {
        return;
    };
    let current = slot.clone();
    *slot = match random.below(12) {
        0 => Value::Null,
        1 => json!(-1),
        2 => json!("x"),
        3 => json!([]),
        4 => json!({}),
        5 => reference(&target),
        6 => reference(&other),
        7 => json!({ "$ref": "#/components/schemas/DoesNotExist" }),
        8 => json!({ "allOf": [current, reference(&target)] }),
        9 => json!({
            "oneOf": [current, { "type": "object", "properties": { "kind": { "const": "a" } } }],
            "discriminator": { "propertyName": "kind" }
        }),
        10 => other_value,
        _ => match current {
            Value::Object(mut object) if !object.is_empty() => {
                let keys: Vec<String> = object.keys().cloned().collect();
                object.remove(&keys[random.below(keys.len())]);
                Value::Object(object)
            }
            other => json!({ "type": ["array", "null"], "items": other }),
        },
    };
}

/// What a case gave, when it is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Generated,
    Refused,
}

/// Loads and generates one mutated document; `Err` describes an outcome that is not allowed.
fn outcome(text: String, name: String, sample: bool) -> Result<Outcome, String> {
    let api = match sdkgen_loader::load_str(&text, &name) {
        Ok(api) => api,
        Err(error) if error.pointer.is_some() || error.line_column.is_some() => {
            return Ok(Outcome::Refused);
        }
        Err(error) => return Err(format!("an error without a place: {error}")),
    };
    // A crate name of its own, so that samples can share a workspace.
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let settings = Settings {
        crate_name: format!("mutated-{slug}"),
        runtime: RuntimeDependency::Path(
            concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime").to_owned(),
        ),
        command: "test".to_owned(),
        source: name.clone(),
        publish: None,
        examples: None,
    };
    let generated =
        generate(&api, &settings).map_err(|error| format!("generation failed: {error}"))?;
    if let Some(out) = std::env::var_os("SDKGEN_MUTATED_OUT")
        && sample
    {
        let folder = PathBuf::from(out).join(&settings.crate_name);
        sdkgen_codegen::sync(&generated, &folder, sdkgen_codegen::Mode::Write)
            .map_err(|error| format!("writing the sample failed: {error}"))?;
    }
    Ok(Outcome::Generated)
}

#[test]
#[ignore = "needs ../shared/corpus beside the repository: run with --ignored, as CI does"]
fn mutated_corpus_documents_load_and_generate_or_fail_with_a_place() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(corpus.is_dir(), "{} is absent", corpus.display());
    let mut random = Random(SEED);
    let mut failures = Vec::new();
    let mut cases = 0;
    let (mut generated, mut refused) = (0, 0);
    for file in DOCUMENTS {
        let text = std::fs::read_to_string(corpus.join(file)).expect("read the document");
        let format = sdkgen_loader::source::Format::sniff(Some(std::path::Path::new(file)), &text);
        let original =
            sdkgen_loader::source::parse(&text, file, format).expect("the original parses");
        for case in 0..CASES_PER_DOCUMENT {
            let mut document = original.clone();
            for _ in 0..=random.below(3) {
                mutate(&mut document, &mut random);
            }
            let name = format!("{file}#{case}");
            let text = document.to_string();
            // On a thread of its own, so that a hang is reported rather than waited for.
            let (sender, receiver) = mpsc::channel();
            let worker_name = name.clone();
            let sample = case % 10 == 0;
            std::thread::spawn(move || {
                let result = std::panic::catch_unwind(|| outcome(text, worker_name, sample))
                    .unwrap_or_else(|_| Err("panicked".to_owned()));
                // The receiver is gone only after a hang was reported.
                sender.send(result).ok();
            });
            cases += 1;
            match receiver.recv_timeout(HANG) {
                Ok(Ok(Outcome::Generated)) => generated += 1,
                Ok(Ok(Outcome::Refused)) => refused += 1,
                Ok(Err(problem)) => failures.push(format!("{name}: {problem}")),
                Err(_) => failures.push(format!("{name}: no outcome after {HANG:?}")),
            }
        }
    }
    eprintln!("{cases} cases: {generated} generated, {refused} refused with a place");
    assert!(cases >= 300, "{cases} cases");
    // Both kinds of outcome are exercised, or the mutations test nothing.
    assert!(generated > cases / 10 && refused > cases / 10);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
