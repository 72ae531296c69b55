//! The site's eligibility policy — the Policy Coordinating Group's
//! decisions — and screening a referral against it (DESIGN.md §2, §4).
//!
//! [`Policy`] is plain content: the store saves every version immutably
//! (dated, attributed, with a [`crate::PolicyVersionId`]) and every
//! screening names the version it used. [`screen`] is a pure function of a
//! policy and the facts of one referral ([`ScreeningFacts`]); it lists
//! *every* rule it applied, in plain language, marking which were decisive.

use crate::participation::{CaseloadLimits, DEFAULT_NOT_RECENTLY_ENGAGED_DAYS};
use crate::referral::{Conduct, ConductCategory, Door, Referral, SiteCode, SubstanceClass};
use crate::{ParseError, org::string_enum};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::Date;

string_enum! {
    /// Who must approve a referral before the hand-off.
    Approval {
        /// No approval step.
        None = "none",
        /// Designated police staff (community referrals never need it).
        Police = "police",
        /// The LEAD project manager.
        ProjectManagement = "project_management",
    }
}

/// A conduct category a site adds to the standard ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteConduct {
    pub code: SiteCode,
    /// How people at the site say it ("transit fare evasion").
    pub label: String,
}

/// The most of a substance class a referral may involve, in grams.
/// `substance: None` is the limit for every class without its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantityLimit {
    pub substance: Option<SubstanceClass>,
    pub max_grams: f64,
}

/// The exclusions a site applies. A `false` (or `None`) switches a rule off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusions {
    /// Dealing for profit above subsistence.
    pub dealing_for_profit: bool,
    pub exploiting_minors: bool,
    pub promoting_prostitution: bool,
    /// A serious violent conviction within this many years before the
    /// referral.
    pub violent_conviction_lookback_years: Option<u8>,
    /// The youngest age accepted (18 where LEAD serves adults).
    pub minimum_age: Option<u8>,
    pub pending_treatment_court_case: bool,
    pub no_contact_order_with_participant: bool,
    /// The officer's judgement that the person is not amenable.
    pub officer_not_amenable: bool,
}

/// A site's eligibility policy (one version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// The standard conduct categories that are eligible.
    pub eligible_conduct: BTreeSet<Conduct>,
    /// Further eligible categories the site defines.
    #[serde(default)]
    pub site_conduct: Vec<SiteConduct>,
    #[serde(default)]
    pub quantity_limits: Vec<QuantityLimit>,
    /// Substance classes exempt from quantity limits.
    #[serde(default)]
    pub quantity_exempt: BTreeSet<SubstanceClass>,
    pub exclusions: Exclusions,
    pub open_doors: BTreeSet<Door>,
    pub approval: Approval,
    /// Days an arrest diversion is held from filing (default 30).
    #[serde(default = "default_hold_window_days")]
    pub hold_window_days: u16,
    /// The warm hand-off target in minutes (default 30).
    #[serde(default = "default_handoff_target_minutes")]
    pub handoff_target_minutes: u16,
    /// Social-contact referrals are taken only while case-management
    /// capacity remains after arrest diversions.
    #[serde(default = "yes")]
    pub social_contact_needs_capacity: bool,
    /// Days without contact after which a participant is "not recently
    /// engaged" (default 30).
    #[serde(default = "default_not_recently_engaged_days")]
    pub not_recently_engaged_days: u16,
    /// Caseload limits (default 15 standard, 20 average, never above 25).
    #[serde(default)]
    pub caseload: CaseloadLimits,
    /// Whether evaluators may receive the limited data set (default no).
    #[serde(default)]
    pub research_use_allowed: bool,
    /// Justice-system unit costs for the cost analysis, in US cents.
    #[serde(default)]
    pub unit_costs: UnitCosts,
}

/// The site's justice-system unit costs (the PCG's figures), in US cents,
/// used by the evaluation export. Defaults are the evaluation
/// specification's public figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCosts {
    pub arrest_cents: u64,
    pub charge_felony_cents: u64,
    pub charge_misdemeanor_cents: u64,
    pub jail_day_cents: u64,
    pub prison_admission_cents: u64,
}

impl Default for UnitCosts {
    fn default() -> Self {
        Self {
            arrest_cents: 85_000,
            charge_felony_cents: 295_000,
            charge_misdemeanor_cents: 112_000,
            jail_day_cents: 15_825,
            prison_admission_cents: 3_800_000,
        }
    }
}

