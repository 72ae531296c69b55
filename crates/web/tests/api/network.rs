//! The LEAD network: the Bureau's cross-site figures (two sites side by
//! side, small cells and what would reveal them suppressed), a person with
//! roles in two sites who sees only the site they switched to, a scorecard
//! checked against values worked out by hand, and who may read what.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::{AgencyKind, Role};
use handoff_network::sites::{NewSite, Template};
use handoff_store::args;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Date, Duration, Month as M, OffsetDateTime, Time};

/// A second site of the demo's network, started from the Santa Fe
/// template with its roster (`ROLE@second.test`).
async fn second_site(app: &TestApp) -> handoff_domain::SiteId {
    let network = handoff_network::default_network(&app.store).await.unwrap();
    handoff_network::sites::create(
        &app.store,
        &network,
        NewSite {
            name: "Second County LEAD",
            slug: "second",
            time_zone: "America/Los_Angeles",
            template: Template::SantaFe,
            demo_password: Some(DEMO_PASSWORD),
        },
    )
    .await
    .unwrap()
    .id
}

/// The month four months back (`YYYY-MM`) and noon UTC on its 15th: a
/// closed month the scheduler's refresh of the last two leaves alone.
fn closed_month() -> (String, OffsetDateTime) {
    let today = OffsetDateTime::now_utc().date();
    let (mut y, mut m) = (today.year(), today.month() as u8);
    for _ in 0..4 {
        if m == 1 {
            (y, m) = (y - 1, 12);
        } else {
            m -= 1;
        }
    }
    let d = Date::from_calendar_date(y, M::try_from(m).unwrap(), 15).unwrap();
    (
        format!("{y:04}-{m:02}"),
        d.with_time(Time::from_hms(12, 0, 0).unwrap()).assume_utc(),
    )
}

/// Moves every referral and hold so far into `at`'s month.
async fn into(app: &TestApp, at: OffsetDateTime) {
    let mut c = app.store.conn();
    c.execute(
        "UPDATE referrals SET referred_at = $1, occurred_at = $1",
        args![at],
    )
    .await
    .unwrap();
    c.execute(
        "UPDATE holds SET referred_at = $1, deadline_at = $2",
        args![at, at + Duration::days(30)],
    )
    .await
    .unwrap();
}

fn community(last: &str) -> Value {
    let mut b = arrest(last);
    b["door"] = json!("community");
    b
}

fn site<'a>(figures: &'a Value, slug: &str) -> &'a Value {
    figures["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == slug)
        .unwrap_or_else(|| panic!("no site {slug} in {figures:#}"))
}

