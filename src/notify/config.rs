//! `[[channel]]`, `[[route]]` and `[notify]`: where alerts go and how often. Validated with the
//! rest of the config; secrets are references (`env:`/`file:`), loaded when channels are built.

use crate::secret::SecretRef;
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
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Tiers this route takes. Empty: all.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Target names or globs (`prod-*`). Empty: all.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Target labels that must all match (values are globs): `labels = { team = "net" }`.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Finding kinds this route takes (`violation`, `changed`...). Empty: all.
    #[serde(default)]
    pub kinds: Vec<driftd_core::FindingKind>,
    /// Policy ids or globs (`team-*`): the route takes only violations of these policies.
    /// Empty: any finding.
    #[serde(default)]
    pub policies: Vec<String>,
    pub channels: Vec<String>,
    #[serde(default, rename = "continue")]
    pub continue_matching: bool,
    /// A name for messages and for the route's digest (default: `route-N`, its position).
    pub name: Option<String>,
    /// Overrides of the tier policy for this route.
    pub group_wait_secs: Option<u64>,
    pub confirm_scans: Option<u32>,
    pub repeat_interval_secs: Option<u64>,
    pub send_resolved: Option<bool>,
    /// An open drift nobody acknowledged this long after its first notification also goes to
    /// `escalate_to`.
    pub escalate_after_secs: Option<u64>,
    #[serde(default)]
    pub escalate_to: Vec<String>,
    /// Hours in which non-critical notifications wait (or go to the digest).
    pub quiet_hours: Option<QuietHours>,
    /// Collect this route's non-critical drifts into one message a day instead of one each.
    pub digest: Option<DigestConfig>,
}

impl RouteConfig {
    /// The route's stable key: its name, or its position.
    pub fn key(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("route-{index}"))
    }
}

/// `quiet_hours = { from = "22:00", to = "07:00", timezone = "Europe/Berlin" }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub from: String,
    pub to: String,
    #[serde(default = "utc")]
    pub timezone: String,
    /// `hold`: deliver when the quiet hours end; `digest`: put into the route's digest.
    #[serde(default)]
    pub action: QuietAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuietAction {
    #[default]
    Hold,
    Digest,
}

impl QuietHours {
    pub fn window(&self) -> Result<super::when::Window, String> {
        Ok(super::when::Window {
            from: super::when::parse_time(&self.from).map_err(|e| format!("from: {e}"))?,
            to: super::when::parse_time(&self.to).map_err(|e| format!("to: {e}"))?,
            tz: super::when::parse_tz(&self.timezone).map_err(|e| format!("timezone: {e}"))?,
        })
    }
}

/// `digest = { at = "09:00", timezone = "Europe/Berlin" }`: once a day, local time.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    pub at: String,
    #[serde(default = "utc")]
    pub timezone: String,
}

impl DigestConfig {
    pub fn when(&self) -> Result<(chrono::NaiveTime, chrono_tz::Tz), String> {
        Ok((
            super::when::parse_time(&self.at).map_err(|e| format!("at: {e}"))?,
            super::when::parse_tz(&self.timezone).map_err(|e| format!("timezone: {e}"))?,
        ))
    }
}

fn utc() -> String {
    "UTC".into()
}

/// `[notify.heartbeat]`: a POST to a dead man's switch (healthchecks.io and the like) so a
/// daemon that died is noticed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeartbeatConfig {
    pub url: SecretRef,
    #[serde(default = "default_heartbeat")]
    pub interval_secs: u64,
}

fn default_heartbeat() -> u64 {
    300
}

/// How a tier notifies by default. In the config (`[notify.warning]`), every field is optional:
/// those left out keep the tier's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierPolicy {
    /// Hold the first notification of a drift this long, so drifts of scans ending close
    /// together arrive as one summary when there are many.
    pub group_wait_secs: u64,
    /// Consecutive scans that must see a drift before it notifies (critical: always 1).
    pub confirm_scans: u32,
    /// Re-notify an open, unacknowledged drift this often; 0: never.
    pub repeat_interval_secs: u64,
    /// Tell the channel when the drift is gone.
    pub send_resolved: bool,
}

/// A tier table as written: what it gives replaces the tier's default, the rest stays.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierTable {
    group_wait_secs: Option<u64>,
    confirm_scans: Option<u32>,
    repeat_interval_secs: Option<u64>,
    send_resolved: Option<bool>,
}

impl TierTable {
    fn over(self, d: TierPolicy) -> TierPolicy {
        TierPolicy {
            group_wait_secs: self.group_wait_secs.unwrap_or(d.group_wait_secs),
            confirm_scans: self.confirm_scans.unwrap_or(d.confirm_scans),
            repeat_interval_secs: self.repeat_interval_secs.unwrap_or(d.repeat_interval_secs),
            send_resolved: self.send_resolved.unwrap_or(d.send_resolved),
        }
    }
}

fn critical_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TierPolicy, D::Error> {
    TierTable::deserialize(d).map(|t| t.over(critical_policy()))
}
fn warning_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TierPolicy, D::Error> {
    TierTable::deserialize(d).map(|t| t.over(warning_policy()))
}
fn info_table<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TierPolicy, D::Error> {
    TierTable::deserialize(d).map(|t| t.over(info_policy()))
}

