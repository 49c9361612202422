//! Per-type comparison specs: which attributes are compared and how each is normalized.
//!
//! Normalization removes what is not real drift: ordering of sets, duplicate set members,
//! cloud-generated tags, a state attribute that stands in for another, empty vs absent, the many
//! equivalent ways of writing one firewall rule, and the canonical forms of values that APIs and
//! Terraform spell differently (numbers written as strings, enums in another case, CIDRs with host
//! bits or uncompressed IPv6, JSON policy documents with other whitespace, key order or list
//! forms). It is data, owned by each resource type's file: each attribute declares its [`Shape`],
//! and what differs between providers (which tag prefixes the cloud writes, which fields a rule
//! block has) is declared by the provider, never named here.
//!
//! Some types have no stable cloud id in state (Terraform writes a hash or a timestamped id):
//! their attributes marked [`AttrSpec::identity`] are what matches a state resource with a live
//! one ([`TypeSpec::identity_key`]).

use crate::model::{Change, ChangeOp, Tier};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::Write;

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
    /// Firewall rules as a list of blocks laid out as the provider declares (see
    /// [`RuleLayout`]). Each block is exploded into one rule per source (each member of each
    /// source list, and the rule's own group), so that one block with two CIDRs equals two
    /// blocks with one each, whatever the order. CIDR sources are compared in their canonical
    /// form (see [`Shape::Cidr`]).
    RuleSet(&'static RuleLayout),
    /// A number that state or an API may write as a string (`"80"` is `80`, `8.0` is `8`).
    /// A string that is not a number is compared as it is.
    Number,
    /// An enumerated string whose case carries no meaning (`default` is `DEFAULT`).
    CaseInsensitive,
    /// A CIDR block: host bits cleared (`10.0.0.1/16` is `10.0.0.0/16`), IPv6 compressed and in
    /// lower case (`2001:0DB8::/32` is `2001:db8::/32`). A string that is not a CIDR is compared
    /// as it is.
    Cidr,
    /// A firewall rule protocol: its name rather than its number (`6` is `tcp`), all protocols
    /// as `-1` (`all` is `-1`), in lower case.
    Protocol,
    /// A JSON document (an IAM or bucket policy, given as JSON text) or a nested block (given as
    /// JSON values), compared as IAM reads a policy: whitespace and key order do not count, a
    /// list is a set (order and duplicates do not count) and a one-element list is its element,
    /// `null`, `""`, `[]` and `{}` members are absent, and leaf values are strings (`true` is
    /// `"true"`). Text that is not JSON is compared as it is.
    Document,
    /// A string map of which only the keys are compared (instance `metadata`, whose values are
    /// SSH keys and scripts: secrets, never copied into a finding). Given as a map or as a list
    /// of keys; keys with a generated prefix are dropped, and an empty map means absent. Diffed
    /// per key (`metadata.enable-oslogin`), `true` where the key is set.
    Keys,
    /// A reference to another resource, compared by its name: a self link
    /// (`https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc`), a partial link
    /// (`projects/p/global/networks/vpc`) and a bare name (`vpc`) are the same network.
    Link,
    /// How many nested blocks a list holds (`access_config`: whether an interface has an
    /// external address), whatever they set; none means absent.
    Count,
    /// A switch that is off unless it says it is on: `false`, `"false"`, `null`, `""` and an
    /// absent block all mean off, and `true` (or `"true"` in any case) on. For a setting that
    /// state records as an empty block when it was never set (`private_cluster_config = []`)
    /// and the API as `false`, or the other way round.
    Switch,
}

/// What a change of an attribute is worth, declared by the provider that knows what the
/// attribute does (see [`crate::tier`]): the core matches no attribute by name.
#[derive(Debug, Clone, Copy)]
pub enum TierHint {
    /// Every change of the attribute has this tier (tags and labels: info; what grants
    /// permissions: critical).
    Always(Tier),
    /// The tier of one change, by its values (a rule opened to the whole internet, a setting
    /// turned off); `None` leaves the change at the default, warning.
    Rule(fn(&Change) -> Option<Tier>),
}

impl TierHint {
    /// The tier this hint gives a change, if any.
    pub fn tier_of(&self, change: &Change) -> Option<Tier> {
        match self {
            TierHint::Always(tier) => Some(*tier),
            TierHint::Rule(rule) => rule(change),
        }
    }
}

/// Where a provider's firewall-rule blocks keep each part of a rule, for [`Shape::RuleSet`]:
/// the core knows what a rule is made of (a protocol, a port range, one source, a description),
/// the provider knows what its blocks call each part. The fields are distinct.
#[derive(Debug, PartialEq, Eq)]
pub struct RuleLayout {
    /// The protocol, by name or number (see [`Shape::Protocol`]). A rule for all protocols
    /// (`-1`, or none given) opens every port, so its port range is not compared.
    pub protocol: &'static str,
    /// The first port of the range; a port is a number, or a string of one (none is `0`).
    pub from_port: &'static str,
    /// The last port of the range.
    pub to_port: &'static str,
    /// Free text that travels with each source: rules that differ only in it still differ.
    pub description: &'static str,
    /// The lists of sources, in the order rules sort by.
    pub sources: &'static [RuleSource],
    /// A flag that, when `true`, makes the group the rule belongs to one more source (sorted
    /// after the listed ones).
    pub self_source: &'static str,
}

