//! The monthly status (housing collapsed to housed / sheltered /
//! unsheltered, the employment continuum, income or benefits) and the
//! participation state: closing a case for one of the participant's
//! reasons, and reopening it at any time. Nothing here can mark a
//! participant as failed or non-compliant.

use super::contacts::month_of;
use super::{Employment, case_for_work, parse_date, participation_of, text};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::SiteCtx;
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::living::{HousingStatus, LivingSituation};
use handoff_domain::participation::{ClosureReason, ParticipationEvent};
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::casework::{self, Participant};
use handoff_store::{monthly, participation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One participant-month as the evaluation reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthView {
    /// `YYYY-MM`.
    pub month: String,
    pub living_situation: Option<String>,
    /// housed | sheltered | unsheltered | institution | unknown
    pub housing: Option<String>,
    pub employment: Option<String>,
    pub income_benefits: Option<bool>,
    /// 1 only for permanent housing; empty when unknown.
    pub housed: Option<u8>,
    pub employed: Option<u8>,
    /// intake | contact | explicit | carried (from the month before)
    pub source: String,
}

fn next_month(y: i32, m: u8) -> (i32, u8) {
    if m == 12 { (y + 1, 1) } else { (y, m + 1) }
}

/// The participant's months from enrolment to this month: what intake
/// recorded, what contacts saw, explicit updates (which win), and otherwise
/// the month before carried forward.
pub async fn series(
    state: &AppState,
    ctx: &SiteCtx,
    p: &Participant,
    g: &handoff_store::access::Grant,
    today: time::Date,
) -> AppResult<Vec<MonthView>> {
    let mut c = state.store.conn();
    let rows = monthly::for_participant(&mut c, g).await?;
    let intake = casework::intake_of(&mut c, g).await?;
    let start = ctx.tz.local_date(p.enrolled_at.unwrap_or(p.intake_at));
    let mut cur = MonthView {
        month: String::new(),
        living_situation: None,
        housing: None,
        employment: None,
        income_benefits: None,
        housed: None,
        employed: None,
        source: "intake".into(),
    };
    if let Some(i) = &intake {
        let living = i.living_situation.parse::<LivingSituation>().ok();
        cur.living_situation = living.map(|l| l.as_str().to_string());
        cur.housing = living.map(|l| l.collapse().as_str().to_string());
        cur.employment = i.general["employment"]
            .as_str()
            .and_then(Employment::from_intake)
            .map(|e| e.as_str().to_string());
        let income = i.general["monthly_income"]
            .as_f64()
            .is_some_and(|x| x > 0.0);
        let benefits = i.general["benefits"]
            .as_array()
            .is_some_and(|b| !b.is_empty());
        cur.income_benefits = Some(income || benefits);
    }
    let (mut y, mut m) = (start.year(), u8::from(start.month()));
    let end = (today.year(), u8::from(today.month()));
    let mut out = Vec::new();
    // Months before enrolment recorded explicitly (the intake interview's
    // account of the year before referral), as recorded, never carried:
    // the evaluation's "before" months.
    let first_key = format!("{y:04}-{m:02}");
    for r in rows
        .iter()
        .filter(|r| r.source == "explicit" && r.month < first_key)
    {
        let mut v = MonthView {
            month: r.month.clone(),
            living_situation: r.living_situation.clone(),
            housing: r.housing.clone(),
            employment: r.employment.clone(),
            income_benefits: r.income_benefits,
            housed: None,
            employed: None,
            source: r.source.clone(),
        };
        flags(&mut v);
        out.push(v);
    }
    let mut first = true;
    while (y, m) <= end && out.len() < 600 {
        let key = format!("{y:04}-{m:02}");
        cur.month = key.clone();
        cur.source = if first {
            "intake".into()
        } else {
            "carried".into()
        };
        if let Some(r) = rows.iter().find(|r| r.month == key) {
            if r.source == "explicit" {
                cur.living_situation = r.living_situation.clone();
                cur.housing = r.housing.clone();
                cur.employment = r.employment.clone();
                cur.income_benefits = r.income_benefits;
            } else {
                if r.living_situation.is_some() {
                    cur.living_situation = r.living_situation.clone();
                    cur.housing = r.housing.clone();
                }
                if r.employment.is_some() {
                    cur.employment = r.employment.clone();
                }
                if r.income_benefits.is_some() {
                    cur.income_benefits = r.income_benefits;
                }
            }
            cur.source = r.source.clone();
        }
        flags(&mut cur);
        out.push(cur.clone());
        first = false;
        (y, m) = next_month(y, m);
    }
    Ok(out)
}

/// The month's housed and employed flags, from its housing and employment.
fn flags(v: &mut MonthView) {
    v.housed = v
        .housing
        .as_deref()
        .and_then(|h| h.parse::<HousingStatus>().ok())
        .filter(|h| *h != HousingStatus::Unknown)
        .map(|h| u8::from(h == HousingStatus::Housed));
    v.employed = v
        .employment
        .as_deref()
        .and_then(|e| Employment::parse(e, "employment").ok())
        .map(|e| u8::from(e.employed()));
}

/// `PUT /api/v1/participants/{id}/monthly/{YYYY-MM}`: an explicit update of
/// the month, which contacts never overwrite.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MonthForm {
    /// A HUD living situation or unsheltered / sheltered / housed.
    #[serde(default)]
    pub living_situation: Option<String>,
    #[serde(default)]
    pub employment: Option<String>,
    #[serde(default)]
    pub income_benefits: Option<bool>,
}

