//! Does a folder of evaluation files follow SPEC.md §1–§2? Exact headers,
//! value domains, unique keys, references between files, `\n` line ends.

use super::{EvalRace, FILES, header_of};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Read};
use std::path::Path;
use time::Date;

/// Most problems reported before the check stops listing them.
const MAX_LISTED: usize = 1_000;

/// One way a file breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    pub file: &'static str,
    /// 1-based line (header = 1); 0 for the file as a whole.
    pub line: u64,
    pub column: Option<&'static str>,
    pub message: String,
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What a valid folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    /// Data rows per file, in [`FILES`] order.
    pub rows: [u64; 6],
    pub n_lead: u64,
    pub n_control: u64,
    pub study_end: Date,
}

/// Checks the six files in `dir`.
pub fn check_dir(dir: &Path) -> Result<CheckSummary, Vec<SchemaProblem>> {
    check_with(|file| std::fs::File::open(dir.join(file)).map(io::BufReader::new))
}

/// Checks the six files, each opened by `open(file_name)`.
pub fn check_with<R: Read>(
    mut open: impl FnMut(&str) -> io::Result<R>,
) -> Result<CheckSummary, Vec<SchemaProblem>> {
    let mut c = Checker::default();
    let mut rows = [0u64; 6];
    // Study first (SE bounds follow-up), then participants (referenced by
    // events and monthly), then the rest.
    for idx in [5, 0, 1, 2, 3, 4] {
        let file = FILES[idx];
        match open(file) {
            Ok(r) => rows[idx] = c.file(file, r),
            Err(e) => c.problem(file, 0, None, format!("cannot open: {e}")),
        }
    }
    if c.unit_items.len() != 5
        && !c
            .problems
            .iter()
            .any(|p| p.file == "unit_costs.csv" && p.line == 0)
    {
        let missing: Vec<&str> = UNIT_ITEMS
            .iter()
            .filter(|i| !c.unit_items.contains(**i))
            .copied()
            .collect();
        c.problem(
            "unit_costs.csv",
            0,
            Some("item"),
            format!("missing items: {}", missing.join(", ")),
        );
    }
    if c.problems.is_empty() {
        let n_lead = c.groups.values().filter(|(lead, _)| *lead).count() as u64;
        Ok(CheckSummary {
            rows,
            n_lead,
            n_control: c.groups.len() as u64 - n_lead,
            study_end: c.study_end.unwrap_or(Date::MIN),
        })
    } else {
        Err(c.problems)
    }
}

const UNIT_ITEMS: [&str; 5] = [
    "arrest",
    "charge_felony",
    "charge_misdemeanor",
    "jail_day",
    "prison_admission",
];

#[derive(Default)]
struct Checker {
    problems: Vec<SchemaProblem>,
    study_end: Option<Date>,
    /// person_id → (is lead, index date)
    groups: HashMap<i64, (bool, Date)>,
    unit_items: HashSet<String>,
}

/// Flags any carriage return: SPEC §1 wants `\n` line ends.
struct CrFlag<R> {
    inner: R,
    seen: bool,
}

impl<R: Read> Read for CrFlag<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if buf[..n].contains(&b'\r') {
            self.seen = true;
        }
        Ok(n)
    }
}

