//! `driftd check` end to end against Google Cloud emulators (gcplocal for Compute Engine,
//! gcp-storage-emulator for Cloud Storage), through the built binary.

mod util;

use driftd_testkit::gcp::{
    sample_state, seed, FaultProxy, GcpFault, GcpLocal, StorageEmulator, PROJECT, ZONE,
};
use serde_json::json;
use util::*;

fn gcp_config(compute: &str, storage: &str) -> String {
    // The other Google APIs (IAM, Pub/Sub, DNS): the test kit's stand-in, with only Google's
    // own resources in it.
    let apis = driftd_testkit::gcp_apis::GcpApis::start()
        .expect("google apis stand-in")
        .endpoint();
    format!(
        "[[target]]\nname = \"gcp\"\nprovider = \"google\"\nstates = [\"terraform.tfstate\"]\n\n\
         [target.gcp]\nprojects = [\"{PROJECT}\"]\nzones = [\"{ZONE}\"]\n\
         compute_endpoint = \"{compute}\"\nstorage_endpoint = \"{storage}\"\nmax_attempts = 2\n\
         api_endpoint = \"{apis}\"\ntimeout_secs = 20\n"
    )
}

/// Both emulators started and [`seed`]ed, and a test directory named `name`.
fn seeded(name: &str) -> (tokio::runtime::Runtime, GcpLocal, StorageEmulator, TempDir) {
    let rt = runtime();
    let gcp = GcpLocal::start().expect("gcplocal");
    let gcs = StorageEmulator::start().expect("gcp-storage-emulator");
    let dir = TempDir::new(name);
    rt.block_on(seed(&gcp, &gcs)).expect("seed the emulators");
    (rt, gcp, gcs, dir)
}

/// Runs `driftd check --format json` with no Google credentials in the environment.
fn check(dir: &TempDir) -> Run {
    driftd_with(dir.path(), &["check", "--format", "json"], |c| {
        c.env_remove("GOOGLE_APPLICATION_CREDENTIALS");
    })
}

/// Deletes instance `web-1` and returns it with machine type `e2-standard-4`, to be created
/// again on its boot disk (gcplocal has no setMachineType: a console user's resize, by hand).
async fn take_down_web(gcp: &GcpLocal) -> anyhow::Result<serde_json::Value> {
    let path = format!("zones/{ZONE}/instances/web-1");
    let mut web = gcp.compute("GET", &path, None).await?;
    gcp.compute("DELETE", &path, None).await?;
    web["machineType"] = json!(format!("zones/{ZONE}/machineTypes/e2-standard-4"));
    Ok(web)
}

