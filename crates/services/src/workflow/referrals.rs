//! Referral: submission and screening, listing and reading with per-reader
//! views, approval, the hand-off (accept, arrive) and triage.

use super::events::{Audience, SiteEvent};
use super::views::{
    CreatedReferral, EligibilityView, HoldView, PersonView, ReferralView, StaffView,
};
use super::{SiteCtx, agency_of, may, require, subject, viewer};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::disclosure::referral::ReferralStanding;
use handoff_domain::disclosure::{self, referral as referral_rule};
use handoff_domain::eligibility::{self, Approval, KnownRecord, ScreeningFacts};
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::hold::Hold;
use handoff_domain::referral::{Door, Referral, ReferralForm};
use handoff_domain::release::Release;
use handoff_domain::rules::Action;
use handoff_domain::{
    AgencyKind, DataCategory, HoldId, ParticipantId, PolicyVersionId, ReferralId, Role, UserId,
};
use handoff_justice::coordination::{SiteCoordination, with_reason};
use handoff_justice::screening;
use handoff_store::access::{self, Asker, ReferralAccess};
use handoff_store::orgs::Agency;
use handoff_store::page::{Page, Paged};
use handoff_store::referrals::{self, Filter, NewReferral, Person, ReferralRecord};
use handoff_store::{casework, holds, ids::new_id, notifications, orgs, releases, roster, users};
use std::collections::HashMap;

/// May this caller refer through this door?
fn may_refer(auth: &Auth, agency: &Agency, door: Door) -> bool {
    let action = match door {
        Door::ArrestDiversion | Door::SocialContact => Action::ReferByOfficer,
        Door::Community => Action::ReferByCommunity,
    };
    may(auth, agency, action)
}

/// Whether case management can take one more person: participants without
/// a case manager over capacity counts (standard caseload × case managers).
async fn capacity_remains(state: &AppState, ctx: &SiteCtx) -> AppResult<bool> {
    let mut c = state.store.conn();
    let managers = super::staff_who_may(&mut c, ctx.site.id, Action::AcceptHandoff)
        .await?
        .len();
    let participants = casework::list_participants(&mut c, ctx.site.id)
        .await?
        .len();
    let standard = usize::from(ctx.policy.policy.caseload.standard);
    Ok(participants < managers.max(1) * standard)
}

/// The longest client token a submission may carry.
pub const MAX_CLIENT_TOKEN_CHARS: usize = 100;

/// A submission's outcome: the referral filed now, or the one this
/// referrer already filed with the same client token.
pub struct Submitted {
    pub referral: CreatedReferral,
    /// The referral was filed by an earlier submission with the same token.
    pub replayed: bool,
}

