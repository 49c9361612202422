//! `aws_iam_group_policy_attachment`: a managed policy attached to a group. Terraform's id is
//! the group name and a timestamp, which nothing in IAM records, so attachments are matched by
//! identity, `group` and `policy_arn`; a listed attachment's own id is `group/policy_arn`, the
//! form `terraform import` takes. A policy attached out of band to a group is an unmanaged
//! attachment.

use super::iam_group::groups;
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::{classify_in, Clients};
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::json;

pub struct IamGroupPolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_group_policy_attachment",
    attrs: &[
        AttrSpec::new("group", Shape::Scalar).identity(),
        AttrSpec::new("policy_arn", Shape::Scalar)
            .identity()
            .tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
};

fn map(group: &str, policy_arn: &str, scope: &str) -> Resource {
    resource(
        SPEC.resource_type,
        &format!("{group}/{policy_arn}"),
        scope,
        json!({ "group": group, "policy_arn": policy_arn }),
    )
}

#[async_trait]
impl ResourceKind<Clients> for IamGroupPolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for group in groups(&iam).await? {
            let group = group.group_name();
            let mut pages = iam
                .list_attached_group_policies()
                .group_name(group)
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
                        return Err(match classify_in("iam", "ListAttachedGroupPolicies", &e) {
                            ListError::Api(m) => ListError::Api(format!("group {group}: {m}")),
                            other => other,
                        })
                    }
                };
                out.resources.extend(
                    page.attached_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn())
                        .map(|arn| map(group, arn, scope)),
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
