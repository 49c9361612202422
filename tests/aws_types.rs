//! The EC2 network resource types beyond the first five (internet gateways, route tables, NAT
//! gateways, network interfaces, Elastic IPs, key pairs, launch templates, network ACLs), end to
//! end against moto through the built binary: in sync first, then one out-of-band change each.

mod util;

use driftd_testkit::seed::{seed_network, SeededNetwork};
use serde_json::{json, Value};
use util::*;

const US: &str = "us-east-1";

/// Every type this file covers.
const NEW_TYPES: [&str; 8] = [
    "aws_internet_gateway",
    "aws_route_table",
    "aws_nat_gateway",
    "aws_network_interface",
    "aws_eip",
    "aws_key_pair",
    "aws_launch_template",
    "aws_network_acl",
];

/// Seeds one VPC with one instance plus [`seed_network`]'s resources, and writes the state.
fn seed_all(rt: &tokio::runtime::Runtime, moto: &Moto, dir: &TempDir) -> (Seeded, SeededNetwork) {
    let mut state = TfState::new();
    let seeded = rt.block_on(async {
        let client = ec2_client(&moto.endpoint(), US).await;
        let base = seed_region(&client, US, "prod", 1, &mut state)
            .await
            .expect("seed region");
        let net = seed_network(&client, &base, &mut state)
            .await
            .expect("seed network");
        (base, net)
    });
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    seeded
}

/// [`config`] limited to `types`.
fn config_for(endpoint: &str, types: &[&str]) -> String {
    config_for_types(endpoint, &[US], types, "")
}

