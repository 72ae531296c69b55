//! A participant's record for case managers and anyone the release lets in:
//! each section only for a category the disclosure guard allows the
//! caller. The contact form is built to be filled on a phone in the field
//! in under a minute: place and services are big taps, one note, submit;
//! the rest is folded away.

use super::flow::{Fields, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use crate::AppState;
use crate::audit::Ctx;
use crate::auth::Auth;
use crate::auth::Origin;
use crate::casework::caseload::AssignForm;
use crate::casework::contacts::{ContactForm, PieceForm};
use crate::casework::plan::{GoalForm, StepForm};
use crate::casework::status::{CloseForm, ReopenForm};
use crate::casework::{self, Employment, GoalStatus, Place, Service, StaffRole};
use crate::disclosure::{CategoryData, Guard};
use crate::error::AppError;
use crate::workflow::{agency_of, is_case_management};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::participation::ClosureReason;
use handoff_domain::{DataCategory, ParticipantId};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

const SECTIONS: &[DataCategory] = &[
    DataCategory::Identity,
    DataCategory::Demographics,
    DataCategory::Enrollment,
    DataCategory::Engagement,
    DataCategory::Hold,
    DataCategory::Plan,
    DataCategory::Notes,
    DataCategory::Health,
    DataCategory::Sud,
    DataCategory::Justice,
];

/// Whether the caller works this participant's case (may write to it).
async fn works_case(state: &AppState, auth: &Auth, enrollment: Option<&CategoryData>) -> bool {
    let Ok(agency) = agency_of(state, auth).await else {
        return false;
    };
    // Case management sees everything of its own agency's participants,
    // so a full enrollment read with the agency's name means "ours".
    is_case_management(auth, &agency)
        && enrollment.is_some_and(|e| e.data["case_management_agency"] == agency.name.as_str())
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    logged: Option<String>,
}

pub async fn profile(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(render(&state, &ctx, &auth, pid, q.logged.is_some(), None)
        .await?
        .into_response())
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    pid: ParticipantId,
    logged: bool,
    err: Option<&AppError>,
) -> Result<Markup, AppError> {
    let guard = Guard::new(state, auth).await?;
    let mut shown: Vec<CategoryData> = Vec::new();
    for c in SECTIONS {
        match guard.read(ctx, pid, *c).await {
            Ok(d) => shown.push(d),
            Err(AppError::Forbidden(_)) => {}
            Err(AppError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e),
        }
    }
    let get = |c: &str| shown.iter().find(|d| d.category == c);
    let works = works_case(state, auth, get("enrollment")).await;
    let name = get("identity")
        .map(|d| format!("{} {}", s(&d.data["first_name"]), s(&d.data["last_name"])))
        .unwrap_or_else(|| "Participant".into());
    let base = format!("/participants/{pid}");
    let body = html! {
        h1 { (name) }
        @if logged { p.notice.ok role="status" { "Contact saved." } }
        @if let Some(e) = err { (problem(e)) }
        @if works {
            nav.tiles aria-label="Casework" {
                a.button.primary.big href=(format!("{base}/contacts/new")) { "Log a contact" }
                a.button href="/caseload" { "My caseload" }
            }
        }
        @if let Some(d) = get("engagement") {
            section.card aria-labelledby="eng-h" {
                h2 id="eng-h" { "Engagement" }
                p { strong { (s(&d.data["label"])) } }
                @if let Some(n) = d.data["days_since_contact"].as_i64() {
                    p.meta { "Last contact " (s(&d.data["last_contact_on"])) " (" (n) " days ago)" }
                }
            }
        }
        @if let Some(d) = get("identity") {
            section.card aria-labelledby="id-h" {
                h2 id="id-h" { "Identity" }
                p { "Date of birth: " (s(&d.data["dob"])) }
                @let pr = &d.data["profile"];
                @let aliases: Vec<String> = d.data["aliases"].as_array().into_iter().flatten().chain(pr["aliases"].as_array().into_iter().flatten()).map(s).collect();
                @if !aliases.is_empty() {
                    p { "Also known as: " (aliases.join(", ")) }
                }
                @for id in pr["identifiers"].as_array().into_iter().flatten() {
                    p { (s(&id["kind"]).replace('_', " ")) ": " (s(&id["value"])) }
                }
                @if let Some(phone) = pr["phone"].as_str() { p { "Phone: " a href=(format!("tel:{phone}")) { (phone) } } }
                @let places = pr["where_to_find"].as_array().cloned().unwrap_or_default();
                @if !places.is_empty() {
                    h3 { "Where to find them" }
                    ul.compact { @for w in &places { li { (s(&w["place"])) @if w["times"] != "" { " — " (s(&w["times"])) } } } }
                }
            }
        }
        @if let Some(d) = get("enrollment") {
            section.card aria-labelledby="enr-h" {
                h2 id="enr-h" { "Enrolment" }
                p { "Case management: " (s(&d.data["case_management_agency"])) }
                p { "Case manager: " (d.data["case_manager"].as_str().unwrap_or("not assigned")) }
                @if works {
                    @let team = casework::caseload::team_loads(state, auth).await?;
                    (assign_form(&base, auth, &team, d.data["case_manager"].as_str()))
                }
            }
        }
        @if let Some(d) = get("plan") {
            section.card aria-labelledby="plan-h" {
                h2 id="plan-h" { "Goals and services" }
                @if let Some(goals) = d.data["goal_details"].as_array() {
                    @let intake_goals = d.data["goals"].as_array().map_or(0, |g| g.len()).saturating_sub(goals.len());
                    ul.items {
                        @for g in d.data["goals"].as_array().into_iter().flatten().take(intake_goals) {
                            li.item { "“" (s(g)) "” " span.meta { "(said at intake)" } }
                        }
                        @for g in goals {
                            li.item {
                                "“" (s(&g["words"])) "” "
                                span.role { (GoalStatus::parse(&s(&g["status"]), "status").map(|x| x.label()).unwrap_or("")) }
                                @if let Some(steps) = g["steps"].as_array().filter(|x| !x.is_empty()) {
                                    ul.compact {
                                        @for st in steps {
                                            li { @if st["done"] == true { "✓ " } (s(&st["text"])) }
                                        }
                                    }
                                }
                                @if works {
                                    form.inline method="post" action=(format!("{base}/goals/{}", s(&g["id"]))) {
                                        (csrf_field(auth))
                                        input type="hidden" name="words" value=(s(&g["words"]));
                                        @for st in g["steps"].as_array().into_iter().flatten() {
                                            input type="hidden" name="step" value=(s(&st["text"]));
                                        }
                                        label for=(format!("st-{}", s(&g["id"]))) { "Status" }
                                        select id=(format!("st-{}", s(&g["id"]))) name="status" {
                                            @for gs in GoalStatus::ALL {
                                                option value=(gs.as_str()) selected[gs.as_str() == s(&g["status"])] { (gs.label()) }
                                            }
                                        }
                                        button type="submit" { "Save status" }
                                    }
                                }
                            }
                        }
                    }
                    @let refs = d.data["service_referrals"].as_array().cloned().unwrap_or_default();
                    @if !refs.is_empty() {
                        h3 { "Service referrals" }
                        ul.items {
                            @for r in &refs {
                                li.item { (s(&r["service"])) " — " (s(&r["provider"])) " · " (s(&r["referred_on"])) " · " (s(&r["outcome"]).replace('_', " ")) }
                            }
                        }
                    }
                } @else {
                    p { (s(&d.data["goals"])) " goals; " (s(&d.data["service_referrals"])) " service referrals." }
                }
                @if works {
                    details {
                        summary { "Add a goal" }
                        form.stack method="post" action=(format!("{base}/goals")) {
                            (csrf_field(auth))
                            label for="words" { "The goal, in the participant's words" }
                            input id="words" name="words" required maxlength="500";
                            label for="steps" { "Steps (one per line)" }
                            textarea id="steps" name="steps" rows="3" {}
                            button.primary type="submit" { "Add the goal" }
                        }
                    }
                }
            }
        }
        @if let Some(d) = get("notes") {
            section.card aria-labelledby="notes-h" {
                h2 id="notes-h" { "Contacts" }
                @let contacts = d.data["contacts"].as_array().cloned().unwrap_or_default();
                @if contacts.is_empty() { p.meta { "No contacts logged yet." } }
                ul.items {
                    @for k in contacts.iter().take(30) {
                        li.item {
                            strong { (s(&k["on"])) } " · " (Place::parse(&s(&k["place"]), "place").map(|p| p.label()).unwrap_or("")) " · " (s(&k["duration_minutes"])) " min"
                            @let services: Vec<&str> = k["services"].as_array().into_iter().flatten().filter_map(|x| x.as_str()).filter_map(|x| Service::parse(x, "s").ok()).map(|x| x.label()).collect();
                            @if !services.is_empty() { br; span.meta { (services.join(", ")) } }
                            @for n in k["notes"].as_array().into_iter().flatten() { p { (s(n)) } }
                        }
                    }
                }
                @if contacts.len() > 30 { p.meta { (contacts.len() - 30) " older contacts not shown." } }
                @let months = d.data["monthly"].as_array().cloned().unwrap_or_default();
                @if let Some(m) = months.last() {
                    h3 { "This month" }
                    p { "Housing: " (s(&m["housing"])) " · Work: " (s(&m["employment"]).replace('_', " ")) " · Income or benefits: " (if m["income_benefits"] == true { "yes" } else if m["income_benefits"] == false { "no" } else { "not known" }) }
                }
            }
        }
        @for (key, title) in [("health", "Health"), ("sud", "Substance use (42 CFR Part 2)")] {
            @if let Some(d) = get(key) {
                section.card aria-labelledby=(format!("{key}-h")) {
                    h2 id=(format!("{key}-h")) { (title) }
                    @if let Some(n) = d.redisclosure_notice { p.notice { (n) } }
                    ul.items {
                        @for k in d.data["contacts"].as_array().into_iter().flatten().take(20) {
                            li.item { strong { (s(&k["on"])) } " " (s(&k["text"])) }
                        }
                    }
                }
            }
        }
        @if works {
            section.card aria-labelledby="case-h" {
                h2 id="case-h" { "Case" }
                @if get("engagement").is_some_and(|d| d.data["state"] == "closed") {
                    form.stack method="post" action=(format!("{base}/reopen")) {
                        (csrf_field(auth))
                        button.primary type="submit" { "Reopen the case" }
                    }
                } @else {
                    form.stack method="post" action=(format!("{base}/close")) {
                        (csrf_field(auth))
                        label for="reason" { "Close the case because" }
                        select id="reason" name="reason" {
                            @for r in ClosureReason::ALL { option value=(r.as_str()) { (r.label()) } }
                        }
                        label for="close-note" { "Note (optional)" }
                        input id="close-note" name="note" maxlength="1000";
                        button type="submit" { "Close the case" }
                    }
                }
            }
        }
    };
    Ok(layout(&name, Some(auth), body))
}

fn assign_form(
    base: &str,
    auth: &Auth,
    team: &[(handoff_store::users::User, i64)],
    current: Option<&str>,
) -> Markup {
    html! {
        details {
            summary { "Change case manager" }
            form.stack method="post" action=(format!("{base}/assign")) {
                (csrf_field(auth))
                label for="cm" { "Case manager (open cases now)" }
                select id="cm" name="case_manager_id" {
                    option value="" { "Nobody (unassigned)" }
                    @for (u, n) in team {
                        option value=(u.id) selected[current == Some(u.display_name.as_str())] { (u.display_name) " (" (n) ")" }
                    }
                }
                label.check { input type="checkbox" name="confirm" value="1"; "Confirm even above the standard caseload of 15" }
                button type="submit" { "Assign" }
            }
        }
    }
}

/// The contact form: a phone in the field, under a minute.
pub async fn contact_form(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(contact_page(&state, &ctx, &auth, pid, None)
        .await?
        .into_response())
}

async fn contact_page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    pid: ParticipantId,
    err: Option<&AppError>,
) -> Result<Markup, AppError> {
    casework::case_for_work(state, auth, ctx, pid, "contact.form").await?;
    let guard = Guard::new(state, auth).await?;
    let id = guard.read(ctx, pid, DataCategory::Identity).await?;
    let name = format!("{} {}", s(&id.data["first_name"]), s(&id.data["last_name"]));
    let body = html! {
        h1 { "Contact with " (name) }
        @if let Some(e) = err { (problem(e)) }
        form.stack.quick method="post" action=(format!("/participants/{pid}/contacts")) {
            (csrf_field(auth))
            fieldset.seg {
                legend { "Where" }
                div.segs {
                    @for p in Place::ALL {
                        input type="radio" id=(format!("place-{}", p.as_str())) name="place" value=(p.as_str()) checked[*p == Place::Street];
                        label for=(format!("place-{}", p.as_str())) { (p.label()) }
                    }
                }
            }
            fieldset {
                legend { "Services" }
                div.two {
                    @for sv in Service::ALL {
                        label.check { input type="checkbox" name="services" value=(sv.as_str()); (sv.label()) }
                    }
                }
            }
            label for="note" { "Note" }
            textarea id="note" name="note" rows="3" maxlength="4000" {}
            details {
                summary { "More: health, substance use, time, housing and work" }
                label for="health" { "Health note (shared only as health)" }
                textarea id="health" name="health" rows="2" maxlength="4000" {}
                label for="sud" { "Substance-use note (42 CFR Part 2)" }
                textarea id="sud" name="sud" rows="2" maxlength="4000" {}
                div.two {
                    div {
                        label for="duration" { "Minutes" }
                        input id="duration" name="duration_minutes" type="number" inputmode="numeric" min="1" max="720" value="15";
                    }
                    div {
                        label for="who" { "Who" }
                        select id="who" name="staff_role" {
                            @for r in StaffRole::ALL { option value=(r.as_str()) { (r.label()) } }
                        }
                    }
                }
                label for="when" { "When (leave empty for now)" }
                input id="when" name="occurred_at" type="datetime-local";
                label for="living" { "Where they stay now" }
                select id="living" name="living_situation" {
                    option value="" { "—" }
                    option value="unsheltered" { "Unsheltered" }
                    option value="sheltered" { "Shelter or temporary" }
                    option value="housed" { "Housed" }
                }
                label for="work" { "Work" }
                select id="work" name="employment" {
                    option value="" { "—" }
                    @for e in Employment::ALL { option value=(e.as_str()) { (e.label()) } }
                }
                label for="income" { "Income or benefits" }
                select id="income" name="income_benefits" {
                    option value="" { "—" }
                    option value="yes" { "Yes" }
                    option value="no" { "No" }
                }
            }
            button.primary.big type="submit" { "Save contact" }
        }
        p { a href=(format!("/participants/{pid}")) { "Back to " (name) } }
    };
    Ok(layout("Log a contact", Some(auth), body))
}

