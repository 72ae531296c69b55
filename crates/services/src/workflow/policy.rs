//! The site's eligibility policy: read by everyone at the site (it is not
//! personal data), changed only by site admins, each change a new version.

use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::eligibility::Policy;
use handoff_domain::rules::Action;
use handoff_domain::{AgencyKind, SiteId};
use handoff_justice::coordination::SiteCoordination;
use handoff_store::policy::{self, PolicyVersion};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyView {
    pub id: Uuid,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub created_by: Option<Uuid>,
    pub note: Option<String>,
    /// The policy document: the eligibility policy's keys and the site's
    /// coordination (`catchment_areas`, `prosecuting_offices`).
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
}

impl From<PolicyVersion> for PolicyView {
    fn from(v: PolicyVersion) -> Self {
        Self {
            id: *v.id.as_uuid(),
            version: v.version,
            created_at: v.created_at,
            created_by: v.created_by.map(|u| *u.as_uuid()),
            note: v.note,
            policy: v.document,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PolicyUpdate {
    /// The whole policy (see `GET /api/v1/policy` for its shape).
    #[schema(value_type = Object)]
    pub policy: serde_json::Value,
    /// Why it changed (e.g. "PCG meeting 2026-11-12, minute 4").
    #[serde(default)]
    pub note: Option<String>,
}

pub async fn current(state: &AppState, site: SiteId) -> AppResult<PolicyView> {
    policy::current(&mut state.store.conn(), site)
        .await?
        .map(Into::into)
        .ok_or(AppError::NotFound)
}

pub async fn history(state: &AppState, site: SiteId) -> AppResult<Vec<PolicyView>> {
    Ok(policy::history(&mut state.store.conn(), site)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Parses a policy body, naming the field that is wrong.
pub fn parse(value: serde_json::Value) -> AppResult<Policy> {
    let p: Policy = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        AppError::field(format!("policy.{path}"), e.into_inner().to_string())
    })?;
    p.validate()
        .map_err(|e| AppError::field(format!("policy.{}", e.field), e.message))?;
    Ok(p)
}

/// The refusal for anyone but a site admin.
pub const POLICY_REFUSAL: &str = "The site's policy is set by its site admins.";

pub async fn update(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    body: PolicyUpdate,
) -> AppResult<PolicyView> {
    super::require_now(state, auth, Action::Administer, POLICY_REFUSAL).await?;
    let coordination = SiteCoordination::of_document(&body.policy)
        .map_err(|e| AppError::field(e.field.to_string(), e.message))?;
    let p = parse(body.policy)?;
    check_coordination(state, auth.user.site_id, &coordination).await?;
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 1000) {
        return Err(AppError::field("note", "is longer than 1000 characters"));
    }
    let mut tx = state.store.begin().await?;
    let extra = serde_json::to_value(&coordination)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("coordination: {e}")))?;
    let v = policy::save_document(
        &mut tx.conn(),
        auth.user.site_id,
        &p,
        &extra,
        note,
        Some(auth.user.id),
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "policy.update", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("policy_version:{}", v.id));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(v.into())
}

/// The coordination keys name the site's own areas and prosecutor agencies.
async fn check_coordination(state: &AppState, site: SiteId, c: &SiteCoordination) -> AppResult<()> {
    let mut conn = state.store.conn();
    let areas = handoff_store::areas::list(&mut conn, site).await?;
    let known = |name: &str| areas.iter().any(|a| a.name == name);
    for (i, a) in c.catchment_areas.iter().enumerate() {
        if !known(a) {
            return Err(AppError::field(
                format!("policy.catchment_areas[{i}]"),
                "is not one of the site's areas",
            ));
        }
    }
    let agencies = handoff_store::orgs::list_agencies(&mut conn, site).await?;
    for (i, o) in c.prosecuting_offices.iter().enumerate() {
        if !agencies
            .iter()
            .any(|a| a.id == o.agency_id && a.kind == AgencyKind::Prosecutor)
        {
            return Err(AppError::field(
                format!("policy.prosecuting_offices[{i}].agency_id"),
                "is not one of the site's prosecutor agencies",
            ));
        }
        if let Some(j) = o.jurisdictions.iter().position(|j| !known(j)) {
            return Err(AppError::field(
                format!("policy.prosecuting_offices[{i}].jurisdictions[{j}]"),
                "is not one of the site's areas",
            ));
        }
    }
    Ok(())
}
