//! The site's coordination rules as a table: which office owns a case
//! (offence class, jurisdiction, the fallbacks) and what the catchment rule
//! reports (inside: met; outside: not met; no area: not checked, never met).

use handoff_domain::AgencyId;
use handoff_domain::eligibility::{Check, Reason, RuleCode, Screening};
use handoff_justice::coordination::{Catchment, ProsecutingOffice, SiteCoordination, with_reason};

fn id(n: u128) -> AgencyId {
    format!("00000000-0000-0000-0000-{n:012}").parse().unwrap()
}

const CITY: u128 = 1;
const COUNTY: u128 = 2;
const POLICE: u128 = 3;

fn office(n: u128, classes: &[&str], areas: &[&str]) -> ProsecutingOffice {
    ProsecutingOffice {
        agency_id: id(n),
        offence_classes: classes.iter().map(|s| s.to_string()).collect(),
        jurisdictions: areas.iter().map(|s| s.to_string()).collect(),
    }
}

/// (offence classes, area, the site's prosecutor agencies, the owner).
type Row<'a> = (&'a [&'a str], Option<&'a str>, &'a [AgencyId], Option<u128>);

#[test]
fn the_office_that_owns_the_case() {
    let site = SiteCoordination {
        catchment_areas: vec![],
        prosecuting_offices: vec![
            office(COUNTY, &["drug_possession"], &[]),
            office(COUNTY, &[], &["North"]),
            office(CITY, &[], &[]),
        ],
    };
    let both = [id(CITY), id(COUNTY)];
    // (classes, area, prosecutors at the site, expected owner)
    let table: &[Row] = &[
        (&["drug_possession"], None, &both, Some(COUNTY)),
        (
            &["theft", "drug_possession"],
            Some("West"),
            &both,
            Some(COUNTY),
        ),
        (&["theft"], Some("West"), &both, Some(CITY)),
        (&["theft"], Some("North"), &both, Some(COUNTY)),
        (&["theft"], None, &both, Some(CITY)),
        // An office the site no longer has is skipped.
        (&["drug_possession"], None, &[id(CITY)], Some(CITY)),
        (&["theft"], None, &[], None),
    ];
    for (classes, area, prosecutors, want) in table {
        let got = site.office_for(classes.iter().copied(), *area, prosecutors);
        assert_eq!(got, want.map(id), "{classes:?} in {area:?}");
    }
    // Only specific offices: none matching falls to the first listed.
    let narrow = SiteCoordination {
        prosecuting_offices: vec![
            office(CITY, &["theft"], &[]),
            office(COUNTY, &["trespass"], &[]),
        ],
        ..Default::default()
    };
    assert_eq!(narrow.office_for(["sex_work"], None, &both), Some(id(CITY)));
    assert_eq!(
        narrow.office_for(["trespass"], None, &both),
        Some(id(COUNTY))
    );
    // No offices in the policy: the site's one prosecutor agency, as before.
    let none = SiteCoordination::default();
    assert_eq!(
        none.office_for(["theft"], Some("North"), &[id(CITY)]),
        Some(id(CITY))
    );
    assert_ne!(
        none.office_for(["theft"], None, &[id(CITY)]),
        Some(id(POLICE))
    );
}

fn door() -> Reason {
    Reason {
        rule: RuleCode::DoorOpen,
        text: "The arrest diversion door is open.".into(),
        passed: true,
        decisive: true,
        check: Check::Checked,
    }
}

#[test]
fn the_catchment_rule() {
    let site = SiteCoordination {
        catchment_areas: vec!["West".into(), "East".into()],
        prosecuting_offices: vec![],
    };
    // (area, finding, status, eligible after, decisive)
    let table = [
        (Some("West"), Catchment::Inside, "met", true, true),
        (Some("North"), Catchment::Outside, "not_met", false, true),
        (None, Catchment::NotChecked, "not_checked", true, false),
    ];
    for (area, finding, status, eligible, decisive) in table {
        assert_eq!(site.catchment(area), Some(finding));
        let r = site.catchment_reason(area).unwrap();
        assert_eq!(r.status(), status, "{area:?}");
        assert!(r.text.ends_with('.'));
        let s = with_reason(
            Screening {
                eligible: true,
                reasons: vec![door()],
            },
            Some(r),
        );
        assert_eq!(s.eligible, eligible, "{area:?}");
        assert_eq!(s.reasons[1].rule, RuleCode::Catchment, "after the door");
        assert_eq!(s.reasons[1].decisive, decisive, "{area:?}");
        assert_eq!(
            s.reasons[0].decisive, eligible,
            "the door decides only when eligible"
        );
    }
    // No catchment in the policy: no rule at all.
    let open = SiteCoordination::default();
    assert_eq!(open.catchment(Some("North")), None);
    assert!(open.catchment_reason(None).is_none());
}

#[test]
fn the_policy_document_keys() {
    let doc = serde_json::json!({
        "hold_window_days": 30,
        "catchment_areas": ["West"],
        "prosecuting_offices": [{"agency_id": id(CITY), "offence_classes": ["theft"]}],
    });
    let c = SiteCoordination::of_document(&doc).unwrap();
    assert_eq!(c.catchment_areas, vec!["West".to_string()]);
    assert_eq!(c.prosecuting_offices[0].agency_id, id(CITY));
    let bad = serde_json::json!({"prosecuting_offices": [{"agency_id": "city"}]});
    assert!(SiteCoordination::of_document(&bad).is_err());
    let blank = serde_json::json!({"catchment_areas": [" "]});
    assert_eq!(
        SiteCoordination::of_document(&blank).unwrap_err().field,
        "policy.catchment_areas[0]"
    );
}
