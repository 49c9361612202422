//! The planner: which notifications one finished scan causes. A pure function of the findings,
//! what was already sent, the routes and the time, so routing, confirmation and repeats are
//! tested without servers or sleeping.

use super::config::{NotifyConfig, RouteConfig, TierPolicy};
use chrono::{DateTime, Utc};
use driftd_core::{FindingKind, Tier};
use driftd_store::{FindingRecord, LifecycleChanges};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// A drift to look at (first time, or its actual value moved, or it came back).
    Trigger,
    /// Still open and unacknowledged after the repeat interval.
    Repeat,
    /// The drift is gone.
    Resolve,
    /// `driftd notify test`.
    Test,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Trigger => "trigger",
            Event::Repeat => "repeat",
            Event::Resolve => "resolve",
            Event::Test => "test",
        }
    }
}

/// A notification to put in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub channel: String,
    pub fingerprint: String,
    pub event: Event,
    pub payload: Value,
}

/// The channels (with their effective policy) a finding of `tier` in `target` goes to.
pub fn route(
    routes: &[RouteConfig],
    defaults: &NotifyConfig,
    target: &str,
    tier: Tier,
) -> Vec<(String, TierPolicy)> {
    let mut out: Vec<(String, TierPolicy)> = Vec::new();
    for r in routes {
        let tier_ok = r.tiers.is_empty() || r.tiers.contains(&tier);
        let target_ok = r.targets.is_empty()
            || r.targets
                .iter()
                .any(|g| glob::Pattern::new(g).is_ok_and(|p| p.matches(target)));
        if !(tier_ok && target_ok) {
            continue;
        }
        let base = defaults.policy(tier);
        let policy = TierPolicy {
            confirm_scans: r.confirm_scans.unwrap_or(base.confirm_scans),
            repeat_interval_secs: r.repeat_interval_secs.unwrap_or(base.repeat_interval_secs),
            send_resolved: r.send_resolved.unwrap_or(base.send_resolved),
        };
        for ch in &r.channels {
            if !out.iter().any(|(c, _)| c == ch) {
                out.push((ch.clone(), policy));
            }
        }
        if !r.continue_matching {
            break;
        }
    }
    out
}

/// One line a person reads first.
pub fn summary(target: &str, f: &FindingRecord) -> String {
    let what = match f.finding.kind {
        FindingKind::Missing => "was deleted out of band (in state, gone live)",
        FindingKind::Changed => "changed out of band",
        FindingKind::Unmanaged => "exists but is in no Terraform state",
        FindingKind::Pending => "has a change not yet applied",
    };
    let paths: Vec<&str> = f.finding.changes.iter().map(|c| c.path.as_str()).collect();
    let detail = if paths.is_empty() {
        String::new()
    } else {
        format!(": {}", paths.join(", "))
    };
    format!(
        "[{}] {target}: {} {} {what}{detail}",
        f.finding.tier, f.finding.resource_type, f.finding.resource_id
    )
}

pub fn payload(target: &str, event: Event, f: &FindingRecord) -> Value {
    json!({
        "version": 1,
        "event": event.as_str(),
        "target": target,
        "summary": summary(target, f),
        "finding": f,
    })
}

/// Everything the planner reads.
pub struct PlanInput<'a> {
    pub target: &'a str,
    pub routes: &'a [RouteConfig],
    pub defaults: &'a NotifyConfig,
    /// The target's open findings after the scan.
    pub open: &'a [FindingRecord],
    /// Findings this scan resolved.
    pub resolved: &'a [FindingRecord],
    pub changes: &'a LifecycleChanges,
    /// Fingerprints acknowledged by a person: no repeats.
    pub acked: &'a HashSet<String>,
    /// When each (fingerprint, channel) was last notified.
    pub last_sent: &'a HashMap<(String, String), DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

