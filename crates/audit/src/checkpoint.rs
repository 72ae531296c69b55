//! Signed checkpoints: an anchor for the audit chains kept outside the
//! database. The chain and `audit_heads` live in the same database, so someone
//! who can write both can delete the last entries and rewind the head, and the
//! chain still verifies. A checkpoint records each chain's head (chain id,
//! sequence number, entry hash, the entry's time) signed with HMAC-SHA-256
//! under a key that is not in the database; verifying against it proves every
//! checkpointed entry is still there, unchanged, and the head has not moved
//! back past it.
//!
//! The format is one JSON object on one line, so a file holds one checkpoint
//! and an external log may hold many, one per line:
//!
//! ```json
//! {"format":"handoff-audit-checkpoint","version":1,"created_at":"2026-12-01T09:00:00Z",
//!  "key_id":"<16 hex>","chains":[{"chain":"<uuid>","seq":42,"entry_hash":"<64 hex>",
//!  "at":"2026-12-01T08:59:58.123456Z"}],"mac":"<64 hex>"}
//! ```
//!
//! `mac` is HMAC-SHA-256 under the key of the JSON array
//! `["handoff-audit-checkpoint", version, created_at, key_id, [[chain, seq, entry_hash, at], …]]`
//! serialised compactly, with every string exactly as it appears in the file.
//! `key_id` is the first 8 bytes (hex) of SHA-256 of `"handoff-audit-key\n" ||
//! key`; it tells a checkpoint signed with another key from an altered one.

use crate::audit_time;
use handoff_domain::SiteId;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const FORMAT: &str = "handoff-audit-checkpoint";
pub const VERSION: u32 = 1;
/// Keys are at least this many bytes (256 bits).
pub const KEY_MIN_BYTES: usize = 32;

type HmacSha256 = Hmac<Sha256>;

/// The secret checkpoints are signed with. Never stored in the database.
#[derive(Clone)]
pub struct CheckpointKey(Vec<u8>);

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointKey(id {})", self.id())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key file must hold at least {KEY_MIN_BYTES} bytes as hex on one line")]
    Invalid,
}

impl CheckpointKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() < KEY_MIN_BYTES {
            return Err(KeyError::Invalid);
        }
        Ok(Self(bytes.to_vec()))
    }

    /// Reads a key file's text: hex on one line (surrounding white space ignored).
    pub fn from_file_text(text: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Invalid)?;
        Self::from_bytes(&bytes)
    }

    /// The text of a key file.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(&self.0))
    }

    /// A public fingerprint of the key (8 bytes, hex).
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"handoff-audit-key\n");
        h.update(&self.0);
        hex::encode(&h.finalize()[..8])
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length.
        HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

/// One chain's head as recorded in a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointHead {
    pub chain: String,
    pub seq: i64,
    pub entry_hash: String,
    pub at: String,
}

/// A checkpoint as written to a file: every field is kept as the exact text
/// that was signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub format: String,
    pub version: u32,
    pub created_at: String,
    pub key_id: String,
    pub chains: Vec<CheckpointHead>,
    pub mac: String,
}

/// A chain's head to be checkpointed, as read from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub chain: SiteId,
    pub seq: i64,
    pub entry_hash: String,
    pub at: OffsetDateTime,
}

/// A checkpointed head whose signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub chain: SiteId,
    pub seq: i64,
    pub entry_hash: String,
    /// When the checkpoint was taken.
    pub checkpoint_at: OffsetDateTime,
}

/// Why a checkpoint is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not a Handoff audit checkpoint: {0}")]
    Malformed(String),
    #[error("unsupported checkpoint version {0}")]
    Version(u32),
    #[error("signed with another key (key id {found}; this key's id is {expected})")]
    OtherKey { found: String, expected: String },
    #[error("its signature does not match: the checkpoint has been altered")]
    BadSignature,
}

fn format_time(t: OffsetDateTime) -> String {
    audit_time(t).format(&Rfc3339).unwrap_or_default()
}

impl Checkpoint {
    /// Signs the heads of every chain as of `now`.
    pub fn sign(key: &CheckpointKey, now: OffsetDateTime, heads: &[Head]) -> Self {
        let mut heads: Vec<&Head> = heads.iter().collect();
        heads.sort_by_key(|h| h.chain);
        let mut c = Checkpoint {
            format: FORMAT.to_string(),
            version: VERSION,
            created_at: format_time(now),
            key_id: key.id(),
            chains: heads
                .into_iter()
                .map(|h| CheckpointHead {
                    chain: h.chain.to_string(),
                    seq: h.seq,
                    entry_hash: h.entry_hash.clone(),
                    at: format_time(h.at),
                })
                .collect(),
            mac: String::new(),
        };
        c.mac = hex::encode(c.compute_mac(key).finalize().into_bytes());
        c
    }

