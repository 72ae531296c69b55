//! Handoff's domain: the vocabulary of a LEAD site as types that cannot hold
//! invalid states, and the rules that govern them as data.
//!
//! Architecture invariant: this crate does no I/O — no files, no database, no
//! network, no clock. Callers pass "now" in. Everything here is a pure
//! function and is tested as one.

pub mod account;
pub mod casework;
pub mod category;
pub mod disclosure;
pub mod eligibility;
pub mod handoff;
pub mod hold;
pub mod ids;
pub mod integration;
pub mod living;
pub mod org;
pub mod participation;
pub mod referral;
pub mod release;
pub mod rules;
pub mod site_time;
pub mod text;

pub use account::{DisplayName, Email, PasswordPolicy, PasswordRejected};
pub use category::DataCategory;
pub use ids::*;
pub use org::{AgencyKind, Role};

use std::borrow::Cow;

/// A text type's conversions for serde's `try_from = "String"` / `into`:
/// `TryFrom<String>` through its `parse(&str)`, and `From<Type>` back to text.
/// `text_conversions!(Email, ParseError, String, |v| v.0);`
#[macro_export]
macro_rules! text_conversions {
    ($t:ty, $err:ty, $back:ty, |$v:ident| $into:expr) => {
        impl TryFrom<String> for $t {
            type Error = $err;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$t> for $back {
            fn from($v: $t) -> Self {
                $into
            }
        }
    };
}

/// A value from outside the system did not parse. Names the field so a form
/// or an API client can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    /// The field's path as the client sent it: `email`,
    /// `offenses[0].quantity_grams`, `recipients[1].categories[0]`.
    pub field: Cow<'static, str>,
    pub message: String,
}

impl ParseError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error, one level down: `err.within("offenses[0]")` turns
    /// `quantity_grams` into `offenses[0].quantity_grams`.
    pub fn within(self, parent: impl std::fmt::Display) -> Self {
        Self {
            field: Cow::Owned(format!("{parent}.{}", self.field)),
            message: self.message,
        }
    }
}
