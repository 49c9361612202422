//! Daily digests: a route with `digest = { at = "09:00", timezone = "..." }` collects its
//! non-critical drifts (and, with quiet hours `action = "digest"`, those of the night) and sends
//! one message a day per channel: what is new, what resolved in between (a drift that came and
//! went between two digests is included), and what is still open from earlier digests.

use super::message::{Event, Notification};
use super::notifier::{Notifier, NotifyRuntime};
use super::plan::notice;
use super::when::next_at;
use crate::time::rfc3339;
use anyhow::Result;
use chrono::{DateTime, Utc};
use driftd_core::Tier;
use driftd_store::{DigestItem, FindingRecord, NewNotification};
use std::collections::HashMap;

/// The content of one digest.
#[derive(Debug, Default, PartialEq)]
pub struct Sections {
    /// New since the last digest and still open.
    pub new: Vec<String>,
    /// Resolved since the last digest (including drifts that came and went in between).
    pub resolved: Vec<String>,
    /// From earlier digests, still open.
    pub still_open: Vec<String>,
}

fn line(item: &DigestItem, f: &FindingRecord) -> String {
    super::plan::summary(&item.target, f)
}

/// Sorts the waiting and the carried items into the digest's sections.
pub fn sections(
    pending: &[DigestItem],
    carried: &[DigestItem],
    findings: &HashMap<String, FindingRecord>,
) -> Sections {
    let mut out = Sections::default();
    for item in pending {
        let Some(f) = findings.get(&item.fingerprint) else {
            continue;
        };
        match &f.resolved_at {
            None => out.new.push(line(item, f)),
            Some(at) => out
                .resolved
                .push(format!("{} (resolved {at})", line(item, f))),
        }
    }
    for item in carried {
        let Some(f) = findings.get(&item.fingerprint) else {
            continue;
        };
        match &f.resolved_at {
            None => out.still_open.push(line(item, f)),
            Some(at) => out
                .resolved
                .push(format!("{} (resolved {at})", line(item, f))),
        }
    }
    out
}

/// The notice payload of a digest; `None` when there is nothing to say.
pub fn payload(route: &str, period_start: &str, s: &Sections) -> Option<Notification> {
    if s.new.is_empty() && s.resolved.is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for (title, items) in [
        ("New", &s.new),
        ("Resolved", &s.resolved),
        ("Still open", &s.still_open),
    ] {
        if !items.is_empty() {
            lines.push(format!("{title} ({}):", items.len()));
            lines.extend(items.iter().map(|l| format!("  {l}")));
        }
    }
    Some(notice(
        Event::Digest,
        None,
        Tier::Info,
        &format!("Daily drift digest ({route})"),
        &format!(
            "Since {period_start}: {} new, {} resolved, {} still open",
            s.new.len(),
            s.resolved.len(),
            s.still_open.len()
        ),
        lines,
    ))
}

/// Sends every digest whose time has come. Returns how many messages were queued.
pub async fn run_due(ctx: &Notifier, rt: &NotifyRuntime) -> Result<usize> {
    let now = ctx.clock.now();
    let mut queued = 0;
    for (index, route) in rt.routes.iter().enumerate() {
        let Some(Ok((at, tz))) = route.digest.as_ref().map(|d| d.when()) else {
            continue;
        };
        let key = route.key(index);
        for channel in &route.channels {
            let (k, ch) = (key.clone(), channel.clone());
            let Some(last) = ctx.store.run(move |s| s.digest_last(&k, &ch)).await? else {
                continue;
            };
            let Ok(last_t) = DateTime::parse_from_rfc3339(&last).map(|d| d.with_timezone(&Utc))
            else {
                continue;
            };
            if now < next_at(last_t, at, tz) {
                continue;
            }
            let give_up =
                rfc3339(now + chrono::Duration::seconds(rt.defaults.give_up_after_secs as i64));
            let (k, ch, now_s) = (key.clone(), channel.clone(), rfc3339(now));
            let sent = ctx
                .store
                .run(move |s| {
                    let pending = s.digest_pending(&k, &ch)?;
                    let carried = s.digest_carried(&k, &ch, &last)?;
                    let fps: Vec<String> = pending
                        .iter()
                        .chain(&carried)
                        .map(|i| i.fingerprint.clone())
                        .collect();
                    let findings = s
                        .findings_by_fingerprint(&fps)?
                        .into_iter()
                        .map(|f| (f.finding.fingerprint.clone(), f))
                        .collect();
                    let msg = payload(&k, &last, &sections(&pending, &carried, &findings)).map(
                        |payload| NewNotification {
                            channel: ch.clone(),
                            fingerprint: format!("digest:{k}:{now_s}"),
                            event: Event::Digest.as_str().into(),
                            payload: payload.to_json(),
                            ..Default::default()
                        },
                    );
                    s.commit_digest(&k, &ch, &now_s, msg.as_ref(), &give_up)
                })
                .await?;
            if sent.is_some() {
                tracing::info!(route = %key, channel = %channel, "digest queued");
                queued += 1;
            }
        }
    }
    if queued > 0 {
        ctx.wake();
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{Finding, FindingKind};

    fn item(fp: &str) -> DigestItem {
        DigestItem {
            id: 1,
            fingerprint: fp.into(),
            target: "prod".into(),
            added_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn finding(fp: &str, resolved: Option<&str>) -> FindingRecord {
        FindingRecord {
            finding: Finding {
                engine: Default::default(),
                fingerprint: fp.into(),
                kind: FindingKind::Changed,
                tier: Tier::Info,
                provider: "aws".into(),
                resource_type: "aws_vpc".into(),
                resource_id: format!("vpc-{fp}"),
                address: None,
                region: None,
                source: None,
                changes: vec![],
                policy: None,
            },
            first_seen: String::new(),
            last_seen: String::new(),
            times_seen: 1,
            resolved_at: resolved.map(String::from),
            reopened: 0,
        }
    }

    #[test]
    fn sections_keep_drifts_that_came_and_went() {
        let findings: HashMap<_, _> = [
            ("a", None),
            ("b", Some("2026-01-01T05:00:00Z")),
            ("c", None),
            ("d", Some("2026-01-01T06:00:00Z")),
        ]
        .into_iter()
        .map(|(fp, r)| (fp.to_string(), finding(fp, r)))
        .collect();
        let s = sections(&[item("a"), item("b")], &[item("c"), item("d")], &findings);
        assert_eq!(s.new.len(), 1);
        assert!(s.new[0].contains("vpc-a"));
        assert_eq!(s.resolved.len(), 2);
        assert!(
            s.resolved[0].contains("vpc-b") && s.resolved[0].contains("resolved 2026-01-01T05")
        );
        assert_eq!(s.still_open.len(), 1);
        let p = payload("info-digest", "2026-01-01T00:00:00Z", &s)
            .unwrap()
            .to_json();
        assert_eq!(p["event"], "digest");
        assert!(p["summary"]
            .as_str()
            .unwrap()
            .contains("1 new, 2 resolved, 1 still open"));
        assert!(p.get("finding").is_none());
        // Only old drifts still open: nothing new to say, no message.
        let quiet = sections(&[], &[item("c")], &findings);
        assert!(payload("x", "t", &quiet).is_none());
    }
}
