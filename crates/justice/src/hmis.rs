//! HUD HMIS CSV export: the files a diversion program shares with housing
//! partners' HMIS — `Export`, `Client`, `Enrollment`, `Exit`,
//! `IncomeBenefits`, `Services` and `CurrentLivingSituation` — written with
//! every column of the HMIS CSV Format Specifications, in order, from typed
//! rows. Columns Handoff does not hold are written empty (null), as the
//! specification allows for elements a project type does not collect.
//!
//! Formats: dates `YYYY-MM-DD`, date-times `YYYY-MM-DD HH:MM:SS`, integers
//! for list values, `\n` line ends, CSV quoting only where a value needs it.
//! Every file but `Export.csv` ends with the common trailer columns
//! `DateCreated, DateUpdated, UserID, DateDeleted, ExportID`.
//!
//! **Uncertainty.** The column lists follow the FY2026 HMIS CSV
//! specifications as best known when this was written (they were compiled
//! from implementations of the FY2026 format rather than from HUD's
//! document itself) and should be checked against HUD's current
//! "HMIS CSV Format Specifications" before a partner relies on them. In
//! particular: FY2026 replaced the FY2024 gender columns with one `Sex`
//! column (3.06: 0 Female, 1 Male, 8, 9, 99), and the FY2026 `Client.csv`
//! listing used here has no `HispanicLatinaeo` column, so Handoff writes
//! Hispanic/Latino as `AdditionalRaceEthnicity` text; `CSVVersion` is
//! written as `2026`. Only [`columns`] needs to change if HUD's lists
//! differ; a test checks every value the writer fills names a listed
//! column.

use handoff_domain::referral::{Race, Sex};
use handoff_domain::{ParticipantId, PersonId};
use std::io::{self, Write};
use std::path::Path;
use time::{Date, PrimitiveDateTime};

/// The files, in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HmisFile {
    Export,
    Client,
    Enrollment,
    Exit,
    IncomeBenefits,
    Services,
    CurrentLivingSituation,
}

impl HmisFile {
    pub const ALL: [HmisFile; 7] = [
        HmisFile::Export,
        HmisFile::Client,
        HmisFile::Enrollment,
        HmisFile::Exit,
        HmisFile::IncomeBenefits,
        HmisFile::Services,
        HmisFile::CurrentLivingSituation,
    ];

    pub const fn file_name(&self) -> &'static str {
        match self {
            HmisFile::Export => "Export.csv",
            HmisFile::Client => "Client.csv",
            HmisFile::Enrollment => "Enrollment.csv",
            HmisFile::Exit => "Exit.csv",
            HmisFile::IncomeBenefits => "IncomeBenefits.csv",
            HmisFile::Services => "Services.csv",
            HmisFile::CurrentLivingSituation => "CurrentLivingSituation.csv",
        }
    }
}

