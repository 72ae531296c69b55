//! The `handoff` binary: one entry point for serving, administering,
//! auditing and backing up a LEAD site (and, as they land, importing,
//! linking and evaluating).

mod admin;
mod checkpoint;
mod evaluate;
mod justice;
mod link;
mod ops;
mod seed;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "handoff",
    version,
    about = "Handoff: software for LEAD pre-arrest diversion sites"
)]
struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://…
    #[arg(
        long,
        global = true,
        env = "HANDOFF_DATABASE_URL",
        default_value = "sqlite://handoff.db"
    )]
    database_url: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ops::ServeArgs),
    /// Administer sites, agencies, users and API tokens.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Check the audit log, or take a signed checkpoint of it.
    #[command(subcommand)]
    Audit(ops::AuditCommand),
    /// Diversion holds: run the sweep (lapses, reminders, escalations).
    #[command(subcommand)]
    Holds(ops::HoldsCommand),
    /// Link two files of person records (probabilistic record linkage), or
    /// train the site's linkage model (`handoff link train`).
    Link(justice::LinkCommand),
    /// Import a file of justice data (arrests, charges, bookings,
    /// prison_admissions, persons), all or nothing.
    Import(justice::ImportArgs),
    /// Export the evaluation dataset or the HMIS files.
    #[command(subcommand)]
    Export(justice::ExportCommand),
    /// Find duplicate person records in one file, with clusters.
    Dedupe(link::DedupeArgs),
    /// Run the LEAD outcome evaluation on a data folder and write results (and a report).
    Evaluate(evaluate::EvaluateArgs),
    /// Generate a national network of sites (deterministic, idempotent):
    /// `handoff seed --sites 100 --participants 100000 --contacts 2000000`.
    Seed(seed::SeedArgs),
    /// Write an online backup of the SQLite database.
    Backup(ops::BackupArgs),
    /// Replace the SQLite database with a backup (stop the server first).
    Restore(ops::RestoreArgs),
    /// Print the OpenAPI document of /api/v1 (the contract checked in as
    /// `openapi.json`).
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    // The compute engines need no database and no async runtime.
    let engine = match cli.command {
        Command::Evaluate(args) => Some(evaluate::run(&args)),
        Command::Link(justice::LinkCommand {
            action: None,
            files: Some(args),
        }) => Some(link::link(args).map(|()| ExitCode::SUCCESS)),
        Command::Dedupe(args) => Some(link::dedupe(args).map(|()| ExitCode::SUCCESS)),
        Command::Openapi => Some(openapi()),
        other => {
            return run_with_database(cli.database_url, other);
        }
    };
    match engine {
        Some(Ok(code)) => code,
        Some(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}

/// Prints the API's OpenAPI document, as the server serves it.
fn openapi() -> anyhow::Result<ExitCode> {
    println!(
        "{}",
        serde_json::to_string_pretty(handoff_web::api::openapi())?
    );
    Ok(ExitCode::SUCCESS)
}

/// Commands that work on the site database, inside an async runtime.
fn run_with_database(database_url: String, command: Command) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match command {
            Command::Serve(args) => ops::serve(&database_url, args).await,
            Command::Admin(cmd) => admin::run(&database_url, cmd).await,
            Command::Audit(cmd) => ops::audit(&database_url, cmd).await,
            Command::Holds(cmd) => ops::holds(&database_url, cmd).await,
            Command::Link(cmd) => justice::link_command(&database_url, cmd).await,
            Command::Import(args) => justice::import(&database_url, args).await,
            Command::Export(cmd) => justice::export(&database_url, cmd).await,
            Command::Evaluate(_) | Command::Dedupe(_) | Command::Openapi => Ok(ExitCode::SUCCESS),
            Command::Seed(args) => seed::run(&database_url, args).await,
            Command::Backup(args) => ops::backup(&database_url, args).await,
            Command::Restore(args) => ops::restore(&database_url, args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the level. Log lines carry the
/// request id and route, never personal data.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
