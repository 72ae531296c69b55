//! One request, one reading: a participant's record loads the facts once,
//! asks the engine once, and writes one audit entry naming every category
//! it read (and one naming those refused).

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_audit::{AuditEntry, Outcome};
use handoff_domain::DataCategory;
use reqwest::StatusCode;

/// The `participant.read` entries about one participant.
async fn reads_of(app: &TestApp, pid: &str) -> Vec<AuditEntry> {
    audit_entries(app, "participant.read")
        .await
        .into_iter()
        .filter(|e| {
            e.event
                .subject_participant_id
                .map(|p| p.to_string())
                .as_deref()
                == Some(pid)
        })
        .collect()
}

both!(
    a_participant_record_is_one_audit_entry_naming_every_category_read,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Reading"), "a bed of my own").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let before = reads_of(&app, &pid).await.len();

        let page = cm.get(&format!("/participants/{pid}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("a bed of my own"), "the plan is on the page");

        let reads = reads_of(&app, &pid).await;
        assert_eq!(reads.len(), before + 1, "one entry for the whole page");
        let e = &reads.last().unwrap().event;
        assert_eq!(e.outcome, Outcome::Allowed);
        for c in [
            DataCategory::Identity,
            DataCategory::Enrollment,
            DataCategory::Engagement,
            DataCategory::Plan,
            DataCategory::Notes,
            DataCategory::Health,
            DataCategory::Sud,
        ] {
            assert!(
                e.categories.contains(&c),
                "{c} is named: {:?}",
                e.categories
            );
        }

        // The prosecutor may see some categories and not others: one entry
        // for what was read, one for what was refused, never one per category.
        let prosecutor = as_user(&app, "prosecutor@demo.test").await;
        let before = reads_of(&app, &pid).await.len();
        let page = prosecutor.get(&format!("/participants/{pid}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        let reads = reads_of(&app, &pid).await;
        assert_eq!(reads.len(), before + 2, "one entry read, one refused");
        let (read, refused) = (&reads[before].event, &reads[before + 1].event);
        assert_eq!(
            (read.outcome, refused.outcome),
            (Outcome::Allowed, Outcome::Denied)
        );
        assert!(refused.categories.contains(&DataCategory::Sud));
        assert!(!read.categories.contains(&DataCategory::Sud));
        assert!(!read.categories.is_empty());
    }
);

both!(
    a_category_answer_is_typed_and_keeps_its_json_shape,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Typed"), "see my kids").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (s, plan) = cm
            .get_json(&format!("/api/v1/participants/{pid}/plan"))
            .await;
        assert_eq!(s, StatusCode::OK, "{plan}");
        assert_eq!(plan["category"], "plan");
        assert_eq!(plan["extent"], "full");
        assert_eq!(plan["data"]["goals"][0], "see my kids");
        let (s, enr) = cm
            .get_json(&format!("/api/v1/participants/{pid}/enrollment"))
            .await;
        assert_eq!(s, StatusCode::OK, "{enr}");
        assert_eq!(enr["data"]["participant"], true);
        assert!(
            enr["data"]["case_management_agency_id"].is_string(),
            "{enr}"
        );
        let (s, hold) = cm
            .get_json(&format!("/api/v1/participants/{pid}/hold"))
            .await;
        assert_eq!(s, StatusCode::OK, "{hold}");
        assert_eq!(hold["data"]["state"], "pending", "{hold}");
    }
);
