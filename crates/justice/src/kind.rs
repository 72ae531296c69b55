//! What can be imported ([`Kind`]) and the Handoff fields a file's columns
//! map to ([`Field`]), with each kind's default columns — the contract a
//! source system follows when it needs no mapping file.

use handoff_domain::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of justice or outcome data a site imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Arrests (incidents) from the police records system.
    Arrests,
    /// Court filings: one row per count of a case.
    Charges,
    /// Jail bookings (the jail feed's contract).
    Bookings,
    /// Admissions to state prison.
    PrisonAdmissions,
    /// The comparison-group roster: people eligible but not diverted, such as
    /// contacts logged on "red-light" shifts.
    Persons,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Arrests,
        Kind::Charges,
        Kind::Bookings,
        Kind::PrisonAdmissions,
        Kind::Persons,
    ];

    /// The name used in the CLI (`handoff import bookings`) and the API
    /// (`POST /api/v1/imports/bookings`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Kind::Arrests => "arrests",
            Kind::Charges => "charges",
            Kind::Bookings => "bookings",
            Kind::PrisonAdmissions => "prison_admissions",
            Kind::Persons => "persons",
        }
    }

    /// The columns a file of this kind has under the default mapping, in the
    /// documented order, with whether each must be present and filled.
    pub const fn columns(&self) -> &'static [Column] {
        match self {
            Kind::Arrests => ARREST_COLUMNS,
            Kind::Charges => CHARGE_COLUMNS,
            Kind::Bookings => BOOKING_COLUMNS,
            Kind::PrisonAdmissions => PRISON_COLUMNS,
            Kind::Persons => ROSTER_COLUMNS,
        }
    }

    /// The default header line (column names joined by commas).
    pub fn default_header(&self) -> String {
        self.columns()
            .iter()
            .map(|c| c.field.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The fields whose values identify a record across files: re-importing
    /// a record with the same natural key updates it instead of adding one.
    pub const fn key_fields(&self) -> &'static [Field] {
        match self {
            Kind::Arrests => &[Field::ArrestNumber],
            Kind::Charges => &[Field::CaseNumber, Field::Count],
            Kind::Bookings => &[Field::BookingNumber],
            Kind::PrisonAdmissions => &[Field::AdmissionNumber],
            Kind::Persons => &[Field::RosterId],
        }
    }

    /// Whether `field` is one of this kind's columns.
    pub fn has_field(&self, field: Field) -> bool {
        self.columns().iter().any(|c| c.field == field)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                ParseError::new(
                    "kind",
                    format!(
                        "unknown import kind {s:?}; expected one of: {}",
                        Kind::ALL
                            .iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}

/// How much a kind needs a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The column must be in the header and every row must fill it.
    Required,
    /// The column must be in the header; a row may leave it empty.
    Present,
    /// The column may be absent; absent means empty in every row.
    Optional,
}

/// One column of a kind's default layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub field: Field,
    pub need: Need,
}

const fn req(field: Field) -> Column {
    Column {
        field,
        need: Need::Required,
    }
}
const fn present(field: Field) -> Column {
    Column {
        field,
        need: Need::Present,
    }
}
const fn opt(field: Field) -> Column {
    Column {
        field,
        need: Need::Optional,
    }
}

const ARREST_COLUMNS: &[Column] = &[
    req(Field::ArrestNumber),
    req(Field::ArrestedAt),
    req(Field::FirstName),
    opt(Field::MiddleName),
    req(Field::LastName),
    req(Field::Dob),
    opt(Field::Sex),
    opt(Field::Race),
    req(Field::Charges),
    opt(Field::Location),
    opt(Field::PersonKey),
];

const CHARGE_COLUMNS: &[Column] = &[
    req(Field::CaseNumber),
    req(Field::Count),
    req(Field::Statute),
    opt(Field::Description),
    req(Field::Felony),
    req(Field::FilingDate),
    opt(Field::Disposition),
    opt(Field::DispositionDate),
    opt(Field::ArrestNumber),
    opt(Field::PersonKey),
    opt(Field::FirstName),
    opt(Field::MiddleName),
    opt(Field::LastName),
    opt(Field::Dob),
    opt(Field::Sex),
    opt(Field::Race),
];

/// The jail-feed contract: these ten columns, in this order, then the
/// optional `person_key`.
const BOOKING_COLUMNS: &[Column] = &[
    req(Field::BookingNumber),
    req(Field::BookedAt),
    present(Field::ReleasedAt),
    req(Field::FirstName),
    present(Field::MiddleName),
    req(Field::LastName),
    req(Field::Dob),
    present(Field::Sex),
    present(Field::Race),
    present(Field::Charges),
    opt(Field::PersonKey),
];

const PRISON_COLUMNS: &[Column] = &[
    req(Field::AdmissionNumber),
    req(Field::AdmittedAt),
    opt(Field::ReleasedAt),
    req(Field::FirstName),
    opt(Field::MiddleName),
    req(Field::LastName),
    req(Field::Dob),
    opt(Field::Sex),
    opt(Field::Race),
    opt(Field::PersonKey),
];

const ROSTER_COLUMNS: &[Column] = &[
    req(Field::RosterId),
    req(Field::LoggedAt),
    req(Field::FirstName),
    opt(Field::MiddleName),
    req(Field::LastName),
    req(Field::Dob),
    opt(Field::Sex),
    opt(Field::Race),
    opt(Field::Shift),
    opt(Field::ArrestNumber),
    opt(Field::PersonKey),
];

macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A Handoff field that a source column maps to. Its name is the
        /// default column name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field { $($(#[$doc])* $variant,)* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$variant,)*];
            pub const fn name(&self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }
            pub fn parse(s: &str) -> Option<Field> {
                match s { $($name => Some(Field::$variant),)* _ => None }
            }
        }
    };
}

