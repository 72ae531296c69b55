//! The disclosure engine: consent as data (DESIGN.md §3).
//!
//! One pure function, [`decide`], answers "may this viewer see category C of
//! this participant now?". Every read path — pages, API, search, exports, OWG
//! agendas, notifications — asks it (or [`assess`], which asks it for every
//! category); nothing else decides.
//!
//! The policy is two tables, not a tree of `if`s:
//!
//! * [`RULES`]: for each role, the *baseline* (what the role sees without any
//!   release) and the *most a release can add* for that role;
//! * [`ENFORCEMENT_NEVER`]: the categories enforcement (officers,
//!   prosecutors, and anyone working for a police or prosecuting agency)
//!   never sees, whatever a release says — LEAD's Golden Rule that no
//!   participant may be worse off because of LEAD.
//!
//! Disclosure is default deny. A release grants a category to the
//! recipient's *organisation*; the role's cap then limits what its users get
//! (a release that lists `notes` for the police department still gives
//! officers only `enrollment` and `engagement`). `sud` reaches anyone outside
//! the case-management agency only through a release that lists `sud` for
//! that recipient and carries the 42 CFR Part 2 elements; every disclosed
//! `sud` item carries [`REDISCLOSURE_NOTICE`]. Expiry and revocation are
//! effective immediately: they are compared with the `now` passed in.
//!
//! Architecture invariant: the engine reads no clock and no database; the
//! caller passes the facts and `now`, and audits the answer (allowed or
//! denied) with its category.
//!
//! # Example
//!
//! An officer asks about a participant they did not refer, whose release
//! names the police department for `enrollment` only:
//!
//! ```
//! use handoff_domain::disclosure::{assess, Answer, Denial, Subject, Viewer};
//! use handoff_domain::release::{Release, ReleaseForm, RecipientForm, SignatureForm};
//! use handoff_domain::site_time::SiteTimeZone;
//! use handoff_domain::{AgencyId, AgencyKind, DataCategory, Role, SiteId, UserId};
//! use time::macros::datetime;
//! use uuid::Uuid;
//!
//! let (site, police, cm) = (SiteId::from_uuid(Uuid::from_u128(1)),
//!     AgencyId::from_uuid(Uuid::from_u128(2)), AgencyId::from_uuid(Uuid::from_u128(3)));
//! let tz = SiteTimeZone::parse("America/Los_Angeles")?;
//! let now = tz.at(datetime!(2026-12-10 18:00 UTC));
//! let release = Release::parse(&ReleaseForm {
//!     recipients: vec![RecipientForm { agency_id: police.to_string(),
//!                                      categories: vec!["enrollment".into(), "notes".into()] }],
//!     purpose: "care coordination".into(),
//!     expires_on: "2027-11-30".into(),
//!     signature: Some(SignatureForm { method: "drawn".into(),
//!                                     image_base64: Some("iVBORw0KGgo=".into()),
//!                                     pdf_base64: None }),
//!     ..ReleaseForm::default()
//! }, now.today())?;
//!
//! let roles = [Role::Officer];
//! let officer = Viewer { user: UserId::from_uuid(Uuid::from_u128(4)), roles: &roles,
//!                        agency: police, agency_kind: AgencyKind::Police, site };
//! let participant = Subject { site, case_management_agency: Some(cm), referred_by: None,
//!                             hold_office: None, research_use_allowed: true };
//! let a = assess(&officer, &participant, &[release], now);
//! assert!(matches!(a.answer(DataCategory::Enrollment), Answer::Allowed(_)));
//! // The release lists notes for the department; officers never get them.
//! assert_eq!(a.answer(DataCategory::Notes), Answer::Forbidden(Denial::EnforcementNever));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::release::{Release, ReleaseStatus};
use crate::site_time::SiteNow;
use crate::{AgencyId, AgencyKind, DataCategory, Role, SiteId, UserId};
use serde::Serialize;

pub mod referral;

