//! A participant's record for case managers and anyone the release lets in:
//! each section only for a category the disclosure guard allows the
//! caller. The contact form is built to be filled on a phone in the field
//! in under a minute: place and services are big taps, one note, submit;
//! the rest is folded away.

use super::flow::{Fields, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::participation::ClosureReason;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_http::AppState;
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::Origin;
use handoff_http::casework::caseload::AssignForm;
use handoff_http::casework::contacts::{ContactForm, PieceForm};
use handoff_http::casework::plan::{GoalForm, StepForm};
use handoff_http::casework::status::{CloseForm, ReopenForm};
use handoff_http::casework::{self, Employment, GoalStatus, Place, Service, StaffRole};
use handoff_http::disclosure::Guard;
use handoff_http::error::AppError;
use handoff_http::views::{CategoryView, EnrollmentView, IdentityView, PlanView};
use handoff_http::workflow::{agency_of, works_for_serving_agency};
use maud::{Markup, html};
use serde::Deserialize;

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

/// Whether the caller works this participant's case (may write to it):
/// casework, for the agency that serves the participant.
async fn works_case(state: &AppState, auth: &Auth, enrollment: Option<&EnrollmentView>) -> bool {
    let Ok(agency) = agency_of(state, auth).await else {
        return false;
    };
    enrollment.is_some_and(|e| {
        works_for_serving_agency(auth, &agency, e.case_management_agency_id.into())
    })
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    logged: Option<String>,
    /// What was just done (goal, goal_added, closed, reopened, assigned).
    done: Option<String>,
}

pub async fn profile(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    Query(q): Query<ProfileQuery>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let done = if q.logged.is_some() {
        Some("logged")
    } else {
        q.done.as_deref()
    };
    Ok(render(&state, &ctx, &auth, pid, done, None, None)
        .await?
        .into_response())
}

/// The title of a record whose identity is not shared: what is shared and
/// from whom ("Participant shared by Harbor Case Management — enrolment,
/// plan").
async fn shared_title(
    state: &AppState,
    auth: &Auth,
    reading: &handoff_http::disclosure::Reading,
) -> Result<String, AppError> {
    let what: Vec<&str> = reading.categories().map(|c| c.label()).collect();
    let by = match reading.case_management_agency {
        Some(id) => {
            handoff_store::orgs::get_agency(&mut state.store.conn(), auth.user.site_id, id)
                .await?
                .name
        }
        None => return Ok(format!("Participant — {}", what.join(", "))),
    };
    Ok(format!("Participant shared by {by} — {}", what.join(", ")))
}

pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    pid: ParticipantId,
    done: Option<&str>,
    err: Option<&AppError>,
    draft: Option<&super::service_referral::Draft<'_>>,
) -> Result<Markup, AppError> {
    let notice = match done {
        Some("logged") => Some("Contact saved."),
        Some("goal") => Some("Goal status saved."),
        Some("goal_added") => Some("Goal added to the plan."),
        Some("closed") => Some("The case is closed. You can reopen it from this page at any time."),
        Some("reopened") => Some("The case is open again."),
        Some("assigned") => Some("The case was assigned."),
        Some("corrected") => Some(
            "Correction saved as a new version; the earlier one stays in the contact's history.",
        ),
        Some("service_referral") => Some("Service referral saved: it is listed under the plan."),
        _ => None,
    };
    let guard = Guard::new(state, auth).await?;
    let reading = guard.read_all(ctx, pid, SECTIONS).await?;
    let works = works_case(state, auth, reading.enrollment()).await;
    let name = match reading.identity() {
        Some(identity) => identity.name(),
        None => shared_title(state, auth, &reading).await?,
    };
    let base = format!("/participants/{pid}");
    let today = reading_today(state, auth).await?;
    // A supervisor corrects anyone's contact; others their own (rules table).
    let corrects_any = match agency_of(state, auth).await {
        Ok(a) => {
            handoff_http::workflow::may(auth, &a, handoff_domain::rules::Action::CorrectAnyContact)
        }
        Err(_) => false,
    };
    let alerts = super::record::open_bookings(&reading, today);
    let body = html! {
        h1 { (name) }
        (super::record::booking_banner(&alerts))
        @if let Some(n) = notice { p.notice.ok role="status" { (n) } }
        @if let Some(e) = err { (problem(e)) }
        @if works {
            nav.tiles aria-label="Casework" {
                a.button.primary.big href=(format!("{base}/contacts/new")) { "Log a contact" }
                a.button href="/caseload" { "My caseload" }
            }
        }
        @if let Some(e) = reading.engagement() {
            section.card aria-labelledby="eng-h" {
                h2 id="eng-h" { "Engagement" }
                p { strong { (e.label) } }
                @if let (Some(n), Some(on)) = (e.days_since_contact, &e.last_contact_on) {
                    p.meta { "Last contact " (on) " (" (n) " days ago)" }
                }
            }
        }
        @if let Some(id) = reading.identity() {
            section.card aria-labelledby="id-h" {
                h2 id="id-h" { "Identity" }
                p { "Date of birth: " (id.dob.as_deref().unwrap_or("")) }
                @let pr = &id.profile;
                @let aliases: Vec<&str> = id.aliases.iter().chain(&pr.aliases).map(String::as_str).collect();
                @if !aliases.is_empty() {
                    p { "Also known as: " (aliases.join(", ")) }
                }
                @for i in &pr.identifiers {
                    p { (i.kind.replace('_', " ")) ": " (i.value) }
                }
                @if let Some(phone) = &pr.phone { p { "Phone: " a href=(format!("tel:{phone}")) { (phone) } } }
                @if !pr.where_to_find.is_empty() {
                    h3 { "Where to find them" }
                    ul.compact { @for w in &pr.where_to_find { li { (w.place) @if !w.times.is_empty() { " — " (w.times) } } } }
                }
            }
        }
        @if let Some(e) = reading.enrollment() {
            section.card aria-labelledby="enr-h" {
                h2 id="enr-h" { "Enrolment" }
                p { "Case management: " (e.case_management_agency) }
                p { "Case manager: " (e.case_manager.as_deref().unwrap_or("not assigned")) }
                p { a href=(format!("{base}/court")) { "Court dates, warrants and cases" } }
                @if works {
                    @let team = casework::caseload::team_loads(state, auth).await?;
                    (assign_form(&base, auth, &team, e.case_manager.as_deref()))
                }
            }
        }
        @if let Some(plan) = reading.plan() {
            section.card aria-labelledby="plan-h" {
                h2 id="plan-h" { "Goals and services" }
                @match plan {
                    CategoryView::Plan(plan) => (plan_full(&base, auth, plan, works)),
                    CategoryView::PlanSummary(sum) => {
                        p { (sum.goals) " goals; " (sum.service_referrals) " service referrals." }
                    }
                    _ => {}
                }
                @if works {
                    @let full = match plan { CategoryView::Plan(p) => Some(p), _ => None };
                    (super::service_referral::form(&base, auth, full, draft))
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
        @if let Some(notes) = reading.notes() {
            @let (contacts, months) = match notes {
                CategoryView::Notes(n) => (&n.contacts[..], &n.monthly[..]),
                CategoryView::NotesLimited(n) => (&n.contacts[..], &n.monthly[..]),
                _ => (&[][..], &[][..]),
            };
            section.card aria-labelledby="notes-h" {
                h2 id="notes-h" { "Contacts" }
                @if contacts.is_empty() { p.meta { "No contacts logged yet." } }
                ul.items {
                    @for k in contacts.iter().take(30) {
                        @let may_correct = works && matches!(notes, CategoryView::Notes(_)) && (k.author_id == *auth.user.id.as_uuid() || corrects_any);
                        (super::record::contact_item(&base, k, may_correct))
                    }
                }
                @if contacts.len() > 30 { p.meta { (contacts.len() - 30) " older contacts not shown." } }
                @if let Some(m) = months.last() {
                    h3 { "This month" }
                    p { "Housing: " (m.housing.as_deref().unwrap_or("")) " · Work: " (m.employment.as_deref().unwrap_or("").replace('_', " ")) " · Income or benefits: " (match m.income_benefits { Some(true) => "yes", Some(false) => "no", None => "not known" }) }
                }
            }
        }
        @for (category, title) in [(DataCategory::Health, "Health"), (DataCategory::Sud, "Substance use (42 CFR Part 2)")] {
            @if let Some((d, notice)) = reading.clinical(category) {
                @let key = category.as_str();
                section.card aria-labelledby=(format!("{key}-h")) {
                    h2 id=(format!("{key}-h")) { (title) }
                    @if let Some(n) = notice { p.notice { (n) } }
                    ul.items {
                        @for k in d.contacts.iter().take(20) {
                            li.item { strong { (k.on) } " " (k.text) }
                        }
                    }
                }
            }
        }
        @if works {
            section.card aria-labelledby="case-h" {
                h2 id="case-h" { "Case" }
                @if reading.engagement().is_some_and(|e| e.state == "closed") {
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

/// Today at the participant's site.
async fn reading_today(state: &AppState, auth: &Auth) -> Result<time::Date, AppError> {
    let site = handoff_http::workflow::SiteCtx::load(state, auth.user.site_id).await?;
    Ok(site.tz.local_date(handoff_http::now()))
}

/// The plan in full: the words said at intake, each goal with its steps
/// (and, for the case's own staff, a status form), the service referrals.
fn plan_full(base: &str, auth: &Auth, plan: &PlanView, works: bool) -> Markup {
    html! {
        ul.items {
            @for g in plan.intake_goals() {
                li.item { "“" (g) "” " span.meta { "(said at intake)" } }
            }
            @for g in &plan.goal_details {
                li.item {
                    "“" (g.words) "” "
                    span.role { (g.status.label()) }
                    @if !g.steps.is_empty() {
                        ul.compact {
                            @for st in &g.steps {
                                li { @if st.done { "✓ " } (st.text) }
                            }
                        }
                    }
                    @if works {
                        form.inline method="post" action=(format!("{base}/goals/{}", g.id)) {
                            (csrf_field(auth))
                            input type="hidden" name="words" value=(g.words);
                            @for st in &g.steps {
                                input type="hidden" name="step" value=(st.text);
                            }
                            label for=(format!("st-{}", g.id)) { "Status" }
                            select id=(format!("st-{}", g.id)) name="status" {
                                @for gs in GoalStatus::ALL {
                                    option value=(gs.as_str()) selected[*gs == g.status] { (gs.label()) }
                                }
                            }
                            button type="submit" { "Save status" }
                        }
                    }
                }
            }
        }
        @if !plan.service_referrals.is_empty() {
            h3 { "Service referrals" }
            ul.items {
                @for r in &plan.service_referrals {
                    li.item { (r.service) " — " (r.provider) " · " (r.referred_on) " · " (r.outcome.label()) }
                }
            }
        }
    }
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
    let reading = guard.read_all(ctx, pid, &[DataCategory::Identity]).await?;
    let name = reading
        .identity()
        .map_or_else(|| "the participant".into(), IdentityView::name);
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
    done: &str,
) -> PageResult {
    match r {
        Ok(()) => Ok(see_other(&format!("/participants/{pid}?done={done}"))),
        Err(e) if refused(&e) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(state, ctx, auth, pid, None, Some(&e), None).await?,
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
    then_back(&state, &ctx, &auth, pid, r, "goal_added").await
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
    then_back(&state, &ctx, &auth, pid, r, "goal").await
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
    // Closing asks first: what was chosen, with a button to confirm.
    if !f.checked("confirm") {
        let reason = f.get("reason").to_string();
        let label = ClosureReason::ALL
            .iter()
            .find(|r| r.as_str() == reason)
            .map(|r| r.label())
            .ok_or_else(|| AppError::field("reason", "Choose why the case is closing."))?;
        let note = f.get("note").to_string();
        return Ok(layout(
            "Close the case?",
            Some(&auth),
            html! {
                h1 { "Close the case?" }
                section.card aria-labelledby="close-h" {
                    h2 id="close-h" { "Closing because: " (label) }
                    @if !note.trim().is_empty() { p { "Note: " (note) } }
                    p.meta { "Closing is never a failure: the case can be reopened at any time." }
                    form method="post" action=(format!("/participants/{pid}/close")) {
                        (csrf_field(&auth))
                        input type="hidden" name="reason" value=(reason);
                        input type="hidden" name="note" value=(note);
                        input type="hidden" name="confirm" value="1";
                        button.primary type="submit" { "Close the case" }
                    }
                    p { a href=(format!("/participants/{pid}")) { "Keep it open" } }
                }
            },
        )
        .into_response());
    }
    let form = CloseForm {
        reason: f.get("reason").to_string(),
        on: f.opt("on"),
        note: f.opt("note"),
    };
    let r = casework::status::close(&state, &auth, &ctx, pid, form)
        .await
        .map(|_| ());
    then_back(&state, &ctx, &auth, pid, r, "closed").await
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
    then_back(&state, &ctx, &auth, pid, r, "reopened").await
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
    then_back(&state, &ctx, &auth, pid, r, "assigned").await
}
