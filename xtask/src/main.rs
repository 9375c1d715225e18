//! Project commands, run as `cargo xtask <command>`. Argument parsing and calls into the
//! library crates only: the work lives in crates/.

mod costs;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

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
    let result = match cli.command {
        Command::Costs { spec, format } => costs::list(&spec, format == Format::Json),
        Command::Annotate { spec, output } => costs::annotate(&spec, output.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            // 2: bad input (as clap does for bad flags); commands that report findings use 1.
            ExitCode::from(2)
        }
    }
}
