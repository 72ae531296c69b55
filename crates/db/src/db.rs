//! The one SQL path: a store over either backend, a connection handle that
//! runs a query on whichever backend it holds, and the argument values both
//! backends accept.

use crate::{Result, StoreError};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Arguments, Encode, FromRow, PgConnection, PgPool, SqliteConnection, SqlitePool, Type};
use std::str::FromStr;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Statements one backend needs and the other cannot parse (triggers: plpgsql
/// on PostgreSQL, `RAISE(ABORT …)` on SQLite). Each backend has its own folder
/// under `migrations_backend/`, run after the portable migrations and tracked
/// in a table of their own, `_handoff_backend_migrations`, so their version
/// numbers never meet the portable ones in `_sqlx_migrations`.
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations_backend/postgres");
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations_backend/sqlite");
const BACKEND_MIGRATIONS_TABLE: &str = "_handoff_backend_migrations";

fn backend_migrator(m: &sqlx::migrate::Migrator) -> sqlx::migrate::Migrator {
    let mut out = sqlx::migrate::Migrator::with_migrations(m.iter().cloned().collect());
    out.dangerous_set_table_name(BACKEND_MIGRATIONS_TABLE);
    out
}

/// Which database a store runs on, chosen by the URL's scheme at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection pool to the site database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing; WAL, foreign keys on)
    /// or `postgres://…`. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Keep the query planner's statistics current: without them
                // SQLite picks a site-wide index over a participant's key
                // (a scan of the site per record). Each connection gathers
                // what is missing when it opens (bounded by the analysis
                // limit) and refreshes what changed when it closes.
                .pragma("analysis_limit", "400")
                .pragma("optimize", "0x10002")
                .optimize_on_close(true, 400);
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(opts)
                    .await?,
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?,
            )
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        Ok(Self { pool })
    }

    /// Refreshes the query planner's statistics (after a bulk load):
    /// `ANALYZE` on PostgreSQL, `PRAGMA optimize` on SQLite.
    pub async fn analyze(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs the embedded migrations: the portable ones (the same files on
    /// both backends), then this backend's own (`migrations_backend/`).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                MIGRATOR.run(p).await?;
                backend_migrator(&SQLITE_MIGRATOR).run(p).await?;
            }
            Pool::Postgres(p) => {
                // A database already migrated by its owner is left alone, so
                // the application can serve as a role that may not create
                // tables (ARCHITECTURE.md, "PostgreSQL grants").
                if pg_migrations_applied(p).await? {
                    return Ok(());
                }
                MIGRATOR.run(p).await?;
                backend_migrator(&POSTGRES_MIGRATOR).run(p).await?;
            }
        }
        Ok(())
    }

    /// A handle that runs single statements on the pool.
    pub fn conn(&self) -> Conn<'_> {
        match &self.pool {
            Pool::Sqlite(p) => Conn::SqlitePool(p),
            Pool::Postgres(p) => Conn::PgPool(p),
        }
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.pool {
            // IMMEDIATE: the transaction takes SQLite's write lock when it
            // begins (waiting out the busy timeout), so one that reads and
            // then writes never finds its snapshot stale (SQLITE_BUSY_SNAPSHOT,
            // "database is locked", which no timeout can wait out).
            Pool::Sqlite(p) => {
                Tx::Sqlite(p.begin_with(sqlx::AssertSqlSafe("BEGIN IMMEDIATE")).await?)
            }
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        let _: (i64,) = self
            .conn()
            .fetch_one("SELECT CAST(1 AS BIGINT)", vec![])
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    pub(crate) fn from_sqlite_pool(pool: SqlitePool) -> Self {
        Self {
            pool: Pool::Sqlite(pool),
        }
    }

    pub(crate) fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }
}

