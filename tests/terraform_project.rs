//! The example Terraform project (`examples/terraform-project`) applied to moto, its state in the
//! S3 backend its code names (workspace `staging`), and the built binary reading code, state and
//! live together: out-of-band drift, an unapplied code change, a resource the code declares but
//! nobody applied, a deleted resource, an unmanaged one, an attribute `ignore_changes` covers and
//! an expired ignore rule, each told apart.

mod util;

use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, IpPermission, IpRange, ResourceType, Tag,
    TagSpecification, VolumeType,
};
use driftd_core::provider::NoProgress;
use driftd_core::Provider;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use util::*;

const BUCKET: &str = "acme-terraform-state";
const STATE_KEY: &str = "env:/staging/web/terraform.tfstate";

fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs
        .iter()
        .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
        .collect()
}

fn tagged(rt: ResourceType, name: &str) -> TagSpecification {
    let mut t = common_tags();
    t.push(("Name", name));
    TagSpecification::builder()
        .resource_type(rt)
        .set_tags(Some(tags(&t)))
        .build()
}

fn common_tags() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Project", "acme"),
        ("Environment", "prod"),
        ("ManagedBy", "terraform"),
    ]
}

/// What the apply created: Terraform address → cloud id.
type Applied = BTreeMap<String, String>;

/// Creates what `terraform apply` of the example (with its terraform.tfvars) would create.
async fn apply(endpoint: &str) -> Applied {
    let mut ids = Applied::new();
    let ec2 = ec2_client(endpoint, "us-east-1").await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .tag_specifications(tagged(ResourceType::Vpc, "acme-prod"))
        .send()
        .await
        .expect("CreateVpc");
    let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    ec2.modify_vpc_attribute()
        .vpc_id(&vpc_id)
        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .expect("ModifyVpcAttribute");
    ids.insert("aws_vpc.main".into(), vpc_id.clone());
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let name = format!("acme-prod-{az}");
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .availability_zone(*az)
            .cidr_block(format!("10.0.{i}.0/24"))
            .tag_specifications(tagged(ResourceType::Subnet, &name))
            .send()
            .await
            .expect("CreateSubnet");
        ids.insert(
            format!("module.net.aws_subnet.this[\"{az}\"]"),
            s.subnet().and_then(|s| s.subnet_id()).unwrap().to_string(),
        );
    }
    let mut sg_tags = TagSpecification::builder().resource_type(ResourceType::SecurityGroup);
    for t in tags(&common_tags()) {
        sg_tags = sg_tags.tags(t);
    }
    let sg = ec2
        .create_security_group()
        .group_name("acme-prod-web")
        .description("Web servers")
        .vpc_id(&vpc_id)
        .tag_specifications(sg_tags.build())
        .send()
        .await
        .expect("CreateSecurityGroup");
    let sg_id = sg.group_id().unwrap().to_string();
    for port in [80, 443] {
        ec2.authorize_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(port)
                    .to_port(port)
                    .ip_ranges(
                        IpRange::builder()
                            .cidr_ip("10.0.0.0/16")
                            .description(format!("port {port}"))
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    }
    ids.insert("aws_security_group.web".into(), sg_id.clone());
    for i in 0..2 {
        let subnet = &ids[&format!("module.net.aws_subnet.this[\"us-east-1{}\"]", ["a", "b"][i])];
        let out = ec2
            .run_instances()
            .image_id(driftd_testkit::seed::AMI)
            .instance_type("t3.micro".into())
            .subnet_id(subnet)
            .security_group_ids(&sg_id)
            .min_count(1)
            .max_count(1)
            .tag_specifications(tagged(
                ResourceType::Instance,
                &format!("acme-prod-web-{:02}", i + 1),
            ))
            .send()
            .await
            .expect("RunInstances");
        let id = out.instances()[0].instance_id().unwrap().to_string();
        ids.insert(format!("aws_instance.web[{i}]"), id);
    }
    for (name, size) in [("data", 100), ("logs", 50)] {
        let v = ec2
            .create_volume()
            .availability_zone("us-east-1a")
            .size(size)
            .volume_type(VolumeType::Gp3)
            .tag_specifications(tagged(ResourceType::Volume, &format!("acme-prod-{name}")))
            .send()
            .await
            .expect("CreateVolume");
        ids.insert(
            format!("aws_ebs_volume.data[\"{name}\"]"),
            v.volume_id().unwrap().to_string(),
        );
    }
    let eu = ec2_client(endpoint, "eu-west-1").await;
    let replica = eu
        .create_vpc()
        .cidr_block("10.2.0.0/16")
        .tag_specifications(tagged(ResourceType::Vpc, "ACME-PROD-REPLICA"))
        .send()
        .await
        .expect("CreateVpc replica");
    ids.insert(
        "aws_vpc.replica".into(),
        replica.vpc().and_then(|v| v.vpc_id()).unwrap().to_string(),
    );
    ids
}

