//! `aws_route_table`: VPC, routes and tags. Routes are one set of Terraform `route` blocks, as
//! Terraform writes them: every field present, `""` where a route has none, and without the
//! `local` route, routes propagated from a virtual private gateway and VPC endpoint routes
//! (Terraform leaves all three out of `route`). The main route table of a VPC is a cloud default.
//!
//! The `Set` shape compares whole blocks, so the block here must have exactly the fields the
//! Terraform AWS provider writes (version 6: with `odb_network_arn`, without the `instance_id`
//! of version 4).

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Route, RouteOrigin, RouteTable as SdkRouteTable};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct RouteTable;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_route_table",
    attrs: &[
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("route", Shape::Set),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "propagating_vgws",
            "not compared yet (DescribeRouteTables returns it): gateways whose routes the table \
            learns",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// One Terraform `route` block, or `None` for a route Terraform does not record.
fn route(r: &Route) -> Option<Value> {
    let gateway = r.gateway_id().unwrap_or("");
    if gateway == "local" || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation) {
        return None;
    }
    // Gateway endpoints add prefix-list routes that belong to the endpoint, not the table.
    if gateway.starts_with("vpce-") && r.destination_prefix_list_id().is_some() {
        return None;
    }
    let (gateway_id, vpc_endpoint_id) = if gateway.starts_with("vpce-") {
        ("", gateway)
    } else {
        (gateway, "")
    };
    let s = |v: Option<&str>| v.unwrap_or("").to_string();
    Some(json!({
        "carrier_gateway_id": s(r.carrier_gateway_id()),
        "cidr_block": s(r.destination_cidr_block()),
        "core_network_arn": s(r.core_network_arn()),
        "destination_prefix_list_id": s(r.destination_prefix_list_id()),
        "egress_only_gateway_id": s(r.egress_only_internet_gateway_id()),
        "gateway_id": gateway_id,
        "ipv6_cidr_block": s(r.destination_ipv6_cidr_block()),
        "local_gateway_id": s(r.local_gateway_id()),
        "nat_gateway_id": s(r.nat_gateway_id()),
        "network_interface_id": s(r.network_interface_id()),
        "odb_network_arn": s(r.odb_network_arn()),
        "transit_gateway_id": s(r.transit_gateway_id()),
        "vpc_endpoint_id": vpc_endpoint_id,
        "vpc_peering_connection_id": s(r.vpc_peering_connection_id()),
    }))
}

fn map(t: &SdkRouteTable, region: &str) -> Option<Resource> {
    let id = t.route_table_id()?;
    let routes: Vec<Value> = t.routes().iter().filter_map(route).collect();
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "vpc_id": t.vpc_id(),
            "route": routes,
            "tags": tags_value(t.tags()),
        }),
    );
    r.cloud_default = t.associations().iter().any(|a| a.main() == Some(true));
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for RouteTable {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_route_tables().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeRouteTables", &e))?;
            out.resources
                .extend(page.route_tables().iter().filter_map(|t| map(t, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociation;

    fn table(main: bool) -> SdkRouteTable {
        SdkRouteTable::builder()
            .route_table_id("rtb-1")
            .vpc_id("vpc-1")
            .routes(
                Route::builder()
                    .destination_cidr_block("10.0.0.0/16")
                    .gateway_id("local")
                    .origin(RouteOrigin::CreateRouteTable)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id("igw-1")
                    .origin(RouteOrigin::CreateRoute)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_cidr_block("172.16.0.0/12")
                    .gateway_id("vgw-1")
                    .origin(RouteOrigin::EnableVgwRoutePropagation)
                    .build(),
            )
            .routes(
                Route::builder()
                    .destination_ipv6_cidr_block("::/0")
                    .nat_gateway_id("nat-1")
                    .build(),
            )
            .associations(RouteTableAssociation::builder().main(main).build())
            .build()
    }

    #[test]
    fn routes_are_terraform_blocks_without_local_and_propagated_ones() {
        let r = map(&table(false), "us-east-1").unwrap();
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["vpc_id"], json!("vpc-1"));
        let blank = |cidr: &str, ipv6: &str, gateway: &str, nat: &str| {
            json!({
                "carrier_gateway_id": "", "cidr_block": cidr, "core_network_arn": "",
                "destination_prefix_list_id": "", "egress_only_gateway_id": "",
                "gateway_id": gateway, "ipv6_cidr_block": ipv6, "local_gateway_id": "",
                "nat_gateway_id": nat, "network_interface_id": "", "odb_network_arn": "",
                "transit_gateway_id": "", "vpc_endpoint_id": "", "vpc_peering_connection_id": ""
            })
        };
        // As the state records them, in another order.
        let state = json!([
            blank("", "::/0", "", "nat-1"),
            blank("0.0.0.0/0", "", "igw-1", "")
        ]);
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["route"]),
            SPEC.normalize(Shape::Set, &state)
        );
        assert!(map(&table(true), "us-east-1").unwrap().cloud_default);
    }

    #[test]
    fn endpoint_routes_are_left_to_the_endpoint() {
        let t = SdkRouteTable::builder()
            .route_table_id("rtb-2")
            .routes(
                Route::builder()
                    .destination_prefix_list_id("pl-1")
                    .gateway_id("vpce-1")
                    .build(),
            )
            .build();
        let r = map(&t, "us-east-1").unwrap();
        assert_eq!(SPEC.normalize(Shape::Set, &r.attrs["route"]), None);
    }
}
