//! Bulk writes for generators (`handoff seed --sites …`): many rows of one
//! table in as few round trips as the backend allows, inside the caller's
//! transaction. On PostgreSQL, `COPY … FROM STDIN` (text format, every value
//! escaped by [`copy_text`]); on SQLite, multi-row `INSERT … VALUES (…),
//! (…), …` statements with as many rows as its limit of 32,766 bound
//! parameters allows. The backend-specific path lives here, behind the
//! `Conn` match, as `db.rs` asks.
//!
//! The tables a generator may fill and their columns are the constants
//! below: the column lists live here, with the rest of the SQL, and a
//! generator fills [`Rows`] in the order its table lists. Nothing here reads
//! or checks the domain: the caller writes what the repositories would
//! have written (the same encodings: JSON text, `as_str()` values, ISO
//! dates), and the bulk path skips the per-row round trips only.

use crate::db::{Backend, Conn, Value};
use crate::{Result, StoreError};

/// A table a generator may fill, and the columns it writes, in order.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
}

macro_rules! tables {
    ($($(#[$doc:meta])* $konst:ident = $name:literal ($($col:literal),* $(,)?);)*) => {$(
        $(#[$doc])*
        pub const $konst: Table = Table { name: $name, columns: &[$($col),*] };
    )*};
}

tables! {
    SITES = "sites" ("id", "name", "slug", "time_zone", "created_at");
    AGENCIES = "agencies" ("id", "site_id", "name", "kind", "created_at");
    USERS = "users" (
        "id", "home_site_id", "agency_id", "email", "display_name", "password_hash", "is_demo", "phone",
        "can_approve", "created_at", "updated_at",
    );
    USER_ROLES = "user_roles" ("site_id", "user_id", "role");
    POLICY_VERSIONS = "policy_versions" ("id", "site_id", "version", "content", "note", "created_by", "created_at");
    SITE_AREAS = "site_areas" ("id", "site_id", "name", "created_at");
    ROSTER_SHIFTS = "roster_shifts" ("id", "site_id", "user_id", "starts_at", "ends_at", "created_by", "created_at");
    PERSONS = "persons" (
        "id", "site_id", "first_name", "last_name", "aliases", "dob", "approx_age", "sex", "race",
        "description", "created_at",
    );
    REFERRALS = "referrals" (
        "id", "site_id", "door", "status", "person_id", "referred_by", "referrer_agency_id",
        "incident_number", "body", "place", "occurred_at", "referred_at", "policy_version_id",
        "eligible", "screening", "approved_at", "approved_by", "accepted_at", "accepted_by",
        "case_agency_id", "intake_completed_at", "enrolled_at", "participant_id", "area_id",
    );
    HOLDS = "holds" (
        "id", "site_id", "referral_id", "prosecutor_agency_id", "referred_at", "window_days",
        "deadline", "deadline_at", "state", "satisfied_at", "lapsed_at",
    );
    HOLD_DECISIONS = "hold_decisions" ("id", "site_id", "hold_id", "seq", "decision", "note", "decided_by", "decided_at");
    PARTICIPANTS = "participants" (
        "id", "site_id", "person_id", "referral_id", "agency_id", "case_manager_id", "intake_at",
        "enrolled_at", "created_at", "last_contact_at", "closed",
    );
    INTAKES = "intakes" (
        "id", "site_id", "referral_id", "participant_id", "living_situation", "general", "health",
        "sud", "goals", "created_by", "created_at",
    );
    RELEASES = "releases" (
        "id", "site_id", "participant_id", "content", "effective_on", "expires_on", "revoked_at",
        "created_by", "created_at",
    );
    PROFILES = "profiles" ("participant_id", "site_id", "content", "updated_by", "updated_at");
    GOALS = "goals" ("id", "site_id", "participant_id", "words", "status", "steps", "created_by", "created_at", "updated_at");
    SERVICE_REFERRALS = "service_referrals" (
        "id", "site_id", "participant_id", "goal_id", "provider", "service", "referred_on", "outcome",
        "created_by", "created_at", "updated_at",
    );
    CONTACTS = "contacts" (
        "id", "site_id", "participant_id", "occurred_at", "duration_minutes", "place", "staff_role",
        "services", "created_by", "created_at",
    );
    CONTACT_NOTES = "contact_notes" ("id", "site_id", "contact_id", "participant_id", "category", "body");
    MONTHLY_STATUS = "monthly_status" (
        "site_id", "participant_id", "month", "living_situation", "housing", "employment",
        "income_benefits", "source", "updated_by", "updated_at",
    );
    PARTICIPATION_EVENTS = "participation_events" ("id", "site_id", "participant_id", "seq", "event", "recorded_by", "recorded_at");
    JUSTICE_RECORDS = "justice_records" (
        "id", "site_id", "kind", "natural_key", "content", "digest", "event_on", "source",
        "file_sha256", "line", "imported_at", "imported_by", "updated_at", "candidate", "person_id",
        "participant_id", "link_status", "match_probability", "linked_at",
    );
}

/// Rows for one table, filled in its column order.
#[derive(Debug)]
pub struct Rows {
    table: &'static Table,
    values: Vec<Value>,
}

impl Rows {
    pub fn new(table: &'static Table) -> Self {
        Self {
            table,
            values: Vec::new(),
        }
    }

    pub fn table(&self) -> &'static Table {
        self.table
    }

    /// Adds a row: one value per column of the table, in its order
    /// (`rows.push(args![id, site, …])`).
    pub fn push(&mut self, row: Vec<Value>) {
        assert_eq!(
            row.len(),
            self.table.columns.len(),
            "a row of {} has {} values",
            self.table.name,
            self.table.columns.len()
        );
        self.values.extend(row);
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.table.columns.len().max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The most parameters one statement binds on each backend (PostgreSQL's
/// protocol carries a 16-bit count; SQLite's default limit is 32,766).
fn max_parameters(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => 65_535,
        Backend::Sqlite => 32_766,
    }
}

/// `INSERT INTO t (a, b) VALUES (?, ?), (?, ?), …` for `rows` rows. Anonymous
/// positional placeholders: SQLite looks a named one (`$1`) up in a list, so
/// thousands of them make preparing and binding a statement quadratic.
fn statement(table: &Table, rows: usize) -> String {
    let n = table.columns.len();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        table.columns.join(", ")
    );
    let row = format!("({})", vec!["?"; n].join(", "));
    sql.reserve(rows * (row.len() + 2));
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&row);
    }
    sql
}

