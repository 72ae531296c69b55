//! Diversion holds and the prosecutor's decisions. Holds are rebuilt through
//! the domain's checked `Hold::try_from(HoldRecord)` and written back whole.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::hold::{Deadline, DecisionRecord, Hold, HoldRecord, HoldState};
use handoff_domain::{AgencyId, DecisionId, HoldId, ReferralId, SiteId};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    referral_id: Uuid,
    prosecutor_agency_id: Option<Uuid>,
    referred_at: OffsetDateTime,
    window_days: i64,
    deadline: String,
    deadline_at: OffsetDateTime,
    state: String,
    satisfied_at: Option<OffsetDateTime>,
    lapsed_at: Option<OffsetDateTime>,
    last_reminder: Option<String>,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    hold_id: Uuid,
    decision: String,
    note: String,
    decided_by: Uuid,
    decided_at: OffsetDateTime,
}

/// A hold with the prosecuting office that owns it.
#[derive(Debug, Clone)]
pub struct StoredHold {
    pub hold: Hold,
    pub prosecutor_agency_id: Option<AgencyId>,
    /// The instant the hold lapses unless satisfied (the queue's order).
    pub deadline_at: OffsetDateTime,
}

const COLUMNS: &str = "id, referral_id, prosecutor_agency_id, referred_at, window_days, deadline, deadline_at, state, satisfied_at, lapsed_at, last_reminder";

/// Rebuilds holds from their rows, with every hold's decisions read in one
/// query per chunk of holds (not one per hold).
async fn rebuild_all(c: &mut Conn<'_>, site: SiteId, rows: Vec<Row>) -> Result<Vec<StoredHold>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut decisions: HashMap<Uuid, Vec<DecisionRow>> = HashMap::new();
    for d in crate::access::fetch_in::<DecisionRow, Uuid>(c, site, &ids, |list| {
        format!(
            "SELECT hold_id, decision, note, decided_by, decided_at FROM hold_decisions \
             WHERE site_id = $1 AND withdrawn_at IS NULL AND hold_id IN ({list}) ORDER BY seq"
        )
    })
    .await?
    {
        decisions.entry(d.hold_id).or_default().push(d);
    }
    rows.into_iter()
        .map(|r| {
            let mine = decisions.remove(&r.id).unwrap_or_default();
            assemble(r, mine)
        })
        .collect()
}

async fn rebuild(c: &mut Conn<'_>, site: SiteId, r: Row) -> Result<StoredHold> {
    let mut all = rebuild_all(c, site, vec![r]).await?;
    all.pop().ok_or(StoreError::NotFound)
}

