//! Reaching Google Cloud: credentials (Application Default Credentials, a key file, optional
//! impersonation, or none against an emulator), the Compute Engine clients, the HTTP client of
//! the Cloud Storage JSON API, per-unit metering, and the classification of API errors into
//! "not scanned" reasons.

use driftd_core::listing::ApiMeter;
use driftd_core::{ListError, ProviderError};
use google_cloud_auth::credentials::{self, CacheableResource, Credentials};
use google_cloud_compute_v1::client::{
    Addresses, Disks, Firewalls, GlobalAddresses, Instances, Networks, Regions, Routers, Routes,
    Subnetworks, Zones,
};
use google_cloud_compute_v1::client::{
    BackendServices, ForwardingRules, GlobalForwardingRules, HealthChecks, InstanceGroupManagers,
    InstanceTemplates, SslCertificates, TargetHttpProxies, TargetHttpsProxies, UrlMaps,
};
use google_cloud_gax::error::rpc::{Code, StatusDetails};
use google_cloud_gax::exponential_backoff::ExponentialBackoffBuilder;
use google_cloud_gax::retry_policy::{Aip194Strict, RetryPolicyExt, TooManyRequests};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The Cloud Storage JSON API of the real service.
pub const STORAGE_ENDPOINT: &str = "https://storage.googleapis.com";

/// Read-only scope: driftd never changes anything.
const READ_ONLY_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";

/// What a target says about reaching Google Cloud: its `[target.gcp]` table, read as it is
/// written. Credentials come from Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`,
/// gcloud's file, the metadata server and workload identity) unless `credentials_file` names a
/// key file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GcpSettings {
    /// Project ids to list, each one independently. Empty in a target: the projects its
    /// definitions' `google_*` resources are in.
    pub projects: Vec<String>,
    /// Zones of zonal types (instances, disks); empty: every zone of each project, as the
    /// Compute Engine API lists them.
    pub zones: Vec<String>,
    /// Regions of regional types (subnetworks); empty: the regions of `zones` when those are
    /// given, else every region of each project.
    pub regions: Vec<String>,
    /// A service-account key file (or any ADC JSON file); without it, Application Default
    /// Credentials.
    pub credentials_file: Option<PathBuf>,
    /// A service account to impersonate with the base credentials
    /// (`roles/iam.serviceAccountTokenCreator` on it needed).
    pub impersonate_service_account: Option<String>,
    /// An alternative Compute Engine endpoint (an emulator such as gcplocal), without the
    /// `/compute/v1` path.
    pub compute_endpoint: Option<String>,
    /// An alternative Cloud Storage endpoint, without the `/storage/v1` path.
    pub storage_endpoint: Option<String>,
    /// One alternative base URL for every other Google API driftd calls (Cloud Resource
    /// Manager, IAM, Pub/Sub, Cloud DNS, Cloud KMS, Cloud SQL Admin, GKE), each called below it
    /// with its documented path (`/v1/projects/...`, `/dns/v1/projects/...`): a stand-in or a
    /// proxy serving them all. Per API, `api_endpoints` wins over it.
    pub api_endpoint: Option<String>,
    /// Alternative base URLs per API, keyed by the API's service name without
    /// `.googleapis.com` (`cloudresourcemanager`, `iam`, `pubsub`, `dns`, `cloudkms`,
    /// `sqladmin`, `container`), for example Private Service Connect endpoints.
    pub api_endpoints: std::collections::BTreeMap<String, String>,
    /// Send no credentials at all. Default ([`GcpSettings::is_anonymous`]): true when an
    /// endpoint is overridden and no credentials file or impersonation is configured
    /// (emulators need none).
    pub anonymous: Option<bool>,
    /// Attempts per API call, the first included (unavailable and rate-limited answers are
    /// retried with exponential backoff).
    pub max_attempts: u32,
    /// Deadline of one API call, retries included (`timeout_secs` in seconds).
    #[serde(rename = "timeout_secs", deserialize_with = "seconds")]
    pub operation_timeout: Duration,
    /// First backoff delay between attempts.
    #[serde(skip)]
    pub initial_backoff: Duration,
}

