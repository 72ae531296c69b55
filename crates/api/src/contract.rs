//! What the document promises beyond what each handler's annotation says:
//! every status an operation can answer (the layers below the handlers
//! answer 401, 403, 404, 413, 415 and 422 for every operation they guard),
//! and every closed value set as an `enum`, taken from the domain's own
//! lists so the document and the parser cannot disagree.

use handoff_domain::casework::{
    Employment, GoalStatus, Place, ReferralOutcome, Service, StaffRole,
};
use handoff_domain::hold::{HoldState, ProsecutorDecision};
use handoff_domain::living::LivingSituation;
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
    let living: Vec<&str> = LivingSituation::ALL.iter().map(|l| l.as_str()).collect();
    let employment: Vec<&str> = Employment::ALL.iter().map(|e| e.as_str()).collect();
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
        ("PieceForm", "category", vec!["notes", "health", "sud"]),
        (
            "Identifier",
            "kind",
            handoff_http::casework::profile::KINDS.to_vec(),
        ),
        ("IntakeForm", "living_situation", living.clone()),
        ("MonthForm", "living_situation", living.clone()),
        ("ContactForm", "living_situation", living),
        ("MonthForm", "employment", employment.clone()),
        ("ContactForm", "employment", employment),
        (
            "ArrestBody",
            "reason",
            handoff_http::evidence::eligible::REASONS
                .iter()
                .map(|(r, _)| *r)
                .collect(),
        ),
        (
            "CostBody",
            "category",
            handoff_http::evidence::costs::CATEGORIES
                .iter()
                .map(|(c, _)| *c)
                .collect(),
        ),
        ("ScheduleBody", "method", vec!["random", "rota"]),
        ("ScheduleBody", "unit", vec!["day", "shift"]),
    ]
}

/// Lists the parsers bound, by field name.
const MAX_ITEMS: &[(&str, u32)] = &[
    ("steps", 30),
    ("aliases", 20),
    ("identifiers", 20),
    ("where_to_find", 20),
];

/// Required fields whose blank value the parser skips (a blank step of a
/// goal, a blank place to find someone) rather than refuses.
const BLANK_SKIPPED: &[(&str, &str)] = &[
    ("StepForm", "text"),
    ("WhereToFind", "place"),
    ("WhereToFind", "times"),
    ("PieceForm", "text"),
];

/// Fields the parsers require although their Rust type lets them be absent
/// (they are parsed from text so that a wrong value names its field).
const REQUIRED: &[(&str, &[&str])] = &[
    ("DecisionForm", &["decision"]),
    ("CloseForm", &["reason"]),
    ("GoalForm", &["words"]),
    ("ServiceReferralForm", &["service", "provider"]),
    ("ContactForm", &["place"]),
    ("IntakeForm", &["living_situation", "participant_goals"]),
    ("Identifier", &["kind", "value"]),
    ("ArrestOffence", &["category"]),
    ("EtaForm", &["minutes"]),
];

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
    for (schema, fields) in REQUIRED {
        if let Some(s) = doc["components"]["schemas"].get_mut(*schema) {
            let list = s
                .as_object_mut()
                .map(|o| o.entry("required").or_insert_with(|| json!([])));
            if let Some(Value::Array(list)) = list {
                for f in *fields {
                    if !list.contains(&json!(f)) {
                        list.push(json!(f));
                    }
                }
            }
        }
    }
    old_shape_or_page(doc);
    closed_maps(doc);
    add_layer_statuses(doc);
    add_value_sets(doc);
    shape_parameters(doc);
    shape_request_bodies(doc);
}

/// Maps whose keys are a closed set: the scorecard's indicators.
fn closed_maps(doc: &mut Value) {
    let keys: Vec<&str> = handoff_http::network::scorecard::INDICATORS
        .iter()
        .map(|(k, ..)| *k)
        .collect();
    let targets = &mut doc["components"]["schemas"]["TargetsChange"]["properties"]["targets"];
    if targets.is_object() {
        targets["propertyNames"] = json!({"type": "string", "enum": keys});
    }
}

