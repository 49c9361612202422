//! driftd's Google Cloud provider: lists Compute Engine resources with Google's official
//! `google-cloud-compute-v1` REST client and Cloud Storage buckets through the JSON API, and maps
//! them to the attribute names the Terraform `google` provider writes in state.
//!
//! - [`client`]: credentials (ADC, key file, impersonation, none against an emulator), the
//!   clients, metering, and the classification of API errors into "not scanned" reasons.
//! - [`scope`]: `PROJECT/ZONE`, `PROJECT/REGION` and `PROJECT/global` scopes, and link helpers.
//! - [`resources`]: one file per resource type; [`resources::registry`] is the one list to
//!   extend when adding a type.
//! - [`storage`]: the Cloud Storage JSON API, and reading Terraform state from a `gcs` backend.
//!
//! Every project is listed independently, and every type in each of its scopes too: a failure
//! (permission denied, API not enabled, throttling, timeout) skips exactly that
//! `(type, scope)` and never turns its resources into "missing" ones.

pub mod apis;
pub mod client;
mod iam;
mod paging;
pub mod resources;
pub mod rest;
pub mod scope;
pub mod storage;

use async_trait::async_trait;
use client::{Clients, UnitClient};
use driftd_core::listing::{run_units, ApiMeter, ListingUnit};
use driftd_core::provider::Progress;
use driftd_core::{ListError, LiveInventory, Provider, ProviderError, Skipped, TypeSpec};
use scope::{zone_region, Locality, Scope};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

pub use client::GcpSettings;
pub use storage::{fetch_gcs_state, GcsStateError, GcsStateLocation};

/// The scope (`PROJECT/ZONE`, `PROJECT/REGION` or `PROJECT/global`) a `google_*` resource block
/// of the code is in, from its own `project`, `zone` and `region` (or `location`) arguments (`project` falling
/// back to `default_project`); `None` when the code does not say, or the type is not one driftd
/// lists.
pub fn code_scope(
    resource_type: &str,
    attrs: &driftd_core::Attrs,
    default_project: Option<&str>,
) -> Option<String> {
    let kind = resources::registry()
        .into_iter()
        .find(|k| k.kind.spec().resource_type == resource_type)?;
    let text = |key: &str| {
        attrs
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    };
    let project = text("project").or(default_project)?;
    let location = match kind.locality {
        Locality::Global => scope::GLOBAL,
        Locality::Zonal => scope::short_name(text("zone")?),
        // A GKE cluster or node pool gives a `location`, a zone or a region.
        Locality::Regional => match text("region") {
            Some(region) => scope::short_name(region),
            None => {
                let location = scope::short_name(text("location")?);
                scope::zone_region(location).unwrap_or(location)
            }
        },
    };
    Some(scope::Scope::new(scope::short_name(project), location).to_string())
}

/// Provider name used in resource keys: the name Terraform state gives the `google` provider.
pub const PROVIDER: &str = "google";

/// Default per-call deadline, retries included.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// Units of work listed at once (a project has about 120 zones).
const CONCURRENCY: usize = 16;

/// The Google Cloud provider for one target.
pub struct GcpProvider {
    settings: GcpSettings,
}

impl GcpProvider {
    pub fn new(settings: GcpSettings) -> Self {
        GcpProvider { settings }
    }

    /// Names of every resource type this provider supports.
    pub fn supported_types() -> Vec<&'static str> {
        resources::registry()
            .iter()
            .map(|k| k.kind.spec().resource_type)
            .collect()
    }
}

/// The zones and regions of one project to list, or why they could not be found.
struct Locations {
    zones: Result<Vec<String>, ListError>,
    regions: Result<Vec<String>, ListError>,
}

/// The project's zones and regions: as configured, or as the Compute Engine API lists them
/// (zones that are `UP`). Regions default to those of the configured zones.
async fn locations(
    clients: &UnitClient,
    s: &GcpSettings,
    project: &str,
    need_zones: bool,
    need_regions: bool,
) -> Locations {
    let mut zones = Ok(s.zones.clone());
    if need_zones && s.zones.is_empty() {
        zones = list_zones(clients, project).await;
    }
    let regions = if !need_regions {
        Ok(Vec::new())
    } else if !s.regions.is_empty() {
        Ok(s.regions.clone())
    } else if !s.zones.is_empty() {
        let set: BTreeSet<String> = s
            .zones
            .iter()
            .filter_map(|z| zone_region(z))
            .map(str::to_string)
            .collect();
        Ok(set.into_iter().collect())
    } else {
        list_regions(clients, project).await
    };
    Locations { zones, regions }
}

