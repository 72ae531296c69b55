//! Coordination a real site needs, over HTTP: more than one prosecuting
//! office (holds and new charges go to the office that owns the case, by
//! offence class or jurisdiction, as the site's policy says; each office's
//! prosecutors see only their own holds), and the catchment area as a
//! screening rule (outside is not met; no area given is "not checked").

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::{AgencyKind, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The demo site with a second prosecuting office (the County's) that owns
/// drug cases and anything in the North Precinct; the City (the demo
/// prosecutor's office) owns the rest. The County's prosecutor, signed in.
async fn two_offices(app: &TestApp) -> (TestApp, String, String) {
    let admin = as_user(app, "admin@demo.test").await;
    let county = outsider(
        app,
        "County Prosecutor",
        AgencyKind::Prosecutor,
        Role::Prosecutor,
    )
    .await;
    let county_id = agency_named(app, "County Prosecutor", AgencyKind::Prosecutor)
        .await
        .id
        .to_string();
    let city_id = user(app, "prosecutor@demo.test")
        .await
        .agency_id
        .to_string();
    let (c, k) = (city_id.clone(), county_id.clone());
    change_policy(&admin, move |p| {
        p["prosecuting_offices"] = json!([
            {"agency_id": k, "offence_classes": ["drug_possession", "drug_sales"]},
            {"agency_id": k, "jurisdictions": ["North Precinct"]},
            {"agency_id": c},
        ]);
    })
    .await;
    (county, county_id, city_id)
}

fn theft(last: &str, area: Option<&str>) -> Value {
    let mut b = arrest(last);
    b["offenses"] = json!([{"category": "theft"}]);
    if let Some(a) = area {
        b["location"]["area"] = json!(a);
    }
    b
}

fn referral_ids(holds: &Value) -> Vec<String> {
    holds
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {holds}"))
        .iter()
        .map(|h| h["referral_id"].as_str().unwrap().to_string())
        .collect()
}

both!(holds_go_to_the_office_that_owns_the_case, |db| async move {
    let app = TestApp::spawn(db).await;
    let (county, _, _) = two_offices(&app).await;
    let city = as_user(&app, "prosecutor@demo.test").await;
    let officer = as_user(&app, "officer@demo.test").await;
    let drugs = refer(&officer, &arrest("Owned")).await;
    let shop = refer(&officer, &theft("Shoplift", Some("West Precinct"))).await;
    let north = refer(&officer, &theft("Northside", Some("North Precinct"))).await;

    let (s, county_holds) = county.get_json("/api/v1/holds").await;
    assert_eq!(s, StatusCode::OK, "{county_holds}");
    let (_, city_holds) = city.get_json("/api/v1/holds").await;
    let (k, c) = (referral_ids(&county_holds), referral_ids(&city_holds));
    assert!(k.contains(&drugs) && k.contains(&north), "{county_holds}");
    assert!(!k.contains(&shop), "the County never sees the City's hold");
    assert!(c.contains(&shop), "{city_holds}");
    assert!(
        !c.contains(&drugs) && !c.contains(&north),
        "the City never sees the County's holds"
    );
    // The queue (paged) shows the same split.
    let (_, q) = city.get_json("/api/v1/holds/queue").await;
    let q = q.get("items").cloned().unwrap_or(q);
    assert_eq!(referral_ids(&q), vec![shop.clone()], "{q}");
    // The supervisor sees all three.
    let (_, all) = as_user(&app, "supervisor@demo.test")
        .await
        .get_json("/api/v1/holds")
        .await;
    let all = referral_ids(&all);
    assert!([&drugs, &shop, &north].iter().all(|r| all.contains(r)));
});

both!(one_office_keeps_every_hold_as_before, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let rid = refer(&officer, &theft("Single", None)).await;
    let (_, holds) = as_user(&app, "prosecutor@demo.test")
        .await
        .get_json("/api/v1/holds")
        .await;
    assert_eq!(referral_ids(&holds), vec![rid]);
});

both!(
    the_policy_names_only_the_sites_prosecutors_and_areas,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;
        let police = user(&app, "officer@demo.test").await.agency_id.to_string();
        let (_, p) = admin.get_json("/api/v1/policy").await;
        let mut policy = p["policy"].clone();
        policy["prosecuting_offices"] = json!([{"agency_id": police}]);
        let (s, e) = admin
            .put("/api/v1/policy", &json!({ "policy": policy }))
            .await;
        assert_invalid(s, &e, "policy.prosecuting_offices[0].agency_id");
        let mut policy = p["policy"].clone();
        policy["catchment_areas"] = json!(["West Precinct", "Atlantis"]);
        let (s, e) = admin
            .put("/api/v1/policy", &json!({ "policy": policy }))
            .await;
        assert_invalid(s, &e, "policy.catchment_areas[1]");
        // A valid document keeps its coordination keys through an edit.
        let mut policy = p["policy"].clone();
        policy["catchment_areas"] = json!(["West Precinct"]);
        let (s, v) = admin
            .put("/api/v1/policy", &json!({ "policy": policy }))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["policy"]["catchment_areas"], json!(["West Precinct"]));
        change_policy(&admin, |p| p["hold_window_days"] = json!(14)).await;
        let (_, p) = admin.get_json("/api/v1/policy").await;
        assert_eq!(p["policy"]["catchment_areas"], json!(["West Precinct"]));
        assert_eq!(p["policy"]["hold_window_days"], 14);
    }
);

