//! `aws_launch_template`: name, default version, tags, and the description, AMI, instance type,
//! key pair and security groups of the default version, as Terraform reads them. The version
//! needs one DescribeLaunchTemplateVersions call per template; if any of them fails, those
//! attributes are left out of the comparison for the whole region and reported, instead of
//! comparing a partial view. `latest_version` is computed (every apply adds a version): not
//! compared.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{LaunchTemplate as SdkTemplate, LaunchTemplateVersion};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub struct LaunchTemplate;

/// Concurrent DescribeLaunchTemplateVersions calls per region.
const VERSION_CONCURRENCY: usize = 8;

/// The attributes read from the default version.
const VERSION_ATTRS: [&str; 5] = [
    "description",
    "image_id",
    "instance_type",
    "key_name",
    "vpc_security_group_ids",
];

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_launch_template",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("default_version", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("image_id", Shape::Scalar),
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("key_name", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: generates name at create; name is compared",
        ),
        UncomparedAttr::new(
            "update_default_version",
            "Terraform-side only: whether an apply makes its new version the default",
        ),
        UncomparedAttr::new("latest_version", "computed: every apply adds a version"),
        UncomparedAttr::new(
            "iam_instance_profile",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet: what instances launched from it may do",
        ),
        UncomparedAttr::new(
            "metadata_options",
            "read from the default version (the IMDSv1 policy looks at it), not compared yet: \
            IMDSv2 enforcement",
        ),
        UncomparedAttr::new(
            "user_data",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "network_interfaces",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "block_device_mappings",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "security_group_names",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "monitoring",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "placement",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "ebs_optimized",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "disable_api_stop",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "disable_api_termination",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "instance_initiated_shutdown_behavior",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "instance_market_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "instance_requirements",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "cpu_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "credit_specification",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "capacity_reservation_specification",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "enclave_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "hibernation_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "maintenance_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "private_dns_name_options",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "license_specification",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "kernel_id",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "ram_disk_id",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "tag_specifications",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet",
        ),
        UncomparedAttr::new(
            "elastic_gpu_specifications",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet (deprecated by AWS)",
        ),
        UncomparedAttr::new(
            "elastic_inference_accelerator",
            "part of the default version (DescribeLaunchTemplateVersions returns it); not \
            compared yet (deprecated by AWS)",
        ),
    ],
};

fn map(t: &SdkTemplate, region: &str) -> Option<Resource> {
    let id = t.launch_template_id()?;
    Some(resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "name": opt_str(t.launch_template_name()),
            "default_version": t.default_version_number(),
            "tags": tags_value(t.tags()),
        }),
    ))
}

/// The attributes of one version, in [`VERSION_ATTRS`] order.
fn version_attrs(v: &LaunchTemplateVersion) -> Map<String, Value> {
    let data = v.launch_template_data();
    let groups: Vec<Value> = data
        .map(|d| d.security_group_ids())
        .unwrap_or_default()
        .iter()
        .map(|g| Value::String(g.clone()))
        .collect();
    let values = [
        opt_str(v.version_description()),
        opt_str(data.and_then(|d| d.image_id())),
        opt_str(data.and_then(|d| d.instance_type()).map(|t| t.as_str())),
        opt_str(data.and_then(|d| d.key_name())),
        Value::Array(groups),
    ];
    let mut attrs: Map<String, Value> = VERSION_ATTRS
        .iter()
        .map(|k| k.to_string())
        .zip(values)
        .collect();
    // Read for the IMDSv1 policy, not compared. Absent when the version sets none (the
    // account's default then applies, which is not known here).
    if let Some(m) = data.and_then(|d| d.metadata_options()) {
        attrs.insert(
            METADATA_OPTIONS.into(),
            super::metadata_options_block(
                m.http_endpoint().map(|v| v.as_str()),
                m.http_tokens().map(|v| v.as_str()),
                m.http_put_response_hop_limit(),
                m.http_protocol_ipv6().map(|v| v.as_str()),
                m.instance_metadata_tags().map(|v| v.as_str()),
            ),
        );
    }
    attrs
}

const METADATA_OPTIONS: &str = "metadata_options";

