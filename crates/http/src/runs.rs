//! Starting an evaluation run, shared by the API (`POST /api/v1/evaluations`)
//! and the evaluator's page: the evidence crate checks the caller and
//! records the run; the exchange crate's evaluation export (its gate,
//! per-export pseudonyms, schema check and audit entry — the path of
//! `handoff export evaluation`) builds the dataset in a background task,
//! which hands it to the engine.

use handoff_evidence::evaluations::{self, RunBody};
use handoff_services::AppState;
use handoff_services::audit::Ctx;
use handoff_services::auth::Auth;
use handoff_services::error::AppResult;
use handoff_services::research::Exporter;
use uuid::Uuid;

/// Records the run and starts it in the background; returns its id.
pub async fn start_evaluation(
    s: &AppState,
    auth: &Auth,
    ctx: &Ctx,
    b: &RunBody,
) -> AppResult<Uuid> {
    let (id, from, to) = evaluations::start(s, auth, ctx, b).await?;
    let (state, actx, site) = (s.clone(), ctx.clone(), auth.user.site_id);
    tokio::spawn(async move {
        evaluations::progress(&state, site, id, "exporting the site's data").await;
        // On the site's behalf: the person who asked was checked and
        // audited by `evaluations::start`.
        let data = handoff_exchange::evaluation_dataset(
            &state,
            Exporter::Operator(site),
            &actx,
            Some(from),
            Some(to),
        )
        .await;
        evaluations::execute(&state, site, id, from, to, data).await;
    });
    Ok(id)
}
