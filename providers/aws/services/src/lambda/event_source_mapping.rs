//! `aws_lambda_event_source_mapping`: the id is the mapping's UUID, as Terraform's. One call
//! lists them all with their settings (ListEventSourceMappings, paged), so there is no second
//! call per mapping. The function is compared by its ARN (`function_arn`): Terraform's
//! `function_name` holds whatever the configuration gave (a name, an ARN, a qualified ARN).
//!
//! A mapping turned off (or on) out of band and one pointed at another function or source are
//! warnings; nothing here grants access.
//!
//! moto serves ListEventSourceMappings (not the newer settings: they are absent from its
//! answers, so read as unknown).

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, flag, number, resource, str_of, text};
use crate::paging::{rest_all, RestList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct LambdaEventSourceMapping;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lambda_event_source_mapping",
    attrs: &[
        AttrSpec::new("function_arn", Shape::Scalar),
        AttrSpec::new("event_source_arn", Shape::Scalar),
        AttrSpec::new("enabled", Shape::Scalar),
        AttrSpec::new("batch_size", Shape::Number),
        AttrSpec::new("maximum_batching_window_in_seconds", Shape::Number),
        AttrSpec::new("starting_position", Shape::Scalar),
        AttrSpec::new("maximum_retry_attempts", Shape::Number),
        AttrSpec::new("maximum_record_age_in_seconds", Shape::Number),
        AttrSpec::new("bisect_batch_on_function_error", Shape::Scalar),
        AttrSpec::new("parallelization_factor", Shape::Number),
        AttrSpec::new("function_response_types", Shape::Set),
        AttrSpec::new("filter_criteria", Shape::Document),
        AttrSpec::new(
            "destination_config.0.on_failure.0.destination_arn",
            Shape::Scalar,
        ),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "function_name",
            "what the configuration gave (a name or an ARN); the function is compared as function_arn",
        ),
        UncomparedAttr::new(
            "starting_position_timestamp",
            "used once, when the mapping starts reading",
        ),
        UncomparedAttr::new(
            "tags",
            "a mapping's tags need ListTags per mapping: not read by driftd yet",
        ),
        UncomparedAttr::new(
            "scaling_config",
            "not read by driftd yet",
        ),
        UncomparedAttr::new(
            "source_access_configuration",
            "not read by driftd yet",
        ),
        UncomparedAttr::new(
            "self_managed_event_source",
            "not read by driftd yet",
        ),
        UncomparedAttr::new(
            "amazon_managed_kafka_event_source_config",
            "not read by driftd yet",
        ),
        UncomparedAttr::new("topics", "not read by driftd yet"),
        UncomparedAttr::new("queues", "not read by driftd yet"),
        UncomparedAttr::new(
            "document_db_event_source_config",
            "not read by driftd yet",
        ),
        UncomparedAttr::new("kms_key_arn", "not read by driftd yet"),
        UncomparedAttr::new("metrics_config", "not read by driftd yet"),
        UncomparedAttr::new("provisioned_poller_config", "not read by driftd yet"),
    ],
};

/// Whether a mapping's `State` is on, as Terraform's `enabled` (`Enabling` and `Updating` are on
/// their way to or staying enabled); null when absent.
fn enabled(state: &str) -> Value {
    match state {
        "" => Value::Null,
        "Disabled" | "Disabling" => json!(false),
        _ => json!(true),
    }
}

