//! `[target.runner]`: driftd runs `terraform plan -refresh-only` and `show -json` itself. The
//! program run here is a STAND-IN for terraform (tests/fixtures/runner/terraform-standin), a
//! shell script that answers as Terraform's documentation says Terraform does; no real
//! Terraform or provider is downloaded. Through the built binary: a plan made and compared, a
//! failing init, a failing plan (its diagnostics, its secrets removed), a timeout, and in the
//! daemon plan-sourced drift recorded, notified and resolved, then a hung run killed at shutdown.

mod util;

use driftd_testkit::receiver::Receiver;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";
const TOKEN: &str = "tok-3f9a1c77e2d0b5";

fn standin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runner/terraform-standin")
}

/// A refresh-only plan's JSON: a DNS record's content changed out of band (or not).
fn plan(content_now: &str) -> Value {
    let before = json!({"id": "rec-1", "zone_id": "z1", "name": "www", "content": "203.0.113.7", "ttl": 300});
    let mut after = before.clone();
    after["content"] = json!(content_now);
    let drift = if content_now == "203.0.113.7" {
        json!([])
    } else {
        json!([{"address": "cloudflare_record.www", "mode": "managed", "type": "cloudflare_record",
                "name": "www", "provider_name": CF,
                "change": {"actions": ["update"], "before": before, "after": after,
                           "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}])
    };
    json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_drift": drift,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.8", "values": {
            "root_module": {"resources": [
                {"address": "cloudflare_record.www", "mode": "managed", "type": "cloudflare_record",
                 "name": "www", "provider_name": CF, "schema_version": 0, "values": after,
                 "sensitive_values": {}}
            ]}}},
        "applyable": false, "complete": true, "errored": false
    })
}

/// A config directory with a root module `infra/`, a var file, the plan the stand-in shows, and
/// a target whose runner runs the stand-in in `mode`.
fn setup(dir: &TempDir, mode: &str, extra_runner: &str, extra_config: &str) {
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    dir.write(
        "infra/main.tf",
        "resource \"cloudflare_record\" \"www\" {}\n",
    );
    dir.write("prod.tfvars", "zone = \"z1\"\n");
    dir.write("plan.json", &plan("198.51.100.9").to_string());
    dir.write(
        "driftd.toml",
        &format!(
            "{extra_config}\
             [[target]]\nname = \"edge\"\n{target_extra}\n\
             [target.runner]\ncommand = \"{cmd}\"\nworking_dir = \"infra\"\nworkspace = \"prod\"\n\
             var_files = [\"prod.tfvars\"]\ninit = true\n{extra_runner}\n\
             env = {{ STANDIN_MODE = \"{mode}\", STANDIN_PLAN = \"{plan}\", STANDIN_LOG = \"{log}\", \
             STANDIN_PIDS = \"{pids}\", STANDIN_MODE_FILE = \"{mode_file}\", \
             STANDIN_TOKEN = \"env:RUNNER_TEST_TOKEN\" }}\n",
            target_extra = if extra_config.is_empty() {
                ""
            } else {
                "schedule = \"*/2 * * * * *\"\nrun_at_start = true"
            },
            cmd = standin().display(),
            plan = dir.path().join("plan.json").display(),
            log = dir.path().join("calls.log").display(),
            pids = dir.path().join("pids").display(),
            mode_file = dir.path().join("mode").display(),
        ),
    );
}

fn check(dir: &TempDir, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    driftd_with(dir.path(), &all, |c| {
        c.env("RUNNER_TEST_TOKEN", TOKEN);
    })
}

fn calls(dir: &TempDir) -> Vec<String> {
    std::fs::read_to_string(dir.path().join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// The pids the stand-in wrote: itself and its child, once both are written.
fn pids(dir: &TempDir, timeout: Duration) -> Vec<i32> {
    let deadline = Instant::now() + timeout;
    loop {
        let got: Vec<i32> = std::fs::read_to_string(dir.path().join("pids"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        if got.len() >= 2 {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "the stand-in never wrote its pids"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: i32) -> bool {
    // A zombie still answers kill(0); /proc says whether it is one.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn wait_gone(pids: &[i32], timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if pids.iter().all(|p| !alive(*p)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn a_runner_makes_the_plan_and_its_drift_is_reported() {
    let dir = TempDir::new("runner-ok");
    setup(&dir, "ok", "", "");
    let valid = driftd_with(dir.path(), &["validate"], |c| {
        c.env("RUNNER_TEST_TOKEN", TOKEN);
    });
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);

    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["summary"]["plan_compared"], json!(1), "{report:#}");
    assert_eq!(report["summary"]["coverage_pct"], json!(100.0));
    let f = &report["findings"][0];
    assert_eq!(f["engine"], json!("plan"));
    assert_eq!(f["resource_type"], json!("cloudflare_record"));
    assert_eq!(f["changes"][0]["path"], json!("content"));
    assert_eq!(f["changes"][0]["actual"], json!("198.51.100.9"));
    assert_eq!(
        f["source"],
        json!("terraform-standin plan -refresh-only in infra")
    );

    // init, then a refresh-only plan with the var file, in the workspace, then show.
    let calls = calls(&dir);
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls[0].starts_with("init -input=false"), "{calls:?}");
    assert!(
        calls[1].starts_with("plan -refresh-only -input=false -lock=false -no-color -json -out="),
        "{calls:?}"
    );
    let var_file = dir.path().join("prod.tfvars");
    assert!(
        calls[1].contains(&format!("-var-file={}", var_file.display())),
        "{calls:?}"
    );
    assert!(calls[2].starts_with("show -json -no-color "), "{calls:?}");
    for c in &calls {
        assert!(c.ends_with("workspace=prod automation=1 dir=infra"), "{c}");
    }
    // The binary plan (sensitive values in clear) does not outlive the run.
    let plan_file = calls[1]
        .split(' ')
        .find_map(|a| a.strip_prefix("-out="))
        .expect("the plan file");
    assert!(
        !Path::new(plan_file).exists(),
        "{plan_file} was left behind"
    );

    // In sync: exit 0, the plan still counted as compared.
    dir.write("plan.json", &plan("203.0.113.7").to_string());
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(run.json()["summary"]["plan_compared"], json!(1));
}

#[test]
fn a_failing_init_or_plan_fails_the_check_with_terraforms_words_and_no_secret() {
    let dir = TempDir::new("runner-fail");
    setup(&dir, "fail-init", "", "");
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(
            "target `edge`: terraform-standin init failed in infra (exit status 1): Error: \
             Failed to query available provider packages"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("registry.terraform.io"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "no report on a failed run: {}",
        run.stdout
    );

    setup(&dir, "fail-plan", "", "");
    let run = check(&dir, &["--format", "json"]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains(
            "terraform-standin plan failed in infra (exit status 1): Invalid credentials: The \
             token *** was refused by the API. (providers.tf:7)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);

    // A secret reference that cannot be read names the variable, and nothing runs.
    std::fs::remove_file(dir.path().join("calls.log")).unwrap();
    let run = driftd(dir.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("env.STANDIN_TOKEN: environment variable RUNNER_TEST_TOKEN is not set"),
        "{}",
        run.stderr
    );
    assert!(calls(&dir).is_empty());
}

#[test]
fn a_plan_past_its_timeout_is_interrupted_and_the_check_fails() {
    let dir = TempDir::new("runner-timeout");
    setup(&dir, "slow", "timeout_secs = 2", "");
    let started = Instant::now();
    let run = check(&dir, &[]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains(
            "terraform-standin plan in infra did not finish within timeout_secs = 2: it was \
             interrupted"
        ),
        "{}",
        run.stderr
    );
    let pids = pids(&dir, Duration::from_secs(1));
    assert!(
        wait_gone(&pids, Duration::from_secs(5)),
        "{pids:?} still run"
    );
    // Interrupted at 2 s; the stand-in honours the interrupt as Terraform does.
    eprintln!("timed-out check took {:?}", started.elapsed());
}

#[test]
fn the_daemon_records_notifies_and_resolves_plan_drift_and_kills_a_hung_plan_at_shutdown() {
    let dir = TempDir::new("runner-daemon");
    let hooks = Receiver::start(vec![]).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    setup(
        &dir,
        "ok",
        "",
        &format!("[daemon]\nshutdown_timeout_secs = 1\n\n[web]\nlisten = \"127.0.0.1:{port}\"\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"env:HOOK\"\n\n\
         [notify.critical]\ngroup_wait_secs = 0\nconfirm_scans = 1\nrepeat_interval_secs = 0\nsend_resolved = true\n\n\
         [[route]]\ntiers = [\"critical\"]\nchannels = [\"hook\"]\n\n\
         [[classify]]\ntier = \"critical\"\nresource_type = \"cloudflare_record\"\npath = \"content\"\n\n"),
    );
    let mut daemon = daemon_command(dir.path())
        .env("HOOK", hooks.url("/hook"))
        .env("RUNNER_TEST_TOKEN", TOKEN)
        .spawn()
        .expect("start daemon");
    let wait = |what: &str, secs: u64, pred: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !pred() {
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
                let got: Vec<String> = hooks
                    .received()
                    .iter()
                    .map(|r| String::from_utf8_lossy(&r.body).into_owned())
                    .collect();
                panic!("timed out waiting for {what}; received {got:?}\nlog:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let events = || -> Vec<Value> {
        hooks
            .received()
            .into_iter()
            .filter(|r| r.path == "/hook" && r.status < 300)
            .map(|r| r.json())
            .collect()
    };
    wait("the plan's drift notified", 30, &|| {
        events().iter().any(|e| e["event"] == "trigger")
    });
    let trigger = events()
        .into_iter()
        .find(|e| e["event"] == "trigger")
        .unwrap();
    assert_eq!(
        trigger["finding"]["resource_type"],
        json!("cloudflare_record")
    );
    assert_eq!(trigger["finding"]["engine"], json!("plan"));
    assert_eq!(trigger["finding"]["tier"], json!("critical"));
    // The dashboard's page of the finding says which engine compared it.
    let fingerprint = trigger["finding"]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let page = runtime().block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/findings/{fingerprint}"))
            .await
            .expect("GET the finding's page")
            .text()
            .await
            .unwrap()
    });
    assert!(page.contains("Terraform's plan"), "{page}");

    // Put back by hand: the next plan has no drift and the finding resolves.
    dir.write("plan.json", &plan("203.0.113.7").to_string());
    wait("the drift resolved", 30, &|| {
        events().iter().any(|e| e["event"] == "resolve")
    });
    let history = driftd(
        dir.path(),
        &["report", "--state-dir", "state", "--format", "json"],
    );
    let h = history.json();
    assert_eq!(h["findings"], json!([]), "{h:#}");

    // A plan that hangs and ignores interrupts: at shutdown it is killed with its child, and
    // the scan is recorded as cancelled.
    dir.write("mode", "hang");
    let pids = pids(&dir, Duration::from_secs(30));
    let stopped = Instant::now();
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = daemon.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the daemon did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    eprintln!("daemon stopped in {:?}", stopped.elapsed());
    assert!(
        wait_gone(&pids, Duration::from_secs(2)),
        "{pids:?} still run"
    );
    let h = driftd(
        dir.path(),
        &["report", "--state-dir", "state", "--format", "json"],
    )
    .json();
    let last = &h["recent_scans"][0];
    assert_eq!(last["status"], json!("failed"), "{h:#}");
    assert!(
        last["error"].as_str().unwrap_or("").contains("cancelled"),
        "{last:#}"
    );
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(log.contains("stopping a running plan"), "{log}");
    assert!(!log.contains(TOKEN));
}
