//! `aws_network_acl`: VPC, associated subnets, ingress and egress rules, and tags. Rules are sets
//! of Terraform `ingress`/`egress` blocks as Terraform writes them (protocol as its number, `0`
//! for ports and ICMP fields a rule has none of, `""` for the CIDR it has none of), without the
//! default deny-all rules AWS adds to every ACL (rule 32767, and 32768 for IPv6), which Terraform
//! leaves out too. The default ACL of a VPC is a cloud default.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{NetworkAcl as SdkAcl, NetworkAclEntry};
use aws_sdk_ec2::Client;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct NetworkAcl;

/// The rule numbers of the deny-all rules AWS adds (IPv4, IPv6).
const DEFAULT_RULES: [i32; 2] = [32767, 32768];

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_network_acl",
    attrs: &[
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("subnet_ids", Shape::Set),
        AttrSpec::new("ingress", Shape::Set),
        AttrSpec::new("egress", Shape::Set),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

/// The protocol number Terraform records: the ACL API speaks numbers, but accepts names.
fn protocol_number(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1",
        "tcp" => "6",
        "udp" => "17",
        "icmp" => "1",
        "icmpv6" => "58",
        _ => p,
    }
    .to_string()
}

/// One Terraform rule block, or `None` for a default deny-all rule.
fn rule(e: &NetworkAclEntry) -> Option<Value> {
    let number = e.rule_number()?;
    if DEFAULT_RULES.contains(&number) {
        return None;
    }
    let ports = e.port_range();
    let icmp = e.icmp_type_code();
    Some(json!({
        "action": e.rule_action().map(|a| a.as_str()).unwrap_or(""),
        "cidr_block": e.cidr_block().unwrap_or(""),
        "from_port": ports.and_then(|p| p.from()).unwrap_or(0),
        "icmp_code": icmp.and_then(|i| i.code()).unwrap_or(0),
        "icmp_type": icmp.and_then(|i| i.r#type()).unwrap_or(0),
        "ipv6_cidr_block": e.ipv6_cidr_block().unwrap_or(""),
        "protocol": protocol_number(e.protocol().unwrap_or("-1")),
        "rule_no": number,
        "to_port": ports.and_then(|p| p.to()).unwrap_or(0),
    }))
}

fn map(a: &SdkAcl, region: &str) -> Option<Resource> {
    let id = a.network_acl_id()?;
    let (mut ingress, mut egress) = (Vec::new(), Vec::new());
    for e in a.entries() {
        if let Some(block) = rule(e) {
            if e.egress() == Some(true) {
                egress.push(block);
            } else {
                ingress.push(block);
            }
        }
    }
    let subnets: Vec<Value> = a
        .associations()
        .iter()
        .filter_map(|s| s.subnet_id().map(|s| Value::String(s.to_string())))
        .collect();
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "vpc_id": opt_str(a.vpc_id()),
            "subnet_ids": subnets,
            "ingress": ingress,
            "egress": egress,
            "tags": tags_value(a.tags()),
        }),
    );
    r.cloud_default = a.is_default() == Some(true);
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for NetworkAcl {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_network_acls().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeNetworkAcls", &e))?;
            out.resources
                .extend(page.network_acls().iter().filter_map(|a| map(a, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{NetworkAclAssociation, PortRange, RuleAction};

    fn entry(
        number: i32,
        egress: bool,
        protocol: &str,
        ports: Option<(i32, i32)>,
    ) -> NetworkAclEntry {
        NetworkAclEntry::builder()
            .rule_number(number)
            .egress(egress)
            .protocol(protocol)
            .rule_action(RuleAction::Allow)
            .cidr_block("0.0.0.0/0")
            .set_port_range(ports.map(|(f, t)| PortRange::builder().from(f).to(t).build()))
            .build()
    }

    #[test]
    fn rules_are_terraform_blocks_without_default_deny() {
        let a = SdkAcl::builder()
            .network_acl_id("acl-1")
            .vpc_id("vpc-1")
            .is_default(false)
            .entries(entry(100, false, "6", Some((443, 443))))
            .entries(entry(32767, false, "-1", None))
            .entries(entry(100, true, "all", None))
            .entries(entry(32767, true, "-1", None))
            .associations(
                NetworkAclAssociation::builder()
                    .subnet_id("subnet-1")
                    .build(),
            )
            .build();
        let r = map(&a, "us-east-1").unwrap();
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["vpc_id"], json!("vpc-1"));
        assert_eq!(r.attrs["subnet_ids"], json!(["subnet-1"]));
        // Exactly as the state records them.
        let state_ingress = json!([{
            "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 443, "icmp_code": 0,
            "icmp_type": 0, "ipv6_cidr_block": "", "protocol": "6", "rule_no": 100, "to_port": 443
        }]);
        let state_egress = json!([{
            "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 0, "icmp_code": 0,
            "icmp_type": 0, "ipv6_cidr_block": "", "protocol": "-1", "rule_no": 100, "to_port": 0
        }]);
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["ingress"]),
            SPEC.normalize(Shape::Set, &state_ingress)
        );
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["egress"]),
            SPEC.normalize(Shape::Set, &state_egress)
        );

        let default = SdkAcl::builder()
            .network_acl_id("acl-2")
            .is_default(true)
            .build();
        assert!(map(&default, "us-east-1").unwrap().cloud_default);
    }
}
