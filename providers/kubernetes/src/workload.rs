//! The pod spec of a workload object, kept on its live resource for policies ("no privileged
//! containers", "images pinned by digest"), managed or not: the compared attributes of a
//! managed object hold only the fields its manifest sets, and an unmanaged object has none.
//!
//! The spec is the live one, as the API server returns it (defaults filled in). Literal
//! environment values are dropped (`valueFrom` references stay): they are where people put
//! passwords, and no policy needs them.

use serde_json::Value;

/// The attribute that holds the pod spec. It is not compared (no manifest path is named so).
pub const POD_SPEC_ATTR: &str = "pod_spec";

/// Where the pod spec sits in an object of `group`/`kind`; `None` for kinds that run no pods.
fn pointer(group: &str, kind: &str) -> Option<&'static str> {
    match (group, kind) {
        ("", "Pod") => Some("/spec"),
        ("", "ReplicationController")
        | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job") => Some("/spec/template/spec"),
        ("batch", "CronJob") => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

/// The pod spec of live object `v` of `group`/`kind`, without literal environment values.
pub fn pod_spec(group: &str, kind: &str, v: &Value) -> Option<Value> {
    let mut spec = v.pointer(pointer(group, kind)?)?.clone();
    let obj = spec.as_object_mut()?;
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let Some(Value::Array(containers)) = obj.get_mut(list) else {
            continue;
        };
        for c in containers.iter_mut() {
            let Some(Value::Array(env)) = c.get_mut("env") else {
                continue;
            };
            for e in env.iter_mut() {
                if let Some(e) = e.as_object_mut() {
                    e.remove("value");
                }
            }
        }
    }
    Some(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pod_spec_of_each_workload_kind_without_env_values() {
        let spec = json!({"hostNetwork": true, "containers": [{"name": "web", "image": "x",
            "env": [{"name": "PASSWORD", "value": "hunter2"},
                    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "k"}}}]}],
            "initContainers": [{"name": "init", "env": [{"name": "A", "value": "b"}]}]});
        let want = json!({"hostNetwork": true, "containers": [{"name": "web", "image": "x",
            "env": [{"name": "PASSWORD"},
                    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "k"}}}]}],
            "initContainers": [{"name": "init", "env": [{"name": "A"}]}]});
        let template = json!({"template": {"spec": spec}});
        let cases = [
            ("", "Pod", json!({"spec": spec})),
            ("apps", "Deployment", json!({"spec": template})),
            ("apps", "DaemonSet", json!({"spec": template})),
            ("batch", "Job", json!({"spec": template})),
            (
                "batch",
                "CronJob",
                json!({"spec": {"jobTemplate": {"spec": template}}}),
            ),
        ];
        for (group, kind, object) in cases {
            assert_eq!(pod_spec(group, kind, &object), Some(want.clone()), "{kind}");
        }
        assert_eq!(pod_spec("", "ConfigMap", &json!({"spec": spec})), None);
        assert_eq!(pod_spec("apps", "Deployment", &json!({"spec": {}})), None);
        assert_eq!(pod_spec("", "Pod", &json!({"spec": "odd"})), None);
    }
}
