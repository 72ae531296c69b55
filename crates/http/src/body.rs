//! JSON request bodies whose errors name the field: a body that does not
//! parse answers 422 with `{"error": {"code": "invalid", "field": "offenses[0].quantity_grams", …}}`;
//! unknown fields are refused by name.

use crate::error::{AppError, WebError};
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

pub struct Body<T>(pub T);

const LIMIT: usize = 8 * 1024 * 1024;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, _: &S) -> Result<Self, WebError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        if !is_json {
            return Err(
                AppError::field("body", "send JSON with Content-Type: application/json").into(),
            );
        }
        let bytes = axum::body::to_bytes(req.into_body(), LIMIT)
            .await
            .map_err(|_| AppError::field("body", "is larger than 8 MB"))?;
        parse(&bytes).map(Body).map_err(Into::into)
    }
}

/// Parses a JSON body into `T`. A body that is not JSON names the line and
/// column where parsing failed; a value of the wrong type names its field;
/// a field `T` does not know is refused by name, so an integration's typo
/// is never silently dropped.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::field(
            "body",
            format!(
                "is not valid JSON: {} (line {}, column {})",
                e.to_string()
                    .split(" at line")
                    .next()
                    .unwrap_or("cannot be read"),
                e.line(),
                e.column()
            ),
        )
    })?;
    if !value.is_object() {
        return Err(AppError::field("body", "must be a JSON object"));
    }
    let mut unknown = Vec::new();
    let mut note = |path: serde_ignored::Path| unknown.push(path.to_string());
    let de = serde_ignored::Deserializer::new(value, &mut note);
    let parsed = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::field(field, e.into_inner().to_string())
    });
    if let Some(field) = unknown.into_iter().next() {
        return Err(AppError::field(
            field,
            "is not a field of this operation (see /api/v1/openapi.json)",
        ));
    }
    parsed
}
