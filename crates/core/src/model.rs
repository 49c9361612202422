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

/// Kind of a finding (see DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    Missing,
    Changed,
    Unmanaged,
    Pending,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Missing => "missing",
            FindingKind::Changed => "changed",
            FindingKind::Unmanaged => "unmanaged",
            FindingKind::Pending => "pending",
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
    pub changes: Vec<Change>,
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

/// Counts for the report header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources considered: managed (in state, in a scanned scope) plus unmanaged.
    pub resources: usize,
    /// Resources from state in a scanned scope, compared with live (missing ones included).
    pub managed: usize,
    pub changed: usize,
    pub missing: usize,
    pub unmanaged: usize,
    pub pending: usize,
    /// Share of `resources` that is managed by code, in percent, one decimal.
    pub coverage_pct: f64,
    /// Resources from state whose scope could not be listed: neither compared nor missing.
    pub not_scanned: usize,
    /// Resources from state of a type driftd does not compare yet.
    pub not_supported: usize,
    /// What ignore rules dropped (`.driftignore`, `[[ignore]]`); the kind counts above count
    /// only the findings left.
    #[serde(default)]
    pub ignored: IgnoredCount,
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
