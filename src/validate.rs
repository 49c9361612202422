//! `driftd validate`'s reading of what a target declares, without any network: the Terraform
//! code of each target (with its `var_files`), the Kubernetes manifests of each Kubernetes
//! target, and `--code DIR` alone (no config), which prints what a directory's code declares.
//!
//! A file that cannot be read or parsed, a `var_files` entry that is missing or malformed, or a
//! manifest that is not valid YAML or JSON is a problem: validate lists every one of them with
//! `file:line:col` where the reader knows it, and exits 1. A block whose instances depend on
//! something known only after apply (a data source, a resource attribute) is not a problem: it
//! is listed as "not evaluated" with its reason, as reports count it.

use crate::config::{Config, TargetConfig};
use anyhow::{Context, Result};
use driftd_iac::hcl::{CodeModule, LoadOptions};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What `validate --code DIR` reads: a directory and what Terraform would take from its command
/// line.
pub struct CodeArgs {
    pub dir: PathBuf,
    pub var_files: Vec<PathBuf>,
    pub workspace: Option<String>,
    pub json: bool,
}

/// `driftd validate --code DIR`: loads the directory's code and prints the resources it expands
/// to and the blocks it could not evaluate, with their reasons. Exit 0 when the code was read,
/// an error (exit 1) when it could not be.
pub fn code(args: &CodeArgs) -> Result<u8> {
    let opts = LoadOptions {
        // As `terraform -var-file`: relative to where the command runs.
        var_files: args
            .var_files
            .iter()
            .map(|f| std::env::current_dir().map_or_else(|_| f.clone(), |cwd| cwd.join(f)))
            .collect(),
        env: std::env::vars()
            .filter(|(k, _)| k.starts_with("TF_VAR_"))
            .collect(),
        workspace: args.workspace.clone().unwrap_or_default(),
        ..LoadOptions::default()
    };
    let module = driftd_iac::hcl::load_module(&args.dir, &opts)
        .with_context(|| format!("cannot read the Terraform code in {}", args.dir.display()))?;
    if args.json {
        println!("{}", code_json(&args.dir, &module));
    } else {
        print!("{}", code_text(&args.dir, &module));
    }
    Ok(0)
}

/// The JSON document `validate --code DIR --json` prints (read by `scripts/corpus`).
fn code_json(dir: &Path, module: &CodeModule) -> serde_json::Value {
    json!({
        "dir": dir.display().to_string(),
        "resources": module.resources.iter().map(|r| json!({
            "address": r.address,
            "type": r.resource_type,
            "source": format!("{}:{}", r.source.file, r.source.line),
            "attributes": r.attributes.iter().filter_map(|(k, a)| {
                a.known().map(|v| (k.clone(), v.clone()))
            }).collect::<serde_json::Map<_, _>>(),
            "unknown": r.attributes.iter().filter_map(|(k, a)| match a {
                driftd_iac::hcl::Attr::Unknown { reason } => Some((k.clone(), json!(reason))),
                driftd_iac::hcl::Attr::Known(_) => None,
            }).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "not_evaluated": module.unread.iter().map(|u| json!({
            "address": u.address,
            "resource_type": u.resource_type,
            "reason": u.reason,
            "source": format!("{}:{}", u.source.file, u.source.line),
        })).collect::<Vec<_>>(),
        "warnings": module.warnings,
    })
}

fn code_text(dir: &Path, module: &CodeModule) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} resource(s), {} block(s) not evaluated",
        dir.display(),
        module.resources.len(),
        module.unread.len()
    );
    for r in &module.resources {
        let unknown = r.attributes.values().filter(|a| a.is_unknown()).count();
        let _ = write!(out, "  {} ({}:{})", r.address, r.source.file, r.source.line);
        if unknown > 0 {
            let _ = write!(out, ", {unknown} attribute(s) unknown");
        }
        out.push('\n');
    }
    for u in &module.unread {
        let _ = writeln!(
            out,
            "  not evaluated: {} ({}:{}): {}",
            u.address, u.source.file, u.source.line, u.reason
        );
    }
    for w in &module.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
    out
}

/// Reads what one target declares and returns the lines to print under it, or the problems
/// that kept it from being read.
pub async fn target(t: &TargetConfig, config: &Config) -> Result<Vec<String>, Vec<String>> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let own = crate::target::registry::kind(t)
        .ok()
        .filter(|k| !k.reads_terraform());
    if let Some(kind) = own {
        match crate::target::registry::load_expected(t, &config.base_dir).await {
            Ok(expected) => lines.push(format!(
                "{}: {} object(s)",
                kind.definitions_name(),
                expected.resources.len()
            )),
            Err(e) => problems.push(crate::chain(&e)),
        }
    } else if t.code.is_some() {
        match crate::target::terraform::load_code(t, &config.base_dir) {
            Ok(Some(code)) => {
                let m = &code.module;
                lines.push(format!(
                    "code {}: {} resource(s), {} block(s) not evaluated",
                    code.dir.display(),
                    m.resources.len(),
                    m.unread.len()
                ));
                for u in &m.unread {
                    lines.push(format!(
                        "  not evaluated: {} ({}:{}): {}",
                        u.address, u.source.file, u.source.line, u.reason
                    ));
                }
                for w in &m.warnings {
                    lines.push(format!("  warning: {w}"));
                }
            }
            Ok(None) => {}
            Err(e) => problems.push(crate::chain(&e)),
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}
