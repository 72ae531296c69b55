//! Contacts (encounters) with participants, and their free-text pieces, each
//! tagged with its data category so disclosure is decided piece by piece.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::casework::{Place, Service, StaffRole};
use handoff_domain::{ContactId, DataCategory, ParticipantId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

/// One piece of a contact's text and its category (`notes`, `health`, `sud`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub category: DataCategory,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: ContactId,
    pub participant_id: ParticipantId,
    pub occurred_at: OffsetDateTime,
    pub duration_minutes: i64,
    pub place: Place,
    pub staff_role: StaffRole,
    pub services: Vec<Service>,
    pub created_by: UserId,
}

pub struct NewContact<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub occurred_at: OffsetDateTime,
    pub duration_minutes: i64,
    pub place: Place,
    pub staff_role: StaffRole,
    pub services: &'a [Service],
    pub pieces: &'a [Piece],
    pub by: UserId,
    pub at: OffsetDateTime,
}

/// Records a contact and its pieces, and moves the participant's last
/// contact forward. Call inside a transaction.
pub async fn create(c: &mut Conn<'_>, n: NewContact<'_>) -> Result<ContactId> {
    let id: ContactId = new_id();
    let services =
        serde_json::to_string(n.services).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.execute(
        "INSERT INTO contacts (id, site_id, participant_id, occurred_at, duration_minutes, place, staff_role, services, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![id, n.site, n.participant, n.occurred_at, n.duration_minutes, n.place.as_str(), n.staff_role.as_str(), services, n.by, n.at],
    )
    .await?;
    for p in n.pieces {
        c.execute(
            "INSERT INTO contact_notes (id, site_id, contact_id, participant_id, category, body) VALUES ($1, $2, $3, $4, $5, $6)",
            args![new_id::<Uuid>(), n.site, id, n.participant, p.category.as_str(), p.body.as_str()],
        )
        .await?;
    }
    c.execute(
        "UPDATE participants SET last_contact_at = $3 WHERE site_id = $1 AND id = $2 \
         AND (last_contact_at IS NULL OR last_contact_at < $3)",
        args![n.site, n.participant, n.occurred_at],
    )
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    participant_id: Uuid,
    occurred_at: OffsetDateTime,
    duration_minutes: i64,
    place: String,
    staff_role: String,
    services: String,
    created_by: Uuid,
}

impl TryFrom<Row> for Contact {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Contact {
            id: r.id.into(),
            participant_id: r.participant_id.into(),
            occurred_at: r.occurred_at,
            duration_minutes: r.duration_minutes,
            place: crate::stored(&r.place, "contact place")?,
            staff_role: crate::stored(&r.staff_role, "contact staff role")?,
            services: serde_json::from_str(&r.services)
                .map_err(|e| StoreError::Corrupt(format!("contact services: {e}")))?,
            created_by: r.created_by.into(),
        })
    }
}

