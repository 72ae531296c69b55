#[allow(unused_imports)]
use crate::prelude::*;
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::hold::{
    DecisionRecord, Hold, HoldError, HoldEvent, HoldState, ProsecutorDecision, Reminder,
};
use handoff_domain::participation::*;
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{HoldId, ReferralId, UserId};
use proptest::prelude::*;
use time::macros::{date, datetime};
use uuid::Uuid;

#[test]
fn engagement_is_derived_from_the_last_contact() {
    let p = Participation::new(date!(2026 - 01 - 10));
    let s = |last, today| p.state(last, today, 30);
    assert_eq!(s(None, date!(2026 - 02 - 08)), ParticipationState::Engaged);
    assert_eq!(
        s(None, date!(2026 - 02 - 09)),
        ParticipationState::NotRecentlyEngaged
    );
    let contact = Some(date!(2026 - 03 - 01));
    assert_eq!(
        s(contact, date!(2026 - 03 - 30)),
        ParticipationState::Engaged
    );
    assert_eq!(
        s(contact, date!(2026 - 03 - 31)),
        ParticipationState::NotRecentlyEngaged
    );
}

#[test]
fn a_closed_case_reopens_at_any_time() {
    let mut p = Participation::new(date!(2026 - 01 - 10));
    p.apply(ParticipationEvent::Closed {
        reason: ClosureReason::LongIncarceration,
        on: date!(2026 - 06 - 01),
        note: String::new(),
    })
    .unwrap();
    assert_eq!(
        p.state(Some(date!(2026 - 05 - 30)), date!(2026 - 06 - 02), 30),
        ParticipationState::Closed
    );
    assert_eq!(
        p.closure(),
        Some((ClosureReason::LongIncarceration, date!(2026 - 06 - 01)))
    );
    assert_eq!(
        p.check(&ParticipationEvent::Closed {
            reason: ClosureReason::Other,
            on: date!(2026 - 06 - 02),
            note: String::new()
        }),
        Err(ParticipationError::AlreadyClosed)
    );
    // Years later, back out and looking for the case manager.
    p.apply(ParticipationEvent::Reopened {
        on: date!(2029 - 02 - 01),
    })
    .unwrap();
    // Reopening counts as a fresh start for engagement.
    assert_eq!(
        p.state(Some(date!(2026 - 05 - 30)), date!(2029 - 02 - 05), 30),
        ParticipationState::Engaged
    );
    assert_eq!(
        p.apply(ParticipationEvent::Reopened {
            on: date!(2029 - 02 - 02)
        }),
        Err(ParticipationError::NotClosed)
    );
    assert_eq!(p.history().len(), 2);
    let restored = Participation::restore(p.enrolled_on(), p.history().to_vec()).unwrap();
    assert_eq!(restored, p);
}

#[test]
fn caseload_rules_warn_then_refuse() {
    let l = CaseloadLimits::default();
    let warned = |w| Assignment::Warn { warnings: vec![w] };
    let above = |caseload| {
        warned(CaseloadWarning::AboveStandard {
            caseload,
            standard: 15,
        })
    };
    // (the manager's cases, the team's cases, the team's size) → the answer
    let cases = [
        ((12, 60, 5), Assignment::Fine),
        ((14, 60, 5), Assignment::Fine),
        ((15, 60, 5), above(16)),
        // Team of 4 carrying 80: one more takes the average to 20.25.
        (
            (10, 80, 4),
            warned(CaseloadWarning::TeamAverageAbove {
                average: 20.25,
                tolerated: 20,
            }),
        ),
        ((24, 60, 5), above(25)),
        (
            (25, 60, 5),
            Assignment::Refused {
                caseload: 26,
                never_above: 25,
            },
        ),
    ];
    for ((mine, team, size), expected) in cases {
        let got = check_assignment(l, mine, team, size);
        assert_eq!(got, expected, "{mine} cases, team {team} over {size}");
    }
}

