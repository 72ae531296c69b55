//! The referral rule walked cell by cell: every role × kind of organisation
//! × designation × (referrer or not) × status × serving agency (none, the
//! viewer's, another) × site, against the answer written out below.

use handoff_domain::disclosure::Viewer;
use handoff_domain::disclosure::referral::*;
use handoff_domain::handoff::ReferralStatus;
use handoff_domain::{AgencyId, AgencyKind, Role, SiteId, UserId};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serving {
    Nobody,
    Theirs,
    Another,
}

/// The expected standing, written independently of the table.
fn expected(
    role: Role,
    kind: AgencyKind,
    designated: bool,
    referrer: bool,
    status: ReferralStatus,
    serving: Serving,
) -> Option<ReferralStanding> {
    let case_management = matches!(role, Role::CaseManager | Role::Supervisor)
        && kind == AgencyKind::CaseManagement
        && serving != Serving::Another;
    let approver =
        designated && kind == AgencyKind::Police && status == ReferralStatus::AwaitingApproval;
    if case_management {
        Some(ReferralStanding::CaseManagement)
    } else if referrer {
        Some(ReferralStanding::Referrer)
    } else if approver {
        Some(ReferralStanding::Approver)
    } else {
        None
    }
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn every_standing_status_and_agency_relation() {
    let (site, other_site) = (SiteId::from_uuid(id(1)), SiteId::from_uuid(id(2)));
    let (mine, theirs) = (AgencyId::from_uuid(id(3)), AgencyId::from_uuid(id(4)));
    let (me, someone) = (UserId::from_uuid(id(5)), UserId::from_uuid(id(6)));
    let (mut cells, mut seen) = (0, std::collections::HashSet::new());
    for &role in Role::ALL {
        for &kind in AgencyKind::ALL {
            for designated in [false, true] {
                for referrer in [false, true] {
                    for &status in ReferralStatus::ALL {
                        for serving in [Serving::Nobody, Serving::Theirs, Serving::Another] {
                            let roles = [role];
                            let viewer = Viewer {
                                user: me,
                                roles: &roles,
                                agency: mine,
                                agency_kind: kind,
                                site,
                            };
                            let subject = ReferralSubject {
                                site,
                                referred_by: if referrer { me } else { someone },
                                status,
                                case_agency: match serving {
                                    Serving::Nobody => None,
                                    Serving::Theirs => Some(mine),
                                    Serving::Another => Some(theirs),
                                },
                            };
                            let want = expected(role, kind, designated, referrer, status, serving);
                            assert_eq!(
                                standing(&viewer, designated, &subject),
                                want,
                                "{role:?} at {kind:?}, designated {designated}, referrer {referrer}, {status:?}, {serving:?}"
                            );
                            seen.insert(want);
                            // Another site's referral is nobody's business here.
                            let elsewhere = ReferralSubject {
                                site: other_site,
                                ..subject
                            };
                            assert_eq!(standing(&viewer, designated, &elsewhere), None);
                            cells += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        cells,
        Role::ALL.len() * AgencyKind::ALL.len() * 2 * 2 * ReferralStatus::ALL.len() * 3
    );
    // Every standing (and none) occurs somewhere in the walk.
    assert_eq!(seen.len(), 4);
}

#[test]
fn after_acceptance_only_the_serving_agency_sees_the_person() {
    let roles = [Role::CaseManager];
    let serving = AgencyId::from_uuid(id(3));
    let other = AgencyId::from_uuid(id(4));
    let site = SiteId::from_uuid(id(1));
    let viewer = |agency| Viewer {
        user: UserId::from_uuid(id(7)),
        roles: &roles,
        agency,
        agency_kind: AgencyKind::CaseManagement,
        site,
    };
    let mut subject = ReferralSubject {
        site,
        referred_by: UserId::from_uuid(id(8)),
        status: ReferralStatus::AwaitingHandoff,
        case_agency: None,
    };
    assert!(standing(&viewer(other), false, &subject).is_some());
    subject.status = ReferralStatus::Accepted;
    subject.case_agency = Some(serving);
    assert_eq!(
        standing(&viewer(serving), false, &subject),
        Some(ReferralStanding::CaseManagement)
    );
    assert_eq!(standing(&viewer(other), false, &subject), None);
}
