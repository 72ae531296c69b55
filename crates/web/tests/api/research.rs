//! Research use, replayed from the outside review: the evaluation dataset
//! is refused on every path when the site's policy does not allow research
//! use.

use crate::both;
use crate::helpers::*;
use crate::workflow::as_user;
use reqwest::StatusCode;
use serde_json::json;

async fn site_id(app: &TestApp) -> handoff_domain::SiteId {
    handoff_store::orgs::find_site_by_slug(&mut app.store.conn(), "demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The evaluation export's URL, with a study end that gives today's
/// referrals their year of follow-up.
fn export_url() -> String {
    let end = (handoff_web::now() + time::Duration::days(400)).date();
    format!(
        "/api/v1/exports/evaluation?to={}",
        handoff_store::referrals::iso(end)
    )
}

both!(
    without_research_use_the_web_paths_refuse_and_say_so,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let page = evaluator.get("/evaluation").await.text().await.unwrap();
        assert!(page.contains("/api/v1/exports/evaluation"), "{page}");
        let admin = as_user(&app, "admin@demo.test").await;
        let (_, p) = admin.get_json("/api/v1/policy").await;
        let mut policy = p["policy"].clone();
        policy["research_use_allowed"] = json!(false);
        let (s, v) = admin
            .put("/api/v1/policy", &json!({"policy": policy}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = evaluator.get_json(&export_url()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v.to_string().contains("does not allow research use"), "{v}");
        let page = evaluator.get("/evaluation").await.text().await.unwrap();
        assert!(page.contains("does not allow research use"), "{page}");
        let site = site_id(&app).await;
        let audits =
            handoff_store::audit::by_action(&mut app.store.conn(), Some(site), "export.evaluation")
                .await
                .unwrap();
        assert!(
            audits.iter().any(
                |e| e.event.outcome == handoff_domain::audit::Outcome::Denied
                    && e.event.subject_ref.as_deref()
                        == Some("export:evaluation:refused:research_use")
            ),
            "the refusal is audited"
        );
    }
);
