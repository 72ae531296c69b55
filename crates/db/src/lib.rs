//! Handoff's one SQL path, beneath the store.
//!
//! One connection layer serves SQLite (the embedded default) and PostgreSQL
//! (production). Queries are written once, in the portable subset of SQL both
//! accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`), and run through
//! [`db::Conn`], which binds the same argument list to whichever backend the
//! database URL named. Rows decode through `sqlx::FromRow` derives that are
//! generic over the backend. Migrations live here, in one portable folder and
//! one folder per backend. This crate knows no table's meaning: the store
//! (`handoff-store`) holds every query and the guard's loading.

pub mod backup;
pub mod db;
pub mod ids;
pub mod testing;

pub use db::{Backend, Conn, Store, Tx, Value};

/// What can go wrong in the store. "Not found" and "conflict" are domain
/// outcomes the web layer maps to 404 and 409; everything else is a 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error")]
    Db(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("unique key").to_string())
            }
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
