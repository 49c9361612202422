//! `aws_s3_bucket_logging`: where a bucket's access logs go (`target_bucket`, `target_prefix`),
//! who may read them (`target_grant`, critical like any grant) and how their keys are laid out
//! (`target_object_key_format`). The id is the bucket name, as Terraform's. A bucket that does
//! not log has no such resource, so logging turned off out of band is `missing` (critical: an
//! audit trail gone). A cloud default like every bucket setting.

use super::s3_bucket::BucketSetting;
use super::s3_bucket_acl::grantee;
use super::{AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_s3::types::LoggingEnabled;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct S3BucketLogging;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_logging",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new("target_bucket", Shape::Scalar),
        AttrSpec::new("target_prefix", Shape::Scalar),
        AttrSpec::new("target_grant", Shape::Document).tier(GRANTS),
        AttrSpec::new("target_object_key_format", Shape::Document),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "expected_bucket_owner",
        "Terraform-side only: an account check sent with each request, nothing S3 stores",
    )],
};

/// The logging attributes, or `null` when the bucket does not log (GetBucketLogging answers
/// that without an error).
fn logging(l: Option<&LoggingEnabled>) -> Value {
    let Some(l) = l else { return Value::Null };
    let grants: Vec<Value> = l
        .target_grants()
        .iter()
        .map(|g| {
            json!({
                "grantee": g.grantee().map(grantee),
                "permission": g.permission().map(|p| p.as_str()),
            })
        })
        .collect();
    let format = l.target_object_key_format().map(|f| {
        json!([{
            // An empty block in Terraform: present, with nothing in it.
            "simple_prefix": f.simple_prefix().map(|_| json!([{}])),
            "partitioned_prefix": f.partitioned_prefix().map(|p| json!([{
                "partition_date_source": p.partition_date_source().map(|s| s.as_str()),
            }])),
        }])
    });
    json!({
        "target_bucket": l.target_bucket(),
        "target_prefix": l.target_prefix(),
        "target_grant": grants,
        "target_object_key_format": format,
    })
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketLogging",
    absent: None,
    attributes: &[
        "target_bucket",
        "target_prefix",
        "target_grant",
        "target_object_key_format",
    ],
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketLogging {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3.get_bucket_logging().bucket(bucket).send().await?;
                Ok(logging(answer.logging_enabled()))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logging_maps_to_terraform_attributes_and_none_is_no_resource() {
        let l = LoggingEnabled::builder()
            .target_bucket("audit")
            .target_prefix("logs/")
            .build()
            .expect("bucket and prefix set");
        let r = SETTING.resource("b", "us-east-1", logging(Some(&l)));
        assert_eq!(r.key.id, "b");
        assert_eq!(r.attrs["target_bucket"], json!("audit"));
        assert_eq!(r.attrs["target_prefix"], json!("logs/"));
        assert!(r.cloud_default);
        // State's empty grant set and key format are the same as none.
        for (attr, state) in [
            ("target_grant", json!([])),
            ("target_object_key_format", json!([])),
        ] {
            assert_eq!(
                SPEC.normalize(Shape::Document, &r.attrs[attr]),
                SPEC.normalize(Shape::Document, &state),
                "{attr}"
            );
        }
        assert_eq!(logging(None), Value::Null);
    }
}
