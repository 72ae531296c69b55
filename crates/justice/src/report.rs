//! The row-level report of a rejected file: every bad row, by line, column
//! and reason, as CSV and as JSON.
//!
//! A problem's `value` is the offending cell, truncated to
//! [`MAX_VALUE_CHARS`] characters. It may be personal data (a name, a date of
//! birth), so `Display` never shows it: log lines and error chains carry
//! only line, column and reason. The CSV and JSON renderings include it,
//! because they go back to the submitter, who holds the file anyway; use
//! [`ImportReport::without_values`] before storing or forwarding a report
//! anywhere else.

use crate::kind::Kind;
use serde::Serialize;
use std::fmt;

/// Longest value kept in a report, in characters.
pub const MAX_VALUE_CHARS: usize = 64;

/// Why a row (or the header) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The file has no header line.
    EmptyFile,
    /// A required column is not in the header.
    MissingColumn,
    /// The header names a column twice.
    DuplicateColumn,
    /// A required cell is empty.
    MissingValue,
    /// A date did not parse.
    BadDate { expected: String },
    /// A timestamp did not parse.
    BadTimestamp { expected: String },
    /// A number did not parse or is out of range.
    BadNumber { expected: String },
    /// A coded value is neither in the mapping's table nor a Handoff value.
    UnknownCode { expected: String },
    /// Another row of the same file has the same natural key.
    DuplicateKey { first_line: u64 },
    /// The row has a different number of cells from the header.
    Ragged { expected: usize, found: usize },
    /// A cell is not valid UTF-8.
    InvalidUtf8,
    /// Any other rule: too long, release before booking, a malformed charge.
    Invalid { message: String },
}

impl Reason {
    /// A stable code for machines (`missing_value`, `bad_date`, …).
    pub const fn code(&self) -> &'static str {
        match self {
            Reason::EmptyFile => "empty_file",
            Reason::MissingColumn => "missing_column",
            Reason::DuplicateColumn => "duplicate_column",
            Reason::MissingValue => "missing_value",
            Reason::BadDate { .. } => "bad_date",
            Reason::BadTimestamp { .. } => "bad_timestamp",
            Reason::BadNumber { .. } => "bad_number",
            Reason::UnknownCode { .. } => "unknown_code",
            Reason::DuplicateKey { .. } => "duplicate_key",
            Reason::Ragged { .. } => "ragged_row",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::Invalid { .. } => "invalid",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::EmptyFile => f.write_str("the file is empty: expected a header line"),
            Reason::MissingColumn => f.write_str("required column missing from the header"),
            Reason::DuplicateColumn => f.write_str("column appears twice in the header"),
            Reason::MissingValue => f.write_str("required value missing"),
            Reason::BadDate { expected } => write!(f, "bad date: expected {expected}"),
            Reason::BadTimestamp { expected } => write!(f, "bad timestamp: expected {expected}"),
            Reason::BadNumber { expected } => write!(f, "bad number: expected {expected}"),
            Reason::UnknownCode { expected } => write!(f, "unknown code: expected {expected}"),
            Reason::DuplicateKey { first_line } => {
                write!(f, "duplicate natural key: first seen on line {first_line}")
            }
            Reason::Ragged { expected, found } => {
                write!(
                    f,
                    "ragged row: {found} cells where the header has {expected}"
                )
            }
            Reason::InvalidUtf8 => f.write_str("not valid UTF-8"),
            Reason::Invalid { message } => f.write_str(message),
        }
    }
}

/// One problem with one row. `Debug` and `Display` leave the value out, so
/// an error chain or a log line never carries the cell.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// Physical line in the file where the row starts, 1-based; the header
    /// is line 1.
    pub line: u64,
    /// The column as the file names it; `None` for whole-row problems
    /// (ragged rows, an empty file).
    pub column: Option<String>,
    /// The offending cell, truncated. May be personal data: never shown by
    /// `Display`.
    pub value: Option<String>,
    pub reason: Reason,
}

impl RowProblem {
    pub fn new(line: u64, column: Option<&str>, value: Option<&str>, reason: Reason) -> Self {
        Self {
            line,
            column: column.map(str::to_owned),
            value: value.filter(|v| !v.is_empty()).map(truncate),
            reason,
        }
    }
}

impl fmt::Debug for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowProblem")
            .field("line", &self.line)
            .field("column", &self.column)
            .field("value", &self.value.as_ref().map(|_| "<redacted>"))
            .field("reason", &self.reason)
            .finish()
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Truncates a value to [`MAX_VALUE_CHARS`] characters, marking the cut.
pub fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_VALUE_CHARS) {
        None => s.to_owned(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// Why a file was rejected: every bad row. Nothing of a rejected file may be
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub kind: Kind,
    /// Data rows read (not counting the header).
    pub rows: u64,
    /// SHA-256 (hex) of the file's bytes.
    pub sha256: String,
    /// In file order.
    pub problems: Vec<RowProblem>,
    /// Problems beyond [`crate::MAX_PROBLEMS`], counted but not listed.
    pub omitted: u64,
    /// Every problem (listed or not) counted by column and reason, so a
    /// file whose every row is bad still answers in a few kilobytes.
    pub counts: Vec<ProblemCount>,
}

/// How many problems one column had for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemCount {
    pub column: Option<String>,
    pub code: &'static str,
    pub count: u64,
}

