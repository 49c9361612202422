//! Google Cloud targets: `[target.gcp]` (which projects, zones and regions to list and how to
//! reach Google Cloud), its validation, the provider built from it, the scope of the code's
//! resources, and states kept in Cloud Storage.
//!
//! A target is a Google Cloud one when its `provider` is `google` (the name Terraform state
//! uses) or `gcp`.

use super::backend::RemoteState;
use super::config::check_as;
use super::{check_url, Expected, ProviderKind, TargetConfig};
use anyhow::Result;
use async_trait::async_trait;
use driftd_core::threeway::CodeSide;
use driftd_core::{Provider, TypeSpec};
use driftd_gcp::{GcpProvider, GcpSettings};
use std::collections::BTreeSet;
use std::path::Path;

/// The Google Cloud provider as targets use it.
pub struct Gcp;

const SECTION: &str = "gcp";

/// What is wrong with a Google Cloud target, each problem prefixed with `at`.
fn problems(s: &GcpSettings, at: &str, target: &TargetConfig) -> Vec<String> {
    let mut out = Vec::new();
    if !target.regions.is_empty() {
        out.push(format!(
            "{at}.regions: a Google Cloud target lists its zones and regions in \
                 [target.gcp] (`zones`, `regions`)"
        ));
    }
    for p in &s.projects {
        if p.is_empty() || p.contains(['/', ' ']) {
            out.push(format!("{at}.gcp.projects: `{p}` is not a project id"));
        }
    }
    for z in &s.zones {
        if driftd_gcp::scope::zone_region(z).is_none() || z.contains('/') {
            out.push(format!(
                "{at}.gcp.zones: `{z}` is not a zone name (like europe-west1-b)"
            ));
        }
    }
    for r in &s.regions {
        if r.is_empty() || r.contains('/') || driftd_gcp::scope::zone_region(r).is_some() {
            out.push(format!(
                "{at}.gcp.regions: `{r}` is not a region name (like europe-west1)"
            ));
        }
    }
    for (key, url) in [
        ("compute_endpoint", &s.compute_endpoint),
        ("storage_endpoint", &s.storage_endpoint),
        ("api_endpoint", &s.api_endpoint),
    ] {
        out.extend(
            url.as_deref()
                .and_then(|url| check_url(&format!("{at}.gcp"), key, url)),
        );
    }
    for (api, url) in &s.api_endpoints {
        if !driftd_gcp::rest::SERVICES.contains(&api.as_str()) {
            out.push(format!(
                "{at}.gcp.api_endpoints: `{api}` is not an API driftd calls (one of: {})",
                driftd_gcp::rest::SERVICES.join(", ")
            ));
        }
        out.extend(check_url(&format!("{at}.gcp.api_endpoints"), api, url));
    }
    if let Some(path) = &s.credentials_file {
        if !path.is_file() {
            out.push(format!(
                "{at}.gcp.credentials_file: `{}` is not a file",
                path.display()
            ));
        }
    }
    if let Some(sa) = &s.impersonate_service_account {
        if !sa.contains('@') {
            out.push(format!(
                "{at}.gcp.impersonate_service_account: `{sa}` is not a service account \
                     email (NAME@PROJECT.iam.gserviceaccount.com)"
            ));
        }
    }
    if s.max_attempts == 0 {
        out.push(format!("{at}.gcp.max_attempts: must be at least 1"));
    }
    if s.operation_timeout.is_zero() {
        out.push(format!("{at}.gcp.timeout_secs: must be at least 1"));
    }
    out
}

