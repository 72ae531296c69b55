//! The one way the web application writes the audit log: every login,
//! failed login, second-factor event, administrative action and (in later
//! modules) every read or write of participant data goes through [`record`]
//! or [`record_in`].

use crate::auth::Auth;
use crate::{AppState, now};
use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::{AgencyId, ApiTokenId, SiteId, UserId};
use handoff_store::Tx;
use handoff_store::users::User;
use std::net::IpAddr;

/// Where a request came from, for the audit log: its request id and client
/// address (behind a trusted proxy, the address it forwarded for).
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub request_id: Option<String>,
    pub client_ip: Option<IpAddr>,
}

/// Starts an event for a user (actor, role, agency, site filled in).
pub fn event_for(user: &User, action: &str, outcome: Outcome, ctx: &Ctx) -> AuditEvent {
    let mut e = AuditEvent::new(action, outcome);
    e.site_id = Some(user.site_id);
    e.actor_user_id = Some(user.id);
    e.actor_role = user.primary_role();
    e.actor_agency_id = Some(user.agency_id);
    e.request_id = ctx.request_id.clone();
    e.client_ip = ctx.client_ip.map(|ip| ip.to_string());
    e
}

pub fn event(auth: &Auth, action: &str, outcome: Outcome, ctx: &Ctx) -> AuditEvent {
    event_for(&auth.user, action, outcome, ctx)
}

/// Whom an event is attributed to when no `Auth` is at hand: a person, an
/// integration (its token, never a user), or the system itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum By {
    #[default]
    System,
    User(UserId),
    Token {
        id: ApiTokenId,
        agency: AgencyId,
    },
}

impl By {
    /// Writes the actor into an event. A token fills `actor_token_id` and
    /// its agency; no user and no role.
    pub fn stamp(self, e: &mut AuditEvent) {
        match self {
            By::System => {}
            By::User(u) => e.actor_user_id = Some(u),
            By::Token { id, agency } => {
                e.actor_user_id = None;
                e.actor_role = None;
                e.actor_token_id = Some(id);
                e.actor_agency_id = Some(agency);
            }
        }
    }
}

impl From<Option<UserId>> for By {
    fn from(u: Option<UserId>) -> Self {
        u.map_or(By::System, By::User)
    }
}

/// Starts an event of a site for an actor given as [`By`] (the role and
/// agency of a user are not filled in: use [`event`] when `Auth` is at hand).
pub fn event_by(site: SiteId, by: By, action: &str, outcome: Outcome, ctx: &Ctx) -> AuditEvent {
    let mut e = anonymous(action, outcome, ctx);
    e.site_id = Some(site);
    by.stamp(&mut e);
    e
}

/// Starts an event for the caller of an operation open to integrations.
pub fn event_for_caller(
    caller: &crate::auth::Caller,
    action: &str,
    outcome: Outcome,
    ctx: &Ctx,
) -> AuditEvent {
    match caller {
        crate::auth::Caller::Person(a) => event(a, action, outcome, ctx),
        crate::auth::Caller::Integration(i) => {
            event_by(i.token.site_id, caller.by(), action, outcome, ctx)
        }
    }
}

/// An event with no known actor (a failed login for an unknown address).
pub fn anonymous(action: &str, outcome: Outcome, ctx: &Ctx) -> AuditEvent {
    let mut e = AuditEvent::new(action, outcome);
    e.request_id = ctx.request_id.clone();
    e.client_ip = ctx.client_ip.map(|ip| ip.to_string());
    e
}

/// Records an event on its own (not with a change), returning once it is
/// durable: the group-commit writer appends it with the other requests'
/// waiting entries in one transaction.
pub async fn record(state: &AppState, event: AuditEvent) -> Result<(), handoff_store::StoreError> {
    state.audit.append(event).await.map(|_| ())
}

/// Records an event in the caller's transaction, so it commits with the change.
pub async fn record_in(tx: &mut Tx, event: AuditEvent) -> Result<(), handoff_store::StoreError> {
    handoff_store::audit::append(tx, event, now())
        .await
        .map(|_| ())
}
