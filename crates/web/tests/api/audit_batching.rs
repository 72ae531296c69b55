//! Reads audit through the group-commit writer: 200 participant records
//! read at once write 200 entries in fewer transactions, every response
//! arrives after its own entry is in the log, and the chain verifies.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_web::{Application, Config};
use reqwest::StatusCode;

async fn entries_of_request(app: &TestApp, request_id: &str) -> i64 {
    let (n,): (i64,) = app
        .store
        .conn()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE request_id = $1 AND action = 'participant.read'",
            handoff_store::args![request_id],
        )
        .await
        .unwrap();
    n
}

both!(
    two_hundred_concurrent_reads_are_each_audited_before_the_answer_in_fewer_commits,
    |db| async move {
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), fresh_url(db).await);
        config.demo = true;
        let built = Application::build(config).await.expect("build app");
        let state = built.state().clone();
        let app = TestApp {
            base: format!("http://{}", built.local_addr()),
            client: reqwest::Client::new(),
            store: state.store.clone(),
            csrf: None,
        };
        tokio::spawn(built.run_until(std::future::pending()));

        let (pid, _) = demo_participant(&app, &arrest("Batching"), "a quiet room").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (batches, entries) = (state.audit.batches(), state.audit.entries());

        let reads: Vec<_> = (0..200)
            .map(|_| {
                let client = cm.client.clone();
                let url = cm.url(&format!("/participants/{pid}"));
                tokio::spawn(async move { client.get(url).send().await.unwrap() })
            })
            .collect();
        for r in reads {
            let page = r.await.unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            let request_id = page.headers()["x-request-id"].to_str().unwrap().to_string();
            // The entry was committed before the answer was sent.
            assert_eq!(entries_of_request(&app, &request_id).await, 1);
        }

        let written = state.audit.entries() - entries;
        let commits = state.audit.batches() - batches;
        assert!(written >= 200, "{written} entries for 200 reads");
        assert!(
            commits < written,
            "{written} entries took {commits} commits: no grouping"
        );
        let reads = audit_entries(&app, "participant.read")
            .await
            .into_iter()
            .filter(|e| e.event.subject_participant_id.map(|p| p.to_string()) == Some(pid.clone()))
            .count();
        assert!(reads >= 200);
        assert_audit_chain_intact(&app).await;
    }
);
