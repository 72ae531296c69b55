//! Documents of a participant (signed ROI forms, ID scans, letters), kept in
//! the database: size-limited, and the content type is decided by the
//! file's first bytes, never by what the client claims.

use super::case_for_work;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::documents::{self, NewDocument};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of file accepted, by their magic bytes.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentCreated {
    pub id: Uuid,
    pub content_type: String,
    pub size: usize,
}

const KINDS: &[&str] = &["roi_form", "id", "letter", "other"];

pub async fn upload(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    kind: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> AppResult<DocumentCreated> {
    if !KINDS.contains(&kind) {
        return Err(AppError::field(
            "kind",
            format!("must be one of {}", KINDS.join(", ")),
        ));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", "is empty"));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::field("file", "is larger than 5 MB"));
    }
    let content_type =
        sniff(&bytes).ok_or_else(|| AppError::field("file", "must be a PDF, PNG or JPEG file"))?;
    let filename: String = filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    let filename = if filename.trim().is_empty() {
        "document".to_string()
    } else {
        filename
    };
    let p = case_for_work(state, auth, actx, pid, "document.create").await?;
    let size = bytes.len();
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut tx = state.store.begin().await?;
    let id = documents::create(
        &mut tx.conn(),
        NewDocument {
            site: p.site_id,
            participant: Some(p.id),
            kind,
            filename: &filename,
            content_type,
            bytes,
            sha256: &sha,
            by: auth.user.id,
            at: now(),
        },
    )
    .await?;
    let mut e = audit::event(auth, "document.create", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("document:{id}"));
    e.categories = vec![DataCategory::Notes];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(DocumentCreated {
        id: *id.as_uuid(),
        content_type: content_type.to_string(),
        size,
    })
}
