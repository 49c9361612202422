//! `aws_elasticache_replication_group`: the id is the replication group id, as Terraform's.
//! DescribeReplicationGroups answers the compared attributes; tags take ListTagsForResource, one
//! call per group. Encryption at rest or in transit off is critical. The auth token is never
//! read (the API only says whether one is set).
//!
//! A group being deleted (status `deleting`) is left out: it is gone as far as the code is
//! concerned.
//!
//! moto serves every call used here, but not ModifyReplicationGroup, and a deleted group stays
//! listed as `deleting`: its end-to-end change is made on the state side (the state records
//! encryption at rest the group does not have).

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

pub struct ReplicationGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_elasticache_replication_group",
    attrs: &[
        AttrSpec::new("replication_group_id", Shape::CaseInsensitive),
        AttrSpec::new("at_rest_encryption_enabled", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("transit_encryption_enabled", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_key_id", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("node_type", Shape::Scalar),
        AttrSpec::new("num_cache_clusters", Shape::Number),
        AttrSpec::new("num_node_groups", Shape::Number),
        AttrSpec::new("automatic_failover_enabled", Shape::Scalar),
        AttrSpec::new("multi_az_enabled", Shape::Scalar),
        AttrSpec::new("snapshot_retention_limit", Shape::Number),
        AttrSpec::new("snapshot_window", Shape::Scalar),
        AttrSpec::new("cluster_mode", Shape::CaseInsensitive),
        AttrSpec::new("port", Shape::Number),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "auth_token",
            "secret: never read from AWS, never compared nor shown",
        ),
        UncomparedAttr::new(
            "engine_version",
            "the code may name only a major version; AWS applies minor upgrades itself",
        ),
        UncomparedAttr::new(
            "parameter_group_name",
            "answered only by each member cluster, not by DescribeReplicationGroups",
        ),
        UncomparedAttr::new(
            "subnet_group_name",
            "answered only by each member cluster, not by DescribeReplicationGroups",
        ),
        UncomparedAttr::new(
            "security_group_ids",
            "answered only by each member cluster, not by DescribeReplicationGroups",
        ),
        UncomparedAttr::new(
            "maintenance_window",
            "answered only by each member cluster, not by DescribeReplicationGroups",
        ),
        UncomparedAttr::new(
            "preferred_cache_cluster_azs",
            "Terraform-side only: where members were first placed",
        ),
        UncomparedAttr::new(
            "apply_immediately",
            "Terraform-side only: how a change is applied",
        ),
        UncomparedAttr::new(
            "final_snapshot_identifier",
            "Terraform-side only: read when the group is destroyed",
        ),
    ],
};

/// `enabled`/`enabling` as true, `disabled`/`disabling` as false.
fn enabled(v: &Value, key: &str) -> Value {
    match str_of(v, key) {
        "" => Value::Null,
        s => json!(s.starts_with("enabl")),
    }
}

/// The port: the configuration endpoint's (cluster mode), else the primary endpoint's.
fn port_of(g: &Value, node_groups: &[&Value]) -> Value {
    if let Some(p) = g.get("ConfigurationEndpoint").map(|e| number(e, "Port")) {
        if !p.is_null() {
            return p;
        }
    }
    node_groups
        .first()
        .and_then(|n| n.get("PrimaryEndpoint"))
        .map(|e| number(e, "Port"))
        .unwrap_or(Value::Null)
}

