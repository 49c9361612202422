//! The traits a cloud provider implements, and what a listing returns.

use crate::model::{Resource, Skipped};
use crate::schema::TypeSpec;
use async_trait::async_trait;
use std::fmt;

/// Everything one provider listed for one target.
#[derive(Debug, Default, Clone)]
pub struct LiveInventory {
    pub resources: Vec<Resource>,
    /// `(resource_type, scope)` pairs listed completely. Only these can prove a resource missing.
    pub scanned: Vec<(String, String)>,
    /// Scopes (or attributes) that could not be listed.
    pub skipped: Vec<Skipped>,
    /// API calls made and throttling answers seen, for progress and metrics.
    pub api_calls: u64,
    pub throttles: u64,
}

/// A provider failure that stops the whole target (no credentials, unusable configuration).
/// Failures of one scope are not errors: they go to [`LiveInventory::skipped`].
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no usable credentials for provider {provider}: {message}")]
    Credentials { provider: String, message: String },
    #[error("invalid provider configuration: {0}")]
    Config(String),
}

/// A cloud (or cluster) that driftd can list.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Provider name as used in resource keys and state (`aws`).
    fn name(&self) -> &'static str;
    /// The resource types this provider compares, with their comparison specs.
    fn type_specs(&self) -> Vec<&'static TypeSpec>;
    /// Lists the given resource types in every configured scope.
    async fn list(&self, resource_types: &[String]) -> Result<LiveInventory, ProviderError>;
}

/// Why one scope could not be listed; the classification decides the report wording and whether
/// retrying later can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListError {
    AccessDenied(String),
    Throttled(String),
    Timeout(String),
    Connection(String),
    Api(String),
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListError::AccessDenied(m) => write!(f, "access denied: {m}"),
            ListError::Throttled(m) => write!(f, "throttled after retries: {m}"),
            ListError::Timeout(m) => write!(f, "timed out: {m}"),
            ListError::Connection(m) => write!(f, "could not connect: {m}"),
            ListError::Api(m) => write!(f, "API error: {m}"),
        }
    }
}

impl std::error::Error for ListError {}

/// One resource type of a provider: its comparison spec and how to list it with client `C`.
/// Adding a type is one file implementing this plus one registry line.
#[async_trait]
pub trait ResourceKind<C: Sync>: Send + Sync {
    fn spec(&self) -> &'static TypeSpec;
    /// Lists every resource of this type in `scope` (a region), mapped to Terraform attributes.
    /// An error means the scope is not scanned; a partial list must never be returned as `Ok`.
    async fn list(&self, client: &C, scope: &str) -> Result<KindListing, ListError>;
}

/// What one [`ResourceKind::list`] call returns.
#[derive(Debug, Default)]
pub struct KindListing {
    pub resources: Vec<Resource>,
    /// Attributes that could not be read (left out of the comparison), with the reason.
    pub unread_attributes: Vec<(String, ListError)>,
    pub api_calls: u64,
}
