//! `handoff import`, `handoff link train` and `handoff export`: justice and
//! outcome data in and out of a site's database.
//!
//! `handoff import <kind> FILE` reads the file twice: pass 1 checks every
//! row and hashes the file without writing anything; pass 2, inside one
//! transaction, streams the records into the store (linking each as it
//! goes) and commits only if the file is still good and unchanged. Memory
//! stays bounded whatever the file's size. A rejected file writes its
//! row-level report beside it (`FILE.report.csv`, `FILE.report.json`, or in
//! `--report DIR`), prints it, and exits with code 2.

use crate::ops;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use handoff_domain::SiteId;
use handoff_exchange::SiteZone;
use handoff_exchange::import::Importer;
use handoff_exchange::{alerts, link};
use handoff_justice::{ImportError, ImportReport, Kind, Mapping, Progress, StreamError};
use handoff_services::{AppState, Config};
use handoff_store::Store;
use handoff_store::justice::{self as records, SavedModel};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status of a rejected file.
const EXIT_REJECTED: u8 = 2;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// arrests, charges, bookings, prison_admissions or persons (the comparison roster).
    pub kind: String,
    /// The CSV file.
    pub file: PathBuf,
    /// A mapping file (TOML) of the source's column names and codes; the kind's default columns otherwise.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// The site's slug (needed when the database holds several sites).
    #[arg(long)]
    pub site: Option<String>,
    /// Where to write a rejected file's report (default: beside the file).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Who is importing, for the provenance (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum LinkAction {
    /// Train the site's linkage model from its persons, roster and imported
    /// records, save it, and re-link the records still unlinked.
    Train(TrainArgs),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The site's slug (needed when the database holds several sites).
    #[arg(long)]
    pub site: Option<String>,
    /// Auto-link at or above this match probability.
    #[arg(long)]
    pub auto_threshold: Option<f64>,
    /// Send to clerical review at or above this match probability.
    #[arg(long)]
    pub review_threshold: Option<f64>,
}

/// `handoff link`: files (the linkage engine), or `handoff link train`.
/// (Written out rather than derived: `files` is present exactly when no
/// subcommand is given, and `train` needs none of the file arguments.)
#[derive(Debug)]
pub struct LinkCommand {
    pub action: Option<LinkAction>,
    pub files: Option<crate::link::LinkArgs>,
}

impl clap::FromArgMatches for LinkCommand {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut m.clone())
    }
    fn from_arg_matches_mut(m: &mut clap::ArgMatches) -> Result<Self, clap::Error> {
        if m.subcommand_name().is_some() {
            Ok(LinkCommand {
                action: Some(LinkAction::from_arg_matches_mut(m)?),
                files: None,
            })
        } else {
            Ok(LinkCommand {
                action: None,
                files: Some(crate::link::LinkArgs::from_arg_matches_mut(m)?),
            })
        }
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for LinkCommand {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        LinkAction::augment_subcommands(crate::link::LinkArgs::augment_args(cmd))
            .args_conflicts_with_subcommands(true)
            .subcommand_negates_reqs(true)
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// The site a command works on.
pub async fn site(store: &Store, slug: Option<&str>) -> anyhow::Result<SiteId> {
    let mut c = store.conn();
    match slug {
        Some(s) => Ok(handoff_store::orgs::find_site_by_slug(&mut c, s)
            .await?
            .with_context(|| format!("no site with slug {s:?}"))?
            .id),
        None => {
            let sites = handoff_store::orgs::list_sites(&mut c).await?;
            match sites.as_slice() {
                [one] => Ok(one.id),
                [] => bail!("the database has no site yet"),
                _ => bail!("the database holds several sites: pass --site SLUG"),
            }
        }
    }
}

/// The application state the web services need (no listener).
pub fn state(database_url: &str, store: Store) -> AppState {
    let bind = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    AppState::new(store, Config::new(bind, database_url))
}

fn bar(file: &Path, message: &'static str) -> ProgressBar {
    let len = std::fs::metadata(file).map_or(0, |m| m.len());
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:10} [{bar:30}] {bytes}/{total_bytes} {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    pb.set_message(message);
    pb
}

fn operator(by: Option<&str>) -> String {
    let who = by
        .map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "operator".into());
    format!("cli:{who}")
}

/// Writes a rejected file's report (CSV and JSON) and prints it.
fn reject(args: &ImportArgs, report: &ImportReport) -> anyhow::Result<ExitCode> {
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "import".into());
    let dir = match &args.report {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.clone()
        }
        None => args
            .file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let csv_path = dir.join(format!("{name}.report.csv"));
    let json_path = dir.join(format!("{name}.report.json"));
    std::fs::write(&csv_path, report.to_csv())
        .with_context(|| format!("writing {}", csv_path.display()))?;
    std::fs::write(&json_path, report.to_json())
        .with_context(|| format!("writing {}", json_path.display()))?;
    let csv = report.to_csv();
    let mut err = std::io::stderr().lock();
    const SHOWN: usize = 50;
    for line in csv.lines().take(SHOWN + 1) {
        let _ = writeln!(err, "{line}");
    }
    let more = report.problems.len().saturating_sub(SHOWN) as u64 + report.omitted;
    if more > 0 {
        let _ = writeln!(err, "… and {more} more problems");
    }
    let _ = writeln!(
        err,
        "rejected: {} bad rows of {}; nothing was imported. Report: {} and {}",
        report.bad_lines(),
        report.rows,
        csv_path.display(),
        json_path.display()
    );
    Ok(ExitCode::from(EXIT_REJECTED))
}

