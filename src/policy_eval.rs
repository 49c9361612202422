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
    /// Run the policy tests under PATHS (default: the config's `[[policy]]` paths), as `opa
    /// test` does: rules named `test_*` in `*_test.rego` files, and recorded inputs in
    /// `*_test.json` files with the violations they must give (docs/policies.md). Exit codes: 0
    /// all passed, 2 a test failed, 1 the tests could not run.
    Test {
        /// Configuration file (its `[policies]` and `[[policy]]`).
        #[arg(long, default_value = "driftd.toml")]
        config: std::path::PathBuf,
        /// Files or directories holding tests.
        paths: Vec<std::path::PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: TestFormat,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<u8> {
    match cmd {
        PolicyCommand::Eval {
            config,
            input,
            target,
        } => {
            let opts = options(&config)?;
            let resources = read_resources(&input)?.1;
            let mut set = PolicySet::load(&opts).map_err(|e| anyhow::anyhow!("{e}"))?;
            let e = evaluate(&mut set, &target, &resources);
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
        PolicyCommand::Test {
            config,
            paths,
            format,
        } => test(&config, paths, format),
    }
}

/// The policy options of the config at `path`.
fn options(path: &std::path::Path) -> anyhow::Result<driftd_policy::PolicyOptions> {
    let config = crate::config::Config::load(path)?;
    config
        .policy_options()
        .map_err(|p| anyhow::anyhow!("{}", p.join("\n  ")))
}

type LiveAndExpected = (driftd_core::Resource, Option<driftd_core::Resource>);

/// The input documents of a file (one resource, a list of them, or an object with
/// `resources`), the document itself and the resources it describes.
fn read_resources(
    path: &std::path::Path,
) -> anyhow::Result<(serde_json::Value, Vec<LiveAndExpected>)> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let docs: Vec<serde_json::Value> = match &doc {
        serde_json::Value::Array(items) => items.clone(),
        serde_json::Value::Object(o) if o.contains_key("resources") => {
            o["resources"].as_array().cloned().unwrap_or_default()
        }
        other => vec![other.clone()],
    };
    let mut resources = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        resources.push(
            resource_of(d).map_err(|e| anyhow::anyhow!("{}: document {i}: {e}", path.display()))?,
        );
    }
    Ok((doc, resources))
}

fn evaluate(
    set: &mut PolicySet,
    target: &str,
    resources: &[LiveAndExpected],
) -> driftd_policy::Evaluation {
    let subjects: Vec<driftd_policy::Subject<'_>> = resources
        .iter()
        .map(|(live, expected)| driftd_policy::Subject {
            live,
            expected: expected.as_ref(),
            finding: None,
        })
        .collect();
    set.evaluate(target, &subjects)
}

/// One test of `driftd policy test`: a Rego test rule, or a recorded input with the
/// violations it must give.
struct Ran {
    name: String,
    file: String,
    /// `None` when it passed; why not otherwise.
    failure: Option<Failure>,
}

enum Failure {
    /// False or undefined.
    False,
    Error(String),
    /// A recorded input that gave other violations than it expects.
    Differs {
        missing: Vec<String>,
        unexpected: Vec<String>,
    },
}

