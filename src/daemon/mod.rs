//! `driftd daemon`: every target on its own schedule, results in the history store.
//!
//! Layout, in the spirit of mini-redis: [`run`] owns the signal loop and the shutdown sequence;
//! each scheduled target has one task ([`target_loop`]) that sleeps until its next tick and runs
//! the scan itself, so a target never overlaps with itself; a semaphore bounds scans over all
//! targets. "Stop scheduling" (per-target tokens) is separate from "abort running scans" (one
//! token, cancelled only when the shutdown deadline passes). SIGHUP validates the new config
//! first and restarts only the targets whose settings changed.
//!
//! - [`notify`]: the systemd notify protocol.

pub mod notify;

use crate::config::{Config, TargetConfig};
use crate::notify::notifier::{Notifier, NotifyRuntime};
use crate::schedule::Schedule;
use crate::store::StoreHandle;
use crate::time::{rfc3339, Clock};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use driftd_store::Store;
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The history database inside the state directory.
pub const DB_FILE: &str = "driftd.db";

/// Why a scan started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A cron tick.
    Schedule,
    /// `run_at_start`.
    Startup,
    /// A tick passed while the daemon was down: caught up once.
    Missed,
    /// `driftd scan`.
    Manual,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Startup => "startup",
            Trigger::Missed => "missed",
            Trigger::Manual => "manual",
        }
    }
}

/// The state directory: `--state-dir`, else `$STATE_DIRECTORY` (systemd), else the config's.
pub fn state_dir(flag: Option<&Path>, config: Option<&Config>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os("STATE_DIRECTORY") {
        // systemd may pass several, colon-separated; the first is ours.
        let first = dir
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or("")
            .to_string();
        if !first.is_empty() {
            return PathBuf::from(first);
        }
    }
    match config {
        Some(c) if c.daemon.state_dir.is_relative() => c.base_dir.join(&c.daemon.state_dir),
        Some(c) => c.daemon.state_dir.clone(),
        None => crate::config::DaemonConfig::default().state_dir,
    }
}

/// Opens the store in `dir` (created if missing) and records scans of dead processes as failed.
pub fn open_store(dir: &Path) -> Result<Store> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
    let mut store = Store::open(&dir.join(DB_FILE))?;
    let locks = store.scan_locks();
    let recovered = store.recover_interrupted(&rfc3339(Utc::now()), |t| locks.is_held(t))?;
    if recovered > 0 {
        tracing::warn!(scans = recovered, "recorded interrupted scans as failed");
    }
    Ok(store)
}

/// What every scan task shares.
pub struct Ctx {
    pub clock: Arc<dyn Clock>,
    pub store: StoreHandle,
    pub limit: Arc<Semaphore>,
    pub base_dir: PathBuf,
    /// Cancelled when the shutdown deadline passes: running scans stop and are recorded failed.
    pub abort: CancellationToken,
    /// Notification planning and delivery, with the same clock and store.
    pub notifier: Arc<Notifier>,
    /// The config's tier rules; swapped on reload.
    pub classify: std::sync::RwLock<Arc<Vec<driftd_core::classify::Rule>>>,
    /// Provider errors and throttles counted since start, for `/metrics`.
    pub metrics: Arc<crate::web::metrics::Live>,
    /// Targets being scanned by this process: a reload that restarts a target's loop while its
    /// scan is still running must not start a second scan of it.
    pub scanning: Mutex<std::collections::HashSet<String>>,
    /// One scan of a target at a time across processes (a daemon and `driftd scan`).
    pub locks: driftd_store::ScanLocks,
    /// How long a scan waits for another process's scan of its target; `None`: it skips its run
    /// (the daemon: the next tick comes).
    pub wait_for_lock: Option<Duration>,
}

/// Marks a target as being scanned until dropped.
struct ScanGuard<'a> {
    ctx: &'a Ctx,
    target: String,
}

impl Drop for ScanGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.ctx.scanning.lock() {
            s.remove(&self.target);
        }
    }
}

