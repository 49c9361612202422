//! The GKE part of the Google APIs stand-in ([`crate::gcp_apis`]): Kubernetes Engine v1
//! `projects.locations.clusters` and their `nodePools`, at the documented paths below `/v1/`,
//! with the JSON field names of the API reference. No emulator serves GKE.
//!
//! What it serves, as GKE does:
//! - `GET .../locations/L/clusters`: every cluster at `L`, or with `L` = `-` every cluster of the
//!   project, each with its `nodePools` embedded, in one answer (`clusters`, and `missingZones`
//!   when [`Gke::missing_zones`] names some). The call takes no page size: a `pageSize` query
//!   parameter is refused (400), as Google refuses a parameter the method does not declare;
//! - `POST .../clusters` (`{"cluster": ...}`) with what GKE fills in (a `default-pool` when no
//!   pool is given, the default network, logging and monitoring, a release channel, shielded
//!   nodes, the add-ons on by default), answered with a finished operation;
//! - `GET` and `DELETE` of a cluster; `PUT` of a cluster with `{"update": {"desired...": ...}}`,
//!   exactly one setting per call, as GKE allows; `:setLegacyAbac`, `:setNetworkPolicy` and
//!   `:setResourceLabels` (refused when its `labelFingerprint` is not the current one);
//! - `POST .../nodePools` (`{"nodePool": ...}`), `GET`, `DELETE`, `PUT` (machine type, disk,
//!   image, metadata mode, `labels`, `tags`, `locations`), `:setAutoscaling`, `:setManagement`
//!   and `:setSize` of a pool.
//!
//! Everything is applied at once: operations are answered `DONE`.

use hyper::{Method, StatusCode};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The version every cluster and pool runs here.
pub const VERSION: &str = "1.30.5-gke.1014001";

/// The OAuth scopes GKE gives nodes when none are asked.
pub const DEFAULT_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring",
    "https://www.googleapis.com/auth/service.management.readonly",
    "https://www.googleapis.com/auth/servicecontrol",
    "https://www.googleapis.com/auth/trace.append",
];

/// The GKE clusters of every project.
#[derive(Default)]
pub struct Gke {
    /// (project, location, name) → the cluster, its pools embedded.
    clusters: BTreeMap<(String, String, String), Value>,
    /// Zones or regions a listing says it could not reach.
    pub missing_zones: Vec<String>,
    serial: u64,
}

type Answer = Result<Value, (StatusCode, String)>;

fn bad(message: &str) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.to_string())
}

fn not_found(what: &str) -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, format!("Not found: {what}."))
}

/// Where a GKE request goes.
#[derive(Debug, PartialEq)]
struct Path {
    project: String,
    location: String,
    cluster: Option<String>,
    pool: Option<String>,
    /// `:verb` after the last segment.
    verb: Option<String>,
    /// The request names the `nodePools` collection.
    pools: bool,
}

/// `projects/P/locations/L/clusters[/C[/nodePools[/N]]][:verb]` below `/v1/`; `None` for any
/// other path.
fn parse(path: &str) -> Option<Path> {
    let rest = path.strip_prefix("/v1/")?;
    let (rest, verb) = match rest.rsplit_once(':') {
        Some((r, v)) if !v.contains('/') => (r, Some(v.to_string())),
        _ => (rest, None),
    };
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["projects", p, "locations", l, "clusters", tail @ ..] => {
            let mut path = Path {
                project: p.to_string(),
                location: l.to_string(),
                cluster: None,
                pool: None,
                verb,
                pools: false,
            };
            match tail {
                [] => {}
                [c] => path.cluster = Some(c.to_string()),
                [c, "nodePools"] => {
                    path.cluster = Some(c.to_string());
                    path.pools = true;
                }
                [c, "nodePools", n] => {
                    path.cluster = Some(c.to_string());
                    path.pools = true;
                    path.pool = Some(n.to_string());
                }
                _ => return None,
            }
            Some(path)
        }
        _ => None,
    }
}

fn query_has(query: Option<&str>, key: &str) -> bool {
    query.is_some_and(|q| q.split('&').any(|kv| kv.split('=').next() == Some(key)))
}

/// The region of a zone (`us-central1-a` → `us-central1`); a region is itself.
fn region_of(location: &str) -> &str {
    match location.rsplit_once('-') {
        Some((region, zone)) if zone.len() == 1 && region.contains('-') => region,
        _ => location,
    }
}

