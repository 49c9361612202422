//! `aws_rds_cluster`: an Aurora (or Multi-AZ DB) cluster; the id is the cluster identifier, as
//! Terraform's. DescribeDBClusters answers every compared attribute, tags included (`TagList`);
//! an answer without one is completed with ListTagsForResource. Encryption off and deletion
//! protection off are critical. The master password is never read.
//!
//! moto serves every call used here.

use super::{
    off_is_critical, present, removed_is_critical, strings, tags_in_or_listed,
    vpc_security_group_ids, SERVICE,
};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, QueryList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct RdsCluster;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_rds_cluster",
    attrs: &[
        AttrSpec::new("cluster_identifier", Shape::Scalar),
        AttrSpec::new("storage_encrypted", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_key_id", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("deletion_protection", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("iam_database_authentication_enabled", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        AttrSpec::new("db_subnet_group_name", Shape::Scalar),
        AttrSpec::new("db_cluster_parameter_group_name", Shape::Scalar),
        AttrSpec::new("engine", Shape::Scalar),
        AttrSpec::new("engine_mode", Shape::Scalar),
        AttrSpec::new("database_name", Shape::Scalar),
        AttrSpec::new("master_username", Shape::Scalar),
        AttrSpec::new("port", Shape::Number),
        AttrSpec::new("backup_retention_period", Shape::Number),
        AttrSpec::new("preferred_backup_window", Shape::Scalar),
        AttrSpec::new("preferred_maintenance_window", Shape::CaseInsensitive),
        AttrSpec::new("copy_tags_to_snapshot", Shape::Scalar),
        AttrSpec::new("enabled_cloudwatch_logs_exports", Shape::Set),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "master_password",
            "write-only secret: never read from AWS, never compared nor shown",
        ),
        UncomparedAttr::new(
            "master_password_wo",
            "write-only secret: never read from AWS, never compared nor shown",
        ),
        UncomparedAttr::new(
            "manage_master_user_password",
            "the generated secret lives in Secrets Manager; its value is never read",
        ),
        UncomparedAttr::new(
            "engine_version",
            "the code may name only a major version; AWS applies minor upgrades itself",
        ),
        UncomparedAttr::new(
            "availability_zones",
            "AWS spreads a cluster over three zones whatever the code names",
        ),
        UncomparedAttr::new(
            "cluster_members",
            "compared through each aws_rds_cluster_instance",
        ),
        UncomparedAttr::new(
            "cluster_identifier_prefix",
            "Terraform-side only: it chooses the identifier once, which is compared",
        ),
        UncomparedAttr::new(
            "apply_immediately",
            "Terraform-side only: how a change is applied",
        ),
        UncomparedAttr::new(
            "skip_final_snapshot",
            "Terraform-side only: read when the cluster is destroyed",
        ),
        UncomparedAttr::new(
            "final_snapshot_identifier",
            "Terraform-side only: read when the cluster is destroyed",
        ),
        UncomparedAttr::new(
            "snapshot_identifier",
            "Terraform-side only: the snapshot the cluster was created from",
        ),
        UncomparedAttr::new(
            "iam_roles",
            "associated roles are their own resource (aws_rds_cluster_role_association)",
        ),
    ],
};

