//! `aws_iam_user_policy_attachment`: a managed policy attached to a user. Terraform's id is the
//! user name and a timestamp (`deploy-20240102030405060700000001`), which nothing in IAM
//! records, so attachments are matched by identity, `user` and `policy_arn`; a listed
//! attachment's own id is `user/policy_arn`, the form `terraform import` takes. A policy
//! attached out of band to a user is an unmanaged attachment.

use super::iam_user::user_names;
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::{classify_in, Clients};
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::json;

pub struct IamUserPolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_user_policy_attachment",
    attrs: &[
        AttrSpec::new("user", Shape::Scalar).identity(),
        AttrSpec::new("policy_arn", Shape::Scalar)
            .identity()
            .tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
};

fn map(user: &str, policy_arn: &str, scope: &str) -> Resource {
    resource(
        SPEC.resource_type,
        &format!("{user}/{policy_arn}"),
        scope,
        json!({ "user": user, "policy_arn": policy_arn }),
    )
}

#[async_trait]
impl ResourceKind<Clients> for IamUserPolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for user in user_names(&iam).await? {
            let mut pages = iam
                .list_attached_user_policies()
                .user_name(&user)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = match page {
                    Ok(p) => p,
                    // Deleted between the listing and now: it has no attachments.
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_no_such_entity_exception()) =>
                    {
                        break
                    }
                    Err(e) => {
                        return Err(match classify_in("iam", "ListAttachedUserPolicies", &e) {
                            ListError::Api(m) => ListError::Api(format!("user {user}: {m}")),
                            other => other,
                        })
                    }
                };
                out.resources.extend(
                    page.attached_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn())
                        .map(|arn| map(&user, arn, scope)),
                );
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_matches_terraform_state_by_identity() {
        let live = map("deploy", "arn:aws:iam::1:policy/read", "global");
        assert_eq!(live.key.id, "deploy/arn:aws:iam::1:policy/read");
        let mut state = Resource::new("aws", SPEC.resource_type, "deploy-2024010203");
        state.attrs = live.attrs.clone();
        assert_eq!(
            SPEC.identity_key(&state.attrs),
            SPEC.identity_key(&live.attrs)
        );
        let other = map("deploy", "arn:aws:iam::1:policy/write", "global");
        assert_ne!(
            SPEC.identity_key(&other.attrs),
            SPEC.identity_key(&live.attrs)
        );
    }
}
