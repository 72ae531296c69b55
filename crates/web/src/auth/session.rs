//! Who is calling. A middleware resolves the bearer token or the session
//! cookie once per request and leaves the result in the request's
//! extensions; handlers take [`Auth`] (a person, fully signed in),
//! [`PendingMfa`] (password accepted, second factor still due) or
//! [`Caller`] (a person or an integration, for the few operations an API
//! token may do) as extractors, so a handler that takes `Auth` cannot run
//! unauthenticated — and cannot run for an API token, which is never a
//! person (DESIGN.md §3).

use super::{csrf, secret};
use crate::audit::{self, Ctx};
use crate::error::AppError;
use crate::{AppState, now};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use handoff_domain::Role;
use handoff_domain::audit::Outcome;
use handoff_store::sessions::Session;
use handoff_store::tokens::ApiToken;
use handoff_store::users::User;
use handoff_store::{sessions, tokens, users};

#[derive(Debug, Clone)]
pub enum AuthVia {
    Session(Session),
    /// An in-process caller that did not come over HTTP (the command line,
    /// tests). API tokens never produce an `Auth`: see [`Integration`].
    Internal,
}

/// A signed-in person: a session that passed its second factor.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub via: AuthVia,
}

impl Auth {
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            AuthVia::Session(s) => Some(&s.csrf_token),
            AuthVia::Internal => None,
        }
    }

    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.user.has_role(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role does not allow this"))
        }
    }

    /// A site admin whose session passed a real second factor (an enrolled
    /// authenticator), not merely a session of a site admin.
    pub fn is_site_admin_with_second_factor(&self) -> bool {
        self.user.has_role(Role::SiteAdmin)
            && self.user.disabled_at.is_none()
            && self.user.totp_enabled
            && matches!(&self.via, AuthVia::Session(s) if s.mfa_passed)
    }
}

/// An integration: a request authenticated by an unrevoked, unexpired API
/// token. It is not a person and acts as no one; it can do only what its
/// scopes allow (`handoff_domain::integration::SCOPE_GRANTS`).
#[derive(Debug, Clone)]
pub struct Integration {
    pub token: ApiToken,
}

/// The caller of an operation open to integrations: a person or a token.
#[derive(Debug, Clone)]
pub enum Caller {
    Person(Auth),
    Integration(Integration),
}

impl Caller {
    pub fn site_id(&self) -> handoff_domain::SiteId {
        match self {
            Caller::Person(a) => a.user.site_id,
            Caller::Integration(i) => i.token.site_id,
        }
    }

    /// Whom the audit log names for what this caller does.
    pub fn by(&self) -> audit::By {
        match self {
            Caller::Person(a) => audit::By::User(a.user.id),
            Caller::Integration(i) => audit::By::Token {
                id: i.token.id,
                agency: i.token.agency_id,
            },
        }
    }

    /// Provenance of what this caller writes: `user:<id>` or `token:<id>`.
    pub fn provenance(&self) -> String {
        match self {
            Caller::Person(a) => format!("user:{}", a.user.id),
            Caller::Integration(i) => format!("token:{}", i.token.id),
        }
    }
}

