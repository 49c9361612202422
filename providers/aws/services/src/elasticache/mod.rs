//! Amazon ElastiCache, over the query protocol (API version `2015-02-02`): replication groups,
//! cache clusters and cache subnet groups. Describe answers hold no tags: each resource takes
//! ListTagsForResource (by ARN), through `each_bounded`. Auth tokens are never read.

use crate::client::{ApiClient, Protocol, Service};
use crate::common::tag_list;
pub(crate) use crate::common::{off_is_critical, present};
use crate::paging::unless_gone;
use crate::xml::members;
use crate::Kinds;
use driftd_core::ListError;
use serde_json::Value;

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

/// The subnet ids of a `Subnets` list.
pub(crate) fn subnet_ids(v: &Value) -> Value {
    Value::Array(
        members(&v["Subnets"], "Subnet")
            .into_iter()
            .filter_map(|s| s.get("SubnetIdentifier").cloned())
            .collect(),
    )
}