/// A hold from its row and its decisions (in order).
fn assemble(r: Row, decisions: Vec<DecisionRow>) -> Result<StoredHold> {
    let corrupt = |what: String| StoreError::Corrupt(format!("hold {}: {what}", r.id));
    let decisions = decisions
        .into_iter()
        .map(|d| {
            Ok(DecisionRecord {
                decision: d.decision.parse().map_err(|_| corrupt("decision".into()))?,
                note: d.note,
                by: d.decided_by.into(),
                at: d.decided_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let deadline: Deadline =
        serde_json::from_str(&r.deadline).map_err(|e| corrupt(e.to_string()))?;
    let record = HoldRecord {
        id: r.id.into(),
        referral_id: r.referral_id.into(),
        referred_at: r.referred_at,
        window_days: u16::try_from(r.window_days).map_err(|_| corrupt("window".into()))?,
        deadline,
        state: r.state.parse().map_err(|_| corrupt("state".into()))?,
        satisfied_at: r.satisfied_at,
        lapsed_at: r.lapsed_at,
        last_reminder: r
            .last_reminder
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|_| corrupt("reminder".into()))?,
        decisions,
    };
    Ok(StoredHold {
        hold: Hold::try_from(record).map_err(|e| corrupt(e.to_string()))?,
        prosecutor_agency_id: r.prosecutor_agency_id.map(Into::into),
        deadline_at: r.deadline_at,
    })
}

pub async fn create(
    c: &mut Conn<'_>,
    site: SiteId,
    hold: &Hold,
    prosecutor: Option<AgencyId>,
) -> Result<()> {
    let r = hold.to_record();
    c.execute(
        "INSERT INTO holds (id, site_id, referral_id, prosecutor_agency_id, referred_at, window_days, deadline, deadline_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![
            r.id,
            site,
            r.referral_id,
            prosecutor,
            r.referred_at,
            i64::from(r.window_days),
            serde_json::to_string(&r.deadline).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            r.deadline.at,
            r.state.as_str()
        ],
    )
    .await?;
    Ok(())
}

/// Writes a hold's state back, and appends decisions not yet stored.
pub async fn save(c: &mut Conn<'_>, site: SiteId, hold: &Hold) -> Result<()> {
    let r = hold.to_record();
    c.execute(
        "UPDATE holds SET state = $3, satisfied_at = $4, lapsed_at = $5, last_reminder = $6 WHERE site_id = $1 AND id = $2",
        args![site, r.id, r.state.as_str(), r.satisfied_at, r.lapsed_at, r.last_reminder.map(|x| x.as_str())],
    )
    .await?;
    #[derive(sqlx::FromRow)]
    struct Count {
        n: i64,
        last: Option<i64>,
    }
    // Withdrawn decisions keep their rows (and sequence numbers) but are
    // no longer the hold's.
    let count = c
        .fetch_one::<Count>(
            "SELECT COUNT(CASE WHEN withdrawn_at IS NULL THEN 1 END) AS n, MAX(seq) AS last \
             FROM hold_decisions WHERE site_id = $1 AND hold_id = $2",
            args![site, r.id],
        )
        .await?;
    let last = count.last.unwrap_or(0);
    for (i, d) in r.decisions.iter().skip(count.n as usize).enumerate() {
        c.execute(
            "INSERT INTO hold_decisions (id, site_id, hold_id, seq, decision, note, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            args![new_id::<DecisionId>(), site, r.id, last + i as i64 + 1, d.decision.as_str(), d.note.as_str(), d.by, d.at],
        )
        .await?;
    }
    Ok(())
}

/// Withdraws a hold's latest decision (an undo), keeping its row: who
/// withdrew it and when. False when the hold has no decision in force.
pub async fn withdraw_last(
    c: &mut Conn<'_>,
    site: SiteId,
    hold: HoldId,
    by: handoff_domain::UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE hold_decisions SET withdrawn_at = $3, withdrawn_by = $4 WHERE site_id = $1 AND hold_id = $2 \
             AND seq = (SELECT MAX(seq) FROM hold_decisions WHERE site_id = $1 AND hold_id = $2 AND withdrawn_at IS NULL) \
             AND withdrawn_at IS NULL",
            args![site, hold, at, by],
        )
        .await?;
    Ok(n == 1)
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: HoldId) -> Result<StoredHold> {
    let sql = format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1 AND id = $2");
    let r = c.fetch_one::<Row>(&sql, args![site, id]).await?;
    rebuild(c, site, r).await
}

pub async fn for_referral(
    c: &mut Conn<'_>,
    site: SiteId,
    referral: ReferralId,
) -> Result<Option<StoredHold>> {
    let sql = format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1 AND referral_id = $2");
    match c.fetch_optional::<Row>(&sql, args![site, referral]).await? {
        Some(r) => Ok(Some(rebuild(c, site, r).await?)),
        None => Ok(None),
    }
}

/// Holds of a site, optionally in one state, soonest deadline first.
pub async fn list(
    c: &mut Conn<'_>,
    site: SiteId,
    state: Option<HoldState>,
) -> Result<Vec<StoredHold>> {
    let rows = match state {
        Some(s) => {
            let sql = format!(
                "SELECT {COLUMNS} FROM holds WHERE site_id = $1 AND state = $2 ORDER BY deadline_at"
            );
            c.fetch_all::<Row>(&sql, args![site, s.as_str()]).await?
        }
        None => {
            let sql =
                format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1 ORDER BY deadline_at");
            c.fetch_all::<Row>(&sql, args![site]).await?
        }
    };
    rebuild_all(c, site, rows).await
}

/// One page of the hold queue, the latest deadline first (the newest holds;
/// `reverse`: the nearest deadline first); `office` keeps
/// the holds one prosecuting office owns. Filters: state, deadline dates.
pub async fn list_page(
    c: &mut Conn<'_>,
    site: SiteId,
    office: Option<AgencyId>,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<StoredHold>> {
    use crate::page::{Columns, Cursor, Dir, fetch};
    const PAGED: Columns = Columns {
        state: Some("state"),
        date: Some("deadline_at"),
        ..Columns::new("deadline_at", "id", Dir::Desc)
    };
    let (sql, args) = match office {
        Some(o) => (
            format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1 AND prosecutor_agency_id = $2"),
            args![site, o],
        ),
        None => (
            format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1"),
            args![site],
        ),
    };
    let rows = fetch(c, &sql, args, PAGED, page, Ok::<Row, _>, |r: &Row| {
        Cursor::time(r.deadline_at, r.id)
    })
    .await?;
    Ok(crate::page::Paged {
        items: rebuild_all(c, site, rows.items).await?,
        next: rows.next,
    })
}

/// The holds of some referrals of a site, by referral (a list's holds in a
/// constant number of queries).
pub async fn for_referrals(
    c: &mut Conn<'_>,
    site: SiteId,
    referrals: &[ReferralId],
) -> Result<HashMap<ReferralId, StoredHold>> {
    let rows = crate::access::fetch_in::<Row, ReferralId>(c, site, referrals, |list| {
        format!("SELECT {COLUMNS} FROM holds WHERE site_id = $1 AND referral_id IN ({list})")
    })
    .await?;
    Ok(rebuild_all(c, site, rows)
        .await?
        .into_iter()
        .map(|h| (h.hold.referral_id, h))
        .collect())
}
