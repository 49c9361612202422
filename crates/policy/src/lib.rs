//! Policies over the live inventory: Rego rules, evaluated with [regorus] over every resource a
//! scan lists, managed or not, and turned into findings of kind `violation`.
//!
//! A policy is a Rego package. Its rules named `deny`, `violation` (both: breaks the policy) and
//! `warn` (info unless the config says otherwise), the names Conftest uses, hold messages: a
//! string, or an object with `msg` and optionally `path` (the attribute it is about) and, for a
//! rule over the whole inventory, `resource` (`{"type": ..., "id": ...}`). A package may describe
//! itself in `__rego_metadata__` (`id`, `title`, `tier` or `severity`, `remediation`, `types`,
//! `scope`). The input document of each resource is built by [`input::resource`]; rules with
//! `scope: "inventory"` get every resource of their `types` at once ([`input::inventory`]).
//! Settings of the built-in pack (administrative ports, required tags) are in
//! `data.driftd.settings`.
//!
//! Everything is loaded and compiled once ([`PolicySet::load`]), then evaluated for a scan
//! ([`PolicySet::evaluate`]) on one thread; one evaluation is bounded in time, and a rule that
//! fails or runs too long is reported for its policy without stopping the others.

pub mod builtin;
pub mod input;
pub mod rego_test;

use driftd_core::{
    violation_fingerprint, Finding, FindingKind, PolicyHit, PolicyMessage, Resource, ResourceKey,
    Tier,
};
use regorus::Value as RegoValue;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The largest `.rego` file read.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most `.rego` files one `[[policy]]` directory may hold.
const MAX_FILES: usize = 2000;
/// The longest one evaluation (one policy over one resource, or over the inventory) may run.
const EVAL_LIMIT: Duration = Duration::from_secs(2);
/// The most messages one policy may report for one resource.
const MAX_MESSAGES: usize = 50;

/// The Rego rules that report violations, with the tier each implies when the policy names
/// none.
const RULES: [(&str, Tier); 3] = [
    ("deny", Tier::Warning),
    ("violation", Tier::Warning),
    ("warn", Tier::Info),
];

/// Why policies could not be loaded. Messages name the file and, for syntax errors, the line and
/// column (`path:line:col: message`).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Syntax(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Which resources a policy applies to; empty lists match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    pub providers: Vec<String>,
    /// Resource types, as globs (`aws_s3_*`).
    pub types: Vec<glob::Pattern>,
    /// Targets, as globs.
    pub targets: Vec<glob::Pattern>,
}

impl Selector {
    fn matches(&self, target: &str, key: &ResourceKey) -> bool {
        (self.providers.is_empty() || self.providers.contains(&key.provider))
            && (self.types.is_empty() || self.types.iter().any(|p| p.matches(&key.resource_type)))
            && self.matches_target(target)
    }

    fn matches_target(&self, target: &str) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|p| p.matches(target))
    }
}

/// One `[[policy]]` of the config: a `.rego` file or a directory of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySource {
    /// As the config names it (shown in findings and errors).
    pub path: PathBuf,
    pub selector: Selector,
    /// Overrides the tier the policy names.
    pub tier: Option<Tier>,
    pub owner: Option<String>,
}

/// What a scan evaluates: the built-in pack (less the rules turned off) and the config's
/// policies, with the settings the built-in rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOptions {
    pub builtin: bool,
    /// Ids of built-in rules turned off.
    pub disabled: BTreeSet<String>,
    /// Tag (label) keys every resource with tags must carry; the `required-tags` rule is off
    /// while this is empty.
    pub required_tags: Vec<String>,
    /// Ports the "open to the internet" rules treat as administrative.
    pub admin_ports: Vec<u16>,
    pub sources: Vec<PolicySource>,
}

impl Default for PolicyOptions {
    /// The built-in pack off (see `[policies] builtin`), with its default settings.
    fn default() -> Self {
        PolicyOptions {
            builtin: false,
            disabled: BTreeSet::new(),
            required_tags: Vec::new(),
            admin_ports: builtin::ADMIN_PORTS.to_vec(),
            sources: Vec::new(),
        }
    }
}

