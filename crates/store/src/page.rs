//! Keyset paging for every list of the application, on both backends.
//!
//! A list is ordered by a sort key and the row id (a tiebreak that makes the
//! order total). A page is asked for with the key and id of the last row
//! already shown — the [`Cursor`], handed to clients as an opaque
//! text — and read as `WHERE (key, id) < ($k, $id) ORDER BY key DESC, id
//! DESC LIMIT n + 1` (or `>` and `ASC` for lists shown oldest first): the
//! database walks its index from the cursor, never skipping rows with
//! `OFFSET`. The extra row says whether a next page exists without a count.
//!
//! Filters (state, date range, case manager, door) are bound values on
//! columns each list names in its [`Columns`]; SQL text is composed from
//! those constants only.

use crate::db::{Conn, Row};
use crate::{Result, Value};
use handoff_domain::UserId;
use time::OffsetDateTime;
use uuid::Uuid;

/// Rows per page when the caller does not say.
pub const DEFAULT_LIMIT: i64 = 50;
/// The most rows one page may hold.
pub const MAX_LIMIT: i64 = 200;

/// A sort key's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Time(OffsetDateTime),
    Text(String),
}

/// Where a page starts: the sort key and id of the last row of the page
/// before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub key: Key,
    pub id: Uuid,
}

/// A cursor that is not one this application made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cursor is not one this list gave out; start again from the first page")]
pub struct BadCursor;

impl Cursor {
    pub fn time(at: OffsetDateTime, id: Uuid) -> Cursor {
        Cursor {
            key: Key::Time(at),
            id,
        }
    }

    pub fn text(key: impl Into<String>, id: Uuid) -> Cursor {
        Cursor {
            key: Key::Text(key.into()),
            id,
        }
    }

    /// The opaque text handed to clients: `t<unix nanoseconds>.<id>` or
    /// `s<id>.<the key's UTF-8 bytes in lowercase hex>`, the id as 32
    /// lowercase hex digits. Every text of that shape reads back
    /// ([`TIME_PATTERN`], [`TEXT_PATTERN`] say it for the API's document),
    /// so a client's cursor is either one of these or refused.
    pub fn encode(&self) -> String {
        match &self.key {
            Key::Time(t) => format!("t{}.{}", t.unix_timestamp_nanos(), self.id.simple()),
            Key::Text(s) => {
                let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
                format!("s{}.{hex}", self.id.simple())
            }
        }
    }

    /// Reads a cursor back; anything else is a [`BadCursor`].
    pub fn decode(text: &str) -> Result<Cursor, BadCursor> {
        if text.len() > MAX_CURSOR {
            return Err(BadCursor);
        }
        let hex = |s: &str| s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if let Some(rest) = text.strip_prefix('t') {
            let (nanos, id) = rest.split_once('.').ok_or(BadCursor)?;
            let digits = nanos.strip_prefix('-').unwrap_or(nanos);
            if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(BadCursor);
            }
            let nanos: i128 = nanos.parse().map_err(|_| BadCursor)?;
            let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| BadCursor)?;
            return Ok(Cursor::time(at, parse_id(id)?));
        }
        if let Some(rest) = text.strip_prefix('s') {
            let (id, key) = rest.split_once('.').ok_or(BadCursor)?;
            if key.len() % 2 != 0 || !hex(key) {
                return Err(BadCursor);
            }
            let bytes: Vec<u8> = (0..key.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&key[i..i + 2], 16).map_err(|_| BadCursor))
                .collect::<Result<_, _>>()?;
            let key = String::from_utf8_lossy(&bytes).into_owned();
            return Ok(Cursor::text(key, parse_id(id)?));
        }
        Err(BadCursor)
    }

    /// Whether the cursor's key is a time (the lists sorted by a time) or
    /// a text.
    pub fn is_time(&self) -> bool {
        matches!(self.key, Key::Time(_))
    }
}

/// The longest cursor read.
pub const MAX_CURSOR: usize = 1024;
/// Exactly the cursors of a list sorted by a time (or nothing).
pub const TIME_PATTERN: &str = "^(t-?[0-9]{1,19}\\.[0-9a-f]{32})?$";
/// Exactly the cursors of a list sorted by a text (or nothing).
pub const TEXT_PATTERN: &str = "^(s[0-9a-f]{32}\\.([0-9a-f]{2}){0,495})?$";

