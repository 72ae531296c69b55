//! Loading the evaluation folder into per-person derived variables (SPEC §2–§3, §7.1, §7.4).
//!
//! Events are streamed and folded into per-person counters; monthly rows go
//! into a dense person × month grid (which also detects duplicate keys).

use std::collections::HashMap;
use std::path::Path;

use crate::input::{CsvFile, FieldError, InputError, KeySet, format_date};

pub const RACES: [&str; 6] = [
    "Black",
    "White",
    "Hispanic/Latino",
    "Asian",
    "Native American",
    "Other",
];
pub const COST_ITEMS: [&str; 5] = [
    "arrest",
    "charge_felony",
    "charge_misdemeanor",
    "jail_day",
    "prison_admission",
];
pub const MONTH_MIN: i32 = -12;
pub const MONTH_MAX: i32 = 24;
const MONTHS: usize = (MONTH_MAX - MONTH_MIN + 1) as usize;

const WIN_6M: i32 = 182;
const WIN_PRIOR: i32 = 730;
const WIN_COST: i32 = 365;
const KM_CAP: i32 = 730;

/// Counts of cost-bearing events in a one-year window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostWindow {
    pub arrests: u32,
    pub felony_charges: u32,
    pub misd_charges: u32,
    pub jail_days: u64,
    pub prison: u32,
}

impl CostWindow {
    pub fn cost(&self, unit: &[f64; 5]) -> f64 {
        f64::from(self.arrests) * unit[0]
            + f64::from(self.felony_charges) * unit[1]
            + f64::from(self.misd_charges) * unit[2]
            + self.jail_days as f64 * unit[3]
            + f64::from(self.prison) * unit[4]
    }
}

/// One participant with the derived variables of SPEC §3.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    pub id: u64,
    pub lead: bool,
    pub age: i64,
    pub male: bool,
    /// Index into [`RACES`].
    pub race: usize,
    pub index_day: i32,
    pub followup_days: i32,
    pub y_arrest_6m: bool,
    pub prior_arrests_2y: u32,
    pub y_felony: bool,
    pub prior_felony_2y: u32,
    pub arrests_post: u32,
    /// Smallest `rel ≥ 1` of any arrest (no study-end bound).
    pub first_arrest: Option<i32>,
    pub pre: CostWindow,
    pub post: CostWindow,
}

impl Person {
    /// `(km_time, km_event)` of SPEC §7.1.
    pub fn km(&self) -> (i32, bool) {
        let censor = self.followup_days.min(KM_CAP);
        match self.first_arrest {
            Some(first) if first <= censor => (first, true),
            _ => (censor, false),
        }
    }
}

/// Monthly status of the LEAD group: for each outcome the observations in
/// (person_id, month) order with cluster boundaries.
#[derive(Debug, Clone, Default)]
pub struct MonthlyOutcome {
    pub y: Vec<f64>,
    pub post: Vec<f64>,
    pub bounds: Vec<usize>,
    /// Per month −12..24: (non-missing, ones).
    pub by_month: Vec<(u64, u64)>,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub study_end: i32,
    pub unit_costs: [f64; 5],
    pub persons: Vec<Person>,
    pub rows_participants: u64,
    pub rows_events: u64,
    pub rows_monthly: u64,
    pub rows_eligible: u64,
    /// housed, employed, income_benefits
    pub monthly: [MonthlyOutcome; 3],
    /// Per race (fixed order): (eligible arrests, diverted).
    pub eligible: [(u64, u64); 6],
}

pub fn study_end_string(d: &Dataset) -> String {
    format_date(d.study_end)
}

fn read_study(dir: &Path) -> Result<i32, InputError> {
    let mut dates = Vec::new();
    CsvFile::open(dir, "study.csv", &["study_end"])?.rows(
        |f| f.date(0),
        |d, _| {
            dates.push(d);
            match dates.len() {
                1 => Ok(()),
                _ => Err(FieldError::new(None, "more than one data row".into())),
            }
        },
    )?;
    dates.first().copied().ok_or_else(|| InputError {
        file: "study.csv".into(),
        line: None,
        column: None,
        message: "no data row (expected one study_end date)".into(),
    })
}

