//! Streaming readers for the six evaluation input files (SPEC §2).
//!
//! Every problem is an [`InputError`] naming the file, line and column.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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

/// Most columns a reader asks for.
const MAX_COLS: usize = 8;
/// Bytes read per block; each block is parsed in parallel pieces.
const BLOCK: usize = 4 << 20;
/// Pieces per block.
const PIECES: usize = 16;

/// A field-level problem; the reader adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub column: Option<&'static str>,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(column: Option<&'static str>, message: String) -> Self {
        FieldError { column, message }
    }
}

/// Which header position holds each requested column.
struct Header {
    name: &'static str,
    wanted: Vec<&'static str>,
    slot_of: Vec<Option<usize>>,
}

impl Header {
    fn error(&self, line: Option<u64>, e: FieldError) -> InputError {
        InputError {
            file: self.name.into(),
            line,
            column: e.column.map(str::to_owned),
            message: e.message,
        }
    }

    fn split<'a>(&'a self, line: &'a [u8]) -> Result<Fields<'a>, FieldError> {
        let mut ranges = [(0, 0); MAX_COLS];
        let mut start = 0;
        let mut pos = 0;
        for field in line.split(|b| *b == b',') {
            if pos >= self.slot_of.len() {
                return Err(FieldError::new(
                    None,
                    format!("more fields than the {} header columns", self.slot_of.len()),
                ));
            }
            if let Some(slot) = self.slot_of[pos] {
                ranges[slot] = (start, start + field.len());
            }
            start += field.len() + 1;
            pos += 1;
        }
        if pos != self.slot_of.len() {
            return Err(FieldError::new(
                None,
                format!("{pos} fields, expected {}", self.slot_of.len()),
            ));
        }
        Ok(Fields {
            wanted: &self.wanted,
            line,
            ranges,
        })
    }
}

/// The requested fields of one data row, addressed by their position in the request.
pub(crate) struct Fields<'a> {
    wanted: &'a [&'static str],
    line: &'a [u8],
    ranges: [(usize, usize); MAX_COLS],
}

