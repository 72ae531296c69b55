//! The evaluation in one step: the site's own evaluation export (the
//! limited data set under per-export pseudonyms, the same path as
//! `handoff export evaluation`) handed straight to the evaluation engine,
//! in the background, with the run kept beside its parameters so a PCG can
//! compare quarters. A run the data cannot support is refused in plain
//! words (too few people in a group), and analyses the engine could not
//! estimate are named in plain words instead of optimiser messages.
//!
//! The export itself lives in the exchange crate (a layer above this one);
//! its caller builds the dataset and hands it to [`execute`].

use crate::{costs, parse_date, require};
use handoff_audit::Outcome;
use handoff_domain::SiteId;
use handoff_domain::rules::Action;
use handoff_justice::evaluation::{EvaluationDataset, Group};
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::evidence::{self as store, Finished};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// The fewest people a group needs for the comparisons to be run.
pub const MIN_GROUP: usize = 20;

/// `POST /api/v1/evaluations`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RunBody {
    /// First index date (YYYY-MM-DD), more than a year before `to`.
    #[serde(default)]
    #[schema(format = Date)]
    pub from: String,
    /// The study end (YYYY-MM-DD), not after today; everyone in it has a
    /// year of follow-up before it.
    #[serde(default)]
    #[schema(format = Date)]
    pub to: String,
}

/// 201's body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Started {
    pub id: Uuid,
    pub status: String,
}

/// `GET /api/v1/evaluations/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunAnswer {
    pub id: Uuid,
    /// `running`, `done` or `refused`.
    pub status: String,
    /// What a running evaluation is doing.
    pub progress: String,
    pub from: String,
    pub to: String,
    pub n_lead: Option<i64>,
    pub n_control: Option<i64>,
    /// results.json (SPEC §8, with `ipw`) when done.
    #[schema(value_type = Option<Object>)]
    pub results: Option<serde_json::Value>,
    /// Why the run was refused, in plain words.
    pub refusal: Option<String>,
    /// Analyses the data could not support, in plain words.
    pub not_computed: Vec<String>,
    /// The cost–benefit comparison (when done).
    pub cost_benefit: Option<costs::CostBenefit>,
    /// The printable report.
    pub report_url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub created_at: time::OffsetDateTime,
}

