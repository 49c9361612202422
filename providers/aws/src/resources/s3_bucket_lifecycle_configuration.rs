//! `aws_s3_bucket_lifecycle_configuration`: the id is the bucket name, as Terraform's; the
//! `rule` blocks as Terraform writes them (`id`, `status`, `filter`, `expiration`, `transition`,
//! `noncurrent_version_expiration`, `noncurrent_version_transition`,
//! `abort_incomplete_multipart_upload`), compared as one document: rules and transitions are
//! sets, whatever their order. A rule disabled or an expiration shortened out of band is a
//! warning (data kept for less time, or for ever). A bucket without a configuration has no
//! such resource; a cloud default like every bucket setting.
//!
//! Terraform records some values AWS leaves out as zero (`expiration.days`,
//! `expired_object_delete_marker`, the sizes of an `and` filter: "legacy values" in the
//! provider), so the live side writes those zeros too; optional values Terraform records as
//! null or `""` are left out.

use super::s3_bucket::BucketSetting;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::{LifecycleRule, LifecycleRuleFilter, TransitionDefaultMinimumObjectSize};
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct S3BucketLifecycleConfiguration;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_lifecycle_configuration",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new("rule", Shape::Document),
        AttrSpec::new("transition_default_minimum_object_size", Shape::Scalar),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "expected_bucket_owner",
            "Terraform-side only: an account check sent with each request, nothing S3 stores",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// A date as Terraform's RFC 3339 attribute holds it.
fn date(d: Option<&DateTime>) -> Value {
    d.and_then(|d| d.fmt(DateTimeFormat::DateTime).ok())
        .map(Value::String)
        .unwrap_or(Value::Null)
}

fn filter(f: &LifecycleRuleFilter) -> Value {
    let tag = f
        .tag()
        .map(|t| json!([{ "key": t.key(), "value": t.value() }]));
    let and = f.and().map(|a| {
        let tags: Map<String, Value> = a
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), Value::from(t.value())))
            .collect();
        json!([{
            "prefix": a.prefix(),
            "object_size_greater_than": a.object_size_greater_than().unwrap_or(0),
            "object_size_less_than": a.object_size_less_than().unwrap_or(0),
            "tags": tags,
        }])
    });
    json!([{
        "prefix": f.prefix(),
        "object_size_greater_than": f.object_size_greater_than(),
        "object_size_less_than": f.object_size_less_than(),
        "tag": tag,
        "and": and,
    }])
}

/// The rule's top-level `prefix` is deprecated in S3 but still set by older code and recorded
/// by Terraform, so it is read.
#[allow(deprecated)]
fn rule(r: &LifecycleRule) -> Value {
    let expiration = r.expiration().map(|e| {
        json!([{
            "date": date(e.date()),
            "days": e.days().unwrap_or(0),
            "expired_object_delete_marker": e.expired_object_delete_marker().unwrap_or(false),
        }])
    });
    let transitions: Vec<Value> = r
        .transitions()
        .iter()
        .map(|t| {
            json!({
                "date": date(t.date()),
                "days": t.days(),
                "storage_class": t.storage_class().map(|c| c.as_str()),
            })
        })
        .collect();
    let noncurrent_transitions: Vec<Value> = r
        .noncurrent_version_transitions()
        .iter()
        .map(|t| {
            json!({
                "noncurrent_days": t.noncurrent_days(),
                "newer_noncurrent_versions": t.newer_noncurrent_versions(),
                "storage_class": t.storage_class().map(|c| c.as_str()),
            })
        })
        .collect();
    json!({
        "id": r.id(),
        "status": r.status().as_str(),
        "prefix": r.prefix(),
        "filter": r.filter().map(filter),
        "expiration": expiration,
        "transition": transitions,
        "noncurrent_version_expiration": r.noncurrent_version_expiration().map(|e| json!([{
            "noncurrent_days": e.noncurrent_days(),
            "newer_noncurrent_versions": e.newer_noncurrent_versions(),
        }])),
        "noncurrent_version_transition": noncurrent_transitions,
        "abort_incomplete_multipart_upload": r.abort_incomplete_multipart_upload().map(|a| json!([{
            "days_after_initiation": a.days_after_initiation(),
        }])),
    })
}

fn configuration(
    rules: &[LifecycleRule],
    min_size: Option<&TransitionDefaultMinimumObjectSize>,
) -> Value {
    let mut attrs = json!({ "rule": rules.iter().map(rule).collect::<Vec<_>>() });
    // Only when S3 says (moto does not): an attribute one side lacks is not compared.
    if let (Some(size), Value::Object(m)) = (min_size, &mut attrs) {
        m.insert(
            "transition_default_minimum_object_size".into(),
            Value::from(size.as_str()),
        );
    }
    attrs
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketLifecycleConfiguration",
    absent: Some("NoSuchLifecycleConfiguration"),
    attributes: &["rule", "transition_default_minimum_object_size"],
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketLifecycleConfiguration {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3
                    .get_bucket_lifecycle_configuration()
                    .bucket(bucket)
                    .send()
                    .await?;
                Ok(configuration(
                    answer.rules(),
                    answer.transition_default_minimum_object_size(),
                ))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{
        ExpirationStatus, LifecycleExpiration, Transition, TransitionStorageClass,
    };

    fn logs_rule(days: i32) -> LifecycleRule {
        LifecycleRule::builder()
            .id("expire-logs")
            .status(ExpirationStatus::Enabled)
            .filter(LifecycleRuleFilter::builder().prefix("logs/").build())
            .expiration(LifecycleExpiration::builder().days(days).build())
            .transitions(
                Transition::builder()
                    .days(30)
                    .storage_class(TransitionStorageClass::StandardIa)
                    .build(),
            )
            .build()
            .expect("status set")
    }

    /// The rule as Terraform v5/v6 records it: legacy zeros, empty strings, empty blocks.
    fn state(days: i32) -> Value {
        json!([{
            "id": "expire-logs", "status": "Enabled", "prefix": "",
            "filter": [{"prefix": "logs/", "object_size_greater_than": null,
                        "object_size_less_than": null, "tag": [], "and": []}],
            "expiration": [{"date": null, "days": days, "expired_object_delete_marker": false}],
            "transition": [{"date": null, "days": 30, "storage_class": "STANDARD_IA"}],
            "noncurrent_version_expiration": [], "noncurrent_version_transition": [],
            "abort_incomplete_multipart_upload": [],
        }])
    }

    #[test]
    fn rules_equal_terraform_state_and_a_shorter_expiration_differs() {
        let r = SETTING.resource("b", "us-east-1", configuration(&[logs_rule(90)], None));
        assert_eq!(r.key.id, "b");
        assert!(r.cloud_default);
        assert!(!r
            .attrs
            .contains_key("transition_default_minimum_object_size"));
        let live = SPEC.normalize(Shape::Document, &r.attrs["rule"]);
        assert_eq!(live, SPEC.normalize(Shape::Document, &state(90)));
        assert_ne!(live, SPEC.normalize(Shape::Document, &state(7)));
    }

    #[test]
    fn dates_are_rfc3339() {
        let d = DateTime::from_secs(1_767_225_600);
        assert_eq!(date(Some(&d)), json!("2026-01-01T00:00:00Z"));
        assert_eq!(date(None), Value::Null);
    }
}
