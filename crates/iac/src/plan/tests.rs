use super::*;
use serde_json::json;

fn parse(v: Value) -> Result<Plan, PlanError> {
    parse_plan(v.to_string().as_bytes(), "plan.json")
}

/// A refresh-only plan (format 1.2): a security group changed out of band (a rule's CIDR and a
/// tag), a queue deleted, a bucket and a module's for_each instance in sync.
fn refresh_only() -> Value {
    json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_drift": [
            {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group",
             "name": "web", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["update"],
                "before": {"id": "sg-1", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
                           "ingress": [{"cidr_blocks": ["10.0.0.0/8"], "from_port": 443}],
                           "tags": {"Env": "prod"}, "description": null},
                "after": {"id": "sg-1", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
                          "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 443}],
                          "tags": {"Env": "dev"}, "description": ""},
                "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}},
            {"address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue",
             "name": "jobs", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["delete"],
                "before": {"id": "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs",
                           "arn": "arn:aws:sqs:eu-west-1:111122223333:jobs", "name": "jobs"},
                "after": null, "after_unknown": {}, "before_sensitive": {}, "after_sensitive": false}},
            {"address": "aws_s3_bucket.moved", "previous_address": "aws_s3_bucket.old",
             "mode": "managed", "type": "aws_s3_bucket", "name": "moved",
             "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["no-op"], "before": {"id": "b"}, "after": {"id": "b"}}}
        ],
        "prior_state": {"format_version": "1.0", "values": {"root_module": {
            "resources": [
                {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group",
                 "name": "web", "provider_name": "registry.terraform.io/hashicorp/aws",
                 "values": {"id": "sg-1", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
                            "secret_token": "s3cr3t"}},
                {"address": "aws_s3_bucket.moved", "mode": "managed", "type": "aws_s3_bucket",
                 "name": "moved", "provider_name": "registry.terraform.io/hashicorp/aws",
                 "values": {"id": "b", "bucket": "b", "region": "eu-west-1"}},
                {"address": "data.aws_region.here", "mode": "data", "type": "aws_region",
                 "name": "here", "provider_name": "registry.terraform.io/hashicorp/aws",
                 "values": {"id": "eu-west-1"}}
            ],
            "child_modules": [{"address": "module.dns[\"blue\"]", "resources": [
                {"address": "module.dns[\"blue\"].cloudflare_record.www[0]", "mode": "managed",
                 "type": "cloudflare_record", "name": "www", "index": 0,
                 "provider_name": "registry.terraform.io/cloudflare/cloudflare",
                 "values": {"id": "rec-7", "name": "www"}}]}]
        }}},
        "applyable": true, "complete": true, "errored": false
    })
}

#[test]
fn drift_becomes_changes_at_terraform_paths_and_deletions() {
    let plan = parse(refresh_only()).expect("plan");
    assert_eq!(plan.format, "json 1.2");
    assert_eq!(plan.tool_version.as_deref(), Some("1.9.8"));
    assert!(plan.pending.is_empty());
    let by_addr = |a: &str| {
        plan.resources
            .iter()
            .find(|r| r.resource.address.as_deref() == Some(a))
            .unwrap_or_else(|| panic!("no {a}"))
    };
    // Four managed resources: three in prior_state (no data source), one deleted.
    assert_eq!(plan.resources.len(), 4);
    let sg = by_addr("aws_security_group.web");
    assert_eq!(sg.resource.key.id, "sg-1");
    assert_eq!(sg.resource.key.provider, "aws");
    assert_eq!(sg.resource.region.as_deref(), Some("eu-west-1"));
    // Only identity is kept of prior_state: no secret in clear.
    assert!(!sg.resource.attrs.contains_key("secret_token"));
    let Some(Drift::Changed(changes)) = &sg.drift else {
        panic!("{:?}", sg.drift)
    };
    let paths: Vec<(&str, &Value, &Value)> = changes
        .iter()
        .map(|c| (c.path.as_str(), &c.expected, &c.actual))
        .collect();
    // `description`: null before, "" after: the same.
    assert_eq!(
        paths,
        vec![
            (
                "ingress[0].cidr_blocks",
                &json!(["10.0.0.0/8"]),
                &json!(["0.0.0.0/0"])
            ),
            ("tags.Env", &json!("prod"), &json!("dev")),
        ]
    );
    let q = by_addr("aws_sqs_queue.jobs");
    assert_eq!(q.drift, Some(Drift::Deleted));
    assert_eq!(q.resource.region.as_deref(), Some("eu-west-1"));
    // A move is not drift.
    assert_eq!(by_addr("aws_s3_bucket.moved").drift, None);
    let rec = by_addr("module.dns[\"blue\"].cloudflare_record.www[0]");
    assert_eq!(rec.resource.key.provider, "cloudflare");
    assert_eq!(rec.resource.key.id, "rec-7");
}

