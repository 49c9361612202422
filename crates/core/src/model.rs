//! The data model shared by readers, providers, the analyzer and the outputs.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Attribute values of one resource, keyed by Terraform attribute name. A `BTreeMap` keeps every
/// iteration (and so every report) in a deterministic order.
pub type Attrs = BTreeMap<String, Value>;

/// The value at an attribute path: a top-level name (`machine_type`), or a dotted path into nested
/// blocks and maps as Terraform names them (`boot_disk.0.initialize_params.0.image`, `tags.Name`),
/// where a number indexes a list of blocks.
///
/// `None` means the value is unknown: the top-level attribute is missing (a state written by an
/// older provider schema), or a block that exists does not set the key (a code block leaving a
/// computed argument to the provider). A block index past the end of its list means the block is
/// not there, so the value is absent: `Some(&Value::Null)`. An empty `service_account` list in
/// state expects no service account, where a missing `service_account` attribute expects nothing.
pub fn attr_at<'a>(attrs: &'a Attrs, path: &str) -> Option<&'a Value> {
    static ABSENT: Value = Value::Null;
    // A name that is itself dotted (a Kubernetes field path, `spec.replicas`) is one attribute.
    if let Some(v) = attrs.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut v = attrs.get(parts.next()?)?;
    for p in parts {
        v = match v {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => match p.parse::<usize>() {
                Ok(i) => a.get(i).unwrap_or(&ABSENT),
                Err(_) => return None,
            },
            Value::Null => return Some(&ABSENT),
            _ => return None,
        };
    }
    Some(v)
}

/// Removes the value at an attribute path (see [`attr_at`]), if it is there.
pub fn remove_attr_at(attrs: &mut Attrs, path: &str) {
    if attrs.remove(path).is_some() {
        return;
    }
    let Some((head, rest)) = path.split_once('.') else {
        return;
    };
    let mut v = match attrs.get_mut(head) {
        Some(v) => v,
        None => return,
    };
    let mut parts = rest.split('.').peekable();
    while let Some(p) = parts.next() {
        let last = parts.peek().is_none();
        match v {
            Value::Object(m) if last => {
                m.remove(p);
                return;
            }
            Value::Object(m) => match m.get_mut(p) {
                Some(next) => v = next,
                None => return,
            },
            Value::Array(a) => match p.parse::<usize>().ok().filter(|i| *i < a.len()) {
                Some(i) if last => {
                    a.remove(i);
                    return;
                }
                Some(i) => v = &mut a[i],
                None => return,
            },
            _ => return,
        }
    }
}

/// Identity of a resource: unique within one target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceKey {
    /// Provider name, for example `aws`.
    pub provider: String,
    /// Terraform resource type, for example `aws_instance`.
    pub resource_type: String,
    /// The cloud's id (`i-0abc...`), as Terraform stores it in the `id` attribute.
    pub id: String,
}

impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.resource_type, self.id)
    }
}

/// One resource as one view (state or live) sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub key: ResourceKey,
    /// Terraform address (`module.net.aws_vpc.main`, `aws_instance.web[0]`), when from state.
    pub address: Option<String>,
    /// Region (or zone scope) the resource lives in, when known.
    pub region: Option<String>,
    /// Where this view came from: a state file path for expected resources.
    pub source: Option<String>,
    /// Created by the cloud itself (default VPC, default security group, an instance's root
    /// volume): never reported as unmanaged unless the target asks for it.
    pub cloud_default: bool,
    pub attrs: Attrs,
}

impl Resource {
    pub fn new(provider: &str, resource_type: &str, id: impl Into<String>) -> Self {
        Resource {
            key: ResourceKey {
                provider: provider.to_string(),
                resource_type: resource_type.to_string(),
                id: id.into(),
            },
            address: None,
            region: None,
            source: None,
            cloud_default: false,
            attrs: Attrs::new(),
        }
    }
}

/// Kind of a finding (see docs/report-schema.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    Missing,
    Changed,
    Unmanaged,
    Pending,
    /// A resource (managed or not) that breaks a policy: see [`PolicyHit`].
    Violation,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Missing => "missing",
            FindingKind::Changed => "changed",
            FindingKind::Unmanaged => "unmanaged",
            FindingKind::Pending => "pending",
            FindingKind::Violation => "violation",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Alert tier. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Info,
    Warning,
    Critical,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Info => "info",
            Tier::Warning => "warning",
            Tier::Critical => "critical",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Tier::Info),
            "warning" => Ok(Tier::Warning),
            "critical" => Ok(Tier::Critical),
            other => Err(format!(
                "unknown tier `{other}`: expected one of critical, warning, info"
            )),
        }
    }
}

/// How one attribute changed between expected and actual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    /// Present live, absent from the expected view (a tag or a rule added out of band).
    Add,
    /// Expected, absent live.
    Remove,
    /// Present in both with different values.
    Replace,
}

