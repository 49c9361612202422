//! `aws_cloudtrail`: the id is the trail's ARN, as recent provider versions record it; older
//! states recorded the name, which `name` (an identity attribute) still matches. DescribeTrails
//! (without shadow trails: a multi-region trail is listed in its home region only) answers
//! every setting at once; each trail's logging status (GetTrailStatus) and tags (ListTags) are
//! two more calls, run concurrently and counted.
//!
//! What keeps the audit trail whole is critical when off_is_critical: logging turned off, log file
//! validation off, the KMS key removed, the trail made single-region or blind to global
//! services, its logs sent to another bucket.
//!
//! moto serves every call used here. Event and insight selectors (one more call each) are not
//! read yet: they are listed as not compared.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::off_is_critical;
use crate::common::{array, flag, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, unless_gone};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Trail;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudtrail",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar).identity(),
        AttrSpec::new("enable_logging", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("s3_bucket_name", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("s3_key_prefix", Shape::Scalar),
        AttrSpec::new("enable_log_file_validation", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("kms_key_id", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("is_multi_region_trail", Shape::Scalar).tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("include_global_service_events", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("is_organization_trail", Shape::Scalar),
        AttrSpec::new("cloud_watch_logs_group_arn", Shape::Scalar)
            .tier(TierHint::Rule(off_is_critical)),
        AttrSpec::new("cloud_watch_logs_role_arn", Shape::Scalar),
        AttrSpec::new("sns_topic_name", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "event_selector",
            "read by GetEventSelectors, one more call per trail, not made yet",
        ),
        UncomparedAttr::new(
            "advanced_event_selector",
            "read by GetEventSelectors, one more call per trail, not made yet",
        ),
        UncomparedAttr::new(
            "insight_selector",
            "read by GetInsightSelectors, one more call per trail, not made yet",
        ),
    ],
};

/// A trail from its DescribeTrails entry, its GetTrailStatus answer and its tags.
pub(crate) fn map(trail: &Value, status: &Value, tags: Value, region: &str) -> Resource {
    let or_empty = |v: Value| if v.is_null() { json!("") } else { v };
    resource(
        SPEC.resource_type,
        str_of(trail, "TrailARN"),
        region,
        json!({
            "name": str_of(trail, "Name"),
            "enable_logging": flag(status, "IsLogging"),
            "s3_bucket_name": text(trail, "S3BucketName"),
            "s3_key_prefix": or_empty(text(trail, "S3KeyPrefix")),
            "enable_log_file_validation": flag(trail, "LogFileValidationEnabled").as_bool().unwrap_or(false),
            "kms_key_id": or_empty(text(trail, "KmsKeyId")),
            "is_multi_region_trail": flag(trail, "IsMultiRegionTrail").as_bool().unwrap_or(false),
            "include_global_service_events": flag(trail, "IncludeGlobalServiceEvents").as_bool().unwrap_or(true),
            "is_organization_trail": flag(trail, "IsOrganizationTrail").as_bool().unwrap_or(false),
            "cloud_watch_logs_group_arn": or_empty(text(trail, "CloudWatchLogsLogGroupArn")),
            "cloud_watch_logs_role_arn": or_empty(text(trail, "CloudWatchLogsRoleArn")),
            // CloudTrail answers the topic's ARN even where it was given by name, as Terraform's
            // documentation shows it: the name is what is compared.
            "sns_topic_name": match str_of(trail, "SnsTopicName") {
                "" => json!(""),
                t => json!(t.rsplit(':').next().unwrap_or(t)),
            },
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for Trail {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let answer = client
            .json(
                &SERVICE,
                "DescribeTrails",
                json!({"includeShadowTrails": false}),
            )
            .await?;
        let trails: Vec<Value> = array(&answer, "trailList").to_vec();
        let region = region.to_string();
        let resources = each_bounded(trails, |trail| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let arn = str_of(&trail, "TrailARN").to_string();
                let got = client
                    .json(&SERVICE, "GetTrailStatus", json!({"Name": arn}))
                    .await;
                let Some(status) = unless_gone(got)? else {
                    return Ok(None);
                };
                let got = client
                    .json(&SERVICE, "ListTags", json!({"ResourceIdList": [arn]}))
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = array(&tags, "ResourceTagList")
                    .iter()
                    .find(|t| str_of(t, "ResourceId") == arn)
                    .map(|t| tag_list(array(t, "TagsList"), "Key", "Value"))
                    .unwrap_or(json!({}));
                Ok(Some(map(&trail, &status, tags, &region)))
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
    use driftd_core::Change;
    use driftd_core::{ChangeOp, FindingKind};

    const ARN: &str = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit";

    fn answer() -> Value {
        // A DescribeTrails entry as the API reference shows it.
        json!({
            "Name": "audit", "S3BucketName": "audit-logs", "IncludeGlobalServiceEvents": true,
            "IsMultiRegionTrail": true, "HomeRegion": "eu-west-1", "TrailARN": ARN,
            "LogFileValidationEnabled": true, "HasCustomEventSelectors": false,
            "HasInsightSelectors": false, "IsOrganizationTrail": false,
            "SnsTopicName": "arn:aws:sns:eu-west-1:123456789012:audit",
            "SnsTopicARN": "arn:aws:sns:eu-west-1:123456789012:audit",
        })
    }

    #[test]
    fn trail_maps_to_terraform_attributes() {
        let r = map(
            &answer(),
            &json!({"IsLogging": true}),
            json!({"Team": "sec"}),
            "eu-west-1",
        );
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["name"], json!("audit"));
        assert_eq!(r.attrs["enable_logging"], json!(true));
        assert_eq!(r.attrs["enable_log_file_validation"], json!(true));
        assert_eq!(r.attrs["kms_key_id"], json!(""));
        assert_eq!(r.attrs["tags"], json!({"Team": "sec"}));
    }

    #[test]
    fn logging_off_and_protections_removed_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier("enable_logging", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(
            tier("enable_logging", json!(false), json!(true)),
            Tier::Warning
        );
        assert_eq!(
            tier("enable_log_file_validation", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("kms_key_id", json!("k"), Value::Null), Tier::Critical);
        assert_eq!(
            tier("s3_bucket_name", json!("a"), json!("b")),
            Tier::Critical
        );
        assert_eq!(tier("s3_key_prefix", json!("a"), json!("b")), Tier::Warning);
    }

    #[test]
    fn false_positive_topic_arn_for_name_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // CloudTrail answers the topic's ARN where Terraform recorded the name given.
        let live = map(
            &answer(),
            &json!({"IsLogging": true}),
            json!({}),
            "eu-west-1",
        );
        let state = json!({
            "name": "audit", "arn": ARN, "enable_logging": true, "s3_bucket_name": "audit-logs",
            "s3_key_prefix": "", "enable_log_file_validation": true, "kms_key_id": "",
            "is_multi_region_trail": true, "include_global_service_events": true,
            "is_organization_trail": false, "cloud_watch_logs_group_arn": "",
            "cloud_watch_logs_role_arn": "", "sns_topic_name": "audit", "event_selector": [],
            "home_region": "eu-west-1", "tags": null, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["enable_logging"] = json!(false);
        assert_eq!(changed_paths(&SPEC, near, &live), ["enable_logging"]);
    }
}
