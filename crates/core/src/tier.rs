//! Built-in tier rules (docs/report-schema.md, "Built-in tiers"): what pages, what warns, what is only noted.
//!
//! - `missing`: critical; `unmanaged`: warning; `pending`: info (never pages).
//! - `changed`: the highest tier of its changes: a rule opening ingress to the whole internet
//!   (`0.0.0.0/0`, `::/0`) is critical, and so are a bucket's public access block turned off
//!   and a change to who may assume a role or to what a policy (or an attachment) grants; a
//!   tag-only change is info, anything else is a warning. For Google: a firewall's
//!   `source_ranges` newly including the whole internet and a bucket's public access prevention
//!   lifted are critical; a label-only change is info.

use crate::model::{Change, ChangeOp, FindingKind, Tier};
use serde_json::Value;

const OPEN_TO_WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// The settings of `aws_s3_bucket_public_access_block`: any of them no longer `true` can make a
/// bucket public.
const PUBLIC_ACCESS_BLOCK: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// What grants permissions: a role's trust policy, a policy document, the policy an attachment
/// attaches.
const GRANTS: [&str; 3] = ["assume_role_policy", "policy", "policy_arn"];

/// The default tier of a finding.
pub fn default_tier(kind: FindingKind, changes: &[Change]) -> Tier {
    match kind {
        FindingKind::Missing => Tier::Critical,
        FindingKind::Unmanaged => Tier::Warning,
        FindingKind::Pending => Tier::Info,
        FindingKind::Changed => changes.iter().map(change_tier).max().unwrap_or(Tier::Info),
    }
}

fn change_tier(c: &Change) -> Tier {
    if let Some(tier) = kubernetes_tier(c) {
        return tier;
    }
    // AWS tags, Google labels.
    if c.path == "tags" || c.path.starts_with("tags.") || c.path.starts_with("labels.") {
        return Tier::Info;
    }
    if c.path == "ingress" && c.op != ChangeOp::Remove && opens_to_world(&c.actual) {
        return Tier::Critical;
    }
    if PUBLIC_ACCESS_BLOCK.contains(&c.path.as_str()) && c.actual != Value::Bool(true) {
        return Tier::Critical;
    }
    if GRANTS.contains(&c.path.as_str()) {
        return Tier::Critical;
    }
    // A Google firewall rule whose sources now include the whole internet (its ports are not
    // part of the change, so any port counts, as for an AWS ingress rule).
    if c.path == "source_ranges" && any_world(&c.actual) && !any_world(&c.expected) {
        return Tier::Critical;
    }
    // A Google bucket whose public access prevention was lifted: it can now be made public.
    if c.path == "public_access_prevention"
        && c.expected.as_str() == Some("enforced")
        && c.actual.as_str() != Some("enforced")
    {
        return Tier::Critical;
    }
    Tier::Warning
}

fn any_world(v: &Value) -> bool {
    v.as_array().is_some_and(|a| {
        a.iter()
            .any(|c| OPEN_TO_WORLD.contains(&c.as_str().unwrap_or("")))
    })
}

fn opens_to_world(rule: &Value) -> bool {
    ["cidr_blocks", "ipv6_cidr_blocks"].iter().any(|k| {
        rule.get(k).and_then(Value::as_array).is_some_and(|a| {
            a.iter()
                .any(|c| OPEN_TO_WORLD.contains(&c.as_str().unwrap_or("")))
        })
    })
}

