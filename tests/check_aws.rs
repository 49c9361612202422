//! `driftd check` end to end against a real EC2 API (moto server), through the built binary.

mod util;

use serde_json::json;
use util::*;

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

#[test]
fn in_sync_infrastructure_exits_0_with_no_findings() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("in-sync");
    seed(&rt, &moto, &dir, &[(US, 2), (EU, 1)]);
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US, EU]));

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(report["skipped"], json!([]));
    // Per region: vpc, 2 subnets, sg, volume + instances.
    assert_eq!(report["summary"]["managed"], json!(5 + 2 + 5 + 1));
    assert_eq!(report["summary"]["coverage_pct"], json!(100.0));
    assert_eq!(report["schema_version"], json!(1));
    assert_eq!(report["target"], json!("demo"));

    // Asked for, the cloud's own defaults show up as unmanaged: per region the default VPC, its
    // subnets and security groups, and one root volume per instance.
    let run = driftd(
        dir.path(),
        &["check", "--format", "json", "--include-defaults"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let findings = run.json()["findings"].as_array().unwrap().clone();
    assert!(findings.iter().all(|f| f["kind"] == "unmanaged"));
    let count = |t: &str| findings.iter().filter(|f| f["resource_type"] == t).count();
    assert_eq!(count("aws_vpc"), 2);
    assert_eq!(count("aws_ebs_volume"), 3);
    assert!(count("aws_security_group") >= 2);
    assert!(count("aws_subnet") >= 2);
}

#[test]
fn assumed_role_is_used_for_every_call() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("assume-role");
    seed(&rt, &moto, &dir, &[(US, 1)]);
    let proxy = Proxy::start(moto.port, vec![]).expect("proxy");
    let mut cfg = config(&proxy.endpoint(), &[US]);
    cfg.push_str("assume_role_arn = \"arn:aws:iam::123456789012:role/driftd-readonly\"\nexternal_id = \"drift\"\n");
    dir.write("driftd.toml", &cfg);
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    // Once for the up-front credential check, once into the clients' shared identity cache:
    // never once per API call.
    let assumed = proxy.count("AssumeRole");
    assert!((1..=2).contains(&assumed), "{assumed} AssumeRole calls");
    assert!(proxy.count("DescribeInstances") >= 1);
    assert!(proxy.count("DescribeInstanceAttribute") >= 1);
}

