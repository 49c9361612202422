//! `google_compute_forwarding_rule`: a regional forwarding rule, the front door of a regional
//! load balancer (or a protocol forwarding target). Compared, exposure first: the IP address,
//! the load balancing scheme (internal or external), protocol, port range and ports, whether all
//! ports are forwarded, the source ranges allowed in, global access, then what it forwards to
//! (target or backend service), network, subnetwork, network tier, IP version, description and
//! labels.
//!
//! The API answers a single port `80` as the range `80-80`; state keeps the API's form, so
//! `port_range` is compared with state's value and the code's is not read (`resolved`).
//!
//! gcplocal serves no forwarding rules: the tests' stand-in (`driftd_testkit::gcp_compute`)
//! speaks the documented `forwardingRules` REST resource, regional and global.

use super::{labels, list_compute, opt, resource, GENERATED_KEYS, LABELS, WORLD};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::ForwardingRule;
use serde_json::{json, Value};

pub struct ComputeForwardingRule;

/// The compared attributes both forwarding rule types share (all of the global type's).
pub(crate) const COMMON: [AttrSpec; 11] = [
    // The address clients and DNS records reach the service at.
    AttrSpec::new("ip_address", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
    AttrSpec::new("load_balancing_scheme", Shape::CaseInsensitive)
        .tier(TierHint::Rule(made_external)),
    AttrSpec::new("ip_protocol", Shape::CaseInsensitive),
    AttrSpec::new("port_range", Shape::Scalar).resolved(),
    AttrSpec::new("source_ip_ranges", Shape::Set).tier(TierHint::Rule(opened_to_all)),
    AttrSpec::new("target", Shape::Link),
    AttrSpec::new("network", Shape::Link),
    AttrSpec::new("subnetwork", Shape::Link),
    AttrSpec::new("ip_version", Shape::CaseInsensitive),
    AttrSpec::new("description", Shape::Scalar),
    LABELS,
];

static ATTRS: [AttrSpec; 17] = {
    let mut out = [COMMON[0]; 17];
    let mut i = 0;
    while i < COMMON.len() {
        out[i] = COMMON[i];
        i += 1;
    }
    out[11] = AttrSpec::new("ports", Shape::Set);
    // Every port of the backends reachable through the rule.
    out[12] = AttrSpec::new("all_ports", Shape::Scalar).tier(TierHint::Rule(turned_on));
    // An internal rule reachable from every region.
    out[13] = AttrSpec::new("allow_global_access", Shape::Scalar);
    out[14] = AttrSpec::new("backend_service", Shape::Link);
    out[15] = AttrSpec::new("network_tier", Shape::CaseInsensitive);
    out[16] = AttrSpec::new("service_label", Shape::Scalar);
    out
};

/// What Terraform records for a forwarding rule that is not compared, and why (both types).
pub(crate) const NOT_COMPARED: &[UncomparedAttr] = &[
    UncomparedAttr::new(
        "label_fingerprint",
        "a hash the API computes over the labels, which are compared themselves",
    ),
    UncomparedAttr::new(
        "psc_connection_id",
        "set by Private Service Connect when a consumer connects, not by the configuration",
    ),
    UncomparedAttr::new(
        "psc_connection_status",
        "the state of a Private Service Connect connection, not configuration",
    ),
    UncomparedAttr::new(
        "service_name",
        "derived by the API from service_label, which is compared",
    ),
    UncomparedAttr::new(
        "recreate_closed_psc",
        "an instruction to Terraform for its next apply; the API has no such field",
    ),
];

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_forwarding_rule",
    attrs: &ATTRS,
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: NOT_COMPARED,
};

fn is_external(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.to_ascii_uppercase().starts_with("EXTERNAL"))
}

/// An internal rule that became external (`EXTERNAL`, `EXTERNAL_MANAGED`) now takes traffic
/// from the internet: critical.
pub(crate) fn made_external(c: &Change) -> Option<Tier> {
    (is_external(&c.actual) && !is_external(&c.expected)).then_some(Tier::Critical)
}

