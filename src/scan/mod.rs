//! One scan of one target: read its definitions, list live resources, analyze, build the report.
//! `check` runs it once; the daemon runs the same function on a schedule. Everything that
//! depends on the provider comes from the target's [`ProviderKind`] in the registry.
//!
//! While the provider lists, [`progress::ScanProgress`] turns its progress events into one log
//! line per `(resource type, region)` (always) and a live progress bar per provider on stderr
//! (only when asked and stderr is a terminal).

mod identity;
mod plans;
mod policies;
pub mod progress;
mod runner;

pub use progress::ProgressDisplay;

use crate::target::{registry, Listed, TargetConfig};
use anyhow::{Context, Result};
use chrono::Utc;
use driftd_core::{
    analyze, threeway, AnalyzeInput, NotCompared, NotComparedKind, Report, Resource, ResourceKey,
};
use progress::ScanProgress;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

fn now() -> String {
    crate::time::rfc3339(Utc::now())
}

/// What one scan produced: the report, and the scopes it listed completely (which the history
/// needs to know what a scan can prove resolved).
pub struct ScanOutput {
    pub report: Report,
    pub scanned: Vec<(String, String, String)>,
    /// The provider's API attempts and throttled attempts in this scan, for `/metrics`.
    pub api_calls: u64,
    pub throttles: u64,
}

/// Runs one target and returns its report. Errors (unreadable state, no credentials) stop the
/// target; a scope that cannot be listed does not: it is in the report's `skipped`. Progress goes
/// to the logs only.
pub async fn run_target(
    target: &TargetConfig,
    base_dir: &Path,
    rules: &[driftd_core::classify::Rule],
) -> Result<ScanOutput> {
    run_target_with_progress(target, base_dir, rules, ProgressDisplay::LogsOnly).await
}

