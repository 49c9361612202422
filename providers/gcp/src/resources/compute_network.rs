//! `google_compute_network`: subnet mode, routing mode, MTU and description. The project's
//! `default` network is created by Google with the project, so it is a cloud default (never
//! reported as unmanaged unless the target asks for it).

use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Network;
use serde_json::json;

pub struct ComputeNetwork;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_network",
    attrs: &[
        AttrSpec::new("auto_create_subnetworks", Shape::Scalar),
        AttrSpec::new("routing_mode", Shape::Scalar),
        AttrSpec::new("mtu", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "delete_default_routes_on_create",
            "Terraform-side only: acts at create; the routes themselves are google_compute_route \
            cloud defaults",
        ),
        UncomparedAttr::new(
            "network_firewall_policy_enforcement_order",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new(
            "enable_ula_internal_ipv6",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new(
            "internal_ipv6_range",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new(
            "bgp_best_path_selection_mode",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new(
            "bgp_always_compare_med",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new(
            "bgp_inter_region_cost",
            "not compared yet (networks.list returns it)",
        ),
        UncomparedAttr::new("network_profile", "fixed at create: not compared yet"),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(n: &Network, scope: &Scope) -> Option<Resource> {
    let name = n.name.as_deref()?;
    let mut r = resource(
        SPEC.resource_type,
        format!("projects/{}/global/networks/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            // A legacy network (no subnets at all) has no such field; Terraform stores false.
            "auto_create_subnetworks": n.auto_create_subnetworks.unwrap_or(false),
            "routing_mode": opt(n.routing_config.as_ref()
                .and_then(|c| c.routing_mode.as_ref())
                .and_then(|m| m.name())),
            "mtu": n.mtu,
            "description": opt(n.description.as_deref()),
            "self_link": opt(n.self_link.as_deref().map(canonical_link).as_deref()),
        }),
    );
    r.cloud_default = name == "default";
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeNetwork {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing networks", map, |s| {
            client.clients.networks.list().set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names_and_marks_the_default_network() {
        let n: Network = serde_json::from_value(json!({
            "name": "default", "autoCreateSubnetworks": true, "mtu": 1460,
            "routingConfig": {"routingMode": "REGIONAL"}
        }))
        .expect("network JSON");
        let r = map(&n, &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/networks/default");
        assert_eq!(r.region.as_deref(), Some("p/global"));
        assert_eq!(r.attrs["routing_mode"], json!("REGIONAL"));
        assert_eq!(r.attrs["mtu"], json!(1460));
        assert!(r.cloud_default);
    }
}
