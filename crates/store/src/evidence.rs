//! Evidence from the site's own data: the shift schedule (versions), the
//! eligible-but-booked log, programme costs (versions) and evaluation runs.

use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// One version of the site's diversion-on/off schedule.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Schedule {
    pub id: Uuid,
    pub version: i64,
    /// `random` or `rota`.
    pub method: String,
    /// `day` or `shift`.
    pub unit: String,
    pub seed: Option<i64>,
    pub on_percent: Option<i64>,
    /// JSON list of booleans (rota).
    pub rota: Option<String>,
    pub starts_on: String,
    pub adopted_on: String,
    pub note: Option<String>,
    pub recorded_by: Uuid,
    pub recorded_at: OffsetDateTime,
}

/// A new schedule version's content.
pub struct NewSchedule<'a> {
    pub method: &'a str,
    pub unit: &'a str,
    pub seed: Option<i64>,
    pub on_percent: Option<i64>,
    pub rota: Option<String>,
    pub starts_on: &'a str,
    pub adopted_on: &'a str,
    pub note: Option<&'a str>,
}

const SCHEDULE: &str = "id, version, method, unit, seed, on_percent, rota, starts_on, adopted_on, note, recorded_by, recorded_at";

#[derive(sqlx::FromRow)]
struct Max {
    v: Option<i64>,
}

/// Saves the next version of the schedule.
pub async fn save_schedule(
    c: &mut Conn<'_>,
    site: SiteId,
    s: NewSchedule<'_>,
    by: UserId,
    at: OffsetDateTime,
) -> Result<Schedule> {
    let max = c
        .fetch_one::<Max>(
            "SELECT MAX(version) AS v FROM shift_schedules WHERE site_id = $1",
            args![site],
        )
        .await?;
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO shift_schedules (id, site_id, version, method, unit, seed, on_percent, rota, starts_on, adopted_on, note, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        args![
            id,
            site,
            max.v.unwrap_or(0) + 1,
            s.method,
            s.unit,
            s.seed,
            s.on_percent,
            s.rota,
            s.starts_on,
            s.adopted_on,
            s.note,
            by,
            at
        ],
    )
    .await?;
    schedules(c, site)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(crate::StoreError::NotFound)
}

/// Every version of the schedule, newest first.
pub async fn schedules(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Schedule>> {
    let sql =
        format!("SELECT {SCHEDULE} FROM shift_schedules WHERE site_id = $1 ORDER BY version DESC");
    c.fetch_all::<Schedule>(&sql, args![site]).await
}

/// One logged eligible-but-booked arrest.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EligibleArrest {
    pub id: Uuid,
    pub incident_number: String,
    pub occurred_at: OffsetDateTime,
    /// JSON list of offences.
    pub offenses: String,
    /// JSON location.
    pub location: String,
    pub area: Option<String>,
    pub race: String,
    pub sex: String,
    pub approx_age: Option<i64>,
    pub dob: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub reason: String,
    pub diversion_on: Option<bool>,
    pub schedule_version: Option<i64>,
    pub logged_by: Uuid,
    pub agency_id: Uuid,
    pub logged_at: OffsetDateTime,
}

const ARREST: &str = "id, incident_number, occurred_at, offenses, location, area, race, sex, approx_age, dob, first_name, last_name, reason, diversion_on, schedule_version, logged_by, agency_id, logged_at";

