//! A Terraform target's definitions: where its state comes from (local files, the S3 or HTTP
//! backend, or the `backend` block of its code), and its code read as intents for the three-way
//! classification.
//!
//! State sources, in order: the target's `states` (files, directories, globs); its
//! `[target.backend]`; the `backend` block of the code in `code`; and, for code with no backend
//! block, the local backend's files next to the code.

use super::backend::{BackendConfig, HttpBackend, RemoteState, StateSource};
use super::{Expected, ProviderKind, TargetConfig};
use crate::secret::SecretRef;
use anyhow::{Context, Result};
use driftd_core::threeway::{CodeSide, Intent, Unevaluated};
use driftd_core::Resource;
use driftd_iac::hcl::{CodeModule, LoadOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Reads a target's Terraform code and state: the code first (its `backend` block may say where
/// the state is), scoped by the target's provider `kind`.
pub async fn load_expected(
    target: &TargetConfig,
    base_dir: &Path,
    kind: &dyn ProviderKind,
    kinds: &[&'static dyn ProviderKind],
) -> Result<Expected> {
    let t = target.clone();
    let base = base_dir.to_path_buf();
    let mut code = tokio::task::spawn_blocking(move || load_code(&t, &base))
        .await
        .context("code reader task failed")??;
    if let Some(code) = code.as_mut() {
        kind.scope_code(target, &mut code.side);
    }
    let source = state_source(target, code.as_ref())?;
    let state = read_state(target, &source, base_dir, kinds).await?;
    if state.is_none() && code.is_none() {
        anyhow::bail!(
            "target `{}`: no Terraform state found; set `states`, `backend` or `code`",
            target.name
        );
    }
    Ok(Expected {
        has_state: state.is_some(),
        resources: state.unwrap_or_default(),
        code: code.map(|c| c.side),
    })
}

/// The code of a target, read.
pub struct Code {
    /// The root module's directory, resolved.
    pub dir: PathBuf,
    pub module: CodeModule,
    pub side: CodeSide,
}

/// Reads the target's code (`code = "dir"`), with its `var_files` and `workspace`.
pub fn load_code(target: &TargetConfig, base_dir: &Path) -> Result<Option<Code>> {
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
pub fn state_source(target: &TargetConfig, code: Option<&Code>) -> Result<StateSource> {
    if !target.states.is_empty() {
        return Ok(StateSource::Files(target.states.clone()));
    }
    if let Some(b) = &target.backend {
        return Ok(match b {
            BackendConfig::S3(s3) => StateSource::Remote(RemoteState {
                backend: "s3",
                bucket: s3.bucket.clone(),
                key: s3.key.clone(),
                region: s3.region.clone(),
                workspace_key_prefix: s3.workspace_key_prefix.clone(),
                endpoint_url: s3.endpoint_url.clone(),
                workspace: target.workspace.clone(),
            }),
            BackendConfig::Http(h) => StateSource::Http(h.clone()),
            BackendConfig::Gcs(g) => StateSource::Remote(gcs_state(
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
fn discover(target: &TargetConfig, module: &CodeModule, dir: &Path) -> Result<StateSource> {
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
            Ok(StateSource::Remote(RemoteState {
                backend: "s3",
                bucket,
                key,
                region: text(s, "region"),
                workspace_key_prefix: text(s, "workspace_key_prefix"),
                endpoint_url: endpoint,
                workspace,
            }))
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
                timeout_secs: super::backend::default_http_timeout(),
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
            Ok(StateSource::Remote(gcs_state(
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

/// Reads a target's `plans`: local files and globs, and `s3://BUCKET/KEY`, `gs://BUCKET/OBJECT`
/// and `http(s)://` addresses, each object read with the credentials and endpoint of the
/// provider whose storage it is (as a state backend's state is).
pub async fn read_plans(
    target: &TargetConfig,
    base_dir: &Path,
    kinds: &[&'static dyn ProviderKind],
) -> Result<Vec<driftd_iac::plan::Plan>> {
    let name = &target.name;
    let (remote, local): (Vec<&String>, Vec<&String>) =
        target.plans.iter().partition(|l| remote_plan(l).is_some());
    let mut plans = Vec::new();
    if !local.is_empty() {
        let locations: Vec<String> = local.into_iter().cloned().collect();
        let base = base_dir.to_path_buf();
        plans =
            tokio::task::spawn_blocking(move || driftd_iac::plan::read_plans(&locations, &base))
                .await
                .context("plan reader task failed")?
                .map_err(|e| anyhow::anyhow!("target `{name}`: {e}"))?;
    }
    for location in remote {
        let (bytes, shown) = match remote_plan(location) {
            Some(PlanSource::Object(state)) => {
                let kind = kinds
                    .iter()
                    .find(|k| k.state_backends().contains(&state.backend))
                    .with_context(|| format!("target `{name}`: no provider reads `{location}`"))?;
                kind.read_remote_state(target, &state).await?
            }
            Some(PlanSource::Http(h)) => {
                let bytes = fetch_http(&h)
                    .await
                    .map_err(|e| anyhow::anyhow!("target `{name}`: plan: {e}"))?;
                (bytes, display_address(&h.address))
            }
            None => unreachable!("partitioned by remote_plan"),
        };
        let limit = driftd_iac::plan::MAX_PLAN_BYTES;
        if bytes.len() as u64 > limit {
            anyhow::bail!("target `{name}`: {shown}: the plan is larger than {limit} bytes");
        }
        plans.push(
            driftd_iac::plan::parse_plan(&bytes, &shown)
                .map_err(|e| anyhow::anyhow!("target `{name}`: {e}"))?,
        );
    }
    Ok(plans)
}

/// Where a remote plan is.
enum PlanSource {
    Object(RemoteState),
    Http(HttpBackend),
}

/// A `plans` entry that names an object in a bucket or a web address; `None` for a path.
fn remote_plan(location: &str) -> Option<PlanSource> {
    let object = |backend: &'static str, rest: &str| {
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        PlanSource::Object(RemoteState {
            backend,
            bucket: bucket.to_string(),
            key: key.to_string(),
            region: None,
            workspace_key_prefix: None,
            endpoint_url: None,
            workspace: None,
        })
    };
    if let Some(rest) = location.strip_prefix("s3://") {
        Some(object("s3", rest))
    } else if let Some(rest) = location.strip_prefix("gs://") {
        Some(object("gcs", rest))
    } else if location.starts_with("https://") || location.starts_with("http://") {
        Some(PlanSource::Http(HttpBackend {
            address: location.to_string(),
            username: None,
            password: None,
            headers: BTreeMap::new(),
            timeout_secs: super::backend::default_http_timeout(),
        }))
    } else {
        None
    }
}

/// Reads the state the source names into resources. `None` when there is no state.
/// A state kept in a cloud's storage is read by the provider of `kinds` whose storage it is.
pub async fn read_state(
    target: &TargetConfig,
    source: &StateSource,
    base_dir: &Path,
    kinds: &[&'static dyn ProviderKind],
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
        StateSource::Remote(state) => {
            let kind = kinds
                .iter()
                .find(|k| k.state_backends().contains(&state.backend))
                .with_context(|| {
                    format!(
                        "target `{name}`: no provider reads the `{}` backend",
                        state.backend
                    )
                })?;
            let (bytes, url) = kind.read_remote_state(target, state).await?;
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

/// Terraform's `gcs` backend keeps each workspace's state at `PREFIX/WORKSPACE.tfstate`.
fn gcs_state(bucket: String, prefix: String, workspace: Option<&str>) -> RemoteState {
    RemoteState {
        backend: "gcs",
        bucket,
        key: prefix,
        region: None,
        workspace_key_prefix: None,
        endpoint_url: None,
        workspace: Some(workspace.unwrap_or("default").to_string()),
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
            "{shown}: nothing at this address (HTTP {status}); check the address (and, for a state, the workspace)"
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

/// What is wrong with a `[target.runner]`: the command, the directory and the files it names.
fn runner_problems(at: &str, r: &super::config::RunnerConfig, base_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let found = if r.command.contains('/') {
        base_dir.join(&r.command).is_file()
    } else {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(&r.command).is_file()))
    };
    if !found {
        out.push(format!(
            "{at}.command: `{}` is not {}; install it, or write its path",
            r.command,
            if r.command.contains('/') {
                format!("a file (resolved from {})", base_dir.display())
            } else {
                "on PATH".to_string()
            }
        ));
    }
    if !base_dir.join(&r.working_dir).is_dir() {
        out.push(format!(
            "{at}.working_dir: `{}` is not a directory (resolved from {})",
            r.working_dir,
            base_dir.display()
        ));
    }
    for f in &r.var_files {
        if !base_dir.join(f).is_file() {
            out.push(format!(
                "{at}.var_files: `{f}` does not exist (resolved from {})",
                base_dir.display()
            ));
        }
    }
    if let Err(e) = r.environment(base_dir) {
        out.push(format!("{at}.{e}"));
    }
    if r.timeout_secs == 0 {
        out.push(format!("{at}.timeout_secs: must be at least 1"));
    }
    out
}

/// What is wrong with the Terraform keys of a target, each problem prefixed with `at`: where
/// its state and code are. Only local files are looked at.
pub fn problems(at: &str, target: &TargetConfig, base_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if target.states.is_empty()
        && target.backend.is_none()
        && target.code.is_none()
        && !target.has_plans()
    {
        out.push(format!(
            "{at}.states: list at least one Terraform state file, directory or glob, or set \
             `backend`, `code`, `plans` or `[target.runner]`"
        ));
    }
    for t in &target.plan_types {
        if !target.has_plans() {
            out.push(format!(
                "{at}.plan_types: `{t}` is given to the plan engine but the target has no `plans` \
                 and no `[target.runner]`"
            ));
            break;
        }
    }
    if let Some(r) = &target.runner {
        out.extend(runner_problems(&format!("{at}.runner"), r, base_dir));
    }
    if !target.states.is_empty() && target.backend.is_some() {
        out.push(format!(
            "{at}.backend: set either `states` or `backend`, not both"
        ));
    }
    if let Some(code) = &target.code {
        if !base_dir.join(code).is_dir() {
            out.push(format!(
                "{at}.code: `{code}` is not a directory (resolved from {})",
                base_dir.display()
            ));
        }
    }
    for f in &target.var_files {
        if !base_dir.join(f).is_file() {
            out.push(format!(
                "{at}.var_files: `{f}` does not exist (resolved from {})",
                base_dir.display()
            ));
        }
    }
    for loc in &target.states {
        if let Err(e) = check_location(base_dir, loc) {
            out.push(format!("{at}.states: {e}"));
        }
    }
    out
}

/// A state location must match something now; a glob that matches nothing is a typo more often
/// than not.
fn check_location(base: &Path, loc: &str) -> Result<(), String> {
    let full = base.join(loc);
    let pattern = full.to_string_lossy();
    if full.exists() {
        return Ok(());
    }
    if pattern.contains(['*', '?', '[']) {
        let mut matches =
            glob::glob(&pattern).map_err(|e| format!("`{loc}`: invalid glob: {e}"))?;
        if matches.next().is_some() {
            return Ok(());
        }
        return Err(format!(
            "`{loc}` matches no file (resolved from {})",
            base.display()
        ));
    }
    Err(format!(
        "`{loc}` does not exist (resolved from {})",
        base.display()
    ))
}