impl Default for GcpSettings {
    fn default() -> Self {
        GcpSettings {
            projects: Vec::new(),
            zones: Vec::new(),
            regions: Vec::new(),
            credentials_file: None,
            impersonate_service_account: None,
            compute_endpoint: None,
            storage_endpoint: None,
            api_endpoint: None,
            api_endpoints: std::collections::BTreeMap::new(),
            anonymous: None,
            max_attempts: 5,
            operation_timeout: crate::DEFAULT_OPERATION_TIMEOUT,
            initial_backoff: Duration::from_millis(500),
        }
    }
}

impl GcpSettings {
    /// Whether no credentials are sent: as configured, else when an endpoint is overridden and
    /// no credentials of the settings' own are configured.
    pub fn is_anonymous(&self) -> bool {
        let endpoint_set = self.compute_endpoint.is_some()
            || self.storage_endpoint.is_some()
            || self.api_endpoint.is_some()
            || !self.api_endpoints.is_empty();
        let own_credentials =
            self.credentials_file.is_some() || self.impersonate_service_account.is_some();
        self.anonymous.unwrap_or(endpoint_set && !own_credentials)
    }
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

/// Builds the credentials the settings ask for. Failing here is one clear error for the whole
/// target instead of every scope being skipped.
pub async fn credentials(s: &GcpSettings) -> Result<Credentials, ProviderError> {
    if s.is_anonymous() {
        return Ok(credentials::anonymous::Builder::new().build());
    }
    let base = match &s.credentials_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                no_credentials(&format!(
                    "cannot read the credentials file {}: {e}",
                    path.display()
                ))
            })?;
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                no_credentials(&format!(
                    "the credentials file {} is not JSON: {e}",
                    path.display()
                ))
            })?;
            from_json(json).map_err(|e| {
                no_credentials(&format!(
                    "the credentials file {} cannot be used: {}",
                    path.display(),
                    causes(&e)
                ))
            })?
        }
        None => credentials::Builder::default()
            .with_scopes([READ_ONLY_SCOPE])
            .build()
            .map_err(|e| no_credentials(&causes(&e)))?,
    };
    let creds = match &s.impersonate_service_account {
        Some(principal) => credentials::impersonated::Builder::from_source_credentials(base)
            .with_target_principal(principal)
            .with_scopes([READ_ONLY_SCOPE])
            .build()
            .map_err(|e| {
                no_credentials(&format!("cannot impersonate {principal}: {}", causes(&e)))
            })?,
        None => base,
    };
    // Fetch a token once now: a missing metadata server or a revoked key is then reported once,
    // naming what to fix, and never as a skipped scope per project and zone.
    if let Err(e) = creds.headers(http::Extensions::new()).await {
        return Err(no_credentials(&causes(&e)));
    }
    Ok(creds)
}

/// Credentials from the JSON of a key file, by its `type` (the kinds ADC files hold).
fn from_json(
    json: serde_json::Value,
) -> Result<Credentials, google_cloud_auth::build_errors::Error> {
    match json.get("type").and_then(|t| t.as_str()) {
        Some("authorized_user") => credentials::user_account::Builder::new(json)
            .with_scopes([READ_ONLY_SCOPE])
            .build(),
        Some("external_account") => credentials::external_account::Builder::new(json)
            .with_scopes([READ_ONLY_SCOPE])
            .build(),
        Some("impersonated_service_account") => credentials::impersonated::Builder::new(json)
            .with_scopes([READ_ONLY_SCOPE])
            .build(),
        // A service-account key, or something the builder rejects with its own message.
        _ => credentials::service_account::Builder::new(json)
            .with_access_specifier(credentials::service_account::AccessSpecifier::from_scopes(
                [READ_ONLY_SCOPE],
            ))
            .build(),
    }
}

