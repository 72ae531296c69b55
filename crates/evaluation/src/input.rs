//! Streaming readers for the six evaluation input files (SPEC §2).
//!
//! Every problem is an [`InputError`] naming the file, line and column.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// A problem with the input files: which file, line and column, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    /// 1-based line number (the header is line 1), when the problem is on a line.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Reads a CSV file line by line and hands out the requested columns by header name.
pub(crate) struct CsvReader {
    name: &'static str,
    reader: BufReader<File>,
    line: u64,
    buf: Vec<u8>,
    wanted: Vec<&'static str>,
    /// For each header position, the index in `wanted` (or none).
    slot_of: Vec<Option<usize>>,
    ranges: Vec<(usize, usize)>,
}

impl CsvReader {
    pub(crate) fn open(
        dir: &Path,
        name: &'static str,
        wanted: &[&'static str],
    ) -> Result<CsvReader, InputError> {
        let path: PathBuf = dir.join(name);
        let file = File::open(&path).map_err(|e| InputError {
            file: name.into(),
            line: None,
            column: None,
            message: format!("cannot open {}: {e}", path.display()),
        })?;
        let mut r = CsvReader {
            name,
            reader: BufReader::with_capacity(1 << 20, file),
            line: 0,
            buf: Vec::with_capacity(256),
            wanted: wanted.to_vec(),
            slot_of: Vec::new(),
            ranges: vec![(0, 0); wanted.len()],
        };
        if !r.read_line()? {
            return Err(r.error(None, "file is empty (no header row)".into()));
        }
        let header = String::from_utf8_lossy(&r.buf).into_owned();
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        for (pos, h) in names.iter().enumerate() {
            if names[..pos].contains(h) {
                return Err(r.error(Some(h), "column appears twice in the header".into()));
            }
        }
        r.slot_of = names
            .iter()
            .map(|h| wanted.iter().position(|w| w == h))
            .collect();
        for w in wanted {
            if !names.contains(w) {
                return Err(r.error(Some(w), "required column is missing from the header".into()));
            }
        }
        Ok(r)
    }

    fn read_line(&mut self) -> Result<bool, InputError> {
        self.buf.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| InputError {
                file: self.name.into(),
                line: Some(self.line + 1),
                column: None,
                message: format!("read error: {e}"),
            })?;
        if n == 0 {
            return Ok(false);
        }
        self.line += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(true)
    }

    /// Advances to the next non-empty data row; `false` at end of file.
    pub(crate) fn next_row(&mut self) -> Result<bool, InputError> {
        loop {
            if !self.read_line()? {
                return Ok(false);
            }
            if self.buf.is_empty() {
                continue;
            }
            let mut start = 0;
            let mut pos = 0;
            for field in self.buf.split(|b| *b == b',') {
                if pos >= self.slot_of.len() {
                    return Err(self.error(
                        None,
                        format!("more fields than the {} header columns", self.slot_of.len()),
                    ));
                }
                if let Some(slot) = self.slot_of[pos] {
                    self.ranges[slot] = (start, start + field.len());
                }
                start += field.len() + 1;
                pos += 1;
            }
            if pos != self.slot_of.len() {
                return Err(self.error(
                    None,
                    format!("{pos} fields, expected {}", self.slot_of.len()),
                ));
            }
            return Ok(true);
        }
    }

    pub(crate) fn field(&self, slot: usize) -> &[u8] {
        let (a, b) = self.ranges[slot];
        &self.buf[a..b]
    }

    pub(crate) fn error(&self, column: Option<&str>, message: String) -> InputError {
        InputError {
            file: self.name.into(),
            line: Some(self.line.max(1)),
            column: column.map(str::to_owned),
            message,
        }
    }

    fn field_error(&self, slot: usize, what: &str) -> InputError {
        let raw = String::from_utf8_lossy(self.field(slot));
        self.error(Some(self.wanted[slot]), format!("{what}, found \"{raw}\""))
    }

    pub(crate) fn int(&self, slot: usize) -> Result<i64, InputError> {
        parse_int(self.field(slot)).ok_or_else(|| self.field_error(slot, "expected an integer"))
    }

