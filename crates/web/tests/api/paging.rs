//! Every list pages by keyset: the first page, the next, and a last page
//! whose `next_cursor` is null, with no row twice and none missed; filters
//! narrow the rows; a cursor that is not one the list gave out is a 422
//! naming `cursor`; without `limit` or `cursor` each endpoint keeps its old
//! shape. List pages link to their next page and export CSV (a header and
//! the rows the caller saw, audited as `export.csv`). Answers are
//! compressed (gzip, brotli) when asked, except the live event stream.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Follows a list endpoint page by page (`limit` rows); every page's items.
async fn walk(app: &TestApp, path: &str, limit: usize) -> Vec<Vec<Value>> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut pages = Vec::new();
    let mut url = format!("{path}{sep}limit={limit}");
    loop {
        let (s, v) = app.get_json(&url).await;
        assert_eq!(s, StatusCode::OK, "{url}: {v}");
        let items = v["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{url}: not a page: {v}"))
            .clone();
        assert!(items.len() <= limit, "{url}: {v}");
        pages.push(items);
        match v["next_cursor"].as_str() {
            Some(c) => url = format!("{path}{sep}limit={limit}&cursor={c}"),
            None => {
                assert!(v["next_cursor"].is_null(), "{v}");
                break;
            }
        }
        assert!(pages.len() < 50, "{path}: the pages never end");
    }
    pages
}

