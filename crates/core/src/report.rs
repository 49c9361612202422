//! The versioned report of one target's scan (DESIGN.md, `schema_version` 1) and the exit-code
//! decision of `driftd check`. Fields may be added within a version, never renamed or removed.

use crate::analyze::Analysis;
use crate::ignore::{IgnoredFinding, RuleRef};
use crate::model::{Finding, FindingKind, Skipped, Summary, Tier};
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
            },
            summary: analysis.summary,
            findings: analysis.findings,
            skipped: analysis.skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
        }
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

/// Exit codes of `driftd check` (DESIGN.md).
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
    if report.findings.iter().any(|f| fails(f, fail_on)) {
        Outcome::Drift
    } else if !report.scan.complete {
        Outcome::Incomplete
    } else {
        Outcome::Clean
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
            },
            summary: Summary::default(),
            findings: findings
                .into_iter()
                .map(|(kind, tier)| Finding {
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
                })
                .collect(),
            skipped: vec![],
            ignored: vec![],
            expired_ignores: vec![],
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
