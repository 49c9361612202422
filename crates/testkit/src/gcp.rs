//! Google Cloud emulators and helpers for driftd's GCP tests, all on loopback:
//! - [`GcpLocal`]: PyPI `gcplocal` (Compute Engine REST: instances, networks, subnetworks,
//!   firewalls, disks) from the project venv, on a free port, stopped by its process id, behind
//!   [`ComputeFront`](crate::gcp_compute::ComputeFront), which serves the collections gcplocal
//!   lacks (addresses, routes, routers).
//! - [`StorageEmulator`]: PyPI `gcp-storage-emulator` (Cloud Storage JSON API), likewise.
//! - [`FaultProxy`]: forwards to an emulator but answers chosen paths with the error documents
//!   Google sends for a missing permission, a disabled API or throttling, which no emulator does.
//! - [`Replay`]: serves recorded API responses by path, for APIs an emulator lacks.
//! - [`GoogleState`]: writes a Terraform state (format version 4) of `google_*` resources.

use crate::moto::Server;
use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;

/// The project the GCP tests create their resources in.
pub const PROJECT: &str = "driftd-test";
/// The zone and region of [`seed`]'s zonal and regional resources.
pub const ZONE: &str = "us-central1-a";
pub const REGION: &str = "us-central1";

/// The canonical link of a resource path in [`PROJECT`] (`global/networks/main`).
pub fn compute_link(path: &str) -> String {
    format!("https://www.googleapis.com/compute/v1/projects/{PROJECT}/{path}")
}

/// A running `gcplocal` (Compute Engine REST under `/compute/v1`), reached through the
/// stand-in for what it lacks: [`GcpLocal::port`] and [`GcpLocal::endpoint`] are the stand-in's.
pub struct GcpLocal {
    /// Kept for its process: stopped when dropped.
    _server: Server,
    front: crate::gcp_compute::ComputeFront,
    client: reqwest::Client,
}

impl GcpLocal {
    pub fn start() -> Result<GcpLocal> {
        let server = Server::start(
            crate::venv().join("bin").join("gcplocal"),
            |port| {
                vec![
                    "start".into(),
                    "--host".into(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port.to_string(),
                ]
            },
            "/health",
            "gcplocal",
        )?;
        let front = crate::gcp_compute::ComputeFront::start(server.port)?;
        Ok(GcpLocal {
            _server: server,
            front,
            client: reqwest::Client::new(),
        })
    }

    pub fn port(&self) -> u16 {
        self.front.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.front.port)
    }

    /// One Compute Engine call: `path` below `/compute/v1/projects/PROJECT/`, for example
    /// `zones/us-central1-a/instances`. Fails on any answer but 2xx.
    pub async fn compute(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!(
            "{}/compute/v1/projects/{PROJECT}/{path}",
            self.endpoint().trim_end_matches('/')
        );
        call(&self.client, method, &url, body).await
    }
}

/// A running `gcp-storage-emulator` (Cloud Storage JSON API under `/storage/v1`), in memory.
pub struct StorageEmulator {
    server: Server,
    client: reqwest::Client,
}

