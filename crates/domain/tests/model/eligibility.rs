#[allow(unused_imports)]
use crate::prelude::*;
use handoff_domain::eligibility::*;
use handoff_domain::referral::{Referral, ReferralForm};
use proptest::prelude::*;
use time::macros::date;

fn offence(
    category: Conduct,
    substance: Option<SubstanceClass>,
    g: Option<f64>,
) -> ScreenedOffence {
    ScreenedOffence {
        category: ConductCategory::Standard(category),
        substance,
        quantity_grams: g,
    }
}

fn dana() -> ScreeningFacts {
    ScreeningFacts {
        door: Door::ArrestDiversion,
        offences: vec![offence(
            Conduct::DrugPossession,
            Some(SubstanceClass::Opioid),
            Some(1.2),
        )],
        age: 38,
        dealing_for_profit: false,
        officer_not_amenable: false,
        last_serious_violent_conviction: None,
        referred_on: date!(2026 - 11 - 30),
        pending_treatment_court_case: false,
        no_contact_order_with_participant: false,
        prior_involvement_verified: false,
        capacity_remains: true,
        records: RecordChecks::default(),
    }
}

/// Asserts that one of the screening's reasons reads `text`.
fn assert_reason(s: &Screening, text: &str) {
    assert!(
        s.reasons.iter().any(|r| r.text == text),
        "no reason {text:?} in {s:#?}"
    );
}

fn rules(s: &Screening, passed: bool) -> Vec<RuleCode> {
    s.reasons
        .iter()
        .filter(|r| r.passed == passed)
        .map(|r| r.rule)
        .collect()
}

#[test]
fn the_contract_example_is_eligible_under_the_demo_policy() {
    let form: ReferralForm = serde_json::from_value(crate::referral::contract_example()).unwrap();
    let referral = Referral::try_from(form).unwrap();
    let facts = ScreeningFacts::from_referral(
        &referral,
        date!(2026 - 11 - 30),
        KnownRecord {
            capacity_remains: true,
            ..KnownRecord::default()
        },
    );
    assert_eq!(facts, dana());
    let s = screen(&Policy::demo(), &facts);
    assert!(s.eligible, "{s:#?}");
    assert!(s.reasons.iter().all(|r| r.passed));
    assert!(
        s.reasons
            .iter()
            .all(|r| r.decisive == (r.check == Check::Checked))
    );
    assert_reason(&s, "1.2 g of opioid is within the 3 g limit.");
}

#[test]
fn every_excluding_rule_is_named() {
    let mut f = dana();
    f.offences
        .push(offence(Conduct::ExploitingMinors, None, None));
    f.offences.push(offence(Conduct::Violent, None, None));
    f.offences[0].quantity_grams = Some(7.5);
    f.age = 17;
    f.officer_not_amenable = true;
    f.last_serious_violent_conviction = Some(date!(2020 - 01 - 01));
    let s = screen(&Policy::demo(), &f);
    assert!(!s.eligible);
    assert_eq!(
        rules(&s, false),
        vec![
            RuleCode::ExploitingMinors,
            RuleCode::ConductEligible,
            RuleCode::QuantityLimit,
            RuleCode::ViolentHistory,
            RuleCode::MinimumAge,
            RuleCode::NotAmenable,
        ]
    );
    assert!(s.exclusions().all(|r| r.decisive));
    assert!(s.reasons.iter().filter(|r| r.passed).all(|r| !r.decisive));
    assert_reason(&s, "Violent offence is not eligible conduct at this site.");
}

#[test]
fn each_rule_is_named_once_per_category_and_substance() {
    let mut f = dana();
    f.offences.push(offence(
        Conduct::DrugPossession,
        Some(SubstanceClass::Opioid),
        None,
    ));
    f.offences.push(offence(
        Conduct::DrugPossession,
        Some(SubstanceClass::Stimulant),
        None,
    ));
    let s = screen(&Policy::demo(), &f);
    let texts: Vec<&str> = s.reasons.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts[..4],
        [
            "The arrest diversion door is open.",
            "Drug possession is eligible conduct.",
            "1.2 g of opioid is within the 3 g limit.",
            "No quantity of stimulant was recorded (the limit is 3 g).",
        ]
    );
}

#[test]
fn dealing_for_profit_excludes_only_sales() {
    let mut f = dana();
    f.dealing_for_profit = true;
    assert!(screen(&Policy::demo(), &f).eligible);
    f.offences[0].category = ConductCategory::Standard(Conduct::DrugSales);
    let s = screen(&Policy::demo(), &f);
    assert_eq!(rules(&s, false), vec![RuleCode::DealingForProfit]);
}

