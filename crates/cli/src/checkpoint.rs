//! Signed audit checkpoints on disk: the key file, writing a checkpoint (once,
//! or on `serve`'s schedule) and reading checkpoints back for
//! `handoff audit verify --checkpoint`. The format is described in
//! `handoff_audit::checkpoint` and ARCHITECTURE.md.

use anyhow::{Context, bail};
use handoff_audit::checkpoint::{Anchor, Checkpoint, CheckpointKey};
use handoff_store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::OffsetDateTime;

/// Reads the key file; refuses one that other users may read.
pub fn load_key(path: &Path) -> anyhow::Result<CheckpointKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("read the audit key file {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            bail!(
                "the audit key file {} may be read by other users (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    CheckpointKey::from_file_text(&text).with_context(|| format!("{}", path.display()))
}

/// Reads the key file, first creating it (mode 0600, 32 random bytes) when
/// it does not exist.
pub fn load_or_create_key(path: &Path) -> anyhow::Result<CheckpointKey> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    let key = CheckpointKey::from_bytes(&bytes)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut f) => {
            f.write_all(key.to_file_text().as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("write the audit key file {}", path.display()))?;
            eprintln!(
                "created the audit key file {} (key id {}); keep it outside the database and its backups",
                path.display(),
                key.id()
            );
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_key(path),
        Err(e) => Err(e).with_context(|| format!("create the audit key file {}", path.display())),
    }
}

/// Signs the current head of every chain.
pub async fn take(store: &Store, key: &CheckpointKey) -> anyhow::Result<Checkpoint> {
    let heads = handoff_store::audit::heads(&mut store.conn()).await?;
    Ok(Checkpoint::sign(key, OffsetDateTime::now_utc(), &heads))
}

/// Writes `text` to `path`, which must not exist, atomically: the content is
/// written and synced under a temporary name in the same folder, then linked
/// to its name (which fails rather than replace an existing file).
pub fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        std::fs::hard_link(&tmp, path)
    })();
    let _ = std::fs::remove_file(&tmp);
    result?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes a checkpoint as a new file `audit-checkpoint-YYYYMMDDTHHMMSSZ.json`
/// in `dir` (with `-2`, `-3`, … when that name is taken). Never overwrites.
pub fn write_in_dir(dir: &Path, checkpoint: &Checkpoint) -> anyhow::Result<PathBuf> {
    let stamp = OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .context("format the checkpoint's time")?;
    let line = format!("{}\n", checkpoint.to_line());
    for n in 1..1000 {
        let name = if n == 1 {
            format!("audit-checkpoint-{stamp}.json")
        } else {
            format!("audit-checkpoint-{stamp}-{n}.json")
        };
        let path = dir.join(name);
        match write_new(&path, &line) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("write {}", path.display())),
        }
    }
    bail!("too many checkpoints named {stamp} in {}", dir.display())
}

/// Reads a checkpoint file (one checkpoint per non-empty line, so an external
/// log of many works too), checking every line's signature. Any line that
/// does not verify refuses the whole file.
pub fn read_anchors(path: &Path, key: &CheckpointKey) -> anyhow::Result<(Vec<Anchor>, usize)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("read the checkpoint {}", path.display()))?;
    let mut anchors = Vec::new();
    let mut checkpoints = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let found = Checkpoint::parse_verified(line, key).map_err(|e| {
            anyhow::anyhow!("checkpoint {} line {} refused: {e}", path.display(), i + 1)
        })?;
        anchors.extend(found);
        checkpoints += 1;
    }
    if checkpoints == 0 {
        bail!("checkpoint {} refused: it is empty", path.display());
    }
    Ok((anchors, checkpoints))
}

/// `serve`'s schedule: a checkpoint at start, then one every `every` (only
/// the first when `every` is None). Failures are logged; serving goes on.
pub async fn schedule(store: Store, key: CheckpointKey, dir: PathBuf, every: Option<Duration>) {
    let mut tick = every.map(|d| {
        let mut t = tokio::time::interval(d);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    loop {
        if let Some(t) = tick.as_mut() {
            t.tick().await;
        }
        match take(&store, &key).await {
            Ok(c) => match write_in_dir(&dir, &c) {
                Ok(path) => tracing::info!(
                    file = %path.display(),
                    chains = c.chains.len(),
                    "audit checkpoint written"
                ),
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "audit checkpoint not written")
                }
            },
            Err(e) => tracing::error!(error = %format!("{e:#}"), "audit checkpoint not taken"),
        }
        if tick.is_none() {
            return;
        }
    }
}
