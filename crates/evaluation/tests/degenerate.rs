//! Data the models cannot be fitted to give warnings and `null` blocks, never a panic.

use std::path::Path;

#[test]
fn no_comparison_group_gives_warnings_not_a_panic() {
    let r = with_participants("alllead", |l| l.replace(",control,", ",lead,"));
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
    assert!(r.ipw.is_none());
    assert!(
        w.contains(
            "ipw: not estimated: the comparison group has 0 participants; weighting needs at \
             least two in each group"
        ),
        "{w}"
    );
    let json = handoff_evaluation::results_json(&r);
    assert!(!json.contains("NaN") && json.contains("\"recidivism_6m\": null"));
    let html = handoff_evaluation::render_report(&r);
    assert!(html.contains("Warnings from the analysis"));
}

/// The public data with `participants.csv` rewritten line by line.
fn with_participants(case: &str, edit: impl Fn(&str) -> String) -> handoff_evaluation::Results {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public");
    let dir = std::env::temp_dir().join(format!("handoff-eval-{case}-{}", std::process::id()));
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
    let text = std::fs::read_to_string(src.join("participants.csv")).unwrap();
    let edited: String = text.lines().map(|l| edit(l) + "\n").collect();
    std::fs::write(dir.join("participants.csv"), edited).unwrap();
    let r = handoff_evaluation::evaluate_dir(&dir).expect("valid input");
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// The weighting analysis's warnings: one plain sentence, no optimiser output.
fn ipw_refusal(r: &handoff_evaluation::Results) -> String {
    assert!(r.ipw.is_none());
    let ipw: Vec<&String> = r
        .meta
        .warnings
        .iter()
        .filter(|w| w.starts_with("ipw"))
        .collect();
    assert_eq!(ipw.len(), 1, "{ipw:?}");
    assert!(
        !ipw[0].contains("converge")
            && !ipw[0].contains("separation")
            && !ipw[0].contains("singular"),
        "{ipw:?}"
    );
    let json = handoff_evaluation::results_json(r);
    assert!(json.contains("\"ipw\": null") && !json.contains("NaN"));
    ipw[0].clone()
}

#[test]
fn weighting_refuses_a_covariate_that_never_varies() {
    let r = with_participants("allfemale", |l| l.replace(",M,", ",F,"));
    assert_eq!(
        ipw_refusal(&r),
        "ipw: not estimated: the covariate male is 0 for every participant, so the propensity \
         model cannot tell its effect from the intercept"
    );
    assert!(handoff_evaluation::render_report(&r).contains("not estimated"));
}

#[test]
fn weighting_refuses_a_race_seen_in_one_group_only() {
    let r = with_participants("asianlead", |l| {
        if l.contains(",control,") {
            l.replace(",Asian", ",White")
        } else {
            l.to_string()
        }
    });
    assert_eq!(
        ipw_refusal(&r),
        "ipw: not estimated: every Asian participant is in the LEAD group, so the propensity \
         model has no finite estimate"
    );
}

#[test]
fn weighting_drops_a_race_nobody_has() {
    let r = with_participants("noother", |l| l.replace(",Other", ",White"));
    let ipw = r.ipw.expect("estimated");
    assert!(
        !ipw.propensity
            .model
            .table
            .terms
            .iter()
            .any(|t| t == "race_Other")
    );
    assert_eq!(ipw.balance.terms.len(), 8);
    assert!(ipw.recidivism_6m.is_some() && ipw.felony_followup.is_some());
}
