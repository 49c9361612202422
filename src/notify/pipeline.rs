//! The stages of notification, run by the daemon (and `driftd scan`, which only enqueues):
//! [`Notifier::enqueue`] plans what a scan causes and writes it to the outbox;
//! [`Notifier::delivery_loop`] sends what is due and, every [`PERIODIC_CHECK`], plans repeats,
//! escalations, ended silences and due digests.

use super::notifier::Notifier;
use crate::time::rfc3339;
use anyhow::Result;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the delivery task also runs [`Notifier::periodic_check`].
pub const PERIODIC_CHECK: Duration = Duration::from_secs(5);

impl Notifier {
    /// Plans the notifications of a finished scan (`scan` set) or of the periodic check for
    /// repeats, escalations and ended silences (`scan` None), and writes them to the outbox.
    /// Reading and writing happen in one IMMEDIATE transaction.
    pub async fn enqueue(
        &self,
        target: &str,
        changes: driftd_store::LifecycleChanges,
        scan: Option<Option<Vec<String>>>,
    ) -> Result<usize> {
        let rt = self.runtime();
        if rt.routes.is_empty() {
            return Ok(0);
        }
        let now = self.clock.now();
        let give_up = now + chrono::Duration::seconds(rt.defaults.give_up_after_secs as i64);
        let target = target.to_string();
        let labels = rt.labels(&target);
        self.store
            .run(move |s| {
                s.plan_and_enqueue(&rfc3339(now), &rfc3339(give_up), |s| {
                    let open = s.open_findings(Some(&target))?;
                    let sent_rows = s.last_sent(&target)?;
                    // Resolved findings some channel still counts as open: this scan's, and
                    // any whose resolve was never planned (driftd killed between recording a
                    // scan and planning its notifications).
                    let open_fps: std::collections::HashSet<&str> = open
                        .iter()
                        .map(|f| f.finding.fingerprint.as_str())
                        .collect();
                    let mut gone: Vec<String> = changes.resolved.clone();
                    for (fp, _) in sent_rows.keys() {
                        if !open_fps.contains(fp.as_str()) && !gone.contains(fp) {
                            gone.push(fp.clone());
                        }
                    }
                    let resolved: Vec<_> = s
                        .findings_by_fingerprint(&gone)?
                        .into_iter()
                        .filter(|f| f.resolved_at.is_some())
                        .collect();
                    let acked = s.acked(&target)?;
                    let silences: Vec<_> = s
                        .silences(Some(&rfc3339(now)))?
                        .iter()
                        .map(|r| super::silence::Silence::from_row(&r.matchers))
                        .collect();
                    let parse = |t: &str| {
                        DateTime::parse_from_rfc3339(t)
                            .ok()
                            .map(|d| d.with_timezone(&Utc))
                    };
                    let sent = sent_rows
                        .into_iter()
                        .filter_map(|(k, v)| Some((k, (parse(&v.first)?, parse(&v.last)?))))
                        .collect();
                    let facts = scan.as_ref().map(|incomplete| super::plan::ScanFacts {
                        incomplete: incomplete.as_deref(),
                    });
                    Ok(super::plan::plan(&super::plan::PlanInput {
                        target: &target,
                        labels: &labels,
                        routes: &rt.routes,
                        defaults: &rt.defaults,
                        open: &open,
                        resolved: &resolved,
                        changes: &changes,
                        acked: &acked,
                        silences: &silences,
                        sent: &sent,
                        scan: facts,
                        now,
                    }))
                })
                .map(|ids| ids.len())
            })
            .await
    }

    /// Between scans: repeats, escalations and silences that ended, for every target; then the
    /// digests that are due.
    pub async fn periodic_check(&self) {
        let rt = self.runtime();
        let mut queued = 0;
        for (target, _) in &rt.targets {
            match self.enqueue(target, Default::default(), None).await {
                Ok(n) => queued += n,
                Err(e) => {
                    tracing::error!(target = %target, error = %crate::chain(&e), "cannot plan notifications")
                }
            }
        }
        match super::digest::run_due(self, &rt).await {
            Ok(n) => queued += n,
            Err(e) => tracing::error!(error = %crate::chain(&e), "cannot build digests"),
        }
        if queued > 0 {
            tracing::info!(
                notifications = queued,
                "notifications queued by the periodic check"
            );
        }
    }

    /// Delivers due notifications until `stop`: woken by new ones, and every second for
    /// retries.
    pub async fn delivery_loop(self: Arc<Self>, stop: CancellationToken) {
        let mut last_check: Option<DateTime<Utc>> = None;
        loop {
            let now = self.clock.now();
            if last_check.is_none_or(|t| (now - t).to_std().unwrap_or_default() >= PERIODIC_CHECK) {
                last_check = Some(now);
                self.periodic_check().await;
            }
            self.deliver_due().await;
            tokio::select! {
                _ = self.ready.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = stop.cancelled() => return,
            }
        }
    }

    /// One delivery round with the channels in force.
    pub async fn deliver_due(&self) -> usize {
        let channels = self.runtime().channels.clone();
        super::deliver::deliver_due(self, &channels).await
    }
}
