//! Handoff's audit log, tamper-evident: the hash chain and signed
//! checkpoints. Pure: no database, no clock (callers pass `now`).
//!
//! The audit log's hash chain. Each site's entries form one chain (the
//! "system" chain, for events outside any site such as a failed login for an
//! unknown address, uses the nil site id). Every entry stores the SHA-256 of
//! its predecessor and of its own canonical content, so altering, inserting or
//! deleting a row breaks verification from that row on.

pub mod checkpoint;

use handoff_domain::{
    AgencyId, ApiTokenId, AuditEntryId, DataCategory, ParticipantId, Role, SiteId, UserId,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The hash that precedes the first entry of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the audited action was carried out or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub const fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allowed" => Some(Outcome::Allowed),
            "denied" => Some(Outcome::Denied),
            _ => None,
        }
    }
}

/// What happened, before it is placed in a chain. Never holds personal data
/// beyond ids: no names, no e-mail addresses, no free text from users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub site_id: Option<SiteId>,
    pub actor_user_id: Option<UserId>,
    pub actor_role: Option<Role>,
    pub actor_agency_id: Option<AgencyId>,
    /// The integration (API token) that acted, when the actor is a token
    /// rather than a person; `actor_user_id` and `actor_role` are then empty
    /// and `actor_agency_id` is the token's agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_token_id: Option<ApiTokenId>,
    /// A dotted action name, e.g. `auth.login`, `admin.user.create`, `participant.read`.
    pub action: String,
    pub subject_participant_id: Option<ParticipantId>,
    /// Every participant a list, agenda, search or export showed (a read of
    /// one participant uses `subject_participant_id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<ParticipantId>,
    /// A subject that is not a participant (a user, a token, an agency), as `kind:id`.
    pub subject_ref: Option<String>,
    pub categories: Vec<DataCategory>,
    pub outcome: Outcome,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl AuditEvent {
    pub fn new(action: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            site_id: None,
            actor_user_id: None,
            actor_role: None,
            actor_agency_id: None,
            actor_token_id: None,
            action: action.into(),
            subject_participant_id: None,
            participants: Vec::new(),
            subject_ref: None,
            categories: Vec::new(),
            outcome,
            request_id: None,
            client_ip: None,
        }
    }
}

/// An entry as stored: the event, its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    /// Chain key: the site, or the nil id for the system chain.
    pub chain: SiteId,
    pub seq: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub event: AuditEvent,
    pub prev_hash: String,
    pub entry_hash: String,
}

/// The canonical bytes hashed for an entry: a JSON array in a fixed order.
fn canonical(
    id: &AuditEntryId,
    chain: &SiteId,
    seq: i64,
    at: OffsetDateTime,
    e: &AuditEvent,
) -> Vec<u8> {
    let mut categories: Vec<&str> = e.categories.iter().map(|c| c.as_str()).collect();
    categories.sort_unstable();
    let at = at
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut value = serde_json::json!([
        id.to_string(),
        chain.to_string(),
        seq,
        at,
        e.site_id.map(|s| s.to_string()),
        e.actor_user_id.map(|s| s.to_string()),
        e.actor_role.map(|r| r.as_str()),
        e.actor_agency_id.map(|s| s.to_string()),
        e.action,
        e.subject_participant_id.map(|s| s.to_string()),
        e.subject_ref,
        categories,
        e.outcome.as_str(),
        e.request_id,
        e.client_ip,
    ]);
    // Appended only when present, so entries written before tokens were
    // principals of their own keep their hashes.
    if let (Some(token), Some(array)) = (e.actor_token_id, value.as_array_mut()) {
        array.push(serde_json::json!(["token", token.to_string()]));
    }
    // Likewise the participants a list showed, sorted.
    if !e.participants.is_empty()
        && let Some(array) = value.as_array_mut()
    {
        let mut ids: Vec<String> = e.participants.iter().map(|p| p.to_string()).collect();
        ids.sort_unstable();
        ids.dedup();
        array.push(serde_json::json!(["participants", ids]));
    }
    value.to_string().into_bytes()
}

