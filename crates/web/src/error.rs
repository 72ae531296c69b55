//! One error type for handlers. API callers get `{"error": {"code",
//! "message", "field"?}}` with the right status; pages get a short HTML
//! page. The cause chain is logged, never sent: no stack traces, no SQL.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated | AppError::LoginFailed => StatusCode::UNAUTHORIZED,
            AppError::Locked => StatusCode::LOCKED,
            AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = %error_chain(e.as_ref()), "request failed");
        }
        let field = match &self {
            AppError::BadRequest { field, .. } => field.clone(),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message: self.to_string(),
                field,
            },
        };
        (self.status(), axum::Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
