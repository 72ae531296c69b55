//! What the document promises beyond what each handler's annotation says:
//! every status an operation can answer (the layers below the handlers
//! answer 401, 403, 404, 413, 415 and 422 for every operation they guard),
//! and every closed value set as an `enum`, taken from the domain's own
//! lists so the document and the parser cannot disagree.

use handoff_domain::casework::{GoalStatus, Place, ReferralOutcome, Service, StaffRole};
use handoff_domain::hold::{HoldState, ProsecutorDecision};
use handoff_domain::participation::{ClosureReason, ParticipationState};
use handoff_domain::referral::{Door, Race, Sex};
use handoff_domain::{AgencyKind, DataCategory, Role};
use serde_json::{Value, json};

/// A closed value set: where it applies (schema, property) and its values.
/// A property that is a list gets the enum on its items.
fn value_sets() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let doors: Vec<&str> = Door::ALL.iter().map(|d| d.as_str()).collect();
    let categories: Vec<&str> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
    let decisions: Vec<&str> = ProsecutorDecision::ALL.iter().map(|d| d.as_str()).collect();
    let outcomes: Vec<&str> = ReferralOutcome::ALL.iter().map(|o| o.as_str()).collect();
    let participation: Vec<&str> = ParticipationState::ALL.iter().map(|s| s.as_str()).collect();
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    vec![
        ("ReferralBody", "door", doors.clone()),
        ("CreatedReferral", "door", doors.clone()),
        ("ReferralView", "door", doors),
        (
            "PersonBody",
            "sex",
            Sex::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        (
            "PersonBody",
            "race",
            Race::ALL.iter().map(|r| r.label()).collect(),
        ),
        (
            "ContactForm",
            "place",
            Place::ALL.iter().map(|p| p.as_str()).collect(),
        ),
        (
            "ContactForm",
            "services",
            Service::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        (
            "ContactForm",
            "staff_role",
            StaffRole::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        (
            "GoalForm",
            "status",
            GoalStatus::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        ("ServiceReferralForm", "outcome", outcomes.clone()),
        ("OutcomeBody", "outcome", outcomes),
        (
            "CloseForm",
            "reason",
            ClosureReason::ALL.iter().map(|r| r.as_str()).collect(),
        ),
        ("DecisionForm", "decision", decisions.clone()),
        ("DecisionView", "decision", decisions),
        (
            "HoldView",
            "state",
            HoldState::ALL.iter().map(|s| s.as_str()).collect(),
        ),
        ("ParticipationView", "state", participation),
        ("RecipientBody", "categories", categories.clone()),
        ("CategoryData", "category", categories),
        (
            "CategoryData",
            "extent",
            vec!["full", "summary", "limited_data_set"],
        ),
        ("SignatureBody", "method", vec!["drawn", "uploaded_pdf"]),
        (
            "ReleaseView",
            "signature_method",
            vec!["drawn", "uploaded_pdf"],
        ),
        (
            "ReleaseView",
            "status",
            vec!["not_yet_effective", "in_force", "expired", "revoked"],
        ),
        ("ReviewVerdict", "decision", vec!["accept", "reject"]),
        (
            "AgencyView",
            "kind",
            AgencyKind::ALL.iter().map(|k| k.as_str()).collect(),
        ),
        ("MeResponse", "roles", roles.clone()),
        ("UserView", "roles", roles),
    ]
}

/// The error answers the layers give every operation, by status.
fn layer_statuses(
    has_body: bool,
    has_params: bool,
    path: &str,
) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        ("401", "Not signed in (or the session expired)."),
        (
            "403",
            "The caller may not do this, or a state-changing request lacks the session's CSRF token.",
        ),
    ];
    if has_params || path.contains('{') {
        out.push((
            "404",
            "No such resource at this site, or not one the caller may see.",
        ));
    }
    if has_body || has_params {
        out.push((
            "422",
            "The input was refused; `field` names what to fix (unknown fields, control characters and implausible values included).",
        ));
    }
    if has_body {
        out.push(("413", "The request body is too large."));
        out.push(("415", "The request body is not JSON."));
    }
    out
}

/// Completes the document (see the module's comment).
pub fn complete(doc: &mut Value) {
    add_layer_statuses(doc);
    add_value_sets(doc);
}

fn add_layer_statuses(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_, op) in item.iter_mut() {
            let has_body = op.get("requestBody").is_some();
            let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            for (status, description) in layer_statuses(has_body, has_params, path) {
                responses.entry(status).or_insert_with(|| {
                    json!({
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                    })
                });
            }
        }
    }
}

fn add_value_sets(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    for (schema, property, values) in value_sets() {
        let Some(p) = schemas[schema]["properties"].get_mut(property) else {
            // A schema renamed or a field removed: the contract test
            // (`every_value_set_is_in_the_document`) says which.
            continue;
        };
        let target = if p.get("items").is_some() {
            &mut p["items"]
        } else {
            p
        };
        if let Some(obj) = target.as_object_mut() {
            let nullable = obj["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("null")));
            let mut list: Vec<Value> = values.iter().map(|s| json!(s)).collect();
            if nullable {
                list.push(Value::Null);
            }
            obj.insert("enum".into(), Value::Array(list));
        }
    }
}

/// The (schema, property) pairs given a value set, for the contract test.
pub fn value_set_places() -> Vec<(&'static str, &'static str)> {
    value_sets().into_iter().map(|(s, p, _)| (s, p)).collect()
}
