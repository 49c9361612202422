//! `google_compute_instance`: machine type, zone, labels, metadata keys, network tags, deletion
//! protection, IP forwarding, the boot image, the first network interface (network, subnetwork,
//! internal IP, whether it has an external address) and the service account are compared. The
//! nested ones are named by their paths in Terraform's state
//! (`boot_disk.0.initialize_params.0.image`, `network_interface.0.network`, ...).
//!
//! The API does not say which image an instance booted from: its boot disk does. The zone's
//! disks are listed after its instances (one more call, only in a zone where an instance boots
//! from a disk) for their source images; when they cannot be read, the image is left out of the
//! comparison with the reason and everything else compared.
//! Metadata values (SSH keys, scripts) are never read into driftd: only the keys are.
//! A `TERMINATED` instance is a stopped one, which still exists: it is listed like any other.

use super::{labels, opt, parse_scope, resource, scope_pages, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::{canonical_link, short_name, Scope};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use google_cloud_compute_v1::model::Instance;
use serde_json::{json, Value};
use std::collections::HashMap;

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
        // Network tags: a set of strings (firewall rules target them). Info, as for labels.
        AttrSpec::new("tags", Shape::Set).tier(TierHint::Always(Tier::Info)),
        // Keys only: the values are SSH keys and scripts.
        AttrSpec::new("metadata", Shape::Keys),
        // State holds the image the code's family resolved to when the disk was made.
        AttrSpec::new(IMAGE, Shape::Link).resolved(),
        AttrSpec::new("network_interface.0.network", Shape::Link),
        AttrSpec::new("network_interface.0.subnetwork", Shape::Link),
        AttrSpec::new("network_interface.0.network_ip", Shape::Scalar),
        // An `access_config` block is an external address.
        AttrSpec::new("network_interface.0.access_config", Shape::Count),
        AttrSpec::new("service_account.0.email", Shape::Scalar),
        // State holds scope URLs where code may write aliases (`cloud-platform`).
        AttrSpec::new("service_account.0.scopes", Shape::Set).resolved(),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "service_account",
            "only the first account's email and scopes are compared",
        ),
        UncomparedAttr::new(
            "network_interface",
            "only the first interface's network, subnetwork, internal IP and whether it has an \
            external address are compared",
        ),
        UncomparedAttr::new(
            "network_interface.0.access_config.0.nat_ip",
            "not compared yet: the external address itself (only whether there is one is)",
        ),
        UncomparedAttr::new(
            "network_interface.0.alias_ip_range",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "network_interface.0.stack_type",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "boot_disk",
            "only the boot image is compared; the boot disk is the instance's own (a cloud \
            default as google_compute_disk), so its size, type and key are not compared yet",
        ),
        UncomparedAttr::new("boot_disk.0.disk_encryption_key_raw", "secret: never read"),
        UncomparedAttr::new(
            "attached_disk",
            "not compared yet (instances.list returns it): disks attached besides the boot disk",
        ),
        UncomparedAttr::new(
            "scratch_disk",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "metadata_startup_script",
            "a metadata value: driftd reads metadata keys only, and this key (startup-script) is \
            left out",
        ),
        UncomparedAttr::new(
            "shielded_instance_config",
            "not compared yet (instances.list returns it): secure boot, vTPM, integrity \
            monitoring",
        ),
        UncomparedAttr::new(
            "confidential_instance_config",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "scheduling",
            "not compared yet (instances.list returns it): preemptible, spot, host maintenance",
        ),
        UncomparedAttr::new(
            "guest_accelerator",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "min_cpu_platform",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new("hostname", "not compared yet (instances.list returns it)"),
        UncomparedAttr::new(
            "advanced_machine_features",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "reservation_affinity",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "resource_policies",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "network_performance_config",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "enable_display",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "key_revocation_action_type",
            "not compared yet (instances.list returns it)",
        ),
        UncomparedAttr::new(
            "current_status",
            "runtime state (RUNNING, TERMINATED), not configuration",
        ),
        UncomparedAttr::new(
            "desired_status",
            "Terraform-side only: the status Terraform leaves the instance in",
        ),
        UncomparedAttr::new(
            "allow_stopping_for_update",
            "Terraform-side only: whether Terraform may stop the instance to update it",
        ),
        UncomparedAttr::new(
            "effective_labels",
            "every label on the resource, others' included; labels are compared through \
            terraform_labels",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

const IMAGE: &str = "boot_disk.0.initialize_params.0.image";

/// `projects/P/zones/Z/instances/N`, the id the provider stores.
fn id(scope: &Scope, name: &str) -> String {
    format!(
        "projects/{}/zones/{}/instances/{name}",
        scope.project, scope.location
    )
}

/// An instance as Terraform's state writes it. `images` maps a disk's link to the image it was
/// made from, `None` when the disks could not be read.
fn map(i: &Instance, scope: &Scope, images: Option<&HashMap<String, String>>) -> Option<Resource> {
    let name = i.name.as_deref()?;
    let metadata: Vec<Value> = i
        .metadata
        .iter()
        .flat_map(|m| &m.items)
        .filter_map(|item| item.key.clone().map(Value::String))
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
            let source = d.source.as_deref().map(canonical_link);
            let mut disk = json!({
                "auto_delete": d.auto_delete,
                "device_name": opt(d.device_name.as_deref()),
                "mode": opt(d.mode.as_ref().and_then(|m| m.name())),
                "source": opt(source.as_deref()),
            });
            if let Some(images) = images {
                let image = source.as_ref().and_then(|s| images.get(s));
                disk["initialize_params"] = json!([{"image": opt(image.map(String::as_str))}]);
            }
            disk
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

/// Marks the disks instances boot from as the cloud's own: a boot disk made from the instance's
/// `initialize_params` belongs to the instance in Terraform, and is no unmanaged disk. A disk
/// that state manages on its own (`boot_disk { source = ... }`) is still compared.
pub(crate) fn mark_boot_disks(resources: &mut [Resource]) {
    let boot: std::collections::HashSet<String> = resources
        .iter()
        .filter(|r| r.key.resource_type == SPEC.resource_type)
        .filter_map(|r| r.attrs.get("boot_disk")?.as_array())
        .flatten()
        .filter_map(|d| d.get("source")?.as_str().map(canonical_link))
        .collect();
    for r in resources
        .iter_mut()
        .filter(|r| r.key.resource_type == super::compute_disk::SPEC.resource_type)
    {
        if boot.contains(&canonical_link(&r.key.id)) {
            r.cloud_default = true;
        }
    }
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeInstance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let instances = scope_pages(
            client,
            (scope, &s),
            "listing instances",
            |s| {
                client
                    .clients
                    .instances
                    .list()
                    .set_project(&s.project)
                    .set_zone(&s.location)
            },
            Some,
        )
        .await?;
        // The boot images, from the zone's disks: only where an instance boots from one.
        let boots = instances
            .iter()
            .flat_map(|i| &i.disks)
            .any(|d| d.boot == Some(true) && d.source.is_some());
        let mut unread_attributes = Vec::new();
        let images = if boots {
            let listed = scope_pages(
                client,
                (scope, &s),
                "listing disks (for instance boot images)",
                |s| {
                    client
                        .clients
                        .disks
                        .list()
                        .set_project(&s.project)
                        .set_zone(&s.location)
                },
                |d| {
                    let image = d.source_image.filter(|i| !i.is_empty())?;
                    Some((
                        canonical_link(d.self_link.as_deref()?),
                        canonical_link(&image),
                    ))
                },
            )
            .await;
            match listed {
                Ok(pairs) => Some(pairs.into_iter().collect::<HashMap<_, _>>()),
                Err(e) => {
                    unread_attributes.push((IMAGE.to_string(), e));
                    None
                }
            }
        } else {
            Some(HashMap::new())
        };
        let resources = instances
            .iter()
            .filter_map(|i| map(i, &s, images.as_ref()))
            .collect();
        Ok(KindListing {
            resources,
            unread_attributes,
        })
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
                                 "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}],
            "disks": [{"boot": true, "autoDelete": true, "deviceName": "persistent-disk-0",
                       "source": "projects/p/zones/us-central1-a/disks/web-1"}]
        }))
        .expect("instance JSON");
        let images = HashMap::from([(
            "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/disks/web-1"
                .to_string(),
            "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-v1"
                .to_string(),
        )]);
        let scope = Scope::new("p", "us-central1-a");
        let r = map(&i, &scope, Some(&images)).expect("mapped");
        assert_eq!(r.key.id, "projects/p/zones/us-central1-a/instances/web-1");
        assert_eq!(r.region.as_deref(), Some("p/us-central1-a"));
        assert_eq!(r.attrs["machine_type"], json!("e2-small"));
        assert_eq!(r.attrs["zone"], json!("us-central1-a"));
        assert_eq!(r.attrs["labels"], json!({"env": "prod"}));
        // Keys only: no value is held.
        assert_eq!(r.attrs["metadata"], json!(["enable-oslogin"]));
        assert_eq!(
            driftd_core::attr_at(&r.attrs, IMAGE),
            Some(&json!(
                "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-v1"
            ))
        );
        // Disks not read: the image is unknown, not absent.
        let unread = map(&i, &scope, None).expect("mapped");
        assert_eq!(driftd_core::attr_at(&unread.attrs, IMAGE), None);
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
