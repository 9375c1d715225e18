//! The architecture invariants of ARCHITECTURE.md, checked over `cargo metadata`: a change
//! that breaks one fails here, naming the invariant and the path of dependencies that breaks
//! it. Only normal and build dependencies count (tests may use anything).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Workspace crates by name, each with the names of its normal and build dependencies.
type Graph = BTreeMap<String, BTreeSet<String>>;

fn graph_of(metadata: &Value) -> Graph {
    let mut graph = Graph::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let Some(name) = package["name"].as_str() else {
            continue;
        };
        let dependencies = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|dependency| dependency["kind"].is_null() || dependency["kind"] == "build")
            .filter_map(|dependency| dependency["name"].as_str().map(str::to_owned))
            .collect();
        graph.insert(name.to_owned(), dependencies);
    }
    graph
}

/// The path from `from` to the first crate that `forbidden` accepts, through workspace crates.
fn forbidden_path(graph: &Graph, from: &str, forbidden: &dyn Fn(&str) -> bool) -> Option<String> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last()?.clone();
        for dependency in graph.get(&last).into_iter().flatten() {
            let mut longer = path.clone();
            longer.push(dependency.clone());
            if forbidden(dependency) {
                return Some(longer.join(" -> "));
            }
            if graph.contains_key(dependency) && seen.insert(dependency.clone()) {
                stack.push(longer);
            }
        }
    }
    None
}

/// Every invariant that `graph` breaks, as sentences.
fn violations(graph: &Graph) -> Vec<String> {
    const GENERATOR: [&str; 6] = [
        "sdkgen-model",
        "sdkgen-loader",
        "sdkgen-codegen",
        "sdkgen-differ",
        "sdkgen-sandbox",
        "sdkgen-cli",
    ];
    const GENERATOR_LIBRARIES: [&str; 7] = [
        "syn",
        "quote",
        "prettyplease",
        "proc-macro2",
        "openapiv3",
        "serde-saphyr",
        "heck",
    ];
    let project = |name: &str| name.starts_with("sdkgen-");
    let mut broken = Vec::new();
    let mut check = |invariant: &str, from: &str, forbidden: &dyn Fn(&str) -> bool| {
        if graph.contains_key(from)
            && let Some(path) = forbidden_path(graph, from, forbidden)
        {
            broken.push(format!("{invariant}: {path}"));
        }
    };
    check(
        "the policy crate depends on nothing",
        "sdkgen-policy",
        &|_| true,
    );
    check(
        "the runtime has no generator dependency",
        "sdkgen-runtime",
        &|name| GENERATOR.contains(&name) || GENERATOR_LIBRARIES.contains(&name),
    );
    check(
        "the model depends on nothing of the project but the policy crate",
        "sdkgen-model",
        &|name| project(name) && name != "sdkgen-policy",
    );
    check(
        "the loader depends on nothing of the project but the model and the policy crate",
        "sdkgen-loader",
        &|name| project(name) && !["sdkgen-policy", "sdkgen-model"].contains(&name),
    );
    for reader in ["sdkgen-differ", "sdkgen-sandbox"] {
        check(
            "the differ and the sandbox never depend on the code generator",
            reader,
            &|name| name == "sdkgen-codegen" || name == "sdkgen-cli",
        );
    }
    check(
        "the code generator never depends on the differ or the sandbox",
        "sdkgen-codegen",
        &|name| ["sdkgen-differ", "sdkgen-sandbox", "sdkgen-cli"].contains(&name),
    );
    // Generated crates: what every SDK user compiles.
    for name in graph
        .keys()
        .filter(|name| !project(name) && *name != "xtask")
    {
        check(
            "a generated crate depends on the runtime alone of the project",
            name,
            &|dependency| {
                project(dependency)
                    && dependency != "sdkgen-runtime"
                    && dependency != "sdkgen-policy"
            },
        );
    }
    broken
}

#[test]
fn the_workspace_keeps_its_architecture_invariants() {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
    let graph = graph_of(&metadata);
    for expected in [
        "sdkgen-policy",
        "sdkgen-runtime",
        "sdkgen-model",
        "sdkgen-codegen",
    ] {
        assert!(
            graph.contains_key(expected),
            "{expected} is not in the workspace"
        );
    }
    let broken = violations(&graph);
    assert!(
        broken.is_empty(),
        "broken invariants:\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn a_violation_is_named_with_its_path() {
    let metadata = serde_json::json!({"packages": [
        {"name": "sdkgen-policy", "dependencies": []},
        {"name": "sdkgen-model", "dependencies": [{"name": "sdkgen-policy", "kind": null}]},
        {"name": "sdkgen-loader", "dependencies": [{"name": "sdkgen-model", "kind": null}]},
        {"name": "sdkgen-runtime", "dependencies": [
            {"name": "sdkgen-policy", "kind": null},
            {"name": "sdkgen-helper", "kind": null},
            {"name": "sdkgen-loader", "kind": "dev"}
        ]},
        {"name": "sdkgen-helper", "dependencies": [{"name": "sdkgen-model", "kind": null}]},
        {"name": "sdkgen-differ", "dependencies": [{"name": "sdkgen-codegen", "kind": "dev"}]},
        {"name": "sdkgen-sandbox", "dependencies": [{"name": "sdkgen-codegen", "kind": null}]},
        {"name": "sdkgen-codegen", "dependencies": [{"name": "quote", "kind": null}]}
    ]});
    let broken = violations(&graph_of(&metadata));
    assert_eq!(
        broken,
        [
            "the runtime has no generator dependency: sdkgen-runtime -> sdkgen-helper -> sdkgen-model",
            "the differ and the sandbox never depend on the code generator: sdkgen-sandbox -> sdkgen-codegen",
        ]
    );
}
