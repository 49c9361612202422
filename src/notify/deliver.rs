//! Delivery from the outbox: every due notification is offered to its channel; accepted ones are
//! marked sent, retryable failures wait with exponential backoff (or the receiver's
//! `Retry-After`) until their give-up time, permanent ones are marked failed at once.

use super::channel::{Accepted, Channel, Message, SendError};
use super::message::{Event, Notification};
use super::notifier::Notifier;
use super::plan::notice;
use crate::time::rfc3339;
use chrono::{DateTime, Utc};
use driftd_core::Tier;
use driftd_store::{NewNotification, OutboxItem};
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

/// A due outbox row with what it says.
struct Due {
    row: OutboxItem,
    body: Notification,
}

/// One delivery: a single notification, or several new drifts on one channel sent as one
/// summary message.
struct Batch {
    channel: String,
    items: Vec<Due>,
    summary: Option<Notification>,
}

/// Groups what is due: per channel, more than `threshold` new drifts become one summary.
fn batches(due: Vec<Due>, threshold: usize) -> Vec<Batch> {
    let mut triggers: HashMap<String, Vec<Due>> = HashMap::new();
    let mut out = Vec::new();
    for item in due {
        if item.row.event == "trigger" && threshold > 0 {
            triggers
                .entry(item.row.channel.clone())
                .or_default()
                .push(item);
        } else {
            out.push(Batch {
                channel: item.row.channel.clone(),
                items: vec![item],
                summary: None,
            });
        }
    }
    let mut grouped: Vec<_> = triggers.into_iter().collect();
    grouped.sort_by_key(|(_, items)| items[0].row.id);
    for (channel, items) in grouped {
        if items.len() > threshold {
            let summary = summary_payload(&items);
            out.push(Batch {
                channel,
                items,
                summary: Some(summary),
            });
        } else {
            out.extend(items.into_iter().map(|i| Batch {
                channel: channel.clone(),
                items: vec![i],
                summary: None,
            }));
        }
    }
    out.sort_by_key(|b| b.items[0].row.id);
    out
}

fn summary_payload(items: &[Due]) -> Notification {
    let mut targets: Vec<&str> = items.iter().filter_map(|i| i.body.target()).collect();
    targets.sort_unstable();
    targets.dedup();
    let worst = items
        .iter()
        .map(|i| i.body.tier())
        .max()
        .unwrap_or(Tier::Info);
    let lines: Vec<String> = items.iter().map(|i| i.body.summary().to_string()).collect();
    notice(
        Event::Summary,
        (targets.len() == 1).then(|| targets[0]),
        worst,
        &format!("{} new drifts in {}", items.len(), targets.join(", ")),
        &format!(
            "{} new drifts at once; listed below. `driftd report` shows each with expected and actual values.",
            items.len()
        ),
        lines,
    )
}