/// A package being loaded: the config entry and file that first defined it (`None`: the
/// built-in pack), and the reporting rules its files declare.
type Package = (Option<usize>, String, Vec<(&'static str, Tier)>);

/// A message and the resource (type, id) it names, if any.
type Said = (PolicyMessage, Option<(String, String)>);

/// What a policy says of itself (`__rego_metadata__`), completed from the config.
#[derive(Debug, Clone)]
struct Meta {
    id: String,
    title: String,
    tier: Option<Tier>,
    remediation: Option<String>,
    /// Resource types the policy looks at (globs); every type when empty.
    types: Vec<glob::Pattern>,
    inventory: bool,
}

/// One loaded policy: a Rego package and what applies it.
#[derive(Debug, Clone)]
struct Policy {
    /// `data.driftd.builtin.aws_sg_admin_open`
    package: String,
    meta: Meta,
    /// Which of [`RULES`] the package defines.
    rules: Vec<(&'static str, Tier)>,
    selector: Selector,
    tier: Option<Tier>,
    owner: Option<String>,
    /// The file, as the config names it; `None` for the built-in pack.
    file: Option<String>,
}

/// Policies loaded and compiled, ready to evaluate scans.
#[derive(Clone)]
pub struct PolicySet {
    engine: regorus::Engine,
    policies: Vec<Policy>,
}

/// What evaluating a scan's resources gave.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// One finding per policy and resource broken.
    pub findings: Vec<Finding>,
    /// Policies that failed to evaluate (a runtime error, a time limit), with the reason: their
    /// violations are unknown, never "none".
    pub errors: Vec<(String, String)>,
    /// Evaluations run (policy × resource, plus one per inventory policy).
    pub evaluations: usize,
}

/// A resource to evaluate: the live view, and what state or code expects when it is managed.
pub struct Subject<'a> {
    pub live: &'a Resource,
    pub expected: Option<&'a Resource>,
    /// Its drift finding, if any.
    pub finding: Option<&'a Finding>,
}

impl PolicySet {
    /// Loads the built-in pack and the config's policy files. Syntax errors name the file, line
    /// and column.
    pub fn load(opts: &PolicyOptions) -> Result<PolicySet, PolicyError> {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: EVAL_LIMIT,
            check_interval: std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN),
        });
        let mut files: Vec<(Option<usize>, String, String)> = Vec::new();
        if opts.builtin {
            for (name, text) in builtin::FILES {
                files.push((None, format!("builtin/{name}"), text.to_string()));
            }
        }
        for (i, source) in opts.sources.iter().enumerate() {
            for path in rego_files(&source.path)? {
                let text = read(&path)?;
                files.push((Some(i), path.display().to_string(), text));
            }
        }
        // Package → the entry and file that first defined it, and the reporting rules its
        // files declare.
        let mut packages: BTreeMap<String, Package> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (source, path, text) in files {
            if !seen.insert(path.clone()) {
                continue;
            }
            let package = add_policy(&mut engine, &path, text)?;
            let declared: Vec<(&'static str, Tier)> = RULES
                .into_iter()
                .filter(|(rule, _)| {
                    engine
                        .has_declared_rule_rooted_at(&path, rule)
                        .unwrap_or(false)
                })
                .collect();
            let entry = packages
                .entry(package)
                .or_insert_with(|| (source, path, Vec::new()));
            for r in declared {
                if !entry.2.contains(&r) {
                    entry.2.push(r);
                }
            }
        }
        let settings = json!({"driftd": {"settings": {
            "admin_ports": opts.admin_ports,
            "required_tags": opts.required_tags,
        }}});
        engine
            .add_data(to_rego(&settings))
            .map_err(|e| PolicyError::Syntax(format!("policy settings: {e}")))?;

        let mut policies = Vec::new();
        for (package, (source, path, rules)) in packages {
            if rules.is_empty() {
                // A helper package (functions only): nothing to report.
                continue;
            }
            let meta = metadata(&mut engine, &package, &path)?;
            if source.is_none() && opts.disabled.contains(&meta.id) {
                continue;
            }
            if source.is_none()
                && meta.id == builtin::REQUIRED_TAGS
                && opts.required_tags.is_empty()
            {
                continue;
            }
            let (selector, tier, owner, file) = match source.map(|i| &opts.sources[i]) {
                Some(s) => (s.selector.clone(), s.tier, s.owner.clone(), Some(path)),
                None => (Selector::default(), None, None, None),
            };
            policies.push(Policy {
                package,
                meta,
                rules,
                selector,
                tier,
                owner,
                file,
            });
        }
        Ok(PolicySet { engine, policies })
    }

    /// The ids of the policies loaded, in order.
    pub fn ids(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.meta.id.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Evaluates every policy over the resources of one target's scan.
    pub fn evaluate(&mut self, target: &str, subjects: &[Subject<'_>]) -> Evaluation {
        let mut out = Evaluation::default();
        let docs: Vec<Value> = subjects
            .iter()
            .map(|s| input::resource(target, s))
            .collect();
        let policies = self.policies.clone();
        for policy in &policies {
            if !policy.selector.matches_target(target) {
                continue;
            }
            if policy.meta.inventory {
                let chosen: Vec<usize> = (0..subjects.len())
                    .filter(|&i| applies_to(policy, target, &subjects[i]))
                    .collect();
                if chosen.is_empty() {
                    continue;
                }
                let doc = input::inventory(target, chosen.iter().map(|&i| &docs[i]));
                out.evaluations += 1;
                match self.messages(policy, doc) {
                    Ok(messages) => {
                        let mut by_resource: BTreeMap<usize, Vec<PolicyMessage>> = BTreeMap::new();
                        for (m, resource) in messages {
                            let found = resource.and_then(|(t, id)| {
                                chosen.iter().copied().find(|&i| {
                                    subjects[i].live.key.resource_type == t
                                        && subjects[i].live.key.id == id
                                })
                            });
                            match found {
                                Some(i) => by_resource.entry(i).or_default().push(m),
                                None => out.errors.push((
                                    policy.meta.id.clone(),
                                    format!(
                                        "a message names no resource of the inventory (it \
                                         needs \"resource\": {{\"type\": ..., \"id\": ...}}): {}",
                                        m.text
                                    ),
                                )),
                            }
                        }
                        for (i, messages) in by_resource {
                            out.findings
                                .push(finding(target, policy, &subjects[i], messages));
                        }
                    }
                    Err(e) => out.errors.push((policy.meta.id.clone(), e)),
                }
                continue;
            }
        }
        // Resource policies: each resource's input is converted and set once, then every policy
        // that applies to it is evaluated.
        let resource_policies: Vec<&Policy> = policies
            .iter()
            .filter(|p| !p.meta.inventory && p.selector.matches_target(target))
            .collect();
        let mut failed: BTreeSet<String> = BTreeSet::new();
        for (i, s) in subjects.iter().enumerate() {
            let applicable: Vec<&Policy> = resource_policies
                .iter()
                .copied()
                .filter(|p| !failed.contains(&p.meta.id) && applies_to(p, target, s))
                .collect();
            if applicable.is_empty() {
                continue;
            }
            self.engine.set_input(to_rego(&docs[i]));
            for policy in applicable {
                out.evaluations += 1;
                match self.rule_messages(policy) {
                    Ok(messages) if messages.is_empty() => {}
                    Ok(messages) => {
                        let messages = messages.into_iter().map(|(m, _)| m).collect();
                        out.findings.push(finding(target, policy, s, messages));
                    }
                    Err(e) => {
                        // One failure per policy is enough to say it is not evaluated.
                        failed.insert(policy.meta.id.clone());
                        out.errors.push((policy.meta.id.clone(), e));
                    }
                }
            }
        }
        out
    }

    /// The messages of one policy's rules over one input document, with the resource each
    /// names (inventory policies).
    fn messages(&mut self, policy: &Policy, input: Value) -> Result<Vec<Said>, String> {
        self.engine.set_input(to_rego(&input));
        self.rule_messages(policy)
    }

    /// The messages of one policy's rules over the input already set.
    fn rule_messages(&mut self, policy: &Policy) -> Result<Vec<Said>, String> {
        let mut out = Vec::new();
        for (rule, _) in &policy.rules {
            let value = self
                .engine
                .eval_rule(format!("{}.{rule}", policy.package))
                .map_err(|e| eval_error(&e.to_string()))?;
            let value = from_rego(&value);
            let items: Vec<Value> = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                Value::Bool(false) => Vec::new(),
                other => vec![other],
            };
            for item in items.into_iter().take(MAX_MESSAGES) {
                out.push(message(item));
            }
        }
        out.sort_by(|a, b| a.0.text.cmp(&b.0.text));
        out.dedup_by(|a, b| a.0.text == b.0.text && a.1 == b.1);
        Ok(out)
    }
}