/// The state the apply would have written: each created resource as the AWS provider reads it
/// back (the same attribute mapping a refresh writes), under its address.
async fn state_of(endpoint: &str, applied: &Applied) -> Value {
    let provider = driftd_aws::AwsProvider::new(driftd_aws::AwsSettings {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        endpoint_url: Some(endpoint.to_string()),
        ..Default::default()
    });
    let types: Vec<String> = [
        "aws_vpc",
        "aws_subnet",
        "aws_security_group",
        "aws_instance",
        "aws_ebs_volume",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let live = provider
        .list(&types, Arc::new(NoProgress))
        .await
        .expect("list moto");
    let mut state = TfState::new();
    for (address, id) in applied {
        let r = live
            .resources
            .iter()
            .find(|r| &r.key.id == id)
            .unwrap_or_else(|| panic!("{address} ({id}) not listed"));
        let (module, local) = match address.strip_prefix("module.net.") {
            Some(rest) => (Some("module.net"), rest),
            None => (None, address.as_str()),
        };
        let (ty, rest) = local.split_once('.').unwrap();
        let (name, key) = match rest.split_once('[') {
            Some((n, k)) => {
                let k = k.trim_end_matches(']');
                let key = match k.parse::<u64>() {
                    Ok(n) => json!(n),
                    Err(_) => json!(k.trim_matches('"')),
                };
                (n, Some(key))
            }
            None => (rest, None),
        };
        let mut attrs = serde_json::to_value(&r.attrs).unwrap();
        attrs["id"] = json!(id);
        state.add(module, ty, name, key, attrs);
    }
    state.to_json()
}

/// Puts the state where the code's S3 backend keeps the `staging` workspace.
async fn upload_state(endpoint: &str, state: &Value) {
    let client = reqwest::Client::new();
    let bucket = format!("{endpoint}/{BUCKET}");
    let r = client.put(&bucket).send().await.expect("CreateBucket");
    assert!(r.status().is_success(), "CreateBucket: {}", r.status());
    let r = client
        .put(format!("{bucket}/{STATE_KEY}"))
        .body(state.to_string())
        .send()
        .await
        .expect("PutObject");
    assert!(r.status().is_success(), "PutObject: {}", r.status());
}

#[test]
fn example_project_code_state_and_live_are_told_apart() {
    std::env::set_var("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY);
    std::env::set_var("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY);
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let rt = runtime();
    let dir = TempDir::new("tfproject");
    let code = dir.path().join("code");
    copy_dir(
        &driftd_testkit::workspace_root().join("examples/terraform-project"),
        &code,
    );
    let applied = rt.block_on(apply(&endpoint));
    let state = rt.block_on(state_of(&endpoint, &applied));
    rt.block_on(upload_state(&endpoint, &state));

    // No `states`: the code's `backend "s3"` block says where the state is; the endpoint and
    // credentials are the target's.
    dir.write(
        "driftd.toml",
        &format!(
            "[[target]]\nname = \"web\"\ncode = \"code\"\nworkspace = \"staging\"\n\
             resource_types = [\"aws_vpc\", \"aws_subnet\", \"aws_security_group\", \"aws_instance\", \"aws_ebs_volume\"]\n\
             [target.aws]\nendpoint_url = \"{endpoint}\"\nmax_attempts = 2\n\n\
             [[ignore]]\nresource = \"aws_security_group.web\"\nreason = \"load test\"\nowner = \"web-team\"\nexpires = 2026-01-31\n"
        ),
    );

    // Just applied: code, state and live agree.
    let run = driftd(
        dir.path(),
        &["check", "--config", "driftd.toml", "--format", "json"],
    );
    let report = run.json();
    assert_eq!(
        run.code, 0,
        "in sync right after apply: {report:#}\n{}",
        run.stderr
    );
    assert_eq!(report["summary"]["managed"], 9, "{report:#}");

    rt.block_on(async {
        let ec2 = ec2_client(&endpoint, "us-east-1").await;
        // Out of band: an instance resized by hand.
        ec2.modify_instance_attribute()
            .instance_id(&applied["aws_instance.web[0]"])
            .instance_type(AttributeValue::builder().value("t3.large").build())
            .send()
            .await
            .expect("ModifyInstanceAttribute");
        // Ignored by the code's `lifecycle { ignore_changes = [ami, tags["Deployed"]] }`.
        ec2.create_tags()
            .resources(&applied["aws_instance.web[1]"])
            .tags(Tag::builder().key("Deployed").value("2026-11-23").build())
            .send()
            .await
            .expect("CreateTags");
        // Deleted.
        ec2.delete_volume()
            .volume_id(&applied["aws_ebs_volume.data[\"data\"]"])
            .send()
            .await
            .expect("DeleteVolume");
        // Unmanaged.
        driftd_testkit::seed::start_unmanaged_instance(&ec2)
            .await
            .expect("unmanaged instance");
        // A rule added by hand, under an ignore rule that expired.
        ec2.authorize_security_group_ingress()
            .group_id(&applied["aws_security_group.web"])
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(IpRange::builder().cidr_ip("10.9.0.0/16").build())
                    .build(),
            )
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    });
    // In code, not applied: the logs volume grows, a cache volume is added.
    std::fs::write(
        code.join("terraform.tfvars"),
        "environment = \"prod\"\nweb_count   = 2\nvolumes = {\n  data  = 100\n  logs  = 60\n  cache = 10\n}\n",
    )
    .unwrap();

    let run = driftd(
        dir.path(),
        &["check", "--config", "driftd.toml", "--format", "json"],
    );
    let report = run.json();
    assert_eq!(run.code, 2, "{report:#}\n{}", run.stderr);
    let all: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["address"]
                    .as_str()
                    .unwrap_or(f["resource_id"].as_str().unwrap())
                    .to_string(),
            )
        })
        .collect();

    let resized =
        find(&report, "changed", "aws_instance.web[0]").unwrap_or_else(|| panic!("{all:?}"));
    assert_eq!(resized["changes"][0]["path"], "instance_type");
    assert_eq!(resized["changes"][0]["expected"], "t3.micro");
    assert_eq!(resized["changes"][0]["actual"], "t3.large");
    assert_eq!(
        resized["changes"][0]["expected_from"], "both",
        "code and state both say t3.micro"
    );

    let grown = find(&report, "pending", "aws_ebs_volume.data[\"logs\"]")
        .unwrap_or_else(|| panic!("{all:?}"));
    assert_eq!(grown["tier"], "info");
    assert_eq!(grown["changes"][0]["path"], "size");
    assert_eq!(grown["changes"][0]["expected"], 60);
    assert_eq!(grown["changes"][0]["actual"], 50);
    assert_eq!(grown["changes"][0]["expected_from"], "code");

    let cache = find(&report, "pending", "aws_ebs_volume.data[\"cache\"]")
        .unwrap_or_else(|| panic!("{all:?}"));
    assert_eq!(
        cache["resource_id"], "aws_ebs_volume.data[\"cache\"]",
        "not created, no id yet"
    );
    assert!(find(&report, "missing", "aws_ebs_volume.data[\"cache\"]").is_none());

    assert!(
        find(&report, "missing", "aws_ebs_volume.data[\"data\"]").is_some(),
        "{all:?}"
    );
    let unmanaged: Vec<&(String, String)> = all.iter().filter(|(k, _)| k == "unmanaged").collect();
    assert_eq!(unmanaged.len(), 1, "{all:?}");
    assert!(
        !all.iter().any(|(_, a)| a == "aws_instance.web[1]"),
        "tags[\"Deployed\"] is in ignore_changes: {all:?}"
    );
    let lifecycle = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["address"] == "aws_instance.web[1]")
        .unwrap_or_else(|| panic!("the lifecycle rule is recorded: {report:#}"));
    assert_eq!(lifecycle["changes"][0]["path"], "tags.Deployed");
    assert!(
        lifecycle["rule"]["source"]
            .as_str()
            .unwrap()
            .ends_with("main.tf:83"),
        "{lifecycle:#}"
    );
    assert!(lifecycle["rule"]["rule"]
        .as_str()
        .unwrap()
        .contains("ignore_changes"));
    let sg = find(&report, "changed", "aws_security_group.web")
        .unwrap_or_else(|| panic!("expired rule hides nothing: {all:?}"));
    assert_eq!(sg["tier"], "warning");
    assert_eq!(
        report["expired_ignores"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
    assert_eq!(report["expired_ignores"][0]["owner"], "web-team");
    assert_eq!(all.len(), 6, "exactly these six findings: {all:?}");
    assert_eq!(report["summary"]["pending"], 2);
    // The three-way fields are part of the documented schema.
    let file = dir.path().join("report.json");
    std::fs::write(&file, &run.stdout).unwrap();
    let out = std::process::Command::new(driftd_testkit::venv().join("bin/python"))
        .arg(driftd_testkit::workspace_root().join("tests/schemas/validate.py"))
        .arg("json")
        .arg(&file)
        .output()
        .expect("run validate.py");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "valid",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report["findings"][0]["source"].as_str().is_some(),
        "findings name where they came from"
    );
    let _ = moto;
}

