//! Time as driftd writes and reads it: timestamps in one RFC 3339 form ([`rfc3339`]), and
//! wall-clock time injected through a [`Clock`] (the scheduler, planner and dashboard ask it for
//! "now" and to sleep, so tests run on tokio's paused time instead of sleeping for real).
//! Everything may import this module; it imports nothing of driftd.

use chrono::{DateTime, SecondsFormat, Utc};
use std::future::Future;
use std::pin::Pin;

/// A timestamp as the store, reports and notifications write it: UTC, whole seconds, `Z`.
/// Stored timestamps compare as text, so every writer must use this one form.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Sleeps until `t` (returns at once if it has passed).
    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The system clock. Sleeps are re-checked against the wall clock on wake-up by the caller, so a
/// clock step (NTP, suspend) delays a run at most until the next check.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let wait = (t - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that follows tokio's (pausable) time from a fixed starting instant.
#[cfg(test)]
pub struct TokioClock {
    pub base: DateTime<Utc>,
    pub start: tokio::time::Instant,
}

#[cfg(test)]
impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now() - self.start;
        self.base + chrono::Duration::from_std(elapsed).unwrap_or_default()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let offset = (t - self.base).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep_until(self.start + offset))
    }
}
