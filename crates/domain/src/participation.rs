//! Participation — "no one fails LEAD" (DESIGN.md §2).
//!
//! Services are not contingent on performance, and nothing here can end
//! participation for non-compliance. The states are descriptive only:
//! `engaged`, `not_recently_engaged` (derived from the days since the last
//! contact and the site's threshold; sites call it "inactive"), and
//! `closed`, for the participant's own reasons or circumstances — never for
//! conduct. A closed case can be reopened at any time, for any reason.
//!
//! Also here: the caseload rules (12–15 per case manager is the intensive
//! standard, a team average up to 20 is tolerated, never more than 25).

use crate::org::string_enum;
use serde::{Deserialize, Serialize};
use time::Date;

string_enum! {
    /// A participant's state, descriptive only.
    ParticipationState {
        /// In contact within the site's threshold.
        Engaged = "engaged",
        /// No contact for the site's threshold of days or more. The outreach
        /// team looks for them; nothing else changes.
        NotRecentlyEngaged = "not_recently_engaged",
        /// Closed for one of the reasons below; can be reopened any time.
        Closed = "closed",
    }
}

string_enum! {
    /// Why a case was closed. None of these is about the participant's
    /// conduct or progress.
    ClosureReason {
        ParticipantChoice = "participant_choice",
        MovedAway = "moved_away",
        Deceased = "deceased",
        LongIncarceration = "long_incarceration",
        Other = "other",
    }
}

impl ParticipationState {
    pub const fn label(&self) -> &'static str {
        match self {
            ParticipationState::Engaged => "Engaged",
            ParticipationState::NotRecentlyEngaged => "Not recently engaged",
            ParticipationState::Closed => "Closed",
        }
    }
}

impl ClosureReason {
    pub const fn label(&self) -> &'static str {
        match self {
            ClosureReason::ParticipantChoice => "The participant's choice",
            ClosureReason::MovedAway => "Moved away",
            ClosureReason::Deceased => "Deceased",
            ClosureReason::LongIncarceration => "Long incarceration",
            ClosureReason::Other => "Other",
        }
    }
}

/// The site's default threshold for "not recently engaged", in days.
pub const DEFAULT_NOT_RECENTLY_ENGAGED_DAYS: u16 = 30;

/// A change to a participant's case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ParticipationEvent {
    Closed {
        reason: ClosureReason,
        #[serde(with = "crate::site_time::iso_date")]
        on: Date,
        #[serde(default)]
        note: String,
    },
    Reopened {
        #[serde(with = "crate::site_time::iso_date")]
        on: Date,
    },
}

/// Why a change cannot apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParticipationError {
    #[error("the case is already closed")]
    AlreadyClosed,
    #[error("the case is open")]
    NotClosed,
    #[error("the date is before the case's last change")]
    OutOfOrder,
}

/// A participant's case: when it began, and every closing and reopening.
/// Serialises for the API; rebuilt from storage with
/// [`Participation::restore`], which replays the history through the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participation {
    #[serde(with = "crate::site_time::iso_date")]
    enrolled_on: Date,
    history: Vec<ParticipationEvent>,
}

impl Participation {
    /// A case that began on `enrolled_on` (intake and release complete).
    pub fn new(enrolled_on: Date) -> Self {
        Self {
            enrolled_on,
            history: Vec::new(),
        }
    }

    /// Rebuilds a case from what the store kept, replaying the history
    /// through the same rules.
    pub fn restore(
        enrolled_on: Date,
        history: impl IntoIterator<Item = ParticipationEvent>,
    ) -> Result<Self, ParticipationError> {
        let mut p = Self::new(enrolled_on);
        for e in history {
            p.apply(e)?;
        }
        Ok(p)
    }

    pub fn enrolled_on(&self) -> Date {
        self.enrolled_on
    }

    /// Every closing and reopening, oldest first.
    pub fn history(&self) -> &[ParticipationEvent] {
        &self.history
    }

    /// The closure in effect, if the case is closed.
    pub fn closure(&self) -> Option<(ClosureReason, Date)> {
        match self.history.last() {
            Some(ParticipationEvent::Closed { reason, on, .. }) => Some((*reason, *on)),
            _ => None,
        }
    }

