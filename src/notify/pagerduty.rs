//! PagerDuty Events API v2: `trigger` and `resolve` with the finding's fingerprint as
//! `dedup_key`, so repeats update one incident and a resolve closes it. Tiers map to PagerDuty
//! severities of the same name (critical, warning, info).
//!
//! A *notice* (a summary of several findings, a word about the daemon) triggers an event of its own, deduplicated on the notice's fingerprint, with its
//! summary, its event as the class and its first lines as details; a `resolve` closes whatever
//! the fingerprint names, notice or finding.

use super::channel::{classify, http_client, Accepted, Channel, Message, SendError};
use super::config::PagerDutyConfig;
use super::message::{Drift, Event, Notice, Notification};
use crate::secret::Secret;
use async_trait::async_trait;
use serde_json::{json, Value};
use std::time::Duration;

pub struct PagerDuty {
    name: String,
    routing_key: Secret,
    url: String,
    client: reqwest::Client,
}

impl PagerDuty {
    pub fn new(c: &PagerDutyConfig) -> Result<PagerDuty, String> {
        Ok(PagerDuty {
            name: c.name.clone(),
            routing_key: c
                .routing_key
                .load()
                .map_err(|e| format!("channel `{}`.routing_key: {e}", c.name))?,
            url: c.url.clone(),
            client: http_client(Duration::from_secs(c.timeout_secs))?,
        })
    }
}

/// The Events v2 body of a notification.
pub fn event_body(routing_key: &str, msg: &Message<'_>) -> Value {
    if msg.event() == Event::Resolve {
        return json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": msg.fingerprint,
        });
    }
    match msg.body {
        Notification::Drift(d) => drift_body(routing_key, msg.fingerprint, d),
        Notification::Notice(n) => notice_body(routing_key, msg.fingerprint, n),
    }
}

/// The trigger of a finding: the resource is the source, its type the component.
fn drift_body(routing_key: &str, dedup_key: &str, d: &Drift) -> Value {
    let f = &d.finding;
    let life = f.lifecycle.as_ref();
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": summary(&d.summary, "driftd drift"),
            "source": f.resource_id,
            "severity": f.tier,
            "component": f.resource_type,
            "group": d.target,
            "class": f.kind,
            "custom_details": {
                "address": f.address,
                "region": f.region,
                "changes": f.changes,
                "first_seen": life.map(|l| &l.first_seen),
                "times_seen": life.map(|l| l.times_seen),
                "event": d.event,
            }
        }
    })
}

/// Lines of a notice sent as details: enough to act on, small enough for PagerDuty's 512 KB
/// event limit.
const NOTICE_LINES_MAX: usize = 100;

/// The trigger of a notice: it speaks for the daemon, so the source is driftd and the group its
/// target when it has one.
fn notice_body(routing_key: &str, dedup_key: &str, n: &Notice) -> Value {
    let lines: Vec<&String> = n.lines.iter().take(NOTICE_LINES_MAX).collect();
    let group = n
        .target
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("driftd");
    // An empty summary is rejected by PagerDuty: fall back on the title.
    let fallback = Some(n.title.as_str())
        .filter(|t| !t.is_empty())
        .unwrap_or("driftd notice");
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": summary(&n.summary, fallback),
            "source": "driftd",
            "severity": n.tier,
            "group": group,
            "class": n.event,
            "custom_details": {
                "lines": lines,
                "event": n.event,
            }
        }
    })
}

/// The event's summary, `fallback` when empty; PagerDuty limits it to 1024 characters.
fn summary(s: &str, fallback: &str) -> String {
    let s = if s.is_empty() { fallback } else { s };
    s.chars().take(1024).collect()
}