/// The trailer every file but `Export.csv` ends with.
pub const TRAILER: [&str; 5] = [
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

const EXPORT: &[&str] = &[
    "ExportID",
    "SourceType",
    "SourceID",
    "SourceName",
    "SourceContactFirst",
    "SourceContactLast",
    "SourceContactPhone",
    "SourceContactExtension",
    "SourceContactEmail",
    "ExportDate",
    "ExportStartDate",
    "ExportEndDate",
    "SoftwareName",
    "SoftwareVersion",
    "CSVVersion",
    "ExportPeriodType",
    "ExportDirective",
    "HashStatus",
    "ImplementationID",
];

const CLIENT: &[&str] = &[
    "PersonalID",
    "FirstName",
    "MiddleName",
    "LastName",
    "NameSuffix",
    "NameDataQuality",
    "SSN",
    "SSNDataQuality",
    "DOB",
    "DOBDataQuality",
    "Sex",
    "AmIndAKNative",
    "Asian",
    "BlackAfAmerican",
    "MidEastNAfrican",
    "NativeHIPacific",
    "White",
    "RaceNone",
    "AdditionalRaceEthnicity",
    "VeteranStatus",
    "YearEnteredService",
    "YearSeparated",
    "WorldWarII",
    "KoreanWar",
    "VietnamWar",
    "DesertStorm",
    "AfghanistanOEF",
    "IraqOIF",
    "IraqOND",
    "OtherTheater",
    "MilitaryBranch",
    "DischargeStatus",
];

const ENROLLMENT: &[&str] = &[
    "EnrollmentID",
    "PersonalID",
    "ProjectID",
    "EntryDate",
    "HouseholdID",
    "RelationshipToHoH",
    "EnrollmentCoC",
    "LivingSituation",
    "RentalSubsidyType",
    "LengthOfStay",
    "LOSUnderThreshold",
    "PreviousStreetESSH",
    "DateToStreetESSH",
    "TimesHomelessPastThreeYears",
    "MonthsHomelessPastThreeYears",
    "DisablingCondition",
    "DateOfEngagement",
    "MoveInDate",
    "DateOfPATHStatus",
    "ClientEnrolledInPATH",
    "ReasonNotEnrolled",
    "PercentAMI",
    "ReferralSource",
    "CountOutreachReferralApproaches",
    "DateOfBCPStatus",
    "EligibleForRHY",
    "ReasonNoServices",
    "RunawayYouth",
    "FormerWardChildWelfare",
    "ChildWelfareYears",
    "ChildWelfareMonths",
    "FormerWardJuvenileJustice",
    "JuvenileJusticeYears",
    "JuvenileJusticeMonths",
    "UnemploymentFam",
    "MentalHealthDisorderFam",
    "PhysicalDisabilityFam",
    "AlcoholDrugUseDisorderFam",
    "InsufficientIncome",
    "IncarceratedParent",
    "VAMCStation",
    "TargetScreenReqd",
    "TimeToHousingLoss",
    "AnnualPercentAMI",
    "LiteralHomelessHistory",
    "ClientLeaseholder",
    "HOHLeaseholder",
    "SubsidyAtRisk",
    "EvictionHistory",
    "CriminalRecord",
    "IncarceratedAdult",
    "PrisonDischarge",
    "SexOffender",
    "DisabledHoH",
    "CurrentPregnant",
    "SingleParent",
    "DependentUnder6",
    "HH5Plus",
    "CoCPrioritized",
    "HPScreeningScore",
    "ThresholdScore",
    "MentalHealthConsultation",
];

const EXIT: &[&str] = &[
    "ExitID",
    "EnrollmentID",
    "PersonalID",
    "ExitDate",
    "Destination",
    "DestinationSubsidyType",
    "OtherDestination",
    "HousingAssessment",
    "SubsidyInformation",
    "ProjectCompletionStatus",
    "EarlyExitReason",
    "ExchangeForSex",
    "ExchangeForSexPastThreeMonths",
    "CountOfExchangeForSex",
    "AskedOrForcedToExchangeForSex",
    "AskedOrForcedToExchangeForSexPastThreeMonths",
    "WorkPlaceViolenceThreats",
    "WorkplacePromiseDifference",
    "CoercedToContinueWork",
    "LaborExploitPastThreeMonths",
    "CounselingReceived",
    "IndividualCounseling",
    "FamilyCounseling",
    "GroupCounseling",
    "SessionCountAtExit",
    "PostExitCounselingPlan",
    "SessionsInPlan",
    "DestinationSafeClient",
    "DestinationSafeWorker",
    "PosAdultConnections",
    "PosPeerConnections",
    "PosCommunityConnections",
    "AftercareDate",
    "AftercareProvided",
    "EmailSocialMedia",
    "Telephone",
    "InPersonIndividual",
    "InPersonGroup",
    "CMExitReason",
];

const INCOME_BENEFITS: &[&str] = &[
    "IncomeBenefitsID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "IncomeFromAnySource",
    "TotalMonthlyIncome",
    "Earned",
    "EarnedAmount",
    "Unemployment",
    "UnemploymentAmount",
    "SSI",
    "SSIAmount",
    "SSDI",
    "SSDIAmount",
    "VADisabilityService",
    "VADisabilityServiceAmount",
    "VADisabilityNonService",
    "VADisabilityNonServiceAmount",
    "PrivateDisability",
    "PrivateDisabilityAmount",
    "WorkersComp",
    "WorkersCompAmount",
    "TANF",
    "TANFAmount",
    "GA",
    "GAAmount",
    "SocSecRetirement",
    "SocSecRetirementAmount",
    "Pension",
    "PensionAmount",
    "ChildSupport",
    "ChildSupportAmount",
    "Alimony",
    "AlimonyAmount",
    "OtherIncomeSource",
    "OtherIncomeAmount",
    "OtherIncomeSourceIdentify",
    "BenefitsFromAnySource",
    "SNAP",
    "WIC",
    "TANFChildCare",
    "TANFTransportation",
    "OtherTANF",
    "OtherBenefitsSource",
    "OtherBenefitsSourceIdentify",
    "InsuranceFromAnySource",
    "Medicaid",
    "NoMedicaidReason",
    "Medicare",
    "NoMedicareReason",
    "SCHIP",
    "NoSCHIPReason",
    "VHAServices",
    "NoVHAReason",
    "EmployerProvided",
    "NoEmployerProvidedReason",
    "COBRA",
    "NoCOBRAReason",
    "PrivatePay",
    "NoPrivatePayReason",
    "StateHealthIns",
    "NoStateHealthInsReason",
    "IndianHealthServices",
    "NoIndianHealthServicesReason",
    "OtherInsurance",
    "OtherInsuranceIdentify",
    "ADAP",
    "NoADAPReason",
    "RyanWhiteMedDent",
    "NoRyanWhiteReason",
    "ConnectionWithSOAR",
    "DataCollectionStage",
];

const SERVICES: &[&str] = &[
    "ServicesID",
    "EnrollmentID",
    "PersonalID",
    "DateProvided",
    "RecordType",
    "TypeProvided",
    "OtherTypeProvided",
    "MovingOnOtherType",
    "SubTypeProvided",
    "FAAmount",
    "FAStartDate",
    "FAEndDate",
    "ReferralOutcome",
];

const CURRENT_LIVING_SITUATION: &[&str] = &[
    "CurrentLivingSitID",
    "EnrollmentID",
    "PersonalID",
    "InformationDate",
    "CurrentLivingSituation",
    "CLSSubsidyType",
    "VerifiedBy",
    "LeaveSituation14Days",
    "SubsequentResidence",
    "ResourcesToObtain",
    "LeaseOwn60Day",
    "MovedTwoOrMore",
    "LocationDetails",
];

/// The full column list of `file`, trailer included.
pub fn columns(file: HmisFile) -> Vec<&'static str> {
    let body = match file {
        HmisFile::Export => return EXPORT.to_vec(),
        HmisFile::Client => CLIENT,
        HmisFile::Enrollment => ENROLLMENT,
        HmisFile::Exit => EXIT,
        HmisFile::IncomeBenefits => INCOME_BENEFITS,
        HmisFile::Services => SERVICES,
        HmisFile::CurrentLivingSituation => CURRENT_LIVING_SITUATION,
    };
    body.iter().chain(TRAILER.iter()).copied().collect()
}

