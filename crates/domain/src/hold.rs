//! The diversion hold: an arrest diversion's case is held from filing while
//! the person completes intake and signs a release of information within the
//! site's window (DESIGN.md §2).
//!
//! ```text
//!   pending ──(intake + release in force, before the deadline)──▶ satisfied
//!      │                                                          "do not file"
//!      └──(the deadline passes: sweep)──▶ lapsed ──▶ prosecutor decides
//!                                                  filed | declined | deferred
//! ```
//!
//! Lapsing changes the *case's* legal path, never the person's access to
//! services: nothing here touches participation.
//!
//! **The deadline rule.** Let R be the site-local calendar day on which the
//! referral occurred and W the policy's window in days. The last day of the
//! window is R + W (local). The hold is *in time* until the end of that day:
//! the deadline is the first instant of local day R + W + 1, in the site's
//! IANA time zone, returned in UTC. Something done at an instant strictly
//! before the deadline is in time; from the deadline on the hold lapses.
//! Because days are counted on the local calendar, a DST change inside the
//! window makes the window an hour shorter or longer in absolute time, never
//! a day, and 29 February counts as a day like any other.
//!
//! **Reminders** to the case manager are due at the start of the local day
//! that leaves 7, then 2, whole days in the window (days R + W − 6 and
//! R + W − 1). A reminder whose time came before the referral is not sent;
//! when a sweep finds both due at once, it sends only the 2-day one.
//!
//! **Sweeping** is pure: [`sweep`] looks at holds as of an instant and says
//! what should happen; the store applies the events with [`Hold::apply`] in
//! the same transaction as it records them. Applied events change the hold so
//! that the same sweep finds nothing more to do: sweeping twice is harmless.
//!
//! ```
//! use handoff_domain::hold::{sweep, sweep_instant, Hold, HoldState};
//! use handoff_domain::site_time::SiteTimeZone;
//! use handoff_domain::{HoldId, ReferralId};
//! use time::macros::{date, datetime};
//! use uuid::Uuid;
//!
//! let tz = SiteTimeZone::parse("America/Los_Angeles")?;
//! let mut hold = Hold::open(HoldId::from_uuid(Uuid::from_u128(1)),
//!     ReferralId::from_uuid(Uuid::from_u128(2)), datetime!(2026-11-30 14:05 UTC), 30, &tz)?;
//! assert_eq!(hold.deadline.last_day, date!(2026-12-30));
//! assert_eq!(hold.deadline.at, datetime!(2026-12-31 08:00 UTC)); // midnight in Seattle
//!
//! // `handoff holds sweep --as-of 2026-12-31`
//! let as_of = sweep_instant(date!(2026-12-31), &tz)?;
//! for (_, event) in sweep([&hold], as_of) {
//!     hold.apply(&event)?;
//! }
//! assert_eq!(hold.state(), HoldState::Lapsed);
//! assert!(sweep([&hold], as_of).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::org::string_enum;
use crate::release::{Release, ReleaseStatus};
use crate::site_time::{OutOfRange, SiteTimeZone};
use crate::{HoldId, ReferralId, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

string_enum! {
    /// Where a diversion hold stands.
    HoldState {
        /// Held from filing; intake and release not yet complete.
        Pending = "pending",
        /// Intake and release complete in time: the prosecutor does not file.
        Satisfied = "satisfied",
        /// The window passed; the case is back in the prosecutor's queue.
        Lapsed = "lapsed",
    }
}

string_enum! {
    /// The prosecutor's decision on a lapsed hold.
    ProsecutorDecision {
        Filed = "filed",
        Declined = "declined",
        /// Decided later; a deferred decision may be followed by another.
        Deferred = "deferred",
    }
}

string_enum! {
    /// A reminder to the case manager before a hold's deadline.
    Reminder {
        SevenDays = "seven_days",
        TwoDays = "two_days",
    }
}

impl Reminder {
    /// Whole days left in the window when the reminder is due.
    pub const fn days_left(&self) -> u16 {
        match self {
            Reminder::SevenDays => 7,
            Reminder::TwoDays => 2,
        }
    }
}

impl HoldState {
    pub const fn label(&self) -> &'static str {
        match self {
            HoldState::Pending => "Pending: held from filing",
            HoldState::Satisfied => "Satisfied: do not file",
            HoldState::Lapsed => "Lapsed: returned to the prosecutor",
        }
    }
}

impl ProsecutorDecision {
    pub const fn label(&self) -> &'static str {
        match self {
            ProsecutorDecision::Filed => "Filed",
            ProsecutorDecision::Declined => "Declined to file",
            ProsecutorDecision::Deferred => "Decision deferred",
        }
    }
}

