//! The audit log in the database, beneath the store: [`audit`] appends
//! entries (one, or a batch in one transaction, each chain's head locked
//! once), reads them back, keeps the heads and checks checkpoints' anchors;
//! [`audit_writer`] is the group-commit writer every standalone entry goes
//! through. The hash chain itself is `handoff-audit`; the SQL path is
//! `handoff-db`. The store re-exports both modules.

pub mod audit;
pub mod audit_writer;

pub(crate) use handoff_db::{Result, Store, StoreError, args, db, ids};
