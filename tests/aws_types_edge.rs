//! The edge services (ELBv2, Auto Scaling, Route 53, CloudFront, ACM) end to end against moto
//! through the built binary. moto is seeded and changed with boto3 (an independent client), the
//! state is written as the Terraform AWS provider records it, and `driftd check` must find:
//! nothing while in sync (moto's own defaults not reported), one out-of-band change per type with
//! its path and tier, a deletion, and what was made by hand.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

const ELB_TYPES: [&str; 4] = [
    "aws_lb",
    "aws_lb_target_group",
    "aws_lb_listener",
    "aws_lb_listener_rule",
];

/// What Terraform records for an application load balancer it created.
fn lb_state(arn: &str, name: &str, sg: &str, subnets: &[String], protection: bool) -> Value {
    json!({
        "id": arn, "arn": arn, "name": name, "name_prefix": "", "internal": true,
        "load_balancer_type": "application", "ip_address_type": "ipv4",
        "security_groups": [sg], "subnets": subnets,
        "subnet_mapping": subnets.iter().map(|s| json!({"subnet_id": s, "allocation_id": "",
            "ipv6_address": "", "outpost_id": "", "private_ipv4_address": ""})).collect::<Vec<_>>(),
        "enable_deletion_protection": protection, "drop_invalid_header_fields": false,
        "enable_http2": true, "idle_timeout": 60, "desync_mitigation_mode": "defensive",
        "enable_cross_zone_load_balancing": true,
        "access_logs": [{"bucket": "", "enabled": false, "prefix": ""}],
        "customer_owned_ipv4_pool": "", "enable_waf_fail_open": false,
        "preserve_host_header": false, "xff_header_processing_mode": "append",
        "tags": {"Team": "edge"}, "tags_all": {"Team": "edge"},
    })
}

fn tg_state(arn: &str, name: &str, vpc: &str) -> Value {
    json!({
        "id": arn, "arn": arn, "name": name, "name_prefix": "", "port": 80, "protocol": "HTTP",
        "protocol_version": "HTTP1", "vpc_id": vpc, "target_type": "instance",
        "deregistration_delay": "300", "slow_start": 0,
        "load_balancing_algorithm_type": "round_robin",
        "health_check": [{"enabled": true, "healthy_threshold": 3, "interval": 30,
            "matcher": "200", "path": "/health", "port": "traffic-port", "protocol": "HTTP",
            "timeout": 5, "unhealthy_threshold": 2}],
        "stickiness": [{"cookie_duration": 86400, "cookie_name": "", "enabled": false,
            "type": "lb_cookie"}],
        "tags": {}, "tags_all": {},
    })
}

