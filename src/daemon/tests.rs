//! Scheduler semantics on tokio's paused time: no test here sleeps for real.

use super::clock::TokioClock;
use super::*;
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
