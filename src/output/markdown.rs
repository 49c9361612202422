//! `--format markdown`: for a pull-request comment or a CI job summary (GitHub's
//! `$GITHUB_STEP_SUMMARY`, GitLab's Markdown reports).
//!
//! Per target: one summary line first (drift per tier, completeness, coverage), then one table
//! per finding kind (tier, resource, address, region, changed attributes), then one collapsible
//! `<details>` per finding with expected vs actual per attribute, then the scopes that could not
//! be scanned, with their reasons, then what was not compared (types driftd does not compare,
//! code not evaluated), by type and reason. Several targets: an overall line, then one section
//! each. "In sync" is said only when everything was compared, "no drift" only of what was.
//!
//! Every value that comes from state or from the cloud (ids, addresses, tag values, reasons,
//! even the target name) goes through [`esc`]: HTML-special and Markdown-special characters
//! become character references, control characters are dropped, so a tag value cannot break a
//! table, open a tag, start a code span, ping a team or link an issue. Values sit inside
//! `<code>`, where GitHub renders neither mentions nor issue links. The `<details>` blocks are
//! plain HTML without blank lines, so nothing inside them is read as Markdown.

use driftd_core::{Change, ChangeOp, Finding, FindingKind, Report, Tier};
use serde_json::Value;
use std::fmt::Write;

pub fn render(reports: &[Report]) -> String {
    let mut out = String::new();
    match reports {
        [one] => target(&mut out, one, None),
        many => {
            overall(&mut out, many);
            for r in many {
                out.push('\n');
                target(&mut out, r, Some("##"));
            }
        }
    }
    out
}

/// Escapes text from state or the cloud for Markdown (GFM) and HTML alike: in table cells, in
/// `<code>`, in HTML blocks and in attribute values. Newlines become `&#10;` (one source line
/// stays one line), other control characters and bidirectional overrides are dropped.
pub fn esc(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push(' '),
            // Inside a word (`aws_ebs_volume`) `_` cannot start or end emphasis: kept readable.
            '_' if word(prev) && word(next) => out.push('_'),
            // `:` only matters before a letter or `/`: emoji codes, `javascript:`, `https://`.
            ':' if !next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/') => out.push(':'),
            // Markdown structure: tables, code spans, emphasis, links, headings, strike-through,
            // math, mentions, backslash escapes.
            '|' | '`' | '\\' | '*' | '_' | '[' | ']' | '#' | '~' | '$' | '@' | ':' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `<code>` around escaped text.
fn code(s: &str) -> String {
    format!("<code>{}</code>", esc(s))
}

fn tier_badge(t: Tier) -> &'static str {
    match t {
        Tier::Critical => "🔴 critical",
        Tier::Warning => "🟠 warning",
        Tier::Info => "🔵 info",
    }
}

fn kind_title(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Missing => "Missing: in state, gone from the cloud",
        FindingKind::Changed => "Changed: differs from state",
        FindingKind::Unmanaged => "Unmanaged: in the cloud, in no state",
        FindingKind::Pending => "Pending: code not applied yet (not drift)",
        FindingKind::Violation => "Violations: resources that break a policy",
    }
}

const KINDS: [FindingKind; 5] = [
    FindingKind::Missing,
    FindingKind::Changed,
    FindingKind::Unmanaged,
    FindingKind::Violation,
    FindingKind::Pending,
];

