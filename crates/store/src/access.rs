//! The key to participant content. The store's readers of a participant's
//! case content — intake and triage, contacts and their tagged pieces,
//! goals and service referrals, the profile, monthly status, linked justice
//! records — take a [`Grant`], and a `Grant` can be made in two ways only:
//!
//! - [`Access::grant`]: the domain's disclosure engine allowed the category
//!   to the viewer, on facts this module loaded from the database itself
//!   ([`facts`]; their fields are private, so no caller can make them up);
//! - [`unguarded`]: a named system task that is not a person reading
//!   ([`SystemTask`]), listed in ARCHITECTURE.md; its callers audit the
//!   participants it touches.
//!
//! `Grant` has private fields and no other constructor, so code outside the
//! store cannot read case content without asking the engine first. The
//! compiler enforces it; the examples below are compiled by `cargo test`
//! (doc tests): the first, the one way in, must compile; the two after it
//! differ from it only in skipping the engine, and must not.
//!
//! ```no_run
//! # use handoff_domain::{DataCategory, disclosure::Viewer, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access, casework::{self, Participant}};
//! async fn notes(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     let facts = access::facts(c, p, false).await?;
//!     let access = access::assess(who, facts, now);
//!     if let Some(grant) = access.grant(DataCategory::Notes) {
//!         let _intake = casework::intake_of(c, &grant).await?;
//!     }
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0451
//! # use handoff_domain::{DataCategory, disclosure::{Extent, Viewer}, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access::Grant, casework::{self, Participant}};
//! async fn notes(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     // A grant written by hand: its fields are private.
//!     let grant = Grant {
//!         site: p.site_id,
//!         participant: p.id,
//!         referral: p.referral_id,
//!         category: DataCategory::Notes,
//!         extent: Extent::Full,
//!     };
//!     let _intake = casework::intake_of(c, &grant).await?;
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0061
//! # use handoff_domain::{DataCategory, disclosure::Viewer, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access, casework::{self, Participant}};
//! async fn notes(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     // A reader called with a site and a participant id alone.
//!     let _intake = casework::intake_of(c, p.site_id, p.id).await?;
//!     Ok(())
//! }
//! ```

use crate::casework::Participant;
use crate::{Conn, Result, StoreError, holds, referrals, releases};
use handoff_domain::disclosure::{self, Answer, Assessment, Extent, Subject, Viewer};
use handoff_domain::release::Release;
use handoff_domain::site_time::SiteNow;
use handoff_domain::{DataCategory, ParticipantId, ReferralId, SiteId};

/// Everything the disclosure engine needs about one participant, loaded
/// from the database by [`facts`].
#[derive(Debug, Clone)]
pub struct Facts {
    participant: Participant,
    subject: Subject,
    releases: Vec<Release>,
}

impl Facts {
    pub fn participant(&self) -> &Participant {
        &self.participant
    }
    pub fn subject(&self) -> &Subject {
        &self.subject
    }
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }
    pub fn into_participant(self) -> Participant {
        self.participant
    }
}

/// Loads a participant's facts: the serving agency, the referring officer,
/// the office holding the case, the releases of information, and whether
/// the site allows research use.
pub async fn facts(c: &mut Conn<'_>, p: Participant, research_use_allowed: bool) -> Result<Facts> {
    let (referred_by, hold_office) = match p.referral_id {
        Some(rid) => {
            let r = referrals::get(c, p.site_id, rid).await?;
            let office = holds::for_referral(c, p.site_id, rid)
                .await?
                .and_then(|h| h.prosecutor_agency_id);
            (Some(r.referred_by), office)
        }
        None => (None, None),
    };
    let releases = releases::for_participant(c, p.site_id, p.id)
        .await?
        .into_iter()
        .map(|r| r.release)
        .collect();
    Ok(Facts {
        subject: Subject {
            site: p.site_id,
            case_management_agency: Some(p.agency_id),
            referred_by,
            hold_office,
            research_use_allowed,
        },
        participant: p,
        releases,
    })
}

/// A viewer's standing towards one participant: the engine's answer for
/// every category, and the grants it allows.
#[derive(Debug, Clone)]
pub struct Access {
    facts: Facts,
    assessment: Assessment,
}

/// Asks the domain's disclosure engine about every category at once.
pub fn assess(viewer: &Viewer<'_>, facts: Facts, now: SiteNow) -> Access {
    let assessment = disclosure::assess(viewer, &facts.subject, &facts.releases, now);
    Access { facts, assessment }
}

impl Access {
    pub fn facts(&self) -> &Facts {
        &self.facts
    }
    pub fn assessment(&self) -> &Assessment {
        &self.assessment
    }
    pub fn into_facts(self) -> Facts {
        self.facts
    }

    /// The key to one category's content, where the engine allows it.
    pub fn grant(&self, category: DataCategory) -> Option<Grant> {
        match self.assessment.answer(category) {
            Answer::Allowed(d) => Some(Grant::new(&self.facts.participant, category, d.extent)),
            Answer::Forbidden(_) | Answer::NotFound(_) => None,
        }
    }
}

/// Work that reads participant content without a person reading it. Each
/// is listed in ARCHITECTURE.md; its caller audits what it touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemTask {
    /// The evaluation dataset (limited data set, per-export pseudonyms),
    /// only where the site allows research use.
    EvaluationExport,
}

/// The named bypass: a grant for a system task. Searchable by name; every
/// call site is listed in ARCHITECTURE.md.
pub fn unguarded(p: &Participant, category: DataCategory, task: SystemTask) -> Grant {
    let extent = match task {
        SystemTask::EvaluationExport => Extent::LimitedDataSet,
    };
    Grant::new(p, category, extent)
}

/// Proof that one category of one participant may be read, at an extent.
/// Only [`Access::grant`] and [`unguarded`] make one.
#[derive(Debug, Clone)]
pub struct Grant {
    site: SiteId,
    participant: ParticipantId,
    referral: Option<ReferralId>,
    category: DataCategory,
    extent: Extent,
}

impl Grant {
    fn new(p: &Participant, category: DataCategory, extent: Extent) -> Grant {
        Grant {
            site: p.site_id,
            participant: p.id,
            referral: p.referral_id,
            category,
            extent,
        }
    }

    pub fn site(&self) -> SiteId {
        self.site
    }
    pub fn participant(&self) -> ParticipantId {
        self.participant
    }
    pub fn category(&self) -> DataCategory {
        self.category
    }
    pub fn extent(&self) -> Extent {
        self.extent
    }

    /// The site and participant, when the grant is for one of `allowed`;
    /// a reader calls this first.
    pub(crate) fn open(&self, allowed: &[DataCategory]) -> Result<(SiteId, ParticipantId)> {
        if allowed.contains(&self.category) {
            Ok((self.site, self.participant))
        } else {
            Err(StoreError::Corrupt(format!(
                "a grant for {} does not open this reader",
                self.category
            )))
        }
    }

    /// The participant's referral, for readers keyed by it (triage).
    pub(crate) fn referral(&self) -> Option<ReferralId> {
        self.referral
    }
}
