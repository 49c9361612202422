//! `aws_sqs_queue`: the id is the queue's URL, as Terraform's. ListQueues returns only URLs, so
//! each queue is read with GetQueueAttributes (all attributes) and ListQueueTags: two calls per
//! queue, counted like every other. A queue's access policy, its encryption and its dead-letter
//! redrive are what matter most: a policy changed out of band is critical (it grants), encryption
//! turned off is critical, a redrive change a warning.
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::off_is_critical;
use crate::common::{document, flag, number, resource, text, GRANTS, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SqsQueue;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sqs_queue",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("redrive_policy", Shape::Document),
        AttrSpec::new("redrive_allow_policy", Shape::Document),
        AttrSpec::new("kms_master_key_id", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("sqs_managed_sse_enabled", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_data_key_reuse_period_seconds", Shape::Number),
        AttrSpec::new("fifo_queue", Shape::Scalar),
        AttrSpec::new("content_based_deduplication", Shape::Scalar),
        AttrSpec::new("deduplication_scope", Shape::Scalar),
        AttrSpec::new("fifo_throughput_limit", Shape::Scalar),
        AttrSpec::new("delay_seconds", Shape::Number),
        AttrSpec::new("max_message_size", Shape::Number),
        AttrSpec::new("message_retention_seconds", Shape::Number),
        AttrSpec::new("receive_wait_time_seconds", Shape::Number),
        AttrSpec::new("visibility_timeout_seconds", Shape::Number),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: it chooses the name once, which is compared",
    )],
};

/// The queue's name: the last segment of its URL.
fn name_of(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

/// A queue from its URL, its attributes (GetQueueAttributes' `Attributes` map) and its tags.
fn map(url: &str, attributes: &Value, tags: Value, region: &str) -> Resource {
    let fifo = flag(attributes, "FifoQueue");
    let kms = text(attributes, "KmsMasterKeyId");
    resource(
        SPEC.resource_type,
        url,
        region,
        json!({
            "name": name_of(url),
            "policy": document(attributes, "Policy"),
            "redrive_policy": document(attributes, "RedrivePolicy"),
            "redrive_allow_policy": document(attributes, "RedriveAllowPolicy"),
            // A queue encrypted with SQS-managed keys has no KMS key: Terraform records "".
            "kms_master_key_id": if kms.is_null() { json!("") } else { kms.clone() },
            "sqs_managed_sse_enabled": flag(attributes, "SqsManagedSseEnabled")
                .as_bool()
                .map(Value::Bool)
                .unwrap_or(Value::Bool(false)),
            // Answered only with a KMS key; Terraform records its default, 300, either way.
            "kms_data_key_reuse_period_seconds": match number(attributes, "KmsDataKeyReusePeriodSeconds") {
                Value::Null => json!(300),
                n => n,
            },
            "fifo_queue": fifo.as_bool().unwrap_or(false),
            "content_based_deduplication": flag(attributes, "ContentBasedDeduplication")
                .as_bool()
                .unwrap_or(false),
            // Standard queues have neither; Terraform records "" for them.
            "deduplication_scope": text(attributes, "DeduplicationScope"),
            "fifo_throughput_limit": text(attributes, "FifoThroughputLimit"),
            "delay_seconds": number(attributes, "DelaySeconds"),
            "max_message_size": number(attributes, "MaximumMessageSize"),
            "message_retention_seconds": number(attributes, "MessageRetentionPeriod"),
            "receive_wait_time_seconds": number(attributes, "ReceiveMessageWaitTimeSeconds"),
            "visibility_timeout_seconds": number(attributes, "VisibilityTimeout"),
            "tags": tags,
        }),
    )
}

/// Every queue URL of the region.
pub(crate) async fn queue_urls(client: &ApiClient) -> Result<Vec<String>, ListError> {
    let urls = json_all(
        client,
        &SERVICE,
        JsonList {
            operation: "ListQueues",
            input: json!({"MaxResults": 1000}),
            list: "QueueUrls",
            token_in: "NextToken",
            token_out: "NextToken",
        },
    )
    .await?;
    Ok(urls
        .iter()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect())
}

/// GetQueueAttributes (all) of one queue; `None` when it is gone.
pub(crate) async fn attributes(client: &ApiClient, url: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .json(
            &SERVICE,
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["All"]}),
        )
        .await;
    Ok(unless_gone(got)?.map(|v| v.get("Attributes").cloned().unwrap_or(json!({}))))
}

