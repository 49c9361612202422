//! What links a VPC to other things (routes as their own resources, route table associations,
//! volume attachments, VPC endpoints, peering connections, flow logs) and a VPC's DNS settings,
//! end to end against moto through the built binary: in sync first, then out-of-band changes,
//! deletions and unmanaged resources of each type.

mod util;

use driftd_testkit::seed::{ec2_client, seed_region, Seeded, TfState};
use driftd_testkit::seed_vpc_links::{attachment_id, route_id, seed_vpc_links, SeededLinks};
use serde_json::{json, Value};
use util::*;

const US: &str = "us-east-1";

/// Every type this file covers.
const TYPES: [&str; 7] = [
    "aws_vpc",
    "aws_route",
    "aws_route_table_association",
    "aws_volume_attachment",
    "aws_vpc_endpoint",
    "aws_vpc_peering_connection",
    "aws_flow_log",
];

fn seed_all(rt: &tokio::runtime::Runtime, moto: &Moto, dir: &TempDir) -> (Seeded, SeededLinks) {
    let mut state = TfState::new();
    let seeded = rt.block_on(async {
        let client = ec2_client(&moto.endpoint(), US).await;
        let base = seed_region(&client, US, "prod", 1, &mut state)
            .await
            .expect("seed region");
        let links = seed_vpc_links(&client, &base, &mut state)
            .await
            .expect("seed links");
        (base, links)
    });
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    seeded
}

/// [`config`] limited to [`TYPES`], with `extra` target settings.
fn config_for(endpoint: &str, extra: &str) -> String {
    config_for_types(endpoint, &[US], &TYPES, extra)
}

/// `(kind, tier, type, id, changed paths)` of every finding, sorted.
fn findings(report: &Value) -> Vec<(String, String, String, String, Vec<String>)> {
    let mut out = util::findings(report);
    out.sort();
    out
}

