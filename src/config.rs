//! `driftd.toml`: targets and how to reach them. Parsing is strict (unknown keys are errors that
//! name the key and the file) and validation is pure: no network, only local files are looked at.

pub use crate::target::TargetConfig;

use anyhow::{bail, Context, Result};
use chrono::Utc;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Scan targets, in file order.
    #[serde(
        default,
        rename = "target",
        deserialize_with = "crate::target::registry::deserialize_targets"
    )]
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
    /// The built-in policy pack's switches and settings.
    #[serde(default)]
    pub policies: crate::policy::PoliciesConfig,
    /// The team's own Rego policies.
    #[serde(default, rename = "policy")]
    pub policy: Vec<crate::policy::PolicyConfig>,
    /// Directory that relative paths are resolved from (the config file's directory).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file this came from, for messages.
    #[serde(skip)]
    pub path: PathBuf,
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

fn default_state_dir() -> PathBuf {
    PathBuf::from("/var/lib/driftd")
}
fn default_max_concurrent() -> usize {
    2
}
fn default_shutdown_timeout() -> u64 {
    30
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

    /// What scans evaluate: `[policies]` and `[[policy]]`; `Err` lists the problems.
    pub fn policy_options(&self) -> std::result::Result<driftd_policy::PolicyOptions, Vec<String>> {
        crate::policy::options(
            &self.path.display().to_string(),
            &self.base_dir,
            &self.policies,
            &self.policy,
            Utc::now().date_naive(),
        )
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
        let policies = config.policy_options().unwrap_or_default();
        for t in &mut config.targets {
            t.ignore_rules = config.ignore.clone();
            t.config_name = name.clone();
            t.policies = policies.clone();
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
        // Credential files too: relative to the config, like states and manifests.
        for t in &mut self.targets {
            crate::target::registry::resolve(t, &base);
        }
        for t in &mut self.targets {
            if let Some(b) = t.backend.as_mut() {
                refs.extend(b.secrets_mut());
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
            problems.extend(crate::target::registry::problems(&at, t, &self.base_dir));
            if let Some(pct) = t.require_coverage {
                if !(0.0..=100.0).contains(&pct) {
                    problems.push(format!(
                        "{at}.require_coverage: {pct} is not a percentage from 0 to 100"
                    ));
                }
            }
            if let Some(expr) = &t.schedule {
                if let Err(e) = t.parsed_schedule(expr) {
                    problems.push(format!("{at}.schedule: {e}"));
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
        match self.policy_options() {
            Ok(opts) => problems.extend(crate::policy::load_problems(&opts)),
            Err(errors) => problems.extend(errors),
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
        assert!(c.targets[0].sections.is_empty());
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
}
