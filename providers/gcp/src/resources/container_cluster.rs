//! `google_container_cluster`: a GKE cluster's network placement and exposure (network,
//! subnetwork, private nodes and endpoint, the networks allowed to reach the control plane),
//! its security switches (legacy ABAC, client certificates, shielded nodes, network policy,
//! Workload Identity, application-layer secrets encryption, Binary Authorization), its release
//! channel, logging and monitoring, add-ons and labels.
//!
//! Listing: GKE v1 `projects.locations.clusters.list` with the location `-` answers every
//! cluster of a project, zonal and regional, in one call; it takes no page size and does not
//! page. That one answer is fetched once per scan ([`crate::apis::SharedAnswers`]) and serves
//! this type and `google_container_node_pool` in every region. A cluster is listed in the region
//! of its location (a zonal cluster in `us-central1-a` is in `PROJECT/us-central1`), as
//! `driftd-iac` places the state's `projects/P/locations/L/clusters/C` id. When GKE says it
//! could not reach some zones or regions (`missingZones`), the regions they are in are not
//! scanned: a cluster there is never reported missing on a partial answer.
//!
//! Node pools are compared as `google_container_node_pool` (each pool of a cluster is listed
//! there), so the cluster's own `node_pool` and `node_config` blocks are not compared.
//!
//! Where an answer leaves a setting out, the value GKE means by its absence is used (legacy
//! ABAC off, no release channel); settings whose absence has no documented meaning are left
//! unknown rather than guessed. Switches are compared as [`Shape::Switch`]: state writes a
//! never-set block as empty (`private_cluster_config = []`) where GKE answers `false`.
//!
//! No emulator serves GKE: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves `clusters` and their `nodePools` at the documented paths.

use super::{parse_scope, resource, GENERATED_KEYS, WORLD};
use crate::client::UnitClient;
use crate::rest::{get, labels, Api};
use crate::scope::{zone_region, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};
use std::sync::Arc;