/// HUD's "no / yes / client doesn't know / prefers not to answer / data not
/// collected" list (1.8) and similar: stored as the HUD integer.
pub type HudCode = u16;

/// Data not collected (99), used where Handoff holds no answer.
pub const DATA_NOT_COLLECTED: HudCode = 99;

/// Who made a row and when: the trailer's first four columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowAudit {
    pub date_created: PrimitiveDateTime,
    pub date_updated: PrimitiveDateTime,
    /// The HMIS user id (Handoff's user id or a pseudonym of it).
    pub user_id: String,
    pub date_deleted: Option<PrimitiveDateTime>,
}

/// `Export.csv`: one row describing the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisExport {
    pub export_id: String,
    /// 1 CoC HMIS, 2 standalone/agency-specific application, 3 data
    /// warehouse, 4 other.
    pub source_type: HudCode,
    pub source_id: Option<String>,
    pub source_name: Option<String>,
    pub source_contact_first: Option<String>,
    pub source_contact_last: Option<String>,
    pub source_contact_phone: Option<String>,
    pub source_contact_extension: Option<String>,
    pub source_contact_email: Option<String>,
    /// When the export ran (the caller's clock).
    pub export_date: PrimitiveDateTime,
    pub export_start_date: Date,
    pub export_end_date: Date,
    pub software_name: String,
    pub software_version: Option<String>,
    /// 1 updated, 2 effective, 3 reporting period, 4 other.
    pub export_period_type: HudCode,
    /// 1 delta refresh, 2 full refresh, 3 other.
    pub export_directive: HudCode,
    /// 1 unhashed, 2 SHA-1 RHY, 3 hashed – other, 4 SHA-256 (RHY).
    pub hash_status: HudCode,
    pub implementation_id: String,
}

