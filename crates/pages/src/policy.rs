//! The site admin's eligibility policy editor: the version in force (number,
//! date, author, note), the history, and a form over the policy's fields.
//! Saving calls `workflow::policy::update`, which validates and stores a new
//! immutable version; a refusal re-shows the form as submitted, naming the
//! field.

use super::flow::{Fields, local, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::eligibility::Approval;
use handoff_domain::referral::{Conduct, Door, SubstanceClass};
use handoff_domain::rules::Action;
use handoff_http::AppState;
use handoff_http::auth::Auth;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::workflow::policy::{POLICY_REFUSAL, PolicyUpdate};
use handoff_http::workflow::{self, SiteCtx};
use handoff_store::users;
use maud::{Markup, html};
use serde_json::{Value, json};

/// The exclusion switches, with their words.
const EXCLUSIONS: &[(&str, &str)] = &[
    ("dealing_for_profit", "Dealing for profit above subsistence"),
    ("exploiting_minors", "Exploiting minors"),
    ("promoting_prostitution", "Promoting prostitution"),
    (
        "pending_treatment_court_case",
        "A treatment-court case is pending",
    ),
    (
        "no_contact_order_with_participant",
        "A no-contact order with a current participant",
    ),
    (
        "officer_not_amenable",
        "Officer judgement: not amenable (honoured)",
    ),
];

fn approval_label(a: Approval) -> &'static str {
    match a {
        Approval::None => "No approval step",
        Approval::Police => "Designated police staff",
        Approval::ProjectManagement => "Project management",
    }
}

fn has(list: &Value, code: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(code)))
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The grams limit the policy sets for one substance class (`None`: the
/// default limit for every class without its own).
fn limit_for(p: &Value, substance: Option<&str>) -> String {
    p["quantity_limits"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|l| l["substance"].as_str() == substance)
                .map(|l| text(&l["max_grams"]))
        })
        .unwrap_or_default()
}

fn form(auth: &Auth, p: &Value, note: &str) -> Markup {
    let num = |name: &str, label: &str, v: &Value, min: u32| {
        html! {
            label for=(name) { (label) }
            input id=(name) name=(name) type="number" inputmode="numeric" min=(min) value=(text(v));
        }
    };
    html! {
        form.stack.policy method="post" action="/admin/policy" {
            (csrf_field(auth))
            fieldset {
                legend { "Eligible conduct" }
                @for c in Conduct::ALL {
                    label.check { input type="checkbox" name="eligible_conduct" value=(c.as_str()) checked[has(&p["eligible_conduct"], c.as_str())]; " " (c.label()) }
                }
                @if let Some(site) = p["site_conduct"].as_array().filter(|a| !a.is_empty()) {
                    p.meta { "Site-defined categories (kept as they are): "
                        @for (i, s) in site.iter().enumerate() { @if i > 0 { ", " } (text(&s["label"])) } }
                }
            }
            fieldset {
                legend { "Quantity limits (grams; blank: no limit of its own)" }
                label for="limit_any" { "Any substance without its own limit" }
                input id="limit_any" name="limit_any" type="number" inputmode="decimal" step="0.1" min="0" value=(limit_for(p, None));
                @for s in SubstanceClass::ALL {
                    label for=(format!("limit_{}", s.as_str())) { (s.as_str().replace('_', " ")) }
                    input id=(format!("limit_{}", s.as_str())) name=(format!("limit_{}", s.as_str())) type="number" inputmode="decimal" step="0.1" min="0" value=(limit_for(p, Some(s.as_str())));
                }
            }
            fieldset {
                legend { "Exempt from quantity limits" }
                @for s in SubstanceClass::ALL {
                    label.check { input type="checkbox" name="quantity_exempt" value=(s.as_str()) checked[has(&p["quantity_exempt"], s.as_str())]; " " (s.as_str().replace('_', " ")) }
                }
            }
            fieldset {
                legend { "Exclusions" }
                @for (code, label) in EXCLUSIONS {
                    label.check { input type="checkbox" name=(format!("ex_{code}")) value="1" checked[p["exclusions"][*code].as_bool() == Some(true)]; " " (label) }
                }
                (num("violent_lookback", "Serious violent conviction within (years; blank: off)", &p["exclusions"]["violent_conviction_lookback_years"], 0))
                (num("minimum_age", "Minimum age (blank: none)", &p["exclusions"]["minimum_age"], 0))
            }
            fieldset {
                legend { "Open doors" }
                @for d in Door::ALL {
                    label.check { input type="checkbox" name="open_doors" value=(d.as_str()) checked[has(&p["open_doors"], d.as_str())]; " " (d.label()) }
                }
                label.check { input type="checkbox" name="social_contact_needs_capacity" value="1" checked[p["social_contact_needs_capacity"].as_bool() == Some(true)]; " Social contact only while case-management capacity remains" }
            }
            fieldset {
                legend { "Who approves a referral" }
                @for a in Approval::ALL {
                    label.check { input type="radio" name="approval" value=(a.as_str()) checked[p["approval"].as_str() == Some(a.as_str())]; " " (approval_label(*a)) }
                }
            }
            (num("hold_window_days", "Hold window (days)", &p["hold_window_days"], 1))
            (num("handoff_target_minutes", "Hand-off target (minutes)", &p["handoff_target_minutes"], 1))
            (num("not_recently_engaged_days", "Not recently engaged after (days without contact)", &p["not_recently_engaged_days"], 1))
            fieldset {
                legend { "Caseload limits per case manager" }
                (num("caseload_standard", "Intensive standard", &p["caseload"]["standard"], 1))
                (num("caseload_average", "Team average tolerated", &p["caseload"]["average"], 1))
                (num("caseload_never_above", "Never above", &p["caseload"]["never_above"], 1))
            }
            label.check { input type="checkbox" name="research_use_allowed" value="1" checked[p["research_use_allowed"].as_bool() == Some(true)]; " Evaluators may receive the limited data set (research use)" }
            label for="note" { "Why it changes (e.g. PCG meeting and minute)" }
            textarea id="note" name="note" rows="2" { (note) }
            button.primary type="submit" { "Save as a new version" }
        }
    }
}

