//! Ignore rules: drift that is known and accepted. Pure: the caller reads the files and passes
//! the time in.
//!
//! Two sources, applied after classification:
//! - a `.driftignore` file in driftctl's syntax, so that its users can move over
//!   ([`parse_driftignore`]): one rule per line, `#` comments, `TYPE.ID` or a Terraform address,
//!   `*` wildcards, `!` negation (the last matching line wins), an attribute path after the id
//!   to drop only the drift on that attribute, and `\.` for a dot that belongs to an id or key.
//! - `[[ignore]]` rules in the config ([`IgnoreConfig`]), with the match keys of `[[classify]]`
//!   plus a required reason and owner and an optional expiry. An expired rule stops ignoring
//!   and is reported.
//!
//! A whole-resource rule drops the finding; an attribute rule drops the matching changes, and a
//! finding left with no change is dropped too. [`IgnoreSet::apply`] returns what was dropped and
//! by which rule, so that the report can say it: operators trust a report that shows what it hid.

use crate::classify::{MatchKeys, Matcher};
use crate::model::{Change, Finding, FindingKind, Summary};
use crate::schema::TypeSpec;
use chrono::{DateTime, NaiveDate, Utc};
use glob::Pattern;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// When a config rule stops applying.
#[derive(Debug, Clone, PartialEq)]
pub struct Expiry {
    /// As written.
    pub text: String,
    /// The first instant the rule no longer applies: the time given, or the end of the day
    /// given (UTC), so that `2026-12-31` still ignores on December 31st.
    pub at: DateTime<Utc>,
}

impl Expiry {
    pub fn parse(text: &str) -> Result<Expiry, String> {
        let t = text.trim();
        let at = if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            day.succ_opt()
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
                .ok_or_else(|| format!("`{t}` is out of range"))?
        } else if let Ok(time) = DateTime::parse_from_rfc3339(t) {
            time.with_timezone(&Utc)
        } else {
            return Err(format!(
                "`{t}` is neither a date (2026-12-31) nor an RFC 3339 time (2026-12-31T18:00:00Z)"
            ));
        };
        Ok(Expiry {
            text: t.to_string(),
            at,
        })
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.at
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Expiry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date (2026-12-31) or an RFC 3339 time (2026-12-31T18:00:00Z)")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Expiry, E> {
                Expiry::parse(s).map_err(E::custom)
            }
            // TOML date and time literals (`expires = 2026-12-31`, unquoted) arrive as a map of
            // one entry whose value is the literal's text.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Expiry, A::Error> {
                use serde::de::Error;
                match map.next_entry::<String, String>()? {
                    Some((_, text)) => Expiry::parse(&text).map_err(A::Error::custom),
                    None => Err(A::Error::custom("expected a date or a time")),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One `[[ignore]]` rule as written in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreConfig {
    pub provider: Option<String>,
    /// Target name glob.
    pub target: Option<String>,
    /// Resource type glob (`aws_instance`, `aws_iam_*`).
    pub resource_type: Option<String>,
    /// Resource id or Terraform address glob (`i-0abc*`, `module.legacy.*`).
    pub resource: Option<String>,
    pub kind: Option<FindingKind>,
    /// Attribute path glob: only these changes are ignored, not the whole finding.
    pub path: Option<String>,
    /// Glob over the actual value's JSON text: only changes to such a value are ignored.
    pub value: Option<String>,
    /// Why this drift is accepted. Required.
    pub reason: String,
    /// Who accepted it (a person or a team). Required.
    pub owner: String,
    /// After this date or time the rule stops ignoring and is reported.
    pub expires: Option<Expiry>,
}

impl IgnoreConfig {
    fn keys(&self) -> MatchKeys<'_> {
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

    /// The match keys as written (`resource_type = "aws_instance", path = "tags.*"`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (key, v) in [
            ("provider", &self.provider),
            ("target", &self.target),
            ("resource_type", &self.resource_type),
            ("resource", &self.resource),
            ("path", &self.path),
            ("value", &self.value),
        ] {
            if let Some(v) = v {
                parts.push(format!("{key} = {v:?}"));
            }
            if key == "resource" {
                if let Some(k) = self.kind {
                    parts.push(format!("kind = \"{k}\""));
                }
            }
        }
        parts.join(", ")
    }
}

