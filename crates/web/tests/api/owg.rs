//! The OWG: the same meeting rendered for the police attendee and the case
//! manager differs exactly as the disclosure policy says; minutes and
//! action items; prosecutorial coordination on a new charge.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn summary(agenda: &Value, names: &std::collections::HashMap<String, &str>) -> Vec<String> {
    let mut v: Vec<String> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let who = i["participant_id"]
                .as_str()
                .map(|p| names.get(p).copied().unwrap_or("?"))
                .unwrap_or("-");
            format!(
                "{}:{}:{}",
                i["source"].as_str().unwrap(),
                who,
                i["category"].as_str().unwrap_or("-")
            )
        })
        .collect();
    v.sort();
    v
}

both!(
    each_attendee_sees_their_own_copy_of_the_meeting,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let prosecutor = as_user(&app, "prosecutor@demo.test").await;

        // A 5-day hold window, so new holds lapse within the week.
        change_policy(&admin, |p| p["hold_window_days"] = json!(5)).await;

        let police = agency_of_kind(&cm, "police").await;
        // A: participant whose release lets the police know enrollment and engagement.
        // B: participant with no release. C: referred, not yet accepted.
        let mut pids = Vec::new();
        for who in ["A", "B"] {
            let (_, r) = officer.post("/api/v1/referrals", &arrest(who)).await;
            let rid = r["id"].as_str().unwrap().to_string();
            cm.post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
                .await;
            let (_, i) = cm
                .post(
                    &format!("/api/v1/referrals/{rid}/intake"),
                    &json!({"living_situation": "unsheltered", "participant_goals": ["housing"]}),
                )
                .await;
            let pid = i["participant_id"].as_str().unwrap().to_string();
            if who == "A" {
                let roi = release_to(&police, &["enrollment", "engagement"], "coordination");
                sign_release(&cm, &pid, &roi).await;
            }
            pids.push(pid);
        }
        let (_, _c) = officer.post("/api/v1/referrals", &arrest("C")).await;
        let names: std::collections::HashMap<String, &str> =
            [(pids[0].clone(), "A"), (pids[1].clone(), "B")]
                .into_iter()
                .collect();

        let (_, me_o) = officer.get_json("/api/v1/me").await;
        let (_, me_c) = cm.get_json("/api/v1/me").await;
        let (s, m) = supervisor
        .post("/api/v1/owg/meetings", &json!({"held_on": "2026-12-08", "title": "Precinct OWG", "attendees": [me_o["user"]["id"], me_c["user"]["id"]]}))
        .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let mid = m["id"].as_str().unwrap().to_string();
        assert_eq!(
            officer
                .post(&format!("/api/v1/owg/meetings/{mid}/agenda"), &json!({}))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let (_, built) = supervisor
            .post(&format!("/api/v1/owg/meetings/{mid}/agenda"), &json!({}))
            .await;
        // C's hand-off is pending and its hold lapses too; B's hold lapses (A's is satisfied).
        assert_eq!(built["added"], 3, "{built}");
        let (_, again) = supervisor
            .post(&format!("/api/v1/owg/meetings/{mid}/agenda"), &json!({}))
            .await;
        assert_eq!(again["added"], 0, "building again adds nothing new");
        for (pid, cat) in [
            (&pids[0], "engagement"),
            (&pids[1], "engagement"),
            (&pids[0], "notes"),
        ] {
            let (s, e) = cm
                .post(
                    &format!("/api/v1/owg/meetings/{mid}/items"),
                    &json!({"title": "check in", "participant_id": pid, "category": cat}),
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        }
        assert_eq!(
            officer
                .post(
                    &format!("/api/v1/owg/meetings/{mid}/items"),
                    &json!({"title": "Camp sweep planned on 3rd Ave next week"})
                )
                .await
                .0,
            StatusCode::NO_CONTENT
        );

        let (_, for_cm) = cm.get_json(&format!("/api/v1/owg/meetings/{mid}")).await;
        let (_, for_police) = officer
            .get_json(&format!("/api/v1/owg/meetings/{mid}"))
            .await;
        assert_eq!(
            summary(&for_cm, &names),
            vec![
                "handoff_pending:-:-",
                "hold_lapsing:-:hold",
                "hold_lapsing:B:hold",
                "raised:-:-",
                "raised:A:engagement",
                "raised:A:notes",
                "raised:B:engagement"
            ]
        );
        assert_eq!(
            summary(&for_police, &names),
            vec!["hold_lapsing:B:hold", "raised:-:-", "raised:A:engagement"]
        );
        // Names only where identity is disclosed: case management sees them, the police do not.
        assert!(
            for_cm["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["participant_name"] == "Dana A")
        );
        assert!(
            for_police["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["participant_name"].is_null())
        );
        // Someone not attending sees nothing of it.
        let partner = as_user(&app, "partner@demo.test").await;
        assert_eq!(
            partner
                .get_json(&format!("/api/v1/owg/meetings/{mid}"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );

        // Minutes on the hold item reach case management, not the police.
        let hold_item = for_cm["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["source"] == "hold_lapsing" && !i["participant_id"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let general = for_cm["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["source"] == "raised" && i["participant_id"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            cm.put(
                &format!("/api/v1/owg/items/{hold_item}/minutes"),
                &json!({"minutes": "Met at the shelter; intake on Friday."})
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            cm.put(
                &format!("/api/v1/owg/items/{general}/minutes"),
                &json!({"minutes": "Outreach before the sweep."})
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            officer
                .put(
                    &format!("/api/v1/owg/items/{general}/minutes"),
                    &json!({"minutes": "x"})
                )
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        // A site admin writes no minutes, and a case manager of another
        // agency who is not attending overwrites none.
        let other = outsider(
            &app,
            "Second Case Management Agency",
            handoff_domain::AgencyKind::CaseManagement,
            handoff_domain::Role::CaseManager,
        )
        .await;
        for (who, item) in [
            (&admin, &hold_item),
            (&admin, &general),
            (&other, &hold_item),
            (&other, &general),
        ] {
            assert_eq!(
                who.put(
                    &format!("/api/v1/owg/items/{item}/minutes"),
                    &json!({"minutes": "overwritten"})
                )
                .await
                .0,
                StatusCode::FORBIDDEN
            );
        }
        let (_, for_cm) = cm.get_json(&format!("/api/v1/owg/meetings/{mid}")).await;
        let (_, for_police) = officer
            .get_json(&format!("/api/v1/owg/meetings/{mid}"))
            .await;
        let minutes = |a: &Value, id: &str| {
            a["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .unwrap()["minutes"]
                .clone()
        };
        assert_eq!(
            minutes(&for_cm, &hold_item),
            "Met at the shelter; intake on Friday."
        );
        assert_eq!(minutes(&for_police, &hold_item), Value::Null);
        assert_eq!(minutes(&for_police, &general), "Outreach before the sweep.");

        // An action item shows up for its owner.
        let (s, a) = cm.post(&format!("/api/v1/owg/items/{general}/actions"), &json!({"owner_id": me_o["user"]["id"], "due_on": "2026-12-15", "description": "Share the sweep date with outreach"})).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let (_, mine) = officer.get_json("/api/v1/owg/actions").await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(mine[0]["description"], "Share the sweep date with outreach");
        let home = officer.get("/").await.text().await.unwrap();
        assert!(
            home.contains("Your OWG action items")
                && home.contains("Share the sweep date with outreach"),
            "on the owner's home page"
        );

        // A new charge against A: the prosecutor may open it (their office holds
        // A's case) and sees only what A's release allows them — nothing beyond
        // the hold; case management adds context; the prosecutor decides.
        let (s, c) = prosecutor.post("/api/v1/coordination", &json!({"participant_id": pids[0], "charge": "Theft 3", "case_number": "26-1-0042"})).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let cid = c["id"].as_str().unwrap().to_string();
        assert_eq!(
            cm.post(
                &format!("/api/v1/coordination/{cid}/messages"),
                &json!({"body": "Engaged weekly; housing application pending."})
            )
            .await
            .0,
            StatusCode::NO_CONTENT
        );
        let (_, pv) = prosecutor
            .get_json(&format!("/api/v1/coordination/{cid}"))
            .await;
        assert_eq!(pv["disclosed"], json!({}), "{pv}");
        assert_eq!(
            pv["messages"][0]["body"],
            "Engaged weekly; housing application pending."
        );
        let (_, cv) = cm.get_json(&format!("/api/v1/coordination/{cid}")).await;
        assert!(cv["disclosed"]["plan"]["goals"].is_array(), "{cv}");
        assert_eq!(
            cm.post(
                &format!("/api/v1/coordination/{cid}/decision"),
                &json!({"decision": "declined"})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(prosecutor.post(&format!("/api/v1/coordination/{cid}/decision"), &json!({"decision": "resolved_with_plan", "note": "held while housing completes"})).await.0, StatusCode::NO_CONTENT);
        let (_, pv) = prosecutor
            .get_json(&format!("/api/v1/coordination/{cid}"))
            .await;
        assert_eq!(pv["decision"], "resolved_with_plan");
        assert_eq!(
            officer
                .get_json(&format!("/api/v1/coordination/{cid}"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_audit_chain_intact(&app).await;
    }
);

both!(owg_and_oversight_pages, |db| async move {
    let app = TestApp::spawn(db).await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let officer = as_user(&app, "officer@demo.test").await;
    officer.post("/api/v1/referrals", &arrest("Reyes")).await;
    // Convene a meeting through the form; the agenda is built at once.
    let page = supervisor.get("/owg").await.text().await.unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let (_, me) = officer.get_json("/api/v1/me").await;
    let oid = me["user"]["id"].as_str().unwrap().to_string();
    let r = supervisor
        .submit_form(
            "/owg",
            &[
                ("csrf_token", csrf.as_str()),
                ("held_on", "2026-12-08"),
                ("title", "North precinct OWG"),
                ("attendees", oid.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let agenda = supervisor.get(&at).await.text().await.unwrap();
    assert!(
        agenda.contains("North precinct OWG") && agenda.contains("Hand-off pending"),
        "{agenda}"
    );
    // The officer's printable copy lacks the pending hand-off (case management only).
    let copy = officer.get(&at).await.text().await.unwrap();
    assert!(
        copy.contains("North precinct OWG") && !copy.contains("Hand-off pending"),
        "{copy}"
    );
    // Oversight page: counts only.
    let oversight = as_user(&app, "oversight@demo.test").await;
    let r = oversight.get("/oversight").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("relative rate index")
            && html.contains("Counts from 1 to 10 are suppressed")
            && !html.contains("Reyes"),
        "{html}"
    );
    assert_eq!(
        officer.get("/oversight").await.status(),
        StatusCode::FORBIDDEN
    );
});