/// A list field of a rule block, each member of which is one source.
#[derive(Debug, PartialEq, Eq)]
pub enum RuleSource {
    /// CIDR blocks, compared in their canonical form (see [`Shape::Cidr`]).
    Cidrs(&'static str),
    /// Ids or names, compared as written.
    Ids(&'static str),
}

impl RuleSource {
    fn field(&self) -> &'static str {
        match self {
            RuleSource::Cidrs(field) | RuleSource::Ids(field) => field,
        }
    }

    fn value<'v>(&self, member: &'v str) -> Cow<'v, str> {
        match self {
            RuleSource::Cidrs(_) => canonical_cidr(member),
            RuleSource::Ids(_) => Cow::Borrowed(member),
        }
    }
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
    /// Part of what identifies the resource, in place of its id (see
    /// [`TypeSpec::identity_key`]).
    pub identity: bool,
    /// The provider resolves the code's value when it applies (an image family becomes the
    /// newest image in it, a scope alias its URL): what the code says cannot be compared with
    /// what was built, so state's value is expected and the code's is not read.
    pub resolved: bool,
    /// The tier of a change of this attribute; none: warning.
    pub tier: Option<TierHint>,
}

impl AttrSpec {
    pub const fn new(name: &'static str, shape: Shape) -> Self {
        AttrSpec {
            name,
            shape,
            state_alias: None,
            identity: false,
            resolved: false,
            tier: None,
        }
    }

    /// Declares what a change of this attribute is worth (see [`TierHint`]).
    pub const fn tier(mut self, hint: TierHint) -> Self {
        self.tier = Some(hint);
        self
    }

    /// Marks the attribute as one whose code value the provider resolves (see
    /// [`AttrSpec::resolved`]).
    pub const fn resolved(mut self) -> Self {
        self.resolved = true;
        self
    }

    /// Marks the attribute as part of the resource's identity: for types whose state id cannot
    /// be known from the cloud (`sgrule-<hash>` of a legacy security group rule, the timestamped
    /// id of a policy attachment), resources are matched by these attributes instead.
    pub const fn identity(mut self) -> Self {
        self.identity = true;
        self
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
    /// Attributes Terraform records for this type that driftd does not compare, each with the
    /// reason (`driftd types` lists them): a write-only secret, a value the API never returns,
    /// one only a second call per resource could read.
    pub not_compared: &'static [UncomparedAttr],
}

/// An attribute of a type that is deliberately not compared, and why.
#[derive(Debug, Clone, Copy)]
pub struct UncomparedAttr {
    pub name: &'static str,
    pub reason: &'static str,
}

impl UncomparedAttr {
    pub const fn new(name: &'static str, reason: &'static str) -> Self {
        UncomparedAttr { name, reason }
    }
}

impl TypeSpec {
    /// The compared attribute a change path is of: the one it names (`instance_type`), or the
    /// one it is a key or item of (`tags` for `tags.Env`), the most specific when one attribute
    /// names a block and another a value inside it.
    pub fn attr_of(&self, path: &str) -> Option<&AttrSpec> {
        self.attrs
            .iter()
            .filter(|a| on_attr(path, a.name))
            .max_by_key(|a| a.name.len())
    }

    /// Normalizes one attribute value of this type for comparison. `None` means absent.
    pub fn normalize(&self, shape: Shape, value: &Value) -> Option<Value> {
        match shape {
            Shape::Scalar => normalize_scalar(value),
            Shape::Set => normalize_set(value),
            Shape::Tags => normalize_tags(value, self.generated_tag_prefixes),
            Shape::Keys => {
                let out: Map<String, Value> = map_keys(value, self.generated_tag_prefixes)
                    .map(|k| (k.to_string(), Value::Bool(true)))
                    .collect();
                (!out.is_empty()).then_some(Value::Object(out))
            }
            Shape::RuleSet(layout) => normalize_rules(layout, value),
            Shape::Number
            | Shape::CaseInsensitive
            | Shape::Cidr
            | Shape::Protocol
            | Shape::Document
            | Shape::Link
            | Shape::Count
            | Shape::Switch => canonical_value(shape, value),
        }
    }

    /// What identifies a resource of this type when its attributes marked
    /// [`AttrSpec::identity`] do (`None` when none is: the id does). Both sides compute it from
    /// their own attributes (read as the live side reads them, without state aliases), each
    /// normalized by its shape, so a state resource and the live resource it stands for have the
    /// same key whatever id each side gives it.
    pub fn identity_key(&self, attrs: &crate::model::Attrs) -> Option<Vec<u8>> {
        let mut ids = self.attrs.iter().filter(|a| a.identity).peekable();
        ids.peek()?;
        let mut out = Vec::new();
        let mut part = Vec::new();
        for attr in ids {
            part.clear();
            let mut scratch = Scratch::default();
            let present = crate::model::attr_at(attrs, attr.name)
                .is_some_and(|v| self.encode(attr.shape, v, &mut part, &mut scratch));
            // A framed part per attribute, so that no two different identities run together.
            put_len(&mut out, if present { part.len() + 1 } else { 0 });
            if present {
                out.push(b'=');
                out.extend_from_slice(&part);
            }
        }
        Some(out)
    }