#[async_trait]
impl Channel for PagerDuty {
    async fn send(&self, msg: &Message<'_>) -> Result<Accepted, SendError> {
        let body = event_body(self.routing_key.expose(), msg);
        let result = self.client.post(&self.url).json(&body).send().await;
        classify(
            &format!("pagerduty `{}`", self.name),
            result,
            &[&self.routing_key],
        )
        .await
        .map(|_| Accepted::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Events v2 body of the notification `payload` (its JSON form) sent as `event`.
    fn body_of(event: &str, payload: &Value, thread: Option<&str>) -> Value {
        let mut p = payload.clone();
        p["event"] = json!(event);
        let body = Notification::from_json(p).unwrap();
        event_body(
            "rk",
            &Message {
                id: 5,
                fingerprint: "notice-fp",
                body: &body,
                thread,
            },
        )
    }

    fn notice(lines: usize) -> Value {
        json!({
            "version": 1,
            "event": "summary",
            "target": "prod-net",
            "tier": "critical",
            "title": "12 new drifts in prod-net",
            "summary": "s".repeat(2000),
            "lines": (0..lines).map(|i| format!("[critical] r{i} changed")).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn a_notice_triggers_its_own_event() {
        let p = notice(250);
        let body = body_of("summary", &p, Some("ignored"));
        assert_eq!(body["routing_key"], "rk");
        assert_eq!(body["event_action"], "trigger");
        assert_eq!(body["dedup_key"], "notice-fp");
        let e = &body["payload"];
        assert_eq!(e["summary"].as_str().unwrap().chars().count(), 1024);
        assert_eq!(e["source"], "driftd");
        assert_eq!(e["severity"], "critical");
        assert_eq!(e["group"], "prod-net");
        assert_eq!(e["class"], "summary");
        assert!(e.get("component").is_none(), "{e}");
        let lines = e["custom_details"]["lines"].as_array().unwrap();
        assert_eq!(lines.len(), NOTICE_LINES_MAX);
        assert_eq!(lines[0], "[critical] r0 changed");
        assert_eq!(lines[99], "[critical] r99 changed");
        assert_eq!(e["custom_details"]["event"], "summary");
        assert_eq!(
            e["custom_details"].as_object().unwrap().len(),
            2,
            "only lines and event: {e}"
        );
    }

    #[test]
    fn a_notice_about_the_daemon_falls_back_on_driftd() {
        let mut p = notice(0);
        p["target"] = Value::Null;
        p["tier"] = json!("warning");
        p["summary"] = json!("");
        p.as_object_mut().unwrap().remove("lines");
        let body = body_of("degraded", &p, None);
        let e = &body["payload"];
        assert_eq!(e["group"], "driftd");
        assert_eq!(e["severity"], "warning");
        assert_eq!(e["summary"], "12 new drifts in prod-net");
        assert_eq!(e["class"], "degraded");
        assert_eq!(e["custom_details"]["lines"], json!([]));
        // `escalate` without a finding is a notice too.
        let body = body_of("escalate", &p, None);
        assert_eq!(body["payload"]["class"], "escalate");
        assert_eq!(body["payload"]["source"], "driftd");
    }

    #[test]
    fn a_notice_resolve_closes_its_dedup_key() {
        let p = notice(3);
        let body = body_of("resolve", &p, Some("ignored"));
        assert_eq!(
            body,
            json!({"routing_key": "rk", "event_action": "resolve", "dedup_key": "notice-fp"})
        );
    }

    #[test]
    fn a_finding_still_triggers_as_before() {
        let p = json!({
            "version": 1,
            "event": "escalate",
            "target": "prod-net",
            "summary": "[critical] prod-net: aws_instance i-1 changed",
            "finding": {"fingerprint": "fp-i-1", "tier": "critical", "kind": "changed",
                        "provider": "aws", "resource_type": "aws_instance",
                        "resource_id": "i-1", "changes": []}
        });
        let body = body_of("escalate", &p, None);
        let e = &body["payload"];
        assert_eq!(e["source"], "i-1");
        assert_eq!(e["component"], "aws_instance");
        assert_eq!(e["class"], "changed");
        assert_eq!(e["severity"], "critical");
        assert_eq!(e["custom_details"]["event"], "escalate");
    }
}