fn ranges(v: &Value) -> Vec<&str> {
    match v {
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

/// Source ranges that now hold `0.0.0.0/0` or `::/0`, or were emptied (no list: every source
/// may connect): critical.
pub(crate) fn opened_to_all(c: &Change) -> Option<Tier> {
    let (before, after) = (ranges(&c.expected), ranges(&c.actual));
    let world = |r: &[&str]| r.iter().any(|s| WORLD.contains(s));
    ((world(&after) && !world(&before)) || (after.is_empty() && !before.is_empty()))
        .then_some(Tier::Critical)
}

/// A flag turned on that was off (or unset): critical.
fn turned_on(c: &Change) -> Option<Tier> {
    let on = |v: &Value| v.as_bool() == Some(true) || v.as_str() == Some("true");
    (on(&c.actual) && !on(&c.expected)).then_some(Tier::Critical)
}

/// An optional Compute Engine link in its canonical form, `null` when absent.
pub(crate) fn link(l: Option<&str>) -> Value {
    opt(l.map(canonical_link).as_deref())
}

/// The attributes both forwarding rule types share, as the provider records them (the API
/// leaves out a default scheme and protocol: `EXTERNAL` and `TCP`).
pub(crate) fn rule_attrs(f: &ForwardingRule, name: &str, project: &str) -> Value {
    json!({
        "name": name,
        "project": project,
        "ip_address": opt(f.ip_address.as_deref()),
        "ip_protocol": f.ip_protocol.as_ref().and_then(|p| p.name()).unwrap_or("TCP"),
        "load_balancing_scheme": f
            .load_balancing_scheme
            .as_ref()
            .and_then(|s| s.name())
            .unwrap_or("EXTERNAL"),
        "port_range": opt(f.port_range.as_deref()),
        "source_ip_ranges": f.source_ip_ranges,
        "target": link(f.target.as_deref()),
        "network": link(f.network.as_deref()),
        "subnetwork": link(f.subnetwork.as_deref()),
        "ip_version": opt(f.ip_version.as_ref().and_then(|v| v.name())),
        "description": opt(f.description.as_deref()),
        "labels": labels(&f.labels),
        "self_link": link(f.self_link.as_deref()),
    })
}

fn map(f: &ForwardingRule, scope: &Scope) -> Option<Resource> {
    let name = f.name.as_deref()?;
    let mut attrs = rule_attrs(f, name, &scope.project);
    attrs["region"] = json!(scope.location);
    attrs["ports"] = json!(f.ports);
    attrs["all_ports"] = json!(f.all_ports.unwrap_or(false));
    attrs["allow_global_access"] = json!(f.allow_global_access.unwrap_or(false));
    attrs["backend_service"] = link(f.backend_service.as_deref());
    attrs["network_tier"] = opt(f.network_tier.as_ref().and_then(|t| t.name()));
    attrs["service_label"] = opt(f.service_label.as_deref());
    Some(resource(
        SPEC.resource_type,
        format!(
            "projects/{}/regions/{}/forwardingRules/{name}",
            scope.project, scope.location
        ),
        scope,
        attrs,
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeForwardingRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing forwarding rules", map, |s| {
            client
                .clients
                .forwarding_rules
                .list()
                .set_project(&s.project)
                .set_region(&s.location)
        })
        .await
    }
}

/// What the analyzer finds between one resource as state records it and as it is live:
/// `(kind, tier, changed paths)` per finding. Shared by the load-balancing types' tests.
#[cfg(test)]
pub(crate) fn drift(
    spec: &'static TypeSpec,
    state: Value,
    live: &Resource,
) -> Vec<(driftd_core::FindingKind, Tier, Vec<String>)> {
    let mut st = driftd_testkit::gcp::GoogleState::new();
    st.add(spec.resource_type, "it", state);
    let text = serde_json::to_vec(&st.to_json()).expect("state JSON");
    let expected = driftd_iac::parse_state(&text, "t.tfstate")
        .expect("state parses")
        .resources;
    let scope = live.region.clone().expect("live scope");
    let scanned = [(
        crate::PROVIDER.to_string(),
        spec.resource_type.to_string(),
        scope,
    )]
    .into_iter()
    .collect();
    let a = driftd_core::analyze(&driftd_core::AnalyzeInput {
        target: "t",
        specs: &[spec],
        expected: &expected,
        live: std::slice::from_ref(live),
        scanned: &scanned,
        skipped: &[],
        include_cloud_defaults: false,
    });
    a.findings
        .iter()
        .map(|f| {
            let paths = f.changes.iter().map(|c| c.path.clone()).collect();
            (f.kind, f.tier, paths)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::FindingKind;

    fn internal_rule() -> ForwardingRule {
        serde_json::from_value(json!({
            "name": "ilb", "IPAddress": "10.10.0.20", "IPProtocol": "TCP",
            "ports": ["8080"], "loadBalancingScheme": "INTERNAL",
            "backendService": "http://127.0.0.1:9/compute/v1/projects/p/regions/us-central1/backendServices/api",
            "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/main",
            "subnetwork": "https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/subnetworks/app",
            "networkTier": "PREMIUM", "allowGlobalAccess": true, "labels": {"env": "prod"}
        }))
        .expect("forwarding rule JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&internal_rule(), &Scope::new("p", "us-central1")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p/regions/us-central1/forwardingRules/ilb"
        );
        assert_eq!(r.attrs["ip_address"], json!("10.10.0.20"));
        assert_eq!(r.attrs["load_balancing_scheme"], json!("INTERNAL"));
        assert_eq!(r.attrs["ports"], json!(["8080"]));
        assert_eq!(r.attrs["all_ports"], json!(false));
        assert_eq!(r.attrs["allow_global_access"], json!(true));
        assert_eq!(
            r.attrs["backend_service"],
            json!("https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/backendServices/api")
        );
        assert_eq!(r.attrs["labels"], json!({"env": "prod"}));
        assert_eq!(r.attrs["region"], json!("us-central1"));
        // The API leaves out a default scheme and protocol.
        let bare: ForwardingRule =
            serde_json::from_value(json!({"name": "x", "portRange": "80-80"})).expect("JSON");
        let r = map(&bare, &Scope::new("p", "us-central1")).expect("mapped");
        assert_eq!(r.attrs["load_balancing_scheme"], json!("EXTERNAL"));
        assert_eq!(r.attrs["ip_protocol"], json!("TCP"));
    }

    #[test]
    fn a_rule_made_external_or_opened_to_every_source_is_critical() {
        use driftd_core::{tier::default_tier, ChangeOp};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier(
                "load_balancing_scheme",
                json!("INTERNAL"),
                json!("EXTERNAL_MANAGED")
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "load_balancing_scheme",
                json!("EXTERNAL"),
                json!("INTERNAL")
            ),
            Tier::Warning
        );
        assert_eq!(
            tier(
                "source_ip_ranges",
                json!(["10.0.0.0/8"]),
                json!(["0.0.0.0/0"])
            ),
            Tier::Critical
        );
        assert_eq!(
            tier("source_ip_ranges", json!(["10.0.0.0/8"]), Value::Null),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "source_ip_ranges",
                json!(["10.0.0.0/8"]),
                json!(["10.1.0.0/16"])
            ),
            Tier::Warning
        );
        assert_eq!(tier("all_ports", json!(false), json!(true)), Tier::Critical);
        assert_eq!(tier("ports", json!(["80"]), json!(["81"])), Tier::Warning);
        assert_eq!(tier("labels.env", json!("a"), json!("b")), Tier::Info);
    }

    /// State written by the provider names the backend service by a partial link and the
    /// protocol in lower case, and has no source ranges; the API answers full links from its
    /// own host, upper case, and leaves the default scheme out. Same rule.
    #[test]
    fn partial_links_and_defaults_the_api_leaves_out_are_no_drift() {
        let live = map(&internal_rule(), &Scope::new("p", "us-central1")).expect("mapped");
        let state = json!({
            "id": "projects/p/regions/us-central1/forwardingRules/ilb", "name": "ilb",
            "project": "p", "region": "us-central1", "ip_address": "10.10.0.20",
            "ip_protocol": "tcp", "ports": ["8080"], "port_range": "", "all_ports": false,
            "load_balancing_scheme": "INTERNAL", "source_ip_ranges": [],
            "backend_service": "projects/p/regions/us-central1/backendServices/api",
            "network": "main", "subnetwork": "projects/p/regions/us-central1/subnetworks/app",
            "network_tier": "PREMIUM", "allow_global_access": true, "target": "",
            "ip_version": "", "description": "", "service_label": "",
            "labels": {"env": "prod"}, "terraform_labels": {"env": "prod"},
            "label_fingerprint": "abc", "psc_connection_id": "", "recreate_closed_psc": false
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        // The near miss: the same rule now taking traffic from the internet.
        let mut external = internal_rule();
        external.load_balancing_scheme = serde_json::from_value(json!("EXTERNAL")).ok();
        let live = map(&external, &Scope::new("p", "us-central1")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["load_balancing_scheme".to_string()]
            )]
        );
    }
}
