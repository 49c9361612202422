//! Slack's Web API as the channel uses it: the HTTP client, `chat.postMessage` and
//! `chat.update`, and what a failed call means (retry or permanent, never with a secret).

use super::Slack;
use crate::notify::channel::SendError;
use crate::secret::{redact, Secret};
use hyper_rustls::{ConfigBuilderExt, HttpsConnector};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;

pub(super) type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

/// The HTTPS client: rustls with the ring provider and the webpki roots (as the project's
/// reqwest client), plain HTTP allowed so tests can point `api_url` at a local receiver.
pub(super) fn connector(api_url: &str) -> Result<Connector, String> {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("cannot set up TLS: {e}"))?
    .with_webpki_roots()
    .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(SlackClientHyperConnector::with_connector(https)
        .with_slack_api_url(api_url.trim_end_matches('/')))
}

/// The part of `chat.postMessage`'s answer the channel needs (the message itself is ignored).
#[derive(Deserialize)]
struct Posted {
    ts: String,
}

#[derive(Deserialize)]
struct Updated {}

pub(super) struct Api<'a> {
    pub(super) slack: &'a Slack,
    pub(super) session: SlackClientSession<'a, Connector>,
    pub(super) channel: &'a str,
}

impl Api<'_> {
    /// `chat.postMessage`; the new message's `ts`.
    pub(super) async fn post(
        &self,
        content: SlackMessageContent,
        thread_ts: Option<&str>,
        broadcast: bool,
    ) -> Result<String, SendError> {
        let req = SlackApiChatPostMessageRequest::new(SlackChannelId(self.channel.into()), content)
            .opt_thread_ts(thread_ts.map(|t| SlackTs(t.into())))
            .opt_reply_broadcast(broadcast.then_some(true))
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        let posted: Posted = self
            .session
            .http_session_api
            .http_post("chat.postMessage", &req, None)
            .await
            .map_err(|e| {
                classify_slack(
                    &self.slack.what("chat.postMessage"),
                    e,
                    &self.slack.secrets(),
                )
            })?;
        Ok(posted.ts)
    }

    /// `chat.update` of the message `ts`; the raw error, so the caller can tell a message that
    /// is gone from other failures.
    pub(super) async fn update(
        &self,
        ts: &str,
        content: SlackMessageContent,
    ) -> Result<(), SlackClientError> {
        let req = SlackApiChatUpdateRequest::new(
            SlackChannelId(self.channel.into()),
            content,
            SlackTs(ts.into()),
        );
        let _: Updated = self
            .session
            .http_session_api
            .http_post("chat.update", &req, None)
            .await?;
        Ok(())
    }
}

/// `chat.update` errors that mean the original message cannot be edited any more.
pub(super) const EDIT_GONE: &[&str] = &[
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
];