/// A hold's deadline and reminder times, from the rule in the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last local day of the window.
    #[serde(with = "crate::site_time::iso_date")]
    pub last_day: Date,
    /// The first instant after the window (UTC): lapsed from here on.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When the 7-day reminder is due (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub seven_day_reminder: OffsetDateTime,
    /// When the 2-day reminder is due (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub two_day_reminder: OffsetDateTime,
}

impl Deadline {
    /// The deadline of a hold on a referral that occurred at `referred_at`,
    /// with a window of `window_days`, at a site in `tz`.
    pub fn compute(
        referred_at: OffsetDateTime,
        window_days: u16,
        tz: &SiteTimeZone,
    ) -> Result<Self, OutOfRange> {
        let referred_on = tz.local_date(referred_at);
        let last_day = add_days(referred_on, i64::from(window_days))?;
        let day_after = add_days(last_day, 1)?;
        Ok(Self {
            last_day,
            at: tz.start_of_day(day_after)?,
            seven_day_reminder: tz.start_of_day(add_days(day_after, -7)?)?,
            two_day_reminder: tz.start_of_day(add_days(day_after, -2)?)?,
        })
    }

    pub fn reminder_due(&self, reminder: Reminder) -> OffsetDateTime {
        match reminder {
            Reminder::SevenDays => self.seven_day_reminder,
            Reminder::TwoDays => self.two_day_reminder,
        }
    }

    /// Whether something done at `at` is within the window.
    pub fn in_time(&self, at: OffsetDateTime) -> bool {
        at < self.at
    }
}

fn add_days(d: Date, days: i64) -> Result<Date, OutOfRange> {
    d.checked_add(Duration::days(days)).ok_or(OutOfRange)
}

/// A prosecutor's recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub decision: ProsecutorDecision,
    pub note: String,
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The longest decision note accepted.
pub const MAX_DECISION_NOTE_CHARS: usize = 2000;

/// Something that happens to a hold. The store records each event and
/// applies it with [`Hold::apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum HoldEvent {
    /// Intake and a release in force were both complete at `at`.
    Satisfied {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The deadline passed (`at` is the deadline itself).
    Lapsed {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// A reminder is due to the case manager.
    ReminderDue {
        reminder: Reminder,
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
    },
    /// The prosecutor decided on a lapsed hold.
    Decided(DecisionRecord),
}

/// Why an event cannot apply to a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HoldError {
    #[error("the hold is {0}, not pending")]
    NotPending(HoldState),
    #[error("the window closed before intake and release were complete")]
    WindowClosed,
    #[error("the release of information is not in force")]
    ReleaseNotInForce,
    #[error("the deadline has not passed yet")]
    NotYetDue,
    #[error("only a lapsed hold takes the prosecutor's decision")]
    NotLapsed,
    #[error("the prosecutor has already decided (filed or declined)")]
    AlreadyDecided,
    #[error("this reminder was already sent or is not due")]
    ReminderNotDue,
    #[error("the decision note is longer than {MAX_DECISION_NOTE_CHARS} characters")]
    NoteTooLong,
    #[error("inconsistent hold record: {0}")]
    Inconsistent(&'static str),
}

/// A diversion hold.
/// Serialises for the API; it is rebuilt from storage only through
/// [`HoldRecord`], which checks the state is reachable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub id: HoldId,
    pub referral_id: ReferralId,
    /// When the referral occurred.
    #[serde(with = "time::serde::rfc3339")]
    pub referred_at: OffsetDateTime,
    pub window_days: u16,
    pub deadline: Deadline,
    state: HoldState,
    #[serde(with = "time::serde::rfc3339::option")]
    satisfied_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    lapsed_at: Option<OffsetDateTime>,
    /// The most urgent reminder sent so far.
    last_reminder: Option<Reminder>,
    decisions: Vec<DecisionRecord>,
}

impl Hold {
    /// A new pending hold for an arrest diversion.
    pub fn open(
        id: HoldId,
        referral_id: ReferralId,
        referred_at: OffsetDateTime,
        window_days: u16,
        tz: &SiteTimeZone,
    ) -> Result<Self, OutOfRange> {
        Ok(Self {
            id,
            referral_id,
            referred_at,
            window_days,
            deadline: Deadline::compute(referred_at, window_days, tz)?,
            state: HoldState::Pending,
            satisfied_at: None,
            lapsed_at: None,
            last_reminder: None,
            decisions: Vec::new(),
        })
    }

