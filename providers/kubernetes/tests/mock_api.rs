//! The provider against a scripted API server, through kube-rs's own client: kube-rs's
//! mock-service pattern (a `tower::service_fn` answering HTTP requests), for what the emulator
//! cannot do: paging with continue tokens, expired tokens (410), access denied (403), kinds the
//! server does not serve (404 on discovery), and a listing that breaks in the middle.

mod common;

use common::*;
use driftd_kubernetes::KubeSettings;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// What the scripted server answers: `(status, body)` for a method, path and query.
type Script = dyn Fn(&str, &str, &str) -> (u16, Value) + Send + Sync;

/// A kube-rs client whose every request is answered by `script`, and the log of requests.
fn scripted(script: Arc<Script>) -> (kube::Client, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let (script, seen) = (script.clone(), seen.clone());
        async move {
            let path = req.uri().path().to_string();
            let query = req.uri().query().unwrap_or("").to_string();
            seen.lock()
                .unwrap()
                .push(format!("{} {path}?{query}", req.method()));
            let (status, body) = script(req.method().as_str(), &path, &query);
            let body = serde_json::to_vec(&body).expect("JSON body");
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(kube::client::Body::from(body))
        }
    });
    (kube::Client::new(service, "default"), log)
}

fn resource(name: &str, kind: &str) -> Value {
    json!({"name": name, "singularName": kind.to_lowercase(), "namespaced": true, "kind": kind,
           "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
}

/// Discovery documents of the core group and `apps/v1`; 404 for any other group.
fn discovery(path: &str) -> Option<(u16, Value)> {
    match path {
        "/api/v1" => Some((
            200,
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
                   "resources": [resource("configmaps", "ConfigMap"), resource("secrets", "Secret"),
                                 resource("serviceaccounts", "ServiceAccount"),
                                 resource("services", "Service"),
                                 resource("persistentvolumeclaims", "PersistentVolumeClaim")]}),
        )),
        "/apis/apps/v1" => Some((
            200,
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "apps/v1",
                   "resources": [resource("deployments", "Deployment"),
                                 resource("statefulsets", "StatefulSet"),
                                 resource("daemonsets", "DaemonSet")]}),
        )),
        p if p.starts_with("/apis/") && p.matches('/').count() == 3 => Some((
            404,
            status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        )),
        _ => None,
    }
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

fn list(items: Vec<Value>, token: Option<&str>) -> Value {
    json!({"kind": "List", "apiVersion": "v1",
           "metadata": {"resourceVersion": "100", "continue": token.unwrap_or("")},
           "items": items})
}

fn configmap(name: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
                        "resourceVersion": "7"},
           "data": {"k": "v"}})
}

const CONFIGMAPS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-1}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-5}
data: {k: v}
";

/// Only watched kinds that the script answers: keeps request logs short.
fn settings(page_size: u32) -> KubeSettings {
    KubeSettings {
        page_size,
        watch_kinds: Vec::new(),
        watch_namespaces: vec!["default".into()],
        ..KubeSettings::default()
    }
}

#[tokio::test]
async fn paging_reads_every_page_before_comparing() {
    let script: Arc<Script> = Arc::new(|_, path, query| {
        if let Some(d) = discovery(path) {
            return d;
        }
        assert_eq!(path, "/api/v1/namespaces/default/configmaps");
        assert!(query.contains("limit=2"), "{query}");
        if query.contains("continue=p2") {
            (200, list(vec![configmap("cm-5")], None))
        } else if query.contains("continue=p1") {
            (
                200,
                list(vec![configmap("cm-3"), configmap("cm-4")], Some("p2")),
            )
        } else {
            (
                200,
                list(vec![configmap("cm-1"), configmap("cm-2")], Some("p1")),
            )
        }
    });
    let (client, log) = scripted(script);
    let objs = manifests("paging", CONFIGMAPS, "default").await;
    let (a, inv) = scan(settings(2), Some(client), &objs, &[]).await;
    // cm-5 is on the last page: had paging stopped early, it would be "missing".
    assert_eq!(
        summary(&a),
        [
            "unmanaged ConfigMap default/cm-2",
            "unmanaged ConfigMap default/cm-3",
            "unmanaged ConfigMap default/cm-4"
        ]
    );
    assert!(a.complete());
    let lists = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/configmaps"))
        .count();
    assert_eq!(lists, 3);
    assert_eq!(
        inv.scanned,
        [("ConfigMap".to_string(), "default".to_string())]
    );
}

#[tokio::test]
async fn expired_continue_token_restarts_the_listing() {
    let first_try = Arc::new(Mutex::new(true));
    let script: Arc<Script> = Arc::new(move |_, path, query| {
        if let Some(d) = discovery(path) {
            return d;
        }
        if query.contains("continue=p1") {
            let mut first = first_try.lock().unwrap();
            if *first {
                *first = false;
                return (
                    410,
                    status(410, "Expired", "The provided continue parameter is too old"),
                );
            }
            return (200, list(vec![configmap("cm-5")], None));
        }
        (200, list(vec![configmap("cm-1")], Some("p1")))
    });
    let (client, log) = scripted(script);
    let objs = manifests("gone", CONFIGMAPS, "default").await;
    let (a, _) = scan(settings(1), Some(client), &objs, &[]).await;
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert!(a.complete());
    // First page, 410, then the whole listing again from its first page.
    let lists: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/configmaps"))
        .cloned()
        .collect();
    assert_eq!(lists.len(), 4, "{lists:?}");
    assert!(!lists[2].contains("continue="), "{lists:?}");
}

