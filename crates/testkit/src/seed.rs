//! Builds infrastructure through the real EC2 API and writes the Terraform state an apply would
//! have written for it. The state's attributes are what the "code" asked for (plus the ids and
//! computed values the API returned), in the exact attribute shape of the Terraform AWS provider.

use anyhow::{Context, Result};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, Tag, TagSpecification, VolumeType};
use aws_sdk_ec2::Client;
use serde_json::{json, Map, Value};
use std::path::Path;

pub const AMI: &str = "ami-0c55b159cbfafe1f0";
pub const INSTANCE_TYPE: &str = "t3.micro";

/// An EC2 client for an emulator endpoint with static test credentials.
pub async fn ec2_client(endpoint: &str, region: &str) -> Client {
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            crate::ACCESS_KEY,
            crate::SECRET_KEY,
            None,
            None,
            "driftd-testkit",
        ))
        .load()
        .await;
    Client::new(&conf)
}

/// A Terraform state (format version 4) being assembled.
#[derive(Debug, Default, Clone)]
pub struct TfState {
    /// `resources[]` entries, in insertion order.
    resources: Vec<Value>,
}

impl TfState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one instance of a managed resource. Instances of the same `(module, type, name)`
    /// share one `resources[]` entry, as Terraform writes count and for_each.
    pub fn add(
        &mut self,
        module: Option<&str>,
        resource_type: &str,
        name: &str,
        index_key: Option<Value>,
        attributes: Value,
    ) {
        let mut instance = Map::new();
        if let Some(k) = index_key {
            instance.insert("index_key".into(), k);
        }
        instance.insert("schema_version".into(), json!(1));
        instance.insert("attributes".into(), attributes);
        instance.insert("sensitive_attributes".into(), json!([]));
        instance.insert("private".into(), json!("bnVsbA=="));
        let existing = self.resources.iter_mut().find(|r| {
            r["type"] == resource_type
                && r["name"] == name
                && r.get("module").and_then(Value::as_str) == module
        });
        match existing {
            Some(r) => {
                if let Some(a) = r["instances"].as_array_mut() {
                    a.push(Value::Object(instance));
                }
            }
            None => {
                let mut r = Map::new();
                if let Some(m) = module {
                    r.insert("module".into(), json!(m));
                }
                r.insert("mode".into(), json!("managed"));
                r.insert("type".into(), json!(resource_type));
                r.insert("name".into(), json!(name));
                r.insert(
                    "provider".into(),
                    json!("provider[\"registry.terraform.io/hashicorp/aws\"]"),
                );
                r.insert("instances".into(), json!([Value::Object(instance)]));
                self.resources.push(Value::Object(r));
            }
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "version": 4,
            "terraform_version": "1.9.8",
            "serial": 12,
            "lineage": "5f1c2a9e-8d0b-4c7e-9a43-2b6d1e0f7a11",
            "outputs": {},
            "resources": self.resources,
            "check_results": null
        })
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json())?;
        std::fs::write(path, text).with_context(|| format!("write {}", path.display()))
    }
}

/// Ids of what [`seed_region`] created, for making drift.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub region: String,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    pub sg_id: String,
    pub instance_ids: Vec<String>,
    pub volume_id: String,
}

fn tags(pairs: &[(&str, &str)]) -> Vec<Tag> {
    pairs
        .iter()
        .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
        .collect()
}

fn tag_spec(rt: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(rt)
        .set_tags(Some(tags(pairs)))
        .build()
}