/// Records and screens a referral. With a client token, idempotent: the
/// same referrer sending the same token again gets the first referral
/// back, filed once, even when the two submissions race.
pub async fn submit(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    mut form: ReferralForm,
) -> AppResult<Submitted> {
    let token = form.client_token.take().filter(|t| !t.is_empty());
    if token
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_CLIENT_TOKEN_CHARS)
    {
        return Err(AppError::field(
            "client_token",
            format!("is longer than {MAX_CLIENT_TOKEN_CHARS} characters"),
        ));
    }
    let door: Door = form
        .door
        .trim()
        .parse()
        .map_err(|e: handoff_domain::ParseError| AppError::field("door", e.message))?;
    let agency = agency_of(state, auth).await?;
    if !may_refer(auth, &agency, door) {
        return Err(AppError::Forbidden(
            "Your role cannot refer through this door.",
        ));
    }
    let earlier = |id| async move {
        Ok::<_, AppError>(Submitted {
            referral: get(state, auth, actx, id).await?.into(),
            replayed: true,
        })
    };
    if let Some(t) = &token
        && let Some(id) =
            referrals::by_client_token(&mut state.store.conn(), auth.user.site_id, auth.user.id, t)
                .await?
    {
        return earlier(id).await;
    }
    let referral = Referral::try_from(form)?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let policy = &ctx.policy.policy;
    let referred_at = now();
    referral.plausible(referred_at, ctx.tz.local_date(referred_at))?;
    let referred_on = ctx.tz.local_date(referral.occurred_at);
    // The record rules are checked against the site's own court records.
    let mut c = state.store.conn();
    let stored = handoff_store::justice::of_kind(&mut c, ctx.site.id, "charges").await?;
    let charges = screening::charges(stored.iter().map(|r| r.content.as_str()));
    let known = KnownRecord {
        capacity_remains: capacity_remains(state, &ctx).await?,
        records: screening::for_referral(&charges, &referral, referred_on, policy),
        ..KnownRecord::default()
    };
    let facts = ScreeningFacts::from_referral(&referral, referred_on, known);
    // Catchment and the owning prosecutor's office: the policy document's
    // coordination keys (crates/justice/src/coordination.rs).
    let site = SiteCoordination::of_document(&ctx.policy.document).unwrap_or_default();
    let area_name = referral.location.area.as_deref();
    let screening = with_reason(
        eligibility::screen(policy, &facts),
        site.catchment_reason(area_name),
    );
    let status = ReferralStatus::after_screening(screening.eligible, policy.needs_approval(door));
    let agencies = orgs::list_agencies(&mut state.store.conn(), ctx.site.id).await?;
    let offices: Vec<_> = agencies
        .iter()
        .filter(|a| a.kind == AgencyKind::Prosecutor)
        .map(|a| a.id)
        .collect();
    let classes = referral.offences.iter().map(|o| o.category.as_str());
    let prosecutor = site.office_for(classes, area_name, &offices);

    let area = match &referral.location.area {
        None => None,
        Some(name) => {
            let areas = handoff_store::areas::list(&mut state.store.conn(), ctx.site.id).await?;
            let found = areas.into_iter().find(|a| &a.name == name);
            Some(found.ok_or_else(|| {
                AppError::field("location.area", "is not one of the site's areas")
            })?)
        }
    };

    let mut tx = state.store.begin().await?;
    let created = referrals::create(
        &mut tx.conn(),
        NewReferral {
            site: ctx.site.id,
            referral: &referral,
            referred_by: auth.user.id,
            referrer_agency: auth.user.agency_id,
            policy_version: ctx.policy.id,
            screening: &screening,
            status,
            referred_at,
            client_token: token.as_deref(),
        },
    )
    .await;
    let record = match (created, &token) {
        (Ok(r), _) => r,
        // A submission with the same token won the race: return its referral.
        (Err(handoff_store::StoreError::Conflict(_)), Some(t)) => {
            drop(tx);
            let found = referrals::by_client_token(
                &mut state.store.conn(),
                auth.user.site_id,
                auth.user.id,
                t,
            )
            .await?;
            return match found {
                Some(id) => earlier(id).await,
                None => Err(AppError::Internal(anyhow::anyhow!(
                    "referral conflict without an earlier submission"
                ))),
            };
        }
        (Err(e), _) => return Err(e.into()),
    };
    if let Some(a) = &area {
        handoff_store::areas::set_referral_area(&mut tx.conn(), ctx.site.id, record.id, a.id)
            .await?;
    }
    let hold = if door == Door::ArrestDiversion && screening.eligible {
        let hold = Hold::open(
            new_id::<HoldId>(),
            record.id,
            referred_at,
            policy.hold_window_days,
            &ctx.tz,
        )
        .map_err(|_| AppError::Internal(anyhow::anyhow!("hold deadline out of range")))?;
        holds::create(&mut tx.conn(), ctx.site.id, &hold, prosecutor).await?;
        Some(hold)
    } else {
        None
    };
    let mut e = audit::event(auth, "referral.create", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{}", record.id));
    e.categories = vec![
        DataCategory::Identity,
        DataCategory::Demographics,
        DataCategory::Justice,
    ];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;

    match status {
        ReferralStatus::AwaitingHandoff => announce_handoff(state, &ctx, &record).await?,
        ReferralStatus::AwaitingApproval => announce_approval(state, &ctx, &record).await?,
        _ => {}
    }
    Ok(Submitted {
        referral: CreatedReferral {
            id: *record.id.as_uuid(),
            door: door.as_str().to_string(),
            status: status.as_str().to_string(),
            eligibility: EligibilityView::of(
                &screening,
                *ctx.policy.id.as_uuid(),
                ctx.policy.version,
            ),
            hold: hold.map(|h| HoldView::of(&h, record.incident_number.clone())),
            possible_duplicate_of: record
                .possible_duplicate_of
                .iter()
                .map(|d| *d.as_uuid())
                .collect(),
        },
        replayed: false,
    })
}