fn read_costs(dir: &Path) -> Result<[f64; 5], InputError> {
    let mut out = [f64::NAN; 5];
    CsvFile::open(dir, "unit_costs.csv", &["item", "cost_usd"])?.rows(
        |f| Ok((f.category(0, &COST_ITEMS)?, f.decimal(1)?)),
        |(i, cost), _| {
            if !out[i].is_nan() {
                return Err(FieldError::new(
                    Some("item"),
                    format!("duplicate item \"{}\"", COST_ITEMS[i]),
                ));
            }
            out[i] = cost;
            Ok(())
        },
    )?;
    if let Some(i) = out.iter().position(|v| v.is_nan()) {
        return Err(InputError {
            file: "unit_costs.csv".into(),
            line: None,
            column: Some("item".into()),
            message: format!("missing item \"{}\"", COST_ITEMS[i]),
        });
    }
    Ok(out)
}

/// Person id → position, dense when ids are small.
enum PersonIndex {
    Dense(Vec<u32>),
    Sparse(HashMap<u64, u32>),
}

impl PersonIndex {
    fn build(persons: &[Person]) -> PersonIndex {
        let max = persons.iter().map(|p| p.id).max().unwrap_or(0);
        if max <= 4 * persons.len() as u64 + 1_000_000 {
            let mut v = vec![u32::MAX; max as usize + 1];
            for (i, p) in persons.iter().enumerate() {
                v[p.id as usize] = i as u32;
            }
            PersonIndex::Dense(v)
        } else {
            PersonIndex::Sparse(
                persons
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id, i as u32))
                    .collect(),
            )
        }
    }
    fn get(&self, id: u64) -> Option<usize> {
        match self {
            PersonIndex::Dense(v) => v
                .get(id as usize)
                .filter(|i| **i != u32::MAX)
                .map(|i| *i as usize),
            PersonIndex::Sparse(m) => m.get(&id).map(|i| *i as usize),
        }
    }
}

fn read_participants(dir: &Path, study_end: i32) -> Result<Vec<Person>, InputError> {
    let cols = [
        "person_id",
        "group",
        "index_date",
        "age_at_index",
        "sex",
        "race",
    ];
    let mut seen = KeySet::new();
    let mut persons = Vec::new();
    CsvFile::open(dir, "participants.csv", &cols)?.rows(
        |f| {
            let id = f.positive_id(0)?;
            let lead = f.category(1, &["lead", "control"])? == 0;
            let index_day = f.date(2)?;
            let age = f.int(3)?;
            let male = f.category(4, &["M", "F", "X"])? == 0;
            let race = f.category(5, &RACES)?;
            let followup_days = study_end - index_day;
            if followup_days < 1 {
                return Err(f.error(2, "index date is not before the study end".into()));
            }
            Ok(Person {
                id,
                lead,
                age,
                male,
                race,
                index_day,
                followup_days,
                y_arrest_6m: false,
                prior_arrests_2y: 0,
                y_felony: false,
                prior_felony_2y: 0,
                arrests_post: 0,
                first_arrest: None,
                pre: CostWindow::default(),
                post: CostWindow::default(),
            })
        },
        |p, _| {
            if !seen.insert(p.id) {
                return Err(FieldError::new(
                    Some("person_id"),
                    format!("duplicate person_id {}", p.id),
                ));
            }
            persons.push(p);
            Ok(())
        },
    )?;
    if persons.is_empty() {
        return Err(InputError {
            file: "participants.csv".into(),
            line: None,
            column: None,
            message: "no participants".into(),
        });
    }
    Ok(persons)
}

/// One parsed event row.
struct EventRow {
    id: u64,
    person: u32,
    day: i32,
    kind: u8,
    felony: bool,
    jail: u64,
}