pub struct ContainerCluster;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_container_cluster",
    attrs: &[
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("subnetwork", Shape::Link),
        AttrSpec::new("node_locations", Shape::Set),
        AttrSpec::new(
            "master_authorized_networks_config.0.cidr_blocks",
            Shape::Document,
        )
        .tier(TierHint::Rule(endpoint_opened)),
        AttrSpec::new(
            "private_cluster_config.0.enable_private_nodes",
            Shape::Switch,
        )
        .tier(TierHint::Rule(turned_off_critical)),
        AttrSpec::new(
            "private_cluster_config.0.enable_private_endpoint",
            Shape::Switch,
        )
        .tier(TierHint::Rule(turned_off_critical)),
        AttrSpec::new(
            "private_cluster_config.0.master_ipv4_cidr_block",
            Shape::Cidr,
        ),
        AttrSpec::new("enable_legacy_abac", Shape::Switch).tier(TierHint::Rule(turned_on_critical)),
        AttrSpec::new(
            "master_auth.0.client_certificate_config.0.issue_client_certificate",
            Shape::Switch,
        )
        .tier(TierHint::Rule(turned_on_critical)),
        AttrSpec::new("enable_shielded_nodes", Shape::Switch),
        AttrSpec::new("enable_intranode_visibility", Shape::Switch),
        AttrSpec::new("network_policy.0.enabled", Shape::Switch),
        AttrSpec::new("workload_identity_config.0.workload_pool", Shape::Scalar)
            // Provider 3.x named it `identity_namespace`.
            .with_state_alias("workload_identity_config.0.identity_namespace"),
        AttrSpec::new("database_encryption.0.state", Shape::CaseInsensitive)
            .tier(TierHint::Rule(decrypted)),
        AttrSpec::new("database_encryption.0.key_name", Shape::Scalar),
        AttrSpec::new("binary_authorization.0.evaluation_mode", Shape::Scalar),
        AttrSpec::new("release_channel.0.channel", Shape::CaseInsensitive),
        AttrSpec::new("logging_service", Shape::Scalar),
        AttrSpec::new("monitoring_service", Shape::Scalar),
        AttrSpec::new(
            "addons_config.0.http_load_balancing.0.disabled",
            Shape::Switch,
        ),
        AttrSpec::new(
            "addons_config.0.horizontal_pod_autoscaling.0.disabled",
            Shape::Switch,
        ),
        AttrSpec::new(
            "addons_config.0.network_policy_config.0.disabled",
            Shape::Switch,
        ),
        AttrSpec::new("vertical_pod_autoscaling.0.enabled", Shape::Switch),
        AttrSpec::new("resource_labels", Shape::Tags)
            .with_state_alias("terraform_labels")
            .tier(TierHint::Always(Tier::Info)),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "node_pool",
            "each pool is compared as google_container_node_pool",
        ),
        UncomparedAttr::new(
            "node_config",
            "the default pool's settings; pools are compared as google_container_node_pool",
        ),
        UncomparedAttr::new(
            "initial_node_count",
            "used once, when the default pool is made",
        ),
        UncomparedAttr::new(
            "remove_default_node_pool",
            "Terraform's own instruction at creation, not a setting of the cluster",
        ),
        UncomparedAttr::new(
            "deletion_protection",
            "Terraform's own guard against destroy, not a setting of the cluster",
        ),
        UncomparedAttr::new(
            "min_master_version",
            "a floor; GKE upgrades the control plane within its release channel",
        ),
        UncomparedAttr::new(
            "master_version",
            "GKE upgrades the control plane by itself within its release channel",
        ),
        UncomparedAttr::new(
            "node_version",
            "GKE upgrades nodes by itself within its release channel",
        ),
        UncomparedAttr::new(
            "master_auth.0.cluster_ca_certificate",
            "rotated by GKE; credentials are never copied into a finding",
        ),
        UncomparedAttr::new("master_auth.0.client_key", "a secret; never read"),
        UncomparedAttr::new(
            "ip_allocation_policy",
            "Pod and Service ranges are fixed when the cluster is made",
        ),
        UncomparedAttr::new("cluster_ipv4_cidr", "fixed when the cluster is made"),
        UncomparedAttr::new("networking_mode", "fixed when the cluster is made"),
        UncomparedAttr::new(
            "default_max_pods_per_node",
            "fixed when the cluster is made",
        ),
        UncomparedAttr::new("enable_autopilot", "fixed when the cluster is made"),
        UncomparedAttr::new("enable_kubernetes_alpha", "fixed when the cluster is made"),
        UncomparedAttr::new(
            "datapath_provider",
            "fixed when the cluster is made; GKE names the default differently than state",
        ),
        UncomparedAttr::new(
            "maintenance_policy",
            "GKE rewrites the window in its own form; maintenance timing is not drift",
        ),
        UncomparedAttr::new(
            "cluster_autoscaling",
            "node auto-provisioning limits are not read",
        ),
        UncomparedAttr::new(
            "logging_config",
            "component lists are not read; logging_service is compared",
        ),
        UncomparedAttr::new(
            "monitoring_config",
            "component lists are not read; monitoring_service is compared",
        ),
        UncomparedAttr::new(
            "network_policy.0.provider",
            "Calico is the one provider; whether the policy is enabled is compared",
        ),
        UncomparedAttr::new(
            "enable_binary_authorization",
            "deprecated; binary_authorization.0.evaluation_mode is compared",
        ),
        UncomparedAttr::new("notification_config", "upgrade notifications are not read"),
        UncomparedAttr::new(
            "resource_usage_export_config",
            "usage metering export is not read",
        ),
        UncomparedAttr::new(
            "authenticator_groups_config",
            "Google Groups for RBAC is not read",
        ),
        UncomparedAttr::new("dns_config", "cluster DNS settings are not read"),
    ],
};

/// A switch that keeps the cluster closed was turned off.
fn turned_off_critical(c: &Change) -> Option<Tier> {
    (c.expected == Value::Bool(true) && c.actual != Value::Bool(true)).then_some(Tier::Critical)
}