#[async_trait]
impl ProviderKind for Gcp {
    fn names(&self) -> &'static [&'static str] {
        &[driftd_gcp::PROVIDER, SECTION]
    }

    fn section(&self) -> &'static str {
        SECTION
    }

    fn section_check(&self) -> fn(&toml::Value) -> Result<(), String> {
        check_as::<GcpSettings>
    }

    /// The key file is relative to the config file, like states.
    fn resolve_paths(&self, section: &mut toml::Value, base_dir: &Path) {
        if let Some(toml::Value::String(path)) = section.get_mut("credentials_file") {
            if Path::new(path.as_str()).is_relative() {
                *path = base_dir.join(path.as_str()).display().to_string();
            }
        }
    }

    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String> {
        match target.section::<GcpSettings>(SECTION) {
            Ok(gcp) => problems(&gcp, at, target),
            Err(e) => vec![format!("{at}.{SECTION}: {e}")],
        }
    }

    fn supported_types(&self) -> Option<Vec<&'static str>> {
        Some(GcpProvider::supported_types())
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        driftd_gcp::resources::registry()
            .iter()
            .map(|k| k.kind.spec())
            .collect()
    }

    fn scope_code(&self, target: &TargetConfig, code: &mut CodeSide) {
        scope_code(&target.section(SECTION).unwrap_or_default(), code);
    }

    async fn build(&self, target: &TargetConfig, expected: &Expected) -> Result<Box<dyn Provider>> {
        let gcp = target.section::<GcpSettings>(SECTION)?;
        let projects = projects(target, &gcp, expected)?;
        tracing::info!(
            target = %target.name,
            projects = ?projects,
            zones = ?gcp.zones,
            expected = expected.resources.len(),
            "scanning"
        );
        Ok(Box::new(GcpProvider::new(GcpSettings { projects, ..gcp })))
    }

    fn state_backends(&self) -> &'static [&'static str] {
        &["gcs"]
    }

    async fn read_remote_state(
        &self,
        target: &TargetConfig,
        state: &RemoteState,
    ) -> Result<(Vec<u8>, String)> {
        let gcp = target.section::<GcpSettings>(SECTION)?;
        // No workspace: the key is the object itself (a plan at gs://BUCKET/OBJECT).
        if state.workspace.is_none() {
            let bytes = driftd_gcp::storage::fetch_gcs_object(&state.bucket, &state.key, &gcp)
                .await
                .map_err(|e| anyhow::anyhow!("target `{}`: {e}", target.name))?;
            return Ok((bytes, format!("gs://{}/{}", state.bucket, state.key)));
        }
        let location = driftd_gcp::storage::GcsStateLocation {
            bucket: state.bucket.clone(),
            prefix: state.key.clone(),
            workspace: state.workspace.clone().unwrap_or_else(|| "default".into()),
        };
        let bytes = driftd_gcp::storage::fetch_gcs_state(&location, &gcp)
            .await
            .map_err(|e| anyhow::anyhow!("target `{}`: state backend: {e}", target.name))?;
        Ok((
            bytes,
            format!("gs://{}/{}", location.bucket, location.object()),
        ))
    }
}

/// Gives the code's `google_*` resources the scope live resources have (`PROJECT/ZONE`), where
/// their arguments tell (the Terraform provider's `region` is no scope of theirs). A resource
/// without `project` is in the target's project when it has exactly one.
fn scope_code(gcp: &GcpSettings, code: &mut CodeSide) {
    let default_project = match gcp.projects.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    };
    for intent in code
        .intents
        .iter_mut()
        .filter(|i| i.provider == driftd_gcp::PROVIDER)
    {
        intent.region =
            driftd_gcp::code_scope(&intent.resource_type, &intent.attrs, default_project);
    }
}

/// The Google Cloud provider of a target: its projects as configured, or those its state's or
/// code's `google_*` resources are in (their scope is `PROJECT/LOCATION`).
fn projects(target: &TargetConfig, gcp: &GcpSettings, expected: &Expected) -> Result<Vec<String>> {
    Ok(if gcp.projects.is_empty() {
        let code = expected.code.iter().flat_map(|c| &c.intents);
        let found: BTreeSet<String> = expected
            .resources
            .iter()
            .filter(|r| r.key.provider == driftd_gcp::PROVIDER)
            .filter_map(|r| r.region.as_deref())
            .chain(
                code.filter(|i| i.provider == driftd_gcp::PROVIDER)
                    .filter_map(|i| i.region.as_deref()),
            )
            .filter_map(|scope| scope.split_once('/').map(|(p, _)| p.to_string()))
            .collect();
        if found.is_empty() {
            anyhow::bail!(
                "target `{}`: no Google Cloud project is configured and none can be read from \
                 its state or code; set `projects` in [target.gcp]",
                target.name
            );
        }
        found.into_iter().collect()
    } else {
        gcp.projects.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn emulator_endpoints_mean_no_credentials_unless_some_are_configured() {
        let mut c: GcpSettings =
            toml::from_str("compute_endpoint = 'http://127.0.0.1:8400'").unwrap();
        assert!(c.is_anonymous());
        c.impersonate_service_account = Some("d@p.iam.gserviceaccount.com".into());
        assert!(!c.is_anonymous());
        assert!(!GcpSettings::default().is_anonymous());
        let c: GcpSettings = toml::from_str("timeout_secs = 7").unwrap();
        assert_eq!(c.operation_timeout, Duration::from_secs(7));
    }
}