/// An attribute-level difference inside a `changed` finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Terraform attribute path: `instance_type`, `tags.Env`, `ingress`.
    pub path: String,
    pub op: ChangeOp,
    pub expected: Value,
    pub actual: Value,
    /// Where `expected` came from when the target reads code as well as state: `state` (the code
    /// leaves the value to something known only after apply, or does not set it), `code` (a
    /// `pending` change: the code's value, not applied yet), or `both` (code and state agree).
    /// Absent when only state was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_from: Option<ExpectedFrom>,
    /// The code's value when it differs from both state and live: someone changed the resource
    /// out of band *and* the code wants yet another value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<Value>,
}

impl Change {
    /// A change between state and live, before the code is read (no `expected_from`, no `code`).
    pub fn new(path: impl Into<String>, op: ChangeOp, expected: Value, actual: Value) -> Change {
        Change {
            path: path.into(),
            op,
            expected,
            actual,
            expected_from: None,
            code: None,
        }
    }
}

/// The source of a change's expected value (see [`Change::expected_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedFrom {
    Code,
    State,
    Both,
}

impl ExpectedFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedFrom::Code => "code",
            ExpectedFrom::State => "state",
            ExpectedFrom::Both => "both",
        }
    }
}

/// One finding: one resource, one kind, with attribute changes for `changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub fingerprint: String,
    pub kind: FindingKind,
    pub tier: Tier,
    pub provider: String,
    pub resource_type: String,
    pub resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What compared the resource: driftd's own reader of the provider's API, or Terraform's
    /// plan. Written only for the plan, so that native findings (and every outbox row and
    /// webhook body made from them) keep the form they always had.
    #[serde(default, skip_serializing_if = "Engine::is_native")]
    pub engine: Engine,
    pub changes: Vec<Change>,
    /// For a `violation`: the policy broken and what it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyHit>,
}

/// The policy a `violation` finding breaks, and its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyHit {
    /// The policy's id (`aws-sg-admin-open`, or the Rego package of a policy without one).
    pub id: String,
    pub title: String,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Who owns the policy (a team), from the config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The `.rego` file, as the config names it; absent for the built-in pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What the rule said, one entry per message, in order.
    pub messages: Vec<PolicyMessage>,
}

impl PolicyHit {
    /// Its messages on one line: `port 22 (tcp) is open to 0.0.0.0/0; port 3389 ...`.
    pub fn messages_text(&self) -> String {
        let texts: Vec<&str> = self.messages.iter().map(|m| m.text.as_str()).collect();
        texts.join("; ")
    }
}

/// One message of a policy rule, with the input value it is about when the rule names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyMessage {
    pub text: String,
    /// The attribute path the message is about (`ingress`, `tags`), when the rule says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The resource's value at `path` when the policy was evaluated (`driftd explain` shows
    /// it), when there is one; a long value is replaced by its size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

/// The engine that compared a resource with reality.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// driftd's own listing of the provider's API, compared with state.
    #[default]
    Native,
    /// Terraform's (or OpenTofu's) plan: its refresh compared the resource.
    Plan,
}

impl Engine {
    pub fn is_native(&self) -> bool {
        *self == Engine::Native
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::Plan => "plan",
        }
    }
}