    fn last_change(&self) -> Date {
        match self.history.last() {
            Some(ParticipationEvent::Closed { on, .. } | ParticipationEvent::Reopened { on }) => {
                *on
            }
            None => self.enrolled_on,
        }
    }

    /// Whether `event` may apply now.
    pub fn check(&self, event: &ParticipationEvent) -> Result<(), ParticipationError> {
        let (on, closing) = match event {
            ParticipationEvent::Closed { on, .. } => (*on, true),
            ParticipationEvent::Reopened { on } => (*on, false),
        };
        match (closing, self.closure().is_some()) {
            (true, true) => return Err(ParticipationError::AlreadyClosed),
            (false, false) => return Err(ParticipationError::NotClosed),
            _ => {}
        }
        if on < self.last_change() {
            return Err(ParticipationError::OutOfOrder);
        }
        Ok(())
    }

    /// Applies a closing or reopening, or refuses it and changes nothing.
    pub fn apply(&mut self, event: ParticipationEvent) -> Result<(), ParticipationError> {
        self.check(&event)?;
        self.history.push(event);
        Ok(())
    }

    /// The state on `today`, given the day of the last contact (if any) and
    /// the site's threshold: not recently engaged once `threshold_days` or
    /// more have passed since the last contact (or since enrolment or the
    /// last reopening, when that is later).
    pub fn state(
        &self,
        last_contact: Option<Date>,
        today: Date,
        threshold_days: u16,
    ) -> ParticipationState {
        if self.closure().is_some() {
            return ParticipationState::Closed;
        }
        let since = last_contact.map_or(self.last_change(), |c| c.max(self.last_change()));
        if (today - since).whole_days() >= i64::from(threshold_days) {
            ParticipationState::NotRecentlyEngaged
        } else {
            ParticipationState::Engaged
        }
    }
}

/// A site's caseload limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseloadLimits {
    /// The intensive standard per case manager (warn above it).
    pub standard: u16,
    /// The team average tolerated (warn above it).
    pub average: u16,
    /// The hard ceiling per case manager (refuse above it).
    pub never_above: u16,
}

impl Default for CaseloadLimits {
    fn default() -> Self {
        Self {
            standard: 15,
            average: 20,
            never_above: 25,
        }
    }
}

/// A warning about an assignment that is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum CaseloadWarning {
    /// The case manager would carry more than the standard.
    AboveStandard { caseload: u32, standard: u16 },
    /// The team's average would be above what is tolerated.
    TeamAverageAbove { average: f64, tolerated: u16 },
}

/// The answer for assigning one more case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Assignment {
    /// Within every limit.
    Fine,
    /// Allowed, with warnings to show before confirming.
    Warn { warnings: Vec<CaseloadWarning> },
    /// Refused: the case manager would carry more than the ceiling.
    Refused { caseload: u32, never_above: u16 },
}

/// Whether one more case may go to a case manager who carries
/// `manager_cases`, on a team of `team_size` case managers carrying
/// `team_cases` in all (the manager's included).
pub fn check_assignment(
    limits: CaseloadLimits,
    manager_cases: u32,
    team_cases: u32,
    team_size: u32,
) -> Assignment {
    let after = manager_cases.saturating_add(1);
    if after > u32::from(limits.never_above) {
        return Assignment::Refused {
            caseload: after,
            never_above: limits.never_above,
        };
    }
    let mut warnings = Vec::new();
    if after > u32::from(limits.standard) {
        warnings.push(CaseloadWarning::AboveStandard {
            caseload: after,
            standard: limits.standard,
        });
    }
    let average =
        f64::from(team_cases.max(manager_cases).saturating_add(1)) / f64::from(team_size.max(1));
    if average > f64::from(limits.average) {
        warnings.push(CaseloadWarning::TeamAverageAbove {
            average,
            tolerated: limits.average,
        });
    }
    if warnings.is_empty() {
        Assignment::Fine
    } else {
        Assignment::Warn { warnings }
    }
}
