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

/// An RSA public key for [`seed_network`]'s key pair (generated for these tests; the private
/// half was never kept).
pub const PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDH6i99zzsxSZlnZMcPxQc9HYIbm4RPhgPeQIjDYhZ2w9I239VVxtKYCEl9PA6RPzH7mB0zi6KbdHtVQWL5YUR+OGCnbBu/et81WhkIx1BYhCpjPWOhvP/+UwTYgt2lCjbbEMiOTwZ4irKJ8K3uZQUKmepd90WOb5eL65lOjdIQIMuETm7UB+XxrpGs0QNH/jy5aGDkbMRshIi5WTpKz7nx+8DhiWOO+shF+ojZwznQBJZc3ocZptMUovyuAzzg2pgy3n61dj43S5UIMnLAsYD1WtU8+OEtt7l4WaxCGFnt2Rcfy525O6WxxYzu0lf9kxuoOWuwXugq4A6KG7NonDbF driftd-test";

/// Ids of what [`seed_network`] created, for making drift.
#[derive(Debug, Clone)]
pub struct SeededNetwork {
    pub igw_id: String,
    /// Routes 0.0.0.0/0 to the internet gateway.
    pub public_route_table_id: String,
    /// Routes 0.0.0.0/0 to the NAT gateway.
    pub private_route_table_id: String,
    pub nat_gateway_id: String,
    /// The NAT gateway's address and the interface AWS gave the NAT gateway.
    pub nat_eip_id: String,
    pub nat_interface_id: String,
    /// A standalone interface in the second subnet.
    pub interface_id: String,
    /// Associated with the first web instance.
    pub web_eip_id: String,
    pub key_name: String,
    pub launch_template_id: String,
    /// Associated with the second subnet; HTTPS in from 10.0.0.0/8, everything out.
    pub network_acl_id: String,
}

/// A Terraform `route` block (provider v6 fields) to `cidr` through one target.
fn route_block(cidr: &str, target_field: &str, target: &str) -> Value {
    let mut block = json!({
        "carrier_gateway_id": "",
        "cidr_block": cidr,
        "core_network_arn": "",
        "destination_prefix_list_id": "",
        "egress_only_gateway_id": "",
        "gateway_id": "",
        "ipv6_cidr_block": "",
        "local_gateway_id": "",
        "nat_gateway_id": "",
        "network_interface_id": "",
        "odb_network_arn": "",
        "transit_gateway_id": "",
        "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "",
    });
    block[target_field] = json!(target);
    block
}

/// A Terraform network ACL rule block.
pub fn acl_rule(
    rule_no: i32,
    action: &str,
    protocol: &str,
    cidr: &str,
    ports: (i32, i32),
) -> Value {
    json!({
        "action": action,
        "cidr_block": cidr,
        "from_port": ports.0,
        "icmp_code": 0,
        "icmp_type": 0,
        "ipv6_cidr_block": "",
        "protocol": protocol,
        "rule_no": rule_no,
        "to_port": ports.1,
    })
}

/// `Name` and `ManagedBy` tags.
fn named(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Name", name.to_string()),
        ("ManagedBy", "terraform".into()),
    ]
}