/// Truncates a time to the microsecond, the precision both databases keep, so
/// that what is hashed is exactly what is read back.
pub fn audit_time(at: OffsetDateTime) -> OffsetDateTime {
    let micros = at.microsecond();
    at.to_offset(time::UtcOffset::UTC)
        .replace_microsecond(micros)
        .unwrap_or(at)
}

/// Hash of an entry given its predecessor's hash.
pub fn entry_hash(
    id: &AuditEntryId,
    chain: &SiteId,
    seq: i64,
    at: OffsetDateTime,
    event: &AuditEvent,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical(id, chain, seq, at, event));
    hex::encode(h.finalize())
}

/// Places an event after `prev` (None for the first entry of a chain).
pub fn chain_entry(
    id: AuditEntryId,
    chain: SiteId,
    at: OffsetDateTime,
    event: AuditEvent,
    prev: Option<(i64, &str)>,
) -> AuditEntry {
    let at = audit_time(at);
    let (seq, prev_hash) = match prev {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (1, GENESIS_HASH.to_string()),
    };
    let entry_hash = entry_hash(&id, &chain, seq, at, &event, &prev_hash);
    AuditEntry {
        id,
        chain,
        seq,
        at,
        event,
        prev_hash,
        entry_hash,
    }
}

/// Why a chain failed verification: the first entry that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error(
        "chain {chain}: entry seq {seq} (id {id}) has been altered: its content no longer matches its hash"
    )]
    Altered {
        chain: SiteId,
        seq: i64,
        id: AuditEntryId,
    },
    #[error(
        "chain {chain}: entry seq {seq} (id {id}) does not follow its predecessor: an entry before it was removed, inserted or altered"
    )]
    Unlinked {
        chain: SiteId,
        seq: i64,
        id: AuditEntryId,
    },
    #[error("chain {chain}: entry seq {expected} is missing (found seq {found} next)")]
    Gap {
        chain: SiteId,
        expected: i64,
        found: i64,
    },
    #[error(
        "chain {chain}: the chain ends at seq {last} but its recorded head is seq {head}: entries at the end were removed"
    )]
    Truncated { chain: SiteId, last: i64, head: i64 },
    #[error("chain {chain}: the last entry's hash differs from the recorded head")]
    HeadMismatch { chain: SiteId },
}

/// Incremental verifier: feed one chain's entries in `seq` order, then call
/// [`ChainVerifier::finish`] with the recorded head. Memory stays constant
/// however long the chain.
#[derive(Debug)]
pub struct ChainVerifier {
    chain: SiteId,
    last_seq: i64,
    last_hash: String,
}