#[tokio::test]
async fn a_listing_that_breaks_midway_is_not_scanned_never_missing() {
    let script: Arc<Script> = Arc::new(|_, path, query| {
        if let Some(d) = discovery(path) {
            return d;
        }
        if query.contains("continue=p1") {
            return (500, status(500, "InternalError", "etcd is unhappy"));
        }
        (200, list(vec![configmap("cm-1")], Some("p1")))
    });
    let (client, _) = scripted(script);
    let objs = manifests("midway", CONFIGMAPS, "default").await;
    let (a, inv) = scan(settings(1), Some(client), &objs, &[]).await;
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(a.summary.not_scanned, 2);
    assert!(!a.complete());
    assert!(
        inv.resources.is_empty(),
        "a partial listing was used: {:?}",
        inv.resources
    );
    assert!(
        a.skipped[0].reason.contains("etcd is unhappy"),
        "{:?}",
        a.skipped
    );
}

#[tokio::test]
async fn forbidden_is_not_scanned_and_other_kinds_still_compare() {
    let script: Arc<Script> = Arc::new(|_, path, _| {
        if let Some(d) = discovery(path) {
            return d;
        }
        match path {
            "/api/v1/namespaces/default/secrets" => (
                403,
                status(
                    403,
                    "Forbidden",
                    "secrets is forbidden: User \"driftd\" cannot list resource \"secrets\"",
                ),
            ),
            "/api/v1/namespaces/default/configmaps" => (200, list(vec![configmap("cm-1")], None)),
            other => panic!("unexpected request {other}"),
        }
    });
    let (client, _) = scripted(script);
    let yaml = format!(
        "{CONFIGMAPS}---\napiVersion: v1\nkind: Secret\nmetadata: {{name: db}}\nstringData: {{password: hunter2}}\n"
    );
    let objs = manifests("forbidden", &yaml, "default").await;
    let (a, _) = scan(settings(500), Some(client), &objs, &[]).await;
    // cm-5 was listed completely and is gone; the Secret could not be listed: not missing.
    assert_eq!(summary(&a), ["missing ConfigMap default/cm-5"]);
    assert_eq!(a.summary.not_scanned, 1);
    let s = &a.skipped[0];
    assert_eq!(
        (s.resource_type.as_str(), s.scope.as_str()),
        ("Secret", "default")
    );
    assert!(s.reason.starts_with("access denied: 403"), "{}", s.reason);
}

#[tokio::test]
async fn unknown_kind_is_not_scanned_and_discovery_is_per_kind() {
    let script: Arc<Script> = Arc::new(|_, path, _| {
        if let Some(d) = discovery(path) {
            return d;
        }
        match path {
            "/apis/apps/v1/namespaces/shop/deployments" => (200, list(vec![], None)),
            other => panic!("unexpected request {other}"),
        }
    });
    let (client, log) = scripted(script);
    let yaml = "\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {size: 3}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {replicas: 1}
";
    let objs = manifests("unknown", yaml, "shop").await;
    let mut s = settings(500);
    s.watch_namespaces.clear();
    let (a, _) = scan(s, Some(client), &objs, &[]).await;
    // The Deployment is proven gone; the Widget's kind is not served: not scanned.
    assert_eq!(summary(&a), ["missing Deployment.apps shop/web"]);
    let skipped: Vec<(&str, &str)> = a
        .skipped
        .iter()
        .map(|s| (s.resource_type.as_str(), s.scope.as_str()))
        .collect();
    assert_eq!(skipped, [("Widget.example.com", "shop")]);
    assert!(
        a.skipped[0]
            .reason
            .contains("does not serve example.com/v1"),
        "{}",
        a.skipped[0].reason
    );
    let log = log.lock().unwrap();
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /apis/example.com/v1?")),
        "{log:?}"
    );
    // Discovery of one group/version, not of the whole cluster.
    assert!(!log.iter().any(|l| l.starts_with("GET /apis?")), "{log:?}");
}

#[tokio::test]
async fn throttling_is_retried_then_reported() {
    let calls = Arc::new(Mutex::new(0));
    let c = calls.clone();
    let script: Arc<Script> = Arc::new(move |_, path, _| {
        if let Some(d) = discovery(path) {
            return d;
        }
        let mut n = c.lock().unwrap();
        *n += 1;
        if *n == 1 {
            return (429, status(429, "TooManyRequests", "slow down"));
        }
        (200, list(vec![configmap("cm-1"), configmap("cm-5")], None))
    });
    let (client, _) = scripted(script);
    let objs = manifests("throttle", CONFIGMAPS, "default").await;
    let (a, inv) = scan(settings(500), Some(client), &objs, &[]).await;
    assert!(a.findings.is_empty() && a.complete(), "{:#?}", a);
    assert_eq!(inv.throttles, 1);
    assert_eq!(*calls.lock().unwrap(), 2);
}
