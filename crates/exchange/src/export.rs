//! The evaluation dataset and the HMIS export from a site's data.
//!
//! **Evaluation** (`shared/data/evaluation/SPEC.md` §2): the LEAD group is
//! the site's participants (index date = referral date), the control group
//! the comparison roster (index date = the day the eligible contact was
//! logged); events are the arrests, charges, bookings and prison admissions
//! linked to either; monthly status comes from casework (relative to the
//! referral month, −12..24); unit costs are the defaults of SPEC §2.4;
//! eligible arrests are the eligible arrest-diversion referrals (diverted)
//! and the roster (not diverted). Only people with a year of follow-up
//! before the study end are in it (SPEC §2.6). Every person id is a per-export
//! pseudonym under a key drawn for this export and then forgotten. The
//! export reads the limited data set only: no names, no numbers.
//!
//! **HMIS**: the participants whose release lets the housing partner see
//! them, with names only where the release allows `identity`. `PersonalID`
//! and the enrollment's ids are keyed hashes (HMAC-SHA-256) of Handoff's
//! ids under the site's own HMIS key (`site_keys`): stable from export to
//! export, as the partner's HMIS needs, and never Handoff's internal ids.

use handoff_domain::disclosure::Viewer;
use handoff_domain::referral::{Door, Race, Sex};
use handoff_domain::{AgencyKind, DataCategory, ParticipantId, Role, SiteId, UserId};
use handoff_justice::evaluation::{
    Cents, EligibleArrest, EvalRace, EvalSex, EvaluationDataset, Event, ExportKey, Group,
    MonthlyStatus, Participant, Pseudonyms, UnitCosts, age_at,
};
use handoff_justice::hmis::{
    DATA_NOT_COLLECTED, HmisClient, HmisCurrentLivingSituation, HmisEnrollment, HmisExit,
    HmisExport, HmisExportSet, HmisIncomeBenefits, HmisKey, RowAudit,
};
use handoff_justice::{Kind, Record};
use handoff_services::AppState;
use handoff_services::disclosure::facts;
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::SiteCtx;
use handoff_store::access::{self, SystemTask};
use handoff_store::referrals::Filter;
use handoff_store::{casework, justice, referrals};
use std::collections::HashMap;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// The site policy's unit costs, as the evaluation files write them.
fn site_unit_costs(c: &handoff_domain::eligibility::UnitCosts) -> UnitCosts {
    UnitCosts {
        arrest: Cents(c.arrest_cents),
        charge_felony: Cents(c.charge_felony_cents),
        charge_misdemeanor: Cents(c.charge_misdemeanor_cents),
        jail_day: Cents(c.jail_day_cents),
        prison_admission: Cents(c.prison_admission_cents),
    }
}

