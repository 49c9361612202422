//! `google_compute_disk`: size, type, zone, description and labels. The disk's `image` is
//! not compared: the provider stores it as written in the code (`debian-cloud/debian-12`),
//! while the API answers the resolved image link.

use super::{labels, list_compute, opt, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, short_name, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Disk;
use serde_json::json;

pub struct ComputeDisk;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_disk",
    attrs: &[
        AttrSpec::new("size", Shape::Scalar),
        AttrSpec::new("type", Shape::Scalar),
        AttrSpec::new("zone", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "image",
            "stored as written in the code (a family or short name) while the API answers the \
            resolved image link",
        ),
        UncomparedAttr::new(
            "snapshot",
            "the source the disk was created from; not compared yet",
        ),
        UncomparedAttr::new(
            "source_disk",
            "the source the disk was created from; not compared yet",
        ),
        UncomparedAttr::new(
            "disk_encryption_key",
            "not compared yet: the customer key (kms_key_self_link) protecting the disk; its \
            raw_key and rsa_encrypted_key are secrets, never read",
        ),
        UncomparedAttr::new(
            "source_image_encryption_key",
            "a secret or key used once, to read the source image",
        ),
        UncomparedAttr::new(
            "source_snapshot_encryption_key",
            "a secret or key used once, to read the source snapshot",
        ),
        UncomparedAttr::new(
            "provisioned_iops",
            "not compared yet (disks.list returns it)",
        ),
        UncomparedAttr::new(
            "provisioned_throughput",
            "not compared yet (disks.list returns it)",
        ),
        UncomparedAttr::new(
            "physical_block_size_bytes",
            "fixed at create: another size is another disk",
        ),
        UncomparedAttr::new("access_mode", "not compared yet (disks.list returns it)"),
        UncomparedAttr::new("architecture", "not compared yet (disks.list returns it)"),
        UncomparedAttr::new(
            "guest_os_features",
            "not compared yet (disks.list returns it)",
        ),
        UncomparedAttr::new("licenses", "not compared yet (disks.list returns it)"),
        UncomparedAttr::new(
            "storage_pool",
            "fixed at create: another pool is another disk",
        ),
        UncomparedAttr::new(
            "enable_confidential_compute",
            "fixed at create: not compared yet",
        ),
        UncomparedAttr::new(
            "async_primary_disk",
            "not compared yet (disks.list returns it): the disk this one replicates",
        ),
        UncomparedAttr::new("users", "computed: the instances using the disk now"),
        UncomparedAttr::new(
            "create_snapshot_before_destroy",
            "Terraform-side only: acts when Terraform destroys the disk",
        ),
        UncomparedAttr::new(
            "effective_labels",
            "every label on the resource, others' included; labels are compared through \
            terraform_labels",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(d: &Disk, scope: &Scope) -> Option<Resource> {
    let name = d.name.as_deref()?;
    let mut r = resource(
        SPEC.resource_type,
        format!(
            "projects/{}/zones/{}/disks/{name}",
            scope.project, scope.location
        ),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "zone": scope.location,
            "size": d.size_gb,
            "type": opt(d.r#type.as_deref().map(short_name)),
            "description": opt(d.description.as_deref()),
            "labels": labels(&d.labels),
            "source_image_id": opt(d.source_image_id.as_deref()),
            "image": opt(d.source_image.as_deref().map(canonical_link).as_deref()),
            "self_link": opt(d.self_link.as_deref().map(canonical_link).as_deref()),
        }),
    );
    // A disk used by the instance of its own name is the boot disk the instance made (Compute
    // Engine names it so): it belongs to the instance, not to a `google_compute_disk`.
    r.cloud_default = d.users.iter().any(|u| short_name(u) == name);
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeDisk {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing disks", map, |s| {
            client
                .clients
                .disks
                .list()
                .set_project(&s.project)
                .set_zone(&s.location)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        // The API sends int64 fields as strings.
        let d: Disk = serde_json::from_value(json!({
            "name": "data",
            "sizeGb": "20",
            "type": "https://www.googleapis.com/compute/v1/projects/p/zones/us-east1-b/diskTypes/pd-ssd",
            "labels": {"team": "db"}
        }))
        .expect("disk JSON");
        let r = map(&d, &Scope::new("p", "us-east1-b")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/zones/us-east1-b/disks/data");
        assert_eq!(r.attrs["size"], json!(20));
        assert_eq!(r.attrs["type"], json!("pd-ssd"));
        assert_eq!(r.attrs["labels"], json!({"team": "db"}));
        assert!(!r.cloud_default);
    }

    #[test]
    fn an_instance_boot_disk_is_the_clouds_own() {
        let users = |name: &str, user: &str| -> Disk {
            serde_json::from_value(json!({
                "name": name,
                "users": [format!("https://www.googleapis.com/compute/v1/projects/p/zones/z/instances/{user}")]
            }))
            .expect("disk JSON")
        };
        let scope = Scope::new("p", "z");
        assert!(map(&users("web-1", "web-1"), &scope).unwrap().cloud_default);
        // A data disk attached to an instance is an ordinary disk.
        assert!(!map(&users("data", "web-1"), &scope).unwrap().cloud_default);
    }
}
