//! `aws_vpc`: CIDR block, tenancy and tags. The default VPC of a region is a cloud default.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::Vpc as SdkVpc;
use aws_sdk_ec2::Client;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::json;

pub struct Vpc;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_vpc",
    attrs: &[
        AttrSpec::new("cidr_block", Shape::Cidr),
        AttrSpec::new("instance_tenancy", Shape::CaseInsensitive),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
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
}