/// Tells the on-call case managers (or, with nobody on call, every case
/// manager) and the supervisors: a notification each, a live event, and the
/// site's webhook.
async fn announce_handoff(state: &AppState, ctx: &SiteCtx, r: &ReferralRecord) -> AppResult<()> {
    let mut c = state.store.conn();
    let t = now();
    let mut audience = roster::on_call(&mut c, ctx.site.id, t).await?;
    if audience.is_empty() {
        audience = super::staff_who_may(&mut c, ctx.site.id, Action::AcceptHandoff)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
    }
    for u in &audience {
        notifications::notify(
            &mut c,
            notifications::NewNotification {
                site: ctx.site.id,
                user: *u,
                kind: "handoff.new",
                referral: Some(r.id),
                hold: None,
                dedupe_key: &format!("handoff:{}", r.id),
                at: t,
            },
        )
        .await?;
    }
    state.bus.publish(SiteEvent {
        site: ctx.site.id,
        audience: Audience::Users(audience),
        kind: "referral.new",
        referral_id: Some(r.id),
    });
    state.bus.publish(SiteEvent {
        site: ctx.site.id,
        audience: Audience::Role(Role::Supervisor),
        kind: "referral.new",
        referral_id: Some(r.id),
    });
    super::events::webhook(
        state,
        ctx.site.webhook_url.clone(),
        serde_json::json!({"event": "referral.new", "site_id": ctx.site.id, "referral_id": r.id, "door": r.door.as_str(), "at": t.unix_timestamp()}),
    );
    Ok(())
}

async fn announce_approval(state: &AppState, ctx: &SiteCtx, r: &ReferralRecord) -> AppResult<()> {
    state.bus.publish(SiteEvent {
        site: ctx.site.id,
        audience: Audience::Role(Role::Supervisor),
        kind: "referral.awaiting_approval",
        referral_id: Some(r.id),
    });
    Ok(())
}

/// The referrals a caller may list.
pub async fn list(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    mine: bool,
) -> AppResult<Vec<ReferralView>> {
    Ok(list_page(state, auth, actx, mine, &Page::legacy(500))
        .await?
        .items)
}

/// One page of [`list`] (its filters and cursor in `page`).
pub async fn list_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    mine: bool,
    page: &Page,
) -> AppResult<Paged<ReferralView>> {
    let agency = agency_of(state, auth).await?;
    let filter = if may(auth, &agency, Action::Casework) {
        if mine {
            Filter::AcceptedBy(auth.user.id)
        } else {
            Filter::All
        }
    } else if may(auth, &agency, Action::ReferByOfficer)
        || may(auth, &agency, Action::ReferByCommunity)
    {
        Filter::ReferredBy(auth.user.id)
    } else {
        return Err(AppError::Forbidden(
            "Your role does not have a list of referrals.",
        ));
    };
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let shown = readable(state, auth, &agency, filter, page, |_| true).await?;
    let items = views(
        state,
        auth,
        actx,
        &agency,
        &ctx,
        &shown.items,
        "referral.list",
    )
    .await?;
    Ok(Paged {
        items,
        next: shown.next,
    })
}

