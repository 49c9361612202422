//! `aws_vpc_security_group_ingress_rule`: one security group rule as its own resource, keyed by
//! the rule id (`sgr-...`) that Terraform stores as `id`, with the attributes the Terraform AWS
//! provider writes: `ip_protocol` as AWS reports it (`-1` for all traffic, with null ports),
//! exactly one of `cidr_ipv4`, `cidr_ipv6`, `prefix_list_id` and `referenced_security_group_id`,
//! the description and the tags. The listing ([`list_rules`]) is shared with
//! `aws_vpc_security_group_egress_rule`, which differs only by direction.
//!
//! Unmanaged rules: every rule AWS lists is also part of its group's `ingress`/`egress`, which
//! `aws_security_group` already compares (a rule added out of band to a managed group is a change
//! of that group). Most groups manage their rules inline, so reporting every rule without a state
//! entry of this type would report each of them twice, once as a false "unmanaged". Every listed
//! rule is therefore a cloud default ([`Resource::cloud_default`]): rules in state are matched,
//! compared and found missing as usual, but a rule no state entry of this type holds is not
//! reported on its own unless the target sets `include_cloud_defaults`. Reporting them only when
//! the target's state holds at least one resource of the type needs the analyzer to know which
//! types the state holds, which no listing can see.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::SecurityGroupRule;
use aws_sdk_ec2::Client;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct VpcSecurityGroupIngressRule;

/// The compared attributes of both rule types.
pub(super) const RULE_ATTRS: &[AttrSpec] = &[
    AttrSpec::new("security_group_id", Shape::Scalar),
    AttrSpec::new("ip_protocol", Shape::Scalar),
    AttrSpec::new("from_port", Shape::Scalar),
    AttrSpec::new("to_port", Shape::Scalar),
    AttrSpec::new("cidr_ipv4", Shape::Scalar),
    AttrSpec::new("cidr_ipv6", Shape::Scalar),
    AttrSpec::new("prefix_list_id", Shape::Scalar),
    AttrSpec::new("referenced_security_group_id", Shape::Scalar),
    AttrSpec::new("description", Shape::Scalar),
    TAGS,
];

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc_security_group_ingress_rule",
    attrs: RULE_ATTRS,
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

/// The protocol as Terraform records it: AWS's name in lower case, `-1` for all traffic.
fn protocol(p: Option<&str>) -> String {
    match p.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("all") | Some("-1") => "-1".to_string(),
        Some(other) => other.to_string(),
    }
}

/// The referenced group as Terraform writes it: `sg-...`, or `account/sg-...` for a group of
/// another account.
fn referenced_group(r: &SecurityGroupRule) -> Value {
    let Some(info) = r.referenced_group_info() else {
        return Value::Null;
    };
    match (info.group_id(), info.user_id(), r.group_owner_id()) {
        (Some(g), Some(user), Some(owner)) if user != owner => json!(format!("{user}/{g}")),
        (g, _, _) => opt_str(g),
    }
}

/// Maps one rule of type `resource_type`, or `None` for a rule without an id.
pub(super) fn map(r: &SecurityGroupRule, resource_type: &str, region: &str) -> Option<Resource> {
    let id = r.security_group_rule_id()?;
    let ip_protocol = protocol(r.ip_protocol());
    // Terraform leaves the ports of an all-traffic rule null; AWS reports -1.
    let port = |p: Option<i32>| match p {
        Some(p) if ip_protocol != "-1" => json!(p),
        _ => Value::Null,
    };
    let mut res = resource(
        resource_type,
        id,
        region,
        json!({
            "security_group_id": opt_str(r.group_id()),
            "ip_protocol": ip_protocol,
            "from_port": port(r.from_port()),
            "to_port": port(r.to_port()),
            "cidr_ipv4": opt_str(r.cidr_ipv4()),
            "cidr_ipv6": opt_str(r.cidr_ipv6()),
            "prefix_list_id": opt_str(r.prefix_list_id()),
            "referenced_security_group_id": referenced_group(r),
            "description": opt_str(r.description()),
            "tags": tags_value(r.tags()),
        }),
    );
    // See the module doc: a rule is reported on its own only when state holds it. This covers
    // the rules AWS writes into every `default` group too.
    res.cloud_default = true;
    Some(res)
}

