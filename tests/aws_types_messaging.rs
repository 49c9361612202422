//! SQS (and the other messaging services) end to end against moto through the built binary.
//! moto is seeded and changed with boto3 (an independent client), the state is written as
//! Terraform writes it, and `driftd check` must find: nothing while in sync (moto's own defaults
//! not reported), one out-of-band change per type with its path and tier, a deletion, and what
//! was made by hand.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";

const TYPES: [&str; 1] = ["aws_sqs_queue"];

fn config_for(endpoint: &str) -> String {
    config_for_types(endpoint, &[REGION], &TYPES, "")
}

/// What Terraform records for a queue it created with `policy` and these settings (the
/// maximum message size AWS gives a new queue is 1 MiB since 2025, as moto's).
fn queue_state(url: &str, name: &str, policy: &str) -> Value {
    json!({
        "id": url, "url": url, "name": name, "name_prefix": "",
        "arn": format!("arn:aws:sqs:{REGION}:123456789012:{name}"),
        "policy": policy, "redrive_policy": "", "redrive_allow_policy": "",
        "kms_master_key_id": "", "kms_data_key_reuse_period_seconds": 300,
        "sqs_managed_sse_enabled": true, "fifo_queue": false,
        "content_based_deduplication": false, "deduplication_scope": "",
        "fifo_throughput_limit": "", "delay_seconds": 0, "max_message_size": 1048576,
        "message_retention_seconds": 345600, "receive_wait_time_seconds": 0,
        "visibility_timeout_seconds": 30,
        "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
    })
}

#[test]
fn queues_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-messaging");
    // The policy as a person writes it: spacing and key order differ from what SQS answers.
    let policy = r#"{ "Version": "2012-10-17", "Statement": [ { "Sid": "send", "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": "*" } ] }"#;
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sqs = client("sqs")
            for name in ["orders", "gone"]:
                url = sqs.create_queue(QueueName=name, tags={{"Team": "orders"}},
                    Attributes={{"Policy": {policy:?}, "SqsManagedSseEnabled": "true"}})["QueueUrl"]
                out[name] = url
            "#
        ),
    )
    .expect("seed queues");
    let (orders, gone) = (
        seeded["orders"].as_str().expect("url"),
        seeded["gone"].as_str().expect("url"),
    );
    let mut state = TfState::new();
    state.add(
        None,
        "aws_sqs_queue",
        "orders",
        None,
        queue_state(orders, "orders", policy),
    );
    state.add(
        None,
        "aws_sqs_queue",
        "gone",
        None,
        queue_state(gone, "gone", policy),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config_for(&endpoint));

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["summary"]["managed"], json!(2));

    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sqs = client("sqs")
            sqs.set_queue_attributes(QueueUrl={orders:?}, Attributes={{
                "Policy": '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}]}}',
                "VisibilityTimeout": "120"}})
            sqs.delete_queue(QueueUrl={gone:?})
            out["byhand"] = sqs.create_queue(QueueName="byhand")["QueueUrl"]
            "#
        ),
    )
    .expect("drift");
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    let byhand = format!("{}/byhand", orders.rsplit_once('/').expect("url").0);
    let mut got = findings(&report);
    got.sort();
    let mut want = vec![
        (
            "changed".to_string(),
            "critical".to_string(),
            "aws_sqs_queue".to_string(),
            orders.to_string(),
            vec![
                "policy".to_string(),
                "visibility_timeout_seconds".to_string(),
            ],
        ),
        (
            "missing".into(),
            "critical".into(),
            "aws_sqs_queue".into(),
            gone.to_string(),
            vec![],
        ),
        (
            "unmanaged".into(),
            "warning".into(),
            "aws_sqs_queue".into(),
            byhand,
            vec![],
        ),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // The listing's second calls are counted: one ListQueues, then GetQueueAttributes and
    // ListQueueTags for each of the two queues.
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("resource_type=aws_sqs_queue "))
        .unwrap_or_else(|| panic!("no aws_sqs_queue progress line in:\n{}", run.stderr));
    let calls = line
        .split_whitespace()
        .find_map(|t| t.strip_prefix("api_calls="))
        .and_then(|n| n.parse::<u64>().ok());
    assert_eq!(calls, Some(1 + 2 * 2), "{line}");
}
