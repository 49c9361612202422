//! The Cloud Storage JSON API over plain HTTP (reqwest): bucket listing and reading Terraform
//! state from a `gcs` backend.
//!
//! Why not the `google-cloud-storage` crate: it lists buckets through the gRPC
//! `StorageControl` service, which no emulator we can run serves (gcp-storage-emulator speaks
//! only the JSON API), and it would bring a gRPC stack for two GET requests. The JSON API is
//! stable and documented, and the credentials are the same `google-cloud-auth` ones the Compute
//! Engine clients use.

use crate::client::{self, classify_http, Clients, GcpSettings, STORAGE_API};
use driftd_core::listing::ApiMeter;
use driftd_core::ListError;
use serde_json::Value;
use std::time::Duration;

/// One GET of the JSON API, retried (with backoff) while the answer is 429 or 5xx. Each attempt
/// is metered. `what` and `scope` name the call in errors.
pub(crate) async fn get_json(
    clients: &Clients,
    meter: Option<&ApiMeter>,
    url: &reqwest::Url,
    what: &str,
    scope: &str,
) -> Result<Value, ListError> {
    let body = get_bytes(clients, meter, url, what, scope).await?;
    serde_json::from_slice(&body)
        .map_err(|e| ListError::Api(format!("{what} in {scope}: the answer is not JSON: {e}")))
}

async fn get_bytes(
    clients: &Clients,
    meter: Option<&ApiMeter>,
    url: &reqwest::Url,
    what: &str,
    scope: &str,
) -> Result<Vec<u8>, ListError> {
    let mut delay = clients.initial_backoff;
    let mut attempt = 1;
    loop {
        let headers = clients.auth_headers().await?;
        let sent = clients.http.get(url.clone()).headers(headers).send().await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                if let Some(m) = meter {
                    m.attempt(false);
                }
                let text = client::causes(&e);
                return Err(if e.is_timeout() {
                    ListError::Timeout(format!("{what} in {scope}: {text}"))
                } else {
                    ListError::Connection(format!("{what} in {scope}: {text}"))
                });
            }
        };
        let status = resp.status().as_u16();
        let retryable = status == 429 || status >= 500;
        if let Some(m) = meter {
            m.attempt(status == 429);
        }
        if resp.status().is_success() {
            return resp
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|e| ListError::Connection(format!("{what} in {scope}: {e}")));
        }
        if retryable && attempt < clients.max_attempts {
            attempt += 1;
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
            continue;
        }
        let text = resp.text().await.unwrap_or_default();
        let message = error_message(&text);
        let disabled = client::api_disabled_text(&text);
        return Err(classify_http(
            Some(status),
            None,
            disabled,
            &message,
            what,
            scope,
            STORAGE_API,
        )
        .unwrap_or_else(|| {
            ListError::Api(format!("{what} in {scope}: HTTP {status}: {message}"))
        }));
    }
}

/// The `error.message` of a Google error document, or the start of the text.
fn error_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

/// Where a `gcs` backend keeps a workspace's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcsStateLocation {
    pub bucket: String,
    /// The backend's `prefix` (may be empty).
    pub prefix: String,
    /// The workspace; Terraform's default is `default`.
    pub workspace: String,
}

impl GcsStateLocation {
    /// The object Terraform's gcs backend writes: `PREFIX/WORKSPACE.tfstate`.
    pub fn object(&self) -> String {
        let prefix = self.prefix.trim_matches('/');
        let file = format!("{}.tfstate", self.workspace);
        if prefix.is_empty() {
            file
        } else {
            format!("{prefix}/{file}")
        }
    }

    /// `gs://BUCKET/OBJECT`, for messages.
    pub fn url(&self) -> String {
        format!("gs://{}/{}", self.bucket, self.object())
    }
}

/// Why a state could not be fetched from GCS.
#[derive(Debug, thiserror::Error)]
pub enum GcsStateError {
    #[error("{0}")]
    Provider(#[from] driftd_core::ProviderError),
    #[error("{url}: no such object; check the bucket, and the backend's prefix and workspace")]
    NotFound { url: String },
    #[error("{url}: {reason}")]
    Read { url: String, reason: ListError },
    #[error("invalid GCS state location: {0}")]
    Location(String),
}

/// Reads the Terraform state a `gcs` backend keeps for `location.workspace`
/// (`PREFIX/WORKSPACE.tfstate`), with the credentials and storage endpoint of `access` (its
/// projects, zones and regions are not used).
pub async fn fetch_gcs_state(
    location: &GcsStateLocation,
    access: &GcpSettings,
) -> Result<Vec<u8>, GcsStateError> {
    if location.bucket.is_empty() || location.workspace.is_empty() {
        return Err(GcsStateError::Location(format!(
            "bucket `{}` and workspace `{}` must both be set",
            location.bucket, location.workspace
        )));
    }
    fetch_gcs_object(&location.bucket, &location.object(), access).await
}

/// Reads one object (a plan's JSON, a state) from a bucket, with the credentials and storage
/// endpoint of `access`.
pub async fn fetch_gcs_object(
    bucket: &str,
    object: &str,
    access: &GcpSettings,
) -> Result<Vec<u8>, GcsStateError> {
    if bucket.is_empty() || object.is_empty() {
        return Err(GcsStateError::Location(format!(
            "gs://{bucket}/{object}: both the bucket and the object must be named"
        )));
    }
    let clients = Clients::new(access).await?;
    let mut url = reqwest::Url::parse(&clients.storage_endpoint).map_err(|e| {
        GcsStateError::Location(format!(
            "storage endpoint `{}`: {e}",
            clients.storage_endpoint
        ))
    })?;
    url.path_segments_mut()
        .map_err(|_| {
            GcsStateError::Location(format!(
                "storage endpoint `{}` cannot take a path",
                clients.storage_endpoint
            ))
        })?
        .pop_if_empty()
        // Each push percent-encodes its segment, `/` in the object name included, as the JSON
        // API wants.
        .extend(["storage", "v1", "b", bucket, "o", object]);
    url.query_pairs_mut().append_pair("alt", "media");
    let gs = format!("gs://{bucket}/{object}");
    get_bytes(&clients, None, &url, "reading an object", &gs)
        .await
        .map_err(|reason| match &reason {
            ListError::Api(m) if m.contains("not found") => GcsStateError::NotFound { url: gs },
            _ => GcsStateError::Read { url: gs, reason },
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_follow_the_gcs_backend() {
        let loc = |prefix: &str, ws: &str| GcsStateLocation {
            bucket: "b".into(),
            prefix: prefix.into(),
            workspace: ws.into(),
        };
        assert_eq!(
            loc("terraform/state", "default").object(),
            "terraform/state/default.tfstate"
        );
        assert_eq!(loc("/env/prod/", "blue").object(), "env/prod/blue.tfstate");
        assert_eq!(loc("", "default").object(), "default.tfstate");
        assert_eq!(loc("x", "default").url(), "gs://b/x/default.tfstate");
    }

    #[test]
    fn error_documents_give_their_message() {
        assert_eq!(
            error_message(r#"{"error": {"code": 403, "message": "no access"}}"#),
            "no access"
        );
        assert_eq!(error_message("plain"), "plain");
    }
}
