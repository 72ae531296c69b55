//! The page frame and the pieces every page handler shares: the layout, the
//! CSRF field, error pages, the signed-in extractor and post-redirect-get.

use crate::AppState;
use crate::auth::{Auth, PendingMfa};
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

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
                        @if a.user.sites.len() > 1 {
                            form.switcher method="post" action="/session/site" {
                                (csrf_field(a))
                                label for="site-switch" { "Site" }
                                select id="site-switch" name="site_id" {
                                    @for s in &a.user.sites {
                                        option value=(s.id) selected[s.id == a.user.site_id] { (s.name) }
                                    }
                                }
                                button.link type="submit" { "Switch" }
                            }
                        }
                        nav.account aria-label="Account" {
                            span.who { (a.user.display_name) }
                            form method="post" action="/logout" {
                                (csrf_field(a))
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                @if let Some(a) = user { (role_nav(a)) }
                main id="main" { (body) }
            }
        }
    }
}

/// Each role's places in the app, in the short words of the bar every
/// page carries (the home page lists them in full).
pub fn role_nav_links(role: handoff_domain::Role) -> &'static [(&'static str, &'static str)] {
    use handoff_domain::Role;
    match role {
        Role::Officer => &[
            ("/referrals/new", "Refer"),
            ("/lookup", "Look up"),
            ("/referrals", "Referrals"),
            ("/owg", "OWG"),
        ],
        Role::CommunityReferrer => &[
            ("/referrals/new?door=community", "Refer"),
            ("/referrals", "Referrals"),
        ],
        Role::CaseManager => &[
            ("/handoffs", "Inbox"),
            ("/caseload", "Caseload"),
            ("/coordination", "Charges"),
            ("/referrals", "Referrals"),
            ("/owg", "OWG"),
        ],
        Role::Supervisor => &[
            ("/supervisor", "Overview"),
            ("/caseload?view=team", "Team"),
            ("/handoffs", "Inbox"),
            ("/holds", "Holds"),
            ("/roster", "Roster"),
            ("/owg", "OWG"),
            ("/oversight", "Equity"),
        ],
        Role::Prosecutor => &[
            ("/holds", "Holds"),
            ("/coordination", "Charges"),
            ("/owg", "OWG"),
        ],
        Role::Partner => &[("/shared", "Shared"), ("/owg", "OWG")],
        Role::Oversight => &[("/oversight", "Equity"), ("/evaluation", "Evaluation")],
        Role::Evaluator => &[("/evaluation", "Evaluation")],
        Role::Bureau => &[("/oversight", "Figures"), ("/evaluation", "Evaluation")],
        Role::SiteAdmin => &[
            ("/admin", "Admin"),
            ("/admin/policy", "Policy"),
            ("/evaluation", "Evaluation"),
        ],
    }
}

/// The bar of the caller's places under the header: every role's links
/// once, home first; one row that scrolls sideways on a phone.
fn role_nav(a: &Auth) -> Markup {
    let mut seen: Vec<&str> = Vec::new();
    let mut links: Vec<(&str, &str)> = vec![("/", "Home")];
    for r in &a.user.roles {
        for (href, label) in role_nav_links(*r) {
            if !seen.contains(href) {
                seen.push(href);
                links.push((href, label));
            }
        }
    }
    html! {
        nav.roles aria-label="Main" {
            ul { @for (href, label) in links { li { a href=(href) { (label) } } } }
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
