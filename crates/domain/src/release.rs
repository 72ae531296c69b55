//! The release of information (ROI): which partner organisations may receive
//! which categories of a participant's data, for what purpose, from when and
//! until when — and revocable at any time (DESIGN.md §3).
//!
//! A [`Release`] is built once, at the edge, from a [`ReleaseForm`] (the API
//! body); after that it cannot hold an invalid state. Listing `sud` for a
//! recipient is that recipient's explicit 42 CFR Part 2 consent, so a release
//! that lists `sud` anywhere must carry the Part 2 elements ([`Part2Elements`]).
//!
//! Whether a release grants anything *now* is decided by the disclosure
//! engine ([`crate::disclosure`]), not here.

use crate::site_time::SiteNow;
use crate::{AgencyId, DataCategory, ParseError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, OffsetDateTime};

/// The longest purpose statement accepted.
pub const MAX_PURPOSE_CHARS: usize = 500;

/// One recipient organisation of a release and the categories it may receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    agency_id: AgencyId,
    categories: BTreeSet<DataCategory>,
}

impl Recipient {
    pub fn agency_id(&self) -> AgencyId {
        self.agency_id
    }
    pub fn categories(&self) -> &BTreeSet<DataCategory> {
        &self.categories
    }
    pub fn grants(&self, category: DataCategory) -> bool {
        self.categories.contains(&category)
    }
}

/// The elements 42 CFR §2.31 requires of a consent to disclose substance-use
/// treatment records, beyond what every release already has (recipients,
/// purpose, expiry, the participant's signature and its date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part2Elements {
    /// The Part 2 program or person permitted to make the disclosure.
    discloser: String,
    /// How much and what kind of substance-use information may be disclosed.
    information: String,
    /// The participant was told of their right to revoke, and how.
    right_to_revoke_acknowledged: bool,
}

impl Part2Elements {
    pub fn discloser(&self) -> &str {
        &self.discloser
    }
    pub fn information(&self) -> &str {
        &self.information
    }
}

/// How the participant signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMethod {
    /// Drawn on screen; the store keeps the image as a document.
    Drawn,
    /// A signed paper form, scanned or photographed, uploaded as a PDF.
    UploadedPdf,
}

/// A participant's release of information, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Release {
    recipients: Vec<Recipient>,
    purpose: String,
    #[serde(with = "crate::site_time::iso_date")]
    effective_on: Date,
    #[serde(with = "crate::site_time::iso_date")]
    expires_on: Date,
    signature: SignatureMethod,
    part2: Option<Part2Elements>,
    #[serde(with = "time::serde::rfc3339::option")]
    revoked_at: Option<OffsetDateTime>,
}

/// Why a release could not be revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the release was already revoked")]
pub struct AlreadyRevoked;