/// Whether every embedded migration (portable and PostgreSQL's own) is
/// recorded as applied with the same checksum. sqlx's migrator starts with
/// `CREATE TABLE IF NOT EXISTS`, which PostgreSQL refuses to a role without
/// CREATE on the schema even when the table exists.
async fn pg_migrations_applied(p: &PgPool) -> Result<bool> {
    for (table, migrator) in [
        ("_sqlx_migrations", &MIGRATOR),
        (BACKEND_MIGRATIONS_TABLE, &POSTGRES_MIGRATOR),
    ] {
        let (exists,): (bool,) = sqlx::query_as("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(p)
            .await?;
        if !exists {
            return Ok(false);
        }
        let applied: Vec<(i64, Vec<u8>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT version, checksum FROM {table} WHERE success"
        )))
        .fetch_all(p)
        .await?;
        let all = migrator.iter().all(|m| {
            applied
                .iter()
                .any(|(v, c)| *v == m.version && c.as_slice() == &*m.checksum)
        });
        if !all {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes a password from a database URL before it is shown or logged.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A transaction on either backend. Dropped without commit, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Pg(t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Where a statement runs: the pool, or a transaction's connection.
pub enum Conn<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// A row type that decodes on both backends (derive `sqlx::FromRow`).
pub trait Row: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}
impl<T> Row for T where T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{}

macro_rules! run {
    ($conn:expr, $sql:expr, $args:expr, |$q:ident, $e:ident| $body:expr) => {
        match $conn {
            Conn::SqlitePool(p) => {
                let $q = sqlite_args($args)?;
                let $e = *p;
                let _ = &$sql;
                $body
            }
            Conn::PgPool(p) => {
                let $q = pg_args($args)?;
                let $e = *p;
                $body
            }
            Conn::Sqlite(c) => {
                let $q = sqlite_args($args)?;
                let $e = &mut **c;
                $body
            }
            Conn::Pg(c) => {
                let $q = pg_args($args)?;
                let $e = &mut **c;
                $body
            }
        }
    };
}

impl Conn<'_> {
    /// Which database the statement will run on.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::SqlitePool(_) | Conn::Sqlite(_) => Backend::Sqlite,
            Conn::PgPool(_) | Conn::Pg(_) => Backend::Postgres,
        }
    }

    /// Runs a statement; returns the number of rows it touched.
    pub async fn execute(&mut self, sql: &str, args: Vec<Value>) -> Result<u64> {
        let n = run!(self, sql, args, |a, e| sqlx::query_with(
            sqlx::AssertSqlSafe(sql.to_owned()),
            a
        )
        .execute(e)
        .await?
        .rows_affected());
        Ok(n)
    }

    /// Runs a statement that must touch a row: none is [`StoreError::NotFound`].
    pub async fn execute_found(&mut self, sql: &str, args: Vec<Value>) -> Result<()> {
        match self.execute(sql, args).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    pub async fn fetch_all<T: Row>(&mut self, sql: &str, args: Vec<Value>) -> Result<Vec<T>> {
        let rows = run!(self, sql, args, |a, e| sqlx::query_as_with::<_, T, _>(
            sqlx::AssertSqlSafe(sql.to_owned()),
            a
        )
        .fetch_all(e)
        .await?);
        Ok(rows)
    }

    pub async fn fetch_optional<T: Row>(
        &mut self,
        sql: &str,
        args: Vec<Value>,
    ) -> Result<Option<T>> {
        let row = run!(self, sql, args, |a, e| sqlx::query_as_with::<_, T, _>(
            sqlx::AssertSqlSafe(sql.to_owned()),
            a
        )
        .fetch_optional(e)
        .await?);
        Ok(row)
    }

    /// One row or [`StoreError::NotFound`].
    pub async fn fetch_one<T: Row>(&mut self, sql: &str, args: Vec<Value>) -> Result<T> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }
}

/// A value bound to a `$n` placeholder. Each variant is typed even when null,
/// so PostgreSQL infers the right parameter type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Time(Option<OffsetDateTime>),
    Bytes(Option<Vec<u8>>),
}

fn sqlite_args(values: Vec<Value>) -> Result<SqliteArguments> {
    bind_all(values)
}

fn pg_args(values: Vec<Value>) -> Result<PgArguments> {
    bind_all(values)
}

/// Binds the values in order on either backend's argument list.
fn bind_all<A>(values: Vec<Value>) -> Result<A>
where
    A: Arguments,
    for<'t> Option<Uuid>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<String>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<i64>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<f64>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<bool>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<OffsetDateTime>: Encode<'t, A::Database> + Type<A::Database>,
    for<'t> Option<Vec<u8>>: Encode<'t, A::Database> + Type<A::Database>,
{
    let mut a = A::default();
    for v in values {
        let r = match v {
            Value::Uuid(x) => a.add(x),
            Value::Text(x) => a.add(x),
            Value::Int(x) => a.add(x),
            Value::Float(x) => a.add(x),
            Value::Bool(x) => a.add(x),
            Value::Time(x) => a.add(x),
            Value::Bytes(x) => a.add(x),
        };
        r.map_err(|e| StoreError::Db(sqlx::Error::Encode(e)))?;
    }
    Ok(a)
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(via $conv:expr)?;)*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                $(let v = $conv(v);)?
                Value::$variant(Some(v))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(|v| { $(let v = $conv(v);)? v }))
            }
        }
    )*};
}

value_from! {
    Uuid => Uuid;
    String => Text;
    &str => Text via |s: &str| s.to_string();
    &String => Text via |s: &String| s.clone();
    i64 => Int;
    i32 => Int via i64::from;
    u32 => Int via i64::from;
    f64 => Float;
    bool => Bool;
    OffsetDateTime => Time;
    Vec<u8> => Bytes;
}

/// Builds an argument list: `args![site_id, email, now]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { vec![$($crate::Value::from($v)),*] };
}