/// `[notify]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    #[serde(default = "critical_policy", deserialize_with = "critical_table")]
    pub critical: TierPolicy,
    #[serde(default = "warning_policy", deserialize_with = "warning_table")]
    pub warning: TierPolicy,
    #[serde(default = "info_policy", deserialize_with = "info_table")]
    pub info: TierPolicy,
    /// A notification not accepted after this long is given up and kept as failed.
    #[serde(default = "default_give_up")]
    pub give_up_after_secs: u64,
    /// More new drifts than this, due on one channel at once, are sent as one summary
    /// message. 0: never summarize.
    #[serde(default = "default_summary")]
    pub summary_threshold: usize,
    /// Channels told when a notification to another channel is undeliverable.
    #[serde(default)]
    pub self_alert: Vec<String>,
    /// Tell the routes' warning channels once when a scan is incomplete (and when it is
    /// complete again), instead of leaving missing resources unreported in silence.
    #[serde(default = "yes")]
    pub scan_degraded: bool,
    pub heartbeat: Option<HeartbeatConfig>,
}

fn default_summary() -> usize {
    10
}
fn yes() -> bool {
    true
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            critical: critical_policy(),
            warning: warning_policy(),
            info: info_policy(),
            give_up_after_secs: default_give_up(),
            summary_threshold: default_summary(),
            self_alert: Vec::new(),
            scan_degraded: true,
            heartbeat: None,
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
        group_wait_secs: 0,
        confirm_scans: 1,
        repeat_interval_secs: 4 * 3600,
        send_resolved: true,
    }
}
fn warning_policy() -> TierPolicy {
    TierPolicy {
        group_wait_secs: 30,
        confirm_scans: 2,
        repeat_interval_secs: 24 * 3600,
        send_resolved: true,
    }
}
fn info_policy() -> TierPolicy {
    TierPolicy {
        group_wait_secs: 30,
        confirm_scans: 1,
        repeat_interval_secs: 0,
        send_resolved: false,
    }
}
fn default_give_up() -> u64 {
    24 * 3600
}

/// Validation problems of channels and routes, each naming the key.
pub fn problems(
    file: &str,
    channels: &[ChannelConfig],
    routes: &[RouteConfig],
    notify: &NotifyConfig,
) -> Vec<String> {
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
        for ch in &r.escalate_to {
            if !names.contains(ch.as_str()) {
                out.push(format!("{at}.escalate_to: no channel named `{ch}`"));
            }
        }
        if !r.escalate_to.is_empty() && r.escalate_after_secs.is_none() {
            out.push(format!(
                "{at}.escalate_after_secs: required with escalate_to (seconds without acknowledgement)"
            ));
        }
        for t in &r.targets {
            if let Err(e) = glob::Pattern::new(t) {
                out.push(format!("{at}.targets: `{t}` is not a valid glob: {e}"));
            }
        }
        for p in &r.policies {
            if let Err(e) = glob::Pattern::new(p) {
                out.push(format!("{at}.policies: `{p}` is not a valid glob: {e}"));
            }
        }
        for (k, v) in &r.labels {
            if let Err(e) = glob::Pattern::new(v) {
                out.push(format!("{at}.labels.{k}: `{v}` is not a valid glob: {e}"));
            }
        }
        if let Some(q) = &r.quiet_hours {
            if let Err(e) = q.window() {
                out.push(format!("{at}.quiet_hours.{e}"));
            }
            if q.action == QuietAction::Digest && r.digest.is_none() {
                out.push(format!(
                    "{at}.quiet_hours.action: `digest` needs a `digest` on the same route"
                ));
            }
        }
        if let Some(d) = &r.digest {
            if let Err(e) = d.when() {
                out.push(format!("{at}.digest.{e}"));
            }
        }
    }
    let mut keys = std::collections::BTreeSet::new();
    for (i, r) in routes.iter().enumerate() {
        if !keys.insert(r.key(i)) {
            out.push(format!(
                "{file}: route[{i}].name: another route is named `{}`",
                r.key(i)
            ));
        }
    }
    for ch in &notify.self_alert {
        if !names.contains(ch.as_str()) {
            out.push(format!(
                "{file}: notify.self_alert: no channel named `{ch}`"
            ));
        }
    }
    if let Some(h) = &notify.heartbeat {
        if h.interval_secs < 10 {
            out.push(format!(
                "{file}: notify.heartbeat.interval_secs: must be at least 10"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_tier_table_keeps_the_tiers_other_defaults() {
        let c: NotifyConfig = toml::from_str("[warning]\nconfirm_scans = 3\n").unwrap();
        assert_eq!(
            c.warning,
            TierPolicy {
                confirm_scans: 3,
                ..warning_policy()
            }
        );
        assert_eq!(c.critical, critical_policy());
        let c: NotifyConfig = toml::from_str("[info]\nsend_resolved = true\n").unwrap();
        assert_eq!(
            c.info,
            TierPolicy {
                send_resolved: true,
                ..info_policy()
            }
        );
        // A misspelt key names itself and the accepted ones.
        let e = toml::from_str::<NotifyConfig>("[warning]\nconfirm = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `confirm`"), "{e}");
        assert!(e.contains("confirm_scans"), "{e}");
    }
}