impl StorageEmulator {
    pub fn start() -> Result<StorageEmulator> {
        let server = Server::start(
            crate::venv().join("bin").join("gcp-storage-emulator"),
            |port| {
                vec![
                    "start".into(),
                    "--host".into(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port.to_string(),
                    "--in-memory".into(),
                    "--quiet".into(),
                ]
            },
            "/",
            "gcp-storage-emulator",
        )?;
        Ok(StorageEmulator {
            server,
            client: reqwest::Client::new(),
        })
    }

    pub fn port(&self) -> u16 {
        self.server.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    /// Creates a bucket and sets its metadata (the emulator's insert keeps only the name, so the
    /// rest is applied with a PATCH, as `gsutil` would after creation).
    pub async fn create_bucket(&self, name: &str, metadata: Value) -> Result<Value> {
        let base = format!("{}/storage/v1/b", self.endpoint());
        call(
            &self.client,
            "POST",
            &format!("{base}?project={PROJECT}"),
            Some(json!({ "name": name })),
        )
        .await?;
        self.patch_bucket(name, metadata).await
    }

    pub async fn patch_bucket(&self, name: &str, metadata: Value) -> Result<Value> {
        let url = format!("{}/storage/v1/b/{name}", self.endpoint());
        call(&self.client, "PATCH", &url, Some(metadata)).await
    }

    /// Uploads an object (simple media upload).
    pub async fn upload(&self, bucket: &str, object: &str, data: &[u8]) -> Result<()> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/upload/storage/v1/b/{bucket}/o", self.endpoint()),
            &[("uploadType", "media"), ("name", object)],
        )?;
        let resp = self
            .client
            .post(url)
            .header("content-type", "application/octet-stream")
            .body(data.to_vec())
            .send()
            .await
            .with_context(|| format!("upload gs://{bucket}/{object}"))?;
        if !resp.status().is_success() {
            bail!(
                "upload gs://{bucket}/{object}: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }
}

async fn call(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> Result<Value> {
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let mut req = client.request(method.clone(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("{method} {url}"))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{method} {url}: {status}: {text}");
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).with_context(|| format!("{method} {url}: answer is not JSON"))
}

/// What the [`FaultProxy`] answers instead of forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcpFault {
    /// 403 `PERMISSION_DENIED`, as for a missing IAM permission.
    Deny,
    /// 403 `PERMISSION_DENIED` with reason `SERVICE_DISABLED`, as when the API is not enabled on
    /// the project.
    ApiDisabled,
    /// 429 `RESOURCE_EXHAUSTED` (rate limit), on every attempt.
    Throttle,
}

#[derive(Default)]
struct ProxyShared {
    /// (path substring, fault): the first rule whose substring the request path contains wins.
    rules: Mutex<Vec<(String, GcpFault)>>,
    /// Every request path (with query), in arrival order.
    seen: Mutex<Vec<String>>,
}

/// A fault-injecting proxy in front of a Google API emulator; it stops with the test process.
pub struct FaultProxy {
    pub port: u16,
    shared: Arc<ProxyShared>,
}

impl FaultProxy {
    pub fn start(upstream_port: u16, rules: Vec<(String, GcpFault)>) -> Result<FaultProxy> {
        let shared = Arc::new(ProxyShared {
            rules: Mutex::new(rules),
            ..Default::default()
        });
        let port = crate::serve::spawn("gcp fault proxy", shared.clone(), move |req, s| {
            proxy(req, upstream_port, s)
        })?;
        Ok(FaultProxy { port, shared })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Request paths seen so far that contain `part`.
    pub fn count(&self, part: &str) -> usize {
        self.shared
            .seen
            .lock()
            .map(|s| s.iter().filter(|p| p.contains(part)).count())
            .unwrap_or(0)
    }
}

/// The error document Google APIs send (`google.rpc.Status` in JSON, with the legacy `errors`).
pub fn google_error(fault: &GcpFault, path: &str) -> Response<Full<Bytes>> {
    let (status, body) = match fault {
        GcpFault::Deny => (
            StatusCode::FORBIDDEN,
            json!({"error": {
                "code": 403,
                "message": format!("Required permission is missing for {path}"),
                "errors": [{"message": "Required permission is missing", "domain": "global",
                            "reason": "forbidden"}],
                "status": "PERMISSION_DENIED"
            }}),
        ),
        GcpFault::ApiDisabled => (
            StatusCode::FORBIDDEN,
            json!({"error": {
                "code": 403,
                "message": "Compute Engine API has not been used in project 123456789012 before or \
                            it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/compute.googleapis.com/overview?project=123456789012 then retry.",
                "errors": [{"message": "Compute Engine API has not been used in project before or it is disabled.",
                            "domain": "usageLimits", "reason": "accessNotConfigured",
                            "extendedHelp": "https://console.developers.google.com"}],
                "status": "PERMISSION_DENIED",
                "details": [{
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {"service": "compute.googleapis.com",
                                 "consumer": "projects/123456789012"}
                }]
            }}),
        ),
        GcpFault::Throttle => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"error": {
                "code": 429,
                "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute'.",
                "errors": [{"message": "Rate Limit Exceeded", "domain": "usageLimits",
                            "reason": "rateLimitExceeded"}],
                "status": "RESOURCE_EXHAUSTED"
            }}),
        ),
    };
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body.to_string())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        "content-type",
        "application/json; charset=UTF-8"
            .parse()
            .expect("static header"),
    );
    resp
}

