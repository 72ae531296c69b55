//! Site administration: users, roles, partner agencies, integration tokens.
//! Site admins see no participant content through these pages.

use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::integration::{DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, Scope, Scopes, TokenState};
use handoff_domain::{AgencyKind, ApiTokenId, Role, UserId};
use handoff_http::AppState;
use handoff_http::accounts::{self, Actor, NewUser};
use handoff_http::auth::Auth;
use handoff_http::auth::Origin;
use handoff_http::error::AppError;
use handoff_http::list::{self, ListQuery, Listing};
use handoff_store::{orgs, tokens, users};
use maud::{Markup, html};
use serde::Deserialize;

async fn require_admin(state: &AppState, a: &Auth) -> Result<(), AppError> {
    handoff_http::workflow::require_now(
        state,
        a,
        handoff_domain::rules::Action::Administer,
        "This page is for the site's admins.",
    )
    .await?;
    Ok(())
}

async fn page(state: &AppState, a: &Auth, notice: Option<Markup>) -> Result<Markup, AppError> {
    let first = ListQuery::default().parse(&list::specs::plain())?;
    users_page(state, a, notice, &first).await
}

async fn users_page(
    state: &AppState,
    a: &Auth,
    notice: Option<Markup>,
    listing: &Listing,
) -> Result<Markup, AppError> {
    let mut c = state.store.conn();
    let site = a.user.site_id;
    let agencies = orgs::list_agencies(&mut c, site).await?;
    let got = users::list_page(&mut c, site, &listing.page).await?;
    let people = &got.items;
    let toks = tokens::list(&mut c, site).await?;
    let agency_name = |id| {
        agencies
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.name.as_str())
            .unwrap_or("?")
    };
    Ok(layout(
        "Administration",
        Some(a),
        html! {
            h1 { "Administration" }
            @if let Some(n) = notice { (n) }
            section.card aria-labelledby="users-h" {
                h2 id="users-h" { "Users" }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Agency" } th scope="col" { "Roles" } th scope="col" { "Status" } th scope="col" { "Actions" } } }
                        tbody {
                            @for u in people {
                                tr {
                                    td {
                                        (u.display_name)
                                        @if let Some(phone) = &u.phone { br; span.meta { (phone) } }
                                    }
                                    td { (u.email) }
                                    td { (agency_name(u.agency_id)) }
                                    td { @for r in &u.roles { span.role { (r.label()) } " " } }
                                    td {
                                        @if u.disabled_at.is_some() { "Disabled" }
                                        @else if u.totp_enabled { "Active, two-step on" }
                                        @else { "Active" }
                                    }
                                    td {
                                        @if u.disabled_at.is_none() && u.id != a.user.id {
                                            form method="post" action=(format!("/admin/users/{}/disable", u.id)) {
                                                (csrf_field(a))
                                                button type="submit" { "Disable" }
                                            }
                                        }
                                        details {
                                            summary { "Roles" }
                                            form.stack method="post" action=(format!("/admin/users/{}/roles", u.id)) {
                                                (csrf_field(a))
                                                fieldset {
                                                    legend { "Roles of " (u.display_name) }
                                                    @for r in Role::ALL {
                                                        label.check {
                                                            input type="checkbox" name="roles" value=(r.as_str()) checked[u.roles.contains(r)];
                                                            " " (r.label())
                                                        }
                                                    }
                                                    label.check {
                                                        input type="checkbox" name="can_approve" value="yes" checked[u.can_approve];
                                                        " Designated to approve referrals"
                                                    }
                                                }
                                                button type="submit" { "Save roles" }
                                            }
                                        }
                                        details {
                                            summary { "Phone" }
                                            form.stack method="post" action=(format!("/admin/users/{}/phone", u.id)) {
                                                (csrf_field(a))
                                                label for=(format!("ph-{}", u.id)) { "Work phone of " (u.display_name) " (blank to clear)" }
                                                input id=(format!("ph-{}", u.id)) name="phone" type="tel" autocomplete="off" value=(u.phone.as_deref().unwrap_or(""));
                                                button type="submit" { "Save phone" }
                                            }
                                        }
                                        details {
                                            summary { "Reset password" }
                                            form.stack method="post" action=(format!("/admin/users/{}/password", u.id)) {
                                                (csrf_field(a))
                                                label for=(format!("pw-{}", u.id)) { "New password" }
                                                input id=(format!("pw-{}", u.id)) name="password" type="password" autocomplete="new-password" minlength="12" required;
                                                button type="submit" { "Set password" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                (list::pager("/admin", listing, people.len(), "users", got.next.as_ref()))
                h3 { "Add a user" }
                form.stack method="post" action="/admin/users" {
                    (csrf_field(a))
                    label for="nu-name" { "Name" }
                    input id="nu-name" name="display_name" required;
                    label for="nu-email" { "Email" }
                    input id="nu-email" name="email" type="email" required;
                    label for="nu-agency" { "Agency" }
                    select id="nu-agency" name="agency_id" required {
                        @for ag in &agencies { option value=(ag.id) { (ag.name) } }
                    }
                    fieldset {
                        legend { "Roles" }
                        @for r in Role::ALL {
                            label.check {
                                input type="checkbox" name="roles" value=(r.as_str());
                                " " (r.label())
                            }
                        }
                    }
                    label for="nu-pw" { "Initial password (at least 12 characters)" }
                    input id="nu-pw" name="password" type="password" autocomplete="new-password" minlength="12" required;
                    button.primary type="submit" { "Add user" }
                }
            }
            section.card aria-labelledby="agencies-h" {
                h2 id="agencies-h" { "Partner agencies" }
                ul { @for ag in &agencies { li { (ag.name) " — " (ag.kind.label()) } } }
                h3 { "Add an agency" }
                form.stack method="post" action="/admin/agencies" {
                    (csrf_field(a))
                    label for="na-name" { "Name" }
                    input id="na-name" name="name" required;
                    label for="na-kind" { "Kind" }
                    select id="na-kind" name="kind" {
                        @for k in AgencyKind::ALL { option value=(k.as_str()) { (k.label()) } }
                    }
                    button.primary type="submit" { "Add agency" }
                }
            }
            section.card aria-labelledby="tokens-h" {
                h2 id="tokens-h" { "Integration tokens" }
                p {
                    "A token is an integration of its own: it belongs to an agency, can do only what its scopes name, "
                    "and never acts as a person or reads participant content."
                }
                div.scroll {
                    table {
                        thead { tr {
                            th scope="col" { "Name" } th scope="col" { "Agency" } th scope="col" { "Scopes" }
                            th scope="col" { "Created" } th scope="col" { "Expires" } th scope="col" { "Last used" }
                            th scope="col" { "Status" } th scope="col" { "Id" }
                        } }
                        tbody {
                            @for t in &toks {
                                @let state = t.state(handoff_http::now());
                                tr {
                                    td { (t.name) }
                                    td { (agency_name(t.agency_id)) }
                                    td { @for sc in t.scopes.iter() { code { (sc.as_str()) } " " } }
                                    td { (t.created_at.date()) }
                                    td { (t.expires_at.date()) }
                                    td { @if let Some(u) = t.last_used_at { (u.date()) } @else { "never" } }
                                    td {
                                        (state.label())
                                        @if state == TokenState::Active {
                                            form.inline method="post" action=(format!("/admin/tokens/{}/revoke", t.id)) {
                                                (csrf_field(a))
                                                button type="submit" { "Revoke" }
                                            }
                                        }
                                    }
                                    td { code { (t.id) } }
                                }
                            }
                        }
                    }
                }
                h3 { "Create a token" }
                form.stack method="post" action="/admin/tokens" {
                    (csrf_field(a))
                    label for="nt-name" { "What it is for" }
                    input id="nt-name" name="name" required;
                    label for="nt-agency" { "Agency that runs the integration" }
                    select id="nt-agency" name="agency_id" required {
                        @for ag in &agencies { option value=(ag.id) { (ag.name) } }
                    }
                    fieldset {
                        legend { "Scopes" }
                        @for sc in Scope::ALL {
                            label.check {
                                input type="checkbox" name="scope" value=(sc.as_str());
                                " " code { (sc.as_str()) }
                            }
                        }
                    }
                    label for="nt-days" { "Expires after (days)" }
                    input id="nt-days" name="expires_days" type="number" min="1" max=(MAX_TOKEN_DAYS) value=(DEFAULT_TOKEN_DAYS) required;
                    button.primary type="submit" { "Create token" }
                }
            }
        },
    ))
}

pub async fn overview(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Query(q): Query<ListQuery>,
) -> PageResult {
    require_admin(&state, &a).await?;
    let listing = q.parse(&list::specs::plain())?;
    if listing.csv {
        let st = &state;
        let all = list::all_pages(&listing, |p| async move {
            Ok(users::list_page(&mut st.store.conn(), a.user.site_id, &p).await?)
        })
        .await?;
        let agencies = orgs::list_agencies(&mut state.store.conn(), a.user.site_id).await?;
        let rows = all
            .into_iter()
            .map(|u| {
                vec![
                    u.id.to_string(),
                    u.display_name,
                    u.email.to_string(),
                    agencies
                        .iter()
                        .find(|x| x.id == u.agency_id)
                        .map(|x| x.name.clone())
                        .unwrap_or_default(),
                    u.roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    if u.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                    .into(),
                ]
            })
            .collect();
        const HEADER: [&str; 6] = ["user_id", "name", "email", "agency", "roles", "status"];
        return Ok(list::csv(&state, &a, &ctx, "users", &HEADER, rows, Vec::new()).await?);
    }
    Ok(users_page(&state, &a, None, &listing)
        .await?
        .into_response())
}

fn notice(text: impl Into<String>) -> Markup {
    html! { p.notice role="status" { (text.into()) } }
}

/// The admin page after a change: with `done` when it was made, with the
/// problem otherwise.
async fn saved(
    state: &AppState,
    a: &Auth,
    outcome: Result<(), AppError>,
    done: &str,
) -> PageResult {
    match outcome {
        Ok(()) => Ok(page(state, a, Some(notice(done))).await?.into_response()),
        Err(e) => redisplay_error(state, a, e).await,
    }
}

async fn redisplay_error(state: &AppState, a: &Auth, e: AppError) -> PageResult {
    match e {
        AppError::BadRequest { field, message } => {
            let text = match field {
                Some(f) => format!("{f}: {message}"),
                None => message,
            };
            let n = html! { p.notice role="alert" { (text) } };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(state, a, Some(n)).await?,
            )
                .into_response())
        }
        other => Err(other.into()),
    }
}

#[derive(Deserialize)]
pub struct NewUserForm {
    display_name: String,
    email: String,
    agency_id: String,
    password: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    body: String,
) -> PageResult {
    require_admin(&state, &a).await?;
    // Roles arrive as repeated `roles=` fields.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::field("body", "unreadable form"))?;
    let f: NewUserForm =
        serde_urlencoded::from_str(&body).map_err(|e| AppError::field("form", e.to_string()))?;
    let roles = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.parse::<Role>())
        .collect::<Result<Vec<_>, _>>()?;
    let agency = f
        .agency_id
        .parse()
        .map_err(|_| AppError::field("agency_id", "choose an agency"))?;
    let result = accounts::create_user(
        &state.store,
        Actor::User(&a.user, &ctx),
        NewUser {
            site: a.user.site_id,
            agency,
            email: &f.email,
            display_name: &f.display_name,
            password: &f.password,
            roles: &roles,
            is_demo: false,
        },
    )
    .await;
    match result {
        Ok(_) => Ok(page(
            &state,
            &a,
            Some(notice(
                "User added. They will set up two-step verification at first sign-in.",
            )),
        )
        .await?
        .into_response()),
        Err(e) => redisplay_error(&state, &a, e).await,
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Path(id): Path<UserId>,
) -> PageResult {
    require_admin(&state, &a).await?;
    if id == a.user.id {
        return Err(AppError::Forbidden(
            "You cannot disable your own account. Ask another site admin.",
        )
        .into());
    }
    accounts::disable_user(&state.store, Actor::User(&a.user, &ctx), a.user.site_id, id).await?;
    Ok(see_other("/admin"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Path(id): Path<UserId>,
    axum::Form(f): axum::Form<PasswordForm>,
) -> PageResult {
    require_admin(&state, &a).await?;
    let outcome = accounts::reset_password(
        &state.store,
        Actor::User(&a.user, &ctx),
        a.user.site_id,
        id,
        &f.password,
    )
    .await;
    saved(
        &state,
        &a,
        outcome,
        "Password changed; the user's sessions were ended.",
    )
    .await
}

#[derive(Deserialize)]
pub struct PhoneForm {
    phone: String,
}

pub async fn set_phone(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Path(id): Path<UserId>,
    axum::Form(f): axum::Form<PhoneForm>,
) -> PageResult {
    require_admin(&state, &a).await?;
    let outcome = accounts::set_phone(
        &state.store,
        Actor::User(&a.user, &ctx),
        a.user.site_id,
        id,
        &f.phone,
    )
    .await;
    saved(&state, &a, outcome, "Phone saved.").await
}

#[derive(Deserialize)]
pub struct AgencyForm {
    name: String,
    kind: String,
}

pub async fn create_agency(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    axum::Form(f): axum::Form<AgencyForm>,
) -> PageResult {
    require_admin(&state, &a).await?;
    let kind = f.kind.parse::<AgencyKind>()?;
    match accounts::create_agency(
        &state.store,
        Actor::User(&a.user, &ctx),
        a.user.site_id,
        &f.name,
        kind,
    )
    .await
    {
        Ok(_) => Ok(see_other("/admin")),
        Err(e) => redisplay_error(&state, &a, e).await,
    }
}

pub async fn create_token(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    body: String,
) -> PageResult {
    require_admin(&state, &a).await?;
    // Scopes arrive as repeated `scope=` fields.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::field("body", "unreadable form"))?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let minted = async {
        let agency = field("agency_id")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| AppError::field("agency", "choose an agency"))?;
        let scopes = Scopes::parse(
            pairs
                .iter()
                .filter(|(k, _)| k == "scope")
                .map(|(_, v)| v.as_str()),
        )?;
        let expires_days = match field("expires_days").map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(
                v.parse::<i64>()
                    .map_err(|_| AppError::field("expires_days", "is not a number of days"))?,
            ),
        };
        accounts::create_token(
            &state.store,
            Actor::User(&a.user, &ctx),
            accounts::NewToken {
                site: a.user.site_id,
                agency,
                name: field("name").unwrap_or(""),
                scopes,
                expires_days,
            },
        )
        .await
    }
    .await;
    match minted {
        Ok((id, token)) => Ok(page(
            &state,
            &a,
            Some(html! {
                div.notice role="status" {
                    p { "Token " code { (id) } " created. Copy it now: it will not be shown again." }
                    p { code.key { (token) } }
                }
            }),
        )
        .await?
        .into_response()),
        Err(e) => redisplay_error(&state, &a, e).await,
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Path(id): Path<ApiTokenId>,
) -> PageResult {
    require_admin(&state, &a).await?;
    accounts::revoke_token(&state.store, Actor::User(&a.user, &ctx), a.user.site_id, id).await?;
    Ok(see_other("/admin"))
}

pub async fn set_roles(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(a): Signed,
    Path(id): Path<UserId>,
    body: String,
) -> PageResult {
    require_admin(&state, &a).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::field("body", "unreadable form"))?;
    let roles = pairs
        .iter()
        .filter(|(k, _)| k == "roles")
        .map(|(_, v)| v.parse::<Role>())
        .collect::<Result<Vec<_>, _>>()?;
    let can_approve = pairs.iter().any(|(k, v)| k == "can_approve" && v == "yes");
    match accounts::set_roles(
        &state.store,
        Actor::User(&a.user, &ctx),
        a.user.site_id,
        id,
        &roles,
        can_approve,
    )
    .await
    {
        Ok(()) => Ok(page(
            &state,
            &a,
            Some(notice(
                "Roles saved. The user's sessions were ended so the change applies at once.",
            )),
        )
        .await?
        .into_response()),
        Err(e) => redisplay_error(&state, &a, e).await,
    }
}
