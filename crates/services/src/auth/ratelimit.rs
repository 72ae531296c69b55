//! A per-address fixed-window limit on login attempts. In memory: a restart
//! resets it, which is acceptable because the per-account lockout is stored.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt; false when the address is over its limit.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let e = hits.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= self.window {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= self.limit
    }
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
    fn limits_per_address() {
        let r = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(r.allow(a) && r.allow(a) && r.allow(a));
        assert!(!r.allow(a));
        assert!(r.allow(b));
    }
}
