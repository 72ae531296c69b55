//! One error type for the services: what went wrong, in words for the
//! person who reads it, and (for bad input) the field at fault. The web
//! crate turns it into an HTTP answer.

use handoff_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid email, password or code")]
    LoginFailed,
    #[error("too many failed attempts; the account is locked for a while")]
    Locked,
    #[error("too many attempts from this address; wait a few minutes")]
    RateLimited,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { .. } => "invalid",
            AppError::Unauthenticated => "unauthenticated",
            AppError::LoginFailed => "login_failed",
            AppError::Locked => "locked",
            AppError::RateLimited => "rate_limited",
            AppError::Forbidden(_) => "forbidden",
            AppError::Csrf => "csrf",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(what) => AppError::Conflict(format!("already exists ({what})")),
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<handoff_domain::ParseError> for AppError {
    fn from(e: handoff_domain::ParseError) -> Self {
        AppError::field(e.field, e.message)
    }
}

/// Writes an error and its causes on one line, for the log.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code.
    pub code: String,
    /// A message for people.
    pub message: String,
    /// The request field at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;
