//! What users are told: a new hand-off, an escalation, a hold reminder.
//! Only ids and a kind are stored; each notification is created once per
//! user and dedupe key, so sweeps can run again without repeating it.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{HoldId, NotificationId, ReferralId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: String,
    pub referral_id: Option<ReferralId>,
    pub hold_id: Option<HoldId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub read: bool,
}

pub struct NewNotification<'a> {
    pub site: SiteId,
    pub user: UserId,
    pub kind: &'a str,
    pub referral: Option<ReferralId>,
    pub hold: Option<HoldId>,
    pub dedupe_key: &'a str,
    pub at: OffsetDateTime,
}

/// Creates the notification unless this user already has one with the key.
/// True when created.
pub async fn notify(c: &mut Conn<'_>, n: NewNotification<'_>) -> Result<bool> {
    let created = c
        .execute(
            "INSERT INTO notifications (id, site_id, user_id, kind, referral_id, hold_id, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, dedupe_key, site_id) DO NOTHING",
            args![new_id::<NotificationId>(), n.site, n.user, n.kind, n.referral, n.hold, n.dedupe_key, n.at],
        )
        .await?;
    Ok(created == 1)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    referral_id: Option<Uuid>,
    hold_id: Option<Uuid>,
    created_at: OffsetDateTime,
    read_at: Option<OffsetDateTime>,
}

pub async fn for_user(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
    limit: i64,
) -> Result<Vec<Notification>> {
    Ok(c
        .fetch_all::<Row>(
            "SELECT id, kind, referral_id, hold_id, created_at, read_at FROM notifications WHERE site_id = $1 AND user_id = $2 \
             ORDER BY created_at DESC LIMIT $3",
            args![site, user, limit],
        )
        .await?
        .into_iter()
        .map(|r| Notification {
            id: r.id.into(),
            kind: r.kind,
            referral_id: r.referral_id.map(Into::into),
            hold_id: r.hold_id.map(Into::into),
            created_at: r.created_at,
            read: r.read_at.is_some(),
        })
        .collect())
}

pub async fn mark_read(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE notifications SET read_at = $3 WHERE site_id = $1 AND user_id = $2 AND read_at IS NULL",
        args![site, user, at],
    )
    .await?;
    Ok(())
}