fn as_refs<'a>(t: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    t.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Creates, around what [`seed_region`] made (it needs at least one instance): an internet
/// gateway, a NAT gateway with its Elastic IP, a public and a private route table, a standalone
/// network interface, an Elastic IP on the first instance, a key pair, a launch template and a
/// network ACL on the second subnet; records all of it in `state` as Terraform would.
pub async fn seed_network(
    client: &Client,
    seeded: &Seeded,
    state: &mut TfState,
) -> Result<SeededNetwork> {
    use aws_sdk_ec2::primitives::Blob;
    use aws_sdk_ec2::types::{
        DomainType, Filter, InstanceType, PortRange, RequestLaunchTemplateData, RuleAction,
    };

    let region = seeded.region.as_str();
    let vpc_id = seeded.vpc_id.as_str();

    // Internet gateway.
    let igw_tags = named("main");
    let igw = client
        .create_internet_gateway()
        .tag_specifications(tag_spec(ResourceType::InternetGateway, &as_refs(&igw_tags)))
        .send()
        .await
        .context("CreateInternetGateway")?;
    let igw_id = igw
        .internet_gateway()
        .and_then(|g| g.internet_gateway_id())
        .context("no internet gateway id")?
        .to_string();
    client
        .attach_internet_gateway()
        .internet_gateway_id(&igw_id)
        .vpc_id(vpc_id)
        .send()
        .await
        .context("AttachInternetGateway")?;
    state.add(
        None,
        "aws_internet_gateway",
        "main",
        None,
        json!({
            "arn": arn(region, "internet-gateway", &igw_id),
            "id": igw_id,
            "owner_id": crate::ACCOUNT_ID,
            "tags": tag_map(&as_refs(&igw_tags)),
            "tags_all": tag_map(&as_refs(&igw_tags)),
            "timeouts": null,
            "vpc_id": vpc_id,
        }),
    );

    // Elastic IPs: one for the NAT gateway, one for the first instance.
    let allocate = |name: &'static str| {
        let tags = named(name);
        async move {
            let out = client
                .allocate_address()
                .domain(DomainType::Vpc)
                .tag_specifications(tag_spec(ResourceType::ElasticIp, &as_refs(&tags)))
                .send()
                .await
                .context("AllocateAddress")?;
            let id = out.allocation_id().context("no allocation id")?.to_string();
            anyhow::Ok((id, tags))
        }
    };
    let (nat_eip_id, nat_eip_tags) = allocate("nat").await?;
    let (web_eip_id, web_eip_tags) = allocate("web").await?;

    // NAT gateway in the first subnet.
    let nat_tags = named("egress");
    let nat = client
        .create_nat_gateway()
        .subnet_id(&seeded.subnet_ids[0])
        .allocation_id(&nat_eip_id)
        .tag_specifications(tag_spec(ResourceType::Natgateway, &as_refs(&nat_tags)))
        .send()
        .await
        .context("CreateNatGateway")?;
    let nat = nat.nat_gateway().context("no NAT gateway")?;
    let nat_gateway_id = nat
        .nat_gateway_id()
        .context("no NAT gateway id")?
        .to_string();
    let nat_address = nat.nat_gateway_addresses().first();
    let nat_interface_id = nat_address
        .and_then(|a| a.network_interface_id())
        .context("no NAT gateway interface")?
        .to_string();
    state.add(
        None,
        "aws_nat_gateway",
        "egress",
        None,
        json!({
            "allocation_id": nat_eip_id,
            "association_id": nat_address.and_then(|a| a.association_id()).unwrap_or(""),
            "connectivity_type": "public",
            "id": nat_gateway_id,
            "network_interface_id": nat_interface_id,
            "private_ip": nat_address.and_then(|a| a.private_ip()).unwrap_or(""),
            "public_ip": nat_address.and_then(|a| a.public_ip()).unwrap_or(""),
            "secondary_allocation_ids": [],
            "secondary_private_ip_address_count": 0,
            "secondary_private_ip_addresses": [],
            "subnet_id": seeded.subnet_ids[0],
            "tags": tag_map(&as_refs(&nat_tags)),
            "tags_all": tag_map(&as_refs(&nat_tags)),
            "timeouts": null,
        }),
    );

    // Route tables.
    let mut route_tables = Vec::new();
    for (name, field, target) in [
        ("public", "gateway_id", igw_id.as_str()),
        ("private", "nat_gateway_id", nat_gateway_id.as_str()),
    ] {
        let rt_tags = named(name);
        let rt = client
            .create_route_table()
            .vpc_id(vpc_id)
            .tag_specifications(tag_spec(ResourceType::RouteTable, &as_refs(&rt_tags)))
            .send()
            .await
            .context("CreateRouteTable")?;
        let id = rt
            .route_table()
            .and_then(|t| t.route_table_id())
            .context("no route table id")?
            .to_string();
        let route = client
            .create_route()
            .route_table_id(&id)
            .destination_cidr_block("0.0.0.0/0");
        let route = if field == "gateway_id" {
            route.gateway_id(target)
        } else {
            route.nat_gateway_id(target)
        };
        route.send().await.context("CreateRoute")?;
        state.add(
            None,
            "aws_route_table",
            name,
            None,
            json!({
                "arn": arn(region, "route-table", &id),
                "id": id,
                "owner_id": crate::ACCOUNT_ID,
                "propagating_vgws": [],
                "route": [route_block("0.0.0.0/0", field, target)],
                "tags": tag_map(&as_refs(&rt_tags)),
                "tags_all": tag_map(&as_refs(&rt_tags)),
                "timeouts": null,
                "vpc_id": vpc_id,
            }),
        );
        route_tables.push(id);
    }

    // A standalone network interface.
    let eni_tags = named("app");
    let eni = client
        .create_network_interface()
        .subnet_id(&seeded.subnet_ids[1])
        .groups(&seeded.sg_id)
        .description("app traffic")
        .tag_specifications(tag_spec(
            ResourceType::NetworkInterface,
            &as_refs(&eni_tags),
        ))
        .send()
        .await
        .context("CreateNetworkInterface")?;
    let eni = eni.network_interface().context("no network interface")?;
    let interface_id = eni
        .network_interface_id()
        .context("no network interface id")?
        .to_string();
    let private_ip = eni.private_ip_address().unwrap_or("").to_string();
    state.add(
        None,
        "aws_network_interface",
        "app",
        None,
        json!({
            "arn": arn(region, "network-interface", &interface_id),
            "attachment": [],
            "description": "app traffic",
            "id": interface_id,
            "interface_type": "interface",
            "ipv6_address_count": 0,
            "ipv6_addresses": [],
            "mac_address": eni.mac_address().unwrap_or(""),
            "owner_id": crate::ACCOUNT_ID,
            "private_dns_name": eni.private_dns_name().unwrap_or(""),
            "private_ip": private_ip,
            "private_ip_list": [private_ip],
            "private_ips": [private_ip],
            "private_ips_count": 0,
            "security_groups": [seeded.sg_id],
            "source_dest_check": true,
            "subnet_id": seeded.subnet_ids[1],
            "tags": tag_map(&as_refs(&eni_tags)),
            "tags_all": tag_map(&as_refs(&eni_tags)),
        }),
    );

    // The web Elastic IP on the first instance; then both addresses as Terraform refreshes them.
    let instance_id = seeded
        .instance_ids
        .first()
        .context("seed_network needs an instance")?;
    client
        .associate_address()
        .allocation_id(&web_eip_id)
        .instance_id(instance_id)
        .send()
        .await
        .context("AssociateAddress")?;
    let addresses = client
        .describe_addresses()
        .allocation_ids(&nat_eip_id)
        .allocation_ids(&web_eip_id)
        .send()
        .await
        .context("DescribeAddresses")?;
    for (name, id, tags) in [
        ("nat", &nat_eip_id, &nat_eip_tags),
        ("web", &web_eip_id, &web_eip_tags),
    ] {
        let a = addresses
            .addresses()
            .iter()
            .find(|a| a.allocation_id() == Some(id.as_str()))
            .context("allocated address not listed")?;
        state.add(
            None,
            "aws_eip",
            name,
            None,
            json!({
                "address": null,
                "allocation_id": id,
                "arn": arn(region, "elastic-ip", id),
                "associate_with_private_ip": null,
                "association_id": a.association_id().unwrap_or(""),
                "carrier_ip": "",
                "customer_owned_ip": "",
                "customer_owned_ipv4_pool": "",
                "domain": "vpc",
                "id": id,
                "instance": a.instance_id().unwrap_or(""),
                "ipam_pool_id": null,
                "network_border_group": region,
                "network_interface": a.network_interface_id().unwrap_or(""),
                "private_dns": null,
                "private_ip": a.private_ip_address().unwrap_or(""),
                "ptr_record": "",
                "public_dns": "",
                "public_ip": a.public_ip().unwrap_or(""),
                "public_ipv4_pool": "amazon",
                "tags": tag_map(&as_refs(tags)),
                "tags_all": tag_map(&as_refs(tags)),
                "timeouts": null,
            }),
        );
    }

    // Key pair.
    let key_name = "deployer".to_string();
    let key_tags = named("deployer");
    let key = client
        .import_key_pair()
        .key_name(&key_name)
        .public_key_material(Blob::new(PUBLIC_KEY.as_bytes()))
        .tag_specifications(tag_spec(ResourceType::KeyPair, &as_refs(&key_tags)))
        .send()
        .await
        .context("ImportKeyPair")?;
    state.add(
        None,
        "aws_key_pair",
        "deployer",
        None,
        json!({
            "arn": arn(region, "key-pair", &key_name),
            "fingerprint": key.key_fingerprint().unwrap_or(""),
            "id": key_name,
            "key_name": key_name,
            "key_name_prefix": "",
            "key_pair_id": key.key_pair_id().unwrap_or(""),
            "key_type": "rsa",
            "public_key": PUBLIC_KEY,
            "tags": tag_map(&as_refs(&key_tags)),
            "tags_all": tag_map(&as_refs(&key_tags)),
        }),
    );

    // Launch template.
    let lt_tags = named("web");
    let lt = client
        .create_launch_template()
        .launch_template_name("web")
        .version_description("web servers")
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(AMI)
                .instance_type(InstanceType::from(INSTANCE_TYPE))
                .key_name(&key_name)
                .security_group_ids(&seeded.sg_id)
                .build(),
        )
        .tag_specifications(tag_spec(ResourceType::LaunchTemplate, &as_refs(&lt_tags)))
        .send()
        .await
        .context("CreateLaunchTemplate")?;
    let launch_template_id = lt
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .context("no launch template id")?
        .to_string();
    state.add(
        None,
        "aws_launch_template",
        "web",
        None,
        json!({
            "arn": arn(region, "launch-template", &launch_template_id),
            "block_device_mappings": [],
            "default_version": 1,
            "description": "web servers",
            "disable_api_stop": false,
            "disable_api_termination": false,
            "ebs_optimized": "",
            "id": launch_template_id,
            "image_id": AMI,
            "instance_type": INSTANCE_TYPE,
            "key_name": key_name,
            "latest_version": 1,
            "name": "web",
            "name_prefix": "",
            "network_interfaces": [],
            "security_group_names": [],
            "tags": tag_map(&as_refs(&lt_tags)),
            "tags_all": tag_map(&as_refs(&lt_tags)),
            "update_default_version": null,
            "user_data": "",
            "vpc_security_group_ids": [seeded.sg_id],
        }),
    );

    // Network ACL on the second subnet.
    let acl_tags = named("private");
    let acl = client
        .create_network_acl()
        .vpc_id(vpc_id)
        .tag_specifications(tag_spec(ResourceType::NetworkAcl, &as_refs(&acl_tags)))
        .send()
        .await
        .context("CreateNetworkAcl")?;
    let network_acl_id = acl
        .network_acl()
        .and_then(|a| a.network_acl_id())
        .context("no network ACL id")?
        .to_string();
    for (egress, protocol, cidr, ports) in [
        (false, "6", "10.0.0.0/8", Some((443, 443))),
        (true, "-1", "0.0.0.0/0", None),
    ] {
        client
            .create_network_acl_entry()
            .network_acl_id(&network_acl_id)
            .rule_number(100)
            .egress(egress)
            .protocol(protocol)
            .rule_action(RuleAction::Allow)
            .cidr_block(cidr)
            .set_port_range(ports.map(|(from, to)| PortRange::builder().from(from).to(to).build()))
            .send()
            .await
            .context("CreateNetworkAclEntry")?;
    }
    let current = client
        .describe_network_acls()
        .filters(
            Filter::builder()
                .name("association.subnet-id")
                .values(&seeded.subnet_ids[1])
                .build(),
        )
        .send()
        .await
        .context("DescribeNetworkAcls")?;
    let association_id = current
        .network_acls()
        .iter()
        .flat_map(|a| a.associations())
        .find(|a| a.subnet_id() == Some(seeded.subnet_ids[1].as_str()))
        .and_then(|a| a.network_acl_association_id())
        .context("second subnet has no network ACL association")?
        .to_string();
    client
        .replace_network_acl_association()
        .association_id(association_id)
        .network_acl_id(&network_acl_id)
        .send()
        .await
        .context("ReplaceNetworkAclAssociation")?;
    state.add(
        None,
        "aws_network_acl",
        "private",
        None,
        json!({
            "arn": arn(region, "network-acl", &network_acl_id),
            "egress": [acl_rule(100, "allow", "-1", "0.0.0.0/0", (0, 0))],
            "id": network_acl_id,
            "ingress": [acl_rule(100, "allow", "6", "10.0.0.0/8", (443, 443))],
            "owner_id": crate::ACCOUNT_ID,
            "subnet_ids": [seeded.subnet_ids[1]],
            "tags": tag_map(&as_refs(&acl_tags)),
            "tags_all": tag_map(&as_refs(&acl_tags)),
            "vpc_id": vpc_id,
        }),
    );

    let mut route_tables = route_tables.into_iter();
    Ok(SeededNetwork {
        igw_id,
        public_route_table_id: route_tables.next().context("no public route table")?,
        private_route_table_id: route_tables.next().context("no private route table")?,
        nat_gateway_id,
        nat_eip_id,
        nat_interface_id,
        interface_id,
        web_eip_id,
        key_name,
        launch_template_id,
        network_acl_id,
    })
}

