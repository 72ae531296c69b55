//! The one read path for participant data. Every page, API answer, search
//! result, export, agenda and notification that shows something about a
//! participant asks [`Guard::read`] (or [`Guard::assess`]) here; the guard
//! asks the domain's disclosure engine (`handoff_domain::disclosure`), loads
//! only the categories allowed, at the extent allowed, and audits the read
//! or the denial with its category. Nothing else decides who may see what.

use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::{SiteCtx, agency_of, viewer};
use crate::{AppState, now};
use handoff_domain::audit::Outcome;
use handoff_domain::disclosure::{self, Answer, Assessment, Extent, Subject};
use handoff_domain::participation::Participation;
use handoff_domain::release::Release;
use handoff_domain::site_time::SiteNow;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::casework::{self, Participant};
use handoff_store::orgs::Agency;
use handoff_store::{holds, referrals, releases, users};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

/// One category of one participant, as disclosed to the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryData {
    pub participant_id: Uuid,
    pub category: String,
    /// full | summary | limited_data_set
    #[schema(value_type = String)]
    pub extent: Extent,
    /// The content (an empty object or list when there is nothing in it).
    #[schema(value_type = Object)]
    pub data: Value,
    /// The 42 CFR Part 2 notice, on every disclosed `sud` item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redisclosure_notice: Option<&'static str>,
}

/// A participant the caller may see in at least one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisibleParticipant {
    pub id: Uuid,
    /// The categories the caller may read now.
    pub categories: Vec<String>,
    /// The name, where `identity` is disclosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Everything the engine needs about one participant.
pub struct Facts {
    pub participant: Participant,
    pub subject: Subject,
    pub releases: Vec<Release>,
}

pub async fn facts(state: &AppState, ctx: &SiteCtx, p: Participant) -> AppResult<Facts> {
    let mut c = state.store.conn();
    let (referred_by, hold_office) = match p.referral_id {
        Some(rid) => {
            let r = referrals::get(&mut c, p.site_id, rid).await?;
            let office = holds::for_referral(&mut c, p.site_id, rid)
                .await?
                .and_then(|h| h.prosecutor_agency_id);
            (Some(r.referred_by), office)
        }
        None => (None, None),
    };
    let releases = releases::for_participant(&mut c, p.site_id, p.id)
        .await?
        .into_iter()
        .map(|r| r.release)
        .collect();
    Ok(Facts {
        subject: Subject {
            site: p.site_id,
            case_management_agency: Some(p.agency_id),
            referred_by,
            hold_office,
            research_use_allowed: ctx.policy.policy.research_use_allowed,
        },
        participant: p,
        releases,
    })
}

/// The caller, ready to ask about participants.
pub struct Guard<'a> {
    state: &'a AppState,
    auth: &'a Auth,
    agency: Agency,
    ctx: SiteCtx,
    now: SiteNow,
}

impl<'a> Guard<'a> {
    pub async fn new(state: &'a AppState, auth: &'a Auth) -> AppResult<Guard<'a>> {
        let agency = agency_of(state, auth).await?;
        let ctx = SiteCtx::load(state, auth.user.site_id).await?;
        let now = ctx.tz.at(now());
        Ok(Guard {
            state,
            auth,
            agency,
            ctx,
            now,
        })
    }

    pub fn site(&self) -> &SiteCtx {
        &self.ctx
    }

    pub fn assess(&self, f: &Facts) -> Assessment {
        disclosure::assess(
            &viewer(self.auth, &self.agency),
            &f.subject,
            &f.releases,
            self.now,
        )
    }

    async fn audit(
        &self,
        actx: &Ctx,
        pid: ParticipantId,
        category: DataCategory,
        outcome: Outcome,
        action: &str,
    ) -> AppResult<()> {
        let mut e = audit::event(self.auth, action, outcome, actx);
        e.subject_participant_id = Some(pid);
        e.categories = vec![category];
        audit::record(self.state, e).await?;
        Ok(())
    }

    /// Reads one category of a participant: 200 with the data, 403 when the
    /// caller may know the participant exists but not this category, 404
    /// otherwise (a denied participant looks like a missing one). Audited
    /// either way.
    pub async fn read(
        &self,
        actx: &Ctx,
        pid: ParticipantId,
        category: DataCategory,
    ) -> AppResult<CategoryData> {
        let p = match casework::get_participant(
            &mut self.state.store.conn(),
            self.auth.user.site_id,
            pid,
        )
        .await
        {
            Ok(p) => p,
            Err(handoff_store::StoreError::NotFound) => {
                self.audit(actx, pid, category, Outcome::Denied, "participant.read")
                    .await?;
                return Err(AppError::NotFound);
            }
            Err(e) => return Err(e.into()),
        };
        let f = facts(self.state, &self.ctx, p).await?;
        match self.assess(&f).answer(category) {
            Answer::Allowed(d) => {
                let data = content(
                    self.state,
                    &self.ctx,
                    &f.participant,
                    category,
                    d.extent,
                    self.now,
                )
                .await?;
                self.audit(actx, pid, category, Outcome::Allowed, "participant.read")
                    .await?;
                Ok(CategoryData {
                    participant_id: *pid.as_uuid(),
                    category: category.as_str().to_string(),
                    extent: d.extent,
                    data,
                    redisclosure_notice: d.redisclosure_notice,
                })
            }
            Answer::Forbidden(_) => {
                self.audit(actx, pid, category, Outcome::Denied, "participant.read")
                    .await?;
                Err(AppError::Forbidden(
                    "the participant's release does not allow this category to you",
                ))
            }
            Answer::NotFound(_) => {
                self.audit(actx, pid, category, Outcome::Denied, "participant.read")
                    .await?;
                Err(AppError::NotFound)
            }
        }
    }

    /// The participants the caller may see in any category.
    pub async fn visible(&self, actx: &Ctx) -> AppResult<Vec<VisibleParticipant>> {
        let all = casework::list_participants(&mut self.state.store.conn(), self.auth.user.site_id)
            .await?;
        let mut out = Vec::new();
        for p in all {
            let f = facts(self.state, &self.ctx, p).await?;
            let a = self.assess(&f);
            if !a.may_know_exists() {
                continue;
            }
            let categories: Vec<String> =
                a.allowed().map(|(c, _)| c.as_str().to_string()).collect();
            let name = match a.answer(DataCategory::Identity) {
                Answer::Allowed(_) => {
                    let person = referrals::get_person(
                        &mut self.state.store.conn(),
                        f.participant.site_id,
                        f.participant.person_id,
                    )
                    .await?;
                    Some(format!("{} {}", person.first_name, person.last_name))
                }
                _ => None,
            };
            out.push(VisibleParticipant {
                id: *f.participant.id.as_uuid(),
                categories,
                name,
            });
        }
        let mut e = audit::event(self.auth, "participant.list", Outcome::Allowed, actx);
        e.categories = vec![DataCategory::Enrollment];
        audit::record(self.state, e).await?;
        Ok(out)
    }
}

