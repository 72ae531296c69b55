//! All-or-nothing imports: exact reports, duplicates, mappings, natural keys.

use crate::{fixture, read_fixture};
use handoff_domain::referral::{Race, Sex};
use handoff_justice::{
    ImportError, Kind, Mapping, NaturalKey, Reason, Record, RowProblem, import, stream_records,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::macros::{date, datetime};

fn rejected(kind: Kind, bytes: &[u8], mapping: &Mapping) -> handoff_justice::ImportReport {
    match import(kind, bytes, mapping) {
        Err(ImportError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// Each problem of the report as (line, column, reason code); every one names a column.
fn problem_columns<'a>(report: &'a handoff_justice::ImportReport) -> Vec<(u64, &'a str, &'a str)> {
    let at = |p: &'a RowProblem| (p.line, p.column.as_deref().unwrap(), p.reason.code());
    report.problems.iter().map(at).collect()
}

#[test]
fn a_file_with_bad_rows_is_rejected_whole_with_each_bad_row_named() {
    let bytes = read_fixture("bookings_bad.csv");
    let report = rejected(
        Kind::Bookings,
        &bytes,
        &Mapping::default_for(Kind::Bookings),
    );
    let got: Vec<(u64, Option<&str>, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.column.as_deref(), p.reason.code()))
        .collect();
    assert_eq!(
        got,
        [
            (3, Some("first_name"), "missing_value"),
            (4, Some("dob"), "bad_date"),
            (5, Some("sex"), "unknown_code"),
            (6, Some("booking_number"), "duplicate_key"),
            (7, None, "ragged_row"),
            (10, Some("last_name"), "invalid_utf8"),
            (11, Some("released_at"), "invalid"),
            (12, Some("charges"), "unknown_code"),
        ]
    );
    assert_eq!(
        report.problems[3].reason,
        Reason::DuplicateKey { first_line: 2 }
    );
    assert_eq!(
        report.problems[4].reason,
        Reason::Ragged {
            expected: 10,
            found: 4
        }
    );
    assert_eq!(report.problems[1].value.as_deref(), Some("1975-02-30"));
    assert_eq!(report.rows, 10);
    assert_eq!(report.bad_lines(), 8);
    assert_eq!(report.sha256, hex::encode(Sha256::digest(&bytes)));

    // The renderings name every bad row; Display keeps values out.
    let csv = report.to_csv();
    assert_eq!(csv.lines().count(), 9);
    assert!(csv.lines().nth(2).unwrap().starts_with("4,dob,bad_date,"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["problems"].as_array().unwrap().len(), 8);
    assert_eq!(json["problems"][3]["first_line"], 2);
    assert!(!report.to_string().contains("1975-02-30"));
}

#[test]
fn streaming_a_bad_file_ends_in_rejection_so_the_transaction_rolls_back() {
    let bytes = read_fixture("bookings_bad.csv");
    let mut handed = Vec::new();
    let result = stream_records(
        Kind::Bookings,
        &bytes[..],
        &Mapping::default_for(Kind::Bookings),
        |_| {},
        |r| {
            handed.push(r.line);
            Ok::<(), ()>(())
        },
    );
    assert!(matches!(
        result,
        Err(handoff_justice::StreamError::Import(ImportError::Rejected(
            _
        )))
    ));
    // Only the rows before the first bad one were offered.
    assert_eq!(handed, [2]);
}

#[test]
fn a_good_bookings_file_imports_with_lines_keys_and_provenance() {
    let bytes = read_fixture("bookings_good.csv");
    let batch = import(
        Kind::Bookings,
        &bytes[..],
        &Mapping::default_for(Kind::Bookings),
    )
    .unwrap();
    assert_eq!(batch.provenance.rows, 4);
    assert_eq!(batch.provenance.bytes, bytes.len() as u64);
    assert_eq!(batch.provenance.sha256, hex::encode(Sha256::digest(&bytes)));
    let lines: Vec<u64> = batch.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    let keys: Vec<&str> = batch.records.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["B100", "B101", "B102", "B103"]);
    let Record::Booking(b) = &batch.records[0].record else {
        panic!()
    };
    assert_eq!(b.booked_at, datetime!(2026-03-02 06:15 UTC));
    assert_eq!(b.person.middle_name.as_deref(), Some("Marie"));
    let Record::Booking(b) = &batch.records[2].record else {
        panic!()
    };
    // Offset-less timestamps are read at the mapping's local offset (UTC).
    assert_eq!(b.booked_at, datetime!(2026-03-02 01:00 UTC));
    assert_eq!(b.person.sex, Sex::Another);
    assert!(b.charges.is_empty());
    let Record::Booking(b) = &batch.records[3].record else {
        panic!()
    };
    assert_eq!(b.person.race, Race::Asian);
    assert_eq!(b.charges[0].description, "prostitution, loitering");
}

#[test]
fn every_kind_imports_its_default_columns() {
    for (kind, file, n) in [
        (Kind::Arrests, "arrests_good.csv", 3),
        (Kind::PrisonAdmissions, "prison_admissions_good.csv", 2),
        (Kind::Persons, "persons_good.csv", 3),
        (Kind::Bookings, "bookings_good.csv", 4),
    ] {
        let batch = import(kind, &read_fixture(file)[..], &Mapping::default_for(kind))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(batch.records.len(), n, "{file}");
        assert!(batch.records.iter().all(|r| r.record.kind() == kind));
    }
    let persons = import(
        Kind::Persons,
        &read_fixture("persons_good.csv")[..],
        &Mapping::default_for(Kind::Persons),
    )
    .unwrap();
    let Record::RosterEntry(r) = &persons.records[1].record else {
        panic!()
    };
    assert_eq!(r.shift, Some(handoff_justice::Shift::Red));
    assert_eq!(r.logged_at, date!(2025 - 11 - 04));
}

#[test]
fn a_mapping_translates_columns_codes_and_dates() {
    let mapping =
        Mapping::from_toml(&std::fs::read_to_string(fixture("charges_court.toml")).unwrap())
            .unwrap();
    let batch = import(
        Kind::Charges,
        &read_fixture("charges_court.csv")[..],
        &mapping,
    )
    .unwrap();
    let charges: Vec<_> = batch
        .records
        .iter()
        .map(|r| match &r.record {
            Record::Charge(c) => c.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(charges.len(), 4);
    assert!(charges[0].felony);
    assert!(!charges[1].felony);
    assert!(!charges[2].felony, "codes match ignoring case");
    assert_eq!(charges[0].filing_date, date!(2026 - 02 - 03));
    assert_eq!(charges[0].disposition_date, Some(date!(2026 - 03 - 01)));
    let p = charges[0].person.as_ref().unwrap();
    assert_eq!((p.sex, p.race), (Sex::Female, Race::White));
    assert_eq!(p.dob, date!(1980 - 02 - 28));
    assert_eq!(
        charges[2].person.as_ref().unwrap().race,
        Race::BlackAfricanAmerican
    );
    assert!(charges[3].person.is_none());
    assert_eq!(charges[3].person_key.as_deref(), Some("P12"));
    let keys: Vec<&str> = batch.records.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "26-1-00123-7#1",
            "26-1-00123-7#2",
            "26-1-00456-1#1",
            "26-1-00789-2#1"
        ]
    );
}

#[test]
fn an_unknown_source_code_is_reported_with_the_source_column() {
    let mapping =
        Mapping::from_toml(&std::fs::read_to_string(fixture("charges_court.toml")).unwrap())
            .unwrap();
    let text = String::from_utf8(read_fixture("charges_court.csv"))
        .unwrap()
        .replace(",Y,02/03/2026", ",U,02/03/2026")
        .replace(",1,B\n", ",7,Z\n");
    let report = rejected(Kind::Charges, text.as_bytes(), &mapping);
    assert_eq!(
        problem_columns(&report),
        [
            (2, "FEL_IND", "unknown_code"),
            (4, "SEX_CD", "unknown_code"),
            (4, "RACE_CD", "unknown_code"),
        ]
    );
}

#[test]
fn a_default_mapping_file_without_the_mapped_column_is_a_header_problem() {
    let mapping =
        Mapping::from_toml(&std::fs::read_to_string(fixture("charges_court.toml")).unwrap())
            .unwrap();
    let text = "CASE_NO,CNT,STATUTE,FILED\n1,1,x,02/03/2026\n";
    let report = rejected(Kind::Charges, text.as_bytes(), &mapping);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].line, 1);
    assert_eq!(report.problems[0].column.as_deref(), Some("FEL_IND"));
    assert_eq!(report.problems[0].reason, Reason::MissingColumn);

    let wrong_kind = import(Kind::Bookings, text.as_bytes(), &mapping);
    assert!(matches!(wrong_kind, Err(ImportError::Mapping(e)) if e.key == "kind"));
    let empty = rejected(Kind::Arrests, b"", &Mapping::default_for(Kind::Arrests));
    assert_eq!(empty.problems[0].reason, Reason::EmptyFile);
}

