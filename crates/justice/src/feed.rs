//! The jail feed as JSON (`POST /api/v1/feeds/bookings`): one booking or a
//! batch, with the same fields and rules as the bookings CSV contract, all
//! or nothing.
//!
//! ```json
//! {"booking_number": "B100", "booked_at": "2026-03-01T22:15:00-08:00",
//!  "released_at": null, "first_name": "Ann", "middle_name": null,
//!  "last_name": "Doe", "dob": "1980-02-28", "sex": "F",
//!  "race": "White",
//!  "charges": [{"statute": "69.50.4013", "description": "possession", "felony": "F"}]}
//! ```
//!
//! The body is that object or an array of them. Every field is a string or
//! `null` (absent = `null`); `charges` is an array of objects (`felony`:
//! `"F"`, `"M"` or a boolean) or the CSV form
//! `"statute|description|F;…"`. In the report, `line` is the 1-based
//! position of the booking in the batch and `column` the field name; a body
//! that is not JSON is reported on line 0.

use crate::kind::{Field, Kind};
use crate::mapping::Mapping;
use crate::parse::RowParser;
use crate::records::{Booking, Charge, Record};
use crate::report::{ImportReport, Reason, RowProblem};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const CONTRACT: &[Field] = &[
    Field::BookingNumber,
    Field::BookedAt,
    Field::ReleasedAt,
    Field::FirstName,
    Field::MiddleName,
    Field::LastName,
    Field::Dob,
    Field::Sex,
    Field::Race,
    Field::Charges,
    Field::PersonKey,
];

/// Parses a feed body: every booking, or the report of every bad one.
/// `mapping` supplies code tables and formats (use
/// `Mapping::default_for(Kind::Bookings)` for the contract as is).
pub fn parse_bookings_json(body: &[u8], mapping: &Mapping) -> Result<Vec<Booking>, ImportReport> {
    let sha256 = hex::encode(Sha256::digest(body));
    let reject = |rows: u64, problems: Vec<RowProblem>| ImportReport {
        kind: Kind::Bookings,
        rows,
        sha256: sha256.clone(),
        counts: crate::report::ProblemCount::of(&problems),
        problems,
        omitted: 0,
    };
    // A body that is not a booking or a list of them is refused whole.
    let unreadable = |message: String| {
        let problem = RowProblem::new(0, None, None, Reason::Invalid { message });
        Err(reject(0, vec![problem]))
    };
    let items = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) => items,
        Ok(obj @ Value::Object(_)) => vec![obj],
        Ok(_) => return unreadable("expected a booking object or an array of them".into()),
        Err(e) => return unreadable(format!("not JSON: {e}")),
    };
    let header: Vec<&str> = CONTRACT.iter().map(|f| f.name()).collect();
    // The JSON field names are Handoff's own: only codes and formats of the
    // mapping apply.
    let plain = mapping.without_columns();
    let parser = match RowParser::new(Kind::Bookings, &plain, &header) {
        Ok(p) => p,
        Err(problems) => return Err(reject(0, problems)),
    };
    let mut problems = Vec::new();
    let mut bookings = Vec::with_capacity(items.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let line = i as u64 + 1;
        let Value::Object(obj) = item else {
            problems.push(RowProblem::new(
                line,
                None,
                None,
                Reason::Invalid {
                    message: "expected an object".into(),
                },
            ));
            continue;
        };
        let mut item_problems = Vec::new();
        for key in obj.keys() {
            if Field::parse(key).is_none_or(|f| !CONTRACT.contains(&f)) {
                item_problems.push(RowProblem::new(
                    line,
                    Some(key),
                    None,
                    Reason::Invalid {
                        message: "unknown field".into(),
                    },
                ));
            }
        }
        let mut cells: Vec<String> = Vec::with_capacity(CONTRACT.len());
        let mut charge_list = None;
        for field in CONTRACT {
            let value = obj.get(field.name()).unwrap_or(&Value::Null);
            match (field, value) {
                (_, Value::Null) => cells.push(String::new()),
                (_, Value::String(s)) => cells.push(s.clone()),
                (Field::Charges, Value::Array(list)) => {
                    cells.push(String::new());
                    charge_list = Some(charges(line, list, &plain, &mut item_problems));
                }
                _ => {
                    cells.push(String::new());
                    item_problems.push(RowProblem::new(
                        line,
                        Some(field.name()),
                        None,
                        Reason::Invalid {
                            message: "expected a string or null".into(),
                        },
                    ));
                }
            }
        }
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        match parser.parse(line, &refs) {
            Ok(Record::Booking(mut b)) if item_problems.is_empty() => {
                if let Some(list) = charge_list.flatten() {
                    b.charges = list;
                }
                match seen.get(b.booking_number.as_str()) {
                    Some(first) => problems.push(RowProblem::new(
                        line,
                        Some(Field::BookingNumber.name()),
                        Some(b.booking_number.as_str()),
                        Reason::DuplicateKey { first_line: *first },
                    )),
                    None => {
                        seen.insert(b.booking_number.as_str().to_owned(), line);
                        bookings.push(b);
                    }
                }
            }
            Ok(_) => problems.append(&mut item_problems),
            Err(mut ps) => {
                ps.append(&mut item_problems);
                ps.sort_by_key(|p| p.line);
                problems.append(&mut ps);
            }
        }
    }
    if problems.is_empty() {
        Ok(bookings)
    } else {
        Err(reject(items.len() as u64, problems))
    }
}

