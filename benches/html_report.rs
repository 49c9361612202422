//! Rendering `--format html` for a large report: 10,000 findings of mixed kinds and tiers, 1 to 5
//! attribute changes each for `changed` (strings, tags, security group rules, JSON policy
//! documents), plus a few skipped scopes.
//!
//! Render time is the min and median of 10 renders in this process. Peak memory is measured in a
//! fresh child process (this binary re-run with `DRIFTD_HTML_BENCH_CHILD=1`) that builds the
//! report, reads its peak RSS (`VmHWM` in /proc/self/status), renders once and reads it again, so
//! the figures are not inflated by the timing runs.
//!
//! `cargo bench --bench html_report` prints a table.

use driftd::output::html;
use driftd_core::report::{ScanInfo, Tool};
use driftd_core::{Change, ChangeOp, Finding, FindingKind, Report, Skipped, Summary, Tier};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const FINDINGS: usize = 10_000;
const RUNS: usize = 10;
const CHILD_ENV: &str = "DRIFTD_HTML_BENCH_CHILD";

/// A deterministic pseudo-random sequence (xorshift), so every run renders the same report.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TYPES: [&str; 5] = [
    "aws_instance",
    "aws_security_group",
    "aws_ebs_volume",
    "aws_iam_policy",
    "aws_subnet",
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

