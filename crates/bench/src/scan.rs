//! A real scan's client CPU: `driftd check` (the built binary) against moto over a fleet planted
//! through the EC2 API, with and without the built-in policy pack, measured as the user + system
//! CPU time of the driftd process (`getrusage(RUSAGE_CHILDREN)` around each run).
//!
//! The fleet comes in blocks of about 100 live resources, the mix of a small estate: a VPC (and
//! the default security group EC2 gives it), 2 subnets, 8 security groups, 35 instances (each with
//! its encrypted, tagged root volume, in no state) and 18 data volumes. State manages everything
//! but the root volumes and default groups; one security group in 16 opens SSH to the world, one
//! data volume in 12 is unencrypted, every fourth block lacks the `team` tag, so that the pack has
//! violations to report (and the report carries them). The target
//! scans only those five types, in one region: the baseline is the smallest realistic scan of
//! that fleet (listing and decoding the API's answers, reading state, comparing, writing the
//! JSON report), which makes the pack's share an upper bound for wider scans.

use anyhow::{bail, Context, Result};
use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, IpPermission, IpRange, ResourceType, Tag, TagSpecification,
    VolumeType,
};
use aws_sdk_ec2::Client;
use driftd_testkit::moto::Moto;
use driftd_testkit::seed::{ec2_client, TfState, AMI, INSTANCE_TYPE};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const REGION: &str = "us-east-1";
const TYPES: &[&str] = &[
    "aws_instance",
    "aws_ebs_volume",
    "aws_security_group",
    "aws_vpc",
    "aws_subnet",
];
/// Live resources per block (see the module's documentation).
const BLOCK: usize = 100;

/// What the runs gave.
pub struct Scan {
    /// Live resources planted (the scan also lists the few moto starts with).
    pub planted: usize,
    /// Resources the scan compared (managed and unmanaged; the cloud's own, like root volumes,
    /// are listed and evaluated but not counted there), and how many state manages.
    pub compared: usize,
    pub managed: usize,
    pub violations: usize,
    /// CPU of each run, in run order.
    pub without: Vec<Duration>,
    pub with: Vec<Duration>,
    pub planting: Duration,
}

/// The driftd binary beside this one (`cargo build --release -p driftd` puts it there).
pub fn default_driftd() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let p = exe.parent()?.join("driftd");
    p.exists().then_some(p)
}

/// Plants about `resources` live resources, then runs `driftd check` `runs` times without and
/// `runs` times with the built-in pack, alternating.
pub fn measure(driftd: &Path, resources: usize, runs: usize) -> Result<Scan> {
    let moto = Moto::start().context("moto")?;
    let dir = TempDir::new()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let start = Instant::now();
    let state = rt.block_on(async {
        let client = ec2_client(&moto.endpoint(), REGION).await;
        plant(&client, resources.div_ceil(BLOCK)).await
    })?;
    let planting = start.elapsed();
    state.write(&dir.0.join("terraform.tfstate"))?;
    let types: Vec<String> = TYPES.iter().map(|t| format!("{t:?}")).collect();
    let base = format!(
        "[[target]]\nname = \"bench\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{REGION}\"]\n\
         resource_types = [{}]\n\n[target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n\
         timeout_secs = 300\n",
        types.join(", "),
        moto.endpoint()
    );
    std::fs::write(
        dir.0.join("without.toml"),
        format!("{base}\n[policies]\nbuiltin = false\n"),
    )?;
    std::fs::write(
        dir.0.join("with.toml"),
        format!("{base}\n[policies]\nbuiltin = true\nrequired_tags = [\"team\"]\n"),
    )?;
    for f in ["aws-config", "aws-credentials"] {
        std::fs::write(dir.0.join(f), "")?;
    }
    if std::env::var_os("BENCH_PAUSE_TMP").is_some() {
        eprintln!(
            "PAUSED dir={} endpoint={}",
            dir.0.display(),
            moto.endpoint()
        );
        std::thread::sleep(Duration::from_secs(3600));
    }
    // One run of each first: moto builds its answers lazily, and the page cache warms.
    let (report, _) = check(driftd, &dir.0, "without.toml")?;
    let count = |k: &str| report["summary"][k].as_u64().unwrap_or(0) as usize;
    let (compared, managed) = (count("resources"), count("managed"));
    let (report, _) = check(driftd, &dir.0, "with.toml")?;
    let violations = report["summary"]["violations"].as_u64().unwrap_or(0) as usize;
    let mut without = Vec::new();
    let mut with = Vec::new();
    for _ in 0..runs {
        without.push(check(driftd, &dir.0, "without.toml")?.1);
        with.push(check(driftd, &dir.0, "with.toml")?.1);
    }
    Ok(Scan {
        planted: resources.div_ceil(BLOCK) * BLOCK,
        compared,
        managed,
        violations,
        without,
        with,
        planting,
    })
}

