//! A stand-in for the Compute Engine REST collections gcplocal does not serve: regional and
//! global addresses, routes and routers (NATs inside them), and the load-balancing and managed
//! instance group collections (forwarding rules, backend services, health checks, URL maps,
//! target HTTP(S) proxies, SSL certificates, instance templates, zonal instance group
//! managers). It sits in front of gcplocal on a port of its own, keeps those collections in
//! memory and forwards every other request, so a test gives the provider one Compute Engine
//! endpoint, as in production.
//!
//! It speaks the documented resources (JSON field names as in the API reference): `GET` of a
//! collection pages with `maxResults` and `pageToken`, `POST` inserts and answers a finished
//! operation, `GET`/`PATCH`/`DELETE` act on one item, and errors are Google's error document.
//! As Google does, a network created through it gets its route to the internet gateway.
//! Inserts into the load-balancing collections get the defaults the API documents (see
//! `lb_defaults`), and a certificate's private key is never answered back.

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::net::TcpStream;

/// The collections served here, by `(location kind, collection)`: `regions` or `global`.
const SERVED: &[(&str, &str)] = &[
    ("regions", "addresses"),
    ("global", "addresses"),
    ("global", "routes"),
    ("regions", "routers"),
    // Load balancing and managed instance groups.
    ("regions", "forwardingRules"),
    ("global", "forwardingRules"),
    ("global", "backendServices"),
    ("global", "healthChecks"),
    ("global", "urlMaps"),
    ("global", "targetHttpProxies"),
    ("global", "targetHttpsProxies"),
    ("global", "sslCertificates"),
    ("global", "instanceTemplates"),
    ("zones", "instanceGroupManagers"),
];

const LINK_BASE: &str = "https://www.googleapis.com/compute/v1/";

#[derive(Default)]
struct Shared {
    upstream: u16,
    /// Collection path (`projects/P/regions/R/addresses`) → name → resource.
    collections: Mutex<BTreeMap<String, BTreeMap<String, Value>>>,
    next_id: Mutex<u64>,
}

/// The stand-in, running for as long as the test process.
pub struct ComputeFront {
    pub port: u16,
}

impl ComputeFront {
    /// Starts serving in front of gcplocal on `upstream`.
    pub fn start(upstream: u16) -> Result<ComputeFront> {
        let shared = Arc::new(Shared {
            upstream,
            ..Default::default()
        });
        let port = crate::serve::spawn("compute stand-in", shared, handle)?;
        Ok(ComputeFront { port })
    }
}

/// `(collection path, item name)` when the path is one of [`SERVED`].
fn served(path: &str) -> Option<(String, Option<String>)> {
    let rest = path.strip_prefix("/compute/v1/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (kind, coll_at) = match parts.as_slice() {
        ["projects", _, "global", ..] => ("global", 3),
        ["projects", _, "regions", _, ..] => ("regions", 4),
        ["projects", _, "zones", _, ..] => ("zones", 4),
        _ => return None,
    };
    let collection = *parts.get(coll_at)?;
    if !SERVED.contains(&(kind, collection)) || parts.len() > coll_at + 2 {
        return None;
    }
    let item = parts.get(coll_at + 1).map(|s| s.to_string());
    Some((parts[..=coll_at].join("/"), item))
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let reason = match status {
        StatusCode::NOT_FOUND => "notFound",
        StatusCode::CONFLICT => "alreadyExists",
        _ => "invalid",
    };
    respond(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message,
                          "errors": [{"message": message, "domain": "global", "reason": reason}]}}),
    )
}

