//! The key to participant content. The store's readers of a participant's
//! case content — the person's identity and demographics, intake and
//! triage, contacts and their tagged pieces, goals and service referrals,
//! the profile, monthly status, linked justice records — take a [`Grant`],
//! and a `Grant` can be made in two ways only:
//!
//! - [`Access::grant`]: the domain's disclosure engine allowed the category
//!   to the viewer, on facts this module loaded from the database itself
//!   ([`facts`]; their fields are private, so no caller can make them up);
//! - [`unguarded`]: a named system task that is not a person reading
//!   ([`SystemTask`]), listed in ARCHITECTURE.md; its callers audit the
//!   participants it touches.
//!
//! A referral's person, before there is a participant, is read with a
//! [`ReferralGrant`], made only by [`ReferralAccess::grant`] from the
//! domain's referral rule (`handoff_domain::disclosure::referral`) on a
//! referral this module loaded ([`referral`], [`referrals`]). A whole
//! site's persons are read only by named system tasks, with the key
//! [`unguarded_persons`] makes.
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
//!         person: p.person_id,
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
//!
//! The person readers, the same way: the identity under a grant for
//! `identity` compiles; the reader called with a site and a person id, or
//! the private lookup behind it, does not.
//!
//! ```no_run
//! # use handoff_domain::{DataCategory, disclosure::Viewer, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access, casework::Participant, referrals};
//! async fn name(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     let facts = access::facts(c, p, false).await?;
//!     let access = access::assess(who, facts, now);
//!     if let Some(grant) = access.grant(DataCategory::Identity) {
//!         let _who = referrals::identity(c, &grant).await?;
//!     }
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0061
//! # use handoff_domain::{DataCategory, disclosure::Viewer, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access, casework::Participant, referrals};
//! async fn name(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     // The reader called with a site and a person id alone.
//!     let _who = referrals::identity(c, p.site_id, p.person_id).await?;
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0603
//! # use handoff_domain::{DataCategory, disclosure::Viewer, site_time::SiteNow};
//! # use handoff_store::{Conn, Result, access, casework::Participant, referrals};
//! async fn name(c: &mut Conn<'_>, who: &Viewer<'_>, p: Participant, now: SiteNow) -> Result<()> {
//!     // The lookup behind the readers is private to the store.
//!     let _who = referrals::person_by_id(c, p.site_id, p.person_id).await?;
//!     Ok(())
//! }
//! ```
//!
//! At the referral stage, the grant the rule gives compiles (for the
//! person and what was referred); the referral's details read without it,
//! or a referral grant written by hand, do not.
//!
//! ```no_run
//! # use handoff_domain::ReferralId;
//! # use handoff_store::{Conn, Result, access, referrals};
//! async fn person(c: &mut Conn<'_>, who: &access::Asker<'_>, id: ReferralId) -> Result<()> {
//!     let r = access::referral(c, who, id).await?;
//!     if let Some(grant) = r.grant() {
//!         let _person = referrals::referral_person(c, &grant).await?;
//!         let _details = r.record().details(&grant);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0616
//! # use handoff_domain::ReferralId;
//! # use handoff_store::{Conn, Result, access, referrals};
//! async fn person(c: &mut Conn<'_>, who: &access::Asker<'_>, id: ReferralId) -> Result<()> {
//!     let r = access::referral(c, who, id).await?;
//!     // What was referred, read without the grant: the field is private.
//!     let _details = &r.record().body;
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0451
//! # use handoff_domain::{ReferralId, disclosure::referral::ReferralStanding};
//! # use handoff_store::{Conn, Result, access, referrals};
//! async fn person(c: &mut Conn<'_>, who: &access::Asker<'_>, id: ReferralId) -> Result<()> {
//!     let r = access::referral(c, who, id).await?;
//!     // A referral grant written by hand: its fields are private.
//!     let grant = access::ReferralGrant {
//!         site: r.record().site_id,
//!         referral: r.record().id,
//!         person: r.record().person_id,
//!         standing: ReferralStanding::CaseManagement,
//!     };
//!     let _person = referrals::referral_person(c, &grant).await?;
//!     Ok(())
//! }
//! ```
//!
//! And a system task's key to a site's persons comes only from the named
//! bypass:
//!
//! ```no_run
//! # use handoff_domain::SiteId;
//! # use handoff_store::{Conn, Result, access::{self, SystemTask}, referrals};
//! async fn train(c: &mut Conn<'_>, site: SiteId) -> Result<()> {
//!     let key = access::unguarded_persons(site, SystemTask::Linkage);
//!     let _all = referrals::all_persons(c, &key).await?;
//!     Ok(())
//! }
//! ```
//!
//! ```compile_fail,E0451
//! # use handoff_domain::SiteId;
//! # use handoff_store::{Conn, Result, access::{self, SystemTask}, referrals};
//! async fn train(c: &mut Conn<'_>, site: SiteId) -> Result<()> {
//!     let key = access::SiteTask { site, task: SystemTask::Linkage };
//!     let _all = referrals::all_persons(c, &key).await?;
//!     Ok(())
//! }
//! ```

