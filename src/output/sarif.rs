//! `--format sarif`: SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, GitLab,
//! Azure DevOps, IDE viewers).
//!
//! One run per target (`automationDetails.id` = `driftd/<target>/`, so dashboards keep the
//! targets apart). The driver declares one rule per finding kind ([`RULES`]), and one per policy
//! broken (its id as the rule id, its remediation as help); each finding is one result:
//! - `level` from the tier: critical → `error`, warning → `warning`, info → `note`;
//! - `message` naming the resource, its address and region, and the changed attribute paths;
//! - `locations`: the state file that records the resource (`source`, as a relative URI) as the
//!   physical location, and the Terraform address / resource id as a logical location.
//!   Unmanaged resources are in no state file: they have the logical location only;
//! - `partialFingerprints` with the stable finding fingerprint, so alerts survive rescans;
//! - `properties`: tier, kind, provider, resource type and id, region, changes (expected/actual).
//!
//! Skipped scopes become `toolExecutionNotifications` (level warning) of the run's invocation,
//! whose `executionSuccessful` is false when the scan is incomplete: a dashboard must not read a
//! partial scan as "all alerts fixed". Resources that were not compared (types driftd does not
//! compare, code not evaluated; see docs/report-schema.md) are notifications too, at level note
//! ([`NOT_COMPARED_ID`], one per type and reason, with the count), and the run's `properties`
//! carry the summary (coverage included) and the `not_compared` list.

use driftd_core::{Finding, FindingKind, Report, Skipped, Tier};
use serde_json::{json, Map, Value};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The project's home page: the package's `repository` when Cargo.toml declares one (none yet,
/// and `informationUri` is optional, so it is left out rather than invented).
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// One reporting descriptor per finding kind.
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: FindingKind,
    pub short: &'static str,
    pub full: &'static str,
    pub help: &'static str,
    /// `defaultConfiguration.level`: the level of the kind's built-in tier.
    pub default_level: &'static str,
}

pub const RULES: [Rule; 4] = [
    Rule {
        id: "DRIFT001",
        name: "MissingResource",
        kind: FindingKind::Missing,
        short: "Resource in state, gone from the cloud",
        full: "A resource recorded in the Terraform state no longer exists in the cloud: it was \
               deleted out of band (console, script, another tool).",
        help: "Find out who deleted it (CloudTrail) and why. Recreate it with `terraform apply`, \
               or, if the deletion was intended, remove it from the code and the state \
               (`terraform state rm ADDRESS`).",
        default_level: "error",
    },
    Rule {
        id: "DRIFT002",
        name: "ChangedResource",
        kind: FindingKind::Changed,
        short: "Resource differs from state",
        full: "Attributes of a live resource differ from what the Terraform state recorded at the \
               last apply: someone changed it out of band. The result lists each changed \
               attribute with its expected (state) and actual (live) value.",
        help: "Revert the change with `terraform apply`, or, if it was intended, write it into \
               the code and apply so that state and code agree again.",
        default_level: "warning",
    },
    Rule {
        id: "DRIFT003",
        name: "UnmanagedResource",
        kind: FindingKind::Unmanaged,
        short: "Resource in the cloud, in no state",
        full: "A live resource in a scanned region is recorded in no Terraform state of the \
               target: it was created outside the code.",
        help: "Import it into the code (`terraform import` or an `import` block) or delete it \
               if it should not exist.",
        default_level: "warning",
    },
    Rule {
        id: "DRIFT004",
        name: "PendingChange",
        kind: FindingKind::Pending,
        short: "Code not applied yet",
        full: "The code differs from the state while the live resource still matches the state: \
               a change not applied yet. This is not drift.",
        help: "Run `terraform plan` and `terraform apply` when the change is meant to ship.",
        default_level: "note",
    },
];

/// Id of the notification descriptor of a scope that could not be scanned.
pub const NOT_SCANNED_ID: &str = "DRIFT900";

/// Id of the notification descriptor of resources that were not compared.
pub const NOT_COMPARED_ID: &str = "DRIFT901";

/// SARIF level of a tier.
pub fn level(tier: Tier) -> &'static str {
    match tier {
        Tier::Critical => "error",
        Tier::Warning => "warning",
        Tier::Info => "note",
    }
}

fn rule_index(kind: FindingKind) -> usize {
    RULES.iter().position(|r| r.kind == kind).unwrap_or(0)
}

pub fn render(reports: &[Report]) -> String {
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": reports.iter().map(run).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|_| log.to_string());
    text.push('\n');
    text
}

fn text(s: impl Into<String>) -> Value {
    json!({ "text": s.into() })
}

