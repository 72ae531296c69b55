//! A realistic demo site for `handoff serve --demo`: about 240 participants
//! referred over three years through the doors, with intake, releases of
//! varied scope (some expired, some revoked), holds in every state (pending,
//! satisfied, lapsed with and without the prosecutor's decision), contacts
//! in the field with services and notes in their categories, the
//! participants' own goals with steps, service referrals, monthly status,
//! a few closed and reopened cases, and ten case managers whose caseloads
//! sit near the limits. Deterministic (a small LCG), idempotent (only when
//! the site has no participants) and one transaction per person.

use crate::{DEMO_PASSWORD, DEMO_SITE_SLUG};
use handoff_domain::casework::{GoalStatus, Place, ReferralOutcome, Service, StaffRole};
use handoff_domain::eligibility::{self, KnownRecord, ScreeningFacts};
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::hold::{Hold, HoldEvent, ProsecutorDecision};
use handoff_domain::living::LivingSituation;
use handoff_domain::participation::{ClosureReason, ParticipationEvent};
use handoff_domain::referral::{Referral, ReferralForm};
use handoff_domain::release::{Release, ReleaseForm, StoredRelease};
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{AgencyKind, DataCategory, Email, HoldId, Role, SiteId, UserId};
use handoff_services::error::AppError;
use handoff_store::casework::{IntakeContent, NewIntake};
use handoff_store::contacts::{NewContact, Piece};
use handoff_store::goals::{NewServiceReferral, Step};
use handoff_store::ids::new_id;
use handoff_store::orgs::Agency;
use handoff_store::{
    Conn, Store, casework, contacts, goals, holds, monthly, orgs, participation, referrals,
    releases, users,
};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// What a run added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub participants: usize,
    pub contacts: usize,
    pub referrals: usize,
}

/// The demo case managers beside `casemanager@demo.test`, with the open
/// cases each carries (the ceiling is 25; the standard 15).
const CASE_MANAGERS: &[(&str, &str, usize)] = &[
    ("cm2@demo.test", "Jamie Okoro", 24),
    ("cm3@demo.test", "Riley Santos", 22),
    ("cm4@demo.test", "Taylor Nguyen", 20),
    ("cm5@demo.test", "Devon Price", 19),
    ("cm6@demo.test", "Quinn Harper", 18),
    ("cm7@demo.test", "Skyler Baptiste", 17),
    ("cm8@demo.test", "Reese Whitaker", 16),
    ("cm9@demo.test", "Kendall Ito", 15),
    ("cm10@demo.test", "Emerson Vega", 13),
];
/// Open cases of the main demo case manager, and those left unassigned.
const MAIN_CASELOAD: usize = 14;
const UNASSIGNED: usize = 12;
const CLOSED: usize = 16;

