//! Oversight sees de-identified figures only, with small cells suppressed so
//! that no suppressed count can be worked out from the rest of the answer,
//! over closed months only, with places from the site's areas.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_store::args;
use reqwest::StatusCode;
use serde_json::{Value, json};

const MEASURES: [&str; 4] = ["referrals", "eligible", "diverted", "enrolled"];

/// Moves everything recorded so far (referrals and audit entries) into a
/// month that has ended, 40 days back.
async fn into_a_closed_month(app: &TestApp) {
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(40);
    let mut c = app.store.conn();
    c.execute("UPDATE referrals SET referred_at = $1", args![past])
        .await
        .unwrap();
    c.execute("UPDATE audit_log SET at = $1", args![past])
        .await
        .unwrap();
}

async fn refer(officer: &TestApp, body: &Value) {
    let (s, v) = officer.post("/api/v1/referrals", body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

fn count(c: &Value) -> Option<u64> {
    c["count"].as_u64()
}

/// The attacker: adds and subtracts within one answer. Each breakdown adds
/// up to the total of all referrals (published, or the sum of the doors when
/// all are shown); the officers add up to the arrest and social-contact
/// doors. Fails where that pins a suppressed count down: a breakdown with
/// exactly one suppressed cell (it is the remainder), or suppressed cells
/// whose remainder is too small for each of them to be anything from 1 to 10
/// (two that sum to 2 are each 1).
fn assert_nothing_derivable(sum: &Value) {
    let rows = |k: &str| sum[k].as_array().cloned().unwrap_or_default();
    let door = |label: &str, m: &str| {
        rows("by_door")
            .iter()
            .find(|r| r["group"] == label)
            .map_or(Some(0), |r| count(&r[m]))
    };
    for m in MEASURES {
        let by_doors: Option<u64> = rows("by_door").iter().map(|r| count(&r[m])).sum();
        let total = count(&sum["totals"][m]).or(by_doors);
        let by_officers = door("Arrest diversion", m)
            .zip(door("Social contact", m))
            .map(|(a, b)| a + b);
        for (k, known) in [
            ("by_door", total),
            ("by_race", total),
            ("by_place", total),
            ("by_officer", by_officers),
        ] {
            let Some(known) = known else { continue };
            let cells = rows(k);
            let unknown = cells.iter().filter(|r| count(&r[m]).is_none()).count() as u64;
            let shown: u64 = cells.iter().filter_map(|r| count(&r[m])).sum();
            let rest = known.saturating_sub(shown);
            assert_ne!(
                unknown, 1,
                "{k}.{m}: the one suppressed cell is {known} − {shown} = {rest}\n{sum:#}"
            );
            if unknown > 1 {
                assert!(
                    rest + 1 >= 10 + unknown,
                    "{k}.{m}: {unknown} suppressed cells sum to {rest}, so each is at most {}\n{sum:#}",
                    rest + 1 - unknown
                );
            }
        }
    }
}

async fn second_officer(app: &TestApp, email: &str) {
    colleague(
        app,
        "officer@demo.test",
        email,
        "Officer Two",
        handoff_domain::Role::Officer,
    )
    .await;
}

both!(oversight_sees_counts_not_people, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    // 30 White and 30 Black arrest-door contacts, of whom 25 and 15 diverted
    // (the others excluded), and 3 Asian contacts (a small cell).
    for (race, n, diverted) in [
        ("White", 30, 25),
        ("Black/African American", 30, 15),
        ("Asian", 3, 3),
    ] {
        for i in 0..n {
            let mut b = arrest(&format!("Person{race}{i}"));
            b["person"]["race"] = json!(race);
            b["location"]["area"] = json!("West Precinct");
            if i >= diverted {
                b["offenses"] = json!([{"category": "violent"}]);
            }
            refer(&officer, &b).await;
        }
    }
    into_a_closed_month(&app).await;
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
    assert_eq!(sum["totals"]["referrals"]["count"], 63);
    assert_eq!(race("White")["referrals"]["count"], 30);
    assert_eq!(race("White")["diverted"]["count"], 25);
    assert_eq!(race("Asian")["referrals"]["suppressed"], true);
    // 3 diverted Asian contacts would be 43 − 25 − 15: the next smallest
    // goes with it.
    assert_eq!(
        race("Black")["diverted"],
        json!({"count": null, "suppressed": true}),
    );
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
        rri("Black")["rri"].is_null(),
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
    assert_eq!(sum["holds"]["state:pending"]["count"], 43);
    assert!(
        sum["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "referral.create" && a["role"] == "officer")
    );
    assert_nothing_derivable(&sum);
    // Other roles do not get it; oversight gets no participant rows.
    assert_eq!(
        officer.get_json("/api/v1/oversight/summary").await.0,
        StatusCode::FORBIDDEN
    );
    let (_, list) = oversight.get_json("/api/v1/participants").await;
    assert_eq!(list, json!([]));
});

both!(
    oversight_lone_suppressed_officer_is_not_the_door_total_minus_the_rest,
    |db| async move {
        let app = TestApp::spawn(db).await;
        second_officer(&app, "officer2@demo.test").await;
        let one = as_user(&app, "officer@demo.test").await;
        let two = as_user(&app, "officer2@demo.test").await;
        // 15 arrest diversions by one officer and 4 by the other: 19 at the
        // door, so the 4 was 19 − 15 when only it was suppressed.
        for i in 0..15 {
            refer(&one, &arrest(&format!("One{i}"))).await;
        }
        for i in 0..4 {
            refer(&two, &arrest(&format!("Two{i}"))).await;
        }
        into_a_closed_month(&app).await;
        let oversight = as_user(&app, "oversight@demo.test").await;
        let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(s, StatusCode::OK, "{sum}");
        let door = sum["by_door"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["group"] == "Arrest diversion")
            .unwrap()
            .clone();
        assert_eq!(door["referrals"]["count"], 19, "{sum:#}");
        assert_nothing_derivable(&sum);
        let officers = sum["by_officer"].as_array().unwrap();
        assert_eq!(officers.len(), 2);
        assert!(
            officers
                .iter()
                .all(|o| o["referrals"]["suppressed"] == true),
            "{sum:#}"
        );
    }
);

both!(
    oversight_two_suppressed_places_do_not_sum_to_a_small_known_total,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        // 20 referrals in the West Precinct and one each in the North and South:
        // with the 22 known, the two suppressed places summing to 2 are each 1.
        for (i, (area, address)) in std::iter::repeat_n(("West Precinct", "300 W St"), 20)
            .chain([
                ("North Precinct", "100 N St"),
                ("South Precinct", "200 S St"),
            ])
            .enumerate()
        {
            let mut b = arrest(&format!("Place{i}"));
            b["location"] = json!({"address": address, "area": area});
            refer(&officer, &b).await;
        }
        into_a_closed_month(&app).await;
        let oversight = as_user(&app, "oversight@demo.test").await;
        let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(s, StatusCode::OK, "{sum}");
        assert_nothing_derivable(&sum);
        // Labels are the site's areas, each listed, and never the addresses.
        let places: Vec<&str> = sum["by_place"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["group"].as_str().unwrap())
            .collect();
        assert_eq!(
            places,
            [
                "East Precinct",
                "North Precinct",
                "Other/unspecified",
                "South Precinct",
                "Southwest Precinct",
                "West Precinct"
            ]
        );
        // An area the site does not define is refused.
        let mut b = arrest("Nowhere");
        b["location"]["area"] = json!("Maple Ave");
        let (s, v) = officer.post("/api/v1/referrals", &b).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "location.area", "{v}");
    }
);