/// The ids of a walk's rows, in order.
fn ids(pages: &[Vec<Value>], key: &str) -> Vec<String> {
    pages
        .iter()
        .flatten()
        .map(|v| v[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Refers `n` persons as the officer; their referral ids, oldest first.
async fn referrals(officer: &TestApp, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..n {
        let mut b = arrest(LASTS[i]);
        b["person"]["first_name"] = json!(FIRSTS[i]);
        b["person"]["dob"] = json!(dob(i));
        b["incident_number"] = json!(format!("26-70{i:04}"));
        out.push(refer(officer, &b).await);
    }
    out
}

both!(referrals_page_first_next_last, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let filed = referrals(&officer, 5).await;

    let pages = walk(&officer, "/api/v1/referrals", 2).await;
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![2, 2, 1],
        "{pages:?}"
    );
    let mut newest_first = filed.clone();
    newest_first.reverse();
    assert_eq!(ids(&pages, "id"), newest_first);

    // The supervisor sees the same referrals, paged the same way.
    let sup = as_user(&app, "supervisor@demo.test").await;
    let all = walk(&sup, "/api/v1/referrals", 3).await;
    assert_eq!(ids(&all, "id"), newest_first);

    // The inbox pages too (case management).
    let cm = as_user(&app, "casemanager@demo.test").await;
    let inbox = walk(&cm, "/api/v1/referrals/inbox", 2).await;
    assert_eq!(ids(&inbox, "id"), newest_first);

    // The prosecutor's holds, the latest deadline first, or turned round.
    let pros = as_user(&app, "prosecutor@demo.test").await;
    let held = |pages: Vec<Vec<Value>>| -> Vec<String> {
        pages
            .iter()
            .flatten()
            .map(|h| h["referral_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(held(walk(&pros, "/api/v1/holds", 2).await), newest_first);
    let nearest = held(walk(&pros, "/api/v1/holds?order=reverse", 2).await);
    assert_eq!(nearest, filed, "oldest referral, nearest deadline");
    // Every list turns round the same way.
    let oldest = walk(&sup, "/api/v1/referrals?order=reverse", 2).await;
    assert_eq!(ids(&oldest, "id"), filed);
    let oldest = walk(&cm, "/api/v1/referrals/inbox?order=reverse", 4).await;
    assert_eq!(ids(&oldest, "id"), filed);
});

both!(filters_narrow_every_page, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let filed = referrals(&officer, 4).await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    steps(&cm, &filed[1], &["accept"]).await;
    let me = user(&app, "casemanager@demo.test").await;

    let sup = as_user(&app, "supervisor@demo.test").await;
    let only = |path: &str| {
        let path = path.to_string();
        let sup = &sup;
        async move { ids(&walk(sup, &path, 50).await, "id") }
    };
    assert_eq!(
        only("/api/v1/referrals?state=accepted").await,
        vec![filed[1].clone()]
    );
    assert_eq!(
        only(&format!("/api/v1/referrals?case_manager={}", me.id)).await,
        vec![filed[1].clone()]
    );
    assert_eq!(
        only("/api/v1/referrals?state=awaiting_handoff").await.len(),
        3
    );
    assert_eq!(
        only("/api/v1/referrals?door=arrest_diversion").await.len(),
        4
    );
    assert!(only("/api/v1/referrals?door=community").await.is_empty());
    assert!(only("/api/v1/referrals?from=2099-01-01").await.is_empty());
    assert!(only("/api/v1/referrals?to=2001-01-01").await.is_empty());
    assert_eq!(
        only("/api/v1/referrals?from=2001-01-01&to=2099-12-31")
            .await
            .len(),
        4
    );
    // The inbox no longer holds the accepted one; holds filter by state.
    assert_eq!(
        ids(&walk(&cm, "/api/v1/referrals/inbox", 50).await, "id").len(),
        3
    );
    let pros = as_user(&app, "prosecutor@demo.test").await;
    assert_eq!(
        ids(&walk(&pros, "/api/v1/holds?state=pending", 50).await, "id").len(),
        4
    );
    assert!(walk(&pros, "/api/v1/holds?state=lapsed", 50).await[0].is_empty());

    // A filter the list does not offer, or a wrong value, names its field.
    for (path, field) in [
        ("/api/v1/referrals?state=failed", "state"),
        ("/api/v1/referrals?door=back", "door"),
        ("/api/v1/referrals?from=yesterday", "from"),
        ("/api/v1/referrals?case_manager=someone", "case_manager"),
        ("/api/v1/referrals/inbox?state=accepted", "state"),
        ("/api/v1/holds?door=community", "door"),
        ("/api/v1/referrals?limit=0", "limit"),
        ("/api/v1/referrals?limit=201", "limit"),
        ("/api/v1/referrals?limit=ten", "limit"),
        ("/api/v1/referrals?order=sideways", "order"),
        // The API answers JSON; CSV is the pages' export.
        ("/api/v1/referrals?format=csv", "format"),
    ] {
        let who = if path.contains("holds") { &pros } else { &sup };
        let who = if path.contains("inbox") { &cm } else { who };
        let (s, v) = who.get_json(path).await;
        assert_invalid(s, &v, field);
    }
    // A `to` before `from`: nothing in the API (a range like any other),
    // a mistake to correct on the page's form.
    assert!(
        only("/api/v1/referrals?from=2026-02-01&to=2026-01-01")
            .await
            .is_empty()
    );
    let r = sup.get("/referrals?from=2026-02-01&to=2026-01-01").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The last day there is has no end.
    assert!(!only("/api/v1/referrals?to=9999-12-31").await.is_empty());
});

both!(a_bent_cursor_is_refused_naming_cursor, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    referrals(&officer, 3).await;
    let (_, first) = officer.get_json("/api/v1/referrals?limit=1").await;
    let good = first["next_cursor"].as_str().unwrap().to_string();
    let mut bent = good.clone();
    bent.replace_range(0..2, "zz");
    let cm = as_user(&app, "casemanager@demo.test").await;
    let pros = as_user(&app, "prosecutor@demo.test").await;
    // A cursor of a list sorted by text (search) on a list sorted by time.
    let texty = format!("s{}.", "0".repeat(32));
    for cursor in [
        bent.as_str(),
        "not-a-cursor",
        "dC4xLjI",
        &good[..good.len() - 3],
        &good.to_uppercase(),
        &texty,
    ] {
        for (who, path) in [
            (&officer, "/api/v1/referrals"),
            (&cm, "/api/v1/referrals/inbox"),
            (&pros, "/api/v1/holds"),
            (&cm, "/api/v1/caseloads"),
            (&cm, "/api/v1/review"),
            (&cm, "/api/v1/search?q=Maria"),
        ] {
            if path.contains("search") && cursor == texty {
                continue;
            }
            let sep = if path.contains('?') { '&' } else { '?' };
            let (s, v) = who.get_json(&format!("{path}{sep}cursor={cursor}")).await;
            assert_invalid(s, &v, "cursor");
        }
        // Pages refuse it too, with a page.
        let r = officer.get(&format!("/referrals?cursor={cursor}")).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
});

both!(without_paging_the_old_shape_is_kept, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    referrals(&officer, 2).await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let pros = as_user(&app, "prosecutor@demo.test").await;
    for (who, path) in [
        (&officer, "/api/v1/referrals"),
        (&cm, "/api/v1/referrals/inbox"),
        (&pros, "/api/v1/holds"),
        (&pros, "/api/v1/holds?state=pending"),
        (&cm, "/api/v1/review"),
        (&cm, "/api/v1/search?q=Maria%20Garcia"),
    ] {
        let r = who.get(path).await;
        assert!(r.headers().get("link").is_none(), "{path}: nothing was cut");
        let (s, v) = status_and_json(r).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        assert!(v.is_array(), "{path}: {v}");
    }
    let (_, two) = officer.get_json("/api/v1/referrals").await;
    assert_eq!(two.as_array().unwrap().len(), 2);
    let (s, c) = cm.get_json("/api/v1/caseloads?view=team").await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert!(c["cases"].is_array() && c["loads"].is_array(), "{c}");
    // The document says so: every list endpoint takes limit and cursor.
    let (_, doc) = officer.get_json("/api/v1/openapi.json").await;
    for path in [
        "/api/v1/referrals",
        "/api/v1/referrals/inbox",
        "/api/v1/holds",
        "/api/v1/caseloads",
        "/api/v1/review",
        "/api/v1/search",
    ] {
        let op = &doc["paths"][path]["get"];
        let names: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: {op}"))
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            names.contains(&"limit") && names.contains(&"cursor"),
            "{path}: {names:?}"
        );
        // Only the filters the list reads, each typed.
        let offers = |n: &str| names.contains(&n);
        let spec = match path {
            "/api/v1/referrals" => handoff_http::list::specs::referrals(true),
            "/api/v1/referrals/inbox" => handoff_http::list::specs::inbox(),
            "/api/v1/holds" => handoff_http::list::specs::holds(),
            "/api/v1/caseloads" => handoff_http::list::specs::caseload(true),
            "/api/v1/review" => handoff_http::list::specs::review(),
            _ => handoff_http::list::specs::plain(),
        };
        assert_eq!(
            offers("state"),
            !spec.states.is_empty(),
            "{path}: {names:?}"
        );
        assert_eq!(offers("door"), !spec.doors.is_empty(), "{path}: {names:?}");
        assert_eq!(offers("from"), spec.dates, "{path}: {names:?}");
        assert_eq!(
            offers("case_manager"),
            spec.case_manager,
            "{path}: {names:?}"
        );
        let limit = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap()
            .to_string();
        assert!(
            limit.contains("\"integer\"") && limit.contains("\"maximum\":200"),
            "{path}: {limit}"
        );
    }
    let listed = doc["paths"]["/api/v1/referrals"]["get"]["responses"]["200"].to_string();
    assert!(
        listed.contains("next_cursor") || listed.contains("Listed"),
        "{listed}"
    );
    // With a limit the same endpoints answer a page.
    let (_, page) = officer.get_json("/api/v1/referrals?limit=50").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "{page}");
    assert!(page["next_cursor"].is_null(), "{page}");
});

