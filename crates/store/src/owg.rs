//! The Operational Work Group's meetings, agenda items, minutes and action
//! items; and prosecutorial coordination threads.

use crate::db::Conn;
use crate::{Result, StoreError, args};
use handoff_domain::{DataCategory, ParticipantId, ReferralId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: Uuid,
    pub held_on: String,
    pub title: String,
    pub created_by: UserId,
    pub attendees: Vec<UserId>,
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: Uuid,
    held_on: String,
    title: String,
    created_by: Uuid,
}

#[derive(sqlx::FromRow)]
struct AttendeeRow {
    user_id: Uuid,
}

pub async fn create_meeting(
    c: &mut Conn<'_>,
    site: SiteId,
    held_on: &str,
    title: &str,
    attendees: &[UserId],
    by: UserId,
    now: OffsetDateTime,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    c.execute(
        "INSERT INTO owg_meetings (id, site_id, held_on, title, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![id, site, held_on, title, by, now],
    )
    .await?;
    for a in attendees {
        c.execute(
            "INSERT INTO owg_attendees (site_id, meeting_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            args![site, id, *a],
        )
        .await?;
    }
    Ok(id)
}

pub async fn get_meeting(c: &mut Conn<'_>, site: SiteId, id: Uuid) -> Result<Meeting> {
    let m = c
        .fetch_one::<MeetingRow>("SELECT id, held_on, title, created_by FROM owg_meetings WHERE site_id = $1 AND id = $2", args![site, id])
        .await?;
    let attendees = c
        .fetch_all::<AttendeeRow>(
            "SELECT user_id FROM owg_attendees WHERE site_id = $1 AND meeting_id = $2",
            args![site, id],
        )
        .await?
        .into_iter()
        .map(|a| a.user_id.into())
        .collect();
    Ok(Meeting {
        id: m.id,
        held_on: m.held_on,
        title: m.title,
        created_by: m.created_by.into(),
        attendees,
    })
}

pub async fn list_meetings(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Meeting>> {
    let rows = c
        .fetch_all::<MeetingRow>("SELECT id, held_on, title, created_by FROM owg_meetings WHERE site_id = $1 ORDER BY held_on DESC", args![site])
        .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(get_meeting(c, site, r.id).await?);
    }
    Ok(out)
}

/// An agenda item. `category` is what the item reveals about its participant.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: Uuid,
    pub seq: i64,
    pub source: String,
    pub participant_id: Option<ParticipantId>,
    pub referral_id: Option<ReferralId>,
    pub category: Option<DataCategory>,
    /// Generated detail for items built from events (dates, counts), never names.
    pub detail: Option<String>,
    /// The text of an item raised by a member.
    pub body: Option<String>,
    pub raised_by: Option<UserId>,
    pub minutes: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    seq: i64,
    source: String,
    participant_id: Option<Uuid>,
    referral_id: Option<Uuid>,
    category: Option<String>,
    detail: Option<String>,
    body: Option<String>,
    raised_by: Option<Uuid>,
    minutes: Option<String>,
}

pub struct NewItem<'a> {
    pub source: &'a str,
    pub participant: Option<ParticipantId>,
    pub referral: Option<ReferralId>,
    pub category: Option<DataCategory>,
    pub detail: Option<&'a str>,
    pub body: Option<&'a str>,
    pub raised_by: Option<UserId>,
    /// Items built from events are added once per meeting and key.
    pub dedupe_key: Option<&'a str>,
}

/// Adds an item at the end of the agenda; false when its key is already there.
pub async fn add_item(
    c: &mut Conn<'_>,
    site: SiteId,
    meeting: Uuid,
    n: NewItem<'_>,
    now: OffsetDateTime,
) -> Result<bool> {
    #[derive(sqlx::FromRow)]
    struct Max {
        m: Option<i64>,
    }
    let max = c
        .fetch_one::<Max>(
            "SELECT MAX(seq) AS m FROM owg_items WHERE meeting_id = $1",
            args![meeting],
        )
        .await?;
    let added = c
        .execute(
            "INSERT INTO owg_items (id, site_id, meeting_id, seq, source, participant_id, referral_id, category, detail, body, raised_by, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (meeting_id, dedupe_key, site_id) DO NOTHING",
            args![
                Uuid::now_v7(),
                site,
                meeting,
                max.m.unwrap_or(0) + 1,
                n.source,
                n.participant,
                n.referral,
                n.category.map(|c| c.as_str()),
                n.detail,
                n.body,
                n.raised_by,
                n.dedupe_key,
                now
            ],
        )
        .await?;
    Ok(added == 1)
}