/// Records one (the id is made here). A second with the same incident
/// number is a conflict.
pub async fn log_arrest(c: &mut Conn<'_>, site: SiteId, a: &EligibleArrest) -> Result<Uuid> {
    let id: Uuid = if a.id.is_nil() { new_id() } else { a.id };
    let sql = format!(
        "INSERT INTO eligible_arrests (site_id, {ARREST}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    );
    c.execute(
        &sql,
        args![
            site,
            id,
            a.incident_number.clone(),
            a.occurred_at,
            a.offenses.clone(),
            a.location.clone(),
            a.area.clone(),
            a.race.clone(),
            a.sex.clone(),
            a.approx_age,
            a.dob.clone(),
            a.first_name.clone(),
            a.last_name.clone(),
            a.reason.clone(),
            a.diversion_on,
            a.schedule_version,
            a.logged_by,
            a.agency_id,
            a.logged_at
        ],
    )
    .await?;
    Ok(id)
}

/// The site's eligible-but-booked arrests, oldest first.
pub async fn arrests(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<EligibleArrest>> {
    let sql = format!(
        "SELECT {ARREST} FROM eligible_arrests WHERE site_id = $1 ORDER BY occurred_at, id"
    );
    c.fetch_all::<EligibleArrest>(&sql, args![site]).await
}

/// How many the site has (the linker's cache fingerprint).
pub async fn arrest_count(c: &mut Conn<'_>, site: SiteId) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    Ok(c.fetch_one::<N>(
        "SELECT COUNT(*) AS n FROM eligible_arrests WHERE site_id = $1",
        args![site],
    )
    .await?
    .n)
}

/// One version of one period's cost in one category.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ProgramCost {
    pub id: Uuid,
    pub period_start: String,
    pub period_end: String,
    pub category: String,
    pub amount_cents: i64,
    pub note: Option<String>,
    pub version: i64,
    pub recorded_by: Uuid,
    pub recorded_at: OffsetDateTime,
}

const COST: &str =
    "id, period_start, period_end, category, amount_cents, note, version, recorded_by, recorded_at";

/// Records a cost: the next version of its period and category.
#[allow(clippy::too_many_arguments)]
pub async fn record_cost(
    c: &mut Conn<'_>,
    site: SiteId,
    period_start: &str,
    period_end: &str,
    category: &str,
    amount_cents: i64,
    note: Option<&str>,
    by: UserId,
    at: OffsetDateTime,
) -> Result<ProgramCost> {
    let max = c
        .fetch_one::<Max>(
            "SELECT MAX(version) AS v FROM program_costs WHERE site_id = $1 AND period_start = $2 AND period_end = $3 AND category = $4",
            args![site, period_start, period_end, category],
        )
        .await?;
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO program_costs (id, site_id, period_start, period_end, category, amount_cents, note, version, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            id,
            site,
            period_start,
            period_end,
            category,
            amount_cents,
            note,
            max.v.unwrap_or(0) + 1,
            by,
            at
        ],
    )
    .await?;
    let sql = format!("SELECT {COST} FROM program_costs WHERE site_id = $1 AND id = $2");
    c.fetch_one::<ProgramCost>(&sql, args![site, id]).await
}

/// Every version of every cost, oldest first.
pub async fn costs(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<ProgramCost>> {
    let sql = format!(
        "SELECT {COST} FROM program_costs WHERE site_id = $1 ORDER BY period_start, category, version"
    );
    c.fetch_all::<ProgramCost>(&sql, args![site]).await
}

/// One evaluation run.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Run {
    pub id: Uuid,
    pub requested_by: Uuid,
    pub from_on: String,
    pub to_on: String,
    /// `running`, `done` or `refused`.
    pub status: String,
    pub progress: String,
    pub n_lead: Option<i64>,
    pub n_control: Option<i64>,
    pub results: Option<String>,
    pub report: Option<String>,
    pub refusal: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

const RUN: &str = "id, requested_by, from_on, to_on, status, progress, n_lead, n_control, results, report, refusal, created_at, finished_at";

/// Starts a run (status `running`).
pub async fn start_run(
    c: &mut Conn<'_>,
    site: SiteId,
    by: UserId,
    from: &str,
    to: &str,
    at: OffsetDateTime,
) -> Result<Uuid> {
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO evaluation_runs (id, site_id, requested_by, from_on, to_on, status, progress, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'running', 'queued', $6)",
        args![id, site, by, from, to, at],
    )
    .await?;
    Ok(id)
}

