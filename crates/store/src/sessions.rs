//! Server-side sessions. The browser holds a random token; the database holds
//! its SHA-256, the CSRF token, and the idle and absolute deadlines.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{SessionId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub site_id: SiteId,
    pub user_id: UserId,
    pub csrf_token: String,
    pub mfa_passed: bool,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// The site the session acts in when it is not the account's own.
    pub acting_site_id: Option<SiteId>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    site_id: Uuid,
    user_id: Uuid,
    csrf_token: String,
    mfa_passed: bool,
    created_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    acting_site_id: Option<Uuid>,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id.into(),
            site_id: r.site_id.into(),
            user_id: r.user_id.into(),
            csrf_token: r.csrf_token,
            mfa_passed: r.mfa_passed,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            acting_site_id: r.acting_site_id.map(Into::into),
        }
    }
}

pub struct NewSession<'a> {
    pub site_id: SiteId,
    pub user_id: UserId,
    pub token_hash: &'a str,
    pub csrf_token: &'a str,
    pub mfa_passed: bool,
    pub expires_at: OffsetDateTime,
    pub client_ip: Option<&'a str>,
}

pub async fn create(c: &mut Conn<'_>, s: NewSession<'_>, now: OffsetDateTime) -> Result<SessionId> {
    let id: SessionId = new_id();
    c.execute(
        "INSERT INTO sessions (id, site_id, user_id, token_hash, csrf_token, mfa_passed, created_at, last_seen_at, expires_at, client_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
        args![id, s.site_id, s.user_id, s.token_hash, s.csrf_token, s.mfa_passed, now, s.expires_at, s.client_ip],
    )
    .await?;
    Ok(id)
}

/// The live session for a token hash: not past its absolute deadline and
/// used within the idle timeout. Expired sessions are deleted on sight.
pub async fn find_live(
    c: &mut Conn<'_>,
    token_hash: &str,
    idle_cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<Session>> {
    let row = c
        .fetch_optional::<SessionRow>(
            "SELECT id, site_id, user_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at, \
             acting_site_id FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?;
    match row {
        Some(r) if r.expires_at > now && r.last_seen_at > idle_cutoff => Ok(Some(r.into())),
        Some(r) => {
            c.execute("DELETE FROM sessions WHERE id = $1", args![r.id])
                .await?;
            Ok(None)
        }
        None => Ok(None),
    }
}

pub async fn touch(c: &mut Conn<'_>, id: SessionId, now: OffsetDateTime) -> Result<()> {
    c.execute(
        "UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
        args![id, now],
    )
    .await?;
    Ok(())
}

pub async fn mark_mfa_passed(c: &mut Conn<'_>, id: SessionId) -> Result<()> {
    c.execute(
        "UPDATE sessions SET mfa_passed = $2 WHERE id = $1",
        args![id, true],
    )
    .await?;
    Ok(())
}

pub async fn delete(c: &mut Conn<'_>, id: SessionId) -> Result<()> {
    c.execute("DELETE FROM sessions WHERE id = $1", args![id])
        .await?;
    Ok(())
}

/// Logout everywhere; also used when a user is disabled.
pub async fn delete_for_user(c: &mut Conn<'_>, site: SiteId, user: UserId) -> Result<u64> {
    c.execute(
        "DELETE FROM sessions WHERE site_id = $1 AND user_id = $2",
        args![site, user],
    )
    .await
}

/// Removes sessions past either deadline.
pub async fn purge_expired(
    c: &mut Conn<'_>,
    idle_cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<u64> {
    c.execute(
        "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2",
        args![now, idle_cutoff],
    )
    .await
}