fn charges(
    line: u64,
    list: &[Value],
    mapping: &Mapping,
    problems: &mut Vec<RowProblem>,
) -> Option<Vec<Charge>> {
    let mut out = Vec::with_capacity(list.len());
    let before = problems.len();
    for (n, item) in list.iter().enumerate() {
        let column = format!("charges[{n}]");
        let text = |k: &str| item.get(k).and_then(Value::as_str).map(str::trim);
        let statute = text("statute").filter(|s| !s.is_empty() && s.chars().count() <= 64);
        let description = text("description").unwrap_or("");
        let felony = match item.get("felony") {
            Some(Value::Bool(b)) => Some(*b),
            Some(Value::String(s)) => {
                let s = s.trim();
                crate::parse::felony_value(
                    mapping
                        .translate(crate::mapping::CodedField::Felony, s)
                        .unwrap_or(s),
                )
            }
            _ => None,
        };
        match (statute, felony) {
            (Some(statute), Some(felony))
                if description.chars().count() <= 500
                    && !statute.chars().chain(description.chars()).any(char::is_control) =>
            {
                out.push(Charge {
                    statute: statute.to_owned(),
                    description: description.to_owned(),
                    felony,
                })
            }
            _ => problems.push(RowProblem::new(
                line,
                Some(&column),
                None,
                Reason::Invalid {
                    message: "expected {\"statute\": 1–64 characters, \"description\": at most 500, \"felony\": \"F\", \"M\" or a boolean}".into(),
                },
            )),
        }
    }
    (problems.len() == before).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> Mapping {
        Mapping::default_for(Kind::Bookings)
    }

    #[test]
    fn one_booking_or_a_batch() {
        let one = br#"{"booking_number": "B1", "booked_at": "2026-03-01T22:15:00-08:00",
            "first_name": "Ann", "last_name": "Doe", "dob": "1980-02-28", "sex": "F",
            "race": "White", "released_at": null,
            "charges": [{"statute": "69.50.4013", "description": "possession | sale; intent", "felony": "F"},
                        {"statute": "9A.56.050", "felony": false}]}"#;
        let b = parse_bookings_json(one, &default()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].charges.len(), 2);
        assert_eq!(b[0].charges[0].description, "possession | sale; intent");
        assert!(b[0].charges[0].felony && !b[0].charges[1].felony);

        let batch = br#"[{"booking_number": "B1", "booked_at": "2026-03-01T22:15:00Z",
            "first_name": "Ann", "last_name": "Doe", "dob": "1980-02-28",
            "charges": "9A|x|M;9B|y|F"},
            {"booking_number": "B2", "booked_at": "2026-03-01T23:15:00Z",
            "first_name": "Ray", "last_name": "Roe", "dob": "1975-05-05"}]"#;
        let b = parse_bookings_json(batch, &default()).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].charges.len(), 2);
        assert!(b[1].charges.is_empty());
    }

    #[test]
    fn a_bad_batch_is_rejected_whole_naming_each_booking_and_field() {
        let batch = br#"[{"booking_number": "B1", "booked_at": "2026-03-01T22:15:00Z",
            "first_name": "Ann", "last_name": "Doe", "dob": "1980-02-28"},
            {"booking_number": "B2", "booked_at": "noon", "first_name": "Ray",
             "last_name": "Roe", "dob": "1975-05-05", "shoe_size": "9",
             "charges": [{"statute": "9A", "felony": "maybe"}]},
            {"booking_number": "B1", "booked_at": "2026-03-01T22:15:00Z",
            "first_name": "Ann", "last_name": "Doe", "dob": "1980-02-28"},
            7]"#;
        let report = parse_bookings_json(batch, &default()).unwrap_err();
        let got: Vec<(u64, Option<&str>, &str)> = report
            .problems
            .iter()
            .map(|p| (p.line, p.column.as_deref(), p.reason.code()))
            .collect();
        assert_eq!(
            got,
            [
                (2, Some("booked_at"), "bad_timestamp"),
                (2, Some("shoe_size"), "invalid"),
                (2, Some("charges[0]"), "invalid"),
                (3, Some("booking_number"), "duplicate_key"),
                (4, None, "invalid"),
            ]
        );
        assert_eq!(report.rows, 4);
        let not_json = parse_bookings_json(b"{", &default()).unwrap_err();
        assert_eq!(not_json.problems[0].line, 0);
    }
}
