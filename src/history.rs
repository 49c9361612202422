//! `driftd report`: the history store seen by operators. Open drift per target with its
//! lifecycle, one finding's timeline, recent scans. JSON keeps the report schema of `check`
//! (docs/report-schema.md) and adds lifecycle fields to findings and a `recent_scans` list.

use crate::output::Format;
use anyhow::{bail, Result};
use chrono::Utc;
use driftd_store::{FindingRecord, ScanRecord, Store};
use serde::Serialize;
use std::fmt::Write;

/// The report format that renders the last finished scan's report: every format but the two
/// (table, JSON) that show the history itself.
fn report_format(format: Format) -> Option<Format> {
    (!matches!(format, Format::Table | Format::Json)).then_some(format)
}

/// `--since`: RFC 3339, or an age like `30m`, `12h`, `7d`, turned into an RFC 3339 instant.
pub fn parse_since(s: &str) -> Result<String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(crate::time::rfc3339(t.with_timezone(&Utc)));
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad_since(s))?;
    let age = match unit {
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(bad_since(s)),
    };
    Ok(crate::time::rfc3339(Utc::now() - age))
}

fn bad_since(s: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "--since `{s}`: expected an RFC 3339 time (2026-11-01T00:00:00Z) or an age (30m, 12h, 7d)"
    )
}

#[derive(Serialize)]
struct TargetView<'a> {
    schema_version: u32,
    tool: driftd_core::report::Tool,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scan: Option<driftd_core::report::ScanInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<driftd_core::Summary>,
    findings: Vec<FindingRecord>,
    skipped: Vec<driftd_core::Skipped>,
    recent_scans: Vec<ScanRecord>,
}

#[derive(Serialize)]
struct FindingView {
    finding: FindingRecord,
    events: Vec<driftd_store::FindingEvent>,
}

pub fn render(
    store: &Store,
    format: Format,
    target: Option<&str>,
    since: Option<&str>,
    finding: Option<&str>,
) -> Result<String> {
    if let Some(fp) = finding {
        if report_format(format).is_some() {
            bail!("--finding shows one finding's timeline: use --format table or json");
        }
        return render_finding(store, format, fp);
    }
    let targets = match target {
        Some(t) => vec![t.to_string()],
        None => store.targets()?,
    };
    if let Some(fmt) = report_format(format) {
        let mut reports = Vec::new();
        for t in &targets {
            match store.last_report(t)? {
                Some(r) => reports.push(r),
                None => bail!("`{t}` has no finished scan yet: run `driftd scan --target {t}`"),
            }
        }
        if reports.is_empty() {
            bail!("no finished scan in the history yet");
        }
        return Ok(crate::output::render(fmt, &reports, false));
    }
    let mut views = Vec::new();
    for t in &targets {
        let last = store.last_report(t)?;
        let mut findings = store.open_findings(Some(t))?;
        if let Some(since) = since {
            findings.retain(|f| f.first_seen.as_str() >= since);
        }
        views.push(TargetView {
            schema_version: driftd_core::report::SCHEMA_VERSION,
            tool: driftd_core::report::Tool {
                name: "driftd".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            target: t,
            scan: last.as_ref().map(|r| r.scan.clone()),
            summary: last.as_ref().map(|r| r.summary.clone()),
            skipped: last.map(|r| r.skipped).unwrap_or_default(),
            findings,
            recent_scans: store.recent_scans(Some(t), since, 10)?,
        });
    }
    Ok(match format {
        Format::Json => {
            let mut s = match views.as_slice() {
                [one] => serde_json::to_string_pretty(one)?,
                many => serde_json::to_string_pretty(many)?,
            };
            s.push('\n');
            s
        }
        _ => table(&views),
    })
}

fn render_finding(store: &Store, format: Format, fp: &str) -> Result<String> {
    let mut matches = store.finding(fp)?;
    let finding = match matches.len() {
        1 => matches.remove(0),
        0 => bail!("no finding with fingerprint `{fp}` (give at least 6 characters of it)"),
        n => bail!("`{fp}` matches {n} findings; give more characters of the fingerprint"),
    };
    let events = store.finding_events(&finding.finding.fingerprint)?;
    Ok(match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&FindingView { finding, events })?;
            s.push('\n');
            s
        }
        _ => {
            let mut out = String::new();
            let f = &finding;
            let _ = writeln!(out, "finding {}", f.finding.fingerprint);
            crate::output::table::write_finding(&mut out, &f.finding, false);
            let state = match &f.resolved_at {
                Some(at) => format!("resolved at {at}"),
                None => "open".to_string(),
            };
            let _ = writeln!(
                out,
                "\n{state} · first seen {} · last seen {} · seen {}× · reopened {}×\n\nTimeline:",
                f.first_seen, f.last_seen, f.times_seen, f.reopened
            );
            for e in &events {
                let scan = e
                    .scan_id
                    .map(|id| format!(" (scan #{id})"))
                    .unwrap_or_default();
                let tier = e
                    .tier
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "  {}  {:<9}{tier}{scan}", e.at, e.event);
            }
            out
        }
    })
}

fn table(views: &[TargetView<'_>]) -> String {
    let mut out = String::new();
    if views.is_empty() {
        out.push_str("No history yet.\n");
    }
    for v in views {
        let last = match &v.scan {
            Some(s) if s.complete => format!("last scan {} complete", s.finished_at),
            Some(s) => format!("last scan {} INCOMPLETE", s.finished_at),
            None => "no finished scan yet".to_string(),
        };
        let _ = writeln!(out, "target {} · {last}", v.target);
        if v.findings.is_empty() {
            let _ = writeln!(out, "  no open drift");
        } else {
            let _ = writeln!(out, "  open drift ({}):", v.findings.len());
        }
        for f in &v.findings {
            crate::output::table::write_finding(&mut out, &f.finding, false);
            let _ = writeln!(
                out,
                "           since {} · seen {}× · last {} · {}",
                f.first_seen,
                f.times_seen,
                f.last_seen,
                &f.finding.fingerprint[..12.min(f.finding.fingerprint.len())]
            );
        }
        if !v.skipped.is_empty() {
            let _ = writeln!(out, "  not scanned in the last scan:");
            for k in &v.skipped {
                let _ = writeln!(out, "    {} in {}: {}", k.resource_type, k.scope, k.reason);
            }
        }
        let _ = writeln!(out, "  recent scans:");
        for s in &v.recent_scans {
            let status = format!("{:?}", s.status).to_lowercase();
            let _ = write!(
                out,
                "    #{:<5} {}  {:<9} {:<10} {} finding(s)",
                s.id, s.started_at, s.trigger, status, s.findings
            );
            if let Some(e) = &s.error {
                let _ = write!(out, "  error: {e}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_times_and_ages() {
        assert_eq!(
            parse_since("2026-11-01T00:00:00Z").unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(
            parse_since("2026-11-01T01:00:00+01:00").unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert!(parse_since("7d").unwrap() < crate::time::rfc3339(Utc::now()));
        assert!(parse_since("yesterday")
            .unwrap_err()
            .to_string()
            .contains("7d"));
    }
}
