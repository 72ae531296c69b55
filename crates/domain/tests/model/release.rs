#[allow(unused_imports)]
use crate::prelude::*;
use handoff_domain::release::*;
use time::macros::date;

pub const AGENCY: &str = "0190a000-0000-7000-8000-000000000001";

pub fn form(agency: &str, categories: &[&str]) -> ReleaseForm {
    ReleaseForm {
        recipients: vec![RecipientForm {
            agency_id: agency.into(),
            categories: categories.iter().map(|c| (*c).into()).collect(),
        }],
        purpose: "care coordination".into(),
        effective_on: None,
        expires_on: "2027-11-30".into(),
        signature: Some(SignatureForm {
            method: "drawn".into(),
            image_base64: Some("iVBORw0KGgo=".into()),
            pdf_base64: None,
        }),
        part2: None,
    }
}

pub fn part2() -> Part2Form {
    Part2Form {
        discloser: "Evergreen Treatment Services".into(),
        information: "dates of treatment, medications for opioid use disorder".into(),
        right_to_revoke_acknowledged: true,
    }
}

fn err(f: ReleaseForm) -> ParseError {
    Release::parse(&f, date!(2026 - 11 - 30)).unwrap_err()
}

#[test]
fn the_contract_example_parses() {
    let json = format!(
        r#"{{"recipients": [{{"agency_id": "{AGENCY}", "categories": ["enrollment", "engagement"]}}],
           "purpose": "care coordination", "expires_on": "2027-11-30",
           "signature": {{"method": "drawn", "image_base64": "iVBORw0KGgo="}}}}"#
    );
    let f: ReleaseForm = serde_json::from_str(&json).unwrap();
    let r = Release::parse(&f, date!(2026 - 11 - 30)).unwrap();
    assert_eq!(r.effective_on(), date!(2026 - 11 - 30));
    assert_eq!(r.recipients()[0].categories().len(), 2);
    assert!(r.part2().is_none());
}

#[test]
fn releases_list_as_the_api_shows_them() {
    let mut r = Release::parse(
        &form(AGENCY, &["engagement", "enrollment"]),
        date!(2026 - 11 - 30),
    )
    .unwrap();
    r.revoke(time::macros::datetime!(2026-12-10 18:00 UTC))
        .unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["effective_on"], "2026-11-30");
    assert_eq!(json["expires_on"], "2027-11-30");
    assert_eq!(json["revoked_at"], "2026-12-10T18:00:00Z");
    assert_eq!(json["recipients"][0]["agency_id"], AGENCY);
    assert_eq!(
        json["recipients"][0]["categories"],
        serde_json::json!(["enrollment", "engagement"])
    );
    let stored = StoredRelease {
        form: form(AGENCY, &["engagement", "enrollment"]),
        effective_on: date!(2026 - 11 - 30),
        revoked_at: r.revoked_at(),
    };
    let stored: StoredRelease =
        serde_json::from_value(serde_json::to_value(&stored).unwrap()).unwrap();
    assert_eq!(Release::from_stored(stored).unwrap(), r);
}

#[test]
fn errors_name_the_field() {
    let mut f = form(AGENCY, &["enrollment"]);
    f.recipients.clear();
    assert_eq!(err(f).field, "recipients");

    assert_eq!(
        err(form("police", &["enrollment"])).field,
        "recipients[0].agency_id"
    );
    assert_eq!(
        err(form(AGENCY, &["enrollment", "gossip"])).field,
        "recipients[0].categories[1]"
    );
    assert_eq!(err(form(AGENCY, &[])).field, "recipients[0].categories");

    let mut f = form(AGENCY, &["enrollment"]);
    f.recipients.push(f.recipients[0].clone());
    assert_eq!(err(f).field, "recipients[1].agency_id");

    let mut f = form(AGENCY, &["enrollment"]);
    f.purpose = "  ".into();
    assert_eq!(err(f).field, "purpose");

    let mut f = form(AGENCY, &["enrollment"]);
    f.effective_on = Some("2027-12-01".into());
    assert_eq!(err(f).field, "expires_on");

    let mut f = form(AGENCY, &["enrollment"]);
    f.expires_on = "30/11/2027".into();
    assert_eq!(err(f).field, "expires_on");

    let mut f = form(AGENCY, &["enrollment"]);
    f.signature = None;
    assert_eq!(err(f).field, "signature");

    let mut f = form(AGENCY, &["enrollment"]);
    f.signature.as_mut().unwrap().image_base64 = None;
    assert_eq!(err(f).field, "signature.image_base64");
}