pub const DEFAULT_HOLD_WINDOW_DAYS: u16 = 30;
pub const DEFAULT_HANDOFF_TARGET_MINUTES: u16 = 30;
/// Hold windows a policy may set (Santa Fe's 7 to Seattle's 30, with room).
pub const HOLD_WINDOW_DAYS: std::ops::RangeInclusive<u16> = 1..=180;

fn default_hold_window_days() -> u16 {
    DEFAULT_HOLD_WINDOW_DAYS
}
fn default_handoff_target_minutes() -> u16 {
    DEFAULT_HANDOFF_TARGET_MINUTES
}
fn default_not_recently_engaged_days() -> u16 {
    DEFAULT_NOT_RECENTLY_ENGAGED_DAYS
}
fn yes() -> bool {
    true
}

impl Policy {
    /// A realistic policy after Seattle's: the five standard eligible
    /// conducts, 3 g of any drug, all exclusions on with a ten-year
    /// violent look-back, all three doors open, no approval step, a 30-day
    /// hold window, a 30-minute hand-off target, social contact only while
    /// capacity remains, 30 days to "not recently engaged", the 15/20/25
    /// caseload limits, and research use allowed (the site works with a
    /// university evaluation).
    pub fn demo() -> Self {
        Self {
            eligible_conduct: [
                Conduct::DrugPossession,
                Conduct::DrugSales,
                Conduct::SexWork,
                Conduct::Theft,
                Conduct::Trespass,
            ]
            .into_iter()
            .collect(),
            site_conduct: vec![SiteConduct {
                code: SiteCode::parse("transit_fare").unwrap_or_else(|_| unreachable!()),
                label: "transit fare evasion".into(),
            }],
            quantity_limits: vec![QuantityLimit {
                substance: None,
                max_grams: 3.0,
            }],
            quantity_exempt: BTreeSet::new(),
            exclusions: Exclusions {
                dealing_for_profit: true,
                exploiting_minors: true,
                promoting_prostitution: true,
                violent_conviction_lookback_years: Some(10),
                minimum_age: Some(18),
                pending_treatment_court_case: true,
                no_contact_order_with_participant: true,
                officer_not_amenable: true,
            },
            open_doors: Door::ALL.iter().copied().collect(),
            approval: Approval::None,
            hold_window_days: DEFAULT_HOLD_WINDOW_DAYS,
            handoff_target_minutes: DEFAULT_HANDOFF_TARGET_MINUTES,
            social_contact_needs_capacity: true,
            not_recently_engaged_days: DEFAULT_NOT_RECENTLY_ENGAGED_DAYS,
            caseload: CaseloadLimits::default(),
            research_use_allowed: true,
            unit_costs: UnitCosts::default(),
        }
    }

