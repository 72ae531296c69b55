//! Generic comparison of a results document with a reference one (SPEC §9).

use serde_json::Value;

/// Optimiser diagnostics (SPEC §8, fields marked *) and provenance that need not match.
const INFORMATIONAL: [&str; 7] = [
    "iterations",
    "converged",
    "max_abs_score",
    "score_norm",
    "dep_update_scale",
    "exchangeable_corr_at_final_params",
    "packages",
];

/// Walks both trees; returns one line per disagreement.
pub fn compare(golden: &Value, ours: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", golden, ours, &mut out);
    out
}

fn walk(path: &str, g: &Value, o: &Value, out: &mut Vec<String>) {
    match (g, o) {
        (Value::Object(gm), Value::Object(om)) => {
            for (k, gv) in gm {
                let p = format!("{path}.{k}");
                if INFORMATIONAL.contains(&k.as_str()) {
                    if !om.contains_key(k) {
                        out.push(format!("{p}: missing"));
                    }
                    let gee_iterations = (k == "iterations" && path.ends_with("_gee"))
                        .then(|| (gv.as_i64(), om.get(k).and_then(Value::as_i64)));
                    if let Some((Some(a), Some(b))) = gee_iterations
                        && (a - b).abs() > 1
                    {
                        out.push(format!("{p}: GEE iterations {b} vs {a}"));
                    }
                    continue;
                }
                match om.get(k) {
                    Some(ov) => walk(&p, gv, ov, out),
                    None => out.push(format!("{p}: missing")),
                }
            }
            for k in om.keys() {
                if !gm.contains_key(k) {
                    out.push(format!("{path}.{k}: not in the reference"));
                }
            }
        }
        (Value::Array(ga), Value::Array(oa)) => {
            if ga.len() != oa.len() {
                out.push(format!("{path}: length {} vs {}", oa.len(), ga.len()));
            }
            for (i, (gv, ov)) in ga.iter().zip(oa).enumerate() {
                walk(&format!("{path}[{i}]"), gv, ov, out);
            }
        }
        (Value::Number(gn), Value::Number(on)) => {
            if gn.is_f64() {
                let (a, b) = (
                    gn.as_f64().unwrap_or(f64::NAN),
                    on.as_f64().unwrap_or(f64::NAN),
                );
                let within = (a - b).abs() <= 1e-6 * a.abs() + 1e-12;
                if !within {
                    out.push(format!(
                        "{path}: {b:e} vs {a:e} (rel {:.2e})",
                        ((a - b) / a).abs()
                    ));
                }
            } else if gn.as_i64() != on.as_i64() || on.is_f64() {
                out.push(format!("{path}: count {on} vs {gn}"));
            }
        }
        _ => {
            if g != o {
                out.push(format!("{path}: {o} vs {g}"));
            }
        }
    }
}

/// Real numbers compared under `golden` (optimiser diagnostics excepted) and
/// the largest absolute and relative deviation of `ours` from them.
pub fn deviations(golden: &Value, ours: &Value) -> (usize, f64, f64) {
    let mut acc = (0, 0.0f64, 0.0f64);
    deviations_into(golden, ours, &mut acc);
    acc
}

fn deviations_into(g: &Value, o: &Value, acc: &mut (usize, f64, f64)) {
    match (g, o) {
        (Value::Object(gm), Value::Object(om)) => {
            for (k, gv) in gm {
                if let (false, Some(ov)) = (INFORMATIONAL.contains(&k.as_str()), om.get(k)) {
                    deviations_into(gv, ov, acc);
                }
            }
        }
        (Value::Array(ga), Value::Array(oa)) => {
            ga.iter()
                .zip(oa)
                .for_each(|(a, b)| deviations_into(a, b, acc));
        }
        (Value::Number(gn), Value::Number(on)) if gn.is_f64() => {
            let (a, b) = (gn.as_f64().unwrap_or(0.0), on.as_f64().unwrap_or(f64::NAN));
            let d = (a - b).abs();
            acc.0 += 1;
            acc.1 = acc.1.max(d);
            acc.2 = acc.2.max(if a == 0.0 { d } else { d / a.abs() });
        }
        _ => {}
    }
}
