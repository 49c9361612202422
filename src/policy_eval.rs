//! `driftd policy`: the config's policies over input documents written by hand, without a
//! scan ([`crate::policy`] reads the config's sections; this reads the config and the input).

use driftd_policy::PolicySet;

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
