//! `driftd check` end to end, through the built binary, for GKE: `google_container_cluster` and
//! `google_container_node_pool`. No emulator serves GKE: the test kit's stand-in
//! (`driftd_testkit::gcp_apis`, GKE in `driftd_testkit::gcp_gke`) serves clusters and pools at
//! the documented paths, reached through `api_endpoint`.

mod util;

use driftd_testkit::gcp::GoogleState;
use driftd_testkit::gcp::PROJECT;
use driftd_testkit::gcp_apis::GcpApis;
use driftd_testkit::gcp_gke::{DEFAULT_SCOPES, VERSION};
use serde_json::{json, Value};
use util::*;

fn config(apis: &str) -> String {
    format!(
        "[[target]]\nname = \"gke\"\nprovider = \"google\"\nstates = [\"terraform.tfstate\"]\n\
         resource_types = [\"google_container_cluster\", \"google_container_node_pool\"]\n\n\
         [target.gcp]\nprojects = [\"{PROJECT}\"]\nregions = [\"us-central1\", \"europe-west1\"]\n\
         storage_endpoint = \"{apis}\"\napi_endpoint = \"{apis}\"\nmax_attempts = 2\n\
         timeout_secs = 20\n"
    )
}

fn check(dir: &TempDir) -> Run {
    driftd_with(dir.path(), &["check", "--format", "json"], |c| {
        c.env_remove("GOOGLE_APPLICATION_CREDENTIALS");
    })
}

fn clusters(location: &str) -> String {
    format!("/v1/projects/{PROJECT}/locations/{location}/clusters")
}

fn cluster_id(location: &str, name: &str) -> String {
    format!("projects/{PROJECT}/locations/{location}/clusters/{name}")
}

/// A cluster's state as the provider (5.x) writes it, with what it records beside the
/// compared settings.
fn cluster_state(location: &str, name: &str, settings: Value) -> Value {
    let mut s = json!({
        "id": cluster_id(location, name), "name": name, "location": location,
        "project": PROJECT, "description": "",
        "network": format!("projects/{PROJECT}/global/networks/default"),
        "subnetwork": format!("projects/{PROJECT}/regions/us-central1/subnetworks/default"),
        "node_locations": [], "deletion_protection": true, "remove_default_node_pool": null,
        "initial_node_count": 1, "node_pool": [], "node_config": [],
        "master_version": VERSION, "min_master_version": null,
        "endpoint": "203.0.113.10", "enable_legacy_abac": false,
        "enable_shielded_nodes": true, "enable_intranode_visibility": false,
        "logging_service": "logging.googleapis.com/kubernetes",
        "monitoring_service": "monitoring.googleapis.com/kubernetes",
        "master_auth": [{"client_certificate": "", "client_key": "",
            "cluster_ca_certificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
            "client_certificate_config": [{"issue_client_certificate": false}]}],
        "master_authorized_networks_config": [],
        "private_cluster_config": [],
        "network_policy": [{"enabled": false, "provider": "PROVIDER_UNSPECIFIED"}],
        "workload_identity_config": [],
        "database_encryption": [{"state": "DECRYPTED", "key_name": ""}],
        "binary_authorization": [],
        "release_channel": [{"channel": "REGULAR"}],
        "addons_config": [{"http_load_balancing": [{"disabled": false}],
            "horizontal_pod_autoscaling": [{"disabled": false}],
            "network_policy_config": [{"disabled": true}]}],
        "vertical_pod_autoscaling": [],
        "resource_labels": {}, "terraform_labels": {}, "effective_labels": {}
    });
    if let (Some(s), Some(extra)) = (s.as_object_mut(), settings.as_object()) {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
    }
    s
}

/// A node pool's state as the provider writes it.
fn pool_state(location: &str, cluster: &str, name: &str, settings: Value) -> Value {
    let mut s = json!({
        "id": format!("{}/nodePools/{name}", cluster_id(location, cluster)),
        "name": name, "cluster": cluster, "location": location, "project": PROJECT,
        "initial_node_count": 1, "node_count": 1, "version": VERSION,
        "max_pods_per_node": 110,
        "node_config": [{"machine_type": "e2-standard-4", "disk_size_gb": 100,
            "disk_type": "pd-balanced", "image_type": "COS_CONTAINERD",
            "preemptible": false, "spot": false, "service_account": "default",
            "oauth_scopes": DEFAULT_SCOPES, "tags": [], "labels": {}, "taint": [],
            "metadata": {"disable-legacy-endpoints": "true"},
            "shielded_instance_config": [{"enable_secure_boot": false,
                                          "enable_integrity_monitoring": true}],
            "workload_metadata_config": []}],
        "autoscaling": [],
        "management": [{"auto_repair": true, "auto_upgrade": true}],
        "upgrade_settings": [{"max_surge": 1, "max_unavailable": 0, "strategy": "SURGE"}]
    });
    if let (Some(s), Some(extra)) = (s.as_object_mut(), settings.as_object()) {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
    }
    s
}