#[test]
fn load_balancers_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-edge-elb");
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
        ec2 = client("ec2"); elb = client("elbv2"); acm = client("acm")
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone=z)["Subnet"]["SubnetId"]
                   for c, z in [("10.20.1.0/24", "eu-west-1a"), ("10.20.2.0/24", "eu-west-1b")]]
        sg = ec2.create_security_group(GroupName="lb", Description="lb", VpcId=vpc)["GroupId"]
        sg2 = ec2.create_security_group(GroupName="lb2", Description="lb2", VpcId=vpc)["GroupId"]
        cert = acm.request_certificate(DomainName="edge.example.com")["CertificateArn"]
        lb = elb.create_load_balancer(Name="web", Subnets=subnets, SecurityGroups=[sg],
            Scheme="internal", Type="application", IpAddressType="ipv4",
            Tags=[{"Key": "Team", "Value": "edge"}])["LoadBalancers"][0]["LoadBalancerArn"]
        # What Terraform sets on create: every attribute it manages.
        elb.modify_load_balancer_attributes(LoadBalancerArn=lb, Attributes=[
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
            {"Key": "routing.http2.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
            {"Key": "access_logs.s3.enabled", "Value": "false"}])
        tgs = {}
        for name in ["web", "gone"]:
            tgs[name] = elb.create_target_group(Name=name, Protocol="HTTP", ProtocolVersion="HTTP1",
                Port=80, VpcId=vpc, TargetType="instance", HealthCheckEnabled=True,
                HealthCheckProtocol="HTTP", HealthCheckPort="traffic-port", HealthCheckPath="/health",
                HealthCheckIntervalSeconds=30, HealthCheckTimeoutSeconds=5, HealthyThresholdCount=3,
                UnhealthyThresholdCount=2, Matcher={"HttpCode": "200"})["TargetGroups"][0]["TargetGroupArn"]
        listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443,
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", Certificates=[{"CertificateArn": cert}],
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tgs["web"]}])["Listeners"][0]["ListenerArn"]
        rule = elb.create_rule(ListenerArn=listener, Priority=10,
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
            Actions=[{"Type": "forward", "TargetGroupArn": tgs["web"]}])["Rules"][0]["RuleArn"]
        out.update(vpc=vpc, subnets=subnets, sg=sg, sg2=sg2, cert=cert, lb=lb, tg=tgs["web"],
            gone=tgs["gone"], listener=listener, rule=rule)
        "#,
    )
    .expect("seed load balancers");
    let (lb, tg, gone, listener, rule) = (
        s(&seeded, "lb"),
        s(&seeded, "tg"),
        s(&seeded, "gone"),
        s(&seeded, "listener"),
        s(&seeded, "rule"),
    );
    let subnets: Vec<String> = seeded["subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .map(|v| v.as_str().expect("subnet").to_string())
        .collect();
    let (vpc, sg, cert) = (s(&seeded, "vpc"), s(&seeded, "sg"), s(&seeded, "cert"));
    let empty_blocks = json!({"authenticate_cognito": [], "authenticate_oidc": [],
        "fixed_response": [], "forward": [], "redirect": []});
    let forward = |order: u32| {
        let mut a = empty_blocks.clone();
        a["type"] = json!("forward");
        a["order"] = json!(order);
        a["target_group_arn"] = json!(tg);
        a
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_lb",
        "web",
        None,
        lb_state(&lb, "web", &sg, &subnets, true),
    );
    state.add(
        None,
        "aws_lb_target_group",
        "web",
        None,
        tg_state(&tg, "web", &vpc),
    );
    state.add(
        None,
        "aws_lb_target_group",
        "gone",
        None,
        tg_state(&gone, "gone", &vpc),
    );
    state.add(
        None,
        "aws_lb_listener",
        "https",
        None,
        json!({
            "id": listener, "arn": listener, "load_balancer_arn": lb, "port": 443,
            "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificate_arn": cert, "alpn_policy": null, "default_action": [forward(1)],
            "mutual_authentication": [], "tags": {}, "tags_all": {},
        }),
    );
    state.add(
        None,
        "aws_lb_listener_rule",
        "api",
        None,
        json!({
            "id": rule, "arn": rule, "listener_arn": listener, "priority": 10,
            "action": [forward(1)],
            "condition": [{"host_header": [], "http_header": [], "http_request_method": [],
                "path_pattern": [{"values": ["/api/*"]}], "query_string": [], "source_ip": []}],
            "tags": {}, "tags_all": {},
        }),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &ELB_TYPES, ""),
    );
    assert_in_sync(&dir, 5);

    let drift = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            elb = client("elbv2")
            elb.modify_load_balancer_attributes(LoadBalancerArn={lb:?},
                Attributes=[{{"Key": "deletion_protection.enabled", "Value": "false"}}])
            elb.modify_target_group(TargetGroupArn={tg:?}, HealthCheckPath="/")
            elb.delete_target_group(TargetGroupArn={gone:?})
            elb.modify_listener(ListenerArn={listener:?}, Protocol="HTTP", Port=443,
                DefaultActions=[{{"Type": "forward", "TargetGroupArn": {tg:?}}}])
            elb.modify_rule(RuleArn={rule:?},
                Conditions=[{{"Field": "path-pattern", "PathPatternConfig": {{"Values": ["/*"]}}}}])
            out["byhand"] = elb.create_target_group(Name="byhand", Protocol="HTTP", Port=8080,
                VpcId={vpc:?})["TargetGroups"][0]["TargetGroupArn"]
            "#
        ),
    )
    .expect("drift");
    let byhand = s(&drift, "byhand");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "critical",
                "aws_lb",
                &lb,
                &["enable_deletion_protection"],
            ),
            finding(
                "changed",
                "warning",
                "aws_lb_target_group",
                &tg,
                &["health_check"],
            ),
            finding("missing", "critical", "aws_lb_target_group", &gone, &[]),
            finding("unmanaged", "warning", "aws_lb_target_group", &byhand, &[]),
            finding(
                "changed",
                "critical",
                "aws_lb_listener",
                &listener,
                &["protocol"],
            ),
            finding(
                "changed",
                "warning",
                "aws_lb_listener_rule",
                &rule,
                &["condition"],
            ),
        ],
    );
    // The same load balancer kept in state under the alias `aws_alb`: compared there (its
    // deletion protection, now off, is found), and never reported unmanaged under the alias.
    let alias = TempDir::new("aws-types-edge-alb");
    let mut state = TfState::new();
    state.add(
        None,
        "aws_alb",
        "web",
        None,
        lb_state(&lb, "web", &sg, &subnets, true),
    );
    state
        .write(&alias.path().join("terraform.tfstate"))
        .expect("write state");
    alias.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &["aws_alb"], ""),
    );
    assert_findings(
        &alias,
        vec![finding(
            "changed",
            "critical",
            "aws_alb",
            &lb,
            &["enable_deletion_protection"],
        )],
    );
    // One DescribeLoadBalancers, then the attributes and the tags of the one load balancer.
    assert_eq!(
        api_calls(&run.stderr, "aws_lb"),
        Some(1 + 2),
        "{}",
        run.stderr
    );
    // The load balancers, one DescribeListeners each, one DescribeTags per listener.
    assert_eq!(
        api_calls(&run.stderr, "aws_lb_listener"),
        Some(1 + 1 + 1),
        "{}",
        run.stderr
    );
}

