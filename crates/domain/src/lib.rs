//! Handoff's domain: the vocabulary of a LEAD site as types that cannot hold
//! invalid states, and the rules that govern them as data.
//!
//! Architecture invariant: this crate does no I/O — no files, no database, no
//! network, no clock. Callers pass "now" in. Everything here is a pure
//! function and is tested as one.

pub mod account;
pub mod audit;
pub mod category;
pub mod ids;
pub mod org;

pub use account::{Email, PasswordPolicy, PasswordRejected};
pub use category::DataCategory;
pub use ids::*;
pub use org::{AgencyKind, Role};

/// A value from outside the system did not parse. Names the field so a form
/// or an API client can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

impl ParseError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
