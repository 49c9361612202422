//! `aws_iam_group`: the id is the group name, as Terraform's, with its path. Groups carry no
//! tags. Who is in a group is `aws_iam_group_membership`, what it may do its policy
//! attachments. IAM is global: one listing per scan. (moto's UpdateGroup moves a group to
//! another path only when it renames it too, so the end-to-end test deletes a group instead.)

use super::{resource, AWS_GENERATED_TAGS};
use crate::client::{classify_in, Clients};
use async_trait::async_trait;
use aws_sdk_iam::types::Group;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::json;

pub struct IamGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("path", Shape::Scalar),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

fn map(group: &Group, scope: &str) -> Resource {
    resource(
        SPEC.resource_type,
        group.group_name(),
        scope,
        json!({ "name": group.group_name(), "path": group.path() }),
    )
}

/// Every group of the account, as ListGroups answers (name and path are all it needs).
pub(crate) async fn groups(iam: &aws_sdk_iam::Client) -> Result<Vec<Group>, ListError> {
    let mut out = Vec::new();
    let mut pages = iam.list_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify_in("iam", "ListGroups", &e))?;
        out.extend(page.groups().iter().cloned());
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Clients> for IamGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let groups = groups(&clients.iam()).await?;
        Ok(KindListing {
            resources: groups.iter().map(|g| map(g, scope)).collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_maps_to_its_name_and_path() {
        let g = Group::builder()
            .group_name("ops")
            .path("/teams/")
            .group_id("AGPA1")
            .arn("arn:aws:iam::1:group/teams/ops")
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .build()
            .expect("required fields set");
        let r = map(&g, "global");
        assert_eq!(r.key.id, "ops");
        assert_eq!(r.attrs["path"], json!("/teams/"));
        assert_eq!(r.attrs["name"], json!("ops"));
    }
}
