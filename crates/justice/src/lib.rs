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
//!
//! # Default columns
//!
//! Each kind's header under [`Mapping::default_for`], in order. Marks:
//! **required** columns must be in the header and filled in every row;
//! *present* columns must be in the header but may be empty; the rest may
//! be left out. Column names match ignoring ASCII case and surrounding
//! spaces; extra columns are ignored.
//!
//! * `arrests` (key: arrest_number): **arrest_number**, **arrested_at**,
//!   **first_name**, middle_name, **last_name**, **dob**, sex, race,
//!   **charges** (at least one), location, person_key
//! * `charges` (key: case_number + count): **case_number**, **count** (1, 2, …),
//!   **statute**, description, **felony** (`F`/`M`), **filing_date**,
//!   disposition, disposition_date, arrest_number, person_key, first_name,
//!   middle_name, last_name, dob, sex, race — a row names its person with
//!   `person_key`, or with first_name, last_name and dob (or both)
//! * `bookings` (key: booking_number) — the jail-feed contract:
//!   **booking_number**, **booked_at**, *released_at*, **first_name**,
//!   *middle_name*, **last_name**, **dob**, *sex*, *race*, *charges*; then
//!   optional person_key
//! * `prison_admissions` (key: admission_number): **admission_number**,
//!   **admitted_at** (a date), released_at (a date), **first_name**,
//!   middle_name, **last_name**, **dob**, sex, race, person_key
//! * `persons` (key: roster_id) — the comparison roster: **roster_id**,
//!   **logged_at** (the date the eligible contact was logged),
//!   **first_name**, middle_name, **last_name**, **dob**, sex, race, shift
//!   (`red`/`green`), arrest_number, person_key
//!
//! Values: dates `YYYY-MM-DD`; timestamps RFC 3339, or
//! `YYYY-MM-DDTHH:MM:SS` without an offset, read at the mapping's
//! `local_offset` (UTC by default — see [`mapping`]); `charges` is
//! `;`-separated `statute|description|F or M`; sex `F`, `M`, `X`, `U` (empty
//! = `U`); race a label or code of `handoff_domain::referral::Race` (empty
//! = Unknown). Rules across fields: release not before booking or
//! admission, disposition not before filing, date of birth not after the
//! event nor before 1900. Numbers (booking, case, …) are 1–64 characters
//! and compared exactly after trimming.

pub mod coordination;
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
pub mod screening;

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
