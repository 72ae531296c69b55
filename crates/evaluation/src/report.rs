//! The HTML report.
use crate::results::Results;

pub fn render_report(_r: &Results) -> String {
    String::new()
}

pub fn render_equity_section(_r: &Results) -> String {
    String::new()
}
