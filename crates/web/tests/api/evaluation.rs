//! The evaluation report in the web app: evaluators get the whole report,
//! oversight the equity section only, other roles nothing; a bad folder is
//! answered with the file, line and column.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;

/// The dataset's files as the upload form names them (without `.csv`).
fn file_names() -> impl Iterator<Item = &'static str> {
    handoff_justice::evaluation::FILES
        .iter()
        .map(|f| f.trim_end_matches(".csv"))
}

fn fixture(name: &str) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../evaluation/tests/fixtures/public");
    std::fs::read(dir.join(format!("{name}.csv"))).unwrap()
}

async fn upload(app: &TestApp, files: &[(&str, Vec<u8>)]) -> (StatusCode, String) {
    let page = app.get("/evaluation").await.text().await.unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap_or_default();
    let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf);
    for (name, bytes) in files {
        form = form.part(
            name.to_string(),
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(format!("{name}.csv")),
        );
    }
    let r = post_upload(app, form).await;
    let s = r.status();
    (s, r.text().await.unwrap())
}

/// Posts an upload form to the evaluation page.
async fn post_upload(app: &TestApp, form: reqwest::multipart::Form) -> reqwest::Response {
    let r = app.client.post(app.url("/evaluation")).multipart(form);
    r.send().await.unwrap()
}

both!(the_evaluation_report_for_each_role, |db| async move {
    let app = TestApp::spawn(db).await;
    let all: Vec<(&str, Vec<u8>)> = file_names().map(|f| (f, fixture(f))).collect();
    let evaluator = as_user(&app, "evaluator@demo.test").await;
    let (s, html) = upload(&evaluator, &all).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("<svg"), "charts inline");
    assert!(
        html.contains("lower odds") || html.contains("odds"),
        "plain-language findings"
    );
    assert!(html.contains("/assets/report.css"));

    let oversight = as_user(&app, "oversight@demo.test").await;
    let (s, equity) = upload(&oversight, &all).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        equity.len() < html.len(),
        "oversight sees the equity section only"
    );
    assert!(
        !equity.contains("Kaplan"),
        "no survival section for oversight"
    );

    let officer = as_user(&app, "officer@demo.test").await;
    assert_eq!(
        officer.get("/evaluation").await.status(),
        StatusCode::FORBIDDEN
    );

    // A broken file is named with its line.
    let mut bad = all.clone();
    bad[1].1 = b"person_id,date,type\n1,2026-13-01,arrest\n".to_vec();
    let (s, page) = upload(&evaluator, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("events.csv"), "{page}");
    // Without its CSRF token the upload is refused.
    let form = reqwest::multipart::Form::new().part(
        "participants",
        reqwest::multipart::Part::bytes(fixture("participants")),
    );
    let r = post_upload(&evaluator, form).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
});
