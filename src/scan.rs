//! One scan of one target: read state, list live resources, analyze, build the report.
//! `check` runs it once; the daemon runs the same function on a schedule.
//!
//! While the provider lists, [`ScanProgress`] turns its progress events into one log line per
//! `(resource type, region)` (always) and a live progress bar per provider on stderr (only when
//! asked and stderr is a terminal).

use crate::config::TargetConfig;
use anyhow::{Context, Result};
use chrono::Utc;
use driftd_aws::AwsProvider;
use driftd_core::provider::{Progress, ProgressEvent, UnitOutcome};
use driftd_core::{
    analyze, threeway, AnalyzeInput, NotCompared, NotComparedKind, Provider, Report, Resource,
};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

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

/// How a scan shows its progress besides the per-type log lines, which it always writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressDisplay {
    /// Log lines only: the daemon, CI, anything that is not a person watching.
    LogsOnly,
    /// Also a live bar per provider on stderr, cleared at the end; drawn only if stderr is a
    /// terminal.
    Bar,
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
    let expected = load_expected(target, base_dir).await?;
    let provider = build_provider(target, &expected).await?;
    let specs = provider.type_specs();
    let all_types: BTreeSet<&str> = specs.iter().map(|s| s.resource_type).collect();
    let types: Vec<String> = if target.resource_types.is_empty() {
        specs.iter().map(|s| s.resource_type.to_string()).collect()
    } else {
        target.resource_types.clone()
    };
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
    // Without state, the code's resources found live by identity stand in for state.
    let mut unmatched = BTreeSet::new();
    let mut by_identity = Vec::new();
    // What could not be compared for reasons the analyzer does not see.
    let mut not_compared: Vec<NotCompared> = Vec::new();
    if let (Some(code), false) = (&expected.code, expected.has_state) {
        let matches =
            threeway::match_by_identity(&code.intents, &inventory.resources, target.identity());
        for (intent, m) in code.intents.iter().zip(matches) {
            match m {
                threeway::IdentityMatch::Matched(mut r) => {
                    // What the provider resolves on apply (an image family) is not what was
                    // built: unknown without state.
                    let spec = specs.iter().find(|s| {
                        s.provider == r.key.provider && s.resource_type == r.key.resource_type
                    });
                    for attr in spec.iter().flat_map(|s| s.attrs).filter(|a| a.resolved) {
                        driftd_core::remove_attr_at(&mut r.attrs, attr.name);
                    }
                    by_identity.push(r)
                }
                threeway::IdentityMatch::NotFound => {
                    // Not found where nothing was listed proves nothing.
                    let listed = scanned.iter().any(|(p, t, scope)| {
                        *p == intent.provider
                            && *t == intent.resource_type
                            && intent.region.as_ref().is_none_or(|r| r == scope)
                    });
                    if !listed {
                        unmatched.insert(intent.address.clone());
                        not_compared.push(
                            code_not_compared(
                                intent,
                                NotComparedKind::NotScanned,
                                "no state, and its scope was not listed",
                            )
                            .with_scope(intent.region.as_deref()),
                        );
                    }
                }
                threeway::IdentityMatch::NoIdentity => {
                    tracing::warn!(
                        target = %target.name,
                        address = %intent.address,
                        identity = %target.identity(),
                        "no state and no known identity value in the code: not compared"
                    );
                    unmatched.insert(intent.address.clone());
                    not_compared.push(code_not_compared(
                        intent,
                        NotComparedKind::NotMatched,
                        format!(
                            "no state, and the code sets no known `{}` to find it live by",
                            target.identity()
                        ),
                    ));
                }
                threeway::IdentityMatch::Ambiguous(ids) => {
                    tracing::warn!(
                        target = %target.name,
                        address = %intent.address,
                        identity = %target.identity(),
                        candidates = ?ids,
                        "no state and several live resources have the code's identity value: \
                         not compared"
                    );
                    unmatched.insert(intent.address.clone());
                    not_compared.push(code_not_compared(
                        intent,
                        NotComparedKind::NotMatched,
                        format!(
                            "no state, and {} live resources have the code's `{}`",
                            ids.len(),
                            target.identity()
                        ),
                    ));
                }
            }
        }
    }
    // A state can hold resources of several accounts (provider aliases assuming roles); this
    // listing sees one. The others are not scanned, never missing.
    // A resource whose state records no region is placed before it is compared: one the listing
    // cannot place is not scanned, never missing.
    let (placed, unplaced) = if expected.has_state {
        place_unregioned(
            &expected.resources,
            expected.code.as_ref(),
            &specs,
            &inventory.resources,
            &scanned,
            &inventory.skipped,
        )
    } else {
        (
            std::borrow::Cow::Borrowed(by_identity.as_slice()),
            Vec::new(),
        )
    };
    let (in_account, other_accounts) = split_by_account(&placed, inventory.account.as_deref());
    let mut skipped = inventory.skipped.clone();
    skipped.extend(other_accounts);
    skipped.extend(unplaced);
    // Whatever a provider's answer held, a report carries a bounded, printable reason.
    for s in &mut skipped {
        s.reason = driftd_core::provider::bounded_reason(&s.reason);
    }
    let state: &[Resource] = &in_account;
    // Resources set aside before the comparison (another account, no region the listing can
    // place) are not scanned: counted, never in sync.
    let kept: std::collections::HashSet<&driftd_core::ResourceKey> =
        state.iter().map(|r| &r.key).collect();
    let mut set_aside = std::collections::HashSet::new();
    let considered: &[Resource] = if expected.has_state {
        &expected.resources
    } else {
        &by_identity
    };
    for r in considered {
        if kept.contains(&r.key) || !set_aside.insert(&r.key) {
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
        not_compared.push(
            NotCompared::new(
                NotComparedKind::NotScanned,
                &r.key.provider,
                Some(&r.key.resource_type),
                why,
            )
            .with_scope(r.region.as_deref()),
        );
    }
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
    driftd_core::classify::apply(rules, &target.name, &mut analysis.findings);
    let ignores = target
        .ignore_set(base_dir)
        .map_err(|problems| anyhow::anyhow!("target `{}`: {}", target.name, problems.join("; ")))?;
    let ignored = ignores.apply(
        &target.name,
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
        api_calls = inventory.api_calls,
        throttles = inventory.throttles,
        "scan finished"
    );
    let mut report = Report::new(
        &target.name,
        env!("CARGO_PKG_VERSION"),
        started_at,
        now(),
        analysis,
    );
    report.ignored = ignored.ignored;
    report.ignored.extend(lifecycle_ignored);
    report.expired_ignores = ignored.expired;
    Ok(ScanOutput {
        report,
        scanned: scanned.into_iter().collect(),
        api_calls: inventory.api_calls,
        throttles: inventory.throttles,
    })
}

