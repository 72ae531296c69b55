//! The one read path for participant data. Every page, API answer, search
//! result, export, agenda and notification that shows something about a
//! participant asks [`Guard::read`] (or [`Guard::assess`]) here; the guard
//! asks the domain's disclosure engine (`handoff_domain::disclosure`), loads
//! only the categories allowed, at the extent allowed, and audits the read
//! or the denial with its category. Nothing else decides who may see what.

use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::views::{CategoryView, ClinicalView, EngagementView, EnrollmentView, IdentityView};
use crate::workflow::{SiteCtx, agency_of, viewer};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::disclosure::{self, Answer, Assessment, Extent};
use handoff_domain::participation::{Participation, ParticipationState};
use handoff_domain::site_time::SiteNow;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::casework::{self, Participant};
use handoff_store::orgs::Agency;
use handoff_store::{referrals, users};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One category of one participant, as disclosed to the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryData {
    pub participant_id: Uuid,
    #[schema(value_type = String)]
    pub category: DataCategory,
    /// full | summary | limited_data_set
    #[schema(value_type = String)]
    pub extent: Extent,
    /// The content, typed by category and extent (an empty object or list
    /// when there is nothing in it).
    #[schema(value_type = Value)]
    pub data: CategoryView,
    /// The 42 CFR Part 2 notice, on every disclosed `sud` item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redisclosure_notice: Option<&'static str>,
}

/// The categories of one participant read in one request.
#[derive(Debug)]
pub struct Reading {
    pub participant_id: Uuid,
    /// The categories read, in the order asked.
    pub shown: Vec<CategoryData>,
    /// Categories allowed only by pseudonym, in the evaluation export.
    pub research_only: Vec<DataCategory>,
    /// The case-management agency that serves the participant (the one
    /// whose release shared what the caller reads).
    pub case_management_agency: Option<handoff_domain::AgencyId>,
}

impl Reading {
    /// The categories read.
    pub fn categories(&self) -> impl Iterator<Item = DataCategory> + '_ {
        self.shown.iter().map(|d| d.category)
    }

    fn view(&self, c: DataCategory) -> Option<&CategoryData> {
        self.shown.iter().find(|d| d.category == c)
    }

    pub fn identity(&self) -> Option<&IdentityView> {
        match self.view(DataCategory::Identity).map(|d| &d.data) {
            Some(CategoryView::Identity(v)) => Some(v),
            _ => None,
        }
    }

    pub fn enrollment(&self) -> Option<&EnrollmentView> {
        match self.view(DataCategory::Enrollment).map(|d| &d.data) {
            Some(CategoryView::Enrollment(v)) => Some(v),
            _ => None,
        }
    }

    pub fn engagement(&self) -> Option<&EngagementView> {
        match self.view(DataCategory::Engagement).map(|d| &d.data) {
            Some(CategoryView::Engagement(v)) => Some(v),
            _ => None,
        }
    }

    /// The plan, in full or as a summary.
    pub fn plan(&self) -> Option<&CategoryView> {
        self.view(DataCategory::Plan).map(|d| &d.data)
    }

    /// The notes, in full or in the limited data set.
    pub fn notes(&self) -> Option<&CategoryView> {
        self.view(DataCategory::Notes).map(|d| &d.data)
    }

    /// `health` or `sud`, with the Part 2 notice where it applies.
    pub fn clinical(&self, c: DataCategory) -> Option<(&ClinicalView, Option<&'static str>)> {
        let d = self.view(c)?;
        match &d.data {
            CategoryView::Clinical(v) => Some((v, d.redisclosure_notice)),
            _ => None,
        }
    }
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

/// One participant on a list (caseloads, search): each field only where
/// the guard allows its category to the caller, otherwise empty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantSummary {
    pub id: Uuid,
    /// `identity`.
    pub name: Option<String>,
    /// `identity`.
    pub aliases: Vec<String>,
    /// `identity`.
    pub dob: Option<String>,
    /// `enrollment`.
    pub case_manager: Option<String>,
    /// `enrollment`.
    pub case_manager_id: Option<Uuid>,
    /// `engagement`: engaged | not_recently_engaged | closed.
    pub state: Option<String>,
    /// `engagement`.
    pub last_contact_on: Option<String>,
    /// `engagement`.
    pub days_since_contact: Option<i64>,
}

