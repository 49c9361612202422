//! `[target.backend]` and the state sources it resolves to: where a Terraform state is kept.
//! The types follow Terraform's backends; a state in a cloud's storage is read by the provider
//! whose storage it is (see `ProviderKind::read_remote_state`).

use crate::secret::SecretRef;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[target.backend]`: a remote state backend, configured like Terraform's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum BackendConfig {
    S3(S3Backend),
    Http(HttpBackend),
    Gcs(GcsBackend),
}

/// Terraform's `gcs` backend: `PREFIX/WORKSPACE.tfstate` in a bucket. Credentials and the
/// storage endpoint come from the settings of the provider that reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcsBackend {
    pub bucket: String,
    #[serde(default)]
    pub prefix: String,
}

/// Terraform's `s3` backend. Credentials come from the settings of the provider that reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Backend {
    pub bucket: String,
    pub key: String,
    /// The bucket's region; the target's first region when absent.
    pub region: Option<String>,
    /// `env:` when absent, as in Terraform.
    pub workspace_key_prefix: Option<String>,
    /// An S3 endpoint (an emulator); the provider settings' endpoint when absent.
    pub endpoint_url: Option<String>,
}

/// Terraform's `http` backend (GitLab-managed state and others): a GET of `address`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpBackend {
    pub address: String,
    /// Basic authentication, as the backend's `username` / `password` (GitLab: a user name and
    /// an access token).
    pub username: Option<String>,
    pub password: Option<SecretRef>,
    /// Extra request headers (`PRIVATE-TOKEN = "env:GITLAB_TOKEN"`), values as secrets.
    #[serde(default)]
    pub headers: BTreeMap<String, SecretRef>,
    #[serde(default = "default_http_timeout")]
    pub timeout_secs: u64,
}

pub fn default_http_timeout() -> u64 {
    30
}

impl BackendConfig {
    pub fn secrets_mut(&mut self) -> Vec<&mut SecretRef> {
        match self {
            BackendConfig::S3(_) | BackendConfig::Gcs(_) => Vec::new(),
            BackendConfig::Http(h) => h
                .password
                .iter_mut()
                .chain(h.headers.values_mut())
                .collect(),
        }
    }
}

/// Where one scan reads state from, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum StateSource {
    Files(Vec<String>),
    /// A state in a cloud's object storage.
    Remote(RemoteState),
    Http(HttpBackend),
    /// No state anywhere: code only, matched to live resources by identity.
    None,
}

/// A state in a cloud's object storage, as Terraform's backend of that storage finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteState {
    /// The backend type, as Terraform names it (`s3`, `gcs`).
    pub backend: &'static str,
    pub bucket: String,
    /// The object key (`s3`) or the prefix of the workspaces' objects (`gcs`).
    pub key: String,
    /// The bucket's region, when the backend names one.
    pub region: Option<String>,
    /// The prefix of non-default workspaces' keys (`s3`: `env:` when absent).
    pub workspace_key_prefix: Option<String>,
    /// An alternative storage endpoint (an emulator).
    pub endpoint_url: Option<String>,
    /// The workspace whose state is read; `None` for the default one.
    pub workspace: Option<String>,
}
