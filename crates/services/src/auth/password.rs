//! argon2id password hashing (the argon2 crate's defaults: 19 MiB, t=2, p=1,
//! as OWASP recommends).

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use std::sync::OnceLock;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash password: {e}"))?
        .to_string())
}

pub fn verify(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check when the account does not exist, so
/// response timing does not reveal which addresses have accounts.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("dummy password for timing").unwrap_or_default());
    let _ = verify(h, password);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = super::hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(super::verify(&h, "correct horse battery staple"));
        assert!(!super::verify(&h, "correct horse battery stapler"));
        assert!(!super::verify("not a hash", "x"));
    }
}
