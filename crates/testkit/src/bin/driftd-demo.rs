//! The demo of the main job on the embedded default: starts a local AWS emulator (moto), builds
//! the infrastructure of `examples/demo/main.tf` in two regions through the EC2 API, writes the
//! Terraform state an apply would have written, makes some drift out of band, then runs
//! `driftd check` on it and exits with its exit code (2: drift found).
//!
//! Usage: driftd-demo DRIFTD_BINARY [WORK_DIR]

use anyhow::{Context, Result};
use aws_sdk_ec2::types::{AttributeValue, Tag};
use driftd_testkit::moto::Moto;
use driftd_testkit::seed::{ec2_client, seed_region, TfState, AMI};
use std::path::PathBuf;
use std::process::Command;

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
    let debug = us
        .run_instances()
        .image_id(AMI)
        .instance_type("t3.nano".into())
        .min_count(1)
        .max_count(1)
        .send()
        .await?;
    let debug_id = debug
        .instances()
        .first()
        .and_then(|i| i.instance_id())
        .unwrap_or("?");
    println!("    - started an unmanaged instance {debug_id}");
    eu.create_tags()
        .resources(&seeded[1].instance_ids[0])
        .tags(Tag::builder().key("Env").value("staging").build())
        .send()
        .await?;
    println!("    - retagged {} Env=staging", seeded[1].instance_ids[0]);

    let config = work.join("driftd.toml");
    std::fs::write(
        &config,
        format!(
            "# Written by driftd-demo. See config/driftd.example.toml for every option.\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\n\
             regions = [\"us-east-1\", \"eu-west-1\"]\n\n[target.aws]\nendpoint_url = \"{}\"\n",
            moto.endpoint()
        ),
    )?;

    println!("==> driftd check --config {}\n", config.display());
    let status = Command::new(&driftd)
        .args(["check", "--config"])
        .arg(&config)
        .env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status()
        .with_context(|| format!("run {}", driftd.display()))?;
    let code = status.code().unwrap_or(1);
    let json = work.join("report.json");
    let _ = Command::new(&driftd)
        .args(["check", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&json)
        .env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status();
    println!(
        "\n==> driftd exited {code} (0 in sync, 1 error, 2 drift, 3 incomplete); JSON report: {}",
        json.display()
    );
    drop(moto);
    std::process::exit(code);
}
