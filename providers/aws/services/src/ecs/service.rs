//! `aws_ecs_service`: the id is the service's ARN, as Terraform's. The clusters are listed,
//! then per cluster ListServices and DescribeServices (ten at a time, tags included), run
//! concurrently per cluster and counted. A service whose tasks get public IP addresses is
//! critical; the task definition or the desired count changed is a warning. The cluster and the
//! task definition are compared by name (`web:3` is its ARN).
//!
//! moto serves every call used here; what its answers leave out stays unknown.

use super::{cluster_arns, known, SERVICE};
use crate::client::ApiClient;
use crate::cloudwatch::leaves;
use crate::common::{array, flag, number, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct EcsService;

fn public_ip(change: &Change) -> Option<Tier> {
    leaves(&change.actual, "assign_public_ip")
        .iter()
        .any(|s| s == "true")
        .then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ecs_service",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("cluster", Shape::Link),
        AttrSpec::new("network_configuration", Shape::Document).tier(TierHint::Rule(public_ip)),
        AttrSpec::new("iam_role", Shape::Link),
        AttrSpec::new("task_definition", Shape::Link),
        AttrSpec::new("desired_count", Shape::Number),
        AttrSpec::new("launch_type", Shape::Scalar),
        AttrSpec::new("platform_version", Shape::Scalar),
        AttrSpec::new("scheduling_strategy", Shape::Scalar),
        AttrSpec::new("deployment_maximum_percent", Shape::Number),
        AttrSpec::new("deployment_minimum_healthy_percent", Shape::Number),
        AttrSpec::new("enable_execute_command", Shape::Scalar),
        AttrSpec::new("enable_ecs_managed_tags", Shape::Scalar),
        AttrSpec::new("propagate_tags", Shape::Scalar),
        AttrSpec::new("health_check_grace_period_seconds", Shape::Number),
        AttrSpec::new("load_balancer", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("capacity_provider_strategy", "not read yet"),
        UncomparedAttr::new("deployment_circuit_breaker", "not read yet"),
        UncomparedAttr::new("deployment_controller", "not read yet"),
        UncomparedAttr::new("ordered_placement_strategy", "not read yet"),
        UncomparedAttr::new("placement_constraints", "not read yet"),
        UncomparedAttr::new("service_registries", "not read yet"),
        UncomparedAttr::new("service_connect_configuration", "not read yet"),
        UncomparedAttr::new("volume_configuration", "not read yet"),
        UncomparedAttr::new(
            "force_new_deployment",
            "Terraform-side only: a trigger, not a setting",
        ),
        UncomparedAttr::new(
            "wait_for_steady_state",
            "Terraform-side only: how apply waits",
        ),
        UncomparedAttr::new("triggers", "Terraform-side only: redeployment triggers"),
    ],
};

/// A service from its DescribeServices entry (tags included).
pub(crate) fn map(s: &Value, region: &str) -> Resource {
    let network = s
        .get("networkConfiguration")
        .and_then(|n| n.get("awsvpcConfiguration"))
        .map(|a| {
            json!([{
                "subnets": a.get("subnets"),
                "security_groups": a.get("securityGroups"),
                "assign_public_ip": str_of(a, "assignPublicIp") == "ENABLED",
            }])
        })
        .unwrap_or(json!([]));
    let lbs: Vec<Value> = array(s, "loadBalancers")
        .iter()
        .map(|l| {
            json!({
                "target_group_arn": l.get("targetGroupArn"),
                "elb_name": l.get("loadBalancerName"),
                "container_name": l.get("containerName"),
                "container_port": l.get("containerPort"),
            })
        })
        .collect();
    let deploy = s.get("deploymentConfiguration");
    resource(
        SPEC.resource_type,
        str_of(s, "serviceArn"),
        region,
        known(json!({
            "name": str_of(s, "serviceName"),
            "cluster": text(s, "clusterArn"),
            "network_configuration": network,
            "iam_role": text(s, "roleArn"),
            "task_definition": text(s, "taskDefinition"),
            "desired_count": number(s, "desiredCount"),
            "launch_type": text(s, "launchType"),
            "platform_version": text(s, "platformVersion"),
            "scheduling_strategy": text(s, "schedulingStrategy"),
            "deployment_maximum_percent": deploy.map(|d| number(d, "maximumPercent")),
            "deployment_minimum_healthy_percent": deploy.map(|d| number(d, "minimumHealthyPercent")),
            "enable_execute_command": flag(s, "enableExecuteCommand"),
            "enable_ecs_managed_tags": flag(s, "enableECSManagedTags"),
            "propagate_tags": text(s, "propagateTags"),
            "health_check_grace_period_seconds": number(s, "healthCheckGracePeriodSeconds"),
            "load_balancer": lbs,
            "tags": tag_list(array(s, "tags"), "key", "value"),
        })),
    )
}

/// Every service of one cluster, described; `None` when the cluster is gone.
async fn services_of(
    client: &ApiClient,
    cluster: &str,
    region: &str,
) -> Result<Option<Vec<Resource>>, ListError> {
    let got = json_all(
        client,
        &SERVICE,
        JsonList {
            operation: "ListServices",
            input: json!({"cluster": cluster, "maxResults": 100}),
            list: "serviceArns",
            token_in: "nextToken",
            token_out: "nextToken",
        },
    )
    .await;
    let Some(arns) = unless_gone(got)? else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for batch in arns.chunks(10) {
        let got = client
            .json(
                &SERVICE,
                "DescribeServices",
                json!({"cluster": cluster, "services": batch, "include": ["TAGS"]}),
            )
            .await;
        let Some(answer) = unless_gone(got)? else {
            return Ok(None);
        };
        out.extend(
            array(&answer, "services")
                .iter()
                .filter(|s| str_of(s, "status") != "INACTIVE")
                .map(|s| map(s, region)),
        );
    }
    Ok(Some(out))
}

#[async_trait]
impl ResourceKind<ApiClient> for EcsService {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let clusters = cluster_arns(client).await?;
        let region = region.to_string();
        let per_cluster = each_bounded(clusters, |cluster| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let cluster = cluster.as_str().unwrap_or_default().to_string();
                services_of(&client, &cluster, &region).await
            }
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

    const ARN: &str = "arn:aws:ecs:eu-west-1:123456789012:service/apps/web";

    fn answer() -> Value {
        // A DescribeServices entry as the API reference shows it.
        json!({
            "serviceArn": ARN, "serviceName": "web",
            "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/apps",
            "status": "ACTIVE", "desiredCount": 2, "runningCount": 2, "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
            "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-b", "subnet-a"],
                "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
            "schedulingStrategy": "REPLICA", "enableECSManagedTags": false,
            "propagateTags": "NONE", "enableExecuteCommand": false,
            "tags": [{"key": "Team", "value": "web"}],
        })
    }

    #[test]
    fn service_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["desired_count"], json!(2));
        assert_eq!(r.attrs["deployment_maximum_percent"], json!(200));
        assert_eq!(
            r.attrs["network_configuration"][0]["assign_public_ip"],
            json!(false)
        );
        assert!(!r.attrs.contains_key("iam_role"));
    }

    #[test]
    fn public_ip_is_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("network_configuration", json!({"assign_public_ip": "true"})),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "network_configuration",
                json!({"assign_public_ip": "false"})
            ),
            Tier::Warning
        );
        assert_eq!(tier("desired_count", json!(5)), Tier::Warning);
    }

    #[test]
    fn false_positive_names_for_arns_and_subnet_order_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform recorded the cluster by ARN or name and the task definition as `web:3`;
        // ECS answers ARNs and the subnets in its own order.
        let live = map(&answer(), "eu-west-1");
        let state = json!({
            "name": "web", "cluster": "apps", "task_definition": "web:3", "desired_count": 2,
            "launch_type": "FARGATE", "platform_version": "LATEST", "scheduling_strategy": "REPLICA",
            "deployment_maximum_percent": 200, "deployment_minimum_healthy_percent": 100,
            "enable_execute_command": false, "enable_ecs_managed_tags": false,
            "propagate_tags": "NONE", "health_check_grace_period_seconds": 0, "iam_role": "",
            "network_configuration": [{"subnets": ["subnet-a", "subnet-b"], "security_groups": ["sg-1"], "assign_public_ip": false}],
            "load_balancer": [], "tags": {"Team": "web"}, "tags_all": {"Team": "web"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["task_definition"] = json!("web:2");
        assert_eq!(changed_paths(&SPEC, near, &live), ["task_definition"]);
    }
}