    pub fn state(&self) -> HoldState {
        self.state
    }
    pub fn satisfied_at(&self) -> Option<OffsetDateTime> {
        self.satisfied_at
    }
    pub fn lapsed_at(&self) -> Option<OffsetDateTime> {
        self.lapsed_at
    }
    pub fn last_reminder(&self) -> Option<Reminder> {
        self.last_reminder
    }
    /// Every decision recorded, oldest first.
    pub fn decisions(&self) -> &[DecisionRecord] {
        &self.decisions
    }
    /// The standing decision, if any.
    pub fn decision(&self) -> Option<&DecisionRecord> {
        self.decisions.last()
    }
    /// Lapsed and waiting for the prosecutor (no decision, or deferred).
    pub fn awaiting_decision(&self) -> bool {
        self.state == HoldState::Lapsed
            && self
                .decision()
                .is_none_or(|d| d.decision == ProsecutorDecision::Deferred)
    }

    /// Whether the hold is pending and lapses within `within` of `as_of`
    /// (the OWG agenda's "holds lapsing within 7 days").
    pub fn lapsing_within(&self, as_of: OffsetDateTime, within: Duration) -> bool {
        self.state == HoldState::Pending
            && as_of < self.deadline.at
            && self.deadline.at - as_of <= within
    }

    /// The event for intake and release both complete: at the later of the
    /// two instants. Fails if the hold is not pending or the window closed
    /// first.
    pub fn satisfy(
        &self,
        intake_completed_at: OffsetDateTime,
        release_signed_at: OffsetDateTime,
    ) -> Result<HoldEvent, HoldError> {
        let event = HoldEvent::Satisfied {
            at: intake_completed_at.max(release_signed_at),
        };
        self.check(&event)?;
        Ok(event)
    }

    /// [`Hold::satisfy`], checking that `release` (unrevoked, unexpired,
    /// already effective) is in force at the moment both were complete.
    pub fn satisfy_with_release(
        &self,
        intake_completed_at: OffsetDateTime,
        release: &Release,
        release_signed_at: OffsetDateTime,
        tz: &SiteTimeZone,
    ) -> Result<HoldEvent, HoldError> {
        let event = self.satisfy(intake_completed_at, release_signed_at)?;
        let complete = intake_completed_at.max(release_signed_at);
        if release.status(tz.at(complete)) != ReleaseStatus::InForce {
            return Err(HoldError::ReleaseNotInForce);
        }
        Ok(event)
    }

    /// The event for the prosecutor's decision on a lapsed hold.
    pub fn decide(
        &self,
        decision: ProsecutorDecision,
        note: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<HoldEvent, HoldError> {
        let event = HoldEvent::Decided(DecisionRecord {
            decision,
            note: note.trim().to_owned(),
            by,
            at,
        });
        self.check(&event)?;
        Ok(event)
    }

    /// Whether `event` may apply to the hold as it stands.
    pub fn check(&self, event: &HoldEvent) -> Result<(), HoldError> {
        match event {
            HoldEvent::Satisfied { at } => {
                if self.state != HoldState::Pending {
                    return Err(HoldError::NotPending(self.state));
                }
                if !self.deadline.in_time(*at) {
                    return Err(HoldError::WindowClosed);
                }
            }
            HoldEvent::Lapsed { at } => {
                if self.state != HoldState::Pending {
                    return Err(HoldError::NotPending(self.state));
                }
                if *at < self.deadline.at {
                    return Err(HoldError::NotYetDue);
                }
            }
            HoldEvent::ReminderDue { reminder, at } => {
                if self.state != HoldState::Pending {
                    return Err(HoldError::NotPending(self.state));
                }
                let already = self.last_reminder.is_some_and(|r| r >= *reminder);
                if already || *at < self.deadline.reminder_due(*reminder) {
                    return Err(HoldError::ReminderNotDue);
                }
            }
            HoldEvent::Decided(d) => {
                if self.state != HoldState::Lapsed {
                    return Err(HoldError::NotLapsed);
                }
                if !self.awaiting_decision() {
                    return Err(HoldError::AlreadyDecided);
                }
                if d.note.chars().count() > MAX_DECISION_NOTE_CHARS {
                    return Err(HoldError::NoteTooLong);
                }
            }
        }
        Ok(())
    }

    /// Applies an event, or refuses it and leaves the hold unchanged.
    pub fn apply(&mut self, event: &HoldEvent) -> Result<(), HoldError> {
        self.check(event)?;
        match event {
            HoldEvent::Satisfied { at } => {
                self.state = HoldState::Satisfied;
                self.satisfied_at = Some(*at);
            }
            HoldEvent::Lapsed { at } => {
                self.state = HoldState::Lapsed;
                self.lapsed_at = Some(*at);
            }
            HoldEvent::ReminderDue { reminder, .. } => self.last_reminder = Some(*reminder),
            HoldEvent::Decided(d) => self.decisions.push(d.clone()),
        }
        Ok(())
    }

    /// What a sweep at `as_of` finds for this hold: the lapse once the
    /// deadline has passed, otherwise the most urgent reminder due and not
    /// yet sent (reminders whose time came before the referral are skipped).
    pub fn due(&self, as_of: OffsetDateTime) -> Option<HoldEvent> {
        if self.state != HoldState::Pending {
            return None;
        }
        if as_of >= self.deadline.at {
            return Some(HoldEvent::Lapsed {
                at: self.deadline.at,
            });
        }
        [Reminder::TwoDays, Reminder::SevenDays]
            .into_iter()
            .find(|r| {
                let due = self.deadline.reminder_due(*r);
                due <= as_of && due > self.referred_at
            })
            .filter(|r| self.last_reminder.is_none_or(|sent| sent < *r))
            .map(|reminder| HoldEvent::ReminderDue {
                reminder,
                at: self.deadline.reminder_due(reminder),
            })
    }
}

/// A hold as the store keeps it, column by column. [`Hold::to_record`] and
/// `Hold::try_from(record)` convert; the latter checks the record is a state
/// the machine can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRecord {
    pub id: HoldId,
    pub referral_id: ReferralId,
    pub referred_at: OffsetDateTime,
    pub window_days: u16,
    /// As computed when the hold opened; not recomputed if the site's
    /// policy or time zone changes later.
    pub deadline: Deadline,
    pub state: HoldState,
    pub satisfied_at: Option<OffsetDateTime>,
    pub lapsed_at: Option<OffsetDateTime>,
    pub last_reminder: Option<Reminder>,
    pub decisions: Vec<DecisionRecord>,
}

