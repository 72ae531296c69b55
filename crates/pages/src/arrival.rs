//! The accepted hand-off on the referral's pages: where to go (with links
//! that open the phone's map app), whom to call, how long since the
//! referral, and "on my way, ETA N min" — sent by the case manager who
//! accepted, seen live by the referring officer. The rules are the
//! governance's (`arrival`); this only shows and asks.

use super::flow::{Fields, ago, local, problem};
use super::referral::detail_page;
use super::{PageResult, Signed, csrf_field, see_other};
use axum::extract::Path;
use handoff_domain::ReferralId;
use handoff_domain::site_time::SiteTimeZone;
use handoff_http::arrival::{self, EtaForm, Handoff};
use handoff_http::auth::{Auth, Visit};
use handoff_http::error::AppError;
use handoff_http::now;
use maud::{Markup, html};

fn phone(p: &Option<String>) -> Markup {
    html! {
        @if let Some(n) = p {
            " · " a.tel href=(format!("tel:{}", n.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())) { (n) }
        } @else {
            " · " span.meta { "no work phone on file" }
        }
    }
}

fn mins(m: f64) -> String {
    if m < 1.0 {
        "under a minute".into()
    } else {
        format!("{} min", m.round() as i64)
    }
}

/// The "Where and who" card.
pub fn card(auth: &Auth, h: &Handoff, tz: &SiteTimeZone, err: Option<&AppError>) -> Markup {
    let t = now();
    html! {
        section.card.handoff id="where" aria-labelledby="where-h" {
            h2 id="where-h" { "Where and who" }
            dl.facts {
                @if let Some(p) = &h.place {
                    dt { "Place" }
                    dd.place {
                        @if let Some(a) = &p.address { span.address { (a) } br; }
                        @if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
                            span.coords { "Coordinates " (format!("{lat:.5}, {lon:.5}")) } br;
                        }
                        @if let Some(a) = &p.area { span.meta { "Area: " (a) } br; }
                        a.button.map href=(p.geo_uri) { "Open in maps" }
                        " "
                        a.map-web href=(p.map_url) rel="noopener noreferrer" target="_blank" { "Web map" }
                    }
                }
                @if let Some(c) = &h.referred_by {
                    dt { "Referring officer" }
                    dd.referrer { (c.name) (phone(&c.phone)) }
                }
                dt { "Referred" }
                dd { (local(tz, h.referred_at)) " (" (ago(t, h.referred_at)) ")" }
                @if let Some(c) = &h.case_manager {
                    dt { "Case manager" }
                    dd.coming { (c.name) (phone(&c.phone)) }
                }
                @if let Some(e) = &h.eta {
                    dt { "On the way" }
                    dd.eta data-minutes=(e.minutes) {
                        "Expected about " strong { (local(tz, e.expected_at).split(' ').nth(1).unwrap_or("")) }
                        " (ETA " (e.minutes) " min, sent " (ago(t, e.sent_at)) ")"
                    }
                }
                @if let Some(m) = h.minutes_to_accept {
                    dt { "Accepted after" } dd.to-accept { (mins(m)) }
                }
                @if let Some(m) = h.minutes_to_arrive {
                    dt { "Arrived after" } dd.to-arrive { (mins(m)) " from acceptance" }
                }
            }
            @if h.place.is_none() && h.referred_by.is_some() {
                p.meta { "No place was given with this referral: call the officer." }
            }
            @if h.may_send_eta {
                @if let Some(e) = err { (problem(e)) }
                form.eta method="post" action=(format!("/referrals/{}/eta", h.referral_id)) {
                    (csrf_field(auth))
                    fieldset {
                        legend { "Tell the officer you are on your way" }
                        div.quick {
                            @for m in [5, 10, 15, 20, 30] {
                                button type="submit" name="quick" value=(m) { (m) " min" }
                            }
                        }
                        label for="eta-minutes" { "Or minutes until you arrive" }
                        div.inline {
                            input id="eta-minutes" name="minutes" type="number" inputmode="numeric" min="1" max=(arrival::MAX_ETA_MINUTES) aria-invalid=[err.map(|_| "true")];
                            button.primary type="submit" { "Send ETA" }
                        }
                    }
                }
            }
        }
    }
}

pub async fn eta(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<ReferralId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let minutes = f
        .opt("quick")
        .or_else(|| f.opt("minutes"))
        .unwrap_or_default();
    let form = EtaForm {
        minutes: serde_json::Value::String(minutes),
    };
    match arrival::send_eta(&state, &auth, &ctx, id, form).await {
        Ok(_) => Ok(see_other(&format!("/referrals/{id}?done=eta"))),
        Err(e @ AppError::BadRequest { .. }) => {
            let refusal = super::referral_work::Refusal {
                what: "eta",
                error: e,
                fields: &f,
            };
            detail_page(&state, &ctx, &auth, id, None, None, Some(refusal)).await
        }
        Err(e) => Err(e.into()),
    }
}