use crate::casework::Participant;
use crate::db::Row;
use crate::referrals::{Filter, ReferralRecord};
use crate::{Conn, Result, StoreError, Value, holds, referrals, releases};
use handoff_domain::disclosure::referral::{self as referral_rule, ReferralStanding};
use handoff_domain::disclosure::{self, Answer, Assessment, Extent, Subject, Viewer};
use handoff_domain::release::Release;
use handoff_domain::site_time::SiteNow;
use handoff_domain::{AgencyId, DataCategory, ParticipantId, PersonId, ReferralId, SiteId, UserId};
use std::collections::HashMap;
use uuid::Uuid;

/// How many ids one `IN (…)` list of a batch reader binds at most.
pub(crate) const CHUNK: usize = 500;

/// `$2, $3, …` for `n` values: constant text for an `IN` list after the
/// site (`$1`).
fn placeholders(n: usize) -> String {
    (2..2 + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of a batch reader: `sql` is given the placeholders of an `IN`
/// list (`$1` is the site) and run once per [`CHUNK`] ids.
pub(crate) async fn fetch_in<T: Row, Id: Copy + Into<Value>>(
    c: &mut Conn<'_>,
    site: SiteId,
    ids: &[Id],
    sql: impl Fn(&str) -> String,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let mut args = vec![site.into()];
        args.extend(chunk.iter().map(|id| (*id).into()));
        out.extend(
            c.fetch_all::<T>(&sql(&placeholders(chunk.len())), args)
                .await?,
        );
    }
    Ok(out)
}

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

/// The facts of a list's participants (all of one site), in the list's
/// order, loaded in a constant number of queries (per [`CHUNK`] rows): the
/// referrals, the holds and the releases of all rows at once.
pub async fn facts_many(
    c: &mut Conn<'_>,
    site: SiteId,
    participants: Vec<Participant>,
    research_use_allowed: bool,
) -> Result<Vec<Facts>> {
    #[derive(sqlx::FromRow)]
    struct Referred {
        id: Uuid,
        referred_by: Uuid,
    }
    #[derive(sqlx::FromRow)]
    struct Office {
        referral_id: Uuid,
        prosecutor_agency_id: Option<Uuid>,
    }
    if participants.iter().any(|p| p.site_id != site) {
        return Err(StoreError::Corrupt(
            "a list's participants span sites".into(),
        ));
    }
    let rids: Vec<ReferralId> = participants.iter().filter_map(|p| p.referral_id).collect();
    let referred_by: HashMap<ReferralId, UserId> =
        fetch_in::<Referred, _>(c, site, &rids, |list| {
            format!("SELECT id, referred_by FROM referrals WHERE site_id = $1 AND id IN ({list})")
        })
        .await?
        .into_iter()
        .map(|r| (r.id.into(), r.referred_by.into()))
        .collect();
    let offices: HashMap<ReferralId, AgencyId> = fetch_in::<Office, _>(c, site, &rids, |list| {
        format!(
            "SELECT referral_id, prosecutor_agency_id FROM holds WHERE site_id = $1 AND referral_id IN ({list})"
        )
    })
    .await?
    .into_iter()
    .filter_map(|h| Some((h.referral_id.into(), h.prosecutor_agency_id?.into())))
    .collect();
    let pids: Vec<ParticipantId> = participants.iter().map(|p| p.id).collect();
    let mut rels: HashMap<ParticipantId, Vec<Release>> = HashMap::new();
    for r in releases::for_participants(c, site, &pids).await? {
        rels.entry(r.participant_id).or_default().push(r.release);
    }
    Ok(participants
        .into_iter()
        .map(|p| {
            let rid = p.referral_id;
            Facts {
                subject: Subject {
                    site: p.site_id,
                    case_management_agency: Some(p.agency_id),
                    referred_by: rid.and_then(|r| referred_by.get(&r).copied()),
                    hold_office: rid.and_then(|r| offices.get(&r).copied()),
                    research_use_allowed,
                },
                releases: rels.remove(&p.id).unwrap_or_default(),
                participant: p,
            }
        })
        .collect())
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
    /// Record linkage: training "already known?" on the site's persons
    /// and matching imported justice records to them. Nothing is shown;
    /// what is shown afterwards goes through the guard.
    Linkage,
    /// De-identified aggregate figures (oversight): each person's race.
    Figures,
    /// An officer's look-up of participation: the name and date of birth
    /// typed are compared with the identities of the participants whose
    /// `enrollment` the guard allows the officer; nothing of the identity
    /// is shown, only the enrolment of an exact match.
    Lookup,
}

/// The named bypass: a grant for a system task. Searchable by name; every
/// call site is listed in ARCHITECTURE.md.
pub fn unguarded(p: &Participant, category: DataCategory, task: SystemTask) -> Grant {
    let extent = match task {
        SystemTask::EvaluationExport | SystemTask::Figures => Extent::LimitedDataSet,
        SystemTask::Linkage | SystemTask::Lookup => Extent::Full,
    };
    Grant::new(p, category, extent)
}

/// The named bypass over a whole site's persons, for a system task: the
/// key to [`referrals::all_persons`] and [`referrals::person`] (linkage)
/// and [`referrals::races`] (figures, the evaluation export). Every call
/// site is listed in ARCHITECTURE.md.
pub fn unguarded_persons(site: SiteId, task: SystemTask) -> SiteTask {
    SiteTask { site, task }
}

/// A system task's key to a site's persons. Only [`unguarded_persons`]
/// makes one.
#[derive(Debug, Clone, Copy)]
pub struct SiteTask {
    site: SiteId,
    task: SystemTask,
}

impl SiteTask {
    pub fn task(&self) -> SystemTask {
        self.task
    }

    /// The site, when the task is one of `allowed`.
    pub(crate) fn open(&self, allowed: &[SystemTask]) -> Result<SiteId> {
        if allowed.contains(&self.task) {
            Ok(self.site)
        } else {
            Err(StoreError::Corrupt(format!(
                "the task {:?} does not open this reader",
                self.task
            )))
        }
    }
}

/// Who asks about a referral: the viewer, and whether they are designated
/// to approve referrals.
#[derive(Debug, Clone, Copy)]
pub struct Asker<'a> {
    pub viewer: Viewer<'a>,
    pub designated_approver: bool,
}

