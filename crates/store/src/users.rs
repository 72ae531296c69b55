//! User accounts, their roles, lockout counters, second factors and recovery
//! codes. Password hashing happens above the store: only hashes arrive here.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::{AgencyId, Email, Role, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    /// The site the person acts in: their account's own site, or the one
    /// their session switched to (see [`get_acting`]).
    pub site_id: SiteId,
    /// The site the account was made in (its row's site): sessions, second
    /// factors and recovery codes are kept under it.
    pub home_site_id: SiteId,
    pub agency_id: AgencyId,
    pub email: Email,
    pub display_name: String,
    /// A work telephone number, as typed by an administrator.
    pub phone: Option<String>,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub is_demo: bool,
    /// Designated to approve referrals where the site's policy requires it.
    pub can_approve: bool,
    pub failed_logins: i64,
    pub locked_until: Option<OffsetDateTime>,
    pub disabled_at: Option<OffsetDateTime>,
    /// The sites the person holds roles in, when there are several (filled
    /// in for a signed-in session: the page header's site switcher).
    pub sites: Vec<crate::network::SiteChoice>,
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// The role shown first and recorded in the audit log for the user.
    pub fn primary_role(&self) -> Option<Role> {
        self.roles.first().copied()
    }
    /// Second factor required: see [`handoff_domain::account::second_factor_required`].
    pub fn mfa_required(&self) -> bool {
        handoff_domain::account::second_factor_required(self.is_demo)
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: Uuid,
    site_id: Uuid,
    agency_id: Uuid,
    email: String,
    display_name: String,
    phone: Option<String>,
    password_hash: String,
    totp_secret: Option<String>,
    totp_enabled: bool,
    totp_last_step: Option<i64>,
    is_demo: bool,
    can_approve: bool,
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
    disabled_at: Option<OffsetDateTime>,
}

const USER_COLUMNS: &str = "id, home_site_id AS site_id, agency_id, email, display_name, phone, password_hash, totp_secret, \
    totp_enabled, totp_last_step, is_demo, can_approve, failed_logins, locked_until, disabled_at";

#[derive(sqlx::FromRow)]
struct RoleRow {
    role: String,
}

async fn with_roles(c: &mut Conn<'_>, r: UserRow) -> Result<User> {
    let roles = c
        .fetch_all::<RoleRow>(
            "SELECT role FROM user_roles WHERE site_id = $1 AND user_id = $2 ORDER BY role",
            args![r.site_id, r.id],
        )
        .await?
        .into_iter()
        .map(|row| row.role)
        .collect::<Vec<_>>();
    user(r, &roles)
}

#[derive(sqlx::FromRow)]
struct UserRoleRow {
    user_id: Uuid,
    role: String,
}

/// Many users of one site with their roles, in two queries (the users,
/// then every role of the site) rather than one query per user.
async fn all_with_roles(c: &mut Conn<'_>, site: SiteId, rows: Vec<UserRow>) -> Result<Vec<User>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_user: std::collections::HashMap<Uuid, Vec<String>> =
        std::collections::HashMap::new();
    for row in c
        .fetch_all::<UserRoleRow>(
            "SELECT user_id, role FROM user_roles WHERE site_id = $1 ORDER BY role",
            args![site],
        )
        .await?
    {
        by_user.entry(row.user_id).or_default().push(row.role);
    }
    rows.into_iter()
        .map(|r| {
            let roles = by_user.remove(&r.id).unwrap_or_default();
            user(r, &roles)
        })
        .collect()
}

