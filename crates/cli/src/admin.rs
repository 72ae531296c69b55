//! `handoff admin …`: the operator's commands. Each is audited like the same
//! action in the admin pages. Passwords are read from standard input, never
//! from the command line (where other users could see them).

use crate::ops::open;
use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use handoff_domain::integration::Scopes;
use handoff_domain::{AgencyKind, Email, Role};
use handoff_services::accounts::{self, Actor, NewUser};
use handoff_store::{Store, orgs, tokens, users};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a site.
    CreateSite {
        #[arg(long)]
        name: String,
        /// Short lower-case name used to refer to the site in commands.
        #[arg(long)]
        slug: String,
        /// IANA time zone for display and deadlines, e.g. America/Los_Angeles.
        #[arg(long)]
        time_zone: String,
        /// Start from a policy template (seattle, santa-fe, community-first):
        /// the template's first policy version, its partner agencies and
        /// three areas; the site joins the network.
        #[arg(long)]
        template: Option<String>,
        /// With --template: also make the roster's accounts ROLE@SLUG.test
        /// as demo accounts (no second factor) with the password read from
        /// standard input. For demonstrations and tests only.
        #[arg(long, requires = "template")]
        demo_accounts: bool,
    },
    /// Make a person staff of the network (the Bureau role): they see the
    /// network's sites, figures and scorecards.
    AddNetworkStaff {
        #[arg(long)]
        email: String,
    },
    /// Give a person a role in another site of the network, for the site's
    /// organisation of the role's kind; they switch site explicitly.
    GrantSiteRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        site: String,
        /// officer, community_referrer, case_manager, supervisor, prosecutor,
        /// partner, oversight, evaluator, site_admin, bureau
        #[arg(long)]
        role: String,
        /// The kind of the site's organisation they act for there.
        #[arg(long)]
        kind: String,
    },
    /// Create a partner agency of a site.
    CreateAgency {
        #[arg(long)]
        site: String,
        #[arg(long)]
        name: String,
        /// police, prosecutor, case_management, defender, housing, health,
        /// civil_rights, community, bureau, research, program_office
        #[arg(long)]
        kind: String,
    },
    /// Create a user. The password is read from standard input.
    CreateUser(CreateUserArgs),
    /// Set a new password (read from standard input); ends the user's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Disable a user and end all their sessions.
    DisableUser {
        #[arg(long)]
        email: String,
    },
    /// List a site's users.
    ListUsers {
        #[arg(long)]
        site: String,
    },
    /// Mint an integration token: owned by an agency, with explicit scopes
    /// and an expiry; never a user's identity. Prints the secret once.
    CreateToken {
        #[arg(long)]
        site: String,
        /// What the token is for, e.g. "county jail booking feed".
        #[arg(long)]
        name: String,
        /// The agency that runs the integration: its name or its id.
        #[arg(long)]
        agency: String,
        /// bookings_feed, imports or hmis_export; repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Days until the token expires (default 90, at most 366).
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// List a site's integration tokens (never their secrets).
    ListTokens {
        #[arg(long)]
        site: String,
    },
    /// Set the site's webhook for new hand-offs and alerts (SMS or paging
    /// gateway); omit --url to clear it.
    SetWebhook {
        #[arg(long)]
        site: String,
        #[arg(long)]
        url: Option<String>,
    },
    /// Revoke an API token by id.
    RevokeToken {
        #[arg(long)]
        site: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    site: String,
    /// The agency's name.
    #[arg(long)]
    agency: String,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// A role; repeat for several.
    #[arg(long = "role", required = true)]
    roles: Vec<String>,
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("read the password from standard input")?;
    let p = line.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        return Err(anyhow!("no password on standard input"));
    }
    Ok(p)
}

async fn site(store: &Store, slug: &str) -> anyhow::Result<orgs::Site> {
    orgs::find_site_by_slug(&mut store.conn(), slug)
        .await?
        .ok_or_else(|| anyhow!("no site with slug {slug:?}"))
}

async fn agency_by_name_or_id(
    store: &Store,
    site: &orgs::Site,
    agency: &str,
) -> anyhow::Result<orgs::Agency> {
    if let Ok(id) = agency.parse::<handoff_domain::AgencyId>() {
        return orgs::get_agency(&mut store.conn(), site.id, id)
            .await
            .map_err(|_| anyhow!("no agency {id} at site {}", site.slug));
    }
    orgs::find_agency_by_name(&mut store.conn(), site.id, agency)
        .await?
        .ok_or_else(|| anyhow!("no agency {agency:?} at site {}", site.slug))
}

async fn user(store: &Store, email: &str) -> anyhow::Result<users::User> {
    let email = Email::parse(email)?;
    users::find_by_email(&mut store.conn(), &email)
        .await?
        .ok_or_else(|| anyhow!("no user {email}"))
}

