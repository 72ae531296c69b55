//! Handoff's services: everything the site does, without HTTP or HTML.
//!
//! The diversion workflow (`workflow`), long-term casework (`casework`),
//! accounts and sign-in (`accounts`, `auth`), "already known?" (`known`),
//! research use (`research`), the disclosure guard (`disclosure`) and its
//! typed views (`views`), and the audit writer (`audit`). The OWG and
//! oversight figures build on these in `handoff-governance`. Pages, the JSON API and the `handoff` command call these
//! services; none of them reads participant data another way.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod casework;
pub mod config;
pub mod disclosure;
pub mod error;
pub mod justice_view;
pub mod known;
pub mod research;
pub mod views;
pub mod workflow;

use handoff_store::Store;
use std::ops::Deref;
use std::sync::Arc;
use time::OffsetDateTime;

pub use config::Config;

/// The services read the clock here, once per use, so tests can reason
/// about it; the domain crate never does.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Shared state of the running application.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: Config,
    pub login_limiter: auth::ratelimit::RateLimiter,
    pub unknown_logins: auth::ratelimit::UnknownLogins,
    /// Live events for server-sent-event streams.
    pub bus: workflow::events::Bus,
    /// Outgoing HTTP (site webhooks).
    pub http: reqwest::Client,
    /// Per-site indexes for the "already known?" check.
    pub known: known::KnownCache,
    /// Group commit of standalone audit entries (`audit::record`).
    pub audit: handoff_store::audit_writer::AuditWriter,
    /// Per-site name indexes for search (bounded).
    pub search: casework::search::SearchIndexes,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        let login_limiter =
            auth::ratelimit::RateLimiter::new(config.login_rate_per_ip, config.login_rate_window);
        let audit = handoff_store::audit_writer::AuditWriter::new(store.clone(), now);
        Self(Arc::new(Inner {
            audit,
            store,
            config,
            login_limiter,
            unknown_logins: Default::default(),
            bus: Default::default(),
            known: Default::default(),
            search: Default::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }))
    }
}
