//! `aws_iam_group_membership`: every user of one group, exclusively. Terraform's id is the
//! resource's `name` argument, which nothing in IAM records, so a membership is matched by its
//! `group`; a listed membership's own id is the group name. A user added to or removed from the
//! group out of band changes what that user may do: critical.
//!
//! Every group with at least one user is listed, as a cloud default: the same memberships are
//! just as often written per user (`aws_iam_user_group_membership`, which driftd does not
//! compare), so a group's users without an `aws_iam_group_membership` are no sign of anything
//! unmanaged. A group created out of band is reported by `aws_iam_group`.

use super::iam::unless_gone;
use super::iam_group::groups;
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamGroupMembership;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_group_membership",
    attrs: &[
        AttrSpec::new("group", Shape::Scalar).identity(),
        AttrSpec::new("users", Shape::Set).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name",
        "Terraform's own label for the resource (its id); nothing in IAM records it",
    )],
};

fn map(group: &str, users: &[String], scope: &str) -> Resource {
    let mut r = resource(
        SPEC.resource_type,
        group,
        scope,
        json!({ "group": group, "users": users }),
    );
    r.cloud_default = true;
    r
}

#[async_trait]
impl ResourceKind<Clients> for IamGroupMembership {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for group in groups(&iam).await? {
            let name = group.group_name();
            let mut users = Vec::new();
            let mut pages = iam.get_group().group_name(name).into_paginator().send();
            let mut gone = false;
            while let Some(page) = pages.next().await {
                let Some(p) = unless_gone(page, "GetGroup", format_args!("group {name}"))? else {
                    // Deleted between the listing and now: no membership.
                    gone = true;
                    break;
                };
                users.extend(p.users().iter().map(|u| u.user_name().to_string()));
            }
            // Terraform keeps no membership of an empty group (its read forgets it).
            if !gone && !users.is_empty() {
                out.resources.push(map(name, &users, scope));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_matches_terraform_state_by_group() {
        let live = map("ops", &["bob".into(), "alice".into()], "global");
        assert_eq!(live.key.id, "ops");
        assert!(live.cloud_default);
        // Terraform's id is the resource's own name, never seen in IAM.
        let mut state = Resource::new("aws", SPEC.resource_type, "ops-membership");
        state.attrs = serde_json::from_value(json!({
            "name": "ops-membership", "group": "ops", "users": ["alice", "bob"],
        }))
        .expect("an object");
        assert_eq!(
            SPEC.identity_key(&state.attrs),
            SPEC.identity_key(&live.attrs)
        );
        assert_eq!(
            SPEC.normalize(Shape::Set, &state.attrs["users"]),
            SPEC.normalize(Shape::Set, &live.attrs["users"])
        );
    }
}
