//! `google_compute_backend_service`: a global backend service. Compared, security first: the
//! Cloud Armor and edge security policies, whether Identity-Aware Proxy is on, the protocol to
//! the backends, the load balancing scheme, then the backends (each block as a whole), health
//! checks, named port, timeout, session affinity, connection draining, CDN, logging, custom
//! headers and description.
//!
//! gcplocal serves no backend services: the tests' stand-in (`driftd_testkit::gcp_compute`)
//! speaks the documented `backendServices` REST resource.

use super::compute_forwarding_rule::{link, made_external};
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::{Backend, BackendService};
use serde_json::{json, Value};

pub struct ComputeBackendService;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_backend_service",
    attrs: &[
        // A policy taken off leaves the backends without their WAF and IP allowlists.
        AttrSpec::new("security_policy", Shape::Link).tier(TierHint::Rule(removed)),
        AttrSpec::new("edge_security_policy", Shape::Link).tier(TierHint::Rule(removed)),
        // IAP turned off lets anyone who reaches the load balancer through to the backends.
        AttrSpec::new("iap.0.enabled", Shape::Scalar).tier(TierHint::Rule(turned_off)),
        AttrSpec::new("protocol", Shape::CaseInsensitive).tier(TierHint::Rule(tls_dropped)),
        AttrSpec::new("load_balancing_scheme", Shape::CaseInsensitive)
            .tier(TierHint::Rule(made_external)),
        AttrSpec::new("backend", Shape::Document),
        AttrSpec::new("health_checks", Shape::Set),
        AttrSpec::new("port_name", Shape::Scalar),
        AttrSpec::new("timeout_sec", Shape::Number),
        AttrSpec::new("session_affinity", Shape::CaseInsensitive),
        AttrSpec::new("affinity_cookie_ttl_sec", Shape::Number),
        AttrSpec::new("connection_draining_timeout_sec", Shape::Number),
        AttrSpec::new("enable_cdn", Shape::Scalar),
        AttrSpec::new("log_config.0.enable", Shape::Scalar),
        AttrSpec::new("custom_request_headers", Shape::Set),
        AttrSpec::new("custom_response_headers", Shape::Set),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "iap.0.oauth2_client_secret",
            "write-only: the API answers only its SHA-256, which state does not keep in the same form",
        ),
        UncomparedAttr::new(
            "cdn_policy",
            "the API fills most of it with server defaults (cache modes, TTLs, key policy) that \
             state may or may not record",
        ),
        UncomparedAttr::new(
            "circuit_breakers",
            "traffic tuning for service mesh load balancers",
        ),
        UncomparedAttr::new("consistent_hash", "traffic tuning of session affinity"),
        UncomparedAttr::new("outlier_detection", "traffic tuning for managed load balancers"),
        UncomparedAttr::new(
            "locality_lb_policy",
            "traffic tuning for managed load balancers",
        ),
        UncomparedAttr::new(
            "fingerprint",
            "a hash the API computes for optimistic locking",
        ),
        UncomparedAttr::new("generated_id", "the numeric id the API assigns"),
    ],
};

fn present(v: &Value) -> bool {
    !(v.is_null() || v.as_str() == Some("") || v.as_array().is_some_and(Vec::is_empty))
}

/// A security policy that was set and is now gone: critical.
fn removed(c: &Change) -> Option<Tier> {
    (present(&c.expected) && !present(&c.actual)).then_some(Tier::Critical)
}

/// A protection that was on and is now off: critical.
fn turned_off(c: &Change) -> Option<Tier> {
    let on = |v: &Value| v.as_bool() == Some(true) || v.as_str() == Some("true");
    (on(&c.expected) && !on(&c.actual)).then_some(Tier::Critical)
}

/// Whether a backend protocol encrypts the hop to the backends.
fn encrypted(v: &Value) -> bool {
    v.as_str().is_some_and(|p| {
        ["HTTPS", "HTTP2", "SSL"]
            .iter()
            .any(|e| p.eq_ignore_ascii_case(e))
    })
}

