//! Synthetic but realistically shaped AWS resources: the attribute sets Terraform's AWS provider
//! writes to state, and whole tfstate v4 documents built from them.
//!
//! Everything is derived from a seed, so two runs measure the same bytes.

use serde_json::{json, Map, Value};

/// xorshift64: deterministic and dependency-free; statistical quality does not matter here.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

pub const ACCOUNT: &str = "123456789012";
pub const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const INSTANCE_TYPES: [&str; 6] = [
    "t3.micro",
    "t3.small",
    "t3.medium",
    "m5.large",
    "m6i.xlarge",
    "c6g.2xlarge",
];
const AMIS: [&str; 3] = [
    "ami-0c7217cdde317cfec",
    "ami-0a3c3a20c09d6f377",
    "ami-05fb0b8c1424f266b",
];
const TEAMS: [&str; 4] = ["payments", "search", "platform", "growth"];

/// An AWS-style id: prefix plus 17 hex digits.
pub fn aws_id(prefix: &str, n: u64) -> String {
    format!("{prefix}-0{:016x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn zone(region: &str, n: u64) -> String {
    let letter = ["a", "b", "c"][(n % 3) as usize];
    format!("{region}{letter}")
}

fn arn(region: &str, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{ACCOUNT}:{kind}/{id}")
}

pub fn tags(name: &str, team: &str) -> Value {
    json!({"Name": name, "Team": team})
}

/// `tags` plus the provider's `default_tags`, as Terraform stores `tags_all`.
pub fn tags_all(name: &str, team: &str) -> Value {
    json!({"Environment": "prod", "ManagedBy": "terraform", "Name": name, "Team": team})
}

pub fn vpc(id: &str, region: &str, n: u64) -> Value {
    let name = format!("vpc-{n}");
    json!({
        "arn": arn(region, "vpc", id),
        "assign_generated_ipv6_cidr_block": false,
        "cidr_block": format!("10.{}.0.0/16", n % 256),
        "default_network_acl_id": aws_id("acl", n),
        "default_route_table_id": aws_id("rtb", n),
        "default_security_group_id": aws_id("sg", n ^ 0xdead),
        "dhcp_options_id": aws_id("dopt", 1),
        "enable_dns_hostnames": true,
        "enable_dns_support": true,
        "enable_network_address_usage_metrics": false,
        "id": id,
        "instance_tenancy": "default",
        "ipv4_ipam_pool_id": null,
        "ipv4_netmask_length": null,
        "ipv6_association_id": "",
        "ipv6_cidr_block": "",
        "ipv6_cidr_block_network_border_group": "",
        "ipv6_ipam_pool_id": "",
        "ipv6_netmask_length": 0,
        "main_route_table_id": aws_id("rtb", n),
        "owner_id": ACCOUNT,
        "tags": tags(&name, "platform"),
        "tags_all": tags_all(&name, "platform"),
    })
}

pub fn subnet(id: &str, vpc_id: &str, region: &str, n: u64) -> Value {
    let name = format!("private-{n}");
    json!({
        "arn": arn(region, "subnet", id),
        "assign_ipv6_address_on_creation": false,
        "availability_zone": zone(region, n),
        "availability_zone_id": format!("use1-az{}", n % 6 + 1),
        "cidr_block": format!("10.{}.{}.0/20", n % 256, (n % 16) * 16),
        "customer_owned_ipv4_pool": "",
        "enable_dns64": false,
        "enable_lni_at_device_index": 0,
        "enable_resource_name_dns_a_record_on_launch": false,
        "enable_resource_name_dns_aaaa_record_on_launch": false,
        "id": id,
        "ipv6_cidr_block": "",
        "ipv6_cidr_block_association_id": "",
        "ipv6_native": false,
        "map_customer_owned_ip_on_launch": false,
        "map_public_ip_on_launch": false,
        "outpost_arn": "",
        "owner_id": ACCOUNT,
        "private_dns_hostname_type_on_launch": "ip-name",
        "tags": tags(&name, "platform"),
        "tags_all": tags_all(&name, "platform"),
        "timeouts": null,
        "vpc_id": vpc_id,
    })
}

/// One `ingress`/`egress` block with every field Terraform writes.
pub fn rule(protocol: &str, from: i64, to: i64, cidrs: &[String], description: &str) -> Value {
    json!({
        "cidr_blocks": cidrs,
        "description": description,
        "from_port": from,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": [],
        "self": false,
        "to_port": to,
    })
}

/// Ingress blocks of a security group: 1 to 5 rules with 1 to 3 source CIDRs each.
pub fn ingress_rules(rng: &mut Rng) -> Vec<Value> {
    const PORTS: [(i64, &str); 6] = [
        (443, "HTTPS"),
        (80, "HTTP"),
        (22, "SSH from the office"),
        (5432, "PostgreSQL"),
        (6379, "Redis"),
        (8080, "From the load balancer"),
    ];
    let count = rng.below(5) + 1;
    (0..count)
        .map(|i| {
            let (port, description) = PORTS[((rng.next() + i) % PORTS.len() as u64) as usize];
            let cidrs: Vec<String> = (0..rng.below(3) + 1)
                .map(|_| format!("10.{}.{}.0/24", rng.below(256), rng.below(256)))
                .collect();
            rule("tcp", port, port, &cidrs, description)
        })
        .collect()
}

pub fn egress_rules() -> Vec<Value> {
    vec![rule("-1", 0, 0, &["0.0.0.0/0".to_string()], "")]
}

pub fn security_group(
    id: &str,
    vpc_id: &str,
    region: &str,
    n: u64,
    ingress: Vec<Value>,
    egress: Vec<Value>,
) -> Value {
    let name = format!("app-{n}");
    json!({
        "arn": arn(region, "security-group", id),
        "description": "Managed by Terraform",
        "egress": egress,
        "id": id,
        "ingress": ingress,
        "name": name,
        "name_prefix": "",
        "owner_id": ACCOUNT,
        "revoke_rules_on_delete": false,
        "tags": tags(&name, "platform"),
        "tags_all": tags_all(&name, "platform"),
        "timeouts": null,
        "vpc_id": vpc_id,
    })
}

pub struct InstanceArgs<'a> {
    pub id: &'a str,
    pub region: &'a str,
    pub subnet_id: &'a str,
    pub security_group_ids: &'a [String],
    pub n: u64,
}

