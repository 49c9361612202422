//! `aws_instance`: AMI, type, subnet, security groups, key pair, zone, tags and termination
//! protection. Terminated instances are gone. Termination protection needs one
//! DescribeInstanceAttribute call per instance; if any of them fails, the attribute is left out of
//! the comparison for the whole region and reported, instead of comparing a partial view.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Instance as SdkInstance, InstanceAttributeName, InstanceStateName};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub struct Instance;

const TERMINATION_PROTECTION: &str = "disable_api_termination";
/// Concurrent DescribeInstanceAttribute calls per region.
const ATTRIBUTE_CONCURRENCY: usize = 8;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_instance",
    attrs: &[
        AttrSpec::new("ami", Shape::Scalar),
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("subnet_id", Shape::Scalar),
        AttrSpec::new("availability_zone", Shape::Scalar),
        AttrSpec::new("key_name", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        AttrSpec::new(TERMINATION_PROTECTION, Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "iam_instance_profile",
            "not compared yet (DescribeInstances gives the profile's ARN, state its name): what \
            the instance may do",
        ),
        UncomparedAttr::new(
            "metadata_options",
            "read (the IMDSv1 policy looks at it), not compared yet: IMDSv2 enforcement and hop \
            limit",
        ),
        UncomparedAttr::new(
            "user_data",
            "state holds a hash; reading it takes a DescribeInstanceAttribute call per instance, \
            not made yet",
        ),
        UncomparedAttr::new(
            "user_data_base64",
            "as user_data: reading it takes a second call per instance, not made yet",
        ),
        UncomparedAttr::new(
            "user_data_replace_on_change",
            "Terraform-side only: whether a user data change replaces the instance",
        ),
        UncomparedAttr::new(
            "associate_public_ip_address",
            "used at launch; DescribeInstances shows only whether a public IP is attached now",
        ),
        UncomparedAttr::new(
            "private_ip",
            "fixed at launch with the primary interface; not compared yet",
        ),
        UncomparedAttr::new(
            "secondary_private_ips",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_addresses",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "ipv6_address_count",
            "used at launch to assign IPv6 addresses; not compared yet",
        ),
        UncomparedAttr::new(
            "enable_primary_ipv6",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "source_dest_check",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "security_groups",
            "group names (EC2-Classic and default VPC); vpc_security_group_ids is compared",
        ),
        UncomparedAttr::new(
            "network_interface",
            "interfaces attached at launch; only subnet_id and vpc_security_group_ids of the \
            primary one are compared",
        ),
        UncomparedAttr::new(
            "root_block_device",
            "not compared yet: size, type and encryption of the root volume, which is the \
            instance's own (a cloud default as aws_ebs_volume)",
        ),
        UncomparedAttr::new(
            "ebs_block_device",
            "not compared yet: volumes created with the instance are its own (cloud defaults as \
            aws_ebs_volume)",
        ),
        UncomparedAttr::new(
            "ephemeral_block_device",
            "instance store mappings, fixed at launch",
        ),
        UncomparedAttr::new(
            "volume_tags",
            "tags of the instance's volumes, not of the instance; not compared yet",
        ),
        UncomparedAttr::new(
            "ebs_optimized",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "monitoring",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new("tenancy", "not compared yet (DescribeInstances returns it)"),
        UncomparedAttr::new(
            "placement_group",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "placement_partition_number",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new("host_id", "not compared yet (DescribeInstances returns it)"),
        UncomparedAttr::new(
            "host_resource_group_arn",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "cpu_options",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new("cpu_core_count", "deprecated form of cpu_options"),
        UncomparedAttr::new("cpu_threads_per_core", "deprecated form of cpu_options"),
        UncomparedAttr::new(
            "credit_specification",
            "read only with a DescribeInstanceCreditSpecifications call, not made yet",
        ),
        UncomparedAttr::new(
            "disable_api_stop",
            "read only with a DescribeInstanceAttribute call per instance, not made yet",
        ),
        UncomparedAttr::new(
            "instance_initiated_shutdown_behavior",
            "read only with a DescribeInstanceAttribute call per instance, not made yet",
        ),
        UncomparedAttr::new(
            "hibernation",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "enclave_options",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "maintenance_options",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "capacity_reservation_specification",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "private_dns_name_options",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "instance_market_options",
            "not compared yet (DescribeInstances returns it)",
        ),
        UncomparedAttr::new(
            "launch_template",
            "used at launch; the instance's own settings are what is compared",
        ),
        UncomparedAttr::new(
            "instance_state",
            "runtime state (running, stopped), not configuration",
        ),
        UncomparedAttr::new(
            "get_password_data",
            "Terraform-side only: whether Terraform fetches password_data",
        ),
        UncomparedAttr::new(
            "password_data",
            "secret (an encrypted Windows password): never read",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(i: &SdkInstance, region: &str) -> Option<Resource> {
    let id = i.instance_id()?;
    let state = i.state().and_then(|s| s.name());
    if matches!(
        state,
        Some(InstanceStateName::Terminated | InstanceStateName::ShuttingDown)
    ) {
        return None;
    }
    let groups: Vec<Value> = i
        .security_groups()
        .iter()
        .filter_map(|g| g.group_id().map(|s| Value::String(s.to_string())))
        .collect();
    Some(resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "ami": opt_str(i.image_id()),
            "instance_type": opt_str(i.instance_type().map(|t| t.as_str())),
            "subnet_id": opt_str(i.subnet_id()),
            "availability_zone": opt_str(i.placement().and_then(|p| p.availability_zone())),
            "key_name": opt_str(i.key_name()),
            "vpc_security_group_ids": groups,
            "tags": tags_value(i.tags()),
            "metadata_options": metadata_options(i),
        }),
    ))
}

/// The instance's `metadata_options` block ([`super::metadata_options_block`]).
fn metadata_options(i: &SdkInstance) -> Value {
    let Some(m) = i.metadata_options() else {
        return Value::Null;
    };
    super::metadata_options_block(
        m.http_endpoint().map(|v| v.as_str()),
        m.http_tokens().map(|v| v.as_str()),
        m.http_put_response_hop_limit(),
        m.http_protocol_ipv6().map(|v| v.as_str()),
        m.instance_metadata_tags().map(|v| v.as_str()),
    )
}

async fn termination_protection(client: &Client, id: &str) -> Result<bool, ListError> {
    let out = client
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(InstanceAttributeName::DisableApiTermination)
        .send()
        .await
        .map_err(|e| classify("DescribeInstanceAttribute", &e))?;
    Ok(out
        .disable_api_termination()
        .and_then(|v| v.value())
        .unwrap_or(false))
}

#[async_trait]
impl ResourceKind<Client> for Instance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client
            .describe_instances()
            .max_results(1000)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeInstances", &e))?;
            for reservation in page.reservations() {
                out.resources.extend(
                    reservation
                        .instances()
                        .iter()
                        .filter_map(|i| map(i, region)),
                );
            }
        }

        let limit = Arc::new(Semaphore::new(ATTRIBUTE_CONCURRENCY));
        let mut calls = JoinSet::new();
        for (idx, r) in out.resources.iter().enumerate() {
            let (client, id, limit) = (client.clone(), r.key.id.clone(), limit.clone());
            calls.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (idx, termination_protection(&client, &id).await)
            });
        }
        let mut failure = None;
        while let Some(joined) = calls.join_next().await {
            match joined {
                Ok((idx, Ok(protected))) => {
                    out.resources[idx]
                        .attrs
                        .insert(TERMINATION_PROTECTION.into(), Value::Bool(protected));
                }
                Ok((_, Err(e))) => failure = Some(e),
                Err(_) => failure = Some(ListError::Api("attribute task failed".into())),
            }
        }
        if let Some(err) = failure {
            for r in &mut out.resources {
                r.attrs.remove(TERMINATION_PROTECTION);
            }
            out.unread_attributes
                .push((TERMINATION_PROTECTION.to_string(), err));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{
        GroupIdentifier, HttpTokensState, InstanceMetadataEndpointState,
        InstanceMetadataOptionsResponse, InstanceState, InstanceType, Placement,
    };

    #[test]
    fn maps_to_terraform_names_and_drops_terminated() {
        let i = SdkInstance::builder()
            .instance_id("i-1")
            .image_id("ami-1")
            .instance_type(InstanceType::T3Micro)
            .subnet_id("subnet-1")
            .placement(Placement::builder().availability_zone("us-east-1a").build())
            .security_groups(GroupIdentifier::builder().group_id("sg-2").build())
            .security_groups(GroupIdentifier::builder().group_id("sg-1").build())
            .state(
                InstanceState::builder()
                    .name(InstanceStateName::Running)
                    .build(),
            )
            .build();
        let r = map(&i, "us-east-1").unwrap();
        assert_eq!(r.attrs["instance_type"], json!("t3.micro"));
        assert_eq!(r.attrs["ami"], json!("ami-1"));
        assert_eq!(r.attrs["vpc_security_group_ids"], json!(["sg-2", "sg-1"]));
        assert_eq!(r.attrs["key_name"], Value::Null);
        assert_eq!(r.attrs["metadata_options"], Value::Null);

        let imds = SdkInstance::builder()
            .instance_id("i-3")
            .metadata_options(
                InstanceMetadataOptionsResponse::builder()
                    .http_tokens(HttpTokensState::Optional)
                    .http_endpoint(InstanceMetadataEndpointState::Enabled)
                    .http_put_response_hop_limit(2)
                    .build(),
            )
            .build();
        assert_eq!(
            map(&imds, "us-east-1").unwrap().attrs["metadata_options"],
            json!([{"http_endpoint": "enabled", "http_tokens": "optional",
                    "http_put_response_hop_limit": 2, "http_protocol_ipv6": null,
                    "instance_metadata_tags": null}])
        );

        let gone = SdkInstance::builder()
            .instance_id("i-2")
            .state(
                InstanceState::builder()
                    .name(InstanceStateName::Terminated)
                    .build(),
            )
            .build();
        assert!(map(&gone, "us-east-1").is_none());
    }
}
