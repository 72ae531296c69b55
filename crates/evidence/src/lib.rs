//! Evidence from the site's own data (DESIGN.md §5, issue 13): what the
//! University of Washington design needs, captured where it happens and
//! turned into the PCG's and funders' reports.
//!
//! - [`shifts`]: the diversion-on/off schedule the PCG adopts (versioned;
//!   random with a recorded seed, or a fixed rota), by day or shift.
//! - [`eligible`]: the eligible-but-booked log — the comparison cohort and
//!   the booked side of the oversight RRI. Never a referral; never shown to
//!   case management; linked to justice records like participants.
//! - [`costs`]: programme spending by period (versioned, attributed), cost
//!   per participant-month and -year, and the cost–benefit comparison.
//! - [`evaluations`]: evaluation runs kept with their parameters; the
//!   engine run on the site's own export, with plain-language refusals.
//! - [`pcg`]: the PCG and funders' report tables (and the King County
//!   proviso listing), small cells suppressed unless the reader is case
//!   management.
//!
//! Like the services, no HTTP or HTML crate; who may act is asked of the
//! domain's rules table.

pub mod costs;
pub mod eligible;
pub mod evaluations;
pub mod pcg;
pub mod shifts;

use handoff_domain::rules::Action;
use handoff_services::AppState;
use handoff_services::auth::Auth;
use handoff_services::error::AppResult;

/// The rules table's answer, refusing with `refusal`.
pub async fn require(
    state: &AppState,
    auth: &Auth,
    action: Action,
    refusal: &'static str,
) -> AppResult<handoff_store::orgs::Agency> {
    let agency = handoff_services::workflow::agency_of(state, auth).await?;
    handoff_services::workflow::require(auth, &agency, action, refusal)?;
    Ok(agency)
}

pub(crate) fn parse_date(field: &str, s: &str) -> AppResult<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| handoff_services::error::AppError::field(field, "is not a date like 2026-12-31"))
}

pub(crate) fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}