    /// Checks a policy a site admin submitted. Errors name the field.
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.open_doors.is_empty() {
            return Err(ParseError::new("open_doors", "open at least one door"));
        }
        if !HOLD_WINDOW_DAYS.contains(&self.hold_window_days) {
            return Err(ParseError::new(
                "hold_window_days",
                format!(
                    "must be between {} and {} days",
                    HOLD_WINDOW_DAYS.start(),
                    HOLD_WINDOW_DAYS.end()
                ),
            ));
        }
        if !(1..=24 * 60).contains(&self.handoff_target_minutes) {
            return Err(ParseError::new(
                "handoff_target_minutes",
                "must be between 1 and 1440 minutes",
            ));
        }
        for (i, l) in self.quantity_limits.iter().enumerate() {
            if !(l.max_grams.is_finite() && l.max_grams >= 0.0) {
                return Err(ParseError::new(
                    format!("quantity_limits[{i}].max_grams"),
                    "must be zero or more grams",
                ));
            }
            if self.quantity_limits[..i]
                .iter()
                .any(|o| o.substance == l.substance)
            {
                return Err(ParseError::new(
                    format!("quantity_limits[{i}].substance"),
                    "has a limit already",
                ));
            }
        }
        for (i, c) in self.site_conduct.iter().enumerate() {
            if c.label.trim().is_empty() {
                return Err(ParseError::new(
                    format!("site_conduct[{i}].label"),
                    "is required",
                ));
            }
            if self.site_conduct[..i].iter().any(|o| o.code == c.code) {
                return Err(ParseError::new(
                    format!("site_conduct[{i}].code"),
                    "is listed twice",
                ));
            }
        }
        if self.not_recently_engaged_days == 0 {
            return Err(ParseError::new(
                "not_recently_engaged_days",
                "must be at least one day",
            ));
        }
        let c = self.caseload;
        if !(1..=c.average).contains(&c.standard) || c.average > c.never_above {
            return Err(ParseError::new(
                "caseload",
                "needs 0 < standard <= average <= never_above",
            ));
        }
        if self.exclusions.minimum_age.is_some_and(|a| a > 99) {
            return Err(ParseError::new(
                "exclusions.minimum_age",
                "must be under 100",
            ));
        }
        Ok(())
    }

    /// The limit for a substance class, if any (exempt classes have none).
    pub fn quantity_limit(&self, substance: SubstanceClass) -> Option<f64> {
        if self.quantity_exempt.contains(&substance) {
            return None;
        }
        self.quantity_limits
            .iter()
            .find(|l| l.substance == Some(substance))
            .or_else(|| self.quantity_limits.iter().find(|l| l.substance.is_none()))
            .map(|l| l.max_grams)
    }

    /// Whether a conduct category is eligible at the site.
    pub fn conduct_eligible(&self, category: &ConductCategory) -> bool {
        match category {
            ConductCategory::Standard(c) => self.eligible_conduct.contains(c),
            ConductCategory::SiteDefined(code) => self.site_conduct.iter().any(|s| &s.code == code),
        }
    }

    /// Whether a referral through `door` needs approval before hand-off.
    pub fn needs_approval(&self, door: Door) -> bool {
        match self.approval {
            Approval::None => false,
            Approval::Police => door != Door::Community,
            Approval::ProjectManagement => true,
        }
    }
}

/// One offence as screening sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenedOffence {
    pub category: ConductCategory,
    pub substance: Option<SubstanceClass>,
    pub quantity_grams: Option<f64>,
}

/// Everything screening looks at. Built from the referral and what the
/// store knows (records, court cases, orders, caseloads) with
/// [`ScreeningFacts::from_referral`], or directly in tests.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningFacts {
    pub door: Door,
    pub offences: Vec<ScreenedOffence>,
    /// The person's age on the day of the referral.
    pub age: u8,
    pub dealing_for_profit: bool,
    pub officer_not_amenable: bool,
    /// The date of the most recent serious violent conviction known.
    pub last_serious_violent_conviction: Option<Date>,
    /// The day of the referral (for the look-back).
    pub referred_on: Date,
    pub pending_treatment_court_case: bool,
    pub no_contact_order_with_participant: bool,
    /// For social contact: the prior low-level involvement was verified.
    pub prior_involvement_verified: bool,
    /// For social contact: case-management capacity remains.
    pub capacity_remains: bool,
    /// What the site's own records could say about the three record rules
    /// (violent history, treatment court, no-contact order).
    pub records: RecordChecks,
}

/// What the store knows about a referred person beyond the referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KnownRecord {
    pub last_serious_violent_conviction: Option<Date>,
    pub pending_treatment_court_case: bool,
    pub no_contact_order_with_participant: bool,
    pub capacity_remains: bool,
    pub records: RecordChecks,
}

/// How a record rule was checked against the site's own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Evidence {
    /// The site holds no such records: nothing was checked.
    #[default]
    NotChecked,
    /// The site's records were searched and hold nothing that excludes.
    Clear,
    /// A record of a likely match would exclude: the officer confirms.
    Possible,
}

/// The evidence for each record rule (violent history, pending treatment
/// court case, no-contact order). A known fact (a conviction date, a
/// pending case, an order) still excludes whatever these say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordChecks {
    pub violent: Evidence,
    pub treatment_court: Evidence,
    pub no_contact: Evidence,
}

