//! The report formats of `driftd check` end to end, against a real EC2 API (moto server): JSON
//! against the project's schema (docs/report.schema.json), SARIF against the OASIS SARIF 2.1.0
//! schema, JUnit against the Jenkins xUnit plugin's XSD (tests/schemas/), validated by
//! tests/schemas/validate.py from the project venv; then the content: levels from tiers, counts,
//! escaping of hostile tag values, the in-sync and the incomplete cases, and coverage: what was
//! not compared is counted and listed in every format, never called in sync.

mod util;

use serde_json::{json, Value};
use std::path::Path;
use util::*;

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";

/// A tag value that would break a table, open a tag or start a code span if not escaped.
const EVIL: &str = "<script>alert(1)</script>|*`pipe`";

/// Runs `driftd check --format FORMAT`, asserts the exit code, validates when a schema exists.
fn check(dir: &Path, format: &str, code: i32) -> String {
    let run = driftd(dir, &["check", "--format", format]);
    assert_eq!(
        run.code, code,
        "--format {format}\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    if format != "markdown" {
        validate_report(dir, format, &run.stdout);
    }
    run.stdout
}

/// The value of attribute `name` in the first `<tag ...>` whose opening tag contains `having`.
fn xml_attr(xml: &str, tag: &str, having: &str, name: &str) -> String {
    let open = format!("<{tag} ");
    let start = xml
        .match_indices(&open)
        .map(|(i, _)| i)
        .find(|i| xml[*i..].split('>').next().unwrap().contains(having))
        .unwrap_or_else(|| panic!("no <{tag} …{having}…> in:\n{xml}"));
    let head = xml[start..].split('>').next().unwrap();
    let key = format!(" {name}=\"");
    let at = head
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {head}"));
    head[at + key.len()..]
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn drift_in_every_format_is_valid_mapped_and_escaped() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-drift");
    let seeded = seed(&rt, &moto, &dir, &[(US, 2), (EU, 1)]);
    let (us, eu) = (&seeded[0], &seeded[1]);

    ssh_to_world(&rt, &moto, US, &us.sg_id, true);
    let unmanaged = rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.create_tags()
            .resources(&us.instance_ids[0])
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Note")
                    .value(EVIL)
                    .build(),
            )
            .send()
            .await
            .expect("evil tag");
        c.modify_instance_attribute()
            .instance_id(&us.instance_ids[1])
            .instance_type(
                aws_sdk_ec2::types::AttributeValue::builder()
                    .value("m5.xlarge")
                    .build(),
            )
            .send()
            .await
            .expect("resize");
        let id = driftd_testkit::seed::start_unmanaged_instance(&c)
            .await
            .expect("unmanaged instance");
        let c = ec2_client(&moto.endpoint(), EU).await;
        c.delete_volume()
            .volume_id(&eu.volume_id)
            .send()
            .await
            .expect("delete volume");
        id
    });
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US, EU]));
    let d = dir.path();

    // JSON: valid against docs/report.schema.json, and the reference for the other formats.
    let report: Value = serde_json::from_str(&check(d, "json", 2)).unwrap();
    let findings = report["findings"].as_array().unwrap().clone();
    let kinds: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap(),
                f["tier"].as_str().unwrap(),
                f["resource_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("missing", "critical", eu.volume_id.as_str()),
            ("changed", "critical", us.sg_id.as_str()),
            ("changed", "warning", us.instance_ids[1].as_str()),
            ("unmanaged", "warning", unmanaged.as_str()),
            ("changed", "info", us.instance_ids[0].as_str()),
        ]
    );
    assert_eq!(
        findings[4]["changes"],
        json!([{"path": "tags.Note", "op": "add", "expected": null, "actual": EVIL}])
    );
    let managed = report["summary"]["managed"].as_u64().unwrap();
    assert_eq!(managed, 13);

    // SARIF: one run, levels from tiers, rules per kind, locations and fingerprints.
    let sarif: Value = serde_json::from_str(&check(d, "sarif", 2)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["tool"]["driver"]["name"], "driftd");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["DRIFT001", "DRIFT002", "DRIFT003", "DRIFT004"]);
    let results = run["results"].as_array().unwrap();
    let got: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("DRIFT001", "error"),
            ("DRIFT002", "error"),
            ("DRIFT002", "warning"),
            ("DRIFT003", "warning"),
            ("DRIFT002", "note"),
        ]
    );
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(
            r["partialFingerprints"]["driftdFingerprint/v1"],
            f["fingerprint"]
        );
        assert_eq!(r["properties"]["tier"], f["tier"]);
        assert_eq!(r["properties"]["changes"], f["changes"]);
        let loc = &r["locations"][0];
        if f["kind"] == "unmanaged" {
            assert!(loc.get("physicalLocation").is_none());
            assert_eq!(loc["logicalLocations"][0]["name"], f["resource_id"]);
        } else {
            assert_eq!(
                loc["physicalLocation"]["artifactLocation"]["uri"],
                "terraform.tfstate"
            );
            assert_eq!(
                loc["logicalLocations"][0]["fullyQualifiedName"],
                f["address"]
            );
        }
    }
    assert_eq!(
        results[0]["message"]["text"],
        format!(
            "aws_ebs_volume {} (module.storage.aws_ebs_volume.data, {EU}) is recorded in terraform.tfstate but no longer exists live.",
            eu.volume_id
        )
    );
    assert!(results[1]["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("changed out of band: ingress."));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"],
        json!([])
    );

    // JUnit: one suite, a failure per finding, one passing case for the rest, escaped values.
    let xml = check(d, "junit", 2);
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml_attr(&xml, "testsuite", "name=\"demo\"", "tests"), "6");
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"demo\"", "failures"),
        "5"
    );
    assert_eq!(xml_attr(&xml, "testsuite", "name=\"demo\"", "skipped"), "0");
    assert_eq!(xml_attr(&xml, "testsuites", "", "tests"), "6");
    // 13 managed: 1 missing and 3 changed have their own case.
    assert!(xml.contains("<testcase classname=\"driftd\" name=\"9 managed resources in sync\"/>"));
    assert!(xml.contains(&format!(
        "<testcase classname=\"aws_instance\" name=\"{unmanaged}\">"
    )));
    assert!(xml.contains(
        "<testcase classname=\"aws_ebs_volume\" name=\"module.storage.aws_ebs_volume.data\">"
    ));
    assert!(xml.contains("<failure type=\"missing\" message=\"critical: aws_ebs_volume"));
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;|*`pipe`"));
    assert!(xml.contains("  expected (state): t3.micro") || xml.contains("\"t3.micro\""));
    assert!(!xml.contains("<script>"));

    // Markdown: summary line first, tables by kind, details, escaped values.
    let md = check(d, "markdown", 2);
    let first = md.lines().next().unwrap();
    assert!(
        first.starts_with("🔴 **driftd: 2 critical, 2 warning, 1 info drift in demo** · scan complete · coverage "),
        "{first}"
    );
    for needle in [
        "## Missing: in state, gone from the cloud (1)",
        "## Changed: differs from state (3)",
        "## Unmanaged: in the cloud, in no state (1)",
        "<code>tags.Note</code>",
        "<pre>m5.xlarge</pre>",
        "&lt;script&gt;alert(1)&lt;/script&gt;&#124;&#42;&#96;pipe&#96;",
    ] {
        assert!(md.contains(needle), "no `{needle}` in:\n{md}");
    }
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains("`pipe`"), "{md}");
    assert_eq!(md.matches("<details>").count(), 5);
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        assert_eq!(line.matches('|').count(), 6, "broken table row: {line}");
    }
    assert!(!md.contains("INCOMPLETE"));
}