pub fn parse_month(s: &str) -> AppResult<String> {
    let ok = s.len() == 7
        && s.as_bytes()[4] == b'-'
        && s[..4]
            .parse::<u16>()
            .is_ok_and(|y| (1990..=2200).contains(&y))
        && s[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::field("month", "is not a month (YYYY-MM)"))
    }
}

pub async fn put_month(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    month: &str,
    form: MonthForm,
) -> AppResult<()> {
    let month = parse_month(month)?;
    let living = match form.living_situation.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(s.parse::<LivingSituation>().map_err(
            |e: handoff_domain::ParseError| AppError::field("living_situation", e.message),
        )?),
    };
    let employment = match form.employment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(Employment::parse(s, "employment")?),
    };
    let p = case_for_work(state, auth, actx, pid, "monthly.update").await?;
    let ctx = SiteCtx::load(state, p.site_id).await?;
    let t = now();
    if month > month_of(&ctx, t) {
        return Err(AppError::field("month", "is in the future"));
    }
    let mut tx = state.store.begin().await?;
    monthly::upsert(
        &mut tx.conn(),
        monthly::Upsert {
            site: p.site_id,
            participant: p.id,
            month: &month,
            living_situation: living.map(|l| l.as_str()),
            housing: living.map(|l| l.collapse().as_str()),
            employment: employment.map(|e| e.as_str()),
            income_benefits: form.income_benefits,
            source: "explicit",
            by: Some(auth.user.id),
            at: t,
        },
    )
    .await?;
    let mut e = audit::event(auth, "monthly.update", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("month:{month}"));
    e.categories = vec![DataCategory::Notes];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Closing a case: one of the participant's reasons, never conduct.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CloseForm {
    /// participant_choice | moved_away | deceased | long_incarceration | other
    #[serde(default)]
    pub reason: String,
    /// `YYYY-MM-DD`; today when omitted.
    #[serde(default)]
    pub on: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ReopenForm {
    /// `YYYY-MM-DD`; today when omitted.
    #[serde(default)]
    pub on: Option<String>,
}

/// The participation as the API shows it after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipationView {
    /// engaged | not_recently_engaged | closed
    pub state: String,
    pub label: String,
    #[schema(value_type = Object)]
    pub participation: serde_json::Value,
}

async fn change(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    action: &str,
    make: impl FnOnce(time::Date) -> AppResult<ParticipationEvent>,
    on: Option<&str>,
) -> AppResult<ParticipationView> {
    let p = case_for_work(state, auth, actx, pid, action).await?;
    let ctx = SiteCtx::load(state, p.site_id).await?;
    let t = now();
    let today = ctx.tz.local_date(t);
    let on = match on.map(str::trim) {
        None | Some("") => today,
        Some(s) => parse_date(s, "on")?,
    };
    if on > today {
        return Err(AppError::field("on", "is in the future"));
    }
    let event = make(on)?;
    let mut case = participation_of(state, &ctx, &p).await?;
    case.apply(event.clone())
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let mut tx = state.store.begin().await?;
    participation::append(&mut tx.conn(), p.site_id, p.id, &event, auth.user.id, t).await?;
    let mut e = audit::event(auth, action, Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.categories = vec![DataCategory::Enrollment, DataCategory::Engagement];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    let last = participation::last_contact(&mut state.store.conn(), p.site_id, p.id)
        .await?
        .map_or(p.intake_at, |l| l.max(p.intake_at));
    let s = super::state_of(&ctx, &case, Some(last), today);
    Ok(ParticipationView {
        state: s.as_str().to_string(),
        label: s.label().to_string(),
        participation: serde_json::to_value(&case).unwrap_or_default(),
    })
}

pub async fn close(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: CloseForm,
) -> AppResult<ParticipationView> {
    let reason: ClosureReason = form
        .reason
        .trim()
        .parse()
        .map_err(|e: handoff_domain::ParseError| AppError::field("reason", e.message))?;
    let note = text(form.note.as_deref(), "note", 1000)?.unwrap_or_default();
    change(
        state,
        auth,
        actx,
        pid,
        "participation.close",
        |on| Ok(ParticipationEvent::Closed { reason, on, note }),
        form.on.as_deref(),
    )
    .await
}

pub async fn reopen(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: ReopenForm,
) -> AppResult<ParticipationView> {
    change(
        state,
        auth,
        actx,
        pid,
        "participation.reopen",
        |on| Ok(ParticipationEvent::Reopened { on }),
        form.on.as_deref(),
    )
    .await
}