impl Release {
    /// Parses an ROI form as submitted. `today` is the site's local day,
    /// the default effective date. The form is borrowed so the caller can
    /// still store the signature image or PDF it carries as a document. Errors name the field, e.g.
    /// `recipients[0].categories[2]` or `part2.discloser`.
    pub fn parse(form: &ReleaseForm, today: Date) -> Result<Self, ParseError> {
        if form.recipients.is_empty() {
            return Err(ParseError::new(
                "recipients",
                "name at least one recipient organisation",
            ));
        }
        let mut recipients: Vec<Recipient> = Vec::with_capacity(form.recipients.len());
        for (i, r) in form.recipients.iter().enumerate() {
            let at = |field: &str| format!("recipients[{i}].{field}");
            let agency_id: AgencyId = r
                .agency_id
                .trim()
                .parse()
                .map_err(|_| ParseError::new(at("agency_id"), "is not an agency id"))?;
            if recipients.iter().any(|x| x.agency_id == agency_id) {
                return Err(ParseError::new(
                    at("agency_id"),
                    "names the same organisation twice; list its categories once",
                ));
            }
            if r.categories.is_empty() {
                return Err(ParseError::new(
                    at("categories"),
                    "name at least one category",
                ));
            }
            let mut categories = BTreeSet::new();
            for (j, c) in r.categories.iter().enumerate() {
                let category: DataCategory = c.trim().parse().map_err(|e: ParseError| {
                    ParseError::new(format!("recipients[{i}].categories[{j}]"), e.message)
                })?;
                categories.insert(category);
            }
            recipients.push(Recipient {
                agency_id,
                categories,
            });
        }

        let purpose = form.purpose.trim().to_owned();
        if purpose.is_empty() {
            return Err(ParseError::new(
                "purpose",
                "say what the information is for",
            ));
        }
        if purpose.chars().count() > MAX_PURPOSE_CHARS {
            return Err(ParseError::new(
                "purpose",
                format!("is longer than {MAX_PURPOSE_CHARS} characters"),
            ));
        }

        let effective_on = match form.effective_on.as_deref() {
            None | Some("") => today,
            Some(s) => parse_date(s, "effective_on")?,
        };
        let expires_on = parse_date(&form.expires_on, "expires_on")?;
        if expires_on <= effective_on {
            return Err(ParseError::new(
                "expires_on",
                "must be after the effective date",
            ));
        }
        if expires_on < today {
            return Err(ParseError::new("expires_on", "is in the past"));
        }

        let signature = match &form.signature {
            None => return Err(ParseError::new("signature", "the participant must sign")),
            Some(s) => s.parse()?,
        };

        let lists_sud = recipients.iter().any(|r| r.grants(DataCategory::Sud));
        let part2 = match (lists_sud, &form.part2) {
            (false, _) => None,
            (true, None) => {
                return Err(ParseError::new(
                    "part2",
                    "substance-use information (sud) is listed, so the 42 CFR Part 2 consent \
                     elements are required",
                ));
            }
            (true, Some(p)) => Some(p.parse()?),
        };

        Ok(Self {
            recipients,
            purpose,
            effective_on,
            expires_on,
            signature,
            part2,
            revoked_at: None,
        })
    }

    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }
    pub fn recipient(&self, agency: AgencyId) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.agency_id == agency)
    }
    pub fn purpose(&self) -> &str {
        &self.purpose
    }
    /// First local day on which the release is in force.
    pub fn effective_on(&self) -> Date {
        self.effective_on
    }
    /// Last local day on which the release is in force (it ends at the end
    /// of this day in the site's time zone).
    pub fn expires_on(&self) -> Date {
        self.expires_on
    }
    pub fn signature(&self) -> SignatureMethod {
        self.signature
    }
    pub fn part2(&self) -> Option<&Part2Elements> {
        self.part2.as_ref()
    }
    pub fn revoked_at(&self) -> Option<OffsetDateTime> {
        self.revoked_at
    }

    /// The state of the release at `now`.
    pub fn status(&self, now: SiteNow) -> ReleaseStatus {
        if self.revoked_at.is_some_and(|r| r <= now.instant()) {
            ReleaseStatus::Revoked
        } else if now.today() > self.expires_on {
            ReleaseStatus::Expired
        } else if now.today() < self.effective_on {
            ReleaseStatus::NotYetEffective
        } else {
            ReleaseStatus::InForce
        }
    }

    /// Whether this release gives `agency` the category `category` at `now`.
    /// For `sud`, only a release carrying the Part 2 elements counts.
    pub fn grants(&self, agency: AgencyId, category: DataCategory, now: SiteNow) -> bool {
        self.lists(agency, category) && self.status(now) == ReleaseStatus::InForce
    }

    /// Whether the release names `category` for `agency`, whatever its state.
    pub fn lists(&self, agency: AgencyId, category: DataCategory) -> bool {
        let listed = self.recipient(agency).is_some_and(|r| r.grants(category));
        listed && (category != DataCategory::Sud || self.part2.is_some())
    }

    /// Revokes the release at `at`. Revocation takes effect immediately and
    /// cannot be undone; the participant signs a new release instead.
    pub fn revoke(&mut self, at: OffsetDateTime) -> Result<(), AlreadyRevoked> {
        if self.revoked_at.is_some() {
            return Err(AlreadyRevoked);
        }
        self.revoked_at = Some(at);
        Ok(())
    }

    /// Rebuilds a release the store saved earlier (already validated when it
    /// was first parsed). Use `parse` for anything coming from a client.
    pub fn from_stored(stored: StoredRelease) -> Result<Self, ParseError> {
        let revoked_at = stored.revoked_at;
        let mut r = Self::parse(&stored.form, stored.effective_on)?;
        r.revoked_at = revoked_at;
        Ok(r)
    }
}

