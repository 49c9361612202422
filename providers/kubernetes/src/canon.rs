//! What "the same object" means: identity, canonical form, and the flattening of an object into
//! the attributes driftd's analyzer compares.
//!
//! A manifest says little, the cluster says a lot (status, defaults, bookkeeping). The comparison
//! is therefore driven by the manifest:
//!
//! 1. The manifest object is canonicalized once ([`canonical_expected`]): identity and
//!    server-populated fields dropped, empty values and nulls dropped, quantities and numbers in
//!    one canonical text, Secret values replaced by a keyed digest, ignore rules applied, and a few
//!    security-sensitive fields made explicit (see [`inject_security_fields`]).
//! 2. Its leaves become attributes ([`flatten`]), named by readable paths:
//!    `spec.replicas`, `spec.template.spec.containers[web].image`,
//!    `metadata.labels["app.kubernetes.io/name"]`. A list of objects is keyed by each item's
//!    name (or merge key such as `containerPort` or `mountPath`), not its position, and also gets
//!    an attribute of its own that holds the live items the manifest does not have.
//! 3. The live object is projected onto exactly those paths ([`project`]), with the same
//!    canonicalization, so anything the manifest does not set (server defaults, other
//!    controllers' fields) is never compared. Fields owned by ignored field managers are left out.

use crate::quantity;
use base64::Engine;
use driftd_core::Attrs;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The attribute holding the canonical manifest object on an expected resource. It is not a
/// compared attribute: the provider reads it to project live objects onto the manifest's fields.
pub const OBJECT_ATTR: &str = "$object";

/// Identity of a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    /// API group, empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectId {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The driftd resource type: see [`type_name`].
    pub fn resource_type(&self) -> String {
        type_name(&self.group, &self.kind)
    }

    /// The driftd resource id: `namespace/name`, or `name` for cluster-scoped objects.
    pub fn resource_id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.api_version(),
            self.kind,
            self.resource_id()
        )
    }
}

/// The driftd resource type of a kind: `Kind` for the core group (`ConfigMap`), `Kind.group`
/// otherwise (`Deployment.apps`), as `kubectl` names resources. The API version is left out on
/// purpose: moving a manifest from `v1beta1` to `v1` must not change finding fingerprints.
pub fn type_name(group: &str, kind: &str) -> String {
    if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    }
}

/// One step of an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A field of an object.
    Field(String),
    /// An item of a list: its key (name, merge key) or, for lists without keys, its position.
    Item(String),
}

/// The readable text of a path: `spec.template.spec.containers[web].image`. Fields whose name
/// holds a dot or bracket are quoted (`metadata.labels["app.kubernetes.io/name"]`).
pub fn path_text(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Field(f) if f.contains(['.', '[', ']', '"']) || f.is_empty() => {
                out.push('[');
                out.push_str(&Value::String(f.clone()).to_string());
                out.push(']');
            }
            Seg::Field(f) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(f);
            }
            Seg::Item(k) => {
                out.push('[');
                out.push_str(k);
                out.push(']');
            }
        }
    }
    out
}

/// The key of one item of a list of objects, as Kubernetes' strategic merge keys them: `name`,
/// else a port (`80`, or `53/UDP` for a protocol other than TCP), `mountPath`, `devicePath`, `ip`.
pub fn item_key(item: &Value) -> Option<String> {
    let m = item.as_object()?;
    if let Some(Value::String(name)) = m.get("name") {
        return Some(name.clone());
    }
    for port in ["containerPort", "port"] {
        if let Some(p) = m.get(port).and_then(Value::as_i64) {
            return Some(match m.get("protocol").and_then(Value::as_str) {
                Some(proto) if proto != "TCP" => format!("{p}/{proto}"),
                _ => p.to_string(),
            });
        }
    }
    for field in ["mountPath", "devicePath", "ip"] {
        if let Some(Value::String(s)) = m.get(field) {
            return Some(s.clone());
        }
    }
    None
}

/// The keys of a list's items: their [`item_key`]s when every item has one and no two are equal,
/// else their positions.
pub fn list_keys(items: &[Value]) -> Vec<String> {
    keyed_list(items).0
}

