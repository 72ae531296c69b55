//! Hand-off times by month (issue 11): referral → accepted → arrived, the
//! median and 90th percentile of each month over a chosen range, for
//! supervisors only; the page draws them as an SVG chart with a table.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;

fn this_month() -> String {
    let d = handoff_web::now().date();
    format!("{:04}-{:02}", d.year(), d.month() as u8)
}

both!(
    hand_off_times_by_month_measure_accepted_and_arrived,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let month = this_month();
        let path = format!("/api/v1/handoffs/trend?from={month}&to={month}");
        let (s, before) = supervisor.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{before}");
        let count =
            |t: &serde_json::Value, k: &str| t["months"][0][k]["count"].as_u64().unwrap_or(0);
        let (acc0, arr0) = (
            count(&before, "to_accept"),
            count(&before, "accept_to_arrival"),
        );

        let rid = refer(&officer, &arrest("Trendel")).await;
        steps(&cm, &rid, &["accept", "arrive"]).await;
        let accepted_only = refer(&officer, &arrest("Halfway")).await;
        steps(&cm, &accepted_only, &["accept"]).await;

        let (s, t) = supervisor.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["months"].as_array().unwrap().len(), 1);
        assert_eq!(t["months"][0]["month"], month.as_str());
        assert_eq!(count(&t, "to_accept"), acc0 + 2, "{t}");
        assert_eq!(
            count(&t, "accept_to_arrival"),
            arr0 + 1,
            "only the one that arrived: {t}"
        );
        let m = &t["months"][0]["to_arrival"];
        assert!(m["median_minutes"].as_f64().unwrap() >= 0.0);
        assert!(m["p90_minutes"].as_f64().unwrap() >= m["median_minutes"].as_f64().unwrap());
        assert!(t["target_minutes"].as_u64().unwrap() > 0);

        // The default range: six months ending with this one.
        let (_, d) = supervisor.get_json("/api/v1/handoffs/trend").await;
        assert_eq!(d["months"].as_array().unwrap().len(), 6);
        assert_eq!(d["to"], month.as_str());

        // Bad ranges name their field.
        let (s, e) = supervisor
            .get_json("/api/v1/handoffs/trend?from=2026-13")
            .await;
        assert_invalid(s, &e, "from");
        let (s, e) = supervisor
            .get_json("/api/v1/handoffs/trend?from=2026-05&to=2026-01")
            .await;
        assert_invalid(s, &e, "to");
        let (s, e) = supervisor
            .get_json("/api/v1/handoffs/trend?from=2020-01&to=2026-01")
            .await;
        assert_invalid(s, &e, "from");
        // Not for case managers or officers.
        for who in [&cm, &officer] {
            let (s, e) = who.get_json("/api/v1/handoffs/trend").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        }

        // The page: an inline SVG chart, no external asset, and the table.
        let r = supervisor
            .get(&format!(
                "/supervisor/handoff-times?from={month}&to={month}"
            ))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("<svg") && html.contains("role=\"img\""));
        assert!(html.contains("Hand-off times by month, in minutes"));
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "no external assets"
        );
        assert!(html.contains(&format!("<th scope=\"row\">{month}</th>")));
        let r = supervisor.get("/supervisor/handoff-times?from=soon").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("From"));
        let r = cm.get("/supervisor/handoff-times").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);