/// A switch that opens the cluster was turned on.
fn turned_on_critical(c: &Change) -> Option<Tier> {
    (c.actual == Value::Bool(true) && c.expected != Value::Bool(true)).then_some(Tier::Critical)
}

/// Secrets are no longer encrypted with the cluster's own key.
fn decrypted(c: &Change) -> Option<Tier> {
    let is = |v: &Value, s: &str| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(s));
    (is(&c.expected, "ENCRYPTED") && !is(&c.actual, "ENCRYPTED")).then_some(Tier::Critical)
}

/// The control plane's public endpoint is now reachable from more of the internet: a network
/// of the whole internet was added, or every authorized network is gone (the restriction was
/// turned off).
fn endpoint_opened(c: &Change) -> Option<Tier> {
    fn has_world(v: &Value) -> bool {
        match v {
            Value::String(s) => WORLD.contains(&s.trim()),
            Value::Array(a) => a.iter().any(has_world),
            Value::Object(m) => m.values().any(has_world),
            _ => false,
        }
    }
    let empty = |v: &Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    let opened = has_world(&c.actual) && !has_world(&c.expected);
    let dropped = !empty(&c.expected) && empty(&c.actual);
    (opened || dropped).then_some(Tier::Critical)
}

/// Every cluster of `scope`'s project in `scope`'s region, from the project's one listing.
/// Fails when GKE could not reach a zone or region of this region.
pub(super) async fn clusters_in(
    client: &UnitClient,
    scope: &str,
) -> Result<(Scope, Vec<Value>), ListError> {
    let s = parse_scope(scope)?;
    let project = s.project.clone();
    let answer: Arc<Value> = client
        .clients
        .shared
        .get(&format!("gke/{project}"), async {
            // `clusters.list` takes no page size (Google refuses one) and does not page.
            get(
                client,
                Api::Container,
                &format!("/v1/projects/{project}/locations/-/clusters"),
                &[],
                "listing GKE clusters",
                &format!("{project}/*"),
            )
            .await
        })
        .await?;
    let clusters = in_region(&answer, &s.location).map_err(|missing| {
        ListError::Api(format!(
            "listing GKE clusters in {scope}: GKE could not reach {}; clusters there are not \
             known, so none is reported missing (retry later)",
            missing.join(", ")
        ))
    })?;
    Ok((s, clusters))
}

/// The region of a GKE location (a zone or a region).
pub(super) fn region_of(location: &str) -> &str {
    zone_region(location).unwrap_or(location)
}