/// Which rule ignored something: enough for a person to find it and judge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    /// Where the rule is: `.driftignore:3` (file and line) or `driftd.toml: ignore[1]`.
    pub source: String,
    /// The rule as written: the line of the file, or the match keys of a config rule.
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The expiry as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.source, self.rule)?;
        if let Some(r) = &self.reason {
            write!(f, " · reason: {r}")?;
        }
        if let Some(o) = &self.owner {
            write!(f, " · owner: {o}")?;
        }
        if let Some(e) = &self.expires {
            write!(f, " · expires: {e}")?;
        }
        Ok(())
    }
}

/// What an ignore rule dropped: the whole finding, or some of its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IgnoreScope {
    Finding,
    Changes,
}

/// One ignored finding, or the changes of one finding one rule dropped (a finding can have
/// entries from several rules). Recorded in the report's `ignored` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgnoredFinding {
    /// The finding as classified; for `changes`, with only the changes this rule dropped.
    #[serde(flatten)]
    pub finding: Finding,
    pub scope: IgnoreScope,
    pub rule: RuleRef,
}

/// A line of a `.driftignore` file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// One compiled `.driftignore` line.
#[derive(Debug, Clone)]
pub struct FileRule {
    /// 1-based line number.
    pub line: usize,
    /// The rule as written, comment removed.
    pub text: String,
    negate: bool,
    resource_type: Pattern,
    /// Absent for a rule written as a module address.
    id: Option<Pattern>,
    /// The Terraform address (`aws_instance.web`, `module.net.aws_vpc.main`).
    address: Pattern,
    path: Option<Pattern>,
}

/// `*` is the only wildcard of driftctl's syntax: everything else is literal (`web[0]`).
fn wildcard(s: &str) -> Pattern {
    let escaped: Vec<String> = s.split('*').map(Pattern::escape).collect();
    // An escaped text joined by `*` always compiles; fall back to a literal match anyway.
    Pattern::new(&escaped.join("*"))
        .unwrap_or_else(|_| Pattern::new(&Pattern::escape(s)).unwrap_or_default())
}

/// Splits a rule on the dots that separate its parts: not `\.`, not inside `[...]` (index keys
/// such as `["a.b"]`).
fn split_rule(rule: &str) -> Result<Vec<String>, String> {
    let mut parts = vec![String::new()];
    let mut depth = 0usize;
    let mut chars = rule.chars();
    while let Some(c) = chars.next() {
        let cur = parts.last_mut().expect("parts is never empty");
        match c {
            '\\' => match chars.next() {
                Some('.') => cur.push('.'),
                Some(other) => {
                    cur.push('\\');
                    cur.push(other);
                }
                None => return Err("a trailing `\\` escapes nothing; remove it".into()),
            },
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            '.' if depth == 0 => parts.push(String::new()),
            _ => cur.push(c),
        }
    }
    if parts.iter().any(String::is_empty) {
        return Err(
            "empty part between dots; write TYPE.ID[.ATTRIBUTE], and escape a dot that belongs \
             to an id or a key as `\\.`"
                .into(),
        );
    }
    Ok(parts)
}

/// An attribute path from its parts: numeric parts are list indexes (`versioning.0.enabled`
/// in driftctl's notation is `versioning[0].enabled` in ours).
fn join_path(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{p}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(p);
        }
    }
    out
}

fn parse_line(line: usize, text: &str) -> Result<FileRule, String> {
    if text.chars().any(char::is_whitespace) {
        return Err("one rule per line, without spaces (TYPE.ID[.ATTRIBUTE])".into());
    }
    let (negate, body) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if body.is_empty() {
        return Err("`!` negates a rule; write the rule after it".into());
    }
    let parts = split_rule(body)?;
    let (resource_type, id, address, path) = if parts[0] == "module" {
        let mut i = 0;
        while parts.get(i).map(String::as_str) == Some("module") {
            if parts.get(i + 1).is_none() {
                return Err("`module` must be followed by the module's name".into());
            }
            i += 2;
        }
        if parts.get(i + 1).is_none() {
            return Err("a module address ends with TYPE.NAME (module.net.aws_vpc.main)".into());
        }
        (
            parts[i].clone(),
            None,
            parts[..i + 2].join("."),
            &parts[i + 2..],
        )
    } else {
        let id = parts.get(1).cloned().unwrap_or_else(|| "*".into());
        let address = format!("{}.{id}", parts[0]);
        let rest = parts.get(2..).unwrap_or(&[]);
        (parts[0].clone(), Some(id), address, rest)
    };
    Ok(FileRule {
        line,
        text: text.to_string(),
        negate,
        resource_type: wildcard(&resource_type),
        id: id.as_deref().map(wildcard),
        address: wildcard(&address),
        path: (!path.is_empty()).then(|| wildcard(&join_path(path))),
    })
}