pub(crate) const FIRST: &[&str] = &[
    "James",
    "Maria",
    "Robert",
    "Linda",
    "Michael",
    "Patricia",
    "David",
    "Jennifer",
    "William",
    "Elizabeth",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Marcus",
    "Nancy",
    "Daniel",
    "Lisa",
    "Anthony",
    "Betty",
    "Terrence",
    "Dorothy",
    "Luis",
    "Sandra",
    "Andre",
    "Ashley",
    "Kevin",
    "Kimberly",
    "Jose",
    "Donna",
    "Tyrone",
    "Carol",
    "Ray",
    "Michelle",
    "Darnell",
    "Amanda",
    "Eddie",
    "Melissa",
    "Hector",
    "Deborah",
    "Shawn",
    "Tasha",
];
pub(crate) const LAST: &[&str] = &[
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Yazzie",
    "Begay",
    "Tsosie",
];
pub(crate) const NICKNAMES: &[&str] = &[
    "Red", "Smokey", "Junior", "Tiny", "Doc", "Sunny", "Slim", "Boots", "Country", "Lucky",
];
pub(crate) const RACES: &[&str] = &[
    "Black/African American",
    "White",
    "Hispanic/Latino",
    "American Indian/Alaska Native",
    "Asian",
    "Native Hawaiian/Pacific Islander",
];
pub(crate) const CORNERS: &[&str] = &[
    "3rd Ave & Pine St",
    "2nd Ave & Pike St",
    "Westlake Park",
    "King St Station",
    "12th Ave & Jackson St",
    "Occidental Park",
    "Rainier Ave & Genesee St",
    "Aurora Ave & 85th St",
    "Lake City Way & 125th St",
    "Pacific Place steps",
];
/// The demo precinct (one of `seed::DEMO_AREAS`) of each corner.
pub(crate) fn area_of(corner: &str) -> &'static str {
    match corner {
        "12th Ave & Jackson St" => "East Precinct",
        "Rainier Ave & Genesee St" => "South Precinct",
        "Aurora Ave & 85th St" | "Lake City Way & 125th St" => "North Precinct",
        _ => "West Precinct",
    }
}
pub(crate) const GOALS: &[(&str, &[&str])] = &[
    (
        "get my ID back",
        &["order birth certificate", "DMV appointment", "pay the fee"],
    ),
    (
        "a place of my own",
        &[
            "coordinated entry assessment",
            "housing application",
            "viewings",
        ],
    ),
    (
        "see my kids again",
        &[
            "call the family worker",
            "parenting class",
            "supervised visit",
        ],
    ),
    (
        "get on methadone",
        &["intake at the clinic", "daily dosing for a month"],
    ),
    (
        "deal with my warrants",
        &["talk to the defender", "court date with Pat"],
    ),
    (
        "get my teeth fixed",
        &["Medicaid card", "dental clinic visit"],
    ),
    ("find a job", &["resume", "work boots", "day labor sign-up"]),
    (
        "get SSI",
        &["medical records", "SSI application", "appeal if denied"],
    ),
    (
        "stop sleeping outside",
        &["shelter bed", "tiny house village list"],
    ),
    (
        "get back in touch with my mom",
        &["find her number", "call her"],
    ),
    (
        "get my mental health meds",
        &["psychiatric appointment", "pharmacy pick-up"],
    ),
    ("go back to school", &["GED class sign-up", "bus pass"]),
];
pub(crate) const PROVIDERS: &[(&str, &str)] = &[
    ("Downtown Public Health Clinic", "wound care"),
    ("Evergreen Treatment Services", "methadone intake"),
    ("Safe Harbor Housing", "housing application"),
    (
        "Department of Social and Health Services",
        "SNAP and cash assistance",
    ),
    ("Public Defender", "warrant and court coordination"),
    ("Community Psychiatric Clinic", "mental health assessment"),
    ("WorkSource", "job readiness"),
    ("Harborview Dental", "dental care"),
    ("Social Security Administration", "SSI application"),
];
pub(crate) const PLACES: &[Place] = &[
    Place::Street,
    Place::Street,
    Place::Street,
    Place::Street,
    Place::Shelter,
    Place::Shelter,
    Place::Office,
    Place::Phone,
    Place::Phone,
    Place::Jail,
    Place::Hospital,
    Place::Court,
];
/// Every service, in the vocabulary's order.
pub(crate) const SERVICES: &[Service] = Service::ALL;
pub(crate) const NOTES: &[&str] = &[
    "Checked in at the usual spot; in good spirits.",
    "Brought coffee, talked through the week.",
    "Drove to DSHS for the benefits appointment.",
    "Helped fill in the housing application.",
    "Went with them to court; the hearing was continued.",
    "Picked up the birth certificate at the records office.",
    "Could not find them at the camp; left a message with a friend.",
    "Met at the office; used the phone to call the landlord.",
    "Visited in jail; planning for release next week.",
    "Talked about what they want from the next month.",
    "Dropped off a tent and a sleeping bag after the sweep.",
    "Phone check-in; doing OK at the shelter.",
];
pub(crate) const HEALTH: &[&str] = &[
    "Foot wound looks better; saw the nurse.",
    "Says the voices are quieter on the new medication.",
    "Coughing for two weeks; walked them to the clinic.",
    "Missed the psychiatric appointment; rescheduled.",
    "Blood pressure high at the clinic; will follow up.",
];
pub(crate) const SUD: &[&str] = &[
    "Using less; interested in methadone.",
    "Restarted buprenorphine at the clinic.",
    "Overdosed last week, revived with naloxone by a friend.",
    "Asked about detox beds; none free today.",
    "Thirty days without meth; proud of it.",
];

/// A small linear congruential generator: deterministic demo data without
/// a random-number dependency.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// 0..n
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// True with probability `p` percent.
    pub(crate) fn chance(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo data: {e}"))
}

fn iso(d: time::Date) -> String {
    referrals::iso(d)
}

pub(crate) fn month_key(tz: &SiteTimeZone, at: OffsetDateTime) -> String {
    let d = tz.local_date(at);
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

struct Site {
    id: SiteId,
    tz: SiteTimeZone,
    policy_id: handoff_domain::PolicyVersionId,
    policy: handoff_domain::eligibility::Policy,
    officer: UserId,
    officer_agency: Agency,
    community: UserId,
    community_agency: Agency,
    prosecutor: UserId,
    case_agency: Agency,
    prosecutor_agency: Agency,
    agencies: Vec<Agency>,
}

fn agency(all: &[Agency], kind: AgencyKind) -> Result<Agency, AppError> {
    all.iter()
        .find(|a| a.kind == kind)
        .cloned()
        .ok_or_else(|| internal(format!("no {kind} agency")))
}

async fn user(c: &mut Conn<'_>, email: &str) -> Result<UserId, AppError> {
    users::find_by_email(c, &Email::parse(email)?)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| internal(format!("demo user {email} missing")))
}

