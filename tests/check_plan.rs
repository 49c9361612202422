//! Terraform's own plans as a second engine, through the built binary. The plans here are
//! written in the documented formats (`terraform show -json PLANFILE`, format 1.x, and the
//! `terraform plan -json` log), in our own words, after real outputs of Terraform 1.2 to 1.9.

mod util;

use serde_json::{json, Value};
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";
const DD: &str = "registry.terraform.io/datadog/datadog";

fn drift_entry(address: &str, ty: &str, provider: &str, change: Value) -> Value {
    let (module, name) = match address.rsplit_once(&format!("{ty}.")) {
        Some((m, n)) => (m.trim_end_matches('.'), n),
        None => ("", address),
    };
    let name = name.split('[').next().unwrap_or(name);
    let mut e = json!({"address": address, "mode": "managed", "type": ty, "name": name,
                       "provider_name": provider, "change": change});
    if !module.is_empty() {
        e["module_address"] = json!(module);
    }
    e
}

fn prior(address: &str, ty: &str, provider: &str, index: Value, values: Value) -> Value {
    let name = address
        .rsplit_once(&format!("{ty}."))
        .map_or(address, |(_, n)| n)
        .split('[')
        .next()
        .unwrap_or_default()
        .to_string();
    json!({"address": address, "mode": "managed", "type": ty, "name": name, "index": index,
           "provider_name": provider, "schema_version": 0, "values": values,
           "sensitive_values": {}})
}

/// A refresh-only plan of third-party types only: a record changed in a module's for_each
/// instance, an API token's secret value rotated (sensitive), a monitor deleted, a count
/// instance and a record in sync, one value known only after apply.
fn refresh_only_plan() -> Value {
    json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_drift": [
            drift_entry("module.site[\"blue\"].cloudflare_record.www[0]", "cloudflare_record", CF,
                json!({"actions": ["update"],
                    "before": {"id": "rec-blue", "zone_id": "z1", "name": "www", "content": "203.0.113.7",
                               "ttl": 300, "tags": null, "modified_on": "2026-11-01T00:00:00Z"},
                    "after": {"id": "rec-blue", "zone_id": "z1", "name": "www", "content": "198.51.100.9",
                              "ttl": 60, "tags": []},
                    "after_unknown": {"modified_on": true},
                    "before_sensitive": {}, "after_sensitive": {}})),
            drift_entry("cloudflare_api_token.ci", "cloudflare_api_token", CF,
                json!({"actions": ["update"],
                    "before": {"id": "tok-1", "name": "ci", "value": "old-token-value-123"},
                    "after": {"id": "tok-1", "name": "ci", "value": "new-token-value-456"},
                    "after_unknown": {},
                    "before_sensitive": {"value": true}, "after_sensitive": {"value": true}})),
            drift_entry("datadog_monitor.cpu", "datadog_monitor", DD,
                json!({"actions": ["delete"],
                    "before": {"id": "8812", "name": "CPU high", "type": "metric alert"},
                    "after": null, "after_unknown": {}, "before_sensitive": {},
                    "after_sensitive": false}))
        ],
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.8", "values": {
            "root_module": {
                "resources": [
                    prior("cloudflare_api_token.ci", "cloudflare_api_token", CF, Value::Null,
                          json!({"id": "tok-1", "name": "ci", "value": "new-token-value-456"})),
                    prior("cloudflare_record.mx[1]", "cloudflare_record", CF, json!(1),
                          json!({"id": "rec-mx-1", "zone_id": "z1", "name": "mx"}))
                ],
                "child_modules": [{"address": "module.site[\"blue\"]", "resources": [
                    prior("module.site[\"blue\"].cloudflare_record.www[0]", "cloudflare_record",
                          CF, json!(0), json!({"id": "rec-blue", "zone_id": "z1"}))
                ]}]
            }
        }},
        "applyable": true, "complete": true, "errored": false
    })
}

fn write_json(dir: &TempDir, name: &str, v: &Value) {
    if let Some(parent) = dir.path().join(name).parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    dir.write(name, &serde_json::to_string_pretty(v).expect("json"));
}

fn check(dir: &TempDir, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    driftd(dir.path(), &all)
}

