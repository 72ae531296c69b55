//! Who may do what: every rule of the site that is not disclosure, in one
//! table. Disclosure (who may *see* which category of a participant) is
//! [`crate::disclosure`]; this table says who may *act* — refer, approve,
//! accept a hand-off, work a case, decide a hold, convene the OWG, keep
//! minutes, administer, import justice data, run oversight figures.
//!
//! A rule names the roles and the kinds of organisation that may take an
//! action. Roles and organisations are compared as values, never by name.
//! Rules that also depend on the record at hand (the serving agency, the
//! meeting's attendees, the participant's release) are decided by the
//! caller *after* this table allows the action at all; those further checks
//! are listed beside each action.

use crate::{AgencyKind, Role};

crate::org::string_enum! {
    /// Something a signed-in person may do.
    Action {
        /// File a referral through the arrest-diversion or social-contact door.
        ReferByOfficer = "refer_by_officer",
        /// File a referral through the community door.
        ReferByCommunity = "refer_by_community",
        /// Approve referrals where the policy asks project management.
        ApproveAsProjectManagement = "approve_as_project_management",
        /// Approve referrals where the policy asks designated police staff.
        ApproveAsPolice = "approve_as_police",
        /// See the hand-off inbox, arrive, triage, run intake and take a
        /// release (further: before acceptance any case-management agency
        /// of the site; after it only the serving agency).
        RespondToHandoff = "respond_to_handoff",
        /// Accept a hand-off (become the case manager).
        AcceptHandoff = "accept_handoff",
        /// Casework on the serving agency's participants: contacts, goals,
        /// status, search, caseloads, clerical review (further: the
        /// participant's serving agency only).
        Casework = "casework",
        /// Correct a contact another wrote (authors correct their own under casework; further: the serving agency).
        CorrectAnyContact = "correct_any_contact",
        /// See the whole team's caseload, assign and reassign.
        SuperviseCaseloads = "supervise_caseloads",
        /// See hand-off statistics.
        SeeHandoffStats = "see_handoff_stats",
        /// Keep the on-call roster.
        KeepRoster = "keep_roster",
        /// Be put on the on-call roster for hand-offs.
        GoOnCall = "go_on_call",
        /// Run the hold sweep by hand (ended holds are swept on schedule
        /// anyway).
        RunHoldSweep = "run_hold_sweep",
        /// See the prosecutor's hold queue.
        SeeHoldQueue = "see_hold_queue",
        /// Decide a hold (further: the office that holds the case).
        DecideHold = "decide_hold",
        /// Take part in prosecutorial coordination as the prosecutor.
        CoordinateAsProsecutor = "coordinate_as_prosecutor",
        /// Convene OWG meetings and build their agendas.
        ConveneOwg = "convene_owg",
        /// Attend OWG meetings (the convener invites only these).
        AttendOwg = "attend_owg",
        /// Write an OWG item's minutes (further: the convener, or an
        /// attendee whose organisation may see the item's participant
        /// under `notes`).
        WriteMinutes = "write_minutes",
        /// Administer the site: users, agencies, policy, webhooks.
        Administer = "administer",
        /// Mint and revoke integration tokens.
        ManageTokens = "manage_tokens",
        /// Import justice data and post to the jail feed.
        ImportJusticeData = "import_justice_data",
        /// See the de-identified oversight figures.
        SeeOversight = "see_oversight",
        /// See the whole evaluation report.
        SeeEvaluation = "see_evaluation",
        /// See the evaluation's equity section only.
        SeeEquity = "see_equity",
        /// Take the evaluation dataset (further: the site allows research use).
        ExportEvaluation = "export_evaluation",
        /// Look up by name and date of birth whether someone is a LEAD
        /// participant (further: answered only where the person's release
        /// discloses `enrollment` to the caller's organisation).
        LookUpParticipation = "look_up_participation",
        /// See the participants whose current release names the caller's
        /// organisation (further: each row as the release allows).
        SeeSharedWithUs = "see_shared_with_us",
        /// Log an eligible arrest that was booked, not diverted.
        LogEligibleArrest = "log_eligible_arrest",
        /// Record the PCG's shift schedule and programme costs.
        KeepProgramRecords = "keep_program_records",
        /// Run the evaluation in Handoff (further: research use allowed).
        RunEvaluation = "run_evaluation",
        /// See the PCG and funders' report (suppressed unless case management).
        SeePcgReport = "see_pcg_report",
        /// See the network's sites and cross-site figures (further: staff
        /// of the site's network, aggregates only).
        SeeNetworkFigures = "see_network_figures",
        /// See a site's fidelity scorecard (further: network staff any site
        /// of their network; a supervisor only the site they act in).
        SeeScorecard = "see_scorecard",
        /// Start sites from a template and change the scorecard targets
        /// (further: staff of that network).
        ManageNetwork = "manage_network",
    }
}

/// Who a rule lets act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A person holding this role, in an organisation of this kind.
    RoleAt(Role, AgencyKind),
    /// A person holding this role, whatever their organisation.
    Role(Role),
    /// Staff designated as approvers, in an organisation of this kind.
    DesignatedAt(AgencyKind),
}

use AgencyKind as K;
use Role as R;
use Who::{DesignatedAt, Role as AnyOrg, RoleAt};

