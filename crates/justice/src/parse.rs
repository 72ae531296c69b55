//! The row parser: one CSV row's cells, under a mapping, to a typed
//! [`Record`] — or every problem the row has.

use crate::kind::{Field, Kind, Need};
use crate::mapping::{CodedField, Mapping};
use crate::records::{
    Arrest, Booking, Charge, CourtCharge, PersonFields, PrisonAdmission, Record, RosterEntry,
    Shift, SourceNumber,
};
use crate::report::{Reason, RowProblem};
use handoff_domain::referral::{Race, Sex};
use std::collections::HashMap;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Longest free-text values, in characters.
const MAX_NAME: usize = 100;
const MAX_TEXT: usize = 500;
const MAX_CODE: usize = 64;

/// Earliest plausible date of birth.
const MIN_DOB_YEAR: i32 = 1900;

/// `F`/`M` (any case), `felony`/`misdemeanor`/`misdemeanour`, `true`/`false`.
pub(crate) fn felony_value(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "f" | "felony" | "true" => Some(true),
        "m" | "misdemeanor" | "misdemeanour" | "false" => Some(false),
        _ => None,
    }
}

/// A header resolved against a kind and a mapping: where each field's column
/// is. Build once per file, then parse every row with it.
#[derive(Debug)]
pub struct RowParser<'m> {
    kind: Kind,
    mapping: &'m Mapping,
    columns: HashMap<Field, usize>,
    header: Vec<String>,
}

impl<'m> RowParser<'m> {
    /// Resolves the header line (line 1). Problems: required columns
    /// missing, a mapped column named twice.
    pub fn new(kind: Kind, mapping: &'m Mapping, header: &[&str]) -> Result<Self, Vec<RowProblem>> {
        let header: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    h
                };
                h.trim().to_owned()
            })
            .collect();
        let mut problems = Vec::new();
        let mut columns = HashMap::new();
        for col in kind.columns() {
            let name = mapping.column(col.field);
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.eq_ignore_ascii_case(name))
                .map(|(i, _)| i);
            match (found.next(), found.next()) {
                (Some(i), None) => {
                    columns.insert(col.field, i);
                }
                (Some(_), Some(_)) => problems.push(RowProblem::new(
                    1,
                    Some(name),
                    None,
                    Reason::DuplicateColumn,
                )),
                (None, _) => {
                    if col.need != Need::Optional {
                        problems.push(RowProblem::new(1, Some(name), None, Reason::MissingColumn));
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(Self {
                kind,
                mapping,
                columns,
                header,
            })
        } else {
            Err(problems)
        }
    }

    /// Number of cells every row must have.
    pub fn width(&self) -> usize {
        self.header.len()
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The header's column names, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Parses one data row that starts on `line`.
    pub fn parse(&self, line: u64, cells: &[&str]) -> Result<Record, Vec<RowProblem>> {
        if cells.len() != self.header.len() {
            return Err(vec![RowProblem::new(
                line,
                None,
                None,
                Reason::Ragged {
                    expected: self.header.len(),
                    found: cells.len(),
                },
            )]);
        }
        let mut row = Row {
            parser: self,
            cells,
            line,
            problems: Vec::new(),
        };
        let record = match self.kind {
            Kind::Arrests => row.arrest().map(Record::Arrest),
            Kind::Charges => row.court_charge().map(Record::Charge),
            Kind::Bookings => row.booking().map(Record::Booking),
            Kind::PrisonAdmissions => row.prison_admission().map(Record::PrisonAdmission),
            Kind::Persons => row.roster_entry().map(Record::RosterEntry),
        };
        match record {
            Some(r) if row.problems.is_empty() => Ok(r),
            // Every `None` above comes with a problem; never let a row
            // vanish silently if one does not.
            _ if row.problems.is_empty() => Err(vec![RowProblem::new(
                line,
                None,
                None,
                Reason::Invalid {
                    message: "the row could not be read".into(),
                },
            )]),
            _ => Err(row.problems),
        }
    }
}

struct Row<'a, 'm> {
    parser: &'a RowParser<'m>,
    cells: &'a [&'a str],
    line: u64,
    problems: Vec<RowProblem>,
}