/// The not-compared entry of a resource the code declares, at its address and source.
fn code_not_compared(
    intent: &threeway::Intent,
    category: NotComparedKind,
    reason: impl Into<String>,
) -> NotCompared {
    NotCompared::new(
        category,
        &intent.provider,
        Some(&intent.resource_type),
        reason,
    )
    .at(Some(&intent.address), Some(&intent.source))
}

/// The expected side of one target: what its definitions say should exist.
pub struct Expected {
    /// Resources as applied: Terraform state (or, for providers without state, the definitions).
    pub resources: Vec<Resource>,
    /// The Terraform code, when the target reads it (`code`).
    pub code: Option<driftd_core::threeway::CodeSide>,
    /// Whether state was read. Without it, code is matched to live resources by identity.
    pub has_state: bool,
}

/// Reads a target's definitions. Every Terraform provider reads code and state the same way; a
/// provider with definitions of its own (manifests) adds its arm here.
pub async fn load_expected(target: &TargetConfig, base_dir: &Path) -> Result<Expected> {
    if crate::kube_config::is_kubernetes(&target.provider) {
        return crate::kube_config::load_expected(target, base_dir).await;
    }
    let t = target.clone();
    let base = base_dir.to_path_buf();
    let mut code = tokio::task::spawn_blocking(move || crate::terraform::load_code(&t, &base))
        .await
        .context("code reader task failed")??;
    if let Some(code) = code
        .as_mut()
        .filter(|_| crate::gcp_config::is_gcp(&target.provider))
    {
        crate::gcp_config::scope_code(target, &mut code.side);
    }
    let source = crate::terraform::state_source(target, code.as_ref())?;
    let state = crate::terraform::read_state(target, &source, base_dir).await?;
    if state.is_none() && code.is_none() {
        anyhow::bail!(
            "target `{}`: no Terraform state found; set `states`, `backend` or `code`",
            target.name
        );
    }
    Ok(Expected {
        has_state: state.is_some(),
        resources: state.unwrap_or_default(),
        code: code.map(|c| c.side),
    })
}