#[test]
fn out_of_band_changes_are_found_exactly_with_exit_2() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("drift");
    let seeded = seed(&rt, &moto, &dir, &[(US, 2), (EU, 1)]);
    let (us, eu) = (&seeded[0], &seeded[1]);

    let unmanaged = rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.modify_instance_attribute()
            .instance_id(&us.instance_ids[0])
            .instance_type(
                aws_sdk_ec2::types::AttributeValue::builder()
                    .value("t3.large")
                    .build(),
            )
            .send()
            .await
            .expect("change instance type");
        c.authorize_security_group_ingress()
            .group_id(&us.sg_id)
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .expect("open port 22");
        let unmanaged = driftd_testkit::seed::start_unmanaged_instance(&c)
            .await
            .expect("unmanaged instance");

        let c = ec2_client(&moto.endpoint(), EU).await;
        c.delete_volume()
            .volume_id(&eu.volume_id)
            .send()
            .await
            .expect("delete volume");
        c.create_tags()
            .resources(&eu.instance_ids[0])
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Env")
                    .value("staging")
                    .build(),
            )
            .send()
            .await
            .expect("retag");
        unmanaged
    });

    dir.write("driftd.toml", &config(&moto.endpoint(), &[US, EU]));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    let s = |x: &str| x.to_string();
    assert_eq!(
        finding_summary(&report),
        vec![
            (
                s("missing"),
                s("critical"),
                s("aws_ebs_volume"),
                eu.volume_id.clone()
            ),
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
                us.instance_ids[0].clone()
            ),
            (
                s("unmanaged"),
                s("warning"),
                s("aws_instance"),
                unmanaged.clone()
            ),
            (
                s("changed"),
                s("info"),
                s("aws_instance"),
                eu.instance_ids[0].clone()
            ),
        ]
    );
    let f = &report["findings"];
    assert_eq!(f[0]["address"], json!("module.storage.aws_ebs_volume.data"));
    assert_eq!(f[0]["region"], json!(EU));
    assert_eq!(
        f[1]["changes"],
        json!([{"path": "ingress", "op": "add", "expected": null,
                "actual": {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "protocol": "tcp", "to_port": 22}}])
    );
    assert_eq!(
        f[2]["changes"],
        json!([{"path": "instance_type", "op": "replace", "expected": "t3.micro", "actual": "t3.large"}])
    );
    assert_eq!(f[2]["address"], json!("aws_instance.web[0]"));
    assert_eq!(
        f[4]["changes"],
        json!([{"path": "tags.Env", "op": "replace", "expected": "prod", "actual": "staging"}])
    );
    assert_eq!(report["summary"]["changed"], json!(3));
    assert_eq!(report["summary"]["missing"], json!(1));
    assert_eq!(report["summary"]["unmanaged"], json!(1));
    assert_eq!(report["scan"]["complete"], json!(true));
    for finding in f.as_array().unwrap() {
        assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 32);
    }

    // The same scan for a person: grouped by kind, expected vs actual.
    let table = driftd(dir.path(), &["check"]);
    assert_eq!(table.code, 2);
    for needle in [
        "MISSING",
        "CHANGED",
        "UNMANAGED",
        "\"t3.micro\" → \"t3.large\"",
        "+ tcp 22 from 0.0.0.0/0",
        "Drift: 2 critical · 2 warning · 1 info",
    ] {
        assert!(
            table.stdout.contains(needle),
            "no `{needle}` in:\n{}",
            table.stdout
        );
    }

    // --fail-on critical still fails; the JSON written with --output matches stdout's.
    let out = dir.path().join("report.json");
    let run = driftd(
        dir.path(),
        &[
            "check",
            "--fail-on",
            "critical",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["findings"], report["findings"]);
}

#[test]
fn only_info_drift_passes_with_fail_on_warning() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("fail-on");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.create_tags()
            .resources(&seeded[0].vpc_id)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Owner")
                    .value("bob")
                    .build(),
            )
            .send()
            .await
            .expect("tag");
    });
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let strict = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    assert_eq!(
        strict.json()["findings"][0]["changes"],
        json!([{"path": "tags.Owner", "op": "add", "expected": null, "actual": "bob"}])
    );
    let lenient = driftd(
        dir.path(),
        &["check", "--format", "json", "--fail-on", "warning"],
    );
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);

    // A classify rule in the config raises exactly this change to critical.
    let mut cfg = config(&moto.endpoint(), &[US]);
    cfg.push_str(
        "\n[[classify]]\ntier = \"critical\"\nresource_type = \"aws_vpc\"\npath = \"tags.Owner\"\nvalue = \"b*\"\n",
    );
    dir.write("driftd.toml", &cfg);
    let raised = driftd(
        dir.path(),
        &["check", "--format", "json", "--fail-on", "critical"],
    );
    assert_eq!(raised.code, 2, "{}", raised.stderr);
    assert_eq!(raised.json()["findings"][0]["tier"], json!("critical"));
}

