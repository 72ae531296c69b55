//! The `handoff` binary: one entry point for serving, importing, linking,
//! evaluating and administering a LEAD site.

use clap::{Parser, Subcommand};

mod link;

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
    /// Link two files of person records (probabilistic record linkage).
    Link(link::LinkArgs),
    /// Find duplicate person records in one file, with clusters.
    Dedupe(link::DedupeArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => println!("handoff {}", env!("CARGO_PKG_VERSION")),
        Command::Link(args) => link::link(args)?,
        Command::Dedupe(args) => link::dedupe(args)?,
    }
    Ok(())
}
