//! Caseloads (mine, the team's, unassigned), sorted by days since the last
//! contact, and assigning a case manager within the site's limits (warn
//! above the standard or the tolerated team average, refuse above the
//! ceiling). Each row passes through the disclosure guard.

use super::case_for_work;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::disclosure::{Guard, ParticipantSummary};
use crate::error::{AppError, AppResult};
use crate::workflow::{SiteCtx, agency_of, require};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::participation::{Assignment, check_assignment};
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, ParticipantId, UserId};
use handoff_store::page::{Cursor, Page};
use handoff_store::participation::Cases;
use handoff_store::{casework, participation, users};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum View {
    Mine,
    Team,
    Unassigned,
}

impl View {
    pub fn parse(s: Option<&str>) -> AppResult<View> {
        match s.unwrap_or("mine") {
            "mine" => Ok(View::Mine),
            "team" => Ok(View::Team),
            "unassigned" => Ok(View::Unassigned),
            _ => Err(AppError::field("view", "must be mine, team or unassigned")),
        }
    }
}

/// A case manager's load, for the team view.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadView {
    pub user_id: Uuid,
    pub name: String,
    pub open_cases: i64,
    /// fine | above_standard | at_ceiling
    pub level: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Caseload {
    pub view: String,
    /// Open cases, the longest without contact first.
    pub cases: Vec<ParticipantSummary>,
    /// Each case manager of the agency and their open cases (team view).
    pub loads: Vec<LoadView>,
}

/// The case managers of the caller's agency and their open cases.
pub async fn team_loads(state: &AppState, auth: &Auth) -> AppResult<Vec<(users::User, i64)>> {
    let mut c = state.store.conn();
    let counts = participation::open_caseloads(&mut c, auth.user.site_id).await?;
    Ok(
        crate::workflow::staff_who_may(&mut c, auth.user.site_id, Action::AcceptHandoff)
            .await?
            .into_iter()
            .filter(|u| u.agency_id == auth.user.agency_id)
            .map(|u| {
                let n = counts
                    .iter()
                    .find(|(id, _)| *id == u.id)
                    .map_or(0, |(_, n)| *n);
                (u, n)
            })
            .collect(),
    )
}

pub async fn caseload(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    view: View,
) -> AppResult<Caseload> {
    let page = Page::legacy(1_000_000);
    Ok(caseload_page(state, auth, actx, view, &page).await?.0)
}

/// One page of a caseload, and where the next begins.
pub async fn caseload_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    view: View,
    page: &Page,
) -> AppResult<(Caseload, Option<Cursor>)> {
    let agency = agency_of(state, auth).await?;
    require(
        auth,
        &agency,
        Action::Casework,
        "caseloads are for case managers and supervisors",
    )?;
    let guard = Guard::new(state, auth).await?;
    let mut c = state.store.conn();
    let which = match view {
        View::Mine => Cases::Of(auth.user.id),
        View::Team => Cases::Assigned,
        View::Unassigned => Cases::Unassigned,
    };
    let site = auth.user.site_id;
    let rows = participation::cases_page(&mut c, site, agency.id, which, page).await?;
    // The rows' order (longest without contact first), kept for ties.
    let keep: HashMap<ParticipantId, usize> = rows
        .items
        .iter()
        .enumerate()
        .map(|(i, r)| (r.participant_id, i))
        .collect();
    let ids: Vec<ParticipantId> = rows.items.iter().map(|r| r.participant_id).collect();
    let mut participants = casework::participants_by_id(&mut c, site, &ids).await?;
    participants.sort_by_key(|p| keep[&p.id]);
    let mut cases = guard.summarize(participants).await?;
    cases.sort_by_key(|s| std::cmp::Reverse(s.days_since_contact.unwrap_or(i64::MAX)));
    let limits = guard.site().policy.policy.caseload;
    let loads = if view == View::Team {
        team_loads(state, auth)
            .await?
            .into_iter()
            .map(|(u, n)| LoadView {
                user_id: *u.id.as_uuid(),
                name: u.display_name,
                open_cases: n,
                level: if n >= i64::from(limits.never_above) {
                    "at_ceiling"
                } else if n > i64::from(limits.standard) {
                    "above_standard"
                } else {
                    "fine"
                }
                .into(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut e = audit::event(auth, "caseload.read", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("caseload:{}", view_name(view)));
    e.participants = cases.iter().map(|p| p.id.into()).collect();
    e.categories = vec![
        DataCategory::Identity,
        DataCategory::Enrollment,
        DataCategory::Engagement,
    ];
    audit::record(state, e).await?;
    let caseload = Caseload {
        view: view_name(view).into(),
        cases,
        loads,
    };
    Ok((caseload, rows.next))
}

fn view_name(v: View) -> &'static str {
    match v {
        View::Mine => "mine",
        View::Team => "team",
        View::Unassigned => "unassigned",
    }
}

/// `POST /api/v1/participants/{id}/assign`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AssignForm {
    /// The case manager to take the case; null leaves it unassigned.
    #[serde(default)]
    pub case_manager_id: Option<Uuid>,
    /// Confirms an assignment that breaks the standard or the team average.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignResult {
    /// Whether the case moved (false: confirm the warnings and send again).
    pub assigned: bool,
    /// fine | warn | refused, with the warnings.
    #[schema(value_type = Object)]
    pub assignment: Assignment,
}

pub async fn assign(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: AssignForm,
) -> AppResult<AssignResult> {
    let p = case_for_work(state, auth, actx, pid, "participant.assign").await?;
    let ctx = SiteCtx::load(state, p.site_id).await?;
    let to: Option<UserId> = form.case_manager_id.map(Into::into);
    let team = team_loads(state, auth).await?;
    let verdict = match to {
        None => Assignment::Fine,
        Some(u) => {
            let Some((_, n)) = team.iter().find(|(m, _)| m.id == u) else {
                return Err(AppError::field(
                    "case_manager_id",
                    "is not a case manager of this agency",
                ));
            };
            if p.case_manager_id == Some(u) {
                Assignment::Fine
            } else {
                let team_cases: i64 = team.iter().map(|(_, n)| n).sum();
                check_assignment(
                    ctx.policy.policy.caseload,
                    u32::try_from(*n).unwrap_or(u32::MAX),
                    u32::try_from(team_cases).unwrap_or(u32::MAX),
                    u32::try_from(team.len()).unwrap_or(u32::MAX),
                )
            }
        }
    };
    let go = match &verdict {
        Assignment::Fine => true,
        Assignment::Warn { .. } => form.confirm,
        Assignment::Refused {
            caseload,
            never_above,
        } => {
            return Err(AppError::Conflict(format!(
                "this would give the case manager {caseload} cases; the site never goes above {never_above}"
            )));
        }
    };
    if go && p.case_manager_id != to {
        let warnings = serde_json::to_value(&verdict).unwrap_or_default();
        let mut tx = state.store.begin().await?;
        participation::assign(
            &mut tx.conn(),
            p.site_id,
            p.id,
            p.case_manager_id,
            to,
            &warnings,
            auth.user.id,
            now(),
        )
        .await?;
        let mut e = audit::event(auth, "participant.assign", Outcome::Allowed, actx);
        e.subject_participant_id = Some(p.id);
        e.subject_ref = to.map(|u| format!("user:{u}"));
        e.categories = vec![DataCategory::Enrollment];
        audit::record_in(&mut tx, e).await?;
        tx.commit().await?;
    }
    Ok(AssignResult {
        assigned: go,
        assignment: verdict,
    })
}
