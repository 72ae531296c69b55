//! The site's defined areas (precincts, sectors): the vocabulary of places
//! a referral is filed under and oversight figures are labelled with.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{ReferralId, SiteId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Area {
    pub id: Uuid,
    pub name: String,
}

/// The site's areas, by name.
pub async fn list(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Area>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        name: String,
    }
    Ok(c.fetch_all::<Row>(
        "SELECT id, name FROM site_areas WHERE site_id = $1 ORDER BY name",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| Area {
        id: r.id,
        name: r.name,
    })
    .collect())
}

/// Adds an area to the site (nothing if it exists).
pub async fn ensure(c: &mut Conn<'_>, site: SiteId, name: &str, at: OffsetDateTime) -> Result<()> {
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO site_areas (id, site_id, name, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (site_id, name) DO NOTHING",
        args![id, site, name, at],
    )
    .await?;
    Ok(())
}

/// Files a referral under one of the site's areas (`area` from [`list`]).
pub async fn set_referral_area(
    c: &mut Conn<'_>,
    site: SiteId,
    referral: ReferralId,
    area: Uuid,
) -> Result<()> {
    c.execute(
        "UPDATE referrals SET area_id = $1 WHERE site_id = $2 AND id = $3",
        args![area, site, referral],
    )
    .await?;
    Ok(())
}

/// Each of the site's referrals with the name of its area, if filed under one.
pub async fn referral_areas(
    c: &mut Conn<'_>,
    site: SiteId,
) -> Result<Vec<(ReferralId, Option<String>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        name: Option<String>,
    }
    Ok(c.fetch_all::<Row>(
        "SELECT r.id AS id, a.name AS name FROM referrals r \
         LEFT JOIN site_areas a ON a.id = r.area_id AND a.site_id = r.site_id \
         WHERE r.site_id = $1",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| (r.id.into(), r.name))
    .collect())
}
