//! `driftd.toml`: targets and how to reach them. Parsing is strict (unknown keys are errors that
//! name the key and the file) and validation is pure: no network, only local files are looked at.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Scan targets, in file order.
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetConfig>,
    /// Settings of `driftd daemon` and of the history store.
    #[serde(default)]
    pub daemon: DaemonConfig,
    /// Notification channels.
    #[serde(default, rename = "channel")]
    pub channels: Vec<crate::notify::config::ChannelConfig>,
    /// Routes from findings to channels, tried in order.
    #[serde(default, rename = "route")]
    pub routes: Vec<crate::notify::config::RouteConfig>,
    /// Per-tier notification policy and delivery settings.
    #[serde(default)]
    pub notify: crate::notify::config::NotifyConfig,
    /// The dashboard, JSON API and metrics served by the daemon; off without this section.
    pub web: Option<crate::web::config::WebConfig>,
    /// Ordered rules overriding the built-in tiers; the first match wins.
    #[serde(default, rename = "classify")]
    pub classify: Vec<driftd_core::classify::RuleConfig>,
    /// Accepted drift: rules with a reason, an owner and an optional expiry.
    #[serde(default, rename = "ignore")]
    pub ignore: Vec<driftd_core::ignore::IgnoreConfig>,
    /// Directory that relative paths are resolved from (the config file's directory).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file this came from, for messages.
    #[serde(skip)]
    pub path: PathBuf,
}

/// One thing to scan: its state, its cloud scope, and how to reach the cloud.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Unique name, used in reports, fingerprints and `--target`.
    pub name: String,
    /// `aws`, or `google` (alias `gcp`) for Google Cloud.
    #[serde(default = "default_provider")]
    pub provider: String,
    /// Terraform state locations: files, directories or glob patterns, relative to the config.
    /// Empty: the state comes from `backend`, or from the `backend` block of `code`.
    #[serde(default)]
    pub states: Vec<String>,
    /// The Terraform root module (a directory, relative to the config) to read besides state:
    /// unapplied changes become `pending`, not drift, and each change says whether its expected
    /// value came from code, state or both.
    pub code: Option<String>,
    /// `-var-file` files for `code`, relative to the config, applied after `*.tfvars` as
    /// Terraform applies them. `TF_VAR_*` variables of driftd's environment apply too.
    #[serde(default)]
    pub var_files: Vec<String>,
    /// Terraform workspace: what `terraform.workspace` is in the code, and whose state a backend
    /// reads (`env:/WORKSPACE/key` in S3). `default` when absent.
    pub workspace: Option<String>,
    /// A remote state backend (`type = "s3"` or `"http"`), when `states` is empty.
    pub backend: Option<crate::terraform::BackendConfig>,
    /// Without any state, code is matched to live resources by this attribute path. Absent:
    /// `tags.Name` on AWS, `name` on Google Cloud (see [`TargetConfig::identity`]).
    pub identity: Option<String>,
    /// Regions to list. Empty: the regions the state's resources are in.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Resource types to compare. Empty: every type the provider supports.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Report cloud-created defaults (default VPC and its subnets, default security groups,
    /// instance root volumes) as unmanaged too.
    #[serde(default)]
    pub include_cloud_defaults: bool,
    /// The least coverage, in percent (0 to 100), that a check of this target accepts: below
    /// it, `driftd check` and `driftd scan` exit 3 with a message. Coverage is the share of the
    /// resources that were compared (docs/report-schema.md). `--require-coverage` overrides it.
    pub require_coverage: Option<f64>,
    #[serde(default)]
    pub aws: AwsConfig,
    /// Google Cloud targets: projects, zones, credentials (see `gcp_config`).
    #[serde(default)]
    pub gcp: crate::gcp_config::GcpConfig,
    /// Kubernetes targets: manifests, cluster access, watched namespaces (see `kube_config`).
    #[serde(default)]
    pub kubernetes: crate::kube_config::KubeConfig,
    /// Cron expression of the daemon's scans (5 fields like crontab, or 6 with seconds first).
    /// Without one, the daemon does not scan this target on its own.
    pub schedule: Option<String>,
    /// IANA time zone of `schedule`.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Up to this many seconds of delay added to each tick, different per target.
    #[serde(default)]
    pub jitter_secs: u64,
    /// Scan once as soon as the daemon starts.
    #[serde(default)]
    pub run_at_start: bool,
    /// Free-form labels (`team = "net"`) that routes and silences can match.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// A driftctl-style ignore file, relative to the config. Default: `.driftignore` next to
    /// the config, when there is one.
    pub ignore_file: Option<String>,
    /// The config's `[[ignore]]` rules, copied into every target at load, so that a scan (and
    /// a reload, which compares targets) sees them.
    #[serde(skip)]
    pub ignore_rules: Vec<driftd_core::ignore::IgnoreConfig>,
    /// The config file, naming `[[ignore]]` rules in reports (`driftd.toml: ignore[0]`).
    #[serde(skip)]
    pub config_name: String,
    /// `[target.limits]`: bounds on reading the target's code; defaults suit any real project.
    #[serde(default)]
    pub limits: LimitsConfig,
}

