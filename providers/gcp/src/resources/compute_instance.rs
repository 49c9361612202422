//! `google_compute_instance`: machine type, zone, labels, metadata, network tags, deletion
//! protection and IP forwarding are compared. The boot image, network interfaces and service
//! account are nested blocks in Terraform's state (`boot_disk[0].initialize_params[0].image`,
//! `network_interface[*]`, `service_account[0]`); they are mapped in that shape so that they
//! can be read and shown, but not compared until the comparison specs can name nested paths.
//! A `TERMINATED` instance is a stopped one, which still exists: it is listed like any other.

use super::{labels, list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, short_name, Scope};
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use google_cloud_compute_v1::model::Instance;
use serde_json::{json, Map, Value};

pub struct ComputeInstance;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_instance",
    attrs: &[
        AttrSpec::new("machine_type", Shape::Scalar),
        AttrSpec::new("zone", Shape::Scalar),
        AttrSpec::new("deletion_protection", Shape::Scalar),
        AttrSpec::new("can_ip_forward", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        // Network tags: a set of strings (firewall rules target them).
        AttrSpec::new("tags", Shape::Set),
        AttrSpec::new("metadata", Shape::Tags),
        // `terraform_labels` (provider 5+) holds the labels Terraform manages, the provider's
        // `default_labels` included, as AWS's `tags_all` does.
        AttrSpec::new("labels", Shape::Tags).with_state_alias("terraform_labels"),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
};

/// `projects/P/zones/Z/instances/N`, the id the provider stores.
fn id(scope: &Scope, name: &str) -> String {
    format!(
        "projects/{}/zones/{}/instances/{name}",
        scope.project, scope.location
    )
}

fn map(i: &Instance, scope: &Scope) -> Option<Resource> {
    let name = i.name.as_deref()?;
    let metadata: Map<String, Value> = i
        .metadata
        .iter()
        .flat_map(|m| &m.items)
        .filter_map(|item| {
            Some((
                item.key.clone()?,
                Value::String(item.value.clone().unwrap_or_default()),
            ))
        })
        .collect();
    let network_tags: Vec<Value> = i
        .tags
        .iter()
        .flat_map(|t| &t.items)
        .map(|t| Value::String(t.clone()))
        .collect();
    let boot_disk: Vec<Value> = i
        .disks
        .iter()
        .filter(|d| d.boot == Some(true))
        .map(|d| {
            json!({
                "auto_delete": d.auto_delete,
                "device_name": opt(d.device_name.as_deref()),
                "mode": opt(d.mode.as_ref().and_then(|m| m.name())),
                "source": opt(d.source.as_deref().map(canonical_link).as_deref()),
            })
        })
        .collect();
    let network_interface: Vec<Value> = i
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
                "access_config": access,
                "name": opt(n.name.as_deref()),
                "network": opt(n.network.as_deref().map(canonical_link).as_deref()),
                "network_ip": opt(n.network_ip.as_deref()),
                "subnetwork": opt(n.subnetwork.as_deref().map(canonical_link).as_deref()),
            })
        })
        .collect();
    let service_account: Vec<Value> = i
        .service_accounts
        .iter()
        .map(|s| json!({"email": opt(s.email.as_deref()), "scopes": s.scopes}))
        .collect();
    Some(resource(
        SPEC.resource_type,
        id(scope, name),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "zone": scope.location,
            "machine_type": opt(i.machine_type.as_deref().map(short_name)),
            "deletion_protection": i.deletion_protection.unwrap_or(false),
            "can_ip_forward": i.can_ip_forward.unwrap_or(false),
            "description": opt(i.description.as_deref()),
            "tags": network_tags,
            "metadata": metadata,
            "labels": labels(&i.labels),
            "current_status": opt(i.status.as_ref().and_then(|s| s.name())),
            "self_link": opt(i.self_link.as_deref().map(canonical_link).as_deref()),
            "boot_disk": boot_disk,
            "network_interface": network_interface,
            "service_account": service_account,
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeInstance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing instances", map, |s| {
            client
                .clients
                .instances
                .list()
                .set_project(&s.project)
                .set_zone(&s.location)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let i: Instance = serde_json::from_value(json!({
            "name": "web-1",
            "zone": "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a",
            "machineType": "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/machineTypes/e2-small",
            "status": "RUNNING",
            "labels": {"env": "prod"},
            "tags": {"items": ["web", "ssh"], "fingerprint": "42WmSpB8rSM="},
            "metadata": {"items": [{"key": "enable-oslogin", "value": "TRUE"}]},
            "deletionProtection": true,
            "networkInterfaces": [{"network": "projects/p/global/networks/default",
                                   "networkIP": "10.128.0.2", "name": "nic0"}],
            "serviceAccounts": [{"email": "sa@p.iam.gserviceaccount.com",
                                 "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}]
        }))
        .expect("instance JSON");
        let r = map(&i, &Scope::new("p", "us-central1-a")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/zones/us-central1-a/instances/web-1");
        assert_eq!(r.region.as_deref(), Some("p/us-central1-a"));
        assert_eq!(r.attrs["machine_type"], json!("e2-small"));
        assert_eq!(r.attrs["zone"], json!("us-central1-a"));
        assert_eq!(r.attrs["labels"], json!({"env": "prod"}));
        assert_eq!(r.attrs["metadata"], json!({"enable-oslogin": "TRUE"}));
        assert_eq!(r.attrs["tags"], json!(["web", "ssh"]));
        assert_eq!(r.attrs["deletion_protection"], json!(true));
        assert_eq!(
            r.attrs["network_interface"][0]["network"],
            json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/default")
        );
        assert_eq!(
            r.attrs["service_account"][0]["email"],
            json!("sa@p.iam.gserviceaccount.com")
        );
    }
}
