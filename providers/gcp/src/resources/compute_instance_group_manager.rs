//! `google_compute_instance_group_manager`: a zonal managed instance group. Compared: the
//! versions (which instance templates it makes instances from, and how many of each), the
//! target size, the base instance name, the named ports load balancers send traffic to, the
//! target pools, auto-healing (health check and initial delay) and the description.
//!
//! gcplocal serves no managed instance groups: the tests' stand-in
//! (`driftd_testkit::gcp_compute`) speaks the documented `instanceGroupManagers` REST resource.

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::InstanceGroupManager;
use serde_json::{json, Value};

pub struct ComputeInstanceGroupManager;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_instance_group_manager",
    attrs: &[
        // Each version as a whole: name, instance template and its share of the group.
        AttrSpec::new("version", Shape::Document),
        AttrSpec::new("target_size", Shape::Number),
        AttrSpec::new("base_instance_name", Shape::Scalar),
        AttrSpec::new("named_port", Shape::Document),
        AttrSpec::new("target_pools", Shape::Set),
        AttrSpec::new("auto_healing_policies", Shape::Document),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "update_policy",
            "rollout settings the API fills with server defaults; they change nothing running",
        ),
        UncomparedAttr::new(
            "wait_for_instances",
            "an instruction to Terraform for its apply; the API has no such field",
        ),
        UncomparedAttr::new(
            "wait_for_instances_status",
            "an instruction to Terraform for its apply; the API has no such field",
        ),
        UncomparedAttr::new(
            "stateful_disk",
            "stateful configuration of instances, rarely set",
        ),
        UncomparedAttr::new(
            "instance_lifecycle_policy",
            "repair behaviour the API fills with server defaults",
        ),
        UncomparedAttr::new("status", "the group's rollout progress, not configuration"),
        UncomparedAttr::new("fingerprint", "a hash the API computes"),
        UncomparedAttr::new(
            "instance_group",
            "the group's own link, derived from the name",
        ),
    ],
};

fn map(m: &InstanceGroupManager, scope: &Scope) -> Option<Resource> {
    let name = m.name.as_deref()?;
    let versions: Vec<Value> = m
        .versions
        .iter()
        .map(|v| {
            let size = v.target_size.as_ref().map_or(
                json!([]),
                |s| json!([{"fixed": s.fixed.unwrap_or(0), "percent": s.percent.unwrap_or(0)}]),
            );
            json!({
                "name": opt(v.name.as_deref()),
                "instance_template": link(v.instance_template.as_deref()),
                "target_size": size,
            })
        })
        .collect();
    let named_ports: Vec<Value> = m
        .named_ports
        .iter()
        .map(|p| json!({"name": opt(p.name.as_deref()), "port": p.port}))
        .collect();
    let healing: Vec<Value> = m
        .auto_healing_policies
        .iter()
        .map(|p| {
            json!({
                "health_check": link(p.health_check.as_deref()),
                "initial_delay_sec": p.initial_delay_sec,
            })
        })
        .collect();
    Some(resource(
        SPEC.resource_type,
        format!(
            "projects/{}/zones/{}/instanceGroupManagers/{name}",
            scope.project, scope.location
        ),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "zone": scope.location,
            "version": versions,
            "target_size": m.target_size.unwrap_or(0),
            "base_instance_name": opt(m.base_instance_name.as_deref()),
            "named_port": named_ports,
            "target_pools": m.target_pools.iter().map(|p| canonical_link(p)).collect::<Vec<_>>(),
            "auto_healing_policies": healing,
            "description": opt(m.description.as_deref()),
            "instance_group": link(m.instance_group.as_deref()),
            "self_link": link(m.self_link.as_deref()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeInstanceGroupManager {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing managed instance groups", map, |s| {
            client
                .clients
                .instance_group_managers
                .list()
                .set_project(&s.project)
                .set_zone(&s.location)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::{FindingKind, Tier};

    const TEMPLATE: &str =
        "https://www.googleapis.com/compute/v1/projects/p/global/instanceTemplates/web-v3";

    fn api() -> InstanceGroupManager {
        serde_json::from_value(json!({
            "name": "web", "baseInstanceName": "web", "targetSize": 3,
            "instanceTemplate": TEMPLATE,
            "versions": [{"instanceTemplate": "http://127.0.0.1:9/compute/v1/projects/p/global/instanceTemplates/web-v3"}],
            "namedPorts": [{"name": "http", "port": 8080}],
            "autoHealingPolicies": [{"healthCheck": "https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/web",
                                     "initialDelaySec": 120}],
            "status": {"isStable": true}, "fingerprint": "YWJj"
        }))
        .expect("group manager JSON")
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&api(), &Scope::new("p", "us-central1-a")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p/zones/us-central1-a/instanceGroupManagers/web"
        );
        assert_eq!(r.attrs["target_size"], json!(3));
        assert_eq!(
            r.attrs["version"],
            json!([{"name": null, "instance_template": TEMPLATE, "target_size": []}])
        );
        assert_eq!(
            r.attrs["named_port"],
            json!([{"name": "http", "port": 8080}])
        );
        assert_eq!(r.attrs["zone"], json!("us-central1-a"));
    }

    /// State keeps an unnamed version as `name = ""` with an empty `target_size` list, the
    /// Terraform-only `wait_for_instances` and the server-filled `update_policy`; the API
    /// answers the template on its own host and leaves the version's name out. Same group;
    /// another template is drift.
    #[test]
    fn empty_version_fields_and_terraform_only_flags_are_no_drift() {
        let live = map(&api(), &Scope::new("p", "us-central1-a")).expect("mapped");
        let state = json!({
            "id": "projects/p/zones/us-central1-a/instanceGroupManagers/web", "name": "web",
            "project": "p", "zone": "us-central1-a", "base_instance_name": "web",
            "target_size": 3, "description": "", "target_pools": [],
            "version": [{"name": "", "instance_template": TEMPLATE, "target_size": []}],
            "named_port": [{"name": "http", "port": 8080}],
            "auto_healing_policies": [{"health_check": "https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/web",
                                       "initial_delay_sec": 120}],
            "wait_for_instances": false, "wait_for_instances_status": "STABLE",
            "update_policy": [{"type": "OPPORTUNISTIC", "minimal_action": "REPLACE",
                               "max_surge_fixed": 1, "max_unavailable_fixed": 1}]
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut rolled = api();
        rolled.versions[0].instance_template = Some(TEMPLATE.replace("web-v3", "web-v4"));
        let live = map(&rolled, &Scope::new("p", "us-central1-a")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["version".to_string()]
            )]
        );
    }
}