#[test]
fn sensitive_values_are_digests_and_unknown_ones_are_not_compared() {
    let plan = parse(json!({
        "format_version": "1.1",
        "resource_drift": [{"address": "aws_db_instance.main", "mode": "managed",
            "type": "aws_db_instance", "name": "main",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["update"],
                "before": {"id": "db-1", "password": "old-pass", "tags": {"a": "1"},
                           "endpoint": "x", "list": ["k1", "k2"]},
                "after": {"id": "db-1", "password": "new-pass", "tags": {"a": "2"},
                          "list": ["k1", "k3"]},
                "after_unknown": {"endpoint": true},
                "before_sensitive": {"password": true, "list": [false, true]},
                "after_sensitive": {"password": true, "tags": {"a": true}}}}],
        "prior_state": {"values": {"root_module": {"resources": []}}}
    }))
    .expect("plan");
    let Some(Drift::Changed(changes)) = &plan.resources[0].drift else {
        panic!("{:?}", plan.resources)
    };
    let text = serde_json::to_string(changes).unwrap();
    for secret in ["old-pass", "new-pass", "\"2\"", "k3"] {
        assert!(!text.contains(secret), "{secret} shown in {text}");
    }
    let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    // `endpoint` is unknown after: not compared.
    assert_eq!(paths, vec!["list", "password", "tags.a"]);
    assert!(changes[1]
        .expected
        .as_str()
        .unwrap()
        .starts_with("(secret value hidden"));
    assert_ne!(changes[1].expected, changes[1].actual);
}

#[test]
fn a_normal_plan_has_pending_changes_that_are_not_drift() {
    let plan = parse(json!({
        "format_version": "1.2",
        "resource_changes": [
            {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance",
             "name": "web", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["update"],
                "before": {"id": "i-1", "instance_type": "t3.micro",
                           "arn": "arn:aws:ec2:us-east-1:1:instance/i-1"},
                "after": {"id": "i-1", "instance_type": "t3.large",
                          "arn": "arn:aws:ec2:us-east-1:1:instance/i-1"},
                "after_unknown": {}}},
            {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket",
             "name": "logs", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["no-op"], "before": {"id": "logs"}, "after": {"id": "logs"}}}
        ],
        "prior_state": {"values": {"root_module": {"resources": [
            {"address": "aws_instance.web", "mode": "managed", "type": "aws_instance",
             "name": "web", "provider_name": "registry.terraform.io/hashicorp/aws",
             "values": {"id": "i-1", "arn": "arn:aws:ec2:us-east-1:1:instance/i-1"}}]}}}
    }))
    .expect("plan");
    assert!(plan.resources.iter().all(|r| r.drift.is_none()));
    assert_eq!(plan.pending.len(), 1);
    assert_eq!(plan.pending[0].resource.key.id, "i-1");
    assert_eq!(plan.pending[0].actions, vec!["update"]);
    assert_eq!(plan.pending[0].changes[0].path, "instance_type");
}

