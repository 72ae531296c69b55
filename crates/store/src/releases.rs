//! Releases of information. The release is kept as the domain's
//! `StoredRelease` (its original form, effective day and revocation) and
//! rebuilt through `Release::from_stored`; effective and expiry days and the
//! revocation are also columns, for queries.

use crate::db::Conn;
use crate::referrals::iso;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::release::{Release, StoredRelease};
use handoff_domain::{DocumentId, ParticipantId, ReleaseId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct StoredReleaseRow {
    pub id: ReleaseId,
    pub participant_id: ParticipantId,
    pub release: Release,
    pub signature_document_id: Option<DocumentId>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    participant_id: Uuid,
    content: String,
    revoked_at: Option<OffsetDateTime>,
    signature_document_id: Option<Uuid>,
    created_by: Uuid,
    created_at: OffsetDateTime,
}

impl TryFrom<Row> for StoredReleaseRow {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        let corrupt = |e: String| StoreError::Corrupt(format!("release {}: {e}", r.id));
        let mut stored: StoredRelease =
            serde_json::from_str(&r.content).map_err(|e| corrupt(e.to_string()))?;
        stored.revoked_at = r.revoked_at;
        Ok(StoredReleaseRow {
            id: r.id.into(),
            participant_id: r.participant_id.into(),
            release: Release::from_stored(stored).map_err(|e| corrupt(e.to_string()))?,
            signature_document_id: r.signature_document_id.map(Into::into),
            created_by: r.created_by.into(),
            created_at: r.created_at,
        })
    }
}

const COLUMNS: &str =
    "id, participant_id, content, revoked_at, signature_document_id, created_by, created_at";

pub struct NewRelease<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub stored: &'a StoredRelease,
    pub release: &'a Release,
    pub signature: Option<DocumentId>,
    pub by: UserId,
    pub at: OffsetDateTime,
}

pub async fn create(c: &mut Conn<'_>, n: NewRelease<'_>) -> Result<ReleaseId> {
    let id: ReleaseId = new_id();
    c.execute(
        "INSERT INTO releases (id, site_id, participant_id, content, effective_on, expires_on, signature_document_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            id,
            n.site,
            n.participant,
            serde_json::to_string(n.stored).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            iso(n.release.effective_on()),
            iso(n.release.expires_on()),
            n.signature,
            n.by,
            n.at
        ],
    )
    .await?;
    Ok(id)
}

pub async fn for_participant(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
) -> Result<Vec<StoredReleaseRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM releases WHERE site_id = $1 AND participant_id = $2 ORDER BY created_at"
    );
    c.fetch_all::<Row>(&sql, args![site, participant])
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: ReleaseId) -> Result<StoredReleaseRow> {
    let sql = format!("SELECT {COLUMNS} FROM releases WHERE site_id = $1 AND id = $2");
    c.fetch_one::<Row>(&sql, args![site, id]).await?.try_into()
}

/// Revokes a release; effective immediately. False if already revoked.
pub async fn revoke(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReleaseId,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE releases SET revoked_at = $3 WHERE site_id = $1 AND id = $2 AND revoked_at IS NULL",
            args![site, id, at],
        )
        .await?;
    Ok(n == 1)
}

/// The releases of a list's participants, in a constant number of queries.
pub async fn for_participants(
    c: &mut Conn<'_>,
    site: SiteId,
    participants: &[ParticipantId],
) -> Result<Vec<StoredReleaseRow>> {
    crate::access::fetch_in::<Row, _>(c, site, participants, |list| {
        format!(
            "SELECT {COLUMNS} FROM releases WHERE site_id = $1 AND participant_id IN ({list}) ORDER BY created_at"
        )
    })
    .await?
    .into_iter()
    .map(TryInto::try_into)
    .collect()
}