    /// Appends a byte encoding of `self.normalize(shape, value)` to `out` and returns true, or
    /// appends nothing and returns false when that is `None`.
    ///
    /// Equal encodings (of one shape) always mean equal normalized values, so a prepared
    /// comparison can trust them to find "no drift" without building any `Value`. The converse
    /// holds too except in corner cases the JSON model allows (`0.0` vs `-0.0`), which then only
    /// take the slower path through [`TypeSpec::normalize`] and [`diff_attr`].
    pub(crate) fn encode<'v>(
        &self,
        shape: Shape,
        value: &'v Value,
        out: &mut Vec<u8>,
        scratch: &mut Scratch<'v>,
    ) -> bool {
        let start = out.len();
        match shape {
            Shape::Scalar => {
                if normalize_scalar_ref(value).is_none() {
                    return false;
                }
                encode_value(value, out);
            }
            Shape::Set => match canonical_set(value, &mut scratch.members) {
                None => return false,
                Some(SetForm::Single(v)) => {
                    out.push(b'1');
                    encode_value(v, out);
                }
                Some(SetForm::Members) => {
                    out.push(b'*');
                    put_len(out, scratch.members.len());
                    for m in &scratch.members {
                        put_str(out, m);
                    }
                }
            },
            Shape::Tags => {
                let Value::Object(m) = value else {
                    return false;
                };
                for (k, v) in tag_entries(m, self.generated_tag_prefixes) {
                    put_str(out, k);
                    put_str(out, &v);
                }
                // The entries are self-delimiting and in key order; no count is needed.
            }
            Shape::Keys => {
                for k in map_keys(value, self.generated_tag_prefixes) {
                    put_str(out, k);
                }
            }
            Shape::RuleSet(layout) => {
                canonical_rules(layout, value, &mut scratch.rules);
                for r in &scratch.rules {
                    r.encode(out);
                }
            }
            Shape::Number
            | Shape::CaseInsensitive
            | Shape::Cidr
            | Shape::Protocol
            | Shape::Document
            | Shape::Link
            | Shape::Count
            | Shape::Switch => {
                let Some(v) = canonical_value(shape, value) else {
                    return false;
                };
                encode_value(&v, out);
            }
        }
        out.len() > start
    }

    /// The changes of one attribute between two raw values: [`diff_attr`] of their normalized
    /// forms, computed with less work for rule sets (only differing rules become JSON).
    pub(crate) fn diff_raw(
        &self,
        name: &str,
        shape: Shape,
        expected: &Value,
        actual: &Value,
    ) -> Vec<Change> {
        match shape {
            Shape::RuleSet(layout) => diff_rules(layout, name, expected, actual),
            _ => {
                let e = self.normalize(shape, expected);
                let a = self.normalize(shape, actual);
                diff_attr(name, shape, e.as_ref(), a.as_ref())
            }
        }
    }
}

/// Whether a change path (`tags.Env`, `boot_disk.0.initialize_params.0.image`) is of the
/// attribute named `name` (`tags`; the image path itself).
pub(crate) fn on_attr(path: &str, name: &str) -> bool {
    path.strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Reusable buffers for [`TypeSpec::encode`], so that preparing many resources does not
/// allocate per attribute.
#[derive(Default)]
pub(crate) struct Scratch<'v> {
    members: Vec<Cow<'v, str>>,
    rules: Vec<Rule<'v>>,
}

/// `null` and `""` mean absent.
fn normalize_scalar_ref(v: &Value) -> Option<&Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        other => Some(other),
    }
}

fn normalize_scalar(v: &Value) -> Option<Value> {
    normalize_scalar_ref(v).cloned()
}

/// What a `Set` value normalizes to, with the members (if any) left in the caller's buffer.
enum SetForm<'v> {
    /// A list: its members as strings, sorted and deduplicated, in the buffer.
    Members,
    /// A lone non-string value where a list was expected: kept as it is, as a one-element list.
    Single(&'v Value),
}

fn canonical_set<'v>(v: &'v Value, members: &mut Vec<Cow<'v, str>>) -> Option<SetForm<'v>> {
    members.clear();
    let items = match v {
        Value::Array(a) => a,
        // A lone string is the one-member set it normalizes to; other lone values stay apart.
        Value::String(s) if !s.is_empty() => {
            members.push(Cow::Borrowed(s.as_str()));
            return Some(SetForm::Members);
        }
        single => return normalize_scalar_ref(single).map(SetForm::Single),
    };
    members.extend(
        items
            .iter()
            .filter_map(normalize_scalar_ref)
            .map(|s| match s {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                other => Cow::Owned(other.to_string()),
            }),
    );
    members.sort_unstable();
    members.dedup();
    (!members.is_empty()).then_some(SetForm::Members)
}

fn normalize_set(v: &Value) -> Option<Value> {
    let mut members = Vec::new();
    match canonical_set(v, &mut members)? {
        SetForm::Single(v) => Some(Value::Array(vec![v.clone()])),
        SetForm::Members => Some(Value::Array(
            members
                .into_iter()
                .map(|m| Value::String(m.into_owned()))
                .collect(),
        )),
    }
}

/// The compared tags of a tag map, in key order: generated keys and `null` values dropped, other
/// values as strings.
fn tag_entries<'v>(
    m: &'v Map<String, Value>,
    generated: &'v [&'v str],
) -> impl Iterator<Item = (&'v String, Cow<'v, str>)> + 'v {
    m.iter()
        .filter(|(k, _)| !generated.iter().any(|p| k.starts_with(p)))
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => Cow::Borrowed(s.as_str()),
                other => Cow::Owned(other.to_string()),
            };
            Some((k, s))
        })
}

/// The compared keys of a [`Shape::Keys`] value (a map, or a list of keys), sorted and without
/// generated ones.
fn map_keys<'v>(v: &'v Value, generated: &'v [&'v str]) -> impl Iterator<Item = &'v str> + 'v {
    let mut keys: Vec<&str> = match v {
        Value::Object(m) => m.keys().map(String::as_str).collect(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        Value::String(s) if !s.is_empty() => vec![s.as_str()],
        _ => Vec::new(),
    };
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !k.is_empty() && !generated.iter().any(|p| k.starts_with(p)))
}