impl<'a> Row<'a, '_> {
    fn column_name(&self, field: Field) -> &str {
        match self.parser.columns.get(&field) {
            Some(i) => &self.parser.header[*i],
            None => self.parser.mapping.column(field),
        }
    }

    fn problem(&mut self, field: Field, value: Option<&str>, reason: Reason) {
        let p = RowProblem::new(self.line, Some(self.column_name(field)), value, reason);
        self.problems.push(p);
    }

    /// The trimmed cell, `None` when empty or the column is absent.
    fn cell(&self, field: Field) -> Option<&'a str> {
        let i = *self.parser.columns.get(&field)?;
        let v = self.cells.get(i)?.trim();
        (!v.is_empty()).then_some(v)
    }

    fn required(&mut self, field: Field) -> Option<&'a str> {
        let v = self.cell(field);
        if v.is_none() {
            self.problem(field, None, Reason::MissingValue);
        }
        v
    }

    /// The cell of a required field (a missing one is a problem) or of an optional one.
    fn value(&mut self, field: Field, required: bool) -> Option<&'a str> {
        if required {
            self.required(field)
        } else {
            self.cell(field)
        }
    }

    /// Reads the cell with `parse`; a value it refuses is a problem with its reason.
    fn parsed<T>(
        &mut self,
        field: Field,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Option<T> {
        let v = self.value(field, required)?;
        parse(v)
            .map_err(|reason| self.problem(field, Some(v), reason))
            .ok()
    }

    fn text(&mut self, field: Field, max: usize, required: bool) -> Option<String> {
        let v = self.value(field, required)?;
        if v.chars().count() > max {
            self.problem(
                field,
                Some(v),
                Reason::Invalid {
                    message: format!("longer than {max} characters"),
                },
            );
            return None;
        }
        if v.chars().any(char::is_control) {
            self.problem(
                field,
                Some(v),
                Reason::Invalid {
                    message: "contains control characters".into(),
                },
            );
            return None;
        }
        Some(v.to_owned())
    }

    fn number(&mut self, field: Field, required: bool) -> Option<SourceNumber> {
        self.parsed(field, required, |v| {
            SourceNumber::parse(v).map_err(|message| Reason::Invalid { message })
        })
    }

    fn date(&mut self, field: Field, required: bool) -> Option<Date> {
        let mapping = self.parser.mapping;
        self.parsed(field, required, |v| {
            parse_date(v, mapping).ok_or_else(|| {
                let expected = if mapping.date_formats.is_empty() {
                    "YYYY-MM-DD".to_owned()
                } else {
                    "a date in the mapping's date_format".to_owned()
                };
                Reason::BadDate { expected }
            })
        })
    }

    fn timestamp(&mut self, field: Field, required: bool) -> Option<OffsetDateTime> {
        let mapping = self.parser.mapping;
        self.parsed(field, required, |v| {
            parse_timestamp(v, mapping).ok_or_else(|| {
                let expected = if mapping.timestamp_formats.is_empty() {
                    "ISO 8601: YYYY-MM-DDTHH:MM:SS with an offset (Z, -08:00) or without one"
                        .to_owned()
                } else {
                    "a timestamp in the mapping's timestamp_format".to_owned()
                };
                Reason::BadTimestamp { expected }
            })
        })
    }

    /// A coded cell: translated by the mapping's codes, then parsed; an empty
    /// cell or a code neither knows is `unknown` (the latter a problem).
    fn coded<T>(
        &mut self,
        field: Field,
        codes: CodedField,
        parse: impl FnOnce(&str) -> Option<T>,
        expected: &str,
        unknown: T,
    ) -> T {
        let Some(raw) = self.cell(field) else {
            return unknown;
        };
        let value = self.parser.mapping.translate(codes, raw).unwrap_or(raw);
        parse(value).unwrap_or_else(|| {
            let expected = expected.into();
            self.problem(field, Some(raw), Reason::UnknownCode { expected });
            unknown
        })
    }

    fn sex(&mut self) -> Sex {
        let expected = "F, M, X, U or a code in the mapping's [codes.sex]";
        let parse = |v: &str| Sex::parse(v).ok();
        self.coded(Field::Sex, CodedField::Sex, parse, expected, Sex::Unknown)
    }

    fn race(&mut self) -> Race {
        let expected = "a race label such as Black/African American, a common jail code (B, W, H, A, I, P, U) or word, or a code in the mapping's [codes.race]";
        let parse = |v: &str| {
            Race::parse(v)
                .ok()
                .or_else(|| crate::mapping::common_race(v))
        };
        self.coded(
            Field::Race,
            CodedField::Race,
            parse,
            expected,
            Race::Unknown,
        )
    }

    fn felony(&mut self, field: Field, raw: &str) -> Option<bool> {
        let value = self
            .parser
            .mapping
            .translate(CodedField::Felony, raw)
            .unwrap_or(raw);
        let f = felony_value(value);
        if f.is_none() {
            self.problem(
                field,
                Some(raw),
                Reason::UnknownCode {
                    expected: "F or M, or a code in the mapping's [codes.felony]".into(),
                },
            );
        }
        f
    }

    fn shift(&mut self) -> Option<Shift> {
        let raw = self.cell(Field::Shift)?;
        let value = self
            .parser
            .mapping
            .translate(CodedField::Shift, raw)
            .unwrap_or(raw);
        let s = Shift::parse(value);
        if s.is_none() {
            self.problem(
                Field::Shift,
                Some(raw),
                Reason::UnknownCode {
                    expected: "red or green, or a code in the mapping's [codes.shift]".into(),
                },
            );
        }
        s
    }

    fn person(&mut self) -> Option<PersonFields> {
        let first_name = self.text(Field::FirstName, MAX_NAME, true);
        let middle_name = self.text(Field::MiddleName, MAX_NAME, false);
        let last_name = self.text(Field::LastName, MAX_NAME, true);
        let dob = self.date(Field::Dob, true);
        if let Some(d) = dob
            && d.year() < MIN_DOB_YEAR
        {
            self.problem(
                Field::Dob,
                self.cell(Field::Dob),
                Reason::Invalid {
                    message: format!("date of birth before {MIN_DOB_YEAR}"),
                },
            );
        }
        let sex = self.sex();
        let race = self.race();
        Some(PersonFields {
            first_name: first_name?,
            middle_name,
            last_name: last_name?,
            dob: dob?,
            sex,
            race,
        })
    }

    fn person_key(&mut self) -> Option<String> {
        self.text(Field::PersonKey, MAX_CODE, false)
    }

    /// The `charges` cell: `statute|description|F or M`, separated by `;`.
    fn charges(&mut self, at_least_one: bool) -> Option<Vec<Charge>> {
        let Some(raw) = self.cell(Field::Charges) else {
            if at_least_one {
                self.problem(Field::Charges, None, Reason::MissingValue);
                return None;
            }
            return Some(Vec::new());
        };
        let sep = self.parser.mapping.charge_separator;
        let part = self.parser.mapping.charge_part_separator;
        let items: Vec<&str> = raw
            .split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (n, item) in items.iter().enumerate() {
            let parts: Vec<&str> = item.split(part).map(str::trim).collect();
            let [statute, description, felony] = parts.as_slice() else {
                self.problem(
                    Field::Charges,
                    Some(item),
                    Reason::Invalid {
                        message: format!(
                            "charge {}: expected statute{part}description{part}F or M",
                            n + 1
                        ),
                    },
                );
                ok = false;
                continue;
            };
            if statute.is_empty()
                || statute.chars().count() > MAX_CODE
                || description.chars().count() > MAX_TEXT
                || statute
                    .chars()
                    .chain(description.chars())
                    .any(char::is_control)
            {
                self.problem(
                    Field::Charges,
                    Some(item),
                    Reason::Invalid {
                        message: format!(
                            "charge {}: statute must be 1–{MAX_CODE} characters and description at most {MAX_TEXT}",
                            n + 1
                        ),
                    },
                );
                ok = false;
                continue;
            }
            match self.felony(Field::Charges, felony) {
                Some(felony) => out.push(Charge {
                    statute: (*statute).to_owned(),
                    description: (*description).to_owned(),
                    felony,
                }),
                None => ok = false,
            }
        }
        if ok && out.is_empty() && at_least_one {
            self.problem(Field::Charges, Some(raw), Reason::MissingValue);
            return None;
        }
        ok.then_some(out)
    }

    fn not_before<T: PartialOrd>(
        &mut self,
        later: Option<T>,
        earlier: Option<T>,
        field: Field,
        what: &str,
    ) {
        if let (Some(l), Some(e)) = (later, earlier)
            && l < e
        {
            let v = self.cell(field);
            self.problem(
                field,
                v,
                Reason::Invalid {
                    message: format!("before {what}"),
                },
            );
        }
    }

    fn born_by(&mut self, person: Option<&PersonFields>, date: Option<Date>, what: &str) {
        if let (Some(p), Some(d)) = (person, date)
            && p.dob > d
        {
            let v = self.cell(Field::Dob);
            self.problem(
                Field::Dob,
                v,
                Reason::Invalid {
                    message: format!("date of birth after {what}"),
                },
            );
        }
    }

    fn arrest(&mut self) -> Option<Arrest> {
        let arrest_number = self.number(Field::ArrestNumber, true);
        let arrested_at = self.timestamp(Field::ArrestedAt, true);
        let person = self.person();
        let charges = self.charges(true);
        let location = self.text(Field::Location, MAX_TEXT, false);
        let person_key = self.person_key();
        self.born_by(
            person.as_ref(),
            arrested_at.map(|t| t.date()),
            "arrested_at",
        );
        Some(Arrest {
            arrest_number: arrest_number?,
            arrested_at: arrested_at?,
            person: person?,
            person_key,
            charges: charges?,
            location,
        })
    }

    fn court_charge(&mut self) -> Option<CourtCharge> {
        let case_number = self.number(Field::CaseNumber, true);
        let count = self.count();
        let statute = self.text(Field::Statute, MAX_CODE, true);
        let description = self.text(Field::Description, MAX_TEXT, false);
        let felony = match self.required(Field::Felony) {
            Some(raw) => self.felony(Field::Felony, raw),
            None => None,
        };
        let filing_date = self.date(Field::FilingDate, true);
        let disposition = self.text(Field::Disposition, MAX_TEXT, false);
        let disposition_date = self.date(Field::DispositionDate, false);
        self.not_before(
            disposition_date,
            filing_date,
            Field::DispositionDate,
            "filing_date",
        );
        let arrest_number = self.number(Field::ArrestNumber, false);
        let person_key = self.person_key();
        let names_given = [Field::FirstName, Field::LastName, Field::Dob]
            .iter()
            .any(|f| self.cell(*f).is_some());
        let person = if names_given {
            let p = self.person();
            self.born_by(p.as_ref(), filing_date, "filing_date");
            Some(p?)
        } else {
            if person_key.is_none() && self.cell(Field::PersonKey).is_none() {
                self.problem(
                    Field::PersonKey,
                    None,
                    Reason::Invalid {
                        message: "no person: give person_key, or first_name, last_name and dob"
                            .into(),
                    },
                );
            }
            // Sex and race alone identify no one, but bad codes are still bad.
            self.sex();
            self.race();
            None
        };
        Some(CourtCharge {
            case_number: case_number?,
            count: count?,
            statute: statute?,
            description: description.unwrap_or_default(),
            felony: felony?,
            filing_date: filing_date?,
            disposition,
            disposition_date,
            arrest_number,
            person,
            person_key,
        })
    }

    fn count(&mut self) -> Option<u32> {
        let v = self.required(Field::Count)?;
        match v.parse::<u32>() {
            Ok(n) if n >= 1 && !v.starts_with('+') => Some(n),
            _ => {
                self.problem(
                    Field::Count,
                    Some(v),
                    Reason::BadNumber {
                        expected: "a whole number from 1".into(),
                    },
                );
                None
            }
        }
    }

    fn booking(&mut self) -> Option<Booking> {
        let booking_number = self.number(Field::BookingNumber, true);
        let booked_at = self.timestamp(Field::BookedAt, true);
        let released_at = self.timestamp(Field::ReleasedAt, false);
        self.not_before(released_at, booked_at, Field::ReleasedAt, "booked_at");
        let person = self.person();
        self.born_by(person.as_ref(), booked_at.map(|t| t.date()), "booked_at");
        let charges = self.charges(false);
        let person_key = self.person_key();
        Some(Booking {
            booking_number: booking_number?,
            booked_at: booked_at?,
            released_at,
            person: person?,
            person_key,
            charges: charges?,
        })
    }

    fn prison_admission(&mut self) -> Option<PrisonAdmission> {
        let admission_number = self.number(Field::AdmissionNumber, true);
        let admitted_at = self.date(Field::AdmittedAt, true);
        let released_at = self.date(Field::ReleasedAt, false);
        self.not_before(released_at, admitted_at, Field::ReleasedAt, "admitted_at");
        let person = self.person();
        self.born_by(person.as_ref(), admitted_at, "admitted_at");
        let person_key = self.person_key();
        Some(PrisonAdmission {
            admission_number: admission_number?,
            admitted_at: admitted_at?,
            released_at,
            person: person?,
            person_key,
        })
    }

    fn roster_entry(&mut self) -> Option<RosterEntry> {
        let roster_id = self.number(Field::RosterId, true);
        let logged_at = self.date(Field::LoggedAt, true);
        let person = self.person();
        self.born_by(person.as_ref(), logged_at, "logged_at");
        let shift = self.shift();
        let arrest_number = self.number(Field::ArrestNumber, false);
        let person_key = self.person_key();
        Some(RosterEntry {
            roster_id: roster_id?,
            logged_at: logged_at?,
            person: person?,
            person_key,
            shift,
            arrest_number,
        })
    }
}

