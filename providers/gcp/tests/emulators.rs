//! The GCP provider against real local emulators: gcplocal (Compute Engine REST) and
//! gcp-storage-emulator (Cloud Storage JSON API), both started from the project venv. Faults
//! no emulator makes (permission denied, API not enabled, throttling) come from a fault proxy in
//! front of them; APIs gcplocal lacks (zone and region discovery, paging across many pages) are
//! tested against recorded real responses, in tests whose names say so.

use driftd_core::provider::NoProgress;
use driftd_core::{analyze, AnalyzeInput, FindingKind, LiveInventory, Provider, Resource, Tier};
use driftd_gcp::{GcpProvider, GcpSettings, GcsStateError, GcsStateLocation, PROVIDER};
use driftd_testkit::gcp::{
    sample_state, seed, FaultProxy, GcpFault, GcpLocal, GoogleState, Replay, StorageEmulator,
    PROJECT, REGION, ZONE,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

fn settings(compute: &str, storage: &str, zones: &[&str]) -> GcpSettings {
    GcpSettings {
        projects: vec![PROJECT.into()],
        zones: zones.iter().map(|z| z.to_string()).collect(),
        regions: Vec::new(),
        compute_endpoint: Some(compute.into()),
        storage_endpoint: Some(storage.into()),
        // IAM, Pub/Sub and DNS: the test kit's stand-in, with only Google's own resources.
        api_endpoint: Some(
            driftd_testkit::gcp_apis::GcpApis::start()
                .expect("google apis stand-in")
                .endpoint(),
        ),
        anonymous: Some(true),
        max_attempts: 2,
        initial_backoff: Duration::from_millis(20),
        ..GcpSettings::default()
    }
}

fn all_types() -> Vec<String> {
    GcpProvider::supported_types()
        .into_iter()
        .map(String::from)
        .collect()
}

async fn list(s: GcpSettings) -> LiveInventory {
    GcpProvider::new(s)
        .list(&all_types(), Arc::new(NoProgress))
        .await
        .expect("provider lists")
}

fn find<'a>(inv: &'a LiveInventory, resource_type: &str, id: &str) -> &'a Resource {
    inv.resources
        .iter()
        .find(|r| r.key.resource_type == resource_type && r.key.id == id)
        .unwrap_or_else(|| panic!("{resource_type} {id} not listed: {:#?}", inv.resources))
}

fn link(path: &str) -> String {
    driftd_testkit::gcp::compute_link(path)
}

