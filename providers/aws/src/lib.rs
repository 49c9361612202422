//! driftd's AWS provider: lists EC2, S3 and IAM resources with the AWS SDK and maps them to the
//! attribute names of the Terraform AWS provider.
//!
//! - [`client`]: SDK configuration (credential chain, optional endpoint and assumed role, retries,
//!   timeouts) and the classification of SDK errors into "not scanned" reasons.
//! - [`metering`]: counts every API call attempt (SDK retries included) and the throttled ones.
//! - [`region`]: the region a target works in when it names none (environment, profile).
//! - [`resources`]: one file per resource type, each a [`ResourceKind`]; [`resources::registry`]
//!   is the one list to extend when adding a type.
//!
//! Every region is listed independently and every type in it too: a failure skips exactly that
//! `(type, region)` scope and never turns its resources into "missing" ones. IAM is global: its
//! types are listed once, in the scope [`GLOBAL_SCOPE`]. S3 buckets are listed once per scan and
//! each is placed in its region, so S3 types are listed per region like EC2's. Each such unit is
//! reported to a [`Progress`] as it starts and ends, with what it cost.

pub mod client;
pub mod metering;
pub mod region;
pub mod resources;
pub mod state_backend;

use async_trait::async_trait;
use client::Clients;
use driftd_core::provider::{bounded_reason, Progress, ProgressEvent, UnitOutcome, UnitStats};
use driftd_core::{
    ListError, LiveInventory, Provider, ProviderError, ResourceKind, Skipped, TypeSpec,
};
use metering::AttemptMeter;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub use client::AwsSettings;

/// Provider name used in resource keys.
pub const PROVIDER: &str = "aws";

/// The scope of global services (IAM): what the report names and what the state side of an IAM
/// resource is placed in (see `driftd-iac`'s state reader).
pub const GLOBAL_SCOPE: &str = "global";

/// The AWS provider for one target.
pub struct AwsProvider {
    settings: AwsSettings,
}

impl AwsProvider {
    pub fn new(settings: AwsSettings) -> Self {
        AwsProvider { settings }
    }

    /// Names of every resource type this provider supports.
    pub fn supported_types() -> Vec<&'static str> {
        resources::registry()
            .iter()
            .map(|k| k.spec().resource_type)
            .collect()
    }
}

#[async_trait]
impl Provider for AwsProvider {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        resources::registry().iter().map(|k| k.spec()).collect()
    }

    async fn list(
        &self,
        resource_types: &[String],
        progress: Arc<dyn Progress>,
    ) -> Result<LiveInventory, ProviderError> {
        let base = client::load_config(&self.settings).await?;
        let kinds: Vec<Arc<dyn ResourceKind<Clients>>> = resources::registry()
            .into_iter()
            .filter(|k| resource_types.iter().any(|t| t == k.spec().resource_type))
            .map(Arc::from)
            .collect();
        // Each type in each region, or once for a global type.
        let plan: Vec<(Arc<dyn ResourceKind<Clients>>, String)> = kinds
            .iter()
            .flat_map(|kind| {
                let scopes = if resources::is_global(kind.spec().resource_type) {
                    vec![GLOBAL_SCOPE.to_string()]
                } else {
                    // Never a regional type in the global pseudo-region.
                    regional_scopes(&self.settings.regions)
                };
                scopes.into_iter().map(move |scope| (kind.clone(), scope))
            })
            .collect();
        progress.event(&ProgressEvent::Planned {
            provider: PROVIDER,
            units: plan.len(),
        });
        let scan = Arc::new(resources::ScanShared::new(regional_scopes(
            &self.settings.regions,
        )));
        let path_style = self.settings.endpoint_url.is_some();

        let mut tasks = JoinSet::new();
        // What each task lists, to account for a task that panicked.
        let mut units = HashMap::new();
        {
            for (kind, region) in plan {
                let meter = AttemptMeter::new(progress.clone());
                let client = Clients::new(&base, &region, meter.clone(), path_style, scan.clone());
                let progress = progress.clone();
                let resource_type = kind.spec().resource_type;
                let unit = (resource_type, region.clone(), meter.clone(), Instant::now());
                let handle = tasks.spawn(async move {
                    progress.event(&ProgressEvent::Started {
                        provider: PROVIDER,
                        resource_type,
                        scope: region.clone(),
                    });
                    kind.list(&client, &region).await
                });
                units.insert(handle.id(), unit);
            }
        }

        // The caller's account, counted like every other API call.
        let meter = AttemptMeter::new(progress.clone());
        let account = client::caller_account(&base, meter.clone()).await;
        let (api_calls, throttles) = meter.counts();
        let mut inv = LiveInventory {
            account,
            api_calls,
            throttles,
            ..LiveInventory::default()
        };
        while let Some(joined) = tasks.join_next_with_id().await {
            let (id, result) = match joined {
                Ok((id, result)) => (id, result),
                // A panicking listing task is a bug; its scope is not scanned.
                Err(e) => {
                    tracing::error!(error = %e, "a listing task failed unexpectedly");
                    (
                        e.id(),
                        Err(ListError::Api(
                            "the listing task failed unexpectedly".into(),
                        )),
                    )
                }
            };
            let Some((resource_type, region, meter, started)) = units.remove(&id) else {
                continue;
            };
            let (api_calls, throttles) = meter.counts();
            let mut stats = UnitStats {
                resources: 0,
                api_calls,
                throttles,
                duration: started.elapsed(),
            };
            inv.api_calls += api_calls;
            inv.throttles += throttles;
            let outcome = match result {
                Ok(listing) => {
                    stats.resources = listing.resources.len();
                    let mut unread_attributes = Vec::new();
                    for (attribute, err) in listing.unread_attributes {
                        unread_attributes
                            .push((attribute.clone(), bounded_reason(&err.to_string())));
                        inv.skipped.push(Skipped {
                            provider: PROVIDER.into(),
                            resource_type: resource_type.into(),
                            scope: region.clone(),
                            attribute: Some(attribute),
                            reason: bounded_reason(&err.to_string()),
                        });
                    }
                    inv.resources.extend(listing.resources);
                    inv.scanned
                        .push((resource_type.to_string(), region.clone()));
                    UnitOutcome::Listed { unread_attributes }
                }
                Err(err) => {
                    inv.skipped.push(Skipped {
                        provider: PROVIDER.into(),
                        resource_type: resource_type.into(),
                        scope: region.clone(),
                        attribute: None,
                        reason: bounded_reason(&err.to_string()),
                    });
                    UnitOutcome::Skipped {
                        reason: bounded_reason(&err.to_string()),
                    }
                }
            };
            progress.event(&ProgressEvent::Finished {
                provider: PROVIDER,
                resource_type,
                scope: region,
                stats,
                outcome,
            });
        }
        inv.resources.sort_by(|a, b| a.key.cmp(&b.key));
        inv.scanned.sort();
        inv.skipped.sort();
        Ok(inv)
    }
}

/// The regions regional types are listed in: the target's, without the global pseudo-region and
/// without repeats.
pub fn regional_scopes(regions: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(regions.len());
    for r in regions {
        if r != GLOBAL_SCOPE && !r.is_empty() && !out.contains(r) {
            out.push(r.clone());
        }
    }
    out
}

/// Default per-operation deadline, retries included.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