/// Slack API error codes worth retrying; every other code is permanent.
const RETRY_CODES: &[&str] = &[
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

/// What to do about a failed Slack call, as a [`SendError`] without secrets.
pub(super) fn classify_slack(what: &str, err: SlackClientError, secrets: &[&Secret]) -> SendError {
    let clean = |s: &str| -> String {
        let s = redact(s, secrets);
        let s = s.trim();
        s.chars().take(300).collect()
    };
    match err {
        SlackClientError::ApiError(e) => {
            let code = clean(&e.code);
            let reason = format!("{what}: Slack API error `{code}`{}", hint(&code));
            if RETRY_CODES.contains(&code.as_str()) {
                SendError::Retry {
                    reason,
                    after: None,
                }
            } else {
                SendError::Permanent(reason)
            }
        }
        SlackClientError::RateLimitError(e) => SendError::Retry {
            reason: format!(
                "{what}: rate limited by Slack (HTTP 429{})",
                e.code
                    .as_deref()
                    .map(|c| format!(", `{}`", clean(c)))
                    .unwrap_or_default()
            ),
            after: e.retry_after,
        },
        SlackClientError::HttpError(e) => {
            let status = e.status_code.as_u16();
            let body = e
                .http_response_body
                .as_deref()
                .map(clean)
                .unwrap_or_default();
            let reason = format!("{what}: HTTP {status}: {body}");
            if status == 429 || e.status_code.is_server_error() {
                SendError::Retry {
                    reason,
                    after: None,
                }
            } else {
                SendError::Permanent(reason)
            }
        }
        SlackClientError::HttpProtocolError(e) => {
            let connect = e
                .cause
                .as_deref()
                .and_then(|c| c.downcast_ref::<hyper_util::client::legacy::Error>())
                .is_some_and(|c| c.is_connect());
            let detail = e.cause.as_deref().map(error_chain).unwrap_or_default();
            let kind = if connect {
                "could not connect"
            } else {
                "request failed"
            };
            SendError::Retry {
                reason: format!("{what}: {kind}: {}", clean(&detail)),
                after: None,
            }
        }
        SlackClientError::EndOfStream(_) => SendError::Retry {
            reason: format!("{what}: the connection closed early"),
            after: None,
        },
        SlackClientError::ProtocolError(e) => SendError::Permanent(format!(
            "{what}: unexpected answer (not Slack's API?): {}",
            clean(&e.json_error.to_string())
        )),
        other => SendError::Retry {
            reason: format!("{what}: {}", clean(&other.to_string())),
            after: None,
        },
    }
}

/// An error and its sources, on one line.
fn error_chain(e: &(dyn std::error::Error + Send + Sync)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// What to check for the common permanent errors.
fn hint(code: &str) -> &'static str {
    match code {
        "invalid_auth" | "not_authed" | "token_revoked" | "token_expired" | "account_inactive" => {
            ": check the bot token"
        }
        "missing_scope" | "not_allowed_token_type" => {
            ": the bot token needs the `chat:write` scope"
        }
        "channel_not_found" => {
            ": check `channel` (an ID such as C0123456) and that the bot can see it"
        }
        "not_in_channel" => ": invite the bot to the channel (`/invite @your-app`)",
        "is_archived" => ": the channel is archived",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretRef;
    use std::time::Duration;

    #[test]
    fn api_errors_are_classified() {
        let file = std::env::temp_dir().join(format!("driftd-slack-{}", std::process::id()));
        std::fs::write(&file, "xoxb-secret-token").unwrap();
        let token = SecretRef::try_from(format!("file:{}", file.display()))
            .unwrap()
            .load()
            .unwrap();
        let _ = std::fs::remove_file(&file);
        let what = "slack `s` chat.postMessage";
        let err = |code: &str| {
            classify_slack(
                what,
                SlackClientError::ApiError(slack_morphism::errors::SlackClientApiError::new(
                    code.into(),
                )),
                &[&token],
            )
        };
        for code in [
            "invalid_auth",
            "channel_not_found",
            "not_in_channel",
            "invalid_blocks",
        ] {
            match err(code) {
                SendError::Permanent(r) => assert!(r.contains(&format!("`{code}`")), "{r}"),
                other => panic!("{code}: {other:?}"),
            }
        }
        assert!(matches!(err("ratelimited"), SendError::Retry { .. }));
        assert!(matches!(err("internal_error"), SendError::Retry { .. }));
        match err("not_in_channel") {
            SendError::Permanent(r) => assert!(r.contains("/invite"), "{r}"),
            other => panic!("{other:?}"),
        }
        let rl = classify_slack(
            what,
            SlackClientError::RateLimitError(
                slack_morphism::errors::SlackRateLimitError::new()
                    .with_retry_after(Duration::from_secs(7)),
            ),
            &[&token],
        );
        assert_eq!(
            rl,
            SendError::Retry {
                reason: format!("{what}: rate limited by Slack (HTTP 429)"),
                after: Some(Duration::from_secs(7))
            }
        );
        let http = |status: u16| {
            classify_slack(
                what,
                SlackClientError::HttpError(
                    slack_morphism::errors::SlackClientHttpError::new(
                        reqwest::StatusCode::from_u16(status).unwrap(),
                    )
                    .with_http_response_body("token xoxb-secret-token rejected".into()),
                ),
                &[&token],
            )
        };
        assert!(matches!(http(503), SendError::Retry { .. }));
        match http(403) {
            SendError::Permanent(r) => {
                assert!(r.contains("HTTP 403"), "{r}");
                assert!(!r.contains("xoxb-secret-token"), "{r}");
            }
            other => panic!("{other:?}"),
        }
    }
}
