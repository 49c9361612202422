//! The demo of the main job on the embedded default: starts a local AWS emulator (moto), builds
//! the infrastructure of `examples/demo/main.tf` in two regions through the EC2 API, writes the
//! Terraform state an apply would have written, makes some drift out of band, then runs
//! `driftd check` on it (table, JSON and HTML reports), runs `driftd daemon` for one scan with
//! the history in SQLite, tiered alerts to local receivers (a PagerDuty Events v2 endpoint and
//! a webhook) and the dashboard, and exits with `check`'s exit code (2: drift found).
//!
//! Usage: driftd-demo DRIFTD_BINARY [WORK_DIR]

use anyhow::{Context, Result};
use aws_sdk_ec2::types::{AttributeValue, Tag};
use driftd_testkit::gcp::{
    applied_state, seed as gcp_seed, GcpLocal, StorageEmulator, PROJECT, ZONE,
};
use driftd_testkit::kube::KubeEmulator;
use driftd_testkit::moto::Moto;
use driftd_testkit::receiver::Receiver;
use driftd_testkit::seed::{ec2_client, seed_region, start_unmanaged_instance, TfState};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let driftd = PathBuf::from(
        args.next()
            .context("usage: driftd-demo DRIFTD_BINARY [WORK_DIR]")?,
    );
    let work = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| driftd_testkit::workspace_root().join("target/demo"));
    std::fs::create_dir_all(&work).with_context(|| format!("create {}", work.display()))?;

    println!("==> starting moto (local AWS emulator)");
    let moto = Moto::start()?;
    println!("    {}", moto.endpoint());

    println!("==> applying examples/demo/main.tf: VPC, subnets, security group, instances, volume per region");
    let mut state = TfState::new();
    let mut seeded = Vec::new();
    for region in REGIONS {
        let client = ec2_client(&moto.endpoint(), region).await;
        seeded.push(seed_region(&client, region, "prod", 2, &mut state).await?);
    }
    let state_path = work.join("terraform.tfstate");
    state.write(&state_path)?;
    println!("    state written to {}", state_path.display());

    println!("==> drifting out of band, as someone in the console would:");
    let us = ec2_client(&moto.endpoint(), REGIONS[0]).await;
    let eu = ec2_client(&moto.endpoint(), REGIONS[1]).await;
    us.modify_instance_attribute()
        .instance_id(&seeded[0].instance_ids[0])
        .instance_type(AttributeValue::builder().value("m5.xlarge").build())
        .send()
        .await?;
    println!("    - resized {} to m5.xlarge", seeded[0].instance_ids[0]);
    us.authorize_security_group_ingress()
        .group_id(&seeded[0].sg_id)
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .cidr_ip("0.0.0.0/0")
        .send()
        .await?;
    println!("    - opened SSH to 0.0.0.0/0 on {}", seeded[0].sg_id);
    eu.delete_volume()
        .volume_id(&seeded[1].volume_id)
        .send()
        .await?;
    println!("    - deleted volume {}", seeded[1].volume_id);
    let debug_id = start_unmanaged_instance(&us).await?;
    println!("    - started an unmanaged instance {debug_id}");
    eu.create_tags()
        .resources(&seeded[1].instance_ids[0])
        .tags(Tag::builder().key("Env").value("staging").build())
        .send()
        .await?;
    println!("    - retagged {} Env=staging", seeded[1].instance_ids[0]);

    println!("==> starting Google Cloud emulators (gcplocal, gcp-storage-emulator) with a network, firewall, disk, instance and bucket, then drifted:");
    let gcp = GcpLocal::start()?;
    let gcs = StorageEmulator::start()?;
    gcp_seed(&gcp, &gcs).await?;
    // The state and code of examples/gcp-project as applied.
    applied_state().write(&work.join("gcp.tfstate"))?;
    gcp.compute(
        "PATCH",
        "global/firewalls/allow-ssh",
        Some(serde_json::json!({"sourceRanges": ["0.0.0.0/0"]})),
    )
    .await?;
    println!("    - opened firewall allow-ssh (tcp 22) to 0.0.0.0/0");
    gcp.compute("DELETE", &format!("zones/{ZONE}/disks/data"), None)
        .await?;
    println!("    - deleted disk data");

    println!("==> starting a Kubernetes API emulator (kmock) with examples/kubernetes applied, then drifted:");
    let kube = KubeEmulator::start()?;
    for obj in cluster_objects() {
        kube.create(&obj)?;
    }
    println!("    - scaled deployment/web to 5 by hand (the manifest says 2)");
    println!("    - deleted configmap/web-config");
    println!("    - created deployment/debug, in no manifest");
    let kubeconfig = work.join("kubeconfig");
    std::fs::write(&kubeconfig, kube.kubeconfig())?;
    let manifests = driftd_testkit::workspace_root().join("examples/kubernetes");

    // Local alert sinks: one receiver answering like PagerDuty's Events API and a webhook.
    let sinks = Receiver::start(vec![])?;
    std::fs::write(work.join("pagerduty.key"), "demo-routing-key")?;
    std::fs::write(work.join("webhook.url"), sinks.url("/hooks/team"))?;
    let web_port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let state_dir = work.join("state");
    let _ = std::fs::remove_dir_all(&state_dir);

    let config = work.join("driftd.toml");
    std::fs::write(
        &config,
        format!(
            "# Written by driftd-demo. See config/driftd.example.toml for every option.\n\
             [daemon]\nstate_dir = \"state\"\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\n\
             regions = [\"us-east-1\", \"eu-west-1\"]\nschedule = \"0 */15 * * * *\"\nrun_at_start = true\n\
             [target.aws]\nendpoint_url = \"{moto}\"\n\n\
             [[target]]\nname = \"gcp\"\nprovider = \"google\"\ncode = {gcp_code:?}\nstates = [\"gcp.tfstate\"]\nschedule = \"0 */15 * * * *\"\nrun_at_start = true\n\
             [target.gcp]\nprojects = [\"{project}\"]\nzones = [\"{zone}\"]\ncompute_endpoint = \"{compute}\"\nstorage_endpoint = \"{storage}\"\n\n\
             [[target]]\nname = \"cluster\"\nprovider = \"kubernetes\"\nschedule = \"0 */15 * * * *\"\nrun_at_start = true\n\
             [target.kubernetes]\nmanifests = [{manifests:?}]\nkubeconfig = {kubeconfig:?}\n\
             watch_namespaces = [\"default\"]\ntimeout_secs = 10\n\n\
             [[channel]]\nname = \"pagerduty\"\ntype = \"pagerduty\"\nrouting_key = \"file:pagerduty.key\"\n\
             url = \"{pd}\"\n\n\
             [[channel]]\nname = \"team-webhook\"\ntype = \"webhook\"\nurl = \"file:webhook.url\"\n\n\
             # Critical pages; critical and warning go to the team; info waits for a daily digest.\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"pagerduty\"]\ncontinue = true\n\n\
             [[route]]\ntiers = [\"critical\", \"warning\"]\nchannels = [\"team-webhook\"]\n\n\
             [[route]]\ntiers = [\"info\"]\nchannels = [\"team-webhook\"]\ndigest = {{ at = \"09:00\", timezone = \"UTC\" }}\n\n\
             # The demo confirms warnings on first sight, so one scan shows every tier.\n\
             [notify.warning]\ngroup_wait_secs = 0\nconfirm_scans = 1\nrepeat_interval_secs = 86400\nsend_resolved = true\n\n\
             [web]\nlisten = \"127.0.0.1:{web_port}\"\n",
            moto = moto.endpoint(),
            pd = sinks.url("/v2/enqueue"),
            manifests = manifests.display().to_string(),
            gcp_code = driftd_testkit::workspace_root()
                .join("examples/gcp-project")
                .display()
                .to_string(),
            project = PROJECT,
            zone = ZONE,
            compute = gcp.endpoint(),
            storage = gcs.endpoint(),
            kubeconfig = "kubeconfig",
        ),
    )?;
    let with_env = |cmd: &mut Command| {
        cmd.env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("NOTIFY_SOCKET");
    };

    println!("==> driftd check --config {}\n", config.display());
    let mut check = Command::new(&driftd);
    check.args(["check", "--config"]).arg(&config);
    with_env(&mut check);
    let status = check
        .status()
        .with_context(|| format!("run {}", driftd.display()))?;
    let code = status.code().unwrap_or(1);
    for (format, file) in [("json", "report.json"), ("html", "report.html")] {
        let mut c = Command::new(&driftd);
        c.args(["check", "--config"])
            .arg(&config)
            .args(["--format", format, "--output"])
            .arg(work.join(file));
        with_env(&mut c);
        let _ = c.stdout(Stdio::null()).status();
    }
    println!(
        "\n==> driftd exited {code} (0 in sync, 1 error, 2 drift, 3 incomplete)\n    reports: {} and {}",
        work.join("report.json").display(),
        work.join("report.html").display()
    );

    println!(
        "\n==> driftd daemon: one scan into the history (SQLite), alerts to the local receivers"
    );
    let mut daemon = Command::new(&driftd);
    daemon
        .args(["daemon", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(work.join("daemon.log"))?);
    with_env(&mut daemon);
    let mut daemon = daemon.spawn().context("start driftd daemon")?;
    let deadline = Instant::now() + Duration::from_secs(60);
    // Every drift except info (which waits for the digest) is notified after the first scan.
    while sinks.received().len() < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    for r in sinks.received() {
        let body = r.json();
        let line = if r.path == "/v2/enqueue" {
            format!(
                "PagerDuty  {:<8} {}",
                body["event_action"].as_str().unwrap_or(""),
                body["payload"]["summary"].as_str().unwrap_or("")
            )
        } else {
            format!(
                "webhook    {:<8} {}",
                body["event"].as_str().unwrap_or(""),
                body["summary"].as_str().unwrap_or("")
            )
        };
        println!("    {line}");
    }
    println!(
        "    dashboard: http://127.0.0.1:{web_port}/ (while the daemon runs; this demo stops it now)"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    println!(
        "    history: {} (`driftd report --config {}`)",
        state_dir.join("driftd.db").display(),
        config.display()
    );
    drop(moto);
    drop(kube);
    drop(gcp);
    drop(gcs);
    std::process::exit(code);
}

/// examples/kubernetes as the API server returns it after an apply (server defaults, quantities
/// rewritten, bookkeeping), with drift: the deployment scaled by hand, the config map deleted,
/// an unmanaged deployment beside it.
fn cluster_objects() -> Vec<serde_json::Value> {
    use serde_json::json;
    let deployment = |name: &str, replicas: u32, image: &str| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "default", "labels": {"app": name},
                            "uid": format!("uid-{name}"), "resourceVersion": "7", "generation": 2},
               "spec": {"replicas": replicas, "revisionHistoryLimit": 10,
                        "selector": {"matchLabels": {"app": name}},
                        "strategy": {"type": "RollingUpdate"},
                        "template": {"metadata": {"labels": {"app": name}},
                                     "spec": {"restartPolicy": "Always", "containers": [{
                                         "name": name, "image": image,
                                         "imagePullPolicy": "IfNotPresent",
                                         "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                         "resources": {
                                             "requests": {"cpu": "0.1", "memory": "128Mi"},
                                             "limits": {"cpu": "500m", "memory": "256Mi"}}}]}}},
               "status": {"replicas": replicas}})
    };
    vec![
        deployment("web", 5, "nginx:1.25"),
        deployment("debug", 1, "busybox:1.36"),
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "web", "namespace": "default"},
               "spec": {"selector": {"app": "web"}, "type": "ClusterIP", "clusterIP": "10.96.0.12",
                        "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}]}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "default", "namespace": "default"}}),
    ]
}
