//! Loading CSV files into interned, pre-processed columns.
//!
//! Each compared field has one dictionary of distinct normalised values shared
//! by both sides of a link, so exact agreement is an integer comparison and
//! phonetic codes, variant groups and parsed dates are computed once per value.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::compare::MAX_FIELDS;
use crate::config::{ComparisonKind, Config};
use crate::error::{LinkError, Result};
use crate::index::Record;
use crate::{names, text};

/// A small, fast hasher for interning strings (not DoS-resistant; the input is
/// the site's own files).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(buf))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A distinct, normalised field value with everything comparisons and
/// blocking need, computed once.
#[derive(Debug, Clone)]
pub struct Value {
    /// Normalised text (dates: 8 digits `YYYYMMDD`).
    pub text: Box<str>,
    pub h_text: u64,
    pub h_soundex: u64,
    pub h_nysiis: u64,
    /// Canonical given name hash (the name itself when not in the table).
    pub h_given: u64,
    /// Given-name variant groups.
    pub groups: &'static [u16],
    /// Address without its unit part (address fields only).
    pub core: Box<str>,
    /// `YYYYMMDD` digits packed big-endian (date fields only).
    pub date: Option<u64>,
    /// Hash of `core` (0 when empty).
    pub h_core: u64,
    /// Byte histogram (32 buckets) for cheap similarity bounds.
    pub bag: [u8; 32],
}

impl Value {
    /// Prepare a normalised, non-empty value for a field of `kind`.
    pub fn prepare(kind: ComparisonKind, normalised: &str) -> Value {
        let is_name = matches!(
            kind,
            ComparisonKind::GivenName | ComparisonKind::Surname | ComparisonKind::MiddleName
        );
        let (h_soundex, h_nysiis) = if is_name {
            (
                text::hash_bytes(text::soundex(normalised).as_bytes()),
                text::hash_bytes(text::nysiis(normalised).as_bytes()),
            )
        } else {
            (0, 0)
        };
        let groups = if is_name {
            names::variant_groups(normalised)
        } else {
            &[]
        };
        let h_text = text::hash_bytes(normalised.as_bytes());
        let h_given = if is_name {
            text::hash_bytes(names::canonical(normalised).as_bytes())
        } else {
            h_text
        };
        let core = if kind == ComparisonKind::Address {
            let mut core = String::new();
            text::address_into(normalised, &mut core, true);
            core.into_boxed_str()
        } else {
            Box::from("")
        };
        let mut bag = [0u8; 32];
        for b in normalised.bytes() {
            let slot = &mut bag[usize::from(b & 31)];
            *slot = slot.saturating_add(1);
        }
        let date = (kind == ComparisonKind::Date && normalised.len() == 8)
            .then(|| u64::from_be_bytes(normalised.as_bytes().try_into().unwrap_or([0; 8])));
        Value {
            date,
            h_core: if core.is_empty() {
                0
            } else {
                text::hash_bytes(core.as_bytes())
            },
            bag,
            h_text,
            text: normalised.into(),
            h_soundex,
            h_nysiis,
            h_given,
            groups,
            core,
        }
    }

    /// Upper bound on the characters two values can have in common.
    #[inline]
    pub fn common_bound(&self, other: &Value) -> usize {
        self.bag
            .iter()
            .zip(&other.bag)
            .map(|(a, b)| usize::from(*a.min(b)))
            .sum()
    }

    /// `YYYYMMDD` digits of a date value.
    pub fn date_digits(&self) -> Option<&[u8]> {
        (self.text.len() == 8).then_some(self.text.as_bytes())
    }
}

/// Normalise a raw cell for a field of `kind`; empty means missing.
pub fn normalise(kind: ComparisonKind, raw: &str) -> String {
    let mut out = String::new();
    normalise_into(kind, raw, &mut out);
    out
}

