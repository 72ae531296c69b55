//! Linkage configuration: id column, compared fields, blocking rules.
//!
//! Read from TOML, or built from standard column names when there is none
//! (the same default on every data set).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LinkError, Result};

/// How a field is compared. Each kind has a default ladder of levels (see
/// [`ComparisonKind::default_levels`]); a field may override it with `levels`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonKind {
    /// Given name: exact, swapped with the surname, variant (nickname), typo, phonetic, initial.
    GivenName,
    /// Surname: exact, typo, Jaro–Winkler, phonetic (a swap is counted once, under the given name).
    Surname,
    /// Middle name: exact, initial, Jaro–Winkler.
    MiddleName,
    /// Date of birth `YYYY-MM-DD` or `YYYYMMDD`: exact, day/month swapped, one digit off, same year.
    Date,
    /// Exact match only (sex, race, state).
    Exact,
    /// Free text (city, suburb): exact, Jaro–Winkler ≥ 0.9 / ≥ 0.7.
    Text,
    /// Street address, abbreviations unified: exact, same without unit, Jaro–Winkler.
    Address,
    /// Short code (zip, postcode): exact, one edit.
    Code,
    /// Identifier (SSN): exact, one or two edits.
    Identifier,
}

impl ComparisonKind {
    /// The default level ladder of this kind, first satisfied level wins.
    pub fn default_levels(self, swap: bool) -> Vec<String> {
        let v: &[&str] = match self {
            ComparisonKind::GivenName if swap => &[
                "exact", "swapped", "variant", "dl:1", "jw:0.92", "phonetic", "jw:0.8", "initial",
                "else",
            ],
            ComparisonKind::GivenName => &[
                "exact", "variant", "dl:1", "jw:0.92", "phonetic", "jw:0.8", "initial", "else",
            ],
            ComparisonKind::Surname if swap => &[
                "exact",
                "swapped_neutral",
                "dl:1",
                "jw:0.92",
                "phonetic",
                "jw:0.8",
                "else",
            ],
            ComparisonKind::Surname => &["exact", "dl:1", "jw:0.92", "phonetic", "jw:0.8", "else"],
            ComparisonKind::MiddleName => &["exact", "initial", "jw:0.88", "else"],
            ComparisonKind::Date => &["exact", "date_swap", "one_digit", "same_year", "else"],
            ComparisonKind::Exact => &["exact", "else"],
            ComparisonKind::Text => &["exact", "jw:0.9", "jw:0.7", "else"],
            ComparisonKind::Address => &["exact", "core", "jw:0.9", "jw:0.7", "else"],
            ComparisonKind::Code => &["exact", "dl:1", "else"],
            ComparisonKind::Identifier => &["exact", "dl:1", "dl:2", "else"],
        };
        v.iter().map(|s| (*s).to_owned()).collect()
    }
}

/// One compared field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub column: String,
    pub comparison: ComparisonKind,
    /// Term-frequency adjustment of the exact level (rare values count more).
    #[serde(default)]
    pub term_frequency: bool,
    /// The other name column, for the first/last swapped level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_with: Option<String>,
    /// A field whose exact (or same-without-unit) agreement implies this one;
    /// then this field counts 0 (e.g. zip within address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Override of the level ladder: `exact`, `swapped`, `swapped_neutral`,
    /// `variant`, `phonetic`, `initial`, `core`, `date_swap`, `one_digit`,
    /// `same_year`, `dl:N`, `jw:T`; `else` is always last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<String>>,
}

/// How a blocking key is derived from a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    #[default]
    Exact,
    Soundex,
    Nysiis,
    /// Canonical given name (BOB → ROBERT).
    GivenName,
    /// Year of a date.
    Year,
    /// Date with day and month unordered (catches day/month swaps).
    DateUnordered,
    /// This column and `with` as an unordered pair (catches first/last swaps).
    UnorderedPair,
}

/// One part of a blocking key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPart {
    pub column: String,
    #[serde(default)]
    pub transform: Transform,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

