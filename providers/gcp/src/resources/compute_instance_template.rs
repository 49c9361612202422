//! `google_compute_instance_template`: a global instance template, what a managed instance
//! group makes its instances from. Compared, exposure first: whether the first network
//! interface gets an external address, the service account and its scopes (what every
//! instance may do with the project's APIs), the metadata keys, then the machine type, the boot
//! image, network and subnetwork, IP forwarding, network tags, description and labels.
//!
//! Templates cannot be edited: a change is a template deleted and made again under the same
//! name. Metadata values (SSH keys, startup scripts) are never read into driftd: only the keys.
//!
//! gcplocal serves no instance templates: the tests' stand-in (`driftd_testkit::gcp_compute`)
//! speaks the documented `instanceTemplates` REST resource.

use super::compute_forwarding_rule::link;
use super::{labels, list_compute, opt, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::{short_name, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use google_cloud_compute_v1::model::{InstanceProperties, InstanceTemplate};
use serde_json::{json, Value};

pub struct ComputeInstanceTemplate;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_instance_template",
    attrs: &[
        // An `access_config` block is an external address on every instance made from it.
        AttrSpec::new("network_interface.0.access_config", Shape::Count)
            .tier(TierHint::Rule(now_external)),
        // What every instance may call, as which identity.
        AttrSpec::new("service_account.0.email", Shape::Scalar)
            .tier(TierHint::Always(Tier::Critical)),
        // State holds scope URLs where code may write aliases (`cloud-platform`).
        AttrSpec::new("service_account.0.scopes", Shape::Set)
            .resolved()
            .tier(TierHint::Always(Tier::Critical)),
        // Keys only: the values are SSH keys and scripts.
        AttrSpec::new("metadata", Shape::Keys),
        AttrSpec::new("machine_type", Shape::Scalar),
        // State holds what the code gave, an image or a family, as the API keeps it.
        AttrSpec::new("disk.0.source_image", Shape::Link),
        AttrSpec::new("network_interface.0.network", Shape::Link),
        AttrSpec::new("network_interface.0.subnetwork", Shape::Link),
        AttrSpec::new("can_ip_forward", Shape::Scalar),
        // Network tags: firewall rules target them. Info, as for labels.
        AttrSpec::new("tags", Shape::Set).tier(TierHint::Always(Tier::Info)),
        AttrSpec::new("description", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "metadata_startup_script",
            "a value, often with secrets; its key is compared in metadata",
        ),
        UncomparedAttr::new(
            "name_prefix",
            "Terraform's input for generating the name; the name is part of the id",
        ),
        UncomparedAttr::new(
            "disk",
            "only the boot disk's source_image is compared; sizes, types and further disks are not",
        ),
        UncomparedAttr::new(
            "scheduling",
            "preemptibility and maintenance behaviour, filled with server defaults",
        ),
        UncomparedAttr::new(
            "shielded_instance_config",
            "filled with server defaults the code rarely sets",
        ),
        UncomparedAttr::new("guest_accelerator", "GPUs: cost, not exposure"),
        UncomparedAttr::new(
            "confidential_instance_config",
            "fixed with the machine type",
        ),
        UncomparedAttr::new("metadata_fingerprint", "a hash the API computes"),
        UncomparedAttr::new("tags_fingerprint", "a hash the API computes"),
    ],
};

/// An interface that had no external address and has one now: critical.
fn now_external(c: &Change) -> Option<Tier> {
    let count = |v: &Value| v.as_u64().unwrap_or(0);
    (count(&c.actual) > count(&c.expected)).then_some(Tier::Critical)
}

fn properties(p: &InstanceProperties) -> Value {
    let metadata: Vec<Value> = p
        .metadata
        .iter()
        .flat_map(|m| &m.items)
        .filter_map(|item| item.key.clone().map(Value::String))
        .collect();
    let disks: Vec<Value> = p
        .disks
        .iter()
        .map(|d| {
            let init = d.initialize_params.as_ref();
            json!({
                "boot": d.boot.unwrap_or(false),
                "auto_delete": d.auto_delete.unwrap_or(true),
                "source_image": link(init.and_then(|i| i.source_image.as_deref())),
                "disk_size_gb": init.and_then(|i| i.disk_size_gb),
                "disk_type": opt(init.and_then(|i| i.disk_type.as_deref())),
                "source": opt(d.source.as_deref()),
            })
        })
        .collect();
    let interfaces: Vec<Value> = p
        .network_interfaces
        .iter()
        .map(|n| {
            let access: Vec<Value> = n
                .access_configs
                .iter()
                .map(|a| {
                    json!({
                        "nat_ip": opt(a.nat_ip.as_deref()),
                        "network_tier": opt(a.network_tier.as_ref().and_then(|t| t.name())),
                    })
                })
                .collect();
            json!({
                "network": link(n.network.as_deref()),
                "subnetwork": link(n.subnetwork.as_deref()),
                "access_config": access,
            })
        })
        .collect();
    let accounts: Vec<Value> = p
        .service_accounts
        .iter()
        .map(|s| json!({"email": opt(s.email.as_deref()), "scopes": s.scopes}))
        .collect();
    json!({
        // Templates hold the machine type by name; a link is cut to one.
        "machine_type": opt(p.machine_type.as_deref().map(short_name)),
        "metadata": metadata,
        "disk": disks,
        "network_interface": interfaces,
        "service_account": accounts,
        "can_ip_forward": p.can_ip_forward.unwrap_or(false),
        "tags": p.tags.as_ref().map_or(&Vec::new(), |t| &t.items),
        "labels": labels(&p.labels),
    })
}

fn map(t: &InstanceTemplate, scope: &Scope) -> Option<Resource> {
    let name = t.name.as_deref()?;
    let mut attrs = t.properties.as_ref().map_or(json!({}), properties);
    attrs["name"] = json!(name);
    attrs["project"] = json!(scope.project);
    attrs["description"] = opt(t.description.as_deref());
    attrs["self_link"] = link(t.self_link.as_deref());
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/global/instanceTemplates/{name}", scope.project),
        scope,
        attrs,
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeInstanceTemplate {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing instance templates", map, |s| {
            client
                .clients
                .instance_templates
                .list()
                .set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::FindingKind;

    const IMAGE: &str = "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20241112";
    const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

    fn api() -> InstanceTemplate {
        serde_json::from_value(json!({
            "name": "web-v3", "description": "web tier",
            "properties": {
                "machineType": "e2-small", "canIpForward": false,
                "tags": {"items": ["web"]}, "labels": {"env": "prod"},
                "metadata": {"items": [{"key": "enable-oslogin", "value": "TRUE"},
                                       {"key": "startup-script", "value": "echo s3cret"}]},
                "disks": [{"boot": true, "autoDelete": true,
                           "initializeParams": {"sourceImage": IMAGE, "diskSizeGb": "20"}}],
                "networkInterfaces": [{
                    "network": "http://127.0.0.1:9/compute/v1/projects/p/global/networks/main",
                    "subnetwork": "https://www.googleapis.com/compute/v1/projects/p/regions/us-central1/subnetworks/app"}],
                "serviceAccounts": [{"email": "web@p.iam.gserviceaccount.com", "scopes": [SCOPE]}]
            }
        }))
        .expect("template JSON")
    }

    #[test]
    fn maps_to_terraform_names_and_never_reads_metadata_values() {
        let r = map(&api(), &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/instanceTemplates/web-v3");
        assert_eq!(r.attrs["machine_type"], json!("e2-small"));
        assert_eq!(r.attrs["disk"][0]["source_image"], json!(IMAGE));
        assert_eq!(
            r.attrs["network_interface"][0]["network"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/main")
        );
        assert_eq!(r.attrs["network_interface"][0]["access_config"], json!([]));
        assert_eq!(r.attrs["service_account"][0]["scopes"], json!([SCOPE]));
        assert_eq!(
            r.attrs["metadata"],
            json!(["enable-oslogin", "startup-script"])
        );
        assert!(!serde_json::to_string(&r.attrs)
            .expect("JSON")
            .contains("s3cret"));
    }

    #[test]
    fn an_external_address_or_another_identity_is_critical() {
        use driftd_core::{tier::default_tier, ChangeOp};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier("network_interface.0.access_config", Value::Null, json!(1)),
            Tier::Critical
        );
        assert_eq!(
            tier("network_interface.0.access_config", json!(1), Value::Null),
            Tier::Warning
        );
        assert_eq!(
            tier("service_account.0.email", json!("a@p"), json!("b@p")),
            Tier::Critical
        );
        assert_eq!(
            tier("machine_type", json!("e2-small"), json!("e2-medium")),
            Tier::Warning
        );
    }

    /// State written by the provider: the image as a partial link, the network by name,
    /// metadata with the startup script (a generated key, not compared) and its value, the
    /// provider's `terraform_labels`. The API answers full links from its own host. Same
    /// template; a bigger machine type is drift.
    #[test]
    fn partial_links_and_metadata_values_are_no_drift() {
        let live = map(&api(), &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/instanceTemplates/web-v3", "name": "web-v3",
            "project": "p", "description": "web tier", "machine_type": "e2-small",
            "can_ip_forward": false, "tags": ["web"], "labels": {"env": "prod"},
            "terraform_labels": {"env": "prod"},
            "metadata": {"enable-oslogin": "TRUE", "startup-script": "echo s3cret"},
            "disk": [{"boot": true, "auto_delete": true, "disk_size_gb": 20,
                      "source_image": "projects/debian-cloud/global/images/debian-12-bookworm-v20241112"}],
            "network_interface": [{"network": "main",
                                   "subnetwork": "projects/p/regions/us-central1/subnetworks/app",
                                   "access_config": []}],
            "service_account": [{"email": "web@p.iam.gserviceaccount.com", "scopes": [SCOPE]}],
            "name_prefix": "", "scheduling": [{"preemptible": false}]
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let mut bigger = api();
        if let Some(p) = bigger.properties.as_mut() {
            p.machine_type = Some("e2-standard-8".into());
        }
        let live = map(&bigger, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Warning,
                vec!["machine_type".to_string()]
            )]
        );
    }
}
