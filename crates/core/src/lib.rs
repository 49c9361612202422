//! driftd's core: the resource and finding model, the provider traits, and the pure analyzer.
//!
//! Nothing in this crate does I/O; the one part that runs tasks is [`listing`], which runs a
//! provider's listing units. Readers of code and state (`driftd-iac`) and providers of live
//! state (`driftd-aws`, ...) produce [`Resource`]s; [`analyze`] compares them and returns sorted,
//! fingerprinted [`Finding`]s with built-in tiers. Which attributes of a resource type are compared,
//! and how they are normalized before comparison, is data ([`TypeSpec`]) owned by the provider.
//!
//! Layout:
//! - [`model`]: resources, findings, changes, tiers, skipped scopes.
//! - [`schema`]: per-type comparison specs and the normalization they drive.
//! - [`analyze()`]: expected (state) vs live, scope-aware (a skipped scope is never "missing").
//! - [`prepare`]: each side indexed and normalized once; [`analyze_prepared`] compares two.
//! - [`tier`]: built-in tier rules; [`classify`]: the config's rules that override them.
//! - [`ignore`]: `.driftignore` and `[[ignore]]` rules that drop findings or changes.
//! - [`provider`]: the trait a cloud provider implements.
//! - [`listing`]: the fan-out of a provider's listing units and their accounting.
//! - [`report`]: the versioned JSON report and the exit-code decision.
//! - [`secret`]: keyed digests of values that are compared but never shown.

pub mod analyze;
pub mod classify;
pub mod ignore;
pub mod listing;
pub mod model;
pub mod prepare;
pub mod provider;
pub mod report;
pub mod schema;
pub mod secret;
pub mod threeway;
pub mod tier;

pub use analyze::{
    analyze, analyze_prepared, engine_finding, Analysis, AnalyzeInput, PreparedInput,
};
pub use model::*;
pub use prepare::{Prepared, Side};
pub use provider::{KindListing, ListError, LiveInventory, Provider, ProviderError, ResourceKind};
pub use report::{FailOn, Outcome, PolicyFailure, Report};
pub use schema::{AttrSpec, RuleLayout, RuleSource, Shape, TierHint, TypeSpec, UncomparedAttr};
pub use secret::secret_digest;
