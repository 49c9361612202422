//! The operations types (CloudWatch Logs, alarms and EventBridge, CloudTrail, ECR, ECS, EKS) end
//! to end against moto through the built binary. moto is seeded and changed with boto3 (an
//! independent client), the state is written as the Terraform provider records it, and
//! `driftd check` must find: nothing while in sync (moto's own defaults not reported), one
//! out-of-band change per type with its path and tier, a deletion, and what was made by hand.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "123456789012";

/// Writes the state and the config limited to `types`, then checks that moto and the state are
/// in sync: exit 0, no finding, `managed` resources.
fn write_then_assert_in_sync(
    dir: &TempDir,
    endpoint: &str,
    state: &TfState,
    types: &[&str],
    managed: u64,
) {
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(endpoint, &[REGION], types, ""),
    );
    assert_in_sync(dir, managed);
}

fn log_group_state(name: &str) -> Value {
    json!({
        "id": name, "name": name, "name_prefix": "",
        "arn": format!("arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}"),
        "kms_key_id": "", "retention_in_days": 30, "log_group_class": "STANDARD",
        "skip_destroy": false, "tags": {"Team": "ops"}, "tags_all": {"Team": "ops"},
    })
}

fn alarm_state(name: &str, topic: &str) -> Value {
    json!({
        "id": name, "alarm_name": name,
        "arn": format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"),
        "actions_enabled": true, "alarm_actions": [topic], "ok_actions": [],
        "insufficient_data_actions": [], "alarm_description": "CPU above 80%",
        "comparison_operator": "GreaterThanThreshold", "evaluation_periods": 2,
        "datapoints_to_alarm": 0, "metric_name": "CPUUtilization", "namespace": "AWS/EC2",
        "period": 300, "statistic": "Average", "extended_statistic": "", "threshold": 80,
        "threshold_metric_id": "", "unit": "", "dimensions": {"InstanceId": "i-0abc"},
        "treat_missing_data": "missing", "evaluate_low_sample_count_percentiles": "",
        "metric_query": [], "tags": {"Team": "ops"}, "tags_all": {"Team": "ops"},
    })
}

fn rule_state(name: &str) -> Value {
    json!({
        "id": name, "name": name, "name_prefix": "",
        "arn": format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}"),
        "description": "nightly job", "event_bus_name": "default", "event_pattern": null,
        "schedule_expression": "rate(1 day)", "role_arn": "", "is_enabled": true,
        "state": "ENABLED", "force_destroy": false,
        "tags": {"Team": "ops"}, "tags_all": {"Team": "ops"},
    })
}

fn target_state(rule: &str, id: &str, arn: &str) -> Value {
    json!({
        "id": format!("{rule}/{id}"), "rule": rule, "target_id": id, "arn": arn,
        "event_bus_name": "default", "role_arn": "", "input": "", "input_path": "",
        "input_transformer": [], "dead_letter_config": [], "retry_policy": [],
        "ecs_target": [], "batch_target": [], "kinesis_target": [], "sqs_target": [],
        "http_target": [], "run_command_targets": [], "force_destroy": false,
    })
}