#[test]
fn vpc_links_in_sync_then_changes_deletions_and_unmanaged_ones_are_found() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types-ec2-more");
    let (base, links) = seed_all(&rt, &moto, &dir);

    // In sync: moto's default VPC, the local routes and main associations of every table, the
    // instance's root volume attachment and the endpoints' prefix-list routes are not reported.
    dir.write("driftd.toml", &config_for(&moto.endpoint(), ""));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true));
    // 3 VPCs, 2 routes, 2 associations, 1 attachment, 2 endpoints, 2 peerings, 2 flow logs.
    assert_eq!(report["summary"]["managed"], json!(14));

    // Out of band.
    let unmanaged = rt.block_on(async {
        use aws_sdk_ec2::types::{
            AttributeBooleanValue, FlowLogsResourceType, LogDestinationType,
            PeeringConnectionOptionsRequest, Tag, TrafficType, VolumeType, VpcEndpointType,
        };
        let c = ec2_client(&moto.endpoint(), US).await;
        c.modify_vpc_attribute()
            .vpc_id(&base.vpc_id)
            .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
            .send()
            .await
            .expect("turn DNS hostnames on");
        // The peering's route now goes to the internet.
        c.replace_route()
            .route_table_id(&links.route_table_id)
            .destination_cidr_block("10.1.0.0/16")
            .gateway_id(&links.igw_id)
            .send()
            .await
            .expect("replace route");
        c.delete_route()
            .route_table_id(&links.route_table_id)
            .destination_cidr_block("0.0.0.0/0")
            .send()
            .await
            .expect("delete route");
        c.create_route()
            .route_table_id(&links.route_table_id)
            .destination_cidr_block("192.168.0.0/16")
            .gateway_id(&links.igw_id)
            .send()
            .await
            .expect("add route");
        // The first subnet moves to the spare table (a new association id), the second leaves.
        c.replace_route_table_association()
            .association_id(&links.association_ids[0])
            .route_table_id(&links.spare_route_table_id)
            .send()
            .await
            .expect("replace association");
        c.disassociate_route_table()
            .association_id(&links.association_ids[1])
            .send()
            .await
            .expect("disassociate");
        let subnet = c
            .create_subnet()
            .vpc_id(&base.vpc_id)
            .cidr_block("10.0.3.0/24")
            .availability_zone("us-east-1a")
            .send()
            .await
            .expect("unmanaged subnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        let association = c
            .associate_route_table()
            .route_table_id(&links.spare_route_table_id)
            .subnet_id(&subnet)
            .send()
            .await
            .expect("unmanaged association")
            .association_id()
            .expect("association id")
            .to_string();
        // The data volume leaves the instance; another one is attached.
        c.detach_volume()
            .volume_id(&base.volume_id)
            .instance_id(&base.instance_ids[0])
            .device("/dev/sdf")
            .send()
            .await
            .expect("detach");
        let volume = c
            .create_volume()
            .availability_zone("us-east-1a")
            .size(5)
            .volume_type(VolumeType::Gp3)
            .send()
            .await
            .expect("volume")
            .volume_id()
            .expect("volume id")
            .to_string();
        c.attach_volume()
            .device("/dev/sdg")
            .instance_id(&base.instance_ids[0])
            .volume_id(&volume)
            .send()
            .await
            .expect("unmanaged attachment");
        let attachment = attachment_id("/dev/sdg", &base.instance_ids[0], &volume);
        // The S3 endpoint's policy now denies everything; the DynamoDB one is deleted.
        c.modify_vpc_endpoint()
            .vpc_endpoint_id(&links.s3_endpoint_id)
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
            )
            .send()
            .await
            .expect("endpoint policy");
        c.delete_vpc_endpoints()
            .vpc_endpoint_ids(&links.dynamodb_endpoint_id)
            .send()
            .await
            .expect("delete endpoint");
        let endpoint = c
            .create_vpc_endpoint()
            .vpc_id(&links.peer_vpc_id)
            .service_name("com.amazonaws.us-east-1.s3")
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .send()
            .await
            .expect("unmanaged endpoint")
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .expect("endpoint id")
            .to_string();
        // The peer's names resolve from the main VPC; the other peering is deleted.
        c.modify_vpc_peering_connection_options()
            .vpc_peering_connection_id(&links.peering_id)
            .requester_peering_connection_options(
                PeeringConnectionOptionsRequest::builder()
                    .allow_dns_resolution_from_remote_vpc(true)
                    .build(),
            )
            .send()
            .await
            .expect("peering options");
        c.delete_vpc_peering_connection()
            .vpc_peering_connection_id(&links.other_peering_id)
            .send()
            .await
            .expect("delete peering");
        let peering = c
            .create_vpc_peering_connection()
            .vpc_id(&links.peer_vpc_id)
            .peer_vpc_id(&links.other_vpc_id)
            .send()
            .await
            .expect("unmanaged peering")
            .vpc_peering_connection()
            .and_then(|p| p.vpc_peering_connection_id())
            .expect("peering id")
            .to_string();
        // Flow logs cannot change in place: a tag, a deletion and a new one.
        c.create_tags()
            .resources(&links.vpc_flow_log_id)
            .tags(Tag::builder().key("Owner").value("netops").build())
            .send()
            .await
            .expect("tag flow log");
        c.delete_flow_logs()
            .flow_log_ids(&links.subnet_flow_log_id)
            .send()
            .await
            .expect("delete flow log");
        let flow_log = c
            .create_flow_logs()
            .resource_ids(&links.peer_vpc_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::Accept)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name("peer-flows")
            .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flow-logs")
            .send()
            .await
            .expect("unmanaged flow log")
            .flow_log_ids()[0]
            .clone();
        (association, attachment, endpoint, peering, flow_log)
    });
    let (association, attachment, endpoint, peering, flow_log) = unmanaged;

    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    let mut expected = vec![
        finding(
            "changed",
            "warning",
            "aws_vpc",
            &base.vpc_id,
            &["enable_dns_hostnames"],
        ),
        finding(
            "changed",
            "critical",
            "aws_route",
            &links.peer_route_id,
            &["gateway_id", "vpc_peering_connection_id"],
        ),
        finding(
            "missing",
            "critical",
            "aws_route",
            &links.default_route_id,
            &[],
        ),
        finding(
            "changed",
            "critical",
            "aws_route_table_association",
            &links.association_ids[0],
            &["route_table_id"],
        ),
        finding(
            "missing",
            "critical",
            "aws_route_table_association",
            &links.association_ids[1],
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_route_table_association",
            &association,
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_volume_attachment",
            &links.attachment_id,
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_volume_attachment",
            &attachment,
            &[],
        ),
        finding(
            "changed",
            "critical",
            "aws_vpc_endpoint",
            &links.s3_endpoint_id,
            &["policy"],
        ),
        finding(
            "missing",
            "critical",
            "aws_vpc_endpoint",
            &links.dynamodb_endpoint_id,
            &[],
        ),
        finding("unmanaged", "warning", "aws_vpc_endpoint", &endpoint, &[]),
        finding(
            "changed",
            "warning",
            "aws_vpc_peering_connection",
            &links.peering_id,
            &["requester"],
        ),
        finding(
            "missing",
            "critical",
            "aws_vpc_peering_connection",
            &links.other_peering_id,
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_vpc_peering_connection",
            &peering,
            &[],
        ),
        finding(
            "changed",
            "info",
            "aws_flow_log",
            &links.vpc_flow_log_id,
            &["tags.Owner"],
        ),
        finding(
            "missing",
            "critical",
            "aws_flow_log",
            &links.subnet_flow_log_id,
            &[],
        ),
        finding("unmanaged", "warning", "aws_flow_log", &flow_log, &[]),
    ];
    expected.sort();
    assert_eq!(findings(&report), expected, "stderr: {}", run.stderr);

    let changes = |t: &str, id: &str| -> Value {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["resource_type"] == t && f["resource_id"] == id)
            .map(|f| f["changes"].clone())
            .unwrap_or(Value::Null)
    };
    let dns = changes("aws_vpc", &base.vpc_id);
    assert_eq!(dns[0]["expected"], json!(false));
    assert_eq!(dns[0]["actual"], json!(true));
    let route = changes("aws_route", &links.peer_route_id);
    assert_eq!(route[0]["actual"], json!(links.igw_id));
    let assoc = changes("aws_route_table_association", &links.association_ids[0]);
    assert_eq!(assoc[0]["actual"], json!(links.spare_route_table_id));

    // Routes are cloud defaults (their tables compare them): the one added out of band is
    // reported unmanaged when the target asks for cloud defaults.
    dir.write(
        "driftd.toml",
        &config_for(&moto.endpoint(), "include_cloud_defaults = true\n"),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    let added = route_id(&links.route_table_id, "192.168.0.0/16");
    assert!(
        findings(&report)
            .iter()
            .any(|f| f.0 == "unmanaged" && f.2 == "aws_route" && f.3 == added),
        "{:#?}",
        findings(&report)
    );
}

