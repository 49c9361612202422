//! Email over SMTP: one `multipart/alternative` message (plain text and HTML) per notification.
//!
//! - The subject is stable for a finding (`[driftd] [CRITICAL] prod-net: aws_security_group
//!   sg-123 changed`); a resolve is prefixed `Resolved:`.
//! - The first message of a finding gets a Message-ID derived from the finding and the outbox id
//!   (the same across retries) and returns it as the conversation reference; follow-ups (repeat,
//!   resolve) carry `In-Reply-To` and `References` with it, so mail clients thread them.
//! - `Auto-Submitted: auto-generated` (RFC 3834) keeps vacation responders quiet.
//! - A *notice* (a summary or digest of several findings, a word about the daemon) is a message of its own: subject `[driftd] [TIER] title`, its summary
//!   and its lines. It belongs to no finding's conversation, so it neither replies to one (no
//!   `In-Reply-To`, whatever `thread` says) nor starts one.
//! - Every value in the HTML part is escaped.
//! - SMTP 5xx answers are permanent; 4xx, connection errors and timeouts are retried. The
//!   password never appears in an error.

mod config;

use super::channel::{Accepted, Channel, Message, SendError};
use super::message::{one_line, op_name, show, Drift, Event, Notice, Notification};
use crate::secret::{redact, Secret};
use async_trait::async_trait;
use driftd_core::FindingKind;
use lettre::message::header::{Header, HeaderName, HeaderValue, MessageId};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt::Write as _;
use std::time::Duration;

pub use config::{EmailConfig, TlsMode};

pub struct Email {
    name: String,
    from: Mailbox,
    to: Vec<Mailbox>,
    password: Option<Secret>,
    timeout: Duration,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Email {
    pub fn new(c: &EmailConfig) -> Result<Email, String> {
        let at = format!("channel `{}`", c.name);
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| format!("{at}.from: not a mailbox: {e}"))?;
        let to =
            c.to.iter()
                .map(|t| {
                    t.parse::<Mailbox>()
                        .map_err(|e| format!("{at}.to: `{t}` is not a mailbox: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(format!("{at}.to: list at least one recipient"));
        }
        let password = c
            .password
            .as_ref()
            .map(|p| p.load())
            .transpose()
            .map_err(|e| format!("{at}.password: {e}"))?;
        let timeout = Duration::from_secs(c.timeout_secs.max(1));
        let tls = match c.tls {
            TlsMode::None => Tls::None,
            mode => {
                let mut params = TlsParameters::builder(c.smtp_host.clone());
                if let Some(path) = &c.ca_file {
                    let pem = std::fs::read(path).map_err(|e| {
                        format!("{at}.ca_file: cannot read {}: {e}", path.display())
                    })?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        format!(
                            "{at}.ca_file: {} is not a PEM certificate: {e}",
                            path.display()
                        )
                    })?;
                    params = params.add_root_certificate(cert);
                }
                let params = params
                    .build()
                    .map_err(|e| format!("{at}: cannot set up TLS: {e}"))?;
                if mode == TlsMode::Implicit {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.smtp_host.clone())
                .port(c.port())
                .tls(tls)
                .timeout(Some(timeout));
        if let Some(user) = &c.username {
            let pass = password
                .as_ref()
                .map(|p| p.expose().to_string())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), pass));
        }
        Ok(Email {
            name: c.name.clone(),
            from,
            to,
            password,
            timeout,
            transport: builder.build(),
        })
    }

    /// The complete message for a notification, and its Message-ID.
    pub fn compose(&self, msg: &Message<'_>) -> Result<(lettre::Message, String), SendError> {
        let message_id = message_id(msg, self.from.email.domain());
        let mut b = lettre::Message::builder()
            .from(self.from.clone())
            .subject(subject(msg.body))
            .header(MessageId::from(message_id.clone()))
            .header(AutoSubmitted)
            .user_agent(concat!("driftd/", env!("CARGO_PKG_VERSION")).to_string());
        for t in &self.to {
            b = b.to(t.clone());
        }
        if let Some(thread) = reply_to(msg) {
            b = b
                .in_reply_to(thread.to_string())
                .references(thread.to_string());
        }
        let email = b
            .multipart(MultiPart::alternative_plain_html(
                text_body(msg.body),
                html_body(msg.body),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the email: {e}")))?;
        Ok((email, message_id))
    }
}

/// The conversation a message replies to: the finding's, never for a notice.
fn reply_to<'a>(msg: &Message<'a>) -> Option<&'a str> {
    msg.thread
        .filter(|_| matches!(msg.body, Notification::Drift(_)))
}

