//! Integrations: API tokens as principals of their own (DESIGN.md §3, the
//! "integration" row). A token is named, owned by an agency, carries an
//! explicit set of scopes and an expiry, and is never a person: it acts as
//! no one, reads no participant content, and can do only the actions its
//! scopes name. Which scope allows which action is the table
//! [`SCOPE_GRANTS`]; nothing else decides it.

use crate::ParseError;
use crate::org::string_enum;
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

string_enum! {
    /// What a token may be used for. Parsed once, at the edge (admin form,
    /// `handoff admin create-token --scope`, the stored row).
    Scope {
        /// Post jail bookings to `POST /api/v1/feeds/bookings`.
        BookingsFeed = "bookings_feed",
        /// Post justice files to `POST /api/v1/imports/{kind}`.
        Imports = "imports",
        /// Receive the HUD HMIS export for the housing partner.
        HmisExport = "hmis_export",
    }
}

string_enum! {
    /// Everything an integration could ever be allowed to do. Whatever is
    /// not named here — every page, every read of participant content,
    /// referrals, casework, the evaluation dataset — no token can do,
    /// whatever its scopes.
    TokenAction {
        /// `POST /api/v1/feeds/bookings`.
        PostBookingsFeed = "post_bookings_feed",
        /// `POST /api/v1/imports/{kind}`, any kind.
        RunImport = "run_import",
        /// The HMIS export (today produced by `handoff export hmis`; no
        /// HTTP route serves it yet).
        ReceiveHmisExport = "receive_hmis_export",
    }
}

/// Which scope allows which action. A token may do an action exactly when
/// one of its scopes is paired with it here.
pub const SCOPE_GRANTS: &[(Scope, TokenAction)] = &[
    (Scope::BookingsFeed, TokenAction::PostBookingsFeed),
    (Scope::Imports, TokenAction::RunImport),
    (Scope::HmisExport, TokenAction::ReceiveHmisExport),
];

/// Whether one scope allows an action.
pub fn scope_allows(scope: Scope, action: TokenAction) -> bool {
    SCOPE_GRANTS.contains(&(scope, action))
}

/// The scopes that allow an action (for documentation: the OpenAPI
/// security requirement of each operation).
pub fn scopes_for(action: TokenAction) -> Vec<Scope> {
    SCOPE_GRANTS
        .iter()
        .filter(|(_, a)| *a == action)
        .map(|(s, _)| *s)
        .collect()
}

