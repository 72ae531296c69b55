//! The rules table walked cell by cell: every action × every role × every
//! kind of organisation (× designated or not) against the expected answer
//! written out below, so a change to the table shows up here as a diff.

use handoff_domain::rules::*;
use handoff_domain::{AgencyKind, Role};

/// The expected answer for one cell, written independently of the table.
fn expected(action: Action, role: Role, kind: AgencyKind, designated: bool) -> bool {
    use Action as A;
    use AgencyKind as K;
    use Role as R;
    match action {
        A::ReferByOfficer => role == R::Officer && kind == K::Police,
        A::ReferByCommunity => {
            role == R::CommunityReferrer
                || (matches!(role, R::CaseManager | R::Supervisor) && kind == K::CaseManagement)
        }
        A::ApproveAsProjectManagement => {
            role == R::Supervisor && matches!(kind, K::CaseManagement | K::ProgramOffice)
        }
        A::ApproveAsPolice => designated && kind == K::Police,
        A::RespondToHandoff | A::Casework => {
            matches!(role, R::CaseManager | R::Supervisor) && kind == K::CaseManagement
        }
        A::AcceptHandoff | A::GoOnCall => role == R::CaseManager && kind == K::CaseManagement,
        A::SuperviseCaseloads => role == R::Supervisor && kind == K::CaseManagement,
        A::SeeHandoffStats => {
            (role == R::Supervisor && kind == K::CaseManagement) || role == R::SiteAdmin
        }
        A::KeepRoster | A::ConveneOwg => matches!(role, R::Supervisor | R::SiteAdmin),
        A::RunHoldSweep | A::CorrectAnyContact => role == R::Supervisor,
        A::SeeHoldQueue => {
            (role == R::Prosecutor && kind == K::Prosecutor) || role == R::Supervisor
        }
        A::DecideHold | A::CoordinateAsProsecutor => role == R::Prosecutor && kind == K::Prosecutor,
        A::WriteMinutes => matches!(role, R::Supervisor | R::CaseManager | R::Partner),
        // The OWG is the operational partners: police, prosecutors, case
        // management and partner agencies — never evaluation, oversight,
        // the bureau or administration.
        A::AttendOwg => matches!(
            role,
            R::Officer | R::Prosecutor | R::CaseManager | R::Supervisor | R::Partner
        ),
        A::Administer | A::ManageTokens | A::ImportJusticeData => role == R::SiteAdmin,
        A::SeeOversight => matches!(
            role,
            R::Oversight | R::Bureau | R::SiteAdmin | R::Supervisor
        ),
        A::SeeEvaluation => matches!(role, R::SiteAdmin | R::Evaluator | R::Bureau),
        A::SeeEquity => role == R::Oversight,
        A::ExportEvaluation => role == R::Evaluator,
        A::LookUpParticipation => role == R::Officer && kind == K::Police,
        A::SeeSharedWithUs => role == R::Partner,
        A::LogEligibleArrest => role == R::Officer && kind == K::Police,
        A::KeepProgramRecords => role == R::SiteAdmin,
        A::RunEvaluation => matches!(role, R::Evaluator | R::SiteAdmin),
        A::SeePcgReport => matches!(role, R::SiteAdmin | R::Supervisor | R::Bureau),
        A::SeeNetworkFigures | A::ManageNetwork => role == R::Bureau && kind == K::Bureau,
        A::SeeScorecard => (role == R::Bureau && kind == K::Bureau) || role == R::Supervisor,
    }
}

#[test]
fn every_cell_of_the_table_is_as_expected() {
    let mut cells = 0;
    let mut allowed = 0;
    for &action in Action::ALL {
        for &role in Role::ALL {
            for &kind in AgencyKind::ALL {
                for designated in [false, true] {
                    let roles = [role];
                    let actor = Actor {
                        roles: &roles,
                        agency_kind: kind,
                        designated_approver: designated,
                    };
                    let got = may(&actor, action);
                    assert_eq!(
                        got,
                        expected(action, role, kind, designated),
                        "{action} by {role} at {kind} (designated: {designated})"
                    );
                    cells += 1;
                    allowed += usize::from(got);
                }
            }
        }
    }
    assert_eq!(
        cells,
        Action::ALL.len() * Role::ALL.len() * AgencyKind::ALL.len() * 2
    );
    assert!(allowed > 0);
}

#[test]
fn every_action_has_a_rule() {
    for &action in Action::ALL {
        assert!(!who(action).is_empty(), "{action} has no rule");
    }
}

#[test]
fn a_site_admin_may_not_work_cases_or_write_minutes() {
    let roles = [Role::SiteAdmin];
    let admin = Actor {
        roles: &roles,
        agency_kind: AgencyKind::ProgramOffice,
        designated_approver: false,
    };
    for action in [
        Action::Casework,
        Action::RespondToHandoff,
        Action::WriteMinutes,
        Action::DecideHold,
    ] {
        assert!(!may(&admin, action), "{action}");
    }
    assert!(may(&admin, Action::ImportJusticeData));
}

#[test]
fn several_roles_combine() {
    let roles = [Role::Evaluator, Role::Oversight];
    let a = Actor {
        roles: &roles,
        agency_kind: AgencyKind::Research,
        designated_approver: false,
    };
    assert!(may(&a, Action::SeeEquity) && may(&a, Action::ExportEvaluation));
    assert!(!may(&a, Action::Administer));
}