/// A session whose password was accepted but whose second factor (challenge
/// or enrolment) is still due.
#[derive(Debug, Clone)]
pub struct PendingMfa {
    pub user: User,
    pub session: Session,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Resolves the caller, then enforces CSRF on state-changing requests.
pub async fn resolve(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> Response {
    match resolve_inner(&state, &jar, req).await {
        Ok(req) => next.run(req).await,
        Err((path_is_api, e)) => {
            if path_is_api {
                e.into_response()
            } else {
                crate::pages::error_page(e)
            }
        }
    }
}

async fn resolve_inner(
    state: &AppState,
    jar: &CookieJar,
    mut req: Request,
) -> Result<Request, (bool, AppError)> {
    let is_api = req.uri().path().starts_with("/api/");
    let fail = |e: AppError| (is_api, e);
    let t = now();
    let mut session_csrf: Option<String> = None;
    let has_bearer = if let Some(token) = bearer(req.headers()) {
        // A bearer request is an integration's, whatever cookie it carries.
        let mut c = state.store.conn();
        let found = tokens::find_active(&mut c, &secret::digest(token), t)
            .await
            .map_err(|e| fail(e.into()))?
            .ok_or_else(|| fail(AppError::Unauthenticated))?;
        tokens::touch(&mut c, found.id, t)
            .await
            .map_err(|e| fail(e.into()))?;
        req.extensions_mut().insert(Integration { token: found });
        true
    } else {
        if let Some(cookie) = jar.get(state.config.session_cookie_name()) {
            let mut c = state.store.conn();
            let idle_cutoff = t - state.config.idle_timeout;
            let live = sessions::find_live(&mut c, &secret::digest(cookie.value()), idle_cutoff, t)
                .await
                .map_err(|e| fail(e.into()))?;
            if let Some(s) = live {
                let user = users::get(&mut c, s.site_id, s.user_id)
                    .await
                    .map_err(|e| fail(e.into()))?;
                if user.disabled_at.is_some() {
                    sessions::delete(&mut c, s.id)
                        .await
                        .map_err(|e| fail(e.into()))?;
                } else {
                    sessions::touch(&mut c, s.id, t)
                        .await
                        .map_err(|e| fail(e.into()))?;
                    session_csrf = Some(s.csrf_token.clone());
                    if s.mfa_passed {
                        req.extensions_mut().insert(Auth {
                            user,
                            via: AuthVia::Session(s),
                        });
                    } else {
                        req.extensions_mut().insert(PendingMfa { user, session: s });
                    }
                }
            }
        }
        false
    };
    if has_bearer || req.method().is_safe() {
        return Ok(req);
    }
    // The JSON login itself carries no token yet; a cross-site JSON POST
    // cannot be made without a CORS preflight, and none is allowed.
    if req.uri().path() == "/api/v1/session" && req.method() == axum::http::Method::POST {
        return Ok(req);
    }
    let expected = match session_csrf {
        Some(t) => Some(t),
        None => jar
            .get(state.config.login_csrf_cookie_name())
            .map(|c| c.value().to_string()),
    };
    let (req, presented) = csrf::presented_token(req).await.map_err(fail)?;
    match (expected, presented) {
        (Some(e), Some(p)) if secret::same(&e, &p) => Ok(req),
        (None, _) if is_api => Err(fail(AppError::Unauthenticated)),
        _ => Err(fail(AppError::Csrf)),
    }
}

/// An integration asked for something only a person may do: refused and
/// audited under the token.
async fn refuse_integration(state: &AppState, parts: &mut Parts, i: &Integration) -> AppError {
    let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
    let e = audit::event_by(
        i.token.site_id,
        Caller::Integration(i.clone()).by(),
        "auth.token_refused",
        Outcome::Denied,
        &ctx,
    );
    if let Err(err) = audit::record(state, e).await {
        return err.into();
    }
    AppError::Forbidden("an API token acts as no one: it may only do what its scopes name")
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(a.clone());
        }
        if let Some(i) = parts.extensions.get::<Integration>().cloned() {
            return Err(refuse_integration(state, parts, &i).await);
        }
        Err(AppError::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(Caller::Person(a.clone()));
        }
        if let Some(i) = parts.extensions.get::<Integration>() {
            return Ok(Caller::Integration(i.clone()));
        }
        Err(AppError::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for PendingMfa {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PendingMfa>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

/// The session cookie: `HttpOnly`, `SameSite=Lax`, path `/`; `Secure` with
/// the `__Host-` prefix when served over TLS. It lives as long as the
/// session's absolute deadline.
pub fn session_cookie(
    config: &crate::Config,
    token: String,
) -> axum_extra::extract::cookie::Cookie<'static> {
    use axum_extra::extract::cookie::{Cookie, SameSite};
    let mut c = Cookie::new(config.session_cookie_name(), token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(config.https);
    c.set_max_age(config.absolute_timeout);
    c
}

/// The expired cookie that clears the session cookie in the browser.
pub fn clear_session_cookie(
    config: &crate::Config,
) -> axum_extra::extract::cookie::Cookie<'static> {
    let mut c = session_cookie(config, String::new());
    c.set_max_age(time::Duration::ZERO);
    c
}
