//! Psychosocial intake: housing, income and benefits, health, mental health
//! and substance use (kept apart as the `health` and `sud` categories),
//! legal obligations, documents, and the participant's own goals. Intake
//! creates the participant; the release of information completes enrolment.

use super::referrals::{load, on_the_case};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::living::LivingSituation;
use handoff_domain::{DataCategory, ParticipantId, ReferralId};
use handoff_store::casework::{self, IntakeContent, NewIntake};
use handoff_store::referrals;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/referrals/{id}/intake`. Only `living_situation` and
/// `participant_goals` are required.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct IntakeForm {
    /// A HUD living situation (e.g. `place_not_meant_for_habitation`,
    /// `emergency_shelter`, `rental_no_subsidy`) or `unsheltered`,
    /// `sheltered`, `housed`.
    #[serde(default)]
    pub living_situation: String,
    /// The participant's own goals, in their words.
    #[serde(default)]
    pub participant_goals: Vec<String>,
    /// e.g. `none`, `informal`, `part_time`, `full_time`.
    #[serde(default)]
    pub employment: Option<String>,
    /// Monthly income in dollars, if any.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub monthly_income: Option<serde_json::Value>,
    /// Benefits received or applied for (SNAP, SSI, Medicaid, …).
    #[serde(default)]
    pub benefits: Vec<String>,
    /// Physical health needs (category `health`).
    #[serde(default)]
    pub health: Option<String>,
    /// Mental health (category `health`).
    #[serde(default)]
    pub mental_health: Option<String>,
    /// Substance use and treatment (category `sud`, 42 CFR Part 2).
    #[serde(default)]
    pub substance_use: Option<String>,
    /// Court dates, warrants, probation (category `notes`).
    #[serde(default)]
    pub legal: Option<String>,
    /// Documents and ID the person has or needs.
    #[serde(default)]
    pub documents: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

fn text(v: &Option<String>, field: &'static str) -> AppResult<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > 4000 => {
            Err(AppError::field(field, "is longer than 4000 characters"))
        }
        Some(s) => Ok(Some(s.to_string())),
    }
}

impl IntakeForm {
    pub fn parse(&self) -> AppResult<IntakeContent> {
        let living: LivingSituation =
            self.living_situation
                .trim()
                .parse()
                .map_err(|e: handoff_domain::ParseError| {
                    AppError::field("living_situation", e.message)
                })?;
        let goals: Vec<String> = self
            .participant_goals
            .iter()
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty())
            .collect();
        if goals.is_empty() {
            return Err(AppError::field(
                "participant_goals",
                "write at least one goal in the participant's words",
            ));
        }
        if let Some(i) = goals.iter().position(|g| g.chars().count() > 500) {
            return Err(AppError::field(
                format!("participant_goals[{i}]"),
                "is longer than 500 characters",
            ));
        }
        let income = match &self.monthly_income {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n))
                if n.as_f64().is_some_and(|x| (0.0..1e7).contains(&x)) =>
            {
                n.as_f64()
            }
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(serde_json::Value::String(s)) => Some(
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..1e7).contains(x))
                    .ok_or_else(|| {
                        AppError::field("monthly_income", "is not an amount of dollars")
                    })?,
            ),
            Some(_) => {
                return Err(AppError::field(
                    "monthly_income",
                    "is not an amount of dollars",
                ));
            }
        };
        let general = serde_json::json!({
            "housing_status": living.collapse().as_str(),
            "employment": text(&self.employment, "employment")?,
            "monthly_income": income,
            "benefits": self.benefits,
            "legal": text(&self.legal, "legal")?,
            "documents": text(&self.documents, "documents")?,
            "notes": text(&self.notes, "notes")?,
        });
        let health = serde_json::json!({
            "health": text(&self.health, "health")?,
            "mental_health": text(&self.mental_health, "mental_health")?,
        });
        let sud =
            serde_json::json!({ "substance_use": text(&self.substance_use, "substance_use")? });
        Ok(IntakeContent {
            living_situation: living.as_str().to_string(),
            general,
            health,
            sud,
            goals,
        })
    }
}

pub async fn complete(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
    form: IntakeForm,
) -> AppResult<ParticipantId> {
    let content = form.parse()?;
    let (r, agency) = load(state, auth, id).await?;
    if !on_the_case(auth, &agency, &r) {
        return Err(AppError::Forbidden(
            "Only the case manager on the case records the intake.",
        ));
    }
    if !matches!(
        r.status,
        ReferralStatus::Accepted | ReferralStatus::TriageStarted
    ) {
        return Err(AppError::Conflict(format!(
            "the referral is {}; intake does not apply",
            r.status.label().to_lowercase()
        )));
    }
    let agency = r
        .case_agency_id
        .ok_or_else(|| AppError::Conflict("no case-management agency has accepted".into()))?;
    let t = now();
    let mut tx = state.store.begin().await?;
    let moved = referrals::record_step(
        &mut tx.conn(),
        r.site_id,
        r.id,
        r.status,
        ReferralStep::IntakeCompleted,
        Some(auth.user.id),
        t,
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict(
            "the referral changed meanwhile; reload and try again".into(),
        ));
    }
    let pid = casework::record_intake(
        &mut tx.conn(),
        NewIntake {
            site: r.site_id,
            referral: r.id,
            person: r.person_id,
            agency,
            case_manager: r.accepted_by.unwrap_or(auth.user.id),
            content: &content,
            at: t,
        },
    )
    .await?;
    referrals::set_participant(&mut tx.conn(), r.site_id, r.id, pid).await?;
    let mut e = audit::event(auth, "intake.create", Outcome::Allowed, actx);
    e.subject_participant_id = Some(pid);
    e.subject_ref = Some(format!("referral:{}", r.id));
    e.categories = vec![
        DataCategory::Enrollment,
        DataCategory::Notes,
        DataCategory::Health,
        DataCategory::Sud,
        DataCategory::Plan,
    ];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(pid)
}