/// `[target.limits]`: what reading one target's code may take before it is refused with an
/// error naming the limit (a module asking for a billion instances, a generated 1 GB file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// The largest `.tf` / `.tfvars` file read, in bytes (default 8 MiB).
    pub max_file_bytes: Option<u64>,
    /// The most instances one `count` or `for_each` may ask for (default 10000).
    pub max_instances: Option<u64>,
    /// The most resource instances the code may declare in all (default 200000).
    pub max_resources: Option<usize>,
    /// The most elements the `for` expressions of one attribute may iterate over, nested loops
    /// multiplied (default 1000000); past it the attribute is not evaluated.
    pub max_elements: Option<u64>,
    /// The longest string a function or template may build, in bytes (default 4194304); past
    /// it the value is not evaluated.
    pub max_string_bytes: Option<usize>,
}

impl LimitsConfig {
    /// These limits over the defaults.
    pub fn limits(&self) -> driftd_iac::hcl::Limits {
        let d = driftd_iac::hcl::Limits::default();
        driftd_iac::hcl::Limits {
            max_file_bytes: self.max_file_bytes.unwrap_or(d.max_file_bytes),
            max_instances: self.max_instances.unwrap_or(d.max_instances),
            max_resources: self.max_resources.unwrap_or(d.max_resources),
            max_elements: self.max_elements.unwrap_or(d.max_elements),
            max_string_bytes: self.max_string_bytes.unwrap_or(d.max_string_bytes),
        }
    }
}

/// `[daemon]`: the long-running service and its history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonConfig {
    /// Directory of the history database (`driftd.db`). `$STATE_DIRECTORY` (set by systemd's
    /// `StateDirectory=`) and `--state-dir` override it.
    #[serde(default = "default_state_dir")]
    pub state_dir: PathBuf,
    /// Scans running at once, over all targets.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_scans: usize,
    /// On SIGTERM, how long running scans may take to finish before they are cancelled.
    #[serde(default = "default_shutdown_timeout")]
    pub shutdown_timeout_secs: u64,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            state_dir: default_state_dir(),
            max_concurrent_scans: default_max_concurrent(),
            shutdown_timeout_secs: default_shutdown_timeout(),
        }
    }
}

fn default_timezone() -> String {
    "UTC".into()
}
fn default_state_dir() -> PathBuf {
    PathBuf::from("/var/lib/driftd")
}
fn default_max_concurrent() -> usize {
    2
}
fn default_shutdown_timeout() -> u64 {
    30
}

/// How to reach AWS for one target. Credentials always come from the standard AWS chain.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub assume_role_arn: Option<String>,
    pub external_id: Option<String>,
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            profile: None,
            endpoint_url: None,
            assume_role_arn: None,
            external_id: None,
            max_attempts: default_max_attempts(),
            timeout_secs: default_timeout(),
        }
    }
}

fn default_provider() -> String {
    "aws".into()
}
fn default_max_attempts() -> u32 {
    5
}
fn default_timeout() -> u64 {
    60
}