/// The conversation reference to remember once `msg` went out as `id`: only the first message
/// of a finding starts one.
fn new_thread(msg: &Message<'_>, id: String) -> Option<String> {
    (msg.thread.is_none() && matches!(msg.body, Notification::Drift(_))).then_some(id)
}

/// `Auto-Submitted: auto-generated` (RFC 3834).
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The same for every message of a finding (so a mail client can group them by subject too),
/// except the `Resolved:` prefix of a resolve and `Test:` of a test. A notice's subject is
/// `[driftd] [TIER] title`.
pub fn subject(n: &Notification) -> String {
    let d = match n {
        Notification::Drift(d) => d,
        Notification::Notice(n) => {
            return one_line(&format!(
                "[driftd] [{}] {}",
                n.tier.as_str().to_uppercase(),
                notice_title(n)
            ))
        }
    };
    let f = &d.finding;
    let what = match f.kind {
        FindingKind::Missing => "deleted",
        FindingKind::Changed => "changed",
        FindingKind::Unmanaged => "unmanaged",
        FindingKind::Pending => "change pending",
        FindingKind::Violation => "breaks a policy",
    };
    let s = format!(
        "[driftd] [{}] {}: {} {} {what}",
        f.tier.as_str().to_uppercase(),
        d.target,
        f.resource_type,
        f.resource_id,
    );
    let s = match d.event {
        Event::Resolve => format!("Resolved: {s}"),
        Event::Test => format!("Test: {s}"),
        _ => s,
    };
    one_line(&s)
}

/// The notice's title on one line (it is a subject too), or a word about its event when it has
/// none.
fn notice_title(n: &Notice) -> String {
    match n.title.as_str() {
        "" => format!("driftd {}", n.event.as_str()),
        t => one_line(t),
    }
}

/// `<driftd.FINGERPRINT.OUTBOXID@DOMAIN>`: the same across retries of one notification (the
/// outbox id is its idempotency key), different for each notification.
pub fn message_id(msg: &Message<'_>, domain: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            .collect()
    };
    let domain = clean(domain);
    let domain = if domain.is_empty() {
        "driftd.invalid".to_string()
    } else {
        domain
    };
    format!("<driftd.{}.{}@{domain}>", clean(msg.fingerprint), msg.id)
}

fn headline(d: &Drift) -> &'static str {
    if d.finding.kind == FindingKind::Violation {
        return match d.event {
            Event::Trigger => "Policy violation found",
            Event::Repeat => "Policy violation still open (reminder)",
            Event::Resolve => "Policy violation resolved: the resource follows the policy again",
            Event::Test => "Test notification",
            _ => "Policy violation notification",
        };
    }
    match d.event {
        Event::Trigger => "New drift detected",
        Event::Repeat => "Drift still open (reminder)",
        Event::Resolve => "Drift resolved: the resource matches its state again",
        Event::Test => "Test notification",
        _ => "Drift notification",
    }
}

/// (label, value) rows shown in both parts; what is unknown is left out.
fn facts(d: &Drift) -> Vec<(&'static str, String)> {
    let f = &d.finding;
    let mut rows = vec![
        ("Target", d.target.clone()),
        ("Tier", f.tier.as_str().to_string()),
        ("Kind", f.kind.as_str().to_string()),
        ("Resource", format!("{} {}", f.resource_type, f.resource_id)),
    ];
    let life = f.lifecycle.as_ref();
    for (label, value) in [
        ("Address", f.address.clone()),
        ("Provider", Some(f.provider.clone())),
        ("Region", f.region.clone()),
        ("Source", f.source.clone()),
        ("First seen", life.map(|l| l.first_seen.clone())),
        ("Last seen", life.map(|l| l.last_seen.clone())),
        ("Times seen", life.map(|l| l.times_seen.to_string())),
        ("Fingerprint", Some(f.fingerprint.clone())),
    ] {
        if let Some(v) = value {
            rows.push((label, v));
        }
    }
    rows
}

