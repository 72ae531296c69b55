//! The supervisor's pages (moved out of crates/pages, which was full):
//! the site overview with the weekly hand-off times, hand-off times by
//! month as an inline SVG chart with a month range and a table, and the
//! on-call roster as a week (gaps and weekly shifts marked) and as a list.
//! Shared page helpers come from `handoff_http::{layout, flow}`.

mod handoff_trend;
mod roster_week;
mod supervisor;

use handoff_http::AppState;
use handoff_http::flow;
pub use handoff_http::layout::*;

use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervisor", get(supervisor::overview))
        .route("/supervisor/handoff-times", get(handoff_trend::page))
        .route(
            "/roster",
            get(supervisor::roster).post(supervisor::add_shift),
        )
        .route("/roster/{id}/remove", post(supervisor::remove_shift))
}
