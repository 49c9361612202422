//! `aws_subnet`: VPC, CIDR, zone, public IP mapping and tags. Default subnets are cloud defaults.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::Subnet as SdkSubnet;
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct Subnet;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_subnet",
    attrs: &[
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("cidr_block", Shape::Cidr),
        AttrSpec::new("availability_zone", Shape::Scalar),
        AttrSpec::new("map_public_ip_on_launch", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "availability_zone_id",
            "the id of availability_zone, which is compared",
        ),
        UncomparedAttr::new(
            "assign_ipv6_address_on_creation",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_cidr_block",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_native",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "enable_dns64",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "enable_lni_at_device_index",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "enable_resource_name_dns_a_record_on_launch",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "enable_resource_name_dns_aaaa_record_on_launch",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "private_dns_hostname_type_on_launch",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "map_customer_owned_ip_on_launch",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "customer_owned_ipv4_pool",
            "not compared yet (DescribeSubnets returns it)",
        ),
        UncomparedAttr::new(
            "outpost_arn",
            "fixed at create: another Outpost is another subnet",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(s: &SdkSubnet, region: &str) -> Option<Resource> {
    let id = s.subnet_id()?;
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "vpc_id": opt_str(s.vpc_id()),
            "cidr_block": opt_str(s.cidr_block()),
            "availability_zone": opt_str(s.availability_zone()),
            "map_public_ip_on_launch": s.map_public_ip_on_launch().unwrap_or(false),
            "tags": tags_value(s.tags()),
        }),
    );
    r.cloud_default = s.default_for_az() == Some(true);
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for Subnet {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_subnets().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeSubnets", &e))?;
            out.resources
                .extend(page.subnets().iter().filter_map(|s| map(s, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let s = SdkSubnet::builder()
            .subnet_id("subnet-1")
            .vpc_id("vpc-1")
            .cidr_block("10.0.1.0/24")
            .availability_zone("us-east-1a")
            .map_public_ip_on_launch(true)
            .build();
        let r = map(&s, "us-east-1").unwrap();
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["vpc_id"], json!("vpc-1"));
        assert_eq!(r.attrs["map_public_ip_on_launch"], json!(true));
        assert_eq!(r.attrs["tags"], json!({}));
    }
}