/// The queue's tags as a Terraform map; `None` when it is gone.
async fn tags(client: &ApiClient, url: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .json(&SERVICE, "ListQueueTags", json!({"QueueUrl": url}))
        .await;
    Ok(unless_gone(got)?.map(|v| match v.get("Tags") {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => json!({}),
    }))
}

#[async_trait]
impl ResourceKind<ApiClient> for SqsQueue {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let urls = queue_urls(client).await?;
        let region = region.to_string();
        let resources = each_bounded(urls, |url| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(attrs) = attributes(&client, &url).await? else {
                    return Ok(None);
                };
                let Some(tags) = tags(&client, &url).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&url, &attrs, tags, &region)))
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
    use driftd_core::{Change, Tier};
    use driftd_core::{ChangeOp, FindingKind};

    #[test]
    fn queue_maps_to_terraform_attributes() {
        // GetQueueAttributes answers every value as a string, as the API reference shows.
        let attrs = json!({
            "QueueArn": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
            "VisibilityTimeout": "45",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "FifoQueue": "true",
            "ContentBasedDeduplication": "false",
            "DeduplicationScope": "queue",
            "FifoThroughputLimit": "perQueue",
            "SqsManagedSseEnabled": "true",
            "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:123456789012:dlq.fifo\",\"maxReceiveCount\":5}",
        });
        let url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo";
        let r = map(url, &attrs, json!({"Team": "orders"}), "eu-west-1");
        assert_eq!(r.key.id, url);
        assert_eq!(r.attrs["name"], json!("orders.fifo"));
        assert_eq!(r.attrs["visibility_timeout_seconds"], json!(45));
        assert_eq!(r.attrs["fifo_queue"], json!(true));
        assert_eq!(r.attrs["sqs_managed_sse_enabled"], json!(true));
        assert_eq!(r.attrs["kms_master_key_id"], json!(""));
        assert_eq!(r.attrs["policy"], Value::Null);
        assert_eq!(r.attrs["tags"], json!({"Team": "orders"}));
        assert!(r.attrs["redrive_policy"]
            .as_str()
            .is_some_and(|p| p.contains("maxReceiveCount")));
    }

    #[test]
    fn policy_changes_are_critical_and_so_is_encryption_turned_off() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(tier("policy", json!("{}")), Tier::Critical);
        assert_eq!(
            tier("sqs_managed_sse_enabled", json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("kms_master_key_id", json!("")), Tier::Critical);
        assert_eq!(
            tier("kms_master_key_id", json!("alias/other")),
            Tier::Warning
        );
        assert_eq!(tier("visibility_timeout_seconds", json!(10)), Tier::Warning);
    }

    #[test]
    fn false_positive_policy_written_differently_and_defaults_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // SQS answers the policy compacted, in its own key order, with a one-statement array
        // kept; Terraform recorded what the person wrote. No KMS key: SQS leaves the reuse period
        // out, Terraform records its default 300.
        let live = map(
            "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
            &json!({
                "Policy": "{\"Statement\":[{\"Action\":\"sqs:SendMessage\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"sns.amazonaws.com\"},\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}",
                "VisibilityTimeout": "30",
                "SqsManagedSseEnabled": "true",
            }),
            json!({}),
            "eu-west-1",
        );
        let state = json!({
            "name": "jobs",
            "policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"sns.amazonaws.com\"}, \"Action\": \"sqs:SendMessage\", \"Resource\": \"*\"}]\n}",
            "visibility_timeout_seconds": 30,
            "kms_master_key_id": "",
            "kms_data_key_reuse_period_seconds": 300,
            "sqs_managed_sse_enabled": true,
            "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: the same policy granting another action is drift.
        let mut other = state;
        other["policy"] = json!(other["policy"]
            .as_str()
            .unwrap()
            .replace("SendMessage", "*"));
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
