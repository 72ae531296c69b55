//! A referral through one of the three doors (DESIGN.md §2): the vocabulary
//! (door, conduct category, substance class, sex, race) and the typed
//! referral built once from the API body ([`ReferralForm`]), with errors that
//! name the field as the client sent it (`offenses[0].quantity_grams`).

use crate::ParseError;
use crate::org::string_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, OffsetDateTime};

string_enum! {
    /// How a person comes to LEAD.
    Door {
        /// An officer diverts instead of booking; the case is held from filing.
        ArrestDiversion = "arrest_diversion",
        /// An officer refers someone with verified prior low-level involvement,
        /// without an arrest.
        SocialContact = "social_contact",
        /// Outreach workers, businesses or neighbours refer directly.
        Community = "community",
    }
}

impl Door {
    pub const fn label(&self) -> &'static str {
        match self {
            Door::ArrestDiversion => "Arrest diversion",
            Door::SocialContact => "Social contact",
            Door::Community => "Community referral",
        }
    }
}

string_enum! {
    /// The conduct categories every site knows (the API contract's list).
    /// Which are eligible is the site's policy.
    Conduct {
        DrugPossession = "drug_possession",
        /// Sales to support one's own use (subsistence); dealing for profit
        /// is an exclusion.
        DrugSales = "drug_sales",
        SexWork = "sex_work",
        /// Low-level theft.
        Theft = "theft",
        /// Trespass, park and transit violations.
        Trespass = "trespass",
        PromotingProstitution = "promoting_prostitution",
        ExploitingMinors = "exploiting_minors",
        Violent = "violent",
    }
}

impl Conduct {
    pub const fn label(&self) -> &'static str {
        match self {
            Conduct::DrugPossession => "drug possession",
            Conduct::DrugSales => "drug sales (subsistence)",
            Conduct::SexWork => "sex work",
            Conduct::Theft => "low-level theft",
            Conduct::Trespass => "trespass",
            Conduct::PromotingProstitution => "promoting prostitution",
            Conduct::ExploitingMinors => "exploiting minors",
            Conduct::Violent => "violent offence",
        }
    }

    /// Whether quantity limits apply (drug offences).
    pub const fn is_drug_offence(&self) -> bool {
        matches!(self, Conduct::DrugPossession | Conduct::DrugSales)
    }
}

/// A conduct category: one every site knows, or one a site's policy
/// defines (a lower-case code such as `transit_fare`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ConductCategory {
    Standard(Conduct),
    SiteDefined(SiteCode),
}

impl ConductCategory {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        match s.parse::<Conduct>() {
            Ok(c) => Ok(Self::Standard(c)),
            Err(_) => SiteCode::parse(s)
                .map(Self::SiteDefined)
                .map_err(|e| ParseError::new("category", e.message)),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Standard(c) => c.as_str(),
            Self::SiteDefined(c) => c.as_str(),
        }
    }

    pub fn standard(&self) -> Option<Conduct> {
        match self {
            Self::Standard(c) => Some(*c),
            Self::SiteDefined(_) => None,
        }
    }
}

impl fmt::Display for ConductCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::text_conversions!(ConductCategory, ParseError, String, |v| v
    .as_str()
    .to_owned());

/// A site-defined code: 2–40 characters of `a-z`, `0-9` and `_`, starting
/// with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteCode(String);

