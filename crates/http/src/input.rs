//! Text that can be stored the same way on both databases. PostgreSQL cannot
//! hold a NUL character in text and SQLite would store it silently, and
//! other control characters in names, notes or addresses are never meant:
//! every request's query string, form body and JSON body is checked once,
//! here, before any handler runs. Tab and newline are allowed everywhere;
//! a carriage return only in forms (browsers send CRLF line ends from a
//! text area); bidirectional formatting characters nowhere. A refusal is a
//! 422 naming the field.

use crate::error::{AppError, WebError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The largest body checked here; larger bodies are refused by the handlers'
/// own limits.
const LIMIT: usize = 8 * 1024 * 1024;

/// Whether `c` may appear in stored text (`cr` allows a carriage return):
/// no control character but tab and newline, and no bidirectional
/// formatting character (they make text show other than it reads).
fn allowed(c: char, cr: bool) -> bool {
    if handoff_domain::text::BIDI_CONTROLS.contains(&c) {
        return false;
    }
    !c.is_control() || c == '\t' || c == '\n' || (cr && c == '\r')
}

/// The refusal of field `field` when `text` holds a control character.
pub fn check(field: &str, text: &str, cr: bool) -> Result<(), AppError> {
    match text.chars().find(|c| !allowed(*c, cr)) {
        None => Ok(()),
        Some(c) => Err(AppError::field(
            field,
            format!(
                "contains the invisible character U+{:04X}; text may hold tab and newline but no other \
                 control or text-direction character",
                c as u32
            ),
        )),
    }
}

/// Checks every string of a JSON value; the field is the value's path
/// (`offenses[0].description`).
pub fn check_json(value: &Value, path: &mut String) -> Result<(), AppError> {
    match value {
        Value::String(s) => check(if path.is_empty() { "body" } else { path }, s, false),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_json(v, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (k, v) in map {
                check(if path.is_empty() { "body" } else { path }, k, false)?;
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                check_json(v, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Checks urlencoded pairs (a query string or a form body).
fn check_pairs(raw: &[u8], cr: bool) -> Result<(), AppError> {
    for (k, v) in form_urlencoded(raw) {
        check("field name", &k, cr)?;
        check(&k, &v, cr)?;
    }
    Ok(())
}

fn form_urlencoded(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

/// The URI without its empty query parameters (`?to=&view=`): a form's
/// empty field means "not given", for every handler alike. `None` when
/// there is none to drop.
fn without_empty_parameters(uri: &axum::http::Uri) -> Option<axum::http::Uri> {
    let query = uri.query()?;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.ends_with('=') && pair.contains('='))
        .collect();
    let all = query.split('&').count();
    if kept.len() == all {
        return None;
    }
    let path = uri.path();
    let rebuilt = if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    rebuilt.parse().ok()
}

/// The middleware: refuses a request whose query string, form body or JSON
/// body carries a control character, before any handler sees it.
/// The API answers JSON; a page answers a short page saying what to fix.
pub async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    match checked(req).await {
        Ok(req) => next.run(req).await,
        Err(e) if api => WebError(e).into_response(),
        Err(AppError::BadRequest {
            field: Some(field),
            message,
        }) => crate::layout::error_page(AppError::BadRequest {
            message: format!(
                "The field “{field}” {message}. Go back, correct it and send the form again."
            ),
            field: Some(field),
        }),
        Err(e) => crate::layout::error_page(e),
    }
}

async fn checked(mut req: Request) -> Result<Request, AppError> {
    if let Some(q) = req.uri().query() {
        check_pairs(q.as_bytes(), false)?;
        if let Some(uri) = without_empty_parameters(req.uri()) {
            *req.uri_mut() = uri;
        }
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !form && !json {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LIMIT).await else {
        return Err(AppError::field("body", "is larger than 8 MB"));
    };
    if form {
        check_pairs(&bytes, true)?;
    } else if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
        // Bodies that are not JSON are refused by the handler's extractor,
        // which says where parsing failed.
        check_json(&value, &mut String::new())?;
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_with_the_path_of_their_field() {
        let v: Value = serde_json::json!({"a": "ok\tfine\n", "b": [{"note": "x\u{0}y"}]});
        let e = check_json(&v, &mut String::new()).unwrap_err();
        assert!(matches!(&e, AppError::BadRequest { field: Some(f), .. } if f == "b[0].note"));
        assert!(e.to_string().contains("U+0000"));
        let ok: Value = serde_json::json!({"a": "line one\nline two\ttab"});
        check_json(&ok, &mut String::new()).unwrap();
    }

    #[test]
    fn empty_query_parameters_mean_not_given() {
        let uri: axum::http::Uri = "/api/v1/caseloads?view=&limit=5&to=".parse().unwrap();
        assert_eq!(
            without_empty_parameters(&uri).unwrap().to_string(),
            "/api/v1/caseloads?limit=5"
        );
        let uri: axum::http::Uri = "/x?view=".parse().unwrap();
        assert_eq!(without_empty_parameters(&uri).unwrap().to_string(), "/x");
        let uri: axum::http::Uri = "/x?view=team".parse().unwrap();
        assert!(without_empty_parameters(&uri).is_none());
    }

    #[test]
    fn forms_allow_a_carriage_return_and_json_does_not() {
        check_pairs(b"note=a%0D%0Ab", true).unwrap();
        assert!(check_pairs(b"note=a%00b", true).is_err());
        assert!(check("note", "a\rb", false).is_err());
        assert!(check("note", "a\u{7f}b", true).is_err());
    }
}
