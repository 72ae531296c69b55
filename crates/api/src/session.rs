//! `POST /api/v1/session` (sign in) and `DELETE /api/v1/session` (sign out).

use handoff_http::AppState;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use handoff_http::auth::login;
use handoff_http::auth::session::{
    clear_session_cookie, end_all_sessions, end_session, session_cookie,
};
use handoff_http::auth::{Origin, Person};
use handoff_http::error::{AppError, AppResult, ErrorBody};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The current six-digit code, for accounts with a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: super::me::UserView,
    /// Send as `X-CSRF-Token` on every state-changing request made with the cookie.
    pub csrf_token: String,
}

/// Sign in. Sets the session cookie.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = LoginResponse),
        (status = 401, description = "Invalid email, password or code (the same answer for every cause)", body = ErrorBody),
        (status = 403, description = "A second factor must be enrolled in the web app first", body = ErrorBody),
        (status = 423, description = "Locked after repeated failures; try again later", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
    )
)]
pub async fn create_session(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    jar: CookieJar,
    handoff_http::body::Body(req): handoff_http::body::Body<LoginRequest>,
) -> AppResult<(CookieJar, Json<LoginResponse>)> {
    let user =
        match login::check(&state, &req.email, &req.password, req.totp.as_deref(), &ctx).await? {
            login::Next::SignedIn(u) => u,
            login::Next::Challenge(_) => return Err(AppError::LoginFailed.into()),
            login::Next::Enrol(_) => {
                return Err(AppError::Forbidden(
                    "this account must enrol a second factor: sign in once in the web app",
                )
                .into());
            }
        };
    let (token, csrf) = login::start_session(&state, &user, true, &ctx).await?;
    let view = super::me::UserView::of(&user);
    Ok((
        jar.add(session_cookie(&state.config, token)),
        Json(LoginResponse {
            user: view,
            csrf_token: csrf,
        }),
    ))
}

/// Sign out of this session.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "session",
    security(("session" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Missing X-CSRF-Token", body = ErrorBody),
    )
)]
pub async fn delete_session(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    jar: CookieJar,
) -> AppResult<(StatusCode, CookieJar)> {
    let mut tx = state.store.begin().await?;
    end_session(&mut tx, &auth, &ctx).await?;
    tx.commit().await?;
    Ok((
        StatusCode::NO_CONTENT,
        jar.add(clear_session_cookie(&state.config)),
    ))
}

/// Sign out everywhere: ends every session of the caller.
#[utoipa::path(
    delete,
    path = "/api/v1/sessions",
    tag = "session",
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "All sessions ended"), (status = 401, body = ErrorBody))
)]
pub async fn delete_all_sessions(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    jar: CookieJar,
) -> AppResult<(StatusCode, CookieJar)> {
    end_all_sessions(&state, &auth, &ctx).await?;
    Ok((
        StatusCode::NO_CONTENT,
        jar.add(clear_session_cookie(&state.config)),
    ))
}
