//! A full disk under the history: the state directory on a 1 MiB tmpfs, a first scan recorded,
//! then a scan whose report does not fit. `driftd scan` ends with one clear error naming the
//! database and what to do, the history keeps everything it had, and the database passes
//! `PRAGMA integrity_check`. Needs root with the right to mount a tmpfs, as CI has; elsewhere
//! it says that it did not run.

mod util;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";

/// A refresh-only plan of `n` drifted records, each value `size` bytes long.
fn plan(n: usize, size: usize) -> String {
    let big = "x".repeat(size);
    let mut drift = Vec::new();
    let mut prior = Vec::new();
    for i in 0..n {
        let address = format!("cloudflare_record.r[{i}]");
        let before = json!({"id": format!("rec-{i}"), "content": "203.0.113.7"});
        let after = json!({"id": format!("rec-{i}"), "content": format!("{big}{i}")});
        drift.push(
            json!({"address": address, "mode": "managed", "type": "cloudflare_record",
            "name": "r", "index": i, "provider_name": CF,
            "change": {"actions": ["update"], "before": before, "after": after,
                       "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}),
        );
        prior.push(
            json!({"address": address, "mode": "managed", "type": "cloudflare_record",
            "name": "r", "index": i, "provider_name": CF, "schema_version": 0,
            "values": after, "sensitive_values": {}}),
        );
    }
    json!({"format_version": "1.2", "terraform_version": "1.9.8", "resource_drift": drift,
           "prior_state": {"format_version": "1.0",
                           "values": {"root_module": {"resources": prior}}},
           "complete": true, "errored": false})
    .to_string()
}

/// A tmpfs mounted for the test's life.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn integrity(db: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
        ])
        .arg(db)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_full_disk_is_one_clear_error_and_the_history_stays_intact() {
    if !is_root() {
        eprintln!("disk_full: not run: mounting a tmpfs needs root (CI runs as root)");
        return;
    }
    let dir = TempDir::new("disk-full");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&state)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "disk_full: not run: cannot mount a tmpfs at {} (no CAP_SYS_ADMIN here)",
            state.display()
        );
        return;
    }
    let _mount = Mount(state.clone());
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"edge\"\nplans = [\"plan.json\"]\n",
    );
    let scan = || {
        driftd(
            dir.path(),
            &[
                "scan",
                "--config",
                "driftd.toml",
                "--state-dir",
                "state",
                "--target",
                "edge",
                "--format",
                "json",
            ],
        )
    };
    dir.write("plan.json", &plan(2, 10));
    let first = scan();
    assert_eq!(first.code, 2, "{}", first.stderr);

    // 3,000 findings of 1 KB each: several MB of report and history for a 1 MiB disk.
    dir.write("plan.json", &plan(3000, 1000));
    let full = scan();
    assert_eq!(
        full.code,
        1,
        "stdout: {}\nstderr: {}",
        &full.stdout.chars().take(200).collect::<String>(),
        full.stderr
    );
    assert!(
        full.stderr.contains("full") && full.stderr.contains("driftd.db"),
        "{}",
        full.stderr
    );
    assert!(full.stderr.contains("free space"), "{}", full.stderr);
    assert!(!full.stderr.contains("panicked"), "{}", full.stderr);

    // The history still reads, holds the first scan's findings, and is consistent.
    let report = driftd(
        dir.path(),
        &["report", "--state-dir", "state", "--format", "json"],
    );
    assert_eq!(report.code, 0, "{}", report.stderr);
    let h = report.json();
    assert_eq!(h["findings"].as_array().map(Vec::len), Some(2), "{h:#}");
    assert!(
        h["recent_scans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] != "running"),
        "{h:#}"
    );
    assert_eq!(integrity(&state.join("driftd.db")), "ok");
}
