//! `[target.runner]`: driftd runs Terraform or OpenTofu itself (`plan -refresh-only`, then
//! `show -json`) and reads that plan as it reads a target's `plans`.
//!
//! - One run per working directory at a time in this process: two plans in one directory
//!   would fight over its `.terraform` directory.
//! - The whole run (init, plan, show) has one deadline. The command runs in its own process
//!   group with its provider plugins; at the deadline, or when the daemon stops and drops the
//!   scan, the group is interrupted (Terraform stops its plugins and exits) and what is left
//!   after a grace period is killed. If driftd itself dies, the command gets SIGTERM.
//! - The binary plan holds sensitive values in clear: it is written to a private temporary
//!   directory (mode 0700) removed when the run ends.
//! - A failed run is an error with Terraform's diagnostics (summary, detail, file:line), never
//!   an empty plan; whatever the command printed has every secret driftd knows removed.

use crate::secret::{redact, Secret};
use crate::target::config::RunnerConfig;
use crate::target::TargetConfig;
use anyhow::{anyhow, Result};
use driftd_iac::plan::{diagnostic_text, parse_plan, Plan, MAX_PLAN_BYTES};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

/// How long an interrupted command has to exit before its process group is killed.
const GRACE: Duration = Duration::from_secs(5);
/// How much of what a command writes on stderr is kept for an error message.
const STDERR_TAIL: usize = 16 * 1024;

/// Runs the target's runner and reads its plan.
pub(super) async fn run(
    target: &TargetConfig,
    runner: &RunnerConfig,
    base_dir: &Path,
) -> Result<Plan> {
    let run =
        Run::new(runner, base_dir).map_err(|e| anyhow!("target `{}`: runner: {e}", target.name))?;
    let _turn = run.wait_turn().await;
    let started = std::time::Instant::now();
    let plan = run.plan().await.map_err(|e| {
        anyhow!(
            "target `{}`: {}",
            target.name,
            redact(&e, &run.secrets.iter().collect::<Vec<_>>())
        )
    })?;
    tracing::info!(
        target = %target.name,
        command = %run.tool,
        dir = %runner.working_dir,
        seconds = started.elapsed().as_secs_f64(),
        "plan made"
    );
    Ok(plan)
}

/// One run's settings, resolved.
struct Run<'a> {
    config: &'a RunnerConfig,
    program: PathBuf,
    /// The program's file name, for messages: `terraform`, `tofu`.
    tool: String,
    dir: PathBuf,
    var_files: Vec<PathBuf>,
    env: Vec<(String, String)>,
    secrets: Vec<Secret>,
    deadline: Instant,
}

impl<'a> Run<'a> {
    fn new(config: &'a RunnerConfig, base_dir: &Path) -> Result<Run<'a>, String> {
        // The command runs in the working directory: every path it is given is absolute.
        let absolute = |p: PathBuf| std::path::absolute(&p).unwrap_or(p);
        let program = if config.command.contains('/') {
            absolute(base_dir.join(&config.command))
        } else {
            PathBuf::from(&config.command)
        };
        let tool = program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| config.command.clone());
        let dir = absolute(base_dir.join(&config.working_dir));
        if !dir.is_dir() {
            return Err(format!(
                "working_dir `{}` is not a directory (resolved from {})",
                config.working_dir,
                base_dir.display()
            ));
        }
        let (env, mut secrets) = config.environment(base_dir)?;
        secrets.extend(inherited_secrets());
        Ok(Run {
            config,
            program,
            tool,
            dir,
            var_files: config
                .var_files
                .iter()
                .map(|f| absolute(base_dir.join(f)))
                .collect(),
            env,
            secrets,
            deadline: Instant::now() + Duration::from_secs(config.timeout_secs.max(1)),
        })
    }

