//! Amazon RDS, over the query protocol (API version `2014-10-31`): DB instances, Aurora clusters
//! and their instances, DB subnet groups and DB parameter groups.
//!
//! Tags: DescribeDBInstances and DescribeDBClusters answer a `TagList` with each resource; the
//! subnet and parameter groups need ListTagsForResource, one call per group, through
//! `each_bounded`. Master passwords are never read nor compared.

use crate::client::{ApiClient, Protocol, Service};
use crate::common::tag_list;
pub(crate) use crate::common::{off_is_critical, present, removed_is_critical};
use crate::paging::unless_gone;
use crate::xml::members;
use crate::Kinds;
use driftd_core::{Change, ListError, Tier};
use serde_json::{Map, Value};

pub mod cluster;
pub mod cluster_instance;
pub mod instance;
pub mod parameter_group;
pub mod subnet_group;

pub const SERVICE: Service = Service {
    endpoint_prefix: "rds",
    signing_name: "rds",
    iam_prefix: "rds",
    protocol: Protocol::Query {
        version: "2014-10-31",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(instance::DbInstance),
        Box::new(cluster::RdsCluster),
        Box::new(cluster_instance::RdsClusterInstance),
        Box::new(subnet_group::DbSubnetGroup),
        Box::new(parameter_group::DbParameterGroup),
    ]
}

/// A `TagList` of `Tag` entries as a Terraform map.
pub(crate) fn tags_of(list: &Value) -> Value {
    tag_list(members(list, "Tag"), "Key", "Value")
}

/// The tags of the resource `arn` (ListTagsForResource); `None` when it is gone.
pub(crate) async fn list_tags(client: &ApiClient, arn: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .query(
            &SERVICE,
            "ListTagsForResource",
            &[("ResourceName", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| tags_of(&v["TagList"])))
}

/// Reachable from the internet now: critical.
pub(crate) fn made_public(change: &Change) -> Option<Tier> {
    (change.actual == Value::Bool(true)).then_some(Tier::Critical)
}

/// The ids of `VpcSecurityGroups` (`VpcSecurityGroupMembership` entries).
pub(crate) fn vpc_security_group_ids(v: &Value) -> Value {
    Value::Array(
        members(&v["VpcSecurityGroups"], "VpcSecurityGroupMembership")
            .into_iter()
            .filter_map(|m| m.get("VpcSecurityGroupId").cloned())
            .collect(),
    )
}

/// A list of plain strings (`EnabledCloudwatchLogsExports/member`).
pub(crate) fn strings(list: &Value, item: &str) -> Value {
    Value::Array(
        members(list, item)
            .into_iter()
            .filter(|v| v.is_string())
            .cloned()
            .collect(),
    )
}

/// All DB instances of the region (DescribeDBInstances, every page).
pub(crate) async fn db_instances(client: &ApiClient) -> Result<Vec<Value>, ListError> {
    Ok(crate::paging::query_all(
        client,
        &SERVICE,
        crate::paging::QueryList {
            action: "DescribeDBInstances",
            params: vec![("MaxRecords", "100".into())],
            list: "DBInstances",
            item: "DBInstance",
            marker_in: "Marker",
            marker_out: "Marker",
        },
    )
    .await?)
}

/// The tags a describe answer holds in `TagList`, or (when it has none) ListTagsForResource's.
pub(crate) async fn tags_in_or_listed(
    client: &ApiClient,
    answer: &Value,
    arn_key: &str,
) -> Result<Option<Value>, ListError> {
    if answer.get("TagList").is_some() {
        return Ok(Some(tags_of(&answer["TagList"])));
    }
    match answer.get(arn_key).and_then(Value::as_str) {
        Some(arn) => list_tags(client, arn).await,
        None => Ok(Some(Value::Object(Map::new()))),
    }
}
