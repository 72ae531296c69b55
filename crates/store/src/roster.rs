//! The on-call roster: case managers by time slot.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{ShiftId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Shift {
    pub id: ShiftId,
    pub user_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    user_id: Uuid,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
}

impl From<Row> for Shift {
    fn from(r: Row) -> Self {
        Shift {
            id: r.id.into(),
            user_id: r.user_id.into(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
        }
    }
}

pub async fn add(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<ShiftId> {
    let id: ShiftId = new_id();
    c.execute(
        "INSERT INTO roster_shifts (id, site_id, user_id, starts_at, ends_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![id, site, user, starts_at, ends_at, by, now],
    )
    .await?;
    Ok(id)
}

pub async fn remove(c: &mut Conn<'_>, site: SiteId, id: ShiftId) -> Result<()> {
    c.execute(
        "DELETE FROM roster_shifts WHERE site_id = $1 AND id = $2",
        args![site, id],
    )
    .await?;
    Ok(())
}

/// Shifts overlapping `[from, to)`.
pub async fn between(
    c: &mut Conn<'_>,
    site: SiteId,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<Shift>> {
    Ok(c
        .fetch_all::<Row>(
            "SELECT id, user_id, starts_at, ends_at FROM roster_shifts WHERE site_id = $1 AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at",
            args![site, from, to],
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Who is on call at `at`.
pub async fn on_call(c: &mut Conn<'_>, site: SiteId, at: OffsetDateTime) -> Result<Vec<UserId>> {
    let shifts = between(c, site, at, at + time::Duration::microseconds(1)).await?;
    let mut users: Vec<UserId> = shifts.into_iter().map(|s| s.user_id).collect();
    users.sort();
    users.dedup();
    Ok(users)
}
