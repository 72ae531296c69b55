//! Second-factor enrolment: a QR code for an authenticator app, a code to
//! prove it works, then ten recovery codes shown once.

use super::login::{CodeForm, code_form};
use super::{PageResult, csrf_value, layout, raw, see_other};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handoff_audit::Outcome;
use handoff_http::AppState;
use handoff_http::audit::{self};
use handoff_http::auth::{AuthVia, PendingMfa, secret, totp};
use handoff_http::auth::{Origin, Person};
use handoff_http::error::WebError;
use handoff_store::sessions::Session;
use handoff_store::users::User;
use handoff_store::{sessions, users};
use maud::html;

/// The caller on this page: signed in, or password accepted and enrolment due.
fn who(
    auth: Result<Person, WebError>,
    pending: Result<PendingMfa, WebError>,
) -> Option<(User, Session, bool)> {
    if let Ok(Person(a)) = auth {
        if let AuthVia::Session(s) = a.via {
            return Some((a.user, s, true));
        }
        return None;
    }
    pending.ok().map(|p| (p.user, p.session, false))
}

pub async fn enrol_form(
    State(state): State<AppState>,
    auth: Result<Person, WebError>,
    pending: Result<PendingMfa, WebError>,
) -> PageResult {
    let Some((user, session, signed_in)) = who(auth, pending) else {
        return Ok(see_other("/login"));
    };
    if user.totp_enabled {
        if !signed_in {
            return Ok(see_other("/login/mfa"));
        }
        return Ok(layout(
            "Two-step verification",
            None,
            html! {
                h1 { "Two-step verification" }
                p { "Two-step verification is on for your account." }
                form method="post" action="/logout/everywhere" {
                    (csrf_value(&session.csrf_token))
                    button type="submit" { "Sign out on every device" }
                }
                p { a href="/" { "Back to your home page" } }
            },
        )
        .into_response());
    }
    let secret_b32 = match &user.totp_secret {
        Some(s) => s.clone(),
        None => {
            let s = totp::new_secret();
            users::set_totp(
                &mut state.store.conn(),
                user.home_site_id,
                user.id,
                Some(&s),
                false,
            )
            .await?;
            s
        }
    };
    Ok(enrol_page(&user, &session.csrf_token, &secret_b32, None).into_response())
}

fn enrol_page(user: &User, csrf: &str, secret_b32: &str, error: Option<&str>) -> maud::Markup {
    let url = totp::otpauth_url(user.email.as_str(), secret_b32);
    layout(
        "Set up two-step verification",
        None,
        html! {
            h1 { "Set up two-step verification" }
            p { "Your role works with participants' data, so your account needs a second step at sign-in." }
            ol.steps {
                li { "Open an authenticator app on your phone and scan this code." }
                li { "Or type this key: " code.key { (secret_b32) } }
                li { "Enter the six-digit code the app shows." }
            }
            figure.qr role="img" aria-label="QR code for your authenticator app" { (raw(totp::qr_svg(&url))) }
            (code_form("/account/mfa", csrf, error, "Six-digit code", "Turn on two-step verification"))
        },
    )
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    auth: Result<Person, WebError>,
    pending: Result<PendingMfa, WebError>,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let Some((user, session, _)) = who(auth, pending) else {
        return Ok(see_other("/login"));
    };
    if user.totp_enabled {
        return Ok(see_other("/"));
    }
    let Some(secret_b32) = user.totp_secret.clone() else {
        return Ok(see_other("/account/mfa"));
    };
    let unix = handoff_http::now().unix_timestamp().max(0) as u64;
    let Some(step) = totp::check(&secret_b32, &f.code, unix) else {
        audit::record(
            &state,
            audit::event_for(&user, "auth.mfa.enrol_failed", Outcome::Denied, &ctx),
        )
        .await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            enrol_page(&user, &session.csrf_token, &secret_b32, Some("That code did not match. Check the time on your phone and try the current code.")),
        )
            .into_response());
    };
    let codes = totp::new_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| secret::digest(c)).collect();
    let mut tx = state.store.begin().await?;
    users::set_totp(
        &mut tx.conn(),
        user.home_site_id,
        user.id,
        Some(&secret_b32),
        true,
    )
    .await?;
    users::accept_totp_step(&mut tx.conn(), user.id, step).await?;
    users::replace_recovery_codes(&mut tx.conn(), user.home_site_id, user.id, &digests).await?;
    sessions::mark_mfa_passed(&mut tx.conn(), session.id).await?;
    audit::record_in(
        &mut tx,
        audit::event_for(&user, "auth.mfa.enrolled", Outcome::Allowed, &ctx),
    )
    .await?;
    tx.commit().await?;
    Ok(recovery_page(&codes))
}

fn recovery_page(codes: &[String]) -> Response {
    layout(
        "Recovery codes",
        None,
        html! {
            h1 { "Two-step verification is on" }
            p { "Keep these recovery codes somewhere safe. Each works once if you lose your phone. They will not be shown again." }
            ul.codes { @for c in codes { li { code { (c) } } } }
            p { a.button.primary href="/" { "Continue" } }
        },
    )
    .into_response()
}
