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
use serde_json::{json, Map, Value};

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