#[test]
fn out_of_band_changes_on_google_cloud_are_found_with_exit_2() {
    let (rt, gcp, gcs, dir) = seeded("check-gcp");
    // The state also knows the network, so that it is not unmanaged.
    let mut state = sample_state();
    state.add(
        "google_compute_network",
        "main",
        json!({"id": format!("projects/{PROJECT}/global/networks/main"), "name": "main",
               "project": PROJECT, "auto_create_subnetworks": false,
               "routing_mode": "GLOBAL", "mtu": 1460, "description": ""}),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &gcp_config(&gcp.endpoint(), &gcs.endpoint()));

    // In sync apart from the subnetwork no state knows: exit 2 for that one unmanaged.
    let run = check(&dir);
    let report = run.json();
    assert_eq!(
        finding_summary(&report),
        vec![(
            "unmanaged".to_string(),
            "warning".to_string(),
            "google_compute_subnetwork".to_string(),
            format!("projects/{PROJECT}/regions/us-central1/subnetworks/app"),
        )],
        "stderr: {}",
        run.stderr
    );
    assert_eq!(report["scan"]["complete"], json!(true));

    // Out of band: the machine type, a label, an SSH key in metadata and an external address
    // (gcplocal has no setMachineType, so the instance is recreated on its boot disk as a
    // console user would), the firewall opened to the world, the disk deleted, an unmanaged
    // instance.
    rt.block_on(async {
        let mut web = take_down_web(&gcp).await?;
        web["labels"] = json!({"env": "staging"});
        web["metadata"]["items"] = json!([
            {"key": "enable-oslogin", "value": "TRUE"},
            {"key": "ssh-keys", "value": "mallory:ssh-ed25519 AAAAC3NzaSECRETKEY mallory"}
        ]);
        web["networkInterfaces"][0]["accessConfigs"] = json!([
            {"type": "ONE_TO_ONE_NAT", "name": "External NAT", "natIP": "34.118.0.9",
             "networkTier": "PREMIUM"}
        ]);
        gcp.compute("POST", &format!("zones/{ZONE}/instances"), Some(web))
            .await?;
        gcp.compute(
            "PATCH",
            "global/firewalls/allow-ssh",
            Some(json!({"sourceRanges": ["0.0.0.0/0"]})),
        )
        .await?;
        gcp.compute("DELETE", &format!("zones/{ZONE}/disks/data"), None)
            .await?;
        gcp.compute(
            "POST",
            &format!("zones/{ZONE}/instances"),
            Some(json!({"name": "stray", "machineType": format!("zones/{ZONE}/machineTypes/e2-micro")})),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("make drift");

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let summary = finding_summary(&report);
    let expect = |kind: &str, tier: &str, t: &str, id: String| {
        (kind.to_string(), tier.to_string(), t.to_string(), id)
    };
    assert_eq!(
        summary,
        vec![
            expect(
                "missing",
                "critical",
                "google_compute_disk",
                format!("projects/{PROJECT}/zones/{ZONE}/disks/data")
            ),
            expect(
                "changed",
                "critical",
                "google_compute_firewall",
                format!("projects/{PROJECT}/global/firewalls/allow-ssh")
            ),
            expect(
                "changed",
                "warning",
                "google_compute_instance",
                format!("projects/{PROJECT}/zones/{ZONE}/instances/web-1")
            ),
            expect(
                "unmanaged",
                "warning",
                "google_compute_instance",
                format!("projects/{PROJECT}/zones/{ZONE}/instances/stray")
            ),
            expect(
                "unmanaged",
                "warning",
                "google_compute_subnetwork",
                format!("projects/{PROJECT}/regions/us-central1/subnetworks/app")
            ),
        ],
        "stderr: {}",
        run.stderr
    );
    let findings = report["findings"].as_array().expect("findings");
    let web = findings
        .iter()
        .find(|f| {
            f["resource_id"]
                .as_str()
                .is_some_and(|i| i.ends_with("/web-1"))
        })
        .expect("web-1 finding");
    let paths: Vec<&str> = web["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["path"].as_str())
        .collect();
    // The image, network, subnetwork, internal IP and service account are as built.
    assert_eq!(
        paths,
        vec![
            "machine_type",
            "metadata.ssh-keys",
            "network_interface.0.access_config",
            "labels.env"
        ],
        "{web}"
    );
    assert_eq!(web["changes"][0]["actual"], json!("e2-standard-4"));
    assert_eq!(web["changes"][2]["actual"], json!(1));
    // Metadata values are never read, so never shown.
    assert!(!run.stdout.contains("SECRETKEY") && !run.stderr.contains("SECRETKEY"));
    assert_eq!(web["provider"], json!("google"));
    assert_eq!(web["region"], json!(format!("{PROJECT}/{ZONE}")));
}

#[test]
fn denied_google_scopes_are_skipped_with_exit_3_never_missing() {
    let (_rt, gcp, gcs, dir) = seeded("check-gcp-denied");
    // With the instances not listed, nothing says which instance boots from disk `web-1`
    // (gcplocal keeps no disk `users`): this state manages that disk on its own.
    let mut state = sample_state();
    state.add(
        "google_compute_disk",
        "boot",
        json!({"id": format!("projects/{PROJECT}/zones/{ZONE}/disks/web-1"), "name": "web-1",
               "project": PROJECT, "zone": ZONE, "size": 10}),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    let proxy = FaultProxy::start(
        gcp.port(),
        vec![
            ("/instances".into(), GcpFault::Deny),
            ("/global/".into(), GcpFault::ApiDisabled),
            ("/subnetworks".into(), GcpFault::ApiDisabled),
        ],
    )
    .expect("proxy");
    let mut cfg = gcp_config(&proxy.endpoint(), &gcs.endpoint());
    cfg = cfg.replace(
        "states = [",
        "resource_types = [\"google_compute_instance\", \"google_compute_firewall\", \"google_compute_disk\"]\nstates = [",
    );
    dir.write("driftd.toml", &cfg);
    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(false));
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(skipped
        .iter()
        .any(|s| s["resource_type"] == "google_compute_firewall"
            && s["reason"]
                .as_str()
                .is_some_and(|r| r.contains("gcloud services enable compute.googleapis.com"))));
}

#[test]
fn state_is_read_from_the_gcs_backend_of_the_target() {
    let (rt, gcp, gcs, dir) = seeded("check-gcs-backend");
    // Terraform's gcs backend keeps workspace `prod` at PREFIX/prod.tfstate.
    let state = sample_state().to_json().to_string();
    rt.block_on(async {
        gcs.create_bucket("acme-tfstate", json!({})).await?;
        gcs.upload("acme-tfstate", "web/prod.tfstate", state.as_bytes())
            .await
    })
    .expect("upload the state");
    let config = gcp_config(&gcp.endpoint(), &gcs.endpoint()).replace(
        "states = [\"terraform.tfstate\"]\n",
        "workspace = \"prod\"\n[target.backend]\ntype = \"gcs\"\nbucket = \"acme-tfstate\"\nprefix = \"web\"\n",
    );
    dir.write("driftd.toml", &config);
    let run = check(&dir);
    let report = run.json();
    assert!(
        report["summary"]["managed"].as_u64().unwrap_or(0) >= 4,
        "the state came from gs://acme-tfstate/web/prod.tfstate: {report:#}\n{}",
        run.stderr
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] != "missing"),
        "{report:#}"
    );

    // A workspace that does not exist is one clear error, not an empty state.
    dir.write("driftd.toml", &config.replace("\"prod\"", "\"nope\""));
    let run = check(&dir);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("nope.tfstate"), "{}", run.stderr);
}

/// `examples/gcp-project` copied into `dir/code`, with `edit` applied to its main.tf.
fn google_code(dir: &TempDir, edit: impl FnOnce(String) -> String) {
    let code = dir.path().join("code");
    copy_dir(
        &driftd_testkit::workspace_root().join("examples/gcp-project"),
        &code,
    );
    let main = std::fs::read_to_string(code.join("main.tf")).expect("main.tf");
    std::fs::write(code.join("main.tf"), edit(main)).expect("write main.tf");
}

/// Every finding as `kind address` (or `kind id` for one with no address).
fn kinds(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let at = f["address"].as_str().or(f["resource_id"].as_str());
            format!("{} {}", f["kind"].as_str().unwrap_or(""), at.unwrap_or(""))
        })
        .collect()
}