    /// Waits until no other run of this process uses the working directory.
    async fn wait_turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        static DIRS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
            LazyLock::new(Mutex::default);
        let key = self.dir.canonicalize().unwrap_or_else(|_| self.dir.clone());
        let lock = match DIRS.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(poisoned) => poisoned.into_inner().entry(key).or_default().clone(),
        };
        if let Ok(guard) = lock.clone().try_lock_owned() {
            return guard;
        }
        tracing::info!(dir = %self.config.working_dir, "another plan runs in this directory; waiting for it");
        lock.lock_owned().await
    }

    /// `init` when asked, `plan -refresh-only`, `show -json`: the plan, or an error that says
    /// which step failed and why.
    async fn plan(&self) -> Result<Plan, String> {
        let scratch = Scratch::new()
            .map_err(|e| format!("cannot create a private temporary directory: {e}"))?;
        let plan_file = scratch.0.join("driftd.tfplan");
        if self.config.init {
            let out = self
                .step("init", &["init", "-input=false", "-no-color"])
                .await?;
            if !out.status.success() {
                return Err(self.failed("init", &out, None));
            }
        }
        let mut args = vec![
            "plan".to_string(),
            "-refresh-only".into(),
            "-input=false".into(),
            "-lock=false".into(),
            "-no-color".into(),
            "-json".into(),
            format!("-out={}", plan_file.display()),
        ];
        args.extend(
            self.var_files
                .iter()
                .map(|f| format!("-var-file={}", f.display())),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.step("plan", &args).await?;
        if !out.status.success() {
            let diagnostics = log_errors(&out.stdout);
            return Err(self.failed("plan", &out, Some(diagnostics)));
        }
        let plan_path = plan_file.display().to_string();
        let out = self
            .step("show", &["show", "-json", "-no-color", &plan_path])
            .await?;
        if !out.status.success() {
            return Err(self.failed("show", &out, None));
        }
        if out.truncated {
            return Err(format!(
                "{} show -json in {}: the plan's JSON is larger than {MAX_PLAN_BYTES} bytes; \
                 split the root module",
                self.tool, self.config.working_dir
            ));
        }
        let source = format!(
            "{} plan -refresh-only in {}",
            self.tool, self.config.working_dir
        );
        parse_plan(&out.stdout, &source).map_err(|e| e.to_string())
    }

    /// What a failed step said: its diagnostics when it gave them, else the end of its stderr.
    fn failed(&self, step: &str, out: &StepOutput, diagnostics: Option<Vec<String>>) -> String {
        let said = match diagnostics {
            Some(d) if !d.is_empty() => d.join("; "),
            _ => {
                let text = if out.stderr.trim().is_empty() {
                    String::from_utf8_lossy(
                        &out.stdout[out.stdout.len().saturating_sub(STDERR_TAIL)..],
                    )
                    .into_owned()
                } else {
                    out.stderr.clone()
                };
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if text.is_empty() {
                    "it printed nothing".into()
                } else {
                    text
                }
            }
        };
        format!(
            "{} {step} failed in {} ({}): {}",
            self.tool,
            self.config.working_dir,
            exit_text(out.status),
            driftd_core::provider::bounded_reason(&said)
        )
    }

    /// Runs one command in the working directory, in its own process group, until it exits or
    /// the run's deadline passes.
    async fn step(&self, step: &str, args: &[&str]) -> Result<StepOutput, String> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(args)
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(ws) = &self.config.workspace {
            cmd.env("TF_WORKSPACE", ws);
        }
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                // The command gets SIGTERM (Terraform's interrupt) if driftd dies first.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot run `{}` ({e}); install it or set `[target.runner] command`",
                self.config.command
            )
        })?;
        let stdout = child
            .stdout
            .take()
            .map(|o| tokio::spawn(read_limited(o, MAX_PLAN_BYTES)));
        let stderr = child
            .stderr
            .take()
            .map(|e| tokio::spawn(read_tail(e, STDERR_TAIL)));
        let mut group = Group::new(child);
        let status = match tokio::time::timeout_at(self.deadline, group.child.wait()).await {
            Ok(status) => status.map_err(|e| format!("{} {step}: {e}", self.tool))?,
            Err(_) => {
                group.stop().await;
                return Err(format!(
                    "{} {step} in {} did not finish within timeout_secs = {}: it was interrupted; \
                     raise `[target.runner] timeout_secs`, or look for a provider that hangs",
                    self.tool, self.config.working_dir, self.config.timeout_secs
                ));
            }
        };
        group.reap();
        let (stdout, truncated) = match stdout {
            Some(task) => task.await.unwrap_or_default(),
            None => Default::default(),
        };
        let stderr = match stderr {
            Some(task) => task.await.unwrap_or_default(),
            None => String::new(),
        };
        Ok(StepOutput {
            status,
            stdout,
            truncated,
            stderr,
        })
    }
}

struct StepOutput {
    status: ExitStatus,
    stdout: Vec<u8>,
    truncated: bool,
    stderr: String,
}

fn exit_text(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => "exit status unknown".into(),
    }
}

/// The error diagnostics of a `plan -json` log.
fn log_errors(log: &[u8]) -> Vec<String> {
    log.split(|b| *b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Value>(line).ok())
        .filter(|v| v["type"] == "diagnostic" && v["diagnostic"]["severity"] == "error")
        .map(|v| diagnostic_text(&v["diagnostic"]))
        .collect()
}