/// A replication group (one `ReplicationGroup` of DescribeReplicationGroups) with its tags.
fn map(g: &Value, tags: Value, region: &str) -> Resource {
    let id = str_of(g, "ReplicationGroupId");
    let node_groups = members(&g["NodeGroups"], "NodeGroup");
    let member_clusters = members(&g["MemberClusters"], "ClusterId").len();
    let cluster_mode = match text(g, "ClusterMode") {
        Value::Null => match flag(g, "ClusterEnabled") {
            Value::Bool(true) => json!("enabled"),
            Value::Bool(false) => json!("disabled"),
            _ => Value::Null,
        },
        m => m,
    };
    resource(
        SPEC.resource_type,
        id,
        region,
        present(vec![
            ("replication_group_id", json!(id)),
            (
                "at_rest_encryption_enabled",
                match flag(g, "AtRestEncryptionEnabled") {
                    Value::Null => json!(false),
                    b => b,
                },
            ),
            (
                "transit_encryption_enabled",
                match flag(g, "TransitEncryptionEnabled") {
                    Value::Null => json!(false),
                    b => b,
                },
            ),
            ("kms_key_id", json!(str_of(g, "KmsKeyId"))),
            ("description", text(g, "Description")),
            ("node_type", text(g, "CacheNodeType")),
            ("num_cache_clusters", json!(member_clusters)),
            ("num_node_groups", json!(node_groups.len())),
            (
                "automatic_failover_enabled",
                enabled(g, "AutomaticFailover"),
            ),
            ("multi_az_enabled", enabled(g, "MultiAZ")),
            (
                "snapshot_retention_limit",
                number(g, "SnapshotRetentionLimit"),
            ),
            ("snapshot_window", text(g, "SnapshotWindow")),
            ("cluster_mode", cluster_mode),
            ("port", port_of(g, &node_groups)),
            ("tags", tags),
        ]),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for ReplicationGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups: Vec<Value> = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeReplicationGroups",
                params: vec![("MaxRecords", "100".into())],
                list: "ReplicationGroups",
                item: "ReplicationGroup",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?
        .into_iter()
        .filter(|g| str_of(g, "Status") != "deleting")
        .collect();
        let region = region.to_string();
        let resources = each_bounded(groups, |g| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags(&client, str_of(&g, "ARN")).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&g, tags, &region)))
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

    /// A `ReplicationGroup` as DescribeReplicationGroups documents it (cluster mode disabled).
    fn answer() -> Value {
        json!({
            "ReplicationGroupId": "sessions",
            "Description": "session store",
            "Status": "available",
            "MemberClusters": {"ClusterId": ["sessions-001", "sessions-002"]},
            "NodeGroups": {"NodeGroup": {
                "NodeGroupId": "0001",
                "PrimaryEndpoint": {"Address": "master.sessions.x.cache.amazonaws.com", "Port": "6379"},
            }},
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": "5",
            "SnapshotWindow": "03:00-04:00",
            "ClusterEnabled": "false",
            "CacheNodeType": "cache.t3.micro",
            "TransitEncryptionEnabled": "true",
            "AtRestEncryptionEnabled": "true",
            "KmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "AuthTokenEnabled": "true",
            "ARN": "arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:sessions",
            "ClusterMode": "disabled",
        })
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Env": "prod"}), "eu-west-1");
        assert_eq!(r.key.id, "sessions");
        assert_eq!(r.attrs["num_cache_clusters"], json!(2));
        assert_eq!(r.attrs["num_node_groups"], json!(1));
        assert_eq!(r.attrs["automatic_failover_enabled"], json!(true));
        assert_eq!(r.attrs["multi_az_enabled"], json!(true));
        assert_eq!(r.attrs["port"], json!(6379));
        assert_eq!(r.attrs["cluster_mode"], json!("disabled"));
        assert!(!r.attrs.contains_key("auth_token"));
    }

    #[test]
    fn encryption_off_is_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("at_rest_encryption_enabled", json!(false)),
            Tier::Critical
        );
        assert_eq!(
            tier("transit_encryption_enabled", json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("num_cache_clusters", json!(1)), Tier::Warning);
    }

    #[test]
    fn false_positive_numbers_and_mode_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({}), "eu-west-1");
        let state = json!({
            "id": "sessions", "replication_group_id": "sessions",
            "description": "session store", "node_type": "cache.t3.micro",
            "num_cache_clusters": "2", "num_node_groups": 1,
            "automatic_failover_enabled": true, "multi_az_enabled": true,
            "at_rest_encryption_enabled": true, "transit_encryption_enabled": true,
            "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "auth_token": "not-compared",
            "snapshot_retention_limit": 5, "snapshot_window": "03:00-04:00",
            "cluster_mode": "DISABLED", "port": 6379, "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut plain = answer();
        plain["TransitEncryptionEnabled"] = json!("false");
        let live = map(&plain, json!({}), "eu-west-1");
        assert_eq!(
            changed_paths(&SPEC, state, &live),
            ["transit_encryption_enabled"]
        );
    }
}
