//! The network's sites: listing them for network staff, the sites a person
//! holds roles in and the explicit switch between them, and starting a site
//! from a policy template (DESIGN.md §2's protocols) with its agencies and
//! roster.

use crate::{Staff, require_staff};
use handoff_audit::Outcome;
use handoff_domain::eligibility::{Approval, Policy, QuantityLimit};
use handoff_domain::referral::{Door, SubstanceClass};
use handoff_domain::rules::Action;
use handoff_domain::{AgencyKind, Email, Role, SiteId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::{Auth, AuthVia};
use handoff_services::error::{AppError, AppResult};
use handoff_services::{AppState, accounts, now};
use handoff_store::network::{self, Network, SiteChoice};
use handoff_store::orgs::Site;
use handoff_store::{Store, areas, orgs, policy, roster, users};
use serde::Serialize;
use utoipa::ToSchema;

/// A site of the network, as the Bureau lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteRef {
    #[schema(value_type = String, format = Uuid)]
    pub id: SiteId,
    pub name: String,
    pub slug: String,
}

impl From<Site> for SiteRef {
    fn from(s: Site) -> Self {
        SiteRef {
            id: s.id,
            name: s.name,
            slug: s.slug,
        }
    }
}

/// The sites of the caller's network (network staff only).
pub async fn list(state: &AppState, auth: &Auth) -> AppResult<(Staff, Vec<Site>)> {
    let staff = require_staff(
        state,
        auth,
        Action::SeeNetworkFigures,
        "The network's sites are for the network's staff (the Bureau).",
    )
    .await?;
    let sites = network::sites(&mut state.store.conn(), staff.network.id).await?;
    Ok((staff, sites))
}

/// The sites the caller holds roles in (their account's own first in name
/// order with the others), and which one the session acts in.
pub async fn mine(state: &AppState, auth: &Auth) -> AppResult<Vec<SiteChoice>> {
    Ok(network::sites_of_user(
        &mut state.store.conn(),
        auth.user.home_site_id,
        auth.user.id,
    )
    .await?)
}

/// Switches the caller's session to `site`, one of the sites they hold
/// roles in; every request after it acts in that site alone. Audited in
/// the site switched to (`auth.site.switch`); a refusal in the site the
/// session acts in.
pub async fn switch(
    state: &AppState,
    auth: &Auth,
    site: SiteId,
    ctx: &Ctx,
) -> AppResult<SiteChoice> {
    let AuthVia::Session(session) = &auth.via else {
        return Err(AppError::field(
            "site_id",
            "only a signed-in session can switch site",
        ));
    };
    let Some(choice) = mine(state, auth).await?.into_iter().find(|s| s.id == site) else {
        let mut e = audit::event(auth, "auth.site.switch", Outcome::Denied, ctx);
        e.subject_ref = Some(format!("site:{site}"));
        audit::record(state, e).await?;
        return Err(AppError::field("site_id", "you hold no role in that site"));
    };
    let mut tx = state.store.begin().await?;
    let acting = (site != auth.user.home_site_id).then_some(site);
    network::set_acting_site(&mut tx.conn(), session.id, acting).await?;
    let mut e = audit::event(auth, "auth.site.switch", Outcome::Allowed, ctx);
    e.site_id = Some(site);
    e.subject_ref = Some(format!("site:{site}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(choice)
}

// ---- Templates ---------------------------------------------------------------

/// A site's starting policy, after protocols in the field (DESIGN.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Seattle's first protocol: 3 g of any drug, a 30-day hold, all three
    /// doors, no approval step.
    Seattle,
    /// Santa Fe: 6 g, prescription pills exempt from the limit, a 30-day
    /// hold, police approval of officers' referrals.
    SantaFe,
    /// A community-door-first site: community and social-contact referrals
    /// only (no arrests diverted), a 14-day window.
    CommunityFirst,
}

impl std::str::FromStr for Template {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        Template::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| {
                AppError::field(
                    "template",
                    "is not a template: choose seattle, santa-fe or community-first",
                )
            })
    }
}

impl Template {
    pub const ALL: &'static [Template] = &[
        Template::Seattle,
        Template::SantaFe,
        Template::CommunityFirst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Template::Seattle => "seattle",
            Template::SantaFe => "santa-fe",
            Template::CommunityFirst => "community-first",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Template::Seattle => "Seattle: 3 g, 30-day hold, all doors",
            Template::SantaFe => "Santa Fe: 6 g, prescription pills exempt, police approval",
            Template::CommunityFirst => "Community door first: no arrest diversions, 14-day window",
        }
    }

    /// The template's first policy version.
    pub fn policy(self) -> Policy {
        let mut p = Policy::demo();
        match self {
            Template::Seattle => {}
            Template::SantaFe => {
                p.quantity_limits = vec![QuantityLimit {
                    substance: None,
                    max_grams: 6.0,
                }];
                p.quantity_exempt = [SubstanceClass::PrescriptionPills].into_iter().collect();
                p.approval = Approval::Police;
            }
            Template::CommunityFirst => {
                p.open_doors = [Door::Community, Door::SocialContact].into_iter().collect();
                p.hold_window_days = 14;
            }
        }
        p
    }

    /// The partner agencies a site of this template starts with.
    pub fn agencies(self, site: &str) -> Vec<(String, AgencyKind)> {
        let mut v = vec![
            (format!("{site} Police Department"), AgencyKind::Police),
            (
                format!("{site} Prosecuting Attorney"),
                AgencyKind::Prosecutor,
            ),
            (
                format!("{site} Case Management"),
                AgencyKind::CaseManagement,
            ),
            (format!("{site} Public Defender"), AgencyKind::Defender),
            (format!("{site} Housing Partner"), AgencyKind::Housing),
            (
                format!("{site} Civil Rights Monitor"),
                AgencyKind::CivilRights,
            ),
            (format!("{site} Community Outreach"), AgencyKind::Community),
            (format!("{site} Evaluation Team"), AgencyKind::Research),
            (
                format!("{site} LEAD Program Office"),
                AgencyKind::ProgramOffice,
            ),
        ];
        if self == Template::CommunityFirst {
            v.swap(0, 6);
        }
        v
    }
}

