//! `google_container_node_pool`: a GKE node pool's machines (type, disk, image, Spot or
//! preemptible), who its nodes act as (service account, OAuth scopes, the metadata server pods
//! see), its network tags and Kubernetes labels, Shielded VM switches, autoscaling bounds,
//! auto-repair and auto-upgrade, and its zones.
//!
//! Pools come embedded in the clusters of GKE's one listing per project (see
//! [`super::container_cluster`]); the provider's id is
//! `projects/P/locations/L/clusters/C/nodePools/N`, placed in the region of the cluster's
//! location.
//!
//! Unmanaged pools: a pool written inline in its cluster's `node_pool` block, and the
//! `default-pool` GKE makes with every cluster, belong to the cluster resource, not to a
//! `google_container_node_pool`, and state does not say which pools a cluster holds inline. So
//! every listed pool is a cloud default ([`Resource::cloud_default`]), as AWS route table routes
//! are: pools in state are matched, compared and found missing as usual; the others are
//! reported only when the target sets `include_cloud_defaults`.
//!
//! No emulator serves GKE: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves the clusters and pools.

use super::container_cluster::{cluster_id, clusters_in};
use super::{resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::rest::labels;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct ContainerNodePool;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_container_node_pool",
    attrs: &[
        AttrSpec::new("node_config.0.machine_type", Shape::Scalar),
        AttrSpec::new("node_config.0.disk_size_gb", Shape::Number),
        AttrSpec::new("node_config.0.disk_type", Shape::Scalar),
        AttrSpec::new("node_config.0.image_type", Shape::CaseInsensitive),
        AttrSpec::new("node_config.0.preemptible", Shape::Switch),
        AttrSpec::new("node_config.0.spot", Shape::Switch),
        AttrSpec::new("node_config.0.service_account", Shape::Scalar)
            .tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("node_config.0.oauth_scopes", Shape::Set)
            .tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new(
            "node_config.0.workload_metadata_config.0.mode",
            Shape::CaseInsensitive,
        )
        .tier(TierHint::Rule(metadata_exposed)),
        AttrSpec::new("node_config.0.tags", Shape::Set),
        AttrSpec::new("node_config.0.labels", Shape::Tags),
        AttrSpec::new(
            "node_config.0.shielded_instance_config.0.enable_secure_boot",
            Shape::Switch,
        ),
        AttrSpec::new(
            "node_config.0.shielded_instance_config.0.enable_integrity_monitoring",
            Shape::Switch,
        ),
        AttrSpec::new("autoscaling", Shape::Count),
        AttrSpec::new("autoscaling.0.min_node_count", Shape::Number),
        AttrSpec::new("autoscaling.0.max_node_count", Shape::Number),
        AttrSpec::new("autoscaling.0.total_min_node_count", Shape::Number),
        AttrSpec::new("autoscaling.0.total_max_node_count", Shape::Number),
        AttrSpec::new("management.0.auto_repair", Shape::Switch),
        AttrSpec::new("management.0.auto_upgrade", Shape::Switch),
        AttrSpec::new("node_locations", Shape::Set),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "node_count",
            "the current size is held by the pool's instance groups (a Compute Engine call \
             per zone), and autoscaling moves it by itself",
        ),
        UncomparedAttr::new("initial_node_count", "used once, when the pool is made"),
        UncomparedAttr::new(
            "version",
            "GKE upgrades nodes by itself within the cluster's release channel",
        ),
        UncomparedAttr::new(
            "node_config.0.taint",
            "GKE adds its own taints (GPU, sandbox) to the same list",
        ),
        UncomparedAttr::new(
            "node_config.0.metadata",
            "GKE writes its own keys; values may hold secrets",
        ),
        UncomparedAttr::new("max_pods_per_node", "fixed when the pool is made"),
        UncomparedAttr::new(
            "upgrade_settings",
            "surge settings of upgrades are not read",
        ),
        UncomparedAttr::new(
            "network_config",
            "the pool's Pod range is fixed when the pool is made",
        ),
        UncomparedAttr::new(
            "autoscaling.0.location_policy",
            "GKE fills in its own default",
        ),
    ],
};

/// Pods can read the node's own credentials again: Workload Identity's metadata server was
/// swapped for the node's.
fn metadata_exposed(c: &Change) -> Option<Tier> {
    let is = |v: &Value, s: &str| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(s));
    (is(&c.expected, "GKE_METADATA") && !is(&c.actual, "GKE_METADATA")).then_some(Tier::Critical)
}

