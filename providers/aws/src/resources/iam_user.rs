//! `aws_iam_user`: the id is the user name, as Terraform's. ListUsers leaves out tags and the
//! permissions boundary, so each user is read with GetUser. A permissions boundary changed or
//! removed out of band widens what the user may do: critical. Users have no cloud defaults (the
//! account's root user is not an IAM user). IAM is global: one listing per scan.

use super::iam::{tags, unless_gone};
use super::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};
use crate::client::{classify_in, opt_str, Clients};
use async_trait::async_trait;
use aws_sdk_iam::types::User;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamUser;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_user",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("path", Shape::Scalar),
        AttrSpec::new("permissions_boundary", Shape::Scalar).tier(GRANTS),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "force_destroy",
        "Terraform-side only: acts when Terraform destroys the user",
    )],
};

fn map(user: &User, scope: &str) -> Resource {
    resource(
        SPEC.resource_type,
        user.user_name(),
        scope,
        json!({
            "name": user.user_name(),
            "path": user.path(),
            "permissions_boundary": opt_str(
                user.permissions_boundary().and_then(|b| b.permissions_boundary_arn())
            ),
            "tags": tags(user.tags()),
        }),
    )
}

/// Every user's name (the attachment types list per user).
pub(crate) async fn user_names(iam: &aws_sdk_iam::Client) -> Result<Vec<String>, ListError> {
    let mut out = Vec::new();
    let mut pages = iam.list_users().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify_in("iam", "ListUsers", &e))?;
        out.extend(page.users().iter().map(|u| u.user_name().to_string()));
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Clients> for IamUser {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for name in user_names(&iam).await? {
            let got = iam.get_user().user_name(&name).send().await;
            if let Some(o) = unless_gone(got, "GetUser", format_args!("user {name}"))? {
                out.resources.extend(o.user().map(|u| map(u, scope)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::{AttachedPermissionsBoundary, Tag};

    #[test]
    fn user_maps_to_terraform_attributes() {
        let user = User::builder()
            .user_name("deploy")
            .path("/ci/")
            .user_id("AIDA1")
            .arn("arn:aws:iam::1:user/ci/deploy")
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .permissions_boundary(
                AttachedPermissionsBoundary::builder()
                    .permissions_boundary_arn("arn:aws:iam::1:policy/boundary")
                    .build(),
            )
            .tags(
                Tag::builder()
                    .key("Team")
                    .value("ci")
                    .build()
                    .expect("key and value"),
            )
            .build()
            .expect("required fields set");
        let r = map(&user, "global");
        assert_eq!(r.key.id, "deploy");
        assert_eq!(r.attrs["path"], json!("/ci/"));
        assert_eq!(
            r.attrs["permissions_boundary"],
            json!("arn:aws:iam::1:policy/boundary")
        );
        assert_eq!(r.attrs["tags"], json!({"Team": "ci"}));
        assert!(!r.cloud_default);
    }
}