impl ScreeningFacts {
    /// The facts of a parsed referral, `referred_on` being the site's local
    /// day of `occurred_at`.
    pub fn from_referral(referral: &Referral, referred_on: Date, known: KnownRecord) -> Self {
        Self {
            door: referral.door,
            offences: referral
                .offences
                .iter()
                .map(|o| ScreenedOffence {
                    category: o.category.clone(),
                    substance: o.substance,
                    quantity_grams: o.quantity_grams.map(|g| g.get()),
                })
                .collect(),
            age: referral.person.age_on(referred_on),
            dealing_for_profit: referral.dealing_for_profit,
            officer_not_amenable: referral.officer_judged_not_amenable,
            last_serious_violent_conviction: known.last_serious_violent_conviction,
            referred_on,
            pending_treatment_court_case: known.pending_treatment_court_case,
            no_contact_order_with_participant: known.no_contact_order_with_participant,
            prior_involvement_verified: referral.prior_involvement.is_some(),
            capacity_remains: known.capacity_remains,
            records: known.records,
        }
    }
}

string_enum! {
    /// A screening rule, by its stable code.
    RuleCode {
        DoorOpen = "door_open",
        ConductEligible = "conduct_eligible",
        QuantityLimit = "quantity_limit",
        DealingForProfit = "dealing_for_profit",
        ExploitingMinors = "exploiting_minors",
        PromotingProstitution = "promoting_prostitution",
        ViolentHistory = "violent_history",
        MinimumAge = "minimum_age",
        TreatmentCourtPending = "treatment_court_pending",
        NoContactOrder = "no_contact_order",
        NotAmenable = "not_amenable",
        PriorInvolvement = "prior_involvement",
        Capacity = "capacity",
        Catchment = "catchment",
    }
}

string_enum! {
    /// How a rule was checked: `checked` (met or not met on what is
    /// known), `not_checked` (nothing to check it against: the officer
    /// confirms), `possible_exclusion` (a likely match in the site's
    /// records would exclude: the officer confirms). Only a checked rule
    /// is ever met.
    Check {
        Checked = "checked",
        NotChecked = "not_checked",
        PossibleExclusion = "possible_exclusion",
    }
}

impl Check {
    fn of(e: Evidence) -> Check {
        match e {
            Evidence::NotChecked => Check::NotChecked,
            Evidence::Clear => Check::Checked,
            Evidence::Possible => Check::PossibleExclusion,
        }
    }
}

fn checked() -> Check {
    Check::Checked
}

/// One rule applied in a screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub rule: RuleCode,
    /// Plain language, for the officer and the record.
    pub text: String,
    /// Whether the rule let the referral through: met, or not checked
    /// (see `check`) and so left to the officer.
    pub passed: bool,
    /// Whether the rule decided the outcome: a checked rule met in an
    /// eligible screening, a rule not met in an ineligible one.
    pub decisive: bool,
    #[serde(default = "checked")]
    pub check: Check,
}

impl Reason {
    /// met | not_met | not_checked | possible_exclusion
    pub fn status(&self) -> &'static str {
        match (self.check, self.passed) {
            (Check::Checked, true) => "met",
            (Check::Checked, false) => "not_met",
            (c, _) => c.as_str(),
        }
    }
}

/// The outcome of screening one referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    pub eligible: bool,
    /// Every rule applied, in the policy's order.
    pub reasons: Vec<Reason>,
}

impl Screening {
    /// The rules that made the referral ineligible (empty when eligible).
    pub fn exclusions(&self) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(|r| !r.passed)
    }
}

