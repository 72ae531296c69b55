//! The outcome-evaluation dataset: the six input files of
//! `shared/data/evaluation/SPEC.md` §2, written exactly (headers, column
//! order, value formats, `\n` line ends, no quoting), and a checker that a
//! folder of such files follows the schema.
//!
//! Person ids in the files are per-export pseudonyms ([`Pseudonyms`]), never
//! Handoff's ids.
//!
//! Mapping Handoff's vocabulary to the dataset's (SPEC §2.1):
//! sex `F`→`F`, `M`→`M`, `X` and `U` (unknown) →`X` (the analyses only ask
//! "male or not"); race `Black/African American`→`Black`, `White`,
//! `Hispanic/Latino`, `Asian`, `American Indian/Alaska Native`→
//! `Native American`, and `Native Hawaiian/Pacific Islander`, `Multiracial`,
//! `Other`, `Unknown` → `Other`.

mod check;
mod pseudonym;

pub use check::{CheckSummary, SchemaProblem, check_dir, check_with};
pub(crate) use pseudonym::hmac_sha256;
pub use pseudonym::{ExportKey, Pseudonyms, StableId};

use handoff_domain::referral::{Race, Sex};
use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use time::Date;

/// The six files, in the order SPEC §2 lists them.
pub const FILES: [&str; 6] = [
    "participants.csv",
    "events.csv",
    "monthly.csv",
    "unit_costs.csv",
    "eligible_arrests.csv",
    "study.csv",
];

pub const PARTICIPANTS_HEADER: &str = "person_id,group,index_date,age_at_index,sex,race";
pub const EVENTS_HEADER: &str = "event_id,person_id,date,kind,felony,jail_days";
pub const MONTHLY_HEADER: &str = "person_id,month,housed,employed,income_benefits";
pub const UNIT_COSTS_HEADER: &str = "item,cost_usd";
pub const ELIGIBLE_ARRESTS_HEADER: &str = "arrest_id,date,race,diverted";
pub const STUDY_HEADER: &str = "study_end";

/// The header of each file of [`FILES`].
pub fn header_of(file: &str) -> Option<&'static str> {
    Some(match file {
        "participants.csv" => PARTICIPANTS_HEADER,
        "events.csv" => EVENTS_HEADER,
        "monthly.csv" => MONTHLY_HEADER,
        "unit_costs.csv" => UNIT_COSTS_HEADER,
        "eligible_arrests.csv" => ELIGIBLE_ARRESTS_HEADER,
        "study.csv" => STUDY_HEADER,
        _ => return None,
    })
}

/// Study arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Lead,
    Control,
}

impl Group {
    pub const fn as_str(&self) -> &'static str {
        match self {
            Group::Lead => "lead",
            Group::Control => "control",
        }
    }
}

/// Sex as the dataset records it: `M`, `F` or `X`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalSex {
    M,
    F,
    X,
}

impl EvalSex {
    pub const fn as_str(&self) -> &'static str {
        match self {
            EvalSex::M => "M",
            EvalSex::F => "F",
            EvalSex::X => "X",
        }
    }
}

impl From<Sex> for EvalSex {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Male => EvalSex::M,
            Sex::Female => EvalSex::F,
            Sex::Another | Sex::Unknown => EvalSex::X,
        }
    }
}

/// The six race labels of the dataset, in SPEC §7.5's fixed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvalRace {
    Black,
    White,
    HispanicLatino,
    Asian,
    NativeAmerican,
    Other,
}

impl EvalRace {
    pub const ALL: [EvalRace; 6] = [
        EvalRace::Black,
        EvalRace::White,
        EvalRace::HispanicLatino,
        EvalRace::Asian,
        EvalRace::NativeAmerican,
        EvalRace::Other,
    ];
    pub const fn label(&self) -> &'static str {
        match self {
            EvalRace::Black => "Black",
            EvalRace::White => "White",
            EvalRace::HispanicLatino => "Hispanic/Latino",
            EvalRace::Asian => "Asian",
            EvalRace::NativeAmerican => "Native American",
            EvalRace::Other => "Other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == s)
    }

