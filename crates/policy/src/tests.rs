use super::*;
use driftd_core::Resource;
use serde_json::json;

fn live(provider: &str, rtype: &str, id: &str, attrs: Value) -> Resource {
    let mut r = Resource::new(provider, rtype, id);
    r.region = Some("eu-west-1".into());
    r.attrs = serde_json::from_value(attrs).expect("attributes");
    r
}

/// The built-in pack on.
fn pack() -> PolicyOptions {
    PolicyOptions {
        builtin: true,
        ..Default::default()
    }
}

fn run(opts: &PolicyOptions, resources: &[Resource]) -> Evaluation {
    let mut set = PolicySet::load(opts).expect("policies load");
    let subjects: Vec<Subject<'_>> = resources
        .iter()
        .map(|r| Subject {
            live: r,
            expected: None,
            finding: None,
        })
        .collect();
    set.evaluate("prod", &subjects)
}

/// (policy id, resource id, messages) of each finding, sorted.
fn hits(e: &Evaluation) -> Vec<(String, String, Vec<String>)> {
    let mut out: Vec<_> = e
        .findings
        .iter()
        .map(|f| {
            let p = f.policy.as_ref().expect("a violation has its policy");
            (
                p.id.clone(),
                f.resource_id.clone(),
                p.messages.iter().map(|m| m.text.clone()).collect(),
            )
        })
        .collect();
    out.sort();
    out
}

fn rule(proto: &str, from: i64, to: i64, cidrs: &[&str]) -> Value {
    json!({"protocol": proto, "from_port": from, "to_port": to, "cidr_blocks": cidrs,
           "ipv6_cidr_blocks": [], "description": ""})
}

