//! `driftd explain`: why something was or was not reported. Reads the last recorded scan of a
//! target from the history (its findings, and the `ignored` list that records what ignore rules
//! dropped and which rule did) and the current config (which `[[classify]]` rule sets the tier,
//! which ignore rules hide it now, which expired rule no longer does).

use crate::config::{Config, TargetConfig};
use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use driftd_core::classify::{rule_for, RuleConfig};
use driftd_core::ignore::{IgnoreScope, IgnoreSet, IgnoredFinding};
use driftd_core::{Finding, FindingKind, Report};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding's fingerprint (or at least 6 characters of it), a Terraform address
    /// (`aws_instance.web[0]`) or TYPE.ID (`aws_instance.i-0123`).
    pub query: String,
    /// Configuration file.
    #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
    pub config: PathBuf,
    /// Only this target. Default: every target of the config.
    #[arg(short, long)]
    pub target: Option<String>,
    /// History directory. Default: $STATE_DIRECTORY, else `daemon.state_dir` of the config.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
}

pub fn run(args: ExplainArgs) -> Result<u8> {
    let config = Config::load(&args.config)?;
    let targets: Vec<TargetConfig> = match &args.target {
        Some(t) => config
            .select(std::slice::from_ref(t))?
            .into_iter()
            .cloned()
            .collect(),
        None => config.targets.clone(),
    };
    let dir = crate::daemon::state_dir(args.state_dir.as_deref(), Some(&config));
    let db = dir.join(crate::daemon::DB_FILE);
    if !db.exists() {
        bail!(
            "no history at {}: run `driftd scan --config {} --target NAME` first, or pass the right --state-dir",
            db.display(),
            args.config.display()
        );
    }
    let store = driftd_store::Store::open(&db)?;
    let mut reports = Vec::new();
    for t in &targets {
        if let Some(r) = store.last_report(&t.name)? {
            reports.push((t, r));
        }
    }
    if reports.is_empty() {
        bail!("no finished scan of these targets in the history yet: run `driftd scan` first");
    }
    // Values come from the cloud: control characters are shown, never sent to the terminal.
    let text = explain(&args.query, &config, &reports, Utc::now());
    print!("{}", crate::notify::message::visible_controls(&text));
    Ok(0)
}

/// Whether a finding is the one asked for.
fn matches(query: &str, f: &Finding) -> bool {
    let by_fingerprint = query.len() >= 6
        && query.chars().all(|c| c.is_ascii_hexdigit())
        && f.fingerprint.starts_with(&query.to_ascii_lowercase());
    let by_address = f.address.as_deref().is_some_and(|a| {
        a == query
            || a.strip_suffix(']')
                .and_then(|a| a.rsplit_once('['))
                .is_some_and(|(base, _)| base == query)
    });
    by_fingerprint || by_address || format!("{}.{}", f.resource_type, f.resource_id) == query
}