/// The provider that lists a target's live resources, configured from the target and, where the
/// target leaves its scope open, from what the definitions name.
pub async fn build_provider(
    target: &TargetConfig,
    expected: &Expected,
) -> Result<Box<dyn Provider>> {
    match target.provider.as_str() {
        "aws" => {
            let regions = aws_regions(target, expected).await?;
            tracing::info!(
                target = %target.name,
                regions = ?regions,
                expected = expected.resources.len(),
                "scanning"
            );
            Ok(Box::new(AwsProvider::new(target.aws.settings(regions))))
        }
        "google" | "gcp" => crate::gcp_config::build_provider(target, expected),
        "kubernetes" => crate::kube_config::build_provider(target, expected),
        other => anyhow::bail!(
            "target `{}`: unknown provider `{other}`; supported: aws, google, kubernetes",
            target.name
        ),
    }
}

/// The AWS types driftd compares.
fn is_aws_type(resource_type: &str) -> bool {
    static TYPES: std::sync::OnceLock<BTreeSet<&'static str>> = std::sync::OnceLock::new();
    TYPES
        .get_or_init(|| AwsProvider::supported_types().into_iter().collect())
        .contains(resource_type)
}

/// True for an AWS type that is listed per region (everything but the global services).
fn is_regional_aws_type(resource_type: &str) -> bool {
    is_aws_type(resource_type) && !driftd_aws::resources::is_global(resource_type)
}

/// The regions an AWS target lists, resolved like the AWS CLI resolves one: `--region` or the
/// target's `regions`; else the regions its state and code record; else `AWS_REGION`,
/// `AWS_DEFAULT_REGION` or the profile's region. Global services (IAM) need none: a target whose
/// definitions hold nothing regional lists them alone. The global pseudo-region is never a region.
async fn aws_regions(target: &TargetConfig, expected: &Expected) -> Result<Vec<String>> {
    if !target.regions.is_empty() {
        return Ok(driftd_aws::regional_scopes(&target.regions));
    }
    let code = expected.code.iter().flat_map(|c| &c.intents);
    let recorded: Vec<String> = expected
        .resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER)
        .filter_map(|r| r.region.clone())
        .chain(
            code.clone()
                .filter(|i| i.provider == driftd_aws::PROVIDER)
                .filter_map(|i| i.region.clone()),
        )
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let recorded = driftd_aws::regional_scopes(&recorded);
    if !recorded.is_empty() {
        return Ok(recorded);
    }
    if let Some(default) = driftd_aws::region::default_region(target.aws.profile.as_deref()).await {
        tracing::info!(
            target = %target.name,
            region = %default.region,
            source = %default.source,
            "the state records no region: scanning the environment's"
        );
        return Ok(vec![default.region]);
    }
    let regional = expected
        .resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER)
        .map(|r| r.key.resource_type.as_str())
        .chain(
            code.filter(|i| i.provider == driftd_aws::PROVIDER)
                .map(|i| i.resource_type.as_str()),
        )
        .find(|t| is_regional_aws_type(t));
    if let Some(example) = regional {
        anyhow::bail!(
            "target `{}`: no region to scan: the state and code record none (for {example} and \
             others) and none is configured; {}",
            target.name,
            driftd_aws::region::REGION_HINT
        );
    }
    Ok(Vec::new())
}

/// S3 settings types (`aws_s3_bucket_versioning`, ...): resources named by their bucket.
fn is_s3_setting(resource_type: &str) -> bool {
    resource_type.starts_with("aws_s3_bucket_")
}

/// The scope named in `skipped` for state resources whose region is not known.
const UNKNOWN_REGION: &str = "unknown-region";