impl Fields<'_> {
    pub(crate) fn field(&self, slot: usize) -> &[u8] {
        let (a, b) = self.ranges[slot];
        &self.line[a..b]
    }

    pub(crate) fn error(&self, slot: usize, message: String) -> FieldError {
        FieldError::new(Some(self.wanted[slot]), message)
    }

    fn field_error(&self, slot: usize, what: &str) -> FieldError {
        let raw = String::from_utf8_lossy(self.field(slot));
        self.error(slot, format!("{what}, found \"{raw}\""))
    }

    pub(crate) fn int(&self, slot: usize) -> Result<i64, FieldError> {
        parse_int(self.field(slot)).ok_or_else(|| self.field_error(slot, "expected an integer"))
    }

    pub(crate) fn positive_id(&self, slot: usize) -> Result<u64, FieldError> {
        match parse_int(self.field(slot)) {
            Some(v) if v > 0 => Ok(v as u64),
            _ => Err(self.field_error(slot, "expected a positive integer id")),
        }
    }

    pub(crate) fn flag(&self, slot: usize) -> Result<bool, FieldError> {
        match self.field(slot) {
            b"0" => Ok(false),
            b"1" => Ok(true),
            _ => Err(self.field_error(slot, "expected 0 or 1")),
        }
    }

    /// `0`, `1` or empty (missing).
    pub(crate) fn optional_flag(&self, slot: usize) -> Result<Option<bool>, FieldError> {
        match self.field(slot) {
            b"" => Ok(None),
            b"0" => Ok(Some(false)),
            b"1" => Ok(Some(true)),
            _ => Err(self.field_error(slot, "expected 0, 1 or empty")),
        }
    }

    pub(crate) fn date(&self, slot: usize) -> Result<i32, FieldError> {
        parse_date(self.field(slot))
            .ok_or_else(|| self.field_error(slot, "malformed date (expected YYYY-MM-DD)"))
    }

    pub(crate) fn decimal(&self, slot: usize) -> Result<f64, FieldError> {
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
    pub(crate) fn category(&self, slot: usize, choices: &[&str]) -> Result<usize, FieldError> {
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

/// Records parsed from one piece of a block, with their line offsets.
struct Piece<T> {
    records: Vec<(u64, T)>,
    error: Option<(u64, FieldError)>,
    lines: u64,
}

/// Parses the lines of `piece` into `out` (whose record buffer is reused across blocks).
fn parse_piece<T>(
    header: &Header,
    piece: &[u8],
    parse: &(impl Fn(&Fields) -> Result<T, FieldError> + Sync),
    out: &mut Piece<T>,
) {
    out.records.clear();
    out.error = None;
    out.lines = 0;
    let mut rest = piece;
    while !rest.is_empty() {
        let (mut line, next) = match rest.iter().position(|b| *b == b'\n') {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let offset = out.lines;
        out.lines += 1;
        if let [head @ .., b'\r'] = line {
            line = head;
        }
        if line.is_empty() {
            continue;
        }
        match header.split(line).and_then(|f| parse(&f)) {
            Ok(v) => out.records.push((offset, v)),
            Err(e) => {
                out.error = Some((offset, e));
                break;
            }
        }
    }
}

/// Splits `data` (whole lines) into about `n` pieces at line ends.
fn pieces(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (data.len() * k / n).max(start);
        if let Some(p) = data[target..].iter().position(|b| *b == b'\n') {
            let end = target + p + 1;
            out.push(&data[start..end]);
            start = end;
        }
    }
    out.push(&data[start..]);
    out
}

/// A CSV file opened for reading: header parsed, data rows to come.
pub(crate) struct CsvFile {
    header: Header,
    file: File,
    buf: Vec<u8>,
    eof: bool,
}

impl CsvFile {
    pub(crate) fn open(
        dir: &Path,
        name: &'static str,
        wanted: &[&'static str],
    ) -> Result<CsvFile, InputError> {
        let path: PathBuf = dir.join(name);
        let io_err = |e: std::io::Error| InputError {
            file: name.into(),
            line: None,
            column: None,
            message: format!("cannot open {}: {e}", path.display()),
        };
        let file = File::open(&path).map_err(io_err)?;
        let header = Header {
            name,
            wanted: wanted.to_vec(),
            slot_of: Vec::new(),
        };
        let mut f = CsvFile {
            header,
            file,
            buf: Vec::new(),
            eof: false,
        };
        let header_end = loop {
            if let Some(p) = f.buf.iter().position(|b| *b == b'\n') {
                break p;
            }
            if f.eof {
                break f.buf.len();
            }
            f.fill()?;
        };
        if header_end == 0 && f.buf.is_empty() {
            return Err(f.header.error(
                None,
                FieldError::new(None, "file is empty (no header row)".into()),
            ));
        }
        let header_bytes = f.buf[..header_end]
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&f.buf[..header_end]);
        let text = String::from_utf8_lossy(header_bytes).into_owned();
        f.buf.drain(..(header_end + 1).min(f.buf.len()));
        let names: Vec<&str> = text.split(',').map(str::trim).collect();
        let line1 = |col: &'static str, msg: &str| {
            Err(InputError {
                file: name.into(),
                line: Some(1),
                column: Some(col.into()),
                message: msg.into(),
            })
        };
        for (pos, h) in names.iter().enumerate() {
            if let Some(w) = wanted.iter().find(|w| *w == h)
                && names[..pos].contains(h)
            {
                return line1(w, "column appears twice in the header");
            }
        }
        for w in wanted {
            if !names.contains(w) {
                return line1(w, "required column is missing from the header");
            }
        }
        f.header.slot_of = names
            .iter()
            .map(|h| wanted.iter().position(|w| w == h))
            .collect();
        Ok(f)
    }

    /// Appends up to one block from the file to the buffer.
    fn fill(&mut self) -> Result<(), InputError> {
        let old = self.buf.len();
        self.buf.resize(old + BLOCK, 0);
        let mut filled = old;
        while filled < self.buf.len() {
            match self.file.read(&mut self.buf[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(self
                        .header
                        .error(None, FieldError::new(None, format!("read error: {e}"))));
                }
            }
        }
        self.buf.truncate(filled);
        Ok(())
    }

    /// Parses every data row with `parse` (in parallel, block by block) and hands
    /// the records to `apply` in file order with their line numbers. Returns the
    /// number of data rows. The first problem in file order is the one reported.
    pub(crate) fn rows<T: Send>(
        self,
        parse: impl Fn(&Fields) -> Result<T, FieldError> + Sync,
        apply: impl FnMut(T, u64) -> Result<(), FieldError>,
    ) -> Result<u64, InputError> {
        self.rows_with_flush(parse, apply, || {})
    }

    /// As [`CsvFile::rows`], calling `flush` after the records of each block
    /// have been applied (to process buffered records in bulk).
    pub(crate) fn rows_with_flush<T: Send>(
        mut self,
        parse: impl Fn(&Fields) -> Result<T, FieldError> + Sync,
        mut apply: impl FnMut(T, u64) -> Result<(), FieldError>,
        mut flush: impl FnMut(),
    ) -> Result<u64, InputError> {
        let mut line_base = 2;
        let mut rows = 0;
        let mut slots: Vec<Piece<T>> = (0..PIECES)
            .map(|_| Piece {
                records: Vec::new(),
                error: None,
                lines: 0,
            })
            .collect();
        loop {
            if !self.eof {
                self.fill()?;
            }
            let end = if self.eof {
                self.buf.len()
            } else {
                match self.buf.iter().rposition(|b| *b == b'\n') {
                    Some(p) => p + 1,
                    None => continue,
                }
            };
            let data = &self.buf[..end];
            let header = &self.header;
            let parts = pieces(data, PIECES);
            slots
                .par_iter_mut()
                .zip(parts.par_iter())
                .for_each(|(slot, piece)| parse_piece(header, piece, &parse, slot));
            for piece in &mut slots[..parts.len()] {
                for (offset, record) in piece.records.drain(..) {
                    rows += 1;
                    apply(record, line_base + offset)
                        .map_err(|e| header.error(Some(line_base + offset), e))?;
                }
                if let Some((offset, e)) = piece.error.take() {
                    return Err(header.error(Some(line_base + offset), e));
                }
                line_base += piece.lines;
            }
            flush();
            self.buf.drain(..end);
            if self.eof {
                return Ok(rows);
            }
        }
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
