//! Amazon SNS, over the query protocol (version `2010-03-31`). Topics and subscriptions are
//! listed with ListTopics / ListSubscriptions; their attributes come as `entry` key/value pairs.

use crate::client::{ApiClient, Protocol, Service};
use crate::common::tag_list;
use crate::paging::{query_all, unless_gone, QueryList};
use crate::xml::members;
use crate::Kinds;
use driftd_core::ListError;
use serde_json::{Map, Value};

pub mod subscription;
pub mod topic;
pub mod topic_policy;

pub const SERVICE: Service = Service {
    endpoint_prefix: "sns",
    signing_name: "sns",
    iam_prefix: "sns",
    protocol: Protocol::Query {
        version: "2010-03-31",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(topic::SnsTopic),
        Box::new(topic_policy::SnsTopicPolicy),
        Box::new(subscription::SnsTopicSubscription),
    ]
}

/// Every topic ARN of the region.
pub(crate) async fn topic_arns(client: &ApiClient) -> Result<Vec<String>, ListError> {
    let topics = query_all(
        client,
        &SERVICE,
        QueryList {
            action: "ListTopics",
            params: Vec::new(),
            list: "Topics",
            item: "member",
            marker_in: "NextToken",
            marker_out: "NextToken",
        },
    )
    .await?;
    Ok(topics
        .iter()
        .filter_map(|t| t.get("TopicArn").and_then(Value::as_str))
        .map(str::to_string)
        .collect())
}

/// An `Attributes` element (`<entry><key/><value/></entry>`...) as a JSON object.
pub(crate) fn entries(attributes: &Value) -> Value {
    let map: Map<String, Value> = members(attributes, "entry")
        .into_iter()
        .filter_map(|e| {
            let k = e.get("key")?.as_str()?;
            let v = e
                .get("value")
                .cloned()
                .unwrap_or(Value::String(String::new()));
            Some((k.to_string(), v))
        })
        .collect();
    Value::Object(map)
}

/// GetTopicAttributes of one topic; `None` when it is gone.
pub(crate) async fn topic_attributes(
    client: &ApiClient,
    arn: &str,
) -> Result<Option<Value>, ListError> {
    let got = client
        .query(
            &SERVICE,
            "GetTopicAttributes",
            &[("TopicArn", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| entries(&v["Attributes"])))
}

/// ListTagsForResource of one topic or subscription as a Terraform map; `None` when it is gone.
pub(crate) async fn tags(client: &ApiClient, arn: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .query(
            &SERVICE,
            "ListTagsForResource",
            &[("ResourceArn", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| tag_list(members(&v["Tags"], "member"), "Key", "Value")))
}
