//! `aws_vpc`: CIDR block, tenancy, DNS settings and tags. The default VPC of a region is a cloud
//! default.
//!
//! DescribeVpcs does not return the DNS settings Terraform records (`enable_dns_support`,
//! `enable_dns_hostnames`): each is read with one DescribeVpcAttribute call per VPC (see
//! [`driftd_aws_services::attribute_calls`]), so that DNS turned off or on out of band is found.
//! If any of those calls fails, both settings are left out of the comparison for the region and
//! reported unread.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Vpc as SdkVpc, VpcAttributeName};
use aws_sdk_ec2::Client;
use driftd_aws_services::attribute_calls::read_per_resource;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct Vpc;

const DNS_SUPPORT: &str = "enable_dns_support";
const DNS_HOSTNAMES: &str = "enable_dns_hostnames";
/// The attributes read per VPC.
const DNS_ATTRIBUTES: &[&str] = &[DNS_SUPPORT, DNS_HOSTNAMES];

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc",
    attrs: &[
        AttrSpec::new("cidr_block", Shape::Cidr),
        AttrSpec::new("instance_tenancy", Shape::CaseInsensitive),
        AttrSpec::new(DNS_SUPPORT, Shape::Scalar),
        AttrSpec::new(DNS_HOSTNAMES, Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "dhcp_options_id",
            "set through aws_vpc_dhcp_options_association; not compared yet (DescribeVpcs returns \
            it): which DNS servers the VPC uses",
        ),
        UncomparedAttr::new(
            "enable_network_address_usage_metrics",
            "read only with a DescribeVpcAttribute call per VPC, not made yet",
        ),
        UncomparedAttr::new(
            "assign_generated_ipv6_cidr_block",
            "not compared yet (DescribeVpcs returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_cidr_block",
            "not compared yet (DescribeVpcs returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_cidr_block_network_border_group",
            "not compared yet (DescribeVpcs returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_ipam_pool_id",
            "used once, to draw the IPv6 block from an IPAM pool",
        ),
        UncomparedAttr::new(
            "ipv6_netmask_length",
            "used once, to draw the IPv6 block from an IPAM pool",
        ),
        UncomparedAttr::new(
            "ipv4_ipam_pool_id",
            "used once, to draw cidr_block from an IPAM pool; cidr_block is compared",
        ),
        UncomparedAttr::new(
            "ipv4_netmask_length",
            "used once, to draw cidr_block from an IPAM pool; cidr_block is compared",
        ),
    ],
};

fn map(v: &SdkVpc, region: &str) -> Option<Resource> {
    let id = v.vpc_id()?;
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "cidr_block": opt_str(v.cidr_block()),
            "instance_tenancy": opt_str(v.instance_tenancy().map(|t| t.as_str())),
            "tags": tags_value(v.tags()),
        }),
    );
    r.cloud_default = v.is_default() == Some(true);
    Some(r)
}

/// A VPC's DNS settings by Terraform name, two DescribeVpcAttribute calls (the API answers one
/// attribute per call).
async fn dns_settings(client: Client, id: String) -> Result<Map<String, Value>, ListError> {
    let ask = |attribute: VpcAttributeName| {
        client
            .describe_vpc_attribute()
            .vpc_id(&id)
            .attribute(attribute)
            .send()
    };
    let (support, hostnames) = tokio::join!(
        ask(VpcAttributeName::EnableDnsSupport),
        ask(VpcAttributeName::EnableDnsHostnames)
    );
    let support = support.map_err(|e| classify("DescribeVpcAttribute", &e))?;
    let hostnames = hostnames.map_err(|e| classify("DescribeVpcAttribute", &e))?;
    Ok(dns_map(
        support.enable_dns_support().and_then(|v| v.value()),
        hostnames.enable_dns_hostnames().and_then(|v| v.value()),
    ))
}

/// The settings as Terraform records them; one the API did not answer stays unknown.
fn dns_map(support: Option<bool>, hostnames: Option<bool>) -> Map<String, Value> {
    [(DNS_SUPPORT, support), (DNS_HOSTNAMES, hostnames)]
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), Value::Bool(v?))))
        .collect()
}

#[async_trait]
impl ResourceKind<Client> for Vpc {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_vpcs().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeVpcs", &e))?;
            out.resources
                .extend(page.vpcs().iter().filter_map(|v| map(v, region)));
        }
        read_per_resource(&mut out, DNS_ATTRIBUTES, |id| {
            dns_settings(client.clone(), id)
        })
        .await;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{Tag, Tenancy};

    #[test]
    fn maps_to_terraform_names() {
        let v = SdkVpc::builder()
            .vpc_id("vpc-1")
            .cidr_block("10.0.0.0/16")
            .instance_tenancy(Tenancy::Default)
            .is_default(true)
            .tags(Tag::builder().key("Name").value("main").build())
            .build();
        let r = map(&v, "eu-west-1").unwrap();
        assert_eq!(r.key.id, "vpc-1");
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert!(r.cloud_default);
        assert_eq!(r.attrs["cidr_block"], json!("10.0.0.0/16"));
        assert_eq!(r.attrs["instance_tenancy"], json!("default"));
        assert_eq!(r.attrs["tags"], json!({"Name": "main"}));
    }

    #[test]
    fn dns_settings_are_terraform_booleans_and_unanswered_ones_unknown() {
        let m = dns_map(Some(true), Some(false));
        assert_eq!(
            Value::Object(m),
            json!({"enable_dns_support": true, "enable_dns_hostnames": false})
        );
        let m = dns_map(None, Some(true));
        assert_eq!(Value::Object(m), json!({"enable_dns_hostnames": true}));
    }
}
