//! `aws_eks_node_group`: the id is Terraform's, `cluster_name:node_group_name`. The clusters
//! are listed, then per cluster ListNodegroups and DescribeNodegroup per node group, run
//! concurrently per cluster and counted. The nodes' role grants: critical; SSH opened to the
//! nodes without source security groups (from anywhere) is critical; scaling changes are
//! warnings.
//!
//! moto serves every call used here; given no remote access it answers one anyway (an
//! `eksKeypair` key), so the end-to-end test sets remote access explicitly.

use super::{cluster_names, SERVICE};
use crate::client::{segment, ApiClient};
use crate::cloudwatch::leaves;
use crate::common::{number, resource, str_of, tag_map, text, GRANTS, TAGS};
use crate::ecs::known;
use crate::paging::{each_bounded, rest_all, unless_gone, RestList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct NodeGroup;

/// SSH to the nodes with no source security group: open to the world.
fn ssh_open(change: &Change) -> Option<Tier> {
    (!leaves(&change.actual, "ec2_ssh_key").is_empty()
        && leaves(&change.actual, "source_security_group_ids").is_empty())
    .then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_eks_node_group",
    attrs: &[
        AttrSpec::new("cluster_name", Shape::Scalar),
        AttrSpec::new("node_group_name", Shape::Scalar),
        AttrSpec::new("node_role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("remote_access", Shape::Document).tier(TierHint::Rule(ssh_open)),
        AttrSpec::new("subnet_ids", Shape::Set),
        AttrSpec::new("scaling_config", Shape::Document),
        AttrSpec::new("instance_types", Shape::Set),
        AttrSpec::new("ami_type", Shape::Scalar),
        AttrSpec::new("capacity_type", Shape::Scalar),
        AttrSpec::new("disk_size", Shape::Number),
        AttrSpec::new("labels", Shape::Document),
        AttrSpec::new("version", Shape::Scalar),
        AttrSpec::new("release_version", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("launch_template", "not read yet"),
        UncomparedAttr::new("taint", "not read yet"),
        UncomparedAttr::new("update_config", "not read yet"),
        UncomparedAttr::new(
            "node_group_name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "force_update_version",
            "Terraform-side only: how an update drains pods",
        ),
    ],
};

/// A node group from DescribeNodegroup's `nodegroup`.
pub(crate) fn map(n: &Value, region: &str) -> Resource {
    let cluster = str_of(n, "clusterName");
    let name = str_of(n, "nodegroupName");
    let scaling = n.get("scalingConfig").map(|s| {
        json!([{
            "min_size": number(s, "minSize"),
            "max_size": number(s, "maxSize"),
            "desired_size": number(s, "desiredSize"),
        }])
    });
    let remote = n.get("remoteAccess").map(|r| {
        json!([{
            "ec2_ssh_key": r.get("ec2SshKey"),
            "source_security_group_ids": r.get("sourceSecurityGroups"),
        }])
    });
    resource(
        SPEC.resource_type,
        &format!("{cluster}:{name}"),
        region,
        known(json!({
            "cluster_name": cluster,
            "node_group_name": name,
            "node_role_arn": text(n, "nodeRole"),
            "remote_access": remote.unwrap_or(json!([])),
            "subnet_ids": n.get("subnets"),
            "scaling_config": scaling,
            "instance_types": n.get("instanceTypes"),
            "ami_type": text(n, "amiType"),
            "capacity_type": text(n, "capacityType"),
            "disk_size": number(n, "diskSize"),
            "labels": n.get("labels").cloned().unwrap_or(json!({})),
            "version": text(n, "version"),
            "release_version": text(n, "releaseVersion"),
            "tags": tag_map(n.get("tags")),
        })),
    )
}

/// Every node group of one cluster, described; `None` when the cluster is gone.
async fn groups_of(
    client: &ApiClient,
    cluster: &str,
    region: &str,
) -> Result<Option<Vec<Resource>>, ListError> {
    let base = format!("/clusters/{}/node-groups", segment(cluster));
    let got = rest_all(
        client,
        &SERVICE,
        RestList {
            operation: "ListNodegroups",
            path: base.clone(),
            query: "maxResults=100".into(),
            list: "nodegroups",
            token_in: "nextToken",
            token_out: "nextToken",
        },
    )
    .await;
    let Some(names) = unless_gone(got)? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for name in names.iter().filter_map(Value::as_str) {
        let path = format!("{base}/{}", segment(name));
        let got = client.rest(&SERVICE, "DescribeNodegroup", &path, "").await;
        if let Some(answer) = unless_gone(got)? {
            out.push(map(&answer["nodegroup"], region));
        }
    }
    Ok(Some(out))
}

#[async_trait]
impl ResourceKind<ApiClient> for NodeGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let clusters = cluster_names(client).await?;
        let region = region.to_string();
        let per_cluster = each_bounded(clusters, |cluster| {
            let (client, region) = (client.clone(), region.clone());
            async move { groups_of(&client, &cluster, &region).await }
        })
        .await?;
        Ok(KindListing {
            resources: per_cluster.into_iter().flatten().collect(),
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
        // DescribeNodegroup's `nodegroup` as the API reference shows it.
        json!({
            "nodegroupName": "workers", "clusterName": "prod", "version": "1.30",
            "releaseVersion": "1.30.0-20240701", "status": "ACTIVE", "capacityType": "ON_DEMAND",
            "scalingConfig": {"minSize": 1, "maxSize": 4, "desiredSize": 2},
            "instanceTypes": ["m5.large"], "subnets": ["subnet-b", "subnet-a"],
            "amiType": "AL2_x86_64", "nodeRole": "arn:aws:iam::123456789012:role/nodes",
            "labels": {"tier": "app"}, "diskSize": 20, "tags": {"Team": "platform"},
        })
    }

    #[test]
    fn node_group_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1");
        assert_eq!(r.key.id, "prod:workers");
        assert_eq!(
            r.attrs["scaling_config"],
            json!([{"min_size": 1, "max_size": 4, "desired_size": 2}])
        );
        assert_eq!(r.attrs["remote_access"], json!([]));
    }

    #[test]
    fn ssh_from_anywhere_and_role_changes_are_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("remote_access", json!({"ec2_ssh_key": "ops"})),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "remote_access",
                json!({"ec2_ssh_key": "ops", "source_security_group_ids": "sg-1"})
            ),
            Tier::Warning
        );
        assert_eq!(tier("node_role_arn", json!("r")), Tier::Critical);
        assert_eq!(
            tier("scaling_config", json!({"desired_size": "3"})),
            Tier::Warning
        );
    }

    #[test]
    fn false_positive_subnet_order_and_empty_blocks_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), "eu-west-1");
        let state = json!({
            "cluster_name": "prod", "node_group_name": "workers", "version": "1.30",
            "release_version": "1.30.0-20240701", "capacity_type": "ON_DEMAND",
            "scaling_config": [{"min_size": 1, "max_size": 4, "desired_size": 2}],
            "instance_types": ["m5.large"], "subnet_ids": ["subnet-a", "subnet-b"],
            "ami_type": "AL2_x86_64", "node_role_arn": "arn:aws:iam::123456789012:role/nodes",
            "labels": {"tier": "app"}, "disk_size": 20, "remote_access": [], "taint": [],
            "launch_template": [], "tags": {"Team": "platform"}, "tags_all": {"Team": "platform"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["scaling_config"] = json!([{"min_size": 1, "max_size": 4, "desired_size": 3}]);
        assert_eq!(changed_paths(&SPEC, near, &live), ["scaling_config"]);
    }
}
