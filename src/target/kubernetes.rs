//! A Kubernetes target's `[target.kubernetes]` section: where its manifests come from (files,
//! directories, globs, a render command), how to reach the cluster, what to watch for unmanaged
//! objects and what not to compare; its validation, the expected side read from the manifests,
//! and the provider built from it.
//!
//! A target is a Kubernetes one when its `provider` is `kubernetes`. It has no Terraform state:
//! the manifests are the expected side.

use super::config::check_as;
use super::{Expected, ProviderKind, TargetConfig};
use anyhow::{Context, Result};
use async_trait::async_trait;
use driftd_core::{Provider, TypeSpec};
use driftd_kubernetes::canon::PointerRule;
use driftd_kubernetes::{
    KubeSettings, KubernetesProvider, ManifestSettings, RenderCommand, DEFAULT_WATCH_KINDS,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Kubernetes as targets use it.
pub struct Kubernetes;

const SECTION: &str = "kubernetes";

/// Kinds have no fixed list: what is compared comes from the manifests.
const TYPES_NOTE: &str = "any kind the manifests declare (custom resources included), \
     compared on every field the manifest sets; live objects of the watched kinds that no \
     manifest declares are unmanaged";

/// How a target reads its manifests and reaches its cluster.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubeConfig {
    /// Manifest files, directories (read recursively) and globs, relative to the config file.
    #[serde(default)]
    pub manifests: Vec<String>,
    /// A command printing the objects as YAML, run without a shell in the config's directory:
    /// `["kustomize", "build", "overlays/prod"]` or `["helm", "template", "web", "./chart"]`.
    #[serde(default)]
    pub render: Vec<String>,
    /// Deadline of the render command.
    #[serde(default = "default_render_timeout")]
    pub render_timeout_secs: u64,
    /// Kubeconfig file, relative to the config file. Unset: `$KUBECONFIG` or `~/.kube/config`, then the
    /// in-cluster service account.
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context to use instead of the current one.
    pub context: Option<String>,
    /// Use the pod's service account only.
    #[serde(default)]
    pub in_cluster: bool,
    /// Namespace of namespaced objects whose manifest names none. Default: `default`.
    pub default_namespace: Option<String>,
    /// Cluster-scoped custom kinds (`Kind` or `Kind.group`) whose CRD is not in the manifests.
    #[serde(default)]
    pub cluster_scoped_kinds: Vec<String>,
    /// Namespaces where objects no manifest declares are reported as unmanaged.
    #[serde(default)]
    pub watch_namespaces: Vec<String>,
    /// Kinds looked at for unmanaged objects besides the manifests' own, as `apiVersion/Kind`.
    /// Unset: common workload, config and RBAC kinds.
    pub watch_kinds: Option<Vec<String>>,
    /// Field managers whose fields are not compared (`kube-controller-manager` for an
    /// autoscaler's `spec.replicas`).
    #[serde(default)]
    pub ignore_field_managers: Vec<String>,
    /// Fields never compared, by JSON pointer, for the objects a rule selects.
    #[serde(default)]
    pub ignore_fields: Vec<IgnoreField>,
    /// Objects per list page.
    #[serde(default = "default_page_size")]
    pub page_size: u32,
    /// Deadline of one API request.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

/// One `[[target.kubernetes.ignore_fields]]` rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreField {
    /// RFC 6901 pointer; a list item by key or position: `/spec/template/spec/containers/web/image`.
    pub pointer: String,
    /// Kind (`Deployment`) or resource type (`Deployment.apps`) glob.
    pub kind: Option<String>,
    /// Object name glob.
    pub name: Option<String>,
    /// Namespace glob.
    pub namespace: Option<String>,
}

fn default_render_timeout() -> u64 {
    60
}

fn default_page_size() -> u32 {
    500
}

fn default_timeout() -> u64 {
    30
}

impl Default for KubeConfig {
    fn default() -> Self {
        KubeConfig {
            manifests: Vec::new(),
            render: Vec::new(),
            render_timeout_secs: default_render_timeout(),
            kubeconfig: None,
            context: None,
            in_cluster: false,
            default_namespace: None,
            cluster_scoped_kinds: Vec::new(),
            watch_namespaces: Vec::new(),
            watch_kinds: None,
            ignore_field_managers: Vec::new(),
            ignore_fields: Vec::new(),
            page_size: default_page_size(),
            timeout_secs: default_timeout(),
        }
    }
}