#[test]
fn autoscaling_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-edge-asg");
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
        ec2 = client("ec2"); asg = client("autoscaling")
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24",
            AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
        sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        for name in ["web-lc", "gone-lc"]:
            asg.create_launch_configuration(LaunchConfigurationName=name, ImageId=image,
                InstanceType="t3.micro", SecurityGroups=[sg], AssociatePublicIpAddress=False,
                InstanceMonitoring={"Enabled": True}, EbsOptimized=False,
                MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled",
                    "HttpPutResponseHopLimit": 1})
        asg.create_auto_scaling_group(AutoScalingGroupName="web", LaunchConfigurationName="web-lc",
            MinSize=0, MaxSize=2, DesiredCapacity=0, VPCZoneIdentifier=subnet,
            HealthCheckType="EC2", HealthCheckGracePeriod=300, DefaultCooldown=300,
            Tags=[{"Key": "Team", "Value": "edge", "PropagateAtLaunch": True,
                   "ResourceId": "web", "ResourceType": "auto-scaling-group"}])
        g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
        out.update(subnet=subnet, sg=sg, image=image, group=g)
        "#,
    )
    .expect("seed auto scaling");
    let (subnet, sg, image) = (s(&seeded, "subnet"), s(&seeded, "sg"), s(&seeded, "image"));
    let group = &seeded["group"];
    let lc = |name: &str| {
        json!({
            "id": name, "name": name, "name_prefix": "", "image_id": image,
            // Terraform records the ARN, which says the region the configuration lives in.
            "arn": format!("arn:aws:autoscaling:{REGION}:123456789012:launchConfiguration:\
                            00000000-0000-0000-0000-000000000000:launchConfigurationName/{name}"),
            "instance_type": "t3.micro", "key_name": "", "iam_instance_profile": "",
            "security_groups": [sg], "associate_public_ip_address": false,
            "enable_monitoring": true, "ebs_optimized": false, "placement_tenancy": "",
            "spot_price": "", "user_data": null, "user_data_base64": null,
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required",
                "http_put_response_hop_limit": 1}],
            "root_block_device": [], "ebs_block_device": [], "ephemeral_block_device": [],
        })
    };
    let mut state = TfState::new();
    state.add(None, "aws_launch_configuration", "web", None, lc("web-lc"));
    state.add(
        None,
        "aws_launch_configuration",
        "gone",
        None,
        lc("gone-lc"),
    );
    state.add(
        None,
        "aws_autoscaling_group",
        "web",
        None,
        json!({
            "id": "web", "name": "web", "name_prefix": "", "launch_configuration": "web-lc",
            "launch_template": [], "mixed_instances_policy": [],
            "min_size": 0, "max_size": 2, "desired_capacity": 0,
            "vpc_zone_identifier": [subnet], "availability_zones": ["eu-west-1a"],
            "health_check_type": "EC2", "health_check_grace_period": 300,
            "default_cooldown": 300, "load_balancers": [], "target_group_arns": [],
            // What Auto Scaling answers for these, as the provider reads them back.
            "termination_policies": group["TerminationPolicies"],
            "service_linked_role_arn": group["ServiceLinkedRoleARN"],
            "max_instance_lifetime": 0, "protect_from_scale_in": false,
            "capacity_rebalance": false, "suspended_processes": [], "enabled_metrics": [],
            "force_delete": false, "wait_for_capacity_timeout": "10m",
            "tag": [{"key": "Team", "value": "edge", "propagate_at_launch": true}],
        }),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    let types = ["aws_autoscaling_group", "aws_launch_configuration"];
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &types, ""),
    );
    assert_in_sync(&dir, 3);

    // A launch configuration cannot be changed (only replaced): its change here is the group's.
    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            asg = client("autoscaling")
            asg.update_auto_scaling_group(AutoScalingGroupName="web", MaxSize=5)
            asg.delete_launch_configuration(LaunchConfigurationName="gone-lc")
            asg.create_launch_configuration(LaunchConfigurationName="byhand-lc", ImageId={image:?},
                InstanceType="t3.micro", AssociatePublicIpAddress=True)
            "#
        ),
    )
    .expect("drift");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "warning",
                "aws_autoscaling_group",
                "web",
                &["max_size"],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_launch_configuration",
                "byhand-lc",
                &[],
            ),
            finding(
                "missing",
                "critical",
                "aws_launch_configuration",
                "gone-lc",
                &[],
            ),
        ],
    );
    assert_eq!(
        api_calls(&run.stderr, "aws_autoscaling_group"),
        Some(1),
        "{}",
        run.stderr
    );
}

