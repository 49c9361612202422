//! IAM users, groups, memberships, instance profiles, inline role policies and user, group and
//! exclusive policy attachments, and a bucket's policy, ACL, lifecycle configuration and
//! logging, end to end against moto through the built binary: in sync first (documents written
//! differently, ids only Terraform knows, moto's own AWS-managed policies and default ACLs not
//! reported), then one out-of-band change per type with the tier it pages at, a deletion, and
//! what was made by hand where IAM lists it.

mod util;

use driftd_testkit::seed_iam_s3_more::{drift_iam_s3_more, seed_iam_s3_more};
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";

const TYPES: [&str; 12] = [
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_group_membership",
    "aws_iam_instance_profile",
    "aws_iam_role_policy",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
];

fn config_for(endpoint: &str) -> String {
    config_for_types(endpoint, &[REGION], &TYPES, "")
}

/// The change paths of the finding on `resource_type`, `id`.
fn paths(report: &Value, resource_type: &str, id: &str) -> Vec<String> {
    let f = report["findings"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["resource_type"] == resource_type && f["resource_id"] == id)
        })
        .unwrap_or_else(|| panic!("a finding on {resource_type} {id}"));
    f["changes"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c["path"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn iam_and_bucket_settings_in_sync_then_each_out_of_band_change_is_found() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types-iam-s3-more");
    let endpoint = moto.endpoint();
    let mut state = TfState::new();
    let seeded = rt
        .block_on(seed_iam_s3_more(&endpoint, REGION, &mut state))
        .expect("seed IAM and S3");
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");

    dir.write("driftd.toml", &config_for(&endpoint));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(report["summary"]["managed"], json!(14));

    rt.block_on(drift_iam_s3_more(&endpoint, REGION, &seeded))
        .expect("drift");
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    let mut got = finding_summary(&report);
    got.sort();
    let bucket = seeded.bucket.as_str();
    let mut want = vec![
        summary("changed", "info", "aws_iam_user", "deploy"),
        summary("missing", "critical", "aws_iam_group", "interns"),
        summary(
            "changed",
            "critical",
            "aws_iam_group_membership",
            "ops-team",
        ),
        summary("changed", "critical", "aws_iam_instance_profile", "web"),
        summary("changed", "critical", "aws_iam_role_policy", "web:queue"),
        summary(
            "changed",
            "critical",
            "aws_iam_policy_attachment",
            "audit-everywhere",
        ),
        summary(
            "changed",
            "critical",
            "aws_iam_policy_attachment",
            "read-everywhere",
        ),
        summary(
            "missing",
            "critical",
            "aws_iam_user_policy_attachment",
            &seeded.user_attachment_id,
        ),
        summary("unmanaged", "warning", "aws_iam_user", "byhand"),
        summary("unmanaged", "warning", "aws_iam_role_policy", "web:byhand"),
        summary("unmanaged", "warning", "aws_iam_instance_profile", "byhand"),
        summary(
            "unmanaged",
            "warning",
            "aws_iam_user_policy_attachment",
            &format!("byhand/{}", seeded.audit_arn),
        ),
        summary(
            "unmanaged",
            "warning",
            "aws_iam_group_policy_attachment",
            &format!("ops/{}", seeded.audit_arn),
        ),
        summary("changed", "critical", "aws_s3_bucket_policy", bucket),
        summary(
            "changed",
            "critical",
            "aws_s3_bucket_acl",
            &format!("{bucket},private"),
        ),
        summary(
            "changed",
            "warning",
            "aws_s3_bucket_lifecycle_configuration",
            bucket,
        ),
        summary("changed", "warning", "aws_s3_bucket_logging", bucket),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);

    for (resource_type, id, path) in [
        ("aws_iam_user", "deploy", "tags.Team"),
        ("aws_iam_group_membership", "ops-team", "users"),
        ("aws_iam_instance_profile", "web", "role"),
        ("aws_iam_role_policy", "web:queue", "policy"),
        ("aws_s3_bucket_policy", bucket, "policy"),
        ("aws_s3_bucket_lifecycle_configuration", bucket, "rule"),
        ("aws_s3_bucket_logging", bucket, "target_prefix"),
    ] {
        let p = paths(&report, resource_type, id);
        assert!(
            p.iter().all(|p| p.starts_with(path)) && !p.is_empty(),
            "{resource_type}: {p:?}"
        );
    }
    let p = paths(&report, "aws_iam_policy_attachment", "audit-everywhere");
    assert!(p.iter().any(|p| p.starts_with("users")), "{p:?}");
    assert!(p.iter().any(|p| p.starts_with("groups")), "{p:?}");
    let p = paths(&report, "aws_s3_bucket_acl", &format!("{bucket},private"));
    assert!(
        p.iter().all(|p| p.starts_with("access_control_policy")) && !p.is_empty(),
        "{p:?}"
    );
}
