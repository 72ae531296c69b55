//! What the guard hands out: one typed view per data category, built from
//! the store's readers under a [`Grant`]. The extent is applied here — the
//! limited data set drops direct identifiers and free text; the plan
//! summary keeps counts and statuses, not the participant's words — so a
//! view can only hold what its grant allows.
//!
//! The JSON of each view is the `data` of `GET /api/v1/participants/{id}/{category}`.

use crate::casework::profile::ProfileForm;
use crate::casework::status::MonthView;
use crate::disclosure::engagement;
use crate::error::AppResult;
use crate::workflow::SiteCtx;
use crate::workflow::views::HoldView;
use crate::{AppState, justice_view};
use handoff_domain::DataCategory;
use handoff_domain::casework::{GoalStatus, Place, ReferralOutcome, Service, StaffRole};
use handoff_domain::disclosure::Extent;
use handoff_domain::site_time::SiteNow;
use handoff_store::access::Grant;
use handoff_store::casework::{self, Participant};
use handoff_store::{contacts, goals, holds, referrals, users};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// One category of one participant, typed by category and extent.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CategoryView {
    Identity(IdentityView),
    Demographics(DemographicsView),
    DemographicsLimited(DemographicsLimitedView),
    Enrollment(EnrollmentView),
    Hold(Box<HoldView>),
    /// No hold on the participant's case (an empty object).
    NoHold(Empty),
    Engagement(EngagementView),
    Plan(PlanView),
    PlanSummary(PlanSummaryView),
    Notes(NotesView),
    NotesLimited(NotesLimitedView),
    /// `health` or `sud`.
    Clinical(ClinicalView),
    Justice(Vec<justice_view::RecordView>),
}

/// An empty JSON object.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Empty {}

/// `identity`: the name and date of birth recorded at referral, and the
/// profile kept since.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentityView {
    pub first_name: String,
    pub last_name: String,
    pub aliases: Vec<String>,
    pub dob: Option<String>,
    pub profile: ProfileForm,
}

impl IdentityView {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// `demographics` in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemographicsView {
    pub sex: String,
    pub race: String,
    pub dob: Option<String>,
    pub approx_age: Option<i64>,
    pub description: Option<String>,
}

/// `demographics` in the limited data set: the birth year, no date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DemographicsLimitedView {
    pub sex: String,
    pub race: String,
    pub birth_year: Option<String>,
    pub approx_age: Option<i64>,
}

/// `enrollment`: that the person is a participant, where and with whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnrollmentView {
    pub participant: bool,
    pub enrolled: bool,
    pub enrolled_on: Option<String>,
    pub case_management_agency: String,
    pub case_management_agency_id: Uuid,
    /// Not in the limited data set.
    pub case_manager: Option<String>,
}

/// `engagement`: the participation state and the last contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EngagementView {
    /// engaged | not_recently_engaged | closed
    pub state: String,
    pub label: String,
    pub last_contact_on: Option<String>,
    pub days_since_contact: Option<i64>,
}

/// `plan` in full: the participant's words, goals and service referrals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    /// The words said at intake first, then the goals set since.
    pub goals: Vec<String>,
    pub goal_details: Vec<GoalView>,
    pub service_referrals: Vec<ServiceReferralView>,
}

