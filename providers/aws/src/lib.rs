//! driftd's AWS provider: lists EC2 resources with `aws-sdk-ec2` and maps them to the attribute
//! names of the Terraform AWS provider.
//!
//! - [`client`]: SDK configuration (credential chain, optional endpoint and assumed role, retries,
//!   timeouts) and the classification of SDK errors into "not scanned" reasons.
//! - [`resources`]: one file per resource type, each a [`ResourceKind`]; [`resources::registry`]
//!   is the one list to extend when adding a type.
//!
//! Every region is listed independently and every type in it too: a failure skips exactly that
//! `(type, region)` scope and never turns its resources into "missing" ones.

pub mod client;
pub mod resources;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use driftd_core::{LiveInventory, Provider, ProviderError, ResourceKind, Skipped, TypeSpec};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

pub use client::AwsSettings;

/// Provider name used in resource keys.
pub const PROVIDER: &str = "aws";

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

    async fn list(&self, resource_types: &[String]) -> Result<LiveInventory, ProviderError> {
        let base = client::load_config(&self.settings).await?;
        let kinds: Vec<Arc<dyn ResourceKind<Client>>> = resources::registry()
            .into_iter()
            .filter(|k| resource_types.iter().any(|t| t == k.spec().resource_type))
            .map(Arc::from)
            .collect();

        let mut tasks = JoinSet::new();
        for region in &self.settings.regions {
            let client = client::ec2_client(&base, region);
            for kind in &kinds {
                let (kind, client, region) = (kind.clone(), client.clone(), region.clone());
                tasks.spawn(async move {
                    let started = std::time::Instant::now();
                    let result = kind.list(&client, &region).await;
                    (kind.spec().resource_type, region, result, started.elapsed())
                });
            }
        }

        let mut inv = LiveInventory::default();
        while let Some(joined) = tasks.join_next().await {
            let Ok((resource_type, region, result, took)) = joined else {
                // A panicking listing task is a bug; its scope is simply not scanned, and the
                // missing `scanned` entry keeps its resources from being reported missing.
                tracing::error!("a listing task failed unexpectedly");
                continue;
            };
            match result {
                Ok(listing) => {
                    tracing::info!(
                        resource_type,
                        region = %region,
                        count = listing.resources.len(),
                        api_calls = listing.api_calls,
                        ms = took.as_millis() as u64,
                        "listed"
                    );
                    inv.api_calls += listing.api_calls;
                    for (attribute, err) in listing.unread_attributes {
                        inv.skipped.push(Skipped {
                            provider: PROVIDER.into(),
                            resource_type: resource_type.into(),
                            scope: region.clone(),
                            attribute: Some(attribute),
                            reason: err.to_string(),
                        });
                    }
                    inv.resources.extend(listing.resources);
                    inv.scanned.push((resource_type.to_string(), region));
                }
                Err(err) => {
                    if matches!(err, driftd_core::ListError::Throttled(_)) {
                        inv.throttles += 1;
                    }
                    tracing::warn!(resource_type, region = %region, error = %err, "not scanned");
                    inv.skipped.push(Skipped {
                        provider: PROVIDER.into(),
                        resource_type: resource_type.into(),
                        scope: region,
                        attribute: None,
                        reason: err.to_string(),
                    });
                }
            }
        }
        inv.resources.sort_by(|a, b| a.key.cmp(&b.key));
        inv.scanned.sort();
        inv.skipped.sort();
        Ok(inv)
    }
}

/// Default per-operation deadline, retries included.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
