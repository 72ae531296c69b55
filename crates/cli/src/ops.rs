//! serve, audit verify, backup, restore.

use crate::checkpoint;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use handoff_store::{Backend, Store};
use handoff_web::{Application, Config};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "HANDOFF_BIND")]
    bind: SocketAddr,
    /// Seed the demo site "Demo County LEAD" (idempotent); demo users need no second factor.
    #[arg(long)]
    demo: bool,
    /// The site is served over TLS (directly or behind a TLS proxy): secure
    /// `__Host-` cookies and HSTS.
    #[arg(long, env = "HANDOFF_HTTPS")]
    https: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, default_value_t = 30, env = "HANDOFF_IDLE_TIMEOUT_MINUTES")]
    idle_timeout_minutes: i64,
    /// Hours after sign-in at which a session ends regardless of activity.
    #[arg(long, default_value_t = 12, env = "HANDOFF_ABSOLUTE_TIMEOUT_HOURS")]
    absolute_timeout_hours: i64,
    /// Write a signed audit checkpoint into this folder at start and then on
    /// a schedule (a new file each time; see `handoff audit checkpoint`).
    #[arg(long, env = "HANDOFF_AUDIT_CHECKPOINT_DIR")]
    audit_checkpoint_dir: Option<PathBuf>,
    /// Minutes between audit checkpoints; 0: only the one at start.
    #[arg(long, default_value_t = 60, env = "HANDOFF_AUDIT_CHECKPOINT_MINUTES")]
    audit_checkpoint_minutes: u64,
    /// Seconds between audit checkpoints, overriding the minutes (for tests).
    #[arg(long, hide = true)]
    audit_checkpoint_seconds: Option<u64>,
    /// The key checkpoints are signed with, kept outside the database
    /// (created, mode 0600, when missing).
    #[arg(long, env = "HANDOFF_AUDIT_KEY_FILE")]
    audit_key_file: Option<PathBuf>,
    /// A reverse proxy (CIDR range or single address) whose `X-Forwarded-For`
    /// is believed for the client address (login limits, audit log). Repeat
    /// the flag or separate with commas. Without it, `X-Forwarded-For` is
    /// ignored and the client address is the connecting peer's.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "HANDOFF_TRUSTED_PROXY",
        value_delimiter = ',',
        value_parser = handoff_web::config::parse_trusted_proxy
    )]
    trusted_proxies: Vec<handoff_web::config::IpNet>,
}

