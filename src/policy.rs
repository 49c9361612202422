//! `[policies]` and `[[policy]]` of driftd.toml: the built-in pack's switches and settings, and
//! the Rego files of the team's own policies. Checked by `driftd validate` (a syntax error names
//! the file, line and column); evaluated by every scan ([`crate::scan`]).

use driftd_core::Tier;
use driftd_policy::{PolicyOptions, PolicySet, PolicySource, Selector};
use serde::Deserialize;
use std::path::Path;

/// `[policies]`: the built-in pack.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliciesConfig {
    /// The built-in pack: on unless `builtin = false` (or `driftd check
    /// --no-builtin-policies`); single rules are turned off with `disable`.
    #[serde(default = "on")]
    pub builtin: bool,
    /// Ids of built-in rules to turn off (`aws-rds-deletion-protection`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// Tag (label) keys every resource with tags must carry; the `required-tags` rule is off
    /// while this is empty.
    #[serde(default)]
    pub required_tags: Vec<String>,
    /// Ports the "open to the internet" rules treat as administrative (default: SSH, RDP and
    /// common database ports).
    pub admin_ports: Option<Vec<u16>>,
}

fn on() -> bool {
    true
}

impl Default for PoliciesConfig {
    fn default() -> Self {
        PoliciesConfig {
            builtin: true,
            disable: Vec::new(),
            required_tags: Vec::new(),
            admin_ports: None,
        }
    }
}

/// One `[[policy]]`: a `.rego` file or directory, which resources it applies to, and what its
/// violations are worth.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// A `.rego` file, or a directory of them (`*_test.rego` left out), relative to the config.
    pub path: String,
    #[serde(default)]
    pub providers: Vec<String>,
    /// Resource types, as globs (`aws_s3_*`).
    #[serde(default)]
    pub resource_types: Vec<String>,
    /// Targets, as globs.
    #[serde(default)]
    pub targets: Vec<String>,
    /// The tier of its violations, whatever the policy says.
    pub tier: Option<Tier>,
    /// Who owns it (shown with its violations).
    pub owner: Option<String>,
    /// `YYYY-MM-DD`: from that day on the policy is not evaluated (and `validate` says so).
    pub expires: Option<String>,
}

/// What a scan evaluates, from the config's sections; `Err` lists every problem, each naming
/// the file and key. Policies past `expires` on `today` are left out.
pub fn options(
    file: &str,
    base_dir: &Path,
    policies: &PoliciesConfig,
    list: &[PolicyConfig],
    today: chrono::NaiveDate,
) -> Result<PolicyOptions, Vec<String>> {
    let mut problems = Vec::new();
    let known = builtin_ids();
    for id in &policies.disable {
        if !known.iter().any(|k| k == id) {
            problems.push(format!(
                "{file}: policies.disable: `{id}` is not a built-in rule; they are: {}",
                known.join(", ")
            ));
        }
    }
    let mut sources = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let at = format!("{file}: policy[{i}]");
        let globs = |key: &str, values: &[String], problems: &mut Vec<String>| {
            values
                .iter()
                .filter_map(|g| match glob::Pattern::new(g) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        problems.push(format!("{at}.{key}: `{g}` is not a valid glob: {e}"));
                        None
                    }
                })
                .collect::<Vec<_>>()
        };
        let types = globs("resource_types", &p.resource_types, &mut problems);
        let targets = globs("targets", &p.targets, &mut problems);
        if let Some(e) = &p.expires {
            match chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d") {
                Ok(day) if day <= today => {
                    tracing::warn!(policy = %p.path, expires = %e, "policy expired: not evaluated; renew `expires` or remove it");
                    continue;
                }
                Ok(_) => {}
                Err(_) => {
                    problems.push(format!(
                        "{at}.expires: `{e}` is not a date: write YYYY-MM-DD"
                    ));
                }
            }
        }
        if p.path.trim().is_empty() {
            problems.push(format!("{at}.path: must name a .rego file or a directory"));
            continue;
        }
        sources.push(PolicySource {
            path: base_dir.join(&p.path),
            selector: Selector {
                providers: p.providers.clone(),
                types,
                targets,
            },
            tier: p.tier,
            owner: p.owner.clone(),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(PolicyOptions {
        builtin: policies.builtin,
        disabled: policies.disable.iter().cloned().collect(),
        required_tags: policies.required_tags.clone(),
        admin_ports: policies
            .admin_ports
            .clone()
            .unwrap_or_else(|| driftd_policy::builtin::ADMIN_PORTS.to_vec()),
        sources,
    })
}

/// The policies load and compile: every file read, no syntax error.
pub fn load_problems(opts: &PolicyOptions) -> Vec<String> {
    match PolicySet::load(opts) {
        Ok(_) => Vec::new(),
        Err(e) => vec![e.to_string()],
    }
}

/// The ids of the built-in pack.
pub fn builtin_ids() -> Vec<String> {
    let opts = PolicyOptions {
        builtin: true,
        required_tags: vec!["-".into()],
        ..Default::default()
    };
    PolicySet::load(&opts)
        .map(|set| set.ids().into_iter().map(str::to_string).collect())
        .unwrap_or_default()
}