fn normalize_tags(v: &Value, generated: &[&str]) -> Option<Value> {
    let Value::Object(m) = v else { return None };
    let out: Map<String, Value> = tag_entries(m, generated)
        .map(|(k, v)| (k.clone(), Value::String(v.into_owned())))
        .collect();
    if out.is_empty() {
        None
    } else {
        Some(Value::Object(out))
    }
}

/// The canonical form of a value of one of the canonicalized scalar shapes; `None` means absent.
fn canonical_value(shape: Shape, v: &Value) -> Option<Value> {
    let v = normalize_scalar_ref(v)?;
    match shape {
        Shape::Number => Some(canonical_number(v)),
        Shape::CaseInsensitive => Some(match v {
            Value::String(s) => Value::String(s.trim().to_lowercase()),
            other => other.clone(),
        }),
        Shape::Cidr => Some(match v {
            Value::String(s) => Value::String(canonical_cidr(s).into_owned()),
            other => other.clone(),
        }),
        Shape::Protocol => Some(Value::String(canonical_protocol(Some(v)).into_owned())),
        Shape::Document => canonical_document(v),
        Shape::Link => Some(match v {
            Value::String(s) => {
                let s = s.trim().trim_end_matches('/');
                Value::String(s.rsplit('/').next().unwrap_or(s).to_string())
            }
            other => other.clone(),
        }),
        Shape::Switch => match v {
            Value::Bool(false) => None,
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => None,
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            other => Some(other.clone()),
        },
        Shape::Count => match v {
            Value::Array(a) if a.is_empty() => None,
            Value::Array(a) => Some(Value::from(a.len())),
            Value::Number(_) => Some(canonical_number(v)),
            _ => Some(Value::from(1)),
        },
        Shape::Scalar | Shape::Set | Shape::Tags | Shape::Keys | Shape::RuleSet(_) => {
            Some(v.clone())
        }
    }
}

/// `"80"` and `80.0` are `80`; `"1.5"` is `1.5`. Anything else is left as it is.
fn canonical_number(v: &Value) -> Value {
    let parsed = match v {
        Value::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_f64().map(float)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .map(Value::from)
                .or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(float))
        }
        _ => None,
    };
    parsed.unwrap_or_else(|| v.clone())
}

/// A float as an integer when it is one, so that `8.0` equals `8`.
fn float(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// A CIDR block with its host bits cleared, IPv6 compressed and lower case. Not a CIDR: as is.
pub fn canonical_cidr(s: &str) -> Cow<'_, str> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let trimmed = s.trim();
    let Some((addr, len)) = trimmed.split_once('/') else {
        return Cow::Borrowed(s);
    };
    let Ok(len) = len.parse::<u32>() else {
        return Cow::Borrowed(s);
    };
    let canonical = if let Ok(a) = addr.parse::<Ipv4Addr>() {
        if len > 32 {
            return Cow::Borrowed(s);
        }
        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
        format!("{}/{len}", Ipv4Addr::from(u32::from(a) & mask))
    } else if let Ok(a) = addr.parse::<Ipv6Addr>() {
        if len > 128 {
            return Cow::Borrowed(s);
        }
        let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
        format!("{}/{len}", Ipv6Addr::from(u128::from(a) & mask))
    } else {
        return Cow::Borrowed(s);
    };
    if canonical == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(canonical)
    }
}

/// A JSON document in its canonical form (see [`Shape::Document`]).
fn canonical_document(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s.trim()) {
            Ok(parsed @ (Value::Object(_) | Value::Array(_))) => canonical_member(&parsed),
            // Not a document: compared as written.
            _ => Some(v.clone()),
        },
        other => canonical_member(other),
    }
}

fn canonical_member(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(_) => Some(v.clone()),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Object(m) => {
            // Built in key order whatever the map type keeps, so that the text form used to sort
            // list members is canonical.
            let sorted: std::collections::BTreeMap<&String, Value> = m
                .iter()
                .filter_map(|(k, v)| Some((k, canonical_member(v)?)))
                .collect();
            (!sorted.is_empty())
                .then(|| Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect()))
        }
        Value::Array(a) => {
            let mut items: Vec<(String, Value)> = a
                .iter()
                .filter_map(canonical_member)
                .map(|v| (v.to_string(), v))
                .collect();
            items.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            items.dedup_by(|a, b| a.0 == b.0);
            match items.len() {
                0 => None,
                1 => items.pop().map(|(_, v)| v),
                _ => Some(Value::Array(items.into_iter().map(|(_, v)| v).collect())),
            }
        }
    }
}

/// Canonical protocol name: AWS and Terraform accept both numbers and names.
fn canonical_protocol(p: Option<&Value>) -> Cow<'_, str> {
    let raw: Cow<'_, str> = match p {
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
        "all" | "" | "-1" => "-1",
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        _ => return raw,
    };
    Cow::Borrowed(named)
}

fn port(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// One firewall rule with exactly one source, borrowing from the value it was read from.
/// Two rule blocks allow the same traffic exactly when they explode to the same set of these.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rule<'v> {
    protocol: Cow<'v, str>,
    from: i64,
    to: i64,
    /// Which list the source is from: an index into [`RuleLayout::sources`], or their count for
    /// the rule's own group, so that rules sort by the layout's order of sources.
    source: usize,
    /// `""` for the rule's own group.
    value: Cow<'v, str>,
    /// `""` when there is none.
    description: &'v str,
}

