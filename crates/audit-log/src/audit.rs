//! The append-only audit log. Entries are only ever inserted; each site's
//! chain is extended under a row lock on its head, inside the caller's
//! transaction, so an audited change and its entry commit together.

use crate::db::{Conn, Tx};
use crate::{Result, StoreError, args, ids::new_id};
use handoff_audit::checkpoint::{Anchor, AnchorBreak, Head, check_anchor};
use handoff_audit::{
    AuditEntry, AuditEvent, ChainBreak, ChainVerifier, GENESIS_HASH, Outcome, chain_entry,
};
use handoff_domain::{AuditEntryId, DataCategory, Role, SiteId};
use time::OffsetDateTime;
use uuid::Uuid;

/// The chain an event belongs to: its site's, or the system chain.
pub fn chain_of(event: &AuditEvent) -> SiteId {
    event.site_id.unwrap_or(SiteId::from_uuid(Uuid::nil()))
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    seq: i64,
    entry_hash: String,
}

/// Appends an event in the transaction. The head row is created if missing,
/// then locked by a no-op update (portable: a row lock on PostgreSQL, the
/// write lock on SQLite) so concurrent appends serialise.
pub async fn append(tx: &mut Tx, event: AuditEvent, now: OffsetDateTime) -> Result<AuditEntry> {
    let mut entries = append_all(tx, vec![event], now).await?;
    entries.pop().ok_or(StoreError::NotFound)
}

/// Appends events in the transaction, in the order given (the group-commit
/// writer's batch, `audit_writer`). Each chain's head is created if missing
/// and locked once — chains in a fixed order, so two batches never wait on
/// each other's heads crosswise —, every entry is linked to the one before
/// it in its chain, and each head is moved to its chain's last entry.
pub async fn append_all(
    tx: &mut Tx,
    events: Vec<AuditEvent>,
    now: OffsetDateTime,
) -> Result<Vec<AuditEntry>> {
    let mut chains: Vec<SiteId> = events.iter().map(chain_of).collect();
    chains.sort_unstable_by_key(|c| *c.as_uuid());
    chains.dedup();
    let mut c = tx.conn();
    let mut heads: Vec<(SiteId, HeadRow)> = Vec::with_capacity(chains.len());
    for chain in chains {
        c.execute(
            "INSERT INTO audit_heads (chain, seq, entry_hash) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING",
            args![chain, GENESIS_HASH],
        )
        .await?;
        let head = c
            .fetch_one::<HeadRow>(
                "UPDATE audit_heads SET seq = seq WHERE chain = $1 RETURNING seq, entry_hash",
                args![chain],
            )
            .await?;
        heads.push((chain, head));
    }
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let chain = chain_of(&event);
        let head = heads
            .iter_mut()
            .find(|(c, _)| *c == chain)
            .map(|(_, h)| h)
            .ok_or(StoreError::NotFound)?;
        let entry = chain_entry(
            new_id::<AuditEntryId>(),
            chain,
            now,
            event,
            Some((head.seq, &head.entry_hash)),
        );
        insert_entry(&mut c, &entry).await?;
        head.seq = entry.seq;
        head.entry_hash.clone_from(&entry.entry_hash);
        out.push(entry);
    }
    for (chain, head) in &heads {
        c.execute(
            "UPDATE audit_heads SET seq = $2, entry_hash = $3 WHERE chain = $1",
            args![*chain, head.seq, head.entry_hash.as_str()],
        )
        .await?;
    }
    Ok(out)
}

async fn insert_entry(c: &mut Conn<'_>, entry: &AuditEntry) -> Result<()> {
    let e = &entry.event;
    let categories = join_categories(&e.categories);
    c.execute(
        "INSERT INTO audit_log (id, chain, seq, at, site_id, actor_user_id, actor_role, actor_agency_id, action, \
           subject_participant_id, subject_ref, categories, outcome, request_id, client_ip, prev_hash, entry_hash, \
           actor_token_id, participant_ids) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        args![
            entry.id,
            entry.chain,
            entry.seq,
            entry.at,
            e.site_id,
            e.actor_user_id,
            e.actor_role.map(|r| r.as_str()),
            e.actor_agency_id,
            e.action.as_str(),
            e.subject_participant_id,
            e.subject_ref.as_deref(),
            categories,
            e.outcome.as_str(),
            e.request_id.as_deref(),
            e.client_ip.as_deref(),
            entry.prev_hash.as_str(),
            entry.entry_hash.as_str(),
            e.actor_token_id,
            join_participants(&e.participants),
        ],
    )
    .await?;
    Ok(())
}

