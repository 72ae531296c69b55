//! "Already known?": likely matches of a referred person among the persons
//! a site already knows (earlier referrals, participants), by name with
//! typos, alias and date of birth — scored by the linkage engine. Shown to
//! case management serving the referral only, never to the referrer.
//!
//! A match is a name and a date of birth, so it is shown only where the
//! reader may see that person's `identity`: a participant when the
//! disclosure guard allows `identity` to the reader (`disclosure::Guard`, the
//! one rule: the serving agency's staff, or a release naming the reader's
//! organisation); a person who is not a participant when the reader works
//! one of that person's referrals (`workflow::referrals::serves`: before
//! acceptance any case-management agency, after it the serving agency
//! alone). Everyone else is left out, default deny. Every person shown is
//! audited, one `referral.likely_match.read` entry each (naming the
//! participant where there is one, category `identity`), all in one
//! transaction.
//!
//! The model is trained in memory on the site's own persons
//! (`handoff_linkage::run_records`: unsupervised, the engine's default
//! configuration over names and date of birth; nothing is written to any
//! file) and kept with a `PersonIndex` in memory until the number of persons
//! changes.

use crate::AppState;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::disclosure::Guard;
use crate::error::AppResult;
use crate::workflow::referrals::serves;
use handoff_audit::Outcome;
use handoff_domain::disclosure::Answer;
use handoff_domain::{DataCategory, ParticipantId, PersonId, SiteId};
use handoff_linkage::{NoProgress, PersonIndex, Record, RunOptions};
use handoff_store::access::{self, SystemTask};
use handoff_store::casework;
use handoff_store::orgs::Agency;
use handoff_store::referrals::{self, Filter, Person, ReferralRecord};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;
use uuid::Uuid;

/// The fewest persons worth training a model on.
const MIN_PERSONS: usize = 20;

/// Sites whose trained index is kept (the most recently used).
const SITES: usize = 16;

pub struct KnownCache {
    sites: Mutex<handoff_linkage::search::Recent<SiteId, Arc<Built>>>,
}

impl Default for KnownCache {
    fn default() -> Self {
        Self {
            sites: Mutex::new(handoff_linkage::search::Recent::new(SITES)),
        }
    }
}

pub struct Built {
    persons: usize,
    index: Option<PersonIndex>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LikelyMatch {
    pub person_id: Uuid,
    pub name: String,
    pub dob: Option<String>,
    pub match_probability: f64,
    /// The per-field contributions to the match weight.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

fn records(p: &Person) -> Vec<Record> {
    let base = |id: String, first: &str, last: &str| {
        Record::new(id)
            .with("first_name", first)
            .with("last_name", last)
            .with("dob", p.dob.clone().unwrap_or_default())
    };
    let mut out = vec![base(p.id.to_string(), &p.first_name, &p.last_name)];
    for (i, alias) in p.aliases.iter().enumerate() {
        let mut parts = alias.split_whitespace();
        let first = parts.next().unwrap_or_default();
        let last: Vec<&str> = parts.collect();
        let last = if last.is_empty() {
            p.last_name.clone()
        } else {
            last.join(" ")
        };
        out.push(base(format!("{}#{i}", p.id), first, &last));
    }
    out
}

fn build(persons: &[Person]) -> Option<PersonIndex> {
    if persons.len() < MIN_PERSONS {
        return None;
    }
    let all: Vec<Record> = persons.iter().flat_map(records).collect();
    let run = handoff_linkage::run_records(
        &all,
        &RunOptions {
            threshold: 1.0,
            ..RunOptions::default()
        },
        &NoProgress,
    )
    .ok()?;
    PersonIndex::build(&run.model, all).ok()
}

/// The index of a site's persons, trained again when their number changed.
async fn index_of(state: &AppState, site: SiteId, persons: &[Person]) -> Arc<Built> {
    let cached = state
        .known
        .sites
        .lock()
        .ok()
        .and_then(|mut m| m.get(&site))
        .filter(|b| b.persons == persons.len());
    if let Some(b) = cached {
        return b;
    }
    let ps = persons.to_vec();
    let index = tokio::task::spawn_blocking(move || build(&ps))
        .await
        .ok()
        .flatten();
    let b = Arc::new(Built {
        persons: persons.len(),
        index,
    });
    if let Ok(mut m) = state.known.sites.lock() {
        m.insert(site, b.clone());
    }
    b
}

/// Whom of the site's persons the reader may see under `identity`.
struct Visibility<'a> {
    auth: &'a Auth,
    agency: &'a Agency,
    /// Each person's participants, with whether the guard discloses their
    /// `identity` to the reader.
    participants: HashMap<PersonId, Vec<(ParticipantId, bool)>>,
    referrals: HashMap<PersonId, Vec<ReferralRecord>>,
}

impl<'a> Visibility<'a> {
    async fn load(
        state: &'a AppState,
        auth: &'a Auth,
        agency: &'a Agency,
        site: SiteId,
    ) -> AppResult<Visibility<'a>> {
        let guard = Guard::new(state, auth).await?;
        let mut c = state.store.conn();
        let all = casework::list_participants(&mut c, site).await?;
        let mut participants: HashMap<PersonId, Vec<(ParticipantId, bool)>> = HashMap::new();
        for p in &all {
            participants
                .entry(p.person_id)
                .or_default()
                .push((p.id, false));
        }
        // One assessment per participant, their facts loaded together.
        for a in guard.assess_many(all).await? {
            let p = a.facts().participant();
            let identity = matches!(
                a.assessment().answer(DataCategory::Identity),
                Answer::Allowed(_)
            );
            if let Some(row) = participants
                .get_mut(&p.person_id)
                .and_then(|ps| ps.iter_mut().find(|(id, _)| *id == p.id))
            {
                row.1 = identity;
            }
        }
        let mut by_person: HashMap<PersonId, Vec<ReferralRecord>> = HashMap::new();
        for r in referrals::list(&mut c, site, Filter::All, i64::MAX).await? {
            by_person.entry(r.person_id).or_default().push(r);
        }
        Ok(Visibility {
            auth,
            agency,
            participants,
            referrals: by_person,
        })
    }

