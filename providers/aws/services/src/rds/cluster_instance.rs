//! `aws_rds_cluster_instance`: a DB instance that belongs to a cluster (DescribeDBInstances'
//! entries with a `DBClusterIdentifier`); the id is the instance identifier, as Terraform's.
//! Storage and encryption are the cluster's (compared on `aws_rds_cluster`); what matters here
//! is public exposure (critical), the instance class, and the parameter group.
//!
//! moto serves every call used here.

use super::instance::parameter_group_of;
use super::{db_instances, made_public, present, tags_in_or_listed};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::each_bounded;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct RdsClusterInstance;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_rds_cluster_instance",
    attrs: &[
        AttrSpec::new("identifier", Shape::Scalar),
        AttrSpec::new("cluster_identifier", Shape::Scalar),
        AttrSpec::new("publicly_accessible", Shape::Scalar).tier(TierHint::Rule(made_public)),
        AttrSpec::new("instance_class", Shape::Scalar),
        AttrSpec::new("engine", Shape::Scalar),
        AttrSpec::new("db_subnet_group_name", Shape::Scalar),
        AttrSpec::new("db_parameter_group_name", Shape::Scalar),
        AttrSpec::new("ca_cert_identifier", Shape::Scalar),
        AttrSpec::new("auto_minor_version_upgrade", Shape::Scalar),
        AttrSpec::new("promotion_tier", Shape::Number),
        AttrSpec::new("preferred_maintenance_window", Shape::CaseInsensitive),
        AttrSpec::new("copy_tags_to_snapshot", Shape::Scalar),
        AttrSpec::new("monitoring_interval", Shape::Number),
        AttrSpec::new("performance_insights_enabled", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "engine_version",
            "the cluster's; AWS applies minor upgrades itself",
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
            "availability_zone",
            "chosen by AWS when not set, and moved by a failover",
        ),
        UncomparedAttr::new(
            "preferred_backup_window",
            "the cluster's backup window, compared on aws_rds_cluster",
        ),
        UncomparedAttr::new(
            "storage_encrypted",
            "the cluster's encryption, compared on aws_rds_cluster",
        ),
        UncomparedAttr::new(
            "kms_key_id",
            "the cluster's key, compared on aws_rds_cluster",
        ),
        UncomparedAttr::new(
            "monitoring_role_arn",
            "read with monitoring_interval, which is compared",
        ),
    ],
};

/// A cluster member (one `DBInstance` of DescribeDBInstances) with its tags.
fn map(i: &Value, tags: Value, region: &str) -> Resource {
    let id = str_of(i, "DBInstanceIdentifier");
    resource(
        SPEC.resource_type,
        id,
        region,
        present(vec![
            ("identifier", json!(id)),
            ("cluster_identifier", text(i, "DBClusterIdentifier")),
            ("publicly_accessible", flag(i, "PubliclyAccessible")),
            ("instance_class", text(i, "DBInstanceClass")),
            ("engine", text(i, "Engine")),
            (
                "db_subnet_group_name",
                i.get("DBSubnetGroup")
                    .map(|g| text(g, "DBSubnetGroupName"))
                    .unwrap_or(Value::Null),
            ),
            ("db_parameter_group_name", parameter_group_of(i)),
            ("ca_cert_identifier", text(i, "CACertificateIdentifier")),
            (
                "auto_minor_version_upgrade",
                flag(i, "AutoMinorVersionUpgrade"),
            ),
            ("promotion_tier", number(i, "PromotionTier")),
            (
                "preferred_maintenance_window",
                text(i, "PreferredMaintenanceWindow"),
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
            ("tags", tags),
        ]),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for RdsClusterInstance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let instances: Vec<Value> = db_instances(client)
            .await?
            .into_iter()
            .filter(|i| !str_of(i, "DBClusterIdentifier").is_empty())
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

    fn answer() -> Value {
        json!({
            "DBInstanceIdentifier": "aurora-1",
            "DBClusterIdentifier": "aurora",
            "DBInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:aurora-1",
            "DBInstanceClass": "db.r6g.large",
            "Engine": "aurora-postgresql",
            "PubliclyAccessible": "false",
            "DBSubnetGroup": {"DBSubnetGroupName": "private"},
            "DBParameterGroups": {"DBParameterGroup": {"DBParameterGroupName": "default.aurora-postgresql15"}},
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "AutoMinorVersionUpgrade": "true",
            "PromotionTier": "1",
            "PreferredMaintenanceWindow": "tue:01:00-tue:01:30",
            "CopyTagsToSnapshot": "false",
            "MonitoringInterval": "0",
            "PerformanceInsightsEnabled": "false",
            "TagList": "",
        })
    }

    #[test]
    fn member_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({}), "eu-west-1");
        assert_eq!(r.key.id, "aurora-1");
        assert_eq!(r.attrs["cluster_identifier"], json!("aurora"));
        assert_eq!(r.attrs["promotion_tier"], json!(1));
        assert_eq!(
            r.attrs["db_parameter_group_name"],
            json!("default.aurora-postgresql15")
        );
    }

    #[test]
    fn made_public_is_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(tier("publicly_accessible", json!(true)), Tier::Critical);
        assert_eq!(
            tier("instance_class", json!("db.r6g.xlarge")),
            Tier::Warning
        );
    }

    #[test]
    fn false_positive_numbers_as_strings_and_window_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({}), "eu-west-1");
        let state = json!({
            "identifier": "aurora-1",
            "cluster_identifier": "aurora",
            "publicly_accessible": false,
            "instance_class": "db.r6g.large",
            "engine": "aurora-postgresql",
            "db_subnet_group_name": "private",
            "db_parameter_group_name": "default.aurora-postgresql15",
            "ca_cert_identifier": "rds-ca-rsa2048-g1",
            "auto_minor_version_upgrade": true,
            "promotion_tier": "1",
            "preferred_maintenance_window": "Tue:01:00-Tue:01:30",
            "copy_tags_to_snapshot": false,
            "monitoring_interval": 0,
            "performance_insights_enabled": false,
            "tags": {},
            "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut bigger = answer();
        bigger["DBInstanceClass"] = json!("db.r6g.xlarge");
        let live = map(&bigger, json!({}), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["instance_class"]);
    }
}