async fn list_zones(c: &UnitClient, project: &str) -> Result<Vec<String>, ListError> {
    let scope = format!("{project}/*");
    paging::all_pages(
        c,
        "listing zones",
        &scope,
        || c.clients.zones.list().set_project(project),
        |z| up_name(z.status.as_ref().and_then(|s| s.name()), z.name),
    )
    .await
}

async fn list_regions(c: &UnitClient, project: &str) -> Result<Vec<String>, ListError> {
    let scope = format!("{project}/*");
    paging::all_pages(
        c,
        "listing regions",
        &scope,
        || c.clients.regions.list().set_project(project),
        |r| up_name(r.status.as_ref().and_then(|s| s.name()), r.name),
    )
    .await
}

/// The name of a zone or region, unless its status is `DOWN`.
fn up_name(status: Option<&str>, name: Option<String>) -> Option<String> {
    name.filter(|_| status != Some("DOWN"))
}

#[async_trait]
impl Provider for GcpProvider {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        resources::registry()
            .iter()
            .map(|k| k.kind.spec())
            .collect()
    }

    async fn list(
        &self,
        resource_types: &[String],
        progress: Arc<dyn Progress>,
    ) -> Result<LiveInventory, ProviderError> {
        let s = &self.settings;
        if s.projects.is_empty() {
            return Err(ProviderError::Config(
                "no Google Cloud project to scan; set `projects` in the target's [target.gcp]"
                    .into(),
            ));
        }
        let clients = Arc::new(Clients::new(s).await?);
        let kinds: Vec<Arc<resources::Kind>> = resources::registry()
            .into_iter()
            .filter(|k| {
                resource_types
                    .iter()
                    .any(|t| t == k.kind.spec().resource_type)
            })
            .map(Arc::new)
            .collect();
        let need_zones = kinds.iter().any(|k| k.locality == Locality::Zonal);
        let need_regions = kinds.iter().any(|k| k.locality == Locality::Regional);

        let mut inv = LiveInventory::default();
        // Every (kind, scope) to list; kinds whose locations could not be found are skipped.
        let mut plan: Vec<(Arc<resources::Kind>, Scope)> = Vec::new();
        for project in &s.projects {
            let discovery = UnitClient {
                clients: clients.clone(),
                meter: ApiMeter::new(PROVIDER, progress.clone()),
            };
            let found = locations(&discovery, s, project, need_zones, need_regions).await;
            let (calls, throttles) = discovery.meter.counts();
            inv.api_calls += calls;
            inv.throttles += throttles;
            for kind in &kinds {
                let places = match kind.locality {
                    Locality::Global => Ok(vec![scope::GLOBAL.to_string()]),
                    Locality::Zonal => found.zones.clone(),
                    Locality::Regional => found.regions.clone(),
                };
                match places {
                    Ok(places) => plan.extend(
                        places
                            .into_iter()
                            .map(|p| (kind.clone(), Scope::new(project, &p))),
                    ),
                    Err(err) => inv.skipped.push(Skipped {
                        provider: PROVIDER.into(),
                        resource_type: kind.kind.spec().resource_type.into(),
                        scope: format!("{project}/*"),
                        attribute: None,
                        reason: err.to_string(),
                    }),
                }
            }
        }
        let units = plan
            .into_iter()
            .map(|(kind, scope)| {
                let unit = UnitClient {
                    clients: clients.clone(),
                    meter: ApiMeter::new(PROVIDER, progress.clone()),
                };
                let scope = scope.to_string();
                let task_scope = scope.clone();
                ListingUnit {
                    resource_type: kind.kind.spec().resource_type,
                    scope,
                    meter: unit.meter.clone(),
                    list: Box::pin(async move { kind.kind.list(&unit, &task_scope).await }),
                }
            })
            .collect();
        run_units(PROVIDER, units, CONCURRENCY, &progress, &mut inv, |_, l| l).await;
        resources::compute_instance::mark_boot_disks(&mut inv.resources);
        inv.resources.sort_by(|a, b| a.key.cmp(&b.key));
        inv.scanned.sort();
        inv.skipped.sort();
        Ok(inv)
    }
}