    /// The bytes the MAC covers: every field but `mac`, as a compact JSON array.
    fn signed_bytes(&self) -> Vec<u8> {
        let chains: Vec<_> = self
            .chains
            .iter()
            .map(|h| serde_json::json!([h.chain, h.seq, h.entry_hash, h.at]))
            .collect();
        serde_json::json!([
            self.format,
            self.version,
            self.created_at,
            self.key_id,
            chains
        ])
        .to_string()
        .into_bytes()
    }

    fn compute_mac(&self, key: &CheckpointKey) -> HmacSha256 {
        let mut m = key.mac();
        m.update(&self.signed_bytes());
        m
    }

    /// One line of JSON (no trailing newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serialises")
    }

    /// Parses one checkpoint (one line of JSON), checks its signature under
    /// `key`, then its content, and returns the anchors it vouches for.
    pub fn parse_verified(text: &str, key: &CheckpointKey) -> Result<Vec<Anchor>, CheckpointError> {
        let c: Checkpoint = serde_json::from_str(text.trim())
            .map_err(|e| CheckpointError::Malformed(e.to_string()))?;
        if c.format != FORMAT {
            return Err(CheckpointError::Malformed(format!(
                "format is {:?}, not {FORMAT:?}",
                c.format
            )));
        }
        if c.version != VERSION {
            return Err(CheckpointError::Version(c.version));
        }
        let mac = hex::decode(&c.mac).map_err(|_| CheckpointError::BadSignature)?;
        if c.compute_mac(key).verify_slice(&mac).is_err() {
            if c.key_id != key.id() {
                return Err(CheckpointError::OtherKey {
                    found: c.key_id,
                    expected: key.id(),
                });
            }
            return Err(CheckpointError::BadSignature);
        }
        // Signed by us; still refuse content we would never have written.
        let bad = |what: &str| CheckpointError::Malformed(format!("invalid {what}"));
        let checkpoint_at =
            OffsetDateTime::parse(&c.created_at, &Rfc3339).map_err(|_| bad("created_at"))?;
        c.chains
            .iter()
            .map(|h| {
                let chain = uuid::Uuid::parse_str(&h.chain).map_err(|_| bad("chain"))?;
                if h.seq < 1 {
                    return Err(bad("seq"));
                }
                if h.entry_hash.len() != 64 || !h.entry_hash.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    return Err(bad("entry_hash"));
                }
                Ok(Anchor {
                    chain: SiteId::from_uuid(chain),
                    seq: h.seq,
                    entry_hash: h.entry_hash.clone(),
                    checkpoint_at,
                })
            })
            .collect()
    }
}

/// How a chain no longer matches a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorBreak {
    #[error(
        "chain {chain}: entry seq {seq}, recorded in the checkpoint of {}, is missing ({}): the chain was cut short",
        fmt_at(*checkpoint_at),
        fmt_head(*head)
    )]
    Missing {
        chain: SiteId,
        seq: i64,
        head: Option<i64>,
        checkpoint_at: OffsetDateTime,
    },
    #[error(
        "chain {chain}: entry seq {seq} differs from the one recorded in the checkpoint of {}: the chain was rewritten",
        fmt_at(*checkpoint_at)
    )]
    Rewritten {
        chain: SiteId,
        seq: i64,
        checkpoint_at: OffsetDateTime,
    },
    #[error(
        "chain {chain}: its head is {}, behind seq {seq} recorded in the checkpoint of {}: the head was rewound",
        fmt_head(*head),
        fmt_at(*checkpoint_at)
    )]
    HeadBehind {
        chain: SiteId,
        seq: i64,
        head: Option<i64>,
        checkpoint_at: OffsetDateTime,
    },
}

