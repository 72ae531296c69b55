//! Long-term case management (DESIGN.md §2): contacts logged in the field,
//! the participant's own goals and service referrals, the monthly status,
//! closing and reopening a case, case-manager assignment within the
//! caseload limits, caseloads, search and documents.
//!
//! Writes are for the case managers and supervisors of the participant's
//! case-management agency; each is audited in its own transaction with the
//! categories it touches. Reads of participant data go through
//! [`crate::disclosure::Guard`], never around it.

pub mod caseload;
pub mod contacts;
pub mod documents;
pub mod plan;
pub mod profile;
pub mod search;
pub mod status;

use crate::AppState;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::workflow::{SiteCtx, agency_of, works_case_of};
use handoff_audit::Outcome;
use handoff_domain::participation::{Participation, ParticipationState};
use handoff_domain::{DataCategory, ParticipantId};
use handoff_store::casework::{self, Participant};
use handoff_store::participation as store_participation;

use time::OffsetDateTime;

pub use handoff_domain::casework::{
    Employment, GoalStatus, Place, ReferralOutcome, Service, StaffRole,
};

/// A participant whose case the caller works on: a case manager or
/// supervisor of the participant's case-management agency. Anyone else gets
/// a 404, audited as a denial, as if the participant did not exist.
pub async fn case_for_work(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    action: &str,
) -> AppResult<Participant> {
    let agency = agency_of(state, auth).await?;
    let p = match casework::get_participant(&mut state.store.conn(), auth.user.site_id, pid).await {
        Ok(p) if works_case_of(auth, &agency, &p) => Some(p),
        Ok(_) | Err(handoff_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    match p {
        Some(p) => Ok(p),
        None => {
            let mut e = audit::event(auth, action, Outcome::Denied, actx);
            e.subject_participant_id = Some(pid);
            e.categories = vec![DataCategory::Enrollment];
            audit::record(state, e).await?;
            Err(AppError::NotFound)
        }
    }
}

/// A participant's case rebuilt from its stored closings and reopenings.
pub async fn participation_of(
    state: &AppState,
    ctx: &SiteCtx,
    p: &Participant,
) -> AppResult<Participation> {
    let events = store_participation::events(&mut state.store.conn(), p.site_id, p.id).await?;
    let enrolled_on = ctx.tz.local_date(p.enrolled_at.unwrap_or(p.intake_at));
    Participation::restore(enrolled_on, events)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored participation history: {e}")))
}

/// The descriptive state on `today`: engaged, not recently engaged, closed.
pub fn state_of(
    ctx: &SiteCtx,
    participation: &Participation,
    last_contact: Option<OffsetDateTime>,
    today: time::Date,
) -> ParticipationState {
    participation.state(
        last_contact.map(|t| ctx.tz.local_date(t)),
        today,
        ctx.policy.policy.not_recently_engaged_days,
    )
}

/// Checks a free-text field: trimmed, empty is none, at most `max` characters.
pub fn text(v: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => Err(AppError::field(
            field,
            format!("is longer than {max} characters"),
        )),
        Some(s) => Ok(Some(s.to_string())),
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str, field: &str) -> AppResult<time::Date> {
    time::Date::parse(
        s.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| AppError::field(field, "is not a date (YYYY-MM-DD)"))
}

/// Jaro–Winkler similarity of two strings, 0.0 to 1.0.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = vec![false; a.len()];
    let mut b_match = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == *ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let (mut k, mut transpositions) = (0usize, 0usize);
    for (i, ca) in a.iter().enumerate() {
        if a_match[i] {
            while !b_match[k] {
                k += 1;
            }
            if *ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro =
        (m / a.len() as f64 + m / b.len() as f64 + (m - transpositions as f64 / 2.0) / m) / 3.0;
    let prefix = a.iter().zip(&b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaro_winkler_matches_known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.8133).abs() < 1e-3);
        assert_eq!(jaro_winkler("same", "same"), 1.0);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
    }

    #[test]
    fn no_vocabulary_marks_failure() {
        let words: Vec<&str> = GoalStatus::ALL
            .iter()
            .flat_map(|s| [s.as_str(), s.label()])
            .chain(
                ReferralOutcome::ALL
                    .iter()
                    .flat_map(|s| [s.as_str(), s.label()]),
            )
            .collect();
        for w in words {
            let w = w.to_lowercase();
            for bad in ["fail", "non-compl", "noncompl", "terminat", "non_compl"] {
                assert!(!w.contains(bad), "{w}");
            }
        }
    }
}
