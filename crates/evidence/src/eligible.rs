//! The eligible-but-booked log. When an officer arrests someone eligible
//! for LEAD and books them instead — diversion off on this shift, the
//! person declined, or diversion was not offered — the officer logs it in
//! a few fields. These people are the comparison cohort of the evaluation
//! (linked to justice records like participants, exported as controls) and
//! the booked side of the oversight RRI. They are not referrals: nothing
//! here reaches the hand-off inbox or case management, and no one reads a
//! row back — only counts leave (oversight, the PCG report) and the
//! evaluation export's limited data set under per-export pseudonyms.

use crate::{require, shifts};
use handoff_audit::Outcome;
use handoff_domain::referral::{ConductCategory, Race, Sex};
use handoff_domain::rules::Action;
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::evidence::{self as store, EligibleArrest};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// Why the arrest was booked rather than diverted.
pub const REASONS: &[(&str, &str)] = &[
    ("diversion_off_shift", "Diversion was off on this shift"),
    ("declined", "The person declined diversion"),
    ("not_offered", "Diversion was not offered"),
];

/// The person as observed; name and date of birth when known (for linking).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PersonBody {
    #[serde(default)]
    pub race: String,
    #[serde(default)]
    pub sex: String,
    /// Apparent age in years (or give `dob`).
    #[serde(default)]
    #[schema(value_type = Option<u32>)]
    pub approx_age: Option<serde_json::Value>,
    /// YYYY-MM-DD, when known.
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

/// Where the arrest happened: one of the site's areas, or the place.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ArrestPlace {
    /// The name of one of the site's areas (precincts).
    #[serde(default)]
    pub area: Option<String>,
    /// The place in words, at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: Option<String>,
}

/// One offence of the arrest.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ArrestOffence {
    /// An offence category the site's policy makes eligible
    /// (`drug_possession`, `sex_work`, … or a site-defined code).
    #[serde(default)]
    pub category: String,
    /// For drug offences: opioid, stimulant, cannabis, prescription_pills, other, …
    #[serde(default)]
    pub substance: Option<String>,
}

/// `POST /api/v1/eligible-arrests`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ArrestBody {
    #[serde(default)]
    pub incident_number: String,
    /// RFC 3339 (`2026-12-07T14:30:00-08:00`), not in the future.
    #[serde(default)]
    pub occurred_at: String,
    /// At least one.
    #[serde(default)]
    #[schema(min_items = 1)]
    pub offenses: Vec<ArrestOffence>,
    /// The area or the place (at least one of them).
    #[serde(default)]
    pub location: ArrestPlace,
    #[serde(default)]
    pub person: PersonBody,
    /// `diversion_off_shift`, `declined` or `not_offered`.
    #[serde(default)]
    pub reason: String,
}