async fn default_version(client: &Client, id: &str) -> Result<Map<String, Value>, ListError> {
    let out = client
        .describe_launch_template_versions()
        .launch_template_id(id)
        .versions("$Default")
        .send()
        .await
        .map_err(|e| classify("DescribeLaunchTemplateVersions", &e))?;
    let version = out.launch_template_versions().first().ok_or_else(|| {
        ListError::Api(format!(
            "DescribeLaunchTemplateVersions: no default version of {id}"
        ))
    })?;
    Ok(version_attrs(version))
}

#[async_trait]
impl ResourceKind<Client> for LaunchTemplate {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_launch_templates().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeLaunchTemplates", &e))?;
            out.resources.extend(
                page.launch_templates()
                    .iter()
                    .filter_map(|t| map(t, region)),
            );
        }

        let limit = Arc::new(Semaphore::new(VERSION_CONCURRENCY));
        let mut calls = JoinSet::new();
        for (idx, r) in out.resources.iter().enumerate() {
            let (client, id, limit) = (client.clone(), r.key.id.clone(), limit.clone());
            calls.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (idx, default_version(&client, &id).await)
            });
        }
        let mut failure = None;
        while let Some(joined) = calls.join_next().await {
            match joined {
                Ok((idx, Ok(attrs))) => out.resources[idx].attrs.extend(attrs),
                Ok((_, Err(e))) => failure = Some(e),
                Err(_) => failure = Some(ListError::Api("version task failed".into())),
            }
        }
        if let Some(err) = failure {
            for r in &mut out.resources {
                for attr in VERSION_ATTRS {
                    r.attrs.remove(attr);
                }
                r.attrs.remove(METADATA_OPTIONS);
            }
            for attr in VERSION_ATTRS {
                out.unread_attributes.push((attr.to_string(), err.clone()));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{
        InstanceType, LaunchTemplateHttpTokensState, LaunchTemplateInstanceMetadataOptions,
        ResponseLaunchTemplateData, Tag,
    };

    #[test]
    fn maps_template_and_default_version_to_terraform_names() {
        let t = SdkTemplate::builder()
            .launch_template_id("lt-1")
            .launch_template_name("web")
            .default_version_number(2)
            .latest_version_number(3)
            .tags(Tag::builder().key("Env").value("prod").build())
            .build();
        let mut r = map(&t, "us-east-1").unwrap();
        assert_eq!(r.key.id, "lt-1");
        assert_eq!(r.attrs["name"], json!("web"));
        assert_eq!(r.attrs["default_version"], json!(2));
        assert!(!r.attrs.contains_key("latest_version"));
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));

        let v = LaunchTemplateVersion::builder()
            .version_number(2)
            .version_description("web servers")
            .launch_template_data(
                ResponseLaunchTemplateData::builder()
                    .image_id("ami-1")
                    .instance_type(InstanceType::T3Micro)
                    .key_name("deployer")
                    .security_group_ids("sg-2")
                    .security_group_ids("sg-1")
                    .build(),
            )
            .build();
        r.attrs.extend(version_attrs(&v));
        assert_eq!(r.attrs["description"], json!("web servers"));
        assert_eq!(r.attrs["image_id"], json!("ami-1"));
        assert_eq!(r.attrs["instance_type"], json!("t3.micro"));
        assert_eq!(r.attrs["key_name"], json!("deployer"));
        assert_eq!(
            SPEC.normalize(Shape::Set, &r.attrs["vpc_security_group_ids"]),
            Some(json!(["sg-1", "sg-2"]))
        );
        assert!(
            !r.attrs.contains_key("metadata_options"),
            "the version sets none"
        );

        let v = LaunchTemplateVersion::builder()
            .launch_template_data(
                ResponseLaunchTemplateData::builder()
                    .metadata_options(
                        LaunchTemplateInstanceMetadataOptions::builder()
                            .http_tokens(LaunchTemplateHttpTokensState::Optional)
                            .build(),
                    )
                    .build(),
            )
            .build();
        assert_eq!(
            version_attrs(&v)["metadata_options"],
            json!([{"http_endpoint": null, "http_tokens": "optional",
                    "http_put_response_hop_limit": null, "http_protocol_ipv6": null,
                    "instance_metadata_tags": null}])
        );
    }
}
