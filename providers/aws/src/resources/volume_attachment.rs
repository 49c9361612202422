//! `aws_volume_attachment`: an EBS volume attached to an instance, read from DescribeVolumes'
//! attachments. EC2 gives attachments no id; the Terraform AWS provider makes one from the device
//! name, instance and volume, `vai-<hash of "<device>-<instance>-<volume>-">`, which
//! [`attachment_id`] computes the same way, so a state attachment matches the live one by id.
//!
//! All three compared attributes are part of the id: a volume detached out of band is a missing
//! attachment (critical), and one moved to another instance or device is a missing one plus an
//! unmanaged one; there is nothing AWS lets change in place.
//!
//! Cloud defaults: the volumes an instance was launched with are attached by RunInstances and
//! belong to the instance (`root_block_device` and `ebs_block_device` of `aws_instance`), never
//! to an `aws_volume_attachment`. They are recognized by what AttachVolume never sets, "delete on
//! termination", and by the root device names AMIs use (`/dev/sda1`, `/dev/xvda`), since moto
//! reports no "delete on termination" at all. A volume attached at launch with "delete on
//! termination" off on another device is therefore listed as an ordinary attachment.
//! Attachments being removed (`detaching`, `detached`) are gone.

use super::route::hashcode;
use super::{resource, AWS_GENERATED_TAGS};
use crate::client::classify;
use async_trait::async_trait;
use aws_sdk_ec2::types::{VolumeAttachment as SdkAttachment, VolumeAttachmentState};
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct VolumeAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_volume_attachment",
    attrs: &[
        AttrSpec::new("instance_id", Shape::Scalar),
        AttrSpec::new("volume_id", Shape::Scalar),
        AttrSpec::new("device_name", Shape::Scalar),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "force_detach",
            "Terraform-side only: acts when Terraform detaches the volume",
        ),
        UncomparedAttr::new(
            "skip_destroy",
            "Terraform-side only: acts when Terraform destroys the attachment",
        ),
        UncomparedAttr::new(
            "stop_instance_before_detaching",
            "Terraform-side only: acts when Terraform detaches the volume",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// Device names AMIs give the root volume.
const ROOT_DEVICES: &[&str] = &["/dev/sda1", "/dev/xvda"];

/// The id Terraform gives the attachment of `volume` to `instance` as `device`.
pub(crate) fn attachment_id(device: &str, instance: &str, volume: &str) -> String {
    format!(
        "vai-{}",
        hashcode(&format!("{device}-{instance}-{volume}-"))
    )
}

fn map(a: &SdkAttachment, region: &str) -> Option<Resource> {
    let (device, instance, volume) = (a.device()?, a.instance_id()?, a.volume_id()?);
    if matches!(
        a.state(),
        Some(VolumeAttachmentState::Detaching | VolumeAttachmentState::Detached)
    ) {
        return None;
    }
    let mut r = resource(
        SPEC.resource_type,
        &attachment_id(device, instance, volume),
        region,
        json!({
            "device_name": device,
            "instance_id": instance,
            "volume_id": volume,
        }),
    );
    r.cloud_default = a.delete_on_termination() == Some(true) || ROOT_DEVICES.contains(&device);
    Some(r)
}

#[async_trait]
impl ResourceKind<Client> for VolumeAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_volumes().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeVolumes", &e))?;
            for v in page.volumes() {
                out.resources
                    .extend(v.attachments().iter().filter_map(|a| map(a, region)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(device: &str, delete_on_termination: Option<bool>) -> SdkAttachment {
        SdkAttachment::builder()
            .device(device)
            .instance_id("i-08254b53e779ab35c")
            .volume_id("vol-1")
            .state(VolumeAttachmentState::Attached)
            .set_delete_on_termination(delete_on_termination)
            .build()
    }

    #[test]
    fn maps_to_terraform_names_and_id() {
        let r = map(&attachment("/dev/sdf", Some(false)), "us-east-1").unwrap();
        let hash = crc32fast::hash(b"/dev/sdf-i-08254b53e779ab35c-vol-1-");
        assert_eq!(r.key.id, format!("vai-{hash}"));
        assert_eq!(r.attrs["device_name"], json!("/dev/sdf"));
        assert_eq!(r.attrs["instance_id"], json!("i-08254b53e779ab35c"));
        assert_eq!(r.attrs["volume_id"], json!("vol-1"));
        assert!(!r.cloud_default);
    }

    #[test]
    fn launch_time_volumes_are_cloud_defaults_and_detached_ones_gone() {
        assert!(
            map(&attachment("/dev/sdg", Some(true)), "us-east-1")
                .unwrap()
                .cloud_default
        );
        assert!(
            map(&attachment("/dev/xvda", None), "us-east-1")
                .unwrap()
                .cloud_default
        );
        let mut detaching = attachment("/dev/sdf", None);
        detaching.state = Some(VolumeAttachmentState::Detaching);
        assert!(map(&detaching, "us-east-1").is_none());
    }
}