pub fn plan(input: &PlanInput<'_>) -> Vec<Planned> {
    let mut out = Vec::new();
    let moved: HashSet<&str> = input
        .changes
        .changed
        .iter()
        .chain(&input.changes.reopened)
        .map(String::as_str)
        .collect();
    for f in input.open {
        let fp = &f.finding.fingerprint;
        for (channel, policy) in route(input.routes, input.defaults, input.target, f.finding.tier) {
            let confirm = if f.finding.tier == Tier::Critical {
                1
            } else {
                policy.confirm_scans.max(1)
            };
            let event = match input.last_sent.get(&(fp.clone(), channel.clone())) {
                None if f.times_seen >= i64::from(confirm) => Some(Event::Trigger),
                None => None,
                Some(_) if moved.contains(fp.as_str()) => Some(Event::Trigger),
                Some(last) => {
                    let due = policy.repeat_interval_secs > 0
                        && !input.acked.contains(fp)
                        && (input.now - *last).num_seconds() >= policy.repeat_interval_secs as i64;
                    due.then_some(Event::Repeat)
                }
            };
            if let Some(event) = event {
                out.push(Planned {
                    channel,
                    fingerprint: fp.clone(),
                    event,
                    payload: payload(input.target, event, f),
                });
            }
        }
    }
    for f in input.resolved {
        let fp = &f.finding.fingerprint;
        for (channel, policy) in route(input.routes, input.defaults, input.target, f.finding.tier) {
            // Only channels that were told about the drift hear that it is gone.
            if policy.send_resolved && input.last_sent.contains_key(&(fp.clone(), channel.clone()))
            {
                out.push(Planned {
                    channel,
                    fingerprint: fp.clone(),
                    event: Event::Resolve,
                    payload: payload(input.target, Event::Resolve, f),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::Finding;

    fn rec(id: &str, tier: Tier, times_seen: i64) -> FindingRecord {
        FindingRecord {
            finding: Finding {
                fingerprint: format!("fp-{id}"),
                kind: FindingKind::Changed,
                tier,
                provider: "aws".into(),
                resource_type: "aws_instance".into(),
                resource_id: id.into(),
                address: None,
                region: None,
                source: None,
                changes: vec![],
            },
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            times_seen,
            resolved_at: None,
            reopened: 0,
        }
    }

    fn routes() -> Vec<RouteConfig> {
        let r = |tiers: Vec<Tier>, channels: &[&str], cont: bool| RouteConfig {
            tiers,
            targets: vec!["prod-*".into()],
            channels: channels.iter().map(|s| s.to_string()).collect(),
            continue_matching: cont,
            confirm_scans: None,
            repeat_interval_secs: None,
            send_resolved: None,
        };
        vec![
            r(vec![Tier::Critical], &["pager"], true),
            r(vec![Tier::Critical, Tier::Warning], &["slack"], false),
            r(vec![], &["digest"], false),
        ]
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::hours(h)
    }

    fn run(
        open: &[FindingRecord],
        resolved: &[FindingRecord],
        changes: &LifecycleChanges,
        last_sent: &HashMap<(String, String), DateTime<Utc>>,
        acked: &HashSet<String>,
        now: DateTime<Utc>,
    ) -> Vec<(String, String, Event)> {
        let routes = routes();
        let defaults = NotifyConfig::default();
        plan(&PlanInput {
            target: "prod-net",
            routes: &routes,
            defaults: &defaults,
            open,
            resolved,
            changes,
            acked,
            last_sent,
            now,
        })
        .into_iter()
        .map(|p| (p.channel, p.fingerprint, p.event))
        .collect()
    }

    #[test]
    fn routing_first_match_unless_continue() {
        let r = routes();
        let d = NotifyConfig::default();
        let names = |tier| -> Vec<String> {
            route(&r, &d, "prod-net", tier)
                .into_iter()
                .map(|c| c.0)
                .collect()
        };
        assert_eq!(names(Tier::Critical), ["pager", "slack"]);
        assert_eq!(names(Tier::Warning), ["slack"]);
        assert_eq!(names(Tier::Info), ["digest"]);
        assert!(route(&r, &d, "staging", Tier::Critical).is_empty());
    }

    #[test]
    fn critical_at_once_warning_after_confirmation() {
        let none = HashMap::new();
        let no = HashSet::new();
        let c = LifecycleChanges::default();
        let first = run(
            &[rec("a", Tier::Critical, 1), rec("b", Tier::Warning, 1)],
            &[],
            &c,
            &none,
            &no,
            at(0),
        );
        let s = |c: &str, f: &str, e| (c.to_string(), format!("fp-{f}"), e);
        assert_eq!(
            first,
            vec![
                s("pager", "a", Event::Trigger),
                s("slack", "a", Event::Trigger)
            ]
        );
        let second = run(&[rec("b", Tier::Warning, 2)], &[], &c, &none, &no, at(1));
        assert_eq!(second, vec![s("slack", "b", Event::Trigger)]);
    }

    #[test]
    fn repeats_until_acknowledged_and_resolves_go_where_triggers_went() {
        let c = LifecycleChanges::default();
        let mut sent = HashMap::new();
        sent.insert(("fp-a".to_string(), "pager".to_string()), at(0));
        let open = [rec("a", Tier::Critical, 5)];
        let no = HashSet::new();
        // Critical repeats every 4 h by default.
        assert!(run(&open, &[], &c, &sent, &no, at(3))
            .iter()
            .all(|p| p.0 != "pager"));
        assert!(run(&open, &[], &c, &sent, &no, at(4)).contains(&(
            "pager".into(),
            "fp-a".into(),
            Event::Repeat
        )));
        let acked: HashSet<String> = ["fp-a".to_string()].into();
        assert!(run(&open, &[], &c, &sent, &acked, at(9))
            .iter()
            .all(|p| p.2 != Event::Repeat));
        // Resolved: only the pager heard of it, so only the pager hears it is gone.
        let resolved = run(&[], &open, &c, &sent, &no, at(10));
        assert_eq!(
            resolved,
            vec![("pager".into(), "fp-a".into(), Event::Resolve)]
        );
    }

    #[test]
    fn a_moved_value_notifies_again() {
        let mut sent = HashMap::new();
        sent.insert(("fp-b".to_string(), "slack".to_string()), at(0));
        let changes = LifecycleChanges {
            changed: vec!["fp-b".into()],
            ..Default::default()
        };
        let out = run(
            &[rec("b", Tier::Warning, 3)],
            &[],
            &changes,
            &sent,
            &HashSet::new(),
            at(1),
        );
        assert_eq!(out, vec![("slack".into(), "fp-b".into(), Event::Trigger)]);
    }
}
