//! Sign-in and the caller: passwords, second factors, the login procedure
//! with its rate limits, and [`Auth`], the signed-in caller every service
//! takes. Resolving a caller from a request (cookie, bearer token, CSRF) is
//! the web crate's job.

pub mod login;
pub mod password;
pub mod ratelimit;
pub mod secret;
pub mod totp;

use crate::error::AppError;
use handoff_domain::{ApiTokenId, Role};
use handoff_store::sessions::Session;
use handoff_store::users::User;

#[derive(Debug, Clone)]
pub enum AuthVia {
    Session(Session),
    Token(ApiTokenId),
}

/// A signed-in caller: a session that passed its second factor, or an API token.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub via: AuthVia,
}

impl Auth {
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            AuthVia::Session(s) => Some(&s.csrf_token),
            AuthVia::Token(_) => None,
        }
    }

    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.user.has_role(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role does not allow this"))
        }
    }
}