#[test]
fn google_code_state_and_live_are_told_apart() {
    let (rt, gcp, gcs, dir) = seeded("check-gcp-code");
    driftd_testkit::gcp::applied_state()
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    // The code moved on: a bigger machine type and a new disk, neither applied yet. It also
    // names the image by family, the service account scope by alias, the network and
    // subnetwork by name and the bucket location in lower case, as people write them.
    google_code(&dir, |main| {
        main.replace("default = \"e2-small\"", "default = \"e2-medium\"")
            + "\nresource \"google_compute_disk\" \"cache\" {\n  name = \"cache\"\n  zone = var.zone\n  size = 50\n}\n"
    });
    rt.block_on(gcp.compute(
        "PATCH",
        "global/firewalls/allow-ssh",
        Some(json!({"sourceRanges": ["0.0.0.0/0"]})),
    ))
    .expect("open the firewall");
    dir.write(
        "driftd.toml",
        &gcp_config(&gcp.endpoint(), &gcs.endpoint())
            .replace("states = [", "code = \"code\"\nstates = ["),
    );

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "{report:#}\n{}", run.stderr);
    assert_eq!(
        kinds(&report),
        vec![
            "changed google_compute_firewall.ssh",
            "pending google_compute_disk.cache",
            "pending google_compute_instance.web",
        ],
        "{report:#}"
    );
    // Out of band: the code and state agree on the ranges; it pages.
    let fw = find(&report, "changed", "google_compute_firewall.ssh").expect("firewall");
    assert_eq!(fw["tier"], "critical");
    assert_eq!(fw["changes"][0]["path"], "source_ranges");
    assert_eq!(fw["changes"][0]["expected_from"], "both");
    // Unapplied: only the machine type, from the code.
    let web = find(&report, "pending", "google_compute_instance.web").expect("instance");
    assert_eq!(web["changes"].as_array().map(Vec::len), Some(1), "{web:#}");
    assert_eq!(web["changes"][0]["path"], "machine_type");
    assert_eq!(web["changes"][0]["expected"], "e2-medium");
    assert_eq!(web["changes"][0]["actual"], "e2-small");
    assert_eq!(web["changes"][0]["expected_from"], "code");
    let cache = find(&report, "pending", "google_compute_disk.cache").expect("cache disk");
    assert_eq!(cache["region"], json!(format!("{PROJECT}/{ZONE}")));
}

