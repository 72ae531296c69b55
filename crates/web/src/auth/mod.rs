//! Authentication: passwords, second factors, sessions, API tokens, CSRF and
//! the per-address login rate limit.

pub mod csrf;
pub mod login;
pub mod password;
pub mod ratelimit;
pub mod secret;
pub mod session;
pub mod totp;

pub use session::{Auth, AuthVia, Caller, Integration, PendingMfa};
