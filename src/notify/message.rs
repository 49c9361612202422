//! What a notification says, typed: the planner builds a [`Notification`], the outbox stores it
//! as JSON, and every channel renders it from these fields (no channel reads a tier or a value
//! back out of JSON).
//!
//! The JSON form is a contract: it is the webhook body documented in docs/notifications.md
//! (version 1: fields may be added, never renamed or removed) and what outbox rows written by
//! earlier versions hold, so the field names and their order here are that document's.

use driftd_core::{ChangeOp, Finding, Tier};
use driftd_store::FindingRecord;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version of the JSON form.
pub const VERSION: u32 = 1;

/// What a notification is about; the outbox row, the `event` field and the webhook's
/// `X-Driftd-Event` header carry it as the lowercase name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// A drift to look at (first time, or its actual value moved, or it came back).
    Trigger,
    /// Still open and unacknowledged after the repeat interval.
    Repeat,
    /// Still open and unacknowledged past the route's escalation time: to further channels.
    Escalate,
    /// The drift is gone (or, for a notice, a degraded scan is complete again).
    Resolve,
    /// A scan was incomplete: some scopes could not be read.
    Degraded,
    /// `driftd notify test`.
    Test,
    /// Several new drifts on one channel at once, sent as one message.
    Summary,
    /// A route's daily digest.
    Digest,
    /// A notification to another channel was given up (`self_alert`).
    Undeliverable,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Trigger => "trigger",
            Event::Repeat => "repeat",
            Event::Escalate => "escalate",
            Event::Resolve => "resolve",
            Event::Degraded => "degraded",
            Event::Test => "test",
            Event::Summary => "summary",
            Event::Digest => "digest",
            Event::Undeliverable => "undeliverable",
        }
    }
}

/// One notification: about one finding, or a notice (several findings, or driftd itself).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Notification {
    /// Boxed: a finding with its changes is several times the size of a notice.
    Drift(Box<Drift>),
    Notice(Notice),
}

/// A notification about one finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub version: u32,
    pub event: Event,
    pub target: String,
    /// The one line a person reads first.
    pub summary: String,
    /// The finding (tier, kind, resource, changes) with its lifecycle.
    pub finding: DriftFinding,
    /// Who changed the resource, once an audit log can tell; absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// How to bring the resource back in line with its code, once driftd can say; absent until
    /// then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
}

/// The `finding` of a [`Drift`]: the finding's fields and, beside them, its lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftFinding {
    #[serde(flatten)]
    pub finding: Finding,
    /// Absent only for the synthetic finding of `driftd notify test`, which has no history.
    #[serde(flatten)]
    pub lifecycle: Option<Lifecycle>,
}

/// A finding's history as a notification shows it. The webhook contract's own type, so a change
/// to the store's record cannot change what receivers get.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub first_seen: String,
    pub last_seen: String,
    pub times_seen: i64,
    pub resolved_at: Option<String>,
    /// How many times it came back after being resolved.
    pub reopened: i64,
}

/// `drift.finding.tier`, `.changes`, ...: the finding's own fields read through.
impl std::ops::Deref for DriftFinding {
    type Target = Finding;
    fn deref(&self) -> &Finding {
        &self.finding
    }
}

impl From<&FindingRecord> for DriftFinding {
    fn from(r: &FindingRecord) -> DriftFinding {
        DriftFinding {
            finding: r.finding.clone(),
            lifecycle: Some(Lifecycle {
                first_seen: r.first_seen.clone(),
                last_seen: r.last_seen.clone(),
                times_seen: r.times_seen,
                resolved_at: r.resolved_at.clone(),
                reopened: r.reopened,
            }),
        }
    }
}

/// A message about several findings or about driftd itself: a summary, a digest, a degraded
/// scan (and its all-clear), an undeliverable notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub version: u32,
    pub event: Event,
    /// `None` when it speaks for several targets or for driftd.
    pub target: Option<String>,
    pub tier: Tier,
    /// Empty when there is none: channels then name the event.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// Detail lines, one finding or fact each.
    #[serde(default)]
    pub lines: Vec<String>,
}

impl Notification {
    pub fn event(&self) -> Event {
        match self {
            Notification::Drift(d) => d.event,
            Notification::Notice(n) => n.event,
        }
    }

    pub fn target(&self) -> Option<&str> {
        match self {
            Notification::Drift(d) => Some(&d.target),
            Notification::Notice(n) => n.target.as_deref(),
        }
    }

    pub fn tier(&self) -> Tier {
        match self {
            Notification::Drift(d) => d.finding.tier,
            Notification::Notice(n) => n.tier,
        }
    }

    pub fn summary(&self) -> &str {
        match self {
            Notification::Drift(d) => &d.summary,
            Notification::Notice(n) => &n.summary,
        }
    }

