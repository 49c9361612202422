//! `aws_cloudwatch_log_group`: the id is the group's name, as Terraform's. DescribeLogGroups
//! pages through the groups; each group's tags are one more call (ListTagsForResource on the
//! group's ARN without its `:*`), run concurrently and counted. A KMS key removed (the group's
//! encryption turned off) is critical; a retention change is a warning.
//!
//! moto serves every call used here.

use super::{or, or_empty, LOGS};
use crate::client::ApiClient;
use crate::common::removed_is_critical;
use crate::common::{number, resource, str_of, tag_map, text, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct LogGroup;

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudwatch_log_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("kms_key_id", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("retention_in_days", Shape::Number),
        AttrSpec::new("log_group_class", Shape::CaseInsensitive),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "skip_destroy",
            "Terraform-side only: whether destroy deletes the group",
        ),
    ],
};

/// The group's ARN as Terraform records it (and as the tagging API takes it): without `:*`.
fn arn_of(group: &Value) -> String {
    str_of(group, "arn").trim_end_matches(":*").to_string()
}

/// A group from its DescribeLogGroups entry and its tags.
pub(crate) fn map(group: &Value, tags: Value, region: &str) -> Resource {
    resource(
        SPEC.resource_type,
        str_of(group, "logGroupName"),
        region,
        json!({
            "name": str_of(group, "logGroupName"),
            "kms_key_id": or_empty(text(group, "kmsKeyId")),
            // A group that never expires has no retention: Terraform records 0.
            "retention_in_days": or(number(group, "retentionInDays"), json!(0)),
            "log_group_class": or(text(group, "logGroupClass"), json!("STANDARD")),
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for LogGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = json_all(
            client,
            &LOGS,
            JsonList {
                operation: "DescribeLogGroups",
                input: json!({"limit": 50}),
                list: "logGroups",
                token_in: "nextToken",
                token_out: "nextToken",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(groups, |group| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &LOGS,
                        "ListTagsForResource",
                        json!({"resourceArn": arn_of(&group)}),
                    )
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                Ok(Some(map(&group, tag_map(tags.get("tags")), &region)))
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

    fn tier(path: &str, old: Value, new: Value) -> Tier {
        default_tier(
            Some(&SPEC),
            FindingKind::Changed,
            &[Change::new(path, ChangeOp::Replace, old, new)],
        )
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        // A DescribeLogGroups entry as the API reference shows it.
        let group = json!({
            "logGroupName": "/app/web",
            "creationTime": 1_700_000_000_000u64,
            "retentionInDays": 30,
            "metricFilterCount": 0,
            "arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/app/web:*",
            "storedBytes": 0,
            "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "logGroupClass": "STANDARD",
        });
        assert_eq!(
            arn_of(&group),
            "arn:aws:logs:eu-west-1:123456789012:log-group:/app/web"
        );
        let r = map(&group, json!({"Team": "web"}), "eu-west-1");
        assert_eq!(r.key.id, "/app/web");
        assert_eq!(r.attrs["retention_in_days"], json!(30));
        assert_eq!(r.attrs["log_group_class"], json!("STANDARD"));
        assert_eq!(r.attrs["tags"], json!({"Team": "web"}));
        // Never expiring, unencrypted: what Terraform records for those.
        let bare = map(&json!({"logGroupName": "x"}), json!({}), "eu-west-1");
        assert_eq!(bare.attrs["retention_in_days"], json!(0));
        assert_eq!(bare.attrs["kms_key_id"], json!(""));
    }

    #[test]
    fn key_removed_is_critical_retention_a_warning_tags_info() {
        assert_eq!(tier("kms_key_id", json!("k"), Value::Null), Tier::Critical);
        assert_eq!(
            tier("kms_key_id", json!("k"), json!("other")),
            Tier::Warning
        );
        assert_eq!(
            tier("retention_in_days", json!(30), json!(1)),
            Tier::Warning
        );
        assert_eq!(tier("tags.Team", json!("a"), json!("b")), Tier::Info);
    }

    #[test]
    fn false_positive_defaults_and_class_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // The API leaves out the retention of a group that never expires and may leave out the
        // class; Terraform records 0 and STANDARD, written in any case.
        let live = map(
            &json!({"logGroupName": "/app/api", "arn": "arn:aws:logs:eu-west-1:1:log-group:/app/api:*"}),
            json!({}),
            "eu-west-1",
        );
        let state = json!({
            "name": "/app/api", "name_prefix": "", "kms_key_id": "", "retention_in_days": 0,
            "log_group_class": "standard", "skip_destroy": false, "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["retention_in_days"] = json!(14);
        assert_eq!(changed_paths(&SPEC, near, &live), ["retention_in_days"]);
    }
}
