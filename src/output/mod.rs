//! Report formats, one file each. To add a format: a file with a `render` function and one arm
//! in [`render`] plus one variant in [`Format`].

pub mod json;
pub mod table;

use driftd_core::Report;

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a person at a terminal: grouped by kind, expected vs actual.
    Table,
    /// The versioned JSON report of DESIGN.md (an array when several targets are checked).
    Json,
}

/// Renders the reports of one run. `color` adds ANSI colors (table only).
pub fn render(format: Format, reports: &[Report], color: bool) -> String {
    match format {
        Format::Table => table::render(reports, color),
        Format::Json => json::render(reports),
    }
}
