//! handoff-linkage: probabilistic record linkage (Fellegi–Sunter with EM).
//!
//! Matches jail bookings, arrests and court filings to people when no
//! identifier is shared. A pure library: it reads the CSV, TOML and JSON files
//! it is handed, or records held in memory ([`run_records`],
//! [`data::from_records`]: nothing written anywhere), and does no database or
//! network access.
//!
//! Pipeline ([`run`]): [`data::load`] interns each field's values →
//! [`block::candidates`] generates and compares candidate pairs →
//! [`Model::train`] (u by seeded random sampling, m by EM sessions, λ by EM) →
//! [`Model::score`] → [`cluster::connected_components`] for a dedupe.
//! [`PersonIndex`] scores one incoming record against a site's persons with a
//! saved model (intake "already known?", booking feeds).
//!
//! Modules: [`config`] (TOML, defaults from standard column names),
//! [`data`] (CSV loading and input errors), [`text`] (normalisation,
//! Jaro–Winkler, Damerau–Levenshtein, Soundex, NYSIIS), [`names`] (US given-
//! name variants), [`compare`] (comparison levels, patterns), [`block`]
//! (blocking keys and candidate pairs), [`train`] (u sampling, EM),
//! [`model`] (parameters, scoring, explanations, JSON), [`cluster`],
//! [`index`], [`error`].

pub mod block;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod data;
pub mod error;
pub mod index;
pub mod model;
pub mod names;
pub mod search;
pub mod text;
pub mod train;

use std::path::Path;
use std::time::{Duration, Instant};

pub use config::Config;
pub use data::Dataset;
pub use error::{LinkError, Result};
pub use index::{Match, PersonIndex, Record};
pub use model::{Explanation, Model, ScoredPair};

/// Phases of a run, for progress reporting and timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Load,
    Block,
    SampleU,
    Em,
    Score,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Block => "block",
            Phase::SampleU => "sample u",
            Phase::Em => "EM",
            Phase::Score => "score",
        }
    }
}

/// Progress observer (a progress bar in the CLI). Called from worker threads.
pub trait Progress: Sync {
    fn begin(&self, _phase: Phase, _total: u64) {}
    fn advance(&self, _n: u64) {}
    fn end(&self, _phase: Phase) {}
}

/// Reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Configuration; `None` builds the default from the columns.
    pub config: Option<Config>,
    /// A trained model to score with (no training).
    pub model: Option<Model>,
    /// Keep pairs with match probability at or above this.
    pub threshold: f64,
}

/// The outcome of a link or dedupe run.
#[derive(Debug)]
pub struct Run {
    pub dataset: Dataset,
    pub model: Model,
    pub candidates: block::Candidates,
    /// Pairs at or above the threshold, sorted by left then right row.
    pub pairs: Vec<ScoredPair>,
    pub timings: Vec<(Phase, Duration)>,
}

/// Columns present in every file (for the default configuration).
fn common_columns(left: &Path, right: Option<&Path>) -> Result<Vec<String>> {
    let mut cols = data::read_header(left)?;
    if let Some(r) = right {
        let rc = data::read_header(r)?;
        cols.retain(|c| rc.contains(c));
    }
    Ok(cols)
}

/// Link `left` with `right`, or deduplicate `left` when `right` is `None`.
pub fn run(
    left: &Path,
    right: Option<&Path>,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<Run> {
    let t = Instant::now();
    let config = match (&opts.model, &opts.config) {
        (Some(m), _) => m.config.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => Config::default_for_columns(&common_columns(left, right)?)?,
    };
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    progress.begin(Phase::Load, size(left) + right.map_or(0, size));
    let dataset = data::load_with_progress(&config, left, right, progress)?;
    progress.end(Phase::Load);
    let timings = vec![(Phase::Load, t.elapsed())];
    link_loaded(&config, dataset, timings, opts, progress)
}

/// Deduplicate records held in memory (a site's persons read from its
/// database): the pipeline of [`run`] without reading or writing any file.
/// The default configuration is built from the columns the records carry.
pub fn run_records(records: &[Record], opts: &RunOptions, progress: &dyn Progress) -> Result<Run> {
    let t = Instant::now();
    let config = match (&opts.model, &opts.config) {
        (Some(m), _) => m.config.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => {
            let mut columns: Vec<String> = records
                .iter()
                .flat_map(|r| r.values.keys().cloned())
                .collect();
            columns.sort_unstable();
            columns.dedup();
            Config::default_for_columns(&columns)?
        }
    };
    progress.begin(Phase::Load, records.len() as u64);
    let dataset = data::from_records(&config, records)?;
    progress.advance(records.len() as u64);
    progress.end(Phase::Load);
    let timings = vec![(Phase::Load, t.elapsed())];
    link_loaded(&config, dataset, timings, opts, progress)
}

/// Blocking, training (unless a model is given) and scoring of a loaded data set.
fn link_loaded(
    config: &Config,
    dataset: Dataset,
    mut timings: Vec<(Phase, Duration)>,
    opts: &RunOptions,
    progress: &dyn Progress,
) -> Result<Run> {
    let mut t = Instant::now();
    let lap = |phase: Phase, t: &mut Instant, timings: &mut Vec<(Phase, Duration)>| {
        timings.push((phase, t.elapsed()));
        *t = Instant::now();
    };
    let cmp = compare::Comparator::new(config).map_err(LinkError::Spec)?;
    let keys = block::KeyFn::compile(config);
    let candidates = block::candidates(&dataset, &cmp, &keys, config.max_block_pairs, progress);
    lap(Phase::Block, &mut t, &mut timings);
    let model = match &opts.model {
        Some(m) => m.clone(),
        None => {
            let (m, u_time, em_time) = Model::train_timed(config, &dataset, &candidates, progress)?;
            timings.push((Phase::SampleU, u_time));
            timings.push((Phase::Em, em_time));
            m
        }
    };
    t = Instant::now();
    progress.begin(Phase::Score, 1);
    let mut pairs = model.score(&dataset, &candidates, opts.threshold)?;
    pairs.sort_unstable_by_key(|p| (p.left, p.right));
    progress.advance(1);
    progress.end(Phase::Score);
    lap(Phase::Score, &mut t, &mut timings);
    Ok(Run {
        dataset,
        model,
        candidates,
        pairs,
        timings,
    })
}