#[test]
fn new_types_in_sync_then_each_out_of_band_change_is_found() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types");
    let (base, net) = seed_all(&rt, &moto, &dir);

    // Without network interfaces (see below), everything moto holds matches the state: the
    // VPC's main route table, its default ACL and the instance's primary interface are cloud
    // defaults, not unmanaged.
    let others: Vec<&str> = NEW_TYPES
        .iter()
        .copied()
        .filter(|t| *t != "aws_network_interface")
        .collect();
    dir.write("driftd.toml", &config_for(&moto.endpoint(), &others));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    // igw, 2 route tables, NAT gateway, 2 EIPs, key pair, launch template, ACL.
    assert_eq!(report["summary"]["managed"], json!(9));
    // Only the asked-for types were compared: the state's other 7 resources (VPC, 2 subnets,
    // security group, instance, volume, interface) were not. Their types are supported, the
    // target leaves them out: not scanned, never in sync.
    assert_eq!(report["summary"]["not_supported"], json!(0));
    assert_eq!(report["summary"]["not_scanned"], json!(7));
    assert!(report["not_compared"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["reason"] == "not in this target's `resource_types`"));

    // moto gap: DescribeNatGateways has no `ConnectivityType`; the attribute is left out of the
    // comparison (the state's "public" is what AWS would report).
    //
    // All types. moto gap: the interface moto creates for a NAT gateway is an ordinary one
    // (`requesterManaged` false, type `interface`), where AWS marks it requester-managed with type
    // `nat_gateway`; so moto's NAT interface is reported unmanaged. Nothing else differs.
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(
        findings(&report),
        vec![finding(
            "unmanaged",
            "warning",
            "aws_network_interface",
            &net.nat_interface_id,
            &[]
        )],
        "stderr: {}",
        run.stderr
    );
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);

    // Out of band, one change per type.
    let unmanaged_igw = rt.block_on(async {
        use aws_sdk_ec2::types::{
            AttributeBooleanValue, InstanceType, PortRange, RequestLaunchTemplateData, RuleAction,
            Tag,
        };
        let c = ec2_client(&moto.endpoint(), US).await;
        let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
        c.create_tags()
            .resources(&net.igw_id)
            .tags(tag("Name", "renamed"))
            .send()
            .await
            .expect("retag internet gateway");
        c.create_route()
            .route_table_id(&net.public_route_table_id)
            .destination_cidr_block("192.168.0.0/16")
            .gateway_id(&net.igw_id)
            .send()
            .await
            .expect("add route");
        c.delete_route()
            .route_table_id(&net.private_route_table_id)
            .destination_cidr_block("0.0.0.0/0")
            .send()
            .await
            .expect("delete route");
        c.create_tags()
            .resources(&net.nat_gateway_id)
            .tags(tag("Owner", "netops"))
            .send()
            .await
            .expect("tag NAT gateway");
        c.modify_network_interface_attribute()
            .network_interface_id(&net.interface_id)
            .source_dest_check(AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .expect("disable source/dest check");
        c.disassociate_address()
            .association_id(
                c.describe_addresses()
                    .allocation_ids(&net.web_eip_id)
                    .send()
                    .await
                    .expect("describe address")
                    .addresses()[0]
                    .association_id()
                    .expect("associated")
                    .to_string(),
            )
            .send()
            .await
            .expect("disassociate EIP");
        c.delete_key_pair()
            .key_name(&net.key_name)
            .send()
            .await
            .expect("delete key pair");
        c.create_launch_template_version()
            .launch_template_id(&net.launch_template_id)
            .version_description("bigger")
            .launch_template_data(
                RequestLaunchTemplateData::builder()
                    .image_id(driftd_testkit::seed::AMI)
                    .instance_type(InstanceType::M5Large)
                    .key_name(&net.key_name)
                    .security_group_ids(&base.sg_id)
                    .build(),
            )
            .send()
            .await
            .expect("new launch template version");
        c.modify_launch_template()
            .launch_template_id(&net.launch_template_id)
            .default_version("2")
            .send()
            .await
            .expect("make version 2 the default");
        c.create_network_acl_entry()
            .network_acl_id(&net.network_acl_id)
            .rule_number(200)
            .egress(false)
            .protocol("6")
            .rule_action(RuleAction::Allow)
            .cidr_block("0.0.0.0/0")
            .port_range(PortRange::builder().from(22).to(22).build())
            .send()
            .await
            .expect("add ACL rule");
        c.create_internet_gateway()
            .send()
            .await
            .expect("unmanaged internet gateway")
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .expect("internet gateway id")
            .to_string()
    });

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    let mut expected = vec![
        finding("missing", "critical", "aws_key_pair", &net.key_name, &[]),
        finding(
            "changed",
            "warning",
            "aws_eip",
            &net.web_eip_id,
            &["instance", "network_interface"],
        ),
        finding(
            "changed",
            "warning",
            "aws_launch_template",
            &net.launch_template_id,
            &["default_version", "description", "instance_type"],
        ),
        finding(
            "changed",
            "warning",
            "aws_network_acl",
            &net.network_acl_id,
            &["ingress"],
        ),
        finding(
            "changed",
            "warning",
            "aws_network_interface",
            &net.interface_id,
            &["source_dest_check"],
        ),
        finding(
            "changed",
            "warning",
            "aws_route_table",
            &net.private_route_table_id,
            &["route"],
        ),
        finding(
            "changed",
            "warning",
            "aws_route_table",
            &net.public_route_table_id,
            &["route"],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_internet_gateway",
            &unmanaged_igw,
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_network_interface",
            &net.nat_interface_id,
            &[],
        ),
        finding(
            "changed",
            "info",
            "aws_internet_gateway",
            &net.igw_id,
            &["tags.Name"],
        ),
        finding(
            "changed",
            "info",
            "aws_nat_gateway",
            &net.nat_gateway_id,
            &["tags.Owner"],
        ),
    ];
    // Same-kind findings are ordered by id.
    expected.sort_by(|a, b| {
        let rank = |t: &str| ["critical", "warning", "info"].iter().position(|x| *x == t);
        let kind = |k: &str| {
            ["missing", "changed", "unmanaged", "pending"]
                .iter()
                .position(|x| *x == k)
        };
        (rank(&a.1), kind(&a.0), &a.2, &a.3).cmp(&(rank(&b.1), kind(&b.0), &b.2, &b.3))
    });
    assert_eq!(findings(&report), expected, "stderr: {}", run.stderr);

    // What changed, in Terraform's terms.
    let changes = |t: &str, id: &str| -> Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource_type"] == t && f["resource_id"] == id)
            .map(|f| f["changes"].clone())
            .unwrap_or(Value::Null)
    };
    let eip = changes("aws_eip", &net.web_eip_id);
    assert_eq!(eip[0]["op"], json!("remove"));
    assert_eq!(eip[0]["expected"], json!(base.instance_ids[0]));
    let lt = changes("aws_launch_template", &net.launch_template_id);
    assert_eq!(lt[0]["expected"], json!(1));
    assert_eq!(lt[0]["actual"], json!(2));
    assert_eq!(lt[2]["actual"], json!("m5.large"));
    let added = changes("aws_network_acl", &net.network_acl_id)[0]["actual"].to_string();
    assert!(added.contains(r#"\"rule_no\":200"#), "{added}");
    let public = changes("aws_route_table", &net.public_route_table_id)[0]["actual"].to_string();
    assert!(public.contains("192.168.0.0/16"), "{public}");
    assert_eq!(
        changes("aws_route_table", &net.private_route_table_id)[0]["op"],
        json!("remove")
    );
}

#[test]
fn denied_listings_of_new_types_are_not_scanned_never_missing() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types-denied");
    seed_all(&rt, &moto, &dir);
    let deny = |action: &str| Rule {
        region: None,
        action: Some(action.into()),
        fault: Fault::Deny,
    };
    let proxy = Proxy::start(
        moto.port,
        vec![
            deny("DescribeKeyPairs"),
            deny("DescribeRouteTables"),
            deny("DescribeLaunchTemplateVersions"),
        ],
    )
    .expect("proxy");
    let others: Vec<&str> = NEW_TYPES
        .iter()
        .copied()
        .filter(|t| *t != "aws_network_interface")
        .collect();
    dir.write("driftd.toml", &config_for(&proxy.endpoint(), &others));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let reason = s["reason"].as_str().unwrap();
            assert!(reason.starts_with("access denied: "), "{reason}");
            (
                s["resource_type"].as_str().unwrap().to_string(),
                s["attribute"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let s = |t: &str, a: &str| (t.to_string(), a.to_string());
    assert_eq!(
        skipped,
        vec![
            s("aws_key_pair", ""),
            s("aws_launch_template", "description"),
            s("aws_launch_template", "image_id"),
            s("aws_launch_template", "instance_type"),
            s("aws_launch_template", "key_name"),
            s("aws_launch_template", "vpc_security_group_ids"),
            s("aws_route_table", ""),
        ]
    );
    // The key pair and both route tables are neither compared nor missing; nor are the 7
    // resources of types this target leaves out.
    assert_eq!(report["summary"]["not_scanned"], json!(3 + 7));
    let left_out: u64 = report["not_compared"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"] == "not in this target's `resource_types`")
        .map(|e| e["count"].as_u64().unwrap())
        .sum();
    assert_eq!(left_out, 7);
}

/// `aws_vpc_security_group_ingress_rule` and `_egress_rule` against moto, beside the groups they
/// belong to: in sync first; then a rule revoked, one added and one redescribed out of band.
/// A rule added out of band is the group's change, never also an unmanaged rule (see
/// `providers/aws/src/resources/vpc_security_group_ingress_rule.rs`).
#[test]
fn separate_security_group_rules_in_sync_then_out_of_band_changes_are_found() {
    use aws_sdk_ec2::types::{
        IpPermission, IpRange, SecurityGroupRuleRequest, SecurityGroupRuleUpdate,
    };
    use driftd_testkit::seed::seed_security_group_rules;

    const RULE_TYPES: [&str; 3] = [
        "aws_security_group",
        "aws_vpc_security_group_egress_rule",
        "aws_vpc_security_group_ingress_rule",
    ];
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-sg-rules");
    let mut state = TfState::new();
    let seeded = rt.block_on(async {
        let client = ec2_client(&moto.endpoint(), US).await;
        seed_security_group_rules(&client, US, &mut state)
            .await
            .expect("seed rules")
    });
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config_for(&moto.endpoint(), &RULE_TYPES));

    // The rules of the two default groups (this VPC's and the default VPC's) and the bastion's
    // egress rule exist live with no state entry of their type: not unmanaged.
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    // 3 ingress rules, 1 egress rule, 2 groups.
    assert_eq!(report["summary"]["managed"], json!(6));
    assert_eq!(report["summary"]["unmanaged"], json!(0));

    let opened_rule_id = rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        let perm = |port: i32, cidr: &str, description: Option<&str>| {
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip(cidr)
                        .set_description(description.map(str::to_string))
                        .build(),
                )
                .build()
        };
        c.revoke_security_group_ingress()
            .group_id(&seeded.group_id)
            .ip_permissions(perm(443, "10.0.0.0/8", Some("https")))
            .send()
            .await
            .expect("revoke HTTPS");
        let opened = c
            .authorize_security_group_ingress()
            .group_id(&seeded.group_id)
            .ip_permissions(perm(22, "0.0.0.0/0", None))
            .send()
            .await
            .expect("open SSH to the world");
        c.modify_security_group_rules()
            .group_id(&seeded.group_id)
            .security_group_rules(
                SecurityGroupRuleUpdate::builder()
                    .security_group_rule_id(&seeded.egress_rule_id)
                    .security_group_rule(
                        SecurityGroupRuleRequest::builder()
                            .ip_protocol("-1")
                            .from_port(-1)
                            .to_port(-1)
                            .cidr_ipv4("0.0.0.0/0")
                            .description("anywhere")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("redescribe egress");
        opened
            .security_group_rules()
            .first()
            .and_then(|r| r.security_group_rule_id())
            .expect("new rule id")
            .to_string()
    });

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&report["findings"]).unwrap()
    );
    assert_eq!(
        findings(&report),
        vec![
            finding(
                "missing",
                "critical",
                "aws_vpc_security_group_ingress_rule",
                &seeded.https_rule_id,
                &[]
            ),
            finding(
                "changed",
                "critical",
                "aws_security_group",
                &seeded.group_id,
                &["ingress", "ingress", "egress", "egress"]
            ),
            finding(
                "changed",
                "warning",
                "aws_vpc_security_group_egress_rule",
                &seeded.egress_rule_id,
                &["description"]
            ),
        ],
        "stderr: {}",
        run.stderr
    );

    // The group shows the rule set change: HTTPS gone, SSH from anywhere added.
    let group = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource_type"] == "aws_security_group")
        .expect("group finding");
    let ingress: Vec<(String, Value)> = group["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["path"] == "ingress")
        .map(|c| {
            let rule = if c["op"] == "add" {
                &c["actual"]
            } else {
                &c["expected"]
            };
            (
                c["op"].as_str().unwrap().to_string(),
                rule["from_port"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ingress,
        vec![
            ("remove".to_string(), json!(443)),
            ("add".to_string(), json!(22))
        ]
    );

    // Asked for, cloud defaults include every rule no state entry of its type holds: the new
    // SSH rule among them.
    let with_defaults = config_for(&moto.endpoint(), &RULE_TYPES).replacen(
        "[target.aws]",
        "include_cloud_defaults = true\n\n[target.aws]",
        1,
    );
    dir.write("driftd.toml", &with_defaults);
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let unmanaged: Vec<(String, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unmanaged")
        .map(|f| {
            (
                f["resource_type"].as_str().unwrap().to_string(),
                f["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        unmanaged.contains(&(
            "aws_vpc_security_group_ingress_rule".to_string(),
            opened_rule_id
        )),
        "{unmanaged:?}"
    );
}
