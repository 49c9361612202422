//! `aws_vpc_endpoint`: a private path from a VPC to a service. Compared: the endpoint policy
//! (what it lets through: any change critical), the security groups, subnets and route tables it
//! is reachable from or routes through, private DNS, the service, type, address type and tags.
//!
//! Endpoints AWS services create in the account on their own behalf (`requester_managed`) are
//! cloud defaults. Deleted, rejected, failed and expired endpoints are gone.
//!
//! moto gaps: DescribeVpcEndpoints has no `IpAddressType`, and no `VpcEndpointType` for an
//! endpoint created without one (both are then left out of the live resource: unknown, not
//! compared, never "removed"), and it reports private DNS on for gateway endpoints (AWS reports
//! it off). DeleteVpcEndpoints fails (HTTP 500) on an endpoint created without a type.

use super::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::VpcEndpoint as SdkEndpoint;
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct VpcEndpoint;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc_endpoint",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("security_group_ids", Shape::Set),
        AttrSpec::new("subnet_ids", Shape::Set),
        AttrSpec::new("route_table_ids", Shape::Set),
        AttrSpec::new("private_dns_enabled", Shape::Scalar),
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("service_name", Shape::Scalar),
        AttrSpec::new("vpc_endpoint_type", Shape::CaseInsensitive),
        AttrSpec::new("ip_address_type", Shape::CaseInsensitive),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "auto_accept",
            "Terraform-side only: accepts the connection at create",
        ),
        UncomparedAttr::new(
            "dns_options",
            "not compared yet (DescribeVpcEndpoints returns it)",
        ),
        UncomparedAttr::new(
            "subnet_configuration",
            "not compared yet (DescribeVpcEndpoints returns it): fixed addresses per subnet",
        ),
        UncomparedAttr::new(
            "service_region",
            "not compared yet (DescribeVpcEndpoints returns it)",
        ),
        UncomparedAttr::new(
            "resource_configuration_arn",
            "not compared yet (DescribeVpcEndpoints returns it)",
        ),
        UncomparedAttr::new(
            "service_network_arn",
            "not compared yet (DescribeVpcEndpoints returns it)",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(e: &SdkEndpoint, region: &str) -> Option<Resource> {
    let id = e.vpc_endpoint_id()?;
    // The API spells states in lower camel case (`deleted`), the SDK's names are capitalized.
    let state = e.state().map(|s| s.as_str().to_ascii_lowercase());
    if matches!(
        state.as_deref(),
        Some("deleted" | "deleting" | "rejected" | "failed" | "expired")
    ) {
        return None;
    }
    let strings = |v: &[String]| -> Vec<Value> { v.iter().map(|s| json!(s)).collect() };
    let groups: Vec<Value> = e
        .groups()
        .iter()
        .filter_map(|g| g.group_id().map(|g| json!(g)))
        .collect();
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "policy": opt_str(e.policy_document()),
            "security_group_ids": groups,
            "subnet_ids": strings(e.subnet_ids()),
            "route_table_ids": strings(e.route_table_ids()),
            "private_dns_enabled": e.private_dns_enabled(),
            "vpc_id": opt_str(e.vpc_id()),
            "service_name": opt_str(e.service_name()),
            "tags": tags_value(e.tags()),
        }),
    );
    // AWS always reports both: without them (moto) they are unknown, not compared, rather than
    // removed.
    let enums = [
        (
            "vpc_endpoint_type",
            e.vpc_endpoint_type().map(|t| t.as_str()),
        ),
        ("ip_address_type", e.ip_address_type().map(|t| t.as_str())),
    ];
    for (name, value) in enums {
        if let Some(v) = value {
            r.attrs.insert(name.into(), json!(v));
        }
    }
    r.cloud_default = e.requester_managed() == Some(true);
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for VpcEndpoint {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_vpc_endpoints().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeVpcEndpoints", &e))?;
            out.resources
                .extend(page.vpc_endpoints().iter().filter_map(|e| map(e, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{SecurityGroupIdentifier, State, Tag, VpcEndpointType};
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    fn endpoint(state: State, requester_managed: bool) -> SdkEndpoint {
        SdkEndpoint::builder()
            .vpc_endpoint_id("vpce-1")
            .vpc_id("vpc-1")
            .service_name("com.amazonaws.us-east-1.s3")
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .state(state)
            .policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":"*"}]}"#)
            .groups(SecurityGroupIdentifier::builder().group_id("sg-1").build())
            .subnet_ids("subnet-1")
            .private_dns_enabled(true)
            .requester_managed(requester_managed)
            .tags(Tag::builder().key("Name").value("s3").build())
            .build()
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&endpoint(State::Available, false), "us-east-1").unwrap();
        assert_eq!(r.key.id, "vpce-1");
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["security_group_ids"], json!(["sg-1"]));
        assert_eq!(r.attrs["subnet_ids"], json!(["subnet-1"]));
        assert_eq!(r.attrs["route_table_ids"], json!([]));
        assert_eq!(r.attrs["private_dns_enabled"], json!(true));
        assert_eq!(r.attrs["vpc_endpoint_type"], json!("Interface"));
        assert!(!r.attrs.contains_key("ip_address_type"));
        assert_eq!(r.attrs["tags"], json!({"Name": "s3"}));
        assert!(
            map(&endpoint(State::Available, true), "us-east-1")
                .unwrap()
                .cloud_default
        );
        assert!(map(&endpoint(State::Deleted, false), "us-east-1").is_none());
        let deleted = State::from("deleted");
        assert!(map(&endpoint(deleted, false), "us-east-1").is_none());
    }

    #[test]
    fn a_policy_change_is_critical() {
        let c = Change::new("policy", ChangeOp::Replace, json!({}), json!({}));
        let tier = default_tier(Some(&SPEC), FindingKind::Changed, &[c]);
        assert_eq!(tier, Tier::Critical);
    }
}