both!(caseloads_search_and_review_page, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let mut enrolled = Vec::new();
    for i in 0..3 {
        let rid = refer_person(&officer, "Maria", "Garcia", &dob(i)).await;
        enrolled.push(enroll(&cm, &rid, "Find housing").await);
    }
    for view in ["mine", "team"] {
        let pages = walk(&cm, &format!("/api/v1/caseloads?view={view}"), 2).await;
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![2, 1],
            "{view}: {pages:?}"
        );
        let mut got = ids(&pages, "id");
        got.sort();
        let mut want = enrolled.clone();
        want.sort();
        assert_eq!(got, want, "{view}");
    }
    let longest = ids(&walk(&cm, "/api/v1/caseloads?view=mine", 50).await, "id");
    let mut latest = ids(
        &walk(&cm, "/api/v1/caseloads?view=mine&order=reverse", 2).await,
        "id",
    );
    latest.reverse();
    assert_eq!(latest, longest, "the same cases turned round");
    let me = user(&app, "casemanager@demo.test").await;
    let theirs = walk(
        &cm,
        &format!("/api/v1/caseloads?view=team&case_manager={}", me.id),
        50,
    )
    .await;
    assert_eq!(theirs[0].len(), 3);
    let nobody = uuid::Uuid::now_v7();
    let none = walk(
        &cm,
        &format!("/api/v1/caseloads?view=team&case_manager={nobody}"),
        50,
    )
    .await;
    assert!(none[0].is_empty());
    assert!(walk(&cm, "/api/v1/caseloads?view=unassigned", 2).await[0].is_empty());

    // Search results page through the best matches.
    let pages = walk(&cm, "/api/v1/search?q=Maria%20Garcia", 1).await;
    assert_eq!(pages.iter().map(Vec::len).sum::<usize>(), 3, "{pages:?}");
    assert!(pages.iter().all(|p| p.len() == 1));

    // The review queue answers pages (nothing waits in a fresh site).
    let review = walk(&cm, "/api/v1/review", 2).await;
    assert_eq!(review, vec![Vec::<Value>::new()]);
});

