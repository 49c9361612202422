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
        engine: Default::default(),
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
            expected_from: None,
            code: None,
        }],
        policy: None,
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
            api_calls: None,
            throttles: None,
        },
        summary: Summary::default(),
        findings,
        skipped,
        ignored: Vec::new(),
        expired_ignores: Vec::new(),
        policy_errors: Vec::new(),
        not_compared: Vec::new(),
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
    // Its pid now names a live process (this one): a reused pid.
    s.conn
        .execute(
            "UPDATE scans SET pid = ?2 WHERE id = ?1",
            [dead, i64::from(std::process::id())],
        )
        .unwrap();
    let other = s
        .begin_scan("staging", "manual", "2026-01-01T00:00:01Z")
        .unwrap();
    drop(s);

    let mut s = Store::open(&path).unwrap();
    // `other` runs in a process that holds the lock of its target; `dead`'s process is gone
    // (whatever its pid names now).
    let n = s
        .recover_interrupted("2026-01-01T00:05:00Z", |target| target == "staging")
        .unwrap();
    assert_eq!(n, 1);
    let scans = s.recent_scans(None, None, 10).unwrap();
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

#[test]
fn plans_record_first_and_last_sent_and_resolves_forget() {
    let mut s = Store::open(&tmp_db("plan")).unwrap();
    scan(
        &mut s,
        "2026-01-01T00:00:00Z",
        &report(vec![finding("a", "r1", "t3.large")], vec![]),
        &["r1"],
    );
    let note = |event: &str| NewNotification {
        channel: "slack".into(),
        fingerprint: "fp-a-0000".into(),
        event: event.into(),
        payload: json!({}),
        target: Some("prod".into()),
        ..Default::default()
    };
    s.enqueue(
        &[note("trigger")],
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    )
    .unwrap();
    s.enqueue(
        &[note("repeat")],
        "2026-01-01T04:00:00Z",
        "2026-01-02T00:00:00Z",
    )
    .unwrap();
    let sent = s.last_sent("prod").unwrap();
    let got = &sent[&("fp-a-0000".to_string(), "slack".to_string())];
    assert_eq!(
        (got.first.as_str(), got.last.as_str()),
        ("2026-01-01T00:00:00Z", "2026-01-01T04:00:00Z")
    );
    // A held notification is not due before its time.
    let mut held = note("trigger");
    held.fingerprint = "degraded:prod".into();
    held.not_before = Some("2026-01-01T07:00:00Z".into());
    s.enqueue(&[held], "2026-01-01T05:00:00Z", "2026-01-02T00:00:00Z")
        .unwrap();
    assert_eq!(
        s.due_notifications("2026-01-01T06:59:59Z", 10)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.due_notifications("2026-01-01T07:00:00Z", 10)
            .unwrap()
            .len(),
        3
    );
    // Recorded under the target although no finding has that fingerprint.
    assert!(s
        .last_sent("prod")
        .unwrap()
        .contains_key(&("degraded:prod".to_string(), "slack".to_string())));
    s.enqueue(
        &[note("resolve")],
        "2026-01-01T08:00:00Z",
        "2026-01-02T00:00:00Z",
    )
    .unwrap();
    assert_eq!(s.last_sent("prod").unwrap().len(), 1);
}