/// Screens the facts of a referral against a policy.
pub fn screen(policy: &Policy, facts: &ScreeningFacts) -> Screening {
    let mut checks: Vec<(RuleCode, bool, String, Check)> = Vec::new();
    let mut check = |rule, passed, text: String| checks.push((rule, passed, text, Check::Checked));
    let mut unchecked: Vec<(RuleCode, String, Check)> = Vec::new();

    // The door.
    let door = facts.door.label().to_lowercase();
    if policy.open_doors.contains(&facts.door) {
        check(
            RuleCode::DoorOpen,
            true,
            format!("The {door} door is open."),
        );
    } else {
        check(
            RuleCode::DoorOpen,
            false,
            format!("The site does not take {door} referrals."),
        );
    }

    // Specific exclusions by offence category.
    let has = |c: Conduct| {
        facts
            .offences
            .iter()
            .any(|o| o.category.standard() == Some(c))
    };
    let ex = &policy.exclusions;
    let mut specific: Vec<Conduct> = Vec::new();
    if ex.exploiting_minors {
        specific.push(Conduct::ExploitingMinors);
        if has(Conduct::ExploitingMinors) {
            check(
                RuleCode::ExploitingMinors,
                false,
                "Exploiting minors excludes a referral.".into(),
            );
        }
    }
    if ex.promoting_prostitution {
        specific.push(Conduct::PromotingProstitution);
        if has(Conduct::PromotingProstitution) {
            check(
                RuleCode::PromotingProstitution,
                false,
                "Promoting prostitution excludes a referral.".into(),
            );
        }
    }

    // Eligible conduct, once per category no specific exclusion covered.
    let mut seen: Vec<&ConductCategory> = Vec::new();
    for o in &facts.offences {
        if o.category.standard().is_some_and(|c| specific.contains(&c))
            || seen.contains(&&o.category)
        {
            continue;
        }
        seen.push(&o.category);
        let label = conduct_label(policy, &o.category);
        if policy.conduct_eligible(&o.category) {
            check(
                RuleCode::ConductEligible,
                true,
                format!("{} is eligible conduct.", capitalise(&label)),
            );
        } else {
            check(
                RuleCode::ConductEligible,
                false,
                format!(
                    "{} is not eligible conduct at this site.",
                    capitalise(&label)
                ),
            );
        }
    }

    // Quantity limits, per substance class over all drug offences.
    let mut classes: Vec<SubstanceClass> = Vec::new();
    let drug_substances = facts
        .offences
        .iter()
        .filter(|o| o.category.standard().is_some_and(|c| c.is_drug_offence()))
        .filter_map(|o| o.substance);
    for s in drug_substances {
        if !classes.contains(&s) {
            classes.push(s);
        }
    }
    for s in classes {
        let quantities: Vec<f64> = facts
            .offences
            .iter()
            .filter(|o| o.substance == Some(s))
            .filter(|o| o.category.standard().is_some_and(|c| c.is_drug_offence()))
            .filter_map(|o| o.quantity_grams)
            .collect();
        let total: f64 = quantities.iter().sum();
        let name = s.as_str().replace('_', " ");
        match policy.quantity_limit(s) {
            None if policy.quantity_exempt.contains(&s) => check(
                RuleCode::QuantityLimit,
                true,
                format!("No quantity limit applies to {name} (exempt)."),
            ),
            None => {}
            Some(max) if quantities.is_empty() => check(
                RuleCode::QuantityLimit,
                true,
                format!(
                    "No quantity of {name} was recorded (the limit is {} g).",
                    grams(max)
                ),
            ),
            Some(max) if total <= max => check(
                RuleCode::QuantityLimit,
                true,
                format!(
                    "{} g of {name} is within the {} g limit.",
                    grams(total),
                    grams(max)
                ),
            ),
            Some(max) => check(
                RuleCode::QuantityLimit,
                false,
                format!(
                    "{} g of {name} is over the {} g limit.",
                    grams(total),
                    grams(max)
                ),
            ),
        }
    }

    if ex.dealing_for_profit && has(Conduct::DrugSales) {
        check(
            RuleCode::DealingForProfit,
            !facts.dealing_for_profit,
            if facts.dealing_for_profit {
                "Dealing for profit above subsistence excludes a referral.".into()
            } else {
                "Sales were for subsistence, not profit.".into()
            },
        );
    }

    if let Some(years) = ex.violent_conviction_lookback_years {
        let since = years_before(facts.referred_on, years);
        let within = facts
            .last_serious_violent_conviction
            .is_some_and(|d| d >= since);
        let rule = format!("no serious violent conviction within the last {years} years");
        if within {
            check(
                RuleCode::ViolentHistory,
                false,
                format!(
                    "A serious violent conviction within the last {years} years excludes a referral."
                ),
            );
        } else {
            record_rule(
                &mut unchecked,
                RuleCode::ViolentHistory,
                facts.records.violent,
                &rule,
            );
        }
    }
    if let Some(min) = ex.minimum_age {
        let ok = facts.age >= min;
        check(
            RuleCode::MinimumAge,
            ok,
            if ok {
                format!("{min} or older.")
            } else {
                format!("Under {min}: LEAD at this site serves people {min} and older.")
            },
        );
    }

    if ex.pending_treatment_court_case {
        if facts.pending_treatment_court_case {
            check(
                RuleCode::TreatmentCourtPending,
                false,
                "A pending treatment-court case excludes a referral.".into(),
            );
        } else {
            let e = facts.records.treatment_court;
            let rule = "no pending treatment-court case";
            record_rule(&mut unchecked, RuleCode::TreatmentCourtPending, e, rule);
        }
    }

    if ex.no_contact_order_with_participant {
        if facts.no_contact_order_with_participant {
            check(
                RuleCode::NoContactOrder,
                false,
                "A no-contact order with a current participant excludes a referral.".into(),
            );
        } else {
            let e = facts.records.no_contact;
            let rule = "no no-contact order with a current participant";
            record_rule(&mut unchecked, RuleCode::NoContactOrder, e, rule);
        }
    }

    if ex.officer_not_amenable {
        let p = facts.officer_not_amenable;
        check(
            RuleCode::NotAmenable,
            !p,
            if p {
                "The officer judged the person not amenable to LEAD.".into()
            } else {
                "The officer judged the person amenable to LEAD.".into()
            },
        );
    }

    if facts.door == Door::SocialContact {
        let v = facts.prior_involvement_verified;
        check(
            RuleCode::PriorInvolvement,
            v,
            if v {
                "Prior low-level involvement is verified.".into()
            } else {
                "A social-contact referral needs verified prior low-level involvement.".into()
            },
        );
        if policy.social_contact_needs_capacity {
            let c = facts.capacity_remains;
            check(
                RuleCode::Capacity,
                c,
                if c {
                    "Case-management capacity remains for social-contact referrals.".into()
                } else {
                    "No case-management capacity remains for social-contact referrals now.".into()
                },
            );
        }
    }

    let eligible = checks.iter().all(|(_, passed, _, _)| *passed);
    // The record rules, where the policy puts them.
    for (rule, text, c) in unchecked {
        let at = checks
            .iter()
            .position(|x| record_order(x.0) > record_order(rule))
            .unwrap_or(checks.len());
        checks.insert(at, (rule, true, text, c));
    }
    Screening {
        eligible,
        reasons: checks
            .into_iter()
            .map(|(rule, passed, text, check)| Reason {
                rule,
                text,
                passed,
                decisive: passed == eligible && (check == Check::Checked || !passed),
                check,
            })
            .collect(),
    }
}