/// [`normalise`], appending to `out`.
pub fn normalise_into(kind: ComparisonKind, raw: &str, out: &mut String) {
    match kind {
        ComparisonKind::Date => {
            if let Some(d) = parse_date(raw) {
                out.push_str(&d);
            }
        }
        ComparisonKind::Address => text::address_into(raw, out, false),
        ComparisonKind::Code | ComparisonKind::Identifier => {
            out.extend(
                raw.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase()),
            );
        }
        ComparisonKind::GivenName | ComparisonKind::Surname | ComparisonKind::MiddleName => {
            text::words_into(raw, out, |c| c.is_alphanumeric() || c == '-');
        }
        ComparisonKind::Exact | ComparisonKind::Text => {
            text::words_into(raw, out, |c| !c.is_whitespace())
        }
    }
}

/// `YYYY-MM-DD` or `YYYYMMDD` to `YYYYMMDD`; anything else is treated as missing.
pub fn parse_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let b = raw.as_bytes();
    let digits: String = match b.len() {
        8 if b.iter().all(u8::is_ascii_digit) => raw.to_owned(),
        10 if b[4] == b'-' && b[7] == b'-' => {
            let d: String = raw.chars().filter(char::is_ascii_digit).collect();
            if d.len() != 8 {
                return None;
            }
            d
        }
        _ => return None,
    };
    Some(digits)
}

/// The dictionary of one field: distinct values and how often each occurs.
#[derive(Debug, Default)]
pub struct FieldDict {
    pub kind: Option<ComparisonKind>,
    /// Index 0 is unused (code 0 means missing).
    pub values: Vec<Value>,
    /// Occurrences per code over all loaded records, per side (code 0, the
    /// missing value, included).
    pub counts: [Vec<u32>; 2],
    pub lookup: FxMap<Box<str>, u32>,
}

impl FieldDict {
    /// Frequency of each code among the non-missing values of both sides.
    pub fn frequencies(&self) -> Vec<f64> {
        let count = |code: usize| u64::from(self.counts[0][code]) + u64::from(self.counts[1][code]);
        let total: u64 = (1..self.values.len()).map(count).sum();
        (0..self.values.len())
            .map(|c| {
                if c == 0 || total == 0 {
                    0.0
                } else {
                    count(c) as f64 / total as f64
                }
            })
            .collect()
    }
}

/// One loaded file: ids and a code per field and row.
#[derive(Debug)]
pub struct Table {
    /// The file read (empty for records given in memory).
    pub path: PathBuf,
    pub ids: Vec<String>,
    /// `codes[field][row]`; 0 is missing.
    pub codes: Vec<Vec<u32>>,
}

impl Table {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The records of a link (left and right) or a dedupe (left only).
#[derive(Debug)]
pub struct Dataset {
    pub dicts: Vec<FieldDict>,
    pub left: Table,
    pub right: Option<Table>,
    /// Precomputed term frequencies per field and code.
    pub tf: Vec<Vec<f64>>,
}

impl Dataset {
    /// The right table, or the left one for a dedupe.
    pub fn right_table(&self) -> &Table {
        self.right.as_ref().unwrap_or(&self.left)
    }
    pub fn is_dedupe(&self) -> bool {
        self.right.is_none()
    }
    pub fn record_count(&self) -> usize {
        self.left.len() + self.right.as_ref().map_or(0, Table::len)
    }
    /// The prepared value of `field` in `row` of `table`.
    #[inline]
    pub fn value(&self, table: &Table, field: usize, row: usize) -> Option<&Value> {
        let code = table.codes[field][row];
        (code != 0).then(|| &self.dicts[field].values[code as usize])
    }
}

/// Read the header row of a CSV file.
pub fn read_header(path: &Path) -> Result<Vec<String>> {
    let mut rdr = open(path)?;
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => header_strings(path, &rec),
        Ok(false) => Err(LinkError::Empty { path: path.into() }),
        Err(e) => Err(csv_error(path, e)),
    }
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(LinkError::io(path))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(file))
}