fn no_credentials(detail: &str) -> ProviderError {
    ProviderError::Credentials {
        provider: crate::PROVIDER.into(),
        message: format!(
            "{detail}; set GOOGLE_APPLICATION_CREDENTIALS or the target's `credentials_file` to a \
             service-account key, run `gcloud auth application-default login`, or run where the \
             metadata server (workload identity) is available"
        ),
    }
}

/// An error and its sources, Display only. Credentials never appear in these texts: the auth
/// crate's errors name the source of a failure, not its secret.
pub(crate) fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

/// Every client the resource kinds use, built once per listing and shared by all units.
pub struct Clients {
    pub instances: Instances,
    pub firewalls: Firewalls,
    pub networks: Networks,
    pub subnetworks: Subnetworks,
    pub disks: Disks,
    pub zones: Zones,
    pub regions: Regions,
    pub addresses: Addresses,
    pub global_addresses: GlobalAddresses,
    pub routes: Routes,
    pub routers: Routers,
    // Load balancing and managed instance groups.
    pub instance_templates: InstanceTemplates,
    pub instance_group_managers: InstanceGroupManagers,
    pub forwarding_rules: ForwardingRules,
    pub global_forwarding_rules: GlobalForwardingRules,
    pub backend_services: BackendServices,
    pub health_checks: HealthChecks,
    pub url_maps: UrlMaps,
    pub target_http_proxies: TargetHttpProxies,
    pub target_https_proxies: TargetHttpsProxies,
    pub ssl_certificates: SslCertificates,
    /// For the Cloud Storage JSON API, which the Rust storage crate lists only over gRPC.
    pub http: reqwest::Client,
    pub storage_endpoint: String,
    /// Base URLs of the other REST APIs (see [`crate::rest`]).
    pub api_endpoints: crate::apis::Endpoints,
    /// Listings several units share (the GKE clusters of a project), fetched once per scan.
    pub shared: crate::apis::SharedAnswers,
    pub credentials: Credentials,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
}

macro_rules! compute_client {
    ($ty:ty, $s:expr, $creds:expr) => {{
        let mut b = <$ty>::builder()
            .with_credentials($creds.clone())
            .with_retry_policy(
                TooManyRequests::new(Aip194Strict)
                    .with_attempt_limit($s.max_attempts.max(1))
                    .with_time_limit($s.operation_timeout),
            )
            .with_backoff_policy(backoff($s));
        if let Some(e) = &$s.compute_endpoint {
            b = b.with_endpoint(e.trim_end_matches('/'));
        }
        b.build().await.map_err(|e| {
            ProviderError::Config(format!(
                "cannot set up the Compute Engine client: {}",
                causes(&e)
            ))
        })?
    }};
}

fn backoff(s: &GcpSettings) -> google_cloud_gax::exponential_backoff::ExponentialBackoff {
    ExponentialBackoffBuilder::new()
        .with_initial_delay(s.initial_backoff)
        .with_maximum_delay(s.initial_backoff.max(Duration::from_secs(10)))
        .clamp()
}