#[test]
fn cloudwatch_logs_alarms_and_events_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-ops-cloudwatch");
    let topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:ops");
    let queue = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:jobs");
    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            logs = client("logs")
            cw = client("cloudwatch")
            ev = client("events")
            for name in ["/app/web", "/app/gone"]:
                logs.create_log_group(logGroupName=name, tags={{"Team": "ops"}})
                logs.put_retention_policy(logGroupName=name, retentionInDays=30)
            for name in ["cpu-high", "gone-alarm"]:
                cw.put_metric_alarm(AlarmName=name, AlarmDescription="CPU above 80%",
                    ActionsEnabled=True, AlarmActions=[{topic:?}], MetricName="CPUUtilization",
                    Namespace="AWS/EC2", Statistic="Average",
                    Dimensions=[{{"Name": "InstanceId", "Value": "i-0abc"}}], Period=300,
                    EvaluationPeriods=2, Threshold=80.0,
                    ComparisonOperator="GreaterThanThreshold",
                    Tags=[{{"Key": "Team", "Value": "ops"}}])
            for name in ["nightly", "gone-rule"]:
                ev.put_rule(Name=name, ScheduleExpression="rate(1 day)", State="ENABLED",
                    Description="nightly job", Tags=[{{"Key": "Team", "Value": "ops"}}])
                ev.put_targets(Rule=name, Targets=[{{"Id": "q", "Arn": {queue:?}}}])
            "#
        ),
    )
    .expect("seed cloudwatch");
    let mut state = TfState::new();
    for (name, group) in [("web", "/app/web"), ("gone", "/app/gone")] {
        state.add(
            None,
            "aws_cloudwatch_log_group",
            name,
            None,
            log_group_state(group),
        );
    }
    for name in ["cpu-high", "gone-alarm"] {
        state.add(
            None,
            "aws_cloudwatch_metric_alarm",
            name,
            None,
            alarm_state(name, &topic),
        );
    }
    for name in ["nightly", "gone-rule"] {
        state.add(
            None,
            "aws_cloudwatch_event_rule",
            name,
            None,
            rule_state(name),
        );
        state.add(
            None,
            "aws_cloudwatch_event_target",
            name,
            None,
            target_state(name, "q", &queue),
        );
    }
    let types = [
        "aws_cloudwatch_log_group",
        "aws_cloudwatch_metric_alarm",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_event_target",
    ];
    write_then_assert_in_sync(&dir, &endpoint, &state, &types, 8);

    let other_queue = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:elsewhere");
    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            logs = client("logs")
            cw = client("cloudwatch")
            ev = client("events")
            logs.put_retention_policy(logGroupName="/app/web", retentionInDays=1)
            logs.delete_log_group(logGroupName="/app/gone")
            logs.create_log_group(logGroupName="/app/byhand")
            cw.disable_alarm_actions(AlarmNames=["cpu-high"])
            cw.delete_alarms(AlarmNames=["gone-alarm"])
            cw.put_metric_alarm(AlarmName="byhand", MetricName="Errors", Namespace="App",
                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1.0,
                ComparisonOperator="GreaterThanThreshold")
            ev.disable_rule(Name="nightly")
            ev.put_targets(Rule="nightly", Targets=[{{"Id": "q", "Arn": {other_queue:?}}}])
            ev.remove_targets(Rule="gone-rule", Ids=["q"])
            ev.delete_rule(Name="gone-rule")
            ev.put_rule(Name="byhand", ScheduleExpression="rate(1 hour)")
            ev.put_targets(Rule="byhand", Targets=[{{"Id": "t", "Arn": {queue:?}}}])
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
                "aws_cloudwatch_log_group",
                "/app/web",
                &["retention_in_days"],
            ),
            finding(
                "missing",
                "critical",
                "aws_cloudwatch_log_group",
                "/app/gone",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudwatch_log_group",
                "/app/byhand",
                &[],
            ),
            finding(
                "changed",
                "critical",
                "aws_cloudwatch_metric_alarm",
                "cpu-high",
                &["actions_enabled"],
            ),
            finding(
                "missing",
                "critical",
                "aws_cloudwatch_metric_alarm",
                "gone-alarm",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudwatch_metric_alarm",
                "byhand",
                &[],
            ),
            finding(
                "changed",
                "warning",
                "aws_cloudwatch_event_rule",
                "nightly",
                &["state", "is_enabled"],
            ),
            finding(
                "missing",
                "critical",
                "aws_cloudwatch_event_rule",
                "gone-rule",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudwatch_event_rule",
                "byhand",
                &[],
            ),
            finding(
                "changed",
                "critical",
                "aws_cloudwatch_event_target",
                "nightly/q",
                &["arn"],
            ),
            finding(
                "missing",
                "critical",
                "aws_cloudwatch_event_target",
                "gone-rule/q",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudwatch_event_target",
                "byhand/t",
                &[],
            ),
        ],
    );
    // One DescribeLogGroups, then one ListTagsForResource per group.
    assert_eq!(
        api_calls(&run.stderr, "aws_cloudwatch_log_group"),
        Some(1 + 2)
    );
    // ListEventBuses, ListRules on the default bus, one ListTargetsByRule per rule.
    assert_eq!(
        api_calls(&run.stderr, "aws_cloudwatch_event_target"),
        Some(2 + 2)
    );
}

fn trail_state(name: &str) -> Value {
    let arn = format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}");
    json!({
        "id": arn, "arn": arn, "name": name, "home_region": REGION,
        "s3_bucket_name": "audit-logs", "s3_key_prefix": "", "enable_logging": true,
        "enable_log_file_validation": true, "include_global_service_events": true,
        "is_multi_region_trail": false, "is_organization_trail": false, "kms_key_id": "",
        "cloud_watch_logs_group_arn": "", "cloud_watch_logs_role_arn": "",
        "sns_topic_name": "", "event_selector": [], "advanced_event_selector": [],
        "insight_selector": [], "tags": {"Team": "sec"}, "tags_all": {"Team": "sec"},
    })
}

