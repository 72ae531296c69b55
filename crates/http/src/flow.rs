//! Small helpers shared by the pages (crates/pages and crates/pages-*): reading url-encoded forms
//! with repeated fields, showing times at the site, and the notices that
//! name a field when a service refuses the input.

use crate::error::AppError;
use handoff_domain::DataCategory;
use handoff_domain::site_time::SiteTimeZone;
use maud::{Markup, html};
use time::OffsetDateTime;

/// A url-encoded form body, keeping repeated fields (`categories=a&categories=b`).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &str) -> Result<Self, AppError> {
        serde_urlencoded::from_str(body)
            .map(Fields)
            .map_err(|_| AppError::field("form", "the form could not be read"))
    }

    /// The first value of a field, as sent ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The value trimmed, or `None` when absent or blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// Every value of a repeated field, blanks left out.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }
}

/// A time as the site reads it: `2026-11-30 14:05`.
pub fn local(tz: &SiteTimeZone, at: OffsetDateTime) -> String {
    let day = tz.local_date(at);
    match tz.start_of_day(day) {
        Ok(midnight) => {
            let secs = (at - midnight).whole_seconds().clamp(0, 86_399);
            format!("{day} {:02}:{:02}", secs / 3600, (secs % 3600) / 60)
        }
        Err(_) => at.date().to_string(),
    }
}

/// The instant a local `YYYY-MM-DDTHH:MM` (an `<input type=datetime-local>`)
/// names at the site.
pub fn from_local(
    tz: &SiteTimeZone,
    raw: &str,
    field: &'static str,
) -> Result<OffsetDateTime, AppError> {
    let bad = || AppError::field(field, "is not a date and time like 2026-11-30T08:00");
    let (d, t) = raw.trim().split_once('T').ok_or_else(bad)?;
    let date = time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| bad())?;
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.get(..2).unwrap_or(m).parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    let midnight = tz.start_of_day(date).map_err(|_| bad())?;
    Ok(midnight + time::Duration::minutes(h * 60 + m))
}

/// How long ago, in words a phone screen has room for.
pub fn ago(now: OffsetDateTime, at: OffsetDateTime) -> String {
    let m = (now - at).whole_minutes();
    match m {
        i64::MIN..=0 => "just now".into(),
        1 => "1 minute ago".into(),
        2..=89 => format!("{m} minutes ago"),
        _ if m < 48 * 60 => format!("{} hours ago", m / 60),
        _ => format!("{} days ago", m / (24 * 60)),
    }
}

/// A duration as minutes (or hours and minutes).
pub fn minutes(d: time::Duration) -> String {
    let m = d.whole_minutes();
    if m < 120 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// The refusal of a service as a notice; `field` tells which input.
pub fn problem(e: &AppError) -> Markup {
    let text = match e {
        AppError::BadRequest {
            field: Some(f),
            message,
        } => format!("Check “{}”: {message}", field_label(f)),
        other => other.to_string(),
    };
    html! { p.notice role="alert" id="problem" { (text) } }
}

/// The field a service named, in the words of the form.
pub fn field_label(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    match last {
        "first_name" => "First name".into(),
        "last_name" => "Last name".into(),
        "dob" => "Date of birth".into(),
        "approx_age" => "Approximate age".into(),
        "sex" => "Sex".into(),
        "race" => "Race".into(),
        "category" | "offenses" => "Offence".into(),
        "substance" => "Substance".into(),
        "quantity_grams" => "Grams".into(),
        "address" | "lat" | "lon" => "Location".into(),
        "incident_number" => "Incident number".into(),
        "occurred_at" => "Time".into(),
        "prior_involvement" | "reference" | "observation" => "Prior involvement".into(),
        "door" => "Door".into(),
        "image_base64" => "Signature".into(),
        "pdf_base64" => "Signed PDF".into(),
        "method" => "Signature".into(),
        "recipients" | "agency_id" => "Recipients".into(),
        "categories" => "What each agency may receive".into(),
        "purpose" => "Purpose".into(),
        "effective_on" => "Effective from".into(),
        "expires_on" => "Expires on".into(),
        "discloser" => "Who may disclose".into(),
        "information" => "Description of the information".into(),
        "right_to_revoke_acknowledged" => "Right to revoke".into(),
        "living_situation" => "Living situation".into(),
        "participant_goals" => "Goals".into(),
        "monthly_income" => "Monthly income".into(),
        "immediate_needs" => "Immediate needs".into(),
        "safety_concerns" => "Safety concerns".into(),
        other => other.replace('_', " "),
    }
}

pub fn category_label(c: DataCategory) -> &'static str {
    match c.as_str() {
        "identity" => "Identity",
        "demographics" => "Demographics",
        "enrollment" => "Enrollment (is a participant, who the case manager is)",
        "hold" => "Diversion hold",
        "engagement" => "Engagement (last contact)",
        "plan" => "Plan (goals and services)",
        "notes" => "Notes (contacts, intake)",
        "health" => "Health and mental health",
        "sud" => "Substance use treatment (42 CFR Part 2)",
        "justice" => "Justice records",
        _ => "Other",
    }
}

/// The words for a hold state on every page.
pub fn hold_label(state: &str) -> &'static str {
    match state {
        "pending" => "Pending: held from filing",
        "satisfied" => "Satisfied: do not file",
        "lapsed" => "Lapsed: back to the prosecutor",
        _ => "Unknown",
    }
}
