//! Referred persons and referrals, each step timestamped.

use crate::access::{self, Grant, ReferralGrant, SiteTask, SystemTask};
use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::DataCategory;
use handoff_domain::disclosure::referral::ReferralSubject;
use handoff_domain::eligibility::Screening;
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::referral::{Birth, Door, Referral};
use handoff_domain::{
    AgencyId, ParticipantId, PersonId, PolicyVersionId, ReferralId, SiteId, UserId,
};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A person as recorded at referral (identity and demographics), read
/// whole only for the referral stage ([`referral_person`]) and by the named
/// system tasks ([`all_persons`], [`person`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub aliases: Vec<String>,
    pub dob: Option<String>,
    pub approx_age: Option<i64>,
    pub sex: String,
    pub race: String,
    pub description: Option<String>,
}

/// A participant's `identity`: who they are.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonIdentity {
    pub first_name: String,
    pub last_name: String,
    pub aliases: Vec<String>,
    pub dob: Option<String>,
}

/// A participant's `demographics`: no name, no alias.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonDemographics {
    pub dob: Option<String>,
    pub approx_age: Option<i64>,
    pub sex: String,
    pub race: String,
    pub description: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: Uuid,
    first_name: String,
    last_name: String,
    aliases: String,
    dob: Option<String>,
    approx_age: Option<i64>,
    sex: String,
    race: String,
    description: Option<String>,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Self {
        Person {
            id: r.id.into(),
            first_name: r.first_name,
            last_name: r.last_name,
            aliases: serde_json::from_str(&r.aliases).unwrap_or_default(),
            dob: r.dob,
            approx_age: r.approx_age,
            sex: r.sex,
            race: r.race,
            description: r.description,
        }
    }
}

impl From<Person> for PersonIdentity {
    fn from(p: Person) -> Self {
        PersonIdentity {
            first_name: p.first_name,
            last_name: p.last_name,
            aliases: p.aliases,
            dob: p.dob,
        }
    }
}

impl From<Person> for PersonDemographics {
    fn from(p: Person) -> Self {
        PersonDemographics {
            dob: p.dob,
            approx_age: p.approx_age,
            sex: p.sex,
            race: p.race,
            description: p.description,
        }
    }
}

const PERSON_COLUMNS: &str =
    "id, first_name, last_name, aliases, dob, approx_age, sex, race, description";

/// The persons of a site with these ids, in a constant number of queries.
async fn persons_by_id(
    c: &mut Conn<'_>,
    site: SiteId,
    ids: &[PersonId],
) -> Result<HashMap<PersonId, Person>> {
    Ok(access::fetch_in::<PersonRow, _>(c, site, ids, |list| {
        format!("SELECT {PERSON_COLUMNS} FROM persons WHERE site_id = $1 AND id IN ({list})")
    })
    .await?
    .into_iter()
    .map(|r| {
        let p = Person::from(r);
        (p.id, p)
    })
    .collect())
}

async fn person_by_id(c: &mut Conn<'_>, site: SiteId, id: PersonId) -> Result<Person> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE site_id = $1 AND id = $2");
    Ok(c.fetch_one::<PersonRow>(&sql, args![site, id])
        .await?
        .into())
}

/// A participant's identity, under a grant for `identity`.
pub async fn identity(c: &mut Conn<'_>, g: &Grant) -> Result<PersonIdentity> {
    let (site, person) = g.person(DataCategory::Identity)?;
    Ok(person_by_id(c, site, person).await?.into())
}

/// A participant's demographics, under a grant for `demographics`.
pub async fn demographics(c: &mut Conn<'_>, g: &Grant) -> Result<PersonDemographics> {
    let (site, person) = g.person(DataCategory::Demographics)?;
    Ok(person_by_id(c, site, person).await?.into())
}

