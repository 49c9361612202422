//! `--format table`: what a person reads at a terminal. A header with completeness and coverage,
//! then findings grouped by kind with expected vs actual per attribute, then what was not scanned
//! and what was not compared.

use driftd_core::{ChangeOp, Finding, FindingKind, Report, Tier};
use serde_json::Value;
use std::fmt::Write;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn tier(&self, tier: Tier) -> String {
        let code = match tier {
            Tier::Critical => "1;31",
            Tier::Warning => "33",
            Tier::Info => "36",
        };
        self.paint(code, &format!("{:<8}", tier.as_str()))
    }
}

pub fn render(reports: &[Report], color: bool) -> String {
    let style = Style { color };
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, r, &style);
    }
    out
}

fn render_one(out: &mut String, r: &Report, s: &Style) {
    let mut when = format!("{} → {}", r.scan.started_at, r.scan.finished_at);
    if let Some(calls) = r.scan.api_calls {
        when.push_str(&format!(" · {calls} API calls"));
        match r.scan.throttles {
            Some(t) if t > 0 => when.push_str(&format!(" ({t} throttled)")),
            _ => {}
        }
    }
    let _ = writeln!(
        out,
        "{} {}  {}",
        s.bold("driftd ·"),
        s.bold(&format!("target {}", r.target)),
        s.dim(&when)
    );
    let sum = &r.summary;
    let status = if r.scan.complete {
        s.paint("32", "scan complete")
    } else {
        s.paint(
            "1;33",
            &format!("scan INCOMPLETE ({} not scanned)", r.skipped.len()),
        )
    };
    let mut line = format!(
        "{status} · {} compared ({} managed, {} unmanaged)",
        sum.compared, sum.managed, sum.unmanaged
    );
    if sum.plan_compared > 0 {
        line.push_str(&format!(" · {} by Terraform's plan", sum.plan_compared));
    }
    if sum.not_compared > 0 {
        line.push_str(&format!(" · {} not compared", sum.not_compared));
    }
    let _ = writeln!(out, "{line} · coverage {:.1}%", sum.coverage_pct);
    if sum.not_compared > 0 {
        let causes = super::not_compared_causes(sum).join(" · ");
        let _ = writeln!(out, "{}", s.dim(&causes));
    }
    if sum.ignored.findings + sum.ignored.changes > 0 || !r.expired_ignores.is_empty() {
        let mut line = format!(
            "ignored by rules: {} finding(s) · {} change(s)",
            sum.ignored.findings, sum.ignored.changes
        );
        if !r.expired_ignores.is_empty() {
            line.push_str(&format!(
                " · {} expired rule(s) no longer ignore",
                r.expired_ignores.len()
            ));
        }
        let _ = writeln!(out, "{}", s.dim(&line));
    }

    if r.findings.is_empty() {
        let code = if r.fully_compared() { "1;32" } else { "1;33" };
        let _ = writeln!(out, "\n{}", s.paint(code, &super::no_finding_sentence(r)));
    } else {
        let count = |t: Tier| r.findings.iter().filter(|f| f.tier == t).count();
        let _ = writeln!(
            out,
            "Drift: {} critical · {} warning · {} info",
            count(Tier::Critical),
            count(Tier::Warning),
            count(Tier::Info)
        );
    }

    for kind in [
        FindingKind::Missing,
        FindingKind::Changed,
        FindingKind::Unmanaged,
        FindingKind::Violation,
        FindingKind::Pending,
    ] {
        let group: Vec<&Finding> = r.findings.iter().filter(|f| f.kind == kind).collect();
        if group.is_empty() {
            continue;
        }
        let title = match kind {
            FindingKind::Missing => "MISSING: in state, gone from the cloud",
            FindingKind::Changed => "CHANGED: differs from state",
            FindingKind::Unmanaged => "UNMANAGED: in the cloud, in no state",
            FindingKind::Pending => "PENDING: code not yet applied",
            FindingKind::Violation => "VIOLATIONS: resources that break a policy",
        };
        let _ = writeln!(out, "\n{} ({})", s.bold(title), group.len());
        for f in group {
            finding(out, f, s);
        }
    }

    if !r.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})",
            s.bold("NOT SCANNED: not compared, never reported missing"),
            r.skipped.len()
        );
        for k in &r.skipped {
            let what = match &k.attribute {
                Some(a) => format!("{}.{}", k.resource_type, a),
                None => k.resource_type.clone(),
            };
            let _ = writeln!(out, "  {what} in {}: {}", k.scope, k.reason);
        }
    }

    if !r.not_compared.is_empty() {
        let _ = writeln!(
            out,
            "\n{} ({})",
            s.bold("NOT COMPARED: neither drift nor in sync"),
            sum.not_compared
        );
        let width = r
            .not_compared
            .iter()
            .map(|e| e.count.to_string().len())
            .max()
            .unwrap_or(1);
        for e in &r.not_compared {
            let _ = writeln!(
                out,
                "  {:>width$}  {}",
                e.count,
                super::not_compared_text(e)
            );
        }
    }
}