    /// The JSON form: what the outbox stores and a webhook receives.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a notification has only string keys and plain values")
    }

    /// Reads a stored notification: one with a `finding` is a [`Drift`], any other a [`Notice`].
    /// Rows written by earlier versions read the same way (the form only ever gains fields).
    pub fn from_json(v: Value) -> Result<Notification, serde_json::Error> {
        if v.get("finding").is_some_and(|f| !f.is_null()) {
            serde_json::from_value(v).map(|d| Notification::Drift(Box::new(d)))
        } else {
            serde_json::from_value(v).map(Notification::Notice)
        }
    }
}

/// A change's operation as the JSON form names it.
pub fn op_name(op: ChangeOp) -> &'static str {
    match op {
        ChangeOp::Add => "add",
        ChangeOp::Remove => "remove",
        ChangeOp::Replace => "replace",
    }
}

/// A change value as a person reads it: strings bare, nothing as `(none)`, the rest as compact
/// JSON (the values are the cloud's, of any shape).
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The visible stand-in of a control character a terminal or a mail reader could act on (a
/// live value's ESC sequences, BEL, NUL, DEL, the C1 controls): its Unicode picture (`␛`, `␇`,
/// `␀`, `␡`), `�` for a C1 control. `None` for newline, tab and every other character.
pub fn control_picture(c: char) -> Option<char> {
    match c {
        '\n' | '\t' => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// `s` with its control characters (newline and tab kept) as their [`control_picture`]s, for
/// plain text a person reads (an email's text part).
pub fn visible_controls(s: &str) -> String {
    if !s.chars().any(|c| control_picture(c).is_some()) {
        return s.to_string();
    }
    s.chars().map(|c| control_picture(c).unwrap_or(c)).collect()
}

/// Control characters (a newline in a resource id or title) as spaces, for a subject or a
/// header that must stay one line.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An outbox row as the previous version wrote it (the payload built with `json!` from a
    /// `FindingRecord`), byte for byte.
    const OLD_DRIFT_ROW: &str = r#"{"event":"trigger","finding":{"address":"aws_security_group.web","changes":[{"actual":{"cidr_blocks":["0.0.0.0/0"],"from_port":22,"protocol":"tcp","to_port":22},"expected":null,"op":"add","path":"ingress"}],"fingerprint":"8c1f","first_seen":"2026-11-23T14:00:00Z","kind":"changed","last_seen":"2026-11-23T14:30:00Z","provider":"aws","region":"us-east-1","reopened":0,"resolved_at":null,"resource_id":"sg-0abc","resource_type":"aws_security_group","source":"prod.tfstate","tier":"critical","times_seen":2},"summary":"[critical] prod-network: aws_security_group sg-0abc changed out of band: ingress","target":"prod-network","version":1}"#;

    const OLD_NOTICE_ROW: &str = r#"{"event":"digest","lines":["New (1):","  [info] prod: aws_vpc vpc-0abc changed out of band: tags.Name"],"summary":"Since 2026-11-22T08:00:00Z: 1 new, 0 resolved, 0 still open","target":null,"tier":"info","title":"Daily drift digest (daily-digest)","version":1}"#;

    #[test]
    fn rows_of_the_previous_version_read_and_write_back_the_same() {
        for row in [OLD_DRIFT_ROW, OLD_NOTICE_ROW] {
            let stored: Value = serde_json::from_str(row).unwrap();
            let n = Notification::from_json(stored.clone()).unwrap();
            assert_eq!(n.to_json(), stored);
            assert_eq!(serde_json::to_string(&n.to_json()).unwrap(), row);
        }
        let Notification::Drift(d) =
            Notification::from_json(serde_json::from_str(OLD_DRIFT_ROW).unwrap()).unwrap()
        else {
            panic!("a row with a finding is a drift");
        };
        assert_eq!(d.event, Event::Trigger);
        assert_eq!(d.finding.tier, Tier::Critical);
        assert_eq!(d.finding.lifecycle.as_ref().unwrap().times_seen, 2);
        assert_eq!(d.finding.changes[0].op, ChangeOp::Add);
        assert_eq!((d.actor, d.remediation), (None, None));
    }

    #[test]
    fn a_finding_without_history_has_no_lifecycle_fields() {
        let v = json!({
            "version": 1, "event": "test", "target": "driftd-test", "summary": "s",
            "finding": {"fingerprint": "0", "kind": "changed", "tier": "info", "provider": "test",
                        "resource_type": "driftd_test", "resource_id": "test", "changes": []}
        });
        let n = Notification::from_json(v.clone()).unwrap();
        assert!(matches!(&n, Notification::Drift(d) if d.finding.lifecycle.is_none()));
        assert_eq!(n.to_json(), v);
    }

    #[test]
    fn actor_and_remediation_appear_only_when_known() {
        let stored: Value = serde_json::from_str(OLD_DRIFT_ROW).unwrap();
        let Notification::Drift(mut d) = Notification::from_json(stored).unwrap() else {
            panic!("drift");
        };
        d.actor = Some("arn:aws:iam::1:user/alice".into());
        let v = Notification::Drift(d).to_json();
        assert_eq!(v["actor"], "arn:aws:iam::1:user/alice");
        assert!(v.get("remediation").is_none());
    }
}
