//! The planner: which notifications a finished scan (or the periodic check for repeats,
//! escalations and ended silences) causes. A pure function of the findings, what was already
//! sent, the routes, the silences and the time, so routing, confirmation, repeats, escalation
//! and quiet hours are tested without servers or sleeping.

use super::config::{NotifyConfig, QuietAction, RouteConfig, TierPolicy};
use super::message::{Drift, Event, Notice, Notification, VERSION};
use super::silence::Silence;
use crate::time::rfc3339;
use chrono::{DateTime, Utc};
use driftd_core::{FindingKind, Tier};
use driftd_store::{FindingRecord, LifecycleChanges, NewDigestItem, NewNotification, PlanWrite};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A route that takes a finding, with its effective policy.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub index: usize,
    pub route: &'a RouteConfig,
    pub policy: TierPolicy,
}

fn glob_match(pattern: &str, value: &str) -> bool {
    glob::Pattern::new(pattern).is_ok_and(|p| p.matches(value))
}

/// The routes a notice of `tier` in `target` (with `labels`) takes: in order, up to and
/// including the first match without `continue`. `finding` is what the notice is about, for
/// routes that match on its kind or policy; a notice about no finding (a degraded scan) skips
/// those routes.
pub fn routes_for<'a>(
    routes: &'a [RouteConfig],
    defaults: &NotifyConfig,
    target: &str,
    labels: &BTreeMap<String, String>,
    tier: Tier,
    finding: Option<&driftd_core::Finding>,
) -> Vec<Hit<'a>> {
    let mut out = Vec::new();
    for (index, r) in routes.iter().enumerate() {
        let tier_ok = r.tiers.is_empty() || r.tiers.contains(&tier);
        let target_ok = r.targets.is_empty() || r.targets.iter().any(|g| glob_match(g, target));
        let labels_ok = r
            .labels
            .iter()
            .all(|(k, g)| labels.get(k).is_some_and(|v| glob_match(g, v)));
        let kind_ok = r.kinds.is_empty() || finding.is_some_and(|f| r.kinds.contains(&f.kind));
        let policy_ok = r.policies.is_empty()
            || finding
                .and_then(|f| f.policy.as_ref())
                .is_some_and(|p| r.policies.iter().any(|g| glob_match(g, &p.id)));
        if !(tier_ok && target_ok && labels_ok && kind_ok && policy_ok) {
            continue;
        }
        let base = defaults.policy(tier);
        let policy = TierPolicy {
            group_wait_secs: r.group_wait_secs.unwrap_or(base.group_wait_secs),
            confirm_scans: r.confirm_scans.unwrap_or(base.confirm_scans),
            repeat_interval_secs: r.repeat_interval_secs.unwrap_or(base.repeat_interval_secs),
            send_resolved: r.send_resolved.unwrap_or(base.send_resolved),
        };
        out.push(Hit {
            index,
            route: r,
            policy,
        });
        if !r.continue_matching {
            break;
        }
    }
    out
}

/// The channels (with their effective policy) a finding goes to; a channel named by several
/// routes takes the first one's policy.
#[cfg(test)]
pub fn route(
    routes: &[RouteConfig],
    defaults: &NotifyConfig,
    target: &str,
    tier: Tier,
) -> Vec<(String, TierPolicy)> {
    let mut out: Vec<(String, TierPolicy)> = Vec::new();
    for hit in routes_for(routes, defaults, target, &BTreeMap::new(), tier, None) {
        for ch in &hit.route.channels {
            if !out.iter().any(|(c, _)| c == ch) {
                out.push((ch.clone(), hit.policy));
            }
        }
    }
    out
}