/// The explanation of `query` against each target's last report, as text.
pub fn explain(
    query: &str,
    config: &Config,
    reports: &[(&TargetConfig, Report)],
    now: DateTime<Utc>,
) -> String {
    let rules = config.classify_rules();
    let mut out = String::new();
    let mut found = 0;
    for (target, report) in reports {
        let ignores = target.ignore_set(&config.base_dir).unwrap_or_default();
        let mut fingerprints: Vec<&str> = report
            .findings
            .iter()
            .map(|f| &f.fingerprint)
            .chain(report.ignored.iter().map(|i| &i.finding.fingerprint))
            .map(String::as_str)
            .collect();
        fingerprints.sort_unstable();
        fingerprints.dedup();
        for fp in fingerprints {
            let reported = report.findings.iter().find(|f| f.fingerprint == fp);
            let ignored: Vec<&IgnoredFinding> = report
                .ignored
                .iter()
                .filter(|i| i.finding.fingerprint == fp)
                .collect();
            let any = reported.or(ignored.first().map(|i| &i.finding));
            if !any.is_some_and(|f| matches(query, f)) {
                continue;
            }
            found += 1;
            one(
                &mut out, config, target, report, &rules, &ignores, reported, &ignored, now,
            );
        }
    }
    if found == 0 {
        let names: Vec<String> = reports
            .iter()
            .map(|(t, r)| format!("`{}` (finished {})", t.name, r.scan.finished_at))
            .collect();
        let _ = writeln!(
            out,
            "`{query}`: no finding, reported or ignored, in the last scan of {}.\n\
             It was in sync, or it is not in any state and not listed live, or it was not scanned.",
            names.join(", ")
        );
        for (t, r) in reports {
            let rtype = query.split('.').next().unwrap_or("");
            for k in r.skipped.iter().filter(|k| k.resource_type == rtype) {
                let _ = writeln!(
                    out,
                    "  target `{}`: {} in {} was not scanned: {}",
                    t.name, k.resource_type, k.scope, k.reason
                );
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn one(
    out: &mut String,
    config: &Config,
    target: &TargetConfig,
    report: &Report,
    rules: &[driftd_core::classify::Rule],
    ignores: &IgnoreSet,
    reported: Option<&Finding>,
    ignored: &[&IgnoredFinding],
    now: DateTime<Utc>,
) {
    // The finding as the analyzer saw it: what was reported plus every change dropped.
    let Some(mut full) = reported.or(ignored.first().map(|i| &i.finding)).cloned() else {
        return;
    };
    let whole = ignored.iter().find(|i| i.scope == IgnoreScope::Finding);
    if let Some(w) = whole {
        full = w.finding.clone();
    } else {
        full.changes = reported.map(|f| f.changes.clone()).unwrap_or_default();
        for i in ignored {
            full.changes.extend(i.finding.changes.iter().cloned());
        }
    }
    let _ = write!(out, "{} {}", full.resource_type, full.resource_id);
    if let Some(a) = &full.address {
        let _ = write!(out, " · {a}");
    }
    if let Some(r) = &full.region {
        let _ = write!(out, " · {r}");
    }
    let _ = writeln!(
        out,
        "\n  target {} · last scan {} ({}) · fingerprint {}",
        target.name,
        report.scan.finished_at,
        if report.scan.complete {
            "complete"
        } else {
            "incomplete"
        },
        full.fingerprint
    );
    let _ = writeln!(out, "  kind: {}", full.kind);
    if let Some(p) = &full.policy {
        let from = match &p.file {
            Some(f) => format!("from {f}"),
            None => "built-in".to_string(),
        };
        let _ = writeln!(out, "  policy: {} ({}), {from}", p.id, p.title);
        for m in &p.messages {
            let _ = writeln!(out, "    says: {}", m.text);
            match (&m.path, &m.value) {
                (Some(path), Some(v)) => {
                    let _ = writeln!(out, "      input value: {path} = {v}");
                }
                (Some(path), None) => {
                    let _ = writeln!(out, "      about {path} (no value there)");
                }
                _ => {}
            }
        }
    }
    let _ = writeln!(
        out,
        "  compared by: {}",
        match full.engine {
            driftd_core::Engine::Native => "driftd, from the provider's API".to_string(),
            driftd_core::Engine::Plan => format!(
                "Terraform's plan ({}), whose refresh read the resource",
                full.source.as_deref().unwrap_or("plan")
            ),
        }
    );
    if full.kind == FindingKind::Pending && full.engine == driftd_core::Engine::Plan {
        let _ = writeln!(
            out,
            "  why pending: the plan would change this resource on the next apply: not drift"
        );
    } else if full.kind == FindingKind::Pending {
        let what = if !full.changes.is_empty() {
            "the code changes this resource and the change was not applied (live still matches \
             state): not drift"
        } else if full.address.as_deref() == Some(full.resource_id.as_str()) {
            "the code declares this resource and no state records it: not applied yet (never \
             `missing`)"
        } else {
            "state records this resource and the code no longer declares it: the next apply \
             destroys it"
        };
        let _ = writeln!(out, "  why pending: {what}");
    }

    match (reported, whole) {
        (Some(f), _) => {
            let _ = writeln!(out, "  REPORTED as {}", f.tier);
        }
        (None, Some(w)) => {
            let _ = writeln!(out, "  NOT REPORTED: ignored by {}", w.rule);
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "  NOT REPORTED: every change was ignored (see below), nothing was left"
            );
        }
    }
    let tier = match reported {
        Some(f) => format!("tier {}", f.tier),
        None => format!("tier it would have: {}", full.tier),
    };
    let _ = writeln!(
        out,
        "  {tier}: {}",
        tier_reason(config, rules, &target.name, reported.unwrap_or(&full))
    );
    if let Some(f) = reported {
        for c in &f.changes {
            let op = format!("{:?}", c.op).to_lowercase();
            let from = crate::output::provenance(c)
                .map(|p| format!(", expected value {p}"))
                .unwrap_or_default();
            let _ = writeln!(out, "    reported change: {} ({op}{from})", c.path);
        }
    }
    for i in ignored.iter().filter(|i| i.scope == IgnoreScope::Changes) {
        for c in &i.finding.changes {
            let _ = writeln!(out, "    ignored change:  {} by {}", c.path, i.rule);
        }
    }

    // What the rules in force now would do, when it differs from the recorded scan.
    let now_verdict = ignores.verdict(&target.name, &full, now);
    let was_hidden = whole.is_some();
    match (&now_verdict.whole, was_hidden) {
        (Some(rule), false) => {
            let _ = writeln!(
                out,
                "  with the current rules it would be ignored by {rule} (next scan)"
            );
        }
        (None, true) => {
            let _ = writeln!(
                out,
                "  with the current rules it is no longer ignored: the next scan reports it"
            );
        }
        _ => {}
    }
    let dropped_now = now_verdict.changes.len();
    let dropped_then: usize = ignored
        .iter()
        .filter(|i| i.scope == IgnoreScope::Changes)
        .map(|i| i.finding.changes.len())
        .sum();
    if now_verdict.whole.is_none() && !was_hidden && dropped_now != dropped_then {
        let _ = writeln!(
            out,
            "  with the current rules {dropped_now} of its {} change(s) would be ignored (the last scan ignored {dropped_then})",
            full.changes.len()
        );
    }
    for rule in ignores.expired_matching(&target.name, &full, now) {
        let _ = writeln!(
            out,
            "  EXPIRED rule {rule} matches it: it no longer hides it; renew `expires` or remove the rule"
        );
    }
    if reported.is_some() && ignored.is_empty() && now_verdict == Default::default() {
        let _ = writeln!(out, "  no ignore rule in force matches it");
    }
    out.push('\n');
}

/// Which rule sets a finding's tier: a `[[classify]]` rule of the config, or a built-in rule.
fn tier_reason(
    config: &Config,
    rules: &[driftd_core::classify::Rule],
    target: &str,
    f: &Finding,
) -> String {
    if let Some(i) = rule_for(rules, target, f) {
        let described = config
            .classify
            .get(i)
            .map(describe_classify)
            .unwrap_or_default();
        return format!(
            "set by {}: classify[{i}] ({described})",
            config.path.display()
        );
    }
    let builtin = match f.kind {
        FindingKind::Missing => "a resource gone from the cloud is critical",
        FindingKind::Unmanaged => "a resource in no state is a warning",
        FindingKind::Pending => "a change not applied yet is info",
        FindingKind::Violation => {
            "a policy violation gets the tier its policy names (its metadata, or the tier of its \
             [[policy]] entry), warning when it names none"
        }
        FindingKind::Changed => {
            "a changed resource gets the highest tier of its changes: ingress opened to the \
             internet is critical, tags only are info, anything else is a warning"
        }
    };
    format!("built-in default ({builtin})")
}

fn describe_classify(r: &RuleConfig) -> String {
    let mut parts = vec![format!("tier = \"{}\"", r.tier)];
    for (key, v) in [
        ("provider", &r.provider),
        ("target", &r.target),
        ("resource_type", &r.resource_type),
        ("resource", &r.resource),
        ("path", &r.path),
        ("value", &r.value),
    ] {
        if let Some(v) = v {
            parts.push(format!("{key} = {v:?}"));
        }
    }
    if let Some(k) = r.kind {
        parts.push(format!("kind = \"{k}\""));
    }
    if r.all_changes {
        parts.push("all_changes = true".into());
    }
    parts.join(", ")
}