#[test]
fn a_plan_compares_every_managed_resource_of_types_driftd_does_not_read() {
    let dir = TempDir::new("check-plan-only");
    write_json(&dir, "plans/site.json", &refresh_only_plan());
    // A config target whose only source is its plans (a glob).
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"edge\"\nplans = [\"plans/*.json\"]\n",
    );
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let s = &report["summary"];
    assert_eq!(s["compared"], json!(4), "{report:#}");
    assert_eq!(s["plan_compared"], json!(4));
    assert_eq!(s["coverage_pct"], json!(100.0));
    assert_eq!(
        (s["changed"].clone(), s["missing"].clone()),
        (json!(2), json!(1))
    );
    let mut got = finding_summary(&report);
    got.sort();
    let row = |k: &str, t: &str, ty: &str, id: &str| {
        (k.to_string(), t.to_string(), ty.to_string(), id.to_string())
    };
    let mut want = vec![
        row("changed", "warning", "cloudflare_record", "rec-blue"),
        row("changed", "warning", "cloudflare_api_token", "tok-1"),
        row("missing", "critical", "datadog_monitor", "8812"),
    ];
    want.sort();
    assert_eq!(got, want);
    let f = |id: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource_id"] == id)
            .cloned()
            .unwrap()
    };
    let www = f("rec-blue");
    assert_eq!(www["engine"], json!("plan"));
    assert_eq!(
        www["address"],
        json!("module.site[\"blue\"].cloudflare_record.www[0]")
    );
    assert_eq!(www["source"], json!("plans/site.json"));
    // `tags` null → [] is a provider's rewriting; `modified_on` is unknown after the refresh.
    let paths: Vec<&str> = www["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["content", "ttl"]);
    let token = f("tok-1");
    assert_eq!(token["changes"][0]["path"], json!("value"));
    assert_ne!(
        token["changes"][0]["expected"],
        token["changes"][0]["actual"]
    );
    // The same resource from a state has the same fingerprint: one identity, whichever engine.
    let state = driftd_iac::parse_state(
        json!({"version": 4, "serial": 1, "lineage": "l", "resources": [
            {"mode": "managed", "type": "datadog_monitor", "name": "cpu",
             "provider": format!("provider[\"{DD}\"]"),
             "instances": [{"attributes": {"id": "8812", "name": "CPU high"}}]}]})
        .to_string()
        .as_bytes(),
        "s.tfstate",
    )
    .expect("state");
    assert_eq!(
        f("8812")["fingerprint"],
        json!(driftd_core::fingerprint(
            "edge",
            &state.resources[0].key,
            driftd_core::FindingKind::Missing
        ))
    );

    // Every format names the plan's findings and shows no secret.
    for format in ["json", "table", "markdown", "html", "junit", "sarif"] {
        let run = check(&dir, &["--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        for id in ["rec-blue", "tok-1", "8812"] {
            assert!(run.stdout.contains(id), "{format} lacks {id}");
        }
        for secret in ["old-token-value-123", "new-token-value-456"] {
            assert!(!run.stdout.contains(secret), "{format} shows a secret");
        }
        assert!(
            run.stdout.contains("plan"),
            "{format} does not say the plan compared"
        );
    }
}

#[test]
fn a_normal_plan_reports_its_changes_as_pending_never_as_drift() {
    let dir = TempDir::new("check-plan-pending");
    let plan = json!({
        "format_version": "1.1", "terraform_version": "1.4.6",
        "resource_changes": [
            drift_entry("cloudflare_record.www", "cloudflare_record", CF,
                json!({"actions": ["update"], "before": {"id": "rec-1", "ttl": 300},
                       "after": {"id": "rec-1", "ttl": 120}, "after_unknown": {}})),
            drift_entry("cloudflare_record.mx", "cloudflare_record", CF,
                json!({"actions": ["no-op"], "before": {"id": "rec-2"}, "after": {"id": "rec-2"}}))
        ],
        "prior_state": {"values": {"root_module": {"resources": [
            prior("cloudflare_record.www", "cloudflare_record", CF, Value::Null, json!({"id": "rec-1"})),
            prior("cloudflare_record.mx", "cloudflare_record", CF, Value::Null, json!({"id": "rec-2"}))
        ]}}}
    });
    write_json(&dir, "plan.json", &plan);
    let run = check(&dir, &["--plan", "plan.json", "--format", "json"]);
    // Pending is not drift: the check passes.
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(
        finding_summary(&report),
        vec![(
            "pending".to_string(),
            report["findings"][0]["tier"].as_str().unwrap().to_string(),
            "cloudflare_record".to_string(),
            "rec-1".to_string()
        )]
    );
    assert_eq!(report["findings"][0]["changes"][0]["path"], json!("ttl"));
    assert_eq!(report["summary"]["pending"], json!(1));
    assert_eq!(report["summary"]["compared"], json!(2));

    // The same plan with drift too: drift fails the check, pending stays pending.
    let mut both = plan;
    both["resource_drift"] = json!([drift_entry(
        "cloudflare_record.mx",
        "cloudflare_record",
        CF,
        json!({"actions": ["update"], "before": {"id": "rec-2", "content": "mx1.example.net"},
               "after": {"id": "rec-2", "content": "mx9.example.net"}, "after_unknown": {}})
    )]);
    write_json(&dir, "plan.json", &both);
    let run = check(&dir, &["--plan", "plan.json", "--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let mut kinds: Vec<String> = finding_summary(&run.json())
        .into_iter()
        .map(|(k, _, _, id)| format!("{k} {id}"))
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec!["changed rec-2", "pending rec-1"]);
}

#[test]
fn the_streaming_log_is_named_by_the_state_and_carries_no_values() {
    let dir = TempDir::new("check-plan-log");
    let line = |v: Value| v.to_string();
    let head = json!({"@level": "info", "@module": "terraform.ui", "@message": "m",
                      "@timestamp": "2026-12-07T09:00:00.000000+00:00"});
    let with = |kind: &str, extra: Value| {
        let mut m = head.clone();
        m["type"] = json!(kind);
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        line(m)
    };
    let res = |addr: &str| {
        json!({"addr": addr, "module": "", "resource": addr, "implied_provider": "cloudflare",
               "resource_type": "cloudflare_record", "resource_name": "www", "resource_key": null})
    };
    let log = [
        with("version", json!({"terraform": "1.9.8", "ui": "1.2"})),
        with(
            "resource_drift",
            json!({"change": {"resource": res("cloudflare_record.www"), "action": "update"}}),
        ),
        with(
            "resource_drift",
            json!({"change": {"resource": res("cloudflare_record.mx"), "action": "delete"}}),
        ),
        with(
            "change_summary",
            json!({"changes": {"add": 0, "change": 0, "import": 0, "remove": 0, "operation": "plan"}}),
        ),
    ]
    .join("\n");
    dir.write("plan.log", &log);
    let state = json!({"version": 4, "serial": 2, "lineage": "l", "resources": [
        {"mode": "managed", "type": "cloudflare_record", "name": "www",
         "provider": format!("provider[\"{CF}\"]"),
         "instances": [{"attributes": {"id": "rec-1", "content": "203.0.113.7"}}]},
        {"mode": "managed", "type": "cloudflare_record", "name": "mx",
         "provider": format!("provider[\"{CF}\"]"),
         "instances": [{"attributes": {"id": "rec-2", "content": "mx.example.net"}}]}]});
    write_json(&dir, "terraform.tfstate", &state);
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"edge\"\nplans = [\"plan.log\"]\n",
    );
    let ids = |run: &Run| -> Vec<String> {
        let mut got: Vec<String> = finding_summary(&run.json())
            .into_iter()
            .map(|(k, _, _, id)| format!("{k} {id}"))
            .collect();
        got.sort();
        got
    };
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // Keyed by address in the log; without a state naming them, the address is the id.
    assert_eq!(
        ids(&run),
        vec![
            "changed cloudflare_record.www",
            "missing cloudflare_record.mx"
        ]
    );
    assert!(run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["changes"] == json!([]) && f["engine"] == "plan"));

    // With the state, the state's ids name them (the AWS side lists one type at an endpoint
    // that refuses: it is not scanned, which changes nothing of the plan's findings).
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"edge\"\nstates = [\"terraform.tfstate\"]\nplans = [\"plan.log\"]\n\
         resource_types = [\"aws_s3_bucket\"]\nregions = [\"us-east-1\"]\n\
         [target.aws]\nendpoint_url = \"http://127.0.0.1:1\"\nmax_attempts = 1\n",
    );
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert_eq!(ids(&run), vec!["changed rec-1", "missing rec-2"]);
    assert_eq!(run.json()["summary"]["plan_compared"], json!(2));
}