/// Values of driftd's own environment that look like credentials: the command inherits them,
/// and a provider's error may echo one.
fn inherited_secrets() -> Vec<Secret> {
    const MARKS: [&str; 7] = [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "API_KEY",
    ];
    std::env::vars()
        .filter(|(k, v)| {
            let k = k.to_ascii_uppercase();
            v.len() >= 6 && MARKS.iter().any(|m| k.contains(m))
        })
        .map(|(_, v)| Secret::new(v))
        .collect()
}

/// Reads everything; past `limit` bytes, keeps reading (so the command is never blocked on a
/// full pipe) but keeps nothing, and says so.
async fn read_limited(mut r: impl AsyncRead + Unpin, limit: u64) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut over = false;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) if !over => {
                if (out.len() + n) as u64 > limit {
                    over = true;
                    out = Vec::new();
                } else {
                    out.extend_from_slice(&chunk[..n]);
                }
            }
            Ok(_) => {}
        }
    }
    (out, over)
}

/// Reads everything, keeping the last `keep` bytes as text.
async fn read_tail(mut r: impl AsyncRead + Unpin, keep: usize) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        match r.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                out.extend_from_slice(&chunk[..n]);
                if out.len() > 2 * keep {
                    out.drain(..out.len() - keep);
                }
            }
        }
    }
    let start = out.len().saturating_sub(keep);
    String::from_utf8_lossy(&out[start..]).into_owned()
}

/// A command and its process group. Dropped while the command runs (the scan was cancelled),
/// it interrupts the group and kills it after a short grace.
struct Group {
    child: tokio::process::Child,
    pgid: Option<i32>,
}

impl Group {
    fn new(child: tokio::process::Child) -> Group {
        let pgid = child.id().and_then(|id| i32::try_from(id).ok());
        Group { child, pgid }
    }

    fn signal(&self, sig: i32) {
        if let Some(pgid) = self.pgid {
            // SAFETY: kill(2) on our own child's process group; no memory is shared.
            unsafe {
                libc::kill(-pgid, sig);
            }
        }
    }

    /// Interrupts the group, waits up to [`GRACE`] for the command, then kills the group.
    async fn stop(&mut self) {
        self.signal(libc::SIGINT);
        let _ = tokio::time::timeout(GRACE, self.child.wait()).await;
        self.signal(libc::SIGKILL);
        let _ = self.child.wait().await;
        self.pgid = None;
    }

    /// The command exited: whatever it left in its group (a plugin) goes too.
    fn reap(&mut self) {
        self.signal(libc::SIGKILL);
        self.pgid = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.pgid.is_none() {
            return;
        }
        if matches!(self.child.try_wait(), Ok(None)) {
            tracing::warn!("stopping a running plan: the scan was cancelled");
            self.signal(libc::SIGINT);
            let until = std::time::Instant::now() + Duration::from_secs(2);
            while std::time::Instant::now() < until && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.signal(libc::SIGKILL);
        let _ = self.child.start_kill();
        let _ = self.child.try_wait();
    }
}

/// A private temporary directory, removed with everything in it when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        use std::os::unix::fs::DirBuilderExt;
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("driftd-plan-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_logs_errors_are_its_diagnostics() {
        let log = br#"{"@level":"info","@message":"Terraform 1.9.8","type":"version","terraform":"1.9.8","ui":"1.2"}
{"@level":"error","@message":"Error: Invalid provider configuration","type":"diagnostic","diagnostic":{"severity":"error","summary":"Invalid provider configuration","detail":"Provider \"registry.terraform.io/hashicorp/aws\" requires explicit configuration.","range":{"filename":"main.tf","start":{"line":3,"column":1,"byte":20},"end":{"line":3,"column":15,"byte":34}}}}
{"@level":"warn","@message":"Warning: Deprecated","type":"diagnostic","diagnostic":{"severity":"warning","summary":"Deprecated"}}
not json
"#;
        assert_eq!(
            log_errors(log),
            [
                "Invalid provider configuration: Provider \"registry.terraform.io/hashicorp/aws\" \
              requires explicit configuration. (main.tf:3)"
            ]
        );
    }

    #[tokio::test]
    async fn reading_is_bounded() {
        let (out, over) = read_limited(&b"0123456789"[..], 4).await;
        assert!(over && out.is_empty());
        let (out, over) = read_limited(&b"0123"[..], 4).await;
        assert!(!over);
        assert_eq!(out, b"0123");
        assert_eq!(read_tail(&b"0123456789"[..], 3).await, "789");
    }
}
