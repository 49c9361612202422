//! `aws_s3_bucket_server_side_encryption_configuration`: the id is the bucket name, the `rule`
//! blocks as Terraform writes them (`apply_server_side_encryption_by_default` with
//! `sse_algorithm` and `kms_master_key_id`, and `bucket_key_enabled`). A bucket without a
//! configuration has no such resource; a cloud default like every bucket setting.

use super::s3_bucket::settings_buckets;
use super::{resource, AWS_GENERATED_TAGS};
use crate::client::{classify_in, error_code, is_access_denied, Clients};
use async_trait::async_trait;
use aws_sdk_s3::types::ServerSideEncryptionRule;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
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

fn map(bucket: &str, region: &str, rule: Option<Value>) -> Resource {
    let mut attrs = json!({ "bucket": bucket });
    if let (Some(rule), Value::Object(m)) = (rule, &mut attrs) {
        m.insert("rule".into(), rule);
    }
    let mut r = resource(SPEC.resource_type, bucket, region, attrs);
    r.cloud_default = true;
    r
}

#[async_trait]
impl ResourceKind<Clients> for S3BucketSseConfiguration {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        for b in settings_buckets(clients, region).await? {
            let s3 = clients.s3(&b.region);
            match s3.get_bucket_encryption().bucket(&b.name).send().await {
                Ok(o) => {
                    let rule = o
                        .server_side_encryption_configuration()
                        .map(|c| rules(c.rules()));
                    out.resources.push(map(&b.name, &b.region, rule));
                }
                Err(e)
                    if error_code(&e) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
                }
                Err(e) if is_access_denied(&e) => {
                    out.resources.push(map(&b.name, &b.region, None));
                    if out.unread_attributes.is_empty() {
                        out.unread_attributes
                            .push(("rule".into(), classify_in("s3", "GetBucketEncryption", &e)));
                    }
                }
                Err(e) => return Err(classify_in("s3", "GetBucketEncryption", &e)),
            }
        }
        Ok(out)
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
        let r = map("b", "us-east-1", Some(rules(&[rule])));
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