#[test]
fn in_sync_in_every_format() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-in-sync");
    seed(&rt, &moto, &dir, &[(US, 1)]);
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let d = dir.path();

    let report: Value = serde_json::from_str(&check(d, "json", 0)).unwrap();
    assert_eq!(report["findings"], json!([]));
    let managed = report["summary"]["managed"].as_u64().unwrap();
    assert_eq!(managed, 6);

    let sarif: Value = serde_json::from_str(&check(d, "sarif", 0)).unwrap();
    assert_eq!(sarif["runs"][0]["results"], json!([]));
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );

    let xml = check(d, "junit", 0);
    assert_eq!(xml_attr(&xml, "testsuite", "name=\"demo\"", "tests"), "1");
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"demo\"", "failures"),
        "0"
    );
    assert!(xml.contains(&format!(
        "<testcase classname=\"driftd\" name=\"{managed} managed resources in sync\"/>"
    )));

    let md = check(d, "markdown", 0);
    assert!(
        md.starts_with("✅ **driftd: demo in sync** · scan complete · coverage 100.0%"),
        "{md}"
    );
    assert!(!md.contains("<details>"));
    assert!(!md.contains("Not scanned"));
}

#[test]
fn incomplete_scan_and_several_targets() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-incomplete");
    seed(&rt, &moto, &dir, &[(EU, 1)]);
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            region: Some(EU.into()),
            action: None,
            fault: Fault::Deny,
        }],
    )
    .expect("proxy");
    // Two targets over the same state: `direct` sees everything, `denied` is refused EU.
    // Only the five types the seed creates, so the denied target skips exactly five scopes.
    let types = "resource_types = [\"aws_ebs_volume\", \"aws_instance\", \"aws_security_group\", \"aws_subnet\", \"aws_vpc\"]";
    let cfg = format!(
        "[[target]]\nname = \"direct\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{EU}\"]\n{types}\n\n\
         [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\ntimeout_secs = 20\n\n\
         [[target]]\nname = \"denied\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{EU}\"]\n{types}\n\n\
         [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\ntimeout_secs = 20\n",
        moto.endpoint(),
        proxy.endpoint()
    );
    dir.write("driftd.toml", &cfg);
    let d = dir.path();

    let reports: Value = serde_json::from_str(&check(d, "json", 3)).unwrap();
    let reports = reports.as_array().expect("an array for several targets");
    assert_eq!(reports.len(), 2);
    let denied = reports
        .iter()
        .find(|r| r["target"] == "denied")
        .expect("denied target");
    assert_eq!(denied["scan"]["complete"], false);
    let skipped = denied["skipped"].as_array().unwrap().len();
    assert_eq!(skipped, 5);

    let sarif: Value = serde_json::from_str(&check(d, "sarif", 3)).unwrap();
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for run in runs {
        let target = run["properties"]["target"].as_str().unwrap();
        assert_eq!(run["automationDetails"]["id"], format!("driftd/{target}/"));
        let inv = &run["invocations"][0];
        let notes = inv["toolExecutionNotifications"].as_array().unwrap();
        if target == "denied" {
            assert_eq!(inv["executionSuccessful"], false);
            assert_eq!(notes.len(), skipped);
            for n in notes {
                assert_eq!(n["level"], "warning");
                assert!(n["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("access denied"));
            }
        } else {
            assert_eq!(inv["executionSuccessful"], true);
            assert!(notes.is_empty());
        }
    }

    let xml = check(d, "junit", 3);
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"denied\"", "skipped"),
        skipped.to_string()
    );
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"denied\"", "tests"),
        skipped.to_string()
    );
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"direct\"", "skipped"),
        "0"
    );
    assert!(xml
        .contains("<testcase classname=\"aws_ebs_volume\" name=\"aws_ebs_volume in eu-west-1\">"));
    assert!(xml.contains("<skipped message=\"not scanned: access denied: "));

    let md = check(d, "markdown", 3);
    assert!(
        md.starts_with("⚠️ **driftd: 2 targets · 0 with drift** · **1 incomplete** · "),
        "{md}"
    );
    assert!(md.contains("\n## direct\n"));
    assert!(md.contains("\n## denied\n"));
    assert!(md.contains("✅ **driftd: direct in sync**"));
    assert!(
        md.contains(
            "⚠️ **driftd: denied scan incomplete, no finding in the 0 resources compared** · **scan INCOMPLETE** (5 scopes not scanned)"
        ),
        "{md}"
    );
    // The resources of the denied scopes are counted as not compared, never as in sync.
    let not_scanned = denied["summary"]["not_scanned"].as_u64().unwrap();
    assert!(not_scanned > 0, "{denied}");
    assert_eq!(denied["summary"]["compared"], 0);
    assert_eq!(denied["summary"]["coverage_pct"], json!(0.0));
    assert!(denied["not_compared"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["category"] == "not_scanned" && e["scope"] == EU));

    // "No drift" is never said of an incomplete scan, in any words.
    let run = driftd(d, &["check", "--target", "denied"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        !run.stdout.to_lowercase().contains("no drift"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Scan INCOMPLETE: no finding in the 0 resources compared, but 5 scopes were not scanned"),
        "{}",
        run.stdout
    );
    let html = driftd(d, &["check", "--target", "denied", "--format", "html"]).stdout;
    assert!(!html.contains("In sync"), "{html}");
    assert!(!html.to_lowercase().contains("no drift"), "{html}");
    assert!(md.contains("### ⚠️ Not scanned: this report is INCOMPLETE (5)"));
    assert!(md.contains("drift there is **unknown**"));
}

/// Resources of types driftd does not compare (two database instances, a function) added to the
/// state in `dir`.
fn add_uncompared(dir: &TempDir) {
    for (ty, name, id) in [
        ("aws_s3_bucket_inventory", "main", "db-main"),
        ("aws_s3_bucket_inventory", "replica", "db-replica"),
        ("aws_s3_bucket_metric", "api", "api"),
    ] {
        add_to_state(
            dir,
            ty,
            name,
            json!({"id": id, "arn": format!("arn:aws:rds:{US}:123456789012:db:{id}")}),
        );
    }
}

#[test]
fn coverage_counts_what_was_not_compared_in_every_format() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-coverage");
    seed(&rt, &moto, &dir, &[(US, 1)]);
    add_uncompared(&dir);
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let d = dir.path();

    // JSON: 6 compared, 3 of types not compared: 6 / 9, rounded down.
    let report: Value = serde_json::from_str(&check(d, "json", 0)).unwrap();
    let s = &report["summary"];
    assert_eq!(
        (
            &s["compared"],
            &s["not_supported"],
            &s["not_compared"],
            &s["total"],
            &s["coverage_pct"]
        ),
        (&json!(6), &json!(3), &json!(3), &json!(9), &json!(66.6)),
        "{s}"
    );
    assert_eq!(
        report["not_compared"],
        json!([
            {"category": "not_supported", "provider": "aws", "resource_type": "aws_s3_bucket_inventory",
             "reason": "driftd does not compare this type yet", "count": 2},
            {"category": "not_supported", "provider": "aws", "resource_type": "aws_s3_bucket_metric",
             "reason": "driftd does not compare this type yet", "count": 1},
        ])
    );

    // Table: "no drift" only of what was compared; the rest listed.
    let run = driftd(d, &["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table = &run.stdout;
    for needle in [
        "scan complete · 6 compared (6 managed, 0 unmanaged) · 3 not compared · coverage 66.6%",
        "No drift in the 6 resources compared; 3 not compared.",
        "NOT COMPARED: neither drift nor in sync (3)",
        "  2  aws_s3_bucket_inventory: type not compared yet",
        "  1  aws_s3_bucket_metric: type not compared yet",
    ] {
        assert!(table.contains(needle), "no `{needle}` in:\n{table}");
    }
    assert!(!table.contains("matches the state"), "{table}");

    let md = check(d, "markdown", 0);
    assert!(
        md.starts_with("⚪ **driftd: no drift in the 6 resources compared in demo** · scan complete · **3 not compared** · coverage 66.6%"),
        "{md}"
    );
    assert!(md.contains("## Not compared (3): neither drift nor in sync"));
    assert!(md.contains(
        "| 2 | aws | <code>aws_s3_bucket_inventory</code> | — | type not compared yet |"
    ));
    assert!(!md.contains("in sync**"), "{md}");

    let run = driftd(d, &["check", "--format", "html"]);
    assert_eq!(run.code, 0);
    let html = &run.stdout;
    assert!(html.contains("<b>Coverage 66.6%</b>"), "{html}");
    assert!(html.contains("data-not-compared=\"3\""));
    assert!(html.contains("Not compared (3): neither drift nor in sync"));
    assert!(html.contains("<code>aws_s3_bucket_metric</code>"));
    assert!(!html.contains("In sync"), "{html}");

    let sarif: Value = serde_json::from_str(&check(d, "sarif", 0)).unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["properties"]["summary"]["coverage_pct"], json!(66.6));
    assert_eq!(run0["properties"]["not_compared"], report["not_compared"]);
    let notes = run0["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let ids: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["descriptor"]["id"].as_str().unwrap(),
                n["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ids, [("DRIFT901", "note"), ("DRIFT901", "note")]);
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Not compared: 2 resource(s): aws_s3_bucket_inventory"));

    let xml = check(d, "junit", 0);
    assert_eq!(xml_attr(&xml, "testsuite", "name=\"demo\"", "skipped"), "2");
    assert_eq!(
        xml_attr(&xml, "testsuite", "name=\"demo\"", "failures"),
        "0"
    );
    assert!(xml.contains("name=\"2 not compared: aws_s3_bucket_inventory: type not compared yet\""));
    assert!(xml.contains("<property name=\"summary.coverage_pct\" value=\"66.6\"/>"));

    // --require-coverage: 3 below, with a message; 0 at or above.
    let run = driftd(d, &["check", "--require-coverage", "70"]);
    assert_eq!(run.code, 3, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "target `demo`: coverage 66.6% is below the required 70%: 6 of 9 resource(s) compared (3 type not compared yet)"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(driftd(d, &["check", "--require-coverage", "66%"]).code, 0);
    // The target's own threshold, and the flag overriding it.
    dir.write(
        "driftd.toml",
        &config(&moto.endpoint(), &[US])
            .replace("[target.aws]", "require_coverage = 90\n\n[target.aws]"),
    );
    let run = driftd(d, &["check", "--format", "json"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("below the required 90%"),
        "{}",
        run.stderr
    );
    assert_eq!(driftd(d, &["check", "--require-coverage", "50"]).code, 0);
    // A bad value is a usage error: 1, never 2 (drift).
    let run = driftd(d, &["check", "--require-coverage", "120"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("from 0 to 100"), "{}", run.stderr);
}

#[test]
fn a_state_of_types_driftd_does_not_compare_is_not_covered_and_never_no_drift() {
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-uncompared-only");
    TfState::new()
        .write(&dir.path().join("terraform.tfstate"))
        .expect("state");
    add_uncompared(&dir);
    let d = dir.path();
    let args = [
        "check",
        "--state",
        "terraform.tfstate",
        "--region",
        US,
        "--endpoint-url",
        &moto.endpoint(),
    ];
    let run = driftd(d, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Nothing compared: 3 resources not compared, drift unknown."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("coverage 0.0%"), "{}", run.stdout);
    assert!(!run.stdout.contains("No drift"), "{}", run.stdout);
    assert!(!run.stdout.contains("100.0%"), "{}", run.stdout);

    let json_args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    let report = driftd(d, &json_args).json();
    assert_eq!(report["summary"]["coverage_pct"], json!(0.0));
    assert_eq!(report["summary"]["compared"], 0);
    assert_eq!(report["summary"]["not_supported"], 3);
    validate_report(d, "json", &serde_json::to_string(&report).unwrap());

    let md_args: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--format", "markdown"])
        .collect();
    let md = driftd(d, &md_args).stdout;
    assert!(
        md.starts_with("⚪ **driftd: nothing compared in default** · scan complete · **3 not compared** · coverage 0.0%"),
        "{md}"
    );

    let strict: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--require-coverage", "1"])
        .collect();
    assert_eq!(driftd(d, &strict).code, 3);
}

#[test]
fn code_that_cannot_be_evaluated_is_counted_and_listed_with_its_reason() {
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("formats-not-evaluated");
    std::fs::create_dir_all(dir.path().join("code")).unwrap();
    dir.write(
        "code/main.tf",
        r#"provider "aws" {
  region = "us-east-1"
}

data "aws_availability_zones" "all" {}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "per_az" {
  count      = length(data.aws_availability_zones.all.names)
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.${count.index}.0/24"
}

module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
"#,
    );
    let d = dir.path();
    let endpoint = moto.endpoint();
    let args = [
        "check",
        "--code",
        "code",
        "--region",
        US,
        "--endpoint-url",
        &endpoint,
    ];
    let json_args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
    let run = driftd(d, &json_args);
    let report = run.json();
    validate_report(d, "json", &run.stdout);
    let s = &report["summary"];
    // The subnets' count and the module's resources are unknown from code; the VPC has no
    // Name tag to be found live by without state. Nothing was compared.
    assert_eq!(
        (&s["compared"], &s["not_evaluated"], &s["not_matched"]),
        (&json!(0), &json!(2), &json!(1)),
        "{report:#}\n{}",
        run.stderr
    );
    assert_eq!(s["coverage_pct"], json!(0.0));
    let entries = report["not_compared"].as_array().unwrap();
    let subnet = entries
        .iter()
        .find(|e| e["address"] == "aws_subnet.per_az")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(subnet["category"], "not_evaluated");
    assert_eq!(subnet["resource_type"], "aws_subnet");
    assert!(
        subnet["source"].as_str().unwrap().ends_with("main.tf:11"),
        "{subnet}"
    );
    assert!(!subnet["reason"].as_str().unwrap().is_empty());
    let module = entries
        .iter()
        .find(|e| e["address"] == "module.remote")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(module["category"], "not_evaluated");
    assert!(module.get("resource_type").is_none(), "{module}");

    let table = driftd(d, &args).stdout;
    assert!(!table.contains("No drift"), "{table}");
    assert!(
        table.contains("aws_subnet at aws_subnet.per_az ("),
        "{table}"
    );
    assert!(table.contains("module.remote (whole module)"), "{table}");
}