both!(
    a_new_charge_goes_to_the_office_that_owns_it,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (county, _, _) = two_offices(&app).await;
        let city = as_user(&app, "prosecutor@demo.test").await;
        // A drug arrest: the County holds the case and may know the participant.
        let (pid, _) = demo_participant(&app, &arrest("Charged"), "housing").await;
        // A new theft charge the County enters belongs to the City.
        let (s, c) = county
        .post(
            "/api/v1/coordination",
            &json!({"participant_id": pid, "charge": "Theft 3", "case_number": "26-1-0042", "offence_class": "theft"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let cid = c["id"].as_str().unwrap();
        let (s, v) = city.get_json(&format!("/api/v1/coordination/{cid}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["charge"], "Theft 3");
        let (s, _) = county
            .get_json(&format!("/api/v1/coordination/{cid}"))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "routed away from the opener");
        // A new drug charge stays with the County; one without class or
        // jurisdiction stays with whoever opened it.
        for body in [
            json!({"participant_id": pid, "charge": "VUCSA", "offence_class": "drug_possession"}),
            json!({"participant_id": pid, "charge": "Trespass 2"}),
        ] {
            let (s, c) = county.post("/api/v1/coordination", &body).await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
            let path = format!("/api/v1/coordination/{}", c["id"].as_str().unwrap());
            assert_eq!(county.get_json(&path).await.0, StatusCode::OK, "{body}");
            assert_eq!(city.get_json(&path).await.0, StatusCode::NOT_FOUND);
        }
    }
);

fn catchment(r: &Value) -> Value {
    r["eligibility"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "catchment")
        .cloned()
        .unwrap_or(Value::Null)
}

both!(the_catchment_area_screens_a_referral, |db| async move {
    let app = TestApp::spawn(db).await;
    let admin = as_user(&app, "admin@demo.test").await;
    let officer = as_user(&app, "officer@demo.test").await;
    // No catchment in the policy: no such rule, as before.
    let (_, r) = officer
        .post(
            "/api/v1/referrals",
            &theft("Anywhere", Some("North Precinct")),
        )
        .await;
    assert_eq!(catchment(&r), Value::Null, "{r}");

    change_policy(&admin, |p| {
        p["catchment_areas"] = json!(["West Precinct", "East Precinct"])
    })
    .await;
    let (s, r) = officer
        .post(
            "/api/v1/referrals",
            &theft("Outside", Some("North Precinct")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let c = catchment(&r);
    assert_eq!(
        (c["passed"].clone(), c["check"].clone()),
        (json!(false), json!("checked")),
        "{r}"
    );
    assert!(
        c["text"]
            .as_str()
            .unwrap()
            .contains("outside the catchment area"),
        "{c}"
    );
    assert_eq!(r["eligibility"]["eligible"], false);
    assert_eq!(r["hold"], Value::Null, "no hold for an ineligible referral");

    let (_, r) = officer
        .post("/api/v1/referrals", &theft("Inside", Some("West Precinct")))
        .await;
    let c = catchment(&r);
    assert_eq!(
        (c["passed"].clone(), c["check"].clone()),
        (json!(true), json!("checked")),
        "{r}"
    );
    assert_eq!(r["eligibility"]["eligible"], true);

    // No area given: not checked (the officer confirms), never met.
    let (_, r) = officer
        .post("/api/v1/referrals", &theft("Nowhere", None))
        .await;
    let c = catchment(&r);
    assert_eq!(
        (c["passed"].clone(), c["check"].clone()),
        (json!(true), json!("not_checked")),
        "{r}"
    );
    assert!(
        c["text"].as_str().unwrap().starts_with("Not checked"),
        "{c}"
    );
    assert_eq!(c["decisive"], false);
    assert_eq!(r["eligibility"]["eligible"], true);
});
