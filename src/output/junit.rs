//! `--format junit`: JUnit XML for CI test dashboards (Jenkins, GitLab, Azure DevOps, GitHub
//! test-report actions). Valid against the Jenkins xUnit plugin's `junit-10.xsd`.
//!
//! `<testsuites>` holds one `<testsuite>` per target (`name` = target). Test cases:
//! - one per finding, `classname` = resource type, `name` = Terraform address, or the resource
//!   id when there is none (unmanaged resources); when two findings of a suite share an address
//!   (the same module in two regions), both names get ` (<resource id>)` so that names stay
//!   unique. `missing`, `changed` and `unmanaged` findings are failures (`type` = kind, `message`
//!   = tier and a one-line summary, body = expected vs actual per attribute). `pending` findings
//!   are passing cases with the change in `<system-out>`: code not applied yet is not drift;
//! - **in-sync resources: one passing case for all of them.** A resource in sync has no finding
//!   and the report carries only counts, not the list of managed resources, so driftd cannot
//!   emit one case per in-sync resource. Instead, when `summary.managed` minus the managed
//!   resources with a finding (changed, missing, pending) is above zero, one passing case
//!   `classname="driftd"`, `name="N managed resources in sync"` keeps the dashboard's healthy
//!   count meaningful;
//! - one per skipped scope (`classname` = resource type, `name` = `<type> in <scope>`, or
//!   `<type>.<attribute> in <scope>`), with `<skipped message="not scanned: <reason>">`;
//! - one per entry of the report's `not_compared` (a type driftd does not compare, code not
//!   evaluated, code matched to no live resource; "not scanned" entries of a scope that already
//!   has its skipped case are left out), `classname` = resource type (`driftd` for a whole
//!   module), `name` = `N not compared: <what, where>`, with `<skipped message="...">`: those
//!   resources are neither failures nor passing.
//!
//! Counts on each `<testsuite>`: `tests`, `failures`, `errors` (always 0: a target that fails
//! with an error has no report), `skipped`; `<testsuites>` sums `tests`, `failures` and `errors`
//! (the schema has no `skipped` there). Values are XML-escaped; characters that XML 1.0 cannot
//! carry (most control characters) are dropped.

use driftd_core::{ChangeOp, Finding, FindingKind, Report, Skipped};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn render(reports: &[Report]) -> String {
    let suites: Vec<Suite> = reports.iter().map(suite).collect();
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(|s| s.failures()).sum();
    let time: f64 = suites.iter().filter_map(|s| s.time).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"driftd\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">"
    );
    for s in &suites {
        s.write(&mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

enum Outcome {
    Pass,
    /// `type`, `message`, body.
    Failure(String, String, String),
    Skipped(String),
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
    system_out: Option<String>,
}

struct Suite {
    name: String,
    timestamp: String,
    time: Option<f64>,
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

impl Suite {
    fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failure(..)))
            .count()
    }

    fn skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
            .count()
    }

    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\"",
            attr(&self.name),
            self.cases.len(),
            self.failures(),
            self.skipped()
        );
        if !self.timestamp.is_empty() {
            let _ = write!(out, " timestamp=\"{}\"", attr(&self.timestamp));
        }
        if let Some(t) = self.time {
            let _ = write!(out, " time=\"{t:.3}\"");
        }
        out.push_str(">\n    <properties>\n");
        for (k, v) in &self.properties {
            let _ = writeln!(out, "      <property name=\"{k}\" value=\"{}\"/>", attr(v));
        }
        out.push_str("    </properties>\n");
        for c in &self.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                attr(&c.classname),
                attr(&c.name)
            );
            if matches!(c.outcome, Outcome::Pass) && c.system_out.is_none() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            match &c.outcome {
                Outcome::Pass => {}
                Outcome::Failure(kind, message, body) => {
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        attr(kind),
                        attr(message),
                        text(body)
                    );
                }
                Outcome::Skipped(message) => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(message));
                }
            }
            if let Some(s) = &c.system_out {
                let _ = writeln!(out, "      <system-out>{}</system-out>", text(s));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
}

fn seconds(started: &str, finished: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(started).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(finished).ok()?;
    let ms = (b - a).num_milliseconds();
    (ms >= 0).then(|| ms as f64 / 1000.0)
}

