//! The demo site, seeded idempotently by `handoff serve --demo`: "Demo County
//! LEAD" with its partner agencies and one user per role, all with the
//! password `demo-password` and no second factor.

pub mod coordination;
pub mod data;
pub mod evidence;
pub mod national;

use handoff_domain::eligibility::Policy;
use handoff_domain::{AgencyKind, Email, Role};
use handoff_services::accounts::{self, Actor, NewUser};
use handoff_services::error::AppError;
use handoff_store::{Store, orgs, users};

pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_SITE_SLUG: &str = "demo";

const AGENCIES: &[(&str, AgencyKind)] = &[
    ("Demo County Police Department", AgencyKind::Police),
    ("Demo County Prosecuting Attorney", AgencyKind::Prosecutor),
    (
        "Evergreen Harm Reduction Services",
        AgencyKind::CaseManagement,
    ),
    ("Demo County Public Defender", AgencyKind::Defender),
    ("Safe Harbor Housing", AgencyKind::Housing),
    ("Demo County Civil Liberties Union", AgencyKind::CivilRights),
    ("Neighborhood Outreach Collective", AgencyKind::Community),
    (
        "State University LEAD Evaluation Team",
        AgencyKind::Research,
    ),
    ("Demo County LEAD Program Office", AgencyKind::ProgramOffice),
    ("National LEAD Support Bureau", AgencyKind::Bureau),
];

/// The demo case manager's work phone.
pub const DEMO_CASE_MANAGER_PHONE: &str = "(206) 555-0100";

/// The demo officer's work phone (the case manager calls the officer who
/// referred).
pub const DEMO_OFFICER_PHONE: &str = "(206) 555-0142";

/// (login, name, role, agency kind)
pub const USERS: &[(&str, &str, Role, AgencyKind)] = &[
    (
        "officer@demo.test",
        "Officer Sam Ortiz",
        Role::Officer,
        AgencyKind::Police,
    ),
    (
        "community@demo.test",
        "Jordan Lee (outreach)",
        Role::CommunityReferrer,
        AgencyKind::Community,
    ),
    (
        "casemanager@demo.test",
        "Alex Rivera",
        Role::CaseManager,
        AgencyKind::CaseManagement,
    ),
    (
        "supervisor@demo.test",
        "Morgan Chen",
        Role::Supervisor,
        AgencyKind::CaseManagement,
    ),
    (
        "prosecutor@demo.test",
        "Pat Okafor",
        Role::Prosecutor,
        AgencyKind::Prosecutor,
    ),
    (
        "partner@demo.test",
        "Robin Diaz",
        Role::Partner,
        AgencyKind::Housing,
    ),
    (
        "oversight@demo.test",
        "Casey Morgan",
        Role::Oversight,
        AgencyKind::CivilRights,
    ),
    (
        "evaluator@demo.test",
        "Dr. Lee Novak",
        Role::Evaluator,
        AgencyKind::Research,
    ),
    (
        "admin@demo.test",
        "Terry Walsh",
        Role::SiteAdmin,
        AgencyKind::ProgramOffice,
    ),
    (
        "bureau@demo.test",
        "Avery Brooks",
        Role::Bureau,
        AgencyKind::Bureau,
    ),
];

/// The demo site's areas (precincts): the places referrals are filed under.
pub const DEMO_AREAS: &[&str] = &[
    "East Precinct",
    "North Precinct",
    "South Precinct",
    "Southwest Precinct",
    "West Precinct",
];

/// Creates whatever of the demo site is missing.
pub async fn demo(store: &Store) -> Result<(), AppError> {
    let mut c = store.conn();
    let site = match orgs::find_site_by_slug(&mut c, DEMO_SITE_SLUG).await? {
        Some(s) => s,
        None => {
            accounts::create_site(
                store,
                "Demo County LEAD",
                DEMO_SITE_SLUG,
                "America/Los_Angeles",
            )
            .await?
        }
    };
    for (name, kind) in AGENCIES {
        if orgs::find_agency_by_name(&mut c, site.id, name)
            .await?
            .is_none()
        {
            accounts::create_agency(store, Actor::Cli, site.id, name, *kind).await?;
        }
    }
    for area in DEMO_AREAS {
        handoff_store::areas::ensure(&mut c, site.id, area, handoff_services::now()).await?;
    }
    let agencies = orgs::list_agencies(&mut c, site.id).await?;
    for (login, name, role, kind) in USERS {
        let email = Email::parse(login)?;
        if users::find_by_email(&mut c, &email).await?.is_some() {
            continue;
        }
        let agency = agencies.iter().find(|a| a.kind == *kind).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("demo agency of kind {kind} missing"))
        })?;
        let id = accounts::create_user(
            store,
            Actor::Cli,
            NewUser {
                site: site.id,
                agency: agency.id,
                email: login,
                display_name: name,
                password: DEMO_PASSWORD,
                roles: &[*role],
                is_demo: true,
            },
        )
        .await?;
        // The demo case manager can be called (an officer's look-up names
        // them and their phone).
        let phone = match role {
            Role::CaseManager => Some(DEMO_CASE_MANAGER_PHONE),
            Role::Officer => Some(DEMO_OFFICER_PHONE),
            _ => None,
        };
        if phone.is_some() {
            users::set_phone(&mut c, site.id, id, phone, handoff_services::now()).await?;
        }
    }
    if handoff_store::policy::current(&mut c, site.id)
        .await?
        .is_none()
    {
        let mut tx = store.begin().await?;
        handoff_store::policy::save(
            &mut tx.conn(),
            site.id,
            &Policy::demo(),
            Some("Demo policy after Seattle's first protocol"),
            None,
            handoff_services::now(),
        )
        .await?;
        tx.commit().await?;
    }
    // Keep the demo case manager on call, so hand-offs reach someone.
    let t = handoff_services::now();
    if handoff_store::roster::on_call(&mut c, site.id, t)
        .await?
        .is_empty()
    {
        let cm = users::find_by_email(&mut c, &Email::parse("casemanager@demo.test")?).await?;
        if let Some(cm) = cm {
            handoff_store::roster::add(
                &mut c,
                site.id,
                cm.id,
                t - time::Duration::hours(1),
                t + time::Duration::days(7),
                None,
                t,
            )
            .await?;
        }
    }
    // The demo site belongs to the default network, whose staff the demo
    // Bureau account is.
    let network = handoff_network::default_network(store).await?;
    if handoff_store::network::network_of_site(&mut c, site.id)
        .await?
        .is_none()
    {
        handoff_store::network::attach_site(&mut c, network.id, site.id).await?;
    }
    handoff_network::sites::add_staff(store, &network, "bureau@demo.test").await?;
    Ok(())
}