/// Moves a running run's progress note on.
pub async fn run_progress(c: &mut Conn<'_>, site: SiteId, id: Uuid, progress: &str) -> Result<()> {
    c.execute(
        "UPDATE evaluation_runs SET progress = $3 WHERE site_id = $1 AND id = $2",
        args![site, id, progress],
    )
    .await?;
    Ok(())
}

/// What a finished run holds.
pub struct Finished<'a> {
    pub status: &'a str,
    pub n_lead: Option<i64>,
    pub n_control: Option<i64>,
    pub results: Option<&'a str>,
    pub report: Option<&'a str>,
    pub refusal: Option<&'a str>,
}

/// Ends a run.
pub async fn finish_run(
    c: &mut Conn<'_>,
    site: SiteId,
    id: Uuid,
    f: Finished<'_>,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE evaluation_runs SET status = $3, progress = 'finished', n_lead = $4, n_control = $5, results = $6, report = $7, refusal = $8, finished_at = $9 \
         WHERE site_id = $1 AND id = $2",
        args![
            site,
            id,
            f.status,
            f.n_lead,
            f.n_control,
            f.results,
            f.report,
            f.refusal,
            at
        ],
    )
    .await?;
    Ok(())
}

/// One run of the site.
pub async fn run(c: &mut Conn<'_>, site: SiteId, id: Uuid) -> Result<Run> {
    let sql = format!("SELECT {RUN} FROM evaluation_runs WHERE site_id = $1 AND id = $2");
    c.fetch_one::<Run>(&sql, args![site, id]).await
}

/// The site's runs, newest first, without their results (a page of `limit`).
pub async fn runs(c: &mut Conn<'_>, site: SiteId, limit: i64) -> Result<Vec<Run>> {
    let sql = "SELECT id, requested_by, from_on, to_on, status, progress, n_lead, n_control, \
         CAST(NULL AS TEXT) AS results, CAST(NULL AS TEXT) AS report, refusal, created_at, finished_at \
         FROM evaluation_runs WHERE site_id = $1 ORDER BY created_at DESC LIMIT $2";
    c.fetch_all::<Run>(sql, args![site, limit]).await
}

/// The services of every contact made in `[start, end)`, as stored (one
/// JSON list per contact), for aggregate figures.
pub async fn contact_services(
    c: &mut Conn<'_>,
    key: &crate::access::SiteTask,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<String>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        services: String,
    }
    let site = key.open(&[crate::access::SystemTask::Figures])?;
    Ok(c.fetch_all::<Row>(
        "SELECT services FROM contacts WHERE site_id = $1 AND occurred_at >= $2 AND occurred_at < $3",
        args![site, start, end],
    )
    .await?
    .into_iter()
    .map(|r| r.services)
    .collect())
}

/// Each participant's recorded housing, employment and income in the
/// months `from`..=`to` (YYYY-MM), for aggregate figures:
/// (participant, month, housing, employment, income_benefits).
pub type MonthRow = (Uuid, String, Option<String>, Option<String>, Option<bool>);

pub async fn month_rows(
    c: &mut Conn<'_>,
    key: &crate::access::SiteTask,
    from: &str,
    to: &str,
) -> Result<Vec<MonthRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        participant_id: Uuid,
        month: String,
        housing: Option<String>,
        employment: Option<String>,
        income_benefits: Option<bool>,
    }
    let site = key.open(&[crate::access::SystemTask::Figures])?;
    Ok(c.fetch_all::<Row>(
        "SELECT participant_id, month, housing, employment, income_benefits FROM monthly_status \
         WHERE site_id = $1 AND month >= $2 AND month <= $3 ORDER BY participant_id, month",
        args![site, from, to],
    )
    .await?
    .into_iter()
    .map(|r| {
        (
            r.participant_id,
            r.month,
            r.housing,
            r.employment,
            r.income_benefits,
        )
    })
    .collect())
}
