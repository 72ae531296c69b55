//! The prosecutor's hold queue as a working list (DESIGN.md §2): each hold
//! with who it is about — the name only where the disclosure guard allows
//! the caller `identity` (a participant whose release names the office);
//! otherwise the incident number, the offences and the date —, its ageing
//! (days left in the window, or days since it lapsed), and whether the
//! caller may still undo the decision they recorded. A decision is undone
//! only by the person who recorded it, only the latest one, and only within
//! [`UNDO_MINUTES`]; the decision's row is kept (withdrawn) and both steps
//! are audited (`hold.decision`, `hold.decision.undo`).

use handoff_audit::Outcome;
use handoff_domain::referral::ConductCategory;
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, HoldId, ParticipantId, ReferralId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::disclosure::Guard;
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::views::HoldView;
use handoff_services::workflow::{self, SiteCtx};
use handoff_services::{AppState, now};
use handoff_store::{casework, holds, referrals};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// How long after recording it a decision may be undone.
pub const UNDO_MINUTES: i64 = 5;

/// One hold of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItem {
    #[serde(flatten)]
    pub hold: HoldView,
    /// The person's name, only where the caller may see `identity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The participant, only where the name is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<uuid::Uuid>,
    /// What the hold holds from filing, in words.
    pub offences: Vec<String>,
    /// The local day of the incident.
    pub occurred_on: String,
    /// Days left in the window (pending holds).
    pub days_left: Option<i64>,
    /// Days since the hold lapsed (lapsed holds).
    pub days_since_lapse: Option<i64>,
    /// Until when the caller may undo the decision they recorded last.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub undo_until: Option<OffsetDateTime>,
}

/// Until when `who` may undo the hold's latest decision, if they may.
pub fn undo_until(
    h: &handoff_domain::hold::Hold,
    who: handoff_domain::UserId,
) -> Option<OffsetDateTime> {
    let d = h.decisions().last()?;
    let until = d.at + time::Duration::minutes(UNDO_MINUTES);
    (d.by == who && now() < until).then_some(until)
}