fn parse_id(s: &str) -> Result<Uuid, BadCursor> {
    if s.len() != 32 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(BadCursor);
    }
    Uuid::parse_str(s).map_err(|_| BadCursor)
}

/// The filters a list may offer. Each list applies those it has columns for;
/// the HTTP side refuses the others before asking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// The list's own state vocabulary (a referral's status, a hold's state).
    pub state: Option<String>,
    /// The door a referral came through.
    pub door: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<OffsetDateTime>,
    /// Before this instant (exclusive).
    pub to: Option<OffsetDateTime>,
    pub case_manager: Option<UserId>,
}

/// One page asked for: where it starts, how many rows, which rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub after: Option<Cursor>,
    pub limit: i64,
    pub filters: Filters,
    /// The list's order turned round (oldest first where it shows the
    /// newest first, and so on); the same index serves it, walked back.
    pub reverse: bool,
}

impl Default for Page {
    fn default() -> Self {
        Page::first(DEFAULT_LIMIT)
    }
}

impl Page {
    /// The first page of `limit` rows (clamped to 1..=[`MAX_LIMIT`] unless
    /// a caller asks for a legacy list with [`Page::legacy`]).
    pub fn first(limit: i64) -> Page {
        Page {
            after: None,
            limit: limit.clamp(1, MAX_LIMIT),
            filters: Filters::default(),
            reverse: false,
        }
    }

    /// The unpaged shape kept for clients that ask without paging: one page
    /// of up to `limit` rows, the list's historical cap.
    pub fn legacy(limit: i64) -> Page {
        Page {
            after: None,
            limit: limit.max(1),
            filters: Filters::default(),
            reverse: false,
        }
    }

    /// The same filters and size, after `cursor`.
    pub fn after(&self, cursor: Cursor) -> Page {
        Page {
            after: Some(cursor),
            ..self.clone()
        }
    }
}