/// A store keyed by natural key, as the database's unique index is.
fn upsert(
    store: &mut HashMap<NaturalKey, String>,
    bytes: &[u8],
    kind: Kind,
) -> (usize, usize, usize) {
    let batch = import(kind, bytes, &Mapping::default_for(kind)).unwrap();
    let (mut added, mut updated, mut unchanged) = (0, 0, 0);
    for r in batch.records {
        let digest = r.record.content_digest();
        match store.insert(r.key, digest.clone()) {
            None => added += 1,
            Some(old) if old == digest => unchanged += 1,
            Some(_) => updated += 1,
        }
    }
    (added, updated, unchanged)
}

#[test]
fn natural_keys_make_re_imports_and_overlapping_extracts_idempotent() {
    let first = read_fixture("bookings_good.csv");
    let mut store = HashMap::new();
    assert_eq!(upsert(&mut store, &first, Kind::Bookings), (4, 0, 0));
    // The same file again: nothing new.
    assert_eq!(upsert(&mut store, &first, Kind::Bookings), (0, 0, 4));
    // An overlapping extract: two old rows (one now released), one new.
    let text = String::from_utf8(first).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let released = rows[0].replace(
        "2026-03-01T22:15:00-08:00,,",
        "2026-03-01T22:15:00-08:00,2026-03-03T08:00:00-08:00,",
    );
    let overlap = format!(
        "{header}\n{released}\n{}\nB200,2026-03-06T10:00:00Z,,New,,Person,1990-09-09,F,White,\n",
        rows[1]
    );
    assert_eq!(
        upsert(&mut store, overlap.as_bytes(), Kind::Bookings),
        (1, 1, 1)
    );
    assert_eq!(store.len(), 5);
}

