//! The release of information offers, and accepts, only what the
//! disclosure rules could ever deliver: each recipient organisation only the
//! categories its people could receive under a release, no organisation a
//! release never reaches, and the 42 CFR Part 2 elements whenever `sud` is
//! shared — over the API and the form alike.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::AgencyKind;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A referral taken through intake by the demo case manager: (referral, participant).
async fn participant(officer: &TestApp, cm: &TestApp, last: &str) -> (String, String) {
    let (_, r) = officer.post("/api/v1/referrals", &arrest(last)).await;
    let rid = r["id"].as_str().unwrap().to_string();
    cm.post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    let (s, i) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/intake"),
            &json!({"living_situation": "unsheltered", "participant_goals": ["a room"], "substance_use": "opioid use disorder"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    (rid, i["participant_id"].as_str().unwrap().to_string())
}

/// The site's agencies: (id, name) of the first of each kind.
async fn agency(cm: &TestApp, kind: &str) -> (String, String) {
    let (_, agencies) = cm.get_json("/api/v1/agencies").await;
    let a = agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} agency"))
        .clone();
    (
        a["id"].as_str().unwrap().to_string(),
        a["name"].as_str().unwrap().to_string(),
    )
}

/// The recipient fieldset of `name` on the release form, if offered.
fn recipient_fieldset<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("<legend>{name}</legend>"))?;
    let end = html[start..].find("</fieldset>")? + start;
    Some(&html[start..end])
}

/// The Part 2 fieldset of the release form, if any.
fn part2_fieldset(html: &str) -> Option<&str> {
    let start = html.find("<fieldset class=\"part2\"")?;
    let end = html[start..].find("</fieldset>")? + start;
    Some(&html[start..end])
}