/// Whether `policy` looks at resource `s` of `target`: its selector and its metadata's types.
fn applies_to(policy: &Policy, target: &str, s: &Subject<'_>) -> bool {
    policy.selector.matches(target, &s.live.key)
        && (policy.meta.types.is_empty()
            || policy
                .meta
                .types
                .iter()
                .any(|t| t.matches(&s.live.key.resource_type)))
}

/// A package's `__rego_metadata__`, with defaults: the package name as id and title.
fn metadata(engine: &mut regorus::Engine, package: &str, path: &str) -> Result<Meta, PolicyError> {
    let name = package.trim_start_matches("data.").to_string();
    engine.set_input(RegoValue::new_object());
    let raw = engine
        .eval_rule(format!("{package}.__rego_metadata__"))
        .map(|v| from_rego(&v))
        .unwrap_or(Value::Null);
    let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
    let invalid = |message: String| PolicyError::Invalid {
        path: path.to_string(),
        message,
    };
    let tier = match text("tier").or_else(|| text("severity")) {
        None => None,
        Some(t) => Some(tier_of(&t).ok_or_else(|| {
            invalid(format!(
                "__rego_metadata__: `{t}` is not a tier: use critical, warning or info (or a \
                 severity: CRITICAL, HIGH, MEDIUM, LOW)"
            ))
        })?),
    };
    let mut types = Vec::new();
    for t in raw
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let t = t.as_str().unwrap_or_default();
        types.push(glob::Pattern::new(t).map_err(|e| {
            invalid(format!(
                "__rego_metadata__.types: `{t}` is not a valid glob: {e}"
            ))
        })?);
    }
    let inventory = match text("scope").as_deref() {
        None | Some("resource") => false,
        Some("inventory") => true,
        Some(other) => {
            return Err(invalid(format!(
                "__rego_metadata__.scope: `{other}` is not a scope: use \"resource\" (the \
                 default) or \"inventory\""
            )))
        }
    };
    Ok(Meta {
        id: text("id").unwrap_or_else(|| name.clone()),
        title: text("title").unwrap_or(name),
        tier,
        remediation: text("remediation"),
        types,
        inventory,
    })
}

