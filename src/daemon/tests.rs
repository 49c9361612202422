//! Scheduler semantics on tokio's paused time: no test here sleeps for real.

use super::*;
use crate::time::TokioClock;
use chrono::TimeZone;
use std::sync::atomic::{AtomicUsize, Ordering};

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).single().unwrap()
}

type Log = Arc<Mutex<Vec<(Trigger, DateTime<Utc>)>>>;

/// Runs a target loop for `for_secs` of simulated time; each run takes `run_secs`.
async fn simulate(
    schedule: Schedule,
    run_at_start: bool,
    last_run: Option<DateTime<Utc>>,
    run_secs: u64,
    for_secs: u64,
) -> (Vec<(Trigger, DateTime<Utc>)>, usize) {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock {
        base: base(),
        start: tokio::time::Instant::now(),
    });
    let log: Log = Arc::default();
    let active = Arc::new(AtomicUsize::new(0));
    let max_active = Arc::new(AtomicUsize::new(0));
    let stop = CancellationToken::new();
    let (c, l, a, m) = (
        clock.clone(),
        log.clone(),
        active.clone(),
        max_active.clone(),
    );
    let task = tokio::spawn(target_loop(
        clock.clone(),
        "t".into(),
        schedule,
        run_at_start,
        last_run,
        stop.clone(),
        move |trigger| {
            let (c, l, a, m) = (c.clone(), l.clone(), a.clone(), m.clone());
            async move {
                let now = a.fetch_add(1, Ordering::SeqCst) + 1;
                m.fetch_max(now, Ordering::SeqCst);
                l.lock().unwrap().push((trigger, c.now()));
                tokio::time::sleep(Duration::from_secs(run_secs)).await;
                a.fetch_sub(1, Ordering::SeqCst);
            }
        },
    ));
    tokio::time::sleep(Duration::from_secs(for_secs)).await;
    stop.cancel();
    let _ = task.await;
    let runs = log.lock().unwrap().clone();
    (runs, max_active.load(Ordering::SeqCst))
}

fn at(secs: i64) -> DateTime<Utc> {
    base() + chrono::Duration::seconds(secs)
}

