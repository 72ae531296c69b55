//! The network: networks and their sites, the network's staff, a person's
//! roles in sites other than their account's own, the site a session acts
//! in, the monthly per-site rollups of the Bureau's figures, and the
//! versioned scorecard targets. The aggregate readers at the end return
//! counts and times only, never a person.

use crate::access::{SiteTask, SystemTask};
use crate::db::Conn;
use crate::orgs::Site;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::{AgencyId, Role, SessionId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// A network's id (network-wide rows are few: a plain UUID).
pub type NetworkId = Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub id: NetworkId,
    pub name: String,
    pub slug: String,
}

#[derive(sqlx::FromRow)]
struct NetworkRow {
    id: Uuid,
    name: String,
    slug: String,
}

/// The network with this slug, made when missing.
pub async fn ensure(
    c: &mut Conn<'_>,
    name: &str,
    slug: &str,
    now: OffsetDateTime,
) -> Result<Network> {
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO networks (id, name, slug, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING",
        args![id, name, slug, now],
    )
    .await?;
    let r = c
        .fetch_one::<NetworkRow>(
            "SELECT id, name, slug FROM networks WHERE slug = $1",
            args![slug],
        )
        .await?;
    Ok(Network {
        id: r.id,
        name: r.name,
        slug: r.slug,
    })
}

pub async fn get(c: &mut Conn<'_>, id: NetworkId) -> Result<Network> {
    let r = c
        .fetch_one::<NetworkRow>(
            "SELECT id, name, slug FROM networks WHERE id = $1",
            args![id],
        )
        .await?;
    Ok(Network {
        id: r.id,
        name: r.name,
        slug: r.slug,
    })
}

/// Puts a site in a network (a site belongs to at most one).
pub async fn attach_site(c: &mut Conn<'_>, network: NetworkId, site: SiteId) -> Result<()> {
    c.execute_found(
        "UPDATE sites SET network_id = $2 WHERE id = $1",
        args![site, network],
    )
    .await
}

#[derive(sqlx::FromRow)]
struct NetworkOf {
    network_id: Option<Uuid>,
}

/// The network a site belongs to, if any.
pub async fn network_of_site(c: &mut Conn<'_>, site: SiteId) -> Result<Option<NetworkId>> {
    Ok(
        c.fetch_one::<NetworkOf>("SELECT network_id FROM sites WHERE id = $1", args![site])
            .await?
            .network_id,
    )
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uuid,
    name: String,
    slug: String,
    time_zone: String,
    webhook_url: Option<String>,
}

/// The sites of a network, by name.
pub async fn sites(c: &mut Conn<'_>, network: NetworkId) -> Result<Vec<Site>> {
    Ok(c
        .fetch_all::<SiteRow>(
            "SELECT id, name, slug, time_zone, webhook_url FROM sites WHERE network_id = $1 ORDER BY name, id",
            args![network],
        )
        .await?
        .into_iter()
        .map(|r| Site {
            id: r.id.into(),
            name: r.name,
            slug: r.slug,
            time_zone: r.time_zone,
            webhook_url: r.webhook_url,
        })
        .collect())
}

/// Makes a person a member of the network's staff in `role`.
pub async fn add_member(
    c: &mut Conn<'_>,
    network: NetworkId,
    user: UserId,
    role: Role,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO network_members (network_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
        args![network, user, role.as_str(), now],
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    network_id: Uuid,
    role: String,
}

/// The networks a person works for, with their roles there (a lookup by
/// the user's globally unique id, like a session's).
pub async fn memberships(c: &mut Conn<'_>, user: UserId) -> Result<Vec<(NetworkId, Role)>> {
    c.fetch_all::<MemberRow>(
        "SELECT network_id, role FROM network_members WHERE user_id = $1 ORDER BY network_id, role",
        args![user],
    )
    .await?
    .into_iter()
    .map(|r| {
        let role = r
            .role
            .parse::<Role>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((r.network_id, role))
    })
    .collect()
}

/// Gives a person `role` in a site other than their account's own, acting
/// for `agency` there.
pub async fn grant_site_role(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
    agency: AgencyId,
    role: Role,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO site_roles (site_id, user_id, agency_id, role, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (site_id, user_id, role) DO UPDATE SET agency_id = excluded.agency_id",
        args![site, user, agency, role.as_str(), now],
    )
    .await?;
    Ok(())
}

/// A site a person may act in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SiteChoice {
    pub id: SiteId,
    pub name: String,
    pub slug: String,
}