/// Stable identity of a finding across scans and restarts: target, provider, type, id, kind.
/// Used for history, dedup and PagerDuty `dedup_key`s, so it must never change shape.
pub fn fingerprint(target: &str, key: &ResourceKey, kind: FindingKind) -> String {
    let mut h = Sha256::new();
    for part in [
        target,
        &key.provider,
        &key.resource_type,
        &key.id,
        kind.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The fingerprint of a violation: [`fingerprint`] of kind `violation`, and the policy's id, so
/// that each policy a resource breaks is its own finding with its own history.
pub fn violation_fingerprint(target: &str, key: &ResourceKey, policy: &str) -> String {
    let base = fingerprint(target, key, FindingKind::Violation);
    let mut h = Sha256::new();
    h.update(base.as_bytes());
    h.update([0u8]);
    h.update(policy.as_bytes());
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A resource type in a scope (region) that could not be listed, or could be listed only in part.
/// Its resources are "not scanned", never "missing".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub provider: String,
    pub resource_type: String,
    /// Region or other scope; `*` when the whole type was skipped.
    pub scope: String,
    /// Set when only one attribute could not be read (it is then left out of the comparison);
    /// the resources themselves were listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    pub reason: String,
}

/// Counts for the report header (docs/report-schema.md).
///
/// Every resource driftd knows of is counted once: either compared (`managed` + `unmanaged`)
/// or not compared, for one reason (`not_scanned`, `not_supported`, `not_evaluated`,
/// `not_matched`). `coverage_pct` is the compared share of the whole; a resource that was not
/// compared is never counted as in sync.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources compared: managed plus unmanaged (the same number as `compared`).
    pub resources: usize,
    /// Resources from state in a scanned scope, compared with live (missing ones included).
    pub managed: usize,
    pub changed: usize,
    pub missing: usize,
    pub unmanaged: usize,
    pub pending: usize,
    /// Policy violations (of managed and unmanaged resources alike); not a coverage count.
    #[serde(default)]
    pub violations: usize,
    /// `compared` / `total`, in percent, one decimal, rounded down (so that 100.0 means that
    /// nothing was left out); 100 when there is nothing at all.
    pub coverage_pct: f64,
    /// Resources from state whose scope could not be listed (or that this target does not
    /// list): neither compared nor missing.
    pub not_scanned: usize,
    /// Resources from state of a type driftd does not compare yet.
    pub not_supported: usize,
    /// What ignore rules dropped (`.driftignore`, `[[ignore]]`); the kind counts above count
    /// only the findings left.
    #[serde(default)]
    pub ignored: IgnoredCount,
    /// Resources compared with live: `managed` + `unmanaged`.
    #[serde(default)]
    pub compared: usize,
    /// Resources under a module call or resource block the code alone cannot expand (a
    /// `count` known only after apply, a module not on disk) that showed no drift, plus one
    /// per such block with nothing in state: whether they are in sync is not known.
    #[serde(default)]
    pub not_evaluated: usize,
    /// Code resources without state that could not be matched to one live resource (no
    /// identity value, or several live resources with it).
    #[serde(default)]
    pub not_matched: usize,
    /// `not_scanned` + `not_supported` + `not_evaluated` + `not_matched`; listed by type and
    /// reason in the report's `not_compared`.
    #[serde(default)]
    pub not_compared: usize,
    /// `compared` + `not_compared`: everything the scan knows of.
    #[serde(default)]
    pub total: usize,
    /// Of `compared`, the resources Terraform's plan compared (engine `plan`).
    #[serde(default)]
    pub plan_compared: usize,
}

impl Summary {
    /// The count of findings of `kind`.
    pub fn count_mut(&mut self, kind: FindingKind) -> &mut usize {
        match kind {
            FindingKind::Changed => &mut self.changed,
            FindingKind::Missing => &mut self.missing,
            FindingKind::Unmanaged => &mut self.unmanaged,
            FindingKind::Pending => &mut self.pending,
            FindingKind::Violation => &mut self.violations,
        }
    }

    /// Sets the not-compared counts from the entries that list them, and the totals and
    /// coverage from those and `compared`.
    pub fn recount(&mut self, not_compared: &[NotCompared]) {
        let sum = |kind: NotComparedKind| -> usize {
            not_compared
                .iter()
                .filter(|e| e.category == kind)
                .map(|e| e.count)
                .sum()
        };
        self.not_scanned = sum(NotComparedKind::NotScanned);
        self.not_supported = sum(NotComparedKind::NotSupported);
        self.not_evaluated = sum(NotComparedKind::NotEvaluated);
        self.not_matched = sum(NotComparedKind::NotMatched);
        self.not_compared =
            self.not_scanned + self.not_supported + self.not_evaluated + self.not_matched;
        self.resources = self.compared;
        self.total = self.compared + self.not_compared;
        self.coverage_pct = coverage_pct(self.compared, self.total);
    }

    /// The compared share in percent, unrounded (for a `--require-coverage` threshold);
    /// 100 when there is nothing.
    pub fn coverage_exact(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.compared as f64 * 100.0 / self.total as f64
        }
    }
}

/// `compared / total` in percent with one decimal, rounded down: 100.0 only when nothing was
/// left out. 100 when `total` is 0.
pub fn coverage_pct(compared: usize, total: usize) -> f64 {
    if total == 0 {
        return 100.0;
    }
    // Integer arithmetic: no float rounding can lift 99.95 to 100.0.
    ((compared as u128 * 1000) / total as u128) as f64 / 10.0
}

/// Why a resource was not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotComparedKind {
    /// Its scope could not be listed, or the target does not list it.
    NotScanned,
    /// driftd does not compare its type yet.
    NotSupported,
    /// The code that declares it could not be evaluated.
    NotEvaluated,
    /// Code without state that matches no single live resource.
    NotMatched,
}

impl NotComparedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotComparedKind::NotScanned => "not_scanned",
            NotComparedKind::NotSupported => "not_supported",
            NotComparedKind::NotEvaluated => "not_evaluated",
            NotComparedKind::NotMatched => "not_matched",
        }
    }

    /// In a sentence: "not scanned", "type not compared yet".
    pub fn label(self) -> &'static str {
        match self {
            NotComparedKind::NotScanned => "not scanned",
            NotComparedKind::NotSupported => "type not compared yet",
            NotComparedKind::NotEvaluated => "not evaluated from code",
            NotComparedKind::NotMatched => "not matched to a live resource",
        }
    }
}

