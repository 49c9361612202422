//! The provider against a Kubernetes API emulator (PyPI `kmock`, see `driftd_testkit::kube`):
//! objects are created, patched and deleted through kube-rs as `kubectl` would, then the
//! provider connects with a kubeconfig and context, lists, and driftd's analyzer compares.
//!
//! kmock never defaults fields, so the live objects are created the way the API server returns
//! them: defaults filled in, quantities rewritten (`0.1` as `100m`), bookkeeping metadata and
//! status added. Each test runs its own emulator.

mod common;

use common::*;
use driftd_core::{ChangeOp, FindingKind, Tier};
use driftd_kubernetes::canon::PointerRule;
use driftd_kubernetes::{KubeSettings, ManifestObject};
use driftd_testkit::kube::KubeEmulator;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{json, Value};
use std::path::PathBuf;

const MANIFESTS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, team: shop}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        env:
        - name: LOG_LEVEL
          value: info
        resources:
          requests: {cpu: 0.1, memory: 128Mi}
          limits: {cpu: 1, memory: 1Gi}
      volumes:
      - name: cache
        emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
---
apiVersion: v1
kind: Secret
metadata:
  name: web-db
stringData:
  password: correct-horse-battery
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web-readers
subjects:
- kind: ServiceAccount
  name: web
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
"#;

/// What `kubectl apply` leaves in the cluster for `MANIFESTS`, as the API server returns it.
fn served() -> Vec<Value> {
    let meta = |name: &str, extra: Value| {
        let mut m = json!({
            "name": name, "namespace": "shop", "uid": format!("uid-{name}"),
            "resourceVersion": "4711", "generation": 2, "creationTimestamp": "2026-01-01T00:00:00Z",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"secret\":\"correct-horse-battery\"}"},
            "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update",
                               "apiVersion": "v1", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:annotations": {}}}}]
        });
        if let (Value::Object(m), Value::Object(x)) = (&mut m, extra) {
            for (k, v) in x {
                m.insert(k, v);
            }
        }
        m
    };
    vec![
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta("web", json!({"labels": {"app": "web", "team": "shop"},
                "annotations": {"deployment.kubernetes.io/revision": "2"}})),
            "spec": {
                "replicas": 3, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {
                    "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                    "spec": {
                        "containers": [{
                            "name": "web", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "env": [{"name": "LOG_LEVEL", "value": "info"}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                          "limits": {"cpu": "1", "memory": "1024Mi"}},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File"
                        }],
                        "volumes": [{"name": "cache", "emptyDir": {}}],
                        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                        "schedulerName": "default-scheduler", "securityContext": {},
                        "terminationGracePeriodSeconds": 30
                    }
                }
            },
            "status": {"replicas": 3, "readyReplicas": 3, "observedGeneration": 2}
        }),
        json!({
            "apiVersion": "v1", "kind": "Service", "metadata": meta("web", json!({})),
            "spec": {"selector": {"app": "web"}, "type": "ClusterIP", "clusterIP": "10.96.0.12",
                     "clusterIPs": ["10.96.0.12"], "sessionAffinity": "None",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "internalTrafficPolicy": "Cluster",
                     "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]},
            "status": {"loadBalancer": {}}
        }),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("web-config", json!({})),
               "data": {"greeting": "hello"}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta("web-db", json!({})),
               "type": "Opaque", "data": {"password": "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": meta("web-readers", json!({})),
               "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}],
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}}),
        // What the cluster makes by itself in every namespace, and what controllers own.
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "default", "namespace": "shop"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "kube-root-ca.crt", "namespace": "shop"},
               "data": {"ca.crt": "-----BEGIN CERTIFICATE-----"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "web-generated", "namespace": "shop",
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                                 "name": "web", "uid": "uid-web"}]}}),
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "sh.helm.release.v1.web.v1", "namespace": "shop"},
               "type": "helm.sh/release.v1", "data": {"release": "H4sI"}}),
    ]
}

