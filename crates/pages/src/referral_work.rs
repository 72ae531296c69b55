//! The case manager's work on a referral, on one page: accept, arrival,
//! triage at the scene, the psychosocial intake and the release of
//! information with a signature drawn on screen (or a signed PDF). The
//! services in `workflow` decide; a refusal re-shows the page naming the
//! field.

use super::flow::{Fields, category_label, problem};
use super::referral::detail_page;
use super::{PageResult, Signed, csrf_field, see_other};
use axum::extract::Path;
use handoff_domain::DataCategory;
use handoff_domain::disclosure::{REDISCLOSURE_NOTICE, release_may_give};
use handoff_domain::living::LivingSituation;
use handoff_domain::release::{Part2Form, RecipientForm, ReleaseForm, SignatureForm};
use handoff_domain::{ReferralId, ReleaseId};
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::workflow::intake::IntakeForm;
use handoff_http::workflow::referrals::TriageForm;
use handoff_http::workflow::views::{ReferralView, ReleaseView};
use handoff_http::workflow::{self, SiteCtx};
use handoff_http::{AppState, now};
use handoff_store::orgs::Agency;
use maud::{Markup, html};

const NEEDS: &[&str] = &[
    "Food",
    "Water",
    "Shelter tonight",
    "Medical attention",
    "Withdrawal support",
    "Naloxone",
    "Phone charge",
    "Clothing",
];

const BENEFITS: &[&str] = &["SNAP", "SSI", "SSDI", "Medicaid", "TANF", "VA benefits"];

const EMPLOYMENT: &[(&str, &str)] = &[
    ("", "Not asked"),
    ("none", "None"),
    ("informal", "Informal work"),
    ("part_time", "Part time"),
    ("full_time", "Full time"),
];

/// A form the services refused: which one, why, and what was sent (to
/// refill it).
pub struct Refusal<'a> {
    pub what: &'a str,
    pub error: AppError,
    pub fields: &'a Fields,
}

/// The steps of the work on a referral, in order: (key, label).
const STEPS: &[(&str, &str)] = &[
    ("arrive", "Arrive"),
    ("triage", "Triage"),
    ("intake", "Intake"),
    ("release", "Release"),
];

/// Which step the page shows: the one asked for if it can be taken now,
/// the refused form's step, or the next step the referral waits for.
pub fn current_step(v: &ReferralView, asked: Option<&str>, err: Option<&str>) -> &'static str {
    let s = v.status.as_str();
    let open = |k: &str| match k {
        "arrive" => s == "accepted",
        "triage" | "intake" => matches!(s, "accepted" | "triage_started"),
        "release" => v.participant_id.is_some(),
        _ => false,
    };
    let next = if s == "accepted" {
        "arrive"
    } else if v.participant_id.is_some() {
        "release"
    } else {
        "triage"
    };
    [err, asked]
        .into_iter()
        .flatten()
        .find_map(|k| {
            STEPS
                .iter()
                .map(|(key, _)| *key)
                .find(|key| *key == k && open(k))
        })
        .unwrap_or(next)
}

/// The step indicator: one item per step, done steps marked, the current
/// one `aria-current`, the others a link when they can be taken now.
fn stepper(v: &ReferralView, current: &str, has_release: bool) -> Markup {
    let s = v.status.as_str();
    let done = |k: &str| match k {
        "arrive" => v.triage_started_at.is_some(),
        "triage" | "intake" => v.participant_id.is_some(),
        _ => has_release,
    };
    let open = |k: &str| match k {
        "arrive" => s == "accepted",
        "triage" | "intake" => matches!(s, "accepted" | "triage_started"),
        _ => v.participant_id.is_some(),
    };
    html! {
        nav.stepper aria-label="Steps of the hand-off" {
            ol {
                @for (i, (k, label)) in STEPS.iter().enumerate() {
                    li.done[done(k)] data-step=(k) {
                        @let text = html! { span.n { (i + 1) } " " (label) @if done(k) { span.sr { " (done)" } } };
                        @if *k == current {
                            span aria-current="step" { (text) }
                        } @else if open(k) {
                            a href=(format!("/referrals/{}?step={k}#{k}", v.id)) { (text) }
                        } @else { span { (text) } }
                    }
                }
            }
        }
    }
}