/// Adds the demo site's people, once.
pub async fn populate(store: &Store) -> Result<Report, AppError> {
    let mut c = store.conn();
    let Some(site) = orgs::find_site_by_slug(&mut c, DEMO_SITE_SLUG).await? else {
        return Ok(Report::default());
    };
    if !casework::list_participants(&mut c, site.id)
        .await?
        .is_empty()
    {
        return Ok(Report::default());
    }
    let tz = SiteTimeZone::parse(&site.time_zone)?;
    let policy = handoff_store::policy::current(&mut c, site.id)
        .await?
        .ok_or_else(|| internal("no policy"))?;
    let agencies = orgs::list_agencies(&mut c, site.id).await?;
    let s = Site {
        id: site.id,
        tz,
        policy_id: policy.id,
        policy: policy.policy.clone(),
        officer: user(&mut c, "officer@demo.test").await?,
        officer_agency: agency(&agencies, AgencyKind::Police)?,
        community: user(&mut c, "community@demo.test").await?,
        community_agency: agency(&agencies, AgencyKind::Community)?,
        prosecutor: user(&mut c, "prosecutor@demo.test").await?,
        case_agency: agency(&agencies, AgencyKind::CaseManagement)?,
        prosecutor_agency: agency(&agencies, AgencyKind::Prosecutor)?,
        agencies,
    };

    // The case managers: one password hash for all demo accounts.
    let hash = handoff_services::auth::password::hash(DEMO_PASSWORD).map_err(AppError::Internal)?;
    let now = handoff_services::now();
    let mut managers: Vec<(UserId, usize)> = Vec::new();
    {
        let mut tx = store.begin().await?;
        for (email, name, load) in CASE_MANAGERS {
            let e = Email::parse(email)?;
            let id = match users::find_by_email(&mut tx.conn(), &e).await? {
                Some(u) => u.id,
                None => {
                    users::create(
                        &mut tx.conn(),
                        users::NewUser {
                            site_id: s.id,
                            agency_id: s.case_agency.id,
                            email: &e,
                            display_name: name,
                            password_hash: &hash,
                            roles: &[Role::CaseManager],
                            is_demo: true,
                        },
                        now,
                    )
                    .await?
                }
            };
            managers.push((id, *load));
        }
        tx.commit().await?;
    }
    let main_cm = user(&mut store.conn(), "casemanager@demo.test").await?;
    managers.insert(0, (main_cm, MAIN_CASELOAD));

    // Who carries each participant: the loads above and the unassigned,
    // shuffled so tenure and engagement do not follow the case manager;
    // then the closed cases, spread over the team.
    let mut rng = Lcg(0x1EAD_5EED);
    let mut plan: Vec<(Option<UserId>, bool)> = Vec::new();
    for (id, n) in &managers {
        plan.extend(std::iter::repeat_n((Some(*id), false), *n));
    }
    plan.extend(std::iter::repeat_n((None, false), UNASSIGNED));
    for i in (1..plan.len()).rev() {
        let j = rng.below(i + 1);
        plan.swap(i, j);
    }
    for k in 0..CLOSED {
        plan.push((Some(managers[k % managers.len()].0), true));
    }

    let mut report = Report::default();
    let mut used_names = std::collections::HashSet::new();
    for (i, (cm, closed)) in plan.iter().enumerate() {
        let n = person(
            store,
            &s,
            &mut rng,
            &mut used_names,
            i,
            *cm,
            main_cm,
            *closed,
            now,
        )
        .await?;
        report.participants += 1;
        report.contacts += n;
        report.referrals += 1;
    }
    // Referrals still in their hold window, and lapsed ones.
    for i in 0..24 {
        referral_only(store, &s, &mut rng, &mut used_names, i, main_cm, now).await?;
        report.referrals += 1;
    }
    let mut tx = store.begin().await?;
    let mut e = handoff_audit::AuditEvent::new("demo.seed", handoff_audit::Outcome::Allowed);
    e.site_id = Some(s.id);
    e.subject_ref = Some(format!(
        "participants:{} contacts:{}",
        report.participants, report.contacts
    ));
    handoff_store::audit::append(&mut tx, e, now).await?;
    tx.commit().await?;
    Ok(report)
}

fn name(rng: &mut Lcg, used: &mut std::collections::HashSet<String>) -> (String, String) {
    loop {
        let f = rng.pick(FIRST).to_string();
        let l = rng.pick(LAST).to_string();
        if used.insert(format!("{f} {l}")) {
            return (f, l);
        }
    }
}

/// Records that `worker` of the site's case agency accepted the referral.
async fn accept(
    c: &mut Conn<'_>,
    s: &Site,
    r: &referrals::ReferralRecord,
    worker: UserId,
    at: OffsetDateTime,
) -> Result<(), AppError> {
    let from = r.status;
    referrals::record_step(
        c,
        s.id,
        r.id,
        from,
        ReferralStep::Accepted,
        Some(worker),
        at,
    )
    .await?;
    referrals::set_case_agency(c, s.id, r.id, s.case_agency.id).await?;
    Ok(())
}

