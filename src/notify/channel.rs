//! What every channel implements, and the retry classification every HTTP channel shares (the
//! same rules for all, tested once): 2xx accepted; 429 and 5xx, timeouts and connection errors
//! retried (honouring `Retry-After`); any other 4xx is permanent and not retried.

use super::message::{Event, Notification};
use crate::secret::{redact, Secret};
use async_trait::async_trait;
use std::time::Duration;

/// Why a send did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// Worth trying again, after `after` if the receiver said so.
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// Trying again cannot help (bad request, unknown routing key, gone).
    Permanent(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Retry { reason, .. } => write!(f, "{reason} (will retry)"),
            SendError::Permanent(r) => write!(f, "{r} (not retried)"),
        }
    }
}

/// One notification as a channel gets it.
pub struct Message<'a> {
    /// The outbox id: the idempotency key of the delivery.
    pub id: i64,
    pub fingerprint: &'a str,
    /// What to say: a drift of one finding, or a notice.
    pub body: &'a Notification,
    /// The conversation this finding already has on this channel (what an earlier `send`
    /// returned): a Slack message ts to thread under or edit, an email Message-ID to reply to.
    pub thread: Option<&'a str>,
}

impl Message<'_> {
    pub fn event(&self) -> Event {
        self.body.event()
    }
}

/// What a channel accepted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accepted {
    /// A new conversation reference to remember for this finding (first message only).
    pub thread: Option<String>,
}

/// A notification channel: one file per kind. Implementations must be safe to retry (the same
/// message may be offered again after a timeout) and must never put a secret in an error.
#[async_trait]
pub trait Channel: Send + Sync {
    async fn send(&self, msg: &Message<'_>) -> Result<Accepted, SendError>;
}

/// An HTTP client with a deadline per request.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("driftd/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// Classifies the outcome of one HTTP request. Error texts go through [`redact`] so a secret
/// in a URL never reaches a log line.
pub async fn classify(
    what: &str,
    result: reqwest::Result<reqwest::Response>,
    secrets: &[&Secret],
) -> Result<reqwest::Response, SendError> {
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            // reqwest's error text includes the URL; drop it and redact anyway.
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "request failed"
            };
            let detail = redact(&e.without_url().to_string(), secrets);
            return Err(SendError::Retry {
                reason: format!("{what}: {kind}: {detail}"),
                after: None,
            });
        }
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = resp.text().await.unwrap_or_default();
    let body: String = redact(&body, secrets).chars().take(300).collect();
    let reason = format!("{what}: HTTP {}: {}", status.as_u16(), body.trim());
    if status.as_u16() == 429 || status.is_server_error() {
        Err(SendError::Retry {
            reason,
            after: retry_after,
        })
    } else {
        Err(SendError::Permanent(reason))
    }
}
