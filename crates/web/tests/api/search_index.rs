//! Search reads its candidates from a per-site name index kept in memory
//! (`casework::search::SearchIndexes`): the index follows a person added
//! after it was built and a participant's profile alias changed after it
//! was built, and what it finds still passes through the guard.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

fn ids(hits: &serde_json::Value) -> Vec<String> {
    hits.as_array()
        .unwrap_or_else(|| panic!("not a list: {hits}"))
        .iter()
        .filter_map(|h| h["id"].as_str().map(str::to_string))
        .collect()
}

both!(
    the_search_index_follows_new_persons_and_changed_aliases,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        // The index is built now, before the person exists.
        let (s, none) = cm.get_json("/api/v1/search?q=Zyxwart").await;
        assert_eq!(s, StatusCode::OK, "{none}");
        assert!(ids(&none).is_empty(), "{none}");

        let (pid, _) = demo_participant(&app, &arrest("Zyxwart"), "a bike").await;
        // A typo of the new person's name finds them first.
        let (_, hits) = cm.get_json("/api/v1/search?q=dana%20zywart").await;
        assert_eq!(ids(&hits).first(), Some(&pid), "the new person: {hits}");

        // A changed profile alias is found, the old index notwithstanding.
        let (_, before) = cm.get_json("/api/v1/search?q=Quillbrook").await;
        assert!(!ids(&before).contains(&pid), "{before}");
        let (s, _) = cm
            .put(
                &format!("/api/v1/participants/{pid}/profile"),
                &json!({"aliases": ["Quillbrook"]}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, after) = cm.get_json("/api/v1/search?q=quilbrook").await;
        assert_eq!(ids(&after).first(), Some(&pid), "the new alias: {after}");

        // Found by the index is not shown past the guard: another
        // agency's case manager gets nothing.
        let rival = outsider(
            &app,
            "Rival Services",
            handoff_domain::AgencyKind::CaseManagement,
            handoff_domain::Role::CaseManager,
        )
        .await;
        let (s, hidden) = rival.get_json("/api/v1/search?q=dana%20zywart").await;
        assert_eq!(s, StatusCode::OK, "{hidden}");
        assert!(!ids(&hidden).contains(&pid), "{hidden}");
    }
);