/// The living situations in HUD's groups (homeless, institutional,
/// temporary, permanent, not known); the field shorthands are left out.
fn living_options(chosen: &str) -> Markup {
    const GROUPS: &[(u16, &str)] = &[
        (1, "Homeless situations"),
        (2, "Institutional situations"),
        (3, "Temporary housing situations"),
        (4, "Permanent housing situations"),
        (0, "Not known"),
    ];
    let shorthand = |l: &LivingSituation| {
        matches!(
            l,
            LivingSituation::Unsheltered | LivingSituation::Sheltered | LivingSituation::Housed
        )
    };
    html! {
        @for (g, label) in GROUPS {
            optgroup label=(label) {
                @for l in LivingSituation::ALL.iter().filter(|l| !shorthand(l) && l.hud_code() / 100 == *g) {
                    option value=(l.as_str()) selected[chosen == l.as_str()] { (l.label()) }
                }
            }
        }
    }
}

/// The work sections for the case manager on the case, one step at a time.
pub fn work(
    auth: &Auth,
    v: &ReferralView,
    site: &SiteCtx,
    agencies: &[Agency],
    releases: &[ReleaseView],
    err: Option<&Refusal<'_>>,
    step: &str,
) -> Markup {
    let err_for = |what: &str| err.filter(|r| r.what == what).map(|r| problem(&r.error));
    // What the refused form held, to show it again.
    let sent = |what: &str| err.filter(|r| r.what == what).map(|r| r.fields);
    let t = sent("triage");
    let i = sent("intake");
    let tv = |k: &str| t.map(|f| f.get(k).to_string()).unwrap_or_default();
    let iv = |k: &str| i.map(|f| f.get(k).to_string()).unwrap_or_default();
    let t_has = |k: &str, v: &str| t.is_some_and(|f| f.all(k).iter().any(|x| x == v));
    let i_has = |k: &str, v: &str| i.is_some_and(|f| f.all(k).iter().any(|x| x == v));
    html! {
        (stepper(v, step, !releases.is_empty()))
        @if step == "arrive" {
            section.card id="arrive" aria-labelledby="arrive-h" {
                h2 id="arrive-h" { "Arrive" }
                p { "When you reach the person, tell the system: the officer sees that you arrived, and triage starts." }
                form method="post" action=(format!("/referrals/{}/arrive", v.id)) {
                    (csrf_field(auth))
                    button.primary.big type="submit" { "Arrived" }
                }
            }
        }
        @if step == "triage" {
            section.card id="triage" aria-labelledby="triage-h" {
                h2 id="triage-h" { "Triage at the scene" }
                @if let Some(p) = err_for("triage") { (p) }
                form.stack method="post" action=(format!("/referrals/{}/triage", v.id)) {
                    (csrf_field(auth))
                    fieldset {
                        legend { "Immediate needs" }
                        @for n in NEEDS {
                            label.check { input type="checkbox" name="needs" value=(n) checked[t_has("needs", n)]; " " (n) }
                        }
                    }
                    label for="safety" { "Safety concerns" }
                    textarea id="safety" name="safety_concerns" rows="2" { (tv("safety_concerns")) }
                    label.check { input type="checkbox" name="ready_for_intake" value="1" checked[t_has("ready_for_intake", "1")]; " Wants to continue to intake now" }
                    button.primary type="submit" { "Save triage" }
                }
                p { a href=(format!("/referrals/{}?step=intake#intake", v.id)) { "Skip to the intake" } }
            }
        }
        @if step == "intake" {
            section.card id="intake" aria-labelledby="intake-h" {
                h2 id="intake-h" { "Psychosocial intake" }
                @if let Some(p) = err_for("intake") { (p) }
                form.stack method="post" action=(format!("/referrals/{}/intake", v.id)) {
                    (csrf_field(auth))
                    label for="living" { "Living situation (HUD)" }
                    select id="living" name="living_situation" required {
                        option value="" { "Choose…" }
                        (living_options(&iv("living_situation")))
                    }
                    label for="employment" { "Employment" }
                    select id="employment" name="employment" {
                        @for (code, label) in EMPLOYMENT { option value=(code) selected[iv("employment") == *code] { (label) } }
                    }
                    label for="income" { "Monthly income (dollars)" }
                    input id="income" name="monthly_income" type="number" inputmode="decimal" min="0" step="1" value=(iv("monthly_income"));
                    fieldset {
                        legend { "Benefits received or applied for" }
                        @for b in BENEFITS { label.check { input type="checkbox" name="benefits" value=(b) checked[i_has("benefits", b)]; " " (b) } }
                    }
                    fieldset.confidential {
                        legend { "Confidential health information" }
                        p.meta { "Health and mental health are kept in the health category; substance use is protected by 42 CFR Part 2 and shared only with the participant's written consent." }
                        label for="health" { "Physical health" }
                        textarea id="health" name="health" rows="2" { (iv("health")) }
                        label for="mental" { "Mental health" }
                        textarea id="mental" name="mental_health" rows="2" { (iv("mental_health")) }
                        label for="sud" { "Substance use and treatment (42 CFR Part 2)" }
                        textarea id="sud" name="substance_use" rows="2" { (iv("substance_use")) }
                    }
                    label for="legal" { "Legal obligations (court dates, warrants)" }
                    textarea id="legal" name="legal" rows="2" { (iv("legal")) }
                    label for="documents" { "Documents and ID" }
                    textarea id="documents" name="documents" rows="2" { (iv("documents")) }
                    label for="goals" { "The participant's goals, in their own words (one per line)" }
                    textarea id="goals" name="participant_goals" rows="3" required { (iv("participant_goals")) }
                    button.primary type="submit" { "Complete intake" }
                }
            }
        }
        @if step == "release" && v.participant_id.is_some() {
            (release_form(auth, v, site, agencies, err_for("release"), sent("release")))
        }
        @if step == "release" && !releases.is_empty() { (releases_list(auth, v, releases)) }
    }
}

