//! Group commit of standalone audit entries. A read is answered only after
//! its audit entry is durable; committing each entry on its own makes every
//! page view wait on its own durable write. The writer takes the entries of
//! every request waiting at that moment, appends them in arrival order in
//! one transaction (`audit::append_all`: the same chains, heads and hashes
//! as one append each), commits, and only then answers each request with
//! its entry — or with the error, if the batch did not commit.
//!
//! The queue is bounded: when it is full, a request waits for room
//! (backpressure) rather than the server holding entries in memory. If an
//! entry fails inside a batch, the batch is rolled back and its entries are
//! appended one per transaction, so each request gets its own outcome.
//! [`AuditWriter::shutdown`] stops taking entries, commits those already
//! queued and waits for the writer; an entry offered after that is appended
//! in its own transaction.
//!
//! Changes audit inside their own transaction (`audit::append`), never
//! here: the change and its entry commit together.

use crate::audit::{append, append_all};
use crate::{Result, Store, StoreError};
use handoff_audit::{AuditEntry, AuditEvent};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How many entries may wait for the writer before requests wait for room.
pub const QUEUE: usize = 1024;
/// The most entries committed in one transaction.
pub const MAX_BATCH: usize = 256;

enum Msg {
    Append(Box<AuditEvent>, oneshot::Sender<Result<AuditEntry>>),
    Stop,
}

/// The group-commit writer of one store. Cheap to clone (shared).
#[derive(Clone)]
pub struct AuditWriter(Arc<Shared>);

struct Shared {
    tx: mpsc::Sender<Msg>,
    /// The receiver until the writer task starts (on first use, so the
    /// writer runs on the runtime of the requests it serves), then the task.
    state: Mutex<Task>,
    /// What the task holds: not the sender, so the task ends (after
    /// draining) when the last handle is dropped.
    core: Arc<Core>,
}

enum Task {
    NotStarted(mpsc::Receiver<Msg>),
    Running(JoinHandle<()>),
    Stopped,
}

struct Core {
    store: Store,
    clock: fn() -> OffsetDateTime,
    batches: AtomicU64,
    entries: AtomicU64,
}

impl AuditWriter {
    /// A writer over `store`, reading the time of each batch from `clock`.
    pub fn new(store: Store, clock: fn() -> OffsetDateTime) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        Self(Arc::new(Shared {
            tx,
            state: Mutex::new(Task::NotStarted(rx)),
            core: Arc::new(Core {
                store,
                clock,
                batches: AtomicU64::new(0),
                entries: AtomicU64::new(0),
            }),
        }))
    }

    /// Appends an event and returns once it is committed (with the entry),
    /// or with the error that kept it from committing.
    pub async fn append(&self, event: AuditEvent) -> Result<AuditEntry> {
        self.start();
        let (done, wait) = oneshot::channel();
        if let Err(mpsc::error::SendError(msg)) =
            self.0.tx.send(Msg::Append(Box::new(event), done)).await
        {
            // Stopped: append on our own.
            let Msg::Append(event, _) = msg else {
                unreachable!("only appends are sent here")
            };
            return self.append_alone(*event).await;
        }
        wait.await.unwrap_or_else(|_| Err(stopped()))
    }

    /// Transactions committed by the writer so far (each holds one batch).
    pub fn batches(&self) -> u64 {
        self.0.core.batches.load(Ordering::Relaxed)
    }

    /// Entries committed by the writer so far.
    pub fn entries(&self) -> u64 {
        self.0.core.entries.load(Ordering::Relaxed)
    }

    /// Stops taking entries, commits every entry already queued, and waits
    /// for the writer to finish.
    pub async fn shutdown(&self) {
        let was = match self.0.state.lock() {
            Ok(mut state) => std::mem::replace(&mut *state, Task::Stopped),
            Err(_) => return,
        };
        match was {
            // Never started: nothing is queued (an append starts it first).
            Task::NotStarted(mut rx) => rx.close(),
            Task::Running(task) => {
                let _ = self.0.tx.send(Msg::Stop).await;
                let _ = task.await;
            }
            Task::Stopped => {}
        }
    }

    fn start(&self) {
        let Ok(mut state) = self.0.state.lock() else {
            return;
        };
        if matches!(*state, Task::NotStarted(_)) {
            let Task::NotStarted(rx) = std::mem::replace(&mut *state, Task::Stopped) else {
                return;
            };
            *state = Task::Running(tokio::spawn(run(self.0.core.clone(), rx)));
        }
    }

    async fn append_alone(&self, event: AuditEvent) -> Result<AuditEntry> {
        let mut tx = self.0.core.store.begin().await?;
        let entry = append(&mut tx, event, (self.0.core.clock)()).await?;
        tx.commit().await?;
        Ok(entry)
    }
}