impl Rule<'_> {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.protocol);
        out.extend_from_slice(&self.from.to_le_bytes());
        out.extend_from_slice(&self.to.to_le_bytes());
        put_len(out, self.source);
        put_str(out, &self.value);
        put_str(out, self.description);
    }

    /// The rule as Terraform writes a one-source block, without empty fields.
    fn to_value(&self, layout: &RuleLayout) -> Value {
        let mut rule = Map::new();
        rule.insert(
            layout.protocol.into(),
            Value::String(self.protocol.to_string()),
        );
        rule.insert(layout.from_port.into(), Value::from(self.from));
        rule.insert(layout.to_port.into(), Value::from(self.to));
        let (field, source) = match layout.sources.get(self.source) {
            Some(list) => (
                list.field(),
                Value::Array(vec![Value::String(self.value.to_string())]),
            ),
            None => (layout.self_source, Value::Bool(true)),
        };
        rule.insert(field.into(), source);
        if !self.description.is_empty() {
            rule.insert(
                layout.description.into(),
                Value::String(self.description.to_string()),
            );
        }
        Value::Object(rule)
    }
}

/// The fields of a rule block that every rule of it shares. A block is read in passes over its
/// fields rather than a map lookup per field: blocks are small and many.
#[derive(Default)]
struct Block<'v> {
    protocol: Option<&'v Value>,
    from_port: Option<&'v Value>,
    to_port: Option<&'v Value>,
    description: Option<&'v Value>,
    self_source: Option<&'v Value>,
}

impl<'v> Block<'v> {
    fn read(layout: &RuleLayout, fields: &'v Map<String, Value>) -> Self {
        let mut b = Block::default();
        for (k, v) in fields {
            let slot = if k == layout.protocol {
                &mut b.protocol
            } else if k == layout.from_port {
                &mut b.from_port
            } else if k == layout.to_port {
                &mut b.to_port
            } else if k == layout.description {
                &mut b.description
            } else if k == layout.self_source {
                &mut b.self_source
            } else {
                continue;
            };
            *slot = Some(v);
        }
        b
    }
}

/// Explodes rule blocks into one rule per source, sorted and deduplicated, in `rules` (cleared
/// first).
fn canonical_rules<'v>(layout: &RuleLayout, v: &'v Value, rules: &mut Vec<Rule<'v>>) {
    rules.clear();
    let Value::Array(blocks) = v else { return };
    for block in blocks {
        let Value::Object(fields) = block else {
            continue;
        };
        let b = Block::read(layout, fields);
        let protocol = canonical_protocol(b.protocol);
        let (from, to) = if protocol == "-1" {
            (0, 0)
        } else {
            (port(b.from_port), port(b.to_port))
        };
        let description = b.description.and_then(Value::as_str).unwrap_or_default();
        let rule = |source, value| Rule {
            protocol: protocol.clone(),
            from,
            to,
            source,
            value,
            description,
        };
        // The source lists in a second pass, now that what their rules share is known.
        for (k, items) in fields {
            let Some((source, list)) = layout
                .sources
                .iter()
                .enumerate()
                .find(|(_, s)| s.field() == k)
            else {
                continue;
            };
            let Value::Array(items) = items else {
                continue;
            };
            let members = items
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty());
            rules.extend(members.map(|m| rule(source, list.value(m))));
        }
        if b.self_source.and_then(Value::as_bool) == Some(true) {
            rules.push(rule(layout.sources.len(), Cow::Borrowed("")));
        }
    }
    rules.sort_unstable();
    rules.dedup();
}

fn normalize_rules(layout: &RuleLayout, v: &Value) -> Option<Value> {
    let mut rules = Vec::new();
    canonical_rules(layout, v, &mut rules);
    if rules.is_empty() {
        return None;
    }
    Some(Value::Array(rule_values(layout, &rules)))
}

/// Rules as JSON values, in the order reports list them: that of their JSON text (serde_json
/// maps are sorted, so the text is canonical). Each rule is serialized once, for the sort.
fn rule_values<'r, 'v: 'r>(
    layout: &RuleLayout,
    rules: impl IntoIterator<Item = &'r Rule<'v>>,
) -> Vec<Value> {
    let mut keyed: Vec<(String, Value)> = rules
        .into_iter()
        .map(|r| {
            let v = r.to_value(layout);
            (v.to_string(), v)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, v)| v).collect()
}

/// [`diff_attr`] of two normalized rule sets, from the raw values: only the rules in one set
/// and not the other are turned into JSON.
fn diff_rules(layout: &RuleLayout, name: &str, expected: &Value, actual: &Value) -> Vec<Change> {
    let (mut e, mut a) = (Vec::new(), Vec::new());
    canonical_rules(layout, expected, &mut e);
    canonical_rules(layout, actual, &mut a);
    // Both are sorted and deduplicated: one walk finds what only one side has.
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < e.len() && j < a.len() {
        match e[i].cmp(&a[j]) {
            Ordering::Equal => (i, j) = (i + 1, j + 1),
            Ordering::Less => {
                removed.push(&e[i]);
                i += 1;
            }
            Ordering::Greater => {
                added.push(&a[j]);
                j += 1;
            }
        }
    }
    removed.extend(&e[i..]);
    added.extend(&a[j..]);
    let change = |op, rule: Value| {
        let (expected, actual) = match op {
            ChangeOp::Remove => (rule, Value::Null),
            _ => (Value::Null, rule),
        };
        Change::new(name, op, expected, actual)
    };
    let mut changes: Vec<Change> = rule_values(layout, removed)
        .into_iter()
        .map(|r| change(ChangeOp::Remove, r))
        .collect();
    changes.extend(
        rule_values(layout, added)
            .into_iter()
            .map(|r| change(ChangeOp::Add, r)),
    );
    changes
}