#[test]
fn anything_but_a_complete_plan_is_one_clear_error() {
    let err = |bytes: &[u8]| parse_plan(bytes, "p.json").unwrap_err().to_string();
    assert!(err(b"PK\x03\x04rest").contains("binary plan file"));
    assert!(err(b"  \n").contains("empty file"));
    assert!(err(b"{\"format_version\": \"1.2\", \"resource_drift\": [").contains("truncated"));
    assert!(err(b"<html>").contains("not valid JSON at line 1"));
    assert!(err(br#"{"format_version": "2.0", "resource_changes": []}"#).contains("version 2.0"));
    assert!(err(br#"{"format_version": "0.2", "resource_changes": []}"#).contains("version 0.2"));
    assert!(
        err(br#"{"format_version": "1.2", "errored": true, "planned_values": {}}"#)
            .contains("`errored` is true")
    );
    let deferred = err(
        br#"{"format_version": "1.2", "complete": false, "planned_values": {},
        "deferred_changes": [{"reason": "provider_config_unknown",
            "resource_change": {"address": "kubernetes_namespace.x"}}]}"#,
    );
    assert!(
        deferred.contains("kubernetes_namespace.x (provider_config_unknown)"),
        "{deferred}"
    );
    let encrypted = err(
        br#"{"serial": 3, "lineage": "l", "meta": {"key_provider.pbkdf2.main": "e30="},
        "encrypted_data": "AAAA", "encryption_version": "v0"}"#,
    );
    assert!(
        encrypted.contains("encrypted by OpenTofu (key_provider.pbkdf2.main)"),
        "{encrypted}"
    );
    assert!(
        err(br#"{"version": 4, "serial": 1, "resources": []}"#).contains("a Terraform state file")
    );
    assert!(err(br#"{"format_version": "1.0", "values": {}}"#).contains("JSON of a state"));
    assert!(err(br#"{"remote_plan_format": 1, "run_id": "run-1"}"#).contains("bookmark"));
    assert!(err(b"[1, 2]").contains("not an object"));
}

fn log(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn msg(kind: &str, extra: Value) -> Value {
    let mut m = json!({"@level": "info", "@message": "m", "@module": "terraform.ui",
                       "@timestamp": "2026-12-07T10:00:00.000000Z", "type": kind});
    if let (Some(m), Some(e)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    m
}

fn res(addr: &str, ty: &str, key: Value) -> Value {
    json!({"addr": addr, "module": "", "resource": addr, "implied_provider": "aws",
           "resource_type": ty, "resource_name": "x", "resource_key": key})
}

#[test]
fn the_streaming_log_names_drift_and_pending_changes() {
    let bytes = log(&[
        msg("version", json!({"terraform": "1.9.8", "ui": "1.2"})),
        msg(
            "resource_drift",
            json!({"change": {"resource": res("aws_instance.a", "aws_instance", Value::Null), "action": "update"}}),
        ),
        msg(
            "resource_drift",
            json!({"change": {"resource": res("aws_sqs_queue.q[\"x\"]", "aws_sqs_queue", json!("x")), "action": "delete"}}),
        ),
        msg(
            "resource_drift",
            json!({"change": {"resource": res("aws_s3_bucket.b", "aws_s3_bucket", Value::Null), "action": "move"}}),
        ),
        msg(
            "planned_change",
            json!({"change": {"resource": res("aws_instance.c", "aws_instance", Value::Null), "action": "replace", "reason": "cannot_update"}}),
        ),
        msg(
            "diagnostic",
            json!({"diagnostic": {"severity": "warning", "summary": "Deprecated"}}),
        ),
        msg(
            "change_summary",
            json!({"changes": {"add": 1, "change": 0, "remove": 1, "operation": "plan"}}),
        ),
    ]);
    let plan = parse_plan(&bytes, "plan.log").expect("log");
    assert_eq!(plan.format, "log");
    assert_eq!(plan.resources.len(), 2);
    assert_eq!(plan.resources[0].resource.key.id, "aws_instance.a");
    assert_eq!(plan.resources[0].drift, Some(Drift::Changed(vec![])));
    assert_eq!(plan.resources[1].drift, Some(Drift::Deleted));
    assert_eq!(plan.pending[0].actions, vec!["delete", "create"]);

    // OpenTofu's log, cut before its summary.
    let mut tofu = msg("version", json!({"tofu": "1.8.0", "ui": "1.2"}));
    tofu["@module"] = json!("tofu.ui");
    let cut = log(&[tofu.clone()]);
    assert!(parse_plan(&cut, "plan.log")
        .unwrap_err()
        .to_string()
        .contains("ends before its change summary"));
    let failed = log(&[
        tofu,
        msg(
            "diagnostic",
            json!({"diagnostic": {"severity": "error",
            "summary": "Unsupported argument", "detail": "An argument named \"foo\" is not expected here.",
            "range": {"filename": "main.tf", "start": {"line": 12, "column": 3, "byte": 200}}}}),
        ),
    ]);
    let e = parse_plan(&failed, "plan.log").unwrap_err().to_string();
    assert!(
        e.contains(
            "Unsupported argument: An argument named \"foo\" is not expected here. (main.tf:12)"
        ),
        "{e}"
    );
}

#[test]
fn deep_values_are_bounded() {
    let mut v = json!("leaf");
    for _ in 0..100 {
        v = json!({ "k": v });
    }
    let mut w = json!("other");
    for _ in 0..100 {
        w = json!({ "k": w });
    }
    let change = json!({"before": {"deep": v}, "after": {"deep": w}});
    let changes = diff_change(&change);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].path.matches('.').count(), MAX_DEPTH - 1);
}