/// `Client.csv`: one row per participant shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisClient {
    pub personal_id: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Nine digits, or fewer known digits with `x` for unknown ones.
    pub ssn: Option<String>,
    pub dob: Option<Date>,
    pub sex: Sex,
    pub race: Race,
    /// 0 no, 1 yes, 8, 9, 99.
    pub veteran_status: HudCode,
    pub audit: RowAudit,
}

/// `Enrollment.csv`: a participant's enrollment in the LEAD project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisEnrollment {
    pub enrollment_id: String,
    pub personal_id: String,
    pub project_id: String,
    pub entry_date: Date,
    pub household_id: String,
    /// 1 self (head of household).
    pub relationship_to_hoh: HudCode,
    pub enrollment_coc: Option<String>,
    /// Prior living situation (3.917 list).
    pub living_situation: Option<HudCode>,
    pub disabling_condition: Option<HudCode>,
    pub date_of_engagement: Option<Date>,
    pub move_in_date: Option<Date>,
    pub audit: RowAudit,
}

/// `Exit.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisExit {
    pub exit_id: String,
    pub enrollment_id: String,
    pub personal_id: String,
    pub exit_date: Date,
    /// 3.12 destination list.
    pub destination: HudCode,
    pub destination_subsidy_type: Option<HudCode>,
    pub other_destination: Option<String>,
    pub audit: RowAudit,
}

/// `IncomeBenefits.csv`: the summary answers Handoff records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisIncomeBenefits {
    pub income_benefits_id: String,
    pub enrollment_id: String,
    pub personal_id: String,
    pub information_date: Date,
    /// 0 no, 1 yes, 8, 9, 99.
    pub income_from_any_source: HudCode,
    /// Dollars with two decimals, e.g. `"943.00"`.
    pub total_monthly_income: Option<String>,
    pub earned: Option<bool>,
    pub ssi: Option<bool>,
    pub ssdi: Option<bool>,
    pub benefits_from_any_source: Option<HudCode>,
    pub snap: Option<bool>,
    pub insurance_from_any_source: Option<HudCode>,
    pub medicaid: Option<bool>,
    /// 1 project start, 2 update, 3 project exit, 5 annual assessment.
    pub data_collection_stage: HudCode,
    pub audit: RowAudit,
}

/// `Services.csv`: a service provided or a referral made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisService {
    pub services_id: String,
    pub enrollment_id: String,
    pub personal_id: String,
    pub date_provided: Date,
    pub record_type: HudCode,
    pub type_provided: HudCode,
    pub other_type_provided: Option<String>,
    pub referral_outcome: Option<HudCode>,
    pub audit: RowAudit,
}

/// `CurrentLivingSituation.csv`: a contact's living situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisCurrentLivingSituation {
    pub current_living_sit_id: String,
    pub enrollment_id: String,
    pub personal_id: String,
    pub information_date: Date,
    pub current_living_situation: HudCode,
    pub verified_by: Option<String>,
    pub location_details: Option<String>,
    pub audit: RowAudit,
}

/// Everything one HMIS export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmisExportSet {
    pub export: HmisExport,
    pub clients: Vec<HmisClient>,
    pub enrollments: Vec<HmisEnrollment>,
    pub exits: Vec<HmisExit>,
    pub income_benefits: Vec<HmisIncomeBenefits>,
    pub services: Vec<HmisService>,
    pub current_living_situations: Vec<HmisCurrentLivingSituation>,
}

type Cells = Vec<(&'static str, String)>;

fn d(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )
}

