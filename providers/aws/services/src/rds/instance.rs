//! `aws_db_instance`: a DB instance that is not part of an Aurora cluster (those are
//! `aws_rds_cluster_instance`). Since version 5 of the Terraform provider the state's id is the
//! instance's resource id (`db-...`, DescribeDBInstances' `DbiResourceId`) and the DB identifier
//! is the `identifier` attribute; earlier versions used the identifier as the id, and import
//! takes the identifier in both. The live resource's id is the identifier, and the identifier is
//! marked as the identity, so that states written by either version meet the live instance.
//!
//! One DescribeDBInstances listing serves every attribute, tags included (`TagList`); an answer
//! without a `TagList` is completed with ListTagsForResource. Public exposure, encryption off
//! and deletion protection off are critical. The master password is never read.
//!
//! moto serves every call used here; it gives every instance the same `DbiResourceId`, which the
//! identifier as the live id and identity makes harmless.

use super::{
    db_instances, made_public, off_is_critical, present, removed_is_critical, strings,
    tags_in_or_listed, vpc_security_group_ids,
};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::each_bounded;
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DbInstance;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_db_instance",
    attrs: &[
        AttrSpec::new("identifier", Shape::Scalar).identity(),
        AttrSpec::new("publicly_accessible", Shape::Scalar).tier(TierHint::Rule(made_public)),
        AttrSpec::new("storage_encrypted", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_key_id", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("deletion_protection", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("iam_database_authentication_enabled", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        AttrSpec::new("db_subnet_group_name", Shape::Scalar),
        AttrSpec::new("parameter_group_name", Shape::Scalar),
        AttrSpec::new("ca_cert_identifier", Shape::Scalar),
        AttrSpec::new("engine", Shape::Scalar),
        AttrSpec::new("instance_class", Shape::Scalar),
        AttrSpec::new("allocated_storage", Shape::Number),
        AttrSpec::new("max_allocated_storage", Shape::Number),
        AttrSpec::new("storage_type", Shape::Scalar),
        AttrSpec::new("iops", Shape::Number),
        AttrSpec::new("multi_az", Shape::Scalar),
        AttrSpec::new("port", Shape::Number),
        AttrSpec::new("username", Shape::Scalar),
        AttrSpec::new("db_name", Shape::Scalar),
        AttrSpec::new("backup_retention_period", Shape::Number),
        AttrSpec::new("backup_window", Shape::Scalar),
        AttrSpec::new("maintenance_window", Shape::CaseInsensitive),
        AttrSpec::new("auto_minor_version_upgrade", Shape::Scalar),
        AttrSpec::new("copy_tags_to_snapshot", Shape::Scalar),
        AttrSpec::new("monitoring_interval", Shape::Number),
        AttrSpec::new("performance_insights_enabled", Shape::Scalar),
        AttrSpec::new("enabled_cloudwatch_logs_exports", Shape::Set),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "password",
            "write-only secret: never read from AWS, never compared nor shown",
        ),
        UncomparedAttr::new(
            "password_wo",
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
            "engine_version_actual",
            "moves with the minor upgrades AWS applies (auto_minor_version_upgrade)",
        ),
        UncomparedAttr::new(
            "identifier_prefix",
            "Terraform-side only: it chooses the identifier once, which is compared",
        ),
        UncomparedAttr::new(
            "apply_immediately",
            "Terraform-side only: how a change is applied",
        ),
        UncomparedAttr::new(
            "skip_final_snapshot",
            "Terraform-side only: read when the instance is destroyed",
        ),
        UncomparedAttr::new(
            "final_snapshot_identifier",
            "Terraform-side only: read when the instance is destroyed",
        ),
        UncomparedAttr::new(
            "option_group_name",
            "the option group AWS assigns by default differs by engine version",
        ),
        UncomparedAttr::new(
            "availability_zone",
            "chosen by AWS when not set, and moved by a Multi-AZ failover",
        ),
        UncomparedAttr::new(
            "snapshot_identifier",
            "Terraform-side only: the snapshot the instance was created from",
        ),
        UncomparedAttr::new(
            "replicate_source_db",
            "compared through the replica's own settings; the source is named differently \
             (identifier or ARN) by the code and the API",
        ),
        UncomparedAttr::new(
            "performance_insights_kms_key_id",
            "AWS picks its managed key when none is given",
        ),
        UncomparedAttr::new(
            "monitoring_role_arn",
            "read with monitoring_interval, which is compared",
        ),
    ],
};

/// The name of the instance's DB parameter group (the first of `DBParameterGroups`).
pub(crate) fn parameter_group_of(i: &Value) -> Value {
    members(&i["DBParameterGroups"], "DBParameterGroup")
        .first()
        .map(|g| text(g, "DBParameterGroupName"))
        .unwrap_or(Value::Null)
}