struct Cluster {
    emu: KubeEmulator,
    client: kube::Client,
    kubeconfig: PathBuf,
}

fn api_resource(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

impl Cluster {
    /// An emulator holding `served()` in namespace `shop`.
    async fn start(name: &str) -> Cluster {
        let emu = KubeEmulator::start().expect("kube emulator");
        let dir = tempdir(name);
        let kubeconfig = dir.join("kubeconfig");
        std::fs::write(&kubeconfig, emu.kubeconfig()).expect("write kubeconfig");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = kube::Config::new(emu.url().parse().expect("url"));
        let client = kube::Client::try_from(config).expect("client");
        let cluster = Cluster {
            emu,
            client,
            kubeconfig,
        };
        for obj in served() {
            cluster.create(obj).await;
        }
        cluster
    }

    fn api(&self, api_version: &str, kind: &str) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.client.clone(),
            "shop",
            &api_resource(api_version, kind),
        )
    }

    async fn create(&self, obj: Value) {
        let api_version = obj["apiVersion"].as_str().expect("apiVersion").to_string();
        let kind = obj["kind"].as_str().expect("kind").to_string();
        let obj: DynamicObject = serde_json::from_value(obj).expect("object");
        self.api(&api_version, &kind)
            .create(&PostParams::default(), &obj)
            .await
            .expect("create");
    }

    /// A JSON merge patch, as `kubectl patch --type merge` (and `kubectl scale`) send.
    async fn patch(&self, api_version: &str, kind: &str, name: &str, patch: Value) {
        self.api(api_version, kind)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("patch");
    }

    async fn delete(&self, api_version: &str, kind: &str, name: &str) {
        self.api(api_version, kind)
            .delete(name, &DeleteParams::default())
            .await
            .expect("delete");
    }

    /// Provider settings that reach the emulator through a kubeconfig file and context, and
    /// watch `shop` for unmanaged objects.
    fn settings(&self) -> KubeSettings {
        let mut s = KubeSettings {
            watch_namespaces: vec!["shop".into()],
            ..KubeSettings::default()
        };
        s.connection.kubeconfig = Some(self.kubeconfig.clone());
        s.connection.context = Some("emulator".into());
        s
    }
}

async fn shop_manifests(name: &str) -> Vec<ManifestObject> {
    manifests(name, MANIFESTS, "shop").await
}

/// The web Deployment's containers as `served()` has them, with changes.
fn containers(image: &str, env: Value) -> Value {
    json!([{
        "name": "web", "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "env": env,
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"cpu": "1", "memory": "1024Mi"}}
    }])
}

#[tokio::test]
async fn in_sync_cluster_with_server_defaults_and_rewritten_quantities_reports_nothing() {
    let cluster = Cluster::start("in-sync").await;
    let objs = shop_manifests("in-sync-m").await;
    let (a, inv) = scan(cluster.settings(), None, &objs, &[]).await;
    // Defaults (strategy, imagePullPolicy, protocol: TCP, clusterIP...), `0.1` served as `100m`,
    // `1Gi` as `1024Mi`, bookkeeping metadata, status, and the objects the cluster or a
    // controller made: none of it is drift.
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert!(a.complete(), "{:?}", a.skipped);
    assert_eq!(a.summary.managed, 5);
    assert!(inv.api_calls > 5);
    drop(cluster.emu);
}