#[test]
fn http_backend_sends_its_credentials_and_never_prints_them() {
    use driftd_testkit::receiver::{Answer, Receiver};
    let moto = Moto::start().expect("moto");
    let mut state = TfState::new();
    let rt = runtime();
    let seeded = rt.block_on(async {
        let ec2 = ec2_client(&moto.endpoint(), "us-east-1").await;
        seed_region(&ec2, "us-east-1", "prod", 1, &mut state)
            .await
            .expect("seed")
    });
    let receiver =
        Receiver::start(vec![Answer::json(200, &state.to_json().to_string())]).expect("receiver");
    let dir = TempDir::new("httpbackend");
    let target = |address: String| {
        format!(
            "[[target]]\nname = \"gitlab\"\nregions = [\"us-east-1\"]\n\
             [target.backend]\ntype = \"http\"\naddress = \"{address}\"\nusername = \"ci\"\n\
             password = \"env:STATE_PASSWORD\"\nheaders = {{ \"PRIVATE-TOKEN\" = \"env:GITLAB_TOKEN\" }}\n\
             [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n",
            moto.endpoint()
        )
    };
    dir.write(
        "driftd.toml",
        &target(receiver.url("/api/v4/projects/7/terraform/state/prod")),
    );
    let with_secrets = |c: &mut std::process::Command| {
        c.env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
            .env("STATE_PASSWORD", "pw-s3cr3t")
            .env("GITLAB_TOKEN", "glpat-s3cr3t");
    };
    let run = driftd_with(
        dir.path(),
        &["check", "--config", "driftd.toml", "--format", "json"],
        with_secrets,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["summary"]["managed"].as_u64(),
        Some(seeded.instance_ids.len() as u64 + 5)
    );
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].headers.get("private-token").map(String::as_str),
        Some("glpat-s3cr3t")
    );
    assert!(got[0]
        .headers
        .get("authorization")
        .is_some_and(|a| a.starts_with("Basic ")));

    // Refused: the error says what to check, and no secret.
    receiver.script(vec![Answer::status(401)]);
    let run = driftd_with(
        dir.path(),
        &["check", "--config", "driftd.toml"],
        with_secrets,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("refused the credentials"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("PRIVATE-TOKEN"), "{}", run.stderr);
    for secret in ["pw-s3cr3t", "glpat-s3cr3t"] {
        assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    }
}

