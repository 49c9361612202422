//! `aws_sfn_state_machine`: the id is the state machine's ARN, as Terraform's. ListStateMachines
//! pages through them; each is then read with DescribeStateMachine and ListTagsForResource (two
//! calls per state machine, counted like every other).
//!
//! What matters most: the role (what the workflow may do: critical) and the definition (what it
//! runs: a warning, compared as a JSON document so spacing and key order do not count).
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, flag, number, resource, str_of, tag_list, text, GRANTS, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SfnStateMachine;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sfn_state_machine",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("role_arn", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("definition", Shape::Document),
        AttrSpec::new("type", Shape::CaseInsensitive),
        AttrSpec::new("logging_configuration.0.level", Shape::CaseInsensitive),
        AttrSpec::new(
            "logging_configuration.0.include_execution_data",
            Shape::Scalar,
        ),
        AttrSpec::new("logging_configuration.0.log_destination", Shape::Scalar),
        AttrSpec::new("tracing_configuration.0.enabled", Shape::Scalar),
        AttrSpec::new("encryption_configuration.0.type", Shape::Scalar),
        AttrSpec::new("encryption_configuration.0.kms_key_id", Shape::Scalar),
        AttrSpec::new(
            "encryption_configuration.0.kms_data_key_reuse_period_seconds",
            Shape::Number,
        ),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "publish",
            "Terraform-side only: whether an apply publishes a version",
        ),
    ],
};

/// A state machine from DescribeStateMachine's answer and its tags.
fn map(d: &Value, tags: Value, region: &str) -> Option<Resource> {
    let arn = str_of(d, "stateMachineArn");
    if arn.is_empty() {
        return None;
    }
    let logging = d.get("loggingConfiguration").cloned().unwrap_or(json!({}));
    let destination = array(&logging, "destinations")
        .iter()
        .find_map(|x| x.get("cloudWatchLogsLogGroup"))
        .map(|g| text(g, "logGroupArn"))
        .unwrap_or(json!(""));
    let level = match text(&logging, "level") {
        Value::Null => json!("OFF"),
        l => l,
    };
    let tracing = d
        .get("tracingConfiguration")
        .map(|t| flag(t, "enabled"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let mut attrs = json!({
        "name": text(d, "name"),
        "role_arn": text(d, "roleArn"),
        "definition": text(d, "definition"),
        "type": text(d, "type"),
        "logging_configuration": [{
            "level": level,
            "include_execution_data": flag(&logging, "includeExecutionData").as_bool().unwrap_or(false),
            "log_destination": destination,
        }],
        "tracing_configuration": [{"enabled": tracing}],
        "tags": tags,
    });
    // Older answers (and moto) have no encryption settings: unknown, not removed.
    if let Some(e) = d.get("encryptionConfiguration") {
        // The key and its reuse period are answered only for a customer-managed key: left
        // unknown otherwise rather than guessed.
        let mut block = serde_json::Map::new();
        for (name, v) in [
            ("type", text(e, "type")),
            ("kms_key_id", text(e, "kmsKeyId")),
            (
                "kms_data_key_reuse_period_seconds",
                number(e, "kmsDataKeyReusePeriodSeconds"),
            ),
        ] {
            if !v.is_null() {
                block.insert(name.to_string(), v);
            }
        }
        attrs["encryption_configuration"] = json!([block]);
    }
    Some(resource(SPEC.resource_type, arn, region, attrs))
}

#[async_trait]
impl ResourceKind<ApiClient> for SfnStateMachine {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListStateMachines",
                input: json!({"maxResults": 1000}),
                list: "stateMachines",
                token_in: "nextToken",
                token_out: "nextToken",
            },
        )
        .await?;
        let arns: Vec<String> = all
            .iter()
            .map(|m| str_of(m, "stateMachineArn").to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let region = region.to_string();
        let resources = each_bounded(arns, |arn| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let described = client
                    .json(
                        &SERVICE,
                        "DescribeStateMachine",
                        json!({"stateMachineArn": arn}),
                    )
                    .await;
                let Some(d) = unless_gone(described)? else {
                    return Ok(None);
                };
                let tagged = client
                    .json(&SERVICE, "ListTagsForResource", json!({"resourceArn": arn}))
                    .await;
                let Some(t) = unless_gone(tagged)? else {
                    return Ok(None);
                };
                let tags = tag_list(array(&t, "tags"), "key", "value");
                Ok(map(&d, tags, &region))
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    const ARN: &str = "arn:aws:states:eu-west-1:123456789012:stateMachine:orders";

    fn answer() -> Value {
        // DescribeStateMachine's answer, as the API reference shows it.
        json!({
            "stateMachineArn": ARN,
            "name": "orders",
            "status": "ACTIVE",
            "definition": "{\"StartAt\":\"Pass\",\"States\":{\"Pass\":{\"Type\":\"Pass\",\"End\":true}}}",
            "roleArn": "arn:aws:iam::123456789012:role/sfn",
            "type": "STANDARD",
            "creationDate": 1.7e9,
            "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
            "tracingConfiguration": {"enabled": false},
        })
    }

    #[test]
    fn state_machine_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Team": "orders"}), "eu-west-1").unwrap();
        assert_eq!(r.key.id, ARN);
        assert_eq!(
            r.attrs["role_arn"],
            json!("arn:aws:iam::123456789012:role/sfn")
        );
        assert_eq!(
            r.attrs["logging_configuration"],
            json!([{"level": "OFF", "include_execution_data": false, "log_destination": ""}])
        );
        assert_eq!(
            r.attrs["tracing_configuration"],
            json!([{"enabled": false}])
        );
        assert!(!r.attrs.contains_key("encryption_configuration"));
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("a"), json!("b"))],
            )
        };
        assert_eq!(tier("role_arn"), Tier::Critical);
        assert_eq!(tier("definition"), Tier::Warning);
        assert_eq!(tier("tags.Team"), Tier::Info);
    }

    #[test]
    fn false_positive_definition_written_differently_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), json!({}), "eu-west-1").unwrap();
        let state = json!({
            "name": "orders", "name_prefix": "", "publish": false,
            "role_arn": "arn:aws:iam::123456789012:role/sfn",
            "definition": "{\n  \"States\": {\"Pass\": {\"End\": true, \"Type\": \"Pass\"}},\n  \"StartAt\": \"Pass\"\n}",
            "type": "STANDARD",
            "logging_configuration": [{"level": "OFF", "include_execution_data": false, "log_destination": ""}],
            "tracing_configuration": [{"enabled": false}],
            "encryption_configuration": [{"type": "AWS_OWNED_KEY", "kms_key_id": "", "kms_data_key_reuse_period_seconds": 0}],
            "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["definition"] = json!(other["definition"]
            .as_str()
            .unwrap()
            .replace("Pass\"}", "Succeed\"}"));
        assert_eq!(changed_paths(&SPEC, other, &live), ["definition"]);
    }
}
