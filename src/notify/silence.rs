//! Silences: `driftd silence add --match type=aws_instance --match target=prod-* --until ...`.
//! A silenced drift is still recorded and reported; it only does not notify (no trigger,
//! repeat or escalation) until the silence ends, and then notifies as if it were new.

use driftd_store::FindingRecord;
use std::collections::BTreeMap;

/// The keys a matcher may use.
pub const KEYS: &[&str] = &[
    "target",
    "tier",
    "kind",
    "policy",
    "type",
    "resource",
    "provider",
    "region",
    "fingerprint",
    "label.NAME",
];

#[derive(Debug, Clone)]
pub struct Silence {
    /// Unreadable matchers: the silence matches nothing.
    broken: bool,
    matchers: Vec<(String, glob::Pattern)>,
}

/// Checks one `key=glob` matcher.
pub fn parse_matcher(s: &str) -> Result<(String, String), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("matcher `{s}`: write it as key=value (like type=aws_instance)"))?;
    let (k, v) = (k.trim(), v.trim());
    let known = KEYS.contains(&k) || k.strip_prefix("label.").is_some_and(|n| !n.is_empty());
    if !known {
        return Err(format!(
            "matcher `{s}`: unknown key `{k}`; use one of {}",
            KEYS.join(", ")
        ));
    }
    if v.is_empty() {
        return Err(format!("matcher `{s}`: the value must not be empty"));
    }
    glob::Pattern::new(v).map_err(|e| format!("matcher `{s}`: `{v}` is not a valid glob: {e}"))?;
    Ok((k.to_string(), v.to_string()))
}

impl Silence {
    /// From the stored matchers object; unreadable entries make the silence match nothing
    /// rather than everything.
    pub fn from_row(matchers: &serde_json::Value) -> Silence {
        let mut out = Vec::new();
        let mut broken = matchers.as_object().is_none_or(|m| m.is_empty());
        if let Some(map) = matchers.as_object() {
            for (k, v) in map {
                match v.as_str().map(glob::Pattern::new) {
                    Some(Ok(p)) => out.push((k.clone(), p)),
                    _ => broken = true,
                }
            }
        }
        Silence {
            broken,
            matchers: out,
        }
    }

    pub fn matches(
        &self,
        target: &str,
        labels: &BTreeMap<String, String>,
        f: &FindingRecord,
    ) -> bool {
        let g = &f.finding;
        !self.broken
            && self.matchers.iter().all(|(k, p)| match k.as_str() {
                "target" => p.matches(target),
                "tier" => p.matches(g.tier.as_str()),
                "kind" => p.matches(g.kind.as_str()),
                // The policy a violation breaks; no other finding has one.
                "policy" => g.policy.as_ref().is_some_and(|h| p.matches(&h.id)),
                "type" => p.matches(&g.resource_type),
                "resource" => {
                    p.matches(&g.resource_id) || g.address.as_deref().is_some_and(|a| p.matches(a))
                }
                "provider" => p.matches(&g.provider),
                "region" => g.region.as_deref().is_some_and(|r| p.matches(r)),
                "fingerprint" => p.matches(&g.fingerprint) || g.fingerprint.starts_with(p.as_str()),
                other => match other.strip_prefix("label.") {
                    Some(name) => labels.get(name).is_some_and(|v| p.matches(v)),
                    None => false,
                },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{Finding, FindingKind, Tier};
    use serde_json::json;

    fn rec() -> FindingRecord {
        FindingRecord {
            finding: Finding {
                engine: Default::default(),
                fingerprint: "abcdef0123".into(),
                kind: FindingKind::Changed,
                tier: Tier::Warning,
                provider: "aws".into(),
                resource_type: "aws_instance".into(),
                resource_id: "i-123".into(),
                address: Some("aws_instance.web".into()),
                region: Some("eu-west-1".into()),
                source: None,
                changes: vec![],
                policy: None,
            },
            first_seen: String::new(),
            last_seen: String::new(),
            times_seen: 1,
            resolved_at: None,
            reopened: 0,
        }
    }

    #[test]
    fn every_key_must_match() {
        let labels: BTreeMap<String, String> = [("team".to_string(), "net".to_string())].into();
        let s = |m: serde_json::Value| Silence::from_row(&m).matches("prod-eu", &labels, &rec());
        assert!(s(json!({"type": "aws_instance", "target": "prod-*"})));
        assert!(s(json!({"resource": "aws_instance.w*"})));
        assert!(s(json!({"fingerprint": "abcdef"})));
        assert!(s(json!({"label.team": "net", "tier": "warning"})));
        assert!(!s(json!({"type": "aws_instance", "target": "staging"})));
        assert!(!s(json!({"label.owner": "*"})));
        assert!(!s(json!({"policy": "*"})), "drift breaks no policy");
        let mut v = rec();
        v.finding.kind = FindingKind::Violation;
        v.finding.policy = Some(driftd_core::PolicyHit {
            id: "k8s-image-digest".into(),
            title: "Container image not pinned by digest".into(),
            remediation: None,
            owner: None,
            file: None,
            messages: vec![],
        });
        let sv = |m: serde_json::Value| Silence::from_row(&m).matches("prod-eu", &labels, &v);
        assert!(sv(json!({"policy": "k8s-image-*", "kind": "violation"})));
        assert!(!sv(json!({"policy": "k8s-privileged"})));
        assert!(!sv(json!({"kind": "changed"})));
        // A silence that cannot be read silences nothing.
        assert!(!s(json!({})));
        assert!(!s(json!({"type": 3})));
    }

    #[test]
    fn matcher_errors_say_what_to_write() {
        assert_eq!(
            parse_matcher("type = aws_instance").unwrap(),
            ("type".into(), "aws_instance".into())
        );
        assert!(parse_matcher("label.team=net").is_ok());
        assert!(parse_matcher("aws_instance")
            .unwrap_err()
            .contains("key=value"));
        assert!(parse_matcher("colour=red")
            .unwrap_err()
            .contains("unknown key"));
        assert!(parse_matcher("type=").unwrap_err().contains("empty"));
    }
}
