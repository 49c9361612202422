//! `aws_route`: one route of a route table as its own resource. EC2 gives routes no id; the
//! Terraform AWS provider makes one from the table and the destination, `r-<rtb-id><hash>`, where
//! the hash is the CRC-32 (IEEE) of the destination as written (IPv4 CIDR, IPv6 CIDR or prefix
//! list id): [`route_id`] computes the same, so a route in state matches the live one by id.
//!
//! Compared: the table, the destination and every target field, as Terraform names them. A route
//! switched to an internet gateway is critical (traffic that went through a NAT gateway, a
//! firewall or a peering now reaches the internet directly); any other target change is a
//! warning.
//!
//! Unmanaged routes: every route is also a member of its table's `route` set, which
//! `aws_route_table` already compares (a route added out of band to a managed table is a change
//! of that table), and most tables hold their routes inline. Reporting every route no
//! `aws_route` in state holds would report each inline route as a false "unmanaged" one, so every
//! listed route is a cloud default ([`Resource::cloud_default`]), as security group rules are:
//! routes in state are matched, compared and found missing as usual, and the others are reported
//! only when the target sets `include_cloud_defaults`. The routes no Terraform `aws_route` can
//! own are cloud defaults in any case: the `local` route of every table, routes propagated from a
//! virtual private gateway, and the prefix-list routes a gateway VPC endpoint adds (they belong
//! to the endpoint's `route_table_ids`).

use super::{resource, AWS_GENERATED_TAGS};
use crate::client::classify;
use async_trait::async_trait;
use aws_sdk_ec2::types::{Route, RouteTable as SdkRouteTable};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct AwsRoute;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_route",
    attrs: &[
        AttrSpec::new("gateway_id", Shape::Scalar).tier(TierHint::Rule(to_internet)),
        AttrSpec::new("nat_gateway_id", Shape::Scalar),
        AttrSpec::new("network_interface_id", Shape::Scalar),
        AttrSpec::new("transit_gateway_id", Shape::Scalar),
        AttrSpec::new("vpc_peering_connection_id", Shape::Scalar),
        AttrSpec::new("vpc_endpoint_id", Shape::Scalar),
        AttrSpec::new("egress_only_gateway_id", Shape::Scalar),
        AttrSpec::new("carrier_gateway_id", Shape::Scalar),
        AttrSpec::new("local_gateway_id", Shape::Scalar),
        AttrSpec::new("core_network_arn", Shape::Scalar),
        AttrSpec::new("route_table_id", Shape::Scalar),
        AttrSpec::new("destination_cidr_block", Shape::Cidr),
        AttrSpec::new("destination_ipv6_cidr_block", Shape::Cidr),
        AttrSpec::new("destination_prefix_list_id", Shape::Scalar),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "state",
            "computed by AWS (blackhole when the target is gone), not configuration; the target \
            is compared",
        ),
        UncomparedAttr::new(
            "instance_id",
            "computed: the instance behind network_interface_id, which is compared",
        ),
        UncomparedAttr::new("origin", "computed: how the route was made"),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// A route that now leads to an internet gateway: critical.
fn to_internet(c: &Change) -> Option<Tier> {
    c.actual
        .as_str()
        .is_some_and(|g| g.starts_with("igw-"))
        .then_some(Tier::Critical)
}

/// The Terraform SDK's string hash code: the CRC-32 (IEEE) of the text, which on the 64-bit
/// builds the provider ships is never negative.
pub(crate) fn hashcode(text: &str) -> u32 {
    crc32fast::hash(text.as_bytes())
}

/// The id Terraform gives the route of `table` to `destination`.
pub(crate) fn route_id(table: &str, destination: &str) -> String {
    format!("r-{table}{}", hashcode(destination))
}

