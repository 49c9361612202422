//! `driftd check` end to end, through the built binary, for the Google Cloud types outside
//! Compute Engine: bucket and project IAM, service accounts, Pub/Sub, Cloud DNS, Cloud KMS and
//! Cloud SQL. Bucket policies come from gcp-storage-emulator; Resource Manager, IAM, Pub/Sub,
//! Cloud DNS, Cloud KMS and Cloud SQL Admin, which no emulator serves, from the test kit's stand-in (`driftd_testkit::gcp_apis`), reached
//! through `api_endpoint`. Every listing pages (the stand-in answers two items a page).

mod util;

use driftd_testkit::gcp::{GoogleState, StorageEmulator, PROJECT};
use driftd_testkit::gcp_apis::{grant, revoke, GcpApis};
use serde_json::{json, Value};
use util::*;

const TYPES: &[&str] = &[
    "google_storage_bucket_iam_binding",
    "google_storage_bucket_iam_member",
    "google_project_iam_binding",
    "google_project_iam_member",
    "google_service_account",
    "google_pubsub_topic",
    "google_pubsub_subscription",
    "google_dns_managed_zone",
    "google_dns_record_set",
    "google_kms_key_ring",
    "google_kms_crypto_key",
    "google_sql_database_instance",
];

const BUCKET: &str = "driftd-test-site";

fn config(storage: &str, apis: &str) -> String {
    let types: Vec<String> = TYPES.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        "[[target]]\nname = \"gcp\"\nprovider = \"google\"\nstates = [\"terraform.tfstate\"]\n\
         resource_types = [{}]\n\n[target.gcp]\nprojects = [\"{PROJECT}\"]\nregions = [\"us-central1\"]\n\
         storage_endpoint = \"{storage}\"\napi_endpoint = \"{apis}\"\nmax_attempts = 2\n\
         timeout_secs = 20\n",
        types.join(", ")
    )
}

fn check(dir: &TempDir) -> Run {
    driftd_with(dir.path(), &["check", "--format", "json"], |c| {
        c.env_remove("GOOGLE_APPLICATION_CREDENTIALS");
    })
}

fn sa_email(id: &str) -> String {
    format!("{id}@{PROJECT}.iam.gserviceaccount.com")
}

/// Reads the bucket's policy from the emulator, edits it, writes it back.
async fn edit_bucket_policy(gcs: &StorageEmulator, edit: impl FnOnce(&mut Value)) {
    let url = format!("{}/storage/v1/b/{BUCKET}/iam", gcs.endpoint());
    let http = reqwest::Client::new();
    let mut policy: Value = http
        .get(&url)
        .send()
        .await
        .expect("get bucket policy")
        .json()
        .await
        .expect("policy JSON");
    edit(&mut policy);
    let resp = http
        .put(&url)
        .json(&policy)
        .send()
        .await
        .expect("set bucket policy");
    assert!(resp.status().is_success(), "{}", resp.status());
}