/// The `href` of the link with `rel` in a page, unescaped.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

both!(
    list_pages_link_their_next_page_and_keep_filters,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let filed = referrals(&officer, 3).await;
        let sup = as_user(&app, "supervisor@demo.test").await;

        let html = sup
            .get("/referrals?limit=2&state=awaiting_handoff")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&filed[2]) && html.contains(&filed[1]),
            "first page"
        );
        assert!(
            !html.contains(&format!("/referrals/{}", filed[0])),
            "not yet"
        );
        assert!(
            html.contains("<option value=\"awaiting_handoff\" selected"),
            "the form keeps the filter"
        );
        let next = rel_link(&html, "next").expect("a next link");
        assert!(
            next.contains("state=awaiting_handoff") && next.contains("limit=2"),
            "{next}"
        );
        let html = sup.get(&next).await.text().await.unwrap();
        assert!(
            html.contains(&format!("/referrals/{}", filed[0])),
            "second page"
        );
        assert!(rel_link(&html, "next").is_none(), "last page");
        assert!(rel_link(&html, "first").is_some(), "back to the first page");

        // Every list page answers a first page with its pager.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let pros = as_user(&app, "prosecutor@demo.test").await;
        let admin = as_user(&app, "admin@demo.test").await;
        for (who, path) in [
            (&officer, "/referrals"),
            (&sup, "/referrals"),
            (&cm, "/handoffs"),
            (&cm, "/caseload?view=mine"),
            (&cm, "/caseload?view=team"),
            (&pros, "/holds"),
            (&cm, "/search?q=Maria"),
            (&cm, "/review"),
            (&admin, "/admin"),
        ] {
            let r = who.get(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let html = r.text().await.unwrap();
            assert!(html.contains("aria-label=\"Pages\""), "{path}: a pager");
            assert!(html.contains("format=csv"), "{path}: a CSV link");
        }
        // Admin users page too.
        let html = admin.get("/admin?limit=2").await.text().await.unwrap();
        let next = rel_link(&html, "next").expect("more users than two");
        assert_eq!(admin.get(&next).await.status(), StatusCode::OK);
    }
);