fn repository_state(name: &str) -> Value {
    json!({
        "id": name, "name": name,
        "arn": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"),
        "registry_id": ACCOUNT,
        "repository_url": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"),
        "image_tag_mutability": "IMMUTABLE", "force_delete": null,
        "image_scanning_configuration": [{"scan_on_push": true}],
        "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
        "tags": {"Team": "web"}, "tags_all": {"Team": "web"},
    })
}

#[test]
fn trails_and_repositories_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-ops-trail-ecr");
    boto3(
        &endpoint,
        REGION,
        r#"
        s3 = client("s3")
        s3.create_bucket(Bucket="audit-logs",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        ct = client("cloudtrail")
        for name in ["audit", "gone"]:
            ct.create_trail(Name=name, S3BucketName="audit-logs",
                EnableLogFileValidation=True, IncludeGlobalServiceEvents=True,
                TagsList=[{"Key": "Team", "Value": "sec"}])
            ct.start_logging(Name=name)
        ecr = client("ecr")
        for name in ["web", "gone"]:
            ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE",
                imageScanningConfiguration={"scanOnPush": True},
                tags=[{"Key": "Team", "Value": "web"}])
        "#,
    )
    .expect("seed");
    let mut state = TfState::new();
    for name in ["audit", "gone"] {
        state.add(None, "aws_cloudtrail", name, None, trail_state(name));
    }
    for name in ["web", "gone"] {
        state.add(
            None,
            "aws_ecr_repository",
            name,
            None,
            repository_state(name),
        );
    }
    let types = ["aws_cloudtrail", "aws_ecr_repository"];
    write_then_assert_in_sync(&dir, &endpoint, &state, &types, 4);

    boto3(
        &endpoint,
        REGION,
        r#"
        ct = client("cloudtrail")
        ct.stop_logging(Name="audit")
        ct.delete_trail(Name="gone")
        ct.create_trail(Name="byhand", S3BucketName="audit-logs")
        ecr = client("ecr")
        ecr.put_image_tag_mutability(repositoryName="web", imageTagMutability="MUTABLE")
        ecr.delete_repository(repositoryName="gone")
        ecr.create_repository(repositoryName="byhand")
        "#,
    )
    .expect("drift");
    let trail = |name: &str| format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{name}");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "critical",
                "aws_cloudtrail",
                &trail("audit"),
                &["enable_logging"],
            ),
            finding("missing", "critical", "aws_cloudtrail", &trail("gone"), &[]),
            finding(
                "unmanaged",
                "warning",
                "aws_cloudtrail",
                &trail("byhand"),
                &[],
            ),
            finding(
                "changed",
                "critical",
                "aws_ecr_repository",
                "web",
                &["image_tag_mutability"],
            ),
            finding("missing", "critical", "aws_ecr_repository", "gone", &[]),
            finding("unmanaged", "warning", "aws_ecr_repository", "byhand", &[]),
        ],
    );
    // DescribeTrails, then GetTrailStatus and ListTags for each of the two trails.
    assert_eq!(api_calls(&run.stderr, "aws_cloudtrail"), Some(1 + 2 * 2));
}

fn cluster_arn(name: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}")
}

fn cluster_state(name: &str) -> Value {
    let arn = cluster_arn(name);
    json!({
        "id": arn, "arn": arn, "name": name, "configuration": [],
        "setting": [{"name": "containerInsights", "value": "enabled"}],
        "service_connect_defaults": [], "tags": {"Team": "apps"}, "tags_all": {"Team": "apps"},
    })
}

/// The container definitions as the provider records them (read back from ECS).
const CONTAINERS: &str = r#"[{"name":"web","image":"nginx:1.27","cpu":0,"memory":256,"essential":true,"environment":[{"name":"MODE","value":"prod"}],"portMappings":[{"containerPort":80,"hostPort":80,"protocol":"tcp"}],"secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:eu-west-1:123456789012:parameter/db"}]}]"#;

fn task_definition_state(family: &str) -> Value {
    json!({
        "id": family, "family": family, "revision": 1,
        "arn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:1"),
        "arn_without_revision": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}"),
        "container_definitions": CONTAINERS, "network_mode": "bridge",
        "requires_compatibilities": [], "cpu": "", "memory": "", "task_role_arn": "",
        "execution_role_arn": "", "pid_mode": "", "ipc_mode": "", "volume": [],
        "placement_constraints": [], "skip_destroy": false, "track_latest": false,
        "tags": {"Team": "apps"}, "tags_all": {"Team": "apps"},
    })
}

