//! `driftd check` end to end for a Kubernetes target, through the built binary, against a
//! Kubernetes API emulator (PyPI `kmock`, see `driftd_testkit::kube`) reached with a kubeconfig.

mod util;

use driftd_testkit::kube::KubeEmulator;
use serde_json::{json, Value};
use util::*;

const MANIFESTS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources: {limits: {cpu: 0.5, memory: 1Gi}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data: {greeting: hello}
---
apiVersion: v1
kind: Secret
metadata:
  name: web-db
stringData: {password: correct-horse-battery}
"#;

/// The manifests' objects as the API server returns them (defaults, rewritten quantities,
/// bookkeeping), plus what the cluster makes in every namespace.
fn served() -> Vec<Value> {
    vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop", "uid": "u1", "resourceVersion": "5",
                            "generation": 1, "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"replicas": 2, "revisionHistoryLimit": 10,
                        "selector": {"matchLabels": {"app": "web"}},
                        "strategy": {"type": "RollingUpdate"},
                        "template": {"metadata": {"labels": {"app": "web"}},
                                     "spec": {"restartPolicy": "Always", "containers": [{
                                         "name": "web", "image": "nginx:1.25",
                                         "imagePullPolicy": "IfNotPresent",
                                         "resources": {"limits": {"cpu": "500m", "memory": "1024Mi"}}}]}}},
               "status": {"replicas": 2}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "web-config", "namespace": "shop"},
               "data": {"greeting": "hello"}}),
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "web-db", "namespace": "shop"}, "type": "Opaque",
               "data": {"password": "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "default", "namespace": "shop"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "kube-root-ca.crt", "namespace": "shop"}}),
    ]
}

/// A temp dir with the manifests, a kubeconfig for the emulator and a driftd.toml.
fn setup(name: &str, emu: &KubeEmulator, extra_manifest: &str) -> TempDir {
    let dir = TempDir::new(name);
    std::fs::create_dir_all(dir.path().join("k8s")).expect("manifest dir");
    dir.write("k8s/app.yaml", &format!("{MANIFESTS}{extra_manifest}"));
    let kubeconfig = dir.write("kubeconfig", &emu.kubeconfig());
    dir.write(
        "driftd.toml",
        &format!(
            "[[target]]\nname = \"cluster\"\nprovider = \"kubernetes\"\n\n\
             [target.kubernetes]\nmanifests = [\"k8s\"]\nkubeconfig = {:?}\ncontext = \"emulator\"\n\
             default_namespace = \"shop\"\nwatch_namespaces = [\"shop\"]\ntimeout_secs = 10\n",
            kubeconfig.display().to_string()
        ),
    );
    for obj in served() {
        emu.create(&obj).expect("seed the emulator");
    }
    dir
}

#[test]
fn in_sync_cluster_exits_0_with_no_findings() {
    let emu = KubeEmulator::start().expect("kube emulator");
    let dir = setup("k8s-in-sync", &emu, "");
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(report["summary"]["managed"], json!(3));
}

#[test]
fn scaled_deployment_deleted_configmap_and_unmanaged_deployment_exit_2() {
    let emu = KubeEmulator::start().expect("kube emulator");
    let dir = setup("k8s-drift", &emu, "");
    let deployments = "/apis/apps/v1/namespaces/shop/deployments";
    let (status, _) = emu
        .request(
            "PATCH",
            &format!("{deployments}/web"),
            Some(&json!({"spec": {"replicas": 5}})),
        )
        .expect("scale");
    assert_eq!(status, 200);
    let (status, _) = emu
        .request(
            "DELETE",
            "/api/v1/namespaces/shop/configmaps/web-config",
            None,
        )
        .expect("delete");
    assert_eq!(status, 200);
    emu.create(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
                       "metadata": {"name": "debug", "namespace": "shop"},
                       "spec": {"replicas": 1}}))
        .expect("create");
    let (status, _) = emu
        .request(
            "PATCH",
            "/api/v1/namespaces/shop/secrets/web-db",
            Some(&json!({"data": {"password": "aHVudGVyMg=="}})),
        )
        .expect("patch secret");
    assert_eq!(status, 200);

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let brief: Vec<(String, String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("tier"), s("kind"), s("resource_type"), s("resource_id"))
        })
        .collect();
    let t = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        brief,
        [
            t("critical", "missing", "ConfigMap", "shop/web-config"),
            t("warning", "changed", "Deployment.apps", "shop/web"),
            t("warning", "changed", "Secret", "shop/web-db"),
            t("warning", "unmanaged", "Deployment.apps", "shop/debug"),
        ]
    );
    let web = &report["findings"][1];
    assert_eq!(web["region"], json!("shop"));
    assert_eq!(web["source"], json!("k8s/app.yaml#1"));
    assert_eq!(
        web["changes"],
        json!([{"path": "spec.replicas", "op": "replace", "expected": 2, "actual": 5}])
    );
    assert_eq!(
        report["findings"][2]["changes"][0]["path"],
        json!("data.password")
    );
    for leak in ["hunter2", "aHVudGVyMg", "correct-horse", "Y29ycmVjdC1ob3Jz"] {
        assert!(
            !run.stdout.contains(leak) && !run.stderr.contains(leak),
            "{leak} leaked"
        );
    }
}

#[test]
fn kind_the_cluster_does_not_serve_is_skipped_and_exits_3() {
    let emu = KubeEmulator::start().expect("kube emulator");
    let monitor = "---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: web}\nspec: {endpoints: [{port: http}]}\n";
    let dir = setup("k8s-skipped", &emu, monitor);
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["scan"]["complete"], json!(false));
    let skipped = &report["skipped"][0];
    assert_eq!(
        skipped["resource_type"],
        json!("ServiceMonitor.monitoring.coreos.com")
    );
    assert_eq!(skipped["scope"], json!("shop"));
}

#[test]
fn manifest_error_names_file_and_document_and_exits_1() {
    let emu = KubeEmulator::start().expect("kube emulator");
    let dir = setup(
        "k8s-bad",
        &emu,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "stdout: {}", run.stdout);
    assert!(
        run.stderr
            .contains("k8s/app.yaml, document 4: `metadata.name` is missing"),
        "{}",
        run.stderr
    );
}
