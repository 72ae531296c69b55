//! Oversight sees de-identified figures only, with small cells suppressed.

use crate::both;
use crate::helpers::*;
use crate::workflow::{arrest, as_user};
use reqwest::StatusCode;
use serde_json::json;

both!(oversight_sees_counts_not_people, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    // 12 White and 12 Black arrest-door contacts, of whom 11 and 6 diverted
    // (the others excluded), and 3 Asian contacts (a small cell).
    for (race, n, diverted) in [
        ("White", 12, 11),
        ("Black/African American", 12, 6),
        ("Asian", 3, 3),
    ] {
        for i in 0..n {
            let mut b = arrest(&format!("Person{race}{i}"));
            b["person"]["race"] = json!(race);
            if i >= diverted {
                b["offenses"] = json!([{"category": "violent"}]);
            }
            let (s, v) = officer.post("/api/v1/referrals", &b).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
    }
    let oversight = as_user(&app, "oversight@demo.test").await;
    let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    let text = sum.to_string();
    assert!(
        !text.contains("PersonWhite0") && !text.contains("Dana") && !text.contains("1988"),
        "no row-level data"
    );
    let race = |g: &str| {
        sum["by_race"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == g)
            .unwrap()
            .clone()
    };
    assert_eq!(race("White")["referrals"]["count"], 12);
    assert_eq!(race("White")["eligible"]["count"], 11);
    assert_eq!(
        race("Black/African American")["diverted"],
        json!({"count": null, "suppressed": true}),
        "6 is under 11"
    );
    assert_eq!(race("Asian")["referrals"]["suppressed"], true);
    let rri = |g: &str| {
        sum["rri"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["race"] == g)
            .unwrap()
            .clone()
    };
    assert!((rri("White")["rri"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!(
        rri("Black/African American")["rri"].is_null(),
        "a ratio on a suppressed count is suppressed"
    );
    // The officer appears only as a pseudonym.
    let officers = sum["by_officer"].as_array().unwrap();
    assert_eq!(officers.len(), 1);
    assert!(
        officers[0]["group"]
            .as_str()
            .unwrap()
            .starts_with("Officer ")
    );
    assert!(!text.contains("Ortiz"));
    assert_eq!(sum["holds"]["state:pending"]["count"], 20);
    assert!(
        sum["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "referral.create" && a["role"] == "officer")
    );
    // Other roles do not get it; oversight gets no participant rows.
    assert_eq!(
        officer.get_json("/api/v1/oversight/summary").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, list) = oversight.get_json("/api/v1/participants").await;
    assert_eq!(list, json!([]));
});
