//! Data the models cannot be fitted to give warnings and `null` blocks, never a panic.

use std::path::Path;

#[test]
fn no_comparison_group_gives_warnings_not_a_panic() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public");
    let dir = std::env::temp_dir().join(format!("handoff-eval-alllead-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "events.csv",
        "monthly.csv",
        "unit_costs.csv",
        "eligible_arrests.csv",
        "study.csv",
    ] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let participants = std::fs::read_to_string(src.join("participants.csv"))
        .unwrap()
        .replace(",control,", ",lead,");
    std::fs::write(dir.join("participants.csv"), participants).unwrap();

    let r = handoff_evaluation::evaluate_dir(&dir).expect("valid input");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        r.recidivism_6m.is_none() && r.arrest_rate.is_none() && r.survival_first_arrest.is_none()
    );
    assert!(r.cost_change.welch.is_none() && r.cost_change.control.mean_change.is_none());
    assert!(
        r.housing_gee.is_some(),
        "the within-person analyses need no comparison group"
    );
    let w = r.meta.warnings.join("\n");
    assert!(
        w.contains("recidivism_6m: not estimated: singular design"),
        "{w}"
    );
    assert!(w.contains("cost_change: Welch test not computed"), "{w}");
    let json = handoff_evaluation::results_json(&r);
    assert!(!json.contains("NaN") && json.contains("\"recidivism_6m\": null"));
    let html = handoff_evaluation::render_report(&r);
    assert!(html.contains("Warnings from the analysis"));
}