pub(crate) fn referral_form(
    rng: &mut Lcg,
    first: &str,
    last: &str,
    occurred_at: OffsetDateTime,
    community: bool,
    i: usize,
) -> ReferralForm {
    let year = 1965 + rng.below(38);
    let dob = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
    let aliases: Vec<String> = if rng.chance(30) {
        vec![rng.pick(NICKNAMES).to_string()]
    } else {
        Vec::new()
    };
    let sex = if rng.chance(68) { "M" } else { "F" };
    let race = if rng.chance(40) {
        RACES[0]
    } else {
        *rng.pick(RACES)
    };
    let offence = rng
        .pick(&[
            json!({"category": "drug_possession", "substance": "opioid", "quantity_grams": 0.4}),
            json!({"category": "drug_possession", "substance": "stimulant", "quantity_grams": 1.1}),
            json!({"category": "drug_possession", "substance": "stimulant", "quantity_grams": 0.8}),
            json!({"category": "theft"}),
            json!({"category": "trespass"}),
            json!({"category": "sex_work"}),
        ])
        .clone();
    let at = occurred_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let corner = *rng.pick(CORNERS);
    let mut body = json!({
        "door": if community { "community" } else { "arrest_diversion" },
        "person": {"first_name": first, "last_name": last, "aliases": aliases, "dob": dob, "sex": sex, "race": race},
        "offenses": if community { json!([]) } else { json!([offence]) },
        "occurred_at": at,
        "location": {"address": corner, "area": area_of(corner)},
    });
    if !community {
        body["incident_number"] = json!(format!(
            "{}-{:06}",
            occurred_at.year() % 100,
            100_000 + i * 37
        ));
    }
    serde_json::from_value(body).unwrap_or_default()
}

struct Referred {
    record: referrals::ReferralRecord,
    hold: Option<Hold>,
}

/// Records a referral (screened against the current policy) and its hold.
async fn refer(
    c: &mut Conn<'_>,
    s: &Site,
    form: ReferralForm,
    referred_at: OffsetDateTime,
) -> Result<Option<Referred>, AppError> {
    let community = form.door == "community";
    let Ok(referral) = Referral::try_from(form) else {
        return Ok(None);
    };
    let facts = ScreeningFacts::from_referral(
        &referral,
        s.tz.local_date(referral.occurred_at),
        KnownRecord {
            capacity_remains: true,
            ..KnownRecord::default()
        },
    );
    let screening = eligibility::screen(&s.policy, &facts);
    if !screening.eligible {
        return Ok(None);
    }
    let status = ReferralStatus::after_screening(true, s.policy.needs_approval(referral.door));
    let (by, agency) = if community {
        (s.community, s.community_agency.id)
    } else {
        (s.officer, s.officer_agency.id)
    };
    let record = referrals::create(
        c,
        referrals::NewReferral {
            site: s.id,
            referral: &referral,
            referred_by: by,
            referrer_agency: agency,
            policy_version: s.policy_id,
            screening: &screening,
            status,
            referred_at,
            client_token: None,
        },
    )
    .await?;
    if let Some(name) = &referral.location.area
        && let Some(a) = handoff_store::areas::list(c, s.id)
            .await?
            .into_iter()
            .find(|a| &a.name == name)
    {
        handoff_store::areas::set_referral_area(c, s.id, record.id, a.id).await?;
    }
    let hold = if community {
        None
    } else {
        let h = Hold::open(
            new_id::<HoldId>(),
            record.id,
            referred_at,
            s.policy.hold_window_days,
            &s.tz,
        )
        .map_err(|_| internal("hold deadline"))?;
        holds::create(c, s.id, &h, Some(s.prosecutor_agency.id)).await?;
        Some(h)
    };
    if status == ReferralStatus::AwaitingApproval {
        referrals::record_step(
            c,
            s.id,
            record.id,
            status,
            ReferralStep::Approved,
            Some(s.officer),
            referred_at,
        )
        .await?;
    }
    let record = referrals::get(c, s.id, record.id).await?;
    Ok(Some(Referred { record, hold }))
}

/// The categories a release may name for a recipient, by scope.
fn scopes(rng: &mut Lcg, s: &Site) -> (Vec<serde_json::Value>, bool) {
    let id = |k: AgencyKind| {
        s.agencies
            .iter()
            .find(|a| a.kind == k)
            .map(|a| a.id.to_string())
            .unwrap_or_default()
    };
    let mut r = Vec::new();
    let mut sud = false;
    if rng.chance(65) {
        r.push(json!({"agency_id": id(AgencyKind::Police), "categories": ["enrollment", "engagement"]}));
    }
    if rng.chance(45) {
        r.push(json!({"agency_id": id(AgencyKind::Prosecutor), "categories": ["enrollment", "engagement", "plan"]}));
    }
    if rng.chance(40) {
        r.push(json!({"agency_id": id(AgencyKind::Defender), "categories": ["enrollment", "engagement", "plan", "notes", "justice"]}));
    }
    if rng.chance(45) {
        let mut cats = vec!["enrollment", "engagement", "plan", "notes", "health"];
        if rng.chance(35) {
            cats.push("sud");
            sud = true;
        }
        r.push(json!({"agency_id": id(AgencyKind::Housing), "categories": cats}));
    }
    if r.is_empty() {
        r.push(json!({"agency_id": id(AgencyKind::Housing), "categories": ["enrollment"]}));
    }
    (r, sud)
}

