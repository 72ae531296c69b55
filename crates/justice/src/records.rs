//! The typed records an import produces, one type per kind, and their
//! natural keys.

use crate::evaluation::EventKind;
use crate::kind::Kind;
use handoff_domain::referral::{Race, Sex};
use handoff_domain::site_time::SiteTimeZone;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use time::{Date, OffsetDateTime};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// An optional ISO date. Read through `Option<String>`: inside the
/// internally tagged [`Record`], serde hands a `null` to the field as a
/// unit, which `iso_date::option` refuses (so a stored charge without a
/// disposition date could not be read back).
mod optional_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        super::iso_date::option::serialize(d, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                Date::parse(
                    &s,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

/// An identifier from a source system — booking, arrest, case, admission or
/// roster number: trimmed, 1–64 characters, no control characters. Compared
/// exactly (case matters: `b12` and `B12` are different bookings).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourceNumber(String);

impl SourceNumber {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            Err("empty".into())
        } else if s.chars().count() > Self::MAX_LEN {
            Err(format!("longer than {} characters", Self::MAX_LEN))
        } else if s.chars().any(char::is_control) {
            Err("contains control characters".into())
        } else {
            Ok(Self(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

handoff_domain::text_conversions!(SourceNumber, String, String, |v| v.0);

/// Who a record is about, as the source wrote it: what linkage compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFields {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    #[serde(with = "iso_date")]
    pub dob: Date,
    pub sex: Sex,
    pub race: Race,
}

/// One charge of an arrest or a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    pub statute: String,
    pub description: String,
    pub felony: bool,
}

/// An arrest (incident) from the police records system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrest {
    pub arrest_number: SourceNumber,
    #[serde(with = "time::serde::rfc3339")]
    pub arrested_at: OffsetDateTime,
    pub person: PersonFields,
    pub person_key: Option<String>,
    /// At least one.
    pub charges: Vec<Charge>,
    pub location: Option<String>,
}

/// One count of a court case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourtCharge {
    pub case_number: SourceNumber,
    /// 1 or more.
    pub count: u32,
    pub statute: String,
    pub description: String,
    pub felony: bool,
    #[serde(with = "iso_date")]
    pub filing_date: Date,
    pub disposition: Option<String>,
    /// Not before the filing date.
    #[serde(with = "optional_date")]
    pub disposition_date: Option<Date>,
    /// The arrest the case arose from, when the court knows it.
    pub arrest_number: Option<SourceNumber>,
    /// The party as the court recorded them; `None` when the extract carries
    /// only `person_key` (then `person_key` is set).
    pub person: Option<PersonFields>,
    pub person_key: Option<String>,
}

/// A jail booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub booking_number: SourceNumber,
    #[serde(with = "time::serde::rfc3339")]
    pub booked_at: OffsetDateTime,
    /// Not before `booked_at`; `None` while in custody.
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
    pub person: PersonFields,
    pub person_key: Option<String>,
    /// May be empty (holds for other agencies, warrants without a charge).
    pub charges: Vec<Charge>,
}

impl Booking {
    /// Days in jail attributed to this booking, as the evaluation counts
    /// them (`jail_days`, SPEC §2.2): the site-local calendar days from
    /// booking to release, at least 1 (a same-day release is a day in
    /// jail). A person still in custody is counted up to `as_of` (the
    /// export's end date, passed in: this crate has no clock).
    pub fn jail_days(&self, zone: &SiteTimeZone, as_of: Date) -> u32 {
        let booked = zone.local_date(self.booked_at);
        let out = self.released_at.map_or(as_of, |r| zone.local_date(r));
        let days = (out - booked).whole_days();
        u32::try_from(days.max(1)).unwrap_or(u32::MAX)
    }
}

/// An admission to state prison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrisonAdmission {
    pub admission_number: SourceNumber,
    #[serde(with = "iso_date")]
    pub admitted_at: Date,
    /// Not before `admitted_at`.
    #[serde(with = "optional_date")]
    pub released_at: Option<Date>,
    pub person: PersonFields,
    pub person_key: Option<String>,
}

/// The shift a comparison contact was logged on. In the UW design diversion
/// happened on "green-light" shifts; officers logged eligible people on
/// "red-light" shifts, who became the comparison group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shift {
    Red,
    Green,
}

impl Shift {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "red" => Some(Shift::Red),
            "green" => Some(Shift::Green),
            _ => None,
        }
    }
    pub const fn as_str(&self) -> &'static str {
        match self {
            Shift::Red => "red",
            Shift::Green => "green",
        }
    }
}

/// A comparison-group roster entry: a person eligible for diversion but not
/// diverted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub roster_id: SourceNumber,
    /// The date the eligible contact was logged (a control's index date).
    #[serde(with = "iso_date")]
    pub logged_at: Date,
    pub person: PersonFields,
    pub person_key: Option<String>,
    pub shift: Option<Shift>,
    /// The eligible arrest the contact was logged for, if any.
    pub arrest_number: Option<SourceNumber>,
}

/// One imported record of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Arrest(Arrest),
    Charge(CourtCharge),
    Booking(Booking),
    PrisonAdmission(PrisonAdmission),
    RosterEntry(RosterEntry),
}

impl Record {
    pub fn kind(&self) -> Kind {
        match self {
            Record::Arrest(_) => Kind::Arrests,
            Record::Charge(_) => Kind::Charges,
            Record::Booking(_) => Kind::Bookings,
            Record::PrisonAdmission(_) => Kind::PrisonAdmissions,
            Record::RosterEntry(_) => Kind::Persons,
        }
    }

