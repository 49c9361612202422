//! Policies end to end, through the built binary against moto: the built-in pack finds exactly
//! the violations planted (a managed unencrypted volume, an unmanaged security group with SSH
//! open to the internet) and none once they are fixed or turned off; a team's Rego file with a
//! syntax error fails `driftd validate` naming file, line and column; a team's policy with a
//! selector and a tier reports through every format (SARIF names the policy as its rule).

mod util;

use aws_sdk_ec2::types::{IpPermission, IpRange};
use serde_json::{json, Value};
use util::*;

const US: &str = "us-east-1";

/// Creates a security group in `vpc` with SSH open to the world; its id.
fn open_ssh_group(rt: &tokio::runtime::Runtime, moto: &Moto, vpc: &str) -> String {
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        let sg = c
            .create_security_group()
            .group_name("made-by-hand")
            .description("opened from the console")
            .vpc_id(vpc)
            .send()
            .await
            .expect("create security group");
        let id = sg.group_id().expect("group id").to_string();
        c.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build(),
            )
            .send()
            .await
            .expect("authorize ingress");
        id
    })
}

fn violations(report: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "violation")
        .map(|f| {
            (
                f["policy"]["id"].as_str().unwrap_or_default().to_string(),
                f["resource_type"].as_str().unwrap_or_default().to_string(),
                f["resource_id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_builtin_pack_finds_exactly_the_planted_violations() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("policies-builtin");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    let sg = open_ssh_group(&rt, &moto, &seeded[0].vpc_id);
    let base = config(&moto.endpoint(), &[US]);
    dir.write(
        "driftd.toml",
        // The pack is on by default: the section only names the ports it watches.
        &format!("{base}\n[policies]\nadmin_ports = [22, 3389, 5432]\n"),
    );

    // Every volume moto holds is unencrypted: the seeded one (managed) and the instance's root
    // volume (the cloud's own, in no state).
    let mut volumes: Vec<String> = rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        let out = c.describe_volumes().send().await.expect("describe volumes");
        out.volumes()
            .iter()
            .filter(|v| v.encrypted() == Some(false))
            .filter_map(|v| v.volume_id().map(str::to_string))
            .collect()
    });
    volumes.sort();
    assert_eq!(volumes.len(), 2, "{volumes:?}");
    assert!(volumes.contains(&seeded[0].volume_id));

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    // moto launches instances as EC2 did for years: the metadata service answers IMDSv1.
    let mut expected: Vec<(String, String, String)> = seeded[0]
        .instance_ids
        .iter()
        .map(|i| ("aws-ec2-imdsv1".into(), "aws_instance".into(), i.clone()))
        .collect();
    assert!(!expected.is_empty());
    expected.push((
        "aws-sg-admin-open".to_string(),
        "aws_security_group".to_string(),
        sg.clone(),
    ));
    for v in &volumes {
        expected.push((
            "aws-unencrypted-storage".into(),
            "aws_ebs_volume".into(),
            v.clone(),
        ));
    }
    assert_eq!(violations(&report), expected, "{:#}", report["findings"]);
    assert_eq!(report["summary"]["violations"], json!(expected.len()));
    let imds = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["policy"]["id"] == "aws-ec2-imdsv1")
        .expect("the IMDSv1 finding");
    let said = &imds["policy"]["messages"][0];
    assert_eq!(
        said["text"],
        "the metadata service accepts IMDSv1 (http_tokens = optional)"
    );
    assert_eq!(said["path"], "metadata_options");
    // With the input value it is about, as DescribeInstances gave it.
    assert_eq!(said["value"][0]["http_tokens"], "optional", "{said:#}");
    assert_eq!(said["value"][0]["http_endpoint"], "enabled", "{said:#}");
    let find = |policy: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["policy"]["id"] == policy)
            .unwrap()
            .clone()
    };
    // The unmanaged group is reported though it is in no state; the managed volume carries
    // its address.
    let open = find("aws-sg-admin-open");
    assert_eq!(open["tier"], "critical");
    assert!(open.get("address").is_none(), "{open:#}");
    let said = open["policy"]["messages"].as_array().unwrap();
    assert_eq!(said.len(), 1, "{said:#?}");
    assert_eq!(said[0]["text"], "port 22 (tcp) is open to 0.0.0.0/0");
    assert_eq!(said[0]["path"], "ingress");
    assert!(
        said[0]["value"].to_string().contains("0.0.0.0/0"),
        "{said:#?}"
    );
    assert!(open["policy"]["remediation"]
        .as_str()
        .unwrap()
        .contains("SSM"));
    let managed = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "violation" && f["resource_id"] == json!(seeded[0].volume_id))
        .unwrap();
    // Managed: it carries its Terraform address and the state it comes from.
    assert!(
        managed["address"]
            .as_str()
            .is_some_and(|a| a.contains("aws_ebs_volume")),
        "{managed:#}"
    );
    assert_eq!(managed["source"], "terraform.tfstate", "{managed:#}");
    // The same group is also unmanaged drift: a separate finding.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "unmanaged" && f["resource_id"] == json!(sg)));

    validate_report(dir.path(), "json", &run.stdout);
    // SARIF: the policy is the result's rule, with its help text.
    let run = driftd(dir.path(), &["check", "--format", "sarif"]);
    validate_report(dir.path(), "sarif", &run.stdout);
    let sarif = run.json();
    let sarif_run = &sarif["runs"][0];
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = sarif_run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "aws-sg-admin-open")
        .expect("a result for the policy");
    let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
    assert_eq!(rule["id"], "aws-sg-admin-open");
    assert!(rule["help"]["text"].as_str().unwrap().contains("SSM"));
    assert_eq!(result["level"], "error");
    // Table, Markdown, JUnit and HTML name the policy and its message.
    for format in ["table", "markdown", "junit", "html"] {
        let out = driftd(dir.path(), &["check", "--format", format]).stdout;
        if format == "junit" {
            validate_report(dir.path(), "junit", &out);
        }
        assert!(out.contains("aws-sg-admin-open"), "{format}: {out}");
        assert!(
            out.contains("port 22 (tcp) is open to 0.0.0.0/0"),
            "{format}: {out}"
        );
    }

    // Fixed and turned off: no violation, exit 0.
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        for id in &seeded[0].instance_ids {
            c.modify_instance_metadata_options()
                .instance_id(id)
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::Required)
                .send()
                .await
                .expect("require IMDSv2");
        }
        c.delete_security_group()
            .group_id(&sg)
            .send()
            .await
            .expect("delete group");
    });
    dir.write(
        "driftd.toml",
        &format!("{base}\n[policies]\nbuiltin = true\ndisable = [\"aws-unencrypted-storage\"]\n"),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(violations(&run.json()), []);
}