    /// `None` when the reader may not see the person; otherwise the
    /// participants (of this person) whose identity is disclosed to the
    /// reader, empty for a person who is not a participant.
    fn identity(&self, person: PersonId) -> Option<Vec<ParticipantId>> {
        if let Some(ps) = self.participants.get(&person) {
            // A participant: the disclosure engine decides, whatever referral
            // the reader may also work.
            let shown: Vec<ParticipantId> =
                ps.iter().filter(|(_, ok)| *ok).map(|(id, _)| *id).collect();
            return (!shown.is_empty()).then_some(shown);
        }
        let works_a_referral = self
            .referrals
            .get(&person)
            .is_some_and(|rs| rs.iter().any(|r| serves(self.auth, self.agency, r)));
        works_a_referral.then(Vec::new)
    }
}

/// Likely earlier records of the person of `referral` at the site that the
/// reader may see, best first, each shown person audited. The caller has
/// checked that the reader serves `referral`.
pub async fn likely_matches(
    state: &AppState,
    auth: &Auth,
    agency: &Agency,
    actx: &Ctx,
    referral: &ReferralRecord,
) -> AppResult<Vec<LikelyMatch>> {
    let site = referral.site_id;
    // Training and matching read every person of the site (a system task,
    // nothing shown); what is shown passes `Visibility` below.
    let key = access::unguarded_persons(site, SystemTask::Linkage);
    let persons = referrals::all_persons(&mut state.store.conn(), &key).await?;
    let built = index_of(state, site, &persons).await;
    let (Some(index), Some(me)) = (
        &built.index,
        persons.iter().find(|p| p.id == referral.person_id),
    ) else {
        return Ok(Vec::new());
    };
    let by_id: HashMap<String, &Person> = persons.iter().map(|p| (p.id.to_string(), p)).collect();
    // Every candidate sharing a blocking key, so that persons left out do
    // not crowd out those the reader may see.
    let mut seen = vec![me.id];
    let mut candidates = Vec::new();
    for m in index.best_matches(&records(me)[0], index.len()) {
        if m.match_probability < 0.5 {
            break;
        }
        let pid = m.id.split('#').next().unwrap_or_default();
        let Some(p) = by_id.get(pid) else { continue };
        if seen.contains(&p.id) {
            continue;
        }
        seen.push(p.id);
        candidates.push((*p, m));
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let visibility = Visibility::load(state, auth, agency, site).await?;
    let mut out = Vec::new();
    let mut audited: Vec<(PersonId, Option<ParticipantId>)> = Vec::new();
    for (p, m) in candidates {
        let Some(participants) = visibility.identity(p.id) else {
            continue;
        };
        if participants.is_empty() {
            audited.push((p.id, None));
        }
        audited.extend(participants.into_iter().map(|pid| (p.id, Some(pid))));
        out.push(LikelyMatch {
            person_id: *p.id.as_uuid(),
            name: format!("{} {}", p.first_name, p.last_name),
            dob: p.dob.clone(),
            match_probability: m.match_probability,
            explanation: serde_json::to_value(&m.explanation).unwrap_or_default(),
        });
        if out.len() == 5 {
            break;
        }
    }
    if !audited.is_empty() {
        let mut tx = state.store.begin().await?;
        for (person, participant) in audited {
            let mut e = audit::event(auth, "referral.likely_match.read", Outcome::Allowed, actx);
            e.subject_participant_id = participant;
            e.subject_ref = Some(format!("person:{person}"));
            e.categories = vec![DataCategory::Identity];
            audit::record_in(&mut tx, e).await?;
        }
        tx.commit().await?;
    }
    Ok(out)
}
