//! The traits a cloud provider implements, what a listing returns, and the hook through which a
//! listing reports its progress ([`Progress`]).

use crate::model::{Resource, Skipped};
use crate::schema::TypeSpec;
use async_trait::async_trait;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Everything one provider listed for one target.
#[derive(Debug, Default, Clone)]
pub struct LiveInventory {
    pub resources: Vec<Resource>,
    /// `(resource_type, scope)` pairs listed completely. Only these can prove a resource missing.
    pub scanned: Vec<(String, String)>,
    /// Scopes (or attributes) that could not be listed.
    pub skipped: Vec<Skipped>,
    /// API call attempts made (the SDK's retries included) and attempts the API answered with
    /// "slow down", for progress and metrics.
    pub api_calls: u64,
    pub throttles: u64,
    /// The account (AWS) the credentials reach, when the provider could tell. Resources a state
    /// records in another account cannot be seen by this listing: they are "not scanned".
    pub account: Option<String>,
}

/// A provider failure that stops the whole target (no credentials, unusable configuration).
/// Failures of one scope are not errors: they go to [`LiveInventory::skipped`].
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no usable credentials for provider {provider}: {message}")]
    Credentials { provider: String, message: String },
    #[error("invalid provider configuration: {0}")]
    Config(String),
}

/// A cloud (or cluster) that driftd can list.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Provider name as used in resource keys and state (`aws`).
    fn name(&self) -> &'static str;
    /// The resource types this provider compares, with their comparison specs.
    fn type_specs(&self) -> Vec<&'static TypeSpec>;
    /// Lists the given resource types in every configured scope, telling `progress` what it does.
    async fn list(
        &self,
        resource_types: &[String],
        progress: Arc<dyn Progress>,
    ) -> Result<LiveInventory, ProviderError>;
}

/// Receives a provider's [`ProgressEvent`]s: a progress bar, log lines, metrics.
///
/// Called from the provider's listing tasks, concurrently and in the middle of API calls: keep it
/// quick, and never block on anything slow.
pub trait Progress: Send + Sync {
    fn event(&self, event: &ProgressEvent);
}

/// A [`Progress`] that wants nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _: &ProgressEvent) {}
}

/// What a provider reports while it lists. A unit of work is one resource type in one scope
/// (region); each is `Started` once and `Finished` once, whatever happens to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// Sent once, before any listing: how many `(type, scope)` units will be listed.
    Planned {
        provider: &'static str,
        units: usize,
    },
    Started {
        provider: &'static str,
        resource_type: &'static str,
        scope: String,
    },
    /// One API call attempt ended (each retry is an attempt); `throttled` when the API answered
    /// "slow down". Sent as it happens, so a display can count live.
    ApiAttempt {
        provider: &'static str,
        throttled: bool,
    },
    Finished {
        provider: &'static str,
        resource_type: &'static str,
        scope: String,
        stats: UnitStats,
        outcome: UnitOutcome,
    },
}

/// What one `(type, scope)` unit cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitStats {
    /// Resources listed (0 when the unit was skipped).
    pub resources: usize,
    /// API call attempts, retries included.
    pub api_calls: u64,
    /// Attempts answered with throttling.
    pub throttles: u64,
    pub duration: Duration,
}

/// How one `(type, scope)` unit ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitOutcome {
    /// Listed completely; some attributes may have been left out, with the reason
    /// (`(attribute, reason)`).
    Listed {
        unread_attributes: Vec<(String, String)>,
    },
    /// Not scanned, with the reason (the same text as in the report's `skipped`).
    Skipped { reason: String },
}

/// Why one scope could not be listed; the classification decides the report wording and whether
/// retrying later can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    AccessDenied(String),
    Throttled(String),
    Timeout(String),
    Connection(String),
    Api(String),
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::AccessDenied(m) => write!(f, "access denied: {m}"),
            ListError::Throttled(m) => write!(f, "throttled after retries: {m}"),
            ListError::Timeout(m) => write!(f, "timed out: {m}"),
            ListError::Connection(m) => write!(f, "could not connect: {m}"),
            ListError::Api(m) => write!(f, "API error: {m}"),
        }
    }
}

impl std::error::Error for ListError {}

/// Longest reason kept in a report's `skipped` entry, in characters.
pub const MAX_REASON_CHARS: usize = 300;

/// A reason fit for a report: control characters (and runs of whitespace) become one space, and
/// anything past [`MAX_REASON_CHARS`] is cut with `…`. An API's answer can be a whole HTML page or
/// carry escape sequences; a report, a log line or a notification must hold neither.
pub fn bounded_reason(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_REASON_CHARS * 4));
    let mut chars = 0;
    let mut space = false;
    for c in text.chars() {
        let blank = c.is_whitespace() || c.is_control();
        if blank {
            space = !out.is_empty();
            continue;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
            chars += 1;
        }
        if chars >= MAX_REASON_CHARS {
            // Cut on a character, never inside one.
            while chars > MAX_REASON_CHARS - 1 {
                out.pop();
                chars -= 1;
            }
            out.push('…');
            return out;
        }
        out.push(c);
        chars += 1;
    }
    out
}

/// One resource type of a provider: its comparison spec and how to list it with client `C`.
/// Adding a type is one file implementing this plus one registry line.
#[async_trait]
pub trait ResourceKind<C: Sync>: Send + Sync {
    fn spec(&self) -> &'static TypeSpec;
    /// Lists every resource of this type in `scope` (a region), mapped to Terraform attributes.
    /// An error means the scope is not scanned; a partial list must never be returned as `Ok`.
    async fn list(&self, client: &C, scope: &str) -> Result<KindListing, ListError>;
}

/// What one [`ResourceKind::list`] call returns.
#[derive(Debug, Default)]
pub struct KindListing {
    pub resources: Vec<Resource>,
    /// Attributes that could not be read (left out of the comparison), with the reason.
    pub unread_attributes: Vec<(String, ListError)>,
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn reasons_are_bounded_and_printable() {
        assert_eq!(bounded_reason("  a\r\n\tb\u{1b}[31m c  "), "a b [31m c");
        let long = "é".repeat(1000);
        let cut = bounded_reason(&long);
        assert_eq!(cut.chars().count(), MAX_REASON_CHARS);
        assert!(cut.ends_with('…'));
        let exact = "x".repeat(MAX_REASON_CHARS);
        assert_eq!(bounded_reason(&exact), exact);
        assert_eq!(bounded_reason(""), "");
    }
}
