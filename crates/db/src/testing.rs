//! Throwaway databases for tests: a fresh SQLite file, or a fresh database on
//! a PostgreSQL server. The server is `HANDOFF_TEST_POSTGRES_URL` when set
//! (CI sets it); otherwise a private cluster is started once with
//! `initdb`/`pg_ctl` under the system temp folder and reused by later runs.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const PORT: u16 = 54329;

/// Runs a story (an `async fn(&str)` given a fresh database's URL) as two
/// tests, `sqlite` and `postgres`, in a module named `$name`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $story:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$story(&$crate::testing::fresh_sqlite_url()).await;
            }

            #[tokio::test]
            async fn postgres() {
                let url = $crate::testing::fresh_postgres_url()
                    .await
                    .expect("PostgreSQL for tests");
                super::$story(&url).await;
            }
        }
    };
}

/// How old a leftover test database may get before a later run removes it.
const STALE_AFTER_MS: u128 = 6 * 60 * 60 * 1000;

/// Whether a test database named with a UUID v7 (`handoff_test_<hex>`,
/// `handoff-test-<hex>`) was made longer ago than [`STALE_AFTER_MS`]: its
/// first 12 hex digits are its creation time in Unix milliseconds.
fn stale(name: &str, prefix: &str) -> bool {
    let Some(hex) = name.strip_prefix(prefix).and_then(|h| h.get(..12)) else {
        return false;
    };
    let (Ok(made), Ok(now)) = (
        u128::from_str_radix(hex, 16),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH),
    ) else {
        return false;
    };
    now.as_millis().saturating_sub(made) > STALE_AFTER_MS
}

/// Once per test process: removes what earlier runs left behind (temp
/// folders of SQLite tests, PostgreSQL test databases not in use), so
/// repeated runs on one machine do not fill its disk.
static SWEPT_SQLITE: std::sync::Once = std::sync::Once::new();
static SWEPT_POSTGRES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn sweep_sqlite_leftovers() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        if stale(&e.file_name().to_string_lossy(), "handoff-test-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

async fn sweep_postgres_leftovers(conn: &mut sqlx::PgConnection) {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT datname FROM pg_database WHERE datname LIKE 'handoff\\_test\\_%' \
         AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    for (name,) in names {
        if stale(&name, "handoff_test_")
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// A fresh SQLite URL in a new temp folder.
pub fn fresh_sqlite_url() -> String {
    SWEPT_SQLITE.call_once(sweep_sqlite_leftovers);
    let dir = std::env::temp_dir().join(format!("handoff-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    format!("sqlite://{}", dir.join("handoff.db").display())
}

/// The admin URL of the test PostgreSQL server, starting one if needed.
pub fn postgres_admin_url() -> Result<String, String> {
    if let Ok(url) = std::env::var("HANDOFF_TEST_POSTGRES_URL") {
        return Ok(url);
    }
    start_private_cluster()
}

/// Creates a new empty database on the test server and returns its URL.
pub async fn fresh_postgres_url() -> Result<String, String> {
    use sqlx::Connection;
    let admin = postgres_admin_url()?;
    let name = format!("handoff_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .map_err(|e| format!("connect to test PostgreSQL {admin}: {e}"))?;
    if !SWEPT_POSTGRES.swap(true, std::sync::atomic::Ordering::SeqCst) {
        sweep_postgres_leftovers(&mut conn).await;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("create test database: {e}"))?;
    conn.close().await.ok();
    let base = match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && i > admin.find("://").unwrap_or(0) + 2 => {
            &admin[..i]
        }
        _ => admin.as_str(),
    };
    let query = admin.find('?').map(|i| &admin[i..]).unwrap_or("");
    Ok(format!("{base}/{name}{query}"))
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `pg_ctl`/`initdb` refuse to run as root: run them as `postgres` then.
fn pg_command(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

fn start_private_cluster() -> Result<String, String> {
    let url = format!("postgres://postgres@127.0.0.1:{PORT}/postgres");
    let dir: PathBuf = std::env::temp_dir().join("handoff-test-pg");
    let data = dir.join("data");
    let lock = dir.join("lock");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    if is_root() {
        run(Command::new("chown").args(["postgres:postgres", &dir.display().to_string()]))?;
    }
    // Serialise start-up between test processes with an exclusive lock dir.
    let mut waited = 0;
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
        if waited > 600 {
            let _ = std::fs::remove_dir(&lock);
        }
    }
    let result = (|| {
        if !data.join("PG_VERSION").exists() {
            run(pg_command("initdb").args([
                "-D",
                &data.display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ]))?;
        }
        let running = pg_command("pg_ctl")
            .args(["-D", &data.display().to_string(), "status"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !running {
            run(pg_command("pg_ctl").args([
                "-D",
                &data.display().to_string(),
                "-l",
                &dir.join("log").display().to_string(),
                "-w",
                "-o",
                &format!(
                    "-p {PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                    dir.display()
                ),
                "start",
            ]))?;
        }
        Ok(url)
    })();
    let _ = std::fs::remove_dir(&lock);
    result
}

#[cfg(test)]
mod tests {
    use super::stale;

    #[test]
    fn only_names_made_long_ago_are_stale() {
        let old = format!("handoff_test_{}", "0001".repeat(8));
        assert!(stale(&old, "handoff_test_"));
        let new = format!("handoff_test_{}", uuid::Uuid::now_v7().simple());
        assert!(!stale(&new, "handoff_test_"));
        assert!(!stale("handoff_test_zz", "handoff_test_"));
        assert!(!stale("postgres", "handoff_test_"));
    }
}