#[derive(sqlx::FromRow)]
struct ChoiceRow {
    id: Uuid,
    name: String,
    slug: String,
}

/// Every site a person holds a role in: their account's own and those of
/// `site_roles`, by name.
pub async fn sites_of_user(
    c: &mut Conn<'_>,
    home: SiteId,
    user: UserId,
) -> Result<Vec<SiteChoice>> {
    Ok(c.fetch_all::<ChoiceRow>(
        "SELECT id, name, slug FROM sites WHERE id = $1 \
             OR id IN (SELECT site_id FROM site_roles WHERE user_id = $2) ORDER BY name, id",
        args![home, user],
    )
    .await?
    .into_iter()
    .map(|r| SiteChoice {
        id: r.id.into(),
        name: r.name,
        slug: r.slug,
    })
    .collect())
}

#[derive(sqlx::FromRow)]
struct SiteRoleRow {
    agency_id: Uuid,
    role: String,
    can_approve: bool,
}

/// A person's organisation, roles and designation in a site other than
/// their account's own; `None` when they hold no role there.
pub async fn roles_in(
    c: &mut Conn<'_>,
    site: SiteId,
    user: UserId,
) -> Result<Option<(AgencyId, Vec<Role>, bool)>> {
    let rows = c
        .fetch_all::<SiteRoleRow>(
            "SELECT agency_id, role, can_approve FROM site_roles WHERE site_id = $1 AND user_id = $2 ORDER BY role",
            args![site, user],
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let agency = first.agency_id.into();
    let approve = rows.iter().any(|r| r.can_approve);
    let roles = rows
        .iter()
        .map(|r| {
            r.role
                .parse::<Role>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some((agency, roles, approve)))
}

/// Sets the site a session acts in (`None`: the account's own).
pub async fn set_acting_site(
    c: &mut Conn<'_>,
    session: SessionId,
    site: Option<SiteId>,
) -> Result<()> {
    c.execute_found(
        "UPDATE sessions SET acting_site_id = $2 WHERE id = $1",
        args![session, site],
    )
    .await
}

// ---- Rollups ----------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Rollup {
    pub month: String,
    /// The month's raw counts as JSON (the network crate's `MonthCounts`).
    pub figures: String,
    pub refreshed_at: OffsetDateTime,
}

/// The stored rollups of a site for months `from..=to` (`YYYY-MM`).
pub async fn rollups(c: &mut Conn<'_>, site: SiteId, from: &str, to: &str) -> Result<Vec<Rollup>> {
    c.fetch_all::<Rollup>(
        "SELECT month, figures, refreshed_at FROM site_month_figures \
         WHERE site_id = $1 AND month >= $2 AND month <= $3 ORDER BY month",
        args![site, from, to],
    )
    .await
}

pub async fn put_rollup(
    c: &mut Conn<'_>,
    site: SiteId,
    month: &str,
    figures: &str,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO site_month_figures (site_id, month, figures, refreshed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (site_id, month) DO UPDATE SET figures = excluded.figures, refreshed_at = excluded.refreshed_at",
        args![site, month, figures, now],
    )
    .await?;
    Ok(())
}

/// The stored rollups of every site of a network for months `from..=to`:
/// (site, rollup), one query.
pub async fn network_rollups(
    c: &mut Conn<'_>,
    network: NetworkId,
    from: &str,
    to: &str,
) -> Result<Vec<(SiteId, Rollup)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        site_id: Uuid,
        month: String,
        figures: String,
        refreshed_at: OffsetDateTime,
    }
    Ok(c.fetch_all::<Rw>(
        "SELECT f.site_id, f.month, f.figures, f.refreshed_at FROM site_month_figures f \
             JOIN sites s ON s.id = f.site_id \
             WHERE s.network_id = $1 AND f.month >= $2 AND f.month <= $3",
        args![network, from, to],
    )
    .await?
    .into_iter()
    .map(|r| {
        (
            r.site_id.into(),
            Rollup {
                month: r.month,
                figures: r.figures,
                refreshed_at: r.refreshed_at,
            },
        )
    })
    .collect())
}

