//! Lambda, API Gateway, Step Functions and EFS end to end against moto through the built binary.
//! moto is seeded and changed with boto3 (an independent client), the state is written as
//! Terraform writes it, and `driftd check` must find: nothing while in sync (moto's own defaults
//! not reported), one out-of-band change per type with its path and tier, a deletion, and what
//! was made by hand.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "123456789012";

/// Runs `-v check` in `dir`: the sorted findings, and the run.
fn check_drift(dir: &TempDir) -> (Vec<Found>, Run) {
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let mut got = findings(&run.json());
    got.sort();
    (got, run)
}

/// What Terraform records for a zip function made with these settings (the provider's
/// defaults: no reserved concurrency is -1, no KMS key is "").
fn function_state(name: &str, role: &str, sha: &str, variables: Value) -> Value {
    json!({
        "id": name, "function_name": name,
        "arn": format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"),
        "role": role, "handler": "app.handler", "runtime": "python3.12",
        "memory_size": 256, "timeout": 30, "description": "",
        "environment": [{"variables": variables}], "kms_key_arn": "",
        "vpc_config": [], "dead_letter_config": [], "file_system_config": [],
        "tracing_config": [{"mode": "PassThrough"}], "layers": [],
        "architectures": ["x86_64"], "ephemeral_storage": [{"size": 512}],
        "package_type": "Zip", "image_uri": "", "reserved_concurrent_executions": -1,
        "code_sha256": sha, "source_code_hash": sha, "filename": "lambda.zip",
        "s3_bucket": null, "s3_key": null, "s3_object_version": null, "publish": false,
        "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
    })
}

/// What Terraform records for a permission (its id is the statement id).
fn permission_state(function: &str, sid: &str, principal: &str, source_arn: Value) -> Value {
    json!({
        "id": sid, "statement_id": sid, "statement_id_prefix": "",
        "function_name": function, "action": "lambda:InvokeFunction", "principal": principal,
        "source_arn": source_arn, "source_account": null, "qualifier": "",
        "event_source_token": null, "principal_org_id": null, "function_url_auth_type": null,
    })
}

/// What Terraform records for an SQS event source mapping.
fn mapping_state(uuid: &str, function: &str, queue_arn: &str) -> Value {
    json!({
        "id": uuid, "uuid": uuid, "function_name": function,
        "function_arn": format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"),
        "event_source_arn": queue_arn, "enabled": true, "state": "Enabled", "batch_size": 10,
        "maximum_batching_window_in_seconds": 0, "starting_position": "",
        "starting_position_timestamp": "", "maximum_retry_attempts": 0,
        "maximum_record_age_in_seconds": 0, "bisect_batch_on_function_error": false,
        "parallelization_factor": 0, "function_response_types": [], "filter_criteria": [],
        "destination_config": [], "tags": {}, "tags_all": {},
    })
}

const SEED_LAMBDA: &str = r#"
import io, zipfile
iam = client("iam")
def role(name):
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
out["role"] = role("fn")
out["admin"] = role("admin")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("app.py", "def handler(event, context):\n    return 1\n")
ZIP = buf.getvalue()
lam = client("lambda")
def function(name):
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=out["role"],
        Handler="app.handler", Code={"ZipFile": ZIP}, Timeout=30, MemorySize=256,
        Environment={"Variables": {"STAGE": "prod", "DB_PASSWORD": "moto-only-not-a-secret-1"}},
        Tags={"Team": "orders"})["CodeSha256"]