/// [`run_target`], showing its progress as `display` says.
pub async fn run_target_with_progress(
    target: &TargetConfig,
    base_dir: &Path,
    rules: &[driftd_core::classify::Rule],
    display: ProgressDisplay,
) -> Result<ScanOutput> {
    let started_at = now();
    let plans = plans::load(target, base_dir).await?;
    if plans::plan_only(target) {
        // Only plans: no state to compare natively, nothing to list.
        let (_, side) = plans::split(&[], &plans, &|_| false);
        let mut analysis = analyze(&AnalyzeInput {
            target: &target.name,
            specs: &[],
            expected: &[],
            live: &[],
            scanned: &Default::default(),
            skipped: &[],
            include_cloud_defaults: false,
        });
        let scanned = plans::merge(&target.name, side, &mut analysis);
        let tail = Tail {
            started_at,
            specs: &[],
            lifecycle_ignored: Vec::new(),
            scanned,
            api_calls: 0,
            throttles: 0,
            policy_errors: Vec::new(),
        };
        return finish(target, base_dir, rules, analysis, tail);
    }
    let kind = registry::kind(target)?;
    let expected = registry::load_expected(target, base_dir).await?;
    let provider = kind.build(target, &expected).await?;
    let specs = provider.type_specs();
    let all_types: BTreeSet<&str> = specs.iter().map(|s| s.resource_type).collect();
    let mut types: Vec<String> = if target.resource_types.is_empty() {
        specs.iter().map(|s| s.resource_type.to_string()).collect()
    } else {
        target.resource_types.clone()
    };
    // Types the plan compares are not listed.
    if !plans.is_empty() {
        types.retain(|t| !target.plan_types.contains(t));
    }
    let specs: Vec<_> = specs
        .into_iter()
        .filter(|s| types.iter().any(|t| t == s.resource_type))
        .collect();
    let progress = Arc::new(ScanProgress::new(&target.name, display));
    let listed = provider.list(&types, progress.clone()).await;
    progress.finish();
    let inventory = listed.with_context(|| format!("target `{}`", target.name))?;

    let scanned: BTreeSet<(String, String, String)> = inventory
        .scanned
        .iter()
        .map(|(t, scope)| (provider.name().to_string(), t.clone(), scope.clone()))
        .collect();
    // What could not be compared for reasons the analyzer does not see.
    let mut not_compared: Vec<NotCompared> = Vec::new();
    // Without state, the code's resources found live by identity stand in for state.
    let identity = target
        .identity
        .as_deref()
        .unwrap_or(kind.default_identity());
    let found = match (&expected.code, expected.has_state) {
        (Some(code), false) => identity::find_live(
            &target.name,
            code,
            identity,
            &inventory.resources,
            &specs,
            &scanned,
        ),
        _ => identity::Found::default(),
    };
    not_compared.extend(found.not_compared);
    let (by_identity, unmatched) = (found.resources, found.unmatched);
    // What the listing cannot judge (another account, no known region) is set aside by the
    // provider, with the reason, before the comparison: not scanned, never missing.
    let considered: &[Resource] = if expected.has_state {
        &expected.resources
    } else {
        &by_identity
    };
    // Resources of the types the native engine does not compare go to the plan, if one has them.
    let native = |t: &str| specs.iter().any(|s| s.resource_type == t);
    let (considered, plan_side) = if plans.is_empty() {
        (considered.to_vec(), None)
    } else {
        let (kept, side) = plans::split(considered, &plans, &native);
        (kept, Some(side))
    };
    let considered: &[Resource] = &considered;
    let (in_scope, set_aside) = kind.set_aside(
        considered,
        expected.code.as_ref(),
        &Listed {
            live: &inventory.resources,
            scanned: &scanned,
            skipped: &inventory.skipped,
            account: inventory.account.as_deref(),
            specs: &specs,
        },
    );
    let mut skipped = inventory.skipped.clone();
    skipped.extend(set_aside);
    // Whatever a provider's answer held, a report carries a bounded, printable reason.
    for s in &mut skipped {
        s.reason = driftd_core::provider::bounded_reason(&s.reason);
    }
    let state: &[Resource] = &in_scope;
    not_compared.extend(not_scanned(considered, state, &skipped));
    let mut analysis = analyze(&AnalyzeInput {
        target: &target.name,
        specs: &specs,
        expected: state,
        live: &inventory.resources,
        scanned: &scanned,
        skipped: &skipped,
        include_cloud_defaults: target.include_cloud_defaults,
    });
    let mut lifecycle_ignored = Vec::new();
    if let Some(code) = &expected.code {
        let outcome = threeway::apply(
            &threeway::ThreeWayInput {
                target: &target.name,
                specs: &specs,
                code,
                state,
                live: &inventory.resources,
                has_state: expected.has_state,
                unmatched: &unmatched,
            },
            &mut analysis.findings,
            &mut analysis.summary,
        );
        tracing::info!(
            target = %target.name,
            converged = outcome.converged,
            lifecycle_ignored = outcome.lifecycle_ignored.len(),
            "code compared"
        );
        lifecycle_ignored = outcome.lifecycle_ignored;
        not_compared.extend(outcome.not_evaluated);
    }
    // A type the provider compares but this target leaves out is not scanned, not unsupported.
    for e in &mut analysis.not_compared {
        if e.category == NotComparedKind::NotSupported
            && e.resource_type.as_deref().is_some_and(|t| {
                all_types.contains(t) && !specs.iter().any(|s| s.resource_type == t)
            })
        {
            e.category = NotComparedKind::NotScanned;
            e.reason = "not in this target's `resource_types`".into();
        }
    }
    analysis.add_not_compared(not_compared);
    let (api_calls, throttles) = (inventory.api_calls, inventory.throttles);
    let policy_errors =
        policies::evaluate(target, inventory.resources, state.to_vec(), &mut analysis).await?;
    let mut scanned = scanned;
    if let Some(side) = plan_side {
        scanned.extend(plans::merge(&target.name, side, &mut analysis));
    }
    let tail = Tail {
        started_at,
        specs: &specs,
        lifecycle_ignored,
        scanned,
        api_calls,
        throttles,
        policy_errors,
    };
    finish(target, base_dir, rules, analysis, tail)
}