impl Clients {
    pub async fn new(s: &GcpSettings) -> Result<Clients, ProviderError> {
        install_crypto_provider();
        let creds = credentials(s).await?;
        let http = reqwest::Client::builder()
            .timeout(s.operation_timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ProviderError::Config(format!("cannot set up HTTP: {e}")))?;
        Ok(Clients {
            instances: compute_client!(Instances, s, creds),
            firewalls: compute_client!(Firewalls, s, creds),
            networks: compute_client!(Networks, s, creds),
            subnetworks: compute_client!(Subnetworks, s, creds),
            disks: compute_client!(Disks, s, creds),
            zones: compute_client!(Zones, s, creds),
            regions: compute_client!(Regions, s, creds),
            addresses: compute_client!(Addresses, s, creds),
            global_addresses: compute_client!(GlobalAddresses, s, creds),
            routes: compute_client!(Routes, s, creds),
            routers: compute_client!(Routers, s, creds),
            instance_templates: compute_client!(InstanceTemplates, s, creds),
            instance_group_managers: compute_client!(InstanceGroupManagers, s, creds),
            forwarding_rules: compute_client!(ForwardingRules, s, creds),
            global_forwarding_rules: compute_client!(GlobalForwardingRules, s, creds),
            backend_services: compute_client!(BackendServices, s, creds),
            health_checks: compute_client!(HealthChecks, s, creds),
            url_maps: compute_client!(UrlMaps, s, creds),
            target_http_proxies: compute_client!(TargetHttpProxies, s, creds),
            target_https_proxies: compute_client!(TargetHttpsProxies, s, creds),
            ssl_certificates: compute_client!(SslCertificates, s, creds),
            http,
            storage_endpoint: s
                .storage_endpoint
                .clone()
                .unwrap_or_else(|| STORAGE_ENDPOINT.to_string())
                .trim_end_matches('/')
                .to_string(),
            api_endpoints: crate::apis::Endpoints::new(s.api_endpoint.as_deref(), &s.api_endpoints),
            shared: crate::apis::SharedAnswers::default(),
            credentials: creds,
            max_attempts: s.max_attempts.max(1),
            initial_backoff: s.initial_backoff,
        })
    }

    /// The authorization headers of the current token (none for anonymous credentials).
    pub async fn auth_headers(&self) -> Result<reqwest::header::HeaderMap, ListError> {
        match self.credentials.headers(http::Extensions::new()).await {
            Ok(CacheableResource::New { data, .. }) => Ok(data),
            Ok(CacheableResource::NotModified) => Ok(reqwest::header::HeaderMap::new()),
            Err(e) => Err(ListError::AccessDenied(format!(
                "no usable token: {}",
                causes(&e)
            ))),
        }
    }
}

/// The Google clients use rustls without choosing a crypto provider; the workspace builds rustls
/// with ring, so ring is made the process default (a no-op when one is already installed).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// What one unit of work lists with: the shared clients and its own meter.
pub struct UnitClient {
    pub clients: Arc<Clients>,
    /// Counts each call as it ends. SDK-internal retries of a call are not visible here; a
    /// call that ended throttled after them is counted as throttled.
    pub meter: ApiMeter,
}

impl UnitClient {
    /// Records one Compute Engine call's outcome and turns its error into a reason.
    pub fn compute<T>(
        &self,
        result: Result<T, google_cloud_gax::error::Error>,
        what: &str,
        scope: &str,
    ) -> Result<T, ListError> {
        match result {
            Ok(v) => {
                self.meter.attempt(false);
                Ok(v)
            }
            Err(e) => {
                let err = classify_compute(&e, what, scope);
                self.meter.attempt(matches!(err, ListError::Throttled(_)));
                Err(err)
            }
        }
    }
}

/// The Google API an error came from, for telling the person which one to enable.
const COMPUTE_API: &str = "compute.googleapis.com";
pub(crate) const STORAGE_API: &str = "storage.googleapis.com";

/// Classifies a Compute Engine error. 403 is either a missing permission or the API not being
/// enabled on the project; both make the scope "not scanned", never "missing".
pub fn classify_compute(e: &google_cloud_gax::error::Error, what: &str, scope: &str) -> ListError {
    let status = e.status();
    let message = status
        .map(|s| s.message.clone())
        .unwrap_or_else(|| causes(e));
    let disabled = status.is_some_and(|s| {
        s.details.iter().any(
            |d| matches!(d, StatusDetails::ErrorInfo(info) if info.reason == "SERVICE_DISABLED"),
        )
    });
    let code = status.map(|s| s.code);
    let http = e.http_status_code();
    if e.is_timeout() {
        return ListError::Timeout(format!("{what} in {scope}: {message}"));
    }
    classify_http(
        http,
        code,
        disabled || api_disabled_text(&message),
        &message,
        what,
        scope,
        COMPUTE_API,
    )
    .unwrap_or_else(|| {
        if e.is_connect() || e.is_io() || (e.is_transport() && http.is_none()) {
            ListError::Connection(format!("{what} in {scope}: {message}"))
        } else if e.is_authentication() {
            ListError::AccessDenied(format!("{what} in {scope}: no usable token: {message}"))
        } else {
            ListError::Api(format!("{what} in {scope}: {message}"))
        }
    })
}

