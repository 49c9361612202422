//! Report formats, one file each. To add a format: a file with a `render` function and one arm
//! in [`render`] plus one variant in [`Format`].

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use driftd_core::Report;

/// Output formats of `check` and `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a person at a terminal: grouped by kind, expected vs actual.
    Table,
    /// The versioned JSON report of DESIGN.md (an array when several targets are checked).
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
        Format::Json => json::render(reports),
        Format::Markdown => markdown::render(reports),
        Format::Sarif => sarif::render(reports),
        Format::Junit => junit::render(reports),
        Format::Html => html::render(reports),
    }
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