#[test]
fn sud_requires_every_part2_element() {
    assert_eq!(err(form(AGENCY, &["sud"])).field, "part2");
    for (field, p) in [
        (
            "part2.discloser",
            Part2Form {
                discloser: " ".into(),
                ..part2()
            },
        ),
        (
            "part2.information",
            Part2Form {
                information: String::new(),
                ..part2()
            },
        ),
        (
            "part2.right_to_revoke_acknowledged",
            Part2Form {
                right_to_revoke_acknowledged: false,
                ..part2()
            },
        ),
    ] {
        let mut f = form(AGENCY, &["sud"]);
        f.part2 = Some(p);
        assert_eq!(err(f).field, field);
    }
    let mut f = form(AGENCY, &["sud", "health"]);
    f.part2 = Some(part2());
    let r = Release::parse(&f, date!(2026 - 11 - 30)).unwrap();
    assert!(r.part2().is_some());
    // Part 2 elements without sud are harmless and dropped.
    let mut f = form(AGENCY, &["health"]);
    f.part2 = Some(part2());
    assert!(
        Release::parse(&f, date!(2026 - 11 - 30))
            .unwrap()
            .part2()
            .is_none()
    );
}

#[test]
fn revocation_is_once_and_immediate() {
    let tz = handoff_domain::site_time::SiteTimeZone::parse("America/Los_Angeles").unwrap();
    let mut r = Release::parse(&form(AGENCY, &["enrollment"]), date!(2026 - 11 - 30)).unwrap();
    let at = time::macros::datetime!(2026-12-10 18:00 UTC);
    assert_eq!(r.status(tz.at(at)), ReleaseStatus::InForce);
    r.revoke(at).unwrap();
    assert_eq!(r.status(tz.at(at)), ReleaseStatus::Revoked);
    assert_eq!(r.revoke(at), Err(AlreadyRevoked));
}

#[test]
fn in_force_through_the_last_local_day() {
    let tz = handoff_domain::site_time::SiteTimeZone::parse("America/Los_Angeles").unwrap();
    let r = Release::parse(&form(AGENCY, &["enrollment"]), date!(2026 - 11 - 30)).unwrap();
    // 23:30 on 30 Nov 2027 in Seattle is 07:30 UTC on 1 Dec.
    let last_minutes = time::macros::datetime!(2027-12-01 07:30 UTC);
    assert_eq!(r.status(tz.at(last_minutes)), ReleaseStatus::InForce);
    let next_day = time::macros::datetime!(2027-12-01 08:00 UTC);
    assert_eq!(r.status(tz.at(next_day)), ReleaseStatus::Expired);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_category() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(DataCategory::ALL).prop_map(|c| c.as_str().to_owned()),
            "[a-z]{0,8}",
        ]
    }

    proptest! {
        #[test]
        fn a_parsed_release_keeps_its_invariants(
            categories in proptest::collection::vec(any_category(), 0..5),
            effective in proptest::option::of(0i64..800),
            expires in -100i64..900,
            with_part2 in any::<bool>(),
        ) {
            let today = date!(2026 - 11 - 30);
            let day = |n: i64| (today + time::Duration::days(n)).to_string();
            let cats: Vec<&str> = categories.iter().map(String::as_str).collect();
            let mut f = form(AGENCY, &cats);
            f.effective_on = effective.map(day);
            f.expires_on = day(expires);
            if with_part2 {
                f.part2 = Some(part2());
            }
            match Release::parse(&f, today) {
                Ok(r) => {
                    prop_assert!(r.expires_on() > r.effective_on());
                    prop_assert!(r.expires_on() >= today);
                    prop_assert!(!r.recipients()[0].categories().is_empty());
                    let sud = r.recipients().iter().any(|x| x.grants(DataCategory::Sud));
                    prop_assert_eq!(r.part2().is_some(), sud);
                    prop_assert_eq!(r.revoked_at(), None);
                }
                Err(e) => {
                    prop_assert!(!e.field.is_empty());
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }
}