/// Appends a length as LEB128: short, and unambiguous whatever its size.
pub(crate) fn put_len(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_tagged(out: &mut Vec<u8>, tag: u8, s: &str) {
    out.push(tag);
    put_str(out, s);
}

/// Appends an unambiguous encoding of any JSON value: equal values, equal bytes (for maps
/// because serde_json keeps them sorted), and different values, different bytes.
fn encode_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(b'n'),
        Value::Bool(false) => out.push(b'f'),
        Value::Bool(true) => out.push(b't'),
        Value::Number(n) => {
            // A number's text is what tells numbers apart (`1` from `1.0`); it never holds `;`.
            out.push(b'#');
            let _ = write!(out, "{n};");
        }
        Value::String(s) => put_tagged(out, b'"', s),
        Value::Array(a) => {
            out.push(b'[');
            put_len(out, a.len());
            for item in a {
                encode_value(item, out);
            }
        }
        Value::Object(m) => {
            out.push(b'{');
            put_len(out, m.len());
            for (k, item) in m {
                put_str(out, k);
                encode_value(item, out);
            }
        }
    }
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
        Shape::Scalar
        | Shape::Set
        | Shape::Number
        | Shape::CaseInsensitive
        | Shape::Cidr
        | Shape::Protocol
        | Shape::Document
        | Shape::Link
        | Shape::Count
        | Shape::Switch => vec![Change::new(
            name,
            op_for(expected, actual),
            expected.cloned().unwrap_or(Value::Null),
            actual.cloned().unwrap_or(Value::Null),
        )],
        Shape::Tags | Shape::Keys => {
            let empty = Map::new();
            let e = expected.and_then(Value::as_object).unwrap_or(&empty);
            let a = actual.and_then(Value::as_object).unwrap_or(&empty);
            let keys: BTreeSet<&String> = e.keys().chain(a.keys()).collect();
            keys.into_iter()
                .filter(|k| e.get(*k) != a.get(*k))
                .map(|k| {
                    Change::new(
                        format!("{name}.{k}"),
                        op_for(e.get(k), a.get(k)),
                        e.get(k).cloned().unwrap_or(Value::Null),
                        a.get(k).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect()
        }
        Shape::RuleSet(_) => {
            let as_set = |v: Option<&Value>| -> Vec<Value> {
                v.and_then(Value::as_array).cloned().unwrap_or_default()
            };
            let e = as_set(expected);
            let a = as_set(actual);
            let mut changes = Vec::new();
            for r in &e {
                if !a.contains(r) {
                    changes.push(Change::new(name, ChangeOp::Remove, r.clone(), Value::Null));
                }
            }
            for r in &a {
                if !e.contains(r) {
                    changes.push(Change::new(name, ChangeOp::Add, Value::Null, r.clone()));
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
        not_compared: &[],
    };

    /// The rule blocks of an AWS security group, the layout the definition in `legacy` was
    /// written for.
    const RULES: RuleLayout = RuleLayout {
        protocol: "protocol",
        from_port: "from_port",
        to_port: "to_port",
        description: "description",
        sources: &[
            RuleSource::Cidrs("cidr_blocks"),
            RuleSource::Cidrs("ipv6_cidr_blocks"),
            RuleSource::Ids("prefix_list_ids"),
            RuleSource::Ids("security_groups"),
        ],
        self_source: "self",
    };

    #[test]
    fn empty_and_absent_are_equal() {
        assert_eq!(SPEC.normalize(Shape::Scalar, &json!("")), None);
        assert_eq!(SPEC.normalize(Shape::Set, &json!([])), None);
        assert_eq!(SPEC.normalize(Shape::Tags, &json!({})), None);
        assert_eq!(SPEC.normalize(Shape::Tags, &json!(null)), None);
        assert_eq!(SPEC.normalize(Shape::RuleSet(&RULES), &json!([])), None);
        assert_eq!(
            SPEC.normalize(Shape::Scalar, &json!(false)),
            Some(json!(false))
        );
    }

    #[test]
    fn keys_compare_a_map_by_its_keys_only() {
        let state = json!({"ssh-keys": "alice:KEY", "enable-oslogin": "TRUE", "aws:x": "1"});
        let live = json!(["enable-oslogin", "ssh-keys"]);
        assert_eq!(
            SPEC.normalize(Shape::Keys, &state),
            Some(json!({"enable-oslogin": true, "ssh-keys": true}))
        );
        assert_eq!(
            SPEC.normalize(Shape::Keys, &state),
            SPEC.normalize(Shape::Keys, &live)
        );
        assert_eq!(SPEC.normalize(Shape::Keys, &json!({})), None);
        assert_eq!(SPEC.normalize(Shape::Keys, &json!(["aws:only"])), None);
        let changes = SPEC.diff_raw(
            "metadata",
            Shape::Keys,
            &state,
            &json!(["enable-oslogin", "startup"]),
        );
        let paths: Vec<(&str, ChangeOp)> =
            changes.iter().map(|c| (c.path.as_str(), c.op)).collect();
        assert_eq!(
            paths,
            vec![
                ("metadata.ssh-keys", ChangeOp::Remove),
                ("metadata.startup", ChangeOp::Add)
            ]
        );
        assert!(!serde_json::to_string(&changes).unwrap().contains("KEY"));
    }

    #[test]
    fn links_compare_by_name_and_counts_by_length() {
        let full = json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc");
        for same in [
            json!("projects/p/global/networks/vpc"),
            json!("vpc"),
            json!("vpc/"),
        ] {
            assert_eq!(
                SPEC.normalize(Shape::Link, &full),
                SPEC.normalize(Shape::Link, &same)
            );
        }
        assert_ne!(
            SPEC.normalize(Shape::Link, &full),
            SPEC.normalize(Shape::Link, &json!("default"))
        );
        assert_eq!(SPEC.normalize(Shape::Link, &json!("")), None);
        assert_eq!(SPEC.normalize(Shape::Count, &json!([])), None);
        for off in [json!(false), json!("False"), json!(null), json!("")] {
            assert_eq!(SPEC.normalize(Shape::Switch, &off), None, "{off}");
        }
        assert_eq!(
            SPEC.normalize(Shape::Switch, &json!(" TRUE")),
            Some(json!(true))
        );
        assert_eq!(
            SPEC.normalize(Shape::Switch, &json!(true)),
            Some(json!(true))
        );
        assert_eq!(SPEC.normalize(Shape::Count, &json!([{}])), Some(json!(1)));
        assert_eq!(
            SPEC.normalize(Shape::Count, &json!([{"nat_ip": "1.2.3.4"}, {}])),
            Some(json!(2))
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
            SPEC.normalize(Shape::RuleSet(&RULES), &terraform),
            SPEC.normalize(Shape::RuleSet(&RULES), &aws)
        );
    }

    #[test]
    fn all_traffic_rules_ignore_ports() {
        let a =
            json!([{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]);
        let b = json!([{"protocol": "all", "from_port": -1, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0"]}]);
        assert_eq!(
            SPEC.normalize(Shape::RuleSet(&RULES), &a),
            SPEC.normalize(Shape::RuleSet(&RULES), &b)
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
            Shape::RuleSet(&RULES),
            &json!([{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]}]),
        );
        let a = SPEC.normalize(
            Shape::RuleSet(&RULES),
            &json!([
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.0.0.0/8"]},
                {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}
            ]),
        );
        let changes = diff_attr("ingress", Shape::RuleSet(&RULES), e.as_ref(), a.as_ref());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].op, ChangeOp::Add);
        assert_eq!(changes[0].actual["from_port"], json!(22));
        assert_eq!(changes[0].actual["cidr_blocks"], json!(["0.0.0.0/0"]));
    }

    /// Normalization as first written (string-keyed rule sets, owned sets and maps), kept as
    /// the definition the faster code must agree with.
    mod legacy {
        use serde_json::{Map, Value};
        use std::collections::BTreeSet;

        pub fn normalize(shape: super::Shape, v: &Value, generated: &[&str]) -> Option<Value> {
            match shape {
                super::Shape::Scalar => normalize_scalar(v),
                super::Shape::Set => normalize_set(v),
                super::Shape::Tags => normalize_tags(v, generated),
                super::Shape::RuleSet(_) => normalize_rules(v),
                other => unreachable!("{other:?} has no legacy definition"),
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
    }

    /// xorshift64: deterministic, and enough to explore the value space.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick(&mut self, items: &[Value]) -> Value {
            items[self.below(items.len())].clone()
        }

        fn shuffle<T>(&mut self, items: &mut [T]) {
            for i in (1..items.len()).rev() {
                items.swap(i, self.below(i + 1));
            }
        }
    }

    /// Values drawn from small pools, so that equal and equivalent values come up often.
    fn scalar(rng: &mut Rng) -> Value {
        rng.pick(&[
            json!(null),
            json!(""),
            json!("a"),
            json!(" a"),
            json!("A"),
            json!("b"),
            json!("1"),
            json!(1),
            json!(-1),
            json!(1.0),
            json!(2.5),
            json!(true),
            json!(false),
            json!([]),
            json!(["a"]),
            json!({"k": "a"}),
        ])
    }

    fn set(rng: &mut Rng) -> Value {
        match rng.below(8) {
            0 => scalar(rng),
            _ => Value::Array((0..rng.below(5)).map(|_| scalar(rng)).collect()),
        }
    }

    fn tags(rng: &mut Rng) -> Value {
        if rng.below(8) == 0 {
            return scalar(rng);
        }
        let keys = [
            "Name",
            "Env",
            "aws:x",
            "aws:cloudformation:stack-name",
            "Team",
            "",
        ];
        let mut m = Map::new();
        for _ in 0..rng.below(5) {
            let k = keys[rng.below(keys.len())];
            let v = rng.pick(&[
                json!("a"),
                json!("b"),
                json!(""),
                json!(null),
                json!(1),
                json!(true),
            ]);
            m.insert(k.to_string(), v);
        }
        Value::Object(m)
    }

    fn sources(rng: &mut Rng) -> Value {
        if rng.below(6) == 0 {
            return scalar(rng);
        }
        let pool = [
            json!("10.0.0.0/8"),
            json!("0.0.0.0/0"),
            json!("::/0"),
            json!("pl-1"),
            json!("sg-1"),
            json!(""),
            json!(5),
        ];
        Value::Array((0..rng.below(3)).map(|_| rng.pick(&pool)).collect())
    }

    fn rule_block(rng: &mut Rng) -> Value {
        if rng.below(12) == 0 {
            return scalar(rng);
        }
        let mut b = Map::new();
        let protocols = [
            json!("tcp"),
            json!("TCP"),
            json!(" tcp "),
            json!("6"),
            json!(6),
            json!(6.0),
            json!("-1"),
            json!("all"),
            json!(""),
            json!(null),
            json!(-1),
            json!("udp"),
            json!(17),
            json!("icmp"),
            json!("58"),
            json!(true),
        ];
        let ports = [
            json!(22),
            json!("22"),
            json!(0),
            json!(-1),
            json!(443),
            json!("x"),
            json!(null),
            json!(22.5),
        ];
        let descriptions = [json!(""), json!("d"), json!("D"), json!(null), json!(5)];
        let fields = [
            "protocol",
            "from_port",
            "to_port",
            "description",
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "prefix_list_ids",
            "security_groups",
            "self",
            "other",
        ];
        for field in fields {
            if rng.below(4) == 0 {
                continue;
            }
            let v = match field {
                "protocol" => rng.pick(&protocols),
                "from_port" | "to_port" => rng.pick(&ports),
                "description" => rng.pick(&descriptions),
                "self" => rng.pick(&[json!(true), json!(false), json!(null), json!("true")]),
                "other" => scalar(rng),
                _ => sources(rng),
            };
            b.insert(field.to_string(), v);
        }
        Value::Object(b)
    }

    fn rules(rng: &mut Rng) -> Value {
        if rng.below(10) == 0 {
            return scalar(rng);
        }
        Value::Array((0..rng.below(4)).map(|_| rule_block(rng)).collect())
    }

    fn value(shape: Shape, rng: &mut Rng) -> Value {
        match shape {
            Shape::Scalar => scalar(rng),
            Shape::Set => set(rng),
            Shape::Tags => tags(rng),
            Shape::RuleSet(_) => rules(rng),
            _ => scalar(rng),
        }
    }

    /// A value equivalent to `v` more often than not: the same rules regrouped one source per
    /// block, set members shuffled and repeated, or just `v` again.
    fn variant(shape: Shape, v: &Value, rng: &mut Rng) -> Value {
        match (shape, v) {
            (Shape::RuleSet(_), Value::Array(blocks)) if rng.below(2) == 0 => {
                let mut out = Vec::new();
                for b in blocks {
                    let Value::Object(fields) = b else {
                        out.push(b.clone());
                        continue;
                    };
                    let sources = [
                        "cidr_blocks",
                        "ipv6_cidr_blocks",
                        "prefix_list_ids",
                        "security_groups",
                    ];
                    let mut common = fields.clone();
                    common.retain(|k, _| !sources.contains(&k.as_str()));
                    for key in sources {
                        for s in fields
                            .get(key)
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                        {
                            let mut one = common.clone();
                            one.insert(key.to_string(), json!([s]));
                            out.push(Value::Object(one));
                        }
                    }
                    out.push(Value::Object(common));
                }
                rng.shuffle(&mut out);
                Value::Array(out)
            }
            (Shape::Set, Value::Array(items)) if rng.below(2) == 0 => {
                let mut items = items.clone();
                if let Some(first) = items.first().cloned() {
                    items.push(first);
                }
                rng.shuffle(&mut items);
                Value::Array(items)
            }
            _ if rng.below(3) == 0 => value(shape, rng),
            _ => v.clone(),
        }
    }

    const SHAPES: [Shape; 4] = [
        Shape::Scalar,
        Shape::Set,
        Shape::Tags,
        Shape::RuleSet(&RULES),
    ];

    fn encoded(shape: Shape, v: &Value) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        SPEC.encode(shape, v, &mut out, &mut Scratch::default())
            .then_some(out)
    }

    #[test]
    fn normalization_matches_its_original_definition() {
        let mut rng = Rng(0x5eed);
        for shape in SHAPES {
            for _ in 0..20_000 {
                let v = value(shape, &mut rng);
                assert_eq!(
                    SPEC.normalize(shape, &v),
                    legacy::normalize(shape, &v, SPEC.generated_tag_prefixes),
                    "{shape:?} {v}"
                );
            }
        }
    }

    #[test]
    fn encodings_are_equal_exactly_when_normalized_values_are() {
        let mut rng = Rng(0xe9c0de);
        let mut equal = 0;
        for shape in SHAPES {
            for _ in 0..20_000 {
                let a = value(shape, &mut rng);
                let b = variant(shape, &a, &mut rng);
                let (na, nb) = (SPEC.normalize(shape, &a), SPEC.normalize(shape, &b));
                let (ea, eb) = (encoded(shape, &a), encoded(shape, &b));
                assert_eq!(ea.is_some(), na.is_some(), "{shape:?} {a}");
                assert_eq!(ea == eb, na == nb, "{shape:?} {a} vs {b}");
                equal += usize::from(na == nb);
            }
        }
        // Both verdicts were well exercised.
        assert!(equal > 10_000 && equal < 70_000, "{equal}");
    }

    #[test]
    fn raw_diff_matches_diff_of_normalized_values() {
        let mut rng = Rng(0xd1ff);
        for shape in SHAPES {
            for _ in 0..20_000 {
                let a = value(shape, &mut rng);
                let b = variant(shape, &a, &mut rng);
                let expected = diff_attr(
                    "x",
                    shape,
                    SPEC.normalize(shape, &a).as_ref(),
                    SPEC.normalize(shape, &b).as_ref(),
                );
                assert_eq!(
                    SPEC.diff_raw("x", shape, &a, &b),
                    expected,
                    "{shape:?} {a} vs {b}"
                );
            }
        }
    }
}