/// Places the AWS resources of a regional type whose state records no region (no ARN, no
/// availability zone: an `aws_eip`, a security group rule): in the region of their provider
/// block when the code names one, else in the region where the listing found them. What is left
/// cannot be proven missing (a listing of the scanned regions says nothing about the others): it
/// is taken out of the comparison and named in a "not scanned" entry per type.
fn place_unregioned<'r>(
    resources: &'r [Resource],
    code: Option<&driftd_core::threeway::CodeSide>,
    specs: &[&'static driftd_core::TypeSpec],
    live: &[Resource],
    scanned: &BTreeSet<(String, String, String)>,
    skipped: &[driftd_core::Skipped],
) -> (std::borrow::Cow<'r, [Resource]>, Vec<driftd_core::Skipped>) {
    let needs_place = |r: &Resource| {
        r.region.is_none()
            && r.key.provider == driftd_aws::PROVIDER
            && is_regional_aws_type(&r.key.resource_type)
    };
    if !resources.iter().any(needs_place) {
        return (std::borrow::Cow::Borrowed(resources), Vec::new());
    }
    let configured: BTreeMap<&str, &str> = code
        .iter()
        .flat_map(|c| &c.intents)
        .filter_map(|i| Some((i.address.as_str(), i.region.as_deref()?)))
        .collect();
    let match_key = |spec: Option<&&driftd_core::TypeSpec>, r: &Resource| {
        spec.and_then(|s| s.identity_key(&r.attrs))
            .unwrap_or_else(|| r.key.id.as_bytes().to_vec())
    };
    // One region of a type listed completely in every region it was tried in, or none.
    let complete_everywhere = |resource_type: &str| {
        let failed = skipped.iter().any(|s| {
            s.provider == driftd_aws::PROVIDER
                && s.resource_type == resource_type
                && s.attribute.is_none()
        });
        (!failed)
            .then(|| {
                scanned
                    .iter()
                    .find(|(p, t, _)| p == driftd_aws::PROVIDER && t == resource_type)
            })
            .flatten()
            .map(|(_, _, scope)| scope.clone())
    };
    let mut kept = Vec::with_capacity(resources.len());
    let mut unplaced: BTreeMap<String, usize> = BTreeMap::new();
    for r in resources {
        if !needs_place(r) {
            kept.push(r.clone());
            continue;
        }
        let mut r = r.clone();
        if let Some(region) = r
            .address
            .as_deref()
            .and_then(|a| configured.get(a))
            .map(|r| r.to_string())
        {
            r.region = Some(region);
            kept.push(r);
            continue;
        }
        let spec = specs
            .iter()
            .find(|s| s.provider == r.key.provider && s.resource_type == r.key.resource_type);
        let key = match_key(spec, &r);
        let found = live.iter().find(|l| {
            l.key.provider == r.key.provider
                && l.key.resource_type == r.key.resource_type
                && match_key(spec, l) == key
        });
        match found.and_then(|l| l.region.clone()) {
            Some(region) => {
                r.region = Some(region);
                kept.push(r);
            }
            // Bucket names are global and every bucket's settings are read wherever the bucket
            // is (see `driftd_aws`'s S3 settings types): listed completely in every region, they
            // prove this one absent.
            None if is_s3_setting(&r.key.resource_type) => {
                match complete_everywhere(&r.key.resource_type) {
                    Some(region) => {
                        r.region = Some(region);
                        kept.push(r);
                    }
                    None => *unplaced.entry(r.key.resource_type.clone()).or_default() += 1,
                }
            }
            None => *unplaced.entry(r.key.resource_type.clone()).or_default() += 1,
        }
    }
    let regions: BTreeSet<&str> = scanned
        .iter()
        .filter(|(p, _, scope)| p == driftd_aws::PROVIDER && scope != driftd_aws::GLOBAL_SCOPE)
        .map(|(_, _, scope)| scope.as_str())
        .collect();
    let regions = if regions.is_empty() {
        "none".to_string()
    } else {
        regions.into_iter().collect::<Vec<_>>().join(", ")
    };
    // A type whose listing failed somewhere already says why its resources were not compared.
    let skipped = unplaced
        .into_iter()
        .filter(|(resource_type, _)| {
            !skipped.iter().any(|s| {
                s.provider == driftd_aws::PROVIDER
                    && s.resource_type == *resource_type
                    && s.attribute.is_none()
            })
        })
        .map(|(resource_type, n)| driftd_core::Skipped {
            provider: driftd_aws::PROVIDER.into(),
            resource_type,
            scope: UNKNOWN_REGION.into(),
            attribute: None,
            reason: format!(
                "{n} resource(s) record no region in state and are not in a scanned region \
                 ({regions}); pass --code (its provider block names the region) or scan their \
                 region"
            ),
        })
        .collect();
    (std::borrow::Cow::Owned(kept), skipped)
}

