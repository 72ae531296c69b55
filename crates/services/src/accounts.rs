//! Account administration shared by the admin pages and `handoff admin`:
//! sites, agencies, users, passwords, disabling, API tokens. Each action is
//! audited in the same transaction as the change.

use crate::audit::{self, Ctx};
use crate::auth::{password, secret};
use crate::error::AppError;
use crate::now;
use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::integration::{self, Scopes};
use handoff_domain::{
    AgencyId, AgencyKind, ApiTokenId, DisplayName, Email, PasswordPolicy, Role, SiteId, UserId,
};
use handoff_store::orgs::{Agency, Site};
use handoff_store::{Store, orgs, tokens, users};

/// Who performs an administrative action: a signed-in admin, or the operator
/// at the command line (recorded as actor-less `cli` actions).
pub enum Actor<'a> {
    User(&'a users::User, &'a Ctx),
    Cli,
}

fn event(actor: &Actor<'_>, site: SiteId, action: &str, subject: Option<String>) -> AuditEvent {
    let mut e = match actor {
        Actor::User(u, ctx) => audit::event_for(u, action, Outcome::Allowed, ctx),
        Actor::Cli => {
            let mut e = AuditEvent::new(action, Outcome::Allowed);
            e.request_id = Some("cli".into());
            e
        }
    };
    e.site_id = Some(site);
    e.subject_ref = subject;
    e
}

/// Records the administrative action in the transaction and commits both.
async fn commit_audited(
    mut tx: handoff_store::Tx,
    actor: &Actor<'_>,
    site: SiteId,
    action: &str,
    subject: Option<String>,
) -> Result<(), AppError> {
    audit::record_in(&mut tx, event(actor, site, action, subject)).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn create_site(
    store: &Store,
    name: &str,
    slug: &str,
    time_zone: &str,
) -> Result<Site, AppError> {
    if name.trim().is_empty() {
        return Err(AppError::field("name", "is required"));
    }
    if slug.is_empty()
        || !slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(AppError::field(
            "slug",
            "use lower-case letters, digits and hyphens",
        ));
    }
    if !time_zone.contains('/') && time_zone != "UTC" {
        return Err(AppError::field(
            "time_zone",
            "use an IANA time zone such as America/Los_Angeles",
        ));
    }
    let mut tx = store.begin().await?;
    let site = orgs::create_site(&mut tx.conn(), name.trim(), slug, time_zone, now()).await?;
    commit_audited(
        tx,
        &Actor::Cli,
        site.id,
        "admin.site.create",
        Some(format!("site:{}", site.id)),
    )
    .await?;
    Ok(site)
}

pub async fn create_agency(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    name: &str,
    kind: AgencyKind,
) -> Result<Agency, AppError> {
    if name.trim().is_empty() {
        return Err(AppError::field("name", "is required"));
    }
    let mut tx = store.begin().await?;
    let a = orgs::create_agency(&mut tx.conn(), site, name.trim(), kind, now()).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.agency.create",
        Some(format!("agency:{}", a.id)),
    )
    .await?;
    Ok(a)
}

pub struct NewUser<'a> {
    pub site: SiteId,
    pub agency: AgencyId,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub roles: &'a [Role],
    pub is_demo: bool,
}

pub async fn create_user(
    store: &Store,
    actor: Actor<'_>,
    u: NewUser<'_>,
) -> Result<UserId, AppError> {
    let email = Email::parse(u.email)?;
    if u.roles.is_empty() {
        return Err(AppError::field("roles", "choose at least one role"));
    }
    let display_name = DisplayName::parse(u.display_name)?;
    let policy = if u.is_demo {
        PasswordPolicy { min_length: 8 }
    } else {
        PasswordPolicy::default()
    };
    policy
        .check(u.password, Some(&email))
        .map_err(|e| AppError::field("password", e.to_string()))?;
    let mut c = store.conn();
    orgs::get_agency(&mut c, u.site, u.agency)
        .await
        .map_err(|_| AppError::field("agency", "no such agency at this site"))?;
    let hash = password::hash(u.password).map_err(AppError::Internal)?;
    let mut tx = store.begin().await?;
    let id = users::create(
        &mut tx.conn(),
        users::NewUser {
            site_id: u.site,
            agency_id: u.agency,
            email: &email,
            display_name: display_name.as_str(),
            password_hash: &hash,
            roles: u.roles,
            is_demo: u.is_demo,
        },
        now(),
    )
    .await
    .map_err(|e| match e {
        handoff_store::StoreError::Conflict(_) => {
            AppError::field("email", "an account with this address exists")
        }
        other => other.into(),
    })?;
    commit_audited(
        tx,
        &actor,
        u.site,
        "admin.user.create",
        Some(format!("user:{id}")),
    )
    .await?;
    Ok(id)
}

pub async fn reset_password(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    user: UserId,
    new_password: &str,
) -> Result<(), AppError> {
    let u = users::get(&mut store.conn(), site, user).await?;
    let policy = if u.is_demo {
        PasswordPolicy { min_length: 8 }
    } else {
        PasswordPolicy::default()
    };
    policy
        .check(new_password, Some(&u.email))
        .map_err(|e| AppError::field("password", e.to_string()))?;
    let hash = password::hash(new_password).map_err(AppError::Internal)?;
    let mut tx = store.begin().await?;
    users::set_password(&mut tx.conn(), site, user, &hash, now()).await?;
    handoff_store::sessions::delete_for_user(&mut tx.conn(), site, user).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.user.reset_password",
        Some(format!("user:{user}")),
    )
    .await?;
    Ok(())
}

