//! The report for the project manager, the PCG and funders: any date range
//! (a quarter, a year), every table as JSON or CSV, and the King County
//! budget proviso listing (desired outcomes, eligibility criteria, annual
//! budget, annual participants, a de-identified participant listing by
//! charge and referring agency, outcomes). Counts only — no person is named
//! — and, wherever the reader is not case management, every count of a
//! table goes through the figures crate's small-cell suppression with the
//! sums that tie it together (a suppressed count is `null`).

use crate::{costs, iso, parse_date};
use handoff_audit::Outcome;
use handoff_domain::referral::Door;
use handoff_domain::rules::Action;
use handoff_domain::{AgencyKind, ParticipantId, SiteId};
use handoff_figures::{CellId, Figures};
use handoff_services::AppState;
use handoff_services::audit;
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::access::{self, SystemTask};
use handoff_store::referrals::{self, Filter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use time::{Date, OffsetDateTime};
use utoipa::{IntoParams, ToSchema};

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv&table=NAME]`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day (default: 90 days before `to`); not after `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// `json` (default) or `csv` (one table, named by `table`).
    pub format: Option<String>,
    /// With `format=csv`: the table's `name`.
    pub table: Option<String>,
}

/// One table of the report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Table {
    pub name: String,
    pub title: String,
    pub columns: Vec<String>,
    /// Cells: text, numbers, or null where a small count is suppressed.
    #[schema(value_type = Vec<Vec<Value>>)]
    pub rows: Vec<Vec<Value>>,
    /// What the reader should know (how a figure was counted).
    pub note: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub site: String,
    pub from: String,
    pub to: String,
    /// Whether counts from 1 to `min_cell − 1` are suppressed for this reader.
    pub suppressed: bool,
    pub min_cell: u64,
    pub tables: Vec<Table>,
}

/// A table's counts under one suppression: each count column adds up to a
/// total row (published when `total`), so a reader cannot solve for a
/// suppressed cell from the others.
struct Counts {
    labels: Vec<Vec<String>>,
    values: Vec<Vec<u64>>,
}

fn counted(
    name: &str,
    title: &str,
    columns: &[&str],
    c: Counts,
    total: bool,
    suppress: bool,
    note: Option<&str>,
) -> Table {
    let width = c.values.first().map_or(0, Vec::len);
    let mut f = Figures::new();
    let cells: Vec<Vec<CellId>> = c
        .values
        .iter()
        .map(|r| r.iter().map(|v| f.cell(*v)).collect())
        .collect();
    let totals: Vec<CellId> = (0..width)
        .map(|j| {
            let sum = c.values.iter().map(|r| r[j]).sum();
            let t = if total { f.cell(sum) } else { f.hidden(sum) };
            f.relation(t, cells.iter().map(|r| r[j]).collect());
            t
        })
        .collect();
    let sup = handoff_figures::suppress(&f);
    let show = |id: CellId| -> Value {
        if suppress {
            sup.published(&f, id).map_or(Value::Null, |v| json!(v))
        } else {
            json!(f.value(id))
        }
    };
    let mut rows: Vec<Vec<Value>> = c
        .labels
        .iter()
        .zip(&cells)
        .map(|(l, r)| {
            l.iter()
                .map(|x| json!(x))
                .chain(r.iter().map(|id| show(*id)))
                .collect()
        })
        .collect();
    if total {
        let lead = c.labels.first().map_or(1, Vec::len);
        let mut row: Vec<Value> = vec![json!("Total")];
        row.extend((1..lead).map(|_| json!("")));
        row.extend(totals.iter().map(|id| show(*id)));
        rows.push(row);
    }
    Table {
        name: name.into(),
        title: title.into(),
        columns: columns.iter().map(|s| s.to_string()).collect(),
        rows,
        note: note.map(String::from),
    }
}

fn tally<K: Ord + Clone>(m: &BTreeMap<K, Vec<u64>>, label: impl Fn(&K) -> Vec<String>) -> Counts {
    Counts {
        labels: m.keys().map(&label).collect(),
        values: m.values().cloned().collect(),
    }
}

