//! `aws_s3_bucket_acl`: who is granted what on a bucket, in Terraform's `access_control_policy`
//! block (`grant` with its `grantee` and `permission`, and the `owner`). Any change to it is
//! critical: a grant to `AllUsers` or `AuthenticatedUsers` makes the bucket public, and any
//! other grant lets another account in.
//!
//! Terraform's id is the bucket name, or `bucket,<canned acl>` when the code sets `acl`
//! (`b,private`); S3 answers grants, never the canned name they came from, so the ACL is matched
//! by its `bucket` and the canned `acl` itself is not compared (its grants are). Every bucket
//! has an ACL: a cloud default like every bucket setting.

use super::s3_bucket::BucketSetting;
use super::{AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_s3::types::{Grant, Grantee, Owner};
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct S3BucketAcl;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_acl",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar).identity(),
        AttrSpec::new("access_control_policy", Shape::Document).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "acl",
            "a canned ACL: S3 answers grants, never the name they came from; the grants are \
            compared",
        ),
        UncomparedAttr::new(
            "expected_bucket_owner",
            "Terraform-side only: an account check sent with each request, nothing S3 stores",
        ),
    ],
};

/// A grantee block as Terraform writes it (shared with `aws_s3_bucket_logging`'s target grants).
pub(crate) fn grantee(g: &Grantee) -> Value {
    json!([{
        "display_name": g.display_name(),
        "email_address": g.email_address(),
        "id": g.id(),
        "type": g.r#type().as_str(),
        "uri": g.uri(),
    }])
}

fn access_control_policy(owner: Option<&Owner>, grants: &[Grant]) -> Value {
    let grants: Vec<Value> = grants
        .iter()
        .map(|g| {
            json!({
                "grantee": g.grantee().map(grantee),
                "permission": g.permission().map(|p| p.as_str()),
            })
        })
        .collect();
    let owner = owner.map(|o| json!([{ "display_name": o.display_name(), "id": o.id() }]));
    json!({ "access_control_policy": [{ "grant": grants, "owner": owner }] })
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketAcl",
    absent: None,
    attributes: &["access_control_policy"],
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketAcl {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                let answer = s3.get_bucket_acl().bucket(bucket).send().await?;
                Ok(access_control_policy(answer.owner(), answer.grants()))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{Permission, Type};

    fn grant(grantee: Grantee, permission: Permission) -> Grant {
        Grant::builder()
            .grantee(grantee)
            .permission(permission)
            .build()
    }

    #[test]
    fn grants_equal_terraform_state_in_any_order() {
        let owner = Owner::builder().id("abc").build();
        let full = grant(
            Grantee::builder()
                .r#type(Type::CanonicalUser)
                .id("abc")
                .build()
                .expect("type set"),
            Permission::FullControl,
        );
        let logs = grant(
            Grantee::builder()
                .r#type(Type::Group)
                .uri("http://acs.amazonaws.com/groups/s3/LogDelivery")
                .build()
                .expect("type set"),
            Permission::Write,
        );
        let r = SETTING.resource(
            "b",
            "us-east-1",
            access_control_policy(Some(&owner), &[full, logs]),
        );
        let state = json!([{
            "grant": [
                {"grantee": [{"display_name": "", "email_address": "", "id": "",
                              "type": "Group",
                              "uri": "http://acs.amazonaws.com/groups/s3/LogDelivery"}],
                 "permission": "WRITE"},
                {"grantee": [{"display_name": "", "email_address": "", "id": "abc",
                              "type": "CanonicalUser", "uri": ""}],
                 "permission": "FULL_CONTROL"},
            ],
            "owner": [{"display_name": "", "id": "abc"}],
        }]);
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["access_control_policy"]),
            SPEC.normalize(Shape::Document, &state)
        );
        // Matched by bucket, whatever the state id says about a canned ACL.
        let mut s = driftd_core::Resource::new("aws", SPEC.resource_type, "b,private");
        s.attrs = serde_json::from_value(json!({"bucket": "b", "acl": "private"})).expect("map");
        assert_eq!(SPEC.identity_key(&s.attrs), SPEC.identity_key(&r.attrs));
    }
}