fn service_state(name: &str) -> Value {
    let arn = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/apps/{name}");
    json!({
        "id": arn, "name": name, "cluster": cluster_arn("apps"), "task_definition": "web:1",
        "desired_count": 2, "launch_type": "EC2", "platform_version": "",
        "scheduling_strategy": "REPLICA", "deployment_maximum_percent": 200,
        "deployment_minimum_healthy_percent": 100, "enable_execute_command": false,
        "enable_ecs_managed_tags": false, "propagate_tags": "NONE",
        "health_check_grace_period_seconds": 0, "iam_role": "", "network_configuration": [],
        "load_balancer": [], "capacity_provider_strategy": [], "force_new_deployment": null,
        "wait_for_steady_state": false, "triggers": {},
        "tags": {"Team": "apps"}, "tags_all": {"Team": "apps"},
    })
}

#[test]
fn ecs_clusters_services_and_task_definitions_in_sync_then_each_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-ops-ecs");
    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            import json
            ecs = client("ecs")
            tags = [{{"key": "Team", "value": "apps"}}]
            for name in ["apps", "gone"]:
                ecs.create_cluster(clusterName=name, tags=tags,
                    settings=[{{"name": "containerInsights", "value": "enabled"}}])
            for family in ["web", "gone-td"]:
                ecs.register_task_definition(family=family, tags=tags,
                    containerDefinitions=json.loads({CONTAINERS:?}))
            for name in ["web", "gone-svc"]:
                ecs.create_service(cluster="apps", serviceName=name, taskDefinition="web:1",
                    desiredCount=2, launchType="EC2", tags=tags)
            "#
        ),
    )
    .expect("seed ecs");
    let mut state = TfState::new();
    for name in ["apps", "gone"] {
        state.add(None, "aws_ecs_cluster", name, None, cluster_state(name));
    }
    for family in ["web", "gone-td"] {
        state.add(
            None,
            "aws_ecs_task_definition",
            family,
            None,
            task_definition_state(family),
        );
    }
    for name in ["web", "gone-svc"] {
        state.add(None, "aws_ecs_service", name, None, service_state(name));
    }
    let types = [
        "aws_ecs_cluster",
        "aws_ecs_task_definition",
        "aws_ecs_service",
    ];
    write_then_assert_in_sync(&dir, &endpoint, &state, &types, 6);

    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            import json
            ecs = client("ecs")
            ecs.update_cluster(cluster="apps",
                settings=[{{"name": "containerInsights", "value": "disabled"}}])
            ecs.delete_cluster(cluster="gone")
            ecs.create_cluster(clusterName="byhand")
            defs = json.loads({CONTAINERS:?})
            defs[0]["image"] = "nginx:latest"
            ecs.register_task_definition(family="web", containerDefinitions=defs,
                tags=[{{"key": "Team", "value": "apps"}}])
            ecs.deregister_task_definition(taskDefinition="gone-td:1")
            ecs.register_task_definition(family="byhand", containerDefinitions=defs)
            ecs.update_service(cluster="apps", service="web", desiredCount=5)
            ecs.delete_service(cluster="apps", service="gone-svc", force=True)
            ecs.create_service(cluster="apps", serviceName="byhand", taskDefinition="web:1",
                desiredCount=1)
            "#
        ),
    )
    .expect("drift");
    let service = |name: &str| format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/apps/{name}");
    assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "warning",
                "aws_ecs_cluster",
                &cluster_arn("apps"),
                &["setting"],
            ),
            finding(
                "missing",
                "critical",
                "aws_ecs_cluster",
                &cluster_arn("gone"),
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_ecs_cluster",
                &cluster_arn("byhand"),
                &[],
            ),
            finding(
                "changed",
                "warning",
                "aws_ecs_task_definition",
                "web",
                &["revision", "container_definitions"],
            ),
            finding(
                "missing",
                "critical",
                "aws_ecs_task_definition",
                "gone-td",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_ecs_task_definition",
                "byhand",
                &[],
            ),
            finding(
                "changed",
                "warning",
                "aws_ecs_service",
                &service("web"),
                &["desired_count"],
            ),
            finding(
                "missing",
                "critical",
                "aws_ecs_service",
                &service("gone-svc"),
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_ecs_service",
                &service("byhand"),
                &[],
            ),
        ],
    );
}