/// A release as the store keeps it: the original form, the day it took
/// effect, and the revocation if any.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRelease {
    pub form: ReleaseForm,
    #[serde(with = "crate::site_time::iso_date")]
    pub effective_on: Date,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Where a release stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseStatus {
    NotYetEffective,
    InForce,
    Expired,
    Revoked,
}

fn parse_date(s: &str, field: &'static str) -> Result<Date, ParseError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &format)
        .map_err(|_| ParseError::new(field, format!("{s:?} is not a date like 2027-11-30")))
}

/// The ROI body as the API receives it (`POST /participants/{id}/releases`).
/// Everything is text so that a wrong value is reported with its field, and
/// every field may be absent (its default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseForm {
    pub recipients: Vec<RecipientForm>,
    pub purpose: String,
    /// `YYYY-MM-DD`; today at the site when absent.
    pub effective_on: Option<String>,
    /// `YYYY-MM-DD`, the last day the release is in force.
    pub expires_on: String,
    pub signature: Option<SignatureForm>,
    /// Required when any recipient lists `sud`.
    pub part2: Option<Part2Form>,
}

/// One recipient of a [`ReleaseForm`]; absent fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecipientForm {
    pub agency_id: String,
    pub categories: Vec<String>,
}

/// The signature of a [`ReleaseForm`]; absent fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignatureForm {
    /// `drawn` or `uploaded_pdf`.
    pub method: String,
    /// The drawn signature (PNG), base64. The store decodes and keeps it.
    pub image_base64: Option<String>,
    /// The signed form (PDF), base64.
    pub pdf_base64: Option<String>,
}

impl SignatureForm {
    fn parse(&self) -> Result<SignatureMethod, ParseError> {
        let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        match self.method.trim() {
            "drawn" if filled(&self.image_base64) => Ok(SignatureMethod::Drawn),
            "drawn" => Err(ParseError::new(
                "signature.image_base64",
                "the drawn signature is missing",
            )),
            "uploaded_pdf" if filled(&self.pdf_base64) => Ok(SignatureMethod::UploadedPdf),
            "uploaded_pdf" => Err(ParseError::new(
                "signature.pdf_base64",
                "the signed PDF is missing",
            )),
            other => Err(ParseError::new(
                "signature.method",
                format!("unknown value {other:?}; expected one of: drawn, uploaded_pdf"),
            )),
        }
    }
}

/// The 42 CFR Part 2 elements of a [`ReleaseForm`]; absent fields are empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Part2Form {
    pub discloser: String,
    pub information: String,
    pub right_to_revoke_acknowledged: bool,
}

impl Part2Form {
    fn parse(&self) -> Result<Part2Elements, ParseError> {
        let discloser = self.discloser.trim().to_owned();
        if discloser.is_empty() {
            return Err(ParseError::new(
                "part2.discloser",
                "name the program or person who may disclose",
            ));
        }
        let information = self.information.trim().to_owned();
        if information.is_empty() {
            return Err(ParseError::new(
                "part2.information",
                "describe how much and what kind of substance-use information",
            ));
        }
        if !self.right_to_revoke_acknowledged {
            return Err(ParseError::new(
                "part2.right_to_revoke_acknowledged",
                "the participant must be told of the right to revoke",
            ));
        }
        Ok(Part2Elements {
            discloser,
            information,
            right_to_revoke_acknowledged: true,
        })
    }
}
