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
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The Google Cloud provider as targets use it.
pub struct Gcp;

const SECTION: &str = "gcp";

/// How a target reaches Google Cloud. Credentials always come from Application Default
/// Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's file, the metadata server and
/// workload identity) unless `credentials_file` names a key file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcpConfig {
    /// Project ids to scan. Empty: the projects the state's `google_*` resources are in.
    #[serde(default)]
    pub projects: Vec<String>,
    /// Zones of zonal types (instances, disks). Empty: every zone of each project.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Regions of regional types (subnetworks). Empty: the regions of `zones`, or every region
    /// when `zones` is empty too.
    #[serde(default)]
    pub regions: Vec<String>,
    /// A service-account key (or any ADC JSON file), relative to the config file.
    pub credentials_file: Option<PathBuf>,
    /// A service account to impersonate (`roles/iam.serviceAccountTokenCreator` on it needed).
    pub impersonate_service_account: Option<String>,
    /// An alternative Compute Engine endpoint, such as an emulator (`http://127.0.0.1:8400`).
    pub compute_endpoint: Option<String>,
    /// An alternative Cloud Storage endpoint, such as an emulator.
    pub storage_endpoint: Option<String>,
    /// Send no credentials. Default: true when an endpoint is overridden and neither
    /// `credentials_file` nor `impersonate_service_account` is set (emulators need none).
    pub anonymous: Option<bool>,
    /// Attempts per API call, the first included.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Deadline of one API call, retries included.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_max_attempts() -> u32 {
    5
}

fn default_timeout() -> u64 {
    60
}

impl Default for GcpConfig {
    fn default() -> Self {
        GcpConfig {
            projects: Vec::new(),
            zones: Vec::new(),
            regions: Vec::new(),
            credentials_file: None,
            impersonate_service_account: None,
            compute_endpoint: None,
            storage_endpoint: None,
            anonymous: None,
            max_attempts: default_max_attempts(),
            timeout_secs: default_timeout(),
        }
    }
}

impl GcpConfig {
    /// The provider settings, for the given projects.
    pub fn settings(&self, projects: Vec<String>) -> GcpSettings {
        let endpoint_set = self.compute_endpoint.is_some() || self.storage_endpoint.is_some();
        let own_credentials =
            self.credentials_file.is_some() || self.impersonate_service_account.is_some();
        GcpSettings {
            projects,
            zones: self.zones.clone(),
            regions: self.regions.clone(),
            credentials_file: self.credentials_file.clone(),
            impersonate_service_account: self.impersonate_service_account.clone(),
            compute_endpoint: self.compute_endpoint.clone(),
            storage_endpoint: self.storage_endpoint.clone(),
            anonymous: self.anonymous.unwrap_or(endpoint_set && !own_credentials),
            max_attempts: self.max_attempts,
            operation_timeout: Duration::from_secs(self.timeout_secs),
            ..GcpSettings::default()
        }
    }

    /// What is wrong with a Google Cloud target, each problem prefixed with `at`.
    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String> {
        let mut out = Vec::new();
        if !target.regions.is_empty() {
            out.push(format!(
                "{at}.regions: a Google Cloud target lists its zones and regions in \
                 [target.gcp] (`zones`, `regions`)"
            ));
        }
        for p in &self.projects {
            if p.is_empty() || p.contains(['/', ' ']) {
                out.push(format!("{at}.gcp.projects: `{p}` is not a project id"));
            }
        }
        for z in &self.zones {
            if driftd_gcp::scope::zone_region(z).is_none() || z.contains('/') {
                out.push(format!(
                    "{at}.gcp.zones: `{z}` is not a zone name (like europe-west1-b)"
                ));
            }
        }
        for r in &self.regions {
            if r.is_empty() || r.contains('/') || driftd_gcp::scope::zone_region(r).is_some() {
                out.push(format!(
                    "{at}.gcp.regions: `{r}` is not a region name (like europe-west1)"
                ));
            }
        }
        for (key, url) in [
            ("compute_endpoint", &self.compute_endpoint),
            ("storage_endpoint", &self.storage_endpoint),
        ] {
            out.extend(
                url.as_deref()
                    .and_then(|url| check_url(&format!("{at}.gcp"), key, url)),
            );
        }
        if let Some(path) = &self.credentials_file {
            if !path.is_file() {
                out.push(format!(
                    "{at}.gcp.credentials_file: `{}` is not a file",
                    path.display()
                ));
            }
        }
        if let Some(sa) = &self.impersonate_service_account {
            if !sa.contains('@') {
                out.push(format!(
                    "{at}.gcp.impersonate_service_account: `{sa}` is not a service account \
                     email (NAME@PROJECT.iam.gserviceaccount.com)"
                ));
            }
        }
        if self.max_attempts == 0 {
            out.push(format!("{at}.gcp.max_attempts: must be at least 1"));
        }
        if self.timeout_secs == 0 {
            out.push(format!("{at}.gcp.timeout_secs: must be at least 1"));
        }
        out
    }
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
        check_as::<GcpConfig>
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
        match target.section::<GcpConfig>(SECTION) {
            Ok(gcp) => gcp.problems(at, target),
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
        let gcp = target.section::<GcpConfig>(SECTION)?;
        let projects = projects(target, &gcp, expected)?;
        tracing::info!(
            target = %target.name,
            projects = ?projects,
            zones = ?gcp.zones,
            expected = expected.resources.len(),
            "scanning"
        );
        Ok(Box::new(GcpProvider::new(gcp.settings(projects))))
    }

    fn state_backends(&self) -> &'static [&'static str] {
        &["gcs"]
    }

    async fn read_remote_state(
        &self,
        target: &TargetConfig,
        state: &RemoteState,
    ) -> Result<(Vec<u8>, String)> {
        let gcp = target.section::<GcpConfig>(SECTION)?;
        let location = driftd_gcp::storage::GcsStateLocation {
            bucket: state.bucket.clone(),
            prefix: state.key.clone(),
            workspace: state.workspace.clone().unwrap_or_else(|| "default".into()),
        };
        let bytes =
            driftd_gcp::storage::fetch_gcs_state(&location, &gcp.settings(gcp.projects.clone()))
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
fn scope_code(gcp: &GcpConfig, code: &mut CodeSide) {
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
fn projects(target: &TargetConfig, gcp: &GcpConfig, expected: &Expected) -> Result<Vec<String>> {
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

    #[test]
    fn emulator_endpoints_mean_no_credentials_unless_some_are_configured() {
        let mut c = GcpConfig {
            compute_endpoint: Some("http://127.0.0.1:8400".into()),
            ..GcpConfig::default()
        };
        assert!(c.settings(vec!["p".into()]).anonymous);
        c.impersonate_service_account = Some("d@p.iam.gserviceaccount.com".into());
        assert!(!c.settings(vec!["p".into()]).anonymous);
        assert!(!GcpConfig::default().settings(vec![]).anonymous);
    }
}