/// Reads the report's period.
pub fn period(q: &ReportQuery, today: Date) -> AppResult<(Date, Date)> {
    let to = match q.to.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("to", s)?,
        None => today,
    };
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("from", s)?,
        None => to - time::Duration::days(90),
    };
    if from > to {
        return Err(AppError::field("from", "is after `to`"));
    }
    Ok((from, to))
}

fn median(mut xs: Vec<i64>) -> Option<i64> {
    xs.sort_unstable();
    (!xs.is_empty()).then(|| xs[xs.len() / 2])
}

/// The report for `[from, to]`, audited as `pcg.report.read` (allowed or
/// denied, with the period and the table asked for).
pub async fn report(
    state: &AppState,
    auth: &Auth,
    ctx: &audit::Ctx,
    q: &ReportQuery,
) -> AppResult<Report> {
    let agency = handoff_services::workflow::agency_of(state, auth).await?;
    let asked = |outcome| {
        let mut e = audit::event(auth, "pcg.report.read", outcome, ctx);
        e.subject_ref = Some(format!(
            "period:{}..{}{}",
            q.from.as_deref().unwrap_or(""),
            q.to.as_deref().unwrap_or(""),
            q.table
                .as_deref()
                .map(|t| format!(" table:{t}"))
                .unwrap_or_default()
        ));
        e
    };
    if let Err(refused) = handoff_services::workflow::require(
        auth,
        &agency,
        Action::SeePcgReport,
        "the PCG report is for the project manager, site admins, supervisors and the bureau",
    ) {
        audit::record(state, asked(Outcome::Denied)).await?;
        return Err(refused);
    }
    // Counts are suppressed for every reader who is not case management.
    let suppress = agency.kind != AgencyKind::CaseManagement;
    let site = auth.user.site_id;
    let site_ctx = handoff_services::workflow::SiteCtx::load(state, site).await?;
    let (from, to) = period(q, site_ctx.tz.local_date(handoff_services::now()))?;
    let report = build(state, site, from, to, suppress).await?;
    audit::record(state, asked(Outcome::Allowed)).await?;
    Ok(report)
}