both!(
    csv_exports_what_the_caller_sees_and_is_audited,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        referrals(&officer, 3).await;

        let r = officer.get("/referrals?format=csv").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let body = r.text().await.unwrap();
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 4, "{body}");
        assert!(
            lines[0].starts_with("referral_id,referred_at,door,status"),
            "{body}"
        );
        assert!(lines[1..].iter().all(|l| l.contains(",26-70")), "{body}");
        // Filtered exports hold only the filtered rows; a later page's cursor
        // exports from there.
        let r = officer.get("/referrals?format=csv&door=community").await;
        assert_eq!(r.text().await.unwrap().lines().count(), 1);

        let exports = audited(&app, "export.csv").await;
        assert_eq!(exports.len(), 2, "{exports:?}");
        assert_eq!(
            exports[0]["subject_ref"], "list:referrals:rows:3",
            "{:?}",
            exports[0]
        );
        // The rows came through the list's own service: its read is audited.
        assert!(audited(&app, "referral.list").await.len() >= 2);

        let cm = as_user(&app, "casemanager@demo.test").await;
        let pros = as_user(&app, "prosecutor@demo.test").await;
        let admin = as_user(&app, "admin@demo.test").await;
        for (who, path, rows) in [
            (&cm, "/handoffs?format=csv", 3),
            (&pros, "/holds?format=csv", 3),
            (&cm, "/caseload?format=csv", 0),
            (&cm, "/review?format=csv", 0),
        ] {
            let r = who.get(path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let text = r.text().await.unwrap();
            assert_eq!(text.lines().count(), rows + 1, "{path}: {text}");
        }
        let r = admin.get("/admin?format=csv").await;
        let text = r.text().await.unwrap();
        assert!(text.starts_with("user_id,name,email"), "{text}");
        assert!(text.contains("officer@demo.test"), "{text}");
        assert_eq!(audited(&app, "export.csv").await.len(), 7);
        // Someone who may not see a list cannot export it.
        let r = officer.get("/holds?format=csv").await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(audited(&app, "export.csv").await.len(), 7);
        assert_audit_chain_intact(&app).await;
    }
);

both!(answers_are_compressed_when_asked, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    referrals(&officer, 2).await;
    let encoding = |r: &reqwest::Response| {
        r.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string())
    };
    for path in ["/referrals", "/api/v1/referrals", "/assets/app.css"] {
        for (asked, got) in [
            ("gzip", Some("gzip")),
            ("br", Some("br")),
            ("identity", None),
        ] {
            let r = officer
                .client
                .get(app.url(path))
                .header("accept-encoding", asked)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(encoding(&r).as_deref(), got, "{path} with {asked}");
        }
    }
    // The live event stream is never compressed (it must flush each event).
    let r = officer
        .client
        .get(app.url("/api/v1/events"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert_eq!(encoding(&r), None);
});

both!(approvals_page_and_export, |db| async move {
    let app = TestApp::spawn(db).await;
    let admin = as_user(&app, "admin@demo.test").await;
    change_policy(&admin, |p| p["approval"] = json!("police")).await;
    let sgt = colleague(
        &app,
        "officer@demo.test",
        "sgt@demo.test",
        "Sgt Park",
        handoff_domain::Role::Officer,
    )
    .await;
    handoff_store::users::set_can_approve(&mut app.store.conn(), demo_site(&app).await, sgt, true)
        .await
        .unwrap();
    let officer = as_user(&app, "officer@demo.test").await;
    let mut filed = referrals(&officer, 3).await;
    filed.reverse();
    let sergeant = as_user(&app, "sgt@demo.test").await;
    let pages = walk(&sergeant, "/api/v1/referrals/approvals", 2).await;
    assert_eq!(ids(&pages, "id"), filed);
    let (s, v) = sergeant
        .get_json("/api/v1/referrals/approvals?cursor=bent")
        .await;
    assert_invalid(s, &v, "cursor");
    let (_, old) = sergeant.get_json("/api/v1/referrals/approvals").await;
    assert_eq!(old.as_array().map(Vec::len), Some(3), "{old}");

    let html = sergeant
        .get("/approvals?limit=2")
        .await
        .text()
        .await
        .unwrap();
    let next = rel_link(&html, "next").expect("a next page");
    let html = sergeant.get(&next).await.text().await.unwrap();
    assert!(html.contains(&filed[2]) && rel_link(&html, "next").is_none());
    let csv = sergeant
        .get("/approvals?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert_eq!(audited(&app, "export.csv").await.len(), 1);
});