/// A fresh random key for one export's pseudonyms.
pub fn fresh_key() -> ExportKey {
    let mut bytes = [0u8; 32];
    // The operating system's generator; it does not fail on supported systems.
    let _ = getrandom::fill(&mut bytes);
    ExportKey::new(bytes)
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

fn in_window(d: Date, from: Option<Date>, to: Option<Date>) -> bool {
    from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
}

/// Who is in the study, before pseudonyms: `p:<participant>` or `r:<roster record>`.
struct Member {
    key: String,
    group: Group,
    index: Date,
    dob: Option<Date>,
    approx_age: Option<i64>,
    sex: Sex,
    race: Race,
}

/// Days of follow-up every person in the dataset has (SPEC §2.6).
pub const FOLLOW_UP_DAYS: i64 = 365;

/// Builds the evaluation dataset of a site. The study ends on `to` (or
/// `today`); index dates run from `from` to a year before the study end, so
/// everyone has a year of follow-up — people referred or logged later are
/// left out until then.
pub async fn evaluation(
    state: &AppState,
    site: SiteId,
    from: Option<Date>,
    to: Option<Date>,
    today: Date,
    key: &ExportKey,
) -> AppResult<(EvaluationDataset, Vec<ParticipantId>)> {
    let ctx = SiteCtx::load(state, site).await?;
    let study_end = to.unwrap_or(today);
    // Everyone in the study has a year of follow-up (SPEC §2.6).
    let last_index = study_end - time::Duration::days(FOLLOW_UP_DAYS);
    let mut c = state.store.conn();
    let mut members: Vec<Member> = Vec::new();
    let mut exported: Vec<ParticipantId> = Vec::new();
    let participants = casework::list_participants(&mut c, site).await?;
    let mut referral_month: HashMap<String, (i32, u8)> = HashMap::new();
    for p in &participants {
        let index = match p.referral_id {
            Some(rid) => ctx
                .tz
                .local_date(referrals::get(&mut c, site, rid).await?.referred_at),
            None => ctx.tz.local_date(p.intake_at),
        };
        if !in_window(index, from, Some(last_index)) {
            continue;
        }
        let grant = access::unguarded(p, DataCategory::Demographics, SystemTask::EvaluationExport);
        let person = referrals::demographics(&mut c, &grant).await?;
        exported.push(p.id);
        let key = format!("p:{}", p.id);
        referral_month.insert(key.clone(), (index.year(), u8::from(index.month())));
        members.push(Member {
            key,
            group: Group::Lead,
            index,
            dob: person.dob.as_deref().and_then(parse_date),
            approx_age: person.approx_age,
            sex: Sex::parse(&person.sex).unwrap_or(Sex::Unknown),
            race: Race::parse(&person.race).unwrap_or(Race::Unknown),
        });
    }
    let roster = justice::of_kind(&mut c, site, Kind::Persons.as_str()).await?;
    let mut eligible: Vec<(Date, Race, bool)> = Vec::new();
    for r in &roster {
        let Ok(Record::RosterEntry(e)) = serde_json::from_str::<Record>(&r.content) else {
            continue;
        };
        eligible.push((e.logged_at, e.person.race, false));
        if !in_window(e.logged_at, from, Some(last_index)) {
            continue;
        }
        members.push(Member {
            key: format!("r:{}", r.id),
            group: Group::Control,
            index: e.logged_at,
            dob: Some(e.person.dob),
            approx_age: None,
            sex: e.person.sex,
            race: e.person.race,
        });
    }
    // The eligible-but-booked log: the comparison cohort captured in the
    // field (index date = the arrest's day at the site).
    for a in handoff_store::evidence::arrests(&mut c, site).await? {
        let day = ctx.tz.local_date(a.occurred_at);
        let race = Race::parse(&a.race).unwrap_or(Race::Unknown);
        eligible.push((day, race, false));
        if !in_window(day, from, Some(last_index)) {
            continue;
        }
        members.push(Member {
            key: format!("r:{}", a.id),
            group: Group::Control,
            index: day,
            dob: a.dob.as_deref().and_then(parse_date),
            approx_age: a.approx_age,
            sex: Sex::parse(&a.sex).unwrap_or(Sex::Unknown),
            race,
        });
    }
    let ids = Pseudonyms::assign(key, members.iter().map(|m| m.key.clone()));
    let pid = |k: &str| ids.get(&k.to_string());
    let mut out_participants: Vec<Participant> = members
        .iter()
        .filter_map(|m| {
            Some(Participant {
                person_id: pid(&m.key)?,
                group: m.group,
                index_date: m.index,
                age_at_index: m.dob.map_or_else(
                    || {
                        m.approx_age
                            .and_then(|a| u32::try_from(a).ok())
                            .unwrap_or(0)
                    },
                    |d| age_at(d, m.index),
                ),
                sex: EvalSex::from(m.sex),
                race: EvalRace::from(m.race),
            })
        })
        .collect();
    out_participants.sort_by_key(|p| p.person_id);

    // Events linked to members.
    let mut events: Vec<(u64, Date, handoff_justice::evaluation::EventKind)> = Vec::new();
    for r in justice::linked(&mut c, site).await? {
        let owner = match (r.link.participant, r.link.roster) {
            (Some(p), _) => format!("p:{p}"),
            (None, Some(roster)) => format!("r:{roster}"),
            _ => continue,
        };
        let Some(person_id) = pid(&owner) else {
            continue;
        };
        let Ok(record) = serde_json::from_str::<Record>(&r.content) else {
            continue;
        };
        if let Some((date, kind)) = record.evaluation_event(&ctx.tz, study_end) {
            events.push((person_id, date, kind));
        }
    }
    events.sort_by_key(|e| (e.0, e.1, e.2.as_str()));
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, (person_id, date, kind))| Event {
            event_id: i as u64 + 1,
            person_id,
            date,
            kind,
        })
        .collect();

    // Monthly status of the LEAD group, relative to the referral month.
    let mut monthly = Vec::new();
    for p in &participants {
        let key = format!("p:{}", p.id);
        let (Some(person_id), Some(&(ry, rm))) = (pid(&key), referral_month.get(&key)) else {
            continue;
        };
        // The limited data set for research, where the site allows it (the
        // caller checked): a system task, not a person reading.
        let grant = handoff_store::access::unguarded(
            p,
            DataCategory::Notes,
            handoff_store::access::SystemTask::EvaluationExport,
        );
        for m in
            handoff_services::casework::status::series(state, &ctx, p, &grant, study_end).await?
        {
            let (Some(y), Some(mo)) = (
                m.month.get(..4).and_then(|y| y.parse::<i32>().ok()),
                m.month.get(5..7).and_then(|x| x.parse::<i32>().ok()),
            ) else {
                continue;
            };
            let rel = (y - ry) * 12 + (mo - i32::from(rm));
            let Ok(month) = i8::try_from(rel) else {
                continue;
            };
            if !(-12..=24).contains(&month) {
                continue;
            }
            monthly.push(MonthlyStatus {
                person_id,
                month,
                housed: m.housed.map(|h| h == 1),
                employed: m.employed.map(|e| e == 1),
                income_benefits: m.income_benefits,
            });
        }
    }
    monthly.sort_by_key(|m| (m.person_id, m.month));

    // Eligible arrests: diverted arrest-diversion referrals and the roster.
    let races = referrals::races(
        &mut c,
        &access::unguarded_persons(site, SystemTask::EvaluationExport),
    )
    .await?;
    for r in referrals::list(&mut c, site, Filter::All, i64::MAX).await? {
        if r.door != Door::ArrestDiversion || !r.eligible {
            continue;
        }
        let race = races.get(&r.person_id).map_or("", String::as_str);
        eligible.push((
            ctx.tz.local_date(r.occurred_at),
            Race::parse(race).unwrap_or(Race::Unknown),
            true,
        ));
    }
    eligible.retain(|(d, _, _)| in_window(*d, from, Some(study_end)));
    eligible.sort_by_key(|(d, race, diverted)| (*d, race.label(), *diverted));
    let eligible_arrests = eligible
        .into_iter()
        .enumerate()
        .map(|(i, (date, race, diverted))| EligibleArrest {
            arrest_id: i as u64 + 1,
            date,
            race: EvalRace::from(race),
            diverted,
        })
        .collect();
    let data = EvaluationDataset {
        participants: out_participants,
        events,
        monthly,
        unit_costs: site_unit_costs(&ctx.policy.policy.unit_costs),
        eligible_arrests,
        study_end,
    };
    Ok((data, exported))
}