pub fn instance(a: &InstanceArgs<'_>, rng: &mut Rng) -> Value {
    let name = format!("web-{}", a.n);
    let team = rng.pick(&TEAMS);
    let ip = format!("10.{}.{}.{}", a.n % 256, rng.below(256), rng.below(254) + 1);
    let region = a.region;
    json!({
        "ami": rng.pick(&AMIS),
        "arn": arn(region, "instance", a.id),
        "associate_public_ip_address": false,
        "availability_zone": zone(region, a.n),
        "capacity_reservation_specification": [
            {"capacity_reservation_preference": "open", "capacity_reservation_target": []}
        ],
        "cpu_core_count": 1,
        "cpu_options": [{"amd_sev_snp": "", "core_count": 1, "threads_per_core": 2}],
        "cpu_threads_per_core": 2,
        "credit_specification": [{"cpu_credits": "unlimited"}],
        "disable_api_stop": false,
        "disable_api_termination": false,
        "ebs_block_device": [],
        "ebs_optimized": false,
        "enclave_options": [{"enabled": false}],
        "ephemeral_block_device": [],
        "get_password_data": false,
        "hibernation": false,
        "host_id": "",
        "host_resource_group_arn": null,
        "iam_instance_profile": "",
        "id": a.id,
        "instance_initiated_shutdown_behavior": "stop",
        "instance_lifecycle": "",
        "instance_market_options": [],
        "instance_state": "running",
        "instance_type": rng.pick(&INSTANCE_TYPES),
        "ipv6_address_count": 0,
        "ipv6_addresses": [],
        "key_name": "ops-2024",
        "launch_template": [],
        "maintenance_options": [{"auto_recovery": "default"}],
        "metadata_options": [{
            "http_endpoint": "enabled",
            "http_protocol_ipv6": "disabled",
            "http_put_response_hop_limit": 2,
            "http_tokens": "required",
            "instance_metadata_tags": "disabled"
        }],
        "monitoring": false,
        "network_interface": [],
        "outpost_arn": "",
        "password_data": "",
        "placement_group": "",
        "placement_partition_number": 0,
        "primary_network_interface_id": aws_id("eni", a.n),
        "private_dns": format!("ip-{}.{region}.compute.internal", ip.replace('.', "-")),
        "private_dns_name_options": [{
            "enable_resource_name_dns_a_record": false,
            "enable_resource_name_dns_aaaa_record": false,
            "hostname_type": "ip-name"
        }],
        "private_ip": ip,
        "public_dns": "",
        "public_ip": "",
        "root_block_device": [{
            "delete_on_termination": true,
            "device_name": "/dev/xvda",
            "encrypted": true,
            "iops": 3000,
            "kms_key_id": format!("arn:aws:kms:{region}:{ACCOUNT}:key/6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f"),
            "tags": {},
            "tags_all": {},
            "throughput": 125,
            "volume_id": aws_id("vol", a.n ^ 0xbeef),
            "volume_size": 20,
            "volume_type": "gp3"
        }],
        "secondary_private_ips": [],
        "security_groups": [],
        "source_dest_check": true,
        "spot_instance_request_id": "",
        "subnet_id": a.subnet_id,
        "tags": tags(&name, team),
        "tags_all": tags_all(&name, team),
        "tenancy": "default",
        "timeouts": null,
        "user_data": "4d1bd2b0ec1b7bb2f6e5a5e6b5d4c3b2a1f0e9d8",
        "user_data_base64": null,
        "user_data_replace_on_change": false,
        "volume_tags": null,
        "vpc_security_group_ids": a.security_group_ids,
    })
}

