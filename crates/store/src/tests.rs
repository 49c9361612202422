use super::*;
use driftd_core::report::{ScanInfo, Tool};
use driftd_core::{Change, ChangeOp, Summary};
use serde_json::json;

fn tmp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "driftd-store-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("driftd.db")
}

fn finding(id: &str, region: &str, actual: &str) -> Finding {
    Finding {
        fingerprint: format!("fp-{id}-0000"),
        kind: FindingKind::Changed,
        tier: Tier::Warning,
        provider: "aws".into(),
        resource_type: "aws_instance".into(),
        resource_id: id.into(),
        address: Some(format!("aws_instance.{id}")),
        region: Some(region.into()),
        source: Some("s.tfstate".into()),
        changes: vec![Change {
            path: "instance_type".into(),
            op: ChangeOp::Replace,
            expected: json!("t3.micro"),
            actual: json!(actual),
        }],
    }
}

fn report(findings: Vec<Finding>, skipped: Vec<Skipped>) -> Report {
    Report {
        schema_version: 1,
        tool: Tool {
            name: "driftd".into(),
            version: "0".into(),
        },
        target: "prod".into(),
        scan: ScanInfo {
            started_at: "x".into(),
            finished_at: "x".into(),
            complete: skipped.is_empty(),
        },
        summary: Summary::default(),
        findings,
        skipped,
    }
}

fn scanned(regions: &[&str]) -> Vec<ScannedScope> {
    regions
        .iter()
        .map(|r| ("aws".to_string(), "aws_instance".to_string(), r.to_string()))
        .collect()
}

fn scan(store: &mut Store, at: &str, r: &Report, regions: &[&str]) -> LifecycleChanges {
    let id = store.begin_scan("prod", "schedule", at).unwrap();
    store.finish_scan(id, r, &scanned(regions), at).unwrap()
}

#[test]
fn lifecycle_opened_seen_changed_resolved_reopened() {
    let mut s = Store::open(&tmp_db("life")).unwrap();
    let t1 = "2026-01-01T00:00:00Z";
    let t2 = "2026-01-01T01:00:00Z";
    let t3 = "2026-01-01T02:00:00Z";
    let t4 = "2026-01-01T03:00:00Z";
    let t5 = "2026-01-01T04:00:00Z";
    let f = finding("i-1", "us-east-1", "t3.large");
    let fp = f.fingerprint.clone();

    let c = scan(&mut s, t1, &report(vec![f.clone()], vec![]), &["us-east-1"]);
    assert_eq!(c.opened, vec![fp.clone()]);
    let c = scan(&mut s, t2, &report(vec![f.clone()], vec![]), &["us-east-1"]);
    assert!(c.opened.is_empty() && c.changed.is_empty());
    let open = s.open_findings(Some("prod")).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].first_seen.as_str(), open[0].last_seen.as_str()),
        (t1, t2)
    );
    assert_eq!(open[0].times_seen, 2);

    let moved = finding("i-1", "us-east-1", "t3.xlarge");
    let c = scan(&mut s, t3, &report(vec![moved], vec![]), &["us-east-1"]);
    assert_eq!(c.changed, vec![fp.clone()]);
    assert_eq!(
        s.open_findings(None).unwrap()[0].finding.changes[0].actual,
        json!("t3.xlarge")
    );

    let c = scan(&mut s, t4, &report(vec![], vec![]), &["us-east-1"]);
    assert_eq!(c.resolved, vec![fp.clone()]);
    assert!(s.open_findings(None).unwrap().is_empty());
    assert_eq!(s.finding(&fp).unwrap()[0].resolved_at.as_deref(), Some(t4));

    let c = scan(&mut s, t5, &report(vec![f], vec![]), &["us-east-1"]);
    assert_eq!(c.reopened, vec![fp.clone()]);
    let rec = &s.open_findings(None).unwrap()[0];
    assert_eq!(rec.reopened, 1);
    assert_eq!(rec.times_seen, 4);
    assert_eq!(rec.first_seen, t1);

    let events: Vec<String> = s
        .finding_events(&fp)
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["opened", "changed", "resolved", "reopened"]);
}