/// The statement 42 CFR §2.32(a)(1) requires to accompany each disclosure of
/// substance-use disorder records made with the patient's consent. Show it
/// with every disclosed `sud` item, together with the scope of the consent
/// (the release's recipients, categories, purpose and expiry).
pub const REDISCLOSURE_NOTICE: &str = "This record which has been disclosed to you is \
protected by Federal confidentiality rules (42 CFR part 2). These rules prohibit you from \
using or disclosing this record, or testimony that describes the information contained in \
this record, in any civil, criminal, administrative, or legislative proceedings by any \
Federal, State, or local authority, against the patient, unless authorized by the consent \
of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in \
accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from making \
any other use or disclosure of this record unless at least one of the following applies: \
(A) Further use or disclosure is expressly permitted by the written consent of the \
individual whose information is being disclosed in this record or as otherwise permitted \
by 42 CFR part 2. (B) You are a covered entity or business associate and have received the \
record for treatment, payment, or health care operations, or (C) You have received the \
record from a covered entity or business associate as permitted by 45 CFR part 164, \
subparts A and E. A general authorization for the release of medical or other information \
is NOT sufficient to meet the required elements of written consent to further use or \
redisclose the record (see 42 CFR 2.31).";

/// What a role sees of a participant without any release of information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// Every category, for the participants their own agency serves
    /// (case managers, supervisors).
    AgencyParticipants,
    /// The listed categories, for the viewer's own referrals (officers: the
    /// hold status of the cases they referred).
    OwnReferrals(&'static [DataCategory]),
    /// The listed categories, where the viewer's office owns the hold
    /// (prosecutors).
    OfficeHolds(&'static [DataCategory]),
    /// A limited data set — the listed categories, without direct
    /// identifiers — where the site allows research use (evaluators).
    LimitedDataSet(&'static [DataCategory]),
    /// Nothing about participants. The community referrer learns whether
    /// their own referral was accepted from the referral, which is not
    /// participant data.
    Nothing,
    /// Aggregates only, small cells suppressed; never a row (oversight,
    /// bureau).
    AggregatesOnly,
    /// Users, agencies and policy; no participant content by role alone
    /// (site admin).
    Administration,
}

/// The most a release of information can add for a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseCap {
    /// A release adds nothing for this role.
    Nothing,
    /// At most these categories, each at this extent.
    AtMost(&'static [(DataCategory, Extent)]),
    /// Whatever the release names for the viewer's organisation.
    WhatItNames,
}

/// How much of a category's content the viewer receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    /// Without direct identifiers (names, addresses, identifiers, free text):
    /// the limited data set for evaluation.
    LimitedDataSet,
    /// A summary (the prosecutor's view of a `plan`: that there is one, its
    /// goals' headings and status — not the steps or notes).
    Summary,
    /// The whole category.
    Full,
}

/// One row of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleRule {
    pub role: Role,
    pub baseline: Baseline,
    pub release_may_add: ReleaseCap,
}

use DataCategory as C;

/// The categories of the evaluator's limited data set: no `identity`, no
/// free-text `notes`, no `health` or `sud` records.
pub const LIMITED_DATA_SET: &[DataCategory] = &[
    C::Demographics,
    C::Enrollment,
    C::Hold,
    C::Engagement,
    C::Plan,
    C::Justice,
];

/// The policy of DESIGN.md §3, one row per role.
pub const RULES: &[RoleRule] = &[
    RoleRule {
        role: Role::CaseManager,
        baseline: Baseline::AgencyParticipants,
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::Supervisor,
        baseline: Baseline::AgencyParticipants,
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::Officer,
        baseline: Baseline::OwnReferrals(&[C::Hold]),
        release_may_add: ReleaseCap::AtMost(&[
            (C::Enrollment, Extent::Full),
            (C::Engagement, Extent::Full),
        ]),
    },
    RoleRule {
        role: Role::Prosecutor,
        baseline: Baseline::OfficeHolds(&[C::Hold]),
        release_may_add: ReleaseCap::AtMost(&[
            (C::Enrollment, Extent::Full),
            (C::Engagement, Extent::Full),
            (C::Plan, Extent::Summary),
        ]),
    },
    RoleRule {
        role: Role::Partner,
        baseline: Baseline::Nothing,
        release_may_add: ReleaseCap::WhatItNames,
    },
    RoleRule {
        role: Role::CommunityReferrer,
        baseline: Baseline::Nothing,
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::Oversight,
        baseline: Baseline::AggregatesOnly,
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::Bureau,
        baseline: Baseline::AggregatesOnly,
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::Evaluator,
        baseline: Baseline::LimitedDataSet(LIMITED_DATA_SET),
        release_may_add: ReleaseCap::Nothing,
    },
    RoleRule {
        role: Role::SiteAdmin,
        baseline: Baseline::Administration,
        release_may_add: ReleaseCap::Nothing,
    },
];