/// A referral as the store loaded it, with the asker's standing towards
/// it under the domain's referral rule.
#[derive(Debug, Clone)]
pub struct ReferralAccess {
    record: ReferralRecord,
    standing: Option<ReferralStanding>,
}

impl ReferralAccess {
    fn decide(who: &Asker<'_>, record: ReferralRecord) -> ReferralAccess {
        let standing =
            referral_rule::standing(&who.viewer, who.designated_approver, &record.subject());
        ReferralAccess { record, standing }
    }
    pub fn record(&self) -> &ReferralRecord {
        &self.record
    }
    pub fn into_record(self) -> ReferralRecord {
        self.record
    }
    /// `None`: the asker may not read the referral at all.
    pub fn standing(&self) -> Option<ReferralStanding> {
        self.standing
    }
    /// The key to the referral's person, where the rule gives a standing.
    pub fn grant(&self) -> Option<ReferralGrant> {
        self.standing.map(|standing| ReferralGrant {
            site: self.record.site_id,
            referral: self.record.id,
            person: self.record.person_id,
            standing,
        })
    }
}

/// Loads one referral and decides the asker's standing towards it.
pub async fn referral(c: &mut Conn<'_>, who: &Asker<'_>, id: ReferralId) -> Result<ReferralAccess> {
    let record = referrals::get(c, who.viewer.site, id).await?;
    Ok(ReferralAccess::decide(who, record))
}

