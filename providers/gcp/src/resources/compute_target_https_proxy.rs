//! `google_compute_target_https_proxy`: a global HTTPS proxy, where TLS ends. Compared, TLS
//! first: the SSL policy (taken off or swapped: critical, the proxy may now accept older TLS
//! versions and ciphers), the certificates it serves, the certificate map, the server TLS
//! policy (mutual TLS), QUIC, then the URL map, proxy bind, keep-alive timeout and description.
//!
//! gcplocal serves no proxies: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `targetHttpsProxies` REST resource.

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::TargetHttpsProxy;
use serde_json::{json, Value};

pub struct ComputeTargetHttpsProxy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_target_https_proxy",
    attrs: &[
        AttrSpec::new("ssl_policy", Shape::Link).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("ssl_certificates", Shape::Set),
        AttrSpec::new("certificate_map", Shape::Scalar),
        // Mutual TLS taken off lets clients in without a certificate.
        AttrSpec::new("server_tls_policy", Shape::Scalar).tier(TierHint::Rule(removed)),
        AttrSpec::new("quic_override", Shape::CaseInsensitive),
        AttrSpec::new("url_map", Shape::Link),
        AttrSpec::new("proxy_bind", Shape::Scalar),
        AttrSpec::new("http_keep_alive_timeout_sec", Shape::Number),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new("proxy_id", "the numeric id the API assigns"),
        UncomparedAttr::new(
            "tls_early_data",
            "defaulted by the API by load balancer generation; state records the answer",
        ),
        UncomparedAttr::new(
            "certificate_manager_certificates",
            "the provider folds them into ssl_certificates, which is compared",
        ),
    ],
};

/// A policy that was set and is now gone: critical.
fn removed(c: &Change) -> Option<Tier> {
    let set = |v: &Value| !(v.is_null() || v.as_str() == Some(""));
    (set(&c.expected) && !set(&c.actual)).then_some(Tier::Critical)
}

fn map(p: &TargetHttpsProxy, scope: &Scope) -> Option<Resource> {
    let name = p.name.as_deref()?;
    Some(resource(
        SPEC.resource_type,
        format!(
            "projects/{}/global/targetHttpsProxies/{name}",
            scope.project
        ),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "ssl_policy": link(p.ssl_policy.as_deref()),
            "ssl_certificates": p.ssl_certificates.iter().map(|c| canonical_link(c)).collect::<Vec<_>>(),
            // Certificate Manager resources are named `//certificatemanager.googleapis.com/...`.
            "certificate_map": opt(p.certificate_map.as_deref()),
            "server_tls_policy": opt(p.server_tls_policy.as_deref()),
            "quic_override": p.quic_override.as_ref().and_then(|q| q.name()).unwrap_or("NONE"),
            "url_map": link(p.url_map.as_deref()),
            "proxy_bind": p.proxy_bind.unwrap_or(false),
            "http_keep_alive_timeout_sec": p.http_keep_alive_timeout_sec,
            "description": opt(p.description.as_deref()),
            "self_link": link(p.self_link.as_deref()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeTargetHttpsProxy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing target HTTPS proxies", map, |s| {
            client
                .clients
                .target_https_proxies
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

    const CERT: &str =
        "https://www.googleapis.com/compute/v1/projects/p/global/sslCertificates/web";

    fn api() -> TargetHttpsProxy {
        serde_json::from_value(json!({
            "name": "web",
            "urlMap": "https://www.googleapis.com/compute/v1/projects/p/global/urlMaps/web",
            "sslCertificates": ["http://127.0.0.1:9/compute/v1/projects/p/global/sslCertificates/web"],
            "sslPolicy": "https://www.googleapis.com/compute/v1/projects/p/global/sslPolicies/modern"
        }))
        .expect("proxy JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&api(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/targetHttpsProxies/web");
        assert_eq!(r.attrs["ssl_certificates"], json!([CERT]));
        assert_eq!(r.attrs["quic_override"], json!("NONE"));
        assert_eq!(
            r.attrs["ssl_policy"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/sslPolicies/modern")
        );
    }

    /// The code gave the SSL policy by name (`modern`), which state keeps, and QUIC in lower
    /// case; the API answers a full link and leaves out the default QUIC setting. Same proxy;
    /// the SSL policy taken off is critical.
    #[test]
    fn a_policy_by_name_and_the_default_quic_setting_are_no_drift() {
        let live = map(&api(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/targetHttpsProxies/web", "name": "web", "project": "p",
            "url_map": "https://www.googleapis.com/compute/v1/projects/p/global/urlMaps/web",
            "ssl_certificates": [CERT], "ssl_policy": "modern", "quic_override": "none",
            "certificate_map": "", "server_tls_policy": "", "proxy_bind": false,
            "description": "", "tls_early_data": "DISABLED", "proxy_id": 42
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut weak = api();
        weak.ssl_policy = None;
        let live = map(&weak, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["ssl_policy".to_string()]
            )]
        );
    }
}
