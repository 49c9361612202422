//! driftd's AWS provider: lists EC2, S3 and IAM resources with the AWS SDK and maps them to the
//! attribute names of the Terraform AWS provider.
//!
//! - [`client`]: SDK configuration (credential chain, optional endpoint and assumed role, retries,
//!   timeouts) and the classification of SDK errors into "not scanned" reasons.
//! - [`metering`]: counts every API call attempt (SDK retries included) and the throttled ones.
//! - [`region`]: the region a target works in when it names none (environment, profile).
//! - `scan`: what every unit of one scan shares (regions, the account's buckets).
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
mod scan;
pub mod state_backend;

use async_trait::async_trait;
use client::Clients;
use driftd_core::listing::{run_units, ListingUnit};
use driftd_core::provider::Progress;
use driftd_core::{LiveInventory, Provider, ProviderError, ResourceKind, TypeSpec};
use metering::AttemptMeter;
use std::sync::Arc;
use std::time::Duration;

pub use client::AwsSettings;

/// Provider name used in resource keys, and the scope of global services (IAM, Route 53,
/// CloudFront): what the report names and what the state side of such a resource is placed in
/// (see `driftd-iac`'s state reader).
pub use driftd_aws_services::{GLOBAL_SCOPE, PROVIDER};

/// Every unit of a scan lists at once: the SDK's clients pace their own calls (retries with
/// backoff on throttling), and a target's units are a few dozen per region.
const UNBOUNDED: usize = usize::MAX;

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
        let (base, checked) = client::load_checked(&self.settings).await?;
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
        let scan = Arc::new(scan::ScanShared::new(regional_scopes(
            &self.settings.regions,
        )));
        let path_style = self.settings.endpoint_url.is_some();
        let api = Arc::new(client::api_shared(&base, checked, &self.settings)?);
        let units = plan
            .into_iter()
            .map(|(kind, region)| {
                let meter = AttemptMeter::new(progress.clone());
                let client = Clients::new(
                    &base,
                    &region,
                    meter.clone(),
                    path_style,
                    scan.clone(),
                    &api,
                );
                let scope = region.clone();
                ListingUnit {
                    resource_type: kind.spec().resource_type,
                    scope: region,
                    meter: meter.api_meter().clone(),
                    list: Box::pin(async move { kind.list(&client, &scope).await }),
                }
            })
            .collect();

        let mut inv = LiveInventory::default();
        // The caller's account, counted like every other API call, asked while the units list.
        let meter = AttemptMeter::new(progress.clone());
        let listed = run_units(PROVIDER, units, UNBOUNDED, &progress, &mut inv, |_, l| l);
        let (account, ()) = tokio::join!(client::caller_account(&base, meter.clone()), listed);
        let (api_calls, throttles) = meter.counts();
        inv.account = account;
        inv.api_calls += api_calls;
        inv.throttles += throttles;
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
