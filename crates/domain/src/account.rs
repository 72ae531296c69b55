//! Accounts: e-mail addresses as login names, and the password policy after
//! NIST SP 800-63B (length, a list of common passwords, no composition rules,
//! no forced rotation).

use crate::ParseError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised (trimmed, lower-case) e-mail address used as a login name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim().to_lowercase();
        let err = |m: &str| Err(ParseError::new("email", m));
        if s.is_empty() {
            return err("is required");
        }
        if s.len() > 254 {
            return err("is longer than 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return err("must contain @");
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return err("is not a valid address");
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return err("needs a domain such as example.org");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return err("must not contain spaces");
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }
}

impl std::str::FromStr for Email {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

crate::text_conversions!(Email, ParseError, String, |v| v.0);

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's name as colleagues see it: trimmed, not empty, no control
/// characters and no bidirectional formatting characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ParseError::new("display_name", "is required"));
        }
        if s.chars().any(char::is_control) {
            return Err(ParseError::new(
                "display_name",
                "contains control characters",
            ));
        }
        crate::text::refuse_bidi_controls("display_name", s)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a password was refused. The message is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must be at most 256 characters")]
    TooLong,
    #[error("is on the list of commonly used passwords")]
    Common,
    #[error("must not contain your e-mail name")]
    ContainsLogin,
    #[error("is too repetitive (one character or a simple sequence)")]
    Repetitive,
}

/// NIST SP 800-63B password policy. Demo mode allows the short demo password.
#[derive(Debug, Clone, Copy)]
pub struct PasswordPolicy {
    pub min_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 12 }
    }
}

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

impl PasswordPolicy {
    pub fn check(&self, password: &str, login: Option<&Email>) -> Result<(), PasswordRejected> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(PasswordRejected::TooShort(self.min_length));
        }
        if len > 256 {
            return Err(PasswordRejected::TooLong);
        }
        let lower = password.to_lowercase();
        if COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .any(|common| common == lower)
        {
            return Err(PasswordRejected::Common);
        }
        if let Some(login) = login {
            let local = login.local_part();
            if local.len() >= 4 && lower.contains(local) {
                return Err(PasswordRejected::ContainsLogin);
            }
        }
        let chars: Vec<char> = lower.chars().collect();
        let distinct = {
            let mut c = chars.clone();
            c.sort_unstable();
            c.dedup();
            c.len()
        };
        let sequential = chars
            .windows(2)
            .all(|w| (w[1] as i64 - w[0] as i64).abs() == 1);
        if distinct <= 2 || sequential {
            return Err(PasswordRejected::Repetitive);
        }
        Ok(())
    }
}

/// Whether an account needs a second factor to sign in: every account does,
/// whatever its roles — a site admin manages users and policy, oversight and
/// bureau accounts read the site's figures and audit summary, and any of them
/// is worth stealing. The one exception is the demo site's seeded accounts
/// (`*@demo.test`, marked as demo), which sign in with the published password
/// alone. This is the only place the rule is decided.
pub const fn second_factor_required(is_demo: bool) -> bool {
    !is_demo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_trimmed_and_checked() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("  Sam Ortiz ", Ok("Sam Ortiz")),
            (
                "\u{062F}\u{0627}\u{0646}\u{0627}",
                Ok("\u{062F}\u{0627}\u{0646}\u{0627}"),
            ),
            ("   ", Err("is required")),
            ("Sam\nOrtiz", Err("contains control characters")),
            ("Sam \u{202E}ztirO", Err("U+202E")),
            ("\u{2066}Admin\u{2069}", Err("U+2066")),
        ];
        for (raw, want) in cases {
            match (DisplayName::parse(raw), want) {
                (Ok(n), Ok(w)) => assert_eq!(n.as_str(), *w),
                (Err(e), Err(w)) => {
                    assert_eq!(e.field, "display_name");
                    assert!(e.message.contains(w), "{raw:?}: {}", e.message);
                }
                (got, _) => panic!("{raw:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn every_account_but_a_demo_one_needs_a_second_factor() {
        for (is_demo, required) in [(false, true), (true, false)] {
            assert_eq!(
                second_factor_required(is_demo),
                required,
                "is_demo={is_demo}"
            );
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse(" Officer@Demo.Test ").unwrap().as_str(),
            "officer@demo.test"
        );
        for bad in ["", "no-at", "a@b", "a@@b.c", "@b.c", "a b@c.d"] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }

    #[test]
    fn password_policy_follows_800_63b() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("short", None), Err(PasswordRejected::TooShort(12)));
        assert_eq!(p.check("password1234", None), Err(PasswordRejected::Common));
        assert_eq!(
            p.check("aaaaaaaaaaaaaaa", None),
            Err(PasswordRejected::Repetitive)
        );
        assert_eq!(
            p.check("abcdefghijklm", None),
            Err(PasswordRejected::Repetitive)
        );
        let login = Email::parse("dana.reyes@site.org").unwrap();
        assert_eq!(
            p.check("my dana.reyes secret", Some(&login)),
            Err(PasswordRejected::ContainsLogin)
        );
        assert!(
            p.check("correct horse battery staple", Some(&login))
                .is_ok()
        );
        // No composition rules: a long lower-case passphrase is fine.
        assert!(p.check("tulips under the viaduct", None).is_ok());
    }

    #[test]
    fn demo_policy_accepts_the_demo_password() {
        let demo = PasswordPolicy { min_length: 8 };
        assert!(demo.check("demo-password", None).is_ok());
    }
}
