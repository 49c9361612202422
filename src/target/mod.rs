//! Targets: what one `[[target]]` reads (Terraform code and state, or a provider's own
//! definitions) and the provider that lists its live side.
//!
//! Every provider is one module here implementing [`ProviderKind`], registered by one line in
//! [`registry`]: it owns its `[target.<section>]` settings, their validation, how the expected
//! side is read when it is not Terraform's, and how its [`driftd_core::Provider`] is built.
//! Terraform's code and state reading, shared by every provider whose resources Terraform
//! manages, is [`terraform`]. Nothing here knows the daemon, notifications or reports.
//!
//! - [`config`]: `TargetConfig`, the settings every target has, and the raw provider sections.
//! - [`backend`]: `[target.backend]`, where a Terraform state is kept.

pub mod aws;
pub mod backend;
pub mod config;
pub mod gcp;
pub mod kubernetes;
pub mod registry;
pub mod terraform;

pub use self::config::TargetConfig;

use self::backend::RemoteState;
use anyhow::Result;
use async_trait::async_trait;
use driftd_core::threeway::CodeSide;
use driftd_core::{Provider, Resource, Skipped, TypeSpec};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

/// The expected side of one target: what its definitions say should exist.
pub struct Expected {
    /// Resources as applied: Terraform state (or, for providers without state, the definitions).
    pub resources: Vec<Resource>,
    /// The Terraform code, when the target reads it (`code`).
    pub code: Option<CodeSide>,
    /// Whether state was read. Without it, code is matched to live resources by identity.
    pub has_state: bool,
}

/// What a listing proved, for a provider to set aside the state resources it says nothing about.
pub struct Listed<'a> {
    /// The live resources.
    pub live: &'a [Resource],
    /// `(provider, type, scope)` listed completely.
    pub scanned: &'a BTreeSet<(String, String, String)>,
    /// Scopes and attributes that could not be listed.
    pub skipped: &'a [Skipped],
    /// The account (or project) the listing's credentials reach, when the provider knows it.
    pub account: Option<&'a str>,
    /// The specs of the types compared.
    pub specs: &'a [&'static TypeSpec],
}

/// One provider as targets use it. Methods with a default suit a provider whose resources
/// Terraform manages and which needs nothing special.
#[async_trait]
pub trait ProviderKind: Send + Sync {
    /// The names a target's `provider` may take; the first is the one resources carry.
    fn names(&self) -> &'static [&'static str];

    /// The key of the provider's settings table (`aws` for `[target.aws]`).
    fn section(&self) -> &'static str;

    /// Checks a settings table as written, naming the key that is wrong and why (usually
    /// [`config::check_as`] over the provider's settings type).
    fn section_check(&self) -> fn(&toml::Value) -> Result<(), String>;

    /// Makes the relative file paths of a settings table relative to the config's directory.
    fn resolve_paths(&self, _section: &mut toml::Value, _base_dir: &Path) {}

    /// What is wrong with a target of this provider, each problem prefixed with `at`: its
    /// settings, and the generic keys as they apply to it. Pure: only local files are looked at.
    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String>;

    /// The types a target may name in `resource_types`; `None` when any type can be (they come
    /// from the definitions).
    fn supported_types(&self) -> Option<Vec<&'static str>>;

    /// The specs of the types this provider compares, for `driftd types`.
    fn type_specs(&self) -> Vec<&'static TypeSpec>;

    /// What `driftd types` says of a provider without a fixed list of types.
    fn types_note(&self) -> Option<&'static str> {
        None
    }

    /// The attribute path that finds the code's resources live when there is no state.
    fn default_identity(&self) -> &'static str {
        "name"
    }

    /// Whether the target's expected side is Terraform's (code and state) or the provider's own.
    fn reads_terraform(&self) -> bool {
        true
    }

    /// What a provider's own definitions are called (`manifests`), in messages.
    fn definitions_name(&self) -> &'static str {
        "definitions"
    }

    /// The expected side of a provider with definitions of its own (manifests); only called
    /// when [`ProviderKind::reads_terraform`] is false.
    async fn load_definitions(&self, target: &TargetConfig, _base_dir: &Path) -> Result<Expected> {
        anyhow::bail!(
            "target `{}`: provider `{}` reads Terraform, not definitions of its own",
            target.name,
            self.names()[0]
        )
    }

    /// Gives the code's resources the scope the listing gives live ones, where their arguments
    /// tell.
    fn scope_code(&self, _target: &TargetConfig, _code: &mut CodeSide) {}

    /// The provider that lists the target's live resources, configured from the target and,
    /// where the target leaves its scope open, from what the definitions name.
    async fn build(&self, target: &TargetConfig, expected: &Expected) -> Result<Box<dyn Provider>>;

    /// Takes out of the comparison the expected resources the listing cannot prove anything
    /// about (another account, no known region), with a "not scanned" entry saying why.
    fn set_aside<'r>(
        &self,
        expected: &'r [Resource],
        _code: Option<&CodeSide>,
        _listed: &Listed<'_>,
    ) -> (Cow<'r, [Resource]>, Vec<Skipped>) {
        (Cow::Borrowed(expected), Vec::new())
    }

    /// The Terraform backend types whose states this provider's storage holds (`s3`).
    fn state_backends(&self) -> &'static [&'static str] {
        &[]
    }

    /// Downloads a state kept in this provider's storage, with the credentials of the
    /// target's settings.
    /// Returns the state's bytes and where they were read, for messages.
    async fn read_remote_state(
        &self,
        target: &TargetConfig,
        state: &RemoteState,
    ) -> Result<(Vec<u8>, String)> {
        anyhow::bail!(
            "target `{}`: provider `{}` reads no `{}` state",
            target.name,
            self.names()[0],
            state.backend
        )
    }

    /// Log filter directives (`crate=level`) that quiet the provider's SDK where driftd says
    /// the same thing better.
    fn log_directives(&self) -> &'static [&'static str] {
        &[]
    }

    /// The settings table a one-shot `driftd check` without a config builds from its
    /// `--profile` and `--endpoint-url` flags; only the default provider is asked.
    fn command_line_section(
        &self,
        _profile: Option<&str>,
        _endpoint_url: Option<&str>,
    ) -> Option<toml::Value> {
        None
    }
}

/// The common shape of a URL setting's check.
pub fn check_url(at: &str, key: &str, url: &str) -> Option<String> {
    (!(url.starts_with("http://") || url.starts_with("https://")))
        .then(|| format!("{at}.{key}: `{url}` must start with http:// or https://"))
}
