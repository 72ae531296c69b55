//! Who is calling. A middleware resolves the bearer token or the session
//! cookie once per request and leaves the result in the request's
//! extensions; handlers take [`Person`] (a person, fully signed in),
//! [`PendingMfa`] (password accepted, second factor still due) or
//! [`AnyCaller`] (a person or an integration, for the few operations an API
//! token may do) as extractors, so a handler that takes `Person` cannot run
//! unauthenticated — and cannot run for an API token, which is never a
//! person (DESIGN.md §3).

use super::{csrf, secret};
use crate::audit::{self, Ctx};
use crate::error::{AppError, WebError};
use crate::{AppState, now};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use handoff_audit::Outcome;
use handoff_services::auth::{Auth, AuthVia, Caller, Integration};
use handoff_store::sessions::Session;
use handoff_store::users::User;
use handoff_store::{sessions, tokens, users};

/// A signed-in person as an extractor: a handler that takes it cannot run
/// unauthenticated, nor for an API token (never a person, DESIGN.md §3).
#[derive(Debug, Clone)]
pub struct Person(pub Auth);

/// A person or an integration, for the few operations an API token may do.
#[derive(Debug, Clone)]
pub struct AnyCaller(pub Caller);

/// Where a request came from (request id, client address), for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin(pub Ctx);

/// What most handlers start from: the state, where the request came from,
/// and the caller as the extractor `A` admits them ([`Person`] for the API,
/// `Signed` for pages), refused as `A` refuses.
pub struct Visit<A>(pub AppState, pub Ctx, pub A);

impl<A: FromRequestParts<AppState>> FromRequestParts<AppState> for Visit<A> {
    type Rejection = A::Rejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(Origin(ctx)) = Origin::from_request_parts(parts, state).await;
        let caller = A::from_request_parts(parts, state).await?;
        Ok(Visit(state.clone(), ctx, caller))
    }
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Origin(Ctx {
            request_id: parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            client_ip: parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| {
                    crate::auth::ratelimit::client_address(
                        c.0.ip(),
                        parts
                            .headers
                            .get_all("x-forwarded-for")
                            .iter()
                            .map(|v| v.to_str().ok()),
                        &state.config.trusted_proxies,
                    )
                }),
        }))
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
                WebError(e).into_response()
            } else {
                crate::layout::error_page(e)
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
                // The site the session acts in (the account's own unless
                // switched); a role since withdrawn there ends the switch.
                let acting = s.acting_site_id.unwrap_or(s.site_id);
                let user = match users::get_acting(&mut c, s.site_id, acting, s.user_id).await {
                    Err(handoff_store::StoreError::NotFound) if acting != s.site_id => {
                        handoff_store::network::set_acting_site(&mut c, s.id, None)
                            .await
                            .map_err(|e| fail(e.into()))?;
                        users::get(&mut c, s.site_id, s.user_id).await
                    }
                    other => other,
                }
                .map_err(|e| fail(e.into()))?;
                let mut user = user;
                let sites =
                    handoff_store::network::sites_of_user(&mut c, user.home_site_id, user.id)
                        .await
                        .map_err(|e| fail(e.into()))?;
                if sites.len() > 1 {
                    user.sites = sites;
                }
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
    let Ok(Origin(ctx)) = Origin::from_request_parts(parts, state).await;
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

impl FromRequestParts<AppState> for Person {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(Person(a.clone()));
        }
        if let Some(i) = parts.extensions.get::<Integration>().cloned() {
            return Err(refuse_integration(state, parts, &i).await.into());
        }
        Err(AppError::Unauthenticated.into())
    }
}

impl FromRequestParts<AppState> for AnyCaller {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Auth>() {
            return Ok(AnyCaller(Caller::Person(a.clone())));
        }
        if let Some(i) = parts.extensions.get::<Integration>() {
            return Ok(AnyCaller(Caller::Integration(i.clone())));
        }
        Err(AppError::Unauthenticated.into())
    }
}

impl FromRequestParts<AppState> for PendingMfa {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<PendingMfa>()
            .cloned()
            .ok_or(WebError(AppError::Unauthenticated))
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

/// Ends the caller's session (when signed in by one), audited as
/// `auth.logout`, in `tx`.
pub async fn end_session(
    tx: &mut handoff_store::Tx,
    auth: &Auth,
    ctx: &Ctx,
) -> Result<(), AppError> {
    if let AuthVia::Session(s) = &auth.via {
        sessions::delete(&mut tx.conn(), s.id).await?;
        let event = audit::event(auth, "auth.logout", Outcome::Allowed, ctx);
        audit::record_in(tx, event).await?;
    }
    Ok(())
}

/// Ends every session of the caller, audited as `auth.logout_everywhere`.
pub async fn end_all_sessions(state: &AppState, auth: &Auth, ctx: &Ctx) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let user = &auth.user;
    sessions::delete_for_user(&mut tx.conn(), user.home_site_id, user.id).await?;
    let event = audit::event(auth, "auth.logout_everywhere", Outcome::Allowed, ctx);
    audit::record_in(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}
