//! The participant's record in the working day (issue 11): a service
//! referral added from the record lists every invalid field at once and
//! keeps what was typed; contacts show their author and are corrected by
//! the author or a supervisor as a new version — the original stays in the
//! history and the audit trail, and anyone else is refused (audited); the
//! record shows a booking-alert banner while a booking is open.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::Role;
use reqwest::StatusCode;
use serde_json::json;

/// The record page's CSRF token, for posting its forms.
async fn page_csrf(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let r = app.get(path).await;
    let s = r.status();
    let html = r.text().await.unwrap();
    let csrf = hidden_field(&html, "csrf_token").unwrap_or_default();
    (s, html, csrf)
}

both!(
    a_service_referral_from_the_record_lists_every_invalid_field,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Okafor"), "a bed").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let record = format!("/participants/{pid}");
        let (s, html, csrf) = page_csrf(&cm, &record).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Add a service referral"),
            "the form is on the record"
        );

        // Blank provider and service, a date that is no date: all three at once.
        let form = format!("{record}/service-referrals");
        let r = cm
            .submit_form(
                &form,
                &[
                    ("csrf_token", &csrf),
                    ("provider", " "),
                    ("service", ""),
                    ("referred_on", "yesterday"),
                    ("outcome", "pending"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        for said in [
            "Name the provider",
            "Say what the referral is for",
            "Enter the date as a date",
        ] {
            assert!(html.contains(said), "missing “{said}” in the refusal");
        }
        assert!(
            html.contains("value=\"yesterday\""),
            "the form keeps what was typed"
        );
        assert_eq!(html.matches("aria-invalid=\"true\"").count(), 3);

        // One field wrong: the other's value stays.
        let r = cm
            .submit_form(
                &form,
                &[
                    ("csrf_token", &csrf),
                    ("provider", "Evergreen Treatment"),
                    ("service", ""),
                    ("outcome", "pending"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Evergreen Treatment\""));
        assert!(!html.contains("Name the provider"));

        let r = cm
            .submit_form(
                &form,
                &[
                    ("csrf_token", &csrf),
                    ("provider", "Evergreen Treatment"),
                    ("service", "detox bed"),
                    ("outcome", "pending"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert!(to.contains("done=service_referral"), "{to}");
        let html = cm.get(&to).await.text().await.unwrap();
        assert!(html.contains("Service referral saved"));
        assert!(html.contains("detox bed — Evergreen Treatment"));
        let (_, plan) = cm
            .get_json(&format!("/api/v1/participants/{pid}/goals"))
            .await;
        assert_eq!(
            plan["data"]["service_referrals"][0]["provider"], "Evergreen Treatment",
            "{plan}"
        );
        assert_eq!(audited(&app, "service_referral.create").await.len(), 1);

        // Without CSRF: refused, nothing saved.
        let r = cm
            .submit_form(&form, &[("provider", "X"), ("service", "Y")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(audited(&app, "service_referral.create").await.len(), 1);
    }
);

both!(
    a_contact_is_corrected_as_a_new_version_by_its_author_or_a_supervisor,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Lindqvist"), "an ID card").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        colleague(
            &app,
            "casemanager@demo.test",
            "peer.cm@demo.test",
            "Peer Case Manager",
            Role::CaseManager,
        )
        .await;
        let peer = as_user(&app, "peer.cm@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let (s, created) = cm
            .post(
                &format!("/api/v1/participants/{pid}/contacts"),
                &json!({"place": "street", "duration_minutes": 20, "services": ["naloxone"],
                        "pieces": [{"category": "notes", "text": "Met at the bus stop on 3rd"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let cid = created["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/participants/{pid}/contacts/{cid}/corrections");

        // Another case manager of the same agency may not correct it; audited.
        let (s, e) = peer
            .post(&path, &json!({"reason": "typo", "note": "x"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        assert_eq!(e["error"]["code"], "forbidden");
        assert!(
            audited(&app, "contact.correct")
                .await
                .iter()
                .any(|a| a["outcome"] == "denied")
        );
        // A reason is required; bad values name their field.
        let (s, e) = cm.post(&path, &json!({"reason": " ", "note": "x"})).await;
        assert_invalid(s, &e, "reason");
        let (s, e) = cm
            .post(&path, &json!({"reason": "r", "place": "moon"}))
            .await;
        assert_invalid(s, &e, "place");
        let (s, e) = cm
            .post(&path, &json!({"reason": "r", "duration_minutes": 0}))
            .await;
        assert_invalid(s, &e, "duration_minutes");
        // Not a contact of this participant: not found.
        let (other, _) = demo_participant(&app, &arrest("Other"), "a job").await;
        let (s, _) = cm
            .post(
                &format!("/api/v1/participants/{other}/contacts/{cid}/corrections"),
                &json!({"reason": "r"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The author corrects the note, then the supervisor the place.
        let (s, v) = cm
            .post(
                &path,
                &json!({"reason": "wrong street", "note": "Met at the bus stop on 4th"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], 2);
        let (s, v) = supervisor
            .post(
                &path,
                &json!({"reason": "it was at the shelter", "place": "shelter"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], 3);

        let (s, notes) = cm
            .get_json(&format!("/api/v1/participants/{pid}/notes"))
            .await;
        assert_eq!(s, StatusCode::OK, "{notes}");
        let k = notes["data"]["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["id"] == cid.as_str())
            .unwrap()
            .clone();
        assert_eq!(k["author"], "Alex Rivera", "{k}");
        assert_eq!(k["version"], 3);
        assert_eq!(k["place"], "shelter");
        assert_eq!(k["notes"], json!(["Met at the bus stop on 4th"]));
        assert_eq!(k["services"], json!(["naloxone"]), "left out: kept");
        let h = k["history"].as_array().unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(
            h[0]["notes"],
            json!(["Met at the bus stop on 3rd"]),
            "the original stays"
        );
        assert_eq!(h[0]["place"], "street");
        assert_eq!(h[1]["reason"], "wrong street");
        assert_ne!(
            h[2]["by"], h[1]["by"],
            "the supervisor's version names the supervisor"
        );
        // One audit entry per version, never the text.
        let entries = audited(&app, "contact.correct").await;
        let allowed: Vec<_> = entries
            .iter()
            .filter(|a| a["outcome"] == "allowed")
            .collect();
        assert_eq!(allowed.len(), 2);
        assert!(entries.iter().all(|a| !a.to_string().contains("bus stop")));
        assert_audit_chain_intact(&app).await;

        // The record page shows the author, "Correct" for the author, the history.
        let html = cm
            .get(&format!("/participants/{pid}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("by Alex Rivera"));
        assert!(html.contains(&format!("/participants/{pid}/contacts/{cid}/correct")));
        assert!(
            html.contains("Met at the bus stop on 3rd"),
            "the original in the history"
        );
        let html = peer
            .get(&format!("/participants/{pid}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !html.contains(&format!("/contacts/{cid}/correct")),
            "no Correct link for others"
        );
    }
);

both!(
    the_record_shows_a_banner_while_a_booking_alert_is_open,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Quintero"), "an ID card").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let officer = as_user(&app, "officer@demo.test").await;
        let record = format!("/participants/{pid}");
        let html = cm.get(&record).await.text().await.unwrap();
        assert!(
            !html.contains("booking-alert"),
            "no banner before a booking"
        );
        let token = integration_token(
            &app,
            "Demo County Police Department",
            "jail feed",
            &["bookings_feed"],
        )
        .await;
        let booked = handoff_web::now() - time::Duration::hours(3);
        let booking = json!({
            "booking_number": "J-91", "booked_at": booked.format(&time::format_description::well_known::Rfc3339).unwrap(), "released_at": null,
            "first_name": "Dana", "middle_name": null, "last_name": "Quintero", "dob": "1988-04-02",
            "sex": "F", "race": "Hispanic/Latino", "charges": []
        });
        let (s, summary) = bearer_post(
            &app,
            &token,
            "/api/v1/feeds/bookings",
            "application/json",
            booking.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{summary}");
        assert_eq!(summary["alerts"], 1, "{summary}");
        let html = cm.get(&record).await.text().await.unwrap();
        assert!(html.contains("id=\"booking-alert\""), "the banner is shown");
        assert!(html.contains("no release recorded yet"));
        // The police see no record (and so no banner).
        let r = officer.get(&record).await;
        let html = r.text().await.unwrap();
        assert!(!html.contains("booking-alert"));
        // Released long ago: the alert is closed.
        let old = json!({
            "booking_number": "J-91", "booked_at": "2025-01-02T10:00:00Z", "released_at": "2025-01-03T10:00:00Z",
            "first_name": "Dana", "middle_name": null, "last_name": "Quintero", "dob": "1988-04-02",
            "sex": "F", "race": "Hispanic/Latino", "charges": []
        });
        let (s, summary) = bearer_post(
            &app,
            &token,
            "/api/v1/feeds/bookings",
            "application/json",
            old.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{summary}");
        let html = cm.get(&record).await.text().await.unwrap();
        assert!(
            !html.contains("id=\"booking-alert\""),
            "a release long ago closes the alert"
        );
    }
);