/// Categories enforcement never receives, whatever a release says.
pub const ENFORCEMENT_NEVER: &[DataCategory] = &[C::Notes, C::Health, C::Sud];

/// Roles that are enforcement.
pub const ENFORCEMENT_ROLES: &[Role] = &[Role::Officer, Role::Prosecutor];

/// Agencies whose every user counts as enforcement, whatever their role.
pub const ENFORCEMENT_AGENCIES: &[AgencyKind] = &[AgencyKind::Police, AgencyKind::Prosecutor];

/// The policy row of a role.
pub fn rule_for(role: Role) -> Option<&'static RoleRule> {
    RULES.iter().find(|r| r.role == role)
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user: UserId,
    pub roles: &'a [Role],
    pub agency: AgencyId,
    pub agency_kind: AgencyKind,
    pub site: SiteId,
}

impl Viewer<'_> {
    /// Whether the viewer is enforcement, by role or by organisation.
    pub fn is_enforcement(&self) -> bool {
        self.roles
            .iter()
            .any(|r| is_enforcement(*r, self.agency_kind))
    }
}

/// Whether a person of this role in an organisation of this kind is
/// enforcement.
fn is_enforcement(role: Role, kind: AgencyKind) -> bool {
    ENFORCEMENT_ROLES.contains(&role) || ENFORCEMENT_AGENCIES.contains(&kind)
}

/// The categories an organisation of kind `kind` could ever receive under a
/// release, in [`DataCategory::ALL`] order: for each role its people hold
/// ([`AgencyKind::roles`]), what a release may add for that role
/// ([`RULES`]), less what enforcement never sees ([`ENFORCEMENT_NEVER`]).
/// Empty for organisations whose roles a release never reaches (case
/// management, oversight, bureau, evaluators, community, program office).
///
/// The release form offers a recipient only these categories, and the
/// release services refuse any other: a release may not promise what the
/// engine will never deliver. Derived from the rules above, not a table of
/// its own; the tests check it against [`decide`].
pub fn release_may_give(kind: AgencyKind) -> Vec<DataCategory> {
    DataCategory::ALL
        .iter()
        .copied()
        .filter(|c| {
            kind.roles()
                .iter()
                .any(|role| release_may_give_role(*role, kind, *c))
        })
        .collect()
}

fn release_may_give_role(role: Role, kind: AgencyKind, category: DataCategory) -> bool {
    if is_enforcement(role, kind) && ENFORCEMENT_NEVER.contains(&category) {
        return false;
    }
    match rule_for(role).map(|r| r.release_may_add) {
        Some(ReleaseCap::WhatItNames) => true,
        Some(ReleaseCap::AtMost(cap)) => cap.iter().any(|(c, _)| *c == category),
        Some(ReleaseCap::Nothing) | None => false,
    }
}

/// What the engine needs to know about the participant (or referred person).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub site: SiteId,
    /// The case-management agency that serves the participant, once accepted.
    pub case_management_agency: Option<AgencyId>,
    /// The user who made the referral (officer or community referrer).
    pub referred_by: Option<UserId>,
    /// The prosecuting office that owns the diversion hold, if any.
    pub hold_office: Option<AgencyId>,
    /// Whether the site's policy allows research use (the evaluator's
    /// limited data set).
    pub research_use_allowed: bool,
}

/// Why a category was not disclosed. Audited with the denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denial {
    /// The participant belongs to another site.
    OtherSite,
    /// The viewer holds no role.
    NoRole,
    /// Enforcement never sees `notes`, `health` or `sud`.
    EnforcementNever,
    /// Aggregate figures only (oversight, bureau).
    AggregatesOnly,
    /// Site administration gives no participant content.
    AdministrationOnly,
    /// The participant is served by another case-management agency.
    NotTheirAgency,
    /// The site does not allow research use.
    ResearchUseNotAllowed,
    /// Not part of the limited data set.
    NotInLimitedDataSet,
    /// The role gets nothing of this category, with or without a release.
    BeyondRole,
    /// No release names the category for the viewer's organisation.
    NoRelease,
    /// `sud` without explicit 42 CFR Part 2 consent for the viewer's
    /// organisation.
    NoPart2Consent,
    /// The release that named it has not taken effect yet.
    ReleaseNotYetEffective,
    /// The release that named it has expired.
    ReleaseExpired,
    /// The release that named it was revoked.
    ReleaseRevoked,
}