out["sha"] = function("orders")
function("gone")
lam.add_permission(FunctionName="orders", StatementId="AllowS3", Action="lambda:InvokeFunction",
    Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")
lam.add_permission(FunctionName="orders", StatementId="AllowEvents",
    Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
sqs = client("sqs")
def queue(name):
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
for name in ["jobs", "old", "more"]:
    out[name] = queue(name)
out["m_jobs"] = lam.create_event_source_mapping(EventSourceArn=out["jobs"], FunctionName="orders", BatchSize=10)["UUID"]
out["m_old"] = lam.create_event_source_mapping(EventSourceArn=out["old"], FunctionName="orders", BatchSize=10)["UUID"]
"#;

#[test]
fn lambda_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-serverless-lambda");
    let seeded = boto3(&endpoint, REGION, SEED_LAMBDA).expect("seed lambda");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let (role, admin, sha) = (s("role"), s("admin"), s("sha"));
    let variables = json!({"STAGE": "prod", "DB_PASSWORD": "moto-only-not-a-secret-1"});
    let mut state = TfState::new();
    for name in ["orders", "gone"] {
        state.add(
            None,
            "aws_lambda_function",
            name,
            None,
            function_state(name, &role, &sha, variables.clone()),
        );
    }
    state.add(
        None,
        "aws_lambda_permission",
        "s3",
        None,
        permission_state(
            "orders",
            "AllowS3",
            "s3.amazonaws.com",
            json!("arn:aws:s3:::uploads"),
        ),
    );
    state.add(
        None,
        "aws_lambda_permission",
        "events",
        None,
        permission_state("orders", "AllowEvents", "events.amazonaws.com", Value::Null),
    );
    for (name, uuid, queue) in [
        ("jobs", s("m_jobs"), s("jobs")),
        ("old", s("m_old"), s("old")),
    ] {
        state.add(
            None,
            "aws_lambda_event_source_mapping",
            name,
            None,
            mapping_state(&uuid, "orders", &queue),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(
            &endpoint,
            &[REGION],
            &[
                "aws_lambda_function",
                "aws_lambda_permission",
                "aws_lambda_event_source_mapping",
            ],
            "",
        ),
    );
    assert_in_sync(&dir, 6);

    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            import io, zipfile
            lam = client("lambda")
            lam.update_function_configuration(FunctionName="orders", MemorySize=512, Role={admin:?},
                Environment={{"Variables": {{"STAGE": "prod", "DB_PASSWORD": "moto-only-not-a-secret-2",
                    "API_KEY": "moto-only-not-a-secret-3"}}}})
            lam.delete_function(FunctionName="gone")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("app.py", "def handler(event, context):\n    return 2\n")
            lam.create_function(FunctionName="byhand", Runtime="python3.12", Role={role:?},
                Handler="app.handler", Code={{"ZipFile": buf.getvalue()}})
            lam.remove_permission(FunctionName="orders", StatementId="AllowS3")
            lam.add_permission(FunctionName="orders", StatementId="AllowS3",
                Action="lambda:InvokeFunction", Principal="*", SourceArn="arn:aws:s3:::uploads")
            lam.remove_permission(FunctionName="orders", StatementId="AllowEvents")
            lam.add_permission(FunctionName="byhand", StatementId="Anyone",
                Action="lambda:InvokeFunction", Principal="*")
            lam.update_event_source_mapping(UUID={jobs:?}, BatchSize=5)
            lam.delete_event_source_mapping(UUID={old:?})
            out["m_more"] = lam.create_event_source_mapping(EventSourceArn={more:?},
                FunctionName="byhand", BatchSize=10)["UUID"]
            "#,
            admin = admin,
            role = role,
            jobs = s("m_jobs"),
            old = s("m_old"),
            more = s("more"),
        ),
    )
    .map(|out| {
        let (got, run) = check_drift(&dir);
        let more = out["m_more"].as_str().expect("uuid");
        let mut expected = vec![
            finding(
                "changed",
                "critical",
                "aws_lambda_function",
                "orders",
                &["role", "environment.0.variables.API_KEY", "memory_size"],
            ),
            finding("missing", "critical", "aws_lambda_function", "gone", &[]),
            finding("unmanaged", "warning", "aws_lambda_function", "byhand", &[]),
            finding(
                "changed",
                "critical",
                "aws_lambda_permission",
                "AllowS3",
                &["principal"],
            ),
            finding("missing", "critical", "aws_lambda_permission", "AllowEvents", &[]),
            finding(
                "unmanaged",
                "warning",
                "aws_lambda_permission",
                "byhand/Anyone",
                &[],
            ),
            finding(
                "changed",
                "warning",
                "aws_lambda_event_source_mapping",
                &s("m_jobs"),
                &["batch_size"],
            ),
            finding(
                "missing",
                "critical",
                "aws_lambda_event_source_mapping",
                &s("m_old"),
                &[],
            ),
            finding(
                "unmanaged",
                "warning",
                "aws_lambda_event_source_mapping",
                more,
                &[],
            ),
        ];
        expected.sort();
        assert_eq!(got, expected, "stderr: {}", run.stderr);
        assert_eq!(run.code, 2, "stderr: {}", run.stderr);
        // No variable's value is ever shown, old or new.
        for secret in ["moto-only-not-a-secret", "hunter"] {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
        }
        // One list, then one read per function (orders, byhand) for each of the two types
        // that read functions; the mappings come in one call.
        assert_eq!(api_calls(&run.stderr, "aws_lambda_function"), Some(1 + 2));
        assert_eq!(api_calls(&run.stderr, "aws_lambda_permission"), Some(1 + 2));
        assert_eq!(
            api_calls(&run.stderr, "aws_lambda_event_source_mapping"),
            Some(1)
        );
    })
    .expect("drift");
}

const API_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#;