#[test]
fn the_builtin_pack_finds_what_breaks_it_and_nothing_else() {
    let resources = vec![
        live(
            "aws",
            "aws_security_group",
            "sg-open",
            json!({"ingress": [
                rule("tcp", 22, 22, &["0.0.0.0/0"]),
                rule("tcp", 443, 443, &["0.0.0.0/0"]),
                rule("-1", 0, 0, &["10.0.0.0/8"]),
            ]}),
        ),
        live(
            "aws",
            "aws_security_group",
            "sg-all",
            json!({"ingress": [rule("-1", 0, 0, &["0.0.0.0/0"])]}),
        ),
        live(
            "aws",
            "aws_security_group",
            "sg-web",
            json!({"ingress": [
                rule("tcp", 80, 443, &["0.0.0.0/0"]),
                rule("tcp", 22, 22, &["10.1.0.0/16"]),
            ]}),
        ),
        live(
            "aws",
            "aws_ebs_volume",
            "vol-plain",
            json!({"encrypted": false}),
        ),
        live(
            "aws",
            "aws_ebs_volume",
            "vol-enc",
            json!({"encrypted": true}),
        ),
        live(
            "aws",
            "aws_db_instance",
            "db-bad",
            json!({"storage_encrypted": false,
            "publicly_accessible": true, "deletion_protection": false}),
        ),
        live(
            "aws",
            "aws_db_instance",
            "db-good",
            json!({"storage_encrypted": true,
            "publicly_accessible": false, "deletion_protection": true}),
        ),
        live(
            "aws",
            "aws_instance",
            "i-v1",
            json!({"metadata_options": [
            {"http_endpoint": "enabled", "http_tokens": "optional"}]}),
        ),
        live(
            "aws",
            "aws_instance",
            "i-v2",
            json!({"metadata_options": [
            {"http_endpoint": "enabled", "http_tokens": "required"}]}),
        ),
        live(
            "aws",
            "aws_iam_policy",
            "arn:aws:iam::1:policy/admin",
            json!({"policy":
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}"#}),
        ),
        live(
            "aws",
            "aws_iam_policy",
            "arn:aws:iam::1:policy/read",
            json!({"policy":
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*"],"Resource":"*"}}"#}),
        ),
        live(
            "aws",
            "aws_s3_bucket",
            "open-bucket",
            json!({"bucket": "open-bucket"}),
        ),
        live(
            "aws",
            "aws_s3_bucket",
            "closed-bucket",
            json!({"bucket": "closed-bucket"}),
        ),
        live(
            "aws",
            "aws_s3_bucket_public_access_block",
            "closed-bucket",
            json!({"bucket": "closed-bucket",
            "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true,
            "restrict_public_buckets": true}),
        ),
        live(
            "aws",
            "aws_s3_bucket_server_side_encryption_configuration",
            "open-bucket",
            json!({"bucket": "open-bucket"}),
        ),
        live(
            "aws",
            "aws_s3_bucket_server_side_encryption_configuration",
            "closed-bucket",
            json!({"bucket": "closed-bucket"}),
        ),
        live(
            "aws",
            "aws_s3_bucket_policy",
            "open-bucket",
            json!({"policy":
            r#"{"Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::open-bucket/*"}]}"#}),
        ),
        live(
            "aws",
            "aws_s3_bucket_acl",
            "open-bucket",
            json!({"access_control_policy": [{"grant": [
            {"grantee": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}], "permission": "READ"},
            {"grantee": [{"type": "CanonicalUser", "id": "abc"}], "permission": "FULL_CONTROL"}]}]}),
        ),
        live(
            "google",
            "google_compute_firewall",
            "projects/p/global/firewalls/ssh",
            json!({
            "direction": "INGRESS", "disabled": false, "source_ranges": ["0.0.0.0/0"],
            "allow": [{"protocol": "tcp", "ports": ["20-25", "80"]}]}),
        ),
        live(
            "google",
            "google_compute_firewall",
            "projects/p/global/firewalls/web",
            json!({
            "direction": "INGRESS", "disabled": false, "source_ranges": ["0.0.0.0/0"],
            "allow": [{"protocol": "tcp", "ports": ["443"]}]}),
        ),
        live(
            "google",
            "google_storage_bucket",
            "b1",
            json!({"public_access_prevention": "inherited"}),
        ),
        live(
            "google",
            "google_storage_bucket",
            "b2",
            json!({"public_access_prevention": "enforced"}),
        ),
    ];
    let e = run(&pack(), &resources);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let got = hits(&e);
    let ids: Vec<(&str, &str)> = got
        .iter()
        .map(|(p, r, _)| (p.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        ids,
        [
            ("aws-ec2-imdsv1", "i-v1"),
            ("aws-iam-admin", "arn:aws:iam::1:policy/admin"),
            ("aws-rds-deletion-protection", "db-bad"),
            ("aws-rds-public", "db-bad"),
            ("aws-s3-public", "open-bucket"),
            ("aws-s3-public", "open-bucket"),
            ("aws-s3-public-access-block", "open-bucket"),
            ("aws-sg-admin-open", "sg-all"),
            ("aws-sg-admin-open", "sg-open"),
            ("aws-unencrypted-storage", "db-bad"),
            ("aws-unencrypted-storage", "vol-plain"),
            ("gcp-bucket-public-access", "b1"),
            ("gcp-firewall-admin-open", "projects/p/global/firewalls/ssh"),
        ],
        "{got:#?}"
    );
    let msgs = |policy: &str, id: &str| -> Vec<String> {
        got.iter()
            .find(|(p, r, _)| p == policy && r == id)
            .map(|(_, _, m)| m.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        msgs("aws-sg-admin-open", "sg-open"),
        ["port 22 (tcp) is open to 0.0.0.0/0"]
    );
    // Every administrative port of a rule open to all protocols, one message each.
    assert_eq!(msgs("aws-sg-admin-open", "sg-all").len(), ADMIN.len());
    assert_eq!(
        msgs("gcp-firewall-admin-open", "projects/p/global/firewalls/ssh"),
        ["port 22 (tcp) is open to 0.0.0.0/0"]
    );
    // Tiers come from the policies.
    let tier = |policy: &str| {
        e.findings
            .iter()
            .find(|f| f.policy.as_ref().unwrap().id == policy)
            .unwrap()
            .tier
    };
    assert_eq!(tier("aws-sg-admin-open"), Tier::Critical);
    assert_eq!(tier("aws-rds-deletion-protection"), Tier::Warning);
    // Each policy broken is its own finding, with its own fingerprint.
    let mut fps: Vec<&str> = e.findings.iter().map(|f| f.fingerprint.as_str()).collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), e.findings.len());
}

const ADMIN: &[u16] = builtin::ADMIN_PORTS;

#[test]
fn rules_can_be_turned_off_and_required_tags_turned_on() {
    let resources = vec![
        live(
            "aws",
            "aws_ebs_volume",
            "vol-1",
            json!({"encrypted": false, "tags": {"owner": "a"}}),
        ),
        live("aws", "aws_vpc", "vpc-1", json!({"tags": {"Name": "x"}})),
        live("aws", "aws_vpc", "vpc-2", json!({"tags": null})),
        live(
            "google",
            "google_storage_bucket",
            "b",
            json!({"public_access_prevention": "enforced", "labels": {"owner": "a", "cost-center": "7"}}),
        ),
        live("aws", "aws_iam_role", "r", json!({"name": "r"})),
    ];
    let mut opts = pack();
    opts.disabled.insert("aws-unencrypted-storage".into());
    opts.required_tags = vec!["owner".into(), "cost-center".into()];
    let e = run(&opts, &resources);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(
        hits(&e),
        [
            (
                "required-tags".to_string(),
                "vol-1".to_string(),
                vec!["tag cost-center is missing".to_string()]
            ),
            (
                "required-tags".into(),
                "vpc-1".into(),
                vec![
                    "tag cost-center is missing".into(),
                    "tag owner is missing".into()
                ]
            ),
            (
                "required-tags".into(),
                "vpc-2".into(),
                vec![
                    "tag cost-center is missing (the resource has no tags)".into(),
                    "tag owner is missing (the resource has no tags)".into()
                ]
            ),
        ]
    );
    assert!(e.findings.iter().all(|f| f.tier == Tier::Info));
    // Without keys, the rule is off.
    let e = run(&pack(), &resources[1..3]);
    assert!(e.findings.is_empty(), "{:?}", hits(&e));
}

fn policy_file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "bad.rego",
        "package team.bad\n\ndeny contains msg if {\n  msg := \n}\n",
    );
    let opts = PolicyOptions {
        builtin: false,
        sources: vec![PolicySource {
            path: p.clone(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = PolicySet::load(&opts).err().expect("refused").to_string();
    assert!(err.starts_with(&format!("{}:", p.display())), "{err}");
    assert!(err.contains(":5:") || err.contains(":4:"), "{err}");
    // A missing file says so.
    let opts = PolicyOptions {
        builtin: false,
        sources: vec![PolicySource {
            path: dir.path().join("nope.rego"),
            ..Default::default()
        }],
        ..Default::default()
    };
    let err = PolicySet::load(&opts).err().unwrap().to_string();
    assert!(
        err.contains("nope.rego: cannot read: no such file"),
        "{err}"
    );
}

/// A Conftest policy (Rego v0, `package main`, `deny[msg]` with a string) over the attributes
/// of a resource works once its input paths name driftd's document; selectors and the
/// config's tier and owner apply.
#[test]
fn a_conftest_style_policy_with_selectors_tier_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "team.rego",
        r#"package main

deny[msg] {
  input.type == "aws_instance"
  not startswith(input.attributes.instance_type, "t3.")
  msg := sprintf("instance type %v is not a t3", [input.attributes.instance_type])
}

warn[msg] {
  input.attributes.instance_type == "t3.nano"
  msg := "t3.nano is too small for production"
}
"#,
    );
    let resources = vec![
        live(
            "aws",
            "aws_instance",
            "i-1",
            json!({"instance_type": "m5.large"}),
        ),
        live(
            "aws",
            "aws_instance",
            "i-2",
            json!({"instance_type": "t3.nano"}),
        ),
        live(
            "aws",
            "aws_instance",
            "i-3",
            json!({"instance_type": "t3.large"}),
        ),
        live(
            "google",
            "google_compute_instance",
            "g-1",
            json!({"machine_type": "e2"}),
        ),
    ];
    let opts = PolicyOptions {
        builtin: false,
        sources: vec![PolicySource {
            path: p,
            selector: Selector {
                providers: vec!["aws".into()],
                ..Default::default()
            },
            tier: Some(Tier::Critical),
            owner: Some("platform".into()),
        }],
        ..Default::default()
    };
    let e = run(&opts, &resources);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert_eq!(
        hits(&e),
        [
            (
                "main".to_string(),
                "i-1".to_string(),
                vec!["instance type m5.large is not a t3".to_string()]
            ),
            (
                "main".into(),
                "i-2".into(),
                vec!["t3.nano is too small for production".into()]
            ),
        ]
    );
    let f = &e.findings[0];
    assert_eq!(f.tier, Tier::Critical);
    let hit = f.policy.as_ref().unwrap();
    assert_eq!(hit.owner.as_deref(), Some("platform"));
    assert!(hit.file.as_deref().unwrap().ends_with("team.rego"));
}

/// A rule that runs forever is stopped by the time limit and reported for its policy; the
/// other policies still report.
#[test]
fn a_runaway_rule_is_its_policys_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "slow.rego",
        r#"package slow
import rego.v1

deny contains "never" if {
  some a in numbers.range(1, 100000)
  some b in numbers.range(1, 100000)
  a * b < 0
}
"#,
    );
    let opts = PolicyOptions {
        sources: vec![PolicySource {
            path: p,
            ..Default::default()
        }],
        ..pack()
    };
    let resources = vec![live(
        "aws",
        "aws_ebs_volume",
        "vol-1",
        json!({"encrypted": false}),
    )];
    let e = run(&opts, &resources);
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert_eq!(e.errors[0].0, "slow");
    assert_eq!(hits(&e).len(), 1, "the built-in rule still reports");
}

fn user_policy(dir: &tempfile::TempDir, name: &str, text: &str) -> PolicyOptions {
    PolicyOptions {
        sources: vec![PolicySource {
            path: policy_file(dir, name, text),
            ..Default::default()
        }],
        ..pack()
    }
}

/// Policies that once killed or stalled the process (found by reading regorus and fuzzing
/// the policy target): the range builtins asked the allocator for terabytes or divided by
/// zero, a huge format width built a gigabyte, deep brackets took seconds per level to parse.
/// Each now fails alone, with its reason, and the rest of the pack still reports.
#[test]
fn hostile_policies_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let group = live(
        "aws",
        "aws_security_group",
        "sg-odd",
        json!({"ingress": [
            {"protocol": "tcp", "from_port": 0, "to_port": 100_000_000_000i64, "cidr_blocks": ["0.0.0.0/0"]},
        ]}),
    );
    let volume = live(
        "aws",
        "aws_ebs_volume",
        "vol-1",
        json!({"encrypted": false}),
    );
    // A realistic idiom over a live value nobody expected.
    let ports = user_policy(
        &dir,
        "ports.rego",
        "package acme.ports\nimport rego.v1\n\
         deny contains \"ssh open\" if {\n  some r in input.attributes.ingress\n  \
         some p in numbers.range(r.from_port, r.to_port)\n  p == 22\n}\n",
    );
    let e = run(&ports, &[group.clone(), volume.clone()]);
    assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
    assert_eq!(e.errors[0].0, "acme.ports");
    assert!(
        e.errors[0]
            .1
            .contains("numbers.range: more than 100000 elements"),
        "{:?}",
        e.errors
    );
    let ids: Vec<String> = hits(&e).into_iter().map(|h| h.1).collect();
    assert_eq!(ids, ["sg-odd", "vol-1"], "the built-in pack still reports");
    // The same idiom over a port range that makes sense works.
    let mut fine = group.clone();
    fine.attrs = serde_json::from_value(json!({"ingress": [
        {"protocol": "tcp", "from_port": 0, "to_port": 65535, "cidr_blocks": ["10.0.0.0/8"]},
    ]}))
    .unwrap();
    let e = run(&ports, &[fine]);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    assert!(
        hits(&e).iter().any(|h| h.0 == "acme.ports"),
        "{:?}",
        hits(&e)
    );

    for (name, body) in [
        (
            "capacity",
            "count(numbers.range(0, 9223372036854775806)) > 0",
        ),
        ("slow", "count(numbers.range(0, 30000000)) > 0"),
        ("zero_step", "count(numbers.range_step(0, 9, 0)) > 0"),
    ] {
        let opts = user_policy(
            &dir,
            &format!("{name}.rego"),
            &format!("package {name}\nimport rego.v1\ndeny contains \"x\" if {{ {body} }}\n"),
        );
        let e = run(&opts, std::slice::from_ref(&volume));
        assert_eq!(e.errors.len(), 1, "{name}: {:?}", e.errors);
        assert_eq!(e.errors[0].0, name);
        assert_eq!(hits(&e).len(), 1, "{name}: {:?}", hits(&e));
    }

    // Refused when loading, naming the file, line and column.
    for (name, text, want) in [
        (
            "nested.rego",
            format!("package p\nx := {}1{}\n", "[".repeat(20), "]".repeat(20)),
            ":2:16: brackets nested more than 10 deep",
        ),
        (
            "wide.rego",
            "package p\nx := sprintf(\"%999999999d\", [1])\n".to_string(),
            ":2:15: a format width of 999999999",
        ),
    ] {
        let opts = user_policy(&dir, name, &text);
        let err = PolicySet::load(&opts).err().expect("refused").to_string();
        assert!(err.contains(&format!("{name}{want}")), "{err}");
    }
}