/// Loads one category's content. The extent is applied here: the limited
/// data set drops direct identifiers and free text; the plan summary keeps
/// counts and statuses, not the participant's words.
pub async fn content(
    state: &AppState,
    ctx: &SiteCtx,
    p: &Participant,
    category: DataCategory,
    extent: Extent,
    now: SiteNow,
) -> AppResult<Value> {
    let mut c = state.store.conn();
    let lds = extent == Extent::LimitedDataSet;
    Ok(match category {
        DataCategory::Identity => {
            let person = referrals::get_person(&mut c, p.site_id, p.person_id).await?;
            json!({"first_name": person.first_name, "last_name": person.last_name, "aliases": person.aliases, "dob": person.dob})
        }
        DataCategory::Demographics => {
            let person = referrals::get_person(&mut c, p.site_id, p.person_id).await?;
            let birth_year = person
                .dob
                .as_deref()
                .and_then(|d| d.get(..4))
                .map(str::to_string);
            if lds {
                json!({"sex": person.sex, "race": person.race, "birth_year": birth_year, "approx_age": person.approx_age})
            } else {
                json!({"sex": person.sex, "race": person.race, "dob": person.dob, "approx_age": person.approx_age, "description": person.description})
            }
        }
        DataCategory::Enrollment => {
            let manager = match p.case_manager_id {
                Some(u) if !lds => users::get(&mut c, p.site_id, u)
                    .await
                    .ok()
                    .map(|u| u.display_name),
                _ => None,
            };
            let agency = handoff_store::orgs::get_agency(&mut c, p.site_id, p.agency_id).await?;
            json!({
                "participant": true,
                "enrolled": p.enrolled_at.is_some(),
                "enrolled_on": p.enrolled_at.map(|t| handoff_store::referrals::iso(ctx.tz.local_date(t))),
                "case_management_agency": agency.name,
                "case_manager": manager,
            })
        }
        DataCategory::Hold => match p.referral_id {
            Some(rid) => match holds::for_referral(&mut c, p.site_id, rid).await? {
                Some(h) => {
                    serde_json::to_value(crate::workflow::views::HoldView::of(&h.hold, None))
                        .unwrap_or(Value::Null)
                }
                None => json!({}),
            },
            None => json!({}),
        },
        DataCategory::Engagement => {
            let last = last_contact(state, p).await?;
            let enrolled_on = ctx.tz.local_date(p.enrolled_at.unwrap_or(p.intake_at));
            let participation = Participation::new(enrolled_on);
            let threshold = ctx.policy.policy.not_recently_engaged_days;
            let state_now =
                participation.state(last.map(|t| ctx.tz.local_date(t)), now.today(), threshold);
            json!({
                "state": state_now.as_str(),
                "label": state_now.label(),
                "last_contact_on": last.map(|t| handoff_store::referrals::iso(ctx.tz.local_date(t))),
                "days_since_contact": last.map(|t| (now.today() - ctx.tz.local_date(t)).whole_days()),
            })
        }
        DataCategory::Plan => {
            let intake = casework::intake_of(&mut c, p.site_id, p.id).await?;
            let goals = intake.map(|i| i.goals).unwrap_or_default();
            match extent {
                Extent::Full => json!({"goals": goals}),
                _ => json!({"goals": goals.len(), "has_plan": !goals.is_empty()}),
            }
        }
        DataCategory::Notes => {
            let intake = casework::intake_of(&mut c, p.site_id, p.id).await?;
            let triage = match p.referral_id {
                Some(rid) => casework::triage_of(&mut c, p.site_id, rid).await?,
                None => None,
            };
            json!({
                "intake": intake.as_ref().map(|i| &i.general),
                "living_situation": intake.as_ref().map(|i| &i.living_situation),
                "triage": triage,
            })
        }
        DataCategory::Health => casework::intake_of(&mut c, p.site_id, p.id)
            .await?
            .map(|i| i.health)
            .unwrap_or_else(|| json!({})),
        DataCategory::Sud => casework::intake_of(&mut c, p.site_id, p.id)
            .await?
            .map(|i| i.sud)
            .unwrap_or_else(|| json!({})),
        DataCategory::Justice => json!([]),
    })
}

/// The latest contact with a participant (intake counts as one).
pub async fn last_contact(
    _state: &AppState,
    p: &Participant,
) -> AppResult<Option<time::OffsetDateTime>> {
    Ok(Some(p.intake_at))
}