/// One line a person reads first.
pub fn summary(target: &str, f: &FindingRecord) -> String {
    let what = match f.finding.kind {
        FindingKind::Missing => "was deleted out of band (in state, gone live)",
        FindingKind::Changed => "changed out of band",
        FindingKind::Unmanaged => "exists live but no state or manifest declares it",
        FindingKind::Pending => "has a change not yet applied",
        FindingKind::Violation => "breaks a policy",
    };
    let paths: Vec<&str> = f.finding.changes.iter().map(|c| c.path.as_str()).collect();
    let detail = match &f.finding.policy {
        Some(p) => format!(" ({}): {}", p.id, p.messages_text()),
        None if paths.is_empty() => String::new(),
        None => format!(": {}", paths.join(", ")),
    };
    format!(
        "[{}] {target}: {} {} {what}{detail}",
        f.finding.tier, f.finding.resource_type, f.finding.resource_id
    )
}

/// The notification about one finding.
pub fn drift(target: &str, event: Event, f: &FindingRecord) -> Notification {
    Notification::Drift(Box::new(Drift {
        version: VERSION,
        event,
        target: target.to_string(),
        summary: summary(target, f),
        finding: f.into(),
        actor: None,
        remediation: None,
    }))
}

/// A message about several findings or about driftd itself: a digest, a summary, a degraded
/// scan, an undeliverable notification.
pub fn notice(
    event: Event,
    target: Option<&str>,
    tier: Tier,
    title: &str,
    summary: &str,
    lines: Vec<String>,
) -> Notification {
    Notification::Notice(Notice {
        version: VERSION,
        event,
        target: target.map(str::to_string),
        tier,
        title: title.to_string(),
        summary: summary.to_string(),
        lines,
    })
}

/// What the last scan could not read, when it was incomplete.
pub struct ScanFacts<'a> {
    /// `None`: the scan was complete. Otherwise one line per skipped scope.
    pub incomplete: Option<&'a [String]>,
}

/// Everything the planner reads.
pub struct PlanInput<'a> {
    pub target: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    pub routes: &'a [RouteConfig],
    pub defaults: &'a NotifyConfig,
    /// The target's open findings.
    pub open: &'a [FindingRecord],
    /// Findings this scan resolved.
    pub resolved: &'a [FindingRecord],
    pub changes: &'a LifecycleChanges,
    /// Fingerprints acknowledged by a person: no repeats, no escalation.
    pub acked: &'a HashSet<String>,
    /// Silences in force now.
    pub silences: &'a [Silence],
    /// When each (fingerprint, channel) was first and last notified since its last resolve.
    pub sent: &'a SentTimes,
    /// Set after a scan; `None` for the periodic check.
    pub scan: Option<ScanFacts<'a>>,
    pub now: DateTime<Utc>,
}

/// The fingerprint under which a target's degraded-scan warning is recorded.
pub fn degraded_key(target: &str) -> String {
    format!("degraded:{target}")
}

struct Out<'a> {
    input: &'a PlanInput<'a>,
    write: PlanWrite,
}

/// Who gets a message, about what, and how long it may wait for others to group with.
struct Msg<'a> {
    channel: &'a str,
    fingerprint: &'a str,
    event: Event,
    tier: Tier,
    wait_secs: u64,
}

/// When each (fingerprint, channel) was first and last notified.
pub type SentTimes = HashMap<(String, String), (DateTime<Utc>, DateTime<Utc>)>;

