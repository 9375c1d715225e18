//! Project commands, run as `cargo xtask <command>`. Argument parsing and calls into the
//! library crates only: the work lives in crates/.

mod codegen;
mod compat;
mod costs;
mod peer;
mod sandbox;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    /// List every operation of a spec with its point cost (declared or inferred).
    Costs {
        /// The OpenAPI document (YAML or JSON).
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Generate generated/<api>-v<N>/ from the newest release of each major in specs/.
    Codegen {
        /// Change nothing; fail if generated/ is not what the generator makes.
        #[arg(long)]
        check: bool,
    },
    /// Generate a client crate from any OpenAPI document.
    Generate {
        /// The OpenAPI document (YAML or JSON).
        #[arg(long)]
        spec: PathBuf,
        /// The directory to write the crate to.
        #[arg(long)]
        out: PathBuf,
        /// The crate's name (default: from the API's title).
        #[arg(long)]
        name: Option<String>,
        /// Depend on the runtime at this path (default: this repository's, absolute).
        #[arg(long, conflicts_with = "runtime_version")]
        runtime_path: Option<String>,
        /// Depend on this version of sdkgen-runtime from a registry.
        #[arg(long)]
        runtime_version: Option<String>,
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
    /// Compare two versions of a spec: every change with its rule id and level.
    Diff {
        /// The older spec.
        old: PathBuf,
        /// The newer spec.
        new: PathBuf,
        /// text, json, markdown, github, junit or sarif.
        #[arg(long, default_value = "text")]
        format: String,
        /// Exit with 1 when a finding is at least this serious: breaking or warning.
        #[arg(long)]
        fail_on: Option<String>,
    },
    /// Within each major of specs/, each release against the one before: no breaking change,
    /// the version bumped accordingly, and released files never changed.
    CheckVersions {
        /// Compare released files with this git ref (default: check the whole history).
        #[arg(long)]
        base: Option<String>,
        /// Print problems as GitHub Actions annotations.
        #[arg(long)]
        github: bool,
    },
    /// Serve a spec like the provider does: bearer auth, validation, point budgets, 429s.
    Sandbox {
        /// The spec to serve (default: the newest release in specs/).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// An API key as TOKEN:ORG:PLAN (PLAN: build, enterprise or points per window);
        /// repeatable. Without any, demo keys are made and printed.
        #[arg(long = "key")]
        keys: Vec<String>,
        /// The budget window in seconds.
        #[arg(long, default_value_t = 60)]
        window: u64,
    },
    /// Write inferred costs into a spec as `x-points`, keeping everything else as it was.
    Annotate {
        /// The OpenAPI document (YAML or JSON).
        spec: PathBuf,
        /// Write the result here instead of over the spec.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Output formats of `costs`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An aligned table for people.
    Text,
    /// A JSON array for programs.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<ExitCode> = match cli.command {
        Command::Costs { spec, format } => {
            costs::list(&spec, format == Format::Json).map(|()| ExitCode::SUCCESS)
        }
        Command::Annotate { spec, output } => {
            costs::annotate(&spec, output.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        Command::Codegen { check } => codegen::codegen(check).map(|()| ExitCode::SUCCESS),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
        } => compat::diff_command(&old, &new, &format, fail_on.as_deref()),
        Command::CheckVersions { base, github } => compat::check_versions(base.as_deref(), github),
        Command::Generate {
            spec,
            out,
            name,
            runtime_path,
            runtime_version,
        } => {
            let runtime = runtime_path
                .map(sdkgen_codegen::RuntimeDependency::Path)
                .or(runtime_version.map(sdkgen_codegen::RuntimeDependency::Version));
            codegen::generate(&spec, &out, name, runtime).map(|()| ExitCode::SUCCESS)
        }
        Command::CorpusCheck { shared } => {
            codegen::corpus_check(shared).map(|()| ExitCode::SUCCESS)
        }
        Command::Sandbox {
            spec,
            addr,
            keys,
            window,
        } => sandbox::run(spec, &addr, &keys, window).map(|()| ExitCode::SUCCESS),
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
    };
    match result {
        Ok(code) => code,
        // A reader that stops early (`| head`) closes stdout: that ends the command, quietly.
        Err(error)
            if error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            // 2: bad input (as clap does for bad flags); commands that report findings use 1.
            ExitCode::from(2)
        }
    }
}
