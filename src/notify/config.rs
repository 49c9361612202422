//! `[[channel]]`, `[[route]]` and `[notify]`: where alerts go and how often. Validated with the
//! rest of the config; secrets are references (`env:`/`file:`), loaded when channels are built.

use super::secret::SecretRef;
use driftd_core::Tier;
use serde::Deserialize;

/// One notification channel. `type` selects the kind; each kind has its own keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ChannelConfig {
    Webhook(WebhookConfig),
    Pagerduty(PagerDutyConfig),
    Slack(super::slack::SlackConfig),
    Email(super::email::EmailConfig),
}

impl ChannelConfig {
    pub fn name(&self) -> &str {
        match self {
            ChannelConfig::Webhook(c) => &c.name,
            ChannelConfig::Pagerduty(c) => &c.name,
            ChannelConfig::Slack(c) => &c.name,
            ChannelConfig::Email(c) => &c.name,
        }
    }
}

/// A generic webhook: JSON POST, signed with HMAC-SHA256 when `signing_secret` is set.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    /// The URL often embeds a token, so it is a secret reference too.
    pub url: SecretRef,
    pub signing_secret: Option<SecretRef>,
    #[serde(default = "default_http_timeout")]
    pub timeout_secs: u64,
}

/// PagerDuty Events API v2.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    pub name: String,
    /// The integration's routing key.
    pub routing_key: SecretRef,
    /// Events API endpoint. Default: https://events.pagerduty.com/v2/enqueue.
    #[serde(default = "default_pagerduty_url")]
    pub url: String,
    #[serde(default = "default_http_timeout")]
    pub timeout_secs: u64,
}

fn default_http_timeout() -> u64 {
    10
}
fn default_pagerduty_url() -> String {
    "https://events.pagerduty.com/v2/enqueue".into()
}

/// A route: which findings go to which channels. Routes are tried in order; the first match
/// wins unless it says `continue = true`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Tiers this route takes. Empty: all.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Target names or globs (`prod-*`). Empty: all.
    #[serde(default)]
    pub targets: Vec<String>,
    pub channels: Vec<String>,
    #[serde(default, rename = "continue")]
    pub continue_matching: bool,
    /// Overrides of the tier policy for this route.
    pub confirm_scans: Option<u32>,
    pub repeat_interval_secs: Option<u64>,
    pub send_resolved: Option<bool>,
}

/// How a tier notifies by default.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierPolicy {
    /// Consecutive scans that must see a drift before it notifies (critical: always 1).
    pub confirm_scans: u32,
    /// Re-notify an open, unacknowledged drift this often; 0: never.
    pub repeat_interval_secs: u64,
    /// Tell the channel when the drift is gone.
    pub send_resolved: bool,
}

/// `[notify]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    #[serde(default = "critical_policy")]
    pub critical: TierPolicy,
    #[serde(default = "warning_policy")]
    pub warning: TierPolicy,
    #[serde(default = "info_policy")]
    pub info: TierPolicy,
    /// A notification not accepted after this long is given up and kept as failed.
    #[serde(default = "default_give_up")]
    pub give_up_after_secs: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            critical: critical_policy(),
            warning: warning_policy(),
            info: info_policy(),
            give_up_after_secs: default_give_up(),
        }
    }
}

impl NotifyConfig {
    pub fn policy(&self, tier: Tier) -> TierPolicy {
        match tier {
            Tier::Critical => self.critical,
            Tier::Warning => self.warning,
            Tier::Info => self.info,
        }
    }
}

fn critical_policy() -> TierPolicy {
    TierPolicy {
        confirm_scans: 1,
        repeat_interval_secs: 4 * 3600,
        send_resolved: true,
    }
}
fn warning_policy() -> TierPolicy {
    TierPolicy {
        confirm_scans: 2,
        repeat_interval_secs: 24 * 3600,
        send_resolved: true,
    }
}
fn info_policy() -> TierPolicy {
    TierPolicy {
        confirm_scans: 1,
        repeat_interval_secs: 0,
        send_resolved: false,
    }
}
fn default_give_up() -> u64 {
    24 * 3600
}

/// Validation problems of channels and routes, each naming the key.
pub fn problems(file: &str, channels: &[ChannelConfig], routes: &[RouteConfig]) -> Vec<String> {
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in channels.iter().enumerate() {
        let at = format!("{file}: channel[{i}] ({:?})", c.name());
        if c.name().trim().is_empty() {
            out.push(format!("{at}.name: must not be empty"));
        } else if !names.insert(c.name()) {
            out.push(format!("{at}.name: another channel has this name"));
        }
        if let ChannelConfig::Pagerduty(p) = c {
            if !(p.url.starts_with("http://") || p.url.starts_with("https://")) {
                out.push(format!("{at}.url: must start with http:// or https://"));
            }
        }
        if let ChannelConfig::Email(e) = c {
            out.extend(e.problems(&at));
        }
        if let ChannelConfig::Slack(s) = c {
            out.extend(s.problems().into_iter().map(|p| format!("{at}.{p}")));
        }
    }
    for (i, r) in routes.iter().enumerate() {
        let at = format!("{file}: route[{i}]");
        if r.channels.is_empty() {
            out.push(format!("{at}.channels: list at least one channel"));
        }
        for ch in &r.channels {
            if !names.contains(ch.as_str()) {
                out.push(format!(
                    "{at}.channels: no channel named `{ch}`; defined: {}",
                    names.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        for t in &r.targets {
            if let Err(e) = glob::Pattern::new(t) {
                out.push(format!("{at}.targets: `{t}` is not a valid glob: {e}"));
            }
        }
    }
    out
}
