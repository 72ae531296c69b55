//! Sign in, the second-factor challenge, and sign out.

use super::{PageResult, Signed, csrf_value, layout, see_other};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use handoff_audit::Outcome;
use handoff_http::AppState;
use handoff_http::audit::{self};
use handoff_http::auth::Origin;
use handoff_http::auth::session::{
    clear_session_cookie, end_all_sessions, end_session, session_cookie,
};
use handoff_http::auth::{PendingMfa, login, secret, totp};
use handoff_http::error::{AppError, WebError};
use handoff_http::now;
use handoff_store::{sessions, users};
use maud::{Markup, html};
use serde::Deserialize;

fn login_page(csrf: &str, error: Option<&str>, email: &str, demo: bool) -> Markup {
    layout(
        "Sign in",
        None,
        html! {
            h1 { "Sign in" }
            @if let Some(e) = error {
                p.notice role="alert" id="login-error" { (e) }
            }
            form.stack method="post" action="/login" {
                (csrf_value(csrf))
                label for="email" { "Email" }
                input id="email" name="email" type="email" autocomplete="username" required value=(email)
                    aria-describedby=[error.map(|_| "login-error")];
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
                button.primary type="submit" { "Sign in" }
            }
            @if demo {
                section.demo aria-labelledby="demo-h" {
                    h2 id="demo-h" { "Demo site" }
                    p { "Every demo account uses the password " code { "demo-password" } ":" }
                    ul.compact {
                        @for (login, _, role, _) in handoff_seed::USERS {
                            li { code { (login) } " — " (role.label()) }
                        }
                    }
                }
            }
        },
    )
}

/// The login form sets a double-submit CSRF cookie for the form post.
pub async fn form(State(state): State<AppState>, jar: CookieJar) -> impl IntoResponse {
    let token = secret::random_token(24);
    let mut c = Cookie::new(state.config.login_csrf_cookie_name(), token.clone());
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path("/");
    c.set_secure(state.config.https);
    (jar.add(c), login_page(&token, None, "", state.config.demo))
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let redisplay = |status: StatusCode, msg: &str| {
        (
            status,
            login_page(&f.csrf_token, Some(msg), &f.email, state.config.demo),
        )
            .into_response()
    };
    match login::check(&state, &f.email, &f.password, None, &ctx).await {
        Ok(next) => {
            let (user, mfa_passed, to) = match next {
                login::Next::SignedIn(u) => (u, true, "/"),
                login::Next::Challenge(u) => (u, false, "/login/mfa"),
                login::Next::Enrol(u) => (u, false, "/account/mfa"),
            };
            match login::start_session(&state, &user, mfa_passed, &ctx).await {
                Ok((token, _csrf)) => {
                    let jar = jar
                        .add(session_cookie(&state.config, token))
                        .remove(Cookie::build(state.config.login_csrf_cookie_name()).path("/"));
                    (jar, see_other(to)).into_response()
                }
                Err(e) => super::error_page(e),
            }
        }
        Err(AppError::Locked) => redisplay(
            StatusCode::LOCKED,
            "Too many failed attempts. This account is locked for 15 minutes.",
        ),
        Err(AppError::RateLimited) => redisplay(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts from this device. Wait a few minutes and try again.",
        ),
        Err(AppError::LoginFailed) => {
            redisplay(StatusCode::UNAUTHORIZED, "Invalid email or password.")
        }
        Err(other) => super::error_page(other),
    }
}

/// The form that takes a one-time code, after the last attempt's error if any.
pub(super) fn code_form(
    action: &str,
    csrf: &str,
    error: Option<&str>,
    label: &str,
    button: &str,
) -> Markup {
    html! {
        @if let Some(e) = error { p.notice role="alert" { (e) } }
        form.stack method="post" action=(action) {
            (csrf_value(csrf))
            label for="code" { (label) }
            input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required;
            button.primary type="submit" { (button) }
        }
    }
}

