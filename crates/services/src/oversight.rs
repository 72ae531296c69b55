//! The oversight view: de-identified figures only. Referrals and
//! eligibility by door, race, place and officer (officers pseudonymised per
//! site); diversion by race with the relative rate index (Katz interval);
//! hold outcomes; and the audit trail's summary. Every count from 1 to 10 is
//! suppressed, and so is any ratio built on one. No row-level personal data
//! leaves this module: it returns counts, never persons.

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use handoff_domain::handoff::ReferralStatus;
use handoff_domain::referral::Door;
use handoff_domain::{Role, SiteId, UserId};
use handoff_store::referrals::{self, Filter};
use handoff_store::{audit, holds};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The smallest count shown.
pub const MIN_CELL: u64 = 11;

/// A count, or null when it is between 1 and 10 (suppressed).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Cell {
    #[schema(value_type = Option<u64>)]
    pub count: Option<u64>,
    pub suppressed: bool,
}

impl Cell {
    pub fn of(n: u64) -> Self {
        let suppressed = n > 0 && n < MIN_CELL;
        Cell {
            count: (!suppressed).then_some(n),
            suppressed,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    referrals: u64,
    eligible: u64,
    diverted: u64,
    enrolled: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Row {
    /// The door, race, place or pseudonymised officer.
    pub group: String,
    pub referrals: Cell,
    pub eligible: Cell,
    /// Eligible arrest diversions (the case held from filing).
    pub diverted: Cell,
    /// Became participants (intake and release).
    pub enrolled: Cell,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RriRow {
    pub race: String,
    /// Arrest-door contacts screened (the pool).
    pub contacts: Cell,
    pub diverted: Cell,
    /// Diversion rate relative to the reference group (null when suppressed or undefined).
    pub rri: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Summary {
    pub site: String,
    pub min_cell: u64,
    pub by_door: Vec<Row>,
    pub by_race: Vec<Row>,
    pub by_place: Vec<Row>,
    pub by_officer: Vec<Row>,
    /// Reference group for the relative rate index.
    pub rri_reference: String,
    pub rri: Vec<RriRow>,
    /// Hold states and prosecutors' decisions.
    pub holds: BTreeMap<String, Cell>,
    /// Audit entries by action, role and outcome (counts are not personal data; not suppressed).
    #[schema(value_type = Vec<Object>)]
    pub audit: Vec<audit::AuditCount>,
}

/// A stable pseudonym for an officer, per site.
pub fn officer_pseudonym(site: SiteId, officer: UserId) -> String {
    let d = Sha256::digest(format!("handoff-oversight:{site}:{officer}").as_bytes());
    format!("Officer {}", hex::encode(&d[..3]).to_uppercase())
}

fn rows(m: BTreeMap<String, Tally>) -> Vec<Row> {
    m.into_iter()
        .map(|(group, t)| Row {
            group,
            referrals: Cell::of(t.referrals),
            eligible: Cell::of(t.eligible),
            diverted: Cell::of(t.diverted),
            enrolled: Cell::of(t.enrolled),
        })
        .collect()
}

pub async fn summary(state: &AppState, auth: &Auth) -> AppResult<Summary> {
    let allowed = [
        Role::Oversight,
        Role::Bureau,
        Role::SiteAdmin,
        Role::Supervisor,
    ];
    if !allowed.iter().any(|r| auth.user.has_role(*r)) {
        return Err(AppError::Forbidden(
            "the oversight figures are for oversight, the bureau, site admins and supervisors",
        ));
    }
    let site = auth.user.site_id;
    let mut c = state.store.conn();
    let s = handoff_store::orgs::get_site(&mut c, site).await?;
    let all = referrals::list(&mut c, site, Filter::All, i64::MAX).await?;
    let persons: BTreeMap<_, _> = referrals::all_persons(&mut c, site)
        .await?
        .into_iter()
        .map(|p| (p.id, p.race))
        .collect();
    let (mut door, mut race, mut place, mut officer) = (
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
        BTreeMap::new(),
    );
    let mut pool: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in &all {
        let diverted = r.door == Door::ArrestDiversion && r.eligible;
        let enrolled = r.status == ReferralStatus::Enrolled;
        let add = |m: &mut BTreeMap<String, Tally>, k: String| {
            let t = m.entry(k).or_default();
            t.referrals += 1;
            t.eligible += u64::from(r.eligible);
            t.diverted += u64::from(diverted);
            t.enrolled += u64::from(enrolled);
        };
        let race_of = persons
            .get(&r.person_id)
            .cloned()
            .unwrap_or_else(|| "Unknown".into());
        add(&mut door, r.door.label().to_string());
        add(&mut race, race_of.clone());
        add(
            &mut place,
            r.place.clone().unwrap_or_else(|| "Not recorded".into()),
        );
        if r.door != Door::Community {
            add(&mut officer, officer_pseudonym(site, r.referred_by));
        }
        if r.door == Door::ArrestDiversion {
            let e = pool.entry(race_of).or_default();
            e.0 += 1;
            e.1 += u64::from(diverted);
        }
    }
    let reference = "White".to_string();
    let (ref_n, ref_a) = pool.get(&reference).copied().unwrap_or((0, 0));
    let rri = pool
        .iter()
        .map(|(g, (n, a))| {
            let small = |x: u64| x < MIN_CELL;
            let ok = !(small(*n) || small(*a) || small(ref_n) || small(ref_a));
            let rr = handoff_stats::equity::relative_rate_index(*a, *n, ref_a, ref_n, 1.96);
            RriRow {
                race: g.clone(),
                contacts: Cell::of(*n),
                diverted: Cell::of(*a),
                rri: rr.rri.filter(|_| ok),
                ci_low: rr.ci_low.filter(|_| ok),
                ci_high: rr.ci_high.filter(|_| ok),
            }
        })
        .collect();
    let mut hold_counts: BTreeMap<String, u64> = BTreeMap::new();
    for h in holds::list(&mut c, site, None).await? {
        *hold_counts
            .entry(format!("state:{}", h.hold.state().as_str()))
            .or_default() += 1;
        if let Some(d) = h.hold.decision() {
            *hold_counts
                .entry(format!("decision:{}", d.decision.as_str()))
                .or_default() += 1;
        }
    }
    Ok(Summary {
        site: s.name,
        min_cell: MIN_CELL,
        by_door: rows(door),
        by_race: rows(race),
        by_place: rows(place),
        by_officer: rows(officer),
        rri_reference: reference,
        rri,
        holds: hold_counts
            .into_iter()
            .map(|(k, v)| (k, Cell::of(v)))
            .collect(),
        audit: audit::summary(&mut c, site).await?,
    })
}
