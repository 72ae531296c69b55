//! The `handoff` binary: one entry point for serving, importing, linking,
//! evaluating and administering a LEAD site.

use clap::{Parser, Subcommand};

mod evaluate;

#[derive(Parser)]
#[command(
    name = "handoff",
    version,
    about = "Handoff: software for LEAD pre-arrest diversion sites"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version and exit.
    Version,
    /// Run the LEAD outcome evaluation on a data folder and write results (and a report).
    Evaluate(evaluate::EvaluateArgs),
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => println!("handoff {}", env!("CARGO_PKG_VERSION")),
        Command::Evaluate(args) => return evaluate::run(&args),
    }
    Ok(std::process::ExitCode::SUCCESS)
}