/// Parses a `.driftignore` file. Every bad line is reported, with its number.
pub fn parse_driftignore(text: &str) -> Result<Vec<FileRule>, Vec<ParseError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let mut rule = raw.trim();
        // A comment starts a line, or follows the rule after a space.
        if let Some(at) = rule
            .find([' ', '\t'])
            .filter(|&at| rule[at..].trim_start().starts_with('#'))
        {
            rule = rule[..at].trim_end();
        }
        if rule.is_empty() || rule.starts_with('#') {
            continue;
        }
        match parse_line(i + 1, rule) {
            Ok(r) => rules.push(r),
            Err(message) => errors.push(ParseError {
                line: i + 1,
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Whether an attribute path pattern covers a change's path: the path itself or one of its
/// parents (`tags` covers `tags.Env`, `ingress` covers `ingress[0].from_port`).
fn covers(p: &Pattern, path: &str) -> bool {
    p.matches(path)
        || path
            .char_indices()
            .filter(|&(_, c)| c == '.' || c == '[')
            .any(|(i, _)| p.matches(&path[..i]))
}

/// `aws_instance.web[0]` → `aws_instance.web`, so that a rule without an index covers every
/// instance, as in Terraform.
fn without_index(address: &str) -> &str {
    match address.rfind('[') {
        Some(i) if address.ends_with(']') => &address[..i],
        _ => address,
    }
}

impl FileRule {
    fn matches_resource(&self, f: &Finding) -> bool {
        if !self.resource_type.matches(&f.resource_type) {
            return false;
        }
        if self.id.as_ref().is_some_and(|p| p.matches(&f.resource_id)) {
            return true;
        }
        f.address
            .as_deref()
            .is_some_and(|a| self.address.matches(a) || self.address.matches(without_index(a)))
    }

    /// The last-wins candidate for one change: matches the resource and, if it has a path, the
    /// change.
    fn matches_change(&self, f: &Finding, c: &Change) -> bool {
        self.matches_resource(f) && self.path.as_ref().is_none_or(|p| covers(p, &c.path))
    }
}

/// One compiled `[[ignore]]` rule.
#[derive(Debug, Clone)]
pub struct ConfigRule {
    rule: RuleRef,
    matcher: Matcher,
    expires: Option<Expiry>,
}

impl ConfigRule {
    /// Compiles a rule; `source` names it in reports (`driftd.toml: ignore[1]`).
    pub fn compile(c: &IgnoreConfig, source: String) -> Result<ConfigRule, String> {
        if c.reason.trim().is_empty() {
            return Err("reason: say why this drift is accepted".into());
        }
        if c.owner.trim().is_empty() {
            return Err("owner: name who accepted this drift (a person or a team)".into());
        }
        let keys = c.keys();
        if keys.provider.is_none()
            && keys.target.is_none()
            && keys.resource_type.is_none()
            && keys.resource.is_none()
            && keys.kind.is_none()
            && keys.path.is_none()
            && keys.value.is_none()
        {
            return Err(
                "no match key: this rule would ignore everything; add resource_type, resource, \
                 path, kind, target or provider"
                    .into(),
            );
        }
        Ok(ConfigRule {
            rule: RuleRef {
                source,
                rule: c.describe(),
                reason: Some(c.reason.clone()),
                owner: Some(c.owner.clone()),
                expires: c.expires.as_ref().map(|e| e.text.clone()),
            },
            matcher: Matcher::compile(&keys)?,
            expires: c.expires.clone(),
        })
    }

    pub fn rule(&self) -> &RuleRef {
        &self.rule
    }

    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.as_ref().is_some_and(|e| e.expired(now))
    }

    fn matches(&self, target: &str, f: &Finding) -> bool {
        self.matcher.matches_resource(target, f)
            && (!self.matcher.has_change_keys()
                || f.changes.iter().any(|c| self.matcher.change_matches(c)))
    }
}

/// What the rules say about one finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verdict {
    /// The rule that drops the whole finding.
    pub whole: Option<RuleRef>,
    /// The changes (by index) dropped, each with its rule.
    pub changes: Vec<(usize, RuleRef)>,
}

/// What [`IgnoreSet::apply`] dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    pub ignored: Vec<IgnoredFinding>,
    /// Config rules of this target that expired: they no longer ignore anything.
    pub expired: Vec<RuleRef>,
}

