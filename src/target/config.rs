//! `[[target]]`: the settings every target has, whatever its provider, and its provider settings
//! tables (`[target.<section>]`) kept as written until the provider that owns each reads it.
//!
//! Parsing stays strict: an unknown key is an error naming the key and its line, and a provider
//! table is checked by its provider while the file is parsed, so its errors name the table's line.

use super::backend::BackendConfig;
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One thing to scan: its definitions, its cloud scope, and how to reach the cloud.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// Unique name, used in reports, fingerprints and `--target`.
    pub name: String,
    /// The provider whose resources this target compares (see `target::registry`); the
    /// registry's first provider when absent.
    #[serde(default)]
    pub provider: String,
    /// Terraform state locations: files, directories or glob patterns, relative to the config.
    /// Empty: the state comes from `backend`, or from the `backend` block of `code`.
    #[serde(default)]
    pub states: Vec<String>,
    /// Terraform or OpenTofu plans to read as a second engine: the JSON of `terraform show -json
    /// PLANFILE` or the log of `terraform plan -json`, as files or glob patterns relative to the
    /// config. Resources of types driftd does not read itself (and of `plan_types`) are
    /// compared by the plan; without `states`, `code` or `backend`, everything is.
    #[serde(default)]
    pub plans: Vec<String>,
    /// Types the plan compares although driftd reads them itself.
    #[serde(default)]
    pub plan_types: Vec<String>,
    /// `[target.runner]`: driftd runs `terraform plan -refresh-only` (or OpenTofu's) itself at
    /// each scan, and reads that plan beside `plans`.
    pub runner: Option<RunnerConfig>,
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
    /// A remote state backend, when `states` is empty.
    pub backend: Option<BackendConfig>,
    /// Without any state, code is matched to live resources by this attribute path. Absent:
    /// what names a resource on the target's provider.
    pub identity: Option<String>,
    /// Regions to list, for a provider with regions. Empty: the regions the definitions record.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Resource types to compare. Empty: every type the provider supports.
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Report cloud-created defaults (default networks and their subnets, default security
    /// groups, instance root volumes) as unmanaged too.
    #[serde(default)]
    pub include_cloud_defaults: bool,
    /// The least coverage, in percent (0 to 100), that a check of this target accepts: below
    /// it, `driftd check` and `driftd scan` exit 3 with a message. Coverage is the share of the
    /// resources that were compared (docs/report-schema.md). `--require-coverage` overrides it.
    pub require_coverage: Option<f64>,
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
    pub labels: BTreeMap<String, String>,
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
    /// The config's `[policies]` and `[[policy]]`, copied into every target at load (the
    /// built-in pack alone for a target made from flags).
    #[serde(skip)]
    pub policies: driftd_policy::PolicyOptions,
    /// `[target.limits]`: bounds on reading the target's code; defaults suit any real project.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Provider settings tables by key (`[target.aws]`), as written; each provider reads its own.
    #[serde(skip)]
    pub sections: BTreeMap<String, toml::Value>,
}

/// `[target.runner]`: how driftd runs Terraform or OpenTofu to get a refresh-only plan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerConfig {
    /// The program: `terraform` (default), `tofu`, or a path (relative to the config when it
    /// holds a `/`).
    #[serde(default = "default_runner_command")]
    pub command: String,
    /// The root module to plan, relative to the config.
    pub working_dir: String,
    /// The workspace to plan (`TF_WORKSPACE`); the working directory's selected one when absent.
    pub workspace: Option<String>,
    /// `-var-file` files, relative to the config.
    #[serde(default)]
    pub var_files: Vec<String>,
    /// Environment added to driftd's own for the command. A value written `env:VARIABLE` or
    /// `file:/path` is a secret, read at each run and removed from everything driftd prints.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// The most the whole run (init, plan, show) may take, in seconds; then it is interrupted
    /// and the scan fails.
    #[serde(default = "default_runner_timeout")]
    pub timeout_secs: u64,
    /// Run `init -input=false` before the plan (a fresh checkout, a CI workspace).
    #[serde(default)]
    pub init: bool,
}

impl RunnerConfig {
    /// The variables to add to the command's environment, each secret read now, and the secret
    /// values (to remove from whatever the command prints). Errors name the variable, never a
    /// value.
    pub fn environment(&self, base_dir: &Path) -> Result<RunnerEnv, String> {
        let mut vars = Vec::new();
        let mut secrets = Vec::new();
        for (name, value) in &self.env {
            if name.is_empty() || name.contains(['=', '\0']) {
                return Err(format!("env: `{name}` is not a variable name"));
            }
            if value.starts_with("env:") || value.starts_with("file:") {
                let mut r = crate::secret::SecretRef::try_from(value.clone())
                    .map_err(|e| format!("env.{name}: {e}"))?;
                r.relative_to(base_dir);
                let secret = r.load().map_err(|e| format!("env.{name}: {e}"))?;
                vars.push((name.clone(), secret.expose().to_string()));
                secrets.push(secret);
            } else {
                vars.push((name.clone(), value.clone()));
            }
        }
        Ok((vars, secrets))
    }
}

/// A runner's added environment, and the secrets among its values.
pub type RunnerEnv = (Vec<(String, String)>, Vec<crate::secret::Secret>);

fn default_runner_command() -> String {
    "terraform".into()
}