/// Runs `driftd check -c <config> --format json` in `dir`; its report and the CPU it used.
fn check(driftd: &Path, dir: &Path, config: &str) -> Result<(Value, Duration)> {
    let before = children_cpu();
    let out = Command::new(driftd)
        .args(["check", "-c", config, "--format", "json"])
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("RUST_LOG")
        .env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .with_context(|| format!("run {}", driftd.display()))?;
    let cpu = children_cpu().saturating_sub(before);
    // 0: nothing to report; 2: findings.
    if !matches!(out.status.code(), Some(0 | 2)) {
        bail!(
            "driftd check -c {config}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report = serde_json::from_slice(&out.stdout).context("driftd's JSON report")?;
    Ok((report, cpu))
}

/// User + system CPU time of the children this process has waited for.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn tagged(rt: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(rt)
        .set_tags(Some(
            pairs
                .iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
                .collect(),
        ))
        .build()
}

fn tag_map(pairs: &[(&str, &str)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

fn arn(kind: &str, id: &str) -> String {
    format!(
        "arn:aws:ec2:{REGION}:{}:{kind}/{id}",
        driftd_testkit::ACCOUNT_ID
    )
}

fn rule(port: i32, cidr: &str, description: &str) -> Value {
    json!({
        "cidr_blocks": [cidr], "description": description, "from_port": port,
        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
        "security_groups": [], "self": false, "to_port": port,
    })
}

/// Plants `blocks` blocks of about [`BLOCK`] live resources; the state that manages them.
async fn plant(client: &Client, blocks: usize) -> Result<TfState> {
    let mut state = TfState::new();
    let common = [("Env", "prod"), ("ManagedBy", "terraform")];
    for b in 0..blocks {
        let module = format!("module.b{b}");
        let module = Some(module.as_str());
        // Every fourth block's resources lack the `team` tag.
        let team = if b % 4 == 3 { "" } else { "platform" };
        let with_team = |name: &'static str| -> Vec<(&str, &str)> {
            let mut t = vec![("Name", name), common[0], common[1]];
            if !team.is_empty() {
                t.push(("team", team));
            }
            t
        };
        let cidr = format!("10.{}.0.0/16", b % 250);
        let vpc_tags = with_team("main");
        let vpc = client
            .create_vpc()
            .cidr_block(&cidr)
            .tag_specifications(tagged(ResourceType::Vpc, &vpc_tags))
            .send()
            .await
            .context("CreateVpc")?;
        let vpc_id = vpc
            .vpc()
            .and_then(|v| v.vpc_id())
            .context("no vpc id")?
            .to_string();
        state.add(
            module,
            "aws_vpc",
            "main",
            None,
            json!({
                "arn": arn("vpc", &vpc_id), "assign_generated_ipv6_cidr_block": false,
                "cidr_block": cidr, "enable_dns_hostnames": false, "enable_dns_support": true,
                "id": vpc_id, "instance_tenancy": "default",
                "owner_id": driftd_testkit::ACCOUNT_ID,
                "tags": tag_map(&vpc_tags), "tags_all": tag_map(&vpc_tags),
            }),
        );
        let mut subnets = Vec::new();
        for (i, zone) in ["a", "b"].iter().enumerate() {
            let subnet_cidr = format!("10.{}.{i}.0/24", b % 250);
            let subnet_tags = with_team("private");
            let s = client
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(&subnet_cidr)
                .availability_zone(format!("{REGION}{zone}"))
                .tag_specifications(tagged(ResourceType::Subnet, &subnet_tags))
                .send()
                .await
                .context("CreateSubnet")?;
            let id = s
                .subnet()
                .and_then(|s| s.subnet_id())
                .context("no subnet id")?
                .to_string();
            state.add(
                module,
                "aws_subnet",
                "private",
                Some(json!(i)),
                json!({
                    "arn": arn("subnet", &id), "availability_zone": format!("{REGION}{zone}"),
                    "cidr_block": subnet_cidr, "id": id, "map_public_ip_on_launch": false,
                    "tags": tag_map(&subnet_tags), "tags_all": tag_map(&subnet_tags),
                    "vpc_id": vpc_id,
                }),
            );
            subnets.push(id);
        }
        let mut groups = Vec::new();
        for g in 0..8 {
            let name = format!("tier-{g}");
            let sg_tags = with_team("tier");
            let sg = client
                .create_security_group()
                .group_name(&name)
                .description("service tier")
                .vpc_id(&vpc_id)
                .tag_specifications(tagged(ResourceType::SecurityGroup, &sg_tags))
                .send()
                .await
                .context("CreateSecurityGroup")?;
            let id = sg.group_id().context("no group id")?.to_string();
            // One group in sixteen has SSH open to the world.
            let ssh_from = if (b * 8 + g) % 16 == 5 {
                "0.0.0.0/0"
            } else {
                "10.0.0.0/8"
            };
            let perm = |port: i32, cidr: &str, desc: &str| {
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(port)
                    .to_port(port)
                    .ip_ranges(IpRange::builder().cidr_ip(cidr).description(desc).build())
                    .build()
            };
            client
                .authorize_security_group_ingress()
                .group_id(&id)
                .ip_permissions(perm(443, "10.0.0.0/8", "https"))
                .ip_permissions(perm(8080, "10.0.0.0/8", "app"))
                .ip_permissions(perm(22, ssh_from, "ssh"))
                .send()
                .await
                .context("AuthorizeSecurityGroupIngress")?;
            state.add(
                module,
                "aws_security_group",
                "tier",
                Some(json!(g)),
                json!({
                    "arn": arn("security-group", &id), "description": "service tier",
                    "egress": [{
                        "cidr_blocks": ["0.0.0.0/0"], "description": "", "from_port": 0,
                        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "-1",
                        "security_groups": [], "self": false, "to_port": 0,
                    }],
                    "id": id,
                    "ingress": [
                        rule(22, ssh_from, "ssh"), rule(443, "10.0.0.0/8", "https"),
                        rule(8080, "10.0.0.0/8", "app"),
                    ],
                    "name": name, "name_prefix": "", "owner_id": driftd_testkit::ACCOUNT_ID,
                    "revoke_rules_on_delete": false, "tags": tag_map(&sg_tags),
                    "tags_all": tag_map(&sg_tags), "timeouts": null, "vpc_id": vpc_id,
                }),
            );
            groups.push(id);
        }
        let inst_tags = with_team("web");
        let out = client
            .run_instances()
            .image_id(AMI)
            .instance_type(INSTANCE_TYPE.into())
            .min_count(35)
            .max_count(35)
            .subnet_id(&subnets[b % 2])
            .security_group_ids(&groups[0])
            // Root volumes encrypted and tagged like the rest of the estate.
            .block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name("/dev/xvda")
                    .ebs(
                        EbsBlockDevice::builder()
                            .volume_size(8)
                            .volume_type(VolumeType::Gp3)
                            .encrypted(true)
                            .build(),
                    )
                    .build(),
            )
            .tag_specifications(tagged(ResourceType::Instance, &inst_tags))
            .tag_specifications(tagged(ResourceType::Volume, &inst_tags))
            .send()
            .await
            .context("RunInstances")?;
        for (i, inst) in out.instances().iter().enumerate() {
            let id = inst.instance_id().context("no instance id")?;
            let zone = inst
                .placement()
                .and_then(|p| p.availability_zone())
                .unwrap_or("us-east-1a");
            state.add(
                module,
                "aws_instance",
                "web",
                Some(json!(i)),
                json!({
                    "ami": AMI, "arn": arn("instance", id),
                    "associate_public_ip_address": false, "availability_zone": zone,
                    "disable_api_stop": false, "disable_api_termination": false,
                    "ebs_optimized": false, "id": id, "instance_state": "running",
                    "instance_type": INSTANCE_TYPE, "key_name": "", "monitoring": false,
                    "root_block_device": [{"delete_on_termination": true, "volume_size": 8, "volume_type": "gp3", "encrypted": true}],
                    "subnet_id": subnets[b % 2], "tags": tag_map(&inst_tags),
                    "tags_all": tag_map(&inst_tags), "vpc_security_group_ids": [groups[0]],
                }),
            );
        }
        for v in 0..18 {
            let vol_tags = with_team("data");
            // One volume in twelve is unencrypted.
            let encrypted = (b * 18 + v) % 12 != 7;
            let vol = client
                .create_volume()
                .availability_zone(format!("{REGION}a"))
                .size(20)
                .volume_type(VolumeType::Gp3)
                .encrypted(encrypted)
                .tag_specifications(tagged(ResourceType::Volume, &vol_tags))
                .send()
                .await
                .context("CreateVolume")?;
            let id = vol.volume_id().context("no volume id")?;
            state.add(
                module,
                "aws_ebs_volume",
                "data",
                Some(json!(v)),
                json!({
                    "arn": arn("volume", id), "availability_zone": format!("{REGION}a"),
                    "encrypted": encrypted, "final_snapshot": false, "id": id, "iops": 3000,
                    "kms_key_id": "", "multi_attach_enabled": false, "size": 20,
                    "snapshot_id": "", "tags": tag_map(&vol_tags),
                    "tags_all": tag_map(&vol_tags), "throughput": 125, "type": "gp3",
                }),
            );
        }
    }
    Ok(state)
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("driftd-bench-scan-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