fn int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn decimal(s: &str) -> bool {
    let mut parts = s.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

impl Checker {
    fn problem(
        &mut self,
        file: &'static str,
        line: u64,
        column: Option<&'static str>,
        message: impl Into<String>,
    ) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(SchemaProblem {
                file,
                line,
                column,
                message: message.into(),
            });
        }
    }

    /// Checks one file; returns its number of data rows.
    fn file<R: Read>(&mut self, file: &'static str, reader: R) -> u64 {
        let header = header_of(file).unwrap_or_default();
        let columns: Vec<&'static str> = header.split(',').collect();
        let mut flag = CrFlag {
            inner: reader,
            seen: false,
        };
        let mut rows = 0;
        {
            let mut csv = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&mut flag);
            let mut rec = csv::StringRecord::new();
            let mut seen_ids: HashSet<i64> = HashSet::new();
            let mut seen_months: HashSet<(i64, i64)> = HashSet::new();
            let mut first = true;
            loop {
                match csv.read_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        self.problem(file, line, None, format!("unreadable: {e}"));
                        break;
                    }
                }
                let line = rec.position().map_or(0, |p| p.line());
                if first {
                    first = false;
                    let got: Vec<&str> = rec.iter().collect();
                    if got.join(",") != header {
                        self.problem(file, 1, None, format!("header must be exactly `{header}`"));
                        return 0;
                    }
                    continue;
                }
                rows += 1;
                if rec.len() != columns.len() {
                    self.problem(
                        file,
                        line,
                        None,
                        format!("{} cells where the header has {}", rec.len(), columns.len()),
                    );
                    continue;
                }
                let cells: Vec<&str> = rec.iter().collect();
                match file {
                    "study.csv" => self.study(line, &cells, rows),
                    "participants.csv" => self.participant(line, &cells, &mut seen_ids),
                    "events.csv" => self.event(line, &cells, &mut seen_ids),
                    "monthly.csv" => self.monthly(line, &cells, &mut seen_months),
                    "unit_costs.csv" => self.unit_cost(line, &cells),
                    _ => self.eligible_arrest(line, &cells, &mut seen_ids),
                }
            }
            if first {
                self.problem(file, 0, None, "empty file: expected a header line");
            }
        }
        if flag.seen {
            self.problem(file, 0, None, "line ends must be \\n, not \\r\\n");
        }
        if file == "study.csv" && rows != 1 {
            self.problem(
                file,
                0,
                None,
                format!("expected exactly one data row, found {rows}"),
            );
        }
        rows
    }

    fn id(
        &mut self,
        file: &'static str,
        line: u64,
        column: &'static str,
        s: &str,
        seen: Option<&mut HashSet<i64>>,
    ) -> Option<i64> {
        match int(s) {
            Some(n) if n > 0 => {
                if let Some(seen) = seen
                    && !seen.insert(n)
                {
                    self.problem(
                        file,
                        line,
                        Some(column),
                        format!("{column} {n} is not unique"),
                    );
                }
                Some(n)
            }
            _ => {
                self.problem(file, line, Some(column), "expected an integer > 0");
                None
            }
        }
    }

    fn date(
        &mut self,
        file: &'static str,
        line: u64,
        column: &'static str,
        s: &str,
    ) -> Option<Date> {
        let d = date(s);
        if d.is_none() {
            self.problem(file, line, Some(column), "expected a date YYYY-MM-DD");
        }
        d
    }

    fn bool01(
        &mut self,
        file: &'static str,
        line: u64,
        column: &'static str,
        s: &str,
        allow_empty: bool,
    ) -> Option<bool> {
        match s {
            "0" => Some(false),
            "1" => Some(true),
            "" if allow_empty => None,
            _ => {
                let expected = if allow_empty {
                    "0, 1 or empty"
                } else {
                    "0 or 1"
                };
                self.problem(file, line, Some(column), format!("expected {expected}"));
                None
            }
        }
    }

    fn race(&mut self, file: &'static str, line: u64, s: &str) {
        if EvalRace::parse(s).is_none() {
            self.problem(
                file,
                line,
                Some("race"),
                "expected Black, White, Hispanic/Latino, Asian, Native American or Other",
            );
        }
    }

    fn study(&mut self, line: u64, cells: &[&str], row: u64) {
        let d = self.date("study.csv", line, "study_end", cells[0]);
        if row == 1 {
            self.study_end = d;
        }
    }

    fn participant(&mut self, line: u64, c: &[&str], seen: &mut HashSet<i64>) {
        const F: &str = "participants.csv";
        let id = self.id(F, line, "person_id", c[0], Some(seen));
        let lead = match c[1] {
            "lead" => Some(true),
            "control" => Some(false),
            _ => {
                self.problem(F, line, Some("group"), "expected lead or control");
                None
            }
        };
        let index = self.date(F, line, "index_date", c[2]);
        if !matches!(int(c[3]), Some(n) if n >= 0) {
            self.problem(F, line, Some("age_at_index"), "expected an integer ≥ 0");
        }
        if !matches!(c[4], "M" | "F" | "X") {
            self.problem(F, line, Some("sex"), "expected M, F or X");
        }
        self.race(F, line, c[5]);
        if let (Some(i), Some(se)) = (index, self.study_end)
            && (se - i).whole_days() < 365
        {
            self.problem(
                F,
                line,
                Some("index_date"),
                "less than 365 days before study_end (SPEC §2.6 needs a year of follow-up)",
            );
        }
        if let (Some(id), Some(lead), Some(index)) = (id, lead, index) {
            self.groups.insert(id, (lead, index));
        }
    }

    fn event(&mut self, line: u64, c: &[&str], seen: &mut HashSet<i64>) {
        const F: &str = "events.csv";
        self.id(F, line, "event_id", c[0], Some(seen));
        if let Some(p) = self.id(F, line, "person_id", c[1], None)
            && !self.groups.contains_key(&p)
        {
            self.problem(F, line, Some("person_id"), "not in participants.csv");
        }
        self.date(F, line, "date", c[2]);
        let kind = c[3];
        if !matches!(kind, "arrest" | "charge" | "booking" | "prison_admission") {
            self.problem(
                F,
                line,
                Some("kind"),
                "expected arrest, charge, booking or prison_admission",
            );
        }
        if let Some(true) = self.bool01(F, line, "felony", c[4], false)
            && kind != "charge"
        {
            self.problem(F, line, Some("felony"), "must be 0 unless kind = charge");
        }
        match int(c[5]) {
            Some(n) if n >= 0 => {
                if n > 0 && kind != "booking" {
                    self.problem(
                        F,
                        line,
                        Some("jail_days"),
                        "must be 0 unless kind = booking",
                    );
                }
            }
            _ => self.problem(F, line, Some("jail_days"), "expected an integer ≥ 0"),
        }
    }

    fn monthly(&mut self, line: u64, c: &[&str], seen: &mut HashSet<(i64, i64)>) {
        const F: &str = "monthly.csv";
        let p = self.id(F, line, "person_id", c[0], None);
        if let Some(p) = p {
            match self.groups.get(&p) {
                Some((true, _)) => {}
                Some((false, _)) => {
                    self.problem(F, line, Some("person_id"), "not a lead participant")
                }
                None => self.problem(F, line, Some("person_id"), "not in participants.csv"),
            }
        }
        match int(c[1]) {
            Some(m) if (-12..=24).contains(&m) => {
                if let Some(p) = p
                    && !seen.insert((p, m))
                {
                    self.problem(
                        F,
                        line,
                        Some("month"),
                        "second row for this person and month",
                    );
                }
            }
            _ => self.problem(F, line, Some("month"), "expected an integer in -12..24"),
        }
        self.bool01(F, line, "housed", c[2], true);
        self.bool01(F, line, "employed", c[3], true);
        self.bool01(F, line, "income_benefits", c[4], true);
    }

    fn unit_cost(&mut self, line: u64, c: &[&str]) {
        const F: &str = "unit_costs.csv";
        if !UNIT_ITEMS.contains(&c[0]) {
            self.problem(
                F,
                line,
                Some("item"),
                format!("expected one of {}", UNIT_ITEMS.join(", ")),
            );
        } else if !self.unit_items.insert(c[0].to_owned()) {
            self.problem(F, line, Some("item"), "item listed twice");
        }
        if !decimal(c[1]) {
            self.problem(F, line, Some("cost_usd"), "expected a decimal amount ≥ 0");
        }
    }

    fn eligible_arrest(&mut self, line: u64, c: &[&str], seen: &mut HashSet<i64>) {
        const F: &str = "eligible_arrests.csv";
        self.id(F, line, "arrest_id", c[0], Some(seen));
        self.date(F, line, "date", c[1]);
        self.race(F, line, c[2]);
        self.bool01(F, line, "diverted", c[3], false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers_are_strict() {
        assert_eq!(int("-12"), Some(-12));
        assert_eq!(int("+3"), None);
        assert_eq!(int(""), None);
        assert_eq!(int("1.0"), None);
        assert!(date("2015-12-31").is_some());
        assert!(date("2015-2-3").is_none());
        assert!(decimal("158.25") && decimal("38000.00") && decimal("0"));
        assert!(!decimal("-1.00") && !decimal("1.") && !decimal("$5"));
    }
}