both!(
    oversight_answer_does_not_move_when_one_referral_is_made_today,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        for i in 0..15 {
            let mut b = arrest(&format!("Before{i}"));
            b["person"]["race"] = json!("White");
            refer(&officer, &b).await;
        }
        into_a_closed_month(&app).await;
        let oversight = as_user(&app, "oversight@demo.test").await;
        let (s, before) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(s, StatusCode::OK, "{before}");
        // One more referral, today: comparing the answers would give its race,
        // door, place and officer.
        let mut b = arrest("Today");
        b["person"]["race"] = json!("Asian");
        refer(&officer, &b).await;
        let (_, after) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(before, after, "the answer moved with one referral");
        let page_before = oversight.get("/oversight").await.text().await.unwrap();
        refer(&officer, &arrest("Today2")).await;
        let page_after = oversight.get("/oversight").await.text().await.unwrap();
        let body = |p: &str| p[p.find("<h1").unwrap_or(0)..].to_string();
        assert_eq!(body(&page_before), body(&page_after));
        // It covers the closed months, and says which.
        assert_eq!(after["totals"]["referrals"]["count"], 15, "{after:#}");
        let last = after["period"]["to"].as_str().unwrap().to_string();
        assert!(page_after.contains(&last));
        // `to` is clamped to the last closed month; a `from` after it is refused.
        let (s, later) = oversight
            .get_json("/api/v1/oversight/summary?to=2999-12")
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(later["period"]["to"], last);
        for bad in ["from=2999-01", "from=March", "to=2026-13"] {
            let (s, v) = oversight
                .get_json(&format!("/api/v1/oversight/summary?{bad}"))
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        }
    }
);

