//! `google_compute_health_check`: a global health check. Compared: the probe of each kind
//! (`http_health_check`, `https_health_check`, `http2_health_check`, `tcp_health_check`,
//! `ssl_health_check`, `grpc_health_check`, each block as a whole: port, request path, host,
//! proxy header, expected response), the interval, timeout and thresholds, logging and the
//! description. A probe pointed at another port or path can mark every backend healthy (or
//! none).
//!
//! The API leaves defaults out of a probe (port 80 or 443, path `/`, proxy header `NONE`); the
//! provider records them, so the mapping fills them in.
//!
//! gcplocal serves no health checks: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks
//! the documented `healthChecks` REST resource.

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::HealthCheck;
use serde_json::{json, Value};

pub struct ComputeHealthCheck;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_health_check",
    attrs: &[
        AttrSpec::new("http_health_check", Shape::Document),
        AttrSpec::new("https_health_check", Shape::Document),
        AttrSpec::new("http2_health_check", Shape::Document),
        AttrSpec::new("tcp_health_check", Shape::Document),
        AttrSpec::new("ssl_health_check", Shape::Document),
        AttrSpec::new("grpc_health_check", Shape::Document),
        AttrSpec::new("check_interval_sec", Shape::Number),
        AttrSpec::new("timeout_sec", Shape::Number),
        AttrSpec::new("healthy_threshold", Shape::Number),
        AttrSpec::new("unhealthy_threshold", Shape::Number),
        AttrSpec::new("log_config.0.enable", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "type",
            "derived from which probe block is set, and the blocks are compared",
        ),
        UncomparedAttr::new(
            "source_regions",
            "only for regional health checks of global backends; rarely set",
        ),
        UncomparedAttr::new(
            "grpc_tls_health_check",
            "a preview probe kind the provider's GA schema does not carry",
        ),
    ],
};