/// Drift (every kind but `pending`) per tier, worst first, zero counts left out.
/// Findings of each tier (highest first, empty tiers left out) that `counted` picks.
fn tier_counts(r: &Report, counted: impl Fn(FindingKind) -> bool) -> Vec<(Tier, usize)> {
    [Tier::Critical, Tier::Warning, Tier::Info]
        .into_iter()
        .map(|t| {
            let n = r
                .findings
                .iter()
                .filter(|f| f.tier == t && counted(f.kind))
                .count();
            (t, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Drift by tier: what reality changed (not pending changes, not policy violations).
fn drift_counts(r: &Report) -> Vec<(Tier, usize)> {
    tier_counts(r, |k| {
        !matches!(k, FindingKind::Pending | FindingKind::Violation)
    })
}

/// Policy violations by tier.
fn violation_counts(r: &Report) -> Vec<(Tier, usize)> {
    tier_counts(r, |k| k == FindingKind::Violation)
}

/// `2 critical, 1 warning`.
fn tier_list(counts: &[(Tier, usize)]) -> String {
    let parts: Vec<String> = counts.iter().map(|(t, n)| format!("{n} {t}")).collect();
    parts.join(", ")
}

fn tier_icon(t: Tier) -> &'static str {
    match t {
        Tier::Critical => "🔴",
        Tier::Warning => "🟠",
        Tier::Info => "🔵",
    }
}

fn pending(r: &Report) -> usize {
    r.findings
        .iter()
        .filter(|f| f.kind == FindingKind::Pending)
        .count()
}

fn scan_status(r: &Report) -> String {
    if r.scan.complete {
        "scan complete".into()
    } else {
        format!(
            "**scan INCOMPLETE** ({} not scanned)",
            plural(r.skipped.len(), "scope", "scopes")
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The first line of a target: what a reviewer reads in the notification.
fn summary_line(r: &Report) -> String {
    let counts = drift_counts(r);
    let violations = violation_counts(r);
    let name = esc(&r.target);
    // `3 policy violations (1 critical, 2 info)`.
    let violated = || {
        let n: usize = violations.iter().map(|(_, n)| n).sum();
        format!(
            "{} ({})",
            plural(n, "policy violation", "policy violations"),
            tier_list(&violations)
        )
    };
    // The highest tier of either kind.
    let top = counts.iter().chain(&violations).map(|(t, _)| *t).max();
    let mut line = if !counts.is_empty() {
        let icon = top.map_or("🔵", tier_icon);
        if violations.is_empty() {
            format!("{icon} **driftd: {} drift in {name}**", tier_list(&counts))
        } else {
            format!(
                "{icon} **driftd: {} drift and {} in {name}**",
                tier_list(&counts),
                violated()
            )
        }
    } else if !violations.is_empty() {
        let icon = top.map_or("🔵", tier_icon);
        format!("{icon} **driftd: no drift, {} in {name}**", violated())
    } else if !r.scan.complete {
        format!(
            "⚠️ **driftd: {name} scan incomplete, no finding in the {} compared**",
            plural(r.summary.compared, "resource", "resources")
        )
    } else if r.fully_compared() {
        format!("✅ **driftd: {name} in sync**")
    } else if r.summary.compared == 0 {
        format!("⚪ **driftd: nothing compared in {name}**")
    } else {
        format!(
            "⚪ **driftd: no drift in the {} compared in {name}**",
            plural(r.summary.compared, "resource", "resources")
        )
    };
    let _ = write!(line, " · {}", scan_status(r));
    if r.summary.not_compared > 0 {
        let _ = write!(line, " · **{} not compared**", r.summary.not_compared);
    }
    let _ = write!(line, " · coverage {:.1}%", r.summary.coverage_pct);
    let p = pending(r);
    if p > 0 {
        let _ = write!(
            line,
            " · {}",
            plural(p, "pending change", "pending changes")
        );
    }
    line
}

fn overall(out: &mut String, reports: &[Report]) {
    let drifted = reports
        .iter()
        .filter(|r| !drift_counts(r).is_empty())
        .count();
    let violated = reports
        .iter()
        .filter(|r| !violation_counts(r).is_empty())
        .count();
    let incomplete = reports.iter().filter(|r| !r.scan.complete).count();
    let not_compared: usize = reports.iter().map(|r| r.summary.not_compared).sum();
    let icon = if drifted + violated > 0 {
        "🔴"
    } else if incomplete > 0 {
        "⚠️"
    } else if not_compared > 0 {
        "⚪"
    } else {
        "✅"
    };
    let _ = write!(
        out,
        "{icon} **driftd: {} · {} with drift**",
        plural(reports.len(), "target", "targets"),
        drifted
    );
    if violated > 0 {
        let _ = write!(out, " · {violated} with policy violations");
    }
    if incomplete > 0 {
        let _ = write!(out, " · **{incomplete} incomplete**");
    }
    if not_compared > 0 {
        let _ = write!(out, " · {not_compared} not compared");
    }
    out.push('\n');
}

fn target(out: &mut String, r: &Report, heading: Option<&str>) {
    if let Some(h) = heading {
        let _ = writeln!(out, "{h} {}\n", esc(&r.target));
    }
    let _ = writeln!(out, "{}\n", summary_line(r));
    let s = &r.summary;
    let _ = write!(
        out,
        "{} compared ({} managed, {} unmanaged) of {} · scanned {} → {}",
        s.compared,
        s.managed,
        s.unmanaged,
        plural(s.total, "resource", "resources"),
        esc(&r.scan.started_at),
        esc(&r.scan.finished_at)
    );
    if s.plan_compared > 0 {
        let _ = write!(out, " · {} by Terraform's plan", s.plan_compared);
    }
    for cause in super::not_compared_causes(s) {
        let _ = write!(out, " · {cause}");
    }
    out.push('\n');

    let sub = if heading.is_some() { "###" } else { "##" };
    for kind in KINDS {
        let group: Vec<&Finding> = r.findings.iter().filter(|f| f.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{sub} {} ({})\n", kind_title(kind), group.len());
        out.push_str("| tier | resource | address | region | changed attributes |\n");
        out.push_str("|---|---|---|---|---|\n");
        // The analyzer sorts by tier first: within a kind, worst first.
        for f in group {
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} | {} |",
                tier_badge(f.tier),
                code(&f.resource_type),
                code(&f.resource_id),
                f.address.as_deref().map(code).unwrap_or_else(|| "—".into()),
                f.region.as_deref().map(esc).unwrap_or_else(|| "—".into()),
                changed_cell(f)
            );
        }
    }

    if !r.findings.is_empty() {
        let _ = writeln!(out, "\n{sub} Details\n");
        for f in &r.findings {
            details(out, f);
        }
    }

    if !r.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n{sub} ⚠️ Not scanned: this report is INCOMPLETE ({})\n",
            r.skipped.len()
        );
        out.push_str(
            "These could not be listed (or read), so their resources were neither compared nor \
             reported missing: drift there is **unknown**, not absent.\n\n",
        );
        out.push_str("| resource type | scope | attribute | reason |\n");
        out.push_str("|---|---|---|---|\n");
        for k in &r.skipped {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&k.resource_type),
                esc(&k.scope),
                k.attribute
                    .as_deref()
                    .map(code)
                    .unwrap_or_else(|| "(all)".into()),
                esc(&k.reason)
            );
        }
    }

    if !r.not_compared.is_empty() {
        let _ = writeln!(
            out,
            "\n{sub} Not compared ({}): neither drift nor in sync\n",
            r.summary.not_compared
        );
        out.push_str("| resources | provider | resource type | where | why |\n");
        out.push_str("|---|---|---|---|---|\n");
        for e in &r.not_compared {
            let mut at: Vec<String> = Vec::new();
            if let Some(scope) = &e.scope {
                at.push(esc(scope));
            }
            if let Some(a) = &e.address {
                at.push(code(a));
            }
            if let Some(src) = &e.source {
                at.push(esc(src));
            }
            let mut why = esc(e.category.label());
            if e.reason != driftd_core::NotCompared::UNSUPPORTED {
                why.push_str(" — ");
                why.push_str(&esc(&e.reason));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {why} |",
                e.count,
                esc(&e.provider),
                e.resource_type
                    .as_deref()
                    .map(code)
                    .unwrap_or_else(|| "(whole module)".into()),
                if at.is_empty() {
                    "—".to_string()
                } else {
                    at.join(" · ")
                },
            );
        }
    }
}

fn changed_cell(f: &Finding) -> String {
    match f.kind {
        FindingKind::Missing => "gone live".into(),
        FindingKind::Unmanaged => "in no state".into(),
        FindingKind::Violation => f
            .policy
            .as_ref()
            .map(|p| format!("{}: {}", code(&p.id), esc(&p.messages_text())))
            .unwrap_or_else(|| "—".into()),
        _ if f.changes.is_empty() => "—".into(),
        _ => {
            let paths: Vec<String> = f.changes.iter().map(|c| code(&c.path)).collect();
            paths.join(", ")
        }
    }
}

/// One finding as a collapsible HTML block: no blank line inside, so Markdown never applies.
fn details(out: &mut String, f: &Finding) {
    let _ = write!(
        out,
        "<details><summary>{} · {} · {} {}",
        tier_badge(f.tier),
        f.kind,
        code(&f.resource_type),
        code(&f.resource_id)
    );
    if let Some(a) = &f.address {
        let _ = write!(out, " · {}", code(a));
    }
    out.push_str("</summary>\n");
    let mut facts = Vec::new();
    if let Some(r) = &f.region {
        facts.push(format!("region {}", code(r)));
    }
    let from = if f.engine == driftd_core::Engine::Plan {
        facts.push("compared by Terraform's plan".to_string());
        "plan"
    } else {
        "state"
    };
    if let Some(s) = &f.source {
        facts.push(format!("{from} {}", code(s)));
    }
    facts.push(format!("fingerprint {}", code(&f.fingerprint)));
    let _ = writeln!(out, "<p>{}</p>", facts.join(" · "));
    match f.kind {
        FindingKind::Missing => {
            out.push_str("<p>Recorded in the state, not found live.</p>\n");
        }
        FindingKind::Unmanaged => {
            out.push_str("<p>Exists live, in no state of this target.</p>\n");
        }
        FindingKind::Violation => {
            if let Some(p) = &f.policy {
                let _ = writeln!(out, "<p>Policy {}: {}</p>", code(&p.id), esc(&p.title));
                out.push_str("<ul>\n");
                for m in &p.messages {
                    let at = m.path.as_deref().map(|p| format!(" ({})", code(p)));
                    let _ = writeln!(out, "<li>{}{}</li>", esc(&m.text), at.unwrap_or_default());
                }
                out.push_str("</ul>\n");
                if let Some(r) = &p.remediation {
                    let _ = writeln!(out, "<p>To fix: {}</p>", esc(r));
                }
            }
        }
        _ => {}
    }
    if !f.changes.is_empty() {
        out.push_str(
            "<table>\n<tr><th>attribute</th><th>change</th><th>expected (state)</th>\
             <th>actual (live)</th></tr>\n",
        );
        for c in &f.changes {
            change_row(out, c);
        }
        out.push_str("</table>\n");
    }
    out.push_str("</details>\n\n");
}

fn change_row(out: &mut String, c: &Change) {
    let op = match c.op {
        ChangeOp::Add => "added",
        ChangeOp::Remove => "removed",
        ChangeOp::Replace => "replaced",
    };
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td>{op}</td><td>{}{}</td><td>{}</td></tr>",
        code(&c.path),
        value(&c.expected),
        super::provenance(c)
            .map(|p| format!("<br><sub>{}</sub>", esc(&p)))
            .unwrap_or_default(),
        value(&c.actual)
    );
}