/// One page of rows and where the next one starts (none: this was the last).
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Newest first (`DESC`) or oldest first (`ASC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Desc,
    Asc,
}

/// How a list's table answers paging: its sort key and id columns (SQL
/// expressions, constants) and the columns its filters apply to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    pub key: &'static str,
    pub id: &'static str,
    pub dir: Dir,
    pub state: Option<&'static str>,
    pub door: Option<&'static str>,
    pub date: Option<&'static str>,
    pub case_manager: Option<&'static str>,
}

impl Columns {
    pub(crate) const fn new(key: &'static str, id: &'static str, dir: Dir) -> Columns {
        Columns {
            key,
            id,
            dir,
            state: None,
            door: None,
            date: None,
            case_manager: None,
        }
    }
}

/// The statement and arguments of one page (see [`fetch`]).
pub(crate) fn statement(
    select_where: &str,
    mut args: Vec<Value>,
    cols: Columns,
    page: &Page,
) -> (String, Vec<Value>) {
    let mut sql = String::from(select_where);
    let bind = |sql: &mut String, args: &mut Vec<Value>, cond: &str, v: Value| {
        args.push(v);
        sql.push_str(" AND ");
        sql.push_str(&cond.replace('?', &format!("${}", args.len())));
    };
    let f = &page.filters;
    if let (Some(col), Some(v)) = (cols.state, &f.state) {
        bind(&mut sql, &mut args, &format!("{col} = ?"), v.clone().into());
    }
    if let (Some(col), Some(v)) = (cols.door, &f.door) {
        bind(&mut sql, &mut args, &format!("{col} = ?"), v.clone().into());
    }
    if let (Some(col), Some(v)) = (cols.date, f.from) {
        bind(&mut sql, &mut args, &format!("{col} >= ?"), v.into());
    }
    if let (Some(col), Some(v)) = (cols.date, f.to) {
        bind(&mut sql, &mut args, &format!("{col} < ?"), v.into());
    }
    if let (Some(col), Some(v)) = (cols.case_manager, f.case_manager) {
        bind(&mut sql, &mut args, &format!("{col} = ?"), v.into());
    }
    let (cmp, order) = match (cols.dir, page.reverse) {
        (Dir::Desc, false) | (Dir::Asc, true) => ("<", "DESC"),
        (Dir::Asc, false) | (Dir::Desc, true) => (">", "ASC"),
    };
    if let Some(after) = &page.after {
        let key: Value = match &after.key {
            Key::Time(t) => (*t).into(),
            Key::Text(s) => s.clone().into(),
        };
        args.push(key);
        args.push(after.id.into());
        let (k, i) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND ({key}, {id}) {cmp} (${k}, ${i})",
            key = cols.key,
            id = cols.id
        ));
    }
    args.push((page.limit + 1).into());
    sql.push_str(&format!(
        " ORDER BY {key} {order}, {id} {order} LIMIT ${n}",
        key = cols.key,
        id = cols.id,
        n = args.len()
    ));
    (sql, args)
}

/// Reads one page. `select_where` is `SELECT … FROM … WHERE …` with its
/// own `$1..$n` bound in `args`; the filters, the cursor, the order and the
/// limit are appended. `cursor_of` gives a row's cursor.
pub(crate) async fn fetch<R: Row, T>(
    c: &mut Conn<'_>,
    select_where: &str,
    args: Vec<Value>,
    cols: Columns,
    page: &Page,
    convert: impl FnMut(R) -> Result<T>,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Result<Paged<T>> {
    let (sql, args) = statement(select_where, args, cols, page);
    let mut items = c
        .fetch_all::<R>(&sql, args)
        .await?
        .into_iter()
        .map(convert)
        .collect::<Result<Vec<T>>>()?;
    let more = items.len() as i64 > page.limit;
    items.truncate(page.limit as usize);
    let next = if more {
        items.last().map(cursor_of)
    } else {
        None
    };
    Ok(Paged { items, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_tampering() {
        let id = Uuid::now_v7();
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        for c in [Cursor::time(t, id), Cursor::text("Smith, Ann.", id)] {
            let text = c.encode();
            assert!(!text.contains('='), "no padding: {text}");
            assert_eq!(Cursor::decode(&text), Ok(c.clone()));
            let mut bent = text.clone();
            bent.insert(3, '!');
            assert_eq!(Cursor::decode(&bent), Err(BadCursor));
            assert_eq!(Cursor::decode(&text[..text.len() - 1]), Err(BadCursor));
            assert_eq!(Cursor::decode(&text.to_uppercase()), Err(BadCursor));
        }
        assert_eq!(Cursor::decode(""), Err(BadCursor));
        assert_eq!(Cursor::decode("dC4xMi5ub3QtYS11dWlk"), Err(BadCursor));
        // Whatever the document's patterns allow reads back.
        let id = "0123456789abcdef0123456789abcdef";
        for ok in [
            format!("t0.{id}"),
            format!("t-9999999999999999999.{id}"),
            format!("t9999999999999999999.{id}"),
            format!("s{id}."),
            format!("s{id}.ff00"),
        ] {
            assert!(Cursor::decode(&ok).is_ok(), "{ok}");
        }
    }

    /// SQLite's plan of every referral list's page, after a cursor and
    /// with filters: an index of migration 0020 walked in order, no sort.
    #[tokio::test]
    async fn referral_pages_walk_an_index_without_sorting() {
        #[derive(sqlx::FromRow)]
        struct Plan {
            detail: String,
        }
        let store = crate::Store::connect(&crate::testing::fresh_sqlite_url())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let id = Uuid::now_v7();
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        for (cond, arg) in [
            ("TRUE = $2", Value::Bool(Some(true))),
            ("referred_by = $2", id.into()),
            ("status = $2", "awaiting_handoff".into()),
            ("accepted_by = $2", id.into()),
        ] {
            for reverse in [false, true] {
                let page = Page {
                    after: Some(Cursor::time(at, id)),
                    reverse,
                    filters: Filters {
                        from: Some(at - time::Duration::days(30)),
                        ..Filters::default()
                    },
                    ..Page::first(50)
                };
                let select = format!("SELECT id FROM referrals WHERE site_id = $1 AND {cond}");
                let (sql, args) = statement(
                    &select,
                    vec![id.into(), arg.clone()],
                    crate::referrals::PAGED,
                    &page,
                );
                let plan: Vec<Plan> = store
                    .conn()
                    .fetch_all(&format!("EXPLAIN QUERY PLAN {sql}"), args)
                    .await
                    .unwrap();
                let plan: Vec<String> = plan.into_iter().map(|p| p.detail).collect();
                let text = plan.join(" | ");
                assert!(text.contains("INDEX referrals_page"), "{cond}: {text}");
                assert!(!text.contains("TEMP B-TREE"), "{cond}: sorted: {text}");
            }
        }
    }
}
