//! The oversight view: de-identified figures only. Referrals and
//! eligibility by door, race, place and officer (officers pseudonymised per
//! site); diversion by race with the relative rate index (Katz interval);
//! hold outcomes; and the audit trail's summary. No row-level personal data
//! leaves this module: it returns counts, never persons.
//!
//! Three rules keep a person from being read off the figures:
//! - **One suppression over the whole answer.** Every count of an answer
//!   goes into one `handoff_figures::Figures` with the sums that
//!   tie them together (each breakdown adds up to the totals; the officers
//!   add up to the arrest and social-contact doors; diversions are the
//!   arrest door's eligible referrals; holds add up to diversions; the audit
//!   log's referral entries add up to the referrals), and the domain
//!   suppresses every count from 1 to 10 and whatever else would let one
//!   be solved for or narrowed. A suppressed count is `null` with
//!   `"suppressed": true`.
//! - **Closed months only.** Figures cover whole months that have ended in
//!   the site's time zone, and each referral's outcome (participant, hold
//!   state, prosecutor's decision) as it stood at the period's end, so the
//!   answer does not move when a referral is made or changes today.
//! - **Places are the site's areas.** A referral is labelled with the area
//!   (precinct) it was filed under, from the site's list, or
//!   "Other/unspecified"; typed addresses never appear.

use handoff_domain::referral::Door;
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{ReferralId, SiteId, UserId};
use handoff_figures::{self, CellId, ClosedPeriod, Figures, Month, Suppressed};
use handoff_services::AppState;
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::referrals::{self, Filter};
use handoff_store::{areas, audit, holds};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// The smallest count shown.
pub const MIN_CELL: u64 = handoff_figures::MIN_CELL;

/// The label of referrals not filed under one of the site's areas.
pub const OTHER_PLACE: &str = "Other/unspecified";

/// A count, or null when suppressed.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Cell {
    #[schema(value_type = Option<u64>)]
    pub count: Option<u64>,
    pub suppressed: bool,
}