/// Loads a list of referrals (one query) and decides the asker's standing
/// towards each.
pub async fn referrals(
    c: &mut Conn<'_>,
    who: &Asker<'_>,
    filter: Filter,
    limit: i64,
) -> Result<Vec<ReferralAccess>> {
    Ok(referrals::list(c, who.viewer.site, filter, limit)
        .await?
        .into_iter()
        .map(|r| ReferralAccess::decide(who, r))
        .collect())
}

/// The referrals of some persons (one query per chunk), newest first, each
/// with the asker's standing towards it.
pub async fn referrals_of_persons(
    c: &mut Conn<'_>,
    who: &Asker<'_>,
    persons: &[PersonId],
) -> Result<Vec<ReferralAccess>> {
    Ok(referrals::of_persons(c, who.viewer.site, persons)
        .await?
        .into_iter()
        .map(|r| ReferralAccess::decide(who, r))
        .collect())
}

/// One page of a filter's referrals, each with what the referral rule lets
/// the asker do with it.
pub async fn referrals_page(
    c: &mut Conn<'_>,
    who: &Asker<'_>,
    filter: Filter,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<ReferralAccess>> {
    Ok(referrals::list_page(c, who.viewer.site, filter, page)
        .await?
        .map(|r| ReferralAccess::decide(who, r)))
}

/// Proof that a referral's person may be read at the referral stage. Only
/// [`ReferralAccess::grant`] makes one.
#[derive(Debug, Clone)]
pub struct ReferralGrant {
    site: SiteId,
    referral: ReferralId,
    person: PersonId,
    standing: ReferralStanding,
}

impl ReferralGrant {
    pub fn site(&self) -> SiteId {
        self.site
    }
    pub fn referral(&self) -> ReferralId {
        self.referral
    }
    pub fn standing(&self) -> ReferralStanding {
        self.standing
    }
    pub(crate) fn person(&self) -> PersonId {
        self.person
    }
}

/// Proof that one category of one participant may be read, at an extent.
/// Only [`Access::grant`] and [`unguarded`] make one.
#[derive(Debug, Clone)]
pub struct Grant {
    site: SiteId,
    participant: ParticipantId,
    person: PersonId,
    referral: Option<ReferralId>,
    category: DataCategory,
    extent: Extent,
}

impl Grant {
    fn new(p: &Participant, category: DataCategory, extent: Extent) -> Grant {
        Grant {
            site: p.site_id,
            participant: p.id,
            person: p.person_id,
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

    /// The site and the participant's person, when the grant is for
    /// `category`; the person readers call this first.
    pub(crate) fn person(&self, category: DataCategory) -> Result<(SiteId, PersonId)> {
        self.open(&[category])?;
        Ok((self.site, self.person))
    }

    /// The participant's referral, for readers keyed by it (triage).
    pub(crate) fn referral(&self) -> Option<ReferralId> {
        self.referral
    }
}