impl Hold {
    /// The hold's columns, for the store.
    pub fn to_record(&self) -> HoldRecord {
        HoldRecord {
            id: self.id,
            referral_id: self.referral_id,
            referred_at: self.referred_at,
            window_days: self.window_days,
            deadline: self.deadline,
            state: self.state,
            satisfied_at: self.satisfied_at,
            lapsed_at: self.lapsed_at,
            last_reminder: self.last_reminder,
            decisions: self.decisions.clone(),
        }
    }
}

impl TryFrom<HoldRecord> for Hold {
    type Error = HoldError;
    fn try_from(r: HoldRecord) -> Result<Self, Self::Error> {
        let bad = |m| Err(HoldError::Inconsistent(m));
        match r.state {
            HoldState::Pending if r.satisfied_at.is_some() || r.lapsed_at.is_some() => {
                return bad("a pending hold has no satisfied or lapsed time");
            }
            HoldState::Satisfied
                if r.lapsed_at.is_some() || r.satisfied_at.is_none_or(|s| s >= r.deadline.at) =>
            {
                return bad("a satisfied hold has a satisfied time before its deadline");
            }
            HoldState::Lapsed
                if r.satisfied_at.is_some() || r.lapsed_at.is_none_or(|l| l < r.deadline.at) =>
            {
                return bad("a lapsed hold has a lapsed time from its deadline on");
            }
            _ => {}
        }
        if !r.decisions.is_empty() && r.state != HoldState::Lapsed {
            return bad("only a lapsed hold has decisions");
        }
        let finals = r
            .decisions
            .iter()
            .position(|d| d.decision != ProsecutorDecision::Deferred);
        if finals.is_some_and(|i| i + 1 != r.decisions.len()) {
            return bad("nothing follows a decision to file or decline");
        }
        Ok(Self {
            id: r.id,
            referral_id: r.referral_id,
            referred_at: r.referred_at,
            window_days: r.window_days,
            deadline: r.deadline,
            state: r.state,
            satisfied_at: r.satisfied_at,
            lapsed_at: r.lapsed_at,
            last_reminder: r.last_reminder,
            decisions: r.decisions,
        })
    }
}

/// The sweep: for every hold, what is due as of `as_of`. Pure and
/// idempotent — once the store applies what it returns, the same sweep
/// returns nothing.
pub fn sweep<'a>(
    holds: impl IntoIterator<Item = &'a Hold>,
    as_of: OffsetDateTime,
) -> Vec<(HoldId, HoldEvent)> {
    holds
        .into_iter()
        .filter_map(|h| h.due(as_of).map(|e| (h.id, e)))
        .collect()
}

/// The instant a sweep "as of" a local date runs at: the start of that day
/// at the site. `handoff holds sweep --as-of 2026-12-31` lapses every hold
/// whose last day was 30 December or earlier.
pub fn sweep_instant(as_of: Date, tz: &SiteTimeZone) -> Result<OffsetDateTime, OutOfRange> {
    tz.start_of_day(as_of)
}