impl Cell {
    fn from(f: &Figures, s: &Suppressed, c: CellId) -> Self {
        let count = s.published(f, c);
        Cell {
            count,
            suppressed: count.is_none(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Row {
    /// The door, race, place (one of the site's areas) or pseudonymised officer.
    pub group: String,
    pub referrals: Cell,
    pub eligible: Cell,
    /// Eligible arrest diversions (the case held from filing).
    pub diverted: Cell,
    /// Became participants (intake and release) by the period's end.
    pub enrolled: Cell,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RriRow {
    pub race: String,
    /// The pool: arrest-door contacts screened plus eligible arrests booked
    /// instead (the eligible-but-booked log).
    pub contacts: Cell,
    pub diverted: Cell,
    /// Eligible arrests booked, not diverted (the log's denominator side).
    pub booked: Cell,
    /// Diversion rate relative to the reference group (null when suppressed or undefined).
    pub rri: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// Audit entries of one action, role and outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    pub action: String,
    pub role: Option<String>,
    pub outcome: String,
    #[schema(value_type = Option<u64>)]
    pub count: Option<u64>,
    pub suppressed: bool,
}

/// The whole months the figures cover, `YYYY-MM`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = OversightSummary)]
pub struct Summary {
    pub site: String,
    pub min_cell: u64,
    /// Closed months only: `to` is at most the last month that has ended.
    pub period: Period,
    /// All referrals of the period.
    pub totals: Row,
    pub by_door: Vec<Row>,
    pub by_race: Vec<Row>,
    pub by_place: Vec<Row>,
    pub by_officer: Vec<Row>,
    /// Reference group for the relative rate index.
    pub rri_reference: String,
    pub rri: Vec<RriRow>,
    /// Hold states and prosecutors' decisions at the period's end.
    pub holds: BTreeMap<String, Cell>,
    /// Audit entries of the period by action, role and outcome.
    pub audit: Vec<AuditRow>,
}

/// `?from=YYYY-MM&to=YYYY-MM`; `to` is clamped to the last closed month.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First month (default: the first month with referrals).
    pub from: Option<String>,
    /// Last month (default and latest: the last month that has ended at the site).
    pub to: Option<String>,
}

/// A stable pseudonym for an officer, per site.
pub fn officer_pseudonym(site: SiteId, officer: UserId) -> String {
    let d = Sha256::digest(format!("handoff-oversight:{site}:{officer}").as_bytes());
    format!("Officer {}", hex::encode(&d[..3]).to_uppercase())
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    referrals: u64,
    eligible: u64,
    diverted: u64,
    enrolled: u64,
}

/// A row's four cells in the figures.
#[derive(Debug, Clone, Copy)]
struct Cells([CellId; 4]);

impl Cells {
    fn add(f: &mut Figures, t: Tally) -> Self {
        Cells([
            f.cell(t.referrals),
            f.cell(t.eligible),
            f.cell(t.diverted),
            f.cell(t.enrolled),
        ])
    }
    fn hidden(f: &mut Figures, t: Tally) -> Self {
        Cells([
            f.hidden(t.referrals),
            f.hidden(t.eligible),
            f.hidden(t.diverted),
            f.hidden(t.enrolled),
        ])
    }
    fn row(&self, f: &Figures, s: &Suppressed, group: String) -> Row {
        Row {
            group,
            referrals: Cell::from(f, s, self.0[0]),
            eligible: Cell::from(f, s, self.0[1]),
            diverted: Cell::from(f, s, self.0[2]),
            enrolled: Cell::from(f, s, self.0[3]),
        }
    }
}

/// `total = Σ parts` for each of the four measures.
fn sums(f: &mut Figures, total: Cells, parts: &[Cells]) {
    for m in 0..4 {
        f.relation(total.0[m], parts.iter().map(|p| p.0[m]).collect());
    }
}

fn tally(f: &mut Figures, m: &BTreeMap<String, Tally>) -> Vec<(String, Cells)> {
    m.iter()
        .map(|(g, t)| (g.clone(), Cells::add(f, *t)))
        .collect()
}

fn parts(rows: &[(String, Cells)]) -> Vec<Cells> {
    rows.iter().map(|(_, c)| *c).collect()
}

fn out_of_range() -> AppError {
    AppError::field("to", "is out of range")
}

pub async fn summary(
    state: &AppState,
    auth: &Auth,
    now: OffsetDateTime,
    q: &PeriodQuery,
) -> AppResult<Summary> {
    let agency = handoff_services::workflow::agency_of(state, auth).await?;
    handoff_services::workflow::require(
        auth,
        &agency,
        handoff_domain::rules::Action::SeeOversight,
        "The oversight figures are for oversight, the bureau, site admins and supervisors.",
    )?;
    let month = |v: &Option<String>, field| -> AppResult<Option<Month>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => Ok(Some(Month::parse(v, field)?)),
        }
    };
    let (from, to) = (month(&q.from, "from")?, month(&q.to, "to")?);

    let site = auth.user.site_id;
    let mut c = state.store.conn();
    let s = handoff_store::orgs::get_site(&mut c, site).await?;
    let tz = SiteTimeZone::parse(&s.time_zone)?;
    let all = referrals::list(&mut c, site, Filter::All, i64::MAX).await?;
    let earliest = all
        .iter()
        .map(|r| Month::of(tz.local_date(r.referred_at)))
        .min();
    let period = ClosedPeriod::resolve(&tz, now, from, to, earliest)?;
    let start = period.start(&tz).map_err(|_| out_of_range())?;
    let end = period.end(&tz).map_err(|_| out_of_range())?;
    let within = |t: OffsetDateTime| start <= t && t < end;

    // Aggregate figures need each person's race and nothing else.
    let key =
        handoff_store::access::unguarded_persons(site, handoff_store::access::SystemTask::Figures);
    let persons = referrals::races(&mut c, &key).await?;
    let site_areas = areas::list(&mut c, site).await?;
    let filed: HashMap<ReferralId, String> = areas::referral_areas(&mut c, site)
        .await?
        .into_iter()
        .filter_map(|(id, name)| name.map(|n| (id, n)))
        .collect();

    // ---- Tallies over the period's referrals -----------------------------
    let mut door: BTreeMap<String, Tally> = Door::ALL
        .iter()
        .map(|d| (d.label().to_string(), Tally::default()))
        .collect();
    let mut place: BTreeMap<String, Tally> = site_areas
        .iter()
        .map(|a| (a.name.clone(), Tally::default()))
        .chain([(OTHER_PLACE.to_string(), Tally::default())])
        .collect();
    let (mut race, mut officer) = (BTreeMap::new(), BTreeMap::new());
    let mut total = Tally::default();
    let mut by_officers = Tally::default();
    // Arrest-door contacts by race (the RRI's pool).
    let mut pool: BTreeMap<String, u64> = BTreeMap::new();
    let mut diverted_referrals = Vec::new();
    let mut referral_creates = 0u64;
    for r in all.iter().filter(|r| within(r.referred_at)) {
        referral_creates += 1;
        let diverted = r.door == Door::ArrestDiversion && r.eligible;
        let enrolled = r.enrolled_at.is_some_and(|t| t < end);
        let add = |t: &mut Tally| {
            t.referrals += 1;
            t.eligible += u64::from(r.eligible);
            t.diverted += u64::from(diverted);
            t.enrolled += u64::from(enrolled);
        };
        let race_of = race_group(persons.get(&r.person_id).map_or("", String::as_str));
        add(&mut total);
        add(door.entry(r.door.label().to_string()).or_default());
        add(race.entry(race_of.clone()).or_default());
        let area = filed
            .get(&r.id)
            .filter(|a| site_areas.iter().any(|s| &&s.name == a))
            .cloned()
            .unwrap_or_else(|| OTHER_PLACE.to_string());
        add(place.entry(area).or_default());
        if r.door != Door::Community {
            add(&mut by_officers);
            add(officer
                .entry(officer_pseudonym(site, r.referred_by))
                .or_default());
        }
        if r.door == Door::ArrestDiversion {
            *pool.entry(race_of).or_default() += 1;
        }
        if diverted {
            diverted_referrals.push(r.id);
        }
    }

    // Holds of the period's diversions, as they stood at its end.
    let mut hold_states: BTreeMap<String, u64> = ["pending", "satisfied", "lapsed"]
        .into_iter()
        .map(|s| (format!("state:{s}"), 0))
        .collect();
    let mut hold_decisions: BTreeMap<String, u64> = BTreeMap::new();
    for h in holds::list(&mut c, site, None).await? {
        let h = h.hold;
        if !diverted_referrals.contains(&h.referral_id) {
            continue;
        }
        let state = if h.satisfied_at().is_some_and(|t| t < end) {
            "satisfied"
        } else if h.lapsed_at().is_some_and(|t| t < end) {
            "lapsed"
        } else {
            "pending"
        };
        *hold_states.entry(format!("state:{state}")).or_default() += 1;
        if let Some(d) = h.decisions().iter().rev().find(|d| d.at < end) {
            *hold_decisions
                .entry(format!("decision:{}", d.decision.as_str()))
                .or_default() += 1;
        }
    }
    let audit_counts = audit::summary(&mut c, site, start, end).await?;
    // Eligible arrests booked instead of diverted, by race: the booked side
    // of "who is diverted and who is booked".
    let mut booked: BTreeMap<String, u64> = BTreeMap::new();
    for a in handoff_store::evidence::arrests(&mut c, site).await? {
        if within(a.occurred_at) {
            *booked.entry(race_group(&a.race)).or_default() += 1;
            pool.entry(race_group(&a.race)).or_default();
        }
    }

    // ---- One set of figures, and what ties them together ---------------------
    let mut f = Figures::new();
    let total_c = Cells::add(&mut f, total);
    let door_c = tally(&mut f, &door);
    let race_c = tally(&mut f, &race);
    let place_c = tally(&mut f, &place);
    let officer_c = tally(&mut f, &officer);
    // Referrals by officers (arrest and social-contact doors): never
    // published itself, but known to anyone who adds up those doors.
    let officers_c = Cells::hidden(&mut f, by_officers);
    sums(&mut f, total_c, &parts(&door_c));
    sums(&mut f, total_c, &parts(&race_c));
    sums(&mut f, total_c, &parts(&place_c));
    sums(&mut f, officers_c, &parts(&officer_c));
    let door_cells = |d: Door| door_c.iter().find(|(g, _)| g == d.label()).map(|(_, c)| *c);
    let officer_doors: Vec<Cells> = [Door::ArrestDiversion, Door::SocialContact]
        .into_iter()
        .filter_map(door_cells)
        .collect();
    sums(&mut f, officers_c, &officer_doors);
    // Diversions are the arrest door's eligible referrals.
    if let Some(arrest) = door_cells(Door::ArrestDiversion) {
        f.relation(arrest.0[1], vec![arrest.0[2]]);
        f.relation(total_c.0[2], vec![arrest.0[2]]);
    }
    // The RRI's pool: arrest-door contacts by race; its diversions are the
    // race rows' own cells.
    // Each race's pool is its arrest-door contacts (never published on
    // their own) plus its booked eligible arrests.
    let pool_c: Vec<(String, CellId, CellId, CellId, CellId)> = pool
        .iter()
        .map(|(g, n)| {
            let diverted = race_c
                .iter()
                .find(|(r, _)| r == g)
                .map(|(_, c)| c.0[2])
                .unwrap_or_else(|| f.cell(0));
            let b = booked.get(g).copied().unwrap_or(0);
            let contacts = f.hidden(*n);
            let booked_c = f.cell(b);
            let total = f.cell(n + b);
            f.relation(total, vec![contacts, booked_c]);
            (g.clone(), total, diverted, booked_c, contacts)
        })
        .collect();
    if let Some(arrest) = door_cells(Door::ArrestDiversion) {
        f.relation(
            arrest.0[0],
            pool_c.iter().map(|(_, _, _, _, c)| *c).collect(),
        );
    }
    let booked_total = f.hidden(booked.values().sum());
    f.relation(
        booked_total,
        pool_c.iter().map(|(_, _, _, b, _)| *b).collect(),
    );
    // Holds: one per diversion.
    let hold_c: Vec<(String, CellId)> = hold_states
        .iter()
        .map(|(k, v)| (k.clone(), f.cell(*v)))
        .collect();
    f.relation(total_c.0[2], hold_c.iter().map(|(_, c)| *c).collect());
    let decision_c: Vec<(String, CellId)> = hold_decisions
        .iter()
        .map(|(k, v)| (k.clone(), f.cell(*v)))
        .collect();
    // The audit summary; each referral made writes one allowed
    // `referral.create` entry, so where those add up to the referrals, a
    // reader can use that too.
    let audit_c: Vec<(audit::AuditCount, CellId)> = audit_counts
        .into_iter()
        .map(|a| {
            let cell = f.cell(u64::try_from(a.count).unwrap_or(0));
            (a, cell)
        })
        .collect();
    let creates: Vec<CellId> = audit_c
        .iter()
        .filter(|(a, _)| a.action == "referral.create" && a.outcome == "allowed")
        .map(|(_, c)| *c)
        .collect();
    if creates.iter().map(|c| f.value(*c)).sum::<u64>() == referral_creates {
        f.relation(total_c.0[0], creates);
    }

    let sup = handoff_figures::suppress(&f);

    // ---- The answer ------------------------------------------------------------
    let rows = |rows: &[(String, Cells)]| -> Vec<Row> {
        rows.iter()
            .map(|(g, c)| c.row(&f, &sup, g.clone()))
            .collect()
    };
    let reference = "White".to_string();
    let published = |c: CellId| sup.published(&f, c);
    let reference_cells = pool_c
        .iter()
        .find(|(g, _, _, _, _)| *g == reference)
        .map(|(_, n, a, _, _)| (published(*n), published(*a)));
    let rri = pool_c
        .iter()
        .map(|(g, n, a, b, _)| {
            let mut row = RriRow {
                race: g.clone(),
                contacts: Cell::from(&f, &sup, *n),
                diverted: Cell::from(&f, &sup, *a),
                booked: Cell::from(&f, &sup, *b),
                rri: None,
                ci_low: None,
                ci_high: None,
            };
            if let (Some(n), Some(a), Some((Some(rn), Some(ra)))) =
                (published(*n), published(*a), reference_cells)
                && [n, a, rn, ra].iter().all(|x| *x >= MIN_CELL)
            {
                let rr = handoff_stats::equity::relative_rate_index(a, n, ra, rn, 1.96);
                (row.rri, row.ci_low, row.ci_high) = (rr.rri, rr.ci_low, rr.ci_high);
            }
            row
        })
        .collect();
    Ok(Summary {
        site: s.name,
        min_cell: MIN_CELL,
        period: Period {
            from: period.from.to_string(),
            to: period.to.to_string(),
        },
        totals: total_c.row(&f, &sup, "All referrals".into()),
        by_door: rows(&door_c),
        by_race: rows(&race_c),
        by_place: rows(&place_c),
        by_officer: rows(&officer_c),
        rri_reference: reference,
        rri,
        holds: hold_c
            .iter()
            .chain(&decision_c)
            .map(|(k, c)| (k.clone(), Cell::from(&f, &sup, *c)))
            .collect(),
        audit: audit_c
            .into_iter()
            .map(|(a, c)| {
                let count = sup.published(&f, c);
                AuditRow {
                    action: a.action,
                    role: a.role,
                    outcome: a.outcome,
                    count,
                    suppressed: count.is_none(),
                }
            })
            .collect(),
    })
}

/// The race group a figure counts a person in: the evaluation's six groups
/// (`handoff_justice::evaluation::EvalRace`), so that the oversight page and
/// the evaluation speak one vocabulary. Native Hawaiian/Pacific Islander,
/// multiracial, other and unknown are counted as "Other".
pub fn race_group(stored: &str) -> String {
    handoff_justice::evaluation::EvalRace::of_stored(stored)
        .label()
        .to_string()
}

/// What "lapsed" counts, for the pages that show it: one definition for
/// oversight and the prosecutor's queue.
pub const LAPSED_MEANS: &str = "A hold lapses when its window ends without the person engaging \
with case management. Lapsed counts every such hold, decided or not: the prosecutor's queue \
splits its lapsed holds into \u{201c}awaiting decision\u{201d} and \u{201c}decided\u{201d}, over \
the office's holds today; oversight counts the holds of one closed period's arrest diversions \
as they stood at the period's end.";

/// What the race groups are, for the pages that show them.
pub const RACE_GROUPS_MEAN: &str = "Race groups are the evaluation's: Black, White, \
Hispanic/Latino, Asian, Native American and Other (Native Hawaiian/Pacific Islander, \
multiracial, another race and unknown).";