/// Two clusters and their pools made through the API, as `terraform apply` would, and the
/// state it writes: a zonal, private cluster with its own pool (the default one removed) and
/// a regional cluster that keeps GKE's `default-pool` inline, with one more pool of its own.
async fn seed(apis: &GcpApis) -> anyhow::Result<GoogleState> {
    let office = json!([{"displayName": "office", "cidrBlock": "203.0.113.0/24"}]);
    apis.call(
        "POST",
        &clusters("us-central1-a"),
        Some(json!({"cluster": {"name": "shop",
            "resourceLabels": {"team": "shop"},
            "masterAuthorizedNetworksConfig": {"enabled": true, "cidrBlocks": office},
            "privateClusterConfig": {"enablePrivateNodes": true,
                                     "masterIpv4CidrBlock": "172.16.0.16/28"},
            "networkPolicy": {"provider": "CALICO", "enabled": true},
            "addonsConfig": {"networkPolicyConfig": {}},
            "workloadIdentityConfig": {"workloadPool": format!("{PROJECT}.svc.id.goog")},
            "nodePools": [{"name": "web", "initialNodeCount": 1,
                "config": {"machineType": "e2-standard-4",
                           "workloadMetadataConfig": {"mode": "GKE_METADATA"},
                           "labels": {"pool": "web"}, "tags": ["gke-web"]},
                "autoscaling": {"enabled": true, "minNodeCount": 1, "maxNodeCount": 3}}]}})),
    )
    .await?;
    apis.call(
        "POST",
        &clusters("us-central1"),
        Some(json!({"cluster": {"name": "batch", "initialNodeCount": 1}})),
    )
    .await?;
    apis.call(
        "POST",
        &format!("{}/batch/nodePools", clusters("us-central1")),
        Some(json!({"nodePool": {"name": "jobs", "initialNodeCount": 1,
            "config": {"machineType": "e2-standard-4", "spot": true}}})),
    )
    .await?;

    let mut st = GoogleState::new();
    st.add(
        "google_container_cluster",
        "shop",
        cluster_state(
            "us-central1-a",
            "shop",
            json!({"remove_default_node_pool": true,
                "resource_labels": {"team": "shop"}, "terraform_labels": {"team": "shop"},
                "master_authorized_networks_config": [{"gcp_public_cidrs_access_enabled": false,
                    "cidr_blocks": [{"cidr_block": "203.0.113.0/24", "display_name": "office"}]}],
                "private_cluster_config": [{"enable_private_nodes": true,
                    "enable_private_endpoint": false, "master_ipv4_cidr_block": "172.16.0.16/28",
                    "private_endpoint": "172.16.0.18", "public_endpoint": "203.0.113.10",
                    "peering_name": "gke-n1-peer", "master_global_access_config": []}],
                "network_policy": [{"enabled": true, "provider": "CALICO"}],
                "addons_config": [{"http_load_balancing": [{"disabled": false}],
                    "horizontal_pod_autoscaling": [{"disabled": false}],
                    "network_policy_config": [{"disabled": false}]}],
                // Provider 3.x named the pool `identity_namespace`.
                "workload_identity_config": [{"identity_namespace": format!("{PROJECT}.svc.id.goog")}]}),
        ),
    )
    .add(
        "google_container_node_pool",
        "web",
        pool_state(
            "us-central1-a",
            "shop",
            "web",
            json!({"node_config": [{"machine_type": "e2-standard-4", "disk_size_gb": 100,
                "disk_type": "pd-balanced", "image_type": "cos_containerd",
                "preemptible": false, "spot": false, "service_account": "default",
                // The same scopes in another order.
                "oauth_scopes": DEFAULT_SCOPES.iter().rev().collect::<Vec<_>>(),
                "tags": ["gke-web"], "labels": {"pool": "web"}, "taint": [],
                "metadata": {"disable-legacy-endpoints": "true"},
                "shielded_instance_config": [{"enable_secure_boot": false,
                                              "enable_integrity_monitoring": true}],
                "workload_metadata_config": [{"mode": "GKE_METADATA"}]}],
                "autoscaling": [{"min_node_count": 1, "max_node_count": 3,
                    "total_min_node_count": 0, "total_max_node_count": 0,
                    "location_policy": "BALANCED"}]}),
        ),
    )
    .add(
        "google_container_cluster",
        "batch",
        cluster_state(
            "us-central1",
            "batch",
            json!({"node_locations": ["us-central1-a", "us-central1-b", "us-central1-c"]}),
        ),
    )
    .add(
        "google_container_node_pool",
        "jobs",
        pool_state(
            "us-central1",
            "batch",
            "jobs",
            json!({"node_config": [{"machine_type": "e2-standard-4", "disk_size_gb": 100,
                "disk_type": "pd-balanced", "image_type": "COS_CONTAINERD",
                "preemptible": false, "spot": true, "service_account": "default",
                "oauth_scopes": DEFAULT_SCOPES, "tags": [], "labels": {}, "taint": [],
                "shielded_instance_config": [{"enable_secure_boot": false,
                                              "enable_integrity_monitoring": true}]}]}),
        ),
    );
    Ok(st)
}