fn header_strings(path: &Path, rec: &csv::ByteRecord) -> Result<Vec<String>> {
    rec.iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(|s| s.trim_start_matches('\u{feff}').trim().to_owned())
                .map_err(|_| LinkError::InvalidUtf8 {
                    path: path.into(),
                    line: 1,
                    column: format!("#{}", i + 1),
                })
        })
        .collect()
}

fn csv_error(path: &Path, e: csv::Error) -> LinkError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(_) => LinkError::Io {
            path: path.into(),
            source: std::io::Error::other(e.to_string()),
        },
        _ => LinkError::Csv {
            path: path.into(),
            line,
            message: e.to_string(),
        },
    }
}

/// Load a link (two files) or a dedupe (one file) with `config`'s fields.
pub fn load(config: &Config, left: &Path, right: Option<&Path>) -> Result<Dataset> {
    load_with_progress(config, left, right, &crate::NoProgress)
}

/// [`load`], reporting bytes read to `progress`.
pub fn load_with_progress(
    config: &Config,
    left: &Path,
    right: Option<&Path>,
    progress: &dyn crate::Progress,
) -> Result<Dataset> {
    let kinds: Vec<ComparisonKind> = config.fields.iter().map(|f| f.comparison).collect();
    let mut dicts: Vec<FieldDict> = kinds
        .iter()
        .map(|&k| FieldDict {
            kind: Some(k),
            values: vec![Value::prepare(k, "")],
            ..FieldDict::default()
        })
        .collect();
    // Distinct raw strings per field, prepared in parallel at the end.
    let mut raw_values: Vec<Vec<Box<str>>> = vec![vec![Box::from("")]; kinds.len()];
    let left_table = load_table(
        config,
        left,
        &kinds,
        &mut dicts,
        &mut raw_values,
        0,
        progress,
    )?;
    let right_table = match right {
        Some(p) => Some(load_table(
            config,
            p,
            &kinds,
            &mut dicts,
            &mut raw_values,
            1,
            progress,
        )?),
        None => None,
    };
    Ok(prepared(dicts, raw_values, &kinds, left_table, right_table))
}

/// Prepares each field's distinct raw values and completes the data set.
fn prepared(
    mut dicts: Vec<FieldDict>,
    raw_values: Vec<Vec<Box<str>>>,
    kinds: &[ComparisonKind],
    left: Table,
    right: Option<Table>,
) -> Dataset {
    for (d, (raw, &kind)) in dicts.iter_mut().zip(raw_values.into_iter().zip(kinds)) {
        d.values = raw.par_iter().map(|s| Value::prepare(kind, s)).collect();
        for side in 0..2 {
            d.counts[side].resize(d.values.len(), 0);
        }
    }
    let tf = dicts.iter().map(FieldDict::frequencies).collect();
    Dataset {
        dicts,
        left,
        right,
        tf,
    }
}