    /// The record's natural key: re-importing a record with the same key
    /// (same site and kind) must update, never duplicate.
    pub fn natural_key(&self) -> NaturalKey {
        match self {
            Record::Arrest(a) => NaturalKey::single(a.arrest_number.as_str()),
            Record::Charge(c) => NaturalKey::case_count(c.case_number.as_str(), c.count),
            Record::Booking(b) => NaturalKey::single(b.booking_number.as_str()),
            Record::PrisonAdmission(p) => NaturalKey::single(p.admission_number.as_str()),
            Record::RosterEntry(r) => NaturalKey::single(r.roster_id.as_str()),
        }
    }

    /// The person fields, when the record carries them.
    pub fn person(&self) -> Option<&PersonFields> {
        match self {
            Record::Arrest(a) => Some(&a.person),
            Record::Charge(c) => c.person.as_ref(),
            Record::Booking(b) => Some(&b.person),
            Record::PrisonAdmission(p) => Some(&p.person),
            Record::RosterEntry(r) => Some(&r.person),
        }
    }

    /// The source's own person identifier, when it has one.
    pub fn person_key(&self) -> Option<&str> {
        match self {
            Record::Arrest(a) => a.person_key.as_deref(),
            Record::Charge(c) => c.person_key.as_deref(),
            Record::Booking(b) => b.person_key.as_deref(),
            Record::PrisonAdmission(p) => p.person_key.as_deref(),
            Record::RosterEntry(r) => r.person_key.as_deref(),
        }
    }

    /// The criminal-legal event this record is in the evaluation dataset
    /// (SPEC §2.2): its site-local date and kind. Arrests count on their
    /// arrest date, court charges on their filing date, bookings on their
    /// booking date (with [`Booking::jail_days`] up to `as_of` for people
    /// still in custody), prison admissions on their admission date. Roster
    /// entries are not events.
    pub fn evaluation_event(&self, zone: &SiteTimeZone, as_of: Date) -> Option<(Date, EventKind)> {
        match self {
            Record::Arrest(a) => Some((zone.local_date(a.arrested_at), EventKind::Arrest)),
            Record::Charge(c) => Some((c.filing_date, EventKind::Charge { felony: c.felony })),
            Record::Booking(b) => Some((
                zone.local_date(b.booked_at),
                EventKind::Booking {
                    jail_days: b.jail_days(zone, as_of),
                },
            )),
            Record::PrisonAdmission(p) => Some((p.admitted_at, EventKind::PrisonAdmission)),
            Record::RosterEntry(_) => None,
        }
    }

    /// SHA-256 (hex) of the record's canonical JSON: equal digests mean an
    /// unchanged record, so a re-import can skip it; a different digest under
    /// the same natural key is an update from the source.
    pub fn content_digest(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

/// A natural key as text: the booking, arrest, admission or roster number,
/// or `case_number#count` for a court charge (`#` cannot be confused with
/// the count because the count is always the part after the last `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NaturalKey(String);

impl NaturalKey {
    fn single(s: &str) -> Self {
        Self(s.to_owned())
    }
    fn case_count(case: &str, count: u32) -> Self {
        Self(format!("{case}#{count}"))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// A 128-bit digest of the key, for duplicate detection in bounded
    /// memory (streaming imports keep only these).
    pub fn digest128(&self) -> [u8; 16] {
        let d = Sha256::digest(self.0.as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&d[..16]);
        out
    }
}

impl fmt::Display for NaturalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stored_charge_without_a_disposition_date_reads_back() {
        let s = r#"{"kind":"charge","case_number":"C1","count":1,"statute":"9A.52.080","description":"trespass","felony":false,"filing_date":"2025-06-03","disposition":null,"disposition_date":null,"arrest_number":null,"person":null,"person_key":"K1"}"#;
        let r: super::Record = serde_json::from_str(s).unwrap();
        assert_eq!(
            serde_json::from_str::<super::Record>(&serde_json::to_string(&r).unwrap()).unwrap(),
            r
        );
    }

    use super::*;
    use time::macros::datetime;

    #[test]
    fn source_numbers_are_trimmed_and_bounded() {
        assert_eq!(SourceNumber::parse("  B-1 ").unwrap().as_str(), "B-1");
        assert!(SourceNumber::parse("   ").is_err());
        assert!(SourceNumber::parse(&"9".repeat(65)).is_err());
        assert!(SourceNumber::parse("A\u{7}").is_err());
    }

    #[test]
    fn jail_days_count_local_calendar_days_and_at_least_one() {
        let zone = SiteTimeZone::parse("America/Los_Angeles").unwrap();
        let person = PersonFields {
            first_name: "A".into(),
            middle_name: None,
            last_name: "B".into(),
            dob: time::macros::date!(1980 - 01 - 01),
            sex: Sex::Unknown,
            race: Race::Unknown,
        };
        // 22:00 local on 1 March.
        let mut b = Booking {
            booking_number: SourceNumber::parse("1").unwrap(),
            booked_at: datetime!(2026-03-02 06:00 UTC),
            released_at: None,
            person,
            person_key: None,
            charges: vec![],
        };
        let as_of = time::macros::date!(2026 - 03 - 11);
        assert_eq!(b.jail_days(&zone, as_of), 10);
        b.released_at = Some(datetime!(2026-03-02 07:00 UTC));
        assert_eq!(b.jail_days(&zone, as_of), 1);
        // 01:00 local on 4 March: three local days, though UTC says two.
        b.released_at = Some(datetime!(2026-03-04 09:00 UTC));
        assert_eq!(b.jail_days(&zone, as_of), 3);
        let (date, kind) = Record::Booking(b).evaluation_event(&zone, as_of).unwrap();
        assert_eq!(date, time::macros::date!(2026 - 03 - 01));
        assert_eq!(kind, EventKind::Booking { jail_days: 3 });
    }
}
