//! `google_compute_global_forwarding_rule`: the front door of a global load balancer (external
//! HTTP(S) or proxy load balancers, and cross-region internal ones). Compared as the regional
//! type compares its shared attributes ([`compute_forwarding_rule`](super::compute_forwarding_rule)):
//! the IP address, the load balancing scheme, protocol, port range, source ranges, target
//! proxy, network, subnetwork, IP version, description and labels.
//!
//! gcplocal serves no forwarding rules: the tests' stand-in (`driftd_testkit::gcp_compute`)
//! speaks the documented `globalForwardingRules` REST resource (`global/forwardingRules`).

use super::compute_forwarding_rule::{rule_attrs, COMMON, NOT_COMPARED};
use super::{list_compute, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, Resource, ResourceKind, TypeSpec};
use google_cloud_compute_v1::model::ForwardingRule;

pub struct ComputeGlobalForwardingRule;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_global_forwarding_rule",
    attrs: &COMMON,
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: NOT_COMPARED,
};

fn map(f: &ForwardingRule, scope: &Scope) -> Option<Resource> {
    let name = f.name.as_deref()?;
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/forwardingRules/{name}", scope.project),
        scope,
        rule_attrs(f, name, &scope.project),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeGlobalForwardingRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing global forwarding rules", map, |s| {
            client
                .clients
                .global_forwarding_rules
                .list()
                .set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::{FindingKind, Tier};
    use serde_json::json;

    fn https_rule() -> ForwardingRule {
        serde_json::from_value(json!({
            "name": "web-https", "IPAddress": "34.120.1.2", "IPProtocol": "TCP",
            "portRange": "443-443", "loadBalancingScheme": "EXTERNAL_MANAGED",
            "target": "https://compute.googleapis.com/compute/v1/projects/p/global/targetHttpsProxies/web",
            "ipVersion": "IPV4", "labels": {"app": "web"}
        }))
        .expect("forwarding rule JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&https_rule(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/forwardingRules/web-https");
        assert_eq!(r.region.as_deref(), Some("p/global"));
        assert_eq!(r.attrs["ip_address"], json!("34.120.1.2"));
        assert_eq!(r.attrs["port_range"], json!("443-443"));
        assert_eq!(r.attrs["load_balancing_scheme"], json!("EXTERNAL_MANAGED"));
        assert_eq!(
            r.attrs["target"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/targetHttpsProxies/web")
        );
        assert_eq!(r.attrs["labels"], json!({"app": "web"}));
        assert!(!r.attrs.contains_key("region"));
    }

    /// The provider records the target as the proxy's self link on www.googleapis.com, the API
    /// (here, its newer host) answers it on compute.googleapis.com; code that wrote the port as
    /// `443` has the API's `443-443` in state. Same rule; a moved IP is critical.
    #[test]
    fn another_api_host_in_links_is_no_drift() {
        let live = map(&https_rule(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/forwardingRules/web-https", "name": "web-https",
            "project": "p", "ip_address": "34.120.1.2", "ip_protocol": "TCP",
            "port_range": "443-443", "load_balancing_scheme": "EXTERNAL_MANAGED",
            "target": "https://www.googleapis.com/compute/v1/projects/p/global/targetHttpsProxies/web",
            "ip_version": "IPV4", "network": "", "subnetwork": "", "source_ip_ranges": [],
            "description": "", "labels": {"app": "web"}, "terraform_labels": {"app": "web"}
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut moved = https_rule();
        moved.ip_address = Some("34.120.9.9".into());
        let live = map(&moved, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["ip_address".to_string()]
            )]
        );
    }
}
