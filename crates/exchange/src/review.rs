//! Clerical review: a record the engine matched between the site's review
//! and auto-link thresholds waits here until a case manager or supervisor
//! accepts or rejects the proposed person. Decisions are kept per (record,
//! candidate) and never asked again; a rejection re-links the record
//! against the remaining candidates.

use crate::link::parse_candidate;
use handoff_audit::Outcome;
use handoff_domain::DataCategory;
use handoff_domain::rules::Action;
use handoff_justice::Record;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::disclosure::{Guard, facts};
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::{agency_of, may};
use handoff_services::{AppState, now};
use handoff_store::access::{self, SystemTask};
use handoff_store::justice::{self, Decision, JusticeRecord, LinkStatus};
use handoff_store::page::{Page, Paged};
use handoff_store::{casework, referrals};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// One side of a pair: who the record says it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSide {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub dob: Option<String>,
    pub sex: Option<String>,
    /// What it is: booking, arrest, … on the imported side; referred
    /// person, participant or comparison roster on the site's side.
    pub what: String,
    /// The event's date (imported side).
    pub on: Option<String>,
}

/// A proposed link waiting for a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    pub id: Uuid,
    pub kind: String,
    pub imported: PersonSide,
    pub candidate: PersonSide,
    pub match_probability: f64,
    /// The per-field contributions to the match weight.
    #[schema(value_type = Object)]
    pub explanation: Value,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewVerdict {
    /// accept | reject
    pub decision: String,
}

fn may_review(state_cm: bool) -> AppResult<()> {
    if state_cm {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Reviewing record matches is for case managers and supervisors.",
        ))
    }
}

fn imported_side(r: &JusticeRecord) -> PersonSide {
    let record: Option<Record> = serde_json::from_str(&r.content).ok();
    let person = record.as_ref().and_then(Record::person);
    PersonSide {
        first_name: person.map(|p| p.first_name.clone()).unwrap_or_default(),
        middle_name: person.and_then(|p| p.middle_name.clone()),
        last_name: person.map(|p| p.last_name.clone()).unwrap_or_default(),
        dob: person.map(|p| referrals::iso(p.dob)),
        sex: person.map(|p| p.sex.as_str().to_string()),
        what: r.kind.trim_end_matches('s').replace('_', " "),
        on: r.event_on.clone(),
    }
}

/// The site's side of a pair, where the reader may see it; `None` when a
/// participant's identity is not disclosed to them.
async fn candidate_side(
    state: &AppState,
    guard: &Guard<'_>,
    site: handoff_domain::SiteId,
    candidate: &str,
) -> AppResult<Option<PersonSide>> {
    let mut c = state.store.conn();
    match parse_candidate(candidate) {
        (Some(person), _) => {
            let participant = casework::list_participants(&mut c, site)
                .await?
                .into_iter()
                .find(|x| x.person_id == person);
            match participant {
                // A participant: identity (and demographics for the sex)
                // only where the guard discloses them to the reader.
                Some(part) => {
                    let access = guard.access(facts(state, guard.site(), part).await?);
                    let Some(g) = access.grant(DataCategory::Identity) else {
                        return Ok(None);
                    };
                    let p = referrals::identity(&mut c, &g).await?;
                    let sex = match access.grant(DataCategory::Demographics) {
                        Some(g) => Some(referrals::demographics(&mut c, &g).await?.sex),
                        None => None,
                    };
                    Ok(Some(PersonSide {
                        first_name: p.first_name,
                        middle_name: None,
                        last_name: p.last_name,
                        dob: p.dob,
                        sex,
                        what: "participant".into(),
                        on: None,
                    }))
                }
                // A referred person who is not a participant: the linker's
                // own candidate, shown to the clerical reviewer (case
                // management) and audited by the review.
                None => {
                    let key = access::unguarded_persons(site, SystemTask::Linkage);
                    let p = referrals::person(&mut c, &key, person).await?;
                    Ok(Some(PersonSide {
                        first_name: p.first_name,
                        middle_name: None,
                        last_name: p.last_name,
                        dob: p.dob,
                        sex: Some(p.sex),
                        what: "referred person".into(),
                        on: None,
                    }))
                }
            }
        }
        (None, Some(roster)) => {
            let r = justice::get(&mut c, site, roster).await?;
            let mut side = imported_side(&r);
            side.what = "comparison roster".into();
            Ok(Some(side))
        }
        _ => Ok(None),
    }
}