/// The Google wording of "API not enabled", in messages that carry no `ErrorInfo` detail.
pub(crate) fn api_disabled_text(message: &str) -> bool {
    message.contains("has not been used in project")
        || message.contains("it is disabled")
        || message.contains("accessNotConfigured")
        || message.contains("SERVICE_DISABLED")
}

/// The reason for an HTTP error status (with the RPC code when known), or `None` when the status
/// says nothing specific.
pub(crate) fn classify_http(
    http: Option<u16>,
    code: Option<Code>,
    api_disabled: bool,
    message: &str,
    what: &str,
    scope: &str,
    api: &str,
) -> Option<ListError> {
    let project = scope.split('/').next().unwrap_or(scope);
    if api_disabled {
        return Some(ListError::AccessDenied(format!(
            "{what} in {scope}: the API {api} is not enabled in project {project}; enable it \
             (gcloud services enable {api} --project {project}) or leave the project out of the \
             target: {message}"
        )));
    }
    match (http, code) {
        (Some(403), _) | (_, Some(Code::PermissionDenied)) => {
            Some(ListError::AccessDenied(format!(
                "{what} in {scope}: permission denied; grant the scanning identity a viewer role \
                 on project {project} (roles/compute.viewer, roles/storage.bucketViewer or \
                 roles/viewer): {message}"
            )))
        }
        (Some(401), _) | (_, Some(Code::Unauthenticated)) => Some(ListError::AccessDenied(
            format!("{what} in {scope}: the credentials were rejected: {message}"),
        )),
        (Some(429), _) | (_, Some(Code::ResourceExhausted)) => Some(ListError::Throttled(format!(
            "{what} in {scope}: {message}"
        ))),
        (Some(404), _) | (_, Some(Code::NotFound)) => Some(ListError::Api(format!(
            "{what} in {scope}: not found (does project {project} exist, and the zone or region \
             in it?): {message}"
        ))),
        (Some(504), _) | (_, Some(Code::DeadlineExceeded)) => {
            Some(ListError::Timeout(format!("{what} in {scope}: {message}")))
        }
        (Some(s), _) if s >= 500 => Some(ListError::Api(format!(
            "{what} in {scope}: server error {s}: {message}"
        ))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_statuses_become_reasons_that_say_what_to_do() {
        let denied = classify_http(
            Some(403),
            None,
            false,
            "nope",
            "listing",
            "p1/global",
            COMPUTE_API,
        );
        assert!(
            matches!(&denied, Some(ListError::AccessDenied(m)) if m.contains("roles/compute.viewer") && m.contains("p1/global")),
            "{denied:?}"
        );
        let disabled = classify_http(
            Some(403),
            None,
            true,
            "x",
            "listing",
            "p1/us-east1-b",
            COMPUTE_API,
        );
        assert!(
            matches!(&disabled, Some(ListError::AccessDenied(m)) if m.contains("gcloud services enable compute.googleapis.com --project p1")),
            "{disabled:?}"
        );
        assert!(matches!(
            classify_http(Some(429), None, false, "x", "l", "p/global", COMPUTE_API),
            Some(ListError::Throttled(_))
        ));
        assert!(matches!(
            classify_http(Some(503), None, false, "x", "l", "p/global", COMPUTE_API),
            Some(ListError::Api(_))
        ));
        assert!(classify_http(Some(400), None, false, "x", "l", "p/global", COMPUTE_API).is_none());
        assert!(api_disabled_text(
            "Compute Engine API has not been used in project 1 before or it is disabled."
        ));
    }
}
