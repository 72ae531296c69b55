//! Logging a contact in the field: when, how long, where, who, the services
//! delivered, and the free text split into pieces by category (`notes`,
//! `health`, `sud`). What the contact says about housing, work and income
//! feeds the month's status.

use super::{Employment, Place, Service, StaffRole, case_for_work, text};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::SiteCtx;
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::living::LivingSituation;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::contacts::{self, NewContact, Piece};
use handoff_store::monthly;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
use uuid::Uuid;

/// A piece of a contact's text and its data category.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PieceForm {
    /// `notes`, `health` (mental and physical health) or `sud` (substance
    /// use, 42 CFR Part 2).
    pub category: String,
    pub text: String,
}

/// `POST /api/v1/participants/{id}/contacts`. Only `place` is required.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContactForm {
    /// When it happened (RFC 3339, or `YYYY-MM-DDTHH:MM` in site time); now
    /// when omitted.
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// Minutes, 1 to 720; 15 when omitted.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 720)]
    pub duration_minutes: Option<i64>,
    /// street | shelter | office | phone | jail | hospital | court
    #[serde(default)]
    pub place: String,
    /// case_manager (default) | peer_outreach
    #[serde(default)]
    pub staff_role: Option<String>,
    /// Services delivered: harm_reduction_supplies, naloxone, transport,
    /// id_documents, benefits_application, housing_application,
    /// treatment_referral, court_support, food_clothing, other.
    #[serde(default)]
    pub services: Vec<String>,
    /// The free text, each piece with its category.
    #[serde(default)]
    pub pieces: Vec<PieceForm>,
    /// A HUD living situation (or unsheltered/sheltered/housed) seen now.
    #[serde(default)]
    pub living_situation: Option<String>,
    /// Where the participant is on the employment continuum now.
    #[serde(default)]
    pub employment: Option<String>,
    /// Whether the participant has income or benefits now.
    #[serde(default)]
    pub income_benefits: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCreated {
    pub id: Uuid,
    /// The categories the contact's text was filed under.
    pub categories: Vec<String>,
}

/// A parsed contact.
pub struct ParsedContact {
    pub occurred_at: OffsetDateTime,
    pub duration_minutes: i64,
    pub place: Place,
    pub staff_role: StaffRole,
    pub services: Vec<Service>,
    pub pieces: Vec<Piece>,
    pub living_situation: Option<LivingSituation>,
    pub employment: Option<Employment>,
    pub income_benefits: Option<bool>,
}

impl ContactForm {
    pub fn parse(&self, ctx: &SiteCtx, now: OffsetDateTime) -> AppResult<ParsedContact> {
        let occurred_at = match self.occurred_at.as_deref().map(str::trim) {
            None | Some("") => now,
            Some(s) => parse_when(s, ctx).ok_or_else(|| {
                AppError::field("occurred_at", "is not a date and time (YYYY-MM-DDTHH:MM)")
            })?,
        };
        if occurred_at > now + time::Duration::minutes(5) {
            return Err(AppError::field("occurred_at", "is in the future"));
        }
        let duration_minutes = self.duration_minutes.unwrap_or(15);
        if !(1..=720).contains(&duration_minutes) {
            return Err(AppError::field(
                "duration_minutes",
                "must be between 1 and 720 minutes",
            ));
        }
        let place = Place::parse(&self.place, "place")?;
        let staff_role = match self.staff_role.as_deref() {
            None | Some("") => StaffRole::CaseManager,
            Some(s) => StaffRole::parse(s, "staff_role")?,
        };
        let mut services = Vec::new();
        for (i, s) in self.services.iter().enumerate() {
            let s = Service::parse(s, &format!("services[{i}]"))?;
            if !services.contains(&s) {
                services.push(s);
            }
        }
        let mut pieces = Vec::new();
        for (i, p) in self.pieces.iter().enumerate() {
            let category = match p.category.trim() {
                "notes" => DataCategory::Notes,
                "health" => DataCategory::Health,
                "sud" => DataCategory::Sud,
                _ => {
                    return Err(AppError::field(
                        format!("pieces[{i}].category"),
                        "must be notes, health or sud",
                    ));
                }
            };
            if let Some(body) = text(Some(&p.text), &format!("pieces[{i}].text"), 4000)? {
                pieces.push(Piece { category, body });
            }
        }
        let living_situation = match self.living_situation.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(s.parse::<LivingSituation>().map_err(
                |e: handoff_domain::ParseError| AppError::field("living_situation", e.message),
            )?),
        };
        let employment = match self.employment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(Employment::parse(s, "employment")?),
        };
        Ok(ParsedContact {
            occurred_at,
            duration_minutes,
            place,
            staff_role,
            services,
            pieces,
            living_situation,
            employment,
            income_benefits: self.income_benefits,
        })
    }
}

