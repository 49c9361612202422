//! `aws_iam_instance_profile`: the id is the profile name, as Terraform's. The role a profile
//! carries is what every instance launched with it may do, so a role swapped or removed out of
//! band is critical. ListInstanceProfiles leaves out tags, so each profile is read with
//! GetInstanceProfile. Profiles under the service-linked path are AWS's own: cloud defaults.

use super::iam::{tags, unless_gone};
use super::iam_role::SERVICE_LINKED_PATH;
use super::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};
use crate::client::{classify_in, Clients};
use async_trait::async_trait;
use aws_sdk_iam::types::InstanceProfile;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamInstanceProfile;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_instance_profile",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("path", Shape::Scalar),
        AttrSpec::new("role", Shape::Scalar).tier(GRANTS),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: generates name at create; name is compared",
    )],
};

fn map(p: &InstanceProfile, scope: &str) -> Resource {
    // A profile holds at most one role; Terraform records its name, or none.
    let role = p.roles().first().map(|r| r.role_name());
    let mut r = resource(
        SPEC.resource_type,
        p.instance_profile_name(),
        scope,
        json!({
            "name": p.instance_profile_name(),
            "path": p.path(),
            "role": role,
            "tags": tags(p.tags()),
        }),
    );
    r.cloud_default = p.path().starts_with(SERVICE_LINKED_PATH);
    r
}

#[async_trait]
impl ResourceKind<Clients> for IamInstanceProfile {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut names = Vec::new();
        let mut pages = iam.list_instance_profiles().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify_in("iam", "ListInstanceProfiles", &e))?;
            names.extend(
                page.instance_profiles()
                    .iter()
                    .map(|p| p.instance_profile_name().to_string()),
            );
        }
        let mut out = KindListing::default();
        for name in names {
            let got = iam
                .get_instance_profile()
                .instance_profile_name(&name)
                .send()
                .await;
            let entity = format_args!("instance profile {name}");
            if let Some(o) = unless_gone(got, "GetInstanceProfile", entity)? {
                out.resources
                    .extend(o.instance_profile().map(|p| map(p, scope)));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::Role;
    use serde_json::Value;

    fn profile(path: &str, role: Option<&str>) -> InstanceProfile {
        let date = aws_sdk_iam::primitives::DateTime::from_secs(0);
        let mut b = InstanceProfile::builder()
            .instance_profile_name("web")
            .path(path)
            .instance_profile_id("AIPA1")
            .arn("arn:aws:iam::1:instance-profile/web")
            .create_date(date)
            .set_roles(Some(Vec::new()));
        if let Some(role) = role {
            b = b.roles(
                Role::builder()
                    .role_name(role)
                    .path("/")
                    .role_id("AROA1")
                    .arn("arn:aws:iam::1:role/web")
                    .create_date(date)
                    .build()
                    .expect("required fields set"),
            );
        }
        b.build().expect("required fields set")
    }

    #[test]
    fn profile_records_its_role_by_name() {
        let r = map(&profile("/", Some("web")), "global");
        assert_eq!(r.key.id, "web");
        assert_eq!(r.attrs["role"], json!("web"));
        assert!(!r.cloud_default);
        assert_eq!(
            map(&profile("/", None), "global").attrs["role"],
            Value::Null
        );
        assert!(map(&profile("/aws-service-role/x/", None), "global").cloud_default);
    }
}
