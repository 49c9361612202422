//! `aws_iam_user_policy_attachment`: a managed policy attached to a user. Terraform's id is the
//! user name and a timestamp (`deploy-20240102030405060700000001`), which nothing in IAM
//! records, so attachments are matched by identity, `user` and `policy_arn`; a listed
//! attachment's own id is `user/policy_arn`, the form `terraform import` takes. A policy
//! attached out of band to a user is an unmanaged attachment.

use super::iam::{attached_policies, attachment, attachment_attrs};
use super::iam_user::user_names;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, Resource, ResourceKind, TypeSpec};

pub struct IamUserPolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_user_policy_attachment",
    attrs: &attachment_attrs("user"),
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

fn map(user: &str, policy_arn: &str, scope: &str) -> Resource {
    attachment(SPEC.resource_type, "user", user, policy_arn, scope)
}

#[async_trait]
impl ResourceKind<Clients> for IamUserPolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let resources = attached_policies(
            user_names(&iam).await?,
            String::as_str,
            "user",
            "ListAttachedUserPolicies",
            |user| {
                iam.list_attached_user_policies()
                    .user_name(user)
                    .into_paginator()
                    .items()
                    .send()
                    .collect()
            },
            |user, arn| map(user, arn, scope),
        )
        .await?;
        Ok(KindListing {
            resources,
            ..KindListing::default()
        })
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
