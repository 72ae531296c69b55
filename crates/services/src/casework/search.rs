//! Search across participants by name, alias or date of birth, tolerant of
//! typos (Jaro–Winkler). Only case managers and supervisors may search; each
//! hit passes through the disclosure guard, so a participant of another
//! agency never shows. The query itself is never logged or audited.

use super::jaro_winkler;
use crate::AppState;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::disclosure::{Guard, ParticipantSummary};
use crate::error::{AppError, AppResult};
use crate::workflow::referrals::asker;
use crate::workflow::{agency_of, may};
use handoff_audit::Outcome;
use handoff_domain::SiteId;
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, PersonId};
use handoff_linkage::search::{NameIndex, Recent};
use handoff_store::access::{self, Access, ReferralAccess, ReferralGrant, SystemTask};
use handoff_store::referrals;
use handoff_store::{casework, profile};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// 0 to 1; 1 is an exact match.
    pub score: f64,
    /// `participant` (the fields below, as the guard allows) or `referral`
    /// (a person referred and not yet a participant).
    pub kind: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub participant: Option<ParticipantSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<ReferralHit>,
}

/// A person referred but not (yet) a participant, as the referral read
/// path lets case management see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralHit {
    pub id: Uuid,
    pub name: String,
    pub dob: Option<String>,
    pub status: String,
    pub referred_on: String,
}

const THRESHOLD: f64 = 0.86;

pub(crate) fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A date typed as YYYY-MM-DD, MM/DD/YYYY or M/D/YYYY, as YYYY-MM-DD.
fn as_date(q: &str) -> Option<String> {
    let q = q.trim();
    if q.len() == 10 && q.as_bytes()[4] == b'-' {
        return Some(q.to_string());
    }
    let parts: Vec<&str> = q.split('/').collect();
    if let [m, d, y] = parts[..] {
        let (m, d, y): (u8, u8, u16) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
        return Some(format!("{y:04}-{m:02}-{d:02}"));
    }
    None
}

/// How well `query` matches names: every word of the query must match some
/// word of a name (or the whole name); the score is the weakest word's.
fn name_score(query: &str, names: &[String]) -> f64 {
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.is_empty() {
        return 0.0;
    }
    let mut name_words: Vec<&str> = names.iter().flat_map(|n| n.split_whitespace()).collect();
    name_words.sort_unstable();
    name_words.dedup();
    let per_word = words
        .iter()
        .map(|w| {
            name_words
                .iter()
                .map(|n| jaro_winkler(w, n))
                .fold(0.0, f64::max)
        })
        .fold(1.0, f64::min);
    let whole = names
        .iter()
        .map(|n| jaro_winkler(query, n))
        .fold(0.0, f64::max);
    per_word.max(whole)
}

/// How well a typed name matches a person's name, aliases and any other
/// names known (`extra`): 1 is exact, [`THRESHOLD`] and above is a match.
pub(crate) fn person_name_score(
    typed: &str,
    name: (&str, &str),
    aliases: &[String],
    extra: &[String],
) -> f64 {
    let mut names = vec![
        norm(&format!("{} {}", name.0, name.1)),
        norm(name.0),
        norm(name.1),
    ];
    names.extend(aliases.iter().map(|a| norm(a)));
    names.extend(extra.iter().map(|a| norm(a)));
    name_score(&norm(typed), &names)
}

/// Whether a typed first and last name are a person's: each close to the
/// person's own (or to the first and last word of an alias), compared
/// part by part so that a shared first name does not carry a different
/// last name.
pub fn name_matches((first, last): (&str, &str), name: (&str, &str), aliases: &[String]) -> bool {
    let close = |typed: &str, known: &str| name_score(&norm(typed), &[norm(known)]) >= THRESHOLD;
    let is = |f: &str, l: &str| close(first, f) && close(last, l);
    is(name.0, name.1)
        || aliases.iter().any(|a| {
            let words: Vec<&str> = a.split_whitespace().collect();
            matches!(words[..], [f, .., l] if is(f, l))
        })
}

/// Differs in at most one character (a typo in a date).
fn near_date(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.chars().zip(b.chars()).filter(|(x, y)| x != y).count() <= 1
}

