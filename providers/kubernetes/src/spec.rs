//! Comparison specs made at run time. driftd's analyzer takes `&'static TypeSpec`s, but which
//! attributes a Kubernetes kind compares depends on the manifests, so each kind's spec is built
//! from the attributes its manifests set and leaked. Every attribute carries the provider's
//! tier rules ([`crate::tier`]).
//!
//! The leak is bounded: specs are cached by their content, so a daemon that rescans the same
//! manifests reuses the same specs; only a change of the manifests' shape makes a new one (a few
//! kilobytes per kind).

use crate::canon::AttrKind;
use driftd_core::{AttrSpec, Shape, TierHint, TypeSpec};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

type CacheKey = (String, Vec<(String, AttrKind)>);

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
        not_compared: &[],
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
