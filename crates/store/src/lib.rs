//! Handoff's store: the only crate that speaks SQL.
//!
//! One repository layer serves SQLite (the embedded default) and PostgreSQL
//! (production). Queries are written once, in the portable subset of SQL both
//! accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`), and run through
//! [`db::Conn`], which binds the same argument list to whichever backend the
//! database URL named. Rows decode through `sqlx::FromRow` derives that are
//! generic over the backend. Migrations live in one folder, also portable.
//!
//! Every table that holds site data carries `site_id`, and every function
//! that reads it takes the site id and filters by it.

pub mod access;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod casework;
pub mod contacts;
pub mod court;
pub mod db;
pub mod documents;
pub mod etas;
pub mod evidence;
pub mod goals;
pub mod holds;
pub mod ids;
pub mod justice;
pub mod keys;
pub mod monthly;
pub mod network;
pub mod notifications;
pub mod orgs;
pub mod owg;
pub mod page;
pub mod participation;
pub mod policy;
pub mod profile;
pub mod referrals;
pub mod releases;
pub mod roster;
pub mod sessions;
pub mod testing;
pub mod tokens;
pub mod users;

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

/// A stored text read back as the domain value it was written from; a
/// value the domain does not know is corrupt data, named by `what`.
pub(crate) fn stored<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: unknown value {text:?}")))
}
