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

/// A driftd.toml with one target on the emulator (namespace `shop`), then `extra`.
fn cluster_config(kubeconfig: &std::path::Path, extra: &str) -> String {
    format!(
        "[[target]]\nname = \"cluster\"\nprovider = \"kubernetes\"\n\n\
         [target.kubernetes]\nmanifests = [\"k8s\"]\nkubeconfig = {:?}\ncontext = \"emulator\"\n\
         default_namespace = \"shop\"\nwatch_namespaces = [\"shop\"]\ntimeout_secs = 10\n{extra}",
        kubeconfig.display().to_string()
    )
}

/// A temp dir with the manifests, a kubeconfig for the emulator and a driftd.toml.
fn setup(name: &str, emu: &KubeEmulator, extra_manifest: &str) -> TempDir {
    let dir = TempDir::new(name);
    std::fs::create_dir_all(dir.path().join("k8s")).expect("manifest dir");
    dir.write("k8s/app.yaml", &format!("{MANIFESTS}{extra_manifest}"));
    let kubeconfig = dir.write("kubeconfig", &emu.kubeconfig());
    dir.write("driftd.toml", &cluster_config(&kubeconfig, ""));
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

const PINNED_API: &str = "registry.example/shop/api:3.2@sha256:5f1c0e2d9a7b";
const PINNED_AGENT: &str = "registry.example/ops/agent:1.0@sha256:77aa01bc";

/// A compliant Deployment: image pinned by digest, a memory limit, nothing of the node's.
fn api_manifest() -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n  \
         selector: {{matchLabels: {{app: api}}}}\n  template:\n    metadata: {{labels: {{app: api}}}}\n    \
         spec:\n      containers:\n      - name: api\n        image: {PINNED_API}\n        \
         resources: {{limits: {{memory: 256Mi}}}}\n"
    )
}

/// A DaemonSet its manifest makes privileged, with a hostPath volume: managed, in sync, and
/// breaking two rules.
fn agent_manifest() -> String {
    format!(
        "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  \
         selector: {{matchLabels: {{app: agent}}}}\n  template:\n    metadata: {{labels: {{app: agent}}}}\n    \
         spec:\n      volumes:\n      - name: logs\n        hostPath: {{path: /var/log}}\n      \
         containers:\n      - name: agent\n        image: {PINNED_AGENT}\n        \
         securityContext: {{privileged: true}}\n        resources: {{limits: {{memory: 128Mi}}}}\n"
    )
}

fn pod_template(app: &str, spec: Value) -> Value {
    json!({"metadata": {"labels": {"app": app}}, "spec": spec})
}

