//! Slack, through [slack-morphism]: either the Web API with a bot token (threads and edits) or
//! an incoming webhook (post only).
//!
//! With a bot token, a finding gets one conversation:
//! - the first trigger is a `chat.postMessage` with Block Kit blocks; its `ts` is the thread
//!   reference the outbox keeps for the finding on this channel;
//! - a repeat, or a trigger after the drift moved or came back, is a reply in that thread (a
//!   moved drift is also broadcast to the channel);
//! - a resolve edits the original message (`chat.update`) to say it is resolved, and replies in
//!   the thread;
//! - `driftd notify test` posts a simple message.
//!
//! A *notice* (a payload without a `finding`: a summary or digest of several findings, a word
//! about the daemon itself) is a message of its own: a header with its title, its summary, and
//! its lines packed into as few sections as fit. It belongs to no finding's conversation, so it
//! is always a new top-level message (never a reply, never an edit, whatever `thread` says) and
//! starts no thread.
//!
//! Every value from a finding is escaped for Slack's mrkdwn (`&`, `<`, `>`), so a tag value can
//! neither mention `@channel` nor forge a link, and texts are cut to Block Kit's limits.
//!
//! Slack answers API errors with HTTP 200 and `{"ok":false,"error":"..."}`: `ratelimited` and
//! Slack-side failures are retried like HTTP 429 and 5xx (honouring `Retry-After`), anything
//! else (`invalid_auth`, `channel_not_found`, `not_in_channel`, ...) is permanent. The token
//! and the webhook URL never appear in an error.
//!
//! [slack-morphism]: https://docs.rs/slack-morphism

mod api;
mod blocks;
mod config;

use super::channel::{Accepted, Channel, Message, SendError};
use super::message::{Event, Notification};
use crate::secret::Secret;
use api::{classify_slack, connector, Api, Connector, EDIT_GONE};
use async_trait::async_trait;
use blocks::{drift_content, notice_content, resolved_content, resolved_reply, test_content};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::time::Duration;

pub use config::SlackConfig;

enum Target {
    /// Web API with a bot token.
    Api { token: Secret, channel: String },
    /// Incoming webhook; the URL is a secret (it is the credential).
    Webhook { url: Secret, parsed: url::Url },
}

pub struct Slack {
    name: String,
    target: Target,
    client: SlackClient<Connector>,
    timeout: Duration,
}

impl Slack {
    pub fn new(c: &SlackConfig) -> Result<Slack, String> {
        let at = |key: &str, e: String| format!("channel `{}`.{key}: {e}", c.name);
        let target = match (&c.webhook_url, &c.token, &c.channel) {
            (Some(url), None, None) => {
                let url = url.load().map_err(|e| at("webhook_url", e))?;
                // Never echo the URL: it is the credential.
                let parsed = url::Url::parse(url.expose())
                    .map_err(|_| at("webhook_url", "not a valid URL".into()))?;
                Target::Webhook { url, parsed }
            }
            (None, Some(token), Some(channel)) => Target::Api {
                token: token.load().map_err(|e| at("token", e))?,
                channel: channel.clone(),
            },
            _ => {
                return Err(at(
                    "type",
                    "a Slack channel needs `token` + `channel`, or `webhook_url`".into(),
                ))
            }
        };
        Ok(Slack {
            name: c.name.clone(),
            target,
            client: SlackClient::new(connector(&c.api_url).map_err(|e| at("api_url", e))?),
            timeout: Duration::from_secs(c.timeout_secs.max(1)),
        })
    }

    fn what(&self, method: &str) -> String {
        format!("slack `{}` {method}", self.name)
    }

    fn secrets(&self) -> Vec<&Secret> {
        match &self.target {
            Target::Api { token, .. } => vec![token],
            Target::Webhook { url, .. } => vec![url],
        }
    }