/// `driftd policy test`: the Rego tests (`*_test.rego`) and recorded inputs (`*_test.json`)
/// under `paths` (by default, the config's `[[policy]]` paths), over the config's policies.
fn test(
    config: &std::path::Path,
    paths: Vec<std::path::PathBuf>,
    format: TestFormat,
) -> anyhow::Result<u8> {
    let opts = options(config)?;
    let paths: Vec<std::path::PathBuf> = if paths.is_empty() {
        opts.sources.iter().map(|s| s.path.clone()).collect()
    } else {
        paths
    };
    if paths.is_empty() {
        anyhow::bail!(
            "{}: no [[policy]] path to look for tests in; name a directory: driftd policy \
             test policies/",
            config.display()
        );
    }
    let mut rego = Vec::new();
    let mut recorded = Vec::new();
    for path in &paths {
        let (r, j) =
            driftd_policy::rego_test::test_files(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        rego.extend(r);
        recorded.extend(j);
    }
    let mut ran = Vec::new();
    for path in &recorded {
        ran.push(recorded_test(&opts, path)?);
    }
    let mut set = PolicySet::load(&opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    for r in set.run_tests(&rego).map_err(|e| anyhow::anyhow!("{e}"))? {
        use driftd_policy::rego_test::Outcome;
        ran.push(Ran {
            name: r.name,
            file: r.file,
            failure: match r.outcome {
                Outcome::Pass => None,
                Outcome::Fail => Some(Failure::False),
                Outcome::Error(e) => Some(Failure::Error(e)),
            },
        });
    }
    if ran.is_empty() {
        anyhow::bail!(
            "no tests under {}: tests are rules named test_* in *_test.rego files, and \
             recorded inputs in *_test.json files (docs/policies.md)",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let failed = ran.iter().filter(|r| r.failure.is_some()).count();
    match format {
        TestFormat::Text => print_text(&ran, failed),
        TestFormat::Json => print_json(&ran, failed)?,
    }
    Ok(if failed == 0 { 0 } else { 2 })
}

/// A recorded input: `{"target": ..., "resources": [...], "expect": [{"policy", "type",
/// "id"}]}`; it passes when the policies give exactly the violations it expects.
fn recorded_test(
    opts: &driftd_policy::PolicyOptions,
    path: &std::path::Path,
) -> anyhow::Result<Ran> {
    let (doc, resources) = read_resources(path)?;
    let target = doc
        .get("target")
        .and_then(|t| t.as_str())
        .unwrap_or("default");
    let mut expected = std::collections::BTreeSet::new();
    match doc.get("expect") {
        Some(serde_json::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let field = |k: &str| {
                    item.get(k).and_then(|v| v.as_str()).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}: expect[{i}]: `{k}` (a string) is required",
                            path.display()
                        )
                    })
                };
                expected.insert(violation_line(
                    field("policy")?,
                    field("type")?,
                    field("id")?,
                ));
            }
        }
        _ => anyhow::bail!(
            "{}: `expect` (a list of {{\"policy\", \"type\", \"id\"}}, empty for a compliant \
             input) is required",
            path.display()
        ),
    }
    let mut set = PolicySet::load(opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    let e = evaluate(&mut set, target, &resources);
    let file = path.display().to_string();
    let failure = if let Some((policy, reason)) = e.errors.first() {
        Some(Failure::Error(format!("{policy}: {reason}")))
    } else {
        let got: std::collections::BTreeSet<String> = e
            .findings
            .iter()
            .filter_map(|f| {
                let p = f.policy.as_ref()?;
                Some(violation_line(&p.id, &f.resource_type, &f.resource_id))
            })
            .collect();
        let missing: Vec<String> = expected.difference(&got).cloned().collect();
        let unexpected: Vec<String> = got.difference(&expected).cloned().collect();
        (!missing.is_empty() || !unexpected.is_empty()).then_some(Failure::Differs {
            missing,
            unexpected,
        })
    };
    Ok(Ran {
        name: file.clone(),
        file,
        failure,
    })
}

fn violation_line(policy: &str, rtype: &str, id: &str) -> String {
    format!("{policy} on {rtype} {id}")
}

fn print_text(ran: &[Ran], failed: usize) {
    for r in ran {
        match &r.failure {
            None => println!("PASS  {}", r.name),
            Some(Failure::False) => println!("FAIL  {} ({}): false or undefined", r.name, r.file),
            Some(Failure::Error(e)) => println!("ERROR {}: {e}", r.name),
            Some(Failure::Differs {
                missing,
                unexpected,
            }) => {
                println!("FAIL  {}", r.name);
                for m in missing {
                    println!("        missing:    {m}");
                }
                for u in unexpected {
                    println!("        unexpected: {u}");
                }
            }
        }
    }
    println!(
        "{} tests: {} passed, {failed} failed",
        ran.len(),
        ran.len() - failed
    );
}

fn print_json(ran: &[Ran], failed: usize) -> anyhow::Result<()> {
    let tests: Vec<serde_json::Value> = ran
        .iter()
        .map(|r| {
            let mut t = serde_json::json!({"name": r.name, "file": r.file});
            let (outcome, extra) = match &r.failure {
                None => ("pass", serde_json::json!({})),
                Some(Failure::False) => ("fail", serde_json::json!({})),
                Some(Failure::Error(e)) => ("error", serde_json::json!({"reason": e})),
                Some(Failure::Differs {
                    missing,
                    unexpected,
                }) => (
                    "fail",
                    serde_json::json!({"missing": missing, "unexpected": unexpected}),
                ),
            };
            t["outcome"] = outcome.into();
            if let (Some(t), serde_json::Value::Object(extra)) = (t.as_object_mut(), extra) {
                t.extend(extra);
            }
            t
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "tests": tests,
            "passed": ran.len() - failed,
            "failed": failed,
        }))?
    );
    Ok(())
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
