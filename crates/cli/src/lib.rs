//! The `sdkgen` command: what users of the generator run on their own documents.
//!
//! `generate`, `diff`, `costs`, `annotate`, `sandbox` and `check-versions` (for any repository
//! laid out as `specs/v<N>/MAJOR.MINOR.PATCH.yaml`). Argument parsing lives in [`Command`];
//! each command is a function of one module, over the library crates (loader, codegen, differ,
//! sandbox). This repository's own chores (`cargo xtask codegen`, `corpus-check`, ...) are in
//! `xtask`, which calls the same functions and offers these commands too.

#![deny(missing_docs)]

pub mod costs;
pub mod fs;
pub mod generate;
pub mod project;
pub mod sandbox;
pub mod versions;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// `sdkgen`'s arguments.
#[derive(Debug, Parser)]
#[command(
    name = "sdkgen",
    about = "Typed Rust SDKs from OpenAPI documents",
    version
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The product's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
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
        /// Depend on the runtime at this path.
        #[arg(long, conflicts_with_all = ["runtime_version", "runtime_git"])]
        runtime_path: Option<String>,
        /// Depend on this version of sdkgen-runtime from a registry.
        #[arg(long, conflicts_with = "runtime_git")]
        runtime_version: Option<String>,
        /// Depend on sdkgen-runtime from this git repository.
        #[arg(long)]
        runtime_git: Option<String>,
        /// Allow publishing the crate to this registry (`crates-io`, or a registry named in
        /// `.cargo/config.toml`); by default the crate says `publish = false`.
        #[arg(long, value_name = "REGISTRY")]
        publish: Option<String>,
    },
    /// List every operation of a spec with its point cost (declared or inferred).
    Costs {
        /// The OpenAPI document (YAML or JSON).
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = costs::Format::Text)]
        format: costs::Format,
    },
    /// Write inferred costs into a spec as `x-points`, keeping everything else as it was.
    Annotate {
        /// The OpenAPI document (YAML or JSON).
        spec: PathBuf,
        /// Write the result here instead of over the spec.
        #[arg(long)]
        output: Option<PathBuf>,
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
        /// The date and the team's controls.
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Within each major of specs/, each release against the one before: no breaking change,
    /// the version bumped accordingly, and released files never changed.
    CheckVersions {
        /// The repository whose `specs/v<N>/` folders are checked.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Compare released files with this git ref (default: check the whole history).
        #[arg(long)]
        base: Option<String>,
        /// Print problems as GitHub Actions annotations.
        #[arg(long)]
        github: bool,
        /// The date and the team's controls.
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Serve the API like the provider does: every major's newest release under its base path
    /// (/v1, /v2), bearer auth, validation, one point budget per organisation, 429s.
    Sandbox {
        /// Serve only this spec, at its servers' base path (default: every major in
        /// `<root>/specs/`).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The repository whose `specs/` is served when no `--spec` is given.
        #[arg(long, default_value = ".")]
        root: PathBuf,
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
        /// Chaos: the share of requests that fail, such as 0.1 or 10%.
        #[arg(long)]
        fail_rate: Option<String>,
        /// Chaos: how they fail, among 500, 502, 503 and drop (default: all).
        #[arg(long)]
        failures: Option<String>,
        /// Chaos: every request waits MIN..MAX first (milliseconds, or 10ms..1.5s).
        #[arg(long)]
        latency: Option<String>,
        /// Chaos: budget changes, SECONDS=POINTS,... (POINTS may be `plan`).
        #[arg(long)]
        budget_schedule: Option<String>,
        /// Chaos: the seed (random and printed when not given).
        #[arg(long)]
        seed: Option<u64>,
        /// Keep resources in this file (an embedded redb database) across restarts.
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// What `diff` and `check-versions` judge with: the date and a team's controls.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// The date sunset dates are judged against, YYYY-MM-DD (default: today, UTC).
    #[arg(long)]
    pub today: Option<String>,
    /// A file of rule level overrides (`RULE-ID LEVEL` a line).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A file of accepted findings (`METHOD /path RULE-ID reason` a line).
    #[arg(long)]
    pub ignore: Option<PathBuf>,
}

impl GateArgs {
    /// Reads the date and the files.
    pub fn read(&self) -> anyhow::Result<versions::Gate> {
        versions::Gate::read(
            self.today.as_deref(),
            self.config.as_deref(),
            self.ignore.as_deref(),
        )
    }
}

impl Command {
    /// Runs the command. `Ok` carries the exit code of a command that reports findings (0, or
    /// 1 when one reaches `--fail-on`); `Err` is bad input, exit 2.
    pub fn run(self) -> anyhow::Result<ExitCode> {
        self.run_as("sdkgen")
    }

    /// [`Command::run`] for a program of another name (`cargo xtask`), which the headers of
    /// generated files name as the command that regenerates them.
    pub fn run_as(self, program: &str) -> anyhow::Result<ExitCode> {
        let success = |()| ExitCode::SUCCESS;
        match self {
            Command::Generate {
                spec,
                out,
                name,
                runtime_path,
                runtime_version,
                runtime_git,
                publish,
            } => {
                let runtime =
                    generate::runtime_dependency(runtime_path, runtime_version, runtime_git)?;
                let command = format!("{program} generate --spec {}", spec.display());
                generate::generate(&spec, &out, name, runtime, publish, &command).map(success)
            }
            Command::Costs { spec, format } => costs::list(&spec, format).map(success),
            Command::Annotate { spec, output } => {
                costs::annotate(&spec, output.as_deref()).map(success)
            }
            Command::Diff {
                old,
                new,
                format,
                fail_on,
                gate,
            } => versions::diff_command(&old, &new, &format, fail_on.as_deref(), &gate.read()?),
            Command::CheckVersions {
                root,
                base,
                github,
                gate,
            } => versions::check_versions(&root, base.as_deref(), github, &gate.read()?),
            Command::Sandbox {
                spec,
                root,
                addr,
                keys,
                window,
                fail_rate,
                failures,
                latency,
                budget_schedule,
                seed,
                data,
            } => sandbox::run(&sdkgen_sandbox::Options {
                spec,
                specs: root.join("specs"),
                address: addr,
                keys,
                window_seconds: window,
                fail_rate,
                failures,
                latency,
                budget_schedule,
                seed,
                data,
            })
            .map(success),
        }
    }
}

/// The process's exit code for a command's result: its own code, or 2 with the error on
/// stderr (bad input, as clap does for bad flags; commands that report findings use 1). A
/// closed stdout (`sdkgen costs big.json | head`) ends the command quietly with 0.
pub fn exit(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Output formats of `costs`.
pub use costs::Format;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_a_quiet_success_and_other_errors_exit_2() {
        let pipe = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the table");
        assert_eq!(exit(Err(pipe)), ExitCode::SUCCESS);
        assert_eq!(exit(Err(anyhow::anyhow!("bad spec"))), ExitCode::from(2));
        assert_eq!(exit(Ok(ExitCode::from(1))), ExitCode::from(1));
    }
}
