//! `aws_vpc_peering_connection`: the requester side of a peering between two VPCs. Compared: both
//! VPCs, the peer's account and region, the acceptance status, the peering options of each side
//! (`requester` / `accepter`: whether either VPC resolves the other's private DNS names, which
//! exposes its addresses), and tags.
//!
//! A peering shows in the listings of both sides. The accepter's side is another Terraform type
//! (`aws_vpc_peering_connection_accepter`), so only connections requested by a VPC of the scanned
//! region are listed here: in the peer's region (or account) the same connection would otherwise
//! be a second, false, unmanaged resource. That takes one DescribeVpcs call per region.
//! Connections that were deleted, rejected, failed or expired are gone.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    VpcPeeringConnection as SdkPeering, VpcPeeringConnectionStateReasonCode as Status,
    VpcPeeringConnectionVpcInfo,
};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};
use std::collections::HashSet;

pub struct VpcPeeringConnection;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc_peering_connection",
    attrs: &[
        AttrSpec::new("requester", Shape::Document),
        AttrSpec::new("accepter", Shape::Document),
        AttrSpec::new("accept_status", Shape::Scalar),
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("peer_vpc_id", Shape::Scalar),
        AttrSpec::new("peer_owner_id", Shape::Scalar),
        AttrSpec::new("peer_region", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "auto_accept",
            "Terraform-side only: accepts the peering at create (same account and region)",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// One side's options block as Terraform records it, `[]` when AWS reports none (a connection
/// not yet active).
fn options(side: Option<&VpcPeeringConnectionVpcInfo>) -> Value {
    match side.and_then(|s| s.peering_options()) {
        Some(o) => json!([{
            "allow_remote_vpc_dns_resolution":
                o.allow_dns_resolution_from_remote_vpc().unwrap_or(false)
        }]),
        None => json!([]),
    }
}

fn map(p: &SdkPeering, region: &str, own_vpcs: &HashSet<String>) -> Option<Resource> {
    let id = p.vpc_peering_connection_id()?;
    let status = p.status().and_then(|s| s.code());
    if matches!(
        status,
        Some(
            Status::Deleted
                | Status::Deleting
                | Status::Rejected
                | Status::Failed
                | Status::Expired
        )
    ) {
        return None;
    }
    let requester = p.requester_vpc_info();
    let accepter = p.accepter_vpc_info();
    let vpc_id = requester.and_then(|r| r.vpc_id())?;
    if !own_vpcs.contains(vpc_id) {
        return None;
    }
    Some(resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "requester": options(requester),
            "accepter": options(accepter),
            "accept_status": opt_str(status.map(|s| s.as_str())),
            "vpc_id": vpc_id,
            "peer_vpc_id": opt_str(accepter.and_then(|a| a.vpc_id())),
            "peer_owner_id": opt_str(accepter.and_then(|a| a.owner_id())),
            "peer_region": opt_str(accepter.and_then(|a| a.region())),
            "tags": tags_value(p.tags()),
        }),
    ))
}

/// The ids of the region's VPCs.
async fn vpc_ids(client: &Client) -> Result<HashSet<String>, ListError> {
    let mut out = HashSet::new();
    let mut pages = client.describe_vpcs().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("DescribeVpcs", &e))?;
        out.extend(
            page.vpcs()
                .iter()
                .filter_map(|v| v.vpc_id().map(str::to_string)),
        );
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Client> for VpcPeeringConnection {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let own_vpcs = vpc_ids(client).await?;
        let mut out = KindListing::default();
        let mut pages = client
            .describe_vpc_peering_connections()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeVpcPeeringConnections", &e))?;
            out.resources.extend(
                page.vpc_peering_connections()
                    .iter()
                    .filter_map(|p| map(p, region, &own_vpcs)),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{
        VpcPeeringConnectionOptionsDescription, VpcPeeringConnectionStateReason,
    };

    fn side(vpc: &str, dns: Option<bool>) -> VpcPeeringConnectionVpcInfo {
        let b = VpcPeeringConnectionVpcInfo::builder()
            .vpc_id(vpc)
            .owner_id("123456789012")
            .region("us-east-1");
        match dns {
            Some(dns) => b
                .peering_options(
                    VpcPeeringConnectionOptionsDescription::builder()
                        .allow_dns_resolution_from_remote_vpc(dns)
                        .build(),
                )
                .build(),
            None => b.build(),
        }
    }

    fn peering(status: Status) -> SdkPeering {
        SdkPeering::builder()
            .vpc_peering_connection_id("pcx-1")
            .requester_vpc_info(side("vpc-1", Some(true)))
            .accepter_vpc_info(side("vpc-2", None))
            .status(
                VpcPeeringConnectionStateReason::builder()
                    .code(status)
                    .build(),
            )
            .build()
    }

    #[test]
    fn maps_the_requester_side_to_terraform_names() {
        let own = HashSet::from(["vpc-1".to_string()]);
        let r = map(&peering(Status::Active), "us-east-1", &own).unwrap();
        assert_eq!(r.key.id, "pcx-1");
        assert_eq!(r.attrs["vpc_id"], json!("vpc-1"));
        assert_eq!(r.attrs["peer_vpc_id"], json!("vpc-2"));
        assert_eq!(r.attrs["peer_owner_id"], json!("123456789012"));
        assert_eq!(r.attrs["peer_region"], json!("us-east-1"));
        assert_eq!(r.attrs["accept_status"], json!("active"));
        assert_eq!(
            r.attrs["requester"],
            json!([{"allow_remote_vpc_dns_resolution": true}])
        );
        assert_eq!(r.attrs["accepter"], json!([]));
        // As the state records it: the options of a side as one block.
        let state = json!([{"allow_remote_vpc_dns_resolution": true}]);
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["requester"]),
            SPEC.normalize(Shape::Document, &state)
        );
    }

    #[test]
    fn the_accepters_view_and_ended_connections_are_left_out() {
        let own = HashSet::from(["vpc-1".to_string()]);
        assert!(map(&peering(Status::Deleted), "us-east-1", &own).is_none());
        let theirs = HashSet::from(["vpc-2".to_string()]);
        assert!(map(&peering(Status::Active), "us-east-1", &theirs).is_none());
    }
}