#[test]
fn a_skipped_scope_resolves_nothing() {
    let mut s = Store::open(&tmp_db("skipped")).unwrap();
    let f = finding("i-1", "eu-west-1", "t3.large");
    scan(
        &mut s,
        "2026-01-01T00:00:00Z",
        &report(vec![f], vec![]),
        &["eu-west-1"],
    );
    let skipped = Skipped {
        provider: "aws".into(),
        resource_type: "aws_instance".into(),
        scope: "eu-west-1".into(),
        attribute: None,
        reason: "access denied".into(),
    };
    let c = scan(
        &mut s,
        "2026-01-01T01:00:00Z",
        &report(vec![], vec![skipped.clone()]),
        &[],
    );
    assert!(c.resolved.is_empty());
    assert_eq!(c.kept_unscanned.len(), 1);

    // One unreadable attribute in that scope blocks resolution too.
    let partial = Skipped {
        attribute: Some("disable_api_termination".into()),
        ..skipped
    };
    let c = scan(
        &mut s,
        "2026-01-01T02:00:00Z",
        &report(vec![], vec![partial]),
        &["eu-west-1"],
    );
    assert!(c.resolved.is_empty());
    assert_eq!(s.open_findings(None).unwrap().len(), 1);

    // A region no longer scanned at all resolves nothing either.
    let c = scan(
        &mut s,
        "2026-01-01T03:00:00Z",
        &report(vec![], vec![]),
        &["us-east-1"],
    );
    assert!(c.resolved.is_empty());
}

#[test]
fn interrupted_scans_are_recorded_failed() {
    let path = tmp_db("interrupted");
    let mut s = Store::open(&path).unwrap();
    let dead = s
        .begin_scan("prod", "schedule", "2026-01-01T00:00:00Z")
        .unwrap();
    s.conn
        .execute("UPDATE scans SET pid = 999999999 WHERE id = ?1", [dead])
        .unwrap();
    let other = s
        .begin_scan("prod", "manual", "2026-01-01T00:00:01Z")
        .unwrap();
    s.conn
        .execute("UPDATE scans SET pid = 424242 WHERE id = ?1", [other])
        .unwrap();
    drop(s);

    let mut s = Store::open(&path).unwrap();
    let n = s
        .recover_interrupted("2026-01-01T00:05:00Z", |pid| pid == 424242)
        .unwrap();
    assert_eq!(n, 1);
    let scans = s.recent_scans(Some("prod"), None, 10).unwrap();
    let by_id = |id| scans.iter().find(|x| x.id == id).unwrap();
    assert_eq!(by_id(dead).status, ScanStatus::Failed);
    assert!(by_id(dead)
        .error
        .as_deref()
        .unwrap()
        .contains("interrupted"));
    assert_eq!(by_id(other).status, ScanStatus::Running);
}

#[test]
fn two_processes_can_write_at_once() {
    let path = tmp_db("concurrent");
    Store::open(&path).unwrap();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&path).unwrap();
                for i in 0..25 {
                    let at = format!("2026-01-01T00:{i:02}:0{t}Z");
                    let f = finding(&format!("i-{t}-{i}"), "us-east-1", "t3.large");
                    let id = s.begin_scan("prod", "manual", &at).unwrap();
                    s.finish_scan(id, &report(vec![f], vec![]), &[], &at)
                        .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.recent_scans(None, None, 1000).unwrap().len(), 50);
    let ok: String = s
        .conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn newer_schema_is_refused_with_what_to_do() {
    let path = tmp_db("too-new");
    let s = Store::open(&path).unwrap();
    s.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(s);
    let err = Store::open(&path).err().unwrap().to_string();
    assert!(err.contains("schema version 99"), "{err}");
    assert!(err.contains("run a newer driftd"), "{err}");
}

#[test]
fn reports_and_since_filter() {
    let mut s = Store::open(&tmp_db("since")).unwrap();
    scan(
        &mut s,
        "2026-01-01T00:00:00Z",
        &report(vec![], vec![]),
        &["us-east-1"],
    );
    scan(
        &mut s,
        "2026-01-02T00:00:00Z",
        &report(vec![], vec![]),
        &["us-east-1"],
    );
    let recent = s
        .recent_scans(None, Some("2026-01-01T12:00:00Z"), 10)
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].status, ScanStatus::Complete);
    assert_eq!(
        s.last_scan_started("prod").unwrap().as_deref(),
        Some("2026-01-02T00:00:00Z")
    );
    assert_eq!(s.last_report("prod").unwrap().unwrap().target, "prod");
    assert_eq!(s.targets().unwrap(), ["prod"]);
}
