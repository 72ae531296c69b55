//! Monthly status per participant-month: housing (a HUD living situation
//! and its collapsed value), the employment continuum and income/benefits.
//! The data behind the within-subject evaluation (SPEC.md `monthly.csv`).
//! Rows come from intake, from contacts, or from an explicit update; an
//! explicit update is never overwritten by a contact.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, args};
use handoff_domain::DataCategory;
use handoff_domain::{ParticipantId, SiteId, UserId};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub living_situation: Option<String>,
    pub housing: Option<String>,
    pub employment: Option<String>,
    pub income_benefits: Option<bool>,
    /// `intake`, `contact` or `explicit`.
    pub source: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Upsert<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub month: &'a str,
    pub living_situation: Option<&'a str>,
    pub housing: Option<&'a str>,
    pub employment: Option<&'a str>,
    pub income_benefits: Option<bool>,
    pub source: &'a str,
    pub by: Option<UserId>,
    pub at: OffsetDateTime,
}

/// Writes a month. An explicit update replaces the month; intake and
/// contacts fill in only what they know and never touch an explicit row.
pub async fn upsert(c: &mut Conn<'_>, u: Upsert<'_>) -> Result<()> {
    let sql = if u.source == "explicit" {
        "INSERT INTO monthly_status (site_id, participant_id, month, living_situation, housing, employment, income_benefits, source, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (participant_id, month, site_id) DO UPDATE SET living_situation = excluded.living_situation, housing = excluded.housing, \
         employment = excluded.employment, income_benefits = excluded.income_benefits, source = excluded.source, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at"
    } else {
        "INSERT INTO monthly_status (site_id, participant_id, month, living_situation, housing, employment, income_benefits, source, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (participant_id, month, site_id) DO UPDATE SET \
         living_situation = COALESCE(excluded.living_situation, monthly_status.living_situation), \
         housing = COALESCE(excluded.housing, monthly_status.housing), \
         employment = COALESCE(excluded.employment, monthly_status.employment), \
         income_benefits = COALESCE(excluded.income_benefits, monthly_status.income_benefits), \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at \
         WHERE monthly_status.source <> 'explicit'"
    };
    c.execute(
        sql,
        args![
            u.site,
            u.participant,
            u.month,
            u.living_situation,
            u.housing,
            u.employment,
            u.income_benefits,
            u.source,
            u.by,
            u.at
        ],
    )
    .await?;
    Ok(())
}

/// A participant's recorded months, oldest first.
pub async fn for_participant(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<MonthRow>> {
    let (site, participant) = g.open(&[DataCategory::Notes])?;
    c.fetch_all::<MonthRow>(
        "SELECT month, living_situation, housing, employment, income_benefits, source FROM monthly_status \
         WHERE site_id = $1 AND participant_id = $2 ORDER BY month",
        args![site, participant],
    )
    .await
}
