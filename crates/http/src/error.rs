//! Errors as HTTP answers. API callers get `{"error": {"code", "message",
//! "field"?}}` with the right status; pages get a short HTML page. The cause
//! chain is logged, never sent: no stack traces, no SQL.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
pub use handoff_services::error::{AppError, ErrorBody, ErrorDetail, error_chain};

/// A service error on its way out as an HTTP answer.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl<E: Into<AppError>> From<E> for WebError {
    fn from(e: E) -> Self {
        WebError(e.into())
    }
}

/// The HTTP status of a service error.
pub fn status(e: &AppError) -> StatusCode {
    match e {
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

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = self.0;
        if let AppError::Internal(cause) = &e {
            tracing::error!(error = %error_chain(cause.as_ref()), "request failed");
        }
        let field = match &e {
            AppError::BadRequest { field, .. } => field.clone(),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code().to_string(),
                message: e.to_string(),
                field,
            },
        };
        (status(&e), axum::Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, WebError>;