/// Referrals waiting for approval, for those who approve them (designated
/// police staff, or project management, as the policy says).
pub async fn awaiting_approval(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
) -> AppResult<Vec<ReferralView>> {
    let first = Page::legacy(200);
    Ok(awaiting_approval_page(state, auth, actx, &first)
        .await?
        .items)
}

/// One page of [`awaiting_approval`].
pub async fn awaiting_approval_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    page: &Page,
) -> AppResult<Paged<ReferralView>> {
    let agency = agency_of(state, auth).await?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    may_approve(ctx.policy.policy.approval, auth, &agency)?;
    let filter = Filter::Status(ReferralStatus::AwaitingApproval);
    let shown = readable(state, auth, &agency, filter, page, |_| true).await?;
    let items = views(
        state,
        auth,
        actx,
        &agency,
        &ctx,
        &shown.items,
        "referral.list",
    )
    .await?;
    Ok(Paged {
        items,
        next: shown.next,
    })
}

/// Referrals waiting for a case manager (the hand-off inbox).
pub async fn inbox(state: &AppState, auth: &Auth, actx: &Ctx) -> AppResult<Vec<ReferralView>> {
    Ok(inbox_page(state, auth, actx, &Page::legacy(200))
        .await?
        .items)
}

/// One page of the hand-off inbox.
pub async fn inbox_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    page: &Page,
) -> AppResult<Paged<ReferralView>> {
    let agency = agency_of(state, auth).await?;
    require(
        auth,
        &agency,
        Action::RespondToHandoff,
        "The hand-off inbox is for case managers and supervisors of a case-management agency.",
    )?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let filter = Filter::Status(ReferralStatus::AwaitingHandoff);
    let shown = readable(state, auth, &agency, filter, page, |s| {
        s == ReferralStanding::CaseManagement
    })
    .await?;
    let items = views(
        state,
        auth,
        actx,
        &agency,
        &ctx,
        &shown.items,
        "referral.inbox",
    )
    .await?;
    Ok(Paged {
        items,
        next: shown.next,
    })
}

/// The caller as the referral rule sees them.
pub fn asker<'a>(auth: &'a Auth, agency: &Agency) -> Asker<'a> {
    Asker {
        viewer: viewer(auth, agency),
        designated_approver: auth.user.can_approve,
    }
}

/// A page of a filter's referrals (one query) that the referral rule lets
/// the caller read with a standing `keep` accepts.
async fn readable(
    state: &AppState,
    auth: &Auth,
    agency: &Agency,
    filter: Filter,
    page: &Page,
    keep: impl Fn(ReferralStanding) -> bool,
) -> AppResult<Paged<ReferralAccess>> {
    let mut got =
        access::referrals_page(&mut state.store.conn(), &asker(auth, agency), filter, page).await?;
    got.items.retain(|r| r.standing().is_some_and(&keep));
    Ok(got)
}