fn urlencode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts the release form of the referral page with `fields` (and the page's
/// CSRF token); returns the status and the page.
async fn post_form(cm: &TestApp, rid: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let page = cm
        .get(&format!("/referrals/{rid}"))
        .await
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let mut all = vec![("csrf_token", csrf.as_str())];
    all.extend_from_slice(fields);
    let r = cm
        .client
        .post(cm.url(&format!("/referrals/{rid}/release")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(urlencode(&all))
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

fn roi(recipients: Value) -> Value {
    json!({
        "recipients": recipients,
        "purpose": "care coordination",
        "expires_on": "2099-01-01",
        "signature": {"method": "drawn", "image_base64": PNG},
        "part2": {"discloser": "Evergreen Harm Reduction Services", "information": "SUD treatment status", "right_to_revoke_acknowledged": true}
    })
}

#[test]
fn the_demo_users_hold_the_roles_of_their_kind_of_organisation() {
    for (login, _, role, kind) in handoff_seed::USERS {
        assert!(kind.roles().contains(role), "{login}: {role} at {kind}");
    }
}

both!(
    the_release_form_offers_each_recipient_only_what_the_rules_give,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (rid, _) = participant(&officer, &cm, "Reyes").await;
        let r = cm.get(&format!("/referrals/{rid}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains("Release of information"), "{html}");

        // Enforcement: never notes, health or sud; only what its cap allows.
        for (kind, offered) in [
            ("police", &["enrollment", "engagement"][..]),
            ("prosecutor", &["enrollment", "engagement", "plan"][..]),
        ] {
            let (_, name) = agency(&cm, kind).await;
            let f = recipient_fieldset(&html, &name)
                .unwrap_or_else(|| panic!("{name} is offered as a recipient"));
            for c in handoff_domain::DataCategory::ALL {
                assert_eq!(
                    f.contains(&format!("value=\"{}\"", c.as_str())),
                    offered.contains(&c.as_str()),
                    "{name} offered {c}: {f}"
                );
            }
        }
        // Partners: everything a release may name, sud included.
        for kind in ["housing", "defender"] {
            let (_, name) = agency(&cm, kind).await;
            let f = recipient_fieldset(&html, &name).unwrap();
            for c in ["identity", "notes", "health", "sud", "justice"] {
                assert!(f.contains(&format!("value=\"{c}\"")), "{name} {c}");
            }
        }
        // Organisations a release never reaches are not listed at all.
        for kind in [
            AgencyKind::CivilRights,
            AgencyKind::Bureau,
            AgencyKind::Research,
            AgencyKind::Community,
            AgencyKind::ProgramOffice,
            AgencyKind::CaseManagement,
        ] {
            let (_, name) = agency(&cm, kind.as_str()).await;
            assert!(
                !html.contains(&format!("Share with {name}")),
                "{name} ({kind}) is offered as a recipient"
            );
            assert!(recipient_fieldset(&html, &name).is_none(), "{name}");
        }
    }
);

both!(
    a_release_beyond_the_rules_is_refused_naming_the_field,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (rid, pid) = participant(&officer, &cm, "Reyes").await;
        let (police, _) = agency(&cm, "police").await;
        let (housing, _) = agency(&cm, "housing").await;
        let (research, _) = agency(&cm, "research").await;
        let url = format!("/api/v1/participants/{pid}/releases");

        // Over the API: sud to the police is refused, naming the category.
        let (s, e) = cm
            .post(
                &url,
                &roi(json!([
                    {"agency_id": housing, "categories": ["enrollment", "sud"]},
                    {"agency_id": police, "categories": ["enrollment", "engagement", "sud"]}
                ])),
            )
            .await;
        assert_invalid(s, &e, "recipients[1].categories[2]");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("sud"),
            "{e}"
        );
        // Notes to the police, and anything to the evaluators, likewise.
        let (s, e) = cm
            .post(
                &url,
                &roi(json!([{"agency_id": police, "categories": ["notes"]}])),
            )
            .await;
        assert_invalid(s, &e, "recipients[0].categories[0]");
        let (s, e) = cm
            .post(
                &url,
                &roi(json!([{"agency_id": research, "categories": ["enrollment"]}])),
            )
            .await;
        assert_invalid(s, &e, "recipients[0].agency_id");
        let (_, list) = cm.get_json(&url).await;
        assert_eq!(list, json!([]), "nothing was recorded");

        // Through the form (a crafted post: the form offers no such box):
        // refused, the field named, what was typed kept.
        let cat = format!("cat_{police}");
        let (s, page) = post_form(
            &cm,
            &rid,
            &[
                ("agency", &police),
                (&cat, "enrollment"),
                (&cat, "sud"),
                ("purpose", "court liaison, typed by hand"),
                ("expires_on", "2099-01-01"),
                ("discloser", "Evergreen Harm Reduction Services"),
                ("information", "SUD treatment status"),
                ("right_to_revoke", "1"),
                ("method", "drawn"),
                ("image_base64", PNG),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("Check “What each agency may receive”")
                && page.contains("can never receive sud"),
            "the refusal names the field: {page}"
        );
        assert!(
            page.contains("value=\"court liaison, typed by hand\""),
            "the form keeps what was typed"
        );
        let (_, list) = cm.get_json(&url).await;
        assert_eq!(list, json!([]), "nothing was recorded");

        // What the rules allow is still accepted.
        let (s, rel) = cm
            .post(
                &url,
                &roi(json!([{"agency_id": police, "categories": ["enrollment", "engagement"]}])),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rel}");
    }
);

both!(
    a_sud_release_to_housing_shows_the_part2_elements,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (rid, pid) = participant(&officer, &cm, "Reyes").await;
        let (housing, name) = agency(&cm, "housing").await;

        // Without JavaScript the Part 2 elements are on the page, not hidden.
        let html = cm
            .get(&format!("/referrals/{rid}"))
            .await
            .text()
            .await
            .unwrap();
        let check = |html: &str| {
            let p2 = part2_fieldset(html).expect("the Part 2 elements are on the form");
            let open_tag = &p2[..p2.find('>').unwrap()];
            assert!(
                !open_tag.contains("hidden"),
                "hidden without JS: {open_tag}"
            );
            for element in [
                "for the purpose above",                               // purpose
                "until the expiry date above",                         // expiry
                "how much and what kind of substance-use information", // amount and kind
                "name=\"information\"",
                "Who may disclose",                    // the discloser
                "may revoke this consent at any time", // right to revoke
                "name=\"right_to_revoke\"",
                "protected by Federal confidentiality rules (42 CFR part 2)", // redisclosure notice
            ] {
                assert!(p2.contains(element), "Part 2 element {element:?}: {p2}");
            }
        };
        check(&html);
        assert!(html.contains("/assets/part2.js"));

        // Sud ticked for the housing partner, the right to revoke not
        // acknowledged: refused, and the form shows the Part 2 elements with
        // sud still ticked.
        let cat = format!("cat_{housing}");
        let mut fields = vec![
            ("agency", housing.as_str()),
            (cat.as_str(), "enrollment"),
            (cat.as_str(), "sud"),
            ("purpose", "housing placement"),
            ("expires_on", "2099-01-01"),
            ("discloser", "Evergreen Harm Reduction Services"),
            ("information", "MOUD status and treatment dates"),
            ("method", "drawn"),
            ("image_base64", PNG),
        ];
        let (s, page) = post_form(&cm, &rid, &fields).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("Check “Right to revoke”"), "{page}");
        check(&page);
        let f = recipient_fieldset(&page, &name).unwrap();
        assert!(f.contains("value=\"sud\" checked"), "sud kept: {f}");
        assert!(page.contains("value=\"MOUD status and treatment dates\""));

        // Acknowledged: recorded, with the Part 2 consent.
        fields.push(("right_to_revoke", "1"));
        let (s, page) = post_form(&cm, &rid, &fields).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
        let (_, list) = cm
            .get_json(&format!("/api/v1/participants/{pid}/releases"))
            .await;
        assert_eq!(list[0]["part2"], true, "{list}");
        assert_eq!(list[0]["categories"], json!(["enrollment", "sud"]));
    }
);