/// A tier from a policy's words: driftd's tiers, or the severities of Conftest/Trivy policies.
pub fn tier_of(s: &str) -> Option<Tier> {
    match s.to_ascii_lowercase().as_str() {
        "critical" | "high" => Some(Tier::Critical),
        "warning" | "medium" => Some(Tier::Warning),
        "info" | "low" | "note" => Some(Tier::Info),
        _ => None,
    }
}

/// One message as a rule wrote it: a string, or an object with `msg` (or `message`), `path`
/// and `resource`.
fn message(item: Value) -> Said {
    let (text, path, resource) = match &item {
        Value::String(s) => (s.clone(), None, None),
        Value::Object(o) => {
            let text = o
                .get("msg")
                .or_else(|| o.get("message"))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| item.to_string());
            let path = o.get("path").map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .map(|p| match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("."),
                other => other.to_string(),
            });
            let resource = o.get("resource").and_then(|r| {
                Some((
                    r.get("type")?.as_str()?.to_string(),
                    r.get("id")?.as_str()?.to_string(),
                ))
            });
            (text, path, resource)
        }
        other => (other.to_string(), None, None),
    };
    (PolicyMessage { text, path }, resource)
}

/// The finding of one policy broken by one resource.
fn finding(
    target: &str,
    policy: &Policy,
    s: &Subject<'_>,
    messages: Vec<PolicyMessage>,
) -> Finding {
    let key = &s.live.key;
    let tier = policy.tier.or(policy.meta.tier).unwrap_or_else(|| {
        // The rule's own default: `warn` is info.
        policy
            .rules
            .iter()
            .map(|(_, t)| *t)
            .max()
            .unwrap_or(Tier::Warning)
    });
    Finding {
        fingerprint: violation_fingerprint(target, key, &policy.meta.id),
        kind: FindingKind::Violation,
        tier,
        provider: key.provider.clone(),
        resource_type: key.resource_type.clone(),
        resource_id: key.id.clone(),
        address: s.expected.and_then(|e| e.address.clone()),
        region: s.live.region.clone(),
        source: s.expected.and_then(|e| e.source.clone()),
        engine: Default::default(),
        changes: Vec::new(),
        policy: Some(PolicyHit {
            id: policy.meta.id.clone(),
            title: policy.meta.title.clone(),
            remediation: policy.meta.remediation.clone(),
            owner: policy.owner.clone(),
            file: policy.file.clone(),
            messages,
        }),
    }
}