impl ChainVerifier {
    pub fn new(chain: SiteId) -> Self {
        Self {
            chain,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
        }
    }

    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        let chain = self.chain;
        if e.seq != self.last_seq + 1 {
            return Err(ChainBreak::Gap {
                chain,
                expected: self.last_seq + 1,
                found: e.seq,
            });
        }
        let recomputed = entry_hash(&e.id, &e.chain, e.seq, e.at, &e.event, &e.prev_hash);
        if recomputed != e.entry_hash {
            return Err(ChainBreak::Altered {
                chain,
                seq: e.seq,
                id: e.id,
            });
        }
        if e.prev_hash != self.last_hash {
            return Err(ChainBreak::Unlinked {
                chain,
                seq: e.seq,
                id: e.id,
            });
        }
        self.last_seq = e.seq;
        self.last_hash = e.entry_hash.clone();
        Ok(())
    }

    /// `head` is the (seq, hash) recorded when the last entry was appended.
    pub fn finish(self, head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let chain = self.chain;
        if let Some((head_seq, head_hash)) = head {
            if head_seq != self.last_seq {
                return Err(ChainBreak::Truncated {
                    chain,
                    last: self.last_seq,
                    head: head_seq,
                });
            }
            if head_hash != self.last_hash {
                return Err(ChainBreak::HeadMismatch { chain });
            }
        }
        Ok(self.last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> AuditEntryId {
        AuditEntryId::from_uuid(Uuid::from_u128(n))
    }

    fn chain_of(n: usize) -> Vec<AuditEntry> {
        let site = SiteId::from_uuid(Uuid::from_u128(7));
        let t0 = time::macros::datetime!(2026-11-30 12:00:00.123456789 UTC);
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let mut ev = AuditEvent::new("participant.read", Outcome::Allowed);
            ev.categories = vec![DataCategory::Notes, DataCategory::Identity];
            let prev = out.last().map(|e| (e.seq, e.entry_hash.as_str()));
            let e = chain_entry(
                id(i as u128),
                site,
                t0 + time::Duration::seconds(i as i64),
                ev,
                prev,
            );
            out.push(e);
        }
        out
    }

    fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new(
            entries
                .first()
                .map(|e| e.chain)
                .unwrap_or(SiteId::from_uuid(Uuid::nil())),
        );
        for e in entries {
            v.push(e)?;
        }
        v.finish(head)
    }

    #[test]
    fn a_token_actor_is_hashed_and_entries_without_one_keep_their_hash() {
        let site = SiteId::from_uuid(Uuid::from_u128(7));
        let t0 = time::macros::datetime!(2026-11-30 12:00:00 UTC);
        let ev = AuditEvent::new("justice.import", Outcome::Allowed);
        // The canonical form of an entry without a token is unchanged (the
        // hash of a fixed entry, computed before tokens had a column).
        let before = chain_entry(id(1), site, t0, ev.clone(), None);
        assert_eq!(
            String::from_utf8(canonical(&before.id, &site, 1, before.at, &ev)).unwrap(),
            format!(
                "[\"{}\",\"{site}\",1,\"2026-11-30T12:00:00Z\",null,null,null,null,\"justice.import\",null,null,[],\"allowed\",null,null]",
                before.id
            )
        );
        let mut by_token = ev.clone();
        by_token.actor_token_id = Some(ApiTokenId::from_uuid(Uuid::from_u128(9)));
        let e = chain_entry(id(1), site, t0, by_token, None);
        assert_ne!(
            e.entry_hash, before.entry_hash,
            "the token is part of the hash"
        );
        let mut v = ChainVerifier::new(site);
        v.push(&e).unwrap();
        // Changing which token acted breaks the chain.
        let mut forged = e.clone();
        forged.event.actor_token_id = Some(ApiTokenId::from_uuid(Uuid::from_u128(10)));
        let mut v = ChainVerifier::new(site);
        assert!(v.push(&forged).is_err());
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain_of(5);
        let head = c.last().map(|e| (e.seq, e.entry_hash.as_str()));
        assert_eq!(verify(&c, head), Ok(5));
        assert_eq!(c[0].prev_hash, GENESIS_HASH);
        assert_eq!(
            c[0].at.nanosecond() % 1000,
            0,
            "times are kept to the microsecond"
        );
    }

    #[test]
    fn altering_any_field_is_detected_at_that_entry() {
        let mut c = chain_of(5);
        c[2].event.outcome = Outcome::Denied;
        let head = (5, c[4].entry_hash.clone());
        assert!(matches!(
            verify(&c, Some((head.0, &head.1))),
            Err(ChainBreak::Altered { seq: 3, .. })
        ));
    }

    #[test]
    fn deleting_an_entry_is_detected() {
        let mut c = chain_of(5);
        let head = (5, c[4].entry_hash.clone());
        c.remove(1);
        assert!(matches!(
            verify(&c, Some((head.0, &head.1))),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3,
                ..
            })
        ));
        let mut c = chain_of(5);
        c.pop();
        assert!(matches!(
            verify(&c, Some((head.0, &head.1))),
            Err(ChainBreak::Truncated {
                last: 4,
                head: 5,
                ..
            })
        ));
    }

    #[test]
    fn rehashing_an_altered_entry_breaks_the_link_to_the_next() {
        let mut c = chain_of(4);
        let e = &mut c[1];
        e.event.action = "participant.write".into();
        e.entry_hash = entry_hash(&e.id, &e.chain, e.seq, e.at, &e.event, &e.prev_hash);
        let head = (4, c[3].entry_hash.clone());
        assert!(matches!(
            verify(&c, Some((head.0, &head.1))),
            Err(ChainBreak::Unlinked { seq: 3, .. })
        ));
    }
}
