//! The Google REST APIs driftd calls beyond Compute Engine and Cloud Storage, and where each is
//! reached (a leaf: the client holds the endpoints, [`crate::rest`] makes the calls).

use std::collections::BTreeMap;
use std::sync::Arc;

/// One of the REST APIs of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    ResourceManager,
    Iam,
    PubSub,
    Dns,
    Kms,
    SqlAdmin,
    Container,
}

impl Api {
    /// The service name, without `.googleapis.com` (the key of `api_endpoints`).
    pub fn service(self) -> &'static str {
        match self {
            Api::ResourceManager => "cloudresourcemanager",
            Api::Iam => "iam",
            Api::PubSub => "pubsub",
            Api::Dns => "dns",
            Api::Kms => "cloudkms",
            Api::SqlAdmin => "sqladmin",
            Api::Container => "container",
        }
    }

    /// The query parameter a list call of this API takes its page size in.
    pub(crate) fn page_size_param(self) -> &'static str {
        match self {
            Api::Dns | Api::SqlAdmin => "maxResults",
            _ => "pageSize",
        }
    }
}

/// Every service name [`Api::service`] knows, for checking a target's `api_endpoints`.
pub const SERVICES: &[&str] = &[
    "cloudresourcemanager",
    "iam",
    "pubsub",
    "dns",
    "cloudkms",
    "sqladmin",
    "container",
];

/// Where each API is reached.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    base: Option<String>,
    per_api: BTreeMap<String, String>,
}

impl Endpoints {
    /// From a target's `api_endpoint` (one base for all) and `api_endpoints` (per API).
    pub fn new(base: Option<&str>, per_api: &BTreeMap<String, String>) -> Endpoints {
        let trim = |u: &str| u.trim_end_matches('/').to_string();
        Endpoints {
            base: base.map(trim),
            per_api: per_api.iter().map(|(k, v)| (k.clone(), trim(v))).collect(),
        }
    }

    /// The base URL of `api` (no trailing `/`).
    pub fn base(&self, api: Api) -> String {
        self.per_api
            .get(api.service())
            .or(self.base.as_ref())
            .cloned()
            .unwrap_or_else(|| format!("https://{}.googleapis.com", api.service()))
    }
}

/// One answer per key, fetched once and shared by every unit that asks: the GKE listing of a
/// project (`locations/-`, every zone and region at once) serves both GKE types in every region
/// of a scan. A failed fetch is not kept: the next unit tries again and reports its own error.
#[derive(Default)]
pub struct SharedAnswers {
    cells: std::sync::Mutex<BTreeMap<String, Arc<tokio::sync::OnceCell<Arc<serde_json::Value>>>>>,
}

impl SharedAnswers {
    /// The answer for `key`, fetched with `fetch` by the first caller.
    pub async fn get<E, F>(&self, key: &str, fetch: F) -> Result<Arc<serde_json::Value>, E>
    where
        F: std::future::Future<Output = Result<serde_json::Value, E>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(key.to_string()).or_default().clone()
        };
        cell.get_or_try_init(|| async { fetch.await.map(Arc::new) })
            .await
            .cloned()
    }
}
