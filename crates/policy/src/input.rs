//! The input documents policies read.
//!
//! One resource:
//!
//! ```json
//! {
//!   "target": "prod", "provider": "aws", "type": "aws_security_group", "id": "sg-0abc",
//!   "region": "eu-west-1", "managed": true, "address": "aws_security_group.web",
//!   "attributes": { "ingress": [ ... ], "tags": { ... } },
//!   "expected": { ... },
//!   "finding": { "kind": "changed", "tier": "critical", "changes": [ ... ] }
//! }
//! ```
//!
//! `attributes` are the live attributes, under Terraform's names (the same shape `terraform
//! show -json` gives); `expected` what state (and code) expects when the resource is managed,
//! else null; `finding` the resource's drift finding, if any. An inventory policy gets
//! `{"target": ..., "resources": [ <one document per resource> ]}`.

use crate::Subject;
use regorus::Value as RegoValue;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The input document of one resource.
pub fn resource(target: &str, s: &Subject<'_>) -> Value {
    let key = &s.live.key;
    let mut doc = Map::new();
    doc.insert("target".into(), json!(target));
    doc.insert("provider".into(), json!(key.provider));
    doc.insert("type".into(), json!(key.resource_type));
    doc.insert("id".into(), json!(key.id));
    doc.insert("region".into(), json!(s.live.region));
    doc.insert("managed".into(), json!(s.expected.is_some()));
    doc.insert(
        "address".into(),
        json!(s.expected.and_then(|e| e.address.clone())),
    );
    doc.insert("attributes".into(), attributes(&s.live.attrs));
    doc.insert(
        "expected".into(),
        s.expected.map_or(Value::Null, |e| attributes(&e.attrs)),
    );
    doc.insert(
        "finding".into(),
        s.finding.map_or(
            Value::Null,
            |f| json!({"kind": f.kind, "tier": f.tier, "changes": f.changes}),
        ),
    );
    Value::Object(doc)
}

/// The input document of an inventory policy.
pub fn inventory<'a>(target: &str, docs: impl Iterator<Item = &'a Value>) -> Value {
    json!({"target": target, "resources": docs.cloned().collect::<Vec<_>>()})
}