/// A participant's contacts, newest first.
pub async fn for_participant(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<Contact>> {
    let (site, participant) = g.open(&[DataCategory::Notes])?;
    c.fetch_all::<Row>(
        "SELECT id, participant_id, occurred_at, duration_minutes, place, staff_role, services, created_by \
         FROM contacts WHERE site_id = $1 AND participant_id = $2 ORDER BY occurred_at DESC",
        args![site, participant],
    )
    .await?
    .into_iter()
    .map(Contact::try_from)
    .collect()
}

/// The pieces of one category of a participant's contacts, newest contact
/// first, with the contact they belong to.
pub async fn pieces(
    c: &mut Conn<'_>,
    g: &Grant,
) -> Result<Vec<(ContactId, OffsetDateTime, String)>> {
    let (site, participant) =
        g.open(&[DataCategory::Notes, DataCategory::Health, DataCategory::Sud])?;
    let category = g.category();
    #[derive(sqlx::FromRow)]
    struct P {
        contact_id: Uuid,
        occurred_at: OffsetDateTime,
        body: String,
    }
    Ok(c.fetch_all::<P>(
        "SELECT n.contact_id, k.occurred_at, n.body FROM contact_notes n JOIN contacts k ON k.id = n.contact_id \
         WHERE n.site_id = $1 AND n.participant_id = $2 AND n.category = $3 ORDER BY k.occurred_at DESC, n.id",
        args![site, participant, category.as_str()],
    )
    .await?
    .into_iter()
    .map(|p| (p.contact_id.into(), p.occurred_at, p.body))
    .collect())
}

/// One contact of a site, for a check before correcting it.
pub async fn get(c: &mut Conn<'_>, site: SiteId, id: ContactId) -> Result<Contact> {
    c.fetch_optional::<Row>(
        "SELECT id, participant_id, occurred_at, duration_minutes, place, staff_role, services, created_by \
         FROM contacts WHERE site_id = $1 AND id = $2",
        args![site, id],
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}

/// A correction of a contact: a new version (2, 3, …) of what it says.
#[derive(Debug, Clone)]
pub struct Version {
    pub contact_id: ContactId,
    pub version: i64,
    pub duration_minutes: i64,
    pub place: Place,
    pub services: Vec<Service>,
    /// The corrected note; `None` when the note was left as it was.
    pub note: Option<String>,
    pub reason: String,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
}

pub struct NewVersion<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub contact: ContactId,
    pub duration_minutes: i64,
    pub place: Place,
    pub services: &'a [Service],
    pub note: Option<&'a str>,
    pub reason: &'a str,
    pub by: UserId,
    pub at: OffsetDateTime,
}

/// Adds a version after the contact's newest; nothing earlier changes.
/// Returns the version's number. Call inside a transaction.
pub async fn add_version(c: &mut Conn<'_>, n: NewVersion<'_>) -> Result<i64> {
    #[derive(sqlx::FromRow)]
    struct Last {
        version: Option<i64>,
    }
    let last = c
        .fetch_one::<Last>(
            "SELECT MAX(version) AS version FROM contact_versions WHERE site_id = $1 AND contact_id = $2",
            args![n.site, n.contact],
        )
        .await?;
    let version = last.version.unwrap_or(1) + 1;
    let services =
        serde_json::to_string(n.services).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.execute(
        "INSERT INTO contact_versions (id, site_id, contact_id, participant_id, version, duration_minutes, place, services, note, reason, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![new_id::<Uuid>(), n.site, n.contact, n.participant, version, n.duration_minutes, n.place.as_str(), services, n.note, n.reason, n.by, n.at],
    )
    .await?;
    Ok(version)
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    contact_id: Uuid,
    version: i64,
    duration_minutes: i64,
    place: String,
    services: String,
    note: Option<String>,
    reason: String,
    created_by: Uuid,
    created_at: OffsetDateTime,
}

const VERSIONS: &str = "SELECT contact_id, version, duration_minutes, place, services, note, reason, created_by, created_at FROM contact_versions";

fn version_of(v: VersionRow) -> Result<Version> {
    Ok(Version {
        contact_id: v.contact_id.into(),
        version: v.version,
        duration_minutes: v.duration_minutes,
        place: crate::stored(&v.place, "contact place")?,
        services: serde_json::from_str(&v.services)
            .map_err(|e| StoreError::Corrupt(format!("contact services: {e}")))?,
        note: v.note,
        reason: v.reason,
        created_by: v.created_by.into(),
        created_at: v.created_at,
    })
}

/// Every correction of a participant's contacts, oldest version first.
pub async fn versions(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<Version>> {
    let (site, participant) = g.open(&[DataCategory::Notes])?;
    let sql = format!(
        "{VERSIONS} WHERE site_id = $1 AND participant_id = $2 ORDER BY contact_id, version"
    );
    c.fetch_all::<VersionRow>(&sql, args![site, participant])
        .await?
        .into_iter()
        .map(version_of)
        .collect()
}

/// The corrections of one contact, oldest first (for the one correcting it,
/// after the case was checked).
pub async fn versions_of(
    c: &mut Conn<'_>,
    site: SiteId,
    contact: ContactId,
) -> Result<Vec<Version>> {
    let sql = format!("{VERSIONS} WHERE site_id = $1 AND contact_id = $2 ORDER BY version");
    c.fetch_all::<VersionRow>(&sql, args![site, contact])
        .await?
        .into_iter()
        .map(version_of)
        .collect()
}