/// The notification settings of `config`; errors name the config file.
fn notify_settings(config: &Config, deliver: bool) -> Result<NotifyRuntime> {
    NotifyRuntime::new(
        &config.routes,
        &config.notify,
        &config.channels,
        config
            .targets
            .iter()
            .map(|t| (t.name.clone(), t.labels.clone()))
            .collect(),
        deliver,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", config.path.display()))
}

impl Ctx {
    pub fn new(config: &Config, clock: Arc<dyn Clock>, store: Store, deliver: bool) -> Result<Ctx> {
        let locks = store.scan_locks();
        let store = StoreHandle::new(store);
        let notifier = Notifier::new(
            clock.clone(),
            store.clone(),
            notify_settings(config, deliver)?,
        );
        Ok(Ctx {
            clock,
            store,
            limit: Arc::new(Semaphore::new(config.daemon.max_concurrent_scans)),
            base_dir: config.base_dir.clone(),
            abort: CancellationToken::new(),
            notifier: Arc::new(notifier),
            scanning: Mutex::default(),
            locks,
            wait_for_lock: None,
            metrics: Arc::default(),
            classify: std::sync::RwLock::new(Arc::new(config.classify_rules())),
        })
    }
}

/// One scan of `target`, recorded in the store from start to end. Errors are recorded, logged,
/// and returned; they never stop the daemon.
pub async fn scan_and_record(
    ctx: &Ctx,
    target: &TargetConfig,
    trigger: Trigger,
) -> Result<Option<crate::scan::ScanOutput>> {
    let _permit = tokio::select! {
        p = ctx.limit.clone().acquire_owned() => p.context("scan limit closed")?,
        _ = ctx.abort.cancelled() => return Ok(None),
    };
    let claimed = ctx
        .scanning
        .lock()
        .map(|mut s| s.insert(target.name.clone()))
        .unwrap_or(false);
    if !claimed {
        tracing::warn!(target = %target.name, "this target is still being scanned; skipping this run");
        return Ok(None);
    }
    let _guard = ScanGuard {
        ctx,
        target: target.name.clone(),
    };
    let Some(_lock) = scan_lock(ctx, &target.name).await? else {
        return Ok(None);
    };
    let started = rfc3339(ctx.clock.now());
    let (name, trig, at) = (target.name.clone(), trigger.as_str(), started.clone());
    let scan_id = ctx
        .store
        .run(move |s| s.begin_scan(&name, trig, &at))
        .await?;
    tracing::info!(target = %target.name, scan = scan_id, trigger = trigger.as_str(), "scan started");

    let rules = match ctx.classify.read() {
        Ok(r) => r.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    let outcome = tokio::select! {
        r = crate::scan::run_target(target, &ctx.base_dir, &rules) => Some(r),
        _ = ctx.abort.cancelled() => None,
    };
    let now = rfc3339(ctx.clock.now());
    match outcome {
        Some(Ok(out)) => {
            ctx.metrics
                .record_scan(&out.report, &target.provider, out.api_calls, out.throttles);
            let (report, scanned) = (out.report.clone(), out.scanned.clone());
            let at = now.clone();
            let changes = match ctx
                .store
                .run(move |s| s.finish_scan(scan_id, &report, &scanned, &at))
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    // Not recorded (a full disk): say so on the scan's row, if even that fits.
                    let msg = format!(
                        "the scan's results could not be recorded: {}",
                        crate::chain(&e)
                    );
                    tracing::error!(target = %target.name, scan = scan_id, error = %msg, "scan failed");
                    let _ = ctx
                        .store
                        .run(move |s| s.fail_scan(scan_id, &msg, &now))
                        .await;
                    return Err(e);
                }
            };
            let incomplete = (!out.report.scan.complete).then(|| {
                out.report
                    .skipped
                    .iter()
                    .map(|k| {
                        format!(
                            "{} {} {}{}: {}",
                            k.provider,
                            k.resource_type,
                            k.scope,
                            k.attribute
                                .as_deref()
                                .map(|a| format!(" ({a})"))
                                .unwrap_or_default(),
                            k.reason
                        )
                    })
                    .collect::<Vec<_>>()
            });
            match ctx
                .notifier
                .enqueue(&target.name, changes.clone(), Some(incomplete))
                .await
            {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(target = %target.name, notifications = n, "notifications queued");
                    ctx.notifier.wake();
                }
                Err(e) => {
                    tracing::error!(target = %target.name, error = %crate::chain(&e), "cannot queue notifications")
                }
            }
            tracing::info!(
                target = %target.name,
                scan = scan_id,
                findings = out.report.findings.len(),
                complete = out.report.scan.complete,
                opened = changes.opened.len(),
                changed = changes.changed.len(),
                resolved = changes.resolved.len(),
                reopened = changes.reopened.len(),
                "scan finished"
            );
            notify::status(&format!(
                "last scan: {} at {}, {} finding(s){}",
                target.name,
                out.report.scan.finished_at,
                out.report.findings.len(),
                if out.report.scan.complete {
                    ""
                } else {
                    ", incomplete"
                }
            ));
            Ok(Some(out))
        }
        Some(Err(e)) => {
            let msg = crate::chain(&e);
            tracing::error!(target = %target.name, scan = scan_id, error = %msg, "scan failed");
            ctx.store
                .run(move |s| s.fail_scan(scan_id, &msg, &now))
                .await?;
            Err(e)
        }
        None => {
            let msg = "cancelled: driftd was stopping and the scan did not finish within shutdown_timeout_secs";
            tracing::warn!(target = %target.name, scan = scan_id, "{msg}");
            ctx.store
                .run(move |s| s.fail_scan(scan_id, msg, &now))
                .await?;
            Ok(None)
        }
    }
}