async fn proxy(
    req: Request<Incoming>,
    upstream: u16,
    shared: Arc<ProxyShared>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    if let Ok(mut seen) = shared.seen.lock() {
        seen.push(path.clone());
    }
    let fault = shared.rules.lock().ok().and_then(|rules| {
        rules
            .iter()
            .find(|(part, _)| path.contains(part.as_str()))
            .map(|(_, f)| f.clone())
    });
    if let Some(f) = fault {
        return Ok(google_error(&f, &path));
    }
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let forward = async {
        let stream = TcpStream::connect(("127.0.0.1", upstream)).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let resp = sender
            .send_request(Request::from_parts(parts, Full::new(body)))
            .await?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await?.to_bytes();
        anyhow::Ok(Response::from_parts(parts, Full::new(body)))
    };
    match forward.await {
        Ok(resp) => Ok(resp),
        Err(_) => Ok(json_response(
            StatusCode::BAD_GATEWAY,
            &json!({"error": {"code": 502, "message": "upstream unavailable", "status": "UNAVAILABLE"}}),
        )),
    }
}

#[derive(Default)]
struct ReplayShared {
    /// Path (without query) → (status, body).
    answers: BTreeMap<String, (u16, Value)>,
    seen: Mutex<Vec<String>>,
}

/// Serves recorded API responses: `GET path` answers the body recorded for that path (the query
/// is ignored, except that a `pageToken=T` request is looked up as `path?pageToken=T`), and
/// anything else a Google-style 404.
pub struct Replay {
    pub port: u16,
    shared: Arc<ReplayShared>,
}

impl Replay {
    pub fn start(answers: BTreeMap<String, (u16, Value)>) -> Result<Replay> {
        let shared = Arc::new(ReplayShared {
            answers,
            ..Default::default()
        });
        let port = crate::serve::spawn("replay", shared.clone(), |req, s| async move {
            let path = req.uri().path().to_string();
            let token = req.uri().query().and_then(|q| {
                q.split('&')
                    .find_map(|kv| kv.strip_prefix("pageToken="))
                    .map(percent_decode)
            });
            let key = match token {
                Some(t) => format!("{path}?pageToken={t}"),
                None => path,
            };
            if let Ok(mut seen) = s.seen.lock() {
                seen.push(key.clone());
            }
            Ok(match s.answers.get(&key) {
                Some((status, body)) => json_response(
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    body,
                ),
                None => json_response(
                    StatusCode::NOT_FOUND,
                    &json!({"error": {"code": 404, "message": format!("no recording for {key}"),
                                      "status": "NOT_FOUND"}}),
                ),
            })
        })?;
        Ok(Replay { port, shared })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request key (path, with `?pageToken=` when paging) served so far.
    pub fn seen(&self) -> Vec<String> {
        self.shared
            .seen
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
}

/// `%3D` → `=` and the like (page tokens are base64, so clients escape them).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Terraform state (format version 4) of `google_*` resources being assembled.
#[derive(Debug, Default, Clone)]
pub struct GoogleState {
    resources: Vec<Value>,
}

impl GoogleState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one managed resource with one instance, as the `google` provider writes it.
    pub fn add(&mut self, resource_type: &str, name: &str, attributes: Value) -> &mut Self {
        let mut instance = Map::new();
        instance.insert("schema_version".into(), json!(0));
        instance.insert("attributes".into(), attributes);
        instance.insert("sensitive_attributes".into(), json!([]));
        instance.insert("private".into(), json!("bnVsbA=="));
        self.resources.push(json!({
            "mode": "managed",
            "type": resource_type,
            "name": name,
            "provider": "provider[\"registry.terraform.io/hashicorp/google\"]",
            "instances": [Value::Object(instance)]
        }));
        self
    }

    pub fn to_json(&self) -> Value {
        json!({
            "version": 4,
            "terraform_version": "1.9.8",
            "serial": 7,
            "lineage": "0b6a3c52-4f0e-4d8e-9a51-7c2e1d3f9b20",
            "outputs": {},
            "resources": self.resources,
            "check_results": null
        })
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.to_json())?;
        std::fs::write(path, text).with_context(|| format!("write {}", path.display()))
    }
}