#[test]
fn access_denied_region_is_skipped_never_missing() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("denied");
    seed(&rt, &moto, &dir, &[(US, 1), (EU, 1)]);
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            region: Some(EU.into()),
            action: None,
            fault: Fault::Deny,
        }],
    )
    .expect("proxy");
    dir.write("driftd.toml", &config(&proxy.endpoint(), &[US, EU]));

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["scan"]["complete"], json!(false));
    let skipped = report["skipped"].as_array().unwrap();
    let types: Vec<&str> = skipped
        .iter()
        .map(|s| s["resource_type"].as_str().unwrap())
        .collect();
    // Every regional type the provider lists is skipped in the denied region, and nothing else:
    // not the global services (listed once, in `global`), not S3 (whose buckets are placed in
    // their own regions, none here).
    let listed = driftd(dir.path(), &["types", "--provider", "aws", "--json"]).json();
    let global = ["aws_iam_", "aws_s3_", "aws_route53_", "aws_cloudfront_"];
    let mut regional: Vec<&str> = listed["providers"][0]["types"]
        .as_array()
        .expect("types")
        .iter()
        .filter_map(|t| t["resource_type"].as_str())
        .filter(|t| !global.iter().any(|g| t.starts_with(g)))
        .collect();
    regional.sort();
    assert!(regional.len() > 60, "{regional:?}");
    assert!(regional.contains(&"aws_ebs_volume") && regional.contains(&"aws_db_instance"));
    assert_eq!(types, regional);
    for s in skipped {
        assert_eq!(s["scope"], json!(EU));
        let reason = s["reason"].as_str().unwrap();
        assert!(reason.starts_with("access denied: "), "{reason}");
        assert!(reason.contains("UnauthorizedOperation"), "{reason}");
    }
    assert_eq!(report["summary"]["not_scanned"], json!(6));
    assert!(proxy.faults() >= 5);
}

#[test]
fn throttled_attribute_is_left_out_not_guessed() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("throttled");
    let seeded = seed(&rt, &moto, &dir, &[(US, 2)]);
    // Termination protection really changed, but cannot be read: no finding may claim either way.
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.modify_instance_attribute()
            .instance_id(&seeded[0].instance_ids[1])
            .disable_api_termination(
                aws_sdk_ec2::types::AttributeBooleanValue::builder()
                    .value(true)
                    .build(),
            )
            .send()
            .await
            .expect("protect");
    });
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            region: None,
            action: Some("DescribeInstanceAttribute".into()),
            fault: Fault::Throttle,
        }],
    )
    .expect("proxy");
    dir.write("driftd.toml", &config(&proxy.endpoint(), &[US]));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    assert_eq!(
        report["skipped"][0]["attribute"],
        json!("disable_api_termination")
    );
    assert!(report["skipped"][0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("throttled after retries"));
    // The SDK's retry is on: every throttled call was attempted `max_attempts` (2) times.
    assert!(
        proxy.count("DescribeInstanceAttribute") >= 2,
        "{} attempts",
        proxy.count("DescribeInstanceAttribute")
    );
    assert_eq!(proxy.count("DescribeInstanceAttribute") % 2, 0);

    // Without the fault the protection change is found.
    let direct = TempDir::new("throttled-direct");
    std::fs::copy(
        dir.path().join("terraform.tfstate"),
        direct.path().join("terraform.tfstate"),
    )
    .unwrap();
    direct.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let run = driftd(direct.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.json()["findings"][0]["changes"],
        json!([{"path": "disable_api_termination", "op": "replace", "expected": false, "actual": true}])
    );
}

#[test]
fn moto_stopped_mid_run_is_incomplete_never_missing() {
    let rt = runtime();
    let mut moto = Moto::start().expect("moto");
    let dir = TempDir::new("stopped");
    seed(&rt, &moto, &dir, &[(US, 2)]);
    // Hold DescribeVolumes until moto is gone.
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            region: None,
            action: Some("DescribeVolumes".into()),
            fault: Fault::Delay(std::time::Duration::from_millis(1500)),
        }],
    )
    .expect("proxy");
    dir.write("driftd.toml", &config(&proxy.endpoint(), &[US]));
    let dir_path = dir.path().to_path_buf();
    let child = std::thread::spawn(move || driftd(&dir_path, &["check", "--format", "json"]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while proxy.faults() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    moto.stop();
    let run = child.join().expect("driftd thread");
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    let missing: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "missing")
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
    let skipped_types: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["resource_type"].as_str().unwrap())
        .collect();
    assert!(
        skipped_types.contains(&"aws_ebs_volume"),
        "{skipped_types:?}"
    );
}