impl fmt::Display for NotComparedKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resources of one type that were not compared, for one reason: neither drift nor in sync.
/// Entries that differ only in `count` are merged ([`merge_not_compared`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NotCompared {
    pub category: NotComparedKind,
    pub provider: String,
    /// Absent for a module call whose resources are not known at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The region (or other scope) when the reason is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The Terraform address of the block that could not be evaluated or matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// `file:line` of that block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why, in words a person can act on.
    pub reason: String,
    /// How many resources: state resources, or 1 for a block of code with nothing in state.
    pub count: usize,
}

impl NotCompared {
    /// An entry of one resource, for no other reason than `category`'s.
    pub fn new(
        category: NotComparedKind,
        provider: &str,
        resource_type: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        NotCompared {
            category,
            provider: provider.to_string(),
            resource_type: resource_type.map(str::to_string),
            scope: None,
            address: None,
            source: None,
            reason: reason.into(),
            count: 1,
        }
    }

    pub fn with_scope(mut self, scope: Option<&str>) -> Self {
        self.scope = scope.map(str::to_string);
        self
    }

    pub fn at(mut self, address: Option<&str>, source: Option<&str>) -> Self {
        self.address = address.map(str::to_string);
        self.source = source.map(str::to_string);
        self
    }

    /// The reason of a state resource whose type driftd does not compare.
    pub const UNSUPPORTED: &'static str = "driftd does not compare this type yet";

    /// "aws_db_instance", "module.vpc (whole module)".
    pub fn what(&self) -> String {
        match (&self.resource_type, &self.address) {
            (Some(t), _) => t.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => "(unknown)".into(),
        }
    }
}

/// Sorts entries and merges those that differ only in their count.
pub fn merge_not_compared(entries: &mut Vec<NotCompared>) {
    // The derived order compares every field before `count`.
    entries.sort();
    entries.dedup_by(|next, kept| {
        let same = next.category == kept.category
            && next.provider == kept.provider
            && next.resource_type == kept.resource_type
            && next.scope == kept.scope
            && next.address == kept.address
            && next.source == kept.source
            && next.reason == kept.reason;
        if same {
            kept.count += next.count;
        }
        same
    });
}

/// Findings and changes dropped by ignore rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredCount {
    /// Findings not reported: a whole-resource rule matched, or all their changes were ignored.
    pub findings: usize,
    /// Changes dropped by attribute rules (from reported findings and from dropped ones).
    pub changes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(v: Value) -> Attrs {
        serde_json::from_value(v).expect("attribute map")
    }

    #[test]
    fn attribute_paths_walk_blocks_and_maps() {
        let a = attrs(json!({
            "machine_type": "e2-small",
            "boot_disk": [{"initialize_params": [{"image": "debian-12"}]}],
            "service_account": [],
            "tags": {"Name": "web"},
            "network_interface": [{"network": "default"}],
        }));
        assert_eq!(attr_at(&a, "machine_type"), Some(&json!("e2-small")));
        assert_eq!(
            attr_at(&a, "boot_disk.0.initialize_params.0.image"),
            Some(&json!("debian-12"))
        );
        assert_eq!(attr_at(&a, "tags.Name"), Some(&json!("web")));
        // A block that is not there: absent.
        assert_eq!(attr_at(&a, "service_account.0.email"), Some(&Value::Null));
        assert_eq!(attr_at(&a, "boot_disk.1.source"), Some(&Value::Null));
        // Unknown: no such top-level attribute, or a block that leaves the key unset.
        assert_eq!(attr_at(&a, "labels.env"), None);
        assert_eq!(attr_at(&a, "network_interface.0.network_ip"), None);
        assert_eq!(attr_at(&a, "tags.Owner"), None);
        assert_eq!(attr_at(&a, "boot_disk.first"), None);
        // A dotted name of its own is one attribute.
        let k = attrs(json!({"spec.replicas": 2}));
        assert_eq!(attr_at(&k, "spec.replicas"), Some(&json!(2)));
    }

    #[test]
    fn removing_a_path_leaves_the_rest() {
        let mut a = attrs(json!({
            "boot_disk": [{"initialize_params": [{"image": "debian-12", "size": 10}]}],
            "name": "web",
        }));
        remove_attr_at(&mut a, "boot_disk.0.initialize_params.0.image");
        remove_attr_at(&mut a, "service_account.0.email");
        remove_attr_at(&mut a, "boot_disk.3.source");
        assert_eq!(
            Value::Object(a.clone().into_iter().collect()),
            json!({"boot_disk": [{"initialize_params": [{"size": 10}]}], "name": "web"})
        );
        remove_attr_at(&mut a, "name");
        assert!(!a.contains_key("name"));
    }
}