/// Adds one policy text; a syntax error as `file:line:col: message`. Rego v1 (OPA 1.0 and
/// later, Conftest 0.56 and later) first; a file that only parses as Rego v0 (`deny[msg] {`) is
/// read as such, as older Conftest policies are written.
fn add_policy(
    engine: &mut regorus::Engine,
    path: &str,
    text: String,
) -> Result<String, PolicyError> {
    let v1 = match engine.add_policy(path.to_string(), text.clone()) {
        Ok(package) => return Ok(package),
        Err(e) => e,
    };
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(path.to_string(), text);
    engine.set_rego_v0(false);
    v0.map_err(|_| PolicyError::Syntax(syntax_message(path, &v1.to_string())))
}

/// regorus's error (`path:line:col: error: message` and a source excerpt) as one line that
/// names the file, line and column.
fn syntax_message(path: &str, raw: &str) -> String {
    let line = first_line(raw);
    if line.starts_with(path) {
        line.replacen(": error:", ":", 1)
    } else {
        format!("{path}: {line}")
    }
}

/// regorus's runtime error (`--> file:line:col`, the source line, then `error: message`) as one
/// line: `file:line:col: message`.
fn eval_error(raw: &str) -> String {
    let at = raw
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(str::to_string);
    let message = raw
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| first_line(raw));
    match at {
        Some(at) => format!("{at}: {message}"),
        None => message,
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The `.rego` files of a config entry: the file itself, or every `.rego` file under the
/// directory (tests, `*_test.rego`, left out), sorted.
fn rego_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| PolicyError::Read {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| PolicyError::Read {
            path: dir.display().to_string(),
            reason: io_reason(&e),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rego")
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with("_test.rego"))
            {
                out.push(p);
            }
            if out.len() > MAX_FILES {
                return Err(PolicyError::Invalid {
                    path: shown,
                    message: format!(
                        "more than {MAX_FILES} .rego files: name the directories that hold \
                         policies"
                    ),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(PolicyError::Invalid {
            path: shown,
            message: "no .rego file in this directory".into(),
        });
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<String, PolicyError> {
    let shown = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| PolicyError::Read {
            path: shown.clone(),
            reason: io_reason(&e),
        })?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(PolicyError::Invalid {
            path: shown,
            message: format!("{len} bytes, more than the {MAX_FILE_BYTES} a policy file may have"),
        });
    }
    std::fs::read_to_string(path).map_err(|e| PolicyError::Read {
        path: shown,
        reason: io_reason(&e),
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A JSON value as a Rego value.
pub(crate) fn to_rego(v: &Value) -> RegoValue {
    RegoValue::from(v.clone())
}

/// A Rego value as JSON: sets become arrays, undefined becomes null.
pub(crate) fn from_rego(v: &RegoValue) -> Value {
    match v {
        RegoValue::Undefined => Value::Null,
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests;
