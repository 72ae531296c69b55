//! Files of a participant kept in the database: signed release forms, drawn
//! signatures, ID scans. Size-limited and content-type checked above.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{DocumentId, ParticipantId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Document {
    pub id: DocumentId,
    pub participant_id: Option<ParticipantId>,
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: OffsetDateTime,
}

pub struct NewDocument<'a> {
    pub site: SiteId,
    pub participant: Option<ParticipantId>,
    pub kind: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: Vec<u8>,
    pub sha256: &'a str,
    pub by: UserId,
    pub at: OffsetDateTime,
}

pub async fn create(c: &mut Conn<'_>, d: NewDocument<'_>) -> Result<DocumentId> {
    let id: DocumentId = new_id();
    let size = d.bytes.len() as i64;
    c.execute(
        "INSERT INTO documents (id, site_id, participant_id, kind, filename, content_type, size, sha256, bytes, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![id, d.site, d.participant, d.kind, d.filename, d.content_type, size, d.sha256, d.bytes, d.by, d.at],
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    participant_id: Option<Uuid>,
    kind: String,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: OffsetDateTime,
}

impl From<Row> for Document {
    fn from(r: Row) -> Self {
        Document {
            id: r.id.into(),
            participant_id: r.participant_id.map(Into::into),
            kind: r.kind,
            filename: r.filename,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

pub async fn list(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
) -> Result<Vec<Document>> {
    Ok(c
        .fetch_all::<Row>(
            "SELECT id, participant_id, kind, filename, content_type, size, sha256, created_at FROM documents \
             WHERE site_id = $1 AND participant_id = $2 ORDER BY created_at",
            args![site, participant],
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A document with its bytes.
pub async fn content(
    c: &mut Conn<'_>,
    site: SiteId,
    id: DocumentId,
) -> Result<(Document, Vec<u8>)> {
    #[derive(sqlx::FromRow)]
    struct Full {
        #[sqlx(flatten)]
        meta: Row,
        bytes: Vec<u8>,
    }
    let f = c
        .fetch_one::<Full>(
            "SELECT id, participant_id, kind, filename, content_type, size, sha256, created_at, bytes FROM documents WHERE site_id = $1 AND id = $2",
            args![site, id],
        )
        .await?;
    Ok((f.meta.into(), f.bytes))
}
