//! Sites and their partner agencies.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::{AgencyId, AgencyKind, SiteId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub slug: String,
    pub time_zone: String,
    pub webhook_url: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uuid,
    name: String,
    slug: String,
    time_zone: String,
    webhook_url: Option<String>,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Self {
        Site {
            id: r.id.into(),
            name: r.name,
            slug: r.slug,
            time_zone: r.time_zone,
            webhook_url: r.webhook_url,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Agency {
    pub id: AgencyId,
    pub site_id: SiteId,
    pub name: String,
    pub kind: AgencyKind,
}

#[derive(sqlx::FromRow)]
struct AgencyRow {
    id: Uuid,
    site_id: Uuid,
    name: String,
    kind: String,
}

impl TryFrom<AgencyRow> for Agency {
    type Error = StoreError;
    fn try_from(r: AgencyRow) -> Result<Self> {
        Ok(Agency {
            id: r.id.into(),
            site_id: r.site_id.into(),
            name: r.name,
            kind: r
                .kind
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("agency kind: {e}")))?,
        })
    }
}

pub async fn create_site(
    c: &mut Conn<'_>,
    name: &str,
    slug: &str,
    time_zone: &str,
    now: OffsetDateTime,
) -> Result<Site> {
    let id: SiteId = new_id();
    c.execute(
        "INSERT INTO sites (id, name, slug, time_zone, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![id, name, slug, time_zone, now],
    )
    .await?;
    get_site(c, id).await
}

pub async fn get_site(c: &mut Conn<'_>, id: SiteId) -> Result<Site> {
    c.fetch_one::<SiteRow>(
        "SELECT id, name, slug, time_zone, webhook_url FROM sites WHERE id = $1",
        args![id],
    )
    .await
    .map(Site::from)
}

pub async fn find_site_by_slug(c: &mut Conn<'_>, slug: &str) -> Result<Option<Site>> {
    Ok(c.fetch_optional::<SiteRow>(
        "SELECT id, name, slug, time_zone, webhook_url FROM sites WHERE slug = $1",
        args![slug],
    )
    .await?
    .map(Site::from))
}

pub async fn list_sites(c: &mut Conn<'_>) -> Result<Vec<Site>> {
    Ok(c.fetch_all::<SiteRow>(
        "SELECT id, name, slug, time_zone, webhook_url FROM sites ORDER BY name",
        args![],
    )
    .await?
    .into_iter()
    .map(Site::from)
    .collect())
}

pub async fn create_agency(
    c: &mut Conn<'_>,
    site: SiteId,
    name: &str,
    kind: AgencyKind,
    now: OffsetDateTime,
) -> Result<Agency> {
    let id: AgencyId = new_id();
    c.execute(
        "INSERT INTO agencies (id, site_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![id, site, name, kind.as_str(), now],
    )
    .await?;
    get_agency(c, site, id).await
}

pub async fn get_agency(c: &mut Conn<'_>, site: SiteId, id: AgencyId) -> Result<Agency> {
    c.fetch_one::<AgencyRow>(
        "SELECT id, site_id, name, kind FROM agencies WHERE site_id = $1 AND id = $2",
        args![site, id],
    )
    .await?
    .try_into()
}

pub async fn find_agency_by_name(
    c: &mut Conn<'_>,
    site: SiteId,
    name: &str,
) -> Result<Option<Agency>> {
    c.fetch_optional::<AgencyRow>(
        "SELECT id, site_id, name, kind FROM agencies WHERE site_id = $1 AND name = $2",
        args![site, name],
    )
    .await?
    .map(Agency::try_from)
    .transpose()
}

pub async fn list_agencies(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Agency>> {
    c.fetch_all::<AgencyRow>(
        "SELECT id, site_id, name, kind FROM agencies WHERE site_id = $1 ORDER BY name",
        args![site],
    )
    .await?
    .into_iter()
    .map(Agency::try_from)
    .collect()
}

/// Sets (or clears) the site's webhook for hand-off paging and alerts.
pub async fn set_webhook(c: &mut Conn<'_>, site: SiteId, url: Option<&str>) -> Result<()> {
    c.execute_found(
        "UPDATE sites SET webhook_url = $2 WHERE id = $1",
        args![site, url],
    )
    .await
}