#[test]
fn anything_but_a_complete_plan_fails_the_check_naming_the_file() {
    let dir = TempDir::new("check-plan-bad");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "binary.tfplan",
            b"PK\x03\x04\x14\x00\x00\x00tfplan".to_vec(),
            "binary plan file",
        ),
        (
            "cut.json",
            br#"{"format_version": "1.2", "resource_drift": [{"address": "#.to_vec(),
            "truncated JSON",
        ),
        (
            "errored.json",
            br#"{"format_version": "1.2", "planned_values": {}, "errored": true}"#.to_vec(),
            "`errored` is true",
        ),
        (
            "deferred.json",
            br#"{"format_version": "1.2", "planned_values": {}, "complete": false,
                 "deferred_changes": [{"reason": "provider_config_unknown",
                   "resource_change": {"address": "helm_release.app"}}]}"#
                .to_vec(),
            "helm_release.app (provider_config_unknown)",
        ),
        (
            "encrypted.tfstate",
            br#"{"serial": 9, "lineage": "x", "meta": {"key_provider.pbkdf2.main": "e30="},
                 "encrypted_data": "QUJD", "encryption_version": "v0"}"#
                .to_vec(),
            "encrypted by OpenTofu",
        ),
        (
            "v2.json",
            br#"{"format_version": "2.0", "resource_changes": []}"#.to_vec(),
            "format version 2.0",
        ),
        (
            "page.html",
            b"<html>502 Bad Gateway</html>".to_vec(),
            "not valid JSON",
        ),
    ];
    for (name, bytes, says) in cases {
        std::fs::write(dir.path().join(name), &bytes).expect("write");
        let run = check(&dir, &["--plan", name, "--format", "json"]);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(name) && run.stderr.contains(says),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stdout.trim().is_empty(), "{name}: a report was written");
    }
}

