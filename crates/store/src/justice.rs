//! Justice and outcome records imported from other agencies, their links to
//! the persons a site knows, clerical review decisions, and each site's
//! linkage model.
//!
//! A record is stored under (site, kind, natural key): the same key with
//! the same content digest is unchanged, with a different digest it is an
//! update from the source — so re-imports and overlapping extracts never
//! duplicate. The typed record is JSON text the caller produced; this
//! module does not read it.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, args};
use handoff_domain::DataCategory;
use handoff_domain::{ParticipantId, PersonId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// How a record stands with respect to the persons the site knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Linked by the engine at or above the site's auto-link threshold.
    Auto,
    /// Between the review and auto thresholds: waiting for a person.
    Review,
    /// Below the review threshold (re-linkable when new persons arrive).
    Unlinked,
    /// Linked by a person's decision.
    Accepted,
    /// A person rejected the proposed match.
    Rejected,
}

impl LinkStatus {
    pub const fn as_str(&self) -> &'static str {
        match self {
            LinkStatus::Auto => "auto",
            LinkStatus::Review => "review",
            LinkStatus::Unlinked => "unlinked",
            LinkStatus::Accepted => "accepted",
            LinkStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => LinkStatus::Auto,
            "review" => LinkStatus::Review,
            "unlinked" => LinkStatus::Unlinked,
            "accepted" => LinkStatus::Accepted,
            "rejected" => LinkStatus::Rejected,
            _ => return None,
        })
    }
    /// Whether the record is attached to a person.
    pub const fn is_linked(&self) -> bool {
        matches!(self, LinkStatus::Auto | LinkStatus::Accepted)
    }
}

/// Where a record came from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Provenance {
    /// The source's name (file name, `feed`, …).
    pub source: String,
    pub file_sha256: String,
    /// Line of the file (position in a feed batch).
    pub line: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
    /// `user:<id>` or `cli:<operator>`.
    pub imported_by: String,
}

/// What linking decided for a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub status: LinkStatus,
    /// The proposed or linked candidate (`p:<person id>` or `r:<record id>`).
    pub candidate: Option<String>,
    /// Set when linked to a referred person or participant.
    pub person: Option<PersonId>,
    /// Set when linked to a comparison roster entry.
    pub roster: Option<Uuid>,
    pub participant: Option<ParticipantId>,
    pub probability: Option<f64>,
    /// The per-field explanation (JSON).
    pub explanation: Option<String>,
}

impl Link {
    pub fn unlinked() -> Link {
        Link {
            status: LinkStatus::Unlinked,
            candidate: None,
            person: None,
            roster: None,
            participant: None,
            probability: None,
            explanation: None,
        }
    }
}

/// A record to store.
pub struct NewRecord<'a> {
    pub site: SiteId,
    pub kind: &'a str,
    pub natural_key: &'a str,
    /// The typed record as JSON.
    pub content: &'a str,
    pub digest: &'a str,
    /// The record's event date (YYYY-MM-DD), if it is an event.
    pub event_on: Option<&'a str>,
    pub provenance: &'a Provenance,
}

/// What storing a record did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Inserted(Uuid),
    Updated(Uuid),
    Unchanged(Uuid),
}