#[tokio::test]
async fn lists_and_maps_every_type_from_the_emulators() {
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    seed(&gcp, &gcs).await.expect("seed the emulators");

    let inv = list(settings(&gcp.endpoint(), &gcs.endpoint(), &[ZONE])).await;
    assert!(inv.skipped.is_empty(), "{:#?}", inv.skipped);
    let scanned: BTreeSet<(String, String)> = inv.scanned.iter().cloned().collect();
    let expect_scanned: BTreeSet<(String, String)> = [
        ("google_compute_address", format!("{PROJECT}/{REGION}")),
        ("google_compute_global_address", format!("{PROJECT}/global")),
        ("google_compute_route", format!("{PROJECT}/global")),
        ("google_compute_router", format!("{PROJECT}/{REGION}")),
        ("google_compute_router_nat", format!("{PROJECT}/{REGION}")),
        ("google_compute_disk", format!("{PROJECT}/{ZONE}")),
        ("google_compute_firewall", format!("{PROJECT}/global")),
        ("google_compute_instance", format!("{PROJECT}/{ZONE}")),
        ("google_compute_network", format!("{PROJECT}/global")),
        ("google_compute_subnetwork", format!("{PROJECT}/{REGION}")),
        // Load balancing and managed instance groups (the compute stand-in).
        (
            "google_compute_forwarding_rule",
            format!("{PROJECT}/{REGION}"),
        ),
        (
            "google_compute_global_forwarding_rule",
            format!("{PROJECT}/global"),
        ),
        (
            "google_compute_backend_service",
            format!("{PROJECT}/global"),
        ),
        ("google_compute_health_check", format!("{PROJECT}/global")),
        ("google_compute_url_map", format!("{PROJECT}/global")),
        (
            "google_compute_target_http_proxy",
            format!("{PROJECT}/global"),
        ),
        (
            "google_compute_target_https_proxy",
            format!("{PROJECT}/global"),
        ),
        (
            "google_compute_ssl_certificate",
            format!("{PROJECT}/global"),
        ),
        (
            "google_compute_instance_template",
            format!("{PROJECT}/global"),
        ),
        (
            "google_compute_instance_group_manager",
            format!("{PROJECT}/{ZONE}"),
        ),
        ("google_storage_bucket", format!("{PROJECT}/global")),
        (
            "google_storage_bucket_iam_binding",
            format!("{PROJECT}/global"),
        ),
        (
            "google_storage_bucket_iam_member",
            format!("{PROJECT}/global"),
        ),
        ("google_project_iam_binding", format!("{PROJECT}/global")),
        ("google_project_iam_member", format!("{PROJECT}/global")),
        ("google_service_account", format!("{PROJECT}/global")),
        ("google_pubsub_topic", format!("{PROJECT}/global")),
        ("google_pubsub_subscription", format!("{PROJECT}/global")),
        ("google_dns_managed_zone", format!("{PROJECT}/global")),
        ("google_dns_record_set", format!("{PROJECT}/global")),
        ("google_kms_key_ring", format!("{PROJECT}/global")),
        ("google_kms_crypto_key", format!("{PROJECT}/global")),
        (
            "google_sql_database_instance",
            format!("{PROJECT}/{REGION}"),
        ),
        ("google_container_cluster", format!("{PROJECT}/{REGION}")),
        ("google_container_node_pool", format!("{PROJECT}/{REGION}")),
    ]
    .into_iter()
    .map(|(t, s)| (t.to_string(), s))
    .collect();
    assert_eq!(scanned, expect_scanned);
    assert!(inv.api_calls >= 6, "{}", inv.api_calls);

    let vm = find(
        &inv,
        "google_compute_instance",
        &format!("projects/{PROJECT}/zones/{ZONE}/instances/web-1"),
    );
    assert_eq!(vm.key.provider, PROVIDER);
    assert_eq!(vm.region.as_deref(), Some(&*format!("{PROJECT}/{ZONE}")));
    assert_eq!(vm.attrs["machine_type"], json!("e2-small"));
    assert_eq!(vm.attrs["zone"], json!(ZONE));
    assert_eq!(vm.attrs["labels"], json!({"env": "prod"}));
    assert_eq!(vm.attrs["metadata"], json!(["enable-oslogin"]));
    assert_eq!(
        vm.attrs["boot_disk"][0]["initialize_params"][0]["image"],
        json!(driftd_testkit::gcp::DEBIAN_IMAGE)
    );
    // The boot disk the instance made is listed, as the cloud's own.
    let boot = find(
        &inv,
        "google_compute_disk",
        &format!("projects/{PROJECT}/zones/{ZONE}/disks/web-1"),
    );
    assert!(boot.cloud_default);
    assert_eq!(vm.attrs["tags"], json!(["ssh", "web"]));
    assert_eq!(vm.attrs["deletion_protection"], json!(true));
    assert_eq!(
        vm.attrs["network_interface"][0]["subnetwork"],
        json!(link(&format!("regions/{REGION}/subnetworks/app")))
    );
    assert_eq!(
        vm.attrs["service_account"][0]["email"],
        json!("web@driftd-test.iam.gserviceaccount.com")
    );

    let fw = find(
        &inv,
        "google_compute_firewall",
        &format!("projects/{PROJECT}/global/firewalls/allow-ssh"),
    );
    assert_eq!(fw.attrs["network"], json!(link("global/networks/main")));
    assert_eq!(
        fw.attrs["allow"],
        json!([{"ports": ["22"], "protocol": "tcp"}])
    );
    assert_eq!(fw.attrs["source_ranges"], json!(["35.235.240.0/20"]));
    assert_eq!(fw.attrs["priority"], json!(900));

    let net = find(
        &inv,
        "google_compute_network",
        &format!("projects/{PROJECT}/global/networks/main"),
    );
    assert_eq!(net.attrs["routing_mode"], json!("GLOBAL"));
    assert_eq!(net.attrs["auto_create_subnetworks"], json!(false));
    assert!(!net.cloud_default);

    let sub = find(
        &inv,
        "google_compute_subnetwork",
        &format!("projects/{PROJECT}/regions/{REGION}/subnetworks/app"),
    );
    assert_eq!(sub.attrs["ip_cidr_range"], json!("10.10.0.0/24"));
    assert_eq!(sub.attrs["region"], json!(REGION));
    assert_eq!(sub.attrs["private_ip_google_access"], json!(true));

    let disk = find(
        &inv,
        "google_compute_disk",
        &format!("projects/{PROJECT}/zones/{ZONE}/disks/data"),
    );
    assert_eq!(disk.attrs["size"], json!(20));
    assert_eq!(disk.attrs["type"], json!("pd-ssd"));

    let bucket = find(&inv, "google_storage_bucket", "driftd-test-logs");
    assert_eq!(
        bucket.region.as_deref(),
        Some(&*format!("{PROJECT}/global"))
    );
    assert_eq!(bucket.attrs["location"], json!("EU"));
    assert_eq!(bucket.attrs["storage_class"], json!("NEARLINE"));
    assert_eq!(bucket.attrs["versioning"], json!([{"enabled": true}]));
    assert_eq!(bucket.attrs["uniform_bucket_level_access"], json!(true));
    assert_eq!(bucket.attrs["public_access_prevention"], json!("enforced"));
    assert_eq!(bucket.attrs["labels"], json!({"env": "prod"}));
}

