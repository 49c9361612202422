//! One scan of one target: read state, list live resources, analyze, build the report.
//! `check` runs it once; the daemon (later) runs the same function on a schedule.

use crate::config::TargetConfig;
use anyhow::{Context, Result};
use chrono::Utc;
use driftd_aws::AwsProvider;
use driftd_core::{analyze, AnalyzeInput, Provider, Report, Resource};
use std::collections::BTreeSet;
use std::path::Path;

fn now() -> String {
    crate::daemon::rfc3339(Utc::now())
}

/// What one scan produced: the report, and the scopes it listed completely (which the history
/// needs to know what a scan can prove resolved).
pub struct ScanOutput {
    pub report: Report,
    pub scanned: Vec<(String, String, String)>,
}

/// Runs one target and returns its report. Errors (unreadable state, no credentials) stop the
/// target; a scope that cannot be listed does not: it is in the report's `skipped`.
pub async fn run_target(
    target: &TargetConfig,
    base_dir: &Path,
    rules: &[driftd_core::classify::Rule],
) -> Result<ScanOutput> {
    let started_at = now();
    let locations = target.states.clone();
    let base = base_dir.to_path_buf();
    let states = tokio::task::spawn_blocking(move || driftd_iac::read_states(&locations, &base))
        .await
        .context("state reader task failed")?
        .with_context(|| format!("target `{}`: cannot read Terraform state", target.name))?;
    let expected: Vec<Resource> = states.into_iter().flat_map(|s| s.resources).collect();

    let regions = if target.regions.is_empty() {
        let found: BTreeSet<String> = expected
            .iter()
            .filter(|r| r.key.provider == driftd_aws::PROVIDER)
            .filter_map(|r| r.region.clone())
            .collect();
        if found.is_empty() {
            anyhow::bail!(
                "target `{}`: no region is configured and none can be read from its state; \
                 set `regions` in the target",
                target.name
            );
        }
        found.into_iter().collect()
    } else {
        target.regions.clone()
    };
    tracing::info!(target = %target.name, regions = ?regions, expected = expected.len(), "scanning");

    let provider = AwsProvider::new(target.aws.settings(regions));
    let specs = provider.type_specs();
    let types: Vec<String> = if target.resource_types.is_empty() {
        specs.iter().map(|s| s.resource_type.to_string()).collect()
    } else {
        target.resource_types.clone()
    };
    let specs: Vec<_> = specs
        .into_iter()
        .filter(|s| types.iter().any(|t| t == s.resource_type))
        .collect();
    let inventory = provider
        .list(&types)
        .await
        .with_context(|| format!("target `{}`", target.name))?;

    let scanned: BTreeSet<(String, String, String)> = inventory
        .scanned
        .iter()
        .map(|(t, scope)| (provider.name().to_string(), t.clone(), scope.clone()))
        .collect();
    let mut analysis = analyze(&AnalyzeInput {
        target: &target.name,
        specs: &specs,
        expected: &expected,
        live: &inventory.resources,
        scanned: &scanned,
        skipped: &inventory.skipped,
        include_cloud_defaults: target.include_cloud_defaults,
    });
    driftd_core::classify::apply(rules, &target.name, &mut analysis.findings);
    tracing::info!(
        target = %target.name,
        findings = analysis.findings.len(),
        skipped = analysis.skipped.len(),
        api_calls = inventory.api_calls,
        "scan finished"
    );
    Ok(ScanOutput {
        report: Report::new(
            &target.name,
            env!("CARGO_PKG_VERSION"),
            started_at,
            now(),
            analysis,
        ),
        scanned: scanned.into_iter().collect(),
    })
}