/// The Kubernetes rules over the pod specs the provider keeps: each finds what breaks it, with
/// the container or volume named, and nothing on a compliant pod.
#[test]
fn the_kubernetes_rules_find_what_breaks_them() {
    let pinned = "registry.example:5000/shop/web:2.1@sha256:0123abcd";
    let compliant = json!({"containers": [{"name": "web", "image": pinned,
        "securityContext": {"privileged": false, "runAsNonRoot": true},
        "resources": {"limits": {"memory": "256Mi"}}}],
        "volumes": [{"name": "tmp", "emptyDir": {}}], "hostNetwork": false});
    let risky = json!({"hostNetwork": true, "hostPID": true,
        "volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}],
        "initContainers": [{"name": "setup", "image": "registry.example:5000/tools",
            "securityContext": {"privileged": true}, "resources": {"limits": {"cpu": "1"}}}],
        "containers": [{"name": "app", "image": "shop/app:latest"},
                       {"name": "log", "image": "shop/log:1.4", "resources": {"limits": {"memory": "64Mi"}}}]});
    let resources = vec![
        live(
            "kubernetes",
            "Deployment.apps",
            "shop/web",
            json!({"pod_spec": compliant}),
        ),
        live(
            "kubernetes",
            "CronJob.batch",
            "shop/nightly",
            json!({"pod_spec": risky}),
        ),
        // Not a workload: the rules do not look at it.
        live(
            "kubernetes",
            "ConfigMap",
            "shop/conf",
            json!({"pod_spec": risky}),
        ),
    ];
    let e = run(&pack(), &resources);
    assert!(e.errors.is_empty(), "{:?}", e.errors);
    let want = vec![
        (
            "k8s-host-namespaces",
            vec![
                "the pod shares the node's network namespace (hostNetwork: true)",
                "the pod shares the node's process namespace (hostPID: true)",
            ],
        ),
        (
            "k8s-host-path",
            vec!["volume docker mounts /var/run/docker.sock from the node"],
        ),
        (
            "k8s-image-digest",
            vec![
                "container app runs shop/app:latest, which no digest pins",
                "container log runs shop/log:1.4, which no digest pins",
                "container setup runs registry.example:5000/tools, which no digest pins",
            ],
        ),
        (
            "k8s-image-latest",
            vec![
                "container app runs shop/app:latest, tagged latest",
                "container setup runs registry.example:5000/tools, which has no tag (latest)",
            ],
        ),
        (
            "k8s-no-limits",
            vec![
                "container app has no resource limits",
                "container setup has no memory limit",
            ],
        ),
        ("k8s-privileged", vec!["container setup runs privileged"]),
    ];
    let want: Vec<(String, String, Vec<String>)> = want
        .into_iter()
        .map(|(id, m)| {
            let m = m.into_iter().map(str::to_string).collect();
            (id.to_string(), "shop/nightly".to_string(), m)
        })
        .collect();
    assert_eq!(hits(&e), want);
    let tiers: BTreeMap<String, Tier> = e
        .findings
        .iter()
        .map(|f| (f.policy.as_ref().unwrap().id.clone(), f.tier))
        .collect();
    assert_eq!(tiers["k8s-privileged"], Tier::Critical);
    assert_eq!(tiers["k8s-image-digest"], Tier::Info);
    // Each rule is switchable by its id.
    let opts = PolicyOptions {
        disabled: ["k8s-image-digest".to_string(), "k8s-no-limits".to_string()].into(),
        ..pack()
    };
    let e = run(&opts, &resources);
    let ids: BTreeSet<String> = hits(&e).into_iter().map(|h| h.0).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
}