/// The ignore rules of one target: its `.driftignore` and the config's `[[ignore]]` rules.
#[derive(Debug, Clone, Default)]
pub struct IgnoreSet {
    file_source: String,
    file: Vec<FileRule>,
    config: Vec<ConfigRule>,
}

impl IgnoreSet {
    /// `file_source` names the `.driftignore` file in reports.
    pub fn new(
        file_source: impl Into<String>,
        file: Vec<FileRule>,
        config: Vec<ConfigRule>,
    ) -> Self {
        IgnoreSet {
            file_source: file_source.into(),
            file,
            config,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.file.is_empty() && self.config.is_empty()
    }

    fn file_ref(&self, r: &FileRule) -> RuleRef {
        RuleRef {
            source: format!("{}:{}", self.file_source, r.line),
            rule: r.text.clone(),
            reason: None,
            owner: None,
            expires: None,
        }
    }

    /// Config rules that apply to `target` and have expired.
    pub fn expired(&self, target: &str, now: DateTime<Utc>) -> Vec<RuleRef> {
        self.config
            .iter()
            .filter(|r| r.expired(now) && r.matcher.matches_target(target))
            .map(|r| r.rule.clone())
            .collect()
    }

    /// Expired config rules that would match this finding if they were still in force.
    pub fn expired_matching(&self, target: &str, f: &Finding, now: DateTime<Utc>) -> Vec<RuleRef> {
        self.config
            .iter()
            .filter(|r| r.expired(now) && r.matches(target, f))
            .map(|r| r.rule.clone())
            .collect()
    }

    /// What the rules in force at `now` do to one finding. In the file the last matching line
    /// wins (a `!` line un-ignores); a config rule ignores when it matches, whatever the file says.
    pub fn verdict(&self, target: &str, f: &Finding, now: DateTime<Utc>) -> Verdict {
        let mut verdict = Verdict::default();
        let whole_by_file = self
            .file
            .iter()
            .rfind(|r| r.path.is_none() && r.matches_resource(f))
            .filter(|r| !r.negate);
        if let Some(r) = whole_by_file {
            verdict.whole = Some(self.file_ref(r));
            return verdict;
        }
        let active: Vec<&ConfigRule> = self
            .config
            .iter()
            .filter(|r| !r.expired(now) && r.matcher.matches_resource(target, f))
            .collect();
        if let Some(r) = active.iter().find(|r| !r.matcher.has_change_keys()) {
            verdict.whole = Some(r.rule.clone());
            return verdict;
        }
        for (i, c) in f.changes.iter().enumerate() {
            let by_file = self
                .file
                .iter()
                .rfind(|r| r.matches_change(f, c))
                .filter(|r| !r.negate);
            if let Some(r) = by_file {
                verdict.changes.push((i, self.file_ref(r)));
            } else if let Some(r) = active
                .iter()
                .find(|r| r.matcher.has_change_keys() && r.matcher.change_matches(c))
            {
                verdict.changes.push((i, r.rule.clone()));
            }
        }
        verdict
    }

    /// Drops what the rules in force at `now` ignore from `findings` (sorted again), and counts
    /// it in `summary`: the kind counts then match the findings left, `ignored` says how many
    /// findings and changes were dropped. A finding that loses some changes gets the tier its
    /// remaining changes give (`classify` rules first, then the built-in tiers of the type's
    /// spec in `specs`, those the findings were analyzed with).
    pub fn apply(
        &self,
        target: &str,
        specs: &[&'static TypeSpec],
        classify: &[crate::classify::Rule],
        findings: &mut Vec<Finding>,
        summary: &mut Summary,
        now: DateTime<Utc>,
    ) -> Applied {
        let mut applied = Applied {
            expired: self.expired(target, now),
            ..Applied::default()
        };
        if self.is_empty() {
            return applied;
        }
        let mut kept = Vec::with_capacity(findings.len());
        for mut f in std::mem::take(findings) {
            let verdict = self.verdict(target, &f, now);
            if let Some(rule) = verdict.whole {
                drop_count(summary, f.kind);
                applied.ignored.push(IgnoredFinding {
                    finding: f,
                    scope: IgnoreScope::Finding,
                    rule,
                });
                continue;
            }
            if verdict.changes.is_empty() {
                kept.push(f);
                continue;
            }
            // The dropped changes, grouped by rule in the order the rules first dropped one.
            let mut groups: Vec<(RuleRef, Vec<Change>)> = Vec::new();
            let mut remaining = Vec::new();
            let mut by_index = verdict.changes.into_iter().peekable();
            for (i, c) in std::mem::take(&mut f.changes).into_iter().enumerate() {
                match by_index.next_if(|(at, _)| *at == i) {
                    Some((_, rule)) => {
                        summary.ignored.changes += 1;
                        match groups.iter_mut().find(|(r, _)| *r == rule) {
                            Some((_, list)) => list.push(c),
                            None => groups.push((rule, vec![c])),
                        }
                    }
                    None => remaining.push(c),
                }
            }
            for (rule, changes) in groups {
                applied.ignored.push(IgnoredFinding {
                    finding: Finding {
                        changes,
                        ..f.clone()
                    },
                    scope: IgnoreScope::Changes,
                    rule,
                });
            }
            if remaining.is_empty() {
                drop_count(summary, f.kind);
            } else {
                f.changes = remaining;
                let spec = specs
                    .iter()
                    .rev()
                    .find(|s| s.provider == f.provider && s.resource_type == f.resource_type)
                    .copied();
                f.tier = crate::tier::default_tier(spec, f.kind, &f.changes);
                if let Some(i) = crate::classify::rule_for(classify, target, &f) {
                    f.tier = classify[i].tier();
                }
                kept.push(f);
            }
        }
        crate::analyze::sort_findings(&mut kept);
        *findings = kept;
        applied
    }
}

fn drop_count(summary: &mut Summary, kind: FindingKind) {
    summary.ignored.findings += 1;
    let count = summary.count_mut(kind);
    *count = count.saturating_sub(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChangeOp, Tier};
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn now() -> DateTime<Utc> {
        at("2026-11-23T12:00:00Z")
    }

    fn finding(rtype: &str, id: &str, address: Option<&str>, paths: &[&str]) -> Finding {
        Finding {
            engine: Default::default(),
            fingerprint: format!("fp-{id}"),
            kind: if paths.is_empty() {
                FindingKind::Missing
            } else {
                FindingKind::Changed
            },
            tier: Tier::Warning,
            provider: "aws".into(),
            resource_type: rtype.into(),
            resource_id: id.into(),
            address: address.map(str::to_string),
            region: None,
            source: None,
            changes: paths
                .iter()
                .map(|p| Change {
                    path: p.to_string(),
                    op: ChangeOp::Replace,
                    expected: json!("a"),
                    actual: json!("b"),
                    expected_from: None,
                    code: None,
                })
                .collect(),
            policy: None,
        }
    }

    fn file(text: &str) -> IgnoreSet {
        IgnoreSet::new(".driftignore", parse_driftignore(text).unwrap(), vec![])
    }

    fn config_rule(toml_text: &str, i: usize) -> ConfigRule {
        ConfigRule::compile(
            &toml::from_str(toml_text).unwrap(),
            format!("driftd.toml: ignore[{i}]"),
        )
        .unwrap()
    }

    /// `(whole rule line, dropped change paths)` for a finding.
    fn check(set: &IgnoreSet, f: &Finding) -> (Option<String>, Vec<String>) {
        let v = set.verdict("prod", f, now());
        (
            v.whole.map(|r| r.source),
            v.changes
                .iter()
                .map(|(i, _)| f.changes[*i].path.clone())
                .collect(),
        )
    }

    #[test]
    fn comments_blank_lines_and_type_id() {
        let set = file("# accepted drift\n\n  aws_instance.i-0123   # hand-made\naws_vpc.vpc-1\n");
        let f = finding("aws_instance", "i-0123", None, &[]);
        assert_eq!(check(&set, &f).0.as_deref(), Some(".driftignore:3"));
        assert_eq!(
            check(&set, &finding("aws_instance", "i-9", None, &[])).0,
            None
        );
        assert_eq!(
            check(&set, &finding("aws_vpc", "vpc-1", None, &[]))
                .0
                .as_deref(),
            Some(".driftignore:4")
        );
    }

    #[test]
    fn wildcards_in_type_and_id() {
        let set = file("aws_iam_*\naws_instance.i-01*\n");
        assert!(check(&set, &finding("aws_iam_role", "r", None, &[]))
            .0
            .is_some());
        assert!(check(&set, &finding("aws_instance", "i-0123", None, &[]))
            .0
            .is_some());
        assert!(check(&set, &finding("aws_instance", "i-0999", None, &[]))
            .0
            .is_none());
        assert!(check(&set, &finding("aws_vpc", "v", None, &[])).0.is_none());
        let all = file("*\n");
        assert!(check(&all, &finding("aws_vpc", "v", None, &[])).0.is_some());
    }

    #[test]
    fn negation_later_lines_win() {
        let set = file("*\n!aws_instance.*\naws_instance.i-1\n");
        assert!(check(&set, &finding("aws_vpc", "v", None, &[])).0.is_some());
        assert!(check(&set, &finding("aws_instance", "i-2", None, &[]))
            .0
            .is_none());
        assert_eq!(
            check(&set, &finding("aws_instance", "i-1", None, &[]))
                .0
                .as_deref(),
            Some(".driftignore:3")
        );
        // The other way round the negation comes last and wins.
        let set = file("aws_instance.i-1\n!aws_instance.*\n");
        assert!(check(&set, &finding("aws_instance", "i-1", None, &[]))
            .0
            .is_none());
        // A negation also brings back changes an attribute rule dropped earlier.
        let set = file("aws_instance.*.tags\n!aws_instance.i-1\n");
        let f = finding("aws_instance", "i-1", None, &["tags.Env"]);
        assert_eq!(check(&set, &f), (None, vec![]));
        let f = finding("aws_instance", "i-2", None, &["tags.Env"]);
        assert_eq!(check(&set, &f), (None, vec!["tags.Env".to_string()]));
    }

    #[test]
    fn attribute_paths_drop_only_their_changes() {
        let set = file(
            "aws_instance.i-1.tags.Env\naws_instance.*.tags.Team*\naws_security_group.*.ingress\n",
        );
        let f = finding(
            "aws_instance",
            "i-1",
            None,
            &["instance_type", "tags.Env", "tags.Owner", "tags.Team2"],
        );
        let (whole, dropped) = check(&set, &f);
        assert_eq!(whole, None);
        assert_eq!(dropped, vec!["tags.Env", "tags.Team2"]);
        // A parent path covers its children.
        let f = finding(
            "aws_security_group",
            "sg-1",
            None,
            &["ingress", "ingress[0].from_port", "egress"],
        );
        assert_eq!(check(&set, &f).1, vec!["ingress", "ingress[0].from_port"]);
        // driftctl's numeric parts are our list indexes.
        let set = file("aws_s3_bucket.b.versioning.0.enabled\n");
        let f = finding("aws_s3_bucket", "b", None, &["versioning[0].enabled"]);
        assert_eq!(check(&set, &f).1, vec!["versioning[0].enabled"]);
    }

    #[test]
    fn escaped_dots_belong_to_the_id_or_key() {
        let set = file("aws_iam_policy_attachment.role\\.policy\naws_instance.*.tags.kubernetes\\.io/cluster\n");
        assert!(check(
            &set,
            &finding("aws_iam_policy_attachment", "role.policy", None, &[])
        )
        .0
        .is_some());
        assert!(check(
            &set,
            &finding("aws_iam_policy_attachment", "role", None, &[])
        )
        .0
        .is_none());
        let f = finding(
            "aws_instance",
            "i-1",
            None,
            &["tags.kubernetes.io/cluster", "tags.kubernetes"],
        );
        assert_eq!(check(&set, &f).1, vec!["tags.kubernetes.io/cluster"]);
    }

    #[test]
    fn terraform_addresses_match_too() {
        let set = file("aws_instance.web[0]\nmodule.net.aws_vpc.main\naws_subnet.private\nmodule.db.aws_instance.db.tags\n");
        assert!(check(
            &set,
            &finding("aws_instance", "i-1", Some("aws_instance.web[0]"), &[])
        )
        .0
        .is_some());
        assert!(check(
            &set,
            &finding("aws_instance", "i-2", Some("aws_instance.web[1]"), &[])
        )
        .0
        .is_none());
        assert!(check(
            &set,
            &finding("aws_vpc", "vpc-1", Some("module.net.aws_vpc.main"), &[])
        )
        .0
        .is_some());
        assert!(check(
            &set,
            &finding("aws_vpc", "vpc-2", Some("aws_vpc.main"), &[])
        )
        .0
        .is_none());
        // Without an index, every instance.
        assert!(check(
            &set,
            &finding("aws_subnet", "s-1", Some("aws_subnet.private[\"a\"]"), &[])
        )
        .0
        .is_some());
        let f = finding(
            "aws_instance",
            "i-3",
            Some("module.db.aws_instance.db"),
            &["tags.Env", "ami"],
        );
        assert_eq!(check(&set, &f), (None, vec!["tags.Env".to_string()]));
    }

    #[test]
    fn bad_lines_are_named() {
        let errors =
            parse_driftignore("ok.fine\n!\naws_instance..x\na.b c.d\nmodule.x\nx\\\n").unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6]);
        assert!(errors[1].message.contains("\\."), "{}", errors[1].message);
    }

