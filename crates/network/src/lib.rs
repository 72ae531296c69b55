//! The LEAD network (DESIGN.md §1, the Bureau's row): one deployment holds
//! many sites.
//!
//! - `sites`: the network's sites, a person's sites and the explicit site
//!   switch (a session acts in exactly one site), and starting a site from
//!   a policy template with its agencies and roster.
//! - `rollup`: each site's raw monthly counts, kept in `site_month_figures`
//!   and refreshed by the scheduler and on first need, so the network's
//!   figures never scan every site's rows per request.
//! - `figures`: the Bureau's cross-site figures per site and for the
//!   network, by month, suppressed as oversight's are (one
//!   `handoff_figures::Figures` per month over every site and the network,
//!   with the sums that tie them).
//! - `scorecard`: each site's fidelity scorecard against the network's
//!   versioned targets.
//!
//! Network staff (the Bureau) belong to the network (`network_members`),
//! not to a site: what they may do is asked of the rules table as the
//! network's support organisation (kind `bureau`). They see aggregates only.

pub mod figures;
pub mod rollup;
pub mod scorecard;
pub mod sites;

use handoff_domain::rules::{self, Action, Actor};
use handoff_domain::{AgencyKind, Role};
use handoff_services::AppState;
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::network::{self, Network};

/// A person acting as staff of a network.
#[derive(Debug, Clone)]
pub struct Staff {
    pub network: Network,
    pub roles: Vec<Role>,
}

impl Staff {
    /// Whether the rules table lets network staff with these roles act.
    pub fn may(&self, action: Action) -> bool {
        rules::may(
            &Actor {
                roles: &self.roles,
                agency_kind: AgencyKind::Bureau,
                designated_approver: false,
            },
            action,
        )
    }
}

/// The network the caller works for, if they are its staff.
pub async fn staff(state: &AppState, auth: &Auth) -> AppResult<Option<Staff>> {
    let mut c = state.store.conn();
    let Some(first) = network::memberships(&mut c, auth.user.id)
        .await?
        .first()
        .map(|(n, _)| *n)
    else {
        return Ok(None);
    };
    let roles = network::memberships(&mut c, auth.user.id)
        .await?
        .into_iter()
        .filter(|(n, _)| *n == first)
        .map(|(_, r)| r)
        .collect();
    Ok(Some(Staff {
        network: network::get(&mut c, first).await?,
        roles,
    }))
}

/// The caller as network staff allowed `action`, or 403 with `refusal`.
pub async fn require_staff(
    state: &AppState,
    auth: &Auth,
    action: Action,
    refusal: &'static str,
) -> AppResult<Staff> {
    match staff(state, auth).await? {
        Some(s) if s.may(action) => Ok(s),
        _ => Err(AppError::Forbidden(refusal)),
    }
}

/// The network every new site joins when none is named.
pub const DEFAULT_NETWORK_SLUG: &str = "lead-network";
pub const DEFAULT_NETWORK_NAME: &str = "LEAD network";

/// The default network, made when missing.
pub async fn default_network(state_store: &handoff_store::Store) -> AppResult<Network> {
    Ok(network::ensure(
        &mut state_store.conn(),
        DEFAULT_NETWORK_NAME,
        DEFAULT_NETWORK_SLUG,
        handoff_services::now(),
    )
    .await?)
}