impl Denial {
    /// How telling the reason is when several roles were denied for
    /// different reasons; the most telling one is reported.
    const fn rank(self) -> u8 {
        match self {
            Denial::NoRole => 0,
            Denial::AggregatesOnly | Denial::AdministrationOnly => 1,
            Denial::BeyondRole => 2,
            Denial::NotTheirAgency => 3,
            Denial::ResearchUseNotAllowed | Denial::NotInLimitedDataSet => 4,
            Denial::NoRelease | Denial::NoPart2Consent => 5,
            Denial::ReleaseNotYetEffective => 6,
            Denial::ReleaseExpired => 7,
            Denial::ReleaseRevoked => 8,
            Denial::EnforcementNever => 9,
            Denial::OtherSite => 10,
        }
    }
}

/// On what ground a category is disclosed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The role's baseline.
    Baseline,
    /// A release of information in force.
    Release,
}

/// A category the viewer may see, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Disclosure {
    pub extent: Extent,
    pub basis: Basis,
    /// The Part 2 redisclosure notice, for every disclosed `sud` item.
    pub redisclosure_notice: Option<&'static str>,
}

/// The engine's answer for one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Allowed(Disclosure),
    Denied { reason: Denial },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
    pub fn disclosure(&self) -> Option<Disclosure> {
        match self {
            Decision::Allowed(d) => Some(*d),
            Decision::Denied { .. } => None,
        }
    }
    pub fn denial(&self) -> Option<Denial> {
        match self {
            Decision::Allowed(_) => None,
            Decision::Denied { reason } => Some(*reason),
        }
    }
}

fn allowed(category: DataCategory, extent: Extent, basis: Basis) -> Decision {
    Decision::Allowed(Disclosure {
        extent,
        basis,
        redisclosure_notice: (category == C::Sud).then_some(REDISCLOSURE_NOTICE),
    })
}

const fn denied(reason: Denial) -> Decision {
    Decision::Denied { reason }
}

/// May `viewer` see `category` of the participant described by `subject`,
/// given the participant's `releases`, at `now`?
pub fn decide(
    viewer: &Viewer<'_>,
    subject: &Subject,
    releases: &[Release],
    category: DataCategory,
    now: SiteNow,
) -> Decision {
    if viewer.site != subject.site {
        return denied(Denial::OtherSite);
    }
    if viewer.is_enforcement() && ENFORCEMENT_NEVER.contains(&category) {
        return denied(Denial::EnforcementNever);
    }
    let mut best: Option<Decision> = None;
    for role in viewer.roles {
        let Some(rule) = rule_for(*role) else {
            continue;
        };
        let d = decide_for_rule(rule, viewer, subject, releases, category, now);
        best = Some(match (best, d) {
            (None, d) => d,
            (Some(a @ Decision::Allowed(x)), Decision::Allowed(y)) => {
                if y.extent > x.extent {
                    d
                } else {
                    a
                }
            }
            (Some(a @ Decision::Allowed(_)), Decision::Denied { .. }) => a,
            (Some(Decision::Denied { .. }), d @ Decision::Allowed(_)) => d,
            (Some(Decision::Denied { reason: a }), Decision::Denied { reason: b }) => {
                denied(if b.rank() > a.rank() { b } else { a })
            }
        });
    }
    best.unwrap_or(denied(Denial::NoRole))
}