// ---- "No one fails LEAD": the vocabulary of every state machine ----------------

/// Word stems that would mark a person as failed, non-compliant or
/// terminated for performance. Compared after lower-casing and dropping
/// everything but letters and digits.
const DENY: &[&str] = &[
    "fail",
    "complian",
    "terminat",
    "violat",
    "sanction",
    "discharg",
    "expel",
    "dismiss",
    "abscond",
    "dropout",
    "droppedout",
    "kickedout",
    "punish",
    "noshow",
];

fn offending(text: &str) -> Option<&'static str> {
    let norm: String = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    DENY.iter().copied().find(|d| norm.contains(d))
}

/// Every string in a JSON value: keys, tags and text values.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                json_strings(x, out);
            }
        }
        _ => {}
    }
}

fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    macro_rules! walk {
        ($ty:ty) => {{
            words.push(stringify!($ty).to_owned());
            for x in <$ty>::ALL {
                words.extend([
                    format!("{x:?}"),
                    x.as_str().to_owned(),
                    x.label().to_owned(),
                ]);
            }
        }};
    }
    // Hold.
    walk!(HoldState);
    walk!(ProsecutorDecision);
    for r in Reminder::ALL {
        words.extend([format!("{r:?}"), r.as_str().to_owned()]);
    }
    // Participation.
    walk!(ParticipationState);
    walk!(ClosureReason);
    // Referral.
    walk!(ReferralStatus);
    for s in ReferralStep::ALL {
        words.extend([format!("{s:?}"), s.as_str().to_owned()]);
    }

    // Every transition, field and message, as the store and API see them.
    let tz = SiteTimeZone::parse("America/Los_Angeles").unwrap();
    let at = datetime!(2026-11-30 14:05 UTC);
    let mut hold = Hold::open(
        HoldId::from_uuid(Uuid::from_u128(1)),
        ReferralId::from_uuid(Uuid::from_u128(2)),
        at,
        30,
        &tz,
    )
    .unwrap();
    let deadline = hold.deadline.at;
    let events = [
        HoldEvent::ReminderDue {
            reminder: Reminder::TwoDays,
            at: deadline,
        },
        HoldEvent::Satisfied { at },
        HoldEvent::Lapsed { at: deadline },
        HoldEvent::Decided(DecisionRecord {
            decision: ProsecutorDecision::Deferred,
            note: String::new(),
            by: UserId::from_uuid(Uuid::from_u128(3)),
            at: deadline,
        }),
    ];
    for e in &events {
        json_strings(&serde_json::to_value(e).unwrap(), &mut words);
        words.push(format!("{e:?}"));
    }
    hold.apply(&events[2]).unwrap();
    hold.apply(&events[3]).unwrap();
    json_strings(&serde_json::to_value(&hold).unwrap(), &mut words);
    words.push(format!("{hold:?}"));
    for e in [
        HoldError::NotPending(HoldState::Lapsed),
        HoldError::WindowClosed,
        HoldError::ReleaseNotInForce,
        HoldError::NotYetDue,
        HoldError::NotLapsed,
        HoldError::AlreadyDecided,
        HoldError::ReminderNotDue,
        HoldError::NoteTooLong,
        HoldError::Inconsistent("a pending hold has no satisfied or lapsed time"),
    ] {
        words.extend([format!("{e:?}"), e.to_string()]);
    }

    let mut p = Participation::new(date!(2026 - 01 - 10));
    let events = [
        ParticipationEvent::Closed {
            reason: ClosureReason::ParticipantChoice,
            on: date!(2026 - 02 - 01),
            note: String::new(),
        },
        ParticipationEvent::Reopened {
            on: date!(2026 - 03 - 01),
        },
    ];
    for e in events {
        json_strings(&serde_json::to_value(&e).unwrap(), &mut words);
        words.push(format!("{e:?}"));
        p.apply(e).unwrap();
    }
    json_strings(&serde_json::to_value(&p).unwrap(), &mut words);
    for e in [
        ParticipationError::AlreadyClosed,
        ParticipationError::NotClosed,
        ParticipationError::OutOfOrder,
    ] {
        words.extend([format!("{e:?}"), e.to_string()]);
    }
    for a in [
        check_assignment(CaseloadLimits::default(), 30, 200, 5),
        check_assignment(CaseloadLimits::default(), 20, 200, 5),
    ] {
        json_strings(&serde_json::to_value(&a).unwrap(), &mut words);
        words.push(format!("{a:?}"));
    }
    words
}

