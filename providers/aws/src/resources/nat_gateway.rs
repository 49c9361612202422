//! `aws_nat_gateway`: subnet, Elastic IP allocation, connectivity type and tags. Deleted and
//! deleting gateways are gone (AWS lists them for about an hour after deletion). A connectivity
//! type the API does not report (moto leaves it out) is left out of the comparison rather than
//! read as "none".

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{NatGateway as SdkNatGateway, NatGatewayState};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct NatGateway;

const CONNECTIVITY: &str = "connectivity_type";

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_nat_gateway",
    attrs: &[
        AttrSpec::new("subnet_id", Shape::Scalar),
        AttrSpec::new("allocation_id", Shape::Scalar),
        AttrSpec::new(CONNECTIVITY, Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "secondary_allocation_ids",
            "not compared yet (DescribeNatGateways returns it): more Elastic IPs traffic leaves \
            from",
        ),
        UncomparedAttr::new(
            "private_ip",
            "not compared yet (DescribeNatGateways returns it)",
        ),
        UncomparedAttr::new(
            "secondary_private_ip_addresses",
            "not compared yet (DescribeNatGateways returns it)",
        ),
        UncomparedAttr::new(
            "secondary_private_ip_address_count",
            "a count of secondary_private_ip_addresses, not compared yet",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(g: &SdkNatGateway, region: &str) -> Option<Resource> {
    let id = g.nat_gateway_id()?;
    if matches!(
        g.state(),
        Some(NatGatewayState::Deleted | NatGatewayState::Deleting)
    ) {
        return None;
    }
    // Terraform's `allocation_id` is the primary address's; secondary ones are another attribute.
    let addresses = g.nat_gateway_addresses();
    let primary = addresses
        .iter()
        .find(|a| a.is_primary() == Some(true))
        .or_else(|| addresses.first());
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "subnet_id": opt_str(g.subnet_id()),
            "allocation_id": opt_str(primary.and_then(|a| a.allocation_id())),
            "tags": tags_value(g.tags()),
        }),
    );
    if let Some(c) = g.connectivity_type() {
        r.attrs
            .insert(CONNECTIVITY.into(), Value::String(c.as_str().to_string()));
    }
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for NatGateway {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_nat_gateways().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeNatGateways", &e))?;
            out.resources
                .extend(page.nat_gateways().iter().filter_map(|g| map(g, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{ConnectivityType, NatGatewayAddress, Tag};

    #[test]
    fn maps_to_terraform_names_and_drops_deleted() {
        let g = SdkNatGateway::builder()
            .nat_gateway_id("nat-1")
            .subnet_id("subnet-1")
            .connectivity_type(ConnectivityType::Public)
            .state(NatGatewayState::Available)
            .nat_gateway_addresses(
                NatGatewayAddress::builder()
                    .allocation_id("eipalloc-2")
                    .is_primary(false)
                    .build(),
            )
            .nat_gateway_addresses(
                NatGatewayAddress::builder()
                    .allocation_id("eipalloc-1")
                    .is_primary(true)
                    .build(),
            )
            .tags(Tag::builder().key("Name").value("egress").build())
            .build();
        let r = map(&g, "us-east-1").unwrap();
        assert_eq!(r.key.id, "nat-1");
        assert_eq!(r.attrs["subnet_id"], json!("subnet-1"));
        assert_eq!(r.attrs["allocation_id"], json!("eipalloc-1"));
        assert_eq!(r.attrs[CONNECTIVITY], json!("public"));
        assert_eq!(r.attrs["tags"], json!({"Name": "egress"}));

        for state in [NatGatewayState::Deleted, NatGatewayState::Deleting] {
            let gone = SdkNatGateway::builder()
                .nat_gateway_id("nat-2")
                .state(state)
                .build();
            assert!(map(&gone, "us-east-1").is_none());
        }
        let unreported = SdkNatGateway::builder().nat_gateway_id("nat-3").build();
        assert!(!map(&unreported, "us-east-1")
            .unwrap()
            .attrs
            .contains_key(CONNECTIVITY));
    }
}