fn user(r: UserRow, roles: &[String]) -> Result<User> {
    let roles = roles
        .iter()
        .map(|role| {
            role.parse::<Role>()
                .map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(User {
        id: r.id.into(),
        site_id: r.site_id.into(),
        home_site_id: r.site_id.into(),
        agency_id: r.agency_id.into(),
        email: Email::parse(&r.email).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        display_name: r.display_name,
        phone: r.phone,
        roles,
        password_hash: r.password_hash,
        totp_secret: r.totp_secret,
        totp_enabled: r.totp_enabled,
        totp_last_step: r.totp_last_step,
        is_demo: r.is_demo,
        can_approve: r.can_approve,
        failed_logins: r.failed_logins,
        locked_until: r.locked_until,
        disabled_at: r.disabled_at,
        sites: Vec::new(),
    })
}

pub struct NewUser<'a> {
    pub site_id: SiteId,
    pub agency_id: AgencyId,
    pub email: &'a Email,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub roles: &'a [Role],
    pub is_demo: bool,
}

/// Creates a user with roles. Call inside a transaction.
pub async fn create(c: &mut Conn<'_>, u: NewUser<'_>, now: OffsetDateTime) -> Result<UserId> {
    let id: UserId = new_id();
    c.execute(
        "INSERT INTO users (id, home_site_id, agency_id, email, display_name, password_hash, is_demo, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        args![id, u.site_id, u.agency_id, u.email.as_str(), u.display_name, u.password_hash, u.is_demo, now],
    )
    .await?;
    set_roles(c, u.site_id, id, u.roles).await?;
    Ok(id)
}

pub async fn set_roles(c: &mut Conn<'_>, site: SiteId, user: UserId, roles: &[Role]) -> Result<()> {
    c.execute(
        "DELETE FROM user_roles WHERE site_id = $1 AND user_id = $2",
        args![site, user],
    )
    .await?;
    for role in roles {
        c.execute(
            "INSERT INTO user_roles (site_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            args![site, user, role.as_str()],
        )
        .await?;
    }
    Ok(())
}

/// Looks a login name up across sites: the one query not scoped by site,
/// because a person logging in has not yet said which site is theirs.
/// E-mail addresses are unique across the installation.
pub async fn find_by_email(c: &mut Conn<'_>, email: &Email) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
    match c
        .fetch_optional::<UserRow>(&sql, args![email.as_str()])
        .await?
    {
        Some(r) => Ok(Some(with_roles(c, r).await?)),
        None => Ok(None),
    }
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: UserId) -> Result<User> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE home_site_id = $1 AND id = $2");
    let r = c.fetch_one::<UserRow>(&sql, args![site, id]).await?;
    with_roles(c, r).await
}

