//! `handoff link` and `handoff dedupe`: probabilistic record linkage of CSV
//! files (engine in `handoff-linkage`).
//!
//! Pairs: `left_id,right_id,match_weight,match_probability`, one row per
//! candidate pair at or above `--threshold` (dedupe: `left_id < right_id`).
//! `--explain` adds a fifth column, `explanation`: the pair's waterfall as
//! JSON (`prior_weight`, per field `column`, `level`, `weight` and
//! `tf_adjustment`, then `match_weight` and `match_probability`).
//! `--clusters` (dedupe) writes `id,cluster_id`.
//!
//! Progress bars per phase go to stderr (hidden when it is not a terminal),
//! then one summary line: records, candidate pairs, time per phase, peak
//! memory (VmHWM). Output is written to a temporary file beside the target and
//! renamed on success, so a failed run leaves no partial file. Input errors
//! (file, header, rows, configuration, model) exit with code 2 and name the
//! file, line and column.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use handoff_linkage::{Config, LinkError, Model, NoProgress, Phase, Progress, RunOptions, cluster};
use indicatif::{ProgressBar, ProgressStyle};

/// Options shared by `link` and `dedupe`.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Pairs CSV to write: left_id,right_id,match_weight,match_probability[,explanation].
    #[arg(long)]
    pub out: PathBuf,
    /// TOML configuration (id column, fields, comparisons, blocking rules).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Score with this trained model (JSON) instead of training.
    #[arg(long, conflicts_with = "config")]
    pub model: Option<PathBuf>,
    /// Save the trained model as JSON.
    #[arg(long)]
    pub save_model: Option<PathBuf>,
    /// Keep pairs with match probability at or above this.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// Add an `explanation` column: the per-field waterfall as JSON.
    #[arg(long)]
    pub explain: bool,
    /// No progress bars or summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `handoff link`.