/// `handoff import <kind> FILE`.
pub async fn import(database_url: &str, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let kind: Kind = args
        .kind
        .parse()
        .map_err(|e: handoff_domain::ParseError| anyhow::anyhow!("{}", e.message))?;
    let mapping = match &args.mapping {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Mapping::from_toml(&text).with_context(|| format!("in {}", p.display()))?
        }
        None => Mapping::default_for(kind),
    };
    let file = args.file.clone();
    std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;

    // Pass 1: check every row; nothing is written.
    let pb = bar(&file, "checking");
    let (f, m, p) = (file.clone(), mapping.clone(), pb.clone());
    let checked = tokio::task::spawn_blocking(move || {
        let reader = std::fs::File::open(&f)?;
        handoff_justice::validate_streaming(kind, std::io::BufReader::new(reader), &m, |pr| {
            p.set_position(pr.bytes)
        })
    })
    .await?;
    pb.finish_and_clear();
    let provenance = match checked {
        Ok(p) => p,
        Err(ImportError::Rejected(report)) => return reject(&args, &report),
        Err(e) => return Err(e).with_context(|| format!("importing {}", file.display())),
    };

    let store = ops::open(database_url).await?;
    let site = site(&store, args.site.as_deref()).await?;
    let state = state(database_url, store.clone());
    let ctx = SiteZone::load(&state, site)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let linker = handoff_exchange::linker(&state, site)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(note) = &linker.note {
        eprintln!("note: {note}");
    }
    let at = handoff_services::now();
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut importer = Importer::new(
        site,
        &linker,
        ctx.tz.clone(),
        kind,
        &source,
        operator(args.by.as_deref()),
        at,
    );

    // Pass 2: stream into one transaction.
    let pb = bar(&file, "importing");
    let (send, mut recv) = tokio::sync::mpsc::channel(1024);
    let (f, m, p) = (file.clone(), mapping.clone(), pb.clone());
    let reading = tokio::task::spawn_blocking(move || {
        let reader = std::fs::File::open(&f)
            .map_err(|e| Box::new(StreamError::Import(ImportError::from(e))))?;
        handoff_justice::stream_records(
            kind,
            std::io::BufReader::new(reader),
            &m,
            |pr: Progress| p.set_position(pr.bytes),
            |r| send.blocking_send(r).map_err(|_| ()),
        )
        .map_err(Box::new)
    });
    let mut tx = store.begin().await?;
    while let Some(r) = recv.recv().await {
        importer
            .store(&mut tx.conn(), &provenance.sha256, &r)
            .await?;
    }
    let streamed = reading.await?;
    pb.finish_and_clear();
    match streamed.map_err(|e| *e) {
        Ok(p) if p.sha256 == provenance.sha256 => {}
        Ok(_) => bail!(
            "{} changed while it was being imported; nothing was imported",
            file.display()
        ),
        Err(StreamError::Import(ImportError::Rejected(report))) => {
            return reject(&args, &report);
        }
        Err(StreamError::Import(e)) => return Err(e.into()),
        Err(StreamError::Sink(_)) => bail!("the import stopped; nothing was imported"),
    }
    let mut e = handoff_audit::AuditEvent::new("justice.import", handoff_audit::Outcome::Allowed);
    e.site_id = Some(site);
    e.subject_ref = Some(format!("import:{}:{}", kind.as_str(), provenance.sha256));
    e.categories = vec![handoff_domain::DataCategory::Justice];
    handoff_store::audit::append(&mut tx, e, at).await?;
    tx.commit().await?;
    let alerts_due = std::mem::take(&mut importer.alerts);
    let mut summary = importer.summary;
    summary.rows = provenance.rows;
    summary.sha256 = provenance.sha256;
    summary.alerts = alerts::raise(&state, &ctx, &alerts_due, None, at)
        .await
        .map_err(|e| anyhow::anyhow!("raising alerts: {e}"))?;
    println!("{summary}");
    if summary.alerts > 0 {
        println!("{} alerts raised", summary.alerts);
    }
    Ok(ExitCode::SUCCESS)
}

