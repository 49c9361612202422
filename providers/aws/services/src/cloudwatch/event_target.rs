//! `aws_cloudwatch_event_target`: the id is Terraform's, `rule/target_id` on the default bus and
//! `bus/rule/target_id` on another. The rules are listed as for `aws_cloudwatch_event_rule`
//! (AWS-managed rules left out), then ListTargetsByRule per rule, run concurrently and counted.
//! Targets have no tags. The role a target is invoked with grants: critical; the target's ARN
//! (where events go) changed is critical too.
//!
//! moto serves every call used here.

use super::event_rule::rules;
use super::{or_empty, EVENTS};
use crate::client::ApiClient;
use crate::common::{number, resource, str_of, text, GRANTS};
use crate::paging::{each_bounded, json_all, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct EventTarget;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudwatch_event_target",
    attrs: &[
        AttrSpec::new("rule", Shape::Scalar),
        AttrSpec::new("target_id", Shape::Scalar),
        AttrSpec::new("event_bus_name", Shape::Link),
        AttrSpec::new("arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("input", Shape::Document),
        AttrSpec::new("input_path", Shape::Scalar),
        AttrSpec::new("input_transformer", Shape::Document),
        AttrSpec::new("dead_letter_config", Shape::Document),
        AttrSpec::new("retry_policy", Shape::Document),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new("ecs_target", "target-specific parameters are not read yet"),
        UncomparedAttr::new(
            "batch_target",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new(
            "kinesis_target",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new("sqs_target", "target-specific parameters are not read yet"),
        UncomparedAttr::new("http_target", "target-specific parameters are not read yet"),
        UncomparedAttr::new(
            "run_command_targets",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new(
            "redshift_target",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new(
            "sagemaker_pipeline_target",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new(
            "appsync_target",
            "target-specific parameters are not read yet",
        ),
        UncomparedAttr::new(
            "force_destroy",
            "Terraform-side only: whether destroy removes a managed rule's target",
        ),
    ],
};

/// Terraform's id of a target.
pub(crate) fn target_id(bus: &str, rule: &str, id: &str) -> String {
    if bus.is_empty() || bus == "default" {
        format!("{rule}/{id}")
    } else {
        format!("{bus}/{rule}/{id}")
    }
}

/// A target from its bus, rule and ListTargetsByRule entry.
pub(crate) fn map(bus: &str, rule: &str, t: &Value, region: &str) -> Resource {
    let transformer = t.get("InputTransformer").map(|x| {
        json!([{
            "input_paths": x.get("InputPathsMap").cloned().unwrap_or(json!({})),
            "input_template": text(x, "InputTemplate"),
        }])
    });
    let dlq = t
        .get("DeadLetterConfig")
        .map(|x| json!([{"arn": text(x, "Arn")}]));
    let retry = t.get("RetryPolicy").map(|x| {
        json!([{
            "maximum_event_age_in_seconds": number(x, "MaximumEventAgeInSeconds"),
            "maximum_retry_attempts": number(x, "MaximumRetryAttempts"),
        }])
    });
    resource(
        SPEC.resource_type,
        &target_id(bus, rule, str_of(t, "Id")),
        region,
        json!({
            "rule": rule,
            "target_id": str_of(t, "Id"),
            "event_bus_name": if bus.is_empty() { "default" } else { bus },
            "arn": str_of(t, "Arn"),
            "role_arn": or_empty(text(t, "RoleArn")),
            "input": or_empty(text(t, "Input")),
            "input_path": or_empty(text(t, "InputPath")),
            "input_transformer": transformer.unwrap_or(Value::Null),
            "dead_letter_config": dlq.unwrap_or(Value::Null),
            "retry_policy": retry.unwrap_or(Value::Null),
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for EventTarget {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let rules = rules(client).await?;
        let region = region.to_string();
        let per_rule = each_bounded(rules, |(bus, rule)| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let name = str_of(&rule, "Name").to_string();
                let got = json_all(
                    &client,
                    &EVENTS,
                    JsonList {
                        operation: "ListTargetsByRule",
                        input: json!({"Rule": name, "EventBusName": bus, "Limit": 100}),
                        list: "Targets",
                        token_in: "NextToken",
                        token_out: "NextToken",
                    },
                )
                .await;
                let Some(targets) = crate::paging::unless_gone(got)? else {
                    return Ok(None);
                };
                Ok(Some(
                    targets
                        .iter()
                        .map(|t| map(&bus, &name, t, &region))
                        .collect::<Vec<_>>(),
                ))
            }
        })
        .await?;
        Ok(KindListing {
            resources: per_rule.into_iter().flatten().collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::leaves;
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    #[test]
    fn target_maps_to_terraform_attributes_and_ids() {
        // A ListTargetsByRule entry as the API reference shows it.
        let t = json!({
            "Id": "to-queue", "Arn": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": "\"<id>\""},
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
        });
        let r = map("default", "nightly", &t, "eu-west-1");
        assert_eq!(r.key.id, "nightly/to-queue");
        assert_eq!(target_id("ops", "nightly", "x"), "ops/nightly/x");
        assert_eq!(
            r.attrs["input_transformer"][0]["input_paths"],
            json!({"id": "$.detail.id"})
        );
        assert_eq!(
            leaves(&r.attrs["retry_policy"], "maximum_retry_attempts"),
            ["3"]
        );
        assert_eq!(r.attrs["dead_letter_config"], Value::Null);
    }

    #[test]
    fn destination_and_role_changes_are_critical() {
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("a"), json!("b"))],
            )
        };
        assert_eq!(tier("arn"), Tier::Critical);
        assert_eq!(tier("role_arn"), Tier::Critical);
        assert_eq!(tier("input"), Tier::Warning);
    }

    #[test]
    fn false_positive_input_and_retry_written_differently_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            "default",
            "nightly",
            &json!({"Id": "t", "Arn": "arn:aws:sqs:eu-west-1:1:jobs", "Input": "{\"a\":1,\"b\":\"x\"}",
                    "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}}),
            "eu-west-1",
        );
        // Terraform records the input as written and the retry policy's numbers as numbers.
        let state = json!({
            "rule": "nightly", "target_id": "t", "event_bus_name": "default",
            "arn": "arn:aws:sqs:eu-west-1:1:jobs", "role_arn": "", "input": "{ \"b\": \"x\", \"a\": 1 }",
            "input_path": "", "input_transformer": [], "dead_letter_config": [],
            "retry_policy": [{"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}],
            "ecs_target": [], "force_destroy": false,
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["input"] = json!("{\"a\": 2, \"b\": \"x\"}");
        assert_eq!(changed_paths(&SPEC, near, &live), ["input"]);
    }
}
