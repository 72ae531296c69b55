//! Who is calling, over HTTP: the session cookie or bearer token resolved
//! once per request, the extractors handlers take, and CSRF. Passwords,
//! second factors and the login procedure are services
//! (`handoff_services::auth`).

pub mod csrf;
pub mod session;

pub use handoff_services::auth::{
    Auth, AuthVia, Caller, Integration, login, password, ratelimit, secret, totp,
};
pub use session::{AnyCaller, Origin, PendingMfa, Person, Visit};