#[test]
fn api_gateway_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-serverless-apigateway");
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            ag = client("apigateway")
            for name in ["orders", "gone"]:
                out[name] = ag.create_rest_api(name=name, description="Orders API",
                    endpointConfiguration={{"types": ["REGIONAL"]}}, policy={API_POLICY:?},
                    tags={{"Team": "orders"}})["id"]
            v2 = client("apigatewayv2")
            for name in ["http", "gone2"]:
                out[name] = v2.create_api(Name=name, ProtocolType="HTTP", Tags={{"Team": "orders"}},
                    CorsConfiguration={{"AllowOrigins": ["https://a.example"]}})["ApiId"]
            "#
        ),
    )
    .expect("seed apis");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let mut state = TfState::new();
    for name in ["orders", "gone"] {
        let id = s(name);
        state.add(
            None,
            "aws_api_gateway_rest_api",
            name,
            None,
            json!({
                "id": id, "name": name, "description": "Orders API",
                "arn": format!("arn:aws:apigateway:{REGION}::/restapis/{id}"),
                "api_key_source": "HEADER", "binary_media_types": [], "body": null,
                "endpoint_configuration": [{"types": ["REGIONAL"], "vpc_endpoint_ids": []}],
                "disable_execute_api_endpoint": false, "minimum_compression_size": "",
                "policy": API_POLICY, "parameters": null, "put_rest_api_mode": null,
                "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
            }),
        );
    }
    for name in ["http", "gone2"] {
        let id = s(name);
        state.add(
            None,
            "aws_apigatewayv2_api",
            name,
            None,
            json!({
                "id": id, "name": name, "protocol_type": "HTTP", "description": "",
                "version": "", "body": null, "credentials_arn": null, "route_key": null,
                "target": null, "fail_on_warnings": null,
                "api_key_selection_expression": "$request.header.x-api-key",
                "route_selection_expression": "$request.method $request.path",
                "disable_execute_api_endpoint": false,
                "cors_configuration": [{"allow_credentials": false, "allow_headers": [],
                    "allow_methods": [], "allow_origins": ["https://a.example"],
                    "expose_headers": [], "max_age": 0}],
                "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
            }),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(
            &endpoint,
            &[REGION],
            &["aws_api_gateway_rest_api", "aws_apigatewayv2_api"],
            "",
        ),
    );
    assert_in_sync(&dir, 4);

    let out = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            ag = client("apigateway")
            ag.update_rest_api(restApiId={orders:?}, patchOperations=[
                {{"op": "replace", "path": "/description", "value": "changed by hand"}}])
            ag.delete_rest_api(restApiId={gone:?})
            out["byhand"] = ag.create_rest_api(name="byhand")["id"]
            v2 = client("apigatewayv2")
            v2.update_api(ApiId={http:?}, CorsConfiguration={{"AllowOrigins": ["*"]}})
            v2.delete_api(ApiId={gone2:?})
            out["byhand2"] = v2.create_api(Name="byhand2", ProtocolType="HTTP")["ApiId"]
            "#,
            orders = s("orders"),
            gone = s("gone"),
            http = s("http"),
            gone2 = s("gone2"),
        ),
    )
    .expect("drift");
    let (got, run) = check_drift(&dir);
    let o = |k: &str| out[k].as_str().expect(k).to_string();
    let mut expected = vec![
        finding(
            "changed",
            "warning",
            "aws_api_gateway_rest_api",
            &s("orders"),
            &["description"],
        ),
        finding(
            "missing",
            "critical",
            "aws_api_gateway_rest_api",
            &s("gone"),
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_api_gateway_rest_api",
            &o("byhand"),
            &[],
        ),
        finding(
            "changed",
            "critical",
            "aws_apigatewayv2_api",
            &s("http"),
            &["cors_configuration.0.allow_origins"],
        ),
        finding(
            "missing",
            "critical",
            "aws_apigatewayv2_api",
            &s("gone2"),
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_apigatewayv2_api",
            &o("byhand2"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // Each listing is one call: the APIs come with their tags and policy.
    assert_eq!(api_calls(&run.stderr, "aws_api_gateway_rest_api"), Some(1));
    assert_eq!(api_calls(&run.stderr, "aws_apigatewayv2_api"), Some(1));
}

const DEFINITION: &str = r#"{
  "StartAt": "Wait",
  "States": {"Wait": {"Type": "Wait", "Seconds": 5, "End": true}}
}"#;

#[test]
fn step_functions_and_efs_in_sync_then_each_out_of_band_change_is_found() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-serverless-sfn-efs");
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            iam = client("iam")
            def role(name):
                return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({{
                    "Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
                    "Principal": {{"Service": "states.amazonaws.com"}}, "Action": "sts:AssumeRole"}}]}}))["Role"]["Arn"]
            out["role"] = role("flow")
            out["admin"] = role("admin")
            sf = client("stepfunctions")
            for name in ["flow", "gone"]:
                out[name] = sf.create_state_machine(name=name, definition={DEFINITION:?},
                    roleArn=out["role"], tags=[{{"key": "Team", "value": "orders"}}])["stateMachineArn"]
            efs = client("efs")
            for token in ["data", "olddata"]:
                fs = efs.create_file_system(CreationToken=token, Encrypted=True,
                    Tags=[{{"Key": "Name", "Value": token}}])["FileSystemId"]
                efs.put_lifecycle_configuration(FileSystemId=fs,
                    LifecyclePolicies=[{{"TransitionToIA": "AFTER_30_DAYS"}}])
                out[token] = fs
            "#
        ),
    )
    .expect("seed");
    let s = |k: &str| seeded[k].as_str().expect(k).to_string();
    let mut state = TfState::new();
    for name in ["flow", "gone"] {
        let arn = s(name);
        state.add(
            None,
            "aws_sfn_state_machine",
            name,
            None,
            json!({
                "id": arn, "arn": arn, "name": name, "name_prefix": "",
                "definition": DEFINITION, "role_arn": s("role"), "type": "STANDARD",
                "logging_configuration": [{"include_execution_data": false, "level": "OFF", "log_destination": ""}],
                "tracing_configuration": [{"enabled": false}],
                "encryption_configuration": [{"type": "AWS_OWNED_KEY", "kms_key_id": "", "kms_data_key_reuse_period_seconds": 0}],
                "publish": false, "status": "ACTIVE",
                "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
            }),
        );
    }
    for token in ["data", "olddata"] {
        let id = s(token);
        state.add(
            None,
            "aws_efs_file_system",
            token,
            None,
            json!({
                "id": id, "creation_token": token, "encrypted": true,
                "arn": format!("arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{id}"),
                "kms_key_id": format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                "performance_mode": "generalPurpose", "throughput_mode": "bursting",
                "provisioned_throughput_in_mibps": 0, "availability_zone_name": "",
                "lifecycle_policy": [{"transition_to_ia": "AFTER_30_DAYS",
                    "transition_to_primary_storage_class": "", "transition_to_archive": ""}],
                "protection": [{"replication_overwrite": "ENABLED"}],
                "number_of_mount_targets": 0, "owner_id": ACCOUNT,
                "tags": {"Name": token}, "tags_all": {"Name": token},
            }),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(
            &endpoint,
            &[REGION],
            &["aws_sfn_state_machine", "aws_efs_file_system"],
            "",
        ),
    );
    assert_in_sync(&dir, 4);

    let out = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            sf = client("stepfunctions")
            sf.update_state_machine(stateMachineArn={flow:?}, roleArn={admin:?})
            sf.delete_state_machine(stateMachineArn={gone:?})
            out["byhand"] = sf.create_state_machine(name="byhand", definition={DEFINITION:?},
                roleArn={admin:?})["stateMachineArn"]
            efs = client("efs")
            efs.put_lifecycle_configuration(FileSystemId={data:?},
                LifecyclePolicies=[{{"TransitionToIA": "AFTER_7_DAYS"}}])
            efs.delete_file_system(FileSystemId={olddata:?})
            out["byhand_fs"] = efs.create_file_system(CreationToken="byhand")["FileSystemId"]
            "#,
            flow = s("flow"),
            admin = s("admin"),
            gone = s("gone"),
            data = s("data"),
            olddata = s("olddata"),
        ),
    )
    .expect("drift");
    let (got, run) = check_drift(&dir);
    let o = |k: &str| out[k].as_str().expect(k).to_string();
    let mut expected = vec![
        finding(
            "changed",
            "critical",
            "aws_sfn_state_machine",
            &s("flow"),
            &["role_arn"],
        ),
        finding(
            "missing",
            "critical",
            "aws_sfn_state_machine",
            &s("gone"),
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_sfn_state_machine",
            &o("byhand"),
            &[],
        ),
        finding(
            "changed",
            "warning",
            "aws_efs_file_system",
            &s("data"),
            &["lifecycle_policy"],
        ),
        finding(
            "missing",
            "critical",
            "aws_efs_file_system",
            &s("olddata"),
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_efs_file_system",
            &o("byhand_fs"),
            &[],
        ),
    ];
    expected.sort();
    assert_eq!(got, expected, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    // Step Functions: one list, then DescribeStateMachine and ListTagsForResource for each of
    // the two state machines; EFS: one list, then the lifecycle of each of the two.
    assert_eq!(
        api_calls(&run.stderr, "aws_sfn_state_machine"),
        Some(1 + 2 * 2)
    );
    assert_eq!(api_calls(&run.stderr, "aws_efs_file_system"), Some(1 + 2));
}