fn dt(t: PrimitiveDateTime) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        d(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn b(v: bool) -> String {
    u8::from(v).to_string()
}

fn some<T>(cells: &mut Cells, column: &'static str, v: Option<T>, f: impl FnOnce(T) -> String) {
    if let Some(v) = v {
        cells.push((column, f(v)));
    }
}

fn audit_cells(cells: &mut Cells, a: &RowAudit) {
    cells.push(("DateCreated", dt(a.date_created)));
    cells.push(("DateUpdated", dt(a.date_updated)));
    cells.push(("UserID", a.user_id.clone()));
    some(cells, "DateDeleted", a.date_deleted, dt);
}

/// 3.06 Sex (FY2026): 0 Female, 1 Male, 99 data not collected.
pub fn sex_code(sex: Sex) -> HudCode {
    match sex {
        Sex::Female => 0,
        Sex::Male => 1,
        Sex::Another | Sex::Unknown => DATA_NOT_COLLECTED,
    }
}

/// The race column a Handoff race sets to 1, if any.
pub fn race_column(race: Race) -> Option<&'static str> {
    match race {
        Race::AmericanIndianAlaskaNative => Some("AmIndAKNative"),
        Race::Asian => Some("Asian"),
        Race::BlackAfricanAmerican => Some("BlackAfAmerican"),
        Race::NativeHawaiianPacificIslander => Some("NativeHIPacific"),
        Race::White => Some("White"),
        Race::HispanicLatino | Race::Multiracial | Race::Other | Race::Unknown => None,
    }
}

impl HmisClient {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![("PersonalID", self.personal_id.clone())];
        some(&mut c, "FirstName", self.first_name.clone(), |v| v);
        some(&mut c, "MiddleName", self.middle_name.clone(), |v| v);
        some(&mut c, "LastName", self.last_name.clone(), |v| v);
        // 3.01.5: 1 full name, 2 partial, 99 not collected.
        let names = usize::from(self.first_name.is_some()) + usize::from(self.last_name.is_some());
        c.push(("NameDataQuality", [99, 2, 1][names].to_string()));
        some(&mut c, "SSN", self.ssn.clone(), |v| v);
        let ssn_quality = match &self.ssn {
            Some(s) if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) => 1,
            Some(_) => 2,
            None => 99,
        };
        c.push(("SSNDataQuality", ssn_quality.to_string()));
        some(&mut c, "DOB", self.dob, d);
        c.push((
            "DOBDataQuality",
            if self.dob.is_some() { "1" } else { "99" }.into(),
        ));
        c.push(("Sex", sex_code(self.sex).to_string()));
        let set = race_column(self.race);
        for col in [
            "AmIndAKNative",
            "Asian",
            "BlackAfAmerican",
            "MidEastNAfrican",
            "NativeHIPacific",
            "White",
        ] {
            c.push((col, b(set == Some(col))));
        }
        match self.race {
            Race::HispanicLatino => {
                c.push(("AdditionalRaceEthnicity", "Hispanic/Latina/e/o".into()))
            }
            Race::Multiracial => c.push(("AdditionalRaceEthnicity", "Multiracial".into())),
            Race::Other => c.push(("AdditionalRaceEthnicity", "Other".into())),
            Race::Unknown => c.push(("RaceNone", DATA_NOT_COLLECTED.to_string())),
            _ => {}
        }
        c.push(("VeteranStatus", self.veteran_status.to_string()));
        audit_cells(&mut c, &self.audit);
        c
    }
}

impl HmisExport {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("ExportID", self.export_id.clone()),
            ("SourceType", self.source_type.to_string()),
        ];
        some(&mut c, "SourceID", self.source_id.clone(), |v| v);
        some(&mut c, "SourceName", self.source_name.clone(), |v| v);
        some(
            &mut c,
            "SourceContactFirst",
            self.source_contact_first.clone(),
            |v| v,
        );
        some(
            &mut c,
            "SourceContactLast",
            self.source_contact_last.clone(),
            |v| v,
        );
        some(
            &mut c,
            "SourceContactPhone",
            self.source_contact_phone.clone(),
            |v| v,
        );
        some(
            &mut c,
            "SourceContactExtension",
            self.source_contact_extension.clone(),
            |v| v,
        );
        some(
            &mut c,
            "SourceContactEmail",
            self.source_contact_email.clone(),
            |v| v,
        );
        c.push(("ExportDate", dt(self.export_date)));
        c.push(("ExportStartDate", d(self.export_start_date)));
        c.push(("ExportEndDate", d(self.export_end_date)));
        c.push(("SoftwareName", self.software_name.clone()));
        some(
            &mut c,
            "SoftwareVersion",
            self.software_version.clone(),
            |v| v,
        );
        c.push(("CSVVersion", "2026".into()));
        c.push(("ExportPeriodType", self.export_period_type.to_string()));
        c.push(("ExportDirective", self.export_directive.to_string()));
        c.push(("HashStatus", self.hash_status.to_string()));
        c.push(("ImplementationID", self.implementation_id.clone()));
        c
    }
}