fn map(table: &SdkRouteTable, r: &Route, region: &str) -> Option<Resource> {
    let table_id = table.route_table_id()?;
    let destination = r
        .destination_cidr_block()
        .or(r.destination_ipv6_cidr_block())
        .or(r.destination_prefix_list_id())?;
    let gateway = r.gateway_id().unwrap_or("");
    // The API reports a gateway endpoint as a gateway; Terraform records it as an endpoint.
    let (gateway_id, vpc_endpoint_id) = if gateway.starts_with("vpce-") {
        ("", gateway)
    } else {
        (gateway, "")
    };
    let s = |v: Option<&str>| v.unwrap_or("").to_string();
    let mut res = resource(
        SPEC.resource_type,
        &route_id(table_id, destination),
        region,
        json!({
            "route_table_id": table_id,
            "destination_cidr_block": s(r.destination_cidr_block()),
            "destination_ipv6_cidr_block": s(r.destination_ipv6_cidr_block()),
            "destination_prefix_list_id": s(r.destination_prefix_list_id()),
            "gateway_id": gateway_id,
            "nat_gateway_id": s(r.nat_gateway_id()),
            "network_interface_id": s(r.network_interface_id()),
            "transit_gateway_id": s(r.transit_gateway_id()),
            "vpc_peering_connection_id": s(r.vpc_peering_connection_id()),
            "vpc_endpoint_id": vpc_endpoint_id,
            "egress_only_gateway_id": s(r.egress_only_internet_gateway_id()),
            "carrier_gateway_id": s(r.carrier_gateway_id()),
            "local_gateway_id": s(r.local_gateway_id()),
            "core_network_arn": s(r.core_network_arn()),
        }),
    );
    // Every route, the `local` and propagated ones included (see the module doc).
    res.cloud_default = true;
    Some(res)
}

#[async_trait]
impl ResourceKind<Client> for AwsRoute {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_route_tables().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeRouteTables", &e))?;
            for table in page.route_tables() {
                out.resources
                    .extend(table.routes().iter().filter_map(|r| map(table, r, region)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteOrigin;
    use driftd_core::ChangeOp;

    #[test]
    fn ids_are_terraforms() {
        // CRC-32 (IEEE) check value, and ids as the provider computes them.
        assert_eq!(hashcode("123456789"), 0xCBF4_3926);
        assert_eq!(
            route_id("rtb-1", "0.0.0.0/0"),
            format!("r-rtb-1{}", crc32fast::hash(b"0.0.0.0/0"))
        );
    }

    fn table(route: Route) -> SdkRouteTable {
        SdkRouteTable::builder()
            .route_table_id("rtb-1")
            .routes(route)
            .build()
    }

    #[test]
    fn maps_to_terraform_names() {
        let t = table(
            Route::builder()
                .destination_cidr_block("0.0.0.0/0")
                .nat_gateway_id("nat-1")
                .origin(RouteOrigin::CreateRoute)
                .build(),
        );
        let r = map(&t, &t.routes()[0], "us-east-1").unwrap();
        assert_eq!(r.key.id, route_id("rtb-1", "0.0.0.0/0"));
        assert_eq!(r.attrs["route_table_id"], json!("rtb-1"));
        assert_eq!(r.attrs["destination_cidr_block"], json!("0.0.0.0/0"));
        assert_eq!(r.attrs["nat_gateway_id"], json!("nat-1"));
        assert_eq!(r.attrs["gateway_id"], json!(""));
        assert!(r.cloud_default);

        let t = table(
            Route::builder()
                .destination_prefix_list_id("pl-1")
                .gateway_id("vpce-1")
                .build(),
        );
        let r = map(&t, &t.routes()[0], "us-east-1").unwrap();
        assert_eq!(r.key.id, route_id("rtb-1", "pl-1"));
        assert_eq!(r.attrs["vpc_endpoint_id"], json!("vpce-1"));
        assert_eq!(r.attrs["gateway_id"], json!(""));

        let t = table(Route::builder().destination_ipv6_cidr_block("::/0").build());
        let r = map(&t, &t.routes()[0], "us-east-1").unwrap();
        assert_eq!(r.key.id, route_id("rtb-1", "::/0"));
    }

    #[test]
    fn a_route_switched_to_an_internet_gateway_is_critical() {
        let hint = SPEC.attr_of("gateway_id").and_then(|a| a.tier).unwrap();
        let to = |v: &str| Change::new("gateway_id", ChangeOp::Replace, json!(""), json!(v));
        assert_eq!(hint.tier_of(&to("igw-1")), Some(Tier::Critical));
        assert_eq!(hint.tier_of(&to("vgw-1")), None);
    }
}
