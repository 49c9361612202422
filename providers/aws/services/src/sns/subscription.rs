//! `aws_sns_topic_subscription`: the id is the subscription's ARN, as Terraform's. ListSubscriptions
//! gives each subscription's topic, protocol and endpoint; its other settings are read with
//! GetSubscriptionAttributes, one call per subscription. A subscription still pending
//! confirmation has no ARN yet and is left out. Where a topic's messages go (the endpoint, the
//! topic) is critical: a changed endpoint sends them elsewhere.
//!
//! moto serves every call used here.

use super::{entries, SERVICE};
use crate::client::ApiClient;
use crate::common::{document, flag, resource, str_of};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SnsTopicSubscription;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sns_topic_subscription",
    attrs: &[
        AttrSpec::new("endpoint", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("topic_arn", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("protocol", Shape::Scalar),
        AttrSpec::new("raw_message_delivery", Shape::Scalar),
        AttrSpec::new("filter_policy", Shape::Document),
        AttrSpec::new("filter_policy_scope", Shape::Scalar),
        AttrSpec::new("redrive_policy", Shape::Document),
        AttrSpec::new("delivery_policy", Shape::Document),
        AttrSpec::new("subscription_role_arn", Shape::Scalar),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "endpoint_auto_confirms",
            "Terraform-side only: how Terraform waits for an HTTP endpoint's confirmation",
        ),
        UncomparedAttr::new(
            "confirmation_timeout_in_minutes",
            "Terraform-side only: how long Terraform waits for a confirmation",
        ),
        UncomparedAttr::new("replay_policy", "FIFO replay settings are not read"),
    ],
};

/// A subscription from its ListSubscriptions entry and its attributes (entries as an object).
fn map(entry: &Value, a: &Value, region: &str) -> Resource {
    let arn = str_of(entry, "SubscriptionArn");
    let pick = |key: &str| {
        let v = str_of(a, key);
        if v.is_empty() {
            str_of(entry, key).to_string()
        } else {
            v.to_string()
        }
    };
    // Terraform records the scope only once a filter policy is set, and AWS answers
    // `MessageAttributes` then.
    let filter = document(a, "FilterPolicy");
    let scope = if filter.is_null() {
        Value::Null
    } else {
        json!(str_of(a, "FilterPolicyScope"))
    };
    resource(
        SPEC.resource_type,
        arn,
        region,
        json!({
            "topic_arn": pick("TopicArn"),
            "protocol": pick("Protocol"),
            "endpoint": pick("Endpoint"),
            "raw_message_delivery": flag(a, "RawMessageDelivery").as_bool().unwrap_or(false),
            "filter_policy": filter,
            "filter_policy_scope": scope,
            "redrive_policy": document(a, "RedrivePolicy"),
            "delivery_policy": document(a, "DeliveryPolicy"),
            "subscription_role_arn": str_of(a, "SubscriptionRoleArn"),
        }),
    )
}

/// A subscription that is confirmed: it has an ARN.
fn confirmed(entry: &Value) -> bool {
    str_of(entry, "SubscriptionArn").starts_with("arn:")
}

async fn attributes(client: &ApiClient, arn: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .query(
            &SERVICE,
            "GetSubscriptionAttributes",
            &[("SubscriptionArn", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| entries(&v["Attributes"])))
}

#[async_trait]
impl ResourceKind<ApiClient> for SnsTopicSubscription {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let subs = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "ListSubscriptions",
                params: Vec::new(),
                list: "Subscriptions",
                item: "member",
                marker_in: "NextToken",
                marker_out: "NextToken",
            },
        )
        .await?;
        let subs: Vec<Value> = subs.into_iter().filter(confirmed).collect();
        let region = region.to_string();
        let resources = each_bounded(subs, |entry| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let arn = str_of(&entry, "SubscriptionArn").to_string();
                let Some(attrs) = attributes(&client, &arn).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&entry, &attrs, &region)))
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
    use driftd_core::{Change, ChangeOp, FindingKind};

    const ARN: &str =
        "arn:aws:sns:eu-west-1:123456789012:alerts:6b0e71bd-7e97-4d97-80ce-4a0994e55286";

    fn entry() -> Value {
        json!({
            "SubscriptionArn": ARN, "Owner": "123456789012", "Protocol": "sqs",
            "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts",
        })
    }

    fn attrs() -> Value {
        json!({
            "SubscriptionArn": ARN, "Protocol": "sqs", "RawMessageDelivery": "true",
            "Endpoint": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:alerts",
            "FilterPolicy": "{\"event\":[\"created\"]}", "FilterPolicyScope": "MessageAttributes",
            "ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false",
        })
    }

    #[test]
    fn subscription_maps_and_pending_ones_are_left_out() {
        let r = map(&entry(), &attrs(), "eu-west-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["protocol"], json!("sqs"));
        assert_eq!(r.attrs["raw_message_delivery"], json!(true));
        assert_eq!(r.attrs["filter_policy_scope"], json!("MessageAttributes"));
        assert!(confirmed(&entry()));
        assert!(!confirmed(
            &json!({"SubscriptionArn": "PendingConfirmation"})
        ));
        let change = Change::new("endpoint", ChangeOp::Replace, json!("a"), json!("b"));
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[change]),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_filter_policy_reformatted_and_unset_policies() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&entry(), &attrs(), "eu-west-1");
        let state = json!({
            "topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts", "protocol": "sqs",
            "endpoint": "arn:aws:sqs:eu-west-1:123456789012:jobs", "raw_message_delivery": true,
            "filter_policy": "{\n  \"event\": [\"created\"]\n}",
            "filter_policy_scope": "MessageAttributes", "redrive_policy": "",
            "delivery_policy": "", "subscription_role_arn": "",
            "endpoint_auto_confirms": false, "confirmation_timeout_in_minutes": 1,
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["filter_policy"] = json!("{\"event\": [\"deleted\"]}");
        assert_eq!(changed_paths(&SPEC, other, &live), ["filter_policy"]);
    }
}