impl AwsConfig {
    pub fn settings(&self, regions: Vec<String>) -> driftd_aws::AwsSettings {
        driftd_aws::AwsSettings {
            regions,
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            assume_role_arn: self.assume_role_arn.clone(),
            external_id: self.external_id.clone(),
            max_attempts: self.max_attempts,
            operation_timeout: Duration::from_secs(self.timeout_secs),
            ..Default::default()
        }
    }
}

/// The default ignore file, looked for next to the config.
pub const DEFAULT_IGNORE_FILE: &str = ".driftignore";

impl TargetConfig {
    /// The attribute path that matches code to live resources without state: `identity` when
    /// set, else what names a resource on the target's provider (`tags.Name` on AWS, whose ids
    /// are the cloud's; `name` on Google Cloud, where a name is unique in its scope).
    pub fn identity(&self) -> &str {
        match (&self.identity, self.provider.as_str()) {
            (Some(path), _) => path,
            (None, "google" | "gcp") => "name",
            (None, _) => "tags.Name",
        }
    }

    /// The `.driftignore` file of this target, as written (for messages) and resolved:
    /// `ignore_file` when set, else `.driftignore` next to the config when it exists.
    pub fn ignore_file_path(&self, base_dir: &Path) -> Option<(String, PathBuf)> {
        match &self.ignore_file {
            Some(f) => Some((f.clone(), base_dir.join(f))),
            None => {
                let p = base_dir.join(DEFAULT_IGNORE_FILE);
                p.is_file().then(|| (DEFAULT_IGNORE_FILE.to_string(), p))
            }
        }
    }

    /// Reads the target's ignore file and compiles its ignore rules. Each problem names the
    /// file and the line or the rule, and what to do.
    pub fn ignore_set(
        &self,
        base_dir: &Path,
    ) -> std::result::Result<driftd_core::ignore::IgnoreSet, Vec<String>> {
        use driftd_core::ignore::{parse_driftignore, ConfigRule, IgnoreSet};
        let mut problems = Vec::new();
        let mut file_rules = Vec::new();
        let mut source = DEFAULT_IGNORE_FILE.to_string();
        if let Some((name, path)) = self.ignore_file_path(base_dir) {
            match std::fs::read_to_string(&path) {
                Ok(text) => match parse_driftignore(&text) {
                    Ok(rules) => file_rules = rules,
                    Err(errors) => problems.extend(errors.into_iter().map(|e| {
                        format!(
                            "{}:{}: {} (ignore file of target `{}`)",
                            path.display(),
                            e.line,
                            e.message,
                            self.name
                        )
                    })),
                },
                Err(e) => problems.push(format!(
                    "target `{}`: ignore_file `{name}`: cannot read {}: {e}; create it or remove `ignore_file`",
                    self.name,
                    path.display()
                )),
            }
            source = name;
        }
        let mut config_rules = Vec::new();
        for (i, r) in self.ignore_rules.iter().enumerate() {
            let at = format!("{}: ignore[{i}]", self.config_name);
            match ConfigRule::compile(r, at.clone()) {
                Ok(rule) => config_rules.push(rule),
                Err(e) => problems.push(format!("{at}: {e}")),
            }
        }
        if problems.is_empty() {
            Ok(IgnoreSet::new(source, file_rules, config_rules))
        } else {
            Err(problems)
        }
    }

    /// The target's schedule, if it has one that parses.
    pub fn parsed_schedule(&self, expr: &str) -> Result<crate::daemon::schedule::Schedule, String> {
        crate::daemon::schedule::Schedule::parse(
            expr,
            &self.timezone,
            Duration::from_secs(self.jitter_secs),
        )
    }
}

impl Config {
    /// The compiled `[[classify]]` rules (validated at load, so compiling cannot fail here;
    /// a rule that somehow does not compile is skipped rather than misapplied).
    pub fn classify_rules(&self) -> Vec<driftd_core::classify::Rule> {
        self.classify
            .iter()
            .filter_map(|r| driftd_core::classify::Rule::compile(r).ok())
            .collect()
    }