/// A value in a `<pre>`: strings as they are, null as "(none)", the rest as pretty JSON.
fn value(v: &Value) -> String {
    let text = match v {
        Value::Null => return "<em>(none)</em>".into(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    };
    format!("<pre>{}</pre>", esc(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::report::{ScanInfo, Tool};
    use driftd_core::{Skipped, Summary};
    use serde_json::json;

    const EVIL: &str = "<script>alert(1)</script>|*`pipe`_[x](y)\n\n# @team #12 $x$";

    fn finding(kind: FindingKind, tier: Tier, changes: Vec<Change>) -> Finding {
        Finding {
            engine: Default::default(),
            fingerprint: "0123456789abcdef0123456789abcdef".into(),
            kind,
            tier,
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            resource_id: "i-1".into(),
            address: Some("aws_instance.web[0]".into()),
            region: Some("us-east-1".into()),
            source: Some("terraform.tfstate".into()),
            changes,
            policy: None,
        }
    }

    fn report(target: &str, findings: Vec<Finding>, skipped: Vec<Skipped>) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "driftd".into(),
                version: "0.1.0".into(),
            },
            target: target.into(),
            scan: ScanInfo {
                started_at: "2026-11-23T14:11:03Z".into(),
                finished_at: "2026-11-23T14:11:04Z".into(),
                complete: skipped.is_empty(),
                api_calls: None,
                throttles: None,
            },
            summary: Summary {
                resources: 14,
                compared: 14,
                managed: 13,
                unmanaged: 1,
                not_supported: 1,
                not_compared: 1,
                total: 15,
                coverage_pct: 93.3,
                ..Summary::default()
            },
            findings,
            skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
            policy_errors: Vec::new(),
            not_compared: vec![driftd_core::NotCompared::new(
                driftd_core::NotComparedKind::NotSupported,
                "aws",
                Some("aws_db_instance"),
                driftd_core::NotCompared::UNSUPPORTED,
            )],
        }
    }

    #[test]
    fn escaping_neutralizes_markdown_and_html() {
        let e = esc(EVIL);
        // Take the character references out: nothing special may be left.
        let mut bare = String::new();
        let mut in_ref = false;
        for c in e.chars() {
            match c {
                '&' => in_ref = true,
                ';' if in_ref => in_ref = false,
                c if !in_ref => bare.push(c),
                _ => {}
            }
        }
        for bad in [
            "<", ">", "|", "`", "*", "_", "[", "]", "\n", "#", "@", "$", "\\",
        ] {
            assert!(!bare.contains(bad), "`{bad}` survived in {e}");
        }
        assert!(e.starts_with("&lt;script&gt;alert(1)&lt;/script&gt;&#124;&#42;&#96;"));
        assert_eq!(esc("a\u{0}b\u{7}c\u{202E}d"), "abcd");
        // Readable where nothing can happen.
        assert_eq!(
            esc("aws_ebs_volume t3.micro 14:11:03Z"),
            "aws_ebs_volume t3.micro 14:11:03Z"
        );
        assert_eq!(
            esc("_x_ :smile: https://e"),
            "&#95;x&#95; &#58;smile: https&#58;//e"
        );
    }

    #[test]
    fn evil_tag_value_keeps_tables_and_details_intact() {
        let f = finding(
            FindingKind::Changed,
            Tier::Info,
            vec![Change {
                path: "tags.Note|x".into(),
                op: ChangeOp::Replace,
                expected: json!("prod"),
                actual: json!(EVIL),
                expected_from: None,
                code: None,
            }],
        );
        let md = render(&[report("prod|net", vec![f], vec![])]);
        assert!(!md.contains("<script>"), "{md}");
        assert!(!md.contains("`pipe`"), "{md}");
        // Every table row has exactly its 6 pipes.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            assert_eq!(line.matches('|').count(), 6, "{line}");
        }
        // The details block has no blank line inside: it stays one HTML block.
        let start = md.find("<details>").unwrap();
        let end = md.find("</details>").unwrap();
        assert!(!md[start..end].contains("\n\n"));
        assert!(md.contains("<code>tags.Note&#124;x</code>"), "{md}");
        assert!(md.starts_with("🔵 **driftd: 1 info drift in prod&#124;net** · scan complete"));
    }

    /// Violations are not drift: the headline counts them apart, and a target with only
    /// violations is not "in sync".
    #[test]
    fn violations_are_counted_apart_from_drift() {
        let violation = |tier| {
            let mut f = finding(FindingKind::Violation, tier, vec![]);
            f.policy = Some(driftd_core::PolicyHit {
                id: "aws-ec2-imdsv1".into(),
                title: "EC2 instance allows IMDSv1".into(),
                remediation: None,
                owner: None,
                file: None,
                messages: vec![],
            });
            f
        };
        let fs = vec![
            finding(FindingKind::Changed, Tier::Warning, vec![]),
            violation(Tier::Critical),
            violation(Tier::Info),
            violation(Tier::Info),
        ];
        let md = render(&[report("prod", fs, vec![])]);
        assert!(
            md.starts_with("🔴 **driftd: 1 warning drift and 3 policy violations (1 critical, 2 info) in prod** · scan complete"),
            "{md}"
        );
        let only = render(&[report("prod", vec![violation(Tier::Warning)], vec![])]);
        assert!(
            only.starts_with(
                "🟠 **driftd: no drift, 1 policy violation (1 warning) in prod** · scan complete"
            ),
            "{only}"
        );
        let two = render(&[
            report("a", vec![violation(Tier::Info)], vec![]),
            report("b", vec![], vec![]),
        ]);
        assert!(
            two.starts_with("🔴 **driftd: 2 targets · 0 with drift** · 1 with policy violations"),
            "{two}"
        );
    }

    #[test]
    fn summary_line_maps_tiers_and_completeness() {
        let fs = vec![
            finding(FindingKind::Missing, Tier::Critical, vec![]),
            finding(FindingKind::Changed, Tier::Critical, vec![]),
            finding(FindingKind::Unmanaged, Tier::Warning, vec![]),
            finding(FindingKind::Pending, Tier::Info, vec![]),
        ];
        let md = render(&[report("prod-net", fs, vec![])]);
        assert!(md.starts_with(
            "🔴 **driftd: 2 critical, 1 warning drift in prod-net** · scan complete · **1 not compared** · coverage 93.3% · 1 pending change\n"
        ), "{md}");
        assert!(md.contains("## Missing: in state, gone from the cloud (1)"));
        assert!(md.contains("## Pending"));

        // One resource of a type driftd does not compare: never "in sync".
        let partial = render(&[report("prod-net", vec![], vec![])]);
        assert!(
            partial.starts_with("⚪ **driftd: no drift in the 14 resources compared in prod-net** · scan complete · **1 not compared** · coverage 93.3%"),
            "{partial}"
        );
        assert!(!partial.contains("prod-net in sync") && !partial.contains('✅'));
        assert!(partial.contains("## Not compared (1): neither drift nor in sync"));
        assert!(
            partial
                .contains("| 1 | aws | <code>aws_db_instance</code> | — | type not compared yet |"),
            "{partial}"
        );

        let mut all = report("prod-net", vec![], vec![]);
        all.not_compared.clear();
        all.summary.recount(&[]);
        let clean = render(&[all]);
        assert!(
            clean.starts_with("✅ **driftd: prod-net in sync** · scan complete · coverage 100.0%"),
            "{clean}"
        );
        assert!(!clean.contains("<details>"));
        assert!(!clean.contains("Not compared"));

        let skipped = Skipped {
            provider: "aws".into(),
            resource_type: "aws_ebs_volume".into(),
            scope: "eu-west-1".into(),
            attribute: None,
            reason: "access denied: <denied>".into(),
        };
        let partial = render(&[report("prod-net", vec![], vec![skipped])]);
        assert!(partial.starts_with("⚠️ **driftd: prod-net scan incomplete, no finding in the 14 resources compared** · **scan INCOMPLETE** (1 scope not scanned)"), "{partial}");
        assert!(!partial.to_lowercase().contains("no drift"), "{partial}");
        assert!(partial.contains("Not scanned: this report is INCOMPLETE (1)"));
        assert!(partial.contains("access denied: &lt;denied&gt;"));
        assert!(!partial.contains("prod-net in sync") && !partial.contains('✅'));
    }

    #[test]
    fn several_targets_get_one_section_each() {
        let md = render(&[
            report(
                "a",
                vec![finding(FindingKind::Missing, Tier::Critical, vec![])],
                vec![],
            ),
            report("b", vec![], vec![]),
        ]);
        assert!(
            md.starts_with("🔴 **driftd: 2 targets · 1 with drift** · 2 not compared\n"),
            "{md}"
        );
        assert!(md.contains("\n## a\n"));
        assert!(md.contains("\n## b\n"));
        assert!(md.contains("### Missing"));
        assert!(md.contains("⚪ **driftd: no drift in the 14 resources compared in b**"));
    }
}
