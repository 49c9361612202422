//! `driftd` errors a person can act on, `validate`, and the example configs. No cloud needed:
//! every case here stops before the first API call.

mod util;

use util::*;

#[test]
fn truncated_state_exits_1_naming_the_file() {
    let dir = TempDir::new("truncated");
    dir.state_fixture("truncated.tfstate", "prod.tfstate");
    let run = driftd(
        dir.path(),
        &["check", "--state", "prod.tfstate", "--region", "us-east-1"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("prod.tfstate"), "{}", run.stderr);
    assert!(run.stderr.contains("truncated"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no report on error: {}", run.stdout);
}

#[test]
fn unsupported_state_version_exits_1_with_what_to_do() {
    let dir = TempDir::new("v3");
    dir.state_fixture("v3.tfstate", "old.tfstate");
    let run = driftd(
        dir.path(),
        &["check", "--state", "old.tfstate", "--region", "us-east-1"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("old.tfstate"), "{}", run.stderr);
    assert!(run.stderr.contains("version 3"), "{}", run.stderr);
}

#[test]
fn not_json_at_all_is_an_error_not_a_panic() {
    let dir = TempDir::new("garbage");
    dir.write("junk.tfstate", "\u{0}\u{1}not json at all {{{");
    let run = driftd(
        dir.path(),
        &["check", "--state", "junk.tfstate", "--region", "us-east-1"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("junk.tfstate"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn no_credentials_exits_1_naming_the_cause() {
    let dir = TempDir::new("no-creds");
    dir.state_fixture("simple.tfstate", "s.tfstate");
    // Nothing to connect to: the check must stop at the credential chain, before any API call.
    let port = driftd_testkit::moto::free_port().unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let run = driftd_with(
        dir.path(),
        &["check", "--state", "s.tfstate", "--endpoint-url", &endpoint],
        |_| {},
    );
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains("no usable credentials"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AWS_ACCESS_KEY_ID"), "{}", run.stderr);
}

#[test]
fn secret_key_never_appears_in_output() {
    let dir = TempDir::new("secret");
    dir.state_fixture("simple.tfstate", "s.tfstate");
    let port = driftd_testkit::moto::free_port().unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let run = driftd(
        dir.path(),
        &[
            "-vv",
            "check",
            "--state",
            "s.tfstate",
            "--endpoint-url",
            &endpoint,
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(!run.stdout.contains(driftd_testkit::SECRET_KEY));
    assert!(!run.stderr.contains(driftd_testkit::SECRET_KEY));
}

#[test]
fn validate_lists_every_problem_with_file_and_key() {
    let dir = TempDir::new("validate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"a\"\nstates = [\"missing/*.tfstate\"]\nregions = [\"mars-1\"]\n\
         [target.aws]\nendpoint_url = \"127.0.0.1:5000\"\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(run.code, 1);
    for needle in [
        "driftd.toml: target[0] (\"a\").states: `missing/*.tfstate` matches no file",
        "driftd.toml: target[0] (\"a\").regions: `mars-1` is not an AWS region",
        "driftd.toml: target[0] (\"a\").aws.endpoint_url",
        "3 problem(s)",
    ] {
        assert!(
            run.stderr.contains(needle),
            "no `{needle}` in:\n{}",
            run.stderr
        );
    }

    dir.write("typo.toml", "[[target]]\nname = \"a\"\nstaets = [\"x\"]\n");
    let run = driftd(dir.path(), &["validate", "--config", "typo.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("typo.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("staets"), "{}", run.stderr);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
}

#[test]
fn every_example_config_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        seen += 1;
        let run = driftd(&dir, &["validate", "--config", path.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}: {}", path.display(), run.stderr);
        assert!(run.stdout.contains("OK"), "{}", run.stdout);
    }
    assert!(seen >= 1, "no example config under config/");
}

#[test]
fn unknown_target_names_the_known_ones() {
    let dir = TempDir::new("unknown-target");
    dir.state_fixture("simple.tfstate", "s.tfstate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"prod\"\nstates = [\"s.tfstate\"]\n",
    );
    let run = driftd(dir.path(), &["check", "--target", "staging"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no target named `staging`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("known targets: prod"), "{}", run.stderr);
}

#[test]
fn silences_are_added_listed_and_expired() {
    let dir = TempDir::new("silence");
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"prod\"\nstates = [\"terraform.tfstate\"]\n",
    );
    let silence = |args: &[&str]| {
        let mut all = vec!["silence"];
        all.extend_from_slice(args);
        all.extend(["--config", "driftd.toml", "--state-dir", "state"]);
        driftd(dir.path(), &all)
    };
    // An end and a reason are required, and matchers are checked.
    let run = silence(&["add", "--match", "type=aws_instance", "--comment", "x"]);
    // A usage error: 1 (2 would read as drift).
    assert_eq!(run.code, 1, "clap usage error: {}", run.stderr);
    let run = silence(&[
        "add",
        "--match",
        "colour=red",
        "--for",
        "1h",
        "--comment",
        "x",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown key `colour`"),
        "{}",
        run.stderr
    );
    let run = silence(&[
        "add",
        "--match",
        "type=x",
        "--until",
        "2001-01-01T00:00:00Z",
        "--comment",
        "x",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not in the future"), "{}", run.stderr);

    let run = silence(&[
        "add",
        "--match",
        "type=aws_instance",
        "--match",
        "target=prod*",
        "--for",
        "4h",
        "--comment",
        "resize during maintenance",
        "--by",
        "alice",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("silence 1 added until"),
        "{}",
        run.stdout
    );
    let list = silence(&["list"]);
    assert!(list.stdout.contains("alice"), "{}", list.stdout);
    assert!(list.stdout.contains("type=aws_instance"), "{}", list.stdout);
    assert!(
        list.stdout.contains("resize during maintenance"),
        "{}",
        list.stdout
    );
    let json = silence(&["list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(rows[0]["matchers"]["target"], "prod*");

    assert_eq!(silence(&["expire", "1"]).code, 0);
    assert!(silence(&["list"]).stdout.contains("no silences in force"));
    assert!(silence(&["list", "--all"]).stdout.contains("expired"));
    let again = silence(&["expire", "1"]);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("no silence 1 in force"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_usage_error_exits_1_never_2_which_means_drift() {
    let dir = TempDir::new("usage");
    for args in [
        &["check", "--no-such-flag"][..],
        &["check", "--fail-on", "sometimes"],
        &["check", "--require-coverage", "most"],
        &["no-such-command"],
        &[],
    ] {
        let run = driftd(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty(), "{args:?}: no message");
    }
    let run = driftd(dir.path(), &["check", "--no-such-flag"]);
    assert!(run.stderr.contains("--no-such-flag"), "{}", run.stderr);
    for args in [&["--help"][..], &["--version"], &["check", "--help"]] {
        let run = driftd(dir.path(), args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.is_empty());
    }
}

#[test]
fn check_help_points_at_the_report_schema_doc_not_the_design_notes() {
    let dir = TempDir::new("check-help");
    let run = driftd(dir.path(), &["check", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("docs/report-schema.md"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--require-coverage <PCT>"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("DESIGN"), "{}", run.stdout);
    let top = driftd(dir.path(), &["--help"]).stdout;
    assert!(!top.contains("DESIGN"), "{top}");
}

#[test]
fn types_lists_each_supported_type_with_the_attributes_it_compares() {
    let dir = TempDir::new("types");
    let run = driftd(dir.path(), &["types"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = |ty: &str| {
        run.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{ty}: ")))
            .unwrap_or_else(|| panic!("no {ty} in:\n{}", run.stdout))
            .to_string()
    };
    let instance = line("aws_instance");
    for attr in [
        "instance_type",
        "tags (state: tags_all)",
        "vpc_security_group_ids",
    ] {
        assert!(instance.contains(attr), "{attr} not in {instance}");
    }
    assert!(line("google_compute_firewall").contains("source_ranges"));
    assert!(run.stdout.starts_with("aws ("), "{}", run.stdout);
    assert!(run.stdout.contains("\nkubernetes\n"), "{}", run.stdout);
    // A type driftd does not compare is not listed.
    assert!(!run.stdout.contains("aws_s3_bucket_inventory"));

    let json = driftd(dir.path(), &["types", "--provider", "aws", "--json"]).json();
    let providers = json["providers"].as_array().unwrap();
    assert_eq!(providers.len(), 1);
    let types = providers[0]["types"].as_array().unwrap();
    let vpc = types
        .iter()
        .find(|t| t["resource_type"] == "aws_vpc")
        .expect("aws_vpc");
    assert!(vpc["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == "cidr_block" && a["shape"] == "cidr"));
    let run = driftd(dir.path(), &["types", "--provider", "azure"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unknown provider `azure`"),
        "{}",
        run.stderr
    );
}