#[test]
fn a_teams_policy_with_a_selector_a_tier_and_a_syntax_error() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("policies-custom");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    let base = config(&moto.endpoint(), &[US]);
    // A Conftest-style rule (Rego v0, `package main`) over instance attributes.
    std::fs::create_dir_all(dir.path().join("policy")).unwrap();
    dir.write(
        "policy/sizes.rego",
        "package main\n\ndeny[msg] {\n  input.attributes.instance_type != \"t3.nano\"\n  \
         msg := sprintf(\"instance type %v is not allowed here\", [input.attributes.instance_type])\n}\n",
    );
    dir.write(
        "driftd.toml",
        &format!(
            "{base}\n[[policy]]\npath = \"policy\"\nresource_types = [\"aws_instance\"]\n\
             tier = \"critical\"\nowner = \"platform\"\n"
        ),
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    assert_eq!(
        violations(&report),
        [(
            "main".to_string(),
            "aws_instance".to_string(),
            seeded[0].instance_ids[0].clone()
        )]
    );
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "violation")
        .unwrap();
    assert_eq!(f["tier"], "critical");
    assert_eq!(f["policy"]["owner"], "platform");
    assert!(f["policy"]["messages"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("instance type "));
    // `--fail-on critical` fails on it too.
    let run = driftd(dir.path(), &["check", "--fail-on", "critical"]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    // A syntax error: validate names the file, line and column.
    dir.write(
        "policy/broken.rego",
        "package team.broken\n\ndeny contains msg if {\n  msg := \n}\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains("policy/broken.rego:"),
        "the file is named: {text}"
    );
    assert!(
        text.contains("broken.rego:4:") || text.contains("broken.rego:5:"),
        "line and column: {text}"
    );
}

/// `driftd policy eval` decides for input documents written by hand, without a scan: exit 2
/// with the violations as JSON, 0 when the resource complies.
#[test]
fn policy_eval_decides_for_an_input_document() {
    let dir = TempDir::new("policies-eval");
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\n\n\
         [policies]\nbuiltin = true\n",
    );
    let doc = |cidr: &str| {
        json!({"provider": "aws", "type": "aws_security_group", "id": "sg-1", "region": US,
               "attributes": {"ingress": [{"protocol": "tcp", "from_port": 3389, "to_port": 3389,
                                           "cidr_blocks": [cidr], "ipv6_cidr_blocks": []}]}})
    };
    dir.write("open.json", &doc("0.0.0.0/0").to_string());
    dir.write("closed.json", &doc("10.0.0.0/8").to_string());
    let run = driftd(
        dir.path(),
        &[
            "policy",
            "eval",
            "--config",
            "driftd.toml",
            "--input",
            "open.json",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["violations"][0]["policy"]["id"], "aws-sg-admin-open");
    assert_eq!(
        out["violations"][0]["policy"]["messages"][0]["text"],
        "port 3389 (tcp) is open to 0.0.0.0/0"
    );
    assert_eq!(out["violations"][0]["tier"], "critical");
    let run = driftd(
        dir.path(),
        &[
            "policy",
            "eval",
            "--config",
            "driftd.toml",
            "--input",
            "closed.json",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["violations"], json!([]));
    // A document without its type is refused, naming the file and the key.
    dir.write("bad.json", r#"{"provider": "aws", "id": "x"}"#);
    let run = driftd(
        dir.path(),
        &[
            "policy",
            "eval",
            "--config",
            "driftd.toml",
            "--input",
            "bad.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("bad.json: document 0: `type`"),
        "{}",
        run.stderr
    );
}

/// `driftd policy test` runs a team's Rego tests and recorded inputs in CI: every test passes
/// (exit 0), a test that breaks exits 2 and says which and why, and a directory without tests
/// is an error (exit 1), never a pass.
#[test]
fn policy_test_runs_rego_tests_and_recorded_inputs() {
    let dir = TempDir::new("policies-test");
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\n\n\
         [policies]\nbuiltin = true\n\n\
         [[policy]]\npath = \"policies\"\n",
    );
    dir.write(
        "policies/sizes.rego",
        "package team.sizes\n\n\
         __rego_metadata__ := {\"id\": \"team-instance-size\", \"types\": [\"aws_instance\"]}\n\n\
         deny contains msg if {\n  startswith(input.attributes.instance_type, \"x1\")\n  \
         msg := sprintf(\"%s is not allowed\", [input.attributes.instance_type])\n}\n",
    );
    dir.write(
        "policies/sizes_test.rego",
        "package team.sizes_test\n\nimport data.team.sizes\n\n\
         test_x1_denied if {\n  \"x1e.xlarge is not allowed\" in sizes.deny with input as \
         {\"type\": \"aws_instance\", \"attributes\": {\"instance_type\": \"x1e.xlarge\"}}\n}\n\n\
         test_t3_allowed if {\n  count(sizes.deny) == 0 with input as \
         {\"type\": \"aws_instance\", \"attributes\": {\"instance_type\": \"t3.micro\"}}\n}\n",
    );
    let instance = |id: &str, size: &str| {
        json!({"provider": "aws", "type": "aws_instance", "id": id, "region": US,
               "attributes": {"instance_type": size}})
    };
    let group = json!({"provider": "aws", "type": "aws_security_group", "id": "sg-9",
        "region": US, "attributes": {"ingress": [{"protocol": "tcp", "from_port": 22,
        "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": []}]}});
    dir.write(
        "policies/recorded/prod_test.json",
        &json!({"target": "demo",
        "resources": [instance("i-1", "x1e.xlarge"), instance("i-2", "t3.micro"), group],
        "expect": [
            {"policy": "team-instance-size", "type": "aws_instance", "id": "i-1"},
            {"policy": "aws-sg-admin-open", "type": "aws_security_group", "id": "sg-9"}
        ]})
        .to_string(),
    );
    let run = driftd(dir.path(), &["policy", "test", "--config", "driftd.toml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for line in [
        "PASS  data.team.sizes_test.test_x1_denied",
        "PASS  data.team.sizes_test.test_t3_allowed",
        "prod_test.json",
        "3 tests: 3 passed, 0 failed",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }

    // The policy changes: the Rego test and the recorded input both catch it.
    dir.write(
        "policies/sizes.rego",
        "package team.sizes\n\n\
         __rego_metadata__ := {\"id\": \"team-instance-size\", \"types\": [\"aws_instance\"]}\n\n\
         deny contains msg if {\n  startswith(input.attributes.instance_type, \"t3\")\n  \
         msg := \"no\"\n}\n",
    );
    let run = driftd(
        dir.path(),
        &[
            "policy",
            "test",
            "--config",
            "driftd.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["failed"], 3, "{out:#}");
    let recorded = out["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .find(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("prod_test.json"))
        })
        .expect("the recorded input ran");
    assert_eq!(
        recorded["missing"],
        json!(["team-instance-size on aws_instance i-1"])
    );
    assert_eq!(
        recorded["unexpected"],
        json!(["team-instance-size on aws_instance i-2"])
    );

    // No tests under a directory: an error, not a pass.
    dir.write("empty/keep.rego", "package keep\n");
    let run = driftd(
        dir.path(),
        &["policy", "test", "--config", "driftd.toml", "empty"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("no tests under empty"),
        "{}",
        run.stderr
    );
}

/// A running daemon sends a team policy's violations to the team's own channel (a route with
/// `policies = ["team-*"]`), not to the route that takes everything else, and tells that
/// channel when the violation is resolved: the group was closed again.
#[test]
fn the_daemon_routes_a_teams_violations_and_resolves_them() {
    use driftd_testkit::receiver::Receiver;
    use std::time::{Duration, Instant};
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("policies-daemon");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    let group = open_ssh_group(&rt, &moto, &seeded[0].vpc_id);
    let hooks = Receiver::start(vec![]).expect("receiver");
    dir.write(
        "policies/ssh.rego",
        "package team.ssh\n\n\
         __rego_metadata__ := {\"id\": \"team-no-ssh\", \"title\": \"No SSH from anywhere\", \
         \"types\": [\"aws_security_group\"]}\n\n\
         deny contains msg if {\n  some rule in input.attributes.ingress\n  \
         rule.from_port <= 22\n  rule.to_port >= 22\n  \"0.0.0.0/0\" in rule.cidr_blocks\n  \
         msg := \"SSH is open to the internet\"\n}\n",
    );
    let base = config_for_types(
        &moto.endpoint(),
        &[US],
        &["aws_security_group"],
        "schedule = \"*/2 * * * * *\"\nrun_at_start = true\n",
    );
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n{base}\n\
             [policies]\nbuiltin = false\n\n\
             [[policy]]\npath = \"policies\"\ntier = \"critical\"\nowner = \"net-team\"\n\n\
             [[channel]]\nname = \"team\"\ntype = \"webhook\"\nurl = \"env:HOOK_TEAM\"\n\
             [[channel]]\nname = \"everyone\"\ntype = \"webhook\"\nurl = \"env:HOOK_ALL\"\n\n\
             [[route]]\npolicies = [\"team-*\"]\nchannels = [\"team\"]\nsend_resolved = true\n\
             [[route]]\nchannels = [\"everyone\"]\n"
        ),
    );
    let mut cmd = daemon_command(dir.path());
    cmd.env("HOOK_TEAM", hooks.url("/team"))
        .env("HOOK_ALL", hooks.url("/all"));
    let mut daemon = cmd.spawn().expect("start daemon");
    let events = |path: &str| -> Vec<Value> {
        hooks
            .received()
            .into_iter()
            .filter(|r| r.path == path && r.status < 300)
            .map(|r| r.json())
            .collect()
    };
    let wait = |what: &str, pred: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !pred() {
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
                panic!(
                    "timed out waiting for {what}; team {:?} all {:?}\nlog:\n{log}",
                    events("/team"),
                    events("/all")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let is = |e: &Value, event: &str| {
        e["event"] == event
            && e["finding"]["kind"] == "violation"
            && e["finding"]["resource_id"] == group.as_str()
    };
    wait("the team's violation", &|| {
        events("/team").iter().any(|e| is(e, "trigger"))
    });
    let trigger = events("/team")
        .into_iter()
        .find(|e| is(e, "trigger"))
        .expect("trigger");
    assert_eq!(trigger["finding"]["tier"], "critical", "{trigger:#}");
    assert_eq!(trigger["finding"]["policy"]["id"], "team-no-ssh");
    assert_eq!(trigger["finding"]["policy"]["owner"], "net-team");
    assert_eq!(
        trigger["finding"]["policy"]["messages"][0]["text"],
        "SSH is open to the internet"
    );
    // The catch-all route hears about the hand-made group (unmanaged drift), never about the
    // team's violation.
    wait("the unmanaged group on the catch-all route", &|| {
        events("/all")
            .iter()
            .any(|e| e["finding"]["kind"] == "unmanaged")
    });
    assert!(
        !events("/all")
            .iter()
            .any(|e| e["finding"]["kind"] == "violation"),
        "{:?}",
        events("/all")
    );

    // Closing SSH again resolves the violation, and the team's channel is told.
    ssh_to_world(&rt, &moto, US, &group, false);
    wait("the resolve", &|| {
        events("/team").iter().any(|e| is(e, "resolve"))
    });
    let resolve = events("/team")
        .into_iter()
        .find(|e| is(e, "resolve"))
        .expect("resolve");
    assert_eq!(
        resolve["finding"]["fingerprint"],
        trigger["finding"]["fingerprint"]
    );
    let _ = daemon.kill();
    let _ = daemon.wait();
}
