//! Unusable input: each case damages one file of a copy of the public
//! dataset and expects an error naming the file, line and column.

use std::path::{Path, PathBuf};

use handoff_evaluation::{InputError, evaluate_dir};

/// A fresh copy of the public dataset in a temporary folder.
fn copy_public(case: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public");
    let dir = std::env::temp_dir().join(format!("handoff-eval-bad-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(&src).unwrap() {
        let name = f.unwrap().file_name();
        std::fs::copy(src.join(&name), dir.join(&name)).unwrap();
    }
    dir
}

/// Replaces the 1-based `line` of `file` using `edit`.
fn edit_line(dir: &Path, file: &str, line: usize, edit: impl Fn(&str) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[line - 1] = edit(&lines[line - 1]);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

fn expect_error(case: &str, damage: impl Fn(&Path)) -> InputError {
    let dir = copy_public(case);
    damage(&dir);
    let err = evaluate_dir(&dir).expect_err("damaged input must be rejected");
    let _ = std::fs::remove_dir_all(&dir);
    err
}

fn set_field(line: &str, idx: usize, value: &str) -> String {
    let mut f: Vec<&str> = line.split(',').collect();
    f[idx] = value;
    f.join(",")
}

/// Sets field `idx` of `line` of `file` to `value` and checks that the error
/// names that file, line and `column`; returns it for further checks.
fn bad_field(case: &str, (file, line, idx): At, value: &str, column: &str) -> InputError {
    let e = expect_error(case, |d| {
        edit_line(d, file, line, |l| set_field(l, idx, value))
    });
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        (file, Some(line as u64), Some(column))
    );
    e
}

#[test]
fn missing_file() {
    let e = expect_error("nofile", |d| {
        std::fs::remove_file(d.join("monthly.csv")).unwrap()
    });
    assert_eq!(e.file, "monthly.csv");
    assert!(e.to_string().contains("cannot open"), "{e}");
}

#[test]
fn missing_column() {
    let e = expect_error("nocol", |d| {
        edit_line(d, "events.csv", 1, |l| l.replace("jail_days", "jail"))
    });
    assert_eq!(
        (e.file.as_str(), e.line, e.column.as_deref()),
        ("events.csv", Some(1), Some("jail_days"))
    );
}

#[test]
fn malformed_date() {
    let e = bad_field("date", ("events.csv", 10, 2), "2013-02-30", "date");
    assert!(e.to_string().contains("2013-02-30"), "{e}");
}

/// Where a field is: (file, 1-based line, 0-based field).
type At = (&'static str, usize, usize);

/// Damaged fields: (case, where, value, the column the error names).
const BAD_FIELDS: &[(&str, At, &str, &str)] = &[
    // far past the first of the pieces a block is parsed in
    ("deep", ("events.csv", 11_000, 4), "2", "felony"),
    ("deepdup", ("events.csv", 11_500, 0), "17", "event_id"),
    // unknown categories
    ("race", ("participants.csv", 5, 5), "Martian", "race"),
    ("kind", ("events.csv", 3, 3), "citation", "kind"),
    // duplicate keys
    ("dupevent", ("events.csv", 9, 0), "1", "event_id"),
    ("dupperson", ("participants.csv", 4, 0), "1", "person_id"),
    // malformed numbers and flags
    ("flag", ("monthly.csv", 4, 2), "yes", "housed"),
    ("age", ("participants.csv", 2, 3), "3x", "age_at_index"),
    ("cost", ("unit_costs.csv", 2, 1), "lots", "cost_usd"),
];

#[test]
fn each_damaged_field_is_named_by_file_line_and_column() {
    for &(case, at, value, column) in BAD_FIELDS {
        bad_field(case, at, value, column);
    }
}

#[test]
fn unknown_person_in_events() {
    let e = bad_field("person", ("events.csv", 7, 1), "999999", "person_id");
    assert!(e.to_string().contains("999999"), "{e}");
}

#[test]
fn duplicate_months() {
    // monthly line 3 repeats the person and month of line 2
    let e = expect_error("dupmonth", |d| {
        let first = std::fs::read_to_string(d.join("monthly.csv"))
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_owned();
        edit_line(d, "monthly.csv", 3, |_| first.clone());
    });
    assert_eq!((e.file.as_str(), e.line), ("monthly.csv", Some(3)));
}

#[test]
fn extra_fields() {
    let e = expect_error("fields", |d| {
        edit_line(d, "eligible_arrests.csv", 6, |l| format!("{l},1"))
    });
    assert_eq!((e.file.as_str(), e.line), ("eligible_arrests.csv", Some(6)));
}