/// Sites whose name index is kept in memory (the most recently searched).
const SITES: usize = 64;

type Version = (i64, i64, Option<time::OffsetDateTime>);

/// Each site's name index (`handoff_linkage::search`), built from every
/// person of the site under the linkage task's key and rebuilt when the
/// site's names changed (`profile::names_version`); bounded to [`SITES`].
pub struct SearchIndexes(Mutex<Recent<SiteId, Built>>);

type Built = Arc<(Version, NameIndex<PersonId>)>;

impl Default for SearchIndexes {
    fn default() -> Self {
        Self(Mutex::new(Recent::new(SITES)))
    }
}

/// The persons of the site whose names (or date of birth) could match:
/// exactly those the scoring below can accept. Nothing is shown from here.
async fn candidates(
    state: &AppState,
    site: SiteId,
    q: &str,
    date: Option<&str>,
) -> AppResult<HashSet<PersonId>> {
    let mut c = state.store.conn();
    let version = profile::names_version(&mut c, site).await?;
    let cached = (state.search.0.lock().ok())
        .and_then(|mut m| m.get(&site))
        .filter(|b| b.0 == version);
    let built = match cached {
        Some(b) => b,
        None => {
            let key = access::unguarded_persons(site, SystemTask::Linkage);
            let mut extra: HashMap<PersonId, Vec<String>> = HashMap::new();
            for (p, aliases) in profile::aliases_by_person(&mut c, &key).await? {
                extra.entry(p).or_default().extend(aliases);
            }
            let persons = referrals::all_persons(&mut c, &key).await?;
            let index = NameIndex::build(persons.into_iter().map(|p| {
                let full = format!("{} {}", p.first_name, p.last_name);
                let more = p
                    .aliases
                    .iter()
                    .chain(extra.get(&p.id).into_iter().flatten());
                let names = [&full, &p.first_name, &p.last_name].into_iter().chain(more);
                (p.id, names.map(|n| norm(n)).collect(), p.dob)
            }));
            let b = Arc::new((version, index));
            if let Ok(mut m) = state.search.0.lock() {
                m.insert(site, b.clone());
            }
            b
        }
    };
    Ok(match date {
        Some(d) => built.1.by_date(d),
        None => built.1.by_name(q, THRESHOLD, jaro_winkler),
    })
}