fn fmt_at(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn fmt_head(head: Option<i64>) -> String {
    match head {
        Some(s) => format!("the chain's head is now seq {s}"),
        None => "the chain's head is gone".to_string(),
    }
}

impl AnchorBreak {
    pub fn chain(&self) -> SiteId {
        match self {
            AnchorBreak::Missing { chain, .. }
            | AnchorBreak::Rewritten { chain, .. }
            | AnchorBreak::HeadBehind { chain, .. } => *chain,
        }
    }
}

/// Checks one anchor against what the database holds now: the hash of the
/// entry at the anchor's sequence number (None when there is no such entry)
/// and the chain's recorded head sequence number (None when there is no head).
pub fn check_anchor(
    anchor: &Anchor,
    stored_hash: Option<&str>,
    head_seq: Option<i64>,
) -> Result<(), AnchorBreak> {
    let (chain, seq, checkpoint_at) = (anchor.chain, anchor.seq, anchor.checkpoint_at);
    match stored_hash {
        None => Err(AnchorBreak::Missing {
            chain,
            seq,
            head: head_seq,
            checkpoint_at,
        }),
        Some(h) if h != anchor.entry_hash => Err(AnchorBreak::Rewritten {
            chain,
            seq,
            checkpoint_at,
        }),
        Some(_) if head_seq.is_none_or(|h| h < seq) => Err(AnchorBreak::HeadBehind {
            chain,
            seq,
            head: head_seq,
            checkpoint_at,
        }),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn key(b: u8) -> CheckpointKey {
        CheckpointKey::from_bytes(&[b; 32]).unwrap()
    }

    fn heads() -> Vec<Head> {
        let t = time::macros::datetime!(2026-11-30 12:00:00.123456789 UTC);
        vec![
            Head {
                chain: SiteId::from_uuid(Uuid::from_u128(9)),
                seq: 12,
                entry_hash: "ab".repeat(32),
                at: t,
            },
            Head {
                chain: SiteId::from_uuid(Uuid::nil()),
                seq: 3,
                entry_hash: "cd".repeat(32),
                at: t,
            },
        ]
    }

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-30 13:00:00 UTC)
    }

    #[test]
    fn a_signed_checkpoint_round_trips_on_one_line() {
        let c = Checkpoint::sign(&key(1), now(), &heads());
        let line = c.to_line();
        assert!(!line.contains('\n'));
        let anchors = Checkpoint::parse_verified(&line, &key(1)).unwrap();
        assert_eq!(anchors.len(), 2);
        assert_eq!(
            anchors[0].chain,
            SiteId::from_uuid(Uuid::nil()),
            "sorted by chain"
        );
        assert_eq!(anchors[1].seq, 12);
        assert_eq!(anchors[1].checkpoint_at, now());
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let line = Checkpoint::sign(&key(1), now(), &heads()).to_line();
        for i in 0..line.len() {
            let mut b = line.clone().into_bytes();
            b[i] ^= 0x01;
            let Ok(s) = String::from_utf8(b) else {
                continue;
            };
            assert!(
                Checkpoint::parse_verified(&s, &key(1)).is_err(),
                "flipping byte {i} went unnoticed: {s}"
            );
        }
    }

    #[test]
    fn another_key_is_named_as_such() {
        let line = Checkpoint::sign(&key(1), now(), &heads()).to_line();
        assert!(matches!(
            Checkpoint::parse_verified(&line, &key(2)),
            Err(CheckpointError::OtherKey { .. })
        ));
        assert!(CheckpointKey::from_bytes(&[0; 31]).is_err());
        let k = key(7);
        assert_eq!(
            CheckpointKey::from_file_text(&k.to_file_text())
                .unwrap()
                .id(),
            k.id()
        );
    }

    #[test]
    fn anchors_catch_truncation_rewrite_and_rewind() {
        let a = Anchor {
            chain: SiteId::from_uuid(Uuid::from_u128(9)),
            seq: 5,
            entry_hash: "ab".repeat(32),
            checkpoint_at: now(),
        };
        let h = "ab".repeat(32);
        assert_eq!(check_anchor(&a, Some(&h), Some(5)), Ok(()));
        assert_eq!(check_anchor(&a, Some(&h), Some(9)), Ok(()));
        let e = check_anchor(&a, None, Some(3)).unwrap_err();
        assert!(matches!(
            e,
            AnchorBreak::Missing {
                seq: 5,
                head: Some(3),
                ..
            }
        ));
        assert!(e.to_string().contains("seq 5") && e.to_string().contains(&a.chain.to_string()));
        assert!(matches!(
            check_anchor(&a, Some(&"cd".repeat(32)), Some(5)),
            Err(AnchorBreak::Rewritten { .. })
        ));
        assert!(matches!(
            check_anchor(&a, Some(&h), Some(4)),
            Err(AnchorBreak::HeadBehind { .. })
        ));
        assert!(matches!(
            check_anchor(&a, Some(&h), None),
            Err(AnchorBreak::HeadBehind { head: None, .. })
        ));
    }
}