/// What the end of a scan needs besides the analysis.
struct Tail<'a> {
    started_at: String,
    specs: &'a [&'static driftd_core::TypeSpec],
    lifecycle_ignored: Vec<driftd_core::ignore::IgnoredFinding>,
    scanned: BTreeSet<(String, String, String)>,
    api_calls: u64,
    throttles: u64,
    policy_errors: Vec<driftd_core::PolicyFailure>,
}

/// The config's classify and ignore rules applied, and the report.
fn finish(
    target: &TargetConfig,
    base_dir: &Path,
    rules: &[driftd_core::classify::Rule],
    mut analysis: driftd_core::Analysis,
    tail: Tail<'_>,
) -> Result<ScanOutput> {
    let Tail {
        started_at,
        specs,
        lifecycle_ignored,
        scanned,
        api_calls,
        throttles,
        policy_errors,
    } = tail;
    driftd_core::classify::apply(rules, &target.name, &mut analysis.findings);
    let ignores = target
        .ignore_set(base_dir)
        .map_err(|problems| anyhow::anyhow!("target `{}`: {}", target.name, problems.join("; ")))?;
    let ignored = ignores.apply(
        &target.name,
        specs,
        rules,
        &mut analysis.findings,
        &mut analysis.summary,
        Utc::now(),
    );
    for r in &ignored.expired {
        tracing::warn!(
            target = %target.name,
            source = %r.source,
            rule = %r.rule,
            owner = %r.owner.as_deref().unwrap_or(""),
            expires = %r.expires.as_deref().unwrap_or(""),
            "ignore rule expired: it no longer hides drift; renew `expires` or remove the rule"
        );
    }
    tracing::info!(
        target = %target.name,
        findings = analysis.findings.len(),
        skipped = analysis.skipped.len(),
        api_calls,
        throttles,
        plan_compared = analysis.summary.plan_compared,
        "scan finished"
    );
    let mut report = Report::new(
        &target.name,
        env!("CARGO_PKG_VERSION"),
        started_at,
        now(),
        analysis,
    );
    report.scan.api_calls = Some(api_calls);
    report.scan.throttles = Some(throttles);
    report.ignored = ignored.ignored;
    report.ignored.extend(lifecycle_ignored);
    report.expired_ignores = ignored.expired;
    report.policy_errors = policy_errors;
    Ok(ScanOutput {
        report,
        scanned: scanned.into_iter().collect(),
        api_calls,
        throttles,
    })
}

/// Resources set aside before the comparison (another account, no region the listing can
/// place) are not scanned: counted once each, never in sync, with the reason of the scope that
/// was not listed.
fn not_scanned(
    considered: &[Resource],
    kept: &[Resource],
    skipped: &[driftd_core::Skipped],
) -> Vec<NotCompared> {
    let kept: HashSet<&ResourceKey> = kept.iter().map(|r| &r.key).collect();
    let mut counted = HashSet::new();
    let mut out = Vec::new();
    for r in considered {
        if kept.contains(&r.key) || !counted.insert(&r.key) {
            continue;
        }
        let why = skipped
            .iter()
            .find(|s| {
                s.provider == r.key.provider
                    && s.resource_type == r.key.resource_type
                    && s.attribute.is_none()
                    && r.region.as_deref().is_none_or(|region| region == s.scope)
            })
            .map_or("not listed (see the scopes not scanned)", |s| {
                s.reason.as_str()
            });
        out.push(
            NotCompared::new(
                NotComparedKind::NotScanned,
                &r.key.provider,
                Some(&r.key.resource_type),
                why,
            )
            .with_scope(r.region.as_deref()),
        );
    }
    out
}
