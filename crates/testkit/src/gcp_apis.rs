//! A local stand-in for Google REST APIs no emulator we run serves: Cloud Resource Manager
//! (a project's IAM policy), IAM (service accounts), Pub/Sub (topics, subscriptions), Cloud
//! DNS (managed zones, record sets), Cloud KMS (locations, key rings, crypto keys), Cloud
//! SQL Admin (instances) and GKE (clusters and node pools, in [`crate::gcp_gke`]). One server answers them all below one base URL, each at
//! its documented path (`/v1/projects/...`, `/dns/v1/projects/...`), with the JSON field names
//! of the API reference; driftd reaches it through `api_endpoint` in `[target.gcp]`.
//!
//! What it serves:
//! - lists (`GET` of a collection) paged with `pageToken`/`nextPageToken`, at most
//!   [`PAGE_LIMIT`] items a page whatever page size is asked (`pageSize` or `maxResults`), as a
//!   server may, so that every listing in a test pages;
//! - `GET`, `PATCH` (the resource, or for IAM and Pub/Sub the resource wrapped in its
//!   request message with an `updateMask`, whose named fields are replaced) and `DELETE` of one
//!   item (none for Cloud KMS, which deletes neither key rings nor keys); creation by `POST`
//!   to the collection (service accounts with `accountId`, zones, record sets, Cloud SQL
//!   instances, which answer a finished operation, key rings with
//!   `?keyRingId=`, keys with `?cryptoKeyId=`) or by `PUT` of the item (Pub/Sub);
//! - `projects/P:getIamPolicy` and `projects/P:setIamPolicy` with etags: a `setIamPolicy`
//!   whose etag is not the current one is refused (409 `ABORTED`), as Google does;
//! - `serviceAccounts/EMAIL:disable` and `:enable`;
//! - what Google adds by itself: a new project's policy (its creator as owner, the Compute
//!   Engine default account as editor, the Pub/Sub service agent), the Compute Engine default
//!   service account, a new zone's SOA and NS record sets, a subscription's and a key's
//!   defaults, the Cloud KMS locations [`KMS_LOCATIONS`].
//!
//! Errors are Google's error document (`{"error": {"code", "message", "status"}}`).

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Items per page of any list answer.
pub const PAGE_LIMIT: usize = 2;

/// The project number the stand-in gives every project (Google's default accounts carry it).
pub const PROJECT_NUMBER: &str = "480215671234";

/// The owner Google makes of a new project.
pub const FOUNDER: &str = "user:founder@example.com";

/// Collections served, with the field their list answers hold items in.
const COLLECTIONS: &[(&str, &str)] = &[
    ("serviceAccounts", "accounts"),
    ("topics", "topics"),
    ("subscriptions", "subscriptions"),
    ("managedZones", "managedZones"),
    ("rrsets", "rrsets"),
    ("locations", "locations"),
    ("keyRings", "keyRings"),
    ("cryptoKeys", "cryptoKeys"),
    ("instances", "items"),
];

/// The Cloud KMS locations every project has here.
pub const KMS_LOCATIONS: &[&str] = &["global", "us-central1", "europe-west1"];

#[derive(Default)]
struct Store {
    /// Collection path (`projects/P/topics`) → item id → resource.
    collections: BTreeMap<String, BTreeMap<String, Value>>,
    /// Project → IAM policy.
    policies: BTreeMap<String, Value>,
    /// Projects seen, each given Google's defaults once.
    projects: BTreeMap<String, ()>,
    /// GKE clusters and their node pools.
    gke: crate::gcp_gke::Gke,
    serial: u64,
}

/// The stand-in, serving for as long as the test process.
pub struct GcpApis {
    pub port: u16,
    client: reqwest::Client,
    store: Arc<Mutex<Store>>,
}

impl GcpApis {
    pub fn start() -> Result<GcpApis> {
        let store = Arc::new(Mutex::new(Store::default()));
        let port = crate::serve::spawn("google apis stand-in", store.clone(), handle)?;
        Ok(GcpApis {
            port,
            client: reqwest::Client::new(),
            store,
        })
    }