impl Stored {
    pub fn id(&self) -> Uuid {
        match *self {
            Stored::Inserted(id) | Stored::Updated(id) | Stored::Unchanged(id) => id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: Uuid,
    digest: String,
}

/// Inserts a new record, updates one whose content changed (with the new
/// provenance), or leaves an unchanged one alone. The link is the caller's
/// business ([`set_link`]); a new record starts unlinked.
pub async fn upsert(c: &mut Conn<'_>, r: NewRecord<'_>) -> Result<Stored> {
    let existing = c
        .fetch_optional::<KeyRow>(
            "SELECT id, digest FROM justice_records WHERE site_id = $1 AND kind = $2 AND natural_key = $3",
            args![r.site, r.kind, r.natural_key],
        )
        .await?;
    let p = r.provenance;
    match existing {
        Some(e) if e.digest == r.digest => Ok(Stored::Unchanged(e.id)),
        Some(e) => {
            c.execute(
                "UPDATE justice_records SET content = $3, digest = $4, event_on = $5, source = $6, file_sha256 = $7, \
                 line = $8, imported_at = $9, imported_by = $10, updated_at = $9 WHERE site_id = $1 AND id = $2",
                args![r.site, e.id, r.content, r.digest, r.event_on, &p.source, &p.file_sha256, p.line, p.imported_at, &p.imported_by],
            )
            .await?;
            Ok(Stored::Updated(e.id))
        }
        None => {
            let id = Uuid::now_v7();
            c.execute(
                "INSERT INTO justice_records (id, site_id, kind, natural_key, content, digest, event_on, source, file_sha256, \
                 line, imported_at, imported_by, updated_at, link_status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, 'unlinked')",
                args![id, r.site, r.kind, r.natural_key, r.content, r.digest, r.event_on, &p.source, &p.file_sha256, p.line, p.imported_at, &p.imported_by],
            )
            .await?;
            Ok(Stored::Inserted(id))
        }
    }
}

/// Records what linking decided. `linked_at` is set when the record becomes
/// linked to someone it was not linked to before.
pub async fn set_link(
    c: &mut Conn<'_>,
    site: SiteId,
    id: Uuid,
    link: &Link,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE justice_records SET link_status = $3, candidate = $4, person_id = $5, roster_id = $6, participant_id = $7, \
         match_probability = $8, explanation = $9, \
         linked_at = CASE WHEN $10 AND (candidate IS NULL OR candidate <> $4 OR link_status NOT IN ('auto', 'accepted')) THEN $11 \
                          WHEN $10 THEN linked_at ELSE NULL END \
         WHERE site_id = $1 AND id = $2",
        args![
            site,
            id,
            link.status.as_str(),
            link.candidate.as_deref(),
            link.person,
            link.roster,
            link.participant,
            link.probability,
            link.explanation.as_deref(),
            link.status.is_linked(),
            at
        ],
    )
    .await?;
    Ok(())
}

/// A stored record with its provenance and link.
#[derive(Debug, Clone)]
pub struct JusticeRecord {
    pub id: Uuid,
    pub kind: String,
    pub natural_key: String,
    /// The typed record as JSON.
    pub content: String,
    pub event_on: Option<String>,
    pub provenance: Provenance,
    pub updated_at: OffsetDateTime,
    pub link: Link,
    pub linked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: Uuid,
    kind: String,
    natural_key: String,
    content: String,
    event_on: Option<String>,
    source: String,
    file_sha256: String,
    line: i64,
    imported_at: OffsetDateTime,
    imported_by: String,
    updated_at: OffsetDateTime,
    candidate: Option<String>,
    person_id: Option<Uuid>,
    roster_id: Option<Uuid>,
    participant_id: Option<Uuid>,
    link_status: String,
    match_probability: Option<f64>,
    explanation: Option<String>,
    linked_at: Option<OffsetDateTime>,
}

impl From<RecordRow> for JusticeRecord {
    fn from(r: RecordRow) -> Self {
        JusticeRecord {
            id: r.id,
            kind: r.kind,
            natural_key: r.natural_key,
            content: r.content,
            event_on: r.event_on,
            provenance: Provenance {
                source: r.source,
                file_sha256: r.file_sha256,
                line: r.line,
                imported_at: r.imported_at,
                imported_by: r.imported_by,
            },
            updated_at: r.updated_at,
            link: Link {
                status: LinkStatus::parse(&r.link_status).unwrap_or(LinkStatus::Unlinked),
                candidate: r.candidate,
                person: r.person_id.map(Into::into),
                roster: r.roster_id,
                participant: r.participant_id.map(Into::into),
                probability: r.match_probability,
                explanation: r.explanation,
            },
            linked_at: r.linked_at,
        }
    }
}

const COLUMNS: &str = "id, kind, natural_key, content, event_on, source, file_sha256, line, imported_at, imported_by, \
     updated_at, candidate, person_id, roster_id, participant_id, link_status, match_probability, explanation, linked_at";

async fn select(
    c: &mut Conn<'_>,
    filter: &str,
    args: Vec<crate::Value>,
) -> Result<Vec<JusticeRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM justice_records WHERE site_id = $1 AND {filter}");
    Ok(c.fetch_all::<RecordRow>(&sql, args)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: Uuid) -> Result<JusticeRecord> {
    select(c, "id = $2", args![site, id])
        .await?
        .into_iter()
        .next()
        .ok_or(crate::StoreError::NotFound)
}

pub async fn by_key(
    c: &mut Conn<'_>,
    site: SiteId,
    kind: &str,
    natural_key: &str,
) -> Result<Option<JusticeRecord>> {
    Ok(select(
        c,
        "kind = $2 AND natural_key = $3",
        args![site, kind, natural_key],
    )
    .await?
    .into_iter()
    .next())
}

/// Records of one kind (the comparison roster, for instance), oldest first.
pub async fn of_kind(c: &mut Conn<'_>, site: SiteId, kind: &str) -> Result<Vec<JusticeRecord>> {
    select(c, "kind = $2 ORDER BY id", args![site, kind]).await
}

/// Records waiting for clerical review, oldest first.
pub async fn review_queue(
    c: &mut Conn<'_>,
    site: SiteId,
    limit: i64,
) -> Result<Vec<JusticeRecord>> {
    select(
        c,
        "link_status = 'review' ORDER BY id LIMIT $2",
        args![site, limit],
    )
    .await
}

/// One page of the review queue, oldest import first (keyset on
/// `imported_at`, `id`; filters: the import date).
pub async fn review_page(
    c: &mut Conn<'_>,
    site: SiteId,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<JusticeRecord>> {
    use crate::page::{Columns, Cursor, Dir, fetch};
    const PAGED: Columns = Columns {
        date: Some("imported_at"),
        ..Columns::new("imported_at", "id", Dir::Asc)
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM justice_records WHERE site_id = $1 AND link_status = 'review'"
    );
    fetch(
        c,
        &sql,
        args![site],
        PAGED,
        page,
        |r: RecordRow| Ok(JusticeRecord::from(r)),
        |r: &JusticeRecord| Cursor::time(r.provenance.imported_at, r.id),
    )
    .await
}

/// Records not linked to anyone, including those whose proposed match a
/// person rejected (for re-linking when new persons arrive; kept decisions
/// still apply).
pub async fn unlinked(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<JusticeRecord>> {
    select(
        c,
        "link_status IN ('unlinked', 'rejected') ORDER BY id",
        args![site],
    )
    .await
}

/// A participant's linked records, by event date.
pub async fn for_participant(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<JusticeRecord>> {
    let (site, participant) = g.open(&[DataCategory::Justice])?;
    select(
        c,
        "participant_id = $2 AND link_status IN ('auto', 'accepted') ORDER BY event_on, id",
        args![site, participant],
    )
    .await
}

/// Every linked event record (for the evaluation dataset).
pub async fn linked(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<JusticeRecord>> {
    select(
        c,
        "kind <> 'persons' AND link_status IN ('auto', 'accepted') ORDER BY id",
        args![site],
    )
    .await
}

/// Bookings and charges linked to participants at or after `since` (for
/// the OWG agenda).
pub async fn participant_events_since(
    c: &mut Conn<'_>,
    site: SiteId,
    since: OffsetDateTime,
) -> Result<Vec<JusticeRecord>> {
    select(
        c,
        "kind IN ('bookings', 'charges') AND participant_id IS NOT NULL AND link_status IN ('auto', 'accepted') \
         AND linked_at >= $2 ORDER BY linked_at, id",
        args![site, since],
    )
    .await
}

/// Records per kind and link status (for the import summary and pages).
pub async fn count(c: &mut Conn<'_>, site: SiteId, kind: &str) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    Ok(c.fetch_one::<N>(
        "SELECT COUNT(*) AS n FROM justice_records WHERE site_id = $1 AND kind = $2",
        args![site, kind],
    )
    .await?
    .n)
}

// ---- Clerical review decisions --------------------------------------------

/// accepted | rejected
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Reject,
}

impl Decision {
    pub const fn as_str(&self) -> &'static str {
        match self {
            Decision::Accept => "accepted",
            Decision::Reject => "rejected",
        }
    }
}

/// Keeps a decision on (record, candidate). False when that pair was
/// already decided (the first decision stands).
pub async fn decide(
    c: &mut Conn<'_>,
    site: SiteId,
    record: Uuid,
    candidate: &str,
    decision: Decision,
    by: UserId,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "INSERT INTO link_decisions (id, site_id, record_id, candidate, decision, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (record_id, candidate, site_id) DO NOTHING",
            args![Uuid::now_v7(), site, record, candidate, decision.as_str(), by, at],
        )
        .await?;
    Ok(n == 1)
}