/// A blocking rule: pairs whose derived keys are all equal (and present).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingRule {
    pub name: String,
    pub keys: Vec<KeyPart>,
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_id")]
    pub id: String,
    /// Seed of the random pair sampling for u-probabilities.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Number of random pairs sampled for u-probabilities.
    #[serde(default = "default_u_samples")]
    pub u_samples: u64,
    /// Blocks with more candidate pairs than this are skipped (and counted).
    #[serde(default = "default_max_block_pairs")]
    pub max_block_pairs: u64,
    /// Dedupe clustering never merges two clusters into one larger than this.
    #[serde(default = "default_max_cluster_size")]
    pub max_cluster_size: usize,
    #[serde(default = "default_em_iterations")]
    pub em_max_iterations: usize,
    /// Blocking rules whose pairs train m by EM (one session each). Default:
    /// the rules on names, dates and identifiers only (address blocks are
    /// dominated by households, whose members are not matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub em_rules: Option<Vec<String>>,
    #[serde(rename = "field")]
    pub fields: Vec<FieldSpec>,
    #[serde(rename = "blocking")]
    pub blocking: Vec<BlockingRule>,
}

fn default_id() -> String {
    "id".into()
}
fn default_seed() -> u64 {
    42
}
fn default_u_samples() -> u64 {
    1_000_000
}
fn default_max_block_pairs() -> u64 {
    1_000_000
}
fn default_max_cluster_size() -> usize {
    50
}
fn default_em_iterations() -> usize {
    200
}

/// Standard person columns and how they are compared by default.
const STANDARD: &[(&str, ComparisonKind, bool)] = &[
    ("first_name", ComparisonKind::GivenName, true),
    ("middle_name", ComparisonKind::MiddleName, false),
    ("last_name", ComparisonKind::Surname, true),
    ("dob", ComparisonKind::Date, false),
    ("sex", ComparisonKind::Exact, false),
    ("race", ComparisonKind::Exact, false),
    ("address", ComparisonKind::Address, false),
    ("street_number", ComparisonKind::Exact, true),
    ("address_1", ComparisonKind::Address, false),
    ("address_2", ComparisonKind::Text, false),
    ("suburb", ComparisonKind::Text, true),
    ("city", ComparisonKind::Text, true),
    ("zip", ComparisonKind::Code, true),
    ("postcode", ComparisonKind::Code, true),
    ("state", ComparisonKind::Exact, false),
    ("ssn", ComparisonKind::Identifier, false),
];

impl Config {
    /// Read and check a TOML configuration.
    pub fn from_toml_file(path: &Path) -> Result<Config> {
        let invalid = |path, message| LinkError::Config { path, message };
        crate::error::read_parsed(path, invalid, |text| {
            let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
            config.check()?;
            Ok(config)
        })
    }