    #[test]
    fn config_rules_need_reason_owner_and_a_key() {
        let c: IgnoreConfig =
            toml::from_str("resource_type = \"aws_instance\"\nreason = \" \"\nowner = \"net\"")
                .unwrap();
        assert!(ConfigRule::compile(&c, "x".into())
            .unwrap_err()
            .contains("reason"));
        let c: IgnoreConfig = toml::from_str("reason = \"r\"\nowner = \"net\"").unwrap();
        assert!(ConfigRule::compile(&c, "x".into())
            .unwrap_err()
            .contains("no match key"));
        assert!(
            toml::from_str::<IgnoreConfig>("resource_type = \"a\"\nowner = \"o\"")
                .unwrap_err()
                .to_string()
                .contains("reason")
        );
        let c: IgnoreConfig =
            toml::from_str("kind = \"missing\"\npath = \"tags\"\nreason = \"r\"\nowner = \"o\"")
                .unwrap();
        assert!(ConfigRule::compile(&c, "x".into())
            .unwrap_err()
            .contains("kind"));
    }

    #[test]
    fn expiry_parses_dates_and_times_and_is_checked_against_now() {
        let day = Expiry::parse("2026-12-31").unwrap();
        assert_eq!(day.at, at("2027-01-01T00:00:00Z"));
        assert!(!day.expired(at("2026-12-31T23:59:59Z")));
        assert!(day.expired(at("2027-01-01T00:00:00Z")));
        let time = Expiry::parse("2026-12-31T18:00:00+02:00").unwrap();
        assert_eq!(time.at, at("2026-12-31T16:00:00Z"));
        assert!(Expiry::parse("next week").unwrap_err().contains("RFC 3339"));
        // Quoted, or a TOML date literal.
        for text in [
            "expires = \"2026-01-01\"",
            "expires = 2026-01-01",
            "expires = 2026-01-01T00:00:00Z",
        ] {
            let c: IgnoreConfig = toml::from_str(&format!(
                "resource = \"i-1\"\nreason = \"r\"\nowner = \"o\"\n{text}"
            ))
            .unwrap();
            assert!(
                c.expires.unwrap().at <= at("2026-01-02T00:00:00Z"),
                "{text}"
            );
        }
        assert!(toml::from_str::<IgnoreConfig>(
            "resource = \"i\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"soon\""
        )
        .is_err());
    }