/// One probe block as the provider records it, with the API's omitted defaults filled in:
/// `default_port` (80 or 443), path `/` where the probe has one, proxy header `NONE`.
fn probe(
    port: Option<i32>,
    default_port: i32,
    spec: Option<&str>,
    extra: Value,
    proxy_header: Option<&str>,
) -> Value {
    // A probe on the serving port has no port of its own.
    let serving = spec == Some("USE_SERVING_PORT");
    let mut block = json!({
        "port": if serving { Value::Null } else { json!(port.unwrap_or(default_port)) },
        "port_specification": opt(spec),
        "proxy_header": proxy_header.unwrap_or("NONE"),
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut block, extra) {
        b.extend(e);
    }
    json!([block])
}

fn map(h: &HealthCheck, scope: &Scope) -> Option<Resource> {
    let name = h.name.as_deref()?;
    let mut attrs = json!({
        "name": name,
        "project": scope.project,
        "check_interval_sec": h.check_interval_sec.unwrap_or(5),
        "timeout_sec": h.timeout_sec.unwrap_or(5),
        "healthy_threshold": h.healthy_threshold.unwrap_or(2),
        "unhealthy_threshold": h.unhealthy_threshold.unwrap_or(2),
        "description": opt(h.description.as_deref()),
        "log_config": h
            .log_config
            .as_ref()
            .map_or(json!([]), |l| json!([{"enable": l.enable.unwrap_or(false)}])),
        "self_link": link(h.self_link.as_deref()),
        "http_health_check": [], "https_health_check": [], "http2_health_check": [],
        "tcp_health_check": [], "ssl_health_check": [], "grpc_health_check": [],
    });
    let path = |p: Option<&String>, host: Option<&String>, response: Option<&String>| {
        json!({
            "request_path": p.map_or("/", String::as_str),
            "host": opt(host.map(String::as_str)),
            "response": opt(response.map(String::as_str)),
            "port_name": Value::Null,
        })
    };
    if let Some(c) = &h.http_health_check {
        attrs["http_health_check"] = probe(
            c.port,
            80,
            c.port_specification.as_ref().and_then(|s| s.name()),
            path(
                c.request_path.as_ref(),
                c.host.as_ref(),
                c.response.as_ref(),
            ),
            c.proxy_header.as_ref().and_then(|p| p.name()),
        );
    }
    if let Some(c) = &h.https_health_check {
        attrs["https_health_check"] = probe(
            c.port,
            443,
            c.port_specification.as_ref().and_then(|s| s.name()),
            path(
                c.request_path.as_ref(),
                c.host.as_ref(),
                c.response.as_ref(),
            ),
            c.proxy_header.as_ref().and_then(|p| p.name()),
        );
    }
    if let Some(c) = &h.http_2_health_check {
        attrs["http2_health_check"] = probe(
            c.port,
            443,
            c.port_specification.as_ref().and_then(|s| s.name()),
            path(
                c.request_path.as_ref(),
                c.host.as_ref(),
                c.response.as_ref(),
            ),
            c.proxy_header.as_ref().and_then(|p| p.name()),
        );
    }
    if let Some(c) = &h.tcp_health_check {
        attrs["tcp_health_check"] = probe(
            c.port,
            80,
            c.port_specification.as_ref().and_then(|s| s.name()),
            json!({"request": opt(c.request.as_deref()), "response": opt(c.response.as_deref())}),
            c.proxy_header.as_ref().and_then(|p| p.name()),
        );
    }
    if let Some(c) = &h.ssl_health_check {
        attrs["ssl_health_check"] = probe(
            c.port,
            443,
            c.port_specification.as_ref().and_then(|s| s.name()),
            json!({"request": opt(c.request.as_deref()), "response": opt(c.response.as_deref())}),
            c.proxy_header.as_ref().and_then(|p| p.name()),
        );
    }
    if let Some(c) = &h.grpc_health_check {
        // gRPC probes have no proxy header and no default port.
        let spec = c.port_specification.as_ref().and_then(|s| s.name());
        attrs["grpc_health_check"] = json!([{
            "port": c.port,
            "port_specification": opt(spec),
            "grpc_service_name": opt(c.grpc_service_name.as_deref()),
        }]);
    }
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/healthChecks/{name}", scope.project),
        scope,
        attrs,
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeHealthCheck {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing health checks", map, |s| {
            client.clients.health_checks.list().set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::{FindingKind, Tier};

    #[test]
    fn maps_to_terraform_names() {
        let h: HealthCheck = serde_json::from_value(json!({
            "name": "web", "type": "HTTP", "checkIntervalSec": 10, "timeoutSec": 5,
            "healthyThreshold": 2, "unhealthyThreshold": 3,
            "httpHealthCheck": {"port": 8080, "requestPath": "/healthz", "proxyHeader": "NONE"}
        }))
        .expect("health check JSON");
        let r = map(&h, &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/healthChecks/web");
        assert_eq!(r.attrs["check_interval_sec"], json!(10));
        assert_eq!(r.attrs["unhealthy_threshold"], json!(3));
        assert_eq!(r.attrs["http_health_check"][0]["port"], json!(8080));
        assert_eq!(
            r.attrs["http_health_check"][0]["request_path"],
            json!("/healthz")
        );
        assert_eq!(r.attrs["tcp_health_check"], json!([]));
    }

    /// The code wrote `tcp_health_check { port = 443 }` and nothing else: state records the
    /// provider's defaults (proxy header `NONE`, interval and timeout 5 s, thresholds 2), which
    /// the API leaves out of its answer. Same check; a probe moved to another port is drift.
    #[test]
    fn defaults_the_api_leaves_out_are_no_drift() {
        let h: HealthCheck = serde_json::from_value(json!({
            "name": "tls", "type": "TCP", "tcpHealthCheck": {"port": 443}
        }))
        .expect("health check JSON");
        let live = map(&h, &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/healthChecks/tls", "name": "tls", "project": "p",
            "type": "TCP", "check_interval_sec": 5, "timeout_sec": 5, "healthy_threshold": 2,
            "unhealthy_threshold": 2, "description": "", "source_regions": [],
            "log_config": [],
            "tcp_health_check": [{"port": 443, "port_name": "", "port_specification": "",
                                  "proxy_header": "NONE", "request": "", "response": ""}],
            "http_health_check": [], "https_health_check": [], "http2_health_check": [],
            "ssl_health_check": [], "grpc_health_check": []
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let moved: HealthCheck = serde_json::from_value(json!({
            "name": "tls", "type": "TCP", "tcpHealthCheck": {"port": 8443}
        }))
        .expect("health check JSON");
        let live = map(&moved, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["tcp_health_check".to_string()]
            )]
        );
    }
}
