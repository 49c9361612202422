//! `aws_vpc_security_group_egress_rule`: one outbound security group rule as its own resource.
//! The same attributes, listing and unmanaged policy as `aws_vpc_security_group_ingress_rule`
//! (see there); only the direction differs.

use super::vpc_security_group_ingress_rule::{list_rules, RULE_ATTRS};
use super::AWS_GENERATED_TAGS;
use async_trait::async_trait;
use aws_sdk_ec2::Client;
use driftd_core::{KindListing, ListError, ResourceKind, TypeSpec};

pub struct VpcSecurityGroupEgressRule;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc_security_group_egress_rule",
    attrs: RULE_ATTRS,
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

#[async_trait]
impl ResourceKind<Client> for VpcSecurityGroupEgressRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        list_rules(client, region, SPEC.resource_type, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::vpc_security_group_ingress_rule::map;
    use super::*;
    use aws_sdk_ec2::types::SecurityGroupRule;
    use serde_json::json;

    #[test]
    fn egress_rule_maps_to_terraform_attributes() {
        let r = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-4")
            .group_id("sg-1")
            .is_egress(true)
            .ip_protocol("udp")
            .from_port(53)
            .to_port(53)
            .cidr_ipv6("::/0")
            .prefix_list_id("pl-1")
            .build();
        let res = map(&r, SPEC.resource_type, "eu-west-1").unwrap();
        assert_eq!(res.key.resource_type, "aws_vpc_security_group_egress_rule");
        assert_eq!(res.key.id, "sgr-4");
        assert_eq!(res.region.as_deref(), Some("eu-west-1"));
        assert_eq!(res.attrs["security_group_id"], json!("sg-1"));
        assert_eq!(res.attrs["ip_protocol"], json!("udp"));
        assert_eq!(res.attrs["from_port"], json!(53));
        assert_eq!(res.attrs["to_port"], json!(53));
        assert_eq!(res.attrs["cidr_ipv6"], json!("::/0"));
        assert_eq!(res.attrs["prefix_list_id"], json!("pl-1"));
        assert_eq!(SPEC.attrs.len(), 10);
    }
}