impl SiteCode {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = (2..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::new(
                "code",
                format!(
                    "{s:?} is neither a known category ({}) nor a site code like transit_fare",
                    Conduct::ALL
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text_conversions!(SiteCode, ParseError, String, |v| v.0);

string_enum! {
    /// The class of a substance, for quantity limits and exemptions.
    SubstanceClass {
        /// Heroin, fentanyl and other opioids.
        Opioid = "opioid",
        /// Methamphetamine, cocaine, crack.
        Stimulant = "stimulant",
        Cannabis = "cannabis",
        Hallucinogen = "hallucinogen",
        /// Benzodiazepines and other sedatives not in pill form.
        Sedative = "sedative",
        /// Prescription pills (Santa Fe exempts them from quantity limits).
        PrescriptionPills = "prescription_pills",
        Other = "other",
    }
}

/// Sex as recorded on the referral: `F`, `M`, `X` (another gender), `U`
/// (unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Sex {
    Female,
    Male,
    Another,
    Unknown,
}

impl Sex {
    pub const ALL: &'static [Sex] = &[Sex::Female, Sex::Male, Sex::Another, Sex::Unknown];
    pub const fn as_str(&self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Another => "X",
            Sex::Unknown => "U",
        }
    }
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_uppercase().as_str() {
            "F" => Ok(Sex::Female),
            "M" => Ok(Sex::Male),
            "X" => Ok(Sex::Another),
            "U" | "" => Ok(Sex::Unknown),
            _ => Err(ParseError::new("sex", "expected one of: F, M, X, U")),
        }
    }
}

crate::text_conversions!(Sex, ParseError, &'static str, |v| v.as_str());

/// Race as observed or stated, in the categories the equity figures use.
/// Parsed from the label (`Hispanic/Latino`) or the code (`hispanic_latino`),
/// ignoring case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Race {
    AmericanIndianAlaskaNative,
    Asian,
    BlackAfricanAmerican,
    HispanicLatino,
    NativeHawaiianPacificIslander,
    White,
    Multiracial,
    Other,
    Unknown,
}

impl Race {
    pub const ALL: &'static [Race] = &[
        Race::AmericanIndianAlaskaNative,
        Race::Asian,
        Race::BlackAfricanAmerican,
        Race::HispanicLatino,
        Race::NativeHawaiianPacificIslander,
        Race::White,
        Race::Multiracial,
        Race::Other,
        Race::Unknown,
    ];

