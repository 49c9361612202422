//! `aws_iam_group_policy_attachment`: a managed policy attached to a group. Terraform's id is
//! the group name and a timestamp, which nothing in IAM records, so attachments are matched by
//! identity, `group` and `policy_arn`; a listed attachment's own id is `group/policy_arn`, the
//! form `terraform import` takes. A policy attached out of band to a group is an unmanaged
//! attachment.

use super::iam::{attached_policies, attachment, attachment_attrs};
use super::iam_group::groups;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use aws_sdk_iam::types::Group;
use driftd_core::{KindListing, ListError, Resource, ResourceKind, TypeSpec};

pub struct IamGroupPolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_group_policy_attachment",
    attrs: &attachment_attrs("group"),
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

fn map(group: &str, policy_arn: &str, scope: &str) -> Resource {
    attachment(SPEC.resource_type, "group", group, policy_arn, scope)
}

#[async_trait]
impl ResourceKind<Clients> for IamGroupPolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let resources = attached_policies(
            groups(&iam).await?,
            Group::group_name,
            "group",
            "ListAttachedGroupPolicies",
            |group| {
                iam.list_attached_group_policies()
                    .group_name(group)
                    .into_paginator()
                    .items()
                    .send()
                    .collect()
            },
            |group, arn| map(group.group_name(), arn, scope),
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
        let live = map("ops", "arn:aws:iam::1:policy/read", "global");
        assert_eq!(live.key.id, "ops/arn:aws:iam::1:policy/read");
        let mut state = Resource::new("aws", SPEC.resource_type, "ops-2024010203");
        state.attrs = live.attrs.clone();
        assert_eq!(
            SPEC.identity_key(&state.attrs),
            SPEC.identity_key(&live.attrs)
        );
    }
}
