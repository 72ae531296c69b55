//! Sign-in and the caller: passwords, second factors, the login procedure
//! with its rate limits, and [`Auth`], the signed-in caller every service
//! takes. Resolving a caller from a request (cookie, bearer token, CSRF) is
//! the web crate's job.

pub mod login;
pub mod password;
pub mod ratelimit;
pub mod secret;
pub mod totp;

use crate::audit;
use handoff_store::sessions::Session;
use handoff_store::tokens::ApiToken;
use handoff_store::users::User;

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

    /// Whether this session passed a real second factor (an enrolled
    /// authenticator), not merely a session.
    pub fn passed_second_factor(&self) -> bool {
        self.user.disabled_at.is_none()
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
// One per request, moved rarely: the person's size is not worth a box.
#[allow(clippy::large_enum_variant)]
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
