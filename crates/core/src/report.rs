//! The versioned report of one target's scan (docs/report-schema.md, `schema_version` 1) and the exit-code
//! decision of `driftd check`. Fields may be added within a version, never renamed or removed.

use crate::analyze::Analysis;
use crate::ignore::{IgnoredFinding, RuleRef};
use crate::model::{Finding, FindingKind, NotCompared, Skipped, Summary, Tier};
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    /// False when any scope was skipped: the report does not cover everything.
    pub complete: bool,
    /// API calls the listing made, every attempt counted (retries and the second calls that
    /// read attributes per resource included); absent in reports made without a scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_calls: Option<u64>,
    /// Of those, the attempts the cloud answered with throttling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttles: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub target: String,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    /// What ignore rules dropped, each with its rule (one entry per finding, or per finding and
    /// rule when only changes were dropped).
    #[serde(default)]
    pub ignored: Vec<IgnoredFinding>,
    /// Config ignore rules of this target past their expiry: they no longer ignore anything.
    #[serde(default)]
    pub expired_ignores: Vec<RuleRef>,
    /// What was not compared, by type and reason: neither drift nor in sync. The counts add up
    /// to `summary.not_compared`.
    #[serde(default)]
    pub not_compared: Vec<NotCompared>,
    /// Policies that could not be evaluated (a runtime error, a time limit): their violations
    /// are unknown, so the ones already open stay open.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_errors: Vec<PolicyFailure>,
}

/// A policy that could not be evaluated in a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyFailure {
    pub policy: String,
    pub reason: String,
}

impl Report {
    pub fn new(
        target: &str,
        tool_version: &str,
        started_at: String,
        finished_at: String,
        analysis: Analysis,
    ) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "driftd".into(),
                version: tool_version.into(),
            },
            target: target.into(),
            scan: ScanInfo {
                started_at,
                finished_at,
                complete: analysis.complete(),
                api_calls: None,
                throttles: None,
            },
            summary: analysis.summary,
            findings: analysis.findings,
            skipped: analysis.skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
            policy_errors: Vec::new(),
            not_compared: analysis.not_compared,
        }
    }

    /// Whether every resource the scan knows of was compared with nothing left out: the only
    /// case in which a report may say "in sync" without qualification.
    pub fn fully_compared(&self) -> bool {
        self.scan.complete && self.summary.not_compared == 0
    }
}

/// The `--fail-on` threshold: which findings make `check` exit 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Findings at or above this tier, of any kind but `pending`.
    Tier(Tier),
    /// Never fail on drift (exit 0 or 3 only).
    Never,
}

impl Default for FailOn {
    fn default() -> Self {
        FailOn::Tier(Tier::Info)
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" | "never" => Ok(FailOn::Never),
            other => other.parse::<Tier>().map(FailOn::Tier).map_err(|_| {
                format!(
                    "unknown --fail-on value `{other}`: expected critical, warning, info or none"
                )
            }),
        }
    }
}

/// Exit codes of `driftd check` (docs/report-schema.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 0: complete, nothing at or above the threshold.
    Clean = 0,
    /// 3: nothing at or above the threshold, but something was not scanned.
    Incomplete = 3,
    /// 2: drift at or above the threshold.
    Drift = 2,
    /// 1: an error stopped the check.
    Error = 1,
}

impl Outcome {
    pub fn code(self) -> i32 {
        self as i32
    }