pub fn ebs_volume(id: &str, region: &str, n: u64, rng: &mut Rng) -> Value {
    let name = format!("data-{n}");
    let size = [20, 50, 100, 500][rng.below(4) as usize];
    json!({
        "arn": arn(region, "volume", id),
        "availability_zone": zone(region, n),
        "encrypted": true,
        "final_snapshot": false,
        "id": id,
        "iops": 3000,
        "kms_key_id": format!("arn:aws:kms:{region}:{ACCOUNT}:key/6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f"),
        "multi_attach_enabled": false,
        "outpost_arn": "",
        "size": size,
        "snapshot_id": "",
        "tags": tags(&name, "platform"),
        "tags_all": tags_all(&name, "platform"),
        "throughput": 125,
        "timeouts": null,
        "type": "gp3",
    })
}

fn instance_object(index_key: Option<Value>, attributes: Value, private: &str) -> Value {
    let mut o = Map::new();
    if let Some(key) = index_key {
        o.insert("index_key".into(), key);
    }
    o.insert("schema_version".into(), json!(1));
    o.insert("attributes".into(), attributes);
    o.insert("sensitive_attributes".into(), json!([]));
    o.insert("private".into(), json!(private));
    Value::Object(o)
}

fn resource_block(
    module: Option<&str>,
    mode: &str,
    resource_type: &str,
    name: &str,
    instances: Vec<Value>,
) -> Value {
    let mut o = Map::new();
    if let Some(module) = module {
        o.insert("module".into(), json!(module));
    }
    o.insert("mode".into(), json!(mode));
    o.insert("type".into(), json!(resource_type));
    o.insert("name".into(), json!(name));
    o.insert(
        "provider".into(),
        json!("provider[\"registry.terraform.io/hashicorp/aws\"]"),
    );
    o.insert("instances".into(), Value::Array(instances));
    Value::Object(o)
}

const PRIVATE: &str = "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==";