/// Parses a date: the mapping's formats, or `YYYY-MM-DD`.
pub fn parse_date(s: &str, mapping: &Mapping) -> Option<Date> {
    if mapping.date_formats.is_empty() {
        Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
    } else {
        mapping
            .date_formats
            .iter()
            .find_map(|f| Date::parse(s, f).ok())
    }
}

/// Parses a timestamp: the mapping's formats, or RFC 3339, or
/// `YYYY-MM-DDTHH:MM:SS[.fff]` (`T` or a space) at the mapping's
/// `local_offset`.
pub fn parse_timestamp(s: &str, mapping: &Mapping) -> Option<OffsetDateTime> {
    if mapping.timestamp_formats.is_empty() {
        if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
            return Some(t);
        }
        let local = [
            format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            ),
            format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
            ),
        ];
        local.iter().find_map(|f| {
            PrimitiveDateTime::parse(s, f)
                .ok()
                .map(|p| p.assume_offset(mapping.local_offset))
        })
    } else {
        mapping.timestamp_formats.iter().find_map(|f| {
            OffsetDateTime::parse(s, f).ok().or_else(|| {
                PrimitiveDateTime::parse(s, f)
                    .ok()
                    .map(|p| p.assume_offset(mapping.local_offset))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn parser<'m>(kind: Kind, mapping: &'m Mapping, header: &str) -> RowParser<'m> {
        let h: Vec<&str> = header.split(',').collect();
        RowParser::new(kind, mapping, &h).unwrap()
    }

    #[test]
    fn timestamps_accept_rfc3339_and_local_forms() {
        let m = Mapping::default_for(Kind::Bookings);
        assert_eq!(
            parse_timestamp("2026-03-01T22:15:00-08:00", &m),
            Some(datetime!(2026-03-02 06:15 UTC))
        );
        assert_eq!(
            parse_timestamp("2026-03-01T22:15:00Z", &m),
            Some(datetime!(2026-03-01 22:15 UTC))
        );
        assert_eq!(
            parse_timestamp("2026-03-01T22:15:00", &m),
            Some(datetime!(2026-03-01 22:15 UTC))
        );
        assert_eq!(
            parse_timestamp("2026-03-01 22:15:00.5", &m),
            Some(datetime!(2026-03-01 22:15:00.5 UTC))
        );
        assert_eq!(parse_timestamp("2026-03-01", &m), None);
        assert_eq!(parse_timestamp("03/01/2026 10:15", &m), None);
        let pst = Mapping::from_toml("local_offset = \"-08:00\"").unwrap();
        assert_eq!(
            parse_timestamp("2026-03-01T22:15:00", &pst),
            Some(datetime!(2026-03-02 06:15 UTC))
        );
        let custom = Mapping::from_toml(
            "timestamp_format = \"[month]/[day]/[year] [hour]:[minute]\"\nlocal_offset = \"-05:00\"",
        )
        .unwrap();
        assert_eq!(
            parse_timestamp("03/01/2026 10:15", &custom),
            Some(datetime!(2026-03-01 15:15 UTC))
        );
    }

    #[test]
    fn a_row_reports_every_problem_it_has() {
        let m = Mapping::default_for(Kind::Bookings);
        let p = parser(
            Kind::Bookings,
            &m,
            "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges",
        );
        let err = p
            .parse(
                5,
                &[
                    "B1",
                    "yesterday",
                    "",
                    "",
                    "",
                    "Doe",
                    "1980-02-30",
                    "Q",
                    "Martian",
                    "9A.52|burglary|Z",
                ],
            )
            .unwrap_err();
        let cols: Vec<&str> = err.iter().map(|e| e.column.as_deref().unwrap()).collect();
        assert_eq!(
            cols,
            ["booked_at", "first_name", "dob", "sex", "race", "charges"]
        );
        assert!(err.iter().all(|e| e.line == 5));
    }

    #[test]
    fn a_good_booking_parses() {
        let m = Mapping::default_for(Kind::Bookings);
        let p = parser(
            Kind::Bookings,
            &m,
            "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges",
        );
        let r = p
            .parse(
                2,
                &[
                    " B1 ",
                    "2026-03-01T22:15:00-08:00",
                    "2026-03-03T09:00:00-08:00",
                    "Ann",
                    "",
                    "Doe",
                    "1980-02-28",
                    "f",
                    "Black/African American",
                    "69.50.4013|possession|F; 9A.56.050|theft 3|M;",
                ],
            )
            .unwrap();
        let Record::Booking(b) = r else { panic!() };
        assert_eq!(b.booking_number.as_str(), "B1");
        assert_eq!(b.person.dob, date!(1980 - 02 - 28));
        assert_eq!(b.person.sex, Sex::Female);
        assert_eq!(b.person.race, Race::BlackAfricanAmerican);
        assert_eq!(b.person.middle_name, None);
        assert_eq!(b.charges.len(), 2);
        assert!(b.charges[0].felony && !b.charges[1].felony);
        let zone = handoff_domain::site_time::SiteTimeZone::parse("America/Los_Angeles").unwrap();
        assert_eq!(b.jail_days(&zone, date!(2026 - 12 - 31)), 2);
    }

    #[test]
    fn cross_field_rules() {
        let m = Mapping::default_for(Kind::Bookings);
        let p = parser(
            Kind::Bookings,
            &m,
            "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges",
        );
        let err = p
            .parse(
                3,
                &[
                    "B1",
                    "2026-03-01T22:15:00Z",
                    "2026-02-01T22:15:00Z",
                    "Ann",
                    "",
                    "Doe",
                    "2027-01-01",
                    "",
                    "",
                    "",
                ],
            )
            .unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].column.as_deref(), Some("released_at"));
        assert_eq!(err[1].column.as_deref(), Some("dob"));
    }

    #[test]
    fn court_charges_need_a_person_or_a_key() {
        let m = Mapping::default_for(Kind::Charges);
        let p = parser(
            Kind::Charges,
            &m,
            "case_number,count,statute,felony,filing_date,person_key,first_name,last_name,dob",
        );
        let ok = p
            .parse(
                2,
                &["C1", "2", "9A.52", "F", "2026-01-05", "SID9", "", "", ""],
            )
            .unwrap();
        assert_eq!(ok.natural_key().as_str(), "C1#2");
        assert!(ok.person().is_none());
        let err = p
            .parse(3, &["C1", "0", "9A.52", "F", "2026-01-05", "", "", "", ""])
            .unwrap_err();
        let cols: Vec<&str> = err.iter().map(|e| e.column.as_deref().unwrap()).collect();
        assert_eq!(cols, ["count", "person_key"]);
        let err = p
            .parse(
                4,
                &["C1", "1", "9A.52", "F", "2026-01-05", "", "Ann", "", ""],
            )
            .unwrap_err();
        let cols: Vec<&str> = err.iter().map(|e| e.column.as_deref().unwrap()).collect();
        assert_eq!(cols, ["last_name", "dob"]);
    }

    #[test]
    fn header_problems_name_the_source_column() {
        let m = Mapping::from_toml("[columns]\nfelony = \"FEL_IND\"").unwrap();
        let h = [
            "case_number",
            "count",
            "statute",
            "felony",
            "filing_date",
            "statute",
        ];
        let err = RowParser::new(Kind::Charges, &m, &h).unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].column.as_deref(), Some("statute"));
        assert_eq!(err[0].reason, Reason::DuplicateColumn);
        assert_eq!(err[1].column.as_deref(), Some("FEL_IND"));
        assert_eq!(err[1].reason, Reason::MissingColumn);
        assert!(err.iter().all(|e| e.line == 1));
    }
}
