use crate::both;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let path = reference.strip_prefix("#/")?;
    path.split('/').try_fold(doc, |v, key| v.get(key))
}

fn check_refs(doc: &Value, v: &Value, broken: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref")
                && resolve(doc, r).is_none()
            {
                broken.push(r.clone());
            }
            m.values().for_each(|x| check_refs(doc, x, broken));
        }
        Value::Array(a) => a.iter().for_each(|x| check_refs(doc, x, broken)),
        _ => {}
    }
}

both!(
    openapi_document_is_valid_and_covers_the_api,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
        let mut broken = Vec::new();
        check_refs(&doc, &doc, &mut broken);
        assert!(broken.is_empty(), "unresolved $refs: {broken:?}");
        let paths = doc["paths"].as_object().unwrap();
        for required in ["/api/v1/session", "/api/v1/me", "/api/v1/agencies"] {
            assert!(paths.contains_key(required), "{required} missing");
        }
        // Every documented operation exists on the server, and every operation
        // documents its responses.
        for (path, item) in paths {
            assert!(path.starts_with("/api/v1/"), "{path}");
            for (method, op) in item.as_object().unwrap() {
                assert!(
                    op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{method} {path}: responses"
                );
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = app
                    .client
                    .request(m, app.url(path))
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .unwrap();
                assert!(
                    r.status() != StatusCode::NOT_FOUND
                        && r.status() != StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is documented but not served ({})",
                    r.status()
                );
            }
        }
        // And the served document is the one generated from the code and
        // checked in as the contract.
        assert_eq!(
            doc,
            serde_json::to_value(handoff_web::api::openapi()).unwrap()
        );
        let contract = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
        let checked_in: Value =
            serde_json::from_str(&std::fs::read_to_string(contract).unwrap()).unwrap();
        assert!(
            doc == checked_in,
            "the server serves a document other than openapi.json"
        );
    }
);