async fn release(
    c: &mut Conn<'_>,
    s: &Site,
    rng: &mut Lcg,
    pid: handoff_domain::ParticipantId,
    by: UserId,
    signed_at: OffsetDateTime,
    expires_on: time::Date,
) -> Result<(Release, handoff_domain::ReleaseId), AppError> {
    let (recipients, sud) = scopes(rng, s);
    let mut form = json!({
        "recipients": recipients,
        "purpose": "care coordination and case conferencing",
        "expires_on": iso(expires_on),
        "signature": {"method": "drawn", "image_base64": "document:signed-on-paper"},
    });
    if sud {
        form["part2"] = json!({"discloser": s.case_agency.name, "information": "substance-use treatment status and plan", "right_to_revoke_acknowledged": true});
    }
    let form: ReleaseForm = serde_json::from_value(form).map_err(internal)?;
    let signed_on = s.tz.local_date(signed_at);
    let r = Release::parse(&form, signed_on)?;
    let stored = StoredRelease {
        form,
        effective_on: r.effective_on(),
        revoked_at: None,
    };
    let id = releases::create(
        c,
        releases::NewRelease {
            site: s.id,
            participant: pid,
            stored: &stored,
            release: &r,
            signature: None,
            by,
            at: signed_at,
        },
    )
    .await?;
    Ok((r, id))
}

