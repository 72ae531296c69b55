//! Releases of information: signed (drawn on screen or an uploaded PDF),
//! stored with the signature as a document of the participant, listed and
//! revoked (immediately effective). A release in force after intake
//! satisfies the diversion hold and completes enrolment.

use super::views::{RecipientView, ReleaseView};
use super::{SiteCtx, agency_of, works_case_of};
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use base64::Engine;
use handoff_audit::Outcome;
use handoff_domain::disclosure::release_may_give;
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::release::{Release, ReleaseForm, SignatureMethod, StoredRelease};
use handoff_domain::{DataCategory, ParticipantId, ReleaseId};
use handoff_store::casework::{self, Participant};
use handoff_store::documents::{self, NewDocument};
use handoff_store::{holds, orgs, referrals, releases};
use sha2::{Digest, Sha256};

/// The largest signature image or signed PDF accepted.
pub const MAX_SIGNATURE_BYTES: usize = 2 * 1024 * 1024;

/// The participant, if the caller works for the agency that serves them.
pub async fn participant_for_case_management(
    state: &AppState,
    auth: &Auth,
    id: ParticipantId,
) -> AppResult<Participant> {
    let agency = agency_of(state, auth).await?;
    let p = casework::get_participant(&mut state.store.conn(), auth.user.site_id, id).await?;
    if !works_case_of(auth, &agency, &p) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

fn decode_signature(
    form: &ReleaseForm,
    method: SignatureMethod,
) -> AppResult<(Vec<u8>, &'static str, &'static str, &'static str)> {
    let sig = form
        .signature
        .as_ref()
        .ok_or_else(|| AppError::field("signature", "is required"))?;
    let (field, b64, magic, content_type, name): (&str, &Option<String>, &[u8], &str, &str) =
        match method {
            SignatureMethod::Drawn => (
                "signature.image_base64",
                &sig.image_base64,
                b"\x89PNG\r\n\x1a\n",
                "image/png",
                "signature.png",
            ),
            SignatureMethod::UploadedPdf => (
                "signature.pdf_base64",
                &sig.pdf_base64,
                b"%PDF-",
                "application/pdf",
                "signed-release.pdf",
            ),
        };
    let raw = b64.as_deref().unwrap_or_default().trim();
    let raw = raw.split_once("base64,").map(|(_, d)| d).unwrap_or(raw);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map_err(|_| AppError::field(field, "is not base64"))?;
    if bytes.len() > MAX_SIGNATURE_BYTES {
        return Err(AppError::field(field, "is larger than 2 MB"));
    }
    if !bytes.starts_with(magic) {
        return Err(AppError::field(
            field,
            format!("is not a {content_type} file"),
        ));
    }
    let kind = match method {
        SignatureMethod::Drawn => "release_signature",
        SignatureMethod::UploadedPdf => "signed_release",
    };
    Ok((bytes, content_type, name, kind))
}

/// Refuses a recipient whose people a release can never reach, and any
/// category the disclosure rules would never let them receive
/// ([`release_may_give`]): a release may not promise what the engine will
/// never deliver. The field named is the form's, e.g.
/// `recipients[0].categories[2]`.
fn within_what_the_rules_give(
    form: &ReleaseForm,
    i: usize,
    agency: &orgs::Agency,
) -> AppResult<()> {
    let may = release_may_give(agency.kind);
    if may.is_empty() {
        return Err(AppError::field(
            format!("recipients[{i}].agency_id"),
            format!(
                "{} ({}) can never receive participant data under a release",
                agency.name,
                agency.kind.label()
            ),
        ));
    }
    let Some(r) = form.recipients.get(i) else {
        return Ok(());
    };
    for (j, c) in r.categories.iter().enumerate() {
        let Ok(category) = c.trim().parse::<DataCategory>() else {
            continue; // Release::parse has refused it already.
        };
        if !may.contains(&category) {
            let list: Vec<&str> = may.iter().map(|c| c.as_str()).collect();
            return Err(AppError::field(
                format!("recipients[{i}].categories[{j}]"),
                format!(
                    "{} can never receive {category} under a release; it may receive only: {}",
                    agency.name,
                    list.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    participant: ParticipantId,
    mut form: ReleaseForm,
) -> AppResult<ReleaseId> {
    let p = participant_for_case_management(state, auth, participant).await?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let t = now();
    let today = ctx.tz.local_date(t);
    let release = Release::parse(&form, today)?;
    let agencies = orgs::list_agencies(&mut state.store.conn(), ctx.site.id).await?;
    for (i, r) in release.recipients().iter().enumerate() {
        let Some(agency) = agencies.iter().find(|a| a.id == r.agency_id()) else {
            return Err(AppError::field(
                format!("recipients[{i}].agency_id"),
                "is not a partner agency of this site",
            ));
        };
        within_what_the_rules_give(&form, i, agency)?;
    }
    let (bytes, content_type, filename, kind) = decode_signature(&form, release.signature())?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut tx = state.store.begin().await?;
    let doc = documents::create(
        &mut tx.conn(),
        NewDocument {
            site: ctx.site.id,
            participant: Some(p.id),
            kind,
            filename,
            content_type,
            bytes,
            sha256: &sha,
            by: auth.user.id,
            at: t,
        },
    )
    .await?;
    // The form is kept without the file itself, which is now a document.
    if let Some(sig) = form.signature.as_mut() {
        let marker = Some(format!("document:{doc}"));
        match release.signature() {
            SignatureMethod::Drawn => sig.image_base64 = marker,
            SignatureMethod::UploadedPdf => sig.pdf_base64 = marker,
        }
    }
    let stored = StoredRelease {
        form,
        effective_on: release.effective_on(),
        revoked_at: None,
    };
    let id = releases::create(
        &mut tx.conn(),
        releases::NewRelease {
            site: ctx.site.id,
            participant: p.id,
            stored: &stored,
            release: &release,
            signature: Some(doc),
            by: auth.user.id,
            at: t,
        },
    )
    .await?;
    let mut e = audit::event(auth, "release.create", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("release:{id}"));
    e.categories = vec![DataCategory::Enrollment];
    audit::record_in(&mut tx, e).await?;

    // Intake and a release in force: the hold is satisfied and the person enrolled.
    if let Some(rid) = p.referral_id {
        let r = referrals::get(&mut tx.conn(), ctx.site.id, rid).await?;
        if let Some(mut stored_hold) = holds::for_referral(&mut tx.conn(), ctx.site.id, rid).await?
            && let Ok(event) =
                stored_hold
                    .hold
                    .satisfy_with_release(p.intake_at, &release, t, &ctx.tz)
        {
            stored_hold
                .hold
                .apply(&event)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("hold: {e}")))?;
            holds::save(&mut tx.conn(), ctx.site.id, &stored_hold.hold).await?;
            let mut e = audit::event(auth, "hold.satisfy", Outcome::Allowed, actx);
            e.subject_participant_id = Some(p.id);
            e.subject_ref = Some(format!("hold:{}", stored_hold.hold.id));
            e.categories = vec![DataCategory::Hold];
            audit::record_in(&mut tx, e).await?;
        }
        if r.status == ReferralStatus::IntakeComplete
            && release.status(ctx.tz.at(t)) == handoff_domain::release::ReleaseStatus::InForce
        {
            referrals::record_step(
                &mut tx.conn(),
                ctx.site.id,
                rid,
                r.status,
                ReferralStep::ReleaseSigned,
                Some(auth.user.id),
                t,
            )
            .await?;
            casework::mark_enrolled(&mut tx.conn(), ctx.site.id, p.id, t).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

pub fn view(
    id: ReleaseId,
    participant: ParticipantId,
    release: &Release,
    agencies: &[orgs::Agency],
    ctx: &SiteCtx,
) -> ReleaseView {
    let mut all: Vec<String> = Vec::new();
    let recipients = release
        .recipients()
        .iter()
        .map(|r| {
            let cats: Vec<String> = r
                .categories()
                .iter()
                .map(|c| c.as_str().to_string())
                .collect();
            all.extend(cats.iter().cloned());
            RecipientView {
                agency_id: *r.agency_id().as_uuid(),
                agency_name: agencies
                    .iter()
                    .find(|a| a.id == r.agency_id())
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                categories: cats,
            }
        })
        .collect();
    all.sort();
    all.dedup();
    let status = match release.status(ctx.tz.at(now())) {
        handoff_domain::release::ReleaseStatus::NotYetEffective => "not_yet_effective",
        handoff_domain::release::ReleaseStatus::InForce => "in_force",
        handoff_domain::release::ReleaseStatus::Expired => "expired",
        handoff_domain::release::ReleaseStatus::Revoked => "revoked",
    };
    ReleaseView {
        id: *id.as_uuid(),
        participant_id: *participant.as_uuid(),
        recipients,
        categories: all,
        purpose: release.purpose().to_string(),
        effective_on: handoff_store::referrals::iso(release.effective_on()),
        expires_on: handoff_store::referrals::iso(release.expires_on()),
        revoked_at: release.revoked_at(),
        status: status.to_string(),
        signature_method: match release.signature() {
            SignatureMethod::Drawn => "drawn",
            SignatureMethod::UploadedPdf => "uploaded_pdf",
        }
        .to_string(),
        part2: release.part2().is_some(),
    }
}

pub async fn list(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    participant: ParticipantId,
) -> AppResult<Vec<ReleaseView>> {
    let p = participant_for_case_management(state, auth, participant).await?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let mut c = state.store.conn();
    let agencies = orgs::list_agencies(&mut c, ctx.site.id).await?;
    let rows = releases::for_participant(&mut c, ctx.site.id, p.id).await?;
    let mut e = audit::event(auth, "release.read", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.categories = vec![DataCategory::Enrollment];
    audit::record(state, e).await?;
    Ok(rows
        .iter()
        .map(|r| view(r.id, r.participant_id, &r.release, &agencies, &ctx))
        .collect())
}

pub async fn revoke(state: &AppState, auth: &Auth, actx: &Ctx, id: ReleaseId) -> AppResult<()> {
    let row = releases::get(&mut state.store.conn(), auth.user.site_id, id).await?;
    participant_for_case_management(state, auth, row.participant_id).await?;
    let mut tx = state.store.begin().await?;
    if !releases::revoke(&mut tx.conn(), auth.user.site_id, id, now()).await? {
        return Err(AppError::Conflict("the release is already revoked".into()));
    }
    let mut e = audit::event(auth, "release.revoke", Outcome::Allowed, actx);
    e.subject_participant_id = Some(row.participant_id);
    e.subject_ref = Some(format!("release:{id}"));
    e.categories = vec![DataCategory::Enrollment];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}