fn analyze_inv(state: &GoogleState, inv: &LiveInventory) -> driftd_core::Analysis {
    let text = serde_json::to_vec(&state.to_json()).expect("state JSON");
    let expected = driftd_iac::parse_state(&text, "gcp.tfstate")
        .expect("state parses")
        .resources;
    let provider = GcpProvider::new(GcpSettings::default());
    let specs = provider.type_specs();
    let scanned: BTreeSet<(String, String, String)> = inv
        .scanned
        .iter()
        .map(|(t, s)| (PROVIDER.to_string(), t.clone(), s.clone()))
        .collect();
    analyze(&AnalyzeInput {
        target: "gcp",
        specs: &specs,
        expected: &expected,
        live: &inv.resources,
        scanned: &scanned,
        skipped: &inv.skipped,
        include_cloud_defaults: false,
    })
}

#[tokio::test]
async fn state_written_for_the_build_shows_no_drift() {
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    seed(&gcp, &gcs).await.expect("seed the emulators");
    let inv = list(settings(&gcp.endpoint(), &gcs.endpoint(), &[ZONE])).await;
    let analysis = analyze_inv(&sample_state(), &inv);
    // The network and subnetwork are not in this state: unmanaged, nothing else.
    let kinds: Vec<(FindingKind, &str)> = analysis
        .findings
        .iter()
        .map(|f| (f.kind, f.resource_type.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (FindingKind::Unmanaged, "google_compute_network"),
            (FindingKind::Unmanaged, "google_compute_subnetwork"),
        ],
        "{:#?}",
        analysis.findings
    );
    assert!(analysis.skipped.is_empty());
}

#[tokio::test]
async fn denied_disabled_and_throttled_scopes_are_skipped_never_missing() {
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    seed(&gcp, &gcs).await.expect("seed the emulators");
    let compute = FaultProxy::start(
        gcp.port(),
        vec![
            (format!("/zones/{ZONE}/instances"), GcpFault::Deny),
            ("/global/firewalls".into(), GcpFault::ApiDisabled),
            (format!("/zones/{ZONE}/disks"), GcpFault::Throttle),
        ],
    )
    .expect("compute proxy");
    let storage = FaultProxy::start(gcs.port(), vec![("/storage/v1/b".into(), GcpFault::Deny)])
        .expect("storage proxy");

    let inv = list(settings(&compute.endpoint(), &storage.endpoint(), &[ZONE])).await;
    let reasons: BTreeMap<&str, &str> = inv
        .skipped
        .iter()
        .map(|s| (s.resource_type.as_str(), s.reason.as_str()))
        .collect();
    // The bucket IAM types read through the denied storage endpoint too.
    assert_eq!(reasons.len(), 6, "{:#?}", inv.skipped);
    assert!(
        reasons["google_compute_instance"].starts_with("access denied:")
            && reasons["google_compute_instance"].contains("roles/compute.viewer"),
        "{reasons:?}"
    );
    assert!(
        reasons["google_compute_firewall"]
            .contains("gcloud services enable compute.googleapis.com --project driftd-test"),
        "{reasons:?}"
    );
    assert!(
        reasons["google_compute_disk"].starts_with("throttled after retries:"),
        "{reasons:?}"
    );
    assert!(
        reasons["google_storage_bucket"].starts_with("access denied:"),
        "{reasons:?}"
    );
    // Each throttled call was retried up to max_attempts (2) by the client.
    assert_eq!(compute.count(&format!("/zones/{ZONE}/disks")), 2);
    for s in &inv.skipped {
        assert!(s.scope.starts_with("driftd-test/"), "{s:?}");
    }
    // Networks, subnetworks, addresses, routes, routers and NATs were still listed, and the
    // ten types of the stand-in's APIs (project IAM, service accounts, Pub/Sub, DNS, KMS,
    // Cloud SQL).
    // The ten load-balancing and managed instance group types too, and the two GKE types.
    assert_eq!(inv.scanned.len(), 7 + 10 + 10 + 2, "{:?}", inv.scanned);

    // Everything in the denied scopes is "not scanned", nothing is missing.
    let analysis = analyze_inv(&sample_state(), &inv);
    assert!(
        analysis
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::Missing),
        "{:#?}",
        analysis.findings
    );
    assert_eq!(analysis.summary.not_scanned, 4);
    assert!(!analysis.complete());
}

