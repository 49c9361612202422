//! `type = "slack"`: what a Slack channel is configured with, and its validation (no network).

use crate::secret::SecretRef;
use serde::Deserialize;

/// `type = "slack"`: a bot token and a channel ID, or an incoming webhook URL.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    pub name: String,
    /// Bot token (`xoxb-...`) with the `chat:write` scope, for `chat.postMessage` and
    /// `chat.update`.
    pub token: Option<SecretRef>,
    /// Channel ID (`C0123456`): `chat.update` needs the ID, not the name.
    pub channel: Option<String>,
    /// Instead of `token` + `channel`: an incoming webhook (posts only; no threads, no edits).
    pub webhook_url: Option<SecretRef>,
    /// Web API base URL. Default: https://slack.com/api/ (overridden by tests).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_api_url() -> String {
    "https://slack.com/api/".into()
}
fn default_timeout() -> u64 {
    10
}

impl SlackConfig {
    /// Validation problems, each as `key: message` (the caller prefixes the channel).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match (&self.webhook_url, &self.token, &self.channel) {
            (Some(_), None, None) => {}
            (Some(_), _, _) => out.push(
                "webhook_url: use either `webhook_url` or `token` + `channel`, not both".into(),
            ),
            (None, token, channel) => {
                if token.is_none() {
                    out.push(
                        "token: required (a bot token reference such as `env:SLACK_BOT_TOKEN`), \
                         or use `webhook_url` instead"
                            .into(),
                    );
                }
                if channel.is_none() {
                    out.push(
                        "channel: required (a channel ID such as `C0123456`), or use \
                         `webhook_url` instead"
                            .into(),
                    );
                }
            }
        }
        if let Some(c) = &self.channel {
            if !is_channel_id(c) {
                out.push(format!(
                    "channel: `{c}` is not a channel ID; use the ID (like `C0123456`, shown in \
                     the channel's details), not its name: `chat.update` needs the ID"
                ));
            }
        }
        if !(self.api_url.starts_with("http://") || self.api_url.starts_with("https://")) {
            out.push("api_url: must start with http:// or https://".into());
        }
        if self.timeout_secs == 0 {
            out.push("timeout_secs: must be at least 1".into());
        }
        out
    }
}

/// A public (`C`), private (`G`) or direct (`D`) conversation ID.
fn is_channel_id(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(['C', 'G', 'D'])
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml_text: &str) -> SlackConfig {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn config_needs_token_and_channel_or_a_webhook() {
        let ok = config("name = \"s\"\ntoken = \"env:T\"\nchannel = \"C0123456\"\n");
        assert_eq!(ok.problems(), Vec::<String>::new());
        assert_eq!(ok.api_url, "https://slack.com/api/");
        let ok = config("name = \"s\"\nwebhook_url = \"env:W\"\n");
        assert!(ok.problems().is_empty());
        let both = config("name = \"s\"\nwebhook_url = \"env:W\"\nchannel = \"C0123456\"\n");
        assert!(both.problems()[0].starts_with("webhook_url: use either"));
        let none = config("name = \"s\"\n");
        let p = none.problems();
        assert!(p.iter().any(|p| p.starts_with("token: required")), "{p:?}");
        assert!(
            p.iter().any(|p| p.starts_with("channel: required")),
            "{p:?}"
        );
        let name = config("name = \"s\"\ntoken = \"env:T\"\nchannel = \"#ops\"\n");
        assert!(name.problems()[0].contains("not a channel ID"));
        let url =
            config("name = \"s\"\ntoken = \"env:T\"\nchannel = \"C1\"\napi_url = \"slack.com\"\n");
        assert!(url.problems()[0].starts_with("api_url:"));
        assert!(toml::from_str::<SlackConfig>("name = \"s\"\ntoken = \"xoxb-1\"\n").is_err());
    }
}