#[test]
fn unreachable_endpoint_skips_every_scope() {
    let dir = TempDir::new("refused");
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    let port = driftd_testkit::moto::free_port().unwrap();
    dir.write(
        "driftd.toml",
        &config(&format!("http://127.0.0.1:{port}"), &[US]),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    let skipped = report["skipped"].as_array().unwrap();
    // Every supported type in the one region (IAM's in the scope `global`).
    assert_eq!(
        skipped.len(),
        driftd_aws::AwsProvider::supported_types().len()
    );
    assert!(skipped.iter().all(|s| s["reason"]
        .as_str()
        .unwrap()
        .starts_with("could not connect")));
}

#[test]
fn more_than_100_reservations_are_all_seen() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("paging");
    seed(&rt, &moto, &dir, &[(US, 130)]);
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "{}", run.stderr);
    assert_eq!(run.code, 0);
    assert_eq!(report["summary"]["managed"], json!(130 + 5));
}

/// The `key=value` fields of a human-format log line (values without spaces only).
fn log_fields(line: &str) -> std::collections::HashMap<&str, &str> {
    line.split_whitespace()
        .filter_map(|token| token.split_once('='))
        .collect()
}

fn count_field(line: &str, key: &str) -> u64 {
    log_fields(line)
        .get(key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric `{key}` in: {line}"))
}

#[test]
fn progress_is_logged_per_type_and_region_with_real_api_calls_and_throttles() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("progress");
    seed(&rt, &moto, &dir, &[(US, 2), (EU, 1)]);
    // Every termination-protection read is throttled (the instances are still listed), and the
    // volumes of one region cannot be listed at all.
    let proxy = Proxy::start(
        moto.port,
        vec![
            Rule {
                region: None,
                action: Some("DescribeInstanceAttribute".into()),
                fault: Fault::Throttle,
            },
            Rule {
                region: Some(EU.into()),
                action: Some("DescribeVolumes".into()),
                fault: Fault::Throttle,
            },
        ],
    )
    .expect("proxy");
    // The five types the seed creates, so that every request the proxy counts is in a unit below.
    let cfg = config(&proxy.endpoint(), &[US, EU]).replacen(
        "[target.aws]",
        "resource_types = [\"aws_ebs_volume\", \"aws_instance\", \"aws_security_group\", \"aws_subnet\", \"aws_vpc\"]\n\n[target.aws]",
        1,
    );
    dir.write("driftd.toml", &cfg);

    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let unit_line = |resource_type: &str, region: &str| -> String {
        let lines: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.contains(" listed ") || l.contains(" not scanned "))
            .filter(|l| {
                let f = log_fields(l);
                f.get("resource_type") == Some(&resource_type) && f.get("region") == Some(&region)
            })
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{resource_type} {region}: one line expected in:\n{}",
            run.stderr
        );
        lines[0].to_string()
    };

    let (mut api_calls, mut throttles, mut instance_throttles) = (0, 0, 0);
    for region in [US, EU] {
        for resource_type in [
            "aws_ebs_volume",
            "aws_instance",
            "aws_security_group",
            "aws_subnet",
            "aws_vpc",
        ] {
            let line = unit_line(resource_type, region);
            let f = log_fields(&line);
            assert_eq!(f.get("target"), Some(&"demo"), "{line}");
            assert_eq!(f.get("provider"), Some(&"aws"), "{line}");
            assert!(count_field(&line, "api_calls") >= 1, "{line}");
            count_field(&line, "duration_ms");
            api_calls += count_field(&line, "api_calls");
            throttles += count_field(&line, "throttles");
            if resource_type == "aws_ebs_volume" && region == EU {
                // Both attempts (max_attempts = 2) were throttled, then it gave up.
                assert!(line.contains(" WARN "), "{line}");
                assert!(line.contains("not scanned"), "{line}");
                assert!(line.contains("throttled after retries"), "{line}");
                assert_eq!(count_field(&line, "api_calls"), 2, "{line}");
                assert_eq!(count_field(&line, "throttles"), 2, "{line}");
                continue;
            }
            assert!(line.contains(" INFO "), "{line}");
            if resource_type == "aws_instance" {
                let instances = if region == US { 2 } else { 1 };
                assert_eq!(count_field(&line, "resources"), instances, "{line}");
                // One DescribeInstances, then two throttled attempts per instance's attribute.
                assert_eq!(count_field(&line, "api_calls"), 1 + 2 * instances, "{line}");
                assert_eq!(count_field(&line, "throttles"), 2 * instances, "{line}");
                instance_throttles += count_field(&line, "throttles");
            } else {
                assert_eq!(count_field(&line, "throttles"), 0, "{line}");
                assert!(count_field(&line, "resources") >= 1, "{line}");
            }
        }
    }
    // Counted for real: every request the API saw, every throttled answer it gave; the one
    // call outside the units is STS GetCallerIdentity (the credentials' account).
    assert_eq!(proxy.count("GetCallerIdentity"), 1);
    let api_calls = api_calls + 1;
    assert_eq!(api_calls, proxy.requests(), "{}", run.stderr);
    assert_eq!(throttles, proxy.faults(), "{}", run.stderr);
    assert_eq!(
        instance_throttles as usize,
        proxy.count("DescribeInstanceAttribute")
    );
    assert!(run.stderr.contains("attribute not read"), "{}", run.stderr);
    let finished = run
        .stderr
        .lines()
        .find(|l| l.contains("scan finished"))
        .unwrap_or_else(|| panic!("no summary line in:\n{}", run.stderr));
    assert_eq!(count_field(finished, "api_calls"), api_calls);
    assert_eq!(count_field(finished, "throttles"), throttles);
    // The report says the same, for a CI job or a dashboard to read.
    let report = run.json();
    assert_eq!(
        report["scan"]["api_calls"],
        json!(api_calls),
        "{}",
        report["scan"]
    );
    assert_eq!(
        report["scan"]["throttles"],
        json!(throttles),
        "{}",
        report["scan"]
    );

    // stderr is a pipe here: log lines only, no bar, no cursor movement or colour.
    for control in ['\r', '\u{1b}'] {
        assert!(
            !run.stderr.contains(control),
            "{control:?} in stderr:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("types·regions"), "{}", run.stderr);

    // Without -v nothing of it shows but the warnings.
    let quiet = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(quiet.code, 3, "{}", quiet.stderr);
    assert!(!quiet.stderr.contains(" listed "), "{}", quiet.stderr);
    assert!(quiet.stderr.contains("not scanned"), "{}", quiet.stderr);
}

#[test]
fn resources_of_another_account_in_the_state_are_not_scanned_never_missing() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("other-account");
    let mut state = TfState::new();
    rt.block_on(async {
        let client = ec2_client(&moto.endpoint(), US).await;
        seed_region(&client, US, "prod", 1, &mut state)
            .await
            .expect("seed");
    });
    // A provider alias assuming a role in another account applied this VPC; moto's account
    // (the credentials') is 123456789012.
    state.add(
        None,
        "aws_vpc",
        "shared",
        None,
        json!({"id": "vpc-0f0f0f0f0f0f0f0f0", "cidr_block": "10.50.0.0/16",
               "arn": "arn:aws:ec2:us-east-1:210987654321:vpc/vpc-0f0f0f0f0f0f0f0f0",
               "tags": {}, "tags_all": {}}),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 3, "incomplete, not drift: {report:#}");
    let skipped = &report["skipped"][0];
    assert_eq!(skipped["resource_type"], "aws_vpc");
    assert!(
        skipped["reason"]
            .as_str()
            .unwrap()
            .contains("account 210987654321"),
        "{skipped:#}"
    );
}
