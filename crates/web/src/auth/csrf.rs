//! CSRF tokens. Every session has one; state-changing requests authenticated
//! by the cookie must present it, as the `X-CSRF-Token` header (API, scripts)
//! or the `csrf_token` field of a URL-encoded form. Before login, the login
//! form is protected by a double-submit cookie.

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Returns the request (body restored) and the token it presents, if any.
pub async fn presented_token(req: Request) -> Result<(Request, Option<String>), AppError> {
    if let Some(v) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::field("body", "form is too large"))?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
