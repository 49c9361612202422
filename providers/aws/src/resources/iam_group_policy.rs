//! `aws_iam_group_policy`: an inline policy of a group, id `group:name` as Terraform's. Compared
//! as [`aws_iam_user_policy`](super::iam_user_policy) is: the document as a policy, a change to it
//! critical, one added out of band unmanaged. One ListGroupPolicies per group, then one
//! GetGroupPolicy per policy.

use super::iam::unless_gone;
use super::iam_group::groups;
use super::iam_user_policy::inline_policy;
use super::{AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};

pub struct IamGroupPolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_group_policy",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("group", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: generates name at create; name is compared",
    )],
};

#[async_trait]
impl ResourceKind<Clients> for IamGroupPolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for group in groups(&iam).await? {
            let group = group.group_name().to_string();
            let mut names = Vec::new();
            let mut pages = iam
                .list_group_policies()
                .group_name(&group)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let Some(p) =
                    unless_gone(page, "ListGroupPolicies", format_args!("group {group}"))?
                else {
                    break;
                };
                names.extend(p.policy_names().iter().cloned());
            }
            for name in names {
                let got = iam
                    .get_group_policy()
                    .group_name(&group)
                    .policy_name(&name)
                    .send()
                    .await;
                if let Some(p) = unless_gone(got, "GetGroupPolicy", format_args!("group {group}"))?
                {
                    out.resources.push(inline_policy(
                        SPEC.resource_type,
                        "group",
                        &group,
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