/// (path, op, expected, actual) of each change, as a person reads them.
fn changes(d: &Drift) -> Vec<(String, &'static str, String, String)> {
    d.finding
        .changes
        .iter()
        .map(|c| {
            (
                c.path.clone(),
                op_name(c.op),
                show(&c.expected),
                show(&c.actual),
            )
        })
        .collect()
}

/// The text part: values with control characters (terminal escapes, C1 controls) show them as
/// pictures, so a mail reader in a terminal cannot be driven by a live value.
pub fn text_body(n: &Notification) -> String {
    let text = match n {
        Notification::Drift(d) => drift_text(d),
        Notification::Notice(n) => notice_text(n),
    };
    crate::notify::message::visible_controls(&text)
}

fn drift_text(d: &Drift) -> String {
    let event = d.event.as_str();
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", headline(d));
    let _ = writeln!(out, "{}\n", d.summary);
    for (label, value) in facts(d) {
        let _ = writeln!(out, "{label}: {value}");
    }
    let ch = changes(d);
    if !ch.is_empty() {
        let _ = writeln!(out, "\nChanges:");
        for (path, op, expected, actual) in ch {
            let _ = writeln!(
                out,
                "  - {path} ({op}): expected {expected}, actual {actual}"
            );
        }
    }
    let _ = write!(out, "\n-- \nSent by driftd ({event}).\n");
    out
}

/// A notice in plain text: title, summary, one line each.
fn notice_text(n: &Notice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", notice_title(n));
    if !n.summary.is_empty() {
        let _ = writeln!(out, "{}\n", n.summary);
    }
    for line in &n.lines {
        let _ = writeln!(out, "  - {line}");
    }
    let _ = write!(out, "\n-- \nSent by driftd ({}).\n", n.event.as_str());
    out
}

/// Escapes text for HTML element content and quoted attribute values (the report's escaper).
pub use crate::output::html::esc as escape_html;

/// The start of every HTML part, up to the body's content.
const HTML_HEAD: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
                         <body style=\"font-family: sans-serif\">\n";

/// The end of every HTML part: who sent it and why.
fn html_foot(out: &mut String, event: &str) {
    let _ = writeln!(
        out,
        "<p><small>Sent by driftd ({}).</small></p>",
        escape_html(event)
    );
    out.push_str("</body></html>\n");
}

/// A notice in HTML: the title, the summary, the lines as a list; every value escaped.
fn notice_html(n: &Notice) -> String {
    let e = escape_html;
    let mut out = String::from(HTML_HEAD);
    let _ = writeln!(out, "<h2>{}</h2>", e(&notice_title(n)));
    if !n.summary.is_empty() {
        let _ = writeln!(out, "<p><strong>{}</strong></p>", e(&n.summary));
    }
    if !n.lines.is_empty() {
        out.push_str("<ul>\n");
        for line in &n.lines {
            let _ = writeln!(out, "<li>{}</li>", e(line));
        }
        out.push_str("</ul>\n");
    }
    html_foot(&mut out, n.event.as_str());
    out
}

pub fn html_body(n: &Notification) -> String {
    let d = match n {
        Notification::Drift(d) => d,
        Notification::Notice(n) => return notice_html(n),
    };
    let e = escape_html;
    let mut out = String::from(HTML_HEAD);
    let _ = writeln!(out, "<h2>{}</h2>", e(headline(d)));
    let _ = writeln!(out, "<p><strong>{}</strong></p>", e(&d.summary));
    out.push_str("<table cellpadding=\"4\">\n");
    for (label, value) in facts(d) {
        let _ = writeln!(
            out,
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            e(label),
            e(&value)
        );
    }
    out.push_str("</table>\n");
    let ch = changes(d);
    if !ch.is_empty() {
        out.push_str(
            "<h3>Changes</h3>\n<table border=\"1\" cellpadding=\"4\" \
             style=\"border-collapse: collapse\">\n<tr><th>Path</th><th>Change</th>\
             <th>Expected (state)</th><th>Actual (live)</th></tr>\n",
        );
        for (path, op, expected, actual) in ch {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td>\
                 <td><code>{}</code></td></tr>",
                e(&path),
                e(op),
                e(&expected),
                e(&actual)
            );
        }
        out.push_str("</table>\n");
    }
    html_foot(&mut out, d.event.as_str());
    out
}