impl PlanView {
    /// The goals said at intake (before any goal was set on the record).
    pub fn intake_goals(&self) -> &[String] {
        let n = self.goals.len().saturating_sub(self.goal_details.len());
        &self.goals[..n]
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: Uuid,
    pub words: String,
    #[schema(value_type = String)]
    pub status: GoalStatus,
    pub steps: Vec<StepView>,
    pub set_on: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepView {
    pub text: String,
    pub done: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceReferralView {
    pub id: Uuid,
    pub goal_id: Option<Uuid>,
    pub provider: String,
    pub service: String,
    pub referred_on: String,
    #[schema(value_type = String)]
    pub outcome: ReferralOutcome,
}

/// `plan` as a summary: counts and statuses only, not the participant's words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSummaryView {
    pub goals: usize,
    pub has_plan: bool,
    pub goal_statuses: BTreeMap<String, u64>,
    pub service_referrals: usize,
    pub referral_outcomes: BTreeMap<String, u64>,
}

/// One logged contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    pub on: String,
    pub duration_minutes: i64,
    #[schema(value_type = String)]
    pub place: Place,
    #[schema(value_type = String)]
    pub staff_role: StaffRole,
    #[schema(value_type = Vec<String>)]
    pub services: Vec<Service>,
    /// The contact's `notes` pieces; not in the limited data set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    /// Who wrote the contact (the staff member's name).
    pub author: Option<String>,
    pub author_id: Uuid,
    /// The version shown: 1 as written, 2 and on after corrections.
    pub version: i64,
    /// Every version, oldest first, when the contact was corrected (the
    /// original is never overwritten).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ContactVersionView>,
}

/// One version of a corrected contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactVersionView {
    pub version: i64,
    pub duration_minutes: i64,
    #[schema(value_type = String)]
    pub place: Place,
    #[schema(value_type = Vec<String>)]
    pub services: Vec<Service>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    /// Why it was corrected (none for the original).
    pub reason: Option<String>,
    pub by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// `notes` in full: intake, triage, contacts and the monthly status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotesView {
    /// The intake's general answers (housing detail, income, obligations).
    #[schema(value_type = Object)]
    pub intake: Option<Value>,
    pub living_situation: Option<String>,
    /// The triage answers at arrival.
    #[schema(value_type = Object)]
    pub triage: Option<Value>,
    pub contacts: Vec<ContactView>,
    pub monthly: Vec<MonthView>,
}

/// `notes` in the limited data set: contacts without their words, and the
/// monthly status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotesLimitedView {
    pub contacts: Vec<ContactView>,
    pub monthly: Vec<MonthView>,
}

/// A piece of a contact tagged `health` or `sud`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PieceView {
    pub contact_id: Uuid,
    pub on: String,
    pub text: String,
}

/// `health` or `sud`: the intake's answers and the tagged pieces of contacts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClinicalView {
    /// The intake's answers in this category, as recorded.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub intake: Map<String, Value>,
    pub contacts: Vec<PieceView>,
}