#[test]
fn quantities_add_up_per_substance_and_exemptions_hold() {
    let mut f = dana();
    f.offences = vec![
        offence(
            Conduct::DrugPossession,
            Some(SubstanceClass::Opioid),
            Some(2.0),
        ),
        offence(Conduct::DrugSales, Some(SubstanceClass::Opioid), Some(1.5)),
        offence(
            Conduct::DrugPossession,
            Some(SubstanceClass::PrescriptionPills),
            Some(40.0),
        ),
    ];
    let mut santa_fe = Policy::demo();
    santa_fe.quantity_limits = vec![QuantityLimit {
        substance: None,
        max_grams: 6.0,
    }];
    santa_fe
        .quantity_exempt
        .insert(SubstanceClass::PrescriptionPills);
    let s = screen(&santa_fe, &f);
    assert!(s.eligible, "{s:#?}");
    assert_reason(
        &s,
        "No quantity limit applies to prescription pills (exempt).",
    );
    // Seattle's 3 g: the opioid total of 3.5 g is over, the pills too.
    let s = screen(&Policy::demo(), &f);
    assert_eq!(
        rules(&s, false),
        vec![RuleCode::QuantityLimit, RuleCode::QuantityLimit]
    );
}

#[test]
fn the_look_back_counts_years_from_the_referral() {
    let mut f = dana();
    f.last_serious_violent_conviction = Some(date!(2016 - 11 - 30));
    assert!(!screen(&Policy::demo(), &f).eligible);
    f.last_serious_violent_conviction = Some(date!(2016 - 11 - 29));
    assert!(screen(&Policy::demo(), &f).eligible);
}

#[test]
fn social_contact_needs_verified_involvement_and_capacity() {
    let mut f = dana();
    f.door = Door::SocialContact;
    f.prior_involvement_verified = true;
    f.capacity_remains = false;
    let s = screen(&Policy::demo(), &f);
    assert_eq!(rules(&s, false), vec![RuleCode::Capacity]);
    let mut p = Policy::demo();
    p.social_contact_needs_capacity = false;
    assert!(screen(&p, &f).eligible);
    p.open_doors.remove(&Door::SocialContact);
    assert_eq!(rules(&screen(&p, &f), false), vec![RuleCode::DoorOpen]);
}

#[test]
fn site_defined_conduct_is_eligible_by_policy() {
    let mut f = dana();
    f.offences = vec![ScreenedOffence {
        category: ConductCategory::parse("transit_fare").unwrap(),
        substance: None,
        quantity_grams: None,
    }];
    let s = screen(&Policy::demo(), &f);
    assert!(s.eligible);
    assert_reason(&s, "Transit fare evasion is eligible conduct.");
    f.offences[0].category = ConductCategory::parse("park_exclusion").unwrap();
    assert!(!screen(&Policy::demo(), &f).eligible);
}

#[test]
fn approval_follows_the_policy() {
    let mut p = Policy::demo();
    assert!(!p.needs_approval(Door::ArrestDiversion));
    p.approval = Approval::Police;
    assert!(p.needs_approval(Door::ArrestDiversion));
    assert!(!p.needs_approval(Door::Community));
    p.approval = Approval::ProjectManagement;
    assert!(p.needs_approval(Door::Community));
}

#[test]
fn the_policy_round_trips_and_validates() {
    let p = Policy::demo();
    p.validate().unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["hold_window_days"], 30);
    assert_eq!(json["approval"], "none");
    let back: Policy = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, p);

    let mut bad = p.clone();
    bad.hold_window_days = 0;
    assert_eq!(bad.validate().unwrap_err().field, "hold_window_days");
    let mut bad = p.clone();
    bad.quantity_limits.push(QuantityLimit {
        substance: None,
        max_grams: 1.0,
    });
    assert_eq!(
        bad.validate().unwrap_err().field,
        "quantity_limits[1].substance"
    );
    let mut bad = p;
    bad.open_doors.clear();
    assert_eq!(bad.validate().unwrap_err().field, "open_doors");

    // Defaults fill what an older version did not have.
    let mut json = json;
    let obj = json.as_object_mut().unwrap();
    obj.remove("hold_window_days");
    obj.remove("handoff_target_minutes");
    obj.remove("not_recently_engaged_days");
    obj.remove("caseload");
    obj.remove("research_use_allowed");
    let p: Policy = serde_json::from_value(json).unwrap();
    assert_eq!((p.hold_window_days, p.handoff_target_minutes), (30, 30));
    assert_eq!(p.not_recently_engaged_days, 30);
    assert_eq!(p.caseload, CaseloadLimits::default());
    assert!(!p.research_use_allowed);

    let mut bad = Policy::demo();
    bad.caseload.standard = 22;
    assert_eq!(bad.validate().unwrap_err().field, "caseload");
}

// ---- Properties --------------------------------------------------------------

fn any_conduct() -> impl Strategy<Value = Conduct> {
    proptest::sample::select(Conduct::ALL)
}
fn any_substance() -> impl Strategy<Value = SubstanceClass> {
    proptest::sample::select(SubstanceClass::ALL)
}
fn any_door() -> impl Strategy<Value = Door> {
    proptest::sample::select(Door::ALL)
}

prop_compose! {
    fn any_offence()(c in any_conduct(), s in proptest::option::of(any_substance()),
                     g in proptest::option::of(0.0f64..20.0)) -> ScreenedOffence {
        offence(c, s, g)
    }
}