pub async fn items(c: &mut Conn<'_>, site: SiteId, meeting: Uuid) -> Result<Vec<Item>> {
    c.fetch_all::<ItemRow>(
        "SELECT id, seq, source, participant_id, referral_id, category, detail, body, raised_by, minutes FROM owg_items \
         WHERE site_id = $1 AND meeting_id = $2 ORDER BY seq",
        args![site, meeting],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(Item {
            id: r.id,
            seq: r.seq,
            source: r.source,
            participant_id: r.participant_id.map(Into::into),
            referral_id: r.referral_id.map(Into::into),
            category: r
                .category
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|_| StoreError::Corrupt("owg item category".into()))?,
            detail: r.detail,
            body: r.body,
            raised_by: r.raised_by.map(Into::into),
            minutes: r.minutes,
        })
    })
    .collect()
}

pub async fn set_minutes(
    c: &mut Conn<'_>,
    site: SiteId,
    item: Uuid,
    minutes: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute_found(
        "UPDATE owg_items SET minutes = $3, minutes_by = $4, minutes_at = $5 WHERE site_id = $1 AND id = $2",
        args![site, item, minutes, by, now],
    )
    .await
}

/// The meeting an item belongs to.
pub async fn meeting_of_item(c: &mut Conn<'_>, site: SiteId, item: Uuid) -> Result<Uuid> {
    #[derive(sqlx::FromRow)]
    struct M {
        meeting_id: Uuid,
    }
    Ok(c.fetch_one::<M>(
        "SELECT meeting_id FROM owg_items WHERE site_id = $1 AND id = $2",
        args![site, item],
    )
    .await?
    .meeting_id)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Action {
    pub id: Uuid,
    pub item_id: Uuid,
    pub owner_id: UserId,
    pub due_on: String,
    pub description: String,
    pub done: bool,
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: Uuid,
    item_id: Uuid,
    owner_id: Uuid,
    due_on: String,
    description: String,
    done_at: Option<OffsetDateTime>,
}

impl From<ActionRow> for Action {
    fn from(r: ActionRow) -> Self {
        Action {
            id: r.id,
            item_id: r.item_id,
            owner_id: r.owner_id.into(),
            due_on: r.due_on,
            description: r.description,
            done: r.done_at.is_some(),
        }
    }
}

pub struct NewAction<'a> {
    pub item: Uuid,
    pub owner: UserId,
    pub due_on: &'a str,
    pub description: &'a str,
    pub by: UserId,
}

pub async fn add_action(
    c: &mut Conn<'_>,
    site: SiteId,
    a: NewAction<'_>,
    now: OffsetDateTime,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    c.execute(
        "INSERT INTO owg_actions (id, site_id, item_id, owner_id, due_on, description, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, site, a.item, a.owner, a.due_on, a.description, a.by, now],
    )
    .await?;
    Ok(id)
}

