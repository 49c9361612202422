//! `google_compute_route`: a static route. Compared: destination range, network, priority,
//! instance tags and the next hop (gateway, instance, IP, VPN tunnel, internal load balancer).
//! The routes Google makes with every network (`default-route-*`: the route to the internet
//! gateway and one per subnet range) and those a peering imports are cloud defaults.
//!
//! gcplocal serves no routes: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `routes` REST resource and, as Google does, adds the internet route to each new
//! network.

use super::{list_compute, opt, resource, GENERATED_KEYS, WORLD};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::Route;
use serde_json::{json, Value};

pub struct ComputeRoute;

/// Traffic for the route's range now leaves through another hop (an instance that can read
/// it, another tunnel, the internet): critical.
const NEXT_HOP: TierHint = TierHint::Always(Tier::Critical);

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_route",
    attrs: &[
        AttrSpec::new("dest_range", Shape::Cidr).tier(TierHint::Rule(now_default_route)),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("priority", Shape::Number),
        AttrSpec::new("tags", Shape::Set),
        AttrSpec::new("next_hop_gateway", Shape::Link).tier(NEXT_HOP),
        AttrSpec::new("next_hop_instance", Shape::Link).tier(NEXT_HOP),
        AttrSpec::new("next_hop_ip", Shape::Scalar).tier(NEXT_HOP),
        AttrSpec::new("next_hop_vpn_tunnel", Shape::Link).tier(NEXT_HOP),
        AttrSpec::new("next_hop_ilb", Shape::Link).tier(NEXT_HOP),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "next_hop_instance_zone",
            "part of next_hop_instance's link, which is compared",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// A route that now covers every destination where it covered a range: critical.
fn now_default_route(c: &Change) -> Option<Tier> {
    let world = |v: &Value| v.as_str().is_some_and(|s| WORLD.contains(&s));
    (world(&c.actual) && !world(&c.expected)).then_some(Tier::Critical)
}

fn link(l: Option<&str>) -> Value {
    opt(l.map(canonical_link).as_deref())
}

fn map(r: &Route, scope: &Scope) -> Option<Resource> {
    let name = r.name.as_deref()?;
    let mut out = resource(
        SPEC.resource_type,
        format!("projects/{}/global/routes/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "dest_range": opt(r.dest_range.as_deref()),
            "network": link(r.network.as_deref()),
            "priority": r.priority.unwrap_or(1000),
            "tags": r.tags,
            "next_hop_gateway": link(r.next_hop_gateway.as_deref()),
            "next_hop_instance": link(r.next_hop_instance.as_deref()),
            "next_hop_ip": opt(r.next_hop_ip.as_deref()),
            "next_hop_vpn_tunnel": link(r.next_hop_vpn_tunnel.as_deref()),
            // An internal load balancer is named by a forwarding rule's link or by its IP.
            "next_hop_ilb": opt(r.next_hop_ilb.as_deref().map(|h| if h.contains("projects/") {
                canonical_link(h)
            } else {
                h.to_string()
            }).as_deref()),
            "next_hop_network": link(r.next_hop_network.as_deref()),
            "description": opt(r.description.as_deref()),
            "self_link": link(r.self_link.as_deref()),
        }),
    );
    out.cloud_default = name.starts_with("default-route-")
        || r.next_hop_network.is_some()
        || r.next_hop_peering.is_some();
    Some(out)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeRoute {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing routes", map, |s| {
            client.clients.routes.list().set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let r: Route = serde_json::from_value(json!({
            "name": "to-onprem", "destRange": "192.168.0.0/16", "priority": 800,
            "network": "http://127.0.0.1:1/compute/v1/projects/p/global/networks/main",
            "nextHopIp": "10.10.0.2", "tags": ["egress"]
        }))
        .expect("route JSON");
        let out = map(&r, &Scope::global("p")).expect("mapped");
        assert_eq!(out.key.id, "projects/p/global/routes/to-onprem");
        assert_eq!(out.attrs["dest_range"], json!("192.168.0.0/16"));
        assert_eq!(out.attrs["priority"], json!(800));
        assert_eq!(out.attrs["next_hop_ip"], json!("10.10.0.2"));
        assert_eq!(out.attrs["next_hop_gateway"], Value::Null);
        assert_eq!(out.attrs["tags"], json!(["egress"]));
        assert_eq!(
            out.attrs["network"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/main")
        );
        assert!(!out.cloud_default);
    }

    #[test]
    fn the_routes_google_makes_are_cloud_defaults() {
        let internet: Route = serde_json::from_value(json!({
            "name": "default-route-4bd2a1f0c9e8d7b6", "destRange": "0.0.0.0/0",
            "nextHopGateway": "projects/p/global/gateways/default-internet-gateway"
        }))
        .expect("route JSON");
        assert!(
            map(&internet, &Scope::global("p"))
                .expect("mapped")
                .cloud_default
        );
        let subnet: Route = serde_json::from_value(json!({
            "name": "r-subnet", "destRange": "10.10.0.0/24",
            "nextHopNetwork": "projects/p/global/networks/main"
        }))
        .expect("route JSON");
        assert!(
            map(&subnet, &Scope::global("p"))
                .expect("mapped")
                .cloud_default
        );
    }

    #[test]
    fn a_new_next_hop_or_a_route_for_everything_is_critical() {
        use driftd_core::{tier::default_tier, ChangeOp, FindingKind};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier("next_hop_ip", json!("10.10.0.2"), json!("10.10.0.66")),
            Tier::Critical
        );
        assert_eq!(
            tier("dest_range", json!("192.168.0.0/16"), json!("0.0.0.0/0")),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "dest_range",
                json!("192.168.0.0/16"),
                json!("192.168.0.0/20")
            ),
            Tier::Warning
        );
        assert_eq!(tier("priority", json!(800), json!(900)), Tier::Warning);
    }
}