pub async fn disable_user(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    user: UserId,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    users::disable(&mut tx.conn(), site, user, now()).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.user.disable",
        Some(format!("user:{user}")),
    )
    .await?;
    Ok(())
}

/// A token to mint: an integration of its own, never a user's identity.
pub struct NewToken<'a> {
    pub site: SiteId,
    /// The agency that owns and answers for the integration.
    pub agency: AgencyId,
    /// What it is, e.g. "county jail booking feed".
    pub name: &'a str,
    pub scopes: Scopes,
    /// Days until it expires; `None` for the default (90).
    pub expires_days: Option<i64>,
}

/// Mints an API token (a site admin's action, audited). The secret is
/// returned once and only its SHA-256 is kept.
pub async fn create_token(
    store: &Store,
    actor: Actor<'_>,
    t: NewToken<'_>,
) -> Result<(ApiTokenId, String), AppError> {
    let name = t.name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "is required"));
    }
    if name.chars().count() > 200 {
        return Err(AppError::field("name", "is longer than 200 characters"));
    }
    let at = now();
    let expires_at = integration::token_expiry(at, t.expires_days)?;
    orgs::get_agency(&mut store.conn(), t.site, t.agency)
        .await
        .map_err(|e| match e {
            handoff_store::StoreError::NotFound => {
                AppError::field("agency", "is not an agency of this site")
            }
            e => e.into(),
        })?;
    let created_by = match &actor {
        Actor::User(u, _) => Some(u.id),
        Actor::Cli => None,
    };
    let token = format!("hnd_{}", secret::random_token(32));
    let mut tx = store.begin().await?;
    let id = tokens::create(
        &mut tx.conn(),
        tokens::NewToken {
            site: t.site,
            agency: t.agency,
            name,
            scopes: &t.scopes,
            token_hash: &secret::digest(&token),
            created_by,
            expires_at,
        },
        at,
    )
    .await?;
    commit_audited(
        tx,
        &actor,
        t.site,
        "admin.token.create",
        Some(format!("token:{id}")),
    )
    .await?;
    Ok((id, token))
}

pub async fn revoke_token(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    token: ApiTokenId,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tokens::revoke(&mut tx.conn(), site, token, now()).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.token.revoke",
        Some(format!("token:{token}")),
    )
    .await?;
    Ok(())
}

/// Sets the site's webhook (an SMS or paging gateway); `None` clears it.
/// Events carry ids only. Only `https://` URLs are accepted, except
/// `http://` to the local machine (a gateway on the same host).
pub async fn set_webhook(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    url: Option<&str>,
) -> Result<(), AppError> {
    let url = url.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url {
        let local = u.starts_with("http://127.0.0.1")
            || u.starts_with("http://localhost")
            || u.starts_with("http://[::1]");
        if !(u.starts_with("https://") || local) || u.len() > 2000 {
            return Err(AppError::field("url", "use an https:// address"));
        }
    }
    let mut tx = store.begin().await?;
    orgs::set_webhook(&mut tx.conn(), site, url).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.site.webhook",
        Some(format!("site:{site}")),
    )
    .await?;
    Ok(())
}

/// Replaces a user's roles (and approver designation). Their sessions end so
/// the change applies at once; a site admin cannot remove their own admin role.
pub async fn set_roles(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    user: UserId,
    roles: &[Role],
    can_approve: bool,
) -> Result<(), AppError> {
    if roles.is_empty() {
        return Err(AppError::field("roles", "choose at least one role"));
    }
    if let Actor::User(me, _) = &actor
        && me.id == user
        && !roles.contains(&Role::SiteAdmin)
    {
        return Err(AppError::field(
            "roles",
            "you cannot remove your own administrator role",
        ));
    }
    users::get(&mut store.conn(), site, user).await?;
    let mut tx = store.begin().await?;
    users::set_roles(&mut tx.conn(), site, user, roles).await?;
    users::set_can_approve(&mut tx.conn(), site, user, can_approve).await?;
    handoff_store::sessions::delete_for_user(&mut tx.conn(), site, user).await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.user.roles",
        Some(format!("user:{user}")),
    )
    .await?;
    Ok(())
}

/// Sets (or, when blank, clears) a user's work telephone number, audited.
/// Digits, spaces and `+ - ( ) . x` only, at most 30 characters.
pub async fn set_phone(
    store: &Store,
    actor: Actor<'_>,
    site: SiteId,
    user: UserId,
    phone: &str,
) -> Result<(), AppError> {
    let phone = phone.trim();
    let ok = phone.chars().count() <= 30
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
        && (phone.is_empty() || phone.chars().filter(char::is_ascii_digit).count() >= 3);
    if !ok {
        return Err(AppError::field(
            "phone",
            "type a telephone number: digits, spaces and + - ( ) . x, at most 30 characters",
        ));
    }
    users::get(&mut store.conn(), site, user).await?;
    let mut tx = store.begin().await?;
    users::set_phone(
        &mut tx.conn(),
        site,
        user,
        (!phone.is_empty()).then_some(phone),
        now(),
    )
    .await?;
    commit_audited(
        tx,
        &actor,
        site,
        "admin.user.phone",
        Some(format!("user:{user}")),
    )
    .await?;
    Ok(())
}