prop_compose! {
    fn any_facts()(door in any_door(),
                   offences in proptest::collection::vec(any_offence(), 0..4),
                   age in 12u8..80,
                   flags in proptest::array::uniform7(any::<bool>()),
                   conviction_days_ago in proptest::option::of(0i64..8000)) -> ScreeningFacts {
        let referred_on = date!(2026 - 11 - 30);
        ScreeningFacts {
            door,
            offences,
            age,
            dealing_for_profit: flags[0],
            officer_not_amenable: flags[1],
            last_serious_violent_conviction:
                conviction_days_ago.map(|d| referred_on - time::Duration::days(d)),
            referred_on,
            pending_treatment_court_case: flags[2],
            no_contact_order_with_participant: flags[3],
            prior_involvement_verified: flags[4],
            capacity_remains: flags[5],
            records: RecordChecks::default(),
        }
    }
}

prop_compose! {
    fn any_policy()(conduct in proptest::collection::btree_set(any_conduct(), 0..6),
                    doors in proptest::collection::btree_set(any_door(), 1..=3),
                    limit in proptest::option::of(0.0f64..10.0),
                    exempt in proptest::collection::btree_set(any_substance(), 0..3),
                    ex in proptest::array::uniform7(any::<bool>()),
                    lookback in proptest::option::of(0u8..20),
                    min_age in proptest::option::of(16u8..21),
                    capacity in any::<bool>()) -> Policy {
        Policy {
            eligible_conduct: conduct,
            site_conduct: vec![],
            quantity_limits: limit
                .map(|max_grams| vec![QuantityLimit { substance: None, max_grams }])
                .unwrap_or_default(),
            quantity_exempt: exempt,
            exclusions: Exclusions {
                dealing_for_profit: ex[0],
                exploiting_minors: ex[1],
                promoting_prostitution: ex[2],
                violent_conviction_lookback_years: lookback,
                minimum_age: min_age,
                pending_treatment_court_case: ex[3],
                no_contact_order_with_participant: ex[4],
                officer_not_amenable: ex[5],
            },
            open_doors: doors,
            approval: Approval::None,
            hold_window_days: 30,
            handoff_target_minutes: 30,
            social_contact_needs_capacity: capacity,
            not_recently_engaged_days: 30,
            caseload: CaseloadLimits::default(),
            research_use_allowed: false,
            unit_costs: UnitCosts::default(),
        }
    }
}

proptest! {
    #[test]
    fn eligible_exactly_when_every_rule_is_met(p in any_policy(), f in any_facts()) {
        let s = screen(&p, &f);
        prop_assert_eq!(s.eligible, s.reasons.iter().all(|r| r.passed));
        prop_assert!(!s.reasons.is_empty(), "the door is always checked");
        prop_assert!(s.reasons.iter().any(|r| r.decisive));
        for r in &s.reasons {
            prop_assert_eq!(r.decisive, r.passed == s.eligible && (r.check == Check::Checked || !r.passed));
            prop_assert!(r.check == Check::Checked || r.passed, "only a checked rule excludes");
            prop_assert!(!r.text.is_empty() && r.text.ends_with('.'));
        }
        prop_assert_eq!(screen(&p, &f), s, "screening is deterministic");
    }

    #[test]
    fn an_exclusion_flag_never_makes_a_referral_eligible(
        p in any_policy(), f in any_facts(), which in 0usize..5
    ) {
        let before = screen(&p, &f).eligible;
        let mut g = f.clone();
        match which {
            0 => g.dealing_for_profit = true,
            1 => g.officer_not_amenable = true,
            2 => g.pending_treatment_court_case = true,
            3 => g.no_contact_order_with_participant = true,
            _ => g.last_serious_violent_conviction = Some(g.referred_on),
        }
        prop_assert!(before || !screen(&p, &g).eligible);
    }

    #[test]
    fn more_grams_never_make_a_referral_eligible(
        p in any_policy(), f in any_facts(), extra in 0.0f64..50.0
    ) {
        let mut g = f.clone();
        for o in &mut g.offences {
            o.quantity_grams = o.quantity_grams.map(|q| q + extra);
        }
        prop_assert!(screen(&p, &f).eligible || !screen(&p, &g).eligible);
    }

    #[test]
    fn exempt_substances_never_fail_the_quantity_rule(
        mut p in any_policy(), mut f in any_facts(), grams in 0.0f64..1000.0
    ) {
        p.quantity_exempt.insert(SubstanceClass::PrescriptionPills);
        f.offences = vec![offence(
            Conduct::DrugPossession,
            Some(SubstanceClass::PrescriptionPills),
            Some(grams),
        )];
        let s = screen(&p, &f);
        prop_assert!(s.reasons.iter().filter(|r| r.rule == RuleCode::QuantityLimit).all(|r| r.passed));
    }

    #[test]
    fn minors_are_never_eligible_where_the_minimum_is_18(
        mut p in any_policy(), mut f in any_facts(), age in 0u8..18
    ) {
        p.exclusions.minimum_age = Some(18);
        f.age = age;
        prop_assert!(!screen(&p, &f).eligible);
    }

    #[test]
    fn a_closed_door_is_never_eligible(mut p in any_policy(), f in any_facts()) {
        p.open_doors.remove(&f.door);
        prop_assert!(!screen(&p, &f).eligible);
    }
}