/// A token's scopes: a non-empty set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// At least one scope is required: a token that may do nothing is a
    /// mistake, not a principal.
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, ParseError> {
        let set: BTreeSet<Scope> = scopes.into_iter().collect();
        if set.is_empty() {
            return Err(ParseError::new(
                "scope",
                format!(
                    "choose at least one of: {}",
                    Scope::ALL
                        .iter()
                        .map(Scope::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(Scopes(set))
    }

    /// Parses scope names (from a form or the command line).
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, ParseError> {
        let scopes = names
            .into_iter()
            .map(|s| {
                s.trim().parse::<Scope>().map_err(|e| ParseError {
                    field: "scope".into(),
                    message: e.message,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(scopes)
    }

    /// The stored form: names separated by single spaces, sorted.
    pub fn to_storage(&self) -> String {
        self.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads the stored form back.
    pub fn from_storage(s: &str) -> Result<Self, ParseError> {
        Self::parse(s.split(' ').filter(|s| !s.is_empty()))
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether any of these scopes allows the action (the table decides).
    pub fn allows(&self, action: TokenAction) -> bool {
        self.iter().any(|s| scope_allows(s, action))
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_storage())
    }
}

/// How long a token lives unless the admin says otherwise.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The longest a token may live: it must be re-minted at least yearly.
pub const MAX_TOKEN_DAYS: i64 = 366;

/// When a token minted at `now` expires, for `days` (default
/// [`DEFAULT_TOKEN_DAYS`], 1 to [`MAX_TOKEN_DAYS`]).
pub fn token_expiry(now: OffsetDateTime, days: Option<i64>) -> Result<OffsetDateTime, ParseError> {
    let days = days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ParseError::new(
            "expires_days",
            format!("must be between 1 and {MAX_TOKEN_DAYS} days"),
        ));
    }
    Ok(now + Duration::days(days))
}

/// A token's state at `now`: usable only while neither revoked nor expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    pub fn at(
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
        revoked_at: Option<OffsetDateTime>,
    ) -> Self {
        if revoked_at.is_some_and(|r| r <= now) {
            TokenState::Revoked
        } else if expires_at <= now {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }

    pub const fn label(&self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, scope × action: each scope allows exactly the
    /// action written here and nothing else.
    #[test]
    fn each_scope_allows_exactly_its_action() {
        use Scope::*;
        use TokenAction::*;
        let expected: &[(Scope, &[TokenAction])] = &[
            (BookingsFeed, &[PostBookingsFeed]),
            (Imports, &[RunImport]),
            (HmisExport, &[ReceiveHmisExport]),
        ];
        assert_eq!(
            expected.len(),
            Scope::ALL.len(),
            "every scope is in the table"
        );
        for (scope, allowed) in expected {
            for action in TokenAction::ALL {
                assert_eq!(
                    scope_allows(*scope, *action),
                    allowed.contains(action),
                    "{scope} × {action}"
                );
            }
        }
        for action in TokenAction::ALL {
            assert!(
                !scopes_for(*action).is_empty(),
                "{action} is reachable by some scope"
            );
        }
    }

    #[test]
    fn a_feed_token_cannot_import_and_an_import_token_cannot_feed() {
        let feed = Scopes::parse(["bookings_feed"]).unwrap();
        assert!(feed.allows(TokenAction::PostBookingsFeed));
        assert!(!feed.allows(TokenAction::RunImport));
        assert!(!feed.allows(TokenAction::ReceiveHmisExport));
        let imports = Scopes::parse(["imports"]).unwrap();
        assert!(imports.allows(TokenAction::RunImport));
        assert!(!imports.allows(TokenAction::PostBookingsFeed));
        let both = Scopes::parse(["imports", "bookings_feed"]).unwrap();
        assert!(both.allows(TokenAction::RunImport) && both.allows(TokenAction::PostBookingsFeed));
    }

    #[test]
    fn scopes_parse_once_and_round_trip() {
        let s = Scopes::parse(["imports", "bookings_feed", "imports"]).unwrap();
        assert_eq!(s.to_storage(), "bookings_feed imports");
        assert_eq!(Scopes::from_storage(&s.to_storage()).unwrap(), s);
        let e = Scopes::parse(["admin"]).unwrap_err();
        assert_eq!(e.field, "scope");
        assert!(e.message.contains("bookings_feed"), "{e}");
        assert_eq!(Scopes::parse([]).unwrap_err().field, "scope");
        assert!(Scopes::from_storage("").is_err());
    }

    #[test]
    fn expiry_defaults_and_bounds() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(token_expiry(now, None).unwrap(), now + Duration::days(90));
        assert_eq!(token_expiry(now, Some(7)).unwrap(), now + Duration::days(7));
        assert!(token_expiry(now, Some(0)).is_err());
        assert!(token_expiry(now, Some(-3)).is_err());
        assert!(token_expiry(now, Some(MAX_TOKEN_DAYS + 1)).is_err());
        assert_eq!(
            token_expiry(now, Some(400)).unwrap_err().field,
            "expires_days"
        );
    }

    #[test]
    fn token_state_at_a_time() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(10);
        let later = now + Duration::days(1);
        let earlier = now - Duration::days(1);
        assert_eq!(TokenState::at(now, later, None), TokenState::Active);
        assert_eq!(TokenState::at(now, now, None), TokenState::Expired);
        assert_eq!(TokenState::at(now, earlier, None), TokenState::Expired);
        assert_eq!(
            TokenState::at(now, later, Some(earlier)),
            TokenState::Revoked
        );
        assert_eq!(TokenState::at(now, earlier, Some(now)), TokenState::Revoked);
    }
}
