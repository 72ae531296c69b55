//! Server-rendered pages (maud). Mobile first: one column at 390 px, large
//! touch targets. Small scripts from /assets only enhance (live lists,
//! location, the signature pad). Personal data never goes into URLs.

mod account;
mod admin;
mod arrival;
mod caseload;
mod coordination;
mod court;
mod evaluation;
mod evidence;
mod handoff;
mod holds;
mod home;
mod login;
mod lookup;
mod network;
mod participant;
mod policy;
mod record;
mod referral;
mod referral_work;
mod review;
mod service_referral;

use handoff_http::AppState;
use handoff_http::flow;
pub use handoff_http::layout::*;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/login/mfa",
            get(login::challenge_form).post(login::challenge_submit),
        )
        .route("/logout", post(login::logout))
        .route("/logout/everywhere", post(login::logout_everywhere))
        .route(
            "/account/mfa",
            get(account::enrol_form).post(account::enrol_submit),
        )
        .route("/admin", get(admin::overview))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route("/admin/users/{id}/phone", post(admin::set_phone))
        .route("/admin/agencies", post(admin::create_agency))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/assets/app.css", get(css))
        .route("/assets/report.css", get(evaluation::report_css))
        .route("/oversight", get(coordination::oversight))
        .route("/eligible-arrests/new", get(evidence::arrest_new))
        .route("/eligible-arrests", post(evidence::arrest_submit))
        .route("/evaluation/runs", post(evidence::run_start))
        .route("/evaluation/runs/{id}", get(evidence::run_page))
        .route("/reports/pcg", get(evidence::pcg_page))
        .route("/admin/evidence", get(evidence::admin))
        .route("/admin/evidence/schedule", post(evidence::admin_schedule))
        .route("/admin/evidence/costs", post(evidence::admin_cost))
        .route("/network", get(network::view))
        .route("/network/figures.csv", get(network::csv))
        .route("/network/scorecard/{id}", get(network::scorecard_page))
        .route("/network/scorecards", get(network::scorecards))
        .route("/network/sites/new", get(network::new_site_form))
        .route("/network/sites", post(network::create_site))
        .route("/session/site", post(network::switch))
        .route("/scorecard", get(network::own_scorecard))
        .route("/approvals", get(coordination::approvals))
        .route("/coordination", get(coordination::charges))
        .route("/coordination/{id}", get(coordination::charge))
        .route("/coordination/{id}/messages", post(coordination::message))
        .route("/coordination/{id}/decision", post(coordination::decide))
        .route(
            "/owg",
            get(coordination::meetings).post(coordination::create_meeting),
        )
        .route("/owg/{id}", get(coordination::agenda))
        .route("/owg/{id}/build", post(coordination::build))
        .route("/owg/{id}/items", post(coordination::raise))
        .route(
            "/evaluation",
            get(evaluation::form)
                .post(evaluation::run)
                .layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .route("/referrals", get(referral::list).post(referral::submit))
        .route("/referrals/new", get(referral::new_form))
        .route("/referrals/{id}", get(referral::detail))
        .route("/referrals/{id}/result", get(referral::result_page))
        .route("/referrals/{id}/accept", post(referral_work::accept))
        .route("/referrals/{id}/approval", post(referral_work::approval))
        .route("/referrals/{id}/arrive", post(referral_work::arrive))
        .route("/referrals/{id}/eta", post(arrival::eta))
        .route("/referrals/{id}/triage", post(referral_work::triage))
        .route("/referrals/{id}/intake", post(referral_work::intake))
        // A signed PDF arrives base64-encoded in the form: room for the
        // service's 2 MB file limit.
        .route(
            "/referrals/{id}/release",
            post(referral_work::release).layer(DefaultBodyLimit::max(4 * 1024 * 1024)),
        )
        .route("/releases/{id}/revoke", post(referral_work::revoke))
        .route("/handoffs", get(handoff::inbox))
        .route("/referrals/{id}/close", post(handoff::close))
        .route("/holds", get(holds::queue))
        .route("/holds/{id}", get(holds::hold))
        .route("/holds/{id}/decision", post(holds::decide))
        .route("/holds/{id}/undo", post(holds::undo))
        .route("/admin/policy", get(policy::editor).post(policy::save))
        .route("/review", get(review::queue))
        .route("/review/{id}", post(review::decide))
        .route("/caseload", get(caseload::page))
        .route("/search", get(caseload::search))
        .route("/lookup", get(lookup::lookup_form).post(lookup::lookup))
        .route("/shared", get(lookup::shared))
        .route("/participants/{id}", get(participant::profile))
        .route(
            "/participants/{id}/contacts/new",
            get(participant::contact_form),
        )
        .route(
            "/participants/{id}/contacts",
            post(participant::log_contact),
        )
        .route(
            "/participants/{id}/contacts/{contact}/correct",
            get(record::correct_form).post(record::correct),
        )
        .route("/participants/{id}/goals", post(participant::add_goal))
        .route(
            "/participants/{id}/service-referrals",
            post(service_referral::submit),
        )
        .route(
            "/participants/{id}/court",
            get(court::view).post(court::add),
        )
        .route(
            "/participants/{id}/goals/{goal}",
            post(participant::update_goal),
        )
        .route("/participants/{id}/close", post(participant::close))
        .route("/participants/{id}/reopen", post(participant::reopen))
        .route("/participants/{id}/assign", post(participant::assign))
        .route(
            "/assets/geo.js",
            get(|| script(include_str!("../assets/geo.js"))),
        )
        .route(
            "/assets/once.js",
            get(|| script(include_str!("../assets/once.js"))),
        )
        .route(
            "/assets/live.js",
            get(|| script(include_str!("../assets/live.js"))),
        )
        .route(
            "/assets/signature.js",
            get(|| script(include_str!("../assets/signature.js"))),
        )
        .route(
            "/assets/progress.js",
            get(|| script(include_str!("../assets/progress.js"))),
        )
        .route(
            "/assets/part2.js",
            get(|| script(include_str!("../assets/part2.js"))),
        )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/app.css"),
    )
}

/// A small script of the pages (the CSP allows scripts from this origin only).
async fn script(body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
