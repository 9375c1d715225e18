//! `cargo xtask peer-bench`: our generator against progenitor on one document, side by side:
//! the time to generate the crate, and the time to `cargo check` it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::codegen::root;

/// What to measure.
pub struct Options {
    /// The OpenAPI document both generators read.
    pub spec: PathBuf,
    /// Rounds of generation: ours three times (median), progenitor once.
    pub rounds: usize,
    /// `cargo check` runs of each crate, interleaved.
    pub checks: usize,
}

/// Runs the comparison and prints the medians and ratios.
pub fn run(options: &Options) -> Result<()> {
    if cfg!(debug_assertions) {
        bail!(
            "peer-bench times this very binary, and this one is a debug build: run `cargo run --release -p xtask -- peer-bench`"
        );
    }
    if options.rounds == 0 || options.checks == 0 {
        bail!("--rounds and --checks must be at least 1");
    }
    let spec = std::fs::canonicalize(&options.spec)
        .with_context(|| format!("cannot read {}", options.spec.display()))?;
    let progenitor = progenitor()?;
    let ours = std::env::current_exe().context("cannot find this binary")?;
    let work = root().join("target/peer-bench");
    let (ours_dir, theirs_dir) = (work.join("ours"), work.join("progenitor"));
    let spec_arg = spec.display().to_string();
    let mut ours_command = Command::new(&ours);
    ours_command.args(["generate", "--spec", &spec_arg, "--out"]);
    ours_command.arg(&ours_dir).args(["--name", "peer"]);
    let mut theirs_command = Command::new(&progenitor);
    theirs_command.args(["progenitor", "-i", &spec_arg, "-o"]);
    theirs_command
        .arg(&theirs_dir)
        .args(["-n", "peer", "-v", "0.1.0"]);

    let (mut ours_times, mut theirs_times) = (Vec::new(), Vec::new());
    for _ in 0..options.rounds {
        let mut three = [
            timed(&mut ours_command)?,
            timed(&mut ours_command)?,
            timed(&mut ours_command)?,
        ];
        three.sort();
        ours_times.push(three[1]);
        if theirs_dir.exists() {
            std::fs::remove_dir_all(&theirs_dir)?;
        }
        theirs_times.push(timed(&mut theirs_command)?);
    }
    let (ours_generation, theirs_generation) = (median(&mut ours_times), median(&mut theirs_times));
    println!(
        "generation ({} rounds): ours {:.1} ms, progenitor {:.1} ms: {:.1}x faster",
        options.rounds,
        millis(ours_generation),
        millis(theirs_generation),
        theirs_generation.as_secs_f64() / ours_generation.as_secs_f64()
    );

    // Each crate on its own, with its dependencies built first.
    for dir in [&ours_dir, &theirs_dir] {
        standalone(dir)?;
        check(dir)?;
    }
    let (mut ours_checks, mut theirs_checks) = (Vec::new(), Vec::new());
    for _ in 0..options.checks {
        ours_checks.push(check(&ours_dir)?);
        theirs_checks.push(check(&theirs_dir)?);
    }
    let (ours_check, theirs_check) = (median(&mut ours_checks), median(&mut theirs_checks));
    println!(
        "cargo check ({} runs, CARGO_INCREMENTAL=0): ours {:.2} s, progenitor {:.2} s: {:.2} of progenitor's",
        options.checks,
        ours_check.as_secs_f64(),
        theirs_check.as_secs_f64(),
        ours_check.as_secs_f64() / theirs_check.as_secs_f64()
    );
    Ok(())
}

fn progenitor() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain(std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo/bin")))
        .map(|dir| dir.join("cargo-progenitor"))
        .find(|candidate| candidate.is_file());
    on_path.context(
        "cargo-progenitor is not installed: `cargo install cargo-progenitor --version 0.15.0`",
    )
}

pub(crate) fn timed(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let output = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {command:?}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(elapsed)
}

/// Makes a generated crate its own workspace, so that it builds where it is.
pub(crate) fn standalone(dir: &Path) -> Result<()> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    if !text.lines().any(|line| line.trim() == "[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
    }
    Ok(())
}

/// `cargo check` after touching the crate's root, so that only the crate itself is checked.
fn check(dir: &Path) -> Result<Duration> {
    check_with(dir, &[])
}

/// `cargo check` with `arguments` (features), after touching the crate's root, without
/// incremental compilation: what a dependency costs.
pub(crate) fn check_with(dir: &Path, arguments: &[String]) -> Result<Duration> {
    let lib = dir.join("src/lib.rs");
    let contents = std::fs::read(&lib).with_context(|| format!("cannot read {}", lib.display()))?;
    std::fs::write(&lib, contents)?;
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .args(["check", "--quiet"])
        .args(arguments)
        .current_dir(dir)
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("CARGO_TARGET_DIR");
    timed(&mut command)
}

pub(crate) fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
