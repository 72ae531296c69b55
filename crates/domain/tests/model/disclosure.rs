//! The exhaustive policy test: every role × every category × release state ×
//! own / other agency, against a matrix written out by hand below. Changing
//! any single cell of the policy fails it.

#[allow(unused_imports)]
use crate::prelude::*;
use crate::release::{form, part2};
use handoff_domain::disclosure::*;
use handoff_domain::release::{RecipientForm, ReleaseForm};
use handoff_domain::site_time::SiteTimeZone;
use time::macros::{date, datetime};
use uuid::Uuid;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_a000_0000_7000_8000_0000_0000_0000 | n)
}
fn site() -> SiteId {
    SiteId::from_uuid(uuid(1))
}
fn own_agency() -> AgencyId {
    AgencyId::from_uuid(uuid(2))
}
fn other_agency() -> AgencyId {
    AgencyId::from_uuid(uuid(3))
}
fn viewer_user() -> UserId {
    UserId::from_uuid(uuid(4))
}
fn other_user() -> UserId {
    UserId::from_uuid(uuid(5))
}

fn now() -> SiteNow {
    SiteTimeZone::parse("America/Los_Angeles")
        .unwrap()
        .at(datetime!(2026-12-10 18:00 UTC))
}

/// The organisation a user of each role typically works for.
fn agency_kind(role: Role) -> AgencyKind {
    match role {
        Role::Officer => AgencyKind::Police,
        Role::Prosecutor => AgencyKind::Prosecutor,
        Role::CaseManager | Role::Supervisor => AgencyKind::CaseManagement,
        Role::Partner => AgencyKind::Housing,
        Role::CommunityReferrer | Role::Evaluator | Role::SiteAdmin => AgencyKind::Community,
        Role::Oversight => AgencyKind::CivilRights,
        Role::Bureau => AgencyKind::Bureau,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The viewer's agency serves the participant, the viewer referred them,
    /// and the viewer's office owns the hold.
    Own,
    /// Another agency, officer and office.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoiState {
    None,
    /// In force, naming every category (with Part 2 elements) for the
    /// viewer's organisation.
    Granted,
    /// In force, but naming another organisation.
    GrantedToOther,
    Expired,
    Revoked,
}

const ROI_STATES: [RoiState; 5] = [
    RoiState::None,
    RoiState::Granted,
    RoiState::GrantedToOther,
    RoiState::Expired,
    RoiState::Revoked,
];

fn all_categories_form(agency: AgencyId) -> ReleaseForm {
    let all: Vec<&str> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
    let mut f = form(&agency.to_string(), &all);
    f.part2 = Some(part2());
    f
}

fn releases(state: RoiState) -> Vec<Release> {
    let today = now().today();
    match state {
        RoiState::None => vec![],
        RoiState::Granted => {
            vec![Release::parse(&all_categories_form(own_agency()), today).unwrap()]
        }
        RoiState::GrantedToOther => {
            vec![Release::parse(&all_categories_form(other_agency()), today).unwrap()]
        }
        RoiState::Expired => {
            let mut f = all_categories_form(own_agency());
            f.effective_on = Some("2025-01-01".into());
            f.expires_on = "2026-12-09".into();
            vec![Release::parse(&f, date!(2025 - 01 - 01)).unwrap()]
        }
        RoiState::Revoked => {
            let mut r =
                Release::parse(&all_categories_form(own_agency()), date!(2026 - 11 - 01)).unwrap();
            r.revoke(datetime!(2026-12-10 17:59 UTC)).unwrap();
            vec![r]
        }
    }
}

fn subject(relation: Relation) -> Subject {
    match relation {
        Relation::Own => Subject {
            site: site(),
            case_management_agency: Some(own_agency()),
            referred_by: Some(viewer_user()),
            hold_office: Some(own_agency()),
            research_use_allowed: true,
        },
        Relation::Other => Subject {
            site: site(),
            case_management_agency: Some(other_agency()),
            referred_by: Some(other_user()),
            hold_office: Some(other_agency()),
            research_use_allowed: true,
        },
    }
}

/// One letter per category, in `DataCategory::ALL` order:
/// I identity, D demographics, E enrollment, H hold, G engagement, P plan,
/// N notes, M mental health (`health`), S sud, J justice.
fn letter(c: DataCategory) -> char {
    match c {
        C::Identity => 'I',
        C::Demographics => 'D',
        C::Enrollment => 'E',
        C::Hold => 'H',
        C::Engagement => 'G',
        C::Plan => 'P',
        C::Notes => 'N',
        C::Health => 'M',
        C::Sud => 'S',
        C::Justice => 'J',
    }
}

const ALL: &str = "IDEHGPNMSJ";

/// The expected matrix: for each role and relation, the categories allowed
/// under each release state (none, granted, granted to another
/// organisation, expired, revoked). Written out from DESIGN.md §3.
#[rustfmt::skip]
const EXPECTED: &[(Role, Relation, [&str; 5])] = &[
    // role                     relation          none      granted   to other  expired   revoked
    (Role::CaseManager,       Relation::Own,   [ALL,      ALL,      ALL,      ALL,      ALL     ]),
    (Role::CaseManager,       Relation::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Supervisor,        Relation::Own,   [ALL,      ALL,      ALL,      ALL,      ALL     ]),
    (Role::Supervisor,        Relation::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Officer,           Relation::Own,   ["H",      "EHG",    "H",      "H",      "H"     ]),
    (Role::Officer,           Relation::Other, ["",       "EG",     "",       "",       ""      ]),
    (Role::Prosecutor,        Relation::Own,   ["H",      "EHGP",   "H",      "H",      "H"     ]),
    (Role::Prosecutor,        Relation::Other, ["",       "EGP",    "",       "",       ""      ]),
    (Role::Partner,           Relation::Own,   ["",       ALL,      "",       "",       ""      ]),
    (Role::Partner,           Relation::Other, ["",       ALL,      "",       "",       ""      ]),
    (Role::CommunityReferrer, Relation::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::CommunityReferrer, Relation::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Oversight,         Relation::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::Oversight,         Relation::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Evaluator,         Relation::Own,   ["DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ"]),
    (Role::Evaluator,         Relation::Other, ["DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ"]),
    (Role::SiteAdmin,         Relation::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::SiteAdmin,         Relation::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Bureau,            Relation::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::Bureau,            Relation::Other, ["",       "",       "",       "",       ""      ]),
];

#[test]
fn every_role_category_release_state_and_relation() {
    // The matrix covers every role, both relations, once each.
    for role in Role::ALL {
        for relation in [Relation::Own, Relation::Other] {
            let rows = EXPECTED
                .iter()
                .filter(|(r, rel, _)| r == role && *rel == relation)
                .count();
            assert_eq!(rows, 1, "{role} {relation:?}");
        }
    }

    let mut cells = 0;
    let mut allowed_cells = 0;
    let mut mismatches = Vec::new();
    for (role, relation, row) in EXPECTED {
        for (state, expected) in ROI_STATES.iter().zip(row) {
            let roles = [*role];
            let viewer = Viewer {
                user: viewer_user(),
                roles: &roles,
                agency: own_agency(),
                agency_kind: agency_kind(*role),
                site: site(),
            };
            let subject = subject(*relation);
            let releases = releases(*state);
            let assessment = assess(&viewer, &subject, &releases, now());
            for category in DataCategory::ALL {
                cells += 1;
                let want = expected.contains(letter(*category));
                let got = decide(&viewer, &subject, &releases, *category, now());
                assert_eq!(got, assessment.decision(*category));
                if let Some(d) = got.disclosure() {
                    allowed_cells += 1;
                    assert_eq!(d.redisclosure_notice.is_some(), *category == C::Sud);
                }
                let answer = assessment.answer(*category);
                match (got, expected.is_empty()) {
                    (Decision::Allowed(_), _) => assert!(matches!(answer, Answer::Allowed(_))),
                    (Decision::Denied { .. }, true) => {
                        assert!(matches!(answer, Answer::NotFound(_)))
                    }
                    (Decision::Denied { .. }, false) => {
                        assert!(matches!(answer, Answer::Forbidden(_)))
                    }
                }
                if got.is_allowed() != want {
                    mismatches.push(format!(
                        "{role} {relation:?} {state:?} {category}: expected {}, got {got:?}",
                        if want { "allowed" } else { "denied" }
                    ));
                }
            }
            assert_eq!(
                assessment.may_know_exists(),
                !expected.is_empty(),
                "{role} {relation:?} {state:?}"
            );
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(cells, 10 * 10 * 5 * 2);
    // Case managers and supervisors: 2 roles × 5 states × 10 categories;
    // officers 7 + 2; prosecutors 8 + 3; partners 2 × 10; evaluators 2 × 5 × 6.
    assert_eq!(allowed_cells, 2 * 5 * 10 + 9 + 11 + 20 + 60);
}

fn viewer_of(roles: &[Role], kind: AgencyKind) -> Viewer<'_> {
    Viewer {
        user: viewer_user(),
        roles,
        agency: own_agency(),
        agency_kind: kind,
        site: site(),
    }
}

#[test]
fn extents_and_notices() {
    let rel = releases(RoiState::Granted);
    let s = subject(Relation::Own);
    let prosecutor = [Role::Prosecutor];
    let v = viewer_of(&prosecutor, AgencyKind::Prosecutor);
    let plan = decide(&v, &s, &rel, C::Plan, now()).disclosure().unwrap();
    assert_eq!(plan.extent, Extent::Summary);
    assert_eq!(plan.basis, Basis::Release);
    let hold = decide(&v, &s, &rel, C::Hold, now()).disclosure().unwrap();
    assert_eq!((hold.extent, hold.basis), (Extent::Full, Basis::Baseline));

    let evaluator = [Role::Evaluator];
    let v = viewer_of(&evaluator, AgencyKind::Community);
    let d = decide(&v, &s, &rel, C::Demographics, now());
    assert_eq!(d.disclosure().unwrap().extent, Extent::LimitedDataSet);

    // Every disclosed sud item carries the notice, and nothing else does.
    for roles in [[Role::CaseManager], [Role::Partner]] {
        let v = viewer_of(&roles, AgencyKind::CaseManagement);
        for c in DataCategory::ALL {
            let d = decide(&v, &s, &rel, *c, now()).disclosure().unwrap();
            assert_eq!(d.redisclosure_notice.is_some(), *c == C::Sud, "{c}");
        }
    }
    assert!(REDISCLOSURE_NOTICE.contains("42 CFR part 2"));
}

#[test]
fn denial_reasons_say_why() {
    let s = subject(Relation::Own);
    let partner = [Role::Partner];
    let v = viewer_of(&partner, AgencyKind::Housing);
    let reason = |state, c| decide(&v, &s, &releases(state), c, now()).denial();
    assert_eq!(reason(RoiState::None, C::Plan), Some(Denial::NoRelease));
    assert_eq!(reason(RoiState::None, C::Sud), Some(Denial::NoPart2Consent));
    assert_eq!(
        reason(RoiState::Expired, C::Plan),
        Some(Denial::ReleaseExpired)
    );
    assert_eq!(
        reason(RoiState::Revoked, C::Sud),
        Some(Denial::ReleaseRevoked)
    );

    let officer = [Role::Officer];
    let v = viewer_of(&officer, AgencyKind::Police);
    let granted = releases(RoiState::Granted);
    for c in ENFORCEMENT_NEVER {
        assert_eq!(
            decide(&v, &s, &granted, *c, now()).denial(),
            Some(Denial::EnforcementNever)
        );
    }
    assert_eq!(
        decide(&v, &s, &granted, C::Identity, now()).denial(),
        Some(Denial::BeyondRole)
    );

    let oversight = [Role::Oversight];
    let v = viewer_of(&oversight, AgencyKind::CivilRights);
    assert_eq!(
        decide(&v, &s, &granted, C::Enrollment, now()).denial(),
        Some(Denial::AggregatesOnly)
    );
    let none: [Role; 0] = [];
    let v = viewer_of(&none, AgencyKind::CaseManagement);
    assert_eq!(
        decide(&v, &s, &granted, C::Enrollment, now()).denial(),
        Some(Denial::NoRole)
    );
}

#[test]
fn part2_sud_outside_the_agency_needs_explicit_consent() {
    let s = subject(Relation::Other);
    let partner = [Role::Partner];
    let v = viewer_of(&partner, AgencyKind::Health);
    let today = now().today();
    // A release naming health but not sud: sud stays closed.
    let r = Release::parse(&form(&own_agency().to_string(), &["health", "plan"]), today).unwrap();
    let d = decide(&v, &s, std::slice::from_ref(&r), C::Sud, now());
    assert_eq!(d.denial(), Some(Denial::NoPart2Consent));
    assert!(decide(&v, &s, &[r], C::Health, now()).is_allowed());
    // sud for another recipient gives this one nothing.
    let mut f = form(&other_agency().to_string(), &["sud"]);
    f.part2 = Some(part2());
    let r = Release::parse(&f, today).unwrap();
    assert!(!decide(&v, &s, &[r], C::Sud, now()).is_allowed());
    // Listing sud for the recipient, with the Part 2 elements, is consent.
    let mut f = form(&own_agency().to_string(), &["sud"]);
    f.part2 = Some(part2());
    let r = Release::parse(&f, today).unwrap();
    let d = decide(&v, &s, &[r], C::Sud, now()).disclosure().unwrap();
    assert_eq!(d.redisclosure_notice, Some(REDISCLOSURE_NOTICE));
}

#[test]
fn the_case_management_agency_sees_sud_with_the_notice_without_a_release() {
    let cm = [Role::CaseManager];
    let v = viewer_of(&cm, AgencyKind::CaseManagement);
    let d = decide(&v, &subject(Relation::Own), &[], C::Sud, now());
    assert_eq!(
        d.disclosure().unwrap().redisclosure_notice,
        Some(REDISCLOSURE_NOTICE)
    );
}

#[test]
fn enforcement_agencies_never_see_clinical_data_under_any_role() {
    // A user of the police department set up as "partner" is still
    // enforcement: a release naming notes for the department gives nothing.
    let partner = [Role::Partner];
    let v = viewer_of(&partner, AgencyKind::Police);
    let rel = releases(RoiState::Granted);
    let s = subject(Relation::Own);
    for c in ENFORCEMENT_NEVER {
        assert_eq!(
            decide(&v, &s, &rel, *c, now()).denial(),
            Some(Denial::EnforcementNever)
        );
    }
    // And an officer who also holds a case-manager role still does not.
    let both = [Role::CaseManager, Role::Officer];
    let v = viewer_of(&both, AgencyKind::CaseManagement);
    assert_eq!(
        decide(&v, &s, &rel, C::Notes, now()).denial(),
        Some(Denial::EnforcementNever)
    );
    assert!(decide(&v, &s, &rel, C::Identity, now()).is_allowed());
}

#[test]
fn the_tables_keep_enforcement_caps_free_of_clinical_categories() {
    for rule in RULES {
        if ENFORCEMENT_ROLES.contains(&rule.role) {
            if let ReleaseCap::AtMost(cap) = rule.release_may_add {
                assert!(cap.iter().all(|(c, _)| !ENFORCEMENT_NEVER.contains(c)));
            } else {
                panic!("{} must have a bounded release cap", rule.role);
            }
        }
    }
    for role in Role::ALL {
        assert_eq!(
            RULES.iter().filter(|r| r.role == *role).count(),
            1,
            "{role}"
        );
    }
}

#[test]
fn several_roles_take_the_most_generous_answer() {
    let roles = [Role::Evaluator, Role::Partner];
    let v = viewer_of(&roles, AgencyKind::Health);
    let s = subject(Relation::Other);
    let d = decide(&v, &s, &releases(RoiState::Granted), C::Plan, now());
    assert_eq!(d.disclosure().unwrap().extent, Extent::Full);
    let d = decide(&v, &s, &[], C::Plan, now());
    assert_eq!(d.disclosure().unwrap().extent, Extent::LimitedDataSet);
}

#[test]
fn evaluators_see_nothing_without_research_use() {
    let ev = [Role::Evaluator];
    let v = viewer_of(&ev, AgencyKind::Community);
    let s = Subject {
        research_use_allowed: false,
        ..subject(Relation::Own)
    };
    let a = assess(&v, &s, &releases(RoiState::Granted), now());
    assert!(!a.may_know_exists());
    assert_eq!(
        a.decision(C::Demographics).denial(),
        Some(Denial::ResearchUseNotAllowed)
    );
}

#[test]
fn another_sites_participant_is_invisible() {
    let cm = [Role::CaseManager];
    let v = Viewer {
        site: SiteId::from_uuid(uuid(99)),
        ..viewer_of(&cm, AgencyKind::CaseManagement)
    };
    let a = assess(&v, &subject(Relation::Own), &[], now());
    assert!(!a.may_know_exists());
    assert_eq!(a.decision(C::Identity).denial(), Some(Denial::OtherSite));
}

#[test]
fn expiry_and_revocation_take_effect_at_once() {
    let tz = SiteTimeZone::parse("America/Los_Angeles").unwrap();
    let officer = [Role::Officer];
    let v = viewer_of(&officer, AgencyKind::Police);
    let s = subject(Relation::Other);
    let mut f = form(&own_agency().to_string(), &["enrollment"]);
    f.expires_on = "2026-12-31".into();
    let mut r = Release::parse(&f, date!(2026 - 12 - 01)).unwrap();
    let see = |r: &Release, at| decide(&v, &s, std::slice::from_ref(r), C::Enrollment, tz.at(at));
    // In force through 23:59 local on the last day, closed at midnight.
    assert!(see(&r, datetime!(2027-01-01 07:59 UTC)).is_allowed());
    assert_eq!(
        see(&r, datetime!(2027-01-01 08:00 UTC)).denial(),
        Some(Denial::ReleaseExpired)
    );
    // Revoked at 12:00:00: allowed a second before, denied from then on.
    r.revoke(datetime!(2026-12-15 12:00 UTC)).unwrap();
    assert!(see(&r, datetime!(2026-12-15 11:59:59 UTC)).is_allowed());
    assert_eq!(
        see(&r, datetime!(2026-12-15 12:00 UTC)).denial(),
        Some(Denial::ReleaseRevoked)
    );
}

#[test]
fn a_later_release_restores_what_a_revoked_one_gave() {
    let partner = [Role::Partner];
    let v = viewer_of(&partner, AgencyKind::Housing);
    let s = subject(Relation::Other);
    let mut rel = releases(RoiState::Revoked);
    assert!(!decide(&v, &s, &rel, C::Plan, now()).is_allowed());
    rel.push(
        Release::parse(
            &ReleaseForm {
                recipients: vec![RecipientForm {
                    agency_id: own_agency().to_string(),
                    categories: vec!["plan".into()],
                }],
                ..form(&own_agency().to_string(), &["plan"])
            },
            now().today(),
        )
        .unwrap(),
    );
    assert!(decide(&v, &s, &rel, C::Plan, now()).is_allowed());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    prop_compose! {
        fn any_release()(
            to_own in any::<bool>(),
            cats in proptest::collection::btree_set(proptest::sample::select(DataCategory::ALL), 1..5),
            start in -400i64..20,
            length in 1i64..400,
            revoked in proptest::option::of(-30i64..30),
        ) -> Release {
            let agency = if to_own { own_agency() } else { other_agency() };
            let names: Vec<&str> = cats.iter().map(|c| c.as_str()).collect();
            let mut f = form(&agency.to_string(), &names);
            let today = now().today();
            let effective = today + time::Duration::days(start);
            f.effective_on = Some(effective.to_string());
            f.expires_on = (effective + time::Duration::days(length)).to_string();
            f.part2 = Some(part2());
            let mut r = Release::parse(&f, effective).unwrap();
            if let Some(d) = revoked {
                r.revoke(now().instant() + time::Duration::days(d)).unwrap();
            }
            r
        }
    }

    prop_compose! {
        fn any_viewer_facts()(
            roles in proptest::collection::vec(proptest::sample::select(Role::ALL), 0..3),
            kind in proptest::sample::select(AgencyKind::ALL),
            served in any::<bool>(),
            referred in any::<bool>(),
            office in any::<bool>(),
            research in any::<bool>(),
        ) -> (Vec<Role>, AgencyKind, Subject) {
            let pick = |own: bool| if own { own_agency() } else { other_agency() };
            (roles, kind, Subject {
                site: site(),
                case_management_agency: Some(pick(served)),
                referred_by: Some(if referred { viewer_user() } else { other_user() }),
                hold_office: Some(pick(office)),
                research_use_allowed: research,
            })
        }
    }

    proptest! {
        #[test]
        fn the_golden_rule_and_part2_hold_for_any_facts(
            (roles, kind, subject) in any_viewer_facts(),
            releases in proptest::collection::vec(any_release(), 0..4),
        ) {
            let viewer = Viewer { user: viewer_user(), roles: &roles, agency: own_agency(),
                                  agency_kind: kind, site: site() };
            let a = assess(&viewer, &subject, &releases, now());
            for (c, d) in a.allowed() {
                // Enforcement never sees clinical categories.
                prop_assert!(!(viewer.is_enforcement() && ENFORCEMENT_NEVER.contains(&c)));
                // Every sud item carries the notice, and sud outside the
                // serving agency rests on explicit consent in force.
                prop_assert_eq!(d.redisclosure_notice.is_some(), c == C::Sud);
                if c == C::Sud && subject.case_management_agency != Some(own_agency()) {
                    prop_assert!(releases.iter().any(|r| r.grants(own_agency(), C::Sud, now())
                        && r.part2().is_some()));
                }
                // Aggregate-only and administrative roles add nothing.
                prop_assert!(roles.iter().any(|r| !matches!(r,
                    Role::Oversight | Role::Bureau | Role::SiteAdmin | Role::CommunityReferrer)));
            }
            // A revoked or expired release never adds anything.
            let in_force: Vec<Release> = releases
                .iter()
                .filter(|r| r.status(now()) == ReleaseStatus::InForce)
                .cloned()
                .collect();
            prop_assert_eq!(assess(&viewer, &subject, &in_force, now()).allowed().count(),
                            a.allowed().count());
        }
    }
}