/// `handoff link …`: the site's model, or the file engine.
pub async fn link_command(database_url: &str, cmd: LinkCommand) -> anyhow::Result<ExitCode> {
    match cmd.action {
        Some(LinkAction::Train(args)) => train(database_url, args).await,
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `handoff link train`.
pub async fn train(database_url: &str, args: TrainArgs) -> anyhow::Result<ExitCode> {
    let store = ops::open(database_url).await?;
    let site = site(&store, args.site.as_deref()).await?;
    let mut c = store.conn();
    let known = link::known(&mut c, site).await?;
    let mut imported = Vec::new();
    for kind in Kind::ALL.iter().filter(|k| **k != Kind::Persons) {
        for r in records::of_kind(&mut c, site, kind.as_str()).await? {
            if let Ok(rec) = serde_json::from_str::<handoff_justice::Record>(&r.content)
                && let Some(p) = rec.person()
            {
                imported.push(link::Known {
                    candidate: format!("j:{}", r.id),
                    first_name: p.first_name.clone(),
                    middle_name: p.middle_name.clone().unwrap_or_default(),
                    last_name: p.last_name.clone(),
                    dob: handoff_store::referrals::iso(p.dob),
                    sex: p.sex.as_str().to_string(),
                });
            }
        }
    }
    if known.is_empty() {
        bail!("the site knows no persons yet: nothing to train on");
    }
    let dir = std::env::temp_dir().join(format!("handoff-train-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let write = |name: &str, rows: &[link::Known]| -> anyhow::Result<PathBuf> {
        let path = dir.join(name);
        let mut w = csv::Writer::from_path(&path)?;
        let mut header = vec!["id"];
        header.extend(link::COLUMNS);
        w.write_record(&header)?;
        for (i, k) in rows.iter().enumerate() {
            w.write_record([
                format!("{}#{i}", k.candidate).as_str(),
                &k.first_name,
                &k.middle_name,
                &k.last_name,
                &k.dob,
                &k.sex,
            ])?;
        }
        w.flush()?;
        Ok(path)
    };
    let left = write("persons.csv", &known)?;
    let right = if imported.is_empty() {
        None
    } else {
        Some(write("records.csv", &imported)?)
    };
    let run = tokio::task::spawn_blocking(move || {
        let opts = handoff_linkage::RunOptions {
            threshold: 1.0,
            ..Default::default()
        };
        handoff_linkage::run(&left, right.as_deref(), &opts, &handoff_linkage::NoProgress)
    })
    .await?;
    let _ = std::fs::remove_dir_all(&dir);
    let run = run.context("training the linkage model")?;
    // A model trained without true matches (no overlapping records yet)
    // cannot tell people apart: it must at least link a person to an exact
    // copy of themselves.
    // (Scored against all the site's persons, so term frequencies are the
    // ones linking will see.)
    let copy = handoff_linkage::PersonIndex::build(
        &run.model,
        known
            .iter()
            .enumerate()
            .map(|(i, k)| k.record(format!("{i}"))),
    )
    .ok()
    .and_then(|ix| {
        let (i, probe) = known.iter().enumerate().find(|(_, k)| !k.dob.is_empty())?;
        ix.best_matches(&probe.record(String::new()), 5)
            .into_iter()
            .find(|m| m.id == i.to_string())
            .map(|m| m.match_probability)
    })
    .unwrap_or(0.0);
    if copy < records::DEFAULT_REVIEW_THRESHOLD {
        bail!(
            "the trained model does not recognise a person's exact copy (match probability {copy:.3}): \
             the data holds too few records of the same people to learn from. Import records that \
             overlap the site's persons (bookings, arrests) and train again; nothing was saved"
        );
    }
    let previous = records::model(&mut c, site).await?;
    let saved = SavedModel {
        model: run.model.to_json(),
        auto_threshold: args.auto_threshold.unwrap_or_else(|| {
            previous
                .as_ref()
                .map_or(records::DEFAULT_AUTO_THRESHOLD, |m| m.auto_threshold)
        }),
        review_threshold: args.review_threshold.unwrap_or_else(|| {
            previous
                .as_ref()
                .map_or(records::DEFAULT_REVIEW_THRESHOLD, |m| m.review_threshold)
        }),
        trained_on: (known.len() + imported.len()) as i64,
        trained_at: handoff_services::now(),
    };
    if !(0.0..=1.0).contains(&saved.review_threshold)
        || !(saved.review_threshold..=1.0).contains(&saved.auto_threshold)
    {
        bail!("thresholds must satisfy 0 ≤ review ≤ auto ≤ 1");
    }
    records::save_model(&mut c, site, &saved).await?;
    println!(
        "trained on {} persons and roster entries and {} imported records; saved (auto ≥ {}, review ≥ {})",
        known.len(),
        imported.len(),
        saved.auto_threshold,
        saved.review_threshold
    );
    // Re-link what is still unlinked.
    let state = state(database_url, store.clone());
    let linker = handoff_exchange::linker(&state, site)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ctx = SiteZone::load(&state, site)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let at = handoff_services::now();
    let mut alerts_due = Vec::new();
    let (mut linked, mut review) = (0, 0);
    let mut tx = store.begin().await?;
    for r in records::unlinked(&mut tx.conn(), site).await? {
        let Ok(rec) = serde_json::from_str::<handoff_justice::Record>(&r.content) else {
            continue;
        };
        let decisions = records::decisions(&mut tx.conn(), site, r.id).await?;
        let l = linker.link(&rec, &decisions);
        if matches!(
            l.status,
            records::LinkStatus::Unlinked | records::LinkStatus::Rejected
        ) {
            continue;
        }
        if l.status.is_linked() {
            linked += 1;
        } else {
            review += 1;
        }
        if let Some(participant) = l.participant
            && matches!(rec.kind(), Kind::Bookings | Kind::Charges)
        {
            alerts_due.push(handoff_exchange::import::Alert {
                record: r.id,
                participant,
                kind: rec.kind(),
            });
        }
        records::set_link(&mut tx.conn(), site, r.id, &l, at).await?;
    }
    tx.commit().await?;
    let raised = alerts::raise(&state, &ctx, &alerts_due, None, at)
        .await
        .map_err(|e| anyhow::anyhow!("raising alerts: {e}"))?;
    println!("re-linked: {linked} linked, {review} to review, {raised} alerts raised");
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The six files of the outcome-evaluation dataset (person ids are
    /// per-export pseudonyms), ready for `handoff evaluate --data DIR`.
    Evaluation(EvaluationExportArgs),
    /// The HUD HMIS CSV files for the housing partner: participants whose
    /// release allows it.
    Hmis(HmisExportArgs),
}

#[derive(Args, Debug)]
pub struct EvaluationExportArgs {
    /// The folder to write (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// First index date (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<String>,
    /// Last index date and the study end (YYYY-MM-DD; default today).
    #[arg(long)]
    pub to: Option<String>,
    /// The site's slug (needed when the database holds several sites).
    #[arg(long)]
    pub site: Option<String>,
}

#[derive(Args, Debug)]
pub struct HmisExportArgs {
    /// The folder to write (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// The site's slug (needed when the database holds several sites).
    #[arg(long)]
    pub site: Option<String>,
}

fn date_arg(name: &str, s: Option<&str>) -> anyhow::Result<Option<time::Date>> {
    s.map(|s| {
        time::Date::parse(
            s.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .with_context(|| format!("--{name} {s:?} is not a date like 2026-12-31"))
    })
    .transpose()
}

/// One audit entry for an export by the host's operator, naming every
/// participant it disclosed and the categories it may carry.
async fn audit_export(
    store: &Store,
    site: SiteId,
    what: &str,
    participants: Vec<handoff_domain::ParticipantId>,
    categories: Vec<handoff_domain::DataCategory>,
) -> anyhow::Result<()> {
    let mut e =
        handoff_audit::AuditEvent::new(format!("export.{what}"), handoff_audit::Outcome::Allowed);
    e.site_id = Some(site);
    e.subject_ref = Some(format!("export:{what}:operator:{}", participants.len()));
    e.participants = participants;
    e.categories = categories;
    let mut tx = store.begin().await?;
    handoff_store::audit::append(&mut tx, e, handoff_services::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// `handoff export …`.
pub async fn export(database_url: &str, cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    use handoff_exchange::export;
    match cmd {
        ExportCommand::Evaluation(args) => {
            let from = date_arg("from", args.from.as_deref())?;
            let to = date_arg("to", args.to.as_deref())?;
            let store = ops::open(database_url).await?;
            let site = site(&store, args.site.as_deref()).await?;
            let state = state(database_url, store.clone());
            // The same gate as the API: research use is the site policy's
            // call (`handoff_services::research`), refusals audited.
            let data = match handoff_exchange::evaluation_dataset(
                &state,
                handoff_services::research::Exporter::Operator(site),
                &Default::default(),
                from,
                to,
            )
            .await
            {
                Ok(data) => data,
                Err(handoff_services::error::AppError::Forbidden(why)) => {
                    eprintln!("handoff: refused: {why}; nothing written");
                    return Ok(ExitCode::from(2));
                }
                Err(handoff_services::error::AppError::Internal(e)) => {
                    return Err(e.context("nothing written"));
                }
                Err(e) => return Err(anyhow::anyhow!("{e}; nothing written")),
            };
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            data.write_to_dir(&args.out)
                .with_context(|| format!("writing {}", args.out.display()))?;
            let lead = data
                .participants
                .iter()
                .filter(|p| p.group == handoff_justice::evaluation::Group::Lead)
                .count();
            println!(
                "wrote {}: {} LEAD and {} control persons, {} events, {} person-months, {} eligible arrests, study end {}",
                args.out.display(),
                lead,
                data.participants.len() - lead,
                data.events.len(),
                data.monthly.len(),
                data.eligible_arrests.len(),
                handoff_store::referrals::iso(data.study_end)
            );
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Hmis(args) => {
            let store = ops::open(database_url).await?;
            let site = site(&store, args.site.as_deref()).await?;
            let state = state(database_url, store.clone());
            let (set, shared) = export::hmis(&state, site, handoff_services::now())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            set.write_to_dir(&args.out)
                .with_context(|| format!("writing {}", args.out.display()))?;
            let count = shared.len();
            // What the HMIS files carry, each only where the release names
            // it for the housing partner.
            audit_export(
                &store,
                site,
                "hmis",
                shared,
                vec![
                    handoff_domain::DataCategory::Enrollment,
                    handoff_domain::DataCategory::Identity,
                    handoff_domain::DataCategory::Demographics,
                    handoff_domain::DataCategory::Notes,
                ],
            )
            .await?;
            println!(
                "wrote {}: {count} participants whose release allows the housing partner",
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
