//! Per-type comparison specs: which attributes are compared and how each is normalized.
//!
//! Normalization removes what is not real drift: ordering of sets, duplicate set members,
//! AWS-generated tags, `tags` vs `tags_all`, empty vs absent, and the many equivalent ways of
//! writing one security-group rule. It is data, owned by each resource type's file.

use crate::model::{Change, ChangeOp};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// How an attribute is normalized and diffed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string, number or bool. `null` and `""` mean absent.
    Scalar,
    /// A list whose order carries no meaning (ids, CIDR blocks). Sorted and deduplicated;
    /// an empty list means absent.
    Set,
    /// A string map of tags or labels, diffed per key (`tags.Env`). Keys with a prefix in
    /// `TypeSpec::generated_tag_prefixes` are dropped; an empty map means absent.
    Tags,
    /// Security-group rules in Terraform's `ingress`/`egress` block shape. Each block is exploded
    /// into one rule per source (CIDR, IPv6 CIDR, prefix list, group, self), so that one block
    /// with two CIDRs equals two blocks with one each, whatever the order.
    RuleSet,
}

/// One compared attribute.
#[derive(Debug, Clone, Copy)]
pub struct AttrSpec {
    /// Terraform attribute name.
    pub name: &'static str,
    pub shape: Shape,
    /// A state attribute to read instead when present (`tags_all` for `tags`: it includes the
    /// provider's `default_tags`, which the cloud reports like any other tag).
    pub state_alias: Option<&'static str>,
}

impl AttrSpec {
    pub const fn new(name: &'static str, shape: Shape) -> Self {
        AttrSpec {
            name,
            shape,
            state_alias: None,
        }
    }

    pub const fn with_state_alias(mut self, alias: &'static str) -> Self {
        self.state_alias = Some(alias);
        self
    }
}

/// The comparison spec of one resource type.
#[derive(Debug, Clone, Copy)]
pub struct TypeSpec {
    pub provider: &'static str,
    pub resource_type: &'static str,
    pub attrs: &'static [AttrSpec],
    /// Tag keys with these prefixes are written by the cloud itself (`aws:`) and never compared.
    pub generated_tag_prefixes: &'static [&'static str],
}

impl TypeSpec {
    /// Normalizes one attribute value of this type for comparison. `None` means absent.
    pub fn normalize(&self, shape: Shape, value: &Value) -> Option<Value> {
        match shape {
            Shape::Scalar => normalize_scalar(value),
            Shape::Set => normalize_set(value),
            Shape::Tags => normalize_tags(value, self.generated_tag_prefixes),
            Shape::RuleSet => normalize_rules(value),
        }
    }
}

fn normalize_scalar(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        other => Some(other.clone()),
    }
}

fn normalize_set(v: &Value) -> Option<Value> {
    let items = match v {
        Value::Array(a) => a,
        Value::Null => return None,
        single => return normalize_scalar(single).map(|s| Value::Array(vec![s])),
    };
    let set: BTreeSet<String> = items
        .iter()
        .filter_map(normalize_scalar)
        .map(|s| match s {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .collect();
    if set.is_empty() {
        None
    } else {
        Some(Value::Array(set.into_iter().map(Value::String).collect()))
    }
}

fn normalize_tags(v: &Value, generated: &[&str]) -> Option<Value> {
    let Value::Object(m) = v else { return None };
    let out: Map<String, Value> = m
        .iter()
        .filter(|(k, _)| !generated.iter().any(|p| k.starts_with(p)))
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((k.clone(), Value::String(s)))
        })
        .collect();
    if out.is_empty() {
        None
    } else {
        Some(Value::Object(out))
    }
}

/// Canonical protocol name: AWS and Terraform accept both numbers and names.
fn canonical_protocol(p: &Value) -> String {
    let s = match p {
        Value::String(s) => s.trim().to_ascii_lowercase(),
        Value::Number(n) => n.to_string(),
        _ => "-1".to_string(),
    };
    match s.as_str() {
        "all" | "" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => s,
    }
}

