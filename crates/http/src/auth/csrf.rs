//! CSRF tokens. Every session has one; state-changing requests authenticated
//! by the cookie must present it, as the `X-CSRF-Token` header (API, scripts)
//! or the `csrf_token` field of a URL-encoded or multipart form. Before login, the login
//! form is protected by a double-submit cookie.

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;

pub const HEADER: &str = "x-csrf-token";
pub const FIELD: &str = "csrf_token";
const FORM_LIMIT: usize = 4 * 1024 * 1024;
/// Uploads (evaluation data folders, documents).
const MULTIPART_LIMIT: usize = 64 * 1024 * 1024;

/// The value of a small text field in a multipart body.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let header = format!("name=\"{name}\"");
    let text = body;
    let mut start = 0;
    while let Some(pos) = find(&text[start..], delimiter.as_bytes()) {
        let part_start = start + pos + delimiter.len();
        let next = find(&text[part_start..], delimiter.as_bytes()).map(|p| part_start + p)?;
        let part = &text[part_start..next];
        if let Some(split) = find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]);
            if head.contains(&header) && !head.contains("filename=") {
                let value = &part[split + 4..];
                let value = value.strip_suffix(b"\r\n").unwrap_or(value);
                return String::from_utf8(value.to_vec()).ok();
            }
        }
        start = next;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Returns the request (body restored) and the token it presents, if any.
pub async fn presented_token(req: Request) -> Result<(Request, Option<String>), AppError> {
    if let Some(v) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    if let Some(boundary) = content_type
        .strip_prefix("multipart/form-data")
        .and_then(|rest| rest.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_string())
    {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, MULTIPART_LIMIT)
            .await
            .map_err(|_| AppError::field("body", "upload is too large"))?;
        let token = multipart_field(&bytes, &boundary, FIELD);
        return Ok((Request::from_parts(parts, Body::from(bytes)), token));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
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