/// The clusters of one listing answer in `region`, or the unreachable locations of that region.
fn in_region(answer: &Value, region: &str) -> Result<Vec<Value>, Vec<String>> {
    let missing: Vec<String> = answer["missingZones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|z| region_of(z) == region)
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(answer["clusters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["location"].as_str().map(region_of) == Some(region))
        .cloned()
        .collect())
}

/// `projects/P/locations/L/clusters/C`, the provider's id.
pub(super) fn cluster_id(project: &str, c: &Value) -> Option<String> {
    let name = c["name"].as_str().filter(|n| !n.is_empty())?;
    let location = c["location"].as_str().filter(|l| !l.is_empty())?;
    Some(format!(
        "projects/{project}/locations/{location}/clusters/{name}"
    ))
}

fn flag(v: &Value) -> bool {
    v.as_bool().unwrap_or(false)
}

/// `{"key": {"disabled": bool}}`-style add-on switch, absent meaning on.
fn addon(addons: &Value, name: &str) -> Value {
    json!([{"disabled": flag(&addons[name]["disabled"])}])
}

fn map(c: &Value, scope: &Scope) -> Option<Resource> {
    let id = cluster_id(&scope.project, c)?;
    let location = c["location"].as_str().unwrap_or_default();
    // Terraform's node_locations leave out a zonal cluster's own zone.
    let node_locations: Vec<&str> = c["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|l| *l != location)
        .collect();
    let man = &c["masterAuthorizedNetworksConfig"];
    let cidr_blocks: Value = if flag(&man["enabled"]) {
        man["cidrBlocks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| json!({"cidr_block": b["cidrBlock"], "display_name": b["displayName"]}))
            .collect()
    } else {
        // Turned off: no restriction at all, which state's list of networks is compared with.
        Value::Null
    };
    let private = &c["privateClusterConfig"];
    let policy = &c["networkPolicy"];
    let encryption = &c["databaseEncryption"];
    let addons = &c["addonsConfig"];
    let mut attrs = json!({
        "name": c["name"],
        "location": location,
        "project": scope.project,
        "description": c["description"].as_str().unwrap_or(""),
        "network": c["network"],
        "subnetwork": c["subnetwork"],
        "node_locations": node_locations,
        "master_authorized_networks_config": [{"cidr_blocks": cidr_blocks}],
        "private_cluster_config": [{
            "enable_private_nodes": flag(&private["enablePrivateNodes"]),
            "enable_private_endpoint": flag(&private["enablePrivateEndpoint"]),
            "master_ipv4_cidr_block": private["masterIpv4CidrBlock"].as_str().unwrap_or(""),
        }],
        "enable_legacy_abac": flag(&c["legacyAbac"]["enabled"]),
        "master_auth": [{"client_certificate_config": [{
            "issue_client_certificate":
                flag(&c["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"]),
        }]}],
        "enable_shielded_nodes": flag(&c["shieldedNodes"]["enabled"]),
        "enable_intranode_visibility": flag(&c["networkConfig"]["enableIntraNodeVisibility"]),
        "network_policy": [{
            "enabled": flag(&policy["enabled"]),
            "provider": policy["provider"].as_str().unwrap_or("PROVIDER_UNSPECIFIED"),
        }],
        "workload_identity_config": [{
            "workload_pool": c["workloadIdentityConfig"]["workloadPool"].as_str().unwrap_or(""),
        }],
        "database_encryption": [{
            "state": encryption["state"].as_str().unwrap_or("DECRYPTED"),
            "key_name": encryption["keyName"].as_str().unwrap_or(""),
        }],
        "release_channel": [{
            "channel": c["releaseChannel"]["channel"].as_str().unwrap_or("UNSPECIFIED"),
        }],
        "logging_service": c["loggingService"],
        "monitoring_service": c["monitoringService"],
        "addons_config": [{
            "http_load_balancing": addon(addons, "httpLoadBalancing"),
            "horizontal_pod_autoscaling": addon(addons, "horizontalPodAutoscaling"),
            "network_policy_config": addon(addons, "networkPolicyConfig"),
        }],
        "vertical_pod_autoscaling": [{"enabled": flag(&c["verticalPodAutoscaling"]["enabled"])}],
        "resource_labels": labels(&c["resourceLabels"]),
        "endpoint": c["endpoint"],
        "master_version": c["currentMasterVersion"],
    });
    // Binary Authorization's mode only where GKE states one: its absence has no documented
    // default that state would record.
    if let Some(mode) = c["binaryAuthorization"]["evaluationMode"].as_str() {
        attrs["binary_authorization"] = json!([{"evaluation_mode": mode}]);
    }
    Some(resource(SPEC.resource_type, id, scope, attrs))
}

#[async_trait]
impl ResourceKind<UnitClient> for ContainerCluster {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let (s, clusters) = clusters_in(client, scope).await?;
        Ok(KindListing {
            resources: clusters.iter().filter_map(|c| map(c, &s)).collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, ChangeOp, FindingKind};

    fn cluster() -> Value {
        json!({"name": "shop", "location": "us-central1-a", "status": "RUNNING",
            "locations": ["us-central1-a", "us-central1-b"],
            "network": "main", "subnetwork": "gke-nodes",
            "masterAuthorizedNetworksConfig": {"enabled": true,
                "cidrBlocks": [{"displayName": "office", "cidrBlock": "203.0.113.0/24"}]},
            "privateClusterConfig": {"enablePrivateNodes": true,
                "masterIpv4CidrBlock": "172.16.0.16/28", "privateEndpoint": "172.16.0.18"},
            "legacyAbac": {}, "masterAuth": {"clusterCaCertificate": "LS0t",
                "clientCertificateConfig": {}},
            "shieldedNodes": {"enabled": true},
            "networkPolicy": {"provider": "CALICO", "enabled": true},
            "workloadIdentityConfig": {"workloadPool": "p1.svc.id.goog"},
            "databaseEncryption": {"state": "ENCRYPTED",
                "keyName": "projects/p1/locations/us-central1/keyRings/r/cryptoKeys/k"},
            "releaseChannel": {"channel": "REGULAR"},
            "loggingService": "logging.googleapis.com/kubernetes",
            "monitoringService": "monitoring.googleapis.com/kubernetes",
            "addonsConfig": {"horizontalPodAutoscaling": {}, "httpLoadBalancing": {},
                "networkPolicyConfig": {"disabled": true}},
            "resourceLabels": {"team": "shop", "goog-managed": "x"},
            "nodePools": [{"name": "default-pool"}]})
    }

    #[test]
    fn maps_to_terraform_names_in_the_region_of_its_zone() {
        let r = map(&cluster(), &Scope::new("p1", "us-central1")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p1/locations/us-central1-a/clusters/shop"
        );
        assert_eq!(r.region.as_deref(), Some("p1/us-central1"));
        let a = &r.attrs;
        assert_eq!(a["node_locations"], json!(["us-central1-b"]));
        assert_eq!(
            a["master_authorized_networks_config"][0]["cidr_blocks"],
            json!([{"cidr_block": "203.0.113.0/24", "display_name": "office"}])
        );
        assert_eq!(
            a["private_cluster_config"][0]["enable_private_nodes"],
            json!(true)
        );
        assert_eq!(
            a["private_cluster_config"][0]["enable_private_endpoint"],
            json!(false)
        );
        assert_eq!(a["enable_legacy_abac"], json!(false));
        assert_eq!(
            a["addons_config"][0]["network_policy_config"],
            json!([{"disabled": true}])
        );
        assert_eq!(
            a["addons_config"][0]["http_load_balancing"],
            json!([{"disabled": false}])
        );
        assert_eq!(a["database_encryption"][0]["state"], json!("ENCRYPTED"));
        assert_eq!(a["release_channel"][0]["channel"], json!("REGULAR"));
        assert!(a.get("binary_authorization").is_none());
        // No credential is copied.
        assert!(!serde_json::to_string(a).unwrap().contains("LS0t"));

        // Authorized networks turned off: no list at all.
        let mut open = cluster();
        open["masterAuthorizedNetworksConfig"] = json!({});
        let r = map(&open, &Scope::new("p1", "us-central1")).expect("mapped");
        assert_eq!(
            r.attrs["master_authorized_networks_config"][0]["cidr_blocks"],
            Value::Null
        );
    }

    #[test]
    fn a_listing_is_cut_by_region_and_refused_where_gke_missed_a_zone() {
        let answer = json!({"clusters": [
            {"name": "a", "location": "us-central1-a"},
            {"name": "b", "location": "us-central1"},
            {"name": "c", "location": "europe-west1"}],
            "missingZones": ["asia-east1-b"]});
        let names = |v: Vec<Value>| -> Vec<String> {
            v.iter()
                .map(|c| c["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            names(in_region(&answer, "us-central1").unwrap()),
            vec!["a", "b"]
        );
        assert_eq!(
            names(in_region(&answer, "europe-west1").unwrap()),
            vec!["c"]
        );
        assert_eq!(
            in_region(&answer, "asia-east1"),
            Err(vec!["asia-east1-b".to_string()])
        );
        assert_eq!(in_region(&json!({}), "us-central1"), Ok(vec![]));
    }

    #[test]
    fn exposure_is_critical_other_changes_are_warnings() {
        let tier = |path: &str, e: Value, a: Value| {
            let c = Change::new(path, ChangeOp::Replace, e, a);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        let networks = "master_authorized_networks_config.0.cidr_blocks";
        let office = json!([{"cidr_block": "203.0.113.0/24"}]);
        assert_eq!(
            tier(
                networks,
                office.clone(),
                json!([{"cidr_block": "0.0.0.0/0"}, {"cidr_block": "203.0.113.0/24"}])
            ),
            Tier::Critical
        );
        assert_eq!(tier(networks, office.clone(), Value::Null), Tier::Critical);
        assert_eq!(
            tier(networks, office, json!([{"cidr_block": "198.51.100.0/24"}])),
            Tier::Warning
        );
        assert_eq!(
            tier("enable_legacy_abac", json!(false), json!(true)),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "private_cluster_config.0.enable_private_endpoint",
                json!(true),
                json!(false)
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "database_encryption.0.state",
                json!("ENCRYPTED"),
                json!("DECRYPTED")
            ),
            Tier::Critical
        );
        assert_eq!(
            tier("release_channel.0.channel", json!("STABLE"), json!("RAPID")),
            Tier::Warning
        );
        assert_eq!(
            tier("resource_labels.team", json!("a"), json!("b")),
            Tier::Info
        );
    }

    /// An older provider's state (3.x): never-set blocks written empty
    /// (`private_cluster_config`, `vertical_pod_autoscaling`, `binary_authorization`), the
    /// Workload Identity pool under its old name, the network as a partial link, the node
    /// zones in another order; GKE adds a `goog-` label and answers every switch as `false`.
    /// Same cluster.
    #[test]
    fn empty_blocks_old_names_and_partial_links_are_no_drift() {
        let mut api = cluster();
        api["privateClusterConfig"] = json!({});
        api["locations"] = json!(["us-central1-a", "us-central1-c", "us-central1-b"]);
        let live = map(&api, &Scope::new("p1", "us-central1")).expect("mapped");
        let state = json!({
            "id": "projects/p1/locations/us-central1-a/clusters/shop", "name": "shop",
            "location": "us-central1-a", "project": "p1", "description": "",
            "network": "projects/p1/global/networks/main",
            "subnetwork": "projects/p1/regions/us-central1/subnetworks/gke-nodes",
            "node_locations": ["us-central1-b", "us-central1-c"],
            "master_authorized_networks_config": [{"cidr_blocks": [
                {"cidr_block": "203.0.113.0/24", "display_name": "office"}]}],
            "private_cluster_config": [], "vertical_pod_autoscaling": [],
            "binary_authorization": [], "enable_legacy_abac": false,
            "master_auth": [{"client_certificate_config": [{"issue_client_certificate": false}],
                             "cluster_ca_certificate": "other", "client_key": ""}],
            "enable_shielded_nodes": true, "enable_intranode_visibility": false,
            "network_policy": [{"enabled": true, "provider": "CALICO"}],
            "workload_identity_config": [{"identity_namespace": "p1.svc.id.goog"}],
            "database_encryption": [{"state": "ENCRYPTED",
                "key_name": "projects/p1/locations/us-central1/keyRings/r/cryptoKeys/k"}],
            "release_channel": [{"channel": "REGULAR"}],
            "logging_service": "logging.googleapis.com/kubernetes",
            "monitoring_service": "monitoring.googleapis.com/kubernetes",
            "addons_config": [{"http_load_balancing": [{"disabled": false}],
                "horizontal_pod_autoscaling": [{"disabled": false}],
                "network_policy_config": [{"disabled": true}]}],
            "resource_labels": {"team": "shop"}, "master_version": "1.18.16-gke.502",
            "node_pool": [], "node_config": []
        });
        let drift = super::super::compute_forwarding_rule::drift;
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        // The near miss: private nodes turned off since.
        let mut state_private = state;
        state_private["private_cluster_config"] = json!([{"enable_private_nodes": true,
            "enable_private_endpoint": false, "master_ipv4_cidr_block": ""}]);
        assert_eq!(
            drift(&SPEC, state_private, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["private_cluster_config.0.enable_private_nodes".to_string()]
            )]
        );
    }
}