/// [`list_keys`], and whether they are item keys (true) or positions (false).
fn keyed_list(items: &[Value]) -> (Vec<String>, bool) {
    let keys: Option<Vec<String>> = items.iter().map(item_key).collect();
    if let Some(keys) = keys {
        let unique: BTreeSet<&String> = keys.iter().collect();
        if unique.len() == keys.len() {
            return (keys, true);
        }
    }
    ((0..items.len()).map(|i| i.to_string()).collect(), false)
}

fn is_object_list(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(Value::is_object)
}

/// Zero values: what Go's `omitempty` leaves out of an API answer. A manifest that writes one
/// (`hostNetwork: false`) equals a live object without the field. An empty object is not one:
/// canonical manifests keep `{}` only where presence means something (`emptyDir: {}`).
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
        Value::Null => true,
    }
}

/// Fields whose mere presence means something even when empty (`emptyDir: {}` is a volume type).
const PRESENCE_FIELDS: [&str; 1] = ["emptyDir"];

/// Metadata the API server writes; never compared, wherever a manifest exported from a cluster
/// might carry it.
const SERVER_METADATA: [&str; 10] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "generateName",
];

/// Annotations written by tools and controllers, not by the manifest's author.
const TOOL_ANNOTATIONS: [&str; 2] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
];

/// Parents whose string values are resource quantities (`resources.limits`, `ResourceQuota`'s
/// `hard`, a PVC's `capacity`), and fields that are quantities themselves.
const QUANTITY_PARENTS: [&str; 5] = ["limits", "requests", "hard", "capacity", "allocatable"];
const QUANTITY_FIELDS: [&str; 2] = ["storage", "sizeLimit"];

/// How one object is canonicalized.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ctx {
    /// A core `Secret`: values of `data` and `stringData` are replaced by digests.
    pub secret: bool,
}

impl Ctx {
    pub fn for_kind(group: &str, kind: &str) -> Ctx {
        Ctx {
            secret: group.is_empty() && kind == "Secret",
        }
    }
}

pub use driftd_core::secret_digest;

/// The digest of a `data` value: of its decoded bytes, so that re-encoding cannot read as drift.
fn secret_data_digest(v: &Value) -> Value {
    match v {
        Value::String(s) => match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
            Ok(bytes) => secret_digest(&bytes),
            Err(_) => secret_digest(s.as_bytes()),
        },
        other => secret_digest(other.to_string().as_bytes()),
    }
}

/// Canonical form of one leaf value at `segs`: quantities in one text, integral numbers as
/// integers, objects and lists canonicalized inside.
fn canon_leaf(v: &Value, segs: &[Seg]) -> Value {
    let field = match segs.last() {
        Some(Seg::Field(f)) => Some(f.as_str()),
        _ => None,
    };
    let parent = match segs.len().checked_sub(2).map(|i| &segs[i]) {
        Some(Seg::Field(f)) => Some(f.as_str()),
        _ => None,
    };
    let is_quantity = field.is_some_and(|f| QUANTITY_FIELDS.contains(&f))
        || parent.is_some_and(|p| QUANTITY_PARENTS.contains(&p));
    match v {
        Value::String(s) if is_quantity => quantity::canonical(s)
            .map(Value::String)
            .unwrap_or_else(|| v.clone()),
        Value::Number(n) if is_quantity => quantity::canonical(&n.to_string())
            .map(Value::String)
            .unwrap_or_else(|| v.clone()),
        Value::Number(n) => canon_number(n),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| canon_value(i, segs, true).unwrap_or(Value::Null))
                .collect(),
        ),
        Value::Object(_) => canon_value(v, segs, true).unwrap_or_else(|| Value::Object(Map::new())),
        other => other.clone(),
    }
}

fn canon_number(n: &serde_json::Number) -> Value {
    if n.is_f64() {
        if let Some(f) = n.as_f64() {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                return Value::from(f as i64);
            }
        }
    }
    Value::Number(n.clone())
}