/// A list answers its old shape (a bare array) unless `limit` or `cursor`
/// asks for a page (`Listed_*`, `{"items", "next_cursor"}`): the document
/// says both.
fn old_shape_or_page(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let mut listed = Vec::new();
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(schema) = op
                .get_mut("responses")
                .and_then(|r| r.get_mut("200"))
                .and_then(|r| r.get_mut("content"))
                .and_then(|c| c.get_mut("application/json"))
                .and_then(|c| c.get_mut("schema"))
            else {
                continue;
            };
            let Some(name) = schema["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .filter(|n| n.starts_with("Listed_"))
                .map(str::to_string)
            else {
                continue;
            };
            let element = name.trim_start_matches("Listed_");
            let items = if schemas.get(element).is_some() {
                json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{element}")}})
            } else {
                schemas[&name]["properties"]["items"].clone()
            };
            if items.is_null() {
                continue;
            }
            *schema =
                json!({"oneOf": [items.clone(), {"$ref": format!("#/components/schemas/{name}")}]});
            listed.push((name, items));
        }
    }
    // The page's items name the element's schema too (so its value sets apply).
    for (name, items) in listed {
        doc["components"]["schemas"][&name]["properties"]["items"] = items;
    }
    // The caseload's old shape is an object (`Caseload`); its page holds
    // the cases.
    if let Some(schema) = doc
        .pointer_mut(
            "/paths/~1api~1v1~1caseloads/get/responses/200/content/application~1json/schema",
        )
        .filter(|s| s["$ref"] == "#/components/schemas/Caseload")
    {
        *schema = json!({"oneOf": [
            {"$ref": "#/components/schemas/Caseload"},
            {
                "type": "object",
                "required": ["items", "next_cursor"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/ParticipantSummary"}},
                    "next_cursor": {"type": ["string", "null"], "description": "The cursor of the next page; null on the last page."}
                }
            }
        ]});
    }
}

/// Text the server stores: no control character but tab and newline, no
/// bidirectional formatting character (`handoff_http::input` refuses them
/// in every request).
const TEXT: &str =
    "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C]*$";
/// The same, with at least one character that is not a space (a required
/// text is never blank).
const NON_BLANK: &str = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C]*[^\\s\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C][^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C]*$";
/// An e-mail address as the profile keeps it (an `@` in it), or nothing.
const EMAIL: &str = "^([^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C]*@[^\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\u061C]*)?$";
/// A month the site keeps figures for (1990 to 2200).
const MONTH: &str = "^(199[0-9]|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])$";

/// What a value of a given name is, wherever it appears (parameters and
/// request bodies): the parsers read these names the same way everywhere.
fn shape_of(name: &str) -> Option<Value> {
    Some(match name {
        "dob" | "held_on" | "due_on" | "expires_on" | "effective_on" | "referred_on" | "as_of"
        | "on" | "period_start" | "period_end" => json!({"format": "date"}),
        "occurred_at" | "starts_at" | "ends_at" => json!({"format": "date-time"}),
        "month" => json!({"pattern": MONTH}),
        n if n == "id" || n.ends_with("_id") || n == "goal" || n == "referral" => {
            json!({"format": "uuid"})
        }
        _ => return None,
    })
}

/// Query and path parameters: their shapes, the closed sets of the few
/// that are not named alike everywhere, and text for the rest.
fn shape_parameters(doc: &mut Value) {
    let kinds: Vec<&str> = handoff_justice::Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let categories: Vec<&str> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (_, op) in item.iter_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in params {
                let name = p["name"].as_str().unwrap_or("").to_string();
                // The look-up answers only a full name and date of birth.
                if path == "/api/v1/lookup" {
                    p["required"] = Value::Bool(true);
                }
                let required = p["required"].as_bool().unwrap_or(false);
                let schema = &mut p["schema"];
                if schema.get("anyOf").is_some() {
                    continue;
                }
                // Typed by the code (`IntoParams`): a number, a set, a date
                // or id; otherwise shaped here by name.
                let typed = schema["type"] != "string"
                    || schema.get("enum").is_some()
                    || schema.get("format").is_some();
                if !typed {
                    let set: Option<Vec<&str>> = match (path.as_str(), name.as_str()) {
                        ("/api/v1/caseloads", "view") => Some(vec!["mine", "team", "unassigned"]),
                        ("/api/v1/imports/{kind}", "kind") => Some(kinds.clone()),
                        ("/api/v1/participants/{id}/{category}", "category") => {
                            Some(categories.clone())
                        }
                        ("/api/v1/participants/{id}/documents", "kind") => {
                            Some(vec!["roi_form", "id", "letter", "other"])
                        }
                        ("/api/v1/reports/pcg", "format") => Some(vec!["json", "csv"]),
                        _ => None,
                    };
                    let shape = match (set, path.as_str(), name.as_str()) {
                        (Some(values), _, _) => json!({"enum": values}),
                        (None, "/api/v1/oversight/summary", "from" | "to") => {
                            json!({"pattern": MONTH})
                        }
                        (None, "/api/v1/lookup", "first_name" | "last_name") => {
                            json!({"maxLength": 100, "pattern": NON_BLANK})
                        }
                        (None, "/api/v1/search", "q") => {
                            json!({"minLength": 2, "maxLength": 100, "pattern": NON_BLANK})
                        }
                        (None, "/api/v1/exports/evaluation", "from" | "to") => {
                            json!({"format": "date"})
                        }
                        (None, _, n) => shape_of(n).unwrap_or_else(
                            || json!({"pattern": if required { NON_BLANK } else { TEXT }}),
                        ),
                    };
                    merge(schema, shape);
                }
                // An optional number, date, month or set may also be sent
                // empty (a form's empty field): it means "not given".
                let closed = schema["type"] != "string"
                    || schema.get("format").is_some()
                    || schema.get("enum").is_some()
                    || schema.get("pattern") == Some(&json!(MONTH));
                if !required && closed && schema["type"] != "boolean" {
                    *schema = empty_means_not_given(std::mem::take(schema));
                }
            }
        }
    }
}

