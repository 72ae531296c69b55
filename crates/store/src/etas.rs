//! "On my way" messages: the ETA the case manager who accepted a hand-off
//! sends the referring officer (minutes, who, when — no case content).

use crate::db::Conn;
use crate::{Result, args};
use handoff_domain::{ReferralId, SiteId, UserId};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The latest ETA sent on a referral.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Eta {
    pub referral_id: Uuid,
    pub sent_by: Uuid,
    pub minutes: i64,
    pub sent_at: OffsetDateTime,
}

pub async fn record(
    c: &mut Conn<'_>,
    site: SiteId,
    referral: ReferralId,
    by: UserId,
    minutes: i64,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO referral_etas (id, site_id, referral_id, sent_by, minutes, sent_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![Uuid::now_v7(), site, referral, by, minutes, at],
    )
    .await?;
    Ok(())
}

/// The latest ETA of each of some referrals of a site (one query per
/// chunk of referrals).
pub async fn latest(
    c: &mut Conn<'_>,
    site: SiteId,
    referrals: &[ReferralId],
) -> Result<HashMap<ReferralId, Eta>> {
    let rows = crate::access::fetch_in::<Eta, ReferralId>(c, site, referrals, |list| {
        format!(
            "SELECT referral_id, sent_by, minutes, sent_at FROM referral_etas \
             WHERE site_id = $1 AND referral_id IN ({list}) ORDER BY sent_at, id"
        )
    })
    .await?;
    Ok(rows
        .into_iter()
        .map(|e| (e.referral_id.into(), e))
        .collect())
}