    /// Zones or regions GKE's cluster listings say they could not reach from now on (its
    /// `missingZones`), as during a zonal outage.
    pub fn set_gke_missing_zones(&self, zones: &[&str]) {
        let mut store = self.store.lock().expect("store lock");
        store.gke.missing_zones = zones.iter().map(|z| z.to_string()).collect();
    }

    /// The base URL to give driftd as `api_endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One call: `path` below the base (`/v1/projects/p/topics/t`). Fails on any answer but
    /// 2xx.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.endpoint());
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut req = self.client.request(method.clone(), &url);
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
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Reads a project's policy, changes it with `edit` and writes it back with its etag.
    pub async fn edit_project_policy(
        &self,
        project: &str,
        edit: impl FnOnce(&mut Value),
    ) -> Result<Value> {
        let mut policy = self
            .call(
                "POST",
                &format!("/v1/projects/{project}:getIamPolicy"),
                Some(json!({})),
            )
            .await?;
        edit(&mut policy);
        self.call(
            "POST",
            &format!("/v1/projects/{project}:setIamPolicy"),
            Some(json!({ "policy": policy })),
        )
        .await
    }
}

/// Adds `member` to the binding of `role` in `policy` (made when missing).
pub fn grant(policy: &mut Value, role: &str, member: &str) {
    if !policy["bindings"].is_array() {
        policy["bindings"] = json!([]);
    }
    let Some(bindings) = policy["bindings"].as_array_mut() else {
        return;
    };
    match bindings
        .iter_mut()
        .find(|b| b["role"] == role && b.get("condition").is_none())
    {
        Some(b) => {
            if let Some(m) = b["members"].as_array_mut() {
                m.push(json!(member));
            }
        }
        None => bindings.push(json!({"role": role, "members": [member]})),
    }
}

/// Removes `member` from the binding of `role` (and the binding when it is left empty).
pub fn revoke(policy: &mut Value, role: &str, member: &str) {
    if let Some(bindings) = policy["bindings"].as_array_mut() {
        for b in bindings.iter_mut().filter(|b| b["role"] == role) {
            if let Some(m) = b["members"].as_array_mut() {
                m.retain(|x| x != member);
            }
        }
        bindings.retain(|b| b["members"].as_array().is_some_and(|m| !m.is_empty()));
    }
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

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let name = match status {
        StatusCode::NOT_FOUND => "NOT_FOUND",
        StatusCode::CONFLICT => "ALREADY_EXISTS",
        StatusCode::BAD_REQUEST => "INVALID_ARGUMENT",
        _ => "FAILED_PRECONDITION",
    };
    respond(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message, "status": name}}),
    )
}

fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

