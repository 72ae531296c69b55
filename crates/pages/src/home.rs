//! The home page: what the caller's role does first.

use super::{PageResult, Signed, layout};
use axum::response::IntoResponse;
use handoff_domain::Role;
use handoff_store::orgs;
use maud::{Markup, html};

/// The first things each role does, in the words of the field.
fn first_things(role: Role) -> (&'static str, &'static [&'static str]) {
    match role {
        Role::Officer => (
            "Offer LEAD instead of booking",
            &[
                "Refer a person at the scene through the arrest-diversion or social-contact door.",
                "Hand the person directly to the on-call case manager.",
                "Look up whether someone is already a LEAD participant.",
                "Follow your own referrals and their hold status.",
            ],
        ),
        Role::CommunityReferrer => (
            "Refer someone to LEAD",
            &[
                "Refer a person directly, without police involvement.",
                "See whether your referral was accepted.",
            ],
        ),
        Role::CaseManager => (
            "Your hand-offs and caseload",
            &[
                "Accept hand-offs from the on-call roster and meet the person.",
                "Triage, intake and the release of information.",
                "Log contacts, goals and services with your participants.",
            ],
        ),
        Role::Supervisor => (
            "Your team",
            &[
                "Caseloads and the on-call roster.",
                "Hand-off times, engagement and fidelity.",
            ],
        ),
        Role::Prosecutor => (
            "Diversion holds",
            &[
                "The queue of cases held from filing.",
                "Coordination on new charges against participants.",
            ],
        ),
        Role::Partner => (
            "Case conferencing",
            &[
                "What participants' releases of information let your agency see.",
                "Operational Work Group agendas.",
            ],
        ),
        Role::Oversight => (
            "Equity and accountability",
            &[
                "Who is diverted and who is booked, by race, place and officer.",
                "The audit trail's summary.",
            ],
        ),
        Role::Evaluator => (
            "Evaluation",
            &[
                "The limited data set, without direct identifiers.",
                "Outcome analyses for the site.",
            ],
        ),
        Role::SiteAdmin => (
            "Site administration",
            &[
                "Users, partner agencies and roles.",
                "Eligibility policy, hold window and unit costs.",
            ],
        ),
        Role::Bureau => (
            "The LEAD network",
            &[
                "Cross-site figures with small cells suppressed.",
                "Fidelity across sites.",
            ],
        ),
    }
}

/// Where each role's work is, the first link the main one.
fn links(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Officer => &[
            ("/referrals/new", "Quick referral"),
            ("/lookup", "Is this person in LEAD?"),
            ("/eligible-arrests/new", "Eligible, booked"),
            ("/referrals", "My referrals"),
            ("/owg", "OWG meetings"),
        ],
        Role::CommunityReferrer => &[
            ("/referrals/new?door=community", "Refer someone"),
            ("/referrals", "My referrals"),
        ],
        Role::CaseManager => &[
            ("/handoffs", "Hand-off inbox"),
            ("/caseload", "My caseload"),
            ("/coordination", "Charges to coordinate"),
            ("/referrals", "Referrals"),
            ("/referrals/new?door=community", "Community referral"),
            ("/owg", "OWG meetings"),
        ],
        Role::Supervisor => &[
            ("/supervisor", "Supervisor overview"),
            ("/caseload?view=team", "Team caseload"),
            ("/handoffs", "Hand-off inbox"),
            ("/holds", "Diversion holds"),
            ("/roster", "On-call roster"),
            ("/owg", "OWG meetings"),
            ("/oversight", "Equity figures"),
            ("/reports/pcg", "PCG report"),
            ("/scorecard", "Fidelity scorecard"),
        ],
        Role::Prosecutor => &[
            ("/holds", "Hold queue"),
            ("/coordination", "New charges"),
            ("/owg", "OWG meetings"),
        ],
        Role::Partner => &[("/shared", "Shared with us"), ("/owg", "OWG meetings")],
        Role::Oversight => &[
            ("/oversight", "Equity figures"),
            ("/evaluation", "Evaluation: equity"),
        ],
        Role::Evaluator => &[("/evaluation", "Outcome evaluation")],
        Role::Bureau => &[
            ("/network", "The network: sites side by side"),
            ("/oversight", "Site figures"),
            ("/evaluation", "Outcome evaluation"),
            ("/reports/pcg", "PCG report"),
        ],
        Role::SiteAdmin => &[
            ("/admin", "Manage users and agencies"),
            ("/admin/policy", "Eligibility policy"),
            ("/admin/evidence", "Shift schedule and programme costs"),
            ("/evaluation", "Outcome evaluation"),
            ("/reports/pcg", "PCG report"),
        ],
    }
}

fn role_card(role: Role) -> Markup {
    let (title, items) = first_things(role);
    html! {
        section.card aria-labelledby=(format!("role-{}", role.as_str())) {
            h2 id=(format!("role-{}", role.as_str())) { (title) }
            ul { @for i in items { li { (i) } } }
            @let links = links(role);
            @if !links.is_empty() {
                p.links {
                    @for (i, (href, label)) in links.iter().enumerate() {
                        @if i == 0 {
                            a.button.primary href=(href) { (label) }
                        } @else {
                            " " a.button href=(href) { (label) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn home(
    handoff_http::auth::Visit(state, ctx, Signed(auth)): handoff_http::auth::Visit<Signed>,
) -> PageResult {
    let mut c = state.store.conn();
    let site = orgs::get_site(&mut c, auth.user.site_id).await?;
    let agency = orgs::get_agency(&mut c, auth.user.site_id, auth.user.agency_id).await?;
    let actions = handoff_http::owg::my_actions(&state, &auth).await?;
    let shift = super::evidence::shift_card(&state, &auth).await?;
    let court = handoff_http::court::upcoming(&state, &auth, &ctx).await?;
    let body = html! {
        h1 { "Welcome, " (auth.user.display_name) }
        p.meta {
            (site.name) " · " (agency.name) " · "
            @for (i, r) in auth.user.roles.iter().enumerate() {
                @if i > 0 { ", " }
                span.role data-role=(r.as_str()) { (r.label()) }
            }
        }
        (shift)
        @for r in &auth.user.roles { (role_card(*r)) }
        @if !court.is_empty() {
            section.card aria-labelledby="court-h" {
                h2 id="court-h" { "Court dates this week (" (court.len()) ")" }
                ul { @for d in &court { li {
                    a href={"/participants/" (d.participant_id)} { (d.on) " — " (d.court) }
                    " · case " (d.case_number)
                } } }
            }
        }
        @if !actions.is_empty() {
            section.card aria-labelledby="actions-h" {
                h2 id="actions-h" { "Your OWG action items" }
                ul { @for a in &actions { li { (a.description) " — due " (a.due_on) } } }
                p { a href="/owg" { "OWG meetings" } }
            }
        }
        @if auth.user.can_approve {
            p { a.button.primary href="/approvals" { "Referrals to approve" } }
        }
        section.card aria-labelledby="security-h" {
            h2 id="security-h" { "Your account" }
            @if auth.user.totp_enabled {
                p { "Two-step verification is on." }
            } @else if auth.user.is_demo {
                p { "Demo accounts sign in without a second step." }
            } @else {
                p { a href="/account/mfa" { "Turn on two-step verification" } }
            }
            form method="post" action="/logout/everywhere" {
                (super::csrf_field(&auth))
                button type="submit" { "Sign out on every device" }
            }
        }
    };
    Ok(layout("Home", Some(&auth), body).into_response())
}