impl Out<'_> {
    /// Queues one message, holding it through quiet hours (never for critical) or putting it
    /// into the route's digest instead when the route says so.
    fn push(&mut self, hit: &Hit<'_>, m: Msg<'_>, body: Notification) {
        let Msg {
            channel,
            fingerprint,
            event,
            tier,
            wait_secs,
        } = m;
        let input = self.input;
        let now = input.now;
        let mut not_before = now + chrono::Duration::seconds(wait_secs as i64);
        let quiet = hit
            .route
            .quiet_hours
            .as_ref()
            .and_then(|q| q.window().ok().map(|w| (w, q.action)))
            .filter(|(w, _)| tier != Tier::Critical && w.contains(now));
        let to_digest = tier != Tier::Critical
            && matches!(event, Event::Trigger | Event::Repeat | Event::Escalate)
            && (hit.route.digest.is_some() && event != Event::Escalate
                || matches!(quiet, Some((_, QuietAction::Digest))));
        if to_digest {
            self.write.digest_items.push(NewDigestItem {
                digest: hit.route.key(hit.index),
                channel: channel.to_string(),
                fingerprint: fingerprint.to_string(),
                target: input.target.to_string(),
            });
            return;
        }
        if let Some((w, _)) = quiet {
            not_before = not_before.max(w.end_after(now));
        }
        let give_up =
            not_before + chrono::Duration::seconds(input.defaults.give_up_after_secs as i64);
        self.write.notifications.push(NewNotification {
            channel: channel.to_string(),
            fingerprint: fingerprint.to_string(),
            event: event.as_str().to_string(),
            payload: body.to_json(),
            target: Some(input.target.to_string()),
            not_before: (not_before > now).then(|| rfc3339(not_before)),
            give_up_at: Some(rfc3339(give_up)),
        });
    }
}

pub fn plan(input: &PlanInput<'_>) -> PlanWrite {
    let mut out = Out {
        input,
        write: PlanWrite::default(),
    };
    let moved: HashSet<&str> = input
        .changes
        .changed
        .iter()
        .chain(&input.changes.reopened)
        .map(String::as_str)
        .collect();
    let key = |fp: &str, ch: &str| (fp.to_string(), ch.to_string());
    for f in input.open {
        let fp = &f.finding.fingerprint;
        let tier = f.finding.tier;
        if input
            .silences
            .iter()
            .any(|s| s.matches(input.target, input.labels, f))
        {
            continue;
        }
        let acked = input.acked.contains(fp);
        let mut done: HashSet<&str> = HashSet::new();
        for hit in routes_for(
            input.routes,
            input.defaults,
            input.target,
            input.labels,
            tier,
            Some(&f.finding),
        ) {
            let policy = hit.policy;
            let confirm = if tier == Tier::Critical {
                1
            } else {
                policy.confirm_scans.max(1)
            };
            for channel in &hit.route.channels {
                if !done.insert(channel) {
                    continue;
                }
                let event = match input.sent.get(&key(fp, channel)) {
                    None if f.times_seen >= i64::from(confirm) => Some(Event::Trigger),
                    None => None,
                    Some(_) if moved.contains(fp.as_str()) => Some(Event::Trigger),
                    Some((_, last)) => {
                        let due = policy.repeat_interval_secs > 0
                            && !acked
                            && (input.now - *last).num_seconds()
                                >= policy.repeat_interval_secs as i64;
                        due.then_some(Event::Repeat)
                    }
                };
                if let Some(event) = event {
                    let wait = if event == Event::Trigger {
                        policy.group_wait_secs
                    } else {
                        0
                    };
                    let m = Msg {
                        channel,
                        fingerprint: fp,
                        event,
                        tier,
                        wait_secs: wait,
                    };
                    out.push(&hit, m, drift(input.target, event, f));
                }
            }
            // Escalation: counted from the first notification on this route's channels.
            if let Some(after) = hit.route.escalate_after_secs {
                let first = hit
                    .route
                    .channels
                    .iter()
                    .filter_map(|ch| input.sent.get(&key(fp, ch)).map(|s| s.0))
                    .min();
                let overdue = first.is_some_and(|t| (input.now - t).num_seconds() >= after as i64);
                if overdue && !acked {
                    for channel in &hit.route.escalate_to {
                        if input.sent.contains_key(&key(fp, channel)) || !done.insert(channel) {
                            continue;
                        }
                        let p = drift(input.target, Event::Escalate, f);
                        out.push(
                            &hit,
                            Msg {
                                channel,
                                fingerprint: fp,
                                event: Event::Escalate,
                                tier,
                                wait_secs: 0,
                            },
                            p,
                        );
                    }
                }
            }
        }
    }
    for f in input.resolved {
        let fp = &f.finding.fingerprint;
        let mut done: HashSet<&str> = HashSet::new();
        for hit in routes_for(
            input.routes,
            input.defaults,
            input.target,
            input.labels,
            f.finding.tier,
            Some(&f.finding),
        ) {
            for channel in hit.route.channels.iter().chain(&hit.route.escalate_to) {
                // Only channels that were told about the drift hear that it is gone.
                if !done.insert(channel) || !input.sent.contains_key(&key(fp, channel)) {
                    continue;
                }
                let digest_only = hit.route.digest.is_some() && f.finding.tier != Tier::Critical;
                if hit.policy.send_resolved && !digest_only {
                    let p = drift(input.target, Event::Resolve, f);
                    out.push(
                        &hit,
                        Msg {
                            channel,
                            fingerprint: fp,
                            event: Event::Resolve,
                            tier: f.finding.tier,
                            wait_secs: 0,
                        },
                        p,
                    );
                } else {
                    out.write.forget.push(key(fp, channel));
                }
            }
        }
    }
    if let (Some(scan), true) = (&input.scan, input.defaults.scan_degraded) {
        plan_degraded(&mut out, scan);
    }
    out.write
}