fn suite(r: &Report) -> Suite {
    let mut by_address: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &r.findings {
        if let Some(a) = &f.address {
            *by_address.entry(a.as_str()).or_default() += 1;
        }
    }
    let mut cases: Vec<Case> = r
        .findings
        .iter()
        .map(|f| {
            let name = match &f.address {
                Some(a) if by_address.get(a.as_str()).copied().unwrap_or(0) > 1 => {
                    format!("{a} ({})", f.resource_id)
                }
                Some(a) => a.clone(),
                None => f.resource_id.clone(),
            };
            finding_case(f, name)
        })
        .collect();

    let s = &r.summary;
    let with_finding = s.changed + s.missing + s.pending;
    let in_sync = s.managed.saturating_sub(with_finding);
    if in_sync > 0 {
        cases.push(Case {
            classname: "driftd".into(),
            name: format!(
                "{in_sync} managed {} in sync",
                if in_sync == 1 {
                    "resource"
                } else {
                    "resources"
                }
            ),
            outcome: Outcome::Pass,
            system_out: None,
        });
    }
    cases.extend(r.skipped.iter().map(skipped_case));
    cases.extend(super::not_compared_beyond_skipped(r).map(not_compared_case));

    Suite {
        name: r.target.clone(),
        timestamp: r.scan.started_at.clone(),
        time: seconds(&r.scan.started_at, &r.scan.finished_at),
        properties: vec![
            ("driftd.version", r.tool.version.clone()),
            ("schema_version", r.schema_version.to_string()),
            ("scan.complete", r.scan.complete.to_string()),
            ("summary.resources", s.resources.to_string()),
            ("summary.managed", s.managed.to_string()),
            ("summary.unmanaged", s.unmanaged.to_string()),
            ("summary.coverage_pct", format!("{:.1}", s.coverage_pct)),
            ("summary.not_scanned", s.not_scanned.to_string()),
            ("summary.not_supported", s.not_supported.to_string()),
            ("summary.compared", s.compared.to_string()),
            ("summary.not_evaluated", s.not_evaluated.to_string()),
            ("summary.not_matched", s.not_matched.to_string()),
            ("summary.not_compared", s.not_compared.to_string()),
            ("summary.total", s.total.to_string()),
        ],
        cases,
    }
}

fn finding_case(f: &Finding, name: String) -> Case {
    let mut body = format!(
        "{} {} {}\nprovider: {}\nresource: {} {}\n",
        f.tier, f.kind, f.fingerprint, f.provider, f.resource_type, f.resource_id
    );
    for (label, v) in [
        ("address", &f.address),
        ("region", &f.region),
        (
            if f.engine == driftd_core::Engine::Plan {
                "plan"
            } else {
                "state"
            },
            &f.source,
        ),
    ] {
        if let Some(v) = v {
            let _ = writeln!(body, "{label}: {v}");
        }
    }
    let _ = writeln!(body, "engine: {}", f.engine.as_str());
    let summary = match f.kind {
        FindingKind::Missing => {
            body.push_str("recorded in the state, not found live\n");
            "in state, gone from the cloud".to_string()
        }
        FindingKind::Unmanaged => {
            body.push_str("exists live, in no state of this target\n");
            "in the cloud, in no state".to_string()
        }
        FindingKind::Violation => match &f.policy {
            Some(p) => {
                let _ = writeln!(body, "breaks policy {}: {}", p.id, p.title);
                for m in &p.messages {
                    let _ = writeln!(body, "  - {}", m.text);
                }
                if let Some(r) = &p.remediation {
                    let _ = writeln!(body, "to fix: {r}");
                }
                format!("breaks policy {}", p.id)
            }
            None => "breaks a policy".to_string(),
        },
        FindingKind::Changed | FindingKind::Pending => {
            let paths: Vec<&str> = f.changes.iter().map(|c| c.path.as_str()).collect();
            for c in &f.changes {
                let op = match c.op {
                    ChangeOp::Add => "added",
                    ChangeOp::Remove => "removed",
                    ChangeOp::Replace => "replaced",
                };
                let _ = write!(
                    body,
                    "\n{} ({op})\n  expected (state): {}\n  actual (live):    {}\n",
                    c.path,
                    value(&c.expected),
                    value(&c.actual)
                );
            }
            let verb = if f.kind == FindingKind::Changed {
                "changed"
            } else {
                "pending"
            };
            format!("{verb}: {}", paths.join(", "))
        }
    };
    let message = format!(
        "{}: {} {} {summary}",
        f.tier, f.resource_type, f.resource_id
    );
    let outcome = if f.kind == FindingKind::Pending {
        Outcome::Pass
    } else {
        Outcome::Failure(f.kind.as_str().into(), message, body.clone())
    };
    Case {
        classname: f.resource_type.clone(),
        name,
        system_out: (f.kind == FindingKind::Pending)
            .then(|| format!("code not applied yet (not drift)\n{body}")),
        outcome,
    }
}