fn refused(e: &AppError) -> bool {
    matches!(e, AppError::BadRequest { .. } | AppError::Conflict(_))
}

pub async fn log_contact(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let pieces = [("notes", "note"), ("health", "health"), ("sud", "sud")]
        .into_iter()
        .filter_map(|(c, field)| {
            f.opt(field).map(|text| PieceForm {
                category: c.into(),
                text,
            })
        })
        .collect();
    let form = ContactForm {
        occurred_at: f.opt("occurred_at"),
        duration_minutes: match f.opt("duration_minutes") {
            Some(m) => Some(
                m.parse()
                    .map_err(|_| AppError::field("duration_minutes", "is not a number"))?,
            ),
            None => None,
        },
        place: f.get("place").to_string(),
        staff_role: f.opt("staff_role"),
        services: f.all("services"),
        pieces,
        living_situation: f.opt("living_situation"),
        employment: f.opt("employment"),
        income_benefits: f.opt("income_benefits").map(|v| v == "yes"),
    };
    match casework::contacts::log(&state, &auth, &ctx, pid, form).await {
        Ok(_) => Ok(see_other(&format!("/participants/{pid}?logged=1"))),
        Err(e) if refused(&e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            contact_page(&state, &ctx, &auth, pid, Some(&e)).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Runs a change and goes back to the record, or shows the record with the
/// refusal named.
async fn then_back(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    pid: ParticipantId,
    r: Result<(), AppError>,
) -> PageResult {
    match r {
        Ok(()) => Ok(see_other(&format!("/participants/{pid}"))),
        Err(e) if refused(&e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(state, ctx, auth, pid, false, Some(&e)).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn add_goal(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let form = GoalForm {
        words: f.get("words").to_string(),
        status: None,
        steps: f
            .get("steps")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| StepForm {
                text: l.trim().to_string(),
                done: false,
            })
            .collect(),
    };
    let r = casework::plan::create_goal(&state, &auth, &ctx, pid, form)
        .await
        .map(|_| ());
    then_back(&state, &ctx, &auth, pid, r).await
}

pub async fn update_goal(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path((id, gid)): Path<(String, String)>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let gid = gid.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let form = GoalForm {
        words: f.get("words").to_string(),
        status: f.opt("status"),
        steps: f
            .all("step")
            .into_iter()
            .map(|text| StepForm { text, done: false })
            .collect(),
    };
    let r = casework::plan::update_goal(&state, &auth, &ctx, pid, gid, form).await;
    then_back(&state, &ctx, &auth, pid, r).await
}

pub async fn close(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let form = CloseForm {
        reason: f.get("reason").to_string(),
        on: f.opt("on"),
        note: f.opt("note"),
    };
    let r = casework::status::close(&state, &auth, &ctx, pid, form)
        .await
        .map(|_| ());
    then_back(&state, &ctx, &auth, pid, r).await
}

pub async fn reopen(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let r = casework::status::reopen(&state, &auth, &ctx, pid, ReopenForm::default())
        .await
        .map(|_| ());
    then_back(&state, &ctx, &auth, pid, r).await
}

pub async fn assign(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let to = match f.opt("case_manager_id") {
        Some(s) => Some(
            s.parse()
                .map_err(|_| AppError::field("case_manager_id", "is not a case manager"))?,
        ),
        None => None,
    };
    let form = AssignForm {
        case_manager_id: to,
        confirm: f.checked("confirm"),
    };
    let r = match casework::caseload::assign(&state, &auth, &ctx, pid, form).await {
        Ok(a) if !a.assigned => Err(AppError::Conflict(
            "this takes the case manager above the standard caseload; tick “Confirm” to assign anyway"
                .into(),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    then_back(&state, &ctx, &auth, pid, r).await
}