/// Sends everything due now. Returns how many notifications were attempted.
pub async fn deliver_due(ctx: &Notifier, channels: &HashMap<String, Arc<dyn Channel>>) -> usize {
    let now = ctx.clock.now();
    let due = match ctx
        .store
        .run({
            let now = rfc3339(now);
            move |s| s.due_notifications(&now, 500)
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
    let due = readable(ctx, due).await;
    let rt = ctx.runtime();
    for batch in batches(due, rt.defaults.summary_threshold) {
        deliver_batch(ctx, channels, &rt.defaults, batch).await;
    }
    attempted
}

/// The rows with what they say. A row that does not read as a notification (written by a
/// newer driftd, or damaged) cannot be sent by this one: it is kept as failed, with the reason.
async fn readable(ctx: &Notifier, due: Vec<OutboxItem>) -> Vec<Due> {
    let mut out = Vec::with_capacity(due.len());
    for row in due {
        match Notification::from_json(row.payload.clone()) {
            Ok(body) => out.push(Due { row, body }),
            Err(e) => {
                let (id, reason) = (
                    row.id,
                    format!("the stored notification cannot be read: {e}"),
                );
                tracing::error!(channel = %row.channel, id, error = %reason, "notification undeliverable");
                if let Err(e) = ctx.store.run(move |s| s.mark_failed(id, &reason)).await {
                    tracing::error!(error = %crate::chain(&e), "cannot record a delivery result");
                }
            }
        }
    }
    out
}

async fn deliver_batch(
    ctx: &Notifier,
    channels: &HashMap<String, Arc<dyn Channel>>,
    defaults: &super::config::NotifyConfig,
    batch: Batch,
) {
    let now = ctx.clock.now();
    let first = &batch.items[0].row;
    let give_up_at = batch
        .items
        .iter()
        .filter_map(|i| DateTime::parse_from_rfc3339(&i.row.give_up_at).ok())
        .map(|d| d.with_timezone(&Utc))
        .min()
        .unwrap_or(now);
    let thread = match &batch.summary {
        Some(_) => None,
        None => {
            let (fp, ch) = (first.fingerprint.clone(), first.channel.clone());
            ctx.store
                .run(move |s| s.thread_ref(&fp, &ch))
                .await
                .ok()
                .flatten()
        }
    };
    let summary_fp = format!("summary:{}", first.id);
    let (fingerprint, body) = match &batch.summary {
        Some(p) => (summary_fp.as_str(), p),
        None => (first.fingerprint.as_str(), &batch.items[0].body),
    };
    let event = body.event().as_str();
    let result = match channels.get(&batch.channel) {
        Some(ch) => {
            ch.send(&Message {
                id: first.id,
                fingerprint,
                body,
                thread: thread.as_deref(),
            })
            .await
        }
        None => Err(SendError::Permanent(format!(
            "channel `{}` is no longer configured",
            batch.channel
        ))),
    };
    let step = next_step(&result, first.attempts, ctx.clock.now(), give_up_at);
    let ids: Vec<i64> = batch.items.iter().map(|i| i.row.id).collect();
    let channel = batch.channel.clone();
    let outcome = match &step {
        Next::Sent => {
            let latency_ms = DateTime::parse_from_rfc3339(&first.created_at)
                .map(|c| (ctx.clock.now() - c.with_timezone(&Utc)).num_milliseconds())
                .unwrap_or_default();
            tracing::info!(channel = %channel, id = first.id, event, fingerprint, notifications = ids.len(), latency_ms, "notification delivered");
            let at = rfc3339(ctx.clock.now());
            let new_thread = result.ok().and_then(|a| a.thread);
            let resolved = event == "resolve";
            let (fp, ch) = (first.fingerprint.clone(), first.channel.clone());
            ctx.store
                .run(move |s| {
                    for id in &ids {
                        s.mark_sent(*id, &at)?;
                    }
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
            tracing::warn!(channel = %channel, id = first.id, error = %reason, retry_at = %rfc3339(*at), "notification not accepted; will retry");
            let at = rfc3339(*at);
            ctx.store
                .run(move |s| {
                    for id in &ids {
                        s.mark_retry(*id, &at, &reason)?;
                    }
                    Ok(())
                })
                .await
        }
        Next::Failed(reason) => {
            tracing::error!(channel = %channel, id = first.id, error = %reason, "notification undeliverable; kept as failed (see `driftd notify failed`)");
            let reason_s = reason.clone();
            let marked = ctx
                .store
                .run(move |s| {
                    for id in &ids {
                        s.mark_failed(*id, &reason_s)?;
                    }
                    Ok(())
                })
                .await;
            if body.event() != Event::Undeliverable {
                self_alert_failure(ctx, defaults, &batch, reason).await;
            }
            marked
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %crate::chain(&e), "cannot record a delivery result");
    }
}

/// Tells the `self_alert` channels (other than the one that failed) that a notification could
/// not be delivered, so a broken channel does not fail in silence.
async fn self_alert_failure(
    ctx: &Notifier,
    defaults: &super::config::NotifyConfig,
    batch: &Batch,
    reason: &str,
) {
    let self_alert = &defaults.self_alert;
    let first = &batch.items[0];
    let items: Vec<NewNotification> = self_alert
        .iter()
        .filter(|c| **c != batch.channel)
        .map(|c| NewNotification {
            channel: c.clone(),
            fingerprint: format!("undeliverable:{}", first.row.id),
            event: Event::Undeliverable.as_str().into(),
            payload: notice(
                Event::Undeliverable,
                first.body.target(),
                Tier::Warning,
                &format!("driftd cannot deliver to channel {}", batch.channel),
                &format!(
                    "{} notification(s) to channel `{}` were given up: {reason}",
                    batch.items.len(),
                    batch.channel
                ),
                batch
                    .items
                    .iter()
                    .map(|i| format!("#{} {}: {}", i.row.id, i.row.event, i.body.summary()))
                    .chain(std::iter::once(
                        "`driftd notify failed` lists them; fix the channel and they can be sent again with a new scan.".to_string(),
                    ))
                    .collect(),
            )
            .to_json(),
            ..Default::default()
        })
        .collect();
    if items.is_empty() {
        return;
    }
    let now = ctx.clock.now();
    let give_up = now + chrono::Duration::seconds(defaults.give_up_after_secs as i64);
    match ctx
        .store
        .run(move |s| s.enqueue(&items, &rfc3339(now), &rfc3339(give_up)))
        .await
    {
        Ok(_) => ctx.wake(),
        Err(e) => tracing::error!(error = %crate::chain(&e), "cannot queue the self-alert"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn item(id: i64, channel: &str, event: Event) -> Due {
        let tier = if id == 3 {
            Tier::Critical
        } else {
            Tier::Warning
        };
        let body = Notification::from_json(serde_json::json!({
            "version": 1,
            "event": event,
            "target": "prod",
            "summary": format!("[warning] prod: drift {id}"),
            "finding": {"fingerprint": format!("fp{id}"), "kind": "changed", "tier": tier,
                        "provider": "aws", "resource_type": "aws_instance",
                        "resource_id": format!("i-{id}"), "changes": []},
        }))
        .unwrap();
        let row = OutboxItem {
            id,
            channel: channel.into(),
            fingerprint: format!("fp{id}"),
            event: event.as_str().into(),
            payload: body.to_json(),
            created_at: String::new(),
            attempts: 0,
            status: "pending".into(),
            last_error: None,
            give_up_at: String::new(),
            sent_at: None,
        };
        Due { row, body }
    }

    #[test]
    fn many_new_drifts_on_one_channel_become_one_summary() {
        let due = || {
            (1..=4)
                .map(|i| item(i, "slack", Event::Trigger))
                .chain([
                    item(5, "slack", Event::Resolve),
                    item(6, "pager", Event::Trigger),
                ])
                .collect::<Vec<_>>()
        };
        let b = batches(due(), 3);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].items.len(), 4);
        let summary = b[0].summary.as_ref().unwrap().to_json();
        assert_eq!(summary["event"], "summary");
        assert_eq!(summary["tier"], "critical", "the worst tier of the group");
        assert_eq!(summary["target"], "prod");
        assert_eq!(summary["lines"].as_array().unwrap().len(), 4);
        assert!(b[1].summary.is_none() && b[1].items[0].row.event == "resolve");
        assert!(b[2].summary.is_none() && b[2].channel == "pager");
        // At or under the threshold, or with summaries off: one message each.
        assert!(batches(due(), 4).iter().all(|b| b.summary.is_none()));
        assert_eq!(batches(due(), 0).len(), 6);
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