#[tokio::test(start_paused = true)]
async fn runs_on_every_tick() {
    let s = Schedule::parse("*/10 * * * * *", "UTC", Duration::ZERO).unwrap();
    let (runs, _) = simulate(s, false, None, 1, 35).await;
    assert_eq!(
        runs,
        vec![
            (Trigger::Schedule, at(10)),
            (Trigger::Schedule, at(20)),
            (Trigger::Schedule, at(30))
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_long_scan_never_overlaps_and_skips_passed_ticks() {
    let s = Schedule::parse("*/10 * * * * *", "UTC", Duration::ZERO).unwrap();
    let (runs, max_active) = simulate(s, false, None, 25, 75).await;
    assert_eq!(max_active, 1);
    // 10 → busy until 35 (ticks 20, 30 pass) → 40 → busy until 65 (tick 50, 60 pass) → 70.
    let times: Vec<_> = runs.iter().map(|r| r.1).collect();
    assert_eq!(times, vec![at(10), at(40), at(70)]);
}

#[tokio::test(start_paused = true)]
async fn a_missed_run_after_downtime_runs_once() {
    let s = Schedule::parse("0 * * * *", "UTC", Duration::ZERO).unwrap();
    // Last ran five hours ago: five ticks missed, one catch-up run now, then the next hour.
    let last = base() - chrono::Duration::hours(5);
    let (runs, _) = simulate(s, false, Some(last), 1, 3600 + 5).await;
    assert_eq!(
        runs,
        vec![(Trigger::Missed, at(0)), (Trigger::Schedule, at(3600))]
    );
}

#[tokio::test(start_paused = true)]
async fn run_at_start_then_schedule() {
    let s = Schedule::parse("0 * * * *", "UTC", Duration::ZERO).unwrap();
    let (runs, _) = simulate(s, true, None, 1, 3600 + 5).await;
    assert_eq!(
        runs,
        vec![(Trigger::Startup, at(0)), (Trigger::Schedule, at(3600))]
    );
}

#[tokio::test(start_paused = true)]
async fn jitter_delays_within_bounds() {
    let s = Schedule::parse("*/10 * * * *", "UTC", Duration::from_secs(120)).unwrap();
    let (runs, _) = simulate(s.clone(), false, None, 1, 3600 + 130).await;
    assert_eq!(runs.len(), 6);
    for (i, (_, t)) in runs.iter().enumerate() {
        let tick = at(600 * (i as i64 + 1));
        let delay = *t - tick;
        assert!(delay >= chrono::Duration::zero() && delay <= chrono::Duration::seconds(120));
        assert_eq!(
            delay,
            chrono::Duration::from_std(s.jitter_for("t", tick)).unwrap()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn time_zone_of_the_schedule_is_used() {
    // 02:30 in Berlin on a July day is 00:30 UTC.
    let s = Schedule::parse("30 2 * * *", "Europe/Berlin", Duration::ZERO).unwrap();
    let (runs, _) = simulate(s, false, None, 1, 3600).await;
    assert_eq!(runs, vec![(Trigger::Schedule, at(1800))]);
}

/// A clock set by hand.
struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn set(&self, rfc: &str) {
        *self.0.lock().unwrap() = DateTime::parse_from_rfc3339(rfc)
            .unwrap()
            .with_timezone(&Utc);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    fn sleep_until(&self, _: DateTime<Utc>) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(std::future::pending())
    }
}

fn info_report(ids: &[&str]) -> driftd_core::Report {
    use driftd_core::report::{ScanInfo, Tool};
    use driftd_core::{Change, ChangeOp, Finding, FindingKind, Tier};
    driftd_core::Report {
        schema_version: 1,
        tool: Tool {
            name: "driftd".into(),
            version: "test".into(),
        },
        target: "prod".into(),
        scan: ScanInfo {
            started_at: String::new(),
            finished_at: String::new(),
            complete: true,
            api_calls: None,
            throttles: None,
        },
        summary: Default::default(),
        findings: ids
            .iter()
            .map(|id| Finding {
                engine: Default::default(),
                fingerprint: format!("{id:0>32}"),
                kind: FindingKind::Changed,
                tier: Tier::Info,
                provider: "aws".into(),
                resource_type: "aws_vpc".into(),
                resource_id: format!("vpc-{id}"),
                address: None,
                region: Some("eu-west-1".into()),
                source: None,
                changes: vec![Change {
                    path: "tags.Name".into(),
                    op: ChangeOp::Replace,
                    expected: serde_json::json!("a"),
                    actual: serde_json::json!("b"),
                    expected_from: None,
                    code: None,
                }],
                policy: None,
            })
            .collect(),
        skipped: vec![],
        ignored: Vec::new(),
        expired_ignores: Vec::new(),
        policy_errors: Vec::new(),
        not_compared: Vec::new(),
    }
}

/// The daily digest at 09:00 Berlin time, driven by an injected clock across the spring-forward
/// night (2026-03-29): 08:00 UTC in winter, 07:00 UTC in summer. Drift that came and went between
/// two digests is in the second one.
#[tokio::test]
async fn daily_digest_follows_local_time_across_daylight_saving() {
    let dir = std::env::temp_dir().join(format!("driftd-digest-dst-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfstate/simple.tfstate");
    std::fs::write(
        dir.join("driftd.toml"),
        format!(
            "[[target]]\nname = \"prod\"\nstates = [\"{}\"]\n\n\
             [[channel]]\nname = \"mail\"\ntype = \"webhook\"\nurl = \"env:UNUSED_IN_THIS_TEST\"\n\n\
             [[route]]\nname = \"daily\"\ntiers = [\"info\"]\nchannels = [\"mail\"]\n\
             digest = {{ at = \"09:00\", timezone = \"Europe/Berlin\" }}\n",
            fixture.display()
        ),
    )
    .unwrap();
    let config = Config::load(&dir.join("driftd.toml")).unwrap();
    let clock = Arc::new(ManualClock(Mutex::new(base())));
    let store = open_store(&dir).unwrap();
    let ctx = Ctx::new(&config, clock.clone(), store, false).unwrap();
    let scanned = vec![(
        "aws".to_string(),
        "aws_vpc".to_string(),
        "eu-west-1".to_string(),
    )];
    let scan = |at: &'static str, ids: &'static [&'static str]| {
        let scanned = scanned.clone();
        let ctx = &ctx;
        let clock = clock.clone();
        async move {
            clock.set(at);
            let report = info_report(ids);
            let changes = ctx
                .store
                .run(move |s| {
                    let id = s.begin_scan("prod", "schedule", at)?;
                    s.finish_scan(id, &report, &scanned, at)
                })
                .await
                .unwrap();
            ctx.notifier
                .enqueue("prod", changes, Some(None))
                .await
                .unwrap()
        }
    };
    let digests_at = |at: &'static str| {
        let ctx = &ctx;
        let clock = clock.clone();
        async move {
            clock.set(at);
            let rt = ctx.notifier.runtime();
            crate::notify::digest::run_due(&ctx.notifier, &rt)
                .await
                .unwrap()
        }
    };
    let outbox = || ctx.store.lock().notifications("pending", 10).unwrap();

    // Info drift goes to the digest, not out on its own.
    assert_eq!(scan("2026-03-27T10:00:00Z", &["a"]).await, 0);
    assert!(outbox().is_empty());
    assert_eq!(digests_at("2026-03-28T07:59:00Z").await, 0, "08:59 CET");
    assert_eq!(digests_at("2026-03-28T08:00:00Z").await, 1, "09:00 CET");
    let first = outbox();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].event, "digest");
    assert!(first[0].payload["lines"].to_string().contains("vpc-a"));
    assert_eq!(digests_at("2026-03-28T08:30:00Z").await, 0, "once a day");

    // a is fixed; b appears and is fixed again before the next digest.
    scan("2026-03-28T12:00:00Z", &[]).await;
    scan("2026-03-28T13:00:00Z", &["b"]).await;
    scan("2026-03-28T15:00:00Z", &[]).await;
    assert_eq!(digests_at("2026-03-29T06:59:00Z").await, 0, "08:59 CEST");
    assert_eq!(digests_at("2026-03-29T07:00:00Z").await, 1, "09:00 CEST");
    let second = outbox();
    assert_eq!(second.len(), 2);
    let p = &second[0].payload;
    assert!(
        p["summary"].as_str().unwrap().contains("0 new, 2 resolved"),
        "{p}"
    );
    let lines = p["lines"].to_string();
    assert!(
        lines.contains("vpc-a") && lines.contains("vpc-b"),
        "{lines}"
    );
    // Nothing new or resolved since: no empty digest the day after.
    assert_eq!(digests_at("2026-03-30T07:00:00Z").await, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// driftd killed after recording a scan that resolved a notified drift and before planning its
/// notifications: the next planning (a scan's or the periodic one) still sends the resolve,
/// once.
#[tokio::test]
async fn a_resolve_never_planned_before_a_crash_is_planned_later() {
    let dir = std::env::temp_dir().join(format!("driftd-lost-resolve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfstate/simple.tfstate");
    std::fs::write(
        dir.join("driftd.toml"),
        format!(
            "[[target]]\nname = \"prod\"\nstates = [\"{}\"]\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"env:UNUSED_IN_THIS_TEST\"\n\n\
             [notify.info]\ngroup_wait_secs = 0\nsend_resolved = true\n\n\
             [[route]]\ntiers = [\"info\"]\nchannels = [\"hook\"]\n",
            fixture.display()
        ),
    )
    .unwrap();
    let config = Config::load(&dir.join("driftd.toml")).unwrap();
    let clock = Arc::new(ManualClock(Mutex::new(base())));
    let ctx = Ctx::new(&config, clock.clone(), open_store(&dir).unwrap(), false).unwrap();
    let scanned = vec![(
        "aws".to_string(),
        "aws_vpc".to_string(),
        "eu-west-1".to_string(),
    )];
    let record = |at: &'static str, ids: &'static [&'static str]| {
        let scanned = scanned.clone();
        let ctx = &ctx;
        async move {
            let report = info_report(ids);
            ctx.store
                .run(move |s| {
                    let id = s.begin_scan("prod", "schedule", at)?;
                    s.finish_scan(id, &report, &scanned, at)
                })
                .await
                .unwrap()
        }
    };
    let events = |ctx: &Ctx| {
        let store = ctx.store.clone();
        async move {
            store
                .run(|s| s.notifications("pending", 100))
                .await
                .unwrap()
                .into_iter()
                .map(|n| n.event)
                .collect::<Vec<_>>()
        }
    };
    clock.set("2026-03-20T10:00:00Z");
    let opened = record("2026-03-20T10:00:00Z", &["a"]).await;
    assert_eq!(
        ctx.notifier
            .enqueue("prod", opened, Some(None))
            .await
            .unwrap(),
        1
    );
    // Resolved and recorded; then driftd dies before planning.
    clock.set("2026-03-20T11:00:00Z");
    let resolved = record("2026-03-20T11:00:00Z", &[]).await;
    assert_eq!(resolved.resolved.len(), 1);
    // After the restart, the next planning knows nothing of that scan's changes.
    let none = driftd_store::LifecycleChanges::default();
    assert_eq!(ctx.notifier.enqueue("prod", none, None).await.unwrap(), 1);
    let pending = events(&ctx).await;
    assert!(pending.iter().any(|e| e == "resolve"), "{pending:?}");
    // Planned once: the next planning adds nothing.
    let none = driftd_store::LifecycleChanges::default();
    assert_eq!(ctx.notifier.enqueue("prod", none, None).await.unwrap(), 0);
}
