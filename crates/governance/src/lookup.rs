//! An officer's look-up: is the person in front of them a LEAD participant?
//! (DESIGN.md §1.) The answer names the case manager and their phone only
//! where the person's release in force discloses `enrollment` to the
//! caller's organisation; otherwise it is empty, the same whether or not
//! the person exists, and reached by the same path: every participant of
//! the site is assessed by the guard, the identities of those whose
//! `enrollment` the caller may see are compared with what was typed
//! (exact date of birth, a close name — the search's name matching), and
//! nothing of a near miss is shown. Every look-up is audited
//! (`participant.lookup`, category `enrollment`, naming the participants
//! disclosed, or no one).

use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_domain::text::refuse_bidi_controls;
use handoff_domain::{DataCategory, ParticipantId};
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::casework::search::name_matches;
use handoff_services::disclosure::{Guard, shown};
use handoff_services::error::{AppError, AppResult};
use handoff_store::access::{self, Access, Grant, SystemTask};
use handoff_store::{casework, referrals, users};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// What the officer typed.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The person's last name.
    pub last_name: Option<String>,
    /// The person's first name.
    pub first_name: Option<String>,
    /// The person's date of birth, YYYY-MM-DD.
    pub dob: Option<String>,
}

/// The answer: one match per participant whose release discloses
/// `enrollment` to the caller's organisation; otherwise none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LookupAnswer {
    pub matches: Vec<LookupMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LookupMatch {
    /// Always true: the person is a LEAD participant.
    pub participant: bool,
    pub case_manager: CaseManagerContact,
}

/// Whom to call about the participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseManagerContact {
    /// The case manager's name (null while no one is assigned).
    pub name: Option<String>,
    /// Their work phone, where one is on file.
    pub phone: Option<String>,
}

/// The typed name (first, last) and date of birth, checked.
fn parse(q: &LookupQuery) -> AppResult<(String, String, String)> {
    let text = |field: &'static str, v: &Option<String>| -> AppResult<String> {
        let v = v.as_deref().unwrap_or("").trim();
        if v.is_empty() || v.chars().count() > 100 {
            return Err(AppError::field(field, "type 1 to 100 characters"));
        }
        refuse_bidi_controls(field, v)?;
        Ok(v.to_string())
    };
    let last = text("last_name", &q.last_name)?;
    let first = text("first_name", &q.first_name)?;
    let dob = q.dob.as_deref().unwrap_or("").trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if dob.len() != 10 || time::Date::parse(dob, format).is_err() {
        return Err(AppError::field(
            "dob",
            "type the date of birth as YYYY-MM-DD",
        ));
    }
    Ok((first, last, dob.to_string()))
}

/// Looks a person up by name and date of birth.
pub async fn look_up(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    q: &LookupQuery,
) -> AppResult<LookupAnswer> {
    let guard = Guard::new(state, auth).await?;
    guard
        .require(
            actx,
            Action::LookUpParticipation,
            "participant.lookup",
            vec![DataCategory::Enrollment],
            "looking up participation is for officers",
        )
        .await?;
    let (first, last, dob) = parse(q)?;
    let site = auth.user.site_id;
    let mut c = state.store.conn();
    // Every participant is assessed, whatever was typed: the participants
    // whose enrolment the caller may be told about.
    let all = casework::list_participants(&mut c, site).await?;
    let rows: Vec<Access> = guard
        .assess_many(all)
        .await?
        .into_iter()
        .filter(|a| shown(a.assessment(), DataCategory::Enrollment))
        .collect();
    // Their identities are compared with what was typed (a system task:
    // nothing of them is shown).
    let grants: Vec<Grant> = rows
        .iter()
        .map(|a| {
            access::unguarded(
                a.facts().participant(),
                DataCategory::Identity,
                SystemTask::Lookup,
            )
        })
        .collect();
    let persons = referrals::identities(&mut c, &grants).await?;
    let staff: HashMap<_, _> = users::list(&mut c, site)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.display_name, u.phone)))
        .collect();
    let mut disclosed: Vec<ParticipantId> = Vec::new();
    let mut matches = Vec::new();
    for a in &rows {
        let p = a.facts().participant();
        let Some(person) = persons.get(&p.id) else {
            continue;
        };
        let same = person.dob.as_deref() == Some(dob.as_str())
            && name_matches(
                (&first, &last),
                (&person.first_name, &person.last_name),
                &person.aliases,
            );
        if !same {
            continue;
        }
        let (name, phone) = p
            .case_manager_id
            .and_then(|u| staff.get(&u).cloned())
            .map_or((None, None), |(n, ph)| (Some(n), ph));
        disclosed.push(p.id);
        matches.push(LookupMatch {
            participant: true,
            case_manager: CaseManagerContact { name, phone },
        });
    }
    let mut e = audit::event(auth, "participant.lookup", Outcome::Allowed, actx);
    e.categories = vec![DataCategory::Enrollment];
    e.participants = disclosed;
    audit::record(state, e).await?;
    Ok(LookupAnswer { matches })
}