/// The referrals of a list as this reader may see them (their persons, the
/// staff who accepted and the releases read for the whole list at once),
/// and one audit entry naming the participants among them.
async fn views(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    agency: &Agency,
    ctx: &SiteCtx,
    shown: &[ReferralAccess],
    action: &str,
) -> AppResult<Vec<ReferralView>> {
    let mut batch = Batch::load(state, shown).await?;
    let mut out = Vec::with_capacity(shown.len());
    for r in shown {
        out.push(view_in(state, auth, agency, ctx, r, &mut batch).await?);
    }
    let mut e = audit::event(auth, action, Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referrals:{}", shown.len()));
    e.participants = shown
        .iter()
        .filter_map(|r| r.record().participant_id)
        .collect();
    e.categories = vec![
        DataCategory::Identity,
        DataCategory::Demographics,
        DataCategory::Hold,
    ];
    audit::record(state, e).await?;
    Ok(out)
}

/// What the views of a list need beyond the referrals, loaded together.
struct Batch {
    persons: HashMap<ReferralId, Person>,
    holds: HashMap<ReferralId, holds::StoredHold>,
    staff: HashMap<UserId, users::User>,
    releases: HashMap<ParticipantId, Vec<Release>>,
    policies: HashMap<PolicyVersionId, i64>,
}

impl Batch {
    async fn load(state: &AppState, shown: &[ReferralAccess]) -> AppResult<Batch> {
        let Some(first) = shown.first() else {
            return Ok(Batch {
                persons: HashMap::new(),
                holds: HashMap::new(),
                staff: HashMap::new(),
                releases: HashMap::new(),
                policies: HashMap::new(),
            });
        };
        let site = first.record().site_id;
        let mut c = state.store.conn();
        let grants: Vec<_> = shown.iter().filter_map(ReferralAccess::grant).collect();
        let persons = referrals::referral_persons(&mut c, &grants).await?;
        let ids: Vec<ReferralId> = shown.iter().map(|a| a.record().id).collect();
        let holds = holds::for_referrals(&mut c, site, &ids).await?;
        let staff = users::list(&mut c, site)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let pids: Vec<ParticipantId> = shown
            .iter()
            .filter_map(|r| r.record().participant_id)
            .collect();
        let mut rels: HashMap<ParticipantId, Vec<Release>> = HashMap::new();
        for r in releases::for_participants(&mut c, site, &pids).await? {
            rels.entry(r.participant_id).or_default().push(r.release);
        }
        Ok(Batch {
            persons,
            holds,
            staff,
            releases: rels,
            policies: HashMap::new(),
        })
    }

    /// The number of a policy version, read once per version.
    async fn policy(&mut self, state: &AppState, r: &ReferralRecord) -> AppResult<i64> {
        if let Some(v) = self.policies.get(&r.policy_version_id) {
            return Ok(*v);
        }
        let v = handoff_store::policy::get(&mut state.store.conn(), r.site_id, r.policy_version_id)
            .await?
            .version;
        self.policies.insert(r.policy_version_id, v);
        Ok(v)
    }
}

/// Whether the caller works this referral for case management: before
/// acceptance, staff of every case-management agency the site hands off to
/// (they must see enough to respond); after acceptance, the serving agency
/// alone (the domain's referral rule).
pub fn serves(auth: &Auth, agency: &Agency, r: &ReferralRecord) -> bool {
    referral_rule::standing(&viewer(auth, agency), auth.user.can_approve, &r.subject())
        == Some(ReferralStanding::CaseManagement)
}

/// Whether the caller approves referrals under the site's approval rule:
/// designated police staff, or project management.
fn may_approve(rule: Approval, auth: &Auth, agency: &Agency) -> AppResult<()> {
    let may = match rule {
        Approval::None => false,
        Approval::Police => is_police_approver(auth, agency),
        Approval::ProjectManagement => may(auth, agency, Action::ApproveAsProjectManagement),
    };
    if may {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "You are not designated to approve referrals. Ask your site admin if you should be.",
        ))
    }
}

/// Whether the caller approves referrals under the site's approval rule.
pub fn approves(ctx: &SiteCtx, auth: &Auth, agency: &Agency) -> bool {
    may_approve(ctx.policy.policy.approval, auth, agency).is_ok()
}

/// Designated police staff who approve referrals where the policy asks.
fn is_police_approver(auth: &Auth, agency: &Agency) -> bool {
    may(auth, agency, Action::ApproveAsPolice)
}

/// Loads a referral the caller may read; anything else is "not found".
pub async fn load(
    state: &AppState,
    auth: &Auth,
    id: ReferralId,
) -> AppResult<(ReferralRecord, Agency)> {
    let (r, agency) = load_access(state, auth, id).await?;
    Ok((r.into_record(), agency))
}