/// A dedupe data set from records held in memory, with `config`'s fields:
/// the same normalisation and interning as [`load`], and no file read or
/// written. A column a record lacks is a missing value. Refuses an empty
/// id, a duplicate id and an empty list.
pub fn from_records(config: &Config, records: &[Record]) -> Result<Dataset> {
    let kinds: Vec<ComparisonKind> = config.fields.iter().map(|f| f.comparison).collect();
    let mut dicts: Vec<FieldDict> = kinds
        .iter()
        .map(|&k| FieldDict {
            kind: Some(k),
            ..FieldDict::default()
        })
        .collect();
    let mut raw_values: Vec<Vec<Box<str>>> = vec![vec![Box::from("")]; kinds.len()];
    let mut ids: Vec<String> = Vec::with_capacity(records.len());
    let mut codes: Vec<Vec<u32>> = vec![Vec::with_capacity(records.len()); kinds.len()];
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut text = String::new();
    for (n, rec) in records.iter().enumerate() {
        let id = rec.id.trim();
        if id.is_empty() {
            return Err(LinkError::Records(format!(
                "record {} has an empty id",
                n + 1
            )));
        }
        if !seen.insert(id) {
            return Err(LinkError::Records(format!(
                "record {}: duplicate id `{id}`",
                n + 1
            )));
        }
        for (f, field) in config.fields.iter().enumerate() {
            text.clear();
            let raw = rec.values.get(&field.column).map_or("", String::as_str);
            normalise_into(kinds[f], raw, &mut text);
            let dict = &mut dicts[f];
            let code = if text.is_empty() {
                0
            } else if let Some(&code) = dict.lookup.get(text.as_str()) {
                code
            } else {
                let code = u32::try_from(raw_values[f].len()).unwrap_or(u32::MAX);
                let key: Box<str> = text.as_str().into();
                raw_values[f].push(key.clone());
                dict.lookup.insert(key, code);
                code
            };
            let counts = &mut dict.counts[0];
            if counts.len() <= code as usize {
                counts.resize(code as usize + 1, 0);
            }
            counts[code as usize] += 1;
            codes[f].push(code);
        }
        ids.push(id.to_owned());
    }
    if ids.is_empty() {
        return Err(LinkError::Records("no records".into()));
    }
    let table = Table {
        path: PathBuf::new(),
        ids,
        codes,
    };
    Ok(prepared(dicts, raw_values, &kinds, table, None))
}