fn respond(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
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

/// A finished operation on `target`, as insert, patch and delete answer.
fn operation(kind: &str, target: &str, id: u64) -> Value {
    json!({"kind": "compute#operation", "id": id.to_string(), "name": format!("operation-{id}"),
           "operationType": kind, "status": "DONE", "progress": 100,
           "targetLink": format!("{LINK_BASE}{target}")})
}

fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_string();
    let Some((collection, item)) = served(&path) else {
        return forward(req, shared).await;
    };
    let query = req.uri().query().map(str::to_string);
    let method = req.method().clone();
    let body = req.into_body().collect().await?.to_bytes();
    let id = {
        let mut next = shared.next_id.lock().expect("id lock");
        *next += 1;
        *next
    };
    let mut all = shared.collections.lock().expect("collections lock");
    let items = all.entry(collection.clone()).or_default();
    Ok(match (method, item) {
        (Method::GET, None) => {
            let max = query_param(query.as_deref(), "maxResults")
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(500)
                .clamp(1, 500);
            let start = query_param(query.as_deref(), "pageToken")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(0);
            let page: Vec<&Value> = items.values().skip(start).take(max).collect();
            let mut list = json!({"kind": "compute#list", "id": collection,
                                  "items": page, "selfLink": format!("{LINK_BASE}{collection}")});
            if start + max < items.len() {
                list["nextPageToken"] = json!((start + max).to_string());
            }
            respond(StatusCode::OK, &list)
        }
        (Method::POST, None) => {
            let Ok(Value::Object(mut resource)) = serde_json::from_slice::<Value>(&body) else {
                return Ok(error(
                    StatusCode::BAD_REQUEST,
                    "the body is not a JSON object",
                ));
            };
            let Some(name) = resource
                .get("name")
                .and_then(Value::as_str)
                .map(String::from)
            else {
                return Ok(error(StatusCode::BAD_REQUEST, "name is required"));
            };
            if items.contains_key(&name) {
                let message = format!("The resource '{collection}/{name}' already exists");
                return Ok(error(StatusCode::CONFLICT, &message));
            }
            complete(&mut resource, &collection, &name, id);
            items.insert(name.clone(), Value::Object(resource));
            respond(
                StatusCode::OK,
                &operation("insert", &format!("{collection}/{name}"), id),
            )
        }
        (method, Some(name)) => {
            let target = format!("{collection}/{name}");
            let Some(current) = items.get_mut(&name) else {
                let message = format!("The resource '{target}' was not found");
                return Ok(error(StatusCode::NOT_FOUND, &message));
            };
            match method {
                Method::GET => respond(StatusCode::OK, current),
                Method::PATCH => {
                    let Ok(Value::Object(patch)) = serde_json::from_slice::<Value>(&body) else {
                        return Ok(error(
                            StatusCode::BAD_REQUEST,
                            "the body is not a JSON object",
                        ));
                    };
                    if let Value::Object(fields) = current {
                        fields.extend(patch);
                    }
                    respond(StatusCode::OK, &operation("patch", &target, id))
                }
                Method::DELETE => {
                    items.remove(&name);
                    respond(StatusCode::OK, &operation("delete", &target, id))
                }
                _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    })
}

/// What the API fills in on insert: id, kind, self link, region link, creation time.
fn complete(resource: &mut Map<String, Value>, collection: &str, name: &str, id: u64) {
    let kind = match collection.rsplit('/').next() {
        Some("routes") => "compute#route",
        Some("routers") => "compute#router",
        Some("addresses") | None => "compute#address",
        Some(other) => {
            lb_defaults(resource, other);
            // `forwardingRules` → `compute#forwardingRule`, and so on.
            let singular = other.strip_suffix("ies").map_or_else(
                || other.trim_end_matches('s').to_string(),
                |stem| format!("{stem}y"),
            );
            resource.insert("kind".into(), json!(format!("compute#{singular}")));
            ""
        }
    };
    if !kind.is_empty() {
        resource.insert("kind".into(), json!(kind));
    }
    resource.insert("id".into(), json!((1_000_000 + id).to_string()));
    resource.insert(
        "creationTimestamp".into(),
        json!("2026-01-05T10:00:00.000-08:00"),
    );
    resource.insert(
        "selfLink".into(),
        json!(format!("{LINK_BASE}{collection}/{name}")),
    );
    let parts: Vec<&str> = collection.split('/').collect();
    if let ["projects", project, "regions", region, ..] = parts.as_slice() {
        resource.insert(
            "region".into(),
            json!(format!("{LINK_BASE}projects/{project}/regions/{region}")),
        );
    }
    if let ["projects", project, "zones", zone, ..] = parts.as_slice() {
        let zone_link = format!("{LINK_BASE}projects/{project}/zones/{zone}");
        if collection.ends_with("/instanceGroupManagers") {
            resource.insert(
                "instanceGroup".into(),
                json!(format!("{zone_link}/instanceGroups/{name}")),
            );
        }
        resource.insert("zone".into(), json!(zone_link));
    }
}

/// What the API does on insert to the load-balancing collections: it fills the defaults it
/// documents (scheme `EXTERNAL`, protocol `TCP`, a port `80` as the range `80-80`, a health
/// check's interval, timeout and thresholds, a backend service's protocol, timeout and
/// draining, a backend's balancing mode) and never answers a certificate's private key.
fn lb_defaults(r: &mut Map<String, Value>, collection: &str) {
    let mut default = |key: &str, value: Value| {
        r.entry(key.to_string()).or_insert(value);
    };
    match collection {
        "forwardingRules" => {
            default("IPProtocol", json!("TCP"));
            default("loadBalancingScheme", json!("EXTERNAL"));
            if let Some(Value::String(p)) = r.get_mut("portRange") {
                if !p.contains('-') {
                    *p = format!("{p}-{p}");
                }
            }
        }
        "healthChecks" => {
            for (key, v) in [
                ("checkIntervalSec", 5),
                ("timeoutSec", 5),
                ("healthyThreshold", 2),
                ("unhealthyThreshold", 2),
            ] {
                default(key, json!(v));
            }
        }
        "backendServices" => {
            default("protocol", json!("HTTP"));
            default("timeoutSec", json!(30));
            default("loadBalancingScheme", json!("EXTERNAL"));
            default("sessionAffinity", json!("NONE"));
            default("connectionDraining", json!({"drainingTimeoutSec": 300}));
            if let Some(Value::Array(backends)) = r.get_mut("backends") {
                for b in backends.iter_mut().filter_map(Value::as_object_mut) {
                    b.entry("balancingMode").or_insert(json!("UTILIZATION"));
                    b.entry("capacityScaler").or_insert(json!(1));
                }
            }
        }
        "sslCertificates" => {
            default("type", json!("SELF_MANAGED"));
            r.remove("privateKey");
            if let Some(Value::Object(m)) = r.get_mut("selfManaged") {
                m.remove("privateKey");
            }
        }
        _ => {}
    }
}

/// Forwards to gcplocal; a network it created gets Google's route to the internet gateway.
async fn forward(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let new_network = (parts.method == Method::POST
        && parts.uri.path().ends_with("/global/networks"))
    .then(|| {
        let project = parts
            .uri
            .path()
            .split('/')
            .nth(4)
            .unwrap_or_default()
            .to_string();
        let name = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|b| b["name"].as_str().map(String::from));
        name.map(|n| (project, n))
    })
    .flatten();
    let upstream = shared.upstream;
    let sent = async {
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
    let resp = match sent.await {
        Ok(resp) => resp,
        Err(_) => return Ok(error(StatusCode::BAD_GATEWAY, "gcplocal unavailable")),
    };
    if let (Some((project, network)), true) = (new_network, resp.status().is_success()) {
        add_internet_route(&shared, &project, &network);
    }
    Ok(resp)
}

/// The route Google makes with every network: `default-route-` and 16 hex digits.
fn add_internet_route(shared: &Shared, project: &str, network: &str) {
    let collection = format!("projects/{project}/global/routes");
    let name = format!(
        "default-route-{:016x}",
        crc32fast::hash(network.as_bytes()) as u64 * 0x9e37_79b9
    );
    let mut route = json!({
        "name": name, "destRange": "0.0.0.0/0", "priority": 1000,
        "description": "Default route to the Internet.",
        "network": format!("{LINK_BASE}projects/{project}/global/networks/{network}"),
        "nextHopGateway": format!("{LINK_BASE}projects/{project}/global/gateways/default-internet-gateway"),
    });
    if let Value::Object(r) = &mut route {
        complete(r, &collection, &name, 0);
    }
    if let Ok(mut all) = shared.collections.lock() {
        all.entry(collection).or_default().insert(name, route);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_collections_gcplocal_lacks_are_served_here() {
        assert_eq!(
            served("/compute/v1/projects/p/regions/r1/addresses"),
            Some(("projects/p/regions/r1/addresses".into(), None))
        );
        assert_eq!(
            served("/compute/v1/projects/p/global/routes/x"),
            Some(("projects/p/global/routes".into(), Some("x".into())))
        );
        assert_eq!(
            served("/compute/v1/projects/p/zones/z1/instanceGroupManagers/web"),
            Some((
                "projects/p/zones/z1/instanceGroupManagers".into(),
                Some("web".into())
            ))
        );
        assert_eq!(served("/compute/v1/projects/p/zones/z1/instances"), None);
        assert_eq!(served("/compute/v1/projects/p/global/networks"), None);
        assert_eq!(
            served("/compute/v1/projects/p/regions/r1/subnetworks"),
            None
        );
        assert_eq!(
            served("/compute/v1/projects/p/regions/r1/operations/op-1"),
            None
        );
    }
}
