//! Server-rendered pages (maud). Mobile first: one column at 390 px, large
//! touch targets. Small scripts from /assets only enhance (live lists,
//! location, the signature pad). Personal data never goes into URLs.

mod account;
mod admin;
mod caseload;
mod coordination;
mod evaluation;
mod flow;
mod handoff;
mod holds;
mod home;
mod login;
mod lookup;
mod participant;
mod policy;
mod referral;
mod referral_work;
mod review;
mod supervisor;

use crate::AppState;
use crate::auth::{Auth, PendingMfa};
use crate::error::AppError;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/mfa",
            get(login::challenge_form).post(login::challenge_submit),
        )
        .route("/logout", post(login::logout))
        .route("/logout/everywhere", post(login::logout_everywhere))
        .route(
            "/account/mfa",
            get(account::enrol_form).post(account::enrol_submit),
        )
        .route("/admin", get(admin::overview))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route("/admin/users/{id}/phone", post(admin::set_phone))
        .route("/admin/agencies", post(admin::create_agency))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/assets/app.css", get(css))
        .route("/assets/report.css", get(evaluation::report_css))
        .route("/oversight", get(coordination::oversight))
        .route("/approvals", get(coordination::approvals))
        .route("/coordination", get(coordination::charges))
        .route("/coordination/{id}", get(coordination::charge))
        .route("/coordination/{id}/messages", post(coordination::message))
        .route("/coordination/{id}/decision", post(coordination::decide))
        .route(
            "/owg",
            get(coordination::meetings).post(coordination::create_meeting),
        )
        .route("/owg/{id}", get(coordination::agenda))
        .route("/owg/{id}/build", post(coordination::build))
        .route("/owg/{id}/items", post(coordination::raise))
        .route(
            "/evaluation",
            get(evaluation::form)
                .post(evaluation::run)
                .layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/referrals", get(referral::list).post(referral::submit))
        .route("/referrals/new", get(referral::new_form))
        .route("/referrals/{id}", get(referral::detail))
        .route("/referrals/{id}/result", get(referral::result_page))
        .route("/referrals/{id}/accept", post(referral_work::accept))
        .route("/referrals/{id}/approval", post(referral_work::approval))
        .route("/referrals/{id}/arrive", post(referral_work::arrive))
        .route("/referrals/{id}/triage", post(referral_work::triage))
        .route("/referrals/{id}/intake", post(referral_work::intake))
        // A signed PDF arrives base64-encoded in the form: room for the
        // service's 2 MB file limit.
        .route(
            "/referrals/{id}/release",
            post(referral_work::release).layer(DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/releases/{id}/revoke", post(referral_work::revoke))
        .route("/handoffs", get(handoff::inbox))
        .route("/holds", get(holds::queue))
        .route("/holds/{id}/decision", post(holds::decide))
        .route("/supervisor", get(supervisor::overview))
        .route(
            "/roster",
            get(supervisor::roster).post(supervisor::add_shift),
        )
        .route("/roster/{id}/remove", post(supervisor::remove_shift))
        .route("/admin/policy", get(policy::editor).post(policy::save))
        .route("/review", get(review::queue))
        .route("/review/{id}", post(review::decide))
        .route("/caseload", get(caseload::page))
        .route("/search", get(caseload::search))
        .route("/lookup", get(lookup::lookup_form).post(lookup::lookup))
        .route("/shared", get(lookup::shared))
        .route("/participants/{id}", get(participant::profile))
        .route(
            "/participants/{id}/contacts/new",
            get(participant::contact_form),
        )
        .route(
            "/participants/{id}/contacts",
            post(participant::log_contact),
        )
        .route("/participants/{id}/goals", post(participant::add_goal))
        .route(
            "/participants/{id}/goals/{goal}",
            post(participant::update_goal),
        )
        .route("/participants/{id}/close", post(participant::close))
        .route("/participants/{id}/reopen", post(participant::reopen))
        .route("/participants/{id}/assign", post(participant::assign))
        .route(
            "/assets/geo.js",
            get(|| script(include_str!("../../assets/geo.js"))),
        )
        .route(
            "/assets/once.js",
            get(|| script(include_str!("../../assets/once.js"))),
        )
        .route(
            "/assets/live.js",
            get(|| script(include_str!("../../assets/live.js"))),
        )
        .route(
            "/assets/signature.js",
            get(|| script(include_str!("../../assets/signature.js"))),
        )
        .route(
            "/assets/part2.js",
            get(|| script(include_str!("../../assets/part2.js"))),
        )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
}

/// A small script of the pages (the CSP allows scripts from this origin only).
async fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// The page frame. `user` shows the signed-in bar.
pub fn layout(title: &str, user: Option<&Auth>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Handoff" }
                link rel="stylesheet" href="/assets/app.css";
                link rel="icon" href="data:,";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "Handoff" }
                    @if let Some(a) = user {
                        nav aria-label="Account" {
                            span.who { (a.user.display_name) }
                            form method="post" action="/logout" {
                                (csrf_field(a))
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" { (body) }
            }
        }
    }
}

/// The hidden CSRF field every form of a signed-in page carries.
pub fn csrf_field(a: &Auth) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(a.csrf_token().unwrap_or_default()); }
}

pub fn csrf_value(v: &str) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(v); }
}

/// An error as a small page (the API answers JSON instead).
pub fn error_page(e: AppError) -> Response {
    if matches!(e, AppError::Unauthenticated) {
        return Redirect::to("/login").into_response();
    }
    if let AppError::Internal(inner) = &e {
        tracing::error!(error = %crate::error::error_chain(inner.as_ref()), "page failed");
    }
    let status = crate::error::status(&e);
    let message = match &e {
        AppError::Csrf => {
            "This form has expired. Go back, reload the page and try again.".to_string()
        }
        AppError::Internal(_) => "Something went wrong on our side. Please try again.".to_string(),
        other => other.to_string(),
    };
    let body = layout(
        "Problem",
        None,
        html! {
            h1 { (status.canonical_reason().unwrap_or("Error")) }
            p.notice role="alert" { (message) }
            p { a href="/" { "Back to your home page" } }
        },
    );
    (status, body).into_response()
}

/// Errors of page handlers render as pages.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0)
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;

/// A signed-in caller on a page; otherwise a redirect to sign in (or to the
/// second-factor step when the password was accepted).
pub struct Signed(pub Auth);

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(Signed(a.clone()));
        }
        if let Some(p) = parts.extensions.get::<PendingMfa>() {
            let to = if p.user.totp_enabled {
                "/login/mfa"
            } else {
                "/account/mfa"
            };
            return Err(Redirect::to(to).into_response());
        }
        Err(Redirect::to("/login").into_response())
    }
}

pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Where a form's action leads: to `done` when it succeeded; when it refused
/// the input or conflicts, the form's page again with the problem (422), drawn
/// by `again`; any other error as an error page.
pub async fn done_or_again<T>(
    outcome: Result<T, AppError>,
    done: &str,
    again: impl AsyncFnOnce(&AppError) -> Result<Markup, AppError>,
) -> PageResult {
    match outcome {
        Ok(_) => Ok(see_other(done)),
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, again(&e).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub fn status_page(status: StatusCode, title: &str, user: Option<&Auth>, body: Markup) -> Response {
    (status, layout(title, user, body)).into_response()
}

pub fn raw(s: String) -> PreEscaped<String> {
    PreEscaped(s)
}
