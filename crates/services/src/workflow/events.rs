//! Live updates and outgoing webhooks. Events carry ids and kinds only —
//! never names or case content — so a leaked event reveals nothing; the
//! receiving page fetches what its reader may see.

use crate::AppState;
use handoff_domain::{ReferralId, Role, SiteId, UserId};
use serde::Serialize;
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Debug, Clone, Serialize)]
pub struct SiteEvent {
    #[serde(skip)]
    pub site: SiteId,
    #[serde(skip)]
    pub audience: Audience,
    /// `referral.new`, `referral.accepted`, `referral.escalated`, …
    pub kind: &'static str,
    pub referral_id: Option<ReferralId>,
}

#[derive(Debug, Clone)]
pub enum Audience {
    Users(Vec<UserId>),
    Role(Role),
}

impl SiteEvent {
    pub fn reaches(&self, site: SiteId, user: UserId, roles: &[Role]) -> bool {
        self.site == site
            && match &self.audience {
                Audience::Users(u) => u.contains(&user),
                Audience::Role(r) => roles.contains(r),
            }
    }
}

/// The in-process event bus.
pub struct Bus {
    tx: broadcast::Sender<SiteEvent>,
}

impl Default for Bus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }
}

impl Bus {
    pub fn publish(&self, e: SiteEvent) {
        let _ = self.tx.send(e);
    }
    pub fn subscribe(&self) -> broadcast::Receiver<SiteEvent> {
        self.tx.subscribe()
    }
}

/// Posts an event to the site's webhook (SMS or paging gateway), if one is
/// configured, without holding up the request. The body has ids only.
pub fn webhook(state: &AppState, url: Option<String>, body: serde_json::Value) {
    let Some(url) = url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) else {
        return;
    };
    let client = state.http.clone();
    tokio::spawn(async move {
        let r = client
            .post(&url)
            .timeout(Duration::from_secs(5))
            .json(&body)
            .send()
            .await;
        match r {
            Ok(res) if res.status().is_success() => {}
            Ok(res) => tracing::warn!(status = %res.status(), "webhook answered with an error"),
            Err(e) => tracing::warn!(error = %crate::error::error_chain(&e), "webhook failed"),
        }
    });
}
