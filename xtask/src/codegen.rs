//! `cargo xtask codegen`, `corpus-check` and `semver-check`: this repository's generated crates
//! and the checks over them, through the same library functions as the `sdkgen` command.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use sdkgen_cli::project::{Release, api_slug, majors, releases};
use sdkgen_cli::versions;
use sdkgen_codegen::{Mode, RuntimeDependency, Settings};

/// The repository's root (the xtask lives one level down).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Generates the crate of one release of specs/, printing the generator's warnings.
fn generate_release(
    root: &Path,
    api: &sdkgen_model::Api,
    release: &Release,
    crate_name: &str,
    examples: Option<String>,
) -> Result<sdkgen_codegen::GeneratedCrate> {
    let source = release
        .path
        .strip_prefix(root)
        .unwrap_or(&release.path)
        .display()
        .to_string();
    let settings = Settings {
        crate_name: crate_name.to_owned(),
        runtime: RuntimeDependency::PathAndVersion {
            path: "../../crates/runtime".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        command: "cargo xtask codegen".to_owned(),
        source,
        publish: None,
        examples,
    };
    let generated = sdkgen_codegen::generate(api, &settings)?;
    for warning in &generated.warnings {
        eprintln!("warning: {crate_name}: {warning}");
    }
    Ok(generated)
}

/// Writes (or checks) generated/<crate_name>/, noting what differs and what was produced.
fn sync_generated(
    root: &Path,
    generated: &sdkgen_codegen::GeneratedCrate,
    crate_name: String,
    check: bool,
    stale: &mut Vec<String>,
    produced: &mut Vec<String>,
) -> Result<()> {
    let mode = if check { Mode::Check } else { Mode::Write };
    let differing =
        sdkgen_codegen::sync(generated, &root.join("generated").join(&crate_name), mode)?;
    stale.extend(
        differing
            .iter()
            .map(|file| format!("generated/{crate_name}/{file}")),
    );
    produced.push(crate_name);
    Ok(())
}

/// `cargo xtask codegen [--check]`.
pub fn codegen(check: bool) -> Result<()> {
    let root = root();
    let mut stale = Vec::new();
    let mut produced = Vec::new();
    let mut previous_newest: Option<Release> = None;
    for (major, folder) in majors(&root.join("specs"))? {
        let all_releases = releases(&folder)?;
        let Some(newest) = all_releases.last().cloned() else {
            continue;
        };
        let api = sdkgen_loader::load_file(&newest.path)?;
        let crate_name = format!("{}-v{major}", api_slug(&api.title));
        // A major's hand-written examples (doc-tested in its crate's `examples` module).
        let examples = std::fs::read_to_string(folder.join("EXAMPLES.md")).ok();
        let mut generated = generate_release(&root, &api, &newest, &crate_name, examples)?;
        // The differ and the generator know nothing of each other: the changelog and the
        // migration guide are put together here.
        let changelog = versions::changelog(&crate_name, &all_releases)?;
        generated.files.insert("CHANGELOG.md".to_owned(), changelog);
        if let (Some(previous), Some(first)) = (&previous_newest, all_releases.first()) {
            let guide = versions::migration_guide(&crate_name, previous, first)?;
            generated.files.insert("MIGRATION.md".to_owned(), guide);
        }
        previous_newest = Some(newest.clone());
        // The oldest release of a major with several, for the compatibility tests (an SDK
        // built from 1.0 must keep working against a 1.x server).
        if let Some(oldest) = all_releases.first().filter(|_| all_releases.len() > 1) {
            let (a, b, c) = oldest.version;
            let baseline_name = format!("{crate_name}-{a}-{b}-{c}");
            let baseline_api = sdkgen_loader::load_file(&oldest.path)?;
            let baseline = generate_release(&root, &baseline_api, oldest, &baseline_name, None)?;
            sync_generated(
                &root,
                &baseline,
                baseline_name,
                check,
                &mut stale,
                &mut produced,
            )?;
        }
        sync_generated(
            &root,
            &generated,
            crate_name,
            check,
            &mut stale,
            &mut produced,
        )?;
    }
    if let Ok(entries) = std::fs::read_dir(root.join("generated")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && !produced.contains(&name) {
                if check {
                    stale.push(format!("generated/{name}/ (no spec generates it any more)"));
                } else {
                    std::fs::remove_dir_all(entry.path())
                        .with_context(|| format!("cannot remove generated/{name}"))?;
                }
            }
        }
    }
    if check && !stale.is_empty() {
        bail!(
            "generated code is stale; run `cargo xtask codegen` and commit the result:\n  {}",
            stale.join("\n  ")
        );
    }
    if check {
        eprintln!("generated/ is up to date ({})", produced.join(", "));
    } else {
        eprintln!(
            "generated {}",
            produced
                .iter()
                .map(|name| format!("generated/{name}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// `cargo xtask corpus-check`: every document of the shared corpus generates a crate, and every
/// crate passes `cargo check`, in one workspace sharing the repository's target directory.
pub fn corpus_check(shared: Option<PathBuf>) -> Result<()> {
    let root = root();
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    let corpus = shared.join("corpus");
    if !corpus.is_dir() {
        bail!("{} is absent: pass --shared DIR", corpus.display());
    }
    let workspace = root.join("target/corpus-check");
    if workspace.exists() {
        std::fs::remove_dir_all(&workspace)
            .with_context(|| format!("cannot clear {}", workspace.display()))?;
    }
    std::fs::create_dir_all(&workspace)?;
    let runtime = std::fs::canonicalize(root.join("crates/runtime"))?;
    // The generator's own fixtures first, then the corpus.
    let mut documents = Vec::new();
    for folder in [root.join("crates/codegen/tests/fixtures"), corpus.clone()] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("json" | "yaml" | "yml")
                )
            })
            .collect();
        found.sort();
        documents.extend(found);
    }
    let mut members = Vec::new();
    for document in &documents {
        let stem = document
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = if document.starts_with(&corpus) {
            "corpus"
        } else {
            "fixture"
        };
        let crate_name = format!("{prefix}-{}", api_slug(&stem));
        let started = Instant::now();
        let api = sdkgen_loader::load_file(document)?;
        for warning in &api.warnings {
            eprintln!("warning: {warning}");
        }
        let settings = Settings {
            crate_name: crate_name.clone(),
            runtime: RuntimeDependency::Path(runtime.display().to_string()),
            command: "cargo xtask corpus-check".to_owned(),
            source: document
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            publish: None,
            examples: None,
        };
        let generated = sdkgen_codegen::generate(&api, &settings)
            .with_context(|| format!("generating {}", document.display()))?;
        sdkgen_codegen::sync(&generated, &workspace.join(&crate_name), Mode::Write)?;
        let lines: usize = generated
            .files
            .values()
            .map(|file| file.lines().count())
            .sum();
        println!(
            "{:<40} {:>4} operations {:>7} lines {:>4} fallbacks to Value  generated in {:.0?}",
            document
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            api.operations.len(),
            lines,
            generated.warnings.len(),
            started.elapsed()
        );
        members.push((crate_name, generated.tag_features));
    }
    let manifest = format!(
        "# Made by `cargo xtask corpus-check`.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
        members
            .iter()
            .map(|(member, _)| format!("\"{member}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(workspace.join("Cargo.toml"), manifest)?;
    // The same dependency versions as the repository, so the shared target dir is reused.
    std::fs::copy(root.join("Cargo.lock"), workspace.join("Cargo.lock"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let started = Instant::now();
    // As users get them, and with the features that add the other serde direction.
    // `cargo check` in the corpus workspace, warnings denied.
    let check = |arguments: &[&str]| {
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(["check", "--quiet"])
            .args(arguments)
            .current_dir(&workspace)
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTFLAGS", "-D warnings")
            .status()
            .context("cannot run cargo check")
    };
    for features in [None, Some("--all-features")] {
        let mut arguments = vec!["--workspace", "--all-targets"];
        arguments.extend(features);
        let status = check(&arguments)?;
        if !status.success() {
            bail!(
                "cargo check {}of the generated corpus crates failed ({status})",
                features.map(|flag| format!("{flag} ")).unwrap_or_default()
            );
        }
    }
    println!(
        "{} crates generated and checked ({:.1?} for cargo check)",
        members.len(),
        started.elapsed()
    );
    // Each tag feature alone compiles, without and with both serde directions: every type its
    // operations use is gated with it, and nothing it compiles is unused. And none at all
    // compiles (the types every feature set keeps).
    let started = Instant::now();
    let mut checks = 0;
    for (member, tags) in members.iter().filter(|(_, tags)| !tags.is_empty()) {
        let mut sets = vec![String::new()];
        for tag in tags {
            sets.push(tag.clone());
            sets.push(format!("{tag},serialize,deserialize"));
        }
        for set in &sets {
            let feature = format!("--features={set}");
            let mut arguments = vec!["--lib", "--no-default-features", "-p", member];
            if !set.is_empty() {
                arguments.push(&feature);
            }
            let status = check(&arguments)?;
            if !status.success() {
                bail!(
                    "cargo check of {member} with no default features and {} failed ({status})",
                    if set.is_empty() {
                        "no other"
                    } else {
                        set.as_str()
                    }
                );
            }
            checks += 1;
        }
    }
    println!(
        "{checks} feature sets checked: none, and each tag alone, without and with both serde \
         directions ({:.1?})",
        started.elapsed()
    );
    Ok(())
}

/// `cargo xtask semver-check`: within each major, the crate generated from each release must
/// be semver-compatible with the one generated from the release before (cargo-semver-checks).
pub fn semver_check() -> Result<()> {
    let root = root();
    let work = root.join("target/semver-check");
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .with_context(|| format!("cannot clear {}", work.display()))?;
    }
    let runtime = std::fs::canonicalize(root.join("crates/runtime"))?;
    let mut pairs = 0;
    for (major, folder) in majors(&root.join("specs"))? {
        let releases = releases(&folder)?;
        for pair in releases.windows(2) {
            let [old, new] = pair else { continue };
            let mut directories = Vec::new();
            let mut crate_name = String::new();
            for release in [old, new] {
                let api = sdkgen_loader::load_file(&release.path)?;
                crate_name = format!("{}-v{major}", api_slug(&api.title));
                let (a, b, c) = release.version;
                let directory = work.join(format!("{crate_name}-{a}.{b}.{c}"));
                let settings = Settings {
                    crate_name: crate_name.clone(),
                    runtime: RuntimeDependency::Path(runtime.display().to_string()),
                    command: "cargo xtask semver-check".to_owned(),
                    source: release
                        .path
                        .strip_prefix(&root)
                        .unwrap_or(&release.path)
                        .display()
                        .to_string(),
                    publish: None,
                    examples: None,
                };
                let mut generated = sdkgen_codegen::generate(&api, &settings)?;
                // A workspace of its own: target/ is inside the repository's workspace.
                if let Some(manifest) = generated.files.get_mut("Cargo.toml") {
                    manifest.push_str("\n[workspace]\n");
                }
                sdkgen_codegen::sync(&generated, &directory, Mode::Write)?;
                std::fs::copy(root.join("Cargo.lock"), directory.join("Cargo.lock"))?;
                directories.push(directory);
            }
            println!(
                "{crate_name}: {} -> {}",
                old.path.display(),
                new.path.display()
            );
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
                .args(["semver-checks", "check-release", "--manifest-path"])
                .arg(directories[1].join("Cargo.toml"))
                .arg("--baseline-root")
                .arg(&directories[0])
                .status()
                .context("cannot run cargo semver-checks (install it: cargo install --locked cargo-semver-checks)")?;
            if !status.success() {
                bail!(
                    "the crate generated from {} breaks semver against {}: the generated API must keep the provider's promise",
                    new.path.display(),
                    old.path.display()
                );
            }
            pairs += 1;
        }
    }
    println!("{pairs} release pairs are semver-compatible");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_code_is_fresh() {
        // `cargo test` fails on a checkout whose generated/ does not match specs/.
        if let Err(error) = codegen(true) {
            panic!("{error:#}");
        }
    }
}