/// A record rule as the site's records let it be checked: met where they
/// were searched and hold nothing, otherwise left to the officer — never
/// met on nothing.
fn record_rule(out: &mut Vec<(RuleCode, String, Check)>, rule: RuleCode, e: Evidence, what: &str) {
    let text = match e {
        Evidence::Clear => format!("{}, in the site's court records.", capitalise(what)),
        Evidence::NotChecked => {
            format!("Not checked — officer to confirm: {what}.")
        }
        Evidence::Possible => format!(
            "A possible exclusion — confirm: the site's court records may show a likely match that fails \"{what}\"."
        ),
    };
    out.push((rule, text, Check::of(e)));
}

/// Where a rule sits in the list of reasons (the policy's order).
fn record_order(r: RuleCode) -> u8 {
    match r {
        RuleCode::DoorOpen | RuleCode::ExploitingMinors | RuleCode::PromotingProstitution => 0,
        RuleCode::Catchment => 0,
        RuleCode::ConductEligible | RuleCode::QuantityLimit | RuleCode::DealingForProfit => 1,
        RuleCode::ViolentHistory => 2,
        RuleCode::MinimumAge => 3,
        RuleCode::TreatmentCourtPending => 4,
        RuleCode::NoContactOrder => 5,
        RuleCode::NotAmenable | RuleCode::PriorInvolvement | RuleCode::Capacity => 6,
    }
}

fn conduct_label(policy: &Policy, c: &ConductCategory) -> String {
    match c {
        ConductCategory::Standard(c) => c.label().to_owned(),
        ConductCategory::SiteDefined(code) => policy
            .site_conduct
            .iter()
            .find(|s| &s.code == code)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| code.as_str().replace('_', " ")),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn grams(g: f64) -> String {
    let s = format!("{g:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The same calendar day `years` years earlier (28 February for 29 February
/// in a common year).
fn years_before(d: Date, years: u8) -> Date {
    let y = d.year() - i32::from(years);
    Date::from_calendar_date(y, d.month(), d.day())
        .or_else(|_| Date::from_calendar_date(y, d.month(), d.day() - 1))
        .unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::years_before;
    use time::macros::date;

    #[test]
    fn a_leap_day_look_back_lands_on_the_last_day_of_february() {
        assert_eq!(
            years_before(date!(2028 - 02 - 29), 1),
            date!(2027 - 02 - 28)
        );
    }
}
