//! Helpers shared by the fuzz targets.

use chrono::{DateTime, Utc};
use driftd_core::ignore::IgnoreSet;
use driftd_core::{Change, ChangeOp, Finding, FindingKind, Summary, Tier};
use serde_json::{json, Value};

/// A fixed instant, so that expiry checks do not depend on the day the fuzzer runs.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

fn change(path: &str, actual: Value) -> Change {
    Change::new(path, ChangeOp::Replace, json!("expected"), actual)
}

fn finding(
    kind: FindingKind,
    resource_type: &str,
    id: &str,
    address: Option<&str>,
    changes: Vec<Change>,
) -> Finding {
    Finding {
        engine: Default::default(),
        fingerprint: format!("fp-{id}"),
        kind,
        tier: Tier::Warning,
        provider: "aws".into(),
        resource_type: resource_type.into(),
        resource_id: id.into(),
        address: address.map(str::to_string),
        region: Some("eu-west-1".into()),
        source: None,
        changes,
        policy: None,
    }
}

/// Findings for ignore rules to match: a few of the usual shapes, and one per piece of `text`
/// (split on dots and brackets as rules are), so that the matchers also see strings shaped
/// like the rules themselves.
pub fn findings_for(text: &str) -> Vec<Finding> {
    let mut out = vec![
        finding(
            FindingKind::Changed,
            "aws_instance",
            "i-0abc",
            Some("module.app.aws_instance.web[0]"),
            vec![
                change("tags.Name", json!("web")),
                change("instance_type", json!("t3.small")),
                change("ingress[0].from_port", json!(443)),
            ],
        ),
        finding(
            FindingKind::Missing,
            "aws_s3_bucket",
            "logs.example.com",
            Some("aws_s3_bucket.logs[\"a.b\"]"),
            vec![],
        ),
        finding(
            FindingKind::Unmanaged,
            "aws_iam_role",
            "admin",
            None,
            vec![],
        ),
    ];
    for line in text.lines().take(64) {
        let line = line.trim().trim_start_matches('!');
        let mut parts = line.splitn(3, '.');
        let rtype = parts.next().unwrap_or_default();
        let id = parts.next().unwrap_or_default();
        let path = parts.next().unwrap_or_default();
        out.push(finding(
            FindingKind::Changed,
            rtype,
            id,
            Some(line),
            vec![
                change(path, json!(line)),
                change(line, json!({ "k": path })),
            ],
        ));
    }
    out
}

/// Applies `set` to findings made from `text` and checks what any ignore set must hold: it only
/// removes findings, counts each one it removes, and names the rule by its `source_prefix`.
pub fn apply_and_check(set: &IgnoreSet, text: &str, source_prefix: &str) {
    let mut findings = findings_for(text);
    let before = findings.len();
    let mut summary = Summary::default();
    let applied = set.apply("prod", &[], &[], &mut findings, &mut summary, now());
    assert!(findings.len() <= before);
    assert_eq!(summary.ignored.findings, before - findings.len());
    for ignored in &applied.ignored {
        assert!(ignored.rule.source.starts_with(source_prefix));
    }
}