    /// Reads, parses and validates a config file. Every problem is reported, each naming the
    /// file and the key.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        config.path = path.to_path_buf();
        config.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        config.resolve_secret_files();
        let name = path.display().to_string();
        for t in &mut config.targets {
            t.ignore_rules = config.ignore.clone();
            t.config_name = name.clone();
        }
        config.validate()?;
        Ok(config)
    }

    /// Relative `file:` secrets (and credential files) are relative to the config file, as are
    /// states.
    fn resolve_secret_files(&mut self) {
        use crate::notify::config::ChannelConfig;
        let base = self.base_dir.clone();
        let mut refs: Vec<&mut crate::secret::SecretRef> = Vec::new();
        for c in &mut self.channels {
            match c {
                ChannelConfig::Webhook(w) => {
                    refs.push(&mut w.url);
                    refs.extend(w.signing_secret.as_mut());
                }
                ChannelConfig::Pagerduty(p) => refs.push(&mut p.routing_key),
                ChannelConfig::Slack(s) => {
                    refs.extend(s.token.as_mut());
                    refs.extend(s.webhook_url.as_mut());
                }
                ChannelConfig::Email(e) => refs.extend(e.password.as_mut()),
            }
        }
        for t in &mut self.targets {
            if let Some(b) = t.backend.as_mut() {
                refs.extend(b.secrets_mut());
            }
            // Credential files too: relative to the config, like states and manifests.
            for path in [
                t.kubernetes.kubeconfig.as_mut(),
                t.gcp.credentials_file.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                if path.is_relative() {
                    *path = base.join(&*path);
                }
            }
        }
        refs.extend(self.notify.heartbeat.as_mut().map(|h| &mut h.url));
        refs.extend(self.web.as_mut().and_then(|w| w.token.as_mut()));
        for r in refs {
            r.relative_to(&base);
        }
    }

    /// Checks what the types cannot: names, providers, types, URLs, that state locations exist.
    pub fn validate(&self) -> Result<()> {
        let file = self.path.display();
        let mut problems = Vec::new();
        if self.targets.is_empty() {
            problems.push(format!(
                "{file}: no [[target]] is defined; add one with a `name` and `states`"
            ));
        }
        let supported = driftd_aws::AwsProvider::supported_types();
        let mut names = BTreeSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            let at = format!("{file}: target[{i}] ({:?})", t.name);
            if t.name.trim().is_empty() {
                problems.push(format!("{at}.name: must not be empty"));
            } else if !names.insert(t.name.as_str()) {
                problems.push(format!(
                    "{at}.name: another target has this name; names must be unique"
                ));
            }
            // A Google Cloud target checks its own section and compares its own types.
            let supported = if crate::gcp_config::is_gcp(&t.provider) {
                problems.extend(t.gcp.problems(&at, t));
                driftd_gcp::GcpProvider::supported_types()
            } else if crate::kube_config::is_kubernetes(&t.provider) {
                // Kinds come from the manifests: any `Kind` or `Kind.group` can be compared.
                problems.extend(t.kubernetes.problems(&at, t));
                t.resource_types.iter().map(String::as_str).collect()
            } else if t.provider != "aws" {
                problems.push(format!(
                    "{at}.provider: unknown provider `{}`; supported: aws, google, kubernetes",
                    t.provider
                ));
                supported.clone()
            } else {
                supported.clone()
            };
            if t.states.is_empty()
                && t.backend.is_none()
                && t.code.is_none()
                && t.provider != "kubernetes"
            {
                problems.push(format!(
                    "{at}.states: list at least one Terraform state file, directory or glob, or \
                     set `backend` or `code`"
                ));
            }
            if let Some(pct) = t.require_coverage {
                if !(0.0..=100.0).contains(&pct) {
                    problems.push(format!(
                        "{at}.require_coverage: {pct} is not a percentage from 0 to 100"
                    ));
                }
            }
            if !t.states.is_empty() && t.backend.is_some() {
                problems.push(format!(
                    "{at}.backend: set either `states` or `backend`, not both"
                ));
            }
            if let Some(code) = &t.code {
                if !self.base_dir.join(code).is_dir() {
                    problems.push(format!(
                        "{at}.code: `{code}` is not a directory (resolved from {})",
                        self.base_dir.display()
                    ));
                }
            }
            for f in &t.var_files {
                if !self.base_dir.join(f).is_file() {
                    problems.push(format!(
                        "{at}.var_files: `{f}` does not exist (resolved from {})",
                        self.base_dir.display()
                    ));
                }
            }
            for loc in &t.states {
                if let Err(e) = check_location(&self.base_dir, loc) {
                    problems.push(format!("{at}.states: {e}"));
                }
            }
            for r in &t.regions {
                if !is_region_name(r) {
                    problems.push(format!(
                        "{at}.regions: `{r}` is not an AWS region name (like us-east-1)"
                    ));
                }
            }
            for rt in &t.resource_types {
                if !supported.contains(&rt.as_str()) {
                    problems.push(format!(
                        "{at}.resource_types: `{rt}` is not supported; supported: {}",
                        supported.join(", ")
                    ));
                }
            }
            if let Some(url) = &t.aws.endpoint_url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    problems.push(format!(
                        "{at}.aws.endpoint_url: `{url}` must start with http:// or https://"
                    ));
                }
            }
            if t.aws.max_attempts == 0 {
                problems.push(format!("{at}.aws.max_attempts: must be at least 1"));
            }
            if t.aws.timeout_secs == 0 {
                problems.push(format!("{at}.aws.timeout_secs: must be at least 1"));
            }
            if let Some(expr) = &t.schedule {
                if let Err(e) = t.parsed_schedule(expr) {
                    problems.push(format!("{at}.schedule: {e}"));
                }
            }
            if let Some(arn) = &t.aws.assume_role_arn {
                if !arn.starts_with("arn:") || !arn.contains(":role/") {
                    problems.push(format!(
                        "{at}.aws.assume_role_arn: `{arn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
                    ));
                }
            }
        }
        for (i, r) in self.classify.iter().enumerate() {
            if let Err(e) = driftd_core::classify::Rule::compile(r) {
                problems.push(format!("{file}: classify[{i}]: {e}"));
            }
        }
        // `[[ignore]]` rules are the same for every target: name each bad one once.
        let mut seen = BTreeSet::new();
        for t in &self.targets {
            if let Err(errors) = t.ignore_set(&self.base_dir) {
                problems.extend(errors.into_iter().filter(|e| seen.insert(e.clone())));
            }
        }
        problems.extend(crate::notify::config::problems(
            &file.to_string(),
            &self.channels,
            &self.routes,
            &self.notify,
        ));
        if let Some(web) = &self.web {
            problems.extend(web.problems(&file.to_string()));
        }
        if self.daemon.max_concurrent_scans == 0 {
            problems.push(format!(
                "{file}: daemon.max_concurrent_scans: must be at least 1"
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!(
                "{} problem(s) in the configuration:\n  {}",
                problems.len(),
                problems.join("\n  ")
            )
        }
    }

    /// The selected targets, in file order; unknown names are an error listing the known ones.
    pub fn select(&self, names: &[String]) -> Result<Vec<&TargetConfig>> {
        if names.is_empty() {
            return Ok(self.targets.iter().collect());
        }
        names
            .iter()
            .map(|n| {
                self.targets.iter().find(|t| &t.name == n).with_context(|| {
                    let known: Vec<&str> = self.targets.iter().map(|t| t.name.as_str()).collect();
                    format!(
                        "no target named `{n}` in {}; known targets: {}",
                        self.path.display(),
                        known.join(", ")
                    )
                })
            })
            .collect()
    }
}

