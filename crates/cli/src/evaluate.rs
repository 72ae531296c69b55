//! `handoff evaluate`: the LEAD outcome evaluation of a data folder.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Exit status for unusable input (missing file or column, malformed value, …).
const EXIT_BAD_INPUT: u8 = 2;

#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    /// Folder with participants.csv, events.csv, monthly.csv, unit_costs.csv,
    /// eligible_arrests.csv and study.csv.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the results JSON.
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the HTML report here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Write the wall time of loading and of each analysis (JSON) here.
    #[arg(long, hide = true)]
    pub timings: Option<PathBuf>,
}

pub fn run(args: &EvaluateArgs) -> anyhow::Result<ExitCode> {
    let (results, timings) = match handoff_evaluation::evaluate_dir_timed(&args.data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("no results written");
            return Ok(ExitCode::from(EXIT_BAD_INPUT));
        }
    };
    for w in &results.meta.warnings {
        eprintln!("warning: {w}");
    }
    handoff_evaluation::write_results_json(&results, &args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    if let Some(path) = &args.report {
        handoff_evaluation::write_atomically(path, &handoff_evaluation::render_report(&results))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.timings {
        let body: Vec<String> = timings
            .iter()
            .map(|(name, d)| format!("  \"{name}\": {}", d.as_secs_f64()))
            .collect();
        handoff_evaluation::write_atomically(path, &format!("{{\n{}\n}}\n", body.join(",\n")))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}
