//! Login limits: a per-address fixed-window limit on failed login attempts,
//! the lock of addresses that have no account, and the client address they
//! are keyed by. In memory: a restart resets them, which is acceptable
//! because the per-account lockout is stored.
//!
//! Only failures count. A precinct signing in a whole shift from one address
//! is never limited; someone guessing passwords from one address is.

use ipnet::IpNet;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the address has used up its failed attempts in the current
    /// window. Asking counts nothing.
    pub fn blocked(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures
            .get(&ip)
            .is_some_and(|(start, n)| now.duration_since(*start) < self.window && *n >= self.limit)
    }

    /// Counts a failed attempt from the address.
    pub fn fail(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = failures.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 = e.1.saturating_add(1);
    }
}

/// The address a request comes from, for the login limit and the audit log:
/// the direct peer's, unless the peer is one of the `trusted` proxies. Then
/// it is the right-most address of `X-Forwarded-For` that is not itself a
/// trusted proxy — each trusted proxy appends the address it received the
/// request from, while everything to the left of that is whatever the client
/// chose to send. A malformed entry ends the walk at the last trusted hop.
///
/// `forwarded_for` is each `X-Forwarded-For` header's value in order (`None`
/// for one that is not text).
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = Option<&'a str>>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    for value in forwarded_for.rev() {
        let Some(value) = value else {
            return client;
        };
        for hop in value.rsplit(',') {
            let hop = hop.trim();
            let Some(ip) = hop
                .parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
            else {
                return client;
            };
            client = ip.to_canonical();
            if !is_trusted(&client) {
                return client;
            }
        }
    }
    client
}

/// Failed attempts against addresses that have no account, so that they lock
/// exactly like real accounts and a lock does not reveal that one exists.
#[derive(Debug, Default)]
pub struct UnknownLogins {
    fails: Mutex<HashMap<String, (u32, Option<Instant>)>>,
}

impl UnknownLogins {
    /// Records a failure; returns true when the address is now "locked".
    pub fn fail(&self, key: &str, threshold: u32, lock_for: Duration) -> bool {
        let now = Instant::now();
        let mut m = self.fails.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.clear();
        }
        let e = m.entry(key.to_string()).or_insert((0, None));
        if e.1.is_some_and(|until| until <= now) {
            *e = (0, None);
        }
        e.0 += 1;
        if e.0 >= threshold {
            e.1.get_or_insert(now + lock_for);
        }
        e.1.is_some_and(|u| u > now)
    }

    pub fn locked(&self, key: &str) -> bool {
        let m = self.fails.lock().unwrap_or_else(|p| p.into_inner());
        m.get(key)
            .and_then(|e| e.1)
            .is_some_and(|u| u > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_failures_per_address() {
        let r = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(!r.blocked(a));
            r.fail(a);
        }
        assert!(r.blocked(a) && r.blocked(a), "asking does not count");
        assert!(!r.blocked(b));
    }

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let cases: &[(&str, &[&str], &str)] = &[
            // An untrusted peer: the header is ignored.
            ("203.0.113.9", &["198.51.100.1"], "203.0.113.9"),
            ("203.0.113.9", &[], "203.0.113.9"),
            // A trusted peer: the right-most untrusted address.
            ("10.0.0.5", &["198.51.100.1"], "198.51.100.1"),
            ("10.0.0.5", &["1.1.1.1, 198.51.100.1"], "198.51.100.1"),
            (
                "10.0.0.5",
                &["1.1.1.1, 198.51.100.1, 10.0.0.7"],
                "198.51.100.1",
            ),
            ("10.0.0.5", &["1.1.1.1", "198.51.100.1"], "198.51.100.1"),
            ("10.0.0.5", &["198.51.100.1:4711"], "198.51.100.1"),
            ("::1", &["2001:db8::1"], "2001:db8::1"),
            ("::ffff:10.0.0.5", &["198.51.100.1"], "198.51.100.1"),
            // Nothing but trusted hops: the left-most of them.
            ("10.0.0.5", &["10.0.0.6"], "10.0.0.6"),
            ("10.0.0.5", &[], "10.0.0.5"),
            // Garbage ends the walk at the last trusted hop.
            ("10.0.0.5", &["198.51.100.1, unknown"], "10.0.0.5"),
            ("10.0.0.5", &["198.51.100.1, unknown, 10.0.0.7"], "10.0.0.7"),
        ];
        for (peer, xff, want) in cases {
            assert_eq!(
                client_address(ip(peer), xff.iter().map(|v| Some(*v)), &trusted),
                ip(want),
                "{peer} {xff:?}"
            );
        }
        assert_eq!(
            client_address(ip("10.0.0.5"), [Some("198.51.100.1")].into_iter(), &[]),
            ip("10.0.0.5"),
            "no trusted proxy configured"
        );
    }
}
