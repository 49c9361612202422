//! Built-in tier rules (DESIGN.md): what pages, what warns, what is only noted.
//!
//! - `missing`: critical; `unmanaged`: warning; `pending`: info (never pages).
//! - `changed`: the highest tier of its changes: a rule opening ingress to the whole internet
//!   (`0.0.0.0/0`, `::/0`) is critical, a tag-only change is info, anything else is a warning.

use crate::model::{Change, ChangeOp, FindingKind, Tier};
use serde_json::Value;

const OPEN_TO_WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

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
    if c.path == "tags" || c.path.starts_with("tags.") {
        return Tier::Info;
    }
    if c.path == "ingress" && c.op != ChangeOp::Remove && opens_to_world(&c.actual) {
        return Tier::Critical;
    }
    Tier::Warning
}

fn opens_to_world(rule: &Value) -> bool {
    ["cidr_blocks", "ipv6_cidr_blocks"].iter().any(|k| {
        rule.get(k).and_then(Value::as_array).is_some_and(|a| {
            a.iter()
                .any(|c| OPEN_TO_WORLD.contains(&c.as_str().unwrap_or("")))
        })
    })
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
        }];
        assert_eq!(default_tier(FindingKind::Changed, &closed), Tier::Warning);
    }
}