#[test]
fn without_state_google_code_is_matched_to_live_by_name() {
    let (rt, gcp, gcs, dir) = seeded("check-gcp-code-only");
    google_code(&dir, |main| main);
    // Out of band: the machine type (the instance recreated on its boot disk), the data disk
    // deleted.
    rt.block_on(async {
        let web = take_down_web(&gcp).await?;
        gcp.compute("POST", &format!("zones/{ZONE}/instances"), Some(web))
            .await?;
        gcp.compute("DELETE", &format!("zones/{ZONE}/disks/data"), None)
            .await?;
        anyhow::Ok(())
    })
    .expect("make drift");
    dir.write(
        "driftd.toml",
        &gcp_config(&gcp.endpoint(), &gcs.endpoint())
            .replace("states = [\"terraform.tfstate\"]\n", "code = \"code\"\n"),
    );

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "{report:#}\n{}", run.stderr);
    // The other five resources match their code by name; the boot disk is the instance's.
    assert_eq!(
        kinds(&report),
        vec![
            "changed google_compute_instance.web",
            "pending google_compute_disk.data",
        ],
        "{report:#}"
    );
    let web = find(&report, "changed", "google_compute_instance.web").expect("instance");
    assert_eq!(web["changes"].as_array().map(Vec::len), Some(1), "{web:#}");
    assert_eq!(web["changes"][0]["path"], "machine_type");
    assert_eq!(web["changes"][0]["expected"], "e2-small");
    assert_eq!(web["changes"][0]["expected_from"], "code");
}