#[tokio::test]
async fn drift_made_through_the_emulators_is_found_with_its_tier() {
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    seed(&gcp, &gcs).await.expect("seed the emulators");
    // Out of band: the firewall opened to the world, the disk deleted, the bucket's public
    // access prevention lifted, an unmanaged instance.
    gcp.compute(
        "PATCH",
        "global/firewalls/allow-ssh",
        Some(json!({"sourceRanges": ["35.235.240.0/20", "0.0.0.0/0"]})),
    )
    .await
    .expect("patch firewall");
    gcp.compute("DELETE", &format!("zones/{ZONE}/disks/data"), None)
        .await
        .expect("delete disk");
    gcs.patch_bucket(
        "driftd-test-logs",
        json!({"labels": {"env": "dev"},
               "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": true},
                                    "publicAccessPrevention": "inherited"}}),
    )
    .await
    .expect("patch bucket");
    gcp.compute(
        "POST",
        &format!("zones/{ZONE}/instances"),
        Some(
            json!({"name": "stray", "machineType": format!("zones/{ZONE}/machineTypes/e2-micro")}),
        ),
    )
    .await
    .expect("unmanaged instance");

    let inv = list(settings(&gcp.endpoint(), &gcs.endpoint(), &[ZONE])).await;
    let analysis = analyze_inv(&sample_state(), &inv);
    let by_id: BTreeMap<&str, &driftd_core::Finding> = analysis
        .findings
        .iter()
        .map(|f| (f.resource_id.as_str(), f))
        .collect();
    let fw = by_id[&*format!("projects/{PROJECT}/global/firewalls/allow-ssh")];
    assert_eq!((fw.kind, fw.tier), (FindingKind::Changed, Tier::Critical));
    assert_eq!(fw.changes[0].path, "source_ranges");
    assert_eq!(
        fw.changes[0].actual,
        json!(["0.0.0.0/0", "35.235.240.0/20"])
    );
    let disk = by_id[&*format!("projects/{PROJECT}/zones/{ZONE}/disks/data")];
    assert_eq!(
        (disk.kind, disk.tier),
        (FindingKind::Missing, Tier::Critical)
    );
    let bucket = by_id["driftd-test-logs"];
    assert_eq!(
        (bucket.kind, bucket.tier),
        (FindingKind::Changed, Tier::Critical)
    );
    let paths: Vec<&str> = bucket.changes.iter().map(|c| c.path.as_str()).collect();
    // In the order of the type's compared attributes.
    assert_eq!(paths, vec!["public_access_prevention", "labels.env"]);
    let stray = by_id[&*format!("projects/{PROJECT}/zones/{ZONE}/instances/stray")];
    assert_eq!(
        (stray.kind, stray.tier),
        (FindingKind::Unmanaged, Tier::Warning)
    );
}

#[tokio::test]
async fn reads_terraform_state_from_a_gcs_backend_in_the_storage_emulator() {
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    gcs.create_bucket("tf-state", json!({}))
        .await
        .expect("bucket");
    let state = serde_json::to_vec(&sample_state().to_json()).expect("state JSON");
    gcs.upload("tf-state", "env/prod/default.tfstate", &state)
        .await
        .expect("upload default");
    gcs.upload("tf-state", "env/prod/blue.tfstate", b"{\"version\": 4}")
        .await
        .expect("upload blue");
    let access = GcpSettings {
        storage_endpoint: Some(gcs.endpoint()),
        anonymous: Some(true),
        max_attempts: 1,
        ..GcpSettings::default()
    };
    let at = |prefix: &str, workspace: &str| GcsStateLocation {
        bucket: "tf-state".into(),
        prefix: prefix.into(),
        workspace: workspace.into(),
    };
    let got = driftd_gcp::fetch_gcs_state(&at("env/prod", "default"), &access)
        .await
        .expect("default workspace");
    assert_eq!(got, state);
    let parsed = driftd_iac::parse_state(&got, "gs://tf-state/env/prod/default.tfstate")
        .expect("fetched state parses");
    assert_eq!(parsed.resources.len(), 4);
    let blue = driftd_gcp::fetch_gcs_state(&at("/env/prod/", "blue"), &access)
        .await
        .expect("blue workspace");
    assert_eq!(blue, b"{\"version\": 4}");

    let missing = driftd_gcp::fetch_gcs_state(&at("env/staging", "default"), &access)
        .await
        .expect_err("no such object");
    assert!(
        matches!(&missing, GcsStateError::NotFound { url } if url == "gs://tf-state/env/staging/default.tfstate"),
        "{missing}"
    );

    let denied_proxy =
        FaultProxy::start(gcs.port(), vec![("/o/".into(), GcpFault::Deny)]).expect("proxy");
    let denied = driftd_gcp::fetch_gcs_state(
        &at("env/prod", "default"),
        &GcpSettings {
            storage_endpoint: Some(denied_proxy.endpoint()),
            ..access.clone()
        },
    )
    .await
    .expect_err("denied");
    assert!(
        denied
            .to_string()
            .contains("gs://tf-state/env/prod/default.tfstate")
            && denied.to_string().contains("permission denied"),
        "{denied}"
    );
}

