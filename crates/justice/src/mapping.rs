//! The mapping file: how a source's columns and code values become Handoff's.
//!
//! ```toml
//! kind = "charges"                  # optional; checked against the import
//! delimiter = ","                   # one ASCII character; "\t" for TSV
//! local_offset = "-08:00"           # offset of timestamps written without one
//! date_format = ["[month]/[day]/[year]", "[year]-[month]-[day]"]
//! timestamp_format = "[month]/[day]/[year] [hour]:[minute]"
//! charge_separator = ";"            # between charges in a `charges` cell
//! charge_part_separator = "|"       # between statute, description, F/M
//!
//! [columns]                         # Handoff field = source column name
//! case_number = "CASE_NO"
//! count = "CNT"
//! felony = "FEL_IND"
//!
//! [codes.felony]                    # source value = Handoff value
//! Y = "F"                           # (or Y = true / N = false)
//! N = "M"
//! [codes.sex]
//! "1" = "M"
//! "2" = "F"
//! [codes.race]
//! B = "Black/African American"
//! [codes.shift]
//! R = "red"
//! ```
//!
//! Every key is optional; [`Mapping::default_for`] is the mapping of a file
//! that uses the default columns and values (see [`Kind::columns`]).
//!
//! Dates default to `YYYY-MM-DD`. Timestamps default to RFC 3339
//! (`2026-03-01T22:15:00-08:00`, `…Z`, fractional seconds allowed) and also
//! accept `YYYY-MM-DDTHH:MM:SS` (or with a space for `T`) **without an
//! offset, which is taken to be at `local_offset`** — UTC unless the mapping
//! says otherwise. A fixed offset cannot follow daylight saving time: sources
//! that write local times across a DST change should send RFC 3339 with the
//! offset (the jail-feed contract asks for it). Custom formats use the
//! `time` crate's format description syntax; a timestamp format without an
//! offset component is read at `local_offset` as well.
//!
//! Code values: a cell is looked up in the field's code table (exactly, then
//! ignoring ASCII case); a value not in the table is read as a Handoff value
//! (`F`/`M` for felony; `F`, `M`, `X`, `U` for sex; a race label or code;
//! `red`/`green` for shift); anything else is an "unknown code" in the report.

use crate::kind::{Field, Kind};
use handoff_domain::referral::{Race, Sex};
use std::collections::BTreeMap;
use time::UtcOffset;
use time::format_description::OwnedFormatItem;

/// A mapping file did not parse. `key` is the dotted path of the offending
/// key (`codes.felony.Y`, `columns.felonyy`), empty for a TOML syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping{}: {message}", if key.is_empty() { String::new() } else { format!(" key `{key}`") })]
pub struct MappingError {
    pub key: String,
    pub message: String,
}

impl MappingError {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A field whose values are codes the mapping can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodedField {
    Sex,
    Race,
    Felony,
    Shift,
}

impl CodedField {
    pub const ALL: &'static [CodedField] = &[
        CodedField::Sex,
        CodedField::Race,
        CodedField::Felony,
        CodedField::Shift,
    ];
    pub const fn name(&self) -> &'static str {
        match self {
            CodedField::Sex => "sex",
            CodedField::Race => "race",
            CodedField::Felony => "felony",
            CodedField::Shift => "shift",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == s)
    }
    /// Whether `value` is a valid Handoff value of this field.
    fn accepts(&self, value: &str) -> Result<(), String> {
        match self {
            CodedField::Sex => Sex::parse(value).map(|_| ()).map_err(|e| e.message),
            CodedField::Race => match common_race(value) {
                Some(_) => Ok(()),
                None => Race::parse(value).map(|_| ()).map_err(|e| e.message),
            },
            CodedField::Felony => crate::parse::felony_value(value)
                .map(|_| ())
                .ok_or_else(|| "expected F (felony) or M (not a felony), or true/false".into()),
            CodedField::Shift => crate::records::Shift::parse(value)
                .map(|_| ())
                .ok_or_else(|| "expected red or green".into()),
        }
    }
}