/// Where a request goes: the project, the collection path and the item (with the custom verb
/// after `:` split off), or the project itself for `projects/P:verb`.
#[derive(Debug, PartialEq)]
struct Target {
    project: String,
    collection: Option<(String, &'static str)>,
    item: Option<String>,
    verb: Option<String>,
}

fn route(path: &str) -> Option<Target> {
    let rest = path
        .strip_prefix("/dns/v1/")
        .or_else(|| path.strip_prefix("/v1/"))?;
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.first() != Some(&"projects") || parts.len() < 2 {
        return None;
    }
    let split_verb = |s: &str| match s.split_once(':') {
        Some((a, v)) => (a.to_string(), Some(v.to_string())),
        None => (s.to_string(), None),
    };
    let (project, verb) = split_verb(parts[1]);
    let mut t = Target {
        project,
        collection: None,
        item: None,
        verb,
    };
    let mut i = 2;
    while i < parts.len() {
        let name = parts[i];
        let &(_, field) = COLLECTIONS.iter().find(|(c, _)| *c == name)?;
        t.collection = Some((parts[..=i].join("/"), field));
        let width = if name == "rrsets" { 2 } else { 1 };
        let item = parts.get(i + 1..i + 1 + width).map(|p| p.join("/"));
        match item {
            Some(item) if i + 1 + width == parts.len() => {
                let (item, verb) = split_verb(&item);
                t.item = Some(item);
                t.verb = verb;
            }
            Some(item) => t.item = Some(item),
            None if i + 1 == parts.len() => t.item = None,
            None => return None,
        }
        i += 1 + width;
    }
    Some(t)
}

async fn handle(
    req: Request<Incoming>,
    store: Arc<Mutex<Store>>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let method = req.method().clone();
    let body = req.into_body().collect().await?.to_bytes();
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return Ok(error(StatusCode::BAD_REQUEST, "the body is not JSON")),
        }
    };
    let mut guard = store.lock().expect("store lock");
    if let Some(answer) = guard.gke.serve(&method, &path, query.as_deref(), &body) {
        return Ok(match answer {
            Ok(v) => respond(StatusCode::OK, &v),
            Err((status, message)) => error(status, &message),
        });
    }
    drop(guard);
    let Some(t) = route(&path) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            &format!("no such resource: {path}"),
        ));
    };
    let mut store = store.lock().expect("store lock");
    defaults(&mut store, &t.project);
    Ok(serve(&mut store, &t, &method, query.as_deref(), body))
}

/// What Google makes with a project, once.
fn defaults(store: &mut Store, project: &str) {
    if store.projects.insert(project.to_string(), ()).is_some() {
        return;
    }
    let compute_sa = format!("{PROJECT_NUMBER}-compute@developer.gserviceaccount.com");
    store.policies.insert(
        project.to_string(),
        json!({"version": 1, "etag": "BwYAAAAAAAA=", "bindings": [
            {"role": "roles/owner", "members": [FOUNDER]},
            {"role": "roles/editor", "members": [
                format!("serviceAccount:{compute_sa}"),
                format!("serviceAccount:{PROJECT_NUMBER}@cloudservices.gserviceaccount.com")]},
            {"role": "roles/pubsub.serviceAgent", "members": [
                format!("serviceAccount:service-{PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com")]}
        ]}),
    );
    let account = json!({"name": format!("projects/{project}/serviceAccounts/{compute_sa}"),
        "projectId": project, "uniqueId": "100000000000000000001", "email": compute_sa,
        "displayName": "Compute Engine default service account",
        "oauth2ClientId": "100000000000000000001"});
    store
        .collections
        .entry(format!("projects/{project}/serviceAccounts"))
        .or_default()
        .insert(compute_sa, account);
    let locations = store
        .collections
        .entry(format!("projects/{project}/locations"))
        .or_default();
    for l in KMS_LOCATIONS {
        locations.insert(
            l.to_string(),
            json!({"name": format!("projects/{project}/locations/{l}"), "locationId": l}),
        );
    }
}