/// Writes the rows (COPY on PostgreSQL, multi-row INSERTs on SQLite),
/// calling `progress` with the number of rows as they go. Returns the rows
/// written.
pub async fn insert(
    c: &mut Conn<'_>,
    rows: Rows,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<u64> {
    let n = rows.table.columns.len();
    if n == 0 || !rows.values.len().is_multiple_of(n) {
        return Err(StoreError::Corrupt(format!(
            "bulk rows of {} do not fill its columns",
            rows.table.name
        )));
    }
    match c {
        Conn::Pg(conn) => copy(conn, rows, progress).await,
        Conn::PgPool(pool) => copy(&mut *pool.acquire().await?, rows, progress).await,
        Conn::Sqlite(_) | Conn::SqlitePool(_) => values(c, rows, progress).await,
    }
}

/// How many bytes of COPY data go to the server at a time.
const COPY_CHUNK: usize = 1 << 20;

async fn copy(
    conn: &mut sqlx::PgConnection,
    rows: Rows,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<u64> {
    let n = rows.table.columns.len();
    let statement = format!(
        "COPY {} ({}) FROM STDIN",
        rows.table.name,
        rows.table.columns.join(", ")
    );
    let mut copy = conn.copy_in_raw(&statement).await?;
    let mut buf = String::with_capacity(COPY_CHUNK + 4096);
    let mut pending = 0;
    for row in rows.values.chunks(n) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(&mut buf, v);
        }
        buf.push('\n');
        pending += 1;
        if buf.len() >= COPY_CHUNK {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
            progress(pending);
            pending = 0;
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    let written = copy.finish().await?;
    progress(pending);
    Ok(written)
}

/// A value in COPY's text format: `\N` for NULL, backslash escapes for the
/// backslash and the characters that end a field or a row.
pub fn copy_text(out: &mut String, v: &Value) {
    use std::fmt::Write;
    match v {
        Value::Uuid(None)
        | Value::Text(None)
        | Value::Int(None)
        | Value::Float(None)
        | Value::Bool(None)
        | Value::Time(None)
        | Value::Bytes(None) => out.push_str("\\N"),
        Value::Uuid(Some(u)) => {
            let _ = write!(out, "{}", u.hyphenated());
        }
        Value::Text(Some(s)) => {
            for ch in s.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        Value::Int(Some(i)) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(Some(f)) => {
            let _ = write!(out, "{f}");
        }
        Value::Bool(Some(b)) => out.push(if *b { 't' } else { 'f' }),
        Value::Time(Some(t)) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            let _ = write!(
                out,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.microsecond()
            );
        }
        Value::Bytes(Some(b)) => {
            out.push_str("\\\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
    }
}

/// SQLite: multi-row INSERTs, as many rows per statement as its limit on
/// bound parameters allows (positional `?` placeholders, see [`statement`]).
async fn values(
    c: &mut Conn<'_>,
    rows: Rows,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<u64> {
    let n = rows.table.columns.len();
    let per_statement = (max_parameters(c.backend()) / n).clamp(1, 8_192);
    let mut written = 0;
    let mut full: Option<String> = None;
    let mut values = rows.values.into_iter();
    loop {
        let chunk: Vec<Value> = values.by_ref().take(per_statement * n).collect();
        if chunk.is_empty() {
            break;
        }
        let count = chunk.len() / n;
        let partial;
        let sql: &str = if count == per_statement {
            full.get_or_insert_with(|| statement(rows.table, per_statement))
        } else {
            partial = statement(rows.table, count);
            &partial
        };
        written += c.execute(sql, chunk).await?;
        progress(count);
    }
    Ok(written)
}

/// How many rows of a site a table holds (a generator's report, tests).
pub async fn count(c: &mut Conn<'_>, table: &Table, site: handoff_domain::SiteId) -> Result<i64> {
    let (n,): (i64,) = c
        .fetch_one(
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM {} WHERE site_id = $1",
                table.name
            ),
            crate::args![site],
        )
        .await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_have_one_placeholder_per_value() {
        let sql = statement(&SITE_AREAS, 2);
        assert_eq!(
            sql,
            "INSERT INTO site_areas (id, site_id, name, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)"
        );
    }

    #[test]
    fn copy_text_escapes_what_ends_a_field() {
        let mut out = String::new();
        copy_text(&mut out, &Value::Text(Some("a\tb\\c\nd".into())));
        out.push('|');
        copy_text(&mut out, &Value::Text(None));
        out.push('|');
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_796_667_072_500_000_000)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(-8, 0, 0).unwrap());
        copy_text(&mut out, &Value::Time(Some(t)));
        out.push('|');
        copy_text(&mut out, &Value::Bool(Some(false)));
        out.push('|');
        copy_text(&mut out, &Value::Bytes(Some(vec![0, 255])));
        assert_eq!(
            out,
            "a\\tb\\\\c\\nd|\\N|2026-12-07 18:11:12.500000+00|f|\\\\x00ff"
        );
    }

    #[test]
    #[should_panic(expected = "a row of site_areas has 4 values")]
    fn a_short_row_is_refused() {
        let mut rows = Rows::new(&SITE_AREAS);
        rows.push(vec![Value::Text(Some("x".into()))]);
    }
}