impl ProblemCount {
    /// Adds one problem to a running tally.
    pub fn add(
        tally: &mut std::collections::BTreeMap<(Option<String>, &'static str), u64>,
        p: &RowProblem,
    ) {
        *tally
            .entry((p.column.clone(), p.reason.code()))
            .or_default() += 1;
    }

    /// The tally as a list, largest first.
    pub fn list(
        tally: std::collections::BTreeMap<(Option<String>, &'static str), u64>,
    ) -> Vec<ProblemCount> {
        let mut out: Vec<ProblemCount> = tally
            .into_iter()
            .map(|((column, code), count)| ProblemCount {
                column,
                code,
                count,
            })
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.count));
        out
    }

    /// The counts of a complete list of problems.
    pub fn of(problems: &[RowProblem]) -> Vec<ProblemCount> {
        let mut tally = std::collections::BTreeMap::new();
        for p in problems {
            Self::add(&mut tally, p);
        }
        Self::list(tally)
    }
}

impl ImportReport {
    /// Number of distinct lines with at least one problem.
    pub fn bad_lines(&self) -> usize {
        let mut lines: Vec<u64> = self.problems.iter().map(|p| p.line).collect();
        lines.dedup();
        lines.len()
    }

    /// The same report without cell values, safe to log or store.
    pub fn without_values(&self) -> Self {
        let mut r = self.clone();
        for p in &mut r.problems {
            p.value = None;
        }
        r
    }

    /// The report as CSV: `line,column,code,reason,value`, one row per
    /// problem, header first.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = w.write_record(["line", "column", "code", "reason", "value"]);
        for p in &self.problems {
            let _ = w.write_record([
                p.line.to_string().as_str(),
                p.column.as_deref().unwrap_or(""),
                p.reason.code(),
                &p.reason.to_string(),
                p.value.as_deref().unwrap_or(""),
            ]);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The report as JSON:
    /// `{"kind", "rows", "sha256", "problems": [{"line", "column", "code",
    /// "reason", "value", …details}]}`.
    pub fn to_json(&self) -> String {
        let problems: Vec<serde_json::Value> = self
            .problems
            .iter()
            .map(|p| {
                let mut v = serde_json::json!({
                    "line": p.line,
                    "column": p.column,
                    "code": p.reason.code(),
                    "reason": p.reason.to_string(),
                    "value": p.value,
                });
                if let (Some(obj), Ok(serde_json::Value::Object(details))) =
                    (v.as_object_mut(), serde_json::to_value(&p.reason))
                {
                    for (k, d) in details {
                        if k != "code" {
                            obj.insert(k, d);
                        }
                    }
                }
                v
            })
            .collect();
        serde_json::json!({
            "kind": self.kind,
            "rows": self.rows,
            "sha256": self.sha256,
            "problems": problems,
            "omitted": self.omitted,
            "counts": self.counts,
        })
        .to_string()
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} file rejected: {} problem(s) on {} line(s) of {} row(s)",
            self.kind,
            self.problems.len() as u64 + self.omitted,
            self.bad_lines(),
            self.rows
        )?;
        if let Some(p) = self.problems.first() {
            write!(f, "; first: {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportReport {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_never_shows_the_value() {
        let p = RowProblem::new(
            7,
            Some("dob"),
            Some("1980-13-45"),
            Reason::BadDate {
                expected: "YYYY-MM-DD".into(),
            },
        );
        let shown = p.to_string();
        assert_eq!(shown, "line 7, column dob: bad date: expected YYYY-MM-DD");
        assert!(!shown.contains("1980"));
        let report = ImportReport {
            kind: Kind::Bookings,
            rows: 10,
            sha256: "00".into(),
            counts: ProblemCount::of(std::slice::from_ref(&p)),
            problems: vec![p],
            omitted: 0,
        };
        assert!(!report.to_string().contains("1980"));
        assert!(!format!("{report:?}").contains("1980"));
        assert!(report.to_csv().contains("1980-13-45"));
        assert!(report.to_json().contains("1980-13-45"));
        assert!(!report.without_values().to_json().contains("1980"));
    }

    #[test]
    fn values_are_truncated_on_a_character_boundary() {
        let long = "é".repeat(100);
        let t = truncate(&long);
        assert_eq!(t.chars().count(), MAX_VALUE_CHARS + 1);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn json_carries_the_details() {
        let report = ImportReport {
            kind: Kind::Arrests,
            rows: 2,
            sha256: "ab".into(),
            problems: vec![RowProblem::new(
                3,
                Some("arrest_number"),
                Some("A1"),
                Reason::DuplicateKey { first_line: 2 },
            )],
            omitted: 0,
            counts: Vec::new(),
        };
        let v: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(v["problems"][0]["code"], "duplicate_key");
        assert_eq!(v["problems"][0]["first_line"], 2);
        assert_eq!(v["kind"], "arrests");
        let csv = report.to_csv();
        assert_eq!(
            csv,
            "line,column,code,reason,value\n3,arrest_number,duplicate_key,duplicate natural key: first seen on line 2,A1\n"
        );
    }
}