#[test]
fn digests_carry_items_once_and_show_later_resolves() {
    let mut s = Store::open(&tmp_db("digest")).unwrap();
    let r1 = report(
        vec![
            finding("a", "r1", "t3.large"),
            finding("b", "r1", "t3.large"),
        ],
        vec![],
    );
    scan(&mut s, "2026-01-01T00:00:00Z", &r1, &["r1"]);
    let item = |fp: &str| NewDigestItem {
        digest: "info".into(),
        channel: "mail".into(),
        fingerprint: fp.into(),
        target: "prod".into(),
    };
    let plan = PlanWrite {
        digest_items: vec![item("fp-a-0000"), item("fp-b-0000")],
        ..Default::default()
    };
    s.plan_and_enqueue("2026-01-01T01:00:00Z", "x", |_| Ok(plan.clone()))
        .unwrap();
    // Planned twice before the digest: still one item each.
    s.plan_and_enqueue("2026-01-01T02:00:00Z", "x", |_| Ok(plan.clone()))
        .unwrap();
    assert_eq!(
        s.digest_last("info", "mail").unwrap().as_deref(),
        Some("2026-01-01T01:00:00Z")
    );
    assert_eq!(s.digest_pending("info", "mail").unwrap().len(), 2);
    let msg = NewNotification {
        channel: "mail".into(),
        fingerprint: "digest:info".into(),
        event: "digest".into(),
        payload: json!({}),
        ..Default::default()
    };
    let id = s
        .commit_digest(
            "info",
            "mail",
            "2026-01-01T09:00:00Z",
            Some(&msg),
            "2026-01-02T09:00:00Z",
        )
        .unwrap();
    assert!(id.is_some());
    assert!(s.digest_pending("info", "mail").unwrap().is_empty());
    assert_eq!(
        s.digest_last("info", "mail").unwrap().as_deref(),
        Some("2026-01-01T09:00:00Z")
    );
    // b is fixed after the first digest: the next one shows it as resolved, a as still open.
    let r2 = report(vec![finding("a", "r1", "t3.large")], vec![]);
    scan(&mut s, "2026-01-01T12:00:00Z", &r2, &["r1"]);
    let carried = s
        .digest_carried("info", "mail", "2026-01-01T09:00:00Z")
        .unwrap();
    let fps: Vec<&str> = carried.iter().map(|i| i.fingerprint.as_str()).collect();
    assert_eq!(fps, ["fp-a-0000", "fp-b-0000"]);
    // After the resolve has been reported, b is no longer carried.
    let later = s
        .digest_carried("info", "mail", "2026-01-02T09:00:00Z")
        .unwrap();
    assert_eq!(later.len(), 1);
}

#[test]
fn silences_are_active_between_start_and_end_until_expired() {
    let mut s = Store::open(&tmp_db("silence")).unwrap();
    let id = s
        .add_silence(
            &json!({"type": "aws_instance"}),
            "2026-01-01T00:00:00Z",
            "2026-01-01T04:00:00Z",
            "maintenance",
            "ops",
            "2026-01-01T00:00:00Z",
        )
        .unwrap();
    assert_eq!(s.silences(Some("2026-01-01T01:00:00Z")).unwrap().len(), 1);
    assert!(s.silences(Some("2026-01-01T04:00:00Z")).unwrap().is_empty());
    assert!(s.expire_silence(id, "2026-01-01T02:00:00Z").unwrap());
    assert!(!s.expire_silence(id, "2026-01-01T02:30:00Z").unwrap());
    assert!(s.silences(Some("2026-01-01T03:00:00Z")).unwrap().is_empty());
    let all = s.silences(None).unwrap();
    assert_eq!(all[0].expired_at.as_deref(), Some("2026-01-01T02:00:00Z"));
    assert_eq!(all[0].comment, "maintenance");
}

#[test]
fn a_findings_engine_is_kept_and_follows_the_resource() {
    let mut s = Store::open(&tmp_db("engine")).unwrap();
    let mut by_plan = finding("i-plan", "us-east-1", "t3.large");
    by_plan.engine = Engine::Plan;
    let native = finding("i-native", "us-east-1", "t3.large");
    scan(
        &mut s,
        "2026-01-01T00:00:00Z",
        &report(vec![by_plan.clone(), native], vec![]),
        &["us-east-1"],
    );
    let engine_of = |s: &Store, id: &str| {
        s.finding(&format!("fp-{id}"))
            .unwrap()
            .first()
            .map(|r| r.finding.engine)
    };
    assert_eq!(engine_of(&s, "i-plan"), Some(Engine::Plan));
    assert_eq!(engine_of(&s, "i-native"), Some(Engine::Native));
    // The target moves the type to driftd's own reader: the next sighting says so.
    by_plan.engine = Engine::Native;
    scan(
        &mut s,
        "2026-01-01T01:00:00Z",
        &report(vec![by_plan], vec![]),
        &["us-east-1"],
    );
    assert_eq!(engine_of(&s, "i-plan"), Some(Engine::Native));
}