    /// How bad an outcome is, to combine several targets: error > drift > incomplete > clean.
    fn rank(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Incomplete => 1,
            Outcome::Drift => 2,
            Outcome::Error => 3,
        }
    }

    pub fn worst(self, other: Outcome) -> Outcome {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

/// Whether a finding counts for `--fail-on`.
pub fn fails(f: &Finding, fail_on: FailOn) -> bool {
    match fail_on {
        FailOn::Never => false,
        FailOn::Tier(t) => f.kind != FindingKind::Pending && f.tier >= t,
    }
}

/// The outcome of one report.
pub fn outcome(report: &Report, fail_on: FailOn) -> Outcome {
    outcome_with_coverage(report, fail_on, None)
}

/// The outcome of one report that must also reach a coverage (`--require-coverage`, a
/// target's `require_coverage`): below it, a check without drift is incomplete (3).
pub fn outcome_with_coverage(report: &Report, fail_on: FailOn, required: Option<f64>) -> Outcome {
    if report.findings.iter().any(|f| fails(f, fail_on)) {
        Outcome::Drift
    } else if !report.scan.complete || coverage_shortfall(report, required).is_some() {
        Outcome::Incomplete
    } else {
        Outcome::Clean
    }
}

/// Why a report does not reach the required coverage (in percent), or `None` when it does (or
/// nothing is required). Compared unrounded: 79.96% is below 80.
pub fn coverage_shortfall(report: &Report, required: Option<f64>) -> Option<String> {
    let required = required?;
    let s = &report.summary;
    if s.coverage_exact() >= required {
        return None;
    }
    let mut reasons: Vec<String> = Vec::new();
    let mut by_kind: Vec<(crate::model::NotComparedKind, usize)> = Vec::new();
    for e in &report.not_compared {
        match by_kind.iter_mut().find(|(k, _)| *k == e.category) {
            Some((_, n)) => *n += e.count,
            None => by_kind.push((e.category, e.count)),
        }
    }
    by_kind.sort();
    for (k, n) in by_kind {
        reasons.push(format!("{n} {}", k.label()));
    }
    Some(format!(
        "target `{}`: coverage {:.1}% is below the required {required}%: {} of {} resource(s) \
         compared{}",
        report.target,
        s.coverage_pct,
        s.compared,
        s.total,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    ))
}

/// Parses a coverage threshold: a percentage from 0 to 100, with or without `%`.
pub fn parse_coverage(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let n = t.strip_suffix('%').unwrap_or(t).trim();
    match n.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a coverage: expected a percentage from 0 to 100, like 80 or 95.5"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: Vec<(FindingKind, Tier)>, complete: bool) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "driftd".into(),
                version: "0".into(),
            },
            target: "t".into(),
            scan: ScanInfo {
                started_at: String::new(),
                finished_at: String::new(),
                complete,
                api_calls: None,
                throttles: None,
            },
            summary: Summary::default(),
            findings: findings
                .into_iter()
                .map(|(kind, tier)| Finding {
                    engine: Default::default(),
                    fingerprint: String::new(),
                    kind,
                    tier,
                    provider: "aws".into(),
                    resource_type: "aws_vpc".into(),
                    resource_id: "vpc-1".into(),
                    address: None,
                    region: None,
                    source: None,
                    changes: vec![],
                    policy: None,
                })
                .collect(),
            skipped: vec![],
            ignored: vec![],
            expired_ignores: vec![],
            policy_errors: Vec::new(),
            not_compared: vec![],
        }
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let d = FailOn::default();
        assert_eq!(outcome(&report(vec![], true), d), Outcome::Clean);
        assert_eq!(outcome(&report(vec![], false), d), Outcome::Incomplete);
        let info = vec![(FindingKind::Changed, Tier::Info)];
        assert_eq!(outcome(&report(info.clone(), false), d), Outcome::Drift);
        let warning = FailOn::Tier(Tier::Warning);
        assert_eq!(
            outcome(&report(info.clone(), true), warning),
            Outcome::Clean
        );
        assert_eq!(outcome(&report(info, false), warning), Outcome::Incomplete);
        let pending = vec![(FindingKind::Pending, Tier::Critical)];
        assert_eq!(outcome(&report(pending, true), d), Outcome::Clean);
        let missing = vec![(FindingKind::Missing, Tier::Critical)];
        assert_eq!(
            outcome(&report(missing.clone(), true), FailOn::Never),
            Outcome::Clean
        );
        assert_eq!(Outcome::Drift.code(), 2);
        assert_eq!(Outcome::Incomplete.code(), 3);
        assert_eq!(
            Outcome::Clean.worst(Outcome::Incomplete),
            Outcome::Incomplete
        );
        assert_eq!(Outcome::Drift.worst(Outcome::Incomplete), Outcome::Drift);
        assert_eq!(Outcome::Drift.worst(Outcome::Error), Outcome::Error);
    }

    #[test]
    fn coverage_below_the_requirement_is_incomplete() {
        use crate::model::{NotCompared, NotComparedKind};
        let mut r = report(vec![], true);
        r.summary.compared = 3;
        r.not_compared = vec![NotCompared::new(
            NotComparedKind::NotSupported,
            "aws",
            Some("aws_db_instance"),
            NotCompared::UNSUPPORTED,
        )];
        r.summary.recount(&r.not_compared);
        assert_eq!(r.summary.coverage_pct, 75.0);
        let d = FailOn::default();
        assert_eq!(outcome(&r, d), Outcome::Clean);
        assert_eq!(outcome_with_coverage(&r, d, Some(75.0)), Outcome::Clean);
        assert_eq!(
            outcome_with_coverage(&r, d, Some(75.1)),
            Outcome::Incomplete
        );
        let why = coverage_shortfall(&r, Some(80.0)).unwrap();
        assert!(
            why.contains("coverage 75.0% is below the required 80%"),
            "{why}"
        );
        assert!(why.contains("1 type not compared yet"), "{why}");
        // Drift still wins.
        let mut drift = report(vec![(FindingKind::Missing, Tier::Critical)], true);
        drift.summary = r.summary.clone();
        assert_eq!(outcome_with_coverage(&drift, d, Some(99.0)), Outcome::Drift);
    }

    #[test]
    fn coverage_thresholds_parse() {
        assert_eq!(parse_coverage("80"), Ok(80.0));
        assert_eq!(parse_coverage("95.5%"), Ok(95.5));
        assert!(parse_coverage("101").is_err());
        assert!(parse_coverage("-1").is_err());
        assert!(parse_coverage("most").unwrap_err().contains("0 to 100"));
    }

    #[test]
    fn fail_on_parses() {
        assert_eq!(
            "critical".parse::<FailOn>(),
            Ok(FailOn::Tier(Tier::Critical))
        );
        assert_eq!("none".parse::<FailOn>(), Ok(FailOn::Never));
        assert!("high"
            .parse::<FailOn>()
            .unwrap_err()
            .contains("critical, warning, info"));
    }
}
