//! Shared harness of the end-to-end tests: a temp dir per test, a helper that runs the built
//! `driftd` binary with test credentials, and moto seeding through `driftd-testkit`.

#![allow(dead_code, unused_imports)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use driftd_testkit::moto::Moto;
pub use driftd_testkit::proxy::{Fault, Proxy, Rule};
pub use driftd_testkit::seed::{ec2_client, seed_region, Seeded, TfState};

/// A directory removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("driftd-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Copies `tests/fixtures/tfstate/<fixture>` into this directory as `name`.
    pub fn state_fixture(&self, fixture: &str, name: &str) -> PathBuf {
        let to = self.0.join(name);
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/tfstate")
                .join(fixture),
            &to,
        )
        .expect("copy state fixture");
        to
    }

    /// Writes `text` to `name` (parent directories created). A driftd config (a `.toml` with
    /// `[[target]]`) that does not mention `[policies]` gets `builtin = false`: the built-in
    /// pack is on by default, and tests that are not about policies assert the drift they
    /// plant, not the violations moto's defaults (unencrypted volumes, buckets without a public
    /// access block) would add. tests/policies.rs turns it on where it matters.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create temp subdirectory");
        }
        let text = if name.ends_with(".toml")
            && text.contains("[[target]]")
            && !text.contains("[policies]")
        {
            format!("{text}\n[policies]\nbuiltin = false\n")
        } else {
            text.to_string()
        };
        std::fs::write(&p, text).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The result of one `driftd` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}",
                self.code, self.stdout, self.stderr
            )
        })
    }
}

/// Runs the built binary in `dir` with static credentials and no ambient AWS configuration.
pub fn driftd(dir: &Path, args: &[&str]) -> Run {
    driftd_with(dir, args, |c| {
        c.env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY);
    })
}

