//! The on-call roster as a week: one row per day, the day's 24 hours as a
//! bar (covered hours filled, gaps marked), who is on call in words, the
//! gaps in words, and shifts that repeat weekly marked as such (a shift is
//! weekly when the same person holds the same hours a week before or
//! after). Built for a phone: the days run down the page, the hours across.

use handoff_domain::UserId;
use handoff_domain::site_time::SiteTimeZone;
use handoff_store::roster::Shift;
use maud::{Markup, html};
use time::{Date, Duration, OffsetDateTime};

/// The Monday of the week holding `d`.
pub fn monday_of(d: Date) -> Date {
    d - Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

/// Whether the shift repeats: the same person, the same hours, a week
/// before or after.
pub fn weekly(s: &Shift, all: &[Shift]) -> bool {
    all.iter().any(|o| {
        o.id != s.id
            && o.user_id == s.user_id
            && [Duration::weeks(1), Duration::weeks(-1)]
                .iter()
                .any(|w| o.starts_at == s.starts_at + *w && o.ends_at == s.ends_at + *w)
    })
}

/// A day of the week: its date, which hours are covered, its shifts (and
/// whether each repeats weekly).
type Day<'a> = (Date, [bool; 24], Vec<(&'a Shift, bool)>);

/// Runs of hours `[from, to)` where `covered` is `want`.
fn runs(covered: &[bool; 24], want: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut h = 0;
    while h < 24 {
        if covered[h] == want {
            let start = h;
            while h < 24 && covered[h] == want {
                h += 1;
            }
            out.push((start, h));
        } else {
            h += 1;
        }
    }
    out
}

fn hhmm(h: usize) -> String {
    format!("{h:02}:00")
}

/// The week from `monday`: `shifts` are those around it (a week either
/// side, for the weekly mark); `name` gives a person's name.
pub fn calendar(
    tz: &SiteTimeZone,
    monday: Date,
    shifts: &[Shift],
    name: &dyn Fn(UserId) -> String,
    now: OffsetDateTime,
) -> Markup {
    let today = tz.local_date(now);
    let days: Vec<Date> = (0..7).map(|i| monday + Duration::days(i)).collect();
    let mut gaps_total = 0;
    let rows: Vec<Day<'_>> = days
        .iter()
        .map(|d| {
            let Ok(midnight) = tz.start_of_day(*d) else {
                return (*d, [false; 24], Vec::new());
            };
            let hour = |h: usize| midnight + Duration::hours(h as i64);
            let mut covered = [false; 24];
            for (h, c) in covered.iter_mut().enumerate() {
                *c = shifts
                    .iter()
                    .any(|s| s.starts_at < hour(h + 1) && s.ends_at > hour(h));
            }
            let on: Vec<(&Shift, bool)> = shifts
                .iter()
                .filter(|s| s.starts_at < hour(24) && s.ends_at > midnight)
                .map(|s| (s, weekly(s, shifts)))
                .collect();
            (*d, covered, on)
        })
        .collect();
    for (_, covered, _) in &rows {
        gaps_total += covered.iter().filter(|c| !**c).count();
    }
    let time_of = |t: OffsetDateTime, d: Date| {
        if tz.local_date(t) != d {
            return None;
        }
        let m = (t - tz.start_of_day(d).ok()?).whole_minutes();
        Some(format!("{:02}:{:02}", m / 60, m % 60))
    };
    html! {
        p.meta { (gaps_total) " hours of this week have nobody on call (marked in red). New referrals then go to every case manager." }
        ol.week {
            @for (d, covered, on) in &rows {
                li.day.today[*d == today] data-day=(d.to_string()) {
                    h3 { (d.weekday()) " " (d) @if *d == today { " (today)" } }
                    div.hours aria-hidden="true" {
                        @for (h, c) in covered.iter().enumerate() {
                            span.h.on[*c].gap[!*c] title=(hhmm(h)) {}
                        }
                    }
                    div.scale aria-hidden="true" { span { "0" } span { "6" } span { "12" } span { "18" } span { "24" } }
                    @if on.is_empty() {
                        p { "Nobody on call." }
                    } @else {
                        ul.compact {
                            @for (s, repeats) in on {
                                li {
                                    strong { (name(s.user_id)) } " "
                                    (time_of(s.starts_at, *d).unwrap_or_else(|| "00:00".into())) "–" (time_of(s.ends_at, *d).unwrap_or_else(|| "24:00".into()))
                                    @if *repeats { " " span.role { "weekly" } }
                                }
                            }
                        }
                    }
                    @let gaps = runs(covered, false);
                    @if !gaps.is_empty() {
                        p.gaps { "Not covered: " (gaps.iter().map(|(a, b)| format!("{}–{}", hhmm(*a), hhmm(*b))).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
    }
}