    /// The group of a race as Handoff stores it (its label or code); an
    /// unreadable or empty value is `Other`, as `Unknown` is. The one race
    /// vocabulary of published figures: oversight tallies by these groups,
    /// as the evaluation does.
    pub fn of_stored(s: &str) -> Self {
        Race::parse(s).map_or(EvalRace::Other, EvalRace::from)
    }
}

impl From<Race> for EvalRace {
    fn from(r: Race) -> Self {
        match r {
            Race::BlackAfricanAmerican => EvalRace::Black,
            Race::White => EvalRace::White,
            Race::HispanicLatino => EvalRace::HispanicLatino,
            Race::Asian => EvalRace::Asian,
            Race::AmericanIndianAlaskaNative => EvalRace::NativeAmerican,
            Race::NativeHawaiianPacificIslander
            | Race::Multiracial
            | Race::Other
            | Race::Unknown => EvalRace::Other,
        }
    }
}

/// A row of `participants.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    /// A pseudonym (> 0), unique in the export.
    pub person_id: u64,
    pub group: Group,
    /// LEAD: referral date; control: the comparable eligible-arrest date.
    pub index_date: Date,
    pub age_at_index: u32,
    pub sex: EvalSex,
    pub race: EvalRace,
}

/// Whole years of age on `on` for someone born on `dob` (0 if not yet born).
pub fn age_at(dob: Date, on: Date) -> u32 {
    let mut years = on.year() - dob.year();
    if (on.month() as u8, on.day()) < (dob.month() as u8, dob.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// What a criminal-legal event is, with the one number that matters for
/// each kind (the others are written as 0, as SPEC §2.2 requires).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Arrest,
    Charge { felony: bool },
    Booking { jail_days: u32 },
    PrisonAdmission,
}

impl EventKind {
    pub const fn as_str(&self) -> &'static str {
        match self {
            EventKind::Arrest => "arrest",
            EventKind::Charge { .. } => "charge",
            EventKind::Booking { .. } => "booking",
            EventKind::PrisonAdmission => "prison_admission",
        }
    }
}

/// A row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event_id: u64,
    pub person_id: u64,
    /// Arrest date, charge filing date, booking date or admission date.
    pub date: Date,
    pub kind: EventKind,
}

/// A row of `monthly.csv` (LEAD participants only). `None` is a missing
/// cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyStatus {
    pub person_id: u64,
    /// −12..=24, relative to the referral month.
    pub month: i8,
    pub housed: Option<bool>,
    pub employed: Option<bool>,
    pub income_benefits: Option<bool>,
}

/// An amount of US dollars in cents, written with two decimals (`158.25`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub u64);

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// `unit_costs.csv`: the site policy's unit costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCosts {
    pub arrest: Cents,
    pub charge_felony: Cents,
    pub charge_misdemeanor: Cents,
    pub jail_day: Cents,
    pub prison_admission: Cents,
}

impl UnitCosts {
    /// The items in the file's order.
    pub fn items(&self) -> [(&'static str, Cents); 5] {
        [
            ("arrest", self.arrest),
            ("charge_felony", self.charge_felony),
            ("charge_misdemeanor", self.charge_misdemeanor),
            ("jail_day", self.jail_day),
            ("prison_admission", self.prison_admission),
        ]
    }
}

/// A row of `eligible_arrests.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibleArrest {
    pub arrest_id: u64,
    pub date: Date,
    pub race: EvalRace,
    pub diverted: bool,
}

/// The whole dataset, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationDataset {
    pub participants: Vec<Participant>,
    pub events: Vec<Event>,
    pub monthly: Vec<MonthlyStatus>,
    pub unit_costs: UnitCosts,
    pub eligible_arrests: Vec<EligibleArrest>,
    /// `SE`, the study end.
    pub study_end: Date,
}

