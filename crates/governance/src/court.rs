//! A participant's court dates, outstanding warrants and pre-existing cases:
//! structured entries (kind, day, court, case number) the case manager makes
//! on the participant record. Read through the guard as category `justice`
//! (the case manager's agency always; anyone else only where the rules and
//! the participant's release allow it). The case manager's upcoming court
//! dates (the next [`REMINDER_DAYS`] days) open their home page; the OWG
//! agenda lists the court dates of the fortnight after a meeting and the
//! warrants and cases entered since the one before (`owg::build_agenda`).

use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::casework::case_for_work;
use handoff_services::disclosure::{Guard, facts, shown};
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::{self, agency_of};
use handoff_services::{AppState, now};
use handoff_store::court::{self, NewCourtEvent};
use handoff_store::owg::{self, NewItem};
use handoff_store::{Conn, casework};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

/// How many days ahead a court date reaches the case manager's home page.
pub const REMINDER_DAYS: i64 = 7;

/// The kinds of entry, with their labels.
pub const KINDS: &[(&str, &str)] = &[
    ("court_date", "Court date"),
    ("warrant", "Outstanding warrant"),
    ("case", "Pre-existing case"),
];

/// A kind's label ("Court date").
pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("Court record", |(_, l)| l)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CourtEntry {
    /// court_date | warrant | case
    #[serde(default)]
    pub kind: String,
    /// The day (YYYY-MM-DD): of the hearing, the warrant's issue, the
    /// case's filing.
    #[serde(default)]
    pub on: String,
    /// The court, e.g. "Seattle Municipal Court".
    #[serde(default)]
    pub court: String,
    #[serde(default)]
    pub case_number: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourtView {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub kind: String,
    pub kind_label: &'static str,
    pub on: String,
    pub court: String,
    pub case_number: String,
}

impl From<court::CourtEvent> for CourtView {
    fn from(e: court::CourtEvent) -> Self {
        Self {
            id: e.id,
            participant_id: e.participant_id,
            kind_label: kind_label(&e.kind),
            kind: e.kind,
            on: e.on_day,
            court: e.court,
            case_number: e.case_number,
        }
    }
}

/// Every invalid field of an entry at once: (field, message).
pub fn problems(e: &CourtEntry) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if !KINDS.iter().any(|(k, _)| *k == e.kind.trim()) {
        out.push(("kind", "Choose court date, warrant or pre-existing case."));
    }
    if parse_day(&e.on).is_none() {
        out.push(("on", "Enter the day as YYYY-MM-DD."));
    }
    let text_ok = |s: &str| {
        let s = s.trim();
        !s.is_empty()
            && s.chars().count() <= 200
            && handoff_domain::text::refuse_bidi_controls("text", s).is_ok()
            && !s.chars().any(char::is_control)
    };
    if !text_ok(&e.court) {
        out.push(("court", "Enter the court (up to 200 characters)."));
    }
    if !text_ok(&e.case_number) {
        out.push((
            "case_number",
            "Enter the case number (up to 200 characters).",
        ));
    }
    out
}

