//! Talking to the cluster with kube-rs: credentials, discovery of the kinds to read, and complete
//! paged listings.
//!
//! A listing is used only once it is complete: every page is read (`limit`/`continue`) before
//! any object is handed on, and a listing whose continue token expired (410 Gone) is started
//! again from the first page rather than stitched together. Anything that fails is a
//! [`ListError`], which makes its scope "not scanned", never "missing".

use driftd_core::{ListError, ProviderError};
use kube::api::{Api, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::{ApiCapabilities, Scope};
use kube::{Client, Config};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// How to reach the cluster.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// A kubeconfig file; when unset, `$KUBECONFIG` or `~/.kube/config`, then the in-cluster
    /// service account.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use instead of its current one.
    pub context: Option<String>,
    /// Use the pod's service account only (running inside the cluster).
    pub in_cluster: bool,
    /// Per-request deadline.
    pub request_timeout: Duration,
}

/// Builds a client from the connection settings.
pub async fn connect(c: &Connection) -> Result<Client, ProviderError> {
    let credentials = |message: String| ProviderError::Credentials {
        provider: crate::PROVIDER.into(),
        message,
    };
    let options = KubeConfigOptions {
        context: c.context.clone(),
        ..Default::default()
    };
    let mut config = if c.in_cluster {
        Config::incluster().map_err(|e| {
            credentials(format!(
                "in-cluster configuration unavailable ({e}); is driftd running in a pod with a \
                 service account?"
            ))
        })?
    } else if let Some(path) = &c.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| credentials(format!("cannot read kubeconfig {}: {e}", path.display())))?;
        Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(|e| {
                credentials(format!(
                    "kubeconfig {}{}: {e}",
                    path.display(),
                    context_note(&c.context)
                ))
            })?
    } else if c.context.is_some() {
        Config::from_kubeconfig(&options).await.map_err(|e| {
            credentials(format!(
                "default kubeconfig{}: {e}",
                context_note(&c.context)
            ))
        })?
    } else {
        Config::infer().await.map_err(|e| {
            credentials(format!(
                "no kubeconfig and no in-cluster service account: {e}; set `kubeconfig` in the \
                 target's [target.kubernetes] section"
            ))
        })?
    };
    // Other crates in the binary enable a second rustls crypto backend; with two, rustls cannot
    // choose by itself and panics. The workspace uses ring. An already installed provider stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    config.connect_timeout = Some(Duration::from_secs(10));
    config.read_timeout = Some(c.request_timeout);
    Client::try_from(config)
        .map_err(|e| ProviderError::Config(format!("cannot build a Kubernetes client: {e}")))
}

fn context_note(ctx: &Option<String>) -> String {
    ctx.as_deref()
        .map(|c| format!(" (context `{c}`)"))
        .unwrap_or_default()
}

/// What discovery says about one kind.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub listable: bool,
}

/// Why a kind cannot be read at all.
#[derive(Debug, Clone)]
pub enum DiscoveryFailure {
    /// The API server does not serve this group/version/kind (no CRD, removed API version).
    NotServed(String),
    /// Discovery itself failed (access denied, connection, ...).
    Failed(ListError),
}

/// Looks one kind up in the API server's discovery document of its group/version.
pub async fn discover(
    client: &Client,
    group: &str,
    version: &str,
    kind: &str,
    timeout: Duration,
) -> Result<Discovered, DiscoveryFailure> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    let found = tokio::time::timeout(timeout, kube::discovery::pinned_kind(client, &gvk)).await;
    let (resource, caps): (ApiResource, ApiCapabilities) = match found {
        Err(_) => {
            return Err(DiscoveryFailure::Failed(ListError::Timeout(format!(
                "discovery of {api_version} {kind} took longer than {} s",
                timeout.as_secs()
            ))))
        }
        Ok(Ok(found)) => found,
        Ok(Err(kube::Error::Api(s))) if s.code == 404 => {
            return Err(DiscoveryFailure::NotServed(format!(
                "the API server does not serve {api_version} (is the CustomResourceDefinition \
                 installed, or the API version removed?)"
            )))
        }
        Ok(Err(kube::Error::Discovery(e))) => {
            return Err(DiscoveryFailure::NotServed(format!(
                "the API server does not serve kind {kind} in {api_version}: {e}"
            )))
        }
        Ok(Err(e)) => return Err(DiscoveryFailure::Failed(classify(&e))),
    };
    Ok(Discovered {
        namespaced: caps.scope == Scope::Namespaced,
        listable: caps.supports_operation(kube::discovery::verbs::LIST),
        resource,
    })
}

