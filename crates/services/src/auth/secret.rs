//! Random tokens and their digests.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("operating system random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("operating system random source");
    buf
}

/// SHA-256 hex digest: what the database keeps of session and API tokens.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison for tokens.
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
