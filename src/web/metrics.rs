//! `/metrics` in the Prometheus text exposition format (version 0.0.4). Durable figures (open
//! findings, scans, notifications) come from the store, so they survive restarts; provider API
//! errors and throttles are counted live by this process since it started.

use driftd_core::Report;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Counters this process keeps while scanning.
#[derive(Default)]
pub struct Live {
    inner: Mutex<Counters>,
}

#[derive(Default, Clone, Debug, PartialEq)]
pub struct Counters {
    /// (provider, reason) → count.
    pub api_errors: BTreeMap<(String, String), u64>,
    /// provider → API requests (every attempt, retries included).
    pub api_calls: BTreeMap<String, u64>,
    /// provider → throttled requests.
    pub throttles: BTreeMap<String, u64>,
}

/// The class of a skipped scope's reason, as the providers word them.
pub fn reason_class(reason: &str) -> &'static str {
    let r = reason.to_ascii_lowercase();
    if r.starts_with("access denied") {
        "access_denied"
    } else if r.starts_with("throttled") {
        "throttled"
    } else if r.starts_with("timed out") {
        "timeout"
    } else if r.starts_with("could not connect") {
        "connect"
    } else {
        "api_error"
    }
}

impl Live {
    /// Counts the API errors of one finished scan (one per skipped scope) and the requests and
    /// throttled requests the provider measured.
    pub fn record_scan(&self, report: &Report, provider: &str, api_calls: u64, throttles: u64) {
        let Ok(mut c) = self.inner.lock() else {
            return;
        };
        for s in &report.skipped {
            let class = reason_class(&s.reason);
            *c.api_errors
                .entry((s.provider.clone(), class.to_string()))
                .or_default() += 1;
        }
        *c.api_calls.entry(provider.to_string()).or_default() += api_calls;
        *c.throttles.entry(provider.to_string()).or_default() += throttles;
    }

