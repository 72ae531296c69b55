//! Referral pages: the officer's quick referral (one phone screen), the
//! screening result, "My referrals" and a referral's page. Every rule is
//! the services' (`workflow::referrals`); these pages only ask and show.

use super::flow::{Fields, ago, field_label, hold_label, local, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::ReferralId;
use handoff_domain::eligibility::Reason;
use handoff_domain::referral::{
    Conduct, Door, LocationForm, OffenceForm, PersonForm, PriorInvolvementForm, Race, ReferralForm,
    SubstanceClass,
};
use handoff_domain::rules::Action;
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::secret;
use handoff_http::auth::{Origin, Visit};
use handoff_http::error::AppError;
use handoff_http::list::{self, ListQuery, csv_time};
use handoff_http::workflow::views::{CreatedReferral, ReferralView};
use handoff_http::workflow::{self, SiteCtx};
use handoff_http::{AppState, now};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct NewQuery {
    door: Option<String>,
}

/// The doors this caller may use on the quick form, the default first.
async fn doors_for(
    state: &AppState,
    auth: &Auth,
    asked: Option<&str>,
) -> Result<Vec<Door>, AppError> {
    let agency = workflow::agency_of(state, auth).await?;
    let officer = workflow::may(auth, &agency, Action::ReferByOfficer);
    let community = workflow::may(auth, &agency, Action::ReferByCommunity);
    if asked == Some("community") && community {
        return Ok(vec![Door::Community]);
    }
    let mut doors = Vec::new();
    if officer {
        doors.push(Door::ArrestDiversion);
        doors.push(Door::SocialContact);
        if asked == Some("social_contact") {
            doors.swap(0, 1);
        }
    }
    if community {
        doors.push(Door::Community);
    }
    Ok(doors)
}

fn sex_label(code: &str) -> &'static str {
    match code {
        "F" => "Female",
        "M" => "Male",
        "X" => "Another",
        _ => "Unknown",
    }
}

fn substance_label(s: SubstanceClass) -> &'static str {
    match s {
        SubstanceClass::Opioid => "Opioid (heroin, fentanyl)",
        SubstanceClass::Stimulant => "Stimulant (meth, cocaine)",
        SubstanceClass::Cannabis => "Cannabis",
        SubstanceClass::Hallucinogen => "Hallucinogen",
        SubstanceClass::Sedative => "Sedative",
        SubstanceClass::PrescriptionPills => "Prescription pills",
        SubstanceClass::Other => "Other",
    }
}

/// The rule a screening reason applied, for people.
pub fn rule_label(rule: &str) -> &'static str {
    match rule {
        "door_open" => "Door open at this site",
        "conduct_eligible" => "Eligible conduct",
        "quantity_limit" => "Quantity limit",
        "dealing_for_profit" => "Dealing for profit",
        "exploiting_minors" => "Exploiting minors",
        "promoting_prostitution" => "Promoting prostitution",
        "violent_history" => "Serious violent history",
        "minimum_age" => "Minimum age",
        "treatment_court_pending" => "Treatment-court case pending",
        "no_contact_order" => "No-contact order with a participant",
        "not_amenable" => "Officer judgement: not amenable",
        "prior_involvement" => "Verified prior involvement",
        "capacity" => "Case-management capacity",
        _ => "Rule",
    }
}

/// A form field's key for a field a service named (`person.first_name`,
/// `offenses[0].quantity_grams`, …).
fn form_key(field: &str) -> &'static str {
    let last = field.rsplit('.').next().unwrap_or(field);
    match last.split('[').next().unwrap_or(last) {
        "first_name" => "first_name",
        "last_name" => "last_name",
        "dob" => "dob",
        "approx_age" | "person" => "approx_age",
        "sex" => "sex",
        "race" => "race",
        "category" | "offenses" => "category",
        "substance" => "substance",
        "quantity_grams" => "grams",
        "address" | "lat" | "lon" | "location" | "area" => "address",
        "incident_number" => "incident_number",
        "prior_involvement" | "reference" | "observation" => "prior",
        "door" => "door",
        _ => "form",
    }
}

