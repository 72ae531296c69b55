//! Linking imported records to the persons a site knows: referred persons
//! and participants (`p:<person id>`) and the comparison roster
//! (`r:<record id>`): first deterministically (the same first name, last
//! name and date of birth as someone known links at once), then with the
//! site's saved linkage model (`handoff link train`) if it has one.
//!
//! Clerical review decisions are honoured: an accepted pair links, a
//! rejected candidate is never proposed again for that record.

use handoff_domain::{ParticipantId, PersonId, SiteId};
use handoff_justice::{Kind, PersonFields, Record as JusticeRecord, RosterEntry};
use handoff_linkage::{Model, PersonIndex, Record};
use handoff_store::justice::{self, Decision, Link, LinkStatus, SavedModel};
use handoff_store::referrals::Person;
use handoff_store::{Conn, StoreError, casework, referrals};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The columns linkage compares (a model trained with `handoff link train`
/// uses these names).
pub const COLUMNS: [&str; 5] = ["first_name", "middle_name", "last_name", "dob", "sex"];

/// How many candidates the index returns per record.
const CANDIDATES: usize = 5;

/// One person the site knows, as linkage sees it.
#[derive(Debug, Clone)]
pub struct Known {
    /// `p:<person id>` or `r:<roster record id>`.
    pub candidate: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub dob: String,
    pub sex: String,
}

impl Known {
    pub fn record(&self, id: String) -> Record {
        Record::new(id)
            .with("first_name", self.first_name.clone())
            .with("middle_name", self.middle_name.clone())
            .with("last_name", self.last_name.clone())
            .with("dob", self.dob.clone())
            .with("sex", self.sex.clone())
    }

    fn of_person(p: &Person) -> Vec<Known> {
        let base = |first: &str, last: &str| Known {
            candidate: format!("p:{}", p.id),
            first_name: first.to_string(),
            middle_name: String::new(),
            last_name: last.to_string(),
            dob: p.dob.clone().unwrap_or_default(),
            sex: p.sex.clone(),
        };
        let mut out = vec![base(&p.first_name, &p.last_name)];
        for alias in &p.aliases {
            let mut parts = alias.split_whitespace();
            let first = parts.next().unwrap_or_default();
            let rest: Vec<&str> = parts.collect();
            let last = if rest.is_empty() {
                p.last_name.clone()
            } else {
                rest.join(" ")
            };
            out.push(base(first, &last));
        }
        out
    }

    fn of_fields(candidate: String, f: &PersonFields) -> Known {
        Known {
            candidate,
            first_name: f.first_name.clone(),
            middle_name: f.middle_name.clone().unwrap_or_default(),
            last_name: f.last_name.clone(),
            dob: handoff_store::referrals::iso(f.dob),
            sex: f.sex.as_str().to_string(),
        }
    }
}

/// Everyone a site knows: its persons (with aliases) and its comparison
/// roster.
pub async fn known(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Known>, StoreError> {
    let key =
        handoff_store::access::unguarded_persons(site, handoff_store::access::SystemTask::Linkage);
    let mut out: Vec<Known> = referrals::all_persons(c, &key)
        .await?
        .iter()
        .flat_map(Known::of_person)
        .collect();
    for r in justice::of_kind(c, site, Kind::Persons.as_str()).await? {
        if let Ok(JusticeRecord::RosterEntry(RosterEntry { person, .. })) =
            serde_json::from_str::<JusticeRecord>(&r.content)
        {
            out.push(Known::of_fields(format!("r:{}", r.id), &person));
        }
    }
    // The eligible-but-booked log, where the officer knew the name and
    // date of birth: comparison-cohort candidates like the roster's.
    for a in handoff_store::evidence::arrests(c, site).await? {
        if let (Some(first), Some(last), Some(dob)) = (&a.first_name, &a.last_name, &a.dob) {
            out.push(Known {
                candidate: format!("r:{}", a.id),
                first_name: first.clone(),
                middle_name: String::new(),
                last_name: last.clone(),
                dob: dob.clone(),
                sex: a.sex.clone(),
            });
        }
    }
    Ok(out)
}

fn exact_key(first: &str, last: &str, dob: &str) -> Option<(String, String, String)> {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let (f, l) = (norm(first), norm(last));
    (!f.is_empty() && !l.is_empty() && !dob.is_empty()).then(|| (f, l, dob.to_string()))
}

/// Links records for one site.
pub struct Linker {
    index: Option<PersonIndex>,
    exact: HashMap<(String, String, String), String>,
    participants: HashMap<PersonId, ParticipantId>,
    pub auto_threshold: f64,
    pub review_threshold: f64,
    /// Why linking is limited, for the operator (no model yet, …).
    pub note: Option<String>,
    /// Persons and roster entries indexed.
    pub persons: usize,
}

impl Linker {
    /// Loads the site's persons, roster and saved model.
    pub async fn load(c: &mut Conn<'_>, site: SiteId) -> Result<Linker, StoreError> {
        let known = known(c, site).await?;
        let saved = justice::model(c, site).await?;
        let participants = casework::list_participants(c, site)
            .await?
            .into_iter()
            .map(|p| (p.person_id, p.id))
            .collect();
        Ok(Self::build(known, saved.as_ref(), participants))
    }

    pub fn build(
        known: Vec<Known>,
        saved: Option<&SavedModel>,
        participants: HashMap<PersonId, ParticipantId>,
    ) -> Linker {
        let (auto_threshold, review_threshold) = saved.map_or(
            (
                justice::DEFAULT_AUTO_THRESHOLD,
                justice::DEFAULT_REVIEW_THRESHOLD,
            ),
            |m| (m.auto_threshold, m.review_threshold),
        );
        let mut note = None;
        let index = match saved.map(|m| serde_json::from_str::<Model>(&m.model)) {
            Some(Ok(model)) => {
                let records = known
                    .iter()
                    .enumerate()
                    .map(|(i, k)| k.record(format!("{}#{i}", k.candidate)));
                match PersonIndex::build(&model, records) {
                    Ok(ix) => Some(ix),
                    Err(e) => {
                        note = Some(format!(
                            "the saved linkage model cannot be used ({e}); linking by exact name and date of birth only"
                        ));
                        None
                    }
                }
            }
            Some(Err(e)) => {
                note = Some(format!(
                    "the saved linkage model does not read ({e}); linking by exact name and date of birth only"
                ));
                None
            }
            None => {
                note = Some("no linkage model is saved for this site: linking by exact first name, last name and date of birth only (train one with `handoff link train`)".into());
                None
            }
        };
        let mut exact = HashMap::new();
        for k in &known {
            if let Some(key) = exact_key(&k.first_name, &k.last_name, &k.dob) {
                exact.entry(key).or_insert_with(|| k.candidate.clone());
            }
        }
        Linker {
            persons: known.len(),
            index,
            exact,
            participants,
            auto_threshold,
            review_threshold,
            note,
        }
    }

    /// Whether a trained model is in use.
    pub fn has_model(&self) -> bool {
        self.index.is_some()
    }

    /// Links one record, honouring the decisions kept for it.
    pub fn link(&self, record: &JusticeRecord, decisions: &[(String, Decision)]) -> Link {
        if record.kind() == Kind::Persons {
            // Roster entries are persons themselves.
            return Link::unlinked();
        }
        let Some(person) = record.person() else {
            return Link::unlinked();
        };
        let probe = Known::of_fields(String::new(), person);
        let rejected: HashSet<&str> = decisions
            .iter()
            .filter(|(_, d)| *d == Decision::Reject)
            .map(|(c, _)| c.as_str())
            .collect();
        // (candidate, probability, explanation), best first. A
        // deterministic pass first: the same full name and date of birth as
        // someone the site knows links whatever the model says.
        let mut proposals: Vec<(String, f64, serde_json::Value)> = Vec::new();
        if let Some(c) = exact_key(&probe.first_name, &probe.last_name, &probe.dob)
            .and_then(|k| self.exact.get(&k))
            .filter(|c| !rejected.contains(c.as_str()))
        {
            proposals.push((
                c.clone(),
                1.0,
                json!({"rule": "exact first_name, last_name and dob"}),
            ));
        }
        if let Some(ix) = &self.index {
            for m in ix.best_matches(&probe.record(String::new()), CANDIDATES) {
                let candidate = m.id.split('#').next().unwrap_or_default().to_string();
                if proposals.iter().any(|(c, _, _)| *c == candidate) {
                    continue;
                }
                proposals.push((
                    candidate,
                    m.match_probability,
                    serde_json::to_value(&m.explanation).unwrap_or_default(),
                ));
            }
        }
        if let Some((accepted, _)) = decisions.iter().find(|(_, d)| *d == Decision::Accept) {
            let (p, e) = proposals
                .iter()
                .find(|(c, _, _)| c == accepted)
                .map_or((None, None), |(_, p, e)| (Some(*p), Some(e.to_string())));
            return self.attach(accepted, LinkStatus::Accepted, p, e);
        }
        let was_rejected = !rejected.is_empty();
        let best = proposals
            .into_iter()
            .find(|(c, _, _)| !rejected.contains(c.as_str()));
        match best {
            Some((c, p, e)) if p >= self.auto_threshold => {
                self.attach(&c, LinkStatus::Auto, Some(p), Some(e.to_string()))
            }
            Some((c, p, e)) if p >= self.review_threshold => Link {
                status: LinkStatus::Review,
                candidate: Some(c),
                probability: Some(p),
                explanation: Some(e.to_string()),
                ..Link::unlinked()
            },
            _ if was_rejected => Link {
                status: LinkStatus::Rejected,
                ..Link::unlinked()
            },
            _ => Link::unlinked(),
        }
    }

    /// A link to `candidate` with the person, roster entry and participant
    /// filled in.
    pub fn attach(
        &self,
        candidate: &str,
        status: LinkStatus,
        probability: Option<f64>,
        explanation: Option<String>,
    ) -> Link {
        let (person, roster) = parse_candidate(candidate);
        Link {
            status,
            candidate: Some(candidate.to_string()),
            person,
            roster,
            participant: person.and_then(|p| self.participants.get(&p).copied()),
            probability,
            explanation,
        }
    }
}

/// `p:<uuid>` → a person; `r:<uuid>` → a roster record.
pub fn parse_candidate(candidate: &str) -> (Option<PersonId>, Option<Uuid>) {
    match candidate.split_once(':') {
        Some(("p", id)) => (id.parse().ok(), None),
        Some(("r", id)) => (None, id.parse().ok()),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_domain::referral::{Race, Sex};
    use handoff_justice::{Booking, SourceNumber};

    fn known(candidate: &str, first: &str, last: &str, dob: &str) -> Known {
        Known {
            candidate: candidate.into(),
            first_name: first.into(),
            middle_name: String::new(),
            last_name: last.into(),
            dob: dob.into(),
            sex: "F".into(),
        }
    }

    fn booking(first: &str, last: &str) -> JusticeRecord {
        JusticeRecord::Booking(Booking {
            booking_number: SourceNumber::parse("B1").unwrap(),
            booked_at: time::macros::datetime!(2026-03-01 10:00 UTC),
            released_at: None,
            person: PersonFields {
                first_name: first.into(),
                middle_name: None,
                last_name: last.into(),
                dob: time::macros::date!(1988 - 04 - 02),
                sex: Sex::Female,
                race: Race::Unknown,
            },
            person_key: None,
            charges: vec![],
        })
    }

    fn linker() -> (Linker, PersonId, ParticipantId) {
        let person = PersonId::from(Uuid::now_v7());
        let participant = ParticipantId::from(Uuid::now_v7());
        let l = Linker::build(
            vec![
                known(&format!("p:{person}"), "Dana", "Reyes", "1988-04-02"),
                known(
                    "r:0190a1b2-0000-7000-8000-000000000001",
                    "Sam",
                    "Poe",
                    "1970-01-01",
                ),
            ],
            None,
            [(person, participant)].into_iter().collect(),
        );
        (l, person, participant)
    }

    #[test]
    fn the_same_name_and_birth_date_links_to_the_participant() {
        let (l, person, participant) = linker();
        assert!(l.note.is_some(), "no model: the operator is told");
        // Case, spaces and punctuation do not matter.
        let link = l.link(&booking(" dana", "REYES."), &[]);
        assert_eq!(link.status, LinkStatus::Auto);
        assert_eq!(link.person, Some(person));
        assert_eq!(link.participant, Some(participant));
        assert_eq!(link.probability, Some(1.0));
        assert_eq!(l.link(&booking("Dana", "Reyez"), &[]), Link::unlinked());
    }

    #[test]
    fn decisions_are_honoured() {
        let (l, person, _) = linker();
        let candidate = format!("p:{person}");
        let rejected = [(candidate.clone(), Decision::Reject)];
        let link = l.link(&booking("Dana", "Reyes"), &rejected);
        assert_eq!(link.status, LinkStatus::Rejected);
        assert_eq!(link.person, None, "a rejected pair is never linked again");
        let accepted = [(candidate.clone(), Decision::Accept)];
        let link = l.link(&booking("Dana", "Reyez"), &accepted);
        assert_eq!(link.status, LinkStatus::Accepted);
        assert_eq!(link.person, Some(person));
    }

    #[test]
    fn roster_candidates_link_without_a_participant() {
        let (l, _, _) = linker();
        let link = l.link(&booking("Sam", "Poe").clone(), &[]);
        // Different birth date: not linked.
        assert_eq!(link.status, LinkStatus::Unlinked);
        let (p, r) = parse_candidate("r:0190a1b2-0000-7000-8000-000000000001");
        assert_eq!(p, None);
        assert!(r.is_some());
        let link = l.attach(
            "r:0190a1b2-0000-7000-8000-000000000001",
            LinkStatus::Auto,
            None,
            None,
        );
        assert_eq!((link.person, link.participant), (None, None));
        assert!(link.roster.is_some());
    }
}
