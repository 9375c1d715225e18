//! This repository's chores, run as `cargo xtask <command>`: the generated crates of specs/ and
//! the checks over them. Argument parsing and calls into the library crates only. Every
//! command of the `sdkgen` binary (crates/cli) is here too, so `cargo xtask diff ...` works
//! without installing it.

mod codegen;
mod compile_bench;
mod peer;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The generator allocates many small token trees: with mimalloc, generating
/// progenitor-nexus.json took 35 ms instead of 58 (in-process, release build).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "sdkgen project commands", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate `generated/<api>-v<N>/` from the newest release of each major in specs/.
    Codegen {
        /// Change nothing; fail if generated/ is not what the generator makes.
        #[arg(long)]
        check: bool,
    },
    /// Generate a crate from every document of ../shared/corpus and `cargo check` them all.
    CorpusCheck {
        /// The shared folder (default: ../shared beside the repository).
        #[arg(long)]
        shared: Option<PathBuf>,
    },
    /// Check with cargo-semver-checks that each release's generated crate is compatible with
    /// the previous release's, within each major.
    SemverCheck,
    /// Time this generator against progenitor (cargo-progenitor) on one document: generation,
    /// and `cargo check` of the crates. Run it from a release build:
    /// `cargo run --release -p xtask -- peer-bench`.
    PeerBench {
        /// The OpenAPI document (default: ../shared/corpus/progenitor-nexus.json).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Rounds of generation (ours three times, progenitor once, each round).
        #[arg(long, default_value_t = 15)]
        rounds: usize,
        /// `cargo check` runs of each crate.
        #[arg(long, default_value_t = 5)]
        checks: usize,
    },
    /// What a generated crate costs its user to compile: `cargo check` (not incremental) by
    /// feature set, and the crate's size; with `--baseline`, the same for another `sdkgen`
    /// binary's crate.
    CompileBench {
        /// The OpenAPI document (default: ../shared/corpus/github-api.github.com.json).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// An older `sdkgen` binary to compare with.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Tag features to measure each alone, with no default features (repeatable).
        #[arg(long = "feature")]
        features: Vec<String>,
        /// `cargo check` runs of each feature set.
        #[arg(long, default_value_t = 3)]
        checks: usize,
    },
    /// The commands of `sdkgen`.
    #[command(flatten)]
    Product(sdkgen_cli::Command),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Codegen { check } => codegen::codegen(check).map(|()| ExitCode::SUCCESS),
        Command::CorpusCheck { shared } => {
            codegen::corpus_check(shared).map(|()| ExitCode::SUCCESS)
        }
        Command::SemverCheck => codegen::semver_check().map(|()| ExitCode::SUCCESS),
        Command::PeerBench {
            spec,
            rounds,
            checks,
        } => {
            let spec = spec
                .unwrap_or_else(|| codegen::root().join("../shared/corpus/progenitor-nexus.json"));
            peer::run(&peer::Options {
                spec,
                rounds,
                checks,
            })
            .map(|()| ExitCode::SUCCESS)
        }
        Command::CompileBench {
            spec,
            baseline,
            features,
            checks,
        } => {
            let spec = spec.unwrap_or_else(|| {
                codegen::root().join("../shared/corpus/github-api.github.com.json")
            });
            compile_bench::run(&compile_bench::Options {
                spec,
                baseline,
                features,
                checks,
            })
            .map(|()| ExitCode::SUCCESS)
        }
        Command::Product(command) => command.run_as("cargo xtask"),
    };
    sdkgen_cli::exit(result)
}
