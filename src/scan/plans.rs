//! Terraform's own plans as a second engine beside driftd's readers (`driftd_iac::plan`).
//!
//! Each resource is compared by exactly one engine: driftd's own reader where the target
//! compares its type natively, the plan otherwise (and for the types of `plan_types`).
//! Unmanaged resources are found by the native engine only: a plan knows managed resources.
//! Plan-sourced findings are fingerprinted and tiered as native ones, so classify and ignore
//! rules, the history and notifications treat them alike.

use crate::target::{registry, TargetConfig};
use anyhow::Result;
use driftd_core::{
    analyze::sort_findings, engine_finding, Analysis, Engine, FindingKind, Resource, ResourceKey,
    TypeSpec,
};
use driftd_iac::plan::{Drift, Plan};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The target's plans, read, and the plan its runner made; none when it has none.
pub(super) async fn load(target: &TargetConfig, base_dir: &Path) -> Result<Vec<Plan>> {
    let mut plans = if target.plans.is_empty() {
        Vec::new()
    } else {
        registry::read_plans(target, base_dir).await?
    };
    if let Some(runner) = &target.runner {
        plans.push(super::runner::run(target, runner, base_dir).await?);
    }
    for p in &plans {
        tracing::info!(
            target = %target.name,
            plan = %p.source,
            format = %p.format,
            tool = %p.tool,
            version = %p.tool_version.as_deref().unwrap_or("unknown"),
            resources = p.resources.len(),
            drifted = p.resources.iter().filter(|r| r.drift.is_some()).count(),
            pending = p.pending.len(),
            "plan read"
        );
    }
    Ok(plans)
}

/// A target with plans and nothing else to read: the plan compares everything.
pub(super) fn plan_only(target: &TargetConfig) -> bool {
    target.has_plans()
        && target.states.is_empty()
        && target.code.is_none()
        && target.backend.is_none()
}

/// What the plan engine compares.
pub(super) struct PlanSide {
    items: Vec<Item>,
    pending: Vec<(Resource, Vec<driftd_core::Change>)>,
}

struct Item {
    resource: Resource,
    drift: Option<Drift>,
}

/// Splits the state between the engines. `native` says whether the native engine compares a
/// type in this target. Returns the state left to the native engine and the plan's side.
pub(super) fn split(
    state: &[Resource],
    plans: &[Plan],
    native: &dyn Fn(&str) -> bool,
) -> (Vec<Resource>, PlanSide) {
    let by_address: HashMap<&str, &Resource> = state
        .iter()
        .filter_map(|r| Some((r.address.as_deref()?, r)))
        .collect();
    // A streaming log keys resources by address: the state, when it has one, names them.
    let named = |r: &Resource| -> Resource {
        match r.address.as_deref().and_then(|a| by_address.get(a)) {
            Some(s) if r.key.id == r.address.clone().unwrap_or_default() => {
                let mut named = (*s).clone();
                named.source = r.source.clone();
                named.attrs = Default::default();
                named
            }
            _ => r.clone(),
        }
    };
    let mut items: BTreeMap<ResourceKey, Item> = BTreeMap::new();
    for plan in plans {
        for pr in &plan.resources {
            if native(&pr.resource.key.resource_type) {
                continue;
            }
            let resource = named(&pr.resource);
            let item = items.entry(resource.key.clone()).or_insert(Item {
                resource,
                drift: None,
            });
            if item.drift.is_none() {
                item.drift = pr.drift.clone();
            }
        }
    }
    let planned: HashSet<&ResourceKey> = items.keys().collect();
    let native_state = state
        .iter()
        .filter(|r| !planned.contains(&r.key))
        .cloned()
        .collect();
    let pending = plans
        .iter()
        .flat_map(|p| &p.pending)
        .map(|c| (named(&c.resource), c.changes.clone()))
        .collect();
    (
        native_state,
        PlanSide {
            items: items.into_values().collect(),
            pending,
        },
    )
}

/// Every type spec driftd has, for the tier hints of plan-sourced findings.
fn all_specs() -> Vec<&'static TypeSpec> {
    registry::KINDS
        .iter()
        .flat_map(|k| k.type_specs())
        .collect()
}

/// Adds the plan engine's findings and counts to the native analysis.
pub(super) fn merge(
    target: &str,
    side: PlanSide,
    analysis: &mut Analysis,
) -> BTreeSet<(String, String, String)> {
    let specs = all_specs();
    let spec_of = |r: &Resource| {
        specs
            .iter()
            .copied()
            .find(|s| s.provider == r.key.provider && s.resource_type == r.key.resource_type)
    };
    let compared = side.items.len();
    // What the plan read completely, as scanned scopes: the history resolves a finding of the
    // plan engine that a later plan no longer reports, as it does for a listed scope.
    let scope = |r: &Resource| {
        (
            r.key.provider.clone(),
            r.key.resource_type.clone(),
            r.region.clone().unwrap_or_else(|| "global".into()),
        )
    };
    let scanned: BTreeSet<(String, String, String)> = side
        .items
        .iter()
        .map(|i| scope(&i.resource))
        .chain(side.pending.iter().map(|(r, _)| scope(r)))
        .collect();
    for item in side.items {
        let (kind, changes) = match item.drift {
            None => continue,
            Some(Drift::Changed(changes)) => (FindingKind::Changed, changes),
            Some(Drift::Deleted) => (FindingKind::Missing, Vec::new()),
        };
        match kind {
            FindingKind::Changed => analysis.summary.changed += 1,
            _ => analysis.summary.missing += 1,
        }
        analysis.findings.push(engine_finding(
            target,
            spec_of(&item.resource),
            &item.resource,
            kind,
            changes,
            Engine::Plan,
        ));
    }
    let mut seen: HashSet<String> = analysis
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    for (resource, changes) in side.pending {
        let f = engine_finding(
            target,
            spec_of(&resource),
            &resource,
            FindingKind::Pending,
            changes,
            Engine::Plan,
        );
        if seen.insert(f.fingerprint.clone()) {
            analysis.summary.pending += 1;
            analysis.findings.push(f);
        }
    }
    analysis.summary.managed += compared;
    analysis.summary.compared += compared;
    analysis.summary.plan_compared += compared;
    analysis.recount();
    sort_findings(&mut analysis.findings);
    scanned
}