/// Attributes as an object; driftd's internal ones (`$object`, `$apiVersion`) left out.
fn attributes(attrs: &driftd_core::Attrs) -> Value {
    Value::Object(
        attrs
            .iter()
            .filter(|(k, _)| !k.starts_with('$'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

/// The input document of one resource as a Rego value, built straight from the resource: the
/// value `RegoValue::from(resource(target, s))` gives (see the tests), without the JSON tree in
/// between. With `full` false, `expected` and `finding` are left out, for policies that cannot
/// read them ([`crate::reads_only`]); the document is still undefined wherever the full one is.
pub(crate) fn resource_value(target: &str, s: &Subject<'_>, full: bool) -> RegoValue {
    let key = &s.live.key;
    let text = |v: &str| RegoValue::String(v.into());
    let optional = |v: Option<&str>| v.map_or(RegoValue::Null, text);
    let Some(attributes) = attributes_value(&s.live.attrs) else {
        return RegoValue::Undefined;
    };
    let finding = s
        .finding
        .map(|f| json!({"kind": f.kind, "tier": f.tier, "changes": f.changes}));
    let mut doc = BTreeMap::new();
    if full {
        let expected = match s.expected {
            None => RegoValue::Null,
            Some(e) => match attributes_value(&e.attrs) {
                Some(v) => v,
                None => return RegoValue::Undefined,
            },
        };
        let finding = match &finding {
            None => RegoValue::Null,
            Some(f) => match value(f) {
                Some(v) => v,
                None => return RegoValue::Undefined,
            },
        };
        doc.insert(text("expected"), expected);
        doc.insert(text("finding"), finding);
    } else {
        let attrs_readable = |attrs: &driftd_core::Attrs| {
            attrs
                .iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .all(|(_, v)| readable(v))
        };
        if !s.expected.is_none_or(|e| attrs_readable(&e.attrs))
            || !finding.as_ref().is_none_or(readable)
        {
            return RegoValue::Undefined;
        }
    }
    doc.insert(text("target"), text(target));
    doc.insert(text("provider"), text(&key.provider));
    doc.insert(text("type"), text(&key.resource_type));
    doc.insert(text("id"), text(&key.id));
    doc.insert(text("region"), optional(s.live.region.as_deref()));
    doc.insert(text("managed"), RegoValue::Bool(s.expected.is_some()));
    doc.insert(
        text("address"),
        optional(s.expected.and_then(|e| e.address.as_deref())),
    );
    doc.insert(text("attributes"), attributes);
    RegoValue::from(doc)
}

/// The input document of an inventory policy, from its resources' documents: undefined when one
/// of them is.
pub(crate) fn inventory_value(target: &str, docs: Vec<RegoValue>) -> RegoValue {
    if docs.contains(&RegoValue::Undefined) {
        return RegoValue::Undefined;
    }
    let mut doc = BTreeMap::new();
    doc.insert(RegoValue::from("target"), RegoValue::from(target));
    doc.insert(RegoValue::from("resources"), RegoValue::from(docs));
    RegoValue::from(doc)
}

/// [`attributes`] as a Rego value.
fn attributes_value(attrs: &driftd_core::Attrs) -> Option<RegoValue> {
    object(attrs.iter().filter(|(k, _)| !k.starts_with('$')))
}

/// Entries in key order as a Rego object (collected in one go: a sorted iterator builds the
/// map in bulk).
fn object<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> Option<RegoValue> {
    let map = entries
        .map(|(k, v)| Some((RegoValue::String(k.as_str().into()), value(v)?)))
        .collect::<Option<BTreeMap<_, _>>>()?;
    Some(RegoValue::from(map))
}

/// The key serde_json writes an arbitrary-precision number under: regorus reads an object whose
/// first entry is this key with a string as that number (and fails when it is not one).
const SERDE_NUMBER: &str = "$serde_json::private::Number";

/// A JSON value as a Rego value, as regorus reads one (`RegoValue::from(serde_json::Value)`),
/// without going through serde; `None` where regorus's reading fails (which makes the whole
/// document undefined).
pub(crate) fn value(v: &Value) -> Option<RegoValue> {
    Some(match v {
        Value::Null => RegoValue::Null,
        Value::Bool(b) => RegoValue::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                RegoValue::from(u)
            } else if let Some(i) = n.as_i64() {
                RegoValue::from(i)
            } else {
                RegoValue::from(n.as_f64()?)
            }
        }
        Value::String(s) => RegoValue::String(s.as_str().into()),
        Value::Array(items) => {
            RegoValue::from(items.iter().map(value).collect::<Option<Vec<_>>>()?)
        }
        Value::Object(o) => {
            if let Some((k, Value::String(n))) = o.iter().next() {
                if k == SERDE_NUMBER {
                    return RegoValue::from_numeric_string(n).ok();
                }
            }
            object(o.iter())?
        }
    })
}

/// Whether [`value`] reads `v` (without building it).
fn readable(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().all(readable),
        Value::Object(o) => match o.iter().next() {
            Some((k, Value::String(n))) if k == SERDE_NUMBER => {
                RegoValue::from_numeric_string(n).is_ok()
            }
            _ => o.values().all(readable),
        },
        _ => true,
    }
}

/// The longest value [`attribute_at`] gives, as JSON text; a longer one is replaced by a note
/// of its size.
const MAX_VALUE_BYTES: usize = 2048;

/// The value of `attrs` at a message's `path`: an attribute's name (`metadata_options`, or a
/// flattened Kubernetes path like `spec.template.spec.containers[web].image`), then `.field`
/// and `[key]` steps into it, where a key picks a list item by position or by its `name`.
/// `None` when the path leads nowhere.
pub(crate) fn attribute_at(attrs: &driftd_core::Attrs, path: &str) -> Option<Value> {
    let boundary = |name: &str| {
        path.strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    let (name, value) = attrs
        .iter()
        .filter(|(k, _)| !k.starts_with('$') && boundary(k))
        .max_by_key(|(k, _)| k.len())?;
    let mut value = value;
    let mut rest = &path[name.len()..];
    while !rest.is_empty() {
        let (step, next) = if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            (&r[..end], &r[end + 1..])
        } else {
            let r = rest.strip_prefix('.')?;
            let end = r.find(['.', '[']).unwrap_or(r.len());
            (&r[..end], &r[end..])
        };
        value = match value {
            Value::Object(o) => o.get(step)?,
            Value::Array(items) => match step.parse::<usize>() {
                Ok(i) => items.get(i)?,
                Err(_) => items
                    .iter()
                    .find(|item| item.get("name").and_then(Value::as_str) == Some(step))?,
            },
            _ => return None,
        };
        rest = next;
    }
    let text = value.to_string();
    Some(if text.len() > MAX_VALUE_BYTES {
        Value::String(format!("({} bytes of JSON, too long to show)", text.len()))
    } else {
        value.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{Finding, Resource};

    fn resource(rtype: &str, attrs: Value) -> Resource {
        let mut r = Resource::new("aws", rtype, "r-1");
        r.attrs = serde_json::from_value(attrs).expect("attributes");
        r
    }

    fn odd_values() -> Value {
        json!({
            "$object": {"hidden": true}, "n": -3, "big": u64::MAX, "f": 1.5, "s": "x", "t": true,
            "null": null, "empty": {}, "list": [1, [2, {"a": null}], "b"],
            "tags": {"Team": "a", "": "empty key", "$x": 1},
            "num": {"$serde_json::private::Number": "12.5"},
            "not_num": {"!": 1, "$serde_json::private::Number": "x"},
            "num_not_string": {"$serde_json::private::Number": 12},
        })
    }

    #[test]
    fn the_value_at_a_messages_path() {
        let r = resource(
            "aws_instance",
            json!({
                "metadata_options": [{"http_tokens": "optional"}],
                "pod_spec": {"containers": [{"name": "web", "securityContext": {"privileged": true}}]},
                "spec.template.spec.containers[web].image": "nginx:1",
                "spec": {"not": "this one"},
                "big": "x".repeat(3000),
                "$object": {"hidden": 1},
            }),
        );
        let at = |p: &str| attribute_at(&r.attrs, p);
        assert_eq!(
            at("metadata_options"),
            Some(json!([{"http_tokens": "optional"}]))
        );
        assert_eq!(
            at("metadata_options.0.http_tokens"),
            Some(json!("optional"))
        );
        assert_eq!(
            at("metadata_options[0].http_tokens"),
            Some(json!("optional"))
        );
        assert_eq!(
            at("pod_spec.containers[web].securityContext.privileged"),
            Some(json!(true))
        );
        assert_eq!(
            at("spec.template.spec.containers[web].image"),
            Some(json!("nginx:1"))
        );
        assert_eq!(at("pod_spec.containers[db]"), None);
        assert_eq!(at("metadata_options.1"), None);
        assert_eq!(at("metadata_optionsX"), None);
        assert_eq!(at("$object"), None);
        assert_eq!(at("pod_spec.containers[web"), None);
        assert_eq!(
            at("big"),
            Some(json!("(3002 bytes of JSON, too long to show)"))
        );
    }

    /// The document built straight from the resource is the one regorus reads from the JSON
    /// document; without `full`, the same less `expected` and `finding`.
    #[test]
    fn the_rego_document_is_the_json_one() {
        let live = resource("aws_instance", odd_values());
        let mut expected = resource(
            "aws_instance",
            json!({"instance_type": "t3.micro", "x": [odd_values()]}),
        );
        expected.address = Some("aws_instance.a".into());
        let finding: Finding = serde_json::from_value(json!({
            "fingerprint": "f", "kind": "changed", "tier": "warning", "provider": "aws",
            "resource_type": "aws_instance", "resource_id": "r-1",
            "changes": [{"path": "tags", "op": "add", "expected": null, "actual": {"a": [1.25, -1]}}],
        }))
        .expect("finding");
        let bad = resource(
            "aws_instance",
            json!({"x": {"$serde_json::private::Number": "nope"}}),
        );
        let subjects = [
            Subject {
                live: &live,
                expected: None,
                finding: None,
            },
            Subject {
                live: &live,
                expected: Some(&expected),
                finding: Some(&finding),
            },
            Subject {
                live: &bad,
                expected: None,
                finding: None,
            },
            Subject {
                live: &live,
                expected: Some(&bad),
                finding: None,
            },
        ];
        for s in &subjects {
            let full = RegoValue::from(super::resource("prod", s));
            assert_eq!(resource_value("prod", s, true), full);
            let mut lean = full.clone();
            if let Ok(doc) = lean.as_object_mut() {
                doc.remove(&RegoValue::from("expected"));
                doc.remove(&RegoValue::from("finding"));
            }
            assert_eq!(resource_value("prod", s, false), lean);
        }
        assert_ne!(
            resource_value("prod", &subjects[1], true),
            RegoValue::Undefined
        );
        assert_eq!(
            resource_value("prod", &subjects[2], true),
            RegoValue::Undefined
        );
        assert_eq!(
            resource_value("prod", &subjects[3], false),
            RegoValue::Undefined
        );
        let docs: Vec<Value> = subjects[..2]
            .iter()
            .map(|s| super::resource("prod", s))
            .collect();
        let values = subjects[..2]
            .iter()
            .map(|s| resource_value("prod", s, true))
            .collect();
        assert_eq!(
            inventory_value("prod", values),
            RegoValue::from(inventory("prod", docs.iter()))
        );
        // One document regorus cannot read makes the whole inventory undefined.
        let docs: Vec<Value> = subjects
            .iter()
            .map(|s| super::resource("prod", s))
            .collect();
        let values = subjects
            .iter()
            .map(|s| resource_value("prod", s, true))
            .collect();
        assert_eq!(inventory_value("prod", values), RegoValue::Undefined);
        assert_eq!(
            RegoValue::from(inventory("prod", docs.iter())),
            RegoValue::Undefined
        );
    }
}