/// The built-in pack over a cluster, through the built binary against kmock: nothing on a
/// compliant estate; then exactly the planted violations, on a managed DaemonSet (from its
/// manifest) and on a pod run by hand that no manifest declares.
#[test]
fn the_builtin_pack_finds_exactly_the_planted_violations_in_a_cluster() {
    let emu = KubeEmulator::start().expect("kube emulator");
    let dir = TempDir::new("k8s-policies");
    dir.write("k8s/app.yaml", &api_manifest());
    let kubeconfig = dir.write("kubeconfig", &emu.kubeconfig());
    dir.write(
        "driftd.toml",
        &cluster_config(&kubeconfig, "\n[policies]\nbuiltin = true\n"),
    );
    let api_spec = json!({"restartPolicy": "Always", "containers": [{"name": "api",
        "image": PINNED_API, "imagePullPolicy": "IfNotPresent",
        "resources": {"limits": {"memory": "256Mi"}}}]});
    emu.create(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop", "uid": "u-api"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                 "template": pod_template("api", api_spec)}}))
        .expect("seed the api");
    // A pod its ReplicaSet owns is not reported (nor evaluated as a pod of its own).
    emu.create(&json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "api-7d9f-x2x", "namespace": "shop",
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "api-7d9f", "uid": "u-rs"}]},
        "spec": {"containers": [{"name": "api", "image": "busybox"}], "hostNetwork": true}}))
    .expect("seed an owned pod");
    let violations = |report: &Value| -> Vec<(String, String, String, String)> {
        let mut v: Vec<_> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["kind"] == "violation")
            .map(|f| {
                let s = |v: &Value| v.as_str().unwrap_or("").to_string();
                (
                    s(&f["policy"]["id"]),
                    s(&f["resource_type"]),
                    s(&f["resource_id"]),
                    s(&f["tier"]),
                )
            })
            .collect();
        v.sort();
        v
    };
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(report["summary"]["violations"], json!(0));
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    dir.write(
        "k8s/app.yaml",
        &format!("{}{}", api_manifest(), agent_manifest()),
    );
    let agent_spec = json!({"volumes": [{"name": "logs", "hostPath": {"path": "/var/log", "type": ""}}],
        "containers": [{"name": "agent", "image": PINNED_AGENT,
            "securityContext": {"privileged": true},
            "resources": {"limits": {"memory": "128Mi"}}}]});
    emu.create(&json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "shop", "uid": "u-agent"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": pod_template("agent", agent_spec)}}))
        .expect("seed the agent");
    emu.create(&json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "debug", "namespace": "shop"},
        "spec": {"hostNetwork": true, "containers": [{"name": "shell", "image": "busybox",
            "env": [{"name": "DB_PASSWORD", "value": "tr0ub4dor-and-3"}]}]}}))
        .expect("run a pod by hand");
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let t = |a: &str, b: &str, c: &str, d: &str| (a.into(), b.into(), c.into(), d.into());
    assert_eq!(
        violations(&report),
        vec![
            t("k8s-host-namespaces", "Pod", "shop/debug", "warning"),
            t("k8s-host-path", "DaemonSet.apps", "shop/agent", "warning"),
            t("k8s-image-digest", "Pod", "shop/debug", "info"),
            t("k8s-image-latest", "Pod", "shop/debug", "warning"),
            t("k8s-no-limits", "Pod", "shop/debug", "info"),
            t("k8s-privileged", "DaemonSet.apps", "shop/agent", "critical"),
        ],
        "{:#}",
        report["findings"]
    );
    // The hand-run pod is also drift: nothing declares it. The agent is in sync.
    let drift: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] != "violation")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().into(),
                f["resource_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(drift, [("unmanaged".to_string(), "shop/debug".to_string())]);
    let privileged = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["policy"]["id"] == "k8s-privileged")
        .expect("the privileged finding");
    assert_eq!(
        privileged["policy"]["messages"][0]["text"],
        json!("container agent runs privileged"),
        "{privileged:#}"
    );
    // The message carries the input value it is about.
    assert_eq!(
        privileged["policy"]["messages"][0]["path"],
        json!("pod_spec.containers[agent].securityContext.privileged")
    );
    assert_eq!(privileged["policy"]["messages"][0]["value"], json!(true));
    // A literal environment value never reaches policies, reports or logs.
    assert!(!run.stdout.contains("tr0ub4dor") && !run.stderr.contains("tr0ub4dor"));

    // `driftd explain` names the policy, its message and the input value, from the history.
    let args = ["--config", "driftd.toml", "--state-dir", "state"];
    let scan = driftd(
        dir.path(),
        &[
            &["scan", "--target", "cluster", "--format", "json"][..],
            &args[..],
        ]
        .concat(),
    );
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    let fingerprint = privileged["fingerprint"].as_str().unwrap();
    let explain = driftd(
        dir.path(),
        &[&["explain", fingerprint][..], &args[..]].concat(),
    );
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    for line in [
        "kind: violation",
        "policy: k8s-privileged (Privileged container), built-in",
        "says: container agent runs privileged",
        "input value: pod_spec.containers[agent].securityContext.privileged = true",
        "REPORTED as critical",
    ] {
        assert!(explain.stdout.contains(line), "{line}: {}", explain.stdout);
    }
}