fn parse_day(s: &str) -> Option<Date> {
    Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

fn iso(d: Date) -> String {
    handoff_store::referrals::iso(d)
}

/// The case manager (or supervisor) of the participant's agency records an
/// entry. Audited with category `justice`.
pub async fn add(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    entry: CourtEntry,
) -> AppResult<CourtView> {
    let p = case_for_work(state, auth, actx, pid, "court.create").await?;
    if let Some((field, message)) = problems(&entry).into_iter().next() {
        return Err(AppError::field(field, message));
    }
    let t = now();
    let mut tx = state.store.begin().await?;
    let id = court::add(
        &mut tx.conn(),
        NewCourtEvent {
            site: p.site_id,
            participant: p.id,
            kind: entry.kind.trim(),
            on_day: &iso(parse_day(&entry.on).unwrap_or(Date::MIN)),
            court: entry.court.trim(),
            case_number: entry.case_number.trim(),
            by: Some(auth.user.id),
            at: t,
        },
    )
    .await?;
    let mut e = audit::event(auth, "court.create", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("court_event:{id}"));
    e.categories = vec![DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(CourtView {
        id,
        participant_id: *p.id.as_uuid(),
        kind: entry.kind.trim().to_string(),
        kind_label: kind_label(entry.kind.trim()),
        on: iso(parse_day(&entry.on).unwrap_or(Date::MIN)),
        court: entry.court.trim().to_string(),
        case_number: entry.case_number.trim().to_string(),
    })
}

/// A participant's entries, where the guard shows the caller `justice`:
/// 404 for a participant the caller may not know of, 403 where the release
/// does not share justice records. Audited either way.
pub async fn list(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
) -> AppResult<Vec<CourtView>> {
    let guard = Guard::new(state, auth).await?;
    let mut c = state.store.conn();
    let found = casework::get_participant(&mut c, auth.user.site_id, pid).await;
    let access = match found {
        Ok(p) => Some(guard.access(facts(state, guard.site(), p).await?)),
        Err(handoff_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let grant = access
        .as_ref()
        .filter(|a| shown(a.assessment(), DataCategory::Justice))
        .and_then(|a| a.grant(DataCategory::Justice));
    let outcome = if grant.is_some() {
        Outcome::Allowed
    } else {
        Outcome::Denied
    };
    let mut e = audit::event(auth, "court.read", outcome, actx);
    e.subject_participant_id = Some(pid);
    e.categories = vec![DataCategory::Justice];
    audit::record(state, e).await?;
    match (grant, access) {
        (Some(g), _) => Ok(court::for_participant(&mut c, &g)
            .await?
            .into_iter()
            .map(Into::into)
            .collect()),
        (None, Some(a)) if a.assessment().may_know_exists() => Err(AppError::Forbidden(
            "The participant's release of information does not share court records with your organisation.",
        )),
        (None, _) => Err(AppError::NotFound),
    }
}

/// The court dates of the caller's own participants (a supervisor: the
/// agency's) in the next [`REMINDER_DAYS`] days, today included, soonest
/// first. Empty for anyone who does not work cases.
pub async fn upcoming(state: &AppState, auth: &Auth, actx: &Ctx) -> AppResult<Vec<CourtView>> {
    let agency = agency_of(state, auth).await?;
    if !workflow::may(auth, &agency, Action::Casework) {
        return Ok(Vec::new());
    }
    let supervisor = workflow::may(auth, &agency, Action::SuperviseCaseloads);
    let guard = Guard::new(state, auth).await?;
    let today = guard.today();
    let mut c = state.store.conn();
    let mine: Vec<_> = casework::participants_of_agency(&mut c, auth.user.site_id, agency.id)
        .await?
        .into_iter()
        .filter(|p| supervisor || p.case_manager_id == Some(auth.user.id))
        .map(|p| *p.id.as_uuid())
        .collect();
    let until = today + time::Duration::days(REMINDER_DAYS);
    let due: Vec<CourtView> = court::of_kind_between(
        &mut c,
        auth.user.site_id,
        "court_date",
        &iso(today),
        &iso(until),
    )
    .await?
    .into_iter()
    .filter(|e| mine.contains(&e.participant_id))
    .map(Into::into)
    .collect();
    if !due.is_empty() {
        let mut e = audit::event(auth, "court.upcoming", Outcome::Allowed, actx);
        e.participants = due
            .iter()
            .map(|d| ParticipantId::from_uuid(d.participant_id))
            .collect();
        e.categories = vec![DataCategory::Justice];
        audit::record(state, e).await?;
    }
    Ok(due)
}

/// Puts on a meeting's agenda the court dates of the fortnight from its
/// day and the warrants and cases entered since `since` (once per meeting;
/// the detail holds the kind and day only). The participants added.
pub async fn agenda_items(
    c: &mut Conn<'_>,
    site: handoff_domain::SiteId,
    meeting: Uuid,
    held_on: Date,
    since: OffsetDateTime,
) -> Result<Vec<ParticipantId>, handoff_store::StoreError> {
    let mut entries = court::of_kind_between(
        c,
        site,
        "court_date",
        &iso(held_on),
        &iso(held_on + time::Duration::days(14)),
    )
    .await?;
    entries.extend(
        court::entered_since(c, site, since)
            .await?
            .into_iter()
            .filter(|e| e.kind != "court_date"),
    );
    let at = now();
    let mut added = Vec::new();
    for e in entries {
        let pid = ParticipantId::from_uuid(e.participant_id);
        let referral = casework::get_participant(c, site, pid).await?.referral_id;
        let detail = format!("{} on {}", kind_label(&e.kind), e.on_day);
        let key = format!("court:{}", e.id);
        let item = NewItem {
            source: "court",
            participant: Some(pid),
            referral,
            category: Some(DataCategory::Justice),
            detail: Some(&detail),
            body: None,
            raised_by: None,
            dedupe_key: Some(&key),
        };
        if owg::add_item(c, site, meeting, item, at).await? {
            added.push(pid);
        }
    }
    Ok(added)
}