fn port(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

fn normalize_rules(v: &Value) -> Option<Value> {
    let Value::Array(blocks) = v else { return None };
    let mut rules: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for block in blocks {
        let Value::Object(b) = block else { continue };
        let protocol = canonical_protocol(b.get("protocol").unwrap_or(&Value::Null));
        let (from, to) = if protocol == "-1" {
            (0, 0)
        } else {
            (port(b.get("from_port")), port(b.get("to_port")))
        };
        let description = b
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty());
        let mut sources: Vec<(&str, Value)> = Vec::new();
        for key in [
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "security_groups",
        ] {
            for s in strings(b.get(key)) {
                sources.push((key, Value::Array(vec![Value::String(s)])));
            }
        }
        if b.get("self").and_then(Value::as_bool) == Some(true) {
            sources.push(("self", Value::Bool(true)));
        }
        for (key, source) in sources {
            let mut rule = Map::new();
            rule.insert("protocol".into(), Value::String(protocol.clone()));
            rule.insert("from_port".into(), Value::from(from));
            rule.insert("to_port".into(), Value::from(to));
            rule.insert(key.into(), source);
            if let Some(d) = description {
                rule.insert("description".into(), Value::String(d.to_string()));
            }
            let rule = Value::Object(rule);
            // serde_json maps are sorted, so the string form is canonical.
            if rules.insert(rule.to_string()) {
                out.push(rule);
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    out.sort_by_cached_key(|r| r.to_string());
    Some(Value::Array(out))
}

/// Diffs two normalized values of one attribute into attribute-level changes.
pub fn diff_attr(
    name: &str,
    shape: Shape,
    expected: Option<&Value>,
    actual: Option<&Value>,
) -> Vec<Change> {
    if expected == actual {
        return Vec::new();
    }
    match shape {
        Shape::Scalar | Shape::Set => vec![Change {
            path: name.to_string(),
            op: op_for(expected, actual),
            expected: expected.cloned().unwrap_or(Value::Null),
            actual: actual.cloned().unwrap_or(Value::Null),
        }],
        Shape::Tags => {
            let empty = Map::new();
            let e = expected.and_then(Value::as_object).unwrap_or(&empty);
            let a = actual.and_then(Value::as_object).unwrap_or(&empty);
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            keys.into_iter()
                .filter(|k| e.get(*k) != a.get(*k))
                .map(|k| Change {
                    path: format!("{name}.{k}"),
                    op: op_for(e.get(k), a.get(k)),
                    expected: e.get(k).cloned().unwrap_or(Value::Null),
                    actual: a.get(k).cloned().unwrap_or(Value::Null),
                })
                .collect()
        }
        Shape::RuleSet => {
            let as_set = |v: Option<&Value>| -> Vec<Value> {
                v.and_then(Value::as_array).cloned().unwrap_or_default()
            };
            let e = as_set(expected);
            let a = as_set(actual);
            let mut changes = Vec::new();
            for r in &e {
                if !a.contains(r) {
                    changes.push(Change {
                        path: name.to_string(),
                        op: ChangeOp::Remove,
                        expected: r.clone(),
                        actual: Value::Null,
                    });
                }
            }
            for r in &a {
                if !e.contains(r) {
                    changes.push(Change {
                        path: name.to_string(),
                        op: ChangeOp::Add,
                        expected: Value::Null,
                        actual: r.clone(),
                    });
                }
            }
            changes
        }
    }
}

fn op_for(expected: Option<&Value>, actual: Option<&Value>) -> ChangeOp {
    match (expected, actual) {
        (None, Some(_)) => ChangeOp::Add,
        (Some(_), None) => ChangeOp::Remove,
        _ => ChangeOp::Replace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SPEC: TypeSpec = TypeSpec {
        provider: "aws",
        resource_type: "test",
        attrs: &[],
        generated_tag_prefixes: &["aws:"],
    };

    #[test]
    fn empty_and_absent_are_equal() {
        assert_eq!(SPEC.normalize(Shape::Scalar, &json!("")), None);
        assert_eq!(SPEC.normalize(Shape::Set, &json!([])), None);
        assert_eq!(SPEC.normalize(Shape::Tags, &json!({})), None);
        assert_eq!(SPEC.normalize(Shape::Tags, &json!(null)), None);
        assert_eq!(SPEC.normalize(Shape::RuleSet, &json!([])), None);
        assert_eq!(
            SPEC.normalize(Shape::Scalar, &json!(false)),
            Some(json!(false))
        );
    }

    #[test]
    fn sets_ignore_order_and_duplicates() {
        assert_eq!(
            SPEC.normalize(Shape::Set, &json!(["sg-b", "sg-a", "sg-b"])),
            SPEC.normalize(Shape::Set, &json!(["sg-a", "sg-b"]))
        );
    }

    #[test]
    fn generated_tags_are_dropped() {
        let live = json!({"Name": "web", "aws:cloudformation:stack-name": "x"});
        assert_eq!(
            SPEC.normalize(Shape::Tags, &live),
            Some(json!({"Name": "web"}))
        );
    }

    #[test]
    fn rules_equal_whatever_their_grouping() {
        let terraform = json!([{
            "from_port": 443, "to_port": 443, "protocol": "tcp",
            "cidr_blocks": ["10.0.0.0/8", "192.168.0.0/16"], "ipv6_cidr_blocks": [],
            "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""
        }]);
        let aws = json!([
            {"from_port": 443, "to_port": 443, "protocol": "6", "cidr_blocks": ["192.168.0.0/16"]},
            {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}
        ]);
        assert_eq!(
            SPEC.normalize(Shape::RuleSet, &terraform),
            SPEC.normalize(Shape::RuleSet, &aws)
        );
    }

    #[test]
    fn all_traffic_rules_ignore_ports() {
        let a =
            json!([{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]);
        let b = json!([{"protocol": "all", "from_port": -1, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0"]}]);
        assert_eq!(
            SPEC.normalize(Shape::RuleSet, &a),
            SPEC.normalize(Shape::RuleSet, &b)
        );
    }

    #[test]
    fn tags_diff_per_key() {
        let e = json!({"Env": "prod", "Team": "net"});
        let a = json!({"Env": "dev", "Owner": "bob"});
        let changes = diff_attr("tags", Shape::Tags, Some(&e), Some(&a));
        let summary: Vec<(String, ChangeOp)> =
            changes.iter().map(|c| (c.path.clone(), c.op)).collect();
        assert_eq!(
            summary,
            vec![
                ("tags.Env".to_string(), ChangeOp::Replace),
                ("tags.Owner".to_string(), ChangeOp::Add),
                ("tags.Team".to_string(), ChangeOp::Remove),
            ]
        );
    }

    #[test]
    fn added_rule_is_one_add_change() {
        let e = SPEC.normalize(
            Shape::RuleSet,
            &json!([{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}]),
        );
        let a = SPEC.normalize(
            Shape::RuleSet,
            &json!([
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
                {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}
            ]),
        );
        let changes = diff_attr("ingress", Shape::RuleSet, e.as_ref(), a.as_ref());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].op, ChangeOp::Add);
        assert_eq!(changes[0].actual["from_port"], json!(22));
        assert_eq!(changes[0].actual["cidr_blocks"], json!(["0.0.0.0/0"]));
    }
}