fn load_table(
    config: &Config,
    path: &Path,
    kinds: &[ComparisonKind],
    dicts: &mut [FieldDict],
    raw_values: &mut [Vec<Box<str>>],
    side: usize,
    progress: &dyn crate::Progress,
) -> Result<Table> {
    let mut rdr = open(path)?;
    let mut rec = csv::ByteRecord::new();
    let header = match rdr.read_byte_record(&mut rec) {
        Ok(true) => header_strings(path, &rec)?,
        Ok(false) => return Err(LinkError::Empty { path: path.into() }),
        Err(e) => return Err(csv_error(path, e)),
    };
    if header.iter().all(String::is_empty) {
        return Err(LinkError::Empty { path: path.into() });
    }
    let find = |c: &str| {
        header
            .iter()
            .position(|h| h == c)
            .ok_or_else(|| LinkError::MissingColumn {
                path: path.into(),
                column: c.to_owned(),
            })
    };
    let id_col = find(&config.id)?;
    let cols: Vec<usize> = config
        .fields
        .iter()
        .map(|f| find(&f.column))
        .collect::<Result<_>>()?;
    let mut ids: Vec<String> = Vec::new();
    let mut codes: Vec<Vec<u32>> = vec![Vec::new(); cols.len()];
    let mut seen: FxMap<u64, u64> = FxMap::default();
    // Rows are read in batches: parsed in order, checked and normalised in
    // parallel, then interned field by field in parallel.
    const BATCH: usize = 1 << 16;
    let n_columns = header.len();
    let read_batch =
        |rdr: &mut csv::Reader<std::fs::File>| -> Result<(Vec<(u64, csv::ByteRecord)>, bool)> {
            let mut batch: Vec<(u64, csv::ByteRecord)> = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let mut rec = csv::ByteRecord::new();
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => return Ok((batch, true)),
                    Err(e) => return Err(csv_error(path, e)),
                }
                let line = rec.position().map_or(0, csv::Position::line);
                if rec.len() == 1 && rec.get(0).is_some_and(<[u8]>::is_empty) {
                    continue; // blank line
                }
                if rec.len() != n_columns {
                    return Err(LinkError::Ragged {
                        path: path.into(),
                        line,
                        expected: n_columns,
                        found: rec.len(),
                        column: rec.len().min(n_columns) + 1,
                    });
                }
                batch.push((line, rec));
            }
            Ok((batch, false))
        };
    // Reading the next batch overlaps with processing the current one.
    let mut pending = read_batch(&mut rdr);
    let mut bytes_done = 0u64;
    loop {
        let (batch, done) = pending?;
        if batch.is_empty() && done {
            break;
        }
        let end = batch.last().map_or(bytes_done, |(_, r)| {
            r.position().map_or(bytes_done, csv::Position::byte)
        });
        progress.advance(end.saturating_sub(bytes_done));
        bytes_done = end;
        let rdr = &mut rdr;
        let process = || -> Result<()> {
            let rows: Vec<Result<(String, String, [u32; MAX_FIELDS])>> = batch
                .par_iter()
                .map(|(line, rec)| {
                    let line = *line;
                    // Check every cell, not only the ones used, so a corrupt file is refused.
                    for (i, cell) in rec.iter().enumerate() {
                        std::str::from_utf8(cell).map_err(|_| LinkError::InvalidUtf8 {
                            path: path.into(),
                            line,
                            column: header[i].clone(),
                        })?;
                    }
                    let cell = |c: usize| std::str::from_utf8(&rec[c]).unwrap_or_default();
                    let id = cell(id_col).trim();
                    if id.is_empty() {
                        return Err(LinkError::EmptyId {
                            path: path.into(),
                            line,
                            column: config.id.clone(),
                        });
                    }
                    // All normalised values of the row in one buffer.
                    let mut buf = String::with_capacity(rec.as_slice().len());
                    let mut ends = [0u32; MAX_FIELDS];
                    for (f, (&c, &k)) in cols.iter().zip(kinds).enumerate() {
                        normalise_into(k, cell(c), &mut buf);
                        ends[f] = buf.len() as u32;
                    }
                    Ok((id.to_owned(), buf, ends))
                })
                .collect();
            let mut batch_rows = Vec::with_capacity(rows.len());
            for r in rows {
                batch_rows.push(r?);
            }
            let lines: Vec<u64> = batch.iter().map(|(l, _)| *l).collect();
            drop(batch);
            let check_ids = || -> Result<()> {
                // Keyed by a 64-bit hash of the id (no copy of the id kept).
                for ((id, _, _), &line) in batch_rows.iter().zip(&lines) {
                    let h = text::hash_bytes(id.as_bytes());
                    if let Some(&first_line) = seen.get(&h) {
                        return Err(LinkError::DuplicateId {
                            path: path.into(),
                            line,
                            column: config.id.clone(),
                            id: id.clone(),
                            first_line,
                        });
                    }
                    seen.insert(h, line);
                }
                Ok(())
            };
            let intern = || {
                dicts
                    .par_iter_mut()
                    .zip(raw_values.par_iter_mut())
                    .zip(codes.par_iter_mut())
                    .enumerate()
                    .for_each(|(f, ((dict, raw), out))| {
                        for (_, buf, ends) in &batch_rows {
                            let start = if f == 0 { 0 } else { ends[f - 1] as usize };
                            let v = &buf[start..ends[f] as usize];
                            let code = if v.is_empty() {
                                0
                            } else if let Some(&code) = dict.lookup.get(v) {
                                code
                            } else {
                                let code = u32::try_from(raw.len()).unwrap_or(u32::MAX);
                                let key: Box<str> = v.into();
                                raw.push(key.clone());
                                dict.lookup.insert(key, code);
                                code
                            };
                            let counts = &mut dict.counts[side];
                            if counts.len() <= code as usize {
                                counts.resize(code as usize + 1, 0);
                            }
                            counts[code as usize] += 1;
                            out.push(code);
                        }
                    });
            };
            let (checked, ()) = rayon::join(check_ids, intern);
            checked?;
            ids.extend(batch_rows.into_iter().map(|(id, _, _)| id));
            Ok(())
        };
        let (next, processed) = rayon::join(
            || {
                if done {
                    Ok((Vec::new(), true))
                } else {
                    read_batch(rdr)
                }
            },
            process,
        );
        processed?;
        pending = next;
    }
    if ids.is_empty() {
        return Err(LinkError::NoRows { path: path.into() });
    }
    Ok(Table {
        path: path.into(),
        ids,
        codes,
    })
}