/// The decisions kept for a record: (candidate, decision).
pub async fn decisions(
    c: &mut Conn<'_>,
    site: SiteId,
    record: Uuid,
) -> Result<Vec<(String, Decision)>> {
    #[derive(sqlx::FromRow)]
    struct D {
        candidate: String,
        decision: String,
    }
    Ok(c.fetch_all::<D>(
        "SELECT candidate, decision FROM link_decisions WHERE site_id = $1 AND record_id = $2 ORDER BY decided_at",
        args![site, record],
    )
    .await?
    .into_iter()
    .map(|d| {
        let decision = if d.decision == "accepted" {
            Decision::Accept
        } else {
            Decision::Reject
        };
        (d.candidate, decision)
    })
    .collect())
}

// ---- Linkage models --------------------------------------------------------

/// A site's saved linkage model.
#[derive(Debug, Clone)]
pub struct SavedModel {
    /// The linkage engine's model JSON.
    pub model: String,
    pub auto_threshold: f64,
    pub review_threshold: f64,
    /// Records it was trained on.
    pub trained_on: i64,
    pub trained_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ModelRow {
    model: String,
    auto_threshold: f64,
    review_threshold: f64,
    trained_on: i64,
    trained_at: OffsetDateTime,
}

/// The default auto-link threshold.
pub const DEFAULT_AUTO_THRESHOLD: f64 = 0.95;
/// The default review threshold.
pub const DEFAULT_REVIEW_THRESHOLD: f64 = 0.5;

pub async fn save_model(c: &mut Conn<'_>, site: SiteId, m: &SavedModel) -> Result<()> {
    c.execute(
        "INSERT INTO linkage_models (site_id, model, auto_threshold, review_threshold, trained_on, trained_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (site_id) DO UPDATE SET model = $2, auto_threshold = $3, \
         review_threshold = $4, trained_on = $5, trained_at = $6",
        args![site, &m.model, m.auto_threshold, m.review_threshold, m.trained_on, m.trained_at],
    )
    .await?;
    Ok(())
}

pub async fn model(c: &mut Conn<'_>, site: SiteId) -> Result<Option<SavedModel>> {
    Ok(c.fetch_optional::<ModelRow>(
        "SELECT model, auto_threshold, review_threshold, trained_on, trained_at FROM linkage_models WHERE site_id = $1",
        args![site],
    )
    .await?
    .map(|r| SavedModel {
        model: r.model,
        auto_threshold: r.auto_threshold,
        review_threshold: r.review_threshold,
        trained_on: r.trained_on,
        trained_at: r.trained_at,
    }))
}

/// What a site's linker depends on: the saved model's time and how many
/// persons, participants and roster entries (imported or logged as
/// eligible-but-booked) there are. A cached linker is
/// rebuilt when this changes.
pub async fn linker_fingerprint(c: &mut Conn<'_>, site: SiteId) -> Result<(i64, i64, i64, i64)> {
    #[derive(sqlx::FromRow)]
    struct F {
        persons: i64,
        participants: i64,
        roster: i64,
        model: i64,
    }
    let f = c
        .fetch_one::<F>(
            "SELECT (SELECT COUNT(*) FROM persons WHERE site_id = $1) AS persons, \
             (SELECT COUNT(*) FROM participants WHERE site_id = $1) AS participants, \
             (SELECT COUNT(*) FROM justice_records WHERE site_id = $1 AND kind = 'persons') \
             + (SELECT COUNT(*) FROM eligible_arrests WHERE site_id = $1) AS roster, \
             (SELECT COUNT(*) FROM linkage_models WHERE site_id = $1) AS model",
            args![site],
        )
        .await?;
    let trained = model(c, site)
        .await?
        .map_or(0, |m| m.trained_at.unix_timestamp_nanos() as i64);
    Ok((f.persons, f.participants, f.roster, trained + f.model))
}
