//! `google_compute_address`: a reserved regional IP address. Compared: the address itself, its
//! type (internal or external), network tier, purpose, subnetwork and network, prefix length,
//! IP version, description and labels. `users` (what holds the address now) is not compared:
//! Terraform only records it.
//!
//! gcplocal serves no addresses: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks
//! the documented `addresses` REST resource.

use super::{labels, list_compute, opt, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Address;
use serde_json::{json, Value};

pub struct ComputeAddress;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_address",
    attrs: &[
        // A reserved address that now holds another IP was released and taken again: DNS
        // records and allowlists that name the old one point at nothing, or at someone else.
        AttrSpec::new("address", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("address_type", Shape::CaseInsensitive).tier(TierHint::Rule(made_external)),
        AttrSpec::new("network_tier", Shape::CaseInsensitive),
        AttrSpec::new("purpose", Shape::CaseInsensitive),
        AttrSpec::new("subnetwork", Shape::Link),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("prefix_length", Shape::Number),
        AttrSpec::new("ip_version", Shape::CaseInsensitive),
        AttrSpec::new("description", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "users",
            "computed: what holds the address now, which Terraform only records",
        ),
        UncomparedAttr::new(
            "ipv6_endpoint_type",
            "not compared yet (addresses.list returns it)",
        ),
        UncomparedAttr::new(
            "effective_labels",
            "every label on the resource, others' included; labels are compared through \
            terraform_labels",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// An internal address that became external is reachable from the internet: critical.
pub(crate) fn made_external(c: &Change) -> Option<Tier> {
    let external = |v: &Value| {
        v.as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("EXTERNAL"))
    };
    (external(&c.actual) && !external(&c.expected)).then_some(Tier::Critical)
}

/// The attributes both address types share, as the provider records them (an absent address
/// type is `EXTERNAL`, an absent prefix length 0).
pub(crate) fn address_attrs(a: &Address, name: &str, project: &str) -> Value {
    json!({
        "name": name,
        "project": project,
        "address": opt(a.address.as_deref()),
        "address_type": a.address_type.as_ref().and_then(|t| t.name()).unwrap_or("EXTERNAL"),
        "network_tier": opt(a.network_tier.as_ref().and_then(|t| t.name())),
        "purpose": opt(a.purpose.as_ref().and_then(|p| p.name())),
        "subnetwork": opt(a.subnetwork.as_deref().map(canonical_link).as_deref()),
        "network": opt(a.network.as_deref().map(canonical_link).as_deref()),
        "prefix_length": a.prefix_length.unwrap_or(0),
        "ip_version": opt(a.ip_version.as_ref().and_then(|v| v.name())),
        "description": opt(a.description.as_deref()),
        "labels": labels(&a.labels),
        "users": a.users.iter().map(|u| canonical_link(u)).collect::<Vec<_>>(),
        "self_link": opt(a.self_link.as_deref().map(canonical_link).as_deref()),
    })
}

fn map(a: &Address, scope: &Scope) -> Option<Resource> {
    let name = a.name.as_deref()?;
    let mut attrs = address_attrs(a, name, &scope.project);
    attrs["region"] = json!(scope.location);
    Some(resource(
        SPEC.resource_type,
        format!(
            "projects/{}/regions/{}/addresses/{name}",
            scope.project, scope.location
        ),
        scope,
        attrs,
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeAddress {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing addresses", map, |s| {
            client
                .clients
                .addresses
                .list()
                .set_project(&s.project)
                .set_region(&s.location)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let a: Address = serde_json::from_value(json!({
            "name": "nat-ip", "address": "34.118.2.7", "addressType": "EXTERNAL",
            "networkTier": "PREMIUM", "labels": {"env": "prod"},
            "region": "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1",
            "users": ["https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1/routers/r"]
        }))
        .expect("address JSON");
        let r = map(&a, &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/regions/europe-west1/addresses/nat-ip");
        assert_eq!(r.region.as_deref(), Some("p/europe-west1"));
        assert_eq!(r.attrs["address"], json!("34.118.2.7"));
        assert_eq!(r.attrs["address_type"], json!("EXTERNAL"));
        assert_eq!(r.attrs["network_tier"], json!("PREMIUM"));
        assert_eq!(r.attrs["prefix_length"], json!(0));
        assert_eq!(r.attrs["labels"], json!({"env": "prod"}));
        assert_eq!(r.attrs["region"], json!("europe-west1"));
        assert!(!r.cloud_default);

        let internal: Address = serde_json::from_value(json!({
            "name": "db", "address": "10.10.0.9", "addressType": "INTERNAL",
            "purpose": "GCE_ENDPOINT",
            "subnetwork": "http://127.0.0.1:1/compute/v1/projects/p/regions/europe-west1/subnetworks/app"
        }))
        .expect("address JSON");
        let r = map(&internal, &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(r.attrs["purpose"], json!("GCE_ENDPOINT"));
        assert_eq!(
            r.attrs["subnetwork"],
            json!("https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1/subnetworks/app")
        );
    }

    #[test]
    fn a_new_ip_or_an_address_made_external_is_critical() {
        use driftd_core::{tier::default_tier, ChangeOp, FindingKind};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier("address", json!("34.118.2.7"), json!("34.118.2.8")),
            Tier::Critical
        );
        assert_eq!(
            tier("address_type", json!("INTERNAL"), json!("EXTERNAL")),
            Tier::Critical
        );
        assert_eq!(
            tier("address_type", json!("EXTERNAL"), json!("INTERNAL")),
            Tier::Warning
        );
        assert_eq!(tier("description", json!("a"), json!("b")), Tier::Warning);
    }
}
