//! The site's coordination with the justice system, as its policy document
//! sets it beside the eligibility rules: the catchment area (the areas —
//! precincts — where the site operates) and which prosecuting office owns
//! a case (by offence class or jurisdiction). Pure: the workflow reads the
//! document, asks [`SiteCoordination::office_for`] where a hold or a new
//! charge goes, and adds [`SiteCoordination::catchment_reason`] to a
//! screening with [`with_reason`].

use handoff_domain::AgencyId;
use handoff_domain::ParseError;
use handoff_domain::eligibility::{Check, Reason, RuleCode, Screening};
use serde::{Deserialize, Serialize};

/// The coordination keys of a site's policy document (the rest of the
/// document is the eligibility [`handoff_domain::eligibility::Policy`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCoordination {
    /// The site's areas (by name) where it operates. Empty: the site does
    /// not screen by area.
    #[serde(default)]
    pub catchment_areas: Vec<String>,
    /// The prosecuting offices, in the order routing tries them. Empty: the
    /// site's one prosecutor agency owns every case.
    #[serde(default)]
    pub prosecuting_offices: Vec<ProsecutingOffice>,
}

/// One prosecuting office and the cases it owns. An office with neither
/// list owns whatever no office before it claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProsecutingOffice {
    pub agency_id: AgencyId,
    /// Offence classes (conduct codes: `drug_possession`, `theft`, a site's
    /// own codes); empty: any.
    #[serde(default)]
    pub offence_classes: Vec<String>,
    /// Jurisdictions (site areas by name); empty: any.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
}

/// What the catchment rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catchment {
    /// The referral's area is one where the site operates.
    Inside,
    /// The referral's area is not one of them.
    Outside,
    /// The referral names no area: the officer confirms.
    NotChecked,
}

impl SiteCoordination {
    /// The coordination keys of a policy document (other keys ignored).
    pub fn of_document(doc: &serde_json::Value) -> Result<Self, ParseError> {
        let c: Self = serde_json::from_value(doc.clone())
            .map_err(|e| ParseError::new("policy.prosecuting_offices", e.to_string()))?;
        for (i, a) in c.catchment_areas.iter().enumerate() {
            if a.trim().is_empty() {
                return Err(ParseError::new(
                    format!("policy.catchment_areas[{i}]"),
                    "name one of the site's areas",
                ));
            }
        }
        Ok(c)
    }

    /// The catchment rule for a referral in `area`; `None` where the
    /// policy sets no catchment area.
    pub fn catchment(&self, area: Option<&str>) -> Option<Catchment> {
        if self.catchment_areas.is_empty() {
            return None;
        }
        Some(match area {
            None => Catchment::NotChecked,
            Some(a) if self.catchment_areas.iter().any(|c| c == a) => Catchment::Inside,
            Some(_) => Catchment::Outside,
        })
    }

    /// The screening reason for the catchment rule, in plain language.
    pub fn catchment_reason(&self, area: Option<&str>) -> Option<Reason> {
        let (passed, check, text) = match self.catchment(area)? {
            Catchment::Inside => (
                true,
                Check::Checked,
                format!("{} is inside the catchment area.", area.unwrap_or_default()),
            ),
            Catchment::Outside => (
                false,
                Check::Checked,
                format!(
                    "{} is outside the catchment area ({}).",
                    area.unwrap_or_default(),
                    self.catchment_areas.join(", ")
                ),
            ),
            Catchment::NotChecked => (
                true,
                Check::NotChecked,
                "Not checked — officer to confirm: the referral is inside the catchment area \
                 (no area was given)."
                    .to_string(),
            ),
        };
        Some(Reason {
            rule: RuleCode::Catchment,
            text,
            passed,
            decisive: false,
            check,
        })
    }

    /// The office that owns a case of these offence classes in `area`:
    /// the first listed office whose lists match (an empty list matches
    /// anything), else the first listed; with no offices listed, the first
    /// of `prosecutors` (the site's prosecutor agencies).
    pub fn office_for<'a>(
        &self,
        classes: impl IntoIterator<Item = &'a str> + Clone,
        area: Option<&str>,
        prosecutors: &[AgencyId],
    ) -> Option<AgencyId> {
        let listed = self
            .prosecuting_offices
            .iter()
            .filter(|o| prosecutors.contains(&o.agency_id));
        let owns = |o: &&ProsecutingOffice| {
            (o.offence_classes.is_empty()
                || classes
                    .clone()
                    .into_iter()
                    .any(|c| o.offence_classes.iter().any(|x| x == c)))
                && (o.jurisdictions.is_empty()
                    || area.is_some_and(|a| o.jurisdictions.iter().any(|j| j == a)))
        };
        listed
            .clone()
            .find(owns)
            .or_else(|| listed.clone().next())
            .map(|o| o.agency_id)
            .or_else(|| prosecutors.first().copied())
    }
}

/// A screening with one more rule, placed after the door: eligible only
/// when every rule passes, each reason's `decisive` as `screen` sets it (a
/// checked rule agreeing with the outcome, or a rule not met).
pub fn with_reason(mut s: Screening, reason: Option<Reason>) -> Screening {
    let Some(r) = reason else { return s };
    let at = usize::from(!s.reasons.is_empty());
    s.reasons.insert(at, r);
    s.eligible = s.reasons.iter().all(|r| r.passed);
    for r in &mut s.reasons {
        r.decisive = r.passed == s.eligible && (r.check == Check::Checked || !r.passed);
    }
    s
}
