//! Errors of the linkage engine. Input errors name the file, line and column.

use std::path::PathBuf;

/// Everything that can go wrong while loading, training or scoring.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: line 1: the file is empty (no header row)")]
    Empty { path: PathBuf },
    #[error("{path}: line 2: no data rows after the header")]
    NoRows { path: PathBuf },
    #[error("{path}: line 1: column `{column}` not found in the header")]
    MissingColumn { path: PathBuf, column: String },
    #[error(
        "{path}: line {line}, column `{column}`: duplicate id `{id}` (first seen on line {first_line})"
    )]
    DuplicateId {
        path: PathBuf,
        line: u64,
        column: String,
        id: String,
        first_line: u64,
    },
    #[error("{path}: line {line}, column `{column}`: empty id")]
    EmptyId {
        path: PathBuf,
        line: u64,
        column: String,
    },
    #[error(
        "{path}: line {line}: expected {expected} fields as in the header, found {found} (column {column})"
    )]
    Ragged {
        path: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
        column: usize,
    },
    #[error("{path}: line {line}, column `{column}`: invalid UTF-8")]
    InvalidUtf8 {
        path: PathBuf,
        line: u64,
        column: String,
    },
    #[error("{path}: line {line}: malformed CSV: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: invalid configuration: {message}")]
    Config { path: PathBuf, message: String },
    #[error("{path}: invalid model: {message}")]
    Model { path: PathBuf, message: String },
    #[error("configuration: {0}")]
    Spec(String),
    /// Records given in memory that cannot be linked (an empty or duplicate id, none at all).
    #[error("records: {0}")]
    Records(String),
}

impl LinkError {
    /// Wraps an I/O error with the file it concerns: `.map_err(LinkError::io(path))`.
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> LinkError + '_ {
        move |source| LinkError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Reads a file and parses its text, naming the file in any error; `invalid`
/// builds the error for a text that does not parse or check.
pub(crate) fn read_parsed<T>(
    path: &std::path::Path,
    invalid: fn(PathBuf, String) -> LinkError,
    parse: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(LinkError::io(path))?;
    parse(&text).map_err(|message| invalid(path.into(), message))
}

pub type Result<T, E = LinkError> = std::result::Result<T, E>;