/// Plans kept where CI jobs leave them: an S3 object (moto) and a web address (a CI artifact).
/// Each is read with its storage's credentials and endpoint; a missing object names itself.
#[test]
fn plans_are_read_from_s3_and_over_http() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let rt = runtime();
    let plan = serde_json::to_string(&refresh_only_plan()).unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let r = client
            .put(format!("{endpoint}/ci-plans"))
            .send()
            .await
            .expect("CreateBucket");
        assert!(r.status().is_success(), "CreateBucket: {}", r.status());
        let r = client
            .put(format!("{endpoint}/ci-plans/edge/drift.json"))
            .body(plan.clone())
            .send()
            .await
            .expect("PutObject");
        assert!(r.status().is_success(), "PutObject: {}", r.status());
    });
    let web = driftd_testkit::receiver::Receiver::start(vec![]).unwrap();
    web.respond(
        "/artifacts/drift.json",
        driftd_testkit::receiver::Answer::json(200, &plan),
    );
    let dir = TempDir::new("check-plan-remote");
    let config = |plans: &str| {
        format!(
            "[[target]]\nname = \"edge\"\nplans = [{plans}]\n\
             [target.aws]\nendpoint_url = \"{endpoint}\"\n"
        )
    };
    for (plans, shown) in [
        (
            "\"s3://ci-plans/edge/drift.json\"".to_string(),
            "s3://ci-plans/edge/drift.json".to_string(),
        ),
        (
            format!("\"{}?job_token=hush\"", web.url("/artifacts/drift.json")),
            web.url("/artifacts/drift.json"),
        ),
    ] {
        dir.write("driftd.toml", &config(&plans));
        let run = check(&dir, &["--format", "json"]);
        assert_eq!(run.code, 2, "{plans}: {}", run.stderr);
        let report = run.json();
        assert_eq!(report["summary"]["plan_compared"], json!(4), "{report:#}");
        let sources: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["source"].as_str())
            .collect();
        assert!(
            !sources.is_empty() && sources.iter().all(|s| *s == shown),
            "{sources:?}"
        );
        assert!(!run.stdout.contains("hush") && !run.stderr.contains("hush"));
    }

    dir.write("driftd.toml", &config("\"s3://ci-plans/edge/none.json\""));
    let run = check(&dir, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("s3://ci-plans/edge/none.json"),
        "{}",
        run.stderr
    );
}

