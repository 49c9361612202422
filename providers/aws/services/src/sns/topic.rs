//! `aws_sns_topic`: the id is the topic's ARN, as Terraform's. ListTopics gives only ARNs, so
//! each topic is read with GetTopicAttributes and ListTagsForResource (two calls per topic,
//! concurrent and metered). The access policy is critical (it grants), encryption turned off
//! (the KMS key removed) is critical, the rest a warning; tags are info.
//!
//! moto serves every call used here; it answers the default policy AWS gives a new topic, which
//! Terraform records too.

use super::{tags, topic_arns, topic_attributes};
use crate::client::ApiClient;
use crate::common::removed_is_critical;
use crate::common::{document, flag, number, resource, str_of, text, GRANTS, TAGS};
use crate::paging::each_bounded;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SnsTopic;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_sns_topic",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("kms_master_key_id", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("display_name", Shape::Scalar),
        AttrSpec::new("delivery_policy", Shape::Document),
        AttrSpec::new("archive_policy", Shape::Document),
        AttrSpec::new("fifo_topic", Shape::Scalar),
        AttrSpec::new("content_based_deduplication", Shape::Scalar),
        AttrSpec::new("signature_version", Shape::Number),
        AttrSpec::new("tracing_config", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "application_success_feedback_role_arn",
            "delivery-status logging settings (per protocol feedback roles and sample rates) are not read",
        ),
        UncomparedAttr::new(
            "http_success_feedback_role_arn",
            "delivery-status logging settings are not read",
        ),
        UncomparedAttr::new(
            "lambda_success_feedback_role_arn",
            "delivery-status logging settings are not read",
        ),
        UncomparedAttr::new(
            "sqs_success_feedback_role_arn",
            "delivery-status logging settings are not read",
        ),
        UncomparedAttr::new(
            "firehose_success_feedback_role_arn",
            "delivery-status logging settings are not read",
        ),
    ],
};

/// The topic's name: the last segment of its ARN.
fn name_of(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// A topic from its ARN, its attributes (GetTopicAttributes' entries as an object) and tags.
fn map(arn: &str, a: &Value, tags: Value, region: &str) -> Resource {
    let kms = str_of(a, "KmsMasterKeyId");
    resource(
        SPEC.resource_type,
        arn,
        region,
        json!({
            "name": name_of(arn),
            "policy": document(a, "Policy"),
            "kms_master_key_id": kms,
            "display_name": str_of(a, "DisplayName"),
            // AWS answers the effective delivery policy; Terraform records the one set, or "".
            "delivery_policy": document(a, "DeliveryPolicy"),
            "archive_policy": document(a, "ArchivePolicy"),
            "fifo_topic": flag(a, "FifoTopic").as_bool().unwrap_or(false),
            "content_based_deduplication": flag(a, "ContentBasedDeduplication").as_bool().unwrap_or(false),
            // Absent on a new topic: AWS signs with version 1, Terraform records 0 ("not set").
            "signature_version": match number(a, "SignatureVersion") {
                Value::Null => json!(0),
                n => n,
            },
            "tracing_config": text(a, "TracingConfig"),
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for SnsTopic {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let arns = topic_arns(client).await?;
        let region = region.to_string();
        let resources = each_bounded(arns, |arn| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(attrs) = topic_attributes(&client, &arn).await? else {
                    return Ok(None);
                };
                let Some(tags) = tags(&client, &arn).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&arn, &attrs, tags, &region)))
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
    use crate::sns::entries;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, Tier};
    use driftd_core::{ChangeOp, FindingKind};

    const ARN: &str = "arn:aws:sns:eu-west-1:123456789012:alerts";

    /// GetTopicAttributesResult as the API reference shows it, read by the XML reader.
    fn answer() -> Value {
        let xml = r#"<GetTopicAttributesResponse xmlns="https://sns.amazonaws.com/doc/2010-03-31/">
          <GetTopicAttributesResult><Attributes>
            <entry><key>Owner</key><value>123456789012</value></entry>
            <entry><key>Policy</key><value>{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish"],"Resource":"arn:aws:sns:eu-west-1:123456789012:alerts","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}</value></entry>
            <entry><key>TopicArn</key><value>arn:aws:sns:eu-west-1:123456789012:alerts</value></entry>
            <entry><key>DisplayName</key><value>Alerts</value></entry>
            <entry><key>KmsMasterKeyId</key><value>alias/aws/sns</value></entry>
            <entry><key>SubscriptionsConfirmed</key><value>1</value></entry>
          </Attributes></GetTopicAttributesResult></GetTopicAttributesResponse>"#;
        let (_, doc) = crate::xml::parse(xml).unwrap();
        entries(&doc["GetTopicAttributesResult"]["Attributes"])
    }

    #[test]
    fn topic_maps_to_terraform_attributes() {
        let r = map(ARN, &answer(), json!({"Team": "ops"}), "eu-west-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["name"], json!("alerts"));
        assert_eq!(r.attrs["display_name"], json!("Alerts"));
        assert_eq!(r.attrs["kms_master_key_id"], json!("alias/aws/sns"));
        assert_eq!(r.attrs["fifo_topic"], json!(false));
        assert_eq!(r.attrs["signature_version"], json!(0));
        assert_eq!(r.attrs["tags"], json!({"Team": "ops"}));
        assert!(r.attrs["policy"]
            .as_str()
            .is_some_and(|p| p.contains("SNS:Publish")));
    }

    #[test]
    fn policy_and_encryption_off_are_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("x"), new)],
            )
        };
        assert_eq!(tier("policy", json!("{}")), Tier::Critical);
        assert_eq!(tier("kms_master_key_id", json!("")), Tier::Critical);
        assert_eq!(tier("kms_master_key_id", json!("alias/k")), Tier::Warning);
        assert_eq!(tier("display_name", json!("x")), Tier::Warning);
        assert_eq!(tier("tags.Team", json!("x")), Tier::Info);
    }

    #[test]
    fn false_positive_default_policy_written_by_terraform_in_its_order() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(ARN, &answer(), json!({}), "eu-west-1");
        // Terraform records the policy as AWS answered it but pretty-printed, Action as a string.
        let state = json!({
            "name": "alerts", "display_name": "Alerts", "kms_master_key_id": "alias/aws/sns",
            "policy": "{\n  \"Id\": \"__default_policy_ID\",\n  \"Statement\": [\n    {\n      \"Action\": \"SNS:Publish\",\n      \"Condition\": {\"StringEquals\": {\"AWS:SourceOwner\": \"123456789012\"}},\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"*\"},\n      \"Resource\": \"arn:aws:sns:eu-west-1:123456789012:alerts\",\n      \"Sid\": \"__default_statement_ID\"\n    }\n  ],\n  \"Version\": \"2008-10-17\"\n}",
            "delivery_policy": "", "archive_policy": "", "fifo_topic": false,
            "content_based_deduplication": false, "signature_version": 0, "tracing_config": "",
            "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["policy"] = json!(other["policy"]
            .as_str()
            .unwrap()
            .replace("123456789012\"}", "999999999999\"}"));
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
