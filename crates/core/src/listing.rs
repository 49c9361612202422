//! The fan-out of a provider's listing: its units (one resource type in one scope) run as
//! tasks, at most so many at once, each reported to a [`Progress`] as it starts and ends, and
//! each accounted for in the [`LiveInventory`] whatever happens to it.
//!
//! This is where "not scanned, never missing" is kept for every provider: a unit is in
//! [`LiveInventory::scanned`] only when its listing returned `Ok`; one that failed, or whose
//! task panicked, is in [`LiveInventory::skipped`] with its reason.

use crate::model::Skipped;
use crate::provider::{
    bounded_reason, KindListing, ListError, LiveInventory, Progress, ProgressEvent, UnitOutcome,
    UnitStats,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Counts the API call attempts of one unit of work (retries included) and those the API
/// answered with "slow down", and reports each to a [`Progress`] as it ends. Clones share their
/// counts.
#[derive(Clone)]
pub struct ApiMeter {
    provider: &'static str,
    progress: Arc<dyn Progress>,
    counts: Arc<[AtomicU64; 2]>,
}

impl ApiMeter {
    pub fn new(provider: &'static str, progress: Arc<dyn Progress>) -> Self {
        ApiMeter {
            provider,
            progress,
            counts: Arc::default(),
        }
    }

    /// Records one attempt that has ended.
    pub fn attempt(&self, throttled: bool) {
        self.counts[0].fetch_add(1, Ordering::Relaxed);
        if throttled {
            self.counts[1].fetch_add(1, Ordering::Relaxed);
        }
        self.progress.event(&ProgressEvent::ApiAttempt {
            provider: self.provider,
            throttled,
        });
    }

    /// `(attempts, throttled attempts)` so far.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.counts[0].load(Ordering::Relaxed),
            self.counts[1].load(Ordering::Relaxed),
        )
    }
}

impl std::fmt::Debug for ApiMeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (attempts, throttled) = self.counts();
        f.debug_struct("ApiMeter")
            .field("provider", &self.provider)
            .field("attempts", &attempts)
            .field("throttled", &throttled)
            .finish()
    }
}

/// What a unit's listing resolves to: its raw answer `T` (turned into resources by the caller,
/// see [`run_units`]) or why the scope could not be listed.
pub type UnitListing<T> = Pin<Box<dyn Future<Output = Result<T, ListError>> + Send>>;

/// One unit of a provider's listing: one resource type in one scope.
pub struct ListingUnit<T> {
    pub resource_type: &'static str,
    pub scope: String,
    /// The meter the listing counts its calls on; read when the unit ends, however it ends.
    pub meter: ApiMeter,
    pub list: UnitListing<T>,
}

