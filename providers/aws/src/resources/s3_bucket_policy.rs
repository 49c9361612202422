//! `aws_s3_bucket_policy`: the id is the bucket name, as Terraform's. The policy is compared as
//! a policy document (whitespace, key order and list forms do not count); any change to it is
//! critical, as it says who may read or write the bucket. A bucket without a policy has no such
//! resource, so a policy deleted out of band is `missing`. A cloud default like every bucket
//! setting: a policy that only the bucket's (deprecated) inline `policy` argument manages is not
//! reported unmanaged.

use super::s3_bucket::BucketSetting;
use super::{AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct S3BucketPolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_policy",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketPolicy",
    absent: Some("NoSuchBucketPolicy"),
    attributes: &["policy"],
};

/// The policy as Terraform records it: the document text (S3, unlike IAM, does not URL-encode
/// it).
fn policy(document: Option<&str>) -> Value {
    match document {
        Some(d) => json!({ "policy": d }),
        None => json!({}),
    }
}

#[async_trait]
impl ResourceKind<Clients> for S3BucketPolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3.get_bucket_policy().bucket(bucket).send().await?;
                Ok(policy(answer.policy()))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_written_otherwise_equals_terraform_state() {
        let live = r#"{"Version":"2012-10-17","Statement":[{"Sid":"logs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":["s3:PutObject"],"Resource":"arn:aws:s3:::b/*"}]}"#;
        let r = SETTING.resource("b", "us-east-1", policy(Some(live)));
        assert_eq!(r.key.id, "b");
        assert!(r.cloud_default);
        let state = r#"{"Statement":[{"Action":"s3:PutObject","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Resource":"arn:aws:s3:::b/*","Sid":"logs"}],"Version":"2012-10-17"}"#;
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["policy"]),
            SPEC.normalize(Shape::Document, &json!(state))
        );
    }
}
