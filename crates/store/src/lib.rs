//! Handoff's store: every query Handoff runs, over the one SQL path of
//! `handoff-db` (which this crate re-exports, so callers name one crate).
//!
//! Every table that holds site data carries `site_id`, and every function
//! that reads it takes the site id and filters by it. Participant data
//! leaves the store only through the access grants of [`access`].

pub mod access;
pub mod areas;
pub mod bulk;
pub mod casework;
pub mod contacts;
pub mod court;
pub mod documents;
pub mod etas;
pub mod evidence;
pub mod goals;
pub mod holds;
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
pub mod tokens;
pub mod users;

pub use handoff_audit_log::{audit, audit_writer};
pub use handoff_db::{
    Backend, Conn, Result, Store, StoreError, Tx, Value, args, backup, db, ids, on_both_backends,
    testing,
};

/// A stored text read back as the domain value it was written from; a
/// value the domain does not know is corrupt data, named by `what`.
pub(crate) fn stored<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{what}: unknown value {text:?}")))
}