/// The review queue, oldest first (the first 200).
pub async fn queue(state: &AppState, auth: &Auth, actx: &Ctx) -> AppResult<Vec<ReviewItem>> {
    Ok(queue_page(state, auth, actx, &Page::legacy(200))
        .await?
        .items)
}

/// One page of the review queue, oldest first.
pub async fn queue_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    page: &Page,
) -> AppResult<Paged<ReviewItem>> {
    let agency = agency_of(state, auth).await?;
    may_review(may(auth, &agency, Action::Casework))?;
    let site = auth.user.site_id;
    let guard = Guard::new(state, auth).await?;
    let mut out = Vec::new();
    let got = justice::review_page(&mut state.store.conn(), site, page).await?;
    for r in got.items {
        let Some(candidate) = r.link.candidate.as_deref() else {
            continue;
        };
        let Some(side) = candidate_side(state, &guard, site, candidate).await? else {
            continue;
        };
        out.push(ReviewItem {
            id: r.id,
            kind: r.kind.clone(),
            imported: imported_side(&r),
            candidate: side,
            match_probability: r.link.probability.unwrap_or(0.0),
            explanation: r
                .link
                .explanation
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok())
                .unwrap_or(json!({})),
        });
    }
    let mut e = audit::event(auth, "justice.review.list", Outcome::Allowed, actx);
    e.categories = vec![DataCategory::Identity, DataCategory::Justice];
    audit::record(state, e).await?;
    Ok(Paged {
        items: out,
        next: got.next,
    })
}

/// Accepts or rejects the proposed link of a record in review.
pub async fn decide(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: Uuid,
    verdict: ReviewVerdict,
) -> AppResult<()> {
    let agency = agency_of(state, auth).await?;
    may_review(may(auth, &agency, Action::Casework))?;
    let decision = match verdict.decision.trim() {
        "accept" => Decision::Accept,
        "reject" => Decision::Reject,
        _ => return Err(AppError::field("decision", "expected accept or reject")),
    };
    let site = auth.user.site_id;
    let r = justice::get(&mut state.store.conn(), site, id).await?;
    let candidate = match (&r.link.status, &r.link.candidate) {
        (LinkStatus::Review, Some(c)) => c.clone(),
        _ => {
            return Err(AppError::Conflict(
                "this record is not waiting for review".into(),
            ));
        }
    };
    let ctx = crate::SiteZone::load(state, site).await?;
    let linker = crate::linker(state, site).await?;
    let at = now();
    let mut tx = state.store.begin().await?;
    if !justice::decide(
        &mut tx.conn(),
        site,
        id,
        &candidate,
        decision,
        auth.user.id,
        at,
    )
    .await?
    {
        return Err(AppError::Conflict("this pair was already decided".into()));
    }
    let decisions = justice::decisions(&mut tx.conn(), site, id).await?;
    let link = match decision {
        Decision::Accept => linker.attach(
            &candidate,
            LinkStatus::Accepted,
            r.link.probability,
            r.link.explanation.clone(),
        ),
        Decision::Reject => match serde_json::from_str::<Record>(&r.content) {
            Ok(record) => linker.link(&record, &decisions),
            Err(_) => justice::Link {
                status: LinkStatus::Rejected,
                ..justice::Link::unlinked()
            },
        },
    };
    justice::set_link(&mut tx.conn(), site, id, &link, at).await?;
    let action = match decision {
        Decision::Accept => "justice.review.accept",
        Decision::Reject => "justice.review.reject",
    };
    let mut e = audit::event(auth, action, Outcome::Allowed, actx);
    e.subject_ref = Some(format!("justice_record:{id}"));
    e.subject_participant_id = link.participant;
    e.categories = vec![DataCategory::Justice];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    if let Some(participant) = link.participant
        && let Ok(kind) = r.kind.parse::<handoff_justice::Kind>()
        && matches!(
            kind,
            handoff_justice::Kind::Bookings | handoff_justice::Kind::Charges
        )
    {
        let alert = crate::import::Alert {
            record: id,
            participant,
            kind,
        };
        crate::alerts::raise(state, &ctx, &[alert], Some(auth.user.id), at).await?;
    }
    Ok(())
}