/// Maps an SMTP failure to retry or permanent, without the password in the text.
fn classify(what: &str, e: &lettre::transport::smtp::Error, secrets: &[&Secret]) -> SendError {
    let detail = redact(&e.to_string(), secrets);
    let reason = format!("{what}: {detail}");
    if e.is_permanent() {
        SendError::Permanent(reason)
    } else {
        // 4xx answers, connection and TLS failures, timeouts: the relay may recover.
        SendError::Retry {
            reason,
            after: None,
        }
    }
}

#[async_trait]
impl Channel for Email {
    async fn send(&self, msg: &Message<'_>) -> Result<Accepted, SendError> {
        let (email, id) = self.compose(msg)?;
        let what = format!("email `{}`", self.name);
        let secrets: Vec<&Secret> = self.password.iter().collect();
        // Each SMTP step has its own deadline; this bounds the whole conversation.
        match tokio::time::timeout(self.timeout * 6, self.transport.send(email)).await {
            Err(_) => Err(SendError::Retry {
                reason: format!("{what}: timed out"),
                after: None,
            }),
            Ok(Err(e)) => Err(classify(&what, &e, &secrets)),
            Ok(Ok(_)) => Ok(Accepted {
                thread: new_thread(msg, id),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretRef;
    use serde_json::{json, Value};

    fn payload(event: &str) -> Value {
        json!({
            "version": 1,
            "event": event,
            "target": "prod-net",
            "summary": "[critical] prod-net: aws_security_group sg-123 changed out of band: ingress",
            "finding": {
                "fingerprint": "abc123",
                "kind": "changed",
                "tier": "critical",
                "provider": "aws",
                "resource_type": "aws_security_group",
                "resource_id": "sg-123",
                "address": "aws_security_group.web",
                "region": "eu-west-1",
                "source": null,
                "changes": [{
                    "path": "tags.Name",
                    "op": "replace",
                    "expected": "web",
                    "actual": "<script>alert('x')</script> & \"more\"",
                }],
                "first_seen": "2026-01-01T00:00:00Z",
                "last_seen": "2026-01-01T01:00:00Z",
                "times_seen": 2,
                "resolved_at": null,
                "reopened": 0,
            }
        })
    }

    pub(super) fn config() -> EmailConfig {
        toml::from_str(
            r#"
            name = "ops-mail"
            smtp_host = "127.0.0.1"
            smtp_port = 2525
            tls = "none"
            from = "driftd <driftd@example.com>"
            to = ["oncall@example.com", "Second <second@example.org>"]
            "#,
        )
        .unwrap()
    }

    /// The notification of the JSON form `p`, sent as `event`.
    fn body(event: &str, p: &Value) -> Notification {
        let mut p = p.clone();
        p["event"] = json!(event);
        Notification::from_json(p).unwrap()
    }

    fn message<'a>(id: i64, body: &'a Notification, thread: Option<&'a str>) -> Message<'a> {
        Message {
            id,
            fingerprint: "abc123",
            body,
            thread,
        }
    }

    fn formatted(email: &lettre::Message) -> String {
        String::from_utf8(email.formatted()).unwrap()
    }

    #[test]
    fn subject_is_stable_per_finding() {
        let s = subject(&body("trigger", &payload("trigger")));
        assert_eq!(
            s,
            "[driftd] [CRITICAL] prod-net: aws_security_group sg-123 changed"
        );
        assert_eq!(subject(&body("repeat", &payload("repeat"))), s);
        assert_eq!(
            subject(&body("resolve", &payload("resolve"))),
            format!("Resolved: {s}")
        );
        let mut p = payload("trigger");
        p["finding"]["kind"] = json!("missing");
        p["finding"]["resource_id"] = json!("sg-1\r\nBcc: evil@example.com");
        let s = subject(&body("trigger", &p));
        assert!(!s.contains('\n') && !s.contains('\r'), "{s}");
        assert!(s.ends_with("deleted"), "{s}");
    }

    /// A violation's mail says so; it never reads as drift.
    #[test]
    fn a_violation_is_not_called_drift() {
        let mut p = payload("trigger");
        p["finding"]["kind"] = json!("violation");
        p["finding"]["changes"] = json!([]);
        p["finding"]["policy"] = json!({"id": "k8s-privileged", "title": "Privileged container",
            "messages": [{"text": "container agent runs privileged"}]});
        let text = text_body(&body("trigger", &p));
        assert!(text.contains("Policy violation found"), "{text}");
        assert!(!text.contains("drift detected"), "{text}");
        let text = text_body(&body("resolve", &p));
        assert!(text.contains("Policy violation resolved"), "{text}");
        assert!(subject(&body("trigger", &p)).ends_with("sg-123 breaks a policy"));
        assert!(text_body(&body("trigger", &payload("trigger"))).contains("New drift detected"));
    }

    /// A live value carrying terminal escapes (ESC, BEL, NUL, DEL, the C1 CSI) reaches the
    /// text part as visible pictures: a mail reader in a terminal shows them, never obeys them.
    #[test]
    fn text_part_shows_control_characters_as_pictures() {
        let mut p = payload("trigger");
        p["finding"]["changes"][0]["actual"] =
            json!("a\u{1b}[31mred\u{7}\u{0}\u{7f}\u{9b}2J\tend\nnext");
        let text = text_body(&body("trigger", &p));
        assert!(
            text.contains("a\u{241b}[31mred\u{2407}\u{2400}\u{2421}\u{fffd}2J\tend\nnext"),
            "{text}"
        );
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{text:?}"
        );
    }

    #[test]
    fn html_escapes_every_value() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let p = payload("trigger");
        let html = html_body(&body("trigger", &p));
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;")
        );
        assert!(html.contains("aws_security_group.web"));
        let text = text_body(&body("trigger", &p));
        assert!(text.contains("tags.Name (replace): expected web, actual <script>"));
        assert!(text.contains("Region: eu-west-1"));
        assert!(!text.contains("Source:"), "null values are left out");
    }

    #[test]
    fn first_message_starts_a_thread_and_follow_ups_reply_to_it() {
        let email = Email::new(&config()).unwrap();
        let p = payload("trigger");
        let (m, id) = email
            .compose(&message(7, &body("trigger", &p), None))
            .unwrap();
        assert_eq!(id, "<driftd.abc123.7@example.com>");
        let raw = formatted(&m);
        assert!(
            raw.contains("Message-ID: <driftd.abc123.7@example.com>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(!raw.contains("In-Reply-To"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(
            raw.contains("text/plain") && raw.contains("text/html"),
            "{raw}"
        );
        // A retry of the same notification has the same id.
        let (_, again) = email
            .compose(&message(7, &body("trigger", &p), None))
            .unwrap();
        assert_eq!(again, id);

        let r = payload("resolve");
        let (m, own) = email
            .compose(&message(9, &body("resolve", &r), Some(&id)))
            .unwrap();
        assert_ne!(own, id);
        let raw = formatted(&m);
        assert!(raw.contains(&format!("In-Reply-To: {id}\r\n")), "{raw}");
        assert!(raw.contains(&format!("References: {id}\r\n")), "{raw}");
        assert!(
            raw.contains("Subject: Resolved: [driftd] [CRITICAL]"),
            "{raw}"
        );
        assert!(
            raw.contains("To: oncall@example.com, Second <second@example.org>"),
            "{raw}"
        );
    }

    #[tokio::test]
    async fn connection_refused_is_retried_without_the_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let var = "DRIFTD_TEST_EMAIL_PASSWORD_UNIT";
        std::env::set_var(var, "pa55-w0rd-secret");
        let mut c = config();
        c.smtp_port = Some(port);
        c.username = Some("driftd".into());
        c.password = Some(SecretRef::try_from(format!("env:{var}")).unwrap());
        let email = Email::new(&c).unwrap();
        let p = payload("trigger");
        let err = email
            .send(&message(1, &body("trigger", &p), None))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, SendError::Retry { .. }), "{text}");
        assert!(text.contains("email `ops-mail`"), "{text}");
        assert!(!text.contains("pa55-w0rd-secret"), "{text}");
    }
    fn notice(event: &str) -> Value {
        json!({
            "version": 1,
            "event": event,
            "target": "prod-net",
            "tier": "warning",
            "title": "12 new drifts in <prod> & \"co\"\r\nBcc: evil@example.com",
            "summary": "Start with <b>sg-1</b> & i-2",
            "lines": [
                "[critical] aws_instance i-1 changed: <script>alert('x')</script>",
                "[warning] aws_s3_bucket logs & more",
            ],
        })
    }

    #[test]
    fn notice_subject_and_both_parts() {
        let p = notice("digest");
        assert_eq!(
            subject(&body("digest", &p)),
            "[driftd] [WARNING] 12 new drifts in <prod> & \"co\"  Bcc: evil@example.com"
        );
        let text = text_body(&body("digest", &p));
        assert!(
            text.starts_with("12 new drifts in <prod> & \"co\"  Bcc: evil@example.com\n\n"),
            "{text}"
        );
        assert!(text.contains("\nStart with <b>sg-1</b> & i-2\n"), "{text}");
        assert!(text.contains(
            "\n  - [critical] aws_instance i-1 changed: <script>alert('x')</script>\n\
             \x20 - [warning] aws_s3_bucket logs & more\n"
        ));
        assert!(text.ends_with("Sent by driftd (digest).\n"), "{text}");
        assert!(!text.contains("Target:"), "no finding facts: {text}");
        let html = html_body(&body("digest", &p));
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains("<h2>12 new drifts in &lt;prod&gt; &amp; &quot;co&quot;"));
        assert!(
            html.contains("<p><strong>Start with &lt;b&gt;sg-1&lt;/b&gt; &amp; i-2</strong></p>")
        );
        assert!(html.contains(
            "<ul>\n<li>[critical] aws_instance i-1 changed: \
             &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</li>\n\
             <li>[warning] aws_s3_bucket logs &amp; more</li>\n</ul>\n"
        ));
        assert!(html.ends_with("<p><small>Sent by driftd (digest).</small></p>\n</body></html>\n"));
        // No lines, no title: no empty list, and still a subject.
        let mut p = notice("degraded");
        p["lines"] = json!([]);
        p["title"] = json!("");
        assert_eq!(
            subject(&body("degraded", &p)),
            "[driftd] [WARNING] driftd degraded"
        );
        assert!(!html_body(&body("degraded", &p)).contains("<ul>"));
    }

    #[test]
    fn notices_neither_reply_nor_start_a_thread() {
        let email = Email::new(&config()).unwrap();
        let p = notice("resolve");
        let thread = "<driftd.abc123.7@example.com>";
        let resolve = body("resolve", &p);
        let msg = message(11, &resolve, Some(thread));
        let (m, id) = email.compose(&msg).unwrap();
        assert_eq!(id, "<driftd.abc123.11@example.com>");
        let raw = formatted(&m);
        assert!(
            !raw.contains("In-Reply-To") && !raw.contains("References"),
            "{raw}"
        );
        assert!(raw.contains(&format!("Message-ID: {id}\r\n")), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(
            raw.contains("Subject: [driftd] [WARNING] 12 new drifts"),
            "{raw}"
        );
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert_eq!(new_thread(&msg, id.clone()), None);
        assert_eq!(
            new_thread(&message(11, &body("summary", &p), None), id.clone()),
            None
        );
        // A finding's first message still starts one; follow-ups do not.
        let f = payload("trigger");
        assert_eq!(
            new_thread(&message(12, &body("trigger", &f), None), id.clone()),
            Some(id.clone())
        );
        assert_eq!(
            new_thread(&message(13, &body("repeat", &f), Some(thread)), id),
            None
        );
    }
}
