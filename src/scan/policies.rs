//! Policies over one scan's live inventory: every resource listed, managed or not, with what
//! state or code expects of it and its drift finding, through the target's policy set
//! ([`driftd_policy`]). Violations join the analysis before classify and ignore rules, so they
//! flow through tiers, ignores, history and notifications like drift.

use crate::target::TargetConfig;
use anyhow::{Context, Result};
use driftd_core::{Analysis, Finding, PolicyFailure, Resource, ResourceKey};
use driftd_policy::{PolicySet, Subject};
use std::collections::HashMap;

/// Evaluates the target's policies over `live` and adds their violations to `analysis`; the
/// policies that could not be evaluated are returned, for the report.
pub(super) async fn evaluate(
    target: &TargetConfig,
    live: Vec<Resource>,
    expected: Vec<Resource>,
    analysis: &mut Analysis,
) -> Result<Vec<PolicyFailure>> {
    let opts = target.policies.clone();
    if !opts.builtin && opts.sources.is_empty() {
        return Ok(Vec::new());
    }
    let name = target.name.clone();
    let drift: Vec<Finding> = analysis.findings.clone();
    let started = std::time::Instant::now();
    let evaluation = tokio::task::spawn_blocking(move || -> Result<_> {
        let mut set = PolicySet::load(&opts).map_err(|e| anyhow::anyhow!("{e}"))?;
        let expected: HashMap<&ResourceKey, &Resource> =
            expected.iter().map(|r| (&r.key, r)).collect();
        let findings: HashMap<(&str, &str), &Finding> = drift
            .iter()
            .map(|f| ((f.resource_type.as_str(), f.resource_id.as_str()), f))
            .collect();
        let subjects: Vec<Subject<'_>> = live
            .iter()
            .map(|r| Subject {
                live: r,
                expected: expected.get(&r.key).copied(),
                finding: findings
                    .get(&(r.key.resource_type.as_str(), r.key.id.as_str()))
                    .copied(),
            })
            .collect();
        Ok(set.evaluate(&name, &subjects))
    })
    .await
    .context("policy evaluation stopped")?
    .with_context(|| format!("target `{}`: policies", target.name))?;
    tracing::info!(
        target = %target.name,
        violations = evaluation.findings.len(),
        evaluations = evaluation.evaluations,
        failed = evaluation.errors.len(),
        ms = started.elapsed().as_millis() as u64,
        "policies evaluated"
    );
    for (policy, reason) in &evaluation.errors {
        tracing::warn!(target = %target.name, policy = %policy, reason = %reason, "policy not evaluated: its violations are unknown");
    }
    analysis.summary.violations += evaluation.findings.len();
    analysis.findings.extend(evaluation.findings);
    driftd_core::analyze::sort_findings(&mut analysis.findings);
    Ok(evaluation
        .errors
        .into_iter()
        .map(|(policy, reason)| PolicyFailure { policy, reason })
        .collect())
}