/// A cluster (one `DBCluster` of DescribeDBClusters) with its tags.
fn map(c: &Value, tags: Value, region: &str) -> Resource {
    let id = str_of(c, "DBClusterIdentifier");
    resource(
        SPEC.resource_type,
        id,
        region,
        present(vec![
            ("cluster_identifier", json!(id)),
            ("storage_encrypted", flag(c, "StorageEncrypted")),
            ("kms_key_id", json!(str_of(c, "KmsKeyId"))),
            ("deletion_protection", flag(c, "DeletionProtection")),
            (
                "iam_database_authentication_enabled",
                flag(c, "IAMDatabaseAuthenticationEnabled"),
            ),
            ("vpc_security_group_ids", vpc_security_group_ids(c)),
            ("db_subnet_group_name", text(c, "DBSubnetGroup")),
            (
                "db_cluster_parameter_group_name",
                text(c, "DBClusterParameterGroup"),
            ),
            ("engine", text(c, "Engine")),
            ("engine_mode", text(c, "EngineMode")),
            ("database_name", text(c, "DatabaseName")),
            ("master_username", text(c, "MasterUsername")),
            ("port", number(c, "Port")),
            (
                "backup_retention_period",
                number(c, "BackupRetentionPeriod"),
            ),
            ("preferred_backup_window", text(c, "PreferredBackupWindow")),
            (
                "preferred_maintenance_window",
                text(c, "PreferredMaintenanceWindow"),
            ),
            ("copy_tags_to_snapshot", flag(c, "CopyTagsToSnapshot")),
            (
                "enabled_cloudwatch_logs_exports",
                strings(&c["EnabledCloudwatchLogsExports"], "member"),
            ),
            ("tags", tags),
        ]),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for RdsCluster {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let clusters = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeDBClusters",
                params: vec![("MaxRecords", "100".into())],
                list: "DBClusters",
                item: "DBCluster",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(clusters, |c| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags_in_or_listed(&client, &c, "DBClusterArn").await? else {
                    return Ok(None);
                };
                Ok(Some(map(&c, tags, &region)))
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    /// A `DBCluster` as DescribeDBClusters documents it (XML read as JSON).
    fn answer() -> Value {
        json!({
            "DBClusterIdentifier": "aurora",
            "DBClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:aurora",
            "Engine": "aurora-postgresql",
            "EngineMode": "provisioned",
            "EngineVersion": "15.4",
            "DatabaseName": "app",
            "MasterUsername": "admin",
            "Port": "5432",
            "StorageEncrypted": "true",
            "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "DeletionProtection": "true",
            "IAMDatabaseAuthenticationEnabled": "true",
            "DBSubnetGroup": "private",
            "DBClusterParameterGroup": "default.aurora-postgresql15",
            "VpcSecurityGroups": {"VpcSecurityGroupMembership": {"VpcSecurityGroupId": "sg-1", "Status": "active"}},
            "BackupRetentionPeriod": "7",
            "PreferredBackupWindow": "02:00-03:00",
            "PreferredMaintenanceWindow": "mon:03:27-mon:03:57",
            "CopyTagsToSnapshot": "false",
            "AvailabilityZones": {"AvailabilityZone": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]},
            "TagList": {"Tag": {"Key": "Env", "Value": "prod"}},
        })
    }

    #[test]
    fn cluster_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Env": "prod"}), "eu-west-1");
        assert_eq!(r.key.id, "aurora");
        assert_eq!(r.attrs["port"], json!(5432));
        assert_eq!(r.attrs["db_subnet_group_name"], json!("private"));
        assert_eq!(r.attrs["vpc_security_group_ids"], json!(["sg-1"]));
        assert_eq!(r.attrs["enabled_cloudwatch_logs_exports"], json!([]));
        assert_eq!(r.attrs["deletion_protection"], json!(true));
        assert!(!r.attrs.contains_key("master_password"));
    }

    #[test]
    fn encryption_and_protection_off_are_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(tier("storage_encrypted", json!(false)), Tier::Critical);
        assert_eq!(tier("deletion_protection", json!(false)), Tier::Critical);
        assert_eq!(tier("backup_retention_period", json!(1)), Tier::Warning);
    }

    #[test]
    fn false_positive_no_log_exports_and_window_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({"Env": "prod"}), "eu-west-1");
        // Terraform records [] for no log exports (AWS leaves the list out), the window as the
        // code wrote it, and three zones AWS chose (not compared).
        let state = json!({
            "cluster_identifier": "aurora",
            "storage_encrypted": true,
            "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "deletion_protection": true,
            "iam_database_authentication_enabled": true,
            "vpc_security_group_ids": ["sg-1"],
            "db_subnet_group_name": "private",
            "db_cluster_parameter_group_name": "default.aurora-postgresql15",
            "engine": "aurora-postgresql",
            "engine_mode": "provisioned",
            "database_name": "app",
            "master_username": "admin",
            "master_password": "not-compared",
            "port": 5432,
            "backup_retention_period": 7,
            "preferred_backup_window": "02:00-03:00",
            "preferred_maintenance_window": "Mon:03:27-Mon:03:57",
            "copy_tags_to_snapshot": false,
            "enabled_cloudwatch_logs_exports": [],
            "availability_zones": ["eu-west-1a"],
            "tags": {"Env": "prod"},
            "tags_all": {"Env": "prod"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: deletion protection turned off out of band.
        let mut off = answer();
        off["DeletionProtection"] = json!("false");
        let live = map(&off, json!({"Env": "prod"}), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["deletion_protection"]);
    }
}