fn default_runner_timeout() -> u64 {
    1800
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

fn default_timezone() -> String {
    "UTC".into()
}

/// The default ignore file, looked for next to the config.
pub const DEFAULT_IGNORE_FILE: &str = ".driftignore";

impl TargetConfig {
    /// A target with every setting at its default, for a one-shot check without a config.
    pub fn new(name: &str, provider: &str) -> TargetConfig {
        TargetConfig {
            name: name.into(),
            provider: provider.into(),
            states: Vec::new(),
            plans: Vec::new(),
            plan_types: Vec::new(),
            runner: None,
            code: None,
            var_files: Vec::new(),
            workspace: None,
            backend: None,
            identity: None,
            regions: Vec::new(),
            resource_types: Vec::new(),
            include_cloud_defaults: false,
            require_coverage: None,
            schedule: None,
            timezone: default_timezone(),
            jitter_secs: 0,
            run_at_start: false,
            labels: BTreeMap::new(),
            ignore_file: None,
            ignore_rules: Vec::new(),
            config_name: String::new(),
            policies: Default::default(),
            limits: LimitsConfig::default(),
            sections: BTreeMap::new(),
        }
    }

    /// Whether a plan compares part of this target: plan files, or a runner that makes one.
    pub fn has_plans(&self) -> bool {
        !self.plans.is_empty() || self.runner.is_some()
    }

    /// The provider settings table `key`, read as `T`; its defaults when the table is absent.
    /// The table was checked when the config was parsed.
    pub fn section<T: DeserializeOwned + Default>(&self, key: &str) -> anyhow::Result<T> {
        match self.sections.get(key) {
            None => Ok(T::default()),
            Some(v) => v.clone().try_into().map_err(|e: toml::de::Error| {
                anyhow::anyhow!("target `{}`: [target.{key}]: {}", self.name, e.message())
            }),
        }
    }

    /// The target's schedule, if it has one that parses.
    pub fn parsed_schedule(&self, expr: &str) -> Result<crate::schedule::Schedule, String> {
        crate::schedule::Schedule::parse(
            expr,
            &self.timezone,
            std::time::Duration::from_secs(self.jitter_secs),
        )
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
}

/// A provider settings table's key and the check of a table as written.
pub type SectionCheck = (&'static str, fn(&toml::Value) -> Result<(), String>);

/// Checks a settings table by reading it as `T` (strict types reject unknown keys).
pub fn check_as<T: DeserializeOwned>(section: &toml::Value) -> Result<(), String> {
    section
        .clone()
        .try_into::<T>()
        .map(drop)
        .map_err(|e| e.message().to_string())
}

/// Reads the `[[target]]` array, setting each provider table named in `sections` aside (checked
/// as it is read) and every other key into [`TargetConfig`], whose unknown keys stay errors.
pub fn deserialize_targets<'de, D: Deserializer<'de>>(
    d: D,
    sections: &[SectionCheck],
) -> Result<Vec<TargetConfig>, D::Error> {
    d.deserialize_seq(Targets(sections))
}

struct Targets<'a>(&'a [SectionCheck]);

impl<'de> Visitor<'de> for Targets<'_> {
    type Value = Vec<TargetConfig>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of [[target]] tables")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(t) = seq.next_element_seed(OneTarget(self.0))? {
            out.push(t);
        }
        Ok(out)
    }
}

struct OneTarget<'a>(&'a [SectionCheck]);

impl<'de> DeserializeSeed<'de> for OneTarget<'_> {
    type Value = TargetConfig;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<TargetConfig, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneTarget<'_> {
    type Value = TargetConfig;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [[target]] table")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TargetConfig, A::Error> {
        let mut sections = BTreeMap::new();
        let mut target = TargetConfig::deserialize(MapAccessDeserializer::new(Split {
            inner: map,
            checks: self.0,
            sections: &mut sections,
        }))?;
        target.sections = sections;
        Ok(target)
    }
}

/// The keys of a target table with the provider tables taken out. Keys are read through the
/// underlying map, so an error about a key (unknown, misspelt) keeps the key's position.
struct Split<'a, 's, A> {
    inner: A,
    checks: &'a [SectionCheck],
    sections: &'s mut BTreeMap<String, toml::Value>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Split<'_, '_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut seed = seed;
        loop {
            let checks = self.checks;
            match self.inner.next_key_seed(KeySeed { seed, checks })? {
                None => return Ok(None),
                Some(Ok(key)) => return Ok(Some(key)),
                // A provider table: kept aside, and the caller's seed goes on to the next key.
                Some(Err((check, back))) => {
                    let value = self.inner.next_value_seed(SectionSeed(check))?;
                    self.sections.insert(check.0.to_string(), value);
                    seed = back;
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}

/// Reads one key: a provider table's key gives the seed back with its check; any other key is
/// handed to the seed, inside the key's own deserializer so that its errors keep its position.
struct KeySeed<'a, K> {
    seed: K,
    checks: &'a [SectionCheck],
}

impl<'de, K: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, K> {
    type Value = Result<K::Value, (SectionCheck, K)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let key = String::deserialize(d)?;
        if let Some(check) = self.checks.iter().find(|(name, _)| *name == key) {
            return Ok(Err((*check, self.seed)));
        }
        let key: serde::de::value::StringDeserializer<D::Error> = key.into_deserializer();
        self.seed.deserialize(key).map(Ok)
    }
}

/// Reads a provider table as written and checks it, so that its errors name its position.
struct SectionSeed(SectionCheck);

impl<'de> DeserializeSeed<'de> for SectionSeed {
    type Value = toml::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<toml::Value, D::Error> {
        let value = toml::Value::deserialize(d)?;
        (self.0 .1)(&value)
            .map_err(|e| serde::de::Error::custom(format!("[target.{}]: {e}", self.0 .0)))?;
        Ok(value)
    }
}
