//! Coordination (DESIGN.md §4): the Operational Work Group's meetings with
//! agendas built from events, minutes and action items; and prosecutorial
//! coordination on new charges against participants. Every item about a
//! participant names the category it reveals and is shown to each reader
//! only where the disclosure guard allows it — so the police attendee's
//! copy of a meeting lacks what they may not see.

use handoff_audit::Outcome;
use handoff_domain::handoff::ReferralStatus;
use handoff_domain::hold::HoldState;
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, ParticipantId, UserId};
use handoff_justice::coordination::SiteCoordination;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::disclosure::{Guard, facts, last_contact_on};
use handoff_services::error::{AppError, AppResult};
use handoff_services::views::CategoryView;
use handoff_services::workflow::{self, agency_of};
use handoff_services::{AppState, now};
use handoff_store::access::{self, Access};
use handoff_store::owg::{self, NewItem};
use handoff_store::referrals::Filter;
use handoff_store::{casework, holds, referrals, users};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

async fn may_convene(state: &AppState, auth: &Auth) -> AppResult<()> {
    let agency = agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::ConveneOwg,
        "OWG meetings are convened by the project manager.",
    )
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMeeting {
    /// YYYY-MM-DD
    pub held_on: String,
    pub title: String,
    /// The attending users.
    pub attendees: Vec<String>,
}