/// The same, with the caller's standing under the referral rule.
async fn load_access(
    state: &AppState,
    auth: &Auth,
    id: ReferralId,
) -> AppResult<(ReferralAccess, Agency)> {
    let agency = agency_of(state, auth).await?;
    let r = access::referral(&mut state.store.conn(), &asker(auth, &agency), id).await?;
    if r.standing().is_none() {
        return Err(AppError::NotFound);
    }
    Ok((r, agency))
}

pub async fn get(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
) -> AppResult<ReferralView> {
    let (a, agency) = match load_access(state, auth, id).await {
        Ok(x) => x,
        Err(AppError::NotFound) => {
            let mut e = audit::event(auth, "referral.read", Outcome::Denied, actx);
            e.subject_ref = Some(format!("referral:{id}"));
            audit::record(state, e).await?;
            return Err(AppError::NotFound);
        }
        Err(e) => return Err(e),
    };
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let mut v = view(state, auth, &agency, &ctx, &a).await?;
    let r = a.record();
    if a.standing() == Some(ReferralStanding::CaseManagement) {
        v.likely_matches = Some(crate::known::likely_matches(state, auth, &agency, actx, r).await?);
    }
    let mut e = audit::event(auth, "referral.read", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{}", r.id));
    e.subject_participant_id = r.participant_id;
    e.categories = vec![
        DataCategory::Identity,
        DataCategory::Demographics,
        DataCategory::Hold,
    ];
    audit::record(state, e).await?;
    Ok(v)
}

/// The referral as this reader may see it.
pub async fn view(
    state: &AppState,
    auth: &Auth,
    agency: &Agency,
    ctx: &SiteCtx,
    a: &ReferralAccess,
) -> AppResult<ReferralView> {
    let mut batch = Batch::load(state, std::slice::from_ref(a)).await?;
    view_in(state, auth, agency, ctx, a, &mut batch).await
}

/// [`view`] with what the list loaded.
async fn view_in(
    state: &AppState,
    auth: &Auth,
    agency: &Agency,
    ctx: &SiteCtx,
    a: &ReferralAccess,
    batch: &mut Batch,
) -> AppResult<ReferralView> {
    let r = a.record();
    // Case management working it sees the case; the referrer, and police
    // staff reviewing it for approval, see what was referred.
    let cm = a.standing() == Some(ReferralStanding::CaseManagement);
    let hold = batch.holds.remove(&r.id);
    let policy_version = batch.policy(state, r).await?;
    let person = batch.persons.get(&r.id).cloned().map(|p| PersonView {
        first_name: p.first_name,
        last_name: p.last_name,
        aliases: p.aliases,
        dob: p.dob,
        approx_age: p.approx_age,
        sex: p.sex,
        race: p.race,
        description: p.description,
    });
    let accepted_by = r
        .accepted_by
        .and_then(|u| batch.staff.get(&u))
        .map(|u| StaffView {
            id: *u.id.as_uuid(),
            name: u.display_name.clone(),
        });
    let participant = match (cm, r.participant_id) {
        (true, p) => Some(p.is_some()),
        (false, None) => None,
        (false, Some(pid)) => {
            let rels = batch.releases.get(&pid).map_or(&[][..], Vec::as_slice);
            let subj = subject(
                r,
                hold.as_ref().and_then(|h| h.prosecutor_agency_id),
                crate::research::allowed(ctx),
            );
            let d = disclosure::decide(
                &viewer(auth, agency),
                &subj,
                rels,
                DataCategory::Enrollment,
                ctx.tz.at(now()),
            );
            d.is_allowed().then_some(true)
        }
    };
    // Beyond the hand-off, how the person's case stands is enrolment: the
    // serving agency sees it, others only where the release discloses
    // `enrollment` to them. Everyone else learns whether the referral was
    // accepted, and the officer who is coming while the case manager is on
    // the way.
    let disclosed = cm || participant == Some(true);
    let status = if disclosed {
        r.status
    } else {
        coarse(r.status)
    };
    let officer = may(auth, agency, Action::ReferByOfficer);
    let accepted_by = if disclosed || (officer && r.status == ReferralStatus::Accepted) {
        accepted_by
    } else {
        None
    };
    Ok(ReferralView {
        id: *r.id.as_uuid(),
        door: r.door.as_str().to_string(),
        status: status.as_str().to_string(),
        status_label: status.label().to_string(),
        referred_at: r.referred_at,
        occurred_at: r.occurred_at,
        incident_number: r.incident_number.clone(),
        eligibility: EligibilityView::of(
            &r.screening,
            *r.policy_version_id.as_uuid(),
            policy_version,
        ),
        hold: hold
            .as_ref()
            .map(|h| HoldView::of(&h.hold, r.incident_number.clone())),
        person,
        details: a.grant().and_then(|g| r.details(&g).cloned()),
        accepted_by,
        accepted_at: r.accepted_at,
        triage_started_at: r.triage_started_at.filter(|_| disclosed),
        intake_completed_at: r.intake_completed_at.filter(|_| disclosed),
        enrolled_at: r.enrolled_at.filter(|_| disclosed),
        participant,
        participant_id: if cm {
            r.participant_id.map(|p| *p.as_uuid())
        } else {
            None
        },
        likely_matches: None,
        possible_duplicate_of: r
            .possible_duplicate_of
            .iter()
            .map(|d| *d.as_uuid())
            .collect(),
    })
}

/// A referral's status as those outside the case see it: accepted or not.
fn coarse(s: ReferralStatus) -> ReferralStatus {
    match s {
        ReferralStatus::TriageStarted
        | ReferralStatus::IntakeComplete
        | ReferralStatus::Enrolled => ReferralStatus::Accepted,
        other => other,
    }
}

/// Moves a referral one step, refusing a step that does not apply now.
async fn step(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    r: &ReferralRecord,
    step: ReferralStep,
    action: &str,
) -> AppResult<()> {
    let mut tx = state.store.begin().await?;
    let moved = referrals::record_step(
        &mut tx.conn(),
        r.site_id,
        r.id,
        r.status,
        step,
        Some(auth.user.id),
        now(),
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict(format!(
            "the referral is {}; this step does not apply",
            r.status.label().to_lowercase()
        )));
    }
    if step == ReferralStep::Accepted {
        referrals::set_case_agency(&mut tx.conn(), r.site_id, r.id, auth.user.agency_id).await?;
    }
    let mut e = audit::event(auth, action, Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{}", r.id));
    e.subject_participant_id = r.participant_id;
    e.categories = vec![DataCategory::Enrollment];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn approve(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
    approved: bool,
) -> AppResult<ReferralView> {
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let agency = agency_of(state, auth).await?;
    may_approve(ctx.policy.policy.approval, auth, &agency)?;
    let r = referrals::get(&mut state.store.conn(), auth.user.site_id, id).await?;
    let s = if approved {
        ReferralStep::Approved
    } else {
        ReferralStep::NotApproved
    };
    step(
        state,
        auth,
        actx,
        &r,
        s,
        if approved {
            "referral.approve"
        } else {
            "referral.not_approve"
        },
    )
    .await?;
    let a = access::referral(&mut state.store.conn(), &asker(auth, &agency), id).await?;
    if approved {
        announce_handoff(state, &ctx, a.record()).await?;
    }
    view(state, auth, &agency, &ctx, &a).await
}

pub async fn accept(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
) -> AppResult<ReferralView> {
    let agency = agency_of(state, auth).await?;
    require(
        auth,
        &agency,
        Action::AcceptHandoff,
        "Only a case manager of a case-management agency accepts a hand-off.",
    )?;
    let (r, _) = load(state, auth, id).await?;
    step(
        state,
        auth,
        actx,
        &r,
        ReferralStep::Accepted,
        "referral.accept",
    )
    .await?;
    let r = referrals::get(&mut state.store.conn(), auth.user.site_id, id).await?;
    state.bus.publish(SiteEvent {
        site: r.site_id,
        audience: Audience::Users(vec![r.referred_by]),
        kind: "referral.accepted",
        referral_id: Some(r.id),
    });
    state.bus.publish(SiteEvent {
        site: r.site_id,
        audience: Audience::Role(Role::CaseManager),
        kind: "referral.accepted",
        referral_id: Some(r.id),
    });
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let a = access::referral(&mut state.store.conn(), &asker(auth, &agency), id).await?;
    view(state, auth, &agency, &ctx, &a).await
}

/// The case manager on the case (who accepted), or a supervisor of the
/// same agency.
pub fn on_the_case(auth: &Auth, agency: &Agency, r: &ReferralRecord) -> bool {
    r.accepted_by == Some(auth.user.id)
        || (may(auth, agency, Action::SuperviseCaseloads) && r.case_agency_id == Some(agency.id))
}

pub async fn arrive(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
) -> AppResult<ReferralView> {
    let (r, agency) = load(state, auth, id).await?;
    if !on_the_case(auth, &agency, &r) {
        return Err(AppError::Forbidden(
            "Only the case manager on the case records arrival.",
        ));
    }
    step(
        state,
        auth,
        actx,
        &r,
        ReferralStep::TriageStarted,
        "referral.arrive",
    )
    .await?;
    let r = referrals::get(&mut state.store.conn(), auth.user.site_id, id).await?;
    state.bus.publish(SiteEvent {
        site: r.site_id,
        audience: Audience::Users(vec![r.referred_by]),
        kind: "referral.arrived",
        referral_id: Some(r.id),
    });
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let a = access::referral(&mut state.store.conn(), &asker(auth, &agency), id).await?;
    view(state, auth, &agency, &ctx, &a).await
}

/// Triage at the scene: immediate needs and safety, in one short form.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct TriageForm {
    /// e.g. food, water, shelter tonight, medical attention, withdrawal, naloxone, phone charge
    #[serde(default)]
    pub immediate_needs: Vec<String>,
    /// Safety concerns at the scene, if any.
    #[serde(default)]
    pub safety_concerns: Option<String>,
    /// Whether the person wants to continue to intake now.
    #[serde(default)]
    pub ready_for_intake: Option<bool>,
    #[serde(default)]
    pub notes: Option<String>,
}

pub async fn triage(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
    form: TriageForm,
) -> AppResult<()> {
    let (r, agency) = load(state, auth, id).await?;
    if !on_the_case(auth, &agency, &r) {
        return Err(AppError::Forbidden(
            "Only the case manager on the case records triage.",
        ));
    }
    for (i, n) in form.immediate_needs.iter().enumerate() {
        if n.chars().count() > 200 {
            return Err(AppError::field(
                format!("immediate_needs[{i}]"),
                "is longer than 200 characters",
            ));
        }
    }
    for (field, v) in [
        ("safety_concerns", &form.safety_concerns),
        ("notes", &form.notes),
    ] {
        if v.as_ref().is_some_and(|s| s.chars().count() > 2000) {
            return Err(AppError::field(field, "is longer than 2000 characters"));
        }
    }
    let t = now();
    let mut tx = state.store.begin().await?;
    if r.status == ReferralStatus::Accepted {
        referrals::record_step(
            &mut tx.conn(),
            r.site_id,
            r.id,
            r.status,
            ReferralStep::TriageStarted,
            Some(auth.user.id),
            t,
        )
        .await?;
    } else if r.status != ReferralStatus::TriageStarted {
        return Err(AppError::Conflict(format!(
            "the referral is {}; triage does not apply",
            r.status.label().to_lowercase()
        )));
    }
    let content = serde_json::to_value(&form).map_err(|e| AppError::Internal(e.into()))?;
    casework::record_triage(&mut tx.conn(), r.site_id, r.id, &content, auth.user.id, t).await?;
    let mut e = audit::event(auth, "referral.triage", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{}", r.id));
    e.categories = vec![DataCategory::Notes];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}