/// A mapping from ListEventSourceMappings' `EventSourceMappingConfiguration`.
fn map(m: &Value, region: &str) -> Option<Resource> {
    let uuid = str_of(m, "UUID");
    if uuid.is_empty() {
        return None;
    }
    let mut attrs = Map::new();
    let mut put = |k: &str, v: Value| {
        // What the answer leaves out stays unknown, never "removed".
        if !v.is_null() {
            attrs.insert(k.to_string(), v);
        }
    };
    put("function_arn", text(m, "FunctionArn"));
    put("event_source_arn", text(m, "EventSourceArn"));
    put("enabled", enabled(str_of(m, "State")));
    put("batch_size", number(m, "BatchSize"));
    put(
        "maximum_batching_window_in_seconds",
        number(m, "MaximumBatchingWindowInSeconds"),
    );
    put("starting_position", text(m, "StartingPosition"));
    put("maximum_retry_attempts", number(m, "MaximumRetryAttempts"));
    put(
        "maximum_record_age_in_seconds",
        number(m, "MaximumRecordAgeInSeconds"),
    );
    put(
        "bisect_batch_on_function_error",
        flag(m, "BisectBatchOnFunctionError"),
    );
    put("parallelization_factor", number(m, "ParallelizationFactor"));
    put(
        "function_response_types",
        Value::Array(array(m, "FunctionResponseTypes").to_vec()),
    );
    // Terraform records the filters as [{filter: [{pattern}]}], the API as {Filters: [{Pattern}]}.
    let patterns: Vec<Value> = m
        .get("FilterCriteria")
        .map(|f| array(f, "Filters"))
        .unwrap_or(&[])
        .iter()
        .map(|f| json!({"pattern": text(f, "Pattern")}))
        .collect();
    put(
        "filter_criteria",
        if patterns.is_empty() {
            json!([])
        } else {
            json!([{ "filter": patterns }])
        },
    );
    let on_failure = m
        .get("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .map(|o| text(o, "Destination"))
        .unwrap_or(Value::Null);
    if m.get("DestinationConfig").is_some() {
        put(
            "destination_config",
            json!([{ "on_failure": [{ "destination_arn": on_failure }] }]),
        );
    }
    let mut r = resource(SPEC.resource_type, uuid, region, json!({}));
    r.attrs = attrs.into_iter().collect();
    Some(r)
}

#[async_trait]
impl ResourceKind<ApiClient> for LambdaEventSourceMapping {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = rest_all(
            client,
            &SERVICE,
            RestList {
                operation: "ListEventSourceMappings",
                path: "/2015-03-31/event-source-mappings/".into(),
                query: "MaxItems=100".into(),
                list: "EventSourceMappings",
                token_in: "Marker",
                token_out: "NextMarker",
            },
        )
        .await?;
        Ok(KindListing {
            resources: all.iter().filter_map(|m| map(m, region)).collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    fn answer() -> Value {
        json!({
            "UUID": "13ff66f8-37eb-4ad6-a0a8-594fea72df4f",
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "FilterCriteria": {"Filters": [{"Pattern": "{\"body\":{\"kind\":[\"order\"]}}"}]},
            "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:worker",
            "LastModified": 1.6e9,
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        })
    }

    #[test]
    fn mapping_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1").unwrap();
        assert_eq!(r.key.id, "13ff66f8-37eb-4ad6-a0a8-594fea72df4f");
        assert_eq!(r.attrs["enabled"], json!(true));
        assert_eq!(r.attrs["batch_size"], json!(10));
        assert_eq!(
            r.attrs["function_arn"],
            json!("arn:aws:lambda:eu-west-1:123456789012:function:worker")
        );
        assert!(!r.attrs.contains_key("starting_position"));
        assert_eq!(
            r.attrs["filter_criteria"][0]["filter"][0]["pattern"],
            json!("{\"body\":{\"kind\":[\"order\"]}}")
        );
        let tier = default_tier(
            Some(&SPEC),
            FindingKind::Changed,
            &[Change::new(
                "enabled",
                ChangeOp::Replace,
                json!(true),
                json!(false),
            )],
        );
        assert_eq!(tier, Tier::Warning);
    }

    #[test]
    fn false_positive_function_name_and_settings_sqs_has_not_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // State's function_name is what the configuration gave (a bare name); Lambda leaves out
        // what does not apply to SQS (starting position, retries, parallelization), which
        // Terraform records as "" and 0. The provider records the filter pattern as Lambda
        // answers it (it only suppresses a diff of spacing), so it is compared as text.
        let live = map(&answer(), "eu-west-1").unwrap();
        let state = json!({
            "function_name": "worker",
            "function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:worker",
            "event_source_arn": "arn:aws:sqs:eu-west-1:123456789012:jobs",
            "enabled": true, "batch_size": 10, "maximum_batching_window_in_seconds": 0,
            "starting_position": "", "maximum_retry_attempts": 0,
            "maximum_record_age_in_seconds": 0, "bisect_batch_on_function_error": false,
            "parallelization_factor": 0, "function_response_types": ["ReportBatchItemFailures"],
            "filter_criteria": [{"filter": [{"pattern": "{\"body\":{\"kind\":[\"order\"]}}"}]}],
            "destination_config": [],
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["enabled"] = json!(false);
        assert_eq!(changed_paths(&SPEC, other, &live), ["enabled"]);
    }
}
