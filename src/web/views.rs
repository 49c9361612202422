//! What the pages and the JSON API show, gathered from the store in one place so both always
//! agree.

use super::WebCtx;
use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use driftd_core::Report;
use driftd_store::{Ack, FindingEvent, FindingRecord, OutboxItem, ScanRecord, Span};
use serde::Serialize;

/// Open findings per tier.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TierCounts {
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
}

impl TierCounts {
    pub fn of(findings: &[FindingRecord]) -> TierCounts {
        let mut c = TierCounts::default();
        for f in findings {
            match f.finding.tier {
                driftd_core::Tier::Critical => c.critical += 1,
                driftd_core::Tier::Warning => c.warning += 1,
                driftd_core::Tier::Info => c.info += 1,
            }
        }
        c
    }
    pub fn total(&self) -> usize {
        self.critical + self.warning + self.info
    }
}

/// One day of the trend: findings open at the end of that day (UTC).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub open: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetSummary {
    pub name: String,
    /// The latest scan, whatever its outcome (running, failed...).
    pub last_scan: Option<ScanRecord>,
    /// From the latest finished scan's report.
    pub complete: Option<bool>,
    /// Resources compared / all resources, in percent (docs/report-schema.md).
    pub coverage_pct: Option<f64>,
    /// Resources compared, and not compared (neither drift nor in sync), in that scan.
    pub compared: Option<usize>,
    pub not_compared: Option<usize>,
    pub open: TierCounts,
    pub trend: Vec<Day>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    #[serde(flatten)]
    pub summary: TargetSummary,
    pub open_findings: Vec<FindingRecord>,
    pub recent_scans: Vec<ScanRecord>,
    /// Skipped scopes of the latest finished scan.
    pub skipped: Vec<driftd_core::Skipped>,
    /// What the latest finished scan did not compare, by type and reason.
    pub not_compared: Vec<driftd_core::NotCompared>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub target: String,
    pub finding: FindingRecord,
    pub events: Vec<FindingEvent>,
    pub notifications: Vec<OutboxItem>,
    pub ack: Option<Ack>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanView {
    pub scan: ScanRecord,
    pub report: Option<Report>,
}

/// Findings open at the end of each of the last `days` days.
pub fn trend(spans: &[Span], days: u32, now: DateTime<Utc>) -> Vec<Day> {
    let today = now.date_naive();
    (0..days as i64)
        .rev()
        .map(|back| {
            let date = today - Duration::days(back);
            let end = (date + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default();
            let end = crate::time::rfc3339(end.and_utc());
            let open = spans
                .iter()
                .filter(|(first, resolved, _)| {
                    first.as_str() < end.as_str()
                        && resolved.as_deref().is_none_or(|r| r >= end.as_str())
                })
                .count();
            Day {
                date: date.to_string(),
                open,
            }
        })
        .collect()
}

/// Configured targets first, then any other target with history.
pub async fn target_names(ctx: &WebCtx, configured: &[String]) -> Result<Vec<String>> {
    let mut names = configured.to_vec();
    for t in ctx.store.run(|s| s.targets()).await? {
        if !names.contains(&t) {
            names.push(t);
        }
    }
    Ok(names)
}

/// What one target's pages show, read in one store call.
struct Gathered {
    recent_scans: Vec<ScanRecord>,
    report: Option<Report>,
    open: Vec<FindingRecord>,
    spans: Vec<Span>,
}

async fn gather(ctx: &WebCtx, name: &str, days: u32, scans: usize) -> Result<Gathered> {
    let since = crate::time::rfc3339(ctx.clock.now() - Duration::days(days as i64 + 1));
    let n = name.to_string();
    ctx.store
        .run(move |s| {
            Ok(Gathered {
                recent_scans: s.recent_scans(Some(&n), None, scans)?,
                report: s.last_report(&n)?,
                open: s.open_findings(Some(&n))?,
                spans: s.finding_spans(&n, &since)?,
            })
        })
        .await
}

fn summarize(name: &str, g: &Gathered, days: u32, now: DateTime<Utc>) -> TargetSummary {
    TargetSummary {
        name: name.to_string(),
        last_scan: g.recent_scans.first().cloned(),
        complete: g.report.as_ref().map(|r| r.scan.complete),
        coverage_pct: g.report.as_ref().map(|r| r.summary.coverage_pct),
        compared: g.report.as_ref().map(|r| r.summary.compared),
        not_compared: g.report.as_ref().map(|r| r.summary.not_compared),
        open: TierCounts::of(&g.open),
        trend: trend(&g.spans, days, now),
    }
}

pub async fn summary(ctx: &WebCtx, name: &str, days: u32) -> Result<TargetSummary> {
    let g = gather(ctx, name, days, 1).await?;
    Ok(summarize(name, &g, days, ctx.clock.now()))
}

pub async fn target(ctx: &WebCtx, name: &str, days: u32) -> Result<TargetView> {
    let g = gather(ctx, name, days, 20).await?;
    let summary = summarize(name, &g, days, ctx.clock.now());
    Ok(TargetView {
        summary,
        open_findings: g.open,
        recent_scans: g.recent_scans,
        skipped: g
            .report
            .as_ref()
            .map(|r| r.skipped.clone())
            .unwrap_or_default(),
        not_compared: g.report.map(|r| r.not_compared).unwrap_or_default(),
    })
}

/// `None` when there is no finding with exactly this fingerprint.
pub async fn finding(ctx: &WebCtx, fingerprint: &str) -> Result<Option<FindingView>> {
    let fp = fingerprint.to_string();
    ctx.store
        .run(move |s| {
            let Some(target) = s.finding_target(&fp)? else {
                return Ok(None);
            };
            let Some(finding) = s
                .finding(&fp)?
                .into_iter()
                .find(|f| f.finding.fingerprint == fp)
            else {
                return Ok(None);
            };
            Ok(Some(FindingView {
                target,
                finding,
                events: s.finding_events(&fp)?,
                notifications: s.finding_notifications(&fp)?,
                ack: s.finding_ack(&fp)?,
            }))
        })
        .await
}

pub async fn scan(ctx: &WebCtx, id: i64) -> Result<Option<ScanView>> {
    Ok(ctx
        .store
        .run(move |s| s.scan(id))
        .await?
        .map(|(scan, report)| ScanView { scan, report }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_counts_what_was_open_at_the_end_of_each_day() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let spans: Vec<Span> = vec![
            ("2026-11-20T10:00:00Z".into(), None, "warning".into()),
            (
                "2026-11-21T10:00:00Z".into(),
                Some("2026-11-22T09:00:00Z".into()),
                "critical".into(),
            ),
            // Came and went within one day: never open at a day's end.
            (
                "2026-11-22T10:00:00Z".into(),
                Some("2026-11-22T11:00:00Z".into()),
                "info".into(),
            ),
        ];
        let t = trend(&spans, 5, now);
        let open: Vec<usize> = t.iter().map(|d| d.open).collect();
        assert_eq!(open, [0, 1, 2, 1, 1]);
        assert_eq!(t[4].date, "2026-11-23");
    }
}