#[tokio::test]
async fn kubectl_scale_image_and_env_changes_are_reported_by_path() {
    let cluster = Cluster::start("changes").await;
    // `kubectl scale --replicas=5`, `kubectl set image`, `kubectl set env DEBUG=1`.
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"replicas": 5}}),
        )
        .await;
    let env = json!([{"name": "LOG_LEVEL", "value": "info"}, {"name": "DEBUG", "value": "1"}]);
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"template": {"spec": {"containers": containers("nginx:1.26", env)}}}}),
        )
        .await;
    let objs = shop_manifests("changes-m").await;
    let (a, _) = scan(cluster.settings(), None, &objs, &[]).await;
    assert_eq!(summary(&a), ["changed Deployment.apps shop/web"]);
    let f = finding(&a, FindingKind::Changed, "Deployment.apps", "shop/web");
    assert_eq!(f.tier, Tier::Warning);
    assert_eq!(f.region.as_deref(), Some("shop"));
    assert_eq!(f.source.as_deref(), Some("manifests.yaml#1"));
    assert_eq!(
        paths(f),
        [
            "spec.replicas",
            "spec.template.spec.containers[web].env.DEBUG",
            "spec.template.spec.containers[web].image",
        ]
    );
    let c = &f.changes[0];
    assert_eq!(
        (c.op, &c.expected, &c.actual),
        (ChangeOp::Replace, &json!(3), &json!(5))
    );
    let env_added = &f.changes[1];
    assert_eq!(env_added.op, ChangeOp::Add);
    assert_eq!(
        env_added.actual,
        json!("{\"name\":\"DEBUG\",\"value\":\"1\"}")
    );
    assert_eq!(f.changes[2].actual, json!("nginx:1.26"));
}

#[tokio::test]
async fn deleted_configmap_is_missing_and_unmanaged_deployment_is_reported() {
    let cluster = Cluster::start("missing").await;
    cluster.delete("v1", "ConfigMap", "web-config").await;
    cluster
        .create(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "debug-shell", "namespace": "shop"},
                       "spec": {"replicas": 1, "template": {"spec": {"containers": [
                           {"name": "sh", "image": "busybox"}]}}}}))
        .await;
    let objs = shop_manifests("missing-m").await;
    let (a, _) = scan(cluster.settings(), None, &objs, &[]).await;
    assert_eq!(
        summary(&a),
        [
            "missing ConfigMap shop/web-config",
            "unmanaged Deployment.apps shop/debug-shell"
        ]
    );
    assert_eq!(a.findings[0].tier, Tier::Critical);
    assert_eq!(a.findings[1].tier, Tier::Warning);
    assert!(a.complete());
}

#[tokio::test]
async fn hpa_owned_replica_count_is_ignored_when_its_manager_is() {
    let cluster = Cluster::start("hpa").await;
    // The autoscaler scales through the scale subresource, as kube-controller-manager.
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"replicas": 7}, "metadata": {"managedFields": [
                {"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                 "subresource": "scale", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:spec": {"f:replicas": {}}}}]}}),
        )
        .await;
    let objs = shop_manifests("hpa-m").await;
    let mut settings = cluster.settings();
    settings.ignore_field_managers = vec!["kube-controller-manager".into()];
    let (a, _) = scan(settings, None, &objs, &[]).await;
    assert!(a.findings.is_empty(), "{:#?}", a.findings);

    // Without the setting, the same cluster shows the scaled replica count.
    let (a, _) = scan(cluster.settings(), None, &objs, &[]).await;
    let f = finding(&a, FindingKind::Changed, "Deployment.apps", "shop/web");
    assert_eq!(paths(f), ["spec.replicas"]);
}

#[tokio::test]
async fn ignore_rule_by_json_pointer_hides_one_field_of_selected_objects() {
    let cluster = Cluster::start("pointer").await;
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"replicas": 9}}),
        )
        .await;
    cluster
        .patch(
            "v1",
            "ConfigMap",
            "web-config",
            json!({"data": {"greeting": "hi"}}),
        )
        .await;
    let objs = shop_manifests("pointer-m").await;
    let rules = [
        PointerRule::new(
            "/spec/replicas",
            Some("Deployment"),
            Some("web"),
            Some("shop"),
        )
        .unwrap(),
        // Selects nothing: another namespace.
        PointerRule::new("/data/greeting", None, None, Some("other")).unwrap(),
    ];
    let (a, _) = scan(cluster.settings(), None, &objs, &rules).await;
    assert_eq!(summary(&a), ["changed ConfigMap shop/web-config"]);
}