fn skipped_case(k: &Skipped) -> Case {
    let what = match &k.attribute {
        Some(a) => format!("{}.{a}", k.resource_type),
        None => k.resource_type.clone(),
    };
    Case {
        classname: k.resource_type.clone(),
        name: format!("{what} in {}", k.scope),
        outcome: Outcome::Skipped(format!("not scanned: {}", k.reason)),
        system_out: None,
    }
}

fn not_compared_case(e: &driftd_core::NotCompared) -> Case {
    let text = super::not_compared_text(e);
    Case {
        classname: e
            .resource_type
            .clone()
            .unwrap_or_else(|| "driftd".to_string()),
        name: format!("{} not compared: {}", e.count, text),
        outcome: Outcome::Skipped(format!("not compared ({}): {text}", e.category)),
        system_out: None,
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

/// Whether XML 1.0 can carry the character, and should: DEL and the C1 controls are allowed
/// but discouraged (XML 1.0 section 2.2), and a terminal showing the file may obey them.
fn xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes element text; drops characters XML cannot carry.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a double-quoted attribute value; keeps tabs and line breaks as references (a parser
/// would otherwise normalize them to spaces); drops characters XML cannot carry.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::report::{ScanInfo, Tool};
    use driftd_core::{Change, Summary, Tier};
    use serde_json::json;

    fn finding(kind: FindingKind, id: &str, address: Option<&str>) -> Finding {
        Finding {
            engine: Default::default(),
            fingerprint: "0123456789abcdef0123456789abcdef".into(),
            kind,
            tier: Tier::Warning,
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            resource_id: id.into(),
            address: address.map(str::to_string),
            region: Some("us-east-1".into()),
            source: Some("terraform.tfstate".into()),
            changes: if kind == FindingKind::Changed || kind == FindingKind::Pending {
                vec![Change {
                    path: "tags.Note".into(),
                    op: ChangeOp::Replace,
                    expected: json!("a"),
                    actual: json!("<script>alert(1)</script>\u{1}\"&'"),
                    expected_from: None,
                    code: None,
                }]
            } else {
                vec![]
            },
            policy: None,
        }
    }

    fn report(findings: Vec<Finding>, skipped: Vec<Skipped>, managed: usize) -> Report {
        let count = |k: FindingKind| findings.iter().filter(|f| f.kind == k).count();
        Report {
            schema_version: 1,
            tool: Tool {
                name: "driftd".into(),
                version: "0.1.0".into(),
            },
            target: "prod<&>".into(),
            scan: ScanInfo {
                started_at: "2026-11-23T14:11:03Z".into(),
                finished_at: "2026-11-23T14:11:04.5Z".into(),
                complete: skipped.is_empty(),
                api_calls: None,
                throttles: None,
            },
            summary: Summary {
                managed,
                changed: count(FindingKind::Changed),
                missing: count(FindingKind::Missing),
                unmanaged: count(FindingKind::Unmanaged),
                pending: count(FindingKind::Pending),
                ..Summary::default()
            },
            findings,
            skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
            policy_errors: Vec::new(),
            not_compared: Vec::new(),
        }
    }

    #[test]
    fn escaping_drops_what_xml_cannot_carry() {
        assert_eq!(text("a<b>&c\u{0}\u{1b}\u{FFFE}d\n"), "a&lt;b&gt;&amp;cd\n");
        assert_eq!(text("x\u{7f}\u{85}\u{9b}é"), "xé");
        assert_eq!(attr("\"x'\n\ty"), "&quot;x&apos;&#10;&#9;y");
        assert_eq!(attr("ok ünïcode 🚀"), "ok ünïcode 🚀");
    }

    #[test]
    fn counts_and_cases_follow_the_report() {
        let skipped = Skipped {
            provider: "aws".into(),
            resource_type: "aws_ebs_volume".into(),
            scope: "eu-west-1".into(),
            attribute: Some("size".into()),
            reason: "throttled after retries: <x>".into(),
        };
        let xml = render(&[report(
            vec![
                finding(FindingKind::Missing, "i-1", Some("aws_instance.a")),
                finding(FindingKind::Changed, "i-2", Some("aws_instance.web[0]")),
                finding(FindingKind::Changed, "i-3", Some("aws_instance.web[0]")),
                finding(FindingKind::Unmanaged, "i-4", None),
                finding(FindingKind::Pending, "i-5", Some("aws_instance.p")),
            ],
            vec![skipped],
            10,
        )]);
        // 5 findings + 1 in-sync case (10 managed - 1 missing - 2 changed - 1 pending) + 1 skipped.
        assert!(xml.contains(
            "<testsuites name=\"driftd\" tests=\"7\" failures=\"4\" errors=\"0\" time=\"1.500\">"
        ), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"prod&lt;&amp;&gt;\" tests=\"7\" failures=\"4\" errors=\"0\" skipped=\"1\" timestamp=\"2026-11-23T14:11:03Z\" time=\"1.500\">"
        ), "{xml}");
        assert!(
            xml.contains("<testcase classname=\"driftd\" name=\"6 managed resources in sync\"/>")
        );
        assert!(xml.contains("name=\"aws_instance.web[0] (i-2)\""));
        assert!(xml.contains("name=\"aws_instance.a\">"));
        assert!(xml.contains("<testcase classname=\"aws_instance\" name=\"i-4\">"));
        assert!(
            xml.contains("<skipped message=\"not scanned: throttled after retries: &lt;x&gt;\"/>")
        );
        assert!(xml.contains("name=\"aws_ebs_volume.size in eu-west-1\""));
        assert!(xml.contains("<failure type=\"missing\" message=\"warning: aws_instance i-1 in state, gone from the cloud\">"));
        assert!(
            xml.contains(
                "actual (live):    \"&lt;script&gt;alert(1)&lt;/script&gt;\\u0001\\\"&amp;'\""
            ),
            "{xml}"
        );
        assert!(!xml.contains("<script>"));
        assert!(xml.contains("<system-out>code not applied yet (not drift)"));
    }

    #[test]
    fn resources_not_compared_are_skipped_cases_not_passing_ones() {
        use driftd_core::{NotCompared, NotComparedKind};
        let mut r = report(vec![], vec![], 2);
        r.not_compared = vec![
            NotCompared {
                count: 3,
                ..NotCompared::new(
                    NotComparedKind::NotSupported,
                    "aws",
                    Some("aws_db_instance"),
                    NotCompared::UNSUPPORTED,
                )
            },
            NotCompared::new(
                NotComparedKind::NotEvaluated,
                "aws",
                None,
                "source <remote>",
            )
            .at(Some("module.vpc"), Some("main.tf:3")),
        ];
        r.summary.compared = 2;
        r.summary.recount(&r.not_compared);
        let xml = render(&[r]);
        assert!(
            xml.contains("tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"2\""),
            "{xml}"
        );
        assert!(xml.contains(
            "<testcase classname=\"aws_db_instance\" name=\"3 not compared: aws_db_instance: type not compared yet\">"
        ), "{xml}");
        assert!(xml.contains("<skipped message=\"not compared (not_supported): aws_db_instance: type not compared yet\"/>"));
        assert!(xml.contains("classname=\"driftd\" name=\"1 not compared: module.vpc (whole module) (main.tf:3): not evaluated from code — source &lt;remote&gt;\""), "{xml}");
        assert!(
            xml.contains("<property name=\"summary.not_compared\" value=\"4\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains("<property name=\"summary.coverage_pct\" value=\"33.3\"/>"),
            "{xml}"
        );
    }

    #[test]
    fn in_sync_target_is_one_passing_case() {
        let xml = render(&[report(vec![], vec![], 1), report(vec![], vec![], 0)]);
        assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
        assert!(xml.contains("name=\"1 managed resource in sync\"/>"));
        assert!(xml.contains("tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
        assert!(xml.contains("<testsuites name=\"driftd\" tests=\"1\" failures=\"0\" errors=\"0\""));
        assert_eq!(xml.matches("<testsuite ").count(), 2);
    }
}
