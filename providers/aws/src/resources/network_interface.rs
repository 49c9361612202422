//! `aws_network_interface`: subnet, private IPs, security groups, description, source/dest check
//! and tags. Interfaces AWS creates by itself are cloud defaults: an instance's primary interface
//! (device index 0, created and deleted with the instance, like its root volume) and interfaces
//! a service manages (NAT gateways, load balancers, VPC endpoints, Lambda...).

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{NetworkInterface as SdkInterface, NetworkInterfaceType};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct NetworkInterface;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_network_interface",
    attrs: &[
        AttrSpec::new("subnet_id", Shape::Scalar),
        AttrSpec::new("private_ips", Shape::Set),
        AttrSpec::new("security_groups", Shape::Set),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("source_dest_check", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "attachment",
            "not compared yet (DescribeNetworkInterfaces returns it): the instance that holds the \
            interface",
        ),
        UncomparedAttr::new(
            "private_ip",
            "the primary address, a member of private_ips, which is compared",
        ),
        UncomparedAttr::new(
            "private_ip_list",
            "the ordered form of private_ips, which is compared",
        ),
        UncomparedAttr::new(
            "private_ip_list_enabled",
            "Terraform-side only: which form of the addresses the code uses",
        ),
        UncomparedAttr::new(
            "private_ips_count",
            "the number of secondary addresses; private_ips is compared",
        ),
        UncomparedAttr::new(
            "ipv6_addresses",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_address_list",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_address_list_enabled",
            "Terraform-side only: which form of the addresses the code uses",
        ),
        UncomparedAttr::new(
            "ipv6_address_count",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv4_prefixes",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv4_prefix_count",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_prefixes",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_prefix_count",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "enable_primary_ipv6",
            "not compared yet (DescribeNetworkInterfaces returns it)",
        ),
        UncomparedAttr::new(
            "interface_type",
            "fixed at create (efa, trunk, ...): another type is another interface",
        ),
    ],
};

/// Whether AWS created the interface by itself rather than someone creating it.
fn created_by_aws(n: &SdkInterface) -> bool {
    let primary_of_instance = n
        .attachment()
        .is_some_and(|a| a.device_index() == Some(0) && a.instance_id().is_some());
    let user_kind = matches!(
        n.interface_type(),
        None | Some(
            NetworkInterfaceType::Interface
                | NetworkInterfaceType::Efa
                | NetworkInterfaceType::EfaOnly
                | NetworkInterfaceType::Trunk
        )
    );
    primary_of_instance || n.requester_managed() == Some(true) || !user_kind
}

fn map(n: &SdkInterface, region: &str) -> Option<Resource> {
    let id = n.network_interface_id()?;
    let ips: Vec<Value> = n
        .private_ip_addresses()
        .iter()
        .filter_map(|a| a.private_ip_address())
        .chain(n.private_ip_address())
        .map(|ip| Value::String(ip.to_string()))
        .collect();
    let groups: Vec<Value> = n
        .groups()
        .iter()
        .filter_map(|g| g.group_id().map(|s| Value::String(s.to_string())))
        .collect();
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "subnet_id": opt_str(n.subnet_id()),
            "private_ips": ips,
            "security_groups": groups,
            "description": opt_str(n.description()),
            "source_dest_check": n.source_dest_check(),
            "tags": tags_value(n.tag_set()),
        }),
    );
    r.cloud_default = created_by_aws(n);
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for NetworkInterface {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_network_interfaces().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeNetworkInterfaces", &e))?;
            out.resources.extend(
                page.network_interfaces()
                    .iter()
                    .filter_map(|n| map(n, region)),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{
        GroupIdentifier, NetworkInterfaceAttachment, NetworkInterfacePrivateIpAddress, Tag,
    };

    fn interface(attachment: Option<NetworkInterfaceAttachment>) -> SdkInterface {
        SdkInterface::builder()
            .network_interface_id("eni-1")
            .subnet_id("subnet-1")
            .description("app")
            .source_dest_check(false)
            .interface_type(NetworkInterfaceType::Interface)
            .private_ip_address("10.0.1.10")
            .private_ip_addresses(
                NetworkInterfacePrivateIpAddress::builder()
                    .private_ip_address("10.0.1.10")
                    .primary(true)
                    .build(),
            )
            .private_ip_addresses(
                NetworkInterfacePrivateIpAddress::builder()
                    .private_ip_address("10.0.1.11")
                    .primary(false)
                    .build(),
            )
            .groups(GroupIdentifier::builder().group_id("sg-2").build())
            .groups(GroupIdentifier::builder().group_id("sg-1").build())
            .tag_set(Tag::builder().key("Name").value("app").build())
            .set_attachment(attachment)
            .build()
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&interface(None), "us-east-1").unwrap();
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["subnet_id"], json!("subnet-1"));
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["private_ips"]),
            Some(json!(["10.0.1.10", "10.0.1.11"]))
        );
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["security_groups"]),
            Some(json!(["sg-1", "sg-2"]))
        );
        assert_eq!(r.attrs["description"], json!("app"));
        assert_eq!(r.attrs["source_dest_check"], json!(false));
        assert_eq!(r.attrs["tags"], json!({"Name": "app"}));
    }

    #[test]
    fn interfaces_aws_creates_are_cloud_defaults() {
        let attached = |index: i32| {
            NetworkInterfaceAttachment::builder()
                .instance_id("i-1")
                .device_index(index)
                .build()
        };
        assert!(
            map(&interface(Some(attached(0))), "us-east-1")
                .unwrap()
                .cloud_default
        );
        // A second interface attached by someone is theirs to manage.
        assert!(
            !map(&interface(Some(attached(1))), "us-east-1")
                .unwrap()
                .cloud_default
        );
        let nat = SdkInterface::builder()
            .network_interface_id("eni-2")
            .interface_type(NetworkInterfaceType::NatGateway)
            .build();
        assert!(map(&nat, "us-east-1").unwrap().cloud_default);
        let managed = SdkInterface::builder()
            .network_interface_id("eni-3")
            .requester_managed(true)
            .build();
        assert!(map(&managed, "us-east-1").unwrap().cloud_default);
    }
}