    /// The label, which is also the API value.
    pub const fn label(&self) -> &'static str {
        match self {
            Race::AmericanIndianAlaskaNative => "American Indian/Alaska Native",
            Race::Asian => "Asian",
            Race::BlackAfricanAmerican => "Black/African American",
            Race::HispanicLatino => "Hispanic/Latino",
            Race::NativeHawaiianPacificIslander => "Native Hawaiian/Pacific Islander",
            Race::White => "White",
            Race::Multiracial => "Multiracial",
            Race::Other => "Other",
            Race::Unknown => "Unknown",
        }
    }

    pub const fn code(&self) -> &'static str {
        match self {
            Race::AmericanIndianAlaskaNative => "american_indian_alaska_native",
            Race::Asian => "asian",
            Race::BlackAfricanAmerican => "black_african_american",
            Race::HispanicLatino => "hispanic_latino",
            Race::NativeHawaiianPacificIslander => "native_hawaiian_pacific_islander",
            Race::White => "white",
            Race::Multiracial => "multiracial",
            Race::Other => "other",
            Race::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Race::Unknown);
        }
        Race::ALL
            .iter()
            .copied()
            .find(|r| r.label().eq_ignore_ascii_case(s) || r.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                ParseError::new(
                    "race",
                    format!(
                        "unknown value {s:?}; expected one of: {}",
                        Race::ALL
                            .iter()
                            .map(|r| r.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    }
}

crate::text_conversions!(Race, ParseError, &'static str, |v| v.label());

/// A person's name part: trimmed, 1–80 characters, no control characters
/// and no bidirectional formatting characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(s: &str, field: &'static str) -> Result<Self, ParseError> {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(ParseError::new(field, "is required"));
        }
        if s.chars().count() > 80 {
            return Err(ParseError::new(field, "is longer than 80 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(ParseError::new(field, "contains control characters"));
        }
        crate::text::refuse_bidi_controls(field, &s)?;
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A police incident (case) number: 1–32 characters of letters, digits, `-`
/// and `/`, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct IncidentNumber(String);

impl IncidentNumber {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim().to_ascii_uppercase();
        let err = |m: &str| Err(ParseError::new("incident_number", m));
        if s.is_empty() {
            return err("is required for an arrest diversion");
        }
        if s.len() > 32 {
            return err("is longer than 32 characters");
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
        {
            return err("may contain only letters, digits, - and /");
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When the person was born, or how old they seemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Birth {
    Dob(#[serde(with = "crate::site_time::iso_date")] Date),
    ApproxAge(u8),
}

/// The person referred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferredPerson {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub aliases: Vec<PersonName>,
    pub birth: Birth,
    pub sex: Sex,
    pub race: Race,
    pub description: Option<String>,
}

impl ReferredPerson {
    /// Age in whole years on `on` (from the date of birth, or the
    /// approximate age as given).
    pub fn age_on(&self, on: Date) -> u8 {
        match self.birth {
            Birth::ApproxAge(a) => a,
            Birth::Dob(dob) => {
                let mut years = on.year() - dob.year();
                if (on.month() as u8, on.day()) < (dob.month() as u8, dob.day()) {
                    years -= 1;
                }
                u8::try_from(years.max(0)).unwrap_or(u8::MAX)
            }
        }
    }
}

/// Grams of a substance: finite, 0 to 100 kg.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Grams(f64);

impl Grams {
    pub const MAX: f64 = 100_000.0;
    pub fn new(g: f64) -> Option<Self> {
        (g.is_finite() && (0.0..=Self::MAX).contains(&g)).then_some(Self(g))
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

/// One offence alleged (arrest diversion) or conduct observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offence {
    pub category: ConductCategory,
    pub substance: Option<SubstanceClass>,
    pub quantity_grams: Option<Grams>,
}

/// Where it happened: an address, coordinates, or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    pub address: Option<String>,
    pub coordinates: Option<Coordinates>,
    /// One of the site's defined areas (precincts), by name: the only place
    /// label figures print. The workflow checks it against the site's list.
    pub area: Option<String>,
}

/// A point, in WGS 84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// The verified prior low-level involvement a social-contact referral
/// needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorInvolvement {
    /// A record reference (an earlier incident or booking number).
    Record(String),
    /// The officer's own observation.
    Observation(String),
}

/// A referral, valid by construction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    pub door: Door,
    pub person: ReferredPerson,
    /// Required for an arrest diversion, optional otherwise.
    pub incident_number: Option<IncidentNumber>,
    pub offences: Vec<Offence>,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub location: Location,
    pub prior_involvement: Option<PriorInvolvement>,
    /// The officer's judgement that the person is not amenable to LEAD.
    pub officer_judged_not_amenable: bool,
    /// The officer's judgement that sales were for profit, above subsistence.
    pub dealing_for_profit: bool,
    pub notes: Option<String>,
}

/// The longest free-text note or description accepted.
pub const MAX_NOTE_CHARS: usize = 2000;

// ---- The API body, as received -------------------------------------------

/// `POST /api/v1/referrals`, as received. Values are kept loose (text,
/// `serde_json::Value` numbers) so that every problem is reported with its
/// field rather than as a JSON error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferralForm {
    #[serde(default)]
    pub door: String,
    #[serde(default)]
    pub person: PersonForm,
    #[serde(default)]
    pub incident_number: Option<String>,
    #[serde(default)]
    pub offenses: Vec<OffenceForm>,
    #[serde(default)]
    pub occurred_at: String,
    #[serde(default)]
    pub location: LocationForm,
    #[serde(default)]
    pub prior_involvement: Option<PriorInvolvementForm>,
    #[serde(default)]
    pub not_amenable: bool,
    #[serde(default)]
    pub dealing_for_profit: bool,
    #[serde(default)]
    pub notes: Option<String>,
    /// The client's token for this submission (at most 100 characters): a
    /// second submission with the same token by the same referrer returns
    /// the first referral. Not part of the referral itself.
    #[serde(default)]
    pub client_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub approx_age: Option<serde_json::Value>,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub race: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OffenceForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub substance: Option<String>,
    #[serde(default)]
    pub quantity_grams: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocationForm {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<serde_json::Value>,
    #[serde(default)]
    pub lon: Option<serde_json::Value>,
    /// The name of one of the site's areas (precincts).
    #[serde(default)]
    pub area: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriorInvolvementForm {
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub observation: Option<String>,
}

fn note(s: Option<&str>, field: &'static str) -> Result<Option<String>, ParseError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > MAX_NOTE_CHARS => Err(ParseError::new(
            field,
            format!("is longer than {MAX_NOTE_CHARS} characters"),
        )),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

fn number(v: &serde_json::Value, field: &'static str) -> Result<f64, ParseError> {
    match v {
        serde_json::Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| ParseError::new(field, "is not a number")),
        serde_json::Value::String(s) => s
            .trim()
            .parse::<f64>()
            .map_err(|_| ParseError::new(field, "is not a number")),
        _ => Err(ParseError::new(field, "is not a number")),
    }
}

impl Referral {
    /// Refuses what cannot be true at `now` (`today` in the site's time
    /// zone): a birth after today or more than 120 years ago, an incident
    /// more than ten minutes ahead of the clock or more than a year ago.
    pub fn plausible(&self, now: OffsetDateTime, today: Date) -> Result<(), ParseError> {
        if let Birth::Dob(dob) = self.person.birth
            && (dob > today || today.year() - dob.year() > 120)
        {
            return Err(ParseError::new(
                "person.dob",
                format!(
                    "must be a date of birth between {}-01-01 and {today}",
                    today.year() - 120
                ),
            ));
        }
        let earliest = now - time::Duration::days(366);
        let latest = now + time::Duration::minutes(10);
        if self.occurred_at < earliest || self.occurred_at > latest {
            return Err(ParseError::new(
                "occurred_at",
                format!(
                    "must be within the last year and not in the future (between {} and now)",
                    earliest.date()
                ),
            ));
        }
        Ok(())
    }
}

impl TryFrom<PersonForm> for ReferredPerson {
    type Error = ParseError;
    fn try_from(f: PersonForm) -> Result<Self, Self::Error> {
        let first_name = PersonName::parse(&f.first_name, "first_name")?;
        let last_name = PersonName::parse(&f.last_name, "last_name")?;
        let aliases = f
            .aliases
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.trim().is_empty())
            .map(|(i, a)| {
                PersonName::parse(a, "alias")
                    .map_err(|e| ParseError::new(format!("aliases[{i}]"), e.message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let birth = match (f.dob.as_deref().map(str::trim), &f.approx_age) {
            (Some(dob), _) if !dob.is_empty() => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                let d = Date::parse(dob, &format)
                    .map_err(|_| ParseError::new("dob", "is not a date like 1988-04-02"))?;
                Birth::Dob(d)
            }
            (_, Some(age)) if !age.is_null() => {
                let a = number(age, "approx_age")?;
                if !(a.fract() == 0.0 && (0.0..=120.0).contains(&a)) {
                    return Err(ParseError::new(
                        "approx_age",
                        "must be a whole number of years",
                    ));
                }
                Birth::ApproxAge(a as u8)
            }
            _ => {
                return Err(ParseError::new(
                    "dob",
                    "give the date of birth or an approximate age (approx_age)",
                ));
            }
        };
        Ok(Self {
            first_name,
            last_name,
            aliases,
            birth,
            sex: Sex::parse(&f.sex)?,
            race: Race::parse(&f.race)?,
            description: match note(f.description.as_deref(), "description")? {
                Some(d) => {
                    crate::text::refuse_bidi_controls("description", &d)?;
                    Some(d)
                }
                None => None,
            },
        })
    }
}

impl TryFrom<OffenceForm> for Offence {
    type Error = ParseError;
    fn try_from(f: OffenceForm) -> Result<Self, Self::Error> {
        let category = ConductCategory::parse(&f.category)?;
        let substance = match f.substance.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                s.parse::<SubstanceClass>()
                    .map_err(|e| ParseError::new("substance", e.message))?,
            ),
        };
        let quantity_grams = match &f.quantity_grams {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(Grams::new(number(v, "quantity_grams")?).ok_or_else(|| {
                ParseError::new("quantity_grams", "must be between 0 and 100000")
            })?),
        };
        if category.standard().is_some_and(|c| c.is_drug_offence()) && substance.is_none() {
            return Err(ParseError::new(
                "substance",
                "is required for a drug offence",
            ));
        }
        Ok(Self {
            category,
            substance,
            quantity_grams,
        })
    }
}

impl TryFrom<LocationForm> for Location {
    type Error = ParseError;
    fn try_from(f: LocationForm) -> Result<Self, Self::Error> {
        let address = note(f.address.as_deref(), "address")?;
        let coordinate = |v: &Option<serde_json::Value>, field, limit: f64| match v {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => {
                let x = number(v, field)?;
                if x.is_finite() && x.abs() <= limit {
                    Ok(Some(x))
                } else {
                    Err(ParseError::new(field, format!("must be within ±{limit}")))
                }
            }
        };
        let lat = coordinate(&f.lat, "lat", 90.0)?;
        let lon = coordinate(&f.lon, "lon", 180.0)?;
        let coordinates = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Coordinates { lat, lon }),
            (None, None) => None,
            (Some(_), None) => return Err(ParseError::new("lon", "is required with lat")),
            (None, Some(_)) => return Err(ParseError::new("lat", "is required with lon")),
        };
        if address.is_none() && coordinates.is_none() {
            return Err(ParseError::new(
                "address",
                "give an address or coordinates (lat, lon)",
            ));
        }
        let area = f
            .area
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned);
        Ok(Self {
            address,
            coordinates,
            area,
        })
    }
}

impl TryFrom<ReferralForm> for Referral {
    type Error = ParseError;
    fn try_from(f: ReferralForm) -> Result<Self, Self::Error> {
        let door: Door = f
            .door
            .trim()
            .parse()
            .map_err(|e: ParseError| ParseError::new("door", e.message))?;
        let person = ReferredPerson::try_from(f.person).map_err(|e| e.within("person"))?;
        let incident_number = match f.incident_number.as_deref().map(str::trim) {
            None | Some("") if door == Door::ArrestDiversion => {
                return Err(ParseError::new(
                    "incident_number",
                    "is required for an arrest diversion",
                ));
            }
            None | Some("") => None,
            Some(s) => Some(IncidentNumber::parse(s)?),
        };
        if door == Door::ArrestDiversion && f.offenses.is_empty() {
            return Err(ParseError::new(
                "offenses",
                "name at least one offence for an arrest diversion",
            ));
        }
        let offences = f
            .offenses
            .into_iter()
            .enumerate()
            .map(|(i, o)| Offence::try_from(o).map_err(|e| e.within(format!("offenses[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let occurred_at = OffsetDateTime::parse(
            f.occurred_at.trim(),
            &time::format_description::well_known::Rfc3339,
        )
        .map_err(|_| {
            ParseError::new(
                "occurred_at",
                "is not a date and time like 2026-11-30T14:05:00Z",
            )
        })?;
        let location = Location::try_from(f.location).map_err(|e| e.within("location"))?;
        let prior_involvement = match f.prior_involvement {
            None => None,
            Some(p) => {
                let reference = note(p.reference.as_deref(), "reference")
                    .map_err(|e| e.within("prior_involvement"))?;
                let observation = note(p.observation.as_deref(), "observation")
                    .map_err(|e| e.within("prior_involvement"))?;
                let given = reference
                    .map(PriorInvolvement::Record)
                    .or(observation.map(PriorInvolvement::Observation));
                if given.is_none() {
                    return Err(ParseError::new(
                        "prior_involvement",
                        "give a record reference or an observation, or leave it out",
                    ));
                }
                given
            }
        };
        if door == Door::SocialContact && prior_involvement.is_none() {
            return Err(ParseError::new(
                "prior_involvement",
                "a social-contact referral needs the verified prior involvement \
                 (a record reference or an observation)",
            ));
        }
        Ok(Self {
            door,
            person,
            incident_number,
            offences,
            occurred_at,
            location,
            prior_involvement,
            officer_judged_not_amenable: f.not_amenable,
            dealing_for_profit: f.dealing_for_profit,
            notes: note(f.notes.as_deref(), "notes")?,
        })
    }
}