/// The participants a list showed, comma-separated (NULL when none).
fn join_participants(p: &[handoff_domain::ParticipantId]) -> Option<String> {
    (!p.is_empty()).then(|| {
        p.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

fn join_categories(c: &[DataCategory]) -> String {
    let mut v: Vec<&str> = c.iter().map(|c| c.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v.join(",")
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: Uuid,
    chain: Uuid,
    seq: i64,
    at: OffsetDateTime,
    site_id: Option<Uuid>,
    actor_user_id: Option<Uuid>,
    actor_role: Option<String>,
    actor_agency_id: Option<Uuid>,
    action: String,
    subject_participant_id: Option<Uuid>,
    subject_ref: Option<String>,
    categories: String,
    outcome: String,
    request_id: Option<String>,
    client_ip: Option<String>,
    prev_hash: String,
    entry_hash: String,
    actor_token_id: Option<Uuid>,
    participant_ids: Option<String>,
}

impl TryFrom<EntryRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("audit entry seq {}: bad {what}", r.seq));
        let categories = r
            .categories
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<DataCategory>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("categories"))?;
        let actor_role = r
            .actor_role
            .as_deref()
            .map(str::parse::<Role>)
            .transpose()
            .map_err(|_| corrupt("role"))?;
        let outcome = Outcome::parse(&r.outcome).ok_or_else(|| corrupt("outcome"))?;
        let participants = r
            .participant_ids
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Uuid>().map(Into::into))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("participants"))?;
        Ok(AuditEntry {
            id: r.id.into(),
            chain: r.chain.into(),
            seq: r.seq,
            at: r.at,
            event: AuditEvent {
                site_id: r.site_id.map(Into::into),
                actor_user_id: r.actor_user_id.map(Into::into),
                actor_role,
                actor_agency_id: r.actor_agency_id.map(Into::into),
                actor_token_id: r.actor_token_id.map(Into::into),
                action: r.action,
                subject_participant_id: r.subject_participant_id.map(Into::into),
                participants,
                subject_ref: r.subject_ref,
                categories,
                outcome,
                request_id: r.request_id,
                client_ip: r.client_ip,
            },
            prev_hash: r.prev_hash,
            entry_hash: r.entry_hash,
        })
    }
}

const ENTRY_COLUMNS: &str = "id, chain, seq, at, site_id, actor_user_id, actor_role, actor_agency_id, action, \
    subject_participant_id, subject_ref, categories, outcome, request_id, client_ip, prev_hash, entry_hash, actor_token_id, participant_ids";

/// Entries of one site, newest first (for the audit pages).
pub async fn recent(c: &mut Conn<'_>, site: SiteId, limit: i64) -> Result<Vec<AuditEntry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT $2"
    );
    c.fetch_all::<EntryRow>(&sql, args![site, limit])
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect()
}

/// Entries of one site matching an action, oldest first (tests and reports).
pub async fn by_action(
    c: &mut Conn<'_>,
    site: Option<SiteId>,
    action: &str,
) -> Result<Vec<AuditEntry>> {
    let chain = site.unwrap_or(SiteId::from_uuid(Uuid::nil()));
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE chain = $1 AND action = $2 ORDER BY seq"
    );
    c.fetch_all::<EntryRow>(&sql, args![chain, action])
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect()
}

/// The result of verifying every chain.
#[derive(Debug)]
pub struct Verification {
    pub chains: usize,
    pub entries: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(sqlx::FromRow)]
struct ChainRow {
    chain: Uuid,
}

#[derive(sqlx::FromRow)]
struct HeadOf {
    seq: i64,
    entry_hash: String,
}

