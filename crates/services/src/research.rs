//! Research use: the one place that decides whether evaluators may have
//! the site's limited data set (DESIGN.md §3), and in what form.
//!
//! - [`allowed`] reads the site's policy. The disclosure subject
//!   (`disclosure::facts`, the referral view), the evaluation export over
//!   HTTP, `handoff export evaluation` and the evaluation page all ask it.
//! - [`authorize_export`] is the gate of every evaluation export (the API
//!   and the command line): the exporter must be allowed to take the
//!   dataset and the site must allow research use; a refusal is audited.
//! - [`by_internal_id`]: the limited data set reaches evaluators only in
//!   the evaluation export, where person ids are per-export pseudonyms.
//!   Reads addressed by a participant's internal id (`GET
//!   /api/v1/participants/{id}/{category}`, the participant list) would
//!   hand the evaluator the ids the case manager, the HMIS partner and the
//!   audit log use, and defeat the pseudonyms, so the guard refuses them
//!   and points to the export.

use crate::AppState;
use crate::audit::{self, By, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::{self, SiteCtx};
use handoff_audit::Outcome;
use handoff_domain::SiteId;
use handoff_domain::disclosure::Extent;
use handoff_domain::rules::Action;

/// Why an export is refused when the site's policy says no.
pub const NOT_ALLOWED: &str = "the site's policy does not allow research use";

/// Why an evaluator's read by internal id is refused.
pub const EXPORT_ONLY: &str = "the limited data set is given to evaluators only in the evaluation \
export, under per-export pseudonyms: GET /api/v1/exports/evaluation";

/// Whether the site's current policy allows research use.
pub fn allowed(ctx: &SiteCtx) -> bool {
    ctx.policy.policy.research_use_allowed
}

/// Whether a disclosure at `extent` may be given by the participant's
/// internal id: everything but the limited data set.
pub fn by_internal_id(extent: Extent) -> bool {
    extent != Extent::LimitedDataSet
}

/// Who takes an evaluation export.
#[derive(Clone, Copy)]
pub enum Exporter<'a> {
    /// A signed-in person (the API): must be allowed `ExportEvaluation`.
    Person(&'a Auth),
    /// The operator of the host, through `handoff export evaluation`.
    Operator(SiteId),
}

impl Exporter<'_> {
    pub fn site(&self) -> SiteId {
        match self {
            Exporter::Person(a) => a.user.site_id,
            Exporter::Operator(site) => *site,
        }
    }

    /// An audit event of this exporter.
    pub fn event(&self, action: &str, outcome: Outcome, actx: &Ctx) -> handoff_audit::AuditEvent {
        match self {
            Exporter::Person(a) => audit::event(a, action, outcome, actx),
            Exporter::Operator(site) => audit::event_by(*site, By::System, action, outcome, actx),
        }
    }
}

/// The gate of every evaluation export: the exporter may take the dataset
/// and the site allows research use. Refusals are audited
/// (`export.evaluation`, denied, with the reason as subject). Returns the
/// site's context for building the export.
pub async fn authorize_export(
    state: &AppState,
    exporter: Exporter<'_>,
    actx: &Ctx,
) -> AppResult<SiteCtx> {
    let refusal = match exporter {
        Exporter::Person(auth) => {
            let agency = workflow::agency_of(state, auth).await?;
            (!workflow::may(auth, &agency, Action::ExportEvaluation))
                .then_some(("role", "the evaluation dataset is for evaluators"))
        }
        Exporter::Operator(_) => None,
    };
    let ctx = SiteCtx::load(state, exporter.site()).await?;
    let refusal = refusal.or((!allowed(&ctx)).then_some(("research_use", NOT_ALLOWED)));
    if let Some((why, message)) = refusal {
        let mut e = exporter.event("export.evaluation", Outcome::Denied, actx);
        e.subject_ref = Some(format!("export:evaluation:refused:{why}"));
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(message));
    }
    Ok(ctx)
}