fn run(r: &Report) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": text(rule.short),
                "fullDescription": text(rule.full),
                "help": {"text": rule.help, "markdown": rule.help},
                "defaultConfiguration": {"level": rule.default_level},
                "properties": {"kind": rule.kind.as_str(), "tags": ["drift", "iac"]},
            })
        })
        .chain(
            policies(r)
                .into_iter()
                .map(|(p, tier)| policy_rule(p, tier)),
        )
        .collect();
    let mut driver = json!({
        "name": "driftd",
        "version": r.tool.version,
        "rules": rules,
        "notifications": [{
            "id": NOT_SCANNED_ID,
            "name": "NotScanned",
            "shortDescription": text("Scope not scanned"),
            "fullDescription": text(
                "A resource type in a region could not be listed (or one of its attributes could \
                 not be read): its resources were neither compared nor reported missing, so the \
                 scan is incomplete."
            ),
            "defaultConfiguration": {"level": "warning"},
        }, {
            "id": NOT_COMPARED_ID,
            "name": "NotCompared",
            "shortDescription": text("Resources not compared"),
            "fullDescription": text(
                "Resources of a type driftd does not compare, under code that could not be \
                 evaluated, or that match no live resource: they are neither drift nor in sync, \
                 and count against coverage."
            ),
            "defaultConfiguration": {"level": "note"},
        }],
    });
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }

    let mut invocation = Map::new();
    invocation.insert("executionSuccessful".into(), json!(r.scan.complete));
    if !r.scan.started_at.is_empty() {
        invocation.insert("startTimeUtc".into(), json!(r.scan.started_at));
    }
    if !r.scan.finished_at.is_empty() {
        invocation.insert("endTimeUtc".into(), json!(r.scan.finished_at));
    }
    invocation.insert(
        "toolExecutionNotifications".into(),
        Value::Array(
            r.skipped
                .iter()
                .map(notification)
                .chain(super::not_compared_beyond_skipped(r).map(not_compared_notification))
                .collect(),
        ),
    );

    json!({
        "tool": {"driver": driver},
        "automationDetails": {"id": format!("driftd/{}/", r.target)},
        "invocations": [Value::Object(invocation)],
        "results": r.findings.iter().map(|f| result(r, f)).collect::<Vec<_>>(),
        "properties": {
            "target": r.target,
            "schema_version": r.schema_version,
            "complete": r.scan.complete,
            "summary": r.summary,
            "not_compared": r.not_compared,
        },
    })
}

fn not_compared_notification(e: &driftd_core::NotCompared) -> Value {
    json!({
        "level": "note",
        "descriptor": {"id": NOT_COMPARED_ID},
        "message": text(format!(
            "Not compared: {} resource(s): {}. Neither drift nor in sync.",
            e.count,
            super::not_compared_text(e)
        )),
        "properties": e,
    })
}

fn notification(k: &Skipped) -> Value {
    let what = match &k.attribute {
        Some(a) => format!("attribute {a} of {}", k.resource_type),
        None => k.resource_type.clone(),
    };
    let mut props = Map::new();
    props.insert("provider".into(), json!(k.provider));
    props.insert("resource_type".into(), json!(k.resource_type));
    props.insert("scope".into(), json!(k.scope));
    if let Some(a) = &k.attribute {
        props.insert("attribute".into(), json!(a));
    }
    props.insert("reason".into(), json!(k.reason));
    json!({
        "level": "warning",
        "descriptor": {"id": NOT_SCANNED_ID},
        "message": text(format!(
            "Not scanned: {what} in {} ({}): {}. Its resources were neither compared nor reported missing.",
            k.scope, k.provider, k.reason
        )),
        "properties": Value::Object(props),
    })
}