fn change(rng: &mut Rng, ty: &str, i: usize, k: usize) -> Change {
    let (path, op, expected, actual) = match (ty, rng.below(4)) {
        ("aws_security_group", _) => (
            "ingress".to_string(),
            ChangeOp::Add,
            Value::Null,
            json!({"cidr_blocks": [format!("10.{}.{}.0/24", i % 256, k)], "description": "added by hand",
                   "from_port": 22 + k, "protocol": "tcp", "to_port": 22 + k}),
        ),
        ("aws_iam_policy", _) => (
            "policy".to_string(),
            ChangeOp::Replace,
            json!(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": format!("arn:aws:s3:::bucket-{i}/*")}]})
            .to_string()),
            json!(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": ["s3:*"], "Resource": "*"}]})
            .to_string()),
        ),
        (_, 0) => (
            "instance_type".to_string(),
            ChangeOp::Replace,
            json!("t3.micro"),
            json!("m5.xlarge"),
        ),
        (_, 1) => (
            format!("tags.Team{k}"),
            ChangeOp::Replace,
            json!(format!("platform-eu-{i}")),
            json!(format!("platform-us-{i}")),
        ),
        (_, 2) => (
            format!("tags.Owner{k}"),
            ChangeOp::Remove,
            json!(format!("owner-{i}@example.com")),
            Value::Null,
        ),
        _ => (
            "vpc_security_group_ids".to_string(),
            ChangeOp::Replace,
            json!([format!("sg-{i:08x}"), "sg-0000shared"]),
            json!([format!("sg-{i:08x}"), "sg-0000shared", "sg-ffffrogue"]),
        ),
    };
    Change {
        path,
        op,
        expected,
        actual,
        expected_from: None,
        code: None,
    }
}

fn big_report() -> Report {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut findings = Vec::with_capacity(FINDINGS);
    for i in 0..FINDINGS {
        let ty = TYPES[rng.below(TYPES.len() as u64) as usize];
        let kind = match rng.below(10) {
            0 | 1 => FindingKind::Missing,
            2 | 3 => FindingKind::Unmanaged,
            _ => FindingKind::Changed,
        };
        let tier = match (kind, rng.below(3)) {
            (FindingKind::Missing, _) | (_, 0) => Tier::Critical,
            (_, 1) => Tier::Warning,
            _ => Tier::Info,
        };
        let changes = if kind == FindingKind::Changed {
            let n = 1 + rng.below(5) as usize;
            (0..n).map(|k| change(&mut rng, ty, i, k)).collect()
        } else {
            Vec::new()
        };
        findings.push(Finding {
            engine: Default::default(),
            fingerprint: format!("{:016x}{i:016x}", rng.next()),
            kind,
            tier,
            provider: "aws".into(),
            resource_type: ty.into(),
            resource_id: format!("{}-{i:017x}", &ty[4..7]),
            address: (kind != FindingKind::Unmanaged)
                .then(|| format!("module.m{}.{ty}.r[{i}]", i % 40)),
            region: Some(REGIONS[i % REGIONS.len()].into()),
            source: (kind != FindingKind::Unmanaged)
                .then(|| format!("states/prod/part-{}.tfstate", i % 12)),
            changes,
            policy: None,
        });
    }
    driftd_core::analyze::sort_findings(&mut findings);
    let skipped = (0..3)
        .map(|i| Skipped {
            provider: "aws".into(),
            resource_type: "aws_ebs_volume".into(),
            scope: REGIONS[i].into(),
            attribute: None,
            reason: "throttled after retries: DescribeVolumes: RequestLimitExceeded".into(),
        })
        .collect();
    Report {
        schema_version: 1,
        tool: Tool {
            name: "driftd".into(),
            version: "bench".into(),
        },
        target: "bench".into(),
        scan: ScanInfo {
            started_at: "2026-11-23T14:11:03Z".into(),
            finished_at: "2026-11-23T14:12:41Z".into(),
            complete: false,
            api_calls: None,
            throttles: None,
        },
        summary: Summary {
            resources: 40_000,
            managed: 38_000,
            changed: 6_000,
            missing: 2_000,
            unmanaged: 2_000,
            pending: 0,
            violations: 0,
            coverage_pct: 99.7,
            not_scanned: 120,
            not_supported: 0,
            ignored: Default::default(),
            compared: 40_000,
            not_evaluated: 0,
            not_matched: 0,
            not_compared: 120,
            total: 40_120,
            plan_compared: 0,
        },
        findings,
        skipped,
        ignored: Vec::new(),
        expired_ignores: Vec::new(),
        policy_errors: Vec::new(),
        not_compared: Vec::new(),
    }
}

/// `VmHWM` (peak resident set) or `VmRSS` of this process, in kB.
fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The child: build the report, render once, print `rss_before hwm_before hwm_after` in kB.
fn child() {
    let reports = vec![big_report()];
    let rss_before = proc_status_kb("VmRSS:");
    let hwm_before = proc_status_kb("VmHWM:");
    let html = html::render(&reports);
    let hwm_after = proc_status_kb("VmHWM:");
    std::hint::black_box(&html);
    println!("{rss_before} {hwm_before} {hwm_after}");
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn main() -> anyhow::Result<()> {
    if std::env::var_os(CHILD_ENV).is_some() {
        child();
        return Ok(());
    }

    let reports = vec![big_report()];
    let changes: usize = reports[0].findings.iter().map(|f| f.changes.len()).sum();
    let json_size = serde_json::to_string(&reports[0])?.len();

    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let html = html::render(std::hint::black_box(&reports));
        times.push(start.elapsed());
        size = html.len();
        std::hint::black_box(html);
    }
    times.sort();
    let min = times[0];
    let median = (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;

    let out = std::process::Command::new(std::env::current_exe()?)
        .env(CHILD_ENV, "1")
        .output()?;
    let figures: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();

    println!(
        "html_report: {FINDINGS} findings, {changes} changes, 1 target (JSON report {:.1} MiB)",
        json_size as f64 / (1024.0 * 1024.0)
    );
    println!("{:<44} {:>14}", "metric", "value");
    println!("{:<44} {:>11.1} ms", "render time, min of 10", ms(min));
    println!(
        "{:<44} {:>11.1} ms",
        "render time, median of 10",
        ms(median)
    );
    println!(
        "{:<44} {:>10.1} MiB",
        "output size",
        size as f64 / (1024.0 * 1024.0)
    );
    println!(
        "{:<44} {:>11.0} B",
        "output size per finding",
        size as f64 / FINDINGS as f64
    );
    match figures.as_slice() {
        [rss_before, hwm_before, hwm_after] => {
            println!(
                "{:<44} {:>10.1} MiB",
                "fresh process: RSS with report built",
                mib(*rss_before)
            );
            println!(
                "{:<44} {:>10.1} MiB",
                "fresh process: peak RSS (VmHWM) after render",
                mib(*hwm_after)
            );
            println!(
                "{:<44} {:>10.1} MiB",
                "fresh process: peak RSS increase by render",
                mib(hwm_after.saturating_sub(*rss_before.max(hwm_before)))
            );
        }
        _ => println!(
            "peak memory: child process failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
    println!(
        "(peak RSS measured in a fresh child process: VmHWM from /proc/self/status before and \
         after one render; the increase is what rendering added on top of the built report)"
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