/// Builds a small infrastructure through the emulators' REST APIs, as `terraform apply` would:
/// network `main`, subnetwork `app`, firewall `allow-ssh`, disk `data`, instance `web-1` (in
/// [`PROJECT`], [`ZONE`], [`REGION`]) and bucket `driftd-test-logs`. [`sample_state`] is the
/// state an apply of it writes, less the network and subnetwork.
pub async fn seed(gcp: &GcpLocal, gcs: &StorageEmulator) -> Result<()> {
    let network = format!("projects/{PROJECT}/global/networks/main");
    gcp.compute(
        "POST",
        "global/networks",
        Some(
            json!({"name": "main", "autoCreateSubnetworks": false, "mtu": 1460,
                    "routingConfig": {"routingMode": "GLOBAL"}}),
        ),
    )
    .await
    .context("create network")?;
    gcp.compute(
        "POST",
        &format!("regions/{REGION}/subnetworks"),
        Some(
            json!({"name": "app", "network": network, "ipCidrRange": "10.10.0.0/24",
                    "privateIpGoogleAccess": true}),
        ),
    )
    .await
    .context("create subnetwork")?;
    gcp.compute(
        "POST",
        "global/firewalls",
        Some(
            json!({"name": "allow-ssh", "network": network, "direction": "INGRESS",
                    "priority": 900, "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}],
                    "sourceRanges": ["35.235.240.0/20"], "targetTags": ["ssh"]}),
        ),
    )
    .await
    .context("create firewall")?;
    gcp.compute(
        "POST",
        &format!("zones/{ZONE}/disks"),
        Some(
            json!({"name": "data", "sizeGb": "20", "labels": {"team": "db"},
                    "type": format!("projects/{PROJECT}/zones/{ZONE}/diskTypes/pd-ssd")}),
        ),
    )
    .await
    .context("create disk")?;
    // The boot disk `initialize_params` makes with the instance (gcplocal does not make it).
    gcp.compute(
        "POST",
        &format!("zones/{ZONE}/disks"),
        Some(json!({"name": "web-1", "sizeGb": "10", "sourceImage": DEBIAN_IMAGE})),
    )
    .await
    .context("create boot disk")?;
    gcp.compute(
        "POST",
        &format!("zones/{ZONE}/instances"),
        Some(json!({
            "name": "web-1",
            "machineType": format!("zones/{ZONE}/machineTypes/e2-small"),
            "labels": {"env": "prod"},
            "tags": {"items": ["ssh", "web"]},
            "metadata": {"items": [{"key": "enable-oslogin", "value": "TRUE"}]},
            "deletionProtection": true,
            "disks": [{"boot": true, "autoDelete": true, "deviceName": "persistent-disk-0",
                       "mode": "READ_WRITE",
                       "source": format!("projects/{PROJECT}/zones/{ZONE}/disks/web-1")}],
            "networkInterfaces": [{"network": network,
                                   "subnetwork": format!("projects/{PROJECT}/regions/{REGION}/subnetworks/app"),
                                   "networkIP": "10.10.0.5"}],
            "serviceAccounts": [{"email": "web@driftd-test.iam.gserviceaccount.com",
                                 "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}]
        })),
    )
    .await
    .context("create instance")?;
    gcs.create_bucket(
        "driftd-test-logs",
        json!({"location": "EU", "storageClass": "NEARLINE", "versioning": {"enabled": true},
               "labels": {"env": "prod"},
               "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": true},
                                    "publicAccessPrevention": "enforced"}}),
    )
    .await
    .context("create bucket")?;
    Ok(())
}

/// The image [`seed`]'s instance boots from.
pub const DEBIAN_IMAGE: &str =
    "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20241112";

