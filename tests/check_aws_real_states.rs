//! `driftd check --state` on states shaped like real ones, against moto, through the built
//! binary: what a state does not record (a region, the account of an attachment) never turns
//! into "missing"; global services are listed once beside regional types; the region resolves
//! like the AWS CLI's; a skipped type's reason is short and printable whatever the API answered.
//!
//! The states are written here in the shape Terraform writes (see `driftd_testkit::seed`),
//! reduced from what public test states hold: an attachment of an AWS-managed policy, an
//! `aws_eip` with no region in any attribute, IAM beside EC2 in one state.

mod util;

use driftd_testkit::seed_s3_iam::iam_client;
use serde_json::{json, Value};
use std::process::Command;
use util::*;

const US: &str = "us-east-1";
const EU: &str = "eu-west-1";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const MANAGED: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// Runs `driftd check --format json` with test credentials and no region anywhere in the
/// environment unless `setup` adds one.
fn check(dir: &TempDir, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    driftd_with(dir.path(), &all, |c| {
        c.env("AWS_ACCESS_KEY_ID", driftd_testkit::ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", driftd_testkit::SECRET_KEY)
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION");
        setup(c);
    })
}

/// Runs [`check`] on the state file `state` against `endpoint`, with `extra` arguments and no
/// region in the environment; returns the run and its JSON report.
fn check_state(dir: &TempDir, state: &str, endpoint: &str, extra: &[&str]) -> (Run, Value) {
    // These tests are about reading states: moto's unencrypted volumes would add violations.
    let mut args = vec![
        "--state",
        state,
        "--endpoint-url",
        endpoint,
        "--no-builtin-policies",
    ];
    args.extend_from_slice(extra);
    let run = check(dir, &args, |_| {});
    let report = run.json();
    (run, report)
}

fn kinds(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["resource_type"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// A role with an AWS-managed policy attached, in moto and in `state`.
fn seed_role(rt: &tokio::runtime::Runtime, moto: &Moto, state: &mut TfState) {
    rt.block_on(async {
        let iam = iam_client(&moto.endpoint()).await;
        let role = iam
            .create_role()
            .role_name("reader")
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .expect("create role");
        iam.attach_role_policy()
            .role_name("reader")
            .policy_arn(MANAGED)
            .send()
            .await
            .expect("attach an AWS-managed policy");
        let arn = role.role().map(|r| r.arn().to_string()).expect("role arn");
        state.add(
            None,
            "aws_iam_role",
            "reader",
            None,
            json!({"id": "reader", "name": "reader", "arn": arn, "path": "/",
                   "description": "", "assume_role_policy": TRUST,
                   "max_session_duration": 3600, "permissions_boundary": null,
                   "force_detach_policies": false, "tags": {}, "tags_all": {}}),
        );
        state.add(
            None,
            "aws_iam_role_policy_attachment",
            "read_only",
            None,
            json!({"id": "reader-20240611093000000000000001", "role": "reader",
                   "policy_arn": MANAGED}),
        );
    });
}

#[test]
fn role_with_an_aws_managed_policy_attached_is_in_sync_with_no_region_set() {
    let rt = runtime();
    let moto = Moto::start_with_aws_managed_policies().expect("moto");
    let dir = TempDir::new("managed-policy");
    let mut state = TfState::new();
    seed_role(&rt, &moto, &mut state);
    state.write(&dir.path().join("iam.tfstate")).expect("state");

    // Only global types: no region is needed, and none is invented.
    let (run, report) = check_state(&dir, "iam.tfstate", &moto.endpoint(), &[]);
    assert_eq!(kinds(&report), vec![], "stderr: {}", run.stderr);
    assert_eq!(report["skipped"], json!([]));
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(report["summary"]["managed"], json!(2));
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
}

#[test]
fn attachment_of_another_accounts_policy_is_not_scanned_never_missing() {
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("other-account-attachment");
    let mut state = TfState::new();
    // A customer-managed policy can only be attached in its own account: this attachment lives
    // in 210987654321, which moto's credentials (123456789012) do not reach.
    state.add(
        None,
        "aws_iam_role_policy_attachment",
        "deploy",
        None,
        json!({"id": "deploy-20201118162849968800000001", "role": "deploy",
               "policy_arn": "arn:aws:iam::210987654321:policy/deploy"}),
    );
    state.write(&dir.path().join("iam.tfstate")).expect("state");
    let (run, report) = check_state(&dir, "iam.tfstate", &moto.endpoint(), &[]);
    assert_eq!(kinds(&report), vec![], "stderr: {}", run.stderr);
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        skipped[0]["resource_type"],
        "aws_iam_role_policy_attachment"
    );
    let reason = skipped[0]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("account 210987654321"), "{reason}");
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);
}