/// Lists the rules of one direction (`egress` or not) of every group in the region.
pub(super) async fn list_rules(
    client: &Client,
    region: &str,
    resource_type: &str,
    egress: bool,
) -> Result<KindListing, ListError> {
    let mut out = KindListing::default();
    let mut pages = client
        .describe_security_group_rules()
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("DescribeSecurityGroupRules", &e))?;
        out.resources.extend(
            page.security_group_rules()
                .iter()
                .filter(|r| r.is_egress() == Some(egress))
                .filter_map(|r| map(r, resource_type, region)),
        );
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Client> for VpcSecurityGroupIngressRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        list_rules(client, region, SPEC.resource_type, false).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{ReferencedSecurityGroup, Tag};

    #[test]
    fn rule_maps_to_terraform_attributes() {
        let r = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-1")
            .group_id("sg-1")
            .group_owner_id("111111111111")
            .is_egress(false)
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .cidr_ipv4("10.0.0.0/8")
            .description("https")
            .tags(Tag::builder().key("Name").value("web").build())
            .build();
        let res = map(&r, SPEC.resource_type, "us-east-1").unwrap();
        assert_eq!(res.key.id, "sgr-1");
        assert_eq!(res.key.resource_type, "aws_vpc_security_group_ingress_rule");
        assert!(res.cloud_default);
        // Exactly as the state records it (tags aside, which the spec compares per key).
        let state = json!({
            "security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 443, "to_port": 443,
            "cidr_ipv4": "10.0.0.0/8", "cidr_ipv6": null, "prefix_list_id": null,
            "referenced_security_group_id": null, "description": "https",
        });
        for (k, v) in state.as_object().unwrap() {
            assert_eq!(
                SPEC.normalize(Shape::Scalar, &res.attrs[k]),
                SPEC.normalize(Shape::Scalar, v),
                "{k}"
            );
        }
        assert_eq!(res.attrs["tags"], json!({"Name": "web"}));
    }

    #[test]
    fn all_traffic_has_null_ports_and_groups_of_other_accounts_are_prefixed() {
        let referenced = |user: &str| {
            SecurityGroupRule::builder()
                .security_group_rule_id("sgr-2")
                .group_id("sg-1")
                .group_owner_id("111111111111")
                .ip_protocol("-1")
                .from_port(-1)
                .to_port(-1)
                .referenced_group_info(
                    ReferencedSecurityGroup::builder()
                        .group_id("sg-9")
                        .user_id(user)
                        .build(),
                )
                .build()
        };
        let own = map(&referenced("111111111111"), SPEC.resource_type, "us-east-1").unwrap();
        assert_eq!(own.attrs["ip_protocol"], json!("-1"));
        assert_eq!(own.attrs["from_port"], Value::Null);
        assert_eq!(own.attrs["to_port"], Value::Null);
        assert_eq!(own.attrs["referenced_security_group_id"], json!("sg-9"));
        assert_eq!(
            SPEC.normalize(Shape::Scalar, &own.attrs["description"]),
            None
        );
        let other = map(&referenced("222222222222"), SPEC.resource_type, "us-east-1").unwrap();
        assert_eq!(
            other.attrs["referenced_security_group_id"],
            json!("222222222222/sg-9")
        );

        // ICMP keeps its -1 ("every type and code"), as Terraform does.
        let icmp = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-3")
            .ip_protocol("ICMP")
            .from_port(-1)
            .to_port(-1)
            .build();
        let icmp = map(&icmp, SPEC.resource_type, "us-east-1").unwrap();
        assert_eq!(icmp.attrs["ip_protocol"], json!("icmp"));
        assert_eq!(icmp.attrs["from_port"], json!(-1));
        assert!(map(
            &SecurityGroupRule::builder().build(),
            SPEC.resource_type,
            "r"
        )
        .is_none());
    }
}
