//! `aws_eip`: domain, the instance or network interface it is associated with, its IPv4 pool and
//! tags. The id is the allocation id, as Terraform's (the public IP for the rare EC2-Classic
//! address without one). A pool AWS does not report is left out of the comparison rather than
//! read as "none".

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::Address;
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Eip;

const POOL: &str = "public_ipv4_pool";

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_eip",
    attrs: &[
        AttrSpec::new("domain", Shape::Scalar),
        AttrSpec::new("instance", Shape::Scalar),
        AttrSpec::new("network_interface", Shape::Scalar),
        AttrSpec::new(POOL, Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "address",
            "fixed at allocation (an address recovered from a BYOIP pool); another one is another \
            allocation id",
        ),
        UncomparedAttr::new(
            "associate_with_private_ip",
            "not compared yet (DescribeAddresses returns it): the private IP of the association",
        ),
        UncomparedAttr::new(
            "customer_owned_ipv4_pool",
            "fixed at allocation (Outposts): another pool is another address",
        ),
        UncomparedAttr::new(
            "network_border_group",
            "fixed at allocation: another group is another address",
        ),
        UncomparedAttr::new("ipam_pool_id", "used once, to allocate from an IPAM pool"),
        UncomparedAttr::new("vpc", "deprecated stand-in for domain, which is compared"),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(a: &Address, region: &str) -> Option<Resource> {
    let id = a.allocation_id().or(a.public_ip())?;
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "domain": opt_str(a.domain().map(|d| d.as_str())),
            "instance": opt_str(a.instance_id()),
            "network_interface": opt_str(a.network_interface_id()),
            "tags": tags_value(a.tags()),
        }),
    );
    if let Some(pool) = a.public_ipv4_pool() {
        r.attrs.insert(POOL.into(), Value::String(pool.to_string()));
    }
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for Eip {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        // DescribeAddresses is not paginated: one call returns every address of the region.
        let page = client
            .describe_addresses()
            .send()
            .await
            .map_err(|e| classify("DescribeAddresses", &e))?;
        Ok(KindListing {
            resources: page
                .addresses()
                .iter()
                .filter_map(|a| map(a, region))
                .collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{DomainType, Tag};

    #[test]
    fn maps_to_terraform_names() {
        let a = Address::builder()
            .allocation_id("eipalloc-1")
            .public_ip("203.0.113.7")
            .domain(DomainType::Vpc)
            .instance_id("i-1")
            .network_interface_id("eni-1")
            .public_ipv4_pool("amazon")
            .tags(Tag::builder().key("Name").value("web").build())
            .build();
        let r = map(&a, "us-east-1").unwrap();
        assert_eq!(r.key.id, "eipalloc-1");
        assert_eq!(r.attrs["domain"], json!("vpc"));
        assert_eq!(r.attrs["instance"], json!("i-1"));
        assert_eq!(r.attrs["network_interface"], json!("eni-1"));
        assert_eq!(r.attrs[POOL], json!("amazon"));
        assert_eq!(r.attrs["tags"], json!({"Name": "web"}));

        let unassociated = Address::builder()
            .allocation_id("eipalloc-2")
            .domain(DomainType::Vpc)
            .build();
        let r = map(&unassociated, "us-east-1").unwrap();
        assert_eq!(r.attrs["instance"], Value::Null);
        assert!(!r.attrs.contains_key(POOL));
    }
}
