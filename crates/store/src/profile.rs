//! Profile extras of a participant, kept whole as JSON: extra aliases,
//! identifiers (booking numbers, state id), phone and e-mail, and where to
//! find the person (places and times).

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, StoreError, args};
use handoff_domain::DataCategory;
use handoff_domain::{ParticipantId, SiteId, UserId};
use time::OffsetDateTime;

pub async fn get(c: &mut Conn<'_>, g: &Grant) -> Result<Option<serde_json::Value>> {
    let (site, participant) = g.open(&[DataCategory::Identity])?;
    #[derive(sqlx::FromRow)]
    struct Rec {
        content: String,
    }
    c.fetch_optional::<Rec>(
        "SELECT content FROM profiles WHERE site_id = $1 AND participant_id = $2",
        args![site, participant],
    )
    .await?
    .map(|r| {
        serde_json::from_str(&r.content).map_err(|e| StoreError::Corrupt(format!("profile: {e}")))
    })
    .transpose()
}

pub async fn put(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    content: &serde_json::Value,
    by: UserId,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO profiles (participant_id, site_id, content, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (participant_id) DO UPDATE SET content = excluded.content, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        args![participant, site, content.to_string(), by, at],
    )
    .await?;
    Ok(())
}

/// Every profile of a site (for search), by participant.
pub async fn all(
    c: &mut Conn<'_>,
    site: SiteId,
) -> Result<Vec<(ParticipantId, serde_json::Value)>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        participant_id: uuid::Uuid,
        content: String,
    }
    Ok(c.fetch_all::<Rec>(
        "SELECT participant_id, content FROM profiles WHERE site_id = $1",
        args![site],
    )
    .await?
    .into_iter()
    .filter_map(|r| {
        Some((
            r.participant_id.into(),
            serde_json::from_str(&r.content).ok()?,
        ))
    })
    .collect())
}