/// Takes the target's scan lock; when another process holds it, waits as long as
/// `ctx.wait_for_lock` allows (an error past it), or gives up this run (`None`).
async fn scan_lock(ctx: &Ctx, target: &str) -> Result<Option<driftd_store::ScanLock>> {
    let take = || {
        ctx.locks.try_lock(target).with_context(|| {
            format!("target `{target}`: cannot take its scan lock in the state directory")
        })
    };
    if let Some(lock) = take()? {
        return Ok(Some(lock));
    }
    let Some(wait) = ctx.wait_for_lock else {
        tracing::warn!(target = %target, "another driftd process is scanning this target; skipping this run");
        return Ok(None);
    };
    tracing::warn!(
        target = %target,
        wait_timeout_secs = wait.as_secs(),
        "another driftd process is scanning this target; waiting for it to finish"
    );
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = ctx.abort.cancelled() => return Ok(None),
        }
        if let Some(lock) = take()? {
            return Ok(Some(lock));
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "target `{target}` was still being scanned by another driftd process after {} s \
                 (--wait-timeout); try again later, or wait longer",
                wait.as_secs()
            );
        }
    }
}

/// The life of one scheduled target: catch up once if a tick was missed (or run at start when
/// asked), then sleep until each tick (plus jitter) and run. `run` is awaited, so runs never
/// overlap; ticks that pass during a long run are skipped, not queued.
pub async fn target_loop<F, Fut>(
    clock: Arc<dyn Clock>,
    name: String,
    schedule: Schedule,
    run_at_start: bool,
    last_run: Option<DateTime<Utc>>,
    stop: CancellationToken,
    run: F,
) where
    F: Fn(Trigger) -> Fut,
    Fut: Future<Output = ()>,
{
    if run_at_start {
        run(Trigger::Startup).await;
    } else if schedule.missed(last_run, clock.now()) {
        tracing::info!(target = %name, "a scheduled run was missed while driftd was down; running it now");
        run(Trigger::Missed).await;
    }
    loop {
        if stop.is_cancelled() {
            return;
        }
        let Some(tick) = schedule.next_after(clock.now()) else {
            tracing::warn!(target = %name, "schedule has no future run");
            return;
        };
        let at =
            tick + chrono::Duration::from_std(schedule.jitter_for(&name, tick)).unwrap_or_default();
        tracing::debug!(target = %name, next = %rfc3339(at), "sleeping until the next run");
        tokio::select! {
            _ = clock.sleep_until(at) => {}
            _ = stop.cancelled() => return,
        }
        run(Trigger::Schedule).await;
    }
}

struct Running {
    config: TargetConfig,
    stop: CancellationToken,
}

fn start_target(
    ctx: &Arc<Ctx>,
    tracker: &TaskTracker,
    target: TargetConfig,
    last_run: Option<DateTime<Utc>>,
) -> Option<Running> {
    let expr = target.schedule.clone()?;
    let schedule = match target.parsed_schedule(&expr) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(target = %target.name, error = %e, "invalid schedule; target not scheduled");
            return None;
        }
    };
    let stop = CancellationToken::new();
    let (ctx2, t2, stop2) = (ctx.clone(), target.clone(), stop.clone());
    tracker.spawn(async move {
        let run = |trigger| {
            let (ctx, t) = (ctx2.clone(), t2.clone());
            async move {
                let _ = scan_and_record(&ctx, &t, trigger).await;
            }
        };
        target_loop(
            ctx2.clock.clone(),
            t2.name.clone(),
            schedule,
            t2.run_at_start,
            last_run,
            stop2,
            run,
        )
        .await;
    });
    tracing::info!(target = %target.name, schedule = %expr, timezone = %target.timezone, "target scheduled");
    Some(Running {
        config: target,
        stop,
    })
}

