//! `aws_elasticache_cluster`: the id is the cluster id, as Terraform's. DescribeCacheClusters
//! (with the node details, for the port) answers every compared attribute; tags take
//! ListTagsForResource, one call per cluster. Transit encryption off is critical. Clusters that
//! are members of a replication group are created by it: they are listed (a state cluster that
//! joined a group still meets its live one) but marked as cloud defaults, so that they are not
//! reported as unmanaged beside their `aws_elasticache_replication_group`.
//!
//! A cluster being deleted (status `deleting`) is left out: it is gone as far as the code is
//! concerned.
//!
//! moto serves every call used here, but not ModifyCacheCluster, and a deleted cluster stays
//! listed as `deleting` (so it cannot be recreated): its end-to-end change is made on the state
//! side (the state records a larger node type than the cluster has).

use super::{off_is_critical, present, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct CacheCluster;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_elasticache_cluster",
    attrs: &[
        AttrSpec::new("cluster_id", Shape::CaseInsensitive),
        AttrSpec::new("transit_encryption_enabled", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("security_group_ids", Shape::Set),
        AttrSpec::new("subnet_group_name", Shape::CaseInsensitive),
        AttrSpec::new("engine", Shape::Scalar),
        AttrSpec::new("node_type", Shape::Scalar),
        AttrSpec::new("num_cache_nodes", Shape::Number),
        AttrSpec::new("parameter_group_name", Shape::Scalar),
        AttrSpec::new("port", Shape::Number),
        AttrSpec::new("az_mode", Shape::Scalar),
        AttrSpec::new("maintenance_window", Shape::CaseInsensitive),
        AttrSpec::new("snapshot_retention_limit", Shape::Number),
        AttrSpec::new("snapshot_window", Shape::Scalar),
        AttrSpec::new("notification_topic_arn", Shape::Scalar),
        AttrSpec::new("replication_group_id", Shape::Scalar),
        AttrSpec::new("auto_minor_version_upgrade", Shape::Scalar),
        AttrSpec::new("network_type", Shape::Scalar),
        AttrSpec::new("ip_discovery", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "engine_version",
            "the code may name only a major version; AWS applies minor upgrades itself",
        ),
        UncomparedAttr::new(
            "engine_version_actual",
            "moves with the minor upgrades AWS applies",
        ),
        UncomparedAttr::new("availability_zone", "chosen by AWS when not set"),
        UncomparedAttr::new(
            "preferred_availability_zones",
            "Terraform-side only: where nodes were first placed",
        ),
        UncomparedAttr::new(
            "apply_immediately",
            "Terraform-side only: how a change is applied",
        ),
        UncomparedAttr::new(
            "final_snapshot_identifier",
            "Terraform-side only: read when the cluster is destroyed",
        ),
        UncomparedAttr::new(
            "snapshot_arns",
            "Terraform-side only: the snapshot the cluster was created from",
        ),
        UncomparedAttr::new(
            "snapshot_name",
            "Terraform-side only: the snapshot the cluster was created from",
        ),
        UncomparedAttr::new(
            "log_delivery_configuration",
            "not read: the destinations are named differently by the code and the API",
        ),
    ],
};

/// The port: the configuration endpoint's (Memcached), else the first node's (Redis).
fn port_of(c: &Value) -> Value {
    if let Some(p) = c.get("ConfigurationEndpoint").map(|e| number(e, "Port")) {
        if !p.is_null() {
            return p;
        }
    }
    members(&c["CacheNodes"], "CacheNode")
        .first()
        .and_then(|n| n.get("Endpoint"))
        .map(|e| number(e, "Port"))
        .unwrap_or(Value::Null)
}

/// A cache cluster (one `CacheCluster` of DescribeCacheClusters) with its tags.
fn map(c: &Value, tags: Value, region: &str) -> Resource {
    let id = str_of(c, "CacheClusterId");
    let security_groups: Vec<Value> = members(&c["SecurityGroups"], "member")
        .into_iter()
        .map(|g| text(g, "SecurityGroupId"))
        .filter(|g| !g.is_null())
        .collect();
    let az_mode = match str_of(c, "PreferredAvailabilityZone") {
        "" => Value::Null,
        "Multiple" => json!("cross-az"),
        _ => json!("single-az"),
    };
    let mut r = resource(
        SPEC.resource_type,
        id,
        region,
        present(vec![
            ("cluster_id", json!(id)),
            (
                "transit_encryption_enabled",
                match flag(c, "TransitEncryptionEnabled") {
                    Value::Null => json!(false),
                    b => b,
                },
            ),
            ("security_group_ids", Value::Array(security_groups)),
            ("subnet_group_name", text(c, "CacheSubnetGroupName")),
            ("engine", text(c, "Engine")),
            ("node_type", text(c, "CacheNodeType")),
            ("num_cache_nodes", number(c, "NumCacheNodes")),
            (
                "parameter_group_name",
                c.get("CacheParameterGroup")
                    .map(|g| text(g, "CacheParameterGroupName"))
                    .unwrap_or(Value::Null),
            ),
            ("port", port_of(c)),
            ("az_mode", az_mode),
            ("maintenance_window", text(c, "PreferredMaintenanceWindow")),
            (
                "snapshot_retention_limit",
                number(c, "SnapshotRetentionLimit"),
            ),
            ("snapshot_window", text(c, "SnapshotWindow")),
            (
                "notification_topic_arn",
                c.get("NotificationConfiguration")
                    .map(|n| text(n, "TopicArn"))
                    .unwrap_or(Value::Null),
            ),
            ("replication_group_id", text(c, "ReplicationGroupId")),
            // Terraform records it as a string.
            (
                "auto_minor_version_upgrade",
                text(c, "AutoMinorVersionUpgrade"),
            ),
            ("network_type", text(c, "NetworkType")),
            ("ip_discovery", text(c, "IpDiscovery")),
            ("tags", tags),
        ]),
    );
    r.cloud_default = !str_of(c, "ReplicationGroupId").is_empty();
    r
}

#[async_trait]
impl ResourceKind<ApiClient> for CacheCluster {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let clusters: Vec<Value> = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeCacheClusters",
                params: vec![
                    ("MaxRecords", "100".into()),
                    ("ShowCacheNodeInfo", "true".into()),
                ],
                list: "CacheClusters",
                item: "CacheCluster",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?
        .into_iter()
        .filter(|c| str_of(c, "CacheClusterStatus") != "deleting")
        .collect();
        let region = region.to_string();
        let resources = each_bounded(clusters, |c| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags(&client, str_of(&c, "ARN")).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&c, tags, &region)))
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

    /// A Redis `CacheCluster` as DescribeCacheClusters documents it, with node info.
    fn answer() -> Value {
        json!({
            "CacheClusterId": "sessions",
            "ARN": "arn:aws:elasticache:eu-west-1:123456789012:cluster:sessions",
            "CacheNodeType": "cache.t3.micro",
            "Engine": "redis",
            "EngineVersion": "7.1.0",
            "CacheClusterStatus": "available",
            "NumCacheNodes": "1",
            "PreferredAvailabilityZone": "eu-west-1a",
            "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
            "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7", "ParameterApplyStatus": "in-sync"},
            "CacheSubnetGroupName": "cache",
            "SecurityGroups": {"member": {"SecurityGroupId": "sg-1", "Status": "active"}},
            "CacheNodes": {"CacheNode": {"CacheNodeId": "0001", "Endpoint": {"Address": "sessions.x.cache.amazonaws.com", "Port": "6379"}}},
            "SnapshotRetentionLimit": "0",
            "SnapshotWindow": "03:00-04:00",
            "AutoMinorVersionUpgrade": "true",
            "TransitEncryptionEnabled": "false",
            "AtRestEncryptionEnabled": "false",
            "NetworkType": "ipv4",
            "IpDiscovery": "ipv4",
        })
    }

    #[test]
    fn cluster_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({}), "eu-west-1");
        assert_eq!(r.key.id, "sessions");
        assert_eq!(r.attrs["port"], json!(6379));
        assert_eq!(r.attrs["az_mode"], json!("single-az"));
        assert_eq!(r.attrs["security_group_ids"], json!(["sg-1"]));
        assert_eq!(r.attrs["parameter_group_name"], json!("default.redis7"));
        assert_eq!(r.attrs["auto_minor_version_upgrade"], json!("true"));
        assert!(!r.attrs.contains_key("replication_group_id"));
        assert!(!r.cloud_default);
        let mut member = answer();
        member["ReplicationGroupId"] = json!("rg");
        assert!(map(&member, json!({}), "eu-west-1").cloud_default);
    }

    #[test]
    fn transit_encryption_off_is_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("transit_encryption_enabled", json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("node_type", json!("cache.t3.small")), Tier::Warning);
    }

    #[test]
    fn false_positive_numbers_window_case_and_memcached_port_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({}), "eu-west-1");
        let state = json!({
            "id": "sessions", "cluster_id": "sessions", "engine": "redis",
            "engine_version": "7.1", "node_type": "cache.t3.micro", "num_cache_nodes": 1,
            "parameter_group_name": "default.redis7", "port": 6379,
            "subnet_group_name": "cache", "security_group_ids": ["sg-1"],
            "az_mode": "single-az", "maintenance_window": "Sun:05:00-Sun:06:00",
            "snapshot_retention_limit": 0, "snapshot_window": "03:00-04:00",
            "notification_topic_arn": null, "replication_group_id": null,
            "auto_minor_version_upgrade": "true", "transit_encryption_enabled": false,
            "network_type": "ipv4", "ip_discovery": "ipv4",
            "tags": null, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut bigger = answer();
        bigger["CacheNodeType"] = json!("cache.t3.small");
        let live = map(&bigger, json!({}), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["node_type"]);
        // Memcached answers its port on the configuration endpoint.
        let mut memcached = answer();
        memcached["ConfigurationEndpoint"] = json!({"Address": "x", "Port": "11211"});
        assert_eq!(
            map(&memcached, json!({}), "eu-west-1").attrs["port"],
            json!(11211)
        );
    }
}
