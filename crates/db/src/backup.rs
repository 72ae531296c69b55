//! Backups. SQLite: `VACUUM INTO` writes a consistent, compacted copy of the
//! live database while the server keeps running (SQLite's own online
//! snapshot, taken inside one read transaction). PostgreSQL: `pg_dump`, as
//! ARCHITECTURE.md documents.

use crate::{Result, Store, StoreError, args};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore through handoff are for SQLite; for PostgreSQL use pg_dump / pg_restore (see ARCHITECTURE.md)"
    )]
    NotSqlite,
    #[error("{0} already exists; choose a new file")]
    Exists(String),
    #[error("{path} is not a usable Handoff backup: {why}")]
    Invalid { path: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Writes a snapshot of the live SQLite database to `out` (must not exist).
pub async fn backup_sqlite(store: &Store, out: &Path) -> Result<(), BackupError> {
    let pool = store.sqlite_pool().ok_or(BackupError::NotSqlite)?;
    if out.exists() {
        return Err(BackupError::Exists(out.display().to_string()));
    }
    let path = out.to_string_lossy().to_string();
    sqlx::query("VACUUM INTO $1")
        .bind(path)
        .execute(pool)
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

fn cause(e: &StoreError) -> String {
    use std::error::Error;
    match e.source() {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    }
}

/// Checks that `file` is an intact SQLite database holding Handoff's schema.
pub async fn check_backup(file: &Path) -> Result<(), BackupError> {
    let invalid = |why: String| BackupError::Invalid {
        path: file.display().to_string(),
        why,
    };
    if !file.is_file() {
        return Err(invalid("no such file".into()));
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .create_if_missing(false);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    let store = Store::from_sqlite_pool(pool);
    #[derive(sqlx::FromRow)]
    struct Check {
        integrity_check: String,
    }
    let r = store
        .conn()
        .fetch_one::<Check>("PRAGMA integrity_check", args![])
        .await
        .map_err(|e| invalid(cause(&e)))?;
    if r.integrity_check != "ok" {
        return Err(invalid(format!("integrity check: {}", r.integrity_check)));
    }
    let tables: Vec<(String,)> = store
        .conn()
        .fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'",
            args![],
        )
        .await
        .map_err(|e| invalid(e.to_string()))?;
    store.close().await;
    if tables.is_empty() {
        return Err(invalid("it holds no Handoff tables".into()));
    }
    Ok(())
}

/// Replaces the SQLite database at `target` with `file` after checking it.
/// The server must be stopped. The old database is kept beside it as
/// `<target>.before-restore`.
pub async fn restore_sqlite(file: &Path, target: &Path) -> Result<(), BackupError> {
    check_backup(file).await?;
    let tmp = target.with_extension("restore-tmp");
    std::fs::copy(file, &tmp)?;
    if target.exists() {
        let keep = target.with_extension("before-restore");
        std::fs::rename(target, &keep)?;
    }
    for ext in ["db-wal", "db-shm"] {
        let side = target.with_extension(ext);
        if side.exists() {
            std::fs::remove_file(side)?;
        }
    }
    let wal = format!("{}-wal", target.display());
    let shm = format!("{}-shm", target.display());
    for side in [wal, shm] {
        if Path::new(&side).exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::rename(&tmp, target)?;
    Ok(())
}
