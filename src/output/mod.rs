//! Report formats, one file each. To add a format: a file with a `render` function and one arm
//! in [`render`] plus one variant in [`Format`].

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use driftd_core::{NotCompared, NotComparedKind, Report, Summary};

/// Output formats of `check` and `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a person at a terminal: grouped by kind, expected vs actual.
    Table,
    /// The versioned JSON report of docs/report-schema.md (an array when several targets are checked).
    Json,
    /// For a pull-request comment or a CI job summary.
    Markdown,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: one test case per managed resource, failures for drift.
    Junit,
    /// One self-contained HTML file: search, filters, expected vs actual.
    Html,
}

/// Renders the reports of one run. `color` adds ANSI colors (table only).
pub fn render(format: Format, reports: &[Report], color: bool) -> String {
    match format {
        Format::Table => table::render(reports, color),
        Format::Json => escape_c1(json::render(reports)),
        Format::Markdown => markdown::render(reports),
        Format::Sarif => escape_c1(sarif::render(reports)),
        Format::Junit => junit::render(reports),
        Format::Html => html::render(reports),
    }
}

/// JSON escapes the C0 controls but may carry DEL and the C1 controls (U+0080 to U+009F) raw,
/// which some terminals obey (U+009B starts a control sequence). In JSON text they can only be
/// inside strings, so `\u00XX` keeps the document and its values the same.
pub(crate) fn escape_c1(json: String) -> String {
    if !json.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Where a change's expected value came from, when the target read code: `from code`,
/// `from state; the code wants "t3.small"`. `None` when only state was read.
pub(crate) fn provenance(c: &driftd_core::Change) -> Option<String> {
    let from = c.expected_from?;
    let mut text = format!("from {}", from.as_str());
    if let Some(code) = &c.code {
        let shown = match code {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        text.push_str(&format!("; the code wants {shown}"));
    }
    Some(text)
}

/// `1 resource`, `2 resources`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What a report without any finding may honestly say, in every format. "No drift" is said only
/// of what was compared, and never of an incomplete scan.
pub(crate) fn no_finding_sentence(r: &Report) -> String {
    let s = &r.summary;
    let compared = plural(s.compared, "resource", "resources");
    if !r.scan.complete {
        format!(
            "Scan INCOMPLETE: no finding in the {compared} compared, but {} not scanned: drift \
             there is unknown.",
            plural(r.skipped.len(), "scope was", "scopes were")
        )
    } else if s.not_compared == 0 {
        format!("No drift in the {compared} compared: live infrastructure matches the state.")
    } else if s.compared == 0 {
        format!(
            "Nothing compared: {} not compared, drift unknown.",
            plural(s.not_compared, "resource", "resources")
        )
    } else {
        format!(
            "No drift in the {compared} compared; {} not compared.",
            s.not_compared
        )
    }
}

/// Why resources were not compared, one `{count} {cause}` per cause that has any, e.g.
/// `2 not scanned`: the breakdown beside the not-compared total.
pub(crate) fn not_compared_causes(s: &Summary) -> Vec<String> {
    [
        (s.not_scanned, "not scanned"),
        (s.not_supported, "of types not compared yet"),
        (s.not_evaluated, "not evaluated from code"),
        (s.not_matched, "not matched to a live resource"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect()
}

/// One not-compared entry in a line: `aws_subnet in eu-west-1 at module.vpc.aws_subnet.this
/// (main.tf:12): not evaluated from code — count depends on ...`, without its count.
pub(crate) fn not_compared_text(e: &NotCompared) -> String {
    let mut t = e.what();
    if let Some(scope) = &e.scope {
        t.push_str(&format!(" in {scope}"));
    }
    match (&e.resource_type, &e.address) {
        (Some(_), Some(a)) => t.push_str(&format!(" at {a}")),
        (None, Some(_)) => t.push_str(" (whole module)"),
        _ => {}
    }
    if let Some(src) = &e.source {
        t.push_str(&format!(" ({src})"));
    }
    t.push_str(": ");
    t.push_str(e.category.label());
    if e.reason != NotCompared::UNSUPPORTED {
        t.push_str(" — ");
        t.push_str(&e.reason);
    }
    t
}

/// The not-compared entries a format lists beside its skipped scopes: a "not scanned" entry of
/// a scope already listed as skipped says nothing new there (its count is in the summary).
pub(crate) fn not_compared_beyond_skipped(r: &Report) -> impl Iterator<Item = &NotCompared> {
    r.not_compared.iter().filter(|e| {
        e.category != NotComparedKind::NotScanned
            || !r.skipped.iter().any(|s| {
                s.attribute.is_none()
                    && e.resource_type.as_deref() == Some(s.resource_type.as_str())
                    && e.scope.as_deref().is_none_or(|scope| scope == s.scope)
            })
    })
}
