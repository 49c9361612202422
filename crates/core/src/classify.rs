//! Tier rules from the config: ordered `classify` rules that override the built-in tiers
//! ([`crate::tier`]). The first rule that matches a finding sets its tier. Pure.
//!
//! A rule matches on any of: provider, target, resource type, resource id or Terraform address
//! (globs), finding kind, and for `changed` findings the attribute path (glob) and the actual
//! value (glob over its JSON text, strings without quotes). With `all_changes`, every change of
//! the finding must match path and value (for "tag-only changes are info"); otherwise one is
//! enough (for "ingress from 0.0.0.0/0 on port 22 is critical").

use crate::model::{Change, Finding, FindingKind, Tier};
use glob::Pattern;
use serde::Deserialize;

/// One rule as written in the config (`[[classify]]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// The tier matching findings get.
    pub tier: Tier,
    pub provider: Option<String>,
    /// Target name glob.
    pub target: Option<String>,
    /// Resource type glob (`aws_security_group`, `aws_*`).
    pub resource_type: Option<String>,
    /// Resource id or Terraform address glob (`sg-0abc*`, `module.edge.*`).
    pub resource: Option<String>,
    pub kind: Option<FindingKind>,
    /// Attribute path glob (`ingress`, `tags.*`).
    pub path: Option<String>,
    /// Glob over the actual value's JSON text (`*0.0.0.0/0*`, `*"from_port":22,*`).
    pub value: Option<String>,
    /// Every change must match `path`/`value`, not just one.
    #[serde(default)]
    pub all_changes: bool,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    tier: Tier,
    provider: Option<String>,
    target: Option<Pattern>,
    resource_type: Option<Pattern>,
    resource: Option<Pattern>,
    kind: Option<FindingKind>,
    path: Option<Pattern>,
    value: Option<Pattern>,
    all_changes: bool,
}

fn pattern(key: &str, p: &Option<String>) -> Result<Option<Pattern>, String> {
    p.as_deref()
        .map(|g| Pattern::new(g).map_err(|e| format!("{key}: `{g}` is not a valid glob: {e}")))
        .transpose()
}

impl Rule {
    pub fn compile(c: &RuleConfig) -> Result<Rule, String> {
        if (c.path.is_some() || c.value.is_some() || c.all_changes)
            && c.kind.is_some_and(|k| k != FindingKind::Changed)
        {
            return Err("path, value and all_changes only apply to kind = \"changed\"".into());
        }
        Ok(Rule {
            tier: c.tier,
            provider: c.provider.clone(),
            target: pattern("target", &c.target)?,
            resource_type: pattern("resource_type", &c.resource_type)?,
            resource: pattern("resource", &c.resource)?,
            kind: c.kind,
            path: pattern("path", &c.path)?,
            value: pattern("value", &c.value)?,
            all_changes: c.all_changes,
        })
    }

