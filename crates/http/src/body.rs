//! JSON request bodies whose errors name the field: a body that does not
//! parse answers 422 with `{"error": {"code": "invalid", "field": "offenses[0].quantity_grams", …}}`.

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
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de)
            .map(Body)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = if path == "." {
                    "body".to_string()
                } else {
                    path
                };
                AppError::field(field, inner.to_string()).into()
            })
    }
}
