//! The Google REST APIs other than Compute Engine and Cloud Storage (Cloud Resource Manager,
//! IAM, Pub/Sub, Cloud DNS, Cloud KMS, Cloud SQL Admin, GKE), called over plain HTTP (reqwest)
//! with the same `google-cloud-auth` credentials, retries and metering as the Cloud Storage JSON
//! API in [`crate::storage`]. Each has a small, stable JSON surface for what driftd reads; a
//! generated client per API would bring far more code than these few GET and POST calls.
//!
//! Where each API is reached: the target's `api_endpoints` entry for it, else its
//! `api_endpoint` (one base for all of them, as a test stand-in serves), else Google's host.

use crate::client::{self, classify_http, UnitClient};
use driftd_core::ListError;
use serde_json::Value;
use std::time::Duration;

pub use crate::apis::{Api, Endpoints, SERVICES};

/// One call of `api`: `method` on `path` (below the API's base, starting with `/`) with `query`
/// and an optional JSON body (see [`request`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn call(
    client: &UnitClient,
    api: Api,
    method: reqwest::Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&Value>,
    what: &str,
    scope: &str,
) -> Result<Value, ListError> {
    let base = client.clients.api_endpoints.base(api);
    let mut url = reqwest::Url::parse(&format!("{base}{path}"))
        .map_err(|e| ListError::Api(format!("{what} in {scope}: endpoint `{base}`: {e}")))?;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let api_name = format!("{}.googleapis.com", api.service());
    let call = Call {
        api: &api_name,
        what,
        scope,
    };
    request(client, method, url, body, &call, false)
        .await
        .map(Option::unwrap_or_default)
}

/// What a call is, for its errors: the API's host name, what was done, in which scope.
pub(crate) struct Call<'a> {
    pub api: &'a str,
    pub what: &'a str,
    pub scope: &'a str,
}

/// One HTTP call, retried with backoff while the answer is 429 or 5xx, each attempt metered.
/// `Ok(None)` for a 404 when `missing_ok` (the thing went away between a listing and this
/// call). Errors name `call`; no header or body is ever quoted.
pub(crate) async fn request(
    client: &UnitClient,
    method: reqwest::Method,
    url: reqwest::Url,
    body: Option<&Value>,
    call: &Call<'_>,
    missing_ok: bool,
) -> Result<Option<Value>, ListError> {
    let Call { api, what, scope } = *call;
    let clients = &client.clients;
    let mut delay = clients.initial_backoff;
    let mut attempt = 1;
    loop {
        let headers = clients.auth_headers().await?;
        let mut req = clients
            .http
            .request(method.clone(), url.clone())
            .headers(headers);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                client.meter.attempt(false);
                let text = client::causes(&e);
                return Err(if e.is_timeout() {
                    ListError::Timeout(format!("{what} in {scope}: {text}"))
                } else {
                    ListError::Connection(format!("{what} in {scope}: {text}"))
                });
            }
        };
        let status = resp.status().as_u16();
        client.meter.attempt(status == 429);
        if resp.status().is_success() {
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| ListError::Connection(format!("{what} in {scope}: {e}")))?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some(Value::Object(Default::default())));
            }
            return serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                ListError::Api(format!("{what} in {scope}: the answer is not JSON: {e}"))
            });
        }
        if status == 404 && missing_ok {
            return Ok(None);
        }
        if (status == 429 || status >= 500) && attempt < clients.max_attempts {
            attempt += 1;
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
            continue;
        }
        let text = resp.text().await.unwrap_or_default();
        let message = error_message(&text);
        return Err(classify_http(
            Some(status),
            None,
            client::api_disabled_text(&text),
            &message,
            what,
            scope,
            api,
        )
        .unwrap_or_else(|| {
            ListError::Api(format!("{what} in {scope}: HTTP {status}: {message}"))
        }));
    }
}

/// A GET of `path` (see [`call`]).
pub(crate) async fn get(
    client: &UnitClient,
    api: Api,
    path: &str,
    query: &[(&str, &str)],
    what: &str,
    scope: &str,
) -> Result<Value, ListError> {
    call(
        client,
        api,
        reqwest::Method::GET,
        path,
        query,
        None,
        what,
        scope,
    )
    .await
}

/// Every item of a list call: GET `path` page after page (`pageToken`/`nextPageToken`), the
/// items of each page under `field`. A failed page fails the whole listing: a partial list is
/// never returned.
pub(crate) async fn list_all(
    client: &UnitClient,
    api: Api,
    path: &str,
    field: &str,
    what: &str,
    scope: &str,
) -> Result<Vec<Value>, ListError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // A server that keeps answering the same token would loop forever; no real listing of one
    // parent has this many pages.
    for _ in 0..10_000 {
        // 100: within every one of these APIs' maximum page size (IAM's is 100).
        let mut query = vec![(api.page_size_param(), "100")];
        if let Some(t) = &token {
            query.push(("pageToken", t.as_str()));
        }
        let mut page = get(client, api, path, &query, what, scope).await?;
        if let Some(Value::Array(items)) = page.get_mut(field).map(Value::take) {
            out.extend(items);
        }
        match page["nextPageToken"].as_str() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
    Err(ListError::Api(format!(
        "{what} in {scope}: the listing never ended"
    )))
}

/// The `error.message` of a Google error document, or the start of the text.
fn error_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

/// The last segment of a resource name (`projects/p/topics/t` → `t`).
pub(crate) fn last(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A label map of an API answer as a JSON object of strings (empty when absent).
pub(crate) fn labels(v: &Value) -> Value {
    Value::Object(
        v.as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), Value::String(v.as_str()?.to_string()))))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::GcpSettings;

    #[test]
    fn endpoints_per_api_win_over_the_single_base() {
        let mut s = GcpSettings::default();
        assert_eq!(
            Endpoints::new(s.api_endpoint.as_deref(), &s.api_endpoints).base(Api::PubSub),
            "https://pubsub.googleapis.com"
        );
        s.api_endpoint = Some("http://127.0.0.1:9/".into());
        s.api_endpoints
            .insert("dns".into(), "http://127.0.0.1:7".into());
        let e = Endpoints::new(s.api_endpoint.as_deref(), &s.api_endpoints);
        assert_eq!(e.base(Api::Kms), "http://127.0.0.1:9");
        assert_eq!(e.base(Api::Dns), "http://127.0.0.1:7");
        assert!(s.is_anonymous());
        assert!(SERVICES.contains(&Api::ResourceManager.service()));
        assert_eq!(last("projects/p/topics/t"), "t");
    }
}
