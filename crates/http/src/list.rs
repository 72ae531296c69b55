//! Every list's HTTP side, built once: the query (`cursor`, `limit`,
//! `format=csv` and the filters a list offers — `state`, `from`/`to`,
//! `case_manager`, `door`), the JSON page `{"items", "next_cursor"}`, the
//! pager and filter form of the pages, and the CSV export.
//!
//! The paging itself is the store's (`handoff_store::page`: keyset on the
//! list's sort key and id). A CSV export asks the same service as the page,
//! page after page, so the guard and the list's audit entry apply to every
//! row exported; the export itself is audited as `export.csv`.

use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::AppError;
use crate::{AppState, now};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use handoff_audit::Outcome;
use handoff_domain::{ParticipantId, UserId};
pub use handoff_store::page::{
    BadCursor, Cursor, DEFAULT_LIMIT, Filters, MAX_LIMIT, Page, Paged, TEXT_PATTERN, TIME_PATTERN,
};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Time};

/// The most rows one CSV export holds.
pub const CSV_MAX_ROWS: usize = 10_000;

/// A list's query string as sent. Every field is text so that a wrong value
/// is refused by [`ListQuery::parse`] naming the field, not by the
/// extractor.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Where the page starts: the `next_cursor` of the page before
    /// (opaque). With `limit` or `cursor` the answer is
    /// `{"items", "next_cursor"}`; without either, the list's old shape.
    pub cursor: Option<String>,
    /// Rows per page, 1 to 200 (default 50).
    pub limit: Option<String>,
    /// `csv` on list pages: the filtered list as a CSV file (audited).
    pub format: Option<String>,
    /// The list's state filter (a referral's status, a hold's state…),
    /// where the list has one.
    pub state: Option<String>,
    /// From this day (YYYY-MM-DD, UTC), where the list has dates.
    pub from: Option<String>,
    /// Up to and including this day (YYYY-MM-DD, UTC).
    pub to: Option<String>,
    /// A case manager's user id, where the list has one.
    pub case_manager: Option<String>,
    /// `arrest_diversion`, `social_contact` or `community` (referral lists).
    pub door: Option<String>,
    /// `reverse` turns the list's order round (oldest first, …).
    pub order: Option<String>,
}

/// What a list offers: the values of its `state` filter (value, label) and
/// which other filters apply.
#[derive(Debug, Clone, Default)]
pub struct ListSpec {
    pub states: Vec<(&'static str, &'static str)>,
    pub dates: bool,
    pub case_manager: bool,
    pub doors: Vec<(&'static str, &'static str)>,
    /// The list's order and its reverse, as people read them; none: the
    /// list has one order.
    pub orders: Option<(&'static str, &'static str)>,
    /// The list is sorted by a text (its cursors are `s…`), not a time
    /// (`t…`).
    pub text_key: bool,
}

/// A parsed list query: the page to ask for, whether paging was asked at
/// all (the API keeps its old shape otherwise), and CSV.
#[derive(Debug, Clone)]
pub struct Listing {
    pub page: Page,
    pub paged: bool,
    pub csv: bool,
    /// The query as sent, to refill the filter form and build links.
    pub query: ListQuery,
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(v: &str, field: &str) -> Result<Date, AppError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(v, &fmt).map_err(|_| AppError::field(field, "must be a date, YYYY-MM-DD"))
}

impl ListQuery {
    /// Parses the query against what the list offers; a wrong or unoffered
    /// value is a 422 naming its field.
    pub fn parse(&self, spec: &ListSpec) -> Result<Listing, AppError> {
        self.read(spec, false)
    }

