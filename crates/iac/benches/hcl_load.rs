//! Loading a generated ~5 MB Terraform project: parse + evaluate + expand, the whole of
//! `driftd_iac::hcl::load_module`.
//!
//! The project has a root module of many files (resources with `count`, `for_each`, `dynamic`
//! blocks, locals and functions in nearly every attribute) and one local module called for three
//! keys. Load time is the min and median of 10 loads in this process. Peak memory is measured in
//! a fresh child process (this binary re-run with `DRIFTD_HCL_BENCH_CHILD` set to the project
//! directory) that reads its peak RSS (`VmHWM` in /proc/self/status) before and after one load,
//! so the figures are not inflated by the timing runs.
//!
//! `cargo bench -p driftd-iac --bench hcl_load` prints a table.

use driftd_iac::hcl::{load_module, LoadOptions};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 5 * 1024 * 1024;
const RESOURCE_GROUPS_PER_FILE: usize = 40;
const RUNS: usize = 10;
const CHILD_ENV: &str = "DRIFTD_HCL_BENCH_CHILD";
const KEEP_ENV: &str = "DRIFTD_HCL_BENCH_DIR";

const HEADER: &str = r#"
terraform {
  backend "s3" {
    bucket = "bench-state"
    key    = "bench/terraform.tfstate"
    region = "us-east-1"
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "eu"
  region = "eu-west-1"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  type    = string
  default = "prod"
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

variable "web_count" {
  type    = number
  default = 2
}

variable "ports" {
  type    = list(number)
  default = [22, 80, 443]
}

locals {
  name  = "bench-${var.env}"
  zones = { a = 1, b = 2, c = 3 }
  sizes = { prod = "m5.large", dev = "t3.micro" }
  common_tags = {
    Project     = "bench"
    Environment = var.env
    ManagedBy   = "terraform"
  }
}

resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
  tags       = merge(local.common_tags, { Name = local.name })
}

module "svc" {
  for_each = toset(["api", "worker", "cron"])
  source   = "./modules/svc"
  name     = "${local.name}-${each.key}"
  cidr     = cidrsubnet(var.vpc_cidr, 8, length(each.key))
  tags     = local.common_tags
}
"#;

const MODULE: &str = r#"
variable "name" {
  type = string
}

variable "cidr" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  subnets = { for i, z in ["a", "b", "c"] : z => cidrsubnet(var.cidr, 4, i) }
}

resource "aws_subnet" "this" {
  for_each          = local.subnets
  cidr_block        = each.value
  availability_zone = "us-east-1${each.key}"
  tags              = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_instance" "node" {
  count         = 3
  instance_type = "t3.small"
  subnet_id     = aws_subnet.this["a"].id
  tags          = merge(var.tags, { Name = format("%s-%02d", var.name, count.index) })
}
"#;

/// One group of resources for file `f`, group `g`.
fn group(out: &mut String, f: usize, g: usize) {
    let _ = write!(
        out,
        r#"
locals {{
  g{f}_{g}_name  = lower(format("%s-F{f}-G{g}", local.name))
  g{f}_{g}_index = {f} * 1000 + {g}
}}

resource "aws_instance" "web_{f}_{g}" {{
  count                  = var.web_count
  ami                    = "ami-0123456789abcdef0"
  instance_type          = lookup(local.sizes, var.env, "t3.micro")
  subnet_id              = aws_subnet.s_{f}_{g}["a"].id
  vpc_security_group_ids = [aws_security_group.sg_{f}_{g}.id]
  user_data              = base64encode(jsonencode({{ role = "web", group = local.g{f}_{g}_index }}))

  tags = merge(local.common_tags, {{
    Name  = format("%s-web-%02d", local.g{f}_{g}_name, count.index)
    Index = tostring(count.index)
  }})

  lifecycle {{
    ignore_changes = [ami, tags["Deployed"]]
  }}
}}

resource "aws_subnet" "s_{f}_{g}" {{
  for_each          = local.zones
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 16, local.g{f}_{g}_index * 4 + each.value)
  availability_zone = "${{var.region}}${{each.key}}"
  tags              = merge(local.common_tags, {{ Name = join("-", [local.g{f}_{g}_name, each.key]) }})
}}

resource "aws_security_group" "sg_{f}_{g}" {{
  name        = "${{local.g{f}_{g}_name}}-sg"
  description = "group {g} of file {f}"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {{
    for_each = var.ports
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = [cidrsubnet(var.vpc_cidr, 8, ingress.key)]
    }}
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = merge(local.common_tags, {{ Name = upper(local.g{f}_{g}_name) }})
}}

resource "aws_ebs_volume" "v_{f}_{g}" {{
  provider          = aws.eu
  for_each          = toset(["data", "logs"])
  availability_zone = "eu-west-1a"
  size              = length(each.key) * 10
  type              = "gp3"
  tags              = merge(local.common_tags, {{ Name = "${{local.g{f}_{g}_name}}-${{each.key}}" }})
}}
"#
    );
}