#[tokio::test]
async fn privileged_container_hostpath_and_rbac_subjects_are_critical_labels_info() {
    let cluster = Cluster::start("critical").await;
    let mut cs = containers(
        "nginx:1.25",
        json!([{"name": "LOG_LEVEL", "value": "info"}]),
    );
    cs.as_array_mut().unwrap().push(json!({
        "name": "debug", "image": "busybox", "securityContext": {"privileged": true}}));
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"template": {"spec": {"containers": cs,
                "volumes": [{"name": "cache", "emptyDir": {}},
                            {"name": "host", "hostPath": {"path": "/", "type": ""}}]}}}}),
        )
        .await;
    cluster
        .patch(
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "web-readers",
            json!({"subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"},
                                {"kind": "User", "name": "mallory"}]}),
        )
        .await;
    cluster
        .patch(
            "v1",
            "Service",
            "web",
            json!({"metadata": {"labels": {"team": "other"}}}),
        )
        .await;
    let objs = shop_manifests("critical-m").await;
    let (a, _) = scan(cluster.settings(), None, &objs, &[]).await;
    let dep = finding(&a, FindingKind::Changed, "Deployment.apps", "shop/web");
    assert_eq!(dep.tier, Tier::Critical);
    assert_eq!(
        paths(dep),
        [
            "spec.template.spec.containers.debug",
            "spec.template.spec.volumes.host"
        ]
    );
    let rb = finding(
        &a,
        FindingKind::Changed,
        "RoleBinding.rbac.authorization.k8s.io",
        "shop/web-readers",
    );
    assert_eq!(rb.tier, Tier::Critical);
    assert_eq!(paths(rb), ["subjects.mallory"]);
    // A label only the cluster has is not compared: the manifest sets none on the Service.
    assert!(
        !a.findings.iter().any(|f| f.resource_type == "Service"),
        "{:#?}",
        a.findings
    );

    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"metadata": {"labels": {"team": "payments"}}}),
        )
        .await;
    cluster
        .patch(
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "web-readers",
            json!({"subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]}),
        )
        .await;
    let mut cs = containers(
        "nginx:1.25",
        json!([{"name": "LOG_LEVEL", "value": "info"}]),
    );
    cs[0]["securityContext"] = json!({"privileged": false});
    cluster
        .patch(
            "apps/v1",
            "Deployment",
            "web",
            json!({"spec": {"template": {"spec": {
            "containers": cs, "volumes": [{"name": "cache", "emptyDir": {}}]}}}}),
        )
        .await;
    let (a, _) = scan(cluster.settings(), None, &objs, &[]).await;
    let dep = finding(&a, FindingKind::Changed, "Deployment.apps", "shop/web");
    assert_eq!(paths(dep), ["metadata.labels.team"]);
    assert_eq!(dep.tier, Tier::Info);
    assert_eq!(summary(&a).len(), 1, "{:#?}", a.findings);
}

#[tokio::test]
async fn changed_secret_is_reported_by_key_and_never_printed() {
    let cluster = Cluster::start("secret").await;
    // "hunter2-but-longer", base64.
    cluster
        .patch(
            "v1",
            "Secret",
            "web-db",
            json!({"data": {"password": "aHVudGVyMi1idXQtbG9uZ2Vy"}}),
        )
        .await;
    let objs = shop_manifests("secret-m").await;
    let (a, inv) = scan(cluster.settings(), None, &objs, &[]).await;
    let f = finding(&a, FindingKind::Changed, "Secret", "shop/web-db");
    assert_eq!(paths(f), ["data.password"]);
    let text = serde_json::to_string(&a.findings).unwrap() + &format!("{:?}", inv.resources);
    for leak in [
        "hunter2",
        "aHVudGVy",
        "correct-horse",
        "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    assert!(f.changes[0]
        .expected
        .as_str()
        .unwrap()
        .starts_with("(secret value hidden"));
}