/// Everything the engine needs about one participant, loaded by the store
/// (its fields are private: no caller can make facts up).
pub use handoff_store::access::Facts;
use handoff_store::access::{self, Access, Grant};

pub async fn facts(state: &AppState, ctx: &SiteCtx, p: Participant) -> AppResult<Facts> {
    Ok(access::facts(&mut state.store.conn(), p, crate::research::allowed(ctx)).await?)
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

    /// The caller's organisation.
    pub fn agency(&self) -> &Agency {
        &self.agency
    }

    /// Refuses a caller the rules table does not allow `rule`: 403 with
    /// `refusal`, audited as `action` denied for `categories`.
    pub async fn require(
        &self,
        actx: &Ctx,
        rule: handoff_domain::rules::Action,
        action: &str,
        categories: Vec<DataCategory>,
        refusal: &'static str,
    ) -> AppResult<()> {
        if crate::workflow::may(self.auth, &self.agency, rule) {
            return Ok(());
        }
        let mut e = audit::event(self.auth, action, Outcome::Denied, actx);
        e.categories = categories;
        audit::record(self.state, e).await?;
        Err(AppError::Forbidden(refusal))
    }

    /// Now, in the site's time zone.
    pub fn now(&self) -> SiteNow {
        self.now
    }

    pub fn assess(&self, f: &Facts) -> Assessment {
        disclosure::assess(
            &viewer(self.auth, &self.agency),
            f.subject(),
            f.releases(),
            self.now,
        )
    }

    /// The engine's answers with the grants they allow: the only way to the
    /// store's readers of case content.
    pub fn access(&self, f: Facts) -> Access {
        access::assess(&viewer(self.auth, &self.agency), f, self.now)
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
        let mut reading = self.read_all(actx, pid, &[category]).await?;
        match reading.shown.pop() {
            Some(d) => Ok(d),
            None if reading.research_only.contains(&category) => {
                Err(AppError::Forbidden(crate::research::EXPORT_ONLY))
            }
            None => Err(AppError::Forbidden(
                "The participant's release of information does not share this with your organisation.",
            )),
        }
    }

    /// Reads the categories of a participant the caller may see among
    /// `wanted`: one load of the facts, one assessment, and one audit entry
    /// naming every category read (and one naming those refused, if any).
    /// A participant the caller may not know exists is "not found".
    pub async fn read_all(
        &self,
        actx: &Ctx,
        pid: ParticipantId,
        wanted: &[DataCategory],
    ) -> AppResult<Reading> {
        let denied = |categories: Vec<DataCategory>| async move {
            let mut e = audit::event(self.auth, "participant.read", Outcome::Denied, actx);
            e.subject_participant_id = Some(pid);
            e.categories = categories;
            audit::record(self.state, e).await
        };
        let p = match casework::get_participant(
            &mut self.state.store.conn(),
            self.auth.user.site_id,
            pid,
        )
        .await
        {
            Ok(p) => p,
            Err(handoff_store::StoreError::NotFound) => {
                denied(wanted.to_vec()).await?;
                return Err(AppError::NotFound);
            }
            Err(e) => return Err(e.into()),
        };
        let access = self.access(facts(self.state, &self.ctx, p).await?);
        if !access.assessment().may_know_exists() {
            denied(wanted.to_vec()).await?;
            return Err(AppError::NotFound);
        }
        let mut reading = Reading {
            participant_id: *pid.as_uuid(),
            shown: Vec::new(),
            research_only: Vec::new(),
            case_management_agency: access.facts().subject().case_management_agency,
        };
        let mut refused = Vec::new();
        for &category in wanted {
            let grant = match access.assessment().answer(category) {
                Answer::Allowed(d) if !crate::research::by_internal_id(d.extent) => {
                    reading.research_only.push(category);
                    None
                }
                Answer::Allowed(d) => access.grant(category).map(|g| (g, d)),
                Answer::Forbidden(_) | Answer::NotFound(_) => None,
            };
            let Some((grant, d)) = grant else {
                refused.push(category);
                continue;
            };
            let data = CategoryView::load(
                self.state,
                &self.ctx,
                access.facts().participant(),
                &grant,
                self.now,
            )
            .await?;
            reading.shown.push(CategoryData {
                participant_id: reading.participant_id,
                category,
                extent: d.extent,
                data,
                redisclosure_notice: d.redisclosure_notice,
            });
        }
        if !reading.shown.is_empty() {
            let mut e = audit::event(self.auth, "participant.read", Outcome::Allowed, actx);
            e.subject_participant_id = Some(pid);
            e.categories = reading.categories().collect();
            audit::record(self.state, e).await?;
        }
        if !refused.is_empty() {
            denied(refused).await?;
        }
        Ok(reading)
    }

    pub fn today(&self) -> time::Date {
        self.now.today()
    }

    /// The facts and the engine's answers for a list's participants, loaded
    /// together (a constant number of queries), one assessment per row;
    /// rows the caller may not know exist (or would see only as the
    /// limited data set) are left out.
    pub async fn assess_many(&self, ps: Vec<Participant>) -> AppResult<Vec<Access>> {
        let facts = access::facts_many(
            &mut self.state.store.conn(),
            self.auth.user.site_id,
            ps,
            crate::research::allowed(&self.ctx),
        )
        .await?;
        Ok(facts
            .into_iter()
            .map(|f| self.access(f))
            .filter(|a| a.assessment().may_know_exists() && by_internal_id(a.assessment()))
            .collect())
    }

    /// The identities of a list's rows where the engine allows `identity`
    /// (one query), by participant.
    pub async fn identities(
        &self,
        rows: &[Access],
    ) -> AppResult<HashMap<ParticipantId, referrals::PersonIdentity>> {
        let grants = identity_grants(rows);
        Ok(referrals::identities(&mut self.state.store.conn(), &grants).await?)
    }

    /// The profile extras (aliases, identifiers, places) of the rows whose
    /// `identity` the caller may see, by participant, in one query.
    pub async fn profiles(
        &self,
        rows: &[Access],
    ) -> AppResult<HashMap<ParticipantId, serde_json::Value>> {
        let grants = identity_grants(rows);
        Ok(handoff_store::profile::of_list(&mut self.state.store.conn(), &grants).await?)
    }

    /// Participants as list rows, with only what the engine allows the
    /// caller, in the order given; those the caller may not know exist are
    /// left out. One assessment per row; the list's caller audits the list
    /// as a whole.
    pub async fn summarize(&self, ps: Vec<Participant>) -> AppResult<Vec<ParticipantSummary>> {
        let rows = self.assess_many(ps).await?;
        self.rows(rows).await
    }

    /// [`Guard::summarize`] for rows already assessed.
    pub async fn rows(&self, rows: Vec<Access>) -> AppResult<Vec<ParticipantSummary>> {
        let mut names = self.identities(&rows).await?;
        let mut c = self.state.store.conn();
        let staff: HashMap<_, _> = if rows.is_empty() {
            HashMap::new()
        } else {
            users::list(&mut c, self.auth.user.site_id)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        };
        // Engagement of the rows that show it: the logged last contacts and
        // the closings and reopenings, read for all of them at once.
        let engaged: Vec<ParticipantId> = rows
            .iter()
            .filter(|a| shown(a.assessment(), DataCategory::Engagement))
            .map(|a| a.facts().participant().id)
            .collect();
        let site = self.auth.user.site_id;
        let logged = casework::last_contacts(&mut c, site, &engaged).await?;
        let mut events = handoff_store::participation::events_of(&mut c, site, &engaged).await?;
        let mut out = Vec::with_capacity(rows.len());
        for a in rows {
            let allowed = |c| shown(a.assessment(), c);
            let p = a.facts().participant();
            let mut s = ParticipantSummary {
                id: *p.id.as_uuid(),
                name: None,
                aliases: Vec::new(),
                dob: None,
                case_manager: None,
                case_manager_id: None,
                state: None,
                last_contact_on: None,
                days_since_contact: None,
            };
            if let Some(person) = names.remove(&p.id) {
                s.name = Some(format!("{} {}", person.first_name, person.last_name));
                s.aliases = person.aliases;
                s.dob = person.dob;
            }
            if allowed(DataCategory::Enrollment) {
                s.case_manager_id = p.case_manager_id.map(|u| *u.as_uuid());
                s.case_manager = p.case_manager_id.and_then(|u| staff.get(&u).cloned());
            }
            if allowed(DataCategory::Engagement) {
                // Intake counts as a contact.
                let last = logged
                    .get(&p.id)
                    .map_or(p.intake_at, |t| (*t).max(p.intake_at));
                let enrolled_on = self.ctx.tz.local_date(p.enrolled_at.unwrap_or(p.intake_at));
                let participation =
                    Participation::restore(enrolled_on, events.remove(&p.id).unwrap_or_default())
                        .map_err(|e| {
                        AppError::Internal(anyhow::anyhow!("stored participation history: {e}"))
                    })?;
                let state_now = crate::casework::state_of(
                    &self.ctx,
                    &participation,
                    Some(last),
                    self.now.today(),
                );
                let on = self.ctx.tz.local_date(last);
                s.state = Some(state_now.as_str().to_string());
                s.last_contact_on = Some(referrals::iso(on));
                s.days_since_contact = Some((self.now.today() - on).whole_days());
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Rows already assessed as [`VisibleParticipant`]s, in the order
    /// given: the categories the caller may read now, and the name where
    /// `identity` is among them (the names in one query).
    pub async fn visible_rows(&self, rows: &[Access]) -> AppResult<Vec<VisibleParticipant>> {
        let mut names = self.identities(rows).await?;
        Ok(rows
            .iter()
            .map(|a| {
                let id = a.facts().participant().id;
                VisibleParticipant {
                    id: *id.as_uuid(),
                    categories: a
                        .assessment()
                        .allowed()
                        .filter(|(_, d)| crate::research::by_internal_id(d.extent))
                        .map(|(c, _)| c.as_str().to_string())
                        .collect(),
                    name: names
                        .remove(&id)
                        .map(|p| format!("{} {}", p.first_name, p.last_name)),
                }
            })
            .collect())
    }

    /// The participants the caller may see in any category.
    pub async fn visible(&self, actx: &Ctx) -> AppResult<Vec<VisibleParticipant>> {
        let all = casework::list_participants(&mut self.state.store.conn(), self.auth.user.site_id)
            .await?;
        let rows = self.assess_many(all).await?;
        let out = self.visible_rows(&rows).await?;
        let mut e = audit::event(self.auth, "participant.list", Outcome::Allowed, actx);
        e.categories = vec![DataCategory::Enrollment, DataCategory::Identity];
        e.participants = out.iter().map(|v| v.id.into()).collect();
        audit::record(self.state, e).await?;
        Ok(out)
    }
}

/// Whether a category is shown to the caller by the internal id (allowed,
/// at an extent other than the evaluator's limited data set).
pub fn shown(a: &Assessment, category: DataCategory) -> bool {
    matches!(a.answer(category), Answer::Allowed(d) if crate::research::by_internal_id(d.extent))
}

/// The `identity` grants of a list's rows whose identity is shown to the
/// caller.
fn identity_grants(rows: &[Access]) -> Vec<Grant> {
    rows.iter()
        .filter(|a| shown(a.assessment(), DataCategory::Identity))
        .filter_map(|a| a.grant(DataCategory::Identity))
        .collect()
}

/// Whether the caller may see some category of the participant by its
/// internal id: a caller who would see only the limited data set (an
/// evaluator) is not shown the participant at all (see `research`).
fn by_internal_id(a: &Assessment) -> bool {
    a.allowed()
        .any(|(_, d)| crate::research::by_internal_id(d.extent))
}

/// The latest contact with a participant (intake counts as one).
pub async fn last_contact(
    state: &AppState,
    p: &Participant,
) -> AppResult<Option<time::OffsetDateTime>> {
    Ok(Some(last_contact_on(&mut state.store.conn(), p).await?))
}

/// The same on a given connection (inside a transaction).
pub async fn last_contact_on(
    c: &mut handoff_store::Conn<'_>,
    p: &Participant,
) -> Result<time::OffsetDateTime, handoff_store::StoreError> {
    let logged = handoff_store::participation::last_contact(c, p.site_id, p.id).await?;
    Ok(logged.map_or(p.intake_at, |t| t.max(p.intake_at)))
}

/// The participation state now (from the stored closings and reopenings and
/// the last contact) and the last contact.
pub async fn engagement(
    state: &AppState,
    ctx: &SiteCtx,
    p: &Participant,
    now: SiteNow,
) -> AppResult<(ParticipationState, Option<time::OffsetDateTime>)> {
    let last = last_contact(state, p).await?;
    let participation = crate::casework::participation_of(state, ctx, p).await?;
    Ok((
        crate::casework::state_of(ctx, &participation, last, now.today()),
        last,
    ))
}