/// Every problem of a quick referral at once, each for its field, before
/// the services are asked (they name one field at a time).
fn form_problems(f: &Fields) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let door = f.get("door");
    let police = matches!(door, "arrest_diversion" | "social_contact");
    if f.opt("first_name").is_none() {
        out.push((
            "first_name",
            "Enter the person's first name (or the name they give).".into(),
        ));
    }
    if f.opt("last_name").is_none() {
        out.push((
            "last_name",
            "Enter the person's last name (or the name they give).".into(),
        ));
    }
    if f.opt("dob").is_none() && f.opt("approx_age").is_none() {
        out.push((
            "dob",
            "Enter the date of birth, or an approximate age in the next box.".into(),
        ));
    }
    if f.opt("sex").is_none() {
        out.push(("sex", "Choose the sex (Unknown is fine).".into()));
    }
    if f.opt("race").is_none() {
        out.push((
            "race",
            "Choose the race as observed or stated (Unknown is fine).".into(),
        ));
    }
    if police && f.opt("category").is_none() {
        out.push(("category", "Choose the offence or conduct.".into()));
    }
    let drug = matches!(f.get("category"), "drug_possession" | "drug_sales");
    if drug && f.opt("substance").is_none() {
        out.push((
            "substance",
            "Choose the substance for a drug offence.".into(),
        ));
    }
    if door == "arrest_diversion" && f.opt("incident_number").is_none() {
        out.push((
            "incident_number",
            "Enter the incident number: an arrest diversion needs one.".into(),
        ));
    }
    if door == "social_contact" && f.opt("prior").is_none() {
        out.push((
            "prior",
            "Give the verified prior involvement (a record number or what you observed).".into(),
        ));
    }
    out
}

/// The problems of a refused form, each for its field: those found at once
/// on the page, or the one the services named.
fn problems_of(f: &Fields, err: &AppError) -> Vec<(&'static str, String)> {
    let mut found = form_problems(f);
    if found.is_empty()
        && let AppError::BadRequest {
            field: Some(field),
            message,
        } = err
    {
        found.push((
            form_key(field),
            format!("{}: {message}", field_label(field)),
        ));
    }
    found
}

