//! `aws_ecs_cluster`: the id is the cluster's ARN, as Terraform's. ListClusters pages through
//! the ARNs; DescribeClusters (with tags, settings and configuration) reads them a hundred at
//! a time, each batch one call, run concurrently and counted. Container Insights turned off is
//! a warning; so is any change of the exec-command configuration, whose logging turned off is
//! critical.
//!
//! moto serves every call used here (its UpdateClusterSettings answers 500, so the end-to-end
//! test changes a setting with UpdateCluster).

use super::{cluster_arns, known, SERVICE};
use crate::client::ApiClient;
use crate::cloudwatch::leaves;
use crate::common::{array, resource, str_of, tag_list, TAGS};
use crate::paging::each_bounded;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Cluster;

/// Exec-command logging turned off (`NONE`): sessions into containers are no longer recorded.
fn exec_logging_off(change: &Change) -> Option<Tier> {
    let off = |v: &Value| leaves(v, "logging").iter().any(|s| s == "NONE");
    (off(&change.actual) && !off(&change.expected)).then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ecs_cluster",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("configuration", Shape::Document).tier(TierHint::Rule(exec_logging_off)),
        AttrSpec::new("setting", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "service_connect_defaults",
        "not read yet: the default Cloud Map namespace",
    )],
};

/// A cluster from its DescribeClusters entry (tags included).
pub(crate) fn map(c: &Value, region: &str) -> Resource {
    let settings: Vec<Value> = array(c, "settings")
        .iter()
        .map(|s| json!({"name": str_of(s, "name"), "value": str_of(s, "value")}))
        .collect();
    let configuration = c
        .get("configuration")
        .and_then(|x| x.get("executeCommandConfiguration"))
        .map(|e| {
            let log = e.get("logConfiguration").map(|l| {
                json!([{
                    "cloud_watch_encryption_enabled": l.get("cloudWatchEncryptionEnabled"),
                    "cloud_watch_log_group_name": l.get("cloudWatchLogGroupName"),
                    "s3_bucket_name": l.get("s3BucketName"),
                    "s3_bucket_encryption_enabled": l.get("s3EncryptionEnabled"),
                    "s3_key_prefix": l.get("s3KeyPrefix"),
                }])
            });
            json!([{"execute_command_configuration": [{
                "kms_key_id": e.get("kmsKeyId"),
                "logging": e.get("logging"),
                "log_configuration": log,
            }]}])
        });
    resource(
        SPEC.resource_type,
        str_of(c, "clusterArn"),
        region,
        known(json!({
            "name": str_of(c, "clusterName"),
            "configuration": configuration.unwrap_or(json!([])),
            "setting": settings,
            "tags": tag_list(array(c, "tags"), "key", "value"),
        })),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for Cluster {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let arns = cluster_arns(client).await?;
        let batches: Vec<Vec<Value>> = arns.chunks(100).map(<[Value]>::to_vec).collect();
        let region = region.to_string();
        let per_batch = each_bounded(batches, |batch| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let answer = client
                    .json(
                        &SERVICE,
                        "DescribeClusters",
                        json!({"clusters": batch, "include": ["TAGS", "SETTINGS", "CONFIGURATIONS"]}),
                    )
                    .await
                    .map_err(|e| e.error)?;
                Ok(Some(
                    array(&answer, "clusters")
                        .iter()
                        .filter(|c| str_of(c, "status") != "INACTIVE")
                        .map(|c| map(c, &region))
                        .collect::<Vec<_>>(),
                ))
            }
        })
        .await?;
        Ok(KindListing {
            resources: per_batch.into_iter().flatten().collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    const ARN: &str = "arn:aws:ecs:eu-west-1:123456789012:cluster/apps";

    fn answer() -> Value {
        // A DescribeClusters entry as the API reference shows it.
        json!({
            "clusterArn": ARN, "clusterName": "apps", "status": "ACTIVE",
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "tags": [{"key": "Team", "value": "apps"}],
            "configuration": {"executeCommandConfiguration": {"logging": "DEFAULT"}},
        })
    }

    #[test]
    fn cluster_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(
            r.attrs["setting"],
            json!([{"name": "containerInsights", "value": "enabled"}])
        );
        assert_eq!(r.attrs["tags"], json!({"Team": "apps"}));
        assert_eq!(leaves(&r.attrs["configuration"], "logging"), ["DEFAULT"]);
    }

    #[test]
    fn exec_logging_off_is_critical() {
        let tier = |old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new("configuration", ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier(json!({"logging": "DEFAULT"}), json!({"logging": "NONE"})),
            Tier::Critical
        );
        assert_eq!(
            tier(json!({"logging": "NONE"}), json!({"logging": "DEFAULT"})),
            Tier::Warning
        );
    }

    #[test]
    fn false_positive_nulls_in_the_block_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform records the block's unset members as "" and false-y defaults; ECS leaves
        // them out.
        let live = map(&answer(), "eu-west-1");
        let state = json!({
            "name": "apps", "arn": ARN,
            "configuration": [{"execute_command_configuration": [{"kms_key_id": "", "logging": "DEFAULT", "log_configuration": []}]}],
            "setting": [{"name": "containerInsights", "value": "enabled"}],
            "service_connect_defaults": [], "tags": {"Team": "apps"}, "tags_all": {"Team": "apps"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["setting"] = json!([{"name": "containerInsights", "value": "disabled"}]);
        assert_eq!(changed_paths(&SPEC, near, &live), ["setting"]);
    }
}
