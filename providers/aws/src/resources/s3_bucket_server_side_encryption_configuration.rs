//! `aws_s3_bucket_server_side_encryption_configuration`: the id is the bucket name, the `rule`
//! blocks as Terraform writes them (`apply_server_side_encryption_by_default` with
//! `sse_algorithm` and `kms_master_key_id`, and `bucket_key_enabled`). A bucket without a
//! configuration has no such resource; a cloud default like every bucket setting.

use super::s3_bucket::BucketSetting;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_s3::types::ServerSideEncryptionRule;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct S3BucketSseConfiguration;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_server_side_encryption_configuration",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new("rule", Shape::Document),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "expected_bucket_owner",
        "Terraform-side only: an account check sent with each request, nothing S3 stores",
    )],
};

fn rules(rules: &[ServerSideEncryptionRule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                let default = r.apply_server_side_encryption_by_default().map(|d| {
                    json!([{
                        "sse_algorithm": d.sse_algorithm().as_str(),
                        "kms_master_key_id": d.kms_master_key_id(),
                    }])
                });
                json!({
                    "apply_server_side_encryption_by_default": default,
                    // Terraform records `false` where AWS says nothing.
                    "bucket_key_enabled": r.bucket_key_enabled().unwrap_or(false),
                })
            })
            .collect(),
    )
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketEncryption",
    absent: Some("ServerSideEncryptionConfigurationNotFoundError"),
    attributes: &["rule"],
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketSseConfiguration {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3.get_bucket_encryption().bucket(bucket).send().await?;
                Ok(match answer.server_side_encryption_configuration() {
                    Some(c) => json!({ "rule": rules(c.rules()) }),
                    None => json!({}),
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{ServerSideEncryption, ServerSideEncryptionByDefault};

    #[test]
    fn rules_equal_terraform_state() {
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(
                ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256)
                    .build()
                    .expect("algorithm set"),
            )
            .build();
        let r = SETTING.resource("b", "us-east-1", json!({ "rule": rules(&[rule]) }));
        let state = json!([{
            "apply_server_side_encryption_by_default": [{"kms_master_key_id": "", "sse_algorithm": "AES256"}],
            "bucket_key_enabled": false,
        }]);
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["rule"]),
            SPEC.normalize(Shape::Document, &state)
        );
    }
}
