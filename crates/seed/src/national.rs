//! The national network generator behind `handoff seed --sites N
//! --participants N --contacts N [--seed S]`: many sites (`site-001`,
//! `site-002`, …), each realistic like the demo site — referrals through
//! the doors (some awaiting hand-off, some ineligible), holds in every state
//! (pending, satisfied, lapsed with and without the prosecutor's decision),
//! intake, releases of varied scope (some expired and renewed, some
//! revoked), the participants' goals and service referrals, contacts with
//! notes in their categories, monthly status, closed and reopened cases,
//! and justice records linked to the site's persons or waiting for review.
//!
//! Each site has the demo's accounts as `ROLE@site-001.test` (password
//! `demo-password`, demo accounts without a second factor) and the case
//! managers its caseloads need (`cm2@site-001.test`, …, about 18 open cases
//! each); the network's `bureau@network.test` is made by
//! [`network_accounts`].
//!
//! Deterministic: every name, value and id (UUID v7 whose random bits come
//! from the seed) follows from the arguments and `now`, so the same
//! arguments on the same day give the same database. Idempotent: a site is
//! written whole in one transaction — its rows through the store's bulk
//! writer (`handoff_store::bulk`, multi-row INSERTs) and one `national.seed`
//! audit entry appended through the store's audit writer — so a site either
//! exists complete or not at all, and a second run skips the sites present.

use crate::data::{self, Lcg};
use handoff_domain::casework::{GoalStatus, ReferralOutcome, StaffRole};
use handoff_domain::eligibility::{self, KnownRecord, Policy, ScreeningFacts};
use handoff_domain::handoff::ReferralStatus;
use handoff_domain::hold::{Hold, HoldEvent, ProsecutorDecision};
use handoff_domain::living::{HousingStatus, LivingSituation};
use handoff_domain::participation::{ClosureReason, ParticipationEvent};
use handoff_domain::referral::{Birth, Referral};
use handoff_domain::release::{Release, ReleaseForm, StoredRelease};
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{
    AgencyKind, DataCategory, HoldId, ParticipantId, PersonId, PolicyVersionId, ReferralId, Role,
    SiteId, UserId,
};
use handoff_justice::records::{Arrest, Booking, Charge, PersonFields, Record, SourceNumber};
use handoff_services::error::AppError;
use handoff_store::bulk::{self, Rows};
use handoff_store::referrals::iso;
use handoff_store::{Store, args, orgs};
use serde_json::json;
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Args {
    pub sites: usize,
    /// Participants across the network (split unevenly between sites).
    pub participants: usize,
    /// Contacts across the network (split with the participants).
    pub contacts: usize,
    pub seed: u64,
    /// The moment the data is generated "as of": every time is before it.
    /// The command passes the start of the current UTC day, so two runs on
    /// the same day write the same rows.
    pub now: OffsetDateTime,
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Sites written by this run.
    pub sites_added: usize,
    /// Sites already present (left alone).
    pub sites_present: usize,
    pub participants: usize,
    pub contacts: usize,
    pub referrals: usize,
    /// Rows written, all tables.
    pub rows: u64,
}

/// Progress, reported as rows are written (and for sites skipped).
#[derive(Debug, Clone, Copy)]
pub enum Tick<'a> {
    /// A site is being written (or skipped when already present).
    Site {
        slug: &'a str,
        present: bool,
    },
    Participants(usize),
    Contacts(usize),
}

/// The slug of the `k`-th site (0-based): `site-001`, `site-002`, …
pub fn slug(k: usize) -> String {
    format!("site-{:03}", k + 1)
}

/// The login of a seeded site's account: `ROLE@site-001.test`.
pub fn login(role: &str, slug: &str) -> String {
    format!("{role}@{slug}.test")
}

/// The network's account, today a Bureau-role user of the first site.
pub const BUREAU_LOGIN: &str = "bureau@network.test";

/// How many participants and contacts each site gets: weights between 0.6
/// and 1.4 drawn from the seed, the totals split exactly (largest
/// remainder).
pub fn plan(args: &Args) -> Vec<(usize, usize)> {
    let mut rng = Lcg(args.seed ^ 0x517E_5EED);
    let weights: Vec<f64> = (0..args.sites)
        .map(|_| 60.0 + rng.below(81) as f64)
        .collect();
    let people = split(args.participants, &weights);
    let by_people: Vec<f64> = if args.participants > 0 {
        people.iter().map(|p| *p as f64).collect()
    } else {
        weights
    };
    let contacts = split(args.contacts, &by_people);
    people.into_iter().zip(contacts).collect()
}

/// Splits `total` in proportion to `weights`, exactly (largest remainder).
fn split(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum <= 0.0 {
        return split(total, &vec![1.0; weights.len()]);
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| {
        let ra = exact[*a] - exact[*a].floor();
        let rb = exact[*b] - exact[*b].floor();
        rb.total_cmp(&ra).then(a.cmp(b))
    });
    for i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[*i] += 1;
        left -= 1;
    }
    out
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("national seed: {e}"))
}

/// How many sites are written at once on PostgreSQL (each on its own
/// connection): one is generated while the server stores another. SQLite
/// has one writer, so one.
const PG_WRITERS: usize = 2;