#[test]
fn no_state_transition_field_or_label_names_failure() {
    let words = vocabulary();
    assert!(
        words.len() > 100,
        "the walk found only {} words",
        words.len()
    );
    let offences: Vec<String> = words
        .iter()
        .filter_map(|w| offending(w).map(|d| format!("{w:?} contains {d:?}")))
        .collect();
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn the_deny_list_catches_what_it_should() {
    for bad in [
        "terminated_for_noncompliance",
        "Non-compliant",
        "FAILED",
        "program violation",
        "Discharged for non-attendance",
        "drop-out",
        "no_show",
    ] {
        assert!(offending(bad).is_some(), "{bad}");
    }
    assert_eq!(offending("not_recently_engaged"), None);
}

#[test]
fn every_closed_state_can_be_left() {
    for reason in ClosureReason::ALL {
        let mut p = Participation::new(date!(2026 - 01 - 10));
        p.apply(ParticipationEvent::Closed {
            reason: *reason,
            on: date!(2026 - 02 - 01),
            note: String::new(),
        })
        .unwrap();
        assert!(
            p.apply(ParticipationEvent::Reopened {
                on: date!(2026 - 02 - 01)
            })
            .is_ok()
        );
    }
}

proptest! {
    #[test]
    fn participation_never_gets_stuck(
        steps in proptest::collection::vec((any::<bool>(), 0u8..5, 0i64..400), 0..20),
        contact in proptest::option::of(0i64..2000),
        today in 0i64..3000,
    ) {
        let start = date!(2026 - 01 - 10);
        let mut p = Participation::new(start);
        for (close, reason, day) in steps {
            let on = start + time::Duration::days(day);
            let e = if close {
                ParticipationEvent::Closed {
                    reason: ClosureReason::ALL[usize::from(reason)],
                    on,
                    note: String::new(),
                }
            } else {
                ParticipationEvent::Reopened { on }
            };
            let before = p.clone();
            if p.apply(e).is_err() {
                prop_assert_eq!(&p, &before);
            }
        }
        let today = start + time::Duration::days(today);
        let state = p.state(contact.map(|d| start + time::Duration::days(d)), today, 30);
        prop_assert_eq!(state == ParticipationState::Closed, p.closure().is_some());
        // Whatever happened, a closed case can reopen from its last change on.
        if let Some((_, on)) = p.closure() {
            let reopen = ParticipationEvent::Reopened { on };
            prop_assert!(p.check(&reopen).is_ok());
        }
    }

    #[test]
    fn caseload_verdicts_follow_the_limits(
        cases in 0u32..40, others in 0u32..200, team in 1u32..12
    ) {
        let l = CaseloadLimits::default();
        let a = check_assignment(l, cases, cases + others, team);
        let after = cases + 1;
        match a {
            Assignment::Refused { caseload, .. } => {
                prop_assert!(after > 25);
                prop_assert_eq!(caseload, after);
            }
            Assignment::Fine => {
                prop_assert!(after <= 15);
                prop_assert!(f64::from(cases + others + 1) / f64::from(team) <= 20.0);
            }
            Assignment::Warn { warnings } => {
                prop_assert!(after <= 25);
                prop_assert!(!warnings.is_empty());
                prop_assert_eq!(
                    warnings.iter().any(|w| matches!(w, CaseloadWarning::AboveStandard { .. })),
                    after > 15
                );
            }
        }
    }
}
