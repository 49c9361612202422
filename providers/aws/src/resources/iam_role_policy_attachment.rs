//! `aws_iam_role_policy_attachment`: a managed policy attached to a role. Terraform's id is the
//! role name and a timestamp (`app-20240102030405060700000001`), which nothing in IAM records,
//! so attachments are matched by identity, `role` and `policy_arn`; a listed attachment's own id
//! is `role/policy_arn`, the form `terraform import` takes. A policy attached out of band to a
//! role is an unmanaged attachment; attachments of service-linked roles are cloud defaults.

use super::iam_role::{role_names, SERVICE_LINKED_PATH};
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::{classify_in, Clients};
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::json;

pub struct IamRolePolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_role_policy_attachment",
    attrs: &[
        AttrSpec::new("role", Shape::Scalar).identity(),
        AttrSpec::new("policy_arn", Shape::Scalar)
            .identity()
            .tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
};

fn map(role: &str, role_path: &str, policy_arn: &str, scope: &str) -> Resource {
    let mut r = resource(
        SPEC.resource_type,
        &format!("{role}/{policy_arn}"),
        scope,
        json!({ "role": role, "policy_arn": policy_arn }),
    );
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
        let mut out = KindListing::default();
        for (role, path) in role_names(&iam).await? {
            let mut pages = iam
                .list_attached_role_policies()
                .role_name(&role)
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
                        return Err(match classify_in("iam", "ListAttachedRolePolicies", &e) {
                            ListError::Api(m) => ListError::Api(format!("role {role}: {m}")),
                            other => other,
                        })
                    }
                };
                out.resources.extend(
                    page.attached_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn())
                        .map(|arn| map(&role, &path, arn, scope)),
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