/// A DB instance (one `DBInstance` of DescribeDBInstances) with its tags.
fn map(i: &Value, tags: Value, region: &str) -> Resource {
    let identifier = str_of(i, "DBInstanceIdentifier");
    let encrypted = flag(i, "StorageEncrypted");
    resource(
        SPEC.resource_type,
        identifier,
        region,
        present(vec![
            ("identifier", json!(identifier)),
            ("publicly_accessible", flag(i, "PubliclyAccessible")),
            ("storage_encrypted", encrypted),
            // Not encrypted: no key, and Terraform records "".
            ("kms_key_id", json!(str_of(i, "KmsKeyId"))),
            ("deletion_protection", flag(i, "DeletionProtection")),
            (
                "iam_database_authentication_enabled",
                flag(i, "IAMDatabaseAuthenticationEnabled"),
            ),
            ("vpc_security_group_ids", vpc_security_group_ids(i)),
            (
                "db_subnet_group_name",
                i.get("DBSubnetGroup")
                    .map(|g| text(g, "DBSubnetGroupName"))
                    .unwrap_or(Value::Null),
            ),
            ("parameter_group_name", parameter_group_of(i)),
            ("ca_cert_identifier", text(i, "CACertificateIdentifier")),
            ("engine", text(i, "Engine")),
            ("instance_class", text(i, "DBInstanceClass")),
            ("allocated_storage", number(i, "AllocatedStorage")),
            // Storage autoscaling off: AWS leaves it out, Terraform records 0.
            (
                "max_allocated_storage",
                match number(i, "MaxAllocatedStorage") {
                    Value::Null => json!(0),
                    n => n,
                },
            ),
            ("storage_type", text(i, "StorageType")),
            (
                "iops",
                match number(i, "Iops") {
                    Value::Null => json!(0),
                    n => n,
                },
            ),
            ("multi_az", flag(i, "MultiAZ")),
            (
                "port",
                i.get("Endpoint")
                    .map(|e| number(e, "Port"))
                    .unwrap_or(Value::Null),
            ),
            ("username", text(i, "MasterUsername")),
            ("db_name", text(i, "DBName")),
            (
                "backup_retention_period",
                number(i, "BackupRetentionPeriod"),
            ),
            ("backup_window", text(i, "PreferredBackupWindow")),
            ("maintenance_window", text(i, "PreferredMaintenanceWindow")),
            (
                "auto_minor_version_upgrade",
                flag(i, "AutoMinorVersionUpgrade"),
            ),
            ("copy_tags_to_snapshot", flag(i, "CopyTagsToSnapshot")),
            (
                "monitoring_interval",
                match number(i, "MonitoringInterval") {
                    Value::Null => json!(0),
                    n => n,
                },
            ),
            (
                "performance_insights_enabled",
                flag(i, "PerformanceInsightsEnabled"),
            ),
            (
                "enabled_cloudwatch_logs_exports",
                strings(&i["EnabledCloudwatchLogsExports"], "member"),
            ),
            ("tags", tags),
        ]),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for DbInstance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        // Members of an Aurora cluster are aws_rds_cluster_instance.
        let instances: Vec<Value> = db_instances(client)
            .await?
            .into_iter()
            .filter(|i| str_of(i, "DBClusterIdentifier").is_empty())
            .collect();
        let region = region.to_string();
        let resources = each_bounded(instances, |i| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags_in_or_listed(&client, &i, "DBInstanceArn").await? else {
                    return Ok(None);
                };
                Ok(Some(map(&i, tags, &region)))
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

    /// A `DBInstance` as DescribeDBInstances documents it (XML read as JSON).
    fn answer() -> Value {
        json!({
            "DBInstanceIdentifier": "orders",
            "DbiResourceId": "db-ABCDEFGHIJKLMNOP",
            "DBInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:orders",
            "DBInstanceClass": "db.t3.micro",
            "Engine": "postgres",
            "EngineVersion": "16.3",
            "MasterUsername": "app",
            "DBName": "orders",
            "Endpoint": {"Address": "orders.abc.eu-west-1.rds.amazonaws.com", "Port": "5432"},
            "AllocatedStorage": "20",
            "StorageType": "gp3",
            "PubliclyAccessible": "false",
            "StorageEncrypted": "true",
            "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd",
            "DeletionProtection": "true",
            "IAMDatabaseAuthenticationEnabled": "false",
            "VpcSecurityGroups": {"VpcSecurityGroupMembership": [
                {"VpcSecurityGroupId": "sg-2", "Status": "active"},
                {"VpcSecurityGroupId": "sg-1", "Status": "active"}]},
            "DBSubnetGroup": {"DBSubnetGroupName": "private", "VpcId": "vpc-1"},
            "DBParameterGroups": {"DBParameterGroup": {"DBParameterGroupName": "pg16", "ParameterApplyStatus": "in-sync"}},
            "MultiAZ": "false",
            "BackupRetentionPeriod": "7",
            "PreferredBackupWindow": "03:00-03:30",
            "PreferredMaintenanceWindow": "sun:04:00-sun:04:30",
            "AutoMinorVersionUpgrade": "true",
            "CopyTagsToSnapshot": "true",
            "MonitoringInterval": "0",
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "PerformanceInsightsEnabled": "false",
            "EnabledCloudwatchLogsExports": {"member": "postgresql"},
            "TagList": {"Tag": [{"Key": "Team", "Value": "orders"}]},
        })
    }

    #[test]
    fn instance_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Team": "orders"}), "eu-west-1");
        assert_eq!(r.key.id, "orders");
        assert_eq!(r.attrs["identifier"], json!("orders"));
        assert_eq!(r.attrs["port"], json!(5432));
        assert_eq!(r.attrs["storage_encrypted"], json!(true));
        assert_eq!(r.attrs["vpc_security_group_ids"], json!(["sg-2", "sg-1"]));
        assert_eq!(r.attrs["parameter_group_name"], json!("pg16"));
        assert_eq!(r.attrs["db_subnet_group_name"], json!("private"));
        assert_eq!(
            r.attrs["enabled_cloudwatch_logs_exports"],
            json!(["postgresql"])
        );
        assert_eq!(r.attrs["max_allocated_storage"], json!(0));
        assert_eq!(r.attrs["iops"], json!(0));
        assert_eq!(r.attrs["tags"], json!({"Team": "orders"}));
        assert!(!r.attrs.contains_key("password"));
        // What the answer does not hold is unknown, not removed.
        let mut bare = answer();
        bare.as_object_mut().unwrap().remove("DeletionProtection");
        let r = map(&bare, json!({}), "eu-west-1");
        assert!(!r.attrs.contains_key("deletion_protection"));
    }

    #[test]
    fn exposure_and_protection_off_are_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(tier("publicly_accessible", json!(true)), Tier::Critical);
        assert_eq!(tier("publicly_accessible", json!(false)), Tier::Warning);
        assert_eq!(tier("storage_encrypted", json!(false)), Tier::Critical);
        assert_eq!(tier("deletion_protection", json!(false)), Tier::Critical);
        assert_eq!(tier("deletion_protection", json!(true)), Tier::Warning);
        assert_eq!(tier("kms_key_id", json!("")), Tier::Critical);
        assert_eq!(
            tier("iam_database_authentication_enabled", json!(false)),
            Tier::Warning
        );
        assert_eq!(tier("tags.Team", json!("x")), Tier::Info);
    }

    #[test]
    fn false_positive_window_case_sets_and_old_state_id_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({"Team": "orders"}), "eu-west-1");
        // The window as written in the code (upper case), security groups in another order,
        // numbers as strings, the master password in state (never compared).
        let state = json!({
            "id": "db-ABCDEFGHIJKLMNOP",
            "identifier": "orders",
            "publicly_accessible": false,
            "storage_encrypted": true,
            "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd",
            "deletion_protection": true,
            "iam_database_authentication_enabled": false,
            "vpc_security_group_ids": ["sg-1", "sg-2"],
            "db_subnet_group_name": "private",
            "parameter_group_name": "pg16",
            "engine": "postgres",
            "engine_version": "16",
            "instance_class": "db.t3.micro",
            "allocated_storage": "20",
            "max_allocated_storage": 0,
            "storage_type": "gp3",
            "iops": 0,
            "multi_az": false,
            "port": 5432,
            "username": "app",
            "password": "not-compared",
            "db_name": "orders",
            "backup_retention_period": 7,
            "backup_window": "03:00-03:30",
            "maintenance_window": "Sun:04:00-Sun:04:30",
            "auto_minor_version_upgrade": true,
            "copy_tags_to_snapshot": true,
            "monitoring_interval": 0,
            "performance_insights_enabled": false,
            "ca_cert_identifier": "rds-ca-rsa2048-g1",
            "enabled_cloudwatch_logs_exports": ["postgresql"],
            "tags_all": {"Team": "orders"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: the instance made public is drift.
        let mut public = answer();
        public["PubliclyAccessible"] = json!("true");
        let live = map(&public, json!({"Team": "orders"}), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["publicly_accessible"]);
    }
}
