//! Crash soak: the daemon is killed with SIGKILL at random points (mid-scan, mid-delivery,
//! between the two, at start while migrating or recovering) many times in a row, while the
//! drift it watches comes and goes. Then it runs to quiescence, and:
//! - every transition of the finding (opened, reopened, resolved) was delivered, and none was
//!   planned twice: one idempotency key per transition, whatever the receiver saw repeated;
//! - no scan is left `running`; the database passes `PRAGMA integrity_check`.
//!
//! Iterations: `DRIFTD_SOAK_ITERATIONS` (default 50, about a minute here); the seed of the
//! random kill points is printed, and `DRIFTD_SOAK_SEED` replays one.

mod util;

use driftd_testkit::receiver::Receiver;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::time::{Duration, Instant};
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";

fn plan(drifted: bool) -> String {
    let before = json!({"id": "rec-1", "content": "203.0.113.7"});
    let after =
        json!({"id": "rec-1", "content": if drifted { "198.51.100.9" } else { "203.0.113.7" }});
    let drift = if drifted {
        json!([{"address": "cloudflare_record.www", "mode": "managed",
                "type": "cloudflare_record", "name": "www", "provider_name": CF,
                "change": {"actions": ["update"], "before": before, "after": after,
                           "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}])
    } else {
        json!([])
    };
    json!({
        "format_version": "1.2", "terraform_version": "1.9.8", "resource_drift": drift,
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
            {"address": "cloudflare_record.www", "mode": "managed", "type": "cloudflare_record",
             "name": "www", "provider_name": CF, "schema_version": 0, "values": after,
             "sensitive_values": {}}]}}},
        "complete": true, "errored": false
    })
    .to_string()
}

/// A small deterministic generator (xorshift), so a failing run can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn history(dir: &TempDir, extra: &[&str]) -> Value {
    let mut args = vec!["report", "--state-dir", "state", "--format", "json"];
    args.extend_from_slice(extra);
    let run = driftd(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.json()
}

#[test]
fn sigkill_at_random_points_loses_nothing_and_plans_nothing_twice() {
    let iterations: u64 = std::env::var("DRIFTD_SOAK_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed: u64 = std::env::var("DRIFTD_SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(7)
        });
    eprintln!("crash soak: {iterations} kills, DRIFTD_SOAK_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = TempDir::new("crash-soak");
    let hooks = Receiver::start(vec![]).unwrap();
    let mut drifted = true;
    dir.write("plan.json", &plan(drifted));
    dir.write(
        "driftd.toml",
        "[daemon]\nshutdown_timeout_secs = 2\n\n\
         [[target]]\nname = \"edge\"\nplans = [\"plan.json\"]\nschedule = \"* * * * * *\"\n\
         run_at_start = true\n\n\
         [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"env:HOOK\"\n\n\
         [notify.critical]\nrepeat_interval_secs = 0\n\n\
         [[route]]\ntiers = [\"critical\"]\nchannels = [\"hook\"]\n\n\
         [[classify]]\ntier = \"critical\"\nresource_type = \"cloudflare_record\"\n",
    );
    let start = || {
        daemon_command(dir.path())
            .env("HOOK", hooks.url("/hook"))
            .spawn()
            .expect("start daemon")
    };
    let mut toggles = 0;
    for i in 0..iterations {
        let mut daemon = start();
        std::thread::sleep(Duration::from_millis(20 + rng.below(1500)));
        if i % 4 == 3 {
            drifted = !drifted;
            toggles += 1;
            dir.write("plan.json", &plan(drifted));
        }
        let _ = daemon.kill();
        let _ = daemon.wait();
    }

    // Run to quiescence: a scan after the last change, and its notification delivered.
    let mut daemon = start();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let h = history(&dir, &[]);
        let scans = h["recent_scans"].as_array().cloned().unwrap_or_default();
        let open = h["findings"].as_array().map_or(0, Vec::len);
        // Two complete scans since this start, and the finding in the state the plan says.
        let complete = scans
            .iter()
            .take(2)
            .filter(|s| s["status"] == "complete")
            .count();
        if complete == 2 && (open == 1) == drifted {
            // Its notification delivered too.
            std::thread::sleep(Duration::from_secs(3));
            break;
        }
        assert!(Instant::now() < deadline, "never settled: {h:#}");
        std::thread::sleep(Duration::from_millis(250));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();

    // The finding's life, from the history.
    let fp = hooks
        .received()
        .iter()
        .find_map(|r| {
            r.json()["finding"]["fingerprint"]
                .as_str()
                .map(String::from)
        })
        .expect("the finding was notified at least once");
    let timeline = history(&dir, &["--finding", &fp[..12]]);
    let events: Vec<String> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    let triggers = events
        .iter()
        .filter(|e| *e == "opened" || *e == "reopened")
        .count();
    let resolves = events.iter().filter(|e| *e == "resolved").count();

    // What the receiver got, by idempotency key.
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut deliveries = 0;
    for r in hooks.received().iter().filter(|r| r.status < 300) {
        deliveries += 1;
        let event = r.json()["event"].as_str().unwrap_or("").to_string();
        let key = r
            .headers
            .get("idempotency-key")
            .cloned()
            .unwrap_or_default();
        keys.entry(event).or_default().insert(key);
    }
    let distinct = |e: &str| keys.get(e).map_or(0, BTreeSet::len);
    eprintln!(
        "crash soak: {iterations} kills, {toggles} changes of the drift; history events \
         {events:?}; {deliveries} deliveries, {} distinct trigger keys, {} distinct resolve keys",
        distinct("trigger"),
        distinct("resolve")
    );
    assert!(triggers >= 1, "{events:?}");
    assert_eq!(
        distinct("trigger"),
        triggers,
        "every opening notified once: {keys:?}"
    );
    assert_eq!(
        distinct("resolve"),
        resolves,
        "every resolve notified once: {keys:?}"
    );

    // Nothing left running; the database is intact.
    let h = history(&dir, &[]);
    assert!(
        h["recent_scans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "running"),
        "{h:#}"
    );
    let db = dir.path().join("state/driftd.db");
    let check = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
        ])
        .arg(&db)
        .output()
        .expect("python3 runs");
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "ok",
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}
