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

use super::channel::{is_notice, Accepted, Channel, Message, SendError};
use crate::secret::{redact, Secret, SecretRef};
use async_trait::async_trait;
use hyper_rustls::{ConfigBuilderExt, HttpsConnector};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;

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

type Connector = SlackClientHyperConnector<HttpsConnector<HttpConnector>>;

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

/// The HTTPS client: rustls with the ring provider and the webpki roots (as the project's
/// reqwest client), plain HTTP allowed so tests can point `api_url` at a local receiver.
fn connector(api_url: &str) -> Result<Connector, String> {
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
                let content = match msg.event {
                    _ if is_notice(msg.payload) => notice_content(msg.payload),
                    "test" => test_content(),
                    "resolve" => resolved_content(msg.payload),
                    _ => drift_content(msg.event, msg.payload),
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
        if is_notice(msg.payload) {
            // Not part of any finding's thread: a new message, and no thread to remember.
            api.post(notice_content(msg.payload), None, false).await?;
            return Ok(Accepted::default());
        }
        match (msg.event, msg.thread) {
            ("test", _) => {
                api.post(test_content(), None, false).await?;
                Ok(Accepted::default())
            }
            ("resolve", Some(ts)) => {
                match api.update(ts, resolved_content(msg.payload)).await {
                    Ok(()) => {}
                    // The original is gone or too old to edit: say it in a new message.
                    Err(SlackClientError::ApiError(e)) if EDIT_GONE.contains(&e.code.as_str()) => {
                        api.post(resolved_content(msg.payload), None, false).await?;
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
                api.post(resolved_reply(msg.payload), Some(ts), false)
                    .await?;
                Ok(Accepted::default())
            }
            ("resolve", None) => {
                api.post(resolved_content(msg.payload), None, false).await?;
                Ok(Accepted::default())
            }
            (event, Some(ts)) => {
                // A drift that moved or came back is worth the channel's attention again.
                let broadcast = event == "trigger";
                api.post(drift_content(event, msg.payload), Some(ts), broadcast)
                    .await?;
                Ok(Accepted::default())
            }
            (event, None) => {
                let ts = api
                    .post(drift_content(event, msg.payload), None, false)
                    .await?;
                Ok(Accepted { thread: Some(ts) })
            }
        }
    }
}

/// The part of `chat.postMessage`'s answer the channel needs (the message itself is ignored).
#[derive(Deserialize)]
struct Posted {
    ts: String,
}

#[derive(Deserialize)]
struct Updated {}

struct Api<'a> {
    slack: &'a Slack,
    session: SlackClientSession<'a, Connector>,
    channel: &'a str,
}

impl Api<'_> {
    /// `chat.postMessage`; the new message's `ts`.
    async fn post(
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
    async fn update(&self, ts: &str, content: SlackMessageContent) -> Result<(), SlackClientError> {
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
const EDIT_GONE: &[&str] = &[
    "message_not_found",
    "cant_update_message",
    "edit_window_closed",
];

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
fn classify_slack(what: &str, err: SlackClientError, secrets: &[&Secret]) -> SendError {
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

// ---------------------------------------------------------------------------------------------
// Message building: pure functions of the payload.

/// Block Kit's limits.
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const HEADER_MAX: usize = 150;
const BLOCKS_MAX: usize = 50;
/// The plain `text` fallback (notifications, screen readers); Slack cuts at 40 000.
const TEXT_MAX: usize = 3000;
/// One change line: long values are cut so many changes fit.
const LINE_MAX: usize = 600;
const VALUE_MAX: usize = 250;
/// Sections of changes in one message; the rest is counted.
const CHANGE_BLOCKS_MAX: usize = 10;
/// Sections of a notice's lines. Besides the per-block limits, Slack answers
/// `msg_blocks_too_long` past roughly 13 000 characters of block text in one message (observed,
/// not documented: slackapi/bolt-js#2509); three full sections, the summary and the header stay
/// under it.
const NOTICE_LINE_BLOCKS_MAX: usize = 3;

/// Escapes a value for Slack's mrkdwn (and `text`): `&`, `<` and `>` only, as Slack documents.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Cuts `s` to at most `max` characters, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// [`truncate`] for escaped text: never leaves half an entity (`&am…`).
pub fn truncate_escaped(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut kept: String = s.chars().take(max.saturating_sub(1)).collect();
    if let Some(amp) = kept.rfind('&') {
        if !kept[amp..].contains(';') {
            kept.truncate(amp);
        }
    }
    kept.push('…');
    kept
}

/// Escaped and cut: the one way a payload value enters a message.
fn esc(s: &str, max: usize) -> String {
    truncate_escaped(&escape(s), max)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// A change value as a person reads it: strings as they are, the rest as compact JSON.
fn show(v: &Value) -> String {
    let s = match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    truncate(&s, VALUE_MAX)
}

/// `• path: expected → actual`, escaped.
pub fn change_line(c: &Value) -> String {
    let path = esc(str_of(c, "path"), 200);
    let (expected, actual) = (show(&c["expected"]), show(&c["actual"]));
    let line = match str_of(c, "op") {
        "add" => format!("• {path}: added {}", escape(&actual)),
        "remove" => format!("• {path}: removed (was {})", escape(&expected)),
        _ => format!("• {path}: {} → {}", escape(&expected), escape(&actual)),
    };
    truncate_escaped(&line, LINE_MAX)
}

/// The changes as section texts, each within [`SECTION_MAX`], at most `max_blocks` of them; what
/// does not fit is counted in the last one.
pub fn change_sections(changes: &[Value], max_blocks: usize) -> Vec<String> {
    let lines: Vec<String> = changes.iter().map(change_line).collect();
    pack_sections("*Changes*", &lines, max_blocks, " change(s)")
}

/// Escaped lines packed into section texts after `heading` (may be empty), each within
/// [`SECTION_MAX`], at most `max_blocks` of them; what does not fit is counted in the last one
/// (`… and N more{noun}`), so a reader knows the list goes on.
fn pack_sections(heading: &str, lines: &[String], max_blocks: usize, noun: &str) -> Vec<String> {
    if lines.is_empty() || max_blocks == 0 {
        return Vec::new();
    }
    // Room kept in every section for the "… and N more" line.
    const RESERVE: usize = 100;
    let mut sections = Vec::new();
    let mut cur = heading.to_string();
    for (i, line) in lines.iter().enumerate() {
        if cur.chars().count() + 1 + line.chars().count() > SECTION_MAX - RESERVE {
            if sections.len() + 1 == max_blocks {
                cur.push_str(&format!("\n_… and {} more{noun}_", lines.len() - i));
                sections.push(cur);
                return sections;
            }
            sections.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(line);
    }
    sections.push(cur);
    sections
}

fn mrkdwn(text: String) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))
}

fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(SlackBlockPlainText::new(esc(text, HEADER_MAX)).into()).into()
}

fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(mrkdwn(truncate_escaped(&text, SECTION_MAX)))
        .into()
}

fn context(text: String) -> SlackBlock {
    SlackContextBlock::new(vec![SlackContextBlockElement::MarkDown(
        SlackBlockMarkDownText::new(truncate_escaped(&text, FIELD_MAX)),
    )])
    .into()
}

fn tier_icon(tier: &str) -> &'static str {
    match tier {
        "critical" => "🔴",
        "warning" => "🟠",
        _ => "🔵",
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn kind_phrase(kind: &str) -> &'static str {
    match kind {
        "missing" => "deleted out of band",
        "changed" => "changed out of band",
        "unmanaged" => "not in any Terraform state",
        "pending" => "change not yet applied",
        _ => "drift",
    }
}

/// The resource's facts as section fields (label and escaped value).
fn resource_fields(p: &Value) -> SlackBlock {
    let f = &p["finding"];
    let mut fields = vec![
        ("Target", str_of(p, "target")),
        ("Tier", str_of(f, "tier")),
        ("Resource type", str_of(f, "resource_type")),
        ("Resource ID", str_of(f, "resource_id")),
    ];
    for (label, key) in [
        ("Address", "address"),
        ("Region", "region"),
        ("Source", "source"),
    ] {
        if let Some(v) = f[key].as_str().filter(|v| !v.is_empty()) {
            fields.push((label, v));
        }
    }
    let fields = fields
        .into_iter()
        .map(|(label, v)| mrkdwn(format!("*{label}*\n{}", esc(v, FIELD_MAX - 40))))
        .collect();
    SlackSectionBlock::new().with_fields(fields).into()
}

fn seen_line(f: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(first) = f["first_seen"].as_str() {
        parts.push(format!("First seen {}", esc(first, 64)));
    }
    if let Some(n) = f["times_seen"].as_i64() {
        parts.push(format!("seen in {n} scan(s)"));
    }
    if let Some(last) = f["last_seen"].as_str() {
        parts.push(format!("last {}", esc(last, 64)));
    }
    if let Some(fp) = f["fingerprint"].as_str() {
        parts.push(format!("fingerprint {}", esc(fp, 80)));
    }
    parts.join(" · ")
}

/// A trigger or repeat: header, resource fields, changes, lifecycle.
pub fn drift_content(event: &str, p: &Value) -> SlackMessageContent {
    let f = &p["finding"];
    let tier = str_of(f, "tier");
    let title = format!(
        "{} {} drift{}: {} {}",
        tier_icon(tier),
        capitalized(tier),
        if event == "repeat" { " still open" } else { "" },
        str_of(f, "resource_type"),
        str_of(f, "resource_id"),
    );
    let mut blocks = vec![
        header(&title),
        section(format!(
            "{} is *{}*",
            esc(str_of(f, "resource_id"), 500),
            kind_phrase(str_of(f, "kind"))
        )),
        resource_fields(p),
    ];
    let changes = f["changes"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    // Header, summary, fields and context take 4 of the 50 blocks.
    let room = CHANGE_BLOCKS_MAX.min(BLOCKS_MAX - 4);
    blocks.extend(change_sections(changes, room).into_iter().map(section));
    blocks.push(context(seen_line(f)));
    debug_assert!(blocks.len() <= BLOCKS_MAX);
    let summary = str_of(p, "summary");
    let text = if event == "repeat" {
        format!("Still open: {}", escape(summary))
    } else {
        escape(summary)
    };
    SlackMessageContent::new()
        .with_text(truncate_escaped(&text, TEXT_MAX))
        .with_blocks(blocks)
}

/// The original message, edited once the drift is gone.
pub fn resolved_content(p: &Value) -> SlackMessageContent {
    let f = &p["finding"];
    let title = format!(
        "✅ Resolved: {} {}",
        str_of(f, "resource_type"),
        str_of(f, "resource_id")
    );
    let mut detail = format!(
        "The drift on {} is gone",
        esc(str_of(f, "resource_id"), 500)
    );
    if let Some(at) = f["resolved_at"].as_str() {
        detail.push_str(&format!(" (resolved {})", esc(at, 64)));
    }
    detail.push('.');
    let blocks = vec![
        header(&title),
        section(detail),
        resource_fields(p),
        context(seen_line(f)),
    ];
    SlackMessageContent::new()
        .with_text(truncate_escaped(
            &format!("Resolved: {}", escape(str_of(p, "summary"))),
            TEXT_MAX,
        ))
        .with_blocks(blocks)
}

/// The reply in the thread when the drift is gone.
fn resolved_reply(p: &Value) -> SlackMessageContent {
    let f = &p["finding"];
    let text = format!(
        "✅ Resolved: the drift on {} {} is gone.",
        esc(str_of(f, "resource_type"), 200),
        esc(str_of(f, "resource_id"), 500)
    );
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(text)])
}