/// The roster of accounts a site starts with: `ROLE@SLUG.test`.
pub const ROSTER: &[(&str, Role, AgencyKind)] = &[
    ("officer", Role::Officer, AgencyKind::Police),
    ("community", Role::CommunityReferrer, AgencyKind::Community),
    ("casemanager", Role::CaseManager, AgencyKind::CaseManagement),
    ("supervisor", Role::Supervisor, AgencyKind::CaseManagement),
    ("prosecutor", Role::Prosecutor, AgencyKind::Prosecutor),
    ("partner", Role::Partner, AgencyKind::Housing),
    ("oversight", Role::Oversight, AgencyKind::CivilRights),
    ("evaluator", Role::Evaluator, AgencyKind::Research),
    ("admin", Role::SiteAdmin, AgencyKind::ProgramOffice),
];

/// What starting a site from a template asks.
pub struct NewSite<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub time_zone: &'a str,
    pub template: Template,
    /// The password of the roster's accounts; `None` makes no accounts.
    /// Accounts made with it are demo accounts (no second factor): for
    /// demonstrations and tests only.
    pub demo_password: Option<&'a str>,
}

/// Starts a site in `network` from a template: the site, its agencies,
/// its first policy version, three areas, and (with a demo password) one
/// account per role with the case manager on call for a year. Each step is
/// audited as the administration services audit.
pub async fn create(store: &Store, network: &Network, n: NewSite<'_>) -> AppResult<Site> {
    let mut c = store.conn();
    if orgs::find_site_by_slug(&mut c, n.slug).await?.is_some() {
        return Err(AppError::field("slug", "another site has this slug"));
    }
    let site = accounts::create_site(store, n.name, n.slug, n.time_zone).await?;
    network::attach_site(&mut c, network.id, site.id).await?;
    let mut agencies = Vec::new();
    for (name, kind) in n.template.agencies(&site.name) {
        agencies.push(
            accounts::create_agency(store, accounts::Actor::Cli, site.id, &name, kind).await?,
        );
    }
    for area in ["North", "Central", "South"] {
        areas::ensure(&mut c, site.id, area, now()).await?;
    }
    let mut tx = store.begin().await?;
    policy::save(
        &mut tx.conn(),
        site.id,
        &n.template.policy(),
        Some(n.template.label()),
        None,
        now(),
    )
    .await?;
    tx.commit().await?;
    if let Some(password) = n.demo_password {
        for (login, role, kind) in ROSTER {
            let email = format!("{login}@{}.test", site.slug);
            let agency = agencies
                .iter()
                .find(|a| a.kind == *kind)
                .ok_or_else(|| AppError::field("template", "has no agency for the roster"))?;
            let name = format!("{} ({})", role.label(), site.name);
            let id = accounts::create_user(
                store,
                accounts::Actor::Cli,
                accounts::NewUser {
                    site: site.id,
                    agency: agency.id,
                    email: &email,
                    display_name: &name,
                    password,
                    roles: &[*role],
                    is_demo: true,
                },
            )
            .await?;
            if *role == Role::CaseManager {
                let t = now();
                roster::add(
                    &mut c,
                    site.id,
                    id,
                    t,
                    t + time::Duration::days(365),
                    None,
                    t,
                )
                .await?;
            }
        }
    }
    Ok(site)
}

/// Makes the person with this e-mail address staff of the network (the
/// Bureau role).
pub async fn add_staff(store: &Store, network: &Network, email: &str) -> AppResult<()> {
    let email = Email::parse(email)?;
    let mut c = store.conn();
    let u = users::find_by_email(&mut c, &email)
        .await?
        .ok_or_else(|| AppError::field("email", "no account has this address"))?;
    network::add_member(&mut c, network.id, u.id, Role::Bureau, now()).await?;
    Ok(())
}

/// Gives a person `role` in another site of the network, acting for the
/// site's first organisation of `kind` there.
pub async fn grant_role(
    store: &Store,
    site: SiteId,
    email: &str,
    role: Role,
    kind: AgencyKind,
) -> AppResult<()> {
    let email = Email::parse(email)?;
    let mut c = store.conn();
    let u = users::find_by_email(&mut c, &email)
        .await?
        .ok_or_else(|| AppError::field("email", "no account has this address"))?;
    if !kind.roles().contains(&role) {
        return Err(AppError::field(
            "role",
            "that organisation does not hold this role",
        ));
    }
    let agency = orgs::list_agencies(&mut c, site)
        .await?
        .into_iter()
        .find(|a| a.kind == kind)
        .ok_or_else(|| AppError::field("agency", "the site has no organisation of that kind"))?;
    let mut tx = store.begin().await?;
    network::grant_site_role(&mut tx.conn(), site, u.id, agency.id, role, now()).await?;
    let mut e = handoff_audit::AuditEvent::new("admin.user.site_role", Outcome::Allowed);
    e.request_id = Some("cli".into());
    e.site_id = Some(site);
    e.subject_ref = Some(format!("user:{}", u.id));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}