impl KubeConfig {
    fn rules(&self) -> Result<Vec<PointerRule>, Vec<String>> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for (i, r) in self.ignore_fields.iter().enumerate() {
            match PointerRule::new(
                &r.pointer,
                r.kind.as_deref(),
                r.name.as_deref(),
                r.namespace.as_deref(),
            ) {
                Ok(rule) => rules.push(rule),
                Err(e) => errors.push(format!("ignore_fields[{i}]: {e}")),
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    fn manifest_settings(&self, base_dir: &Path) -> ManifestSettings {
        ManifestSettings {
            paths: self.manifests.clone(),
            render: (!self.render.is_empty()).then(|| RenderCommand {
                argv: self.render.clone(),
                timeout: Duration::from_secs(self.render_timeout_secs),
            }),
            default_namespace: self.default_namespace.clone(),
            cluster_scoped_kinds: self.cluster_scoped_kinds.clone(),
            base_dir: base_dir.to_path_buf(),
        }
    }

    /// The provider settings.
    pub fn settings(&self) -> KubeSettings {
        let mut s = KubeSettings {
            watch_namespaces: self.watch_namespaces.clone(),
            watch_kinds: self
                .watch_kinds
                .clone()
                .unwrap_or_else(|| DEFAULT_WATCH_KINDS.iter().map(|k| k.to_string()).collect()),
            ignore_field_managers: self.ignore_field_managers.clone(),
            page_size: self.page_size,
            ..KubeSettings::default()
        };
        s.connection.kubeconfig = self.kubeconfig.clone();
        s.connection.context = self.context.clone();
        s.connection.in_cluster = self.in_cluster;
        s.connection.request_timeout = Duration::from_secs(self.timeout_secs);
        s
    }

    /// What is wrong with a Kubernetes target, each problem prefixed with `at`. Reads nothing
    /// but the config.
    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String> {
        let mut out = Vec::new();
        if self.manifests.is_empty() && self.render.is_empty() {
            out.push(format!(
                "{at}.kubernetes: set `manifests` (files, directories, globs) or `render` (a \
                 command such as [\"kustomize\", \"build\", \"overlays/prod\"])"
            ));
        }
        if !target.states.is_empty() || target.backend.is_some() || target.code.is_some() {
            out.push(format!(
                "{at}: a Kubernetes target reads manifests ([target.kubernetes] `manifests`), \
                 not Terraform `states`, `backend` or `code`"
            ));
        }
        if !target.regions.is_empty() {
            out.push(format!(
                "{at}.regions: a Kubernetes target has no regions; list namespaces in \
                 [target.kubernetes] `watch_namespaces`"
            ));
        }
        if self.render.first().is_some_and(|p| p.trim().is_empty()) {
            out.push(format!(
                "{at}.kubernetes.render: the first element must be the program to run"
            ));
        }
        if let Some(path) = &self.kubeconfig {
            if !path.is_file() {
                out.push(format!(
                    "{at}.kubernetes.kubeconfig: `{}` is not a file",
                    path.display()
                ));
            }
        }
        if self.in_cluster && (self.kubeconfig.is_some() || self.context.is_some()) {
            out.push(format!(
                "{at}.kubernetes.in_cluster: set either `in_cluster` or `kubeconfig`/`context`"
            ));
        }
        for k in self.watch_kinds.iter().flatten() {
            if let Err(e) = driftd_kubernetes::parse_kind_ref(k) {
                out.push(format!("{at}.kubernetes.watch_kinds: {e}"));
            }
        }
        if let Err(errors) = self.rules() {
            out.extend(errors.into_iter().map(|e| format!("{at}.kubernetes.{e}")));
        }
        for (key, v) in [
            ("render_timeout_secs", self.render_timeout_secs),
            ("timeout_secs", self.timeout_secs),
            ("page_size", u64::from(self.page_size)),
        ] {
            if v == 0 {
                out.push(format!("{at}.kubernetes.{key}: must be at least 1"));
            }
        }
        out
    }
}

#[async_trait]
impl ProviderKind for Kubernetes {
    fn names(&self) -> &'static [&'static str] {
        &[driftd_kubernetes::PROVIDER]
    }

    fn section(&self) -> &'static str {
        SECTION
    }