    async fn dispatch(&self, msg: &Message<'_>) -> Result<Accepted, SendError> {
        let (token, channel) = match &self.target {
            Target::Webhook { url, parsed } => {
                let content = match msg.body {
                    Notification::Notice(n) => notice_content(n),
                    Notification::Drift(d) => match d.event {
                        Event::Test => test_content(),
                        Event::Resolve => resolved_content(d),
                        _ => drift_content(d),
                    },
                };
                let req = SlackApiPostWebhookMessageRequest::new(content);
                self.client
                    .post_webhook_message(parsed, &req)
                    .await
                    .map_err(|e| classify_slack(&self.what("webhook"), e, &[url]))?;
                return Ok(Accepted::default());
            }
            Target::Api { token, channel } => (token, channel),
        };
        let api_token = SlackApiToken::new(SlackApiTokenValue(token.expose().to_string()));
        let api = Api {
            slack: self,
            session: self.client.open_session(&api_token),
            channel,
        };
        let d = match msg.body {
            Notification::Drift(d) => d,
            Notification::Notice(n) => {
                // Not part of any finding's thread: a new message, and no thread to remember.
                api.post(notice_content(n), None, false).await?;
                return Ok(Accepted::default());
            }
        };
        match (d.event, msg.thread) {
            (Event::Test, _) => {
                api.post(test_content(), None, false).await?;
                Ok(Accepted::default())
            }
            (Event::Resolve, Some(ts)) => {
                match api.update(ts, resolved_content(d)).await {
                    Ok(()) => {}
                    // The original is gone or too old to edit: say it in a new message.
                    Err(SlackClientError::ApiError(e)) if EDIT_GONE.contains(&e.code.as_str()) => {
                        api.post(resolved_content(d), None, false).await?;
                        return Ok(Accepted::default());
                    }
                    Err(e) => {
                        return Err(classify_slack(
                            &self.what("chat.update"),
                            e,
                            &self.secrets(),
                        ))
                    }
                }
                api.post(resolved_reply(d), Some(ts), false).await?;
                Ok(Accepted::default())
            }
            (Event::Resolve, None) => {
                api.post(resolved_content(d), None, false).await?;
                Ok(Accepted::default())
            }
            (event, Some(ts)) => {
                // A drift that moved or came back is worth the channel's attention again.
                let broadcast = event == Event::Trigger;
                api.post(drift_content(d), Some(ts), broadcast).await?;
                Ok(Accepted::default())
            }
            (_, None) => {
                let ts = api.post(drift_content(d), None, false).await?;
                Ok(Accepted { thread: Some(ts) })
            }
        }
    }
}

