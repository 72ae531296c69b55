//! `handoff seed`: the national network generator (crates/seed/src/national.rs),
//! with a progress bar on stderr (hidden when stderr is not a terminal).

use crate::ops;
use anyhow::Context;
use clap::Args;
use handoff_seed::national::{self, Tick};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;

#[derive(Args)]
pub struct SeedArgs {
    /// Sites of the network (`site-001`, `site-002`, …).
    #[arg(long)]
    sites: usize,
    /// Participants across the network.
    #[arg(long)]
    participants: usize,
    /// Contacts across the network.
    #[arg(long)]
    contacts: usize,
    /// The generator's seed: the same seed gives the same names and ids.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(database_url: &str, args: SeedArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let store = ops::open(database_url).await?;
    let hash = handoff_services::auth::password::hash(handoff_seed::DEMO_PASSWORD)
        .context("hash the demo password")?;
    // The start of the current UTC day: runs on the same day write the same rows.
    let now = handoff_services::now().replace_time(time::Time::MIDNIGHT);
    let a = national::Args {
        sites: args.sites,
        participants: args.participants,
        contacts: args.contacts,
        seed: args.seed,
        now,
    };
    let bar = ProgressBar::new((args.participants + args.contacts) as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:12} [{bar:30}] {human_pos}/{human_len} rows {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let mut tick = |t: Tick<'_>| match t {
        Tick::Site { slug, .. } => bar.set_message(slug.to_string()),
        Tick::Participants(n) | Tick::Contacts(n) => bar.inc(n as u64),
    };
    let report = national::national(&store, &a, &hash, &mut tick).await?;
    bar.finish_and_clear();
    store.close().await;
    println!(
        "Seeded {} sites ({} already present): {} participants, {} contacts, {} referrals, {} rows in {:.1} s.",
        report.sites_added,
        report.sites_present,
        report.participants,
        report.contacts,
        report.referrals,
        report.rows,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Sign in as ROLE@site-001.test (officer, casemanager, supervisor, prosecutor, partner, oversight, evaluator, admin, community) or {}; password {}.",
        national::BUREAU_LOGIN,
        handoff_seed::DEMO_PASSWORD
    );
    Ok(ExitCode::SUCCESS)
}