/// The message next to a field, when it has one.
fn field_problem(problems: &[(&'static str, String)], key: &str) -> Markup {
    html! {
        @for (k, m) in problems.iter().filter(|(k, _)| *k == key) {
            p.field-error id=(format!("err-{k}")) { (m) }
        }
    }
}

/// The quick referral form. `prev` refills it after a refusal.
fn quick_form(
    auth: &Auth,
    doors: &[Door],
    prev: Option<&Fields>,
    err: Option<&AppError>,
) -> Markup {
    let problems = match (prev, err) {
        (Some(f), Some(e)) => problems_of(f, e),
        _ => Vec::new(),
    };
    let here = |k: &str| field_problem(&problems, k);
    let described = |k: &str| {
        problems
            .iter()
            .any(|(p, _)| *p == k)
            .then(|| format!("err-{k}"))
    };
    let v = |k: &str| prev.map(|p| p.get(k).to_string()).unwrap_or_default();
    let door_now = prev.and_then(|p| p.opt("door")).unwrap_or_else(|| {
        doors
            .first()
            .map(|d| d.as_str().to_string())
            .unwrap_or_default()
    });
    let bad = |names: &[&str]| -> bool {
        names
            .iter()
            .any(|n| problems.iter().any(|(k, _)| *k == form_key(n)))
    };
    let has_police_door = doors.iter().any(|d| *d != Door::Community);
    // One token per rendered form: submitting it again (reload, back and
    // submit) returns the referral it filed instead of filing another.
    let token = prev
        .and_then(|p| p.opt("client_token"))
        .unwrap_or_else(|| secret::random_token(18));
    html! {
        @if !problems.is_empty() {
            div.notice.problems role="alert" id="problem" {
                p { strong { @if problems.len() == 1 { "Check one field:" } @else { "Check " (problems.len()) " fields:" } } }
                ul { @for (k, m) in &problems { li { a href=(format!("#{}", if *k == "sex" { "sex-F" } else { k })) { (m) } } } }
            }
        } @else if let Some(e) = err { (problem(e)) }
        form.stack.quick method="post" action="/referrals" data-once {
            (csrf_field(auth))
            input type="hidden" name="client_token" value=(token);
            @if doors.len() > 1 {
                fieldset.seg {
                    legend { "Door" }
                    div.segs {
                        @for d in doors {
                            input type="radio" name="door" id=(format!("door-{}", d.as_str())) value=(d.as_str())
                                checked[door_now == d.as_str()];
                            label for=(format!("door-{}", d.as_str())) { (d.label()) }
                        }
                    }
                }
            } @else if let Some(d) = doors.first() {
                input type="hidden" name="door" value=(d.as_str());
                p.meta { (d.label()) }
            }
            div.two {
                div {
                    label for="first_name" { "First name" }
                    input id="first_name" name="first_name" required autocomplete="off" autocapitalize="words" value=(v("first_name")) aria-invalid=[bad(&["first_name"]).then_some("true")] aria-describedby=[described("first_name")];
                    (here("first_name"))
                }
                div {
                    label for="last_name" { "Last name" }
                    input id="last_name" name="last_name" required autocomplete="off" autocapitalize="words" value=(v("last_name")) aria-invalid=[bad(&["last_name"]).then_some("true")] aria-describedby=[described("last_name")];
                    (here("last_name"))
                }
            }
            fieldset {
                legend { "Date of birth, or approximate age" }
                div.two {
                    div {
                        label for="dob" { "Date of birth" }
                        input id="dob" name="dob" type="date" value=(v("dob")) aria-invalid=[bad(&["dob"]).then_some("true")] aria-describedby=[described("dob")];
                        (here("dob"))
                    }
                    div {
                        label for="approx_age" { "or age (about)" }
                        input id="approx_age" name="approx_age" type="number" inputmode="numeric" min="0" max="120" value=(v("approx_age")) aria-invalid=[bad(&["approx_age"]).then_some("true")] aria-describedby=[described("approx_age")];
                        (here("approx_age"))
                    }
                }
            }
            fieldset.seg {
                legend { "Sex" }
                div.segs {
                    @for s in ["F", "M", "X", "U"] {
                        input type="radio" name="sex" id=(format!("sex-{s}")) value=(s) required checked[v("sex") == s];
                        label for=(format!("sex-{s}")) { (sex_label(s)) }
                    }
                }
                (here("sex"))
            }
            label for="race" { "Race (observed or stated)" }
            select id="race" name="race" required aria-invalid=[bad(&["race"]).then_some("true")] aria-describedby=[described("race")] {
                option value="" { "Choose…" }
                @for r in Race::ALL {
                    option value=(r.label()) selected[v("race") == r.label()] { (r.label()) }
                }
            }
            (here("race"))
            @if has_police_door || prev.is_some_and(|p| p.opt("category").is_some()) {
                label for="category" { "Offence or conduct" }
            } @else {
                label for="category" { "Conduct, if any" }
            }
            select id="category" name="category" required[has_police_door] aria-invalid=[bad(&["category"]).then_some("true")] aria-describedby=[described("category")] {
                option value="" { "Choose…" }
                @for c in Conduct::ALL {
                    option value=(c.as_str()) selected[v("category") == c.as_str()] { (c.label()) }
                }
            }
            (here("category"))
            div.two {
                div {
                    label for="substance" { "Substance" }
                    select id="substance" name="substance" aria-invalid=[bad(&["substance"]).then_some("true")] {
                        option value="" { "None" }
                        @for s in SubstanceClass::ALL {
                            option value=(s.as_str()) selected[v("substance") == s.as_str()] { (substance_label(*s)) }
                        }
                    }
                    (here("substance"))
                }
                div {
                    label for="grams" { "Grams" }
                    input id="grams" name="grams" type="number" inputmode="decimal" step="0.1" min="0" value=(v("grams")) aria-invalid=[bad(&["quantity_grams"]).then_some("true")];
                    (here("grams"))
                }
            }
            label for="address" { "Location (address or cross streets)" }
            input id="address" name="address" autocomplete="off" value=(v("address")) aria-invalid=[bad(&["address"]).then_some("true")] aria-describedby=[described("address")];
            (here("address"))
            input type="hidden" id="lat" name="lat" value=(v("lat"));
            input type="hidden" id="lon" name="lon" value=(v("lon"));
            button type="button" id="geo" hidden { "Use my location" }
            p.meta id="geo-status" role="status" {}
            @if has_police_door {
                label for="incident_number" { "Incident number (arrest diversion)" }
                input id="incident_number" name="incident_number" autocomplete="off" autocapitalize="characters" value=(v("incident_number")) aria-invalid=[bad(&["incident_number"]).then_some("true")] aria-describedby=[described("incident_number")];
                (here("incident_number"))
                div.sc-only {
                    label for="prior" { "Social contact: verified prior involvement (record number or what you observed)" }
                    input id="prior" name="prior" autocomplete="off" value=(v("prior")) aria-invalid=[bad(&["prior_involvement"]).then_some("true")] aria-describedby=[described("prior")];
                    (here("prior"))
                }
            }
            details {
                summary { "More (optional)" }
                div.stack {
                    label for="minutes_ago" { "Happened how many minutes ago? (default: now)" }
                    input id="minutes_ago" name="minutes_ago" type="number" inputmode="numeric" min="0" max="1440" value=(v("minutes_ago"));
                    label for="aliases" { "Aliases (comma separated)" }
                    input id="aliases" name="aliases" autocomplete="off" value=(v("aliases"));
                    label for="description" { "Description" }
                    input id="description" name="description" autocomplete="off" value=(v("description"));
                    @if has_police_door {
                        label.check { input type="checkbox" name="dealing_for_profit" value="1" checked[prev.is_some_and(|p| p.checked("dealing_for_profit"))]; " Sales were for profit, above subsistence" }
                        label.check { input type="checkbox" name="not_amenable" value="1" checked[prev.is_some_and(|p| p.checked("not_amenable"))]; " In my judgement the person is not amenable" }
                    }
                    label for="notes" { "Brief notes" }
                    textarea id="notes" name="notes" rows="2" { (v("notes")) }
                }
            }
            button.primary.big type="submit" { "Refer to LEAD" }
        }
        script src="/assets/geo.js" defer {}
        script src="/assets/once.js" defer {}
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    Signed(auth): Signed,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let doors = doors_for(&state, &auth, q.door.as_deref()).await?;
    if doors.is_empty() {
        return Err(AppError::Forbidden("Your role does not refer people to LEAD.").into());
    }
    let title = if doors == [Door::Community] {
        "Community referral"
    } else {
        "Quick referral"
    };
    Ok(layout(
        title,
        Some(&auth),
        html! {
            h1 { (title) }
            (quick_form(&auth, &doors, None, None))
        },
    )
    .into_response())
}

/// Builds the service's form from the page's fields.
fn referral_form(f: &Fields) -> ReferralForm {
    let num = |k: &str| f.opt(k).map(serde_json::Value::String);
    let minutes: i64 = f
        .opt("minutes_ago")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
        .clamp(0, 7 * 24 * 60);
    let occurred = now() - time::Duration::minutes(minutes);
    let category = f.opt("category");
    let door = f.get("door").to_string();
    ReferralForm {
        person: PersonForm {
            first_name: f.get("first_name").to_string(),
            last_name: f.get("last_name").to_string(),
            aliases: f
                .get("aliases")
                .split(',')
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            dob: f.opt("dob"),
            approx_age: num("approx_age"),
            sex: f.get("sex").to_string(),
            race: f.get("race").to_string(),
            description: f.opt("description"),
        },
        incident_number: f.opt("incident_number"),
        offenses: category
            .map(|c| {
                vec![OffenceForm {
                    category: c,
                    substance: f.opt("substance"),
                    quantity_grams: num("grams"),
                }]
            })
            .unwrap_or_default(),
        occurred_at: occurred
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        location: LocationForm {
            address: f.opt("address"),
            lat: num("lat"),
            lon: num("lon"),
            area: f.opt("area"),
        },
        prior_involvement: (door == "social_contact").then(|| PriorInvolvementForm {
            reference: f.opt("prior"),
            observation: None,
        }),
        not_amenable: f.checked("not_amenable"),
        dealing_for_profit: f.checked("dealing_for_profit"),
        notes: f.opt("notes"),
        client_token: f.opt("client_token"),
        door,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let form = referral_form(&f);
    let asked = f.opt("door");
    // Every missing field at once, before the services name the first.
    let outcome = match form_problems(&f).first() {
        Some((k, m)) => Err(AppError::field(*k, m.clone())),
        None => workflow::referrals::submit(&state, &auth, &ctx, form).await,
    };
    match outcome {
        // Post, redirect, get: reloading the result files nothing.
        Ok(done) => Ok(see_other(&format!(
            "/referrals/{}/result{}",
            done.referral.id,
            if done.replayed { "?again=1" } else { "" }
        ))),
        Err(e @ AppError::BadRequest { .. }) => {
            let doors = doors_for(&state, &auth, asked.as_deref()).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(
                    "Quick referral",
                    Some(&auth),
                    html! { h1 { "Quick referral" } (quick_form(&auth, &doors, Some(&f), Some(&e))) },
                ),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn reasons_list(reasons: &[Reason]) -> Markup {
    html! {
        ul.reasons {
            @for r in reasons {
                li.decisive[r.decisive] data-check=(r.status()) {
                    span.mark { (match r.status() {
                        "met" => "Met",
                        "not_met" => "Not met",
                        "possible_exclusion" => "Possible exclusion — confirm",
                        _ => "Not checked — officer to confirm",
                    }) }
                    " "
                    strong { (rule_label(r.rule.as_str())) } ": " (r.text)
                }
            }
        }
    }
}

/// The screening result page the quick form redirects to; only for those
/// who may read the referral.
pub async fn result_page(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let v = workflow::referrals::get(&state, &auth, &ctx, id).await?;
    let (record, agency) = workflow::referrals::load(&state, &auth, id).await?;
    let h = handoff_http::arrival::of_view(&state, &auth, &agency, &record, &v).await?;
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    let waiting = v.status == "awaiting_handoff";
    let created: CreatedReferral = v.into();
    let body = html! {
        @if q.again.is_some() {
            p.notice role="status" { "This form was already submitted: nothing new was filed. Here is its referral." }
        }
        (result(&created, &site))
        @if created.eligibility.eligible {
            // The referrer sees who is coming, and when, without reloading.
            div id="live" data-live="referral.accepted referral.arrived referral.eta" aria-live="polite" {
                @if waiting {
                    p.meta.waiting { "Waiting for a case manager to accept (referred " (ago(now(), h.referred_at)) ")." }
                }
                @if h.case_manager.is_some() {
                    (super::arrival::card(&auth, &h, &site.tz, None))
                }
            }
            script src="/assets/live.js" defer {}
        }
    };
    Ok(layout("Referral result", Some(&auth), body).into_response())
}

/// "Possible duplicate of referral …": the site's earlier referrals with
/// the same incident number, each linked.
pub fn duplicates_notice(of: &[uuid::Uuid]) -> Markup {
    html! {
        @if !of.is_empty() {
            p.notice.duplicate role="note" {
                "Possible duplicate of referral "
                @for (i, d) in of.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href=(format!("/referrals/{d}")) { (d.to_string()[..8]) }
                }
                " (same incident number)."
            }
        }
    }
}

/// The screening result, as the referrer sees it at once.
fn result(c: &CreatedReferral, site: &SiteCtx) -> Markup {
    let e = &c.eligibility;
    let excluded: Vec<&Reason> = e.reasons.iter().filter(|r| !r.passed).collect();
    html! {
        (duplicates_notice(&c.possible_duplicate_of))
        @if e.eligible {
            h1.ok { "Eligible for LEAD" }
            @if c.status == "awaiting_approval" {
                p.big { "The referral is waiting for approval by designated staff." }
            } @else {
                p.big role="status" { "A case manager has been notified." }
            }
            @if let Some(h) = &c.hold {
                p { "The case is held from filing until the end of " strong { (h.last_day) } " (hold deadline)." }
            }
            @if e.reasons.iter().any(|r| r.status() == "possible_exclusion") {
                p.notice.confirm role="note" { "The site's court records may hold a record of this person that would exclude them. Confirm it before you release the person; if it is theirs, tell the case manager." }
            } @else if e.reasons.iter().any(|r| r.status() == "not_checked") {
                p.notice role="note" { "Some rules could not be checked against records (marked “not checked”). Confirm them with what you know." }
            }
        } @else {
            h1.no { "Not eligible" }
            p.big role="status" { "Proceed as usual." }
            @for r in &excluded {
                p { "Excluded by the rule " strong { (rule_label(r.rule.as_str())) } ": " (r.text) }
            }
        }
        section.card aria-labelledby="why-h" {
            h2 id="why-h" { "Every rule applied" }
            (reasons_list(&e.reasons))
            p.meta { "Screened against policy version " (e.policy_version_number) " of " (site.site.name) "." }
        }
        p { a.button.primary href=(format!("/referrals/{}", c.id)) { "Follow this referral" } }
        p { a href="/referrals/new" { "Refer another person" } " · " a href="/referrals" { "My referrals" } }
    }
}

/// One referral in a list.
fn summary(
    v: &ReferralView,
    tz: &handoff_domain::site_time::SiteTimeZone,
    eta: Option<&handoff_store::etas::Eta>,
) -> Markup {
    let t = now();
    html! {
        li.item {
            a href=(format!("/referrals/{}", v.id)) {
                @if let Some(p) = &v.person { (p.first_name) " " (p.last_name) } @else { "Referral" }
            }
            @if let Some(n) = &v.incident_number { " · " (n) }
            br;
            span.status data-status=(v.status) { (v.status_label) }
            " · " span.meta { (local(tz, v.referred_at)) " (" (ago(t, v.referred_at)) ")" }
            @if matches!(v.status.as_str(), "awaiting_handoff" | "awaiting_approval") && handoff_http::stale::stale(v.referred_at, t) {
                " " span.age.ageing { "Ageing: waiting " (handoff_http::stale::days_waiting(v.referred_at, t)) " days" }
            }
            @if let Some(by) = &v.accepted_by {
                br; span.coming { "Case manager: " (by.name) }
                @if let Some(e) = eta.filter(|_| v.status == "accepted") {
                    " · " span.eta { "on the way, ETA " (e.minutes) " min (sent " (ago(t, e.sent_at)) ")" }
                }
            }
            @if let Some(h) = &v.hold {
                br; span.hold data-state=(h.state) { "Hold: " (hold_label(&h.state)) }
                @if h.state == "pending" { " until end of " (h.last_day) }
            }
            @if v.participant == Some(true) {
                br; span.participant { "Participant: yes" }
            }
        }
    }
}

/// A referral list as CSV, audited as an export.
pub async fn referrals_csv(
    state: &AppState,
    auth: &Auth,
    ctx: &Ctx,
    name: &str,
    views: Vec<ReferralView>,
) -> PageResult {
    let participants = views
        .iter()
        .filter_map(|v| v.participant_id.map(Into::into))
        .collect();
    let rows = views
        .into_iter()
        .map(|v| {
            let (first, last) = v
                .person
                .map(|p| (p.first_name, p.last_name))
                .unwrap_or_default();
            vec![
                v.id.to_string(),
                csv_time(Some(v.referred_at)),
                v.door,
                v.status,
                v.incident_number.unwrap_or_default(),
                first,
                last,
                v.accepted_by.map(|b| b.name).unwrap_or_default(),
                v.hold.map(|h| h.state).unwrap_or_default(),
                match v.participant {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
            ]
        })
        .collect();
    const HEADER: [&str; 10] = [
        "referral_id",
        "referred_at",
        "door",
        "status",
        "incident_number",
        "first_name",
        "last_name",
        "case_manager",
        "hold_state",
        "participant",
    ];
    Ok(list::csv(state, auth, ctx, name, &HEADER, rows, participants).await?)
}

pub async fn list(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let agency = workflow::agency_of(&state, &auth).await?;
    let cm = workflow::may(&auth, &agency, Action::Casework);
    let spec = list::specs::referrals(cm);
    let listing = q.parse(&spec)?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            workflow::referrals::list_page(st, au, cx, false, &p).await
        })
        .await?;
        return referrals_csv(&state, &auth, &ctx, "referrals", all).await;
    }
    let got = workflow::referrals::list_page(&state, &auth, &ctx, false, &listing.page).await?;
    let views = &got.items;
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    // The ETAs of the hand-offs the reader sees someone coming to.
    let coming: Vec<ReferralId> = views
        .iter()
        .filter(|v| v.accepted_by.is_some() && v.status == "accepted")
        .map(|v| v.id.into())
        .collect();
    let etas = handoff_store::etas::latest(&mut state.store.conn(), site.site.id, &coming).await?;
    let title = if cm { "Referrals" } else { "My referrals" };
    let may_refer = !doors_for(&state, &auth, None).await?.is_empty();
    let managers = if cm {
        handoff_http::casework::caseload::team_loads(&state, &auth)
            .await?
            .into_iter()
            .map(|(u, _)| (u.id.to_string(), u.display_name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(layout(
        title,
        Some(&auth),
        html! {
            h1 { (title) }
            @if may_refer { p.noprint { a.button.primary href="/referrals/new" { "New referral" } } }
            (list::filters("/referrals", &spec, &listing, &[], &managers))
            div id="live" data-live="referral.accepted referral.arrived referral.new referral.eta" aria-live="polite" {
                @if views.is_empty() {
                    p { @if listing.page.after.is_some() { "No more referrals." } @else { "No referrals yet." } }
                } @else {
                    ul.items { @for v in views.iter() { (summary(v, &site.tz, etas.get(&ReferralId::from(v.id)))) } }
                }
                (list::pager("/referrals", &listing, views.len(), "referrals", got.next.as_ref()))
            }
            script src="/assets/live.js" defer {}
        },
    )
    .into_response())
}

/// What a referral's pages say happened: `done` (a step taken) on the
/// referral's page, `again` (the form was already submitted) on the result.
#[derive(Deserialize, Default)]
pub struct DetailQuery {
    done: Option<String>,
    again: Option<String>,
    /// The step of the case manager's work to show.
    step: Option<String>,
}

pub async fn detail(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let done = q.done.as_deref();
    detail_page(&state, &ctx, &auth, id, done, q.step.as_deref(), None).await
}

/// The referral's page; for the case manager on the case, the work page.
pub async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    id: ReferralId,
    done: Option<&str>,
    step: Option<&str>,
    err: Option<super::referral_work::Refusal<'_>>,
) -> PageResult {
    let v = workflow::referrals::get(state, auth, ctx, id).await?;
    let (record, agency) = workflow::referrals::load(state, auth, id).await?;
    let hand = handoff_http::arrival::of_view(state, auth, &agency, &record, &v).await?;
    let site = SiteCtx::load(state, auth.user.site_id).await?;
    let cm = workflow::may(auth, &agency, Action::Casework);
    let accepts = workflow::may(auth, &agency, Action::AcceptHandoff);
    let approves = workflow::referrals::approves(&site, auth, &agency);
    let on_case = workflow::referrals::on_the_case(auth, &agency, &record);
    let name = v
        .person
        .as_ref()
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .unwrap_or_else(|| "Referral".into());
    let notice = match done {
        Some("accepted") => {
            Some("You accepted the hand-off. The referrer sees that you are coming.")
        }
        Some("arrived") => Some("Arrival recorded: triage has started."),
        Some("eta") => Some("ETA sent: the officer sees that you are on your way."),
        Some("triage") => Some("Triage recorded."),
        Some("intake") => Some("Intake recorded. Next: the release of information."),
        Some("release") => Some("Release of information recorded."),
        Some("revoked") => Some("The release was revoked; it no longer applies."),
        Some("approved") => Some("Approved: the on-call case managers were notified."),
        Some("not_approved") => Some("Not approved: the referrer proceeds as usual."),
        _ => None,
    };
    let releases = match (on_case || cm, record.participant_id) {
        (true, Some(pid)) => workflow::releases::list(state, auth, ctx, pid)
            .await
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let agencies = if on_case {
        handoff_store::orgs::list_agencies(&mut state.store.conn(), auth.user.site_id).await?
    } else {
        Vec::new()
    };
    let status = if err.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { (name) }
        @if let Some(n) = notice { p.notice.ok role="status" { (n) } }
        @if let Some(pid) = v.participant_id {
            p { a.button href=(format!("/participants/{pid}")) { "Open the participant record" } }
        }
        (duplicates_notice(&v.possible_duplicate_of))
        div id="live" data-live="referral.accepted referral.arrived referral.eta" {
        section.card aria-labelledby="status-h" {
            h2 id="status-h" { "Status" }
            p.big { span.status data-status=(v.status) { (v.status_label) } }
            dl.facts {
                dt { "Door" } dd { (v.door.parse::<Door>().map(|d| d.label()).unwrap_or("")) }
                @if let Some(n) = &v.incident_number { dt { "Incident" } dd { (n) } }
                dt { "Referred" } dd { (local(&site.tz, v.referred_at)) }
                // Who is coming, with their phone, is in "Where and who".
                @if let (Some(by), None) = (&v.accepted_by, &hand.case_manager) {
                    dt { "Case manager" } dd.coming { (by.name) }
                }
                @if let Some(t) = v.accepted_at { dt { "Accepted" } dd { (local(&site.tz, t)) } }
                @if let Some(t) = v.triage_started_at { dt { "Arrived" } dd { (local(&site.tz, t)) } }
                @if let Some(t) = v.intake_completed_at { dt { "Intake" } dd { (local(&site.tz, t)) } }
                @if let Some(t) = v.enrolled_at { dt { "Enrolled" } dd { (local(&site.tz, t)) } }
                @if let Some(h) = &v.hold {
                    dt { "Hold" } dd.hold data-state=(h.state) { (hold_label(&h.state)) @if h.state == "pending" { ", until end of " (h.last_day) } }
                }
                @if v.participant == Some(true) { dt { "Participant" } dd { "Yes" } }
            }
        }
        @if hand.place.is_some() || hand.case_manager.is_some() || hand.referred_by.is_some() {
            (super::arrival::card(auth, &hand, &site.tz, err.as_ref().filter(|r| r.what == "eta").map(|r| &r.error)))
        }
        }
        // The rules sit where the decision is made: open beside accepting or
        // approving, folded away once the case manager is at work.
        @let deciding = (cm && v.status == "awaiting_handoff" && accepts) || (v.status == "awaiting_approval" && approves);
        section.card aria-labelledby="why-h" {
            details open[deciding || !on_case] {
                summary { h2 id="why-h" { (if v.eligibility.eligible { "Eligible" } else { "Not eligible" }) ": every rule applied" } }
                (reasons_list(&v.eligibility.reasons))
                p.meta { "Policy version " (v.eligibility.policy_version_number) "." }
            }
        }
        @if cm && v.status == "awaiting_handoff" && accepts {
            form method="post" action=(format!("/referrals/{}/accept", v.id)) {
                (csrf_field(auth))
                button.primary.big type="submit" { "Accept this hand-off" }
            }
        }
        @if v.status == "awaiting_approval" && approves {
            form.approval method="post" action=(format!("/referrals/{}/approval", v.id)) {
                (csrf_field(auth))
                button.primary type="submit" name="approved" value="yes" { "Approve" }
                " "
                button type="submit" name="approved" value="no" { "Do not approve" }
            }
        }
        @if on_case {
            @let step = super::referral_work::current_step(&v, step, err.as_ref().map(|r| r.what));
            (super::referral_work::work(auth, &v, &site, &agencies, &releases, err.as_ref(), step))
        } @else if !releases.is_empty() {
            (super::referral_work::releases_list(auth, &v, &releases))
        }
        @if let Some(p) = &v.person {
            section.card aria-labelledby="person-h" {
                h2 id="person-h" { "Person" }
                dl.facts {
                    dt { "Born" } dd { @if let Some(d) = &p.dob { (d) } @else if let Some(a) = p.approx_age { "about " (a) " years old" } }
                    dt { "Sex" } dd { (sex_label(&p.sex)) }
                    dt { "Race" } dd { (p.race) }
                    @if !p.aliases.is_empty() { dt { "Aliases" } dd { (p.aliases.join(", ")) } }
                    @if let Some(d) = &p.description { dt { "Description" } dd { (d) } }
                }
            }
        }
        p { a href="/referrals" { "Back to referrals" } }
        @if !on_case {
            // The referrer sees who is coming without reloading.
            script src="/assets/live.js" defer {}
        }
        @if on_case {
            script src="/assets/signature.js" defer {}
            script src="/assets/part2.js" defer {}
        }
    };
    Ok((status, layout(&name, Some(auth), body)).into_response())
}
