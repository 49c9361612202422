//! What a change of a Kubernetes object is worth, declared on every attribute of every kind's
//! spec ([`crate::spec`]): the paths are those [`crate::canon`] flattens objects into
//! (`spec.replicas`, `spec.template.spec.containers[web].image`; a list item only the cluster
//! has is `<list>.<key>` with its JSON text as the value).
//!
//! Critical: who a role binding grants (`subjects`, `roleRef`), a container made privileged, a
//! host namespace (`hostNetwork`, `hostPID`, `hostIPC`) or a `hostPath` volume added. Info: the
//! object's own labels and annotations. Anything else is left to the default, warning.

use driftd_core::{Change, ChangeOp, Tier};
use serde_json::Value;

/// The tier of one change, if the rules above speak for it.
pub(crate) fn of_change(c: &Change) -> Option<Tier> {
    let p = c.path.as_str();
    let under = |field: &str| {
        p == field || p.starts_with(&format!("{field}.")) || p.starts_with(&format!("{field}["))
    };
    if under("subjects") || under("roleRef") {
        return Some(Tier::Critical);
    }
    if c.op != ChangeOp::Remove {
        let turned_on = c.actual == Value::Bool(true);
        let host_namespace = [
            ".hostNetwork",
            ".hostPID",
            ".hostIPC",
            ".securityContext.privileged",
        ]
        .iter()
        .any(|f| p.ends_with(f));
        let host_path = p.ends_with(".hostPath") || p.contains(".hostPath.");
        if (host_namespace && turned_on) || (host_path && !c.actual.is_null()) {
            return Some(Tier::Critical);
        }
        // An added list item, as JSON text.
        let text = c.actual.as_str().unwrap_or("");
        let added_container = [".containers.", ".initContainers.", ".ephemeralContainers."]
            .iter()
            .any(|l| p.contains(l));
        if (added_container && text.contains("\"privileged\":true"))
            || (p.contains(".volumes.") && text.contains("\"hostPath\""))
        {
            return Some(Tier::Critical);
        }
    }
    if p.starts_with("metadata.labels") || p.starts_with("metadata.annotations") {
        return Some(Tier::Info);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::canon::AttrKind;
    use crate::spec::spec_for;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};
    use serde_json::{json, Value};

    fn change(path: &str, op: ChangeOp, actual: Value) -> Change {
        Change::new(path, op, Value::Null, actual)
    }

    /// The tier of `c` as a finding of a kind whose spec compares `c`'s attribute gets it.
    fn tier(c: &Change, kind: AttrKind) -> Tier {
        let spec = spec_for("Deployment.apps", vec![(c.path.clone(), kind)]);
        default_tier(Some(spec), FindingKind::Changed, std::slice::from_ref(c))
    }

    #[test]
    fn security_and_rbac_changes_are_critical_labels_info() {
        let critical = [
            change(
                "subjects.mallory",
                ChangeOp::Add,
                json!("{\"kind\":\"User\"}"),
            ),
            change("roleRef.name", ChangeOp::Replace, json!("admin")),
            change(
                "spec.template.spec.containers[web].securityContext.privileged",
                ChangeOp::Replace,
                json!(true),
            ),
            change(
                "spec.template.spec.hostNetwork",
                ChangeOp::Replace,
                json!(true),
            ),
            change(
                "spec.template.spec.volumes[data].hostPath",
                ChangeOp::Replace,
                json!({"path": "/"}),
            ),
            change(
                "spec.template.spec.containers.debug",
                ChangeOp::Add,
                json!("{\"name\":\"debug\",\"securityContext\":{\"privileged\":true}}"),
            ),
            change(
                "spec.template.spec.volumes.host",
                ChangeOp::Add,
                json!("{\"hostPath\":{\"path\":\"/\"},\"name\":\"host\"}"),
            ),
        ];
        for c in critical {
            assert_eq!(tier(&c, AttrKind::Leaf), Tier::Critical, "{}", c.path);
        }
        let warning = [
            change("spec.replicas", ChangeOp::Replace, json!(5)),
            change(
                "spec.template.spec.containers[web].image",
                ChangeOp::Replace,
                json!("nginx:2"),
            ),
            change(
                "spec.template.spec.containers[web].securityContext.privileged",
                ChangeOp::Replace,
                json!(false),
            ),
            change(
                "spec.template.spec.containers.sidecar",
                ChangeOp::Add,
                json!("{\"name\":\"sidecar\"}"),
            ),
        ];
        for c in warning {
            assert_eq!(tier(&c, AttrKind::Leaf), Tier::Warning, "{}", c.path);
        }
        let labels = change("metadata.labels.team", ChangeOp::Replace, json!("x"));
        assert_eq!(tier(&labels, AttrKind::Leaf), Tier::Info);
    }

    #[test]
    fn a_list_item_only_the_cluster_has_takes_its_lists_rules() {
        // `containers` compared as a whole list of extras: the added item's path is under it.
        let spec = spec_for(
            "Deployment.apps",
            vec![("spec.template.spec.containers".into(), AttrKind::Extras)],
        );
        let added = change(
            "spec.template.spec.containers.debug",
            ChangeOp::Add,
            json!("{\"name\":\"debug\",\"securityContext\":{\"privileged\":true}}"),
        );
        let t = default_tier(Some(spec), FindingKind::Changed, &[added]);
        assert_eq!(t, Tier::Critical);
    }
}