/// The account a state resource lives in, read from its ARN or, for an attachment (which has
/// none), from the customer-managed policy it attaches: a role can only be given a policy of its
/// own account or an AWS-managed one (`arn:aws:iam::aws:policy/...`), which names no account; then
/// from its role's ARN, when the state holds the role (`roles`: role name to its account, `None`
/// when roles of that name are in several accounts).
fn resource_account<'r>(
    r: &'r Resource,
    roles: &BTreeMap<&'r str, Option<&'r str>>,
) -> Option<&'r str> {
    let account = |attr: &str| arn_account(r.attrs.get(attr).and_then(|a| a.as_str())?);
    account("arn")
        .or_else(|| account("policy_arn"))
        .or_else(|| {
            if r.key.resource_type != "aws_iam_role_policy_attachment" {
                return None;
            }
            let role = r.attrs.get("role").and_then(|a| a.as_str())?;
            roles.get(role).copied().flatten()
        })
}

/// The account field of an ARN; none for AWS-owned ARNs (`aws`) and global ones without it.
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && *a != "aws")
}

/// The account of each IAM role in state, by role name.
fn role_accounts(resources: &[Resource]) -> BTreeMap<&str, Option<&str>> {
    let mut roles: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for r in resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER && r.key.resource_type == "aws_iam_role")
    {
        let name = r
            .attrs
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or(r.key.id.as_str());
        let Some(account) = r
            .attrs
            .get("arn")
            .and_then(|a| a.as_str())
            .and_then(arn_account)
        else {
            continue;
        };
        roles
            .entry(name)
            .and_modify(|known| {
                if *known != Some(account) {
                    *known = None;
                }
            })
            .or_insert(Some(account));
    }
    roles
}

/// Splits state resources into those of `account` (or of no known account) and "not scanned"
/// entries for the others, one per type, region and account.
fn split_by_account<'r>(
    resources: &'r [Resource],
    account: Option<&str>,
) -> (std::borrow::Cow<'r, [Resource]>, Vec<driftd_core::Skipped>) {
    // A type driftd does not compare is never listed: its account does not make a scan
    // incomplete.
    let roles = role_accounts(resources);
    let other_account = |r: &'r Resource| {
        (r.key.provider == driftd_aws::PROVIDER && is_aws_type(&r.key.resource_type))
            .then(|| resource_account(r, &roles))
            .flatten()
            .filter(|a| Some(*a) != account)
    };
    if account.is_none() || !resources.iter().any(|r| other_account(r).is_some()) {
        return (std::borrow::Cow::Borrowed(resources), Vec::new());
    }
    let account = account.unwrap_or_default();
    let mut kept = Vec::with_capacity(resources.len());
    let mut others: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for r in resources {
        match other_account(r) {
            Some(other) => {
                *others
                    .entry((
                        r.key.provider.clone(),
                        r.key.resource_type.clone(),
                        r.region.clone().unwrap_or_else(|| "*".into()),
                        other.to_string(),
                    ))
                    .or_default() += 1
            }
            None => kept.push(r.clone()),
        }
    }
    let skipped = others
        .into_iter()
        .map(
            |((provider, resource_type, scope, other), n)| driftd_core::Skipped {
                provider,
                resource_type,
                scope,
                attribute: None,
                reason: format!(
                "{n} resource(s) in state belong to account {other}; this target's credentials \
                 reach account {account}: add a target (or assume_role_arn) for {other}"
            ),
            },
        )
        .collect();
    (std::borrow::Cow::Owned(kept), skipped)
}

/// Width of the bar between the brackets, in characters.
const BAR_WIDTH: usize = 24;

/// One provider's listing so far, as the progress bar shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProviderCounters {
    /// `(type, region)` units planned, and finished (listed or not).
    pub units: usize,
    pub done: usize,
    /// Finished units that could not be listed.
    pub not_scanned: usize,
    /// API call attempts (retries included) and throttled attempts.
    pub api_calls: u64,
    pub throttles: u64,
}