/// Traffic to the backends that was encrypted and now is not: critical.
fn tls_dropped(c: &Change) -> Option<Tier> {
    (encrypted(&c.expected) && !encrypted(&c.actual)).then_some(Tier::Critical)
}

/// A float the API sends as a 32-bit one, as state writes it: `1` and `0.8` (not
/// `0.800000011920929`).
pub(crate) fn float(f: Option<f32>) -> Value {
    let f = f.unwrap_or(0.0);
    if f.fract() == 0.0 {
        return json!(f as i64);
    }
    f.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// One `backend` block as the provider records it, its unset numbers as 0.
fn backend(b: &Backend) -> Value {
    let int = |v: Option<i32>| v.unwrap_or(0);
    json!({
        "group": opt(b.group.as_deref().map(canonical_link).as_deref()),
        "balancing_mode": b.balancing_mode.as_ref().and_then(|m| m.name()).unwrap_or("UTILIZATION"),
        "capacity_scaler": float(b.capacity_scaler),
        "description": opt(b.description.as_deref()),
        "max_connections": int(b.max_connections),
        "max_connections_per_instance": int(b.max_connections_per_instance),
        "max_connections_per_endpoint": int(b.max_connections_per_endpoint),
        "max_rate": int(b.max_rate),
        "max_rate_per_instance": float(b.max_rate_per_instance),
        "max_rate_per_endpoint": float(b.max_rate_per_endpoint),
        "max_utilization": float(b.max_utilization),
    })
}

fn map(b: &BackendService, scope: &Scope) -> Option<Resource> {
    let name = b.name.as_deref()?;
    // The provider writes an `iap` block only when IAP is configured; off is no block.
    let iap = match b.iap.as_ref().and_then(|i| i.enabled) {
        Some(true) => json!([{"enabled": true}]),
        _ => json!([]),
    };
    let log = b.log_config.as_ref().map_or(
        json!([]),
        |l| json!([{"enable": l.enable.unwrap_or(false)}]),
    );
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/backendServices/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "security_policy": link(b.security_policy.as_deref()),
            "edge_security_policy": link(b.edge_security_policy.as_deref()),
            "iap": iap,
            "protocol": opt(b.protocol.as_ref().and_then(|p| p.name())),
            "load_balancing_scheme": b
                .load_balancing_scheme
                .as_ref()
                .and_then(|s| s.name())
                .unwrap_or("EXTERNAL"),
            "backend": b.backends.iter().map(backend).collect::<Vec<_>>(),
            "health_checks": b.health_checks.iter().map(|h| canonical_link(h)).collect::<Vec<_>>(),
            "port_name": opt(b.port_name.as_deref()),
            "timeout_sec": b.timeout_sec,
            "session_affinity": opt(b.session_affinity.as_ref().and_then(|s| s.name())),
            // Left out of the answer when 0, which state records.
            "affinity_cookie_ttl_sec": b.affinity_cookie_ttl_sec.unwrap_or(0),
            "connection_draining_timeout_sec": b
                .connection_draining
                .as_ref()
                .and_then(|d| d.draining_timeout_sec),
            "enable_cdn": b.enable_cdn.unwrap_or(false),
            "log_config": log,
            "custom_request_headers": b.custom_request_headers,
            "custom_response_headers": b.custom_response_headers,
            "description": opt(b.description.as_deref()),
            "self_link": link(b.self_link.as_deref()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeBackendService {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing backend services", map, |s| {
            client
                .clients
                .backend_services
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
    use driftd_core::FindingKind;

    fn api() -> BackendService {
        serde_json::from_value(json!({
            "name": "web", "protocol": "HTTPS", "portName": "https", "timeoutSec": 30,
            "loadBalancingScheme": "EXTERNAL_MANAGED", "sessionAffinity": "NONE",
            "connectionDraining": {"drainingTimeoutSec": 300},
            "securityPolicy": "https://www.googleapis.com/compute/v1/projects/p/global/securityPolicies/edge-waf",
            "iap": {"enabled": true, "oauth2ClientId": "cid", "oauth2ClientSecretSha256": "ab12"},
            "backends": [{"group": "http://127.0.0.1:9/compute/v1/projects/p/zones/us-central1-a/instanceGroups/web",
                          "balancingMode": "UTILIZATION", "capacityScaler": 1, "maxUtilization": 0.8}],
            "healthChecks": ["https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/web"],
            "logConfig": {"enable": true, "sampleRate": 1}
        }))
        .expect("backend service JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&api(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/backendServices/web");
        assert_eq!(r.attrs["protocol"], json!("HTTPS"));
        assert_eq!(r.attrs["iap"], json!([{"enabled": true}]));
        assert_eq!(r.attrs["timeout_sec"], json!(30));
        assert_eq!(r.attrs["connection_draining_timeout_sec"], json!(300));
        assert_eq!(r.attrs["log_config"], json!([{"enable": true}]));
        let b = &r.attrs["backend"][0];
        assert_eq!(
            b["group"],
            json!("https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroups/web")
        );
        // 32-bit floats as state writes them.
        assert_eq!(b["max_utilization"], json!(0.8));
        assert_eq!(b["capacity_scaler"], json!(1));
        assert_eq!(b["max_rate_per_instance"], json!(0));
    }

    #[test]
    fn security_taken_off_or_plaintext_backends_are_critical() {
        use driftd_core::{tier::default_tier, ChangeOp};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier("protocol", json!("HTTPS"), json!("HTTP")),
            Tier::Critical
        );
        assert_eq!(
            tier("protocol", json!("HTTP"), json!("HTTPS")),
            Tier::Warning
        );
        assert_eq!(
            tier("security_policy", json!("edge-waf"), Value::Null),
            Tier::Critical
        );
        assert_eq!(
            tier("security_policy", json!("edge-waf"), json!("other")),
            Tier::Warning
        );
        assert_eq!(
            tier("iap.0.enabled", json!(true), Value::Null),
            Tier::Critical
        );
        assert_eq!(tier("timeout_sec", json!(30), json!(5)), Tier::Warning);
    }

    /// State keeps backend numbers the code never set as 0 and the capacity as `1`, the IAP
    /// secret (which the API never returns) and the policy as a full link; the API answers
    /// 32-bit floats, the group on its own host, and leaves unset limits and the cookie TTL
    /// out. Same service.
    #[test]
    fn server_defaults_and_32_bit_floats_are_no_drift() {
        let live = map(&api(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/backendServices/web", "name": "web", "project": "p",
            "protocol": "HTTPS", "port_name": "https", "timeout_sec": 30,
            "load_balancing_scheme": "EXTERNAL_MANAGED", "session_affinity": "NONE",
            "affinity_cookie_ttl_sec": 0, "connection_draining_timeout_sec": 300,
            "security_policy": "https://www.googleapis.com/compute/v1/projects/p/global/securityPolicies/edge-waf",
            "edge_security_policy": "", "enable_cdn": false, "description": "",
            "iap": [{"enabled": true, "oauth2_client_id": "cid",
                     "oauth2_client_secret": "s3cret", "oauth2_client_secret_sha256": "ab12"}],
            "backend": [{"group": "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroups/web",
                         "balancing_mode": "UTILIZATION", "capacity_scaler": 1, "description": "",
                         "max_connections": 0, "max_connections_per_instance": 0,
                         "max_connections_per_endpoint": 0, "max_rate": 0,
                         "max_rate_per_instance": 0, "max_rate_per_endpoint": 0,
                         "max_utilization": 0.8}],
            "health_checks": ["https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/web"],
            "log_config": [{"enable": true, "sample_rate": 1}],
            "custom_request_headers": [], "custom_response_headers": [],
            "cdn_policy": [], "fingerprint": "x", "generated_id": 1
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        // The near miss: the Cloud Armor policy taken off.
        let mut bare = api();
        bare.security_policy = None;
        let live = map(&bare, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["security_policy".to_string()]
            )]
        );
    }
}