/// The user as they act in `acting`: in their account's own site as
/// [`get`]; in another site with the organisation, roles and designation
/// they hold there (`site_roles`). `NotFound` when they hold none there.
pub async fn get_acting(
    c: &mut Conn<'_>,
    home: SiteId,
    acting: SiteId,
    id: UserId,
) -> Result<User> {
    let mut user = get(c, home, id).await?;
    if acting != home {
        let (agency, roles, approve) = crate::network::roles_in(c, acting, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        user.site_id = acting;
        user.agency_id = agency;
        user.roles = roles;
        user.can_approve = approve;
    }
    Ok(user)
}

pub async fn list(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE home_site_id = $1 ORDER BY email");
    let rows = c.fetch_all::<UserRow>(&sql, args![site]).await?;
    all_with_roles(c, site, rows).await
}

/// One page of a site's users by e-mail address (keyset on `email`, `id`).
pub async fn list_page(
    c: &mut Conn<'_>,
    site: SiteId,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<User>> {
    use crate::page::{Columns, Cursor, Dir, fetch};
    const PAGED: Columns = Columns::new("email", "id", Dir::Asc);
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE home_site_id = $1");
    let rows = fetch(
        c,
        &sql,
        args![site],
        PAGED,
        page,
        Ok::<UserRow, _>,
        |r: &UserRow| Cursor::text(r.email.clone(), r.id),
    )
    .await?;
    Ok(crate::page::Paged {
        items: all_with_roles(c, site, rows.items).await?,
        next: rows.next,
    })
}

#[derive(sqlx::FromRow)]
struct FailRow {
    failed_logins: i64,
    locked_until: Option<OffsetDateTime>,
}

/// Counts a failed login atomically; at `threshold` consecutive failures the
/// account locks until `lock_until`. Returns the lock time if now locked.
pub async fn record_failed_login(
    c: &mut Conn<'_>,
    id: UserId,
    threshold: i64,
    lock_until: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>> {
    let r = c
        .fetch_one::<FailRow>(
            "UPDATE users SET failed_logins = failed_logins + 1, \
               locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END, \
               updated_at = $4 \
             WHERE id = $1 RETURNING failed_logins, locked_until",
            args![id, threshold, lock_until, now],
        )
        .await?;
    Ok(r.locked_until
        .filter(|t| *t > now && r.failed_logins >= threshold))
}

/// After a successful login, or once a lock has expired, the count restarts.
pub async fn reset_failed_logins(c: &mut Conn<'_>, id: UserId) -> Result<()> {
    c.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        args![id],
    )
    .await?;
    Ok(())
}

pub async fn set_password(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute_found(
        "UPDATE users SET password_hash = $3, failed_logins = 0, locked_until = NULL, updated_at = $4 \
         WHERE home_site_id = $1 AND id = $2",
        args![site, id, hash, now],
    )
    .await
}

/// Stores a TOTP secret; `enabled` is set once the user proved they hold it.
pub async fn set_totp(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    secret: Option<&str>,
    enabled: bool,
) -> Result<()> {
    c.execute(
        "UPDATE users SET totp_secret = $3, totp_enabled = $4, totp_last_step = NULL WHERE home_site_id = $1 AND id = $2",
        args![site, id, secret, enabled],
    )
    .await?;
    Ok(())
}

/// Records the last accepted TOTP time step, refusing a replay of the same
/// or an earlier step. Returns false when the step was already used.
pub async fn accept_totp_step(c: &mut Conn<'_>, id: UserId, step: i64) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            args![id, step],
        )
        .await?;
    Ok(n == 1)
}

/// Disables a user and ends all their sessions and API tokens' use.
pub async fn disable(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute_found(
        "UPDATE users SET disabled_at = $3, updated_at = $3 WHERE home_site_id = $1 AND id = $2",
        args![site, id, now],
    )
    .await?;
    crate::sessions::delete_for_user(c, site, id).await?;
    Ok(())
}

pub async fn replace_recovery_codes(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    hashes: &[String],
) -> Result<()> {
    c.execute(
        "DELETE FROM recovery_codes WHERE site_id = $1 AND user_id = $2",
        args![site, id],
    )
    .await?;
    for h in hashes {
        c.execute(
            "INSERT INTO recovery_codes (site_id, user_id, code_hash) VALUES ($1, $2, $3)",
            args![site, id, h],
        )
        .await?;
    }
    Ok(())
}

/// Spends a recovery code (by its hash). True if it existed and was unused.
pub async fn use_recovery_code(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    hash: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE recovery_codes SET used_at = $4 WHERE site_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL",
            args![site, id, hash, now],
        )
        .await?;
    Ok(n == 1)
}

/// Sets (or clears) a user's work telephone number.
pub async fn set_phone(
    c: &mut Conn<'_>,
    site: SiteId,
    id: UserId,
    phone: Option<&str>,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE users SET phone = $3, updated_at = $4 WHERE home_site_id = $1 AND id = $2",
        args![site, id, phone, now],
    )
    .await?;
    Ok(())
}

/// Designates (or stops designating) a user as a referral approver.
pub async fn set_can_approve(c: &mut Conn<'_>, site: SiteId, id: UserId, can: bool) -> Result<()> {
    c.execute(
        "UPDATE users SET can_approve = $3 WHERE home_site_id = $1 AND id = $2",
        args![site, id, can],
    )
    .await?;
    Ok(())
}

/// Users of a site holding a role (enabled only).
pub async fn with_role(c: &mut Conn<'_>, site: SiteId, role: Role) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE home_site_id = $1 AND disabled_at IS NULL AND id IN \
         (SELECT user_id FROM user_roles WHERE site_id = $1 AND role = $2) ORDER BY display_name"
    );
    let rows = c
        .fetch_all::<UserRow>(&sql, args![site, role.as_str()])
        .await?;
    all_with_roles(c, site, rows).await
}