both!(
    the_bureau_sees_two_sites_side_by_side_with_small_cells_suppressed,
    |db| async move {
        let app = TestApp::spawn(db).await;
        second_site(&app).await;
        let officer = as_user(&app, "officer@demo.test").await;
        for i in 0..12 {
            refer(&officer, &arrest(&format!("Figueroa{i}"))).await;
        }
        let outreach = as_user(&app, "community@second.test").await;
        for i in 0..3 {
            refer(&outreach, &community(&format!("Quintero{i}"))).await;
        }
        let (month, at) = closed_month();
        into(&app, at).await;

        let bureau = as_user(&app, "bureau@demo.test").await;
        let (s, sites) = bureau.get_json("/api/v1/network/sites").await;
        assert_eq!(s, StatusCode::OK, "{sites}");
        let slugs: Vec<&str> = sites
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["slug"].as_str().unwrap())
            .collect();
        assert!(
            slugs.contains(&"demo") && slugs.contains(&"second"),
            "{sites}"
        );
        for s in sites.as_array().unwrap() {
            assert!(s["id"].is_string() && s["name"].is_string(), "{s}");
        }

        let (s, f) = bureau
            .get_json(&format!("/api/v1/network/figures?from={month}&to={month}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["period"]["from"], month.as_str());
        let demo = &site(&f, "demo")["months"][0];
        let second = &site(&f, "second")["months"][0];
        let network = &f["network"]["months"][0];
        assert_eq!(demo["month"], month.as_str());
        // Three community referrals at the second site: suppressed, null beside true.
        assert_eq!(
            second["referrals"],
            json!({"count": null, "suppressed": true}),
            "{f:#}"
        );
        assert_eq!(second["by_door"]["community"]["suppressed"], true);
        // Secondary suppression: the network's 15 and the demo site's 12 may
        // not both be shown, or 15 − 12 gives the second site's 3 away.
        assert!(
            demo["referrals"]["suppressed"] == true || network["referrals"]["suppressed"] == true,
            "{f:#}"
        );
        // Doors that add up to the demo site's referrals hide nothing either.
        let door_counts: Vec<Option<u64>> = ["arrest_diversion", "social_contact", "community"]
            .iter()
            .map(|d| demo["by_door"][d]["count"].as_u64())
            .collect();
        if let Some(total) = demo["referrals"]["count"].as_u64() {
            let unknown = door_counts.iter().filter(|c| c.is_none()).count();
            assert_ne!(unknown, 1, "{total}: {f:#}");
        }
        // Zeros are shown.
        assert_eq!(
            demo["by_door"]["social_contact"],
            json!({"count": 0, "suppressed": false})
        );
        // Aggregates only: no name, no person.
        let text = f.to_string();
        assert!(!text.contains("Figueroa") && !text.contains("Quintero") && !text.contains("Dana"));

        // The figures come from the monthly rollups: twelve more referrals at
        // the second site show once its month is refreshed (the scheduler's
        // job), not before.
        for i in 3..15 {
            refer(&outreach, &community(&format!("Quintero{i}"))).await;
        }
        into(&app, at).await;
        let path = format!("/api/v1/network/figures?from={month}&to={month}");
        let (_, f) = bureau.get_json(&path).await;
        assert_eq!(
            site(&f, "second")["months"][0]["referrals"]["suppressed"],
            true
        );
        let second_site = handoff_store::orgs::find_site_by_slug(&mut app.store.conn(), "second")
            .await
            .unwrap()
            .unwrap();
        handoff_network::rollup::compute_and_store(
            &app.store,
            &second_site,
            handoff_figures::Month::parse(&month, "month").unwrap(),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
        let (_, f) = bureau.get_json(&path).await;
        assert_eq!(
            site(&f, "second")["months"][0]["referrals"],
            json!({"count": 15, "suppressed": false}),
            "{f:#}"
        );

        // A case manager reads neither the network's sites nor its figures.
        let cm = as_user(&app, "casemanager@demo.test").await;
        assert_eq!(
            cm.get_json("/api/v1/network/sites").await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            cm.get_json("/api/v1/network/figures").await.0,
            StatusCode::FORBIDDEN
        );
        // A bad month names its field.
        let (s, e) = bureau
            .get_json("/api/v1/network/figures?from=2026-13")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "from");
    }
);

both!(
    a_person_with_roles_in_two_sites_sees_only_the_site_switched_to,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let second = second_site(&app).await;
        let demo = demo_site(&app).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let ours = refer(&officer, &arrest("Demoside")).await;
        let outreach = as_user(&app, "community@second.test").await;
        let theirs = refer(&outreach, &community("Secondside")).await;
        handoff_network::sites::grant_role(
            &app.store,
            second,
            "supervisor@demo.test",
            Role::Supervisor,
            AgencyKind::CaseManagement,
        )
        .await
        .unwrap();

        let sup = as_user(&app, "supervisor@demo.test").await;
        let ids = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        };
        // Before switching: the demo site only. The replay of reading the other
        // site without switching fails.
        let (s, list) = sup.get_json("/api/v1/referrals").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            ids(&list).contains(&ours) && !ids(&list).contains(&theirs),
            "{list}"
        );
        assert_eq!(
            sup.get_json(&format!("/api/v1/referrals/{theirs}")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            sup.get_json(&format!("/api/v1/sites/{second}/scorecard"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let (_, mine) = sup.get_json("/api/v1/session/sites").await;
        assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .any(|s| s["slug"] == "demo" && s["current"] == true)
        );

        // Switch.
        let (s, v) = sup
            .post(
                "/api/v1/session/site",
                &json!({"site_id": second.to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["slug"], "second");
        let (_, me) = sup.get_json("/api/v1/me").await;
        assert_eq!(me["site"]["id"], second.to_string());
        let (_, list) = sup.get_json("/api/v1/referrals").await;
        assert!(
            ids(&list).contains(&theirs) && !ids(&list).contains(&ours),
            "{list}"
        );
        assert_eq!(
            sup.get_json(&format!("/api/v1/referrals/{ours}")).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            sup.get_json(&format!("/api/v1/sites/{second}/scorecard"))
                .await
                .0,
            StatusCode::OK
        );
        assert_eq!(
            sup.get_json(&format!("/api/v1/sites/{demo}/scorecard"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        // And back.
        let (s, _) = sup
            .post(
                "/api/v1/session/site",
                &json!({"site_id": demo.to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, list) = sup.get_json("/api/v1/referrals").await;
        assert!(ids(&list).contains(&ours) && !ids(&list).contains(&theirs));

        // Someone without a role there cannot switch in, and stays where they were.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (s, e) = cm
            .post(
                "/api/v1/session/site",
                &json!({"site_id": second.to_string()}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "site_id");
        let (_, me) = cm.get_json("/api/v1/me").await;
        assert_eq!(me["site"]["id"], demo.to_string());
        assert_audit_chain_intact(&app).await;
    }
);

fn indicator<'a>(card: &'a Value, key: &str) -> &'a Value {
    card["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {card:#}"))
}

both!(
    a_scorecard_matches_the_values_worked_out_by_hand,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let demo = demo_site(&app).await;
        let second = second_site(&app).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let outreach = as_user(&app, "community@demo.test").await;
        // Four arrest diversions and one community referral: community share 1/5.
        let mut arrests = Vec::new();
        for last in ["Abara", "Bello", "Cruz", "Dahl"] {
            arrests.push(refer(&officer, &arrest(last)).await);
        }
        refer(&outreach, &community("Eze")).await;
        // Two hand-offs accepted: one in 10 minutes, one in 45 (target 30): 1/2.
        steps(&cm, &arrests[0], &["accept"]).await;
        steps(&cm, &arrests[1], &["accept"]).await;
        let (month, at) = closed_month();
        into(&app, at).await;
        let mut c = app.store.conn();
        for (rid, minutes) in [(&arrests[0], 10), (&arrests[1], 45)] {
            let id: uuid::Uuid = rid.parse().unwrap();
            c.execute(
                "UPDATE referrals SET accepted_at = $1 WHERE id = $2",
                args![at + Duration::minutes(minutes), id],
            )
            .await
            .unwrap();
        }
        // Of the holds, one satisfied and one lapsed in the month: 1/2.
        for (rid, column) in [(&arrests[2], "satisfied"), (&arrests[3], "lapsed")] {
            let id: uuid::Uuid = rid.parse().unwrap();
            let sql = if column == "satisfied" {
                "UPDATE holds SET state = 'satisfied', satisfied_at = $1 WHERE referral_id = $2"
            } else {
                "UPDATE holds SET state = 'lapsed', lapsed_at = $1 WHERE referral_id = $2"
            };
            c.execute(sql, args![at + Duration::days(5), id])
                .await
                .unwrap();
        }

        let sup = as_user(&app, "supervisor@demo.test").await;
        let (s, card) = sup
            .get_json(&format!(
                "/api/v1/sites/{demo}/scorecard?from={month}&to={month}"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["site_id"], demo.to_string());
        let check = |key: &str, value: Value, target: f64, status: &str| {
            let i = indicator(&card, key);
            assert_eq!(i["value"], value, "{key}: {i}");
            assert_eq!(i["target"].as_f64().unwrap(), target, "{key}: {i}");
            assert_eq!(i["status"], status, "{key}: {i}");
            assert!(i["label"].is_string());
        };
        check("community_door_share", json!(0.2), 0.1, "met");
        check("handoffs_within_target", json!(0.5), 0.8, "not_met");
        check("holds_satisfied", json!(0.5), 0.7, "watch");
        check("closed_for_noncompliance", json!(0.0), 0.0, "met");
        check("max_caseload", json!(0.0), 25.0, "met");
        check("policy_versions_adopted", json!(0.0), 1.0, "watch");
        // No OWG meeting in the month: the whole month is the longest gap.
        let days = indicator(&card, "owg_longest_gap_days")["value"]
            .as_f64()
            .unwrap();
        assert!((28.0..=31.0).contains(&days), "{card:#}");
        assert_eq!(
            indicator(&card, "owg_longest_gap_days")["status"],
            "not_met"
        );
        assert_eq!(
            indicator(&card, "handoffs_within_target")["trend"],
            json!([{"month": month, "value": 0.5}])
        );

        // The Bureau lowers the hand-off target: a new version, and the status follows.
        let bureau = as_user(&app, "bureau@demo.test").await;
        let (s, t) = bureau
        .put(
            "/api/v1/network/targets",
            &json!({"targets": {"handoffs_within_target": {"target": 0.5, "watch": 0.4}}, "note": "first year"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["version"], 1);
        let (s, e) = bureau
            .put(
                "/api/v1/network/targets",
                &json!({"targets": {"nonsense": {"target": 1, "watch": 1}}}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "targets.nonsense");
        let (s, card) = bureau
            .get_json(&format!(
                "/api/v1/sites/{demo}/scorecard?from={month}&to={month}"
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["targets_version"], 1);
        assert_eq!(indicator(&card, "handoffs_within_target")["status"], "met");
        // The Bureau reads every site's scorecard.
        assert_eq!(
            bureau
                .get_json(&format!("/api/v1/sites/{second}/scorecard"))
                .await
                .0,
            StatusCode::OK
        );

        // Permissions: the other site's supervisor, a case manager, a supervisor
        // changing targets.
        let other = as_user(&app, "supervisor@second.test").await;
        assert_eq!(
            other
                .get_json(&format!("/api/v1/sites/{demo}/scorecard"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            cm.get_json(&format!("/api/v1/sites/{demo}/scorecard"))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let (s, _) = sup
            .put("/api/v1/network/targets", &json!({"targets": {}}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);