/// The network's stored answers for months `from..=to`: (month, built_from, answer).
pub async fn month_answers(
    c: &mut Conn<'_>,
    network: NetworkId,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        month: String,
        built_from: String,
        answer: String,
    }
    Ok(c.fetch_all::<Rw>(
        "SELECT month, built_from, answer FROM network_month_figures \
             WHERE network_id = $1 AND month >= $2 AND month <= $3",
        args![network, from, to],
    )
    .await?
    .into_iter()
    .map(|r| (r.month, r.built_from, r.answer))
    .collect())
}

pub async fn put_month_answer(
    c: &mut Conn<'_>,
    network: NetworkId,
    month: &str,
    built_from: &str,
    answer: &str,
) -> Result<()> {
    c.execute(
        "INSERT INTO network_month_figures (network_id, month, built_from, answer) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (network_id, month) DO UPDATE SET built_from = excluded.built_from, answer = excluded.answer",
        args![network, month, built_from, answer],
    )
    .await?;
    Ok(())
}

// ---- Targets -----------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TargetsVersion {
    pub version: i64,
    pub content: String,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

/// The targets in force: the newest version.
pub async fn current_targets(
    c: &mut Conn<'_>,
    network: NetworkId,
) -> Result<Option<TargetsVersion>> {
    c.fetch_optional::<TargetsVersion>(
        "SELECT version, content, note, created_at FROM network_targets WHERE network_id = $1 \
         ORDER BY version DESC LIMIT 1",
        args![network],
    )
    .await
}

/// Saves a new version of the targets (never edits one). Call in a transaction.
pub async fn save_targets(
    c: &mut Conn<'_>,
    network: NetworkId,
    content: &str,
    note: Option<&str>,
    by: Option<UserId>,
    now: OffsetDateTime,
) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct Max {
        v: Option<i64>,
    }
    let next = c
        .fetch_one::<Max>(
            "SELECT MAX(version) AS v FROM network_targets WHERE network_id = $1",
            args![network],
        )
        .await?
        .v
        .unwrap_or(0)
        + 1;
    c.execute(
        "INSERT INTO network_targets (network_id, version, content, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![network, next, content, note, by, now],
    )
    .await?;
    Ok(next)
}

// ---- Aggregate readers (counts and times, never a person) ---------------------

/// One referral of a window, reduced to what the figures count.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReferralFact {
    pub door: String,
    pub eligible: bool,
    pub referred_at: OffsetDateTime,
    pub approved_at: Option<OffsetDateTime>,
    pub accepted_at: Option<OffsetDateTime>,
    pub enrolled_at: Option<OffsetDateTime>,
}

pub async fn referral_facts(
    c: &mut Conn<'_>,
    site: SiteId,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<ReferralFact>> {
    c.fetch_all::<ReferralFact>(
        "SELECT door, eligible, referred_at, approved_at, accepted_at, enrolled_at FROM referrals \
         WHERE site_id = $1 AND referred_at >= $2 AND referred_at < $3",
        args![site, start, end],
    )
    .await
}

/// One hold, reduced to its times and state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldFact {
    pub referred_at: OffsetDateTime,
    pub deadline_at: OffsetDateTime,
    pub satisfied_at: Option<OffsetDateTime>,
    pub lapsed_at: Option<OffsetDateTime>,
    pub enrolled_at: Option<OffsetDateTime>,
}

