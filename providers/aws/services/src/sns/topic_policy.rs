//! `aws_sns_topic_policy`: the id is the topic's ARN, as Terraform's. Every topic has a policy:
//! the one AWS writes on a new topic (its only statement `__default_statement_ID`) is marked
//! `cloud_default`, so that a topic left with it is not reported unmanaged. One
//! GetTopicAttributes call per topic. Any change of a policy is critical.
//!
//! moto serves every call used here, and writes the same default policy.

use super::{topic_arns, topic_attributes};
use crate::client::ApiClient;
use crate::common::{document, resource, str_of, GRANTS};
use crate::paging::each_bounded;
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct SnsTopicPolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sns_topic_policy",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("arn", Shape::Scalar),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[],
};

/// Whether `policy` is the one AWS gives a new topic: every statement is the default one.
fn is_default(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements: Vec<&Value> = match &doc["Statement"] {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    };
    !statements.is_empty()
        && statements
            .iter()
            .all(|s| s["Sid"].as_str() == Some("__default_statement_ID"))
}

/// The policy of the topic `arn` from its attributes; `None` when it has none.
fn map(arn: &str, a: &Value, region: &str) -> Option<Resource> {
    let policy = document(a, "Policy");
    if policy.is_null() {
        return None;
    }
    let mut r = resource(
        SPEC.resource_type,
        arn,
        region,
        json!({"arn": arn, "policy": policy}),
    );
    r.cloud_default = is_default(str_of(a, "Policy"));
    Some(r)
}

#[async_trait]
impl ResourceKind<ApiClient> for SnsTopicPolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let arns = topic_arns(client).await?;
        let region = region.to_string();
        let resources = each_bounded(arns, |arn| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(attrs) = topic_attributes(&client, &arn).await? else {
                    return Ok(None);
                };
                Ok(map(&arn, &attrs, &region))
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

    const ARN: &str = "arn:aws:sns:eu-west-1:123456789012:alerts";
    const DEFAULT: &str = r#"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"arn:aws:sns:eu-west-1:123456789012:alerts","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}"#;

    #[test]
    fn the_default_policy_is_a_cloud_default_and_a_custom_one_is_not() {
        let r = map(ARN, &json!({"Policy": DEFAULT}), "eu-west-1").unwrap();
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["arn"], json!(ARN));
        assert!(r.cloud_default);
        let custom = DEFAULT.replace("__default_statement_ID", "events");
        let r = map(ARN, &json!({"Policy": custom}), "eu-west-1").unwrap();
        assert!(!r.cloud_default);
        assert!(map(ARN, &json!({}), "eu-west-1").is_none());
    }

    #[test]
    fn false_positive_action_list_order_and_one_element_lists() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(ARN, &json!({"Policy": DEFAULT}), "eu-west-1").unwrap();
        let state = json!({
            "arn": ARN,
            "policy": "{\"Id\":\"__default_policy_ID\",\"Version\":\"2008-10-17\",\"Statement\":{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"*\"]},\"Action\":[\"SNS:Subscribe\",\"SNS:Publish\"],\"Resource\":\"arn:aws:sns:eu-west-1:123456789012:alerts\",\"Condition\":{\"StringEquals\":{\"AWS:SourceOwner\":\"123456789012\"}}}}",
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["policy"] = json!(other["policy"]
            .as_str()
            .unwrap()
            .replace("\"SNS:Subscribe\",", ""));
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