fn serve(
    store: &mut Store,
    t: &Target,
    method: &Method,
    query: Option<&str>,
    body: Value,
) -> Response<Full<Bytes>> {
    store.serial += 1;
    let serial = store.serial;
    let Some((collection, field)) = &t.collection else {
        return project_policy(store, t, method, body);
    };
    let items = store.collections.entry(collection.clone()).or_default();
    let kind = collection.rsplit('/').next().unwrap_or_default();
    match (method, &t.item, t.verb.as_deref()) {
        (&Method::GET, None, None) => {
            let start = query_param(query, "pageToken")
                .and_then(|t| t.parse::<usize>().ok())
                .unwrap_or(0);
            let asked = query_param(query, "pageSize")
                .or_else(|| query_param(query, "maxResults"))
                .and_then(|m| m.parse::<usize>().ok())
                .unwrap_or(PAGE_LIMIT);
            let max = asked.clamp(1, PAGE_LIMIT);
            let page: Vec<&Value> = items.values().skip(start).take(max).collect();
            let mut answer = json!({ *field: page });
            if start + max < items.len() {
                answer["nextPageToken"] = json!((start + max).to_string());
            }
            respond(StatusCode::OK, &answer)
        }
        (&Method::POST, None, None) => {
            let made = match kind {
                "serviceAccounts" => new_account(&t.project, &body, serial),
                "managedZones" => new_zone(&body, serial),
                "rrsets" => new_record_set(&body),
                "keyRings" | "cryptoKeys" => new_kms(kind, collection, query, &body),
                "instances" => new_sql_instance(&t.project, &body),
                _ => None,
            };
            let Some((id, resource)) = made else {
                return error(StatusCode::BAD_REQUEST, "the resource is incomplete");
            };
            if items.contains_key(&id) {
                return error(StatusCode::CONFLICT, &format!("{id} already exists"));
            }
            items.insert(id.clone(), resource.clone());
            if kind == "managedZones" {
                apex_records(store, collection, &id, &resource);
            }
            if kind == "instances" {
                return respond(
                    StatusCode::OK,
                    &json!({"kind": "sql#operation", "status": "DONE",
                            "operationType": "CREATE", "targetId": id,
                            "name": format!("op-{serial}")}),
                );
            }
            respond(StatusCode::OK, &resource)
        }
        (&Method::PUT, Some(id), None) if matches!(kind, "topics" | "subscriptions") => {
            if items.contains_key(id) {
                return error(
                    StatusCode::CONFLICT,
                    "Resource already exists in the project",
                );
            }
            let Value::Object(mut r) = body else {
                return error(StatusCode::BAD_REQUEST, "the body is not an object");
            };
            r.insert("name".into(), json!(format!("{collection}/{id}")));
            if kind == "subscriptions" {
                subscription_defaults(&mut r);
            }
            let r = Value::Object(r);
            items.insert(id.clone(), r.clone());
            respond(StatusCode::OK, &r)
        }
        (method, Some(id), verb) => {
            let Some(current) = items.get_mut(id) else {
                return error(
                    StatusCode::NOT_FOUND,
                    &format!("Resource not found ({collection}/{id})"),
                );
            };
            match (method, verb) {
                (&Method::GET, None) => respond(StatusCode::OK, current),
                (&Method::PATCH, None) => {
                    patch(current, body);
                    respond(StatusCode::OK, current)
                }
                (&Method::POST, Some("disable" | "enable")) => {
                    current["disabled"] = json!(verb == Some("disable"));
                    respond(StatusCode::OK, &json!({}))
                }
                (&Method::DELETE, None) if !matches!(kind, "keyRings" | "cryptoKeys") => {
                    items.remove(id);
                    respond(StatusCode::OK, &json!({}))
                }
                _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            }
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

/// `projects/P:getIamPolicy` and `:setIamPolicy`.
fn project_policy(
    store: &mut Store,
    t: &Target,
    method: &Method,
    body: Value,
) -> Response<Full<Bytes>> {
    let n = store.serial;
    let policy = store.policies.entry(t.project.clone()).or_default();
    match (method, t.verb.as_deref()) {
        (&Method::POST, Some("getIamPolicy")) => respond(StatusCode::OK, policy),
        (&Method::POST, Some("setIamPolicy")) => {
            let mut new = body["policy"].clone();
            if !new.is_object() {
                return error(StatusCode::BAD_REQUEST, "policy is required");
            }
            if new.get("etag").is_some_and(|e| *e != policy["etag"]) {
                return respond(
                    StatusCode::CONFLICT,
                    &json!({"error": {"code": 409, "status": "ABORTED",
                        "message": "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff."}}),
                );
            }
            new["etag"] = json!(format!("BwYAAAAA{n:04}="));
            new["version"] = json!(1);
            *policy = new.clone();
            respond(StatusCode::OK, &new)
        }
        _ => error(StatusCode::NOT_FOUND, "no such method"),
    }
}

/// Replaces the fields a patch names: the resource as sent, or the one wrapped in the request
/// message (`{"topic": {...}, "updateMask": "labels"}`) with only the masked fields.
fn patch(current: &mut Value, body: Value) {
    let Value::Object(mut body) = body else {
        return;
    };
    let mask = body.remove("updateMask");
    let fields: Map<String, Value> = match (&mask, body.len()) {
        (Some(mask), 1) => {
            let inner = body
                .into_iter()
                .next()
                .and_then(|(_, v)| v.as_object().cloned())
                .unwrap_or_default();
            let names: Vec<String> = mask
                .as_str()
                .unwrap_or_default()
                .split(',')
                .map(|m| m.trim().to_string())
                .collect();
            inner
                .into_iter()
                .filter(|(k, _)| names.iter().any(|n| n == k))
                .collect()
        }
        _ => body,
    };
    if let Value::Object(c) = current {
        c.extend(fields);
    }
}

fn new_account(project: &str, body: &Value, serial: u64) -> Option<(String, Value)> {
    let id = body["accountId"].as_str().filter(|a| !a.is_empty())?;
    let email = format!("{id}@{project}.iam.gserviceaccount.com");
    let sa = &body["serviceAccount"];
    let unique = format!("1{serial:020}");
    let mut r = json!({"name": format!("projects/{project}/serviceAccounts/{email}"),
        "projectId": project, "uniqueId": unique, "email": email,
        "oauth2ClientId": unique, "etag": "MDEwMjE5MjA="});
    for key in ["displayName", "description"] {
        if let Some(v) = sa[key].as_str().filter(|v| !v.is_empty()) {
            r[key] = json!(v);
        }
    }
    Some((email, r))
}

fn new_zone(body: &Value, serial: u64) -> Option<(String, Value)> {
    let name = body["name"].as_str().filter(|n| !n.is_empty())?;
    body["dnsName"].as_str()?;
    let mut r = body.clone();
    r["kind"] = json!("dns#managedZone");
    r["id"] = json!(format!("{}", 7_000_000 + serial));
    r["creationTime"] = json!("2026-01-05T10:00:00.000Z");
    r["nameServers"] = json!([
        "ns-cloud-a1.googledomains.com.",
        "ns-cloud-a2.googledomains.com."
    ]);
    if r.get("visibility").is_none() {
        r["visibility"] = json!("public");
    }
    Some((name.to_string(), r))
}

fn new_record_set(body: &Value) -> Option<(String, Value)> {
    let name = body["name"].as_str().filter(|n| n.ends_with('.'))?;
    let kind = body["type"].as_str().filter(|t| !t.is_empty())?;
    let mut r = body.clone();
    r["kind"] = json!("dns#resourceRecordSet");
    Some((format!("{name}/{kind}"), r))
}

/// A key ring (`?keyRingId=`) or a key (`?cryptoKeyId=`) with what Cloud KMS fills in.
fn new_kms(
    kind: &str,
    collection: &str,
    query: Option<&str>,
    body: &Value,
) -> Option<(String, Value)> {
    let param = if kind == "keyRings" {
        "keyRingId"
    } else {
        "cryptoKeyId"
    };
    let id = query_param(query, param).filter(|i| !i.is_empty())?;
    let mut r = if body.is_object() {
        body.clone()
    } else {
        json!({})
    };
    r["name"] = json!(format!("{collection}/{id}"));
    r["createTime"] = json!("2026-01-05T10:00:00.000000Z");
    if kind == "cryptoKeys" {
        let m = r.as_object_mut()?;
        m.entry("purpose").or_insert(json!("ENCRYPT_DECRYPT"));
        m.entry("versionTemplate").or_insert(json!(
            {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "SOFTWARE"}));
        m.entry("destroyScheduledDuration")
            .or_insert(json!("2592000s"));
    }
    Some((id, r))
}

/// A Cloud SQL instance with what the API fills in.
fn new_sql_instance(project: &str, body: &Value) -> Option<(String, Value)> {
    let name = body["name"].as_str().filter(|n| !n.is_empty())?;
    let region = body["region"].as_str().unwrap_or("us-central1");
    let mut r = body.clone();
    r["kind"] = json!("sql#instance");
    r["state"] = json!("RUNNABLE");
    r["region"] = json!(region);
    r["connectionName"] = json!(format!("{project}:{region}:{name}"));
    r["project"] = json!(project);
    Some((name.to_string(), r))
}

/// The SOA and NS record sets Cloud DNS makes at a new zone's apex.
fn apex_records(store: &mut Store, zones: &str, zone: &str, z: &Value) {
    let apex = z["dnsName"].as_str().unwrap_or_default().to_string();
    let sets = store
        .collections
        .entry(format!("{zones}/{zone}/rrsets"))
        .or_default();
    sets.insert(
        format!("{apex}/NS"),
        json!({"kind": "dns#resourceRecordSet", "name": apex, "type": "NS", "ttl": 21600,
               "rrdatas": z["nameServers"].clone()}),
    );
    sets.insert(
        format!("{apex}/SOA"),
        json!({"kind": "dns#resourceRecordSet", "name": apex, "type": "SOA", "ttl": 21600,
               "rrdatas": ["ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]}),
    );
}

/// What Pub/Sub fills in on a new subscription.
fn subscription_defaults(r: &mut Map<String, Value>) {
    r.entry("ackDeadlineSeconds").or_insert(json!(10));
    r.entry("messageRetentionDuration")
        .or_insert(json!("604800s"));
    r.entry("expirationPolicy")
        .or_insert(json!({"ttl": "2678400s"}));
    r.entry("pushConfig").or_insert(json!({}));
    r.insert("state".into(), json!("ACTIVE"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_route_to_collections_items_and_verbs() {
        let t = route("/v1/projects/p/topics").expect("topics");
        assert_eq!(
            t.collection,
            Some(("projects/p/topics".to_string(), "topics"))
        );
        assert_eq!(t.item, None);
        let t = route("/v1/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com:disable")
            .expect("sa");
        assert_eq!(t.item.as_deref(), Some("a@p.iam.gserviceaccount.com"));
        assert_eq!(t.verb.as_deref(), Some("disable"));
        let t =
            route("/dns/v1/projects/p/managedZones/z/rrsets/www.example.com./A").expect("rrset");
        assert_eq!(
            t.collection,
            Some(("projects/p/managedZones/z/rrsets".to_string(), "rrsets"))
        );
        assert_eq!(t.item.as_deref(), Some("www.example.com./A"));
        let t = route("/v1/projects/p:getIamPolicy").expect("policy");
        assert_eq!(
            (t.project.as_str(), t.verb.as_deref()),
            ("p", Some("getIamPolicy"))
        );
        assert!(t.collection.is_none());
        let t = route("/v1/projects/p/locations/us/keyRings/r/cryptoKeys/k").expect("key");
        assert_eq!(
            t.collection,
            Some((
                "projects/p/locations/us/keyRings/r/cryptoKeys".to_string(),
                "cryptoKeys"
            ))
        );
        assert_eq!(t.item.as_deref(), Some("k"));
        assert!(route("/v1/projects/p/unknown").is_none());
        assert!(route("/storage/v1/b").is_none());
    }

    #[test]
    fn patches_replace_only_the_masked_fields() {
        let mut topic =
            json!({"name": "projects/p/topics/t", "labels": {"a": "1"}, "kmsKeyName": "k"});
        patch(
            &mut topic,
            json!({"topic": {"labels": {"a": "2"}, "kmsKeyName": "other"}, "updateMask": "labels"}),
        );
        assert_eq!(topic["labels"], json!({"a": "2"}));
        assert_eq!(topic["kmsKeyName"], json!("k"));
        let mut zone = json!({"name": "z", "description": "old"});
        patch(&mut zone, json!({"description": "new"}));
        assert_eq!(zone["description"], json!("new"));
    }
}