fn row(kind: &str, tier: &str, t: &str, id: String) -> (String, String, String, String) {
    (kind.to_string(), tier.to_string(), t.to_string(), id)
}

#[test]
fn gke_clusters_and_pools_in_sync_changed_missing_and_unmanaged() {
    let rt = runtime();
    let apis = GcpApis::start().expect("stand-in");
    let dir = TempDir::new("check-gcp-gke");
    let state = rt.block_on(seed(&apis)).expect("seed");
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config(&apis.endpoint()));

    // In sync: GKE's defaults, its inline default-pool, an older state's name for the Workload
    // Identity pool, scopes in another order and an image type in lower case are no drift.
    let run = check(&dir);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    // One GKE listing per project serves both types in both regions.
    assert_eq!(
        report["scan"]["api_calls"],
        json!(1),
        "stderr: {}",
        run.stderr
    );

    // Out of band: the control plane opened to the internet, legacy ABAC turned on, a pool's
    // autoscaling widened, a pool deleted, a cluster and a pool added.
    let shop = format!("{}/shop", clusters("us-central1-a"));
    let batch = format!("{}/batch", clusters("us-central1"));
    rt.block_on(async {
        apis.call(
            "PUT",
            &shop,
            Some(
                json!({"update": {"desiredMasterAuthorizedNetworksConfig": {"enabled": true,
                "cidrBlocks": [{"displayName": "office", "cidrBlock": "203.0.113.0/24"},
                               {"displayName": "anyone", "cidrBlock": "0.0.0.0/0"}]}}}),
            ),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{batch}:setLegacyAbac"),
            Some(json!({"enabled": true})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{shop}/nodePools/web:setAutoscaling"),
            Some(json!({"autoscaling": {"enabled": true, "minNodeCount": 1, "maxNodeCount": 30}})),
        )
        .await?;
        apis.call("DELETE", &format!("{batch}/nodePools/jobs"), None)
            .await?;
        apis.call(
            "POST",
            &clusters("europe-west1"),
            Some(json!({"cluster": {"name": "stray", "initialNodeCount": 1}})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{shop}/nodePools"),
            Some(json!({"nodePool": {"name": "adhoc"}})),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("make drift");

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let mut got = finding_summary(&report);
    got.sort();
    let mut want = vec![
        row(
            "changed",
            "critical",
            "google_container_cluster",
            cluster_id("us-central1-a", "shop"),
        ),
        row(
            "changed",
            "critical",
            "google_container_cluster",
            cluster_id("us-central1", "batch"),
        ),
        row(
            "unmanaged",
            "warning",
            "google_container_cluster",
            cluster_id("europe-west1", "stray"),
        ),
        row(
            "changed",
            "warning",
            "google_container_node_pool",
            format!("{}/nodePools/web", cluster_id("us-central1-a", "shop")),
        ),
        row(
            "missing",
            "critical",
            "google_container_node_pool",
            format!("{}/nodePools/jobs", cluster_id("us-central1", "batch")),
        ),
    ];
    want.sort();
    assert_eq!(got, want, "{report:#}");
    let paths = |id: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["resource_id"] == id)
            .map(|f| {
                f["changes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["path"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        paths(&cluster_id("us-central1-a", "shop")),
        vec!["master_authorized_networks_config.0.cidr_blocks"]
    );
    assert_eq!(
        paths(&cluster_id("us-central1", "batch")),
        vec!["enable_legacy_abac"]
    );
    assert_eq!(
        paths(&format!(
            "{}/nodePools/web",
            cluster_id("us-central1-a", "shop")
        )),
        vec!["autoscaling.0.max_node_count"]
    );
}

#[test]
fn a_region_gke_could_not_reach_is_not_scanned_and_nothing_there_is_missing() {
    let rt = runtime();
    let apis = GcpApis::start().expect("stand-in");
    let dir = TempDir::new("check-gcp-gke-missing-zone");
    let state = rt.block_on(seed(&apis)).expect("seed");
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config(&apis.endpoint()));
    rt.block_on(apis.call(
        "DELETE",
        &format!("{}/batch", clusters("us-central1")),
        None,
    ))
    .expect("delete");
    // GKE answers, but says it could not reach one zone of us-central1: the deleted cluster
    // there must not be reported missing on that partial answer.
    apis.set_gke_missing_zones(&["us-central1-f"]);
    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert_eq!(report["findings"], json!([]), "{report:#}");
    assert_eq!(report["scan"]["complete"], json!(false));
    let skipped = report["skipped"].as_array().expect("skipped");
    assert!(
        skipped
            .iter()
            .any(|s| s["scope"] == format!("{PROJECT}/us-central1")
                && s["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("us-central1-f"))),
        "{skipped:#?}"
    );
}
