//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, one step
//! of clock skew either way), enrolment QR codes and recovery codes.

use super::secret;
use totp_rs::{Algorithm, Secret, TOTP};

/// A new 160-bit secret, base32-encoded for authenticator apps.
pub fn new_secret() -> String {
    Secret::Raw(secret::random_bytes(20))
        .to_encoded()
        .to_string()
}

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// The code for a time (tests and the demo use it).
pub fn code_at(secret_b32: &str, unix: u64) -> Option<String> {
    totp(secret_b32).map(|t| t.generate(unix))
}

/// Checks a code at `unix` time; returns the matching time step so the
/// caller can refuse a replay of the same step.
pub fn check(secret_b32: &str, code: &str, unix: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32)?;
    let step = (unix / 30) as i64;
    [step - 1, step, step + 1]
        .into_iter()
        .filter(|s| *s >= 0)
        .find(|s| secret::same(&t.generate((*s as u64) * 30), &code))
}

/// The `otpauth://` URL an authenticator app reads from the QR code.
pub fn otpauth_url(account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/Handoff:{}?secret={}&issuer=Handoff&algorithm=SHA1&digits=6&period=30",
        enc(account),
        secret_b32
    )
}

/// The QR code of a URL as an inline SVG.
pub fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// Ten single-use recovery codes, shown once; only their digests are kept.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let raw = secret::random_bytes(5);
            let s = hex::encode(raw);
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

pub fn normalise_recovery_code(code: &str) -> String {
    code.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits) → last 6: 287082.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(check(&secret, "287082", 59), Some(1));
        assert_eq!(
            check(&secret, "287082", 59 + 30),
            Some(1),
            "one step of skew"
        );
        assert_eq!(check(&secret, "287082", 59 + 90), None);
        assert_eq!(check(&secret, "28708", 59), None);
    }

    #[test]
    fn urls_encode_the_account() {
        let u = otpauth_url("a@b.org", "ABC");
        assert!(u.contains("Handoff:a%40b.org?secret=ABC"), "{u}");
        assert!(qr_svg(&u).starts_with("<?xml") || qr_svg(&u).contains("<svg"));
    }
}
