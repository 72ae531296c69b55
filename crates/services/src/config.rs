//! Run-time configuration of the web application.

pub use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
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
    /// Failed login attempts allowed per client address per window.
    pub login_rate_per_ip: u32,
    pub login_rate_window: std::time::Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Empty (the
    /// default): the client address is always the direct peer's.
    pub trusted_proxies: Vec<IpNet>,
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
            trusted_proxies: Vec::new(),
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

/// Parses a trusted proxy range for `--trusted-proxy`: a CIDR block
/// (`10.0.0.0/8`, `fd00::/8`) or a single address (`10.0.0.7`).
pub fn parse_trusted_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    if let Ok(net) = s.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    s.parse::<IpAddr>().map(IpNet::from).map_err(|_| {
        format!("{s:?} is not an address range such as 10.0.0.0/8 or an address such as 10.0.0.7")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_ranges_or_addresses() {
        for (raw, want) in [
            ("10.0.0.0/8", Some("10.0.0.0/8")),
            (" 10.1.2.3/8 ", Some("10.0.0.0/8")),
            ("192.0.2.7", Some("192.0.2.7/32")),
            ("fd00::/8", Some("fd00::/8")),
            ("::1", Some("::1/128")),
            ("10.0.0.0/33", None),
            ("proxy.local", None),
            ("", None),
        ] {
            assert_eq!(
                parse_trusted_proxy(raw)
                    .ok()
                    .map(|n| n.to_string())
                    .as_deref(),
                want,
                "{raw:?}"
            );
        }
    }
}
