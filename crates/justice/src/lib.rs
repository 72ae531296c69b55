//! Justice and outcome data for a LEAD site (DESIGN.md §5): the other
//! agencies' records that prove results, in and out.
//!
//! **In** — all-or-nothing CSV imports of five kinds ([`Kind`]): arrests,
//! court charges, jail bookings, prison admissions and the comparison-group
//! roster. A [`Mapping`] (TOML) maps a source's column names and code values
//! to Handoff's; [`Mapping::default_for`] documents each kind's default
//! columns ([`Kind::columns`]), and the bookings defaults are the contract
//! for jail feeds. [`import`] returns every record with its line and natural
//! key and the file's SHA-256, or an [`ImportReport`] naming every bad row by
//! line, column and reason (CSV and JSON). [`validate_streaming`] and
//! [`stream_records`] do the same for files of any size in bounded memory.
//!
//! **Out** — [`evaluation`] writes the six files of the outcome-evaluation
//! dataset (`shared/data/evaluation/SPEC.md` §2) exactly, with per-export
//! pseudonyms, and checks a folder of them against the schema; [`hmis`]
//! writes the HUD HMIS CSV files a diversion program shares with housing
//! partners.
//!
//! Architecture invariant: this crate is pure. It reads `impl Read` and
//! writes `impl Write` (plus two convenience functions over a folder path);
//! it has no database, no network and no clock — callers pass times in.

pub mod evaluation;
pub mod feed;
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
pub mod hmis;
mod import;
pub mod kind;
pub mod mapping;
mod parse;
pub mod records;
pub mod report;

pub use feed::parse_bookings_json;
pub use import::{
    ImportBatch, ImportError, ImportedRecord, MAX_PROBLEMS, PROGRESS_EVERY, Progress, Provenance,
    StreamError, import, stream_records, validate_streaming,
};
pub use kind::{Column, Field, Kind, Need};
pub use mapping::{CodedField, Mapping, MappingError};
pub use parse::{RowParser, parse_date, parse_timestamp};
pub use records::{
    Arrest, Booking, Charge, CourtCharge, NaturalKey, PersonFields, PrisonAdmission, Record,
    RosterEntry, Shift, SourceNumber,
};
pub use report::{ImportReport, Reason, RowProblem};