/// How a source's file maps onto Handoff's fields. Build it with
/// [`Mapping::default_for`] or [`Mapping::from_toml`].
#[derive(Debug, Clone)]
pub struct Mapping {
    kind: Option<Kind>,
    columns: BTreeMap<Field, String>,
    codes: BTreeMap<CodedField, BTreeMap<String, String>>,
    pub(crate) delimiter: u8,
    pub(crate) local_offset: UtcOffset,
    pub(crate) date_formats: Vec<OwnedFormatItem>,
    pub(crate) timestamp_formats: Vec<OwnedFormatItem>,
    pub(crate) charge_separator: char,
    pub(crate) charge_part_separator: char,
}

impl Default for Mapping {
    fn default() -> Self {
        Self {
            kind: None,
            columns: BTreeMap::new(),
            codes: BTreeMap::new(),
            delimiter: b',',
            local_offset: UtcOffset::UTC,
            date_formats: Vec::new(),
            timestamp_formats: Vec::new(),
            charge_separator: ';',
            charge_part_separator: '|',
        }
    }
}

impl Mapping {
    /// The documented default mapping of `kind`: default column names
    /// (`Kind::columns`), Handoff's own code values, ISO dates, RFC 3339
    /// timestamps (offset-less ones at UTC), `,` between cells, `;` between
    /// charges and `|` within one.
    pub fn default_for(kind: Kind) -> Self {
        Self {
            kind: Some(kind),
            ..Self::default()
        }
    }

    /// The same codes and formats under the default column names (for
    /// sources such as the JSON feed whose field names are Handoff's own).
    pub fn without_columns(&self) -> Self {
        Self {
            columns: BTreeMap::new(),
            ..self.clone()
        }
    }

    /// The default mapping of `kind` written out as a mapping file, every
    /// key explicit (code tables as commented examples): the starting point
    /// for a source whose columns or codes differ.
    pub fn default_toml(kind: Kind) -> String {
        let mut out = format!(
            "# Mapping for {kind} files. Every key is optional: as written, this\n\
             # file is the default mapping and changes nothing.\n\
             kind = \"{kind}\"\n\
             delimiter = \",\"\n\
             # Offset of timestamps written without one (RFC 3339 ones carry theirs).\n\
             local_offset = \"+00:00\"\n\
             # date_format = \"[month]/[day]/[year]\"   # default [year]-[month]-[day]\n\
             # timestamp_format = \"[month]/[day]/[year] [hour]:[minute]\"   # default RFC 3339\n"
        );
        if kind.has_field(Field::Charges) {
            out.push_str("charge_separator = \";\"\ncharge_part_separator = \"|\"\n");
        }
        out.push_str("\n# Handoff field = the source's column name.\n[columns]\n");
        for col in kind.columns() {
            out.push_str(&format!("{0} = \"{0}\"\n", col.field.name()));
        }
        out.push_str("\n# Source code = Handoff value, for example:\n# [codes.sex]\n# \"1\" = \"M\"\n# \"2\" = \"F\"\n# [codes.race]\n# B = \"Black/African American\"\n");
        if kind.has_field(Field::Felony) || kind.has_field(Field::Charges) {
            out.push_str("# [codes.felony]\n# Y = true\n# N = false\n");
        }
        if kind.has_field(Field::Shift) {
            out.push_str("# [codes.shift]\n# R = \"red\"\n# G = \"green\"\n");
        }
        out
    }

    /// The kind this mapping was written for, if it says.
    pub fn kind(&self) -> Option<Kind> {
        self.kind
    }

    /// The source column name for `field`.
    pub fn column(&self, field: Field) -> &str {
        self.columns
            .get(&field)
            .map(String::as_str)
            .unwrap_or(field.name())
    }