/// Walks every chain in pages, in constant memory, and returns the first
/// break found.
pub async fn verify(c: &mut Conn<'_>) -> Result<Verification, VerifyError> {
    const PAGE: i64 = 5000;
    let chains = c
        .fetch_all::<ChainRow>(
            "SELECT chain FROM audit_heads UNION SELECT DISTINCT chain FROM audit_log ORDER BY chain",
            args![],
        )
        .await?;
    let mut total = 0;
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    for ChainRow { chain } in &chains {
        let chain_id = SiteId::from_uuid(*chain);
        let mut v = ChainVerifier::new(chain_id);
        let mut after = 0i64;
        loop {
            let page = c
                .fetch_all::<EntryRow>(&sql, args![*chain, after, PAGE])
                .await?;
            let n = page.len() as i64;
            for row in page {
                let e = AuditEntry::try_from(row)?;
                after = e.seq;
                v.push(&e)?;
            }
            if n < PAGE {
                break;
            }
        }
        let head = c
            .fetch_optional::<HeadOf>(
                "SELECT seq, entry_hash FROM audit_heads WHERE chain = $1",
                args![*chain],
            )
            .await?;
        let head = head.unwrap_or(HeadOf {
            seq: -1,
            entry_hash: String::new(),
        });
        total += v.finish(Some((head.seq, &head.entry_hash)))?;
    }
    Ok(Verification {
        chains: chains.len(),
        entries: total,
    })
}

#[derive(sqlx::FromRow)]
struct HeadWithEntry {
    chain: Uuid,
    seq: i64,
    entry_hash: String,
    at: Option<OffsetDateTime>,
    log_hash: Option<String>,
}

/// Every chain's head with its entry's time, read in one statement (one
/// consistent snapshot), for a checkpoint. A head whose entry is missing or
/// differs is refused: the log is already broken, and a checkpoint must not
/// vouch for it (`handoff audit verify` names the break).
pub async fn heads(c: &mut Conn<'_>) -> Result<Vec<Head>> {
    let rows = c
        .fetch_all::<HeadWithEntry>(
            "SELECT h.chain, h.seq, h.entry_hash, l.at, l.entry_hash AS log_hash \
             FROM audit_heads h LEFT JOIN audit_log l ON l.chain = h.chain AND l.seq = h.seq \
             WHERE h.seq > 0 ORDER BY h.chain",
            args![],
        )
        .await?;
    rows.into_iter()
        .map(|r| match (r.at, r.log_hash) {
            (Some(at), Some(log_hash)) if log_hash == r.entry_hash => Ok(Head {
                chain: SiteId::from_uuid(r.chain),
                seq: r.seq,
                entry_hash: r.entry_hash,
                at,
            }),
            _ => Err(StoreError::Corrupt(format!(
                "audit chain {}: the head (seq {}) does not match its entry; run `handoff audit verify`",
                r.chain, r.seq
            ))),
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct HashOf {
    entry_hash: String,
}

#[derive(sqlx::FromRow)]
struct SeqOf {
    seq: i64,
}

/// Checks checkpointed anchors against the log: each anchored entry must
/// still be there with its hash, and its chain's head at or beyond it.
/// Returns every anchor that no longer holds.
pub async fn check_anchors(c: &mut Conn<'_>, anchors: &[Anchor]) -> Result<Vec<AnchorBreak>> {
    let mut breaks = Vec::new();
    for a in anchors {
        let stored = c
            .fetch_optional::<HashOf>(
                "SELECT entry_hash FROM audit_log WHERE chain = $1 AND seq = $2",
                args![a.chain, a.seq],
            )
            .await?;
        let head = c
            .fetch_optional::<SeqOf>(
                "SELECT seq FROM audit_heads WHERE chain = $1",
                args![a.chain],
            )
            .await?;
        if let Err(b) = check_anchor(
            a,
            stored.as_ref().map(|h| h.entry_hash.as_str()),
            head.map(|h| h.seq),
        ) {
            breaks.push(b);
        }
    }
    Ok(breaks)
}

/// Audit counts by action, role and outcome (for the oversight summary).
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditCount {
    pub action: String,
    pub role: Option<String>,
    pub outcome: String,
    pub count: i64,
}

/// Over entries made in `[from, to)`.
pub async fn summary(
    c: &mut Conn<'_>,
    site: SiteId,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<AuditCount>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        action: String,
        actor_role: Option<String>,
        outcome: String,
        n: i64,
    }
    Ok(c.fetch_all::<Row>(
        "SELECT action, actor_role, outcome, COUNT(*) AS n FROM audit_log \
             WHERE chain = $1 AND at >= $2 AND at < $3 \
             GROUP BY action, actor_role, outcome ORDER BY action, actor_role, outcome",
        args![site, from, to],
    )
    .await?
    .into_iter()
    .map(|r| AuditCount {
        action: r.action,
        role: r.actor_role,
        outcome: r.outcome,
        count: r.n,
    })
    .collect())
}
