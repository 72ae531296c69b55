//! The HMIS CSV writer: full column lists, trailer, values in place.

use handoff_domain::referral::{Race, Sex};
use handoff_justice::hmis::*;
use time::macros::{date, datetime};

fn audit() -> RowAudit {
    RowAudit {
        date_created: datetime!(2026-01-05 09:00:00),
        date_updated: datetime!(2026-02-01 10:30:15),
        user_id: "U7".into(),
        date_deleted: None,
    }
}

fn set() -> HmisExportSet {
    HmisExportSet {
        export: HmisExport {
            export_id: "EXP-1".into(),
            source_type: 2,
            source_id: None,
            source_name: Some("LEAD Example County".into()),
            source_contact_first: None,
            source_contact_last: None,
            source_contact_phone: None,
            source_contact_extension: None,
            source_contact_email: None,
            export_date: datetime!(2026-03-01 12:00:00),
            export_start_date: date!(2025 - 10 - 01),
            export_end_date: date!(2026 - 02 - 28),
            software_name: "Handoff".into(),
            software_version: Some("0.1.0".into()),
            export_period_type: 3,
            export_directive: 2,
            hash_status: 1,
            implementation_id: "handoff-example".into(),
        },
        clients: vec![HmisClient {
            personal_id: "C1".into(),
            first_name: Some("Ann".into()),
            middle_name: None,
            last_name: Some("Doe, Jr".into()),
            ssn: None,
            dob: Some(date!(1980 - 02 - 28)),
            sex: Sex::Female,
            race: Race::BlackAfricanAmerican,
            veteran_status: 0,
            audit: audit(),
        }],
        enrollments: vec![HmisEnrollment {
            enrollment_id: "E1".into(),
            personal_id: "C1".into(),
            project_id: "LEAD".into(),
            entry_date: date!(2025 - 11 - 01),
            household_id: "H1".into(),
            relationship_to_hoh: 1,
            enrollment_coc: Some("WA-500".into()),
            living_situation: Some(116),
            disabling_condition: None,
            date_of_engagement: Some(date!(2025 - 11 - 03)),
            move_in_date: None,
            audit: audit(),
        }],
        exits: vec![],
        income_benefits: vec![HmisIncomeBenefits {
            income_benefits_id: "I1".into(),
            enrollment_id: "E1".into(),
            personal_id: "C1".into(),
            information_date: date!(2025 - 11 - 01),
            income_from_any_source: 1,
            total_monthly_income: Some("943.00".into()),
            earned: Some(false),
            ssi: Some(true),
            ssdi: None,
            benefits_from_any_source: Some(1),
            snap: Some(true),
            insurance_from_any_source: Some(1),
            medicaid: Some(true),
            data_collection_stage: 1,
            audit: audit(),
        }],
        services: vec![HmisService {
            services_id: "S1".into(),
            enrollment_id: "E1".into(),
            personal_id: "C1".into(),
            date_provided: date!(2025 - 12 - 01),
            record_type: 141,
            type_provided: 1,
            other_type_provided: None,
            referral_outcome: None,
            audit: audit(),
        }],
        current_living_situations: vec![HmisCurrentLivingSituation {
            current_living_sit_id: "L1".into(),
            enrollment_id: "E1".into(),
            personal_id: "C1".into(),
            information_date: date!(2025 - 12 - 01),
            current_living_situation: 116,
            verified_by: None,
            location_details: Some("under the viaduct".into()),
            audit: audit(),
        }],
    }
}

fn read(file: HmisFile) -> Vec<Vec<String>> {
    let mut buf = Vec::new();
    set().write_file(file, &mut buf).unwrap();
    assert!(!buf.contains(&b'\r'));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&buf[..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn every_file_has_its_columns_and_the_common_trailer() {
    for file in HmisFile::ALL {
        let rows = read(file);
        let header = &rows[0];
        assert_eq!(header, &columns(file));
        if file != HmisFile::Export {
            assert_eq!(&header[header.len() - 5..], TRAILER);
            for row in &rows[1..] {
                assert_eq!(row.last().unwrap(), "EXP-1", "{file:?}");
                assert_eq!(row[header.len() - 5], "2026-01-05 09:00:00");
            }
        }
        let unique: std::collections::HashSet<_> = header.iter().collect();
        assert_eq!(unique.len(), header.len(), "{file:?} repeats a column");
    }
}

#[test]
fn values_land_in_their_columns() {
    let at = |file, column: &str| {
        let rows = read(file);
        let i = rows[0].iter().position(|c| c == column).unwrap();
        rows[1][i].clone()
    };
    assert_eq!(at(HmisFile::Client, "LastName"), "Doe, Jr");
    assert_eq!(at(HmisFile::Client, "DOB"), "1980-02-28");
    assert_eq!(at(HmisFile::Client, "Sex"), "0");
    assert_eq!(at(HmisFile::Client, "BlackAfAmerican"), "1");
    assert_eq!(at(HmisFile::Client, "White"), "0");
    assert_eq!(at(HmisFile::Client, "NameDataQuality"), "1");
    assert_eq!(at(HmisFile::Client, "SSNDataQuality"), "99");
    assert_eq!(at(HmisFile::Client, "RaceNone"), "");
    assert_eq!(at(HmisFile::Export, "CSVVersion"), "2026");
    assert_eq!(at(HmisFile::Export, "ExportDate"), "2026-03-01 12:00:00");
    assert_eq!(at(HmisFile::Enrollment, "LivingSituation"), "116");
    assert_eq!(at(HmisFile::IncomeBenefits, "TotalMonthlyIncome"), "943.00");
    assert_eq!(at(HmisFile::IncomeBenefits, "SSI"), "1");
    assert_eq!(at(HmisFile::Services, "RecordType"), "141");
    assert_eq!(
        at(HmisFile::CurrentLivingSituation, "LocationDetails"),
        "under the viaduct"
    );
    assert_eq!(read(HmisFile::Exit).len(), 1, "no exits: header only");
}

#[test]
fn writes_seven_files_to_a_folder() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hmis-export");
    std::fs::create_dir_all(&dir).unwrap();
    set().write_to_dir(&dir).unwrap();
    for file in HmisFile::ALL {
        assert!(dir.join(file.file_name()).exists());
    }
}