pub async fn search(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    query: &str,
) -> AppResult<Vec<SearchHit>> {
    let agency = agency_of(state, auth).await?;
    if !may(auth, &agency, Action::Casework) {
        let mut e = audit::event(auth, "participant.search", Outcome::Denied, actx);
        e.categories = vec![DataCategory::Identity];
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(
            "Search is for case managers and supervisors. Officers can check whether someone is a participant with the look-up.",
        ));
    }
    let typed = query.chars().count();
    if !(2..=100).contains(&typed) || query.trim().is_empty() {
        return Err(AppError::field("q", "type 2 to 100 characters"));
    }
    let q = norm(query);
    let date = as_date(query);
    if q.is_empty() && date.is_none() {
        // Nothing searchable was typed (only punctuation or symbols).
        return Ok(Vec::new());
    }
    let site = auth.user.site_id;
    let found = candidates(state, site, &q, date.as_deref()).await?;
    let guard = Guard::new(state, auth).await?;
    let mut c = state.store.conn();
    let score_of =
        |name: (&str, &str), aliases: &[String], dob: Option<&str>, extra: &[String]| match &date {
            Some(d) => match dob {
                Some(dob) if dob == d => 1.0,
                Some(dob) if near_date(dob, d) => 0.9,
                _ => 0.0,
            },
            None => person_name_score(&q, name, aliases, extra),
        };

    // Participants the index found: only those whose identity the guard
    // discloses are scored (one assessment per row, names in one query).
    let found: Vec<PersonId> = found.into_iter().collect();
    let participants = casework::participants_of_persons(&mut c, site, &found).await?;
    let linked: HashSet<PersonId> = participants.iter().map(|p| p.person_id).collect();
    let rows = guard.assess_many(participants).await?;
    let names = guard.identities(&rows).await?;
    let profiles = guard.profiles(&rows).await?;
    let mut scored: Vec<(f64, Access)> = Vec::new();
    for a in rows {
        let id = a.facts().participant().id;
        let Some(person) = names.get(&id) else {
            continue;
        };
        let extra: Vec<String> = profiles
            .get(&id)
            .map(|pr| {
                pr["aliases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let score = score_of(
            (&person.first_name, &person.last_name),
            &person.aliases,
            person.dob.as_deref(),
            &extra,
        );
        if score >= THRESHOLD {
            scored.push((score, a));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.truncate(50);
    let scores: Vec<f64> = scored.iter().map(|(s, _)| *s).collect();
    let summaries = guard
        .rows(scored.into_iter().map(|(_, a)| a).collect())
        .await?;
    let mut hits: Vec<SearchHit> = scores
        .into_iter()
        .zip(summaries)
        .map(|(score, s)| SearchHit {
            score: (score * 1000.0).round() / 1000.0,
            kind: "participant".into(),
            participant: Some(s),
            referral: None,
        })
        .collect();

    // Persons referred and not (yet) participants: the referral rule
    // decides, on each person's latest referral (the list is newest
    // first), whether the caller may see them; their persons are read in
    // one query.
    let mut seen: HashSet<PersonId> = linked;
    let mut latest: Vec<ReferralAccess> = Vec::new();
    for r in access::referrals_of_persons(&mut c, &asker(auth, &agency), &found).await? {
        if seen.insert(r.record().person_id) {
            latest.push(r);
        }
    }
    let grants: Vec<ReferralGrant> = latest.iter().filter_map(ReferralAccess::grant).collect();
    let persons = referrals::referral_persons(&mut c, &grants).await?;
    let mut referred: Vec<(f64, &ReferralAccess)> = latest
        .iter()
        .filter_map(|r| {
            let p = persons.get(&r.record().id)?;
            let score = score_of(
                (&p.first_name, &p.last_name),
                &p.aliases,
                p.dob.as_deref(),
                &[],
            );
            (score >= THRESHOLD).then_some((score, r))
        })
        .collect();
    if !referred.is_empty() {
        referred.sort_by(|a, b| b.0.total_cmp(&a.0));
        referred.truncate(20);
        let ctx = crate::workflow::SiteCtx::load(state, site).await?;
        for (score, r) in referred {
            let (r, p) = (r.record(), &persons[&r.record().id]);
            hits.push(SearchHit {
                score: (score * 1000.0).round() / 1000.0,
                kind: "referral".into(),
                participant: None,
                referral: Some(ReferralHit {
                    id: *r.id.as_uuid(),
                    name: format!("{} {}", p.first_name, p.last_name),
                    dob: p.dob.clone(),
                    status: r.status.as_str().to_string(),
                    referred_on: referrals::iso(ctx.tz.local_date(r.referred_at)),
                }),
            });
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    let mut e = audit::event(auth, "participant.search", Outcome::Allowed, actx);
    e.categories = vec![DataCategory::Identity];
    e.participants = hits
        .iter()
        .filter_map(|h| h.participant.as_ref())
        .map(|p| p.id.into())
        .collect();
    audit::record(state, e).await?;
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_still_finds_the_name() {
        let names = vec![norm("Dana Reyes"), norm("Dana"), norm("Reyes")];
        assert!(name_score(&norm("dana reyse"), &names) >= THRESHOLD);
        assert!(name_score(&norm("Reyez"), &names) >= THRESHOLD);
        assert!(name_score(&norm("Thompson"), &names) < THRESHOLD);
        assert_eq!(as_date("4/2/1988").as_deref(), Some("1988-04-02"));
        assert!(near_date("1988-04-02", "1988-04-03"));
        assert!(name_matches(("dana", "okafr"), ("Dana", "Okafor"), &[]));
        assert!(!name_matches(("Dana", "Nobody"), ("Dana", "Okafor"), &[]));
        assert!(name_matches(
            ("Dee", "Ray"),
            ("Dana", "Reyes"),
            &["Dee Ray".into()]
        ));
    }
}
