//! `aws_sqs_queue_policy`: the id is the queue's URL, as Terraform's. Every queue is listed
//! (ListQueues) and its `Policy` attribute read with GetQueueAttributes, one call per queue; a
//! queue without a policy has no `aws_sqs_queue_policy`. A policy is what grants: any change is
//! critical.
//!
//! moto serves every call used here.

use super::queue::queue_urls;
use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{document, resource, GRANTS};
use crate::paging::{each_bounded, unless_gone};
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct SqsQueuePolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sqs_queue_policy",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("queue_url", Shape::Scalar),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[],
};

/// The policy of the queue at `url`, from GetQueueAttributes' `Attributes`; `None` without one.
fn map(url: &str, attributes: &Value, region: &str) -> Option<Resource> {
    let policy = document(attributes, "Policy");
    if policy.is_null() {
        return None;
    }
    Some(resource(
        SPEC.resource_type,
        url,
        region,
        json!({"queue_url": url, "policy": policy}),
    ))
}

async fn policy_attribute(client: &ApiClient, url: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .json(
            &SERVICE,
            "GetQueueAttributes",
            json!({"QueueUrl": url, "AttributeNames": ["Policy"]}),
        )
        .await;
    Ok(unless_gone(got)?.map(|v| v.get("Attributes").cloned().unwrap_or(json!({}))))
}

#[async_trait]
impl ResourceKind<ApiClient> for SqsQueuePolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let urls = queue_urls(client).await?;
        let region = region.to_string();
        let resources = each_bounded(urls, |url| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(attrs) = policy_attribute(&client, &url).await? else {
                    return Ok(None);
                };
                Ok(map(&url, &attrs, &region))
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

    const URL: &str = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs";

    #[test]
    fn a_queue_with_a_policy_maps_and_one_without_has_none() {
        let attrs = json!({"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"});
        let r = map(URL, &attrs, "eu-west-1").expect("a policy");
        assert_eq!(r.key.id, URL);
        assert_eq!(r.attrs["queue_url"], json!(URL));
        assert!(map(URL, &json!({}), "eu-west-1").is_none());
        let change = Change::new("policy", ChangeOp::Replace, Value::Null, json!("{}"));
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[change]),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_policy_compacted_by_sqs() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            URL,
            &json!({"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":[\"sqs:SendMessage\"],\"Resource\":\"arn:aws:sqs:eu-west-1:123456789012:jobs\"}]}"}),
            "eu-west-1",
        )
        .unwrap();
        let state = json!({
            "queue_url": URL,
            "policy": "{\n  \"Statement\": {\n    \"Action\": \"sqs:SendMessage\",\n    \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:jobs\",\n    \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:root\"},\n    \"Effect\": \"Allow\"\n  },\n  \"Version\": \"2012-10-17\"\n}",
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["policy"] = json!(other["policy"].as_str().unwrap().replace("Allow", "Deny"));
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