/// A state location must match something now; a glob that matches nothing is a typo more often
/// than not.
fn check_location(base: &Path, loc: &str) -> Result<(), String> {
    let full = base.join(loc);
    let pattern = full.to_string_lossy();
    if full.exists() {
        return Ok(());
    }
    if pattern.contains(['*', '?', '[']) {
        let mut matches =
            glob::glob(&pattern).map_err(|e| format!("`{loc}`: invalid glob: {e}"))?;
        if matches.next().is_some() {
            return Ok(());
        }
        return Err(format!(
            "`{loc}` matches no file (resolved from {})",
            base.display()
        ));
    }
    Err(format!(
        "`{loc}` does not exist (resolved from {})",
        base.display()
    ))
}

fn is_region_name(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, dir: &Path) -> Result<Config> {
        let path = dir.join("driftd.toml");
        std::fs::write(&path, text)?;
        Config::load(&path)
    }

    fn tmp() -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "driftd-config-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("a.tfstate"), "{}").unwrap();
        d
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let d = tmp();
        let err = parse(
            "[[target]]\nname='a'\nstates=['a.tfstate']\nregoins=['us-east-1']\n",
            &d,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("driftd.toml"), "{err}");
        assert!(err.contains("regoins"), "{err}");
    }

    #[test]
    fn every_problem_is_listed() {
        let d = tmp();
        let err = parse(
            "[[target]]\nname='a'\nprovider='azure'\nstates=['nope/*.tfstate']\nregions=['useast']\nresource_types=['aws_lambda']\n[[target]]\nname='a'\nstates=['a.tfstate']\n[target.aws]\nendpoint_url='localhost:5000'\nmax_attempts=0\n",
            &d,
        )
        .unwrap_err()
        .to_string();
        for needle in [
            "target[0] (\"a\").provider: unknown provider `azure`",
            "target[0] (\"a\").states: `nope/*.tfstate` matches no file",
            "`useast` is not an AWS region",
            "`aws_lambda` is not supported",
            "target[1] (\"a\").name: another target has this name",
            "aws.endpoint_url: `localhost:5000` must start with http://",
            "aws.max_attempts: must be at least 1",
        ] {
            assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
        }
    }

    #[test]
    fn minimal_target_gets_defaults() {
        let d = tmp();
        let c = parse("[[target]]\nname='a'\nstates=['*.tfstate']\n", &d).unwrap();
        assert_eq!(c.targets[0].provider, "aws");
        assert_eq!(c.targets[0].aws.max_attempts, 5);
        assert!(c
            .select(&["b".into()])
            .unwrap_err()
            .to_string()
            .contains("known targets: a"));
    }

    #[test]
    fn ignore_rules_and_files_are_validated_with_file_and_line() {
        let d = tmp();
        std::fs::write(
            d.join(".driftignore"),
            "# ok\naws_instance.i-1\naws_vpc..x\n",
        )
        .unwrap();
        let err = parse(
            "[[target]]\nname='a'\nstates=['a.tfstate']\n[[target]]\nname='b'\nstates=['a.tfstate']\nignore_file='none.txt'\n[[ignore]]\nresource='i-1'\nreason=''\nowner='web'\n",
            &d,
        )
        .unwrap_err()
        .to_string();
        for needle in [
            ".driftignore:3: empty part between dots",
            "ignore_file `none.txt`: cannot read",
            "driftd.toml: ignore[0]: reason: say why",
        ] {
            assert!(err.contains(needle), "missing `{needle}` in:\n{err}");
        }
        assert_eq!(err.matches("ignore[0]").count(), 1, "{err}");
        let err = parse(
            "[[target]]\nname='a'\nstates=['a.tfstate']\n[[ignore]]\nresource='i-1'\nowner='web'\n",
            &d,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("reason"), "{err}");

        std::fs::write(d.join(".driftignore"), "aws_instance.i-1\n").unwrap();
        let c = parse(
            "[[target]]\nname='a'\nstates=['a.tfstate']\n[[ignore]]\nresource='i-2'\nreason='r'\nowner='web'\nexpires=2026-01-01\n",
            &d,
        )
        .unwrap();
        assert_eq!(c.targets[0].ignore_rules.len(), 1);
        assert!(!c.targets[0].ignore_set(&c.base_dir).unwrap().is_empty());
    }

    #[test]
    fn region_names() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("us-east"));
        assert!(!is_region_name("US-EAST-1"));
    }
}
