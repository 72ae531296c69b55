//! Per-site secret keys (`site_keys`), one per purpose: drawn once, kept,
//! never exported. Today: `hmis`, the key of the HMIS export's pseudonyms.

use crate::db::Conn;
use crate::{Result, args};
use handoff_domain::SiteId;
use time::OffsetDateTime;

/// The site's key for `purpose`, keeping `fresh` (hex) when the site has
/// none yet. Two exports racing for the first key both get the one stored.
pub async fn get_or_create(
    c: &mut Conn<'_>,
    site: SiteId,
    purpose: &str,
    fresh: &str,
    at: OffsetDateTime,
) -> Result<String> {
    c.execute(
        "INSERT INTO site_keys (site_id, purpose, key_hex, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (site_id, purpose) DO NOTHING",
        args![site, purpose, fresh, at],
    )
    .await?;
    let (key,): (String,) = c
        .fetch_one(
            "SELECT key_hex FROM site_keys WHERE site_id = $1 AND purpose = $2",
            args![site, purpose],
        )
        .await?;
    Ok(key)
}