fn stopped() -> StoreError {
    StoreError::Db(sqlx::Error::PoolClosed)
}

async fn run(shared: Arc<Core>, mut rx: mpsc::Receiver<Msg>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut stopping = false;
    loop {
        if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
            break; // closed and drained
        }
        let mut jobs = Vec::with_capacity(batch.len());
        for msg in batch.drain(..) {
            match msg {
                Msg::Append(event, done) => jobs.push((*event, done)),
                Msg::Stop => stopping = true,
            }
        }
        if stopping {
            // Refuse new entries; those already queued are still received.
            rx.close();
        }
        if !jobs.is_empty() {
            commit(&shared, jobs).await;
        }
    }
}

/// Commits one batch and answers each of its requests.
async fn commit(shared: &Core, jobs: Vec<(AuditEvent, oneshot::Sender<Result<AuditEntry>>)>) {
    let (events, waiters): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
    let n = events.len() as u64;
    let mut tx = match shared.store.begin().await {
        Ok(tx) => tx,
        Err(e) => return fail_all(waiters, &e),
    };
    let entries = match append_all(&mut tx, events.clone(), (shared.clock)()).await {
        Ok(entries) => entries,
        Err(e) => {
            drop(tx);
            tracing::warn!(error = %e, entries = n, "audit batch failed; appending its entries one by one");
            return one_by_one(shared, events, waiters).await;
        }
    };
    if let Err(e) = tx.commit().await {
        return fail_all(waiters, &e);
    }
    shared.batches.fetch_add(1, Ordering::Relaxed);
    shared.entries.fetch_add(n, Ordering::Relaxed);
    for (entry, done) in entries.into_iter().zip(waiters) {
        let _ = done.send(Ok(entry));
    }
}

async fn one_by_one(
    shared: &Core,
    events: Vec<AuditEvent>,
    waiters: Vec<oneshot::Sender<Result<AuditEntry>>>,
) {
    for (event, done) in events.into_iter().zip(waiters) {
        let result = async {
            let mut tx = shared.store.begin().await?;
            let entry = append(&mut tx, event, (shared.clock)()).await?;
            tx.commit().await?;
            shared.batches.fetch_add(1, Ordering::Relaxed);
            shared.entries.fetch_add(1, Ordering::Relaxed);
            Ok(entry)
        }
        .await;
        let _ = done.send(result);
    }
}

/// The same failure for every request of a batch that did not commit.
fn fail_all(waiters: Vec<oneshot::Sender<Result<AuditEntry>>>, e: &StoreError) {
    tracing::warn!(error = %e, entries = waiters.len(), "audit batch did not commit");
    for done in waiters {
        let _ = done.send(Err(copy_error(e)));
    }
}

fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict(s) => StoreError::Conflict(s.clone()),
        StoreError::Corrupt(s) => StoreError::Corrupt(s.clone()),
        StoreError::UnsupportedUrl(s) => StoreError::UnsupportedUrl(s.clone()),
        other => StoreError::Db(sqlx::Error::Protocol(format!(
            "the audit batch did not commit: {other}: {}",
            std::error::Error::source(other).map_or(String::new(), |s| s.to_string())
        ))),
    }
}