async fn last_run(ctx: &Ctx, name: &str) -> Option<DateTime<Utc>> {
    let name = name.to_string();
    let last = ctx
        .store
        .run(move |s| s.last_scan_started(&name))
        .await
        .ok()??;
    DateTime::parse_from_rfc3339(&last)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config_path: &Path, state_dir_flag: Option<&Path>) -> Result<u8> {
    let mut config = Config::load(config_path)?;
    let dir = state_dir(state_dir_flag, Some(&config));
    let store = open_store(&dir)?;
    let mut term = signal(SignalKind::terminate()).context("install SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("install SIGINT handler")?;
    let mut hup = signal(SignalKind::hangup()).context("install SIGHUP handler")?;

    let ctx = Arc::new(Ctx::new(
        &config,
        Arc::new(crate::time::SystemClock),
        store,
        true,
    )?);
    let tracker = TaskTracker::new();
    let delivery_stop = CancellationToken::new();
    let delivery = tokio::spawn(ctx.notifier.clone().delivery_loop(delivery_stop.clone()));
    let heartbeat = tokio::spawn(crate::notify::heartbeat::run(
        ctx.notifier.clone(),
        delivery_stop.clone(),
    ));
    let web_stop = CancellationToken::new();
    let web = match &config.web {
        Some(w) => {
            let token =
                match &w.token {
                    Some(t) => Some(t.load().map_err(|e| {
                        anyhow::anyhow!("{}: web.token: {e}", config_path.display())
                    })?),
                    None => None,
                };
            let state = Arc::new(crate::web::WebState::new(
                crate::web::WebCtx {
                    clock: ctx.clock.clone(),
                    store: ctx.store.clone(),
                    metrics: ctx.metrics.clone(),
                },
                token,
                config.targets.iter().map(|t| t.name.clone()).collect(),
                w.trend_days,
            ));
            let (addr, task) = crate::web::start(state, &w.listen, web_stop.clone()).await?;
            tracing::info!(address = %addr, authenticated = w.token.is_some(), "dashboard, API and metrics listening");
            Some(task)
        }
        None => None,
    };
    let mut running: HashMap<String, Running> = HashMap::new();
    for t in &config.targets {
        let last = last_run(&ctx, &t.name).await;
        if let Some(r) = start_target(&ctx, &tracker, t.clone(), last) {
            running.insert(t.name.clone(), r);
        }
    }
    let status = format!(
        "{} target(s) scheduled, history in {}",
        running.len(),
        dir.display()
    );
    tracing::info!(config = %config_path.display(), state_dir = %dir.display(), scheduled = running.len(), "driftd daemon ready");
    notify::ready(&status);

    let watchdog = CancellationToken::new();
    if let Some(every) = notify::watchdog_interval() {
        let stop = watchdog.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = tick.tick() => notify::watchdog(),
                    _ = stop.cancelled() => return,
                }
            }
        });
    }

    loop {
        tokio::select! {
            _ = term.recv() => { tracing::info!("SIGTERM: stopping"); break; }
            _ = int.recv() => { tracing::info!("SIGINT: stopping"); break; }
            _ = hup.recv() => {
                notify::reloading();
                match Config::load(config_path) {
                    Err(e) => {
                        tracing::error!(error = %crate::chain(&e), "reload failed: the new configuration is invalid; keeping the running one");
                    }
                    Ok(new) => {
                        match notify_settings(&new, true) {
                            Ok(rt) => ctx.notifier.reload(rt),
                            Err(e) => tracing::error!(error = %crate::chain(&e), "notification settings not reloaded; keeping the running ones"),
                        }
                        if let Ok(mut rules) = ctx.classify.write() {
                            *rules = Arc::new(new.classify_rules());
                        }
                        if new.daemon != config.daemon || new.base_dir != config.base_dir || new.web != config.web {
                            tracing::warn!("[daemon] or [web] settings changed; they take effect at the next restart");
                        }
                        let mut kept = 0;
                        running.retain(|name, r| {
                            let same = new.targets.iter().any(|t| &t.name == name && *t == r.config);
                            if same { kept += 1; } else { r.stop.cancel(); }
                            same
                        });
                        for t in &new.targets {
                            if !running.contains_key(&t.name) {
                                let last = last_run(&ctx, &t.name).await;
                                if let Some(r) = start_target(&ctx, &tracker, t.clone(), last) {
                                    running.insert(t.name.clone(), r);
                                }
                            }
                        }
                        tracing::info!(targets = new.targets.len(), unchanged = kept, "configuration reloaded");
                        config = new;
                    }
                }
                notify::ready(&format!("{} target(s) scheduled", running.len()));
            }
        }
    }

    notify::stopping();
    for r in running.values() {
        r.stop.cancel();
    }
    tracker.close();
    let deadline = Duration::from_secs(config.daemon.shutdown_timeout_secs);
    if tokio::time::timeout(deadline, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            timeout_secs = deadline.as_secs(),
            "scans still running at the shutdown deadline; cancelling them"
        );
        ctx.abort.cancel();
        tracker.wait().await;
    }
    // One last delivery round for what the final scans queued, then stop.
    ctx.notifier.deliver_due().await;
    delivery_stop.cancel();
    let _ = delivery.await;
    let _ = heartbeat.await;
    web_stop.cancel();
    if let Some(task) = web {
        let _ = task.await;
    }
    watchdog.cancel();
    tracing::info!("driftd daemon stopped");
    Ok(0)
}

#[cfg(test)]
mod tests;
