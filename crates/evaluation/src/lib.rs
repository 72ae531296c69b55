//! LEAD outcome evaluation (SPEC.md in the evaluation data folder).
//!
//! [`evaluate_dir`] reads the six input files of a folder, derives the
//! per-person variables, runs the analyses with `handoff-stats` and returns
//! [`Results`]; [`write_results_json`] writes them atomically in the layout of
//! the reference `golden.json`; [`render_report`] turns them into a
//! self-contained HTML report.
//!
//! Architecture invariant: all file reading is in `input`/`data`; the
//! analyses and the report are pure functions of loaded data.

mod analyses;
mod data;
mod input;
mod ipw;
mod report;
pub mod results;
mod svg;

use std::io::Write;
use std::path::Path;

pub use analyses::Timings;
pub use input::InputError;
pub use report::{
    REPORT_CSS, render_equity_section, render_equity_section_suppressed, render_report,
    render_report_body,
};
pub use results::Results;

/// Reads and validates the evaluation folder `dir`, then runs every analysis.
pub fn evaluate_dir(dir: &Path) -> Result<Results, InputError> {
    evaluate_dir_timed(dir).map(|(r, _)| r)
}

/// As [`evaluate_dir`], also returning the wall time of loading and of each analysis.
pub fn evaluate_dir_timed(dir: &Path) -> Result<(Results, Timings), InputError> {
    let t0 = std::time::Instant::now();
    let ds = data::load(dir)?;
    let load = t0.elapsed();
    let (results, mut timings) = analyses::analyse(&ds);
    timings.insert(0, ("load_and_derive".to_string(), load));
    Ok((results, timings))
}

/// Results as pretty-printed JSON (shortest round-trip number representation).
pub fn results_json(results: &Results) -> String {
    let mut s =
        serde_json::to_string_pretty(results).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// Writes `contents` to `path` through a temporary file in the same folder and
/// a rename, so a reader never sees a partial file.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes the results JSON atomically.
pub fn write_results_json(results: &Results, path: &Path) -> std::io::Result<()> {
    write_atomically(path, &results_json(results))
}
