//! `aws_iam_role_policy_attachment`: a managed policy attached to a role. Terraform's id is the
//! role name and a timestamp (`app-20240102030405060700000001`), which nothing in IAM records,
//! so attachments are matched by identity, `role` and `policy_arn`; a listed attachment's own id
//! is `role/policy_arn`, the form `terraform import` takes. A policy attached out of band to a
//! role is an unmanaged attachment; attachments of service-linked roles are cloud defaults.

use super::iam::{attached_policies, attachment, attachment_attrs};
use super::iam_role::{role_names, SERVICE_LINKED_PATH};
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, Resource, ResourceKind, TypeSpec};

pub struct IamRolePolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_role_policy_attachment",
    attrs: &attachment_attrs("role"),
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

fn map(role: &str, role_path: &str, policy_arn: &str, scope: &str) -> Resource {
    let mut r = attachment(SPEC.resource_type, "role", role, policy_arn, scope);
    r.cloud_default = role_path.starts_with(SERVICE_LINKED_PATH);
    r
}

#[async_trait]
impl ResourceKind<Clients> for IamRolePolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let resources = attached_policies(
            role_names(&iam).await?,
            |(role, _path)| role,
            "role",
            "ListAttachedRolePolicies",
            |role| {
                iam.list_attached_role_policies()
                    .role_name(role)
                    .into_paginator()
                    .items()
                    .send()
                    .collect()
            },
            |(role, path), arn| map(role, path, arn, scope),
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
        let live = map("app", "/", "arn:aws:iam::1:policy/read", "global");
        assert_eq!(live.key.id, "app/arn:aws:iam::1:policy/read");
        let mut state = driftd_core::Resource::new("aws", SPEC.resource_type, "app-2024010203");
        state.attrs = live.attrs.clone();
        assert_eq!(
            SPEC.identity_key(&state.attrs),
            SPEC.identity_key(&live.attrs)
        );
        let other = map("app", "/", "arn:aws:iam::1:policy/write", "global");
        assert_ne!(
            SPEC.identity_key(&other.attrs),
            SPEC.identity_key(&live.attrs)
        );
        assert!(map("r", "/aws-service-role/x/", "arn", "global").cloud_default);
    }
}
