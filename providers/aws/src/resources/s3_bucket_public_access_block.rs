//! `aws_s3_bucket_public_access_block`: the id is the bucket name, with the four settings
//! Terraform writes. A bucket without a block has no such resource, so a block deleted out of
//! band is `missing` (critical) and one turned off is a critical change. A cloud default like
//! every bucket setting.

use super::s3_bucket::BucketSetting;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, Tier, TierHint, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct S3BucketPublicAccessBlock;

const SETTINGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// Any setting no longer `true` can make the bucket public: critical.
const TURNED_OFF: TierHint =
    TierHint::Rule(|c| (c.actual != Value::Bool(true)).then_some(Tier::Critical));

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_public_access_block",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new(SETTINGS[0], Shape::Scalar).tier(TURNED_OFF),
        AttrSpec::new(SETTINGS[1], Shape::Scalar).tier(TURNED_OFF),
        AttrSpec::new(SETTINGS[2], Shape::Scalar).tier(TURNED_OFF),
        AttrSpec::new(SETTINGS[3], Shape::Scalar).tier(TURNED_OFF),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "skip_destroy",
        "Terraform-side only: acts when Terraform destroys the block",
    )],
};

/// The four settings; AWS leaves a setting out when it is off.
fn settings(c: &PublicAccessBlockConfiguration) -> Value {
    json!({
        SETTINGS[0]: c.block_public_acls().unwrap_or(false),
        SETTINGS[1]: c.block_public_policy().unwrap_or(false),
        SETTINGS[2]: c.ignore_public_acls().unwrap_or(false),
        SETTINGS[3]: c.restrict_public_buckets().unwrap_or(false),
    })
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetPublicAccessBlock",
    absent: Some("NoSuchPublicAccessBlockConfiguration"),
    attributes: &SETTINGS,
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketPublicAccessBlock {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3.get_public_access_block().bucket(bucket).send().await?;
                let c = answer.public_access_block_configuration();
                Ok(c.map(settings).unwrap_or_else(|| json!({})))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_left_out_are_off() {
        let c = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .build();
        let r = SETTING.resource("b", "us-east-1", settings(&c));
        assert_eq!(r.attrs["block_public_acls"], json!(true));
        assert_eq!(r.attrs["restrict_public_buckets"], json!(false));
        assert!(r.cloud_default);
        // Unread: only the bucket, so nothing is compared.
        assert_eq!(SETTING.resource("b", "us-east-1", json!({})).attrs.len(), 1);
    }

    #[test]
    fn a_setting_turned_off_is_critical() {
        use driftd_core::{tier::default_tier, Change, ChangeOp, FindingKind};
        let tier = |actual| {
            let c = Change::new(
                "block_public_policy",
                ChangeOp::Replace,
                json!(true),
                actual,
            );
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(tier(json!(false)), Tier::Critical);
        assert_eq!(tier(Value::Null), Tier::Critical);
        assert_eq!(tier(json!(true)), Tier::Warning);
    }
}
