//! PagerDuty Events API v2: `trigger` and `resolve` with the finding's fingerprint as
//! `dedup_key`, so repeats update one incident and a resolve closes it. Tiers map to PagerDuty
//! severities (critical → critical, warning → warning, info → info).

use super::channel::{classify, http_client, Accepted, Channel, Message, SendError};
use super::config::PagerDutyConfig;
use super::secret::Secret;
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
    let p = msg.payload;
    let f = &p["finding"];
    if msg.event == "resolve" {
        return json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": msg.fingerprint,
        });
    }
    let severity = match f["tier"].as_str() {
        Some("critical") => "critical",
        Some("warning") => "warning",
        _ => "info",
    };
    // PagerDuty's summary is limited to 1024 characters.
    let summary: String = p["summary"]
        .as_str()
        .unwrap_or("driftd drift")
        .chars()
        .take(1024)
        .collect();
    json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": msg.fingerprint,
        "payload": {
            "summary": summary,
            "source": f["resource_id"],
            "severity": severity,
            "component": f["resource_type"],
            "group": p["target"],
            "class": f["kind"],
            "custom_details": {
                "address": f["address"],
                "region": f["region"],
                "changes": f["changes"],
                "first_seen": f["first_seen"],
                "times_seen": f["times_seen"],
                "event": msg.event,
            }
        }
    })
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
