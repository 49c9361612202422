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
use driftd_core::listing::ApiMeter;
use driftd_core::provider::Progress;
use std::sync::Arc;

/// The SDK interceptor that counts the attempts of one unit of work on its [`ApiMeter`] (which
/// reports each one to the unit's [`Progress`] as it ends). Clones share their counts.
#[derive(Clone, Debug)]
pub struct AttemptMeter(ApiMeter);

impl AttemptMeter {
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        AttemptMeter(ApiMeter::new(crate::PROVIDER, progress))
    }

    /// The meter the attempts are counted on.
    pub fn api_meter(&self) -> &ApiMeter {
        &self.0
    }

    /// Attempts so far, and how many of them were throttled.
    pub fn counts(&self) -> (u64, u64) {
        self.0.counts()
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
        self.0.attempt(is_throttling(&verdict));
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
}
