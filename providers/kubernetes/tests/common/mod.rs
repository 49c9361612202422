//! Shared by the provider's integration tests: manifests from inline YAML, and one scan through
//! the provider and driftd's analyzer.

#![allow(dead_code)]

use driftd_core::provider::NoProgress;
use driftd_core::{analyze, Analysis, AnalyzeInput, Finding, FindingKind, LiveInventory, Provider};
use driftd_kubernetes::canon::PointerRule;
use driftd_kubernetes::{
    expected_resources, manifest, KubeSettings, KubernetesProvider, ManifestObject,
    ManifestSettings,
};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// A fresh directory for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("driftd-kube-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Reads manifests written as one YAML stream, with `default_namespace`.
pub async fn manifests(name: &str, yaml: &str, default_namespace: &str) -> Vec<ManifestObject> {
    let dir = tempdir(name);
    std::fs::write(dir.join("manifests.yaml"), yaml).expect("write manifests");
    manifest::load(&ManifestSettings {
        paths: vec!["manifests.yaml".into()],
        base_dir: dir,
        default_namespace: Some(default_namespace.into()),
        ..Default::default()
    })
    .await
    .expect("manifests load")
}

/// One scan: the provider lists, the analyzer compares. Returns the analysis and the listing.
pub async fn scan(
    settings: KubeSettings,
    client: Option<kube::Client>,
    objects: &[ManifestObject],
    rules: &[PointerRule],
) -> (Analysis, LiveInventory) {
    let expected = expected_resources(objects, rules);
    let mut provider = KubernetesProvider::new(settings, &expected).expect("provider");
    if let Some(c) = client {
        provider = provider.with_client(c);
    }
    let specs = provider.type_specs();
    let types: Vec<String> = specs.iter().map(|s| s.resource_type.to_string()).collect();
    let inv = provider
        .list(&types, Arc::new(NoProgress))
        .await
        .expect("list");
    let scanned: BTreeSet<(String, String, String)> = inv
        .scanned
        .iter()
        .map(|(t, s)| ("kubernetes".to_string(), t.clone(), s.clone()))
        .collect();
    let analysis = analyze(&AnalyzeInput {
        target: "t",
        specs: &specs,
        expected: &expected,
        live: &inv.resources,
        scanned: &scanned,
        skipped: &inv.skipped,
        include_cloud_defaults: false,
    });
    (analysis, inv)
}

/// The findings as `kind resource_type resource_id`, for short assertions.
pub fn summary(a: &Analysis) -> Vec<String> {
    a.findings
        .iter()
        .map(|f| format!("{} {} {}", f.kind, f.resource_type, f.resource_id))
        .collect()
}

/// The one finding of this kind for this resource.
pub fn finding<'a>(a: &'a Analysis, kind: FindingKind, rtype: &str, id: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.kind == kind && f.resource_type == rtype && f.resource_id == id)
        .unwrap_or_else(|| panic!("no {kind} finding for {rtype} {id}: {:#?}", a.findings))
}

/// The change paths of a finding.
pub fn paths(f: &Finding) -> Vec<&str> {
    f.changes.iter().map(|c| c.path.as_str()).collect()
}