    /// Translates a source code to Handoff's value; `None` when the table
    /// has no entry (the value is then read as a Handoff value).
    pub fn translate(&self, field: CodedField, value: &str) -> Option<&str> {
        let table = self.codes.get(&field)?;
        table
            .get(value)
            .or_else(|| {
                table
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(value))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
    }

    /// Checks the mapping can be used for `kind`: the same kind if it names
    /// one, and only that kind's fields under `[columns]`.
    pub fn check_for(&self, kind: Kind) -> Result<(), MappingError> {
        if let Some(k) = self.kind
            && k != kind
        {
            return Err(MappingError::new(
                "kind",
                format!("the mapping is for {k}, not {kind}"),
            ));
        }
        for field in self.columns.keys() {
            if !kind.has_field(*field) {
                return Err(MappingError::new(
                    format!("columns.{field}"),
                    format!("{kind} have no field {field}"),
                ));
            }
        }
        for coded in self.codes.keys() {
            let used = match coded {
                CodedField::Sex => kind.has_field(Field::Sex),
                CodedField::Race => kind.has_field(Field::Race),
                // Felony codes also apply inside `charges` cells.
                CodedField::Felony => {
                    kind.has_field(Field::Felony) || kind.has_field(Field::Charges)
                }
                CodedField::Shift => kind.has_field(Field::Shift),
            };
            if !used {
                return Err(MappingError::new(
                    format!("codes.{}", coded.name()),
                    format!("{kind} have no {} values", coded.name()),
                ));
            }
        }
        Ok(())
    }

    /// Parses a mapping file. Errors name the key.
    pub fn from_toml(text: &str) -> Result<Self, MappingError> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| MappingError::new("", e.to_string()))?;
        let mut m = Mapping::default();
        for (key, value) in &table {
            match key.as_str() {
                "kind" => {
                    let s = as_str(key, value)?;
                    m.kind = Some(s.parse().map_err(|e: handoff_domain::ParseError| {
                        MappingError::new(key, e.message)
                    })?);
                }
                "delimiter" => {
                    let s = as_str(key, value)?;
                    let s = if s == "\\t" { "\t" } else { s };
                    match s.as_bytes() {
                        [b] if b.is_ascii() && *b != b'"' && *b != b'\n' && *b != b'\r' => {
                            m.delimiter = *b
                        }
                        _ => return Err(MappingError::new(key, "expected one ASCII character")),
                    }
                }
                "local_offset" => {
                    let s = as_str(key, value)?;
                    m.local_offset = parse_offset(s).ok_or_else(|| {
                        MappingError::new(key, "expected an offset such as +00:00 or -08:00")
                    })?;
                }
                "date_format" | "timestamp_format" => {
                    let list = match value {
                        toml::Value::String(s) => vec![(key.clone(), s.as_str())],
                        toml::Value::Array(a) => a
                            .iter()
                            .enumerate()
                            .map(|(i, v)| {
                                v.as_str()
                                    .map(|s| (format!("{key}[{i}]"), s))
                                    .ok_or_else(|| {
                                        MappingError::new(
                                            format!("{key}[{i}]"),
                                            "expected a string",
                                        )
                                    })
                            })
                            .collect::<Result<_, _>>()?,
                        _ => return Err(MappingError::new(key, "expected a string or a list")),
                    };
                    for (k, s) in list {
                        let item = time::format_description::parse_owned::<2>(s)
                            .map_err(|e| MappingError::new(k, format!("bad format: {e}")))?;
                        if key == "date_format" {
                            m.date_formats.push(item);
                        } else {
                            m.timestamp_formats.push(item);
                        }
                    }
                }
                "charge_separator" | "charge_part_separator" => {
                    let s = as_str(key, value)?;
                    let mut chars = s.chars();
                    let c = match (chars.next(), chars.next()) {
                        (Some(c), None) if c != '"' && c != '\n' => c,
                        _ => return Err(MappingError::new(key, "expected one character")),
                    };
                    if key == "charge_separator" {
                        m.charge_separator = c;
                    } else {
                        m.charge_part_separator = c;
                    }
                }
                "columns" => {
                    let t = as_table(key, value)?;
                    for (field, source) in t {
                        let path = format!("columns.{field}");
                        let f = Field::parse(field)
                            .ok_or_else(|| MappingError::new(&path, "not a Handoff field name"))?;
                        let source = as_str(&path, source)?.trim();
                        if source.is_empty() {
                            return Err(MappingError::new(&path, "empty column name"));
                        }
                        m.columns.insert(f, source.to_owned());
                    }
                }
                "codes" => {
                    let t = as_table(key, value)?;
                    for (field, table) in t {
                        let path = format!("codes.{field}");
                        let cf = CodedField::parse(field).ok_or_else(|| {
                            MappingError::new(&path, "only sex, race, felony and shift have codes")
                        })?;
                        let mut codes = BTreeMap::new();
                        for (code, v) in as_table(&path, table)? {
                            let path = format!("codes.{field}.{code}");
                            let target = match (cf, v) {
                                (CodedField::Felony, toml::Value::Boolean(b)) => {
                                    if *b { "F" } else { "M" }.to_owned()
                                }
                                (_, toml::Value::String(s)) => s.trim().to_owned(),
                                _ => return Err(MappingError::new(path, "expected a string")),
                            };
                            cf.accepts(&target)
                                .map_err(|msg| MappingError::new(&path, msg))?;
                            codes.insert(code.trim().to_owned(), target);
                        }
                        m.codes.insert(cf, codes);
                    }
                }
                other => {
                    return Err(MappingError::new(other, "unknown key"));
                }
            }
        }
        // Two fields read from one column would be a mistake in the file.
        let mut seen: BTreeMap<String, Field> = BTreeMap::new();
        for (field, source) in &m.columns {
            if let Some(prev) = seen.insert(source.to_ascii_lowercase(), *field) {
                return Err(MappingError::new(
                    format!("columns.{field}"),
                    format!("column {source:?} is already mapped to {prev}"),
                ));
            }
        }
        if m.charge_separator == m.charge_part_separator {
            return Err(MappingError::new(
                "charge_part_separator",
                "must differ from charge_separator",
            ));
        }
        Ok(m)
    }
}