fn challenge_page(csrf: &str, error: Option<&str>) -> Markup {
    layout(
        "Verification code",
        None,
        html! {
            h1 { "Verification code" }
            p { "Enter the six-digit code from your authenticator app, or one of your recovery codes." }
            (code_form("/login/mfa", csrf, error, "Code", "Verify"))
        },
    )
}

pub async fn challenge_form(pending: Result<PendingMfa, WebError>) -> Response {
    match pending {
        Ok(p) if p.user.totp_enabled => challenge_page(&p.session.csrf_token, None).into_response(),
        Ok(_) => see_other("/account/mfa"),
        Err(_) => see_other("/login"),
    }
}

/// A one-time code typed in (sign-in challenge, second-factor enrolment).
#[derive(Deserialize)]
pub struct CodeForm {
    pub(super) code: String,
}

pub async fn challenge_submit(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    pending: Result<PendingMfa, WebError>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let Ok(p) = pending else {
        return Ok(see_other("/login"));
    };
    if !p.user.totp_enabled {
        return Ok(see_other("/account/mfa"));
    }
    let code = f.code.trim();
    let by_totp = code.len() == 6 && login::verify_totp(&state, &p.user, code).await?;
    let by_recovery = !by_totp
        && users::use_recovery_code(
            &mut state.store.conn(),
            p.user.site_id,
            p.user.id,
            &secret::digest(&totp::normalise_recovery_code(code)),
            now(),
        )
        .await?;
    if by_totp || by_recovery {
        let mut tx = state.store.begin().await?;
        sessions::mark_mfa_passed(&mut tx.conn(), p.session.id).await?;
        let action = if by_recovery {
            "auth.mfa.recovery_code_used"
        } else {
            "auth.mfa.passed"
        };
        audit::record_in(
            &mut tx,
            audit::event_for(&p.user, action, Outcome::Allowed, &ctx),
        )
        .await?;
        audit::record_in(
            &mut tx,
            audit::event_for(&p.user, "auth.login", Outcome::Allowed, &ctx),
        )
        .await?;
        tx.commit().await?;
        return Ok(see_other("/"));
    }
    let t = now();
    let locked = users::record_failed_login(
        &mut state.store.conn(),
        p.user.id,
        state.config.lockout_threshold,
        t + state.config.lockout_duration,
        t,
    )
    .await?;
    audit::record(
        &state,
        audit::event_for(&p.user, "auth.mfa.failed", Outcome::Denied, &ctx),
    )
    .await?;
    if locked.is_some() {
        sessions::delete(&mut state.store.conn(), p.session.id).await?;
        return Ok((StatusCode::LOCKED, layout("Locked", None, html! {
            h1 { "Account locked" }
            p.notice role="alert" { "Too many failed attempts. This account is locked for 15 minutes." }
        }))
        .into_response());
    }
    Ok((
        StatusCode::UNAUTHORIZED,
        challenge_page(
            &p.session.csrf_token,
            Some("That code did not work. Try the current code."),
        ),
    )
        .into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    jar: CookieJar,
    auth: Result<Signed, Response>,
    pending: Result<PendingMfa, WebError>,
) -> PageResult {
    let mut tx = state.store.begin().await?;
    if let Ok(Signed(a)) = auth {
        end_session(&mut tx, &a, &ctx).await?;
    } else if let Ok(p) = pending {
        sessions::delete(&mut tx.conn(), p.session.id).await?;
    }
    tx.commit().await?;
    Ok((
        jar.add(clear_session_cookie(&state.config)),
        see_other("/login"),
    )
        .into_response())
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    jar: CookieJar,
    Signed(a): Signed,
) -> PageResult {
    end_all_sessions(&state, &a, &ctx).await?;
    Ok((
        jar.add(clear_session_cookie(&state.config)),
        see_other("/login"),
    )
        .into_response())
}
