//! S3 (`aws_s3_bucket` and its versioning, encryption and public access block resources), IAM
//! (`aws_iam_role`, `aws_iam_policy`, `aws_iam_role_policy_attachment`) and the legacy
//! `aws_security_group_rule`, end to end against moto through the built binary: in sync first
//! (documents written differently, ids that only Terraform knows), then one out-of-band change
//! each, with the tiers they page at.

mod util;

use driftd_testkit::seed_s3_iam::{drift_s3_iam, seed_s3_iam};
use serde_json::json;
use util::*;

const REGION: &str = "eu-west-1";

const TYPES: [&str; 8] = [
    "aws_s3_bucket",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_security_group_rule",
];

#[test]
fn s3_iam_and_rules_in_sync_then_each_out_of_band_change_is_found() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types-s3-iam");
    let endpoint = moto.endpoint();
    let mut state = TfState::new();
    let (ec2, seeded) = rt.block_on(async {
        let ec2 = ec2_client(&endpoint, REGION).await;
        let seeded = seed_s3_iam(&endpoint, REGION, &ec2, &mut state)
            .await
            .expect("seed S3 and IAM");
        (ec2, seeded)
    });
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");

    // In sync: the trust policy and the policy were sent with other whitespace, key order and
    // list forms than the state's `jsonencode`; IAM returns them URL-encoded; the rule's and the
    // attachment's state ids are nowhere in AWS; moto's default group rules are cloud defaults.
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &TYPES, ""),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(report["summary"]["managed"], json!(8));

    let unmanaged_bucket = rt
        .block_on(drift_s3_iam(&endpoint, REGION, &ec2, &seeded))
        .expect("drift");
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    let mut got = finding_summary(&report);
    got.sort();
    let mut want = vec![
        summary("changed", "critical", "aws_iam_role", &seeded.role),
        summary(
            "changed",
            "critical",
            "aws_s3_bucket_public_access_block",
            &seeded.bucket,
        ),
        summary("changed", "info", "aws_s3_bucket", &seeded.bucket),
        summary(
            "changed",
            "warning",
            "aws_s3_bucket_versioning",
            &seeded.bucket,
        ),
        summary(
            "missing",
            "critical",
            "aws_iam_role_policy_attachment",
            &seeded.attachment_id,
        ),
        summary(
            "missing",
            "critical",
            "aws_security_group_rule",
            &seeded.rule_id,
        ),
        summary("unmanaged", "warning", "aws_iam_role", "byhand"),
        summary("unmanaged", "warning", "aws_s3_bucket", &unmanaged_bucket),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let role = report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["resource_type"] == "aws_iam_role"))
        .expect("role finding");
    assert_eq!(role["changes"][0]["path"], json!("assume_role_policy"));
    assert_eq!(role["region"], json!("global"));

    // Unmanaged discovery scans only what the target asks for: a target of another region sees
    // none of this region's buckets, and IAM is not listed at all.
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &["us-east-1"], &["aws_s3_bucket"], ""),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    let unmanaged: Vec<_> = finding_summary(&report)
        .into_iter()
        .filter(|f| f.0 == "unmanaged")
        .collect();
    assert_eq!(unmanaged, vec![], "stderr: {}", run.stderr);
}
