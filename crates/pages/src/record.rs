//! Parts of the participant's record: the booking-alert banner, and the
//! contacts with their authors, each with its corrections kept as versions.

use super::flow::Fields;
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::{ContactId, DataCategory, ParticipantId};
use handoff_http::AppState;
use handoff_http::audit::Ctx;
use handoff_http::auth::{Auth, Origin};
use handoff_http::casework::{Place, Service};
use handoff_http::corrections::{self, CorrectionForm};
use handoff_http::disclosure::{Guard, Reading};
use handoff_http::error::AppError;
use handoff_http::views::{CategoryView, ContactView};
use maud::{Markup, html};

/// How long after a booking its alert stays open when a release was
/// recorded (while no release is recorded it stays open).
const ALERT_DAYS: i64 = 7;

/// The bookings of the participant that hold an open alert: in custody
/// (no release recorded), or booked within the last week. Only what the
/// reader may see as `justice`.
pub fn open_bookings(reading: &Reading, today: time::Date) -> Vec<(String, Option<String>)> {
    let Some(CategoryView::Justice(records)) = reading
        .shown
        .iter()
        .find(|d| d.category == DataCategory::Justice)
        .map(|d| &d.data)
    else {
        return Vec::new();
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    records
        .iter()
        .filter(|r| matches!(r.kind.as_str(), "booking" | "bookings"))
        .filter_map(|r| {
            let on = r.on.clone()?;
            let released = r.released_on.clone().flatten();
            let recent = time::Date::parse(on.get(..10).unwrap_or(&on), fmt)
                .is_ok_and(|d| (today - d).whole_days() <= ALERT_DAYS);
            (released.is_none() || recent).then_some((on, released))
        })
        .collect()
}

/// The banner at the top of the record while a booking alert is open.
pub fn booking_banner(open: &[(String, Option<String>)]) -> Markup {
    html! {
        @if !open.is_empty() {
            div.notice.alert role="alert" id="booking-alert" {
                strong { "Booking alert: " }
                @for (i, (on, released)) in open.iter().enumerate() {
                    @if i > 0 { "; " }
                    "booked into jail on " (on.get(..10).unwrap_or(on))
                    @match released {
                        Some(r) => { ", released " (r.get(..10).unwrap_or(r)) }
                        None => { ", no release recorded yet" }
                    }
                }
                ". Check on them and their court date; the jail liaison can tell you more."
            }
        }
    }
}

/// One contact on the record: when, where, how long, by whom, what it says;
/// a corrected contact shows its newest version with every version below,
/// and "Correct" for whoever may correct it.
pub fn contact_item(base: &str, k: &ContactView, may_correct: bool) -> Markup {
    html! {
        li.item id=(format!("contact-{}", k.id)) {
            strong { (k.on) } " · " (k.place.label()) " · " (k.duration_minutes) " min"
            " · " span.meta { "by " (k.author.as_deref().unwrap_or("someone no longer on staff")) }
            @let services: Vec<&str> = k.services.iter().map(|x| x.label()).collect();
            @if !services.is_empty() { br; span.meta { (services.join(", ")) } }
            @for n in k.notes.iter().flatten() { p { (n) } }
            @if may_correct {
                p { a href=(format!("{base}/contacts/{}/correct", k.id)) aria-label=(format!("Correct the contact of {}", k.on)) { "Correct" } }
            }
            @if !k.history.is_empty() {
                details.history {
                    summary { "Corrected — version " (k.version) "; see every version" }
                    ol.compact {
                        @for v in &k.history {
                            li {
                                strong { "Version " (v.version) } " · " (v.place.label()) " · " (v.duration_minutes) " min · "
                                @if let Some(r) = &v.reason { "corrected by " (v.by.as_deref().unwrap_or("someone")) ": “" (r) "”" } @else { "as written by " (v.by.as_deref().unwrap_or("someone")) }
                                @for n in v.notes.iter().flatten() { br; span.meta { (n) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The correction form: the contact's newest version to change, and why.
pub async fn correct_form(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path((id, cid)): Path<(String, String)>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(
        correct_page(&state, &ctx, &auth, pid, &cid, None, Vec::new())
            .await?
            .into_response(),
    )
}

async fn correct_page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    pid: ParticipantId,
    cid: &str,
    sent: Option<&Fields>,
    problems: Vec<AppError>,
) -> Result<Markup, AppError> {
    let guard = Guard::new(state, auth).await?;
    let reading = guard.read_all(ctx, pid, &[DataCategory::Notes]).await?;
    let contact = match reading.notes() {
        Some(CategoryView::Notes(n)) => {
            n.contacts.iter().find(|k| k.id.to_string() == cid).cloned()
        }
        _ => None,
    }
    .ok_or(AppError::NotFound)?;
    let base = format!("/participants/{pid}");
    let v = |k: &str, default: String| sent.map_or(default, |f| f.get(k).to_string());
    let bad = |k: &str| {
        problems.iter().any(|e| matches!(e, AppError::BadRequest { field: Some(f), .. } if f == k || f.starts_with(&format!("{k}["))))
    };
    let chosen: Vec<String> = match sent {
        Some(f) => f.all("services"),
        None => contact
            .services
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
    };
    let body = html! {
        h1 { "Correct a contact" }
        p { "The contact of " (contact.on) " by " (contact.author.as_deref().unwrap_or("someone")) ". Your correction becomes a new version: what was written stays in the contact's history." }
        @if !problems.is_empty() {
            div.notice role="alert" id="problem" {
                p { "The correction was not saved. Check:" }
                ul { @for e in &problems { li { (problem_text(e)) } } }
            }
        }
        form.stack method="post" action=(format!("{base}/contacts/{cid}/correct")) {
            (csrf_field(auth))
            label for="reason" { "Why it is corrected" }
            input id="reason" name="reason" required maxlength="500" value=(v("reason", String::new())) aria-invalid=[bad("reason").then_some("true")];
            label for="place" { "Where" }
            select id="place" name="place" aria-invalid=[bad("place").then_some("true")] {
                @for p in Place::ALL { option value=(p.as_str()) selected[v("place", contact.place.as_str().into()) == p.as_str()] { (p.label()) } }
            }
            label for="duration" { "Minutes" }
            input id="duration" name="duration_minutes" type="number" inputmode="numeric" min="1" max="720" value=(v("duration_minutes", contact.duration_minutes.to_string())) aria-invalid=[bad("duration_minutes").then_some("true")];
            fieldset {
                legend { "Services" }
                div.two {
                    @for sv in Service::ALL {
                        label.check { input type="checkbox" name="services" value=(sv.as_str()) checked[chosen.iter().any(|c| c == sv.as_str())]; (sv.label()) }
                    }
                }
            }
            label for="note" { "Note" }
            textarea id="note" name="note" rows="4" maxlength="4000" aria-invalid=[bad("note").then_some("true")] { (v("note", contact.notes.clone().unwrap_or_default().join("\n"))) }
            button.primary type="submit" { "Save the correction" }
        }
        p { a href=(format!("{base}#notes-h")) { "Back to the record" } }
    };
    Ok(layout("Correct a contact", Some(auth), body))
}

fn problem_text(e: &AppError) -> String {
    match e {
        AppError::BadRequest {
            field: Some(f),
            message,
        } => format!("{}: {message}", super::flow::field_label(f)),
        other => other.to_string(),
    }
}

pub async fn correct(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path((id, cid)): Path<(String, String)>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let contact: ContactId = cid.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let form = CorrectionForm {
        reason: f.get("reason").to_string(),
        place: f.opt("place"),
        duration_minutes: match f.opt("duration_minutes") {
            Some(m) => match m.parse() {
                Ok(m) => Some(m),
                Err(_) => Some(0),
            },
            None => None,
        },
        services: Some(f.all("services")),
        note: f.opt("note"),
    };
    let problems = corrections::problems(&form);
    if problems.is_empty() {
        match corrections::correct(&state, &auth, &ctx, pid, contact, form).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/participants/{pid}?done=corrected#contact-{cid}"
                )));
            }
            Err(e @ AppError::BadRequest { .. }) => {
                let page = correct_page(&state, &ctx, &auth, pid, &cid, Some(&f), vec![e]).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = correct_page(&state, &ctx, &auth, pid, &cid, Some(&f), problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