/// Holds whose diversion was made, satisfied or lapsed before `end`.
pub async fn hold_facts(
    c: &mut Conn<'_>,
    site: SiteId,
    end: OffsetDateTime,
) -> Result<Vec<HoldFact>> {
    c.fetch_all::<HoldFact>(
        "SELECT h.referred_at, h.deadline_at, h.satisfied_at, h.lapsed_at, r.enrolled_at \
         FROM holds h JOIN referrals r ON r.site_id = h.site_id AND r.id = h.referral_id \
         WHERE h.site_id = $1 AND h.referred_at < $2",
        args![site, end],
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Counted {
    pub key: String,
    pub n: i64,
}

/// Prosecutors' decisions recorded in the window, by decision.
pub async fn decisions(
    c: &mut Conn<'_>,
    site: SiteId,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<Counted>> {
    c.fetch_all::<Counted>(
        "SELECT decision AS key, COUNT(*) AS n FROM hold_decisions \
         WHERE site_id = $1 AND decided_at >= $2 AND decided_at < $3 GROUP BY decision ORDER BY decision",
        args![site, start, end],
    )
    .await
}

/// Arrest-door referrals of the window by the person's race: (race,
/// referrals, eligible). Counts only, under the figures' key.
pub async fn arrest_door_by_race(
    c: &mut Conn<'_>,
    key: &SiteTask,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<(String, i64, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        race: String,
        n: i64,
        eligible: i64,
    }
    let site = key.open(&[SystemTask::Figures])?;
    Ok(c
        .fetch_all::<Rw>(
            "SELECT p.race AS race, COUNT(*) AS n, \
               SUM(CASE WHEN r.eligible THEN 1 ELSE 0 END) AS eligible \
             FROM referrals r JOIN persons p ON p.site_id = r.site_id AND p.id = r.person_id \
             WHERE r.site_id = $1 AND r.door = 'arrest_diversion' AND r.referred_at >= $2 AND r.referred_at < $3 \
             GROUP BY p.race ORDER BY p.race",
            args![site, start, end],
        )
        .await?
        .into_iter()
        .map(|r| (r.race, r.n, r.eligible))
        .collect())
}

/// A participant reduced to when their case began (no person).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantFact {
    pub id: Uuid,
    pub intake_at: OffsetDateTime,
    pub enrolled_at: Option<OffsetDateTime>,
}

pub async fn participant_facts(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<ParticipantFact>> {
    c.fetch_all::<ParticipantFact>(
        "SELECT id, intake_at, enrolled_at FROM participants WHERE site_id = $1",
        args![site],
    )
    .await
}

/// Every closing and reopening of the site's cases: (participant, event JSON).
pub async fn participation_facts(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<(Uuid, String)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        participant_id: Uuid,
        event: String,
    }
    Ok(c
        .fetch_all::<Rw>(
            "SELECT participant_id, event FROM participation_events WHERE site_id = $1 ORDER BY participant_id, seq",
            args![site],
        )
        .await?
        .into_iter()
        .map(|r| (r.participant_id, r.event))
        .collect())
}

/// Contacts in the window: (participant, occurred_at).
pub async fn contact_facts(
    c: &mut Conn<'_>,
    site: SiteId,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<Vec<(Uuid, OffsetDateTime)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        participant_id: Uuid,
        occurred_at: OffsetDateTime,
    }
    Ok(c
        .fetch_all::<Rw>(
            "SELECT participant_id, occurred_at FROM contacts WHERE site_id = $1 AND occurred_at >= $2 AND occurred_at < $3",
            args![site, start, end],
        )
        .await?
        .into_iter()
        .map(|r| (r.participant_id, r.occurred_at))
        .collect())
}

/// Monthly status of one month: (housing, employment, income_benefits).
pub async fn monthly_facts(
    c: &mut Conn<'_>,
    site: SiteId,
    month: &str,
) -> Result<Vec<(Option<String>, Option<String>, Option<bool>)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        housing: Option<String>,
        employment: Option<String>,
        income_benefits: Option<bool>,
    }
    Ok(c
        .fetch_all::<Rw>(
            "SELECT housing, employment, income_benefits FROM monthly_status WHERE site_id = $1 AND month = $2",
            args![site, month],
        )
        .await?
        .into_iter()
        .map(|r| (r.housing, r.employment, r.income_benefits))
        .collect())
}

/// OWG meetings held in `[from, to]` (ISO dates): (held_on, items naming a participant).
pub async fn owg_meetings(
    c: &mut Conn<'_>,
    site: SiteId,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Rw {
        held_on: String,
        reviewed: i64,
    }
    Ok(c
        .fetch_all::<Rw>(
            "SELECT m.held_on AS held_on, \
               (SELECT COUNT(*) FROM owg_items i WHERE i.site_id = m.site_id AND i.meeting_id = m.id \
                  AND i.participant_id IS NOT NULL) AS reviewed \
             FROM owg_meetings m WHERE m.site_id = $1 AND m.held_on >= $2 AND m.held_on <= $3 ORDER BY m.held_on",
            args![site, from, to],
        )
        .await?
        .into_iter()
        .map(|r| (r.held_on, r.reviewed))
        .collect())
}

/// Policy versions adopted in the window.
pub async fn policy_versions_between(
    c: &mut Conn<'_>,
    site: SiteId,
    start: OffsetDateTime,
    end: OffsetDateTime,
) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    Ok(c
        .fetch_one::<N>(
            "SELECT COUNT(*) AS n FROM policy_versions WHERE site_id = $1 AND created_at >= $2 AND created_at < $3",
            args![site, start, end],
        )
        .await?
        .n)
}
