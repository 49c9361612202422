//! `driftd daemon` end to end against moto: scheduled scans into the history store, the drift
//! lifecycle, SIGHUP reload, SIGTERM shutdown, the systemd notify protocol, SIGKILL mid-scan.

mod util;

use serde_json::{json, Value};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use util::*;

const US: &str = "us-east-1";

/// A daemon process with its notify socket, read all the time as systemd reads it (a receiver
/// that stops reading makes the daemon drop datagrams once the socket's queue is full).
struct Daemon {
    child: Child,
    messages: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Daemon {
    fn start(dir: &Path, notify_path: &Path) -> Daemon {
        let _ = std::fs::remove_file(notify_path);
        let notify = UnixDatagram::bind(notify_path).expect("bind notify socket");
        notify
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        std::fs::write(dir.join("aws-config"), "").unwrap();
        std::fs::write(dir.join("aws-credentials"), "").unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_driftd"))
            .args([
                "-v",
                "daemon",
                "--config",
                "driftd.toml",
                "--state-dir",
                "state",
            ])
            .current_dir(dir)
            .env("NOTIFY_SOCKET", notify_path)
            .env("WATCHDOG_USEC", "1000000")
            .env_remove("WATCHDOG_PID")
            .env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
            .env("AWS_CONFIG_FILE", dir.join("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("aws-credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.join("daemon.log")).unwrap(),
            ))
            .spawn()
            .expect("start daemon");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (messages.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !stopped.load(Ordering::Relaxed) {
                if let Ok(n) = notify.recv(&mut buf) {
                    let m = String::from_utf8_lossy(&buf[..n]).into_owned();
                    seen.lock().unwrap().push(m);
                }
            }
        });
        Daemon {
            child,
            messages,
            stop,
        }
    }

    /// Every notify datagram received so far.
    fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until a notify datagram containing `what` has arrived.
    fn wait_notify(&mut self, what: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.messages().iter().any(|m| m.contains(what)) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill {sig} failed");
    }

    fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn history(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["report", "--state-dir", "state", "--format", "json"];
    args.extend_from_slice(extra);
    let run = driftd(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

/// Polls the history until `pred` holds.
fn wait_for(dir: &Path, what: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + timeout;
    loop {
        let h = history(dir, &[]);
        if pred(&h) {
            return h;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("daemon.log")).unwrap_or_default();
            panic!("timed out waiting for {what}; last history:\n{h:#}\ndaemon log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn daemon_config(endpoint: &str, schedule: &str) -> String {
    format!(
        "[daemon]\nshutdown_timeout_secs = 5\n\n\
         [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{US}\"]\n\
         schedule = \"{schedule}\"\nrun_at_start = true\n\n\
         [target.aws]\nendpoint_url = \"{endpoint}\"\nmax_attempts = 3\ntimeout_secs = 8\n"
    )
}

fn set_instance_type(rt: &tokio::runtime::Runtime, endpoint: &str, id: &str, t: &str) {
    rt.block_on(async {
        let c = ec2_client(endpoint, US).await;
        c.modify_instance_attribute()
            .instance_id(id)
            .instance_type(
                aws_sdk_ec2::types::AttributeValue::builder()
                    .value(t)
                    .build(),
            )
            .send()
            .await
            .expect("modify instance type");
    });
}

fn open_findings(h: &Value) -> Vec<Value> {
    h["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn drift_is_opened_seen_again_resolved_and_the_daemon_stops_cleanly() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("daemon");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    let instance = seeded[0].instance_ids[0].clone();
    set_instance_type(&rt, &moto.endpoint(), &instance, "t3.large");
    let cfg = daemon_config(&moto.endpoint(), "*/2 * * * * *");
    dir.write("driftd.toml", &cfg);

    let notify_path: PathBuf = dir.path().join("notify.sock");
    let mut daemon = Daemon::start(dir.path(), &notify_path);
    assert!(
        daemon.wait_notify("READY=1", Duration::from_secs(20)),
        "{:?}",
        daemon.messages()
    );
    assert!(
        daemon.wait_notify("WATCHDOG=1", Duration::from_secs(5)),
        "{:?}",
        daemon.messages()
    );

    // Opened, then seen again by later scheduled scans.
    let h = wait_for(
        dir.path(),
        "the drift seen twice",
        Duration::from_secs(30),
        |h| {
            open_findings(h)
                .first()
                .is_some_and(|f| f["times_seen"].as_i64().unwrap_or(0) >= 2)
        },
    );
    let f = &open_findings(&h)[0];
    assert_eq!(f["resource_id"], json!(instance));
    assert_eq!(f["kind"], json!("changed"));
    assert_eq!(f["changes"][0]["actual"], json!("t3.large"));
    assert!(f["first_seen"].as_str().unwrap() < f["last_seen"].as_str().unwrap());
    let fingerprint = f["fingerprint"].as_str().unwrap().to_string();

    // Put it back: the next scan resolves it.
    set_instance_type(
        &rt,
        &moto.endpoint(),
        &instance,
        driftd_testkit::seed::INSTANCE_TYPE,
    );
    wait_for(
        dir.path(),
        "the drift resolved",
        Duration::from_secs(60),
        |h| open_findings(h).is_empty(),
    );
    let timeline = history(dir.path(), &["--finding", &fingerprint[..10]]);
    let events: Vec<&str> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["opened", "resolved"]);
    assert!(timeline["finding"]["resolved_at"].is_string());

    // An invalid config on SIGHUP is refused; the daemon keeps scanning with the old one.
    dir.write("driftd.toml", "[[target]]\nname = 1\n");
    daemon.signal("-HUP");
    assert!(daemon.wait_notify("RELOADING=1", Duration::from_secs(10)));
    let scans_before = history(dir.path(), &[])["recent_scans"][0]["id"]
        .as_i64()
        .unwrap();
    wait_for(
        dir.path(),
        "scans after a refused reload",
        Duration::from_secs(20),
        |h| h["recent_scans"][0]["id"].as_i64().unwrap_or(0) > scans_before,
    );
    // A valid change is applied on SIGHUP: a new target starts being scanned.
    let added = cfg.replace("name = \"demo\"", "name = \"demo-copy\"");
    let added = added
        .split_once("[[target]]")
        .map(|(_, t)| format!("{cfg}\n[[target]]{t}"))
        .unwrap();
    dir.write("driftd.toml", &added);
    daemon.signal("-HUP");
    wait_for(
        dir.path(),
        "the added target scanned",
        Duration::from_secs(20),
        |_| {
            let copy = history(dir.path(), &["--target", "demo-copy"]);
            copy["recent_scans"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
        },
    );

    daemon.signal("-TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(30)), Some(0));
    assert!(daemon.wait_notify("STOPPING=1", Duration::from_secs(2)));
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(log.contains("reload failed"), "{log}");
    assert!(!log.contains(driftd_testkit::SECRET_KEY));
    // Two targets now: the report is one object per target, and no scan is left running (a
    // scan cut short by the stop is failed; one whose listing timed out on a loaded machine is
    // incomplete).
    let all = history(dir.path(), &[]);
    let targets = all.as_array().expect("one report per target");
    assert_eq!(targets.len(), 2);
    for t in targets {
        assert!(
            t["recent_scans"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["status"] != "running"),
            "{:#}",
            t["recent_scans"]
        );
    }
}

/// Code that asks for a billion instances, or nests deeper than any parser should recurse, is
/// that target's error: the process neither aborts nor runs out of memory, and the other
/// targets keep being scanned on their schedule.
#[test]
fn a_targets_unreadable_code_is_its_error_and_the_others_keep_scanning() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("bounded");
    seed(&rt, &moto, &dir, &[(US, 1)]);
    for bad in ["huge", "deep"] {
        std::fs::create_dir_all(dir.path().join(bad)).expect("mkdir");
    }
    dir.write(
        "huge/main.tf",
        "resource \"aws_instance\" \"web\" {\n  count = 1000000000\n  ami   = \"ami-1\"\n}\n",
    );
    dir.write(
        "deep/main.tf",
        &format!(
            "resource \"aws_instance\" \"web\" {{\n  ami = {}1{}\n}}\n",
            "(".repeat(200),
            ")".repeat(200)
        ),
    );
    let mut cfg = daemon_config(&moto.endpoint(), "*/2 * * * * *");
    for bad in ["huge", "deep"] {
        cfg.push_str(&format!(
            "\n[[target]]\nname = \"{bad}\"\ncode = \"{bad}\"\nregions = [\"{US}\"]\n\
             schedule = \"*/2 * * * * *\"\nrun_at_start = true\n\n[target.aws]\n\
             endpoint_url = \"{}\"\nmax_attempts = 3\ntimeout_secs = 8\n",
            moto.endpoint()
        ));
    }
    dir.write("driftd.toml", &cfg);
    let notify_path = dir.path().join("notify.sock");
    let mut daemon = Daemon::start(dir.path(), &notify_path);
    assert!(daemon.wait_notify("READY=1", Duration::from_secs(20)));

    let scans = |target: &str| -> Vec<Value> {
        history(dir.path(), &["--target", target])["recent_scans"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    wait_for(
        dir.path(),
        "failed scans of both bad targets and two complete scans of the good one",
        Duration::from_secs(60),
        |_| {
            let failed = |t: &str| scans(t).iter().any(|s| s["status"] == "failed");
            let complete = scans("demo")
                .iter()
                .filter(|s| s["status"] == "complete")
                .count();
            failed("huge") && failed("deep") && complete >= 2
        },
    );
    let error_of = |target: &str| -> String {
        scans(target)
            .iter()
            .find(|s| s["status"] == "failed")
            .and_then(|s| s["error"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let huge = error_of("huge");
    assert!(huge.contains("main.tf:1:"), "{huge}");
    assert!(huge.contains("1000000000"), "{huge}");
    assert!(huge.contains("max_instances"), "{huge}");
    let deep = error_of("deep");
    assert!(deep.contains("main.tf:2:"), "{deep}");
    assert!(deep.contains("64"), "names the nesting limit: {deep}");
    assert!(deep.len() < 1000, "bounded: {deep}");

    assert_eq!(
        daemon.child.try_wait().expect("poll daemon"),
        None,
        "still running"
    );
    daemon.signal("-TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(30)), Some(0));
}

#[test]
fn sigkill_mid_scan_loses_no_history() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("crash");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    set_instance_type(
        &rt,
        &moto.endpoint(),
        &seeded[0].instance_ids[0],
        "t3.large",
    );
    let proxy = Proxy::start(moto.port, vec![]).expect("proxy");
    dir.write(
        "driftd.toml",
        &daemon_config(&proxy.endpoint(), "*/2 * * * * *"),
    );
    let notify_path = dir.path().join("notify.sock");

    let mut daemon = Daemon::start(dir.path(), &notify_path);
    assert!(daemon.wait_notify("READY=1", Duration::from_secs(20)));
    let h = wait_for(dir.path(), "a first scan", Duration::from_secs(30), |h| {
        !open_findings(h).is_empty()
    });
    let seen_before = open_findings(&h)[0]["times_seen"].as_i64().unwrap();
    let first_seen = open_findings(&h)[0]["first_seen"].clone();

    // Hold the next scan in the middle, then kill the daemon outright.
    proxy.set_rules(vec![Rule {
        region: None,
        action: Some("DescribeVolumes".into()),
        fault: Fault::Delay(Duration::from_secs(60)),
    }]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.faults() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(proxy.faults() > 0, "no scan reached DescribeVolumes");
    daemon.signal("-KILL");
    daemon.wait_exit(Duration::from_secs(10));
    proxy.set_rules(vec![]);

    // Restarted, it records the interrupted scan as failed and carries on.
    let mut daemon = Daemon::start(dir.path(), &notify_path);
    assert!(daemon.wait_notify("READY=1", Duration::from_secs(20)));
    let h = wait_for(
        dir.path(),
        "scanning again after the crash",
        Duration::from_secs(30),
        |h| {
            open_findings(h)
                .first()
                .is_some_and(|f| f["times_seen"].as_i64().unwrap_or(0) > seen_before)
        },
    );
    let scans = h["recent_scans"].as_array().unwrap();
    let failed: Vec<&Value> = scans.iter().filter(|s| s["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{scans:#?}");
    assert!(failed[0]["error"].as_str().unwrap().contains("interrupted"));
    assert!(!scans
        .iter()
        .any(|s| s["status"] == "running" && s["id"] == failed[0]["id"]));
    // The finding's history survived: same first sighting, counted on.
    assert_eq!(open_findings(&h)[0]["first_seen"], first_seen);

    // A manual scan shares the store with the running daemon.
    let run = driftd(
        dir.path(),
        &[
            "scan",
            "--config",
            "driftd.toml",
            "--state-dir",
            "state",
            "--target",
            "demo",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let h = history(dir.path(), &[]);
    assert!(h["recent_scans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["trigger"] == "manual" && s["status"] == "complete"));

    // A manual scan that meets the daemon's scan of the same target waits for it (and gives
    // up past --wait-timeout), instead of failing at once or scanning alongside it.
    proxy.set_rules(vec![Rule {
        region: None,
        action: Some("DescribeVolumes".into()),
        fault: Fault::Delay(Duration::from_secs(4)),
    }]);
    let faults = proxy.faults();
    let deadline = Instant::now() + Duration::from_secs(30);
    while proxy.faults() == faults && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        proxy.faults() > faults,
        "no daemon scan reached DescribeVolumes"
    );
    let manual = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--config",
            "driftd.toml",
            "--state-dir",
            "state",
            "--target",
            "demo",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        driftd(dir.path(), &args)
    };
    let run = manual(&["--wait-timeout", "1"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("still being scanned by another driftd process after 1 s"),
        "{}",
        run.stderr
    );
    proxy.set_rules(vec![]);
    let run = manual(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("waiting for it to finish"),
        "{}",
        run.stderr
    );

    daemon.signal("-TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(30)), Some(0));
}

#[test]
fn the_systemd_unit_verifies() {
    let dir = TempDir::new("unit");
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/systemd/driftd.service"
    ))
    .unwrap();
    for needle in [
        "Type=notify",
        "ExecStartPre=/usr/local/bin/driftd validate",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "StateDirectory=driftd",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "WatchdogSec=",
    ] {
        assert!(unit.contains(needle), "unit lacks `{needle}`");
    }
    let unit = unit.replace("/usr/local/bin/driftd", env!("CARGO_BIN_EXE_driftd"));
    let path = dir.path().join("driftd.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (installed by scripts/setup)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("driftd.service"), "{stderr}");
}
