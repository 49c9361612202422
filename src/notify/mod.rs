//! Notifications: from a finished scan to messages accepted by Slack, email, PagerDuty or a
//! webhook. A pipeline of small stages, after Alertmanager:
//!
//! 1. [`plan`]: which notifications the scan causes (routing, confirmation, repeats, resolves);
//!    pure. Each is a typed [`message::Notification`] (a drift of one finding, or a notice),
//!    rendered by each channel.
//! 2. the store's outbox: every notification is written before it is sent.
//! 3. [`deliver`]: sends what is due, one channel file each ([`slack`], [`email`],
//!    [`pagerduty`], [`webhook`]); the receiver's answer decides: accepted, retry with backoff
//!    (honouring `Retry-After`) until the give-up time, or permanent failure (kept for
//!    inspection).
//!
//! Secrets ([`crate::secret`]) are references in the config and a type that never prints.

pub mod channel;
pub mod config;
pub mod deliver;
pub mod digest;
pub mod email;
pub mod heartbeat;
pub mod message;
pub mod notifier;
pub mod pagerduty;
pub mod pipeline;
pub mod plan;
pub mod silence;
pub mod slack;
pub mod webhook;
pub mod when;

use channel::{Accepted, Channel, Message, SendError};
use config::ChannelConfig;
use message::Notification;
use std::collections::HashMap;
use std::sync::Arc;

/// Builds every configured channel, loading its secrets now (so a missing one is an error at
/// start, naming the channel and the variable or file, never the value).
pub fn build_channels(
    configs: &[ChannelConfig],
) -> Result<HashMap<String, Arc<dyn Channel>>, String> {
    let mut out: HashMap<String, Arc<dyn Channel>> = HashMap::new();
    for c in configs {
        let ch: Arc<dyn Channel> = match c {
            ChannelConfig::Webhook(w) => Arc::new(webhook::Webhook::new(w)?),
            ChannelConfig::Pagerduty(p) => Arc::new(pagerduty::PagerDuty::new(p)?),
            ChannelConfig::Slack(s) => Arc::new(slack::Slack::new(s)?),
            ChannelConfig::Email(e) => Arc::new(email::Email::new(e)?),
        };
        out.insert(c.name().to_string(), ch);
    }
    Ok(out)
}

/// The fingerprint of `driftd notify test`'s synthetic finding.
const TEST_FINGERPRINT: &str = "00000000000000000000000000000000";

/// `driftd notify test`: a synthetic finding, with no history, sent to `channel` to check its
/// settings end to end.
pub async fn send_test(channel: &dyn Channel) -> Result<Accepted, SendError> {
    let body = Notification::from_json(serde_json::json!({
        "version": message::VERSION,
        "event": message::Event::Test,
        "target": "driftd-test",
        "summary": "[info] driftd test notification: this channel works",
        "finding": {
            "fingerprint": TEST_FINGERPRINT,
            "kind": "changed", "tier": "info", "provider": "test",
            "resource_type": "driftd_test", "resource_id": "test",
            "changes": []
        }
    }))
    .expect("the test notification is a drift");
    channel
        .send(&Message {
            id: 0,
            fingerprint: TEST_FINGERPRINT,
            body: &body,
            thread: None,
        })
        .await
}
