//! Profile extras of a participant, kept whole as JSON: extra aliases,
//! identifiers (booking numbers, state id), phone and e-mail, and where to
//! find the person (places and times).

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, StoreError, args};
use handoff_domain::DataCategory;
use handoff_domain::{ParticipantId, PersonId, SiteId, UserId};
use std::collections::HashMap;
use time::OffsetDateTime;

pub async fn get(c: &mut Conn<'_>, g: &Grant) -> Result<Option<serde_json::Value>> {
    let (site, participant) = g.open(&[DataCategory::Identity])?;
    #[derive(sqlx::FromRow)]
    struct Rec {
        content: String,
    }
    c.fetch_optional::<Rec>(
        "SELECT content FROM profiles WHERE site_id = $1 AND participant_id = $2",
        args![site, participant],
    )
    .await?
    .map(|r| {
        serde_json::from_str(&r.content).map_err(|e| StoreError::Corrupt(format!("profile: {e}")))
    })
    .transpose()
}

pub async fn put(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    content: &serde_json::Value,
    by: UserId,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "INSERT INTO profiles (participant_id, site_id, content, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (participant_id, site_id) DO UPDATE SET content = excluded.content, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        args![participant, site, content.to_string(), by, at],
    )
    .await?;
    Ok(())
}

/// The profiles of a list's participants, each under its `identity`
/// grant, by participant: one query per chunk of rows.
pub async fn of_list(
    c: &mut Conn<'_>,
    grants: &[Grant],
) -> Result<HashMap<ParticipantId, serde_json::Value>> {
    let mut site = None;
    let mut ids = Vec::with_capacity(grants.len());
    for g in grants {
        let (s, participant) = g.open(&[DataCategory::Identity])?;
        if *site.get_or_insert(s) != s {
            return Err(StoreError::Corrupt("grants of one list span sites".into()));
        }
        ids.push(participant);
    }
    let Some(site) = site else {
        return Ok(HashMap::new());
    };
    #[derive(sqlx::FromRow)]
    struct Rec {
        participant_id: uuid::Uuid,
        content: String,
    }
    let rows = crate::access::fetch_in::<Rec, ParticipantId>(c, site, &ids, |list| {
        format!(
            "SELECT participant_id, content FROM profiles WHERE site_id = $1 AND participant_id IN ({list})"
        )
    })
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some((
                r.participant_id.into(),
                serde_json::from_str(&r.content).ok()?,
            ))
        })
        .collect())
}

/// Each participant's extra aliases (from the profile), with the person
/// they belong to, for the search index: a system task's key to every
/// person of the site (`access::unguarded_persons`, `SystemTask::Linkage`).
/// Nothing read here is shown; search shows a match only through the guard.
pub async fn aliases_by_person(
    c: &mut Conn<'_>,
    key: &crate::access::SiteTask,
) -> Result<Vec<(PersonId, Vec<String>)>> {
    let site = key.open(&[crate::access::SystemTask::Linkage])?;
    #[derive(sqlx::FromRow)]
    struct Rec {
        person_id: uuid::Uuid,
        content: String,
    }
    let rows = c
        .fetch_all::<Rec>(
            "SELECT p.person_id, f.content FROM profiles f \
             JOIN participants p ON p.id = f.participant_id AND p.site_id = f.site_id \
             WHERE f.site_id = $1",
            args![site],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let v: serde_json::Value = serde_json::from_str(&r.content).ok()?;
            let aliases: Vec<String> = v["aliases"]
                .as_array()?
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            (!aliases.is_empty()).then(|| (r.person_id.into(), aliases))
        })
        .collect())
}

/// What changes whenever a site's searchable names change: its persons
/// (inserted, never updated or deleted) counted, its profiles counted and
/// the latest profile change. Two index-only reads.
pub async fn names_version(
    c: &mut Conn<'_>,
    site: SiteId,
) -> Result<(i64, i64, Option<OffsetDateTime>)> {
    let (persons,): (i64,) = c
        .fetch_one(
            "SELECT COUNT(*) FROM persons WHERE site_id = $1",
            args![site],
        )
        .await?;
    let (profiles, latest): (i64, Option<OffsetDateTime>) = c
        .fetch_one(
            "SELECT COUNT(*), MAX(updated_at) FROM profiles WHERE site_id = $1",
            args![site],
        )
        .await?;
    Ok((persons, profiles, latest))
}
