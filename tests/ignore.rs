//! Ignore rules end to end against a real EC2 API (moto server), through the built binary: a
//! driftctl-style `.driftignore` hides a resource and an attribute, an expired `[[ignore]]` rule
//! stops hiding and is reported, and `driftd explain` tells why, from the recorded history.

mod util;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use util::*;

const US: &str = "us-east-1";

/// Validates a JSON report against docs/report.schema.json with tests/schemas/validate.py.
fn validate_json(dir: &Path, text: &str) {
    let file = dir.join("report.json");
    std::fs::write(&file, text).expect("write report");
    let out = std::process::Command::new(driftd_testkit::venv().join("bin").join("python"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/validate.py"))
        .arg("json")
        .arg(&file)
        .output()
        .expect("run validate.py (bash scripts/setup installs the venv)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim() == "valid",
        "report is not valid:\n{stdout}\n{}\nreport:\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn set_type_and_tag(rt: &tokio::runtime::Runtime, moto: &Moto, id: &str, env: Option<&str>) {
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.modify_instance_attribute()
            .instance_id(id)
            .instance_type(
                aws_sdk_ec2::types::AttributeValue::builder()
                    .value("t3.large")
                    .build(),
            )
            .send()
            .await
            .expect("change instance type");
        if let Some(env) = env {
            c.create_tags()
                .resources(id)
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("Env")
                        .value(env)
                        .build(),
                )
                .send()
                .await
                .expect("retag");
        }
    });
}

fn paths(f: &Value) -> Vec<&str> {
    f["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect()
}

#[test]
fn driftignore_and_expired_rules_are_applied_reported_and_explained() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("ignore");
    let seeded = seed(&rt, &moto, &dir, &[(US, 2)]);
    let us = &seeded[0];
    let (hidden, retagged) = (&us.instance_ids[0], &us.instance_ids[1]);
    set_type_and_tag(&rt, &moto, hidden, None);
    set_type_and_tag(&rt, &moto, retagged, Some("staging"));
    ssh_to_world(&rt, &moto, US, &us.sg_id, true);

    dir.write(
        ".driftignore",
        &format!(
            "# accepted drift, driftctl syntax\naws_instance.{hidden}\naws_instance.*.tags.Env   # set by the deploy job\n"
        ),
    );
    let mut cfg = config(&moto.endpoint(), &[US]);
    cfg.push_str(
        "\n[[ignore]]\nresource_type = \"aws_security_group\"\npath = \"ingress\"\n\
         reason = \"temporary SSH for the migration\"\nowner = \"net-team\"\nexpires = \"2020-01-01\"\n",
    );
    dir.write("driftd.toml", &cfg);

    // The JSON report: one resource and one attribute hidden, the expired rule no longer hides.
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    validate_json(dir.path(), &run.stdout);
    let report = run.json();
    let s = |x: &str| x.to_string();
    assert_eq!(
        finding_summary(&report),
        vec![
            (
                s("changed"),
                s("critical"),
                s("aws_security_group"),
                us.sg_id.clone()
            ),
            (
                s("changed"),
                s("warning"),
                s("aws_instance"),
                retagged.clone()
            ),
        ]
    );
    assert_eq!(paths(&report["findings"][1]), vec!["instance_type"]);
    assert_eq!(report["summary"]["changed"], json!(2));
    assert_eq!(
        report["summary"]["ignored"],
        json!({"findings": 1, "changes": 1})
    );
    let ignored = report["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    let whole = ignored.iter().find(|i| i["scope"] == "finding").unwrap();
    assert_eq!(whole["resource_id"], json!(hidden));
    assert_eq!(whole["address"], json!("aws_instance.web[0]"));
    assert_eq!(whole["rule"]["source"], json!(".driftignore:2"));
    assert_eq!(paths(whole), vec!["instance_type"]);
    let part = ignored.iter().find(|i| i["scope"] == "changes").unwrap();
    assert_eq!(part["resource_id"], json!(retagged));
    assert_eq!(paths(part), vec!["tags.Env"]);
    assert_eq!(
        part["rule"],
        json!({"source": ".driftignore:3", "rule": "aws_instance.*.tags.Env"})
    );
    assert_eq!(
        report["expired_ignores"],
        json!([{
            "source": "driftd.toml: ignore[0]",
            "rule": "resource_type = \"aws_security_group\", path = \"ingress\"",
            "reason": "temporary SSH for the migration",
            "owner": "net-team",
            "expires": "2020-01-01"
        }])
    );
    assert!(
        run.stderr.contains("ignore rule expired") && run.stderr.contains("owner=net-team"),
        "{}",
        run.stderr
    );

    // The table says how much was ignored.
    let run = driftd(dir.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "ignored by rules: 1 finding(s) · 1 change(s) · 1 expired rule(s) no longer ignore"
        ),
        "{}",
        run.stdout
    );

    // validate names the expired rule, its owner and date.
    let run = driftd(dir.path(), &["validate", "--config", "driftd.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("demo: ignore file .driftignore"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "EXPIRED driftd.toml: ignore[0] (resource_type = \"aws_security_group\", path = \"ingress\"; owner net-team, expired 2020-01-01)"
        ),
        "{}",
        run.stdout
    );

    // Record a scan in the history, then ask why.
    let run = driftd(
        dir.path(),
        &[
            "scan",
            "--config",
            "driftd.toml",
            "--state-dir",
            "state",
            "--target",
            "demo",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let sg_fingerprint = run.json()["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let explain = |what: &str| {
        let run = driftd(
            dir.path(),
            &[
                "explain",
                what,
                "--config",
                "driftd.toml",
                "--state-dir",
                "state",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };

    // Ignored, asked by TYPE.ID.
    let out = explain(&format!("aws_instance.{hidden}"));
    assert!(out.contains("aws_instance.web[0]"), "{out}");
    assert!(
        out.contains(&format!(
            "NOT REPORTED: ignored by .driftignore:2 `aws_instance.{hidden}`"
        )),
        "{out}"
    );
    assert!(
        out.contains("tier it would have: warning: built-in default"),
        "{out}"
    );

    // Reported, asked by address: one change ignored by the file.
    let out = explain("aws_instance.web[1]");
    assert!(out.contains("REPORTED as warning"), "{out}");
    assert!(
        out.contains("reported change: instance_type (replace)"),
        "{out}"
    );
    assert!(
        out.contains("ignored change:  tags.Env by .driftignore:3 `aws_instance.*.tags.Env`"),
        "{out}"
    );

    // Reported, asked by fingerprint prefix: the expired rule no longer hides it.
    let out = explain(&sg_fingerprint[..10]);
    assert!(out.contains("REPORTED as critical"), "{out}");
    assert!(
        out.contains(
            "EXPIRED rule driftd.toml: ignore[0] `resource_type = \"aws_security_group\", path = \"ingress\"`"
        ),
        "{out}"
    );
    assert!(out.contains("owner: net-team"), "{out}");
    assert!(out.contains("no ignore rule in force matches it"), "{out}");

    // Something in sync.
    let out = explain(&format!("aws_vpc.{}", us.vpc_id));
    assert!(
        out.contains("no finding, reported or ignored, in the last scan"),
        "{out}"
    );
}