    /// The default model for the standard columns present in `columns`
    /// (for a link, pass the columns present in both files).
    pub fn default_for_columns(columns: &[String]) -> Result<Config> {
        let has = |c: &str| columns.iter().any(|x| x == c);
        let mut fields = Vec::new();
        let address = ["address", "address_1"].into_iter().find(|c| has(c));
        for &(column, comparison, tf) in STANDARD {
            if !has(column) {
                continue;
            }
            let swap_with = match column {
                "first_name" if has("last_name") => Some("last_name".to_owned()),
                "last_name" if has("first_name") => Some("first_name".to_owned()),
                _ => None,
            };
            // Locality columns are implied by an agreeing street address;
            // counting them again would double the address evidence.
            let within = match column {
                "city" | "suburb" | "zip" | "postcode" => address.map(str::to_owned),
                _ => None,
            };
            fields.push(FieldSpec {
                column: column.into(),
                comparison,
                term_frequency: tf,
                swap_with,
                within,
                levels: None,
            });
        }
        if fields.is_empty() {
            return Err(LinkError::Spec(format!(
                "no standard person columns found (have: {}); pass --config",
                columns.join(", ")
            )));
        }
        let zip = ["zip", "postcode"].into_iter().find(|c| has(c));
        let part = |column: &str, transform| KeyPart {
            column: column.into(),
            transform,
            with: None,
        };
        let mut blocking = Vec::new();
        let mut rule = |name: &str, needs: &[&str], keys: Vec<KeyPart>| {
            if needs.iter().all(|c| has(c)) {
                blocking.push(BlockingRule {
                    name: name.into(),
                    keys,
                });
            }
        };
        rule(
            "names",
            &["first_name", "last_name"],
            vec![KeyPart {
                column: "first_name".into(),
                transform: Transform::UnorderedPair,
                with: Some("last_name".into()),
            }],
        );
        rule(
            "last_soundex+dob",
            &["last_name", "dob"],
            vec![
                part("last_name", Transform::Soundex),
                part("dob", Transform::DateUnordered),
            ],
        );
        rule(
            "first_variant+dob",
            &["first_name", "dob"],
            vec![
                part("first_name", Transform::GivenName),
                part("dob", Transform::DateUnordered),
            ],
        );
        // Zip codes can be few (a county's worth), so they only narrow
        // keys that are already selective.
        if let (Some(zip), Some(address)) = (zip, address) {
            let mut keys = vec![part(address, Transform::Exact), part(zip, Transform::Exact)];
            if has("street_number") {
                keys.push(part("street_number", Transform::Exact));
            }
            rule("address+zip", &[], keys);
        }
        if let Some(zip) = zip {
            rule(
                "dob+zip",
                &["dob"],
                vec![
                    part("dob", Transform::DateUnordered),
                    part(zip, Transform::Exact),
                ],
            );
            rule(
                "first_variant+last_soundex+zip",
                &["first_name", "last_name"],
                vec![
                    part("first_name", Transform::GivenName),
                    part("last_name", Transform::Soundex),
                    part(zip, Transform::Exact),
                ],
            );
        }
        rule(
            "first_variant+last_soundex+year",
            &["first_name", "last_name", "dob"],
            vec![
                part("first_name", Transform::GivenName),
                part("last_name", Transform::Soundex),
                part("dob", Transform::Year),
            ],
        );
        rule("ssn", &["ssn"], vec![part("ssn", Transform::Exact)]);
        if blocking.is_empty() {
            // No name/date columns: block on each field's exact value.
            for f in &fields {
                blocking.push(BlockingRule {
                    name: f.column.clone(),
                    keys: vec![part(&f.column, Transform::Exact)],
                });
            }
        }
        let config = Config {
            id: default_id(),
            seed: default_seed(),
            u_samples: default_u_samples(),
            max_block_pairs: default_max_block_pairs(),
            max_cluster_size: default_max_cluster_size(),
            em_max_iterations: default_em_iterations(),
            em_rules: None,
            fields,
            blocking,
        };
        config.check().map_err(LinkError::Spec)?;
        Ok(config)
    }

    /// Consistency checks that do not need the data.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.fields.is_empty() {
            return Err("no [[field]] entries".into());
        }
        if self.fields.len() > crate::compare::MAX_FIELDS {
            return Err(format!(
                "at most {} fields are supported",
                crate::compare::MAX_FIELDS
            ));
        }
        let is_field = |c: &str| self.fields.iter().any(|f| f.column == c);
        for f in &self.fields {
            if let Some(other) = &f.within
                && (!is_field(other) || *other == f.column)
            {
                return Err(format!(
                    "field `{}`: within `{other}` is not another field",
                    f.column
                ));
            }
            if let Some(other) = &f.swap_with
                && !is_field(other)
            {
                return Err(format!(
                    "field `{}`: swap_with `{other}` is not a field",
                    f.column
                ));
            }
            crate::compare::parse_levels(f)?;
        }
        if self.blocking.is_empty() {
            return Err("no [[blocking]] rules".into());
        }
        if self.blocking.len() > 16 {
            return Err("at most 16 blocking rules are supported".into());
        }
        for rule in &self.blocking {
            if rule.keys.is_empty() {
                return Err(format!("blocking rule `{}` has no keys", rule.name));
            }
            for k in &rule.keys {
                if !is_field(&k.column) {
                    return Err(format!(
                        "blocking rule `{}`: column `{}` is not a field",
                        rule.name, k.column
                    ));
                }
                match (&k.with, k.transform) {
                    (Some(w), Transform::UnorderedPair) if is_field(w) => {}
                    (_, Transform::UnorderedPair) => {
                        return Err(format!(
                            "blocking rule `{}`: unordered_pair needs `with` naming a field",
                            rule.name
                        ));
                    }
                    _ => {}
                }
            }
        }
        for r in self.em_rules.iter().flatten() {
            if !self.blocking.iter().any(|b| b.name == *r) {
                return Err(format!("em_rules: `{r}` is not a blocking rule"));
            }
        }
        if self.u_samples == 0 {
            return Err("u_samples must be positive".into());
        }
        Ok(())
    }

    /// Columns the engine reads besides the id, in field order.
    pub fn columns(&self) -> Vec<&str> {
        self.fields.iter().map(|f| f.column.as_str()).collect()
    }
}
