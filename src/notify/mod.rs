//! Notifications: from a finished scan to messages accepted by Slack, email, PagerDuty or a
//! webhook. A pipeline of small stages, after Alertmanager:
//!
//! 1. [`plan`]: which notifications the scan causes (routing, confirmation, repeats, resolves);
//!    pure.
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
pub mod notifier;
pub mod pagerduty;
pub mod pipeline;
pub mod plan;
pub mod silence;
pub mod slack;
pub mod webhook;
pub mod when;

use channel::Channel;
use config::ChannelConfig;
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