/// One page request's outcome, for progress and metrics.
pub trait OnAttempt: Fn(bool) + Send + Sync {}
impl<F: Fn(bool) + Send + Sync> OnAttempt for F {}

/// Lists every object of one kind in one namespace (or the whole cluster for `None`), page by
/// page. Returns only a complete listing. `attempt(throttled)` is called for every request.
pub async fn list_all(
    client: &Client,
    resource: &ApiResource,
    namespace: Option<&str>,
    page_size: u32,
    timeout: Duration,
    attempt: &dyn OnAttempt,
) -> Result<Vec<Value>, ListError> {
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    };
    let scope = namespace.unwrap_or("the cluster");
    // An expired continue token (410) restarts the listing; twice in a row means the objects
    // change faster than they can be paged through.
    const RESTARTS: usize = 2;
    // Throttling and transient server errors are retried with a growing pause.
    const RETRIES: u32 = 3;
    let mut restarts = 0;
    'listing: loop {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut params = ListParams::default().limit(page_size);
            if let Some(t) = &token {
                params = params.continue_token(t);
            }
            let mut tries = 0;
            let page = loop {
                let result = tokio::time::timeout(timeout, api.list(&params)).await;
                let err = match result {
                    Ok(Ok(page)) => {
                        attempt(false);
                        break page;
                    }
                    Ok(Err(e)) => e,
                    Err(_) => {
                        attempt(false);
                        return Err(ListError::Timeout(format!(
                            "listing {} in {scope} took longer than {} s per page",
                            resource.kind,
                            timeout.as_secs()
                        )));
                    }
                };
                let code = match &err {
                    kube::Error::Api(s) => Some(s.code),
                    _ => None,
                };
                attempt(code == Some(429));
                if code == Some(410) && token.is_some() {
                    restarts += 1;
                    if restarts > RESTARTS {
                        return Err(ListError::Api(format!(
                            "the continue token of the {} listing in {scope} expired {restarts} \
                             times (410 Gone); the listing was not used",
                            resource.kind
                        )));
                    }
                    tracing::debug!(kind = %resource.kind, scope, "continue token expired; listing again");
                    continue 'listing;
                }
                let transient = matches!(code, Some(429 | 500 | 502 | 503 | 504))
                    || matches!(err, kube::Error::HyperError(_) | kube::Error::Service(_));
                tries += 1;
                if !transient || tries >= RETRIES {
                    return Err(classify(&err));
                }
                tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(tries))).await;
            };
            for item in page.items {
                let v = serde_json::to_value(&item).map_err(|e| {
                    ListError::Api(format!("cannot read a {} object: {e}", resource.kind))
                })?;
                items.push(v);
            }
            match page.metadata.continue_.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok(items),
            }
        }
    }
}

/// The "not scanned" reason of a kube-rs error.
pub fn classify(e: &kube::Error) -> ListError {
    match e {
        kube::Error::Api(s) => {
            let what = format!("{} {}: {}", s.code, s.reason, s.message);
            match s.code {
                401 => ListError::AccessDenied(format!(
                    "{what} (the credentials were rejected; refresh the kubeconfig's token)"
                )),
                403 => ListError::AccessDenied(format!(
                    "{what} (grant the service account `list` on this resource)"
                )),
                429 => ListError::Throttled(what),
                _ => ListError::Api(what),
            }
        }
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            ListError::Connection(e.to_string())
        }
        other => ListError::Api(other.to_string()),
    }
}