/// RFC 3339, or a local `YYYY-MM-DDTHH:MM` (what a phone's
/// `datetime-local` input sends) in the site's time zone.
fn parse_when(s: &str, ctx: &SiteCtx) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let (d, hm) = s.split_once('T')?;
    let date = super::parse_date(d, "occurred_at").ok()?;
    let (h, m) = hm.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    let midnight = ctx.tz.start_of_day(date).ok()?;
    let guess = midnight + time::Duration::hours(h.into()) + time::Duration::minutes(m.into());
    // Correct for a daylight-saving change between midnight and then.
    let off = ctx.tz.at(guess).instant().offset();
    let local = time::PrimitiveDateTime::new(date, time::Time::from_hms(h, m, 0).ok()?);
    let at = local.assume_offset(off);
    Some(if ctx.tz.local_date(at) == date {
        at
    } else {
        guess
    })
}

/// `YYYY-MM` of an instant in site time.
pub fn month_of(ctx: &SiteCtx, at: OffsetDateTime) -> String {
    let d = ctx.tz.local_date(at);
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

/// Logs a contact; the participant's last contact moves forward. Audited in
/// the same transaction, with the categories it wrote.
pub async fn log(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: ContactForm,
) -> AppResult<ContactCreated> {
    let p = case_for_work(state, auth, actx, pid, "contact.create").await?;
    let ctx = SiteCtx::load(state, p.site_id).await?;
    let t = now();
    let c = form.parse(&ctx, t)?;
    let mut tx = state.store.begin().await?;
    let id = contacts::create(
        &mut tx.conn(),
        NewContact {
            site: p.site_id,
            participant: p.id,
            occurred_at: c.occurred_at,
            duration_minutes: c.duration_minutes,
            place: c.place,
            staff_role: c.staff_role,
            services: &c.services,
            pieces: &c.pieces,
            by: auth.user.id,
            at: t,
        },
    )
    .await?;
    if c.living_situation.is_some() || c.employment.is_some() || c.income_benefits.is_some() {
        let month = month_of(&ctx, c.occurred_at);
        monthly::upsert(
            &mut tx.conn(),
            monthly::Upsert {
                site: p.site_id,
                participant: p.id,
                month: &month,
                living_situation: c.living_situation.map(|l| l.as_str()),
                housing: c.living_situation.map(|l| l.collapse().as_str()),
                employment: c.employment.map(|e| e.as_str()),
                income_benefits: c.income_benefits,
                source: "contact",
                by: Some(auth.user.id),
                at: t,
            },
        )
        .await?;
    }
    let mut categories = vec![DataCategory::Engagement];
    for piece in &c.pieces {
        if !categories.contains(&piece.category) {
            categories.push(piece.category);
        }
    }
    let mut e = audit::event(auth, "contact.create", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("contact:{id}"));
    e.categories = categories.clone();
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(ContactCreated {
        id: *id.as_uuid(),
        categories: categories.iter().map(|c| c.as_str().to_string()).collect(),
    })
}