/// One service's worth of state: a module (nested for some) holding a VPC, three subnets
/// (`count`), two security groups, eight instances (`count`) with a data volume each, two
/// `for_each` instances, and a data source.
fn service(g: u64, rng: &mut Rng, out: &mut Vec<Value>) -> usize {
    let region = REGIONS[(g % REGIONS.len() as u64) as usize];
    let module = match g % 3 {
        0 => None,
        1 => Some(format!("module.svc{g}")),
        _ => Some(format!("module.svc{g}.module.compute[\"{region}\"]")),
    };
    let module = module.as_deref();
    let base = g * 100;
    let vpc_id = aws_id("vpc", base);
    let subnet_ids: Vec<String> = (0..3).map(|i| aws_id("subnet", base + i)).collect();
    let sg_ids: Vec<String> = (0..2).map(|i| aws_id("sg", base + i)).collect();
    let mut count = 0;
    let mut push = |block: Value, n: usize| {
        out.push(block);
        count += n;
    };

    push(
        resource_block(
            module,
            "managed",
            "aws_vpc",
            "main",
            vec![instance_object(None, vpc(&vpc_id, region, g), PRIVATE)],
        ),
        1,
    );
    let subnets = subnet_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            instance_object(
                Some(json!(i)),
                subnet(id, &vpc_id, region, base + i as u64),
                PRIVATE,
            )
        })
        .collect();
    push(
        resource_block(module, "managed", "aws_subnet", "private", subnets),
        3,
    );
    for (i, id) in sg_ids.iter().enumerate() {
        let sg = security_group(
            id,
            &vpc_id,
            region,
            base + i as u64,
            ingress_rules(rng),
            egress_rules(),
        );
        push(
            resource_block(
                module,
                "managed",
                "aws_security_group",
                ["app", "db"][i],
                vec![instance_object(None, sg, PRIVATE)],
            ),
            1,
        );
    }
    let instances = (0..8)
        .map(|i| {
            let n = base + i;
            let args = InstanceArgs {
                id: &aws_id("i", n),
                region,
                subnet_id: &subnet_ids[(i % 3) as usize],
                security_group_ids: &sg_ids,
                n,
            };
            instance_object(Some(json!(i)), instance(&args, rng), PRIVATE)
        })
        .collect();
    push(
        resource_block(module, "managed", "aws_instance", "web", instances),
        8,
    );
    let volumes = (0..8)
        .map(|i| {
            let n = base + i;
            instance_object(
                Some(json!(i)),
                ebs_volume(&aws_id("vol", n), region, n, rng),
                PRIVATE,
            )
        })
        .collect();
    push(
        resource_block(module, "managed", "aws_ebs_volume", "data", volumes),
        8,
    );
    let workers = ["blue", "green"]
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let n = base + 50 + i as u64;
            let args = InstanceArgs {
                id: &aws_id("i", n),
                region,
                subnet_id: &subnet_ids[i],
                security_group_ids: &sg_ids[..1],
                n,
            };
            instance_object(Some(json!(key)), instance(&args, rng), PRIVATE)
        })
        .collect();
    push(
        resource_block(module, "managed", "aws_instance", "worker", workers),
        2,
    );
    let ami = json!({
        "architecture": "x86_64",
        "arn": format!("arn:aws:ec2:{region}::image/ami-0c7217cdde317cfec"),
        "id": "ami-0c7217cdde317cfec",
        "most_recent": true,
        "name": "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240111",
        "owners": ["099720109477"],
    });
    push(
        resource_block(
            module,
            "data",
            "aws_ami",
            "ubuntu",
            vec![instance_object(None, ami, "")],
        ),
        0,
    );
    count
}

/// A tfstate v4 document of about `target_bytes`, pretty-printed with two spaces as Terraform
/// writes it. Returns the bytes and the number of managed resource instances in it.
pub fn tfstate(target_bytes: usize) -> (Vec<u8>, usize) {
    // Size one service first, then build as many as fit.
    let (sample, _) = build_state(1);
    let services = (target_bytes / sample.len().max(1)).max(1) as u64;
    build_state(services)
}

fn build_state(services: u64) -> (Vec<u8>, usize) {
    let mut rng = Rng::new(0x5eed);
    let mut resources = Vec::new();
    let mut count = 0;
    for g in 0..services {
        count += service(g, &mut rng, &mut resources);
    }
    let state = json!({
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 1234,
        "lineage": "0e3f8a4c-1d2b-4c5e-9f6a-7b8c9d0e1f2a",
        "outputs": {"vpc_id": {"value": aws_id("vpc", 0), "type": "string"}},
        "resources": resources,
        "check_results": null,
    });
    // Serializing a Value cannot fail: every key is a string.
    let bytes = serde_json::to_vec_pretty(&state).unwrap_or_default();
    (bytes, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_state_parses_with_every_resource() {
        let (bytes, count) = tfstate(300_000);
        assert!(bytes.len() > 200_000, "{}", bytes.len());
        let state = driftd_iac::parse_state(&bytes, "gen.tfstate").expect("generated state parses");
        assert_eq!(state.resources.len(), count);
        assert!(state.data_sources > 0);
        assert!(state.resources.iter().any(|r| r
            .address
            .as_deref()
            .is_some_and(|a| a.contains("[\"blue\"]"))));
        assert!(state.resources.iter().all(|r| r.region.is_some()));
    }
}