#[test]
fn a_bom_crlf_line_ends_and_a_tab_delimiter_are_read() {
    let mapping = Mapping::from_toml(
        "kind = \"persons\"\ndelimiter = \"\\t\"\n[columns]\nroster_id = \"Contact ID\"\n[codes.shift]\nR = \"red\"\nG = \"green\"\n",
    )
    .unwrap();
    let text = "\u{feff}Contact ID\tlogged_at\tfirst_name\tlast_name\tdob\tshift\r\n\
                R1\t2025-11-03\tPat\tQuinn\t1988-08-08\tR\r\n\
                R2\t2025-11-04\tLou\tReyes\t1979-12-31\tB\r\n";
    let report = rejected(Kind::Persons, text.as_bytes(), &mapping);
    assert_eq!(report.problems.len(), 1);
    let p = &report.problems[0];
    assert_eq!((p.line, p.column.as_deref()), (3, Some("shift")));
    assert_eq!(p.value.as_deref(), Some("B"));
    let good = text.replace("\tB\r\n", "\tG\r\n");
    let batch = import(Kind::Persons, good.as_bytes(), &mapping).unwrap();
    let shifts: Vec<_> = batch
        .records
        .iter()
        .map(|r| match &r.record {
            Record::RosterEntry(e) => e.shift,
            _ => None,
        })
        .collect();
    assert_eq!(
        shifts,
        [
            Some(handoff_justice::Shift::Red),
            Some(handoff_justice::Shift::Green)
        ]
    );
}

