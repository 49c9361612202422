//! `aws_iam_role_policy`: an inline policy of a role. The id is `role:name`, as Terraform
//! writes and imports it. The document comes URL-encoded from IAM and is compared as a policy
//! document; a change to it is critical (what the role may do). An inline policy added out of
//! band is unmanaged; those of service-linked roles are AWS's own: cloud defaults.

use super::iam::unless_gone;
use super::iam_role::{role_names, SERVICE_LINKED_PATH};
use super::{resource, AWS_GENERATED_TAGS, GRANTS};
use crate::client::{decode_document, Clients};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamRolePolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_role_policy",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("role", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: generates name at create; name is compared",
    )],
};

fn map(role: &str, role_path: &str, name: &str, document: &str, scope: &str) -> Resource {
    let mut r = resource(
        SPEC.resource_type,
        &format!("{role}:{name}"),
        scope,
        json!({ "name": name, "role": role, "policy": decode_document(document) }),
    );
    r.cloud_default = role_path.starts_with(SERVICE_LINKED_PATH);
    r
}

#[async_trait]
impl ResourceKind<Clients> for IamRolePolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for (role, path) in role_names(&iam).await? {
            let mut names = Vec::new();
            let mut pages = iam
                .list_role_policies()
                .role_name(&role)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                // The role deleted since it was listed: it has no more inline policies.
                let Some(p) = unless_gone(page, "ListRolePolicies", format_args!("role {role}"))?
                else {
                    break;
                };
                names.extend(p.policy_names().iter().cloned());
            }
            for name in names {
                let got = iam
                    .get_role_policy()
                    .role_name(&role)
                    .policy_name(&name)
                    .send()
                    .await;
                if let Some(p) = unless_gone(got, "GetRolePolicy", format_args!("role {role}"))? {
                    out.resources
                        .push(map(&role, &path, &name, p.policy_document(), scope));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_policy_has_terraforms_id_and_a_decoded_document() {
        let r = map(
            "app",
            "/",
            "s3",
            "%7B%22Version%22%3A%222012-10-17%22%7D",
            "global",
        );
        assert_eq!(r.key.id, "app:s3");
        assert_eq!(r.attrs["policy"], json!(r#"{"Version":"2012-10-17"}"#));
        assert_eq!(r.attrs["role"], json!("app"));
        assert!(!r.cloud_default);
        assert!(map("r", "/aws-service-role/x/", "p", "{}", "global").cloud_default);
    }
}