#[test]
fn certificates_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-edge-acm");
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
        acm = client("acm")
        for name in ["edge", "gone"]:
            out[name] = acm.request_certificate(DomainName=name + ".example.com",
                ValidationMethod="DNS", SubjectAlternativeNames=[name + ".example.com",
                "www." + name + ".example.com"], Tags=[{"Key": "Team", "Value": "edge"}],
                Options={"CertificateTransparencyLoggingPreference": "ENABLED"})["CertificateArn"]
        out["key"] = acm.describe_certificate(CertificateArn=out["edge"])["Certificate"].get("KeyAlgorithm")
        "#,
    )
    .expect("seed certificates");
    let (edge, gone) = (s(&seeded, "edge"), s(&seeded, "gone"));
    let cert = |arn: &str, name: &str| {
        json!({
            "id": arn, "arn": arn, "domain_name": format!("{name}.example.com"),
            "subject_alternative_names": [format!("www.{name}.example.com")],
            "validation_method": "DNS", "key_algorithm": "RSA_2048",
            "certificate_authority_arn": "", "private_key": null, "certificate_body": null,
            "certificate_chain": null, "early_renewal_duration": "", "validation_option": [],
            "options": [{"certificate_transparency_logging_preference": "ENABLED"}],
            "tags": {"Team": "edge"}, "tags_all": {"Team": "edge"},
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_acm_certificate",
        "edge",
        None,
        cert(&edge, "edge"),
    );
    state.add(
        None,
        "aws_acm_certificate",
        "gone",
        None,
        cert(&gone, "gone"),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &["aws_acm_certificate"], ""),
    );
    assert_in_sync(&dir, 2);

    let drift = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            acm = client("acm")
            acm.add_tags_to_certificate(CertificateArn={edge:?}, Tags=[{{"Key": "Team", "Value": "other"}}])
            acm.delete_certificate(CertificateArn={gone:?})
            out["byhand"] = acm.request_certificate(DomainName="byhand.example.com")["CertificateArn"]
            "#
        ),
    )
    .expect("drift");
    let byhand = s(&drift, "byhand");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "info",
                "aws_acm_certificate",
                &edge,
                &["tags.Team"],
            ),
            finding("missing", "critical", "aws_acm_certificate", &gone, &[]),
            finding("unmanaged", "warning", "aws_acm_certificate", &byhand, &[]),
        ],
    );
    // One ListCertificates, then DescribeCertificate and ListTagsForCertificate for each of two.
    assert_eq!(
        api_calls(&run.stderr, "aws_acm_certificate"),
        Some(1 + 2 * 2),
        "{}",
        run.stderr
    );
}

