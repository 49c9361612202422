//! `aws_internet_gateway`: the VPC it is attached to, and tags. The gateway AWS attaches to the
//! default VPC of a region is a cloud default; finding it takes one DescribeVpcs call.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, InternetGateway as SdkGateway};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;
use std::collections::HashSet;

pub struct InternetGateway;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_internet_gateway",
    attrs: &[AttrSpec::new("vpc_id", Shape::Scalar), TAGS],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "timeouts",
        "Terraform-side only: how long Terraform waits for an operation",
    )],
};

fn map(g: &SdkGateway, region: &str, default_vpcs: &HashSet<String>) -> Option<Resource> {
    let id = g.internet_gateway_id()?;
    // A gateway has at most one attachment; Terraform's `vpc_id` is that attachment's VPC.
    let vpc_id = g.attachments().iter().find_map(|a| a.vpc_id());
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "vpc_id": opt_str(vpc_id),
            "tags": tags_value(g.tags()),
        }),
    );
    r.cloud_default = vpc_id.is_some_and(|v| default_vpcs.contains(v));
    Some(r)
}

/// The ids of the region's default VPCs (zero or one).
pub(crate) async fn default_vpc_ids(client: &Client) -> Result<HashSet<String>, ListError> {
    let mut out = HashSet::new();
    let mut pages = client
        .describe_vpcs()
        .filters(Filter::builder().name("is-default").values("true").build())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("DescribeVpcs", &e))?;
        out.extend(
            page.vpcs()
                .iter()
                .filter(|v| v.is_default() == Some(true))
                .filter_map(|v| v.vpc_id().map(str::to_string)),
        );
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Client> for InternetGateway {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let default_vpcs = default_vpc_ids(client).await?;
        let mut out = KindListing::default();
        let mut pages = client.describe_internet_gateways().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeInternetGateways", &e))?;
            out.resources.extend(
                page.internet_gateways()
                    .iter()
                    .filter_map(|g| map(g, region, &default_vpcs)),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{AttachmentStatus, InternetGatewayAttachment, Tag};

    #[test]
    fn maps_to_terraform_names() {
        let attached = |vpc: &str| {
            SdkGateway::builder()
                .internet_gateway_id("igw-1")
                .attachments(
                    InternetGatewayAttachment::builder()
                        .vpc_id(vpc)
                        .state(AttachmentStatus::from("available"))
                        .build(),
                )
                .tags(Tag::builder().key("Name").value("main").build())
                .build()
        };
        let defaults = HashSet::from(["vpc-default".to_string()]);
        let r = map(&attached("vpc-1"), "us-east-1", &defaults).unwrap();
        assert_eq!(r.key.id, "igw-1");
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["vpc_id"], json!("vpc-1"));
        assert_eq!(r.attrs["tags"], json!({"Name": "main"}));
        assert!(
            map(&attached("vpc-default"), "us-east-1", &defaults)
                .unwrap()
                .cloud_default
        );

        let detached = SdkGateway::builder().internet_gateway_id("igw-2").build();
        let r = map(&detached, "us-east-1", &defaults).unwrap();
        assert_eq!(r.attrs["vpc_id"], serde_json::Value::Null);
        assert!(!r.cloud_default);
    }
}
