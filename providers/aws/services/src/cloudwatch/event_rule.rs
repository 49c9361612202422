//! `aws_cloudwatch_event_rule`: the id is Terraform's, the rule's name on the default bus and
//! `bus/name` on any other. ListEventBuses, then ListRules per bus (both paged) answer every
//! setting; each rule's tags are one more call (ListTagsForResource), run concurrently and
//! counted. Rules AWS manages for its services (`ManagedBy` set, or named
//! `AutoScalingManagedRule*`) are left out. The role the rule passes to its targets grants:
//! critical; a rule disabled or its pattern changed: warning.
//!
//! moto serves every call used here.

use super::{or, or_empty, EVENTS};
use crate::client::ApiClient;
use crate::common::{document, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct EventRule;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudwatch_event_rule",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("event_bus_name", Shape::Link),
        AttrSpec::new("role_arn", Shape::Scalar).tier(crate::common::GRANTS),
        AttrSpec::new("event_pattern", Shape::Document),
        AttrSpec::new("schedule_expression", Shape::Scalar),
        AttrSpec::new("state", Shape::Scalar),
        AttrSpec::new("is_enabled", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "force_destroy",
            "Terraform-side only: whether destroy removes managed targets",
        ),
    ],
};

/// Terraform's id of a rule: its name on the default bus, `bus/name` on another.
pub(crate) fn rule_id(bus: &str, name: &str) -> String {
    if bus.is_empty() || bus == "default" {
        name.to_string()
    } else {
        format!("{bus}/{name}")
    }
}

/// A rule AWS created and manages for one of its services.
fn aws_managed(rule: &Value) -> bool {
    !str_of(rule, "ManagedBy").is_empty()
        || str_of(rule, "Name").starts_with("AutoScalingManagedRule")
}

/// Every rule the account manages, on every bus: `(bus, ListRules entry)`.
pub(crate) async fn rules(client: &ApiClient) -> Result<Vec<(String, Value)>, ListError> {
    let buses = json_all(
        client,
        &EVENTS,
        JsonList {
            operation: "ListEventBuses",
            input: json!({"Limit": 100}),
            list: "EventBuses",
            token_in: "NextToken",
            token_out: "NextToken",
        },
    )
    .await?;
    let mut out = Vec::new();
    for bus in buses {
        let name = str_of(&bus, "Name").to_string();
        let rules = json_all(
            client,
            &EVENTS,
            JsonList {
                operation: "ListRules",
                input: json!({"EventBusName": name, "Limit": 100}),
                list: "Rules",
                token_in: "NextToken",
                token_out: "NextToken",
            },
        )
        .await?;
        out.extend(
            rules
                .into_iter()
                .filter(|r| !aws_managed(r))
                .map(|r| (name.clone(), r)),
        );
    }
    Ok(out)
}

/// A rule from its bus, its ListRules entry and its tags.
pub(crate) fn map(bus: &str, rule: &Value, tags: Value, region: &str) -> Resource {
    let state = or(text(rule, "State"), json!("ENABLED"));
    resource(
        SPEC.resource_type,
        &rule_id(bus, str_of(rule, "Name")),
        region,
        json!({
            "name": str_of(rule, "Name"),
            "event_bus_name": if bus.is_empty() { "default" } else { bus },
            "role_arn": or_empty(text(rule, "RoleArn")),
            "event_pattern": document(rule, "EventPattern"),
            "schedule_expression": or_empty(text(rule, "ScheduleExpression")),
            "is_enabled": state != json!("DISABLED"),
            "state": state,
            "description": or_empty(text(rule, "Description")),
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for EventRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let rules = rules(client).await?;
        let region = region.to_string();
        let resources = each_bounded(rules, |(bus, rule)| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &EVENTS,
                        "ListTagsForResource",
                        json!({"ResourceARN": str_of(&rule, "Arn")}),
                    )
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = tag_list(crate::common::array(&tags, "Tags"), "Key", "Value");
                Ok(Some(map(&bus, &rule, tags, &region)))
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

    #[test]
    fn rule_maps_to_terraform_attributes_and_ids() {
        // A ListRules entry as the API reference shows it.
        let rule = json!({
            "Name": "nightly", "Arn": "arn:aws:events:eu-west-1:123456789012:rule/ops/nightly",
            "State": "DISABLED", "ScheduleExpression": "cron(0 2 * * ? *)",
            "EventBusName": "ops",
        });
        let r = map("ops", &rule, json!({}), "eu-west-1");
        assert_eq!(r.key.id, "ops/nightly");
        assert_eq!(r.attrs["is_enabled"], json!(false));
        assert_eq!(r.attrs["state"], json!("DISABLED"));
        assert_eq!(rule_id("default", "nightly"), "nightly");
        assert!(aws_managed(&json!({"Name": "AutoScalingManagedRule"})));
        assert!(aws_managed(
            &json!({"Name": "x", "ManagedBy": "guardduty.amazonaws.com"})
        ));
        assert!(!aws_managed(&rule));
    }

    #[test]
    fn role_change_is_critical_pattern_a_warning() {
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("a"), json!("b"))],
            )
        };
        assert_eq!(tier("role_arn"), Tier::Critical);
        assert_eq!(tier("event_pattern"), Tier::Warning);
        assert_eq!(tier("state"), Tier::Warning);
    }

    #[test]
    fn false_positive_pattern_written_differently_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // EventBridge answers the pattern compacted; Terraform recorded it as written, with a
        // one-value list where the API keeps it; the bus as an ARN or a name.
        let live = map(
            "default",
            &json!({"Name": "ec2", "State": "ENABLED",
                    "EventPattern": "{\"source\":[\"aws.ec2\"],\"detail-type\":[\"EC2 Instance State-change Notification\"]}"}),
            json!({}),
            "eu-west-1",
        );
        let state = json!({
            "name": "ec2", "name_prefix": "", "event_bus_name": "arn:aws:events:eu-west-1:123456789012:event-bus/default",
            "event_pattern": "{\n  \"detail-type\": [\"EC2 Instance State-change Notification\"],\n  \"source\": \"aws.ec2\"\n}",
            "schedule_expression": "", "role_arn": "", "description": "", "is_enabled": true,
            "state": "ENABLED", "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["event_pattern"] = json!("{\"source\": [\"aws.s3\"]}");
        assert_eq!(changed_paths(&SPEC, near, &live), ["event_pattern"]);
    }
}