/// One participant: referral, hand-off, intake, release, the hold
/// satisfied, and then months of casework. Returns the contacts made.
#[allow(clippy::too_many_arguments)]
async fn person(
    store: &Store,
    s: &Site,
    rng: &mut Lcg,
    used: &mut std::collections::HashSet<String>,
    i: usize,
    cm: Option<UserId>,
    main_cm: UserId,
    closed: bool,
    now: OffsetDateTime,
) -> Result<usize, AppError> {
    let (first, last) = name(rng, used);
    // Tenure: four in five referred more than a year ago (so the outcome
    // evaluation follows them for a year), the rest over the last two.
    let days_ago = if closed { 120 } else { 10 }
        + rng.below(600) as i64
        + if i.is_multiple_of(5) { 0 } else { 380 };
    let referred_at = now - Duration::days(days_ago) - Duration::minutes(rng.below(600) as i64);
    let community = rng.chance(18);
    // The same person's form, by the community door or (on a retry) not.
    let occurred_at = referred_at - Duration::minutes(25);
    let mut form_for = |community| referral_form(rng, &first, &last, occurred_at, community, i);
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let referred = match refer(&mut c, s, form_for(community), referred_at).await? {
        Some(r) => r,
        None => refer(&mut c, s, form_for(false), referred_at)
            .await?
            .ok_or_else(|| internal("a demo referral was not eligible"))?,
    };
    let r = referred.record;
    let worker = cm.unwrap_or(main_cm);
    let accepted_at = referred_at + Duration::minutes(8 + rng.below(40) as i64);
    accept(&mut c, s, &r, worker, accepted_at).await?;
    let intake_at = accepted_at + Duration::hours(rng.below(24 * 6) as i64);
    referrals::record_step(
        &mut c,
        s.id,
        r.id,
        ReferralStatus::Accepted,
        ReferralStep::IntakeCompleted,
        Some(worker),
        intake_at,
    )
    .await?;
    let living = *rng.pick(&[
        LivingSituation::PlaceNotMeantForHabitation,
        LivingSituation::PlaceNotMeantForHabitation,
        LivingSituation::PlaceNotMeantForHabitation,
        LivingSituation::EmergencyShelter,
        LivingSituation::EmergencyShelter,
        LivingSituation::StayingWithFriendsTemporary,
        LivingSituation::HotelMotelNoVoucher,
        LivingSituation::RentalNoSubsidy,
    ]);
    let working = rng.chance(15);
    let benefits = rng.chance(35);
    let content = IntakeContent {
        living_situation: living.as_str().to_string(),
        general: json!({
            "housing_status": living.collapse().as_str(),
            "employment": if working { "informal" } else { "none" },
            "monthly_income": if working { json!(300 + rng.below(600)) } else { json!(null) },
            "benefits": if benefits { json!(["SNAP"]) } else { json!([]) },
            "legal": if rng.chance(40) { json!("Two old warrants for missed court dates") } else { json!(null) },
            "documents": if rng.chance(60) { json!("No ID; birth certificate lost") } else { json!(null) },
            "notes": null,
        }),
        health: json!({"health": rng.pick(HEALTH), "mental_health": if rng.chance(50) { json!("Depression, not treated now") } else { json!(null) }}),
        sud: json!({"substance_use": rng.pick(&["Daily fentanyl smoking", "Methamphetamine, some days", "Alcohol, daily", "Heroin and meth"])}),
        goals: vec![],
    };
    let pid = casework::record_intake(
        &mut c,
        NewIntake {
            site: s.id,
            referral: r.id,
            person: r.person_id,
            agency: s.case_agency.id,
            case_manager: worker,
            content: &content,
            at: intake_at,
        },
    )
    .await?;
    referrals::set_participant(&mut c, s.id, r.id, pid).await?;
    if cm.is_none() {
        participation::assign(
            &mut c,
            s.id,
            pid,
            Some(worker),
            None,
            &json!({"verdict": "fine"}),
            worker,
            intake_at + Duration::days(1),
        )
        .await?;
    }

    // The release: most in force, some expired (then renewed or not), some revoked.
    let signed_at = intake_at + Duration::hours(rng.below(72) as i64);
    let today = s.tz.local_date(now);
    let signed_on = s.tz.local_date(signed_at);
    let roll = rng.below(100);
    let first_expiry = if roll < 18 && days_ago > 200 {
        signed_on + Duration::days(180)
    } else {
        signed_on + Duration::days(365 * 2 + rng.below(200) as i64)
    };
    let (rel, rel_id) = release(&mut c, s, rng, pid, worker, signed_at, first_expiry).await?;
    if first_expiry < today && rng.chance(50) {
        let renewed_at =
            s.tz.start_of_day(first_expiry)
                .map_err(|_| internal("date"))?
                + Duration::hours(12);
        release(
            &mut c,
            s,
            rng,
            pid,
            worker,
            renewed_at,
            today + Duration::days(300),
        )
        .await?;
    } else if (18..26).contains(&roll) {
        let revoked_at =
            signed_at + Duration::days(rng.below((days_ago as usize).max(2) - 1) as i64);
        releases::revoke(&mut c, s.id, rel_id, revoked_at.min(now)).await?;
    }
    if let Some(mut h) = referred.hold
        && let Ok(ev) = h.satisfy_with_release(intake_at, &rel, signed_at, &s.tz)
    {
        h.apply(&ev).map_err(internal)?;
        holds::save(&mut c, s.id, &h).await?;
    }
    referrals::record_step(
        &mut c,
        s.id,
        r.id,
        ReferralStatus::IntakeComplete,
        ReferralStep::ReleaseSigned,
        Some(worker),
        signed_at,
    )
    .await?;
    casework::mark_enrolled(&mut c, s.id, pid, signed_at).await?;

    // Profile extras: identifiers, a phone for some, where to find them.
    let mut identifiers = vec![
        json!({"kind": "booking_number", "value": format!("B{}{:05}", referred_at.year() % 100, 10_000 + i * 7)}),
    ];
    if rng.chance(50) {
        identifiers
            .push(json!({"kind": "state_id", "value": format!("WDL{:07}", 1_000_000 + i * 131)}));
    }
    let profile = json!({
        "aliases": if rng.chance(15) { json!([rng.pick(NICKNAMES)]) } else { json!([]) },
        "identifiers": identifiers,
        "phone": if rng.chance(40) { json!(format!("206-555-{:04}", 100 + i)) } else { json!(null) },
        "email": null,
        "where_to_find": [{"place": rng.pick(CORNERS), "times": rng.pick(&["weekday mornings", "afternoons", "evenings after the meal program", "most days"])}],
    });
    handoff_store::profile::put(&mut c, s.id, pid, &profile, worker, intake_at).await?;

    // Goals in the participant's words, and service referrals.
    let mut goal_ids = Vec::new();
    for k in 0..(1 + rng.below(3)) {
        let (words, steps) = GOALS[(i * 3 + k * 5 + rng.below(3)) % GOALS.len()];
        let age = days_ago as usize;
        let status = match rng.below(10) {
            0..=5 => GoalStatus::Active,
            6..=8 if age > 90 => GoalStatus::Achieved,
            _ => GoalStatus::SetAside,
        };
        let steps: Vec<Step> = steps
            .iter()
            .enumerate()
            .map(|(j, t)| Step {
                text: t.to_string(),
                done: status == GoalStatus::Achieved || (j == 0 && rng.chance(60)),
            })
            .collect();
        let g = goals::create(
            &mut c,
            s.id,
            pid,
            words,
            status,
            &steps,
            worker,
            signed_at + Duration::days(k as i64 * 20),
        )
        .await?;
        goal_ids.push(g);
    }
    for _ in 0..rng.below(4) {
        let (provider, service) = *rng.pick(PROVIDERS);
        let on = signed_on + Duration::days(rng.below((days_ago as usize).max(1)) as i64);
        let outcome = *rng.pick(&[
            ReferralOutcome::Pending,
            ReferralOutcome::Connected,
            ReferralOutcome::Connected,
            ReferralOutcome::NotConnected,
            ReferralOutcome::Declined,
        ]);
        goals::create_service_referral(
            &mut c,
            NewServiceReferral {
                site: s.id,
                participant: pid,
                goal: goal_ids.first().copied(),
                provider,
                service,
                referred_on: &iso(on.min(today)),
                outcome,
                by: worker,
                at: signed_at,
            },
        )
        .await?;
    }

    // Closing (and sometimes reopening).
    let enrolled_on = signed_on;
    let mut close_on = None;
    let mut events = Vec::new();
    if closed {
        let reason = *rng.pick(ClosureReason::ALL);
        let on = enrolled_on
            + Duration::days(30 + rng.below((days_ago as usize).saturating_sub(45).max(1)) as i64);
        events.push(ParticipationEvent::Closed {
            reason,
            on: on.min(today),
            note: String::new(),
        });
        close_on = Some(on.min(today));
    } else if i % 23 == 5 && days_ago > 200 {
        let on = enrolled_on + Duration::days(60 + rng.below(60) as i64);
        events.push(ParticipationEvent::Closed {
            reason: ClosureReason::LongIncarceration,
            on,
            note: "Serving a sentence on an old case".into(),
        });
        events.push(ParticipationEvent::Reopened {
            on: on + Duration::days(45 + rng.below(40) as i64),
        });
    }
    for e in &events {
        let at =
            s.tz.start_of_day(match e {
                ParticipationEvent::Closed { on, .. } | ParticipationEvent::Reopened { on } => *on,
            })
            .map_err(|_| internal("date"))?
                + Duration::hours(15);
        participation::append(&mut c, s.id, pid, e, worker, at).await?;
    }

    // The year before referral, as told at intake (explicit months: the
    // outcome evaluation's "before"). Its own generator, so the rest of
    // the demo does not move.
    {
        let mut hr = Lcg(0x5EED_0000 + i as u64);
        let ref_day = s.tz.local_date(referred_at);
        let (mut y, mut m) = (ref_day.year(), u8::from(ref_day.month()));
        for _ in 0..12 {
            (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            let key = format!("{y:04}-{m:02}");
            let then = if hr.chance(12) {
                LivingSituation::RentalNoSubsidy
            } else {
                living
            };
            let job = if hr.chance(6) {
                "part_time"
            } else if working && hr.chance(70) {
                "informal"
            } else {
                "not_working"
            };
            let money = (benefits || working) && hr.chance(80);
            monthly::upsert(
                &mut c,
                monthly::Upsert {
                    site: s.id,
                    participant: pid,
                    month: &key,
                    living_situation: Some(then.as_str()),
                    housing: Some(then.collapse().as_str()),
                    employment: Some(job),
                    income_benefits: Some(money),
                    source: "explicit",
                    by: Some(worker),
                    at: intake_at,
                },
            )
            .await?;
        }
    }

    // Contacts: some seen every few days, some every few weeks, some not
    // seen lately; statuses drift, mostly towards housing and income.
    let mean_gap = *rng.pick(&[4usize, 6, 8, 10, 14, 21]);
    let quiet_tail = rng.chance(15);
    let stop = match (close_on, quiet_tail) {
        (Some(d), _) => s.tz.start_of_day(d).map_err(|_| internal("date"))?,
        (None, true) => now - Duration::days(31 + rng.below(60) as i64),
        (None, false) => now,
    };
    let gap_of = |ev: &[ParticipationEvent], t: OffsetDateTime| {
        // No contacts while a case was closed.
        if let [
            ParticipationEvent::Closed { on: a, .. },
            ParticipationEvent::Reopened { on: b },
        ] = ev
        {
            let d = s.tz.local_date(t);
            d >= *a && d < *b
        } else {
            false
        }
    };
    let mut housing = living;
    let mut employment = if working { "informal" } else { "not_working" };
    let mut income = benefits || working;
    let mut t = signed_at + Duration::days(1 + rng.below(4) as i64);
    let mut month = String::new();
    let mut made = 0;
    while t < stop {
        if !gap_of(&events, t) {
            let place = *rng.pick(PLACES);
            let mut services: Vec<Service> = Vec::new();
            for _ in 0..rng.below(3) {
                let sv = *rng.pick(SERVICES);
                if !services.contains(&sv) {
                    services.push(sv);
                }
            }
            let mut pieces = vec![Piece {
                category: DataCategory::Notes,
                body: rng.pick(NOTES).to_string(),
            }];
            if rng.chance(20) {
                pieces.push(Piece {
                    category: DataCategory::Health,
                    body: rng.pick(HEALTH).to_string(),
                });
            }
            if rng.chance(15) {
                pieces.push(Piece {
                    category: DataCategory::Sud,
                    body: rng.pick(SUD).to_string(),
                });
            }
            contacts::create(
                &mut c,
                NewContact {
                    site: s.id,
                    participant: pid,
                    occurred_at: t,
                    duration_minutes: 5 + rng.below(80) as i64,
                    place,
                    staff_role: if rng.chance(20) {
                        StaffRole::PeerOutreach
                    } else {
                        StaffRole::CaseManager
                    },
                    services: &services,
                    pieces: &pieces,
                    by: worker,
                    at: t,
                },
            )
            .await?;
            made += 1;
            // Once a month, what the contact saw.
            let key = month_key(&s.tz, t);
            if key != month {
                month = key;
                let h = housing.collapse();
                housing = match (h, rng.below(100)) {
                    (handoff_domain::living::HousingStatus::Unsheltered, 0..=9) => {
                        LivingSituation::EmergencyShelter
                    }
                    (handoff_domain::living::HousingStatus::Sheltered, 0..=7) => *rng.pick(&[
                        LivingSituation::RentalWithSubsidy,
                        LivingSituation::PermanentSupportiveHousing,
                    ]),
                    (handoff_domain::living::HousingStatus::Sheltered, 8..=11) => {
                        LivingSituation::PlaceNotMeantForHabitation
                    }
                    (handoff_domain::living::HousingStatus::Housed, 0..=2) => {
                        LivingSituation::EmergencyShelter
                    }
                    _ => housing,
                };
                employment = match (employment, rng.below(100)) {
                    ("not_working", 0..=5) => "seeking",
                    ("seeking", 0..=9) => "informal",
                    ("seeking", 10..=13) => "training",
                    ("informal", 0..=7) => "part_time",
                    ("part_time", 0..=4) => "full_time",
                    ("part_time", 5..=7) => "seeking",
                    (e, _) => e,
                };
                if !income && rng.chance(12) {
                    income = true;
                }
                if rng.chance(85) {
                    monthly::upsert(
                        &mut c,
                        monthly::Upsert {
                            site: s.id,
                            participant: pid,
                            month: &month,
                            living_situation: Some(housing.as_str()),
                            housing: Some(housing.collapse().as_str()),
                            employment: Some(employment),
                            income_benefits: Some(income),
                            source: "contact",
                            by: Some(worker),
                            at: t,
                        },
                    )
                    .await?;
                }
            }
        }
        let gap = 1 + rng.below(mean_gap * 2) as i64;
        t += Duration::days(gap) + Duration::minutes(rng.below(300) as i64 - 150);
    }
    tx.commit().await?;
    Ok(made)
}

/// A referral that has not (yet) become a participant: its hold pending,
/// or lapsed with or without the prosecutor's decision.
#[allow(clippy::too_many_arguments)]
async fn referral_only(
    store: &Store,
    s: &Site,
    rng: &mut Lcg,
    used: &mut std::collections::HashSet<String>,
    i: usize,
    main_cm: UserId,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let (first, last) = name(rng, used);
    let window = i64::from(s.policy.hold_window_days);
    let pending = i < 10;
    let days_ago = if pending {
        1 + rng.below(window.max(2) as usize - 1) as i64
    } else {
        window + 3 + rng.below(300) as i64
    };
    let referred_at = now - Duration::days(days_ago) - Duration::minutes(rng.below(600) as i64);
    let form = referral_form(
        rng,
        &first,
        &last,
        referred_at - Duration::minutes(20),
        false,
        900 + i,
    );
    let mut tx = store.begin().await?;
    let mut c = tx.conn();
    let Some(referred) = refer(&mut c, s, form, referred_at).await? else {
        return Ok(());
    };
    let r = referred.record;
    if !i.is_multiple_of(3) {
        let accepted_at = referred_at + Duration::minutes(15 + rng.below(30) as i64);
        accept(&mut c, s, &r, main_cm, accepted_at).await?;
    }
    if let Some(mut h) = referred.hold
        && !pending
        && let Some(ev @ HoldEvent::Lapsed { at }) = h.due(now)
    {
        h.apply(&ev).map_err(internal)?;
        let decision = match i % 4 {
            0 => None,
            1 => Some((
                ProsecutorDecision::Declined,
                "Declined: LEAD outreach continuing",
            )),
            2 => Some((
                ProsecutorDecision::Filed,
                "Filed after no contact for the window",
            )),
            _ => Some((ProsecutorDecision::Deferred, "Deferred to the next OWG")),
        };
        if let Some((d, note)) = decision {
            let ev = h
                .decide(d, note, s.prosecutor, at + Duration::days(3))
                .map_err(internal)?;
            h.apply(&ev).map_err(internal)?;
        }
        holds::save(&mut c, s.id, &h).await?;
    }
    tx.commit().await?;
    Ok(())
}
