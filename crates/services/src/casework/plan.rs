//! The participant's plan: goals in their own words with steps and status,
//! and referrals to service providers with their outcome. Reading the plan
//! goes through the disclosure guard (category `plan`); these are the writes.

use super::{GoalStatus, ReferralOutcome, case_for_work, parse_date, text};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::SiteCtx;
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::{DataCategory, GoalId, ParticipantId, ServiceReferralId};
use handoff_store::goals::{self, NewServiceReferral, Step};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StepForm {
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// A goal, in the participant's words.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct GoalForm {
    /// The goal as the participant says it.
    #[serde(default)]
    pub words: String,
    /// active (default) | achieved | set_aside
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepForm>,
}

struct ParsedGoal {
    words: String,
    status: GoalStatus,
    steps: Vec<Step>,
}

impl GoalForm {
    fn parse(&self) -> AppResult<ParsedGoal> {
        let words = text(Some(&self.words), "words", 500)?.ok_or_else(|| {
            AppError::field("words", "write the goal in the participant's own words")
        })?;
        let status = match self.status.as_deref() {
            None | Some("") => GoalStatus::Active,
            Some(s) => GoalStatus::parse(s, "status")?,
        };
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            if let Some(t) = text(Some(&s.text), &format!("steps[{i}].text"), 300)? {
                steps.push(Step {
                    text: t,
                    done: s.done,
                });
            }
        }
        if steps.len() > 30 {
            return Err(AppError::field("steps", "at most 30 steps"));
        }
        Ok(ParsedGoal {
            words,
            status,
            steps,
        })
    }
}

async fn audited(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    tx: &mut handoff_store::Tx,
    action: &str,
    pid: ParticipantId,
    subject: String,
) -> AppResult<()> {
    let _ = state;
    let mut e = audit::event(auth, action, Outcome::Allowed, actx);
    e.subject_participant_id = Some(pid);
    e.subject_ref = Some(subject);
    e.categories = vec![DataCategory::Plan];
    audit::record_in(tx, e).await?;
    Ok(())
}

pub async fn create_goal(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: GoalForm,
) -> AppResult<Uuid> {
    let g = form.parse()?;
    let p = case_for_work(state, auth, actx, pid, "goal.create").await?;
    let t = now();
    let mut tx = state.store.begin().await?;
    let id = goals::create(
        &mut tx.conn(),
        p.site_id,
        p.id,
        &g.words,
        g.status,
        &g.steps,
        auth.user.id,
        t,
    )
    .await?;
    audited(
        state,
        auth,
        actx,
        &mut tx,
        "goal.create",
        p.id,
        format!("goal:{id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(*id.as_uuid())
}

pub async fn update_goal(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    gid: GoalId,
    form: GoalForm,
) -> AppResult<()> {
    let g = form.parse()?;
    let p = case_for_work(state, auth, actx, pid, "goal.update").await?;
    let existing = goals::get(&mut state.store.conn(), p.site_id, gid).await?;
    if existing.participant_id != p.id {
        return Err(AppError::NotFound);
    }
    let mut tx = state.store.begin().await?;
    goals::update(
        &mut tx.conn(),
        p.site_id,
        gid,
        &g.words,
        g.status,
        &g.steps,
        now(),
    )
    .await?;
    audited(
        state,
        auth,
        actx,
        &mut tx,
        "goal.update",
        p.id,
        format!("goal:{gid}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A referral to a service provider.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ServiceReferralForm {
    /// The provider (an organisation's name).
    #[serde(default)]
    pub provider: String,
    /// What for, e.g. "detox bed", "SSI application help".
    #[serde(default)]
    pub service: String,
    /// `YYYY-MM-DD`; today when omitted.
    #[serde(default)]
    pub referred_on: Option<String>,
    /// pending (default) | connected | not_connected | declined
    #[serde(default)]
    pub outcome: Option<String>,
    /// The goal it serves, if any.
    #[serde(default)]
    pub goal_id: Option<Uuid>,
}

pub async fn create_service_referral(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: ServiceReferralForm,
) -> AppResult<Uuid> {
    let provider = text(Some(&form.provider), "provider", 200)?
        .ok_or_else(|| AppError::field("provider", "name the provider"))?;
    let service = text(Some(&form.service), "service", 300)?
        .ok_or_else(|| AppError::field("service", "say what the referral is for"))?;
    let outcome = match form.outcome.as_deref() {
        None | Some("") => ReferralOutcome::Pending,
        Some(s) => ReferralOutcome::parse(s, "outcome")?,
    };
    let p = case_for_work(state, auth, actx, pid, "service_referral.create").await?;
    let ctx = SiteCtx::load(state, p.site_id).await?;
    let t = now();
    let referred_on = match form.referred_on.as_deref() {
        None | Some("") => ctx.tz.local_date(t),
        Some(s) => parse_date(s, "referred_on")?,
    };
    let goal = match form.goal_id {
        Some(g) => {
            let g = goals::get(&mut state.store.conn(), p.site_id, g.into())
                .await
                .map_err(|_| AppError::field("goal_id", "is not a goal of this participant"))?;
            if g.participant_id != p.id {
                return Err(AppError::field(
                    "goal_id",
                    "is not a goal of this participant",
                ));
            }
            Some(g.id)
        }
        None => None,
    };
    let mut tx = state.store.begin().await?;
    let id = goals::create_service_referral(
        &mut tx.conn(),
        NewServiceReferral {
            site: p.site_id,
            participant: p.id,
            goal,
            provider: &provider,
            service: &service,
            referred_on: &handoff_store::referrals::iso(referred_on),
            outcome,
            by: auth.user.id,
            at: t,
        },
    )
    .await?;
    audited(
        state,
        auth,
        actx,
        &mut tx,
        "service_referral.create",
        p.id,
        format!("service_referral:{id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(*id.as_uuid())
}

pub async fn set_service_referral_outcome(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    rid: ServiceReferralId,
    outcome: &str,
) -> AppResult<()> {
    let outcome = ReferralOutcome::parse(outcome, "outcome")?;
    let p = case_for_work(state, auth, actx, pid, "service_referral.update").await?;
    let mut tx = state.store.begin().await?;
    goals::set_outcome(&mut tx.conn(), p.site_id, p.id, rid, outcome, now()).await?;
    audited(
        state,
        auth,
        actx,
        &mut tx,
        "service_referral.update",
        p.id,
        format!("service_referral:{rid}"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