/// Addresses, routes, routers and NATs through the built binary. gcplocal serves none of them:
/// the test kit's stand-in for their documented REST resources answers, in front of gcplocal.
#[test]
fn network_edge_drift_through_the_compute_stand_in_exits_2() {
    use driftd_testkit::gcp::{applied_state, edge_state, seed_edge, REGION};
    let (rt, gcp, gcs, dir) = seeded("check-gcp-edge");
    rt.block_on(seed_edge(&gcp)).expect("seed the network edge");
    let mut state = applied_state();
    for r in edge_state().to_json()["resources"]
        .as_array()
        .expect("resources")
    {
        state.add(
            r["type"].as_str().expect("type"),
            r["name"].as_str().expect("name"),
            r["instances"][0]["attributes"].clone(),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    let mut cfg = gcp_config(&gcp.endpoint(), &gcs.endpoint());
    cfg = cfg.replace(
        "states = [",
        "resource_types = [\"google_compute_address\", \"google_compute_global_address\", \
         \"google_compute_route\", \"google_compute_router\", \"google_compute_router_nat\"]\n\
         states = [",
    );
    dir.write("driftd.toml", &cfg);

    // In sync: exit 0, and the internet route Google made with the network is not reported.
    let run = check(&dir);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.json()["findings"], json!([]), "stderr: {}", run.stderr);

    // Out of band: the route's next hop moved, the global address released, an unmanaged
    // address.
    rt.block_on(async {
        let mut route = gcp.compute("GET", "global/routes/to-onprem", None).await?;
        gcp.compute("DELETE", "global/routes/to-onprem", None)
            .await?;
        route["nextHopIp"] = json!("10.10.0.66");
        gcp.compute("POST", "global/routes", Some(route)).await?;
        gcp.compute("DELETE", "global/addresses/web-lb", None)
            .await?;
        gcp.compute(
            "POST",
            &format!("regions/{REGION}/addresses"),
            Some(json!({"name": "stray-ip", "address": "34.118.2.50"})),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("make drift");
    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let s = |v: &str| v.to_string();
    let mut summary = finding_summary(&report);
    summary.sort();
    assert_eq!(
        summary,
        vec![
            (
                s("changed"),
                s("critical"),
                s("google_compute_route"),
                format!("projects/{PROJECT}/global/routes/to-onprem")
            ),
            (
                s("missing"),
                s("critical"),
                s("google_compute_global_address"),
                format!("projects/{PROJECT}/global/addresses/web-lb")
            ),
            (
                s("unmanaged"),
                s("warning"),
                s("google_compute_address"),
                format!("projects/{PROJECT}/regions/{REGION}/addresses/stray-ip")
            ),
        ],
        "stderr: {}",
        run.stderr
    );
    let route = report["findings"]
        .as_array()
        .and_then(|f| {
            f.iter()
                .find(|f| f["resource_type"] == "google_compute_route")
        })
        .expect("route finding");
    assert_eq!(route["changes"][0]["path"], json!("next_hop_ip"));
    assert_eq!(route["changes"][0]["actual"], json!("10.10.0.66"));
}

/// The built-in pack over Google Cloud: the seeded estate complies (its firewall admits SSH
/// only from Identity-Aware Proxy's range, its bucket enforces public access prevention), so
/// no violation; a firewall rule opening RDP to the internet and a bucket left to inherit public
/// access, both made by hand and in no state, are exactly the violations found.
#[test]
fn the_builtin_pack_finds_exactly_the_planted_violations_on_google_cloud() {
    let (rt, gcp, gcs, dir) = seeded("check-gcp-policies");
    sample_state()
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &format!(
            "{}\n[policies]\nbuiltin = true\n",
            gcp_config(&gcp.endpoint(), &gcs.endpoint())
        ),
    );
    let violations = |report: &serde_json::Value| -> Vec<(String, String, String)> {
        let mut out: Vec<_> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["kind"] == "violation")
            .map(|f| {
                (
                    f["policy"]["id"].as_str().unwrap_or("").to_string(),
                    f["resource_type"].as_str().unwrap_or("").to_string(),
                    f["resource_id"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let run = check(&dir);
    let report = run.json();
    assert_eq!(violations(&report), vec![], "{:#}", report["findings"]);
    assert_eq!(report["summary"]["violations"], json!(0));

    rt.block_on(async {
        gcp.compute(
            "POST",
            "global/firewalls",
            Some(json!({"name": "open-rdp",
                        "network": format!("projects/{PROJECT}/global/networks/main"),
                        "direction": "INGRESS", "priority": 1000,
                        "allowed": [{"IPProtocol": "tcp", "ports": ["3389"]}],
                        "sourceRanges": ["0.0.0.0/0"]})),
        )
        .await?;
        gcs.create_bucket(
            "driftd-test-shared",
            json!({"location": "EU", "iamConfiguration": {"publicAccessPrevention": "inherited"}}),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("plant the violations");
    let run = check(&dir);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(
        violations(&report),
        vec![
            (
                "gcp-bucket-public-access".to_string(),
                "google_storage_bucket".to_string(),
                "driftd-test-shared".to_string()
            ),
            (
                "gcp-firewall-admin-open".to_string(),
                "google_compute_firewall".to_string(),
                format!("projects/{PROJECT}/global/firewalls/open-rdp")
            ),
        ],
        "{:#}",
        report["findings"]
    );
    let rdp = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["policy"]["id"] == "gcp-firewall-admin-open")
        .expect("the firewall's violation");
    assert_eq!(rdp["tier"], "critical");
    assert_eq!(
        rdp["policy"]["messages"][0]["text"],
        "port 3389 (tcp) is open to 0.0.0.0/0"
    );
}
