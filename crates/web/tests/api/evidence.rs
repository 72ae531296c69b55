//! Evidence from the site's own data: the eligible-but-booked log (officers
//! only, every field checked, never a referral), programme cost per
//! participant and one PCG table computed by hand, and the evaluation run
//! in one step on the demo site.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn booked(incident: &str) -> Value {
    json!({
        "incident_number": incident,
        "occurred_at": "2026-11-30T22:15:00-08:00",
        "offenses": [{"category": "drug_possession"}],
        "location": {"area": "East Precinct"},
        "person": {"race": "Black/African American", "sex": "M", "approx_age": 34,
                   "first_name": "Ray", "last_name": "Booker", "dob": "1991-02-03"},
        "reason": "diversion_off_shift"
    })
}

both!(
    an_officer_logs_an_eligible_arrest_that_never_becomes_a_referral,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let (s, v) = officer
            .post("/api/v1/eligible-arrests", &booked("26-900001"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert!(v["id"].as_str().is_some(), "{v}");

        // Every problem is named; the first as `field`.
        let (s, v) = officer
            .post(
                "/api/v1/eligible-arrests",
                &json!({"offenses": [{"category": "exploiting_minors"}], "person": {"race": "Martian"}, "reason": "tired"}),
            )
            .await;
        assert_invalid(s, &v, "incident_number");
        let message = v["error"]["message"].as_str().unwrap();
        for field in [
            "occurred_at",
            "offenses[0].category",
            "location",
            "person.race",
            "person.sex",
            "person.approx_age",
            "reason",
        ] {
            assert!(message.contains(field), "{field} missing from {message}");
        }
        // An area the site does not have, and the same incident again.
        let mut b = booked("26-900002");
        b["location"]["area"] = json!("Atlantis");
        let (s, v) = officer.post("/api/v1/eligible-arrests", &b).await;
        assert_invalid(s, &v, "location.area");
        let (s, v) = officer
            .post("/api/v1/eligible-arrests", &booked("26-900001"))
            .await;
        assert_invalid(s, &v, "incident_number");

        // Only officers keep the log.
        for who in [
            "casemanager@demo.test",
            "admin@demo.test",
            "evaluator@demo.test",
            "oversight@demo.test",
        ] {
            let other = as_user(&app, who).await;
            let (s, v) = other
                .post("/api/v1/eligible-arrests", &booked("26-900003"))
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {v}");
        }

        // Never a referral: not in the hand-off inbox, not in the officer's
        // referrals.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (s, inbox) = cm.get_json("/api/v1/referrals/inbox").await;
        assert_eq!(s, StatusCode::OK);
        let (_, mine) = officer.get_json("/api/v1/referrals").await;
        for answer in [&inbox, &mine] {
            let text = answer.to_string();
            assert!(
                !text.contains("26-900001") && !text.contains("Booker"),
                "{text}"
            );
        }
        // The booked side of the oversight RRI counts it (suppressed: one).
        let oversight = as_user(&app, "oversight@demo.test").await;
        let (s, sum) = oversight.get_json("/api/v1/oversight/summary").await;
        assert_eq!(s, StatusCode::OK, "{sum}");
        assert!(
            sum["rri"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r.get("booked").is_some()),
            "{sum}"
        );
    }
);

both!(
    cost_per_participant_year_and_a_pcg_table_match_a_hand_count,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;
        let tz = handoff_domain::site_time::SiteTimeZone::parse("America/Los_Angeles").unwrap();
        let today = tz.local_date(time::OffsetDateTime::now_utc());
        let from = today - time::Duration::days(9);
        let iso =
            |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());

        // Two participants referred (and enrolled) today, one community referral.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let agency = agency_of_kind(&admin, "housing").await;
        for last in ["Hand", "Count"] {
            let (pid, _) = demo_participant(&app, &arrest(last), "a room").await;
            sign_release(&cm, &pid, &release_to(&agency, &["enrollment"], "housing")).await;
        }
        let community = as_user(&app, "community@demo.test").await;
        refer(
            &community,
            &json!({"door": "community", "person": {"first_name": "Lee", "last_name": "Walk", "approx_age": 40, "sex": "F", "race": "White"},
                    "offenses": [], "occurred_at": "2026-11-30T10:00:00Z", "location": {"address": "Westlake Park"}}),
        )
        .await;

        // $1,000 for the ten days, first recorded as $400 (superseded).
        for amount in [400, 1000] {
            let (s, v) = admin
                .post(
                    "/api/v1/program-costs",
                    &json!({"period_start": iso(from), "period_end": iso(today), "category": "case_management", "amount_usd": amount}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        let (s, v) = admin
            .post("/api/v1/program-costs", &json!({"period_start": iso(today), "period_end": iso(from), "category": "staff", "amount_usd": 1}))
            .await;
        assert_invalid(s, &v, "period_end");
        let officer = as_user(&app, "officer@demo.test").await;
        let (s, _) = officer
            .post("/api/v1/program-costs", &json!({"period_start": iso(from), "period_end": iso(today), "category": "staff", "amount_usd": 1}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // By hand: two participants active one day each = 2 participant-days;
        // $1,000 ÷ (2 ÷ 365.25) = $182,625 per participant-year, and
        // $1,000 ÷ (2 ÷ 30.4375) = $15,218.75 per participant-month.
        let (s, c) = admin
            .get_json(&format!(
                "/api/v1/program-costs?from={}&to={}",
                iso(from),
                iso(today)
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["summary"]["total_usd"], json!(1000.0), "{c}");
        assert_eq!(c["summary"]["participants"], json!(2), "{c}");
        assert_eq!(
            c["summary"]["cost_per_participant_year"],
            json!(182625.0),
            "{c}"
        );
        assert_eq!(
            c["summary"]["cost_per_participant_month"],
            json!(15218.75),
            "{c}"
        );
        let versions: Vec<(i64, bool)> = c["costs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["version"].as_i64().unwrap(),
                    r["superseded"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(versions, vec![(1, true), (2, false)]);

        // Referrals by door, by hand: arrest diversion 2 (both eligible),
        // community 1, social contact 0. Case management reads the counts.
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let q = format!("/api/v1/reports/pcg?from={}&to={}", iso(from), iso(today));
        let (s, r) = supervisor.get_json(&q).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let table = r["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "referrals_by_door")
            .unwrap();
        assert_eq!(
            table["rows"],
            json!([
                ["Arrest diversion", 2, 2, 0],
                ["Community referral", 1, 1, 0],
                ["Social contact", 0, 0, 0],
                ["Total", 3, 3, 0]
            ]),
            "{table}"
        );
        // The same table as CSV.
        let csv = supervisor
            .get(&format!("{q}&format=csv&table=referrals_by_door"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            csv,
            "door,referrals,eligible,ineligible\nArrest diversion,2,2,0\nCommunity referral,1,1,0\nSocial contact,0,0,0\nTotal,3,3,0\n"
        );
        // Outside case management, small counts are suppressed.
        let (s, r) = admin.get_json(&q).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["suppressed"], json!(true));
        let table = r["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "referrals_by_door")
            .unwrap();
        assert_eq!(table["rows"][0][1], Value::Null, "{table}");
        let (s, _) = officer.get_json(&q).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Every reading is audited, the refused one too: the supervisor's
        // JSON and CSV, the admin's, the officer's refusal.
        let reads = audited(&app, "pcg.report.read").await;
        let outcomes: Vec<&str> = reads
            .iter()
            .map(|e| e["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(
            outcomes,
            ["allowed", "allowed", "allowed", "denied"],
            "{reads:?}"
        );
        assert!(
            reads[1]["subject_ref"]
                .as_str()
                .unwrap()
                .ends_with("table:referrals_by_door"),
            "{reads:?}"
        );
    }
);

both!(
    the_evaluation_runs_in_one_step_on_the_demo_site,
    |db| async move {
        let app = TestApp::spawn(db).await;
        handoff_web::seed_demo(&app_state(&app)).await.unwrap();
        let officer = as_user(&app, "officer@demo.test").await;
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let body = json!({"from": "2020-01-01", "to": handoff_domain::site_time::SiteTimeZone::parse("America/Los_Angeles").unwrap().local_date(time::OffsetDateTime::now_utc()).to_string()});
        let (s, _) = officer.post("/api/v1/evaluations", &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, started) = evaluator.post("/api/v1/evaluations", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{started}");
        assert_eq!(started["status"], "running");
        let id = started["id"].as_str().unwrap();
        let mut run = Value::Null;
        for _ in 0..240 {
            let (s, r) = evaluator
                .get_json(&format!("/api/v1/evaluations/{id}"))
                .await;
            assert_eq!(s, StatusCode::OK, "{r}");
            run = r;
            if run["status"] != "running" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        assert_eq!(run["status"], "done", "{}", run["refusal"]);
        let meta = &run["results"]["meta"];
        assert!(meta["n_lead"].as_u64().unwrap() >= 150, "{meta}");
        assert!(meta["n_control"].as_u64().unwrap() >= 80, "{meta}");
        assert!(
            run["results"]["ipw"].is_object(),
            "{}",
            run["results"]["ipw"]
        );
        for analysis in [
            "felony_followup",
            "arrest_rate",
            "housing_gee",
            "employment_gee",
            "income_gee",
            "survival_first_arrest",
        ] {
            assert!(
                run["results"][analysis].is_object(),
                "{analysis} not computed: {}",
                meta["warnings"]
            );
        }
        // No analysis refused, unsettled or singular: at most the optimiser's
        // note that it shortened a step (which depends on the day's data).
        let warnings: Vec<&str> = meta["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w.as_str())
            .collect();
        assert!(
            warnings.iter().all(|w| w.contains("step shortened")),
            "{warnings:?}"
        );
        assert!(
            run["cost_benefit"]["program_cost_per_participant_year_usd"]
                .as_f64()
                .unwrap()
                > 0.0
        );
        // The report page shows both groups and the IPW section.
        let page = evaluator
            .get(run["report_url"].as_str().unwrap())
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("people in the comparison group") && page.contains("id=\"weighting\""),
            "report"
        );
    }
);

both!(
    the_pcg_adopted_shift_schedule_reaches_officers_and_the_log,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;
        let officer = as_user(&app, "officer@demo.test").await;
        let (_, none) = officer.get_json("/api/v1/shift-schedule").await;
        assert_eq!(none, Value::Null);
        // A rota by day: every day off (and one on, which is required).
        let long_ago = "2020-01-01";
        let mut rota = vec![false; 366];
        rota[0] = true;
        let body = json!({"method": "rota", "unit": "day", "rota": rota, "starts_on": "2020-01-02", "adopted_on": long_ago});
        let (s, _) = officer.post("/api/v1/shift-schedule", &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = admin
            .post("/api/v1/shift-schedule", &json!({"method": "rota", "rota": [true, true], "starts_on": long_ago, "adopted_on": long_ago}))
            .await;
        assert_invalid(s, &v, "rota");
        let (s, v) = admin
            .post("/api/v1/shift-schedule", &json!({"method": "random", "on_percent": 100, "starts_on": long_ago, "adopted_on": long_ago}))
            .await;
        assert_invalid(s, &v, "on_percent");
        let (s, v) = admin.post("/api/v1/shift-schedule", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], json!(1));
        let (s, now) = officer.get_json("/api/v1/shift-schedule").await;
        assert_eq!(s, StatusCode::OK, "{now}");
        assert_eq!(now["version"], json!(1));
        assert_eq!(now["upcoming"].as_array().unwrap().len(), 7, "{now}");
        // 2026-11-30 is day 2524 since 2020-01-02; 2524 mod 366 = 328: off.
        let (s, v) = officer
            .post("/api/v1/eligible-arrests", &booked("26-900010"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["diversion_on"], json!(false), "{v}");
        // The officer's home page says it, and the admin's records page lists it.
        let home = officer.get("/").await.text().await.unwrap();
        assert!(
            home.contains("id=\"shift\"") && home.contains("Diversion"),
            "home"
        );
        let page = admin.get("/admin/evidence").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("In force: version 1"));
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let report = supervisor.get("/reports/pcg").await;
        assert_eq!(report.status(), StatusCode::OK);
        assert!(
            report.text().await.unwrap().contains("<svg"),
            "the report draws its charts"
        );
    }
);