/// One warning when a scan of the target becomes incomplete, one all-clear when it is complete
/// again; sent where the target's warnings go.
fn plan_degraded(out: &mut Out<'_>, scan: &ScanFacts<'_>) {
    let input = out.input;
    let fp = degraded_key(input.target);
    let mut done: HashSet<&str> = HashSet::new();
    for hit in routes_for(
        input.routes,
        input.defaults,
        input.target,
        input.labels,
        Tier::Warning,
        None,
    ) {
        for channel in &hit.route.channels {
            if !done.insert(channel) {
                continue;
            }
            let told = input.sent.contains_key(&(fp.clone(), channel.clone()));
            match (scan.incomplete, told) {
                (Some(lines), false) => {
                    let p = notice(
                        Event::Degraded,
                        Some(input.target),
                        Tier::Warning,
                        &format!("Scan of {} incomplete", input.target),
                        &format!(
                            "{}: {} scope(s) could not be read; resources there are not reported missing until they can be",
                            input.target,
                            lines.len()
                        ),
                        lines.to_vec(),
                    );
                    out.push(
                        &hit,
                        Msg {
                            channel,
                            fingerprint: &fp,
                            event: Event::Degraded,
                            tier: Tier::Warning,
                            wait_secs: 0,
                        },
                        p,
                    );
                }
                (None, true) => {
                    let p = notice(
                        Event::Resolve,
                        Some(input.target),
                        Tier::Warning,
                        &format!("Scan of {} complete again", input.target),
                        &format!("{}: every scope was read in the last scan", input.target),
                        Vec::new(),
                    );
                    out.push(
                        &hit,
                        Msg {
                            channel,
                            fingerprint: &fp,
                            event: Event::Resolve,
                            tier: Tier::Warning,
                            wait_secs: 0,
                        },
                        p,
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::config::{DigestConfig, QuietHours};
    use driftd_core::Finding;
    use serde_json::json;

    fn rec(id: &str, tier: Tier, times_seen: i64) -> FindingRecord {
        FindingRecord {
            finding: Finding {
                engine: Default::default(),
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
                policy: None,
            },
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            times_seen,
            resolved_at: None,
            reopened: 0,
        }
    }

    fn r(tiers: Vec<Tier>, channels: &[&str], cont: bool) -> RouteConfig {
        RouteConfig {
            tiers,
            targets: vec!["prod-*".into()],
            channels: channels.iter().map(|s| s.to_string()).collect(),
            continue_matching: cont,
            ..Default::default()
        }
    }

    fn routes() -> Vec<RouteConfig> {
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

    /// What one planning round does, with everything not given left empty.
    struct Case<'a> {
        routes: Vec<RouteConfig>,
        open: Vec<FindingRecord>,
        resolved: Vec<FindingRecord>,
        changes: LifecycleChanges,
        sent: HashMap<(String, String), (DateTime<Utc>, DateTime<Utc>)>,
        acked: HashSet<String>,
        silences: Vec<Silence>,
        labels: BTreeMap<String, String>,
        scan: Option<ScanFacts<'a>>,
        now: DateTime<Utc>,
    }

    impl<'a> Case<'a> {
        fn new(now: DateTime<Utc>) -> Case<'a> {
            Case {
                routes: routes(),
                open: vec![],
                resolved: vec![],
                changes: LifecycleChanges::default(),
                sent: HashMap::new(),
                acked: HashSet::new(),
                silences: vec![],
                labels: BTreeMap::new(),
                scan: None,
                now,
            }
        }
        fn sent(mut self, fp: &str, ch: &str, first: i64, last: i64) -> Self {
            self.sent
                .insert((fp.to_string(), ch.to_string()), (at(first), at(last)));
            self
        }
        fn write(self) -> PlanWrite {
            let defaults = NotifyConfig::default();
            plan(&PlanInput {
                target: "prod-net",
                labels: &self.labels,
                routes: &self.routes,
                defaults: &defaults,
                open: &self.open,
                resolved: &self.resolved,
                changes: &self.changes,
                acked: &self.acked,
                silences: &self.silences,
                sent: &self.sent,
                scan: self.scan,
                now: self.now,
            })
        }
        fn run(self) -> Vec<(String, String, String)> {
            self.write()
                .notifications
                .into_iter()
                .map(|p| (p.channel, p.fingerprint, p.event))
                .collect()
        }
    }

    fn s(c: &str, f: &str, e: &str) -> (String, String, String) {
        (c.to_string(), format!("fp-{f}"), e.to_string())
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

    /// A team's policy goes to the team's channel; other violations and drift go on to the
    /// next routes; a notice about no finding skips routes that need one.
    #[test]
    fn routes_match_finding_kinds_and_policies() {
        let mut by_policy = r(vec![], &["team"], false);
        by_policy.policies = vec!["team-*".into()];
        let mut by_kind = r(vec![], &["security"], false);
        by_kind.kinds = vec![FindingKind::Violation];
        let routes = vec![by_policy, by_kind, r(vec![], &["everyone"], false)];
        let d = NotifyConfig::default();
        let mut f = rec("i-1", Tier::Warning, 1).finding;
        f.kind = FindingKind::Violation;
        let hit = |id: &str| driftd_core::PolicyHit {
            id: id.into(),
            title: id.into(),
            remediation: None,
            owner: None,
            file: None,
            messages: vec![],
        };
        let channel = |f: Option<&driftd_core::Finding>| {
            routes_for(&routes, &d, "prod-x", &BTreeMap::new(), Tier::Warning, f)[0]
                .route
                .channels[0]
                .clone()
        };
        f.policy = Some(hit("team-sizes"));
        assert_eq!(channel(Some(&f)), "team");
        f.policy = Some(hit("aws-s3-public"));
        assert_eq!(channel(Some(&f)), "security");
        f.kind = FindingKind::Changed;
        f.policy = None;
        assert_eq!(channel(Some(&f)), "everyone");
        assert_eq!(channel(None), "everyone");
    }

    #[test]
    fn routes_match_target_labels() {
        let mut routes = vec![
            r(vec![], &["net-team"], false),
            r(vec![], &["everyone"], false),
        ];
        routes[0].targets.clear();
        routes[0].labels = [("team".to_string(), "net*".to_string())].into();
        let d = NotifyConfig::default();
        let hit = |labels: &BTreeMap<String, String>| {
            routes_for(&routes, &d, "prod-x", labels, Tier::Info, None)[0]
                .route
                .channels[0]
                .clone()
        };
        assert_eq!(hit(&[("team".into(), "network".into())].into()), "net-team");
        assert_eq!(hit(&[("team".into(), "data".into())].into()), "everyone");
        assert_eq!(hit(&BTreeMap::new()), "everyone");
    }

    #[test]
    fn critical_at_once_warning_after_confirmation() {
        let mut c = Case::new(at(0));
        c.open = vec![rec("a", Tier::Critical, 1), rec("b", Tier::Warning, 1)];
        let w = c.write();
        let got: Vec<_> = w
            .notifications
            .iter()
            .map(|p| (p.channel.clone(), p.fingerprint.clone(), p.event.clone()))
            .collect();
        assert_eq!(
            got,
            vec![s("pager", "a", "trigger"), s("slack", "a", "trigger")]
        );
        // Critical is not held; warning would wait its group time (30 s by default).
        assert!(w.notifications.iter().all(|n| n.not_before.is_none()));
        let mut c = Case::new(at(1));
        c.open = vec![rec("b", Tier::Warning, 2)];
        let w = c.write();
        assert_eq!(w.notifications[0].event, "trigger");
        assert_eq!(
            w.notifications[0].not_before.as_deref(),
            Some("2026-01-01T01:00:30Z")
        );
    }

    #[test]
    fn repeats_until_acknowledged_and_resolves_go_where_triggers_went() {
        let open = vec![rec("a", Tier::Critical, 5)];
        let base = |h| {
            let mut c = Case::new(at(h)).sent("fp-a", "pager", 0, 0);
            c.open = open.clone();
            c
        };
        // Critical repeats every 4 h by default.
        assert!(base(3).run().iter().all(|p| p.0 != "pager"));
        assert!(base(4).run().contains(&s("pager", "a", "repeat")));
        let mut acked = base(9);
        acked.acked.insert("fp-a".into());
        assert!(acked.run().iter().all(|p| p.2 != "repeat"));
        // Resolved: only the pager heard of it, so only the pager hears it is gone.
        let mut c = Case::new(at(10)).sent("fp-a", "pager", 0, 0);
        c.resolved = open.clone();
        assert_eq!(c.run(), vec![s("pager", "a", "resolve")]);
    }

    #[test]
    fn a_moved_value_notifies_again() {
        let mut c = Case::new(at(1)).sent("fp-b", "slack", 0, 0);
        c.open = vec![rec("b", Tier::Warning, 3)];
        c.changes.changed = vec!["fp-b".into()];
        assert_eq!(c.run(), vec![s("slack", "b", "trigger")]);
    }

    fn escalating() -> Vec<RouteConfig> {
        let mut route = r(vec![Tier::Warning], &["slack"], false);
        route.escalate_after_secs = Some(3600);
        route.escalate_to = vec!["lead-email".into()];
        route.repeat_interval_secs = Some(0);
        vec![route]
    }

    #[test]
    fn unacknowledged_drift_escalates_once_and_its_resolve_reaches_both() {
        let case = |h: i64| {
            let mut c = Case::new(at(h)).sent("fp-b", "slack", 0, 0);
            c.routes = escalating();
            c.open = vec![rec("b", Tier::Warning, 4)];
            c
        };
        assert!(case(0).run().is_empty());
        assert_eq!(case(1).run(), vec![s("lead-email", "b", "escalate")]);
        let mut acked = case(2);
        acked.acked.insert("fp-b".into());
        assert!(acked.run().is_empty());
        // Already escalated: not again.
        assert!(case(3).sent("fp-b", "lead-email", 1, 1).run().is_empty());
        let mut done =
            Case::new(at(4))
                .sent("fp-b", "slack", 0, 0)
                .sent("fp-b", "lead-email", 1, 1);
        done.routes = escalating();
        done.resolved = vec![rec("b", Tier::Warning, 4)];
        assert_eq!(
            done.run(),
            vec![s("slack", "b", "resolve"), s("lead-email", "b", "resolve")]
        );
    }

    #[test]
    fn silenced_drift_does_not_notify_until_the_silence_is_gone() {
        let mut c = Case::new(at(0));
        c.open = vec![rec("a", Tier::Critical, 1), rec("c", Tier::Critical, 1)];
        c.silences = vec![Silence::from_row(&json!({"resource": "a"}))];
        let got = c.run();
        assert!(got.iter().all(|p| p.1 == "fp-c"), "{got:?}");
        let mut c = Case::new(at(1));
        c.open = vec![rec("a", Tier::Critical, 2)];
        assert_eq!(c.run().len(), 2);
    }

    fn quiet(action: QuietAction) -> Vec<RouteConfig> {
        let mut route = r(vec![], &["slack"], false);
        route.quiet_hours = Some(QuietHours {
            from: "22:00".into(),
            to: "07:00".into(),
            timezone: "Europe/Berlin".into(),
            action,
        });
        if action == QuietAction::Digest {
            route.digest = Some(DigestConfig {
                at: "09:00".into(),
                timezone: "Europe/Berlin".into(),
            });
        }
        vec![route]
    }

    #[test]
    fn quiet_hours_hold_non_critical_until_morning_but_never_critical() {
        // 2026-01-01 23:00 UTC is midnight in Berlin (CET).
        let mut c = Case::new(at(23));
        c.routes = quiet(QuietAction::Hold);
        c.open = vec![rec("a", Tier::Critical, 1), rec("b", Tier::Warning, 2)];
        let w = c.write();
        let held: Vec<_> = w
            .notifications
            .iter()
            .map(|n| (n.fingerprint.as_str(), n.not_before.as_deref()))
            .collect();
        assert_eq!(
            held,
            vec![("fp-a", None), ("fp-b", Some("2026-01-02T06:00:00Z"))]
        );
        // Outside the quiet hours, only the group wait.
        let mut c = Case::new(at(12));
        c.routes = quiet(QuietAction::Hold);
        c.open = vec![rec("b", Tier::Warning, 2)];
        assert_eq!(
            c.write().notifications[0].not_before.as_deref(),
            Some("2026-01-01T12:00:30Z")
        );
    }

    #[test]
    fn digest_routes_and_quiet_digest_collect_instead_of_sending() {
        let mut c = Case::new(at(23));
        c.routes = quiet(QuietAction::Digest);
        c.open = vec![rec("a", Tier::Critical, 1), rec("i", Tier::Info, 1)];
        let w = c.write();
        assert_eq!(w.notifications.len(), 1);
        assert_eq!(w.notifications[0].fingerprint, "fp-a");
        assert_eq!(w.digest_items.len(), 1);
        assert_eq!(w.digest_items[0].fingerprint, "fp-i");
        assert_eq!(w.digest_items[0].digest, "route-0");
        // A drift that only went to the digest resolves silently: the digest shows it.
        let mut c = Case::new(at(30)).sent("fp-i", "slack", 23, 23);
        c.routes = quiet(QuietAction::Digest);
        c.resolved = vec![rec("i", Tier::Info, 3)];
        let w = c.write();
        assert!(w.notifications.is_empty());
        assert_eq!(w.forget, vec![("fp-i".to_string(), "slack".to_string())]);
    }

    #[test]
    fn an_incomplete_scan_warns_once_and_clears_once() {
        let lines = vec!["aws eu-west-1: AccessDenied".to_string()];
        let mut c = Case::new(at(0));
        c.scan = Some(ScanFacts {
            incomplete: Some(&lines),
        });
        let w = c.write();
        assert_eq!(w.notifications.len(), 1);
        assert_eq!(w.notifications[0].channel, "slack");
        assert_eq!(w.notifications[0].event, "degraded");
        assert_eq!(w.notifications[0].payload["lines"][0], lines[0]);
        let mut again = Case::new(at(1)).sent("degraded:prod-net", "slack", 0, 0);
        again.scan = Some(ScanFacts {
            incomplete: Some(&lines),
        });
        assert!(again.run().is_empty());
        let mut fixed = Case::new(at(2)).sent("degraded:prod-net", "slack", 0, 0);
        fixed.scan = Some(ScanFacts { incomplete: None });
        let got = fixed.run();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, "resolve");
        // The periodic check (no scan) says nothing about completeness.
        assert!(Case::new(at(3)).run().is_empty());
    }
}
