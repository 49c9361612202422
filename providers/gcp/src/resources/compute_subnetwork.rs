//! `google_compute_subnetwork`: CIDR range, region, network, private Google access, stack type
//! and description. The subnets Google creates in an auto-mode `default` network are cloud
//! defaults.

use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, short_name, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Subnetwork;
use serde_json::json;

pub struct ComputeSubnetwork;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_subnetwork",
    attrs: &[
        AttrSpec::new("ip_cidr_range", Shape::Cidr),
        AttrSpec::new("region", Shape::Scalar),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("private_ip_google_access", Shape::Scalar),
        AttrSpec::new("stack_type", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "secondary_ip_range",
            "not compared yet (subnetworks.list returns it): alias ranges (GKE pods and services)",
        ),
        UncomparedAttr::new(
            "log_config",
            "not compared yet (subnetworks.list returns it): VPC flow logs",
        ),
        UncomparedAttr::new(
            "private_ipv6_google_access",
            "not compared yet (subnetworks.list returns it)",
        ),
        UncomparedAttr::new("purpose", "not compared yet (subnetworks.list returns it)"),
        UncomparedAttr::new("role", "not compared yet (subnetworks.list returns it)"),
        UncomparedAttr::new(
            "ipv6_access_type",
            "not compared yet (subnetworks.list returns it)",
        ),
        UncomparedAttr::new(
            "external_ipv6_prefix",
            "not compared yet (subnetworks.list returns it)",
        ),
        UncomparedAttr::new(
            "reserved_internal_range",
            "not compared yet (subnetworks.list returns it)",
        ),
        UncomparedAttr::new(
            "allow_subnet_cidr_routes_overlap",
            "not compared yet (subnetworks.list returns it)",
        ),
        UncomparedAttr::new("ip_collection", "used once, at create (BYOIP)"),
        UncomparedAttr::new(
            "send_secondary_ip_range_if_empty",
            "Terraform-side only: how Terraform sends an empty secondary_ip_range",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn map(s: &Subnetwork, scope: &Scope) -> Option<Resource> {
    let name = s.name.as_deref()?;
    let network = s.network.as_deref().map(canonical_link);
    let mut r = resource(
        SPEC.resource_type,
        format!(
            "projects/{}/regions/{}/subnetworks/{name}",
            scope.project, scope.location
        ),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "region": scope.location,
            "ip_cidr_range": opt(s.ip_cidr_range.as_deref()),
            "network": opt(network.as_deref()),
            "private_ip_google_access": s.private_ip_google_access.unwrap_or(false),
            "stack_type": opt(s.stack_type.as_ref().and_then(|t| t.name())),
            "description": opt(s.description.as_deref()),
            "gateway_address": opt(s.gateway_address.as_deref()),
            "self_link": opt(s.self_link.as_deref().map(canonical_link).as_deref()),
        }),
    );
    r.cloud_default = name == "default" && network.as_deref().map(short_name) == Some("default");
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeSubnetwork {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing subnetworks", map, |s| {
            client
                .clients
                .subnetworks
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
        let s: Subnetwork = serde_json::from_value(json!({
            "name": "app", "ipCidrRange": "10.10.0.0/24",
            "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/main",
            "region": "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1",
            "privateIpGoogleAccess": true, "stackType": "IPV4_ONLY"
        }))
        .expect("subnetwork JSON");
        let r = map(&s, &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/regions/europe-west1/subnetworks/app");
        assert_eq!(r.attrs["region"], json!("europe-west1"));
        assert_eq!(r.attrs["private_ip_google_access"], json!(true));
        assert_eq!(r.attrs["stack_type"], json!("IPV4_ONLY"));
        assert!(!r.cloud_default);
    }
}
