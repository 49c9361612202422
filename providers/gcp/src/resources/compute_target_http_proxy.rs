//! `google_compute_target_http_proxy`: a global plain-HTTP proxy. Compared: the URL map it
//! routes with (another map may no longer redirect to HTTPS), proxy bind, keep-alive timeout
//! and description.
//!
//! gcplocal serves no proxies: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `targetHttpProxies` REST resource.

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::TargetHttpProxy;
use serde_json::json;

pub struct ComputeTargetHttpProxy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_target_http_proxy",
    attrs: &[
        AttrSpec::new("url_map", Shape::Link),
        AttrSpec::new("proxy_bind", Shape::Scalar),
        AttrSpec::new("http_keep_alive_timeout_sec", Shape::Number),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[UncomparedAttr::new(
        "proxy_id",
        "the numeric id the API assigns",
    )],
};

fn map(p: &TargetHttpProxy, scope: &Scope) -> Option<Resource> {
    let name = p.name.as_deref()?;
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/targetHttpProxies/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "url_map": link(p.url_map.as_deref()),
            "proxy_bind": p.proxy_bind.unwrap_or(false),
            "http_keep_alive_timeout_sec": p.http_keep_alive_timeout_sec,
            "description": opt(p.description.as_deref()),
            "self_link": link(p.self_link.as_deref()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeTargetHttpProxy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing target HTTP proxies", map, |s| {
            client
                .clients
                .target_http_proxies
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

    fn api() -> TargetHttpProxy {
        serde_json::from_value(json!({
            "name": "web-http",
            "urlMap": "http://127.0.0.1:9/compute/v1/projects/p/global/urlMaps/redirect"
        }))
        .expect("proxy JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&api(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/targetHttpProxies/web-http");
        assert_eq!(
            r.attrs["url_map"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/urlMaps/redirect")
        );
        assert_eq!(r.attrs["proxy_bind"], json!(false));
        assert_eq!(r.attrs["http_keep_alive_timeout_sec"], json!(null));
    }

    /// The code referenced the URL map by `.id` (`projects/p/global/urlMaps/redirect`), which
    /// is what state then holds; the API answers a full link from its own host. Same proxy;
    /// another map is drift.
    #[test]
    fn an_id_style_link_and_an_unset_timeout_are_no_drift() {
        let live = map(&api(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/targetHttpProxies/web-http", "name": "web-http",
            "project": "p", "url_map": "projects/p/global/urlMaps/redirect",
            "proxy_bind": false, "http_keep_alive_timeout_sec": null, "description": "",
            "proxy_id": 123
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut other = api();
        other.url_map = Some("projects/p/global/urlMaps/site".into());
        let live = map(&other, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["url_map".to_string()]
            )]
        );
    }
}