pub async fn run(database_url: &str, cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let store = open(database_url).await?;
    match cmd {
        AdminCommand::CreateSite {
            name,
            slug,
            time_zone,
            template: None,
            ..
        } => {
            let s = accounts::create_site(&store, &name, &slug, &time_zone).await?;
            println!("created site {} ({})", s.slug, s.id);
        }
        AdminCommand::CreateSite {
            name,
            slug,
            time_zone,
            template: Some(template),
            demo_accounts,
        } => {
            let template: handoff_network::sites::Template = template.parse()?;
            let password = if demo_accounts {
                Some(read_password()?)
            } else {
                None
            };
            let network = handoff_network::default_network(&store).await?;
            let s = handoff_network::sites::create(
                &store,
                &network,
                handoff_network::sites::NewSite {
                    name: &name,
                    slug: &slug,
                    time_zone: &time_zone,
                    template,
                    demo_password: password.as_deref(),
                },
            )
            .await?;
            println!(
                "created site {} ({}) from the {} template in {}",
                s.slug,
                s.id,
                template.as_str(),
                network.name
            );
        }
        AdminCommand::AddNetworkStaff { email } => {
            let network = handoff_network::default_network(&store).await?;
            handoff_network::sites::add_staff(&store, &network, &email).await?;
            println!("{email} is staff of {}", network.name);
        }
        AdminCommand::GrantSiteRole {
            email,
            site: slug,
            role,
            kind,
        } => {
            let s = site(&store, &slug).await?;
            let role: Role = role.parse()?;
            let kind: AgencyKind = kind.parse()?;
            handoff_network::sites::grant_role(&store, s.id, &email, role, kind).await?;
            println!("{email} holds {role} in {}", s.slug);
        }
        AdminCommand::CreateAgency {
            site: slug,
            name,
            kind,
        } => {
            let s = site(&store, &slug).await?;
            let kind: AgencyKind = kind.parse()?;
            let a = accounts::create_agency(&store, Actor::Cli, s.id, &name, kind).await?;
            println!("created agency {} ({})", a.name, a.id);
        }
        AdminCommand::CreateUser(a) => {
            let s = site(&store, &a.site).await?;
            let agency = orgs::find_agency_by_name(&mut store.conn(), s.id, &a.agency)
                .await?
                .ok_or_else(|| anyhow!("no agency {:?} at site {}", a.agency, s.slug))?;
            let roles = a
                .roles
                .iter()
                .map(|r| r.parse::<Role>())
                .collect::<Result<Vec<_>, _>>()?;
            let password = read_password()?;
            let id = accounts::create_user(
                &store,
                Actor::Cli,
                NewUser {
                    site: s.id,
                    agency: agency.id,
                    email: &a.email,
                    display_name: &a.name,
                    password: &password,
                    roles: &roles,
                    is_demo: false,
                },
            )
            .await?;
            println!("created user {} ({id})", a.email);
        }
        AdminCommand::ResetPassword { email } => {
            let u = user(&store, &email).await?;
            let password = read_password()?;
            accounts::reset_password(&store, Actor::Cli, u.site_id, u.id, &password).await?;
            println!(
                "password changed for {}; their sessions were ended",
                u.email
            );
        }
        AdminCommand::DisableUser { email } => {
            let u = user(&store, &email).await?;
            accounts::disable_user(&store, Actor::Cli, u.site_id, u.id).await?;
            println!("disabled {}; their sessions were ended", u.email);
        }
        AdminCommand::ListUsers { site: slug } => {
            let s = site(&store, &slug).await?;
            for u in users::list(&mut store.conn(), s.id).await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.as_str()).collect();
                let status = if u.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}", u.email, roles.join(","), status, u.id);
            }
        }
        AdminCommand::CreateToken {
            site: slug,
            name,
            agency,
            scopes,
            expires_days,
        } => {
            let s = site(&store, &slug).await?;
            let agency = agency_by_name_or_id(&store, &s, &agency).await?;
            let scopes = Scopes::parse(scopes.iter().map(String::as_str))?;
            let (id, token) = accounts::create_token(
                &store,
                Actor::Cli,
                accounts::NewToken {
                    site: s.id,
                    agency: agency.id,
                    name: &name,
                    scopes: scopes.clone(),
                    expires_days,
                },
            )
            .await?;
            eprintln!(
                "created token {id} for {} with scopes {scopes}; store it now, it is not shown again:",
                agency.name
            );
            println!("{token}");
        }
        AdminCommand::ListTokens { site: slug } => {
            let s = site(&store, &slug).await?;
            let agencies = orgs::list_agencies(&mut store.conn(), s.id).await?;
            let at = handoff_web::now();
            for t in tokens::list(&mut store.conn(), s.id).await? {
                let agency = agencies
                    .iter()
                    .find(|a| a.id == t.agency_id)
                    .map(|a| a.name.as_str())
                    .unwrap_or("?");
                let last = t
                    .last_used_at
                    .map(|u| u.date().to_string())
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{}\t{}\t{}\t{}\t{}\texpires {}\tlast used {}",
                    t.id,
                    t.name,
                    agency,
                    t.scopes,
                    t.state(at).label(),
                    t.expires_at.date(),
                    last
                );
            }
        }
        AdminCommand::SetWebhook { site: slug, url } => {
            let s = site(&store, &slug).await?;
            accounts::set_webhook(&store, Actor::Cli, s.id, url.as_deref()).await?;
            match url {
                Some(u) => println!("webhook for {} set to {u}", s.slug),
                None => println!("webhook for {} cleared", s.slug),
            }
        }
        AdminCommand::RevokeToken { site: slug, id } => {
            let s = site(&store, &slug).await?;
            let id = id.parse().map_err(|_| anyhow!("--id: not a token id"))?;
            accounts::revoke_token(&store, Actor::Cli, s.id, id).await?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