/// Like [`driftd`], without credentials unless `setup` adds some.
pub fn driftd_with(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
    // Empty shared config files: nothing from the machine's ~/.aws leaks into a test.
    for f in ["aws-config", "aws-credentials"] {
        std::fs::write(dir.join(f), "").expect("write empty AWS config");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftd"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env_remove("RUST_LOG")
        .env("AWS_CONFIG_FILE", dir.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    setup(&mut cmd);
    let out: Output = cmd.output().expect("run driftd");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A config with one target `demo` over `terraform.tfstate` in the given regions.
pub fn config(endpoint: &str, regions: &[&str]) -> String {
    let regions: Vec<String> = regions.iter().map(|r| format!("{r:?}")).collect();
    format!(
        "[[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [{}]\n\n\
         [target.aws]\nendpoint_url = \"{endpoint}\"\nmax_attempts = 2\ntimeout_secs = 20\n",
        regions.join(", ")
    )
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Seeds each `(region, instances)` into moto and writes the state to `dir/terraform.tfstate`.
pub fn seed(
    rt: &tokio::runtime::Runtime,
    moto: &Moto,
    dir: &TempDir,
    regions: &[(&str, usize)],
) -> Vec<Seeded> {
    let mut state = TfState::new();
    let seeded = rt.block_on(async {
        let mut out = Vec::new();
        for (region, n) in regions {
            let client = ec2_client(&moto.endpoint(), region).await;
            out.push(
                seed_region(&client, region, "prod", *n, &mut state)
                    .await
                    .expect("seed moto"),
            );
        }
        out
    });
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    seeded
}

/// [`config`] limited to `types`, with `extra` target settings (one per line, or none).
pub fn config_for_types(endpoint: &str, regions: &[&str], types: &[&str], extra: &str) -> String {
    let list: Vec<String> = types.iter().map(|t| format!("{t:?}")).collect();
    config(endpoint, regions).replacen(
        "[target.aws]",
        &format!(
            "resource_types = [{}]\n{extra}\n[target.aws]",
            list.join(", ")
        ),
        1,
    )
}

/// `(kind, tier, resource_type, resource_id)`, as a test writes the finding it expects.
pub fn summary(kind: &str, tier: &str, t: &str, id: &str) -> (String, String, String, String) {
    (kind.into(), tier.into(), t.into(), id.into())
}

/// `(kind, tier, resource_type, resource_id, changed paths)` of every finding, in report order.
pub fn findings(report: &Value) -> Vec<(String, String, String, String, Vec<String>)> {
    let findings = report["findings"].as_array().expect("findings array");
    finding_summary(report)
        .into_iter()
        .zip(findings)
        .map(|((kind, tier, t, id), f)| {
            let paths = f["changes"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|c| c["path"].as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            (kind, tier, t, id, paths)
        })
        .collect()
}

/// One entry of [`findings`], as a test writes the finding it expects.
pub fn finding(
    kind: &str,
    tier: &str,
    t: &str,
    id: &str,
    paths: &[&str],
) -> (String, String, String, String, Vec<String>) {
    let (kind, tier, t, id) = summary(kind, tier, t, id);
    (
        kind,
        tier,
        t,
        id,
        paths.iter().map(|p| p.to_string()).collect(),
    )
}

/// `(kind, tier, resource_type, resource_id)` of every finding, in report order.
pub fn finding_summary(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["tier"].as_str().unwrap_or("").to_string(),
                f["resource_type"].as_str().unwrap_or("").to_string(),
                f["resource_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// `driftd -v daemon --config driftd.toml --state-dir state` in `dir`, with test credentials,
/// not under systemd, logging to `dir/daemon.log`. Add channel secrets with `.env(...)`.
pub fn daemon_command(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_driftd"));
    cmd.args([
        "-v",
        "daemon",
        "--config",
        "driftd.toml",
        "--state-dir",
        "state",
    ])
    .current_dir(dir)
    .env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
    .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
    .env("AWS_EC2_METADATA_DISABLED", "true")
    .env_remove("NOTIFY_SOCKET")
    .stdout(std::process::Stdio::null())
    .stderr(std::fs::File::create(dir.join("daemon.log")).expect("create daemon.log"));
    cmd
}

/// Opens (or closes again) SSH to the whole internet on a security group: critical drift.
pub fn ssh_to_world(rt: &tokio::runtime::Runtime, moto: &Moto, region: &str, sg: &str, open: bool) {
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), region).await;
        let result = if open {
            c.authorize_security_group_ingress()
                .group_id(sg)
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .cidr_ip("0.0.0.0/0")
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else {
            c.revoke_security_group_ingress()
                .group_id(sg)
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .cidr_ip("0.0.0.0/0")
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        result.expect("change SSH ingress in moto");
    });
}

/// Copies a directory tree (an example project into a test's directory).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// The report's finding of one kind for one Terraform address.
pub fn find<'r>(report: &'r Value, kind: &str, address: &str) -> Option<&'r Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["address"] == address)
}

/// Adds a resource instance of any type (one driftd does not compare, for coverage tests) to
/// `dir/terraform.tfstate`, as Terraform writes it.
pub fn add_to_state(dir: &TempDir, resource_type: &str, name: &str, attributes: Value) {
    let path = dir.path().join("terraform.tfstate");
    let mut state: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read state")).expect("state");
    state["resources"]
        .as_array_mut()
        .expect("resources")
        .push(serde_json::json!({
            "mode": "managed",
            "type": resource_type,
            "name": name,
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 0, "attributes": attributes,
                           "sensitive_attributes": [], "private": "bnVsbA=="}],
        }));
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).expect("write state");
}

/// A finding as a test writes it: `(kind, tier, resource_type, resource_id, changed paths)`.
pub type Found = (String, String, String, String, Vec<String>);

/// The API calls one type's listing made, from its `-v` progress line.
pub fn api_calls(stderr: &str, resource_type: &str) -> Option<u64> {
    let line = stderr
        .lines()
        .find(|l| l.contains(&format!("resource_type={resource_type} ")))?;
    line.split_whitespace()
        .find_map(|t| t.strip_prefix("api_calls="))
        .and_then(|n| n.parse().ok())
}

/// Runs `check` in `dir` and asserts it is in sync: exit 0, no finding, `managed` resources.
pub fn assert_in_sync(dir: &TempDir, managed: u64) {
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "stderr: {}",
        run.stderr
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["summary"]["managed"], serde_json::json!(managed));
}

/// Runs `-v check` in `dir` and asserts exactly the `want` findings (in any order), exit 2.
pub fn assert_findings(dir: &TempDir, mut want: Vec<Found>) -> Run {
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let mut got = findings(&run.json());
    got.sort();
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    run
}

/// Validates `text` as `format` (json, sarif, junit) with tests/schemas/validate.py.
pub fn validate_report(dir: &Path, format: &str, text: &str) {
    let file = dir.join(format!("report.{format}"));
    std::fs::write(&file, text).expect("write report");
    let out = std::process::Command::new(driftd_testkit::venv().join("bin").join("python"))
        .arg(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/validate.py"))
        .arg(format)
        .arg(&file)
        .output()
        .expect("run validate.py (bash scripts/setup installs the venv)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim() == "valid",
        "{format} report is not valid:\n{stdout}\n{}\nreport:\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}