impl Gke {
    /// Answers a GKE request, or `None` when `path` is not one.
    pub fn serve(
        &mut self,
        method: &Method,
        path: &str,
        query: Option<&str>,
        body: &Value,
    ) -> Option<Answer> {
        let p = parse(path)?;
        self.serial += 1;
        Some(match (&p.cluster, p.pools, &p.pool) {
            (None, _, _) => self.clusters_call(method, &p, query, body),
            (Some(_), false, _) => self.cluster_call(method, &p, body),
            (Some(_), true, None) => self.pools_call(method, &p, body),
            (Some(_), true, Some(_)) => self.pool_call(method, &p, body),
        })
    }

    fn key(p: &Path) -> (String, String, String) {
        (
            p.project.clone(),
            p.location.clone(),
            p.cluster.clone().unwrap_or_default(),
        )
    }

    fn operation(&self, p: &Path, kind: &str) -> Value {
        json!({"name": format!("operation-{}", self.serial), "zone": p.location,
               "operationType": kind, "status": "DONE",
               "selfLink": format!("https://container.googleapis.com/v1/projects/{}/locations/{}/operations/operation-{}",
                                   p.project, p.location, self.serial)})
    }

    fn clusters_call(
        &mut self,
        method: &Method,
        p: &Path,
        query: Option<&str>,
        body: &Value,
    ) -> Answer {
        match *method {
            Method::GET => {
                if query_has(query, "pageSize") {
                    return Err(bad(
                        "Invalid JSON payload received. Unknown name \"pageSize\": Cannot bind \
                         query parameter. Field 'pageSize' could not be found in request message.",
                    ));
                }
                let clusters: Vec<&Value> = self
                    .clusters
                    .iter()
                    .filter(|((project, location, _), _)| {
                        *project == p.project && (p.location == "-" || *location == p.location)
                    })
                    .map(|(_, c)| c)
                    .collect();
                let mut answer = json!({ "clusters": clusters });
                if !self.missing_zones.is_empty() {
                    answer["missingZones"] = json!(self.missing_zones);
                }
                Ok(answer)
            }
            Method::POST => {
                if p.location == "-" {
                    return Err(bad("Location \"-\" is not valid for creating a cluster."));
                }
                let mut c = body["cluster"].clone();
                let name = c["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| bad("Cluster.name must be set."))?
                    .to_string();
                let key = (p.project.clone(), p.location.clone(), name.clone());
                if self.clusters.contains_key(&key) {
                    return Err((
                        StatusCode::CONFLICT,
                        format!(
                            "Already exists: projects/{}/locations/{}/clusters/{name}.",
                            p.project, p.location
                        ),
                    ));
                }
                cluster_defaults(&mut c, p, &name, self.serial);
                self.clusters.insert(key, c);
                Ok(self.operation(p, "CREATE_CLUSTER"))
            }
            _ => Err((StatusCode::METHOD_NOT_ALLOWED, "method not allowed".into())),
        }
    }

    fn cluster_call(&mut self, method: &Method, p: &Path, body: &Value) -> Answer {
        let key = Self::key(p);
        let serial = self.serial;
        let Some(c) = self.clusters.get_mut(&key) else {
            return Err(not_found(&format!(
                "projects/{}/locations/{}/clusters/{}",
                key.0, key.1, key.2
            )));
        };
        match (method, p.verb.as_deref()) {
            (&Method::GET, None) => return Ok(c.clone()),
            (&Method::DELETE, None) => {
                self.clusters.remove(&key);
                return Ok(self.operation(p, "DELETE_CLUSTER"));
            }
            (&Method::PUT, None) => {
                let update = body["update"].as_object().cloned().unwrap_or_default();
                let desired: Vec<(&String, &Value)> = update
                    .iter()
                    .filter(|(k, _)| k.starts_with("desired") && *k != "desiredNodePoolId")
                    .collect();
                if desired.len() != 1 {
                    return Err(bad(
                        "Exactly one update can be applied to a cluster at a time.",
                    ));
                }
                let (field, value) = desired[0];
                let field = match field.as_str() {
                    "desiredMasterVersion" => "currentMasterVersion".to_string(),
                    "desiredLocations" => "locations".to_string(),
                    f => {
                        let f = &f["desired".len()..];
                        let mut chars = f.chars();
                        chars.next().map_or_else(String::new, |first| {
                            first.to_ascii_lowercase().to_string() + chars.as_str()
                        })
                    }
                };
                c[field.as_str()] = value.clone();
            }
            (&Method::POST, Some("setLegacyAbac")) => {
                c["legacyAbac"] = if body["enabled"] == json!(true) {
                    json!({"enabled": true})
                } else {
                    json!({})
                };
            }
            (&Method::POST, Some("setNetworkPolicy")) => {
                c["networkPolicy"] = body["networkPolicy"].clone();
            }
            (&Method::POST, Some("setResourceLabels")) => {
                if body["labelFingerprint"] != c["labelFingerprint"] {
                    return Err((
                        StatusCode::PRECONDITION_FAILED,
                        "Labels could not be set due to fingerprint mismatch.".into(),
                    ));
                }
                c["resourceLabels"] = body["resourceLabels"].clone();
                c["labelFingerprint"] = json!(format!("{serial:08x}"));
            }
            _ => return Err((StatusCode::METHOD_NOT_ALLOWED, "method not allowed".into())),
        }
        Ok(self.operation(p, "UPDATE_CLUSTER"))
    }

    fn pools_call(&mut self, method: &Method, p: &Path, body: &Value) -> Answer {
        let key = Self::key(p);
        let Some(c) = self.clusters.get_mut(&key) else {
            return Err(not_found(&format!("cluster {}", key.2)));
        };
        match *method {
            Method::GET => Ok(json!({"nodePools": c["nodePools"]})),
            Method::POST => {
                let mut pool = body["nodePool"].clone();
                let name = pool["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| bad("NodePool.name must be set."))?
                    .to_string();
                if pools_of(c).iter().any(|x| x["name"] == json!(name)) {
                    return Err((
                        StatusCode::CONFLICT,
                        format!("Already exists: node pool {name}."),
                    ));
                }
                pool_defaults(&mut pool, c, p);
                pools_mut(c).push(pool);
                Ok(self.operation(p, "CREATE_NODE_POOL"))
            }
            _ => Err((StatusCode::METHOD_NOT_ALLOWED, "method not allowed".into())),
        }
    }

    fn pool_call(&mut self, method: &Method, p: &Path, body: &Value) -> Answer {
        let key = Self::key(p);
        let name = p.pool.clone().unwrap_or_default();
        let Some(c) = self.clusters.get_mut(&key) else {
            return Err(not_found(&format!("cluster {}", key.2)));
        };
        let pools = pools_mut(c);
        let Some(at) = pools.iter().position(|x| x["name"] == json!(name)) else {
            return Err(not_found(&format!("node pool {name}")));
        };
        let pool = &mut pools[at];
        match (method, p.verb.as_deref()) {
            (&Method::GET, None) => return Ok(pool.clone()),
            (&Method::DELETE, None) => {
                pools.remove(at);
                return Ok(self.operation(p, "DELETE_NODE_POOL"));
            }
            (&Method::PUT, None) => {
                let Some(update) = body.as_object() else {
                    return Err(bad("the body is not an object"));
                };
                for (k, v) in update {
                    match k.as_str() {
                        "machineType"
                        | "diskSizeGb"
                        | "diskType"
                        | "imageType"
                        | "workloadMetadataConfig" => pool["config"][k.as_str()] = v.clone(),
                        "labels" => pool["config"]["labels"] = v["labels"].clone(),
                        "tags" => pool["config"]["tags"] = v["tags"].clone(),
                        "locations" => pool["locations"] = v.clone(),
                        "nodeVersion" => pool["version"] = v.clone(),
                        _ => {}
                    }
                }
            }
            (&Method::POST, Some("setAutoscaling")) => {
                pool["autoscaling"] = body["autoscaling"].clone();
            }
            (&Method::POST, Some("setManagement")) => {
                pool["management"] = body["management"].clone();
            }
            (&Method::POST, Some("setSize")) => {
                pool["initialNodeCount"] = body["nodeCount"].clone();
            }
            _ => return Err((StatusCode::METHOD_NOT_ALLOWED, "method not allowed".into())),
        }
        Ok(self.operation(p, "UPDATE_NODE_POOL"))
    }
}

fn pools_of(c: &Value) -> Vec<Value> {
    c["nodePools"].as_array().cloned().unwrap_or_default()
}

fn pools_mut(c: &mut Value) -> &mut Vec<Value> {
    if !c["nodePools"].is_array() {
        c["nodePools"] = json!([]);
    }
    c["nodePools"]
        .as_array_mut()
        .expect("an array was just set")
}

fn fill(m: &mut Map<String, Value>, key: &str, value: Value) {
    m.entry(key.to_string()).or_insert(value);
}

/// What GKE fills in on a new cluster.
fn cluster_defaults(c: &mut Value, p: &Path, name: &str, serial: u64) {
    let Some(m) = c.as_object_mut() else {
        return;
    };
    let (project, location) = (&p.project, &p.location);
    let zonal = region_of(location) != location;
    m.insert("location".into(), json!(location));
    m.insert("status".into(), json!("RUNNING"));
    m.insert(
        "selfLink".into(),
        json!(format!("https://container.googleapis.com/v1/projects/{project}/locations/{location}/clusters/{name}")),
    );
    m.insert("endpoint".into(), json!("203.0.113.10"));
    m.insert("currentMasterVersion".into(), json!(VERSION));
    m.insert("labelFingerprint".into(), json!(format!("{serial:08x}")));
    if zonal {
        m.insert("zone".into(), json!(location));
    }
    fill(m, "network", json!("default"));
    fill(m, "subnetwork", json!("default"));
    let network = m["network"].as_str().unwrap_or("default").to_string();
    let subnetwork = m["subnetwork"].as_str().unwrap_or("default").to_string();
    m.insert(
        "networkConfig".into(),
        json!({"network": format!("projects/{project}/global/networks/{network}"),
               "subnetwork": format!("projects/{project}/regions/{}/subnetworks/{subnetwork}",
                                     region_of(location))}),
    );
    fill(
        m,
        "loggingService",
        json!("logging.googleapis.com/kubernetes"),
    );
    fill(
        m,
        "monitoringService",
        json!("monitoring.googleapis.com/kubernetes"),
    );
    fill(m, "legacyAbac", json!({}));
    fill(m, "networkPolicy", json!({}));
    fill(m, "releaseChannel", json!({"channel": "REGULAR"}));
    fill(m, "shieldedNodes", json!({"enabled": true}));
    fill(m, "databaseEncryption", json!({"state": "DECRYPTED"}));
    fill(
        m,
        "addonsConfig",
        json!({"httpLoadBalancing": {}, "horizontalPodAutoscaling": {},
               "networkPolicyConfig": {"disabled": true},
               "gcePersistentDiskCsiDriverConfig": {"enabled": true}}),
    );
    m.insert(
        "masterAuth".into(),
        json!({"clusterCaCertificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
               "clientCertificateConfig": {}}),
    );
    let locations = match m.get("locations").and_then(Value::as_array) {
        Some(l) if !l.is_empty() => Value::Array(l.clone()),
        _ if zonal => json!([location]),
        _ => json!(["a", "b", "c"]
            .iter()
            .map(|z| format!("{location}-{z}"))
            .collect::<Vec<_>>()),
    };
    m.insert("locations".into(), locations);
    let initial = m.remove("initialNodeCount").unwrap_or(json!(3));
    let config = m.remove("nodeConfig").unwrap_or(json!({}));
    let mut pools = match m.remove("nodePools") {
        Some(Value::Array(p)) if !p.is_empty() => p,
        _ => vec![json!({"name": "default-pool", "initialNodeCount": initial, "config": config})],
    };
    let cluster = c.clone();
    for pool in &mut pools {
        pool_defaults(pool, &cluster, p);
    }
    c["nodePools"] = Value::Array(pools);
}

/// What GKE fills in on a new node pool of `cluster`.
fn pool_defaults(pool: &mut Value, cluster: &Value, p: &Path) {
    let name = pool["name"].as_str().unwrap_or("pool").to_string();
    let Some(m) = pool.as_object_mut() else {
        return;
    };
    fill(m, "initialNodeCount", json!(3));
    fill(m, "locations", cluster["locations"].clone());
    fill(m, "autoscaling", json!({}));
    fill(
        m,
        "management",
        json!({"autoUpgrade": true, "autoRepair": true}),
    );
    fill(m, "maxPodsConstraint", json!({"maxPodsPerNode": "110"}));
    fill(
        m,
        "upgradeSettings",
        json!({"maxSurge": 1, "strategy": "SURGE"}),
    );
    m.insert("version".into(), json!(VERSION));
    m.insert("status".into(), json!("RUNNING"));
    m.insert(
        "selfLink".into(),
        json!(format!(
            "https://container.googleapis.com/v1/projects/{}/locations/{}/clusters/{}/nodePools/{name}",
            p.project,
            cluster["location"].as_str().unwrap_or(&p.location),
            cluster["name"].as_str().unwrap_or_default()
        )),
    );
    let config = m.entry("config").or_insert(json!({}));
    if let Some(cfg) = config.as_object_mut() {
        fill(cfg, "machineType", json!("e2-medium"));
        fill(cfg, "diskSizeGb", json!(100));
        fill(cfg, "diskType", json!("pd-balanced"));
        fill(cfg, "imageType", json!("COS_CONTAINERD"));
        fill(cfg, "oauthScopes", json!(DEFAULT_SCOPES));
        fill(cfg, "serviceAccount", json!("default"));
        fill(cfg, "metadata", json!({"disable-legacy-endpoints": "true"}));
        fill(
            cfg,
            "shieldedInstanceConfig",
            json!({"enableIntegrityMonitoring": true}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_to_clusters_pools_and_verbs() {
        let p = parse("/v1/projects/p/locations/-/clusters").expect("list");
        assert_eq!((p.location.as_str(), p.cluster.as_deref()), ("-", None));
        let p =
            parse("/v1/projects/p/locations/us-central1-a/clusters/c:setLegacyAbac").expect("verb");
        assert_eq!(p.cluster.as_deref(), Some("c"));
        assert_eq!(p.verb.as_deref(), Some("setLegacyAbac"));
        let p =
            parse("/v1/projects/p/locations/europe-west1/clusters/c/nodePools/np:setAutoscaling")
                .expect("pool verb");
        assert_eq!(p.pool.as_deref(), Some("np"));
        assert!(p.pools);
        assert!(parse("/v1/projects/p/locations/us/keyRings/r").is_none());
        assert!(parse("/v1/projects/p/topics").is_none());
    }

    #[test]
    fn clusters_are_made_listed_once_per_project_and_updated_one_setting_at_a_time() {
        let mut g = Gke::default();
        let post = Method::POST;
        let made = g
            .serve(
                &post,
                "/v1/projects/p/locations/us-central1-a/clusters",
                None,
                &json!({"cluster": {"name": "c1", "initialNodeCount": 1}}),
            )
            .expect("gke path")
            .expect("made");
        assert_eq!(made["status"], json!("DONE"));
        g.serve(
            &post,
            "/v1/projects/p/locations/europe-west1/clusters",
            None,
            &json!({"cluster": {"name": "c2", "nodePools": [{"name": "web"}]}}),
        )
        .expect("gke path")
        .expect("made");
        let all = g
            .serve(
                &Method::GET,
                "/v1/projects/p/locations/-/clusters",
                None,
                &Value::Null,
            )
            .expect("gke path")
            .expect("listed");
        let clusters = all["clusters"].as_array().expect("clusters");
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[1]["nodePools"][0]["name"], json!("default-pool"));
        assert_eq!(clusters[1]["locations"], json!(["us-central1-a"]));
        assert_eq!(clusters[0]["nodePools"][0]["name"], json!("web"));
        assert_eq!(clusters[0]["locations"].as_array().map(Vec::len), Some(3));
        let refused = g
            .serve(
                &Method::GET,
                "/v1/projects/p/locations/-/clusters",
                Some("pageSize=100"),
                &Value::Null,
            )
            .expect("gke path");
        assert_eq!(refused.unwrap_err().0, StatusCode::BAD_REQUEST);
        let two = json!({"update": {"desiredLoggingService": "none",
                                    "desiredMonitoringService": "none"}});
        let put = Method::PUT;
        let path = "/v1/projects/p/locations/us-central1-a/clusters/c1";
        assert!(g.serve(&put, path, None, &two).expect("gke path").is_err());
        let one = json!({"update": {"desiredLoggingService": "none"}});
        assert!(g.serve(&put, path, None, &one).expect("gke path").is_ok());
        let c = g
            .serve(&Method::GET, path, None, &Value::Null)
            .expect("gke path")
            .expect("got");
        assert_eq!(c["loggingService"], json!("none"));
        let stale = json!({"resourceLabels": {"a": "b"}, "labelFingerprint": "nope"});
        let labels = format!("{path}:setResourceLabels");
        assert!(g
            .serve(&post, &labels, None, &stale)
            .expect("gke path")
            .is_err());
    }
}
