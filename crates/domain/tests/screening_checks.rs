//! The record rules of screening (serious violent history, a pending
//! treatment-court case, a no-contact order) walked cell by cell: a rule is
//! met only when the site's records were checked and hold nothing; with no
//! records it reads "not checked — officer to confirm"; a likely match in
//! the records reads "a possible exclusion — confirm"; a known fact
//! excludes whatever the records say. Neither of the last two unchecked
//! states ever makes a referral ineligible on its own, nor is ever "met".

use handoff_domain::eligibility::{
    Check, Evidence, Policy, RecordChecks, RuleCode, ScreenedOffence, ScreeningFacts, screen,
};
use handoff_domain::referral::{Conduct, ConductCategory, Door, SubstanceClass};
use time::macros::date;

fn facts(records: RecordChecks) -> ScreeningFacts {
    ScreeningFacts {
        door: Door::ArrestDiversion,
        offences: vec![ScreenedOffence {
            category: ConductCategory::Standard(Conduct::DrugPossession),
            substance: Some(SubstanceClass::Opioid),
            quantity_grams: Some(1.0),
        }],
        age: 30,
        dealing_for_profit: false,
        officer_not_amenable: false,
        last_serious_violent_conviction: None,
        referred_on: date!(2026 - 11 - 30),
        pending_treatment_court_case: false,
        no_contact_order_with_participant: false,
        prior_involvement_verified: false,
        capacity_remains: true,
        records,
    }
}

const RULES: [RuleCode; 3] = [
    RuleCode::ViolentHistory,
    RuleCode::TreatmentCourtPending,
    RuleCode::NoContactOrder,
];

/// The status each evidence gives when nothing known excludes, written out.
fn expected(e: Evidence) -> (&'static str, &'static str) {
    match e {
        Evidence::NotChecked => ("not_checked", "Not checked — officer to confirm: "),
        Evidence::Clear => ("met", ", in the site's court records."),
        Evidence::Possible => ("possible_exclusion", "A possible exclusion — confirm"),
    }
}

#[test]
fn a_record_rule_is_met_only_when_the_records_were_checked() {
    let all = [Evidence::NotChecked, Evidence::Clear, Evidence::Possible];
    for (which, rule) in RULES.iter().enumerate() {
        for e in all {
            for known in [false, true] {
                let mut records = RecordChecks::default();
                match which {
                    0 => records.violent = e,
                    1 => records.treatment_court = e,
                    _ => records.no_contact = e,
                }
                let mut f = facts(records);
                if known {
                    match which {
                        0 => f.last_serious_violent_conviction = Some(date!(2020 - 01 - 01)),
                        1 => f.pending_treatment_court_case = true,
                        _ => f.no_contact_order_with_participant = true,
                    }
                }
                let s = screen(&Policy::demo(), &f);
                let r = s.reasons.iter().find(|r| r.rule == *rule).unwrap();
                if known {
                    assert_eq!(r.status(), "not_met", "{rule:?} {e:?} known");
                    assert!(!s.eligible);
                    assert!(r.decisive);
                    continue;
                }
                let (status, words) = expected(e);
                assert_eq!(r.status(), status, "{rule:?} {e:?}");
                assert!(r.text.contains(words), "{rule:?} {e:?}: {}", r.text);
                assert!(r.passed, "an unchecked rule never excludes on its own");
                assert!(s.eligible, "{rule:?} {e:?}: {s:#?}");
                assert_eq!(r.decisive, e == Evidence::Clear);
                assert_eq!(r.check == Check::Checked, e == Evidence::Clear);
            }
        }
    }
}

#[test]
fn with_no_records_nothing_about_them_reads_as_met() {
    let s = screen(&Policy::demo(), &facts(RecordChecks::default()));
    let texts: Vec<(&str, &str)> = s
        .reasons
        .iter()
        .filter(|r| RULES.contains(&r.rule))
        .map(|r| (r.status(), r.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "not_checked",
                "Not checked — officer to confirm: no serious violent conviction within the last 10 years."
            ),
            (
                "not_checked",
                "Not checked — officer to confirm: no pending treatment-court case."
            ),
            (
                "not_checked",
                "Not checked — officer to confirm: no no-contact order with a current participant."
            ),
        ]
    );
    // In the policy's order: violent history before the minimum age, the
    // treatment court and the order after it.
    let order: Vec<RuleCode> = s.reasons.iter().map(|r| r.rule).collect();
    let at = |c| order.iter().position(|r| *r == c).unwrap();
    assert!(at(RuleCode::ViolentHistory) < at(RuleCode::MinimumAge));
    assert!(at(RuleCode::MinimumAge) < at(RuleCode::TreatmentCourtPending));
    assert!(at(RuleCode::TreatmentCourtPending) < at(RuleCode::NoContactOrder));
}

#[test]
fn a_stored_screening_without_the_check_reads_as_checked() {
    let old = r#"{"rule":"minimum_age","text":"18 or older.","passed":true,"decisive":true}"#;
    let r: handoff_domain::eligibility::Reason = serde_json::from_str(old).unwrap();
    assert_eq!(r.status(), "met");
}
