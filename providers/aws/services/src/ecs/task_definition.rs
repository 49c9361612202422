//! `aws_ecs_task_definition`: the id is the family, as Terraform's (its `arn` and `revision`
//! name the revision it registered). ListTaskDefinitions (active) gives every revision; the
//! newest of each family is read with DescribeTaskDefinition (tags included), one call per
//! family, run concurrently and counted. A revision registered out of band shows as `revision`
//! and whatever it changed.
//!
//! The container definitions are compared as a document (key order, the order of environment
//! variables and empty members do not count). Their `secrets` hold only references (`valueFrom`,
//! an ARN), never a secret's value; environment values are compared as Terraform recorded them.
//! The roles the tasks run with grant: critical.
//!
//! moto serves every call used here.

use super::{known, SERVICE};
use crate::client::ApiClient;
use crate::common::{number, resource, str_of, tag_list, text, GRANTS, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub struct TaskDefinition;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ecs_task_definition",
    attrs: &[
        AttrSpec::new("family", Shape::Scalar),
        AttrSpec::new("task_role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("execution_role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("revision", Shape::Number),
        AttrSpec::new("container_definitions", Shape::Document),
        AttrSpec::new("network_mode", Shape::Scalar),
        AttrSpec::new("requires_compatibilities", Shape::Set),
        AttrSpec::new("cpu", Shape::Number),
        AttrSpec::new("memory", Shape::Number),
        AttrSpec::new("pid_mode", Shape::Scalar),
        AttrSpec::new("ipc_mode", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("volume", "not read yet"),
        UncomparedAttr::new("placement_constraints", "not read yet"),
        UncomparedAttr::new("proxy_configuration", "not read yet"),
        UncomparedAttr::new("runtime_platform", "not read yet"),
        UncomparedAttr::new("ephemeral_storage", "not read yet"),
        UncomparedAttr::new("inference_accelerator", "not read yet"),
        UncomparedAttr::new(
            "skip_destroy",
            "Terraform-side only: whether destroy deregisters the revision",
        ),
        UncomparedAttr::new(
            "track_latest",
            "Terraform-side only: whether the provider follows the newest revision",
        ),
    ],
};

/// A revision from DescribeTaskDefinition's `taskDefinition` and `tags`.
pub(crate) fn map(td: &Value, tags: &Value, region: &str) -> Resource {
    let containers = td
        .get("containerDefinitions")
        .map(|c| Value::String(c.to_string()))
        .unwrap_or(Value::Null);
    resource(
        SPEC.resource_type,
        str_of(td, "family"),
        region,
        known(json!({
            "family": str_of(td, "family"),
            "task_role_arn": text(td, "taskRoleArn"),
            "execution_role_arn": text(td, "executionRoleArn"),
            "revision": number(td, "revision"),
            "container_definitions": containers,
            "network_mode": text(td, "networkMode"),
            "requires_compatibilities": td.get("requiresCompatibilities").cloned().unwrap_or(json!([])),
            "cpu": text(td, "cpu"),
            "memory": text(td, "memory"),
            "pid_mode": text(td, "pidMode"),
            "ipc_mode": text(td, "ipcMode"),
            "tags": tag_list(tags.as_array().map(Vec::as_slice).unwrap_or(&[]), "key", "value"),
        })),
    )
}

/// The newest revision's ARN of each family, from ARNs `…:task-definition/family:revision`.
fn newest(arns: &[Value]) -> Vec<String> {
    let mut best: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for arn in arns.iter().filter_map(Value::as_str) {
        let Some((family, rev)) = arn.rsplit('/').next().and_then(|t| t.rsplit_once(':')) else {
            continue;
        };
        let rev: u64 = rev.parse().unwrap_or(0);
        let e = best.entry(family.to_string()).or_insert((0, String::new()));
        if rev >= e.0 {
            *e = (rev, arn.to_string());
        }
    }
    best.into_values().map(|(_, arn)| arn).collect()
}

#[async_trait]
impl ResourceKind<ApiClient> for TaskDefinition {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let arns = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListTaskDefinitions",
                input: json!({"status": "ACTIVE", "maxResults": 100}),
                list: "taskDefinitionArns",
                token_in: "nextToken",
                token_out: "nextToken",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(newest(&arns), |arn| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &SERVICE,
                        "DescribeTaskDefinition",
                        json!({"taskDefinition": arn, "include": ["TAGS"]}),
                    )
                    .await;
                let Some(answer) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = answer.get("tags").cloned().unwrap_or(json!([]));
                Ok(Some(map(&answer["taskDefinition"], &tags, &region)))
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
        // DescribeTaskDefinition's `taskDefinition` as the API reference shows it.
        json!({
            "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
            "family": "web", "revision": 3, "status": "ACTIVE", "networkMode": "awsvpc",
            "taskRoleArn": "arn:aws:iam::123456789012:role/web-task",
            "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27", "cpu": 0, "essential": true,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/db"}],
                "mountPoints": [], "volumesFrom": [],
            }],
        })
    }

    #[test]
    fn revision_maps_to_terraform_attributes() {
        let r = map(
            &answer(),
            &json!([{"key": "Team", "value": "web"}]),
            "eu-west-1",
        );
        assert_eq!(r.key.id, "web");
        assert_eq!(r.attrs["revision"], json!(3));
        assert_eq!(r.attrs["cpu"], json!("256"));
        assert_eq!(r.attrs["tags"], json!({"Team": "web"}));
        assert!(!r.attrs.contains_key("execution_role_arn"));
        let arns = [
            json!("arn:aws:ecs:eu-west-1:1:task-definition/web:3"),
            json!("arn:aws:ecs:eu-west-1:1:task-definition/web:10"),
            json!("arn:aws:ecs:eu-west-1:1:task-definition/api:1"),
        ];
        assert_eq!(
            newest(&arns),
            [
                "arn:aws:ecs:eu-west-1:1:task-definition/api:1",
                "arn:aws:ecs:eu-west-1:1:task-definition/web:10"
            ]
        );
    }

    #[test]
    fn roles_are_critical_containers_a_warning() {
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("a"), json!("b"))],
            )
        };
        assert_eq!(tier("task_role_arn"), Tier::Critical);
        assert_eq!(tier("execution_role_arn"), Tier::Critical);
        assert_eq!(tier("container_definitions"), Tier::Warning);
    }

    #[test]
    fn false_positive_containers_written_differently_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform recorded the definitions in another key order, the environment sorted,
        // numbers as written and the empty lists left out.
        let live = map(&answer(), &json!([]), "eu-west-1");
        let state = json!({
            "family": "web", "revision": 3, "network_mode": "awsvpc",
            "task_role_arn": "arn:aws:iam::123456789012:role/web-task", "execution_role_arn": "",
            "requires_compatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
            "pid_mode": "", "ipc_mode": "", "volume": [], "tags": {}, "tags_all": {},
            "container_definitions": "[{\"cpu\":0,\"environment\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}],\"essential\":true,\"image\":\"nginx:1.27\",\"name\":\"web\",\"portMappings\":[{\"containerPort\":80,\"hostPort\":80,\"protocol\":\"tcp\"}],\"secrets\":[{\"name\":\"DB_PASSWORD\",\"valueFrom\":\"arn:aws:ssm:eu-west-1:123456789012:parameter/db\"}]}]",
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["container_definitions"] = json!(near["container_definitions"]
            .as_str()
            .unwrap()
            .replace("nginx:1.27", "nginx:1.26"));
        assert_eq!(changed_paths(&SPEC, near, &live), ["container_definitions"]);
    }
}
