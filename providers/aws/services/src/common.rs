//! What every AWS resource type shares, whichever client lists it: the provider's name, tags,
//! the tier of what grants permissions, and reading values out of answers.

use driftd_core::{AttrSpec, Change, Resource, Shape, Tier, TierHint};
use serde_json::{Map, Value};

/// Provider name used in resource keys.
pub const PROVIDER: &str = "aws";

/// The scope of global services (IAM, Route 53, CloudFront): what the report names and what the
/// state side of such a resource is placed in.
pub const GLOBAL_SCOPE: &str = "global";

/// Tag keys AWS writes itself (CloudFormation, Auto Scaling, ...), never compared.
pub const AWS_GENERATED_TAGS: &[&str] = &["aws:"];

/// A type's `tags`, compared with state's `tags_all` (which holds the provider's
/// `default_tags`, reported by AWS like any other tag). A tag-only change is info.
pub const TAGS: AttrSpec = AttrSpec::new("tags", Shape::Tags)
    .with_state_alias("tags_all")
    .tier(TierHint::Always(Tier::Info));

/// What grants permissions (a role's trust policy, a policy document, a queue or key policy):
/// any change to it is critical.
pub const GRANTS: TierHint = TierHint::Always(Tier::Critical);

/// A new resource of `resource_type` in `region` with its attributes.
pub fn resource(resource_type: &str, id: &str, region: &str, attrs: Value) -> Resource {
    let mut r = Resource::new(PROVIDER, resource_type, id);
    r.region = Some(region.to_string());
    if let Value::Object(map) = attrs {
        r.attrs = map.into_iter().collect();
    }
    r
}

/// A string field of an answer, or null when absent.
pub fn text(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(Value::String(s)) => Value::String(s.clone()),
        Some(Value::Number(n)) => Value::String(n.to_string()),
        Some(Value::Bool(b)) => Value::String(b.to_string()),
        _ => Value::Null,
    }
}

/// A string field of an answer as `&str` (empty when absent).
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// A boolean field: JSON's `true`, or XML's text `true`/`false`; null when absent.
pub fn flag(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(Value::Bool(b)) => Value::Bool(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
        _ => Value::Null,
    }
}

/// A numeric field: JSON's number, or XML's text; null when absent or not a number.
pub fn number(v: &Value, key: &str) -> Value {
    match v.get(key) {
        Some(Value::Number(n)) => Value::Number(n.clone()),
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.trim().parse::<f64>().map(Value::from))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// The items of a JSON array field (absent: none).
pub fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Tags given as a list of `{key_field: k, value_field: v}` entries, as a Terraform map.
pub fn tag_list<'a>(
    items: impl IntoIterator<Item = &'a Value>,
    key_field: &str,
    value_field: &str,
) -> Value {
    let map: Map<String, Value> = items
        .into_iter()
        .filter_map(|t| {
            let k = t.get(key_field)?.as_str()?;
            let v = t.get(value_field).and_then(Value::as_str).unwrap_or("");
            Some((k.to_string(), Value::String(v.to_string())))
        })
        .collect();
    Value::Object(map)
}

/// Tags given as a JSON object (`{"Env": "prod"}`, REST-JSON services), as a Terraform map.
pub fn tag_map(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => Value::Object(Map::new()),
    }
}

/// A JSON document held in a string (a policy), compared as a document by `Shape::Document`;
/// null when absent or empty.
pub fn document(v: &Value, key: &str) -> Value {
    match v.get(key).and_then(Value::as_str) {
        Some(raw) if !raw.trim().is_empty() => Value::String(raw.to_string()),
        _ => Value::Null,
    }
}

/// Live attributes without the values the answer did not hold: an attribute left out is
/// unknown (not compared), where a null would read as removed.
pub fn present(pairs: Vec<(&str, Value)>) -> Value {
    known(Value::Object(
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    ))
}

/// An object of attributes without its null values (see [`present`]).
pub fn known(attrs: Value) -> Value {
    match attrs {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        other => other,
    }
}

/// Tier rule: what protected is now gone (an encryption key, a condition of a grant): critical
/// when the new value is absent or empty.
pub fn removed_is_critical(change: &Change) -> Option<Tier> {
    match &change.actual {
        Value::Null => Some(Tier::Critical),
        Value::String(s) if s.is_empty() => Some(Tier::Critical),
        _ => None,
    }
}

/// Tier rule: a setting that protects when on (encryption, deletion protection, logging) is now
/// off or absent: critical.
pub fn off_is_critical(change: &Change) -> Option<Tier> {
    match &change.actual {
        Value::Null | Value::Bool(false) => Some(Tier::Critical),
        Value::String(s) if s.is_empty() || s.eq_ignore_ascii_case("false") => Some(Tier::Critical),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn xml_text_reads_as_booleans_and_numbers() {
        let v = json!({"A": "true", "B": "False", "N": "30", "F": "1.5", "X": "x", "J": 7});
        assert_eq!(flag(&v, "A"), json!(true));
        assert_eq!(flag(&v, "B"), json!(false));
        assert_eq!(flag(&v, "missing"), Value::Null);
        assert_eq!(number(&v, "N"), json!(30));
        assert_eq!(number(&v, "F"), json!(1.5));
        assert_eq!(number(&v, "X"), Value::Null);
        assert_eq!(number(&v, "J"), json!(7));
        assert_eq!(text(&v, "J"), json!("7"));
    }

    #[test]
    fn tag_lists_become_maps() {
        let tags = json!([{"Key": "Env", "Value": "prod"}, {"Key": "Empty"}]);
        assert_eq!(
            tag_list(tags.as_array().unwrap(), "Key", "Value"),
            json!({"Env": "prod", "Empty": ""})
        );
    }
}
