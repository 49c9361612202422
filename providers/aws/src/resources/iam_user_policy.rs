//! `aws_iam_user_policy`: an inline policy of a user. The id is `user:name`, as Terraform writes
//! and imports it. The document comes URL-encoded from IAM and is compared as a policy document;
//! a change to it is critical (what the user may do). An inline policy added out of band is
//! unmanaged. One ListUserPolicies per user, then one GetUserPolicy per policy.

use super::iam::unless_gone;
use super::iam_user::user_names;
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::{decode_document, Clients};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamUserPolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_user_policy",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("user", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: generates name at create; name is compared",
    )],
};

/// An inline policy of `principal` (attribute `principal_attr`: `user` or `group`) as `type`.
pub(super) fn inline_policy(
    resource_type: &str,
    principal_attr: &str,
    principal: &str,
    name: &str,
    document: &str,
    scope: &str,
) -> Resource {
    resource(
        resource_type,
        &format!("{principal}:{name}"),
        scope,
        json!({ "name": name, principal_attr: principal, "policy": decode_document(document) }),
    )
}

#[async_trait]
impl ResourceKind<Clients> for IamUserPolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for user in user_names(&iam).await? {
            let mut names = Vec::new();
            let mut pages = iam
                .list_user_policies()
                .user_name(&user)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                // The user deleted since it was listed: it has no more inline policies.
                let Some(p) = unless_gone(page, "ListUserPolicies", format_args!("user {user}"))?
                else {
                    break;
                };
                names.extend(p.policy_names().iter().cloned());
            }
            for name in names {
                let got = iam
                    .get_user_policy()
                    .user_name(&user)
                    .policy_name(&name)
                    .send()
                    .await;
                if let Some(p) = unless_gone(got, "GetUserPolicy", format_args!("user {user}"))? {
                    out.resources.push(inline_policy(
                        SPEC.resource_type,
                        "user",
                        &user,
                        &name,
                        p.policy_document(),
                        scope,
                    ));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_user_policy_has_terraforms_id_and_a_decoded_document() {
        let r = inline_policy(
            SPEC.resource_type,
            "user",
            "deploy",
            "s3",
            "%7B%22Version%22%3A%222012-10-17%22%7D",
            "global",
        );
        assert_eq!(r.key.id, "deploy:s3");
        assert_eq!(r.attrs["policy"], json!(r#"{"Version":"2012-10-17"}"#));
        assert_eq!(r.attrs["user"], json!("deploy"));
    }
}