fn date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn bit(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn opt_bit(b: Option<bool>) -> &'static str {
    b.map_or("", bit)
}

impl EvaluationDataset {
    /// Writes one of [`FILES`] to `w`.
    pub fn write_file(&self, file: &str, mut w: impl Write) -> io::Result<()> {
        let header = header_of(file)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an evaluation file"))?;
        writeln!(w, "{header}")?;
        match file {
            "participants.csv" => {
                for p in &self.participants {
                    writeln!(
                        w,
                        "{},{},{},{},{},{}",
                        p.person_id,
                        p.group.as_str(),
                        date(p.index_date),
                        p.age_at_index,
                        p.sex.as_str(),
                        p.race.label()
                    )?;
                }
            }
            "events.csv" => {
                for e in &self.events {
                    let (felony, jail_days) = match e.kind {
                        EventKind::Charge { felony } => (felony, 0),
                        EventKind::Booking { jail_days } => (false, jail_days),
                        EventKind::Arrest | EventKind::PrisonAdmission => (false, 0),
                    };
                    writeln!(
                        w,
                        "{},{},{},{},{},{}",
                        e.event_id,
                        e.person_id,
                        date(e.date),
                        e.kind.as_str(),
                        bit(felony),
                        jail_days
                    )?;
                }
            }
            "monthly.csv" => {
                for m in &self.monthly {
                    writeln!(
                        w,
                        "{},{},{},{},{}",
                        m.person_id,
                        m.month,
                        opt_bit(m.housed),
                        opt_bit(m.employed),
                        opt_bit(m.income_benefits)
                    )?;
                }
            }
            "unit_costs.csv" => {
                for (item, cost) in self.unit_costs.items() {
                    writeln!(w, "{item},{cost}")?;
                }
            }
            "eligible_arrests.csv" => {
                for a in &self.eligible_arrests {
                    writeln!(
                        w,
                        "{},{},{},{}",
                        a.arrest_id,
                        date(a.date),
                        a.race.label(),
                        bit(a.diverted)
                    )?;
                }
            }
            _ => writeln!(w, "{}", date(self.study_end))?,
        }
        w.flush()
    }

    /// Writes the six files into `dir` (which must exist), replacing any
    /// files of the same names.
    pub fn write_to_dir(&self, dir: &Path) -> io::Result<()> {
        for file in FILES {
            let f = std::fs::File::create(dir.join(file))?;
            self.write_file(file, io::BufWriter::new(f))?;
        }
        Ok(())
    }

    /// Checks the dataset against the schema by rendering it in memory.
    pub fn check(&self) -> Result<CheckSummary, Vec<SchemaProblem>> {
        check_with(|file| {
            let mut buf = Vec::new();
            self.write_file(file, &mut buf)?;
            Ok(io::Cursor::new(buf))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cents_have_two_decimals() {
        assert_eq!(Cents(85000).to_string(), "850.00");
        assert_eq!(Cents(15825).to_string(), "158.25");
        assert_eq!(Cents(5).to_string(), "0.05");
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_at(date!(1980 - 03 - 01), date!(2026 - 02 - 28)), 45);
        assert_eq!(age_at(date!(1980 - 03 - 01), date!(2026 - 03 - 01)), 46);
        assert_eq!(age_at(date!(2030 - 01 - 01), date!(2026 - 03 - 01)), 0);
    }

    #[test]
    fn vocabulary_maps_onto_the_dataset_labels() {
        assert_eq!(EvalSex::from(Sex::Unknown), EvalSex::X);
        assert_eq!(EvalRace::from(Race::BlackAfricanAmerican).label(), "Black");
        assert_eq!(
            EvalRace::from(Race::AmericanIndianAlaskaNative).label(),
            "Native American"
        );
        for r in EvalRace::ALL {
            assert_eq!(EvalRace::parse(r.label()), Some(r));
        }
    }
}
