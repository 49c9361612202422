//! `aws_iam_role`: the id is the role name, as Terraform's. The trust policy
//! (`assume_role_policy`) comes URL-encoded from IAM and is decoded, then compared as a policy
//! document; a change to it is critical (who may act as the role). Service-linked roles
//! (`/aws-service-role/` path) are created by AWS services: cloud defaults. IAM is global: one
//! listing per scan, in [`crate::GLOBAL_SCOPE`].

use super::iam::{tags, unless_gone};
use super::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};
use crate::client::{classify_in, decode_document, opt_str, Clients};
use async_trait::async_trait;
use aws_sdk_iam::types::Role;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamRole;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_role",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("path", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("assume_role_policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("max_session_duration", Shape::Number),
        AttrSpec::new("permissions_boundary", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: generates name at create; name is compared",
        ),
        UncomparedAttr::new(
            "force_detach_policies",
            "Terraform-side only: acts when Terraform destroys the role",
        ),
        UncomparedAttr::new(
            "inline_policy",
            "deprecated; inline policies are compared as aws_iam_role_policy",
        ),
        UncomparedAttr::new(
            "managed_policy_arns",
            "deprecated; attachments are compared as aws_iam_role_policy_attachment",
        ),
    ],
};

/// Path of the roles AWS services create for themselves.
pub(crate) const SERVICE_LINKED_PATH: &str = "/aws-service-role/";

fn map(role: &Role, scope: &str) -> Resource {
    let mut r = resource(
        SPEC.resource_type,
        role.role_name(),
        scope,
        json!({
            "name": role.role_name(),
            "path": role.path(),
            "description": opt_str(role.description()),
            "assume_role_policy": role.assume_role_policy_document().map(decode_document),
            "max_session_duration": role.max_session_duration(),
            "permissions_boundary": opt_str(
                role.permissions_boundary().and_then(|b| b.permissions_boundary_arn())
            ),
            "tags": tags(role.tags()),
        }),
    );
    r.cloud_default = role.path().starts_with(SERVICE_LINKED_PATH);
    r
}

/// Every role's name and path (ListRoles leaves out tags and the permissions boundary).
pub(crate) async fn role_names(
    iam: &aws_sdk_iam::Client,
) -> Result<Vec<(String, String)>, ListError> {
    let mut out = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify_in("iam", "ListRoles", &e))?;
        out.extend(
            page.roles()
                .iter()
                .map(|r| (r.role_name().to_string(), r.path().to_string())),
        );
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<Clients> for IamRole {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for (name, _) in role_names(&iam).await? {
            let got = iam.get_role().role_name(&name).send().await;
            if let Some(o) = unless_gone(got, "GetRole", format_args!("role {name}"))? {
                out.resources.extend(o.role().map(|r| map(r, scope)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::Tag;

    #[test]
    fn trust_policy_is_decoded_and_service_roles_are_defaults() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect\
                       %22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.\
                       com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        let role = Role::builder()
            .role_name("app")
            .path("/")
            .role_id("AROA1")
            .arn("arn:aws:iam::1:role/app")
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .assume_role_policy_document(encoded)
            .max_session_duration(3600)
            .tags(
                Tag::builder()
                    .key("Env")
                    .value("prod")
                    .build()
                    .expect("key and value"),
            )
            .build()
            .expect("required fields set");
        let r = map(&role, "global");
        assert_eq!(r.key.id, "app");
        assert!(!r.cloud_default);
        let state = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#;
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["assume_role_policy"]),
            SPEC.normalize(Shape::Document, &json!(state))
        );
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));
        let linked = Role::builder()
            .role_name("AWSServiceRoleForX")
            .path("/aws-service-role/x.amazonaws.com/")
            .role_id("AROA2")
            .arn("arn:aws:iam::1:role/aws-service-role/x")
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .build()
            .expect("required fields set");
        assert!(map(&linked, "global").cloud_default);
    }
}
