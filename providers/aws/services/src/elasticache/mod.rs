//! Amazon ElastiCache, over the query protocol (API version `2015-02-02`): replication groups,
//! cache clusters and cache subnet groups. Describe answers hold no tags: each resource takes
//! ListTagsForResource (by ARN), through `each_bounded`. Auth tokens are never read.

use crate::client::{ApiClient, Protocol, Service};
use crate::common::tag_list;
use crate::paging::unless_gone;
use crate::xml::members;
use crate::Kinds;
use driftd_core::{Change, ListError, Tier};
use serde_json::{Map, Value};

pub mod cluster;
pub mod replication_group;
pub mod subnet_group;

pub const SERVICE: Service = Service {
    endpoint_prefix: "elasticache",
    signing_name: "elasticache",
    iam_prefix: "elasticache",
    protocol: Protocol::Query {
        version: "2015-02-02",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(replication_group::ReplicationGroup),
        Box::new(cluster::CacheCluster),
        Box::new(subnet_group::CacheSubnetGroup),
    ]
}

/// The tags of the resource `arn` (ListTagsForResource) as a Terraform map; `None` when it is
/// gone. Without an ARN in the answer, the tags are left unread (unknown).
pub(crate) async fn tags(client: &ApiClient, arn: &str) -> Result<Option<Value>, ListError> {
    if arn.is_empty() {
        return Ok(Some(Value::Null));
    }
    let got = client
        .query(
            &SERVICE,
            "ListTagsForResource",
            &[("ResourceName", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| tag_list(members(&v["TagList"], "Tag"), "Key", "Value")))
}

/// Live attributes without the values the answer did not hold (unknown, not removed).
pub(crate) fn present(pairs: Vec<(&str, Value)>) -> Value {
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Value::Object(map)
}

/// Encryption turned off: critical.
pub(crate) fn turned_off(change: &Change) -> Option<Tier> {
    match &change.actual {
        Value::Null | Value::Bool(false) => Some(Tier::Critical),
        Value::String(s) if s.is_empty() || s.eq_ignore_ascii_case("false") => Some(Tier::Critical),
        _ => None,
    }
}

/// The subnet ids of a `Subnets` list.
pub(crate) fn subnet_ids(v: &Value) -> Value {
    Value::Array(
        members(&v["Subnets"], "Subnet")
            .into_iter()
            .filter_map(|s| s.get("SubnetIdentifier").cloned())
            .collect(),
    )
}
