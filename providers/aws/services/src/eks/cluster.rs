//! `aws_eks_cluster`: the id is the cluster's name, as Terraform's. ListClusters pages through
//! the names; each cluster is read with DescribeCluster (tags included), one call per cluster,
//! run concurrently and counted. The API endpoint turned public, or its allowed CIDR blocks
//! widened, is critical; so is the cluster's role changed and secrets encryption removed.
//!
//! moto serves every call used here; it keeps `resourcesVpcConfig` as it was given (no
//! computed VPC or security group id), which then stays as answered.

use super::{cluster_names, SERVICE};
use crate::client::{segment, ApiClient};
use crate::cloudwatch::leaves;
use crate::common::{array, resource, str_of, tag_map, text, GRANTS, TAGS};
use crate::ecs::known;
use crate::paging::{each_bounded, unless_gone};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct EksCluster;

/// The endpoint made public, or reachable from CIDR blocks it was not.
fn exposed(change: &Change) -> Option<Tier> {
    let public = |v: &Value| {
        leaves(v, "endpoint_public_access")
            .iter()
            .any(|s| s == "true")
    };
    if public(&change.actual) && !public(&change.expected) {
        return Some(Tier::Critical);
    }
    let before = leaves(&change.expected, "public_access_cidrs");
    let widened = leaves(&change.actual, "public_access_cidrs")
        .iter()
        .any(|c| !before.contains(c));
    (public(&change.actual) && widened).then_some(Tier::Critical)
}

fn encryption_removed(change: &Change) -> Option<Tier> {
    (leaves(&change.actual, "key_arn").is_empty()
        && !leaves(&change.expected, "key_arn").is_empty())
    .then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_eks_cluster",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("vpc_config", Shape::Document).tier(TierHint::Rule(exposed)),
        AttrSpec::new("role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("encryption_config", Shape::Document)
            .tier(TierHint::Rule(encryption_removed)),
        AttrSpec::new("enabled_cluster_log_types", Shape::Set),
        AttrSpec::new("version", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("access_config", "not read yet"),
        UncomparedAttr::new("kubernetes_network_config", "not read yet"),
        UncomparedAttr::new("upgrade_policy", "not read yet"),
        UncomparedAttr::new("outpost_config", "not read yet"),
        UncomparedAttr::new(
            "bootstrap_self_managed_addons",
            "Terraform-side only: applies at creation",
        ),
    ],
};

/// A cluster from DescribeCluster's `cluster`.
pub(crate) fn map(c: &Value, region: &str) -> Resource {
    let vpc = c.get("resourcesVpcConfig").map(|v| {
        json!([{
            "subnet_ids": v.get("subnetIds"),
            "security_group_ids": v.get("securityGroupIds"),
            "endpoint_public_access": v.get("endpointPublicAccess"),
            "endpoint_private_access": v.get("endpointPrivateAccess"),
            "public_access_cidrs": v.get("publicAccessCidrs"),
            "cluster_security_group_id": v.get("clusterSecurityGroupId"),
            "vpc_id": v.get("vpcId"),
        }])
    });
    let encryption: Vec<Value> = array(c, "encryptionConfig")
        .iter()
        .map(|e| {
            json!({
                "resources": e.get("resources"),
                "provider": [{"key_arn": e.get("provider").and_then(|p| p.get("keyArn"))}],
            })
        })
        .collect();
    let logs: Vec<Value> = c
        .get("logging")
        .map(|l| array(l, "clusterLogging"))
        .unwrap_or(&[])
        .iter()
        .filter(|l| l.get("enabled") == Some(&Value::Bool(true)))
        .flat_map(|l| array(l, "types").to_vec())
        .collect();
    resource(
        SPEC.resource_type,
        str_of(c, "name"),
        region,
        known(json!({
            "name": str_of(c, "name"),
            "vpc_config": vpc,
            "role_arn": text(c, "roleArn"),
            "encryption_config": encryption,
            "enabled_cluster_log_types": logs,
            "version": text(c, "version"),
            "tags": tag_map(c.get("tags")),
        })),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for EksCluster {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let names = cluster_names(client).await?;
        let region = region.to_string();
        let resources = each_bounded(names, |name| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let path = format!("/clusters/{}", segment(&name));
                let got = client.rest(&SERVICE, "DescribeCluster", &path, "").await;
                let Some(answer) = unless_gone(got)? else {
                    return Ok(None);
                };
                Ok(Some(map(&answer["cluster"], &region)))
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
    use driftd_core::{ChangeOp, FindingKind};

    fn answer() -> Value {
        // DescribeCluster's `cluster` as the API reference shows it.
        json!({
            "name": "prod", "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
            "version": "1.30", "roleArn": "arn:aws:iam::123456789012:role/eks",
            "resourcesVpcConfig": {"subnetIds": ["subnet-b", "subnet-a"], "securityGroupIds": [],
                "clusterSecurityGroupId": "sg-0c1", "vpcId": "vpc-1",
                "endpointPublicAccess": false, "endpointPrivateAccess": true,
                "publicAccessCidrs": ["0.0.0.0/0"]},
            "logging": {"clusterLogging": [{"types": ["api", "audit"], "enabled": true},
                {"types": ["scheduler"], "enabled": false}]},
            "encryptionConfig": [{"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:eu-west-1:123456789012:key/k"}}],
            "status": "ACTIVE", "tags": {"Team": "platform"},
        })
    }

    #[test]
    fn cluster_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1");
        assert_eq!(r.key.id, "prod");
        assert_eq!(
            r.attrs["enabled_cluster_log_types"],
            json!(["api", "audit"])
        );
        assert_eq!(
            r.attrs["vpc_config"][0]["endpoint_public_access"],
            json!(false)
        );
        assert_eq!(r.attrs["tags"], json!({"Team": "platform"}));
    }

    #[test]
    fn public_endpoint_and_wider_cidrs_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        let vpc = |public: &str, cidrs: Value| json!({"endpoint_public_access": public, "public_access_cidrs": cidrs});
        assert_eq!(
            tier(
                "vpc_config",
                vpc("false", json!("0.0.0.0/0")),
                vpc("true", json!("0.0.0.0/0"))
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "vpc_config",
                vpc("true", json!("10.0.0.0/8")),
                vpc("true", json!(["10.0.0.0/8", "0.0.0.0/0"]))
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "vpc_config",
                vpc("true", json!("0.0.0.0/0")),
                vpc("false", json!("0.0.0.0/0"))
            ),
            Tier::Warning
        );
        assert_eq!(tier("role_arn", json!("a"), json!("b")), Tier::Critical);
    }

    #[test]
    fn false_positive_subnet_order_and_disabled_logs_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), "eu-west-1");
        let state = json!({
            "name": "prod", "version": "1.30", "role_arn": "arn:aws:iam::123456789012:role/eks",
            "vpc_config": [{"subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": [],
                "cluster_security_group_id": "sg-0c1", "vpc_id": "vpc-1",
                "endpoint_public_access": false, "endpoint_private_access": true,
                "public_access_cidrs": ["0.0.0.0/0"]}],
            "encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": "arn:aws:kms:eu-west-1:123456789012:key/k"}]}],
            "enabled_cluster_log_types": ["audit", "api"], "tags": {"Team": "platform"},
            "tags_all": {"Team": "platform"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["enabled_cluster_log_types"] = json!(["api"]);
        assert_eq!(
            changed_paths(&SPEC, near, &live),
            ["enabled_cluster_log_types"]
        );
    }
}