#[test]
fn iam_beside_regional_types_is_one_complete_scan() {
    let rt = runtime();
    let moto = Moto::start_with_aws_managed_policies().expect("moto");
    let dir = TempDir::new("iam-and-ec2");
    let mut state = TfState::new();
    rt.block_on(async {
        let ec2 = ec2_client(&moto.endpoint(), US).await;
        seed_region(&ec2, US, "prod", 1, &mut state)
            .await
            .expect("seed EC2");
    });
    seed_role(&rt, &moto, &mut state);
    state.write(&dir.path().join("all.tfstate")).expect("state");

    // Regions from the state: us-east-1 only; IAM is listed once, never as a region.
    let (run, report) = check_state(&dir, "all.tfstate", &moto.endpoint(), &[]);
    assert_eq!(kinds(&report), vec![], "stderr: {}", run.stderr);
    assert_eq!(report["skipped"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
}

/// An Elastic IP allocated in `region`, tagged `Name=web`, and its state entry as the AWS
/// provider records it: nothing in it names the region.
fn seed_eip(
    rt: &tokio::runtime::Runtime,
    moto: &Moto,
    region: &str,
    state: &mut TfState,
) -> String {
    rt.block_on(async {
        let ec2 = ec2_client(&moto.endpoint(), region).await;
        let eip = ec2
            .allocate_address()
            .domain(aws_sdk_ec2::types::DomainType::Vpc)
            .send()
            .await
            .expect("allocate address");
        let id = eip.allocation_id().expect("allocation id").to_string();
        ec2.create_tags()
            .resources(&id)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Name")
                    .value("web")
                    .build(),
            )
            .send()
            .await
            .expect("tag address");
        state.add(
            None,
            "aws_eip",
            "web",
            None,
            json!({"id": id, "allocation_id": id, "domain": "vpc", "instance": "",
                   "network_interface": "", "public_ip": eip.public_ip(),
                   "public_ipv4_pool": "amazon", "tags": {"Name": "web"},
                   "tags_all": {"Name": "web"}, "vpc": true}),
        );
        id
    })
}

#[test]
fn eip_whose_region_the_state_does_not_name_is_never_missing() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("eip-no-region");
    let mut state = TfState::new();
    let id = seed_eip(&rt, &moto, EU, &mut state);
    state.write(&dir.path().join("eip.tfstate")).expect("state");

    // Scanning another region: not scanned, with the reason; never missing.
    let (run, report) = check_state(&dir, "eip.tfstate", &moto.endpoint(), &["--region", US]);
    assert_eq!(kinds(&report), vec![], "stderr: {}", run.stderr);
    let skipped = report["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["resource_type"], "aws_eip");
    let reason = skipped[0]["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("no region") && reason.contains(US),
        "{reason}"
    );
    assert_eq!(report["summary"]["missing"], json!(0));
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);

    // Scanning its region: found there and compared (a tag changed out of band is drift).
    rt.block_on(async {
        ec2_client(&moto.endpoint(), EU)
            .await
            .create_tags()
            .resources(&id)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key("Name")
                    .value("api")
                    .build(),
            )
            .send()
            .await
            .expect("retag");
    });
    let (run, report) = check_state(&dir, "eip.tfstate", &moto.endpoint(), &["--region", EU]);
    assert_eq!(
        kinds(&report),
        vec![("changed".to_string(), "aws_eip".to_string())],
        "stderr: {}",
        run.stderr
    );
    assert_eq!(report["findings"][0]["region"], json!(EU));
    assert_eq!(report["findings"][0]["resource_id"], json!(id));
    assert_eq!(report["skipped"], json!([]));
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
}