/// A notice's detail lines, escaped and each cut to [`LINE_MAX`] so many fit.
fn notice_lines(p: &Value) -> Vec<String> {
    let lines = p["lines"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    lines
        .iter()
        .map(|l| match l {
            Value::String(s) => esc(&one_line(s), LINE_MAX),
            other => esc(&other.to_string(), LINE_MAX),
        })
        .collect()
}

/// Control characters (a newline in a title) as spaces: a header is one line.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A notice: header with the tier's icon and the title, the summary, then the lines in as few
/// sections as fit (at most [`NOTICE_LINE_BLOCKS_MAX`]); the rest is counted.
pub fn notice_content(p: &Value) -> SlackMessageContent {
    let title = match str_of(p, "title") {
        "" => format!("driftd {}", str_of(p, "event")),
        t => one_line(t),
    };
    let mut blocks = vec![header(&format!("{} {title}", tier_icon(str_of(p, "tier"))))];
    let summary = str_of(p, "summary");
    // Slack rejects a section with empty text.
    if !summary.is_empty() {
        blocks.push(section(esc(summary, SECTION_MAX)));
    }
    let room = NOTICE_LINE_BLOCKS_MAX.min(BLOCKS_MAX - blocks.len());
    blocks.extend(
        pack_sections("", &notice_lines(p), room, "")
            .into_iter()
            .map(section),
    );
    debug_assert!(blocks.len() <= BLOCKS_MAX);
    let text = if summary.is_empty() { &title } else { summary };
    SlackMessageContent::new()
        .with_text(esc(text, TEXT_MAX))
        .with_blocks(blocks)
}

/// `driftd notify test`.
pub fn test_content() -> SlackMessageContent {
    let text = "driftd test notification: this channel works.".to_string();
    SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(format!(
            ":white_check_mark: *{text}*\nDrift alerts routed to this channel will arrive here."
        ))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(changes: Vec<Value>) -> Value {
        json!({
            "version": 1,
            "event": "trigger",
            "target": "prod <net> & co",
            "summary": "[critical] prod: aws_security_group sg-1 changed out of band: ingress <@here>",
            "finding": {
                "fingerprint": "fp1",
                "kind": "changed",
                "tier": "critical",
                "provider": "aws",
                "resource_type": "aws_security_group",
                "resource_id": "sg-1",
                "address": "module.net.aws_security_group.web",
                "region": "us-east-1",
                "source": null,
                "changes": changes,
                "first_seen": "2026-01-01T00:00:00Z",
                "last_seen": "2026-01-01T01:00:00Z",
                "times_seen": 3
            }
        })
    }

    fn json_of(c: &SlackMessageContent) -> Value {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn escaping_covers_the_three_characters() {
        assert_eq!(escape("a & <b> &amp;"), "a &amp; &lt;b&gt; &amp;amp;");
        assert_eq!(escape("<!channel>"), "&lt;!channel&gt;");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn truncation_marks_the_cut_and_keeps_entities_whole() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdefg", 6), "abcde…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        // "ab&amp;" cut at 5 would leave "ab&a": the entity goes whole.
        assert_eq!(truncate_escaped("ab&amp;cd", 5), "ab…");
        assert_eq!(truncate_escaped("ab&amp;cd", 8), "ab&amp;…");
        assert_eq!(truncate_escaped("short", 10), "short");
        let long = escape(&"<".repeat(5000));
        let cut = truncate_escaped(&long, SECTION_MAX);
        assert!(cut.chars().count() <= SECTION_MAX);
        assert!(cut.ends_with("&lt;…"));
    }

    #[test]
    fn change_lines_escape_values() {
        let c =
            json!({"path": "tags.<Env>", "op": "replace", "expected": "a&b", "actual": "<script>"});
        assert_eq!(
            change_line(&c),
            "• tags.&lt;Env&gt;: a&amp;b → &lt;script&gt;"
        );
        let c = json!({"path": "ingress", "op": "add", "expected": null, "actual": {"port": 22}});
        assert_eq!(change_line(&c), "• ingress: added {\"port\":22}");
        let c = json!({"path": "x", "op": "remove", "expected": 3, "actual": null});
        assert_eq!(change_line(&c), "• x: removed (was 3)");
        let c = json!({"path": "x", "op": "replace", "expected": "a".repeat(1000), "actual": "b"});
        assert!(change_line(&c).chars().count() <= LINE_MAX);
    }

    #[test]
    fn many_changes_are_split_and_counted() {
        let changes: Vec<Value> = (0..500)
            .map(|i| json!({"path": format!("tags.k{i}"), "op": "replace", "expected": "x".repeat(200), "actual": "y".repeat(200)}))
            .collect();
        let sections = change_sections(&changes, 5);
        assert_eq!(sections.len(), 5);
        assert!(sections.iter().all(|s| s.chars().count() <= SECTION_MAX));
        assert!(sections[4].contains("more change(s)_"), "{}", sections[4]);
        let shown: usize = sections.iter().map(|s| s.matches("• ").count()).sum();
        let more: usize = sections[4]
            .rsplit("… and ")
            .next()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(shown + more, 500);
        // Few changes: one section, nothing counted.
        let sections = change_sections(&changes[..2], 5);
        assert_eq!(sections.len(), 1);
        assert!(!sections[0].contains("more"));
        assert!(change_sections(&[], 5).is_empty());
    }

    #[test]
    fn trigger_blocks_hold_the_facts_within_limits() {
        let changes: Vec<Value> = (0..300)
            .map(|i| json!({"path": format!("ingress.{i}"), "op": "replace", "expected": "<old>", "actual": "0.0.0.0/0 & more"}))
            .collect();
        let c = json_of(&drift_content("trigger", &payload(changes)));
        let blocks = c["blocks"].as_array().unwrap();
        assert!(blocks.len() <= BLOCKS_MAX);
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[0]["text"]["type"], "plain_text");
        let h = blocks[0]["text"]["text"].as_str().unwrap();
        assert!(h.contains("Critical drift: aws_security_group sg-1"), "{h}");
        assert!(h.chars().count() <= HEADER_MAX);
        let all = c.to_string();
        assert!(all.contains("prod &lt;net&gt; &amp; co"));
        assert!(!all.contains("<net>"));
        assert!(all.contains("module.net.aws_security_group.web"));
        assert!(all.contains("us-east-1"));
        assert!(all.contains("• ingress.0: &lt;old&gt; → 0.0.0.0/0 &amp; more"));
        assert!(all.contains("First seen 2026-01-01T00:00:00Z · seen in 3 scan(s)"));
        for b in blocks {
            if let Some(t) = b["text"]["text"].as_str() {
                assert!(t.chars().count() <= SECTION_MAX);
            }
        }
        let text = c["text"].as_str().unwrap();
        assert!(text.contains("ingress &lt;@here&gt;"), "{text}");
        // A missing source is left out, not shown as null.
        assert!(!all.contains("*Source*"));
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        let mut p = payload(vec![]);
        p["finding"]["resource_id"] = json!(format!("sg-{}", "9".repeat(400)));
        p["summary"] = json!("s".repeat(10_000));
        let c = json_of(&drift_content("trigger", &p));
        let h = c["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(h.chars().count(), HEADER_MAX);
        assert!(h.ends_with('…'));
        let text = c["text"].as_str().unwrap();
        assert_eq!(text.chars().count(), TEXT_MAX);
        assert!(text.ends_with('…'));
    }

    #[test]
    fn repeat_and_resolve_say_so() {
        let p = payload(vec![]);
        let c = json_of(&drift_content("repeat", &p));
        assert!(c["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("drift still open"));
        assert!(c["text"].as_str().unwrap().starts_with("Still open: "));
        let mut p = p;
        p["finding"]["resolved_at"] = json!("2026-01-02T00:00:00Z");
        let c = json_of(&resolved_content(&p));
        assert!(c["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("✅ Resolved: aws_security_group sg-1"));
        assert!(c.to_string().contains("resolved 2026-01-02T00:00:00Z"));
        assert!(c["text"].as_str().unwrap().starts_with("Resolved: "));
    }

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
                        event,
                        fingerprint: "fp1",
                        payload: &p,
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

    fn notice(event: &str, lines: Vec<String>) -> Value {
        json!({
            "version": 1,
            "event": event,
            "target": "prod-net",
            "tier": "critical",
            "title": "12 new drifts in <prod> & co <!channel>",
            "summary": "Look at sg-1 first <@here>",
            "lines": lines,
        })
    }

    /// The text of every block, as Slack counts it for `msg_blocks_too_long`.
    fn block_texts(c: &Value) -> Vec<String> {
        c["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["text"]["text"].as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn notices_escape_title_summary_and_lines() {
        let p = notice(
            "summary",
            vec![
                "[critical] aws_instance i-1 changed: <script> & co".into(),
                "[warning] tag <!here> moved\nBcc".into(),
            ],
        );
        let c = json_of(&notice_content(&p));
        let blocks = c["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 3, "{c}");
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(
            blocks[0]["text"]["text"],
            "🔴 12 new drifts in &lt;prod&gt; &amp; co &lt;!channel&gt;"
        );
        assert_eq!(
            blocks[1]["text"]["text"],
            "Look at sg-1 first &lt;@here&gt;"
        );
        assert_eq!(
            blocks[2]["text"]["text"],
            "[critical] aws_instance i-1 changed: &lt;script&gt; &amp; co\n\
             [warning] tag &lt;!here&gt; moved Bcc"
        );
        let all = c.to_string();
        for raw in ["<prod>", "<!channel>", "<@here>", "<script>", "<!here>"] {
            assert!(!all.contains(raw), "{raw} in {all}");
        }
        assert_eq!(c["text"], "Look at sg-1 first &lt;@here&gt;");
        assert!(!all.contains("more"), "{all}");
    }

    #[test]
    fn notices_without_summary_or_lines_are_a_header_only() {
        let mut p = notice("degraded", vec![]);
        p["summary"] = json!("");
        p["tier"] = json!("warning");
        let c = json_of(&notice_content(&p));
        let blocks = c["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 1, "{c}");
        assert!(blocks[0]["text"]["text"]
            .as_str()
            .unwrap()
            .starts_with("🟠 "));
        // The fallback text is never empty.
        assert!(c["text"].as_str().unwrap().starts_with("12 new drifts"));
        p["title"] = Value::Null;
        let c = json_of(&notice_content(&p));
        assert_eq!(c["blocks"][0]["text"]["text"], "🟠 driftd degraded");
    }

    #[test]
    fn many_long_notice_lines_stay_within_limits_and_are_counted() {
        let lines: Vec<String> = (0..500)
            .map(|i| format!("[warning] r{i}: {}", "<&>".repeat(300)))
            .collect();
        let c = json_of(&notice_content(&notice("digest", lines)));
        let blocks = c["blocks"].as_array().unwrap();
        assert!(blocks.len() <= BLOCKS_MAX);
        assert!(blocks.len() <= 2 + NOTICE_LINE_BLOCKS_MAX);
        let texts = block_texts(&c);
        assert!(texts[0].chars().count() <= HEADER_MAX);
        assert!(texts.iter().all(|t| t.chars().count() <= SECTION_MAX));
        let total: usize = texts.iter().map(|t| t.chars().count()).sum();
        assert!(total <= 13_000, "{total} characters of block text");
        let last = texts.last().unwrap();
        let more: usize = last
            .rsplit("… and ")
            .next()
            .unwrap()
            .trim_end_matches("more_")
            .trim()
            .parse()
            .unwrap();
        assert!(last.ends_with(&format!("_… and {more} more_")), "{last}");
        let shown: usize = texts[2..]
            .iter()
            .map(|t| t.matches("[warning] r").count())
            .sum();
        assert!(shown > 0);
        assert_eq!(shown + more, 500);
        // Long lines are cut before an entity, never in it (`&am…`).
        for t in &texts[2..] {
            for cut in t.split('…').rev().skip(1) {
                let tail = &cut[cut.rfind('&').unwrap_or(0)..];
                assert!(!tail.starts_with('&') || tail.contains(';'), "{tail}");
            }
        }
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
                    event,
                    fingerprint: "fp-notice",
                    payload: p,
                    thread,
                })
                .await
                .unwrap();
            assert_eq!(accepted, Accepted::default(), "{event}");
        }
        let escalated = slack
            .send(&Message {
                id: 2,
                event: "escalate",
                fingerprint: "fp1",
                payload: &finding,
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
                event: "degraded",
                fingerprint: "fp-notice",
                payload: &n,
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
