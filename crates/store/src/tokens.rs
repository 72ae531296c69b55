//! API tokens for integrations (jail feeds, partner systems). A token acts as
//! the user it belongs to; only its SHA-256 is stored.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::{ApiTokenId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub site_id: SiteId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    site_id: Uuid,
    user_id: Uuid,
    name: String,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id.into(),
            site_id: r.site_id.into(),
            user_id: r.user_id.into(),
            name: r.name,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

const COLUMNS: &str = "id, site_id, user_id, name, created_at, last_used_at, revoked_at";

pub async fn create(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
    name: &str,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<ApiTokenId> {
    let id: ApiTokenId = new_id();
    c.execute(
        "INSERT INTO api_tokens (id, site_id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![id, site, user, name, token_hash, now],
    )
    .await?;
    Ok(id)
}

/// An unrevoked token by hash (global lookup: the token names its own site).
pub async fn find_active(c: &mut Conn<'_>, token_hash: &str) -> Result<Option<ApiToken>> {
    let sql =
        format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
    Ok(c.fetch_optional::<TokenRow>(&sql, args![token_hash])
        .await?
        .map(Into::into))
}

pub async fn touch(c: &mut Conn<'_>, id: ApiTokenId, now: OffsetDateTime) -> Result<()> {
    c.execute(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
        args![id, now],
    )
    .await?;
    Ok(())
}

pub async fn revoke(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ApiTokenId,
    now: OffsetDateTime,
) -> Result<()> {
    let n = c
        .execute(
            "UPDATE api_tokens SET revoked_at = $3 WHERE site_id = $1 AND id = $2 AND revoked_at IS NULL",
            args![site, id, now],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn list(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE site_id = $1 ORDER BY created_at");
    Ok(c.fetch_all::<TokenRow>(&sql, args![site])
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