fn eks_cluster_state(name: &str) -> Value {
    json!({
        "id": name, "name": name, "arn": format!("arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}"),
        "version": "1.30", "role_arn": format!("arn:aws:iam::{ACCOUNT}:role/eks"),
        "vpc_config": [{"subnet_ids": ["subnet-b", "subnet-a"], "security_group_ids": [],
            "cluster_security_group_id": "", "vpc_id": "", "endpoint_public_access": false,
            "endpoint_private_access": true, "public_access_cidrs": []}],
        "encryption_config": [], "enabled_cluster_log_types": [], "access_config": [],
        "kubernetes_network_config": [], "tags": {"Team": "platform"},
        "tags_all": {"Team": "platform"},
    })
}

fn node_group_state(name: &str) -> Value {
    json!({
        "id": format!("prod:{name}"), "cluster_name": "prod", "node_group_name": name,
        "node_role_arn": format!("arn:aws:iam::{ACCOUNT}:role/nodes"), "subnet_ids": ["subnet-a"],
        "scaling_config": [{"min_size": 1, "max_size": 3, "desired_size": 2}],
        "instance_types": ["t3.medium"], "ami_type": "AL2_x86_64", "capacity_type": "ON_DEMAND",
        "disk_size": 20, "labels": {}, "version": "1.19", "release_version": "1.19.8-20210414",
        "remote_access": [{"ec2_ssh_key": "ops", "source_security_group_ids": ["sg-1"]}],
        "taint": [], "launch_template": [], "update_config": [],
        "tags": {"Team": "platform"}, "tags_all": {"Team": "platform"},
    })
}

#[test]
fn eks_clusters_and_node_groups_in_sync_then_each_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-ops-eks");
    boto3(
        &endpoint,
        REGION,
        r#"
        eks = client("eks")
        for name in ["prod", "gone"]:
            eks.create_cluster(name=name, version="1.30",
                roleArn="arn:aws:iam::123456789012:role/eks",
                resourcesVpcConfig={"subnetIds": ["subnet-a", "subnet-b"],
                    "endpointPublicAccess": False, "endpointPrivateAccess": True},
                tags={"Team": "platform"})
        for name in ["workers", "gone-ng"]:
            eks.create_nodegroup(clusterName="prod", nodegroupName=name, subnets=["subnet-a"],
                nodeRole="arn:aws:iam::123456789012:role/nodes",
                scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 2},
                remoteAccess={"ec2SshKey": "ops", "sourceSecurityGroups": ["sg-1"]},
                tags={"Team": "platform"})
        "#,
    )
    .expect("seed eks");
    let mut state = TfState::new();
    for name in ["prod", "gone"] {
        state.add(None, "aws_eks_cluster", name, None, eks_cluster_state(name));
    }
    for name in ["workers", "gone-ng"] {
        state.add(
            None,
            "aws_eks_node_group",
            name,
            None,
            node_group_state(name),
        );
    }
    let types = ["aws_eks_cluster", "aws_eks_node_group"];
    write_then_assert_in_sync(&dir, &endpoint, &state, &types, 4);

    boto3(
        &endpoint,
        REGION,
        r#"
        eks = client("eks")
        eks.update_cluster_config(name="prod", resourcesVpcConfig={
            "subnetIds": ["subnet-a", "subnet-b"], "endpointPublicAccess": True,
            "endpointPrivateAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})
        eks.delete_cluster(name="gone")
        eks.create_cluster(name="byhand", roleArn="arn:aws:iam::123456789012:role/eks",
            resourcesVpcConfig={"subnetIds": ["subnet-a"]})
        eks.update_nodegroup_config(clusterName="prod", nodegroupName="workers",
            scalingConfig={"minSize": 1, "maxSize": 3, "desiredSize": 3})
        eks.delete_nodegroup(clusterName="prod", nodegroupName="gone-ng")
        eks.create_nodegroup(clusterName="prod", nodegroupName="byhand", subnets=["subnet-a"],
            nodeRole="arn:aws:iam::123456789012:role/nodes")
        "#,
    )
    .expect("drift");
    let run = assert_findings(
        &dir,
        vec![
            finding(
                "changed",
                "critical",
                "aws_eks_cluster",
                "prod",
                &["vpc_config"],
            ),
            finding("missing", "critical", "aws_eks_cluster", "gone", &[]),
            finding("unmanaged", "warning", "aws_eks_cluster", "byhand", &[]),
            finding(
                "changed",
                "warning",
                "aws_eks_node_group",
                "prod:workers",
                &["scaling_config"],
            ),
            finding(
                "missing",
                "critical",
                "aws_eks_node_group",
                "prod:gone-ng",
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_eks_node_group",
                "prod:byhand",
                &[],
            ),
        ],
    );
    // ListClusters, then DescribeCluster for each of the two clusters.
    assert_eq!(api_calls(&run.stderr, "aws_eks_cluster"), Some(1 + 2));
}