/// The table. An action missing here is allowed to no one.
pub const RULES: &[(Action, &[Who])] = &[
    (Action::ReferByOfficer, &[RoleAt(R::Officer, K::Police)]),
    (
        Action::ReferByCommunity,
        &[
            AnyOrg(R::CommunityReferrer),
            RoleAt(R::CaseManager, K::CaseManagement),
            RoleAt(R::Supervisor, K::CaseManagement),
        ],
    ),
    (
        Action::ApproveAsProjectManagement,
        &[
            RoleAt(R::Supervisor, K::CaseManagement),
            RoleAt(R::Supervisor, K::ProgramOffice),
        ],
    ),
    (Action::ApproveAsPolice, &[DesignatedAt(K::Police)]),
    (
        Action::RespondToHandoff,
        &[
            RoleAt(R::CaseManager, K::CaseManagement),
            RoleAt(R::Supervisor, K::CaseManagement),
        ],
    ),
    (
        Action::AcceptHandoff,
        &[RoleAt(R::CaseManager, K::CaseManagement)],
    ),
    (
        Action::Casework,
        &[
            RoleAt(R::CaseManager, K::CaseManagement),
            RoleAt(R::Supervisor, K::CaseManagement),
        ],
    ),
    (
        Action::SuperviseCaseloads,
        &[RoleAt(R::Supervisor, K::CaseManagement)],
    ),
    (
        Action::SeeHandoffStats,
        &[
            RoleAt(R::Supervisor, K::CaseManagement),
            AnyOrg(R::SiteAdmin),
        ],
    ),
    (
        Action::KeepRoster,
        &[AnyOrg(R::Supervisor), AnyOrg(R::SiteAdmin)],
    ),
    (
        Action::GoOnCall,
        &[RoleAt(R::CaseManager, K::CaseManagement)],
    ),
    (Action::RunHoldSweep, &[AnyOrg(R::Supervisor)]),
    (Action::CorrectAnyContact, &[AnyOrg(R::Supervisor)]),
    (
        Action::SeeHoldQueue,
        &[RoleAt(R::Prosecutor, K::Prosecutor), AnyOrg(R::Supervisor)],
    ),
    (Action::DecideHold, &[RoleAt(R::Prosecutor, K::Prosecutor)]),
    (
        Action::CoordinateAsProsecutor,
        &[RoleAt(R::Prosecutor, K::Prosecutor)],
    ),
    (
        Action::ConveneOwg,
        &[AnyOrg(R::Supervisor), AnyOrg(R::SiteAdmin)],
    ),
    (
        Action::AttendOwg,
        &[
            AnyOrg(R::Officer),
            AnyOrg(R::Prosecutor),
            AnyOrg(R::CaseManager),
            AnyOrg(R::Supervisor),
            AnyOrg(R::Partner),
        ],
    ),
    (
        Action::WriteMinutes,
        &[
            AnyOrg(R::Supervisor),
            AnyOrg(R::CaseManager),
            AnyOrg(R::Partner),
        ],
    ),
    (Action::Administer, &[AnyOrg(R::SiteAdmin)]),
    (Action::ManageTokens, &[AnyOrg(R::SiteAdmin)]),
    (Action::ImportJusticeData, &[AnyOrg(R::SiteAdmin)]),
    (
        Action::SeeOversight,
        &[
            AnyOrg(R::Oversight),
            AnyOrg(R::Bureau),
            AnyOrg(R::SiteAdmin),
            AnyOrg(R::Supervisor),
        ],
    ),
    (
        Action::SeeEvaluation,
        &[
            AnyOrg(R::SiteAdmin),
            AnyOrg(R::Evaluator),
            AnyOrg(R::Bureau),
        ],
    ),
    (Action::SeeEquity, &[AnyOrg(R::Oversight)]),
    (Action::ExportEvaluation, &[AnyOrg(R::Evaluator)]),
    (
        Action::LookUpParticipation,
        &[RoleAt(R::Officer, K::Police)],
    ),
    (Action::SeeSharedWithUs, &[AnyOrg(R::Partner)]),
    (Action::LogEligibleArrest, &[RoleAt(R::Officer, K::Police)]),
    (Action::KeepProgramRecords, &[AnyOrg(R::SiteAdmin)]),
    (
        Action::RunEvaluation,
        &[AnyOrg(R::Evaluator), AnyOrg(R::SiteAdmin)],
    ),
    (
        Action::SeePcgReport,
        &[
            AnyOrg(R::SiteAdmin),
            AnyOrg(R::Supervisor),
            AnyOrg(R::Bureau),
        ],
    ),
    (Action::SeeNetworkFigures, &[RoleAt(R::Bureau, K::Bureau)]),
    (
        Action::SeeScorecard,
        &[RoleAt(R::Bureau, K::Bureau), AnyOrg(R::Supervisor)],
    ),
    (Action::ManageNetwork, &[RoleAt(R::Bureau, K::Bureau)]),
];

/// The person asking: their roles, their organisation's kind, and whether
/// they are designated to approve referrals.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub roles: &'a [Role],
    pub agency_kind: AgencyKind,
    pub designated_approver: bool,
}

impl Who {
    fn admits(&self, a: &Actor<'_>) -> bool {
        match *self {
            Who::RoleAt(role, kind) => a.roles.contains(&role) && a.agency_kind == kind,
            Who::Role(role) => a.roles.contains(&role),
            Who::DesignatedAt(kind) => a.designated_approver && a.agency_kind == kind,
        }
    }
}

/// Who may take `action`, as the table says.
pub fn who(action: Action) -> &'static [Who] {
    RULES
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(&[], |(_, w)| *w)
}

/// Whether the actor may take the action at all (record-level checks, where
/// the action lists them, come after).
pub fn may(actor: &Actor<'_>, action: Action) -> bool {
    who(action).iter().any(|w| w.admits(actor))
}

/// Whether a role can ever take any action of the table or receive
/// participant data: roles that can do neither need not be offered.
pub fn role_acts(role: Role) -> bool {
    RULES
        .iter()
        .flat_map(|(_, w)| w.iter())
        .any(|w| matches!(*w, Who::RoleAt(r, _) | Who::Role(r) if r == role))
}
