//! "Already known?": likely matches of a referred person among the persons
//! a site already knows (earlier referrals, participants), by name with
//! typos, alias and date of birth — scored by the linkage engine. Shown to
//! case managers and supervisors only, never to the referrer.
//!
//! The model is trained on the site's own persons (unsupervised, the
//! engine's default configuration over names and date of birth) and kept with a `PersonIndex` in memory
//! until the number of persons changes.

use crate::AppState;
use handoff_domain::{PersonId, SiteId};
use handoff_linkage::{PersonIndex, Record, RunOptions};
use handoff_store::referrals::{self, Person};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;
use uuid::Uuid;

/// The fewest persons worth training a model on.
const MIN_PERSONS: usize = 20;

#[derive(Default)]
pub struct KnownCache {
    sites: Mutex<HashMap<SiteId, Arc<Built>>>,
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
    let dir = std::env::temp_dir().join(format!("handoff-known-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("persons.csv");
    let result = (|| {
        let mut w =
            csv::Writer::from_writer(std::io::BufWriter::new(std::fs::File::create(&path).ok()?));
        w.write_record(["id", "first_name", "last_name", "dob"])
            .ok()?;
        let all: Vec<Record> = persons.iter().flat_map(records).collect();
        for r in &all {
            let get = |k: &str| r.values.get(k).cloned().unwrap_or_default();
            w.write_record([
                r.id.clone(),
                get("first_name"),
                get("last_name"),
                get("dob"),
            ])
            .ok()?;
        }
        w.flush().ok()?;
        drop(w);
        let run = handoff_linkage::run(
            &path,
            None,
            &RunOptions {
                threshold: 1.0,
                ..RunOptions::default()
            },
            &handoff_linkage::NoProgress,
        )
        .ok()?;
        PersonIndex::build(&run.model, all).ok()
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Likely earlier records of `person` at the site, best first.
pub async fn likely_matches(state: &AppState, site: SiteId, person: PersonId) -> Vec<LikelyMatch> {
    let Ok(persons) = referrals::all_persons(&mut state.store.conn(), site).await else {
        return Vec::new();
    };
    let cached = state
        .known
        .sites
        .lock()
        .ok()
        .and_then(|m| m.get(&site).cloned())
        .filter(|b| b.persons == persons.len());
    let built = match cached {
        Some(b) => b,
        None => {
            let ps = persons.clone();
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
    };
    let (Some(index), Some(me)) = (&built.index, persons.iter().find(|p| p.id == person)) else {
        return Vec::new();
    };
    let by_id: HashMap<String, &Person> = persons.iter().map(|p| (p.id.to_string(), p)).collect();
    let mut seen = vec![me.id];
    let mut out = Vec::new();
    for m in index.best_matches(&records(me)[0], 10) {
        let pid = m.id.split('#').next().unwrap_or_default();
        let Some(p) = by_id.get(pid) else { continue };
        if seen.contains(&p.id) || m.match_probability < 0.5 {
            continue;
        }
        seen.push(p.id);
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
    out
}
