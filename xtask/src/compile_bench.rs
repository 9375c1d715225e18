//! `cargo xtask compile-bench`: what a generated crate costs its user to compile, by feature
//! set: `cargo check` without incremental compilation (as a dependency is built), after the
//! crate's dependencies, median of several runs. With `--baseline`, the same for the crate
//! another `sdkgen` binary (an older build) generates from the same document.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::codegen::root;
use crate::peer::{check_with, median, standalone, timed};

/// What to measure.
pub struct Options {
    /// The OpenAPI document.
    pub spec: PathBuf,
    /// An `sdkgen` binary whose crate is measured too, for before and after.
    pub baseline: Option<PathBuf>,
    /// Tag features to measure each alone (with no default features).
    pub features: Vec<String>,
    /// `cargo check` runs of each feature set.
    pub checks: usize,
}

/// Generates the crates and prints a row per crate and feature set.
pub fn run(options: &Options) -> Result<()> {
    if options.checks == 0 {
        bail!("--checks must be at least 1");
    }
    let spec = std::fs::canonicalize(&options.spec)
        .with_context(|| format!("cannot read {}", options.spec.display()))?;
    let work = root().join("target/compile-bench");
    let ours = std::env::current_exe().context("cannot find this binary")?;
    let mut crates = vec![("this build", ours, work.join("ours"))];
    if let Some(baseline) = &options.baseline {
        crates.push(("baseline", baseline.clone(), work.join("baseline")));
    }
    let mut sets: Vec<(String, Vec<String>)> = vec![
        ("default features".to_owned(), Vec::new()),
        (
            "--all-features".to_owned(),
            vec!["--all-features".to_owned()],
        ),
    ];
    for feature in &options.features {
        sets.push((
            format!("only {feature}"),
            vec![
                "--no-default-features".to_owned(),
                format!("--features={feature}"),
            ],
        ));
    }
    for (label, binary, dir) in &crates {
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        let mut generate = Command::new(binary);
        generate
            .args(["generate", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(dir)
            .args(["--name", "bench"]);
        timed(&mut generate)?;
        standalone(dir)?;
        println!("{label}: {} lines of Rust", rust_lines(&dir.join("src"))?);
        for (set, arguments) in &sets {
            // A feature the baseline's crate does not have is skipped; anything else that
            // fails is an error.
            if let Err(error) = check_with(dir, arguments) {
                let missing_feature = arguments
                    .iter()
                    .any(|argument| argument.starts_with("--features="));
                if *label == "baseline" && missing_feature {
                    println!("  {set:<28} not available");
                    continue;
                }
                return Err(error.context(format!("cargo check of the {label} crate ({set})")));
            }
            let mut times: Vec<Duration> = (0..options.checks)
                .map(|_| check_with(dir, arguments))
                .collect::<Result<_>>()?;
            println!(
                "  {set:<28} cargo check {:>6.2} s (median of {})",
                median(&mut times).as_secs_f64(),
                options.checks
            );
        }
    }
    Ok(())
}

fn rust_lines(dir: &Path) -> Result<usize> {
    let mut lines = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            lines += std::fs::read_to_string(&path)?.lines().count();
        }
    }
    Ok(lines)
}