fn primitive(t: OffsetDateTime) -> PrimitiveDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    PrimitiveDateTime::new(t.date(), t.time())
}

/// The site's HMIS key (`site_keys`, purpose `hmis`), drawn the first time.
async fn hmis_key(
    c: &mut handoff_store::Conn<'_>,
    site: SiteId,
    now: OffsetDateTime,
) -> AppResult<HmisKey> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("drawing the HMIS key: {e}")))?;
    let stored =
        handoff_store::keys::get_or_create(c, site, "hmis", &hex::encode(fresh), now).await?;
    let bytes: [u8; 32] = hex::decode(stored.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the site's HMIS key is corrupt")))?;
    Ok(HmisKey::new(bytes))
}

/// Builds the HMIS export for the site's housing partner: the participants
/// whose current release lets that agency see their enrollment.
pub async fn hmis(
    state: &AppState,
    site: SiteId,
    now: OffsetDateTime,
) -> AppResult<(HmisExportSet, Vec<ParticipantId>)> {
    let ctx = SiteCtx::load(state, site).await?;
    let mut c = state.store.conn();
    let housing = handoff_store::orgs::list_agencies(&mut c, site)
        .await?
        .into_iter()
        .find(|a| a.kind == AgencyKind::Housing)
        .ok_or_else(|| AppError::Conflict("the site has no housing partner agency".into()))?;
    let roles = [Role::Partner];
    let viewer = Viewer {
        user: UserId::from(uuid::Uuid::nil()),
        roles: &roles,
        agency: housing.id,
        agency_kind: housing.kind,
        site,
    };
    let key = hmis_key(&mut c, site, now).await?;
    let site_now = ctx.tz.at(now);
    let stamp = primitive(now);
    let audit = RowAudit {
        date_created: stamp,
        date_updated: stamp,
        user_id: "handoff".into(),
        date_deleted: None,
    };
    let mut clients = Vec::new();
    let mut enrollments = Vec::new();
    let mut exits = Vec::new();
    let mut income_benefits = Vec::new();
    let mut current_living_situations = Vec::new();
    let mut first_entry: Option<Date> = None;
    let mut shared_with_housing: Vec<ParticipantId> = Vec::new();
    for p in casework::list_participants(&mut c, site).await? {
        let f = facts(state, &ctx, p).await?;
        let access = handoff_store::access::assess(&viewer, f, site_now);
        let a = access.assessment();
        if !a.decision(DataCategory::Enrollment).is_allowed() {
            continue;
        }
        let p = access.facts().participant();
        shared_with_housing.push(p.id);
        let identity = match access.grant(DataCategory::Identity) {
            Some(g) => Some(referrals::identity(&mut c, &g).await?),
            None => None,
        };
        let demographics = match access.grant(DataCategory::Demographics) {
            Some(g) => Some(referrals::demographics(&mut c, &g).await?),
            None => None,
        };
        // Pseudonyms under the site's HMIS key, never Handoff's ids.
        let personal_id = key.personal_id(p.person_id);
        let stem = key.enrollment_stem(p.id);
        let entry = ctx.tz.local_date(p.enrolled_at.unwrap_or(p.intake_at));
        first_entry = Some(first_entry.map_or(entry, |d| d.min(entry)));
        clients.push(HmisClient {
            personal_id: personal_id.clone(),
            first_name: identity.as_ref().map(|i| i.first_name.clone()),
            middle_name: None,
            last_name: identity.as_ref().map(|i| i.last_name.clone()),
            ssn: None,
            dob: identity
                .as_ref()
                .and_then(|i| i.dob.as_deref())
                .and_then(parse_date),
            sex: demographics
                .as_ref()
                .and_then(|d| Sex::parse(&d.sex).ok())
                .unwrap_or(Sex::Unknown),
            race: demographics
                .as_ref()
                .and_then(|d| Race::parse(&d.race).ok())
                .unwrap_or(Race::Unknown),
            veteran_status: DATA_NOT_COLLECTED,
            audit: audit.clone(),
        });
        // Housing, income and exits are case notes: shared only where the
        // release names `notes` for the housing partner.
        let notes = access.grant(DataCategory::Notes);
        let intake = match &notes {
            Some(g) => casework::intake_of(&mut c, g).await?,
            None => None,
        };
        let living = intake
            .as_ref()
            .and_then(|i| {
                i.living_situation
                    .parse::<handoff_domain::living::LivingSituation>()
                    .ok()
            })
            .map(|l| l.hud_code());
        if let (Some(code), Some(i)) = (living, &intake) {
            current_living_situations.push(HmisCurrentLivingSituation {
                current_living_sit_id: format!("C{stem}"),
                enrollment_id: format!("E{stem}"),
                personal_id: personal_id.clone(),
                information_date: entry,
                current_living_situation: code,
                verified_by: None,
                location_details: None,
                audit: audit.clone(),
            });
            let income = i.general.get("monthly_income").and_then(|v| v.as_f64());
            income_benefits.push(HmisIncomeBenefits {
                income_benefits_id: format!("I{stem}"),
                enrollment_id: format!("E{stem}"),
                personal_id: personal_id.clone(),
                information_date: entry,
                income_from_any_source: match income {
                    Some(x) if x > 0.0 => 1,
                    Some(_) => 0,
                    None => DATA_NOT_COLLECTED,
                },
                total_monthly_income: income.filter(|x| *x > 0.0).map(|x| format!("{x:.2}")),
                earned: None,
                ssi: None,
                ssdi: None,
                benefits_from_any_source: None,
                snap: None,
                insurance_from_any_source: None,
                medicaid: None,
                data_collection_stage: 1,
                audit: audit.clone(),
            });
        }
        if notes.is_some() {
            let history = handoff_store::participation::events(&mut c, site, p.id).await?;
            if let Ok(case) = handoff_domain::participation::Participation::restore(entry, history)
                && let Some((_, on)) = case.closure()
            {
                exits.push(HmisExit {
                    exit_id: format!("X{stem}"),
                    enrollment_id: format!("E{stem}"),
                    personal_id: personal_id.clone(),
                    exit_date: on,
                    destination: DATA_NOT_COLLECTED,
                    destination_subsidy_type: None,
                    other_destination: None,
                    audit: audit.clone(),
                });
            }
        }
        enrollments.push(HmisEnrollment {
            enrollment_id: format!("E{stem}"),
            personal_id: personal_id.clone(),
            project_id: "LEAD".into(),
            entry_date: entry,
            household_id: format!("H{stem}"),
            relationship_to_hoh: 1,
            enrollment_coc: None,
            living_situation: living,
            disabling_condition: None,
            date_of_engagement: None,
            move_in_date: None,
            audit: audit.clone(),
        });
    }
    let today = site_now.today();
    let shared: Vec<ParticipantId> = shared_with_housing;
    let set = HmisExportSet {
        export: HmisExport {
            export_id: uuid::Uuid::now_v7().simple().to_string(),
            source_type: 2,
            source_id: Some(ctx.site.slug.clone()),
            source_name: Some(ctx.site.name.clone()),
            source_contact_first: None,
            source_contact_last: None,
            source_contact_phone: None,
            source_contact_extension: None,
            source_contact_email: None,
            export_date: stamp,
            export_start_date: first_entry.unwrap_or(today),
            export_end_date: today,
            software_name: "Handoff".into(),
            software_version: Some(env!("CARGO_PKG_VERSION").into()),
            export_period_type: 4,
            export_directive: 2,
            hash_status: 1,
            implementation_id: ctx.site.slug.clone(),
        },
        clients,
        enrollments,
        exits,
        income_benefits,
        services: Vec::new(),
        current_living_situations,
    };
    Ok((set, shared))
}
