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

/// The answer of an API error that came from a layer below the handlers
/// (the router's 404 and 405, body limits, the framework's extractors),
/// which speak plain text: rewritten as `{"error": {"code", "message",
/// "field"?}}` so that every error of `/api/v1` has one shape.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // The framework's extractors answer 400 for a query string they cannot
    // read (a missing, repeated or mistyped parameter): like every other
    // refused input, that is a 422 naming the parameter.
    if status == StatusCode::BAD_REQUEST {
        parts.status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let status = parts.status;
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "There is no such resource.".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This resource does not answer that method.".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "The request body is larger than this operation accepts.".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Send JSON with Content-Type: application/json.".to_string(),
        ),
        s if s.is_server_error() => ("internal", "internal error".to_string()),
        _ => ("invalid", text.clone()),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message: if message.is_empty() {
                status.canonical_reason().unwrap_or("error").to_string()
            } else {
                message
            },
            field: field_named_in(&text),
        },
    };
    let mut res = (status, axum::Json(body)).into_response();
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            res.headers_mut().insert(name, value.clone());
        }
    }
    res
}

/// The field a framework message names (``missing field `q` ``), if any.
fn field_named_in(text: &str) -> Option<String> {
    let start = text.find("field `")? + "field `".len();
    let end = text[start..].find('`')?;
    Some(text[start..start + end].to_string())
}