/// 201's body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Logged {
    pub id: uuid::Uuid,
    /// Whether diversion was on at that time under the PCG's schedule (null: no schedule).
    pub diversion_on: Option<bool>,
}

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// Every problem of a body at once: `(field, message)`.
pub fn validate(
    b: &ArrestBody,
    areas: &[String],
    policy: &handoff_domain::eligibility::Policy,
    now: OffsetDateTime,
) -> Result<EligibleArrest, Vec<(String, String)>> {
    let mut bad: Vec<(String, String)> = Vec::new();
    let mut err = |f: &str, m: &str| bad.push((f.to_string(), m.to_string()));
    let incident = b.incident_number.trim();
    if incident.is_empty() {
        err("incident_number", "give the incident number");
    } else if incident.chars().count() > 40 || incident.chars().any(char::is_control) {
        err(
            "incident_number",
            "is not an incident number (at most 40 characters)",
        );
    }
    let occurred = OffsetDateTime::parse(b.occurred_at.trim(), &Rfc3339).ok();
    match occurred {
        None => err(
            "occurred_at",
            "give the date and time, like 2026-12-07T14:30:00-08:00",
        ),
        Some(t) if t > now + time::Duration::minutes(5) => err("occurred_at", "is in the future"),
        _ => {}
    }
    if b.offenses.is_empty() {
        err("offenses", "give at least one offence category");
    }
    for (i, o) in b.offenses.iter().enumerate() {
        match ConductCategory::parse(&o.category) {
            Err(_) => err(
                &format!("offenses[{i}].category"),
                "choose an offence category",
            ),
            Ok(c) if !policy.conduct_eligible(&c) => err(
                &format!("offenses[{i}].category"),
                "is not eligible under the site's policy: log only arrests of people eligible for LEAD",
            ),
            Ok(_) => {}
        }
    }
    let area = text(&b.location.area);
    if let Some(a) = &area
        && !areas.iter().any(|x| x == a)
    {
        err("location.area", "choose one of the site's areas");
    }
    if area.is_none() && text(&b.location.address).is_none() {
        err("location", "give the area or the place");
    }
    let race = Race::parse(&b.person.race);
    if race.is_err() || b.person.race.trim().is_empty() {
        err("person.race", "choose the race as observed");
    }
    let sex = Sex::parse(&b.person.sex);
    if sex.is_err() || b.person.sex.trim().is_empty() {
        err("person.sex", "choose the sex as observed");
    }
    let dob = text(&b.person.dob);
    let dob_ok = dob.as_deref().map(|d| crate::parse_date("person.dob", d));
    if let Some(Err(_)) = &dob_ok {
        err("person.dob", "is not a date like 1980-04-02");
    }
    let age = match &b.person.approx_age {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok().or(Some(-1)),
        Some(_) => Some(-1),
    };
    if age.is_some_and(|a| !(10..=110).contains(&a)) {
        err("person.approx_age", "give the apparent age in years");
    }
    if age.is_none() && dob.is_none() {
        err(
            "person.approx_age",
            "give the apparent age or the date of birth",
        );
    }
    let (first, last) = (text(&b.person.first_name), text(&b.person.last_name));
    for (f, v) in [("person.first_name", &first), ("person.last_name", &last)] {
        if v.as_ref().is_some_and(|v| {
            v.chars().count() > 80 || handoff_domain::text::refuse_bidi_controls("", v).is_err()
        }) {
            err(f, "is not a name");
        }
    }
    if !REASONS.iter().any(|(r, _)| *r == b.reason.trim()) {
        err(
            "reason",
            "expected diversion_off_shift, declined or not_offered",
        );
    }
    let address = text(&b.location.address);
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        err("location.address", "is longer than 200 characters");
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let offenses = serde_json::to_string(
        &b.offenses
            .iter()
            .map(|o| serde_json::json!({"category": o.category.trim(), "substance": o.substance}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    Ok(EligibleArrest {
        id: uuid::Uuid::nil(),
        incident_number: incident.to_string(),
        occurred_at: occurred.unwrap_or(now),
        offenses,
        location: serde_json::json!({"address": address, "area": area}).to_string(),
        area,
        race: race.map(|r| r.label().to_string()).unwrap_or_default(),
        sex: sex.map(|s| s.as_str().to_string()).unwrap_or_default(),
        approx_age: age,
        dob,
        first_name: first,
        last_name: last,
        reason: b.reason.trim().to_string(),
        diversion_on: None,
        schedule_version: None,
        logged_by: uuid::Uuid::nil(),
        agency_id: uuid::Uuid::nil(),
        logged_at: now,
    })
}

/// The site's area names.
pub async fn area_names(state: &AppState, site: handoff_domain::SiteId) -> AppResult<Vec<String>> {
    Ok(handoff_store::areas::list(&mut state.store.conn(), site)
        .await?
        .into_iter()
        .map(|a| a.name)
        .collect())
}

/// The offence categories an officer may choose (the policy's eligible ones).
pub async fn categories(state: &AppState, site: handoff_domain::SiteId) -> AppResult<Vec<String>> {
    let ctx = handoff_services::workflow::SiteCtx::load(state, site).await?;
    let v = serde_json::to_value(&ctx.policy.policy).unwrap_or_default();
    let mut out: Vec<String> = v
        .get("eligible_conduct")
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty() {
        out = [
            "drug_possession",
            "drug_sales",
            "sex_work",
            "theft",
            "trespass",
        ]
        .map(String::from)
        .to_vec();
    }
    Ok(out)
}

/// Logs one (officers). Every invalid field is named at once (`Err` of
/// the outer result carries the first as an `AppError`, the list beside it).
pub async fn log(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    b: &ArrestBody,
) -> Result<Logged, (AppError, Vec<(String, String)>)> {
    let site = auth.user.site_id;
    let plain = |e: AppError| (e, Vec::new());
    let agency = require(
        state,
        auth,
        Action::LogEligibleArrest,
        "the eligible-but-booked log is kept by police officers",
    )
    .await
    .map_err(plain)?;
    let now = handoff_services::now();
    let areas = area_names(state, site).await.map_err(plain)?;
    let ctx = handoff_services::workflow::SiteCtx::load(state, site)
        .await
        .map_err(plain)?;
    let mut a = match validate(b, &areas, &ctx.policy.policy, now) {
        Ok(a) => a,
        Err(bad) => {
            let (f, m) = bad[0].clone();
            return Err((AppError::field(f, m), bad));
        }
    };
    let schedules = store::schedules(&mut state.store.conn(), site)
        .await
        .map_err(|e| plain(e.into()))?;
    if let Some(s) = shifts::at(&schedules, &ctx.tz, a.occurred_at) {
        a.diversion_on = Some(s.diversion_on);
        a.schedule_version = Some(s.version);
    }
    a.logged_by = *auth.user.id.as_uuid();
    a.agency_id = *agency.id.as_uuid();
    let run = async {
        let mut tx = state.store.begin().await?;
        let id = match store::log_arrest(&mut tx.conn(), site, &a).await {
            Err(handoff_store::StoreError::Conflict(_)) => {
                return Err(AppError::BadRequest {
                    field: Some("incident_number".into()),
                    message: "this incident is already in the log".into(),
                });
            }
            r => r?,
        };
        let mut e = audit::event(auth, "eligible_arrest.create", Outcome::Allowed, actx);
        e.subject_ref = Some(format!("eligible_arrest:{id}"));
        e.categories = vec![handoff_domain::DataCategory::Demographics];
        audit::record_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    };
    let id = run.await.map_err(plain)?;
    Ok(Logged {
        id,
        diversion_on: a.diversion_on,
    })
}