/// The report's tables (the caller checked who asks).
pub async fn build(
    state: &AppState,
    site: SiteId,
    from: Date,
    to: Date,
    suppress: bool,
) -> AppResult<Report> {
    let ctx = handoff_services::workflow::SiteCtx::load(state, site).await?;
    let tz = &ctx.tz;
    let start = tz
        .start_of_day(from)
        .map_err(|_| AppError::field("from", "is out of range"))?;
    let end = tz
        .start_of_day(to.next_day().unwrap_or(to))
        .map_err(|_| AppError::field("to", "is out of range"))?;
    let within = |t: OffsetDateTime| start <= t && t < end;
    let mut c = state.store.conn();
    let all = referrals::list(&mut c, site, Filter::All, i64::MAX).await?;
    let period: Vec<&referrals::ReferralRecord> =
        all.iter().filter(|r| within(r.referred_at)).collect();
    let agencies: HashMap<_, String> = handoff_store::orgs::list_agencies(&mut c, site)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let key = access::unguarded_persons(site, SystemTask::Figures);
    let offences = referrals::offence_categories(&mut c, &key).await?;
    let races = referrals::races(&mut c, &key).await?;
    let mut tables = Vec::new();

    // Referrals by door, agency and offence; eligibility and its rules.
    let mut door: BTreeMap<String, Vec<u64>> = Door::ALL
        .iter()
        .map(|d| (d.label().to_string(), vec![0, 0, 0]))
        .collect();
    let mut by_agency: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut by_offence: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in &period {
        let row = door.entry(r.door.label().to_string()).or_default();
        row[0] += 1;
        row[if r.eligible { 1 } else { 2 }] += 1;
        let a = agencies
            .get(&r.referrer_agency_id)
            .cloned()
            .unwrap_or_else(|| "Other".into());
        by_agency.entry(a).or_insert_with(|| vec![0])[0] += 1;
        let cats = offences.get(&r.id).cloned().unwrap_or_default();
        let cat = cats
            .first()
            .cloned()
            .unwrap_or_else(|| "none (community or social contact)".into());
        by_offence.entry(cat).or_insert_with(|| vec![0])[0] += 1;
        if !r.eligible
            && let Some(x) = r.screening.exclusions().next()
        {
            by_rule.entry(x.text.clone()).or_insert_with(|| vec![0])[0] += 1;
        }
    }
    let one = |k: &String| vec![k.clone()];
    tables.push(counted(
        "referrals_by_door",
        "Referrals by door",
        &["door", "referrals", "eligible", "ineligible"],
        tally(&door, one),
        true,
        suppress,
        None,
    ));
    tables.push(counted(
        "referrals_by_agency",
        "Referrals by referring agency",
        &["agency", "referrals"],
        tally(&by_agency, one),
        true,
        suppress,
        None,
    ));
    tables.push(counted(
        "referrals_by_offense",
        "Referrals by offence category (the first offence named)",
        &["offense_category", "referrals"],
        tally(&by_offence, one),
        true,
        suppress,
        None,
    ));
    tables.push(counted(
        "ineligible_by_rule",
        "Ineligible referrals by the rule that decided",
        &["rule", "referrals"],
        tally(&by_rule, one),
        true,
        suppress,
        None,
    ));

    // Hand-off times: referral to acceptance.
    let waits: Vec<i64> = period
        .iter()
        .filter_map(|r| r.accepted_at.map(|a| (a - r.referred_at).whole_minutes()))
        .collect();
    let within_hour = waits.iter().filter(|m| **m <= 60).count() as u64;
    let mut ho = counted(
        "handoff_times",
        "Hand-off: referral to acceptance by case management",
        &["measure", "referrals"],
        Counts {
            labels: vec![
                vec!["accepted within an hour".into()],
                vec!["accepted later".into()],
            ],
            values: vec![vec![within_hour], vec![waits.len() as u64 - within_hour]],
        },
        true,
        suppress,
        None,
    );
    ho.note = Some(match median(waits.clone()) {
        Some(m) => format!("Median time to acceptance: {m} minutes."),
        None => "No referral of the period was accepted.".into(),
    });
    tables.push(ho);

    // Holds and the prosecutors' decisions, as they stood at the period's end.
    let ids: Vec<_> = period.iter().map(|r| r.id).collect();
    let mut holds: BTreeMap<String, Vec<u64>> = ["pending", "satisfied", "lapsed"]
        .into_iter()
        .map(|s| (format!("hold {s}"), vec![0]))
        .collect();
    let mut decisions: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for h in handoff_store::holds::list(&mut c, site, None).await? {
        let h = h.hold;
        if !ids.contains(&h.referral_id) {
            continue;
        }
        let s = if h.satisfied_at().is_some_and(|t| t < end) {
            "satisfied"
        } else if h.lapsed_at().is_some_and(|t| t < end) {
            "lapsed"
        } else {
            "pending"
        };
        holds.entry(format!("hold {s}")).or_default()[0] += 1;
        if let Some(d) = h.decisions().iter().rev().find(|d| d.at < end) {
            decisions
                .entry(format!("decision: {}", d.decision.as_str()))
                .or_insert_with(|| vec![0])[0] += 1;
        }
    }
    tables.push(counted(
        "holds",
        "Holds of the period's diversions",
        &["state", "holds"],
        tally(&holds, one),
        true,
        suppress,
        None,
    ));
    tables.push(counted(
        "hold_decisions",
        "Prosecutors' decisions on those holds",
        &["decision", "holds"],
        tally(&decisions, one),
        false,
        suppress,
        None,
    ));

    // Participants: active, engaged, closed and reopened.
    let participants = handoff_store::casework::list_participants(&mut c, site).await?;
    let pids: Vec<ParticipantId> = participants.iter().map(|p| p.id).collect();
    let events = handoff_store::participation::events_of(&mut c, site, &pids).await?;
    let (mut active, mut engaged, mut closed, mut reopened, mut new) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut active_days = Vec::new();
    for p in &participants {
        let Some(enrolled) = p.enrolled_at else {
            continue;
        };
        if enrolled >= end {
            continue;
        }
        let history = events.get(&p.id).map_or(&[][..], Vec::as_slice);
        let mut open = true;
        for e in history {
            match e {
                handoff_domain::participation::ParticipationEvent::Closed { on, .. } => {
                    if *on <= to {
                        open = false;
                    }
                    if (from..=to).contains(on) {
                        closed += 1;
                    }
                }
                handoff_domain::participation::ParticipationEvent::Reopened { on } => {
                    if *on <= to {
                        open = true;
                    }
                    if (from..=to).contains(on) {
                        reopened += 1;
                    }
                }
            }
        }
        if within(enrolled) {
            new += 1;
        }
        if open {
            active += 1;
            let last = handoff_store::participation::last_contact(&mut c, site, p.id).await?;
            if last.is_some_and(|l| l >= end - time::Duration::days(30)) {
                engaged += 1;
            }
        }
        active_days.push(costs::active_days(
            tz.local_date(enrolled),
            history,
            from,
            to,
        ));
    }
    tables.push(counted(
        "participants",
        "Participants",
        &["measure", "participants"],
        Counts {
            labels: [
                "enrolled in the period",
                "active at the period's end",
                "of whom contacted in its last 30 days",
                "cases closed in the period",
                "cases reopened in the period",
            ]
            .iter()
            .map(|s| vec![s.to_string()])
            .collect(),
            values: vec![vec![new], vec![active], vec![engaged], vec![closed], vec![reopened]],
        },
        false,
        suppress,
        Some("No one fails LEAD: cases close only for the participant's choice, a move, death or long incarceration."),
    ));

    // Services delivered during contacts in the period, by type.
    let mut services: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for list in handoff_store::evidence::contact_services(&mut c, &key, start, end).await? {
        let codes: Vec<String> = serde_json::from_str(&list).unwrap_or_default();
        for code in codes {
            let label = code
                .parse::<handoff_domain::casework::Service>()
                .map_or_else(|_| code.replace('_', " "), |s| s.label().to_string());
            services.entry(label).or_insert_with(|| vec![0])[0] += 1;
        }
    }
    tables.push(counted(
        "services_by_type",
        "Services delivered during contacts, by type",
        &["service", "times delivered"],
        tally(&services, one),
        true,
        suppress,
        None,
    ));

    // Housing, employment and income: each participant's first and last
    // recorded month of the period.
    let month = |d: Date| format!("{:04}-{:02}", d.year(), u8::from(d.month()));
    let rows = handoff_store::evidence::month_rows(&mut c, &key, &month(from), &month(to)).await?;
    let mut firsts: HashMap<uuid::Uuid, &handoff_store::evidence::MonthRow> = HashMap::new();
    let mut lasts: HashMap<uuid::Uuid, &handoff_store::evidence::MonthRow> = HashMap::new();
    for r in &rows {
        firsts.entry(r.0).or_insert(r);
        lasts.insert(r.0, r);
    }
    let housed = |r: &handoff_store::evidence::MonthRow| r.2.as_deref() == Some("housed");
    let employed = |r: &handoff_store::evidence::MonthRow| {
        matches!(r.3.as_deref(), Some("part_time" | "full_time"))
    };
    let income = |r: &handoff_store::evidence::MonthRow| r.4 == Some(true);
    let both: Vec<uuid::Uuid> = firsts
        .keys()
        .filter(|p| firsts[*p].1 != lasts[*p].1)
        .copied()
        .collect();
    let count = |pick: &dyn Fn(&handoff_store::evidence::MonthRow) -> bool,
                 m: &HashMap<uuid::Uuid, &handoff_store::evidence::MonthRow>| {
        both.iter().filter(|p| pick(m[*p])).count() as u64
    };
    let mut status = counted(
        "status_change",
        "Housing, employment and income: first and last recorded month of the period",
        &["measure", "first month", "last month"],
        Counts {
            labels: vec![
                vec!["participants with two or more recorded months".into()],
                vec!["housed".into()],
                vec!["employed (part or full time)".into()],
                vec!["income or benefits".into()],
            ],
            values: vec![
                vec![both.len() as u64, both.len() as u64],
                vec![count(&housed, &firsts), count(&housed, &lasts)],
                vec![count(&employed, &firsts), count(&employed, &lasts)],
                vec![count(&income, &firsts), count(&income, &lasts)],
            ],
        },
        false,
        suppress,
        None,
    );
    status.note = Some("Months the case manager recorded (at intake, at contacts or explicitly); months carried forward are not counted.".into());
    tables.push(status);

    // Booking alerts: jail bookings of participants in the period.
    let mut alerts = 0u64;
    for r in handoff_store::justice::linked(&mut c, site).await? {
        if r.link.participant.is_some()
            && r.kind == "bookings"
            && r.event_on
                .as_deref()
                .and_then(|d| parse_date("d", d).ok())
                .is_some_and(|d| (from..=to).contains(&d))
        {
            alerts += 1;
        }
    }
    tables.push(counted(
        "booking_alerts",
        "Booking alerts (participants booked into jail)",
        &["measure", "bookings"],
        Counts {
            labels: vec![vec!["bookings of participants".into()]],
            values: vec![vec![alerts]],
        },
        false,
        suppress,
        None,
    ));

    // Cost per participant.
    let all_costs = handoff_store::evidence::costs(&mut c, site).await?;
    let cost = costs::summarize(&all_costs, &active_days, from, to);
    let usd = |x: Option<f64>| x.map_or(Value::Null, |v| json!(v));
    tables.push(Table {
        name: "cost".into(),
        title: "Programme cost".into(),
        columns: vec!["measure".into(), "usd".into()],
        rows: vec![
            vec![json!("spending in the period"), json!(cost.total_usd)],
            vec![json!("participant-months"), json!(cost.participant_months)],
            vec![json!("cost per participant-month"), usd(cost.cost_per_participant_month)],
            vec![json!("cost per participant-year"), usd(cost.cost_per_participant_year)],
        ],
        note: Some("Each recorded cost is prorated by the days its period shares with the report's; participant-months count the days each case was open.".into()),
    });

    // Equity: diverted (eligible arrest-door referrals) against booked
    // (the eligible-but-booked log), by race.
    let booked = handoff_store::evidence::arrests(&mut c, site).await?;
    let mut eq: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in period
        .iter()
        .filter(|r| r.door == Door::ArrestDiversion && r.eligible)
    {
        let race = races
            .get(&r.person_id)
            .cloned()
            .unwrap_or_else(|| "Unknown".into());
        eq.entry(race).or_insert_with(|| vec![0, 0])[0] += 1;
    }
    for a in booked.iter().filter(|a| within(a.occurred_at)) {
        eq.entry(a.race.clone()).or_insert_with(|| vec![0, 0])[1] += 1;
    }
    let mut equity = counted(
        "equity",
        "Diverted and booked, by race (eligible arrests)",
        &["race", "diverted", "booked"],
        tally(&eq, one),
        true,
        suppress,
        None,
    );
    // The RRI from the published counts only (never from a suppressed one).
    let published = |row: &Vec<Value>| -> Option<(u64, u64)> {
        Some((row.get(1)?.as_u64()?, row.get(2)?.as_u64()?))
    };
    let reference = equity
        .rows
        .iter()
        .find(|r| r[0] == json!("White"))
        .and_then(published);
    equity.columns.push("rri".into());
    for row in &mut equity.rows {
        let rri = match (row[0].as_str(), published(row), reference) {
            (Some(race), Some((d, b)), Some((rd, rb)))
                if race != "Total"
                    && [d, b, rd, rb]
                        .iter()
                        .all(|x| *x >= handoff_figures::MIN_CELL) =>
            {
                handoff_stats::equity::relative_rate_index(d, d + b, rd, rd + rb, 1.96)
                    .rri
                    .map_or(Value::Null, |x| json!((x * 100.0).round() / 100.0))
            }
            _ => Value::Null,
        };
        row.push(rri);
    }
    equity.note = Some("RRI: the diversion rate (diverted ÷ diverted and booked) relative to White; shown only where every count is at least the smallest published cell.".into());
    tables.push(equity);

    // King County proviso listing.
    let policy = serde_json::to_value(&ctx.policy.policy).unwrap_or_default();
    let criteria = policy
        .get("eligible_conduct")
        .and_then(|x| x.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let year_from = to - time::Duration::days(364);
    let annual = costs::summarize(&all_costs, &[], year_from, to);
    let annual_participants = participants
        .iter()
        .filter_map(|p| p.enrolled_at)
        .filter(|e| *e < end)
        .count();
    tables.push(Table {
        name: "proviso".into(),
        title: "King County budget proviso: the programme".into(),
        columns: vec!["item".into(), "value".into()],
        rows: vec![
            vec![json!("desired outcomes"), json!("Fewer arrests and charges; stable housing, income and employment; lower justice-system cost; diversion offered equitably by race")],
            vec![json!("eligibility criteria"), json!(format!("Arrest or social contact for: {criteria}; screened against policy version {}", ctx.policy.version))],
            vec![json!("annual budget (USD, the year to the report's end)"), json!(annual.total_usd)],
            vec![json!("participants enrolled by the report's end"), json!(annual_participants)],
        ],
        note: None,
    });
    let mut listing: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    for r in period.iter().filter(|r| r.participant_id.is_some()) {
        let cat = offences
            .get(&r.id)
            .and_then(|c| c.first().cloned())
            .unwrap_or_else(|| "none (community or social contact)".into());
        let a = agencies
            .get(&r.referrer_agency_id)
            .cloned()
            .unwrap_or_default();
        listing.entry((cat, a)).or_insert_with(|| vec![0])[0] += 1;
    }
    tables.push(counted(
        "proviso_listing",
        "De-identified participant listing by charge and referring agency",
        &["offense_category", "referring_agency", "participants"],
        tally(&listing, |(a, b)| vec![a.clone(), b.clone()]),
        true,
        suppress,
        None,
    ));
    let last = handoff_store::evidence::runs(&mut c, site, 20)
        .await?
        .into_iter()
        .find(|r| r.status == "done");
    let outcome_rows = match last {
        Some(r) => {
            let full = handoff_store::evidence::run(&mut c, site, r.id).await?;
            let res: Option<handoff_evaluation::Results> = full
                .results
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            match res {
                Some(res) => {
                    let cb = costs::cost_benefit(&res, Some(&cost));
                    vec![
                        vec![
                            json!("evaluation run"),
                            json!(format!("{} to {}", full.from_on, full.to_on)),
                        ],
                        vec![
                            json!("LEAD participants / comparison group"),
                            json!(format!("{} / {}", res.meta.n_lead, res.meta.n_control)),
                        ],
                        vec![
                            json!("change in justice cost per person, LEAD (USD)"),
                            usd(cb.lead_change_usd),
                        ],
                        vec![
                            json!("change in justice cost per person, comparison (USD)"),
                            usd(cb.control_change_usd),
                        ],
                    ]
                }
                None => Vec::new(),
            }
        }
        None => vec![vec![
            json!("evaluation"),
            json!("no evaluation has been run yet"),
        ]],
    };
    tables.push(Table {
        name: "proviso_outcomes".into(),
        title: "King County budget proviso: outcomes against the programme's metrics".into(),
        columns: vec!["metric".into(), "value".into()],
        rows: outcome_rows,
        note: Some("From the latest completed evaluation run.".into()),
    });

    let s = handoff_store::orgs::get_site(&mut c, site).await?;
    Ok(Report {
        site: s.name,
        from: iso(from),
        to: iso(to),
        suppressed: suppress,
        min_cell: handoff_figures::MIN_CELL,
        tables,
    })
}

/// One table as CSV (RFC 4180 quoting; suppressed cells empty).
pub fn csv(t: &Table) -> String {
    let cell = |v: &Value| -> String {
        let s = match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Neutralise spreadsheet formulas and quote where needed.
        let s = if s.starts_with(['=', '+', '-', '@']) && v.is_string() {
            format!("'{s}")
        } else {
            s
        };
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = t.columns.join(",");
    out.push('\n');
    for r in &t.rows {
        out.push_str(&r.iter().map(cell).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}