fields! {
    /// The jail's booking number (natural key of a booking).
    BookingNumber = "booking_number",
    /// When the person was booked (ISO 8601 timestamp).
    BookedAt = "booked_at",
    /// When the person was released (timestamp for bookings, date for prison);
    /// empty while in custody.
    ReleasedAt = "released_at",
    /// The police incident or arrest number (natural key of an arrest).
    ArrestNumber = "arrest_number",
    /// When the arrest was made (ISO 8601 timestamp).
    ArrestedAt = "arrested_at",
    /// Where the arrest was made (free text: address, beat or precinct).
    Location = "location",
    /// The court case number.
    CaseNumber = "case_number",
    /// The count number within the case (1, 2, …).
    Count = "count",
    /// The statute or ordinance cited.
    Statute = "statute",
    /// The offence as the source describes it.
    Description = "description",
    /// Felony (`F`) or not (`M`, misdemeanour or lesser).
    Felony = "felony",
    /// The date the charge was filed.
    FilingDate = "filing_date",
    /// The disposition as the court records it (free text).
    Disposition = "disposition",
    /// The date of the disposition.
    DispositionDate = "disposition_date",
    /// The prison system's admission number.
    AdmissionNumber = "admission_number",
    /// The date of admission to prison.
    AdmittedAt = "admitted_at",
    /// The roster's own id for a logged contact.
    RosterId = "roster_id",
    /// The date the eligible contact was logged.
    LoggedAt = "logged_at",
    /// The shift the contact was logged on: `red` or `green` light.
    Shift = "shift",
    /// The source system's own person identifier (SID, PIN, party id), if
    /// it has one; linkage uses it when present.
    PersonKey = "person_key",
    FirstName = "first_name",
    MiddleName = "middle_name",
    LastName = "last_name",
    /// Date of birth.
    Dob = "dob",
    /// `F`, `M`, `X` or `U` (or the source's codes through the mapping).
    Sex = "sex",
    /// A race label or code (or the source's codes through the mapping).
    Race = "race",
    /// `;`-separated charges, each `statute|description|F or M`.
    Charges = "charges",
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_default_header_is_the_jail_feed_contract() {
        let contract = "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges";
        assert!(
            Kind::Bookings
                .default_header()
                .starts_with(&format!("{contract},"))
        );
        assert_eq!(
            Kind::Bookings
                .columns()
                .iter()
                .filter(|c| c.need != Need::Optional)
                .count(),
            10
        );
    }

    #[test]
    fn every_field_round_trips_and_every_kind_parses() {
        for f in Field::ALL {
            assert_eq!(Field::parse(f.name()), Some(*f));
        }
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
            for key in k.key_fields() {
                assert!(k.has_field(*key));
            }
        }
        assert!("jail".parse::<Kind>().is_err());
    }

    #[test]
    fn the_crate_docs_list_every_default_column_in_order() {
        let docs = include_str!("lib.rs");
        for kind in Kind::ALL {
            let start = docs
                .find(&format!("//! * `{kind}` (key"))
                .unwrap_or_else(|| panic!("{kind} missing from the crate docs"));
            let mut lines = docs[start..].lines();
            let first = lines.next().unwrap_or_default();
            let entry: String = std::iter::once(first)
                .chain(lines.take_while(|l| l.starts_with("//!   ")))
                .collect::<Vec<_>>()
                .join(" ");
            let mut at = 0;
            for col in kind.columns() {
                let found = entry[at..]
                    .find(col.field.name())
                    .unwrap_or_else(|| panic!("{kind}: {} missing or out of order", col.field));
                at += found + col.field.name().len();
            }
        }
    }
}