fn decide_for_rule(
    rule: &RoleRule,
    viewer: &Viewer<'_>,
    subject: &Subject,
    releases: &[Release],
    category: DataCategory,
    now: SiteNow,
) -> Decision {
    // The baseline first.
    let baseline_denial = match rule.baseline {
        Baseline::AgencyParticipants => {
            if subject.case_management_agency == Some(viewer.agency) {
                return allowed(category, Extent::Full, Basis::Baseline);
            }
            Denial::NotTheirAgency
        }
        Baseline::OwnReferrals(categories) => {
            if subject.referred_by == Some(viewer.user) && categories.contains(&category) {
                return allowed(category, Extent::Full, Basis::Baseline);
            }
            Denial::BeyondRole
        }
        Baseline::OfficeHolds(categories) => {
            if subject.hold_office == Some(viewer.agency) && categories.contains(&category) {
                return allowed(category, Extent::Full, Basis::Baseline);
            }
            Denial::BeyondRole
        }
        Baseline::LimitedDataSet(categories) => {
            if !subject.research_use_allowed {
                Denial::ResearchUseNotAllowed
            } else if categories.contains(&category) {
                return allowed(category, Extent::LimitedDataSet, Basis::Baseline);
            } else {
                Denial::NotInLimitedDataSet
            }
        }
        Baseline::Nothing => Denial::BeyondRole,
        Baseline::AggregatesOnly => Denial::AggregatesOnly,
        Baseline::Administration => Denial::AdministrationOnly,
    };

    // Then what a release may add for the role.
    let extent = match rule.release_may_add {
        ReleaseCap::Nothing => return denied(baseline_denial),
        ReleaseCap::WhatItNames => Extent::Full,
        ReleaseCap::AtMost(cap) => match cap.iter().find(|(c, _)| *c == category) {
            Some((_, extent)) => *extent,
            None => return denied(baseline_denial),
        },
    };
    match release_standing(releases, viewer.agency, category, now) {
        Ok(()) => allowed(category, extent, Basis::Release),
        Err(d) => denied(d),
    }
}

/// Whether some release in force gives `agency` the category at `now`, and
/// if not, why not.
fn release_standing(
    releases: &[Release],
    agency: AgencyId,
    category: DataCategory,
    now: SiteNow,
) -> Result<(), Denial> {
    let mut why = if category == C::Sud {
        Denial::NoPart2Consent
    } else {
        Denial::NoRelease
    };
    for release in releases.iter().filter(|r| r.lists(agency, category)) {
        let reason = match release.status(now) {
            ReleaseStatus::InForce => return Ok(()),
            ReleaseStatus::NotYetEffective => Denial::ReleaseNotYetEffective,
            ReleaseStatus::Expired => Denial::ReleaseExpired,
            ReleaseStatus::Revoked => Denial::ReleaseRevoked,
        };
        if reason.rank() > why.rank() {
            why = reason;
        }
    }
    Err(why)
}

/// The engine's answers for every category at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    decisions: Vec<(DataCategory, Decision)>,
}

impl Assessment {
    /// The decision for one category.
    pub fn decision(&self, category: DataCategory) -> Decision {
        self.decisions
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, d)| *d)
            .unwrap_or(denied(Denial::NoRole))
    }

    /// Every category with its decision, in [`DataCategory::ALL`] order.
    pub fn decisions(&self) -> &[(DataCategory, Decision)] {
        &self.decisions
    }

    /// The categories the viewer may see.
    pub fn allowed(&self) -> impl Iterator<Item = (DataCategory, Disclosure)> + '_ {
        self.decisions
            .iter()
            .filter_map(|(c, d)| d.disclosure().map(|x| (*c, x)))
    }

    /// The answer for one category as a caller reports it: the disclosure,
    /// or a denial that is "forbidden" (403) when the viewer may know the
    /// participant exists and "not found" (404) when not.
    pub fn answer(&self, category: DataCategory) -> Answer {
        match self.decision(category) {
            Decision::Allowed(d) => Answer::Allowed(d),
            Decision::Denied { reason } if self.may_know_exists() => Answer::Forbidden(reason),
            Decision::Denied { reason } => Answer::NotFound(reason),
        }
    }

    /// Whether the viewer may know the participant exists: they may see at
    /// least one category. When not, a denial must look like "not found"
    /// (404); when so, a denied category is "forbidden" (403).
    pub fn may_know_exists(&self) -> bool {
        self.decisions.iter().any(|(_, d)| d.is_allowed())
    }
}

/// How a caller reports one category to the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "answer", content = "detail", rename_all = "snake_case")]
pub enum Answer {
    /// 200, with the category's content at the given extent.
    Allowed(Disclosure),
    /// 403: the viewer may know the participant exists, not this category.
    Forbidden(Denial),
    /// 404: to this viewer the participant does not exist. The reason is for
    /// the audit log only, never for the response.
    NotFound(Denial),
}

/// [`decide`] for every category.
pub fn assess(
    viewer: &Viewer<'_>,
    subject: &Subject,
    releases: &[Release],
    now: SiteNow,
) -> Assessment {
    Assessment {
        decisions: DataCategory::ALL
            .iter()
            .map(|c| (*c, decide(viewer, subject, releases, *c, now)))
            .collect(),
    }
}