impl ProviderCounters {
    pub fn apply(&mut self, event: &ProgressEvent) {
        match event {
            ProgressEvent::Planned { units, .. } => self.units += units,
            ProgressEvent::Started { .. } => {}
            ProgressEvent::ApiAttempt { throttled, .. } => {
                self.api_calls += 1;
                self.throttles += u64::from(*throttled);
            }
            ProgressEvent::Finished { outcome, .. } => {
                self.done += 1;
                if matches!(outcome, UnitOutcome::Skipped { .. }) {
                    self.not_scanned += 1;
                }
            }
        }
    }

    /// The bar's line: `aws  [=========>     ] 7/15 types·regions  api 42  throttled 3`, with
    /// `not scanned N` after it once a unit could not be listed.
    pub fn line(&self, provider: &str, width: usize) -> String {
        let total = self.units.max(self.done);
        let filled = (self.done * width).checked_div(total).unwrap_or(0);
        let mut bar = "=".repeat(filled);
        if filled < width && self.done > 0 {
            bar.push('>');
        }
        let mut line = format!(
            "{provider}  [{bar:<width$}] {}/{total} types·regions  api {}  throttled {}",
            self.done, self.api_calls, self.throttles
        );
        if self.not_scanned > 0 {
            line.push_str(&format!("  not scanned {}", self.not_scanned));
        }
        line
    }
}

/// One provider's counters and, on a terminal, its bar.
struct ProviderView {
    counters: ProviderCounters,
    bar: Option<ProgressBar>,
}

/// The [`Progress`] of one target's scan: a log line per finished `(type, region)` unit, and the
/// live bars.
pub struct ScanProgress {
    target: String,
    /// Set only when bars were asked for and stderr is a terminal.
    bars: Option<MultiProgress>,
    providers: Mutex<BTreeMap<&'static str, ProviderView>>,
}

impl ScanProgress {
    pub fn new(target: &str, display: ProgressDisplay) -> Self {
        let bars = (display == ProgressDisplay::Bar && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        ScanProgress {
            target: target.to_string(),
            bars,
            providers: Mutex::new(BTreeMap::new()),
        }
    }

    /// Each provider's counters so far.
    pub fn counters(&self) -> BTreeMap<&'static str, ProviderCounters> {
        self.lock()
            .iter()
            .map(|(name, view)| (*name, view.counters))
            .collect()
    }