#[test]
fn arrests_need_an_offence_and_a_sane_date_of_birth() {
    let text = "arrest_number,arrested_at,first_name,last_name,dob,charges\n\
                A1,2026-02-01T10:00:00-08:00,Ann,Doe,1980-02-28,\n\
                A2,2026-02-01T10:00:00-08:00,Ann,Doe,1880-02-28,9A|x|M\n\
                A3,2026-02-01T10:00:00-08:00,Ann,Doe,1980-02-28,9A|x\n\
                ,2026-02-01T10:00:00-08:00,Ann,Doe,1980-02-28,9A|x|M\n";
    let report = rejected(
        Kind::Arrests,
        text.as_bytes(),
        &Mapping::default_for(Kind::Arrests),
    );
    assert_eq!(
        problem_columns(&report),
        [
            (2, "charges", "missing_value"),
            (3, "dob", "invalid"),
            (4, "charges", "invalid"),
            (5, "arrest_number", "missing_value"),
        ]
    );
}

#[test]
fn a_failing_sink_stops_the_stream_with_its_error() {
    let bytes = read_fixture("bookings_good.csv");
    let mut n = 0;
    let result = stream_records(
        Kind::Bookings,
        &bytes[..],
        &Mapping::default_for(Kind::Bookings),
        |_| {},
        |_| {
            n += 1;
            if n == 2 { Err("disk full") } else { Ok(()) }
        },
    );
    assert!(matches!(
        result,
        Err(handoff_justice::StreamError::Sink("disk full"))
    ));
    assert_eq!(n, 2);
}

#[test]
fn a_header_only_file_is_an_empty_batch() {
    let kind = Kind::PrisonAdmissions;
    let text = format!("{}\n", kind.default_header());
    let batch = import(kind, text.as_bytes(), &Mapping::default_for(kind)).unwrap();
    assert!(batch.records.is_empty());
    assert_eq!(batch.provenance.rows, 0);
}

#[test]
fn a_file_whose_every_row_is_bad_answers_a_capped_report_with_counts() {
    let bytes = read_fixture("bookings_bad.csv");
    let text = String::from_utf8_lossy(&bytes);
    let header = text.lines().next().unwrap();
    let good = text.lines().nth(1).unwrap();
    // Every row has a bad date of birth (and a unique booking number).
    let mut file = format!("{header}\n");
    let columns: Vec<&str> = header.split(',').collect();
    let dob = columns.iter().position(|c| *c == "dob").unwrap();
    let key = columns.iter().position(|c| *c == "booking_number").unwrap();
    for i in 0..5_000 {
        let mut cells: Vec<String> = good.split(',').map(str::to_string).collect();
        cells[dob] = "not-a-date".into();
        cells[key] = format!("B{i:06}");
        file.push_str(&cells.join(","));
        file.push('\n');
    }
    let report = rejected(
        Kind::Bookings,
        file.as_bytes(),
        &Mapping::default_for(Kind::Bookings),
    );
    assert_eq!(report.problems.len(), handoff_justice::MAX_PROBLEMS);
    assert_eq!(report.omitted, 5_000 - handoff_justice::MAX_PROBLEMS as u64);
    assert_eq!(report.counts.len(), 1, "{:?}", report.counts);
    assert_eq!(report.counts[0].column.as_deref(), Some("dob"));
    assert_eq!(report.counts[0].code, "bad_date");
    assert_eq!(report.counts[0].count, 5_000);
    assert!(
        report.to_json().len() < 400_000,
        "{}",
        report.to_json().len()
    );
}