fn offence_label(code: &str) -> String {
    let words = match ConductCategory::parse(code).ok().and_then(|c| c.standard()) {
        Some(c) => c.label().to_string(),
        None => code.replace('_', " "),
    };
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The caller's queue: every hold the caller's office owns (supervisors:
/// all), as [`QueueItem`]s. The hold list is audited by the services
/// (`hold.list`); the names shown are audited here as one
/// `hold.queue.identity` entry naming those participants.
pub async fn list(state: &AppState, auth: &Auth, actx: &Ctx) -> AppResult<Vec<QueueItem>> {
    let views = workflow::holds::list(state, auth, actx, None).await?;
    enrich(state, auth, actx, views).await
}

/// How many lapsed holds of each kind the queue shows beside its paged list.
pub const LAPSED_SHOWN: usize = 50;

/// The lapsed holds of the caller's queue: the longest waiting for a
/// decision first, and the latest decided — at most [`LAPSED_SHOWN`] of
/// each — with how many there are of each in all. The whole lapsed list is
/// the paged list with the state filter `lapsed`.
pub struct Lapsed {
    pub awaiting: Vec<QueueItem>,
    pub awaiting_total: usize,
    pub decided: Vec<QueueItem>,
    pub decided_total: usize,
}

pub async fn lapsed(state: &AppState, auth: &Auth, actx: &Ctx) -> AppResult<Lapsed> {
    let views = workflow::holds::list(
        state,
        auth,
        actx,
        Some(handoff_domain::hold::HoldState::Lapsed),
    )
    .await?;
    let (mut awaiting, mut decided): (Vec<_>, Vec<_>) =
        views.into_iter().partition(|h| h.awaiting_decision);
    let (awaiting_total, decided_total) = (awaiting.len(), decided.len());
    awaiting.sort_by(|a, b| a.last_day.cmp(&b.last_day));
    awaiting.truncate(LAPSED_SHOWN);
    decided.sort_by_key(|h| std::cmp::Reverse(h.decisions.last().map(|d| d.at)));
    decided.truncate(LAPSED_SHOWN);
    Ok(Lapsed {
        awaiting: enrich(state, auth, actx, awaiting).await?,
        awaiting_total,
        decided: enrich(state, auth, actx, decided).await?,
        decided_total,
    })
}

/// One page of the caller's queue (keyset paging and filters as every
/// list), each hold as [`QueueItem`].
pub async fn list_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    page: &handoff_store::page::Page,
) -> AppResult<handoff_store::page::Paged<QueueItem>> {
    let got = workflow::holds::list_page(state, auth, actx, page).await?;
    Ok(handoff_store::page::Paged {
        items: enrich(state, auth, actx, got.items).await?,
        next: got.next,
    })
}

/// Names (where allowed), offences, ageing and the undo window of holds.
async fn enrich(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    views: Vec<workflow::views::HoldView>,
) -> AppResult<Vec<QueueItem>> {
    let site = auth.user.site_id;
    let ctx = SiteCtx::load(state, site).await?;
    let mut c = state.store.conn();
    let rids: Vec<ReferralId> = views.iter().map(|h| h.referral_id.into()).collect();
    let stored = holds::for_referrals(&mut c, site, &rids).await?;
    let records = referrals::get_many(&mut c, site, &rids).await?;
    // Names: only where the guard allows `identity` (participants only;
    // a referred person who is not one is never named to the office).
    let pids: Vec<ParticipantId> = records.values().filter_map(|r| r.participant_id).collect();
    let guard = Guard::new(state, auth).await?;
    let ps = casework::participants_by_id(&mut c, site, &pids).await?;
    let rows = guard.assess_many(ps).await?;
    let names = guard.identities(&rows).await?;
    let t = now();
    let today = ctx.tz.local_date(t);
    let mut named = Vec::new();
    let mut out = Vec::with_capacity(views.len());
    for h in views {
        let rid: ReferralId = h.referral_id.into();
        let r = records
            .get(&rid)
            .ok_or(handoff_store::StoreError::NotFound)?;
        let person = r.participant_id.and_then(|p| names.get(&p).map(|n| (p, n)));
        if let Some((p, _)) = person {
            named.push(p);
        }
        let hold = stored.get(&rid);
        let deadline_day = time::Date::parse(
            &h.last_day,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok();
        out.push(QueueItem {
            name: person.map(|(_, n)| format!("{} {}", n.first_name, n.last_name)),
            participant_id: person.map(|(p, _)| *p.as_uuid()),
            offences: hold
                .map(|s| r.held_offences(s))
                .unwrap_or_default()
                .iter()
                .map(|o| offence_label(o))
                .collect(),
            occurred_on: referrals::iso(ctx.tz.local_date(r.occurred_at)),
            days_left: (h.state == "pending")
                .then(|| deadline_day.map(|d| (d - today).whole_days()))
                .flatten(),
            days_since_lapse: h
                .lapsed_at
                .map(|l| (today - ctx.tz.local_date(l)).whole_days().max(0)),
            undo_until: hold.and_then(|s| undo_until(&s.hold, auth.user.id)),
            hold: h,
        });
    }
    if !named.is_empty() {
        let mut e = audit::event(auth, "hold.queue.identity", Outcome::Allowed, actx);
        e.categories = vec![DataCategory::Identity];
        e.participants = named;
        audit::record(state, e).await?;
    }
    Ok(out)
}

/// One hold of the caller's queue.
pub async fn one(state: &AppState, auth: &Auth, actx: &Ctx, id: HoldId) -> AppResult<QueueItem> {
    list(state, auth, actx)
        .await?
        .into_iter()
        .find(|q| q.hold.id == *id.as_uuid())
        .ok_or(AppError::NotFound)
}

/// Undoes the caller's latest decision on a hold, within the window.
pub async fn undo(state: &AppState, auth: &Auth, actx: &Ctx, id: HoldId) -> AppResult<HoldView> {
    let agency = workflow::agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::DecideHold,
        "Only the prosecutor's office records or undoes a decision on a hold.",
    )?;
    let site = auth.user.site_id;
    let mut tx = state.store.begin().await?;
    let stored = holds::get(&mut tx.conn(), site, id).await?;
    if stored.prosecutor_agency_id.is_some_and(|o| o != agency.id) {
        return Err(AppError::NotFound);
    }
    let Some(last) = stored.hold.decisions().last() else {
        return Err(AppError::Conflict(
            "This hold has no decision to undo.".into(),
        ));
    };
    if last.by != auth.user.id {
        return Err(AppError::Forbidden(
            "Only the person who recorded a decision may undo it.",
        ));
    }
    if undo_until(&stored.hold, auth.user.id).is_none() {
        // The refusal's audit entry is its own transaction: end this one
        // first (on SQLite it holds the write lock).
        drop(tx);
        let mut e = audit::event(auth, "hold.decision.undo", Outcome::Denied, actx);
        e.subject_ref = Some(format!("hold:{id}"));
        e.categories = vec![DataCategory::Hold];
        audit::record(state, e).await?;
        return Err(AppError::Conflict(format!(
            "A decision can be undone only within {UNDO_MINUTES} minutes of recording it; record a new decision instead."
        )));
    }
    if !holds::withdraw_last(&mut tx.conn(), site, id, auth.user.id, now()).await? {
        return Err(AppError::Conflict(
            "The decision was already undone.".into(),
        ));
    }
    let r = referrals::get(&mut tx.conn(), site, stored.hold.referral_id).await?;
    let mut e = audit::event(auth, "hold.decision.undo", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("hold:{id}"));
    e.subject_participant_id = r.participant_id;
    e.categories = vec![DataCategory::Hold];
    audit::record_in(&mut tx, e).await?;
    let after = holds::get(&mut tx.conn(), site, id).await?;
    tx.commit().await?;
    Ok(HoldView::of(&after.hold, r.incident_number))
}