impl CategoryView {
    /// Loads one category's content under its grant.
    pub async fn load(
        state: &AppState,
        ctx: &SiteCtx,
        p: &Participant,
        g: &Grant,
        now: SiteNow,
    ) -> AppResult<CategoryView> {
        let lds = g.extent() == Extent::LimitedDataSet;
        let mut c = state.store.conn();
        let on = |t: OffsetDateTime| referrals::iso(ctx.tz.local_date(t));
        Ok(match g.category() {
            DataCategory::Identity => {
                let person = referrals::identity(&mut c, g).await?;
                let profile = handoff_store::profile::get(&mut c, g)
                    .await?
                    .and_then(|v| serde_json::from_value(v).ok())
                    .unwrap_or_default();
                CategoryView::Identity(IdentityView {
                    first_name: person.first_name,
                    last_name: person.last_name,
                    aliases: person.aliases,
                    dob: person.dob,
                    profile,
                })
            }
            DataCategory::Demographics => {
                let person = referrals::demographics(&mut c, g).await?;
                if lds {
                    CategoryView::DemographicsLimited(DemographicsLimitedView {
                        birth_year: person
                            .dob
                            .as_deref()
                            .and_then(|d| d.get(..4))
                            .map(str::to_string),
                        sex: person.sex,
                        race: person.race,
                        approx_age: person.approx_age,
                    })
                } else {
                    CategoryView::Demographics(DemographicsView {
                        sex: person.sex,
                        race: person.race,
                        dob: person.dob,
                        approx_age: person.approx_age,
                        description: person.description,
                    })
                }
            }
            DataCategory::Enrollment => {
                let case_manager = match p.case_manager_id {
                    Some(u) if !lds => users::get(&mut c, p.site_id, u)
                        .await
                        .ok()
                        .map(|u| u.display_name),
                    _ => None,
                };
                let agency =
                    handoff_store::orgs::get_agency(&mut c, p.site_id, p.agency_id).await?;
                CategoryView::Enrollment(EnrollmentView {
                    participant: true,
                    enrolled: p.enrolled_at.is_some(),
                    enrolled_on: p.enrolled_at.map(on),
                    case_management_agency: agency.name,
                    case_management_agency_id: *agency.id.as_uuid(),
                    case_manager,
                })
            }
            DataCategory::Hold => {
                let hold = match p.referral_id {
                    Some(rid) => holds::for_referral(&mut c, p.site_id, rid).await?,
                    None => None,
                };
                match hold {
                    Some(h) => CategoryView::Hold(Box::new(HoldView::of(&h.hold, None))),
                    None => CategoryView::NoHold(Empty {}),
                }
            }
            DataCategory::Engagement => {
                let (state_now, last) = engagement(state, ctx, p, now).await?;
                CategoryView::Engagement(EngagementView {
                    state: state_now.as_str().to_string(),
                    label: state_now.label().to_string(),
                    last_contact_on: last.map(on),
                    days_since_contact: last
                        .map(|t| (now.today() - ctx.tz.local_date(t)).whole_days()),
                })
            }
            DataCategory::Plan => {
                let intake = casework::intake_of(&mut c, g).await?;
                let rows = goals::for_participant(&mut c, g).await?;
                let services = goals::service_referrals(&mut c, g).await?;
                let mut words = intake.map(|i| i.goals).unwrap_or_default();
                words.extend(rows.iter().map(|g| g.words.clone()));
                if g.extent() == Extent::Full {
                    CategoryView::Plan(PlanView {
                        goals: words,
                        goal_details: rows
                            .iter()
                            .map(|g| GoalView {
                                id: *g.id.as_uuid(),
                                words: g.words.clone(),
                                status: g.status,
                                steps: g
                                    .steps
                                    .iter()
                                    .map(|s| StepView {
                                        text: s.text.clone(),
                                        done: s.done,
                                    })
                                    .collect(),
                                set_on: on(g.created_at),
                            })
                            .collect(),
                        service_referrals: services
                            .into_iter()
                            .map(|r| ServiceReferralView {
                                id: *r.id.as_uuid(),
                                goal_id: r.goal_id.map(|g| *g.as_uuid()),
                                provider: r.provider,
                                service: r.service,
                                referred_on: r.referred_on,
                                outcome: r.outcome,
                            })
                            .collect(),
                    })
                } else {
                    CategoryView::PlanSummary(PlanSummaryView {
                        goals: words.len(),
                        has_plan: !words.is_empty(),
                        goal_statuses: tally(rows.iter().map(|g| g.status.as_str())),
                        service_referrals: services.len(),
                        referral_outcomes: tally(services.iter().map(|r| r.outcome.as_str())),
                    })
                }
            }
            DataCategory::Notes => {
                let list = contacts::for_participant(&mut c, g).await?;
                let pieces = if lds {
                    Vec::new()
                } else {
                    contacts::pieces(&mut c, g).await?
                };
                let versions = contacts::versions(&mut c, g).await?;
                let names: BTreeMap<Uuid, String> = users::list(&mut c, p.site_id)
                    .await?
                    .into_iter()
                    .map(|u| (*u.id.as_uuid(), u.display_name))
                    .collect();
                let name = |u: handoff_domain::UserId| names.get(u.as_uuid()).cloned();
                let contacts = list
                    .into_iter()
                    .map(|k| {
                        let notes: Option<Vec<String>> = (!lds).then(|| {
                            pieces
                                .iter()
                                .filter(|(cid, _, _)| *cid == k.id)
                                .map(|(_, _, body)| body.clone())
                                .collect()
                        });
                        let mut history = Vec::new();
                        let mine: Vec<_> =
                            versions.iter().filter(|v| v.contact_id == k.id).collect();
                        let mut shown = (
                            k.duration_minutes,
                            k.place,
                            k.services.clone(),
                            notes.clone(),
                            1,
                        );
                        if !mine.is_empty() {
                            history.push(ContactVersionView {
                                version: 1,
                                duration_minutes: k.duration_minutes,
                                place: k.place,
                                services: k.services.clone(),
                                notes: notes.clone(),
                                reason: None,
                                by: name(k.created_by),
                                at: k.occurred_at,
                            });
                        }
                        for v in mine {
                            // A version without a note keeps the note before it.
                            let n = match (&v.note, lds) {
                                (_, true) => None,
                                (Some(t), false) => Some(vec![t.clone()]),
                                (None, false) => shown.3.clone(),
                            };
                            shown = (
                                v.duration_minutes,
                                v.place,
                                v.services.clone(),
                                n.clone(),
                                v.version,
                            );
                            history.push(ContactVersionView {
                                version: v.version,
                                duration_minutes: v.duration_minutes,
                                place: v.place,
                                services: v.services.clone(),
                                notes: n,
                                reason: Some(v.reason.clone()),
                                by: name(v.created_by),
                                at: v.created_at,
                            });
                        }
                        ContactView {
                            id: *k.id.as_uuid(),
                            occurred_at: k.occurred_at,
                            on: on(k.occurred_at),
                            duration_minutes: shown.0,
                            notes: shown.3,
                            place: shown.1,
                            staff_role: k.staff_role,
                            services: shown.2,
                            author: name(k.created_by),
                            author_id: *k.created_by.as_uuid(),
                            version: shown.4,
                            history,
                        }
                    })
                    .collect();
                let intake = if lds {
                    None
                } else {
                    casework::intake_of(&mut c, g).await?
                };
                let triage = if lds {
                    None
                } else {
                    casework::triage_of(&mut c, g).await?
                };
                let monthly =
                    crate::casework::status::series(state, ctx, p, g, now.today()).await?;
                if lds {
                    CategoryView::NotesLimited(NotesLimitedView { contacts, monthly })
                } else {
                    CategoryView::Notes(NotesView {
                        living_situation: intake.as_ref().map(|i| i.living_situation.clone()),
                        intake: intake.map(|i| i.general),
                        triage,
                        contacts,
                        monthly,
                    })
                }
            }
            category @ (DataCategory::Health | DataCategory::Sud) => {
                let answers = casework::intake_of(&mut c, g).await?.map(|i| {
                    if category == DataCategory::Health {
                        i.health
                    } else {
                        i.sud
                    }
                });
                let intake = match answers {
                    Some(Value::Object(m)) => m,
                    Some(other) => Map::from_iter([("intake".to_string(), other)]),
                    None => Map::new(),
                };
                let contacts = contacts::pieces(&mut c, g)
                    .await?
                    .into_iter()
                    .map(|(id, at, text)| PieceView {
                        contact_id: *id.as_uuid(),
                        on: on(at),
                        text,
                    })
                    .collect();
                CategoryView::Clinical(ClinicalView { intake, contacts })
            }
            // Linked arrests, charges, bookings and prison admissions; the
            // limited data set keeps dates and charge categories only.
            DataCategory::Justice => CategoryView::Justice(
                handoff_store::justice::for_participant(&mut c, g)
                    .await?
                    .iter()
                    .map(|r| justice_view::record(r, lds))
                    .collect(),
            ),
        })
    }
}

/// How many of each value.
fn tally(values: impl Iterator<Item = &'static str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for v in values {
        *out.entry(v.to_string()).or_insert(0) += 1;
    }
    out
}