#[test]
fn dns_zones_and_records_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-edge-dns");
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
        r53 = client("route53")
        zone = r53.create_hosted_zone(Name="edge.example.com", CallerReference="edge",
            HostedZoneConfig={"Comment": "Managed by Terraform"})["HostedZone"]["Id"].split("/")[-1]
        r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone,
            AddTags=[{"Key": "Team", "Value": "edge"}])
        def rrset(name, kind, values):
            return {"Action": "UPSERT", "ResourceRecordSet": {"Name": name, "Type": kind, "TTL": 300,
                "ResourceRecords": [{"Value": v} for v in values]}}
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            rrset("www.edge.example.com.", "A", ["192.0.2.10", "192.0.2.11"]),
            rrset("edge.example.com.", "TXT", ['"v=spf1 -all"']),
            rrset("old.edge.example.com.", "CNAME", ["www.edge.example.com"])]})
        out["zone"] = zone
        "#,
    )
    .expect("seed zones");
    let zone = s(&seeded, "zone");
    let record = |name: &str, kind: &str, records: Value| {
        json!({
            "id": format!("{zone}_{name}_{kind}"), "zone_id": zone, "name": name, "type": kind,
            "ttl": 300, "records": records, "alias": [], "set_identifier": "",
            "health_check_id": "", "weighted_routing_policy": [], "failover_routing_policy": [],
            "latency_routing_policy": [], "geolocation_routing_policy": [],
            "cidr_routing_policy": [], "multivalue_answer_routing_policy": false,
            "allow_overwrite": null, "fqdn": name,
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_route53_zone",
        "edge",
        None,
        json!({
            "id": zone, "zone_id": zone, "name": "edge.example.com",
            "comment": "Managed by Terraform", "force_destroy": false,
            "delegation_set_id": "", "vpc": [],
            "tags": {"Team": "edge"}, "tags_all": {"Team": "edge"},
        }),
    );
    let www = "www.edge.example.com";
    state.add(
        None,
        "aws_route53_record",
        "www",
        None,
        record(www, "A", json!(["192.0.2.11", "192.0.2.10"])),
    );
    state.add(
        None,
        "aws_route53_record",
        "spf",
        None,
        record("edge.example.com", "TXT", json!(["v=spf1 -all"])),
    );
    state.add(
        None,
        "aws_route53_record",
        "old",
        None,
        record(
            "old.edge.example.com",
            "CNAME",
            json!(["www.edge.example.com"]),
        ),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(
            &endpoint,
            &[REGION],
            &["aws_route53_zone", "aws_route53_record"],
            "",
        ),
    );
    // The zone's own NS and SOA records are not reported.
    assert_in_sync(&dir, 4);

    let drift = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            r53 = client("route53")
            r53.update_hosted_zone_comment(Id={zone:?}, Comment="changed by hand")
            r53.change_resource_record_sets(HostedZoneId={zone:?}, ChangeBatch={{"Changes": [
                {{"Action": "UPSERT", "ResourceRecordSet": {{"Name": "www.edge.example.com.",
                    "Type": "A", "TTL": 300, "ResourceRecords": [{{"Value": "203.0.113.9"}}]}}}},
                {{"Action": "DELETE", "ResourceRecordSet": {{"Name": "old.edge.example.com.",
                    "Type": "CNAME", "TTL": 300,
                    "ResourceRecords": [{{"Value": "www.edge.example.com"}}]}}}},
                {{"Action": "CREATE", "ResourceRecordSet": {{"Name": "byhand.edge.example.com.",
                    "Type": "A", "TTL": 60, "ResourceRecords": [{{"Value": "192.0.2.99"}}]}}}}]}})
            out["other"] = r53.create_hosted_zone(Name="byhand.example.org",
                CallerReference="byhand")["HostedZone"]["Id"].split("/")[-1]
            "#
        ),
    )
    .expect("drift");
    let other = s(&drift, "other");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "warning",
                "aws_route53_zone",
                &zone,
                &["comment"],
            ),
            finding("unmanaged", "warning", "aws_route53_zone", &other, &[]),
            finding(
                "changed",
                "warning",
                "aws_route53_record",
                &format!("{zone}_{www}_A"),
                &["records"],
            ),
            finding(
                "missing",
                "critical",
                "aws_route53_record",
                &format!("{zone}_old.edge.example.com_CNAME"),
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_route53_record",
                &format!("{zone}_byhand.edge.example.com_A"),
                &[],
            ),
        ],
    );
    // Route 53 is global: its types are reported in the global scope, listed once.
    let report = run.json();
    let scopes: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| &f["region"])
        .collect();
    assert!(scopes.iter().all(|r| *r == "global"), "{scopes:?}");
    // Two zones: one ListHostedZones, then one ListResourceRecordSets each.
    assert_eq!(
        api_calls(&run.stderr, "aws_route53_record"),
        Some(1 + 2),
        "{}",
        run.stderr
    );
}