    fn change_matches(&self, c: &Change) -> bool {
        let path_ok = self.path.as_ref().is_none_or(|p| p.matches(&c.path));
        let value_ok = self.value.as_ref().is_none_or(|p| {
            let text = match &c.actual {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            p.matches(&text)
        });
        path_ok && value_ok
    }

    pub fn matches(&self, target: &str, f: &Finding) -> bool {
        let glob = |p: &Option<Pattern>, s: &str| p.as_ref().is_none_or(|p| p.matches(s));
        if !(self.provider.as_ref().is_none_or(|p| *p == f.provider)
            && glob(&self.target, target)
            && glob(&self.resource_type, &f.resource_type)
            && self.kind.is_none_or(|k| k == f.kind))
        {
            return false;
        }
        if let Some(r) = &self.resource {
            let by_address = f.address.as_deref().is_some_and(|a| r.matches(a));
            if !(r.matches(&f.resource_id) || by_address) {
                return false;
            }
        }
        if self.path.is_none() && self.value.is_none() {
            return true;
        }
        if f.changes.is_empty() {
            return false;
        }
        if self.all_changes {
            f.changes.iter().all(|c| self.change_matches(c))
        } else {
            f.changes.iter().any(|c| self.change_matches(c))
        }
    }
}

/// Applies the first matching rule to each finding; findings no rule matches keep their
/// built-in tier. Re-sorts, since the order depends on the tier.
pub fn apply(rules: &[Rule], target: &str, findings: &mut [Finding]) {
    if rules.is_empty() {
        return;
    }
    for f in findings.iter_mut() {
        if let Some(rule) = rules.iter().find(|r| r.matches(target, f)) {
            f.tier = rule.tier;
        }
    }
    crate::analyze::sort_findings(findings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChangeOp;
    use serde_json::json;

    fn finding(rtype: &str, changes: Vec<(&str, serde_json::Value)>) -> Finding {
        Finding {
            fingerprint: "fp".into(),
            kind: FindingKind::Changed,
            tier: Tier::Warning,
            provider: "aws".into(),
            resource_type: rtype.into(),
            resource_id: "sg-1".into(),
            address: Some("module.edge.aws_security_group.web".into()),
            region: None,
            source: None,
            changes: changes
                .into_iter()
                .map(|(p, v)| Change {
                    path: p.into(),
                    op: ChangeOp::Add,
                    expected: serde_json::Value::Null,
                    actual: v,
                })
                .collect(),
        }
    }

    fn rule(toml: &str) -> Rule {
        Rule::compile(&toml::from_str(toml).unwrap()).unwrap()
    }

    #[test]
    fn ssh_from_anywhere_is_critical() {
        let r = rule(
            "tier = \"critical\"\npath = \"ingress\"\nvalue = '*0.0.0.0/0*\"from_port\":22,*'",
        );
        let ssh = finding(
            "aws_security_group",
            vec![(
                "ingress",
                json!({"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "protocol": "tcp", "to_port": 22}),
            )],
        );
        assert!(r.matches("prod", &ssh));
        let https = finding(
            "aws_security_group",
            vec![(
                "ingress",
                json!({"cidr_blocks": ["0.0.0.0/0"], "from_port": 443, "protocol": "tcp", "to_port": 443}),
            )],
        );
        assert!(!r.matches("prod", &https));
    }

    #[test]
    fn tag_only_needs_all_changes() {
        let r = rule("tier = \"info\"\npath = \"tags.*\"\nall_changes = true");
        assert!(r.matches(
            "t",
            &finding("aws_instance", vec![("tags.Env", json!("dev"))])
        ));
        assert!(!r.matches(
            "t",
            &finding(
                "aws_instance",
                vec![
                    ("tags.Env", json!("dev")),
                    ("instance_type", json!("m5.large"))
                ]
            )
        ));
    }

    #[test]
    fn first_match_wins_and_order_follows_tiers() {
        let rules = vec![
            rule("tier = \"info\"\ntarget = \"sandbox-*\""),
            rule("tier = \"critical\"\nresource = \"module.edge.*\""),
        ];
        let mut fs = vec![finding(
            "aws_security_group",
            vec![("description", json!("x"))],
        )];
        apply(&rules, "sandbox-1", &mut fs);
        assert_eq!(fs[0].tier, Tier::Info);
        apply(&rules, "prod", &mut fs);
        assert_eq!(fs[0].tier, Tier::Critical);
    }

    #[test]
    fn bad_rules_are_explained() {
        let c: RuleConfig =
            toml::from_str("tier = \"info\"\nkind = \"missing\"\npath = \"tags.*\"").unwrap();
        assert!(Rule::compile(&c)
            .unwrap_err()
            .contains("only apply to kind"));
        let c: RuleConfig = toml::from_str("tier = \"info\"\nresource_type = \"aws_[\"").unwrap();
        assert!(Rule::compile(&c).unwrap_err().contains("resource_type"));
    }
}