/// Runs `units`, at most `concurrency` at once (at least one), and accounts for each in `inv`:
/// its calls in `api_calls` and `throttles`, then either its resources and a `scanned` entry,
/// or a `skipped` one (an attribute it could not read is `skipped` with that attribute, and the
/// unit still scanned). `Planned`, `Started` and `Finished` go to `progress`.
///
/// `resources` turns a unit's answer into its listing, on the caller's task as each unit ends
/// (so that it may borrow what the listing tasks cannot); it gets the unit's index in `units`.
/// Reasons are bounded ([`bounded_reason`]). Nothing is sorted: the caller does that once it has
/// added what it lists outside the units.
pub async fn run_units<T: Send + 'static>(
    provider: &'static str,
    units: Vec<ListingUnit<T>>,
    concurrency: usize,
    progress: &Arc<dyn Progress>,
    inv: &mut LiveInventory,
    mut resources: impl FnMut(usize, T) -> KindListing,
) {
    progress.event(&ProgressEvent::Planned {
        provider,
        units: units.len(),
    });
    let limit = Arc::new(Semaphore::new(concurrency.clamp(1, Semaphore::MAX_PERMITS)));
    let mut tasks = JoinSet::new();
    // What each task lists, to account for a task that panicked.
    let mut running = std::collections::HashMap::new();
    for (n, unit) in units.into_iter().enumerate() {
        let (progress, limit) = (progress.clone(), limit.clone());
        let (resource_type, scope) = (unit.resource_type, unit.scope.clone());
        let list = unit.list;
        let handle = tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            progress.event(&ProgressEvent::Started {
                provider,
                resource_type,
                scope,
            });
            let started = Instant::now();
            (list.await, started.elapsed())
        });
        running.insert(handle.id(), (n, unit.resource_type, unit.scope, unit.meter));
    }

    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, result, duration) = match joined {
            Ok((id, (result, duration))) => (id, result, duration),
            // A panicking listing task is a bug; its scope is not scanned.
            Err(e) => {
                tracing::error!(provider, error = %e, "a listing task failed unexpectedly");
                let err = ListError::Api("the listing task failed unexpectedly".into());
                (e.id(), Err(err), Default::default())
            }
        };
        let Some((n, resource_type, scope, meter)) = running.remove(&id) else {
            continue;
        };
        let (api_calls, throttles) = meter.counts();
        inv.api_calls += api_calls;
        inv.throttles += throttles;
        let mut stats = UnitStats {
            resources: 0,
            api_calls,
            throttles,
            duration,
        };
        let skipped = |attribute, reason: &str| Skipped {
            provider: provider.into(),
            resource_type: resource_type.into(),
            scope: scope.clone(),
            attribute,
            reason: reason.to_string(),
        };
        let outcome = match result.map(|answer| resources(n, answer)) {
            Ok(listing) => {
                stats.resources = listing.resources.len();
                let mut unread_attributes = Vec::new();
                for (attribute, err) in listing.unread_attributes {
                    let reason = bounded_reason(&err.to_string());
                    inv.skipped.push(skipped(Some(attribute.clone()), &reason));
                    unread_attributes.push((attribute, reason));
                }
                inv.resources.extend(listing.resources);
                inv.scanned.push((resource_type.to_string(), scope.clone()));
                UnitOutcome::Listed { unread_attributes }
            }
            Err(err) => {
                let reason = bounded_reason(&err.to_string());
                tracing::warn!(provider, resource_type, scope = %scope, reason = %reason, "not scanned");
                inv.skipped.push(skipped(None, &reason));
                UnitOutcome::Skipped { reason }
            }
        };
        progress.event(&ProgressEvent::Finished {
            provider,
            resource_type,
            scope,
            stats,
            outcome,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resource;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Mutex;
    use std::time::Duration;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<ProgressEvent>>);

    impl Progress for Recorder {
        fn event(&self, event: &ProgressEvent) {
            self.0.lock().unwrap().push(event.clone());
        }
    }

    fn unit(
        scope: &str,
        progress: &Arc<dyn Progress>,
        list: impl FnOnce(ApiMeter) -> UnitListing<KindListing>,
    ) -> ListingUnit<KindListing> {
        let meter = ApiMeter::new("p", progress.clone());
        ListingUnit {
            resource_type: "t",
            scope: scope.into(),
            list: list(meter.clone()),
            meter,
        }
    }

    #[test]
    fn clones_share_counts_and_every_attempt_is_reported() {
        let recorder = Arc::new(Recorder::default());
        let meter = ApiMeter::new("p", recorder.clone());
        let clone = meter.clone();
        meter.attempt(true);
        clone.attempt(false);
        clone.attempt(true);
        assert_eq!(meter.counts(), (3, 2));
        let events = recorder.0.lock().unwrap();
        let throttled: Vec<bool> = events
            .iter()
            .map(|e| match e {
                ProgressEvent::ApiAttempt { throttled, .. } => *throttled,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(throttled, [true, false, true]);
    }

    #[tokio::test]
    async fn only_a_unit_listed_in_full_is_scanned_and_every_unit_is_accounted_for() {
        let recorder = Arc::new(Recorder::default());
        let progress: Arc<dyn Progress> = recorder.clone();
        let units = vec![
            unit("listed", &progress, |meter| {
                Box::pin(async move {
                    meter.attempt(false);
                    Ok(KindListing {
                        resources: vec![Resource::new("p", "t", "r-1")],
                        unread_attributes: vec![(
                            "secret".into(),
                            ListError::AccessDenied("no\nread".into()),
                        )],
                    })
                })
            }),
            unit("denied", &progress, |meter| {
                Box::pin(async move {
                    meter.attempt(true);
                    Err(ListError::AccessDenied("x".repeat(1000)))
                })
            }),
            unit("panicked", &progress, |meter| {
                Box::pin(async move {
                    meter.attempt(false);
                    panic!("a bug in a listing");
                })
            }),
        ];
        let mut inv = LiveInventory::default();
        run_units("p", units, 2, &progress, &mut inv, |_, l| l).await;

        assert_eq!(inv.resources.len(), 1);
        assert_eq!(inv.scanned, [("t".to_string(), "listed".to_string())]);
        inv.skipped.sort();
        let skipped: Vec<(&str, Option<&str>)> = inv
            .skipped
            .iter()
            .map(|s| (s.scope.as_str(), s.attribute.as_deref()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("denied", None),
                ("listed", Some("secret")),
                ("panicked", None)
            ]
        );
        assert!(inv.skipped.iter().all(|s| s.reason.chars().count()
            <= crate::provider::MAX_REASON_CHARS
            && !s.reason.contains('\n')));
        // The panicked unit's call counts too.
        assert_eq!((inv.api_calls, inv.throttles), (3, 1));

        let events = recorder.0.lock().unwrap();
        let count = |f: fn(&ProgressEvent) -> bool| events.iter().filter(|e| f(e)).count();
        assert_eq!(
            events.first(),
            Some(&ProgressEvent::Planned {
                provider: "p",
                units: 3
            })
        );
        assert_eq!(count(|e| matches!(e, ProgressEvent::Started { .. })), 3);
        let finished: Vec<(&str, bool)> = events
            .iter()
            .filter_map(|e| match e {
                ProgressEvent::Finished { scope, outcome, .. } => Some((
                    scope.as_str(),
                    matches!(outcome, UnitOutcome::Listed { .. }),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(finished.len(), 3);
        assert!(finished.contains(&("listed", true)));
        assert!(finished.contains(&("denied", false)));
        assert!(finished.contains(&("panicked", false)));
    }

    #[tokio::test]
    async fn no_more_units_run_at_once_than_allowed() {
        let progress: Arc<dyn Progress> = Arc::new(crate::provider::NoProgress);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let units = (0..8)
            .map(|i| {
                let (running, most) = (running.clone(), most.clone());
                unit(&format!("s{i}"), &progress, move |_| {
                    Box::pin(async move {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok(KindListing::default())
                    })
                })
            })
            .collect();
        let mut inv = LiveInventory::default();
        run_units("p", units, 3, &progress, &mut inv, |_, l| l).await;
        assert_eq!(inv.scanned.len(), 8);
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }
}
