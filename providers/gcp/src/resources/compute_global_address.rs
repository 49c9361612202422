//! `google_compute_global_address`: a reserved global IP address (a global load balancer's
//! front end, or a range for private services access). Compared as
//! [`compute_address`](super::compute_address) compares a regional one; the mapping is shared.
//!
//! gcplocal serves no addresses: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks
//! the documented `globalAddresses` REST resource.

use super::compute_address::{address_attrs, made_external};
use super::{list_compute, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use google_cloud_compute_v1::model::Address;

pub struct ComputeGlobalAddress;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_global_address",
    attrs: &[
        // The front end of a global load balancer that now has another IP: critical, as for a
        // regional address.
        AttrSpec::new("address", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("address_type", Shape::CaseInsensitive).tier(TierHint::Rule(made_external)),
        AttrSpec::new("purpose", Shape::CaseInsensitive),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("prefix_length", Shape::Number),
        AttrSpec::new("ip_version", Shape::CaseInsensitive),
        AttrSpec::new("description", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
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

fn map(a: &Address, scope: &Scope) -> Option<Resource> {
    let name = a.name.as_deref()?;
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/addresses/{name}", scope.project),
        scope,
        address_attrs(a, name, &scope.project),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeGlobalAddress {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing global addresses", map, |s| {
            client
                .clients
                .global_addresses
                .list()
                .set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_to_terraform_names() {
        let a: Address = serde_json::from_value(json!({
            "name": "google-managed-services", "address": "10.60.0.0", "prefixLength": 16,
            "addressType": "INTERNAL", "purpose": "VPC_PEERING",
            "network": "http://127.0.0.1:1/compute/v1/projects/p/global/networks/main"
        }))
        .expect("address JSON");
        let r = map(&a, &Scope::global("p")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p/global/addresses/google-managed-services"
        );
        assert_eq!(r.region.as_deref(), Some("p/global"));
        assert_eq!(r.attrs["prefix_length"], json!(16));
        assert_eq!(r.attrs["purpose"], json!("VPC_PEERING"));
        assert_eq!(
            r.attrs["network"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/main")
        );
        assert!(!r.attrs.contains_key("region"));

        let lb: Address = serde_json::from_value(json!({
            "name": "web-lb", "address": "34.120.1.2", "ipVersion": "IPV4"
        }))
        .expect("address JSON");
        let r = map(&lb, &Scope::global("p")).expect("mapped");
        assert_eq!(r.attrs["address_type"], json!("EXTERNAL"));
        assert_eq!(r.attrs["ip_version"], json!("IPV4"));
    }
}
