//! Comparison specs made at run time. driftd's analyzer takes `&'static TypeSpec`s, but which
//! attributes a Kubernetes kind compares depends on the manifests, so each kind's spec is built
//! from the attributes its manifests set and leaked. Every attribute carries the provider's
//! tier rules ([`crate::tier`]).
//!
//! The leak is bounded: specs are cached by their content, so a daemon that rescans the same
//! manifests reuses the same specs; only a change of the manifests' shape makes a new one (a few
//! kilobytes per kind).

use crate::canon::AttrKind;
use driftd_core::{AttrSpec, Shape, TierHint, TypeSpec, UncomparedAttr};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

type CacheKey = (String, Vec<(String, AttrKind)>);

/// What every kind leaves out of the comparison: only the fields a manifest sets are compared,
/// and the API server's and controllers' own fields are dropped from both sides ([`crate::canon`]).
static NOT_COMPARED: &[UncomparedAttr] = &[
    UncomparedAttr::new(
        "status",
        "written by controllers: what the object is doing, not its configuration",
    ),
    UncomparedAttr::new(
        "metadata.managedFields",
        "written by the API server, not by the manifest's author: who set which field",
    ),
    UncomparedAttr::new(
        "metadata.resourceVersion",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.uid",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.generation",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.creationTimestamp",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.selfLink",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.deletionTimestamp",
        "written by the API server, not by the manifest's author: the object is being deleted",
    ),
    UncomparedAttr::new(
        "metadata.deletionGracePeriodSeconds",
        "written by the API server, not by the manifest's author",
    ),
    UncomparedAttr::new(
        "metadata.generateName",
        "used once, to generate the name; the name is the object's identity",
    ),
    UncomparedAttr::new(
        "metadata.ownerReferences",
        "set by the controllers that own the object (a ReplicaSet's Deployment)",
    ),
    UncomparedAttr::new(
        "metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]",
        "written by kubectl apply: a copy of the manifest itself",
    ),
    UncomparedAttr::new(
        "metadata.annotations[\"deployment.kubernetes.io/revision\"]",
        "written by the Deployment controller at each rollout",
    ),
];

/// The spec of `resource_type` comparing `attrs` (sorted by the caller for a stable cache key).
pub fn spec_for(resource_type: &str, attrs: Vec<(String, AttrKind)>) -> &'static TypeSpec {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, &'static TypeSpec>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A poisoned lock only means another thread panicked while inserting; the map is intact.
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let key = (resource_type.to_string(), attrs);
    if let Some(spec) = cache.get(&key) {
        return spec;
    }
    let specs: Vec<AttrSpec> = key
        .1
        .iter()
        .map(|(name, kind)| {
            let name: &'static str = Box::leak(name.clone().into_boxed_str());
            let shape = match kind {
                AttrKind::Leaf => Shape::Scalar,
                AttrKind::Extras => Shape::Tags,
            };
            AttrSpec::new(name, shape).tier(TierHint::Rule(crate::tier::of_change))
        })
        .collect();
    let spec: &'static TypeSpec = Box::leak(Box::new(TypeSpec {
        provider: crate::PROVIDER,
        resource_type: Box::leak(resource_type.to_string().into_boxed_str()),
        attrs: Box::leak(specs.into_boxed_slice()),
        generated_tag_prefixes: &[],
        not_compared: NOT_COMPARED,
    }));
    cache.insert(key, spec);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_same_spec() {
        let a = spec_for(
            "Deployment.apps",
            vec![("spec.replicas".into(), AttrKind::Leaf)],
        );
        let b = spec_for(
            "Deployment.apps",
            vec![("spec.replicas".into(), AttrKind::Leaf)],
        );
        assert!(std::ptr::eq(a, b));
        let c = spec_for(
            "Deployment.apps",
            vec![("spec.paused".into(), AttrKind::Leaf)],
        );
        assert!(!std::ptr::eq(a, c));
        assert_eq!(a.attrs[0].name, "spec.replicas");
    }
}
