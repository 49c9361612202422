//! Prototypes of fixes for the analyzer's hot spots, measured on the bench's workload so that
//! the changes suggested for `driftd_core` come with numbers. driftd does not use this code.
//!
//! - [`rules_equal`]: decides whether two `ingress`/`egress` values normalize to the same rule
//!   set without building JSON maps or serializing rules: each rule becomes a tuple borrowing
//!   from the input, and the sorted, deduplicated tuple lists are compared.
//! - [`FxBuild`]: a multiply-rotate hasher for resource keys in place of SipHash.

use serde_json::Value;
use std::borrow::Cow;
use std::hash::{BuildHasherDefault, Hasher};

/// One rule in canonical form: what `normalize_rules` keeps of a rule, in the same terms.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rule<'a> {
    protocol: Cow<'a, str>,
    from: i64,
    to: i64,
    /// Which field the source came from: cidr, ipv6 cidr, prefix list, security group, self.
    source_kind: u8,
    source: &'a str,
    description: &'a str,
}

fn protocol(v: Option<&Value>) -> Cow<'_, str> {
    let raw: Cow<'_, str> = match v {
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(s.to_ascii_lowercase())
            } else {
                Cow::Borrowed(s)
            }
        }
        Some(Value::Number(n)) => Cow::Owned(n.to_string()),
        _ => Cow::Borrowed("-1"),
    };
    let named = match raw.as_ref() {
        "all" | "" | "-1" => Some("-1"),
        "6" => Some("tcp"),
        "17" => Some("udp"),
        "1" => Some("icmp"),
        "58" => Some("icmpv6"),
        _ => None,
    };
    named.map_or(raw, Cow::Borrowed)
}

fn port(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

fn canonical_rules(v: &Value) -> Vec<Rule<'_>> {
    const SOURCES: [&str; 4] = [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ];
    let mut out = Vec::new();
    let Value::Array(blocks) = v else { return out };
    for block in blocks {
        let Value::Object(b) = block else { continue };
        let protocol = protocol(b.get("protocol"));
        let (from, to) = if protocol == "-1" {
            (0, 0)
        } else {
            (port(b.get("from_port")), port(b.get("to_port")))
        };
        let description = b
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut sources: Vec<(u8, &str)> = Vec::new();
        for (kind, key) in SOURCES.iter().enumerate() {
            let Some(Value::Array(items)) = b.get(*key) else {
                continue;
            };
            for source in items.iter().filter_map(Value::as_str) {
                if !source.is_empty() {
                    sources.push((kind as u8, source));
                }
            }
        }
        if b.get("self").and_then(Value::as_bool) == Some(true) {
            sources.push((SOURCES.len() as u8, ""));
        }
        for (source_kind, source) in sources {
            out.push(Rule {
                protocol: protocol.clone(),
                from,
                to,
                source_kind,
                source,
                description,
            });
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// True when both values normalize to the same rule set.
pub fn rules_equal(expected: &Value, actual: &Value) -> bool {
    canonical_rules(expected) == canonical_rules(actual)
}

/// FxHash's step: one rotate, xor and multiply per 8 bytes.
#[derive(Default)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{Shape, TypeSpec};
    use serde_json::json;

    const SPEC: TypeSpec = TypeSpec {
        provider: "aws",
        resource_type: "t",
        attrs: &[],
        generated_tag_prefixes: &[],
    };

    fn agrees(e: Value, a: Value) -> bool {
        let slow = SPEC.normalize(Shape::RuleSet, &e) == SPEC.normalize(Shape::RuleSet, &a);
        assert_eq!(rules_equal(&e, &a), slow, "{e} vs {a}");
        slow
    }

    #[test]
    fn fast_rule_equality_matches_normalization() {
        let terraform = json!([{
            "from_port": 443, "to_port": 443, "protocol": "tcp",
            "cidr_blocks": ["10.0.0.0/8", "192.168.0.0/16"], "ipv6_cidr_blocks": [],
            "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""
        }]);
        let aws = json!([
            {"from_port": 443, "to_port": 443, "protocol": "6", "cidr_blocks": ["192.168.0.0/16"]},
            {"from_port": "443", "to_port": 443, "protocol": " TCP", "cidr_blocks": ["10.0.0.0/8"]}
        ]);
        assert!(agrees(terraform.clone(), aws));
        let all =
            json!([{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]);
        let all2 = json!([{"protocol": "all", "from_port": -1, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0"]}]);
        assert!(agrees(all, all2));
        assert!(!agrees(
            terraform.clone(),
            json!([{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}])
        ));
        assert!(!agrees(
            json!([{"protocol": "tcp", "from_port": 1, "to_port": 1, "self": true}]),
            json!([{"protocol": "tcp", "from_port": 1, "to_port": 1, "self": true, "description": "x"}])
        ));
        assert!(agrees(json!([]), json!(null)));
        assert!(agrees(json!([{"protocol": "tcp"}]), json!("junk")));
    }
}
