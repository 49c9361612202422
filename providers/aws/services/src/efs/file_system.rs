//! `aws_efs_file_system`: the id is the file system's id (`fs-...`), as Terraform's.
//! DescribeFileSystems pages through them (`Marker`/`NextMarker`) with their tags and
//! protection; each one's lifecycle policies are then read with DescribeLifecycleConfiguration
//! (one call per file system, counted like every other).
//!
//! What matters most: encryption at rest (a file system found off_is_critical is critical: it cannot
//! be turned off, so this means state and the cloud hold different file systems) and its key.
//!
//! moto serves every call used here (it answers no `KmsKeyId` for the default key, and no
//! `FileSystemProtection`: both read as unknown).

use super::SERVICE;
use crate::client::{segment, ApiClient};
use crate::common::off_is_critical;
use crate::common::{array, flag, number, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, rest_all, unless_gone, RestList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct EfsFileSystem;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_efs_file_system",
    attrs: &[
        AttrSpec::new("encrypted", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_key_id", Shape::Scalar),
        AttrSpec::new("creation_token", Shape::Scalar),
        AttrSpec::new("performance_mode", Shape::Scalar),
        AttrSpec::new("throughput_mode", Shape::Scalar),
        AttrSpec::new("provisioned_throughput_in_mibps", Shape::Number),
        AttrSpec::new("availability_zone_name", Shape::Scalar),
        AttrSpec::new("lifecycle_policy", Shape::Document),
        AttrSpec::new("protection.0.replication_overwrite", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "size_in_bytes",
        "metered by EFS as data is written: not a setting",
    )],
};

/// A file system from DescribeFileSystems' `FileSystemDescription` and its lifecycle policies
/// (DescribeLifecycleConfiguration's `LifecyclePolicies`).
fn map(fs: &Value, policies: &[Value], region: &str) -> Option<Resource> {
    let id = str_of(fs, "FileSystemId");
    if id.is_empty() {
        return None;
    }
    // Terraform writes one block per policy, each with its one transition set.
    let lifecycle: Vec<Value> = policies
        .iter()
        .map(|p| {
            json!({
                "transition_to_ia": text(p, "TransitionToIA"),
                "transition_to_primary_storage_class": text(p, "TransitionToPrimaryStorageClass"),
                "transition_to_archive": text(p, "TransitionToArchive"),
            })
        })
        .collect();
    let mut attrs = json!({
        "encrypted": flag(fs, "Encrypted").as_bool().unwrap_or(false),
        "creation_token": text(fs, "CreationToken"),
        "performance_mode": text(fs, "PerformanceMode"),
        "throughput_mode": text(fs, "ThroughputMode"),
        // Answered only in provisioned mode; Terraform records 0 otherwise.
        "provisioned_throughput_in_mibps": match number(fs, "ProvisionedThroughputInMibps") {
            Value::Null => json!(0),
            n => n,
        },
        "availability_zone_name": text(fs, "AvailabilityZoneName"),
        "lifecycle_policy": lifecycle,
        "tags": tag_list(array(fs, "Tags"), "Key", "Value"),
    });
    // The key is answered whenever the file system is encrypted (moto leaves the default key
    // out): absent, it is unknown rather than removed.
    let key = text(fs, "KmsKeyId");
    if !key.is_null() {
        attrs["kms_key_id"] = key;
    }
    // Older answers (and moto) have no protection block: unknown, not removed.
    if let Some(p) = fs.get("FileSystemProtection") {
        attrs["protection"] =
            json!([{"replication_overwrite": text(p, "ReplicationOverwriteProtection")}]);
    }
    Some(resource(SPEC.resource_type, id, region, attrs))
}

#[async_trait]
impl ResourceKind<ApiClient> for EfsFileSystem {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = rest_all(
            client,
            &SERVICE,
            RestList {
                operation: "DescribeFileSystems",
                path: "/2015-02-01/file-systems".into(),
                query: "MaxItems=100".into(),
                list: "FileSystems",
                token_in: "Marker",
                token_out: "NextMarker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(all, |fs| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let path = format!(
                    "/2015-02-01/file-systems/{}/lifecycle-configuration",
                    segment(str_of(&fs, "FileSystemId"))
                );
                let got = client
                    .rest(&SERVICE, "DescribeLifecycleConfiguration", &path, "")
                    .await;
                let Some(lc) = unless_gone(got)? else {
                    return Ok(None);
                };
                Ok(map(&fs, array(&lc, "LifecyclePolicies"), &region))
            }
        })
        .await?;
        Ok(KindListing {
            resources,
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, Tier};
    use driftd_core::{ChangeOp, FindingKind};

    fn answer() -> Value {
        // One of DescribeFileSystems' `FileSystems`, as the API reference shows it.
        json!({
            "OwnerId": "123456789012",
            "CreationToken": "orders-data",
            "FileSystemId": "fs-0123456789abcdef0",
            "FileSystemArn": "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0",
            "CreationTime": 1.7e9,
            "LifeCycleState": "available",
            "Name": "orders",
            "NumberOfMountTargets": 0,
            "SizeInBytes": {"Value": 6144},
            "PerformanceMode": "generalPurpose",
            "Encrypted": true,
            "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "ThroughputMode": "bursting",
            "Tags": [{"Key": "Name", "Value": "orders"}],
            "FileSystemProtection": {"ReplicationOverwriteProtection": "ENABLED"},
        })
    }

    #[test]
    fn file_system_maps_to_terraform_attributes() {
        let policies = [json!({"TransitionToIA": "AFTER_30_DAYS"})];
        let r = map(&answer(), &policies, "eu-west-1").unwrap();
        assert_eq!(r.key.id, "fs-0123456789abcdef0");
        assert_eq!(r.attrs["encrypted"], json!(true));
        assert_eq!(r.attrs["creation_token"], json!("orders-data"));
        assert_eq!(r.attrs["tags"], json!({"Name": "orders"}));
        assert_eq!(
            r.attrs["lifecycle_policy"][0]["transition_to_ia"],
            json!("AFTER_30_DAYS")
        );
        assert_eq!(
            r.attrs["protection"],
            json!([{"replication_overwrite": "ENABLED"}])
        );
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!(true), new)],
            )
        };
        assert_eq!(tier("encrypted", json!(false)), Tier::Critical);
        assert_eq!(tier("throughput_mode", json!("elastic")), Tier::Warning);
    }

    #[test]
    fn false_positive_lifecycle_blocks_in_another_order_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // EFS answers the policies in its order with only the transition set; Terraform
        // records each block with the other transitions as "".
        let policies = [
            json!({"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}),
            json!({"TransitionToIA": "AFTER_30_DAYS"}),
        ];
        let live = map(&answer(), &policies, "eu-west-1").unwrap();
        let state = json!({
            "encrypted": true,
            "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "creation_token": "orders-data", "performance_mode": "generalPurpose",
            "throughput_mode": "bursting", "provisioned_throughput_in_mibps": 0,
            "availability_zone_name": "",
            "lifecycle_policy": [
                {"transition_to_ia": "AFTER_30_DAYS", "transition_to_primary_storage_class": "", "transition_to_archive": ""},
                {"transition_to_ia": "", "transition_to_primary_storage_class": "AFTER_1_ACCESS", "transition_to_archive": ""}
            ],
            "protection": [{"replication_overwrite": "ENABLED"}],
            "tags": {"Name": "orders"}, "tags_all": {"Name": "orders"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["lifecycle_policy"][0]["transition_to_ia"] = json!("AFTER_7_DAYS");
        assert_eq!(changed_paths(&SPEC, other, &live), ["lifecycle_policy"]);
    }
}
