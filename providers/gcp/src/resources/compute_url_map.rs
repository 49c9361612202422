//! `google_compute_url_map`: a global URL map, the routing table of an HTTP(S) load balancer.
//! Compared: the default service, the default redirect (an HTTP-to-HTTPS redirect taken off is
//! critical), the host rules and the path matchers (each as a whole: name, default service and
//! path rules), and the description.
//!
//! A path matcher with route rules, route actions or redirects of its own holds nested blocks
//! the mapping does not rebuild: then `path_matcher` is left out of the live attributes (not
//! compared) rather than reported as changed.
//!
//! gcplocal serves no URL maps: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks the
//! documented `urlMaps` REST resource.

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::{HttpRedirectAction, UrlMap};
use serde_json::{json, Value};

pub struct ComputeUrlMap;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_url_map",
    attrs: &[
        AttrSpec::new("default_service", Shape::Link),
        AttrSpec::new("default_url_redirect", Shape::Document)
            .tier(TierHint::Rule(https_redirect_dropped)),
        AttrSpec::new("host_rule", Shape::Document),
        AttrSpec::new("path_matcher", Shape::Document),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "default_route_action",
            "weighted backends, retries and fault injection: nested several levels deep",
        ),
        UncomparedAttr::new("header_action", "request and response header rewriting"),
        UncomparedAttr::new(
            "test",
            "expectations `gcloud` checks on update; they route nothing",
        ),
        UncomparedAttr::new(
            "fingerprint",
            "a hash the API computes for optimistic locking",
        ),
        UncomparedAttr::new("map_id", "the numeric id the API assigns"),
    ],
};

/// Whether a value (a redirect block, normalized or not) redirects to HTTPS.
fn redirects_to_https(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .get("https_redirect")
            .is_some_and(|r| r.as_bool() == Some(true) || r.as_str() == Some("true")),
        Value::Array(a) => a.iter().any(redirects_to_https),
        _ => false,
    }
}

/// An HTTP-to-HTTPS redirect that is gone: plain HTTP is served again. Critical.
fn https_redirect_dropped(c: &Change) -> Option<Tier> {
    (redirects_to_https(&c.expected) && !redirects_to_https(&c.actual)).then_some(Tier::Critical)
}

/// A redirect block as the provider records it (the API leaves out false flags).
fn redirect(r: &HttpRedirectAction) -> Value {
    json!([{
        "host_redirect": opt(r.host_redirect.as_deref()),
        "path_redirect": opt(r.path_redirect.as_deref()),
        "prefix_redirect": opt(r.prefix_redirect.as_deref()),
        "https_redirect": r.https_redirect.unwrap_or(false),
        "strip_query": r.strip_query.unwrap_or(false),
        "redirect_response_code": opt(r.redirect_response_code.as_ref().and_then(|c| c.name())),
    }])
}

fn map(u: &UrlMap, scope: &Scope) -> Option<Resource> {
    let name = u.name.as_deref()?;
    let host_rules: Vec<Value> = u
        .host_rules
        .iter()
        .map(|h| {
            json!({
                "hosts": h.hosts,
                "path_matcher": opt(h.path_matcher.as_deref()),
                "description": opt(h.description.as_deref()),
            })
        })
        .collect();
    let mut attrs = json!({
        "name": name,
        "project": scope.project,
        "default_service": link(u.default_service.as_deref()),
        "default_url_redirect": u.default_url_redirect.as_ref().map_or(json!([]), redirect),
        "host_rule": host_rules,
        "description": opt(u.description.as_deref()),
        "self_link": link(u.self_link.as_deref()),
    });
    // Path matchers whose rules are all plain `path_rule { paths service }` blocks.
    let plain = u.path_matchers.iter().all(|m| {
        m.route_rules.is_empty()
            && m.default_route_action.is_none()
            && m.default_url_redirect.is_none()
            && m.path_rules
                .iter()
                .all(|r| r.route_action.is_none() && r.url_redirect.is_none())
    });
    if plain {
        let matchers: Vec<Value> = u
            .path_matchers
            .iter()
            .map(|m| {
                let rules: Vec<Value> = m
                    .path_rules
                    .iter()
                    .map(|r| json!({"paths": r.paths, "service": link(r.service.as_deref())}))
                    .collect();
                json!({
                    "name": opt(m.name.as_deref()),
                    "default_service": link(m.default_service.as_deref()),
                    "description": opt(m.description.as_deref()),
                    "path_rule": rules,
                })
            })
            .collect();
        attrs["path_matcher"] = json!(matchers);
    }
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/urlMaps/{name}", scope.project),
        scope,
        attrs,
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeUrlMap {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing URL maps", map, |s| {
            client.clients.url_maps.list().set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::FindingKind;

    const WEB: &str = "https://www.googleapis.com/compute/v1/projects/p/global/backendServices/web";

    fn api() -> UrlMap {
        serde_json::from_value(json!({
            "name": "web", "defaultService": WEB,
            "hostRules": [{"hosts": ["www.example.com", "example.com"], "pathMatcher": "site"}],
            "pathMatchers": [{"name": "site", "defaultService": WEB,
                              "pathRules": [{"paths": ["/api/*"],
                                             "service": "https://compute.googleapis.com/compute/v1/projects/p/global/backendServices/api"}]}]
        }))
        .expect("URL map JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&api(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/urlMaps/web");
        assert_eq!(r.attrs["default_service"], json!(WEB));
        assert_eq!(
            r.attrs["host_rule"],
            json!([{"hosts": ["www.example.com", "example.com"], "path_matcher": "site",
                    "description": null}])
        );
        assert_eq!(
            r.attrs["path_matcher"][0]["path_rule"][0]["service"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/backendServices/api")
        );
        // A matcher with route rules is not rebuilt: not compared.
        let mut routed = api();
        routed.path_matchers[0].route_rules = vec![Default::default()];
        let r = map(&routed, &Scope::global("p")).expect("mapped");
        assert!(!r.attrs.contains_key("path_matcher"));
    }

    #[test]
    fn an_https_redirect_taken_off_is_critical() {
        use driftd_core::{tier::default_tier, ChangeOp};
        let c = Change::new(
            "default_url_redirect",
            ChangeOp::Replace,
            json!({"https_redirect": "true", "strip_query": "false"}),
            Value::Null,
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }

    /// State lists a host rule's hosts in the order the code wrote them and keeps empty
    /// blocks (`route_rules`, `header_action`) for what the code did not set; the API answers
    /// the hosts in its own order and the services on another host. Same routing; the default
    /// service moved is drift.
    #[test]
    fn host_order_empty_blocks_and_link_hosts_are_no_drift() {
        let live = map(&api(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/urlMaps/web", "name": "web", "project": "p",
            "default_service": WEB, "description": "", "default_url_redirect": [],
            "default_route_action": [], "header_action": [], "test": [],
            "host_rule": [{"hosts": ["example.com", "www.example.com"], "path_matcher": "site",
                           "description": ""}],
            "path_matcher": [{"name": "site", "default_service": WEB, "description": "",
                              "default_url_redirect": [], "route_rules": [], "header_action": [],
                              "path_rule": [{"paths": ["/api/*"], "route_action": [],
                                             "url_redirect": [],
                                             "service": "https://www.googleapis.com/compute/v1/projects/p/global/backendServices/api"}]}]
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut moved = api();
        moved.default_service = Some(WEB.replace("/web", "/other"));
        let live = map(&moved, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["default_service".to_string()]
            )]
        );
    }
}