/// The identities of a list's participants, one grant for `identity` each,
/// by participant.
pub async fn identities(
    c: &mut Conn<'_>,
    grants: &[Grant],
) -> Result<HashMap<ParticipantId, PersonIdentity>> {
    let wanted = grants
        .iter()
        .map(|g| Ok((g.participant(), g.person(DataCategory::Identity)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut persons = persons_of_list(c, wanted.iter().map(|(_, sp)| *sp)).await?;
    Ok(wanted
        .into_iter()
        .filter_map(|(pid, (_, person))| Some((pid, persons.remove(&person)?.into())))
        .collect())
}

/// The persons of one list's grants (site and person each), all of one site.
async fn persons_of_list(
    c: &mut Conn<'_>,
    wanted: impl Iterator<Item = (SiteId, PersonId)>,
) -> Result<HashMap<PersonId, Person>> {
    let mut site = None;
    let mut ids = Vec::new();
    for (s, person) in wanted {
        if *site.get_or_insert(s) != s {
            return Err(StoreError::Corrupt("grants of one list span sites".into()));
        }
        ids.push(person);
    }
    match site {
        Some(site) => persons_by_id(c, site, &ids).await,
        None => Ok(HashMap::new()),
    }
}

/// The person of a referral, under the referral-stage grant.
pub async fn referral_person(c: &mut Conn<'_>, g: &ReferralGrant) -> Result<Person> {
    person_by_id(c, g.site(), g.person()).await
}

/// The persons of a list of referrals, one referral-stage grant each, by
/// referral.
pub async fn referral_persons(
    c: &mut Conn<'_>,
    grants: &[ReferralGrant],
) -> Result<HashMap<ReferralId, Person>> {
    let persons = persons_of_list(c, grants.iter().map(|g| (g.site(), g.person()))).await?;
    Ok(grants
        .iter()
        .filter_map(|g| Some((g.referral(), persons.get(&g.person())?.clone())))
        .collect())
}

/// Every person known to a site, for a system task that needs them all
/// ("already known?" training, the justice-record linker).
pub async fn all_persons(c: &mut Conn<'_>, key: &SiteTask) -> Result<Vec<Person>> {
    let site = key.open(&[SystemTask::Linkage])?;
    let sql = format!("SELECT {PERSON_COLUMNS} FROM persons WHERE site_id = $1");
    Ok(c.fetch_all::<PersonRow>(&sql, args![site])
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// One person, for the justice-record linker's clerical review of a
/// referred person who is not a participant.
pub async fn person(c: &mut Conn<'_>, key: &SiteTask, id: PersonId) -> Result<Person> {
    let site = key.open(&[SystemTask::Linkage])?;
    person_by_id(c, site, id).await
}

/// Every person's race and nothing else, for aggregate figures.
pub async fn races(c: &mut Conn<'_>, key: &SiteTask) -> Result<HashMap<PersonId, String>> {
    #[derive(sqlx::FromRow)]
    struct Race {
        id: Uuid,
        race: String,
    }
    let site = key.open(&[SystemTask::Figures, SystemTask::EvaluationExport])?;
    Ok(c.fetch_all::<Race>(
        "SELECT id, race FROM persons WHERE site_id = $1",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| (r.id.into(), r.race))
    .collect())
}

/// Each referral's offence categories and nothing else, for aggregate
/// figures (the PCG report's counts by offence category).
pub async fn offence_categories(
    c: &mut Conn<'_>,
    key: &SiteTask,
) -> Result<HashMap<ReferralId, Vec<String>>> {
    #[derive(sqlx::FromRow)]
    struct Body {
        id: Uuid,
        body: String,
    }
    let site = key.open(&[SystemTask::Figures])?;
    Ok(c.fetch_all::<Body>(
        "SELECT id, body FROM referrals WHERE site_id = $1",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| {
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
        let cats = v
            .get("offences")
            .and_then(|o| o.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|o| match o.get("category")? {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Object(m) => {
                            m.values().find_map(|v| v.as_str().map(String::from))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        (r.id.into(), cats)
    })
    .collect())
}

/// A referral as stored.
#[derive(Debug, Clone)]
pub struct ReferralRecord {
    pub id: ReferralId,
    pub site_id: SiteId,
    pub door: Door,
    pub status: ReferralStatus,
    pub person_id: PersonId,
    pub referred_by: UserId,
    pub referrer_agency_id: AgencyId,
    pub incident_number: Option<String>,
    /// The parsed referral as JSON (offences, location, notes, …): read
    /// with [`ReferralRecord::details`] under the referral's grant.
    body: serde_json::Value,
    pub place: Option<String>,
    pub occurred_at: OffsetDateTime,
    pub referred_at: OffsetDateTime,
    pub policy_version_id: PolicyVersionId,
    pub eligible: bool,
    pub screening: Screening,
    pub approved_at: Option<OffsetDateTime>,
    pub approved_by: Option<UserId>,
    pub accepted_at: Option<OffsetDateTime>,
    pub accepted_by: Option<UserId>,
    pub case_agency_id: Option<AgencyId>,
    pub triage_started_at: Option<OffsetDateTime>,
    pub intake_completed_at: Option<OffsetDateTime>,
    pub enrolled_at: Option<OffsetDateTime>,
    pub escalated_at: Option<OffsetDateTime>,
    pub participant_id: Option<ParticipantId>,
    /// The site's earlier referrals with the same incident number when this
    /// one was filed: a possible duplicate, flagged, never refused.
    pub possible_duplicate_of: Vec<ReferralId>,
}

impl ReferralRecord {
    /// What was referred (offences, location, notes, …), under this
    /// referral's grant.
    pub fn details(&self, g: &ReferralGrant) -> Option<&serde_json::Value> {
        (g.site() == self.site_id && g.referral() == self.id).then_some(&self.body)
    }

    /// What a hold holds from filing: the offence categories of its
    /// referral (stored codes), for the office's queue — never the person,
    /// the place or the notes. Empty for another referral's hold.
    pub fn held_offences(&self, hold: &crate::holds::StoredHold) -> Vec<String> {
        if hold.hold.referral_id != self.id {
            return Vec::new();
        }
        self.body["offences"]
            .as_array()
            .map(|os| {
                os.iter()
                    .filter_map(|o| o["category"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What the referral rule needs to know about it.
    pub fn subject(&self) -> ReferralSubject {
        ReferralSubject {
            site: self.site_id,
            referred_by: self.referred_by,
            status: self.status,
            case_agency: self.case_agency_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: Uuid,
    site_id: Uuid,
    door: String,
    status: String,
    person_id: Uuid,
    referred_by: Uuid,
    referrer_agency_id: Uuid,
    incident_number: Option<String>,
    body: String,
    place: Option<String>,
    occurred_at: OffsetDateTime,
    referred_at: OffsetDateTime,
    policy_version_id: Uuid,
    eligible: bool,
    screening: String,
    approved_at: Option<OffsetDateTime>,
    approved_by: Option<Uuid>,
    accepted_at: Option<OffsetDateTime>,
    accepted_by: Option<Uuid>,
    case_agency_id: Option<Uuid>,
    triage_started_at: Option<OffsetDateTime>,
    intake_completed_at: Option<OffsetDateTime>,
    enrolled_at: Option<OffsetDateTime>,
    escalated_at: Option<OffsetDateTime>,
    participant_id: Option<Uuid>,
    possible_duplicate_of: Option<String>,
}

impl TryFrom<ReferralRow> for ReferralRecord {
    type Error = StoreError;
    fn try_from(r: ReferralRow) -> Result<Self> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("referral {}: {what}", r.id));
        Ok(ReferralRecord {
            id: r.id.into(),
            site_id: r.site_id.into(),
            door: r.door.parse().map_err(|_| corrupt("door"))?,
            status: r.status.parse().map_err(|_| corrupt("status"))?,
            person_id: r.person_id.into(),
            referred_by: r.referred_by.into(),
            referrer_agency_id: r.referrer_agency_id.into(),
            incident_number: r.incident_number,
            body: serde_json::from_str(&r.body).map_err(|_| corrupt("body"))?,
            place: r.place,
            occurred_at: r.occurred_at,
            referred_at: r.referred_at,
            policy_version_id: r.policy_version_id.into(),
            eligible: r.eligible,
            screening: serde_json::from_str(&r.screening).map_err(|_| corrupt("screening"))?,
            approved_at: r.approved_at,
            approved_by: r.approved_by.map(Into::into),
            accepted_at: r.accepted_at,
            accepted_by: r.accepted_by.map(Into::into),
            case_agency_id: r.case_agency_id.map(Into::into),
            triage_started_at: r.triage_started_at,
            intake_completed_at: r.intake_completed_at,
            enrolled_at: r.enrolled_at,
            escalated_at: r.escalated_at,
            participant_id: r.participant_id.map(Into::into),
            possible_duplicate_of: r
                .possible_duplicate_of
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<Uuid>().map(Into::into))
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| corrupt("possible_duplicate_of"))?,
        })
    }
}

const COLUMNS: &str = "id, site_id, door, status, person_id, referred_by, referrer_agency_id, incident_number, body, place, \
    occurred_at, referred_at, policy_version_id, eligible, screening, approved_at, approved_by, accepted_at, accepted_by, \
    case_agency_id, triage_started_at, intake_completed_at, enrolled_at, escalated_at, participant_id, possible_duplicate_of";

pub struct NewReferral<'a> {
    pub site: SiteId,
    pub referral: &'a Referral,
    pub referred_by: UserId,
    pub referrer_agency: AgencyId,
    pub policy_version: PolicyVersionId,
    pub screening: &'a Screening,
    pub status: ReferralStatus,
    pub referred_at: OffsetDateTime,
    /// The client's token for this submission (at most one referral per
    /// site, referrer and token).
    pub client_token: Option<&'a str>,
}

/// Records the person and the referral. Call inside a transaction.
pub async fn create(c: &mut Conn<'_>, n: NewReferral<'_>) -> Result<ReferralRecord> {
    let p = &n.referral.person;
    let person: PersonId = new_id();
    let (dob, approx_age) = match p.birth {
        Birth::Dob(d) => (Some(iso(d)), None),
        Birth::ApproxAge(a) => (None, Some(i64::from(a))),
    };
    let aliases: Vec<&str> = p.aliases.iter().map(|a| a.as_str()).collect();
    let sex: &'static str = p.sex.into();
    let race: &'static str = p.race.into();
    c.execute(
        "INSERT INTO persons (id, site_id, first_name, last_name, aliases, dob, approx_age, sex, race, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            person,
            n.site,
            p.first_name.as_str(),
            p.last_name.as_str(),
            serde_json::to_string(&aliases).unwrap_or_else(|_| "[]".into()),
            dob,
            approx_age,
            sex,
            race,
            p.description.as_deref(),
            n.referred_at
        ],
    )
    .await?;
    let id: ReferralId = new_id();
    let mut body =
        serde_json::to_value(n.referral).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if let Some(o) = body.as_object_mut() {
        o.remove("person");
    }
    let place = n.referral.location.address.clone();
    let incident = n.referral.incident_number.as_ref().map(|i| i.as_str());
    let duplicates = match incident {
        None => Vec::new(),
        Some(i) => {
            c.fetch_all::<(Uuid,)>(
                "SELECT id FROM referrals WHERE site_id = $1 AND incident_number = $2 ORDER BY referred_at, id",
                args![n.site, i],
            )
            .await?
        }
    };
    let duplicates = (!duplicates.is_empty()).then(|| {
        duplicates
            .iter()
            .map(|(d,)| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    });
    c.execute(
        "INSERT INTO referrals (id, site_id, door, status, person_id, referred_by, referrer_agency_id, incident_number, body, place, \
           occurred_at, referred_at, policy_version_id, eligible, screening, client_token, possible_duplicate_of) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        args![
            id,
            n.site,
            n.referral.door.as_str(),
            n.status.as_str(),
            person,
            n.referred_by,
            n.referrer_agency,
            incident,
            body.to_string(),
            place,
            n.referral.occurred_at,
            n.referred_at,
            n.policy_version,
            n.screening.eligible,
            serde_json::to_string(n.screening).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            n.client_token,
            duplicates
        ],
    )
    .await?;
    get(c, n.site, id).await
}

/// The referral this referrer already filed with this client token, if any.
pub async fn by_client_token(
    c: &mut Conn<'_>,
    site: SiteId,
    referred_by: UserId,
    token: &str,
) -> Result<Option<ReferralId>> {
    Ok(c.fetch_optional::<(Uuid,)>(
        "SELECT id FROM referrals WHERE site_id = $1 AND referred_by = $2 AND client_token = $3",
        args![site, referred_by, token],
    )
    .await?
    .map(|(id,)| id.into()))
}

pub fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: ReferralId) -> Result<ReferralRecord> {
    let sql = format!("SELECT {COLUMNS} FROM referrals WHERE site_id = $1 AND id = $2");
    c.fetch_one::<ReferralRow>(&sql, args![site, id])
        .await?
        .try_into()
}

/// Several referrals of a site by id, in one query a chunk (ids not found
/// are left out).
pub async fn get_many(
    c: &mut Conn<'_>,
    site: SiteId,
    ids: &[ReferralId],
) -> Result<HashMap<ReferralId, ReferralRecord>> {
    let rows = crate::access::fetch_in::<ReferralRow, ReferralId>(c, site, ids, |list| {
        format!("SELECT {COLUMNS} FROM referrals WHERE site_id = $1 AND id IN ({list})")
    })
    .await?;
    rows.into_iter()
        .map(|r| {
            let rec: ReferralRecord = r.try_into()?;
            Ok((rec.id, rec))
        })
        .collect()
}

/// Which referrals to list.
pub enum Filter {
    All,
    ReferredBy(UserId),
    Status(ReferralStatus),
    AcceptedBy(UserId),
}

pub async fn list(
    c: &mut Conn<'_>,
    site: SiteId,
    filter: Filter,
    limit: i64,
) -> Result<Vec<ReferralRecord>> {
    let (cond, arg) = match filter {
        Filter::All => ("TRUE = $2", crate::Value::Bool(Some(true))),
        Filter::ReferredBy(u) => ("referred_by = $2", u.into()),
        Filter::Status(s) => ("status = $2", s.as_str().into()),
        Filter::AcceptedBy(u) => ("accepted_by = $2", u.into()),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM referrals WHERE site_id = $1 AND {cond} ORDER BY referred_at DESC LIMIT $3"
    );
    c.fetch_all::<ReferralRow>(&sql, vec![site.into(), arg, limit.into()])
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The referrals of some persons (those of the site), newest first, in a
/// constant number of queries (search's candidates).
pub async fn of_persons(
    c: &mut Conn<'_>,
    site: SiteId,
    persons: &[PersonId],
) -> Result<Vec<ReferralRecord>> {
    let mut out: Vec<ReferralRecord> =
        access::fetch_in::<ReferralRow, _>(c, site, persons, |list| {
            format!("SELECT {COLUMNS} FROM referrals WHERE site_id = $1 AND person_id IN ({list})")
        })
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_>>()?;
    out.sort_by_key(|r| std::cmp::Reverse(r.referred_at));
    Ok(out)
}

/// How the referral lists page: newest first; filters on status, door, the
/// date referred and the case manager who accepted.
pub(crate) const PAGED: crate::page::Columns = crate::page::Columns {
    state: Some("status"),
    door: Some("door"),
    date: Some("referred_at"),
    case_manager: Some("accepted_by"),
    ..crate::page::Columns::new("referred_at", "id", crate::page::Dir::Desc)
};

/// One page of a filter's referrals (keyset on `referred_at`, `id`).
pub async fn list_page(
    c: &mut Conn<'_>,
    site: SiteId,
    filter: Filter,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<ReferralRecord>> {
    let (cond, arg) = match filter {
        Filter::All => ("TRUE = $2", crate::Value::Bool(Some(true))),
        Filter::ReferredBy(u) => ("referred_by = $2", u.into()),
        Filter::Status(s) => ("status = $2", s.as_str().into()),
        Filter::AcceptedBy(u) => ("accepted_by = $2", u.into()),
    };
    let sql = format!("SELECT {COLUMNS} FROM referrals WHERE site_id = $1 AND {cond}");
    crate::page::fetch(
        c,
        &sql,
        vec![site.into(), arg],
        PAGED,
        page,
        |r: ReferralRow| r.try_into(),
        |r: &ReferralRecord| crate::page::Cursor::time(r.referred_at, *r.id.as_uuid()),
    )
    .await
}

/// Records a step: moves the status and timestamps the step, only from the
/// status the domain says the step applies to (so two case managers
/// accepting at once cannot both win). Returns false when the referral was
/// not in that status any more.
pub async fn record_step(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReferralId,
    from: ReferralStatus,
    step: ReferralStep,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> Result<bool> {
    let Some(to) = from.after(step) else {
        return Ok(false);
    };
    let set = match step {
        ReferralStep::Approved | ReferralStep::NotApproved => "approved_at = $5, approved_by = $6",
        ReferralStep::Accepted => "accepted_at = $5, accepted_by = $6",
        ReferralStep::TriageStarted => {
            "triage_started_at = $5, accepted_by = COALESCE(accepted_by, $6)"
        }
        ReferralStep::IntakeCompleted => {
            "intake_completed_at = $5, accepted_by = COALESCE(accepted_by, $6)"
        }
        ReferralStep::ReleaseSigned => "enrolled_at = $5, accepted_by = COALESCE(accepted_by, $6)",
        ReferralStep::Closed => "closed_at = $5, closed_by = $6",
    };
    let sql = format!(
        "UPDATE referrals SET status = $4, {set} WHERE site_id = $1 AND id = $2 AND status = $3"
    );
    let n = c
        .execute(&sql, args![site, id, from.as_str(), to.as_str(), at, by])
        .await?;
    Ok(n == 1)
}

/// Why a supervisor closed a referral nobody took up (one of the
/// services' reasons).
pub async fn set_closed_reason(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReferralId,
    reason: &str,
) -> Result<()> {
    c.execute_found(
        "UPDATE referrals SET closed_reason = $3 WHERE site_id = $1 AND id = $2",
        args![site, id, reason],
    )
    .await
}

pub async fn set_case_agency(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReferralId,
    agency: AgencyId,
) -> Result<()> {
    c.execute(
        "UPDATE referrals SET case_agency_id = $3 WHERE site_id = $1 AND id = $2",
        args![site, id, agency],
    )
    .await?;
    Ok(())
}

pub async fn set_participant(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReferralId,
    participant: ParticipantId,
) -> Result<()> {
    c.execute(
        "UPDATE referrals SET participant_id = $3 WHERE site_id = $1 AND id = $2",
        args![site, id, participant],
    )
    .await?;
    Ok(())
}

/// Marks an unaccepted referral escalated (once). True if this call did it.
pub async fn mark_escalated(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ReferralId,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE referrals SET escalated_at = $3 WHERE site_id = $1 AND id = $2 AND escalated_at IS NULL AND status = 'awaiting_handoff'",
            args![site, id, at],
        )
        .await?;
    Ok(n == 1)
}