/// Checks the caller and the site, records the run (`running`). The caller
/// then builds the dataset and calls [`execute`].
pub async fn start(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    b: &RunBody,
) -> AppResult<(Uuid, Date, Date)> {
    require(
        state,
        auth,
        Action::RunEvaluation,
        "the evaluation is run by evaluators and site admins",
    )
    .await?;
    let ctx = handoff_services::workflow::SiteCtx::load(state, auth.user.site_id).await?;
    if !handoff_services::research::allowed(&ctx) {
        let mut e = audit::event(auth, "evaluation.run", Outcome::Denied, actx);
        e.subject_ref = Some("evaluation:refused:research_use".into());
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(handoff_services::research::NOT_ALLOWED));
    }
    let from = parse_date("from", &b.from)?;
    let to = parse_date("to", &b.to)?;
    let today = ctx.tz.local_date(handoff_services::now());
    if to > today {
        return Err(AppError::field("to", "is after today"));
    }
    if (to - from).whole_days() < 366 {
        return Err(AppError::field(
            "from",
            "must be more than a year before `to`: everyone needs a year of follow-up",
        ));
    }
    let mut tx = state.store.begin().await?;
    let id = store::start_run(
        &mut tx.conn(),
        auth.user.site_id,
        auth.user.id,
        &crate::iso(from),
        &crate::iso(to),
        handoff_services::now(),
    )
    .await?;
    let mut e = audit::event(auth, "evaluation.run", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("evaluation_run:{id}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok((id, from, to))
}

/// Notes progress on a running evaluation.
pub async fn progress(state: &AppState, site: SiteId, id: Uuid, what: &str) {
    let _ = store::run_progress(&mut state.store.conn(), site, id, what).await;
}

/// The analyses the engine could not estimate (or whose estimate did not
/// settle), in plain words; the optimiser's step-by-step messages are left
/// out.
pub fn plain_refusals(r: &handoff_evaluation::Results) -> Vec<String> {
    let names: &[(&str, &str)] = &[
        ("felony_followup", "Felony charges after referral"),
        ("arrest_rate", "Arrests per year after referral"),
        ("negative binomial", "Arrests per year after referral"),
        ("housing", "Housing before and after referral"),
        ("employment", "Employment before and after referral"),
        ("income", "Income and benefits before and after referral"),
        ("survival", "Time to first new arrest"),
        (
            "cost_change",
            "The test of the change in justice-system cost",
        ),
        ("equity", "The test of differences in diversion by race"),
        ("ipw", "The propensity-weighted comparison"),
    ];
    let mut out: Vec<String> = Vec::new();
    for w in &r.meta.warnings {
        let refused = w.contains("not estimated") || w.contains("not computed");
        let unsettled = w.contains("did not converge");
        if !refused && !unsettled {
            continue;
        }
        let name = names
            .iter()
            .find(|(k, _)| w.starts_with(k))
            .map_or("An analysis", |(_, n)| n);
        let line = if unsettled {
            format!("{name}: the estimate did not fully settle; read it with caution.")
        } else if w.contains("singular") || w.contains("separation") || w.contains("cannot tell") {
            format!(
                "{name}: not reported — the data cannot tell the groups' effect apart from the other factors (too few people or events in some groups)."
            )
        } else {
            format!("{name}: not reported — the data cannot support it.")
        };
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

/// Runs the engine on the site's export and stores the outcome.
pub async fn execute(
    state: &AppState,
    site: SiteId,
    id: Uuid,
    from: Date,
    to: Date,
    data: AppResult<EvaluationDataset>,
) {
    let data = match data {
        Ok(d) => d,
        Err(e) => {
            let why = format!("The site's data could not be exported: {e}.");
            refuse(state, site, id, &why, None, None).await;
            return;
        }
    };
    let n = |g: Group| data.participants.iter().filter(|p| p.group == g).count();
    let (lead, control) = (n(Group::Lead), n(Group::Control));
    if lead < MIN_GROUP || control < MIN_GROUP {
        let why = format!(
            "The evaluation needs at least {MIN_GROUP} people in each group, each with a year of follow-up: \
                 this period has {lead} LEAD participants and {control} people in the comparison group. \
                 Choose a longer period, or log more eligible-but-booked arrests on diversion-off shifts."
        );
        refuse(
            state,
            site,
            id,
            &why,
            Some(lead as i64),
            Some(control as i64),
        )
        .await;
        return;
    }
    progress(state, site, id, "running the analyses").await;
    let outcome = tokio::task::spawn_blocking(move || {
        // The limited data set under this export's pseudonyms, in a private
        // folder that is removed at once.
        let dir = std::env::temp_dir().join(format!("handoff-run-{}", Uuid::now_v7().simple()));
        std::fs::create_dir(&dir)?;
        let run = (|| {
            for name in handoff_justice::evaluation::FILES {
                let mut f = std::fs::File::create(dir.join(name))?;
                data.write_file(name, &mut f)?;
            }
            handoff_evaluation::evaluate_dir(&dir).map_err(|e| std::io::Error::other(e.to_string()))
        })();
        let _ = std::fs::remove_dir_all(&dir);
        run
    })
    .await;
    let results = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            let why = format!("The evaluation could not read the export: {e}.");
            refuse(state, site, id, &why, None, None).await;
            return;
        }
        Err(e) => {
            let why = format!("The evaluation stopped: {e}.");
            refuse(state, site, id, &why, None, None).await;
            return;
        }
    };
    let cost = costs::summary(state, site, from, to).await.ok();
    let json = handoff_evaluation::results_json(&results);
    let report = render(&results, cost.as_ref(), from, to);
    finish(
        state,
        site,
        id,
        Finished {
            status: "done",
            n_lead: Some(results.meta.n_lead as i64),
            n_control: Some(results.meta.n_control as i64),
            results: Some(&json),
            report: Some(&report),
            refusal: None,
        },
    )
    .await;
}

async fn finish(state: &AppState, site: SiteId, id: Uuid, f: Finished<'_>) {
    if let Err(e) = store::finish_run(
        &mut state.store.conn(),
        site,
        id,
        f,
        handoff_services::now(),
    )
    .await
    {
        tracing::warn!(error = %e, "could not record the end of an evaluation run");
    }
}

async fn refuse(
    state: &AppState,
    site: SiteId,
    id: Uuid,
    why: &str,
    n_lead: Option<i64>,
    n_control: Option<i64>,
) {
    finish(
        state,
        site,
        id,
        Finished {
            status: "refused",
            n_lead,
            n_control,
            results: None,
            report: None,
            refusal: Some(why),
        },
    )
    .await;
}

fn usd(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| {
        let sign = if v < 0.0 { "−" } else { "" };
        let v = v.abs().round() as i64;
        let s = v.to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{sign}${out}")
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report body: sample sizes and plain refusals first, the
/// cost–benefit comparison, then the engine's report.
pub fn render(
    r: &handoff_evaluation::Results,
    cost: Option<&costs::CostSummary>,
    from: Date,
    to: Date,
) -> String {
    let cb = costs::cost_benefit(r, cost);
    let mut s = String::new();
    s.push_str(&format!(
        "<section class=\"run-summary\" id=\"sample\"><h2>Who is in this evaluation</h2>\
         <p>Index dates from {} to a year before {}: <strong>{} LEAD participants</strong> and \
         <strong>{} people in the comparison group</strong> (eligible people booked on diversion-off shifts or otherwise not diverted), \
         each followed for at least a year.</p>",
        crate::iso(from),
        crate::iso(to),
        r.meta.n_lead,
        r.meta.n_control
    ));
    let refusals = plain_refusals(r);
    if !refusals.is_empty() {
        s.push_str("<h3>What the data cannot support</h3><ul>");
        for x in &refusals {
            s.push_str(&format!("<li>{}</li>", esc(x)));
        }
        s.push_str("</ul>");
    }
    s.push_str("</section><section id=\"cost-benefit\"><h2>Cost and benefit</h2><table><tbody>");
    for (k, v) in [
        (
            "Change in justice-system cost per person, LEAD",
            usd(cb.lead_change_usd),
        ),
        (
            "Change in justice-system cost per person, comparison group",
            usd(cb.control_change_usd),
        ),
        (
            "Difference (LEAD minus comparison)",
            usd(cb.difference_in_differences_usd),
        ),
        (
            "Programme cost per participant-year",
            usd(cb.program_cost_per_participant_year_usd),
        ),
        (
            "Justice cost avoided per person, less programme cost per participant-year",
            usd(cb.net_per_person_usd),
        ),
    ] {
        s.push_str(&format!("<tr><th scope=\"row\">{k}</th><td>{v}</td></tr>"));
    }
    s.push_str("</tbody></table></section>");
    // The engine's report, its optimiser messages replaced by the plain
    // words above.
    let mut shown = r.clone();
    shown.meta.warnings.clear();
    s.push_str(
        &handoff_evaluation::render_report_body(&shown)
            .replace(
                "(see the warnings)",
                "(see “What the data cannot support” above)",
            )
            .replace(
                "see the warnings above",
                "see “What the data cannot support” above",
            ),
    );
    s
}

/// One run, for those who may run or see the evaluation.
pub async fn get(
    state: &AppState,
    auth: &Auth,
    id: Uuid,
) -> AppResult<(RunAnswer, Option<String>)> {
    let agency = handoff_services::workflow::agency_of(state, auth).await?;
    if !handoff_services::workflow::may(auth, &agency, Action::RunEvaluation)
        && !handoff_services::workflow::may(auth, &agency, Action::SeeEvaluation)
    {
        return Err(AppError::Forbidden(
            "evaluation runs are for evaluators, site admins and the bureau",
        ));
    }
    let run = store::run(&mut state.store.conn(), auth.user.site_id, id)
        .await
        .map_err(|e| match e {
            handoff_store::StoreError::NotFound => AppError::NotFound,
            e => e.into(),
        })?;
    let results: Option<handoff_evaluation::Results> = run
        .results
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let cost_benefit = match &results {
        Some(r) => {
            let (from, to) = (
                parse_date("from", &run.from_on)?,
                parse_date("to", &run.to_on)?,
            );
            let cost = costs::summary(state, auth.user.site_id, from, to)
                .await
                .ok();
            Some(costs::cost_benefit(r, cost.as_ref()))
        }
        None => None,
    };
    Ok((
        RunAnswer {
            id: run.id,
            status: run.status,
            progress: run.progress,
            from: run.from_on,
            to: run.to_on,
            n_lead: run.n_lead,
            n_control: run.n_control,
            not_computed: results.as_ref().map(plain_refusals).unwrap_or_default(),
            results: run
                .results
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok()),
            refusal: run.refusal,
            cost_benefit,
            report_url: format!("/evaluation/runs/{}", run.id),
            created_at: run.created_at,
        },
        run.report,
    ))
}

/// The site's runs, newest first (a page).
pub async fn list(state: &AppState, auth: &Auth, limit: i64) -> AppResult<Vec<store::Run>> {
    let agency = handoff_services::workflow::agency_of(state, auth).await?;
    if !handoff_services::workflow::may(auth, &agency, Action::RunEvaluation)
        && !handoff_services::workflow::may(auth, &agency, Action::SeeEvaluation)
    {
        return Err(AppError::Forbidden(
            "evaluation runs are for evaluators, site admins and the bureau",
        ));
    }
    Ok(store::runs(&mut state.store.conn(), auth.user.site_id, limit).await?)
}