#[test]
fn eip_takes_the_region_its_provider_configuration_records_elsewhere_in_the_state() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("eip-provider-region");
    let mut state = TfState::new();
    let id = seed_eip(&rt, &moto, EU, &mut state);
    // A subnet of the same provider configuration records eu-west-1 by its availability zone.
    rt.block_on(async {
        let ec2 = ec2_client(&moto.endpoint(), EU).await;
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.9.0.0/16")
            .send()
            .await
            .expect("vpc");
        let vpc_id = vpc
            .vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block("10.9.1.0/24")
            .availability_zone("eu-west-1a")
            .send()
            .await
            .expect("subnet");
        let subnet_id = subnet
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        state.add(
            None,
            "aws_vpc",
            "main",
            None,
            json!({"id": vpc_id, "cidr_block": "10.9.0.0/16", "tags": {}, "tags_all": {},
                   "arn": format!("arn:aws:ec2:{EU}:123456789012:vpc/{vpc_id}")}),
        );
        state.add(
            None,
            "aws_subnet",
            "a",
            None,
            json!({"id": subnet_id, "vpc_id": vpc_id, "cidr_block": "10.9.1.0/24",
                   "availability_zone": "eu-west-1a", "tags": {}, "tags_all": {}}),
        );
    });
    state.write(&dir.path().join("net.tfstate")).expect("state");

    // Asked to scan us-east-1 only: the address is placed in eu-west-1, which is not scanned.
    let (run, report) = check_state(&dir, "net.tfstate", &moto.endpoint(), &["--region", US]);
    assert_eq!(
        report["summary"]["missing"],
        json!(0),
        "stderr: {}",
        run.stderr
    );
    let eip_skip: Vec<&Value> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter(|s| s["resource_type"] == "aws_eip")
        .collect();
    assert_eq!(eip_skip.len(), 1, "{:?}", report["skipped"]);
    assert_eq!(eip_skip[0]["scope"], json!(EU));
    assert_eq!(run.code, 3, "stderr: {}", run.stderr);

    // Regions from the state: eu-west-1 is scanned, and an address released out of band there
    // is proven missing (its region is known and its listing complete).
    rt.block_on(async {
        ec2_client(&moto.endpoint(), EU)
            .await
            .release_address()
            .allocation_id(&id)
            .send()
            .await
            .expect("release");
    });
    let (run, report) = check_state(&dir, "net.tfstate", &moto.endpoint(), &[]);
    assert_eq!(
        kinds(&report),
        vec![("missing".to_string(), "aws_eip".to_string())],
        "stderr: {}",
        run.stderr
    );
    assert_eq!(report["findings"][0]["region"], json!(EU));
    assert_eq!(report["scan"]["complete"], json!(true));
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
}