/// "aws_instance i-1 (aws_instance.web[0], us-east-1)".
fn resource(f: &Finding) -> String {
    let mut s = format!("{} {}", f.resource_type, f.resource_id);
    let extra: Vec<&str> = [f.address.as_deref(), f.region.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

fn message(r: &Report, f: &Finding) -> String {
    let what = resource(f);
    match f.kind {
        FindingKind::Missing => format!(
            "{what} is recorded in {} but no longer exists live.",
            f.source.as_deref().unwrap_or("the state")
        ),
        FindingKind::Unmanaged => format!(
            "{what} exists live but is in no state of target {}.",
            r.target
        ),
        FindingKind::Violation => match &f.policy {
            Some(p) => format!(
                "{what} breaks policy {} ({}): {}.",
                p.id,
                p.title,
                p.messages_text()
            ),
            None => format!("{what} breaks a policy."),
        },
        FindingKind::Changed | FindingKind::Pending => {
            let paths: Vec<&str> = f.changes.iter().map(|c| c.path.as_str()).collect();
            let verb = if f.kind == FindingKind::Changed {
                "changed out of band"
            } else {
                "has a change not applied yet"
            };
            if paths.is_empty() {
                format!("{what} {verb}.")
            } else {
                format!("{what} {verb}: {}.", paths.join(", "))
            }
        }
    }
}

/// The policies the violations of a report break, once each in order of first appearance:
/// each is a rule of the run after the kinds' [`RULES`].
fn policies(r: &Report) -> Vec<(&driftd_core::PolicyHit, Tier)> {
    let mut out: Vec<(&driftd_core::PolicyHit, Tier)> = Vec::new();
    for f in &r.findings {
        if let Some(p) = &f.policy {
            if !out.iter().any(|(q, _)| q.id == p.id) {
                out.push((p, f.tier));
            }
        }
    }
    out
}

/// The reporting descriptor of a policy: its id as the rule id, its remediation as help.
fn policy_rule(p: &driftd_core::PolicyHit, tier: Tier) -> Value {
    let help = p.remediation.clone().unwrap_or_else(|| p.title.clone());
    let mut props = json!({"kind": "violation", "tags": ["policy", "security"]});
    if let Some(file) = &p.file {
        props["file"] = json!(file);
    }
    json!({
        "id": p.id,
        "name": p.id,
        "shortDescription": text(p.title.clone()),
        "fullDescription": text(p.title.clone()),
        "help": {"text": help, "markdown": help},
        "defaultConfiguration": {"level": level(tier)},
        "properties": props,
    })
}

fn result(r: &Report, f: &Finding) -> Value {
    let kind = f.kind;
    let (rule_id, idx) = match &f.policy {
        Some(p) => {
            let i = policies(r).iter().position(|(q, _)| q.id == p.id);
            (p.id.clone(), RULES.len() + i.unwrap_or(0))
        }
        None => (RULES[rule_index(kind)].id.to_string(), rule_index(kind)),
    };
    let mut location = Map::new();
    if let Some(src) = &f.source {
        location.insert(
            "physicalLocation".into(),
            json!({"artifactLocation": {"uri": to_uri(src)}}),
        );
    }
    let qualified = f
        .address
        .clone()
        .unwrap_or_else(|| format!("{}.{}", f.resource_type, f.resource_id));
    location.insert(
        "logicalLocations".into(),
        json!([{"name": f.resource_id, "fullyQualifiedName": qualified, "kind": "resource"}]),
    );

    let mut props = Map::new();
    props.insert("tier".into(), json!(f.tier));
    props.insert("kind".into(), json!(f.kind));
    props.insert("provider".into(), json!(f.provider));
    props.insert("resource_type".into(), json!(f.resource_type));
    props.insert("resource_id".into(), json!(f.resource_id));
    if let Some(a) = &f.address {
        props.insert("address".into(), json!(a));
    }
    if let Some(reg) = &f.region {
        props.insert("region".into(), json!(reg));
    }
    if let Some(s) = &f.source {
        props.insert("source".into(), json!(s));
    }
    props.insert("engine".into(), json!(f.engine));
    props.insert("changes".into(), json!(f.changes));
    if let Some(p) = &f.policy {
        props.insert("policy".into(), json!(p));
    }
    props.insert(
        "tags".into(),
        json!(["drift", f.kind.as_str(), f.tier.as_str()]),
    );

    json!({
        "ruleId": rule_id,
        "ruleIndex": idx,
        "level": level(f.tier),
        "message": text(message(r, f)),
        "locations": [Value::Object(location)],
        "partialFingerprints": {"driftdFingerprint/v1": f.fingerprint},
        "properties": Value::Object(props),
    })
}

/// A state path as a URI reference: relative paths stay relative (with `/` separators),
/// absolute ones become `file://` URIs, URIs (`s3://bucket/key`) stay as they are; characters
/// outside RFC 3986's unreserved set and `/` are percent-encoded.
pub fn to_uri(path: &str) -> String {
    if let Some((scheme, _)) = path.split_once("://") {
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return path.to_string();
        }
    }
    let path = path.replace('\\', "/");
    let (prefix, rest) = if path.starts_with('/') {
        ("file://", path.as_str())
    } else if path.len() > 2 && path.as_bytes()[1] == b':' && path.as_bytes()[2] == b'/' {
        // C:/states/prod.tfstate
        ("file:///", path.as_str())
    } else {
        ("", path.as_str())
    };
    let mut out = String::from(prefix);
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) || (prefix == "file:///" && b == b':')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::report::{ScanInfo, Tool};
    use driftd_core::{Change, ChangeOp, Summary};

    fn finding(kind: FindingKind, tier: Tier) -> Finding {
        Finding {
            engine: Default::default(),
            fingerprint: "0123456789abcdef0123456789abcdef".into(),
            kind,
            tier,
            provider: "aws".into(),
            resource_type: "aws_security_group".into(),
            resource_id: "sg-1".into(),
            address: (kind != FindingKind::Unmanaged).then(|| "aws_security_group.web".into()),
            region: Some("us-east-1".into()),
            source: (kind != FindingKind::Unmanaged).then(|| "states/prod net.tfstate".into()),
            changes: if kind == FindingKind::Changed {
                vec![Change {
                    path: "tags.Note".into(),
                    op: ChangeOp::Replace,
                    expected: json!("a"),
                    actual: json!("<b>\"x\"</b>"),
                    expected_from: None,
                    code: None,
                }]
            } else {
                vec![]
            },
            policy: None,
        }
    }

    fn report(findings: Vec<Finding>, skipped: Vec<Skipped>) -> Report {
        Report {
            schema_version: 1,
            tool: Tool {
                name: "driftd".into(),
                version: "9.9.9".into(),
            },
            target: "prod".into(),
            scan: ScanInfo {
                started_at: "2026-11-23T14:11:03Z".into(),
                finished_at: "2026-11-23T14:11:04Z".into(),
                complete: skipped.is_empty(),
                api_calls: None,
                throttles: None,
            },
            summary: Summary::default(),
            findings,
            skipped,
            ignored: Vec::new(),
            expired_ignores: Vec::new(),
            policy_errors: Vec::new(),
            not_compared: Vec::new(),
        }
    }

    #[test]
    fn tiers_map_to_levels_and_kinds_to_rules() {
        assert_eq!(level(Tier::Critical), "error");
        assert_eq!(level(Tier::Warning), "warning");
        assert_eq!(level(Tier::Info), "note");
        let log: Value = serde_json::from_str(&render(&[report(
            vec![
                finding(FindingKind::Missing, Tier::Critical),
                finding(FindingKind::Changed, Tier::Info),
                finding(FindingKind::Unmanaged, Tier::Warning),
            ],
            vec![],
        )]))
        .unwrap();
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA_URI);
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["version"], "9.9.9");
        assert_eq!(run["tool"]["driver"]["rules"][1]["id"], "DRIFT002");
        let results = run["results"].as_array().unwrap();
        let got: Vec<(&str, &str, u64)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap(),
                    r["level"].as_str().unwrap(),
                    r["ruleIndex"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("DRIFT001", "error", 0),
                ("DRIFT002", "note", 1),
                ("DRIFT003", "warning", 2)
            ]
        );
        let changed = &results[1];
        assert_eq!(
            changed["message"]["text"],
            "aws_security_group sg-1 (aws_security_group.web, us-east-1) changed out of band: tags.Note."
        );
        assert_eq!(
            changed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "states/prod%20net.tfstate"
        );
        assert_eq!(
            changed["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "aws_security_group.web"
        );
        // Values are data in JSON: carried verbatim, escaped by the serializer only.
        assert_eq!(
            changed["properties"]["changes"][0]["actual"],
            "<b>\"x\"</b>"
        );
        assert_eq!(
            changed["partialFingerprints"]["driftdFingerprint/v1"],
            "0123456789abcdef0123456789abcdef"
        );
        let unmanaged = &results[2];
        assert!(unmanaged["locations"][0].get("physicalLocation").is_none());
        assert_eq!(
            unmanaged["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "aws_security_group.sg-1"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"],
            json!([])
        );
    }

    #[test]
    fn skipped_scopes_are_notifications_and_fail_the_execution() {
        let skipped = Skipped {
            provider: "aws".into(),
            resource_type: "aws_ebs_volume".into(),
            scope: "eu-west-1".into(),
            attribute: None,
            reason: "access denied: DescribeVolumes".into(),
        };
        let log: Value = serde_json::from_str(&render(&[
            report(vec![], vec![skipped]),
            report(vec![], vec![]),
        ]))
        .unwrap();
        assert_eq!(log["runs"].as_array().unwrap().len(), 2);
        let inv = &log["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        let n = &inv["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "warning");
        assert_eq!(n["descriptor"]["id"], NOT_SCANNED_ID);
        assert!(n["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Not scanned: aws_ebs_volume in eu-west-1 (aws): access denied"));
        assert_eq!(log["runs"][0]["results"], json!([]));
        assert_eq!(
            log["runs"][1]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn state_paths_become_uri_references() {
        assert_eq!(to_uri("terraform.tfstate"), "terraform.tfstate");
        assert_eq!(to_uri("states/a b#c.tfstate"), "states/a%20b%23c.tfstate");
        assert_eq!(to_uri("/srv/x.tfstate"), "file:///srv/x.tfstate");
        assert_eq!(to_uri("C:\\tf\\x.tfstate"), "file:///C:/tf/x.tfstate");
        assert_eq!(
            to_uri("s3://bucket/prod.tfstate"),
            "s3://bucket/prod.tfstate"
        );
        assert_eq!(to_uri("ü.tfstate"), "%C3%BC.tfstate");
    }
}