    fn read(&self, spec: &ListSpec, empty_range_ok: bool) -> Result<Listing, AppError> {
        let after = blank(&self.cursor)
            .map(|c| {
                Cursor::decode(c)
                    .ok()
                    .filter(|c| c.is_time() != spec.text_key)
                    .ok_or_else(|| AppError::field("cursor", BadCursor.to_string()))
            })
            .transpose()?;
        let limit = match blank(&self.limit) {
            None => DEFAULT_LIMIT,
            Some(l) => match l.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(AppError::field(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                    ));
                }
            },
        };
        let csv = match blank(&self.format) {
            None | Some("html") | Some("json") => false,
            Some("csv") => true,
            Some(_) => return Err(AppError::field("format", "must be csv (or left out)")),
        };
        let mut filters = Filters::default();
        if let Some(s) = blank(&self.state) {
            if !spec.states.iter().any(|(v, _)| *v == s) {
                return Err(AppError::field(
                    "state",
                    if spec.states.is_empty() {
                        "this list has no state filter".to_string()
                    } else {
                        format!(
                            "must be one of: {}",
                            spec.states
                                .iter()
                                .map(|(v, _)| *v)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                ));
            }
            filters.state = Some(s.to_string());
        }
        if let Some(d) = blank(&self.door) {
            if !spec.doors.iter().any(|(v, _)| *v == d) {
                return Err(AppError::field(
                    "door",
                    if spec.doors.is_empty() {
                        "this list has no door filter".to_string()
                    } else {
                        "must be arrest_diversion, social_contact or community".to_string()
                    },
                ));
            }
            filters.door = Some(d.to_string());
        }
        for (field, v) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = blank(v) {
                if !spec.dates {
                    return Err(AppError::field(field, "this list has no date filter"));
                }
                let at = day(v, field)?.with_time(Time::MIDNIGHT).assume_utc();
                if field == "from" {
                    filters.from = Some(at);
                } else {
                    // The last day there is has no end: no upper bound.
                    filters.to = at.checked_add(Duration::days(1));
                }
            }
        }
        if let (Some(f), Some(t)) = (filters.from, filters.to)
            && t <= f
            && !empty_range_ok
        {
            return Err(AppError::field("to", "must not be before the from date"));
        }
        if let Some(cm) = blank(&self.case_manager) {
            if !spec.case_manager {
                return Err(AppError::field(
                    "case_manager",
                    "this list has no case manager filter",
                ));
            }
            let id: UserId = cm
                .parse()
                .map_err(|_| AppError::field("case_manager", "must be a case manager's id"))?;
            filters.case_manager = Some(id);
        }
        let reverse = match blank(&self.order) {
            None => false,
            Some("reverse") if spec.orders.is_some() => true,
            Some(_) if spec.orders.is_none() => {
                return Err(AppError::field("order", "this list has one order"));
            }
            Some(_) => return Err(AppError::field("order", "must be reverse (or left out)")),
        };
        Ok(Listing {
            page: Page {
                after,
                limit,
                filters,
                reverse,
            },
            paged: blank(&self.cursor).is_some() || blank(&self.limit).is_some(),
            csv,
            query: self.clone(),
        })
    }

    /// The API's reading of a list query: JSON only (`format=csv` is the
    /// pages' export), and a `to` before `from` is an empty range rather
    /// than a mistake to correct in a form.
    pub fn parse_api(&self, spec: &ListSpec) -> Result<Listing, AppError> {
        match blank(&self.format) {
            None | Some("json") => {}
            Some(_) => {
                return Err(AppError::field(
                    "format",
                    "must be json (or left out); CSV exports are on the list pages",
                ));
            }
        }
        self.read(spec, true)
    }

    /// The filters as query-string pairs (no cursor, no format).
    fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (k, v) in [
            ("state", &self.state),
            ("from", &self.from),
            ("to", &self.to),
            ("case_manager", &self.case_manager),
            ("door", &self.door),
            ("order", &self.order),
            ("limit", &self.limit),
        ] {
            if let Some(v) = blank(v) {
                out.push((k, v.to_string()));
            }
        }
        out
    }
}

impl Listing {
    /// A link to this list with the same filters and `extra` pairs (such as
    /// the cursor or `format=csv`); `base` may carry its own query.
    pub fn link(&self, base: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .query
            .filter_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        if pairs.is_empty() {
            return base.to_string();
        }
        let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}{q}")
    }
}

/// A page of a list as the API answers it when `limit` or `cursor` is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> From<Paged<T>> for Listed<T> {
    fn from(p: Paged<T>) -> Self {
        Listed {
            items: p.items,
            next_cursor: p.next.map(|c| c.encode()),
        }
    }
}