/// `{"type": "string", "anyOf": [<the shape>, {"maxLength": 0}]}` for
/// text, `{"anyOf": [<the schema>, <empty text>]}` for a number; the
/// description and default stay outside.
fn empty_means_not_given(mut schema: Value) -> Value {
    let Some(obj) = schema.as_object_mut() else {
        return schema;
    };
    let mut outer = serde_json::Map::new();
    for key in ["description", "default"] {
        if let Some(v) = obj.remove(key) {
            outer.insert(key.into(), v);
        }
    }
    let empty = json!({"type": "string", "maxLength": 0});
    if obj.get("type") == Some(&json!("string")) {
        obj.remove("type");
        outer.insert("type".into(), json!("string"));
    }
    outer.insert("anyOf".into(), json!([schema, empty]));
    Value::Object(outer)
}

fn merge(target: &mut Value, shape: Value) {
    if let (Some(t), Value::Object(s)) = (target.as_object_mut(), shape) {
        for (k, v) in s {
            t.entry(k).or_insert(v);
        }
    }
}

/// Request bodies: unknown fields are refused (`additionalProperties:
/// false`), dates, times and ids have their formats, and text its
/// pattern — required text is never blank.
fn shape_request_bodies(doc: &mut Value) {
    let mut names = std::collections::BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object() {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                collect_refs(&op["requestBody"], doc, &mut names);
            }
        }
    }
    let schemas = &mut doc["components"]["schemas"];
    for name in names {
        let schema = &mut schemas[&name];
        if schema["type"] != "object" || schema.get("properties").is_none() {
            continue;
        }
        let required: Vec<String> = schema["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        schema["additionalProperties"] = Value::Bool(false);
        let Some(props) = schema["properties"].as_object_mut() else {
            continue;
        };
        for (prop, p) in props.iter_mut() {
            let never_blank =
                required.contains(prop) && !BLANK_SKIPPED.contains(&(name.as_str(), prop.as_str()));
            shape_property(prop, p, never_blank);
        }
    }
}

fn is_string(p: &Value) -> bool {
    p["type"] == "string"
        || p["type"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("string")))
}

fn shape_property(name: &str, p: &mut Value, required: bool) {
    if name == "participant_goals" {
        p["minItems"] = json!(1);
    }
    if let Some((_, max)) = MAX_ITEMS.iter().find(|(n, _)| *n == name) {
        p["maxItems"] = json!(max);
    }
    if name == "monthly_income" {
        merge(p, json!({"minimum": 0, "exclusiveMaximum": 10_000_000}));
    }
    if p.get("items").is_some() && p["items"].get("$ref").is_none() {
        let items = &mut p["items"];
        if is_string(items) && items.get("enum").is_none() && items.get("format").is_none() {
            let shape = match name {
                "attendees" => json!({"format": "uuid"}),
                "participant_goals" => json!({"pattern": NON_BLANK}),
                // Blank items of a list are skipped, not refused.
                _ => json!({"pattern": TEXT}),
            };
            merge(items, shape);
        }
        return;
    }
    if !is_string(p) || p.get("enum").is_some() || p.get("format").is_some() {
        return;
    }
    let shape = match shape_of(name) {
        // An optional date or time may also be sent empty (the form's
        // empty field): it means "not given".
        Some(shape) if !required && shape.get("format").is_some() => {
            json!({"anyOf": [shape, {"type": "string", "maxLength": 0}, {"type": "null"}]})
        }
        Some(shape) => shape,
        None if name == "phone" => json!({"pattern": "^[0-9 +().-]{0,40}$"}),
        None if name == "email" => json!({"pattern": EMAIL, "maxLength": 200}),
        None => json!({"pattern": if required { NON_BLANK } else { TEXT }}),
    };
    merge(p, shape);
}

fn collect_refs(v: &Value, doc: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Value::as_str)
                && let Some(name) = r.strip_prefix("#/components/schemas/")
                && out.insert(name.to_string())
            {
                collect_refs(&doc["components"]["schemas"][name], doc, out);
            }
            for x in m.values() {
                collect_refs(x, doc, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, doc, out)),
        _ => {}
    }
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
        let Some(p) = schemas
            .get_mut(schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(|p| p.get_mut(property))
        else {
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