fn tag_map(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

fn arn(region: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{}:{kind}/{id}", crate::ACCOUNT_ID)
}

fn rule(protocol: &str, from: i32, to: i32, cidrs: &[&str], description: &str) -> Value {
    json!({
        "cidr_blocks": cidrs,
        "description": description,
        "from_port": from,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": [],
        "self": false,
        "to_port": to
    })
}

/// Creates, in `region`: a VPC with two subnets, a `web` security group (HTTPS and HTTP from
/// 10.0.0.0/8, all egress), `instances` web instances (one reservation each, as `count`) and a
/// data volume in a `storage` module; records all of it in `state`.
pub async fn seed_region(
    client: &Client,
    region: &str,
    env: &str,
    instances: usize,
    state: &mut TfState,
) -> Result<Seeded> {
    let az = |s: &str| format!("{region}{s}");
    let common = [("Env", env), ("ManagedBy", "terraform")];

    let vpc_tags = [("Name", "main"), common[0], common[1]];
    let vpc = client
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .tag_specifications(tag_spec(ResourceType::Vpc, &vpc_tags))
        .send()
        .await
        .context("CreateVpc")?;
    let vpc_id = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .context("no vpc id")?
        .to_string();
    state.add(
        None,
        "aws_vpc",
        "main",
        None,
        json!({
            "arn": arn(region, "vpc", &vpc_id),
            "assign_generated_ipv6_cidr_block": false,
            "cidr_block": "10.0.0.0/16",
            "enable_dns_hostnames": false,
            "enable_dns_support": true,
            "id": vpc_id,
            "instance_tenancy": "default",
            "owner_id": crate::ACCOUNT_ID,
            "tags": tag_map(&vpc_tags),
            "tags_all": tag_map(&vpc_tags),
        }),
    );

    let mut subnet_ids = Vec::new();
    for (i, (cidr, zone)) in [("10.0.1.0/24", "a"), ("10.0.2.0/24", "b")]
        .iter()
        .enumerate()
    {
        let name = format!("private-{zone}");
        let subnet_tags = [("Name", name.as_str()), common[0], common[1]];
        let s = client
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(*cidr)
            .availability_zone(az(zone))
            .tag_specifications(tag_spec(ResourceType::Subnet, &subnet_tags))
            .send()
            .await
            .context("CreateSubnet")?;
        let id = s
            .subnet()
            .and_then(|s| s.subnet_id())
            .context("no subnet id")?
            .to_string();
        state.add(
            None,
            "aws_subnet",
            "private",
            Some(json!(i)),
            json!({
                "arn": arn(region, "subnet", &id),
                "availability_zone": az(zone),
                "cidr_block": cidr,
                "id": id,
                "map_public_ip_on_launch": false,
                "tags": tag_map(&subnet_tags),
                "tags_all": tag_map(&subnet_tags),
                "vpc_id": vpc_id,
            }),
        );
        subnet_ids.push(id);
    }

    let sg_tags = [("Name", "web"), common[0], common[1]];
    let sg = client
        .create_security_group()
        .group_name("web")
        .description("web tier")
        .vpc_id(&vpc_id)
        .tag_specifications(tag_spec(ResourceType::SecurityGroup, &sg_tags))
        .send()
        .await
        .context("CreateSecurityGroup")?;
    let sg_id = sg.group_id().context("no group id")?.to_string();
    let perm = |port: i32, desc: &str| {
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip("10.0.0.0/8")
                    .description(desc)
                    .build(),
            )
            .build()
    };
    client
        .authorize_security_group_ingress()
        .group_id(&sg_id)
        .ip_permissions(perm(443, "https"))
        .ip_permissions(perm(80, "http"))
        .send()
        .await
        .context("AuthorizeSecurityGroupIngress")?;
    state.add(
        None,
        "aws_security_group",
        "web",
        None,
        json!({
            "arn": arn(region, "security-group", &sg_id),
            "description": "web tier",
            "egress": [rule("-1", 0, 0, &["0.0.0.0/0"], "")],
            "id": sg_id,
            "ingress": [
                rule("tcp", 80, 80, &["10.0.0.0/8"], "http"),
                rule("tcp", 443, 443, &["10.0.0.0/8"], "https"),
            ],
            "name": "web",
            "name_prefix": "",
            "owner_id": crate::ACCOUNT_ID,
            "revoke_rules_on_delete": false,
            "tags": tag_map(&sg_tags),
            "tags_all": tag_map(&sg_tags),
            "timeouts": null,
            "vpc_id": vpc_id,
        }),
    );

    let mut instance_ids = Vec::new();
    for i in 0..instances {
        let name = format!("web-{i}");
        let inst_tags = [("Name", name.as_str()), common[0], common[1]];
        let subnet = &subnet_ids[i % subnet_ids.len()];
        let out = client
            .run_instances()
            .image_id(AMI)
            .instance_type(INSTANCE_TYPE.into())
            .min_count(1)
            .max_count(1)
            .subnet_id(subnet)
            .security_group_ids(&sg_id)
            .tag_specifications(tag_spec(ResourceType::Instance, &inst_tags))
            .send()
            .await
            .context("RunInstances")?;
        let inst = out.instances().first().context("no instance")?;
        let id = inst.instance_id().context("no instance id")?.to_string();
        let zone = inst
            .placement()
            .and_then(|p| p.availability_zone())
            .map(str::to_string)
            .unwrap_or_else(|| az("a"));
        state.add(
            None,
            "aws_instance",
            "web",
            Some(json!(i)),
            json!({
                "ami": AMI,
                "arn": arn(region, "instance", &id),
                "associate_public_ip_address": false,
                "availability_zone": zone,
                "disable_api_stop": false,
                "disable_api_termination": false,
                "ebs_optimized": false,
                "id": id,
                "instance_state": "running",
                "instance_type": INSTANCE_TYPE,
                "key_name": "",
                "monitoring": false,
                "root_block_device": [{"delete_on_termination": true, "volume_size": 8, "volume_type": "gp2"}],
                "subnet_id": subnet,
                "tags": tag_map(&inst_tags),
                "tags_all": tag_map(&inst_tags),
                "vpc_security_group_ids": [sg_id],
            }),
        );
        instance_ids.push(id);
    }

    let vol_tags = [("Name", "data"), common[0], common[1]];
    let vol = client
        .create_volume()
        .availability_zone(az("a"))
        .size(20)
        .volume_type(VolumeType::Gp3)
        .encrypted(false)
        .tag_specifications(tag_spec(ResourceType::Volume, &vol_tags))
        .send()
        .await
        .context("CreateVolume")?;
    let volume_id = vol.volume_id().context("no volume id")?.to_string();
    state.add(
        Some("module.storage"),
        "aws_ebs_volume",
        "data",
        None,
        json!({
            "arn": arn(region, "volume", &volume_id),
            "availability_zone": az("a"),
            "encrypted": false,
            "final_snapshot": false,
            "id": volume_id,
            "iops": 3000,
            "kms_key_id": "",
            "multi_attach_enabled": false,
            "size": 20,
            "snapshot_id": "",
            "tags": tag_map(&vol_tags),
            "tags_all": tag_map(&vol_tags),
            "throughput": 125,
            "type": "gp3",
        }),
    );

    Ok(Seeded {
        region: region.to_string(),
        vpc_id,
        subnet_ids,
        sg_id,
        instance_ids,
        volume_id,
    })
}