#[test]
fn without_state_code_is_matched_to_live_by_its_name_tags() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let rt = runtime();
    let dir = TempDir::new("tfnostate");
    let code = dir.path().join("code");
    copy_dir(
        &driftd_testkit::workspace_root().join("examples/terraform-project"),
        &code,
    );
    // No backend block, no local state: code only.
    let main = std::fs::read_to_string(code.join("main.tf")).unwrap();
    let start = main.find("  backend \"s3\"").unwrap();
    let end = start + main[start..].find("  }\n").unwrap() + 4;
    std::fs::write(
        code.join("main.tf"),
        format!("{}{}", &main[..start], &main[end..]),
    )
    .unwrap();
    let applied = rt.block_on(apply(&endpoint));
    rt.block_on(async {
        let ec2 = ec2_client(&endpoint, "us-east-1").await;
        ec2.modify_instance_attribute()
            .instance_id(&applied["aws_instance.web[1]"])
            .instance_type(AttributeValue::builder().value("m5.large").build())
            .send()
            .await
            .expect("ModifyInstanceAttribute");
        ec2.delete_volume()
            .volume_id(&applied["aws_ebs_volume.data[\"logs\"]"])
            .send()
            .await
            .expect("DeleteVolume");
    });
    dir.write(
        "driftd.toml",
        &format!(
            "[[target]]\nname = \"web\"\ncode = \"code\"\n\
             resource_types = [\"aws_vpc\", \"aws_subnet\", \"aws_instance\", \"aws_ebs_volume\"]\n\
             [target.aws]\nendpoint_url = \"{endpoint}\"\nmax_attempts = 2\n"
        ),
    );
    let run = driftd(
        dir.path(),
        &["check", "--config", "driftd.toml", "--format", "json"],
    );
    let report = run.json();
    assert_eq!(run.code, 2, "{report:#}\n{}", run.stderr);
    let resized =
        find(&report, "changed", "aws_instance.web[1]").unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        resized["resource_id"],
        applied["aws_instance.web[1]"].as_str()
    );
    assert_eq!(resized["changes"][0]["path"], "instance_type");
    assert_eq!(resized["changes"][0]["expected"], "t3.micro");
    assert_eq!(resized["changes"][0]["expected_from"], "code");
    // Without state, a resource the code declares and nothing live carries its name is not
    // applied (yet, or any more): pending, never a `missing` page.
    let gone = find(&report, "pending", "aws_ebs_volume.data[\"logs\"]")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(gone["changes"].as_array().unwrap().is_empty());
    let kinds: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.len(),
        2,
        "the other seven resources match their code: {report:#}"
    );
    assert!(!kinds.contains(&"missing") && !kinds.contains(&"unmanaged"));
}
