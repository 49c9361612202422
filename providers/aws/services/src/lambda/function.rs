//! `aws_lambda_function`: the id is the function's name, as Terraform's. ListFunctions pages
//! through the functions; each is then read with GetFunction (one call per function, counted
//! like every other), which adds its tags, its image and its reserved concurrency.
//!
//! What matters most: the execution role (what the code may do: critical), the KMS key of its
//! environment (taken away: critical), its network placement and its environment.
//!
//! Environment variables often hold secrets. Only their names are compared (`Shape::Keys`, a
//! variable added or removed out of band is found); their values are never kept from the answer,
//! so they can appear in no finding, log or report, and a value changed in place is not found
//! (listed as not compared).
//!
//! moto serves every call used here (its GetFunction answers no `Concurrency` unless some is
//! reserved: then the function's is the provider's `-1`).

use super::{function_path, functions, SERVICE};
use crate::client::ApiClient;
use crate::common::removed_is_critical;
use crate::common::{array, number, resource, str_of, tag_map, text, GRANTS, TAGS};
use crate::paging::{each_bounded, unless_gone};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct LambdaFunction;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lambda_function",
    attrs: &[
        AttrSpec::new("function_name", Shape::Scalar),
        AttrSpec::new("role", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("kms_key_arn", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("environment.0.variables", Shape::Keys),
        AttrSpec::new("vpc_config.0.subnet_ids", Shape::Set),
        AttrSpec::new("vpc_config.0.security_group_ids", Shape::Set),
        AttrSpec::new("dead_letter_config.0.target_arn", Shape::Scalar),
        AttrSpec::new("runtime", Shape::Scalar),
        AttrSpec::new("handler", Shape::Scalar),
        AttrSpec::new("package_type", Shape::Scalar),
        AttrSpec::new("image_uri", Shape::Scalar),
        AttrSpec::new("code_sha256", Shape::Scalar),
        AttrSpec::new("layers", Shape::Set),
        AttrSpec::new("architectures", Shape::Set),
        AttrSpec::new("memory_size", Shape::Number),
        AttrSpec::new("timeout", Shape::Number),
        AttrSpec::new("ephemeral_storage.0.size", Shape::Number),
        AttrSpec::new("reserved_concurrent_executions", Shape::Number),
        AttrSpec::new("tracing_config.0.mode", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "environment",
            "the variables' values may be secrets: never read, only their names are compared",
        ),
        UncomparedAttr::new(
            "filename",
            "Terraform-side only: where the package was read from; the deployed code is compared as code_sha256",
        ),
        UncomparedAttr::new(
            "s3_bucket",
            "Terraform-side only: where the package was uploaded from; the deployed code is compared as code_sha256",
        ),
        UncomparedAttr::new(
            "s3_key",
            "Terraform-side only: where the package was uploaded from; the deployed code is compared as code_sha256",
        ),
        UncomparedAttr::new(
            "s3_object_version",
            "Terraform-side only: where the package was uploaded from; the deployed code is compared as code_sha256",
        ),
        UncomparedAttr::new(
            "source_code_hash",
            "Terraform-side only: the hash the configuration gives to trigger an update; the deployed code is compared as code_sha256",
        ),
        UncomparedAttr::new(
            "publish",
            "Terraform-side only: whether an apply publishes a version",
        ),
        UncomparedAttr::new(
            "image_config",
            "container image entry point and command overrides: not read by driftd yet",
        ),
        UncomparedAttr::new(
            "file_system_config",
            "EFS mounts: not read by driftd yet",
        ),
        UncomparedAttr::new(
            "logging_config",
            "log format and levels: not read by driftd yet",
        ),
        UncomparedAttr::new(
            "snap_start",
            "SnapStart applies to published versions, not read by driftd yet",
        ),
        UncomparedAttr::new(
            "code_signing_config_arn",
            "needs GetFunctionCodeSigningConfig per function: not read by driftd yet",
        ),
        UncomparedAttr::new(
            "vpc_config.0.ipv6_allowed_for_dual_stack",
            "not read by driftd yet",
        ),
    ],
};

/// Terraform's one-element block, or none when the value is absent.
fn block(key: &str, v: Value) -> Value {
    if v.is_null() {
        json!([])
    } else {
        json!([{ key: v }])
    }
}

/// A function from GetFunction's answer (`Configuration`, `Code`, `Tags`, `Concurrency`).
fn map(got: &Value, region: &str) -> Option<Resource> {
    let c = got.get("Configuration")?;
    let name = str_of(c, "FunctionName");
    if name.is_empty() {
        return None;
    }
    // Only the names of the variables are kept: their values may be secrets.
    let variables: Vec<Value> = c
        .get("Environment")
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    let vpc = c.get("VpcConfig").cloned().unwrap_or(Value::Null);
    let ids = |key: &str| -> Vec<Value> { array(&vpc, key).to_vec() };
    let layers: Vec<Value> = array(c, "Layers")
        .iter()
        .filter_map(|l| l.get("Arn").cloned())
        .collect();
    let dlq = c
        .get("DeadLetterConfig")
        .map(|d| text(d, "TargetArn"))
        .unwrap_or(Value::Null);
    let tracing = c
        .get("TracingConfig")
        .map(|t| text(t, "Mode"))
        .unwrap_or(Value::Null);
    let storage = c
        .get("EphemeralStorage")
        .map(|s| number(s, "Size"))
        .unwrap_or(Value::Null);
    let reserved = got
        .get("Concurrency")
        .map(|x| number(x, "ReservedConcurrentExecutions"))
        .filter(|n| !n.is_null())
        .unwrap_or(json!(-1));
    let image = got
        .get("Code")
        .map(|code| text(code, "ImageUri"))
        .unwrap_or(Value::Null);
    let package_type = match text(c, "PackageType") {
        Value::Null => json!("Zip"),
        p => p,
    };
    let architectures = match array(c, "Architectures") {
        [] => vec![json!("x86_64")],
        a => a.to_vec(),
    };
    let environment = if variables.is_empty() {
        json!([])
    } else {
        json!([{ "variables": variables }])
    };
    Some(resource(
        SPEC.resource_type,
        name,
        region,
        json!({
            "function_name": name,
            "role": text(c, "Role"),
            // No key: the environment is encrypted with Lambda's own; Terraform records "".
            "kms_key_arn": match text(c, "KMSKeyArn") { Value::Null => json!(""), k => k },
            "environment": environment,
            "vpc_config": if vpc.is_null() { json!([]) } else {
                json!([{ "subnet_ids": ids("SubnetIds"), "security_group_ids": ids("SecurityGroupIds") }])
            },
            "dead_letter_config": block("target_arn", dlq),
            "runtime": text(c, "Runtime"),
            "handler": text(c, "Handler"),
            "package_type": package_type,
            "image_uri": image,
            "code_sha256": text(c, "CodeSha256"),
            "layers": layers,
            "architectures": architectures,
            "memory_size": number(c, "MemorySize"),
            "timeout": number(c, "Timeout"),
            "ephemeral_storage": block("size", storage),
            "reserved_concurrent_executions": reserved,
            "tracing_config": block("mode", tracing),
            "description": text(c, "Description"),
            "tags": tag_map(got.get("Tags")),
        }),
    ))
}

#[async_trait]
impl ResourceKind<ApiClient> for LambdaFunction {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let names: Vec<String> = functions(client)
            .await?
            .iter()
            .map(|f| str_of(f, "FunctionName").to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let region = region.to_string();
        let resources = each_bounded(names, |name| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .rest(&SERVICE, "GetFunction", &function_path(&name, ""), "")
                    .await;
                Ok(unless_gone(got)?.and_then(|g| map(&g, &region)))
            }
        })
        .await?;
        Ok(KindListing {
            resources,
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, Tier};
    use driftd_core::{ChangeOp, FindingKind};

    fn answer() -> Value {
        // GetFunction's answer, as the API reference shows it.
        json!({
            "Configuration": {
                "FunctionName": "orders",
                "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:orders",
                "Runtime": "python3.12",
                "Role": "arn:aws:iam::123456789012:role/orders-lambda",
                "Handler": "app.handler",
                "CodeSize": 512,
                "Description": "",
                "Timeout": 30,
                "MemorySize": 256,
                "CodeSha256": "PoaAEeOCmEFZojnrhEJvNzs+jg7/w1lL9GiFYvlM6aw=",
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": ["subnet-2", "subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1"},
                "Environment": {"Variables": {"DB_PASSWORD": "hunter2", "STAGE": "prod"}},
                "TracingConfig": {"Mode": "PassThrough"},
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
            },
            "Code": {"RepositoryType": "S3", "Location": "https://example"},
            "Tags": {"Team": "orders"},
            "Concurrency": {"ReservedConcurrentExecutions": 5},
        })
    }

    #[test]
    fn function_maps_to_terraform_attributes_without_variable_values() {
        let r = map(&answer(), "eu-west-1").expect("a function");
        assert_eq!(r.key.id, "orders");
        assert_eq!(
            r.attrs["role"],
            json!("arn:aws:iam::123456789012:role/orders-lambda")
        );
        assert_eq!(r.attrs["kms_key_arn"], json!(""));
        assert_eq!(r.attrs["memory_size"], json!(256));
        assert_eq!(r.attrs["reserved_concurrent_executions"], json!(5));
        assert_eq!(r.attrs["architectures"], json!(["arm64"]));
        assert_eq!(r.attrs["tracing_config"], json!([{"mode": "PassThrough"}]));
        assert_eq!(r.attrs["ephemeral_storage"], json!([{"size": 512}]));
        assert_eq!(r.attrs["dead_letter_config"], json!([]));
        assert_eq!(r.attrs["tags"], json!({"Team": "orders"}));
        assert_eq!(
            r.attrs["environment"],
            json!([{"variables": ["DB_PASSWORD", "STAGE"]}])
        );
        let all = serde_json::to_string(&r.attrs).unwrap();
        assert!(!all.contains("hunter2"), "a variable's value was kept");
    }

    #[test]
    fn role_and_key_removed_are_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("role", json!("arn:aws:iam::1:role/admin")),
            Tier::Critical
        );
        assert_eq!(tier("kms_key_arn", json!("")), Tier::Critical);
        assert_eq!(tier("kms_key_arn", json!("arn:aws:kms:x")), Tier::Warning);
        assert_eq!(tier("memory_size", json!(1024)), Tier::Warning);
        assert_eq!(tier("tags.Team", json!("x")), Tier::Info);
    }

    #[test]
    fn false_positive_defaults_and_variable_values_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform records the variables' values, -1 for no reserved concurrency, "" for no KMS
        // key and empty blocks; Lambda answers none of them and the subnets in its own order.
        let mut got = answer();
        got.as_object_mut().unwrap().remove("Concurrency");
        let live = map(&got, "eu-west-1").unwrap();
        let state = json!({
            "function_name": "orders", "role": "arn:aws:iam::123456789012:role/orders-lambda",
            "kms_key_arn": "", "handler": "app.handler", "runtime": "python3.12",
            "environment": [{"variables": {"STAGE": "prod", "DB_PASSWORD": "other"}}],
            "vpc_config": [{"subnet_ids": ["subnet-1", "subnet-2"], "security_group_ids": ["sg-1"], "vpc_id": "vpc-1"}],
            "dead_letter_config": [], "package_type": "Zip", "image_uri": "",
            "code_sha256": "PoaAEeOCmEFZojnrhEJvNzs+jg7/w1lL9GiFYvlM6aw=",
            "layers": [], "architectures": ["arm64"], "memory_size": 256, "timeout": 30,
            "ephemeral_storage": [{"size": 512}], "reserved_concurrent_executions": -1,
            "tracing_config": [{"mode": "PassThrough"}], "description": "",
            "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: a variable state has and the function no longer has is drift, and the
        // finding names it without any value.
        let mut other = state;
        other["environment"][0]["variables"]["API_KEY"] = json!("secret-value");
        assert_eq!(
            changed_paths(&SPEC, other, &live),
            ["environment.0.variables.API_KEY"]
        );
    }
}