pub async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::new(args.bind, database_url);
    config.demo = args.demo;
    config.https = args.https;
    config.idle_timeout = time_minutes(args.idle_timeout_minutes)?;
    config.absolute_timeout = time_minutes(args.absolute_timeout_hours * 60)?;
    let checkpoints = match &args.audit_checkpoint_dir {
        Some(dir) => {
            let Some(key_file) = &args.audit_key_file else {
                bail!("--audit-checkpoint-dir needs --audit-key-file (or HANDOFF_AUDIT_KEY_FILE)");
            };
            let key = checkpoint::load_or_create_key(key_file)?;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("create the checkpoint folder {}", dir.display()))?;
            let every = args
                .audit_checkpoint_seconds
                .unwrap_or(args.audit_checkpoint_minutes * 60);
            let every = (every > 0).then(|| std::time::Duration::from_secs(every));
            Some((key, dir.clone(), every))
        }
        None => None,
    };
    config.trusted_proxies = args.trusted_proxies;
    let app = Application::build(config).await?;
    let checkpoints = checkpoints.map(|(key, dir, every)| {
        tokio::spawn(checkpoint::schedule(
            app.state().store.clone(),
            key,
            dir,
            every,
        ))
    });
    let addr = app.local_addr();
    if args.demo {
        let started = std::time::Instant::now();
        let added = handoff_web::seed_demo(app.state()).await?;
        if added.participants > 0 {
            println!(
                "Demo data: {} participants, {} contacts, {} referrals ({:.1} s).",
                added.participants,
                added.contacts,
                added.referrals,
                started.elapsed().as_secs_f64()
            );
        }
        println!(
            "Demo site \"Demo County LEAD\" is ready. Sign in at http://{addr}/login with any of:"
        );
        for (login, _, role, _) in handoff_seed::USERS {
            println!("  {login:<24} {}", role.label());
        }
        println!("  cm2@demo.test … cm10@demo.test  more case managers");
        println!(
            "Password for every demo account: {}",
            handoff_seed::DEMO_PASSWORD
        );
    }
    tracing::info!(%addr, "listening");
    app.run_until(shutdown_signal()).await?;
    if let Some(task) = checkpoints {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn time_minutes(m: i64) -> anyhow::Result<handoff_services::config::Duration> {
    if m <= 0 {
        bail!("timeouts must be positive");
    }
    Ok(handoff_services::config::Duration::minutes(m))
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify every hash chain of the audit log; exit 0 when intact, 1 naming
    /// the first broken entry otherwise. With --checkpoint, also check that
    /// every chain still holds the entries a signed checkpoint recorded.
    Verify {
        /// A checkpoint file written by `handoff audit checkpoint` or `serve`
        /// (one checkpoint per line; every line is checked).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The key the checkpoint was signed with.
        #[arg(long, env = "HANDOFF_AUDIT_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Sign each chain's head (chain, seq, entry hash, time) with a key kept
    /// outside the database, so truncation below it is detected later.
    Checkpoint {
        /// Write to this new file (never overwritten); standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The signing key (created, mode 0600, when missing).
        #[arg(long, env = "HANDOFF_AUDIT_KEY_FILE")]
        key_file: PathBuf,
    },
}

pub async fn open(database_url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(database_url)
        .await
        .with_context(|| format!("open {}", handoff_store::db::redact_url(database_url)))?;
    store.migrate().await.context("run database migrations")?;
    Ok(store)
}

pub async fn audit(database_url: &str, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify {
            checkpoint,
            key_file,
        } => {
            // A checkpoint is checked before the database is touched: an
            // altered one is refused outright.
            let anchors = match checkpoint {
                Some(file) => {
                    let Some(key_file) = key_file else {
                        bail!("--checkpoint needs --key-file (or HANDOFF_AUDIT_KEY_FILE)");
                    };
                    let key = checkpoint::load_key(&key_file)?;
                    Some(checkpoint::read_anchors(&file, &key)?)
                }
                None => None,
            };
            let store = open(database_url).await?;
            let mut broken = false;
            let mut summary = String::new();
            match handoff_store::audit::verify(&mut store.conn()).await {
                Ok(v) => {
                    summary = format!(
                        "audit log intact: {} entries in {} chains",
                        v.entries, v.chains
                    );
                }
                Err(handoff_store::audit::VerifyError::Broken(b)) => {
                    eprintln!("audit log BROKEN: {b}");
                    broken = true;
                }
                Err(e) => return Err(e.into()),
            }
            if let Some((anchors, checkpoints)) = anchors {
                let breaks =
                    handoff_store::audit::check_anchors(&mut store.conn(), &anchors).await?;
                let sites = handoff_store::orgs::list_sites(&mut store.conn()).await?;
                for b in &breaks {
                    let site = sites
                        .iter()
                        .find(|s| s.id == b.chain())
                        .map(|s| format!(" (site {})", s.slug))
                        .unwrap_or_default();
                    eprintln!("audit log BROKEN: {b}{site}");
                }
                broken |= !breaks.is_empty();
                summary.push_str(&format!(
                    "; {} checkpointed chain heads in {checkpoints} checkpoint(s) still in place",
                    anchors.len()
                ));
            }
            if broken {
                return Ok(ExitCode::FAILURE);
            }
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Checkpoint { out, key_file } => {
            let key = checkpoint::load_or_create_key(&key_file)?;
            let store = open(database_url).await?;
            let c = checkpoint::take(&store, &key).await?;
            match out {
                Some(path) => {
                    checkpoint::write_new(&path, &format!("{}\n", c.to_line())).with_context(
                        || {
                            format!(
                                "write {} (checkpoints are never overwritten)",
                                path.display()
                            )
                        },
                    )?;
                    println!(
                        "checkpoint of {} chains written to {}",
                        c.chains.len(),
                        path.display()
                    );
                }
                None => println!("{}", c.to_line()),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist).
    #[arg(long)]
    out: PathBuf,
}

pub async fn backup(database_url: &str, args: BackupArgs) -> anyhow::Result<ExitCode> {
    let store = open(database_url).await?;
    if store.backend() == Backend::Postgres {
        bail!(
            "for PostgreSQL use: pg_dump --format=custom --file=FILE DATABASE (see ARCHITECTURE.md)"
        );
    }
    handoff_store::backup::backup_sqlite(&store, &args.out).await?;
    println!("backup written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A backup file written by `handoff backup`.
    file: PathBuf,
}

pub async fn restore(database_url: &str, args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let Some(path) = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    else {
        bail!(
            "for PostgreSQL use: pg_restore --clean --dbname=DATABASE FILE (see ARCHITECTURE.md)"
        );
    };
    let path = path.split('?').next().unwrap_or(path);
    handoff_store::backup::restore_sqlite(&args.file, std::path::Path::new(path)).await?;
    println!("restored {} into {path}", args.file.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum HoldsCommand {
    /// Run the same sweep `handoff serve` runs every minute, as of the start
    /// of a local day at each site: lapse holds whose window closed, send
    /// reminders, escalate hand-offs. Idempotent.
    Sweep {
        /// YYYY-MM-DD; today when absent.
        #[arg(long)]
        as_of: Option<String>,
        /// Only this site (its slug); every site when absent.
        #[arg(long)]
        site: Option<String>,
    },
}

pub async fn holds(database_url: &str, cmd: HoldsCommand) -> anyhow::Result<ExitCode> {
    let HoldsCommand::Sweep { as_of, site } = cmd;
    let store = open(database_url).await?;
    let date = match as_of {
        Some(d) => Some(
            time::Date::parse(
                d.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| anyhow::anyhow!("--as-of: {d:?} is not a date like 2026-12-31"))?,
        ),
        None => None,
    };
    let state = handoff_services::AppState::new(
        store.clone(),
        Config::new("127.0.0.1:0".parse()?, database_url),
    );
    let sites = handoff_store::orgs::list_sites(&mut store.conn()).await?;
    let mut any = false;
    for s in sites
        .iter()
        .filter(|s| site.as_deref().is_none_or(|slug| slug == s.slug))
    {
        any = true;
        let instant = match date {
            Some(d) => handoff_services::workflow::sweep::as_of_date(&s.time_zone, d)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            None => handoff_services::now(),
        };
        let r = handoff_services::workflow::sweep::site(&state, s.id, instant)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "{}: {} lapsed, {} reminders, {} escalated",
            s.slug, r.lapsed, r.reminders, r.escalated
        );
    }
    if !any {
        bail!("no site matched");
    }
    Ok(ExitCode::SUCCESS)
}
