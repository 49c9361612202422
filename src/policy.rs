//! `[policies]` and `[[policy]]` of driftd.toml: the built-in pack's switches and settings, and
//! the Rego files of the team's own policies. Checked by `driftd validate` (a syntax error names
//! the file, line and column); evaluated by every scan ([`crate::scan`]).

use driftd_core::Tier;
use driftd_policy::{PolicyOptions, PolicySet, PolicySource, Selector};
use serde::Deserialize;
use std::path::Path;

/// `[policies]`: the built-in pack.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliciesConfig {
    /// The built-in pack. Off by default for now: turning it on by default changes every
    /// existing target's findings and exit code, which comes with the next release's notes.
    #[serde(default)]
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

/// `driftd policy`: try policies without a scan.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Evaluate the config's policies over input documents (docs/policies.md: one resource, a
    /// list of them, or `{"resources": [...]}`) and print the violations as JSON. Exit codes: 0
    /// none, 2 violations, 1 error.
    Eval {
        /// Configuration file (its `[policies]` and `[[policy]]`).
        #[arg(long, default_value = "driftd.toml")]
        config: std::path::PathBuf,
        /// The input document(s), JSON.
        #[arg(long)]
        input: std::path::PathBuf,
        /// The target the resources belong to (for `targets` selectors).
        #[arg(long, default_value = "default")]
        target: String,
    },
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<u8> {
    use anyhow::Context;
    match cmd {
        PolicyCommand::Eval {
            config,
            input,
            target,
        } => {
            let config = crate::config::Config::load(&config)?;
            let opts = config
                .policy_options()
                .map_err(|p| anyhow::anyhow!("{}", p.join("\n  ")))?;
            let text = std::fs::read_to_string(&input)
                .with_context(|| format!("cannot read {}", input.display()))?;
            let doc: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not JSON", input.display()))?;
            let docs: Vec<serde_json::Value> = match doc {
                serde_json::Value::Array(items) => items,
                serde_json::Value::Object(ref o) if o.contains_key("resources") => {
                    o["resources"].as_array().cloned().unwrap_or_default()
                }
                other => vec![other],
            };
            let mut resources = Vec::new();
            for (i, d) in docs.iter().enumerate() {
                resources.push(
                    resource_of(d)
                        .map_err(|e| anyhow::anyhow!("{}: document {i}: {e}", input.display()))?,
                );
            }
            let mut set = PolicySet::load(&opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            let subjects: Vec<driftd_policy::Subject<'_>> = resources
                .iter()
                .map(|(live, expected)| driftd_policy::Subject {
                    live,
                    expected: expected.as_ref(),
                    finding: None,
                })
                .collect();
            let e = set.evaluate(&target, &subjects);
            let out: Vec<serde_json::Value> = e
                .findings
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "resource": {"provider": f.provider, "type": f.resource_type, "id": f.resource_id},
                        "tier": f.tier,
                        "policy": f.policy,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "violations": out,
                    "errors": e.errors.iter().map(|(p, r)| serde_json::json!({"policy": p, "reason": r})).collect::<Vec<_>>(),
                    "evaluations": e.evaluations,
                }))?
            );
            Ok(if e.findings.is_empty() { 0 } else { 2 })
        }
    }
}

/// The live resource (and the expected one, when `expected` is set) of an input document.
fn resource_of(
    d: &serde_json::Value,
) -> Result<(driftd_core::Resource, Option<driftd_core::Resource>), String> {
    let field = |k: &str| {
        d.get(k)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("`{k}` (a string) is required"))
    };
    let attrs = |v: Option<&serde_json::Value>| -> Result<driftd_core::Attrs, String> {
        match v {
            Some(serde_json::Value::Object(m)) => {
                Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
            None | Some(serde_json::Value::Null) => Ok(Default::default()),
            Some(_) => Err("`attributes` and `expected` are objects".into()),
        }
    };
    let mut live = driftd_core::Resource::new(field("provider")?, field("type")?, field("id")?);
    live.region = d.get("region").and_then(|v| v.as_str()).map(str::to_string);
    live.attrs = attrs(d.get("attributes"))?;
    let expected = match d.get("expected") {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => {
            let mut e = live.clone();
            e.attrs = attrs(Some(v))?;
            e.address = d
                .get("address")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            Some(e)
        }
    };
    Ok((live, expected))
}
