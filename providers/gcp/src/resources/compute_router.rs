//! `google_compute_router`: a Cloud Router. Compared: network, description, the BGP block
//! (ASN, advertise mode, advertised groups and IP ranges, keepalive) and whether it is an
//! encrypted-interconnect router. Its NATs are `google_compute_router_nat`
//! ([`compute_router_nat`](super::compute_router_nat)), listed from the same answer; its
//! interfaces and BGP peers are not compared.
//!
//! gcplocal serves no routers: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `routers` REST resource.

use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::{Router, RouterBgp};
use serde_json::{json, Value};

pub struct ComputeRouter;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_router",
    attrs: &[
        AttrSpec::new("network", Shape::Link),
        // The advertised ranges decide which prefixes peers route here: compared as a block.
        AttrSpec::new("bgp", Shape::Document),
        AttrSpec::new("encrypted_interconnect_router", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "md5_authentication_keys",
            "secret (BGP session keys): never returned by the API",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// The `bgp` block as the provider records it: a list of one block, or empty.
fn bgp(b: Option<&RouterBgp>) -> Value {
    let Some(b) = b else {
        return json!([]);
    };
    let ranges: Vec<Value> = b
        .advertised_ip_ranges
        .iter()
        .map(|r| {
            json!({
                "range": opt(r.range.as_deref()),
                "description": opt(r.description.as_deref()),
            })
        })
        .collect();
    json!([{
        "asn": b.asn,
        "advertise_mode": b.advertise_mode.as_ref().and_then(|m| m.name()).unwrap_or("DEFAULT"),
        "advertised_groups": b.advertised_groups.iter().filter_map(|g| g.name()).collect::<Vec<_>>(),
        "advertised_ip_ranges": ranges,
        "keepalive_interval": b.keepalive_interval.unwrap_or(20),
        "identifier_range": opt(b.identifier_range.as_deref()),
    }])
}

fn map(r: &Router, scope: &Scope) -> Option<Resource> {
    let name = r.name.as_deref()?;
    Some(resource(
        SPEC.resource_type,
        format!(
            "projects/{}/regions/{}/routers/{name}",
            scope.project, scope.location
        ),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "region": scope.location,
            "network": opt(r.network.as_deref().map(canonical_link).as_deref()),
            "bgp": bgp(r.bgp.as_ref()),
            "encrypted_interconnect_router": r.encrypted_interconnect_router.unwrap_or(false),
            "description": opt(r.description.as_deref()),
            "self_link": opt(r.self_link.as_deref().map(canonical_link).as_deref()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeRouter {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing routers", map, |s| {
            client
                .clients
                .routers
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
        let r: Router = serde_json::from_value(json!({
            "name": "edge", "network": "http://127.0.0.1:1/compute/v1/projects/p/global/networks/main",
            "bgp": {"asn": 64514, "advertiseMode": "CUSTOM", "advertisedGroups": ["ALL_SUBNETS"],
                    "advertisedIpRanges": [{"range": "10.99.0.0/16"}]},
            "nats": [{"name": "egress"}]
        }))
        .expect("router JSON");
        let out = map(&r, &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(out.key.id, "projects/p/regions/europe-west1/routers/edge");
        assert_eq!(
            out.attrs["bgp"],
            json!([{"asn": 64514, "advertise_mode": "CUSTOM",
                    "advertised_groups": ["ALL_SUBNETS"],
                    "advertised_ip_ranges": [{"range": "10.99.0.0/16", "description": null}],
                    "keepalive_interval": 20, "identifier_range": null}])
        );
        assert_eq!(out.attrs["encrypted_interconnect_router"], json!(false));
        assert_eq!(out.attrs["region"], json!("europe-west1"));
        let bare: Router = serde_json::from_value(json!({"name": "nat-only"})).expect("JSON");
        let out = map(&bare, &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(out.attrs["bgp"], json!([]));
    }
}
