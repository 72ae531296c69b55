//! Per-export pseudonyms: person ids in an export are replaced by the
//! numbers 1..=n, ordered by a keyed hash (HMAC-SHA-256) of each id under a
//! key drawn at random for that export. The same person gets the same
//! number everywhere in one export (participants, events, monthly); two
//! exports with different keys cannot be joined on the numbers, and the
//! numbers reveal nothing about Handoff's ids or the order people arrived.

use handoff_domain::{ParticipantId, PersonId};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

/// A per-export secret key. The caller draws it from a CSPRNG for each
/// export and never stores it. `Debug` is redacted.
#[derive(Clone)]
pub struct ExportKey([u8; 32]);

impl ExportKey {
    pub const fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for ExportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExportKey(…)")
    }
}

/// An id with a stable byte form to key pseudonyms on.
pub trait StableId: Eq + Hash + Clone {
    fn stable_bytes(&self) -> Vec<u8>;
}

impl StableId for PersonId {
    fn stable_bytes(&self) -> Vec<u8> {
        self.as_uuid().as_bytes().to_vec()
    }
}

impl StableId for ParticipantId {
    fn stable_bytes(&self) -> Vec<u8> {
        self.as_uuid().as_bytes().to_vec()
    }
}

impl StableId for u64 {
    fn stable_bytes(&self) -> Vec<u8> {
        self.to_be_bytes().to_vec()
    }
}

impl StableId for String {
    fn stable_bytes(&self) -> Vec<u8> {
        self.as_bytes().to_vec()
    }
}

/// HMAC-SHA-256 (RFC 2104) for keys of at most 64 bytes.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    let n = key.len().min(64);
    k[..n].copy_from_slice(&key[..n]);
    let ipad = k.map(|b| b ^ 0x36);
    let opad = k.map(|b| b ^ 0x5c);
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// The pseudonyms of one export.
#[derive(Debug, Clone)]
pub struct Pseudonyms<K: StableId> {
    map: HashMap<K, u64>,
}

impl<K: StableId> Pseudonyms<K> {
    /// Numbers every distinct id 1..=n in the order of its keyed hash.
    pub fn assign(key: &ExportKey, ids: impl IntoIterator<Item = K>) -> Self {
        let mut keyed: Vec<([u8; 32], K)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            if seen.insert(id.clone()) {
                keyed.push((hmac_sha256(&key.0, &id.stable_bytes()), id));
            }
        }
        keyed.sort_by_key(|a| a.0);
        let map = keyed
            .into_iter()
            .enumerate()
            .map(|(i, (_, id))| (id, i as u64 + 1))
            .collect();
        Self { map }
    }

    /// The pseudonym of `id`, if it was assigned one.
    pub fn get(&self, id: &K) -> Option<u64> {
        self.map.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_1() {
        let mac = hmac_sha256(&[0x0b; 20], b"Hi There");
        assert_eq!(
            hex::encode(mac),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn pseudonyms_are_stable_within_an_export_and_differ_across_keys() {
        let ids: Vec<u64> = (1000..1100).collect();
        let k1 = ExportKey::new([1; 32]);
        let a = Pseudonyms::assign(&k1, ids.clone());
        let again = Pseudonyms::assign(&k1, ids.iter().rev().copied());
        let b = Pseudonyms::assign(&ExportKey::new([2; 32]), ids.clone());
        let mut numbers: Vec<u64> = ids.iter().map(|i| a.get(i).unwrap()).collect();
        assert!(ids.iter().all(|i| a.get(i) == again.get(i)));
        assert!(ids.iter().any(|i| a.get(i) != b.get(i)));
        numbers.sort();
        assert_eq!(numbers, (1..=100).collect::<Vec<_>>());
        assert_eq!(a.get(&5), None);
        assert_eq!(format!("{k1:?}"), "ExportKey(…)");
    }
}