    fn section_check(&self) -> fn(&toml::Value) -> Result<(), String> {
        check_as::<KubeConfig>
    }

    /// The kubeconfig is relative to the config file, like manifests.
    fn resolve_paths(&self, section: &mut toml::Value, base_dir: &Path) {
        if let Some(toml::Value::String(path)) = section.get_mut("kubeconfig") {
            if Path::new(path.as_str()).is_relative() {
                *path = base_dir.join(path.as_str()).display().to_string();
            }
        }
    }

    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String> {
        match target.section::<KubeConfig>(SECTION) {
            Ok(k) => k.problems(at, target),
            Err(e) => vec![format!("{at}.{SECTION}: {e}")],
        }
    }

    /// Any `Kind` or `Kind.group` the manifests declare can be compared.
    fn supported_types(&self) -> Option<Vec<&'static str>> {
        None
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        Vec::new()
    }

    fn types_note(&self) -> Option<&'static str> {
        Some(TYPES_NOTE)
    }

    /// The manifests are the expected side: there is no Terraform state.
    fn reads_terraform(&self) -> bool {
        false
    }

    fn definitions_name(&self) -> &'static str {
        "manifests"
    }

    /// The manifests, canonicalized.
    async fn load_definitions(&self, target: &TargetConfig, base_dir: &Path) -> Result<Expected> {
        let k = target.section::<KubeConfig>(SECTION)?;
        let rules = k
            .rules()
            .map_err(|e| anyhow::anyhow!("target `{}`: {}", target.name, e.join("; ")))?;
        let objects = driftd_kubernetes::manifest::load(&k.manifest_settings(base_dir))
            .await
            .with_context(|| {
                format!("target `{}`: cannot read Kubernetes manifests", target.name)
            })?;
        Ok(Expected {
            resources: driftd_kubernetes::expected_resources(&objects, &rules),
            code: None,
            has_state: true,
        })
    }

    /// The cluster, compared with `expected`.
    async fn build(&self, target: &TargetConfig, expected: &Expected) -> Result<Box<dyn Provider>> {
        let k = target.section::<KubeConfig>(SECTION)?;
        tracing::info!(
            target = %target.name,
            context = k.context.as_deref().unwrap_or(""),
            watch_namespaces = ?k.watch_namespaces,
            expected = expected.resources.len(),
            "scanning"
        );
        let provider = KubernetesProvider::new(k.settings(), &expected.resources)
            .map_err(|e| anyhow::anyhow!("target `{}`: {e}", target.name))?;
        Ok(Box::new(provider))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn problems(toml: &str) -> String {
        let dir = std::env::temp_dir().join(format!("driftd-kube-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("driftd.toml");
        std::fs::write(&path, toml).unwrap();
        match Config::load(&path).and_then(|c| c.validate()) {
            Ok(()) => String::new(),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_kubernetes_target_needs_manifests_and_no_state() {
        let ok = "[[target]]\nname = \"k\"\nprovider = \"kubernetes\"\n[target.kubernetes]\nmanifests = [\"k8s\"]\n";
        assert_eq!(problems(ok), "");
        let bad = "[[target]]\nname = \"k\"\nprovider = \"kubernetes\"\nstates = [\"x.tfstate\"]\n\
                   [target.kubernetes]\nkubeconfig = \"relative/config\"\nwatch_kinds = [\"Deployment\"]\n\
                   [[target.kubernetes.ignore_fields]]\npointer = \"spec/replicas\"\n";
        let p = problems(bad);
        for needle in [
            "set `manifests`",
            "reads manifests",
            "relative/config` is not a file",
            "watch_kinds: `Deployment` is not a kind reference",
            "ignore_fields[0]: `spec/replicas` is not a JSON pointer",
        ] {
            assert!(p.contains(needle), "no `{needle}` in {p}");
        }
        let typo = "[[target]]\nname = \"k\"\nprovider = \"kubernetes\"\n[target.kubernetes]\nmanifest = [\"k8s\"]\n";
        assert!(problems(typo).contains("manifest"), "{}", problems(typo));
    }
}