/// Writes the project; returns (files, bytes).
fn generate(dir: &Path) -> std::io::Result<(usize, usize)> {
    fs::create_dir_all(dir.join("modules/svc"))?;
    fs::write(dir.join("main.tf"), HEADER)?;
    fs::write(dir.join("modules/svc/main.tf"), MODULE)?;
    fs::write(
        dir.join("terraform.tfvars"),
        "env = \"prod\"\nweb_count = 2\n",
    )?;
    let mut bytes = HEADER.len() + MODULE.len();
    let mut files = 2;
    let mut f = 0;
    while bytes < TARGET_BYTES {
        let mut text = String::with_capacity(64 * 1024);
        for g in 0..RESOURCE_GROUPS_PER_FILE {
            group(&mut text, f, g);
        }
        bytes += text.len();
        fs::write(dir.join(format!("group_{f:03}.tf")), text)?;
        files += 1;
        f += 1;
    }
    Ok((files, bytes))
}

/// `VmHWM` (peak resident set) or `VmRSS` of this process, in kB.
fn proc_status_kb(field: &str) -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system, all threads) this process has used so far, from /proc/self/stat.
fn cpu_time() -> Duration {
    let ticks = fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = s.rsplit_once(')')?.1.to_string();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .unwrap_or(0);
    // USER_HZ is 100 on every Linux configuration Rust supports.
    Duration::from_millis(ticks * 10)
}

/// The child: load once, print `rss_before hwm_before hwm_after` in kB.
fn child(dir: &Path) {
    let rss_before = proc_status_kb("VmRSS:");
    let hwm_before = proc_status_kb("VmHWM:");
    let module = load_module(dir, &LoadOptions::default()).expect("project loads");
    let hwm_after = proc_status_kb("VmHWM:");
    std::hint::black_box(&module);
    println!("{rss_before} {hwm_before} {hwm_after}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        child(Path::new(&dir));
        return Ok(());
    }
    // `DRIFTD_HCL_BENCH_DIR=DIR` keeps the generated project in DIR, to look at or profile.
    let tmp = tempfile::tempdir()?;
    let kept = std::env::var_os(KEEP_ENV).map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(tmp.path());
    let (files, bytes) = generate(dir)?;

    let mut times = Vec::with_capacity(RUNS);
    let mut module = None;
    let cpu_start = cpu_time();
    for _ in 0..RUNS {
        let start = Instant::now();
        let loaded = load_module(std::hint::black_box(dir), &LoadOptions::default())?;
        times.push(start.elapsed());
        module = Some(loaded);
    }
    // Includes dropping the previous run's result, a small part of a load's cost.
    let cpu_per_load = (cpu_time() - cpu_start) / RUNS as u32;
    let module = module.expect("at least one run");
    times.sort();
    let min = times[0];
    let median = (times[RUNS / 2 - 1] + times[RUNS / 2]) / 2;
    let attributes: usize = module.resources.iter().map(|r| r.attributes.len()).sum();
    let unknown: usize = module
        .resources
        .iter()
        .flat_map(|r| r.attributes.values())
        .filter(|a| a.is_unknown())
        .count();

    let out = std::process::Command::new(std::env::current_exe()?)
        .env(CHILD_ENV, dir)
        .output()?;
    let figures: Vec<u64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();

    println!(
        "hcl_load: {files} files, {:.2} MiB of HCL, {} resource instances, {attributes} attributes \
         ({unknown} unknown), {} warnings",
        bytes as f64 / (1024.0 * 1024.0),
        module.resources.len(),
        module.warnings.len()
    );
    println!("{:<44} {:>14}", "metric", "value");
    println!("{:<44} {:>11.1} ms", "load time, min of 10", ms(min));
    println!("{:<44} {:>11.1} ms", "load time, median of 10", ms(median));
    println!(
        "{:<44} {:>11.1} ms",
        "CPU time per load, all threads (mean)",
        ms(cpu_per_load)
    );
    println!(
        "{:<44} {:>10.1} MB/s",
        "throughput at median",
        bytes as f64 / 1e6 / median.as_secs_f64()
    );
    if let [rss_before, hwm_before, hwm_after] = figures[..] {
        println!(
            "{:<44} {:>10.1} MiB",
            "RSS before load (child)",
            mib(rss_before)
        );
        println!(
            "{:<44} {:>10.1} MiB",
            "peak RSS, VmHWM after load (child)",
            mib(hwm_after)
        );
        println!(
            "{:<44} {:>10.1} MiB",
            "peak growth during load (child)",
            mib(hwm_after.saturating_sub(hwm_before))
        );
    } else {
        println!(
            "peak memory: child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "{:<44} {:>14}",
        "target: whole load under 350 ms",
        if median < Duration::from_millis(350) {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
