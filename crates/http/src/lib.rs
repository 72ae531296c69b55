//! What every HTTP handler of Handoff shares: who is calling (session cookie
//! or token, CSRF), errors as answers, the JSON body extractor, the security
//! headers and the page frame. The pages (`handoff-pages`) and the JSON API
//! (`handoff-api`) build on it; `handoff-web` assembles them into one router.

pub mod auth;
pub mod body;
pub mod error;
pub mod flow;
pub mod input;
pub mod layout;
pub mod list;
pub mod runs;
pub mod security;

// The services the handlers call, under the names they use.
pub use handoff_evidence as evidence;
pub use handoff_exchange as justice;
pub use handoff_governance::{
    arrival, corrections, court, handoff_trend, hold_queue, lookup, oversight, owg, shared, stale,
};
pub use handoff_network as network;
pub use handoff_services::{
    AppState, Config, Inner, accounts, audit, casework, config, disclosure, known, now, research,
    views, workflow,
};