/// Canonicalizes a value recursively: nulls, empty maps and empty lists dropped (they mean
/// "absent" to the API server), except empty presence fields; leaves through [`canon_leaf`].
/// `None` when nothing is left. Used for manifests and for live values shown in full.
fn canon_value(v: &Value, segs: &[Seg], keep_empty: bool) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, x) in m {
                let mut child = segs.to_vec();
                child.push(Seg::Field(k.clone()));
                if let Some(c) = canon_value(x, &child, false) {
                    out.insert(k.clone(), c);
                } else if PRESENCE_FIELDS.contains(&k.as_str()) && x.is_object() {
                    out.insert(k.clone(), Value::Object(Map::new()));
                }
            }
            (keep_empty || !out.is_empty()).then_some(Value::Object(out))
        }
        Value::Array(items) if items.is_empty() => keep_empty.then(|| Value::Array(Vec::new())),
        Value::Array(items) if is_object_list(items) => {
            let keys = list_keys(items);
            let out: Vec<Value> = items
                .iter()
                .zip(&keys)
                .map(|(item, k)| {
                    let mut child = segs.to_vec();
                    child.push(Seg::Item(k.clone()));
                    canon_value(item, &child, true).unwrap_or(Value::Object(Map::new()))
                })
                .collect();
            Some(Value::Array(out))
        }
        other => Some(canon_leaf(other, segs)),
    }
}

/// A compiled ignore rule: a JSON pointer into objects of some kinds, names and namespaces.
#[derive(Debug, Clone)]
pub struct PointerRule {
    /// Unescaped pointer tokens; `*` matches any one field or item.
    pub tokens: Vec<String>,
    pub kind: Option<glob::Pattern>,
    pub name: Option<glob::Pattern>,
    pub namespace: Option<glob::Pattern>,
}

impl PointerRule {
    /// Compiles a rule. `pointer` is an RFC 6901 JSON pointer (`/spec/replicas`); a list item is
    /// named by its key or its position (`/spec/template/spec/containers/web/image`).
    pub fn new(
        pointer: &str,
        kind: Option<&str>,
        name: Option<&str>,
        namespace: Option<&str>,
    ) -> Result<PointerRule, String> {
        let Some(rest) = pointer.strip_prefix('/') else {
            return Err(format!(
                "`{pointer}` is not a JSON pointer: it must start with `/` (like `/spec/replicas`)"
            ));
        };
        if rest.is_empty() {
            return Err(
                "the pointer `/` would ignore the whole object; use an [[ignore]] rule for that"
                    .into(),
            );
        }
        let tokens = rest
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let glob = |what: &str, p: Option<&str>| {
            p.map(|g| {
                glob::Pattern::new(g).map_err(|e| format!("{what} `{g}` is not a valid glob: {e}"))
            })
            .transpose()
        };
        Ok(PointerRule {
            tokens,
            kind: glob("kind", kind)?,
            name: glob("name", name)?,
            namespace: glob("namespace", namespace)?,
        })
    }

    /// Whether the rule is about this object. `kind` matches the kind (`Deployment`) or the
    /// resource type (`Deployment.apps`).
    pub fn selects(&self, id: &ObjectId) -> bool {
        self.kind
            .as_ref()
            .is_none_or(|p| p.matches(&id.kind) || p.matches(&id.resource_type()))
            && self.name.as_ref().is_none_or(|p| p.matches(&id.name))
            && self
                .namespace
                .as_ref()
                .is_none_or(|p| p.matches(id.namespace.as_deref().unwrap_or("")))
    }
}

