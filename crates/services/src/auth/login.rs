//! The login procedure shared by the HTML form and `POST /api/v1/session`:
//! rate limit, uniform failures, lockout, second factor, then a session.

use super::{password, secret, totp};
use crate::audit::{self, Ctx};
use crate::error::AppError;
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::Email;
use handoff_store::users::User;
use handoff_store::{sessions, users};

/// What the credentials allow next.
#[derive(Debug)]
pub enum Next {
    /// Fully signed in.
    SignedIn(User),
    /// Password accepted; a TOTP code (or recovery code) is due.
    Challenge(User),
    /// Password accepted; the user must enrol a second factor first.
    Enrol(User),
}

/// Checks email and password (and a TOTP code if given). Every failure looks
/// the same to the caller, except a lock (423), which unknown addresses also
/// reach after the same number of attempts. Only failures count against the
/// client address's limit: successful sign-ins never use it up.
pub async fn check(
    state: &AppState,
    email_raw: &str,
    pass: &str,
    totp_code: Option<&str>,
    ctx: &Ctx,
) -> Result<Next, AppError> {
    if ctx
        .client_ip
        .is_some_and(|ip| state.login_limiter.blocked(ip))
    {
        audit::record(
            state,
            audit::anonymous("auth.login_rate_limited", Outcome::Denied, ctx),
        )
        .await?;
        return Err(AppError::RateLimited);
    }
    let result = check_credentials(state, email_raw, pass, totp_code, ctx).await;
    if let (Some(ip), Err(AppError::LoginFailed | AppError::Locked)) = (ctx.client_ip, &result) {
        state.login_limiter.fail(ip);
    }
    result
}

async fn check_credentials(
    state: &AppState,
    email_raw: &str,
    pass: &str,
    totp_code: Option<&str>,
    ctx: &Ctx,
) -> Result<Next, AppError> {
    let t = now();
    let mut c = state.store.conn();
    let user = match Email::parse(email_raw) {
        Ok(email) => users::find_by_email(&mut c, &email).await?,
        Err(_) => None,
    };
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        password::verify_dummy(pass);
        let key = email_raw.trim().to_lowercase();
        let threshold = state.config.lockout_threshold as u32;
        let lock_for = std::time::Duration::from_secs(
            state.config.lockout_duration.whole_seconds().max(0) as u64,
        );
        let locked = state.unknown_logins.locked(&key)
            || state.unknown_logins.fail(&key, threshold, lock_for);
        audit::record(
            state,
            audit::anonymous("auth.login_failed", Outcome::Denied, ctx),
        )
        .await?;
        return Err(if locked {
            AppError::Locked
        } else {
            AppError::LoginFailed
        });
    };
    if user.locked_until.is_some_and(|u| u > t) {
        password::verify_dummy(pass);
        audit::record(
            state,
            audit::event_for(&user, "auth.login_locked", Outcome::Denied, ctx),
        )
        .await?;
        return Err(AppError::Locked);
    }
    if user.locked_until.is_some() {
        users::reset_failed_logins(&mut c, user.id).await?;
    }
    let pass_ok = password::verify(&user.password_hash, pass);
    let totp_ok = match (pass_ok, user.totp_enabled, totp_code) {
        (true, true, Some(code)) => verify_totp(state, &user, code).await?,
        _ => true,
    };
    if !pass_ok || !totp_ok {
        let lock_until = t + state.config.lockout_duration;
        let locked = users::record_failed_login(
            &mut c,
            user.id,
            state.config.lockout_threshold,
            lock_until,
            t,
        )
        .await?;
        audit::record(
            state,
            audit::event_for(&user, "auth.login_failed", Outcome::Denied, ctx),
        )
        .await?;
        return Err(if locked.is_some() {
            AppError::Locked
        } else {
            AppError::LoginFailed
        });
    }
    users::reset_failed_logins(&mut c, user.id).await?;
    let next = if user.totp_enabled {
        if totp_code.is_some() {
            Next::SignedIn(user)
        } else {
            Next::Challenge(user)
        }
    } else if user.mfa_required() {
        Next::Enrol(user)
    } else {
        Next::SignedIn(user)
    };
    Ok(next)
}

/// Checks a TOTP code for a user with a second factor, refusing replays.
pub async fn verify_totp(state: &AppState, user: &User, code: &str) -> Result<bool, AppError> {
    let Some(secret_b32) = user.totp_secret.as_deref() else {
        return Ok(false);
    };
    let unix = now().unix_timestamp().max(0) as u64;
    match totp::check(secret_b32, code, unix) {
        Some(step) => Ok(users::accept_totp_step(&mut state.store.conn(), user.id, step).await?),
        None => Ok(false),
    }
}

/// A new session: returns the cookie token (kept only by the browser) and
/// the CSRF token.
pub async fn start_session(
    state: &AppState,
    user: &User,
    mfa_passed: bool,
    ctx: &Ctx,
) -> Result<(String, String), AppError> {
    let token = secret::random_token(32);
    let csrf = secret::random_token(24);
    let t = now();
    let ip = ctx.client_ip.map(|i| i.to_string());
    let mut tx = state.store.begin().await?;
    sessions::create(
        &mut tx.conn(),
        sessions::NewSession {
            site_id: user.site_id,
            user_id: user.id,
            token_hash: &secret::digest(&token),
            csrf_token: &csrf,
            mfa_passed,
            expires_at: t + state.config.absolute_timeout,
            client_ip: ip.as_deref(),
        },
        t,
    )
    .await?;
    let action = if mfa_passed {
        "auth.login"
    } else {
        "auth.password_accepted"
    };
    audit::record_in(
        &mut tx,
        audit::event_for(user, action, Outcome::Allowed, ctx),
    )
    .await?;
    tx.commit().await?;
    Ok((token, csrf))
}