fn release_form(
    auth: &Auth,
    v: &ReferralView,
    site: &SiteCtx,
    agencies: &[Agency],
    problem: Option<Markup>,
    sent: Option<&Fields>,
) -> Markup {
    let val = |k: &str, default: &str| {
        sent.map(|f| f.get(k).to_string())
            .unwrap_or_else(|| default.to_string())
    };
    let has = |k: &str, v: &str| sent.is_some_and(|f| f.all(k).iter().any(|x| x == v));
    let today = site.tz.local_date(now());
    let year_on = today
        .replace_year(today.year() + 1)
        .unwrap_or(today + time::Duration::days(365));
    let own = agencies.iter().find(|a| a.id == auth.user.agency_id);
    // Only organisations a release can reach, each offered only what the
    // disclosure rules could ever let its people receive.
    let recipients: Vec<(&Agency, Vec<DataCategory>)> = agencies
        .iter()
        .filter(|a| a.id != auth.user.agency_id)
        .map(|a| (a, release_may_give(a.kind)))
        .filter(|(_, may)| !may.is_empty())
        .collect();
    let sud_offered = recipients
        .iter()
        .any(|(_, may)| may.contains(&DataCategory::Sud));
    html! {
        section.card id="release" aria-labelledby="release-h" {
            h2 id="release-h" { "Release of information" }
            @if let Some(p) = problem { (p) }
            form.stack.roi method="post" action=(format!("/referrals/{}/release", v.id)) {
                (csrf_field(auth))
                p.meta { "Tick each agency the participant agrees to share with, and what it may receive." }
                @for (a, may) in &recipients {
                    fieldset.recipient {
                        legend { (a.name) }
                        label.check { input type="checkbox" name="agency" value=(a.id) checked[has("agency", &a.id.to_string())]; " Share with " (a.name) }
                        details open[sent.is_some()] {
                            summary { "What " (a.name) " may receive" }
                            @for c in may {
                                label.check { input type="checkbox" name=(format!("cat_{}", a.id)) value=(c.as_str()) checked[has(&format!("cat_{}", a.id), c.as_str())]; " " (category_label(*c)) }
                            }
                        }
                    }
                }
                label for="purpose" { "Purpose" }
                input id="purpose" name="purpose" value=(val("purpose", "care coordination")) required;
                label for="effective" { "Effective from (default today)" }
                input id="effective" name="effective_on" type="date" value=(val("effective_on", ""));
                label for="expires" { "Expires on" }
                input id="expires" name="expires_on" type="date" value=(val("expires_on", &year_on.to_string())) required;
                @if sud_offered {
                    // Shown without JavaScript; part2.js hides it until
                    // substance use is ticked for a recipient.
                    fieldset.part2 id="part2" aria-describedby="part2-scope" {
                        legend { "42 CFR Part 2 consent (when substance use is shared)" }
                        p.meta id="part2-scope" { "Substance-use information goes only to the recipients ticked for it, for the purpose above, until the expiry date above (or until the participant revokes it)." }
                        label for="discloser" { "Who may disclose" }
                        input id="discloser" name="discloser" value=(val("discloser", own.map(|a| a.name.as_str()).unwrap_or("")));
                        label for="information" { "Description of the information (how much and what kind of substance-use information)" }
                        input id="information" name="information" value=(val("information", "substance use assessment and treatment participation"));
                        label.check { input type="checkbox" name="right_to_revoke" value="1" checked[has("right_to_revoke", "1")]; " The participant was told they may revoke this consent at any time, except for what was already shared on it" }
                        p { strong { "Notice to each recipient (42 CFR 2.32)" } }
                        p.meta.redisclosure { (REDISCLOSURE_NOTICE) }
                    }
                }
                fieldset {
                    legend { "Signature" }
                    label.check { input type="radio" name="method" value="drawn" checked; " Drawn on this screen" }
                    label.check { input type="radio" name="method" value="uploaded_pdf"; " Signed paper form (PDF)" }
                    p.meta id="sig-help" { "The participant signs in the box with a finger or a mouse." }
                    canvas id="sig" width="600" height="200" role="img" aria-label="Signature pad" aria-describedby="sig-help" {}
                    button type="button" id="sig-clear" { "Clear signature" }
                    input type="hidden" id="image_base64" name="image_base64";
                    label for="pdf" { "Signed PDF" }
                    input id="pdf" type="file" accept="application/pdf";
                    input type="hidden" id="pdf_base64" name="pdf_base64";
                }
                button.primary type="submit" { "Record the release" }
            }
        }
    }
}

