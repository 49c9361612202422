//! `aws_ebs_volume`: zone, size, type, encryption and tags. A volume attached with
//! delete-on-termination was created with its instance (root or inline block device): it is a
//! cloud default, managed through the instance, not an unmanaged volume. When DescribeVolumes
//! leaves the attachment's delete-on-termination flag out (moto does), the instance's block device
//! mapping is asked instead, in one batched DescribeInstances call.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Volume, VolumeState};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;
use std::collections::{BTreeSet, HashSet};

pub struct EbsVolume;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ebs_volume",
    attrs: &[
        AttrSpec::new("availability_zone", Shape::Scalar),
        AttrSpec::new("size", Shape::Number),
        AttrSpec::new("type", Shape::CaseInsensitive),
        AttrSpec::new("encrypted", Shape::Scalar),
        AttrSpec::new("snapshot_id", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("iops", "not compared yet (DescribeVolumes returns it)"),
        UncomparedAttr::new(
            "throughput",
            "not compared yet (DescribeVolumes returns it)",
        ),
        UncomparedAttr::new(
            "kms_key_id",
            "not compared yet (DescribeVolumes returns it); the key is chosen at create, changing \
            it replaces the volume",
        ),
        UncomparedAttr::new(
            "multi_attach_enabled",
            "not compared yet (DescribeVolumes returns it)",
        ),
        UncomparedAttr::new(
            "outpost_arn",
            "fixed at create: another Outpost is another volume",
        ),
        UncomparedAttr::new(
            "final_snapshot",
            "Terraform-side only: acts when Terraform destroys the volume",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(v: &Volume, region: &str) -> Option<Resource> {
    let id = v.volume_id()?;
    if matches!(
        v.state(),
        Some(VolumeState::Deleting | VolumeState::Deleted)
    ) {
        return None;
    }
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        json!({
            "availability_zone": opt_str(v.availability_zone()),
            "size": v.size(),
            "type": opt_str(v.volume_type().map(|t| t.as_str())),
            "encrypted": v.encrypted().unwrap_or(false),
            "snapshot_id": opt_str(v.snapshot_id()),
            "tags": tags_value(v.tags()),
        }),
    );
    r.cloud_default = v
        .attachments()
        .iter()
        .any(|a| a.delete_on_termination() == Some(true));
    Some(r)
}

/// Volume ids that their instances delete on termination, for attachments whose flag is unknown.
async fn deleted_with_instance(
    client: &Client,
    volumes: &[Volume],
) -> Result<HashSet<String>, ListError> {
    let instance_ids: BTreeSet<&str> = volumes
        .iter()
        .flat_map(|v| v.attachments())
        .filter(|a| a.delete_on_termination().is_none())
        .filter_map(|a| a.instance_id())
        .collect();
    let mut out = HashSet::new();
    let ids: Vec<&str> = instance_ids.into_iter().collect();
    for chunk in ids.chunks(200) {
        let mut pages = client
            .describe_instances()
            .set_instance_ids(Some(chunk.iter().map(|s| s.to_string()).collect()))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeInstances", &e))?;
            for i in page.reservations().iter().flat_map(|r| r.instances()) {
                for m in i.block_device_mappings() {
                    if let Some(ebs) = m.ebs() {
                        if ebs.delete_on_termination() == Some(true) {
                            if let Some(id) = ebs.volume_id() {
                                out.insert(id.to_string());
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Client> for EbsVolume {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut volumes = Vec::new();
        let mut pages = client.describe_volumes().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeVolumes", &e))?;
            volumes.extend(page.volumes().iter().cloned());
        }
        let with_instance = deleted_with_instance(client, &volumes).await?;
        out.resources = volumes
            .iter()
            .filter_map(|v| {
                let mut r = map(v, region)?;
                r.cloud_default |= with_instance.contains(&r.key.id);
                Some(r)
            })
            .collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{VolumeAttachment, VolumeType};

    #[test]
    fn maps_to_terraform_names() {
        let v = Volume::builder()
            .volume_id("vol-1")
            .availability_zone("us-east-1a")
            .size(20)
            .volume_type(VolumeType::Gp3)
            .encrypted(true)
            .state(VolumeState::Available)
            .build();
        let r = map(&v, "us-east-1").unwrap();
        assert!(!r.cloud_default);
        assert_eq!(r.attrs["size"], json!(20));
        assert_eq!(r.attrs["type"], json!("gp3"));
        assert_eq!(r.attrs["encrypted"], json!(true));
    }

    #[test]
    fn root_volume_is_a_cloud_default_and_deleted_volumes_are_gone() {
        let root = Volume::builder()
            .volume_id("vol-2")
            .attachments(
                VolumeAttachment::builder()
                    .instance_id("i-1")
                    .delete_on_termination(true)
                    .build(),
            )
            .build();
        assert!(map(&root, "us-east-1").unwrap().cloud_default);
        let deleted = Volume::builder()
            .volume_id("vol-3")
            .state(VolumeState::Deleted)
            .build();
        assert!(map(&deleted, "us-east-1").is_none());
    }
}