async fn page(
    state: &AppState,
    auth: &Auth,
    attempt: Option<(&Value, &str, &AppError)>,
    saved: bool,
) -> Result<Markup, AppError> {
    handoff_http::workflow::require_now(state, auth, Action::Administer, POLICY_REFUSAL).await?;
    let site = SiteCtx::load(state, auth.user.site_id).await?;
    let current = workflow::policy::current(state, auth.user.site_id).await?;
    let history = workflow::policy::history(state, auth.user.site_id).await?;
    let people = users::list(&mut state.store.conn(), auth.user.site_id).await?;
    let author = |id: Option<uuid::Uuid>| {
        id.and_then(|u| people.iter().find(|p| *p.id.as_uuid() == u))
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| "the system".into())
    };
    let current_json = serde_json::to_value(&current.policy).unwrap_or(Value::Null);
    let (p, note) = match attempt {
        Some((v, n, _)) => (v.clone(), n.to_string()),
        None => (current_json, String::new()),
    };
    Ok(layout(
        "Eligibility policy",
        Some(auth),
        html! {
            h1 { "Eligibility policy" }
            @if saved { p.notice.ok role="status" { "Saved as version " (current.version) ". New referrals are screened against it." } }
            section.card aria-labelledby="current-h" {
                h2 id="current-h" { "In force: version " (current.version) }
                dl.facts {
                    dt { "Saved" } dd { (local(&site.tz, current.created_at)) }
                    dt { "By" } dd { (author(current.created_by)) }
                    dt { "Note" } dd { (current.note.as_deref().unwrap_or("—")) }
                }
            }
            section.card aria-labelledby="edit-h" {
                h2 id="edit-h" { "Change the policy" }
                p.meta { "Every save makes a new version; earlier versions stay as they were, and each screening names the version it used." }
                @if let Some((_, _, e)) = attempt { (problem(e)) }
                (form(auth, &p, &note))
            }
            section.card aria-labelledby="history-h" {
                h2 id="history-h" { "History" }
                div.scroll tabindex="0" role="region" aria-labelledby="history-h" {
                    table {
                        thead { tr { th scope="col" { "Version" } th scope="col" { "Saved" } th scope="col" { "By" } th scope="col" { "Note" } } }
                        tbody {
                            @for v in &history {
                                tr { td { (v.version) } td { (local(&site.tz, v.created_at)) } td { (author(v.created_by)) } td { (v.note.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct EditorQuery {
    saved: Option<String>,
}

pub async fn editor(
    State(state): State<AppState>,
    Signed(auth): Signed,
    axum::extract::Query(q): axum::extract::Query<EditorQuery>,
) -> PageResult {
    Ok(page(&state, &auth, None, q.saved.is_some())
        .await?
        .into_response())
}

/// A number field as JSON: a number when it reads as one, else the text
/// (so the policy's parser names the field), null when blank.
fn number(f: &Fields, name: &str) -> Value {
    match f.opt(name) {
        None => Value::Null,
        Some(s) => s
            .parse::<u64>()
            .map(Value::from)
            .or_else(|_| s.parse::<f64>().map(Value::from))
            .unwrap_or(Value::String(s)),
    }
}

/// The policy as the form describes it, over the current one (fields the
/// form does not show, such as site-defined categories, are kept).
fn policy_of(f: &Fields, current: &Value) -> Value {
    let mut p = current.clone();
    let mut limits = Vec::new();
    if f.opt("limit_any").is_some() {
        limits.push(json!({ "substance": null, "max_grams": number(f, "limit_any") }));
    }
    for s in SubstanceClass::ALL {
        let name = format!("limit_{}", s.as_str());
        if f.opt(&name).is_some() {
            limits.push(json!({ "substance": s.as_str(), "max_grams": number(f, &name) }));
        }
    }
    let mut exclusions = serde_json::Map::new();
    for (code, _) in EXCLUSIONS {
        exclusions.insert(
            (*code).to_string(),
            Value::Bool(f.checked(&format!("ex_{code}"))),
        );
    }
    exclusions.insert(
        "violent_conviction_lookback_years".into(),
        number(f, "violent_lookback"),
    );
    exclusions.insert("minimum_age".into(), number(f, "minimum_age"));
    let set = |k: &str, v: Value, p: &mut Value| {
        if let Some(o) = p.as_object_mut() {
            o.insert(k.to_string(), v);
        }
    };
    set("eligible_conduct", json!(f.all("eligible_conduct")), &mut p);
    set("quantity_limits", Value::Array(limits), &mut p);
    set("quantity_exempt", json!(f.all("quantity_exempt")), &mut p);
    set("exclusions", Value::Object(exclusions), &mut p);
    set("open_doors", json!(f.all("open_doors")), &mut p);
    set("approval", json!(f.get("approval")), &mut p);
    set("hold_window_days", number(f, "hold_window_days"), &mut p);
    set(
        "handoff_target_minutes",
        number(f, "handoff_target_minutes"),
        &mut p,
    );
    set(
        "not_recently_engaged_days",
        number(f, "not_recently_engaged_days"),
        &mut p,
    );
    set(
        "social_contact_needs_capacity",
        Value::Bool(f.checked("social_contact_needs_capacity")),
        &mut p,
    );
    set(
        "caseload",
        json!({
            "standard": number(f, "caseload_standard"),
            "average": number(f, "caseload_average"),
            "never_above": number(f, "caseload_never_above"),
        }),
        &mut p,
    );
    set(
        "research_use_allowed",
        Value::Bool(f.checked("research_use_allowed")),
        &mut p,
    );
    p
}

pub async fn save(Visit(state, ctx, Signed(auth)): Visit<Signed>, body: String) -> PageResult {
    handoff_http::workflow::require_now(&state, &auth, Action::Administer, POLICY_REFUSAL).await?;
    let f = Fields::parse(&body)?;
    let current = workflow::policy::current(&state, auth.user.site_id).await?;
    let current = serde_json::to_value(&current.policy).unwrap_or(Value::Null);
    let attempt = policy_of(&f, &current);
    let note = f.get("note").to_string();
    let update = PolicyUpdate {
        policy: attempt.clone(),
        note: f.opt("note"),
    };
    match workflow::policy::update(&state, &auth, &ctx, update).await {
        Ok(_) => Ok(see_other("/admin/policy?saved=1")),
        Err(e @ AppError::BadRequest { .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &auth, Some((&attempt, &note, &e)), false).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