#[test]
fn denied_dns_settings_are_skipped_never_changed() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("aws-types-vpc-dns-denied");
    let (base, _) = seed_all(&rt, &moto, &dir);
    rt.block_on(async {
        use aws_sdk_ec2::types::AttributeBooleanValue;
        let c = ec2_client(&moto.endpoint(), US).await;
        c.modify_vpc_attribute()
            .vpc_id(&base.vpc_id)
            .enable_dns_support(AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .expect("turn DNS support off");
    });
    let proxy = Proxy::start(
        moto.port,
        vec![Rule {
            region: None,
            action: Some("DescribeVpcAttribute".into()),
            fault: Fault::Deny,
        }],
    )
    .expect("proxy");
    dir.write("driftd.toml", &config_for(&proxy.endpoint(), ""));
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    let skipped = report["skipped"].as_array().expect("skipped");
    let attrs: Vec<&str> = skipped
        .iter()
        .filter(|s| s["resource_type"] == "aws_vpc" && s["scope"] == US)
        .filter_map(|s| s["attribute"].as_str())
        .collect();
    assert_eq!(
        attrs,
        ["enable_dns_hostnames", "enable_dns_support"],
        "{skipped:#?}"
    );
    assert!(skipped.iter().all(|s| s["reason"]
        .as_str()
        .unwrap_or("")
        .contains("DescribeVpcAttribute")));

    // Every attribute call went through the unit's meter: one DescribeVpcs, then two calls for
    // each of the 4 VPCs (moto's default one, main, peer, other), denied without retries.
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("resource_type=aws_vpc ") && l.contains(&format!("region={US}")))
        .unwrap_or_else(|| panic!("no aws_vpc progress line in:\n{}", run.stderr));
    let calls = line
        .split_whitespace()
        .find_map(|t| t.strip_prefix("api_calls="))
        .and_then(|n| n.parse::<u64>().ok());
    assert_eq!(calls, Some(1 + 2 * 4), "{line}");

    // Allowed again, the change is found.
    dir.write("driftd.toml", &config_for(&moto.endpoint(), ""));
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    let report = run.json();
    assert_eq!(
        findings(&report),
        vec![finding(
            "changed",
            "warning",
            "aws_vpc",
            &base.vpc_id,
            &["enable_dns_support"]
        )],
        "stderr: {}",
        run.stderr
    );
}
