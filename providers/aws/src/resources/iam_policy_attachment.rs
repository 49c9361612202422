//! `aws_iam_policy_attachment`: the exclusive attachment of one managed policy, listing every
//! user, role and group that holds it. Terraform's id is the resource's `name` argument, which
//! nothing in IAM records, so it is matched by its `policy_arn`; a listed one's own id is the
//! policy ARN. Anyone given the policy out of band, or having it taken away, is a critical
//! change (who holds what the policy grants).
//!
//! Listed live for every policy attached to anything (ListPolicies with `OnlyAttached`, AWS's
//! own policies included, then ListEntitiesForPolicy), so that an exclusive attachment in state
//! is compared; every listed one is a cloud default, never unmanaged: the same attachments are
//! what `aws_iam_role_policy_attachment` and its user and group kin list, and an attachment made
//! out of band is reported by those. A policy attached to nothing any more is not listed: the
//! exclusive attachment in state is missing, as Terraform's own refresh forgets it.

use super::iam::{policy_arns, unless_gone};
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamPolicyAttachment;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_policy_attachment",
    attrs: &[
        AttrSpec::new("policy_arn", Shape::Scalar).identity(),
        AttrSpec::new("users", Shape::Set).tier(GRANTS),
        AttrSpec::new("roles", Shape::Set).tier(GRANTS),
        AttrSpec::new("groups", Shape::Set).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name",
        "Terraform's own label for the resource (its id); nothing in IAM records it",
    )],
};

/// Who holds one policy, by name, as Terraform records them.
#[derive(Default)]
struct Holders {
    users: Vec<String>,
    roles: Vec<String>,
    groups: Vec<String>,
}

fn map(policy_arn: &str, h: &Holders, scope: &str) -> Resource {
    let mut r = resource(
        SPEC.resource_type,
        policy_arn,
        scope,
        json!({
            "policy_arn": policy_arn,
            "users": h.users,
            "roles": h.roles,
            "groups": h.groups,
        }),
    );
    r.cloud_default = true;
    r
}

#[async_trait]
impl ResourceKind<Clients> for IamPolicyAttachment {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for arn in policy_arns(iam.list_policies().only_attached(true)).await? {
            let mut holders = Holders::default();
            let mut pages = iam
                .list_entities_for_policy()
                .policy_arn(&arn)
                .into_paginator()
                .send();
            let mut gone = false;
            while let Some(page) = pages.next().await {
                let operation = "ListEntitiesForPolicy";
                let Some(p) = unless_gone(page, operation, format_args!("policy {arn}"))? else {
                    // Deleted between the listing and now: attached to nothing.
                    gone = true;
                    break;
                };
                holders.users.extend(
                    p.policy_users()
                        .iter()
                        .filter_map(|u| u.user_name().map(str::to_string)),
                );
                holders.roles.extend(
                    p.policy_roles()
                        .iter()
                        .filter_map(|r| r.role_name().map(str::to_string)),
                );
                holders.groups.extend(
                    p.policy_groups()
                        .iter()
                        .filter_map(|g| g.group_name().map(str::to_string)),
                );
            }
            let empty =
                holders.users.is_empty() && holders.roles.is_empty() && holders.groups.is_empty();
            if !gone && !empty {
                out.resources.push(map(&arn, &holders, scope));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusive_attachment_matches_state_by_policy_arn() {
        let holders = Holders {
            users: vec!["deploy".into()],
            roles: vec!["web".into(), "app".into()],
            groups: vec![],
        };
        let live = map("arn:aws:iam::1:policy/read", &holders, "global");
        assert_eq!(live.key.id, "arn:aws:iam::1:policy/read");
        assert!(live.cloud_default);
        let mut state = Resource::new("aws", SPEC.resource_type, "read-everywhere");
        state.attrs = serde_json::from_value(json!({
            "name": "read-everywhere", "policy_arn": "arn:aws:iam::1:policy/read",
            "users": ["deploy"], "roles": ["app", "web"], "groups": null,
        }))
        .expect("an object");
        assert_eq!(
            SPEC.identity_key(&state.attrs),
            SPEC.identity_key(&live.attrs)
        );
        for attr in ["users", "roles", "groups"] {
            assert_eq!(
                SPEC.normalize(Shape::Set, &state.attrs[attr]),
                SPEC.normalize(Shape::Set, &live.attrs[attr]),
                "{attr}"
            );
        }
    }
}