#[test]
fn distributions_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-edge-cdn");
    let seeded = boto3(
        &endpoint,
        REGION,
        r#"
        cf = client("cloudfront")
        def config(ref, comment):
            return {"CallerReference": ref, "Comment": comment, "Enabled": True,
                "Aliases": {"Quantity": 1, "Items": [ref + ".example.com"]},
                "Origins": {"Quantity": 1, "Items": [{"Id": "site",
                    "DomainName": "site.s3.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
                "DefaultCacheBehavior": {"TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                    "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"],
                        "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
                "PriceClass": "PriceClass_100", "HttpVersion": "http2", "IsIPV6Enabled": True}
        for ref in ["cdn", "gone"]:
            d = cf.create_distribution_with_tags(DistributionConfigWithTags={
                "DistributionConfig": config(ref, ref),
                "Tags": {"Items": [{"Key": "Team", "Value": "edge"}]}})["Distribution"]
            out[ref] = d["Id"]
        out["summary"] = cf.list_distributions()["DistributionList"]["Items"][0]
        "#,
    )
    .expect("seed distributions");
    let (cdn, gone) = (s(&seeded, "cdn"), s(&seeded, "gone"));
    let dist = |id: &str, name: &str| {
        json!({
            "id": id, "arn": format!("arn:aws:cloudfront::123456789012:distribution/{id}"),
            "enabled": true, "comment": name, "aliases": [format!("{name}.example.com")],
            "price_class": "PriceClass_100", "http_version": "http2", "is_ipv6_enabled": true,
            "web_acl_id": "", "default_root_object": "", "retain_on_delete": false,
            "wait_for_deployment": true,
            "origin": [{"origin_id": "site", "domain_name": "site.s3.amazonaws.com",
                "origin_path": "", "connection_attempts": 3, "connection_timeout": 10,
                "custom_header": [], "custom_origin_config": [],
                "s3_origin_config": [{"origin_access_identity": ""}]}],
            "default_cache_behavior": [{"target_origin_id": "site",
                "viewer_protocol_policy": "redirect-to-https", "allowed_methods": ["HEAD", "GET"],
                "cached_methods": ["HEAD", "GET"], "compress": true, "min_ttl": 0,
                "default_ttl": 0, "max_ttl": 0, "cache_policy_id": "",
                "forwarded_values": [{"query_string": false, "headers": [],
                    "query_string_cache_keys": [], "cookies": [{"forward": "none",
                    "whitelisted_names": []}]}]}],
            "ordered_cache_behavior": [],
            "restrictions": [{"geo_restriction": [{"locations": [], "restriction_type": "none"}]}],
            "viewer_certificate": [{"acm_certificate_arn": "", "cloudfront_default_certificate": true,
                "iam_certificate_id": "", "minimum_protocol_version": "TLSv1",
                "ssl_support_method": ""}],
            "tags": {"Team": "edge"}, "tags_all": {"Team": "edge"},
        })
    };
    let mut state = TfState::new();
    state.add(
        None,
        "aws_cloudfront_distribution",
        "cdn",
        None,
        dist(&cdn, "cdn"),
    );
    state.add(
        None,
        "aws_cloudfront_distribution",
        "gone",
        None,
        dist(&gone, "gone"),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &["aws_cloudfront_distribution"], ""),
    );
    let run = driftd(dir.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.json()["findings"],
        json!([]),
        "summary moto serves: {}\nstderr: {}",
        seeded["summary"],
        run.stderr
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    let drift = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            cf = client("cloudfront")
            got = cf.get_distribution_config(Id={cdn:?})
            config = got["DistributionConfig"]
            config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
            cf.update_distribution(Id={cdn:?}, IfMatch=got["ETag"], DistributionConfig=config)
            got = cf.get_distribution_config(Id={gone:?})
            config = got["DistributionConfig"]
            config["Enabled"] = False
            etag = cf.update_distribution(Id={gone:?}, IfMatch=got["ETag"],
                DistributionConfig=config)["ETag"]
            cf.delete_distribution(Id={gone:?}, IfMatch=etag)
            config["CallerReference"] = "byhand"
            config["Aliases"] = {{"Quantity": 0}}
            config["Enabled"] = True
            out["byhand"] = cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
            "#
        ),
    )
    .expect("drift");
    let byhand = s(&drift, "byhand");
    assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "critical",
                "aws_cloudfront_distribution",
                &cdn,
                &["default_cache_behavior.0.viewer_protocol_policy"],
            ),
            finding(
                "missing",
                "critical",
                "aws_cloudfront_distribution",
                &gone,
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudfront_distribution",
                &byhand,
                &[],
            ),
        ],
    );
}
