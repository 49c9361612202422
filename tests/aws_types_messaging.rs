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

/// Runs `driftd -v check --format json` in `dir`: the report, its findings sorted, and the run.
fn check(dir: &TempDir) -> (Value, Vec<Found>, Run) {
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    let mut got = findings(&report);
    got.sort();
    (report, got, run)
}

fn setup(name: &str, types: &[&str], endpoint: &str, state: TfState) -> TempDir {
    let dir = TempDir::new(name);
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(endpoint, &[REGION], types, ""),
    );
    dir
}

#[test]
fn queue_policies_in_sync_then_changed_missing_and_unmanaged() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"}, "Action": ["sqs:SendMessage"],
        "Resource": "*"}]}"#;
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sqs = client("sqs")
            for name in ["jobs", "gone"]:
                url = sqs.create_queue(QueueName=name)["QueueUrl"]
                sqs.set_queue_attributes(QueueUrl=url, Attributes={{"Policy": {policy:?}}})
                out[name] = url
            sqs.create_queue(QueueName="nopolicy")
            "#
        ),
    )
    .expect("seed");
    let (jobs, gone) = (
        seeded["jobs"].as_str().expect("url"),
        seeded["gone"].as_str().expect("url"),
    );
    let mut state = TfState::new();
    for (name, url) in [("jobs", jobs), ("gone", gone)] {
        state.add(
            None,
            "aws_sqs_queue_policy",
            name,
            None,
            json!({"id": url, "queue_url": url, "policy": policy}),
        );
        // The queue beside its policy, as a configuration has it: its ARN places this provider
        // configuration in its region (a queue policy records none, and moto's URLs name none).
        state.add(
            None,
            "aws_sqs_queue",
            name,
            None,
            queue_state(url, name, policy),
        );
    }
    let dir = setup(
        "aws-sqs-queue-policy",
        &["aws_sqs_queue_policy"],
        &endpoint,
        state,
    );
    assert_in_sync(&dir, 2);

    let byhand = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sqs = client("sqs")
            sqs.set_queue_attributes(QueueUrl={jobs:?}, Attributes={{
                "Policy": '{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*"}}]}}'}})
            sqs.delete_queue(QueueUrl={gone:?})
            url = sqs.create_queue(QueueName="byhand")["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes={{"Policy": {policy:?}}})
            out["byhand"] = url
            "#
        ),
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let t = "aws_sqs_queue_policy";
    let mut expected = vec![
        finding("changed", "critical", t, jobs, &["policy"]),
        finding("missing", "critical", t, gone, &[]),
        finding(
            "unmanaged",
            "warning",
            t,
            byhand["byhand"].as_str().expect("url"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // ListQueues, then one GetQueueAttributes per queue (jobs, nopolicy, byhand).
    assert_eq!(api_calls(&run.stderr, t), Some(1 + 3), "{}", run.stderr);
}

#[test]
fn sns_topics_policies_and_subscriptions() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let custom = r#"{"Version":"2012-10-17","Statement":[{"Sid":"events","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}"#;
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sns = client("sns")
            sqs = client("sqs")
            q = sqs.create_queue(QueueName="inbox")["QueueUrl"]
            qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            alerts = sns.create_topic(Name="alerts", Attributes={{"DisplayName": "Alerts"}},
                Tags=[{{"Key": "Team", "Value": "ops"}}])["TopicArn"]
            sns.set_topic_attributes(TopicArn=alerts, AttributeName="Policy", AttributeValue={custom:?})
            gone = sns.create_topic(Name="gone")["TopicArn"]
            out["alerts"] = alerts
            out["gone"] = gone
            out["qarn"] = qarn
            out["gone_policy"] = sns.get_topic_attributes(TopicArn=gone)["Attributes"]["Policy"]
            out["sub"] = sns.subscribe(TopicArn=alerts, Protocol="sqs", Endpoint=qarn,
                ReturnSubscriptionArn=True)["SubscriptionArn"]
            out["sub_gone"] = sns.subscribe(TopicArn=gone, Protocol="sqs", Endpoint=qarn,
                ReturnSubscriptionArn=True)["SubscriptionArn"]
            "#
        ),
    )
    .expect("seed");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let (alerts, gone, qarn, gone_policy) = (s("alerts"), s("gone"), s("qarn"), s("gone_policy"));
    let (sub, sub_gone) = (s("sub"), s("sub_gone"));
    let topic = |arn: &str, name: &str, display: &str, policy: &str, tags: Value| {
        json!({
            "id": arn, "arn": arn, "name": name, "name_prefix": "", "display_name": display,
            "policy": policy, "delivery_policy": "", "archive_policy": "",
            "kms_master_key_id": "", "fifo_topic": false, "content_based_deduplication": false,
            "signature_version": 0, "tracing_config": "", "owner": "123456789012",
            "application_success_feedback_role_arn": "", "application_success_feedback_sample_rate": 0,
            "tags": tags.clone(), "tags_all": tags,
        })
    };
    let subscription = |arn: &str, topic: &str| {
        json!({
            "id": arn, "arn": arn, "topic_arn": topic, "protocol": "sqs", "endpoint": qarn,
            "raw_message_delivery": false, "filter_policy": "", "filter_policy_scope": "",
            "redrive_policy": "", "delivery_policy": "", "subscription_role_arn": "",
            "endpoint_auto_confirms": false, "confirmation_timeout_in_minutes": 1,
            "confirmation_was_authenticated": true, "pending_confirmation": false,
            "owner_id": "123456789012",
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_sns_topic",
        "alerts",
        None,
        topic(&alerts, "alerts", "Alerts", custom, json!({"Team": "ops"})),
    );
    state.add(
        None,
        "aws_sns_topic",
        "gone",
        None,
        topic(&gone, "gone", "", &gone_policy, json!({})),
    );
    state.add(
        None,
        "aws_sns_topic_policy",
        "alerts",
        None,
        json!({"id": alerts, "arn": alerts, "policy": custom, "owner": "123456789012"}),
    );
    state.add(
        None,
        "aws_sns_topic_subscription",
        "alerts",
        None,
        subscription(&sub, &alerts),
    );
    state.add(
        None,
        "aws_sns_topic_subscription",
        "gone",
        None,
        subscription(&sub_gone, &gone),
    );
    let types = [
        "aws_sns_topic",
        "aws_sns_topic_policy",
        "aws_sns_topic_subscription",
    ];
    let dir = setup("aws-sns", &types, &endpoint, state);
    // The topic `gone` keeps AWS's default policy: no aws_sns_topic_policy, none reported.
    assert_in_sync(&dir, 5);

    let byhand = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sns = client("sns")
            sns.set_topic_attributes(TopicArn={alerts:?}, AttributeName="Policy",
                AttributeValue={custom:?}.replace("events.amazonaws.com", "s3.amazonaws.com"))
            sns.set_subscription_attributes(SubscriptionArn={sub:?},
                AttributeName="RawMessageDelivery", AttributeValue="true")
            sns.unsubscribe(SubscriptionArn={sub_gone:?})
            sns.delete_topic(TopicArn={gone:?})
            t = sns.create_topic(Name="byhand")["TopicArn"]
            out["topic"] = t
            out["sub"] = sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint={qarn:?},
                ReturnSubscriptionArn=True)["SubscriptionArn"]
            "#
        ),
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let mut expected = vec![
        finding("changed", "critical", "aws_sns_topic", &alerts, &["policy"]),
        finding(
            "changed",
            "critical",
            "aws_sns_topic_policy",
            &alerts,
            &["policy"],
        ),
        finding(
            "changed",
            "warning",
            "aws_sns_topic_subscription",
            &sub,
            &["raw_message_delivery"],
        ),
        finding("missing", "critical", "aws_sns_topic", &gone, &[]),
        finding(
            "missing",
            "critical",
            "aws_sns_topic_subscription",
            &sub_gone,
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_sns_topic",
            byhand["topic"].as_str().expect("arn"),
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_sns_topic_subscription",
            byhand["sub"].as_str().expect("arn"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // ListTopics, then GetTopicAttributes and ListTagsForResource for alerts and byhand.
    assert_eq!(api_calls(&run.stderr, "aws_sns_topic"), Some(1 + 2 * 2));
}

#[test]
fn kms_keys_and_aliases() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
            kms = client("kms")
            for name in ["orders", "gone"]:
                k = kms.create_key(Description=name, Tags=[{"TagKey": "Team", "TagValue": "orders"}])["KeyMetadata"]
                kms.create_alias(AliasName="alias/" + name, TargetKeyId=k["KeyId"])
                out[name] = k["KeyId"]
                out[name + "_arn"] = k["Arn"]
                out[name + "_policy"] = kms.get_key_policy(KeyId=k["KeyId"], PolicyName="default")["Policy"]
            "#,
    )
    .expect("seed");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let mut state = TfState::new();
    for name in ["orders", "gone"] {
        let (id, arn) = (s(name), s(&format!("{name}_arn")));
        state.add(
            None,
            "aws_kms_key",
            name,
            None,
            json!({
                "id": id, "key_id": id, "arn": arn, "description": name,
                "policy": s(&format!("{name}_policy")), "is_enabled": true,
                "enable_key_rotation": false, "rotation_period_in_days": 0,
                "key_usage": "ENCRYPT_DECRYPT", "customer_master_key_spec": "SYMMETRIC_DEFAULT",
                "multi_region": false, "deletion_window_in_days": 30,
                "bypass_policy_lockout_safety_check": false, "custom_key_store_id": "",
                "xks_key_id": "",
                "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
            }),
        );
        let alias = format!("alias/{name}");
        state.add(
            None,
            "aws_kms_alias",
            name,
            None,
            json!({
                "id": alias, "name": alias, "name_prefix": "",
                "arn": format!("arn:aws:kms:{REGION}:123456789012:{alias}"),
                "target_key_id": id, "target_key_arn": arn,
            }),
        );
    }
    let dir = setup(
        "aws-kms",
        &["aws_kms_key", "aws_kms_alias"],
        &endpoint,
        state,
    );
    assert_in_sync(&dir, 4);

    let (orders, gone) = (s("orders"), s("gone"));
    let byhand = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            kms = client("kms")
            kms.put_key_policy(KeyId={orders:?}, PolicyName="default", Policy='{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"kms:*","Resource":"*"}}]}}')
            kms.delete_alias(AliasName="alias/gone")
            kms.schedule_key_deletion(KeyId={gone:?}, PendingWindowInDays=7)
            k = kms.create_key(Description="byhand")["KeyMetadata"]["KeyId"]
            kms.update_alias(AliasName="alias/orders", TargetKeyId=k)
            kms.create_alias(AliasName="alias/byhand", TargetKeyId=k)
            out["key"] = k
            "#
        ),
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let mut expected = vec![
        finding("changed", "critical", "aws_kms_key", &orders, &["policy"]),
        finding(
            "changed",
            "critical",
            "aws_kms_alias",
            "alias/orders",
            &["target_key_id"],
        ),
        finding("missing", "critical", "aws_kms_key", &gone, &[]),
        finding("missing", "critical", "aws_kms_alias", "alias/gone", &[]),
        finding(
            "unmanaged",
            "warning",
            "aws_kms_key",
            byhand["key"].as_str().expect("key"),
            &[],
        ),
        finding("unmanaged", "warning", "aws_kms_alias", "alias/byhand", &[]),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // ListKeys; DescribeKey for each of the three keys; GetKeyPolicy, GetKeyRotationStatus and
    // ListResourceTags for the two not pending deletion.
    assert_eq!(api_calls(&run.stderr, "aws_kms_key"), Some(1 + 3 + 2 * 3));
}

