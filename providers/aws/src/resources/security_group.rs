//! `aws_security_group`: name, description, VPC, tags, and the ingress/egress rules in
//! Terraform's block shape (one block per source, so normalization can compare them as sets).
//! The `default` group of every VPC is a cloud default.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, SecurityGroup as SdkGroup};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, Change, ChangeOp, KindListing, ListError, Resource, ResourceKind, RuleLayout,
    RuleSource, Shape, Tier, TierHint, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SecurityGroup;

/// Terraform's `ingress`/`egress` block: a protocol, a port range and a description shared by
/// every source the block lists (CIDR blocks, IPv6 CIDR blocks, prefix lists, other groups) or
/// flags (`self`, the group itself).
static RULE_BLOCK: RuleLayout = RuleLayout {
    protocol: "protocol",
    from_port: "from_port",
    to_port: "to_port",
    description: "description",
    sources: &[
        RuleSource::Cidrs("cidr_blocks"),
        RuleSource::Cidrs("ipv6_cidr_blocks"),
        RuleSource::Ids("prefix_list_ids"),
        RuleSource::Ids("security_groups"),
    ],
    self_source: "self",
};

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_security_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("ingress", Shape::RuleSet(&RULE_BLOCK)).tier(TierHint::Rule(opens_to_world)),
        AttrSpec::new("egress", Shape::RuleSet(&RULE_BLOCK)),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: generates name at create; name is compared",
        ),
        UncomparedAttr::new(
            "revoke_rules_on_delete",
            "Terraform-side only: acts when Terraform destroys the group",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// A rule added (or changed) that lets the whole internet in (`0.0.0.0/0`, `::/0`), on any port:
/// critical. Closing such a rule is a change like any other.
fn opens_to_world(c: &Change) -> Option<Tier> {
    const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];
    let open = ["cidr_blocks", "ipv6_cidr_blocks"].iter().any(|k| {
        c.actual
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|s| WORLD.contains(&s.as_str().unwrap_or(""))))
    });
    (c.op != ChangeOp::Remove && open).then_some(Tier::Critical)
}

/// One Terraform rule block per source of an AWS permission.
fn rules(perms: &[IpPermission], own_id: &str) -> Value {
    let mut out = Vec::new();
    for p in perms {
        let block = |source_key: &str, source: Value, description: Option<&str>| {
            json!({
                "protocol": p.ip_protocol().unwrap_or("-1"),
                "from_port": p.from_port().unwrap_or(0),
                "to_port": p.to_port().unwrap_or(0),
                source_key: source,
                "description": description.unwrap_or(""),
            })
        };
        for r in p.ip_ranges() {
            if let Some(c) = r.cidr_ip() {
                out.push(block("cidr_blocks", json!([c]), r.description()));
            }
        }
        for r in p.ipv6_ranges() {
            if let Some(c) = r.cidr_ipv6() {
                out.push(block("ipv6_cidr_blocks", json!([c]), r.description()));
            }
        }
        for r in p.prefix_list_ids() {
            if let Some(id) = r.prefix_list_id() {
                out.push(block("prefix_list_ids", json!([id]), r.description()));
            }
        }
        for r in p.user_id_group_pairs() {
            match r.group_id() {
                Some(g) if g == own_id => out.push(block("self", json!(true), r.description())),
                Some(g) => out.push(block("security_groups", json!([g]), r.description())),
                None => {}
            }
        }
    }
    Value::Array(out)
}

fn map(g: &SdkGroup, region: &str) -> Option<Resource> {
    let id = g.group_id()?;
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "name": opt_str(g.group_name()),
            "description": opt_str(g.description()),
            "vpc_id": opt_str(g.vpc_id()),
            "ingress": rules(g.ip_permissions(), id),
            "egress": rules(g.ip_permissions_egress(), id),
            "tags": tags_value(g.tags()),
        }),
    );
    r.cloud_default = g.group_name() == Some("default");
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for SecurityGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_security_groups().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeSecurityGroups", &e))?;
            out.resources
                .extend(page.security_groups().iter().filter_map(|g| map(g, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{IpRange, UserIdGroupPair};
    use driftd_core::tier::default_tier;
    use driftd_core::FindingKind;

    #[test]
    fn rules_become_terraform_blocks_equal_to_state() {
        let g = SdkGroup::builder()
            .group_id("sg-1")
            .group_name("web")
            .vpc_id("vpc-1")
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                    .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").build())
                    .build(),
            )
            .build();
        let r = map(&g, "us-east-1").unwrap();
        assert!(!r.cloud_default);
        let state = json!([
            {"cidr_blocks": ["192.168.0.0/16", "10.0.0.0/8"], "description": "", "from_port": 443,
             "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
             "security_groups": [], "self": true, "to_port": 443}
        ]);
        assert_eq!(
            SPEC.normalize(Shape::RuleSet(&RULE_BLOCK), &r.attrs["ingress"]),
            SPEC.normalize(Shape::RuleSet(&RULE_BLOCK), &state)
        );
        assert_eq!(
            SPEC.normalize(Shape::RuleSet(&RULE_BLOCK), &r.attrs["egress"]),
            None
        );
    }

    fn tier(changes: &[Change]) -> Tier {
        default_tier(Some(&SPEC), FindingKind::Changed, changes)
    }

    #[test]
    fn ingress_open_to_world_is_critical() {
        for cidr in [
            json!({"cidr_blocks": ["0.0.0.0/0"]}),
            json!({"ipv6_cidr_blocks": ["::/0"]}),
        ] {
            let c = Change::new("ingress", ChangeOp::Add, Value::Null, cidr);
            assert_eq!(tier(&[c]), Tier::Critical);
        }
        let narrow = json!({"cidr_blocks": ["10.0.0.0/8"]});
        let narrow = Change::new("ingress", ChangeOp::Add, Value::Null, narrow);
        assert_eq!(tier(&[narrow]), Tier::Warning);
        // Closing a world-open rule is a change, not an emergency.
        let world = json!({"cidr_blocks": ["0.0.0.0/0"]});
        let closed = Change::new("ingress", ChangeOp::Remove, world.clone(), Value::Null);
        assert_eq!(tier(&[closed]), Tier::Warning);
        // Egress to the world is how most groups start.
        let egress = Change::new("egress", ChangeOp::Add, Value::Null, world);
        assert_eq!(tier(&[egress]), Tier::Warning);
    }
}
