//! API tokens: integration principals (jail feeds, file drops, the housing
//! partner's export). A token is named, owned by an agency, carries
//! explicit scopes and an expiry, and is never a user's identity. Only its
//! SHA-256 is stored.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::integration::{Scopes, TokenState};
use handoff_domain::{AgencyId, ApiTokenId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub site_id: SiteId,
    pub agency_id: AgencyId,
    pub name: String,
    pub scopes: Scopes,
    /// The site admin who minted it; `None` for the command line.
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    pub fn state(&self, now: OffsetDateTime) -> TokenState {
        TokenState::at(now, self.expires_at, self.revoked_at)
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    site_id: Uuid,
    agency_id: Uuid,
    name: String,
    scopes: String,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    revoked_at: Option<OffsetDateTime>,
}

impl TryFrom<TokenRow> for ApiToken {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<Self> {
        let scopes = Scopes::from_storage(&r.scopes)
            .map_err(|e| StoreError::Corrupt(format!("api token {}: {e}", r.id)))?;
        Ok(ApiToken {
            id: r.id.into(),
            site_id: r.site_id.into(),
            agency_id: r.agency_id.into(),
            name: r.name,
            scopes,
            created_by: r.created_by.map(Into::into),
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
    }
}

const COLUMNS: &str = "id, site_id, agency_id, name, scopes, created_by, created_at, expires_at, last_used_at, revoked_at";

/// A token to store (the caller checked the agency belongs to the site).
pub struct NewToken<'a> {
    pub site: SiteId,
    pub agency: AgencyId,
    pub name: &'a str,
    pub scopes: &'a Scopes,
    pub token_hash: &'a str,
    pub created_by: Option<UserId>,
    pub expires_at: OffsetDateTime,
}

pub async fn create(c: &mut Conn<'_>, t: NewToken<'_>, now: OffsetDateTime) -> Result<ApiTokenId> {
    let id: ApiTokenId = new_id();
    c.execute(
        "INSERT INTO api_tokens (id, site_id, agency_id, name, scopes, token_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            id,
            t.site,
            t.agency,
            t.name,
            t.scopes.to_storage(),
            t.token_hash,
            t.created_by,
            now,
            t.expires_at
        ],
    )
    .await?;
    Ok(id)
}

/// A token by hash that is neither revoked nor expired at `now` (global
/// lookup: the token names its own site).
pub async fn find_active(
    c: &mut Conn<'_>,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<ApiToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"
    );
    c.fetch_optional::<TokenRow>(&sql, args![token_hash, now])
        .await?
        .map(ApiToken::try_from)
        .transpose()
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: ApiTokenId) -> Result<ApiToken> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE site_id = $1 AND id = $2");
    c.fetch_optional::<TokenRow>(&sql, args![site, id])
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
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
    c.execute_found(
        "UPDATE api_tokens SET revoked_at = $3 WHERE site_id = $1 AND id = $2 AND revoked_at IS NULL",
        args![site, id, now],
    )
    .await
}

/// Every token of a site, revoked and expired ones included, oldest first.
pub async fn list(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<ApiToken>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE site_id = $1 ORDER BY created_at");
    c.fetch_all::<TokenRow>(&sql, args![site])
        .await?
        .into_iter()
        .map(ApiToken::try_from)
        .collect()
}
