//! A Terraform target's definitions: where its state comes from (local files, the S3 or HTTP
//! backend, or the `backend` block of its code), and its code read as intents for the three-way
//! classification.
//!
//! State sources, in order: the target's `states` (files, directories, globs); its
//! `[target.backend]`; the `backend` block of the code in `code`; and, for code with no backend
//! block, the local backend's files next to the code.

use crate::secret::SecretRef;
use anyhow::{Context, Result};
use driftd_core::threeway::{CodeSide, Intent, Unevaluated};
use driftd_core::Resource;
use driftd_iac::hcl::{CodeModule, LoadOptions};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[target.backend]`: a remote state backend, configured like Terraform's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum BackendConfig {
    S3(S3Backend),
    Http(HttpBackend),
    Gcs(GcsBackend),
}

/// Terraform's `gcs` backend: `PREFIX/WORKSPACE.tfstate` in a bucket. Credentials and the
/// storage endpoint come from the target's `[target.gcp]` settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GcsBackend {
    pub bucket: String,
    #[serde(default)]
    pub prefix: String,
}

/// Terraform's `s3` backend. Credentials come from the target's `[target.aws]` settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Backend {
    pub bucket: String,
    pub key: String,
    /// The bucket's region; the target's first region when absent.
    pub region: Option<String>,
    /// `env:` when absent, as in Terraform.
    pub workspace_key_prefix: Option<String>,
    /// An S3 endpoint (an emulator); the target's `aws.endpoint_url` when absent.
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

fn default_http_timeout() -> u64 {
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
    S3 {
        state: driftd_aws::state_backend::S3State,
        region: Option<String>,
        endpoint_url: Option<String>,
    },
    Http(HttpBackend),
    Gcs(driftd_gcp::storage::GcsStateLocation),
    /// No state anywhere: code only, matched to live resources by identity.
    None,
}

/// The code of a target, read.
pub struct Code {
    /// The root module's directory, resolved.
    pub dir: PathBuf,
    pub module: CodeModule,
    pub side: CodeSide,
}

/// Reads the target's code (`code = "dir"`), with its `var_files` and `workspace`.
pub fn load_code(target: &crate::config::TargetConfig, base_dir: &Path) -> Result<Option<Code>> {
    let Some(dir) = &target.code else {
        return Ok(None);
    };
    let dir = base_dir.join(dir);
    let opts = LoadOptions {
        limits: target.limits.limits(),
        // Relative to the config; the loader would take a relative path as relative to the
        // module directory, so make it absolute.
        var_files: target
            .var_files
            .iter()
            .map(|f| {
                let p = base_dir.join(f);
                match std::env::current_dir() {
                    Ok(cwd) if p.is_relative() => cwd.join(p),
                    _ => p,
                }
            })
            .collect(),
        vars: Vec::new(),
        env: std::env::vars()
            .filter(|(k, _)| k.starts_with("TF_VAR_"))
            .collect(),
        workspace: target.workspace.clone().unwrap_or_default(),
    };
    let module = driftd_iac::hcl::load_module(&dir, &opts)
        .with_context(|| format!("target `{}`: cannot read the Terraform code", target.name))?;
    for w in &module.warnings {
        tracing::warn!(target = %target.name, "{w}");
    }
    let side = code_side(&module);
    Ok(Some(Code { dir, module, side }))
}

/// The code's resources as the analyzer's intents.
pub fn code_side(module: &CodeModule) -> CodeSide {
    let intents = module
        .resources
        .iter()
        .map(|r| Intent {
            address: r.address.clone(),
            provider: r.provider.clone(),
            resource_type: r.resource_type.clone(),
            region: r.region.clone(),
            attrs: r.known_attrs(),
            unknown: r
                .attributes
                .iter()
                .filter_map(|(k, v)| match v {
                    driftd_iac::hcl::Attr::Unknown { reason } => Some((k.clone(), reason.clone())),
                    driftd_iac::hcl::Attr::Known(_) => None,
                })
                .collect(),
            ignore_changes: r.ignore_changes.clone(),
            source: format!("{}:{}", r.source.file, r.source.line),
        })
        .collect();
    CodeSide {
        intents,
        unread: module
            .unread
            .iter()
            .map(|u| Unevaluated {
                address: u.address.clone(),
                resource_type: u.resource_type.clone(),
                reason: u.reason.clone(),
                source: format!("{}:{}", u.source.file, u.source.line),
            })
            .collect(),
    }
}

/// Where the target's state is: configured, or found in its code.
pub fn state_source(
    target: &crate::config::TargetConfig,
    code: Option<&Code>,
) -> Result<StateSource> {
    if !target.states.is_empty() {
        return Ok(StateSource::Files(target.states.clone()));
    }
    if let Some(b) = &target.backend {
        return Ok(match b {
            BackendConfig::S3(s3) => StateSource::S3 {
                state: driftd_aws::state_backend::S3State {
                    bucket: s3.bucket.clone(),
                    key: s3.key.clone(),
                    workspace: target.workspace.clone(),
                    workspace_key_prefix: s3.workspace_key_prefix.clone(),
                },
                region: s3.region.clone(),
                endpoint_url: s3.endpoint_url.clone(),
            },
            BackendConfig::Http(h) => StateSource::Http(h.clone()),
            BackendConfig::Gcs(g) => StateSource::Gcs(gcs_location(
                g.bucket.clone(),
                g.prefix.clone(),
                target.workspace.as_deref(),
            )),
        });
    }
    let Some(code) = code else {
        return Ok(StateSource::None);
    };
    discover(target, &code.module, &code.dir)
}

/// The state source named by the code's `backend` block.
fn discover(
    target: &crate::config::TargetConfig,
    module: &CodeModule,
    dir: &Path,
) -> Result<StateSource> {
    let workspace = target.workspace.clone().filter(|w| w != "default");
    let text = |settings: &BTreeMap<String, Value>, k: &str| {
        settings.get(k).and_then(Value::as_str).map(str::to_string)
    };
    let Some(backend) = &module.backend else {
        // The local backend: terraform.tfstate, or terraform.tfstate.d/WS/ for a workspace.
        let path = match &workspace {
            Some(ws) => dir
                .join("terraform.tfstate.d")
                .join(ws)
                .join("terraform.tfstate"),
            None => dir.join("terraform.tfstate"),
        };
        return Ok(if path.is_file() {
            StateSource::Files(vec![path.display().to_string()])
        } else {
            StateSource::None
        });
    };
    let at = format!("{}:{}", backend.source.file, backend.source.line);
    let s = &backend.settings;
    match backend.backend_type.as_str() {
        "s3" => {
            let (Some(bucket), Some(key)) = (text(s, "bucket"), text(s, "key")) else {
                anyhow::bail!(
                    "target `{}`: {at}: the s3 backend needs `bucket` and `key` (partial \
                     backend configuration is not read: set [target.backend] instead)",
                    target.name
                );
            };
            let endpoint = text(s, "endpoint").or_else(|| {
                s.get("endpoints")
                    .and_then(|e| e.get("s3"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            Ok(StateSource::S3 {
                state: driftd_aws::state_backend::S3State {
                    bucket,
                    key,
                    workspace,
                    workspace_key_prefix: text(s, "workspace_key_prefix"),
                },
                region: text(s, "region"),
                endpoint_url: endpoint,
            })
        }
        "http" => {
            let Some(address) = text(s, "address") else {
                anyhow::bail!(
                    "target `{}`: {at}: the http backend has no `address` in the code; set \
                     [target.backend] with type = \"http\"",
                    target.name
                );
            };
            // Terraform takes the password from TF_HTTP_PASSWORD; so does driftd.
            let password = std::env::var("TF_HTTP_PASSWORD")
                .ok()
                .and_then(|_| SecretRef::try_from("env:TF_HTTP_PASSWORD".to_string()).ok());
            Ok(StateSource::Http(HttpBackend {
                address,
                username: text(s, "username").or_else(|| std::env::var("TF_HTTP_USERNAME").ok()),
                password,
                headers: BTreeMap::new(),
                timeout_secs: default_http_timeout(),
            }))
        }
        "gcs" => {
            let Some(bucket) = text(s, "bucket") else {
                anyhow::bail!(
                    "target `{}`: {at}: the gcs backend needs `bucket`; set [target.backend] \
                     with type = \"gcs\" instead",
                    target.name
                );
            };
            Ok(StateSource::Gcs(gcs_location(
                bucket,
                text(s, "prefix").unwrap_or_default(),
                workspace.as_deref(),
            )))
        }
        "local" => {
            let path = text(s, "path").unwrap_or_else(|| "terraform.tfstate".into());
            Ok(StateSource::Files(vec![dir
                .join(path)
                .display()
                .to_string()]))
        }
        other => anyhow::bail!(
            "target `{}`: {at}: the `{other}` backend is not read by driftd; set `states` (a \
             copy of the state, e.g. from `terraform state pull`) or [target.backend]",
            target.name
        ),
    }
}

/// Reads the state the source names into resources. `None` when there is no state.
pub async fn read_state(
    target: &crate::config::TargetConfig,
    source: &StateSource,
    base_dir: &Path,
) -> Result<Option<Vec<Resource>>> {
    let name = &target.name;
    match source {
        StateSource::None => Ok(None),
        StateSource::Files(locations) => {
            let locations = locations.clone();
            let base = base_dir.to_path_buf();
            let states =
                tokio::task::spawn_blocking(move || driftd_iac::read_states(&locations, &base))
                    .await
                    .context("state reader task failed")?
                    .with_context(|| format!("target `{name}`: cannot read Terraform state"))?;
            Ok(Some(states.into_iter().flat_map(|s| s.resources).collect()))
        }
        StateSource::S3 {
            state,
            region,
            endpoint_url,
        } => {
            let mut regions = target.regions.clone();
            if let Some(r) = region {
                regions.insert(0, r.clone());
            }
            if regions.is_empty() {
                regions.push("us-east-1".into());
            }
            let mut settings = target.aws.settings(regions);
            if endpoint_url.is_some() {
                settings.endpoint_url = endpoint_url.clone();
            }
            let bytes = driftd_aws::state_backend::fetch_s3_state(&settings, state)
                .await
                .map_err(|e| anyhow::anyhow!("target `{name}`: state backend: {e}"))?;
            parse(name, &bytes, &state.url())
        }
        StateSource::Gcs(location) => {
            let settings = target.gcp.settings(target.gcp.projects.clone());
            let bytes = driftd_gcp::storage::fetch_gcs_state(location, &settings)
                .await
                .map_err(|e| anyhow::anyhow!("target `{name}`: state backend: {e}"))?;
            let url = format!("gs://{}/{}", location.bucket, location.object());
            parse(name, &bytes, &url)
        }
        StateSource::Http(h) => {
            let bytes = fetch_http(h)
                .await
                .map_err(|e| anyhow::anyhow!("target `{name}`: state backend: {e}"))?;
            parse(name, &bytes, &display_address(&h.address))
        }
    }
}

fn parse(target: &str, bytes: &[u8], source: &str) -> Result<Option<Vec<Resource>>> {
    let state = driftd_iac::parse_state(bytes, source)
        .with_context(|| format!("target `{target}`: cannot read Terraform state"))?;
    Ok(Some(state.resources))
}

fn gcs_location(
    bucket: String,
    prefix: String,
    workspace: Option<&str>,
) -> driftd_gcp::storage::GcsStateLocation {
    driftd_gcp::storage::GcsStateLocation {
        bucket,
        prefix,
        workspace: workspace.unwrap_or("default").to_string(),
    }
}

/// The address without its query string and user info, which may hold credentials.
fn display_address(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut u) => {
            u.set_query(None);
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => "(the configured address)".into(),
    }
}

/// GET of the state, as Terraform's http backend does it.
async fn fetch_http(h: &HttpBackend) -> Result<Vec<u8>, String> {
    let shown = display_address(&h.address);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(h.timeout_secs))
        .build()
        .map_err(|e| format!("{shown}: {e}"))?;
    let mut req = client.get(&h.address);
    if let Some(user) = &h.username {
        let password = match &h.password {
            Some(p) => Some(p.load().map_err(|e| format!("{shown}: password: {e}"))?),
            None => None,
        };
        req = req.basic_auth(user, password.as_ref().map(|p| p.expose().to_string()));
    }
    for (name, value) in &h.headers {
        let value = value
            .load()
            .map_err(|e| format!("{shown}: header `{name}`: {e}"))?;
        req = req.header(name.as_str(), value.expose());
    }
    let answer = req
        .send()
        .await
        .map_err(|e| format!("{shown}: cannot connect: {}", without_url(&e)))?;
    let status = answer.status();
    match status.as_u16() {
        200 => answer
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| format!("{shown}: reading the answer failed: {}", without_url(&e))),
        204 | 404 => Err(format!(
            "{shown}: no state at this address (HTTP {status}); check the address and workspace"
        )),
        401 | 403 => {
            let names: Vec<&str> = h.headers.keys().map(String::as_str).collect();
            Err(format!(
                "{shown}: HTTP {status}: the server refused the credentials (username {}, \
                 headers [{}]); check the token and its scope (GitLab: api or read_api)",
                h.username.as_deref().unwrap_or("none"),
                names.join(", ")
            ))
        }
        _ => Err(format!("{shown}: HTTP {status}")),
    }
}

/// reqwest's error text without the URL it includes (which may carry credentials).
fn without_url(e: &reqwest::Error) -> String {
    let text = e.to_string();
    text.split(" for url (").next().unwrap_or(&text).to_string()
}
