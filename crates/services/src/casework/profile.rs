//! Profile extras of a participant: aliases beyond those at referral,
//! identifiers (booking numbers, state id), phone and e-mail, and where to
//! find the person (places and times). Read as part of `identity` through
//! the disclosure guard; written by the participant's case management.

use super::{case_for_work, text};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::text::refuse_bidi_controls;
use handoff_domain::{DataCategory, ParticipantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Identifier {
    /// e.g. `booking_number`, `state_id`, `fbi_number`, `medicaid_id`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct WhereToFind {
    /// A place, e.g. "Westlake Park, by the fountain".
    #[serde(default)]
    pub place: String,
    /// When, e.g. "weekday mornings".
    #[serde(default)]
    pub times: String,
}

/// `PUT /api/v1/participants/{id}/profile`: the whole set, replaced.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ProfileForm {
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub where_to_find: Vec<WhereToFind>,
}

pub const KINDS: &[&str] = &[
    "booking_number",
    "state_id",
    "fbi_number",
    "medicaid_id",
    "hmis_id",
    "other",
];

impl ProfileForm {
    /// Checks and trims every field; errors name it (`identifiers[1].kind`).
    /// Every text that identifies the person refuses bidirectional
    /// formatting characters (see [`refuse_bidi_controls`]).
    pub fn parse(&self) -> AppResult<ProfileForm> {
        let mut out = ProfileForm::default();
        for (i, a) in self.aliases.iter().enumerate() {
            let field = format!("aliases[{i}]");
            if let Some(a) = text(Some(a), &field, 100)? {
                refuse_bidi_controls(field, &a)?;
                out.aliases.push(a);
            }
        }
        for (i, id) in self.identifiers.iter().enumerate() {
            let kind = id.kind.trim();
            if !KINDS.contains(&kind) {
                return Err(AppError::field(
                    format!("identifiers[{i}].kind"),
                    format!("must be one of {}", KINDS.join(", ")),
                ));
            }
            let field = format!("identifiers[{i}].value");
            let value = text(Some(&id.value), &field, 60)?
                .ok_or_else(|| AppError::field(field.clone(), "is empty"))?;
            refuse_bidi_controls(field, &value)?;
            out.identifiers.push(Identifier {
                kind: kind.to_string(),
                value,
            });
        }
        out.phone = text(self.phone.as_deref(), "phone", 40)?;
        if let Some(p) = &out.phone
            && !p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        {
            return Err(AppError::field("phone", "is not a phone number"));
        }
        out.email = text(self.email.as_deref(), "email", 200)?;
        if let Some(e) = &out.email
            && !e.contains('@')
        {
            return Err(AppError::field("email", "is not an e-mail address"));
        }
        if let Some(e) = &out.email {
            refuse_bidi_controls("email", e)?;
        }
        for (i, w) in self.where_to_find.iter().enumerate() {
            let field = format!("where_to_find[{i}].place");
            if let Some(place) = text(Some(&w.place), &field, 200)? {
                refuse_bidi_controls(field, &place)?;
                let field = format!("where_to_find[{i}].times");
                let times = text(Some(&w.times), &field, 200)?.unwrap_or_default();
                refuse_bidi_controls(field, &times)?;
                out.where_to_find.push(WhereToFind { place, times });
            }
        }
        if out.aliases.len() > 20 || out.identifiers.len() > 20 || out.where_to_find.len() > 20 {
            return Err(AppError::field("body", "at most 20 of each"));
        }
        Ok(out)
    }
}

pub async fn put(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    form: ProfileForm,
) -> AppResult<()> {
    let form = form.parse()?;
    let p = case_for_work(state, auth, actx, pid, "profile.update").await?;
    let content = serde_json::to_value(&form).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.store.begin().await?;
    handoff_store::profile::put(
        &mut tx.conn(),
        p.site_id,
        p.id,
        &content,
        auth.user.id,
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "profile.update", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.categories = vec![DataCategory::Identity];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}