/// The state of what [`seed`] makes (the network and subnetwork left out), in the shape the
/// `google` provider writes.
pub fn sample_state() -> GoogleState {
    let mut st = GoogleState::new();
    st.add(
        "google_compute_instance",
        "web",
        json!({"id": format!("projects/{PROJECT}/zones/{ZONE}/instances/web-1"),
               "name": "web-1", "project": PROJECT, "zone": ZONE, "machine_type": "e2-small",
               "labels": {"env": "prod"}, "terraform_labels": {"env": "prod"},
               "effective_labels": {"env": "prod"},
               "metadata": {"enable-oslogin": "TRUE"}, "tags": ["ssh", "web"],
               "deletion_protection": true, "can_ip_forward": false, "description": "",
               "boot_disk": [{"auto_delete": true, "device_name": "persistent-disk-0",
                              "mode": "READ_WRITE", "source": compute_link(&format!("zones/{ZONE}/disks/web-1")),
                              "initialize_params": [{"image": DEBIAN_IMAGE, "size": 10,
                                                     "type": "pd-balanced", "labels": {}}]}],
               "network_interface": [{"name": "nic0", "network": compute_link("global/networks/main"),
                                      "subnetwork": compute_link(&format!("regions/{REGION}/subnetworks/app")),
                                      "subnetwork_project": PROJECT, "network_ip": "10.10.0.5",
                                      "stack_type": "IPV4_ONLY", "access_config": [],
                                      "alias_ip_range": []}],
               "service_account": [{"email": "web@driftd-test.iam.gserviceaccount.com",
                                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}]}),
    )
    .add(
        "google_compute_disk",
        "data",
        json!({"id": format!("projects/{PROJECT}/zones/{ZONE}/disks/data"), "name": "data",
               "project": PROJECT, "zone": ZONE, "size": 20, "type": "pd-ssd",
               "labels": {"team": "db"}, "terraform_labels": {"team": "db"}}),
    )
    .add(
        "google_compute_firewall",
        "ssh",
        json!({"id": format!("projects/{PROJECT}/global/firewalls/allow-ssh"),
               "name": "allow-ssh", "project": PROJECT,
               "network": compute_link("global/networks/main"), "direction": "INGRESS",
               "priority": 900, "disabled": false, "description": "",
               "allow": [{"ports": ["22"], "protocol": "tcp"}], "deny": [],
               "source_ranges": ["35.235.240.0/20"], "destination_ranges": [],
               "source_tags": [], "target_tags": ["ssh"],
               "source_service_accounts": [], "target_service_accounts": []}),
    )
    .add(
        "google_storage_bucket",
        "logs",
        json!({"id": "driftd-test-logs", "name": "driftd-test-logs", "project": PROJECT,
               "location": "EU", "storage_class": "NEARLINE",
               "versioning": [{"enabled": true}], "uniform_bucket_level_access": true,
               "public_access_prevention": "enforced", "requester_pays": false,
               "labels": {"env": "prod"}, "terraform_labels": {"env": "prod"}}),
    );
    st
}

/// The state an apply of `examples/gcp-project` writes: [`sample_state`] with the network and
/// subnetwork.
pub fn applied_state() -> GoogleState {
    let mut state = sample_state();
    state
        .add(
            "google_compute_network",
            "main",
            json!({"id": format!("projects/{PROJECT}/global/networks/main"), "name": "main",
                   "project": PROJECT, "auto_create_subnetworks": false,
                   "routing_mode": "GLOBAL", "mtu": 1460, "description": ""}),
        )
        .add(
            "google_compute_subnetwork",
            "app",
            json!({"id": format!("projects/{PROJECT}/regions/{REGION}/subnetworks/app"),
                   "name": "app", "project": PROJECT, "region": REGION,
                   "network": compute_link("global/networks/main"),
                   "ip_cidr_range": "10.10.0.0/24", "private_ip_google_access": true,
                   "stack_type": "IPV4_ONLY", "description": ""}),
        );
    state
}

/// The NAT address [`seed_edge`] reserves, and the one an out-of-band re-reservation gets.
pub const NAT_IP: &str = "34.118.2.7";

/// Adds the network edge to what [`seed`] built, through the Compute Engine stand-in (gcplocal
/// serves none of it): regional address `nat-ip`, global address `web-lb`, route `to-onprem`
/// on network `main`, and router `edge` with NAT `egress` leaving from `nat-ip`. [`edge_state`]
/// is the state an apply of it writes.
pub async fn seed_edge(gcp: &GcpLocal) -> Result<()> {
    let network = format!("projects/{PROJECT}/global/networks/main");
    gcp.compute(
        "POST",
        &format!("regions/{REGION}/addresses"),
        Some(
            json!({"name": "nat-ip", "address": NAT_IP, "addressType": "EXTERNAL",
                    "networkTier": "PREMIUM", "labels": {"env": "prod"}}),
        ),
    )
    .await
    .context("create address")?;
    gcp.compute(
        "POST",
        "global/addresses",
        Some(
            json!({"name": "web-lb", "address": "34.120.1.2", "ipVersion": "IPV4",
                    "addressType": "EXTERNAL"}),
        ),
    )
    .await
    .context("create global address")?;
    gcp.compute(
        "POST",
        "global/routes",
        Some(
            json!({"name": "to-onprem", "network": network, "destRange": "192.168.0.0/16",
                    "nextHopIp": "10.10.0.2", "priority": 800, "tags": ["egress"]}),
        ),
    )
    .await
    .context("create route")?;
    gcp.compute(
        "POST",
        &format!("regions/{REGION}/routers"),
        Some(json!({"name": "edge", "network": network,
                    "bgp": {"asn": 64514, "advertiseMode": "DEFAULT", "keepaliveInterval": 20},
                    "nats": [edge_nat(&[NAT_IP_LINK_PATH])]})),
    )
    .await
    .context("create router")?;
    Ok(())
}