/// A list endpoint's answer: a page when paging was asked, else the list's
/// old shape (a bare array), with a `Link: <…>; rel="next"` header when it
/// was cut short, so no client is cut off silently.
pub fn answer<T: Serialize>(listing: &Listing, base: &str, got: Paged<T>) -> Response {
    if listing.paged {
        return axum::Json(Listed::from(got)).into_response();
    }
    let mut res = axum::Json(got.items).into_response();
    if let Some(next) = got.next {
        let cursor = next.encode();
        let url = listing.link(base, &[("cursor", &cursor)]);
        if let Ok(v) = format!("<{url}>; rel=\"next\"").parse() {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    res
}

/// Pages a short list that its service ranks in memory (search results,
/// at most 50 best matches): the rows after the cursor's row, in the list's
/// order. A cursor whose row is no longer in the list gives an empty last
/// page.
pub fn in_memory<T>(items: Vec<T>, page: &Page, cursor_of: impl Fn(&T) -> Cursor) -> Paged<T> {
    let start = match &page.after {
        None => 0,
        Some(after) => match items.iter().position(|t| cursor_of(t) == *after) {
            Some(i) => i + 1,
            None => items.len(),
        },
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let more = rest.len() as i64 > page.limit;
    rest.truncate(page.limit as usize);
    let next = if more {
        rest.last().map(&cursor_of)
    } else {
        None
    };
    Paged { items: rest, next }
}

/// A search hit's place in the ranking: its score and the row's id.
pub fn search_cursor(h: &crate::casework::search::SearchHit) -> Cursor {
    let id = h
        .participant
        .as_ref()
        .map(|p| p.id)
        .or(h.referral.as_ref().map(|r| r.id))
        .unwrap_or_default();
    Cursor::text(format!("{:.3}", h.score), id)
}

/// Reads every page of a list from `listing`'s page on (at most
/// [`CSV_MAX_ROWS`] rows) through the list's own service call.
pub async fn all_pages<T, F, Fut>(listing: &Listing, mut fetch: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(Page) -> Fut,
    Fut: std::future::Future<Output = Result<Paged<T>, AppError>>,
{
    let mut page = Page {
        limit: MAX_LIMIT,
        ..listing.page.clone()
    };
    let mut out = Vec::new();
    loop {
        let got = fetch(page.clone()).await?;
        out.extend(got.items);
        match got.next {
            Some(next) if out.len() < CSV_MAX_ROWS => page = page.after(next),
            _ => break,
        }
    }
    out.truncate(CSV_MAX_ROWS);
    Ok(out)
}

/// A CSV file of what the caller saw, audited as an export: one
/// `export.csv` entry naming the list, the rows and the participants.
pub async fn csv(
    state: &AppState,
    auth: &Auth,
    ctx: &Ctx,
    list: &str,
    header_row: &[&str],
    rows: Vec<Vec<String>>,
    participants: Vec<ParticipantId>,
) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Internal(e.into());
    w.write_record(header_row).map_err(io)?;
    for r in &rows {
        w.write_record(r.iter().map(|c| defuse(c))).map_err(io)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.into_error().into()))?;
    let mut e = audit::event(auth, "export.csv", Outcome::Allowed, ctx);
    e.subject_ref = Some(format!("list:{list}:rows:{}", rows.len()));
    e.participants = participants;
    audit::record(state, e).await?;
    let stamp = now().date();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{list}-{stamp}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A cell that a spreadsheet would read as a formula starts with `'`.
fn defuse(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A date and time for a CSV cell (RFC 3339, UTC).
pub fn csv_time(t: Option<OffsetDateTime>) -> String {
    t.and_then(|t| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_default()
}

/// The filter form of a list page: a GET form that keeps what was chosen.
/// `hidden` carries the page's own parameters (such as `view`);
/// `case_managers` are the choices of the case manager filter.
pub fn filters(
    action: &str,
    spec: &ListSpec,
    listing: &Listing,
    hidden: &[(&str, &str)],
    case_managers: &[(String, String)],
) -> Markup {
    let q = &listing.query;
    let val = |v: &Option<String>| blank(v).unwrap_or("").to_string();
    html! {
        form.filters.noprint method="get" action=(action) aria-label="Filter the list" {
            @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
            @if !spec.states.is_empty() {
                div {
                    label for="f-state" { "State" }
                    select id="f-state" name="state" {
                        option value="" { "Any" }
                        @for (v, l) in &spec.states {
                            option value=(v) selected[val(&q.state) == *v] { (l) }
                        }
                    }
                }
            }
            @if !spec.doors.is_empty() {
                div {
                    label for="f-door" { "Door" }
                    select id="f-door" name="door" {
                        option value="" { "Any" }
                        @for (v, l) in &spec.doors {
                            option value=(v) selected[val(&q.door) == *v] { (l) }
                        }
                    }
                }
            }
            @if spec.case_manager && !case_managers.is_empty() {
                div {
                    label for="f-cm" { "Case manager" }
                    select id="f-cm" name="case_manager" {
                        option value="" { "Any" }
                        @for (v, l) in case_managers {
                            option value=(v) selected[val(&q.case_manager) == *v] { (l) }
                        }
                    }
                }
            }
            @if let Some((usual, reverse)) = spec.orders {
                div {
                    label for="f-order" { "Order" }
                    select id="f-order" name="order" {
                        option value="" { (usual) }
                        option value="reverse" selected[val(&q.order) == "reverse"] { (reverse) }
                    }
                }
            }
            @if spec.dates {
                div.two {
                    div {
                        label for="f-from" { "From" }
                        input id="f-from" type="date" name="from" value=(val(&q.from));
                    }
                    div {
                        label for="f-to" { "To" }
                        input id="f-to" type="date" name="to" value=(val(&q.to));
                    }
                }
            }
            button type="submit" { "Show" }
        }
    }
}

/// The pager under a list: how many rows are shown, the first and next
/// pages, and the CSV export of the filtered list.
pub fn pager(
    base: &str,
    listing: &Listing,
    shown: usize,
    noun: &str,
    next: Option<&Cursor>,
) -> Markup {
    let csv = listing.link(base, &[("format", "csv")]);
    html! {
        nav.pager.noprint aria-label="Pages" {
            p.meta {
                @if listing.page.after.is_some() { "Later page: " }
                (shown) " " (noun) " shown"
                @if next.is_some() { ", more on the next page" }
                "."
            }
            @if listing.page.after.is_some() {
                a.button href=(listing.link(base, &[])) rel="first" { "First page" }
            }
            @if let Some(n) = next {
                a.button href=(listing.link(base, &[("cursor", &n.encode())])) rel="next" { "Next page" }
            }
            a.button href=(csv) download { "Download CSV" }
        }
    }
}

/// What each list offers to filter on, shared by its page and its API.
impl ListSpec {
    /// The query parameters of this list as the API reads them
    /// ([`ListQuery::parse_api`]), for the OpenAPI document: only the
    /// filters the list offers, each with its type and values, from the
    /// same spec the parser checks against.
    pub fn params(&self) -> Vec<utoipa::openapi::path::Parameter> {
        use serde_json::json;
        let mut out = vec![
            (
                "cursor",
                "Where the page starts: the `next_cursor` of the page before (opaque: \
                 any text of the pattern is read, and starts the page after that \
                 point of the list's order). With `limit` or `cursor` the answer is \
                 `{\"items\", \"next_cursor\"}`; without either, the list's old shape.",
                json!({"type": "string", "maxLength": handoff_store::page::MAX_CURSOR,
                    "pattern": if self.text_key { TEXT_PATTERN } else { TIME_PATTERN }}),
            ),
            (
                "limit",
                "Rows per page.",
                json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
            ),
            (
                "format",
                "The API answers JSON (CSV exports are on the list pages).",
                json!({"type": "string", "enum": ["json"]}),
            ),
        ];
        if !self.states.is_empty() {
            let values: Vec<&str> = self.states.iter().map(|(v, _)| *v).collect();
            out.push((
                "state",
                "Only rows in this state.",
                json!({"type": "string", "enum": values}),
            ));
        }
        if !self.doors.is_empty() {
            let values: Vec<&str> = self.doors.iter().map(|(v, _)| *v).collect();
            out.push((
                "door",
                "Only referrals through this door.",
                json!({"type": "string", "enum": values}),
            ));
        }
        if self.dates {
            out.push((
                "from",
                "From this day (UTC), inclusive.",
                json!({"type": "string", "format": "date"}),
            ));
            out.push((
                "to",
                "Up to and including this day (UTC); a `to` before `from` matches nothing.",
                json!({"type": "string", "format": "date"}),
            ));
        }
        if self.case_manager {
            out.push((
                "case_manager",
                "Only the rows of this case manager (a user id).",
                json!({"type": "string", "format": "uuid"}),
            ));
        }
        if self.orders.is_some() {
            out.push((
                "order",
                "`reverse` turns the list's order round.",
                json!({"type": "string", "enum": ["reverse"]}),
            ));
        }
        out.into_iter()
            .filter_map(|(name, description, schema)| {
                serde_json::from_value(json!({
                    "name": name, "in": "query", "required": false,
                    "description": description, "schema": schema,
                }))
                .ok()
            })
            .collect()
    }
}

/// The API's lists as `IntoParams` types, so each operation's document
/// names exactly the parameters its list reads.
pub mod params {
    use super::specs;
    use utoipa::openapi::path::{Parameter, ParameterIn};

    macro_rules! list_params {
        ($($name:ident => $spec:expr;)*) => {$(
            pub struct $name;
            impl utoipa::IntoParams for $name {
                fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                    $spec.params()
                }
            }
        )*};
    }

    list_params! {
        Referrals => specs::referrals(true);
        Inbox => specs::inbox();
        Holds => specs::holds();
        Caseload => specs::caseload(true);
        Review => specs::review();
        Plain => specs::plain();
    }
}

pub mod specs {
    use super::ListSpec;
    use handoff_domain::handoff::ReferralStatus;
    use handoff_domain::referral::Door;

    const NEWEST: Option<(&str, &str)> = Some(("Newest first", "Oldest first"));

    fn doors() -> Vec<(&'static str, &'static str)> {
        Door::ALL.iter().map(|d| (d.as_str(), d.label())).collect()
    }

    /// The referral lists: status, door, the date referred and (for case
    /// management) the case manager who accepted.
    pub fn referrals(case_manager: bool) -> ListSpec {
        ListSpec {
            states: ReferralStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            dates: true,
            case_manager,
            doors: doors(),
            orders: NEWEST,
            text_key: false,
        }
    }

    /// The hand-off inbox holds one status: door and date only.
    pub fn inbox() -> ListSpec {
        ListSpec {
            dates: true,
            doors: doors(),
            orders: NEWEST,
            ..Default::default()
        }
    }

    /// The hold queue: state and deadline dates.
    pub fn holds() -> ListSpec {
        use handoff_domain::hold::HoldState;
        ListSpec {
            states: HoldState::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            dates: true,
            orders: Some(("Latest deadline first", "Nearest deadline first")),
            ..Default::default()
        }
    }

    /// A caseload: the team's filters by case manager.
    pub fn caseload(team: bool) -> ListSpec {
        ListSpec {
            case_manager: team,
            orders: Some(("Longest without contact first", "Most recent contact first")),
            ..Default::default()
        }
    }

    /// The clerical review queue: the import date.
    pub fn review() -> ListSpec {
        ListSpec {
            dates: true,
            orders: Some(("Oldest first", "Newest first")),
            ..Default::default()
        }
    }

    /// Lists without filters sorted by a text (search results by score,
    /// users by e-mail): paging and CSV only.
    pub fn plain() -> ListSpec {
        ListSpec {
            text_key: true,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(q: ListQuery) -> Listing {
        q.parse(&specs::referrals(true)).unwrap()
    }

    #[test]
    fn the_old_shape_says_where_the_rest_begins() {
        let cut = Paged {
            items: vec![1, 2],
            next: Some(Cursor::text("b", handoff_store::ids::new_id())),
        };
        let res = answer(
            &listing(ListQuery::default()),
            "/api/v1/referrals?mine=true",
            cut,
        );
        let link = res.headers()[header::LINK].to_str().unwrap().to_string();
        assert!(
            link.starts_with("</api/v1/referrals?mine=true&cursor="),
            "{link}"
        );
        assert!(link.ends_with(">; rel=\"next\""), "{link}");
        let whole = Paged {
            items: vec![1],
            next: None,
        };
        let res = answer(&listing(ListQuery::default()), "/api/v1/referrals", whole);
        assert!(res.headers().get(header::LINK).is_none());
    }

    #[test]
    fn paging_is_asked_by_limit_or_cursor_and_links_keep_filters() {
        let q = ListQuery {
            state: Some("enrolled".into()),
            ..Default::default()
        };
        let l = listing(q.clone());
        assert!(!l.paged);
        assert_eq!(l.page.limit, DEFAULT_LIMIT);
        assert_eq!(
            l.link("/referrals", &[("cursor", "x")]),
            "/referrals?state=enrolled&cursor=x"
        );
        let l = listing(ListQuery {
            limit: Some("7".into()),
            ..q
        });
        assert!(l.paged);
        assert_eq!(l.page.limit, 7);
        assert_eq!(l.page.filters.state.as_deref(), Some("enrolled"));
    }

    #[test]
    fn spreadsheet_formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1"), "'-1");
        assert_eq!(defuse("Dana"), "Dana");
    }
}