    /// Removes the bars from the terminal. Idempotent.
    pub fn finish(&self) {
        for view in self.lock().values_mut() {
            if let Some(bar) = view.bar.take() {
                bar.finish_and_clear();
            }
        }
        if let Some(bars) = &self.bars {
            // Nothing useful to do when the terminal is gone.
            let _ = bars.clear();
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<&'static str, ProviderView>> {
        // Counters stay meaningful even if a holder panicked.
        self.providers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn new_bar(&self) -> Option<ProgressBar> {
        let bars = self.bars.as_ref()?;
        let style = ProgressStyle::with_template("{wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Some(bars.add(ProgressBar::new(0).with_style(style)))
    }

    /// The log line of a finished unit: info when listed, warn when not (or when an attribute
    /// could not be read).
    fn log_finished(&self, event: &ProgressEvent) {
        let ProgressEvent::Finished {
            provider,
            resource_type,
            scope,
            stats,
            outcome,
        } = event
        else {
            return;
        };
        let target = self.target.as_str();
        let duration_ms = u64::try_from(stats.duration.as_millis()).unwrap_or(u64::MAX);
        match outcome {
            UnitOutcome::Listed { unread_attributes } => {
                tracing::info!(
                    target = %target,
                    provider = %provider,
                    resource_type = %resource_type,
                    region = %scope,
                    resources = stats.resources,
                    api_calls = stats.api_calls,
                    throttles = stats.throttles,
                    duration_ms,
                    "listed"
                );
                for (attribute, reason) in unread_attributes {
                    tracing::warn!(
                        target = %target,
                        provider = %provider,
                        resource_type = %resource_type,
                        region = %scope,
                        attribute = %attribute,
                        reason = %reason,
                        "attribute not read, left out of the comparison"
                    );
                }
            }
            UnitOutcome::Skipped { reason } => {
                tracing::warn!(
                    target = %target,
                    provider = %provider,
                    resource_type = %resource_type,
                    region = %scope,
                    api_calls = stats.api_calls,
                    throttles = stats.throttles,
                    duration_ms,
                    reason = %reason,
                    "not scanned"
                );
            }
        }
    }
}

impl Progress for ScanProgress {
    fn event(&self, event: &ProgressEvent) {
        let provider = match event {
            ProgressEvent::Planned { provider, .. }
            | ProgressEvent::Started { provider, .. }
            | ProgressEvent::ApiAttempt { provider, .. }
            | ProgressEvent::Finished { provider, .. } => *provider,
        };
        let mut providers = self.lock();
        let view = providers.entry(provider).or_insert_with(|| ProviderView {
            counters: ProviderCounters::default(),
            bar: self.new_bar(),
        });
        view.counters.apply(event);
        if let Some(bar) = &view.bar {
            bar.set_length(view.counters.units as u64);
            bar.set_position(view.counters.done as u64);
            bar.set_message(view.counters.line(provider, BAR_WIDTH));
        }
        if let ProgressEvent::Finished { .. } = event {
            match &self.bars {
                // Lift the bars while the line is written, so it does not land inside one.
                Some(bars) => bars.suspend(|| self.log_finished(event)),
                None => self.log_finished(event),
            }
        }
    }
}

impl Drop for ScanProgress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod account_tests {
    use super::*;

    #[test]
    fn resources_of_another_account_are_not_scanned_not_missing() {
        let mut mine = Resource::new("aws", "aws_vpc", "vpc-1");
        mine.attrs.insert(
            "arn".into(),
            "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1".into(),
        );
        let mut theirs = Resource::new("aws", "aws_vpc", "vpc-2");
        theirs.region = Some("us-east-1".into());
        theirs.attrs.insert(
            "arn".into(),
            "arn:aws:ec2:us-east-1:222222222222:vpc/vpc-2".into(),
        );
        let bucket = Resource::new("aws", "aws_s3_bucket", "logs");
        let all = [mine, theirs, bucket];
        let (kept, skipped) = split_by_account(&all, Some("111111111111"));
        let ids: Vec<&str> = kept.iter().map(|r| r.key.id.as_str()).collect();
        assert_eq!(ids, ["vpc-1", "logs"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].scope, "us-east-1");
        assert!(
            skipped[0].reason.contains("account 222222222222"),
            "{}",
            skipped[0].reason
        );
        let (kept, skipped) = split_by_account(&all, None);
        assert!(matches!(kept, std::borrow::Cow::Borrowed(_)) && skipped.is_empty());
    }

    #[test]
    fn attachments_take_their_account_from_the_policy_or_the_role() {
        let attachment = |id: &str, role: &str, policy: &str| {
            let mut r = Resource::new("aws", "aws_iam_role_policy_attachment", id);
            r.attrs.insert("role".into(), role.into());
            r.attrs.insert("policy_arn".into(), policy.into());
            r
        };
        let mut theirs = Resource::new("aws", "aws_iam_role", "deploy");
        theirs.attrs.insert("name".into(), "deploy".into());
        theirs
            .attrs
            .insert("arn".into(), "arn:aws:iam::222222222222:role/deploy".into());
        let managed = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        let all = [
            theirs,
            // Another account's customer-managed policy: that account's attachment.
            attachment("a-1", "app", "arn:aws:iam::222222222222:policy/p"),
            // An AWS-managed policy on a role the state places in another account.
            attachment("a-2", "deploy", managed),
            // An AWS-managed policy on a role nothing places: the scanned account's.
            attachment("a-3", "app", managed),
        ];
        let (kept, skipped) = split_by_account(&all, Some("111111111111"));
        let ids: Vec<&str> = kept.iter().map(|r| r.key.id.as_str()).collect();
        assert_eq!(ids, ["a-3"]);
        let attachments: Vec<&str> = skipped
            .iter()
            .filter(|s| s.resource_type == "aws_iam_role_policy_attachment")
            .map(|s| s.reason.as_str())
            .collect();
        assert_eq!(attachments.len(), 1, "{skipped:?}");
        assert!(
            attachments[0].starts_with("2 resource(s) in state belong to account 222222222222"),
            "{}",
            attachments[0]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::provider::UnitStats;
    use std::time::Duration;

    fn finished(resource_type: &'static str, outcome: UnitOutcome) -> ProgressEvent {
        ProgressEvent::Finished {
            provider: "aws",
            resource_type,
            scope: "us-east-1".into(),
            stats: UnitStats {
                resources: 3,
                api_calls: 4,
                throttles: 1,
                duration: Duration::from_millis(1234),
            },
            outcome,
        }
    }

    fn attempt(throttled: bool) -> ProgressEvent {
        ProgressEvent::ApiAttempt {
            provider: "aws",
            throttled,
        }
    }

    #[test]
    fn counters_follow_the_events() {
        let mut c = ProviderCounters::default();
        for e in [
            ProgressEvent::Planned {
                provider: "aws",
                units: 15,
            },
            ProgressEvent::Started {
                provider: "aws",
                resource_type: "aws_vpc",
                scope: "us-east-1".into(),
            },
            attempt(true),
            attempt(true),
            attempt(false),
            finished(
                "aws_vpc",
                UnitOutcome::Listed {
                    unread_attributes: vec![],
                },
            ),
            finished(
                "aws_subnet",
                UnitOutcome::Skipped {
                    reason: "access denied: x".into(),
                },
            ),
        ] {
            c.apply(&e);
        }
        assert_eq!(
            c,
            ProviderCounters {
                units: 15,
                done: 2,
                not_scanned: 1,
                api_calls: 3,
                throttles: 2,
            }
        );
    }

    #[test]
    fn progress_line_shows_units_calls_and_throttles() {
        let c = ProviderCounters {
            units: 15,
            done: 7,
            not_scanned: 0,
            api_calls: 42,
            throttles: 3,
        };
        assert_eq!(
            c.line("aws", 10),
            "aws  [====>     ] 7/15 types·regions  api 42  throttled 3"
        );

        let start = ProviderCounters {
            units: 10,
            ..Default::default()
        };
        assert_eq!(
            start.line("aws", 10),
            "aws  [          ] 0/10 types·regions  api 0  throttled 0"
        );

        let end = ProviderCounters {
            units: 10,
            done: 10,
            not_scanned: 2,
            api_calls: 12,
            throttles: 0,
        };
        assert_eq!(
            end.line("aws", 10),
            "aws  [==========] 10/10 types·regions  api 12  throttled 0  not scanned 2"
        );

        // Nothing planned (no type selected) must not divide by zero.
        assert_eq!(
            ProviderCounters::default().line("aws", 4),
            "aws  [    ] 0/0 types·regions  api 0  throttled 0"
        );
    }

    /// A tracing writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_log_line_per_finished_unit_with_its_counts() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let progress = ScanProgress::new("prod", ProgressDisplay::LogsOnly);
        tracing::subscriber::with_default(subscriber, || {
            progress.event(&ProgressEvent::Planned {
                provider: "aws",
                units: 2,
            });
            progress.event(&finished(
                "aws_instance",
                UnitOutcome::Listed {
                    unread_attributes: vec![(
                        "disable_api_termination".into(),
                        "throttled after retries: x".into(),
                    )],
                },
            ));
            progress.event(&finished(
                "aws_vpc",
                UnitOutcome::Skipped {
                    reason: "access denied: y".into(),
                },
            ));
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains(" INFO "), "{text}");
        for needle in [
            "listed",
            "target=prod",
            "provider=aws",
            "resource_type=aws_instance",
            "region=us-east-1",
            "resources=3",
            "api_calls=4",
            "throttles=1",
            "duration_ms=1234",
        ] {
            assert!(lines[0].contains(needle), "no {needle} in {}", lines[0]);
        }
        assert!(lines[1].contains(" WARN "), "{text}");
        assert!(lines[1].contains("attribute=disable_api_termination"));
        assert!(lines[2].contains(" WARN "), "{text}");
        assert!(lines[2].contains("not scanned"));
        assert!(lines[2].contains("resource_type=aws_vpc"));
        assert!(lines[2].contains("reason=access denied: y"));
        assert_eq!(progress.counters()["aws"].done, 2);
        assert_eq!(progress.counters()["aws"].not_scanned, 1);
    }
}
