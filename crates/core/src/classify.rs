//! Tier rules from the config: ordered `classify` rules that override the built-in tiers
//! ([`crate::tier`]). The first rule that matches a finding sets its tier. Pure.
//!
//! A rule matches on any of: provider, target, resource type, resource id or Terraform address
//! (globs), finding kind, and for `changed` findings the attribute path (glob) and the actual
//! value (glob over its JSON text, strings without quotes). With `all_changes`, every change of
//! the finding must match path and value (for "tag-only changes are info"); otherwise one is
//! enough (for "ingress from 0.0.0.0/0 on port 22 is critical").
//!
//! The match keys are compiled into a [`Matcher`], which `[[ignore]]` rules
//! ([`crate::ignore`]) share.

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

/// The match keys `[[classify]]` and `[[ignore]]` rules share, as written.
#[derive(Debug, Clone, Copy, Default)]
pub struct MatchKeys<'a> {
    pub provider: Option<&'a str>,
    pub target: Option<&'a str>,
    pub resource_type: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub kind: Option<FindingKind>,
    pub path: Option<&'a str>,
    pub value: Option<&'a str>,
}

/// Compiled match keys: which findings (provider, target, type, id or address, kind) and, for
/// `changed` findings, which changes (attribute path, actual value) a rule is about.
#[derive(Debug, Clone)]
pub struct Matcher {
    provider: Option<String>,
    target: Option<Pattern>,
    resource_type: Option<Pattern>,
    resource: Option<Pattern>,
    kind: Option<FindingKind>,
    path: Option<Pattern>,
    value: Option<Pattern>,
}

fn pattern(key: &str, p: Option<&str>) -> Result<Option<Pattern>, String> {
    p.map(|g| Pattern::new(g).map_err(|e| format!("{key}: `{g}` is not a valid glob: {e}")))
        .transpose()
}

impl Matcher {
    pub fn compile(k: &MatchKeys<'_>) -> Result<Matcher, String> {
        if (k.path.is_some() || k.value.is_some())
            && k.kind.is_some_and(|kind| kind != FindingKind::Changed)
        {
            return Err("path and value only apply to kind = \"changed\"".into());
        }
        Ok(Matcher {
            provider: k.provider.map(str::to_string),
            target: pattern("target", k.target)?,
            resource_type: pattern("resource_type", k.resource_type)?,
            resource: pattern("resource", k.resource)?,
            kind: k.kind,
            path: pattern("path", k.path)?,
            value: pattern("value", k.value)?,
        })
    }

    /// Whether the rule is about some changes of a finding (`path` or `value` set).
    pub fn has_change_keys(&self) -> bool {
        self.path.is_some() || self.value.is_some()
    }

    /// The `target` key alone.
    pub fn matches_target(&self, target: &str) -> bool {
        self.target.as_ref().is_none_or(|p| p.matches(target))
    }

    /// Everything but the change keys: provider, target, type, id or address, kind.
    pub fn matches_resource(&self, target: &str, f: &Finding) -> bool {
        let glob = |p: &Option<Pattern>, s: &str| p.as_ref().is_none_or(|p| p.matches(s));
        if !(self.provider.as_ref().is_none_or(|p| *p == f.provider)
            && self.matches_target(target)
            && glob(&self.resource_type, &f.resource_type)
            && self.kind.is_none_or(|k| k == f.kind))
        {
            return false;
        }
        match &self.resource {
            None => true,
            Some(r) => {
                r.matches(&f.resource_id) || f.address.as_deref().is_some_and(|a| r.matches(a))
            }
        }
    }

    /// The change keys: attribute path and actual value.
    pub fn change_matches(&self, c: &Change) -> bool {
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
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    tier: Tier,
    matcher: Matcher,
    all_changes: bool,
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
            matcher: Matcher::compile(&c.keys())?,
            all_changes: c.all_changes,
        })
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    pub fn matches(&self, target: &str, f: &Finding) -> bool {
        let m = &self.matcher;
        if !m.matches_resource(target, f) {
            return false;
        }
        if !m.has_change_keys() {
            return true;
        }
        if f.changes.is_empty() {
            return false;
        }
        if self.all_changes {
            f.changes.iter().all(|c| m.change_matches(c))
        } else {
            f.changes.iter().any(|c| m.change_matches(c))
        }
    }
}

impl RuleConfig {
    /// The match keys of this rule.
    pub fn keys(&self) -> MatchKeys<'_> {
        MatchKeys {
            provider: self.provider.as_deref(),
            target: self.target.as_deref(),
            resource_type: self.resource_type.as_deref(),
            resource: self.resource.as_deref(),
            kind: self.kind,
            path: self.path.as_deref(),
            value: self.value.as_deref(),
        }
    }
}

/// The index of the rule that sets a finding's tier, if any (the first that matches).
pub fn rule_for(rules: &[Rule], target: &str, f: &Finding) -> Option<usize> {
    rules.iter().position(|r| r.matches(target, f))
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
            engine: Default::default(),
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
                    expected_from: None,
                    code: None,
                })
                .collect(),
            policy: None,
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
