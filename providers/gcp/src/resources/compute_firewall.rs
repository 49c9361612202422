//! `google_compute_firewall`: direction, priority, allow and deny rules, source and destination
//! ranges, source and target tags and service accounts, network, disabled, description. The
//! `default-allow-*` rules Google creates with the `default` network are cloud defaults.

use super::{list_compute, opt, resource, GENERATED_KEYS, WORLD};
use crate::client::UnitClient;
use crate::scope::{canonical_link, short_name, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Firewall;
use serde_json::{json, Value};

pub struct ComputeFirewall;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_firewall",
    attrs: &[
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("direction", Shape::Scalar),
        AttrSpec::new("priority", Shape::Scalar),
        AttrSpec::new("disabled", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        // `allow`/`deny` are sets of `{protocol, ports}` blocks: compared as sets of blocks.
        AttrSpec::new("allow", Shape::Set),
        AttrSpec::new("deny", Shape::Set),
        AttrSpec::new("source_ranges", Shape::Set).tier(TierHint::Rule(opened_to_world)),
        AttrSpec::new("destination_ranges", Shape::Set),
        AttrSpec::new("source_tags", Shape::Set),
        AttrSpec::new("target_tags", Shape::Set),
        AttrSpec::new("source_service_accounts", Shape::Set),
        AttrSpec::new("target_service_accounts", Shape::Set),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "log_config",
            "not compared yet (firewalls.list returns it): whether matched connections are logged",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// Sources that now include the whole internet where they did not: critical. The rule's ports
/// are not part of the change, so any port counts, as for an AWS ingress rule.
fn opened_to_world(c: &Change) -> Option<Tier> {
    let any_world = |v: &Value| {
        v.as_array()
            .is_some_and(|a| a.iter().any(|s| WORLD.contains(&s.as_str().unwrap_or(""))))
    };
    (any_world(&c.actual) && !any_world(&c.expected)).then_some(Tier::Critical)
}

/// One `allow`/`deny` block as the provider stores it: keys in the order Terraform writes
/// them (sorted), ports in API order (the schema keeps them as a list).
fn rule(protocol: Option<&str>, ports: &[String]) -> Value {
    json!({
        "ports": ports,
        "protocol": protocol.unwrap_or("all").to_ascii_lowercase(),
    })
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(s.clone())).collect())
}

fn map(f: &Firewall, scope: &Scope) -> Option<Resource> {
    let name = f.name.as_deref()?;
    let network = f.network.as_deref().map(canonical_link);
    let allow: Vec<Value> = f
        .allowed
        .iter()
        .map(|a| rule(a.ip_protocol.as_deref(), &a.ports))
        .collect();
    let deny: Vec<Value> = f
        .denied
        .iter()
        .map(|d| rule(d.ip_protocol.as_deref(), &d.ports))
        .collect();
    let mut r = resource(
        SPEC.resource_type,
        format!("projects/{}/global/firewalls/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "network": opt(network.as_deref()),
            "direction": opt(f.direction.as_ref().and_then(|d| d.name())),
            "priority": f.priority.unwrap_or(1000),
            "disabled": f.disabled.unwrap_or(false),
            "description": opt(f.description.as_deref()),
            "allow": allow,
            "deny": deny,
            "source_ranges": strings(&f.source_ranges),
            "destination_ranges": strings(&f.destination_ranges),
            "source_tags": strings(&f.source_tags),
            "target_tags": strings(&f.target_tags),
            "source_service_accounts": strings(&f.source_service_accounts),
            "target_service_accounts": strings(&f.target_service_accounts),
            "self_link": opt(f.self_link.as_deref().map(canonical_link).as_deref()),
        }),
    );
    r.cloud_default =
        name.starts_with("default-allow-") && network.as_deref().map(short_name) == Some("default");
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeFirewall {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing firewall rules", map, |s| {
            client.clients.firewalls.list().set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let f: Firewall = serde_json::from_value(json!({
            "name": "allow-ssh",
            "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/main",
            "direction": "INGRESS", "priority": 900,
            "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}, {"IPProtocol": "icmp"}],
            "sourceRanges": ["35.235.240.0/20"], "targetTags": ["ssh"]
        }))
        .expect("firewall JSON");
        let r = map(&f, &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/firewalls/allow-ssh");
        assert_eq!(r.attrs["direction"], json!("INGRESS"));
        assert_eq!(r.attrs["priority"], json!(900));
        assert_eq!(
            r.attrs["allow"],
            json!([{"ports": ["22"], "protocol": "tcp"}, {"ports": [], "protocol": "icmp"}])
        );
        assert_eq!(r.attrs["deny"], json!([]));
        assert_eq!(r.attrs["source_ranges"], json!(["35.235.240.0/20"]));
        assert!(!r.cloud_default);
    }

    #[test]
    fn sources_newly_open_to_the_world_are_critical() {
        use driftd_core::{tier::default_tier, ChangeOp, FindingKind};
        let tier = |expected: Value, actual: Value| {
            let c = Change::new("source_ranges", ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        let opened = tier(json!(["10.0.0.0/8"]), json!(["0.0.0.0/0", "10.0.0.0/8"]));
        assert_eq!(opened, Tier::Critical);
        // Open to the world before already: a change, not a new exposure.
        let widened = tier(json!(["0.0.0.0/0"]), json!(["0.0.0.0/0", "10.0.0.0/8"]));
        assert_eq!(widened, Tier::Warning);
    }
}
