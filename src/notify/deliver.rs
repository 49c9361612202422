//! Delivery from the outbox: every due notification is offered to its channel; accepted ones are
//! marked sent, retryable failures wait with exponential backoff (or the receiver's
//! `Retry-After`) until their give-up time, permanent ones are marked failed at once.

use super::channel::{Accepted, Channel, Message, SendError};
use crate::daemon::{rfc3339, Ctx};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s, ... capped at 10 minutes.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(0, 16) as u32;
    Duration::from_secs(5u64.saturating_mul(1u64 << exp)).min(Duration::from_secs(600))
}

/// What happens to one notification after an attempt.
#[derive(Debug, PartialEq)]
pub enum Next {
    Sent,
    RetryAt(DateTime<Utc>),
    Failed(String),
}

/// Decides, from the attempt's result, the attempts so far and the give-up time.
pub fn next_step(
    result: &Result<Accepted, SendError>,
    attempts: i64,
    now: DateTime<Utc>,
    give_up_at: DateTime<Utc>,
) -> Next {
    match result {
        Ok(_) => Next::Sent,
        Err(SendError::Permanent(reason)) => Next::Failed(reason.clone()),
        Err(SendError::Retry { reason, after }) => {
            let wait = after.unwrap_or_else(|| backoff(attempts));
            let at = now + chrono::Duration::from_std(wait).unwrap_or_default();
            if at > give_up_at {
                Next::Failed(format!("{reason}; gave up at {}", rfc3339(give_up_at)))
            } else {
                Next::RetryAt(at)
            }
        }
    }
}

/// Sends everything due now. Returns how many notifications were attempted.
pub async fn deliver_due(ctx: &Ctx, channels: &HashMap<String, Arc<dyn Channel>>) -> usize {
    let now = ctx.clock.now();
    let due = match ctx
        .store({
            let now = rfc3339(now);
            move |s| s.due_notifications(&now, 100)
        })
        .await
    {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %crate::chain(&e), "cannot read the notification outbox");
            return 0;
        }
    };
    let attempted = due.len();
    for item in due {
        let give_up_at = DateTime::parse_from_rfc3339(&item.give_up_at)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now);
        let thread = {
            let (fp, ch) = (item.fingerprint.clone(), item.channel.clone());
            ctx.store(move |s| s.thread_ref(&fp, &ch))
                .await
                .ok()
                .flatten()
        };
        let result = match channels.get(&item.channel) {
            Some(ch) => {
                ch.send(&Message {
                    id: item.id,
                    event: &item.event,
                    fingerprint: &item.fingerprint,
                    payload: &item.payload,
                    thread: thread.as_deref(),
                })
                .await
            }
            None => Err(SendError::Permanent(format!(
                "channel `{}` is no longer configured",
                item.channel
            ))),
        };
        let step = next_step(&result, item.attempts, ctx.clock.now(), give_up_at);
        let id = item.id;
        let outcome = match &step {
            Next::Sent => {
                tracing::info!(channel = %item.channel, id, event = %item.event, fingerprint = %item.fingerprint, "notification delivered");
                let at = rfc3339(ctx.clock.now());
                let new_thread = result.ok().and_then(|a| a.thread);
                let resolved = item.event == "resolve";
                let (fp, ch) = (item.fingerprint.clone(), item.channel.clone());
                ctx.store(move |s| {
                    s.mark_sent(id, &at)?;
                    if resolved {
                        s.clear_thread_ref(&fp, &ch)
                    } else if let Some(t) = new_thread {
                        s.set_thread_ref(&fp, &ch, &t)
                    } else {
                        Ok(())
                    }
                })
                .await
            }
            Next::RetryAt(at) => {
                let reason = result.err().map(|e| e.to_string()).unwrap_or_default();
                tracing::warn!(channel = %item.channel, id, error = %reason, retry_at = %rfc3339(*at), "notification not accepted; will retry");
                let at = rfc3339(*at);
                ctx.store(move |s| s.mark_retry(id, &at, &reason)).await
            }
            Next::Failed(reason) => {
                tracing::error!(channel = %item.channel, id, error = %reason, "notification undeliverable; kept as failed (see `driftd notify failed`)");
                let reason = reason.clone();
                ctx.store(move |s| s.mark_failed(id, &reason)).await
            }
        };
        if let Err(e) = outcome {
            tracing::error!(error = %crate::chain(&e), "cannot record a delivery result");
        }
    }
    attempted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn retry_rules() {
        let give_up = t(3600);
        assert_eq!(
            next_step(&Ok(Accepted::default()), 0, t(0), give_up),
            Next::Sent
        );
        let perm = Err(SendError::Permanent("HTTP 400".into()));
        assert!(matches!(
            next_step(&perm, 0, t(0), give_up),
            Next::Failed(_)
        ));
        let retry = Err(SendError::Retry {
            reason: "HTTP 500".into(),
            after: None,
        });
        assert_eq!(next_step(&retry, 0, t(0), give_up), Next::RetryAt(t(5)));
        assert_eq!(next_step(&retry, 3, t(0), give_up), Next::RetryAt(t(40)));
        assert_eq!(next_step(&retry, 30, t(0), give_up), Next::RetryAt(t(600)));
        let told = Err(SendError::Retry {
            reason: "HTTP 429".into(),
            after: Some(Duration::from_secs(17)),
        });
        assert_eq!(next_step(&told, 0, t(0), give_up), Next::RetryAt(t(17)));
        assert!(
            matches!(next_step(&retry, 0, t(3598), give_up), Next::Failed(r) if r.contains("gave up"))
        );
    }
}