fn as_str<'a>(key: &str, v: &'a toml::Value) -> Result<&'a str, MappingError> {
    v.as_str()
        .ok_or_else(|| MappingError::new(key, "expected a string"))
}

fn as_table<'a>(key: &str, v: &'a toml::Value) -> Result<&'a toml::Table, MappingError> {
    v.as_table()
        .ok_or_else(|| MappingError::new(key, "expected a table"))
}

fn parse_offset(s: &str) -> Option<UtcOffset> {
    let s = s.trim();
    if s == "Z" || s == "UTC" {
        return Some(UtcOffset::UTC);
    }
    let fmt = time::macros::format_description!("[offset_hour sign:mandatory]:[offset_minute]");
    UtcOffset::parse(s, &fmt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_key() {
        let cases = [
            ("kind = \"jail\"", "kind"),
            ("[columns]\nfelonyy = \"FEL\"", "columns.felonyy"),
            ("[codes.felony]\nY = \"maybe\"", "codes.felony.Y"),
            ("[codes.sex]\n1 = \"Q\"", "codes.sex.1"),
            ("[codes.race]\nB = \"Martian\"", "codes.race.B"),
            ("[codes.eye_colour]\nB = \"x\"", "codes.eye_colour"),
            ("local_offset = \"PST\"", "local_offset"),
            (
                "date_format = [\"[year]-[month]-[day]\", \"[nonsense]\"]",
                "date_format[1]",
            ),
            ("delimiter = \";;\"", "delimiter"),
            ("colums = {}", "colums"),
            (
                "[columns]\nfirst_name = \"NAME\"\nlast_name = \"name\"",
                "columns.last_name",
            ),
        ];
        for (text, key) in cases {
            let err = Mapping::from_toml(text).unwrap_err();
            assert_eq!(err.key, key, "{text}: {err}");
            assert!(err.to_string().contains(key));
        }
        let syntax = Mapping::from_toml("kind = ").unwrap_err();
        assert_eq!(syntax.key, "");
    }

    #[test]
    fn codes_translate_exactly_then_ignoring_case() {
        let m = Mapping::from_toml(
            "kind = \"charges\"\n[columns]\nfelony = \"FEL_IND\"\n[codes.felony]\nY = true\nN = \"M\"\n",
        )
        .unwrap();
        assert_eq!(m.kind(), Some(Kind::Charges));
        assert_eq!(m.column(Field::Felony), "FEL_IND");
        assert_eq!(m.column(Field::Statute), "statute");
        assert_eq!(m.translate(CodedField::Felony, "Y"), Some("F"));
        assert_eq!(m.translate(CodedField::Felony, "n"), Some("M"));
        assert_eq!(m.translate(CodedField::Felony, "X"), None);
        assert_eq!(m.translate(CodedField::Sex, "1"), None);
        assert!(m.check_for(Kind::Charges).is_ok());
        assert_eq!(m.check_for(Kind::Bookings).unwrap_err().key, "kind");
    }

    #[test]
    fn the_written_default_mapping_is_the_default_mapping() {
        for kind in Kind::ALL {
            let text = Mapping::default_toml(*kind);
            let m = Mapping::from_toml(&text).unwrap_or_else(|e| panic!("{kind}: {e}\n{text}"));
            assert_eq!(m.kind(), Some(*kind));
            assert!(m.check_for(*kind).is_ok());
            for col in kind.columns() {
                assert_eq!(m.column(col.field), col.field.name());
            }
            assert!(m.codes.is_empty());
        }
    }

    #[test]
    fn columns_of_another_kind_are_refused() {
        let m = Mapping::from_toml("[columns]\nbooking_number = \"BK\"").unwrap();
        assert!(m.check_for(Kind::Bookings).is_ok());
        assert_eq!(
            m.check_for(Kind::Persons).unwrap_err().key,
            "columns.booking_number"
        );
        let shift = Mapping::from_toml("[codes.shift]\nR = \"red\"").unwrap();
        assert!(shift.check_for(Kind::Persons).is_ok());
        assert_eq!(
            shift.check_for(Kind::Bookings).unwrap_err().key,
            "codes.shift"
        );
        let felony = Mapping::from_toml("[codes.felony]\nY = true").unwrap();
        assert!(felony.check_for(Kind::Arrests).is_ok());
        assert_eq!(
            felony.check_for(Kind::Persons).unwrap_err().key,
            "codes.felony"
        );
    }
}

/// The race codes and words jail and court systems commonly use, read
/// without a mapping file (a mapping's `[codes.race]` still comes first):
/// the one-letter codes B, W, H, A, I, P, U (and O, M) and the usual words
/// ("Black", "African American", "White", "Caucasian", "Hispanic",
/// "Latino", "Asian", "Native American", "American Indian", "Alaska
/// Native", "Pacific Islander", "Native Hawaiian", "Multiracial",
/// "Other", "Unknown"), ignoring case and spaces around them. Anything else
/// needs a mapping file.
pub fn common_race(value: &str) -> Option<Race> {
    let v = value.trim().to_ascii_lowercase();
    let v = v.replace(['-', '_'], " ");
    Some(match v.as_str() {
        "b" | "black" | "african american" | "black or african american" => {
            Race::BlackAfricanAmerican
        }
        "w" | "white" | "caucasian" => Race::White,
        "h" | "hispanic" | "latino" | "latina" | "latinx" | "hispanic or latino" => {
            Race::HispanicLatino
        }
        "a" | "asian" | "asian american" => Race::Asian,
        "i"
        | "n"
        | "native american"
        | "american indian"
        | "alaska native"
        | "alaskan native"
        | "american indian or alaska native" => Race::AmericanIndianAlaskaNative,
        "p"
        | "pacific islander"
        | "native hawaiian"
        | "native hawaiian or other pacific islander" => Race::NativeHawaiianPacificIslander,
        "m" | "multiracial" | "two or more races" | "mixed" => Race::Multiracial,
        "o" | "other" => Race::Other,
        "u" | "x" | "unknown" | "not recorded" | "refused" => Race::Unknown,
        _ => return None,
    })
}

#[cfg(test)]
mod common_race_tests {
    use super::*;

    #[test]
    fn the_common_codes_and_words_need_no_mapping() {
        let table = [
            ("B", Race::BlackAfricanAmerican),
            ("black", Race::BlackAfricanAmerican),
            ("African-American", Race::BlackAfricanAmerican),
            ("W", Race::White),
            ("Caucasian", Race::White),
            ("H", Race::HispanicLatino),
            (" Hispanic ", Race::HispanicLatino),
            ("Latino", Race::HispanicLatino),
            ("A", Race::Asian),
            ("Asian", Race::Asian),
            ("I", Race::AmericanIndianAlaskaNative),
            ("Native American", Race::AmericanIndianAlaskaNative),
            ("P", Race::NativeHawaiianPacificIslander),
            ("U", Race::Unknown),
            ("Unknown", Race::Unknown),
        ];
        for (code, race) in table {
            assert_eq!(common_race(code), Some(race), "{code}");
        }
        assert_eq!(common_race("Martian"), None);
        assert_eq!(common_race("Q"), None);
    }
}
