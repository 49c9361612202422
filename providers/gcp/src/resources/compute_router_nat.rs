//! `google_compute_router_nat`: a Cloud NAT, a part of its router's answer (one `routers.list`
//! per region gives both types). Compared: how NAT IPs are allocated and which ones (and those
//! being drained), which subnetworks and ranges are translated, port allocation, idle timeouts,
//! endpoint-independent mapping, logging and endpoint types. Its id is Terraform's
//! `PROJECT/REGION/ROUTER/NAME`, not a link.
//!
//! gcplocal serves no routers: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `routers` REST resource, NATs included.

use super::{opt, parse_scope, resource, scope_pages, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use google_cloud_compute_v1::model::{Router, RouterNat};
use serde_json::{json, Value};

pub struct ComputeRouterNat;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_router_nat",
    attrs: &[
        AttrSpec::new("nat_ip_allocate_option", Shape::CaseInsensitive),
        // The addresses traffic leaves from are what partners allowlist: another one breaks
        // them, or sends traffic from an address someone else controls.
        AttrSpec::new("nat_ips", Shape::Set).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("drain_nat_ips", Shape::Set),
        AttrSpec::new("source_subnetwork_ip_ranges_to_nat", Shape::CaseInsensitive),
        AttrSpec::new("subnetwork", Shape::Document),
        AttrSpec::new("min_ports_per_vm", Shape::Number),
        AttrSpec::new("max_ports_per_vm", Shape::Number),
        AttrSpec::new("enable_dynamic_port_allocation", Shape::Scalar),
        AttrSpec::new("enable_endpoint_independent_mapping", Shape::Scalar),
        AttrSpec::new("udp_idle_timeout_sec", Shape::Number),
        AttrSpec::new("icmp_idle_timeout_sec", Shape::Number),
        AttrSpec::new("tcp_established_idle_timeout_sec", Shape::Number),
        AttrSpec::new("tcp_transitory_idle_timeout_sec", Shape::Number),
        AttrSpec::new("tcp_time_wait_timeout_sec", Shape::Number),
        AttrSpec::new("log_config", Shape::Document),
        AttrSpec::new("endpoint_types", Shape::Set),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "rules",
            "not compared yet (routers.list returns it): which NAT IPs serve which destinations",
        ),
        UncomparedAttr::new(
            "initial_nat_ips",
            "used once, at create; nat_ips is compared",
        ),
        UncomparedAttr::new(
            "type",
            "fixed at create (PUBLIC or PRIVATE): not compared yet",
        ),
        UncomparedAttr::new(
            "auto_network_tier",
            "not compared yet (routers.list returns it)",
        ),
        UncomparedAttr::new(
            "source_subnetwork_ip_ranges_to_nat64",
            "not compared yet (routers.list returns it)",
        ),
        UncomparedAttr::new(
            "nat64_subnetwork",
            "not compared yet (routers.list returns it)",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

fn links(v: &[String]) -> Vec<String> {
    v.iter().map(|l| canonical_link(l)).collect()
}

/// One NAT of router `router`, with what the provider records where the API leaves a value
/// out (its idle-timeout defaults, 0 and false for the computed ones).
fn map_nat(n: &RouterNat, router: &str, scope: &Scope) -> Option<Resource> {
    let name = n.name.as_deref()?;
    let subnetworks: Vec<Value> = n
        .subnetworks
        .iter()
        .map(|s| {
            json!({
                "name": opt(s.name.as_deref().map(canonical_link).as_deref()),
                "source_ip_ranges_to_nat": s.source_ip_ranges_to_nat.iter()
                    .filter_map(|r| r.name()).collect::<Vec<_>>(),
                "secondary_ip_range_names": s.secondary_ip_range_names,
            })
        })
        .collect();
    let log_config = match &n.log_config {
        Some(l) => json!([{
            "enable": l.enable.unwrap_or(false),
            "filter": l.filter.as_ref().and_then(|f| f.name()).unwrap_or("ALL"),
        }]),
        None => json!([]),
    };
    Some(resource(
        SPEC.resource_type,
        format!("{}/{}/{router}/{name}", scope.project, scope.location),
        scope,
        json!({
            "name": name,
            "router": router,
            "project": scope.project,
            "region": scope.location,
            "nat_ip_allocate_option": opt(n.nat_ip_allocate_option.as_ref().and_then(|o| o.name())),
            "nat_ips": links(&n.nat_ips),
            "drain_nat_ips": links(&n.drain_nat_ips),
            "source_subnetwork_ip_ranges_to_nat":
                opt(n.source_subnetwork_ip_ranges_to_nat.as_ref().and_then(|o| o.name())),
            "subnetwork": subnetworks,
            "min_ports_per_vm": n.min_ports_per_vm.unwrap_or(0),
            "max_ports_per_vm": n.max_ports_per_vm.unwrap_or(0),
            "enable_dynamic_port_allocation": n.enable_dynamic_port_allocation.unwrap_or(false),
            "enable_endpoint_independent_mapping": n.enable_endpoint_independent_mapping.unwrap_or(false),
            "udp_idle_timeout_sec": n.udp_idle_timeout_sec.unwrap_or(30),
            "icmp_idle_timeout_sec": n.icmp_idle_timeout_sec.unwrap_or(30),
            "tcp_established_idle_timeout_sec": n.tcp_established_idle_timeout_sec.unwrap_or(1200),
            "tcp_transitory_idle_timeout_sec": n.tcp_transitory_idle_timeout_sec.unwrap_or(30),
            "tcp_time_wait_timeout_sec": n.tcp_time_wait_timeout_sec.unwrap_or(120),
            "log_config": log_config,
            "endpoint_types": n.endpoint_types.iter().filter_map(|t| t.name()).collect::<Vec<_>>(),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeRouterNat {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let request = |s: &Scope| {
            client
                .clients
                .routers
                .list()
                .set_project(&s.project)
                .set_region(&s.location)
        };
        // One router holds any number of NATs.
        let nats = scope_pages(
            client,
            (scope, &s),
            "listing routers",
            request,
            |r: Router| {
                let router = r.name.clone()?;
                Some(
                    r.nats
                        .iter()
                        .filter_map(|n| map_nat(n, &router, &s))
                        .collect::<Vec<_>>(),
                )
            },
        )
        .await?;
        Ok(KindListing {
            resources: nats.into_iter().flatten().collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let n: RouterNat = serde_json::from_value(json!({
            "name": "egress", "natIpAllocateOption": "MANUAL_ONLY",
            "natIps": ["http://127.0.0.1:1/compute/v1/projects/p/regions/europe-west1/addresses/nat-ip"],
            "sourceSubnetworkIpRangesToNat": "LIST_OF_SUBNETWORKS",
            "subnetworks": [{"name": "projects/p/regions/europe-west1/subnetworks/app",
                             "sourceIpRangesToNat": ["ALL_IP_RANGES"]}],
            "minPortsPerVm": 64, "enableEndpointIndependentMapping": false,
            "logConfig": {"enable": true, "filter": "ERRORS_ONLY"}
        }))
        .expect("NAT JSON");
        let r = map_nat(&n, "edge", &Scope::new("p", "europe-west1")).expect("mapped");
        assert_eq!(r.key.id, "p/europe-west1/edge/egress");
        assert_eq!(r.region.as_deref(), Some("p/europe-west1"));
        assert_eq!(r.attrs["router"], json!("edge"));
        assert_eq!(
            r.attrs["nat_ips"],
            json!(["https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1/addresses/nat-ip"])
        );
        assert_eq!(
            r.attrs["subnetwork"],
            json!([{"name": "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1/subnetworks/app",
                    "source_ip_ranges_to_nat": ["ALL_IP_RANGES"], "secondary_ip_range_names": []}])
        );
        assert_eq!(r.attrs["min_ports_per_vm"], json!(64));
        assert_eq!(r.attrs["udp_idle_timeout_sec"], json!(30));
        assert_eq!(r.attrs["tcp_established_idle_timeout_sec"], json!(1200));
        assert_eq!(
            r.attrs["log_config"],
            json!([{"enable": true, "filter": "ERRORS_ONLY"}])
        );
    }
}