/// One finding with its changes, as `check` prints it; for other views of findings (history).
pub fn write_finding(out: &mut String, f: &Finding, color: bool) {
    finding(out, f, &Style { color });
}

fn finding(out: &mut String, f: &Finding, s: &Style) {
    let mut line = format!(
        "  {} {} {}",
        s.tier(f.tier),
        f.resource_type,
        s.bold(&f.resource_id)
    );
    if let Some(a) = &f.address {
        let _ = write!(line, "  {a}");
    }
    if let Some(r) = &f.region {
        let _ = write!(line, "  {}", s.dim(r));
    }
    if f.engine == driftd_core::Engine::Plan {
        let _ = write!(line, "  {}", s.dim("(Terraform's plan)"));
    }
    let _ = writeln!(out, "{line}");
    let indent = " ".repeat(11);
    match f.kind {
        FindingKind::Missing => {
            let from = f.source.as_deref().unwrap_or("state");
            let _ = writeln!(
                out,
                "{indent}{}",
                s.dim(&format!("recorded in {from}, not found live"))
            );
        }
        FindingKind::Unmanaged => {
            let _ = writeln!(
                out,
                "{indent}{}",
                s.dim("exists live, in no state of this target")
            );
        }
        FindingKind::Violation => {
            if let Some(p) = &f.policy {
                let _ = writeln!(out, "{indent}{} {}", s.bold(&p.id), p.title);
                for m in &p.messages {
                    let at = m.path.as_deref().map(|p| format!("  ({p})"));
                    let _ = writeln!(
                        out,
                        "{indent}- {:?}{}",
                        m.text,
                        s.dim(&at.unwrap_or_default())
                    );
                }
                if let Some(r) = &p.remediation {
                    let _ = writeln!(out, "{indent}{}", s.dim(&format!("to fix: {r}")));
                }
            }
        }
        _ => {}
    }
    let width = f.changes.iter().map(|c| c.path.len()).max().unwrap_or(0);
    for c in &f.changes {
        let text = match c.op {
            ChangeOp::Replace => format!(
                "{} → {}",
                s.paint("31", &value(&c.expected)),
                s.paint("32", &value(&c.actual))
            ),
            ChangeOp::Add => s.paint("32", &format!("+ {}", value(&c.actual))),
            ChangeOp::Remove => s.paint("31", &format!("- {}", value(&c.expected))),
        };
        let from = super::provenance(c)
            .map(|p| format!("  {}", s.dim(&format!("({p})"))))
            .unwrap_or_default();
        let _ = writeln!(out, "{indent}{:<width$}  {text}{from}", c.path);
    }
}

/// A value the way a person reads it: strings unquoted, rules as `tcp 22 from 0.0.0.0/0`.
fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(m) if m.contains_key("protocol") => rule(m),
        other => other.to_string(),
    }
}

fn rule(m: &serde_json::Map<String, Value>) -> String {
    let proto = m.get("protocol").and_then(Value::as_str).unwrap_or("-1");
    let from = m.get("from_port").and_then(Value::as_i64).unwrap_or(0);
    let to = m.get("to_port").and_then(Value::as_i64).unwrap_or(0);
    let ports = match (proto, from == to) {
        ("-1", _) => "all traffic".to_string(),
        (p, true) => format!("{p} {from}"),
        (p, false) => format!("{p} {from}-{to}"),
    };
    let source = [
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "prefix_list_ids",
        "security_groups",
    ]
    .iter()
    .find_map(|k| m.get(*k).and_then(Value::as_array).and_then(|a| a.first()))
    .and_then(Value::as_str)
    .map(str::to_string)
    .unwrap_or_else(|| "self".to_string());
    let mut text = format!("{ports} from {source}");
    if let Some(d) = m.get("description").and_then(Value::as_str) {
        let _ = write!(text, " ({d:?})");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_read_like_firewall_lines() {
        assert_eq!(
            value(
                &json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]})
            ),
            "tcp 22 from 0.0.0.0/0"
        );
        assert_eq!(
            value(&json!({"protocol": "-1", "from_port": 0, "to_port": 0, "self": true})),
            "all traffic from self"
        );
        assert_eq!(value(&json!(null)), "(none)");
        assert_eq!(value(&json!("t3.micro")), "\"t3.micro\"");
    }
}
