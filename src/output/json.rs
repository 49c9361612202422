//! `--format json`: one report object (docs/report-schema.md), or an array of them for several
//! targets. Pretty-printed, keys in schema order, findings already sorted by the analyzer.

use driftd_core::Report;

pub fn render(reports: &[Report]) -> String {
    let text = match reports {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    };
    // Serializing plain data structs with string keys cannot fail.
    let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
