//! IAM users' and groups' inline policies and access keys, end to end against moto through the
//! built binary, seeded and changed with boto3: in sync first (documents written differently
//! from what IAM answers), then a document widened out of band, a key revived, a deletion, and
//! what was made by hand.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::json;
use util::*;

const REGION: &str = "us-east-1";

const TYPES: [&str; 3] = [
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_access_key",
];

#[test]
fn inline_policies_and_keys_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-iam-inline");
    // As a person writes it in HCL's jsonencode: other spacing and key order than IAM answers.
    let read_only = r#"{"Statement": [{"Action": ["s3:GetObject"], "Effect": "Allow", "Resource": "*"}], "Version": "2012-10-17"}"#;
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            iam = client("iam")
            doc = {read_only:?}
            for user in ["deploy", "audit"]:
                iam.create_user(UserName=user)
                iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=doc)
            iam.create_group(GroupName="ops")
            iam.put_group_policy(GroupName="ops", PolicyName="read", PolicyDocument=doc)
            out["deploy_key"] = iam.create_access_key(UserName="deploy")["AccessKey"]["AccessKeyId"]
            out["audit_key"] = iam.create_access_key(UserName="audit")["AccessKey"]["AccessKeyId"]
            iam.update_access_key(UserName="audit", AccessKeyId=out["audit_key"], Status="Inactive")
            "#
        ),
    )
    .expect("seed IAM");
    let (deploy_key, audit_key) = (
        seeded["deploy_key"].as_str().expect("key id"),
        seeded["audit_key"].as_str().expect("key id"),
    );
    let mut state = TfState::new();
    for user in ["deploy", "audit"] {
        state.add(
            None,
            "aws_iam_user_policy",
            user,
            None,
            json!({"id": format!("{user}:read"), "name": "read", "name_prefix": "",
                   "user": user, "policy": read_only}),
        );
    }
    state.add(
        None,
        "aws_iam_group_policy",
        "ops",
        None,
        json!({"id": "ops:read", "name": "read", "name_prefix": "", "group": "ops",
               "policy": read_only}),
    );
    for (name, id, user, status) in [
        ("deploy", deploy_key, "deploy", "Active"),
        ("audit", audit_key, "audit", "Inactive"),
    ] {
        state.add(
            None,
            "aws_iam_access_key",
            name,
            None,
            json!({"id": id, "user": user, "status": status, "secret": "kept-in-state-only",
                   "pgp_key": null, "encrypted_secret": null, "ses_smtp_password_v4": "x"}),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &TYPES, ""),
    );

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["summary"]["managed"], json!(5));

    let byhand = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            iam = client("iam")
            iam.put_user_policy(UserName="deploy", PolicyName="read", PolicyDocument=
                '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}}]}}')
            iam.delete_group_policy(GroupName="ops", PolicyName="read")
            iam.put_group_policy(GroupName="ops", PolicyName="byhand", PolicyDocument={read_only:?})
            iam.update_access_key(UserName="audit", AccessKeyId={audit_key:?}, Status="Active")
            out["key"] = iam.create_access_key(UserName="deploy")["AccessKey"]["AccessKeyId"]
            "#
        ),
    )
    .expect("drift");
    let new_key = byhand["key"].as_str().expect("key id");
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    let mut got = findings(&report);
    got.sort();
    let mut want = vec![
        finding(
            "changed",
            "critical",
            "aws_iam_user_policy",
            "deploy:read",
            &["policy"],
        ),
        finding(
            "missing",
            "critical",
            "aws_iam_group_policy",
            "ops:read",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_iam_group_policy",
            "ops:byhand",
            &[],
        ),
        finding(
            "changed",
            "critical",
            "aws_iam_access_key",
            audit_key,
            &["status"],
        ),
        finding("unmanaged", "warning", "aws_iam_access_key", new_key, &[]),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // The secret kept in state is never part of a report.
    assert!(!run.stdout.contains("kept-in-state-only"));
}