#[async_trait]
impl Channel for Slack {
    async fn send(&self, msg: &Message<'_>) -> Result<Accepted, SendError> {
        match tokio::time::timeout(self.timeout, self.dispatch(msg)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Retry {
                reason: format!(
                    "slack `{}`: timed out after {} s",
                    self.name,
                    self.timeout.as_secs()
                ),
                after: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::blocks::tests::{notice, payload};
    use super::*;
    use serde_json::{json, Value};

    fn config(toml_text: &str) -> SlackConfig {
        toml::from_str(toml_text).unwrap()
    }

    /// The notification of the JSON form `p`, sent as `event`.
    fn body(event: &str, p: &Value) -> Notification {
        let mut p = p.clone();
        p["event"] = json!(event);
        Notification::from_json(p).unwrap()
    }

    /// Threads and edits against a local receiver speaking the Web API.
    #[tokio::test]
    async fn threads_replies_and_falls_back_when_the_original_is_gone() {
        use driftd_testkit::receiver::{Answer, Receiver};
        let rx = Receiver::start(vec![]).unwrap();
        let posted = r#"{"ok":true,"channel":"C0123456","ts":"1700000000.000200"}"#;
        rx.respond("/api/chat.postMessage", Answer::json(200, posted));
        rx.respond(
            "/api/chat.update",
            Answer::json(200, r#"{"ok":false,"error":"message_not_found"}"#),
        );
        let file = std::env::temp_dir().join(format!("driftd-slack-tok-{}", std::process::id()));
        std::fs::write(&file, "xoxb-unit").unwrap();
        let slack = Slack::new(&config(&format!(
            "name = \"s\"\ntoken = \"file:{}\"\nchannel = \"C0123456\"\napi_url = \"{}\"\n",
            file.display(),
            rx.url("/api/")
        )))
        .unwrap();
        let _ = std::fs::remove_file(&file);
        let p = payload(vec![]);
        let send = |event: &'static str, thread: Option<&'static str>| {
            let p = p.clone();
            let slack = &slack;
            async move {
                slack
                    .send(&Message {
                        id: 1,
                        fingerprint: "fp1",
                        body: &body(event, &p),
                        thread,
                    })
                    .await
            }
        };
        let first = send("trigger", None).await.unwrap();
        assert_eq!(first.thread.as_deref(), Some("1700000000.000200"));
        assert_eq!(
            send("repeat", Some("1.1")).await.unwrap(),
            Accepted::default()
        );
        send("trigger", Some("1.1")).await.unwrap();
        send("resolve", Some("1.1")).await.unwrap();
        let got: Vec<(String, Value)> = rx
            .received()
            .into_iter()
            .map(|r| (r.path.clone(), r.json()))
            .collect();
        let paths: Vec<&str> = got.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/api/chat.postMessage",
                "/api/chat.postMessage",
                "/api/chat.postMessage",
                "/api/chat.update",
                "/api/chat.postMessage"
            ]
        );
        assert!(got[0].1.get("thread_ts").is_none());
        assert_eq!(got[1].1["thread_ts"], json!("1.1"));
        assert!(got[1].1.get("reply_broadcast").is_none());
        assert_eq!(got[2].1["reply_broadcast"], json!(true));
        assert_eq!(got[3].1["ts"], json!("1.1"));
        // The original is gone: the resolve is a new message, not a reply.
        assert!(got[4].1.get("thread_ts").is_none());
        assert!(got[4].1["text"].as_str().unwrap().starts_with("Resolved: "));
    }

    /// Notices are new top-level messages, whatever the event and `thread`; a payload with a
    /// finding (`escalate`) still starts its own thread.
    #[tokio::test]
    async fn notices_ignore_the_thread_and_start_none() {
        use driftd_testkit::receiver::{Answer, Receiver};
        let rx = Receiver::start(vec![]).unwrap();
        let posted = r#"{"ok":true,"channel":"C0123456","ts":"1700000000.000300"}"#;
        rx.respond("/api/chat.postMessage", Answer::json(200, posted));
        let file = std::env::temp_dir().join(format!("driftd-slack-ntc-{}", std::process::id()));
        std::fs::write(&file, "xoxb-unit").unwrap();
        let slack = Slack::new(&config(&format!(
            "name = \"s\"\ntoken = \"file:{}\"\nchannel = \"C0123456\"\napi_url = \"{}\"\n",
            file.display(),
            rx.url("/api/")
        )))
        .unwrap();
        let _ = std::fs::remove_file(&file);
        let n = notice("summary", vec!["one".into()]);
        let finding = payload(vec![]);
        for (event, p, thread) in [
            ("summary", &n, Some("1.1")),
            ("resolve", &n, Some("1.1")),
            ("digest", &n, None),
        ] {
            let accepted = slack
                .send(&Message {
                    id: 1,
                    fingerprint: "fp-notice",
                    body: &body(event, p),
                    thread,
                })
                .await
                .unwrap();
            assert_eq!(accepted, Accepted::default(), "{event}");
        }
        let escalated = slack
            .send(&Message {
                id: 2,
                fingerprint: "fp1",
                body: &body("escalate", &finding),
                thread: None,
            })
            .await
            .unwrap();
        assert_eq!(escalated.thread.as_deref(), Some("1700000000.000300"));
        let got = rx.received();
        assert!(got.iter().all(|r| r.path == "/api/chat.postMessage"));
        assert_eq!(got.len(), 4);
        for r in &got[..3] {
            let body = r.json();
            assert!(body.get("thread_ts").is_none(), "{body}");
            assert!(body.get("reply_broadcast").is_none(), "{body}");
            assert_eq!(body["blocks"][0]["type"], "header");
            assert_eq!(body["text"], "Look at sg-1 first &lt;@here&gt;");
        }
        assert!(got[3].json()["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Critical drift"));
    }

    /// An incoming webhook posts the notice's content.
    #[tokio::test]
    async fn webhook_posts_the_notice() {
        use driftd_testkit::receiver::{Answer, Receiver};
        // What Slack answers (as the integration test's receiver): 200 and `ok`.
        let rx = Receiver::start(vec![Answer::json(200, r#"{"ok":true}"#)]).unwrap();
        let file = std::env::temp_dir().join(format!("driftd-slack-hook-{}", std::process::id()));
        std::fs::write(&file, rx.url("/hook")).unwrap();
        let slack = Slack::new(&config(&format!(
            "name = \"s\"\nwebhook_url = \"file:{}\"\n",
            file.display()
        )))
        .unwrap();
        let _ = std::fs::remove_file(&file);
        let n = notice("degraded", vec!["scanner <aws> failing".into()]);
        let accepted = slack
            .send(&Message {
                id: 3,
                fingerprint: "fp-notice",
                body: &body("degraded", &n),
                thread: Some("1.1"),
            })
            .await
            .unwrap();
        assert_eq!(accepted, Accepted::default());
        let got = rx.received();
        assert_eq!(got.len(), 1);
        let body = got[0].json();
        assert_eq!(got[0].path, "/hook");
        assert_eq!(
            body["blocks"][0]["text"]["text"],
            "🔴 12 new drifts in &lt;prod&gt; &amp; co &lt;!channel&gt;"
        );
        assert_eq!(
            body["blocks"][2]["text"]["text"],
            "scanner &lt;aws&gt; failing"
        );
    }
}
