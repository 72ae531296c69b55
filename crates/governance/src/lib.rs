//! Collective governance (DESIGN.md §4): the Operational Work Group — its
//! meetings, agendas built from the site's events, minutes, and the
//! prosecutorial coordination on new charges (`owg`) — and the
//! de-identified oversight figures for civil-rights monitors, the Bureau
//! and the site's supervisors (`oversight`).
//!
//! Everything here reads participants through the services' guard
//! (`handoff_services::disclosure`) and asks the rules table who may act.

pub mod arrival;
pub mod corrections;
pub mod court;
pub mod handoff_trend;
pub mod hold_queue;
pub mod lookup;
pub mod oversight;
pub mod owg;
pub mod shared;
pub mod stale;