    pub(crate) fn positive_id(&self, slot: usize) -> Result<u64, InputError> {
        match parse_int(self.field(slot)) {
            Some(v) if v > 0 => Ok(v as u64),
            _ => Err(self.field_error(slot, "expected a positive integer id")),
        }
    }

    pub(crate) fn flag(&self, slot: usize) -> Result<bool, InputError> {
        match self.field(slot) {
            b"0" => Ok(false),
            b"1" => Ok(true),
            _ => Err(self.field_error(slot, "expected 0 or 1")),
        }
    }

    /// `0`, `1` or empty (missing).
    pub(crate) fn optional_flag(&self, slot: usize) -> Result<Option<bool>, InputError> {
        match self.field(slot) {
            b"" => Ok(None),
            b"0" => Ok(Some(false)),
            b"1" => Ok(Some(true)),
            _ => Err(self.field_error(slot, "expected 0, 1 or empty")),
        }
    }

    pub(crate) fn date(&self, slot: usize) -> Result<i32, InputError> {
        parse_date(self.field(slot))
            .ok_or_else(|| self.field_error(slot, "malformed date (expected YYYY-MM-DD)"))
    }

    pub(crate) fn decimal(&self, slot: usize) -> Result<f64, InputError> {
        std::str::from_utf8(self.field(slot))
            .ok()
            .filter(|s| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            })
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.field_error(slot, "expected a decimal number"))
    }

    /// Index of the field's value in `choices`, or an "unknown category" error.
    pub(crate) fn category(&self, slot: usize, choices: &[&str]) -> Result<usize, InputError> {
        let v = self.field(slot);
        choices
            .iter()
            .position(|c| c.as_bytes() == v)
            .ok_or_else(|| {
                self.field_error(
                    slot,
                    &format!("unknown category (expected one of: {})", choices.join(", ")),
                )
            })
    }
}

/// Base-10 integer without a leading `+`.
pub(crate) fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(if neg { -v } else { v })
}

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` date (proleptic Gregorian).
pub(crate) fn parse_date(s: &[u8]) -> Option<i32> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let num = |r: &[u8]| -> Option<i32> {
        r.iter().try_fold(0i32, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + i32::from(b - b'0'))
        })
    };
    let (y, m, d) = (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i32, m: i32) -> i32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil.
pub(crate) fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day number.
pub(crate) fn format_date(z: i32) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i32::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Set of positive integer keys for duplicate detection: a bitset while the
/// keys are dense, a hash set otherwise.
pub(crate) struct KeySet {
    bits: Vec<u64>,
    sparse: std::collections::HashSet<u64>,
}

impl KeySet {
    pub(crate) fn new() -> Self {
        KeySet {
            bits: Vec::new(),
            sparse: std::collections::HashSet::new(),
        }
    }
    /// `false` when the key was already present.
    pub(crate) fn insert(&mut self, key: u64) -> bool {
        if key < (1 << 31) {
            let w = (key / 64) as usize;
            if w >= self.bits.len() {
                self.bits.resize((w + 1).max(self.bits.len() * 2), 0);
            }
            let mask = 1u64 << (key % 64);
            let fresh = self.bits[w] & mask == 0;
            self.bits[w] |= mask;
            fresh
        } else {
            self.sparse.insert(key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_bad_input() {
        assert_eq!(parse_date(b"1970-01-01"), Some(0));
        assert_eq!(parse_date(b"2015-12-31"), Some(16_800));
        assert_eq!(
            parse_date(b"2012-02-29").map(format_date).as_deref(),
            Some("2012-02-29")
        );
        for bad in [
            &b"2013-02-29"[..],
            b"2013-13-01",
            b"2013-1-01",
            b"13-01-2013",
            b"2013-01-00",
            b"2013/01/01",
        ] {
            assert_eq!(parse_date(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn integers_are_strict() {
        assert_eq!(parse_int(b"-730"), Some(-730));
        assert_eq!(parse_int(b"+5"), None);
        assert_eq!(parse_int(b""), None);
        assert_eq!(parse_int(b"1.0"), None);
    }
}
