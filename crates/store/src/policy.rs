//! Versioned eligibility policy. Every saved version is immutable, dated and
//! attributed; the current version is the highest number.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::eligibility::Policy;
use handoff_domain::{PolicyVersionId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct PolicyVersion {
    pub id: PolicyVersionId,
    pub site_id: SiteId,
    pub version: i64,
    pub policy: Policy,
    /// The whole stored document: the policy's keys and any the workflow
    /// reads beside them (the site's coordination: catchment, offices).
    pub document: serde_json::Value,
    pub note: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    site_id: Uuid,
    version: i64,
    content: String,
    note: Option<String>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
}

impl TryFrom<Row> for PolicyVersion {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(PolicyVersion {
            id: r.id.into(),
            site_id: r.site_id.into(),
            version: r.version,
            policy: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("policy version {}: {e}", r.version)))?,
            document: serde_json::from_str(&r.content)
                .map_err(|e| StoreError::Corrupt(format!("policy version {}: {e}", r.version)))?,
            note: r.note,
            created_by: r.created_by.map(Into::into),
            created_at: r.created_at,
        })
    }
}

const COLUMNS: &str = "id, site_id, version, content, note, created_by, created_at";

/// Saves a new version (the next number). Call inside a transaction.
pub async fn save(
    c: &mut Conn<'_>,
    site: SiteId,
    policy: &Policy,
    note: Option<&str>,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<PolicyVersion> {
    let doc = serde_json::to_value(policy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    save_document(c, site, policy, &doc, note, by, now).await
}

/// Saves a new version whose document holds `policy`'s keys and the
/// other keys of `extra` (an object; its keys that `policy` has are
/// replaced by the policy's).
pub async fn save_document(
    c: &mut Conn<'_>,
    site: SiteId,
    policy: &Policy,
    extra: &serde_json::Value,
    note: Option<&str>,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<PolicyVersion> {
    let mut doc = extra.as_object().cloned().unwrap_or_default();
    if let serde_json::Value::Object(keys) =
        serde_json::to_value(policy).map_err(|e| StoreError::Corrupt(e.to_string()))?
    {
        doc.extend(keys);
    }
    #[derive(sqlx::FromRow)]
    struct Max {
        v: Option<i64>,
    }
    let max = c
        .fetch_one::<Max>(
            "SELECT MAX(version) AS v FROM policy_versions WHERE site_id = $1",
            args![site],
        )
        .await?;
    let id: PolicyVersionId = new_id();
    let content = serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.execute(
        "INSERT INTO policy_versions (id, site_id, version, content, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![id, site, max.v.unwrap_or(0) + 1, content, note, by, now],
    )
    .await?;
    get(c, site, id).await
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: PolicyVersionId) -> Result<PolicyVersion> {
    let sql = format!("SELECT {COLUMNS} FROM policy_versions WHERE site_id = $1 AND id = $2");
    c.fetch_one::<Row>(&sql, args![site, id]).await?.try_into()
}

/// The version in force: the latest saved.
pub async fn current(c: &mut Conn<'_>, site: SiteId) -> Result<Option<PolicyVersion>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM policy_versions WHERE site_id = $1 ORDER BY version DESC LIMIT 1"
    );
    c.fetch_optional::<Row>(&sql, args![site])
        .await?
        .map(TryInto::try_into)
        .transpose()
}

pub async fn history(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<PolicyVersion>> {
    let sql =
        format!("SELECT {COLUMNS} FROM policy_versions WHERE site_id = $1 ORDER BY version DESC");
    c.fetch_all::<Row>(&sql, args![site])
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