/// An int64 the API writes as text or as a number, `0` when left out (as state records an
/// unset bound).
fn int(v: &Value) -> Value {
    match v {
        Value::String(s) => s.parse::<i64>().map_or(Value::Null, Value::from),
        Value::Number(_) => v.clone(),
        _ => Value::from(0),
    }
}

fn texts(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn map(cluster: &Value, pool: &Value, scope: &Scope) -> Option<Resource> {
    let cluster_id = cluster_id(&scope.project, cluster)?;
    let name = pool["name"].as_str().filter(|n| !n.is_empty())?;
    let config = &pool["config"];
    let scaling = &pool["autoscaling"];
    let flag = |v: &Value| v.as_bool().unwrap_or(false);
    let autoscaling = if flag(&scaling["enabled"]) {
        json!([{
            "min_node_count": int(&scaling["minNodeCount"]),
            "max_node_count": int(&scaling["maxNodeCount"]),
            "total_min_node_count": int(&scaling["totalMinNodeCount"]),
            "total_max_node_count": int(&scaling["totalMaxNodeCount"]),
        }])
    } else {
        json!([])
    };
    let mut node_config = json!({
        "machine_type": config["machineType"],
        "disk_size_gb": int(&config["diskSizeGb"]),
        "disk_type": config["diskType"],
        "image_type": config["imageType"],
        "preemptible": flag(&config["preemptible"]),
        "spot": flag(&config["spot"]),
        "service_account": config["serviceAccount"].as_str().unwrap_or("default"),
        "oauth_scopes": texts(&config["oauthScopes"]),
        "tags": texts(&config["tags"]),
        "labels": labels(&config["labels"]),
    });
    // The metadata mode and Shielded VM switches only where GKE states them.
    if let Some(mode) = config["workloadMetadataConfig"]["mode"].as_str() {
        node_config["workload_metadata_config"] = json!([{"mode": mode}]);
    }
    let shielded = &config["shieldedInstanceConfig"];
    if shielded.is_object() {
        node_config["shielded_instance_config"] = json!([{
            "enable_secure_boot": flag(&shielded["enableSecureBoot"]),
            "enable_integrity_monitoring": flag(&shielded["enableIntegrityMonitoring"]),
        }]);
    }
    let management = &pool["management"];
    let mut r = resource(
        SPEC.resource_type,
        format!("{cluster_id}/nodePools/{name}"),
        scope,
        json!({
            "name": name,
            "cluster": cluster["name"],
            "location": cluster["location"],
            "project": scope.project,
            "node_config": [node_config],
            "autoscaling": autoscaling,
            "management": [{
                "auto_repair": flag(&management["autoRepair"]),
                "auto_upgrade": flag(&management["autoUpgrade"]),
            }],
            "node_locations": texts(&pool["locations"]),
            "version": pool["version"],
        }),
    );
    r.cloud_default = true;
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ContainerNodePool {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let (s, clusters) = clusters_in(client, scope).await?;
        let resources = clusters
            .iter()
            .flat_map(|c| {
                c["nodePools"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| map(c, p, &s))
            })
            .collect();
        Ok(KindListing {
            resources,
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, ChangeOp, FindingKind};

    fn cluster() -> Value {
        json!({"name": "shop", "location": "europe-west1", "nodePools": [{
            "name": "web", "version": "1.30.5-gke.1014001",
            "locations": ["europe-west1-b", "europe-west1-c"],
            "config": {"machineType": "e2-standard-4", "diskSizeGb": 100,
                "diskType": "pd-balanced", "imageType": "COS_CONTAINERD",
                "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
                "serviceAccount": "nodes@p1.iam.gserviceaccount.com",
                "labels": {"pool": "web"}, "tags": ["gke-web"],
                "metadata": {"disable-legacy-endpoints": "true"},
                "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                "shieldedInstanceConfig": {"enableIntegrityMonitoring": true}},
            "autoscaling": {"enabled": true, "minNodeCount": 1, "maxNodeCount": 5},
            "management": {"autoUpgrade": true, "autoRepair": true}}]})
    }

    #[test]
    fn maps_to_terraform_names_as_a_cloud_default() {
        let c = cluster();
        let r = map(&c, &c["nodePools"][0], &Scope::new("p1", "europe-west1")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p1/locations/europe-west1/clusters/shop/nodePools/web"
        );
        assert!(r.cloud_default);
        let nc = &r.attrs["node_config"][0];
        assert_eq!(nc["machine_type"], json!("e2-standard-4"));
        assert_eq!(nc["disk_size_gb"], json!(100));
        assert_eq!(
            nc["shielded_instance_config"][0],
            json!({"enable_secure_boot": false, "enable_integrity_monitoring": true})
        );
        assert_eq!(
            nc["workload_metadata_config"][0]["mode"],
            json!("GKE_METADATA")
        );
        assert!(nc.get("metadata").is_none());
        assert_eq!(
            r.attrs["autoscaling"],
            json!([{"min_node_count": 1, "max_node_count": 5,
                    "total_min_node_count": 0, "total_max_node_count": 0}])
        );
        assert_eq!(r.attrs["cluster"], json!("shop"));

        // Autoscaling off: no block, as state writes it.
        let mut fixed = cluster();
        fixed["nodePools"][0]["autoscaling"] = json!({});
        fixed["nodePools"][0]["config"]["diskSizeGb"] = json!("50");
        let r = map(
            &fixed,
            &fixed["nodePools"][0],
            &Scope::new("p1", "europe-west1"),
        )
        .unwrap();
        assert_eq!(r.attrs["autoscaling"], json!([]));
        assert_eq!(r.attrs["node_config"][0]["disk_size_gb"], json!(50));
    }

    #[test]
    fn who_nodes_act_as_is_critical() {
        let tier = |path: &str, e: Value, a: Value| {
            let c = Change::new(path, ChangeOp::Replace, e, a);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier(
                "node_config.0.workload_metadata_config.0.mode",
                json!("GKE_METADATA"),
                json!("GCE_METADATA")
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "node_config.0.oauth_scopes",
                json!(["https://www.googleapis.com/auth/logging.write"]),
                json!(["https://www.googleapis.com/auth/cloud-platform"])
            ),
            Tier::Critical
        );
        assert_eq!(
            tier("autoscaling.0.max_node_count", json!(5), json!(50)),
            Tier::Warning
        );
    }

    /// State lists the scopes in another order, the image type in lower case, the disk size as
    /// text, unset total bounds as 0 and `location_policy`, which GKE fills in; it has no
    /// Shielded VM block where GKE answers both switches off. Same pool.
    #[test]
    fn reordered_scopes_case_and_unset_bounds_are_no_drift() {
        let mut api = cluster();
        api["nodePools"][0]["config"]["shieldedInstanceConfig"] = json!({});
        let live = map(
            &api,
            &api["nodePools"][0],
            &Scope::new("p1", "europe-west1"),
        )
        .unwrap();
        let state = json!({
            "id": "projects/p1/locations/europe-west1/clusters/shop/nodePools/web",
            "name": "web", "cluster": "shop", "location": "europe-west1", "project": "p1",
            "node_count": 2, "initial_node_count": 1, "version": "1.29.0-gke.1",
            "node_config": [{"machine_type": "e2-standard-4", "disk_size_gb": "100",
                "disk_type": "pd-balanced", "image_type": "cos_containerd",
                "preemptible": false, "spot": false,
                "service_account": "nodes@p1.iam.gserviceaccount.com",
                "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                "tags": ["gke-web"], "labels": {"pool": "web"}, "taint": [],
                "metadata": {"disable-legacy-endpoints": "true"},
                "shielded_instance_config": [],
                "workload_metadata_config": [{"mode": "GKE_METADATA"}]}],
            "autoscaling": [{"min_node_count": 1, "max_node_count": 5,
                "total_min_node_count": 0, "total_max_node_count": 0,
                "location_policy": "BALANCED"}],
            "management": [{"auto_repair": true, "auto_upgrade": true}],
            "node_locations": ["europe-west1-c", "europe-west1-b"]
        });
        let drift = super::super::compute_forwarding_rule::drift;
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        // The near miss: the pool's pods could read the node's metadata server before.
        let mut exposed = state;
        exposed["node_config"][0]["workload_metadata_config"] = json!([{"mode": "GCE_METADATA"}]);
        assert_eq!(
            drift(&SPEC, exposed, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["node_config.0.workload_metadata_config.0.mode".to_string()]
            )]
        );
    }
}
