//! What an organisation of each kind could ever receive under a release:
//! every agency kind × every category, against a table written out by hand
//! from DESIGN.md §3, and checked against the engine itself ([`decide`]
//! with a release in force naming every category for the organisation).

#[allow(unused_imports)]
use crate::prelude::*;
use crate::release::{form, part2};
use handoff_domain::disclosure::*;
use handoff_domain::site_time::SiteTimeZone;
use time::macros::datetime;
use uuid::Uuid;

/// One letter per category, in `DataCategory::ALL` order:
/// I identity, D demographics, E enrollment, H hold, G engagement, P plan,
/// N notes, M mental health (`health`), S sud, J justice.
#[rustfmt::skip]
const EXPECTED: &[(AgencyKind, &str)] = &[
    // Officers: enrollment and engagement; never notes, health or sud.
    (AgencyKind::Police,         "EG"),
    // Prosecutors: enrollment, engagement and a plan summary.
    (AgencyKind::Prosecutor,     "EGP"),
    // Case managers see their own agency's participants; a release adds nothing.
    (AgencyKind::CaseManagement, ""),
    // Partners: whatever the release names.
    (AgencyKind::Defender,       "IDEHGPNMSJ"),
    (AgencyKind::Housing,        "IDEHGPNMSJ"),
    (AgencyKind::Health,         "IDEHGPNMSJ"),
    // Oversight and the bureau: aggregates only.
    (AgencyKind::CivilRights,    ""),
    (AgencyKind::Bureau,         ""),
    // Community referrers: whether their referral was accepted, no more.
    (AgencyKind::Community,      ""),
    // Evaluators: the limited data set where research use is allowed, never by release.
    (AgencyKind::Research,       ""),
    // Supervisors and site administrators of the program office.
    (AgencyKind::ProgramOffice,  ""),
];

fn letter(c: DataCategory) -> char {
    b"IDEHGPNMSJ"[DataCategory::ALL.iter().position(|x| *x == c).unwrap()] as char
}

#[test]
fn every_agency_kind_and_category() {
    assert_eq!(EXPECTED.len(), AgencyKind::ALL.len());
    let mut mismatches = Vec::new();
    for kind in AgencyKind::ALL {
        let (_, expected) = EXPECTED.iter().find(|(k, _)| k == kind).unwrap();
        let got = release_may_give(*kind);
        for c in DataCategory::ALL {
            if got.contains(c) != expected.contains(letter(*c)) {
                mismatches.push(format!(
                    "{kind} × {c}: expected {}",
                    expected.contains(letter(*c))
                ));
            }
        }
        // In DataCategory::ALL order, no repeats.
        let mut sorted = got.clone();
        sorted.sort_by_key(|c| DataCategory::ALL.iter().position(|x| x == c));
        sorted.dedup();
        assert_eq!(got, sorted, "{kind}");
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn enforcement_is_never_offered_notes_health_or_sud() {
    for kind in ENFORCEMENT_AGENCIES {
        for c in ENFORCEMENT_NEVER {
            assert!(!release_may_give(*kind).contains(c), "{kind} × {c}");
        }
    }
}

/// The function agrees with the engine: a category is offered to a kind
/// exactly when some role of that kind would be given it by a release in
/// force naming it for the organisation (with the Part 2 elements), for a
/// participant the viewer has no other tie to.
#[test]
fn agrees_with_the_engine() {
    let site = SiteId::from_uuid(Uuid::from_u128(1));
    let agency = AgencyId::from_uuid(Uuid::from_u128(2));
    let now = SiteTimeZone::parse("America/Los_Angeles")
        .unwrap()
        .at(datetime!(2026-12-10 18:00 UTC));
    let all: Vec<&str> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
    let mut f = form(&agency.to_string(), &all);
    f.part2 = Some(part2());
    let release = Release::parse(&f, now.today()).unwrap();
    // No baseline tie: another agency serves them, someone else referred
    // them, another office holds the case, no research use.
    let subject = Subject {
        site,
        case_management_agency: Some(AgencyId::from_uuid(Uuid::from_u128(3))),
        referred_by: Some(UserId::from_uuid(Uuid::from_u128(4))),
        hold_office: Some(AgencyId::from_uuid(Uuid::from_u128(3))),
        research_use_allowed: false,
    };
    for kind in AgencyKind::ALL {
        for c in DataCategory::ALL {
            let by_engine = kind.roles().iter().any(|role| {
                let roles = [*role];
                let viewer = Viewer {
                    user: UserId::from_uuid(Uuid::from_u128(5)),
                    roles: &roles,
                    agency,
                    agency_kind: *kind,
                    site,
                };
                let with = decide(&viewer, &subject, std::slice::from_ref(&release), *c, now);
                let without = decide(&viewer, &subject, &[], *c, now);
                with.disclosure().is_some_and(|d| d.basis == Basis::Release)
                    && !without.is_allowed()
            });
            assert_eq!(
                release_may_give(*kind).contains(c),
                by_engine,
                "{kind} × {c}"
            );
        }
    }
}
