//! `aws_route_table_association`: which route table a subnet (or an edge gateway) uses. The id is
//! the association id (`rtbassoc-...`), which Terraform stores as `id`.
//!
//! Moving a subnet to another table out of band (ReplaceRouteTableAssociation) gives the
//! association a new id, so matching by id would report a deleted association and an unmanaged
//! one for what is one change of route table. A subnet or gateway has at most one association, so
//! associations are matched by what they associate (`subnet_id`, `gateway_id`, marked
//! [`AttrSpec::identity`]) and the route table is what can change: critical, since it decides
//! where the subnet's traffic goes (a private subnet moved to a table with an internet route is
//! exposed).
//!
//! The main route table association of each VPC is left out: Terraform manages it as another
//! type (`aws_main_route_table_association`), AWS creates it with the VPC, and it associates no
//! subnet or gateway, so it has no identity of this type. Associations being removed
//! (`disassociating`, `disassociated`) are gone.

use super::{resource, AWS_GENERATED_TAGS};
use crate::client::{classify, opt_str};
use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTableAssociation as SdkAssociation, RouteTableAssociationStateCode};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::json;

pub struct RouteTableAssociation;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_route_table_association",
    attrs: &[
        AttrSpec::new("route_table_id", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("subnet_id", Shape::Scalar).identity(),
        AttrSpec::new("gateway_id", Shape::Scalar).identity(),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "timeouts",
        "Terraform-side only: how long Terraform waits for an operation",
    )],
};

fn map(a: &SdkAssociation, region: &str) -> Option<Resource> {
    if a.main() == Some(true) {
        return None;
    }
    let gone = a
        .association_state()
        .and_then(|s| s.state())
        .is_some_and(|s| {
            matches!(
                s,
                RouteTableAssociationStateCode::Disassociating
                    | RouteTableAssociationStateCode::Disassociated
            )
        });
    if gone {
        return None;
    }
    Some(resource(
        SPEC.resource_type,
        a.route_table_association_id()?,
        region,
        json!({
            "route_table_id": opt_str(a.route_table_id()),
            "subnet_id": opt_str(a.subnet_id()),
            "gateway_id": opt_str(a.gateway_id()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<Client> for RouteTableAssociation {
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
                    .extend(table.associations().iter().filter_map(|a| map(a, region)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociationState;
    use driftd_core::Attrs;

    fn assoc(main: bool, state: RouteTableAssociationStateCode) -> SdkAssociation {
        assoc_of("rtbassoc-1", "rtb-1", main, state)
    }

    fn assoc_of(
        id: &str,
        table: &str,
        main: bool,
        state: RouteTableAssociationStateCode,
    ) -> SdkAssociation {
        SdkAssociation::builder()
            .route_table_association_id(id)
            .route_table_id(table)
            .subnet_id("subnet-1")
            .main(main)
            .association_state(RouteTableAssociationState::builder().state(state).build())
            .build()
    }

    #[test]
    fn maps_to_terraform_names_without_main_or_removed_associations() {
        let r = map(
            &assoc(false, RouteTableAssociationStateCode::Associated),
            "us-east-1",
        )
        .unwrap();
        assert_eq!(r.key.id, "rtbassoc-1");
        assert_eq!(r.attrs["route_table_id"], json!("rtb-1"));
        assert_eq!(r.attrs["subnet_id"], json!("subnet-1"));
        assert_eq!(r.attrs["gateway_id"], serde_json::Value::Null);
        assert!(map(
            &assoc(true, RouteTableAssociationStateCode::Associated),
            "us-east-1"
        )
        .is_none());
        assert!(map(
            &assoc(false, RouteTableAssociationStateCode::Disassociated),
            "us-east-1"
        )
        .is_none());
    }

    #[test]
    fn a_replaced_association_keeps_its_identity() {
        // State as Terraform writes it, live after ReplaceRouteTableAssociation (a new id).
        let state: Attrs = serde_json::from_value(json!({
            "id": "rtbassoc-1", "route_table_id": "rtb-1", "subnet_id": "subnet-1",
            "gateway_id": ""
        }))
        .unwrap();
        let replaced = assoc_of(
            "rtbassoc-2",
            "rtb-2",
            false,
            RouteTableAssociationStateCode::Associated,
        );
        let live = map(&replaced, "us-east-1").unwrap();
        assert_eq!(SPEC.identity_key(&state), SPEC.identity_key(&live.attrs));
    }
}