/// Removes what `tokens` points at from `v` (every match, for `*`).
fn prune(v: &mut Value, tokens: &[String]) {
    let Some((first, rest)) = tokens.split_first() else {
        return;
    };
    match v {
        Value::Object(m) => {
            let keys: Vec<String> = m
                .keys()
                .filter(|k| first == "*" || *k == first)
                .cloned()
                .collect();
            for k in keys {
                if rest.is_empty() {
                    m.remove(&k);
                } else if let Some(child) = m.get_mut(&k) {
                    prune(child, rest);
                }
            }
        }
        Value::Array(items) => {
            let keys = list_keys(items);
            let hit = |i: usize| first == "*" || keys[i] == *first || i.to_string() == *first;
            if rest.is_empty() {
                let mut i = 0;
                items.retain(|_| {
                    let keep = !hit(i);
                    i += 1;
                    keep
                });
            } else {
                for (i, item) in items.iter_mut().enumerate() {
                    if hit(i) {
                        prune(item, rest);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Makes the security-sensitive fields of every pod spec explicit, so that turning them on in
/// the cluster is drift even when the manifest never mentioned them: `hostNetwork`, `hostPID`,
/// `hostIPC` (false), each container's `securityContext.privileged` (false), and each volume's
/// `hostPath` (absent). A zero value equals a live object without the field, so this adds no
/// noise.
pub fn inject_security_fields(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.get("containers").is_some_and(Value::is_array) {
                for f in ["hostNetwork", "hostPID", "hostIPC"] {
                    m.entry(f).or_insert(Value::Bool(false));
                }
                for list in ["containers", "initContainers"] {
                    if let Some(Value::Array(cs)) = m.get_mut(list) {
                        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                            let sc = c
                                .entry("securityContext")
                                .or_insert_with(|| Value::Object(Map::new()));
                            if let Value::Object(sc) = sc {
                                sc.entry("privileged").or_insert(Value::Bool(false));
                            }
                        }
                    }
                }
                if let Some(Value::Array(vols)) = m.get_mut("volumes") {
                    for vol in vols.iter_mut().filter_map(Value::as_object_mut) {
                        vol.entry("hostPath").or_insert(Value::Null);
                    }
                }
            }
            for (_, child) in m.iter_mut() {
                inject_security_fields(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(inject_security_fields),
        _ => {}
    }
}

/// Drops identity and server-written metadata from `metadata`-like maps at any depth (pod
/// templates carry `metadata.creationTimestamp: null` when exported).
fn drop_server_fields(v: &mut Value, top: bool) {
    let Value::Object(m) = v else {
        if let Value::Array(items) = v {
            items.iter_mut().for_each(|i| drop_server_fields(i, false));
        }
        return;
    };
    if top {
        for f in ["apiVersion", "kind", "status"] {
            m.remove(f);
        }
    }
    if let Some(Value::Object(meta)) = m.get_mut("metadata") {
        for f in SERVER_METADATA {
            meta.remove(f);
        }
        if top {
            meta.remove("name");
            meta.remove("namespace");
        }
        if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
            for a in TOOL_ANNOTATIONS {
                ann.remove(a);
            }
        }
    }
    for (k, child) in m.iter_mut() {
        if k != "metadata" {
            drop_server_fields(child, false);
        }
    }
}

/// The canonical form of a manifest object: what its expected resource is built from.
pub fn canonical_expected(id: &ObjectId, body: &Value, rules: &[PointerRule]) -> Value {
    let ctx = Ctx::for_kind(&id.group, &id.kind);
    let mut v = body.clone();
    drop_server_fields(&mut v, true);
    if ctx.secret {
        if let Value::Object(m) = &mut v {
            let mut data = Map::new();
            if let Some(Value::Object(d)) = m.remove("data") {
                for (k, x) in d {
                    data.insert(k, secret_data_digest(&x));
                }
            }
            // `stringData` is written into `data` by the API server; it wins over `data`.
            if let Some(Value::Object(d)) = m.remove("stringData") {
                for (k, x) in d {
                    let text = match x {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    data.insert(k, secret_digest(text.as_bytes()));
                }
            }
            if !data.is_empty() {
                m.insert("data".into(), Value::Object(data));
            }
        }
    }
    let mut v = canon_value(&v, &[], true).unwrap_or_else(|| Value::Object(Map::new()));
    for r in rules.iter().filter(|r| r.selects(id)) {
        prune(&mut v, &r.tokens);
    }
    inject_security_fields(&mut v);
    v
}

/// How an attribute of a flattened object is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrKind {
    /// A leaf value, compared whole.
    Leaf,
    /// A list of objects: the live items whose key the manifest does not have (`Tags` shape:
    /// one change per extra item).
    Extras,
}

/// The attributes of a canonical expected object: `(path, kind)` with the expected value.
pub fn flatten(canonical: &Value) -> Vec<(String, AttrKind, Value)> {
    let mut out = Vec::new();
    walk(
        canonical,
        Some(canonical),
        &mut Vec::new(),
        &Owned::default(),
        false,
        &mut out,
    );
    out
}

/// Paths owned by ignored field managers, as path texts.
#[derive(Debug, Clone, Default)]
pub struct Owned(BTreeSet<String>);

impl Owned {
    /// Whether `path` is, or is inside, an owned path.
    fn covers(&self, path: &str) -> bool {
        self.0.iter().any(|p| {
            path.strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields the named managers own in a live object, from `metadata.managedFields`.
    pub fn from_managed_fields(live: &Value, managers: &[String]) -> Owned {
        let mut owned = Owned::default();
        if managers.is_empty() {
            return owned;
        }
        let entries = live
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array);
        for e in entries.into_iter().flatten() {
            let manager = e.get("manager").and_then(Value::as_str).unwrap_or("");
            if !managers.iter().any(|m| m == manager) {
                continue;
            }
            if let Some(Value::Object(fields)) = e.get("fieldsV1") {
                owned_walk(fields, &mut Vec::new(), &mut owned.0);
            }
        }
        owned
    }
}

/// Reads the `fieldsV1` trie: `f:name` is a field, `k:{...}` a list item by its merge key,
/// `i:N` an item by position, `v:...` a set member (the whole list is taken as owned), `.` the
/// node itself. An empty node is an owned leaf.
fn owned_walk(fields: &Map<String, Value>, segs: &mut Vec<Seg>, out: &mut BTreeSet<String>) {
    for (k, v) in fields {
        let seg = if k == "." {
            out.insert(path_text(segs));
            continue;
        } else if let Some(f) = k.strip_prefix("f:") {
            Seg::Field(f.to_string())
        } else if let Some(json) = k.strip_prefix("k:") {
            match serde_json::from_str::<Value>(json)
                .ok()
                .as_ref()
                .and_then(item_key)
            {
                Some(key) => Seg::Item(key),
                None => continue,
            }
        } else if let Some(i) = k.strip_prefix("i:") {
            Seg::Item(i.to_string())
        } else if k.starts_with("v:") {
            out.insert(path_text(segs));
            continue;
        } else {
            continue;
        };
        segs.push(seg);
        match v {
            Value::Object(child) if !child.is_empty() => owned_walk(child, segs, out),
            _ => {
                out.insert(path_text(segs));
            }
        }
        segs.pop();
    }
}

/// The live object projected onto a canonical expected object's attributes (see the module
/// doc). Attributes under `owned` paths are left out, so they are not compared.
pub fn project(expected: &Value, live: &Value, ctx: Ctx, owned: &Owned) -> Attrs {
    let mut out = Vec::new();
    let live = live_for_compare(live, ctx);
    walk(
        expected,
        Some(&live),
        &mut Vec::new(),
        owned,
        true,
        &mut out,
    );
    out.into_iter().map(|(p, _, v)| (p, v)).collect()
}

/// A live object made comparable with a canonical manifest: Secret data digested the same way.
fn live_for_compare(live: &Value, ctx: Ctx) -> Value {
    let mut v = live.clone();
    if ctx.secret {
        if let Some(Value::Object(d)) = v.get_mut("data") {
            for x in d.values_mut() {
                *x = secret_data_digest(x);
            }
        }
        if let Value::Object(m) = &mut v {
            m.remove("stringData");
        }
    }
    v
}

/// Walks the expected value and, in step, the live one. On the expected side `live` is the
/// expected value itself and leaves are taken as they are.
fn walk(
    exp: &Value,
    live: Option<&Value>,
    segs: &mut Vec<Seg>,
    owned: &Owned,
    is_live: bool,
    out: &mut Vec<(String, AttrKind, Value)>,
) {
    let path = path_text(segs);
    if !owned.is_empty() && owned.covers(&path) {
        return;
    }
    match exp {
        Value::Object(m) if !m.is_empty() => {
            for (k, e) in m {
                segs.push(Seg::Field(k.clone()));
                walk(e, live.and_then(|l| l.get(k)), segs, owned, is_live, out);
                segs.pop();
            }
        }
        Value::Array(items) if is_object_list(items) => {
            let (keys, keyed) = keyed_list(items);
            let live_items: &[Value] = live
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let find = |key: &str, pos: usize| -> Option<&Value> {
                if keyed {
                    live_items
                        .iter()
                        .find(|i| item_key(i).as_deref() == Some(key))
                } else {
                    live_items.get(pos)
                }
            };
            for (pos, (e, key)) in items.iter().zip(&keys).enumerate() {
                segs.push(Seg::Item(key.clone()));
                walk(e, find(key, pos), segs, owned, is_live, out);
                segs.pop();
            }
            // The items the manifest does not have, by key, as compact JSON.
            let mut extras = Map::new();
            if is_live {
                let wanted: BTreeSet<&String> = keys.iter().collect();
                for (pos, item) in live_items.iter().enumerate() {
                    let key = if keyed {
                        item_key(item).unwrap_or_else(|| pos.to_string())
                    } else {
                        pos.to_string()
                    };
                    let extra = if keyed {
                        !wanted.contains(&key)
                    } else {
                        pos >= items.len()
                    };
                    if extra {
                        let mut child = segs.clone();
                        child.push(Seg::Item(key.clone()));
                        let text = canon_value(item, &child, true)
                            .unwrap_or(Value::Null)
                            .to_string();
                        extras.insert(key, Value::String(text));
                    }
                }
            }
            out.push((path, AttrKind::Extras, Value::Object(extras)));
        }
        leaf => {
            let value = if !is_live {
                leaf.clone()
            } else {
                match live.map(|l| canon_leaf(l, segs)) {
                    None | Some(Value::Null) if is_zero(leaf) => leaf.clone(),
                    None | Some(Value::Null) => Value::Null,
                    // `{}` in a manifest (`emptyDir: {}`) asks only for presence.
                    Some(Value::Object(_)) if leaf.as_object().is_some_and(Map::is_empty) => {
                        leaf.clone()
                    }
                    Some(l) if is_zero(&l) && is_zero(leaf) => leaf.clone(),
                    Some(l) => l,
                }
            };
            out.push((path, AttrKind::Leaf, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(kind: &str, group: &str) -> ObjectId {
        ObjectId {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: Some("default".into()),
            name: "web".into(),
        }
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web", "app.kubernetes.io/name": "web"}},
            "spec": {
                "replicas": 2,
                "template": {"metadata": {"creationTimestamp": null}, "spec": {
                    "containers": [{
                        "name": "web", "image": "nginx:1.25",
                        "ports": [{"containerPort": 80}],
                        "env": [{"name": "A", "value": "1"}],
                        "resources": {"limits": {"cpu": "0.1", "memory": "1Gi"}}
                    }],
                    "volumes": [{"name": "cache", "emptyDir": {}}]
                }}
            }
        })
    }

    fn attrs_of(canonical: &Value) -> Attrs {
        flatten(canonical)
            .into_iter()
            .map(|(p, _, v)| (p, v))
            .collect()
    }

    #[test]
    fn paths_read_well() {
        let c = canonical_expected(&id("Deployment", "apps"), &deployment(), &[]);
        let a = attrs_of(&c);
        assert_eq!(a["spec.replicas"], json!(2));
        assert_eq!(
            a["spec.template.spec.containers[web].image"],
            json!("nginx:1.25")
        );
        assert_eq!(
            a["metadata.labels[\"app.kubernetes.io/name\"]"],
            json!("web")
        );
        assert_eq!(
            a["spec.template.spec.containers[web].resources.limits.cpu"],
            json!("0.1")
        );
        assert_eq!(
            a["spec.template.spec.containers[web].securityContext.privileged"],
            json!(false)
        );
        assert!(!a.keys().any(|k| k.contains("creationTimestamp")), "{a:?}");
    }

    #[test]
    fn live_with_defaults_and_other_spellings_equals_manifest() {
        let c = canonical_expected(&id("Deployment", "apps"), &deployment(), &[]);
        let live = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "9",
                         "labels": {"app": "web", "app.kubernetes.io/name": "web", "extra": "x"},
                         "annotations": {"deployment.kubernetes.io/revision": "3"}},
            "spec": {
                "replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                "strategy": {"type": "RollingUpdate"},
                "template": {"spec": {
                    "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                    "containers": [{
                        "name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [{"name": "A", "value": "1"}],
                        "resources": {"limits": {"cpu": "100m", "memory": "1024Mi"}},
                        "terminationMessagePath": "/dev/termination-log"
                    }],
                    "volumes": [{"name": "cache", "emptyDir": {"medium": ""}}]
                }}
            },
            "status": {"replicas": 2}
        });
        assert_eq!(
            project(&c, &live, Ctx::default(), &Owned::default()),
            attrs_of(&c)
        );
    }

    #[test]
    fn named_items_are_matched_by_name_and_extras_reported() {
        let c = canonical_expected(&id("Deployment", "apps"), &deployment(), &[]);
        let mut live = deployment();
        live["spec"]["template"]["spec"]["containers"][0]["env"] =
            json!([{"name": "DEBUG", "value": "1"}, {"name": "A", "value": "1"}]);
        let p = project(&c, &live, Ctx::default(), &Owned::default());
        assert_eq!(
            p["spec.template.spec.containers[web].env"],
            json!({"DEBUG": "{\"name\":\"DEBUG\",\"value\":\"1\"}"})
        );
        assert_eq!(
            p["spec.template.spec.containers[web].env[A].value"],
            json!("1")
        );
    }

    #[test]
    fn managed_fields_of_ignored_managers_are_left_out() {
        let c = canonical_expected(&id("Deployment", "apps"), &deployment(), &[]);
        let mut live = deployment();
        live["spec"]["replicas"] = json!(7);
        live["metadata"]["managedFields"] = json!([
            {"manager": "kube-controller-manager", "operation": "Update", "subresource": "scale",
             "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "kubectl", "operation": "Update",
             "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                 "k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}}}}}
        ]);
        let owned = Owned::from_managed_fields(&live, &["kube-controller-manager".into()]);
        let p = project(&c, &live, Ctx::default(), &owned);
        assert!(!p.contains_key("spec.replicas"));
        assert!(p.contains_key("spec.template.spec.containers[web].image"));
        let owned = Owned::from_managed_fields(&live, &["kubectl".into()]);
        let p = project(&c, &live, Ctx::default(), &owned);
        assert!(!p.contains_key("spec.template.spec.containers[web].image"));
        assert!(!p.contains_key("spec.template.spec.containers[web].env[A].value"));
        assert_eq!(p["spec.replicas"], json!(7));
    }

    #[test]
    fn pointer_rules_prune_by_key_and_selector() {
        let r = PointerRule::new(
            "/spec/template/spec/containers/web/image",
            Some("Deployment"),
            Some("w*"),
            None,
        )
        .unwrap();
        let c = canonical_expected(
            &id("Deployment", "apps"),
            &deployment(),
            std::slice::from_ref(&r),
        );
        let a = attrs_of(&c);
        assert!(!a.contains_key("spec.template.spec.containers[web].image"));
        assert!(a.contains_key("spec.replicas"));
        let other = ObjectId {
            name: "api".into(),
            ..id("Deployment", "apps")
        };
        assert!(!r.selects(&other));
        assert!(PointerRule::new("spec", None, None, None).is_err());
        assert!(PointerRule::new("/", None, None, None).is_err());
    }

    #[test]
    fn secrets_are_digested_never_kept() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                            "stringData": {"password": "hunter2"}, "data": {"user": "YWRtaW4="}});
        let sid = id("Secret", "");
        let c = canonical_expected(&sid, &secret, &[]);
        assert!(!c.to_string().contains("hunter2"));
        let live = json!({"metadata": {"name": "db"},
                          "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="}});
        let ctx = Ctx::for_kind("", "Secret");
        assert_eq!(project(&c, &live, ctx, &Owned::default()), attrs_of(&c));
        let changed = json!({"data": {"password": "b3RoZXI=", "user": "YWRtaW4="}});
        let p = project(&c, &changed, ctx, &Owned::default());
        assert_ne!(p["data.password"], attrs_of(&c)["data.password"]);
        assert!(!serde_json::to_string(&p).unwrap().contains("b3RoZXI="));
    }

    #[test]
    fn zero_values_equal_absent_but_presence_fields_do_not() {
        let m = json!({"spec": {"template": {"spec": {"hostNetwork": false,
            "containers": [{"name": "c", "image": "i"}],
            "volumes": [{"name": "v", "emptyDir": {}}]}}}});
        let c = canonical_expected(&id("Deployment", "apps"), &m, &[]);
        let live = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "c", "image": "i"}],
            "volumes": [{"name": "v", "hostPath": {"path": "/"}}]}}}});
        let p = project(&c, &live, Ctx::default(), &Owned::default());
        let e = attrs_of(&c);
        assert_eq!(
            p["spec.template.spec.hostNetwork"],
            e["spec.template.spec.hostNetwork"]
        );
        assert_eq!(p["spec.template.spec.volumes[v].emptyDir"], Value::Null);
        assert_eq!(
            p["spec.template.spec.volumes[v].hostPath"],
            json!({"path": "/"})
        );
    }

    #[test]
    fn owned_paths_cover_their_subtrees_only() {
        let mut o = Owned::default();
        o.0.insert("spec.replicas".into());
        o.0.insert("spec.template.spec.containers[web]".into());
        assert!(o.covers("spec.replicas"));
        assert!(!o.covers("spec.replicasX"));
        assert!(o.covers("spec.template.spec.containers[web].image"));
        assert!(!o.covers("spec.template.spec.containers[webx].image"));
        assert!(!o.covers("spec"));
    }
}