pub async fn actions_for_item(c: &mut Conn<'_>, site: SiteId, item: Uuid) -> Result<Vec<Action>> {
    Ok(c
        .fetch_all::<ActionRow>(
            "SELECT id, item_id, owner_id, due_on, description, done_at FROM owg_actions WHERE site_id = $1 AND item_id = $2 ORDER BY due_on",
            args![site, item],
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Open action items owned by a user (their home page).
pub async fn open_actions_of(c: &mut Conn<'_>, site: SiteId, owner: UserId) -> Result<Vec<Action>> {
    Ok(c
        .fetch_all::<ActionRow>(
            "SELECT id, item_id, owner_id, due_on, description, done_at FROM owg_actions WHERE site_id = $1 AND owner_id = $2 AND done_at IS NULL ORDER BY due_on",
            args![site, owner],
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn complete_action(
    c: &mut Conn<'_>,
    site: SiteId,
    id: Uuid,
    owner: UserId,
    now: OffsetDateTime,
) -> Result<bool> {
    let n = c
        .execute(
            "UPDATE owg_actions SET done_at = $4 WHERE site_id = $1 AND id = $2 AND owner_id = $3 AND done_at IS NULL",
            args![site, id, owner, now],
        )
        .await?;
    Ok(n == 1)
}

/// A prosecutorial coordination item: a new charge against a participant.
#[derive(Debug, Clone)]
pub struct Coordination {
    pub id: Uuid,
    pub participant_id: ParticipantId,
    pub prosecutor_agency_id: handoff_domain::AgencyId,
    pub charge: String,
    pub case_number: Option<String>,
    pub opened_at: OffsetDateTime,
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub messages: Vec<(UserId, String, OffsetDateTime)>,
}

#[derive(sqlx::FromRow)]
struct CoordRow {
    id: Uuid,
    participant_id: Uuid,
    prosecutor_agency_id: Uuid,
    charge: String,
    case_number: Option<String>,
    opened_at: OffsetDateTime,
    decision: Option<String>,
    decision_note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct MsgRow {
    author_id: Uuid,
    body: String,
    created_at: OffsetDateTime,
}

pub struct NewCoordination<'a> {
    pub participant: ParticipantId,
    pub prosecutor_agency: handoff_domain::AgencyId,
    pub charge: &'a str,
    pub case_number: Option<&'a str>,
    pub opened_by: Option<UserId>,
}

pub async fn open_coordination(
    c: &mut Conn<'_>,
    site: SiteId,
    n: NewCoordination<'_>,
    now: OffsetDateTime,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    c.execute(
        "INSERT INTO coordination_items (id, site_id, participant_id, prosecutor_agency_id, charge, case_number, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, site, n.participant, n.prosecutor_agency, n.charge, n.case_number, n.opened_by, now],
    )
    .await?;
    Ok(id)
}

pub async fn get_coordination(c: &mut Conn<'_>, site: SiteId, id: Uuid) -> Result<Coordination> {
    let r = c
        .fetch_one::<CoordRow>(
            "SELECT id, participant_id, prosecutor_agency_id, charge, case_number, opened_at, decision, decision_note FROM coordination_items WHERE site_id = $1 AND id = $2",
            args![site, id],
        )
        .await?;
    let messages = c
        .fetch_all::<MsgRow>(
            "SELECT author_id, body, created_at FROM coordination_messages WHERE site_id = $1 AND item_id = $2 ORDER BY created_at",
            args![site, id],
        )
        .await?
        .into_iter()
        .map(|m| (m.author_id.into(), m.body, m.created_at))
        .collect();
    Ok(Coordination {
        id: r.id,
        participant_id: r.participant_id.into(),
        prosecutor_agency_id: r.prosecutor_agency_id.into(),
        charge: r.charge,
        case_number: r.case_number,
        opened_at: r.opened_at,
        decision: r.decision,
        decision_note: r.decision_note,
        messages,
    })
}

pub async fn list_coordination(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Uuid>> {
    #[derive(sqlx::FromRow)]
    struct IdRow {
        id: Uuid,
    }
    Ok(c.fetch_all::<IdRow>(
        "SELECT id FROM coordination_items WHERE site_id = $1 ORDER BY opened_at DESC",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect())
}

pub async fn add_message(
    c: &mut Conn<'_>,
    site: SiteId,
    item: Uuid,
    author: UserId,
    body: &str,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO coordination_messages (id, site_id, item_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![Uuid::now_v7(), site, item, author, body, now],
    )
    .await?;
    Ok(())
}

pub async fn decide_coordination(
    c: &mut Conn<'_>,
    site: SiteId,
    item: Uuid,
    decision: &str,
    note: &str,
    by: UserId,
    now: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE coordination_items SET decision = $3, decision_note = $4, decided_by = $5, decided_at = $6 WHERE site_id = $1 AND id = $2",
        args![site, item, decision, note, by, now],
    )
    .await?;
    Ok(())
}
