//! Counting what a listing really costs: every API call attempt (the SDK retries throttled and
//! transient failures by itself, invisibly to the resource code) and every attempt the API
//! answered with throttling.
//!
//! An [`AttemptMeter`] is an SDK interceptor installed on the client of one `(type, region)` unit.
//! `read_after_attempt` runs once per attempt, retries included, whether the attempt got an answer
//! or failed to connect. Whether an answer was throttling is decided by the client's own retry
//! classifiers (the ones the SDK's retry strategy asks), run on the finished attempt, so the count
//! matches what the SDK backs off for, whatever the error code (`RequestLimitExceeded`,
//! `Throttling`, HTTP 429, ...).

use aws_config::retry::ErrorKind;
use aws_sdk_ec2::config::interceptors::{FinalizerInterceptorContextRef, InterceptorContext};
use aws_sdk_ec2::config::retry::{ClassifyRetry, RetryAction};
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use driftd_core::provider::{Progress, ProgressEvent};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Counts the attempts of one unit of work and reports each one to a [`Progress`] as it ends.
/// Clones share their counts.
#[derive(Clone)]
pub struct AttemptMeter {
    counts: Arc<Counts>,
    progress: Arc<dyn Progress>,
}

#[derive(Default)]
struct Counts {
    attempts: AtomicU64,
    throttled: AtomicU64,
}

impl AttemptMeter {
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        AttemptMeter {
            counts: Arc::default(),
            progress,
        }
    }

    /// Attempts so far, and how many of them were throttled.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.counts.attempts.load(Ordering::Relaxed),
            self.counts.throttled.load(Ordering::Relaxed),
        )
    }

    fn record(&self, throttled: bool) {
        self.counts.attempts.fetch_add(1, Ordering::Relaxed);
        if throttled {
            self.counts.throttled.fetch_add(1, Ordering::Relaxed);
        }
        self.progress.event(&ProgressEvent::ApiAttempt {
            provider: crate::PROVIDER,
            throttled,
        });
    }
}

impl fmt::Debug for AttemptMeter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (attempts, throttled) = self.counts();
        f.debug_struct("AttemptMeter")
            .field("attempts", &attempts)
            .field("throttled", &throttled)
            .finish()
    }
}

impl Intercept for AttemptMeter {
    fn name(&self) -> &'static str {
        "driftd::AttemptMeter"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let verdict = classify_attempt(runtime_components, context.inner());
        self.record(is_throttling(&verdict));
        Ok(())
    }
}

/// The retry verdict of the client's classifiers on a finished attempt, combined as the SDK's
/// retry strategy combines them: in priority order (the runtime components keep them sorted),
/// a later opinion refines an earlier one, and "forbidden" ends the vote.
fn classify_attempt(rc: &RuntimeComponents, ctx: &InterceptorContext) -> RetryAction {
    let mut verdict = RetryAction::NoActionIndicated;
    for classifier in rc.retry_classifiers() {
        let next = classifier.classify_retry_v2(ctx, &verdict);
        if next == RetryAction::NoActionIndicated {
            continue;
        }
        verdict = next;
        if verdict == RetryAction::RetryForbidden {
            break;
        }
    }
    verdict
}

/// Whether a verdict says "throttled". The reason inside `RetryIndicated` is not nameable from
/// the SDK's public re-exports, so a verdict that carries a server-given delay is recognized by
/// its description, which names the error kind.
fn is_throttling(verdict: &RetryAction) -> bool {
    if *verdict == RetryAction::throttling_error() {
        return true;
    }
    verdict.should_retry()
        && verdict
            .to_string()
            .starts_with(&format!("retry {}", ErrorKind::ThrottlingError))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::provider::ProgressEvent;
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn only_throttling_verdicts_count_as_throttled() {
        assert!(is_throttling(&RetryAction::throttling_error()));
        assert!(is_throttling(
            &RetryAction::retryable_error_with_explicit_delay(
                ErrorKind::ThrottlingError,
                Duration::from_secs(2)
            )
        ));
        for other in [
            RetryAction::NoActionIndicated,
            RetryAction::RetryForbidden,
            RetryAction::transient_error(),
            RetryAction::server_error(),
            RetryAction::client_error(),
            RetryAction::retryable_error_with_explicit_delay(
                ErrorKind::ServerError,
                Duration::from_secs(2),
            ),
        ] {
            assert!(!is_throttling(&other), "{other}");
        }
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<ProgressEvent>>);
    impl Progress for Recorder {
        fn event(&self, event: &ProgressEvent) {
            self.0.lock().unwrap().push(event.clone());
        }
    }

    #[test]
    fn clones_share_counts_and_every_attempt_is_reported() {
        let recorder = Arc::new(Recorder::default());
        let meter = AttemptMeter::new(recorder.clone());
        let clone = meter.clone();
        meter.record(true);
        clone.record(false);
        clone.record(true);
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
}