#[test]
fn ssm_parameters_without_their_values() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    boto3(
        &endpoint,
        REGION,
        r#"
            ssm = client("ssm")
            ssm.put_parameter(Name="/app/url", Type="String", Value="https://example.com",
                Description="service url", Tags=[{"Key": "Team", "Value": "app"}])
            ssm.put_parameter(Name="/app/secret", Type="SecureString", Value="hunter2-never-shown")
            ssm.put_parameter(Name="/app/gone", Type="String", Value="x")
            "#,
    )
    .expect("seed");
    let param = |name: &str, kind: &str, key: &str, description: &str, tags: Value| {
        json!({
            "id": name, "name": name, "arn": format!("arn:aws:ssm:{REGION}:123456789012:parameter{name}"),
            "type": kind, "key_id": key, "description": description, "tier": "Standard",
            "allowed_pattern": "", "data_type": "text", "overwrite": false, "version": 1,
            "value": "(sensitive)", "insecure_value": null,
            "tags": tags.clone(), "tags_all": tags,
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_ssm_parameter",
        "url",
        None,
        param(
            "/app/url",
            "String",
            "",
            "service url",
            json!({"Team": "app"}),
        ),
    );
    state.add(
        None,
        "aws_ssm_parameter",
        "secret",
        None,
        param(
            "/app/secret",
            "SecureString",
            "alias/aws/ssm",
            "",
            json!({}),
        ),
    );
    state.add(
        None,
        "aws_ssm_parameter",
        "gone",
        None,
        param("/app/gone", "String", "", "", json!({})),
    );
    let dir = setup("aws-ssm", &["aws_ssm_parameter"], &endpoint, state);
    assert_in_sync(&dir, 3);

    boto3(
        &endpoint,
        REGION,
        r#"
            ssm = client("ssm")
            ssm.put_parameter(Name="/app/secret", Type="String", Value="hunter2-never-shown", Overwrite=True)
            ssm.delete_parameter(Name="/app/gone")
            ssm.put_parameter(Name="/byhand", Type="String", Value="y")
            "#,
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let t = "aws_ssm_parameter";
    let mut expected = vec![
        // AWS drops the KMS key of a parameter turned into a String; moto keeps it, so only
        // the type is seen changed here.
        finding("changed", "critical", t, "/app/secret", &["type"]),
        finding("missing", "critical", t, "/app/gone", &[]),
        finding("unmanaged", "warning", t, "/byhand", &[]),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
    // DescribeParameters, then ListTagsForResource for each of the three parameters.
    assert_eq!(api_calls(&run.stderr, t), Some(1 + 3));
}

#[test]
fn secrets_manager_secrets_without_their_values() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"secretsmanager:DeleteSecret","Resource":"*"}]}"#;
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sm = client("secretsmanager")
            db = sm.create_secret(Name="db", Description="database", SecretString="s3cr3t-never-shown",
                Tags=[{{"Key": "Team", "Value": "db"}}])["ARN"]
            sm.put_resource_policy(SecretId=db, ResourcePolicy={policy:?})
            out["db"] = db
            out["gone"] = sm.create_secret(Name="gone", SecretString="s3cr3t-never-shown")["ARN"]
            "#
        ),
    )
    .expect("seed");
    let (db, gone) = (
        seeded["db"].as_str().expect("arn"),
        seeded["gone"].as_str().expect("arn"),
    );
    let secret = |arn: &str, name: &str, description: &str, policy: &str, tags: Value| {
        json!({
            "id": arn, "arn": arn, "name": name, "name_prefix": "", "description": description,
            "kms_key_id": "", "policy": policy, "recovery_window_in_days": 30,
            "force_overwrite_replica_secret": false, "replica": [],
            "tags": tags.clone(), "tags_all": tags,
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_secretsmanager_secret",
        "db",
        None,
        secret(db, "db", "database", policy, json!({"Team": "db"})),
    );
    state.add(
        None,
        "aws_secretsmanager_secret",
        "gone",
        None,
        secret(gone, "gone", "", "", json!({})),
    );
    let t = "aws_secretsmanager_secret";
    let dir = setup("aws-secrets", &[t], &endpoint, state);
    assert_in_sync(&dir, 2);

    let byhand = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sm = client("secretsmanager")
            sm.put_resource_policy(SecretId={db:?}, ResourcePolicy={policy:?}.replace("Deny", "Allow"))
            sm.delete_secret(SecretId={gone:?}, ForceDeleteWithoutRecovery=True)
            out["arn"] = sm.create_secret(Name="byhand", SecretString="s3cr3t-never-shown")["ARN"]
            "#
        ),
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let mut expected = vec![
        finding("changed", "critical", t, db, &["policy"]),
        finding("missing", "critical", t, gone, &[]),
        finding(
            "unmanaged",
            "warning",
            t,
            byhand["arn"].as_str().expect("arn"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(!run.stdout.contains("s3cr3t") && !run.stderr.contains("s3cr3t"));
    // ListSecrets, then GetResourcePolicy for db and byhand.
    assert_eq!(api_calls(&run.stderr, t), Some(1 + 2));
}

#[test]
fn kinesis_streams() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
            k = client("kinesis")
            for name in ["clicks", "gone"]:
                k.create_stream(StreamName=name, ShardCount=1)
                k.add_tags_to_stream(StreamName=name, Tags={"Team": "web"})
                out[name] = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
            "#,
    )
    .expect("seed");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let mut state = TfState::new();
    for name in ["clicks", "gone"] {
        let arn = s(name);
        state.add(
            None,
            "aws_kinesis_stream",
            name,
            None,
            json!({
                "id": arn, "arn": arn, "name": name, "shard_count": 1, "retention_period": 24,
                "shard_level_metrics": [], "encryption_type": "NONE", "kms_key_id": "",
                "enforce_consumer_deletion": false,
                "stream_mode_details": [{"stream_mode": "PROVISIONED"}],
                "tags": {"Team": "web"}, "tags_all": {"Team": "web"},
            }),
        );
    }
    let t = "aws_kinesis_stream";
    let dir = setup("aws-kinesis", &[t], &endpoint, state);
    assert_in_sync(&dir, 2);

    let byhand = boto3(
        &endpoint,
        REGION,
        r#"
            k = client("kinesis")
            k.increase_stream_retention_period(StreamName="clicks", RetentionPeriodHours=48)
            k.delete_stream(StreamName="gone")
            k.create_stream(StreamName="byhand", ShardCount=1)
            out["arn"] = k.describe_stream_summary(StreamName="byhand")["StreamDescriptionSummary"]["StreamARN"]
            "#,
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let mut expected = vec![
        finding("changed", "warning", t, &s("clicks"), &["retention_period"]),
        finding("missing", "critical", t, &s("gone"), &[]),
        finding(
            "unmanaged",
            "warning",
            t,
            byhand["arn"].as_str().expect("arn"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // ListStreams, then DescribeStreamSummary and ListTagsForStream for clicks and byhand.
    assert_eq!(api_calls(&run.stderr, t), Some(1 + 2 * 2));
}

#[test]
fn dynamodb_tables() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
            d = client("dynamodb")
            for name in ["orders", "gone"]:
                out[name] = d.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    DeletionProtectionEnabled=(name == "orders"),
                    Tags=[{"Key": "Team", "Value": "orders"}])["TableDescription"]["TableArn"]
            "#,
    )
    .expect("seed");
    let mut state = TfState::new();
    for name in ["orders", "gone"] {
        let arn = seeded[name].as_str().expect("arn");
        state.add(
            None,
            "aws_dynamodb_table",
            name,
            None,
            json!({
                "id": name, "arn": arn, "name": name, "billing_mode": "PAY_PER_REQUEST",
                "hash_key": "id", "range_key": "", "attribute": [{"name": "id", "type": "S"}],
                "read_capacity": 0, "write_capacity": 0, "stream_enabled": false,
                "stream_view_type": "", "stream_arn": "", "stream_label": "",
                "server_side_encryption": [], "point_in_time_recovery": [{"enabled": false}],
                "ttl": [{"attribute_name": "", "enabled": false}],
                "deletion_protection_enabled": name == "orders", "table_class": "STANDARD",
                "global_secondary_index": [], "local_secondary_index": [], "replica": [],
                "restore_to_latest_time": null,
                "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
            }),
        );
    }
    let t = "aws_dynamodb_table";
    let dir = setup("aws-dynamodb", &[t], &endpoint, state);
    assert_in_sync(&dir, 2);

    boto3(
        &endpoint,
        REGION,
        r#"
            d = client("dynamodb")
            d.update_table(TableName="orders", DeletionProtectionEnabled=False)
            d.delete_table(TableName="gone")
            d.create_table(TableName="byhand", BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
            "#,
    )
    .expect("drift");
    let (_, got, run) = check(&dir);
    let mut expected = vec![
        finding(
            "changed",
            "critical",
            t,
            "orders",
            &["deletion_protection_enabled"],
        ),
        finding("missing", "critical", t, "gone", &[]),
        finding("unmanaged", "warning", t, "byhand", &[]),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // ListTables, then four calls for each of orders and byhand.
    assert_eq!(api_calls(&run.stderr, t), Some(1 + 2 * 4));
}
