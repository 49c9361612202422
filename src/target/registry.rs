//! The providers targets can name, one line each, and what needs all of them: finding a
//! target's provider, parsing the provider tables of `[[target]]`, validating a target, and
//! reading a target's expected side (a Terraform state may be kept in any provider's storage).

use super::config::{deserialize_targets as targets_with, SectionCheck};
use super::{aws, gcp, kubernetes, terraform, Expected, ProviderKind, TargetConfig};
use anyhow::Result;
use serde::Deserializer;
use std::path::Path;

/// Every provider, the default (a target without `provider`) first.
pub static KINDS: &[&dyn ProviderKind] = &[&aws::Aws, &gcp::Gcp, &kubernetes::Kubernetes];

/// The provider of a target without `provider`.
pub fn default_kind() -> &'static dyn ProviderKind {
    KINDS[0]
}

/// The provider a target names (any of its names), or the default one.
pub fn find(name: &str) -> Option<&'static dyn ProviderKind> {
    if name.is_empty() {
        return Some(default_kind());
    }
    KINDS.iter().copied().find(|k| k.names().contains(&name))
}

/// The provider of `target`; an unknown name is an error listing the known ones.
pub fn kind(target: &TargetConfig) -> Result<&'static dyn ProviderKind> {
    find(&target.provider).ok_or_else(|| {
        anyhow::anyhow!(
            "target `{}`: unknown provider `{}`; supported: {}",
            target.name,
            target.provider,
            names()
        )
    })
}

/// The providers' main names, for messages.
pub fn names() -> String {
    KINDS
        .iter()
        .map(|k| k.names()[0])
        .collect::<Vec<_>>()
        .join(", ")
}

/// `deserialize_with` of `[[target]]`: each provider's table is set aside for it, checked.
pub fn deserialize_targets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TargetConfig>, D::Error> {
    let checks: Vec<SectionCheck> = KINDS
        .iter()
        .map(|k| (k.section(), k.section_check()))
        .collect();
    targets_with(d, &checks)
}

/// Fills in the provider a target left out and makes its tables' relative paths relative to
/// `base_dir`.
pub fn resolve(target: &mut TargetConfig, base_dir: &Path) {
    if target.provider.is_empty() {
        target.provider = default_kind().names()[0].to_string();
    }
    for k in KINDS {
        if let Some(section) = target.sections.get_mut(k.section()) {
            k.resolve_paths(section, base_dir);
        }
    }
}

/// What is wrong with one target, each problem prefixed with `at`: the keys every target has,
/// then its provider's.
pub fn problems(at: &str, target: &TargetConfig, base_dir: &Path) -> Vec<String> {
    // A target naming no known provider is still checked, as one of the default provider.
    let (kind, mut out) = match find(&target.provider) {
        Some(kind) => (kind, Vec::new()),
        None => (
            default_kind(),
            vec![format!(
                "{at}.provider: unknown provider `{}`; supported: {}",
                target.provider,
                names()
            )],
        ),
    };
    out.extend(kind.problems(at, target));
    if let Some(supported) = kind.supported_types() {
        for rt in &target.resource_types {
            if !supported.contains(&rt.as_str()) {
                out.push(format!(
                    "{at}.resource_types: `{rt}` is not supported; supported: {}",
                    supported.join(", ")
                ));
            }
        }
    }
    if kind.reads_terraform() {
        out.extend(terraform::problems(at, target, base_dir));
    }
    out
}

/// Reads a target's expected side: its provider's own definitions, or Terraform's code and
/// state.
/// The target's `plans`, local or remote (see `terraform::read_plans`).
pub async fn read_plans(
    target: &TargetConfig,
    base_dir: &Path,
) -> Result<Vec<driftd_iac::plan::Plan>> {
    terraform::read_plans(target, base_dir, KINDS).await
}

pub async fn load_expected(target: &TargetConfig, base_dir: &Path) -> Result<Expected> {
    let kind = kind(target)?;
    if kind.reads_terraform() {
        terraform::load_expected(target, base_dir, kind, KINDS).await
    } else {
        kind.load_definitions(target, base_dir).await
    }
}