/// Kubernetes change paths (`spec.replicas`, `spec.template.spec.containers[web].image`; a list
/// item only the cluster has is `<list>.<key>` with its JSON text as the value). Critical: who a
/// role binding grants (`subjects`, `roleRef`), a container made privileged, a host namespace
/// (`hostNetwork`, `hostPID`, `hostIPC`) or a `hostPath` volume added. Info: the object's own
/// labels and annotations. Terraform attribute paths never take these shapes.
fn kubernetes_tier(c: &Change) -> Option<Tier> {
    let p = c.path.as_str();
    let under = |field: &str| {
        p == field || p.starts_with(&format!("{field}.")) || p.starts_with(&format!("{field}["))
    };
    if under("subjects") || under("roleRef") {
        return Some(Tier::Critical);
    }
    if c.op != ChangeOp::Remove {
        let turned_on = c.actual == Value::Bool(true);
        let host_namespace = [
            ".hostNetwork",
            ".hostPID",
            ".hostIPC",
            ".securityContext.privileged",
        ]
        .iter()
        .any(|f| p.ends_with(f));
        let host_path = p.ends_with(".hostPath") || p.contains(".hostPath.");
        if (host_namespace && turned_on) || (host_path && !c.actual.is_null()) {
            return Some(Tier::Critical);
        }
        // An added list item, as JSON text.
        let text = c.actual.as_str().unwrap_or("");
        let added_container = [".containers.", ".initContainers.", ".ephemeralContainers."]
            .iter()
            .any(|l| p.contains(l));
        if (added_container && text.contains("\"privileged\":true"))
            || (p.contains(".volumes.") && text.contains("\"hostPath\""))
        {
            return Some(Tier::Critical);
        }
    }
    if p.starts_with("metadata.labels") || p.starts_with("metadata.annotations") {
        return Some(Tier::Info);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(path: &str, op: ChangeOp, actual: Value) -> Change {
        Change {
            path: path.into(),
            op,
            expected: Value::Null,
            actual,
            expected_from: None,
            code: None,
        }
    }

    #[test]
    fn kinds_have_their_default_tiers() {
        assert_eq!(default_tier(FindingKind::Missing, &[]), Tier::Critical);
        assert_eq!(default_tier(FindingKind::Unmanaged, &[]), Tier::Warning);
        assert_eq!(default_tier(FindingKind::Pending, &[]), Tier::Info);
    }

    #[test]
    fn tag_only_change_is_info() {
        let c = [change("tags.Env", ChangeOp::Replace, json!("dev"))];
        assert_eq!(default_tier(FindingKind::Changed, &c), Tier::Info);
    }

    #[test]
    fn instance_type_change_is_warning() {
        let c = [
            change("tags.Env", ChangeOp::Replace, json!("dev")),
            change("instance_type", ChangeOp::Replace, json!("t3.large")),
        ];
        assert_eq!(default_tier(FindingKind::Changed, &c), Tier::Warning);
    }

    #[test]
    fn public_buckets_and_grant_changes_are_critical() {
        let off = [change(
            "block_public_policy",
            ChangeOp::Replace,
            json!(false),
        )];
        assert_eq!(default_tier(FindingKind::Changed, &off), Tier::Critical);
        let on = [change(
            "block_public_policy",
            ChangeOp::Replace,
            json!(true),
        )];
        assert_eq!(default_tier(FindingKind::Changed, &on), Tier::Warning);
        for path in ["assume_role_policy", "policy", "policy_arn"] {
            let c = [change(path, ChangeOp::Replace, json!({}))];
            assert_eq!(default_tier(FindingKind::Changed, &c), Tier::Critical);
        }
    }

    #[test]
    fn google_firewall_opened_to_world_and_bucket_made_public_are_critical() {
        let replace = |path: &str, expected: Value, actual: Value| {
            let mut c = change(path, ChangeOp::Replace, actual);
            c.expected = expected;
            [c]
        };
        let opened = replace(
            "source_ranges",
            json!(["10.0.0.0/8"]),
            json!(["0.0.0.0/0", "10.0.0.0/8"]),
        );
        assert_eq!(default_tier(FindingKind::Changed, &opened), Tier::Critical);
        // Open to the world before already: a change, not a new exposure.
        let widened = replace(
            "source_ranges",
            json!(["0.0.0.0/0"]),
            json!(["0.0.0.0/0", "10.0.0.0/8"]),
        );
        assert_eq!(default_tier(FindingKind::Changed, &widened), Tier::Warning);
        let public = replace(
            "public_access_prevention",
            json!("enforced"),
            json!("inherited"),
        );
        assert_eq!(default_tier(FindingKind::Changed, &public), Tier::Critical);
        let labels = [change("labels.env", ChangeOp::Replace, json!("dev"))];
        assert_eq!(default_tier(FindingKind::Changed, &labels), Tier::Info);
    }

    #[test]
    fn ingress_open_to_world_is_critical() {
        for cidr in [
            json!({"cidr_blocks": ["0.0.0.0/0"]}),
            json!({"ipv6_cidr_blocks": ["::/0"]}),
        ] {
            let c = [change("ingress", ChangeOp::Add, cidr)];
            assert_eq!(default_tier(FindingKind::Changed, &c), Tier::Critical);
        }
        let narrow = [change(
            "ingress",
            ChangeOp::Add,
            json!({"cidr_blocks": ["10.0.0.0/8"]}),
        )];
        assert_eq!(default_tier(FindingKind::Changed, &narrow), Tier::Warning);
        // Closing a world-open rule is a change, not an emergency.
        let closed = [Change {
            path: "ingress".into(),
            op: ChangeOp::Remove,
            expected: json!({"cidr_blocks": ["0.0.0.0/0"]}),
            actual: Value::Null,
            expected_from: None,
            code: None,
        }];
        assert_eq!(default_tier(FindingKind::Changed, &closed), Tier::Warning);
    }

    #[test]
    fn kubernetes_security_and_rbac_changes_are_critical_labels_info() {
        let critical = [
            change(
                "subjects.mallory",
                ChangeOp::Add,
                json!("{\"kind\":\"User\"}"),
            ),
            change("roleRef.name", ChangeOp::Replace, json!("admin")),
            change(
                "spec.template.spec.containers[web].securityContext.privileged",
                ChangeOp::Replace,
                json!(true),
            ),
            change(
                "spec.template.spec.hostNetwork",
                ChangeOp::Replace,
                json!(true),
            ),
            change(
                "spec.template.spec.volumes[data].hostPath",
                ChangeOp::Replace,
                json!({"path": "/"}),
            ),
            change(
                "spec.template.spec.containers.debug",
                ChangeOp::Add,
                json!("{\"name\":\"debug\",\"securityContext\":{\"privileged\":true}}"),
            ),
            change(
                "spec.template.spec.volumes.host",
                ChangeOp::Add,
                json!("{\"hostPath\":{\"path\":\"/\"},\"name\":\"host\"}"),
            ),
        ];
        for c in critical {
            assert_eq!(
                default_tier(FindingKind::Changed, std::slice::from_ref(&c)),
                Tier::Critical,
                "{}",
                c.path
            );
        }
        let warning = [
            change("spec.replicas", ChangeOp::Replace, json!(5)),
            change(
                "spec.template.spec.containers[web].image",
                ChangeOp::Replace,
                json!("nginx:2"),
            ),
            change(
                "spec.template.spec.containers[web].securityContext.privileged",
                ChangeOp::Replace,
                json!(false),
            ),
            change(
                "spec.template.spec.containers.sidecar",
                ChangeOp::Add,
                json!("{\"name\":\"sidecar\"}"),
            ),
        ];
        for c in warning {
            assert_eq!(
                default_tier(FindingKind::Changed, std::slice::from_ref(&c)),
                Tier::Warning,
                "{}",
                c.path
            );
        }
        let labels = [change(
            "metadata.labels.team",
            ChangeOp::Replace,
            json!("x"),
        )];
        assert_eq!(default_tier(FindingKind::Changed, &labels), Tier::Info);
    }
}