pub async fn create_meeting(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    m: NewMeeting,
) -> AppResult<Uuid> {
    may_convene(state, auth).await?;
    time::Date::parse(
        m.held_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| AppError::field("held_on", "is not a date like 2026-12-08"))?;
    if m.title.trim().is_empty() {
        return Err(AppError::field("title", "is required"));
    }
    let mut attendees = Vec::new();
    for (i, a) in m.attendees.iter().enumerate() {
        let id: UserId = a
            .parse()
            .map_err(|_| AppError::field(format!("attendees[{i}]"), "is not a user id"))?;
        let u = users::get(&mut state.store.conn(), auth.user.site_id, id)
            .await
            .map_err(|_| AppError::field(format!("attendees[{i}]"), "no such user at this site"))?;
        let their =
            handoff_store::orgs::get_agency(&mut state.store.conn(), u.site_id, u.agency_id)
                .await?;
        if !handoff_domain::rules::may(&workflow::user_actor(&u, &their), Action::AttendOwg) {
            return Err(AppError::field(
                format!("attendees[{i}]"),
                format!(
                    "{} does not attend OWG meetings: their role is not one of the OWG's.",
                    u.display_name
                ),
            ));
        }
        attendees.push(id);
    }
    let mut tx = state.store.begin().await?;
    let id = owg::create_meeting(
        &mut tx.conn(),
        auth.user.site_id,
        m.held_on.trim(),
        m.title.trim(),
        &attendees,
        auth.user.id,
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "owg.meeting.create", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("owg_meeting:{id}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds the items events call for: hand-offs pending, holds lapsing within
/// 7 days, participants not contacted in 30 days, and participants' new
/// bookings and charges since the last meeting. Running it again adds only
/// what is new. The items and one audit entry naming every participant put
/// on the agenda commit together.
pub async fn build_agenda(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    meeting: Uuid,
) -> AppResult<usize> {
    may_convene(state, auth).await?;
    let site = auth.user.site_id;
    let mut tx = state.store.begin().await?;
    let mut c = tx.conn();
    owg::get_meeting(&mut c, site, meeting).await?;
    let mut participants: Vec<ParticipantId> = Vec::new();
    let t = now();
    let mut added = 0;
    for r in referrals::list(
        &mut c,
        site,
        Filter::Status(ReferralStatus::AwaitingHandoff),
        500,
    )
    .await?
    {
        let detail = format!("Waiting for a case manager since {}", r.referred_at.date());
        let key = format!("handoff:{}", r.id);
        if owg::add_item(
            &mut c,
            site,
            meeting,
            NewItem {
                source: "handoff_pending",
                participant: None,
                referral: Some(r.id),
                category: None,
                detail: Some(&detail),
                body: None,
                raised_by: None,
                dedupe_key: Some(&key),
            },
            t,
        )
        .await?
        {
            added += 1;
        }
    }
    for h in holds::list(&mut c, site, Some(HoldState::Pending)).await? {
        if !h.hold.lapsing_within(t, time::Duration::days(7)) {
            continue;
        }
        let r = referrals::get(&mut c, site, h.hold.referral_id).await?;
        let detail = format!(
            "Hold lapses after {}",
            handoff_store::referrals::iso(h.hold.deadline.last_day)
        );
        let key = format!("hold:{}", h.hold.id);
        let item = NewItem {
            source: "hold_lapsing",
            participant: r.participant_id,
            referral: Some(r.id),
            category: Some(DataCategory::Hold),
            detail: Some(&detail),
            body: None,
            raised_by: None,
            dedupe_key: Some(&key),
        };
        if owg::add_item(&mut c, site, meeting, item, t).await? {
            added += 1;
            participants.extend(r.participant_id);
        }
    }
    for p in casework::list_participants(&mut c, site).await? {
        let last = last_contact_on(&mut c, &p).await?;
        let days = (t - last).whole_days();
        if days < 30 {
            continue;
        }
        let detail = format!("Not contacted for {days} days");
        let key = format!("not_contacted:{}", p.id);
        if owg::add_item(
            &mut c,
            site,
            meeting,
            NewItem {
                source: "not_contacted",
                participant: Some(p.id),
                referral: p.referral_id,
                category: Some(DataCategory::Engagement),
                detail: Some(&detail),
                body: None,
                raised_by: None,
                dedupe_key: Some(&key),
            },
            t,
        )
        .await?
        {
            added += 1;
            participants.push(p.id);
        }
    }
    let justice = justice_agenda_items(&mut c, site, meeting).await?;
    added += justice.len();
    participants.extend(justice);
    let mut e = audit::event(auth, "owg.agenda.build", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("owg_meeting:{meeting}"));
    e.participants = participants;
    e.categories = vec![
        DataCategory::Hold,
        DataCategory::Engagement,
        DataCategory::Justice,
    ];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(added)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RaisedItem {
    pub title: String,
    /// A participant the item is about (optional).
    #[serde(default)]
    pub participant_id: Option<String>,
    /// What the item reveals about the participant (default `notes`).
    #[serde(default)]
    pub category: Option<String>,
}

async fn attendee_or_convener(
    state: &AppState,
    auth: &Auth,
    meeting: Uuid,
) -> AppResult<owg::Meeting> {
    let m = owg::get_meeting(&mut state.store.conn(), auth.user.site_id, meeting).await?;
    let agency = agency_of(state, auth).await?;
    if m.attendees.contains(&auth.user.id) || workflow::may(auth, &agency, Action::ConveneOwg) {
        Ok(m)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn raise_item(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    meeting: Uuid,
    item: RaisedItem,
) -> AppResult<()> {
    attendee_or_convener(state, auth, meeting).await?;
    let title = item.title.trim();
    if title.is_empty() || title.chars().count() > 2000 {
        return Err(AppError::field(
            "title",
            "write the item in 1 to 2000 characters",
        ));
    }
    let participant = match item.participant_id.as_deref() {
        Some(p) => {
            let pid: ParticipantId = p
                .parse()
                .map_err(|_| AppError::field("participant_id", "is not a participant id"))?;
            // Only about someone the raiser may know exists.
            let guard = Guard::new(state, auth).await?;
            let p = casework::get_participant(&mut state.store.conn(), auth.user.site_id, pid)
                .await
                .map_err(|_| AppError::field("participant_id", "no such participant"))?;
            let f = facts(state, guard.site(), p).await?;
            if !guard.assess(&f).may_know_exists() {
                return Err(AppError::field("participant_id", "no such participant"));
            }
            Some(pid)
        }
        None => None,
    };
    let category = match item.category.as_deref() {
        Some(c) => Some(
            c.parse::<DataCategory>()
                .map_err(|e| AppError::field("category", e.message))?,
        ),
        None => participant.map(|_| DataCategory::Notes),
    };
    let mut tx = state.store.begin().await?;
    owg::add_item(
        &mut tx.conn(),
        auth.user.site_id,
        meeting,
        NewItem {
            source: "raised",
            participant,
            referral: None,
            category,
            detail: None,
            body: Some(title),
            raised_by: Some(auth.user.id),
            dedupe_key: None,
        },
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "owg.item.raise", Outcome::Allowed, actx);
    e.subject_participant_id = participant;
    e.categories = category.into_iter().collect();
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub due_on: String,
    pub description: String,
    pub done: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: Uuid,
    pub seq: i64,
    /// handoff_pending | hold_lapsing | not_contacted | booking | charge | raised
    pub source: String,
    pub participant_id: Option<Uuid>,
    /// The participant's name, where `identity` is disclosed to the reader.
    pub participant_name: Option<String>,
    pub category: Option<String>,
    pub detail: Option<String>,
    pub text: Option<String>,
    /// Minutes: shown where the reader may see `notes` about the participant.
    pub minutes: Option<String>,
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaView {
    pub id: Uuid,
    pub held_on: String,
    pub title: String,
    pub items: Vec<ItemView>,
}

/// The meeting as this reader may see it.
pub async fn agenda(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    meeting: Uuid,
) -> AppResult<AgendaView> {
    let m = attendee_or_convener(state, auth, meeting).await?;
    let guard = Guard::new(state, auth).await?;
    let agency = agency_of(state, auth).await?;
    let cm = workflow::may(auth, &agency, Action::Casework);
    let site = auth.user.site_id;
    let mut c = state.store.conn();
    let items = owg::items(&mut c, site, meeting).await?;
    // The agenda's participants as a list: their facts loaded together, one
    // assessment each, the names shown read in one query.
    let mut pids: Vec<ParticipantId> = items.iter().filter_map(|i| i.participant_id).collect();
    pids.sort_unstable();
    pids.dedup();
    let ps = casework::participants_by_id(&mut c, site, &pids).await?;
    let assessed: HashMap<ParticipantId, Access> = access::facts_many(
        &mut c,
        site,
        ps,
        handoff_services::research::allowed(guard.site()),
    )
    .await?
    .into_iter()
    .map(|f| (f.participant().id, guard.access(f)))
    .collect();
    let item_ok = |pid: &ParticipantId, cat: Option<DataCategory>| {
        assessed.get(pid).is_some_and(|a| {
            a.assessment()
                .decision(cat.unwrap_or(DataCategory::Notes))
                .is_allowed()
        })
    };
    let grants: Vec<_> = items
        .iter()
        .filter_map(|i| i.participant_id.filter(|p| item_ok(p, i.category)))
        .filter_map(|p| assessed.get(&p)?.grant(DataCategory::Identity))
        .collect();
    let names = referrals::identities(&mut c, &grants).await?;
    let (mut shown, mut hidden, mut categories) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::new();
    for item in items {
        let (visible, notes_ok, name) = match item.participant_id {
            Some(pid) => {
                let ok = item_ok(&pid, item.category);
                let cat = item.category.unwrap_or(DataCategory::Notes);
                if ok {
                    shown.push(pid);
                    categories.push(cat);
                } else {
                    hidden.push(pid);
                }
                let name = names
                    .get(&pid)
                    .filter(|_| ok)
                    .map(|p| format!("{} {}", p.first_name, p.last_name));
                (ok, item_ok(&pid, Some(DataCategory::Notes)), name)
            }
            None => match item.referral_id {
                // A referred person who is not a participant yet: case management only.
                Some(_) => (cm, cm, None),
                None => (true, true, None),
            },
        };
        if !visible {
            continue;
        }
        let actions = owg::actions_for_item(&mut c, auth.user.site_id, item.id)
            .await?
            .into_iter()
            .map(|a| ActionView {
                id: a.id,
                owner_id: *a.owner_id.as_uuid(),
                due_on: a.due_on,
                description: a.description,
                done: a.done,
            })
            .collect();
        out.push(ItemView {
            id: item.id,
            seq: item.seq,
            source: item.source,
            participant_id: item.participant_id.map(|p| *p.as_uuid()),
            participant_name: name,
            category: item.category.map(|c| c.as_str().to_string()),
            detail: item.detail,
            text: item.body,
            minutes: if notes_ok { item.minutes } else { None },
            actions,
        });
    }
    // One entry for the agenda as shown, naming its participants, and one
    // for the items withheld, if any.
    for (outcome, participants, cats) in [
        (Outcome::Allowed, shown, categories),
        (Outcome::Denied, hidden, Vec::new()),
    ] {
        if outcome == Outcome::Denied && participants.is_empty() {
            continue;
        }
        let mut e = audit::event(auth, "owg.agenda.read", outcome, actx);
        e.subject_ref = Some(format!("owg_meeting:{meeting}"));
        e.participants = dedup(participants);
        e.categories = dedup(cats);
        audit::record(state, e).await?;
    }
    Ok(AgendaView {
        id: m.id,
        held_on: m.held_on,
        title: m.title,
        items: out,
    })
}

fn dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Minutes {
    pub minutes: String,
}

/// Minutes may hold case detail, so they are `notes` about the item's
/// participant: the meeting's convener writes them, and so may an attendee
/// whose organisation may see that participant under `notes`. A site admin
/// writes none.
pub async fn set_minutes(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    item: Uuid,
    body: Minutes,
) -> AppResult<()> {
    let agency = agency_of(state, auth).await?;
    const REFUSAL: &str = "Minutes are kept by the meeting's convener, or by an attendee whose organisation may see this participant's case notes.";
    if !workflow::may(auth, &agency, Action::WriteMinutes) {
        return Err(AppError::Forbidden(REFUSAL));
    }
    let site = auth.user.site_id;
    let meeting_id = owg::meeting_of_item(&mut state.store.conn(), site, item).await?;
    let meeting = owg::get_meeting(&mut state.store.conn(), site, meeting_id).await?;
    let convener = meeting.created_by == auth.user.id;
    if !convener {
        if !meeting.attendees.contains(&auth.user.id) {
            return Err(AppError::Forbidden(REFUSAL));
        }
        let participant = owg::items(&mut state.store.conn(), site, meeting_id)
            .await?
            .into_iter()
            .find(|i| i.id == item)
            .and_then(|i| i.participant_id);
        if let Some(pid) = participant {
            let guard = Guard::new(state, auth).await?;
            let p = casework::get_participant(&mut state.store.conn(), site, pid).await?;
            let f = facts(state, guard.site(), p).await?;
            if !matches!(
                guard.assess(&f).answer(DataCategory::Notes),
                handoff_domain::disclosure::Answer::Allowed(_)
            ) {
                let mut e = audit::event(auth, "owg.minutes", Outcome::Denied, actx);
                e.subject_ref = Some(format!("owg_item:{item}"));
                e.subject_participant_id = Some(pid);
                e.categories = vec![DataCategory::Notes];
                audit::record(state, e).await?;
                return Err(AppError::Forbidden(REFUSAL));
            }
        }
    }
    if body.minutes.chars().count() > 8000 {
        return Err(AppError::field("minutes", "is longer than 8000 characters"));
    }
    let mut tx = state.store.begin().await?;
    owg::set_minutes(
        &mut tx.conn(),
        auth.user.site_id,
        item,
        body.minutes.trim(),
        auth.user.id,
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "owg.minutes", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("owg_item:{item}"));
    e.categories = vec![DataCategory::Notes];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAction {
    pub owner_id: String,
    /// YYYY-MM-DD
    pub due_on: String,
    pub description: String,
}

pub async fn add_action(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    item: Uuid,
    a: NewAction,
) -> AppResult<Uuid> {
    let meeting = owg::meeting_of_item(&mut state.store.conn(), auth.user.site_id, item).await?;
    attendee_or_convener(state, auth, meeting).await?;
    let owner: UserId = a
        .owner_id
        .parse()
        .map_err(|_| AppError::field("owner_id", "is not a user id"))?;
    users::get(&mut state.store.conn(), auth.user.site_id, owner)
        .await
        .map_err(|_| AppError::field("owner_id", "no such user"))?;
    time::Date::parse(
        a.due_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| AppError::field("due_on", "is not a date like 2026-12-15"))?;
    if a.description.trim().is_empty() {
        return Err(AppError::field("description", "is required"));
    }
    let mut tx = state.store.begin().await?;
    let id = owg::add_action(
        &mut tx.conn(),
        auth.user.site_id,
        owg::NewAction {
            item,
            owner,
            due_on: a.due_on.trim(),
            description: a.description.trim(),
            by: auth.user.id,
        },
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "owg.action.add", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("owg_action:{id}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// The caller's open action items (their home page).
pub async fn my_actions(state: &AppState, auth: &Auth) -> AppResult<Vec<ActionView>> {
    Ok(
        owg::open_actions_of(&mut state.store.conn(), auth.user.site_id, auth.user.id)
            .await?
            .into_iter()
            .map(|a| ActionView {
                id: a.id,
                owner_id: *a.owner_id.as_uuid(),
                due_on: a.due_on,
                description: a.description,
                done: a.done,
            })
            .collect(),
    )
}

// ---- Prosecutorial coordination ------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCharge {
    pub participant_id: String,
    /// The charge, e.g. "RCW 9A.56.050 Theft 3".
    pub charge: String,
    #[serde(default)]
    pub case_number: Option<String>,
    /// The offence class (a conduct code such as `theft`): with
    /// `jurisdiction`, routes the item to the office that owns the case
    /// under the site's policy. Neither given: the opener's office.
    #[serde(default)]
    pub offence_class: Option<String>,
    /// The site area (precinct) the charge arose in.
    #[serde(default)]
    pub jurisdiction: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub author: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationView {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub charge: String,
    pub case_number: Option<String>,
    /// What the participant's release lets the reader know (category → data).
    #[schema(value_type = Object)]
    #[schema(value_type = Object)]
    pub disclosed: BTreeMap<DataCategory, CategoryView>,
    pub messages: Vec<MessageView>,
    pub decision: Option<String>,
    pub decision_note: Option<String>,
}

/// The liaison prosecutor opens an item for a new charge against a
/// participant they may know of (or an import does, later).
pub async fn open_charge(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    n: NewCharge,
) -> AppResult<Uuid> {
    let agency = agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::CoordinateAsProsecutor,
        "New charges are entered by the prosecutor's office.",
    )?;
    let pid: ParticipantId = n
        .participant_id
        .parse()
        .map_err(|_| AppError::field("participant_id", "is not a participant id"))?;
    let guard = Guard::new(state, auth).await?;
    let p = casework::get_participant(&mut state.store.conn(), auth.user.site_id, pid)
        .await
        .map_err(|_| AppError::NotFound)?;
    let f = facts(state, guard.site(), p).await?;
    if !guard.assess(&f).may_know_exists() {
        return Err(AppError::NotFound);
    }
    if n.charge.trim().is_empty() {
        return Err(AppError::field("charge", "is required"));
    }
    let office = owning_office(state, auth, &agency, &n).await?;
    let mut tx = state.store.begin().await?;
    let id = owg::open_coordination(
        &mut tx.conn(),
        auth.user.site_id,
        owg::NewCoordination {
            participant: pid,
            prosecutor_agency: office,
            charge: n.charge.trim(),
            case_number: n.case_number.as_deref(),
            opened_by: Some(auth.user.id),
        },
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "coordination.open", Outcome::Allowed, actx);
    e.subject_participant_id = Some(pid);
    e.categories = vec![DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

/// The office that owns a new charge: routed by the site policy's
/// prosecuting offices where the charge names its offence class or
/// jurisdiction, else the opener's office.
async fn owning_office(
    state: &AppState,
    auth: &Auth,
    agency: &handoff_store::orgs::Agency,
    n: &NewCharge,
) -> AppResult<handoff_domain::AgencyId> {
    let class = n
        .offence_class
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let area = n
        .jurisdiction
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if class.is_none() && area.is_none() {
        return Ok(agency.id);
    }
    let mut c = state.store.conn();
    let site = auth.user.site_id;
    let doc = handoff_store::policy::current(&mut c, site)
        .await?
        .map(|v| v.document)
        .unwrap_or_default();
    let routes = SiteCoordination::of_document(&doc).unwrap_or_default();
    let offices: Vec<_> = handoff_store::orgs::list_agencies(&mut c, site)
        .await?
        .into_iter()
        .filter(|a| a.kind == handoff_domain::AgencyKind::Prosecutor)
        .map(|a| a.id)
        .collect();
    Ok(routes
        .office_for(class, area, &offices)
        .unwrap_or(agency.id))
}

/// Who is party to a coordination item: the owning prosecutor's office, and
/// case management of the participant's agency.
async fn party(state: &AppState, auth: &Auth, id: Uuid) -> AppResult<owg::Coordination> {
    let item = owg::get_coordination(&mut state.store.conn(), auth.user.site_id, id).await?;
    let agency = agency_of(state, auth).await?;
    let p = casework::get_participant(
        &mut state.store.conn(),
        auth.user.site_id,
        item.participant_id,
    )
    .await?;
    let prosecutor = workflow::may(auth, &agency, Action::CoordinateAsProsecutor)
        && agency.id == item.prosecutor_agency_id;
    let cm = workflow::may(auth, &agency, Action::Casework) && agency.id == p.agency_id;
    if prosecutor || cm {
        Ok(item)
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn view_charge(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: Uuid,
) -> AppResult<CoordinationView> {
    let item = party(state, auth, id).await?;
    let guard = Guard::new(state, auth).await?;
    let wanted = [
        DataCategory::Enrollment,
        DataCategory::Engagement,
        DataCategory::Plan,
    ];
    let disclosed = match guard.read_all(actx, item.participant_id, &wanted).await {
        Ok(r) => r.shown.into_iter().map(|d| (d.category, d.data)).collect(),
        Err(AppError::NotFound) => BTreeMap::new(),
        Err(e) => return Err(e),
    };
    let mut messages = Vec::new();
    for (author, body, at) in &item.messages {
        let name = users::get(&mut state.store.conn(), auth.user.site_id, *author)
            .await
            .map(|u| u.display_name)
            .unwrap_or_default();
        messages.push(MessageView {
            author: name,
            body: body.clone(),
            at: *at,
        });
    }
    Ok(CoordinationView {
        id: item.id,
        participant_id: *item.participant_id.as_uuid(),
        charge: item.charge,
        case_number: item.case_number,
        disclosed,
        messages,
        decision: item.decision,
        decision_note: item.decision_note,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Message {
    pub body: String,
}

pub async fn post_message(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: Uuid,
    m: Message,
) -> AppResult<()> {
    let item = party(state, auth, id).await?;
    let body = m.body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(AppError::field("body", "write 1 to 4000 characters"));
    }
    let mut tx = state.store.begin().await?;
    owg::add_message(
        &mut tx.conn(),
        auth.user.site_id,
        id,
        auth.user.id,
        body,
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "coordination.message", Outcome::Allowed, actx);
    e.subject_participant_id = Some(item.participant_id);
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChargeDecision {
    /// e.g. declined | filed | deferred | resolved_with_plan
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

pub async fn decide_charge(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: Uuid,
    d: ChargeDecision,
) -> AppResult<()> {
    let item = party(state, auth, id).await?;
    let agency = agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::CoordinateAsProsecutor,
        "The prosecutor's office records the decision.",
    )?;
    let decision = d.decision.trim();
    if !["filed", "declined", "deferred", "resolved_with_plan"].contains(&decision) {
        return Err(AppError::field(
            "decision",
            "expected one of: filed, declined, deferred, resolved_with_plan",
        ));
    }
    let mut tx = state.store.begin().await?;
    owg::decide_coordination(
        &mut tx.conn(),
        auth.user.site_id,
        id,
        decision,
        d.note.trim(),
        auth.user.id,
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "coordination.decision", Outcome::Allowed, actx);
    e.subject_participant_id = Some(item.participant_id);
    e.categories = vec![DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationSummary {
    pub id: Uuid,
    pub charge: String,
    pub case_number: Option<String>,
    pub decision: Option<String>,
}

/// The coordination items the caller is party to.
pub async fn my_charges(state: &AppState, auth: &Auth) -> AppResult<Vec<CoordinationSummary>> {
    let mut out = Vec::new();
    for id in owg::list_coordination(&mut state.store.conn(), auth.user.site_id).await? {
        if let Ok(item) = party(state, auth, id).await {
            out.push(CoordinationSummary {
                id: item.id,
                charge: item.charge,
                case_number: item.case_number,
                decision: item.decision,
            });
        }
    }
    Ok(out)
}

/// Puts a linked booking or charge on a meeting's agenda (once per
/// meeting). The detail holds dates only.
pub async fn add_agenda_item(
    c: &mut handoff_store::Conn<'_>,
    site: handoff_domain::SiteId,
    meeting: uuid::Uuid,
    r: &handoff_store::justice::JusticeRecord,
    referral: Option<handoff_domain::ReferralId>,
    at: time::OffsetDateTime,
) -> Result<bool, handoff_store::StoreError> {
    let Some(participant) = r.link.participant else {
        return Ok(false);
    };
    let on = r.event_on.as_deref().unwrap_or("an unknown date");
    let (source, detail) = if r.kind == handoff_justice::Kind::Bookings.as_str() {
        ("booking", format!("Booked into jail on {on}"))
    } else {
        ("charge", format!("New charge filed on {on}"))
    };
    let key = format!("justice:{}", r.id);
    owg::add_item(
        c,
        site,
        meeting,
        NewItem {
            source,
            participant: Some(participant),
            referral,
            category: Some(DataCategory::Justice),
            detail: Some(&detail),
            body: None,
            raised_by: None,
            dedupe_key: Some(&key),
        },
        at,
    )
    .await
}

/// Adds to a meeting's agenda the bookings and charges linked to
/// participants since the meeting before it (all of them for a site's first
/// meeting), and the participants' court dates, warrants and cases
/// (`court::agenda_items`). Running it again adds nothing new.
pub async fn justice_agenda_items(
    c: &mut handoff_store::Conn<'_>,
    site: handoff_domain::SiteId,
    meeting: uuid::Uuid,
) -> Result<Vec<ParticipantId>, handoff_store::StoreError> {
    let this = owg::get_meeting(c, site, meeting).await?;
    let previous = owg::list_meetings(c, site)
        .await?
        .into_iter()
        .filter(|m| m.held_on < this.held_on)
        .map(|m| m.held_on)
        .max();
    let since = previous
        .and_then(|d| {
            time::Date::parse(
                &d,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
        })
        .map_or(time::OffsetDateTime::UNIX_EPOCH, |d| {
            d.midnight().assume_utc()
        });
    let at = handoff_services::now();
    let held_on = time::Date::parse(
        &this.held_on,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(at.date());
    let mut added = crate::court::agenda_items(c, site, meeting, held_on, since).await?;
    for r in handoff_store::justice::participant_events_since(c, site, since).await? {
        let Some(pid) = r.link.participant else {
            continue;
        };
        let referral = handoff_store::casework::get_participant(c, site, pid)
            .await?
            .referral_id;
        if add_agenda_item(c, site, meeting, &r, referral, at).await? {
            added.push(pid);
        }
    }
    Ok(added)
}
