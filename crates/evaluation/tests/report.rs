//! The HTML report and the results document as the web app will use them.

use std::path::Path;

fn public() -> handoff_evaluation::Results {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public");
    handoff_evaluation::evaluate_dir(&dir).expect("public fixture loads")
}

#[test]
fn report_leads_with_plain_language_findings_and_is_self_contained() {
    let html = handoff_evaluation::render_report(&public());
    let findings = html.find("What we found").expect("findings section");
    let first_table = html.find("<table").expect("tables");
    assert!(findings < first_table, "findings come before the tables");
    assert!(html.contains("48% lower odds of arrest</strong> in the six months after referral"));
    assert!(html.contains("odds ratio 0.52, 95% CI 0.30–0.87"));
    // four kinds of chart, each with sample sizes under it
    assert_eq!(html.matches("<svg").count(), 1 + 3 + 1 + 1);
    assert!(html.contains("Number at risk"));
    assert!(html.contains("n = 203, 167 re-arrested"));
    assert!(html.contains("Difference-in-differences"));
    assert!(html.contains("@media print"));
    assert!(html.contains("name=\"viewport\""));
    // no scripts and nothing fetched from elsewhere
    for banned in [
        "<script",
        "<link",
        "src=",
        "url(",
        "@import",
        "https://",
        "href=\"http",
    ] {
        assert!(!html.contains(banned), "report contains {banned}");
    }
}

#[test]
fn weighting_section_leads_with_a_sentence_then_balance_and_estimates() {
    let html = handoff_evaluation::render_report(&public());
    let at = html
        .find("<section id=\"weighting\">")
        .expect("weighting section");
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    let sentence = section
        .find("<p class=\"finding\">When the comparison group is weighted")
        .unwrap();
    let balance = section.find("Balance of the groups").unwrap();
    let outcomes = section.find("Outcomes before and after weighting").unwrap();
    assert!(sentence < balance && balance < outcomes);
    // public data (SPEC §11.7): IPW OR 0.5975 (0.3719–0.9602), p 0.0333; unweighted 0.6574
    assert!(section.contains("40% lower odds of arrest within six months</strong> (odds ratio 0.60, 95% CI 0.37–0.96; p = 0.033)"));
    assert!(section.contains("<td>0.66 (0.42–1.04)</td><td>0.60 (0.37–0.96)</td>"));
    assert!(section.contains("<td>Race: Black</td>") && section.contains("<td>0.319</td>"));
    assert!(section.contains("was 0.319 before weighting and 0.015 after"));
    assert!(section.contains("effective sample size 197.5 of 203"));
    assert!(html.find("What we found").unwrap() < at);
}

#[test]
fn equity_section_stands_alone() {
    let r = public();
    let section = handoff_evaluation::render_equity_section(&r);
    assert!(section.starts_with("<section id=\"equity\">"));
    assert!(section.contains("<svg"));
    assert!(section.contains("Black"));
    assert!(
        !section.contains("odds of arrest"),
        "no outcome findings in the equity section"
    );
    assert!(handoff_evaluation::render_report(&r).contains(&section));
}

#[test]
fn oversight_equity_section_suppresses_small_cells() {
    let r = public();
    // public data: Asian 7, Native American 9 and Other 4 diverted arrests
    let s = handoff_evaluation::render_equity_section_suppressed(&r, 11);
    assert!(s.contains("Counts under 11"));
    assert!(!s.contains("<td>7</td>") && !s.contains("<td>9</td>") && !s.contains("<td>4</td>"));
    assert!(
        !s.contains("0.49 for Asian"),
        "the RRI of a suppressed row is hidden"
    );
    assert!(s.contains("0.78 for Black"), "rows with large cells stay");
    assert!(s.contains("<td>65</td>"));
    let full = handoff_evaluation::render_equity_section(&r);
    assert!(full.contains("<td>7</td>") && full.contains("0.49 for Asian"));
}

#[test]
fn results_document_round_trips() {
    let r = public();
    let json = handoff_evaluation::results_json(&r);
    let back: handoff_evaluation::Results = serde_json::from_str(&json).unwrap();
    assert_eq!(handoff_evaluation::results_json(&back), json);
    assert!(back.meta.warnings.is_empty());
}