fn read_events(
    dir: &Path,
    study_end: i32,
    persons: &mut [Person],
    index: &PersonIndex,
) -> Result<u64, InputError> {
    let cols = [
        "event_id",
        "person_id",
        "date",
        "kind",
        "felony",
        "jail_days",
    ];
    let mut seen = KeySet::new();
    let pending: std::cell::RefCell<Vec<EventRow>> = std::cell::RefCell::new(Vec::new());
    CsvFile::open(dir, "events.csv", &cols)?.rows_with_flush(
        |f| {
            let id = f.positive_id(0)?;
            let pid = f.positive_id(1)?;
            let person = index
                .get(pid)
                .ok_or_else(|| f.error(1, format!("person_id {pid} is not in participants.csv")))?
                as u32;
            let day = f.date(2)?;
            let kind = f.category(3, &["arrest", "charge", "booking", "prison_admission"])? as u8;
            let felony = f.flag(4)?;
            let jail = f.int(5)?;
            if jail < 0 {
                return Err(f.error(5, format!("negative jail_days {jail}")));
            }
            Ok(EventRow {
                id,
                person,
                day,
                kind,
                felony,
                jail: jail as u64,
            })
        },
        |ev, _| {
            if !seen.insert(ev.id) {
                return Err(FieldError::new(
                    Some("event_id"),
                    format!("duplicate event_id {}", ev.id),
                ));
            }
            pending.borrow_mut().push(ev);
            Ok(())
        },
        || {
            // the two halves of the participants are updated in parallel, each
            // from the block's events in file order
            let mid = persons.len() / 2;
            let (low, high) = persons.split_at_mut(mid);
            let mut events = pending.borrow_mut();
            let list = &*events;
            rayon::join(
                || {
                    for ev in list.iter().filter(|e| (e.person as usize) < mid) {
                        add_event(&mut low[ev.person as usize], ev, study_end);
                    }
                },
                || {
                    for ev in list.iter().filter(|e| (e.person as usize) >= mid) {
                        add_event(&mut high[ev.person as usize - mid], ev, study_end);
                    }
                },
            );
            events.clear();
        },
    )
}

fn add_event(p: &mut Person, ev: &EventRow, study_end: i32) {
    let rel = ev.day - p.index_day;
    let pre2y = (-WIN_PRIOR..=-1).contains(&rel);
    let thru_end = ev.day <= study_end;
    let win = if (-WIN_COST..=-1).contains(&rel) {
        Some(&mut p.pre)
    } else if (1..=WIN_COST).contains(&rel) {
        Some(&mut p.post)
    } else {
        None
    };
    match ev.kind {
        0 => {
            if (1..=WIN_6M).contains(&rel) {
                p.y_arrest_6m = true;
            }
            if pre2y {
                p.prior_arrests_2y += 1;
            }
            if rel >= 1 {
                if thru_end {
                    p.arrests_post += 1;
                }
                p.first_arrest = Some(p.first_arrest.map_or(rel, |f| f.min(rel)));
            }
            if let Some(w) = win {
                w.arrests += 1;
            }
        }
        1 => {
            if ev.felony {
                if rel >= 1 && thru_end {
                    p.y_felony = true;
                }
                if pre2y {
                    p.prior_felony_2y += 1;
                }
            }
            if let Some(w) = win {
                if ev.felony {
                    w.felony_charges += 1;
                } else {
                    w.misd_charges += 1;
                }
            }
        }
        2 => {
            if let Some(w) = win {
                w.jail_days += ev.jail;
            }
        }
        _ => {
            if let Some(w) = win {
                w.prison += 1;
            }
        }
    }
}

/// Monthly grid cell: 2 bits per outcome (0 = 0, 1 = 1, 2 = missing), 0xFF = no row.
const ABSENT: u8 = 0xFF;