/// Builds everything through the APIs, as `terraform apply` would, and returns the state it
/// writes.
async fn seed(apis: &GcpApis, gcs: &StorageEmulator) -> anyhow::Result<GoogleState> {
    let p = format!("/v1/projects/{PROJECT}");
    let dns = format!("/dns/v1/projects/{PROJECT}");
    apis.edit_project_policy(PROJECT, |policy| {
        grant(policy, "roles/logging.viewer", "user:ana@example.com");
        grant(policy, "roles/logging.viewer", "group:ops@example.com");
        grant(
            policy,
            "roles/monitoring.viewer",
            &format!("serviceAccount:{}", sa_email("ci")),
        );
    })
    .await?;
    let mut accounts = Vec::new();
    for (id, name) in [("ci", "CI"), ("deploy", "Deploy")] {
        let sa = apis
            .call(
                "POST",
                &format!("{p}/serviceAccounts"),
                Some(json!({"accountId": id, "serviceAccount": {"displayName": name}})),
            )
            .await?;
        accounts.push((id, name, sa["uniqueId"].as_str().unwrap_or("").to_string()));
    }
    for topic in ["orders", "audit"] {
        apis.call(
            "PUT",
            &format!("{p}/topics/{topic}"),
            Some(json!({"labels": {"team": "shop"}})),
        )
        .await?;
    }
    apis.call(
        "PUT",
        &format!("{p}/subscriptions/orders-push"),
        Some(json!({"topic": format!("projects/{PROJECT}/topics/orders"),
                    "ackDeadlineSeconds": 30,
                    "pushConfig": {"pushEndpoint": "https://hooks.example.com/orders",
                                   "attributes": {"x-goog-version": "v1"}}})),
    )
    .await?;
    apis.call(
        "POST",
        &format!("{dns}/managedZones"),
        Some(json!({"name": "shop", "dnsName": "shop.example.com.", "description": "Shop"})),
    )
    .await?;
    apis.call(
        "POST",
        &format!("{dns}/managedZones/shop/rrsets"),
        Some(
            json!({"name": "www.shop.example.com.", "type": "A", "ttl": 300,
                    "rrdatas": ["203.0.113.7", "203.0.113.8"]}),
        ),
    )
    .await?;
    let ring = format!("projects/{PROJECT}/locations/us-central1/keyRings/app");
    apis.call(
        "POST",
        &format!("{p}/locations/us-central1/keyRings?keyRingId=app"),
        Some(json!({})),
    )
    .await?;
    apis.call(
        "POST",
        &format!("/v1/{ring}/cryptoKeys?cryptoKeyId=data"),
        Some(
            json!({"purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s",
                    "nextRotationTime": "2026-04-05T10:00:00Z", "labels": {"team": "db"}}),
        ),
    )
    .await?;
    for db in ["orders-db"] {
        apis.call("POST", &format!("{p}/instances"), Some(sql_instance(db)))
            .await?;
    }
    gcs.create_bucket(BUCKET, json!({})).await?;
    edit_bucket_policy(gcs, |policy| {
        policy["bindings"] = json!([
            {"role": "roles/storage.objectViewer", "members": ["group:readers@example.com"]},
            {"role": "roles/storage.objectAdmin",
             "members": [format!("serviceAccount:{}", sa_email("ci"))]},
            {"role": "roles/storage.legacyBucketOwner",
             "members": [format!("projectOwner:{PROJECT}"), format!("projectEditor:{PROJECT}")]}
        ]);
    })
    .await;

    let mut st = GoogleState::new();
    st.add(
        "google_project_iam_binding",
        "log_readers",
        json!({"id": format!("{PROJECT}/roles/logging.viewer"), "project": PROJECT,
               "role": "roles/logging.viewer",
               "members": ["group:ops@example.com", "user:ana@example.com"],
               "condition": [], "etag": "BwYAAAAA0001="}),
    )
    // Written in another case than IAM answers: the same grant.
    .add(
        "google_project_iam_member",
        "ci_monitoring",
        json!({"id": format!("{PROJECT}/roles/monitoring.viewer/serviceAccount:CI@{PROJECT}.iam.gserviceaccount.com"),
               "project": PROJECT, "role": "roles/monitoring.viewer",
               "member": format!("serviceAccount:CI@{PROJECT}.iam.gserviceaccount.com"),
               "condition": [], "etag": "BwYAAAAA0001="}),
    )
    .add(
        "google_storage_bucket_iam_binding",
        "readers",
        json!({"id": format!("b/{BUCKET}/roles/storage.objectViewer"),
               "bucket": format!("b/{BUCKET}"), "role": "roles/storage.objectViewer",
               "members": ["group:readers@example.com"], "condition": [], "etag": "CAI="}),
    )
    .add(
        "google_storage_bucket_iam_member",
        "ci_admin",
        json!({"id": format!("b/{BUCKET}/roles/storage.objectAdmin/serviceAccount:{}", sa_email("ci")),
               "bucket": format!("b/{BUCKET}"), "role": "roles/storage.objectAdmin",
               "member": format!("serviceAccount:{}", sa_email("ci")), "condition": [],
               "etag": "CAI="}),
    );
    for (id, name, unique) in accounts {
        let email = sa_email(id);
        st.add(
            "google_service_account",
            id,
            json!({"id": format!("projects/{PROJECT}/serviceAccounts/{email}"),
                   "account_id": id, "email": email, "display_name": name, "description": "",
                   "disabled": false, "unique_id": unique, "project": PROJECT,
                   "member": format!("serviceAccount:{email}"),
                   "name": format!("projects/{PROJECT}/serviceAccounts/{email}"),
                   "create_ignore_already_exists": null}),
        );
    }
    for topic in ["orders", "audit"] {
        st.add(
            "google_pubsub_topic",
            topic,
            json!({"id": format!("projects/{PROJECT}/topics/{topic}"), "name": topic,
                   "project": PROJECT, "labels": {"team": "shop"},
                   "terraform_labels": {"team": "shop"}, "effective_labels": {"team": "shop"},
                   "kms_key_name": "", "message_retention_duration": "",
                   "message_storage_policy": [], "schema_settings": [],
                   "ingestion_data_source_settings": []}),
        );
    }
    st.add(
        "google_pubsub_subscription",
        "orders_push",
        json!({"id": format!("projects/{PROJECT}/subscriptions/orders-push"),
               "name": "orders-push", "project": PROJECT,
               "topic": format!("projects/{PROJECT}/topics/orders"),
               "ack_deadline_seconds": 30, "message_retention_duration": "604800s",
               "retain_acked_messages": false, "enable_message_ordering": false, "filter": "",
               "push_config": [{"push_endpoint": "https://hooks.example.com/orders",
                                "attributes": {"x-goog-version": "v1"}, "oidc_token": [],
                                "no_wrapper": []}],
               "dead_letter_policy": [], "retry_policy": [],
               "expiration_policy": [{"ttl": "2678400s"}], "labels": {},
               "terraform_labels": {}, "bigquery_config": [], "cloud_storage_config": []}),
    )
    .add(
        "google_dns_managed_zone",
        "shop",
        json!({"id": format!("projects/{PROJECT}/managedZones/shop"), "name": "shop",
               "project": PROJECT, "dns_name": "shop.example.com.", "description": "Shop",
               "visibility": "public", "labels": {}, "terraform_labels": {},
               "dnssec_config": [], "private_visibility_config": [], "force_destroy": false}),
    )
    .add(
        "google_kms_key_ring",
        "app",
        json!({"id": ring, "name": "app", "location": "us-central1", "project": PROJECT}),
    )
    .add(
        "google_kms_crypto_key",
        "data",
        json!({"id": format!("{ring}/cryptoKeys/data"), "name": "data", "key_ring": ring,
               "purpose": "ENCRYPT_DECRYPT", "rotation_period": "7776000s",
               "version_template": [{"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                                     "protection_level": "SOFTWARE"}],
               "destroy_scheduled_duration": "2592000s", "import_only": false,
               "labels": {"team": "db"}, "terraform_labels": {"team": "db"},
               "skip_initial_version_creation": false, "crypto_key_backend": "",
               "key_access_justifications_policy": []}),
    )
    // The disk size as a number where the API writes text; state's empty expiration time.
    .add(
        "google_sql_database_instance",
        "orders",
        json!({"id": "orders-db", "name": "orders-db", "project": PROJECT,
               "region": "us-central1", "database_version": "POSTGRES_15",
               "deletion_protection": true, "root_password": null,
               "connection_name": format!("{PROJECT}:us-central1:orders-db"),
               "settings": [{"tier": "db-custom-2-7680", "availability_type": "ZONAL",
                   "disk_size": 20, "disk_type": "PD_SSD", "activation_policy": "ALWAYS",
                   "deletion_protection_enabled": false, "database_flags": [],
                   "user_labels": {"team": "shop"}, "maintenance_window": [],
                   "ip_configuration": [{"ipv4_enabled": true, "private_network": "",
                       "ssl_mode": "ENCRYPTED_ONLY", "require_ssl": false,
                       "authorized_networks": [{"value": "203.0.113.0/24", "name": "office",
                                                "expiration_time": ""}]}],
                   "backup_configuration": [{"enabled": true,
                       "point_in_time_recovery_enabled": false, "binary_log_enabled": false,
                       "start_time": "03:00"}]}]}),
    )
    // The data in another order than the API answers: the same record set.
    .add(
        "google_dns_record_set",
        "www",
        json!({"id": format!("projects/{PROJECT}/managedZones/shop/rrsets/www.shop.example.com./A"),
               "managed_zone": "shop", "name": "www.shop.example.com.", "type": "A",
               "ttl": 300, "rrdatas": ["203.0.113.8", "203.0.113.7"], "project": PROJECT,
               "routing_policy": []}),
    );
    Ok(st)
}

/// A Cloud SQL instance as `instances.insert` takes it.
fn sql_instance(name: &str) -> Value {
    json!({"name": name, "region": "us-central1", "databaseVersion": "POSTGRES_15",
           "settings": {"tier": "db-custom-2-7680", "availabilityType": "ZONAL",
               "dataDiskSizeGb": "20", "dataDiskType": "PD_SSD", "activationPolicy": "ALWAYS",
               "userLabels": {"team": "shop"},
               "ipConfiguration": {"ipv4Enabled": true, "sslMode": "ENCRYPTED_ONLY",
                   "authorizedNetworks": [{"value": "203.0.113.0/24", "name": "office",
                                           "kind": "sql#aclEntry"}]},
               "backupConfiguration": {"enabled": true, "startTime": "03:00"}}})
}

fn sorted_summary(report: &Value) -> Vec<(String, String, String, String)> {
    let mut s = finding_summary(report);
    s.sort();
    s
}

fn row(kind: &str, tier: &str, t: &str, id: String) -> (String, String, String, String) {
    (kind.to_string(), tier.to_string(), t.to_string(), id)
}

/// The change paths of the finding of `resource_type` `id`.
fn paths(report: &Value, resource_type: &str, id: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["resource_type"] == resource_type && f["resource_id"] == id)
        .unwrap_or_else(|| panic!("no finding for {resource_type} {id}: {report:#}"))["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["path"].as_str().map(String::from))
        .collect()
}

#[test]
fn service_types_in_sync_changed_missing_and_unmanaged() {
    let rt = runtime();
    let apis = GcpApis::start().expect("stand-in");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    let dir = TempDir::new("check-gcp-services");
    let state = rt.block_on(seed(&apis, &gcs)).expect("seed");
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config(&gcs.endpoint(), &apis.endpoint()));

    // In sync: Google's own grants, its default service account and a zone's SOA and NS
    // records are not reported; member case and record order are no drift.
    let run = check(&dir);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));

    // Out of band, one change per type, a deletion and an unmanaged resource for several.
    let p = format!("/v1/projects/{PROJECT}");
    let dns = format!("/dns/v1/projects/{PROJECT}");
    rt.block_on(async {
        apis.edit_project_policy(PROJECT, |policy| {
            grant(policy, "roles/logging.viewer", "user:mallory@example.net");
            revoke(
                policy,
                "roles/monitoring.viewer",
                &format!("serviceAccount:{}", sa_email("ci")),
            );
        })
        .await?;
        edit_bucket_policy(&gcs, |policy| {
            grant(policy, "roles/storage.objectViewer", "allUsers");
            revoke(
                policy,
                "roles/storage.objectAdmin",
                &format!("serviceAccount:{}", sa_email("ci")),
            );
        })
        .await;
        apis.call(
            "POST",
            &format!("{p}/serviceAccounts/{}:disable", sa_email("ci")),
            Some(json!({})),
        )
        .await?;
        apis.call(
            "DELETE",
            &format!("{p}/serviceAccounts/{}", sa_email("deploy")),
            None,
        )
        .await?;
        apis.call(
            "POST",
            &format!("{p}/serviceAccounts"),
            Some(json!({"accountId": "stray", "serviceAccount": {}})),
        )
        .await?;
        apis.call(
            "PATCH",
            &format!("{p}/topics/orders"),
            Some(json!({"topic": {"labels": {"team": "ops"}}, "updateMask": "labels"})),
        )
        .await?;
        apis.call("DELETE", &format!("{p}/topics/audit"), None)
            .await?;
        apis.call("PUT", &format!("{p}/topics/stray-topic"), Some(json!({})))
            .await?;
        apis.call(
            "PATCH",
            &format!("{p}/subscriptions/orders-push"),
            Some(json!({"subscription": {"pushConfig": {"pushEndpoint": "https://collector.example.net/"}},
                        "updateMask": "pushConfig"})),
        )
        .await?;
        apis.call(
            "PUT",
            &format!("{p}/subscriptions/stray-sub"),
            Some(json!({"topic": format!("projects/{PROJECT}/topics/orders")})),
        )
        .await?;
        apis.call(
            "PATCH",
            &format!("{dns}/managedZones/shop"),
            Some(json!({"description": "Shop (edited)"})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{dns}/managedZones"),
            Some(json!({"name": "stray-zone", "dnsName": "stray.example.com."})),
        )
        .await?;
        apis.call(
            "PATCH",
            &format!("{dns}/managedZones/shop/rrsets/www.shop.example.com./A"),
            Some(json!({"rrdatas": ["198.51.100.66"]})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{dns}/managedZones/shop/rrsets"),
            Some(json!({"name": "mail.shop.example.com.", "type": "MX", "ttl": 3600,
                        "rrdatas": ["10 mx.example.net."]})),
        )
        .await?;
        let mut db = sql_instance("orders-db");
        db["settings"]["ipConfiguration"]["authorizedNetworks"] = json!([
            {"value": "203.0.113.0/24", "name": "office"},
            {"value": "0.0.0.0/0", "name": "anyone"}
        ]);
        apis.call(
            "PATCH",
            &format!("{p}/instances/orders-db"),
            Some(json!({"settings": db["settings"]})),
        )
        .await?;
        apis.call("POST", &format!("{p}/instances"), Some(sql_instance("stray-db")))
            .await?;
        let ring = format!("projects/{PROJECT}/locations/us-central1/keyRings/app");
        apis.call(
            "PATCH",
            &format!("/v1/{ring}/cryptoKeys/data"),
            Some(json!({"rotationPeriod": "31536000s"})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("/v1/{ring}/cryptoKeys?cryptoKeyId=stray-key"),
            Some(json!({})),
        )
        .await?;
        apis.call(
            "POST",
            &format!("{p}/locations/europe-west1/keyRings?keyRingId=stray-ring"),
            Some(json!({})),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("make drift");

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let zone = |z: &str| format!("projects/{PROJECT}/managedZones/{z}");
    let sa = |id: &str| format!("projects/{PROJECT}/serviceAccounts/{}", sa_email(id));
    let ring = |l: &str, r: &str| format!("projects/{PROJECT}/locations/{l}/keyRings/{r}");
    let mut expected = vec![
        row(
            "changed",
            "critical",
            "google_project_iam_binding",
            format!("{PROJECT}/roles/logging.viewer"),
        ),
        row(
            "missing",
            "critical",
            "google_project_iam_member",
            format!(
                "{PROJECT}/roles/monitoring.viewer/serviceAccount:CI@{PROJECT}.iam.gserviceaccount.com"
            ),
        ),
        row(
            "changed",
            "critical",
            "google_storage_bucket_iam_binding",
            format!("b/{BUCKET}/roles/storage.objectViewer"),
        ),
        row(
            "missing",
            "critical",
            "google_storage_bucket_iam_member",
            format!(
                "b/{BUCKET}/roles/storage.objectAdmin/serviceAccount:{}",
                sa_email("ci")
            ),
        ),
        row(
            "unmanaged",
            "warning",
            "google_storage_bucket_iam_member",
            format!("b/{BUCKET}/roles/storage.objectViewer/allUsers"),
        ),
        row("changed", "warning", "google_service_account", sa("ci")),
        row("missing", "critical", "google_service_account", sa("deploy")),
        row("unmanaged", "warning", "google_service_account", sa("stray")),
        row(
            "changed",
            "info",
            "google_pubsub_topic",
            format!("projects/{PROJECT}/topics/orders"),
        ),
        row(
            "missing",
            "critical",
            "google_pubsub_topic",
            format!("projects/{PROJECT}/topics/audit"),
        ),
        row(
            "unmanaged",
            "warning",
            "google_pubsub_topic",
            format!("projects/{PROJECT}/topics/stray-topic"),
        ),
        row(
            "changed",
            "critical",
            "google_pubsub_subscription",
            format!("projects/{PROJECT}/subscriptions/orders-push"),
        ),
        row(
            "unmanaged",
            "warning",
            "google_pubsub_subscription",
            format!("projects/{PROJECT}/subscriptions/stray-sub"),
        ),
        row("changed", "warning", "google_dns_managed_zone", zone("shop")),
        row(
            "unmanaged",
            "warning",
            "google_dns_managed_zone",
            zone("stray-zone"),
        ),
        row(
            "changed",
            "warning",
            "google_dns_record_set",
            format!("{}/rrsets/www.shop.example.com./A", zone("shop")),
        ),
        row(
            "unmanaged",
            "warning",
            "google_dns_record_set",
            format!("{}/rrsets/mail.shop.example.com./MX", zone("shop")),
        ),
        row(
            "changed",
            "warning",
            "google_kms_crypto_key",
            format!("{}/cryptoKeys/data", ring("us-central1", "app")),
        ),
        row(
            "unmanaged",
            "warning",
            "google_kms_crypto_key",
            format!("{}/cryptoKeys/stray-key", ring("us-central1", "app")),
        ),
        row(
            "unmanaged",
            "warning",
            "google_kms_key_ring",
            ring("europe-west1", "stray-ring"),
        ),
        row(
            "changed",
            "critical",
            "google_sql_database_instance",
            "orders-db".to_string(),
        ),
        row(
            "unmanaged",
            "warning",
            "google_sql_database_instance",
            "stray-db".to_string(),
        ),
    ];
    expected.sort();
    assert_eq!(sorted_summary(&report), expected, "stderr: {}", run.stderr);
    for (t, id, path) in [
        (
            "google_project_iam_binding",
            format!("{PROJECT}/roles/logging.viewer"),
            "members",
        ),
        (
            "google_storage_bucket_iam_binding",
            format!("b/{BUCKET}/roles/storage.objectViewer"),
            "members",
        ),
        ("google_service_account", sa("ci"), "disabled"),
        (
            "google_pubsub_topic",
            format!("projects/{PROJECT}/topics/orders"),
            "labels.team",
        ),
        (
            "google_pubsub_subscription",
            format!("projects/{PROJECT}/subscriptions/orders-push"),
            "push_config.0.push_endpoint",
        ),
        ("google_dns_managed_zone", zone("shop"), "description"),
        (
            "google_sql_database_instance",
            "orders-db".to_string(),
            "settings.0.ip_configuration.0.authorized_networks",
        ),
        (
            "google_kms_crypto_key",
            format!("{}/cryptoKeys/data", ring("us-central1", "app")),
            "rotation_period",
        ),
        (
            "google_dns_record_set",
            format!("{}/rrsets/www.shop.example.com./A", zone("shop")),
            "rrdatas",
        ),
    ] {
        assert_eq!(paths(&report, t, &id), vec![path.to_string()], "{t}");
    }

    // Deleted out of band: the zone (and with it its record sets), the subscription, the
    // bindings.
    rt.block_on(async {
        apis.call("DELETE", &format!("{dns}/managedZones/shop"), None)
            .await?;
        apis.call("DELETE", &format!("{p}/subscriptions/orders-push"), None)
            .await?;
        apis.call("DELETE", &format!("{p}/instances/orders-db"), None)
            .await?;
        apis.edit_project_policy(PROJECT, |policy| {
            if let Some(b) = policy["bindings"].as_array_mut() {
                b.retain(|b| b["role"] != "roles/logging.viewer");
            }
        })
        .await?;
        edit_bucket_policy(&gcs, |policy| {
            if let Some(b) = policy["bindings"].as_array_mut() {
                b.retain(|b| b["role"] != "roles/storage.objectViewer");
            }
        })
        .await;
        anyhow::Ok(())
    })
    .expect("delete");
    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let missing: Vec<(String, String)> = sorted_summary(&report)
        .into_iter()
        .filter(|(kind, ..)| kind == "missing")
        .map(|(_, _, t, id)| (t, id))
        .collect();
    for (t, id) in [
        (
            "google_project_iam_binding",
            format!("{PROJECT}/roles/logging.viewer"),
        ),
        (
            "google_storage_bucket_iam_binding",
            format!("b/{BUCKET}/roles/storage.objectViewer"),
        ),
        (
            "google_pubsub_subscription",
            format!("projects/{PROJECT}/subscriptions/orders-push"),
        ),
        ("google_dns_managed_zone", zone("shop")),
        ("google_sql_database_instance", "orders-db".to_string()),
        (
            "google_dns_record_set",
            format!("{}/rrsets/www.shop.example.com./A", zone("shop")),
        ),
    ] {
        assert!(
            missing.contains(&(t.to_string(), id.clone())),
            "{t} {id} not missing: {missing:#?}"
        );
    }
}