#[test]
fn region_resolves_like_the_aws_cli_and_the_error_names_what_to_set() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("region-chain");
    let mut state = TfState::new();
    seed_eip(&rt, &moto, EU, &mut state);
    state.write(&dir.path().join("eip.tfstate")).expect("state");
    let args = ["--state", "eip.tfstate", "--endpoint-url", &moto.endpoint()];
    let found = |run: &Run, how: &str| {
        let report = run.json();
        assert_eq!(kinds(&report), vec![], "{how}: {}", run.stderr);
        assert_eq!(report["skipped"], json!([]), "{how}: {}", run.stderr);
        assert_eq!(report["summary"]["managed"], json!(1), "{how}");
        assert_eq!(run.code, 0, "{how}: {}", run.stderr);
    };

    let run = check(&dir, &args, |c| {
        c.env("AWS_REGION", EU);
    });
    found(&run, "AWS_REGION");
    let run = check(&dir, &args, |c| {
        c.env("AWS_DEFAULT_REGION", EU);
    });
    found(&run, "AWS_DEFAULT_REGION");
    // AWS_REGION wins over AWS_DEFAULT_REGION, as in the AWS CLI.
    let run = check(&dir, &args, |c| {
        c.env("AWS_REGION", EU).env("AWS_DEFAULT_REGION", US);
    });
    found(&run, "AWS_REGION over AWS_DEFAULT_REGION");

    let profile = dir.write(
        "profile-config",
        &format!("[default]\nregion = {US}\n\n[profile ops]\nregion = {EU}\n"),
    );
    let run = check(&dir, &args, |c| {
        c.env("AWS_CONFIG_FILE", &profile).env("AWS_PROFILE", "ops");
    });
    found(&run, "AWS_PROFILE's region");
    let mut with_profile = args.to_vec();
    with_profile.extend(["--profile", "ops"]);
    let run = check(&dir, &with_profile, |c| {
        c.env("AWS_CONFIG_FILE", &profile);
    });
    found(&run, "--profile's region");

    // Nothing sets a region: one error that says what to set.
    let run = check(&dir, &args, |_| {});
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for needle in [
        "--region",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "profile",
        "aws_eip",
    ] {
        assert!(
            run.stderr.contains(needle),
            "no {needle} in: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("--state"), "{}", run.stderr);
}

/// The reasons of a report's `skipped` entries.
fn reasons(report: &Value) -> Vec<String> {
    report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn skipped_reasons_are_bounded_and_free_of_debug_structures() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("bounded-reasons");
    let mut state = TfState::new();
    seed_eip(&rt, &moto, US, &mut state);
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("state");
    let proxy = Proxy::start(moto.port, vec![]).expect("proxy");
    dir.write("driftd.toml", &config(&proxy.endpoint(), &[US]));
    let only = |fault: Fault| {
        proxy.set_rules(vec![Rule {
            region: None,
            action: Some("DescribeAddresses".into()),
            fault,
        }])
    };
    let assert_clean = |run: &Run, must: &str| {
        let report = run.json();
        let reasons = reasons(&report);
        assert_eq!(reasons.len(), 1, "{reasons:?}\nstderr: {}", run.stderr);
        let r = &reasons[0];
        assert!(r.chars().count() <= 300, "{} chars: {r}", r.chars().count());
        assert!(!r.chars().any(char::is_control), "{r:?}");
        for bad in [
            "ServiceError",
            "Unhandled",
            "raw: Response",
            "<html",
            "<title",
        ] {
            assert!(!r.contains(bad), "{bad} in {r}");
        }
        assert!(r.contains(must), "no {must} in {r}");
        assert!(r.contains("DescribeAddresses"), "{r}");
        assert_eq!(report["summary"]["missing"], json!(0));
        assert_eq!(run.code, 3, "stderr: {}", run.stderr);
    };

    // A 7 KB HTML error page with escape sequences and no AWS error code.
    let page = format!(
        "<html><head><title>502 Bad Gateway</title><style>body{{color:red}}</style></head>\
         <body><h1>Bad\u{1b}[31m Gateway</h1>\r\n{}</body></html>",
        "<p>upstream\tconnect error or disconnect/reset before headers</p>\n".repeat(120)
    );
    assert!(page.len() > 7000);
    only(Fault::Raw {
        status: 500,
        body: page,
    });
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_clean(&run, "HTTP 500");

    // An AWS error document whose message is huge and spread over lines.
    let message = format!("denied\r\n\t{}", "x".repeat(5000));
    only(Fault::Raw {
        status: 403,
        body: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>\
             <Code>UnauthorizedOperation</Code><Message>{message}</Message></Error></Errors>\
             <RequestID>r-1</RequestID></Response>"
        ),
    });
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_clean(&run, "UnauthorizedOperation: denied x");

    // Control bytes are not even valid XML: the answer is one without a readable error code.
    only(Fault::Raw {
        status: 403,
        body: "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>no\u{7}\u{1b}[2J</Message></Error></Errors></Response>".into(),
    });
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_clean(&run, "HTTP 403");
}

#[test]
fn credential_failure_is_one_bounded_printable_error() {
    let dir = TempDir::new("credential-process");
    // A credential process that prints an escape sequence and 6 KB of garbage instead of JSON.
    let script = dir.write(
        "creds.sh",
        "#!/bin/sh\nprintf '\\033[31mboom'\nhead -c 6000 /dev/zero | tr '\\000' y\nexit 0\n",
    );
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let profile = dir.write(
        "profile-config",
        &format!(
            "[profile ci]\nregion = {US}\ncredential_process = {}\n",
            script.display()
        ),
    );
    let port = driftd_testkit::moto::free_port().expect("port");
    let mut state = TfState::new();
    state.add(
        None,
        "aws_vpc",
        "main",
        None,
        json!({"id": "vpc-1", "arn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"}),
    );
    state.write(&dir.path().join("s.tfstate")).expect("state");
    let endpoint = format!("http://127.0.0.1:{port}");
    let run = driftd_with(
        dir.path(),
        &[
            "check",
            "--state",
            "s.tfstate",
            "--endpoint-url",
            &endpoint,
            "--profile",
            "ci",
        ],
        |c| {
            c.env("AWS_CONFIG_FILE", &profile);
        },
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.contains("no usable credentials"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
    assert!(!run.stderr.contains("ProviderError("), "{}", run.stderr);
    assert!(
        run.stderr.len() < 1000,
        "{} bytes: {}",
        run.stderr.len(),
        run.stderr
    );
}