fn read_monthly(
    dir: &Path,
    persons: &[Person],
    index: &PersonIndex,
) -> Result<(u64, [MonthlyOutcome; 3]), InputError> {
    let cols = [
        "person_id",
        "month",
        "housed",
        "employed",
        "income_benefits",
    ];
    // LEAD persons ranked by person_id
    let mut lead: Vec<usize> = (0..persons.len()).filter(|i| persons[*i].lead).collect();
    lead.sort_unstable_by_key(|i| persons[*i].id);
    let mut rank = vec![u32::MAX; persons.len()];
    for (k, i) in lead.iter().enumerate() {
        rank[*i] = k as u32;
    }
    let mut grid = vec![ABSENT; lead.len() * MONTHS];
    let rows = CsvFile::open(dir, "monthly.csv", &cols)?.rows(
        |f| {
            let pid = f.positive_id(0)?;
            let pi = index
                .get(pid)
                .ok_or_else(|| f.error(0, format!("person_id {pid} is not in participants.csv")))?;
            if rank[pi] == u32::MAX {
                return Err(f.error(0, format!("person_id {pid} is not in the lead group")));
            }
            let month = f.int(1)?;
            if !(i64::from(MONTH_MIN)..=i64::from(MONTH_MAX)).contains(&month) {
                return Err(f.error(1, format!("month {month} outside {MONTH_MIN}..{MONTH_MAX}")));
            }
            let mut cell = 0u8;
            for slot in 0..3 {
                let v = match f.optional_flag(2 + slot)? {
                    Some(false) => 0,
                    Some(true) => 1,
                    None => 2,
                };
                cell |= v << (2 * slot);
            }
            let at = rank[pi] as usize * MONTHS + (month - i64::from(MONTH_MIN)) as usize;
            Ok((pid, month, at, cell))
        },
        |(pid, month, at, cell), _| {
            if grid[at] != ABSENT {
                return Err(FieldError::new(
                    Some("month"),
                    format!("duplicate (person_id, month) = ({pid}, {month})"),
                ));
            }
            grid[at] = cell;
            Ok(())
        },
    )?;
    let outcomes = [0, 1, 2].map(|slot| {
        let mut o = MonthlyOutcome {
            by_month: vec![(0, 0); MONTHS],
            ..Default::default()
        };
        o.bounds.push(0);
        for person in grid.chunks(MONTHS) {
            for (m, cell) in person.iter().enumerate() {
                if *cell == ABSENT {
                    continue;
                }
                let v = (cell >> (2 * slot)) & 3;
                if v == 2 {
                    continue;
                }
                o.by_month[m].0 += 1;
                o.by_month[m].1 += u64::from(v);
                let month = m as i32 + MONTH_MIN;
                if month != 0 {
                    o.y.push(f64::from(v));
                    o.post.push(if month >= 1 { 1.0 } else { 0.0 });
                }
            }
            if o.y.len() > *o.bounds.last().unwrap_or(&0) {
                o.bounds.push(o.y.len());
            }
        }
        o
    });
    Ok((rows, outcomes))
}

fn read_eligible(dir: &Path) -> Result<(u64, [(u64, u64); 6]), InputError> {
    let mut seen = KeySet::new();
    let mut tab = [(0u64, 0u64); 6];
    let rows = CsvFile::open(
        dir,
        "eligible_arrests.csv",
        &["arrest_id", "date", "race", "diverted"],
    )?
    .rows(
        |f| {
            let id = f.positive_id(0)?;
            f.date(1)?;
            Ok((id, f.category(2, &RACES)?, f.flag(3)?))
        },
        |(id, race, div), _| {
            if !seen.insert(id) {
                return Err(FieldError::new(
                    Some("arrest_id"),
                    format!("duplicate arrest_id {id}"),
                ));
            }
            tab[race].0 += 1;
            tab[race].1 += u64::from(div);
            Ok(())
        },
    )?;
    Ok((rows, tab))
}

/// Reads and validates the six files of `dir` and derives the per-person variables.
pub fn load(dir: &Path) -> Result<Dataset, InputError> {
    let study_end = read_study(dir)?;
    let unit_costs = read_costs(dir)?;
    let mut persons = read_participants(dir, study_end)?;
    let index = PersonIndex::build(&persons);
    let rows_participants = persons.len() as u64;
    // each reader parses in parallel itself; monthly and eligible arrests are
    // read alongside the (larger) events file
    let (events, (monthly, eligible)) = {
        let persons_ro = persons.clone();
        rayon::join(
            || read_events(dir, study_end, &mut persons, &index),
            || {
                rayon::join(
                    || read_monthly(dir, &persons_ro, &index),
                    || read_eligible(dir),
                )
            },
        )
    };
    let rows_events = events?;
    let (rows_monthly, monthly) = monthly?;
    let (rows_eligible, eligible) = eligible?;
    Ok(Dataset {
        study_end,
        unit_costs,
        persons,
        rows_participants,
        rows_events,
        rows_monthly,
        rows_eligible,
        monthly,
        eligible,
    })
}