/// Recorded Compute Engine answers (shape of the v1 REST API: zones.list, regions.list and a
/// two-page instances.list), for what gcplocal does not serve.
fn recordings() -> BTreeMap<String, (u16, Value)> {
    let p = "/compute/v1/projects";
    let zone = |name: &str, region: &str, status: &str| {
        json!({"kind": "compute#zone", "id": "2231", "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
               "name": name, "description": name, "status": status,
               "region": format!("https://www.googleapis.com/compute/v1/projects/rec-a/regions/{region}"),
               "selfLink": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/{name}"),
               "availableCpuPlatforms": ["Intel Cascade Lake"], "supportsPzs": false})
    };
    let instance = |name: &str, zone: &str| {
        json!({"kind": "compute#instance", "id": "7310298233419874422",
               "creationTimestamp": "2024-05-02T03:04:05.678-07:00", "name": name,
               "tags": {"fingerprint": "42WmSpB8rSM="},
               "machineType": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/{zone}/machineTypes/n2-standard-2"),
               "status": "RUNNING",
               "zone": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/{zone}"),
               "canIpForward": false,
               "networkInterfaces": [{"kind": "compute#networkInterface",
                   "network": "https://www.googleapis.com/compute/v1/projects/rec-a/global/networks/default",
                   "subnetwork": "https://www.googleapis.com/compute/v1/projects/rec-a/regions/europe-west1/subnetworks/default",
                   "networkIP": "10.132.0.7", "name": "nic0", "fingerprint": "hS1zaAhbHd8=",
                   "stackType": "IPV4_ONLY",
                   "accessConfigs": [{"kind": "compute#accessConfig", "type": "ONE_TO_ONE_NAT",
                                      "name": "External NAT", "natIP": "34.76.10.20",
                                      "networkTier": "PREMIUM"}]}],
               "disks": [{"kind": "compute#attachedDisk", "type": "PERSISTENT", "mode": "READ_WRITE",
                          "source": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/{zone}/disks/{name}"),
                          "deviceName": "persistent-disk-0", "index": 0, "boot": true,
                          "autoDelete": true, "interface": "SCSI", "diskSizeGb": "10"}],
               "metadata": {"kind": "compute#metadata", "fingerprint": "Ff2x6ytcwHU=",
                            "items": [{"key": "startup-script", "value": "#!/bin/sh\necho hi"}]},
               "serviceAccounts": [{"email": "123-compute@developer.gserviceaccount.com",
                                    "scopes": ["https://www.googleapis.com/auth/devstorage.read_only"]}],
               "selfLink": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/{zone}/instances/{name}"),
               "scheduling": {"onHostMaintenance": "MIGRATE", "automaticRestart": true,
                              "preemptible": false, "provisioningModel": "STANDARD"},
               "cpuPlatform": "Intel Cascade Lake", "labelFingerprint": "42WmSpB8rSM=",
               "startRestricted": false, "deletionProtection": false,
               "shieldedInstanceConfig": {"enableSecureBoot": false, "enableVtpm": true,
                                          "enableIntegrityMonitoring": true},
               "fingerprint": "4aJYIV1Usbc=", "lastStartTimestamp": "2024-05-02T03:04:20.111-07:00",
               "satisfiesPzi": true})
    };
    let mut m = BTreeMap::new();
    m.insert(
        format!("{p}/rec-a/zones"),
        (
            200,
            json!({"kind": "compute#zoneList", "id": "projects/rec-a/zones",
                     "items": [zone("europe-west1-b", "europe-west1", "UP"),
                               zone("europe-west1-c", "europe-west1", "UP")],
                     "nextPageToken": "Cg5ldXJvcGUtd2VzdDEtZA==",
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones"}),
        ),
    );
    m.insert(
        format!("{p}/rec-a/zones?pageToken=Cg5ldXJvcGUtd2VzdDEtZA=="),
        (
            200,
            json!({"kind": "compute#zoneList", "id": "projects/rec-a/zones",
                     "items": [zone("europe-west1-d", "europe-west1", "DOWN")],
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones"}),
        ),
    );
    m.insert(
        format!("{p}/rec-a/zones/europe-west1-b/instances"),
        (200, json!({"kind": "compute#instanceList", "id": "projects/rec-a/zones/europe-west1-b/instances",
                     "items": [instance("api-1", "europe-west1-b")],
                     "nextPageToken": "CkEKPwoWd2Vi",
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/instances"})),
    );
    m.insert(
        format!("{p}/rec-a/zones/europe-west1-b/instances?pageToken=CkEKPwoWd2Vi"),
        (200, json!({"kind": "compute#instanceList", "id": "projects/rec-a/zones/europe-west1-b/instances",
                     "items": [instance("api-2", "europe-west1-b")],
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/instances"})),
    );
    // The zone's disks, read for the instances' boot images.
    let disk = |name: &str| {
        json!({"kind": "compute#disk", "id": "4598300412312359722",
               "creationTimestamp": "2024-05-02T03:04:05.678-07:00", "name": name,
               "sizeGb": "10",
               "zone": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b",
               "status": "READY",
               "selfLink": format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/disks/{name}"),
               "sourceImage": "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20240415",
               "sourceImageId": "2153296341296455021",
               "type": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/diskTypes/pd-balanced",
               "lastAttachTimestamp": "2024-05-02T03:04:06.012-07:00",
               "users": [format!("https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/instances/{name}")],
               "labelFingerprint": "42WmSpB8rSM=", "physicalBlockSizeBytes": "4096",
               "architecture": "X86_64", "satisfiesPzi": true})
    };
    m.insert(
        format!("{p}/rec-a/zones/europe-west1-b/disks"),
        (200, json!({"kind": "compute#diskList", "id": "projects/rec-a/zones/europe-west1-b/disks",
                     "items": [disk("api-1"), disk("api-2")],
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/disks"})),
    );
    // An empty zone: the API leaves `items` out.
    m.insert(
        format!("{p}/rec-a/zones/europe-west1-c/instances"),
        (200, json!({"kind": "compute#instanceList", "id": "projects/rec-a/zones/europe-west1-c/instances",
                     "selfLink": "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-c/instances"})),
    );
    // A second project where the Compute Engine API was never enabled.
    m.insert(
        format!("{p}/rec-b/zones"),
        (403, json!({"error": {"code": 403,
            "message": "Compute Engine API has not been used in project 1234 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=1234 then retry.",
            "errors": [{"message": "Compute Engine API has not been used in project 1234 before or it is disabled.",
                        "domain": "usageLimits", "reason": "accessNotConfigured",
                        "extendedHelp": "https://console.developers.google.com"}],
            "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                         "domain": "googleapis.com",
                         "metadata": {"service": "compute.googleapis.com", "consumer": "projects/1234"}}]}})),
    );
    m
}

#[tokio::test]
async fn zone_discovery_and_paging_replayed_responses() {
    let replay = Replay::start(recordings()).expect("replay server");
    let s = GcpSettings {
        projects: vec!["rec-a".into(), "rec-b".into()],
        compute_endpoint: Some(replay.endpoint()),
        storage_endpoint: Some(replay.endpoint()),
        anonymous: Some(true),
        max_attempts: 1,
        ..GcpSettings::default()
    };
    let inv = GcpProvider::new(s)
        .list(
            &["google_compute_instance".to_string()],
            Arc::new(NoProgress),
        )
        .await
        .expect("provider lists");
    // Zones came from two pages of zones.list; the DOWN zone is left out.
    assert_eq!(
        inv.skipped.iter().filter(|s| s.scope != "rec-b/*").count(),
        0,
        "{:#?}",
        inv.skipped
    );
    assert_eq!(
        inv.scanned,
        vec![
            (
                "google_compute_instance".to_string(),
                "rec-a/europe-west1-b".to_string()
            ),
            (
                "google_compute_instance".to_string(),
                "rec-a/europe-west1-c".to_string()
            ),
        ]
    );
    let ids: Vec<&str> = inv.resources.iter().map(|r| r.key.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "projects/rec-a/zones/europe-west1-b/instances/api-1",
            "projects/rec-a/zones/europe-west1-b/instances/api-2",
        ]
    );
    let api = &inv.resources[0];
    assert_eq!(api.attrs["machine_type"], json!("n2-standard-2"));
    assert_eq!(
        api.attrs["network_interface"][0]["access_config"][0]["nat_ip"],
        json!("34.76.10.20")
    );
    assert_eq!(
        api.attrs["boot_disk"][0]["source"],
        json!(
            "https://www.googleapis.com/compute/v1/projects/rec-a/zones/europe-west1-b/disks/api-1"
        )
    );
    assert_eq!(
        driftd_core::attr_at(&api.attrs, "boot_disk.0.initialize_params.0.image"),
        Some(&json!("https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20240415"))
    );
    // The project without the API: one skipped entry naming what to enable.
    assert_eq!(inv.skipped.len(), 1, "{:#?}", inv.skipped);
    let skipped = &inv.skipped[0];
    assert_eq!(skipped.scope, "rec-b/*");
    assert!(
        skipped
            .reason
            .contains("gcloud services enable compute.googleapis.com --project rec-b"),
        "{}",
        skipped.reason
    );
    let seen = replay.seen();
    // Disks are read only in the zone whose instances boot from one.
    assert!(
        !seen.iter().any(|s| s.contains("europe-west1-c/disks")),
        "{seen:?}"
    );
    assert!(
        seen.contains(
            &"/compute/v1/projects/rec-a/zones?pageToken=Cg5ldXJvcGUtd2VzdDEtZA==".to_string()
        ),
        "{seen:?}"
    );
}

/// Findings of an analysis as `(kind, tier, type, id, changed paths)`, sorted.
fn outcomes(a: &driftd_core::Analysis) -> Vec<(FindingKind, Tier, String, String, Vec<String>)> {
    let mut out: Vec<_> = a
        .findings
        .iter()
        .map(|f| {
            let paths = f.changes.iter().map(|c| c.path.clone()).collect();
            (
                f.kind,
                f.tier,
                f.resource_type.clone(),
                f.resource_id.clone(),
                paths,
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.2, &a.3).cmp(&(&b.2, &b.3)));
    out
}

/// Addresses, routes, routers and NATs: gcplocal serves none of them, so these run against the
/// test kit's stand-in for the documented REST resources (in front of gcplocal, which still
/// makes the network the route and router are on).
#[tokio::test]
async fn network_edge_types_in_sync_changed_unmanaged_and_missing_via_the_compute_stand_in() {
    use driftd_testkit::gcp::{applied_state, edge_nat, edge_state, seed_edge, NAT_IP};
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    seed(&gcp, &gcs).await.expect("seed the emulators");
    seed_edge(&gcp).await.expect("seed the network edge");
    let mut state = applied_state();
    for r in edge_state().to_json()["resources"]
        .as_array()
        .expect("resources")
    {
        let attrs = r["instances"][0]["attributes"].clone();
        state.add(
            r["type"].as_str().expect("type"),
            r["name"].as_str().expect("name"),
            attrs,
        );
    }
    let edge_types = [
        "google_compute_address",
        "google_compute_global_address",
        "google_compute_route",
        "google_compute_router",
        "google_compute_router_nat",
    ];
    let s = || settings(&gcp.endpoint(), &gcs.endpoint(), &[ZONE]);

    // In sync: no finding, and the route Google made with network `main` is a cloud default.
    let inv = list(s()).await;
    assert!(inv.skipped.is_empty(), "{:#?}", inv.skipped);
    for t in edge_types {
        assert!(
            inv.scanned.iter().any(|(st, _)| st == t),
            "{t} not scanned: {:?}",
            inv.scanned
        );
    }
    let internet = inv
        .resources
        .iter()
        .find(|r| {
            r.key.resource_type == "google_compute_route"
                && r.key
                    .id
                    .starts_with(&format!("projects/{PROJECT}/global/routes/default-route-"))
        })
        .expect("the network's internet route is listed");
    assert!(internet.cloud_default);
    let nat = find(
        &inv,
        "google_compute_router_nat",
        &format!("{PROJECT}/{REGION}/edge/egress"),
    );
    assert_eq!(nat.region.as_deref(), Some(&*format!("{PROJECT}/{REGION}")));
    let analysis = analyze_inv(&state, &inv);
    assert_eq!(outcomes(&analysis), vec![], "{:#?}", analysis.findings);

    // Out of band: the address released and taken again with another IP, the global address
    // relabelled, the route's next hop moved, the router advertising a custom range, the NAT
    // leaving from a second address; one unmanaged resource of each type.
    let path = format!("regions/{REGION}/addresses/nat-ip");
    let mut addr = gcp.compute("GET", &path, None).await.expect("get address");
    gcp.compute("DELETE", &path, None).await.expect("release");
    addr["address"] = json!("34.118.2.99");
    gcp.compute("POST", &format!("regions/{REGION}/addresses"), Some(addr))
        .await
        .expect("reserve again");
    gcp.compute(
        "PATCH",
        "global/addresses/web-lb",
        Some(json!({"labels": {"team": "web"}})),
    )
    .await
    .expect("label");
    let mut route = gcp
        .compute("GET", "global/routes/to-onprem", None)
        .await
        .expect("get route");
    gcp.compute("DELETE", "global/routes/to-onprem", None)
        .await
        .expect("delete route");
    route["nextHopIp"] = json!("10.10.0.66");
    gcp.compute("POST", "global/routes", Some(route))
        .await
        .expect("route again");
    let extra_ip = format!("regions/{REGION}/addresses/nat-ip-2");
    gcp.compute(
        "PATCH",
        &format!("regions/{REGION}/routers/edge"),
        Some(json!({
            "bgp": {"asn": 64514, "advertiseMode": "CUSTOM", "keepaliveInterval": 20,
                    "advertisedIpRanges": [{"range": "10.99.0.0/16"}]},
            "nats": [edge_nat(&["regions/us-central1/addresses/nat-ip", &extra_ip]),
                     {"name": "stray-nat", "natIpAllocateOption": "AUTO_ONLY",
                      "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES"}]
        })),
    )
    .await
    .expect("patch router");
    for (path, body) in [
        (
            format!("regions/{REGION}/addresses"),
            json!({"name": "nat-ip-2", "address": "34.118.2.8"}),
        ),
        (
            "global/addresses".to_string(),
            json!({"name": "stray-lb", "address": "34.120.9.9"}),
        ),
        (
            "global/routes".to_string(),
            json!({"name": "stray-route", "destRange": "0.0.0.0/0", "priority": 10,
                   "network": format!("projects/{PROJECT}/global/networks/main"),
                   "nextHopIp": "10.10.0.66"}),
        ),
        (
            format!("regions/{REGION}/routers"),
            json!({"name": "stray-router",
                   "network": format!("projects/{PROJECT}/global/networks/main")}),
        ),
    ] {
        gcp.compute("POST", &path, Some(body))
            .await
            .expect("unmanaged resource");
    }
    let inv = list(s()).await;
    let analysis = analyze_inv(&state, &inv);
    let p = |s: &str| format!("projects/{PROJECT}/{s}");
    let changed = |tier, t: &str, id: String, path: &str| {
        (
            FindingKind::Changed,
            tier,
            t.to_string(),
            id,
            vec![path.to_string()],
        )
    };
    let unmanaged = |t: &str, id: String| {
        (
            FindingKind::Unmanaged,
            Tier::Warning,
            t.to_string(),
            id,
            vec![],
        )
    };
    let r = format!("regions/{REGION}");
    assert_eq!(
        outcomes(&analysis),
        vec![
            changed(
                Tier::Critical,
                "google_compute_address",
                p(&format!("{r}/addresses/nat-ip")),
                "address"
            ),
            unmanaged(
                "google_compute_address",
                p(&format!("{r}/addresses/nat-ip-2"))
            ),
            unmanaged(
                "google_compute_global_address",
                p("global/addresses/stray-lb")
            ),
            changed(
                Tier::Info,
                "google_compute_global_address",
                p("global/addresses/web-lb"),
                "labels.team"
            ),
            unmanaged("google_compute_route", p("global/routes/stray-route")),
            changed(
                Tier::Critical,
                "google_compute_route",
                p("global/routes/to-onprem"),
                "next_hop_ip"
            ),
            changed(
                Tier::Warning,
                "google_compute_router",
                p(&format!("{r}/routers/edge")),
                "bgp"
            ),
            unmanaged(
                "google_compute_router",
                p(&format!("{r}/routers/stray-router"))
            ),
            changed(
                Tier::Critical,
                "google_compute_router_nat",
                format!("{PROJECT}/{REGION}/edge/egress"),
                "nat_ips"
            ),
            unmanaged(
                "google_compute_router_nat",
                format!("{PROJECT}/{REGION}/edge/stray-nat")
            ),
        ],
        "{:#?}",
        analysis.findings
    );
    let addr = analysis
        .findings
        .iter()
        .find(|f| f.resource_type == "google_compute_address" && f.kind == FindingKind::Changed)
        .expect("address finding");
    assert_eq!(
        (&addr.changes[0].expected, &addr.changes[0].actual),
        (&json!(NAT_IP), &json!("34.118.2.99"))
    );

    // Deleted out of band: each one missing, at critical (the NAT with its router).
    for path in [
        format!("{r}/addresses/nat-ip"),
        "global/addresses/web-lb".to_string(),
        "global/routes/to-onprem".to_string(),
        format!("{r}/routers/edge"),
    ] {
        gcp.compute("DELETE", &path, None).await.expect("delete");
    }
    let inv = list(s()).await;
    let analysis = analyze_inv(&state, &inv);
    let missing: Vec<(String, Tier)> = analysis
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Missing)
        .map(|f| (f.resource_type.clone(), f.tier))
        .collect();
    let mut expect: Vec<(String, Tier)> = edge_types
        .iter()
        .map(|t| (t.to_string(), Tier::Critical))
        .collect();
    expect.sort();
    let mut missing_sorted = missing.clone();
    missing_sorted.sort();
    assert_eq!(missing_sorted, expect, "{:#?}", analysis.findings);
}