impl HmisEnrollment {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("EnrollmentID", self.enrollment_id.clone()),
            ("PersonalID", self.personal_id.clone()),
            ("ProjectID", self.project_id.clone()),
            ("EntryDate", d(self.entry_date)),
            ("HouseholdID", self.household_id.clone()),
            ("RelationshipToHoH", self.relationship_to_hoh.to_string()),
        ];
        some(&mut c, "EnrollmentCoC", self.enrollment_coc.clone(), |v| v);
        some(&mut c, "LivingSituation", self.living_situation, |v| {
            v.to_string()
        });
        some(
            &mut c,
            "DisablingCondition",
            self.disabling_condition,
            |v| v.to_string(),
        );
        some(&mut c, "DateOfEngagement", self.date_of_engagement, d);
        some(&mut c, "MoveInDate", self.move_in_date, d);
        audit_cells(&mut c, &self.audit);
        c
    }
}

impl HmisExit {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("ExitID", self.exit_id.clone()),
            ("EnrollmentID", self.enrollment_id.clone()),
            ("PersonalID", self.personal_id.clone()),
            ("ExitDate", d(self.exit_date)),
            ("Destination", self.destination.to_string()),
        ];
        some(
            &mut c,
            "DestinationSubsidyType",
            self.destination_subsidy_type,
            |v| v.to_string(),
        );
        some(
            &mut c,
            "OtherDestination",
            self.other_destination.clone(),
            |v| v,
        );
        audit_cells(&mut c, &self.audit);
        c
    }
}

impl HmisIncomeBenefits {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("IncomeBenefitsID", self.income_benefits_id.clone()),
            ("EnrollmentID", self.enrollment_id.clone()),
            ("PersonalID", self.personal_id.clone()),
            ("InformationDate", d(self.information_date)),
            (
                "IncomeFromAnySource",
                self.income_from_any_source.to_string(),
            ),
        ];
        some(
            &mut c,
            "TotalMonthlyIncome",
            self.total_monthly_income.clone(),
            |v| v,
        );
        some(&mut c, "Earned", self.earned, b);
        some(&mut c, "SSI", self.ssi, b);
        some(&mut c, "SSDI", self.ssdi, b);
        some(
            &mut c,
            "BenefitsFromAnySource",
            self.benefits_from_any_source,
            |v| v.to_string(),
        );
        some(&mut c, "SNAP", self.snap, b);
        some(
            &mut c,
            "InsuranceFromAnySource",
            self.insurance_from_any_source,
            |v| v.to_string(),
        );
        some(&mut c, "Medicaid", self.medicaid, b);
        c.push((
            "DataCollectionStage",
            self.data_collection_stage.to_string(),
        ));
        audit_cells(&mut c, &self.audit);
        c
    }
}

impl HmisService {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("ServicesID", self.services_id.clone()),
            ("EnrollmentID", self.enrollment_id.clone()),
            ("PersonalID", self.personal_id.clone()),
            ("DateProvided", d(self.date_provided)),
            ("RecordType", self.record_type.to_string()),
            ("TypeProvided", self.type_provided.to_string()),
        ];
        some(
            &mut c,
            "OtherTypeProvided",
            self.other_type_provided.clone(),
            |v| v,
        );
        some(&mut c, "ReferralOutcome", self.referral_outcome, |v| {
            v.to_string()
        });
        audit_cells(&mut c, &self.audit);
        c
    }
}

impl HmisCurrentLivingSituation {
    fn cells(&self) -> Cells {
        let mut c: Cells = vec![
            ("CurrentLivingSitID", self.current_living_sit_id.clone()),
            ("EnrollmentID", self.enrollment_id.clone()),
            ("PersonalID", self.personal_id.clone()),
            ("InformationDate", d(self.information_date)),
            (
                "CurrentLivingSituation",
                self.current_living_situation.to_string(),
            ),
        ];
        some(&mut c, "VerifiedBy", self.verified_by.clone(), |v| v);
        some(
            &mut c,
            "LocationDetails",
            self.location_details.clone(),
            |v| v,
        );
        audit_cells(&mut c, &self.audit);
        c
    }
}

/// A value the writer filled names no column of its file: a bug in this
/// module, reported instead of silently dropping data.
fn unknown_column(file: HmisFile, column: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{} has no column {column}", file.file_name()),
    )
}