    pub fn snapshot(&self) -> Counters {
        self.inner.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

/// What the store says, gathered for one scrape.
#[derive(Default, Debug)]
pub struct Durable {
    /// (target, kind, tier) → open findings.
    pub open: BTreeMap<(String, String, String), u64>,
    /// (target, policy id, tier) → open violations.
    pub violations: BTreeMap<(String, String, String), u64>,
    /// target → (last scan end as unix seconds, its duration in seconds, complete).
    pub last_scan: BTreeMap<String, (i64, f64, bool)>,
    /// (target, status) → scans.
    pub scans: Vec<(String, String, i64)>,
    /// (channel, status) → notifications.
    pub notifications: Vec<(String, String, i64)>,
    /// target → the summary of its last finished scan's report (coverage and what was not
    /// compared).
    pub coverage: BTreeMap<String, driftd_core::Summary>,
}

/// A label value escaped as the text format requires.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

struct Out(String);

impl Out {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let l: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", label(v)))
            .collect();
        if l.is_empty() {
            let _ = writeln!(self.0, "{name} {value}");
        } else {
            let _ = writeln!(self.0, "{name}{{{}}} {value}", l.join(","));
        }
    }
}

pub fn render(targets: &[String], d: &Durable, live: &Counters) -> String {
    let mut o = Out(String::new());
    o.family("driftd_build_info", "gauge", "driftd version.");
    o.sample(
        "driftd_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1,
    );

    o.family(
        "driftd_open_findings",
        "gauge",
        "Open drift findings by target, kind and tier.",
    );
    for t in targets {
        for tier in ["critical", "warning", "info"] {
            for kind in ["missing", "changed", "unmanaged", "pending", "violation"] {
                let n = d
                    .open
                    .get(&(t.clone(), kind.to_string(), tier.to_string()))
                    .copied()
                    .unwrap_or(0);
                if n > 0 || kind == "changed" {
                    o.sample(
                        "driftd_open_findings",
                        &[("target", t), ("kind", kind), ("tier", tier)],
                        n,
                    );
                }
            }
        }
    }

    o.family(
        "driftd_open_violations",
        "gauge",
        "Open policy violations by target, policy and tier.",
    );
    for ((t, policy, tier), n) in &d.violations {
        o.sample(
            "driftd_open_violations",
            &[("target", t), ("policy", policy), ("tier", tier)],
            *n,
        );
    }

    o.family(
        "driftd_last_scan_timestamp_seconds",
        "gauge",
        "When the target's last finished scan ended (Unix time).",
    );
    for (t, (end, _, _)) in &d.last_scan {
        o.sample("driftd_last_scan_timestamp_seconds", &[("target", t)], end);
    }
    o.family(
        "driftd_last_scan_duration_seconds",
        "gauge",
        "How long the target's last finished scan took.",
    );
    for (t, (_, secs, _)) in &d.last_scan {
        o.sample("driftd_last_scan_duration_seconds", &[("target", t)], secs);
    }
    o.family(
        "driftd_last_scan_complete",
        "gauge",
        "1 when the target's last scan read every scope, 0 when some were skipped.",
    );
    for (t, (_, _, complete)) in &d.last_scan {
        o.sample(
            "driftd_last_scan_complete",
            &[("target", t)],
            u8::from(*complete),
        );
    }
    o.family(
        "driftd_coverage_ratio",
        "gauge",
        "Share of the resources the target's last scan compared (0 to 1): resources not scanned, \
         of types not compared and not evaluated from code count against it.",
    );
    for (t, s) in &d.coverage {
        let ratio = if s.total == 0 {
            1.0
        } else {
            s.compared as f64 / s.total as f64
        };
        o.sample("driftd_coverage_ratio", &[("target", t)], ratio);
    }
    o.family(
        "driftd_resources",
        "gauge",
        "Resources in the target's last scan by status: compared, or why not (not_scanned, \
         not_supported, not_evaluated, not_matched).",
    );
    for (t, s) in &d.coverage {
        for (status, n) in [
            ("compared", s.compared),
            ("not_scanned", s.not_scanned),
            ("not_supported", s.not_supported),
            ("not_evaluated", s.not_evaluated),
            ("not_matched", s.not_matched),
        ] {
            o.sample("driftd_resources", &[("target", t), ("status", status)], n);
        }
    }
    o.family(
        "driftd_scans_total",
        "counter",
        "Scans recorded, by target and outcome.",
    );
    for (t, status, n) in &d.scans {
        o.sample(
            "driftd_scans_total",
            &[("target", t), ("status", status)],
            n,
        );
    }

    o.family(
        "driftd_provider_api_errors_total",
        "counter",
        "Scopes a provider could not read since driftd started, by reason.",
    );
    for ((p, reason), n) in &live.api_errors {
        o.sample(
            "driftd_provider_api_errors_total",
            &[("provider", p), ("reason", reason)],
            n,
        );
    }
    o.family(
        "driftd_provider_api_calls_total",
        "counter",
        "Provider API requests since driftd started (every attempt, retries included).",
    );
    for (p, n) in &live.api_calls {
        o.sample("driftd_provider_api_calls_total", &[("provider", p)], n);
    }
    o.family(
        "driftd_provider_throttles_total",
        "counter",
        "Throttled provider API requests since driftd started.",
    );
    for (p, n) in &live.throttles {
        o.sample("driftd_provider_throttles_total", &[("provider", p)], n);
    }

    o.family(
        "driftd_notifications_total",
        "counter",
        "Notifications by channel and delivery status (sent, failed, pending).",
    );
    for (ch, status, n) in &d.notifications {
        o.sample(
            "driftd_notifications_total",
            &[("channel", ch), ("status", status)],
            n,
        );
    }
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_with_escaped_labels() {
        let mut d = Durable::default();
        d.open.insert(
            ("prod \"eu\"".into(), "missing".into(), "critical".into()),
            2,
        );
        d.last_scan
            .insert("prod \"eu\"".into(), (1_800_000_000, 12.5, false));
        d.notifications.push(("pager".into(), "sent".into(), 3));
        d.open.insert(
            ("prod \"eu\"".into(), "violation".into(), "warning".into()),
            1,
        );
        d.violations.insert(
            (
                "prod \"eu\"".into(),
                "aws-s3-public".into(),
                "warning".into(),
            ),
            1,
        );
        let mut live = Counters::default();
        live.api_errors
            .insert(("aws".into(), "access_denied".into()), 1);
        d.coverage.insert(
            "prod \"eu\"".into(),
            driftd_core::Summary {
                compared: 3,
                not_supported: 1,
                total: 4,
                ..Default::default()
            },
        );
        let text = render(&["prod \"eu\"".to_string()], &d, &live);
        assert!(
            text.contains("driftd_coverage_ratio{target=\"prod \\\"eu\\\"\"} 0.75"),
            "{text}"
        );
        assert!(text
            .contains("driftd_resources{target=\"prod \\\"eu\\\"\",status=\"not_supported\"} 1"));
        assert!(text.contains(
            "driftd_open_findings{target=\"prod \\\"eu\\\"\",kind=\"missing\",tier=\"critical\"} 2"
        ));
        assert!(text.contains(
            "driftd_open_findings{target=\"prod \\\"eu\\\"\",kind=\"violation\",tier=\"warning\"} 1"
        ));
        assert!(text.contains(
            "driftd_open_violations{target=\"prod \\\"eu\\\"\",policy=\"aws-s3-public\",tier=\"warning\"} 1"
        ));
        assert!(text.contains("driftd_last_scan_complete{target=\"prod \\\"eu\\\"\"} 0"));
        assert!(text.contains("driftd_notifications_total{channel=\"pager\",status=\"sent\"} 3"));
        assert!(text.contains("# TYPE driftd_scans_total counter"));
        assert_eq!(reason_class("access denied: DescribeVpcs"), "access_denied");
        assert_eq!(reason_class("throttled after retries: x"), "throttled");
    }
}