    #[test]
    fn expired_config_rules_stop_ignoring_and_are_reported() {
        let live = config_rule(
            "resource = \"i-1\"\nreason = \"migration\"\nowner = \"web\"\nexpires = \"2026-12-31\"",
            0,
        );
        let old = config_rule("resource_type = \"aws_vpc\"\nreason = \"legacy\"\nowner = \"net\"\nexpires = \"2026-11-01\"", 1);
        let scoped = config_rule("target = \"sandbox\"\nresource = \"x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"2020-01-01\"", 2);
        let set = IgnoreSet::new(".driftignore", vec![], vec![live, old, scoped]);
        let mut findings = vec![
            finding("aws_instance", "i-1", None, &[]),
            finding("aws_vpc", "vpc-1", None, &[]),
        ];
        let mut summary = Summary {
            missing: 2,
            ..Summary::default()
        };
        let applied = set.apply("prod", &[], &[], &mut findings, &mut summary, now());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].resource_id, "vpc-1");
        assert_eq!(applied.ignored.len(), 1);
        assert_eq!(applied.ignored[0].rule.owner.as_deref(), Some("web"));
        assert_eq!(applied.expired.len(), 1, "only this target's expired rules");
        assert_eq!(applied.expired[0].source, "driftd.toml: ignore[1]");
        assert_eq!(applied.expired[0].expires.as_deref(), Some("2026-11-01"));
        assert_eq!(summary.missing, 1);
        assert_eq!(summary.ignored.findings, 1);
        assert_eq!(set.expired_matching("prod", &findings[0], now()).len(), 1);
        // Before its expiry, the old rule ignored the VPC too.
        let mut findings = vec![finding("aws_vpc", "vpc-1", None, &[])];
        set.apply(
            "prod",
            &[],
            &[],
            &mut findings,
            &mut Summary::default(),
            at("2026-10-01T00:00:00Z"),
        );
        assert!(findings.is_empty());
    }

    #[test]
    fn a_finding_left_with_some_changes_takes_their_tiers_from_its_spec() {
        use crate::schema::{AttrSpec, RuleLayout, RuleSource, Shape, TierHint};
        static RULES: RuleLayout = RuleLayout {
            protocol: "protocol",
            from_port: "from_port",
            to_port: "to_port",
            description: "description",
            sources: &[RuleSource::Cidrs("cidr_blocks")],
            self_source: "self",
        };
        static SPEC: TypeSpec = TypeSpec {
            provider: "aws",
            resource_type: "aws_security_group",
            attrs: &[
                AttrSpec::new("ingress", Shape::RuleSet(&RULES))
                    .tier(TierHint::Always(Tier::Critical)),
                AttrSpec::new("tags", Shape::Tags).tier(TierHint::Always(Tier::Info)),
            ],
            generated_tag_prefixes: &[],
            not_compared: &[],
        };
        let set = file("aws_security_group.*.ingress\n");
        let mut sg = finding("aws_security_group", "sg-1", None, &["ingress", "tags.Env"]);
        sg.tier = Tier::Critical;
        let mut findings = vec![sg];
        let mut summary = Summary {
            changed: 1,
            ..Summary::default()
        };
        set.apply("prod", &[&SPEC], &[], &mut findings, &mut summary, now());
        assert_eq!(findings[0].changes.len(), 1);
        assert_eq!(
            findings[0].tier,
            Tier::Info,
            "the tier the spec gives a tag"
        );
    }

    #[test]
    fn apply_drops_changes_then_empty_findings_and_retiers() {
        let set = IgnoreSet::new(
            ".driftignore",
            parse_driftignore("aws_security_group.*.ingress\n").unwrap(),
            vec![config_rule(
                "path = \"tags.*\"\nreason = \"deploy tags\"\nowner = \"ci\"",
                0,
            )],
        );
        let mut sg = finding(
            "aws_security_group",
            "sg-1",
            None,
            &["ingress", "description"],
        );
        sg.tier = Tier::Critical;
        let mut findings = vec![sg, finding("aws_instance", "i-1", None, &["tags.Env"])];
        let mut summary = Summary {
            changed: 2,
            ..Summary::default()
        };
        let applied = set.apply("prod", &[], &[], &mut findings, &mut summary, now());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].changes.len(), 1);
        assert_eq!(findings[0].changes[0].path, "description");
        assert_eq!(findings[0].tier, Tier::Warning, "tier of what is left");
        assert_eq!(summary.changed, 1);
        assert_eq!(summary.ignored.findings, 1);
        assert_eq!(summary.ignored.changes, 2);
        let scopes: Vec<(IgnoreScope, &str)> = applied
            .ignored
            .iter()
            .map(|i| (i.scope, i.rule.source.as_str()))
            .collect();
        assert_eq!(
            scopes,
            vec![
                (IgnoreScope::Changes, ".driftignore:1"),
                (IgnoreScope::Changes, "driftd.toml: ignore[0]")
            ]
        );
        // The record keeps the whole finding's identity, and serializes flat.
        let v = serde_json::to_value(&applied.ignored[1]).unwrap();
        assert_eq!(v["resource_id"], "i-1");
        assert_eq!(v["scope"], "changes");
        assert_eq!(v["rule"]["owner"], "ci");
        let back: IgnoredFinding = serde_json::from_value(v).unwrap();
        assert_eq!(back, applied.ignored[1]);
    }
}