impl HmisExportSet {
    fn rows(&self, file: HmisFile) -> Vec<Cells> {
        match file {
            HmisFile::Export => vec![self.export.cells()],
            HmisFile::Client => self.clients.iter().map(HmisClient::cells).collect(),
            HmisFile::Enrollment => self.enrollments.iter().map(HmisEnrollment::cells).collect(),
            HmisFile::Exit => self.exits.iter().map(HmisExit::cells).collect(),
            HmisFile::IncomeBenefits => self
                .income_benefits
                .iter()
                .map(HmisIncomeBenefits::cells)
                .collect(),
            HmisFile::Services => self.services.iter().map(HmisService::cells).collect(),
            HmisFile::CurrentLivingSituation => self
                .current_living_situations
                .iter()
                .map(HmisCurrentLivingSituation::cells)
                .collect(),
        }
    }

    /// Writes one file to `w`.
    pub fn write_file(&self, file: HmisFile, w: impl Write) -> io::Result<()> {
        let columns = columns(file);
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        csv.write_record(&columns)?;
        for cells in self.rows(file) {
            let mut row = vec![String::new(); columns.len()];
            for (column, value) in cells {
                let i = columns
                    .iter()
                    .position(|c| *c == column)
                    .ok_or_else(|| unknown_column(file, column))?;
                row[i] = value;
            }
            if file != HmisFile::Export
                && let Some(last) = row.last_mut()
            {
                *last = self.export.export_id.clone();
            }
            csv.write_record(&row)?;
        }
        csv.flush()
    }

    /// Writes the seven files into `dir` (which must exist).
    pub fn write_to_dir(&self, dir: &Path) -> io::Result<()> {
        for file in HmisFile::ALL {
            let f = std::fs::File::create(dir.join(file.file_name()))?;
            self.write_file(file, io::BufWriter::new(f))?;
        }
        Ok(())
    }
}

/// A site's secret key for the pseudonyms of its HMIS exports: drawn once
/// at random, kept in the site's database, never exported. `Debug` is
/// redacted.
#[derive(Clone)]
pub struct HmisKey([u8; 32]);

impl HmisKey {
    pub const fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// 32 hex digits (128 bits) of the keyed hash of `what` and `id`.
    fn digest(&self, what: &[u8], id: &[u8]) -> String {
        let mut message = what.to_vec();
        message.push(0);
        message.extend_from_slice(id);
        hex::encode(&crate::evaluation::hmac_sha256(&self.0, &message)[..16])
    }

    /// The HMIS `PersonalID` of a person: stable from export to export of
    /// the same site (so the housing partner's HMIS keeps one client), and
    /// neither Handoff's internal id nor derivable from it without the
    /// site's key. 32 characters, HMIS's limit for `PersonalID`.
    pub fn personal_id(&self, person: PersonId) -> String {
        self.digest(b"hmis-personal-id", person.as_uuid().as_bytes())
    }

    /// The stem of a participant's enrollment's ids (`EnrollmentID`,
    /// `HouseholdID`, …: one letter and these 31 characters), stable like
    /// [`HmisKey::personal_id`].
    pub fn enrollment_stem(&self, participant: ParticipantId) -> String {
        let mut d = self.digest(b"hmis-enrollment-id", participant.as_uuid().as_bytes());
        d.truncate(31);
        d
    }
}

impl std::fmt::Debug for HmisKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmisKey(…)")
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn hmis_ids_are_stable_keyed_and_not_the_internal_id() {
        let text = "\"01a2518f-32a3-73f8-8e6e-2c5eb05513e4\"";
        let person: PersonId = serde_json::from_str(text).unwrap();
        let participant: ParticipantId = serde_json::from_str(text).unwrap();
        let uuid = *person.as_uuid();
        let k = HmisKey::new([7; 32]);
        let id = k.personal_id(person);
        assert_eq!(id.len(), 32);
        assert_eq!(id, HmisKey::new([7; 32]).personal_id(person), "stable");
        assert_ne!(id, HmisKey::new([8; 32]).personal_id(person), "keyed");
        assert_ne!(id, uuid.simple().to_string());
        assert_eq!(k.enrollment_stem(participant).len(), 31);
        assert!(!id.starts_with(&k.enrollment_stem(participant)[..8]));
        assert_eq!(format!("{k:?}"), "HmisKey(…)");
    }
}