const NAT_IP_LINK_PATH: &str = "regions/us-central1/addresses/nat-ip";

/// NAT `egress` as the API answers it, leaving from the addresses at `ips` (paths below the
/// project).
pub fn edge_nat(ips: &[&str]) -> Value {
    json!({"name": "egress", "natIpAllocateOption": "MANUAL_ONLY",
           "natIps": ips.iter().map(|p| compute_link(p)).collect::<Vec<_>>(),
           "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
           "minPortsPerVm": 64, "enableEndpointIndependentMapping": false,
           "enableDynamicPortAllocation": false,
           "logConfig": {"enable": true, "filter": "ERRORS_ONLY"}})
}

/// The state of what [`seed_edge`] makes, in the shape the `google` provider writes.
pub fn edge_state() -> GoogleState {
    let mut st = GoogleState::new();
    st.add(
        "google_compute_address",
        "nat",
        json!({"id": format!("projects/{PROJECT}/regions/{REGION}/addresses/nat-ip"),
               "name": "nat-ip", "project": PROJECT, "region": REGION, "address": NAT_IP,
               "address_type": "EXTERNAL", "network_tier": "PREMIUM", "purpose": "",
               "subnetwork": "", "network": "", "prefix_length": 0, "ip_version": "",
               "description": "", "labels": {"env": "prod"}, "terraform_labels": {"env": "prod"},
               "effective_labels": {"env": "prod"},
               "users": [compute_link(&format!("regions/{REGION}/routers/edge"))],
               "self_link": compute_link(NAT_IP_LINK_PATH)}),
    )
    .add(
        "google_compute_global_address",
        "web_lb",
        json!({"id": format!("projects/{PROJECT}/global/addresses/web-lb"), "name": "web-lb",
               "project": PROJECT, "address": "34.120.1.2", "address_type": "EXTERNAL",
               "ip_version": "IPV4", "purpose": "", "network": "", "prefix_length": 0,
               "description": "", "labels": {}, "terraform_labels": {}}),
    )
    .add(
        "google_compute_route",
        "onprem",
        json!({"id": format!("projects/{PROJECT}/global/routes/to-onprem"), "name": "to-onprem",
               "project": PROJECT, "network": compute_link("global/networks/main"),
               "dest_range": "192.168.0.0/16", "priority": 800, "tags": ["egress"],
               "next_hop_ip": "10.10.0.2", "next_hop_gateway": null, "next_hop_instance": null,
               "next_hop_instance_zone": null, "next_hop_vpn_tunnel": null, "next_hop_ilb": null,
               "next_hop_network": "", "description": "", "params": []}),
    )
    .add(
        "google_compute_router",
        "edge",
        json!({"id": format!("projects/{PROJECT}/regions/{REGION}/routers/edge"), "name": "edge",
               "project": PROJECT, "region": REGION, "network": compute_link("global/networks/main"),
               "bgp": [{"asn": 64514, "advertise_mode": "DEFAULT", "advertised_groups": [],
                        "advertised_ip_ranges": [], "keepalive_interval": 20,
                        "identifier_range": ""}],
               "encrypted_interconnect_router": false, "description": ""}),
    )
    .add(
        "google_compute_router_nat",
        "egress",
        json!({"id": format!("{PROJECT}/{REGION}/edge/egress"), "name": "egress", "router": "edge",
               "project": PROJECT, "region": REGION, "nat_ip_allocate_option": "MANUAL_ONLY",
               "nat_ips": [compute_link(NAT_IP_LINK_PATH)], "drain_nat_ips": [],
               "source_subnetwork_ip_ranges_to_nat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
               "subnetwork": [], "min_ports_per_vm": 64, "max_ports_per_vm": 0,
               "enable_dynamic_port_allocation": false,
               "enable_endpoint_independent_mapping": false, "udp_idle_timeout_sec": 30,
               "icmp_idle_timeout_sec": 30, "tcp_established_idle_timeout_sec": 1200,
               "tcp_transitory_idle_timeout_sec": 30, "tcp_time_wait_timeout_sec": 120,
               "log_config": [{"enable": true, "filter": "ERRORS_ONLY"}], "endpoint_types": [],
               "rules": []}),
    );
    st
}