#[derive(clap::Args, Debug)]
pub struct LinkArgs {
    /// Left file (e.g. the registry of persons).
    #[arg(long)]
    pub left: PathBuf,
    /// Right file (e.g. bookings or arrests).
    #[arg(long)]
    pub right: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `handoff dedupe`.
#[derive(clap::Args, Debug)]
pub struct DedupeArgs {
    /// The file to deduplicate.
    #[arg(long)]
    pub input: PathBuf,
    /// Clusters CSV to write: id,cluster_id.
    #[arg(long)]
    pub clusters: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Run `handoff link`; exits with code 2 on bad input.
pub fn link(args: LinkArgs) -> anyhow::Result<()> {
    exit_on_error(run(
        "link",
        &args.left,
        Some(&args.right),
        None,
        &args.common,
    ))
}

/// Run `handoff dedupe`; exits with code 2 on bad input.
pub fn dedupe(args: DedupeArgs) -> anyhow::Result<()> {
    exit_on_error(run(
        "dedupe",
        &args.input,
        None,
        args.clusters.as_deref(),
        &args.common,
    ))
}

fn exit_on_error(r: anyhow::Result<()>) -> anyhow::Result<()> {
    if let Err(e) = &r
        && (e.downcast_ref::<LinkError>().is_some() || e.downcast_ref::<BadArgument>().is_some())
    {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
    r
}

/// A command-line value out of range.
#[derive(Debug)]
struct BadArgument(String);

impl std::error::Error for BadArgument {}

impl std::fmt::Display for BadArgument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Progress bars on stderr, one per phase (hidden when stderr is not a terminal).
struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress for Bars {
    fn begin(&self, phase: Phase, total: u64) {
        let bar = ProgressBar::new(total);
        let counts = if phase == Phase::Load {
            "{bytes}/{total_bytes}"
        } else {
            "{pos}/{len}"
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{prefix:>9}} [{{bar:30}}] {counts} {{elapsed_precise}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(phase.name());
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(b) = self.bar.lock()
            && let Some(bar) = b.as_ref()
        {
            bar.inc(n);
        }
    }
    fn end(&self, _phase: Phase) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(bar) = b.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// Peak resident memory of this process (VmHWM), in bytes.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A file written beside its target and renamed into place on commit.
struct Staged {
    tmp: PathBuf,
    target: PathBuf,
}

impl Staged {
    fn new(target: &Path) -> Staged {
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let tmp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        Staged {
            tmp,
            target: target.to_owned(),
        }
    }
    fn create(&self) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
        let f = std::fs::File::create(&self.tmp)
            .with_context(|| format!("{}: cannot create", self.target.display()))?;
        Ok(std::io::BufWriter::with_capacity(1 << 20, f))
    }
    fn commit(&self) -> anyhow::Result<()> {
        std::fs::rename(&self.tmp, &self.target)
            .with_context(|| format!("{}: cannot write", self.target.display()))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Only present when the run failed before commit.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

fn run(
    command: &str,
    left: &Path,
    right: Option<&Path>,
    clusters: Option<&Path>,
    a: &CommonArgs,
) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&a.threshold) {
        return Err(BadArgument(format!("--threshold {} is not in [0, 1]", a.threshold)).into());
    }
    let start = Instant::now();
    let opts = RunOptions {
        config: a
            .config
            .as_deref()
            .map(Config::from_toml_file)
            .transpose()?,
        model: a.model.as_deref().map(Model::load).transpose()?,
        threshold: a.threshold,
    };
    let bars = Bars {
        bar: Mutex::new(None),
    };
    let progress: &dyn Progress = if a.quiet { &NoProgress } else { &bars };
    let run = handoff_linkage::run(left, right, &opts, progress)?;

    let t = Instant::now();
    let mut staged = Vec::new();
    let pairs_out = Staged::new(&a.out);
    {
        let mut w = csv::Writer::from_writer(pairs_out.create()?);
        let mut header = vec!["left_id", "right_id", "match_weight", "match_probability"];
        if a.explain {
            header.push("explanation");
        }
        w.write_record(&header)?;
        let scorer = run.model.scorer()?;
        let right_table = run.dataset.right_table();
        for p in &run.pairs {
            let (mut l, mut r) = (
                &run.dataset.left.ids[p.left as usize],
                &right_table.ids[p.right as usize],
            );
            if run.dataset.is_dedupe() && l > r {
                std::mem::swap(&mut l, &mut r);
            }
            let weight = format!("{:.6}", p.match_weight);
            let prob = format!("{:.6}", p.match_probability);
            if a.explain {
                let e = run.model.explain(&scorer, &run.dataset, p);
                w.write_record([
                    l.as_str(),
                    r.as_str(),
                    &weight,
                    &prob,
                    &serde_json::to_string(&e)?,
                ])?;
            } else {
                w.write_record([l.as_str(), r.as_str(), &weight, &prob])?;
            }
        }
        w.into_inner()
            .map_err(|e| anyhow::anyhow!("{}: {}", a.out.display(), e.error()))?
            .flush()?;
    }
    staged.push(pairs_out);
    if let Some(path) = clusters {
        let ids = &run.dataset.left.ids;
        let cl = cluster::connected_components(
            ids.len(),
            &run.pairs,
            a.threshold,
            run.model.config.max_cluster_size,
        );
        let s = Staged::new(path);
        let mut w = csv::Writer::from_writer(s.create()?);
        w.write_record(["id", "cluster_id"])?;
        for (i, c) in cl.iter().enumerate() {
            w.write_record([ids[i].as_str(), ids[*c as usize].as_str()])?;
        }
        w.into_inner()
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.error()))?
            .flush()?;
        staged.push(s);
    }
    if let Some(path) = &a.save_model {
        let s = Staged::new(path);
        s.create()?.write_all(run.model.to_json().as_bytes())?;
        staged.push(s);
    }
    for s in &staged {
        s.commit()?;
    }
    let write_time = t.elapsed();

    if !a.quiet {
        let records = match &run.dataset.right {
            Some(r) => format!("{} + {} records", run.dataset.left.len(), r.len()),
            None => format!("{} records", run.dataset.left.len()),
        };
        let phases: Vec<String> = run
            .timings
            .iter()
            .map(|(p, d)| format!("{} {:.2}s", p.name(), d.as_secs_f64()))
            .chain([format!("write {:.2}s", write_time.as_secs_f64())])
            .collect();
        let skipped = if run.candidates.skipped_blocks > 0 {
            format!(
                " ({} oversized blocks skipped, {} pairs)",
                run.candidates.skipped_blocks, run.candidates.skipped_pairs
            )
        } else {
            String::new()
        };
        eprintln!(
            "handoff {command}: {records}, {} candidate pairs{skipped}, {} pairs >= {}; {}; total {:.2}s; peak memory {} MB",
            run.candidates.pairs.len(),
            run.pairs.len(),
            a.threshold,
            phases.join(", "),
            start.elapsed().as_secs_f64(),
            peak_memory().map_or_else(|| "?".into(), |b| (b / (1 << 20)).to_string()),
        );
    }
    Ok(())
}