both!(oversight_never_prints_a_typed_address, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let typed = "4411 Maple Ave Apt 3B, behind the blue house";
    for i in 0..12 {
        let mut b = arrest(&format!("Typed{i}"));
        b["location"] = json!({"address": typed});
        refer(&officer, &b).await;
    }
    into_a_closed_month(&app).await;
    let oversight = as_user(&app, "oversight@demo.test").await;
    let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    let page = oversight.get("/oversight").await.text().await.unwrap();
    for text in [sum.to_string(), page.clone()] {
        for part in ["4411", "Maple", "blue house"] {
            assert!(!text.contains(part), "{part} printed");
        }
    }
    let other = sum["by_place"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == "Other/unspecified")
        .cloned()
        .unwrap_or_default();
    assert_eq!(other["referrals"]["count"], 12, "{sum:#}");
    assert!(page.contains("Other/unspecified"));
});

both!(
    oversight_audit_summary_has_no_count_from_1_to_10,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        for i in 0..12 {
            refer(&officer, &arrest(&format!("Audit{i}"))).await;
        }
        let oversight = as_user(&app, "oversight@demo.test").await;
        for _ in 0..3 {
            oversight.get_json("/api/v1/oversight/summary").await;
        }
        into_a_closed_month(&app).await;
        let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(s, StatusCode::OK, "{sum}");
        let audit = sum["audit"].as_array().unwrap();
        assert!(!audit.is_empty());
        for a in audit {
            let n = a["count"].as_u64();
            assert!(
                !matches!(n, Some(1..=10)),
                "audit {} by {} ({}) shows {n:?}",
                a["action"],
                a["role"],
                a["outcome"]
            );
            assert_eq!(a["suppressed"], n.is_none(), "{a}");
        }
        assert!(
            audit
                .iter()
                .any(|a| a["action"] == "referral.create" && a["count"] == 12),
            "{sum:#}"
        );
        let page = oversight.get("/oversight").await.text().await.unwrap();
        assert!(page.contains("referral.create"));
    }
);

both!(
    oversight_and_the_evaluation_speak_one_race_vocabulary,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        for (i, race) in [
            "Black/African American",
            "Native Hawaiian/Pacific Islander",
            "Unknown",
            "B",
        ]
        .iter()
        .enumerate()
        {
            let mut b = arrest(&format!("Vocabulary{i}"));
            b["person"]["race"] = json!(race);
            let (s, v) = officer.post("/api/v1/referrals", &b).await;
            assert!(s == StatusCode::CREATED || *race == "B", "{v}");
        }
        into_a_closed_month(&app).await;
        let oversight = as_user(&app, "oversight@demo.test").await;
        let (_, sum) = oversight.get_json("/api/v1/oversight/summary").await;
        let evaluation: Vec<&str> = handoff_justice::evaluation::EvalRace::ALL
            .iter()
            .map(|r| r.label())
            .collect();
        let groups: Vec<String> = sum["by_race"]
            .as_array()
            .unwrap_or_else(|| panic!("{sum}"))
            .iter()
            .map(|r| r["group"].as_str().unwrap().to_string())
            .collect();
        assert!(!groups.is_empty());
        for g in &groups {
            assert!(
                evaluation.contains(&g.as_str()),
                "{g} is not one of {evaluation:?}"
            );
        }
        assert!(
            groups.contains(&"Black".to_string()) && groups.contains(&"Other".to_string()),
            "{groups:?}"
        );
        // The page says what the groups are and what "lapsed" counts, as the
        // prosecutor's queue does.
        let page = oversight.get("/oversight").await.text().await.unwrap();
        assert!(
            page.contains("Race groups are the evaluation"),
            "the groups explained"
        );
        assert!(page.contains("Lapsed counts every such hold, decided or not"));
        let queue = as_user(&app, "prosecutor@demo.test")
            .await
            .get("/holds")
            .await
            .text()
            .await
            .unwrap();
        assert!(queue.contains("Lapsed counts every such hold, decided or not"));
    }
);