pub fn releases_list(auth: &Auth, v: &ReferralView, releases: &[ReleaseView]) -> Markup {
    html! {
        section.card aria-labelledby="releases-h" {
            h2 id="releases-h" { "Releases of information" }
            ul.items {
                @for r in releases {
                    li.item data-status=(r.status) {
                        strong { (r.status.replace('_', " ")) } " · until " (r.expires_on)
                        @if r.part2 { " · Part 2 consent" }
                        ul {
                            @for rc in &r.recipients {
                                li { (rc.agency_name) ": " (rc.categories.join(", ")) }
                            }
                        }
                        @if matches!(r.status.as_str(), "in_force" | "not_yet_effective") {
                            form method="post" action=(format!("/releases/{}/revoke", r.id)) {
                                (csrf_field(auth))
                                input type="hidden" name="referral" value=(v.id);
                                button type="submit" { "Revoke" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Reports a refusal on the work page; other errors as an error page.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    id: ReferralId,
    what: &str,
    fields: &Fields,
    e: AppError,
) -> PageResult {
    match e {
        error @ AppError::BadRequest { .. } => {
            let refusal = Refusal {
                what,
                error,
                fields,
            };
            detail_page(state, ctx, auth, id, None, None, Some(refusal)).await
        }
        other => Err(other.into()),
    }
}

pub async fn accept(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
) -> PageResult {
    workflow::referrals::accept(&state, &auth, &ctx, id).await?;
    Ok(see_other(&format!("/referrals/{id}?done=accepted")))
}

pub async fn arrive(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
) -> PageResult {
    workflow::referrals::arrive(&state, &auth, &ctx, id).await?;
    Ok(see_other(&format!(
        "/referrals/{id}?done=arrived&step=triage#triage"
    )))
}

pub async fn triage(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let form = TriageForm {
        immediate_needs: f.all("needs"),
        safety_concerns: f.opt("safety_concerns"),
        ready_for_intake: Some(f.checked("ready_for_intake")),
        notes: f.opt("notes"),
    };
    match workflow::referrals::triage(&state, &auth, &ctx, id, form).await {
        Ok(()) => Ok(see_other(&format!(
            "/referrals/{id}?done=triage&step=intake#intake"
        ))),
        Err(e) => refused(&state, &ctx, &auth, id, "triage", &f, e).await,
    }
}

pub async fn intake(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let form = IntakeForm {
        living_situation: f.get("living_situation").to_string(),
        participant_goals: f
            .get("participant_goals")
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        employment: f.opt("employment"),
        monthly_income: f.opt("monthly_income").map(serde_json::Value::String),
        benefits: f.all("benefits"),
        health: f.opt("health"),
        mental_health: f.opt("mental_health"),
        substance_use: f.opt("substance_use"),
        legal: f.opt("legal"),
        documents: f.opt("documents"),
        notes: f.opt("notes"),
    };
    match workflow::intake::complete(&state, &auth, &ctx, id, form).await {
        Ok(_) => Ok(see_other(&format!(
            "/referrals/{id}?done=intake&step=release#release"
        ))),
        Err(e) => refused(&state, &ctx, &auth, id, "intake", &f, e).await,
    }
}

fn release_form_of(f: &Fields) -> ReleaseForm {
    let recipients: Vec<RecipientForm> = f
        .all("agency")
        .into_iter()
        .map(|a| RecipientForm {
            categories: f.all(&format!("cat_{a}")),
            agency_id: a,
        })
        .collect();
    let sud = recipients
        .iter()
        .any(|r| r.categories.iter().any(|c| c == "sud"));
    let method = f.opt("method").unwrap_or_else(|| "drawn".into());
    ReleaseForm {
        recipients,
        purpose: f.get("purpose").to_string(),
        effective_on: f.opt("effective_on"),
        expires_on: f.get("expires_on").to_string(),
        signature: Some(SignatureForm {
            image_base64: (method == "drawn").then(|| f.opt("image_base64")).flatten(),
            pdf_base64: (method == "uploaded_pdf")
                .then(|| f.opt("pdf_base64"))
                .flatten(),
            method,
        }),
        part2: sud.then(|| Part2Form {
            discloser: f.get("discloser").to_string(),
            information: f.get("information").to_string(),
            right_to_revoke_acknowledged: f.checked("right_to_revoke"),
        }),
    }
}

pub async fn release(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let (record, _) = workflow::referrals::load(&state, &auth, id).await?;
    let Some(pid) = record.participant_id else {
        return Err(AppError::Conflict("complete the intake before the release".into()).into());
    };
    if f.all("agency").is_empty() {
        return refused(
            &state,
            &ctx,
            &auth,
            id,
            "release",
            &f,
            AppError::field("recipients", "tick at least one agency"),
        )
        .await;
    }
    match workflow::releases::create(&state, &auth, &ctx, pid, release_form_of(&f)).await {
        Ok(_) => Ok(see_other(&format!(
            "/referrals/{id}?done=release&step=release#release"
        ))),
        Err(e) => refused(&state, &ctx, &auth, id, "release", &f, e).await,
    }
}

pub async fn revoke(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReleaseId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    workflow::releases::revoke(&state, &auth, &ctx, id).await?;
    match f.get("referral").parse::<ReferralId>() {
        Ok(r) => Ok(see_other(&format!("/referrals/{r}?done=revoked"))),
        Err(_) => Ok(see_other("/referrals")),
    }
}

pub async fn approval(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let approved = match f.get("approved") {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::field("approved", "choose approve or do not approve").into()),
    };
    workflow::referrals::approve(&state, &auth, &ctx, id, approved).await?;
    if auth.user.can_approve {
        return Ok(see_other("/approvals"));
    }
    let done = if approved { "approved" } else { "not_approved" };
    Ok(see_other(&format!("/referrals/{id}?done={done}")))
}