/// One target, two engines, against moto: driftd lists the instance (its drift comes from
/// EC2, and what the plan says of it is not used), the plan compares the VPC (`plan_types`)
/// and the third-party record; the VPC is not listed by driftd.
#[test]
fn each_resource_is_compared_by_one_engine_in_a_mixed_target() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("check-plan-mixed");
    let seeded = seed(&rt, &moto, &dir, &[("us-east-1", 1)]);
    let (vpc, instance) = (seeded[0].vpc_id.clone(), seeded[0].instance_ids[0].clone());
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), "us-east-1").await;
        c.modify_instance_attribute()
            .instance_id(&instance)
            .instance_type(
                aws_sdk_ec2::types::AttributeValue::builder()
                    .value("t3.large")
                    .build(),
            )
            .send()
            .await
            .expect("resize");
    });
    const AWS: &str = "registry.terraform.io/hashicorp/aws";
    let update = |before: Value, after: Value| {
        json!({"actions": ["update"], "before": before, "after": after, "after_unknown": {},
               "before_sensitive": {}, "after_sensitive": {}})
    };
    let plan = json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "resource_drift": [
            drift_entry("aws_vpc.main", "aws_vpc", AWS, update(
                json!({"id": vpc, "tags": {"Env": "prod"}}),
                json!({"id": vpc, "tags": {"Env": "staging"}}))),
            drift_entry("aws_instance.web[0]", "aws_instance", AWS, update(
                json!({"id": instance, "tags": {"Owner": "a"}}),
                json!({"id": instance, "tags": {"Owner": "b"}}))),
            drift_entry("cloudflare_record.www", "cloudflare_record", CF, update(
                json!({"id": "rec-1", "content": "203.0.113.7"}),
                json!({"id": "rec-1", "content": "198.51.100.9"})))
        ],
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
            prior("aws_vpc.main", "aws_vpc", AWS, Value::Null,
                  json!({"id": vpc, "arn": format!("arn:aws:ec2:us-east-1:123456789012:vpc/{vpc}"),
                         "tags": {"Env": "staging"}})),
            prior("aws_instance.web[0]", "aws_instance", AWS, json!(0),
                  json!({"id": instance, "arn": format!("arn:aws:ec2:us-east-1:123456789012:instance/{instance}")})),
            prior("cloudflare_record.www", "cloudflare_record", CF, Value::Null,
                  json!({"id": "rec-1", "content": "198.51.100.9"}))
        ]}}},
        "complete": true, "errored": false
    });
    write_json(&dir, "drift.json", &plan);
    dir.write(
        "driftd.toml",
        &format!(
            "[[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\n\
             plans = [\"drift.json\"]\nplan_types = [\"aws_vpc\"]\nregions = [\"us-east-1\"]\n\
             [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n",
            moto.endpoint()
        ),
    );
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let findings = report["findings"].as_array().unwrap();
    let of = |id: &str| -> Vec<&Value> {
        findings
            .iter()
            .filter(|f| f["resource_id"] == json!(id))
            .collect()
    };
    // The instance: driftd's finding only, from EC2; the plan's tag change is not used.
    let inst = of(&instance);
    assert_eq!(inst.len(), 1, "{report:#}");
    assert!(inst[0].get("engine").is_none(), "{:#}", inst[0]);
    let paths: Vec<&str> = inst[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    assert!(paths.contains(&"instance_type"), "{paths:?}");
    assert!(!paths.iter().any(|p| p.starts_with("tags")), "{paths:?}");
    // The VPC and the record: the plan's findings.
    for (id, path) in [(vpc.as_str(), "tags.Env"), ("rec-1", "content")] {
        let f = of(id);
        assert_eq!(f.len(), 1, "{id}: {report:#}");
        assert_eq!(f[0]["engine"], json!("plan"), "{:#}", f[0]);
        assert_eq!(f[0]["changes"][0]["path"], json!(path), "{:#}", f[0]);
    }
    assert_eq!(
        report["summary"]["plan_compared"],
        json!(2),
        "{:#}",
        report["summary"]
    );
    // The VPC type was not listed: no API call for it, and nothing of it is unmanaged.
    assert!(
        findings
            .iter()
            .all(|f| !(f["resource_type"] == "aws_vpc" && f["kind"] == "unmanaged")),
        "{report:#}"
    );
}