/// Writes every site of the network that is not there yet. `password_hash`
/// is the one hash of `demo-password` every seeded account shares.
pub async fn national(
    store: &Store,
    args: &Args,
    password_hash: &str,
    progress: &mut (dyn FnMut(Tick<'_>) + Send),
) -> Result<Report, AppError> {
    if args.sites == 0 {
        return Err(AppError::field("sites", "Give at least one site."));
    }
    let mut report = Report::default();
    let mut missing = Vec::new();
    for (k, (people, contacts)) in plan(args).into_iter().enumerate() {
        let slug = slug(k);
        if orgs::find_site_by_slug(&mut store.conn(), &slug)
            .await?
            .is_some()
        {
            progress(Tick::Site {
                slug: &slug,
                present: true,
            });
            progress(Tick::Participants(people));
            progress(Tick::Contacts(contacts));
            report.sites_present += 1;
        } else {
            missing.push((k, people, contacts));
        }
    }
    let progress = std::sync::Mutex::new(progress);
    let writers = match store.backend() {
        handoff_store::Backend::Postgres => PG_WRITERS,
        handoff_store::Backend::Sqlite => 1,
    };
    let lanes = (0..writers).map(|lane| {
        let mine: Vec<_> = missing
            .iter()
            .copied()
            .skip(lane)
            .step_by(writers)
            .collect();
        let progress = &progress;
        async move {
            let mut report = Report::default();
            for (k, people, contacts) in mine {
                write_site(
                    store,
                    args,
                    password_hash,
                    k,
                    people,
                    contacts,
                    &mut report,
                    progress,
                )
                .await?;
            }
            Ok::<_, AppError>(report)
        }
    });
    for lane in futures_util::future::join_all(lanes).await {
        let r = lane?;
        report.sites_added += r.sites_added;
        report.participants += r.participants;
        report.contacts += r.contacts;
        report.referrals += r.referrals;
        report.rows += r.rows;
    }
    if report.sites_added > 0 {
        // The planner's statistics, so the first requests after a bulk load
        // use the participant's and the referral's keys, not a site scan.
        store.analyze().await?;
    }
    Ok(report)
}

type Progress<'p> = std::sync::Mutex<&'p mut (dyn FnMut(Tick<'_>) + Send)>;

fn tell(progress: &Progress<'_>, t: Tick<'_>) {
    if let Ok(mut p) = progress.lock() {
        p(t);
    }
}

/// Generates one site and writes it in one transaction with its audit entry.
#[allow(clippy::too_many_arguments)]
async fn write_site(
    store: &Store,
    args: &Args,
    password_hash: &str,
    k: usize,
    people: usize,
    contacts: usize,
    report: &mut Report,
    progress: &Progress<'_>,
) -> Result<(), AppError> {
    let slug = slug(k);
    tell(
        progress,
        Tick::Site {
            slug: &slug,
            present: false,
        },
    );
    let site = SiteGen::new(args, k, &slug, password_hash)?.generate(people, contacts)?;
    let mut tx = store.begin().await?;
    for rows in site.tables {
        let table = rows.table().name;
        let mut tick = |n: usize| match table {
            "participants" => tell(progress, Tick::Participants(n)),
            "contacts" => tell(progress, Tick::Contacts(n)),
            _ => {}
        };
        report.rows += bulk::insert(&mut tx.conn(), rows, &mut tick).await?;
    }
    let mut e = handoff_audit::AuditEvent::new("national.seed", handoff_audit::Outcome::Allowed);
    e.site_id = Some(site.id);
    e.subject_ref = Some(format!(
        "sites:{} participants:{} contacts:{} seed:{}",
        args.sites, people, contacts, args.seed
    ));
    handoff_store::audit::append(&mut tx, e, args.now).await?;
    tx.commit().await?;
    report.sites_added += 1;
    report.participants += people;
    report.contacts += contacts;
    report.referrals += site.referrals;
    Ok(())
}

/// A site's rows, in the order foreign keys need.
struct SiteRows {
    id: SiteId,
    tables: Vec<Rows>,
    referrals: usize,
}

/// Deterministic UUID v7: the time of the thing it names, and random bits
/// from the seed, the site and a counter.
struct Ids {
    key: u64,
    n: u64,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Ids {
    fn next<T: From<Uuid>>(&mut self, at: OffsetDateTime) -> T {
        self.n += 1;
        let a = splitmix(self.key ^ self.n.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let b = splitmix(a);
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..].copy_from_slice(&b.to_le_bytes()[..2]);
        let ms = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        T::from(uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid())
    }
}

const COUNTIES: &[&str] = &[
    "Adams",
    "Benton",
    "Chelan",
    "Clallam",
    "Clark",
    "Cowlitz",
    "Douglas",
    "Ferry",
    "Franklin",
    "Grant",
    "Harbor",
    "Island",
    "Jefferson",
    "King",
    "Kitsap",
    "Kittitas",
    "Lewis",
    "Lincoln",
    "Mason",
    "Okanogan",
    "Pacific",
    "Pierce",
    "Skagit",
    "Spokane",
    "Stevens",
    "Thurston",
    "Walla Walla",
    "Whatcom",
    "Yakima",
    "Bernalillo",
    "Santa Fe",
    "Dona Ana",
    "Albany",
    "Erie",
    "Onondaga",
    "Fulton",
    "DeKalb",
    "Cook",
    "Wayne",
    "Marion",
    "Hennepin",
    "Ramsey",
    "Travis",
    "Harris",
    "Denver",
    "Boulder",
    "Maricopa",
    "Pima",
    "Multnomah",
    "Lane",
    "Salt Lake",
    "Ada",
    "Baltimore",
    "Durham",
    "Wake",
    "Orange",
    "Alameda",
    "Sonoma",
    "Hillsborough",
    "Dane",
];
const ZONES: &[&str] = &[
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Phoenix",
    "America/Anchorage",
    "Pacific/Honolulu",
];
/// (name after the county, kind): the demo's organisations.
const AGENCIES: &[(&str, AgencyKind)] = &[
    ("Police Department", AgencyKind::Police),
    ("Prosecuting Attorney", AgencyKind::Prosecutor),
    ("Harm Reduction Services", AgencyKind::CaseManagement),
    ("Public Defender", AgencyKind::Defender),
    ("Housing Partners", AgencyKind::Housing),
    ("Civil Liberties Union", AgencyKind::CivilRights),
    ("Neighborhood Outreach", AgencyKind::Community),
    ("LEAD Evaluation Team", AgencyKind::Research),
    ("LEAD Program Office", AgencyKind::ProgramOffice),
];
const BUREAU_AGENCY: &str = "National LEAD Support Bureau";
/// Open cases of the main case manager (`casemanager@…`); the others carry
/// about [`CASELOAD`] each (the standard is 15, the ceiling 25).
const MAIN_CASELOAD: usize = 14;
const CASELOAD: usize = 18;

struct SiteGen<'a> {
    k: usize,
    slug: &'a str,
    hash: &'a str,
    seed: u64,
    id: SiteId,
    tz: SiteTimeZone,
    now: OffsetDateTime,
    today: Date,
    policy: Policy,
    policy_id: PolicyVersionId,
    agencies: HashMap<AgencyKind, (handoff_domain::AgencyId, String)>,
    areas: HashMap<&'static str, Uuid>,
    users: HashMap<&'static str, UserId>,
    rng: Lcg,
    ids: Ids,
    t: Tables,
    referrals: usize,
    next_number: usize,
}

/// One `Rows` per table the generator fills.
struct Tables {
    sites: Rows,
    agencies: Rows,
    users: Rows,
    user_roles: Rows,
    policy: Rows,
    areas: Rows,
    roster: Rows,
    persons: Rows,
    referrals: Rows,
    holds: Rows,
    hold_decisions: Rows,
    participants: Rows,
    intakes: Rows,
    releases: Rows,
    profiles: Rows,
    goals: Rows,
    service_referrals: Rows,
    contacts: Rows,
    contact_notes: Rows,
    monthly: Rows,
    events: Rows,
    justice: Rows,
}

impl Tables {
    fn new() -> Self {
        Self {
            sites: Rows::new(&bulk::SITES),
            agencies: Rows::new(&bulk::AGENCIES),
            users: Rows::new(&bulk::USERS),
            user_roles: Rows::new(&bulk::USER_ROLES),
            policy: Rows::new(&bulk::POLICY_VERSIONS),
            areas: Rows::new(&bulk::SITE_AREAS),
            roster: Rows::new(&bulk::ROSTER_SHIFTS),
            persons: Rows::new(&bulk::PERSONS),
            referrals: Rows::new(&bulk::REFERRALS),
            holds: Rows::new(&bulk::HOLDS),
            hold_decisions: Rows::new(&bulk::HOLD_DECISIONS),
            participants: Rows::new(&bulk::PARTICIPANTS),
            intakes: Rows::new(&bulk::INTAKES),
            releases: Rows::new(&bulk::RELEASES),
            profiles: Rows::new(&bulk::PROFILES),
            goals: Rows::new(&bulk::GOALS),
            service_referrals: Rows::new(&bulk::SERVICE_REFERRALS),
            contacts: Rows::new(&bulk::CONTACTS),
            contact_notes: Rows::new(&bulk::CONTACT_NOTES),
            monthly: Rows::new(&bulk::MONTHLY_STATUS),
            events: Rows::new(&bulk::PARTICIPATION_EVENTS),
            justice: Rows::new(&bulk::JUSTICE_RECORDS),
        }
    }

    /// In the order foreign keys need.
    fn into_vec(self) -> Vec<Rows> {
        vec![
            self.sites,
            self.agencies,
            self.users,
            self.user_roles,
            self.policy,
            self.areas,
            self.roster,
            self.persons,
            self.referrals,
            self.holds,
            self.hold_decisions,
            self.participants,
            self.intakes,
            self.releases,
            self.profiles,
            self.goals,
            self.service_referrals,
            self.contacts,
            self.contact_notes,
            self.monthly,
            self.events,
            self.justice,
        ]
    }
}

/// What a referral went through, for its row.
#[derive(Default)]
struct Steps {
    accepted: Option<(OffsetDateTime, UserId)>,
    intake_completed: Option<OffsetDateTime>,
    enrolled: Option<OffsetDateTime>,
    participant: Option<ParticipantId>,
}

/// A referral written, for what follows it.
struct Referred {
    id: ReferralId,
    person: PersonId,
    referral: Referral,
    hold: Option<Hold>,
}

impl<'a> SiteGen<'a> {
    fn new(args: &Args, k: usize, slug: &'a str, hash: &'a str) -> Result<Self, AppError> {
        let key = splitmix(args.seed ^ ((k as u64 + 1) << 40));
        let mut rng = Lcg(key);
        let zone = *rng.pick(ZONES);
        let tz = SiteTimeZone::parse(zone)?;
        let mut ids = Ids { key, n: 0 };
        let created = args.now - Duration::days(800);
        Ok(Self {
            k,
            slug,
            hash,
            seed: args.seed,
            id: ids.next(created),
            today: tz.local_date(args.now),
            tz,
            now: args.now,
            policy: Policy::demo(),
            policy_id: ids.next(created),
            agencies: HashMap::new(),
            areas: HashMap::new(),
            users: HashMap::new(),
            rng,
            ids,
            t: Tables::new(),
            referrals: 0,
            next_number: 0,
        })
    }

    fn county(&self) -> String {
        let c = COUNTIES[self.k % COUNTIES.len()];
        match self.k / COUNTIES.len() {
            0 => format!("{c} County"),
            n => format!("{c} County {}", n + 1),
        }
    }

    fn agency(&self, kind: AgencyKind) -> handoff_domain::AgencyId {
        self.agencies[&kind].0
    }

    fn user(&self, role: &str) -> UserId {
        self.users[role]
    }

    fn generate(mut self, people: usize, contacts: usize) -> Result<SiteRows, AppError> {
        self.organisation()?;
        let counts = self.caseloads(people);
        let mut persons = Vec::with_capacity(people);
        for (i, (cm, closed)) in counts.into_iter().enumerate() {
            persons.push(self.participant(i, cm, closed)?);
        }
        self.casework(persons, contacts)?;
        for i in 0..(people * 3 / 10).max(4) {
            self.referral_only(i)?;
        }
        for i in 0..(people / 20).max(1) {
            self.unmatched_record(i)?;
        }
        Ok(SiteRows {
            id: self.id,
            tables: self.t.into_vec(),
            referrals: self.referrals,
        })
    }

    /// The site, its organisations, areas, policy and accounts.
    fn organisation(&mut self) -> Result<(), AppError> {
        let created = self.now - Duration::days(800);
        let county = self.county();
        self.t.sites.push(args![
            self.id,
            format!("{county} LEAD"),
            self.slug,
            self.tz.name(),
            created
        ]);
        for (name, kind) in AGENCIES {
            let id: handoff_domain::AgencyId = self.ids.next(created);
            let name = format!("{county} {name}");
            self.t
                .agencies
                .push(args![id, self.id, name.as_str(), kind.as_str(), created]);
            self.agencies.insert(*kind, (id, name));
        }
        let bureau: handoff_domain::AgencyId = self.ids.next(created);
        self.t.agencies.push(args![
            bureau,
            self.id,
            BUREAU_AGENCY,
            AgencyKind::Bureau.as_str(),
            created
        ]);
        self.agencies
            .insert(AgencyKind::Bureau, (bureau, BUREAU_AGENCY.into()));
        for area in crate::DEMO_AREAS {
            let id: Uuid = self.ids.next(created);
            self.t.areas.push(args![id, self.id, *area, created]);
            self.areas.insert(area, id);
        }
        let content = serde_json::to_string(&self.policy).map_err(internal)?;
        self.t.policy.push(args![
            self.policy_id,
            self.id,
            1i64,
            content,
            "Seeded policy after Seattle's first protocol",
            None::<UserId>,
            created
        ]);
        for (demo_login, name, role, kind) in crate::USERS {
            if *role == Role::Bureau {
                continue;
            }
            let local = demo_login.split('@').next().unwrap_or("user");
            let phone = (*role == Role::CaseManager).then(|| format!("(206) 555-{:04}", self.k));
            let id = self.account(&login(local, self.slug), name, *role, *kind, phone, created);
            self.users.insert(local_key(local), id);
        }
        if self.k == 0 {
            network_accounts(self, created);
        }
        // The main case manager is on call, so hand-offs reach someone.
        let shift: Uuid = self.ids.next(created);
        self.t.roster.push(args![
            shift,
            self.id,
            self.user("casemanager"),
            self.now - Duration::hours(1),
            self.now + Duration::days(7),
            None::<UserId>,
            self.now - Duration::hours(1)
        ]);
        Ok(())
    }

    fn account(
        &mut self,
        email: &str,
        name: &str,
        role: Role,
        kind: AgencyKind,
        phone: Option<String>,
        at: OffsetDateTime,
    ) -> UserId {
        let id: UserId = self.ids.next(at);
        self.t.users.push(args![
            id,
            self.id,
            self.agency(kind),
            email,
            name,
            self.hash,
            true,
            phone,
            false,
            at,
            at
        ]);
        self.t.user_roles.push(args![self.id, id, role.as_str()]);
        id
    }

    /// Who carries each participant, and whether the case is closed: the
    /// main case manager's caseload, then case managers of about
    /// [`CASELOAD`] open cases each; about one case in eight closed.
    fn caseloads(&mut self, people: usize) -> Vec<(UserId, bool)> {
        let closed = people * 12 / 100;
        let open = people - closed;
        let main = self.user("casemanager");
        let first = open.min(MAIN_CASELOAD);
        let extra = (open - first).div_ceil(CASELOAD);
        let created = self.now - Duration::days(700);
        let mut managers = vec![main];
        for j in 0..extra {
            let first = data::FIRST[(self.k * 7 + j * 3) % data::FIRST.len()];
            let last = data::LAST[(self.k * 5 + j * 11) % data::LAST.len()];
            let email = login(&format!("cm{}", j + 2), self.slug);
            let id = self.account(
                &email,
                &format!("{first} {last}"),
                Role::CaseManager,
                AgencyKind::CaseManagement,
                None,
                created,
            );
            managers.push(id);
        }
        let mut plan: Vec<(UserId, bool)> = std::iter::repeat_n((main, false), first).collect();
        for j in 0..(open - first) {
            plan.push((managers[1 + j % extra.max(1)], false));
        }
        for i in (1..plan.len()).rev() {
            let j = self.rng.below(i + 1);
            plan.swap(i, j);
        }
        for j in 0..closed {
            plan.push((managers[j % managers.len()], true));
        }
        plan
    }

    fn name(&mut self) -> (String, String) {
        (
            self.rng.pick(data::FIRST).to_string(),
            self.rng.pick(data::LAST).to_string(),
        )
    }

    fn number(&mut self) -> usize {
        self.next_number += 1;
        self.k * 1_000_000 + self.next_number
    }

    /// Screens and writes a referral (and its person and hold), with the
    /// status and steps given; `None` when the form is not eligible and
    /// `eligible_only`.
    fn refer(
        &mut self,
        form: handoff_domain::referral::ReferralForm,
        referred_at: OffsetDateTime,
        eligible_only: bool,
        status_after: impl FnOnce(ReferralStatus) -> ReferralStatus,
        steps: Steps,
    ) -> Result<Option<Referred>, AppError> {
        let community = form.door == "community";
        let Ok(referral) = Referral::try_from(form) else {
            return Ok(None);
        };
        let facts = ScreeningFacts::from_referral(
            &referral,
            self.tz.local_date(referral.occurred_at),
            KnownRecord {
                capacity_remains: true,
                ..KnownRecord::default()
            },
        );
        let screening = eligibility::screen(&self.policy, &facts);
        if eligible_only && !screening.eligible {
            return Ok(None);
        }
        let first = ReferralStatus::after_screening(
            screening.eligible,
            self.policy.needs_approval(referral.door),
        );
        let approved = (first == ReferralStatus::AwaitingApproval).then_some(referred_at);
        let status = if screening.eligible {
            status_after(ReferralStatus::AwaitingHandoff)
        } else {
            first
        };
        let person: PersonId = self.ids.next(referred_at);
        let id: ReferralId = self.ids.next(referred_at);
        let p = &referral.person;
        let (dob, approx_age) = match p.birth {
            Birth::Dob(d) => (Some(iso(d)), None),
            Birth::ApproxAge(a) => (None, Some(i64::from(a))),
        };
        let aliases: Vec<&str> = p.aliases.iter().map(|a| a.as_str()).collect();
        let sex: &'static str = p.sex.into();
        let race: &'static str = p.race.into();
        self.t.persons.push(args![
            person,
            self.id,
            p.first_name.as_str(),
            p.last_name.as_str(),
            serde_json::to_string(&aliases).map_err(internal)?,
            dob,
            approx_age,
            sex,
            race,
            p.description.as_deref(),
            referred_at
        ]);
        let mut body = serde_json::to_value(&referral).map_err(internal)?;
        if let Some(o) = body.as_object_mut() {
            o.remove("person");
        }
        let (by, agency) = if community {
            (self.user("community"), self.agency(AgencyKind::Community))
        } else {
            (self.user("officer"), self.agency(AgencyKind::Police))
        };
        let area = referral
            .location
            .area
            .as_deref()
            .and_then(|a| self.areas.get(a).copied());
        let accepted = steps.accepted;
        self.t.referrals.push(args![
            id,
            self.id,
            referral.door.as_str(),
            status.as_str(),
            person,
            by,
            agency,
            referral.incident_number.as_ref().map(|i| i.as_str()),
            body.to_string(),
            referral.location.address.as_deref(),
            referral.occurred_at,
            referred_at,
            self.policy_id,
            screening.eligible,
            serde_json::to_string(&screening).map_err(internal)?,
            approved,
            approved.map(|_| self.user("officer")),
            accepted.map(|a| a.0),
            accepted.map(|a| a.1),
            accepted.map(|_| self.agency(AgencyKind::CaseManagement)),
            steps.intake_completed,
            steps.enrolled,
            steps.participant,
            area
        ]);
        self.referrals += 1;
        let hold = if community || !screening.eligible {
            None
        } else {
            let h = Hold::open(
                self.ids.next::<HoldId>(referred_at),
                id,
                referred_at,
                self.policy.hold_window_days,
                &self.tz,
            )
            .map_err(|_| internal("hold deadline"))?;
            Some(h)
        };
        Ok(Some(Referred {
            id,
            person,
            referral,
            hold,
        }))
    }

    fn write_hold(&mut self, h: &Hold) {
        let r = h.to_record();
        self.t.holds.push(args![
            r.id,
            self.id,
            r.referral_id,
            self.agency(AgencyKind::Prosecutor),
            r.referred_at,
            i64::from(r.window_days),
            serde_json::to_string(&r.deadline).unwrap_or_default(),
            r.deadline.at,
            r.state.as_str(),
            r.satisfied_at,
            r.lapsed_at
        ]);
        for (i, d) in r.decisions.iter().enumerate() {
            let id: Uuid = self.ids.next(d.at);
            self.t.hold_decisions.push(args![
                id,
                self.id,
                r.id,
                i as i64 + 1,
                d.decision.as_str(),
                d.note.as_str(),
                d.by,
                d.at
            ]);
        }
    }

    /// One participant: the referral, hand-off, intake, release and the
    /// hold satisfied, profile, goals and service referrals, and the
    /// closing. Contacts come later ([`Self::casework`]).
    fn participant(&mut self, i: usize, cm: UserId, closed: bool) -> Result<Person, AppError> {
        let (first, last) = self.name();
        let days_ago = if closed { 120 } else { 10 } + self.rng.below(600) as i64;
        let referred_at =
            self.now - Duration::days(days_ago) - Duration::minutes(self.rng.below(600) as i64);
        let occurred_at = referred_at - Duration::minutes(25);
        let accepted_at = referred_at + Duration::minutes(8 + self.rng.below(40) as i64);
        let intake_at = accepted_at + Duration::hours(self.rng.below(24 * 6) as i64);
        let signed_at = intake_at + Duration::hours(self.rng.below(72) as i64);
        let pid: ParticipantId = self.ids.next(intake_at);
        let n = self.number();
        let mut community = self.rng.chance(18);
        let referred = loop {
            let form = data::referral_form(&mut self.rng, &first, &last, occurred_at, community, n);
            let steps = Steps {
                accepted: Some((accepted_at, cm)),
                intake_completed: Some(intake_at),
                enrolled: Some(signed_at),
                participant: Some(pid),
            };
            if let Some(r) =
                self.refer(form, referred_at, true, |_| ReferralStatus::Enrolled, steps)?
            {
                break r;
            }
            community = false;
        };
        let living = *self.rng.pick(&[
            LivingSituation::PlaceNotMeantForHabitation,
            LivingSituation::PlaceNotMeantForHabitation,
            LivingSituation::PlaceNotMeantForHabitation,
            LivingSituation::EmergencyShelter,
            LivingSituation::EmergencyShelter,
            LivingSituation::StayingWithFriendsTemporary,
            LivingSituation::HotelMotelNoVoucher,
            LivingSituation::RentalNoSubsidy,
        ]);
        let working = self.rng.chance(15);
        let benefits = self.rng.chance(35);
        let intake: Uuid = self.ids.next(intake_at);
        let general = json!({
            "housing_status": living.collapse().as_str(),
            "employment": if working { "informal" } else { "none" },
            "monthly_income": if working { json!(300 + self.rng.below(600)) } else { json!(null) },
            "benefits": if benefits { json!(["SNAP"]) } else { json!([]) },
            "legal": if self.rng.chance(40) { json!("Two old warrants for missed court dates") } else { json!(null) },
            "documents": if self.rng.chance(60) { json!("No ID; birth certificate lost") } else { json!(null) },
            "notes": null,
        });
        let health = json!({"health": self.rng.pick(data::HEALTH), "mental_health": if self.rng.chance(50) { json!("Depression, not treated now") } else { json!(null) }});
        let sud = json!({"substance_use": self.rng.pick(&["Daily fentanyl smoking", "Methamphetamine, some days", "Alcohol, daily", "Heroin and meth"])});
        self.t.intakes.push(args![
            intake,
            self.id,
            referred.id,
            pid,
            living.as_str(),
            general.to_string(),
            health.to_string(),
            sud.to_string(),
            "[]",
            cm,
            intake_at
        ]);

        // Releases: most in force, some expired (then renewed or not), some revoked.
        let signed_on = self.tz.local_date(signed_at);
        let roll = self.rng.below(100);
        let first_expiry = if roll < 18 && days_ago > 200 {
            signed_on + Duration::days(180)
        } else {
            signed_on + Duration::days(365 * 2 + self.rng.below(200) as i64)
        };
        let revoked = (18..26).contains(&roll) && first_expiry >= self.today;
        let revoked_at = revoked.then(|| {
            (signed_at + Duration::days(self.rng.below((days_ago as usize).max(2) - 1) as i64))
                .min(self.now)
        });
        let rel = self.release(pid, cm, signed_at, first_expiry, revoked_at)?;
        if first_expiry < self.today && self.rng.chance(50) {
            let renewed_at = self
                .tz
                .start_of_day(first_expiry)
                .map_err(|_| internal("date"))?
                + Duration::hours(12);
            let until = self.today + Duration::days(300);
            self.release(pid, cm, renewed_at, until, None)?;
        }
        if let Some(mut h) = referred.hold {
            if let Ok(ev) = h.satisfy_with_release(intake_at, &rel, signed_at, &self.tz) {
                h.apply(&ev).map_err(internal)?;
            } else if let Some(ev @ HoldEvent::Lapsed { .. }) = h.due(self.now) {
                h.apply(&ev).map_err(internal)?;
            }
            self.write_hold(&h);
        }

        // Profile extras: identifiers, a phone for some, where to find them.
        let mut identifiers = vec![
            json!({"kind": "booking_number", "value": format!("B{}{:07}", referred_at.year() % 100, n)}),
        ];
        if self.rng.chance(50) {
            identifiers.push(json!({"kind": "state_id", "value": format!("WDL{:09}", n)}));
        }
        let profile = json!({
            "aliases": if self.rng.chance(15) { json!([self.rng.pick(data::NICKNAMES)]) } else { json!([]) },
            "identifiers": identifiers,
            "phone": if self.rng.chance(40) { json!(format!("206-555-{:04}", n % 10_000)) } else { json!(null) },
            "email": null,
            "where_to_find": [{"place": self.rng.pick(data::CORNERS), "times": self.rng.pick(&["weekday mornings", "afternoons", "evenings after the meal program", "most days"])}],
        });
        self.t
            .profiles
            .push(args![pid, self.id, profile.to_string(), cm, intake_at]);

        // Goals in the participant's words, and service referrals.
        let mut first_goal = None;
        for g in 0..(1 + self.rng.below(3)) {
            let (words, steps) =
                data::GOALS[(i * 3 + g * 5 + self.rng.below(3)) % data::GOALS.len()];
            let status = match self.rng.below(10) {
                0..=5 => GoalStatus::Active,
                6..=8 if days_ago > 90 => GoalStatus::Achieved,
                _ => GoalStatus::SetAside,
            };
            let steps: Vec<_> = steps
                .iter()
                .enumerate()
                .map(|(j, t)| handoff_store::goals::Step {
                    text: t.to_string(),
                    done: status == GoalStatus::Achieved || (j == 0 && self.rng.chance(60)),
                })
                .collect();
            let at = signed_at + Duration::days(g as i64 * 20);
            let id: Uuid = self.ids.next(at);
            first_goal.get_or_insert(id);
            self.t.goals.push(args![
                id,
                self.id,
                pid,
                words,
                status.as_str(),
                serde_json::to_string(&steps).map_err(internal)?,
                cm,
                at,
                at
            ]);
        }
        for _ in 0..self.rng.below(4) {
            let (provider, service) = *self.rng.pick(data::PROVIDERS);
            let on = signed_on + Duration::days(self.rng.below((days_ago as usize).max(1)) as i64);
            let outcome = *self.rng.pick(&[
                ReferralOutcome::Pending,
                ReferralOutcome::Connected,
                ReferralOutcome::Connected,
                ReferralOutcome::NotConnected,
                ReferralOutcome::Declined,
            ]);
            let id: Uuid = self.ids.next(signed_at);
            self.t.service_referrals.push(args![
                id,
                self.id,
                pid,
                first_goal,
                provider,
                service,
                iso(on.min(self.today)),
                outcome.as_str(),
                cm,
                signed_at,
                signed_at
            ]);
        }

        // Closing (and sometimes reopening).
        let mut events = Vec::new();
        if closed {
            let reason = *self.rng.pick(ClosureReason::ALL);
            let on = signed_on
                + Duration::days(
                    30 + self
                        .rng
                        .below((days_ago as usize).saturating_sub(45).max(1))
                        as i64,
                );
            events.push(ParticipationEvent::Closed {
                reason,
                on: on.min(self.today),
                note: String::new(),
            });
        } else if i % 23 == 5 && days_ago > 200 {
            let on = signed_on + Duration::days(60 + self.rng.below(60) as i64);
            events.push(ParticipationEvent::Closed {
                reason: ClosureReason::LongIncarceration,
                on,
                note: "Serving a sentence on an old case".into(),
            });
            events.push(ParticipationEvent::Reopened {
                on: on + Duration::days(45 + self.rng.below(40) as i64),
            });
        }
        let mut gap = None;
        let mut close_at = None;
        for (seq, e) in events.iter().enumerate() {
            let on = match e {
                ParticipationEvent::Closed { on, .. } | ParticipationEvent::Reopened { on } => *on,
            };
            let at = self.tz.start_of_day(on).map_err(|_| internal("date"))? + Duration::hours(15);
            let id: Uuid = self.ids.next(at);
            self.t.events.push(args![
                id,
                self.id,
                pid,
                seq as i64,
                serde_json::to_string(e).map_err(internal)?,
                cm,
                at
            ]);
            match e {
                ParticipationEvent::Closed { .. } => close_at = Some(at),
                ParticipationEvent::Reopened { .. } => {
                    gap = close_at.take().map(|c| (c, at));
                }
            }
        }
        let quiet_tail = self.rng.chance(15);
        let stop = match (close_at, quiet_tail) {
            (Some(d), _) => d,
            (None, true) => self.now - Duration::days(31 + self.rng.below(60) as i64),
            (None, false) => self.now,
        };
        let start = signed_at + Duration::days(1 + self.rng.below(4) as i64);
        let mean_gap = *self.rng.pick(&[4usize, 6, 8, 10, 14, 21]);
        let p = Person {
            id: pid,
            person: referred.person,
            referral_id: referred.id,
            cm,
            intake_at,
            signed_at,
            closed,
            start,
            stop,
            gap,
            mean_gap,
            living,
            working,
            benefits,
            first: first.clone(),
            last: last.clone(),
            referral: referred.referral,
        };
        self.justice_of(&p)?;
        Ok(p)
    }

    #[allow(clippy::too_many_arguments)]
    fn release(
        &mut self,
        pid: ParticipantId,
        by: UserId,
        signed_at: OffsetDateTime,
        expires_on: Date,
        revoked_at: Option<OffsetDateTime>,
    ) -> Result<Release, AppError> {
        let id = |s: &Self, k: AgencyKind| s.agency(k).to_string();
        let mut recipients = Vec::new();
        let mut sud = false;
        if self.rng.chance(65) {
            recipients.push(json!({"agency_id": id(self, AgencyKind::Police), "categories": ["enrollment", "engagement"]}));
        }
        if self.rng.chance(45) {
            recipients.push(json!({"agency_id": id(self, AgencyKind::Prosecutor), "categories": ["enrollment", "engagement", "plan"]}));
        }
        if self.rng.chance(40) {
            recipients.push(json!({"agency_id": id(self, AgencyKind::Defender), "categories": ["enrollment", "engagement", "plan", "notes", "justice"]}));
        }
        if self.rng.chance(45) {
            let mut cats = vec!["enrollment", "engagement", "plan", "notes", "health"];
            if self.rng.chance(35) {
                cats.push("sud");
                sud = true;
            }
            recipients
                .push(json!({"agency_id": id(self, AgencyKind::Housing), "categories": cats}));
        }
        if recipients.is_empty() {
            recipients.push(
                json!({"agency_id": id(self, AgencyKind::Housing), "categories": ["enrollment"]}),
            );
        }
        let mut form = json!({
            "recipients": recipients,
            "purpose": "care coordination and case conferencing",
            "expires_on": iso(expires_on),
            "signature": {"method": "drawn", "image_base64": "document:signed-on-paper"},
        });
        if sud {
            form["part2"] = json!({"discloser": self.agencies[&AgencyKind::CaseManagement].1, "information": "substance-use treatment status and plan", "right_to_revoke_acknowledged": true});
        }
        let form: ReleaseForm = serde_json::from_value(form).map_err(internal)?;
        let r = Release::parse(&form, self.tz.local_date(signed_at))?;
        let stored = StoredRelease {
            form,
            effective_on: r.effective_on(),
            revoked_at: None,
        };
        let rid: Uuid = self.ids.next(signed_at);
        self.t.releases.push(args![
            rid,
            self.id,
            pid,
            serde_json::to_string(&stored).map_err(internal)?,
            iso(r.effective_on()),
            iso(r.expires_on()),
            revoked_at,
            by,
            signed_at
        ]);
        Ok(r)
    }

    /// Contacts (the site's total split by how long and how often each
    /// participant was seen), their notes, and monthly status.
    fn casework(&mut self, persons: Vec<Person>, total: usize) -> Result<(), AppError> {
        let weights: Vec<f64> = persons
            .iter()
            .map(|p| (p.active_days() / p.mean_gap as f64).max(0.0))
            .collect();
        let counts = split(total, &weights);
        let mut participants = Rows::new(&bulk::PARTICIPANTS);
        for (p, n) in persons.iter().zip(counts) {
            let last = self.contacts_of(p, n)?;
            participants.push(args![
                p.id,
                self.id,
                p.person,
                p.referral_id,
                self.agency(AgencyKind::CaseManagement),
                p.cm,
                p.intake_at,
                p.signed_at,
                p.intake_at,
                last,
                p.closed
            ]);
        }
        self.t.participants = participants;
        Ok(())
    }

    /// `n` contacts of one participant spread over their active time
    /// (never while the case was closed); returns the last one's time.
    fn contacts_of(&mut self, p: &Person, n: usize) -> Result<Option<OffsetDateTime>, AppError> {
        let span = (p.stop - p.start).max(Duration::ZERO);
        let gap_len = p.gap.map(|(a, b)| b - a).unwrap_or(Duration::ZERO);
        let length = (span - gap_len).max(Duration::ZERO);
        let mut housing = p.living;
        let mut employment = if p.working { "informal" } else { "not_working" };
        let mut income = p.benefits || p.working;
        let mut month = String::new();
        let mut last = None;
        for j in 0..n {
            let u = (j as f64 + self.rng.below(1000) as f64 / 1000.0) / n as f64;
            let mut t = p.start + length * u;
            if let Some((a, b)) = p.gap
                && t >= a
            {
                t += b - a;
            }
            last = Some(t);
            let id: Uuid = self.ids.next(t);
            let place = *self.rng.pick(data::PLACES);
            let mut services = Vec::new();
            for _ in 0..self.rng.below(3) {
                let sv = *self.rng.pick(data::SERVICES);
                if !services.contains(&sv) {
                    services.push(sv);
                }
            }
            let staff = if self.rng.chance(20) {
                StaffRole::PeerOutreach
            } else {
                StaffRole::CaseManager
            };
            self.t.contacts.push(args![
                id,
                self.id,
                p.id,
                t,
                5 + self.rng.below(80) as i64,
                place.as_str(),
                staff.as_str(),
                serde_json::to_string(&services).map_err(internal)?,
                p.cm,
                t
            ]);
            let mut pieces = vec![(DataCategory::Notes, *self.rng.pick(data::NOTES))];
            if self.rng.chance(20) {
                pieces.push((DataCategory::Health, *self.rng.pick(data::HEALTH)));
            }
            if self.rng.chance(15) {
                pieces.push((DataCategory::Sud, *self.rng.pick(data::SUD)));
            }
            for (category, body) in pieces {
                let nid: Uuid = self.ids.next(t);
                self.t
                    .contact_notes
                    .push(args![nid, self.id, id, p.id, category.as_str(), body]);
            }
            // Once a month, what the contact saw.
            let key = data::month_key(&self.tz, t);
            if key != month {
                month = key;
                housing = match (housing.collapse(), self.rng.below(100)) {
                    (HousingStatus::Unsheltered, 0..=9) => LivingSituation::EmergencyShelter,
                    (HousingStatus::Sheltered, 0..=7) => *self.rng.pick(&[
                        LivingSituation::RentalWithSubsidy,
                        LivingSituation::PermanentSupportiveHousing,
                    ]),
                    (HousingStatus::Sheltered, 8..=11) => {
                        LivingSituation::PlaceNotMeantForHabitation
                    }
                    (HousingStatus::Housed, 0..=2) => LivingSituation::EmergencyShelter,
                    _ => housing,
                };
                employment = match (employment, self.rng.below(100)) {
                    ("not_working", 0..=5) => "seeking",
                    ("seeking", 0..=9) => "informal",
                    ("seeking", 10..=13) => "training",
                    ("informal", 0..=7) => "part_time",
                    ("part_time", 0..=4) => "full_time",
                    ("part_time", 5..=7) => "seeking",
                    (e, _) => e,
                };
                if !income && self.rng.chance(12) {
                    income = true;
                }
                if self.rng.chance(85) {
                    self.t.monthly.push(args![
                        self.id,
                        p.id,
                        month.as_str(),
                        housing.as_str(),
                        housing.collapse().as_str(),
                        employment,
                        income,
                        "contact",
                        p.cm,
                        t
                    ]);
                }
            }
        }
        Ok(last)
    }

    /// A referral that did not become a participant: waiting for a case
    /// manager, accepted and in its hold window, lapsed (with or without
    /// the prosecutor's decision), or not eligible.
    fn referral_only(&mut self, i: usize) -> Result<(), AppError> {
        let (first, last) = self.name();
        let window = i64::from(self.policy.hold_window_days).max(2);
        let kind = (i * 9) % 20;
        let minutes = |s: &mut Self, d: i64| {
            s.now - Duration::days(d) - Duration::minutes(s.rng.below(600) as i64)
        };
        let n = self.number();
        let main = self.user("casemanager");
        let (referred_at, accepted, community, ineligible) = match kind {
            // Waiting for a case manager: the hand-off inbox.
            0..=5 => {
                let at = self.now - Duration::minutes(5 + self.rng.below(60 * 24 * 2) as i64);
                (at, None, self.rng.chance(25), false)
            }
            // Accepted, intake to come, the hold running.
            6..=8 => {
                let d = 1 + self.rng.below(window as usize - 1) as i64;
                let at = minutes(self, d);
                (at, Some((at + Duration::minutes(20), main)), false, false)
            }
            // Not eligible under the site's policy.
            9..=10 => {
                let d = 1 + self.rng.below(400) as i64;
                let at = minutes(self, d);
                (at, None, false, true)
            }
            // Lapsed: the window passed without intake and release.
            _ => {
                let d = window + 3 + self.rng.below(400) as i64;
                let at = minutes(self, d);
                let accepted = (!i.is_multiple_of(3)).then(|| (at + Duration::minutes(30), main));
                (at, accepted, false, false)
            }
        };
        let mut form = data::referral_form(
            &mut self.rng,
            &first,
            &last,
            referred_at - Duration::minutes(20),
            community,
            n,
        );
        if ineligible {
            // Far above any possession threshold: screened out.
            form = serde_json::from_value({
                let mut v = serde_json::to_value(&form).map_err(internal)?;
                v["offenses"] = json!([{"category": "drug_possession", "substance": "opioid", "quantity_grams": 250.0}]);
                v
            })
            .map_err(internal)?;
        }
        let status = move |s: ReferralStatus| match accepted {
            Some(_) => ReferralStatus::Accepted,
            None => s,
        };
        let steps = Steps {
            accepted,
            ..Steps::default()
        };
        let Some(referred) = self.refer(form, referred_at, false, status, steps)? else {
            return Ok(());
        };
        if let Some(mut h) = referred.hold {
            if let Some(ev @ HoldEvent::Lapsed { at }) = h.due(self.now) {
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
                    let by = self.user("prosecutor");
                    let ev = h
                        .decide(d, note, by, (at + Duration::days(3)).min(self.now))
                        .map_err(internal)?;
                    h.apply(&ev).map_err(internal)?;
                }
            }
            self.write_hold(&h);
        }
        Ok(())
    }

    /// Arrests and bookings of a participant, linked to their person (and
    /// a few waiting for clerical review).
    fn justice_of(&mut self, p: &Person) -> Result<(), AppError> {
        if !self.rng.chance(35) {
            return Ok(());
        }
        let Birth::Dob(dob) = p.referral.person.birth else {
            return Ok(());
        };
        let fields = PersonFields {
            first_name: p.first.clone(),
            middle_name: None,
            last_name: p.last.clone(),
            dob,
            sex: p.referral.person.sex,
            race: p.referral.person.race,
        };
        for _ in 0..(1 + self.rng.below(3)) {
            let at = p.intake_at - Duration::days(400) + Duration::days(self.rng.below(800) as i64);
            let at = at.min(self.now - Duration::days(1));
            let review = self.rng.chance(6);
            self.justice_record(fields.clone(), at, Some((p.person, p.id, review)))?;
        }
        Ok(())
    }

    /// A record about someone the site does not know.
    fn unmatched_record(&mut self, _i: usize) -> Result<(), AppError> {
        let (first, last) = self.name();
        let year = 1960 + self.rng.below(40) as i32;
        let dob = Date::from_calendar_date(
            year,
            time::Month::try_from(1 + self.rng.below(12) as u8).map_err(internal)?,
            1 + self.rng.below(28) as u8,
        )
        .map_err(internal)?;
        let fields = PersonFields {
            first_name: first,
            middle_name: None,
            last_name: last,
            dob,
            sex: handoff_domain::referral::Sex::Male,
            race: handoff_domain::referral::Race::White,
        };
        let at = self.now - Duration::days(1 + self.rng.below(500) as i64);
        self.justice_record(fields, at, None)
    }

    fn justice_record(
        &mut self,
        person: PersonFields,
        at: OffsetDateTime,
        link: Option<(PersonId, ParticipantId, bool)>,
    ) -> Result<(), AppError> {
        let n = self.number();
        let charges = vec![Charge {
            statute: "69.50.4013".into(),
            description: "Possession of a controlled substance".into(),
            felony: self.rng.chance(30),
        }];
        let record = if self.rng.chance(50) {
            Record::Arrest(Arrest {
                arrest_number: SourceNumber::parse(&format!("A{n:09}")).map_err(internal)?,
                arrested_at: at,
                person,
                person_key: None,
                charges,
                location: Some(self.rng.pick(data::CORNERS).to_string()),
            })
        } else {
            Record::Booking(Booking {
                booking_number: SourceNumber::parse(&format!("B{n:09}")).map_err(internal)?,
                booked_at: at,
                released_at: Some(at + Duration::days(self.rng.below(20) as i64)),
                person,
                person_key: None,
                charges,
            })
        };
        let content = serde_json::to_string(&record).map_err(internal)?;
        let id: Uuid = self.ids.next(at);
        let imported_at = (at + Duration::days(2)).min(self.now);
        let (candidate, person_id, participant, status, probability, linked_at) = match link {
            Some((person, pid, false)) => (
                Some(format!("p:{person}")),
                Some(person),
                Some(pid),
                "auto",
                Some(0.98),
                Some(imported_at),
            ),
            Some((person, _, true)) => (
                Some(format!("p:{person}")),
                None,
                None,
                "review",
                Some(0.72),
                None,
            ),
            None => (None, None, None, "unlinked", None, None),
        };
        self.t.justice.push(args![
            id,
            self.id,
            record.kind().as_str(),
            record.natural_key().as_str(),
            content,
            record.content_digest(),
            iso(self.tz.local_date(at)),
            "national-seed.csv",
            format!("{:064x}", self.seed as u128 * 1_000 + self.k as u128),
            n as i64,
            imported_at,
            "cli:seed",
            imported_at,
            candidate,
            person_id,
            participant,
            status,
            probability,
            linked_at
        ]);
        Ok(())
    }
}

/// The users map's key for a demo login's local part.
fn local_key(local: &str) -> &'static str {
    match local {
        "officer" => "officer",
        "community" => "community",
        "casemanager" => "casemanager",
        "supervisor" => "supervisor",
        "prosecutor" => "prosecutor",
        "partner" => "partner",
        "oversight" => "oversight",
        "evaluator" => "evaluator",
        "admin" => "admin",
        _ => "other",
    }
}

/// The network's accounts: today `bureau@network.test`, a Bureau-role user
/// of the first site (until Bureau staff belong to the network itself).
fn network_accounts(site: &mut SiteGen<'_>, at: OffsetDateTime) {
    site.account(
        BUREAU_LOGIN,
        "Avery Brooks",
        Role::Bureau,
        AgencyKind::Bureau,
        None,
        at,
    );
}

/// A participant as generated, for their contacts and justice records.
struct Person {
    id: ParticipantId,
    person: PersonId,
    referral_id: ReferralId,
    cm: UserId,
    intake_at: OffsetDateTime,
    signed_at: OffsetDateTime,
    closed: bool,
    /// When contacts start and stop, and the time the case was closed
    /// before it reopened (no contacts then).
    start: OffsetDateTime,
    stop: OffsetDateTime,
    gap: Option<(OffsetDateTime, OffsetDateTime)>,
    mean_gap: usize,
    living: LivingSituation,
    working: bool,
    benefits: bool,
    first: String,
    last: String,
    referral: Referral,
}

impl Person {
    fn active_days(&self) -> f64 {
        let gap = self.gap.map(|(a, b)| b - a).unwrap_or(Duration::ZERO);
        ((self.stop - self.start) - gap).as_seconds_f64() / 86_400.0
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn split_is_exact_and_proportional() {
        let out = split(10, &[1.0, 1.0, 2.0]);
        assert_eq!(out.iter().sum::<usize>(), 10);
        assert_eq!(out, vec![3, 2, 5]);
        assert_eq!(split(5, &[0.0, 0.0]), vec![3, 2]);
        assert_eq!(split(0, &[1.0]), vec![0]);
    }
}
