//! Run-time configuration of the web application.

use std::net::SocketAddr;
pub use time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    /// Demo mode: seeds the demo site; demo users need no second factor.
    pub demo: bool,
    /// Served over TLS (directly or behind a TLS-terminating proxy): cookies
    /// get `Secure` and the `__Host-` prefix, and HSTS is sent.
    pub https: bool,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// Consecutive failed logins before an account locks, and for how long.
    pub lockout_threshold: i64,
    pub lockout_duration: Duration,
    /// Login attempts allowed per client address per window.
    pub login_rate_per_ip: u32,
    pub login_rate_window: std::time::Duration,
}

impl Config {
    pub fn new(bind: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            bind,
            database_url: database_url.into(),
            demo: false,
            https: false,
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
            lockout_threshold: 5,
            lockout_duration: Duration::minutes(15),
            login_rate_per_ip: 30,
            login_rate_window: std::time::Duration::from_secs(300),
        }
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-handoff_session"
        } else {
            "handoff_session"
        }
    }

    pub fn login_csrf_cookie_name(&self) -> &'static str {
        if self.https {
            "__Host-handoff_login"
        } else {
            "handoff_login"
        }
    }
}