/// What [`seed_security_group_rules`] created.
#[derive(Debug, Clone)]
pub struct SeededRules {
    pub vpc_id: String,
    /// The `app` group, whose rules are managed as separate resources.
    pub group_id: String,
    /// The `bastion` group that one `app` rule references.
    pub bastion_group_id: String,
    /// Ingress: HTTPS from 10.0.0.0/8 (tagged), SSH from the bastion group, DNS over UDP from an
    /// IPv6 range.
    pub https_rule_id: String,
    pub ssh_rule_id: String,
    pub dns_rule_id: String,
    /// Egress: the all-traffic rule AWS creates with the group, adopted by the code.
    pub egress_rule_id: String,
}

/// Creates, in `region`: a VPC with an `app` and a `bastion` security group, and the rules of
/// `app` one by one as `aws_vpc_security_group_ingress_rule`/`egress_rule` resources create
/// them. Records all of it in `state`, the groups with the rules a refresh reads into their
/// `ingress`/`egress`.
pub async fn seed_security_group_rules(
    client: &Client,
    region: &str,
    state: &mut TfState,
) -> Result<SeededRules> {
    use aws_sdk_ec2::types::{Filter, Ipv6Range, UserIdGroupPair};

    let vpc_id = client
        .create_vpc()
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .context("CreateVpc")?
        .vpc()
        .and_then(|v| v.vpc_id())
        .context("no vpc id")?
        .to_string();
    let group = |name: &'static str| {
        let vpc_id = vpc_id.clone();
        async move {
            let id = client
                .create_security_group()
                .group_name(name)
                .description(format!("{name} tier"))
                .vpc_id(&vpc_id)
                .send()
                .await
                .context("CreateSecurityGroup")?
                .group_id()
                .context("no group id")?
                .to_string();
            anyhow::Ok(id)
        }
    };
    let group_id = group("app").await?;
    let bastion_group_id = group("bastion").await?;

    // One permission per call, so each call returns exactly the rule it made.
    let authorize = |perm: IpPermission, tagged: Option<&'static str>| {
        let group_id = group_id.clone();
        async move {
            let mut call = client
                .authorize_security_group_ingress()
                .group_id(&group_id)
                .ip_permissions(perm);
            if let Some(name) = tagged {
                call = call.tag_specifications(tag_spec(
                    ResourceType::SecurityGroupRule,
                    &[("Name", name)],
                ));
            }
            let out = call.send().await.context("AuthorizeSecurityGroupIngress")?;
            let id = out
                .security_group_rules()
                .first()
                .and_then(|r| r.security_group_rule_id())
                .context("no rule id")?
                .to_string();
            anyhow::Ok(id)
        }
    };
    let https_rule_id = authorize(
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .ip_ranges(
                IpRange::builder()
                    .cidr_ip("10.0.0.0/8")
                    .description("https")
                    .build(),
            )
            .build(),
        Some("https"),
    )
    .await?;
    let ssh_rule_id = authorize(
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .user_id_group_pairs(
                UserIdGroupPair::builder()
                    .group_id(&bastion_group_id)
                    .build(),
            )
            .build(),
        None,
    )
    .await?;
    let dns_rule_id = authorize(
        IpPermission::builder()
            .ip_protocol("udp")
            .from_port(53)
            .to_port(53)
            .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:db8::/32").build())
            .build(),
        None,
    )
    .await?;

    // The all-traffic egress rule AWS gives every new group.
    let egress_rule_id = client
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(&group_id).build())
        .send()
        .await
        .context("DescribeSecurityGroupRules")?
        .security_group_rules()
        .iter()
        .find(|r| r.is_egress() == Some(true))
        .and_then(|r| r.security_group_rule_id())
        .context("no default egress rule")?
        .to_string();

    let rule_entry = |kind: &str, name: &str, id: &str, fields: Value| {
        let mut attrs = json!({
            "arn": arn(region, "security-group-rule", id),
            "cidr_ipv4": null,
            "cidr_ipv6": null,
            "description": null,
            "from_port": null,
            "id": id,
            "ip_protocol": "-1",
            "prefix_list_id": null,
            "referenced_security_group_id": null,
            "security_group_id": group_id,
            "security_group_rule_id": id,
            "tags": null,
            "tags_all": {},
            "to_port": null,
        });
        if let (Some(a), Value::Object(f)) = (attrs.as_object_mut(), fields) {
            a.extend(f);
        }
        (
            format!("aws_vpc_security_group_{kind}_rule"),
            name.to_string(),
            attrs,
        )
    };
    let entries = [
        rule_entry(
            "ingress",
            "https",
            &https_rule_id,
            json!({"ip_protocol": "tcp", "from_port": 443, "to_port": 443,
                   "cidr_ipv4": "10.0.0.0/8", "description": "https",
                   "tags": {"Name": "https"}, "tags_all": {"Name": "https"}}),
        ),
        rule_entry(
            "ingress",
            "ssh",
            &ssh_rule_id,
            json!({"ip_protocol": "tcp", "from_port": 22, "to_port": 22,
                   "referenced_security_group_id": bastion_group_id}),
        ),
        rule_entry(
            "ingress",
            "dns",
            &dns_rule_id,
            json!({"ip_protocol": "udp", "from_port": 53, "to_port": 53,
                   "cidr_ipv6": "2001:db8::/32"}),
        ),
        rule_entry(
            "egress",
            "all",
            &egress_rule_id,
            json!({"cidr_ipv4": "0.0.0.0/0"}),
        ),
    ];
    for (resource_type, name, attrs) in entries {
        state.add(None, &resource_type, &name, None, attrs);
    }

    let all_egress = rule("-1", 0, 0, &["0.0.0.0/0"], "");
    let mut ssh = rule("tcp", 22, 22, &[], "");
    ssh["security_groups"] = json!([bastion_group_id]);
    let mut dns = rule("udp", 53, 53, &[], "");
    dns["ipv6_cidr_blocks"] = json!(["2001:db8::/32"]);
    for (name, id, ingress) in [
        (
            "app",
            &group_id,
            json!([rule("tcp", 443, 443, &["10.0.0.0/8"], "https"), ssh, dns]),
        ),
        ("bastion", &bastion_group_id, json!([])),
    ] {
        state.add(
            None,
            "aws_security_group",
            name,
            None,
            json!({
                "arn": arn(region, "security-group", id),
                "description": format!("{name} tier"),
                "egress": [all_egress.clone()],
                "id": id,
                "ingress": ingress,
                "name": name,
                "name_prefix": "",
                "owner_id": crate::ACCOUNT_ID,
                "revoke_rules_on_delete": false,
                "tags": {},
                "tags_all": {},
                "timeouts": null,
                "vpc_id": vpc_id,
            }),
        );
    }

    Ok(SeededRules {
        vpc_id,
        group_id,
        bastion_group_id,
        https_rule_id,
        ssh_rule_id,
        dns_rule_id,
        egress_rule_id,
    })
}

/// Starts an instance that no state records (a `t3.nano` from [`AMI`], as someone would by hand)
/// and returns its id: an unmanaged resource.
pub async fn start_unmanaged_instance(client: &Client) -> Result<String> {
    let out = client
        .run_instances()
        .image_id(AMI)
        .instance_type("t3.nano".into())
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .context("RunInstances (unmanaged)")?;
    Ok(out
        .instances()
        .first()
        .and_then(|i| i.instance_id())
        .context("no instance id")?
        .to_string())
}
